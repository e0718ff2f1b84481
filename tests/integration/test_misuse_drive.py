"""`circuit9 run` survives misuse (issue 17): drives written by the tests reproduce defects found
by adversarial testing of the runtime: native buffers outside the board's budget, resets and
--runs, paths and settings.toml read from the host, and Python code running inside a refresh."""
import io
import os

import pytest

PRESS_ANY_KEY = "\nPress any key to enter the REPL. Use CTRL-D to reload.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def bmp(path, w=40, h=30):
    from PIL import Image

    img = Image.new("RGB", (w, h))
    img.putdata([((x * 6) & 255, (y * 8) & 255, 128) for y in range(h) for x in range(w)])
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="BMP")


# ---- memory: every native buffer comes from the board's budget ------------------------------------

def test_native_buffers_count_against_the_board(drive, board):
    write(drive / "code.py", """\
import displayio, gc, i2cdisplaybus, busdisplay, board
free0 = gc.mem_free()
t = displayio.TileGrid(displayio.Bitmap(8, 8, 2), pixel_shader=displayio.Palette(2),
                       tile_width=1, tile_height=1, width=100, height=50)
free1 = gc.mem_free()
print("tilegrid", free0 - free1 >= 100 * 50 * 2)
g = displayio.Group()
for i in range(64):
    g.append(displayio.Group())
print("group", free1 - gc.mem_free() >= 64 * 8)
del t, g
print("freed", gc.mem_free() == free0)
try:
    displayio.TileGrid(displayio.Bitmap(8, 8, 2), pixel_shader=displayio.Palette(2),
                       tile_width=1, tile_height=1, width=65535, height=65535)
except MemoryError as e:
    print("MemoryError:", e)
displayio.release_displays()
free2 = gc.mem_free()
bus = i2cdisplaybus.I2CDisplayBus(board.I2C(), device_address=0x3C)
d = busdisplay.BusDisplay(bus, b"", width=128, height=64, color_depth=1, grayscale=True,
                          pixels_in_byte_share_row=False, data_as_commands=True, single_byte_bounds=True)
print("display", free2 - gc.mem_free() > 4096)
""")
    b = board(drive, "--board", "samd21_oled", "--runs", "1")
    b.expect("code.py output:\ntilegrid True\ngroup True\nfreed True\n"
             "MemoryError: memory allocation failed, allocating 8589672450 bytes\ndisplay True\n")
    assert b.wait() == 0


# ---- microcontroller.reset() and --runs -------------------------------------------------------------

def test_reset_without_supervisor_and_runs_count_resets(drive, board):
    write(drive / "code.py", "import microcontroller\nprint('resetting')\nmicrocontroller.reset()\n")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nresetting\n")
    assert b.wait() == 0  # the reset ended run 1 of 1: the board stops (it never exited before)
    assert "Error" not in b.text and b.text.count("resetting") == 1
    b = board(drive, "--runs", "3")
    assert b.wait() == 0
    assert b.text.count("code.py output:\nresetting\n") == 3


# ---- paths are the drive's --------------------------------------------------------------------------

def test_ondiskbitmap_path_is_on_the_drive(drive, board):
    bmp(drive / "p.bmp")
    bmp(drive / "sub" / "q.bmp", 8, 4)
    write(drive / "code.py", """\
import displayio, os
print(displayio.OnDiskBitmap("/p.bmp").width)
os.chdir("/sub")
print(displayio.OnDiskBitmap("q.bmp").width)
for name in ("/etc/hostname", "/missing.bmp"):
    try:
        displayio.OnDiskBitmap(name)
    except OSError as e:
        print("OSError", e)
try:
    displayio.OnDiskBitmap("/p.bmp\\x00x")
except ValueError as e:
    print("ValueError", e)
""")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\n40\n8\nOSError [Errno 2] No such file/directory\n"
             "OSError [Errno 2] No such file/directory\nValueError embedded null byte\n")
    assert b.wait() == 0


def test_embedded_nul_is_refused(drive, board):
    write(drive / "settings.toml", 'A = "value of A"\n')
    write(drive / "code.py", """\
import os
print(os.getenv("A"))
for call in (lambda: os.getenv("A\\x00B"), lambda: open("/code.py\\x00x"), lambda: os.listdir("/\\x00x"),
             lambda: os.stat("/code.py\\x00")):
    try:
        print("returned", call())
    except ValueError as e:
        print("ValueError", e)
""")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nvalue of A\n" + "ValueError embedded null byte\n" * 4)
    assert b.wait() == 0


# ---- settings.toml is read with a bound -------------------------------------------------------------

GETENV = """\
import os
try:
    print(repr(os.getenv("A")))
except OSError as e:
    print("OSError", e.errno)
"""


def test_settings_toml_that_never_ends(drive, board):
    write(drive / "code.py", GETENV)
    os.symlink("/dev/zero", drive / "settings.toml")  # was read until memory ran out
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nNone\n")
    assert b.wait() == 0
    os.unlink(drive / "settings.toml")
    os.mkfifo(drive / "settings.toml")  # nobody writes it: reading it would never end
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nNone\n")
    assert b.wait() == 0


def test_settings_toml_bound(drive, board):
    limit = 1024 * 1024  # C9RT_SETTINGS_MAX
    write(drive / "code.py", GETENV)
    # A NUL ends the file for the scanner, so the read stops there: what follows is never read.
    (drive / "settings.toml").write_bytes(b"A = 1\n\x00" + b"#" * (2 * limit))
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\n1\n")
    assert b.wait() == 0
    (drive / "settings.toml").write_bytes(b"#" * (limit - 6) + b"\nA = 2")  # exactly at the bound
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\n2\n")
    assert b.wait() == 0
    (drive / "settings.toml").write_bytes(b"#" * limit + b"\nA = 3")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nOSError 27\n")
    assert b.wait() == 0


# ---- Python code inside a refresh on the board's own display ----------------------------------------

@pytest.mark.parametrize("action", ["G[0].pop()", "displayio.release_displays()",
                                    "board.DISPLAY.root_group = None; G.clear()", "board.DISPLAY.rotation = 90"])
def test_file_callback_inside_refresh_of_board_display(drive, board, action):
    bmp(drive / "p.bmp")
    write(drive / "code.py", """\
import io, displayio, board, gc
calls = [0]
class Evil(io.BytesIO):  # the board's io has no BufferedIOBase: a BytesIO of one's own
    def readinto(self, mv):
        calls[0] += 1
        if calls[0] == 20:
            %s
            gc.collect()
        return super().readinto(mv)
o = displayio.OnDiskBitmap(Evil(open("/p.bmp", "rb").read()))
g = displayio.Group(); g.append(displayio.TileGrid(o, pixel_shader=o.pixel_shader))
G = [g]; del o, g
board.DISPLAY.auto_refresh = False
board.DISPLAY.root_group = G[0]
try:
    board.DISPLAY.refresh()
except ValueError:
    pass
gc.collect()
print("survived", calls[0] >= 20)
""" % action)
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nsurvived True\n")


@pytest.mark.parametrize("bus", ["spi", "i2c"])
def test_bus_deinit_under_a_display_then_refresh(drive, board, bus):
    if bus == "spi":
        code = """\
import displayio, board, fourwire, busdisplay
displayio.release_displays()
spi = board.SPI()
b = fourwire.FourWire(spi, command=board.TFT_DC, chip_select=board.TFT_CS, reset=board.TFT_RESET)
d = busdisplay.BusDisplay(b, b"\\x11\\x80\\x0a\\x29\\x80\\x0a", width=240, height=240)
spi.deinit()
"""
        args = ()
    else:
        code = """\
import displayio, board, i2cdisplaybus, busdisplay
displayio.release_displays()
i2c = board.I2C()
b = i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3C)
d = busdisplay.BusDisplay(b, b"\\xae\\x00\\xaf\\x00", width=128, height=64, color_depth=1, grayscale=True,
                          pixels_in_byte_share_row=False, data_as_commands=True, set_column_command=0x21,
                          set_row_command=0x22, single_byte_bounds=True)
i2c.deinit()
"""
        args = ("--board", "samd21_oled")
    write(drive / "code.py", code + "print('refresh', d.refresh())\nprint('survived')\n")
    b = board(drive, "--runs", "1", *args)
    b.expect("code.py output:\nrefresh True\nsurvived\n")


def test_deep_group_as_root_group(drive, board):
    # 300,000 levels do not fit the memento's memory (MemoryError, as on a board); 100,000 do.
    write(drive / "code.py", """\
import displayio, board
g = displayio.Group()
for i in range(100000):
    p = displayio.Group(); p.append(g); g = p
board.DISPLAY.root_group = g
board.DISPLAY.refresh()
board.DISPLAY.root_group = None
print("survived")
""")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nsurvived\n")
    assert b.wait() == 0
