# displayio.Group / TileGrid behaviour and messages as CircuitPython 9 prints them.
import displayio

g = displayio.Group(scale=2, x=1, y=-1)
print(len(g), g.scale, g.x, g.y, g.hidden)
b = displayio.Bitmap(8, 4, 2)
p = displayio.Palette(2)
t = displayio.TileGrid(b, pixel_shader=p, width=2, height=1, tile_width=4)
g.append(t)
print(len(g), g[0] is t, t in g, g.index(t))
for bad in (lambda: g.append(t), lambda: g.append(5), lambda: displayio.Group(scale=0),
            lambda: displayio.TileGrid(b, pixel_shader=p, tile_width=3), lambda: t.__setitem__(0, 300),
            lambda: t[2], lambda: displayio.CIRCUITPYTHON_TERMINAL.append(displayio.Group())):
    try:
        bad()
    except Exception as e:
        print(type(e).__name__ + ":", e)
t[1] = 1
print(t[0], t[1], t.width, t.height, t.tile_width, t.tile_height)
print(t.contains((5, 0, 0)), t.contains((8, 0, 0)))
print(g.pop() is t, len(g))
print(hasattr(displayio, "Display"), hasattr(displayio, "FourWire"), hasattr(displayio, "I2CDisplay"),
      hasattr(displayio, "ParallelBus"))
