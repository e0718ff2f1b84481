"""The bitmaptools module from CPython: CircuitPython 9.2.9's signatures, defaults, exception
types and messages, and the results of each function on small bitmaps."""
import array
import io

import pytest

from circuit9 import bitmaptools, displayio

Bitmap = displayio.Bitmap
CS = displayio.Colorspace


def rows(b):
    return ["".join("0123456789abcdef"[b[x, y] & 15] for x in range(b.width)) for y in range(b.height)]


def filled(w, h, n, f=lambda x, y: 0):
    b = Bitmap(w, h, n)
    for y in range(h):
        for x in range(w):
            b[x, y] = f(x, y)
    return b


def raises(exc, msg, fn, *args, **kw):
    with pytest.raises(exc) as e:
        fn(*args, **kw)
    assert str(e.value) == msg
    return e.value


# ---- enums --------------------------------------------------------------------------------------


def test_enums():
    assert repr(bitmaptools.BlendMode.Normal) == "bitmaptools.BlendMode.Normal"
    assert repr(bitmaptools.BlendMode.Screen) == "bitmaptools.BlendMode.Screen"
    assert repr(bitmaptools.DitherAlgorithm.Atkinson) == "bitmaptools.DitherAlgorithm.Atkinson"
    assert repr(bitmaptools.DitherAlgorithm.FloydStenberg) == "bitmaptools.DitherAlgorithm.FloydStenberg"
    assert bitmaptools.BlendMode.Normal is bitmaptools.BlendMode.Normal
    assert bitmaptools.BlendMode.Normal != bitmaptools.BlendMode.Screen
    with pytest.raises(TypeError):
        bitmaptools.BlendMode()


# ---- argument parsing (MicroPython's messages) ----------------------------------------------------


def test_parse_errors():
    b = Bitmap(4, 4, 2)
    raises(TypeError, "'value' argument required", bitmaptools.fill_region, b, 0, 0, 1, 1)
    raises(TypeError, "extra positional arguments given", bitmaptools.fill_region, b, 0, 0, 1, 1, 1, 1)
    # CircuitPython's full builds (every board with bitmaptools) name the unknown keyword
    raises(TypeError, "unexpected keyword argument 'bogus'", bitmaptools.fill_region, b, 0, 0, 1, 1, value=1, bogus=2)
    raises(TypeError, "function missing 1 required positional arguments", bitmaptools.blit)
    # keyword-only arguments cannot be given positionally
    s = Bitmap(2, 2, 2)
    raises(TypeError, "extra positional arguments given", bitmaptools.blit, b, s, 0, 0, 0, 0, 2, 2, 1)
    raises(TypeError, "extra positional arguments given", bitmaptools.rotozoom, b, s, 1)
    raises(TypeError, "can't convert str to int", bitmaptools.draw_line, b, "0", 0, 1, 1, 1)
    raises(TypeError, "can't convert float to int", bitmaptools.draw_line, b, 0.5, 0, 1, 1, 1)
    raises(OverflowError, "overflow converting long int to machine word", bitmaptools.draw_line, b, 2**40, 0, 1, 1, 1)


def test_bitmap_type_and_deinit():
    b = Bitmap(4, 4, 2)
    raises(TypeError, "dest_bitmap must be of type Bitmap, not int", bitmaptools.fill_region, 1, 0, 0, 1, 1, 1)
    raises(TypeError, "source_bitmap must be of type Bitmap, not str", bitmaptools.blit, b, "x", 0, 0)
    raises(TypeError, "bitmap must be of type Bitmap, not NoneType", bitmaptools.arrayblit, None, b"")
    raises(TypeError, "source_bitmap_2 must be of type Bitmap, not list",
           bitmaptools.alphablend, b, b, [], CS.L8)
    d = Bitmap(2, 2, 2)
    d.deinit()
    raises(ValueError, "Object has been deinitialized and can no longer be used. Create a new object.",
           bitmaptools.draw_circle, d, 0, 0, 1, 1)


# ---- blit -----------------------------------------------------------------------------------------


def test_blit_basic_and_positional_area():
    d = Bitmap(6, 4, 16)
    s = filled(3, 2, 16, lambda x, y: 1 + x + 3 * y)
    bitmaptools.blit(d, s, 1, 1)
    assert rows(d) == ["000000", "012300", "045600", "000000"]
    d.fill(0)
    # x1, y1, x2, y2 are positional too, despite the '*' in the documentation
    bitmaptools.blit(d, s, 5, 3, 1, 0, 3, 2)
    assert rows(d) == ["000000", "000000", "000000", "000002"]
    d.fill(0)
    bitmaptools.blit(d, s, 0, 0, x1=1, y1=1, x2=None, y2=None, skip_source_index=5)
    assert rows(d) == ["060000", "000000", "000000", "000000"]
    d.fill(9)
    d[1, 0] = 0
    bitmaptools.blit(d, s, 0, 0, skip_dest_index=9)
    assert rows(d) == ["929999", "999999", "999999", "999999"]


def test_blit_overlap_on_itself():
    b = filled(5, 1, 16, lambda x, y: x + 1)
    bitmaptools.blit(b, b, 1, 0, 0, 0, 4, 1)
    assert rows(b) == ["11234"]
    b = filled(5, 1, 16, lambda x, y: x + 1)
    bitmaptools.blit(b, b, 0, 0, 1, 0, 5, 1)
    assert rows(b) == ["23455"]
    b = filled(1, 4, 16, lambda x, y: y + 1)
    bitmaptools.blit(b, b, 0, 1, 0, 0, 1, 3)
    assert rows(b) == ["1", "1", "2", "3"]


def test_blit_errors():
    d, s = Bitmap(6, 4, 4), Bitmap(3, 2, 4)
    raises(ValueError, "x must be 0-6", bitmaptools.blit, d, s, 7, 0)
    raises(ValueError, "y must be 0-4", bitmaptools.blit, d, s, 0, -1)
    raises(ValueError, "x1 must be 0-3", bitmaptools.blit, d, s, 0, 0, x1=4)
    raises(ValueError, "x2 must be 2-3", bitmaptools.blit, d, s, 0, 0, x1=2, x2=1)
    raises(ValueError, "y2 must be 1-2", bitmaptools.blit, d, s, 0, 0, y1=1, y2=3)
    raises(TypeError, "x1 must be of type int, not str", bitmaptools.blit, d, s, 0, 0, x1="a")
    raises(TypeError, "y2 must be of type int, not float", bitmaptools.blit, d, s, 0, 0, y2=1.0)
    raises(ValueError, "source palette too large", bitmaptools.blit, Bitmap(2, 2, 2), s, 0, 0)
    raises(TypeError, "can't convert str to int", bitmaptools.blit, d, s, 0, 0, skip_source_index="a")
    # x is checked before the source bitmap's type
    raises(ValueError, "x must be 0-6", bitmaptools.blit, d, None, 9, 0)


# ---- rotozoom -------------------------------------------------------------------------------------


def test_rotozoom_identity_and_scale():
    s = filled(4, 4, 16, lambda x, y: x + 4 * y)
    d = Bitmap(4, 4, 16)
    bitmaptools.rotozoom(d, s)
    assert rows(d) == rows(s)
    big = Bitmap(8, 8, 16)
    bitmaptools.rotozoom(big, s, scale=2)
    assert [big[x, y] for y in range(8) for x in range(8)] == [s[x // 2, y // 2] for y in range(8) for x in range(8)]
    big.fill(15)
    bitmaptools.rotozoom(big, s, scale=2.0, dest_clip0=(6, 6), dest_clip1=[2, 1], skip_index=5)
    for y in range(8):
        for x in range(8):
            v = s[x // 2, y // 2]
            inside = 2 <= x < 6 and 1 <= y < 6 and v != 5
            assert big[x, y] == (v if inside else 15)
    # a negative scale is treated as 1; ox/oy/px/py place the pivot
    d.fill(0)
    bitmaptools.rotozoom(d, s, scale=-3, ox=0, oy=0, px=2, py=2)
    assert rows(d)[0] == "ab00" and rows(d)[1] == "ef00"


def test_rotozoom_errors():
    s, d = Bitmap(4, 4, 16), Bitmap(4, 4, 2)
    raises(ValueError, "source palette too large", bitmaptools.rotozoom, d, s)
    d = Bitmap(4, 4, 16)
    raises(ValueError, "clip point must be (x,y) tuple", bitmaptools.rotozoom, d, s, dest_clip0=3)
    raises(ValueError, "tuple/list has wrong length", bitmaptools.rotozoom, d, s, source_clip1=(1, 2, 3))
    raises(TypeError, "object 'float' isn't a tuple or list", bitmaptools.rotozoom, d, s, dest_clip1=1.5)
    raises(TypeError, "can't convert str to float", bitmaptools.rotozoom, d, s, angle="x")
    raises(TypeError, "can't convert str to int", bitmaptools.rotozoom, d, s, ox="x")


# ---- alphablend -----------------------------------------------------------------------------------


def test_alphablend_l8_and_keywords():
    d, s1, s2 = Bitmap(2, 1, 256), filled(2, 1, 256, lambda x, y: 100), filled(2, 1, 256, lambda x, y: 200)
    bitmaptools.alphablend(d, s1, s2, CS.L8)
    assert d[0, 0] == 166
    bitmaptools.alphablend(d, s1, s2, CS.L8, 0.5, 0.5, blendmode=bitmaptools.BlendMode.Screen)
    assert d[1, 0] == 173
    # the parse table's factor_1 / factor_2 and the documented factor1 / factor2 both work
    bitmaptools.alphablend(d, s1, s2, CS.L8, factor_1=1.0, factor_2=0.0)
    assert d[0, 0] == 100
    d[0, 0] = 0
    bitmaptools.alphablend(d, s1, s2, CS.L8, factor1=1.0, factor2=0.0)
    assert d[0, 0] == 100
    raises(TypeError, "argument 'factor_1' given twice",
           bitmaptools.alphablend, d, s1, s2, CS.L8, factor1=0.5, factor_1=0.5)
    raises(TypeError, "unexpected keyword argument 'factor3'", bitmaptools.alphablend, d, s1, s2, CS.L8, factor3=0.5)
    # blendmode is keyword-only
    raises(TypeError, "extra positional arguments given",
           bitmaptools.alphablend, d, s1, s2, CS.L8, 0.5, 0.5, bitmaptools.BlendMode.Normal)
    s1[0, 0] = 7
    d[0, 0] = 1
    bitmaptools.alphablend(d, s1, s2, CS.L8, 0.5, 0.25, skip_source1_index=7, skip_source2_index=None)
    assert d[0, 0] == 50 and d[1, 0] == (200 * 64 + 100 * 128 * 192 // 256) // (128 + 64 - 32)


def test_alphablend_565():
    d, s1, s2 = Bitmap(1, 1, 65536), filled(1, 1, 65536, lambda x, y: 0xF800), filled(1, 1, 65536, lambda x, y: 0x1F)
    bitmaptools.alphablend(d, s1, s2, CS.RGB565)
    assert d[0, 0] == 0x5014
    s1[0, 0], s2[0, 0] = 0x00F8, 0x1F00
    bitmaptools.alphablend(d, s1, s2, CS.BGR565_SWAPPED)
    assert d[0, 0] == 0x1450


def test_alphablend_errors():
    d, s = Bitmap(2, 2, 256), Bitmap(2, 2, 256)
    raises(ValueError, "Bitmap size and bits per value must match", bitmaptools.alphablend, d, s, Bitmap(2, 1, 256),
           CS.L8)
    raises(ValueError, "Bitmap size and bits per value must match", bitmaptools.alphablend, d, s, Bitmap(2, 2, 16),
           CS.L8)
    raises(ValueError, "For RGB colorspaces, input bitmap must have 16 bits per pixel",
           bitmaptools.alphablend, d, s, s, CS.RGB565)
    w = Bitmap(2, 2, 65536)
    raises(ValueError, "For L8 colorspace, input bitmap must have 8 bits per pixel",
           bitmaptools.alphablend, w, w, w, CS.L8)
    raises(ValueError, "Unsupported colorspace", bitmaptools.alphablend, w, w, w, CS.RGB555)
    raises(TypeError, "colorspace must be of type ColorSpace, not int", bitmaptools.alphablend, d, s, s, 1)
    raises(TypeError, "blendmode must be of type BlendMode, not ColorSpace",
           bitmaptools.alphablend, d, s, s, CS.L8, blendmode=CS.L8)
    raises(TypeError, "can't convert str to float", bitmaptools.alphablend, d, s, s, CS.L8, "a")
    raises(TypeError, "can't convert str to int", bitmaptools.alphablend, d, s, s, CS.L8, skip_source2_index="a")


# ---- fill_region, boundary_fill -------------------------------------------------------------------


def test_fill_region():
    b = Bitmap(5, 3, 4)
    bitmaptools.fill_region(b, 1, 1, 4, 3, 3)
    assert rows(b) == ["00000", "03330", "03330"]
    bitmaptools.fill_region(dest_bitmap=b, x1=0, y1=0, x2=None, y2=1, value=1)
    assert rows(b)[0] == "11111"
    raises(ValueError, "out of range of target", bitmaptools.fill_region, b, 0, 0, 1, 1, 4)
    raises(ValueError, "out of range of target", bitmaptools.fill_region, b, 0, 0, 1, 1, -1)
    raises(ValueError, "x1 must be 0-5", bitmaptools.fill_region, b, 6, 0, 1, 1, 1)
    raises(ValueError, "x2 must be 3-5", bitmaptools.fill_region, b, 3, 0, 1, 1, 1)
    raises(ValueError, "y2 must be 0-3", bitmaptools.fill_region, b, 0, 0, 1, 4, 1)
    raises(TypeError, "y1 must be of type int, not str", bitmaptools.fill_region, b, 0, "0", 1, 1, 1)
    # the value is checked before the coordinates
    raises(ValueError, "out of range of target", bitmaptools.fill_region, b, 9, 0, 1, 1, 9)


def test_boundary_fill():
    b = Bitmap(7, 5, 4)
    bitmaptools.draw_polygon(b, bytes([1, 5, 5, 1]), bytes([0, 0, 4, 4]), 1)
    bitmaptools.boundary_fill(b, 3, 2, 2)
    assert rows(b) == ["0111110", "0122210", "0122210", "0122210", "0111110"]
    bitmaptools.boundary_fill(b, 0, 0, 3, 0)
    assert rows(b)[0] == "3111110"
    bitmaptools.boundary_fill(b, 6, 0, 3, 2)  # not the replaced value there: nothing
    assert rows(b)[0] == "3111110"
    bitmaptools.boundary_fill(b, 6, 0, 3, replaced_color_value=2147483647)  # INT_MAX means "not given"
    assert rows(b)[0] == "3111113"
    bitmaptools.boundary_fill(b, 3, 2, 2)  # fill equals the pixel: nothing (no endless loop)
    raises(ValueError, "value out of range of target", bitmaptools.boundary_fill, b, 0, 0, 16)
    raises(ValueError, "background value out of range of target", bitmaptools.boundary_fill, b, 0, 0, 1, 16)
    raises(ValueError, "out of range of target", bitmaptools.boundary_fill, b, 7, 0, 1)
    raises(ValueError, "out of range of target", bitmaptools.boundary_fill, b, 0, -1, 1)
    raises(TypeError, "can't convert NoneType to int", bitmaptools.boundary_fill, b, 0, 0, 1, None)


# ---- lines, polygons, circles ---------------------------------------------------------------------


def test_draw_line():
    b = Bitmap(8, 6, 2)
    bitmaptools.draw_line(b, 0, 0, 7, 5, 1)
    assert rows(b) == ["10000000", "01100000", "00010000", "00001000", "00000110", "00000001"]
    bitmaptools.draw_line(b, -10, 2, 20, 2, 1)
    assert rows(b)[2] == "11111111"
    raises(ValueError, "out of range of target", bitmaptools.draw_line, b, 0, 0, 1, 1, 2)


def test_draw_polygon():
    b = Bitmap(7, 6, 16)
    bitmaptools.draw_polygon(b, array.array("h", [1, 5, 5]), array.array("h", [1, 1, 4]), 3)
    assert rows(b) == ["0000000", "0333330", "0033030", "0000330", "0000030", "0000000"]
    b.fill(0)
    bitmaptools.draw_polygon(b, bytearray([1, 5, 5]), b"\x01\x01\x04", 3, False)
    assert rows(b)[2] == "0000030"
    b.fill(0)
    bitmaptools.draw_polygon(b, bytes([1]), bytes([2]), 5, close=True)  # one point: one pixel
    assert rows(b)[2] == "0500000"
    bitmaptools.draw_polygon(b, b"", b"", 5)  # no points: nothing (and no crash)
    raises(ValueError, "Coordinate arrays types have different sizes",
           bitmaptools.draw_polygon, b, bytes(2), array.array("h", [0, 0]), 1)
    raises(ValueError, "Coordinate arrays have different lengths", bitmaptools.draw_polygon, b, bytes(2), bytes(3), 1)
    raises(ValueError, "out of range of target", bitmaptools.draw_polygon, b, bytes(2), bytes(2), 16)
    raises(TypeError, "object with buffer protocol required", bitmaptools.draw_polygon, b, 1, bytes(2), 1)


def test_draw_circle():
    b = Bitmap(9, 7, 4)
    bitmaptools.draw_circle(b, 4, 3, 2, 2)
    assert rows(b) == ["000000000", "000222000", "002000200", "002000200", "002000200", "000222000", "000000000"]
    bitmaptools.draw_circle(b, 9, 7, 0, 1)  # the far edge is allowed (and draws nothing)
    raises(ValueError, "x must be 0-9", bitmaptools.draw_circle, b, 10, 0, 1, 1)
    raises(ValueError, "y must be 0-7", bitmaptools.draw_circle, b, 0, -1, 1, 1)
    raises(ValueError, "radius must be >= 0", bitmaptools.draw_circle, b, 0, 0, -1, 1)
    raises(ValueError, "out of range of target", bitmaptools.draw_circle, b, 0, 0, 1, 16)


# ---- arrayblit ------------------------------------------------------------------------------------


def test_arrayblit():
    b = Bitmap(5, 3, 16)
    bitmaptools.arrayblit(b, bytes(range(1, 16)))
    assert rows(b) == ["12345", "6789a", "bcdef"]
    b.fill(0)
    bitmaptools.arrayblit(b, array.array("H", [0x11, 0x12, 0x13, 0x14]), 1, 1, 3, 3, skip_index=0x12)
    assert rows(b) == ["00000", "01000", "03400"]  # values modulo 16, 0x12 skipped
    b.fill(0)
    bitmaptools.arrayblit(b, array.array("I", [7] * 9), x1=2, y1=0, x2=None, y2=None)
    assert rows(b) == ["00777", "00777", "00777"]
    raises(IndexError, "index out of range", bitmaptools.arrayblit, b, bytes(14))
    raises(ValueError, "x2 must be 3-5", bitmaptools.arrayblit, b, bytes(15), 3, 0, 2)
    raises(TypeError, "object with buffer protocol required", bitmaptools.arrayblit, b, [1, 2])
    raises(TypeError, "can't convert str to int", bitmaptools.arrayblit, b, bytes(15), skip_index="x")


# ---- readinto -------------------------------------------------------------------------------------


def test_readinto():
    b = Bitmap(5, 2, 2)
    bitmaptools.readinto(b, io.BytesIO(bytes([0x0B, 0x10])), 1)
    assert rows(b) == ["11010", "00001"]
    bitmaptools.readinto(b, io.BytesIO(bytes([0x0B, 0x10])), 1, 1, True, False, True)
    assert rows(b) == ["00010", "00001"]
    w = Bitmap(2, 1, 65536)
    bitmaptools.readinto(w, io.BytesIO(b"\x12\x34\xab\xcd"), 16, element_size=2, swap_bytes_in_element=True)
    assert (w[0, 0], w[1, 0]) == (0x1234, 0xABCD)
    bitmaptools.readinto(w, io.BytesIO(b"\x00\x12\x34\x00\xab\xcd"), 24)
    assert (w[0, 0], w[1, 0]) == (0x1234, 0xABCD)

    class OnlyRead:  # a stream with read() but no readinto()
        def __init__(self, data):
            self.data = data

        def read(self, n):
            out, self.data = self.data[:n], self.data[n:]
            return out

    bitmaptools.readinto(w, OnlyRead(b"\x01\x00\x02\x00"), 16)
    assert (w[0, 0], w[1, 0]) == (1, 2)


def test_readinto_errors():
    b = Bitmap(4, 2, 256)
    raises(ValueError, "invalid element_size 3, must be, 1, 2, or 4", bitmaptools.readinto, b, io.BytesIO(), 8, 3)
    raises(ValueError, "invalid element size 2 for bits_per_pixel 24\n",
           bitmaptools.readinto, b, io.BytesIO(), 24, 2)
    raises(ValueError, "invalid bits_per_pixel 12, must be, 1, 2, 4, 8, 16, 24, or 32",
           bitmaptools.readinto, b, io.BytesIO(), 12)
    e = raises(EOFError, "", bitmaptools.readinto, b, io.BytesIO(bytes(6)), 8)
    assert e.args == ()
    raises(OSError, "stream operation not supported", bitmaptools.readinto, b, 42, 8)

    class Broken:
        def readinto(self, buf):
            raise RuntimeError("disk on fire")

    raises(RuntimeError, "disk on fire", bitmaptools.readinto, b, Broken(), 8)


# ---- dither ---------------------------------------------------------------------------------------


def test_dither():
    s = filled(4, 1, 256, lambda x, y: 128)
    d = Bitmap(4, 1, 2)
    bitmaptools.dither(d, s, CS.L8)
    assert rows(d) == ["1001"]
    bitmaptools.dither(d, s, CS.L8, bitmaptools.DitherAlgorithm.FloydStenberg)
    assert rows(d) == ["1010"]
    d16 = Bitmap(4, 1, 65536)
    bitmaptools.dither(d16, s, CS.L8, algorithm=bitmaptools.DitherAlgorithm.Atkinson)
    assert [d16[x, 0] for x in range(4)] == [65535, 0, 0, 65535]
    white = filled(3, 2, 65536, lambda x, y: 0xFFFF)
    d = Bitmap(3, 2, 2)
    for cs in (CS.RGB565, CS.RGB565_SWAPPED, CS.BGR565, CS.BGR565_SWAPPED):
        bitmaptools.dither(d, white, cs)
        assert rows(d) == ["111", "111"]


def test_dither_errors():
    s, d = Bitmap(4, 2, 256), Bitmap(4, 2, 2)
    raises(TypeError, "bitmap sizes must match", bitmaptools.dither, Bitmap(3, 2, 2), s, CS.L8)
    raises(TypeError, "source_bitmap must have value_count of 2 or 65536", bitmaptools.dither, Bitmap(4, 2, 4), s,
           CS.L8)
    raises(TypeError, "source_bitmap must have value_count of 65536", bitmaptools.dither, d, s, CS.RGB565)
    raises(TypeError, "source_bitmap must have value_count of 8", bitmaptools.dither, d, Bitmap(4, 2, 65536), CS.L8)
    raises(TypeError, "unsupported colorspace for dither", bitmaptools.dither, d, s, CS.RGB888)
    raises(TypeError, "algorithm must be of type DitherAlgorithm, not BlendMode",
           bitmaptools.dither, d, s, CS.L8, bitmaptools.BlendMode.Normal)
    raises(TypeError, "source_colorspace must be of type ColorSpace, not int", bitmaptools.dither, d, s, 3)
    # the source is type-checked before the destination
    raises(TypeError, "source_bitmap must be of type Bitmap, not int", bitmaptools.dither, 1, 2, CS.L8)


def test_big_work_releases_gil_and_blocks_deinit_safely():
    # Large operations run without the GIL; the result must be the same.
    d = Bitmap(400, 300, 65536)
    s = filled(4, 4, 65536, lambda x, y: 0xFFFF)
    bitmaptools.fill_region(d, 0, 0, 400, 300, 0x1234)
    bitmaptools.blit(d, s, 396, 296)
    assert d[0, 0] == 0x1234 and d[399, 299] == 0xFFFF
    d2 = Bitmap(400, 300, 65536)
    bitmaptools.dither(d2, d, CS.RGB565)
    bitmaptools.dither(d, d, CS.RGB565)  # in place gives the same
    assert bytes(memoryview(d)) == bytes(memoryview(d2))
    assert set(bytes(memoryview(d))) == {0, 255}
    # afterwards deinit works again (the temporary export count was released)
    d.deinit()
