# CircuitPython's json (extmod/modjson.c): dump/dumps with an optional separators pair,
# load/loads; malformed text is ValueError("syntax error in JSON"), an object JSON cannot hold is
# TypeError("can't convert <type> to json"). CPython's encoder and decoder do the work.
import json as _json

__all__ = ["dump", "dumps", "load", "loads"]


def _unconvertible(obj):
    raise TypeError("can't convert %s to json" % type(obj).__name__)


def dumps(obj, separators=None):
    return _json.dumps(obj, separators=separators, default=_unconvertible, ensure_ascii=False)


def dump(obj, stream, separators=None):
    stream.write(dumps(obj, separators))


def loads(obj):
    if isinstance(obj, (bytes, bytearray, memoryview)):
        obj = bytes(obj).decode()
    try:
        return _json.loads(obj)
    except ValueError:
        raise ValueError("syntax error in JSON") from None


def load(stream):
    return loads(stream.read())
