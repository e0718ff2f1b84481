# mix() with each weight kind on a gradient; ChannelScaleOffset read positionally
# (1, 0, 1, 0, -1, 1 inverts blue, as CircuitPython's tests use it).
from displayio import Bitmap
import bitmapfilter


def gradient():
    b = Bitmap(8, 4, 65535)
    for y in range(4):
        for x in range(8):
            p = ((x * 4) << 11) | ((y * 16 + x * 2) << 5) | (31 - x * 4)
            b[x, y] = ((p >> 8) | (p << 8)) & 0xFFFF
    return b


def show(b):
    for y in range(b.height):
        print(" ".join("%04x" % b[x, y] for x in range(b.width)))
    print()


for weights in (
    bitmapfilter.ChannelScale(0.5, 1, 2),
    bitmapfilter.ChannelScaleOffset(1, 0, 1, 0, -1, 1),
    bitmapfilter.ChannelScaleOffset(0.5, 0.25, 1, 0, 1, 0),
    bitmapfilter.ChannelMixer(0.299, 0.587, 0.114, 0.299, 0.587, 0.114, 0.299, 0.587, 0.114),
    bitmapfilter.ChannelMixerOffset(0.393, 0.769, 0.189, 0.1, 0.349, 0.686, 0.168, 0.1, 0.272, 0.534, 0.131, 0.1),
):
    print(type(weights).__name__, len(weights))
    b = gradient()
    mask = Bitmap(4, 4, 2)
    mask[1, 1] = 1
    bitmapfilter.mix(b, weights, mask=mask if weights[0] == 1 else None)
    show(b)
