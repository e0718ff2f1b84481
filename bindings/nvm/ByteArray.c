/* nvm.ByteArray as CircuitPython 9.2.9 has it: no constructor (microcontroller.nvm is the only
 * one), len(), indexes and step-1 slices that read and write through the port, with the board's
 * messages. Every write reaches the port before it returns, so it is in the memory when the
 * program stops, as on a board. */
#include "nvm/ByteArray.h"
#include "circuit9/port.h"

#include <string.h>

typedef struct {
    C9PY_OBJECT_HEAD
} nvm_obj_t;

static PyObject *singleton;

static Py_ssize_t nvm_len(PyObject *self) {
    (void)self;
    return (Py_ssize_t)c9_port_nvm_size();
}

static PyObject *write_failed(void) {
    PyErr_SetString(PyExc_RuntimeError, "Unable to write to nvm.");
    return NULL;
}

/* mp_get_index: an int (a bool is one) counted from the end when negative. */
static int nvm_index(PyObject *key, size_t *out) {
    if (!PyLong_Check(key)) {
        PyErr_Format(PyExc_TypeError, "ByteArray indices must be integers, not %s", c9py_type_name(key));
        return -1;
    }
    int32_t i;
    if (c9py_mp_int(key, &i) < 0) {
        return -1;
    }
    int64_t len = (int64_t)c9_port_nvm_size();
    int64_t j = i < 0 ? (int64_t)i + len : (int64_t)i;
    if (j < 0 || j >= len) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return -1;
    }
    *out = (size_t)j;
    return 0;
}

/* mp_seq_get_fast_slice_indexes: only step 1, an empty slice where stop comes before start. */
static int nvm_slice(PyObject *key, size_t *start, size_t *len) {
    Py_ssize_t b, e, step;
    if (PySlice_Unpack(key, &b, &e, &step) < 0) {
        return -1;
    }
    PySlice_AdjustIndices((Py_ssize_t)c9_port_nvm_size(), &b, &e, step);
    if (step != 1) {
        PyErr_SetString(PyExc_NotImplementedError, "only slices with step=1 (aka None) are supported");
        return -1;
    }
    *start = (size_t)b;
    *len = e > b ? (size_t)(e - b) : 0;
    return 0;
}

static PyObject *read_bytes(size_t start, size_t len) {
    PyObject *out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)len);
    if (!out) {
        return NULL;
    }
    c9_err_t err = c9_port_nvm_read(start, PyByteArray_AS_STRING(out), len);
    if (err != C9_OK) {
        Py_DECREF(out);
        return c9py_raise(err);
    }
    return out;
}

static PyObject *nvm_subscript(PyObject *self, PyObject *key) {
    (void)self;
    size_t start, len;
    if (PySlice_Check(key)) {
        if (nvm_slice(key, &start, &len) < 0) {
            return NULL;
        }
        return read_bytes(start, len);
    }
    if (nvm_index(key, &start) < 0) {
        return NULL;
    }
    uint8_t v;
    c9_err_t err = c9_port_nvm_read(start, &v, 1);
    return err == C9_OK ? PyLong_FromLong(v) : c9py_raise(err);
}

/* The sequence protocol's item, for iteration and `in`: the index is already counted from the
 * end; past the end is the IndexError that ends an iteration. */
static PyObject *nvm_item(PyObject *self, Py_ssize_t i) {
    (void)self;
    if (i < 0 || (size_t)i >= c9_port_nvm_size()) {
        PyErr_SetString(PyExc_IndexError, "index out of range");
        return NULL;
    }
    uint8_t v;
    c9_err_t err = c9_port_nvm_read((size_t)i, &v, 1);
    return err == C9_OK ? PyLong_FromLong(v) : c9py_raise(err);
}

/* CircuitPython takes an array, bytearray, memoryview or bytes, each item one byte. */
static bool byte_source(PyObject *v) {
    return PyBytes_Check(v) || PyByteArray_Check(v) || PyMemoryView_Check(v) ||
           !strcmp(Py_TYPE(v)->tp_name, "array.array");
}

static int nvm_ass_subscript(PyObject *self, PyObject *key, PyObject *value) {
    if (!value) {
        PyErr_Format(PyExc_TypeError, "'%s' object doesn't support item deletion", c9py_type_name(self));
        return -1;
    }
    size_t start, len;
    if (PySlice_Check(key)) {
        if (nvm_slice(key, &start, &len) < 0) {
            return -1;
        }
        if (!byte_source(value)) {
            PyErr_SetString(PyExc_NotImplementedError, "array/bytes required on right side");
            return -1;
        }
        Py_buffer view;
        if (PyObject_GetBuffer(value, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            return -1;
        }
        int rc = -1;
        if ((size_t)view.len != len) {
            PyErr_SetString(PyExc_ValueError, "Slice and value different lengths.");
        } else if (view.itemsize != 1) {
            PyErr_SetString(PyExc_ValueError, "Array values should be single bytes.");
        } else if (c9_port_nvm_write(start, view.buf, len) != C9_OK) {
            write_failed();
        } else {
            rc = 0;
        }
        PyBuffer_Release(&view);
        return rc;
    }
    if (nvm_index(key, &start) < 0) {
        return -1;
    }
    int32_t v;
    if (c9py_mp_int(value, &v) < 0 || c9py_check_range(v, 0, 255, "bytes") < 0) {
        return -1;
    }
    uint8_t byte = (uint8_t)v;
    if (c9_port_nvm_write(start, &byte, 1) != C9_OK) {
        write_failed();
        return -1;
    }
    return 0;
}

static PyObject *nvm_new(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)t;
    (void)a;
    (void)k;
    PyErr_SetString(PyExc_TypeError, "cannot create 'ByteArray' instances");
    return NULL;
}

static PyMappingMethods nvm_mapping = {
    .mp_length = nvm_len,
    .mp_subscript = nvm_subscript,
    .mp_ass_subscript = nvm_ass_subscript,
};

static PySequenceMethods nvm_sequence = {
    .sq_length = nvm_len,
    .sq_item = nvm_item,
};

PyTypeObject c9py_ByteArray_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nvm.ByteArray",
    .tp_basicsize = sizeof(nvm_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Presents a stretch of non-volatile memory as a bytearray.",
    .tp_as_mapping = &nvm_mapping,
    .tp_as_sequence = &nvm_sequence,
    .tp_new = nvm_new,
};

PyObject *c9py_nvm_get(void) {
    if (!c9_board_has_module(c9_port_board(), "nvm") || c9_port_nvm_size() == 0) {
        Py_RETURN_NONE;
    }
    if (!singleton) {
        if (c9py_type_ready(&c9py_ByteArray_Type) < 0) {
            return NULL;
        }
        singleton = c9py_object_new(&c9py_ByteArray_Type);
        if (!singleton) {
            return NULL;
        }
    }
    Py_INCREF(singleton);
    return singleton;
}
