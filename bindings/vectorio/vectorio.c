/*
 * vectorio: Circle, Rectangle and Polygon, layers a displayio.Group shows like a TileGrid. The
 * shapes and their pixel rules are the display core's c9_vectorshape_t; this file parses and
 * validates arguments with CircuitPython 9.2.9's messages and keeps the shader and the polygon's
 * points alive.
 *
 * The classes are native classes as docs/bindings.md describes: __new__ makes a blank shape,
 * __init__ (or the metaclass after a subclass's __init__) builds it once, and a blank shape raises
 * NotImplementedError wherever it is used.
 */
#include "c9py.h"
#include "displayio/displayio.h"
#include "vectorio/vectorio.h"

#include <string.h>

#define SELF ((c9py_vectorshape_obj_t *)self)

/* CircuitPython keeps positions and polygon points in int16. */
#define COORD_MIN (-32768)
#define COORD_MAX 32767
/* CircuitPython counts polygon coordinates in a uint16 (2 per point). */
#define POLYGON_MAX_POINTS 32767

bool c9py_is_vectorshape(PyObject *obj) {
    return PyObject_TypeCheck(obj, &c9py_Circle_Type) || PyObject_TypeCheck(obj, &c9py_Rectangle_Type) ||
           PyObject_TypeCheck(obj, &c9py_Polygon_Type);
}

c9_layer_t *c9py_vectorio_layer(PyObject *obj) {
    if (c9py_is_vectorshape(obj) && c9py_is_ready(obj)) {
        return &((c9py_vectorshape_obj_t *)obj)->shape.layer;
    }
    return NULL;
}

/* ---- argument helpers ------------------------------------------------------------------------- */

/* A Palette or ColorConverter; a subclass instance whose native part was never built raises
 * NotImplementedError, as everywhere. */
static int shader_of(PyObject *shader, c9_shader_type_t *type, void **out) {
    if (PyObject_TypeCheck(shader, &c9py_Palette_Type)) {
        *type = C9_SHADER_PALETTE;
        *out = &((c9py_palette_obj_t *)shader)->palette;
        return c9py_ready(shader);
    }
    if (PyObject_TypeCheck(shader, &c9py_ColorConverter_Type)) {
        *type = C9_SHADER_COLORCONVERTER;
        *out = &((c9py_colorconverter_obj_t *)shader)->cc;
        return c9py_ready(shader);
    }
    PyErr_SetString(PyExc_TypeError, "unsupported pixel_shader type");
    return -1;
}

/* An int argument or property value as MicroPython's mp_obj_get_int takes it. */
static int get_int(PyObject *obj, long *out) {
    int32_t v;
    if (c9py_mp_int(obj, &v) < 0) {
        return -1;
    }
    *out = v;
    return 0;
}

/* A coordinate property: ValueError("x must be -32768-32767"). */
static int get_coord(PyObject *obj, const char *name, long *out) {
    return get_int(obj, out) < 0 ? -1 : c9py_check_range(*out, COORD_MIN, COORD_MAX, name);
}

/* A size property (radius, width, height): CircuitPython stores abs(value) in 16 bits. */
static int get_size(PyObject *obj, const char *name, uint16_t *out) {
    long v;
    if (c9py_setter_present(obj) < 0 || get_int(obj, &v) < 0) {
        return -1;
    }
    v = v < 0 ? -v : v;
    if (c9py_check_range(v, 0, C9_SHAPE_MAX_SIZE, name) < 0) {
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

/* A size argument of a constructor: CircuitPython's "<name> must be >= 1", then the 16 bits the
 * core keeps (CircuitPython truncates silently; docs/display.md). */
static int check_size_arg(long v, const char *name) {
    return c9py_check_min(v, 1, name) < 0 ? -1 : c9py_check_range(v, 1, C9_SHAPE_MAX_SIZE, name);
}

/* ---- points ------------------------------------------------------------------------------------- */

static void free_points(int16_t *p, uint32_t count, const c9_allocator_t *a) {
    if (p) {
        c9_free(a, p, (size_t)count * 2 * sizeof(int16_t));
    }
}

/* A list of (x, y) tuples into a new array (*out, *count); nothing changes on failure. */
static int parse_points(PyObject *list, int16_t **out, uint32_t *count) {
    if (c9py_check_type(list, &PyList_Type, "points") < 0) {
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (n < 3) {
        PyErr_SetString(PyExc_TypeError, "Polygon needs at least 3 points");
        return -1;
    }
    if (n > POLYGON_MAX_POINTS) {
        PyErr_Format(PyExc_ValueError, "points length must be <= %d", POLYGON_MAX_POINTS);
        return -1;
    }
    size_t bytes = (size_t)n * 2 * sizeof(int16_t);
    int16_t *p = c9_alloc(c9py_allocator(), bytes);
    if (!p) {
        c9py_raise_nomem(bytes);
        return -1;
    }
    /* Only C code runs in this loop (ints and tuples are read directly), so the list cannot change. */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pt = PyList_GET_ITEM(list, i);
        long v[2];
        if (c9py_check_type(pt, &PyTuple_Type, "point") < 0) {
            goto fail;
        }
        if (PyTuple_GET_SIZE(pt) != 2) {
            PyErr_SetString(PyExc_ValueError, "point length must be 2");
            goto fail;
        }
        for (int k = 0; k < 2; k++) {
            const char *name = k ? "y" : "x";
            if (c9py_int(PyTuple_GET_ITEM(pt, k), name, &v[k]) < 0 ||
                c9py_check_range(v[k], COORD_MIN, COORD_MAX, name) < 0) {
                goto fail;
            }
            p[2 * i + k] = (int16_t)v[k];
        }
    }
    *out = p;
    *count = (uint32_t)n;
    return 0;
fail:
    free_points(p, (uint32_t)n, c9py_allocator());
    return -1;
}

static void set_points(PyObject *self, int16_t *p, uint32_t count) {
    int16_t *old = SELF->points;
    uint32_t old_count = SELF->shape.point_count;
    const c9_allocator_t *old_alloc = SELF->points_allocator;
    c9_vectorshape_set_polygon(&SELF->shape, p, count);
    SELF->points = p;
    SELF->points_allocator = c9py_allocator();
    free_points(old, old_count, old_alloc);
}

/* ---- lifetime ------------------------------------------------------------------------------------ */

static int shape_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->shader);
    return 0;
}

/* Also the cycle collector's tp_clear: the core must not keep a pointer into a shader this object
 * no longer holds, and anything still holding the shape gets the not-constructed error (as for
 * TileGrid). A blank shape owns nothing, so the polygon's points go too. */
static int shape_clear(PyObject *self) {
    if (c9py_is_ready(self)) {
        c9_vectorshape_set_shader(&SELF->shape, C9_SHADER_NONE, NULL);
        if (SELF->points) {
            set_points(self, NULL, 0);
        }
        ((c9py_object_t *)self)->c9py_state = C9PY_BLANK;
    }
    Py_CLEAR(SELF->shader);
    return 0;
}

static void shape_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    /* A cycle collection may free a shape before the group holding it: leave that group first (a
     * shape never built has a zeroed layer: no parent). */
    c9_group_t *g = SELF->shape.layer.parent;
    if (g) {
        int32_t i = c9_group_index(g, &SELF->shape.layer);
        bool ro = g->read_only;
        g->read_only = false;
        if (i >= 0) {
            c9_group_remove_at(g, (uint32_t)i, NULL);
        }
        g->read_only = ro;
    }
    shape_clear(self); /* and the points */
    Py_TYPE(self)->tp_free(self);
}

/* ---- constructors -------------------------------------------------------------------------------- */

/* The VectorShape part every constructor ends with, in CircuitPython's order: the shader's type,
 * then x and y in int16 (color_index is kept in 16 bits, as CircuitPython does). Builds the blank
 * shape; the caller sets the geometry. Nothing is taken on failure. */
static int build_shape(PyObject *self, PyObject *shader, long x, long y, long color_index) {
    c9_shader_type_t type;
    void *core;
    if (shader_of(shader, &type, &core) < 0 || c9py_check_range(x, COORD_MIN, COORD_MAX, "x") < 0 ||
        c9py_check_range(y, COORD_MIN, COORD_MAX, "y") < 0) {
        return -1;
    }
    c9_vectorshape_init(&SELF->shape, type, core, (int16_t)x, (int16_t)y, (uint16_t)(color_index & 0xFFFF));
    SELF->shape.layer.user = self;
    SELF->shader = Py_NewRef(shader);
    return 0;
}

static int circle_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pixel_shader, ARG_radius, ARG_x, ARG_y, ARG_color_index };
    static const c9py_arg_t allowed[] = {
        {"pixel_shader", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"radius", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"y", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"color_index", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0 || check_size_arg(a[ARG_radius].u_int, "radius") < 0 ||
        build_shape(self, a[ARG_pixel_shader].u_obj, a[ARG_x].u_int, a[ARG_y].u_int, a[ARG_color_index].u_int) < 0) {
        return -1;
    }
    c9_vectorshape_set_circle(&SELF->shape, (uint16_t)a[ARG_radius].u_int); /* in range: cannot fail */
    return 0;
}
C9PY_DEFINE_INIT(circle_init, circle_construct)

static int rectangle_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pixel_shader, ARG_width, ARG_height, ARG_x, ARG_y, ARG_color_index };
    static const c9py_arg_t allowed[] = {
        {"pixel_shader", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"width", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"height", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"y", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"color_index", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0 || check_size_arg(a[ARG_width].u_int, "width") < 0 ||
        check_size_arg(a[ARG_height].u_int, "height") < 0 ||
        build_shape(self, a[ARG_pixel_shader].u_obj, a[ARG_x].u_int, a[ARG_y].u_int, a[ARG_color_index].u_int) < 0) {
        return -1;
    }
    c9_vectorshape_set_rectangle(&SELF->shape, (uint16_t)a[ARG_width].u_int, (uint16_t)a[ARG_height].u_int);
    return 0;
}
C9PY_DEFINE_INIT(rectangle_init, rectangle_construct)

static int polygon_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pixel_shader, ARG_points, ARG_x, ARG_y, ARG_color_index };
    static const c9py_arg_t allowed[] = {
        {"pixel_shader", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"points", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"y", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"color_index", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[5];
    int16_t *pts;
    uint32_t count;
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0 || parse_points(a[ARG_points].u_obj, &pts, &count) < 0) {
        return -1;
    }
    if (build_shape(self, a[ARG_pixel_shader].u_obj, a[ARG_x].u_int, a[ARG_y].u_int, a[ARG_color_index].u_int) < 0) {
        free_points(pts, count, c9py_allocator());
        return -1;
    }
    set_points(self, pts, count);
    return 0;
}
C9PY_DEFINE_INIT(polygon_init, polygon_construct)

/* ---- VectorShape's members ------------------------------------------------------------------------ */

/* contains(x, y): both converted (mp_obj_get_int), then both checked against int16, as
 * CircuitPython does. */
static PyObject *shape_contains(PyObject *self, PyObject *args, PyObject *kw) {
    int32_t x, y;
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0 ||
        c9py_mp_int(PyTuple_GET_ITEM(args, 0), &x) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 1), &y) < 0 ||
        c9py_check_range(x, COORD_MIN, COORD_MAX, "x") < 0 || c9py_check_range(y, COORD_MIN, COORD_MAX, "y") < 0) {
        return NULL;
    }
    return PyBool_FromLong(c9_vectorshape_contains(&SELF->shape, x, y));
}

static PyObject *get_x(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.x);
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long x;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0 || get_coord(v, "x", &x) < 0) {
        return -1;
    }
    c9_vectorshape_set_position(&SELF->shape, (int16_t)x, SELF->shape.y);
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.y);
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long y;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0 || get_coord(v, "y", &y) < 0) {
        return -1;
    }
    c9_vectorshape_set_position(&SELF->shape, SELF->shape.x, (int16_t)y);
    return 0;
}

static PyObject *get_location(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : Py_BuildValue("(ii)", SELF->shape.x, SELF->shape.y);
}
static int set_location(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (!PyTuple_Check(v) && !PyList_Check(v)) {
        PyErr_Format(PyExc_TypeError, "location must be of type tuple, not %s", c9py_type_name(v));
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(v) != 2) {
        PyErr_SetString(PyExc_ValueError, "location length must be 2");
        return -1;
    }
    long x, y;
    /* Both values are checked before either changes. */
    if (c9py_int(PySequence_Fast_GET_ITEM(v, 0), "x", &x) < 0 ||
        c9py_int(PySequence_Fast_GET_ITEM(v, 1), "y", &y) < 0 || c9py_check_range(x, COORD_MIN, COORD_MAX, "x") < 0 ||
        c9py_check_range(y, COORD_MIN, COORD_MAX, "y") < 0) {
        return -1;
    }
    c9_vectorshape_set_position(&SELF->shape, (int16_t)x, (int16_t)y);
    return 0;
}

static PyObject *get_hidden(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyBool_FromLong(SELF->shape.hidden);
}
static int set_hidden(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int h;
    if (c9py_ready(self) < 0 || (h = c9py_setter_bool(v)) < 0) {
        return -1;
    }
    c9_vectorshape_set_hidden(&SELF->shape, h);
    return 0;
}

static PyObject *get_shader(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    PyObject *s = SELF->shader ? SELF->shader : Py_None;
    Py_INCREF(s);
    return s;
}
static int set_shader(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_shader_type_t t;
    void *s;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    /* A shader joining a shape while a refresh is under way is pinned with the tree, so the shape
     * never points into a freed one. */
    if (shader_of(v, &t, &s) < 0 || c9py_refresh_pin(v) < 0) {
        return -1;
    }
    c9_vectorshape_set_shader(&SELF->shape, t, s);
    Py_INCREF(v);
    Py_XSETREF(SELF->shader, v);
    return 0;
}

static PyObject *get_color_index(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.color_index);
}
static int set_color_index(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long i;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (get_int(v, &i) < 0) {
        return -1;
    }
    c9_vectorshape_set_color_index(&SELF->shape, (uint16_t)(i & 0xFFFF));
    return 0;
}

/* ---- each shape's own members ---------------------------------------------------------------------- */

static PyObject *get_radius(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.radius);
}
static int set_radius(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t r;
    if (c9py_ready(self) < 0 || get_size(v, "radius", &r) < 0) {
        return -1;
    }
    c9_vectorshape_set_circle(&SELF->shape, r);
    return 0;
}

static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.width);
}
static int set_width(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t w;
    if (c9py_ready(self) < 0 || get_size(v, "width", &w) < 0) {
        return -1;
    }
    c9_vectorshape_set_rectangle(&SELF->shape, w, SELF->shape.height);
    return 0;
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.height);
}
static int set_height(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t h;
    if (c9py_ready(self) < 0 || get_size(v, "height", &h) < 0) {
        return -1;
    }
    c9_vectorshape_set_rectangle(&SELF->shape, SELF->shape.width, h);
    return 0;
}

static PyObject *get_points(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    uint32_t n = SELF->shape.point_count;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (uint32_t i = 0; list && i < n; i++) {
        PyObject *pt = Py_BuildValue("(ii)", SELF->points[2 * i], SELF->points[2 * i + 1]);
        if (!pt) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, pt);
    }
    return list;
}
static int set_points_prop(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int16_t *p;
    uint32_t n;
    if (c9py_ready(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    /* A bad list raises and leaves the old points (CircuitPython empties the polygon). */
    if (parse_points(v, &p, &n) < 0) {
        return -1;
    }
    set_points(self, p, n);
    return 0;
}

/* ---- types ----------------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"contains", (PyCFunction)(void (*)(void))shape_contains, METH_VARARGS | METH_KEYWORDS,
     "contains(x, y): True if (x, y) lies inside the shape."},
    {NULL, NULL, 0, NULL},
};

#define COMMON_GETSET                                                                                                  \
    {"x", get_x, set_x, "X position of the center point of the shape in the parent.", NULL},                           \
        {"y", get_y, set_y, "Y position of the center point of the shape in the parent.", NULL},                       \
        {"location", get_location, set_location, "(X, Y) position of the center point of the shape in the parent.",    \
         NULL},                                                                                                        \
        {"hidden", get_hidden, set_hidden, "Hide the shape or not.", NULL},                                            \
        {"pixel_shader", get_shader, set_shader, "The pixel shader of the shape.", NULL}, {                            \
        "color_index", get_color_index, set_color_index, "The color_index of the shape's pixels.", NULL                \
    }

static PyGetSetDef circle_getset[] = {
    COMMON_GETSET,
    {"radius", get_radius, set_radius, "The radius of the circle in pixels.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyGetSetDef rectangle_getset[] = {
    COMMON_GETSET,
    {"width", get_width, set_width, "The width of the rectangle in pixels.", NULL},
    {"height", get_height, set_height, "The height of the rectangle in pixels.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyGetSetDef polygon_getset[] = {
    COMMON_GETSET,
    {"points", get_points, set_points_prop, "The points of the polygon: a list of (x, y) tuples.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

#define SHAPE_TYPE(cname, pyname, doc, init_fn, getset_table)                                                          \
    PyTypeObject cname = {                                                                                             \
        PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vectorio." pyname,                                                   \
        .tp_basicsize = sizeof(c9py_vectorshape_obj_t),                                                                \
        .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,                                     \
        .tp_doc = doc,                                                                                                 \
        .tp_new = c9py_native_new,                                                                                     \
        .tp_init = init_fn,                                                                                            \
        .tp_dealloc = shape_dealloc,                                                                                   \
        .tp_traverse = shape_traverse,                                                                                 \
        .tp_clear = shape_clear,                                                                                       \
        .tp_methods = methods,                                                                                         \
        .tp_getset = getset_table,                                                                                     \
    }

SHAPE_TYPE(c9py_Circle_Type, "Circle", "Circle(*, pixel_shader, radius, x=0, y=0, color_index=0)", circle_init,
           circle_getset);
SHAPE_TYPE(c9py_Rectangle_Type, "Rectangle", "Rectangle(*, pixel_shader, width, height, x=0, y=0, color_index=0)",
           rectangle_init, rectangle_getset);
SHAPE_TYPE(c9py_Polygon_Type, "Polygon", "Polygon(*, pixel_shader, points, x=0, y=0, color_index=0)", polygon_init,
           polygon_getset);

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "vectorio", "Lightweight 2D shapes for displays.", -1, NULL};

PyObject *c9py_init_vectorio(void) {
    PyObject *m = c9py_display_types_ready() < 0 ? NULL : PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "Circle", &c9py_Circle_Type) < 0 || c9py_add_type(m, "Polygon", &c9py_Polygon_Type) < 0 ||
        c9py_add_type(m, "Rectangle", &c9py_Rectangle_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
