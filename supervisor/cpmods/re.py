# CircuitPython's re (MicroPython's extmod/modre.c): compile, match, search, sub and compiled
# patterns with match, search, split and sub; a bad expression is ValueError("Error in regex").
# CPython's engine matches the subset MicroPython's accepts.
import re as _re

__all__ = ["compile", "match", "search", "sub"]


def _compile(regex, flags=0):
    if isinstance(regex, _re.Pattern):
        return regex
    try:
        return _re.compile(regex, flags & ~0x1000)  # MicroPython's DEBUG flag has no effect here
    except _re.error:
        raise ValueError("Error in regex") from None


def compile(regex, flags=0):
    return _compile(regex, flags)


def match(regex, string):
    return _compile(regex).match(string)


def search(regex, string):
    return _compile(regex).search(string)


def sub(regex, replace, string, count=0, flags=0):
    return _compile(regex, flags).sub(replace, string, count)
