/* CircuitPython's time module: monotonic time since the board started, an interruptible
 * sleep, integer time(), and localtime()/mktime() with CPython's struct_time. */
#include "c9rt.h"
#include "circuit9/port.h"

#include <time.h>

static PyObject *host_time_attr(const char *name) {
    PyObject *t = PyImport_ImportModule("time");
    if (!t) {
        return NULL;
    }
    PyObject *a = PyObject_GetAttrString(t, name);
    Py_DECREF(t);
    return a;
}

static PyObject *t_monotonic(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return PyFloat_FromDouble((double)c9rt_now_ns() / 1e9);
}

static PyObject *t_monotonic_ns(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return PyLong_FromUnsignedLongLong(c9rt_now_ns());
}

static PyObject *t_sleep(PyObject *m, PyObject *arg) {
    (void)m;
    double s;
    if (c9py_float(arg, "seconds", &s) < 0) {
        return NULL;
    }
    if (s < 0) {
        PyErr_SetString(PyExc_ValueError, "sleep length must be non-negative");
        return NULL;
    }
    if (c9rt_sleep_ns((uint64_t)(s * 1e9)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *t_time(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    int64_t seconds;
    if (c9_port_rtc_get(&seconds) != C9_OK) {
        /* A board without a set real-time clock counts from 2000-01-01, as CircuitPython's does. */
        seconds = 946684800 + (int64_t)(c9_port_now_ns() / 1000000000u);
    }
    return PyLong_FromLongLong((long long)seconds);
}

static PyObject *call_host(const char *name, PyObject *args) {
    PyObject *f = host_time_attr(name);
    if (!f) {
        return NULL;
    }
    PyObject *r = PyObject_CallObject(f, args);
    Py_DECREF(f);
    return r;
}

static PyObject *t_localtime(PyObject *m, PyObject *args) {
    (void)m;
    return call_host("localtime", args);
}

static PyObject *t_mktime(PyObject *m, PyObject *args) {
    (void)m;
    PyObject *r = call_host("mktime", args);
    if (!r) {
        return NULL;
    }
    /* CircuitPython's mktime returns an int. */
    PyObject *i = PyNumber_Long(r);
    Py_DECREF(r);
    return i;
}

static PyMethodDef methods[] = {
    {"monotonic", t_monotonic, METH_NOARGS, "Seconds since the board started, as a float."},
    {"monotonic_ns", t_monotonic_ns, METH_NOARGS, "Nanoseconds since the board started."},
    {"sleep", t_sleep, METH_O, "Sleeps for the given number of seconds."},
    {"time", t_time, METH_NOARGS, "Seconds since 1970 as an int."},
    {"localtime", t_localtime, METH_VARARGS, NULL},
    {"mktime", t_mktime, METH_VARARGS, NULL},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "time", "CircuitPython's time module", -1, methods};

PyObject *c9py_init_time(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    PyObject *st = host_time_attr("struct_time");
    if (!st || PyModule_AddObject(m, "struct_time", st) < 0) {
        Py_XDECREF(st);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
