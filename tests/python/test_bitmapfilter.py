"""circuit9.bitmapfilter from Python: every error path with CircuitPython's exception types and
messages, argument orders and defaults, the weight named tuples, dirty marking, and results
against a small pure-Python reference written from the spec's formulas (float64 parameters
that are exact in float32, so the reference needs no float32 emulation)."""
import random

import pytest

from circuit9 import bitmapfilter, displayio

Bitmap = displayio.Bitmap


def sw(v):
    return ((v >> 8) | (v << 8)) & 0xFFFF


def rgb_bitmap(w, h, seed=1):
    r = random.Random(seed)
    b = Bitmap(w, h, 65536)
    for y in range(h):
        for x in range(w):
            b[x, y] = r.randrange(65536)
    return b


def pixels(b):
    return [b[x, y] for y in range(b.height) for x in range(b.width)]


# ---- reference from the spec (section 2) ------------------------------------------------------

def r8(p):
    r5 = p >> 11
    return (r5 << 3) | (r5 >> 2)


def g8(p):
    g6 = (p >> 5) & 63
    return (g6 << 2) | (g6 >> 4)


def b8(p):
    b5 = p & 31
    return (b5 << 3) | (b5 >> 2)


def luma(p):
    return (38 * r8(p) + 75 * g8(p) + 15 * b8(p)) >> 7


def cround(x):  # C round(): half away from zero
    import math
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def clamp(v, hi):
    return max(0, min(hi, v))


def ref_morph(vals, w, h, weights, mul=None, add=0.0, threshold=False, offset=0, invert=False):
    n = int(len(weights) ** 0.5)
    k = n // 2
    if mul is None:
        s = sum(weights)
        mul = 1 / s if s else 1
    m = cround(65536 * mul)
    bb = cround(65536 * 63 * add)
    src = [sw(v) for v in vals]
    out = []
    for y in range(h):
        for x in range(w):
            acc = [0, 0, 0]
            for j in range(-k, k + 1):
                for i in range(-k, k + 1):
                    p = src[clamp(y + j, h - 1) * w + clamp(x + i, w - 1)]
                    wt = weights[(j + k) * n + i + k]
                    acc[0] += wt * (p >> 11)
                    acc[1] += wt * ((p >> 5) & 63)
                    acc[2] += wt * (p & 31)
            r = clamp((acc[0] * m + bb) >> 16, 31)
            g = clamp((acc[1] * m + 2 * bb) >> 16, 63)
            b = clamp((acc[2] * m + bb) >> 16, 31)
            p = (r << 11) | (g << 5) | b
            if threshold:
                p = 0xFFFF if ((luma(p) - offset < luma(src[y * w + x])) ^ invert) else 0
            out.append(sw(p))
    return out


# ---- behaviour ---------------------------------------------------------------------------------

def test_module_contents():
    for name in ("morph", "mix", "solarize", "false_color", "lookup", "blend", "blend_precompute",
                 "ChannelScale", "ChannelScaleOffset", "ChannelMixer", "ChannelMixerOffset"):
        assert hasattr(bitmapfilter, name)
    assert not hasattr(bitmapfilter, "morph9")


@pytest.mark.parametrize("kw", [
    {},
    {"mul": 0.25},
    {"add": 0.125},
    {"threshold": True, "offset": -2},
    {"threshold": True, "offset": 3, "invert": True},
])
def test_morph_matches_reference(kw):
    b = rgb_bitmap(9, 7)
    vals = pixels(b)
    weights = [1, 2, 1, 2, 4, 2, 1, 2, 1]
    assert bitmapfilter.morph(b, weights, **kw) is b
    assert pixels(b) == ref_morph(vals, 9, 7, weights, **kw)


def test_morph_positional_order_and_negative_offset():
    # Real order: bitmap, weights, mul, add, threshold, offset, invert, mask.
    a = rgb_bitmap(6, 5, 3)
    vals = pixels(a)
    bitmapfilter.morph(a, (0, 1, 0, 1, 1, 1, 0, 1, 0), None, 0, True, -100, False, None)
    # offset is the full signed int (CircuitPython keeps only its low byte): -100 turns
    # nearly everything white.
    assert pixels(a) == ref_morph(vals, 6, 5, (0, 1, 0, 1, 1, 1, 0, 1, 0), threshold=True, offset=-100)


def test_morph_kernel_larger_than_image_and_5x5():
    b = rgb_bitmap(2, 3, 4)
    vals = pixels(b)
    w = list(range(-12, 13))
    bitmapfilter.morph(b, w, mul=0.5)
    assert pixels(b) == ref_morph(vals, 2, 3, w, mul=0.5)


def test_mask_nonzero_means_unchanged_and_dirty():
    b = rgb_bitmap(8, 8, 5)
    orig = pixels(b)
    mask = Bitmap(4, 8, 2)  # narrower than the image: outside reads 0
    for y in range(8):
        mask[0, y] = 1
    b.dirty()  # clear nothing; just make sure the call exists
    bitmapfilter.solarize(b, 0.0, mask)
    for y in range(8):
        assert b[0, y] == orig[y * 8]


def test_named_tuples():
    cs = bitmapfilter.ChannelScale(1, 0.5, 0.5)
    assert len(cs) == 3 and cs[1] == 0.5 and cs.g == 0.5
    cso = bitmapfilter.ChannelScaleOffset(r=1, r_add=0, g=1, g_add=0, b=-1, b_add=1)
    assert tuple(cso) == (1, 0, 1, 0, -1, 1)
    assert cso.g == 1 and cso.b_add == 1  # names follow the positions (fixed)
    cm = bitmapfilter.ChannelMixer(*range(9))
    assert cm.gb == 5 and len(cm) == 9
    cmo = bitmapfilter.ChannelMixerOffset(*range(12))
    assert cmo.g_add == 7 and cmo[11] == 11


def test_mix_invert_blue():
    b = Bitmap(1, 1, 65536)
    p = (3 << 11) | (17 << 5) | 5
    b[0, 0] = sw(p)
    bitmapfilter.mix(b, bitmapfilter.ChannelScaleOffset(1, 0, 1, 0, -1, 1))
    q = sw(b[0, 0])
    assert q >> 11 == 3 and (q >> 5) & 63 == 17
    # -5 * 65536 + round(65535 * 31) >> 16 == 25
    assert q & 31 == (-5 * 65536 + 65535 * 31) >> 16


def test_lookup_tuple_and_list():
    b = rgb_bitmap(4, 4)
    bitmapfilter.lookup(b, (lambda x: x, lambda x: 0, lambda x: 1))
    for v in pixels(b):
        assert (sw(v) >> 5) & 63 == 0 and sw(v) & 31 == 31
    with pytest.raises(TypeError):
        bitmapfilter.lookup(b, [lambda x: x] * 3)


def test_lookup_call_order():
    calls = []

    def f(x):
        calls.append(x)
        return x

    bitmapfilter.lookup(rgb_bitmap(1, 1), f)
    assert len(calls) == 96  # R (32, reused for B) then G (64)
    assert calls[31] == 1.0 and calls[32] == 0.0


def test_false_color():
    p = displayio.Palette(256)
    for i in range(256):
        p[i] = (i, 255 - i, i // 2)
    b = rgb_bitmap(5, 5)
    vals = pixels(b)
    bitmapfilter.false_color(b, p)
    for v, o in zip(vals, pixels(b)):
        y = luma(sw(v))
        want = ((y & 0xF8) << 8) | (((255 - y) & 0xFC) << 3) | ((y // 2) >> 3)
        assert o == sw(want)


def test_blend_precompute_and_blend():
    t = bitmapfilter.blend_precompute(lambda a, b: 2.0 if a == 1 else a)
    assert isinstance(t, bytearray) and len(t) == 4096
    assert t[63 * 64] == 1  # > 1 gives 1, not 63
    assert t[32 * 64 + 7] == 32
    mine = bytearray(4096)
    assert bitmapfilter.blend_precompute(lambda a, b: b, mine) is mine
    assert mine[5] == 5
    d = rgb_bitmap(3, 3, 1)
    s = rgb_bitmap(3, 3, 2)
    vals = pixels(s)
    assert bitmapfilter.blend(d, s, d, lambda a, b: a) is d
    # Table = a: G copies src1; R and B widen then narrow back to the same value.
    assert pixels(d) == vals
    bitmapfilter.blend(d, d, d, bytes(4096))
    assert pixels(d) == [0] * 9


# ---- error paths ---------------------------------------------------------------------------------

B16 = lambda: Bitmap(4, 4, 65536)  # noqa: E731


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: bitmapfilter.morph(1, [1]), TypeError, "bitmap must be of type Bitmap, not int"),
    (lambda: bitmapfilter.morph(B16(), [1], mask=3), TypeError, "mask must be of type Bitmap, not int"),
    (lambda: bitmapfilter.morph(B16(), [1], add="x"), TypeError, "can't convert str to float"),
    (lambda: bitmapfilter.morph(B16(), 5), TypeError, "object of type 'int' has no len()"),
    (lambda: bitmapfilter.morph(B16(), [1, 2]), ValueError,
     "weights must be a sequence with an odd square number of elements (usually 9 or 25)"),
    (lambda: bitmapfilter.morph(B16(), [1] * 4), ValueError,
     "weights must be a sequence with an odd square number of elements (usually 9 or 25)"),
    (lambda: bitmapfilter.morph(B16(), []), ValueError,
     "weights must be a sequence with an odd square number of elements (usually 9 or 25)"),
    (lambda: bitmapfilter.morph(B16(), [1.5] * 9), TypeError, "can't convert float to int"),
    (lambda: bitmapfilter.morph(B16(), [1 << 40] * 9), OverflowError, "overflow converting long int to machine word"),
    (lambda: bitmapfilter.morph(B16(), [1] * 9, mul="a"), TypeError, "can't convert str to float"),
    (lambda: bitmapfilter.morph(B16(), [1] * 9, offset=1.5), TypeError, "can't convert float to int"),
    (lambda: bitmapfilter.morph(Bitmap(4, 4, 256), [1] * 9), ValueError, "unsupported bitmap depth"),
    (lambda: bitmapfilter.mix(B16(), (1, 1, 1)), ValueError,
     "weights must be an object of type ScaleMixer, ScaleMixerOffset, ChannelMixer, or ChannelMixerOffset, not tuple "),
    (lambda: bitmapfilter.mix(5, bitmapfilter.ChannelScale(1, 1, 1)), TypeError, "bitmap must be of type Bitmap, not int"),
    (lambda: bitmapfilter.mix(B16(), bitmapfilter.ChannelScale(1, "x", 1)), TypeError, "can't convert str to float"),
    (lambda: bitmapfilter.mix(B16(), bitmapfilter.ChannelScale(1, 1, 1), mask=1.0), TypeError,
     "mask must be of type Bitmap, not float"),
    (lambda: bitmapfilter.mix(Bitmap(2, 2, 2), bitmapfilter.ChannelScale(1, 1, 1)), ValueError,
     "unsupported bitmap depth"),
    (lambda: bitmapfilter.solarize(B16(), "x"), TypeError, "can't convert str to float"),
    (lambda: bitmapfilter.solarize(None), TypeError, "bitmap must be of type Bitmap, not NoneType"),
    (lambda: bitmapfilter.solarize(B16(), 0.5, "m"), TypeError, "mask must be of type Bitmap, not str"),
    (lambda: bitmapfilter.solarize(Bitmap(2, 2, 2)), ValueError, "unsupported bitmap depth"),
    (lambda: bitmapfilter.lookup(B16(), (abs, abs)), ValueError, "lookup length must be 3"),
    (lambda: bitmapfilter.lookup(B16(), lambda x: "s"), TypeError, "can't convert str to float"),
    (lambda: bitmapfilter.lookup([], abs), TypeError, "bitmap must be of type Bitmap, not list"),
    (lambda: bitmapfilter.lookup(B16(), abs, 7), TypeError, "mask must be of type Bitmap, not int"),
    (lambda: bitmapfilter.lookup(Bitmap(2, 2, 2), abs), ValueError, "unsupported bitmap depth"),
    (lambda: bitmapfilter.false_color(B16(), 5), TypeError, "palette must be of type Palette, not int"),
    (lambda: bitmapfilter.false_color(B16(), displayio.Palette(16)), ValueError, "palette length must be 256"),
    (lambda: bitmapfilter.false_color(B16(), displayio.Palette(256), 1), TypeError, "mask must be of type Bitmap, not int"),
    (lambda: bitmapfilter.false_color(Bitmap(2, 2, 2), displayio.Palette(256)), ValueError, "unsupported bitmap depth"),
    (lambda: bitmapfilter.blend_precompute(abs, b"x" * 4096), TypeError,
     "table must be of type NoneType or WritableBuffer, not bytes"),
    (lambda: bitmapfilter.blend_precompute(abs, bytearray(10)), TypeError,
     "table must be of type NoneType or WritableBuffer, not bytearray"),
    (lambda: bitmapfilter.blend_precompute(lambda a, b: None), TypeError, "can't convert NoneType to float"),
    (lambda: bitmapfilter.blend(1, B16(), B16(), bytes(4096)), TypeError, "dest must be of type Bitmap, not int"),
    (lambda: bitmapfilter.blend(B16(), 1, B16(), bytes(4096)), TypeError, "src1 must be of type Bitmap, not int"),
    (lambda: bitmapfilter.blend(B16(), B16(), 1, bytes(4096)), TypeError, "src2 must be of type Bitmap, not int"),
    (lambda: bitmapfilter.blend(B16(), B16(), B16(), 5), TypeError,
     "lookup must be of type callable or ReadableBuffer, not int"),
    (lambda: bitmapfilter.blend(B16(), B16(), B16(), bytes(100)), TypeError,
     "lookup must be of type callable or ReadableBuffer, not bytes"),
    (lambda: bitmapfilter.blend(B16(), B16(), B16(), bytes(4096), 2), TypeError, "mask must be of type Bitmap, not int"),
    (lambda: bitmapfilter.blend(B16(), Bitmap(3, 4, 65536), B16(), bytes(4096)), ValueError,
     "bitmap size and depth must match"),
    (lambda: bitmapfilter.blend(B16(), B16(), Bitmap(4, 4, 256), bytes(4096)), ValueError,
     "bitmap size and depth must match"),
    (lambda: bitmapfilter.blend(Bitmap(4, 4, 256), Bitmap(4, 4, 256), Bitmap(4, 4, 256), bytes(4096)), ValueError,
     "unsupported bitmap depth"),
])
def test_errors(call, exc, msg):
    with pytest.raises(exc) as e:
        call()
    assert str(e.value) == msg


def test_callback_exception_propagates():
    def boom(*a):
        raise KeyError("boom")

    with pytest.raises(KeyError):
        bitmapfilter.lookup(B16(), boom)
    with pytest.raises(KeyError):
        bitmapfilter.blend(B16(), B16(), B16(), boom)


def test_missing_arguments():
    with pytest.raises(TypeError):
        bitmapfilter.morph(B16())
    with pytest.raises(TypeError):
        bitmapfilter.blend(B16(), B16(), B16())
