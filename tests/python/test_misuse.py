"""The bindings survive misuse (issue 17): Python code that C code calls back (a file object's
readinto(), a weights sequence, a lookup function) or another thread cannot free what the C code
is using, no view of native memory reaches Python, deep trees cannot exhaust the C stack, and
nothing leaks per call. Each test is a reproducer of a defect found by adversarial testing; under
the sanitizer build (AddressSanitizer with stack-use-after-return) a regression is a crash."""
import gc
import io
import os
import sys
import threading
import tracemalloc

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")  # refreshes happen only when a test asks

import pytest
from PIL import Image

import circuit9.bitmapfilter as bitmapfilter
import circuit9.bitmaptools as bitmaptools
import circuit9.busdisplay as busdisplay
import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.displayio as displayio
import circuit9.fourwire as fourwire
import circuit9.i2cdisplaybus as i2cdisplaybus
import circuit9.vectorio as vectorio

P = cb.pin
INIT = bytes([0x11, 0x80, 10, 0x3A, 0x81, 0x55, 10, 0x29, 0x80, 10])  # SLPOUT, COLMOD 16 bit, DISPON
SSD1306_INIT = bytes([0xAE, 0x00, 0x8D, 0x01, 0x14, 0x20, 0x01, 0x00, 0xAF, 0x00])
W, H = 64, 48


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
    gc.collect()


def st7789(made, **kw):
    panel = cb.Panel("ST7789", glass_width=W, glass_height=H)
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    made += [panel, spi]
    bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"))
    display = busdisplay.BusDisplay(bus, INIT, width=W, height=H, auto_refresh=False, **kw)
    return panel, spi, display


def picture(panel):
    return panel.pixels()


def bmp_bytes(w=40, h=30):
    """A 24-bit Windows BMP made by Pillow (the reference writer), with a gradient in it."""
    img = Image.new("RGB", (w, h))
    img.putdata([((x * 6) & 255, (y * 8) & 255, (x * y) & 255) for y in range(h) for x in range(w)])
    out = io.BytesIO()
    img.save(out, format="BMP")
    return out.getvalue()


class HookedFile(io.BufferedIOBase):
    """A binary file whose readinto() runs `hook` once, at its `at`-th call after arm()."""

    def __init__(self, data, hook=None, at=5, keep=None):
        self.b = io.BytesIO(data)
        self.hook, self.at, self.keep = hook, at, keep
        self.calls, self.armed, self.fired = 0, False, False

    def readable(self):
        return True

    def seek(self, off, whence=0):
        return self.b.seek(off, whence)

    def readinto(self, mv):
        if self.keep is not None:
            self.keep.append(mv)
        if self.armed:
            self.calls += 1
            if self.calls == self.at and self.hook:
                hook, self.hook = self.hook, None
                self.fired = True
                hook()
        return self.b.readinto(mv)


# ---- OnDiskBitmap: the file object only ever gets memory Python owns -------------------------------

def test_file_object_never_gets_a_view_of_native_memory(clean):
    """The header (a stack buffer of the core) and the row cache were handed to readinto() as
    views: a file object that keeps them reads a dead stack frame and writes into freed memory."""
    kept = []
    panel, _, display = st7789(clean)
    odb = displayio.OnDiskBitmap(HookedFile(bmp_bytes(), keep=kept))
    assert (odb.width, odb.height) == (40, 30)
    header_views = len(kept)
    assert header_views >= 2
    root = displayio.Group()
    root.append(displayio.TileGrid(odb, pixel_shader=odb.pixel_shader))
    display.root_group = root
    display.refresh()
    before = picture(panel)
    assert len(kept) > header_views  # rows were read
    for mv in kept:
        assert isinstance(mv.obj, bytearray)  # a buffer of Python's own, not the core's memory
        mv[:] = b"\xAA" * len(mv)  # a stale writer: must not reach the bitmap's row cache
    display.rotation = 0  # same rotation: a full refresh from the (re-read) file
    display.refresh()
    assert picture(panel) == before
    del odb, root
    display.root_group = None
    gc.collect()
    for mv in kept:
        mv[:] = b"\x55" * len(mv)
    fresh = displayio.Bitmap(64, 64, 65536)
    assert all(fresh[i] == 0 for i in range(64 * 64))


def _scene(made, hook_factory, at=5):
    """root: [background TileGrid, sub: [TileGrid(OnDiskBitmap(hooked file))], Polygon, Circle]:
    the shapes are drawn after the rows the file's readinto() gives."""
    panel, spi, display = st7789(made)
    bg_bitmap = displayio.Bitmap(W, H, 4)
    bg_bitmap.fill(1)
    pal = displayio.Palette(4)
    pal[0], pal[1], pal[2], pal[3] = 0x000000, 0x203040, 0xFF0000, 0x00FF00
    root = displayio.Group()
    root.append(displayio.TileGrid(bg_bitmap, pixel_shader=pal))
    sub = displayio.Group(x=4, y=3)
    root.append(sub)
    f = HookedFile(bmp_bytes(), at=at)
    odb = displayio.OnDiskBitmap(f)
    sub.append(displayio.TileGrid(odb, pixel_shader=odb.pixel_shader))
    shape_pal = displayio.Palette(2)
    shape_pal[0], shape_pal[1] = 0x00FFFF, 0xFF00FF
    root.append(vectorio.Polygon(pixel_shader=shape_pal, points=[(0, 0), (30, 4), (8, 40)], x=20, y=2))
    root.append(vectorio.Circle(pixel_shader=displayio.ColorConverter(), radius=9, x=50, y=30, color_index=0xF800))
    del shape_pal
    display.root_group = root
    ctx = {"display": display, "root": root, "sub": sub, "bg": bg_bitmap, "pal": pal, "panel": panel,
           "spi": spi}
    f.hook = hook_factory(ctx)
    f.armed = True
    del odb, bg_bitmap, pal, sub, root  # the tree holds what it needs
    return ctx, f


def _drop_layer(ctx):
    def hook():
        ctx.pop("sub").pop()  # the last reference to the TileGrid, the OnDiskBitmap and its file
        gc.collect()
    return hook


def _drop_root(ctx):
    def hook():
        ctx["display"].root_group = None
        del ctx["root"], ctx["sub"]
        gc.collect()
    return hook


def _release(ctx):
    def hook():
        displayio.release_displays()
        del ctx["root"], ctx["sub"]
        gc.collect()
    return hook


def _nested_refresh(ctx):
    def hook():
        ctx["nested"] = ctx["display"].refresh()
    return hook


def _nested_fill_row(ctx):
    def hook():
        buf = bytearray(W * 2)
        ctx["nested"] = ctx["display"].fill_row(0, buf) is buf
    return hook


def _mutate(ctx):
    def hook():
        sub = ctx["sub"]
        sub[0].hidden = True
        more = displayio.Bitmap(16, 16, 2)
        more.fill(1)
        pal = displayio.Palette(2)
        pal[1] = 0xFFFFFF
        ctx["root"].append(displayio.TileGrid(more, pixel_shader=pal, x=30, y=20))
        for _ in range(100):  # grows the item array under the walk
            ctx["root"].insert(0, displayio.Group())
        sub.x = 20
        gc.collect()
    return hook


def _rotate(ctx):
    def hook():
        ctx["display"].rotation = 90
    return hook


def _deinit_bitmap(ctx):
    def hook():
        try:
            ctx.pop("bg").deinit()
            ctx["outcome"] = "freed"
        except BufferError:
            ctx["outcome"] = "locked"
    return hook


def _swap_source_and_shader(ctx):
    def hook():
        tg = ctx["sub"][0]
        other = displayio.OnDiskBitmap(io.BytesIO(bmp_bytes()))
        tg.bitmap = other  # the old OnDiskBitmap loses its last reference
        tg.pixel_shader = displayio.ColorConverter()
        del other
        gc.collect()
    return hook


def _drop_shapes(ctx):
    """The shapes (and their shaders) lose their last references while the refresh is under way."""
    def hook():
        root = ctx["root"]
        root.pop()
        root.pop()
        gc.collect()
    return hook


def _reshape_shapes(ctx):
    """A polygon's points and both shapes' shaders are replaced: the old ones are freed."""
    def hook():
        root = ctx["root"]
        circle, poly = root[len(root) - 1], root[len(root) - 2]
        poly.points = [(0, 0), (12, 1), (3, 9), (0, 20)]
        new = displayio.Palette(2)
        new[0] = 0xFFFFFF
        poly.pixel_shader = new
        circle.pixel_shader = displayio.Palette(1)
        circle.radius = 3
        gc.collect()
    return hook


def _insert_self_dropping(ctx):
    """A layer that enters the tree during the refresh and drops itself while it is drawn."""
    def hook():
        root = ctx["root"]

        def drop_me():
            root.pop()
            gc.collect()

        f = HookedFile(bmp_bytes(), hook=drop_me, at=3)
        odb = displayio.OnDiskBitmap(f)
        f.armed = True
        root.append(displayio.TileGrid(odb, pixel_shader=odb.pixel_shader, x=10, y=10))
        gc.collect()
    return hook


@pytest.mark.parametrize("hook_factory", [_drop_layer, _drop_root, _release, _nested_refresh, _nested_fill_row,
                                          _mutate, _rotate, _deinit_bitmap, _swap_source_and_shader,
                                          _insert_self_dropping, _drop_shapes, _reshape_shapes])
def test_python_code_inside_a_refresh_cannot_free_what_it_uses(clean, hook_factory):
    ctx, f = _scene(clean, hook_factory)
    display = ctx["display"]
    assert display.refresh() in (True, False)
    assert f.fired
    if hook_factory is _nested_refresh:
        assert ctx["nested"] is False  # the display is being refreshed: the nested call draws nothing
    if hook_factory is _nested_fill_row:
        assert ctx["nested"]
    if hook_factory is _deinit_bitmap:
        assert ctx["outcome"] == "locked"  # in use by the refresh
        ctx["display"].root_group = None
    gc.collect()
    if hook_factory is _release:
        with pytest.raises(ValueError, match="deinitialized"):
            display.refresh()
        return
    if hook_factory is _deinit_bitmap:
        return
    # Nothing changed during the refresh is lost: the next refresh shows the tree as it is now,
    # exactly what a display that never saw the old state shows.
    display.refresh()
    got = picture(ctx["panel"])
    root, rotation = display.root_group, display.rotation
    displayio.release_displays()
    if root is not None:
        root.hidden = False
    display2 = busdisplay.BusDisplay(fourwire.FourWire(ctx["spi"], command=P("GPIO39"), chip_select=P("GPIO7")),
                                     INIT, width=W, height=H, auto_refresh=False)
    display2.rotation = rotation
    display2.root_group = root
    display2.refresh()
    assert picture(ctx["panel"]) == got


def test_reentrant_refresh_from_another_thread_is_skipped(clean):
    """A second thread's refresh() while the first one runs Python code returns False at once."""
    seen = {}

    def factory(ctx):
        def hook():
            t = threading.Thread(target=lambda: seen.setdefault("other", ctx["display"].refresh()))
            t.start()
            t.join()
        return hook

    ctx, f = _scene(clean, factory)
    assert ctx["display"].refresh() is True
    assert seen == {"other": False}


# ---- display buses: deinitialising the SPI/I2C bus under a display ----------------------------------

def test_spi_deinit_under_fourwire_then_refresh(clean):
    panel, spi, display = st7789(clean)
    bitmap = displayio.Bitmap(W, H, 2)
    pal = displayio.Palette(2)
    pal[0], pal[1] = 0x0000FF, 0xFFFFFF
    root = displayio.Group()
    root.append(displayio.TileGrid(bitmap, pixel_shader=pal))
    display.root_group = root
    assert display.refresh() is True
    before = picture(panel)
    spi.deinit()  # allowed, as on a board
    bitmap.fill(1)
    assert display.refresh() is True  # CircuitPython: a bus it cannot lock is skipped, no error
    assert picture(panel) == before  # nothing reached the released bus
    with pytest.raises(ValueError, match="deinitialized"):
        spi.try_lock()


def test_i2c_deinit_under_i2cdisplaybus_then_refresh(clean):
    panel = cb.Panel("SSD1306")
    panel.attach_i2c(P("GPIO41"), P("GPIO42"), address=0x3C)
    i2c = busio.I2C(P("GPIO41"), P("GPIO42"))
    clean += [panel, i2c]
    bus = i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3C)
    display = busdisplay.BusDisplay(bus, SSD1306_INIT, width=128, height=64, color_depth=1, grayscale=True,
                                    pixels_in_byte_share_row=False, set_column_command=0x21,
                                    set_row_command=0x22, data_as_commands=True, single_byte_bounds=True,
                                    auto_refresh=False)
    display.refresh()
    before = picture(panel)
    i2c.deinit()
    root = displayio.Group()
    bitmap = displayio.Bitmap(128, 64, 2)
    bitmap.fill(1)
    pal = displayio.Palette(2)
    pal[1] = 0xFFFFFF
    root.append(displayio.TileGrid(bitmap, pixel_shader=pal))
    display.root_group = root
    assert display.refresh() is True
    assert picture(panel) == before
    displayio.release_displays()
    with pytest.raises(ValueError, match="deinitialized"):
        i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3C)


# ---- deep trees ------------------------------------------------------------------------------------

DEPTH = 300_000


def test_deep_group_chains_build_and_drop_without_recursion(clean):
    # top-down: each new group is appended to the deepest one (was O(n^2): 53 s for 100,000)
    top = displayio.Group()
    cur = top
    for _ in range(DEPTH):
        g = displayio.Group()
        cur.append(g)
        cur = g
    cur.append(displayio.TileGrid(displayio.Bitmap(4, 4, 2), pixel_shader=displayio.Palette(2)))
    # bottom-up: each new group takes the chain so far
    g = displayio.Group()
    for _ in range(DEPTH):
        p = displayio.Group()
        p.append(g)
        g = p
    # removing a 300,000-deep subtree forgets what it drew (recursed once per level before)
    holder = displayio.Group()
    holder.append(g)
    assert holder.pop() is g
    with pytest.raises(ValueError, match="Layer already in a group"):
        cur.append(top)  # a cycle, found from the deepest group
    panel, _, display = st7789(clean)
    display.root_group = top
    display.refresh()
    display.root_group = g
    display.refresh()
    display.root_group = None  # c9__forget_drawn over 300,000 levels: a stack overflow before
    del top, cur, g, p
    gc.collect()


def test_only_64_levels_are_drawn(clean):
    panel, _, display = st7789(clean)
    bitmap = displayio.Bitmap(8, 8, 2)
    bitmap.fill(1)
    pal = displayio.Palette(2)
    pal[1] = 0xFFFFFF

    def chain(levels, x):
        root = displayio.Group()
        cur = root
        for _ in range(levels):
            g = displayio.Group()
            cur.append(g)
            cur = g
        cur.append(displayio.TileGrid(bitmap, pixel_shader=pal, x=x))
        return root

    root = displayio.Group()
    root.append(chain(63, 0))   # its group is 64 levels below the root: drawn
    root.append(chain(64, 20))  # 65 levels: beyond C9_DISPLAY_MAX_DEPTH, not drawn
    display.root_group = root
    display.refresh()
    px = picture(panel)

    def at(x, y):
        return px[(y * W + x) * 3:(y * W + x) * 3 + 3]

    empty = at(40, 30)
    assert at(2, 2) != empty
    assert at(22, 2) == empty


# ---- bitmapfilter: the filtered bitmaps are locked while the GIL is released --------------------------

def _bitmap(w=160, h=120):
    b = displayio.Bitmap(w, h, 65536)
    b.fill(0x1234)
    return b


FILTERS = {
    "morph": lambda b, m: bitmapfilter.morph(b, [1] * 9, mask=m),
    "mix": lambda b, m: bitmapfilter.mix(b, bitmapfilter.ChannelScale(0.5, 0.5, 0.5), mask=m),
    "solarize": lambda b, m: bitmapfilter.solarize(b, mask=m),
    "lookup": lambda b, m: bitmapfilter.lookup(b, lambda v: 1 - v, mask=m),
    "false_color": lambda b, m: bitmapfilter.false_color(b, displayio.Palette(256), mask=m),
    "blend": lambda b, m: bitmapfilter.blend(b, b, _bitmap(b.width, b.height), lambda a, c: a, mask=m),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter_bitmaps_are_locked_while_the_gil_is_released(name):
    """Another thread's deinit() during a filter is refused (BufferError) instead of freeing the
    pixels under it. Whichever way the threads interleave, deinit() either fails or comes after the
    filter returned; a deinit() that succeeds while the filter runs is the defect."""
    bm, mask = _bitmap(1000, 600), displayio.Bitmap(1000, 600, 2)
    mask.fill(1)
    state = {"filter_done": False}
    go = threading.Event()

    def killer():
        go.wait()
        for target in (bm, mask):
            try:
                done_before = state["filter_done"]
                target.deinit()
                state.setdefault("freed_while_running", not done_before)
            except BufferError:
                state["refused"] = True

    old = sys.getswitchinterval()
    sys.setswitchinterval(100)  # the killer runs when the filter lets go of the GIL
    try:
        t = threading.Thread(target=killer)
        t.start()
        go.set()
        try:
            FILTERS[name](bm, mask)
        except ValueError as e:  # the killer got there before the filter locked the bitmaps
            assert "deinitialized" in str(e)
        state["filter_done"] = True
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert not state.get("freed_while_running")


class DeinitOnRead:
    """A sequence whose items deinit a bitmap when read: Python code run by argument conversion."""

    def __init__(self, victim, n=9):
        self.victim, self.n = victim, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        self.victim.deinit()
        return 1


def test_filters_check_the_bitmap_after_running_python_code():
    b = _bitmap()
    with pytest.raises(ValueError, match="deinitialized"):
        bitmapfilter.morph(b, DeinitOnRead(b))
    b = _bitmap()
    with pytest.raises(ValueError, match="deinitialized"):
        bitmapfilter.lookup(b, lambda v: (b.deinit(), v)[1])
    b, mask = _bitmap(), displayio.Bitmap(160, 120, 2)
    with pytest.raises(ValueError, match="deinitialized"):
        bitmapfilter.morph(b, DeinitOnRead(mask), mask=mask)
    src = _bitmap()
    with pytest.raises(ValueError, match="deinitialized"):
        bitmapfilter.blend(_bitmap(), src, _bitmap(), lambda a, c: (src.deinit(), a)[1])


# ---- bitmaptools.readinto ----------------------------------------------------------------------------

def test_readinto_from_a_stream_does_not_leak():
    """Two Python ints leaked per row (a slice made of new ints, never released)."""
    b = displayio.Bitmap(1000, 100, 65536)
    data = bytes(1000 * 100 * 2)
    bitmaptools.readinto(b, io.BytesIO(data), 16)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(200):  # 20,000 rows
            bitmaptools.readinto(b, io.BytesIO(data), 16)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown  # the leak was 20,000 ints (640 KB)


class KeepingStream(io.RawIOBase):
    def __init__(self, data, on_read=None):
        self.b, self.kept, self.on_read = io.BytesIO(data), [], on_read

    def readable(self):
        return True

    def readinto(self, mv):
        self.kept.append(mv)
        if self.on_read:
            self.on_read()
        return self.b.readinto(mv)


def test_readinto_stream_gets_its_own_buffer_and_cannot_free_the_bitmap():
    b = displayio.Bitmap(8, 4, 256)
    s = KeepingStream(bytes(range(32)))
    bitmaptools.readinto(b, s, 8)
    assert [b[i] for i in range(32)] == list(range(32))
    for mv in s.kept:
        assert isinstance(mv.obj, bytearray)
        mv[:] = b"\xff" * len(mv)
    assert [b[i] for i in range(32)] == list(range(32))
    victim = displayio.Bitmap(8, 4, 256)

    def deinit_dest():
        victim.deinit()

    with pytest.raises(BufferError):  # the bitmap is in use while the stream's code runs
        bitmaptools.readinto(victim, KeepingStream(bytes(32), deinit_dest), 8)
    victim.deinit()  # and free again afterwards


# ---- circuit9-jpeg ---------------------------------------------------------------------------------

def _huge_jpeg(path):
    """A JPEG whose header declares 65535 x 65535 and whose data stops after the scan header:
    Pillow's 16 x 16 picture with the frame's size bytes patched."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, format="JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = b"\xff\xff\xff\xff"  # height, width
    sos = data.index(b"\xff\xda")
    path.write_bytes(bytes(data[:sos + 40]))


@pytest.mark.parametrize("out_name", ["out.bmp", "out.ppm", "out.png"])
def test_circuit9_jpeg_with_a_huge_header_fails_cleanly(circuit9_exe, tmp_path, out_name):
    import resource
    import subprocess

    src = tmp_path / "huge.jpg"
    _huge_jpeg(src)
    tool = os.path.join(os.path.dirname(circuit9_exe), "circuit9-jpeg")
    env = dict(os.environ)
    sanitized = "asan" in env.get("LD_PRELOAD", "")
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":allocator_may_return_null=1"

    def small_address_space():  # the 8 GB image cannot be allocated (AddressSanitizer needs its own)
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    r = subprocess.run([tool, str(src), str(tmp_path / out_name)], env=env, capture_output=True, text=True,
                       preexec_fn=small_address_space, timeout=600)
    assert r.returncode == 1, r.stderr  # a crash (rc 139 before) is a negative return code
    assert r.stderr.startswith(str(src) + ": "), r.stderr
    if out_name == "out.bmp":
        assert "too large for a BMP file" in r.stderr
    elif not sanitized:
        assert "not enough memory for a 65535x65535 image" in r.stderr
