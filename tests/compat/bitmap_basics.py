# Bitmap storage and indexing, printed as characters the way CircuitPython's own tests do.
import displayio


def dump(b):
    for y in range(b.height):
        print("".join("0123456789abcdef"[b[x, y]] for x in range(b.width)))


b = displayio.Bitmap(6, 4, 16)
print(b.width, b.height, b.bits_per_value)
for i in range(6):
    b[i, i % 4] = i + 1
b[23] = 15
dump(b)
print(list(memoryview(b)[0:4]))

b.fill(3)
dump(b)

one = displayio.Bitmap(9, 2, 2)
one[0, 0] = 1
one[8, 1] = 1
print(one.bits_per_value, bytes(memoryview(one)))

for bad in ((9, 0), (0, 2)):
    try:
        one[bad]
    except IndexError as e:
        print("IndexError:", e)
try:
    one[0] = 2
except ValueError as e:
    print("ValueError:", e)

p = displayio.Palette(3)
p[0] = 0x102030
p[1] = (255, 0, 128)
print([hex(p[i]) for i in range(len(p))])
cc = displayio.ColorConverter(input_colorspace=displayio.Colorspace.RGB555)
print(hex(cc.convert(0x7C00)), displayio.Colorspace.RGB555)
