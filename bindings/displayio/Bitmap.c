/* displayio.Bitmap: CircuitPython's storage, indexing, buffer protocol and messages. */
#include "c9py.h"
#include "displayio/displayio.h"

#define SELF ((c9py_bitmap_obj_t *)self)

static int bitmap_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 3, 3, false) < 0) {
        return -1;
    }
    static const char *const names[3] = {"width", "height", "value_count"};
    static const long max[3] = {C9_BITMAP_MAX_DIM, C9_BITMAP_MAX_DIM, 65536};
    long v[3];
    for (int i = 0; i < 3; i++) {
        int32_t x;
        if (c9py_mp_int(PyTuple_GET_ITEM(args, i), &x) < 0 || c9py_check_range(x, i == 2, max[i], names[i]) < 0) {
            return -1;
        }
        v[i] = x;
    }
    uint8_t bpv = c9_bitmap_bits_for_value_count((uint32_t)v[2]);
    c9_err_t err = c9_bitmap_alloc(&SELF->bitmap, (uint32_t)v[0], (uint32_t)v[1], bpv, c9py_allocator());
    if (err == C9_ERR_NOMEM) {
        c9py_raise_nomem(c9_bitmap_data_size((uint32_t)v[0], (uint32_t)v[1], bpv));
        return -1;
    }
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}
C9PY_DEFINE_INIT(bitmap_init, bitmap_construct)

static void bitmap_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        c9_bitmap_release(&SELF->bitmap);
    }
    Py_TYPE(self)->tp_free(self);
}

static c9_bitmap_t *alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return NULL;
    }
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
    enum { ARG_x1, ARG_y1, ARG_x2, ARG_y2 };
    static const c9py_arg_t allowed[] = {
        {"x1", C9PY_ARG_INT, {.u_int = 0}},
        {"y1", C9PY_ARG_INT, {.u_int = 0}},
        {"x2", C9PY_ARG_INT, {.u_int = -1}},
        {"y2", C9PY_ARG_INT, {.u_int = -1}},
    };
    c9py_argval_t a[4];
    c9_bitmap_t *b = alive(self);
    if (!b || c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return NULL;
    }
    long x1 = a[ARG_x1].u_int, y1 = a[ARG_y1].u_int;
    long x2 = a[ARG_x2].u_int == -1 ? (long)b->width : a[ARG_x2].u_int;
    long y2 = a[ARG_y2].u_int == -1 ? (long)b->height : a[ARG_y2].u_int;
    c9_rect_t r = {(int16_t)C9_MAX(C9_MIN(x1, 32767), -32768), (int16_t)C9_MAX(C9_MIN(y1, 32767), -32768),
                   (int16_t)C9_MAX(C9_MIN(x2, 32767), -32768), (int16_t)C9_MAX(C9_MIN(y2, 32767), -32768)};
    c9_bitmap_mark_dirty(b, &r);
    Py_RETURN_NONE;
}

static PyObject *bitmap_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
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
    .tp_new = c9py_native_new,
    .tp_init = bitmap_init,
    .tp_dealloc = bitmap_dealloc,
    .tp_as_mapping = &mapping,
    .tp_as_buffer = &buffer,
    .tp_methods = methods,
    .tp_getset = getset,
};

/* ---- Bitmap arguments of other modules ------------------------------------------------------- */

c9_bitmap_t *c9py_bitmap(PyObject *obj, const char *name) {
    if (c9py_check_type(obj, &c9py_Bitmap_Type, name) < 0) {
        return NULL;
    }
    if (c9py_ready(obj) < 0) {
        return NULL;
    }
    c9_bitmap_t *b = &((c9py_bitmap_obj_t *)obj)->bitmap;
    if (!b->data) {
        c9py_raise_deinited();
        return NULL;
    }
    return b;
}

c9_bitmap_t *c9py_bitmap_writable(PyObject *obj, const char *name) {
    c9_bitmap_t *b = c9py_bitmap(obj, name);
    if (b && b->read_only) {
        PyErr_SetString(PyExc_RuntimeError, "Read-only");
        return NULL;
    }
    return b;
}

c9_bitmap_t *c9py_bitmap_lock(PyObject *obj, const char *name) {
    c9_bitmap_t *b = c9py_bitmap(obj, name);
    if (b) {
        Py_INCREF(obj);
        ((c9py_bitmap_obj_t *)obj)->exports++;
    }
    return b;
}

void c9py_bitmap_unlock(PyObject *obj) {
    ((c9py_bitmap_obj_t *)obj)->exports--;
    Py_DECREF(obj);
}
