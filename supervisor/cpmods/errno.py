# CircuitPython's errno: the numbers of its builds (newlib's errno.h, used by its ESP32 and SAMD
# ports alike, not the host's) and errorcode, number -> name, for the codes py/moderrno.c lists.
__all__ = ["errorcode"] + list(_runtime.ERRNO)

globals().update(_runtime.ERRNO)
errorcode = {v: k for k, v in _runtime.ERRNO.items()}
