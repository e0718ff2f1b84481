# CircuitPython's struct (shared-bindings/struct, shared-module/struct, py/binary.c) on CPython's
# packer. What differs from CPython's and is kept here:
# - native formats ("@" or none) use the board's 32-bit C layout: l/L are 4 bytes, every item
#   aligned to its size;
# - typecodes are b B h H i I l L q Q e f d s x ("bad typecode" otherwise);
# - an integer that does not fit is OverflowError("value must fit in N byte(s)"), a wrong number of
#   values ValueError("values length must be N"), short buffers RuntimeError("Buffer too small"),
#   "buffer too small" (unpack_from) or "buffer size must match format" (unpack).
import struct as _struct

__all__ = ["calcsize", "pack", "pack_into", "unpack", "unpack_from"]

_SIZES = {"b": 1, "B": 1, "x": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4, "q": 8, "Q": 8, "e": 2,
          "f": 4, "d": 8}
_INTS = "bBhHiIlLqQ"


def _items(fmt):
    """[(typecode, count)] and the byte order of a CircuitPython format."""
    if not isinstance(fmt, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(fmt).__name__)
    order = "@"
    if fmt[:1] in ("<", ">", "!", "=", "@"):
        order = {"!": ">", "=": "<"}.get(fmt[0], fmt[0])
        fmt = fmt[1:]
    out = []
    i = 0
    while i < len(fmt):
        j = i
        while j < len(fmt) and fmt[j].isdigit():
            j += 1
        count = int(fmt[i:j]) if j > i else 1
        if j >= len(fmt):
            break  # trailing digits: MicroPython ignores them
        code = fmt[j]
        if code != "s" and code not in _SIZES:
            raise ValueError("bad typecode")
        out.append((code, count))
        i = j + 1
    return order, out


def _layout(fmt):
    """A CPython format with the same bytes, the typecode of each value, and the size."""
    order, items = _items(fmt)
    parts = ["<" if order == "@" else order]
    size = 0
    values = []
    for code, count in items:
        if code == "s":
            parts.append("%ds" % count)
            size += count
            values.append("s")
            continue
        n = _SIZES[code]
        for _ in range(count):
            if order == "@":
                pad = -size % n
                if pad:
                    parts.append("%dx" % pad)
                    size += pad
            parts.append({"l": "i", "L": "I"}.get(code, code))
            size += n
            if code != "x":
                values.append(code)
    return "".join(parts), values, size


def calcsize(fmt):
    return _layout(fmt)[2]


def _checked(fmt, values):
    cfmt, codes, size = _layout(fmt)
    if len(values) != len(codes):
        raise ValueError("values length must be %d" % len(codes))
    out = []
    for v, c in zip(values, codes):
        if c == "s":
            try:
                v = bytes(memoryview(v))
            except TypeError:
                raise TypeError("object with buffer protocol required") from None
        elif c in _INTS:
            if not isinstance(v, int):
                raise TypeError("can't convert %s to int" % type(v).__name__)
            n = _SIZES[c]
            lo, hi = (-(1 << (8 * n - 1)), 1 << (8 * n - 1)) if c.islower() else (0, 1 << (8 * n))
            if not lo <= v < hi:
                raise OverflowError("value must fit in %d byte(s)" % n)
        out.append(v)
    return cfmt, size, out


def pack(fmt, *values):
    cfmt, _, values = _checked(fmt, values)
    return _struct.pack(cfmt, *values)


def pack_into(fmt, buffer, offset, *values):
    cfmt, size, values = _checked(fmt, values)
    length = len(memoryview(buffer).cast("B"))
    if offset < 0:
        offset += length
        if offset < 0:
            raise RuntimeError("Buffer too small")
    if offset + size > length:
        raise RuntimeError("Buffer too small")
    _struct.pack_into(cfmt, buffer, offset, *values)


def unpack(fmt, data):
    cfmt, _, size = _layout(fmt)
    if len(memoryview(data).cast("B")) != size:
        raise RuntimeError("buffer size must match format")
    return _struct.unpack(cfmt, data)


def unpack_from(fmt, buffer, offset=0):
    cfmt, _, size = _layout(fmt)
    length = len(memoryview(buffer).cast("B"))
    if offset < 0:
        offset += length
        if offset < 0:
            raise RuntimeError("Buffer too small")
    if offset + size > length:
        raise RuntimeError("buffer too small")
    return _struct.unpack_from(cfmt, buffer, offset)
