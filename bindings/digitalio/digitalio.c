/* digitalio: DigitalInOut on the machine's pins (port.h), with Direction, Pull and DriveMode as
 * CircuitPython 9.2.9 has them. */
#include "digitalio/digitalio.h"

#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    bool output;
    uint8_t pull;  /* c9_port_pull_t, while an input */
    uint8_t drive; /* c9_port_drive_t, while an output */
    bool latch;    /* the level the program last set */
    bool deinited;
} dio_obj_t;

#define SELF ((dio_obj_t *)self)

static PyTypeObject *direction_type, *pull_type, *drive_mode_type;
static const char *const direction_names[] = {"INPUT", "OUTPUT", NULL};
static const char *const pull_names[] = {"UP", "DOWN", NULL};
static const char *const drive_mode_names[] = {"PUSH_PULL", "OPEN_DRAIN", NULL};

static int make_types(void) {
    if (!direction_type && !(direction_type = c9py_enum_type_new("digitalio.Direction", direction_names))) {
        return -1;
    }
    if (!pull_type && !(pull_type = c9py_enum_type_new("digitalio.Pull", pull_names))) {
        return -1;
    }
    if (!drive_mode_type && !(drive_mode_type = c9py_enum_type_new("digitalio.DriveMode", drive_mode_names))) {
        return -1;
    }
    return 0;
}

static bool is_member(PyObject *obj, PyTypeObject *type, int value) {
    return type && PyObject_TypeCheck(obj, type) && ((c9py_enum_obj_t *)obj)->value == value;
}

int c9py_pull_arg(PyObject *obj, const char *name) {
    if (make_types() < 0) {
        return -1;
    }
    if (obj == Py_None) {
        return C9_PORT_PULL_NONE;
    }
    if (is_member(obj, pull_type, 0)) {
        return C9_PORT_PULL_UP;
    }
    if (is_member(obj, pull_type, 1)) {
        return C9_PORT_PULL_DOWN;
    }
    PyErr_Format(PyExc_TypeError, "%s must be of type Pull or None, not %s", name, c9py_type_name(obj));
    return -1;
}

PyObject *c9py_pull_object(int pull) {
    if (make_types() < 0) {
        return NULL;
    }
    if (pull == C9_PORT_PULL_NONE) {
        Py_RETURN_NONE;
    }
    return PyObject_GetAttrString((PyObject *)pull_type, pull == C9_PORT_PULL_UP ? "UP" : "DOWN");
}

/* DriveMode arguments are compared with OPEN_DRAIN only: anything else is push-pull, as in
 * CircuitPython's bindings. */
static uint8_t drive_arg(PyObject *obj) {
    return obj && is_member(obj, drive_mode_type, 1) ? C9_PORT_DRIVE_OPEN_DRAIN : C9_PORT_DRIVE_PUSH_PULL;
}

static int set_input(PyObject *self, uint8_t pull) {
    c9_err_t err = c9_port_pin_input(SELF->pin, (c9_port_pull_t)pull);
    if (err != C9_OK) {
        static const c9py_err_override_t errors[] = {{C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pull"}, {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->output = false;
    SELF->pull = pull;
    return 0;
}

static int set_output(PyObject *self, bool value, uint8_t drive) {
    c9_err_t err = c9_port_pin_output(SELF->pin, value, (c9_port_drive_t)drive);
    if (err != C9_OK) {
        /* An input-only pin, or one that cannot open-drain. */
        static const c9py_err_override_t errors[] = {{C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid direction"}, {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->output = true;
    SELF->drive = drive;
    SELF->latch = value;
    return 0;
}

static int dio_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (make_types() < 0 || c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    SELF->pin = id;
    SELF->deinited = false;
    /* A new DigitalInOut is an input without pull. */
    if (set_input(self, C9_PORT_PULL_NONE) < 0) {
        c9_port_pin_release(id);
        return -1;
    }
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
    return c9py_alive(self, SELF->deinited);
}

int c9py_digitalinout_pin(PyObject *obj, const char *name) {
    if (c9py_check_type(obj, &c9py_DigitalInOut_Type, name) < 0 || alive(obj) < 0) {
        return -1;
    }
    return ((dio_obj_t *)obj)->pin;
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
    if (alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0 ||
        set_output(self, a[ARG_value].u_bool, drive_arg(a[ARG_drive_mode].u_obj)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *switch_to_input(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"pull", C9PY_ARG_OBJ, {.u_obj = Py_None}}};
    c9py_argval_t a[1];
    int pull;
    if (alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 1, a) < 0 ||
        (pull = c9py_pull_arg(a[0].u_obj, "pull")) < 0 || set_input(self, (uint8_t)pull) < 0) {
        return NULL;
    }
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
    SELF->latch = b;
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
    if (alive(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    /* As CircuitPython's setter: an output starts low and push-pull, an input without pull. */
    if (is_member(v, direction_type, 0)) {
        return set_input(self, C9_PORT_PULL_NONE);
    }
    if (is_member(v, direction_type, 1)) {
        return set_output(self, false, C9_PORT_DRIVE_PUSH_PULL);
    }
    PyErr_SetString(PyExc_ValueError, "Invalid direction");
    return -1;
}

static PyObject *get_drive_mode(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    if (!SELF->output) {
        PyErr_SetString(PyExc_AttributeError, "Drive mode not used when direction is input.");
        return NULL;
    }
    return PyObject_GetAttrString((PyObject *)drive_mode_type,
                                  SELF->drive == C9_PORT_DRIVE_OPEN_DRAIN ? "OPEN_DRAIN" : "PUSH_PULL");
}

static int set_drive_mode(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (alive(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (!SELF->output) {
        PyErr_SetString(PyExc_AttributeError, "Drive mode not used when direction is input.");
        return -1;
    }
    /* The output keeps the level the program last set. */
    return set_output(self, SELF->latch, drive_arg(v));
}

static PyObject *get_pull(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    if (SELF->output) {
        PyErr_SetString(PyExc_AttributeError, "Pull not used when direction is output.");
        return NULL;
    }
    return c9py_pull_object(SELF->pull);
}

static int set_pull(PyObject *self, PyObject *v, void *c) {
    (void)c;
    if (alive(self) < 0 || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (SELF->output) {
        PyErr_SetString(PyExc_AttributeError, "Pull not used when direction is output.");
        return -1;
    }
    int pull = c9py_pull_arg(v, "pull");
    return pull < 0 ? -1 : set_input(self, (uint8_t)pull);
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
    {"switch_to_output", (PyCFunction)(void (*)(void))switch_to_output, METH_VARARGS | METH_KEYWORDS,
     "Set the drive mode and value and then switch to writing out digital values."},
    {"switch_to_input", (PyCFunction)(void (*)(void))switch_to_input, METH_VARARGS | METH_KEYWORDS,
     "Set the pull and then switch to read in digital values."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"direction", get_direction, set_direction, "The direction of the pin.", NULL},
    {"value", get_value, set_value, "The digital logic level of the pin.", NULL},
    {"drive_mode", get_drive_mode, set_drive_mode, "The pin drive mode.", NULL},
    {"pull", get_pull, set_pull, "The pin pull direction.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_DigitalInOut_Type = {
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

static int add_enum(PyObject *m, const char *name, PyTypeObject *type) {
    Py_INCREF(type);
    if (PyModule_AddObject(m, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyObject *c9py_init_digitalio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (make_types() < 0 || add_enum(m, "Direction", direction_type) < 0 || add_enum(m, "Pull", pull_type) < 0 ||
        add_enum(m, "DriveMode", drive_mode_type) < 0 ||
        c9py_add_type(m, "DigitalInOut", &c9py_DigitalInOut_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
