/* displayio.OnDiskBitmap: a BMP file read a row at a time while composing. */
#include "c9py.h"
#include "displayio/displayio.h"

#include "c9rt.h"

#define SELF ((c9py_ondiskbitmap_obj_t *)self)

/* Reads through the Python file object: seek + readinto. The GIL is held (composition runs with
 * it), and a Python error becomes C9_ERR_IO with the exception cleared. The file object only ever
 * sees a bytearray of its own, copied into `buf` after the call: `buf` may be the core's stack
 * (the header) or the row cache, which must never outlive a view a file object keeps. Python code
 * run here may change the display tree, so a refresh in progress pins what it uses first. */
static c9_err_t file_read(void *ctx, uint32_t offset, void *buf, size_t len) {
    PyObject *file = ctx;
    if (c9py_refresh_before_python() < 0) {
        return C9_ERR_IO;
    }
    PyObject *r = PyObject_CallMethod(file, "seek", "k", (unsigned long)offset);
    if (!r) {
        PyErr_Clear();
        return C9_ERR_IO;
    }
    Py_DECREF(r);
    PyObject *bytes = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)len);
    PyObject *view = bytes ? PyMemoryView_FromObject(bytes) : NULL;
    r = view ? PyObject_CallMethod(file, "readinto", "O", view) : NULL;
    Py_XDECREF(view);
    Py_ssize_t got = r ? PyLong_AsSsize_t(r) : -1;
    Py_XDECREF(r);
    /* The array may have been resized through a kept view's .obj: copy only what it holds. */
    bool ok = bytes && got == (Py_ssize_t)len && PyByteArray_GET_SIZE(bytes) >= (Py_ssize_t)len;
    if (ok) {
        memcpy(buf, PyByteArray_AS_STRING(bytes), len);
    }
    Py_XDECREF(bytes);
    PyErr_Clear();
    return ok ? C9_OK : C9_ERR_IO;
}

/* An OSError from opening a host path, raised again as CircuitPython words it (no host path). */
static PyObject *raise_as_board(void) {
    if (!PyErr_ExceptionMatches(PyExc_OSError)) {
        return NULL;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *eno = value ? PyObject_GetAttrString(value, "errno") : NULL;
    long err = eno && PyLong_Check(eno) ? PyLong_AsLong(eno) : -1;
    Py_XDECREF(eno);
    if (err <= 0) {
        PyErr_Clear();
        PyErr_Restore(type, value, tb);
        return NULL;
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return c9rt_raise_errno((int)err);
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
            raise_as_board(); /* the board's errno text, not the host's path */
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
