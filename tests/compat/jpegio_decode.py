# jpegio.JpegDecoder.decode(): coarse pixel facts, crop and position, colour keys, depth, reuse.
# Expected output written by hand from references that are not our decoder:
# - the colour classes were computed once from a board's pixels (TJpgDec as CircuitPython
#   configures it, see tests/fixtures/jpeg/PROVENANCE.md) for the files it decodes, and for
#   s440/s411, which it rejects, with Pillow (libjpeg-turbo; at 1/8 through Pillow's draft
#   mode) with the channels truncated to RGB565; bad_noeoi is s420 without its EOI;
# - sizes are (width >> scale, height >> scale) as CircuitPython's callers compute them;
# - "True" lines are CircuitPython's own test facts (tests/circuitpython/jpegio_decompress.py):
#   a cropped/moved decode equals a full decode blitted with bitmaptools.blit, and so does a
#   decode with a colour key.
import bitmaptools
import displayio
import jpegio

FIX = "../fixtures/jpeg/"
decoder = jpegio.JpegDecoder()


def rgb(v):
    """RGB565_SWAPPED to 8-bit channels (low bits zero)."""
    v = ((v & 0xFF) << 8) | (v >> 8)
    return (v >> 11) << 3, ((v >> 5) & 63) << 2, (v & 31) << 3


def cls(v):
    r, g, b = rgb(v)
    if r > g + 60 and r > b + 60:
        return "R"
    if g > r + 60 and g > b + 60:
        return "G"
    if b > r + 60 and b > g + 60:
        return "B"
    if min(r, g, b) > 200:
        return "W"
    return "."


def decode(name, scale=0, fill=None, **kw):
    w, h = decoder.open(FIX + name + ".jpg")
    b = displayio.Bitmap(w >> scale, h >> scale, 65536)
    if fill is not None:
        b.fill(fill)
    decoder.decode(b, scale=scale, **kw)
    return b


POINTS = {0: ((0, 0), (41, 5), (59, 6), (10, 32), (54, 41), (24, 18), (49, 26)),
          3: ((0, 0), (5, 0), (2, 2), (5, 3), (2, 5))}
for name in ("s444", "s422", "s420", "s440", "s411", "rst1_420", "bad_noeoi"):
    for scale in (0, 3):
        if name == "s411" and scale == 3:
            continue  # its 1/8 colours sit too close to the class thresholds
        b = decode(name, scale)
        print(name, "1/%d" % (1 << scale), "%dx%d" % (b.width, b.height),
              "".join(cls(b[p]) for p in POINTS[scale]))

for scale in (0, 3):
    b = decode("gray", scale)
    grey = all(rgb(b[i])[0] == rgb(b[i])[2] and rgb(b[i])[1] >> 3 == rgb(b[i])[0] >> 3
               for i in range(b.width * b.height))
    print("gray 1/%d" % (1 << scale), "grey:", grey,
          "".join("L" if rgb(b[p])[1] > 128 else "D" for p in POINTS[scale]))



def written_extent(name, scale):
    """Width and height of what a decode writes into a larger bitmap."""
    w, h = decoder.open(FIX + name + ".jpg")
    b = displayio.Bitmap(w + 8, h + 8, 65536)
    b.fill(0x1234)
    decoder.decode(b, scale=scale)
    xs = [x for x in range(b.width) if any(b[x, y] != 0x1234 for y in range(b.height))]
    ys = [y for y in range(b.height) if any(b[x, y] != 0x1234 for x in range(b.width))]
    return "%dx%d" % (max(xs) + 1, max(ys) + 1)


for name in ("odd_420_37x29", "odd_422_23x17", "odd_gray_13x11", "opt_420_q50"):
    print(name, [written_extent(name, s) for s in range(4)])


def check(name, scale, fill=0xFFFF, label=None, **kw):
    b = decode(name, scale, fill, **kw)
    full = decode(name, scale)
    ref = displayio.Bitmap(b.width, b.height, 65536)
    ref.fill(fill)
    kw.setdefault("x", 0)
    kw.setdefault("y", 0)
    bitmaptools.blit(ref, full, **kw)
    print(name, scale, label or sorted(kw.items()), memoryview(ref) == memoryview(b))


print("crop & move")
check("opt_420_q50", 0, x=8, y=12)
check("opt_420_q50", 0, x1=8, y1=12)
check("opt_420_q50", 0, x2=16, y2=16)
check("opt_420_q50", 0, x=12, y=16, x1=8, y1=12, x2=16, y2=16)
check("opt_420_q50", 1, x=3, y=5, x1=1, y1=2, x2=37, y2=29)
check("odd_420_37x29", 0, x=30, y=20, x1=5, y1=5)
check("s444", 3, x=7, y=5)

print("color key")
full = decode("s444")
key = full[30, 20]
check("s444", 0, fill=0, label="skip_source_index", skip_source_index=key)
# the left half of the destination holds the protected value
w, h = decoder.open(FIX + "s444.jpg")
b = displayio.Bitmap(w, h, 65536)
for i in range(w * h):
    b[i] = 0x5555 if i % w < w // 2 else 0
decoder.decode(b, skip_dest_index=0x5555)
print("skip_dest_index", all(b[i] == (0x5555 if i % w < w // 2 else full[i]) for i in range(w * h)))

print("depth")
for count in (2, 256):
    w, h = decoder.open(FIX + "s422.jpg")
    b = displayio.Bitmap(w, h, count)
    decoder.decode(b)
    full = decode("s422")
    print(count, b.bits_per_value, all(b[i] == full[i] & (count - 1) for i in range(w * h)))

print("reuse")
try:
    decoder.decode(full)
except RuntimeError as e:
    print("RuntimeError:", e)
print(decoder.open(FIX + "s420.jpg"))
b = displayio.Bitmap(16, 12, 65536)
decoder.decode(b, 2)
print(all(b[i] == decode("s420", 2)[i] for i in range(16 * 12)))
