# CircuitPython's hashlib (shared-bindings/hashlib): new(name, data=None) for the one algorithm
# 9.2.9's builds have, "sha1", giving a Hash with update(), digest() and digest_size.
import hashlib as _host

__all__ = ["new"]


class _Hash:
    __slots__ = ("_h",)

    def __init__(self, *args):
        raise TypeError("cannot create 'Hash' instances")

    @property
    def digest_size(self):
        return self._h.digest_size

    def update(self, data):
        try:
            view = memoryview(data)
        except TypeError:
            raise TypeError("object with buffer protocol required") from None
        self._h.update(view.cast("B") if view.ndim else view)

    def digest(self):
        return self._h.digest()


_Hash.__name__ = _Hash.__qualname__ = "Hash"


def new(name, data=None):
    if not isinstance(name, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(name).__name__)
    if name != "sha1":
        raise ValueError("Unsupported hash algorithm")
    h = object.__new__(_Hash)
    h._h = _host.sha1()
    if data is not None:
        h.update(data)
    return h
