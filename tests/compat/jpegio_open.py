# jpegio.JpegDecoder.open(): every source kind and the (width, height) it returns, and the
# RuntimeError each broken or unsupported file gives.
# Expected output written by hand: sizes are what Pillow reports for the fixtures
# (Image.open(f).size, computed once); messages are TJpgDec's texts as CircuitPython 9.2.9
# raises them (shared-module/jpegio/JpegDecoder.c), for the TJpgDec code each file gets (spec §1).
import io

import displayio
import jpegio

FIX = "../fixtures/jpeg/"


class IOAdapter(io.IOBase):
    """CircuitPython's test adapter: readinto only, no seek."""

    def __init__(self, content):
        self._content = memoryview(content)
        self._pos = 0

    def readinto(self, buf):
        data = self._content[self._pos : self._pos + len(buf)]
        buf[: len(data)] = data
        self._pos += len(data)
        return len(data)


decoder = jpegio.JpegDecoder()

for name in ("s444", "s422", "s420", "s440", "s411", "gray", "odd_420_37x29", "odd_422_23x17",
             "odd_gray_13x11", "rst1_420", "rst5_444", "opt_420_q50", "q100_444", "bad_noeoi"):
    path = FIX + name + ".jpg"
    with open(path, "rb") as f:
        content = f.read()
    sizes = {decoder.open(path), decoder.open(content), decoder.open(bytearray(content)),
             decoder.open(memoryview(content)), decoder.open(io.BytesIO(content)),
             decoder.open(IOAdapter(content))}
    with open(path, "rb") as f:
        sizes.add(decoder.open(f))
    print(name, sizes)

for name in ("prog_420", "arith_420", "cmyk", "bad_12bit", "bad_lossless", "bad_width0", "bad_nosoi",
             "bad_trunc_header"):
    try:
        decoder.open(FIX + name + ".jpg")
        print(name, "opened")
    except RuntimeError as e:
        print(name, "RuntimeError:", e)

for name in ("bad_trunc_data", "bad_corrupt"):
    print(name, decoder.open(FIX + name + ".jpg"))
    bitmap = displayio.Bitmap(64, 48, 65536)
    try:
        decoder.decode(bitmap)
        print(name, "decoded")
    except RuntimeError as e:
        print(name, "RuntimeError:", e)

for source in (b"", b"not a jpeg", io.BytesIO(b"")):
    try:
        decoder.open(source)
    except RuntimeError as e:
        print("RuntimeError:", e)

for source in (1, None, io.StringIO("text")):
    try:
        decoder.open(source)
    except TypeError as e:
        print("TypeError:", e)

try:
    decoder.open(FIX + "missing.jpg")
except OSError as e:
    print("OSError", e.errno)
