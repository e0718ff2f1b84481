#include "c9py_index.h"

#include <string.h>

const c9_allocator_t *c9py_runtime_allocator = NULL;

const c9_allocator_t *c9py_allocator(void) {
    return c9py_runtime_allocator ? c9py_runtime_allocator : c9_allocator_default();
}

PyObject *c9py_raise_nomem(size_t bytes) {
    PyErr_Format(PyExc_MemoryError, "memory allocation failed, allocating %zu bytes", bytes);
    return NULL;
}

void *c9py_malloc(size_t size) {
    void *p = c9_alloc(c9py_allocator(), size ? size : 1);
    if (!p) {
        c9py_raise_nomem(size);
    }
    return p;
}

void c9py_free(void *p, size_t size) {
    if (p) {
        c9_free(c9py_allocator(), p, size ? size : 1);
    }
}

const char *c9py_type_name(PyObject *obj) {
    const char *n = Py_TYPE(obj)->tp_name;
    const char *dot = strrchr(n, '.');
    return dot ? dot + 1 : n;
}

int c9py_int(PyObject *obj, const char *name, long *out) {
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        /* MicroPython accepts bools as ints; so do we, but nothing else. */
        if (!PyBool_Check(obj)) {
            PyErr_Format(PyExc_TypeError, "%s must be of type int, not %s", name, c9py_type_name(obj));
            return -1;
        }
    }
    long v = PyLong_AsLong(obj);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = v;
    return 0;
}

int c9py_mp_int(PyObject *obj, int32_t *out) {
    if (!PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", c9py_type_name(obj));
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow || v < INT32_MIN || v > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
        return -1;
    }
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

int c9py_mp_float(PyObject *obj, double *out) {
    if (!PyFloat_Check(obj) && !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to float", c9py_type_name(obj));
        return -1;
    }
    *out = PyFloat_AsDouble(obj);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

int c9py_setter_present(PyObject *v) {
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "can't delete attribute");
        return -1;
    }
    return 0;
}

int c9py_setter_bool(PyObject *v) {
    return c9py_setter_present(v) < 0 ? -1 : PyObject_IsTrue(v);
}

int c9py_setter_int_range(PyObject *v, long min, long max, const char *name, long *out) {
    int32_t i;
    if (c9py_setter_present(v) < 0 || c9py_mp_int(v, &i) < 0 || c9py_check_range(i, min, max, name) < 0) {
        return -1;
    }
    *out = i;
    return 0;
}

int c9py_float(PyObject *obj, const char *name, double *out) {
    if (!PyFloat_Check(obj) && !PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be of type float, not %s", name, c9py_type_name(obj));
        return -1;
    }
    double v = PyFloat_AsDouble(obj);
    if (v == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    *out = v;
    return 0;
}

const char *c9py_cstr(PyObject *str) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(str, &len);
    if (s && strlen(s) != (size_t)len) {
        PyErr_SetString(PyExc_ValueError, "embedded null byte");
        return NULL;
    }
    return s;
}

int c9py_int_strict(PyObject *obj, const char *name, long *out) {
    int32_t v;
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be of type int, not %s", name, c9py_type_name(obj));
        return -1;
    }
    if (c9py_mp_int(obj, &v) < 0) {
        return -1;
    }
    *out = v;
    return 0;
}

int c9py_opt_index(PyObject *obj, c9_opt_index_t *out) {
    int32_t v;
    if (!obj || obj == Py_None) {
        *out = C9_NO_INDEX;
        return 0;
    }
    if (c9py_mp_int(obj, &v) < 0) {
        return -1;
    }
    *out = c9_index((uint32_t)v);
    return 0;
}

int c9py_coord_pair(PyObject *const in[4], int width, int height, c9_rect_t *r) {
    static const char *const names[2][2] = {{"x1", "x2"}, {"y1", "y2"}};
    const int lim[2] = {width, height};
    long lo[2], hi[2];
    for (int axis = 0; axis < 2; axis++) {
        PyObject *a = in[axis], *b = in[axis + 2];
        lo[axis] = 0;
        if (a && (c9py_int_strict(a, names[axis][0], &lo[axis]) < 0 ||
                  c9py_check_range(lo[axis], 0, lim[axis], names[axis][0]) < 0)) {
            return -1;
        }
        hi[axis] = lim[axis];
        if (b && b != Py_None &&
            (c9py_int_strict(b, names[axis][1], &hi[axis]) < 0 ||
             c9py_check_range(hi[axis], lo[axis], lim[axis], names[axis][1]) < 0)) {
            return -1;
        }
    }
    *r = (c9_rect_t){(int16_t)lo[0], (int16_t)lo[1], (int16_t)hi[0], (int16_t)hi[1]};
    return 0;
}

int c9py_check_range(long value, long min, long max, const char *name) {
    if (value < min || value > max) {
        PyErr_Format(PyExc_ValueError, "%s must be %ld-%ld", name, min, max);
        return -1;
    }
    return 0;
}

int c9py_check_index(long value, long min, long max, const char *name) {
    if (value < min || value > max) {
        PyErr_Format(PyExc_IndexError, "%s must be %ld-%ld", name, min, max);
        return -1;
    }
    return 0;
}

int c9py_check_min(long value, long min, const char *name) {
    if (value < min) {
        PyErr_Format(PyExc_ValueError, "%s must be >= %ld", name, min);
        return -1;
    }
    return 0;
}

int c9py_int_range(PyObject *obj, long min, long max, const char *name, long *out) {
    if (c9py_int(obj, name, out) < 0) {
        return -1;
    }
    return c9py_check_range(*out, min, max, name);
}

int c9py_check_type(PyObject *obj, PyTypeObject *type, const char *name) {
    if (!PyObject_TypeCheck(obj, type)) {
        const char *tn = strrchr(type->tp_name, '.');
        PyErr_Format(PyExc_TypeError, "%s must be of type %s, not %s", name, tn ? tn + 1 : type->tp_name,
                     c9py_type_name(obj));
        return -1;
    }
    return 0;
}

int c9py_get_buffer(PyObject *obj, Py_buffer *view, int flags) {
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return -1;
    }
    return PyObject_GetBuffer(obj, view, flags);
}

int c9py_add_type(PyObject *module, const char *name, PyTypeObject *type) {
    if (c9py_type_ready(type) < 0) {
        return -1;
    }
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

/* ---- enums ------------------------------------------------------------------------------- */

static PyObject *enum_repr(PyObject *self) {
    c9py_enum_obj_t *e = (c9py_enum_obj_t *)self;
    return PyUnicode_FromFormat("%s.%s", e->qualname, e->name);
}

static PyObject *enum_new_forbidden(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)args;
    (void)kw;
    PyErr_Format(PyExc_TypeError, "cannot create '%s' instances", type->tp_name);
    return NULL;
}

static PyTypeObject enum_base_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "circuit9.Enum",
    .tp_basicsize = sizeof(c9py_enum_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_repr = enum_repr,
    .tp_new = enum_new_forbidden,
};

PyTypeObject *c9py_enum_type_new(const char *qualname, const char *const *names) {
    if (PyType_Ready(&enum_base_type) < 0) {
        return NULL;
    }
    PyType_Slot slots[] = {{0, NULL}};
    PyType_Spec spec = {qualname, sizeof(c9py_enum_obj_t), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *bases = PyTuple_Pack(1, (PyObject *)&enum_base_type);
    if (!bases) {
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)PyType_FromSpecWithBases(&spec, bases);
    Py_DECREF(bases);
    if (!type) {
        return NULL;
    }
    for (int i = 0; names[i]; i++) {
        c9py_enum_obj_t *m = PyObject_New(c9py_enum_obj_t, type);
        if (!m) {
            Py_DECREF(type);
            return NULL;
        }
        m->value = i;
        m->name = names[i];
        m->qualname = qualname;
        int rc = PyObject_SetAttrString((PyObject *)type, names[i], (PyObject *)m);
        Py_DECREF(m);
        if (rc < 0) {
            Py_DECREF(type);
            return NULL;
        }
    }
    return type;
}

int c9py_enum_value(PyObject *obj, PyTypeObject *type, const char *arg_name, const char *type_name) {
    if (!type || !PyObject_TypeCheck(obj, type)) {
        PyErr_Format(PyExc_TypeError, "%s must be of type %s, not %s", arg_name, type_name, c9py_type_name(obj));
        return -1;
    }
    return ((c9py_enum_obj_t *)obj)->value;
}
