"""rotaryio, countio and touchio on the package's ESP32-S3 board. The encoder's contacts are driven
through Gray-code steps; the ESP32's pulse counter counts every step and divides by the divisor
(rotary.h). Touch pads read touched while something holds them high."""
import pytest

import circuit9.circuit9_board as cb
import circuit9.countio as countio
import circuit9.digitalio as digitalio
import circuit9.rotaryio as rotaryio
import circuit9.touchio as touchio


def P(name):
    return cb.pin(name)


@pytest.fixture(autouse=True)
def let_go():
    yield
    for n in range(1, 12):
        cb.drive(P("GPIO%d" % n), None)


def turn(a, b, steps):
    """Drive contacts through quarter steps: (A, B) levels, the encoder resting at 11."""
    for la, lb in steps:
        cb.drive(a, la)
        cb.drive(b, lb)


CW = [(0, 1), (0, 0), (1, 0), (1, 1)]
CCW = [(1, 0), (0, 0), (0, 1), (1, 1)]


def test_encoder_counts_detents():
    a, b = P("GPIO4"), P("GPIO5")
    with rotaryio.IncrementalEncoder(a, b) as enc:
        assert (enc.position, enc.divisor) == (0, 4)
        turn(a, b, CW * 3)
        assert enc.position == 3
        turn(a, b, CCW)
        assert enc.position == 2
        enc.position = 10
        turn(a, b, CW)
        assert enc.position == 11
        enc.divisor = 1
        # The ESP32 port keeps position * divisor as an offset and divides (count + offset) by the
        # divisor when asked: (4 + 40) / 1.
        assert enc.position == 44
        enc.divisor = 0
        with pytest.raises(ZeroDivisionError):
            enc.position
    with pytest.raises(ValueError, match="^Object has been deinitialized"):
        enc.position
    with pytest.raises(ValueError, match="^BATTERY_MONITOR in use$"):
        with digitalio.DigitalInOut(P("GPIO4")):
            rotaryio.IncrementalEncoder(a, b)


def test_counter_edges():
    pin = P("GPIO6")
    cb.drive(pin, 0)
    with countio.Counter(pin) as falls, digitalio.DigitalInOut(P("GPIO7")):
        for level in (1, 0, 1, 0, 1):
            cb.drive(pin, level)
        assert falls.count == 2
        falls.count = 100
        cb.drive(pin, 0)
        assert falls.count == 101
        falls.reset()
        assert falls.count == 0
    cb.drive(pin, 0)
    with countio.Counter(pin, edge=countio.Edge.RISE_AND_FALL, pull=digitalio.Pull.UP) as both:
        for level in (1, 0, 1):
            cb.drive(pin, level)
        assert both.count == 3
    assert repr(countio.Edge.RISE) == "countio.Edge.RISE"
    with pytest.raises(TypeError, match="^edge must be of type Edge, not int$"):
        countio.Counter(pin, edge=1)
    with pytest.raises(TypeError, match="^pull must be of type Pull or None, not int$"):
        countio.Counter(pin, pull=1)


def test_touch():
    with touchio.TouchIn(P("GPIO8")) as t:  # an ESP32-S3 touch pad
        raw = t.raw_value
        assert t.threshold == raw + 100  # the ESP32 port's first threshold
        assert t.value is False
        cb.drive(P("GPIO8"), 1)
        assert t.value is True and t.raw_value > t.threshold
        t.threshold = 65535
        assert t.value is False
        with pytest.raises(ValueError, match="^threshold must be 0-65535$"):
            t.threshold = 70000
    with pytest.raises(ValueError, match="^Invalid pin$"):
        touchio.TouchIn(P("GPIO15"))  # no touch pad on GPIO15
