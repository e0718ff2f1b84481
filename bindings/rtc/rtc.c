/* rtc as CircuitPython 9.2.9 has it: RTC() (the one real-time clock) with datetime and
 * calibration, and set_time_source(), whose object's datetime time.time() and time.localtime()
 * read instead of the RTC's until the program ends. The clock itself is time/time.h's. */
#include "c9rt.h"
#include "circuit9/port.h"
#include "time/time.h"

typedef struct {
    C9PY_OBJECT_HEAD
} rtc_obj_t;

static PyTypeObject rtc_type;
static PyObject *the_rtc;

static PyObject *rtc_new(PyTypeObject *t, PyObject *args, PyObject *kw) {
    (void)t;
    if (c9py_arg_check_call(args, kw, 0, 0, 0, false) < 0) {
        return NULL;
    }
    if (!the_rtc && !(the_rtc = c9py_object_new(&rtc_type))) {
        return NULL;
    }
    Py_INCREF(the_rtc);
    return the_rtc;
}

static PyObject *get_datetime(PyObject *self, void *closure) {
    (void)self;
    (void)closure;
    c9_rtc_tm_t tm;
    if (c9_rtc_civil(c9py_rtc_now(), &tm) != C9_OK) {
        PyErr_SetString(PyExc_OverflowError, "timestamp out of range for platform time_t");
        return NULL;
    }
    return c9py_struct_time_from_tm(&tm);
}

static int set_datetime(PyObject *self, PyObject *v, void *closure) {
    (void)self;
    (void)closure;
    c9_rtc_tm_t tm;
    if (c9py_setter_present(v) < 0 || c9py_struct_time_to_tm(v, &tm) < 0) {
        return -1;
    }
    int64_t s;
    if (c9_rtc_seconds(tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, &s) != C9_OK) {
        PyErr_SetString(PyExc_OverflowError, "timestamp out of range for platform time_t");
        return -1;
    }
    c9py_rtc_set(s);
    return 0;
}

static PyObject *get_calibration(PyObject *self, void *closure) {
    (void)self;
    (void)closure;
    int value;
    /* A chip without a correction reads 0, as CircuitPython's ESP32 and RP2040 ports answer. */
    return PyLong_FromLong(c9_port_rtc_calibration_get(&value) == C9_OK ? value : 0);
}

static int set_calibration(PyObject *self, PyObject *v, void *closure) {
    (void)self;
    (void)closure;
    int32_t value;
    if (c9py_setter_present(v) < 0 || c9py_mp_int(v, &value) < 0) {
        return -1;
    }
    int lo, hi;
    if (c9_port_rtc_calibration_range(&lo, &hi) != C9_OK) {
        PyErr_SetString(PyExc_NotImplementedError, "calibration");
        return -1;
    }
    if (c9py_check_range(value, lo, hi, "calibration") < 0) {
        return -1;
    }
    c9_err_t err = c9_port_rtc_calibration_set(value);
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}

static PyGetSetDef rtc_getset[] = {
    {"datetime", get_datetime, set_datetime, "The current date and time of the RTC as a time.struct_time.", NULL},
    {"calibration", get_calibration, set_calibration, "The RTC calibration value as an int.", NULL},
    {NULL},
};

static PyTypeObject rtc_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rtc.RTC",
    .tp_basicsize = sizeof(rtc_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Real Time Clock",
    .tp_getset = rtc_getset,
    .tp_new = rtc_new,
};

/* rtc_reset(): each program starts on the RTC; an object of the program before is not kept. */
static void drop_time_source(void *ctx) {
    (void)ctx;
    Py_CLEAR(c9rt.time_source);
}

static PyObject *set_time_source(PyObject *m, PyObject *source) {
    (void)m;
    if (c9rt_reset_add(drop_time_source, NULL) < 0) {
        PyErr_SetString(PyExc_RuntimeError, "too many reset hooks");
        return NULL;
    }
    Py_INCREF(source);
    Py_XSETREF(c9rt.time_source, source);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"set_time_source", set_time_source, METH_O, "Sets the RTC time source used by time.localtime()."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "rtc", "Real Time Clock", -1, methods};

PyObject *c9py_init_rtc(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "RTC", &rtc_type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
