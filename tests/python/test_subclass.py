"""Native classes subclassed the way CircuitPython libraries do it, with MicroPython's rules.

A subclass has its own signature and passes a subset to super().__init__(); the native part is
built there (arguments are checked then, not when the instance is created). When __init__ never
calls it, the native part is built after __init__ returns with the arguments the class was called
with (py/objtype.c, mp_obj_instance_make_new). Until it is built, methods raise CircuitPython's
NotImplementedError("Call super().__init__() before accessing native object."). A second
__init__ is refused and changes nothing. Subclass instances keep attributes, pass isinstance and
are accepted wherever the base class is.
"""
import gc
import io
import os

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")

import pytest
from PIL import Image

import circuit9.bitmapfilter as bitmapfilter
import circuit9.bitmaptools as bitmaptools
import circuit9.busdisplay as busdisplay
import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.digitalio as digitalio
import circuit9.displayio as displayio
import circuit9.fontio as fontio
import circuit9.fourwire as fourwire
import circuit9.i2cdisplaybus as i2cdisplaybus
import circuit9.jpegio as jpegio
import circuit9.microcontroller as microcontroller
import circuit9.paralleldisplaybus as paralleldisplaybus
import circuit9.storage as storage
import circuit9.supervisor as supervisor
import circuit9.terminalio as terminalio

P = cb.pin
NOT_BUILT = "Call super().__init__() before accessing native object."
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
# SWRESET, SLPOUT, COLMOD 16 bits, MADCTL 0, INVON (IPS glass), DISPON: enough for the ST7789 panel model
ST7789_INIT = bytes([0x01, 0x80, 150, 0x11, 0x80, 255, 0x3A, 0x81, 0x55, 10, 0x36, 0x01, 0x00, 0x21, 0x80, 10,
                     0x29, 0x80, 255])


@pytest.fixture(autouse=True)
def made():
    displayio.release_displays()
    objs = []
    yield objs
    gc.collect()
    displayio.release_displays()
    for obj in objs:
        for name in ("detach", "deinit"):
            if hasattr(obj, name):
                try:
                    getattr(obj, name)()
                except NotImplementedError:
                    pass  # never built: nothing to release


def error(fn, *args, **kw):
    with pytest.raises(Exception) as e:
        fn(*args, **kw)
    return type(e.value).__name__, str(e.value)


def bmp_file(tmp_path, w=4, h=3):
    img = Image.new("P", (w, h))
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))
    img.putpixel((1, 1), 1)
    path = tmp_path / "img.bmp"
    img.save(path, "BMP")
    return str(path)


# ---- one native construction per class: (arguments, check of the built object) ----------------

# The OLED the I2CDisplayBus cases talk to (CircuitPython's I2CDisplayBus probes its address).
OLED = cb.Panel("SSD1306")
OLED.attach_i2c(P("GPIO41"), P("GPIO42"), address=0x3C)


class RamDisk:
    """A block device with CircuitPython's protocol, in memory."""

    def __init__(self, blocks):
        self.data = bytearray(blocks * 512)

    def readblocks(self, block, buf):
        buf[:] = self.data[block * 512:block * 512 + len(buf)]

    def writeblocks(self, block, buf):
        self.data[block * 512:block * 512 + len(buf)] = buf

    def ioctl(self, op, arg):
        return len(self.data) // 512 if op == 4 else None


def formatted_disk():
    disk = RamDisk(128)
    storage.VfsFat.mkfs(disk)
    return disk


def reaches_oled(bus):
    """The send reaches the display at the address."""
    bus.send(0xAF, b"")
    return OLED.state["last_command"] == 0xAF


def release(made, obj):
    """Gives back what a built object holds (its pins, its display slot) before building another."""
    displayio.release_displays()
    for name in ("detach", "deinit"):
        if hasattr(obj, name):
            getattr(obj, name)()
    for other in made:
        if hasattr(other, "deinit"):
            other.deinit()


def cases(tmp_path, made):
    """For every constructible class: a factory of (args, kwargs) for its constructor, a check that
    the native part works, and what a call with those arguments needs released afterwards."""
    font = terminalio.FONT
    w, h = font.get_bounding_box()
    pal = displayio.Palette(2)

    def spi():
        s = busio.SPI(P("GPIO12"), MOSI=P("GPIO11"))
        made.append(s)
        return s

    def i2c():
        s = busio.I2C(P("GPIO41"), P("GPIO42"))
        made.append(s)
        return s

    def grid():
        return displayio.TileGrid(font.bitmap, pixel_shader=pal, width=8, height=2, tile_width=w, tile_height=h)

    def fourwire_bus():
        return fourwire.FourWire(spi(), command=P("GPIO10"), chip_select=P("GPIO9"))

    return {
        displayio.Bitmap: (lambda: ((5, 3, 4), {}), lambda o: (o.width, o.height, o.bits_per_value) == (5, 3, 2)),
        displayio.Palette: (lambda: ((3,), {"dither": True}), lambda o: len(o) == 3 and o.dither),
        displayio.ColorConverter: (lambda: ((), {"dither": True}), lambda o: o.convert(0xFFFFFF) == 0xFFFF),
        displayio.Group: (lambda: ((), {"scale": 2, "x": 3}), lambda o: (o.scale, o.x, len(o)) == (2, 3, 0)),
        displayio.TileGrid: (lambda: ((displayio.Bitmap(6, 4, 2),), {"pixel_shader": pal, "x": 1}),
                             lambda o: (o.x, o.width, o.tile_width) == (1, 1, 6)),
        displayio.OnDiskBitmap: (lambda: ((bmp_file(tmp_path),), {}),
                                 lambda o: (o.width, o.height, o.pixel_shader[1]) == (4, 3, 0xFF0000)),
        busio.SPI: (lambda: ((P("GPIO12"),), {"MOSI": P("GPIO11")}), lambda o: o.try_lock() and o.unlock() is None),
        busio.I2C: (lambda: ((P("GPIO41"), P("GPIO42")), {"frequency": 400000}), lambda o: o.try_lock() and o.scan() == [0x3C]),  # scan() needs the lock, as on a board
        digitalio.DigitalInOut: (lambda: ((P("GPIO5"),), {}),
                                 lambda o: o.switch_to_output(value=True) is None and o.value),
        fourwire.FourWire: (lambda: ((spi(),), {"command": P("GPIO10"), "chip_select": P("GPIO9")}),
                            lambda o: o.send(0x29, b"") is None),
        i2cdisplaybus.I2CDisplayBus: (lambda: ((i2c(),), {"device_address": 0x3C}), reaches_oled),
        paralleldisplaybus.ParallelBus: (
            lambda: ((), {"data0": P("GPIO8"), "command": P("GPIO3"), "chip_select": P("GPIO2"),
                          "write": P("GPIO4")}),
            lambda o: o.send(0x29, b"") is None),
        busdisplay.BusDisplay: (lambda: ((fourwire_bus(), ST7789_INIT), {"width": 32, "height": 16,
                                                                          "auto_refresh": False}),
                                lambda o: (o.width, o.height, o.auto_refresh) == (32, 16, False)),
        jpegio.JpegDecoder: (lambda: ((), {}),
                             lambda o: o.open(os.path.join(FIXTURES, "jpeg", "s420.jpg")) == (64, 48)),
        terminalio.Terminal: (lambda: ((grid(), font), {}), lambda o: o.write(b"ok") == 2),
        storage.VfsFat: (lambda: ((formatted_disk(),), {}), lambda o: o.label == "" and list(o.ilistdir("/")) == []),
        cb.Panel: (lambda: (("ST7789",), {"glass_width": 40, "glass_height": 30}),
                   lambda o: (o.width, o.height) == (40, 30)),
    }


CLASSES = ["Bitmap", "Palette", "ColorConverter", "Group", "TileGrid", "OnDiskBitmap", "SPI", "I2C",
           "DigitalInOut", "FourWire", "I2CDisplayBus", "ParallelBus", "BusDisplay", "JpegDecoder", "Terminal",
           "VfsFat", "Panel"]


def case(name, tmp_path, made):
    for cls, spec in cases(tmp_path, made).items():
        if cls.__name__ == name:
            return cls, spec[0], spec[1]
    raise KeyError(name)


def keep(made, obj):
    made.append(obj)
    return obj


@pytest.mark.parametrize("name", CLASSES)
def test_library_shaped_subclass(name, tmp_path, made):
    base, make_args, works = case(name, tmp_path, made)

    class Widget(base):
        """Its own signature: a leading label, extra keywords, and the base's arguments in a dict."""

        def __init__(self, label, *, base_args=(), base_kw=None, color=0x123456, **extra):
            self.caption = label  # attributes before the native part exists
            self.extra = extra
            super().__init__(*base_args, **(base_kw or {}))
            self.color = color

    args, kw = make_args()
    obj = keep(made, Widget("w", base_args=args, base_kw=kw, anchor_point=(0.5, 1.0), color=7))
    assert isinstance(obj, base) and type(obj) is Widget
    assert (obj.caption, obj.color, obj.extra) == ("w", 7, {"anchor_point": (0.5, 1.0)})
    obj.more = [1, 2]  # a __dict__ like any Python object
    assert obj.__dict__["more"] == [1, 2]
    assert works(obj)


@pytest.mark.parametrize("name", CLASSES)
def test_native_part_built_after_init_with_the_call_arguments(name, tmp_path, made):
    base, make_args, works = case(name, tmp_path, made)
    seen = []

    class Lazy(base):
        def __init__(self, *args, **kw):
            seen.append(len(args))  # never calls super().__init__()

    args, kw = make_args()
    obj = keep(made, Lazy(*args, **kw))
    assert seen == [len(args)] and works(obj)


@pytest.mark.parametrize("name", CLASSES)
def test_no_init_at_all_passes_the_call_through(name, tmp_path, made):
    base, make_args, works = case(name, tmp_path, made)

    class Plain(base):
        pass

    args, kw = make_args()
    assert works(keep(made, Plain(*args, **kw)))


@pytest.mark.parametrize("name", CLASSES)
def test_second_init_is_refused_and_changes_nothing(name, tmp_path, made):
    base, make_args, works = case(name, tmp_path, made)
    args, kw = make_args()
    obj = keep(made, base(*args, **kw))
    assert error(obj.__init__, *args, **kw) == ("RuntimeError", f"{base.__name__}.__init__() already called")
    assert works(obj)
    release(made, obj)

    class Twice(base):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            super().__init__(*a, **k)

    args, kw = make_args()
    assert error(Twice, *args, **kw) == ("RuntimeError", f"{base.__name__}.__init__() already called")
    gc.collect()  # the refused instance lives in the exception's frames until collected


@pytest.mark.parametrize("name", CLASSES)
def test_methods_before_super_init_raise(name, tmp_path, made):
    base, make_args, works = case(name, tmp_path, made)
    caught = []

    class Early(base):
        def __init__(self, *args, **kw):
            try:
                works(self)
            except NotImplementedError as e:
                caught.append(str(e))
            super().__init__(*args, **kw)

    args, kw = make_args()
    obj = keep(made, Early(*args, **kw))
    assert caught == [NOT_BUILT] and works(obj)
    blank = base.__new__(base)  # never built at all
    assert error(works, blank) == ("NotImplementedError", NOT_BUILT)


def test_arguments_are_checked_by_super_init_not_at_creation():
    """Group() takes keywords only: a Label-shaped subclass with positional arguments works, and a
    bad value reaches Group's own check when super().__init__() passes it on."""

    class Label(displayio.Group):
        def __init__(self, font, text="", *, scale=1, **kw):
            super().__init__(scale=scale, x=kw.get("x", 0), y=kw.get("y", 0))
            self.font, self.text = font, text

    label = Label(terminalio.FONT, "hello", scale=2, x=4, background_color=None)
    assert (label.text, label.scale, label.x) == ("hello", 2, 4)
    assert error(Label, terminalio.FONT, scale=0) == ("ValueError", "scale must be 1-32767")

    class Lazy(displayio.Group):
        def __init__(self, font):
            self.font = font

    # not constructed by __init__: Group gets the call's arguments, and rejects them
    assert error(Lazy, terminalio.FONT) == ("TypeError", "extra positional arguments given")


def test_subclass_instances_accepted_everywhere(made):
    """A shape library's objects end to end: a Bitmap and Palette subclass inside a TileGrid
    subclass inside a Group subclass, shown by a BusDisplay subclass (a driver) over a FourWire and
    SPI subclass, drawn on the panel and checked against Pillow's drawing of the same rectangle."""

    class Canvas(displayio.Bitmap):
        def __init__(self, width, height, *, colors=2):
            super().__init__(width, height, colors)

    class Colors(displayio.Palette):
        def __init__(self, *colors):
            super().__init__(len(colors))
            for i, c in enumerate(colors):
                self[i] = c

    class Rect(displayio.TileGrid):
        def __init__(self, x, y, width, height, *, fill=0xFF0000, outline=None, stroke=1):
            self._bitmap = Canvas(width, height)
            self._palette = Colors(0x000000, fill)
            self._bitmap.fill(1)
            super().__init__(self._bitmap, pixel_shader=self._palette, x=x, y=y)

    class Scene(displayio.Group):
        def __init__(self, *items, x=0, y=0):
            super().__init__(x=x, y=y)
            for item in items:
                self.append(item)

    class MySPI(busio.SPI):
        def __init__(self, clock, mosi):
            super().__init__(clock, MOSI=mosi)

    class MyBus(fourwire.FourWire):
        def __init__(self, spi, dc, cs, reset, *, baudrate=24000000):
            super().__init__(spi, command=dc, chip_select=cs, reset=reset, baudrate=baudrate)

    class ST7789(busdisplay.BusDisplay):
        def __init__(self, bus, **kwargs):
            super().__init__(bus, ST7789_INIT, **kwargs)

    panel = keep(made, cb.Panel("ST7789"))
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"),
                     reset=P("GPIO40"))
    spi = keep(made, MySPI(P("GPIO36"), P("GPIO35")))
    bus = MyBus(spi, P("GPIO39"), P("GPIO7"), P("GPIO40"))
    display = ST7789(bus, width=240, height=320, auto_refresh=False)
    rect = Rect(10, 20, 30, 15, fill=0x00FF00)
    scene = Scene(rect, x=5, y=6)
    display.root_group = scene
    assert display.root_group is scene and scene[0] is rect and rect in scene and scene.index(rect) == 0
    display.refresh()
    got = Image.frombytes("RGB", (panel.width, panel.height), panel.pixels())
    want = Image.new("RGB", (240, 320))
    want.paste((0, 255, 0), (15, 26, 45, 41))  # 0x00FF00 through RGB565 and back by bit replication
    assert got.tobytes() == want.tobytes()

    # bitmaptools, bitmapfilter and jpegio take Bitmap subclasses like Bitmaps
    c = Canvas(8, 8, colors=4)
    bitmaptools.fill_region(c, 1, 1, 3, 2, 3)
    assert [c[x, 1] for x in range(4)] == [0, 3, 3, 0]
    src = Canvas(64, 48, colors=65536)
    plain = displayio.Bitmap(64, 48, 65536)
    decoder = jpegio.JpegDecoder()
    for target in (src, plain):
        decoder.open(os.path.join(FIXTURES, "jpeg", "s420.jpg"))
        decoder.decode(target)
    assert bytes(memoryview(src)) == bytes(memoryview(plain)) and any(bytes(memoryview(src)))
    bitmapfilter.solarize(src)
    bitmapfilter.solarize(plain)
    assert bytes(memoryview(src)) == bytes(memoryview(plain))
    grid = displayio.TileGrid(src, pixel_shader=displayio.ColorConverter(
        input_colorspace=displayio.Colorspace.RGB565_SWAPPED))
    assert grid.bitmap is src


def test_terminal_subclass_over_tilegrid_subclass():
    font = terminalio.FONT
    w, h = font.get_bounding_box()

    class Screen(displayio.TileGrid):
        def __init__(self, columns, rows):
            super().__init__(font.bitmap, pixel_shader=displayio.Palette(2), width=columns, height=rows,
                             tile_width=w, tile_height=h)

    class Console(terminalio.Terminal):
        def __init__(self, screen, *, echo=False):
            super().__init__(screen, font)
            self.echo = echo

    screen = Screen(6, 2)
    console = Console(screen, echo=True)
    assert console.write(b"abc") == 3 and console.echo
    rows = [[screen[x, y] for x in range(3)] for y in range(2)]
    assert [font.get_glyph(ord(ch)).tile_index for ch in "abc"] in rows
    assert error(terminalio.Terminal, Screen(1, 1), font) == ("ValueError", "scroll_area_area must be >= 2")


def test_native_base_of_blank_objects_is_not_used_by_other_classes(made):
    """A never-built instance handed to another class is refused with the same error, never used."""
    blank_bitmap = displayio.Bitmap.__new__(displayio.Bitmap)
    blank_group = displayio.Group.__new__(displayio.Group)
    blank_palette = displayio.Palette.__new__(displayio.Palette)
    blank_spi = busio.SPI.__new__(busio.SPI)
    blank_bus = fourwire.FourWire.__new__(fourwire.FourWire)
    pal = displayio.Palette(2)
    for call in (
        lambda: displayio.TileGrid(blank_bitmap, pixel_shader=pal),
        lambda: displayio.TileGrid(displayio.Bitmap(2, 2, 2), pixel_shader=blank_palette),
        lambda: displayio.Group().append(blank_group),
        lambda: bitmaptools.fill_region(blank_bitmap, 0, 0, 1, 1, 1),
        lambda: bitmapfilter.solarize(blank_bitmap),
        lambda: fourwire.FourWire(blank_spi),
        lambda: busdisplay.BusDisplay(blank_bus, ST7789_INIT, width=8, height=8),
        lambda: len(blank_group),
        lambda: blank_bitmap[0],
        lambda: memoryview(blank_bitmap),
        lambda: blank_palette.__setitem__(0, 1),
    ):
        assert error(call) == ("NotImplementedError", NOT_BUILT)
    # and a blank object is freed without touching pins or memory it never had
    del blank_bitmap, blank_group, blank_palette, blank_spi, blank_bus
    keep(made, busio.SPI(P("GPIO12"), MOSI=P("GPIO11")))


def test_python_code_during_construction_cannot_rebuild_the_object(tmp_path):
    """OnDiskBitmap reads its file while it is being built: a file object that calls __init__
    again from inside the read is refused, and the object ends up built once."""
    path = bmp_file(tmp_path)
    calls = []

    class Sneaky(io.FileIO):
        def readinto(self, b):
            if odb is not None and not calls:
                calls.append(error(odb.__init__, path))
            return super().readinto(b)

    odb = None
    odb = displayio.OnDiskBitmap.__new__(displayio.OnDiskBitmap)
    odb.__init__(Sneaky(path, "rb"))
    assert calls == [("RuntimeError", "OnDiskBitmap.__init__() already called")]
    assert (odb.width, odb.height) == (4, 3)


def test_subclass_properties_do_not_change_the_native_values():
    """A subclass may shadow x with a Python property; the Group it is in still sees the native x."""

    class Anchored(displayio.Group):
        def __init__(self):
            super().__init__(x=10)

        @property
        def x(self):
            return 999

    a = Anchored()
    parent = displayio.Group()
    parent.append(a)
    assert a.x == 999 and displayio.Group.x.__get__(a) == 10


def test_classes_without_a_constructor_are_no_base():
    for cls in (microcontroller.Pin, fontio.BuiltinFont, type(microcontroller.cpu), type(supervisor.runtime)):
        name = cls.__name__
        with pytest.raises(TypeError, match=f"^type '{name}' is not an acceptable base type$"):
            type("Sub", (cls,), {})


# ---- property setters: the constructor's range and message -------------------------------------

@pytest.mark.parametrize("make, attr, value, message", [
    (lambda: displayio.Group(), "scale", 32768, "scale must be 1-32767"),
    (lambda: displayio.Group(), "scale", 0, "scale must be 1-32767"),
    (lambda: displayio.Group(), "x", 2**31 - 1, "x must be -32768-32767"),
    (lambda: displayio.Group(), "y", -32769, "y must be -32768-32767"),
    (lambda: displayio.TileGrid(displayio.Bitmap(2, 2, 2), pixel_shader=displayio.Palette(2)), "x", 2**31 - 1,
     "x must be -32768-32767"),
    (lambda: displayio.TileGrid(displayio.Bitmap(2, 2, 2), pixel_shader=displayio.Palette(2)), "y", 32768,
     "y must be -32768-32767"),
])
def test_setters_check_the_constructors_range(make, attr, value, message):
    obj = make()
    before = getattr(obj, attr)
    assert error(setattr, obj, attr, value) == ("ValueError", message)
    assert getattr(obj, attr) == before
    setattr(obj, attr, 32767 if attr != "scale" else 32767)
    assert getattr(obj, attr) == 32767


def test_rotation_setter_checks_like_the_constructor(made):
    spi = keep(made, busio.SPI(P("GPIO12"), MOSI=P("GPIO11")))
    bus = fourwire.FourWire(spi, command=P("GPIO10"), chip_select=P("GPIO9"))
    d = busdisplay.BusDisplay(bus, ST7789_INIT, width=30, height=20, auto_refresh=False)
    message = "Display rotation must be in 90 degree increments"
    assert error(busdisplay.BusDisplay, bus, ST7789_INIT, width=30, height=20, rotation=45) == ("ValueError", message)
    assert error(setattr, d, "rotation", 45) == ("ValueError", message)
    assert d.rotation == 0
    d.rotation = -90
    assert (d.rotation, d.width, d.height) == (270, 20, 30)


def test_constructors_check_the_same_ranges():
    bmp, pal = displayio.Bitmap(2, 2, 2), displayio.Palette(2)
    assert error(displayio.Group, x=40000) == ("ValueError", "x must be -32768-32767")
    assert error(displayio.TileGrid, bmp, pixel_shader=pal, y=-40000) == ("ValueError", "y must be -32768-32767")
    assert error(displayio.Group, scale=2**31) == ("OverflowError", "overflow converting long int to machine word")


def test_setters_convert_like_circuitpython():
    g = displayio.Group()
    assert error(setattr, g, "x", "1") == ("TypeError", "can't convert str to int")
    assert error(setattr, g, "scale", 1.5) == ("TypeError", "can't convert float to int")
    assert error(delattr, g, "x") == ("AttributeError", "can't delete attribute")
    tg = displayio.TileGrid(displayio.Bitmap(2, 2, 2), pixel_shader=displayio.Palette(2))
    assert error(delattr, tg, "pixel_shader") == ("AttributeError", "can't delete attribute")
    g.x = True  # MicroPython's ints include bools
    assert g.x == 1


# ---- the argument parser: MicroPython's rules, CircuitPython's messages --------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: displayio.Group(1), "extra positional arguments given"),
    (lambda: displayio.Group(scale=1, colour=2), "unexpected keyword argument 'colour'"),
    (lambda: displayio.Palette(), "'color_count' argument required"),
    (lambda: displayio.Palette(2, 3), "extra positional arguments given"),
    (lambda: displayio.Palette(2, color_count=2), "unexpected keyword argument 'color_count'"),
    (lambda: displayio.Palette("2"), "can't convert str to int"),
    (lambda: displayio.TileGrid(displayio.Bitmap(2, 2, 2)), "'pixel_shader' argument required"),
    (lambda: displayio.TileGrid(displayio.Bitmap(2, 2, 2), displayio.Palette(2)),
     "extra positional arguments given"),
    (lambda: displayio.Bitmap(1, 2), "function takes 3 positional arguments but 2 were given"),
    (lambda: displayio.Bitmap(1, 2, 3, width=1), "function doesn't take keyword arguments"),
    (lambda: displayio.OnDiskBitmap(), "function takes 1 positional arguments but 0 were given"),
    (lambda: displayio.Group().insert(0), "function takes 3 positional arguments but 2 were given"),
    (lambda: displayio.Group().pop("a"), "can't convert str to int"),
    (lambda: displayio.Bitmap(2, 2, 2).dirty(1, 2, 3, 4, 5), "extra positional arguments given"),
    (lambda: busio.SPI(), "'clock' argument required"),
    (lambda: busio.I2C(P("GPIO41")), "'sda' argument required"),
    (lambda: digitalio.DigitalInOut(pin=P("GPIO5")), "function doesn't take keyword arguments"),
    (lambda: jpegio.JpegDecoder(quality=1), "unexpected keyword argument 'quality'"),
    (lambda: bitmaptools.draw_line(displayio.Bitmap(2, 2, 2), 0, 0, 1, 1), "'value' argument required"),
    (lambda: bitmaptools.draw_line(displayio.Bitmap(2, 2, 2), "0", 0, 1, 1), "can't convert str to int"),
    (lambda: bitmaptools.blit(), "function missing 1 required positional arguments"),
    (lambda: bitmapfilter.solarize(), "'bitmap' argument required"),
    (lambda: bitmapfilter.morph(displayio.Bitmap(2, 2, 65536), [1], offset="x"), "can't convert str to int"),
    (lambda: storage.VfsFat(), "function takes 1 positional arguments but 0 were given"),
    (lambda: cb.Panel("ST7789", glass_width="1"), "can't convert str to int"),
])
def test_parser_errors(call, message):
    assert error(call) == ("TypeError", message)


def test_busdisplay_arguments_go_through_the_parser(made):
    spi = keep(made, busio.SPI(P("GPIO12"), MOSI=P("GPIO11")))
    bus = fourwire.FourWire(spi, command=P("GPIO10"), chip_select=P("GPIO9"))
    assert error(busdisplay.BusDisplay, bus, ST7789_INIT, height=8) == ("TypeError", "'width' argument required")
    assert error(busdisplay.BusDisplay, bus, ST7789_INIT, width=8, height=8, colour=1) == (
        "TypeError", "unexpected keyword argument 'colour'")
    assert error(busdisplay.BusDisplay, bus, 5, width=8, height=8) == (
        "TypeError", "object with buffer protocol required")
    assert error(busdisplay.BusDisplay, bus, ST7789_INIT, width=8, height=8, brightness="a") == (
        "TypeError", "can't convert str to float")
    # a driver's extra keyword is caught when it reaches BusDisplay, named as CircuitPython names it
    class Driver(busdisplay.BusDisplay):
        def __init__(self, bus, **kwargs):
            super().__init__(bus, ST7789_INIT, **kwargs)

    assert error(Driver, bus, width=8, height=8, invert=True) == ("TypeError", "unexpected keyword argument 'invert'")
    d = Driver(bus, width=8, height=8, auto_refresh=False, set_vertical_scroll=0x37)
    assert (d.width, d.height) == (8, 8)


# ---- fontio.Glyph ------------------------------------------------------------------------------

FIELDS = ("bitmap", "tile_index", "width", "height", "dx", "dy", "shift_x", "shift_y")


def test_glyph_positional_and_keyword():
    bmp = displayio.Bitmap(12, 12, 2)
    g = fontio.Glyph(bmp, 3, 6, 12, 0, -2, 7, 0)
    assert tuple(g) == (bmp, 3, 6, 12, 0, -2, 7, 0) and isinstance(g, tuple) and len(g) == 8
    assert [getattr(g, f) for f in FIELDS] == list(g)
    k = fontio.Glyph(shift_y=0, shift_x=7, dy=-2, dx=0, height=12, width=6, tile_index=3, bitmap=bmp)
    assert k == g and hash(k) == hash(g)
    m = fontio.Glyph(bmp, 3, 6, 12, dx=0, dy=-2, shift_x=7, shift_y=0)
    assert m == g and m[1] == 3 and m[-1] == 0
    bitmap, tile, *_ = g
    assert (bitmap, tile) == (bmp, 3)
    assert repr(fontio.Glyph(None, 1, 2, 3, 4, 5, 6, 7)) == (
        "Glyph(bitmap=None, tile_index=1, width=2, height=3, dx=4, dy=5, shift_x=6, shift_y=7)")


def test_glyph_errors():
    assert error(fontio.Glyph, 1, 2) == ("TypeError", "function takes 8 positional arguments but 2 were given")
    assert error(fontio.Glyph, 1, 2, 3, 4, 5, 6, 7, 8, 9) == (
        "TypeError", "function takes 8 positional arguments but 9 were given")
    assert error(fontio.Glyph, 1, 2, 3, 4, 5, 6, 7, colour=8) == ("TypeError", "unexpected keyword argument 'colour'")
    assert error(fontio.Glyph, 1, 2, 3, 4, 5, 6, 7, bitmap=8) == (
        "TypeError", "function got multiple values for argument 'bitmap'")
    g = fontio.Glyph(*range(8))
    assert error(setattr, g, "width", 3) == ("AttributeError", "can't set attribute")
    assert error(g.__init__, *range(8)) == ("RuntimeError", "Glyph.__init__() already called")


def test_glyph_subclass_and_builtin_glyphs():
    class IconGlyph(fontio.Glyph):
        def __init__(self, bitmap, index, *, name=""):
            super().__init__(bitmap, index, 16, 16, 0, 0, 17, 0)
            self.name = name

    icon = IconGlyph(None, 4, name="home")
    assert (icon.tile_index, icon.shift_x, icon.name, tuple(icon)[:2]) == (4, 17, "home", (None, 4))

    class Lazy(fontio.Glyph):
        def __init__(self, *fields):
            self.count = len(fields)

    lazy = Lazy(*range(8))
    assert tuple(lazy) == tuple(range(8)) and lazy.count == 8
    blank = fontio.Glyph.__new__(fontio.Glyph)
    for call in (lambda: blank.width, lambda: len(blank), lambda: blank[0], lambda: list(blank), lambda: repr(blank)):
        assert error(call) == ("NotImplementedError", NOT_BUILT)
    g = terminalio.FONT.get_glyph(ord("A"))
    assert type(g) is fontio.Glyph and g.bitmap is terminalio.FONT.bitmap and (g.width, g.height) == (6, 12)


def test_bitmapfilter_weights_subclass():
    class Gains(bitmapfilter.ChannelScale):
        pass

    plain, sub = displayio.Bitmap(4, 4, 65536), displayio.Bitmap(4, 4, 65536)
    for b in (plain, sub):
        b.fill(0xFFFF)
    bitmapfilter.mix(plain, bitmapfilter.ChannelScale(0.5, 1, 0))
    bitmapfilter.mix(sub, Gains(0.5, 1, 0))
    assert bytes(memoryview(sub)) == bytes(memoryview(plain)) and plain[0] != 0xFFFF


def test_metaclass_is_a_type_and_harmless_elsewhere():
    meta = type(displayio.Group)
    assert issubclass(meta, type) and type(fontio.Glyph) is meta and type(busio.SPI) is meta

    class Borrowed(metaclass=meta):  # a plain Python class using the metaclass: nothing native to build
        def __init__(self, v):
            self.v = v

    assert Borrowed(3).v == 3
