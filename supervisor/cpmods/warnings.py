# CircuitPython's warnings (shared-bindings/warnings): warn() prints "<Category>: <message>" on
# the console every time, unless simplefilter("ignore"); "error" raises the category instead.
__all__ = ["warn", "simplefilter"]

_action = "always"


def warn(message, category=Warning):
    if not (isinstance(category, type) and issubclass(category, Warning)):
        raise TypeError("category must be a subclass of Warning")
    if not isinstance(message, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(message).__name__)
    if _action == "ignore":
        return
    if _action == "error":
        raise category(message)
    _runtime.stderr().write("%s: %s\n" % (category.__name__, message))


def simplefilter(action):
    global _action
    if not isinstance(action, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(action).__name__)
    if action not in ("error", "ignore", "always"):
        raise ValueError
    _action = action
