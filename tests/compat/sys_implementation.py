# sys as CircuitPython 9.2.9 has it. A script runs as on the default board (the camera board).
import sys

print(sys.implementation.name)
print(sys.implementation.version)
print(sys.implementation._machine)
print(sys.implementation)
print(sys.version)
print(sys.version_info)
print(sys.platform)
print(sys.byteorder, sys.maxsize)
print(sys.argv)
print(sys.path)
print(sorted(n for n in dir(sys) if not n.startswith("__")))
print(type(sys.modules) is dict, "sys" in sys.modules)
try:
    sys.exit_with_code
except AttributeError:
    print("no CPython extras")
