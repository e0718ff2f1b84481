/* nvm.ByteArray: the chip's non-volatile memory (port.h c9_port_nvm_*) as a byte sequence. */
#ifndef C9PY_NVM_BYTEARRAY_H
#define C9PY_NVM_BYTEARRAY_H

#include "c9py.h"

extern PyTypeObject c9py_ByteArray_Type;

/* microcontroller.nvm: the one ByteArray (a new reference), or None (a new reference too) when
 * the board's build has no nvm module or the machine no such memory. NULL with an exception. */
PyObject *c9py_nvm_get(void);

#endif
