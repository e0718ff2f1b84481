"""Device models for the virtual board's buses, run by the host's Python (docs/devices.md).

A model is any object with the methods its bus calls:

  I2C   i2c_write(data: bytes, stop: bool) -> None | bool   (False: a byte not acknowledged)
        i2c_read(n: int) -> bytes                            (fewer bytes: the rest read 0xFF)
  SPI   spi_select(selected: bool) -> None                   (optional: chip select went low/high)
        spi_transfer(mosi: bytes) -> bytes                   (full duplex: the bytes for MISO)
  both  set_property(name: str, value: float, unit: str)     (optional: --set/--events DEVICE.NAME=VALUE)

RegisterDevice does the usual register protocol for both buses; a model overrides
read_register()/write_register() and set_property(). LIS3DH is the shipped accelerometer.
"""

__all__ = ["RegisterDevice", "LIS3DH", "MODELS", "attach_spec", "load_model_file"]


class RegisterDevice:
    """256 8-bit registers behind the usual serial protocol.

    I2C: a write's first byte selects the register (its low 7 bits, or all 8 when autoincrement_bit
    is None), the rest are written from there; a read continues from the selected register. SPI:
    after chip select goes low the first byte is the command: spi_read_bit set for a read, the
    register in spi_address_mask, and auto-increment when spi_multi_bit is set (or always when it
    is None); the following bytes are written or read. The register pointer moves on after each byte
    when auto-increment is on.
    """

    autoincrement_bit = None
    spi_read_bit = 0x80
    spi_multi_bit = None
    spi_address_mask = 0x7F

    def __init__(self):
        self.registers = bytearray(256)
        self._pointer = 0
        self._increment = True
        self._spi_command = False
        self._spi_reading = False

    # what a model changes
    def read_register(self, address):
        return self.registers[address]

    def write_register(self, address, value):
        self.registers[address] = value

    def set_property(self, name, value, unit):
        raise AttributeError("%s has no property %s" % (type(self).__name__, name))

    # the protocol
    def _advance(self):
        if self._increment:
            self._pointer = (self._pointer + 1) & 0xFF

    def _read(self):
        value = self.read_register(self._pointer) & 0xFF
        self._advance()
        return value

    def _write(self, value):
        self.write_register(self._pointer, value)
        self._advance()

    def i2c_write(self, data, stop):
        if not data:
            return True
        sub = data[0]
        if self.autoincrement_bit is None:
            self._pointer, self._increment = sub, True
        else:
            self._pointer = sub & ~self.autoincrement_bit & 0xFF
            self._increment = bool(sub & self.autoincrement_bit)
        for b in data[1:]:
            self._write(b)
        return True

    def i2c_read(self, n):
        return bytes(self._read() for _ in range(n))

    def spi_select(self, selected):
        self._spi_command = selected

    def spi_transfer(self, data):
        out = bytearray(b"\xff" * len(data))
        for i, b in enumerate(data):
            if self._spi_command:
                self._spi_command = False
                self._spi_reading = bool(b & self.spi_read_bit)
                self._pointer = b & self.spi_address_mask
                self._increment = self.spi_multi_bit is None or bool(b & self.spi_multi_bit)
            elif self._spi_reading:
                out[i] = self._read()
            else:
                self._write(b)
        return bytes(out)


def _g(value, unit):
    if unit in ("", "g"):
        return value
    if unit == "mg":
        return value / 1000
    raise ValueError("acceleration is in g or mg, not %s" % unit)


def _volts(value, unit):
    if unit == "V":
        return value
    if unit == "mV":
        return value / 1000
    raise ValueError("a voltage is in V or mV, not %s" % (unit or "a bare number"))


class LIS3DH(RegisterDevice):
    """ST's LIS3DH 3-axis accelerometer (datasheet DocID17530): WHO_AM_I 0x33; CTRL_REG1 (0x20)
    output data rate in bits 7-4 (0: power-down), low-power bit 3, axis enables bits 2-0;
    CTRL_REG4 (0x23) block data update bit 7, big-endian bit 6, full scale bits 5-4 (2/4/8/16 g),
    high-resolution bit 3; CTRL_REG5 (0x24) BOOT bit 7; STATUS_REG (0x27); OUT_X_L..OUT_Z_H
    (0x28-0x2D) left-justified two's complement at 1/2/4/12 mg a digit in 12-bit high-resolution
    mode, 4/8/16/48 in 10-bit normal mode, 16/32/64/192 in 8-bit low-power mode; OUT_ADC1..3
    (0x08-0x0D) with TEMP_CFG_REG's ADC_EN; CLICK_SRC (0x39). I2C at 0x18 or 0x19 with the
    sub-address's bit 7 for auto-increment; SPI with bit 7 read and bit 6 auto-increment.

    Properties (--set/--events lis3dh.NAME=VALUE): x, y, z in g (or mg; at rest z is 1 g), adc1..adc3
    in volts (1.8 V reads -32512, 0.9 V +32512), tap=1 for a single tap, tap=2 for a double tap."""

    autoincrement_bit = 0x80
    spi_read_bit = 0x80
    spi_multi_bit = 0x40
    spi_address_mask = 0x3F

    _RATES = (0, 1, 10, 25, 50, 100, 200, 400, 1620, 1344)  # ODR codes 0-9 (8: low-power only)
    _SENSITIVITY = {8: (16, 32, 64, 192), 10: (4, 8, 16, 48), 12: (1, 2, 4, 12)}

    def __init__(self, x=0.0, y=0.0, z=1.0):
        super().__init__()
        self.acceleration = [float(x), float(y), float(z)]
        self.adc = [1.35, 1.35, 1.35]
        self._tap = 0
        self._sample = bytes(6)
        self._last_read_ns = None
        self._reset_registers()

    def _reset_registers(self):
        self.registers[:] = bytes(256)
        self.registers[0x0F] = 0x33  # WHO_AM_I
        self.registers[0x20] = 0x07  # CTRL_REG1: power-down, X, Y, Z enabled

    # register behaviour
    def _mode_bits(self):
        if self.registers[0x20] & 0x08:
            return 8
        return 12 if self.registers[0x23] & 0x08 else 10

    def _axis_bytes(self, axis):
        bits = self._mode_bits()
        full_scale = (self.registers[0x23] >> 4) & 3
        mg_per_digit = self._SENSITIVITY[bits][full_scale]
        if not self.registers[0x20] & (1 << axis):
            counts = 0
        else:
            counts = round(self.acceleration[axis] * 1000 / mg_per_digit)
            counts = max(-(1 << (bits - 1)), min((1 << (bits - 1)) - 1, counts))
        raw = (counts << (16 - bits)) & 0xFFFF
        lo, hi = raw & 0xFF, raw >> 8
        return (hi, lo) if self.registers[0x23] & 0x40 else (lo, hi)

    def _take_sample(self):
        # Power-down keeps the last conversion in the output registers.
        if self._rate():
            self._sample = bytes(b for axis in range(3) for b in self._axis_bytes(axis))

    def _rate(self):
        code = self.registers[0x20] >> 4
        return self._RATES[code] if code < len(self._RATES) else 0

    def _new_data(self):
        rate = self._rate()
        if not rate:
            return False
        if self._last_read_ns is None:
            return True
        return _board.now_ns() - self._last_read_ns >= 1_000_000_000 // rate

    def _adc_raw(self, channel):
        if not self.registers[0x1F] & 0x80:
            return 0
        volts = self.adc[channel]
        raw = round((1.8 - volts) * 65024 / 0.9) - 32512
        raw = max(-32768, min(32767, raw)) & 0xFFC0  # 10 bits, left-justified
        return raw

    def read_register(self, address):
        if 0x28 <= address <= 0x2D:
            if address == 0x28:
                self._take_sample()
                self._last_read_ns = _board.now_ns()
            return self._sample[address - 0x28]
        if address == 0x27:  # STATUS_REG: ZYXDA and the three XDA/YDA/ZDA bits
            return 0x0F if self._new_data() else 0
        if 0x08 <= address <= 0x0D:
            raw = self._adc_raw((address - 0x08) // 2)
            return raw & 0xFF if address % 2 == 0 else raw >> 8
        if address == 0x07:  # STATUS_REG_AUX: new ADC data on every channel while enabled
            return 0x0F if self.registers[0x1F] & 0x80 else 0
        if address == 0x39:  # CLICK_SRC: IA, single/double, Z. A tap of the events is seen by one read.
            if not self._tap:
                return 0
            value = 0x40 | (0x10 if self._tap == 1 else 0x20) | 0x04
            self._tap = 0
            return value
        return self.registers[address]

    def write_register(self, address, value):
        if address in (0x0F, 0x27, 0x39) or 0x28 <= address <= 0x2D or 0x07 <= address <= 0x0D:
            return  # read-only
        if address == 0x24 and value & 0x80:
            self._reset_registers()  # BOOT: reload the trimming values and the defaults
            return
        self.registers[address] = value

    def set_property(self, name, value, unit):
        if name in ("x", "y", "z"):
            self.acceleration["xyz".index(name)] = _g(value, unit)
        elif name in ("adc1", "adc2", "adc3"):
            self.adc[int(name[3]) - 1] = _volts(value, unit)
        elif name == "tap":
            if value not in (0, 1, 2):
                raise ValueError("tap is 0, 1 (single) or 2 (double)")
            self._tap = int(value)
        else:
            super().set_property(name, value, unit)


MODELS = {"lis3dh": LIS3DH}


def load_model_file(path):
    """The Device class of a model file: the file runs in a namespace of its own."""
    if not isinstance(path, str):
        # open() of an int would wrap (and then close) that file descriptor of the process
        raise TypeError("path must be a str, not %s" % type(path).__name__)
    namespace = {"__name__": "circuit9_device", "__file__": path, "RegisterDevice": RegisterDevice}
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), namespace)
    if "Device" not in namespace:
        raise ValueError("%s defines no Device class" % path)
    return namespace["Device"]


def _option(text):
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def attach_spec(spec):
    """--device [NAME=]MODEL[,KEY=VALUE...]@TARGET, TARGET being i2c:ADDRESS[:SCL:SDA],
    spi:CS[:CLOCK:MOSI:MISO], for MODEL neopixel (options count, order) a pin, for MODEL touchscreen
    four pins X1,X2,Y1,Y2. MODEL is a shipped model (lis3dh) or a file path ending in .py defining
    Device. Returns the device's name."""
    if "@" not in spec:
        raise ValueError("expected MODEL@TARGET")
    left, target = spec.rsplit("@", 1)
    name = None
    head, *opts = left.split(",")
    if "=" in head:
        name, head = head.split("=", 1)
    options = {}
    for o in opts:
        if "=" not in o:
            raise ValueError("option %r is not KEY=VALUE" % o)
        k, v = o.split("=", 1)
        options[k] = _option(v)
    if head == "touchscreen":
        pins = target.split(",")
        if len(pins) != 4 or options:
            raise ValueError("touchscreen@X1,X2,Y1,Y2 (the pins adafruit_touchscreen takes, in its order)")
        _board.touchscreen(*pins, name=name or "touchscreen")
        return name or "touchscreen"
    if head == "neopixel":
        _board.pixels(target, order=str(options.pop("order", "GRB")), count=int(options.pop("count", 1)))
        if options:
            raise ValueError("neopixel takes count and order, not %s" % ", ".join(options))
        return name or "neopixel"
    if head.endswith(".py"):
        cls = load_model_file(head)
        default_name = head.rsplit("/", 1)[-1][:-3]
    elif head.lower() in MODELS:
        cls = MODELS[head.lower()]
        default_name = head.lower()
    else:
        raise ValueError("no model %s (models: %s, or a .py file)" % (head, ", ".join(sorted(MODELS))))
    model = cls(**options)
    name = name or default_name
    bus, _, where = target.partition(":")
    parts = where.split(":") if where else []
    if bus == "i2c":
        if len(parts) not in (1, 3):
            raise ValueError("i2c target is i2c:ADDRESS or i2c:ADDRESS:SCL:SDA")
        pins = {"scl": parts[1], "sda": parts[2]} if len(parts) == 3 else {}
        _board.attach_i2c(model, int(parts[0], 0), name=name, **pins)
    elif bus == "spi":
        if len(parts) not in (1, 4):
            raise ValueError("spi target is spi:CS or spi:CS:CLOCK:MOSI:MISO")
        pins = {"clock": parts[1], "mosi": parts[2], "miso": parts[3]} if len(parts) == 4 else {}
        _board.attach_spi(model, parts[0], name=name, **pins)
    else:
        raise ValueError("target is i2c:... or spi:..., not %s" % target)
    return name
