#!/usr/bin/python3
"""Generates core/display/terminal_font.c (terminalio.FONT) from a Terminus PCF font.

    tools/gen_font.py [/usr/share/fonts/X11/misc/ter-u12n_unicode.pcf.gz] > core/display/terminal_font.c

Terminus is by Dimitar Toshkov Zhekov, under the SIL Open Font License 1.1 (the licence text is
core/display/OFL-Terminus.txt, copied from Debian's xfonts-terminus). CircuitPython's terminal
uses the same 6x12 face. Only the Python standard library is used: the PCF reader below follows
the X11 PCF format (tables of metrics, bitmaps and BDF encodings).
"""
import gzip
import struct
import sys

PCF_METRICS, PCF_BITMAPS, PCF_BDF_ENCODINGS, PCF_ACCELERATORS, PCF_BDF_ACCELERATORS = 4, 8, 32, 2, 256
PCF_COMPRESSED_METRICS = 0x100

# Codepoints in the font bitmap: printable ASCII, Latin-1, and symbols CircuitPython prints.
EXTRA = "\u2026\u2190\u2191\u2192\u2193\u2500\u2502\u250c\u2510\u2514\u2518\u251c\u2524\u252c\u2534\u253c" \
        "\u2580\u2584\u2588\u2591\u2592\u2593\u25a0\u25b2\u25b6\u25bc\u25c0\u2713\u00b7\u20ac"


class Reader:
    def __init__(self, data, fmt):
        self.data, self.big = data, bool(fmt & 4)

    def i(self, off, size=4, signed=True):
        code = {1: "b", 2: "h", 4: "i"}[size]
        if not signed:
            code = code.upper()
        return struct.unpack_from((">" if self.big else "<") + code, self.data, off)[0]


def load_pcf(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:4] != b"\x01fcp":
        raise SystemExit(f"{path}: not a PCF font")
    count = struct.unpack_from("<i", raw, 4)[0]
    tables = {}
    for k in range(count):
        t, fmt, size, off = struct.unpack_from("<iiii", raw, 8 + 16 * k)
        tables[t] = (fmt, off)

    # metrics
    fmt, off = tables[PCF_METRICS]
    fmt = struct.unpack_from("<i", raw, off)[0]
    r = Reader(raw, fmt)
    metrics = []
    if fmt & PCF_COMPRESSED_METRICS:
        n = r.i(off + 4, 2)
        for k in range(n):
            lb, rb, w, asc, desc = (raw[off + 6 + 5 * k + j] - 0x80 for j in range(5))
            metrics.append((lb, rb, w, asc, desc))
    else:
        n = r.i(off + 4)
        for k in range(n):
            lb, rb, w, asc, desc = (r.i(off + 8 + 12 * k + 2 * j, 2) for j in range(5))
            metrics.append((lb, rb, w, asc, desc))

    # font ascent/descent from the accelerators
    acc = tables.get(PCF_BDF_ACCELERATORS) or tables[PCF_ACCELERATORS]
    fmt = struct.unpack_from("<i", raw, acc[1])[0]
    r = Reader(raw, fmt)
    font_ascent, font_descent = r.i(acc[1] + 12), r.i(acc[1] + 16)

    # bitmaps
    fmt, off = tables[PCF_BITMAPS]
    fmt = struct.unpack_from("<i", raw, off)[0]
    r = Reader(raw, fmt)
    n = r.i(off + 4)
    offsets = [r.i(off + 8 + 4 * k) for k in range(n)]
    pad = 1 << (fmt & 3)
    msb_bits = bool(fmt & 8)
    data_start = off + 8 + 4 * n + 16
    glyphs = []
    for k in range(n):
        lb, rb, w, asc, desc = metrics[k]
        gw, gh = rb - lb, asc + desc
        row_bytes = ((gw + 7) // 8 + pad - 1) // pad * pad
        rows = []
        for y in range(gh):
            base = data_start + offsets[k] + y * row_bytes
            bits = []
            for x in range(gw):
                byte = raw[base + x // 8]
                bit = (byte >> (7 - x % 8)) & 1 if msb_bits else (byte >> (x % 8)) & 1
                bits.append(bit)
            rows.append(bits)
        glyphs.append(rows)

    # encodings
    fmt, off = tables[PCF_BDF_ENCODINGS]
    fmt = struct.unpack_from("<i", raw, off)[0]
    r = Reader(raw, fmt)
    min2, max2, min1, max1 = (r.i(off + 4 + 2 * j, 2) for j in range(4))
    cols = max2 - min2 + 1
    encoding = {}
    for b1 in range(min1, max1 + 1):
        for b2 in range(min2, max2 + 1):
            idx = r.i(off + 14 + 2 * ((b1 - min1) * cols + (b2 - min2)), 2, signed=False)
            if idx != 0xFFFF:
                encoding[(b1 << 8) | b2] = idx
    return metrics, glyphs, encoding, font_ascent, font_descent


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/X11/misc/ter-u12n_unicode.pcf.gz"
    metrics, glyphs, encoding, ascent, descent = load_pcf(path)
    cell_w = max(m[2] for m in metrics)
    cell_h = ascent + descent
    codepoints = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100)) + sorted({ord(c) for c in EXTRA})
    codepoints = sorted({c for c in codepoints if c in encoding})
    width = cell_w * len(codepoints)
    pixels = [[0] * width for _ in range(cell_h)]
    for tile, cp in enumerate(codepoints):
        k = encoding[cp]
        lb, rb, w, asc, desc = metrics[k]
        for gy, row in enumerate(glyphs[k]):
            y = ascent - asc + gy
            for gx, bit in enumerate(row):
                x = lb + gx
                if bit and 0 <= x < cell_w and 0 <= y < cell_h:
                    pixels[y][tile * cell_w + x] = 1
    stride_words = (width + 31) // 32
    words = []
    for y in range(cell_h):
        row_bytes = bytearray(stride_words * 4)
        for x in range(width):
            if pixels[y][x]:
                row_bytes[x // 8] |= 0x80 >> (x % 8)  # most significant bit first, as Bitmap stores 1 bpp
        words += struct.unpack("<%dI" % stride_words, row_bytes)
    ranges = []
    for tile, cp in enumerate(codepoints):
        if ranges and ranges[-1][0] + ranges[-1][1] == cp:
            ranges[-1][1] += 1
        else:
            ranges.append([cp, 1, tile])

    out = sys.stdout
    out.write("/* Generated by tools/gen_font.py from %s: do not edit.\n" % path.split("/")[-1])
    out.write(" * Terminus font, Copyright (c) 2010-2014 Dimitar Toshkov Zhekov, SIL Open Font License 1.1\n")
    out.write(" * (core/display/OFL-Terminus.txt). %d glyphs of %dx%d. */\n" % (len(codepoints), cell_w, cell_h))
    out.write("/* clang-format off */\n")
    out.write('#include "circuit9/display.h"\n\n')
    out.write("static const uint32_t font_data[%d] = {\n" % len(words))
    for k in range(0, len(words), 6):
        out.write("    " + ", ".join("0x%08x" % v for v in words[k:k + 6]) + ",\n")
    out.write("};\n\n")
    out.write("static const c9_glyph_range_t font_ranges[%d] = {\n" % len(ranges))
    for first, count, tile in ranges:
        out.write("    {0x%04x, %d, %d},\n" % (first, count, tile))
    out.write("};\n\n")
    out.write("/* Read-only: the cast only satisfies c9_bitmap_t's mutable pointer; read_only blocks writes. */\n")
    out.write("static const c9_bitmap_t font_bitmap = {\n")
    out.write("    .data = (uint32_t *)font_data,\n")
    out.write("    .width = %d,\n    .height = %d,\n    .stride_words = %d,\n" % (width, cell_h, stride_words))
    out.write("    .bits_per_value = 1,\n    .x_shift = 3,\n    .x_mask = 7,\n    .read_only = true,\n")
    out.write("    .bitmask = 1,\n    .data_size = sizeof(font_data),\n};\n\n")
    out.write("static const c9_builtin_font_t terminal_font = {\n")
    out.write("    &font_bitmap, %d, %d, font_ranges, %d,\n};\n\n" % (cell_w, cell_h, len(ranges)))
    out.write("const c9_builtin_font_t *c9_font_terminal(void) {\n    return &terminal_font;\n}\n")


if __name__ == "__main__":
    main()
