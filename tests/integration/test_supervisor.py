"""End-to-end tests of `circuit9 run`: CircuitPython 9's supervisor behaviour, observed on the
console exactly as a terminal program would see it (the strings CircuitPython 9.2.9's main
program, safe mode and storage module print)."""
import os
import time


BANNER_ON = "Auto-reload is on. Simply save files over USB to run them or enter REPL to disable.\n"
PRESS_ANY_KEY = "\nPress any key to enter the REPL. Use CTRL-D to reload.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_banners_and_output(drive, board):
    write(drive / "code.py", "print('hello from code.py')\n")
    b = board(drive, "--runs", "1")
    assert b.wait() == 0
    assert b.text == ("\n" + BANNER_ON + "code.py output:\nhello from code.py\n\nCode done running.\n"
                      + PRESS_ANY_KEY)


def test_serial_pty_bytes(drive, board):
    write(drive / "code.py", "print('x')\n")
    b = board(drive, "--runs", "1", serial_pty=True)
    b.expect("Press any key")
    raw = b.raw.decode()
    # CircuitPython's bytes: CR LF line ends and the line-clear sequence before each banner.
    assert "\r\n\x1b[2K\x1b[0GAuto-reload is on. Simply save" in raw
    assert "\x1b[2K\x1b[0Gcode.py output:\r\nx\r\n\r\nCode done running.\r\n" in raw
    assert b.wait() == 0


def test_code_file_order(drive, board):
    names = ["main.txt", "main.py", "code.py", "code.txt"]  # lowest priority first
    for n in names:
        write(drive / n, "print('ran %s')\n" % n)
    for expected in reversed(names):
        b = board(drive, "--runs", "1")
        b.expect(expected + " output:\nran " + expected + "\n")
        assert b.wait() == 0
        os.unlink(drive / expected)


def test_two_extensions_warning(drive, board):
    write(drive / "code.py.txt", "print('doubled')\n")
    b = board(drive, "--runs", "1")
    b.expect("code.py.txt output:\ndoubled\n")
    b.expect("WARNING: Your code filename has two extensions\n")


def test_no_code_file(drive, board):
    b = board(drive, "--runs", "1")
    assert b.wait() == 0
    assert b.text == "\n" + BANNER_ON + "\nCode done running.\n" + PRESS_ANY_KEY


def test_traceback_and_exit_status(drive, board):
    write(drive / "code.py", "x = 1\nprint(x / 0)\n")
    b = board(drive, "--runs", "1")
    b.expect('code.py output:\nTraceback (most recent call last):\n  File "code.py", line 2, in <module>\n'
             "ZeroDivisionError: division by zero\n\nCode done running.\n")
    assert b.wait() == 1


def test_boot_out_rewritten_only_when_changed(drive, board):
    write(drive / "boot.py", "print('boot says hi')\n")
    write(drive / "code.py", "pass\n")
    assert board(drive, "--runs", "1").wait() == 0
    out = drive / "boot_out.txt"
    text = out.read_text()
    assert text.startswith("Adafruit CircuitPython 9.2.9 on ")
    assert "\nBoard ID:adafruit_esp32s3_camera\nUID:" in text
    assert text.endswith("boot.py output:\nboot says hi\n")
    old = time.time() - 3600
    os.utime(out, (old, old))
    assert board(drive, "--runs", "1").wait() == 0
    assert out.stat().st_mtime == old  # same content: not rewritten
    write(drive / "boot.py", "print('changed')\n")
    assert board(drive, "--runs", "1").wait() == 0
    assert out.stat().st_mtime != old
    assert out.read_text().endswith("boot.py output:\nchanged\n")


def test_boot_runs_once_and_can_remount(drive, board):
    write(drive / "boot.py", "import storage\nstorage.remount('/', readonly=False)\nprint('boot')\n")
    write(drive / "code.py",
          "import supervisor\nwith open('/data.txt', 'a') as f:\n    f.write('x')\n"
          "print(open('/data.txt').read())\n"
          "if supervisor.runtime.run_reason == supervisor.RunReason.STARTUP:\n    supervisor.reload()\n")
    b = board(drive, "--runs", "2")
    b.expect("code.py output:\nx\n")
    b.expect("soft reboot\n")
    b.expect("code.py output:\nxx\n")
    assert b.wait() == 0
    assert (drive / "boot_out.txt").read_text().count("boot.py output:") == 1


def test_drive_read_only_to_code(drive, board):
    write(drive / "code.py",
          "import storage\ntry:\n    open('/x.txt', 'w')\nexcept OSError as e:\n    print(e.errno)\n"
          "try:\n    storage.remount('/', readonly=False)\nexcept RuntimeError as e:\n    print(e)\n")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\n30\nCannot remount '/' when visible via USB.\n")
    assert not (drive / "x.txt").exists()


def test_ctrl_c_interrupts(drive, board):
    write(drive / "code.py", "import time\nprint('looping')\nwhile True:\n    time.sleep(0.05)\n")
    b = board(drive)
    b.expect("looping\n")
    b.send("\x03")
    b.expect("Traceback (most recent call last):\n")
    b.expect("KeyboardInterrupt: \n\nCode done running.\n" + PRESS_ANY_KEY)


def test_repl_and_ctrl_d(drive, board):
    write(drive / "code.py", "import supervisor\nprint('run', supervisor.runtime.run_reason)\n")
    b = board(drive)
    b.expect("run supervisor.RunReason.STARTUP\n")
    b.expect(PRESS_ANY_KEY)
    b.send("x")
    b.expect("\nAdafruit CircuitPython 9.2.9 on ")
    b.expect(">>> ")
    b.send("21 * 2\r")
    b.expect("42\n>>> ")
    b.send("for i in range(2):\r")
    b.expect("... ")
    b.send("  print('i', i)\r\r")
    b.expect("i 0\ni 1\n>>> ")
    b.send("1/0\r")
    b.expect('  File "<stdin>", line 1, in <module>\nZeroDivisionError: division by zero\n>>> ')
    b.send("\x04")
    b.expect("soft reboot\n")
    b.expect(BANNER_ON + "code.py output:\nrun supervisor.RunReason.REPL_RELOAD\n")


def test_ctrl_d_at_press_any_key_reloads(drive, board):
    write(drive / "code.py", "print('hi')\n")
    b = board(drive, "--runs", "2")
    b.expect(PRESS_ANY_KEY)
    b.send("\x04")
    b.expect("soft reboot\n")
    b.expect("code.py output:\nhi\n")
    assert b.wait() == 0


def test_auto_reload_on_write(drive, board):
    write(drive / "code.py",
          "import supervisor, time\nprint('reason', supervisor.runtime.run_reason)\n"
          "while True:\n    time.sleep(0.05)\n")
    b = board(drive)
    b.expect("reason supervisor.RunReason.STARTUP\n")
    write(drive / "lib" / "new.py", "x = 1\n")
    b.expect("\nCode stopped by auto-reload. Reloading soon.\n")
    b.expect("soft reboot\n")
    b.expect(BANNER_ON + "code.py output:\nreason supervisor.RunReason.AUTO_RELOAD\n")


def test_auto_reload_after_code_done(drive, board):
    write(drive / "code.py", "print('version 1')\n")
    b = board(drive)
    b.expect(PRESS_ANY_KEY)
    write(drive / "code.py", "print('version 2')\n")
    b.expect("soft reboot\n")
    b.expect("code.py output:\nversion 2\n")


def test_auto_reload_off(drive, board):
    write(drive / "code.py", "import supervisor\nsupervisor.runtime.autoreload = False\nprint('off')\n")
    b = board(drive)
    b.expect("off\n")
    b.expect(PRESS_ANY_KEY)
    write(drive / "other.txt", "edit")
    # No reload follows the write: a key still enters the REPL, where Ctrl-D reloads by hand.
    b.send("\r")
    b.expect(">>> ")
    b.send("\x04")
    b.expect("soft reboot\n")
    b.expect("Auto-reload is off.\n")
    assert "Code stopped by auto-reload" not in b.text


def test_set_next_code_file(drive, board):
    write(drive / "code.py",
          "import supervisor\nprint('in code.py')\n"
          "supervisor.set_next_code_file('other.py', reload_on_success=True)\nsupervisor.reload()\n")
    write(drive / "other.py", "print('in other.py')\n")
    b = board(drive, "--runs", "3")
    b.expect("code.py output:\nin code.py\n")
    b.expect("soft reboot\n")
    b.expect("other.py output:\nin other.py\n")
    b.expect("soft reboot\n")  # reload_on_success; not sticky: back to code.py
    b.expect("code.py output:\nin code.py\n")
    assert b.wait() == 0


def test_safe_mode(drive, board):
    write(drive / "code.py", "print('should not run')\n")
    write(drive / "safemode.py",
          "import supervisor\nprint('safe because', supervisor.runtime.safe_mode_reason)\n")
    b = board(drive, "--safe-mode", "PROGRAMMATIC", "--runs", "1")
    b.expect("safemode.py output:\nsafe because supervisor.SafeModeReason.PROGRAMMATIC\n")
    b.expect("Auto-reload is off.\nRunning in safe mode! Not running saved code.\n\n"
             "You are in safe mode because:\n"
             "The `microcontroller` module was used to boot into safe mode.\n"
             "Press reset to exit safe mode.\n")
    b.expect(PRESS_ANY_KEY)
    assert "should not run" not in b.text


def test_safe_mode_crash_reason_and_safemode_py_error(drive, board):
    write(drive / "safemode.py", "raise ValueError('oops')\n")
    b = board(drive, "--safe-mode", "HARD_FAULT", "--runs", "1")
    b.expect("You are in safe mode because:\nError in safemode.py.\nPress reset to exit safe mode.\n")
    b2 = board(drive.parent, "--safe-mode", "HARD_FAULT", "--runs", "1")
    b2.expect("You are in safe mode because:\nCircuitPython core code crashed hard. Whoops!\n"
              "Hard fault: memory access or instruction error.\n"
              "Please file an issue with your program at github.com/adafruit/circuitpython/issues.\n"
              "Press reset to exit safe mode.\n")


# settings.toml quirks: (line in the file, expression, expected printed result)
SETTINGS = [
    ('A = "Hello world" # comment', "os.getenv('A')", "'Hello world'"),
    ("B = 011", "os.getenv('B')", "11"),  # os.getenv parses like int(s, 0) in MicroPython
    ("C = 0x1F", "os.getenv('C')", "31"),
    ("D = 0o17", "os.getenv('D')", "15"),
    ("E = -5 # neg", "os.getenv('E')", "-5"),
    (r'F = "\u0153uvre"', "os.getenv('F')", "'œuvre'"),
    (r'G = "a\tb\"c\\"', "os.getenv('G')", "'a\\tb\"c\\\\'"),
    ("H = 1_000", "err('H')", "ValueError invalid syntax for integer with base 10"),
    ('I = "x" y', "err('I')", "ValueError Invalid byte 'y'"),
    ('J = "open', "err('J')", "ValueError Invalid byte '\\n'"),
    ("K = true", "err('K')", "ValueError invalid syntax for integer with base 10"),
    ("A = 'dup'", "os.getenv('A')", "'Hello world'"),  # first one wins
    ("KEY_LONGER = 1", "os.getenv('KEY')", "None"),
    ("[table]", "os.getenv('SUB', 'default')", "'default'"),
    ('SUB = "hidden"', "os.getenv('SUB')", "None"),
]


def test_settings_toml_quirks(drive, board):
    write(drive / "settings.toml", "\n".join(line for line, _, _ in SETTINGS) + "\n")
    lines = ["import os",
             "def err(k):",
             "    try:",
             "        return os.getenv(k)",
             "    except Exception as e:",
             "        return '%s %s' % (type(e).__name__, e)"]
    for _, expr, _ in SETTINGS:
        lines.append("v = %s\nprint(v if isinstance(v, str) and v.startswith('ValueError') else repr(v))" % expr)
    write(drive / "code.py", "\n".join(lines) + "\n")
    b = board(drive, "--runs", "1")
    out = b.expect("\nCode done running.")
    got = out.split("code.py output:\n", 1)[1].splitlines()
    assert got == [exp for _, _, exp in SETTINGS]


def test_storage_mount(drive, board):
    (drive / "sd").mkdir()
    write(drive / "afile", "")
    write(drive / "code.py", """
import os, storage
class RamDisk:
    def __init__(self, blocks):
        self.data = bytearray(blocks * 512)
    def readblocks(self, block, buf):
        buf[:] = self.data[block * 512:block * 512 + len(buf)]
    def writeblocks(self, block, buf):
        self.data[block * 512:block * 512 + len(buf)] = buf
    def ioctl(self, op, arg):
        return len(self.data) // 512 if op == 4 else None
def attempt(f, *a):
    try:
        f(*a)
        print('ok')
    except Exception as e:
        print(type(e).__name__, e)
disk = RamDisk(256)
storage.VfsFat.mkfs(disk)
vfs = storage.VfsFat(disk)
with vfs.open('/on_card.txt', 'w') as f:
    f.write('from the card')
attempt(storage.mount, vfs, '/missing')
attempt(storage.mount, vfs, '/afile')
attempt(storage.mount, object(), '/sd')
attempt(storage.mount, vfs, '/sd')
print(os.listdir('/sd'), open('/sd/on_card.txt').read())
attempt(storage.mount, storage.VfsFat(disk), '/sd')
print(storage.getmount('/sd') is vfs)
with open('/sd/new.txt', 'w') as f:
    f.write('written')
attempt(storage.getmount, '/nothing')
storage.umount('/sd')
attempt(storage.umount, '/sd')
print(os.listdir('/sd'), sorted(n for n, *_ in vfs.ilistdir('/')))
""")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\n"
             "RuntimeError Mount point directory missing\n"
             "RuntimeError Mount point directory missing\n"
             "ValueError filesystem must provide mount method\n"
             "ok\n"
             "['on_card.txt'] from the card\n"
             "PermissionError [Errno 1] Operation not permitted\n"
             "True\n"
             "OSError [Errno 22] Invalid argument\n"
             "OSError [Errno 22] Invalid argument\n"
             "[] ['new.txt', 'on_card.txt']\n")


def test_memory_budget(drive, board):
    write(drive / "code.py", "import gc\nprint(16384 < gc.mem_free() + gc.mem_alloc() <= 32768)\n")
    b = board(drive, "--board", "samd21_oled", "--runs", "1")
    b.expect("code.py output:\nTrue\n")
    b2 = board(drive, "--board", "nope", "--runs", "1")
    assert b2.wait() == 2


def test_user_modules_forgotten_on_reload(drive, board):
    write(drive / "lib" / "counter.py", "n = 0\n")
    write(drive / "code.py",
          "import counter, supervisor\ncounter.n += 1\nprint('n', counter.n)\n"
          "if supervisor.runtime.run_reason == supervisor.RunReason.STARTUP:\n    supervisor.reload()\n")
    b = board(drive, "--runs", "2")
    b.expect("n 1\n")
    b.expect("soft reboot\n")
    b.expect("n 1\n")
    assert b.wait() == 0
    assert not (drive / "lib" / "__pycache__").exists()


def test_screenshot(drive, board, tmp_path):
    shot = tmp_path / "shot.png"
    write(drive / "code.py", """
import board, displayio
bmp = displayio.Bitmap(board.DISPLAY.width, board.DISPLAY.height, 1)
pal = displayio.Palette(1)
pal[0] = 0xFF0000
g = displayio.Group()
g.append(displayio.TileGrid(bmp, pixel_shader=pal))
board.DISPLAY.root_group = g
board.DISPLAY.refresh()
print('shown')
""")
    b = board(drive, "--runs", "1", "--screenshot", str(shot))
    b.expect("shown\n")
    assert b.wait() == 0
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    import zlib
    import struct

    # Decode the PNG (8-bit RGB, no interlace) and check the picture is red all over.
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert (w, h, depth, ctype) == (240, 240, 8, 2)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    row = raw[1:1 + w * 3]  # first row, filter type 0 or 1 both keep the first pixel
    assert row[:3] == b"\xff\x00\x00"


def test_demo(board, tmp_path):
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.environ.get("C9_BUILD_DIR", os.path.join(root, "build"))
    out = subprocess.run(["bash", os.path.join(root, "tools", "demo.sh"), build], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, DISPLAY="", WAYLAND_DISPLAY=""))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "photo.jpg: 227x149, shown at 1/1 as 227x149 on a 320x170 display" in out.stdout
    shot = os.path.join(build, "demo.png")
    assert "demo: screenshot written to " + shot in out.stdout
    assert os.path.getsize(shot) > 1000
