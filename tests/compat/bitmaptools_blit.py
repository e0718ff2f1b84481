# bitmaptools.blit: areas, clipping, skip indices and copies onto the same bitmap.
import bitmaptools
import displayio


def dump(b):
    for y in range(b.height):
        print("".join("0123456789abcdef"[b[x, y]] for x in range(b.width)))
    print()


src = displayio.Bitmap(3, 2, 16)
for i in range(6):
    src[i] = i + 1

dst = displayio.Bitmap(6, 4, 16)
bitmaptools.blit(dst, src, 1, 1)
bitmaptools.blit(dst, src, 4, 3)
dump(dst)

dst.fill(0)
bitmaptools.blit(dst, src, 0, 0, 1, 0, 3, 2, skip_source_index=5)
dump(dst)

dst.fill(7)
dst[1, 0] = 0
bitmaptools.blit(dst, src, 0, 0, skip_dest_index=7)
dump(dst)

row = displayio.Bitmap(6, 1, 16)
for x in range(6):
    row[x, 0] = x + 1
bitmaptools.blit(row, row, 2, 0, 0, 0, 4, 1)
dump(row)
bitmaptools.blit(row, row, 0, 0, 1, 0, 6, 1)
dump(row)

for args in ((7, 0), (0, 0, 4)):
    try:
        bitmaptools.blit(dst, src, *args)
    except ValueError as e:
        print("ValueError:", e)
try:
    bitmaptools.blit(displayio.Bitmap(2, 2, 2), src, 0, 0)
except ValueError as e:
    print("ValueError:", e)
