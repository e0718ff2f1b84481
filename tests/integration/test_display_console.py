"""The built-in display under `circuit9 run`: the console on CIRCUITPYTHON_TERMINAL (read back from the
screenshot by matching each cell against terminalio.FONT's glyphs), root_group hiding it, and
screenshots of rotated boards oriented as a person looking at the board sees them."""
import os
import sys

import pytest
from conftest import BUILD

Image = pytest.importorskip("PIL.Image", reason="python3-pil is needed to read screenshots")

if os.path.join(BUILD, "python") not in sys.path:
    sys.path.insert(0, os.path.join(BUILD, "python"))

# Boards: (name, screenshot size as seen, terminal layout: columns, rows, scroll area x, y)
BOARDS = {
    "memento": ((240, 240), (40, 19, 0, 12)),
    "tdisplay_s3": ((320, 170), (53, 13, 2, 14)),
    "feather_s3_tft": ((240, 135), (40, 10, 0, 15)),
}


@pytest.fixture(scope="module")
def glyphs():
    """{6x12 cell pattern (tuple of 72 bools): character} for every ASCII glyph of the font."""
    import circuit9.terminalio as terminalio

    font = terminalio.FONT
    bmp = font.bitmap
    table = {}
    for code in range(32, 127):
        g = font.get_glyph(code)
        x0 = g.tile_index * 6
        key = tuple(bool(bmp[x0 + x, y]) for y in range(12) for x in range(6))
        table.setdefault(key, chr(code))
    return table


def read_text(img, glyphs, columns, rows, x0, y0):
    """The characters in a grid of 6x12 cells at (x0, y0): light pixels are ink."""
    px = img.convert("RGB").load()
    lines = []
    for r in range(rows):
        line = ""
        for c in range(columns):
            key = tuple(sum(px[x0 + c * 6 + x, y0 + r * 12 + y]) > 384 for y in range(12) for x in range(6))
            line += glyphs.get(key, "?")
        lines.append(line.rstrip())
    return lines


def run_board(board, drive, name, code, *extra):
    (drive / "code.py").write_text(code)
    shot = drive.parent / ("%s.png" % name)
    b = board(drive, "--runs", "1", "--screenshot", str(shot), *extra)
    b.wait()
    return b, Image.open(shot)


@pytest.mark.parametrize("name", list(BOARDS))
def test_console_on_display(name, drive, board, glyphs):
    (size, (cols, rows, x0, y0)) = BOARDS[name]
    b, img = run_board(board, drive, name, "print('hello from code.py')\nx = 1\nprint(x / 0)\n", "--board", name)
    assert img.size == size
    screen = read_text(img, glyphs, cols, rows, x0, y0)
    expected = ["code.py output:", "hello from code.py", "Traceback (most recent call last):",
                '  File "code.py", line 3, in <module>', "ZeroDivisionError: division by zero", "",
                "Code done running.", ""]
    # Long lines wrap at the display's width, as on the board.
    wrapped = [line[i:i + cols] for line in expected for i in range(0, max(len(line), 1), cols)]
    assert screen[-len(wrapped):] == wrapped, "\n".join(screen)
    # The status bar: what ran and how it ended, the version (the snake is not in the font).
    status = read_text(img, glyphs, cols, 1, x0, 0)[0]
    assert status == "3@code.py ZeroDivisionError | 9.2.9"[:cols]
    # The serial console is unchanged by the display.
    assert "hello from code.py\nTraceback" in b.text


def test_console_scrolls_and_clears(drive, board, glyphs):
    (size, (cols, rows, x0, y0)) = BOARDS["memento"]
    code = ("for i in range(30):\n    print('line', i)\n"
            "print('abcdef\\b\\bX')\nprint('gone\\x1b[2K\\rkept')\nprint('ab\\x1b[31mcd\\x1b[0m\\x1b[?25l')\n")
    _, img = run_board(board, drive, "scroll", code)
    screen = read_text(img, glyphs, cols, rows, x0, y0)
    assert screen[-9:] == ["line 27", "line 28", "line 29", "abcdXf", "kept", "abcd", "", "Code done running.",
                           ""], "\n".join(screen)
    assert screen[0] == "line %d" % (30 - (rows - 6))  # the oldest lines scrolled off the top


def test_program_root_group_hides_terminal(drive, board, glyphs):
    code = """
import board, displayio
print('before')
g = displayio.Group()
board.DISPLAY.root_group = g
print('after')
"""
    _, img = run_board(board, drive, "hidden", code)
    px = img.convert("RGB").load()
    assert all(px[x, y] == (0, 0, 0) for x in range(0, 240, 3) for y in range(0, 240, 3))


def test_terminal_back_after_run(drive, board, glyphs):
    """reset_displays(): the next run starts on the terminal again (seen in its screenshot)."""
    (size, (cols, rows, x0, y0)) = BOARDS["memento"]
    code = """
import board, displayio, supervisor
if supervisor.runtime.run_reason == supervisor.RunReason.STARTUP:
    board.DISPLAY.root_group = displayio.Group()
    supervisor.reload()
print('second run')
"""
    _, img = run_board(board, drive, "back", code, "--runs", "2")
    screen = read_text(img, glyphs, cols, rows, x0, y0)
    assert "second run" in screen, "\n".join(screen)


ORIENTATION_CODE = """
import board, displayio
d = board.DISPLAY
bmp = displayio.Bitmap(d.width, d.height, 3)
pal = displayio.Palette(3)
pal[0] = 0x000000
pal[1] = 0xFFFFFF
pal[2] = 0x00FF00
for y in range(12):
    for x in range(24):
        bmp[x, y] = 1                  # white block: top-left
for y in range(d.height - 6, d.height):
    for x in range(d.width - 10, d.width):
        bmp[x, y] = 2                  # green block: bottom-right
g = displayio.Group()
g.append(displayio.TileGrid(bmp, pixel_shader=pal))
d.root_group = g
print(d.width, d.height, d.rotation)
"""


@pytest.mark.parametrize("name", ["memento", "tdisplay_s3", "feather_s3_tft", "samd21_oled", "pyportal"])
def test_screenshot_as_seen_on_the_board(name, drive, board):
    b, img = run_board(board, drive, "orient_" + name, ORIENTATION_CODE, "--board", name)
    w, h, rot = (int(v) for v in b.text.split("code.py output:\n")[1].split("\n")[0].split())
    assert img.size == (w, h)  # landscape boards give landscape pictures
    px = img.convert("RGB").load()

    mono = name == "samd21_oled"

    def lit(x, y, colour):
        r, g, bl = px[x, y]
        if colour == "black":
            return r + g + bl < 60
        if mono:  # an OLED shows both blocks as lit pixels
            return max(r, g, bl) > 128
        if colour == "white":
            return min(r, g, bl) > 200
        return g > 200 and r < 60 and bl < 60

    for x, y in [(0, 0), (23, 0), (0, 11), (23, 11)]:
        assert lit(x, y, "white"), (x, y, px[x, y])
    assert lit(24, 0, "black") and lit(0, 12, "black")
    for x, y in [(w - 1, h - 1), (w - 10, h - 6)]:
        assert lit(x, y, "green"), (x, y, px[x, y])
    assert lit(w - 11, h - 1, "black") and lit(w - 1, h - 7, "black")
