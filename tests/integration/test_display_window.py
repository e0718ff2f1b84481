"""The SDL2 window: `circuit9 run` with DISPLAY pointing at an Xvfb server shows the panel's picture
(as a person sees the board, scaled), checked by grabbing the X screen; without DISPLAY it stays
headless. Skips cleanly when Xvfb, SDL2 or Pillow's X grab is not available."""
import os
import shutil
import subprocess
import time

import pytest
from conftest import BUILD

CODE = """
import time, board, displayio
d = board.DISPLAY
bmp = displayio.Bitmap(d.width, d.height, 4)
pal = displayio.Palette(4)
pal[0] = 0x0000FF                      # blue background: the window's extent
pal[1] = 0xFF0000
pal[2] = 0x00FF00
bmp.fill(0)
for y in range(12):
    for x in range(24):
        bmp[x, y] = 1                  # red block: top-left
for y in range(d.height - 6, d.height):
    for x in range(d.width - 10, d.width):
        bmp[x, y] = 2                  # green block: bottom-right
g = displayio.Group()
g.append(displayio.TileGrid(bmp, pixel_shader=pal))
d.root_group = g
print('shown', d.width, d.height, flush=True)
while True:
    time.sleep(0.05)
"""


def _sdl_linked(exe):
    out = subprocess.run(["ldd", exe], capture_output=True, text=True)
    return "libSDL2" in out.stdout


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
    ImageGrab = pytest.importorskip("PIL.ImageGrab", reason="python3-pil is needed to grab the X screen")
    from PIL import features

    if not features.check("xcb"):
        pytest.skip("Pillow was built without XCB: cannot grab the X screen")
    r, w = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(w), "-screen", "0", "1024x768x24", "-nolisten", "tcp", "-br"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        num = f.readline().strip()
    if not num:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield ":" + num, ImageGrab
    proc.terminate()
    proc.wait(10)


def _window_box(img):
    """Bounding box of the pixels that are not the black root window."""
    return img.convert("RGB").point(lambda v: 255 if v > 40 else 0).convert("L").getbbox()


@pytest.mark.parametrize("name,size", [("memento", (240, 240)), ("tdisplay_s3", (320, 170))])
def test_window_shows_the_panel(name, size, xserver, tmp_path):
    display, ImageGrab = xserver
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "code.py").write_text(CODE)
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("SDL_VIDEODRIVER", None)
    proc = subprocess.Popen([os.path.join(BUILD, "circuit9"), "run", str(drive), "--board", name],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = b""
        while b"shown" not in line:
            line = proc.stdout.readline()
            assert line, "circuit9 ended early: " + proc.stderr.read().decode()
        # The window is drawn by the display's background refresh: wait (never assert on time)
        # until the whole picture is on the X screen.
        scale = 2
        want = (size[0] * scale, size[1] * scale)
        deadline = time.monotonic() + 30
        while True:
            img = ImageGrab.grab(xdisplay=display).convert("RGB")
            box = _window_box(img)
            px = img.load()
            if box and (box[2] - box[0], box[3] - box[1]) == want:
                x0, y0, x1, y1 = box
                if px[x1 - 1, y1 - 1] == (0, 255, 0):
                    break
            assert time.monotonic() < deadline, "window never showed the picture (box %r)" % (box,)
            time.sleep(0.2)
        # What a person sees on the board, scaled: red block at the top-left, green at the
        # bottom-right, blue elsewhere (landscape for the T-Display).
        assert px[x0, y0] == (255, 0, 0)
        assert px[x0 + 24 * scale - 1, y0 + 12 * scale - 1] == (255, 0, 0)
        assert px[x0 + 24 * scale, y0] == (0, 0, 255)
        assert px[x0, y0 + 12 * scale] == (0, 0, 255)
        assert px[x1 - 10 * scale, y1 - 6 * scale] == (0, 255, 0)
        assert px[x1 - 10 * scale - 1, y1 - 1] == (0, 0, 255)
        assert px[x1 - 1, y0] == (0, 0, 255) and px[x0, y1 - 1] == (0, 0, 255)
    finally:
        proc.kill()
        proc.wait(10)


def test_headless_without_display(tmp_path):
    """No DISPLAY: no window is tried (SDL would fail loudly), the run ends normally."""
    exe = os.path.join(BUILD, "circuit9")
    if not os.path.exists(exe):
        pytest.skip("circuit9 is not built")
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "code.py").write_text("print('headless')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["SDL_VIDEODRIVER"] = "x11"  # would fail without a server if a window were attempted
    out = subprocess.run([exe, "run", str(drive), "--runs", "1"], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert "headless" in out.stdout
    assert out.stderr == ""


BREAKOUT_CODE = """
import time, board, busdisplay, displayio, fourwire
INIT = b"\\x01\\x80\\x96\\x11\\x80\\xff\\x3a\\x81\\x55\\x0a\\x29\\x80\\xff\\x36\\x01\\xc0\\x21\\x00"
class Breakout(busdisplay.BusDisplay):
    def __init__(self, bus, **kw):
        super().__init__(bus, INIT, **kw)
bus = fourwire.FourWire(board.SPI(), command=board.D6, chip_select=board.D5, reset=board.D9)
d = Breakout(bus, width=240, height=135, rowstart=40, colstart=53, rotation=270)
bmp = displayio.Bitmap(240, 135, 2)
pal = displayio.Palette(2)
pal[0] = 0xFF0000                      # red: the breakout's extent
pal[1] = 0x00FF00
for y in range(10):
    for x in range(20):
        bmp[x, y] = 1                  # green block: top-left, so the picture must be upright
g = displayio.Group()
g.append(displayio.TileGrid(bmp, pixel_shader=pal))
d.root_group = g
print('shown', flush=True)
while True:
    time.sleep(0.05)
"""


def test_window_shows_a_breakout(xserver, tmp_path):
    """A display breakout the program wires gets a window of its own, upright (the board's own
    display keeps its window too)."""
    display, ImageGrab = xserver
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "code.py").write_text("import displayio\ndisplayio.release_displays()\n" + BREAKOUT_CODE)
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("SDL_VIDEODRIVER", None)
    proc = subprocess.Popen([os.path.join(BUILD, "circuit9"), "run", str(drive), "--board", "feather_s3_tft"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        line = b""
        while b"shown" not in line:
            line = proc.stdout.readline()
            assert line, "circuit9 ended early: " + proc.stderr.read().decode()
        from PIL import ImageChops

        # The breakout's picture, scaled by 2, wherever its window is: its pure green block marks the
        # top-left corner, the pure red the rest (the board's own display shows its console).
        deadline = time.monotonic() + 30
        while True:
            img = ImageGrab.grab(xdisplay=display).convert("RGB")
            r, g, b = img.split()
            pure_green = ImageChops.multiply(ImageChops.multiply(r.point(lambda v: 255 if v == 0 else 0),
                                                                 g.point(lambda v: 255 if v == 255 else 0)),
                                             b.point(lambda v: 255 if v == 0 else 0))
            box = pure_green.getbbox()
            if box and (box[2] - box[0], box[3] - box[1]) == (40, 20):
                px = img.load()
                x0, y0 = box[0], box[1]
                if px[x0, y0] == (0, 255, 0) and px[x0 + 479, y0 + 269] == (255, 0, 0):
                    break
            assert time.monotonic() < deadline, "no breakout window (green box %r)" % (box,)
            time.sleep(0.2)
        assert px[x0 + 39, y0 + 19] == (0, 255, 0) and px[x0 + 40, y0] == (255, 0, 0)
        assert px[x0, y0 + 20] == (255, 0, 0) and px[x0 + 479, y0] == (255, 0, 0)
    finally:
        proc.kill()
        proc.wait(10)
