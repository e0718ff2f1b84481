# CPython-only modules do not exist for CircuitPython code: importing one raises
# CircuitPython's ImportError, so libraries take their CircuitPython branches.
for name in ("typing", "typing_extensions", "threading", "socket", "abc", "dataclasses", "enum", "functools",
             "pathlib", "subprocess", "asyncio", "ctypes", "numpy", "importlib", "os.path", "collections.abc"):
    try:
        __import__(name)
        print("imported", name)
    except ImportError as e:
        print(type(e).__name__, e)

try:
    from typing import Callable
except ImportError:
    Callable = None
print(Callable)

# Modules both have are CircuitPython's: only its names.
import collections
import json
import math
import os
import re
import struct

print(sorted(n for n in dir(json) if not n.startswith("_")))
print(sorted(n for n in dir(re) if not n.startswith("_")))
print(sorted(n for n in dir(struct) if not n.startswith("_")))
print(sorted(n for n in dir(collections) if not n.startswith("_")))
print(hasattr(math, "log10"), hasattr(math, "inf"), hasattr(math, "isclose"), math.floor(2.5))
print(hasattr(os, "path"), hasattr(os, "environ"))
