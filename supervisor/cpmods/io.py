# CircuitPython's io: open, IOBase, StringIO, BytesIO. open is the board's (paths on the drive).
import io as _io

__all__ = ["open", "IOBase", "StringIO", "BytesIO"]

IOBase = _io.IOBase
StringIO = _io.StringIO
BytesIO = _io.BytesIO


def open(*args, **kwargs):
    return _runtime.builtin("builtins").open(*args, **kwargs)
