"""busio's transfers with CircuitPython 9.2.9's lock rules and messages, against device models
written in Python on the virtual board's buses (circuit9_board.attach_i2c/attach_spi), and UART
on a pseudo-terminal. Pins are memento's (the package's board): I2C on GPIO33/GPIO34."""
import array
import os
import tty

import pytest

import circuit9.busio as busio
import circuit9.circuit9_board as cb
import circuit9.digitalio as digitalio


def P(name):
    return cb.pin(name)


class Echo(cb.RegisterDevice):
    """Registers that read back what was written; 0x80 of the sub-address increments."""

    autoincrement_bit = 0x80


class Grumpy:
    """A device that fails."""

    def i2c_write(self, data, stop):
        raise RuntimeError("broken sensor")

    def i2c_read(self, n):
        return b""


@pytest.fixture
def i2c():
    bus = busio.I2C(P("GPIO33"), P("GPIO34"))
    models = []

    def attach(model, address):
        cb.attach_i2c(model, address, scl=P("GPIO33"), sda=P("GPIO34"))
        models.append(model)
        return model

    yield bus, attach
    for m in models:
        cb.detach(m)
    bus.deinit()


def test_i2c_lock_rules(i2c):
    bus, _ = i2c
    buf = bytearray(1)
    for op in (bus.scan, lambda: bus.probe(0x18), lambda: bus.writeto(0x18, b"x"),
               lambda: bus.readfrom_into(0x18, buf), lambda: bus.writeto_then_readfrom(0x18, b"x", buf)):
        with pytest.raises(RuntimeError, match="^Function requires lock$"):
            op()
    assert bus.try_lock() is True
    assert bus.try_lock() is False  # held already
    bus.unlock()
    assert bus.try_lock() is True
    bus.unlock()


def test_i2c_transfers_against_a_model(i2c):
    bus, attach = i2c
    echo = attach(Echo(), 0x40)
    assert bus.try_lock()
    try:
        assert bus.scan() == [0x40] and bus.probe(0x40) and not bus.probe(0x41)
        bus.writeto(0x40, bytes([0x80 | 0x10, 1, 2, 3]))
        assert echo.registers[0x10:0x13] == b"\x01\x02\x03"
        out = bytearray(3)
        bus.writeto_then_readfrom(0x40, bytes([0x90]), out)
        assert out == b"\x01\x02\x03"
        # Without the auto-increment bit the register stays put.
        bus.writeto_then_readfrom(0x40, bytes([0x11]), out)
        assert out == b"\x02\x02\x02"
        # start and end count items: an array('H') slice of one item is two bytes.
        words = array.array("H", [0, 0, 0])
        bus.writeto(0x40, bytes([0x90]))
        bus.readfrom_into(0x40, words, start=1, end=2)
        assert words.tobytes()[2:4] == b"\x01\x02" and words[0] == 0 and words[2] == 0
        bus.writeto(0x40, bytes([0x80, 9, 9, 9, 9]), start=1, end=-1)  # the register byte is cut off
        assert echo.registers[0x09] == 9
        with pytest.raises(OSError) as e:
            bus.readfrom_into(0x41, out)
        assert e.value.errno == 19
        with pytest.raises(ValueError, match="^buffer length must be >= 1$"):
            bus.readfrom_into(0x40, out, start=3)
        with pytest.raises(ValueError, match="^out_buffer length must be >= 1$"):
            bus.writeto_then_readfrom(0x40, b"\x00", bytearray())
        with pytest.raises(TypeError, match="^object with buffer protocol required$"):
            bus.writeto(0x40, [1, 2])
    finally:
        bus.unlock()


def test_a_failing_model_is_a_device_that_does_not_answer(i2c, capfd):
    bus, attach = i2c
    attach(Grumpy(), 0x22)
    assert bus.try_lock()
    with pytest.raises(OSError) as e:
        bus.writeto(0x22, b"\x01")
    bus.unlock()
    assert e.value.errno == 5
    assert "device grumpy: i2c_write: RuntimeError: broken sensor" in capfd.readouterr().err


def test_a_model_deinitialising_the_bus_mid_transfer_is_safe(i2c):
    bus, attach = i2c

    class Saboteur(cb.RegisterDevice):
        def i2c_read(self, n):
            bus.deinit()  # the transfer under way still has its controller
            return bytes(range(n))

    attach(Saboteur(), 0x23)
    assert bus.try_lock()
    buf = bytearray(4)
    bus.readfrom_into(0x23, buf)
    assert buf == b"\x00\x01\x02\x03"
    with pytest.raises(ValueError, match="^Object has been deinitialized"):
        bus.scan()
    busio.I2C(P("GPIO33"), P("GPIO34")).deinit()  # the pins were released when the transfer ended


class Shifter:
    """An SPI device that answers each byte with the previous one plus one; counts selects."""

    def __init__(self):
        self.selects = 0
        self.last = 0
        self.seen = b""

    def spi_select(self, selected):
        self.selects += selected

    def spi_transfer(self, data):
        out = bytearray()
        for b in data:
            out.append((self.last + 1) & 0xFF)
            self.last = b
        self.seen += data
        return bytes(out)


def test_spi_transfers_and_lock():
    spi = busio.SPI(P("GPIO36"), MOSI=P("GPIO35"), MISO=P("GPIO37"))
    cs = digitalio.DigitalInOut(P("GPIO48"))
    cs.switch_to_output(True)
    model = Shifter()
    cb.attach_spi(model, P("GPIO48"), clock=P("GPIO36"), mosi=P("GPIO35"), miso=P("GPIO37"))
    try:
        with pytest.raises(RuntimeError, match="^Function requires lock$"):
            spi.configure(baudrate=1000000)
        with pytest.raises(RuntimeError, match="^Function requires lock$"):
            spi.write(b"x")
        assert spi.try_lock()
        spi.configure(baudrate=1000000, polarity=1, phase=1)
        assert spi.frequency == 1000000
        spi.write(b"\x10")  # not selected: the device sees nothing
        assert model.seen == b""
        cs.value = False
        assert model.selects == 1
        spi.write(b"\x10\x20")
        got = bytearray(2)
        spi.readinto(got, write_value=0x7F)
        assert got == b"\x21\x80" and model.seen == b"\x10\x20\x7f\x7f"
        out, back = bytearray(b"\x01\x02\x03"), bytearray(3)
        spi.write_readinto(out, back)
        assert back == b"\x80\x02\x03"
        spi.write_readinto(out, out)  # one buffer both ways
        assert out == b"\x04\x02\x03"
        with pytest.raises(ValueError, match="^buffer slices must be of equal length$"):
            spi.write_readinto(b"12", bytearray(3))
        with pytest.raises(ValueError, match="^bits must be 8-9$"):
            spi.configure(bits=7)
        cs.value = True
        spi.unlock()
    finally:
        cb.detach(model)
        cs.deinit()
        spi.deinit()


def test_uart_on_a_pseudo_terminal():
    uart = busio.UART(P("GPIO43"), P("GPIO44"), baudrate=115200, timeout=0)
    try:
        path = cb.uart_device(uart)
        assert path.startswith("/dev/pts/")
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        try:
            assert uart.read(4) is None and uart.readline() is None  # nothing there, no wait
            os.write(fd, b"$GPGGA,1\r\nrest")
            assert uart.readline() == b"$GPGGA,1\r\n"
            assert uart.in_waiting == 4
            assert uart.read(2) == b"re"
            buf = bytearray(8)
            assert uart.readinto(buf) == 2 and buf[:2] == b"st"
            assert uart.write(b"AT\r\n") == 4
            assert os.read(fd, 16) == b"AT\r\n"
            # MicroPython's stream forms, as adafruit_midi writes: write(buf, n), write(buf, off, n)
            assert uart.write(b"\x90\x3c\x7f\x00", 3) == 3
            assert uart.write(b"xxNOTEyy", 2, 4) == 4
            assert uart.write(b"ab", 9, 1) == 0  # the offset is clamped to the buffer
            assert os.read(fd, 16) == b"\x90\x3c\x7fNOTE"
            with pytest.raises(TypeError, match="^function expected at most 4 arguments, got 5$"):
                uart.write(b"ab", 0, 1, 2)
            os.write(fd, b"12345")
            buf = bytearray(8)
            assert uart.readinto(buf, 3) == 3 and buf[:3] == b"123"
            assert uart.readinto(buf, 99) == 2 and buf[:2] == b"45"
            assert (uart.baudrate, uart.timeout) == (115200, 0.0)
            uart.timeout = 1.5
            assert uart.timeout == 1.5
            with pytest.raises(ValueError, match="^timeout must be 0-100$"):
                uart.timeout = 101
        finally:
            os.close(fd)
    finally:
        uart.deinit()
    assert repr(busio.UART.Parity.ODD) == "busio.UART.Parity.ODD"
    with pytest.raises(ValueError, match="^tx and rx cannot both be None$"):
        busio.UART()
    with pytest.raises(ValueError, match="^Invalid pins$"):
        busio.UART(P("GPIO43"), P("GPIO43"))
    with pytest.raises(ValueError, match="^bits must be 5-9$"):
        busio.UART(P("GPIO43"), P("GPIO44"), bits=4)


def test_interrupts_inside_a_model_reach_the_program(i2c):
    """Ctrl-C (or a reload) arriving while a model's code runs belongs to the program: busio raises
    it after the transfer instead of a device error."""
    bus, attach = i2c

    class Interrupted(cb.RegisterDevice):
        def i2c_read(self, n):
            raise self.what

    m = attach(Interrupted(), 0x24)
    assert bus.try_lock()
    try:
        for what in (KeyboardInterrupt, SystemExit):
            m.what = what
            with pytest.raises(what):
                bus.readfrom_into(0x24, bytearray(1))
        m.what = ValueError("plain failure")
        with pytest.raises(OSError):
            bus.readfrom_into(0x24, bytearray(1))
    finally:
        bus.unlock()


def test_resistive_touchscreen():
    """A 4-wire panel read the way resistive touchscreen drivers do: pressure from the two plates'
    sense ends with xp low and ym high, x from an X pin with the Y plate driven, y likewise."""
    import circuit9.analogio as analogio

    x1, x2, y1, y2 = (P(n) for n in ("GPIO17", "GPIO18", "GPIO4", "GPIO2"))  # memento A0, A1, ...
    cb.touchscreen(x1, x2, y1, y2, name="ts")

    def read(drive_low, drive_high, sense):
        with digitalio.DigitalInOut(drive_low) as lo, digitalio.DigitalInOut(drive_high) as hi:
            lo.switch_to_output(False)
            hi.switch_to_output(True)
            values = []
            for pin in sense:
                with analogio.AnalogIn(pin) as a:
                    values.append(a.value)
            return values

    def sample():
        z1, z2 = read(x2, y1, (x1, y2))
        return z1, z2, read(y1, y2, (x2,))[0], read(x1, x2, (y2,))[0]

    z1, z2, _, _ = sample()
    assert (z1, z2) == (0, 61563)  # untouched: each plate at its driven end (3.3 V reads 61563 on an S3)
    for assignment in ("ts.x=0.25", "ts.y=0.75", "ts.pressed=1"):  # what --set / --events do
        cb.set(assignment)
    z1, z2, x, y = sample()
    assert (z1, z2) == (1100 * 65535 // 3300, 2200 * 65535 // 3300)  # a third of the way together
    assert x == 825 * 65535 // 3300 and y == 2475 * 65535 // 3300
