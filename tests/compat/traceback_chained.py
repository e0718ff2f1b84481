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
