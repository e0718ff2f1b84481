"""displayio.Bitmap, Palette, ColorConverter and Colorspace from CPython: CircuitPython 9.2.9's
signatures, storage, and exception types and messages (spec §3.2-§3.4)."""
import array
import subprocess

import pytest

from circuit9 import displayio

DEINIT = "Object has been deinitialized and can no longer be used. Create a new object."


def test_bits_per_value_from_value_count():
    for count, bits in [(1, 1), (2, 1), (3, 2), (4, 2), (5, 4), (16, 4), (17, 8), (256, 8), (257, 16), (65536, 16)]:
        assert displayio.Bitmap(1, 1, count).bits_per_value == bits


def test_constructor_is_positional_only_and_validated():
    with pytest.raises(TypeError):
        displayio.Bitmap(width=1, height=1, value_count=2)
    with pytest.raises(ValueError, match="^width must be 0-32767$"):
        displayio.Bitmap(32768, 1, 2)
    with pytest.raises(ValueError, match="^height must be 0-32767$"):
        displayio.Bitmap(1, -1, 2)
    with pytest.raises(ValueError, match="^value_count must be 1-65536$"):
        displayio.Bitmap(1, 1, 0)
    with pytest.raises(ValueError, match="^value_count must be 1-65536$"):
        displayio.Bitmap(1, 1, 65537)
    # mp_obj_get_int's message: Bitmap converts before it validates the range
    with pytest.raises(TypeError, match="^can't convert str to int$"):
        displayio.Bitmap("1", 1, 2)


def test_index_forms_agree():
    b = displayio.Bitmap(5, 3, 16)
    b[2, 1] = 7
    assert b[1 * 5 + 2] == 7
    b[14] = 9
    assert b[4, 2] == 9


def test_index_errors():
    b = displayio.Bitmap(4, 2, 2)
    with pytest.raises(IndexError, match="^x must be 0-3$"):
        b[4, 0]
    with pytest.raises(IndexError, match="^y must be 0-1$"):
        b[0, 2]
    with pytest.raises(IndexError, match="^index must be 0-7$"):
        b[8]
    with pytest.raises(IndexError):
        b[-1]
    with pytest.raises(NotImplementedError, match="^Slices not supported$"):
        b[0:2]
    with pytest.raises(AttributeError, match="^Cannot delete values$"):
        del b[0]


def test_value_range():
    b = displayio.Bitmap(2, 2, 4)  # 2 bits
    b[0] = 3
    with pytest.raises(ValueError):
        b[0] = 4
    with pytest.raises(ValueError):
        b[0] = -1
    with pytest.raises(ValueError):
        b.fill(4)


def test_buffer_layout_matches_circuitpython():
    # 2 bpv, width 5: one 32-bit word per row; values packed MSB first.
    b = displayio.Bitmap(5, 2, 4)
    b[0, 0] = 3
    b[4, 0] = 2
    b[1, 1] = 1
    m = memoryview(b)
    assert m.format == "B" and m.itemsize == 1 and len(m) == 8
    assert bytes(m) == bytes([0xC0, 0x80, 0, 0, 0x10, 0, 0, 0])

    b16 = displayio.Bitmap(3, 2, 65536)
    b16[2, 1] = 0xBEEF
    m = memoryview(b16)
    assert m.format == "H" and m.itemsize == 2 and len(m) == 8  # stride 2 words = 4 items
    assert m[4 + 2] == 0xBEEF


def test_buffer_writes_need_dirty():
    b = displayio.Bitmap(4, 1, 256)
    m = memoryview(b)
    m[2] = 77
    assert b[2] == 77
    b.dirty()
    b.dirty(x1=1, y1=0, x2=2, y2=1)
    m.release()


def test_fill():
    b = displayio.Bitmap(7, 3, 16)
    b.fill(11)
    assert all(b[i] == 11 for i in range(21))


def test_deinit():
    b = displayio.Bitmap(2, 2, 2)
    b.deinit()
    for op in (lambda: b[0], lambda: b.width, lambda: b.fill(0), lambda: memoryview(b)):
        with pytest.raises(ValueError, match="^" + DEINIT.replace(".", r"\.") + "$"):
            op()


def test_deinit_with_a_live_view_is_refused():
    b = displayio.Bitmap(2, 2, 2)
    m = memoryview(b)
    with pytest.raises(BufferError):
        b.deinit()
    m.release()
    b.deinit()


def test_palette_colors():
    p = displayio.Palette(4)
    p[0] = 0x123456
    p[1] = (1, 2, 3)
    p[2] = [4, 5, 6, 0]
    p[3] = bytearray(b"\x07\x08\x09")
    assert [p[i] for i in range(4)] == [0x123456, 0x010203, 0x040506, 0x070809]
    p[-1] = 0xFFFFFF
    assert p[3] == 0xFFFFFF
    p[0] = array.array("B", [1, 1, 1, 0])
    assert p[0] == 0x010101
    assert len(p) == 4 and bool(p)


def test_palette_errors():
    with pytest.raises(ValueError, match="^color_count must be 1-32767$"):
        displayio.Palette(0)
    p = displayio.Palette(2)
    with pytest.raises(TypeError, match="^color must be between 0x000000 and 0xffffff$"):
        p[0] = 0x1000000
    with pytest.raises(ValueError, match="array of type 'b' or 'B'"):
        p[0] = array.array("H", [1, 2, 3])
    with pytest.raises(ValueError, match="3 bytes"):
        p[0] = b"\x01\x02"
    with pytest.raises(TypeError):
        p[0] = 1.5
    with pytest.raises(IndexError):
        p[2] = 0


def test_palette_transparency_and_dither():
    p = displayio.Palette(3, dither=True)
    assert p.dither
    p.dither = False
    assert not p.dither
    p.make_transparent(1)
    assert p.is_transparent(1) and not p.is_transparent(0)
    p.make_opaque(1)
    assert not p.is_transparent(1)
    with pytest.raises(ValueError, match="^palette_index must be 0-2$"):
        p.make_transparent(3)
    with pytest.raises(TypeError):
        displayio.Palette(3, True)  # dither is keyword-only


def test_colorspace_enum():
    cs = displayio.Colorspace
    names = ["RGB888", "RGB565", "RGB565_SWAPPED", "RGB555", "RGB555_SWAPPED", "BGR565", "BGR565_SWAPPED",
             "BGR555", "BGR555_SWAPPED", "L8"]
    for n in names:
        assert repr(getattr(cs, n)) == "displayio.ColorSpace." + n
    assert cs.RGB565 is cs.RGB565


@pytest.mark.parametrize("space,value,expected", [
    ("RGB888", 0xFF8040, 0xFC08),
    ("RGB565", 0x1234, 0x1234),          # 565 -> 888 -> 565 is lossless
    ("RGB565_SWAPPED", 0x3412, 0x1234),
    ("BGR565", 0xF800, 0x001F),
    ("RGB555", 0x7FFF, 0xFFFF),
    ("L8", 0x80, (0x80 >> 3) << 11 | (0x80 >> 2) << 5 | (0x80 >> 3)),
])
def test_colorconverter_convert(space, value, expected):
    cc = displayio.ColorConverter(input_colorspace=getattr(displayio.Colorspace, space))
    assert cc.convert(value) == expected


def test_colorconverter_transparency():
    cc = displayio.ColorConverter()
    cc.make_transparent(0x00FF00)
    assert cc.convert(0x00FF00) == 0
    with pytest.raises(RuntimeError, match="^Only one color can be transparent at a time$"):
        cc.make_transparent(0xFF0000)
    cc.make_opaque(0x123)  # the argument is ignored
    assert cc.convert(0x00FF00) == 0x07E0


def test_colorconverter_arguments():
    with pytest.raises(TypeError, match="^input_colorspace must be of type ColorSpace, not int$"):
        displayio.ColorConverter(input_colorspace=1)
    with pytest.raises(TypeError):
        displayio.ColorConverter(displayio.Colorspace.RGB565)  # keyword-only
    cc = displayio.ColorConverter(dither=True)
    assert cc.dither
    with pytest.raises(TypeError, match="^color must be of type int, not str$"):
        cc.convert("red")


def test_executable_runs_a_script(circuit9_exe, tmp_path):
    script = tmp_path / "code.py"
    script.write_text("import displayio, micropython\n"
                      "X = micropython.const(3)\n"
                      "@micropython.native\n"
                      "def f(): return X * 2\n"
                      "print(f(), displayio.Bitmap(X, 1, 2).width)\n")
    r = subprocess.run([circuit9_exe, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "6 3\n"


def test_executable_traceback_and_exit_status(circuit9_exe, tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import displayio\nprint('before')\ndisplayio.Bitmap(1, 1, 0)\n")
    r = subprocess.run([circuit9_exe, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stdout == "before\n"
    assert "Traceback (most recent call last):" in r.stderr
    assert r.stderr.rstrip().endswith("ValueError: value_count must be 1-65536")


def test_bool_properties_cannot_be_deleted():
    for obj in (displayio.Palette(2), displayio.ColorConverter()):
        obj.dither = 1  # any truthy value
        assert obj.dither is True
        with pytest.raises(AttributeError, match="^can't delete attribute$"):
            del obj.dither
        assert obj.dither is True
