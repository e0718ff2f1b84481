"""displayio family: CircuitPython 9.2.9 signatures, rules and error messages."""
import os

os.environ.setdefault("C9_NO_DISPLAY_THREAD", "1")

import pytest

import circuit9.busdisplay as busdisplay
import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.displayio as displayio
import circuit9.fourwire as fourwire
import circuit9.i2cdisplaybus as i2cdisplaybus
import circuit9.paralleldisplay as paralleldisplay
import circuit9.paralleldisplaybus as paralleldisplaybus

P = cb.pin
INIT = bytes([0x11, 0x80, 10, 0x29, 0x00])


@pytest.fixture(autouse=True)
def clean():
    displayio.release_displays()
    made = []
    yield made
    displayio.release_displays()
    for obj in made:
        obj.deinit()


def spi_bus(made):
    spi = busio.SPI(P("GPIO12"), MOSI=P("GPIO11"))
    made.append(spi)
    return fourwire.FourWire(spi, command=P("GPIO10"), chip_select=P("GPIO9"))


def test_aliases_and_module_moves():
    assert displayio.Display is busdisplay.BusDisplay
    assert displayio.FourWire is fourwire.FourWire
    assert displayio.I2CDisplay is i2cdisplaybus.I2CDisplayBus
    assert paralleldisplay.ParallelBus is paralleldisplaybus.ParallelBus
    assert not hasattr(displayio, "ParallelBus")
    assert not hasattr(displayio, "Shape")


def test_group_rules():
    g = displayio.Group(scale=2, x=3, y=-4)
    assert (g.scale, g.x, g.y, len(g), g.hidden) == (2, 3, -4, 0, False)
    with pytest.raises(ValueError, match="scale must be 1-32767"):
        displayio.Group(scale=0)
    # the setter checks the constructor's range (CircuitPython checks only >= 1 and keeps 16 bits)
    with pytest.raises(ValueError, match="scale must be 1-32767"):
        g.scale = 0
    a, b = displayio.Group(), displayio.Group()
    g.append(a)
    g.insert(0, b)
    assert list(g) == [b, a] and g.index(a) == 1 and a in g
    with pytest.raises(ValueError, match="Layer already in a group"):
        displayio.Group().append(a)
    with pytest.raises(ValueError, match="Layer must be a Group or TileGrid subclass"):
        g.append(3)
    with pytest.raises(ValueError, match="object not in sequence"):
        g.index(displayio.Group())
    with pytest.raises(NotImplementedError, match="Slices not supported"):
        g[0:1]
    with pytest.raises(IndexError):
        g[5]
    assert g.pop() is a and len(g) == 1
    g.append(a)
    g.sort(key=lambda layer: layer is b)
    assert list(g) == [a, b]
    del g[0]
    assert list(g) == [b]
    g[0] = a
    assert list(g) == [a]
    g.remove(a)
    assert len(g) == 0
    with pytest.raises(ValueError, match="Layer already in a group"):
        a.append(a) or None


def test_terminal_is_read_only():
    t = displayio.CIRCUITPYTHON_TERMINAL
    assert isinstance(t, displayio.Group)
    with pytest.raises(RuntimeError, match="Read-only"):
        t.append(displayio.Group())
    with pytest.raises(RuntimeError, match="Read-only"):
        t.pop()


def test_tilegrid_rules():
    b = displayio.Bitmap(12, 8, 4)
    p = displayio.Palette(4)
    with pytest.raises(TypeError, match="unsupported bitmap type"):
        displayio.TileGrid(3, pixel_shader=p)
    with pytest.raises(TypeError, match="unsupported pixel_shader type"):
        displayio.TileGrid(b, pixel_shader=3)
    with pytest.raises(TypeError):
        displayio.TileGrid(b, pixel_shader=p, tile_width=None)
    with pytest.raises(ValueError, match="Tile width must exactly divide bitmap width"):
        displayio.TileGrid(b, pixel_shader=p, tile_width=5)
    with pytest.raises(ValueError, match="Tile height must exactly divide bitmap height"):
        displayio.TileGrid(b, pixel_shader=p, tile_width=4, tile_height=3)
    tg = displayio.TileGrid(b, pixel_shader=p, width=3, height=2, tile_width=4, tile_height=4, x=1, y=2)
    assert (tg.width, tg.height, tg.tile_width, tg.tile_height, tg.x, tg.y) == (3, 2, 4, 4, 1, 2)
    tg[2, 1] = 5
    assert tg[5] == 5 and tg[2, 1] == 5
    with pytest.raises(ValueError, match="tile must be 0-255"):
        tg[0] = 256
    with pytest.raises(IndexError, match="Tile index out of bounds"):
        tg[6]
    with pytest.raises(IndexError, match="Tile index out of bounds"):
        tg[3, 0]
    assert tg.contains((1, 2, 0)) and tg.contains((12, 9, 0)) and not tg.contains((13, 2, 0))
    with pytest.raises(ValueError, match="New bitmap must be same size as old bitmap"):
        tg.bitmap = displayio.Bitmap(4, 4, 2)
    tg.bitmap = displayio.Bitmap(12, 8, 2)
    cc = displayio.ColorConverter()
    tg.pixel_shader = cc
    assert tg.pixel_shader is cc


def test_busdisplay_arguments_and_messages(clean):
    bus = spi_bus(clean)
    with pytest.raises(ValueError, match="Unsupported display bus type"):
        busdisplay.BusDisplay(object(), INIT, width=10, height=10)
    with pytest.raises(ValueError, match="Display rotation must be in 90 degree increments"):
        busdisplay.BusDisplay(bus, INIT, width=10, height=10, rotation=45)
    with pytest.raises(ValueError, match="color_depth must be 1 when SH1107_addressing is True"):
        busdisplay.BusDisplay(bus, INIT, width=10, height=10, SH1107_addressing=True)
    with pytest.raises(TypeError):
        busdisplay.BusDisplay(bus, INIT, width=10, height=10, colstart=None)
    with pytest.raises(TypeError):
        busdisplay.BusDisplay(bus, INIT, 10, 10)  # keyword-only after init_sequence
    with pytest.raises(ValueError, match=r"init_sequence is truncated: the command at byte 3 needs 5 bytes, only 3 left"):
        busdisplay.BusDisplay(bus, bytes([0x11, 0x80, 10, 0x2A, 0x03, 0x00]), width=10, height=10)
    with pytest.raises(ValueError, match="truncated: the command at byte 0 needs 3 bytes, only 2 left"):
        busdisplay.BusDisplay(bus, bytes([0x11, 0x80]), width=10, height=10)
    d = busdisplay.BusDisplay(bus, INIT, width=30, height=20, rotation=90, auto_refresh=False)
    assert (d.width, d.height, d.rotation, d.bus) == (30, 20, 90, bus)
    d.rotation = 180
    assert (d.width, d.height) == (20, 30)
    assert d.root_group is displayio.CIRCUITPYTHON_TERMINAL
    with pytest.raises(AttributeError, match=r"\.show\(x\) removed\. Use \.root_group = x"):
        d.show(displayio.Group())
    assert hasattr(d, "show")
    with pytest.raises(RuntimeError, match="Brightness not adjustable"):
        d.brightness = 0.5
    with pytest.raises(ValueError, match="brightness must be 0-1"):
        d.brightness = 1.5
    g = displayio.Group()
    d.root_group = g
    assert d.root_group is g
    with pytest.raises(ValueError, match="Layer already in a group"):
        displayio.Group().append(g)
    d.root_group = None
    assert d.root_group is None
    other = displayio.Group()
    other.append(g)
    with pytest.raises(ValueError, match="Group already used"):
        d.root_group = g
    with pytest.raises(RuntimeError, match="Too many displays"):
        busdisplay.BusDisplay(bus, INIT, width=10, height=10)
    with pytest.raises(RuntimeError, match=r"Too many display busses; forgot displayio\.release_displays\(\) \?"):
        spi2 = busio.SPI(P("GPIO20"), MOSI=P("GPIO21"))
        clean.append(spi2)
        fourwire.FourWire(spi2, command=P("GPIO22"))
    row = bytearray(2 * 20)
    assert d.fill_row(0, row) is row
    with pytest.raises(ValueError, match="Buffer too small"):
        d.fill_row(0, bytearray(4))


def test_fill_row_needs_16_bit(clean):
    bus = spi_bus(clean)
    d = busdisplay.BusDisplay(bus, INIT, width=16, height=8, color_depth=8, auto_refresh=False)
    with pytest.raises(ValueError, match="Display must have a 16 bit colorspace."):
        d.fill_row(0, bytearray(64))


def test_refresh_frame_pacing(clean):
    bus = spi_bus(clean)
    cb.virtual_clock(True)
    d = busdisplay.BusDisplay(bus, INIT, width=16, height=8, auto_refresh=False)
    assert d.refresh(target_frames_per_second=30) is True  # the first manual refresh is never skipped
    # CircuitPython has no previous paced call yet, so the next one counts as late and is skipped
    assert d.refresh(target_frames_per_second=30) is False
    t0 = cb.now_ms()
    assert d.refresh(target_frames_per_second=30) is True  # on time: waits for the frame boundary
    assert cb.now_ms() - t0 <= 34
    cb.sleep_ms(100)
    assert d.refresh(target_frames_per_second=30) is False  # late: skipped to catch up
    cb.sleep_ms(20)
    with pytest.raises(RuntimeError, match="Below minimum frame rate"):
        d.refresh(target_frames_per_second=60, minimum_frames_per_second=100)
    d.auto_refresh = True
    assert d.refresh(target_frames_per_second=30, minimum_frames_per_second=1000) is True  # auto: refresh now


def test_fourwire_and_parallel_messages(clean):
    spi = busio.SPI(P("GPIO12"), MOSI=P("GPIO11"))
    clean.append(spi)
    with pytest.raises(TypeError, match="spi_bus must be of type SPI, not int"):
        fourwire.FourWire(3)
    with pytest.raises(ValueError, match="polarity must be 0-1"):
        fourwire.FourWire(spi, polarity=2)
    bus = fourwire.FourWire(spi, command=P("GPIO10"))
    with pytest.raises(RuntimeError, match="No reset pin"):
        bus.reset()
    with pytest.raises(ValueError, match="command must be 0-255"):
        bus.send(256, b"")
    bus.send(0x2A, b"\x00\x01", toggle_every_byte=True)
    displayio.release_displays()
    with pytest.raises(ValueError, match="Specify exactly one of data0 or data_pins"):
        paralleldisplaybus.ParallelBus(command=P("GPIO1"), chip_select=P("GPIO2"), write=P("GPIO3"))
    with pytest.raises(ValueError, match="data_pins length must be <= 16"):
        paralleldisplaybus.ParallelBus(data_pins=[P("GPIO%d" % i) for i in range(17)], command=P("GPIO30"),
                                       chip_select=P("GPIO31"), write=P("GPIO32"))
    with pytest.raises(ValueError, match="Number of data_pins must be 8 or 16, not 9"):
        paralleldisplaybus.ParallelBus(data_pins=[P("GPIO%d" % i) for i in range(9)], command=P("GPIO30"),
                                       chip_select=P("GPIO31"), write=P("GPIO32"))
    # CircuitPython checks the control lines first, one by one: the first bad one is named.
    with pytest.raises(TypeError, match="^command must be of type Pin, not int$"):
        paralleldisplaybus.ParallelBus(data0=3, command=1, chip_select=P("GPIO31"), write=2)
    with pytest.raises(TypeError, match="^chip_select must be of type Pin, not int$"):
        paralleldisplaybus.ParallelBus(data0=3, command=P("GPIO30"), chip_select=1, write=2)
    with pytest.raises(ValueError, match="Bus pin 3 is already in use"):
        paralleldisplaybus.ParallelBus(data0=P("GPIO8"), command=P("GPIO30"), chip_select=P("GPIO31"),
                                       write=P("GPIO32"))
    pb = paralleldisplaybus.ParallelBus(data_pins=[P("GPIO%d" % i) for i in range(20, 36)], command=P("GPIO40"),
                                        chip_select=P("GPIO41"), write=P("GPIO42"), frequency=20_000_000)
    cb.reset_bus_stats(pb)
    pb.send(0x2C, bytes(64))
    s = cb.bus_stats(pb)
    assert s["bytes"] == 65 and s["cycles"] == 1 + 32  # 16 data lines: two bytes a strobe
    assert s["seconds"] == pytest.approx(33 / 20e6)


def test_i2c_bus_messages(clean):
    i2c = busio.I2C(P("GPIO41"), P("GPIO42"))
    clean.append(i2c)
    with pytest.raises(TypeError):
        i2cdisplaybus.I2CDisplayBus(i2c)
    # CircuitPython 9.2.9 probes the address: nothing there is an error (the package has no
    # stand-in breakouts unless asked for).
    with pytest.raises(ValueError, match="^Unable to find I2C Display at 3d$"):
        i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3D)
    panel = cb.Panel("SSD1306")
    panel.attach_i2c(P("GPIO41"), P("GPIO42"), address=0x3D)
    bus = i2cdisplaybus.I2CDisplayBus(i2c, device_address=0x3D)
    with pytest.raises(RuntimeError, match="No reset pin"):
        bus.reset()
    bus.send(0xAE, b"")
    assert panel.state["last_command"] == 0xAE
    panel.detach()
    with pytest.raises(OSError, match="ENODEV"):
        bus.send(0xAE, b"")  # the display went away
    del panel


@pytest.mark.parametrize("first", ["busdisplay", "terminalio", "fontio", "circuit9_board"])
def test_busdisplay_without_displayio_imported_first(first, circuit9_exe, tmp_path):
    # Under the executable modules are built-ins created on import, so BusDisplay can make the
    # terminal group before displayio ever ran (it used to crash on an unreadied Group type).
    script = tmp_path / "first.py"
    script.write_text(f"""
import {first}
import circuit9_board as cb, busio, fourwire, busdisplay
p = cb.Panel("ST7789")
p.attach_spi(clock=cb.pin("GPIO36"), mosi=cb.pin("GPIO35"), chip_select=cb.pin("GPIO7"), command=cb.pin("GPIO39"))
spi = busio.SPI(cb.pin("GPIO36"), MOSI=cb.pin("GPIO35"))
bus = fourwire.FourWire(spi, command=cb.pin("GPIO39"), chip_select=cb.pin("GPIO7"))
d = busdisplay.BusDisplay(bus, b"", width=240, height=320)
import displayio
print(type(d.root_group).__name__, d.root_group is displayio.CIRCUITPYTHON_TERMINAL)
""")
    import subprocess

    out = subprocess.run([circuit9_exe, str(script)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, C9_NO_DISPLAY_THREAD="1"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Group True\n"


@pytest.mark.parametrize("mount", [0, 90, 180, 270])
def test_panel_save_png_as_mounted(mount, clean, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    panel = cb.Panel("ST7789", glass_width=135, glass_height=240, glass_x=52, glass_y=40, mount_rotation=mount)
    panel.attach_spi(clock=P("GPIO12"), mosi=P("GPIO11"), chip_select=P("GPIO9"), command=P("GPIO10"))
    w, h = (240, 135) if mount in (90, 270) else (135, 240)
    d = busdisplay.BusDisplay(spi_bus(clean), bytes([0x11, 0x80, 10, 0x3A, 1, 0x55, 0x21, 0, 0x29, 0]), width=w, height=h,
                              colstart=52, rowstart=40, rotation=mount, auto_refresh=False)
    bmp = displayio.Bitmap(w, h, 2)
    for x in range(10):
        bmp[x, 0] = 1  # a short line along the top edge, from the top-left corner
    pal = displayio.Palette(2)
    pal[1] = 0xFFFFFF
    g = displayio.Group()
    g.append(displayio.TileGrid(bmp, pixel_shader=pal))
    d.root_group = g
    d.refresh()
    panel.save_png(str(tmp_path / "p.png"))
    img = Image.open(tmp_path / "p.png").convert("RGB")
    assert img.size == (w, h)
    lit = {(x, y) for x in range(w) for y in range(h) if img.getpixel((x, y)) == (255, 255, 255)}
    assert lit == {(x, 0) for x in range(10)}
    with pytest.raises(ValueError, match="mount_rotation"):
        cb.Panel("ST7789", mount_rotation=45)
