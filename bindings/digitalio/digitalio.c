/* digitalio: DigitalInOut on the virtual board's pins (outputs drive the wires panels watch). */
#include "../displayio/c9py_display.h"

typedef struct {
    PyObject_HEAD int pin;
    bool output;
    bool deinited;
} dio_obj_t;

#define SELF ((dio_obj_t *)self)

static PyTypeObject *direction_type;
static const char *const direction_names[] = {"INPUT", "OUTPUT", NULL};

static PyObject *dio_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"pin", NULL};
    PyObject *pin;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:DigitalInOut", kwlist, &pin)) {
        return NULL;
    }
    int id = c9py_pin_arg(pin, "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (self) {
        SELF->pin = id;
    } else {
        c9_vpin_release(id);
    }
    return self;
}

static void dio_release(PyObject *self) {
    if (!SELF->deinited) {
        c9_vpin_release(SELF->pin);
        SELF->deinited = true;
    }
}

static void dio_dealloc(PyObject *self) {
    dio_release(self);
    Py_TYPE(self)->tp_free(self);
}

static int alive(PyObject *self) {
    if (SELF->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

static PyObject *dio_deinit(PyObject *self, PyObject *u) {
    (void)u;
    dio_release(self);
    Py_RETURN_NONE;
}

static PyObject *switch_to_output(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"value", "drive_mode", NULL};
    int value = 0;
    PyObject *mode = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|pO:switch_to_output", kwlist, &value, &mode) || alive(self) < 0) {
        return NULL;
    }
    SELF->output = true;
    c9_vpin_write(SELF->pin, value);
    Py_RETURN_NONE;
}

static PyObject *switch_to_input(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"pull", NULL};
    PyObject *pull = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:switch_to_input", kwlist, &pull) || alive(self) < 0) {
        return NULL;
    }
    SELF->output = false;
    Py_RETURN_NONE;
}

static PyObject *get_value(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyBool_FromLong(c9_vpin_read(SELF->pin));
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
    int b = PyObject_IsTrue(v);
    if (b < 0) {
        return -1;
    }
    c9_vpin_write(SELF->pin, b);
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
    int d = c9py_enum_value(v, direction_type, "direction", "Direction");
    if (d < 0 || alive(self) < 0) {
        return -1;
    }
    SELF->output = d == 1;
    return 0;
}

static PyObject *ctx_enter(PyObject *self, PyObject *u) {
    (void)u;
    Py_INCREF(self);
    return self;
}

static PyObject *ctx_exit(PyObject *self, PyObject *args) {
    (void)args;
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
    .tp_new = dio_new,
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
