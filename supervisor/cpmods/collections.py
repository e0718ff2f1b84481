# CircuitPython's collections: namedtuple, OrderedDict and deque. deque takes MicroPython's
# arguments (iterable, maxlen[, flags]): with flags & 1 an append to a full deque raises
# IndexError("full") instead of dropping the oldest item; an empty pop is IndexError("empty").
from collections import OrderedDict, deque as _deque, namedtuple

__all__ = ["namedtuple", "OrderedDict", "deque"]


class deque(_deque):
    def __init__(self, iterable, maxlen, flags=0):
        if not isinstance(maxlen, int) or maxlen < 0:
            raise ValueError
        super().__init__(iterable, maxlen)
        self._full_raises = bool(flags & 1)

    def _room(self):
        if self._full_raises and len(self) >= self.maxlen:
            raise IndexError("full")

    def append(self, x):
        self._room()
        super().append(x)

    def appendleft(self, x):
        self._room()
        super().appendleft(x)

    def extend(self, iterable):
        for x in iterable:
            self.append(x)

    def pop(self):
        if not self:
            raise IndexError("empty")
        return super().pop()

    def popleft(self):
        if not self:
            raise IndexError("empty")
        return super().popleft()

    def __repr__(self):
        return "deque(%r)" % (list(self),)
