# circuit9 demo: decode a photo with jpegio at the largest scale that fits the screen, give it a
# sepia tone with bitmapfilter, and show it on the board's display with displayio.
import time

import bitmapfilter
import board
import displayio
import jpegio

display = board.DISPLAY
decoder = jpegio.JpegDecoder()
width, height = decoder.open("/photo.jpg")

# jpegio scales by 1/2**scale (0..3): take the first that fits the display.
scale = 0
while scale < 3 and ((width >> scale) > display.width or (height >> scale) > display.height):
    scale += 1
w, h = (width + (1 << scale) - 1) >> scale, (height + (1 << scale) - 1) >> scale
photo = displayio.Bitmap(w, h, 65536)
start = time.monotonic()
decoder.decode(photo, scale=scale)
decoded = time.monotonic()

# Sepia: every output channel is a weighted sum of the input's R, G and B.
bitmapfilter.mix(photo, bitmapfilter.ChannelMixer(0.393, 0.769, 0.189,
                                                  0.349, 0.686, 0.168,
                                                  0.272, 0.534, 0.131))
filtered = time.monotonic()

shader = displayio.ColorConverter(input_colorspace=displayio.Colorspace.RGB565_SWAPPED)
tile = displayio.TileGrid(photo, pixel_shader=shader,
                          x=(display.width - w) // 2, y=(display.height - h) // 2)
group = displayio.Group()
group.append(tile)
display.root_group = group

print("photo.jpg: %dx%d, shown at 1/%d as %dx%d on a %dx%d display"
      % (width, height, 1 << scale, w, h, display.width, display.height))
print("decode %.1f ms, sepia %.1f ms" % ((decoded - start) * 1000, (filtered - decoded) * 1000))
