# bitmaptools drawing primitives, printed as characters as CircuitPython's own tests do.
import bitmaptools
import displayio


def dump(b):
    for y in range(b.height):
        print("".join("0123456789abcdef"[b[x, y]] for x in range(b.width)))
    print()


b = displayio.Bitmap(8, 6, 4)
bitmaptools.draw_line(b, 0, 0, 7, 5, 1)
dump(b)

b = displayio.Bitmap(9, 7, 4)
bitmaptools.draw_circle(b, 4, 3, 2, 2)
dump(b)

b = displayio.Bitmap(7, 5, 4)
bitmaptools.draw_polygon(b, bytes([1, 5, 5, 1]), bytes([0, 0, 4, 4]), 1)
bitmaptools.boundary_fill(b, 3, 2, 2, 0)
dump(b)

b = displayio.Bitmap(5, 3, 16)
bitmaptools.fill_region(b, 1, 1, 4, 3, 9)
bitmaptools.draw_line(b, -3, 0, 9, 0, 15)
dump(b)

try:
    bitmaptools.draw_circle(b, 6, 0, 1, 1)
except ValueError as e:
    print("ValueError:", e)
try:
    bitmaptools.fill_region(b, 0, 0, 1, 1, 16)
except ValueError as e:
    print("ValueError:", e)
print(bitmaptools.BlendMode.Screen, bitmaptools.DitherAlgorithm.Atkinson)
