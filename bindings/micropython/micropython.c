/*
 * micropython: the parts CircuitPython programs use on a desktop runtime. const(x) returns
 * x; native and viper are decorators that return the function unchanged (there is no native
 * emitter here, and the semantics a program can observe are the same).
 */
#include "c9py.h"

static PyObject *mp_const(PyObject *self, PyObject *arg) {
    (void)self;
    Py_INCREF(arg);
    return arg;
}

static PyObject *mp_identity_decorator(PyObject *self, PyObject *fn) {
    (void)self;
    Py_INCREF(fn);
    return fn;
}

static PyObject *mp_opt_level(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static long level = 0;
    int32_t v;
    if (c9py_arg_check_call(args, kw, 0, 0, 1, false) < 0) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(args) == 0) {
        return PyLong_FromLong(level);
    }
    if (c9py_mp_int(PyTuple_GET_ITEM(args, 0), &v) < 0) {
        return NULL;
    }
    level = v;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"const", mp_const, METH_O, "const(expr): the value itself."},
    {"native", mp_identity_decorator, METH_O, "Decorator; returns the function unchanged."},
    {"viper", mp_identity_decorator, METH_O, "Decorator; returns the function unchanged."},
    {"asm_thumb", mp_identity_decorator, METH_O, "Decorator; returns the function unchanged."},
    {"opt_level", (PyCFunction)(void (*)(void))mp_opt_level, METH_VARARGS | METH_KEYWORDS,
     "opt_level([level]): get or set the optimisation level."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "micropython", NULL, -1, methods};

PyObject *c9py_init_micropython(void) {
    return PyModule_Create(&def);
}
