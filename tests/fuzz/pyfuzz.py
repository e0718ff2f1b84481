#!/usr/bin/env python3
"""Random API fuzzer for the circuit9 package: random calls over every class and function of
every module in bindings/, with arguments of every type (ints at the edges, floats, None,
strings, bytes, huge values, objects of the wrong class, subclasses, objects whose native part was
never built (Class.__new__(Class)), objects whose __index__ or readinto() change other objects:
deinit, drop, hide, rotate, reshape or re-shade them) and random deinit/del/release/__init__ orders.
Displays show trees of groups, tile grids, on-disk bitmaps and vectorio shapes.

Each case is a program: a list of Python statements generated from (seed, case number) alone, so
a case is reproducible anywhere with the same build. A worker process (run under the sanitizer
build in `make test`) executes the cases; the supervisor fails when a case

  - ends the worker: a crash or a sanitizer report (AddressSanitizer, UndefinedBehaviorSanitizer),
  - raises an exception whose type is not one CircuitPython documents for its API (SystemError,
    AssertionError, RecursionError, ImportError, ... anything outside ALLOWED below),
  - hangs (no progress for --hang seconds).

and prints the seed, the case and its program, which is written out as a standalone script.

    tools/run_tests.sh runs it through CTest (build-asan, label pyfuzz):
        python3 tests/fuzz/pyfuzz.py --seconds 60
    reproduce one case:
        python3 tests/fuzz/pyfuzz.py --seed 1 --case 1234
    run longer, with a seed of your own:
        python3 tests/fuzz/pyfuzz.py --seed 7 --seconds 3600
The package comes from PYTHONPATH (build/python or build-asan/python, plus LD_PRELOAD of the
sanitizer runtimes for the latter, as CTest sets them).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Exception types CircuitPython's API documents (and Python-level errors of calling it wrongly).
# ReloadException is what supervisor.reload() raises to stop a program.
ALLOWED = ("ValueError", "TypeError", "IndexError", "KeyError", "AttributeError", "RuntimeError",
           "OSError", "MemoryError", "NotImplementedError", "OverflowError", "BufferError", "EOFError",
           "ZeroDivisionError", "StopIteration", "FuzzStop", "ReloadException")
# Never allowed even though they derive from an allowed class.
FORBIDDEN = ("RecursionError", "NotImplementedType")

# ---- the prelude every case runs after (also the head of a written-out case) -----------------------

PRELUDE = r'''
import array, gc, io, os, sys
os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")
import circuit9
circuit9.install_aliases()
import bitmapfilter, bitmaptools, board, busdisplay, busio, circuit9_board, digitalio, displayio
import fontio, fourwire, i2cdisplaybus, jpegio, microcontroller, micropython, paralleldisplay
import paralleldisplaybus, storage, supervisor, terminalio, time, vectorio
import circuit9.gc as cgc, circuit9.os as cos, circuit9.time as ctime
cb = circuit9_board

NS = {}       # the case's variables (v0, v1, ...): what Evil objects act on
PANELS = []   # virtual panels made by make_display, detached after the case


class FuzzStop(Exception):
    """Raised on purpose by the fuzzer's own objects."""


def act(action, target):
    """A mutation run from inside a call: what code called back from C may do."""
    obj = NS.get(target)
    try:
        if action == "deinit" and hasattr(obj, "deinit"):
            obj.deinit()
        elif action == "release":
            displayio.release_displays()
        elif action == "pop" and hasattr(obj, "pop"):
            obj.pop()
        elif action == "unroot" and hasattr(obj, "root_group"):
            obj.root_group = None
        elif action == "del":
            NS.pop(target, None)
        elif action == "refresh" and hasattr(obj, "refresh"):
            obj.refresh()
        elif action == "hide" and hasattr(obj, "hidden"):
            obj.hidden = not obj.hidden
        elif action == "rotate" and hasattr(obj, "rotation"):
            obj.rotation = (obj.rotation + 90) % 360
        elif action == "fill" and hasattr(obj, "fill"):
            obj.fill(1)
        elif action == "reshape":  # a shape's geometry memory replaced
            if hasattr(obj, "points"):
                obj.points = [(0, 0), (9, 1), (2, 7), (5, 3)]
            elif hasattr(obj, "radius"):
                obj.radius = obj.radius % 50 + 3
            elif hasattr(obj, "width") and hasattr(obj, "color_index"):
                obj.width = 40
        elif action == "reshade" and hasattr(obj, "pixel_shader"):  # the old shader dropped
            obj.pixel_shader = displayio.Palette(2) if obj.pixel_shader is None or \
                isinstance(obj.pixel_shader, displayio.ColorConverter) else displayio.ColorConverter()
        elif action == "raise":
            raise FuzzStop(target)
        obj = None
        gc.collect()
    except (ValueError, TypeError, IndexError, RuntimeError, AttributeError, BufferError, OSError,
            MemoryError, KeyError, NotImplementedError, OverflowError):
        pass


class Evil:
    """A value that runs `act` when Python code asks it for its value."""

    def __init__(self, value, action, target):
        self.value, self.action, self.target = value, action, target

    def _go(self):
        act(self.action, self.target)

    def __index__(self):
        self._go()
        return int(self.value)

    def __int__(self):
        self._go()
        return int(self.value)

    def __float__(self):
        self._go()
        return float(self.value)

    def __bool__(self):
        self._go()
        return bool(self.value)

    def __len__(self):
        self._go()
        return 9

    def __getitem__(self, i):
        self._go()
        if isinstance(i, int) and i >= 9:
            raise IndexError(i)
        return int(self.value)

    def __iter__(self):
        self._go()
        return iter([int(self.value)] * 9)

    def __call__(self, *args):
        self._go()
        return self.value


class EvilFile(io.BufferedIOBase):
    """A binary file whose readinto() acts at its at-th call and keeps the buffers it was given."""

    def __init__(self, data, at, action, target):
        self.b, self.at, self.action, self.target, self.n, self.kept = io.BytesIO(data), at, action, target, 0, []

    def readable(self):
        return True

    def seek(self, off, whence=0):
        return self.b.seek(off, whence)

    def readinto(self, mv):
        self.n += 1
        self.kept.append(mv)
        if self.n == self.at:
            act(self.action, self.target)
        return self.b.readinto(mv)


class IntSub(int):
    pass


class FloatSub(float):
    pass


class StrSub(str):
    pass


def _bmp(w, h):
    """A 24-bit Windows BMP, bottom-up rows, written by hand."""
    stride = (w * 3 + 3) & ~3
    rows = b"".join(bytes(v for x in range(w) for v in ((x * 9 + y) & 255, (y * 7) & 255, (x ^ y) & 255)) +
                    bytes(stride - w * 3) for y in range(h))
    head = b"BM" + (54 + len(rows)).to_bytes(4, "little") + bytes(4) + (54).to_bytes(4, "little")
    dib = ((40).to_bytes(4, "little") + w.to_bytes(4, "little") + h.to_bytes(4, "little") +
           (1).to_bytes(2, "little") + (24).to_bytes(2, "little") + bytes(24))
    return head + dib + rows


BMP = _bmp(12, 9)
BMP8 = (b"BM" + (54 + 1024 + 16).to_bytes(4, "little") + bytes(4) + (54 + 1024).to_bytes(4, "little") +
        (40).to_bytes(4, "little") + (4).to_bytes(4, "little") + (4).to_bytes(4, "little") +
        (1).to_bytes(2, "little") + (8).to_bytes(2, "little") + bytes(24) +
        bytes(range(256)) * 4 + bytes(range(16)))


def _subclasses():
    """A subclass of every class of every binding (the package's own modules, so that a new binding
    is covered without changes)."""
    import importlib
    subs = {}
    for modname in circuit9.module_names:
        mod = importlib.import_module("circuit9." + modname)
        for name in dir(mod):
            cls = getattr(mod, name)
            if isinstance(cls, type) and not name.startswith("_"):
                try:
                    subs["Sub_%s_%s" % (modname, name)] = type("Sub" + name, (cls,), {})
                except TypeError:
                    pass
    return subs


globals().update(_subclasses())


def make_display(kind):
    """A working display stack on fixed virtual pins (the way tests build one)."""
    P = cb.pin
    if kind == "spi":
        panel = cb.Panel("ST7789", glass_width=64, glass_height=48)
        PANELS.append(panel)
        panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"))
        spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
        bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"))
        return busdisplay.BusDisplay(bus, b"\x11\x80\x0a\x29\x80\x0a", width=64, height=48, auto_refresh=False)
    if kind == "i2c":
        panel = cb.Panel("SSD1306")
        PANELS.append(panel)
        panel.attach_i2c(P("GPIO41"), P("GPIO42"), address=0x3C)
        i2c = busio.I2C(P("GPIO41"), P("GPIO42"))
        bus = i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3C)
        return busdisplay.BusDisplay(bus, b"\xae\x00\xaf\x00", width=128, height=64, color_depth=1, grayscale=True,
                                     pixels_in_byte_share_row=False, data_as_commands=True,
                                     set_column_command=0x21, set_row_command=0x22, single_byte_bounds=True,
                                     auto_refresh=False)
    panel = cb.Panel("ILI9341", glass_width=32, glass_height=24)
    PANELS.append(panel)
    data = [P("GPIO%d" % n) for n in range(8, 16)]
    panel.attach_parallel(data0=data[0], chip_select=P("GPIO6"), command=P("GPIO5"), write=P("GPIO4"))
    bus = paralleldisplaybus.ParallelBus(data0=data[0], command=P("GPIO5"), chip_select=P("GPIO6"),
                                         write=P("GPIO4"))
    return busdisplay.BusDisplay(bus, b"\x11\x80\x0a\x29\x80\x0a", width=32, height=24, auto_refresh=False)


def cleanup():
    NS.clear()
    gc.enable()
    displayio.release_displays()
    while PANELS:
        p = PANELS.pop()
        try:
            p.detach()
        except Exception:
            pass
    gc.collect()
'''

# ---- value and statement generation ----------------------------------------------------------------

INTS = [0, 1, -1, 2, 3, 4, 7, 8, 9, 15, 16, 31, 32, 63, 64, 100, 127, 128, 255, 256, 1023, 1024, 4095, 4096,
        32767, 32768, -32768, -32769, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1, 2 ** 32 - 1,
        2 ** 32, 2 ** 63 - 1, 2 ** 63, -2 ** 63, 2 ** 64, 10 ** 30, -10 ** 30]
FLOATS = ["0.0", "-0.0", "0.5", "1.0", "-1.5", "2.5", "359.9", "1e300", "-1e300", "1e-300", "float('inf')",
          "float('-inf')", "float('nan')"]
STRS = ['""', '"a"', '"abc"', '"x" * 5000', '"\\x00"', '"A\\x00B"', '"\\u00e9\\u2603"', '"\\ud800"', '"/"',
        '"sub"', '"GPIO1"', '"RGB565"', '"nope"', 'StrSub("a")']
PATHS = ['"a"', '"b.txt"', '"sub"', '"sub/c"', '"p.bmp"', '"photo.jpg"', '"settings.toml"', '""', '"\\x00"',
         '"a\\x00b"', '"x" * 300', '"\\u00e9"', '"/nonexistent/q"', '"./sub"', 'StrSub("sub")']
PINS = ['"GPIO%d"' % n for n in range(0, 49)] + ['"PA02"', '"PA16"', '"NOPE"', '""']
BUFS = ['b""', 'b"\\x00"', 'bytes(16)', 'bytes(range(256))', 'bytearray(8)', 'bytearray(4096)',
        'memoryview(bytearray(64))', 'memoryview(b"abc")', 'array.array("H", range(16))',
        'array.array("i", [1, -1, 5])', 'array.array("f", [0.5, 2.0])', 'array.array("B", bytes(96))',
        'BMP', 'BMP8', 'JPEG', 'bytearray(BMP)', 'BAD_JPEG']
OTHERS = ['None', 'True', 'False', 'object()', '[]', '[1, 2, 3]', '[0] * 9', '[1] * 25', '(1, 2)', '(0, 0)',
          '(-1, 5)', '(3, 4, 5)', '{}', '{"a": 1}', 'lambda *a: 0', 'lambda v: v', 'lambda a, b: a', 'print',
          'displayio', 'displayio.Group', 'Exception("x")', 'IntSub(3)', 'IntSub(2 ** 40)', 'FloatSub(0.5)',
          'io.BytesIO(BMP)', 'io.BytesIO(BMP8)', 'io.BytesIO(JPEG)', 'io.BytesIO(b"")', 'io.BytesIO(BAD_JPEG)',
          'displayio.Colorspace.RGB565', 'displayio.Colorspace.RGB565_SWAPPED', 'displayio.Colorspace.L8',
          'bitmaptools.BlendMode.Normal', 'bitmaptools.DitherAlgorithm.Atkinson',
          'microcontroller.RunMode.NORMAL', 'terminalio.FONT', 'displayio.CIRCUITPYTHON_TERMINAL',
          'bitmapfilter.ChannelScale(0.5, 1, 2)', 'bitmapfilter.ChannelMixer(*([0.5] * 9))',
          'bitmapfilter.ChannelScaleOffset(1, 0, 1, 0, 1, 0)', 'cb.pin("GPIO3")', 'board',
          'vectorio.Circle(pixel_shader=displayio.Palette(2), radius=3)', '[(0, 0), (4, 0), (0, 4)]',
          '[(0, 0), (40000, 1), (-5, 9)]', '[(1, 2)] * 40000', 'Sub_displayio_Group.__new__(Sub_displayio_Group)',
          'displayio.Palette.__new__(displayio.Palette)', 'displayio.Bitmap.__new__(displayio.Bitmap)']
ACTIONS = ["deinit", "release", "pop", "unroot", "del", "refresh", "hide", "rotate", "fill", "raise", "gc", "reshape",
           "reshade"]
KWNAMES = ["x", "y", "x1", "y1", "x2", "y2", "value", "mask", "weights", "bitmap", "dest_bitmap", "source_bitmap",
           "skip_index", "skip_source_index", "skip_dest_index", "skip_self_index", "angle", "scale", "ox", "oy",
           "px", "py", "source_clip0", "source_clip1", "dest_clip0", "dest_clip1", "fill_color_value",
           "replaced_color_value", "key", "default", "table", "lookup", "palette", "threshold", "offset",
           "invert", "mul", "add", "factor1", "factor2", "factor_1", "blendmode", "colorspace", "algorithm",
           "element_size", "bits_per_pixel", "reverse_pixels_in_element", "swap_bytes_in_element",
           "reverse_rows", "data", "command", "toggle_every_byte", "start", "end", "buffer", "address",
           "frequency", "timeout", "readonly", "filename", "reload_on_success", "sticky_on_error", "radius",
           "xs", "ys", "close", "x0", "y0", "file", "source_colorspace", "dest", "src1", "src2", "threshold",
           "target_frames_per_second", "minimum_frames_per_second", "touch_tuple", "index", "color",
           "input_colorspace", "dither", "color_count", "mount_path", "filesystem", "path", "run_mode",
           "delay", "level", "seconds", "direction", "pull", "drive_mode", "width", "height", "points", "pixel_shader",
           "color_index", "location", "bogus_kw"]
# Functions whose arguments are kept harmless: they sleep, or they reach the host's files.
SLEEPY = {"time.sleep", "circuit9_board.sleep_ms", "microcontroller.delay_us"}
SMALL = ["0", "0.001", "-1", "1", "None", '"a"', "1e-9", "0.0"]
PATHY_MODULES = {"os", "storage"}
PATHY_CALLS = {"supervisor.set_next_code_file", "displayio.OnDiskBitmap", "jpegio.JpegDecoder.open",
               "circuit9_board.Panel.save_png"}
PATHY_METHODS = {"save_png", "mkdir", "remove", "rename", "rmdir", "unlink", "chdir", "open", "listdir", "stat",
                 "statvfs", "mount"}
SKIP_CALLS = {"circuit9_board.virtual_clock"}  # the clock stays virtual: no real sleeping

DISPLAY_KINDS = ["spi", "i2c", "parallel"]


class Gen:
    """Generates one case's statements from its own random stream."""

    def __init__(self, inv, rng):
        self.inv, self.r = inv, rng
        self.vars = []  # (name, kind) where kind is a class path or "any"
        self.lines = []

    # values ------------------------------------------------------------------------------------

    def var(self, kind=None):
        cands = [n for n, k in self.vars if kind is None or k == kind]
        return self.r.choice(cands) if cands else None

    def value(self, path_like=False, depth=0):
        """Source text of an argument. For calls that reach the host's files (path_like), strings
        come only from PATHS (relative, no ".."), and no variable is used (a variable may hold "/")."""
        r = self.r
        roll = r.random()
        if path_like and (roll < 0.6 or 0.30 <= roll < 0.37 or 0.58 <= roll < 0.85):
            return r.choice(PATHS)
        if path_like and roll >= 0.85:
            return repr(r.choice(INTS))
        if roll < 0.22:
            return repr(r.choice(INTS)) if r.random() < 0.8 else str(r.randrange(-50, 300))
        if roll < 0.30:
            return r.choice(FLOATS)
        if roll < 0.37:
            return r.choice(STRS)
        if roll < 0.45:
            return r.choice(BUFS)
        if roll < 0.58:
            return r.choice(OTHERS)
        if roll < 0.85:
            v = self.var()
            if v:
                return v
            return repr(r.choice(INTS))
        if roll < 0.93:
            return self.evil()
        if depth < 2:
            n = r.randrange(0, 5)
            items = ", ".join(self.value(depth=depth + 1) for _ in range(n))
            return ("(%s,)" if r.random() < 0.5 and n else "[%s]") % items
        return "None"

    def evil(self):
        r = self.r
        target = self.var() or "v0"
        action = r.choice(ACTIONS)
        if r.random() < 0.3:
            data = r.choice(["BMP", "BMP8", "JPEG", "BAD_JPEG", 'b""'])
            return "EvilFile(%s, %d, %r, %r)" % (data, r.randrange(1, 40), action, target)
        return "Evil(%s, %r, %r)" % (r.choice(["0", "1", "2", "7", "-1", "65535", "2 ** 31", "0.5"]), action, target)

    def args(self, cls_path, sig):
        r = self.r
        pathy = (cls_path.split(".")[0] in PATHY_MODULES or cls_path in PATHY_CALLS or
                 cls_path.rsplit(".", 1)[-1] in PATHY_METHODS)
        if cls_path in SLEEPY:
            return ", ".join(r.choice(SMALL) for _ in range(r.randrange(0, 2)))
        if cls_path == "circuit9_board.pin":
            return r.choice(PINS)
        npos = r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6]) if not sig else min(len(sig[0]) + r.randrange(-1, 2), 8)
        pos = [self.value(pathy) for _ in range(max(0, npos))]
        kws = []
        names = list(sig[1]) if sig else []
        for name in names:
            if r.random() < 0.4:
                kws.append("%s=%s" % (name, self.value(pathy)))
        if r.random() < 0.15:
            kws.append("%s=%s" % (r.choice(KWNAMES), self.value(pathy)))
        seen, out = set(), []
        for k in kws:
            if k.split("=")[0] not in seen:
                seen.add(k.split("=")[0])
                out.append(k)
        return ", ".join(pos + out)

    # statements --------------------------------------------------------------------------------

    def new_var(self, kind):
        name = "v%d" % len(self.vars)
        self.vars.append((name, kind))
        return name

    def emit(self, line):
        self.lines.append(line)

    def scene(self):
        """A display showing a tree with an on-disk bitmap whose file acts during the refresh."""
        r = self.r
        d = self.new_var("busdisplay.BusDisplay")
        self.emit("displayio.release_displays(); %s = make_display(%r)" % (d, r.choice(DISPLAY_KINDS)))
        g, bm, pal, o = (self.new_var("displayio.Group"), self.new_var("displayio.Bitmap"),
                         self.new_var("displayio.Palette"), self.new_var("displayio.OnDiskBitmap"))
        t1, t2 = self.new_var("displayio.TileGrid"), self.new_var("displayio.TileGrid")
        sh = self.new_var(self.shape_kind())
        target = r.choice([g, bm, pal, o, t1, t2, d, sh, sh, self.var() or g])
        self.emit("%s = displayio.Group(x=%d, y=%d); %s = displayio.Bitmap(16, 16, 4); "
                  "%s = displayio.Palette(4); %s[1] = 0xFF0000" % (g, r.randrange(-4, 8), r.randrange(-4, 8), bm,
                                                                   pal, pal))
        # The 12 x 9 BMP takes about 4 reads to open and one per row; the 8-bit one fewer rows and
        # one read per palette entry: the file acts while the refresh reads its rows.
        self.emit("%s = displayio.OnDiskBitmap(EvilFile(%s, %d, %r, %r))" % (
            o, r.choice(["BMP", "BMP8"]), r.randrange(5, 13), r.choice(ACTIONS), target))
        self.emit("%s = displayio.TileGrid(%s, pixel_shader=%s, x=%d); %s = displayio.TileGrid(%s, "
                  "pixel_shader=%s.pixel_shader, y=%d)" % (t1, bm, pal, r.randrange(0, 20), t2, o, o,
                                                            r.randrange(0, 20)))
        self.emit("%s.append(%s); %s.append(%s)" % (g, t1, g, t2) if r.random() < 0.5 else
                  "%s.append(%s); %s.insert(0, %s)" % (g, t2, g, t1))
        # A shape drawn after the on-disk bitmap's rows (or before): the file's action may drop it,
        # change its shader or points while the refresh is under way.
        self.emit("%s = %s; %s.insert(%d, %s)" % (sh, self.shape(pal), g, r.randrange(0, 3), sh))
        self.emit("%s.root_group = %s" % (d, g))
        self.emit("%s.refresh()" % d)

    SHAPES = ["vectorio.Circle", "vectorio.Rectangle", "vectorio.Polygon"]

    def shape_kind(self):
        self._shape = self.r.choice(self.SHAPES)
        return self._shape

    def shape(self, shader=None):
        """Source text of a working vectorio shape of the kind shape_kind() chose."""
        r = self.r
        shader = shader or self.var("displayio.Palette") or r.choice(
            ["displayio.Palette(3)", "displayio.ColorConverter()"])
        where = "x=%d, y=%d, color_index=%d" % (r.randrange(-10, 70), r.randrange(-10, 50), r.randrange(0, 4))
        if self._shape == "vectorio.Circle":
            return "vectorio.Circle(pixel_shader=%s, radius=%d, %s)" % (shader, r.randrange(1, 40), where)
        if self._shape == "vectorio.Rectangle":
            return "vectorio.Rectangle(pixel_shader=%s, width=%d, height=%d, %s)" % (
                shader, r.randrange(1, 70), r.randrange(1, 50), where)
        pts = [(r.randrange(-20, 60), r.randrange(-20, 50)) for _ in range(r.randrange(3, 9))]
        return "vectorio.Polygon(pixel_shader=%s, points=%r, %s)" % (shader, pts, where)

    def recipe(self):
        r = self.r
        choice = r.randrange(12)
        if choice == 0:
            w, h = r.choice([1, 2, 8, 16, 33, 64]), r.choice([1, 3, 8, 16, 48])
            self.emit("%s = displayio.Bitmap(%d, %d, %d)" % (self.new_var("displayio.Bitmap"), w, h,
                                                              r.choice([2, 3, 16, 256, 65536])))
        elif choice == 1:
            v = self.new_var("displayio.Palette")
            self.emit("%s = displayio.Palette(%d)" % (v, r.choice([1, 2, 4, 16, 256])))
            self.emit("%s[0] = 0x%06X" % (v, r.randrange(1 << 24)))
        elif choice == 2:
            self.emit("%s = displayio.Group(scale=%d, x=%d, y=%d)" % (
                self.new_var("displayio.Group"), r.choice([1, 1, 2, 3]), r.randrange(-8, 40), r.randrange(-8, 40)))
        elif choice == 3:
            b, p = self.var("displayio.Bitmap") or self.var(), self.var("displayio.Palette") or "displayio.Palette(4)"
            if b:
                self.emit("%s = displayio.TileGrid(%s, pixel_shader=%s, width=%d, height=%d, x=%d, y=%d)" % (
                    self.new_var("displayio.TileGrid"), b, p, r.choice([1, 2, 3]), r.choice([1, 2]),
                    r.randrange(-5, 40), r.randrange(-5, 30)))
        elif choice == 4:
            src = r.choice(["io.BytesIO(BMP)", "io.BytesIO(BMP8)", "EvilFile(BMP, %d, %r, %r)" % (
                r.randrange(1, 60), r.choice(ACTIONS), self.var() or "v0")])
            o = self.new_var("displayio.OnDiskBitmap")
            self.emit("%s = displayio.OnDiskBitmap(%s)" % (o, src))
            self.emit("%s = displayio.TileGrid(%s, pixel_shader=%s.pixel_shader)" % (
                self.new_var("displayio.TileGrid"), o, o))
        elif choice == 5:
            self.emit("%s = make_display(%r)" % (self.new_var("busdisplay.BusDisplay"), r.choice(DISPLAY_KINDS)))
        elif choice == 6:
            d, g = self.var("busdisplay.BusDisplay"), self.var("displayio.Group")
            if d and g:
                self.emit("%s.root_group = %s" % (d, g))
                self.emit("%s.refresh()" % d)
        elif choice == 7:
            g, l = self.var("displayio.Group"), self.var("displayio.TileGrid") or self.var("displayio.Group")
            if g and l:
                self.emit("%s.append(%s)" % (g, l))
        elif choice == 8:
            v = self.new_var("jpegio.JpegDecoder")
            self.emit("%s = jpegio.JpegDecoder()" % v)
            self.emit("%s.open(%s)" % (v, r.choice(["JPEG", "io.BytesIO(JPEG)", "BAD_JPEG", "bytearray(JPEG)"])))
        elif choice == 10:
            self.emit("%s = %s" % (self.new_var(self.shape_kind()), self.shape()))
        elif choice == 11:
            g = self.var("displayio.Group")
            s = next((n for n, k in reversed(self.vars) if k.startswith("vectorio.")), None)
            if g and s:
                self.emit("%s.%s" % (g, r.choice(["append(%s)" % s, "insert(0, %s)" % s, "remove(%s)" % s,
                                                  "index(%s)" % s])))
        else:
            self.emit("%s = displayio.ColorConverter(input_colorspace=displayio.Colorspace.%s, dither=%s)" % (
                self.new_var("displayio.ColorConverter"), r.choice(["RGB565", "RGB888", "L8", "BGR555_SWAPPED"]),
                r.choice(["True", "False"])))

    def call_function(self):
        path, sig = self.r.choice(self.inv["functions"])
        if path in SKIP_CALLS:
            return
        mod, name = path.rsplit(".", 1)
        line = "%s.%s(%s)" % (mod, name, self.args(path, sig))
        if self.r.random() < 0.3:
            line = "%s = %s" % (self.new_var("any"), line)
        self.emit(line)

    def construct(self):
        path, sig = self.r.choice(self.inv["classes"])
        mod, name = path.rsplit(".", 1)
        ctor = "%s.%s" % (mod, name)
        if self.r.random() < 0.2 and ("Sub_%s_%s" % (mod, name)) in self.inv["subclasses"]:
            ctor = "Sub_%s_%s" % (mod, name)
        roll = self.r.random()
        if roll < 0.1:
            # A blank object: made but never constructed (NotImplementedError from everything
            # that uses it, as on a board when a subclass skips super().__init__()).
            self.emit("%s = %s.__new__(%s)" % (self.new_var(path), ctor, ctor))
        elif roll < 0.15 and self.vars:
            # __init__ again, or on a blank object (RuntimeError when already constructed).
            name_, kind = self.r.choice(self.vars)
            self.emit("%s.__init__(%s)" % (name_, self.args(kind, self.sig_of(kind))))
        else:
            self.emit("%s = %s(%s)" % (self.new_var(path), ctor, self.args(path, sig)))

    def sig_of(self, path):
        return next((sig for p, sig in self.inv["classes"] if p == path), None)

    def use_object(self):
        r = self.r
        if not self.vars:
            return self.recipe()
        name, kind = r.choice(self.vars)
        members = self.inv["members"].get(kind) or self.inv["all_members"]
        member, mkind = r.choice(members)
        if mkind == "method":
            line = "%s.%s(%s)" % (name, member, self.args("%s.%s" % (kind, member), None))
            if r.random() < 0.2:
                line = "%s = %s" % (self.new_var("any"), line)
        elif mkind == "attr":
            roll = r.random()
            if roll < 0.45:
                line = "%s = %s.%s" % (self.new_var("any"), name, member)
            elif roll < 0.9:
                line = "%s.%s = %s" % (name, member, self.value())
            else:
                line = "del %s.%s" % (name, member)
        else:
            line = "%s.%s" % (name, member)
        self.emit(line)

    def item_ops(self):
        r = self.r
        name = self.var()
        if not name:
            return self.recipe()
        roll = r.random()
        key = r.choice([self.value(), repr(r.randrange(-3, 10)), "(%d, %d)" % (r.randrange(-2, 20), r.randrange(-2, 20))])
        if roll < 0.3:
            self.emit("%s = %s[%s]" % (self.new_var("any"), name, key))
        elif roll < 0.6:
            self.emit("%s[%s] = %s" % (name, key, self.value()))
        elif roll < 0.7:
            self.emit("del %s[%s]" % (name, key))
        elif roll < 0.8:
            self.emit("len(%s)" % name)
        elif roll < 0.9:
            self.emit("list(%s)" % name)
        else:
            self.emit("%s in %s" % (self.value(), name))

    def lifecycle(self):
        r = self.r
        name = self.var()
        roll = r.random()
        if roll < 0.35 and name:
            self.emit("%s.deinit()" % name)
        elif roll < 0.55 and name:
            self.emit("del %s" % name)
        elif roll < 0.75:
            self.emit("gc.collect()")
        elif roll < 0.9:
            self.emit("displayio.release_displays()")
        else:
            d = self.var("busdisplay.BusDisplay")
            self.emit("%s.refresh()" % d if d else "cb.background()")

    def case(self, steps):
        kinds = [self.recipe] * 6 + [self.construct] * 4 + [self.call_function] * 5 + [self.use_object] * 8 + \
                [self.item_ops] * 3 + [self.lifecycle] * 3 + [self.scene]
        for _ in range(steps):
            self.r.choice(kinds)()
        return self.lines


def inventory():
    """Every public class (with its methods and attributes) and function of every module, sorted."""
    import importlib
    import re

    import circuit9

    circuit9.install_aliases()
    classes, functions, members, all_members = [], [], {}, set()
    sig_re = re.compile(r"^\s*\w+\((.*?)\)")

    def signature(obj):
        m = sig_re.match((getattr(obj, "__doc__", None) or "").split("\n")[0])
        if not m:
            return None
        pos, kw, star = [], [], False
        for part in m.group(1).split(","):
            part = part.strip()
            if part in ("*", ""):
                star = star or part == "*"
                continue
            name = part.split("=")[0].strip().lstrip("*")
            if not name.isidentifier():
                continue
            kw.append(name)
            if not star and "=" not in part:
                pos.append(name)
        return (pos, kw)

    for modname in sorted(circuit9.module_names):
        mod = importlib.import_module("circuit9." + modname)
        for name in sorted(dir(mod)):
            if name.startswith("_"):
                continue
            obj = getattr(mod, name)
            path = "%s.%s" % (modname, name)
            if isinstance(obj, type):
                classes.append((path, signature(obj)))
                ms = []
                for m in sorted(dir(obj)):
                    if m.startswith("__") and m not in ("__enter__", "__exit__"):
                        continue
                    attr = getattr(obj, m, None)
                    kind = "method" if callable(attr) and not isinstance(attr, type) else "attr"
                    if type(attr).__name__ == "getset_descriptor" or type(attr).__name__ == "member_descriptor":
                        kind = "attr"
                    ms.append((m, kind))
                members[path] = ms
                all_members.update(ms)
            elif callable(obj):
                functions.append((path, signature(obj)))
    return {"classes": classes, "functions": functions, "members": members, "all_members": sorted(all_members)}


def generate(inv, seed, case, steps):
    return Gen(inv, random.Random("%s:%d" % (seed, case))).case(steps)


# ---- the worker: runs cases in this process --------------------------------------------------------

def case_script(seed, case, lines, jpeg, bad_jpeg):
    """A standalone reproducer: the prelude, the data, each statement under the same checks."""
    out = ["# circuit9 pyfuzz seed=%s case=%d: run with the build's package on PYTHONPATH" % (seed, case),
           "# (and LD_PRELOAD of the sanitizer runtimes for build-asan), from an empty folder.",
           PRELUDE,
           "JPEG = bytes.fromhex(%r)" % jpeg.hex(),
           "BAD_JPEG = bytes.fromhex(%r)" % bad_jpeg.hex(),
           "ALLOWED, FORBIDDEN = %r, %r" % (ALLOWED, FORBIDDEN),
           "NS.update({k: v for k, v in globals().items() if not k.startswith('__')})",
           "for _line in %r:" % (lines,),
           "    print('>>>', _line, flush=True)",
           "    try:",
           "        exec(_line, NS)",
           "    except NameError:",
           "        pass",
           "    except BaseException as _e:",
           "        _names = [c.__name__ for c in type(_e).__mro__]",
           "        if any(n in FORBIDDEN for n in _names) or not any(n in ALLOWED for n in _names):",
           "            raise",
           "        print('   ', type(_e).__name__, _e)",
           "cleanup()"]
    return "\n".join(out) + "\n"


def allowed(exc):
    names = [c.__name__ for c in type(exc).__mro__]
    if any(n in FORBIDDEN for n in names):
        return False
    return any(n in ALLOWED for n in names)


def worker(args):
    import resource

    if "asan" not in os.environ.get("LD_PRELOAD", ""):
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))  # without the sanitizer's own limits
    sandbox = tempfile.mkdtemp(prefix="pyfuzz-")
    os.chdir(sandbox)
    g = {}
    exec(compile(PRELUDE, "<pyfuzz prelude>", "exec"), g)
    jpeg = open(os.path.join(ROOT, "tests", "fixtures", "jpeg", "odd_420_37x29.jpg"), "rb").read()
    bad_jpeg = open(os.path.join(ROOT, "tests", "fixtures", "jpeg", "bad_trunc_data.jpg"), "rb").read()
    g["JPEG"], g["BAD_JPEG"] = jpeg, bad_jpeg
    ns = g["NS"]
    ns.update({k: v for k, v in g.items() if not k.startswith("__")})
    base = dict(ns)
    inv = inventory()
    inv["subclasses"] = {k for k in g if k.startswith("Sub_")}
    progress = open(args.progress, "a", buffering=1)
    deadline = time.monotonic() + args.seconds
    case = args.start
    while (args.cases is None or case < args.start + args.cases) and time.monotonic() < deadline:
        # A fresh sandbox folder and namespace: a case depends on its seed and number alone.
        os.chdir(sandbox)
        for entry in os.listdir(sandbox):
            p = os.path.join(sandbox, entry)
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        os.mkdir("sub")
        with open("p.bmp", "wb") as f:
            f.write(g["BMP"])
        with open("photo.jpg", "wb") as f:
            f.write(jpeg)
        with open("settings.toml", "w") as f:
            f.write('A = "1"\nB = 2\n')
        g["cb"].virtual_clock(True)
        lines = generate(inv, args.seed, case, args.steps)
        with open(os.path.join(args.out, "case.py"), "w") as f:
            f.write(case_script(args.seed, case, lines, jpeg, bad_jpeg))
        progress.write("start %d\n" % case)
        ns.clear()
        ns.update(base)
        for i, line in enumerate(lines):
            try:
                exec(compile(line, "<case %d step %d>" % (case, i), "exec"), ns)
            except NameError:
                pass  # a variable whose constructor failed, or that was deleted
            except BaseException as e:  # noqa: B902 - the point is to see every exception
                if not allowed(e):
                    with open(os.path.join(args.out, "failure.txt"), "w") as f:
                        f.write("step %d: %s\n" % (i, line))
                        f.write("".join(traceback.format_exception(type(e), e, e.__traceback__)))
                    progress.write("fail %d\n" % case)
                    progress.flush()
                    os._exit(3)
        ns.clear()
        g["cleanup"]()
        progress.write("done %d\n" % case)
        case += 1
    progress.write("end %d\n" % case)
    progress.close()
    os.chdir("/")
    shutil.rmtree(sandbox, ignore_errors=True)
    os._exit(0)


# ---- the supervisor ------------------------------------------------------------------------------

def supervise(args):
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    keep = args.keep or tempfile.mkdtemp(prefix="pyfuzz-out-")
    os.makedirs(keep, exist_ok=True)
    progress = os.path.join(keep, "progress")
    open(progress, "w").close()
    env = dict(os.environ)
    env["C9_NO_DISPLAY_THREAD"] = "1"
    # Big allocations fail (MemoryError) rather than exhaust the machine; reports end the worker.
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "detect_leaks=0") +
                           ":allocator_may_return_null=1:max_allocation_size_mb=256:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    print("pyfuzz: seed %d, %s, %d statements per case, output in %s" % (
        seed, ("case %d" % args.case) if args.case is not None else ("%g s" % args.seconds), args.steps, keep),
        flush=True)
    start = args.case if args.case is not None else 0
    count = 1 if args.case is not None else args.cases
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--seed", str(seed), "--start", str(start),
           "--seconds", str(args.seconds if args.case is None else 1e9), "--steps", str(args.steps),
           "--progress", progress, "--out", keep]
    if count is not None:
        cmd += ["--cases", str(count)]
    t0 = time.monotonic()
    failures = 0
    while True:
        with open(os.path.join(keep, "stderr"), "wb") as err:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
            last_size, last_change, hung = os.path.getsize(progress), time.monotonic(), False
            while proc.poll() is None:
                time.sleep(0.5)  # polling the worker's progress file; no result depends on it
                size = os.path.getsize(progress)
                if size != last_size:
                    last_size, last_change = size, time.monotonic()
                elif time.monotonic() - last_change > args.hang:
                    proc.kill()
                    proc.wait()
                    hung = True
        rc = proc.returncode
        events = open(progress).read().split("\n")
        done = [int(e.split()[1]) for e in events if e.startswith("done ")]
        if rc == 0 and not hung:
            break
        why = ("hang: no progress for %d s" % args.hang if hung else
               "unexpected exception" if rc == 3 else "worker died (exit status %d)" % rc)
        failed_case = report(seed, keep, why)
        failures += 1
        left = args.seconds - (time.monotonic() - t0)
        if not args.keep_going or args.case is not None or left <= 1 or failed_case < 0:
            break
        i = cmd.index("--start")
        cmd[i + 1] = str(failed_case + 1)
        cmd[cmd.index("--seconds") + 1] = str(left)
    n = len(done)
    print("pyfuzz: %d cases run in %.0f s, %d failed" % (n + failures, time.monotonic() - t0, failures))
    if not failures and not args.keep:
        shutil.rmtree(keep, ignore_errors=True)
    return 1 if failures else 0


def report(seed, keep, why):
    events = [e for e in open(os.path.join(keep, "progress")).read().split("\n") if e]
    started = [int(e.split()[1]) for e in events if e.startswith("start ")]
    case = started[-1] if started else -1
    print("pyfuzz: FAILED: %s in case %d (seed %d)" % (why, case, seed))
    fail = os.path.join(keep, "failure.txt")
    if os.path.exists(fail):
        print(open(fail).read())
    err = open(os.path.join(keep, "stderr"), errors="replace").read()
    if err.strip():
        print("---- worker stderr (last 6000 characters) ----")
        print(err[-6000:])
    script = os.path.join(keep, "case.py")
    if os.path.exists(script):
        lines = open(script).read()
        body = lines[lines.index("for _line in"):]
        print("---- the case's statements ----")
        import ast

        for stmt in ast.literal_eval(body[len("for _line in "):body.index(":\n")]):
            print("   ", stmt)
        print("---- reproduce ----")
        print("    python3 %s --seed %d --case %d" % (os.path.relpath(__file__), seed, case))
        print("    or run the standalone script %s with the package on PYTHONPATH" %
              os.path.join(keep, "case-%d.py" % case))
        os.replace(script, os.path.join(keep, "case-%d.py" % case))
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    ap.add_argument("--seconds", type=float, default=60, help="time budget")
    ap.add_argument("--cases", type=int, default=None, help="at most this many cases")
    ap.add_argument("--case", type=int, default=None, help="run this case only")
    ap.add_argument("--steps", type=int, default=40, help="statements per case")
    ap.add_argument("--hang", type=float, default=60, help="seconds without progress that count as a hang")
    ap.add_argument("--keep", default=None, help="folder for the progress log, stderr and failing cases")
    ap.add_argument("--keep-going", action="store_true", help="after a failure, go on with the next case")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--progress", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
    sys.exit(supervise(args))


if __name__ == "__main__":
    main()
