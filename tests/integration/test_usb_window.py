"""Keys typed into the display window arrive as a USB keyboard on the board's host port: with an X
server (Xvfb) the window gets key presses through the XTEST extension, the port's window keyboard
sends them as HID reports, and CircuitPython's keyboard workflow makes them console input, so
input() on a Feather RP2040 USB Host with a display breakout reads what was typed. Skips cleanly
when Xvfb, SDL2 or libXtst is not there."""
import ctypes
import os
import select
import shutil
import subprocess
import time

import pytest
from conftest import BUILD

CODE = """
import board, busio, fourwire, busdisplay, time, usb.core
spi = busio.SPI(board.SCK, board.MOSI)
bus = fourwire.FourWire(spi, command=board.D5, chip_select=board.D6)
# SWRESET, SLPOUT, DISPON: a panel on free pins gets a stand-in breakout, and a window
display = busdisplay.BusDisplay(bus, bytes((0x01, 0x80, 150, 0x11, 0x80, 255, 0x29, 0x80, 255)),
                                width=240, height=240)
for i in range(500):  # the window's keyboard is plugged in when the window opens
    dev = usb.core.find()
    if dev:
        break
    time.sleep(0.02)
print("ready", hex(dev.idVendor), hex(dev.idProduct), dev.product, dev.is_kernel_driver_active(0), flush=True)
print("typed", repr(input()), flush=True)
"""


def _sdl_linked(exe):
    out = subprocess.run(["ldd", exe], capture_output=True, text=True)
    return "libSDL2" in out.stdout


class XTest:
    """Key presses through the X server's XTEST extension (libX11 and libXtst by ctypes)."""

    def __init__(self, display):
        try:
            self.x11 = ctypes.CDLL("libX11.so.6")
            self.xtst = ctypes.CDLL("libXtst.so.6")
        except OSError as e:
            pytest.skip("libX11/libXtst not loadable: %s" % e)
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x11.XStringToKeysym.restype = ctypes.c_ulong
        self.x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self.x11.XKeysymToKeycode.restype = ctypes.c_ubyte
        self.x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.x11.XFlush.argtypes = [ctypes.c_void_p]
        self.x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.x11.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
        self.x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + [ctypes.c_void_p] * 4
        self.x11.XFree.argtypes = [ctypes.c_void_p]
        self.xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.dpy = self.x11.XOpenDisplay(display.encode())
        if not self.dpy:
            pytest.skip("cannot open the X display")

    def focus_top_window(self):
        # No window manager: give the keyboard focus to the (only) top-level window, as a person
        # clicking into it would.
        root = self.x11.XDefaultRootWindow(self.dpy)
        r, p = ctypes.c_ulong(), ctypes.c_ulong()
        children, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        assert self.x11.XQueryTree(self.dpy, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(children),
                                   ctypes.byref(n))
        assert n.value >= 1, "no window"
        win = children[n.value - 1]
        self.x11.XFree(children)
        self.x11.XSetInputFocus(self.dpy, win, 1, 0)  # RevertToPointerRoot, CurrentTime
        self.x11.XFlush(self.dpy)

    def key(self, name, down):
        code = self.x11.XKeysymToKeycode(self.dpy, self.x11.XStringToKeysym(name.encode()))
        assert code, name
        self.xtst.XTestFakeKeyEvent(self.dpy, code, 1 if down else 0, 0)
        self.x11.XFlush(self.dpy)

    def type(self, names):
        for n in names:
            shift = n in ("H",)
            if shift:
                self.key("Shift_L", True)
            self.key(n, True)
            time.sleep(0.05)  # pacing like a person; the result never depends on it
            self.key(n, False)
            if shift:
                self.key("Shift_L", False)
            time.sleep(0.05)

    def close(self):
        self.x11.XCloseDisplay(self.dpy)


@pytest.fixture
def xserver():
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        pytest.skip("Xvfb is not installed (tools/install-deps.sh installs xvfb as an optional package)")
    exe = os.path.join(BUILD, "circuit9")
    if not os.path.exists(exe):
        pytest.skip("circuit9 is not built")
    if not _sdl_linked(exe):
        pytest.skip("circuit9 was built without SDL2 (libsdl2-dev)")
    r, w = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(w), "-screen", "0", "800x600x24", "-nolisten", "tcp", "-br"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield ":" + num
    proc.terminate()
    proc.wait(10)


def test_window_keys_are_a_usb_keyboard(xserver, tmp_path):
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "code.py").write_text(CODE)
    xt = XTest(xserver)
    env = dict(os.environ, DISPLAY=xserver)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("SDL_VIDEODRIVER", None)
    proc = subprocess.Popen([os.path.join(BUILD, "circuit9"), "run", str(drive), "--board", "feather_rp2040_usb_host",
                             "--runs", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    lines = []

    def line_starting(prefix):
        # waits (never asserting how long) for a line of the console, giving up after a while
        deadline = time.monotonic() + 30
        buf = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], 0.5)
            if r:
                chunk = os.read(proc.stdout.fileno(), 4096)
                assert chunk, "circuit9 ended early: %r" % (b"".join(lines) + buf)
                buf += chunk
                while b"\n" in buf:
                    ln, buf = buf.split(b"\n", 1)
                    lines.append(ln + b"\n")
                    if ln.startswith(prefix):
                        return ln.decode()
        raise AssertionError("no line %r; console: %r" % (prefix, b"".join(lines) + buf))

    try:
        ready = line_starting(b"ready")
        assert ready.split() == ["ready", "0x1209", "0x1", "Window", "Keyboard", "True"]
        xt.focus_top_window()
        xt.type(["H", "i", "space", "9", "Return"])
        assert line_starting(b"typed") == "typed 'Hi 9'"
    finally:
        xt.close()
        proc.kill()
        proc.wait(10)
