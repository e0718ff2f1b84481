"""digitalio as CircuitPython 9.2.9's shared-bindings has it (names, defaults, errors, messages),
on the package's virtual board (an ESP32-S3 board: the default, memento). The world outside the
pins is driven with circuit9_board.drive()."""
import pytest

import circuit9.circuit9_board as cb
import circuit9.digitalio as digitalio


def P(name):
    return cb.pin(name)


@pytest.fixture
def dio():
    made = []

    def make(name):
        d = digitalio.DigitalInOut(P(name))
        made.append(d)
        return d

    yield make
    for d in made:
        d.deinit()
    for name in ("GPIO5", "GPIO6", "GPIO7"):
        cb.drive(P(name), None)


def test_enums_print_as_on_a_board():
    assert repr(digitalio.Direction.INPUT) == "digitalio.Direction.INPUT"
    assert repr(digitalio.Direction.OUTPUT) == "digitalio.Direction.OUTPUT"
    assert repr(digitalio.Pull.UP) == "digitalio.Pull.UP"
    assert repr(digitalio.Pull.DOWN) == "digitalio.Pull.DOWN"
    assert repr(digitalio.DriveMode.PUSH_PULL) == "digitalio.DriveMode.PUSH_PULL"
    assert repr(digitalio.DriveMode.OPEN_DRAIN) == "digitalio.DriveMode.OPEN_DRAIN"
    with pytest.raises(TypeError):
        digitalio.Pull()


def test_new_pin_is_input_without_pull(dio):
    d = dio("GPIO5")
    assert d.direction is digitalio.Direction.INPUT
    assert d.pull is None
    with pytest.raises(AttributeError, match="^Drive mode not used when direction is input.$"):
        d.drive_mode
    with pytest.raises(AttributeError, match="^Cannot set value when direction is input.$"):
        d.value = True


def test_pin_in_use_names_the_pin(dio):
    dio("GPIO5")
    # CircuitPython names the pin by its first name in the board's pins.c (memento's GPIO5 is
    # CAMERA_VSYNC), else by the microcontroller's name.
    with pytest.raises(ValueError, match="^CAMERA_VSYNC in use$"):
        digitalio.DigitalInOut(P("GPIO5"))
    dio("GPIO19")
    with pytest.raises(ValueError, match="^GPIO19 in use$"):
        digitalio.DigitalInOut(P("GPIO19"))
    dio("GPIO1")  # memento's NEOPIXEL
    with pytest.raises(ValueError, match="^NEOPIXEL in use$"):
        digitalio.DigitalInOut(P("GPIO1"))
    with pytest.raises(TypeError, match="^pin must be of type Pin, not int$"):
        digitalio.DigitalInOut(5)
    with pytest.raises(TypeError, match="takes 1 positional arguments but 2 were given"):
        digitalio.DigitalInOut(P("GPIO6"), P("GPIO7"))


def test_pulls_and_outside_drive(dio):
    d = dio("GPIO5")
    d.switch_to_input(pull=digitalio.Pull.UP)
    assert d.pull is digitalio.Pull.UP and d.value is True
    d.pull = digitalio.Pull.DOWN
    assert d.value is False
    cb.drive(P("GPIO5"), 1)  # something outside wins over the pull
    assert d.value is True
    cb.drive(P("GPIO5"), None)
    assert d.value is False
    d.pull = None
    assert d.pull is None
    with pytest.raises(TypeError, match="^pull must be of type Pull or None, not int$"):
        d.switch_to_input(pull=1)
    with pytest.raises(TypeError, match="^pull must be of type Pull or None, not DriveMode$"):
        d.pull = digitalio.DriveMode.PUSH_PULL


def test_outputs_and_drive_modes(dio):
    d = dio("GPIO5")
    d.switch_to_output(value=True)
    assert d.direction is digitalio.Direction.OUTPUT
    assert d.drive_mode is digitalio.DriveMode.PUSH_PULL and d.value is True
    with pytest.raises(AttributeError, match="^Pull not used when direction is output.$"):
        d.pull
    with pytest.raises(AttributeError, match="^Pull not used when direction is output.$"):
        d.pull = None
    cb.drive(P("GPIO5"), 0)  # push-pull wins over the outside
    assert d.value is True
    # Open drain let go (True) reads what the outside does; driven low reads low.
    d.drive_mode = digitalio.DriveMode.OPEN_DRAIN
    assert d.drive_mode is digitalio.DriveMode.OPEN_DRAIN and d.value is False
    cb.drive(P("GPIO5"), None)
    assert d.value is True
    d.value = False
    assert d.value is False
    # Like the board, anything but OPEN_DRAIN means push-pull.
    d.switch_to_output(drive_mode="anything")
    assert d.drive_mode is digitalio.DriveMode.PUSH_PULL
    # The direction setter: an output starts low and push-pull.
    d.direction = digitalio.Direction.INPUT
    d.direction = digitalio.Direction.OUTPUT
    assert d.value is False and d.drive_mode is digitalio.DriveMode.PUSH_PULL
    with pytest.raises(ValueError, match="^Invalid direction$"):
        d.direction = 1


def test_deinit_and_context_manager(dio):
    d = dio("GPIO6")
    d.deinit()
    d.deinit()  # twice is fine
    for op in (lambda: d.value, lambda: d.switch_to_input(), lambda: d.direction):
        with pytest.raises(ValueError, match="^Object has been deinitialized and can no longer be used. "
                                             "Create a new object.$"):
            op()
    with digitalio.DigitalInOut(P("GPIO7")) as e:
        e.switch_to_output(True)
    digitalio.DigitalInOut(P("GPIO7")).deinit()  # released by __exit__


def test_subclass_builds_native_part():
    class Button(digitalio.DigitalInOut):
        def __init__(self, pin):
            super().__init__(pin)
            self.switch_to_input(pull=digitalio.Pull.UP)

    b = Button(P("GPIO5"))
    assert b.value is True
    b.deinit()
