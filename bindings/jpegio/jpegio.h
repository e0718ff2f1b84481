/* The jpegio module's shared declarations: JpegDecoder.c defines the type, module.c adds it. */
#ifndef C9PY_JPEGIO_H
#define C9PY_JPEGIO_H

#include "c9py.h"

extern PyTypeObject c9py_JpegDecoder_Type;

#endif /* C9PY_JPEGIO_H */
