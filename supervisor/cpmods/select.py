# MicroPython's select (extmod/modselect.c) as CircuitPython has it: select(), and poll() objects
# with register/unregister/modify/poll and ipoll(), the iterator Adafruit's asyncio uses.
#
# Objects are polled the way a board polls streams: the console's input is ready when a byte
# waits, an object with MicroPython's stream ioctl (an io.IOBase subclass defining ioctl()) is
# asked with MP_STREAM_POLL, and host files and sockets by their descriptor. Waiting sleeps in
# the board's time.sleep(), so Ctrl-C, auto-reload and the display's refresh go on meanwhile.
import os as _os
import select as _host_select

__all__ = ["select", "poll", "POLLIN", "POLLOUT", "POLLERR", "POLLHUP"]

POLLIN = 0x0001
POLLOUT = 0x0004
POLLERR = 0x0008
POLLHUP = 0x0010
_POLLNVAL = 0x0020
_MP_STREAM_POLL = 3
_SLICE_S = 0.001
_NOT_A_STREAM = "stream operation not supported"


def _console_in():
    import sys

    return sys.stdin


def _check(obj):
    if obj is _console_in() and _runtime.console_available() is not None:
        return
    if callable(getattr(obj, "ioctl", None)):
        return
    if isinstance(obj, int):
        if obj < 0:
            raise ValueError
        return
    try:
        obj.fileno()
    except Exception:
        raise OSError(_NOT_A_STREAM) from None


def _ready(obj, events):
    """The object's ready events among `events` (plus errors and hang-ups), without waiting."""
    wanted = events | POLLERR | POLLHUP
    if obj is _console_in():
        waiting = _runtime.console_available()
        if waiting is not None:
            return ((POLLIN if waiting else 0) | POLLOUT) & wanted
    ioctl = getattr(obj, "ioctl", None)
    if callable(ioctl):
        return ioctl(_MP_STREAM_POLL, events) & wanted
    fd = obj if isinstance(obj, int) else obj.fileno()
    p = _host_select.poll()
    p.register(fd, events)
    got = 0
    for _, ev in p.poll(0):
        got |= ev
    return got & (wanted | _POLLNVAL)


def _wait(entries, timeout_ms):
    """Polls (obj, events) pairs until one is ready or timeout_ms passed (-1: forever)."""
    time = _runtime.builtin("time")
    if not any(events for _, events in entries) and timeout_ms >= 0:
        time.sleep(timeout_ms / 1000)  # nothing to watch: just the wait, in one interruptible sleep
        return []
    start = time.monotonic()
    while True:
        ready = []
        for obj, events in entries:
            if events:
                ev = _ready(obj, events)
                if ev:
                    ready.append((obj, ev))
        if ready:
            return ready
        if timeout_ms >= 0:
            left = timeout_ms / 1000 - (time.monotonic() - start)
            if left <= 0:
                return ready
            time.sleep(min(left, _SLICE_S))
        else:
            time.sleep(_SLICE_S)


class _Poll:
    def __init__(self):
        self._objs = {}  # id -> [obj, events], in registration order
        self._iter = []
        self._oneshot = False

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        _check(obj)
        entry = self._objs.get(id(obj))
        if entry is None:
            self._objs[id(obj)] = [obj, eventmask]
        else:
            entry[1] = eventmask

    def unregister(self, obj):
        self._objs.pop(id(obj), None)

    def modify(self, obj, eventmask):
        entry = self._objs.get(id(obj))
        if entry is None:
            raise OSError(2, "No such file/directory")
        entry[1] = eventmask

    def _poll(self, timeout):
        t = -1 if timeout is None or timeout < 0 else int(timeout)
        return _wait([(o, e) for o, e in self._objs.values()], t)

    def poll(self, timeout=-1):
        return [(o, ev) for o, ev in self._poll(timeout)]

    def ipoll(self, timeout=-1, flags=0):
        self._iter = self._poll(timeout)
        self._oneshot = bool(flags & 1)
        return self

    def __iter__(self):
        return self

    def __next__(self):
        if not self._iter:
            raise StopIteration
        obj, ev = self._iter.pop(0)
        if self._oneshot:
            entry = self._objs.get(id(obj))
            if entry is not None:
                entry[1] = 0
        return (obj, ev)


_Poll.__name__ = _Poll.__qualname__ = "poll"


def poll():
    return _Poll()


def select(rlist, wlist, xlist, timeout=None):
    entries = {}
    for objs, ev in ((rlist, POLLIN), (wlist, POLLOUT), (xlist, POLLERR | POLLHUP)):
        for o in objs:
            _check(o)
            e = entries.setdefault(id(o), [o, 0])
            e[1] |= ev
    t = -1 if timeout is None or timeout < 0 else int(timeout * 1000)
    ready = {id(o): ev for o, ev in _wait([tuple(e) for e in entries.values()], t)}
    r = [o for o in rlist if ready.get(id(o), 0) & POLLIN]
    w = [o for o in wlist if ready.get(id(o), 0) & POLLOUT]
    x = [o for o in xlist if ready.get(id(o), 0) & ~(POLLIN | POLLOUT)]
    return (r, w, x)
