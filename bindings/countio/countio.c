/* countio: Counter, counting a pin's edges in the port (a pulse counter on the chip, a watched wire
 * on the virtual board), with the chip's limits (the RP2040 counts on PWM channel B pins only). */
#include "c9py.h"
#include "circuit9/port.h"
#include "circuit9/rotary.h"
#include "digitalio/digitalio.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int pin;
    bool deinited;
} counter_obj_t;

#define SELF ((counter_obj_t *)self)

static PyTypeObject *edge_type;
static const char *const edge_names[] = {"RISE", "FALL", "RISE_AND_FALL", NULL};

static int construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pin, ARG_edge, ARG_pull };
    static const c9py_arg_t allowed[] = {
        {"pin", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"edge", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"pull", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return -1;
    }
    int id = c9py_pin_arg(a[ARG_pin].u_obj, "pin", false);
    if (id < 0 || (c9_port_pin_in_use(id) && c9py_pin_claim(id, "pin") < 0)) {
        return -1;
    }
    int edge = C9_COUNTER_FALL;
    if (a[ARG_edge].u_obj && (edge = c9py_enum_value(a[ARG_edge].u_obj, edge_type, "edge", "Edge")) < 0) {
        return -1;
    }
    int pull = c9py_pull_arg(a[ARG_pull].u_obj, "pull");
    if (pull < 0 || c9py_pin_claim(id, "pin") < 0) {
        return -1;
    }
    c9_err_t err = c9_port_counter_open(id, (uint8_t)edge, (c9_port_pull_t)pull);
    if (err != C9_OK) {
        c9_port_pin_release(id);
        static const c9py_err_override_t errors[] = {{C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"},
                                                     {C9_ERR_BUSY, &PyExc_RuntimeError, "All PCNT units in use"},
                                                     {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->pin = id;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(counter_init, construct)

static void release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_counter_close(SELF->pin);
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

static PyObject *get_count(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    int64_t n;
    c9_err_t err = c9_port_counter_get(SELF->pin, &n);
    return err == C9_OK ? PyLong_FromLongLong(n) : c9py_raise(err);
}

static int set_count(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int32_t n;
    if (alive(self) < 0 || c9py_setter_present(v) < 0 || c9py_mp_int(v, &n) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_counter_set(SELF->pin, n);
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}

static PyObject *reset(PyObject *self, PyObject *u) {
    (void)u;
    if (alive(self) < 0) {
        return NULL;
    }
    c9_err_t err = c9_port_counter_set(SELF->pin, 0);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
}

static PyMethodDef methods[] = {
    {"deinit", deinit, METH_NOARGS, "Deinitializes the Counter and releases any hardware resources for reuse."},
    {"reset", reset, METH_NOARGS, "Resets the count back to 0."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"count", get_count, set_count, "The current count in terms of pulses.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Counter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "countio.Counter",
    .tp_basicsize = sizeof(counter_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Counter(pin, *, edge=Edge.FALL, pull=None)",
    .tp_new = c9py_native_new,
    .tp_init = counter_init,
    .tp_dealloc = dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "countio", "Support for edge counting", -1, NULL};

PyObject *c9py_init_countio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (!edge_type && !(edge_type = c9py_enum_type_new("countio.Edge", edge_names))) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(edge_type);
    if (PyModule_AddObject(m, "Edge", (PyObject *)edge_type) < 0) {
        Py_DECREF(edge_type);
        Py_DECREF(m);
        return NULL;
    }
    if (c9py_add_type(m, "Counter", &Counter_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
