"""`circuit9 run` with the world around the board: --set and --events drive pins and simulated
devices on the board's clock, --state reports the outputs when code.py ends, --device puts models on
the buses, --screenshot-board shows the LEDs; each board's chip behaves as its CircuitPython port
does (counters on RP2040 slices, the SAMD21's DAC). Programs wait for what the events do, never for
a time."""
import json
import os
import subprocess

import pytest
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))

# Waits for a condition an event brings, with a generous guard so a broken build fails, not hangs.
WAIT = '''
import time
def wait_for(cond):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > 20:
            raise RuntimeError("the event never came")
        time.sleep(0.005)
'''


def run(drive, code, *args, board="feather_s3_tft"):
    (drive / "code.py").write_text(code)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    p = subprocess.run([os.path.join(BUILD, "circuit9"), "run", str(drive), "--runs", "1", "--no-window",
                        "--board", board, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=120, env=env)
    return p


def output(p):
    """What code.py printed."""
    text = p.stdout.replace("\r", "")
    return text.split("code.py output:\n", 1)[1].split("\nCode done running.", 1)[0].rstrip("\n")


@pytest.fixture
def drive(tmp_path):
    d = tmp_path / "CIRCUITPY"
    d.mkdir()
    return d


def test_button_event_lights_the_led(drive, tmp_path):
    (tmp_path / "events.txt").write_text("# the user presses BOOT after a while\n0.2 BUTTON=0\n")
    state = tmp_path / "state.json"
    p = run(drive, WAIT + '''
import board, digitalio
led = digitalio.DigitalInOut(board.LED)
led.switch_to_output(False)
button = digitalio.DigitalInOut(board.BUTTON)
button.switch_to_input(pull=digitalio.Pull.UP)
print("before", button.value)
wait_for(lambda: not button.value)
led.value = True
print("after", button.value)
''', "--events", str(tmp_path / "events.txt"), "--state", str(state))
    assert p.returncode == 0, p.stdout + p.stderr
    assert output(p) == "before True\nafter False"
    pins = json.loads(state.read_text())["pins"]
    assert pins["LED"] == {"direction": "output", "digital": True}
    assert pins["BUTTON"] == {"direction": "input", "digital": False, "pull": "up"}


def test_set_drives_inputs_from_the_start(drive, tmp_path):
    p = run(drive, '''
import board, analogio, digitalio
a = analogio.AnalogIn(board.A0)
d = digitalio.DigitalInOut(board.D5)
print(a.value, d.value)
''', "--set", "A0=1.65V", "--set", "D5=0")
    assert output(p) == "32767 False"  # 1650 mV * 65535 / 3300 on an ESP32-S3


def test_outputs_in_the_state_report(drive, tmp_path):
    state = tmp_path / "state.json"
    p = run(drive, '''
import board, digitalio, neopixel_write, pwmio
np = digitalio.DigitalInOut(board.NEOPIXEL)
np.switch_to_output()
neopixel_write.neopixel_write(np, bytes([255, 16, 0]))   # G R B
strip = digitalio.DigitalInOut(board.D6)
strip.switch_to_output()
neopixel_write.neopixel_write(strip, bytes([0, 0, 9, 0, 7, 0]))
pwm = pwmio.PWMOut(board.D9, frequency=1000, duty_cycle=0x4000)
od = digitalio.DigitalInOut(board.D10)
od.switch_to_output(True, digitalio.DriveMode.OPEN_DRAIN)
''', "--state", str(state), "--set", "D10=0")
    assert p.returncode == 0, p.stderr
    pins = json.loads(state.read_text())["pins"]
    assert pins["NEOPIXEL"]["neopixel"] == [[16, 255, 0]]
    assert pins["D6"]["neopixel"] == [[0, 0, 9], [7, 0, 0]]
    assert pins["D9"]["pwm"] == {"frequency": 1000, "duty_cycle": 0x4000}
    assert pins["D10"] == {"direction": "output", "digital": False, "drive_mode": "open_drain"}


def test_board_screenshot_shows_the_neopixel(drive, tmp_path):
    shot = tmp_path / "board.png"
    run(drive, '''
import board, digitalio, neopixel_write
np = digitalio.DigitalInOut(board.NEOPIXEL)
np.switch_to_output()
neopixel_write.neopixel_write(np, bytes([0, 0, 255]))   # blue
led = digitalio.DigitalInOut(board.LED)
led.switch_to_output(True)
''', "--screenshot-board", str(shot))
    img = Image.open(shot).convert("RGB")
    # The column beside the 240-pixel display: the NeoPixel, then the red LED, then the button.
    assert img.size == (240 + 48, 144)
    assert img.getpixel((240 + 24, 24)) == (0, 0, 255)
    assert img.getpixel((240 + 24, 72)) == (0xFF, 0x20, 0x00)
    assert img.getpixel((240 + 24, 120 - 12)) == (90, 90, 90)  # BOOT, released


def test_keypad_sees_events_in_order(drive, tmp_path):
    (tmp_path / "ev.txt").write_text("0.1 D5=0\n0.2 D5=1 D6=0\n0.3 D6=1\n")
    p = run(drive, WAIT + '''
import board, keypad
keys = keypad.Keys((board.D5, board.D6), value_when_pressed=False, pull=True)
seen = []
def collect():
    e = keys.events.get()
    if e:
        seen.append(e)
    return len(seen) == 4
wait_for(collect)
print([(e.key_number, e.pressed) for e in seen])
print(all(a.timestamp <= b.timestamp for a, b in zip(seen, seen[1:])))
''', "--events", str(tmp_path / "ev.txt"))
    assert output(p) == "[(0, True), (0, False), (1, True), (1, False)]\nTrue"


def test_rotary_encoder_steps_on_a_pico(drive, tmp_path):
    # Two detents clockwise, one back; A on GP2, B on GP3, resting at 11.
    cw = ["A=0 B=1", "A=0 B=0", "A=1 B=0", "A=1 B=1"]
    ccw = ["A=1 B=0", "A=0 B=0", "A=0 B=1", "A=1 B=1"]
    lines = ["%.2f %s" % (0.1 + 0.01 * i, s.replace("A=", "GP2=").replace("B=", "GP3="))
             for i, s in enumerate(cw + cw + ccw)]
    (tmp_path / "ev.txt").write_text("\n".join(lines) + "\n")
    p = run(drive, WAIT + '''
import board, rotaryio
enc = rotaryio.IncrementalEncoder(board.GP2, board.GP3)
highest = []
def settled():
    highest.append(enc.position)
    return max(highest) == 2 and enc.position == 1
wait_for(settled)
print("position", enc.position)
''', "--events", str(tmp_path / "ev.txt"), "--set", "GP2=1", "--set", "GP3=1", board="pico")
    assert output(p) == "position 1", p.stdout + p.stderr


def test_lis3dh_device_with_events(drive, tmp_path):
    (tmp_path / "ev.txt").write_text("0.2 lis3dh.x=0.5g lis3dh.z=0.75g\n")
    p = run(drive, WAIT + '''
import board, struct
i2c = board.I2C()
while not i2c.try_lock():
    pass
print("scan", [hex(a) for a in i2c.scan()])
def reg(r, n=1):
    buf = bytearray(n)
    i2c.writeto_then_readfrom(0x18, bytes([r | 0x80]), buf)
    return buf
i2c.writeto(0x18, bytes([0x20, 0x57]))   # 100 Hz, X/Y/Z
i2c.writeto(0x18, bytes([0x23, 0x08]))   # high resolution, +-2 g
print("who", hex(reg(0x0F)[0]))
print("rest", struct.unpack("<hhh", reg(0x28, 6)))
wait_for(lambda: struct.unpack("<h", reg(0x28, 2))[0] != 0)
print("tilted", struct.unpack("<hhh", reg(0x28, 6)))
''', "--device", "lis3dh@i2c:0x18", "--set", "lis3dh.y=-0.1g", "--events", str(tmp_path / "ev.txt"))
    assert output(p) == ("scan ['0x18']\nwho 0x33\nrest (0, %d, %d)\ntilted (%d, %d, %d)"
                         % (-100 << 4, 1000 << 4, 500 << 4, -100 << 4, 750 << 4)), p.stdout + p.stderr


def test_device_model_from_a_file(drive, tmp_path):
    (tmp_path / "thermo.py").write_text('''
class Device(RegisterDevice):
    """A made-up temperature sensor: register 0 holds the temperature in degrees."""
    def __init__(self, start=20):
        super().__init__()
        self.registers[0] = start
    def set_property(self, name, value, unit):
        self.registers[0] = int(value)
''')
    p = run(drive, '''
import board
i2c = board.I2C()
i2c.try_lock()
buf = bytearray(1)
i2c.writeto_then_readfrom(0x48, b"\\x00", buf)
print(buf[0])
''', "--device", "%s,start=21@i2c:0x48" % (tmp_path / "thermo.py"), "--set", "thermo.t=25C")
    assert output(p) == "25", p.stdout + p.stderr


@pytest.mark.parametrize("args, message", [
    (("--set", "D5"), "circuit9: --set D5: '=' was expected after the name (at character 3)"),
    (("--set", "NOPE=1"), "circuit9: --set: NOPE is no pin of feather_s3_tft"),
    (("--set", "D5=2"), "circuit9: --set: D5 takes 0, 1 or a voltage (1.65V), not 2.000000000"),
    (("--set", "lis3dh.x=1g"), "circuit9: --set: lis3dh.x is no pin of feather_s3_tft and no --device's property"),
    (("--device", "bme@i2c:0x77"), "circuit9: --device bme@i2c:0x77: no model bme"),
])
def test_bad_options_stop_before_the_program(drive, args, message):
    p = run(drive, "print('ran')\n", *args)
    assert p.returncode == 2
    assert message in p.stderr
    assert "ran" not in p.stdout


def test_bad_events_file(drive, tmp_path):
    (tmp_path / "ev.txt").write_text("0.5 D5=1\n0.1 D5=0\n")
    p = run(drive, "print('ran')\n", "--events", str(tmp_path / "ev.txt"))
    assert p.returncode == 2
    assert "ev.txt:2:1: time earlier than the line before" in p.stderr


def test_rp2040_counters_and_dac(drive):
    p = run(drive, '''
import board, countio, pwmio, analogio
for make in (lambda: countio.Counter(board.GP0),
             lambda: countio.Counter(board.GP1, edge=countio.Edge.RISE_AND_FALL),
             lambda: analogio.AnalogOut(board.GP26)):
    try:
        make()
    except Exception as e:
        print(type(e).__name__, e)
pwm = pwmio.PWMOut(board.GP2, frequency=1000)
try:
    countio.Counter(board.GP3)
except RuntimeError as e:
    print(e)
c = countio.Counter(board.GP5, edge=countio.Edge.RISE)
print(c.count)
''', board="pico")
    assert output(p) == ("RuntimeError Pin must be on PWM Channel B\n"
                         "NotImplementedError RISE_AND_FALL not available on this chip\n"
                         "NotImplementedError AnalogOut\n"
                         "PWM slice channel A already in use\n"
                         "0"), p.stdout + p.stderr


def test_samd21_dac(drive, tmp_path):
    state = tmp_path / "state.json"
    p = run(drive, '''
import board, analogio
a = analogio.AnalogOut(board.A0)
a.value = 32768
try:
    analogio.AnalogOut(board.A1)
except ValueError as e:
    print(e)
try:
    a.value
except AttributeError as e:
    print(e)
''', "--state", str(state), board="samd21_oled")
    assert output(p) == "Invalid pin\nunreadable attribute"
    # Ten bits of 3.3 V: 512 / 1023 * 3.3
    assert json.loads(state.read_text())["pins"]["A0"]["analog_out"] == pytest.approx(1.651, abs=0.001)


def test_esp32c6_feather(drive):
    p = run(drive, '''
import board, sys, os
print(board.board_id, os.uname().machine)
import pwmio, neopixel_write, rainbowio, keypad, countio, touchio
try:
    import bitmapfilter
except ImportError as e:
    print(e)
print(board.LED, board.NEOPIXEL is board.BUTTON, board.D9)
''', board="feather_esp32c6")
    assert output(p) == ("adafruit_feather_esp32c6_4mbflash_nopsram "
                         "Adafruit Feather ESP32-C6 4MB Flash No PSRAM with ESP32C6\n"
                         "no module named 'bitmapfilter'\n"
                         "board.LED True board.IO7"), p.stdout + p.stderr  # pins.c lists IO7 before D9
