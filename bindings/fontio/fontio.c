/* fontio: BuiltinFont (terminalio.FONT) and Glyph. */
#include "c9py.h"
#include "displayio/displayio.h"
#include "fontio/fontio.h"

typedef struct {
    C9PY_OBJECT_HEAD const c9_builtin_font_t *font;
    PyObject *bitmap;
} font_obj_t;

#define SELF ((font_obj_t *)self)

/* ---- Glyph ------------------------------------------------------------------------------- */

/* fontio.Glyph is CircuitPython's named tuple of eight fields. It is a tuple, so its native part
 * is its items: a blank Glyph (made by __new__, filled by __init__) holds `blank` in each. */
#define GLYPH_FIELDS 8
static const char *const glyph_order[GLYPH_FIELDS] = {"bitmap", "tile_index", "width",   "height",
                                                      "dx",     "dy",         "shift_x", "shift_y"};
static PyObject *blank;

int c9py_glyph_is_blank(PyObject *obj) {
    return PyTuple_GET_SIZE(obj) == GLYPH_FIELDS && PyTuple_GET_ITEM(obj, 0) == blank;
}

static int glyph_ready(PyObject *self) {
    if (c9py_glyph_is_blank(self)) {
        PyErr_SetString(PyExc_NotImplementedError, "Call super().__init__() before accessing native object.");
        return -1;
    }
    return 0;
}

static PyObject *glyph_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)args;
    (void)kw;
    if (!blank && !(blank = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type))) {
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, GLYPH_FIELDS);
    for (int i = 0; self && i < GLYPH_FIELDS; i++) {
        Py_INCREF(blank);
        PyTuple_SET_ITEM(self, i, blank);
    }
    return self;
}

static int field_index(PyObject *name) {
    for (int i = 0; i < GLYPH_FIELDS; i++) {
        if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, glyph_order[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* namedtuple_make_new: exactly eight values, positional first, then keywords by field name. */
static int glyph_init(PyObject *self, PyObject *args, PyObject *kw) {
    if (!c9py_glyph_is_blank(self)) {
        PyErr_SetString(PyExc_RuntimeError, "Glyph.__init__() already called");
        return -1;
    }
    Py_ssize_t n_args = PyTuple_GET_SIZE(args), n_kw = kw ? PyDict_GET_SIZE(kw) : 0;
    if (n_args + n_kw != GLYPH_FIELDS) {
        PyErr_Format(PyExc_TypeError, "function takes %d positional arguments but %zd were given", GLYPH_FIELDS,
                     n_args + n_kw);
        return -1;
    }
    PyObject *values[GLYPH_FIELDS] = {NULL};
    for (Py_ssize_t i = 0; i < n_args; i++) {
        values[i] = PyTuple_GET_ITEM(args, i);
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (kw && PyDict_Next(kw, &pos, &key, &value)) {
        int i = field_index(key);
        if (i < 0) {
            PyErr_Format(PyExc_TypeError, "unexpected keyword argument '%S'", key);
            return -1;
        }
        if (values[i]) {
            PyErr_Format(PyExc_TypeError, "function got multiple values for argument '%S'", key);
            return -1;
        }
        values[i] = value;
    }
    for (int i = 0; i < GLYPH_FIELDS; i++) {
        Py_INCREF(values[i]);
        PyObject *old = PyTuple_GET_ITEM(self, i);
        PyTuple_SET_ITEM(self, i, values[i]);
        Py_DECREF(old);
    }
    return 0;
}

static PyObject *glyph_field(PyObject *self, void *index) {
    if (glyph_ready(self) < 0) {
        return NULL;
    }
    PyObject *v = PyTuple_GET_ITEM(self, (Py_ssize_t)index);
    Py_INCREF(v);
    return v;
}

static int glyph_set_field(PyObject *self, PyObject *v, void *index) {
    (void)self;
    (void)v;
    (void)index;
    PyErr_SetString(PyExc_AttributeError, "can't set attribute");
    return -1;
}

static PyObject *glyph_repr(PyObject *self) {
    if (glyph_ready(self) < 0) {
        return NULL;
    }
    PyObject *parts = PyList_New(0);
    for (int i = 0; parts && i < GLYPH_FIELDS; i++) {
        PyObject *p = PyUnicode_FromFormat("%s=%R", glyph_order[i], PyTuple_GET_ITEM(self, i));
        if (!p || PyList_Append(parts, p) < 0) {
            Py_CLEAR(parts);
        }
        Py_XDECREF(p);
    }
    PyObject *sep = parts ? PyUnicode_FromString(", ") : NULL;
    PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
    PyObject *r = body ? PyUnicode_FromFormat("Glyph(%U)", body) : NULL;
    Py_XDECREF(parts);
    Py_XDECREF(sep);
    Py_XDECREF(body);
    return r;
}

static Py_ssize_t glyph_len(PyObject *self) {
    return glyph_ready(self) < 0 ? -1 : PyTuple_GET_SIZE(self);
}

static PyObject *glyph_item(PyObject *self, Py_ssize_t i) {
    return glyph_ready(self) < 0 ? NULL : PyTuple_Type.tp_as_sequence->sq_item(self, i);
}

static PyObject *glyph_subscript(PyObject *self, PyObject *key) {
    return glyph_ready(self) < 0 ? NULL : PyTuple_Type.tp_as_mapping->mp_subscript(self, key);
}

static PyObject *glyph_iter(PyObject *self) {
    return glyph_ready(self) < 0 ? NULL : PyTuple_Type.tp_iter(self);
}

static PyObject *glyph_reduce(PyObject *self, PyObject *unused) {
    (void)unused;
    if (glyph_ready(self) < 0) {
        return NULL;
    }
    PyObject *items = PyTuple_GetSlice(self, 0, GLYPH_FIELDS);
    PyObject *r = items ? PyTuple_Pack(2, (PyObject *)Py_TYPE(self), items) : NULL;
    Py_XDECREF(items);
    return r;
}

#define GLYPH_GETSET(name, i)                                                                                          \
    { name, glyph_field, glyph_set_field, NULL, (void *)(Py_ssize_t)(i) }
static PyGetSetDef glyph_getset[] = {
    GLYPH_GETSET("bitmap", 0),  GLYPH_GETSET("tile_index", 1), GLYPH_GETSET("width", 2),
    GLYPH_GETSET("height", 3),  GLYPH_GETSET("dx", 4),         GLYPH_GETSET("dy", 5),
    GLYPH_GETSET("shift_x", 6), GLYPH_GETSET("shift_y", 7),    {NULL, NULL, NULL, NULL, NULL},
};
static PyMethodDef glyph_methods[] = {
    {"__reduce__", glyph_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PySequenceMethods glyph_sequence = {.sq_length = glyph_len, .sq_item = glyph_item};
static PyMappingMethods glyph_mapping = {.mp_length = glyph_len, .mp_subscript = glyph_subscript};

PyTypeObject c9py_Glyph_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "fontio.Glyph",
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Glyph(bitmap, tile_index, width, height, dx, dy, shift_x, shift_y): storage of glyph info.",
    .tp_base = &PyTuple_Type,
    .tp_new = glyph_new,
    .tp_init = glyph_init,
    .tp_repr = glyph_repr,
    .tp_iter = glyph_iter,
    .tp_as_sequence = &glyph_sequence,
    .tp_as_mapping = &glyph_mapping,
    .tp_getset = glyph_getset,
    .tp_methods = glyph_methods,
};

/* ---- BuiltinFont ------------------------------------------------------------------------- */

static PyObject *get_bitmap(PyObject *self, void *c) {
    (void)c;
    Py_INCREF(SELF->bitmap);
    return SELF->bitmap;
}

static PyObject *get_bounding_box(PyObject *self, PyObject *u) {
    (void)u;
    return Py_BuildValue("(ii)", SELF->font->glyph_width, SELF->font->glyph_height);
}

static PyObject *get_glyph(PyObject *self, PyObject *arg) {
    long cp;
    if (c9py_int(arg, "codepoint", &cp) < 0) {
        return NULL;
    }
    int32_t tile = cp < 0 ? -1 : c9_font_tile(SELF->font, (uint32_t)cp);
    if (tile < 0) {
        Py_RETURN_NONE;
    }
    PyObject *g = glyph_new(&c9py_Glyph_Type, NULL, NULL);
    if (!g) {
        return NULL;
    }
    long w = SELF->font->glyph_width, h = SELF->font->glyph_height;
    long vals[7] = {tile, w, h, 0, 0, w, 0};
    PyObject *items[GLYPH_FIELDS] = {SELF->bitmap};
    Py_INCREF(SELF->bitmap);
    for (int i = 0; i < 7; i++) {
        items[i + 1] = PyLong_FromLong(vals[i]);
    }
    for (int i = 0; i < GLYPH_FIELDS; i++) {
        Py_DECREF(PyTuple_GET_ITEM(g, i));
        PyTuple_SET_ITEM(g, i, items[i]);
    }
    for (int i = 1; i < GLYPH_FIELDS; i++) {
        if (!items[i]) {
            Py_DECREF(g);
            return NULL;
        }
    }
    return g;
}

static void font_dealloc(PyObject *self) {
    Py_CLEAR(SELF->bitmap);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *font_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)t;
    (void)a;
    (void)k;
    PyErr_SetString(PyExc_TypeError, "cannot create 'BuiltinFont' instances");
    return NULL;
}

static PyMethodDef methods[] = {
    {"get_bounding_box", get_bounding_box, METH_NOARGS, "Returns the maximum bounds of all glyphs in the font."},
    {"get_glyph", get_glyph, METH_O,
     "Returns a fontio.Glyph for the given codepoint or None if no glyph is available."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"bitmap", get_bitmap, NULL, "Bitmap containing all font glyphs starting with ASCII and followed by unicode.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_BuiltinFont_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "fontio.BuiltinFont",
    .tp_basicsize = sizeof(font_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A font built into CircuitPython",
    .tp_new = font_new_forbidden,
    .tp_dealloc = font_dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

const c9_builtin_font_t *c9py_builtin_font(PyObject *obj, const char *name) {
    if (c9py_check_type(obj, &c9py_BuiltinFont_Type, name) < 0) {
        return NULL;
    }
    return ((font_obj_t *)obj)->font;
}

static PyObject *terminal_font;

PyObject *c9py_terminal_font(void) {
    if (terminal_font) {
        return terminal_font;
    }
    const c9_builtin_font_t *f = c9_font_terminal();
    c9py_bitmap_obj_t *b = (c9py_bitmap_obj_t *)c9py_object_new(&c9py_Bitmap_Type);
    if (!b) {
        return NULL;
    }
    b->bitmap = *f->bitmap; /* shares the read-only glyph data; no allocator, so never freed */
    b->bitmap.allocator = NULL;
    b->exports = 0;
    b->buf_items = 0;
    font_obj_t *fo = (font_obj_t *)c9py_object_new(&c9py_BuiltinFont_Type);
    if (!fo) {
        Py_DECREF(b);
        return NULL;
    }
    fo->font = f;
    fo->bitmap = (PyObject *)b;
    terminal_font = (PyObject *)fo;
    return terminal_font;
}

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "fontio", "Core font related data structures.", -1, NULL};

PyObject *c9py_init_fontio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m || c9py_add_type(m, "BuiltinFont", &c9py_BuiltinFont_Type) < 0 ||
        c9py_add_type(m, "Glyph", &c9py_Glyph_Type) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    return m;
}
