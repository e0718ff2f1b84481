/*
 * microcontroller.Pin: one object per pin of the machine (port.h's pin numbers), and the helpers
 * every constructor that takes pins uses, with CircuitPython's messages.
 */
#ifndef C9PY_MICROCONTROLLER_PIN_H
#define C9PY_MICROCONTROLLER_PIN_H

#include "c9py.h"

typedef struct {
    C9PY_OBJECT_HEAD int id;
} c9py_pin_obj_t;
extern PyTypeObject c9py_Pin_Type;

/* The Pin object for a pin of the machine (one object per pin; new reference). */
PyObject *c9py_pin_get(int id);
/* Pin id of obj, or -1 with TypeError("<name> must be of type Pin, not <T>"). None allowed when
 * allow_none (returns -2). */
int c9py_pin_arg(PyObject *obj, const char *name, bool allow_none);
/* The name CircuitPython prints for a pin: its first board name ("D5", "LED" before "D13"), else
 * the microcontroller's ("GPIO5"); *on_board (may be NULL) tells which. */
const char *c9py_pin_name(int id, bool *on_board);
/* Claims a pin for a driver; ValueError("<pin> in use") naming the pin as CircuitPython's
 * assert_pin_free does ("D5 in use"); name is used only for a pin without any name. */
int c9py_pin_claim(int id, const char *name);
/* An optional pin argument (None: -1), claimed: 0, or -1 with an exception. */
int c9py_pin_claim_optional(PyObject *obj, const char *name, int *out);

#endif
