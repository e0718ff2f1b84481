"""jpegio on virtual boards: a progressive JPEG takes its coefficient memory from the board's
budget. A board without PSRAM (pico, 192 KB) gets CircuitPython's error for files its decoder
cannot read at 1/1, yet decodes the same file at 1/8 from its drive, where no coefficient memory is
needed (the DC scans are read side by side); a board with PSRAM (memento) decodes it at every
scale, with the pixels of the same picture written baseline. Pillow (libjpeg-turbo) writes both
files."""
import pytest
from PIL import Image, ImageDraw

# Only the top-left 32x24 of the scaled image is decoded (the crop box is the bitmap), so that
# the bitmap fits every board. A 1280x720 4:2:0 photo's coefficients take 2,764,800 bytes at 1/1:
# more than the pico has, within memento's PSRAM. The pico's photo is 3200x1800: even its DC values
# alone take 270,000 bytes, more than the pico's 192 KB, so its 1/8 decode shows that the DC scans
# were read side by side, without coefficient memory.
CODE = """
import displayio, jpegio
d = jpegio.JpegDecoder()
for scale in (0, 3):
    w, h = d.open("/photo.jpg")
    b = displayio.Bitmap(min(w >> scale, 32), min(h >> scale, 24), 65536)
    try:
        d.decode(b, scale=scale)
        print("scale", scale, "decoded", b.width, b.height, [b[x, x * 2 // 3] for x in range(0, 24, 5)])
    except Exception as e:
        print("scale", scale, type(e).__name__ + ":", e)
"""


def photo(path, progressive, size=(1280, 720)):
    """Gradients with a saturated disc, 4:2:0, quality 85."""
    r = Image.linear_gradient("L").resize(size)
    g = Image.linear_gradient("L").rotate(90).resize(size)
    b = Image.radial_gradient("L").resize(size)
    im = Image.merge("RGB", (r, g, b))
    ImageDraw.Draw(im).ellipse((size[0] * 15 // 64, size[1] * 5 // 18, size[0] * 15 // 32, size[1] * 25 // 36), fill=(255, 40, 40))
    im.save(path, "JPEG", quality=85, subsampling=2, progressive=progressive)


def run(drive, board, name):
    (drive / "code.py").write_text(CODE)
    b = board(drive, "--board", name, "--runs", "1")
    assert b.wait() == 0, b.text
    return [line for line in b.text.splitlines() if line.startswith("scale")]


@pytest.fixture
def progressive_drive(drive):
    photo(drive / "photo.jpg", True)
    return drive


def test_small_board_decodes_progressive_only_at_one_eighth(drive, board):
    photo(drive / "photo.jpg", True, (3200, 1800))
    lines = run(drive, board, "pico")
    assert lines[0] == "scale 0 RuntimeError: Not supported JPEG standard"
    assert lines[1].startswith("scale 3 decoded 32 24 ")


def test_board_with_psram_decodes_progressive(progressive_drive, board, tmp_path):
    lines = run(progressive_drive, board, "memento")
    assert lines[0].startswith("scale 0 decoded 32 24 ")
    assert lines[1].startswith("scale 3 decoded 32 24 ")
    # Pillow writes the picture baseline with the same coefficients: the same pixels.
    base = tmp_path / "base"
    base.mkdir()
    photo(base / "photo.jpg", False)
    assert run(base, board, "memento") == lines
