/* digitalio: DigitalInOut on the machine's pins (port.h). */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    bool output;
    bool deinited;
} dio_obj_t;

#define SELF ((dio_obj_t *)self)

static PyTypeObject *direction_type;
static const char *const direction_names[] = {"INPUT", "OUTPUT", NULL};

static int dio_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    SELF->pin = id;
    SELF->output = false;
    SELF->deinited = false;
    c9_port_pin_input(id, C9_PORT_PULL_NONE); /* a new DigitalInOut is an input without pull */
    return 0;
}
C9PY_DEFINE_INIT(dio_init, dio_construct)

static void dio_release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_pin_release(SELF->pin);
        SELF->deinited = true;
    }
}

static void dio_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        dio_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (SELF->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

static PyObject *dio_deinit(PyObject *self, PyObject *u) {
    (void)u;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    dio_release(self);
    Py_RETURN_NONE;
}

static PyObject *switch_to_output(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_value, ARG_drive_mode };
    static const c9py_arg_t allowed[] = {
        {"value", C9PY_ARG_BOOL, {.u_bool = false}},
        {"drive_mode", C9PY_ARG_OBJ},
    };
    c9py_argval_t a[2];
    if (alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    SELF->output = true;
    c9_port_pin_output(SELF->pin, a[ARG_value].u_bool, C9_PORT_DRIVE_PUSH_PULL);
    Py_RETURN_NONE;
}

static PyObject *switch_to_input(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"pull", C9PY_ARG_OBJ, {.u_obj = Py_None}}};
    c9py_argval_t a[1];
    if (alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    SELF->output = false;
    c9_port_pin_input(SELF->pin, C9_PORT_PULL_NONE);
    Py_RETURN_NONE;
}

static PyObject *get_value(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyBool_FromLong(c9_port_pin_read(SELF->pin));
}

static int set_value(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return -1;
    }
    if (!SELF->output) {
        PyErr_SetString(PyExc_AttributeError, "Cannot set value when direction is input.");
        return -1;
    }
    int b = c9py_setter_bool(v);
    if (b < 0) {
        return -1;
    }
    c9_port_pin_write(SELF->pin, b);
    return 0;
}

static PyObject *get_direction(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    return PyObject_GetAttrString((PyObject *)direction_type, SELF->output ? "OUTPUT" : "INPUT");
}

static int set_direction(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int d = alive(self) < 0 || c9py_setter_present(v) < 0
                ? -1
                : c9py_enum_value(v, direction_type, "direction", "Direction");
    if (d < 0) {
        return -1;
    }
    /* As CircuitPython's setter: an output starts low and push-pull, an input without pull. */
    SELF->output = d == 1;
    if (SELF->output) {
        c9_port_pin_output(SELF->pin, false, C9_PORT_DRIVE_PUSH_PULL);
    } else {
        c9_port_pin_input(SELF->pin, C9_PORT_PULL_NONE);
    }
    return 0;
}

static PyObject *ctx_enter(PyObject *self, PyObject *u) {
    (void)u;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    Py_INCREF(self);
    return self;
}

static PyObject *ctx_exit(PyObject *self, PyObject *args) {
    (void)args;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    dio_release(self);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"deinit", dio_deinit, METH_NOARGS, "Turn off the DigitalInOut and release the pin."},
    {"switch_to_output", (PyCFunction)(void (*)(void))switch_to_output, METH_VARARGS | METH_KEYWORDS, NULL},
    {"switch_to_input", (PyCFunction)(void (*)(void))switch_to_input, METH_VARARGS | METH_KEYWORDS, NULL},
    {"__enter__", ctx_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"value", get_value, set_value, "The digital logic level of the pin.", NULL},
    {"direction", get_direction, set_direction, "The direction of the pin.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject DigitalInOut_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "digitalio.DigitalInOut",
    .tp_basicsize = sizeof(dio_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "DigitalInOut(pin)",
    .tp_new = c9py_native_new,
    .tp_init = dio_init,
    .tp_dealloc = dio_dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "digitalio", "Basic digital pin support.", -1, NULL};

PyObject *c9py_init_digitalio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (!direction_type && !(direction_type = c9py_enum_type_new("digitalio.Direction", direction_names))) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(direction_type);
    if (PyModule_AddObject(m, "Direction", (PyObject *)direction_type) < 0 ||
        c9py_add_type(m, "DigitalInOut", &DigitalInOut_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
