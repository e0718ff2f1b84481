/*
 * vectorio: Circle, Rectangle and Polygon, layers a displayio.Group shows like a TileGrid. The
 * shapes and their pixel rules are the display core's c9_vectorshape_t; this file parses and
 * validates arguments with CircuitPython 9.2.9's messages and keeps the shader and the polygon's
 * points alive.
 *
 * Classes are subclassable as on MicroPython: __new__ only allocates (and takes any arguments),
 * __init__ validates everything before it changes anything, so calling it again is safe; a
 * subclass instance whose __init__ never reached ours raises instead of drawing garbage.
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

c9_layer_t *c9py_vectorio_layer(PyObject *obj) {
    if ((PyObject_TypeCheck(obj, &c9py_Circle_Type) || PyObject_TypeCheck(obj, &c9py_Rectangle_Type) ||
         PyObject_TypeCheck(obj, &c9py_Polygon_Type)) &&
        ((c9py_vectorshape_obj_t *)obj)->ready) {
        return &((c9py_vectorshape_obj_t *)obj)->shape.layer;
    }
    return NULL;
}

/* The base class's name for messages: "Circle" also for a subclass of it. */
static const char *base_name(PyObject *self) {
    if (PyObject_TypeCheck(self, &c9py_Circle_Type)) {
        return "Circle";
    }
    return PyObject_TypeCheck(self, &c9py_Rectangle_Type) ? "Rectangle" : "Polygon";
}

static int check_ready(PyObject *self) {
    if (!SELF->ready) {
        PyErr_Format(PyExc_RuntimeError, "%s.__init__() was not called", base_name(self));
        return -1;
    }
    return 0;
}

/* ---- argument helpers ------------------------------------------------------------------------- */

static int no_delete(PyObject *v) {
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "can't delete attribute");
        return -1;
    }
    return 0;
}

/* A Palette or ColorConverter (a subclass instance whose native part was never built raises
 * NotImplementedError, as everywhere). A shader joining a shape while a refresh is under way is
 * pinned with the tree (c9py_refresh_pin), so the shape never points into a freed one. */
static int shader_of(PyObject *shader, c9_shader_type_t *type, void **out) {
    if (PyObject_TypeCheck(shader, &c9py_Palette_Type)) {
        *type = C9_SHADER_PALETTE;
        *out = &((c9py_palette_obj_t *)shader)->palette;
        return c9py_ready(shader) < 0 ? -1 : c9py_refresh_pin(shader);
    }
    if (PyObject_TypeCheck(shader, &c9py_ColorConverter_Type)) {
        *type = C9_SHADER_COLORCONVERTER;
        *out = &((c9py_colorconverter_obj_t *)shader)->cc;
        return c9py_ready(shader) < 0 ? -1 : c9py_refresh_pin(shader);
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

/* A coordinate (position or contains() argument): ValueError("x must be -32768-32767"). */
static int get_coord(PyObject *obj, const char *name, long *out) {
    return get_int(obj, out) < 0 ? -1 : c9py_check_range(*out, COORD_MIN, COORD_MAX, name);
}

/* A size property (radius, width, height): CircuitPython stores abs(value) in 16 bits. */
static int get_size(PyObject *obj, const char *name, uint16_t *out) {
    long v;
    if (no_delete(obj) < 0 || get_int(obj, &v) < 0) {
        return -1;
    }
    v = v < 0 ? -v : v;
    if (c9py_check_range(v, 0, C9_SHAPE_MAX_SIZE, name) < 0) {
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

/*
 * Keyword-only arguments checked in CircuitPython's order: a missing required one raises
 * TypeError("'<name>' argument required"), int ones convert as they come, and names not in kwlist
 * are reported last, so errors appear as CircuitPython's argument parser reports them. vals[i] is
 * NULL when absent; required and is_int are bit masks over the positions in kwlist.
 */
static int parse_kwargs(PyObject *args, PyObject *kw, const char *const *kwlist, unsigned required, unsigned is_int,
                        PyObject **vals, long *ints) {
    if (PyTuple_GET_SIZE(args) > 0) {
        PyErr_SetString(PyExc_TypeError, "extra positional arguments given");
        return -1;
    }
    Py_ssize_t found = 0;
    for (int i = 0; kwlist[i]; i++) {
        vals[i] = kw ? PyDict_GetItemString(kw, kwlist[i]) : NULL; /* borrowed; kw outlives the call */
        ints[i] = 0;
        if (!vals[i]) {
            if (required & (1u << i)) {
                PyErr_Format(PyExc_TypeError, "'%s' argument required", kwlist[i]);
                return -1;
            }
            continue;
        }
        found++;
        if ((is_int & (1u << i)) && get_int(vals[i], &ints[i]) < 0) {
            return -1;
        }
    }
    if (kw && found < PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "extra keyword arguments given");
        return -1;
    }
    return 0;
}

/* The VectorShape part every constructor ends with: shader type, then x and y in int16. */
typedef struct common_args {
    PyObject *shader;
    c9_shader_type_t shader_type;
    void *shader_core;
    int16_t x, y;
    uint16_t color_index;
} common_args_t;

static int check_common(PyObject *shader, PyObject *xo, long x, PyObject *yo, long y, PyObject *co, long color,
                        common_args_t *out) {
    if (shader_of(shader, &out->shader_type, &out->shader_core) < 0) {
        return -1;
    }
    if ((xo && c9py_check_range(x, COORD_MIN, COORD_MAX, "x") < 0) ||
        (yo && c9py_check_range(y, COORD_MIN, COORD_MAX, "y") < 0)) {
        return -1;
    }
    out->shader = shader;
    out->x = xo ? (int16_t)x : 0;
    out->y = yo ? (int16_t)y : 0;
    /* CircuitPython keeps the index in a uint16 */
    out->color_index = co ? (uint16_t)(color & 0xFFFF) : 0;
    return 0;
}

/* Applies validated common arguments; the geometry is set by the caller. Re-initialising keeps the
 * shape's place in its group and repaints where it was. */
static void apply_common(PyObject *self, const common_args_t *a) {
    c9_vectorshape_t *s = &SELF->shape;
    if (!SELF->ready) {
        c9_vectorshape_init(s, a->shader_type, a->shader_core, a->x, a->y, a->color_index);
        s->layer.user = self;
    } else {
        c9_vectorshape_set_shader(s, a->shader_type, a->shader_core);
        c9_vectorshape_set_position(s, a->x, a->y);
        c9_vectorshape_set_color_index(s, a->color_index);
    }
    Py_INCREF(a->shader);
    Py_XSETREF(SELF->shader, a->shader);
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

static PyObject *shape_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)args;
    (void)kw;
    PyObject *self = type->tp_alloc(type, 0);
    if (self) {
        c9_vectorshape_init(&SELF->shape, C9_SHADER_NONE, NULL, 0, 0, 0);
        SELF->shape.layer.user = self;
    }
    return self;
}

static int shape_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->shader);
    return 0;
}

static int shape_clear(PyObject *self) {
    /* The core must not keep a pointer into a shader this object no longer holds. */
    SELF->shape.shader_type = C9_SHADER_NONE;
    SELF->shape.shader = NULL;
    Py_CLEAR(SELF->shader);
    return 0;
}

static void shape_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    /* A cycle collection may free a shape before the group holding it: leave that group first. */
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
    shape_clear(self);
    free_points(SELF->points, SELF->shape.point_count, SELF->points_allocator);
    Py_TYPE(self)->tp_free(self);
}

/* ---- constructors -------------------------------------------------------------------------------- */

static int circle_init(PyObject *self, PyObject *args, PyObject *kw) {
    static const char *const kwlist[] = {"pixel_shader", "radius", "x", "y", "color_index", NULL};
    PyObject *v[6];
    long n[6];
    common_args_t c;
    if (parse_kwargs(args, kw, kwlist, 0x3, 0x1E, v, n) < 0 || c9py_check_min(n[1], 1, "radius") < 0 ||
        c9py_check_range(n[1], 1, C9_SHAPE_MAX_SIZE, "radius") < 0 ||
        check_common(v[0], v[2], n[2], v[3], n[3], v[4], n[4], &c) < 0) {
        return -1;
    }
    apply_common(self, &c);
    c9_vectorshape_set_circle(&SELF->shape, (uint16_t)n[1]);
    SELF->ready = true;
    return 0;
}

static int rectangle_init(PyObject *self, PyObject *args, PyObject *kw) {
    static const char *const kwlist[] = {"pixel_shader", "width", "height", "x", "y", "color_index", NULL};
    PyObject *v[6];
    long n[6];
    common_args_t c;
    if (parse_kwargs(args, kw, kwlist, 0x7, 0x3E, v, n) < 0 || c9py_check_min(n[1], 1, "width") < 0 ||
        c9py_check_range(n[1], 1, C9_SHAPE_MAX_SIZE, "width") < 0 || c9py_check_min(n[2], 1, "height") < 0 ||
        c9py_check_range(n[2], 1, C9_SHAPE_MAX_SIZE, "height") < 0 ||
        check_common(v[0], v[3], n[3], v[4], n[4], v[5], n[5], &c) < 0) {
        return -1;
    }
    apply_common(self, &c);
    c9_vectorshape_set_rectangle(&SELF->shape, (uint16_t)n[1], (uint16_t)n[2]);
    SELF->ready = true;
    return 0;
}

static int polygon_init(PyObject *self, PyObject *args, PyObject *kw) {
    static const char *const kwlist[] = {"pixel_shader", "points", "x", "y", "color_index", NULL};
    PyObject *v[6];
    long n[6];
    common_args_t c;
    int16_t *pts;
    uint32_t count;
    if (parse_kwargs(args, kw, kwlist, 0x3, 0x1C, v, n) < 0 || parse_points(v[1], &pts, &count) < 0) {
        return -1;
    }
    if (check_common(v[0], v[2], n[2], v[3], n[3], v[4], n[4], &c) < 0) {
        free_points(pts, count, c9py_allocator());
        return -1;
    }
    apply_common(self, &c);
    set_points(self, pts, count);
    SELF->ready = true;
    return 0;
}

/* ---- VectorShape's members ------------------------------------------------------------------------ */

static PyObject *shape_contains(PyObject *self, PyObject *args) {
    PyObject *xo, *yo;
    long x, y;
    if (check_ready(self) < 0 || !PyArg_ParseTuple(args, "OO:contains", &xo, &yo) || get_coord(xo, "x", &x) < 0 ||
        get_coord(yo, "y", &y) < 0) {
        return NULL;
    }
    return PyBool_FromLong(c9_vectorshape_contains(&SELF->shape, (int32_t)x, (int32_t)y));
}

static PyObject *get_x(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.x);
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long x;
    if (check_ready(self) < 0 || no_delete(v) < 0 || get_coord(v, "x", &x) < 0) {
        return -1;
    }
    c9_vectorshape_set_position(&SELF->shape, (int16_t)x, SELF->shape.y);
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.y);
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long y;
    if (check_ready(self) < 0 || no_delete(v) < 0 || get_coord(v, "y", &y) < 0) {
        return -1;
    }
    c9_vectorshape_set_position(&SELF->shape, SELF->shape.x, (int16_t)y);
    return 0;
}

static PyObject *get_location(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : Py_BuildValue("(ii)", SELF->shape.x, SELF->shape.y);
}
static int set_location(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (check_ready(self) < 0 || no_delete(v) < 0) {
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
    return check_ready(self) < 0 ? NULL : PyBool_FromLong(SELF->shape.hidden);
}
static int set_hidden(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int h;
    if (check_ready(self) < 0 || (h = c9py_setter_bool(v)) < 0) {
        return -1;
    }
    c9_vectorshape_set_hidden(&SELF->shape, h);
    return 0;
}

static PyObject *get_shader(PyObject *self, void *c) {
    (void)c;
    if (check_ready(self) < 0) {
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
    if (check_ready(self) < 0 || no_delete(v) < 0) {
        return -1;
    }
    if (shader_of(v, &t, &s) < 0) {
        return -1;
    }
    c9_vectorshape_set_shader(&SELF->shape, t, s);
    Py_INCREF(v);
    Py_XSETREF(SELF->shader, v);
    return 0;
}

static PyObject *get_color_index(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.color_index);
}
static int set_color_index(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long i;
    if (check_ready(self) < 0 || no_delete(v) < 0) {
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
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.radius);
}
static int set_radius(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t r;
    if (check_ready(self) < 0 || get_size(v, "radius", &r) < 0) {
        return -1;
    }
    c9_vectorshape_set_circle(&SELF->shape, r);
    return 0;
}

static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.width);
}
static int set_width(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t w;
    if (check_ready(self) < 0 || get_size(v, "width", &w) < 0) {
        return -1;
    }
    c9_vectorshape_set_rectangle(&SELF->shape, w, SELF->shape.height);
    return 0;
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    return check_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->shape.height);
}
static int set_height(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint16_t h;
    if (check_ready(self) < 0 || get_size(v, "height", &h) < 0) {
        return -1;
    }
    c9_vectorshape_set_rectangle(&SELF->shape, SELF->shape.width, h);
    return 0;
}

static PyObject *get_points(PyObject *self, void *c) {
    (void)c;
    if (check_ready(self) < 0) {
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
    if (check_ready(self) < 0 || no_delete(v) < 0) {
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
    {"contains", shape_contains, METH_VARARGS, "contains(x, y): True if (x, y) lies inside the shape."},
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
        .tp_new = shape_new,                                                                                           \
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
