"""rtc and nvm as CircuitPython 9.2.9 has them, through the package on its default board (an
ESP32-S3: 8192 bytes of NVM that read as zeros until written, an RTC without calibration).
Expected dates come from CPython's calendar.timegm/time.gmtime, not from the code under test."""
import calendar
import time as host_time

import pytest

import circuit9.microcontroller as microcontroller
import circuit9.nvm as nvm
import circuit9.rtc as rtc
import circuit9.time as time


@pytest.fixture(autouse=True)
def on_the_rtc():
    yield
    rtc.set_time_source(rtc.RTC())


def test_rtc_is_one_object_without_arguments():
    assert rtc.RTC() is rtc.RTC()
    with pytest.raises(TypeError, match="function takes 0 positional arguments but 1 were given"):
        rtc.RTC(1)


def test_setting_datetime_moves_time_and_localtime():
    r = rtc.RTC()
    r.datetime = time.struct_time((2024, 2, 29, 12, 30, 15, 0, -1, -1))
    want = calendar.timegm((2024, 2, 29, 12, 30, 15))
    now = time.time()
    assert want <= now <= want + 5
    lt = time.localtime()
    g = host_time.gmtime(now)
    assert tuple(lt)[:8] == tuple(g)[:8]  # wday and yday worked out, not taken from the value
    assert lt.tm_isdst == -1
    assert tuple(r.datetime)[:3] == (2024, 2, 29)
    # A plain 9-tuple is a struct_time to CircuitPython too.
    r.datetime = (2000, 1, 1, 0, 0, 0, 0, 0, 0)
    assert 946684800 <= time.time() <= 946684805


def test_datetime_errors():
    r = rtc.RTC()
    before = time.time()
    with pytest.raises(TypeError, match="^value must be of type struct_time, not int$"):
        r.datetime = 5
    with pytest.raises(TypeError, match="^function takes 9 positional arguments but 8 were given$"):
        r.datetime = (2024, 1, 1, 0, 0, 0, 0, 0)
    with pytest.raises(TypeError, match="^can't convert float to int$"):
        r.datetime = (2024, 1, 1.5, 0, 0, 0, 0, 0, 0)
    with pytest.raises(OverflowError, match="^timestamp out of range for platform time_t$"):
        r.datetime = (10000, 1, 1, 0, 0, 0, 0, 0, 0)
    with pytest.raises(AttributeError):
        del r.datetime
    assert abs(time.time() - before) <= 5  # nothing was set


def test_calibration_on_an_esp32():
    r = rtc.RTC()
    assert r.calibration == 0
    with pytest.raises(NotImplementedError, match="^calibration$"):
        r.calibration = 1
    with pytest.raises(TypeError, match="^can't convert str to int$"):
        r.calibration = "1"


def test_time_source():
    class Source:
        reads = 0

        @property
        def datetime(self):
            Source.reads += 1
            return (2030, 6, 15, 8, 0, 0, 0, 0, 0)

    rtc.set_time_source(Source())
    assert time.time() == calendar.timegm((2030, 6, 15, 8, 0, 0))
    assert tuple(time.localtime())[:8] == tuple(host_time.gmtime(calendar.timegm((2030, 6, 15, 8, 0, 0))))[:8]
    assert Source.reads == 2
    rtc.set_time_source(object())
    with pytest.raises(AttributeError):
        time.time()
    rtc.RTC().datetime = (2025, 3, 11, 0, 0, 0, 0, 0, 0)
    rtc.set_time_source(rtc.RTC())
    assert calendar.timegm((2025, 3, 11, 0, 0, 0)) <= time.time() <= calendar.timegm((2025, 3, 11, 0, 0, 5))


def test_localtime_and_mktime_are_circuitpythons():
    for s in (946684800, 951782400, 1709208000, 2147483647):
        assert tuple(time.localtime(s))[:8] == tuple(host_time.gmtime(s))[:8]
    assert tuple(time.localtime(1709208000.9))[:6] == (2024, 2, 29, 12, 0, 0)
    with pytest.raises(OverflowError, match="^timestamp out of range for platform time_t$"):
        time.localtime(946684799)
    with pytest.raises(OverflowError, match="^overflow converting long int to machine word$"):
        time.localtime(2**31)
    assert time.mktime((2024, 2, 29, 12, 0, 0, 0, 0, -1)) == 1709208000
    # Fields out of range carry, as timeutils_mktime does.
    assert time.mktime((2000, 13, 1, 0, 0, 0, 0, 0, 0)) == calendar.timegm((2001, 1, 1, 0, 0, 0))
    assert time.mktime((2024, 3, 0, 0, 0, 0, 0, 0, 0)) == calendar.timegm((2024, 2, 29, 0, 0, 0))
    with pytest.raises(OverflowError, match="^tm_year out of range$"):
        time.mktime((1999, 1, 1, 0, 0, 0, 0, 0, 0))
    with pytest.raises(TypeError, match="^function takes 9 positional arguments but 2 were given$"):
        time.mktime((2000, 1))


def test_nvm_bytearray():
    n = microcontroller.nvm
    assert isinstance(n, nvm.ByteArray)
    assert len(n) == 8192 and n
    with pytest.raises(TypeError, match="^cannot create 'ByteArray' instances$"):
        nvm.ByteArray()
    n[0:3] = b"\x01\x02\x03"
    assert n[0:3] == bytearray(b"\x01\x02\x03") and type(n[0:3]) is bytearray
    assert (n[0], n[-8192], n[2]) == (1, 1, 3)
    n[-1] = 255
    assert n[8191] == 255 and n[8190:] == bytearray(b"\x00\xff")
    n[5:7] = bytearray(b"ab")
    n[7:8] = memoryview(b"c")
    import array
    n[8:10] = array.array("B", [9, 10])
    assert list(n[5:10]) == [97, 98, 99, 9, 10]
    assert n[10:5] == bytearray()
    n[10:5] = b""  # an empty slice takes nothing
    assert list(n[0:3]) == [1, 2, 3] and 3 in n
    assert sum(1 for _ in n) == 8192


def test_nvm_errors_change_nothing():
    n = microcontroller.nvm
    n[0:4] = b"\x10\x20\x30\x40"
    cases = [
        (lambda: n.__setitem__(0, 256), ValueError, "^bytes must be 0-255$"),
        (lambda: n.__setitem__(0, -1), ValueError, "^bytes must be 0-255$"),
        (lambda: n.__setitem__(0, "x"), TypeError, "^can't convert str to int$"),
        (lambda: n.__setitem__(8192, 1), IndexError, "^index out of range$"),
        (lambda: n.__getitem__(-8193), IndexError, "^index out of range$"),
        (lambda: n.__getitem__("a"), TypeError, "^ByteArray indices must be integers, not str$"),
        (lambda: n.__getitem__(1.0), TypeError, "^ByteArray indices must be integers, not float$"),
        (lambda: n.__setitem__(slice(0, 2), b"abc"), ValueError, r"^Slice and value different lengths\.$"),
        (lambda: n.__setitem__(slice(0, 4, 2), b"ab"), NotImplementedError,
         r"^only slices with step=1 \(aka None\) are supported$"),
        (lambda: n.__getitem__(slice(None, None, -1)), NotImplementedError, "step=1"),
        (lambda: n.__setitem__(slice(0, 2), [1, 2]), NotImplementedError, "^array/bytes required on right side$"),
        (lambda: n.__setitem__(slice(0, 2), "ab"), NotImplementedError, "^array/bytes required on right side$"),
        (lambda: n.__delitem__(0), TypeError, "^'ByteArray' object doesn't support item deletion$"),
        (lambda: n.__delitem__(slice(0, 1)), TypeError, "^'ByteArray' object doesn't support item deletion$"),
    ]
    import array
    cases.append((lambda: n.__setitem__(slice(0, 4), array.array("H", [1, 2])), ValueError,
                  r"^Array values should be single bytes\.$"))
    for fn, exc, msg in cases:
        with pytest.raises(exc, match=msg):
            fn()
    assert n[0:4] == bytearray(b"\x10\x20\x30\x40")
