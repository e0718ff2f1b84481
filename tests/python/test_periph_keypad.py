"""keypad as CircuitPython 9.2.9 has it: Event, EventQueue (with overflow), Keys, KeyMatrix,
ShiftRegisterKeys, their arguments and messages. Keys are pressed with circuit9_board.drive(); a
scan interval of 0 makes every look at the events scan first, so nothing depends on timing."""
import pytest

import circuit9.circuit9_board as cb
import circuit9.keypad as keypad
import circuit9.supervisor as supervisor


def P(name):
    return cb.pin(name)


@pytest.fixture(autouse=True)
def let_go():
    yield
    for n in range(4, 12):
        cb.drive(P("GPIO%d" % n), None)


def test_event():
    e = keypad.Event(3, False, 1234)
    assert (e.key_number, e.pressed, e.released, e.timestamp) == (3, False, True, 1234)
    assert repr(e) == "<Event: key_number 3 released>"
    assert repr(keypad.Event()) == "<Event: key_number 0 pressed>"
    # Equal when key_number and pressed agree; timestamps do not count.
    assert keypad.Event(3, False, 1) == e and keypad.Event(3, True) != e and e != (3, False)
    assert hash(e) == 3 and hash(keypad.Event(3, True)) == (1 << 15) + 3
    before = supervisor.ticks_ms()
    t = keypad.Event(1).timestamp
    assert isinstance(t, int) and t >= before
    with pytest.raises(ValueError, match="^key_number must be >= 0$"):
        keypad.Event(-1)
    with pytest.raises(TypeError, match="^can't convert str to int$"):
        keypad.Event(1, True, "x")
    with pytest.raises(TypeError, match="^cannot create 'EventQueue' instances$"):
        keypad.EventQueue()


def test_keys_pressed_low_with_pull_up():
    with keypad.Keys((P("GPIO4"), P("GPIO5")), value_when_pressed=False, interval=0) as keys:
        assert keys.key_count == 2
        q = keys.events
        assert not q and len(q) == 0 and q.get() is None
        cb.drive(P("GPIO5"), 0)
        e = q.get()
        assert (e.key_number, e.pressed) == (1, True)
        cb.drive(P("GPIO5"), None)  # the pull-up brings it back
        into = keypad.Event()
        assert q.get_into(into) and (into.key_number, into.released) == (1, True)
        assert not q.get_into(into)
        with pytest.raises(TypeError, match="^event must be of type Event, not int$"):
            q.get_into(1)
        # reset(): keys held are reported again.
        cb.drive(P("GPIO4"), 0)
        assert q.get() == keypad.Event(0, True)
        keys.reset()
        assert q.get() == keypad.Event(0, True)
    with pytest.raises(ValueError, match="^Object has been deinitialized"):
        keys.events
    assert q.get() is None  # the queue outlives its scanner


def test_keys_pressed_high_and_held_at_start():
    cb.drive(P("GPIO6"), 1)
    with keypad.Keys([P("GPIO6")], value_when_pressed=True, pull=True, interval=0) as keys:
        # The first scan, in the constructor, sees the held key.
        assert keys.events.get() == keypad.Event(0, True)


def test_overflow_and_clear():
    with keypad.Keys((P("GPIO4"),), value_when_pressed=False, max_events=1, interval=0) as keys:
        q = keys.events
        for level in (0, None, 0):
            cb.drive(P("GPIO4"), level)
            len(q)  # a look scans
        assert len(q) == 1 and q.overflowed
        assert q.get() == keypad.Event(0, True)
        assert q.overflowed  # until cleared
        q.clear()
        assert not q.overflowed and len(q) == 0


def test_debounce_threshold():
    with keypad.Keys((P("GPIO4"),), value_when_pressed=False, debounce_threshold=3, interval=0) as keys:
        q = keys.events
        cb.drive(P("GPIO4"), 0)
        assert len(q) == 0 and len(q) == 0  # two scans agree: not yet
        assert len(q) == 1  # the third
        assert q.get().pressed


def test_keys_arguments():
    with pytest.raises(TypeError, match="^object in row_pins must be of type Pin, not int$"):
        keypad.Keys((1,), value_when_pressed=False)
    with pytest.raises(TypeError, match="^row_pins contains duplicate pins$"):
        keypad.Keys((P("GPIO4"), P("GPIO4")), value_when_pressed=False)
    with pytest.raises(TypeError, match="^'value_when_pressed' argument required$"):
        keypad.Keys((P("GPIO4"),))
    with pytest.raises(ValueError, match="^interval must be >= 0$"):
        keypad.Keys((P("GPIO4"),), value_when_pressed=False, interval=-1)
    with pytest.raises(ValueError, match="^max_events must be >= 1$"):
        keypad.Keys((P("GPIO4"),), value_when_pressed=False, max_events=0)
    with pytest.raises(ValueError, match="^debounce_threshold must be 1-127$"):
        keypad.Keys((P("GPIO4"),), value_when_pressed=False, debounce_threshold=128)
    with keypad.Keys((P("GPIO4"),), value_when_pressed=False):
        with pytest.raises(ValueError, match="^BATTERY_MONITOR in use$"):  # memento's name for GPIO4
            keypad.Keys((P("GPIO5"), P("GPIO4")), value_when_pressed=False)
    # GPIO5 was given back when the second scanner failed.
    keypad.Keys((P("GPIO5"),), value_when_pressed=False).deinit()


def test_key_matrix():
    rows, cols = (P("GPIO4"), P("GPIO5")), (P("GPIO6"), P("GPIO7"), P("GPIO8"))
    with keypad.KeyMatrix(rows, cols, interval=0) as km:
        assert km.key_count == 6
        assert km.key_number_to_row_column(5) == (1, 2)
        assert km.row_column_to_key_number(1, 0) == 3
        with pytest.raises(ValueError, match="^key_number must be 0-5$"):
            km.key_number_to_row_column(6)
        with pytest.raises(ValueError, match="^column must be 0-2$"):
            km.row_column_to_key_number(0, 3)
        # Nothing wired between rows and columns: no key ever reads pressed.
        assert km.events.get() is None
    with pytest.raises(TypeError, match="^row_pins and column_pins contain duplicate pins$"):
        keypad.KeyMatrix((P("GPIO4"),), (P("GPIO4"),))


def test_shift_register_keys():
    with keypad.ShiftRegisterKeys(clock=P("GPIO4"), data=P("GPIO5"), latch=P("GPIO6"), key_count=8,
                                  value_when_pressed=False, interval=0) as srk:
        assert srk.key_count == 8
        # With nothing on the data pin it reads high the whole time: no key is pressed.
        assert srk.events.get() is None
    with keypad.ShiftRegisterKeys(clock=P("GPIO4"), data=(P("GPIO5"), P("GPIO7")), latch=P("GPIO6"),
                                  key_count=(3, 5), value_when_pressed=True, interval=0) as srk:
        assert srk.key_count == 8
        events = []
        while (e := srk.events.get()) is not None:
            events.append(e)
        # Data pins float high: every key reads pressed (value_when_pressed=True) from the start.
        assert sorted(e.key_number for e in events) == list(range(8))
    with pytest.raises(ValueError, match="^key_count length must be 2$"):
        keypad.ShiftRegisterKeys(clock=P("GPIO4"), data=(P("GPIO5"), P("GPIO7")), latch=P("GPIO6"),
                                 key_count=8, value_when_pressed=False)
    with pytest.raises(ValueError, match="^key_count must be >= 1$"):
        keypad.ShiftRegisterKeys(clock=P("GPIO4"), data=P("GPIO5"), latch=P("GPIO6"), key_count=0,
                                 value_when_pressed=False)
    with pytest.raises(TypeError, match="^extra positional arguments given$"):
        keypad.ShiftRegisterKeys(P("GPIO4"))
