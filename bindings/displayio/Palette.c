/* displayio.Palette: RGB888 entries with transparency, CircuitPython's colour parsing. */
#include "c9py.h"
#include "displayio/displayio.h"

#define SELF ((c9py_palette_obj_t *)self)

static int palette_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_color_count, ARG_dither };
    static const c9py_arg_t allowed[] = {
        {"color_count", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"dither", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0 ||
        c9py_check_range(a[ARG_color_count].u_int, 1, C9_PALETTE_MAX, "color_count") < 0) {
        return -1;
    }
    long count = a[ARG_color_count].u_int;
    if (c9_palette_alloc(&SELF->palette, (uint32_t)count, a[ARG_dither].u_bool, c9py_allocator()) != C9_OK) {
        c9py_raise_nomem((size_t)count * sizeof(c9_palette_entry_t));
        return -1;
    }
    return 0;
}
C9PY_DEFINE_INIT(palette_init, palette_construct)

static void palette_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        c9_palette_release(&SELF->palette);
    }
    Py_TYPE(self)->tp_free(self);
}

static Py_ssize_t palette_len(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    return SELF->palette.count;
}

static int palette_index(PyObject *self, PyObject *key, uint32_t *out) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, "Palette indices must be integers, not %s", c9py_type_name(key));
        return -1;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (i < 0) {
        i += SELF->palette.count;
    }
    if (i < 0 || i >= (Py_ssize_t)SELF->palette.count) {
        PyErr_SetString(PyExc_IndexError, "Palette index out of range");
        return -1;
    }
    *out = (uint32_t)i;
    return 0;
}

static PyObject *palette_getitem(PyObject *self, PyObject *key) {
    uint32_t i;
    if (palette_index(self, key, &i) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(SELF->palette.colors[i].rgb888);
}

/* Parses an int, a 3/4-byte buffer or a 3/4-item tuple/list into RGB888. */
static int parse_color(PyObject *value, uint32_t *out) {
    static const char range_msg[] = "color must be between 0x000000 and 0xffffff";
    if (PyLong_Check(value)) {
        long c = PyLong_AsLong(value);
        if ((c == -1 && PyErr_Occurred()) || c < 0 || c > 0xFFFFFF) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, range_msg);
            return -1;
        }
        *out = (uint32_t)c;
        return 0;
    }
    if (PyTuple_Check(value) || PyList_Check(value)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(value);
        if (n != 3 && n != 4) {
            PyErr_SetString(PyExc_ValueError, "color must be 3 or 4 items (RGB or RGB + pad)");
            return -1;
        }
        uint32_t c = 0;
        for (Py_ssize_t i = 0; i < 3; i++) {
            long v;
            if (c9py_int_range(PySequence_Fast_GET_ITEM(value, i), 0, 255, "color", &v) < 0) {
                return -1;
            }
            c = (c << 8) | (uint32_t)v;
        }
        *out = c;
        return 0;
    }
    if (PyObject_CheckBuffer(value)) {
        Py_buffer view;
        if (PyObject_GetBuffer(value, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            return -1;
        }
        const char *f = view.format ? view.format : "B";
        bool bytes_like = (f[0] == 'b' || f[0] == 'B') && f[1] == '\0';
        int rc = 0;
        if (!bytes_like) {
            PyErr_SetString(PyExc_ValueError, "color buffer must be a bytearray or array of type 'b' or 'B'");
            rc = -1;
        } else if (view.len != 3 && view.len != 4) {
            PyErr_SetString(PyExc_ValueError, "color buffer must be 3 bytes (RGB) or 4 bytes (RGB + pad byte)");
            rc = -1;
        } else {
            const uint8_t *p = view.buf;
            *out = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
        }
        PyBuffer_Release(&view);
        return rc;
    }
    PyErr_SetString(PyExc_TypeError, "color buffer must be a buffer, tuple, list, or int");
    return -1;
}

static int palette_setitem(PyObject *self, PyObject *key, PyObject *value) {
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "'Palette' object doesn't support item deletion");
        return -1;
    }
    uint32_t i, color;
    if (palette_index(self, key, &i) < 0 || parse_color(value, &color) < 0) {
        return -1;
    }
    c9_palette_set(&SELF->palette, i, color);
    return 0;
}

static int index_arg(PyObject *self, PyObject *arg, uint32_t *out) {
    long i;
    if (c9py_ready(self) < 0 || c9py_int_range(arg, 0, (long)SELF->palette.count - 1, "palette_index", &i) < 0) {
        return -1;
    }
    *out = (uint32_t)i;
    return 0;
}

static PyObject *make_transparent(PyObject *self, PyObject *arg) {
    uint32_t i;
    if (index_arg(self, arg, &i) < 0) {
        return NULL;
    }
    c9_palette_set_transparent(&SELF->palette, i, true);
    Py_RETURN_NONE;
}

static PyObject *make_opaque(PyObject *self, PyObject *arg) {
    uint32_t i;
    if (index_arg(self, arg, &i) < 0) {
        return NULL;
    }
    c9_palette_set_transparent(&SELF->palette, i, false);
    Py_RETURN_NONE;
}

static PyObject *is_transparent(PyObject *self, PyObject *arg) {
    uint32_t i;
    if (index_arg(self, arg, &i) < 0) {
        return NULL;
    }
    return PyBool_FromLong(SELF->palette.colors[i].transparent);
}

static PyObject *get_dither(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(SELF->palette.dither);
}
static int set_dither(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int d = c9py_ready(self) < 0 ? -1 : c9py_setter_bool(v);
    if (d < 0) {
        return -1;
    }
    SELF->palette.dither = d;
    SELF->palette.dirty = true;
    return 0;
}

static int palette_bool(PyObject *self) {
    (void)self;
    return 1;
}

static PyMethodDef methods[] = {
    {"make_transparent", make_transparent, METH_O, "Make the colour at index transparent."},
    {"make_opaque", make_opaque, METH_O, "Make the colour at index opaque."},
    {"is_transparent", is_transparent, METH_O, "True if the colour at index is transparent."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"dither", get_dither, set_dither, "When true the palette dithers the output.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyMappingMethods mapping = {palette_len, palette_getitem, palette_setitem};
static PySequenceMethods sequence = {.sq_length = palette_len};
static PyNumberMethods number = {.nb_bool = palette_bool};

PyTypeObject c9py_Palette_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.Palette",
    .tp_basicsize = sizeof(c9py_palette_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Palette(color_count, *, dither=False): map pixel values to RGB888 colours.",
    .tp_new = c9py_native_new,
    .tp_init = palette_init,
    .tp_dealloc = palette_dealloc,
    .tp_as_mapping = &mapping,
    .tp_as_sequence = &sequence,
    .tp_as_number = &number,
    .tp_methods = methods,
    .tp_getset = getset,
};
