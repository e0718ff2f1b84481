# Chained exceptions as CircuitPython prints them: the context ("During handling...") unless
# suppressed, else the cause ("The above exception was the direct cause..."); a cause that was
# never raised has no traceback; chain=False prints the last exception only.
import traceback


def show(e, chain=True):
    print("----")
    traceback.print_exception(None, e, e.__traceback__, chain=chain)


try:
    try:
        1 / 0
    except ZeroDivisionError as inner:
        raise RuntimeError("while dividing") from inner
except RuntimeError as e:
    show(e)
    show(e, chain=False)

try:
    try:
        [][1]
    except IndexError:
        raise OSError(5, "Input/output error") from ValueError("never raised")
except OSError as e:
    show(e)

try:
    try:
        int("x")
    except ValueError:
        undefined_name
except NameError as e:
    show(e)

try:
    try:
        raise KeyError("k")
    except KeyError:
        raise ValueError("replaced") from None
except ValueError as e:
    show(e)


# An instance of a Python exception class: MicroPython keeps `from`'s cause as an ordinary
# attribute and suppresses nothing, so the context is shown, and a chained instance prints as its
# built-in base (CircuitPython's own traceback_test_chained golden records this).
class DriverError(RuntimeError):
    pass


try:
    try:
        raise DriverError("inner")
    except DriverError as inner:
        raise DriverError("outer") from inner
except DriverError as e:
    show(e)

try:
    raise ValueError("outer") from DriverError("cause")
except ValueError as e:
    show(e)
