/* displayio.Bitmap: CircuitPython's storage, indexing, buffer protocol and messages. */
#include "c9py.h"

#define SELF ((c9py_bitmap_obj_t *)self)

static PyObject *bitmap_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    if (kw && PyDict_GET_SIZE(kw) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    if (PyTuple_GET_SIZE(args) != 3) {
        PyErr_Format(PyExc_TypeError, "function takes 3 positional arguments but %zd were given",
                     PyTuple_GET_SIZE(args));
        return NULL;
    }
    long w, h, count;
    if (c9py_int_range(PyTuple_GET_ITEM(args, 0), 0, C9_BITMAP_MAX_DIM, "width", &w) < 0 ||
        c9py_int_range(PyTuple_GET_ITEM(args, 1), 0, C9_BITMAP_MAX_DIM, "height", &h) < 0 ||
        c9py_int_range(PyTuple_GET_ITEM(args, 2), 1, 65536, "value_count", &count) < 0) {
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    uint8_t bpv = c9_bitmap_bits_for_value_count((uint32_t)count);
    c9_err_t err = c9_bitmap_alloc(&SELF->bitmap, (uint32_t)w, (uint32_t)h, bpv, c9py_allocator());
    if (err != C9_OK) {
        Py_DECREF(self);
        return err == C9_ERR_NOMEM ? c9py_raise_nomem(c9_bitmap_data_size((uint32_t)w, (uint32_t)h, bpv))
                                   : c9py_raise(err);
    }
    return self;
}

static void bitmap_dealloc(PyObject *self) {
    c9_bitmap_release(&SELF->bitmap);
    Py_TYPE(self)->tp_free(self);
}

static c9_bitmap_t *alive(PyObject *self) {
    if (!SELF->bitmap.data) {
        c9py_raise_deinited();
        return NULL;
    }
    return &SELF->bitmap;
}

static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    c9_bitmap_t *b = alive(self);
    return b ? PyLong_FromLong(b->width) : NULL;
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    c9_bitmap_t *b = alive(self);
    return b ? PyLong_FromLong(b->height) : NULL;
}
static PyObject *get_bpv(PyObject *self, void *c) {
    (void)c;
    c9_bitmap_t *b = alive(self);
    return b ? PyLong_FromLong(b->bits_per_value) : NULL;
}

/* Resolves b[i] or b[x, y] to coordinates, with CircuitPython's exceptions. */
static int resolve_index(c9_bitmap_t *b, PyObject *key, long *x, long *y) {
    if (PySlice_Check(key)) {
        PyErr_SetString(PyExc_NotImplementedError, "Slices not supported");
        return -1;
    }
    if (PyTuple_Check(key)) {
        if (PyTuple_GET_SIZE(key) != 2) {
            PyErr_Format(PyExc_TypeError, "requested length 2 but object has length %zd", PyTuple_GET_SIZE(key));
            return -1;
        }
        if (c9py_int(PyTuple_GET_ITEM(key, 0), "x", x) < 0 || c9py_int(PyTuple_GET_ITEM(key, 1), "y", y) < 0) {
            return -1;
        }
    } else {
        long i;
        if (c9py_int(key, "index", &i) < 0) {
            return -1;
        }
        long n = (long)b->width * b->height;
        if (c9py_check_index(i, 0, n - 1, "index") < 0) {
            return -1;
        }
        *x = i % b->width;
        *y = i / b->width;
    }
    if (c9py_check_index(*x, 0, (long)b->width - 1, "x") < 0 || c9py_check_index(*y, 0, (long)b->height - 1, "y") < 0) {
        return -1;
    }
    return 0;
}

static PyObject *bitmap_getitem(PyObject *self, PyObject *key) {
    c9_bitmap_t *b = alive(self);
    long x, y;
    if (!b || resolve_index(b, key, &x, &y) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(c9_bitmap_get_unchecked(b, (int)x, (int)y));
}

static int check_value(c9_bitmap_t *b, PyObject *obj, uint32_t *out) {
    long v;
    if (c9py_int(obj, "value", &v) < 0) {
        return -1;
    }
    if (v < 0 || (b->bits_per_value < 32 && (unsigned long)v >> b->bits_per_value) || (unsigned long)v > 0xFFFFFFFFul) {
        PyErr_SetString(PyExc_ValueError, "out of range of target");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int bitmap_setitem(PyObject *self, PyObject *key, PyObject *value) {
    c9_bitmap_t *b = alive(self);
    if (!b) {
        return -1;
    }
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "Cannot delete values");
        return -1;
    }
    long x, y;
    uint32_t v;
    if (resolve_index(b, key, &x, &y) < 0 || check_value(b, value, &v) < 0) {
        return -1;
    }
    if (b->read_only) {
        PyErr_SetString(PyExc_RuntimeError, "Read-only");
        return -1;
    }
    c9_bitmap_set(b, (int)x, (int)y, v);
    return 0;
}

static PyObject *bitmap_fill(PyObject *self, PyObject *arg) {
    c9_bitmap_t *b = alive(self);
    uint32_t v;
    if (!b || check_value(b, arg, &v) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmap_fill(b, v);
    if (err != C9_OK) {
        return c9py_raise(err);
    }
    Py_RETURN_NONE;
}

static PyObject *bitmap_dirty(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"x1", "y1", "x2", "y2", NULL};
    long x1 = 0, y1 = 0, x2 = -1, y2 = -1;
    c9_bitmap_t *b = alive(self);
    if (!b || !PyArg_ParseTupleAndKeywords(args, kw, "|llll:dirty", kwlist, &x1, &y1, &x2, &y2)) {
        return NULL;
    }
    if (x2 == -1) {
        x2 = b->width;
    }
    if (y2 == -1) {
        y2 = b->height;
    }
    c9_rect_t r = {(int16_t)C9_MAX(C9_MIN(x1, 32767), -32768), (int16_t)C9_MAX(C9_MIN(y1, 32767), -32768),
                   (int16_t)C9_MAX(C9_MIN(x2, 32767), -32768), (int16_t)C9_MAX(C9_MIN(y2, 32767), -32768)};
    c9_bitmap_mark_dirty(b, &r);
    Py_RETURN_NONE;
}

static PyObject *bitmap_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (SELF->exports > 0) {
        PyErr_SetString(PyExc_BufferError, "Existing exports of data: object cannot be re-sized");
        return NULL;
    }
    c9_bitmap_release(&SELF->bitmap);
    Py_RETURN_NONE;
}

static int bitmap_getbuffer(PyObject *self, Py_buffer *view, int flags) {
    c9_bitmap_t *b = alive(self);
    if (!b) {
        view->obj = NULL;
        return -1;
    }
    if ((flags & PyBUF_WRITABLE) && b->read_only) {
        PyErr_SetString(PyExc_BufferError, "Bitmap is read-only");
        view->obj = NULL;
        return -1;
    }
    Py_ssize_t itemsize = b->bits_per_value == 32 ? 4 : b->bits_per_value == 16 ? 2 : 1;
    const char *format = itemsize == 4 ? "I" : itemsize == 2 ? "H" : "B";
    if (PyBuffer_FillInfo(view, self, b->data, (Py_ssize_t)b->stride_words * 4 * b->height, b->read_only, flags) < 0) {
        return -1;
    }
    view->itemsize = itemsize;
    if (flags & PyBUF_FORMAT) {
        view->format = (char *)format;
    }
    if (flags & PyBUF_ND) {
        /* PyBuffer_FillInfo set shape to &view->len (a byte count); point it at an item count. */
        SELF->buf_items = view->len / itemsize;
        view->shape = &SELF->buf_items;
    }
    if ((flags & PyBUF_STRIDES) == PyBUF_STRIDES) {
        view->strides = &view->itemsize;
    }
    SELF->exports++;
    return 0;
}

static void bitmap_releasebuffer(PyObject *self, Py_buffer *view) {
    (void)view;
    SELF->exports--;
}

static PyGetSetDef getset[] = {
    {"width", get_width, NULL, "Width of the bitmap.", NULL},
    {"height", get_height, NULL, "Height of the bitmap.", NULL},
    {"bits_per_value", get_bpv, NULL, "Bits per value of the bitmap.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef methods[] = {
    {"fill", bitmap_fill, METH_O, "Fills the bitmap with the supplied palette index value."},
    {"dirty", (PyCFunction)(void (*)(void))bitmap_dirty, METH_VARARGS | METH_KEYWORDS,
     "Inform displayio of bitmap updates done via the buffer protocol."},
    {"deinit", bitmap_deinit, METH_NOARGS, "Release resources allocated by Bitmap."},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods mapping = {NULL, bitmap_getitem, bitmap_setitem};
static PyBufferProcs buffer = {bitmap_getbuffer, bitmap_releasebuffer};

PyTypeObject c9py_Bitmap_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.Bitmap",
    .tp_basicsize = sizeof(c9py_bitmap_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Bitmap(width, height, value_count): a 2D array of values.",
    .tp_new = bitmap_new,
    .tp_dealloc = bitmap_dealloc,
    .tp_as_mapping = &mapping,
    .tp_as_buffer = &buffer,
    .tp_methods = methods,
    .tp_getset = getset,
};
