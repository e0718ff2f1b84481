# CircuitPython's traceback: print_exception() and format_exception() in the board's format (no
# source lines, "<Name>: <args>", chained exceptions), with its argument rules
# (shared-bindings/traceback/__init__.c).
__all__ = ["print_exception", "format_exception"]

_NOT_GIVEN = object()


def _format(exc, value, tb, limit, chain):
    if value is _NOT_GIVEN:
        value = exc
    if not isinstance(value, BaseException):
        raise TypeError("invalid exception")
    n = 0
    print_tb = True
    if limit is not None:
        n = int(limit)
        print_tb = n != 0
    if tb is _NOT_GIVEN:
        # The exception's own traceback, limit as given (0 shows all of it).
        return _runtime.format_exception(value, limit=n, chain=chain)
    if tb is not None and print_tb:
        if type(tb).__name__ != "traceback":
            raise TypeError("tb must be of type traceback, not %s" % type(tb).__name__)
        return _runtime.format_exception(value, tb, n, chain, use_own_tb=False)
    return _runtime.format_exception(value, None, n, chain, use_own_tb=False)


def format_exception(exc, /, value=_NOT_GIVEN, tb=_NOT_GIVEN, limit=None, chain=True):
    return [_format(exc, value, tb, limit, chain)]


def print_exception(exc, /, value=_NOT_GIVEN, tb=_NOT_GIVEN, limit=None, file=None, chain=True):
    text = _format(exc, value, tb, limit, chain)
    (file if file is not None else _runtime.stdout()).write(text)
