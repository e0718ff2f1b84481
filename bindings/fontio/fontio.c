/* fontio: BuiltinFont (terminalio.FONT) and Glyph. */
#include "../displayio/c9py_display.h"

typedef struct {
    PyObject_HEAD const c9_builtin_font_t *font;
    PyObject *bitmap;
} font_obj_t;

#define SELF ((font_obj_t *)self)

static PyStructSequence_Field glyph_fields[] = {
    {"bitmap", NULL}, {"tile_index", NULL}, {"width", NULL},   {"height", NULL}, {"dx", NULL},
    {"dy", NULL},     {"shift_x", NULL},    {"shift_y", NULL}, {NULL, NULL},
};
static PyStructSequence_Desc glyph_desc = {"fontio.Glyph", "Storage of glyph info", glyph_fields, 8};
PyTypeObject c9py_Glyph_Type;
static bool glyph_ready;

static int ready_glyph(void) {
    if (!glyph_ready) {
        if (PyStructSequence_InitType2(&c9py_Glyph_Type, &glyph_desc) < 0) {
            return -1;
        }
        glyph_ready = true;
    }
    return 0;
}

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
    if (ready_glyph() < 0) {
        return NULL;
    }
    PyObject *g = PyStructSequence_New(&c9py_Glyph_Type);
    if (!g) {
        return NULL;
    }
    Py_INCREF(SELF->bitmap);
    long w = SELF->font->glyph_width, h = SELF->font->glyph_height;
    long vals[7] = {tile, w, h, 0, 0, w, 0};
    PyStructSequence_SET_ITEM(g, 0, SELF->bitmap);
    for (int i = 0; i < 7; i++) {
        PyStructSequence_SET_ITEM(g, i + 1, PyLong_FromLong(vals[i]));
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

static PyObject *terminal_font;

PyObject *c9py_terminal_font(void) {
    if (terminal_font) {
        return terminal_font;
    }
    if (PyType_Ready(&c9py_BuiltinFont_Type) < 0 || PyType_Ready(&c9py_Bitmap_Type) < 0) {
        return NULL;
    }
    const c9_builtin_font_t *f = c9_font_terminal();
    c9py_bitmap_obj_t *b = PyObject_New(c9py_bitmap_obj_t, &c9py_Bitmap_Type);
    if (!b) {
        return NULL;
    }
    b->bitmap = *f->bitmap; /* shares the read-only glyph data; no allocator, so never freed */
    b->bitmap.allocator = NULL;
    b->exports = 0;
    b->buf_items = 0;
    font_obj_t *fo = PyObject_New(font_obj_t, &c9py_BuiltinFont_Type);
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
    if (!m || ready_glyph() < 0 || c9py_add_type(m, "BuiltinFont", &c9py_BuiltinFont_Type) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    Py_INCREF(&c9py_Glyph_Type);
    if (PyModule_AddObject(m, "Glyph", (PyObject *)&c9py_Glyph_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
