# CircuitPython's math (shared-bindings/math): the functions of its builds, which leave out
# MicroPython's "special functions" (log2, log10, the hyperbolics, erf, gamma, ...) and the
# inf/nan/tau constants. The arithmetic is CPython's.
from math import (acos, asin, atan, atan2, ceil, copysign, cos, degrees, e, exp, fabs, floor, fmod, frexp,
                  isfinite, isinf, isnan, ldexp, log, modf, pi, pow, radians, sin, sqrt, tan, trunc)

__all__ = ["acos", "asin", "atan", "atan2", "ceil", "copysign", "cos", "degrees", "e", "exp", "fabs", "floor",
           "fmod", "frexp", "isfinite", "isinf", "isnan", "ldexp", "log", "modf", "pi", "pow", "radians", "sin",
           "sqrt", "tan", "trunc"]
