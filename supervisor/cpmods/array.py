# CircuitPython's array: the array type (typecodes b B h H i I l L q Q f d, as MicroPython's).
from array import array

__all__ = ["array"]
