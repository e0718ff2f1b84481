/* Shared between the files of the microcontroller module. */
#ifndef C9PY_MICROCONTROLLER_H
#define C9PY_MICROCONTROLLER_H

#include "c9py.h"

/* Adds the supervisor-backed parts (cpu, reset(), on_next_reset(), RunMode; Processor.c) to the
 * module m. Returns 0, or -1 with an exception set. */
int c9py_microcontroller_add_supervisor_parts(PyObject *m);

#endif
