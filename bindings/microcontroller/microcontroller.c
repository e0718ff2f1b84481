/* microcontroller: Pin objects for the virtual board's pins, and microcontroller.pin. */
#include "../displayio/c9py_display.h"
#include "../supervisor/c9rt.h"

static PyObject *pin_cache[C9_VPIN_MAX];

static PyObject *pin_repr(PyObject *self) {
    return PyUnicode_FromFormat("microcontroller.pin.%s", c9_vpin_name(((c9py_pin_obj_t *)self)->id));
}

static Py_hash_t pin_hash(PyObject *self) {
    return ((c9py_pin_obj_t *)self)->id + 1;
}

static PyObject *pin_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    PyErr_SetString(PyExc_TypeError, "cannot create 'Pin' instances");
    return NULL;
}

PyTypeObject c9py_Pin_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "microcontroller.Pin",
    .tp_basicsize = sizeof(c9py_pin_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Identifies an IO pin on the microcontroller.",
    .tp_repr = pin_repr,
    .tp_hash = pin_hash,
    .tp_new = pin_new_forbidden,
};

PyObject *c9py_pin_get(int id) {
    if (id < 0 || id >= C9_VPIN_MAX) {
        PyErr_SetString(PyExc_ValueError, "Invalid pin");
        return NULL;
    }
    if (!pin_cache[id]) {
        c9py_pin_obj_t *p = (c9py_pin_obj_t *)c9py_object_new(&c9py_Pin_Type);
        if (!p) {
            return NULL;
        }
        p->id = id;
        pin_cache[id] = (PyObject *)p; /* kept for the life of the process: pins are singletons */
    }
    Py_INCREF(pin_cache[id]);
    return pin_cache[id];
}

int c9py_pin_arg(PyObject *obj, const char *name, bool allow_none) {
    if (allow_none && obj == Py_None) {
        return -2;
    }
    if (c9py_check_type(obj, &c9py_Pin_Type, name) < 0) {
        return -1;
    }
    return ((c9py_pin_obj_t *)obj)->id;
}

int c9py_pin_claim(int id, const char *name) {
    if (c9_vpin_claim(id) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "%s in use", name);
        return -1;
    }
    return 0;
}

/* microcontroller.pin: a module whose attributes are all the pins known now. Every pin of the board
 * is known by then (GPIO48 and PA08 are not among the host's default pins), whether or not a
 * supervisor wired the board first: a script and the Python package get the same pins. */
static PyObject *make_pin_module(void) {
    const c9_board_t *b = c9rt.board ? c9rt.board : c9_board_default();
    for (size_t i = 0; i < b->pin_count; i++) {
        c9_vpin(b->pins[i].mcu_pin);
    }
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "microcontroller.pin", "Microcontroller pin names.", -1,
                                     NULL};
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    for (int i = 0; i < c9_vpin_count(); i++) {
        PyObject *p = c9py_pin_get(i);
        if (!p || PyModule_AddObject(m, c9_vpin_name(i), p) < 0) {
            Py_XDECREF(p);
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "microcontroller",
                                 "Pin references and microcontroller state (the display subset).", -1, NULL};

PyObject *c9py_init_microcontroller(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "Pin", &c9py_Pin_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyObject *pins = make_pin_module();
    if (!pins || PyModule_AddObject(m, "pin", pins) < 0) {
        Py_XDECREF(pins);
        Py_DECREF(m);
        return NULL;
    }
    /* supervisor hook: cpu, reset(), on_next_reset(), RunMode (bindings/microcontroller/Processor.c) */
    extern int c9py_microcontroller_add_supervisor_parts(PyObject * m);
    if (c9py_microcontroller_add_supervisor_parts(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
