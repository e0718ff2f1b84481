# solarize, lookup, false_color, blend and blend_precompute on a small gradient.
from displayio import Bitmap, Palette
import bitmapfilter


def gradient(seed=0):
    b = Bitmap(8, 4, 65535)
    for y in range(4):
        for x in range(8):
            p = (((x * 4 + seed) & 31) << 11) | (((y * 16 + x * 2) & 63) << 5) | ((31 - x * 4 + seed) & 31)
            b[x, y] = ((p >> 8) | (p << 8)) & 0xFFFF
    return b


def show(b):
    for y in range(b.height):
        print(" ".join("%04x" % b[x, y] for x in range(b.width)))
    print()


b = gradient()
bitmapfilter.solarize(b)
show(b)
b = gradient()
bitmapfilter.solarize(b, 0.25)
show(b)

b = gradient()
bitmapfilter.lookup(b, lambda v: v * v)
show(b)
b = gradient()
bitmapfilter.lookup(b, (lambda v: 1 - v, lambda v: v, lambda v: 0.5))
show(b)

p = Palette(256)
for i in range(256):
    p[i] = (i, 255 - i, (i * 4) & 255)
b = gradient()
mask = Bitmap(8, 4, 2)
mask[0, 0] = 1
bitmapfilter.false_color(b, p, mask)
show(b)

table = bitmapfilter.blend_precompute(lambda a, b: a * 0.33 + b * 0.67)
print(len(table), table[0], table[63], table[64 * 63], table[4095])
dodge = bitmapfilter.blend_precompute(lambda a, b: a / (1 - b) if b != 1 else 1)
print(table[100:108] == bytes(table[100:108]), list(dodge[2000:2010]))
d = gradient()
s = gradient(7)
bitmapfilter.blend(d, d, s, table)
show(d)
d = gradient()
bitmapfilter.blend(d, s, d, lambda a, b: a * b)
show(d)
