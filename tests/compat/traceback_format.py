# traceback.print_exception()/format_exception() in CircuitPython's format: no source lines,
# "<Name>: <args>", limit counting from the outermost frame (negative: from the innermost),
# limit=0 with a traceback given prints none; tb=None prints the exception alone.
import traceback


def inner():
    raise ValueError("bad value", 42)


def outer():
    inner()


try:
    outer()
except ValueError as exc:
    print("-- default")
    traceback.print_exception(exc)
    print("-- tb None")
    traceback.print_exception(None, exc, None)
    print("-- limit 2")
    traceback.print_exception(None, exc, exc.__traceback__, limit=2)
    print("-- limit 0")
    traceback.print_exception(None, exc, exc.__traceback__, limit=0)
    print("-- limit -1")
    print("".join(traceback.format_exception(None, exc, exc.__traceback__, limit=-1)), end="")
    print("-- format_exception is one string")
    print(len(traceback.format_exception(exc)))


class AppError(Exception):
    pass


try:
    raise AppError()
except AppError as exc:
    print("-- user class, no arguments")
    traceback.print_exception(exc)

try:
    {}["missing"]
except KeyError as exc:
    print("-- KeyError prints its argument with str()")
    traceback.print_exception(exc)

try:
    traceback.print_exception("not an exception")
except TypeError as e:
    print("TypeError:", e)
