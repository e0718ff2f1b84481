# arrayblit, readinto, alphablend and dither on tiny bitmaps.
import io

import bitmaptools
import displayio


def dump(b):
    for y in range(b.height):
        print("".join("0123456789abcdef"[b[x, y] & 15] for x in range(b.width)))
    print()


b = displayio.Bitmap(5, 3, 16)
bitmaptools.arrayblit(b, bytes(range(1, 16)))
dump(b)
bitmaptools.arrayblit(b, bytes([0x21, 0x22, 0x23, 0x24]), 0, 1, 2, 3, skip_index=0x22)
dump(b)

one = displayio.Bitmap(5, 2, 2)
bitmaptools.readinto(one, io.BytesIO(bytes([0x0B, 0x10])), 1)
dump(one)
bitmaptools.readinto(one, io.BytesIO(bytes([0x0B, 0x10])), 1, reverse_pixels_in_element=True)
dump(one)
try:
    bitmaptools.readinto(one, io.BytesIO(bytes([1])), 1)
except EOFError:
    print("EOFError")

l8a = displayio.Bitmap(2, 1, 256)
l8b = displayio.Bitmap(2, 1, 256)
out = displayio.Bitmap(2, 1, 256)
l8a.fill(100)
l8b.fill(200)
bitmaptools.alphablend(out, l8a, l8b, displayio.Colorspace.L8)
print(out[0, 0], out[1, 0])
bitmaptools.alphablend(out, l8a, l8b, displayio.Colorspace.L8, 0.5, 0.5, blendmode=bitmaptools.BlendMode.Screen)
print(out[0, 0])

grey = displayio.Bitmap(4, 1, 256)
grey.fill(128)
mono = displayio.Bitmap(4, 1, 2)
bitmaptools.dither(mono, grey, displayio.Colorspace.L8)
dump(mono)
bitmaptools.dither(mono, grey, displayio.Colorspace.L8, bitmaptools.DitherAlgorithm.FloydStenberg)
dump(mono)
