/* analogio: AnalogIn and AnalogOut on the machine's ADC and DAC (port.h). The numbers are the
 * port's: AnalogIn.value is scaled to 16 bits as the chip's CircuitPython port scales it. */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    bool deinited;
} analog_obj_t;

#define SELF ((analog_obj_t *)self)

static int alive(PyObject *self) {
    return c9py_alive(self, SELF->deinited);
}

/* ---- AnalogIn --------------------------------------------------------------------------------- */

static int in_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    c9_err_t err = c9_port_analog_in_open(id);
    if (err != C9_OK) {
        c9_port_pin_release(id);
        static const c9py_err_override_t errors[] = {{C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"}, {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->pin = id;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(in_init, in_construct)

static void in_release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_analog_in_close(SELF->pin);
        c9_port_pin_release(SELF->pin);
        SELF->deinited = true;
    }
}

static void in_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        in_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static PyObject *in_deinit(PyObject *self, PyObject *u) {
    (void)u;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    in_release(self);
    Py_RETURN_NONE;
}

static PyObject *in_exit(PyObject *self, PyObject *args) {
    (void)args;
    return in_deinit(self, NULL);
}

static PyObject *in_value(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    uint16_t v;
    c9_err_t err = c9_port_analog_in_read(SELF->pin, &v);
    return err == C9_OK ? PyLong_FromLong(v) : c9py_raise(err);
}

static PyObject *in_reference_voltage(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    uint32_t mv = c9_port_analog_in_reference_mv(SELF->pin);
    if (!mv) {
        Py_RETURN_NONE; /* as CircuitPython: a reference of 0 or less is None */
    }
    /* 3.3 as the board prints its single-precision 3.3f. */
    return PyFloat_FromDouble(mv / 1000.0);
}

static PyMethodDef in_methods[] = {
    {"deinit", in_deinit, METH_NOARGS, "Turn off the AnalogIn and release the pin for other use."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", in_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef in_getset[] = {
    {"value", in_value, NULL, "The value on the analog pin between 0 and 65535 inclusive (16-bit).", NULL},
    {"reference_voltage", in_reference_voltage, NULL,
     "The maximum voltage measurable (also known as the reference voltage) as a float in Volts.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AnalogIn_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analogio.AnalogIn",
    .tp_basicsize = sizeof(analog_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "AnalogIn(pin)",
    .tp_new = c9py_native_new,
    .tp_init = in_init,
    .tp_dealloc = in_dealloc,
    .tp_methods = in_methods,
    .tp_getset = in_getset,
};

/* ---- AnalogOut -------------------------------------------------------------------------------- */

static int out_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    c9_err_t err = c9_port_analog_out_open(id);
    if (err != C9_OK) {
        c9_port_pin_release(id);
        /* Each chip's port says it its own way: SAMD21 "Invalid pin" off its DAC pin, the ESP32-S3
         * a bare NotImplementedError, the RP2040 NotImplementedError("AnalogOut"). */
        static const c9py_err_override_t errors[] = {
            {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"},
            {C9_ERR_NOSYS, &PyExc_NotImplementedError, NULL},
            {C9_OK},
        };
        return c9py_fail(err, errors);
    }
    SELF->pin = id;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(out_init, out_construct)

static void out_release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_analog_out_close(SELF->pin);
        c9_port_pin_release(SELF->pin);
        SELF->deinited = true;
    }
}

static void out_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        out_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static PyObject *out_deinit(PyObject *self, PyObject *u) {
    (void)u;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    out_release(self);
    Py_RETURN_NONE;
}

static PyObject *out_exit(PyObject *self, PyObject *args) {
    (void)args;
    return out_deinit(self, NULL);
}

/* value is write-only, as in CircuitPython. */
static PyObject *out_get_value(PyObject *self, void *c) {
    (void)c;
    (void)self;
    PyErr_SetString(PyExc_AttributeError, "unreadable attribute");
    return NULL;
}

static int out_set_value(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long value;
    if (alive(self) < 0 || c9py_setter_int_range(v, 0, 65535, "value", &value) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_analog_out_write(SELF->pin, (uint16_t)value);
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}

static PyMethodDef out_methods[] = {
    {"deinit", out_deinit, METH_NOARGS, "Turn off the AnalogOut and release the pin for other use."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", out_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef out_getset[] = {
    {"value", out_get_value, out_set_value, "The value on the analog pin between 0 and 65535 inclusive (16-bit).",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AnalogOut_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "analogio.AnalogOut",
    .tp_basicsize = sizeof(analog_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "AnalogOut(pin)",
    .tp_new = c9py_native_new,
    .tp_init = out_init,
    .tp_dealloc = out_dealloc,
    .tp_methods = out_methods,
    .tp_getset = out_getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "analogio", "Analog hardware support", -1, NULL};

PyObject *c9py_init_analogio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && (c9py_add_type(m, "AnalogIn", &AnalogIn_Type) < 0 || c9py_add_type(m, "AnalogOut", &AnalogOut_Type) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
