"""vectorio: the Python API with CircuitPython 9.2.9's arguments and messages, and pictures through
the whole path (shapes in a Group -> BusDisplay refresh -> SPI bytes -> ST7789 model -> PNG).

Expected pictures come from a pure-Python drawing of the documented pixel rules (circle
x*x + y*y <= r*r, rectangle [0, w) x [0, h), polygon non-zero winding with the half-open edge
rule, worked out with exact fractions), with rectangles drawn by Pillow's ImageDraw and display
rotation done by Pillow, then quantised the way the 16-bit panel stores colours.
"""
import gc
import os
import subprocess
from fractions import Fraction

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")  # refreshes happen only when a test asks

import pytest
from PIL import Image, ImageDraw

import circuit9.busdisplay as busdisplay
import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.displayio as displayio
import circuit9.fourwire as fourwire
import circuit9.vectorio as vectorio

P = cb.pin

ST7789_INIT = bytes([
    0x01, 0x80, 150,        # SWRESET, 150 ms
    0x11, 0x80, 255,        # SLPOUT, 500 ms
    0x3A, 0x81, 0x55, 10,   # COLMOD 16 bits/pixel
    0x36, 0x01, 0x00,       # MADCTL: top-left origin, RGB
    0x21, 0x80, 10,         # INVON: IPS glass shows true colours inverted
    0x29, 0x80, 255,        # DISPON
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


def st7789(made, width, height, rotation=0):
    panel = cb.Panel("ST7789")
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"),
                     reset=P("GPIO40"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    made += [panel, spi]
    bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"), reset=P("GPIO40"))
    display = busdisplay.BusDisplay(bus, ST7789_INIT, width=width, height=height, rotation=rotation,
                                    auto_refresh=False)
    return panel, display


def palette(colors, transparent=()):
    p = displayio.Palette(len(colors))
    for i, c in enumerate(colors):
        p[i] = c
    for i in transparent:
        p.make_transparent(i)
    return p


# ---- the pixel rules, written from the documentation ----------------------------------------

def in_circle(r, x, y):
    return x * x + y * y <= r * r


def in_polygon(points, x, y):
    winding = 0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
        if y1 == y2 or not (min(y1, y2) <= y < max(y1, y2)):
            continue
        crossing = x1 + Fraction((y - y1) * (x2 - x1), y2 - y1)
        if x < crossing:  # strictly left of the edge
            winding += 1 if y2 > y1 else -1
    return winding != 0


def rgb(c):
    return ((c >> 16) & 255, (c >> 8) & 255, c & 255)


def q565(img):
    out = img.convert("RGB").copy()
    px = out.load()
    for y in range(out.height):
        for x in range(out.width):
            r, g, b = px[x, y]
            r5, g6, b5 = r >> 3, g >> 2, b >> 3
            px[x, y] = ((r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2))
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


# ---- API -------------------------------------------------------------------------------------

def test_constructors_and_properties():
    pal = palette([0, 0xFF0000, 0x00FF00])
    c = vectorio.Circle(pixel_shader=pal, radius=5, x=10, y=-3, color_index=1)
    assert (c.radius, c.x, c.y, c.location, c.color_index, c.hidden) == (5, 10, -3, (10, -3), 1, False)
    assert c.pixel_shader is pal
    r = vectorio.Rectangle(pixel_shader=pal, width=4, height=3)
    assert (r.width, r.height, r.x, r.y, r.color_index) == (4, 3, 0, 0, 0)
    pts = [(0, 0), (5, 0), (0, 5)]
    pg = vectorio.Polygon(pixel_shader=displayio.ColorConverter(), points=pts, y=2)
    assert pg.points == pts and pg.points is not pts
    assert isinstance(pg.pixel_shader, displayio.ColorConverter)
    for shape in (c, r, pg):
        shape.x = -32768
        shape.y = 32767
        assert shape.location == (-32768, 32767)
        shape.location = (4, 5)
        assert (shape.x, shape.y) == (4, 5)
        shape.hidden = 1
        assert shape.hidden is True
        shape.color_index = 2
        assert shape.color_index == 2
    # sizes are stored as their absolute value, as CircuitPython does
    c.radius = -7
    assert c.radius == 7
    c.radius = 0
    assert c.radius == 0
    r.width, r.height = -9, 0
    assert (r.width, r.height) == (9, 0)
    # the colour index is a 16-bit value
    c.color_index = -1
    assert c.color_index == 65535
    c.color_index = 65536 + 3
    assert c.color_index == 3
    assert [n for n in ("Circle", "Polygon", "Rectangle") if hasattr(vectorio, n)] == ["Circle", "Polygon",
                                                                                      "Rectangle"]


def raises(exc, msg, fn):
    with pytest.raises(exc) as e:
        fn()
    assert str(e.value) == msg


def test_constructor_errors():
    pal = palette([0, 0xFFFFFF])
    raises(TypeError, "extra positional arguments given", lambda: vectorio.Circle(pal, radius=3))
    raises(TypeError, "'pixel_shader' argument required", lambda: vectorio.Circle(radius=3))
    raises(TypeError, "'radius' argument required", lambda: vectorio.Circle(pixel_shader=pal))
    raises(TypeError, "'height' argument required", lambda: vectorio.Rectangle(pixel_shader=pal, width=3))
    raises(TypeError, "'points' argument required", lambda: vectorio.Polygon(pixel_shader=pal))
    # CircuitPython's full builds (every board with a display) name the unexpected keyword
    raises(TypeError, "unexpected keyword argument 'z'", lambda: vectorio.Circle(pixel_shader=pal, radius=2, z=1))
    raises(TypeError, "unexpected keyword argument 'radius'",
           lambda: vectorio.Rectangle(pixel_shader=pal, width=2, height=2, radius=1))
    raises(TypeError, "'width' argument required", lambda: vectorio.Rectangle(pixel_shader=pal, height=2, z=1))
    raises(TypeError, "can't convert str to int", lambda: vectorio.Circle(pixel_shader=pal, radius="2"))
    raises(TypeError, "can't convert float to int", lambda: vectorio.Rectangle(pixel_shader=pal, width=2,
                                                                               height=2, x=1.5))
    raises(OverflowError, "overflow converting long int to machine word",
           lambda: vectorio.Circle(pixel_shader=pal, radius=2, y=1 << 40))
    raises(ValueError, "radius must be >= 1", lambda: vectorio.Circle(pixel_shader=pal, radius=0))
    raises(ValueError, "width must be >= 1", lambda: vectorio.Rectangle(pixel_shader=pal, width=0, height=2))
    raises(ValueError, "height must be >= 1", lambda: vectorio.Rectangle(pixel_shader=pal, width=1, height=-2))
    # CircuitPython silently truncates sizes past 16 bits; here they are refused
    raises(ValueError, "radius must be 1-32767", lambda: vectorio.Circle(pixel_shader=pal, radius=40000))
    raises(TypeError, "unsupported pixel_shader type", lambda: vectorio.Circle(pixel_shader=None, radius=2))
    raises(TypeError, "unsupported pixel_shader type",
           lambda: vectorio.Rectangle(pixel_shader=displayio.Bitmap(2, 2, 2), width=1, height=1))
    raises(ValueError, "x must be -32768-32767", lambda: vectorio.Circle(pixel_shader=pal, radius=2, x=32768))
    raises(ValueError, "y must be -32768-32767", lambda: vectorio.Circle(pixel_shader=pal, radius=2, y=-32769))
    # argument order: the shader is checked after the size, the position after the shader
    raises(ValueError, "radius must be >= 1", lambda: vectorio.Circle(pixel_shader=3, radius=0, x=99999))
    raises(TypeError, "unsupported pixel_shader type", lambda: vectorio.Circle(pixel_shader=3, radius=1, x=99999))


def test_polygon_points_errors_keep_old_points():
    pal = palette([0, 0xFFFFFF])
    ok = [(0, 0), (4, 0), (0, 4)]
    raises(TypeError, "points must be of type list, not tuple", lambda: vectorio.Polygon(pixel_shader=pal,
                                                                                         points=tuple(ok)))
    raises(TypeError, "Polygon needs at least 3 points", lambda: vectorio.Polygon(pixel_shader=pal, points=ok[:2]))
    raises(TypeError, "point must be of type tuple, not list",
           lambda: vectorio.Polygon(pixel_shader=pal, points=ok[:2] + [[1, 1]]))
    raises(ValueError, "point length must be 2", lambda: vectorio.Polygon(pixel_shader=pal, points=ok + [(1,)]))
    raises(TypeError, "x must be of type int, not float",
           lambda: vectorio.Polygon(pixel_shader=pal, points=ok + [(1.0, 2)]))
    raises(TypeError, "y must be of type int, not str",
           lambda: vectorio.Polygon(pixel_shader=pal, points=ok + [(1, "2")]))
    raises(ValueError, "x must be -32768-32767", lambda: vectorio.Polygon(pixel_shader=pal, points=ok + [(-40000, 0)]))
    raises(ValueError, "y must be -32768-32767", lambda: vectorio.Polygon(pixel_shader=pal, points=ok + [(0, 32768)]))
    # the points are checked before the shader
    raises(TypeError, "Polygon needs at least 3 points", lambda: vectorio.Polygon(pixel_shader=None, points=[]))
    pg = vectorio.Polygon(pixel_shader=pal, points=ok)
    for bad in ((1, 2, 3), [(0, 0)], [(0, 0), (1, 1), (2, 2.5)], [(0, 0), (1, 1), (2, 99999)]):
        with pytest.raises((TypeError, ValueError)):
            pg.points = bad
        assert pg.points == ok  # CircuitPython empties the polygon here
    big = [(i % 200, i // 200) for i in range(5000)]
    pg.points = big
    assert pg.points == big
    with pytest.raises(ValueError, match="points length must be <= 32767"):
        pg.points = [(0, 0)] * 32768


def test_property_errors():
    pal = palette([0, 0xFFFFFF])
    c = vectorio.Circle(pixel_shader=pal, radius=3)
    raises(ValueError, "x must be -32768-32767", lambda: setattr(c, "x", 40000))
    raises(TypeError, "can't convert str to int", lambda: setattr(c, "y", "1"))
    raises(TypeError, "unsupported pixel_shader type", lambda: setattr(c, "pixel_shader", None))
    raises(ValueError, "radius must be 0-32767", lambda: setattr(c, "radius", 40000))
    raises(ValueError, "location length must be 2", lambda: setattr(c, "location", (1, 2, 3)))
    raises(TypeError, "location must be of type tuple, not int", lambda: setattr(c, "location", 5))
    raises(TypeError, "y must be of type int, not float", lambda: setattr(c, "location", (1, 2.0)))
    # both values are checked before either changes (CircuitPython can move x and then raise for y)
    raises(ValueError, "y must be -32768-32767", lambda: setattr(c, "location", (7, 99999)))
    assert c.location == (0, 0)
    raises(ValueError, "x must be -32768-32767", lambda: c.contains(32768, 0))
    raises(TypeError, "can't convert float to int", lambda: c.contains(0, 0.5))
    # contains() is a fixed-arity function: MicroPython's messages (self counts), and both values are
    # converted before either is range-checked
    raises(TypeError, "function takes 3 positional arguments but 2 were given", lambda: c.contains(1))
    raises(TypeError, "function takes 3 positional arguments but 4 were given", lambda: c.contains(1, 2, 3))
    raises(TypeError, "function doesn't take keyword arguments", lambda: c.contains(x=1, y=2))
    raises(TypeError, "can't convert str to int", lambda: c.contains(99999, "1"))
    with pytest.raises(AttributeError):
        del c.x
    with pytest.raises(AttributeError):
        c.area = 3


def test_contains_in_group_coordinates():
    pal = palette([0, 0xFFFFFF])
    c = vectorio.Circle(pixel_shader=pal, radius=3, x=10, y=20)
    assert c.contains(10, 20) and c.contains(13, 20) and not c.contains(13, 21)
    r = vectorio.Rectangle(pixel_shader=pal, width=4, height=2, x=1, y=1)
    assert r.contains(1, 1) and r.contains(4, 2) and not r.contains(5, 1) and not r.contains(1, 3)
    p = vectorio.Polygon(pixel_shader=pal, points=[(0, 0), (4, 0), (0, 4)])
    assert [x for x in range(-1, 6) if p.contains(x, 0)] == [0, 1, 2, 3]
    assert [x for x in range(-1, 6) if p.contains(x, 3)] == [0]
    outer = displayio.Group(x=5, y=7, scale=2)
    inner = displayio.Group(x=1, y=2, scale=3)
    outer.append(inner)
    inner.append(c)
    # the position scales with the groups, the radius does not (as on CircuitPython)
    ox, oy = 5 + 2 * (1 + 3 * 10), 7 + 2 * (2 + 3 * 20)
    assert c.contains(ox, oy) and c.contains(ox - 3, oy) and not c.contains(ox - 4, oy)
    c.hidden = True
    assert c.contains(ox, oy)


def test_groups_accept_shapes():
    pal = palette([0, 0xFFFFFF])
    g = displayio.Group()
    shapes = [vectorio.Circle(pixel_shader=pal, radius=2), vectorio.Rectangle(pixel_shader=pal, width=1, height=1),
              vectorio.Polygon(pixel_shader=pal, points=[(0, 0), (1, 0), (0, 1)])]
    for s in shapes:
        g.append(s)
    assert len(g) == 3 and g[1] is shapes[1] and shapes[2] in g and g.index(shapes[0]) == 0
    with pytest.raises(ValueError, match="Layer already in a group"):
        displayio.Group().append(shapes[0])
    g.remove(shapes[0])
    other = displayio.Group()
    other.insert(0, shapes[0])
    g[0] = vectorio.Circle(pixel_shader=pal, radius=1)
    assert g.pop() is shapes[2]


# ---- subclasses: the native-class rules every binding follows (docs/bindings.md) -------------

NOT_BUILT = "Call super().__init__() before accessing native object."


def shape_cases():
    """For each shape: the keyword arguments of a working constructor call and a check of the
    built shape that reads its own properties and the core's pixel rule (contains)."""
    pal = palette([0, 0xFFFFFF])
    tri = [(0, 0), (6, 0), (0, 6)]
    return {
        "Circle": ({"pixel_shader": pal, "radius": 4, "x": 10, "y": 20, "color_index": 1},
                   lambda s: (s.radius, s.location, s.color_index) == (4, (10, 20), 1)
                   and s.contains(14, 20) and not s.contains(14, 21)),
        "Rectangle": ({"pixel_shader": pal, "width": 5, "height": 2, "x": -3},
                      lambda s: (s.width, s.height, s.location) == (5, 2, (-3, 0))
                      and s.contains(1, 1) and not s.contains(2, 1)),
        "Polygon": ({"pixel_shader": pal, "points": tri, "y": 7},
                    lambda s: (s.points, s.location) == (tri, (0, 7)) and s.contains(2, 10)
                    and not s.contains(4, 10)),
    }


SHAPES = ["Circle", "Rectangle", "Polygon"]


def shape_case(name):
    kw, works = shape_cases()[name]
    return getattr(vectorio, name), kw, works


def error(fn, *args, **kw):
    with pytest.raises(Exception) as e:
        fn(*args, **kw)
    return type(e.value).__name__, str(e.value)


def test_shapes_have_the_native_metaclass():
    for name in SHAPES:
        assert type(getattr(vectorio, name)) is type(displayio.Group)


@pytest.mark.parametrize("name", SHAPES)
def test_library_shaped_subclass(name):
    """Its own signature: attributes set before the native part exists, extra keywords, the
    base's arguments passed on; the instance has a __dict__ and is a layer like the base."""
    base, kw, works = shape_case(name)

    class Widget(base):
        def __init__(self, label, *, base_kw, tint=0x123456, **extra):
            self.caption = label
            self.extra = extra
            super().__init__(**base_kw)
            self.tint = tint

    w = Widget("w", base_kw=kw, anchor_point=(0.5, 1.0), tint=7)
    assert isinstance(w, base) and type(w) is Widget
    assert (w.caption, w.tint, w.extra) == ("w", 7, {"anchor_point": (0.5, 1.0)})
    w.more = [1, 2]
    assert w.__dict__["more"] == [1, 2]
    assert works(w)
    g = displayio.Group()
    g.append(w)
    assert g[0] is w and g.index(w) == 0
    # arguments are checked by super().__init__(), with the base class's messages
    bad = dict(kw, x=40000)
    assert error(Widget, "w", base_kw=bad) == ("ValueError", "x must be -32768-32767")
    assert error(Widget, "w", base_kw=dict(kw, z=1)) == ("TypeError", "unexpected keyword argument 'z'")


@pytest.mark.parametrize("name", SHAPES)
def test_native_part_built_after_init_with_the_call_arguments(name):
    base, kw, works = shape_case(name)
    seen = []

    class Lazy(base):
        def __init__(self, *args, **kwargs):
            seen.append(sorted(kwargs))  # never calls super().__init__()

    obj = Lazy(**kw)
    assert seen == [sorted(kw)] and works(obj)
    g = displayio.Group()
    g.append(obj)
    assert g[0] is obj

    class Plain(base):
        pass

    assert works(Plain(**kw))
    # the call's arguments reach the base class and are refused there, when the class is called
    assert error(Lazy) == ("TypeError", "'pixel_shader' argument required")
    assert error(Lazy, kw["pixel_shader"], **kw) == ("TypeError", "extra positional arguments given")


@pytest.mark.parametrize("name", SHAPES)
def test_second_init_is_refused_and_changes_nothing(name):
    base, kw, works = shape_case(name)
    obj = base(**kw)
    g = displayio.Group()
    g.append(obj)
    other = dict(kw, x=1, y=2, color_index=0)
    assert error(obj.__init__, **other) == ("RuntimeError", f"{name}.__init__() already called")
    assert works(obj) and g[0] is obj
    assert error(obj.__init__) == ("RuntimeError", f"{name}.__init__() already called")

    class Twice(base):
        def __init__(self, **k):
            super().__init__(**k)
            super().__init__(**k)

    assert error(Twice, **kw) == ("RuntimeError", f"{name}.__init__() already called")
    gc.collect()  # the refused instance lives in the exception's frames until collected


@pytest.mark.parametrize("name", SHAPES)
def test_blank_shape_raises_everywhere(name):
    """A shape whose native part was never built: every property, contains() and every Group
    method given it raise CircuitPython's NotImplementedError and change nothing."""
    base, kw, works = shape_case(name)
    caught = []

    class Early(base):
        def __init__(self, **k):
            try:
                works(self)
            except NotImplementedError as e:
                caught.append(str(e))
            super().__init__(**k)

    obj = Early(**kw)
    assert caught == [NOT_BUILT] and works(obj)

    blank = base.__new__(base)
    own = {"Circle": ["radius"], "Rectangle": ["width", "height"], "Polygon": ["points"]}[name]
    for prop in ["x", "y", "location", "hidden", "pixel_shader", "color_index"] + own:
        assert error(getattr, blank, prop) == ("NotImplementedError", NOT_BUILT), prop
        value = kw.get(prop, (1, 2) if prop == "location" else 1)
        assert error(setattr, blank, prop, value) == ("NotImplementedError", NOT_BUILT), prop
    assert error(blank.contains, 0, 0) == ("NotImplementedError", NOT_BUILT)
    g = displayio.Group()
    g.append(base(**kw))
    assert error(g.append, blank) == ("NotImplementedError", NOT_BUILT)
    assert error(g.insert, 0, blank) == ("NotImplementedError", NOT_BUILT)
    assert error(g.__setitem__, 0, blank) == ("NotImplementedError", NOT_BUILT)
    assert len(g) == 1 and blank not in g
    # building it later makes it an ordinary shape
    blank.__init__(**kw)
    assert works(blank)
    g.append(blank)
    assert g[1] is blank


@pytest.mark.parametrize("name", SHAPES)
def test_failed_init_leaves_the_shape_blank(name):
    """A construction that fails takes nothing (a polygon's parsed points are given back), so the
    subclass can try again."""
    base, kw, works = shape_case(name)
    errors = []

    class Retry(base):
        def __init__(self, **k):
            for attempt in (dict(k, pixel_shader=None), dict(k, y=-40000), k):
                try:
                    super().__init__(**attempt)
                    return
                except (TypeError, ValueError) as e:
                    errors.append(str(e))
                    assert error(getattr, self, "x") == ("NotImplementedError", NOT_BUILT)

    obj = Retry(**kw)
    assert errors == ["unsupported pixel_shader type", "y must be -32768-32767"]
    assert works(obj)


def test_subclass_shapes_on_st7789(clean):
    """Shapes built each way (super().__init__(), by the metaclass after __init__, no __init__ at
    all) are drawn as the documented pixel rules say."""
    panel, display = st7789(clean, 64, 48)
    pal = palette([0x000000, 0xFF0000, 0x00FF00, 0x0000FF])

    class Dot(vectorio.Circle):
        def __init__(self, where, size):
            super().__init__(pixel_shader=pal, radius=size, x=where[0], y=where[1], color_index=1)

    class Box(vectorio.Rectangle):
        def __init__(self, **kw):
            self.kw = kw  # the metaclass builds it with the call's arguments

    class Tri(vectorio.Polygon):
        pass

    tri = [(0, 0), (20, 3), (5, 16)]
    root = displayio.Group()
    root.append(Box(pixel_shader=pal, width=30, height=10, x=30, y=35, color_index=2))
    root.append(Dot((16, 16), 9))
    root.append(Tri(pixel_shader=pal, points=tri, x=36, y=4, color_index=3))
    display.root_group = root
    assert display.refresh() is True
    ref = Image.new("RGB", (64, 48), (0, 0, 0))
    ImageDraw.Draw(ref).rectangle([30, 35, 59, 44], fill=rgb(0x00FF00))
    for y in range(48):
        for x in range(64):
            if in_circle(9, x - 16, y - 16):
                ref.putpixel((x, y), rgb(0xFF0000))
            if in_polygon(tri, x - 36, y - 4):
                ref.putpixel((x, y), rgb(0x0000FF))
    assert_same(panel_image(panel).crop((0, 0, 64, 48)), q565(ref))


def test_unconstructed_shader_is_refused():
    """A Palette or ColorConverter whose native part was never built gives the subclass error
    (docs/bindings.md), in the constructor and in the setter, and the shape keeps its shader."""
    blank_pal = displayio.Palette.__new__(displayio.Palette)
    blank_cc = displayio.ColorConverter.__new__(displayio.ColorConverter)
    built = "Call super().__init__() before accessing native object."
    for blank in (blank_pal, blank_cc):
        raises(NotImplementedError, built, lambda: vectorio.Circle(pixel_shader=blank, radius=2))
    pal = palette([0, 0xFFFFFF])
    r = vectorio.Rectangle(pixel_shader=pal, width=2, height=2)
    for blank in (blank_pal, blank_cc):
        with pytest.raises(NotImplementedError):
            r.pixel_shader = blank
    assert r.pixel_shader is pal


def test_shape_collected_while_in_a_cycle():
    pal = palette([0, 0xFFFFFF])

    class Tri(vectorio.Polygon):
        pass

    for _ in range(50):
        g = displayio.Group()
        s = Tri(pixel_shader=pal, points=[(0, 0), (3, 0), (0, 3)])
        g.append(s)
        s.group = g  # shape -> group -> shape: only the cycle collector frees them
        del g, s
    gc.collect()
    with pytest.raises(AttributeError):
        vectorio.Circle(pixel_shader=pal, radius=1).tag = 1  # no instance dict, as on CircuitPython


# ---- pictures ----------------------------------------------------------------------------------

COLORS = [0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0xFFFFFF]
STAR = [(20, 0), (32, 36), (0, 13), (40, 13), (8, 36)]
CONCAVE = [(0, 0), (30, 0), (30, 8), (10, 8), (10, 16), (30, 16), (30, 24), (0, 24)]


def build_scene(w, h):
    """Returns the group and the expected logical picture."""
    pal = palette(COLORS, transparent=(6,))
    root = displayio.Group()
    ref = Image.new("RGB", (w, h), rgb(0x202020))
    draw = ImageDraw.Draw(ref)
    bg_pal = palette([0x202020])
    root.append(vectorio.Rectangle(pixel_shader=bg_pal, width=w, height=h))

    def add_shape(shape, color_index, inside, box, ox, oy, scale_origin=(0, 0, 1)):
        root_or_group.append(shape)
        gx, gy, gs = scale_origin
        x0, y0 = gx + gs * ox, gy + gs * oy
        if inside is None:  # drawn by the caller (or not at all)
            return
        for y in range(box[1], box[3]):
            for x in range(box[0], box[2]):
                if 0 <= x0 + x < w and 0 <= y0 + y < h and inside(x, y):
                    ref.putpixel((x0 + x, y0 + y), rgb(COLORS[color_index]))

    root_or_group = root
    r = 17
    add_shape(vectorio.Circle(pixel_shader=pal, radius=r, x=25, y=24, color_index=1), 1,
              lambda x, y: in_circle(r, x, y), (-r - 1, -r - 1, r + 2, r + 2), 25, 24)
    # a rectangle partly off the left edge, drawn by Pillow
    root.append(vectorio.Rectangle(pixel_shader=pal, width=30, height=12, x=-10, y=h - 20, color_index=3))
    draw.rectangle([0, h - 20, 19, h - 9], fill=rgb(COLORS[3]))
    add_shape(vectorio.Polygon(pixel_shader=pal, points=STAR, x=60, y=5, color_index=4), 4,
              lambda x, y: in_polygon(STAR, x, y), (-1, -1, 42, 38), 60, 5)
    add_shape(vectorio.Polygon(pixel_shader=pal, points=CONCAVE, x=10, y=50, color_index=5), 5,
              lambda x, y: in_polygon(CONCAVE, x, y), (-1, -1, 32, 26), 10, 50)
    # a transparent index draws nothing
    add_shape(vectorio.Circle(pixel_shader=pal, radius=8, x=30, y=60, color_index=6), 6, None, None, 0, 0)
    # in a scaled group: the position scales, the shape does not
    g = displayio.Group(x=50, y=40, scale=2)
    root.append(g)
    root_or_group = g
    add_shape(vectorio.Circle(pixel_shader=pal, radius=6, x=10, y=12, color_index=2), 2,
              lambda x, y: in_circle(6, x, y), (-7, -7, 8, 8), 10, 12, (50, 40, 2))
    cc = displayio.ColorConverter(input_colorspace=displayio.Colorspace.RGB565)
    add_shape(vectorio.Rectangle(pixel_shader=cc, width=7, height=5, x=-2, y=-5, color_index=0x07E0), 0, None, None,
              0, 0)
    draw.rectangle([50 - 4, 40 - 10, 50 - 4 + 6, 40 - 10 + 4], fill=(0, 255, 0))
    return root, ref


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_shapes_on_st7789_every_rotation(clean, rotation, tmp_path):
    w, h = (120, 90) if rotation % 180 == 0 else (90, 120)
    panel, display = st7789(clean, w, h, rotation)
    root, ref = build_scene(w, h)
    display.root_group = root
    assert display.refresh() is True
    want = q565(ref.rotate(-rotation, expand=True))
    assert_same(panel_image(panel).crop((0, 0, want.width, want.height)), want)
    path = tmp_path / "shot.png"
    panel.save_png(str(path))
    assert_same(Image.open(path).convert("RGB").crop((0, 0, want.width, want.height)), want)


def test_partial_refresh_repaints_old_and_new_footprints(clean):
    panel, display = st7789(clean, 240, 320)
    pal = palette([0x000000, 0xFF0000, 0x00FF00])
    root = displayio.Group()
    root.append(vectorio.Rectangle(pixel_shader=palette([0]), width=240, height=320))
    c = vectorio.Circle(pixel_shader=pal, radius=10, x=30, y=30, color_index=1)
    p = vectorio.Polygon(pixel_shader=pal, points=[(0, 0), (20, 4), (6, 15)], x=200, y=280, color_index=2)
    root.append(c)
    root.append(p)
    display.root_group = root
    display.refresh()
    bus = display.bus

    def refresh_and_count():
        cb.reset_bus_stats(bus)
        display.refresh()
        return cb.display_stats(display)

    def ref_picture():
        img = Image.new("RGB", (240, 320), (0, 0, 0))
        for y in range(320):
            for x in range(240):
                if not c.hidden and in_circle(c.radius, x - c.x, y - c.y):
                    img.putpixel((x, y), rgb(pal[c.color_index]))
                elif in_polygon(p.points, x - p.x, y - p.y):
                    img.putpixel((x, y), rgb(pal[p.color_index]))
        return q565(img)

    # nothing changed: nothing sent
    assert refresh_and_count()["last_pixel_bytes"] == 0
    # a move: the 21x21 footprint where it was and where it is (overlapping by 16x21)
    c.x = 35
    s = refresh_and_count()
    assert s["union_pixels"] == 26 * 21
    assert s["last_pixel_bytes"] == 26 * 21 * 2
    # a colour change: just the footprint
    c.color_index = 2
    assert refresh_and_count()["union_pixels"] == 21 * 21
    # a palette change repaints the shapes using it (both use index 2 now), an unchanged entry nothing
    pal[2] = 0x00FF00
    assert refresh_and_count()["union_pixels"] == 0
    pal[2] = 0x0000FF
    assert refresh_and_count()["union_pixels"] == 21 * 21 + 20 * 15
    # new points: old box 20x15 and new box 25x15 at the same origin
    p.points = [(0, 0), (25, 4), (6, 15)]
    assert refresh_and_count()["union_pixels"] == 25 * 15
    # hiding repaints the footprint, moving while hidden sends nothing
    c.hidden = True
    assert refresh_and_count()["union_pixels"] == 21 * 21
    c.y = 100
    assert refresh_and_count()["last_pixel_bytes"] == 0
    assert_same(panel_image(panel), ref_picture())
    c.hidden = False
    refresh_and_count()
    assert_same(panel_image(panel), ref_picture())


def test_builtin_module_under_the_executable(circuit9_exe, tmp_path):
    script = tmp_path / "shapes.py"
    script.write_text("""
import vectorio, displayio
p = displayio.Palette(2)
c = vectorio.Circle(pixel_shader=p, radius=4, x=1, y=2)
print(type(c).__name__, c.contains(5, 2), c.contains(5, 3))
""")
    out = subprocess.run([circuit9_exe, str(script)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, C9_NO_DISPLAY_THREAD="1"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Circle True False\n"
