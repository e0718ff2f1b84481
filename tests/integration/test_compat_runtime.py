"""Code on the drive runs with CircuitPython's language and module set: the board's built-in
modules and the drive's files, postponed annotations, CircuitPython's sys/traceback/errno, no
CPython warnings, supervisor.runtime.display and dir(board). Observed on the console of
`circuit9 run`, and through `circuit9 SCRIPT.py`, as a user sees them."""
import os
import subprocess

from conftest import BUILD

BANNER = "Auto-reload is on. Simply save files over USB to run them or enter REPL to disable.\n"
DONE = "\n\nCode done running.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def run_code(board, drive, code, *args):
    write(drive / "code.py", code)
    b = board(drive, "--runs", "1", *args)
    status = b.wait()
    text = b.text
    start = text.index("code.py output:\n") + len("code.py output:\n")
    return status, text[start:text.index(DONE, start)] + "\n", text


def script(path, *args, cwd=None):
    return subprocess.run([os.path.join(BUILD, "circuit9"), str(path), *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=dict(os.environ, SDL_VIDEODRIVER="dummy"))


LIBRARY = '''\
try:
    from typing import Optional, Union
    from circuitpython_typing import WriteableBuffer
    import threading
    HAVE_TYPING = True
except ImportError:
    HAVE_TYPING = False


class Sensor:
    last: Optional[int] = None

    def __init__(self, i2c: I2CDeviceType, address: int = 0x44) -> None:
        self.address = address

    def read_into(self, buf: WriteableBuffer, *, end: Optional[int] = None) -> Union[int, None]:
        return len(buf) if end is None else end
'''


def test_library_with_typing_imports_loads_from_lib(drive, board):
    write(drive / "lib" / "fake_sensor.py", LIBRARY)
    status, out, _ = run_code(board, drive, "import fake_sensor\n"
                              "s = fake_sensor.Sensor(None)\n"
                              "print(fake_sensor.HAVE_TYPING, hex(s.address), s.read_into(bytearray(3)))\n")
    assert status == 0
    assert out == "False 0x44 3\n"


def test_package_relative_and_circular_imports(drive, board):
    # The shape of Adafruit's asyncio: a package whose modules import each other with `from . import`.
    write(drive / "lib" / "pkg" / "__init__.py", "from .core import *\n")
    write(drive / "lib" / "pkg" / "core.py", "from .task import Task\nVALUE = 5\n")
    write(drive / "lib" / "pkg" / "task.py", "from . import core\n\nclass Task:\n"
                                             "    def value(self):\n        return core.VALUE\n")
    write(drive / "helper.py", "NAME = 'root helper'\n")
    status, out, _ = run_code(board, drive, "import sys\nfrom pkg import Task\nimport helper\n"
                              "print(Task().value(), helper.NAME, helper.__file__)\n"
                              "print(sorted(sys.modules))\n"
                              "print(sys.modules['pkg.core'].__file__, sys.modules['pkg'].__path__)\n")
    assert status == 0
    assert out == ("5 root helper helper.py\n['helper', 'pkg', 'pkg.core', 'pkg.task']\n"
                   "/lib/pkg/core.py /lib/pkg\n")


def test_cpython_modules_are_missing(drive, board):
    status, out, _ = run_code(board, drive, "for n in ('typing', 'threading', 'socket', 'enum', 'functools'):\n"
                              "    try:\n        __import__(n)\n    except ImportError as e:\n"
                              "        print(e)\n"
                              "import typing_extensions\n")
    assert status == 1
    assert out == ("no module named 'typing'\nno module named 'threading'\nno module named 'socket'\n"
                   "no module named 'enum'\nno module named 'functools'\n"
                   'Traceback (most recent call last):\n  File "code.py", line 6, in <module>\n'
                   "ImportError: no module named 'typing_extensions'\n")


def test_drive_file_shadows_only_extensible_modules(drive, board):
    # MicroPython searches the drive before its "extensible" built-ins (json, os, ...) but never
    # before the others (board, sys).
    write(drive / "json.py", "WHO = 'drive json'\n")
    write(drive / "board.py", "WHO = 'drive board'\n")
    status, out, _ = run_code(board, drive, "import json, board\nprint(json.WHO, hasattr(board, 'WHO'))\n")
    assert status == 0
    assert out == "drive json False\n"


def test_module_set_is_the_boards(drive, board):
    probe = ("for n in ('json', 'io', 'select', 're', 'traceback', 'ulab', 'bitmapfilter', 'jpegio',\n"
             "          'paralleldisplaybus', 'displayio', 'errno', 'sys', 'gc', 'analogio'):\n"
             "    try:\n        __import__(n)\n        print(n, 'yes')\n"
             "    except ImportError:\n        print(n, 'no')\n"
             "import sys\nprint(sys.platform, sys.implementation._machine)\n")
    status, memento, _ = run_code(board, drive, probe)
    assert status == 0
    status, samd21, _ = run_code(board, drive, probe, "--board", "samd21_oled")
    assert status == 0
    status, tdisplay, _ = run_code(board, drive, probe, "--board", "tdisplay_s3")
    assert status == 0
    # adafruit_esp32s3_camera: a 4 MB ESP32-S3 build, no bitmapfilter and no parallel bus.
    assert memento == ("json yes\nio yes\nselect yes\nre yes\ntraceback yes\nulab yes\nbitmapfilter no\n"
                       "jpegio yes\nparalleldisplaybus no\ndisplayio yes\nerrno yes\nsys yes\ngc yes\n"
                       "analogio yes\nEspressif Adafruit Camera with ESP32S3\n")
    # CircuitPython's SAMD21 builds: no json, io, select, re, traceback, ulab, jpegio.
    assert samd21 == ("json no\nio no\nselect no\nre no\ntraceback no\nulab no\nbitmapfilter no\n"
                      "jpegio no\nparalleldisplaybus yes\ndisplayio yes\nerrno yes\nsys yes\ngc yes\n"
                      "analogio yes\nAtmel SAMD21 circuit9 SAMD21 OLED with samd21g18\n")
    assert "bitmapfilter yes\n" in tdisplay and "paralleldisplaybus yes\n" in tdisplay
    status, pyportal, _ = run_code(board, drive, probe, "--board", "pyportal")
    assert status == 0
    # pyportal: a SAMD51 build with json, ulab and jpegio but no bitmapfilter.
    assert pyportal == ("json yes\nio yes\nselect yes\nre yes\ntraceback yes\nulab yes\nbitmapfilter no\n"
                        "jpegio yes\nparalleldisplaybus yes\ndisplayio yes\nerrno yes\nsys yes\ngc yes\n"
                        "analogio yes\nMicroChip SAMD51 Adafruit PyPortal with samd51j20\n")


def test_traceback_format_in_code_py(drive, board):
    write(drive / "lib" / "mathlib.py", "def ratio(a, b):\n    return a / b\n")
    code = ("import mathlib\n"
            "def compute():\n"
            "    try:\n"
            "        return mathlib.ratio(1, 0)\n"
            "    except ZeroDivisionError:\n"
            "        raise ValueError('no ratio')\n"
            "compute()\n")
    status, out, _ = run_code(board, drive, code)
    assert status == 1
    assert out == ('Traceback (most recent call last):\n'
                   '  File "code.py", line 4, in compute\n'
                   '  File "/lib/mathlib.py", line 2, in ratio\n'
                   'ZeroDivisionError: division by zero\n\n'
                   'During handling of the above exception, another exception occurred:\n\n'
                   'Traceback (most recent call last):\n'
                   '  File "code.py", line 7, in <module>\n'
                   '  File "code.py", line 6, in compute\n'
                   'ValueError: no ratio\n')


def test_traceback_and_sys_print_exception(drive, board):
    code = ("import sys, traceback\n"
            "try:\n"
            "    raise OSError(2)\n"
            "except OSError as e:\n"
            "    traceback.print_exception(e)\n"
            "    sys.print_exception(e)\n"
            "    sys.print_exception(e, sys.stdout)\n")
    status, out, _ = run_code(board, drive, code)
    assert status == 0
    tb = 'Traceback (most recent call last):\n  File "code.py", line 3, in <module>\nOSError: [Errno 2] No such file/directory\n'
    # 9.2.x warns that print_exception moved from sys to traceback.
    warning = "FutureWarning: print_exception moved from sys to traceback\n"
    assert out == tb + warning + tb + warning + tb


def test_no_cpython_warnings(drive, board):
    code = ("async def main():\n    pass\n"
            "main()\n"
            "import gc\ngc.collect()\n"
            "pattern = eval(\"'\\\\d'\")\n"
            "print('done', pattern)\n")
    status, _, text = run_code(board, drive, code)
    assert status == 0
    assert "done \\d\n" in text
    assert "Warning" not in text and "never awaited" not in text


def test_release_displays_and_runtime_display(drive, board):
    code = ("import board, displayio, supervisor\n"
            "print(supervisor.runtime.display is board.DISPLAY, 'DISPLAY' in dir(board))\n"
            "print(all(name in dir(board) for name in ('SPI', 'I2C', 'TFT_CS', 'board_id')))\n"
            "try:\n    supervisor.runtime.display = 5\nexcept TypeError as e:\n    print(e)\n"
            "displayio.release_displays()\n"
            "print(supervisor.runtime.display)\n")
    status, out, text = run_code(board, drive, code)
    assert status == 0
    assert out == "True True\nTrue\nDisplay must be of type AnyDisplay or None, not int\nNone\n"
    # The supervisor has nothing to flush after the program released the display: no traceback.
    assert "Traceback" not in text


def test_runtime_display_settable(drive, board):
    code = ("import board, supervisor\n"
            "d = board.DISPLAY\n"
            "supervisor.runtime.display = None\n"
            "print(supervisor.runtime.display)\n"
            "supervisor.runtime.display = d\n"
            "print(supervisor.runtime.display is d)\n")
    status, out, _ = run_code(board, drive, code)
    assert status == 0
    assert out == "None\nTrue\n"


def test_mpy_file_is_rejected(drive, board):
    (drive / "lib").mkdir()
    (drive / "lib" / "compiled.mpy").write_bytes(b"C\x06\x00\x1f")
    status, out, _ = run_code(board, drive, "import compiled\n")
    assert status == 1
    assert out.endswith("ValueError: incompatible .mpy file\n")


def test_modules_forgotten_between_runs(drive, board):
    write(drive / "counter.py", "n = 0\n")
    write(drive / "code.py", "import counter, sys\ncounter.n += 1\nsys.path.append('/extra')\n"
                             "print(counter.n, sys.path[-1], len(sys.path))\n")
    b = board(drive, "--runs", "2")
    b.expect("code.py output:\n1 /extra 5\n")
    b.send("\x04")  # Ctrl-D at "press any key": reload
    b.expect("code.py output:\n1 /extra 5\n")


def test_script_mode_board_and_imports(tmp_path):
    write(tmp_path / "neighbour.py", "def f(x: Undefined) -> AlsoUndefined:\n    return x * 2\n")
    write(tmp_path / "main.py", "import board, microcontroller, neighbour\n"
                                "print(board.board_id, board.CARD_CS is microcontroller.pin.GPIO48)\n"
                                "print(neighbour.f(21))\n")
    out = script(tmp_path / "main.py")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "adafruit_esp32s3_camera True\n42\n"
    assert out.stderr == ""


def test_script_mode_exit_status_and_stderr(tmp_path):
    write(tmp_path / "fail.py", "import sys\nprint('out')\nif len(sys.argv) > 1:\n    sys.exit(int(sys.argv[1]))\n"
                                "raise KeyError('k')\n")
    out = script("fail.py", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout == "out\n"
    assert out.stderr == 'Traceback (most recent call last):\n  File "fail.py", line 5, in <module>\nKeyError: k\n'
    out = script("fail.py", "3", cwd=tmp_path)
    assert (out.returncode, out.stdout, out.stderr) == (3, "out\n", "")


def test_script_mode_no_warnings(tmp_path):
    write(tmp_path / "w.py", "async def main():\n    pass\nmain()\nx = eval(\"'\\\\d'\")\nprint('ok')\n")
    out = script(tmp_path / "w.py")
    assert (out.returncode, out.stdout, out.stderr) == (0, "ok\n", "")


def test_repl_and_boot_py_use_circuitpython_rules(drive, board):
    write(drive / "boot.py", "def setup(pin: DigitalInOut) -> None:\n    pass\nimport sys\n"
                             "print('boot', sys.implementation.name)\n")
    write(drive / "code.py", "print('ready')\n")
    b = board(drive)
    b.expect("ready\n")
    b.expect("Press any key to enter the REPL. Use CTRL-D to reload.\n")
    b.send("x")
    b.expect(">>> ")
    b.send("level: UndefinedType = 3\r")
    b.expect(">>> ")
    b.send("print(level)\r")
    b.expect("3\n>>> ")
    b.send("import typing\r")
    b.expect('Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n'
             "ImportError: no module named 'typing'\n>>> ")
    assert (drive / "boot_out.txt").read_text().endswith("boot.py output:\nboot circuitpython\n")


def test_board_bus_objects_are_the_boards(drive, board):
    # Each board module has the bus objects its CircuitPython pins.c lists, and no others: a Pico
    # only STEMMA_I2C, a T-Display S3 none, the camera board no UART. A missing one is an
    # AttributeError, so `hasattr(board, "SPI")` branches as on the board.
    probe = ("import board\nprint(*(n for n in ('SPI', 'I2C', 'STEMMA_I2C', 'UART') if hasattr(board, n)))\n"
             "try:\n    board.SPI()\nexcept AttributeError as e:\n    print('AttributeError', e)\n")
    seen = {}
    for name in ("pico", "tdisplay_s3", "memento", "feather_s3_tft"):
        status, out, _ = run_code(board, drive, probe, "--board", name)
        assert status == 0
        seen[name] = out
    assert seen["pico"] == "STEMMA_I2C\nAttributeError 'module' object has no attribute 'SPI'\n"
    assert seen["tdisplay_s3"] == "\nAttributeError 'module' object has no attribute 'SPI'\n"
    assert seen["memento"] == "SPI I2C STEMMA_I2C\n"
    assert seen["feather_s3_tft"] == "SPI I2C STEMMA_I2C UART\n"
