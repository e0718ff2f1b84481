# CircuitPython's atexit (shared-bindings/atexit, shared-module/atexit): functions registered with
# their arguments run when the program ends (code.py, boot.py, the REPL), last registered first;
# an exception stops the rest and its traceback is printed (SystemExit quietly). The list belongs to
# one run of the VM.
__all__ = ["register", "unregister"]

_calls = []


def register(func, *args, **kwargs):
    if not callable(func):
        raise TypeError("'%s' object is not callable" % type(func).__name__)
    _calls.append((func, args, kwargs))
    return func


def unregister(func):
    _calls[:] = [c for c in _calls if c[0] is not func]


def _run():
    while _calls:
        func, args, kwargs = _calls.pop()
        func(*args, **kwargs)


_runtime.set_atexit(_run)
