/* pwmio: PWMOut on the machine's timers (port.h). Which timer a pin gets, the frequency it really
 * runs at and the duty cycle it reads back are the chip's (mcu.h on the virtual board). */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    bool variable_frequency;
    bool deinited;
} pwm_obj_t;

#define SELF ((pwm_obj_t *)self)

/* common_hal_pwmio_pwmout_raise_error's messages. */
static const c9py_err_override_t pwm_errors[] = {
    {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"},
    {C9_ERR_INVAL, &PyExc_ValueError, "Invalid frequency"},
    {C9_ERR_MCU_VARIABLE_FREQUENCY, &PyExc_ValueError, "Invalid variable_frequency"},
    {C9_ERR_BUSY, &PyExc_RuntimeError, "Internal resource(s) in use"},
    {C9_ERR_IO, &PyExc_RuntimeError, "Internal error"},
    {C9_OK},
};

static int construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pin, ARG_duty_cycle, ARG_frequency, ARG_variable_frequency };
    static const c9py_arg_t allowed[] = {
        {"pin", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"duty_cycle", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"frequency", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 500}},
        {"variable_frequency", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[4];
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(a[ARG_pin].u_obj, "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    /* CircuitPython takes the low 16 bits of duty_cycle and the frequency as unsigned, unchecked. */
    c9_err_t err = c9_port_pwm_open(id, (uint32_t)a[ARG_frequency].u_int, (uint16_t)a[ARG_duty_cycle].u_int,
                                    a[ARG_variable_frequency].u_bool, NULL);
    if (err != C9_OK) {
        c9_port_pin_release(id);
        return c9py_fail(err, pwm_errors);
    }
    SELF->pin = id;
    SELF->variable_frequency = a[ARG_variable_frequency].u_bool;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(pwm_init, construct)

static void release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_pwm_close(SELF->pin);
        c9_port_pin_release(SELF->pin);
        SELF->deinited = true;
    }
}

static void dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int alive(PyObject *self) {
    return c9py_alive(self, SELF->deinited);
}

static PyObject *deinit(PyObject *self, PyObject *u) {
    (void)u;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    release(self);
    Py_RETURN_NONE;
}

static PyObject *ctx_exit(PyObject *self, PyObject *args) {
    (void)args;
    return deinit(self, NULL);
}

static PyObject *get_duty_cycle(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyLong_FromLong(c9_port_pwm_duty(SELF->pin));
}

static int set_duty_cycle(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long duty;
    if (alive(self) < 0 || c9py_setter_int_range(v, 0, 0xFFFF, "duty_cycle", &duty) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_pwm_set_duty(SELF->pin, (uint16_t)duty);
    return err == C9_OK ? 0 : c9py_fail(err, pwm_errors);
}

static PyObject *get_frequency(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyLong_FromUnsignedLong(c9_port_pwm_frequency(SELF->pin));
}

static int set_frequency(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (alive(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (!SELF->variable_frequency) {
        PyErr_SetString(PyExc_AttributeError, "Invalid variable_frequency");
        return -1;
    }
    int32_t f;
    if (c9py_mp_int(v, &f) < 0) {
        return -1;
    }
    if (f == 0) {
        PyErr_SetString(PyExc_ValueError, "Invalid frequency");
        return -1;
    }
    c9_err_t err = c9_port_pwm_set_frequency(SELF->pin, (uint32_t)f, NULL);
    return err == C9_OK ? 0 : c9py_fail(err, pwm_errors);
}

static PyMethodDef methods[] = {
    {"deinit", deinit, METH_NOARGS, "Deinitialises the PWMOut and releases any hardware resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"duty_cycle", get_duty_cycle, set_duty_cycle,
     "16 bit value that dictates how much of one cycle is high (1) versus low (0).", NULL},
    {"frequency", get_frequency, set_frequency,
     "32 bit value that dictates the PWM frequency in Hertz (cycles per second).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject PWMOut_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pwmio.PWMOut",
    .tp_basicsize = sizeof(pwm_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "PWMOut(pin, *, duty_cycle=0, frequency=500, variable_frequency=False)",
    .tp_new = c9py_native_new,
    .tp_init = pwm_init,
    .tp_dealloc = dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "pwmio", "Support for PWM based protocols", -1, NULL};

PyObject *c9py_init_pwmio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "PWMOut", &PWMOut_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
