/* touchio: TouchIn, a pad's capacitive reading from the port (the chip's touch sensor, or
 * CircuitPython's software touch); touched while value's reading is above the threshold. */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    uint16_t threshold;
    bool deinited;
} touch_obj_t;

#define SELF ((touch_obj_t *)self)

static int construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "pin", false);
    if (id < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    uint16_t threshold = 0;
    c9_err_t err = c9_port_touch_open(id, &threshold);
    if (err != C9_OK) {
        c9_port_pin_release(id);
        static const c9py_err_override_t errors[] = {{C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"}, {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->pin = id;
    SELF->threshold = threshold;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(touch_init, construct)

static void release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_touch_close(SELF->pin);
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

static int reading(PyObject *self, uint16_t *raw) {
    c9_err_t err = c9_port_touch_read(SELF->pin, raw);
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}

static PyObject *get_value(PyObject *self, void *c) {
    (void)c;
    uint16_t raw;
    if (alive(self) < 0 || reading(self, &raw) < 0) {
        return NULL;
    }
    return PyBool_FromLong(raw > SELF->threshold);
}

static PyObject *get_raw_value(PyObject *self, void *c) {
    (void)c;
    uint16_t raw;
    if (alive(self) < 0 || reading(self, &raw) < 0) {
        return NULL;
    }
    return PyLong_FromLong(raw);
}

static PyObject *get_threshold(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyLong_FromLong(SELF->threshold);
}

static int set_threshold(PyObject *self, PyObject *v, void *c) {
    (void)c;
    long t;
    if (alive(self) < 0 || c9py_setter_int_range(v, 0, 65535, "threshold", &t) < 0) {
        return -1;
    }
    SELF->threshold = (uint16_t)t;
    return 0;
}

static PyMethodDef methods[] = {
    {"deinit", deinit, METH_NOARGS, "Deinitializes the TouchIn and releases any hardware resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"value", get_value, NULL, "Whether the touch pad is being touched or not.", NULL},
    {"raw_value", get_raw_value, NULL, "The raw touch measurement as an int.", NULL},
    {"threshold", get_threshold, set_threshold,
     "Minimum raw_value needed to detect a touch (and for value to be True).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject TouchIn_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "touchio.TouchIn",
    .tp_basicsize = sizeof(touch_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "TouchIn(pin)",
    .tp_new = c9py_native_new,
    .tp_init = touch_init,
    .tp_dealloc = dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "touchio", "Touch related IO", -1, NULL};

PyObject *c9py_init_touchio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "TouchIn", &TouchIn_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
