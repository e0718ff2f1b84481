/* The supervisor's part of microcontroller: cpu (a Processor with frequency, temperature,
 * voltage, uid, reset_reason), reset(), on_next_reset(), RunMode and delay_us(). reset() stops
 * the program like a reload and the supervisor starts the board again from boot.py, in safe mode
 * when on_next_reset(RunMode.SAFE_MODE) asked for it. Added to the module by
 * c9py_microcontroller_add_supervisor_parts(), called from microcontroller.c's init. */
#include "c9rt.h"
#include "microcontroller/microcontroller.h"

#include <time.h>

static PyTypeObject *run_mode_type;
static PyTypeObject *reset_reason_type;
static const char *const run_mode_names[] = {"NORMAL", "SAFE_MODE", "UF2", "BOOTLOADER", NULL};
static const char *const reset_reason_names[] = {
    "POWER_ON", "BROWNOUT", "SOFTWARE", "DEEP_SLEEP_ALARM", "RESET_PIN", "WATCHDOG", "UNKNOWN", "RESCUE_DEBUG", NULL};

typedef struct {
    C9PY_OBJECT_HEAD
} processor_obj_t;

static const c9_board_t *board(void) {
    return c9rt.board ? c9rt.board : c9_board_default();
}

static PyObject *p_frequency(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyLong_FromUnsignedLong(board()->cpu_frequency);
}

static PyObject *p_temperature(PyObject *self, void *c) {
    (void)self;
    (void)c;
    /* A die a little above room temperature, as an idle board reports. */
    return PyFloat_FromDouble(32.5);
}

static PyObject *p_voltage(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyFloat_FromDouble(3.3);
}

static PyObject *p_uid(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyByteArray_FromStringAndSize((const char *)board()->uid, board()->uid_len);
}

static PyObject *p_reset_reason(PyObject *self, void *c) {
    (void)self;
    (void)c;
    /* A start of `circuit9 run` is a power-on; microcontroller.reset() a software reset. */
    return PyObject_GetAttrString((PyObject *)reset_reason_type,
                                  c9rt.run_reason == C9RT_RUN_STARTUP && !c9rt.reset_requested ? "POWER_ON"
                                                                                               : "SOFTWARE");
}

static PyGetSetDef p_getset[] = {
    {"frequency", p_frequency, NULL, NULL, NULL},       {"temperature", p_temperature, NULL, NULL, NULL},
    {"voltage", p_voltage, NULL, NULL, NULL},           {"uid", p_uid, NULL, NULL, NULL},
    {"reset_reason", p_reset_reason, NULL, NULL, NULL}, {NULL},
};

static PyTypeObject processor_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "microcontroller.Processor",
    .tp_basicsize = sizeof(processor_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_getset = p_getset,
};

static PyObject *mc_reset(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    if (!c9rt.active) {
        PyErr_SetString(PyExc_NotImplementedError, "microcontroller.reset() needs `circuit9 run`");
        return NULL;
    }
    c9rt.reset_requested = true;
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return NULL;
}

static PyObject *mc_on_next_reset(PyObject *m, PyObject *arg) {
    (void)m;
    int v = c9py_enum_value(arg, run_mode_type, "run_mode", "RunMode");
    if (v < 0) {
        return NULL;
    }
    c9rt.next_reset_mode = v;
    Py_RETURN_NONE;
}

static PyObject *mc_delay_us(PyObject *m, PyObject *arg) {
    (void)m;
    long us;
    if (c9py_int(arg, "delay", &us) < 0) {
        return NULL;
    }
    if (us > 0) {
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        Py_BEGIN_ALLOW_THREADS nanosleep(&ts, NULL);
        Py_END_ALLOW_THREADS
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"reset", mc_reset, METH_NOARGS, "Resets the board: boot.py and code.py run again."},
    {"on_next_reset", mc_on_next_reset, METH_O, "Sets the RunMode of the next reset."},
    {"delay_us", mc_delay_us, METH_O, "Busy-waits the given microseconds."},
    {NULL},
};

int c9py_microcontroller_add_supervisor_parts(PyObject *m) {
    if (!run_mode_type) {
        run_mode_type = c9py_enum_type_new("microcontroller.RunMode", run_mode_names);
        reset_reason_type = c9py_enum_type_new("microcontroller.ResetReason", reset_reason_names);
        if (!run_mode_type || !reset_reason_type) {
            return -1;
        }
    }
    if (c9py_add_type(m, "Processor", &processor_type) < 0) {
        return -1;
    }
    PyObject *cpu = c9py_object_new(&processor_type);
    if (!cpu || PyModule_AddObject(m, "cpu", cpu) < 0) {
        Py_XDECREF(cpu);
        return -1;
    }
    Py_INCREF(run_mode_type);
    if (PyModule_AddObject(m, "RunMode", (PyObject *)run_mode_type) < 0) {
        Py_DECREF(run_mode_type);
        return -1;
    }
    Py_INCREF(reset_reason_type);
    if (PyModule_AddObject(m, "ResetReason", (PyObject *)reset_reason_type) < 0) {
        Py_DECREF(reset_reason_type);
        return -1;
    }
    for (PyMethodDef *d = methods; d->ml_name; d++) {
        PyObject *f = PyCFunction_NewEx(d, NULL, PyModule_GetNameObject(m));
        if (!f || PyModule_AddObject(m, d->ml_name, f) < 0) {
            Py_XDECREF(f);
            return -1;
        }
    }
    return 0;
}
