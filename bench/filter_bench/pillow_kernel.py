"""Pillow's ImageFilter.Kernel 3x3 and 5x5 on a 320x240 RGB image, for comparison with
filter_bench; run under callgrind by run.sh. Only the filter call is instrumented when
valgrind's client request module is unavailable, so run.sh subtracts an empty baseline run."""
import sys

from PIL import Image, ImageFilter

size = int(sys.argv[1])
mode = sys.argv[2]  # "filter" or "baseline"
img = Image.new("RGB", (320, 240))
img.putdata([((x * 255 // 320), (y * 255 // 240), ((x + y) * 255 // 560)) for y in range(240) for x in range(320)])
k = [1, 2, 1, 2, 4, 2, 1, 2, 1] if size == 3 else [1, 4, 6, 4, 1, 4, 16, 24, 16, 4, 6, 24, 36, 24, 6, 4, 16, 24, 16, 4, 1, 4, 6, 4, 1]
kernel = ImageFilter.Kernel((size, size), k)
if mode == "filter":
    for _ in range(4):
        img.filter(kernel)
