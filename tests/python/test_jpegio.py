"""jpegio.JpegDecoder from CPython: CircuitPython 9.2.9's API, argument order, messages and
behaviour (shared-bindings/jpegio/JpegDecoder.c, shared-module/jpegio/JpegDecoder.c, and
tests/circuitpython/jpegio_decompress.py, whose crop checks are repeated here).

Pixels are a board's, bit for bit: the bitmap's values hash to what a CircuitPython 9.2.9 board's
decoder gives (tests/fixtures/jpeg/tjpgd.sha256, PROVENANCE.md there). Files the board's decoder
rejects are checked against Pillow (libjpeg-turbo) instead: PSNR over the RGB565_SWAPPED values
widened to 8 bits. Never against our own decoder. Crop, position and colour keys are checked
against a full decode of the same file blitted with bitmaptools.blit, as CircuitPython's test does.
"""
import array
import hashlib
import io
import math
import os
import threading

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")  # refreshes happen only when a test asks

import pytest
from PIL import Image

from circuit9 import bitmaptools, displayio, jpegio

Bitmap = displayio.Bitmap
HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), "fixtures", "jpeg")

# The board's image of each fixture it decodes, at scales 0..3: SHA-256 of the bitmap's values.
BOARD = {}
with open(os.path.join(FIX, "tjpgd.sha256")) as f:
    for line in f:
        digest, name = line.split()
        base, scale, _ = name.rsplit(".", 2)
        BOARD[(base + ".jpg", int(scale[1:]))] = digest

# Decodable fixtures the board's decoder rejects (sampling) or stops on (no EOI; the same
# picture as s420.jpg), and the PSNR (dB) against Pillow each must reach at scales 0..3: what
# the decoder reaches, less 1-1.5 dB. At 1/8 the board's arithmetic takes each MCU's chroma from
# one DC value, which costs most on these synthetic sharp colour edges.
GOOD = {
    "s440.jpg": (30, 33, 35.5, 38.5),
    "s411.jpg": (37, 36.5, 37, 38),
    "bad_noeoi.jpg": (28, 31, 34.5, 16),
}

# CircuitPython's RuntimeError text for each broken or unsupported fixture (TJpgDec's codes:
# FMT3 for what is not baseline 1/3-component JPEG, FMT1 for broken data, INP for input that
# ends early or holds no SOI).
FMT1 = "Data format error (may be broken data)"
FMT3 = "Not supported JPEG standard"
INP = "Device error or wrong termination of input stream"
OPEN_ERRORS = {
    "arith_420.jpg": FMT3,
    "cmyk.jpg": FMT3,
    "bad_12bit.jpg": FMT3,
    "bad_lossless.jpg": FMT3,
    "bad_width0.jpg": FMT1,
    "bad_nosoi.jpg": INP,
    "bad_trunc_header.jpg": INP,
}
DECODE_ERRORS = {"bad_trunc_data.jpg": INP, "bad_corrupt.jpg": FMT1}


def path(name):
    return os.path.join(FIX, name)


def data(name):
    with open(path(name), "rb") as f:
        return f.read()


def raises(exc, msg, fn, *args, **kw):
    with pytest.raises(exc) as e:
        fn(*args, **kw)
    assert str(e.value) == msg
    return e.value


def decode_full(src, scale=0, decoder=None):
    d = decoder or jpegio.JpegDecoder()
    w, h = d.open(src)
    b = Bitmap(w >> scale, h >> scale, 65536)
    d.decode(b, scale=scale)
    return b


def values(b):
    return [b[i] for i in range(b.width * b.height)]


def widen(v):
    """RGB565_SWAPPED to RGB888 by bit replication."""
    v = ((v & 0xFF) << 8) | (v >> 8)
    r, g, b = v >> 11, (v >> 5) & 63, v & 31
    return (r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)


def pil_reference(name, scale):
    """libjpeg-turbo through Pillow: its own DCT scaling at 1/1 and 1/8, its full decode
    box-averaged at 1/2 and 1/4 (where libjpeg-turbo's scaled IDCT filters differently)."""
    im = Image.open(path("s420.jpg" if name == "bad_noeoi.jpg" else name))
    if scale == 3:
        im.draft("RGB", (im.width >> 3, im.height >> 3))
        return im.convert("RGB")
    im = im.convert("RGB")
    return im.reduce(1 << scale) if scale else im


def board_digest(b):
    """SHA-256 of a bitmap's values, little-endian, row by row: the reference files' layout."""
    return hashlib.sha256(array.array("H", values(b)).tobytes()).hexdigest()


def psnr(b, ref, unswap=False):
    se = n = 0
    for y in range(b.height):
        for x in range(b.width):
            v = b[x, y]
            if unswap:
                v = ((v & 0xFF) << 8) | (v >> 8)
            got, want = widen(v), ref.getpixel((x, y))
            se += sum((got[k] - want[k]) ** 2 for k in range(3))
            n += 3
    return 99.0 if se == 0 else 10 * math.log10(255 * 255 * n / se)


class ReadintoOnly(io.IOBase):
    """A stream that only implements readinto, like CircuitPython's IOAdapter: not seekable."""

    def __init__(self, content, chunk=None):
        self._content = memoryview(content)
        self._pos = 0
        self._chunk = chunk
        self.calls = 0

    def readinto(self, buf):
        self.calls += 1
        n = len(buf) if self._chunk is None else min(len(buf), self._chunk)
        part = self._content[self._pos:self._pos + n]
        buf[:len(part)] = part
        self._pos += len(part)
        return len(part)


class ReadOnly:
    """Only read(n), as some sockets' file wrappers have."""

    def __init__(self, content):
        self._f = io.BytesIO(content)

    def read(self, n=-1):
        return self._f.read(n)


class RecvInto:
    """A socket-like object: recv_into only."""

    def __init__(self, content):
        self._f = io.BytesIO(content)

    def recv_into(self, buf, nbytes=0):
        return self._f.readinto(buf)


# ---- the module and the constructor --------------------------------------------------------------


def test_module_and_constructor():
    assert [n for n in dir(jpegio) if not n.startswith("_")] == ["JpegDecoder"]
    assert isinstance(jpegio.JpegDecoder(), jpegio.JpegDecoder)
    raises(TypeError, "extra positional arguments given", jpegio.JpegDecoder, 1)
    raises(TypeError, "unexpected keyword argument 'size'", jpegio.JpegDecoder, size=1)


# ---- open() --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted({n for n, _ in BOARD} | set(GOOD)))
def test_open_returns_full_size_from_every_source(name):
    want = Image.open(path(name)).size
    raw = data(name)
    d = jpegio.JpegDecoder()
    sources = [path(name), raw, bytearray(raw), memoryview(raw), array.array("B", raw), io.BytesIO(raw),
               ReadintoOnly(raw), ReadintoOnly(raw, chunk=7), ReadOnly(raw), RecvInto(raw)]
    for src in sources:
        assert d.open(src) == want, type(src).__name__
    with open(path(name), "rb") as f:
        assert d.open(f) == want
    with open(path(name), "rb", buffering=0) as f:
        assert d.open(f) == want


@pytest.mark.parametrize("name", sorted(OPEN_ERRORS))
def test_open_errors(name):
    d = jpegio.JpegDecoder()
    for src in (path(name), data(name), io.BytesIO(data(name))):
        raises(RuntimeError, OPEN_ERRORS[name], d.open, src)
        # a failed open leaves nothing open
        raises(RuntimeError, "decode() without open()", d.decode, Bitmap(4, 4, 65536))


@pytest.mark.parametrize("name", sorted(DECODE_ERRORS))
def test_decode_errors(name):
    d = jpegio.JpegDecoder()
    for src in (path(name), data(name), ReadintoOnly(data(name), chunk=100)):
        w, h = d.open(src)
        assert (w, h) == (64, 48)
        raises(RuntimeError, DECODE_ERRORS[name], d.decode, Bitmap(w, h, 65536))
        raises(RuntimeError, "decode() without open()", d.decode, Bitmap(w, h, 65536))


def test_empty_and_non_jpeg_inputs():
    d = jpegio.JpegDecoder()
    for src in (b"", bytearray(), io.BytesIO(b""), b"not a jpeg at all", b"\xff", b"\xff\xd8"):
        raises(RuntimeError, INP, d.open, src)


def test_open_argument_errors(tmp_path):
    d = jpegio.JpegDecoder()
    raises(TypeError, "function takes 2 positional arguments but 1 were given", d.open)
    raises(TypeError, "function takes 2 positional arguments but 3 were given", d.open, b"", b"")
    raises(TypeError, "function doesn't take keyword arguments", d.open, source=path("s420.jpg"))
    msg = "data_source must be of type str, BytesIO, or ReadableBuffer, not %s"
    raises(TypeError, msg % "int", d.open, 5)
    raises(TypeError, msg % "NoneType", d.open, None)
    raises(TypeError, msg % "StringIO", d.open, io.StringIO("text"))
    with open(path("s420.jpg"), "r", encoding="latin-1") as f:  # a text stream is no binary stream
        raises(TypeError, msg % "TextIOWrapper", d.open, f)
    with pytest.raises(OSError) as e:
        d.open(str(tmp_path / "missing.jpg"))
    assert e.value.errno == 2


def test_bytes_are_data_not_a_path():
    # Only str is a path (mp_obj_is_str); bytes are a buffer of JPEG data.
    d = jpegio.JpegDecoder()
    raises(RuntimeError, INP, d.open, path("s420.jpg").encode())


def test_leading_bytes_before_soi_are_skipped():
    # TJpgDec scans for FF D8, so anything before it is ignored, in buffers and streams alike;
    # also when the FF ends one read and the D8 starts the next.
    raw = data("s420.jpg")
    want = values(decode_full(raw))
    for prefix in (b"\x00", b"junk\xff\xff", b"\x00" * 511, b"\xff" * 1000, b"\x00" * 1023):
        for src in (prefix + raw, io.BytesIO(prefix + raw), ReadintoOnly(prefix + raw, chunk=512)):
            assert values(decode_full(src)) == want


def test_missing_eoi_decodes_the_same():
    assert values(decode_full(path("bad_noeoi.jpg"))) == values(decode_full(path("s420.jpg")))


def test_stream_exceptions_propagate_and_close():
    raw = data("s420.jpg")

    class Failing(io.RawIOBase):
        def __init__(self, fail_after):
            self.f = io.BytesIO(raw)
            self.n = fail_after

        def readable(self):
            return True

        def readinto(self, buf):
            if self.f.tell() >= self.n:
                raise ValueError("stream broke")
            return self.f.readinto(buf)

    d = jpegio.JpegDecoder()
    raises(ValueError, "stream broke", d.open, Failing(0))
    raises(RuntimeError, "decode() without open()", d.decode, Bitmap(64, 48, 65536))
    # during decode (the headers fit in the first read)
    assert d.open(Failing(len(raw) // 2)) == (64, 48)
    raises(ValueError, "stream broke", d.decode, Bitmap(64, 48, 65536))
    raises(RuntimeError, "decode() without open()", d.decode, Bitmap(64, 48, 65536))

    class NoData(io.RawIOBase):
        def readinto(self, buf):
            return None  # a non-blocking stream with nothing yet: MicroPython's EAGAIN

    with pytest.raises(OSError) as e:
        d.open(NoData())
    assert e.value.errno == 11

    class Liar(io.RawIOBase):
        def readinto(self, buf):
            return len(buf) + 5

    with pytest.raises(ValueError):
        d.open(Liar())

    class ReadsText:
        def read(self, n):
            return "\xff\xd8"

    raises(TypeError, "object with buffer protocol required", d.open, ReadsText())


def test_stream_is_not_seeked_and_read_in_order():
    raw = data("opt_420_q50.jpg")
    s = ReadintoOnly(raw, chunk=33)
    b = decode_full(s)
    assert s.calls > 1
    assert values(b) == values(decode_full(raw))


def test_buffer_is_referenced_and_locked_while_open():
    raw = bytearray(data("s420.jpg"))
    d = jpegio.JpegDecoder()
    d.open(raw)
    with pytest.raises(BufferError):
        raw.append(0)
    d.decode(Bitmap(64, 48, 65536))
    raw.append(0)  # released by the decode
    d.open(raw)
    with pytest.raises(RuntimeError):
        d.open(b"")  # a new open drops the old source first, even when it fails
    raw.append(0)


def fd_count():
    return len(os.listdir("/proc/self/fd"))


def test_file_opened_from_a_path_is_closed_with_the_decoder():
    d = jpegio.JpegDecoder()
    before = fd_count()
    d.open(path("s420.jpg"))
    assert fd_count() == before + 1
    d.decode(Bitmap(64, 48, 65536))
    assert fd_count() == before
    d.open(path("s420.jpg"))
    d.open(path("s444.jpg"))  # the first file is closed by the second open
    assert fd_count() == before + 1
    del d
    assert fd_count() == before
    # a stream the caller gave stays open
    d = jpegio.JpegDecoder()
    with open(path("s420.jpg"), "rb") as f:
        d.open(f)
        d.decode(Bitmap(64, 48, 65536))
        assert not f.closed


# ---- pixels: a board's -------------------------------------------------------------------------------


@pytest.mark.parametrize("name,scale", sorted(BOARD))
def test_pixels_are_the_boards(name, scale):
    b = decode_full(path(name), scale)
    assert board_digest(b) == BOARD[(name, scale)]


def test_board_digest_sees_one_pixel():
    # The comparison above fails for a single changed value.
    b = decode_full(path("testorig_227x149.jpg"), 0)
    b[113, 74] ^= 0x0100
    assert board_digest(b) != BOARD[("testorig_227x149.jpg", 0)]


@pytest.mark.parametrize("name", sorted(GOOD))
@pytest.mark.parametrize("scale", [0, 1, 2, 3])
def test_pixels_match_pillow(name, scale):
    b = decode_full(path(name), scale)
    ref = pil_reference(name, scale)
    assert b.width <= ref.width and b.height <= ref.height
    db = psnr(b, ref)
    assert db >= GOOD[name][scale], f"{name} 1/{1 << scale}: {db:.2f} dB"


def test_pixels_are_rgb565_swapped():
    # The same comparison with the bytes the other way round must fail badly, so the PSNR test
    # above does pin the byte order.
    b = decode_full(path("s444.jpg"))
    assert psnr(b, pil_reference("s444.jpg", 0), unswap=True) < 20
    # A grey pixel of Pillow's decode and ours: RGB565 of the grey, bytes swapped.
    g = decode_full(path("gray.jpg"))
    ref = Image.open(path("gray.jpg")).convert("L")
    for x, y in ((0, 0), (31, 20), (63, 47)):
        v = g[x, y]
        rgb = widen(v)
        assert abs(rgb[1] - ref.getpixel((x, y))) <= 8
        plain = ((v & 0xFF) << 8) | (v >> 8)
        assert (plain >> 11) == ((plain >> 6) & 31) == (plain & 31)  # r5 == g6 >> 1 == b5


@pytest.mark.parametrize("name", ["odd_420_37x29.jpg", "odd_422_23x17.jpg", "odd_gray_13x11.jpg"])
def test_scaled_size_is_width_shifted_right(name):
    # TJpgDec drops the partial pixel of each partial MCU: the image is (w >> s) x (h >> s),
    # which is what the callers (and CircuitPython's test) compute.
    d = jpegio.JpegDecoder()
    for scale in range(4):
        w, h = d.open(path(name))
        sw, sh = w >> scale, h >> scale
        b = Bitmap(sw + 3, sh + 3, 65536)
        b.fill(0x1234)
        d.decode(b, scale=scale)
        exact = decode_full(path(name), scale)
        for y in range(b.height):
            for x in range(b.width):
                if x < sw and y < sh:
                    assert b[x, y] == exact[x, y]
                else:
                    assert b[x, y] == 0x1234, (scale, x, y)
        # the last column and row are written
        assert b[sw - 1, sh - 1] != 0x1234 and b[sw - 1, 0] != 0x1234 and b[0, sh - 1] != 0x1234


# ---- progressive JPEG (beyond the board) -------------------------------------------------------------


class CountingSeeker(io.BytesIO):
    """A seekable stream that counts its seeks and reads."""

    def __init__(self, content, prefix=b""):
        super().__init__(prefix + content)
        self.seeks = 0
        self.reads = 0

    def seek(self, *args):
        self.seeks += 1
        return super().seek(*args)

    def readinto(self, buf):
        self.reads += 1
        return super().readinto(buf)


PROG_SOURCES = {
    "path": lambda raw: path("prog_420.jpg"),
    "bytes": lambda raw: raw,
    "BytesIO": lambda raw: io.BytesIO(raw),
    "seekable stream after junk": lambda raw: CountingSeeker(raw, prefix=b"junk\xff\x00" * 100),
    "readinto only (no seek)": lambda raw: ReadintoOnly(raw, chunk=61),
    "read only": lambda raw: ReadOnly(raw),
}


@pytest.mark.parametrize("kind", sorted(PROG_SOURCES))
@pytest.mark.parametrize("scale", [0, 1, 2, 3])
def test_progressive_shows_what_the_board_shows_for_its_baseline_twin(kind, scale):
    # prog_420.jpg is s420.jpg's picture, quality and sampling written progressive, so it holds
    # the same coefficients: its pixels are the board's pixels of s420.jpg, from every kind of
    # source (at 1/8 a source that can seek needs no coefficient memory, the others some).
    raw = data("prog_420.jpg")
    b = decode_full(PROG_SOURCES[kind](raw), scale)
    assert (b.width, b.height) == (64 >> scale, 48 >> scale)
    assert board_digest(b) == BOARD[("s420.jpg", scale)]


def test_progressive_one_eighth_seeks_a_seekable_stream():
    s = CountingSeeker(data("prog_420.jpg"))
    decode_full(s, 3)
    assert s.seeks > 2  # the DC scans were read side by side


def test_broken_progressive():
    raw = data("prog_420.jpg")
    d = jpegio.JpegDecoder()
    for cut in (len(raw) // 4, len(raw) // 2):
        for scale in (0, 3):
            d.open(raw[:cut])
            raises(RuntimeError, INP, d.decode, Bitmap(64, 48, 65536), scale=scale)


# ---- decode() arguments ----------------------------------------------------------------------------


def test_decode_argument_errors():
    d = jpegio.JpegDecoder()
    b = Bitmap(64, 48, 65536)
    raises(TypeError, "'bitmap' argument required", d.decode)
    raises(TypeError, "bitmap must be of type Bitmap, not int", d.decode, 5)
    raises(TypeError, "bitmap must be of type Bitmap, not bytearray", d.decode, bytearray(64 * 48 * 2))
    raises(ValueError, "scale must be 0-3", d.decode, b, 4)
    raises(ValueError, "scale must be 0-3", d.decode, b, scale=-1)
    raises(TypeError, "can't convert str to int", d.decode, b, "1")
    raises(TypeError, "can't convert float to int", d.decode, b, 0, 1.0)
    raises(ValueError, "x must be 0-64", d.decode, b, 0, 65)
    raises(ValueError, "y must be 0-48", d.decode, b, 0, 0, -1)
    raises(ValueError, "x1 must be 0-64", d.decode, b, x1=65)
    raises(ValueError, "y1 must be 0-48", d.decode, b, y1=49)
    raises(ValueError, "x2 must be 10-64", d.decode, b, x1=10, x2=9)
    raises(ValueError, "y2 must be 5-48", d.decode, b, y1=5, y2=49)
    raises(TypeError, "x1 must be of type int, not float", d.decode, b, x1=1.0)
    raises(TypeError, "y2 must be of type int, not bool", d.decode, b, y2=True)
    raises(TypeError, "x2 must be of type int, not str", d.decode, b, 0, 0, 0, 0, 0, "1")
    raises(TypeError, "can't convert float to int", d.decode, b, skip_source_index=1.5)
    raises(TypeError, "can't convert str to int", d.decode, b, skip_dest_index="0")
    raises(OverflowError, "overflow converting long int to machine word", d.decode, b, skip_dest_index=2**40)
    raises(TypeError, "extra positional arguments given", d.decode, b, 0, 0, 0, 0, 0, 64, 48, 1)
    raises(TypeError, "unexpected keyword argument 'colour'", d.decode, b, colour=1)
    # a keyword repeating a positional argument is unexpected too (CircuitPython looks only
    # after the positional ones)
    raises(TypeError, "unexpected keyword argument 'scale'", d.decode, b, 0, scale=1)
    # argument errors come before the open check, which comes before anything else
    raises(RuntimeError, "decode() without open()", d.decode, b)
    # ... and leave an open decoder open
    d.open(path("s420.jpg"))
    raises(ValueError, "scale must be 0-3", d.decode, b, 5)
    d.decode(b)
    raises(RuntimeError, "decode() without open()", d.decode, b)


def test_crop_box_is_validated_against_the_bitmap_not_the_image():
    d = jpegio.JpegDecoder()
    d.open(path("s420.jpg"))  # 64x48
    small = Bitmap(8, 8, 65536)
    raises(ValueError, "x2 must be 0-8", d.decode, small, x2=16)
    big = Bitmap(200, 100, 65536)
    d.decode(big, 0, 0, 0, 0, 0, 150, 90)  # beyond the image: allowed, nothing there to copy


def test_positional_order_is_bitmap_scale_x_y_x1_y1_x2_y2():
    raw = data("s444.jpg")
    d = jpegio.JpegDecoder()
    a = Bitmap(40, 30, 65536)
    d.open(raw)
    d.decode(a, 1, 3, 4, 2, 5, 20, 18)
    b = Bitmap(40, 30, 65536)
    d.open(raw)
    d.decode(b, scale=1, x=3, y=4, x1=2, y1=5, x2=20, y2=18)
    assert values(a) == values(b)
    assert any(values(a))


def test_read_only_bitmap():
    from circuit9 import terminalio
    d = jpegio.JpegDecoder()
    font_bitmap = terminalio.FONT.bitmap
    before = values(font_bitmap)
    raises(RuntimeError, "decode() without open()", d.decode, font_bitmap)
    d.open(path("s420.jpg"))
    raises(RuntimeError, "Read-only", d.decode, font_bitmap)
    assert values(font_bitmap) == before
    raises(RuntimeError, "decode() without open()", d.decode, Bitmap(4, 4, 65536))


def test_deinitialised_bitmap():
    d = jpegio.JpegDecoder()
    b = Bitmap(4, 4, 65536)
    b.deinit()
    with pytest.raises(ValueError):
        d.decode(b)


# ---- crop and position against bitmaptools.blit (CircuitPython's test) --------------------------


def blit_reference(name, scale, bw, bh, fill, kw):
    full = decode_full(path(name), scale)
    ref = Bitmap(bw, bh, 65536)
    ref.fill(fill)
    x1, y1 = min(kw.get("x1", 0), full.width), min(kw.get("y1", 0), full.height)
    x2 = min(bw if kw.get("x2") is None else kw["x2"], full.width)
    y2 = min(bh if kw.get("y2") is None else kw["y2"], full.height)
    if x2 > x1 and y2 > y1:
        bitmaptools.blit(ref, full, kw.get("x", 0), kw.get("y", 0), x1, y1, x2, y2,
                         skip_source_index=kw.get("skip_source_index"), skip_dest_index=kw.get("skip_dest_index"))
    return ref


CROPS = [
    {},
    {"x": 8, "y": 12},
    {"x1": 8, "y1": 12},
    {"x2": 16, "y2": 16},
    {"x": 12, "y": 16, "x1": 8, "y1": 12, "x2": 16, "y2": 16},
    {"x": 3, "y": 5, "x1": 1, "y1": 2, "x2": 7, "y2": 9},  # not aligned to blocks
    {"x": 60, "y": 40},  # mostly off the bitmap: clipped
    {"x": 64, "y": 48},  # entirely off
    {"x1": 64, "y1": 48},  # empty box
    {"x": 0, "y": 0, "x1": 30, "y1": 20, "x2": 31, "y2": 21},  # one pixel
]


@pytest.mark.parametrize("name", ["s420.jpg", "s444.jpg", "odd_420_37x29.jpg", "rst5_444.jpg", "gray.jpg"])
@pytest.mark.parametrize("scale", [0, 1, 3])
@pytest.mark.parametrize("crop", range(len(CROPS)))
def test_crop_and_position_match_blit(name, scale, crop):
    kw = dict(CROPS[crop])
    d = jpegio.JpegDecoder()
    w, h = d.open(path(name))
    bw, bh = w >> scale, h >> scale
    for k, lim in (("x", bw), ("x1", bw), ("x2", bw), ("y", bh), ("y1", bh), ("y2", bh)):
        if k in kw:
            kw[k] = min(kw[k], lim)
    if kw.get("x2") is not None and kw["x2"] < kw.get("x1", 0):
        kw["x2"] = kw.get("x1", 0)
    if kw.get("y2") is not None and kw["y2"] < kw.get("y1", 0):
        kw["y2"] = kw.get("y1", 0)
    b = Bitmap(bw, bh, 65536)
    b.fill(0xFFFF)
    d.decode(b, scale=scale, **kw)
    assert memoryview(b) == memoryview(blit_reference(name, scale, bw, bh, 0xFFFF, kw))


def test_destination_larger_than_image():
    d = jpegio.JpegDecoder()
    d.open(path("odd_422_23x17.jpg"))
    b = Bitmap(50, 40, 65536)
    b.fill(7)
    kw = {"x": 20, "y": 30, "x1": 2, "y1": 3, "x2": 45, "y2": 38}
    d.decode(b, **kw)
    assert memoryview(b) == memoryview(blit_reference("odd_422_23x17.jpg", 0, 50, 40, 7, kw))


# ---- colour keys -----------------------------------------------------------------------------------


def most_common(b):
    counts = {}
    for v in values(b):
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=counts.get)


@pytest.mark.parametrize("name", ["s444.jpg", "gray.jpg", "q100_444.jpg"])
def test_skip_source_index(name):
    full = decode_full(path(name))
    key = most_common(full)
    assert 1 < values(full).count(key) < full.width * full.height
    d = jpegio.JpegDecoder()
    d.open(path(name))
    b = Bitmap(full.width, full.height, 65536)  # filled with 0, as CircuitPython's test does
    d.decode(b, skip_source_index=key)
    for got, want in zip(values(b), values(full)):
        assert got == (0 if want == key else want)
    assert memoryview(b) == memoryview(blit_reference(name, 0, full.width, full.height, 0,
                                                      {"skip_source_index": key}))
    # a key no 16-bit pixel can equal skips nothing
    for never in (-1, 0x10000 + key):
        d.open(path(name))
        d.decode(b, skip_source_index=never)
        assert values(b) == values(full)


def test_skip_dest_index():
    d = jpegio.JpegDecoder()
    d.open(path("s444.jpg"))
    b = Bitmap(64, 48, 65536)
    pattern = [0xAAAA if (x + y) % 3 == 0 else 0x5555 for y in range(48) for x in range(64)]
    for i, v in enumerate(pattern):
        b[i] = v
    d.decode(b, 2, 4, 4, skip_dest_index=0xAAAA)  # scale 1/4 at (4, 4)
    q = decode_full(path("s444.jpg"), 2)
    for y in range(48):
        for x in range(64):
            p = pattern[y * 64 + x]
            inside = 4 <= x < 4 + q.width and 4 <= y < 4 + q.height
            want = q[x - 4, y - 4] if inside and p != 0xAAAA else p
            assert b[x, y] == want, (x, y)


def test_both_keys_together():
    name = "s444.jpg"
    full = decode_full(path(name))
    key = most_common(full)
    b = Bitmap(64, 48, 65536)
    for i in range(64 * 48):
        b[i] = 1 if i % 2 else 2
    ref = Bitmap(64, 48, 65536)
    for i in range(64 * 48):
        ref[i] = 1 if i % 2 else 2
    kw = {"skip_source_index": key, "skip_dest_index": 1}
    d = jpegio.JpegDecoder()
    d.open(path(name))
    d.decode(b, **kw)
    bitmaptools.blit(ref, full, 0, 0, **kw)
    assert memoryview(b) == memoryview(ref)


# ---- depth is not checked ----------------------------------------------------------------------------


@pytest.mark.parametrize("value_count,mask", [(2, 1), (4, 3), (16, 15), (256, 255), (65536, 0xFFFF)])
def test_any_depth_keeps_the_low_bits(value_count, mask):
    full = decode_full(path("s422.jpg"))
    d = jpegio.JpegDecoder()
    d.open(path("s422.jpg"))
    b = Bitmap(64, 48, value_count)
    d.decode(b)
    assert values(b) == [v & mask for v in values(full)]


# ---- decoder lifetime --------------------------------------------------------------------------------


def test_decoder_closes_after_each_decode_and_is_reusable():
    d = jpegio.JpegDecoder()
    raises(RuntimeError, "decode() without open()", d.decode, Bitmap(4, 4, 65536))
    raw = data("opt_420_q50.jpg")
    results = []
    for scale in range(4):
        assert d.open(raw) == (96, 64)
        b = Bitmap(96 >> scale, 64 >> scale, 65536)
        d.decode(b, scale=scale)
        raises(RuntimeError, "decode() without open()", d.decode, b)
        results.append(values(b))
    # the same decoder gives what a fresh one gives
    for scale in range(4):
        assert results[scale] == values(decode_full(raw, scale))
    # after a decode error too
    d.open(data("bad_corrupt.jpg"))
    with pytest.raises(RuntimeError):
        d.decode(Bitmap(64, 48, 65536))
    assert values(decode_full(raw, 0, decoder=d)) == results[0]


def test_open_replaces_the_previous_source():
    d = jpegio.JpegDecoder()
    assert d.open(path("s420.jpg")) == (64, 48)
    assert d.open(path("opt_420_q50.jpg")) == (96, 64)
    b = Bitmap(96, 64, 65536)
    d.decode(b)
    assert values(b) == values(decode_full(path("opt_420_q50.jpg")))


# ---- dirty area --------------------------------------------------------------------------------------

ST7789_INIT = bytes([0x01, 0x80, 150, 0x11, 0x80, 255, 0x3A, 0x81, 0x55, 10, 0x36, 0x01, 0x00,
                     0x21, 0x80, 10, 0x13, 0x80, 10, 0x29, 0x80, 255])


@pytest.fixture
def panel_display():
    import circuit9.busdisplay as busdisplay
    import circuit9.busio as busio
    import circuit9.circuit9_board as cb
    import circuit9.fourwire as fourwire

    displayio.release_displays()
    P = cb.pin
    panel = cb.Panel("ST7789")
    panel.attach_spi(clock=P("GPIO36"), mosi=P("GPIO35"), chip_select=P("GPIO7"), command=P("GPIO39"),
                     reset=P("GPIO40"))
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"))
    bus = fourwire.FourWire(spi, command=P("GPIO39"), chip_select=P("GPIO7"), reset=P("GPIO40"))
    display = busdisplay.BusDisplay(bus, ST7789_INIT, width=64, height=48, auto_refresh=False)
    yield panel, display
    displayio.release_displays()
    for obj in (panel, spi):
        for name in ("detach", "deinit"):
            if hasattr(obj, name):
                getattr(obj, name)()


def panel_rgb(panel):
    im = Image.frombytes("RGB", (panel.width, panel.height), panel.pixels())
    return im


def test_decode_marks_exactly_the_written_area_dirty(panel_display):
    panel, display = panel_display
    b = Bitmap(64, 48, 65536)
    cc = displayio.ColorConverter(input_colorspace=displayio.Colorspace.RGB565_SWAPPED)
    root = displayio.Group()
    root.append(displayio.TileGrid(b, pixel_shader=cc))
    display.root_group = root
    display.refresh()
    black = panel_rgb(panel)
    assert black.getpixel((0, 0)) == (0, 0, 0)
    # Writes through the buffer protocol are invisible until something marks them dirty.
    mv = memoryview(b).cast("B").cast("H")
    for i in range(len(mv)):
        mv[i] = 0x1F00  # pure blue, byte-swapped
    display.refresh()
    assert panel_rgb(panel).tobytes() == black.tobytes()
    # Decoding a 16x12 window at (20, 10) marks that window, and only it: the blue written
    # around it stays invisible.
    d = jpegio.JpegDecoder()
    d.open(path("s444.jpg"))
    d.decode(b, 0, 20, 10, 8, 8, 24, 20)
    display.refresh()
    shown = panel_rgb(panel)
    full = decode_full(path("s444.jpg"))
    for y in range(48):
        for x in range(64):
            if 20 <= x < 36 and 10 <= y < 22:
                want = widen(full[x - 20 + 8, y - 10 + 8])
            else:
                want = (0, 0, 0)
            assert shown.getpixel((x, y)) == want, (x, y)


def test_skipped_pixels_still_dirty(panel_display):
    panel, display = panel_display
    b = Bitmap(64, 48, 65536)
    root = displayio.Group()
    root.append(displayio.TileGrid(b, pixel_shader=displayio.ColorConverter(
        input_colorspace=displayio.Colorspace.RGB565_SWAPPED)))
    display.root_group = root
    display.refresh()
    mv = memoryview(b).cast("B").cast("H")
    for i in range(len(mv)):
        mv[i] = 0x1F00
    d = jpegio.JpegDecoder()
    d.open(path("s444.jpg"))
    d.decode(b, 0, 10, 10, 0, 0, 8, 8, skip_dest_index=0x1F00)  # every destination pixel is protected
    display.refresh()
    shown = panel_rgb(panel)
    assert shown.getpixel((10, 10)) == widen(0x1F00)
    assert shown.getpixel((17, 17)) == widen(0x1F00)
    assert shown.getpixel((18, 18)) == (0, 0, 0)
    assert shown.getpixel((9, 9)) == (0, 0, 0)


# ---- the GIL -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_jpeg():
    """A 1600x1200 picture written by Pillow's encoder."""
    size = (1600, 1200)
    im = Image.merge("RGB", (Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 60),
                             Image.effect_noise(size, 40), Image.linear_gradient("L").resize(size)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["buffer", "stream"])
def test_gil_is_released_during_decode(big_jpeg, kind):
    # Another thread sees the first pixel written while the last is not yet: the decode was
    # running while that thread ran Python code. (With the GIL held the decode would be atomic
    # to it: reading the first pixel written would mean the last is written too.)
    sentinel = 0x0841
    seen = False
    for attempt in range(5):
        d = jpegio.JpegDecoder()
        w, h = d.open(big_jpeg if kind == "buffer" else io.BytesIO(big_jpeg))
        b = Bitmap(w, h, 65536)
        b.fill(sentinel)
        done = threading.Event()

        def work():
            d.decode(b)
            done.set()

        t = threading.Thread(target=work)
        t.start()
        while not done.is_set():
            first = b[0, 0]
            last = b[w - 1, h - 1]
            if first != sentinel and last == sentinel:
                seen = True
        t.join()
        assert b[0, 0] != sentinel and b[w - 1, h - 1] != sentinel
        if seen:
            break
    assert seen
    ref = Image.open(io.BytesIO(big_jpeg)).convert("RGB")
    se = n = 0
    for y in range(0, h, 37):
        for x in range(0, w, 41):
            got, want = widen(b[x, y]), ref.getpixel((x, y))
            se += sum((got[k] - want[k]) ** 2 for k in range(3))
            n += 3
    assert 10 * math.log10(255 * 255 * n / max(se, 1)) > 30


def test_busy_decoder_and_bitmap_are_protected_from_other_threads():
    raw = data("opt_420_q50.jpg")
    gate, reading = threading.Event(), threading.Event()

    class Slow(io.RawIOBase):
        def __init__(self):
            self.f = io.BytesIO(raw)
            self.header_done = False

        def readinto(self, buf):
            if self.header_done:
                reading.set()
                gate.wait()
            return self.f.readinto(memoryview(buf)[:64])

    d = jpegio.JpegDecoder()
    s = Slow()
    assert d.open(s) == (96, 64)
    s.header_done = True
    b = Bitmap(96, 64, 65536)
    errors = []

    def work():
        try:
            d.decode(b)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=work)
    t.start()
    reading.wait()
    raises(RuntimeError, "JpegDecoder is in use by another thread", d.open, raw)
    raises(RuntimeError, "JpegDecoder is in use by another thread", d.decode, Bitmap(4, 4, 65536))
    with pytest.raises(BufferError):
        b.deinit()
    gate.set()
    t.join()
    assert not errors
    assert values(b) == values(decode_full(raw))
    b.deinit()  # allowed again
