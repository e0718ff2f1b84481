# CircuitPython's msgpack (shared-bindings/msgpack, shared-module/msgpack): pack(obj, stream, *,
# default=None) and unpack(stream, *, ext_hook=None, use_list=True) with ExtType, writing and
# reading the encodings the board's module does: the board's small ints (31 bits) in the
# smallest form (-32 takes int8: the board's fixint test is x > -32), floats as float32, str,
# bytes-like as bin, list/tuple as array, dict as map, ExtType as (fix)ext. Anything else goes
# through default once, else ValueError("no default packer"). Dicts are written in their
# insertion order (the board's hash-table order cannot be reproduced).
import struct as _struct

__all__ = ["pack", "unpack", "ExtType"]


class ExtType:
    __slots__ = ("_code", "data")

    def __init__(self, code, data):
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError("can't convert %s to int" % type(code).__name__)
        if not 0 <= code <= 127:
            raise ValueError("code must be 0-127")
        self._code = code
        self.data = data

    @property
    def code(self):
        return self._code

    @code.setter
    def code(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("can't convert %s to int" % type(value).__name__)
        if not 0 <= value <= 127:
            raise AttributeError("code outside range 0~127")
        self._code = value


def _is_function(f):
    import types

    return isinstance(f, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))


def _writer(stream):
    write = getattr(stream, "write", None)
    if not callable(write):
        raise OSError("stream operation not supported")

    def out(data):
        if not write(data):
            raise EOFError

    return out


def _size(out, code, n):
    if n < 0x100:
        out(bytes((code, n)))
    elif n < 0x10000:
        out(bytes((code + 1,)) + _struct.pack(">H", n))
    else:
        out(bytes((code + 2,)) + _struct.pack(">I", n))


def _pack(obj, out, default):
    if obj is None:
        out(b"\xc0")
    elif obj is False:
        out(b"\xc2")
    elif obj is True:
        out(b"\xc3")
    elif type(obj) is int and -(1 << 30) <= obj < (1 << 30):
        if -32 < obj < 128:
            out(_struct.pack("b" if obj < 0 else "B", obj))
        elif -128 <= obj < 128:
            out(b"\xd0" + _struct.pack(">b", obj))
        elif -32768 <= obj < 32768:
            out(b"\xd1" + _struct.pack(">h", obj))
        else:
            out(b"\xd2" + _struct.pack(">i", obj))
    elif isinstance(obj, str):
        data = obj.encode()
        if len(data) < 32:
            out(bytes((0xA0 | len(data),)))
        else:
            _size(out, 0xD9, len(data))
        if data:
            out(data)
    elif isinstance(obj, ExtType):
        data = bytes(memoryview(obj.data))
        n = len(data)
        fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
        if n in fixed:
            out(bytes((fixed[n],)))
        else:
            _size(out, 0xC7, n)
        out(bytes((obj.code,)))
        if data:
            out(data)
    elif type(obj) in (tuple, list):
        n = len(obj)
        if n < 16:
            out(bytes((0x90 | n,)))
        elif n < 0x10000:
            out(b"\xdc" + _struct.pack(">H", n))
        else:
            out(b"\xdd" + _struct.pack(">I", n))
        for item in obj:
            _pack(item, out, default)
    elif type(obj) is dict:
        n = len(obj)
        if n < 16:
            out(bytes((0x80 | n,)))
        elif n < 0x10000:
            out(b"\xde" + _struct.pack(">H", n))
        else:
            out(b"\xdf" + _struct.pack(">I", n))
        for k, v in obj.items():
            _pack(k, out, default)
            _pack(v, out, default)
    elif isinstance(obj, float):
        out(b"\xca" + _struct.pack(">f", obj))
    else:
        try:
            data = bytes(memoryview(obj))
        except TypeError:
            if default is None:
                raise ValueError("no default packer") from None
            # The board packs what default returns without default, so it cannot recurse.
            _pack(default(obj), out, None)
            return
        _size(out, 0xC4, len(data))
        if data:
            out(data)


def pack(obj, stream, *, default=None):
    if default is not None and not _is_function(default):
        raise ValueError("default is not a function")
    _pack(obj, _writer(stream), default)


def _reader(stream):
    readinto = getattr(stream, "readinto", None)
    read = getattr(stream, "read", None)
    if not callable(readinto) and not callable(read):
        raise OSError("stream operation not supported")

    def take(n):
        if n == 0:
            return b""
        data = read(n) if callable(read) else None
        if data is None and callable(readinto):
            buf = bytearray(n)
            got = readinto(buf)
            data = bytes(buf[: got or 0])
        if not data:
            raise EOFError
        if len(data) < n:
            raise ValueError("short read")
        return bytes(data)

    return take


def _unpack(take, ext_hook, use_list):
    code = take(1)[0]
    if code < 0x80 or code >= 0xE0:
        return _struct.unpack("b", bytes((code,)))[0] if code >= 0xE0 else code
    if code & 0xE0 == 0xA0:
        return take(code & 0x1F).decode()
    if code & 0xF0 == 0x90:
        return _array(take, code & 0x0F, ext_hook, use_list)
    if code & 0xF0 == 0x80:
        return _map(take, code & 0x0F, ext_hook, use_list)
    if code == 0xC0:
        return None
    if code == 0xC2:
        return False
    if code == 0xC3:
        return True
    if 0xC4 <= code <= 0xC6:
        return take(_read_size(take, code - 0xC4))
    simple = {0xCC: ">B", 0xD0: ">b", 0xCD: ">H", 0xD1: ">h", 0xCE: ">I", 0xD2: ">i", 0xCF: ">Q", 0xD3: ">q",
              0xCA: ">f", 0xCB: ">d"}
    if code in simple:
        fmt = simple[code]
        return _struct.unpack(fmt, take(_struct.calcsize(fmt)))[0]
    if 0xD9 <= code <= 0xDB:
        return take(_read_size(take, code - 0xD9)).decode()
    if code in (0xDE, 0xDF):
        return _map(take, _read_size(take, code - 0xDE + 1), ext_hook, use_list)
    if code in (0xDC, 0xDD):
        return _array(take, _read_size(take, code - 0xDC + 1), ext_hook, use_list)
    if 0xD4 <= code <= 0xD8:
        return _ext(take, 1 << (code - 0xD4), ext_hook)
    if 0xC7 <= code <= 0xC9:
        return _ext(take, _read_size(take, code - 0xC7), ext_hook)
    raise ValueError("Invalid format")


def _read_size(take, index):
    fmt = (">B", ">H", ">I")[index]
    return _struct.unpack(fmt, take(_struct.calcsize(fmt)))[0]


def _array(take, n, ext_hook, use_list):
    items = [_unpack(take, ext_hook, use_list) for _ in range(n)]
    return items if use_list else tuple(items)


def _map(take, n, ext_hook, use_list):
    d = {}
    for _ in range(n):
        k = _unpack(take, ext_hook, use_list)
        d[k] = _unpack(take, ext_hook, use_list)
    return d


def _ext(take, n, ext_hook):
    code = _struct.unpack("b", take(1))[0]
    data = take(n)
    if ext_hook is not None:
        return ext_hook(code, data)
    e = object.__new__(ExtType)
    e._code = code
    e.data = data
    return e


def unpack(stream, *, ext_hook=None, use_list=True):
    if ext_hook is not None and not _is_function(ext_hook):
        raise ValueError("ext_hook is not a function")
    return _unpack(_reader(stream), ext_hook, bool(use_list))
