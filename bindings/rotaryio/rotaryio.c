/* rotaryio: IncrementalEncoder on two pins, decoded by the port as the board's chip decodes it
 * (rotary.h: CircuitPython's software decoder, or the ESP32's pulse counter). */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

typedef struct {
    C9PY_OBJECT_HEAD int a, b;
    int32_t divisor;
    bool deinited;
} enc_obj_t;

#define SELF ((enc_obj_t *)self)

static int construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pin_a, ARG_pin_b, ARG_divisor };
    static const c9py_arg_t allowed[] = {
        {"pin_a", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"pin_b", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"divisor", C9PY_ARG_INT, {.u_int = 4}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return -1;
    }
    int pa = c9py_pin_arg(a[ARG_pin_a].u_obj, "pin_a", false);
    if (pa < 0 || c9py_pin_claim(pa, "pin_a") < 0) {
        return -1;
    }
    int pb = c9py_pin_arg(a[ARG_pin_b].u_obj, "pin_b", false);
    if (pb < 0 || c9py_pin_claim(pb, "pin_b") < 0) {
        c9_port_pin_release(pa);
        return -1;
    }
    c9_err_t err = c9_port_encoder_open(pa, pb, (int32_t)a[ARG_divisor].u_int);
    if (err != C9_OK) {
        c9_port_pin_release(pa);
        c9_port_pin_release(pb);
        static const c9py_err_override_t errors[] = {{C9_ERR_BUSY, &PyExc_RuntimeError, "All timers in use"}, {C9_OK}};
        return c9py_fail(err, errors);
    }
    SELF->a = pa;
    SELF->b = pb;
    SELF->divisor = (int32_t)a[ARG_divisor].u_int;
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(enc_init, construct)

static void release(PyObject *self) {
    if (!SELF->deinited) {
        c9_port_encoder_close(SELF->a);
        c9_port_pin_release(SELF->a);
        c9_port_pin_release(SELF->b);
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

static PyObject *get_position(PyObject *self, void *c) {
    (void)c;
    if (alive(self) < 0) {
        return NULL;
    }
    int32_t pos;
    c9_err_t err = c9_port_encoder_position(SELF->a, &pos);
    if (err == C9_ERR_RANGE) {
        /* The ESP32 port divides the count by the divisor; a board stops there. */
        PyErr_SetString(PyExc_ZeroDivisionError, "divide by zero");
        return NULL;
    }
    return err == C9_OK ? PyLong_FromLong(pos) : c9py_raise(err);
}

static int set_position(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int32_t pos;
    if (alive(self) < 0 || c9py_setter_present(v) < 0 || c9py_mp_int(v, &pos) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_encoder_set_position(SELF->a, pos);
    return err == C9_OK ? 0 : c9py_fail(err, NULL);
}

static PyObject *get_divisor(PyObject *self, void *c) {
    (void)c;
    return alive(self) < 0 ? NULL : PyLong_FromLong(SELF->divisor);
}

static int set_divisor(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int32_t d;
    if (alive(self) < 0 || c9py_setter_present(v) < 0 || c9py_mp_int(v, &d) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_encoder_set_divisor(SELF->a, d);
    if (err != C9_OK) {
        return c9py_fail(err, NULL);
    }
    SELF->divisor = d;
    return 0;
}

static PyMethodDef methods[] = {
    {"deinit", deinit, METH_NOARGS,
     "Deinitializes the IncrementalEncoder and releases any hardware resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", ctx_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"divisor", get_divisor, set_divisor, "The divisor of the quadrature signal.", NULL},
    {"position", get_position, set_position, "The current position in terms of pulses.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject IncrementalEncoder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rotaryio.IncrementalEncoder",
    .tp_basicsize = sizeof(enc_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "IncrementalEncoder(pin_a, pin_b, divisor=4)",
    .tp_new = c9py_native_new,
    .tp_init = enc_init,
    .tp_dealloc = dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "rotaryio", "Support for reading rotation sensors", -1, NULL};

PyObject *c9py_init_rotaryio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "IncrementalEncoder", &IncrementalEncoder_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
