/* vectorio's shapes as displayio.Group sees them (Circle, Rectangle and Polygon share one
 * object layout). */
#ifndef C9PY_VECTORIO_H
#define C9PY_VECTORIO_H

#include "c9py.h"
#include "circuit9/display.h"

typedef struct {
    C9PY_OBJECT_HEAD c9_vectorshape_t shape;
    PyObject *shader; /* Palette or ColorConverter */
    int16_t *points;  /* Polygon's x, y pairs (shape.point_count of them) */
    const c9_allocator_t *points_allocator;
} c9py_vectorshape_obj_t;

extern PyTypeObject c9py_Circle_Type, c9py_Rectangle_Type, c9py_Polygon_Type;

/* True for a Circle, Rectangle or Polygon (or a subclass instance), built or not. */
bool c9py_is_vectorshape(PyObject *obj);
/* The layer of a built vectorio shape, or NULL (no exception) for anything else. */
c9_layer_t *c9py_vectorio_layer(PyObject *obj);

#endif
