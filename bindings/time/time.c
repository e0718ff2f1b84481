/* CircuitPython's time module: monotonic time since the board started, an interruptible
 * sleep, and time()/localtime()/mktime() on the board's RTC (or rtc.set_time_source()'s object)
 * in UTC with CircuitPython's calendar (from 2000), giving CPython's struct_time type. */
#include "c9rt.h"
#include "circuit9/port.h"
#include "time/time.h"

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

/* The machine's clock; a board without a real-time clock counts from 2000-01-01 at power-on, as
 * CircuitPython's do. */
static int64_t machine_seconds(void) {
    int64_t seconds;
    if (c9_port_rtc_get(&seconds) != C9_OK) {
        seconds = 946684800 + (int64_t)(c9_port_now_ns() / 1000000000u);
    }
    return seconds;
}

int64_t c9py_rtc_now(void) {
    return machine_seconds() + c9rt.rtc_offset;
}

void c9py_rtc_set(int64_t seconds) {
    c9rt.rtc_offset = seconds - machine_seconds();
}

static PyObject *time_out_of_range(void) {
    PyErr_SetString(PyExc_OverflowError, "timestamp out of range for platform time_t");
    return NULL;
}

/* The tuple check both struct_time_to_tm and mktime begin with; the items, borrowed. */
static PyObject *const *nine_items(PyObject *t) {
    if (!PyTuple_Check(t)) {
        PyErr_Format(PyExc_TypeError, "value must be of type struct_time, not %s", c9py_type_name(t));
        return NULL;
    }
    if (PyTuple_GET_SIZE(t) != 9) {
        PyErr_Format(PyExc_TypeError, "function takes 9 positional arguments but %zd were given", PyTuple_GET_SIZE(t));
        return NULL;
    }
    return &PyTuple_GET_ITEM(t, 0);
}

int c9py_struct_time_to_tm(PyObject *t, c9_rtc_tm_t *tm) {
    PyObject *const *items = nine_items(t);
    if (!items) {
        return -1;
    }
    int32_t *fields[8] = {&tm->year, &tm->mon, &tm->mday, &tm->hour, &tm->min, &tm->sec, &tm->wday, &tm->yday};
    for (size_t i = 0; i < 8; i++) {
        if (c9py_mp_int(items[i], fields[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

PyObject *c9py_struct_time_from_tm(const c9_rtc_tm_t *tm) {
    int64_t s;
    c9_rtc_tm_t when;
    if (c9_rtc_seconds(tm->year, tm->mon, tm->mday, tm->hour, tm->min, tm->sec, &s) != C9_OK ||
        c9_rtc_civil(s, &when) != C9_OK) {
        return time_out_of_range();
    }
    PyObject *st = host_time_attr("struct_time");
    if (!st) {
        return NULL;
    }
    PyObject *r = PyObject_CallFunction(st, "((iiiiiiiii))", (int)tm->year, (int)tm->mon, (int)tm->mday, (int)tm->hour,
                                        (int)tm->min, (int)tm->sec, (int)when.wday, (int)when.yday, -1);
    Py_DECREF(st);
    return r;
}

PyObject *c9py_time_source_now(void) {
    c9_rtc_tm_t tm;
    if (!c9rt.time_source) {
        if (c9_rtc_civil(c9py_rtc_now(), &tm) != C9_OK) {
            return time_out_of_range();
        }
        return c9py_struct_time_from_tm(&tm);
    }
    /* The source may drop itself (set_time_source from its own property): hold it. */
    PyObject *source = c9rt.time_source;
    Py_INCREF(source);
    PyObject *dt = PyObject_GetAttrString(source, "datetime");
    Py_DECREF(source);
    if (!dt) {
        return NULL;
    }
    int rc = c9py_struct_time_to_tm(dt, &tm);
    Py_DECREF(dt);
    return rc < 0 ? NULL : c9py_struct_time_from_tm(&tm);
}

static PyObject *t_time(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    PyObject *now = c9py_time_source_now();
    if (!now) {
        return NULL;
    }
    c9_rtc_tm_t tm;
    int64_t s;
    int rc = c9py_struct_time_to_tm(now, &tm);
    Py_DECREF(now);
    if (rc < 0) {
        return NULL;
    }
    if (c9_rtc_seconds(tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, &s) != C9_OK) {
        return time_out_of_range();
    }
    return PyLong_FromLongLong((long long)s);
}

static PyObject *t_localtime(PyObject *m, PyObject *args) {
    (void)m;
    PyObject *arg = Py_None;
    if (!PyArg_UnpackTuple(args, "localtime", 0, 1, &arg)) {
        return NULL;
    }
    if (arg == Py_None) {
        return c9py_time_source_now();
    }
    int32_t secs;
    if (PyFloat_Check(arg)) {
        double d = PyFloat_AS_DOUBLE(arg);
        if (!(d > -2147483649.0 && d < 2147483648.0)) {
            PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
            return NULL;
        }
        secs = (int32_t)d;
    } else if (c9py_mp_int(arg, &secs) < 0) {
        return NULL;
    }
    /* CircuitPython's calendar starts in 2000. */
    c9_rtc_tm_t tm;
    if (secs < 946684800 || c9_rtc_civil(secs, &tm) != C9_OK) {
        return time_out_of_range();
    }
    return c9py_struct_time_from_tm(&tm);
}

static PyObject *t_mktime(PyObject *m, PyObject *t) {
    (void)m;
    PyObject *const *items = nine_items(t);
    if (!items) {
        return NULL;
    }
    int32_t f[6];
    for (size_t i = 0; i < 6; i++) {
        if (c9py_mp_int(items[i], &f[i]) < 0) {
            return NULL;
        }
        if (i == 0 && f[0] < 2000) {
            PyErr_SetString(PyExc_OverflowError, "tm_year out of range");
            return NULL;
        }
    }
    int64_t s;
    if (c9_rtc_seconds(f[0], f[1], f[2], f[3], f[4], f[5], &s) != C9_OK) {
        return time_out_of_range();
    }
    return PyLong_FromLongLong((long long)s);
}

static PyMethodDef methods[] = {
    {"monotonic", t_monotonic, METH_NOARGS, "Seconds since the board started, as a float."},
    {"monotonic_ns", t_monotonic_ns, METH_NOARGS, "Nanoseconds since the board started."},
    {"sleep", t_sleep, METH_O, "Sleeps for the given number of seconds."},
    {"time", t_time, METH_NOARGS, "Seconds since 1970 as an int."},
    {"localtime", t_localtime, METH_VARARGS, NULL},
    {"mktime", t_mktime, METH_O, NULL},
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
