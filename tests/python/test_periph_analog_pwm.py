"""analogio, pwmio, neopixel_write and rainbowio on the package's virtual board, an ESP32-S3
(memento): AnalogIn.value as the ESP32 port computes it (calibrated millivolts * 65535 / 3300, the
ADC saturating near 3.1 V), no DAC, LEDC timers (4 timers, 8 channels, duty resolution from the
frequency, at most 13 bits). Expected numbers are worked out from those rules by hand."""
import json

import pytest

import circuit9.analogio as analogio
import circuit9.circuit9_board as cb
import circuit9.digitalio as digitalio
import circuit9.neopixel_write as neopixel_write
import circuit9.pwmio as pwmio
import circuit9.rainbowio as rainbowio


def P(name):
    return cb.pin(name)


def test_analog_in_values():
    with analogio.AnalogIn(P("GPIO17")) as a:  # memento A0: ADC2 channel 6
        assert a.reference_voltage == 3.3
        for volts, value in ((0, 0), (0.5, 9929), (1.65, 32767), (3.0, 59577), (3.3, 61563)):
            cb.set_voltage(P("GPIO17"), volts)
            assert a.value == value, volts
        cb.drive(P("GPIO17"), 0)  # a pin held low reads 0 V
        cb.set_voltage(P("GPIO17"), None)
        cb.drive(P("GPIO17"), 0)
        assert a.value == 0
        cb.drive(P("GPIO17"), None)
    with pytest.raises(ValueError, match="^Object has been deinitialized"):
        a.value


def test_analog_errors():
    with pytest.raises(ValueError, match="^Invalid pin$"):
        analogio.AnalogIn(P("GPIO21"))  # no ADC channel on the S3's GPIO21
    with pytest.raises(NotImplementedError) as e:
        analogio.AnalogOut(P("GPIO17"))
    assert e.value.args == ()  # the ESP32-S3 port raises it without a message
    # The failed constructor released the pin.
    analogio.AnalogIn(P("GPIO17")).deinit()


def test_pwm_duty_and_frequency():
    with pwmio.PWMOut(P("GPIO5"), duty_cycle=65535, frequency=500) as p:
        assert p.frequency == 500
        assert p.duty_cycle == 65528  # 13 bits at 500 Hz: the low 3 bits are lost
        p.duty_cycle = 1000
        assert p.duty_cycle == 1000
        p.duty_cycle = 1001
        assert p.duty_cycle == 1000
        with pytest.raises(ValueError, match="^duty_cycle must be 0-65535$"):
            p.duty_cycle = 65536
        with pytest.raises(AttributeError, match="^Invalid variable_frequency$"):
            p.frequency = 1000
    with pwmio.PWMOut(P("GPIO5"), frequency=1000000, duty_cycle=32768, variable_frequency=True) as p:
        assert (p.frequency, p.duty_cycle) == (1000000, 32768)  # 6 bits of duty at 1 MHz
        p.duty_cycle = 1023
        assert p.duty_cycle == 0  # below one step of 1024
        p.frequency = 2000
        assert p.frequency == 2000
        with pytest.raises(ValueError, match="^Invalid frequency$"):
            p.frequency = 0


def test_pwm_errors_and_timers():
    with pytest.raises(ValueError, match="^Invalid frequency$"):
        pwmio.PWMOut(P("GPIO5"), frequency=0)
    with pytest.raises(ValueError, match="^Invalid frequency$"):
        pwmio.PWMOut(P("GPIO5"), frequency=50_000_000)  # no bit of duty resolution left
    with pytest.raises(RuntimeError, match="^Internal error$"):
        pwmio.PWMOut(P("GPIO5"), frequency=1)  # no clock divides down to 1 Hz at 13 bits
    # Four LEDC timers: four frequencies, then none for a fifth.
    outs = [pwmio.PWMOut(P("GPIO%d" % n), frequency=1000 + n) for n in (5, 6, 7, 8)]
    try:
        with pytest.raises(RuntimeError, match="^Internal resource\\(s\\) in use$"):
            pwmio.PWMOut(P("GPIO9"), frequency=5000)
        # The same frequency shares a timer.
        same = pwmio.PWMOut(P("GPIO9"), frequency=1005)
        same.deinit()
    finally:
        for o in outs:
            o.deinit()
    with pytest.raises(TypeError, match="^pin must be of type Pin, not str$"):
        pwmio.PWMOut("GPIO5")


def test_neopixel_write_decodes_with_the_chain_order(tmp_path):
    # memento's NEOPIXEL (GPIO1) is one GRB LED; a pin with nothing declared (GPIO19) gets a GRB chain
    # as long as the frame.
    with digitalio.DigitalInOut(P("GPIO1")) as np, digitalio.DigitalInOut(P("GPIO19")) as strip:
        np.switch_to_output()
        strip.switch_to_output()
        neopixel_write.neopixel_write(np, bytes([1, 2, 3]))
        neopixel_write.neopixel_write(strip, bytearray([10, 20, 30, 40, 50, 60]))
        cb.pixels(P("GPIO20"), order="RGBW", count=2)
        with digitalio.DigitalInOut(P("GPIO20")) as rgbw:
            rgbw.switch_to_output()
            neopixel_write.neopixel_write(rgbw, bytes(range(1, 9)))
            path = tmp_path / "state.json"
            cb.write_state(str(path))
        pins = json.loads(path.read_text())["pins"]
        assert pins["NEOPIXEL"]["neopixel"] == [[2, 1, 3]]
        assert pins["GPIO19"]["neopixel"] == [[20, 10, 30], [50, 40, 60]]
        assert pins["GPIO20"]["neopixel"] == [[1, 2, 3, 4], [5, 6, 7, 8]]
        with pytest.raises(TypeError, match="^digitalinout must be of type DigitalInOut, not Pin$"):
            neopixel_write.neopixel_write(P("GPIO1"), b"\0\0\0")
        with pytest.raises(TypeError, match="^object with buffer protocol required$"):
            neopixel_write.neopixel_write(np, [1, 2, 3])
    with pytest.raises(ValueError, match="^Object has been deinitialized"):
        neopixel_write.neopixel_write(np, b"\0\0\0")


def test_colorwheel():
    assert rainbowio.colorwheel(0) == 0xFF0000
    assert rainbowio.colorwheel(85) == 0x00FF00
    assert rainbowio.colorwheel(170) == 0x0000FF
    assert rainbowio.colorwheel(42.5) == 0x807F00
    assert rainbowio.colorwheel(256 + 85) == 0x00FF00
    assert rainbowio.colorwheel(True) == rainbowio.colorwheel(1)
    with pytest.raises(TypeError, match="^can't convert str to float$"):
        rainbowio.colorwheel("1")
