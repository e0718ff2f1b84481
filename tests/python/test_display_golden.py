"""displayio through the whole path: Python objects -> refresh -> bus bytes -> panel model -> PNG.

Expected pictures are drawn with Pillow (paste, transpose, resize, rotate), independently of the
compositor, then quantised the way the panel stores them (RGB565 expanded by bit replication on
the DCS models, 1 bit by luma on the SSD1306).
"""
import io
import os
import struct

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")  # refreshes happen only when a test asks

import pytest
from PIL import Image

import circuit9.busdisplay as busdisplay
import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.displayio as displayio
import circuit9.fourwire as fourwire
import circuit9.i2cdisplaybus as i2cdisplaybus
import circuit9.paralleldisplaybus as paralleldisplaybus
import circuit9.terminalio as terminalio

P = cb.pin

# Init sequences written from the datasheets (ST7789V 9.1, ILI9341 8.2, SSD1306 10.1):
# cmd, n | 0x80 with delay, params, delay ms (255 = 500 ms).
ST7789_INIT = bytes([
    0x01, 0x80, 150,        # SWRESET, 150 ms
    0x11, 0x80, 255,        # SLPOUT, 500 ms
    0x3A, 0x81, 0x55, 10,   # COLMOD 16 bits/pixel
    0x36, 0x01, 0x00,       # MADCTL: top-left origin, RGB
    0x21, 0x80, 10,         # INVON: IPS glass shows true colours inverted
    0x13, 0x80, 10,         # NORON
    0x29, 0x80, 255,        # DISPON
])
ILI9341_INIT = bytes([
    0x01, 0x80, 5,          # SWRESET
    0xCF, 0x03, 0x00, 0xC1, 0x30,   # power control B (no picture effect)
    0xC0, 0x01, 0x23,       # power control 1
    0x36, 0x01, 0x08,       # MADCTL: BGR subpixels
    0x3A, 0x01, 0x55,       # COLMOD 16 bits
    0x11, 0x80, 120,        # SLPOUT
    0x29, 0x80, 20,         # DISPON
])
SSD1306_INIT = bytes([
    0xAE, 0x00,             # display off
    0xD5, 0x01, 0x80,       # clock divide
    0xA8, 0x01, 0x3F,       # multiplex 64
    0xD3, 0x01, 0x00,       # display offset 0
    0x40, 0x00,             # start line 0
    0x8D, 0x01, 0x14,       # charge pump on
    0x20, 0x01, 0x00,       # horizontal addressing
    0xA1, 0x00,             # segment remap
    0xC8, 0x00,             # COM scan decrement
    0xDA, 0x01, 0x12,       # COM pins: alternative (64 rows)
    0x81, 0x01, 0xCF,       # contrast
    0xD9, 0x01, 0xF1,       # precharge
    0xDB, 0x01, 0x40,       # VCOMH
    0xA4, 0x00,             # resume RAM content
    0xA6, 0x00,             # normal (not inverted)
    0xAF, 0x00,             # display on
])


@pytest.fixture(autouse=True)
def clean():
    displayio.release_displays()
    made = []
    yield made
    displayio.release_displays()
    for obj in made:
        for name in ("detach", "deinit"):
            if hasattr(obj, name):
                getattr(obj, name)()


def q565(img):
    """What a 16-bit DCS panel shows for an RGB888 picture."""
    out = img.convert("RGB").copy()
    px = out.load()
    for y in range(out.height):
        for x in range(out.width):
            r, g, b = px[x, y]
            r5, g6, b5 = r >> 3, g >> 2, b >> 3
            px[x, y] = ((r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2))
    return out


def luma1(img):
    """What a 1-bit grayscale display shows: CircuitPython's luma, top bit."""
    out = img.convert("RGB").copy()
    px = out.load()
    for y in range(out.height):
        for x in range(out.width):
            r, g, b = px[x, y]
            v = 255 if ((r * 19 + g * 182 + b * 54) // 255) >> 7 else 0
            px[x, y] = (v, v, v)
    return out


def panel_image(panel):
    return Image.frombytes("RGB", (panel.width, panel.height), panel.pixels())


def assert_same(got, want):
    assert got.size == want.size
    if got.tobytes() != want.tobytes():
        diff = [(x, y, got.getpixel((x, y)), want.getpixel((x, y)))
                for y in range(got.height) for x in range(got.width)
                if got.getpixel((x, y)) != want.getpixel((x, y))]
        raise AssertionError(f"{len(diff)} pixels differ, first: {diff[:4]}")


def st7789(made, width=240, height=320, rotation=0, init=ST7789_INIT, **kw):
    panel = cb.Panel("ST7789")
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"),
                     reset=P("GPIO40"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    made += [panel, spi]
    bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"), reset=P("GPIO40"))
    display = busdisplay.BusDisplay(bus, init, width=width, height=height, rotation=rotation, auto_refresh=False,
                                    **kw)
    return panel, display


# ---- a scene and its Pillow reference ---------------------------------------------------------

PALETTE = [0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
           0x804020, 0x2080C0, 0x40C080, 0xC04080, 0x808080, 0x203040, 0xF0A000, 0x10F0A0]


def pattern(w, h):
    return [[(x * 3 + y * 5 + (x * y) // 7) % 16 for x in range(w)] for y in range(h)]


def make_bitmap(values, count=16):
    h, w = len(values), len(values[0])
    b = displayio.Bitmap(w, h, count)
    for y in range(h):
        for x in range(w):
            b[x, y] = values[y][x]
    return b


def make_palette(transparent=()):
    p = displayio.Palette(len(PALETTE))
    for i, c in enumerate(PALETTE):
        p[i] = c
    for i in transparent:
        p.make_transparent(i)
    return p


def pil_from_values(values, transparent=()):
    h, w = len(values), len(values[0])
    img = Image.new("RGBA", (w, h))
    for y in range(h):
        for x in range(w):
            v = values[y][x]
            c = PALETTE[v]
            img.putpixel((x, y), ((c >> 16) & 255, (c >> 8) & 255, c & 255, 0 if v in transparent else 255))
    return img


def build_scene(width, height):
    """Background bitmap, a flipped/transposed sprite with transparency in a scaled group, text."""
    root = displayio.Group()
    bg_vals = pattern(width, height)
    root.append(displayio.TileGrid(make_bitmap(bg_vals), pixel_shader=make_palette()))
    sprite_vals = [[(x + 2 * y) % 16 for x in range(12)] for y in range(8)]
    sprite = displayio.TileGrid(make_bitmap(sprite_vals), pixel_shader=make_palette(transparent=(0, 5)), x=3, y=2)
    sprite.flip_x = True
    sprite.transpose_xy = True
    inner = displayio.Group(scale=3, x=20, y=15)
    inner.append(sprite)
    root.append(inner)
    font = terminalio.FONT
    text = displayio.TileGrid(font.bitmap, pixel_shader=make_palette(transparent=(0,)), width=5, height=1,
                              tile_width=6, tile_height=12, x=4, y=height - 14)
    for i, ch in enumerate("Hi 9!"):
        text[i] = font.get_glyph(ord(ch)).tile_index
    root.append(text)

    # Pillow reference
    ref = pil_from_values(bg_vals).convert("RGB")
    sp = pil_from_values(sprite_vals, transparent=(0, 5))
    sp = sp.transpose(Image.Transpose.TRANSPOSE)       # transpose first...
    sp = sp.transpose(Image.Transpose.FLIP_TOP_BOTTOM)  # ...then flip_x acts on the content's x (now rows)
    sp = sp.resize((sp.width * 3, sp.height * 3), Image.Resampling.NEAREST)
    ref.paste(sp, (20 + 3 * 3, 15 + 2 * 3), sp)
    glyphs = Image.new("RGBA", (30, 12))
    fb = font.bitmap
    for i, ch in enumerate("Hi 9!"):
        t = font.get_glyph(ord(ch)).tile_index
        for y in range(12):
            for x in range(6):
                if fb[t * 6 + x, y]:
                    c = PALETTE[1]
                    glyphs.putpixel((i * 6 + x, y), ((c >> 16) & 255, (c >> 8) & 255, c & 255, 255))
    ref.paste(glyphs, (4, height - 14), glyphs)
    return root, ref


def test_sprite_reference_is_what_circuitpython_does():
    # flip_x on a transposed grid mirrors the content's x, which runs down the screen.
    b = make_bitmap([[1, 2]])
    tg = displayio.TileGrid(b, pixel_shader=make_palette())
    tg.transpose_xy = True
    assert (tg.width, tg.height, tg.tile_width, tg.tile_height) == (1, 1, 2, 1)
    assert tg.contains((0, 1, 0)) and not tg.contains((1, 0, 0))


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_st7789_every_rotation(clean, rotation, tmp_path):
    w, h = (120, 80) if rotation % 180 == 0 else (80, 120)
    panel, display = st7789(clean, width=w, height=h, rotation=rotation)
    assert (display.width, display.height, display.rotation) == (w, h, rotation)
    root, ref = build_scene(w, h)
    display.root_group = root
    assert display.refresh() is True
    want = q565(ref.rotate(-rotation, expand=True))
    got = panel_image(panel).crop((0, 0, want.width, want.height))
    assert_same(got, want)
    path = tmp_path / "shot.png"
    panel.save_png(str(path))
    assert_same(Image.open(path).convert("RGB").crop((0, 0, want.width, want.height)), want)


def test_madctl_mirror_with_display_rotation_180(clean):
    # MY|MX turns the frame memory upside down on the glass; rotation=180 turns it back.
    init = ST7789_INIT.replace(bytes([0x36, 0x01, 0x00]), bytes([0x36, 0x01, 0xC0]))
    panel, display = st7789(clean, width=240, height=320, rotation=180, init=init)
    root, ref = build_scene(240, 320)
    display.root_group = root
    display.refresh()
    assert_same(panel_image(panel), q565(ref))


def test_wrong_init_shows_wrong_picture(clean):
    # Without INVON an IPS ST7789 shows inverted colours, as on hardware.
    init = ST7789_INIT.replace(bytes([0x21, 0x80, 10]), bytes([0x20, 0x80, 10]))
    panel, display = st7789(clean, width=240, height=320, init=init)
    root, ref = build_scene(240, 320)
    display.root_group = root
    display.refresh()
    got = panel_image(panel)
    want = q565(ref)
    assert got.tobytes() != want.tobytes()
    inverted = Image.eval(want, lambda v: 255 - v)
    assert_same(got, inverted)


def test_colstart_rowstart_window(clean):
    # A 135x240 glass at (52, 40) in the 240x320 frame memory, landscape as the Feather TFT.
    panel = cb.Panel("ST7789", glass_width=135, glass_height=240, glass_x=52, glass_y=40)
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    clean += [panel, spi]
    bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"))
    display = busdisplay.BusDisplay(bus, ST7789_INIT, width=240, height=135, rowstart=40, colstart=52, rotation=270,
                                    auto_refresh=False)
    root, ref = build_scene(240, 135)
    display.root_group = root
    display.refresh()
    assert_same(panel_image(panel), q565(ref.rotate(-270, expand=True)))


def test_ili9341_parallel_bus_and_bgr(clean):
    panel = cb.Panel("ILI9341")
    panel.attach_parallel(data0=P("GPIO8"), chip_select=P("GPIO2"), command=P("GPIO3"), write=P("GPIO4"),
                          reset=P("GPIO5"))
    clean.append(panel)
    bus = paralleldisplaybus.ParallelBus(data0=P("GPIO8"), command=P("GPIO3"), chip_select=P("GPIO2"),
                                         write=P("GPIO4"), reset=P("GPIO5"))
    display = busdisplay.BusDisplay(bus, ILI9341_INIT, width=240, height=320, auto_refresh=False)
    root, ref = build_scene(240, 320)
    display.root_group = root
    cb.reset_bus_stats(bus)
    display.refresh()
    assert_same(panel_image(panel), q565(ref))
    stats = cb.bus_stats(bus)
    assert stats["frequency"] == 30_000_000
    assert stats["bytes"] >= 240 * 320 * 2
    assert stats["cycles"] == stats["bytes"]  # 8 data lines: one strobe a byte
    assert stats["seconds"] == pytest.approx(stats["cycles"] / 30e6)


def test_ili9341_without_bgr_swaps_red_and_blue(clean):
    panel = cb.Panel("ILI9341")
    panel.attach_parallel(data0=P("GPIO8"), chip_select=P("GPIO2"), command=P("GPIO3"), write=P("GPIO4"))
    clean.append(panel)
    bus = paralleldisplaybus.ParallelBus(data0=P("GPIO8"), command=P("GPIO3"), chip_select=P("GPIO2"),
                                         write=P("GPIO4"))
    init = ILI9341_INIT.replace(bytes([0x36, 0x01, 0x08]), bytes([0x36, 0x01, 0x00]))
    display = busdisplay.BusDisplay(bus, init, width=240, height=320, auto_refresh=False)
    g = displayio.Group()
    b = displayio.Bitmap(240, 320, 2)
    p = displayio.Palette(2)
    p[0] = 0xFF0000
    g.append(displayio.TileGrid(b, pixel_shader=p))
    display.root_group = g
    display.refresh()
    assert panel_image(panel).getpixel((10, 10)) == (0, 0, 255)


def test_ssd1306_i2c(clean):
    panel = cb.Panel("SSD1306")
    panel.attach_i2c(P("GPIO41"), P("GPIO42"), address=0x3C)
    i2c = busio.I2C(P("GPIO41"), P("GPIO42"), frequency=400_000)
    clean += [panel, i2c]
    assert i2c.try_lock()
    assert i2c.scan() == [0x3C]
    i2c.unlock()
    bus = i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3C)
    display = busdisplay.BusDisplay(bus, SSD1306_INIT, width=128, height=64, color_depth=1, grayscale=True,
                                    pixels_in_byte_share_row=False, set_column_command=0x21, set_row_command=0x22,
                                    data_as_commands=True, brightness_command=0x81, single_byte_bounds=True,
                                    auto_refresh=False)
    root, ref = build_scene(128, 64)
    display.root_group = root
    cb.reset_bus_stats(bus)
    display.refresh()
    assert_same(panel_image(panel), luma1(ref))
    stats = cb.bus_stats(bus)
    # 1024 bytes of pixels plus control bytes, windows and addresses: 9 clocks a byte.
    assert stats["bytes"] > 1024
    assert stats["seconds"] == pytest.approx(stats["cycles"] / 400e3)
    display.brightness = 0.5
    assert display.brightness == 0.5


def test_partial_update_sends_only_changed_pixels(clean):
    panel, display = st7789(clean, width=240, height=320)
    root, ref = build_scene(240, 320)
    dot_a = displayio.TileGrid(make_bitmap([[7] * 4] * 4), pixel_shader=make_palette(), x=0, y=0)
    dot_b = displayio.TileGrid(make_bitmap([[7] * 4] * 4), pixel_shader=make_palette(), x=236, y=316)
    root.append(dot_a)
    root.append(dot_b)
    display.root_group = root
    display.refresh()
    bus = display.bus
    cb.reset_bus_stats(bus)
    dot_a.x = 1
    dot_b.y = 315
    display.refresh()
    s = cb.display_stats(display)
    union = 5 * 4 + 4 * 5
    assert s["union_pixels"] == union
    assert s["last_pixel_bytes"] <= union * 2 * 1.05
    wire = cb.bus_stats(bus)["bytes"]
    assert wire < 3 * union * 2  # pixels plus a few window commands, not a frame
    ref2 = ref.copy()
    ref2.paste((255, 255, 255), (1, 0, 5, 4))
    ref2.paste((255, 255, 255), (236, 315, 240, 319))
    assert_same(panel_image(panel), q565(ref2))


def test_nine_bit_spi(clean):
    # command=None: a D/C bit precedes every byte on a 3-wire bus; the panel decodes 9-bit words.
    panel = cb.Panel("ST7789")
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    clean += [panel, spi]
    bus = fourwire.FourWire(spi, chip_select=P("GPIO7"))
    display = busdisplay.BusDisplay(bus, ST7789_INIT, width=64, height=48, auto_refresh=False)
    root, ref = build_scene(64, 48)
    display.root_group = root
    display.refresh()
    assert_same(panel_image(panel).crop((0, 0, 64, 48)), q565(ref))


def write_bmp(path, w, h, bpp, rows, palette=None, masks=None, top_down=False):
    stride = (w * bpp + 31) // 32 * 4
    pal = b"".join(bytes([c & 255, (c >> 8) & 255, (c >> 16) & 255, 0]) for c in (palette or []))
    extra = b"".join(struct.pack("<I", m) for m in masks) if masks else b""
    off = 14 + 40 + len(extra) + len(pal)
    data = b""
    order = range(h) if top_down else range(h - 1, -1, -1)
    for y in order:
        row = rows[y]
        if bpp < 8:
            bits = 0
            out = bytearray()
            for x, v in enumerate(row):
                bits = (bits << bpp) | v
                if (x + 1) * bpp % 8 == 0:
                    out.append(bits)
                    bits = 0
            if len(row) * bpp % 8:
                out.append(bits << (8 - len(row) * bpp % 8))
        elif bpp == 8:
            out = bytes(row)
        elif bpp == 16:
            out = b"".join(struct.pack("<H", v) for v in row)
        elif bpp == 24:
            out = b"".join(bytes([v & 255, (v >> 8) & 255, v >> 16]) for v in row)
        else:
            out = b"".join(struct.pack("<I", v) for v in row)
        data += bytes(out) + b"\0" * (stride - len(out))
    hdr = struct.pack("<2sIHHI", b"BM", off + len(data), 0, 0, off)
    dib = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bpp, 3 if masks else 0, len(data), 2835, 2835,
                      len(palette or []), 0)
    path.write_bytes(hdr + dib + extra + pal + data)


@pytest.mark.parametrize("bpp", [1, 4, 8, 16, 24, 32])
def test_ondiskbitmap_every_depth(clean, tmp_path, bpp):
    w, h = 21, 13
    vals = pattern(w, h)
    if bpp <= 8:
        n = 1 << bpp
        rows = [[v % n for v in r] for r in vals]
        pal = [PALETTE[i % 16] for i in range(n)]
        want = Image.new("RGB", (w, h))
        for y in range(h):
            for x in range(w):
                c = pal[rows[y][x]]
                want.putpixel((x, y), ((c >> 16) & 255, (c >> 8) & 255, c & 255))
        write_bmp(tmp_path / "a.bmp", w, h, bpp, rows, palette=pal)
    else:
        colors = [[PALETTE[v] for v in r] for r in vals]
        want = Image.new("RGB", (w, h))
        for y in range(h):
            for x in range(w):
                c = colors[y][x]
                want.putpixel((x, y), ((c >> 16) & 255, (c >> 8) & 255, c & 255))
        if bpp == 16:
            rows = [[((c >> 19) << 11) | (((c >> 10) & 63) << 5) | ((c & 255) >> 3) for c in r] for r in colors]
            write_bmp(tmp_path / "a.bmp", w, h, 16, rows, masks=(0xF800, 0x07E0, 0x001F), top_down=True)
        else:
            write_bmp(tmp_path / "a.bmp", w, h, bpp, colors)
    odb = displayio.OnDiskBitmap(str(tmp_path / "a.bmp"))
    assert (odb.width, odb.height) == (w, h)
    panel, display = st7789(clean, width=64, height=48)
    g = displayio.Group()
    g.append(displayio.TileGrid(odb, pixel_shader=odb.pixel_shader, x=5, y=7))
    display.root_group = g
    display.refresh()
    ref = Image.new("RGB", (64, 48))
    ref.paste(want, (5, 7))
    assert_same(panel_image(panel).crop((0, 0, 64, 48)), q565(ref))


def test_ondiskbitmap_errors(tmp_path):
    p = tmp_path / "bad.bmp"
    p.write_bytes(b"BM" + b"\0" * 12 + struct.pack("<I", 64) + b"\0" * 60)
    with pytest.raises(ValueError, match="Only Windows format, uncompressed BMP supported: given header size is 64"):
        displayio.OnDiskBitmap(str(p))
    write_bmp(p, 4, 4, 8, [[0] * 4] * 4, palette=[0])
    raw = bytearray(p.read_bytes())
    raw[30] = 1  # BI_RLE8
    p.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="RLE-compressed BMP not supported"):
        displayio.OnDiskBitmap(str(p))
    with pytest.raises(TypeError, match="file must be a file opened in byte mode"):
        displayio.OnDiskBitmap(io.StringIO("BM"))


def test_font_matches_pillow_pcf_reader():
    from PIL import PcfFontFile
    import gzip
    # Pillow's reader maps 256 codes: the Latin-1 build of the same face has the same glyphs.
    with gzip.open("/usr/share/fonts/X11/misc/ter-u12n_iso-8859-1.pcf.gz") as f:
        pcf = PcfFontFile.PcfFontFile(io.BytesIO(f.read()), charset_encoding="iso8859-1")
    font = terminalio.FONT
    assert font.get_bounding_box() == (6, 12)
    assert font.get_glyph(0x10FFFF) is None
    for ch in "Ag9~é":
        glyph = font.get_glyph(ord(ch))
        assert (glyph.width, glyph.height, glyph.shift_x) == (6, 12, 6)
        (dx, dy), (x0, y0, x1, y1), (bx0, by0, bx1, by1), im = pcf.glyph[ord(ch)]
        ours = {(x, y) for y in range(12) for x in range(6) if font.bitmap[glyph.tile_index * 6 + x, y]}
        # Pillow gives the glyph box relative to the baseline (ascent 10 for this face).
        theirs = {(x0 + x, 10 + y0 + y) for y in range(im.size[1]) for x in range(im.size[0])
                  if im.getpixel((x, y))}
        assert ours == theirs, ch
