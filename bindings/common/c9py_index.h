/* The skip-index argument of bitmaptools and jpegio (c9_opt_index_t comes from bitmaptools.h). */
#ifndef C9PY_INDEX_H
#define C9PY_INDEX_H

#include "c9py.h"

#include "circuit9/bitmaptools.h"

/* A skip index (skip_source_index, skip_dest_index, ...): None or NULL is unset, anything else
 * mp_obj_get_int compared as uint32. 0 or -1. */
int c9py_opt_index(PyObject *obj, c9_opt_index_t *out);

#endif /* C9PY_INDEX_H */
