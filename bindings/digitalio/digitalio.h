/*
 * digitalio's objects as other modules take them: neopixel_write and keypad take a DigitalInOut,
 * countio and touchio take a digitalio.Pull.
 */
#ifndef C9PY_DIGITALIO_H
#define C9PY_DIGITALIO_H

#include "c9py.h"

extern PyTypeObject c9py_DigitalInOut_Type;

/* The pin of a DigitalInOut given as argument name: TypeError("<name> must be of type
 * DigitalInOut, not <T>"), the deinit ValueError, or the pin (>= 0). */
int c9py_digitalinout_pin(PyObject *obj, const char *name);
/* digitalio's validate_pull: None, Pull.UP or Pull.DOWN as port.h's pull (0, 1, 2); else -1 with
 * TypeError("<name> must be of type Pull or None, not <T>"). */
int c9py_pull_arg(PyObject *obj, const char *name);
/* Pull.UP / Pull.DOWN / None for a port.h pull (new reference). */
PyObject *c9py_pull_object(int pull);

#endif
