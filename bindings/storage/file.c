/* The file objects VfsFat.open() gives for a FAT volume: MicroPython's FileIO (binary) and
 * TextIOWrapper (text) of extmod/vfs_fat_file.c. Unbuffered: every write reaches the FAT core at
 * once, and the core keeps nothing dirty between calls, so what a program wrote is on the device
 * even when it never closes the file. Text is UTF-8 without newline translation; read(n) of a
 * text file counts characters. A closed file raises OSError(EINVAL), as FatFs's invalid object. */
#include "storage/storage.h"

#include "c9rt.h"

#include <errno.h>
#include <string.h>

typedef struct {
    PyObject_HEAD PyObject *vfs; /* keeps the volume (and its device) alive */
    const c9_port_fs_t *fs;
    void *handle; /* NULL once closed */
    bool text, readable, writable;
} file_obj_t;

#define SELF ((file_obj_t *)self)

static PyTypeObject FileIO_Type, TextIOWrapper_Type;

PyObject *c9py_fat_file_new(PyObject *vfs, const c9_port_fs_t *fs, void *handle, bool text, bool readable,
                            bool writable) {
    file_obj_t *f = PyObject_New(file_obj_t, text ? &TextIOWrapper_Type : &FileIO_Type);
    if (!f) {
        return NULL;
    }
    f->vfs = Py_NewRef(vfs);
    f->fs = fs;
    f->handle = handle;
    f->text = text;
    f->readable = readable;
    f->writable = writable;
    return (PyObject *)f;
}

static int open_check(PyObject *self) {
    if (!SELF->handle) {
        c9rt_raise_errno(EINVAL);
        return -1;
    }
    return 0;
}

/* A volume error (or a Python block device's exception) as the call's exception. */
static int result(PyObject *self, c9_err_t err) {
    if (err != C9_OK) {
        c9py_vfs_raise(SELF->vfs, err, NULL);
        return -1;
    }
    return c9py_vfs_check(SELF->vfs);
}

static c9_err_t read_some(PyObject *self, void *buf, size_t len, size_t *got) {
    *got = 0;
    if (!SELF->readable) {
        return -EACCES; /* FatFs: FR_DENIED */
    }
    return SELF->fs->read(SELF->fs->ctx, SELF->handle, buf, len, got);
}

/* Reads up to len bytes into a new bytes object (fewer only at the end of the file). */
static PyObject *read_bytes(PyObject *self, Py_ssize_t len) {
    PyObject *b = PyBytes_FromStringAndSize(NULL, len);
    if (!b) {
        return NULL;
    }
    size_t total = 0;
    while ((Py_ssize_t)total < len) {
        size_t got;
        c9_err_t err = read_some(self, PyBytes_AS_STRING(b) + total, (size_t)len - total, &got);
        if (result(self, err) < 0) {
            Py_DECREF(b);
            return NULL;
        }
        if (got == 0) {
            break;
        }
        total += got;
    }
    if ((Py_ssize_t)total != len) {
        _PyBytes_Resize(&b, (Py_ssize_t)total);
    }
    return b;
}

static PyObject *read_all(PyObject *self) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, 0);
    for (;;) {
        PyObject *chunk = out ? read_bytes(self, 4096) : NULL;
        if (!chunk) {
            Py_XDECREF(out);
            return NULL;
        }
        Py_ssize_t n = PyBytes_GET_SIZE(chunk);
        PyBytes_ConcatAndDel(&out, chunk);
        if (!out || n < 4096) {
            return out;
        }
    }
}

static bool utf8_continuation(uint8_t c) {
    return (c & 0xC0) == 0x80;
}

/* Bytes a UTF-8 sequence starting with c has in all. */
static int utf8_length(uint8_t c) {
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* n characters of a text file: bytes until n sequences have started, then the rest of the last. */
static PyObject *read_chars(PyObject *self, Py_ssize_t n) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, 0);
    Py_ssize_t chars = 0;
    while (out && chars < n) {
        PyObject *chunk = read_bytes(self, n - chars);
        if (!chunk) {
            Py_CLEAR(out);
            break;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(chunk);
        const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(chunk);
        for (Py_ssize_t i = 0; i < len; i++) {
            chars += !utf8_continuation(p[i]);
        }
        PyBytes_ConcatAndDel(&out, chunk);
        if (len == 0) {
            break;
        }
    }
    if (out && PyBytes_GET_SIZE(out) > 0) {
        const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(out);
        Py_ssize_t len = PyBytes_GET_SIZE(out), start = len - 1;
        while (start > 0 && utf8_continuation(p[start])) {
            start--;
        }
        Py_ssize_t missing = utf8_length(p[start]) - (len - start);
        if (missing > 0) {
            PyObject *rest = read_bytes(self, missing);
            if (!rest) {
                Py_CLEAR(out);
            } else {
                PyBytes_ConcatAndDel(&out, rest);
            }
        }
    }
    return out;
}

static PyObject *as_result(PyObject *self, PyObject *bytes) {
    if (!bytes || !SELF->text) {
        return bytes;
    }
    PyObject *s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(bytes), PyBytes_GET_SIZE(bytes), NULL);
    Py_DECREF(bytes);
    return s;
}

static PyObject *file_read(PyObject *self, PyObject *args) {
    Py_ssize_t n = -1;
    PyObject *size = Py_None;
    if (!PyArg_ParseTuple(args, "|O:read", &size) || open_check(self) < 0) {
        return NULL;
    }
    if (size != Py_None && (n = PyLong_AsSsize_t(size)) == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        return as_result(self, read_all(self));
    }
    return as_result(self, SELF->text ? read_chars(self, n) : read_bytes(self, n));
}

static PyObject *file_readinto(PyObject *self, PyObject *args) {
    PyObject *buf;
    Py_ssize_t max = -1;
    if (!PyArg_ParseTuple(args, "O|n:readinto", &buf, &max) || open_check(self) < 0) {
        return NULL;
    }
    Py_buffer view;
    if (c9py_get_buffer(buf, &view, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    size_t len = max >= 0 && max < view.len ? (size_t)max : (size_t)view.len, total = 0;
    /* Read into our own bytes and copy, so the volume never writes into memory Python may
     * resize while a Python block device runs. */
    PyObject *b = read_bytes(self, (Py_ssize_t)len);
    if (b) {
        total = (size_t)PyBytes_GET_SIZE(b);
        memcpy(view.buf, PyBytes_AS_STRING(b), total);
        Py_DECREF(b);
    }
    PyBuffer_Release(&view);
    return b ? PyLong_FromSize_t(total) : NULL;
}

/* One line (with its '\n'), at most limit bytes when limit >= 0; empty at the end. */
static PyObject *line_bytes(PyObject *self, Py_ssize_t limit) {
    PyObject *out = PyBytes_FromStringAndSize(NULL, 0);
    char chunk[128];
    size_t n = 0;
    for (;;) {
        if (limit >= 0 && (Py_ssize_t)(PyBytes_GET_SIZE(out) + (Py_ssize_t)n) >= limit) {
            break;
        }
        size_t got;
        if (result(self, read_some(self, chunk + n, 1, &got)) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        if (got == 0) {
            break;
        }
        n++;
        bool eol = chunk[n - 1] == '\n';
        if (n == sizeof chunk || eol) {
            PyObject *piece = PyBytes_FromStringAndSize(chunk, (Py_ssize_t)n);
            PyBytes_ConcatAndDel(&out, piece);
            n = 0;
            if (!out) {
                return NULL;
            }
        }
        if (eol) {
            return out;
        }
    }
    if (n) {
        PyBytes_ConcatAndDel(&out, PyBytes_FromStringAndSize(chunk, (Py_ssize_t)n));
    }
    return out;
}

static PyObject *file_readline(PyObject *self, PyObject *args) {
    Py_ssize_t limit = -1;
    if (!PyArg_ParseTuple(args, "|n:readline", &limit) || open_check(self) < 0) {
        return NULL;
    }
    return as_result(self, line_bytes(self, limit));
}

static PyObject *file_readlines(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (open_check(self) < 0) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    while (list) {
        PyObject *line = as_result(self, line_bytes(self, -1));
        if (!line) {
            Py_CLEAR(list);
            break;
        }
        if (PyObject_Length(line) == 0) {
            Py_DECREF(line);
            break;
        }
        if (PyList_Append(list, line) < 0) {
            Py_CLEAR(list);
        }
        Py_DECREF(line);
    }
    return list;
}

static PyObject *file_iternext(PyObject *self) {
    if (open_check(self) < 0) {
        return NULL;
    }
    PyObject *line = as_result(self, line_bytes(self, -1));
    if (line && PyObject_Length(line) == 0) {
        Py_CLEAR(line); /* StopIteration */
    }
    return line;
}

/* write(buf[, max_len]) or write(buf, off, max_len), of anything with the buffer protocol or a
 * str (UTF-8), as MicroPython's stream write takes both in either mode. */
static PyObject *file_write(PyObject *self, PyObject *args) {
    PyObject *data;
    Py_ssize_t a = -1, b = -1;
    if (!PyArg_ParseTuple(args, "O|nn:write", &data, &a, &b) || open_check(self) < 0) {
        return NULL;
    }
    PyObject *encoded = NULL;
    Py_buffer view;
    if (PyUnicode_Check(data)) {
        encoded = PyUnicode_AsUTF8String(data);
        if (!encoded || PyObject_GetBuffer(encoded, &view, PyBUF_SIMPLE) < 0) {
            Py_XDECREF(encoded);
            return NULL;
        }
    } else if (c9py_get_buffer(data, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    Py_ssize_t off = 0, len = view.len;
    if (b >= 0) {
        off = C9_MIN(a < 0 ? 0 : a, view.len);
        len = C9_MIN(b, view.len - off);
    } else if (a >= 0) {
        len = C9_MIN(a, view.len);
    }
    /* A copy Python cannot change while a Python block device runs during the write. */
    PyObject *copy = PyBytes_FromStringAndSize((const char *)view.buf + off, len);
    PyBuffer_Release(&view);
    Py_XDECREF(encoded);
    if (!copy) {
        return NULL;
    }
    size_t done = 0;
    c9_err_t err = SELF->writable
                       ? SELF->fs->write(SELF->fs->ctx, SELF->handle, PyBytes_AS_STRING(copy), (size_t)len, &done)
                       : -EACCES;
    if (err == C9_OK && done != (size_t)len) {
        err = -ENOSPC; /* FatFs's short write: the volume is full */
    }
    Py_DECREF(copy);
    if (result(self, err) < 0) {
        return NULL;
    }
    return PyLong_FromSize_t(done);
}

static PyObject *file_flush(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (open_check(self) < 0 || result(self, SELF->fs->sync(SELF->fs->ctx, SELF->handle)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static c9_err_t close_handle(PyObject *self) {
    if (!SELF->handle) {
        return C9_OK;
    }
    void *h = SELF->handle;
    SELF->handle = NULL;
    return SELF->fs->close(SELF->fs->ctx, h);
}

static PyObject *file_close(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (result(self, close_handle(self)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *file_seek(PyObject *self, PyObject *args) {
    long long offset;
    int whence = 0;
    if (!PyArg_ParseTuple(args, "L|i:seek", &offset, &whence) || open_check(self) < 0) {
        return NULL;
    }
    if (whence < 0 || whence > 2) {
        return c9rt_raise_errno(EINVAL);
    }
    uint64_t pos;
    if (result(self, SELF->fs->seek(SELF->fs->ctx, SELF->handle, offset, whence, &pos)) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(pos);
}

static PyObject *file_tell(PyObject *self, PyObject *noargs) {
    (void)noargs;
    uint64_t pos;
    if (open_check(self) < 0 || result(self, SELF->fs->seek(SELF->fs->ctx, SELF->handle, 0, 1, &pos)) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(pos);
}

static PyObject *file_enter(PyObject *self, PyObject *noargs) {
    (void)noargs;
    return Py_NewRef(self);
}

static PyObject *file_exit(PyObject *self, PyObject *args) {
    (void)args;
    return file_close(self, NULL);
}

static PyObject *file_repr(PyObject *self) {
    return PyUnicode_FromFormat("<io.%s %x>", SELF->text ? "TextIOWrapper" : "FileIO", (unsigned)(uintptr_t)self);
}

static void file_dealloc(PyObject *self) {
    /* __del__: a file dropped without close() is closed; its data is on the device already. */
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    close_handle(self);
    c9py_vfs_check(SELF->vfs);
    PyErr_Clear();
    PyErr_Restore(t, v, tb);
    Py_CLEAR(SELF->vfs);
    PyObject_Free(self);
}

static PyMethodDef file_methods[] = {
    {"read", file_read, METH_VARARGS, NULL},         {"readinto", file_readinto, METH_VARARGS, NULL},
    {"readline", file_readline, METH_VARARGS, NULL}, {"readlines", file_readlines, METH_NOARGS, NULL},
    {"write", file_write, METH_VARARGS, NULL},       {"flush", file_flush, METH_NOARGS, NULL},
    {"close", file_close, METH_NOARGS, NULL},        {"seek", file_seek, METH_VARARGS, NULL},
    {"tell", file_tell, METH_NOARGS, NULL},          {"__enter__", file_enter, METH_NOARGS, NULL},
    {"__exit__", file_exit, METH_VARARGS, NULL},     {NULL},
};

static PyTypeObject FileIO_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "FileIO",
    .tp_basicsize = sizeof(file_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = file_dealloc,
    .tp_repr = file_repr,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = file_iternext,
    .tp_methods = file_methods,
};

static PyTypeObject TextIOWrapper_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "TextIOWrapper",
    .tp_basicsize = sizeof(file_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = file_dealloc,
    .tp_repr = file_repr,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = file_iternext,
    .tp_methods = file_methods,
};

int c9py_fat_file_types_ready(void) {
    if (c9py_type_ready(&FileIO_Type) < 0 || c9py_type_ready(&TextIOWrapper_Type) < 0) {
        return -1;
    }
    /* Code that asks io whether it has a binary or a text file (OnDiskBitmap does) gets yes. */
    PyObject *io = PyImport_ImportModuleLevel("io", NULL, NULL, NULL, 0);
    PyObject *raw = io ? PyObject_GetAttrString(io, "RawIOBase") : NULL;
    PyObject *textb = io ? PyObject_GetAttrString(io, "TextIOBase") : NULL;
    PyObject *a = raw ? PyObject_CallMethod(raw, "register", "O", (PyObject *)&FileIO_Type) : NULL;
    PyObject *b = textb ? PyObject_CallMethod(textb, "register", "O", (PyObject *)&TextIOWrapper_Type) : NULL;
    int rc = a && b ? 0 : -1;
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(raw);
    Py_XDECREF(textb);
    Py_XDECREF(io);
    return rc;
}
