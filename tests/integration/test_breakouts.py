"""Display breakouts wired to free pins: a program builds a display bus and a BusDisplay subclass
(as Adafruit's drivers are) on pins where the board has nothing, and the virtual board stands in
the module the driver describes. The screenshots are compared with pictures Pillow draws from the
same description; with --breakouts off the program sees what CircuitPython does on a board with
nothing on those pins."""
import pytest

Image = pytest.importorskip("PIL.Image", reason="python3-pil is needed to read screenshots")
ImageDraw = pytest.importorskip("PIL.ImageDraw")

# An ST7789 driver in the shape of Adafruit's: the power-up commands (SWRESET, SLPOUT, COLMOD 16
# bits, MADCTL, NORON, DISPON), then MADCTL with MY|MX and INVON as IPS modules need.
ST7789_DRIVER = '''
import busdisplay

_INIT = (
    b"\\x01\\x80\\x96"
    b"\\x11\\x80\\xff"
    b"\\x3a\\x81\\x55\\x0a"
    b"\\x36\\x01\\x08"
    b"\\x13\\x80\\x0a"
    b"\\x29\\x80\\xff"
    b"\\x36\\x01\\xc0"
    b"\\x21\\x00"
)


class MyST7789(busdisplay.BusDisplay):
    def __init__(self, bus, **kwargs):
        super().__init__(bus, _INIT, **kwargs)
'''

# A 128x32 SSD1306 driver in the shape of Adafruit's: 1 bit, page addressing commands, the
# parameters sent as commands.
SSD1306_DRIVER = '''
import busdisplay

_INIT = (
    b"\\xae\\x00"
    b"\\x20\\x01\\x00"
    b"\\x81\\x01\\xcf"
    b"\\xa1\\x00"
    b"\\xa6\\x00"
    b"\\xc8\\x00"
    b"\\xa8\\x01\\x1f"
    b"\\xd5\\x01\\x80"
    b"\\xd9\\x01\\xf1"
    b"\\xda\\x01\\x02"
    b"\\xdb\\x01\\x40"
    b"\\x8d\\x01\\x14"
    b"\\xaf\\x00"
)


class MySSD1306(busdisplay.BusDisplay):
    def __init__(self, bus, **kwargs):
        super().__init__(bus, _INIT, **kwargs, color_depth=1, grayscale=True, pixels_in_byte_share_row=False,
                         set_column_command=0x21, set_row_command=0x22, data_as_commands=True,
                         brightness_command=0x81, single_byte_bounds=True)
'''

# (x0, y0, x1, y1, colour) in display coordinates, inclusive-exclusive; drawn in order.
TFT_SCENE = [
    (0, 0, 240, 135, 0x000000),
    (0, 0, 80, 135, 0xFF0000),   # a red left third
    (100, 40, 140, 80, 0x00FF00),  # a green square right of it
    (0, 120, 240, 135, 0x0000FF),  # a blue bar along the bottom
    (230, 0, 240, 10, 0xFFFFFF),   # a white corner top right
]
OLED_SCENE = [
    (0, 0, 128, 32, 0),
    (10, 5, 50, 21, 1),
    (100, 0, 101, 32, 1),
    (120, 28, 128, 32, 1),
]

DRAW = '''
import displayio


def draw(display, scene, width, height, colors):
    group = displayio.Group()
    bitmap = displayio.Bitmap(width, height, len(colors))
    palette = displayio.Palette(len(colors))
    for i, c in enumerate(colors):
        palette[i] = c
    for x0, y0, x1, y1, c in scene:
        for y in range(y0, y1):
            for x in range(x0, x1):
                bitmap[x, y] = colors.index(c)
    group.append(displayio.TileGrid(bitmap, pixel_shader=palette))
    display.root_group = group
    display.refresh()
'''


def reference(scene, size, colour):
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for x0, y0, x1, y1, c in scene:
        d.rectangle((x0, y0, x1 - 1, y1 - 1), fill=colour(c))
    return img


def assert_same(got, want):
    assert got.size == want.size
    got = got.convert("RGB")
    if got.tobytes() != want.tobytes():
        diff = [(x, y, got.getpixel((x, y)), want.getpixel((x, y))) for y in range(got.height)
                for x in range(got.width) if got.getpixel((x, y)) != want.getpixel((x, y))]
        raise AssertionError(f"{len(diff)} pixels differ, first: {diff[:5]}")


def run(board, drive, code, *extra):
    (drive / "code.py").write_text(code)
    shot = drive.parent / "shot.png"
    b = board(drive, "--board", "feather_s3_tft", "--runs", "1", "--screenshot", str(shot), *extra)
    b.wait()
    return b, shot


TFT_CODE = ST7789_DRIVER + DRAW + '''
import board, fourwire
displayio.release_displays()
bus = fourwire.FourWire(board.SPI(), command=board.D6, chip_select=board.D5, reset=board.D9)
display = MyST7789(bus, width=240, height=135, rowstart=40, colstart=53, rotation=270, auto_refresh=False)
draw(display, %r, 240, 135, [0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF])
print("drawn", display.width, display.height)
''' % (TFT_SCENE,)


def test_st7789_breakout_on_fourwire(board, drive):
    b, shot = run(board, drive, TFT_CODE)
    assert "drawn 240 135" in b.text, b.text
    # Pure colours survive RGB565 unchanged, so the picture is exact.
    want = reference(TFT_SCENE, (240, 135), lambda c: ((c >> 16) & 255, (c >> 8) & 255, c & 255))
    assert_same(Image.open(shot), want)


def test_st7789_breakout_rotated_the_other_way(board, drive):
    """The mounting follows the display's rotation: at 90 the same scene still reads upright."""
    b, shot = run(board, drive, TFT_CODE.replace("rotation=270", "rotation=90"))
    assert "drawn 240 135" in b.text, b.text
    want = reference(TFT_SCENE, (240, 135), lambda c: ((c >> 16) & 255, (c >> 8) & 255, c & 255))
    assert_same(Image.open(shot), want)


OLED_CODE = SSD1306_DRIVER + DRAW + '''
import board, i2cdisplaybus
displayio.release_displays()
bus = i2cdisplaybus.I2CDisplayBus(board.I2C(), device_address=0x3C)
display = MySSD1306(bus, width=128, height=32, auto_refresh=False)
draw(display, %r, 128, 32, [0x000000, 0xFFFFFF])
print("drawn", display.width, display.height)
''' % ([(x0, y0, x1, y1, 0xFFFFFF if c else 0) for x0, y0, x1, y1, c in OLED_SCENE],)


def test_ssd1306_breakout_on_i2c(board, drive):
    b, shot = run(board, drive, OLED_CODE)
    assert "drawn 128 32" in b.text, b.text
    want = reference(OLED_SCENE, (128, 32), lambda c: (255, 255, 255) if c else (0, 0, 0))
    assert_same(Image.open(shot), want)


def test_breakouts_off_i2c_display_is_not_found(board, drive):
    b, shot = run(board, drive, OLED_CODE, "--breakouts", "off")
    assert "ValueError: Unable to find I2C Display at 3c" in b.text, b.text
    assert "drawn" not in b.text


def test_breakouts_off_spi_display_talks_to_nothing(board, drive):
    """CircuitPython cannot tell that nothing is on the pins: the program runs, no glass shows it."""
    b, shot = run(board, drive, TFT_CODE, "--breakouts", "off")
    assert "drawn 240 135" in b.text, b.text
    assert "Traceback" not in b.text
    assert not shot.exists()
    assert "no display to take a screenshot of" in b.proc.stderr.read().decode()


def test_builtin_display_is_no_breakout(board, drive):
    """The board's own display pins have glass: a program driving them gets the board's panel, and
    the screenshot without a program display is the board's display."""
    (drive / "code.py").write_text("print('hello')\n")
    shot = drive.parent / "shot.png"
    b = board(drive, "--board", "feather_s3_tft", "--runs", "1", "--screenshot", str(shot))
    b.wait()
    assert Image.open(shot).size == (240, 135)


PICO_CODE = ST7789_DRIVER + '''
import board, busio, displayio, fourwire, time
import circuit9_board
displayio.release_displays()
spi = busio.SPI(board.GP18, board.GP19)
bus = fourwire.FourWire(spi, command=board.GP16, chip_select=board.GP17)
display = MyST7789(bus, width=240, height=240, rowstart=80, rotation=180)
group = displayio.Group()
bitmap = displayio.Bitmap(240, 240, 2)
palette = displayio.Palette(2)
palette[0] = 0x0000FF
palette[1] = 0xFF0000
for y in range(20):
    for x in range(40):
        bitmap[x, y] = 1
group.append(displayio.TileGrid(bitmap, pixel_shader=palette))
display.root_group = group
# No refresh() here: the display refreshes itself, as on a board. Wait for the glass to show it
# (the panel the screenshot comes from), at most some thousands of looks.
panel = circuit9_board.last_panel()
for _ in range(5000):
    if panel.pixels()[:3] != b"\\x00\\x00\\x00":
        print("refreshed by itself")
        break
    time.sleep(0.002)
'''


def test_breakout_on_a_board_without_display_refreshes_itself(board, drive):
    """A Pico has no display: the program's breakout is its first display, and it refreshes in
    the background as on a board; the screenshot shows what the program left."""
    (drive / "code.py").write_text(PICO_CODE)
    shot = drive.parent / "shot.png"
    b = board(drive, "--board", "pico", "--runs", "1", "--screenshot", str(shot))
    b.wait()
    assert "refreshed by itself" in b.text, b.text
    scene = [(0, 0, 240, 240, 0x0000FF), (0, 0, 40, 20, 0xFF0000)]
    want = reference(scene, (240, 240), lambda c: ((c >> 16) & 255, (c >> 8) & 255, c & 255))
    assert_same(Image.open(shot), want)
