/*
 * Native classes that Python code can subclass the way MicroPython allows (py/objtype.c,
 * mp_obj_instance_make_new and native_base_init_wrapper). CPython splits construction into
 * tp_new and tp_init; MicroPython's make_new does both, and for a subclass it defers the native
 * constructor so that the subclass's __init__ can call it with arguments of its choosing. Here
 * tp_new makes a blank object, tp_init is the native constructor, and the metaclass below runs
 * the constructor after __init__ when the subclass never called it, with the call's arguments.
 */
#include "c9py.h"

#include <string.h>

static const char *short_name(const PyTypeObject *type) {
    const char *dot = strrchr(type->tp_name, '.');
    return dot ? dot + 1 : type->tp_name;
}

/* The static class whose layout the instance has (MicroPython's single native base), or NULL
 * when that is not one of ours (a Python class that borrowed the metaclass). */
static PyTypeObject *native_base(PyTypeObject *type) {
    while (type && (type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        type = type->tp_base;
    }
    return type && Py_TYPE(type) == &c9py_NativeType_Type ? type : NULL;
}

/* Glyph is a tuple and cannot carry the common head: it has its own test. */
static bool is_blank(PyObject *obj, PyTypeObject *base) {
    if (base == &c9py_Glyph_Type) {
        return c9py_glyph_is_blank(obj);
    }
    return ((c9py_object_t *)obj)->c9py_state == C9PY_BLANK;
}

/* Class call: type.__call__ (tp_new, then __init__), then the deferred native construction. */
static PyObject *native_type_call(PyObject *cls, PyObject *args, PyObject *kw) {
    PyObject *obj = PyType_Type.tp_call(cls, args, kw);
    if (!obj || !PyObject_TypeCheck(obj, (PyTypeObject *)cls)) {
        return obj; /* failed, or __new__ returned something else: __init__ did not run either */
    }
    PyTypeObject *base = native_base(Py_TYPE(obj));
    if (base && base->tp_init && is_blank(obj, base) && base->tp_init(obj, args, kw) < 0) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

/* Class creation: a class without a constructor of its own (Pin, BuiltinFont) is no base, with
 * MicroPython's message. */
static PyObject *native_type_new(PyTypeObject *meta, PyObject *args, PyObject *kw) {
    if (PyTuple_Check(args) && PyTuple_GET_SIZE(args) == 3 && PyTuple_Check(PyTuple_GET_ITEM(args, 1))) {
        PyObject *bases = PyTuple_GET_ITEM(args, 1);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(bases); i++) {
            PyObject *b = PyTuple_GET_ITEM(bases, i);
            if (PyType_Check(b) && !(((PyTypeObject *)b)->tp_flags & Py_TPFLAGS_BASETYPE)) {
                PyErr_Format(PyExc_TypeError, "type '%s' is not an acceptable base type",
                             short_name((PyTypeObject *)b));
                return NULL;
            }
        }
    }
    return PyType_Type.tp_new(meta, args, kw);
}

PyTypeObject c9py_NativeType_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "circuit9.NativeType",
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The metaclass of circuit9's native classes: constructs the native part of a subclass instance "
              "after __init__ when __init__ did not call super().__init__().",
    .tp_call = native_type_call,
    .tp_new = native_type_new,
};

int c9py_type_ready(PyTypeObject *type) {
    if (type->tp_flags & Py_TPFLAGS_READY) {
        return 0;
    }
    if (!(c9py_NativeType_Type.tp_flags & Py_TPFLAGS_READY)) {
        c9py_NativeType_Type.tp_base = &PyType_Type;
        if (PyType_Ready(&c9py_NativeType_Type) < 0) {
            return -1;
        }
    }
    if (Py_TYPE(type) == NULL || Py_TYPE(type) == &PyType_Type) {
        Py_SET_TYPE(type, &c9py_NativeType_Type);
    }
    return PyType_Ready(type);
}

PyObject *c9py_native_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)args;
    (void)kw;
    return type->tp_alloc(type, 0); /* zeroed: C9PY_BLANK */
}

int c9py_native_init(PyObject *self, PyObject *args, PyObject *kw,
                     int (*construct)(PyObject *, PyObject *, PyObject *)) {
    c9py_object_t *o = (c9py_object_t *)self;
    if (o->c9py_state != C9PY_BLANK) {
        /* Building it again would drop a native part that a group, a display or a decode may be
         * using (MicroPython replaces it and leaves the users holding the old one). */
        PyTypeObject *base = native_base(Py_TYPE(self));
        PyErr_Format(PyExc_RuntimeError, "%s.__init__() already called", short_name(base ? base : Py_TYPE(self)));
        return -1;
    }
    o->c9py_state = C9PY_CONSTRUCTING; /* Python code run by the constructor cannot re-enter it */
    int rc = construct(self, args, kw);
    o->c9py_state = rc < 0 ? C9PY_BLANK : C9PY_READY;
    return rc < 0 ? -1 : 0;
}

int c9py_ready(PyObject *obj) {
    if (((c9py_object_t *)obj)->c9py_state != C9PY_READY) {
        PyErr_SetString(PyExc_NotImplementedError, "Call super().__init__() before accessing native object.");
        return -1;
    }
    return 0;
}

int c9py_alive(PyObject *obj, bool deinited) {
    if (c9py_ready(obj) < 0) {
        return -1;
    }
    if (deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

PyObject *c9py_enter(PyObject *self, PyObject *unused) {
    (void)unused;
    return c9py_ready(self) < 0 ? NULL : Py_NewRef(self);
}

PyObject *c9py_object_new(PyTypeObject *type) {
    if (c9py_type_ready(type) < 0) {
        return NULL;
    }
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj) {
        ((c9py_object_t *)obj)->c9py_state = C9PY_READY;
    }
    return obj;
}
