"""circuit9: CircuitPython 9's native modules for CPython.

    import circuit9.displayio as displayio
    import circuit9.bitmaptools as bitmaptools

install_aliases() also makes them importable under their CircuitPython names
(``import displayio``), so programs written for a board run unchanged.
"""
from . import _circuit9

module_names = tuple(_circuit9.module_names)


def install_aliases():
    """Register every module under its CircuitPython name in sys.modules."""
    import sys

    for name in module_names:
        sys.modules.setdefault(name, sys.modules["circuit9." + name])
    for full in list(sys.modules):
        # submodules of a module (usb.core, usb.util)
        if full.startswith("circuit9.") and full.count(".") > 1 and full.split(".")[1] in module_names:
            sys.modules.setdefault(full[len("circuit9."):], sys.modules[full])
