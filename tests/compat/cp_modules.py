# json, re, struct, collections, warnings and select with CircuitPython's behaviour where it
# differs from CPython's.
import collections
import json
import re
import select
import struct
import warnings

print(json.dumps({"a": [1, 2, None, True]}), json.dumps([1, 2], separators=(",", ":")), json.dumps("é"))
print(json.loads(b'{"x": [1.5, false]}'))
for bad in ("{", "[1,]", ""):
    try:
        json.loads(bad)
    except ValueError as e:
        print("ValueError:", e)
try:
    json.dumps(object())
except TypeError as e:
    print("TypeError:", e)

m = re.match(r"(\w+)-(\d+)", "abc-123")
print(m.group(0), m.groups(), re.sub(r"\d", "#", "a1b22"), re.compile(",").split("a,b"))
try:
    re.compile("(")
except ValueError as e:
    print("ValueError:", e)

# Native layout is the board's 32-bit one: l is 4 bytes and items are aligned to their size.
print(struct.calcsize("l"), struct.calcsize("bi"), struct.calcsize("<bi"), struct.pack("bH", 1, 2))
print(struct.unpack("<hB", b"\xff\xff\x07"), struct.unpack_from("<H", b"\x00\x01\x02", 1))
for call in (lambda: struct.pack("B", 256), lambda: struct.pack("b", -129), lambda: struct.pack("<HH", 1),
             lambda: struct.unpack("<H", b"\x00"), lambda: struct.unpack_from("<I", b"\x00\x00", 0),
             lambda: struct.pack_into("<I", bytearray(3), 0, 1), lambda: struct.pack("?", True)):
    try:
        call()
    except Exception as e:
        print(type(e).__name__ + ":", e)

d = collections.deque((), 2)
d.append(1)
d.append(2)
d.append(3)
print(list(d))
strict = collections.deque((), 1, 1)
strict.append(1)
try:
    strict.append(2)
except IndexError as e:
    print("IndexError:", e)
try:
    collections.deque((), 1).popleft()
except IndexError as e:
    print("IndexError:", e)

warnings.simplefilter("error")
try:
    warnings.warn("careful", FutureWarning)
except FutureWarning as e:
    print("FutureWarning raised:", e)
warnings.simplefilter("ignore")
warnings.warn("not shown")
try:
    warnings.simplefilter("default")
except ValueError:
    print("ValueError for an unknown action")


class Ready:
    """A stream as MicroPython polls it: ioctl(MP_STREAM_POLL=3, events) returns the ready ones."""

    def ioctl(self, request, arg):
        return arg & select.POLLIN if request == 3 else 0


p = select.poll()
r = Ready()
p.register(r, select.POLLIN | select.POLLOUT)
print([(o is r, ev) for o, ev in p.ipoll(0)])
print(p.poll(0) == [(r, select.POLLIN)])
p.unregister(r)
print(list(p.ipoll(0)))
try:
    p.register(object())
except OSError as e:
    print("OSError:", e)
print(select.select([r], [], [], 0)[0] == [r])
