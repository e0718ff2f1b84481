"""The PyPortal (`--board pyportal`): its built-in ILI9341 on the 8-bit parallel bus shows what
board.DISPLAY is given, upright and in its colours; its 4-wire resistive touchscreen reads as
adafruit_touchscreen reads it (the plates driven through digitalio, measured through analogio),
untouched by default and touched through `--set` and `--events` on the device named
`touchscreen`; and its SAMD51 has two DACs and the TC/TCC timers. Programs wait for what the
events do, never for a time."""
import os
import subprocess

import pytest
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))


def run(drive, code, *args):
    (drive / "code.py").write_text(code)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([os.path.join(BUILD, "circuit9"), "run", str(drive), "--runs", "1", "--no-window",
                           "--board", "pyportal", *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120, env=env)


def output(p):
    text = p.stdout.replace("\r", "")
    assert "code.py output:\n" in text, p.stdout + p.stderr
    return text.split("code.py output:\n", 1)[1].split("\nCode done running.", 1)[0].rstrip("\n")


@pytest.fixture
def drive(tmp_path):
    d = tmp_path / "CIRCUITPY"
    d.mkdir()
    return d


# Reads the panel as a 4-wire touch driver does: drive one plate end to end and measure the other
# plate's free end (position); drive one end of each plate and measure the other two (pressure).
TOUCH = '''
import board, analogio, digitalio

def _measure(low, high, free, sense):
    with digitalio.DigitalInOut(low) as a, digitalio.DigitalInOut(high) as b:
        a.switch_to_output(value=False)
        b.switch_to_output(value=True)
        with digitalio.DigitalInOut(free) as f:
            f.switch_to_input()
            with analogio.AnalogIn(sense) as s:
                return s.value

def pressure():
    with digitalio.DigitalInOut(board.TOUCH_XR) as xr, digitalio.DigitalInOut(board.TOUCH_YD) as yd:
        xr.switch_to_output(value=False)
        yd.switch_to_output(value=True)
        with analogio.AnalogIn(board.TOUCH_XL) as xl, analogio.AnalogIn(board.TOUCH_YU) as yu:
            z1, z2 = xl.value, yu.value
    return 65535 - (z2 - z1)

def point():
    """(x, y, z) as 16-bit readings, or None below the touch threshold."""
    z = pressure()
    if z < 3000:
        return None
    x = _measure(board.TOUCH_YD, board.TOUCH_YU, board.TOUCH_XR, board.TOUCH_XL)
    y = _measure(board.TOUCH_XL, board.TOUCH_XR, board.TOUCH_YD, board.TOUCH_YU)
    return x, y, z
'''


def test_display_shows_a_tilegrid_upright(drive, tmp_path):
    shot = tmp_path / "shot.png"
    p = run(drive, TOUCH + '''
import displayio
d = board.DISPLAY
print(d.width, d.height, d.rotation, type(d.root_group).__name__)
bmp = displayio.Bitmap(320, 240, 4)
pal = displayio.Palette(4)
pal[0] = 0x000000
pal[1] = 0xFF0000
pal[2] = 0x0000FF
pal[3] = 0x00FF00
for x in range(40):
    for y in range(20):
        bmp[x, y] = 1
for x in range(280, 320):
    for y in range(200, 240):
        bmp[x, y] = 2
for x in range(150, 170):
    bmp[x, 120] = 3
g = displayio.Group()
g.append(displayio.TileGrid(bmp, pixel_shader=pal))
d.root_group = g
d.refresh()
print(point())
''', "--screenshot", str(shot))
    assert output(p) == "320 240 0 Group\nNone", p.stdout + p.stderr
    img = Image.open(shot).convert("RGB")
    assert img.size == (320, 240)
    # RGB565 on the wire: full red, green and blue stay full.
    assert img.getpixel((0, 0)) == (255, 0, 0)
    assert img.getpixel((39, 19)) == (255, 0, 0)
    assert img.getpixel((40, 19)) == (0, 0, 0)
    assert img.getpixel((319, 239)) == (0, 0, 255)
    assert img.getpixel((280, 200)) == (0, 0, 255)
    assert img.getpixel((279, 200)) == (0, 0, 0)
    assert img.getpixel((150, 120)) == (0, 255, 0)
    assert img.getpixel((150, 121)) == (0, 0, 0)


def test_untouched_plates_read_their_driven_ends(drive):
    p = run(drive, TOUCH + '''
with digitalio.DigitalInOut(board.TOUCH_XR) as xr, digitalio.DigitalInOut(board.TOUCH_YD) as yd:
    xr.switch_to_output(value=False)
    yd.switch_to_output(value=True)
    with analogio.AnalogIn(board.TOUCH_XL) as xl, analogio.AnalogIn(board.TOUCH_YU) as yu:
        print(xl.value, yu.value)
print(point())
''')
    # Untouched, each plate sits at the end that drives it: 0 V and 3.3 V, no pressure.
    assert output(p) == "0 65535\nNone", p.stdout + p.stderr


def test_set_touches_the_screen(drive):
    p = run(drive, TOUCH + '''
x, y, z = point()
print(round(x / 65535, 2), round(y / 65535, 2), z > 3000)
''', "--set", "touchscreen.x=0.25", "--set", "touchscreen.y=0.75", "--set", "touchscreen.pressed=1")
    assert output(p) == "0.25 0.75 True", p.stdout + p.stderr


def test_events_press_and_release(drive, tmp_path):
    events = tmp_path / "touches.txt"
    events.write_text("0.2 touchscreen.x=0.1 touchscreen.y=0.9 touchscreen.pressed=1\n"
                      "0.4 touchscreen.pressed=0\n")
    p = run(drive, TOUCH + '''
import time
def wait_for(cond):
    t0 = time.monotonic()
    while True:
        r = cond()
        if r:
            return r
        if time.monotonic() - t0 > 20:
            raise RuntimeError("the event never came")
        time.sleep(0.005)
print(point())
x, y, z = wait_for(point)
print(round(x / 65535, 2), round(y / 65535, 2))
wait_for(lambda: point() is None)
print("released")
''', "--events", str(events))
    assert output(p) == "None\n0.1 0.9\nreleased", p.stdout + p.stderr


def test_unknown_property_of_the_touchscreen(drive):
    p = run(drive, "print('ran')\n", "--set", "touchscreen.z=1")
    assert "touchscreen.z" in p.stderr


def test_samd51_dacs_and_timers(drive):
    p = run(drive, '''
import board, analogio, pwmio, microcontroller, sys
a0 = analogio.AnalogOut(board.A0)
a4 = analogio.AnalogOut(board.A4)
try:
    analogio.AnalogOut(board.A1)
except ValueError as e:
    print(e)
try:
    pwmio.PWMOut(board.LED)
except ValueError as e:
    print(e)
pwm = pwmio.PWMOut(board.SCK, frequency=1000, duty_cycle=32768)
print(pwm.frequency)
print(sys.platform, microcontroller.cpu.frequency, board.DISPLAY.bus.__class__.__name__)
print(board.TOUCH_XL, board.A0, board.LIGHT)
''')
    assert output(p) == ("Invalid pin\nInvalid pin\n1000\nMicroChip SAMD51 120000000 ParallelBus\n"
                         "board.TOUCH_XL board.SPEAKER board.LIGHT"), p.stdout + p.stderr
