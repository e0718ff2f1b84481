/* displayio.OnDiskBitmap: a BMP file read a row at a time while composing. */
#include "c9py.h"
#include "displayio/displayio.h"

#define SELF ((c9py_ondiskbitmap_obj_t *)self)

/* Reads through the Python file object: seek + readinto. The GIL is held (composition runs with
 * it), and a Python error becomes C9_ERR_IO with the exception cleared. */
static c9_err_t file_read(void *ctx, uint32_t offset, void *buf, size_t len) {
    PyObject *file = ctx;
    PyObject *r = PyObject_CallMethod(file, "seek", "k", (unsigned long)offset);
    if (!r) {
        PyErr_Clear();
        return C9_ERR_IO;
    }
    Py_DECREF(r);
    PyObject *view = PyMemoryView_FromMemory(buf, (Py_ssize_t)len, PyBUF_WRITE);
    if (!view) {
        PyErr_Clear();
        return C9_ERR_IO;
    }
    r = PyObject_CallMethod(file, "readinto", "O", view);
    Py_DECREF(view);
    if (!r) {
        PyErr_Clear();
        return C9_ERR_IO;
    }
    Py_ssize_t got = PyLong_AsSsize_t(r);
    Py_DECREF(r);
    if (got != (Py_ssize_t)len) {
        PyErr_Clear();
        return C9_ERR_IO;
    }
    return C9_OK;
}

static int is_binary_file(PyObject *f) {
    PyObject *io = PyImport_ImportModule("io");
    if (!io) {
        return -1;
    }
    PyObject *raw = PyObject_GetAttrString(io, "RawIOBase"), *buffered = PyObject_GetAttrString(io, "BufferedIOBase");
    Py_DECREF(io);
    int ok = raw && buffered && (PyObject_IsInstance(f, raw) == 1 || PyObject_IsInstance(f, buffered) == 1);
    Py_XDECREF(raw);
    Py_XDECREF(buffered);
    return ok;
}

/* Drops what a construction took; the object is blank again. */
static void odb_release(PyObject *self) {
    c9_ondiskbitmap_close(&SELF->odb);
    Py_CLEAR(SELF->file);
    Py_CLEAR(SELF->shader);
}

static int odb_fail(PyObject *self) {
    odb_release(self);
    return -1;
}

static int odb_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    PyObject *file = PyTuple_GET_ITEM(args, 0);
    if (PyUnicode_Check(file)) {
        /* The caller's open(): under the circuit9 runtime a path of the board's file system (the
         * drive, a mounted SD card), elsewhere the host's. */
        PyObject *open = PyDict_GetItemString(PyEval_GetBuiltins(), "open");
        if (!open) {
            PyErr_SetString(PyExc_NameError, "name 'open' isn't defined");
            return -1;
        }
        file = PyObject_CallFunction(open, "Os", file, "rb");
        if (!file) {
            return -1;
        }
    } else {
        int ok = is_binary_file(file);
        if (ok < 0) {
            return -1;
        }
        if (!ok) {
            PyErr_SetString(PyExc_TypeError, "file must be a file opened in byte mode");
            return -1;
        }
        Py_INCREF(file);
    }
    SELF->file = file;
    c9_err_t err = c9_ondiskbitmap_open(&SELF->odb, file_read, file, c9py_allocator());
    if (err != C9_OK) {
        if (err == C9_ERR_BMP_HEADER && SELF->odb.info.header_size) {
            PyErr_Format(PyExc_ValueError, "Only Windows format, uncompressed BMP supported: given header size is %u",
                         (unsigned)SELF->odb.info.header_size);
        } else {
            c9py_display_raise(err);
        }
        return odb_fail(self);
    }
    if (SELF->odb.info.bits_per_pixel <= 8) {
        c9py_palette_obj_t *p = (c9py_palette_obj_t *)c9py_object_new(&c9py_Palette_Type);
        if (!p) {
            return odb_fail(self);
        }
        SELF->shader = (PyObject *)p;
        err = c9_ondiskbitmap_load_palette(&SELF->odb, &p->palette, c9py_allocator());
        if (err != C9_OK) {
            c9py_display_raise(err);
            return odb_fail(self);
        }
    } else {
        c9py_colorconverter_obj_t *cc = (c9py_colorconverter_obj_t *)c9py_object_new(&c9py_ColorConverter_Type);
        if (!cc) {
            return odb_fail(self);
        }
        c9_colorconverter_init(&cc->cc, c9_ondiskbitmap_colorspace(&SELF->odb), false);
        SELF->shader = (PyObject *)cc;
    }
    return 0;
}
C9PY_DEFINE_INIT(odb_init, odb_construct)

static void odb_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        odb_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->odb.info.width);
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(SELF->odb.info.height);
}
static PyObject *get_shader(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    Py_INCREF(SELF->shader);
    return SELF->shader;
}

static PyGetSetDef getset[] = {
    {"width", get_width, NULL, "Width of the bitmap.", NULL},
    {"height", get_height, NULL, "Height of the bitmap.", NULL},
    {"pixel_shader", get_shader, NULL, "The image's pixel_shader (a Palette or a ColorConverter).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_OnDiskBitmap_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.OnDiskBitmap",
    .tp_basicsize = sizeof(c9py_ondiskbitmap_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "OnDiskBitmap(file)",
    .tp_new = c9py_native_new,
    .tp_init = odb_init,
    .tp_dealloc = odb_dealloc,
    .tp_getset = getset,
};
