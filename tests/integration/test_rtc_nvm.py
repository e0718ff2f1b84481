"""rtc and microcontroller.nvm under `circuit9 run`: the NVM survives from one run of a drive to
the next (as a board's does across a power cycle) without showing on the drive, each board's chip
has its own size and erased value, and setting the RTC moves time.localtime() and time.time()
in code.py. Expected dates come from CPython's calendar, not from the code under test."""
import calendar
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))


def run(drive, code, board):
    (drive / "code.py").write_text(code)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    p = subprocess.run([os.path.join(BUILD, "circuit9"), "run", str(drive), "--runs", "1", "--no-window",
                        "--board", board], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=120, env=env)
    text = p.stdout.replace("\r", "")
    assert "code.py output:\n" in text, text + p.stderr
    return text.split("code.py output:\n", 1)[1].split("\nCode done running.", 1)[0].rstrip("\n")


@pytest.fixture
def drive(tmp_path):
    d = tmp_path / "CIRCUITPY"
    d.mkdir()
    return d


@pytest.mark.parametrize("board,size,erased", [("pico", 4096, 255), ("samd21_oled", 256, 255),
                                               ("pyportal", 8192, 255), ("feather_s3_tft", 8192, 0)])
def test_nvm_survives_a_second_run(drive, board, size, erased):
    out = run(drive, """
import microcontroller, os
n = microcontroller.nvm
print(len(n), list(n[0:3]))
n[0:3] = bytes([7, 8, 9])
n[-1] = 42
print(sorted(os.listdir("/")))
""", board)
    assert out.splitlines() == ["%d [%d, %d, %d]" % (size, erased, erased, erased), "['boot_out.txt', 'code.py']"]
    out = run(drive, """
import microcontroller
n = microcontroller.nvm
print(list(n[0:4]), n[len(n) - 1])
""", board)
    assert out == "[7, 8, 9, %d] 42" % erased
    # Not on the drive, beside it.
    assert sorted(os.listdir(drive)) == ["boot_out.txt", "code.py"]
    assert (drive.parent / (".CIRCUITPY.%s.nvm" % board)).stat().st_size == size


def test_nvm_is_the_boards_not_the_drives(drive):
    run(drive, "import microcontroller\nmicrocontroller.nvm[0] = 1\n", "pico")
    assert run(drive, "import microcontroller\nprint(microcontroller.nvm[0])\n", "feather_rp2040_usb_host") == "255"
    assert run(drive, "import microcontroller\nprint(microcontroller.nvm[0])\n", "pico") == "1"


def test_setting_the_rtc_moves_localtime(drive):
    out = run(drive, """
import rtc, time
r = rtc.RTC()
r.datetime = time.struct_time((2024, 2, 29, 23, 59, 58, 0, -1, -1))
print(tuple(time.localtime())[:8])
print(time.time())
print(time.localtime(time.time()) [:3])
print(r.calibration)
try:
    r.calibration = 1
except NotImplementedError as e:
    print("NotImplementedError", e)
""", "pico")
    lines = out.splitlines()
    lt = eval(lines[0])
    t = int(lines[1])
    want = calendar.timegm((2024, 2, 29, 23, 59, 58))
    assert want <= t <= want + 5
    assert lt[:3] in ((2024, 2, 29), (2024, 3, 1))
    assert lt[6:] in ((3, 60), (4, 61))  # a Thursday, day 60 of a leap year (or the Friday after)
    assert lines[3:] == ["0", "NotImplementedError calibration"]


def test_samd_calibration(drive):
    out = run(drive, """
import rtc
r = rtc.RTC()
r.calibration = -20
print(r.calibration)
try:
    r.calibration = 128
except ValueError as e:
    print("ValueError", e)
print(r.calibration)
""", "samd21_oled")
    assert out.splitlines() == ["-20", "ValueError calibration must be -127-127", "-20"]
