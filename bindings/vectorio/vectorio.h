/* vectorio's shapes as displayio.Group sees them (Circle, Rectangle and Polygon share one
 * object layout). */
#ifndef C9PY_VECTORIO_H
#define C9PY_VECTORIO_H

#include "c9py.h"
#include "circuit9/display.h"

typedef struct {
    PyObject_HEAD c9_vectorshape_t shape;
    PyObject *shader; /* Palette or ColorConverter */
    int16_t *points;  /* Polygon's x, y pairs (shape.point_count of them) */
    const c9_allocator_t *points_allocator;
    bool ready; /* __init__ ran */
} c9py_vectorshape_obj_t;

extern PyTypeObject c9py_Circle_Type, c9py_Rectangle_Type, c9py_Polygon_Type;

/* The layer of an initialised vectorio shape, or NULL (no exception) for anything else. */
c9_layer_t *c9py_vectorio_layer(PyObject *obj);

#endif
