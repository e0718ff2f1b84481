/* microcontroller: Pin objects for the machine's pins (port.h), and microcontroller.pin. */
#include "c9py.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"
#include "microcontroller/microcontroller.h"
#include "nvm/ByteArray.h"

#include <string.h>

/* One object per pin, kept for the life of the process: pins are singletons. */
static PyObject **pin_cache;
static int pin_cache_len;

const char *c9py_pin_name(int id, bool *on_board) {
    const char *mcu = c9_port_pin_name(id);
    const char *name = c9_board_pin_name(c9_port_board(), mcu);
    if (on_board) {
        *on_board = name != NULL;
    }
    return name ? name : mcu;
}

/* As CircuitPython prints a pin: board.D5 when the board names it, else microcontroller.pin.GPIO5. */
static PyObject *pin_repr(PyObject *self) {
    bool on_board;
    const char *name = c9py_pin_name(((c9py_pin_obj_t *)self)->id, &on_board);
    return PyUnicode_FromFormat(on_board ? "board.%s" : "microcontroller.pin.%s", name);
}

static Py_hash_t pin_hash(PyObject *self) {
    return ((c9py_pin_obj_t *)self)->id + 1;
}

static PyObject *pin_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)t;
    (void)a;
    (void)k;
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
    if (id < 0 || id >= c9_port_pin_count()) {
        PyErr_SetString(PyExc_ValueError, "Invalid pin");
        return NULL;
    }
    if (id >= pin_cache_len) {
        int n = c9_port_pin_count();
        PyObject **more = PyMem_Realloc(pin_cache, sizeof(PyObject *) * (size_t)n);
        if (!more) {
            PyErr_NoMemory();
            return NULL;
        }
        memset(more + pin_cache_len, 0, sizeof(PyObject *) * (size_t)(n - pin_cache_len));
        pin_cache = more;
        pin_cache_len = n;
    }
    if (!pin_cache[id]) {
        c9py_pin_obj_t *p = (c9py_pin_obj_t *)c9py_object_new(&c9py_Pin_Type);
        if (!p) {
            return NULL;
        }
        p->id = id;
        pin_cache[id] = (PyObject *)p;
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
    if (c9_port_pin_claim(id) != C9_OK) {
        /* CircuitPython names the pin (its board name first), not the argument. */
        const char *pin = c9py_pin_name(id, NULL);
        PyErr_Format(PyExc_ValueError, "%s in use", *pin ? pin : name);
        return -1;
    }
    return 0;
}

int c9py_pin_claim_optional(PyObject *obj, const char *name, int *out) {
    int id = c9py_pin_arg(obj, name, true);
    if (id == -1 || (id >= 0 && c9py_pin_claim(id, name) < 0)) {
        return -1;
    }
    *out = id < 0 ? -1 : id;
    return 0;
}

/* microcontroller.pin: a module whose attributes are the machine's pins: every pin of the board
 * the port stands for (a script and the Python package get the same pins as `circuit9 run`). */
static PyObject *make_pin_module(void) {
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "microcontroller.pin", "Microcontroller pin names.", -1,
                                     NULL};
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    for (int i = 0; i < c9_port_pin_count(); i++) {
        PyObject *p = c9py_pin_get(i);
        if (!p || PyModule_AddObject(m, c9_port_pin_name(i), p) < 0) {
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
    /* The board's non-volatile memory, or None where its build has no nvm module, as
     * CircuitPython's module table has it. */
    PyObject *nvm = c9py_nvm_get();
    if (!nvm || PyModule_AddObject(m, "nvm", nvm) < 0) {
        Py_XDECREF(nvm);
        Py_DECREF(m);
        return NULL;
    }
    /* supervisor hook: cpu, reset(), on_next_reset(), RunMode (bindings/microcontroller/Processor.c) */
    if (c9py_microcontroller_add_supervisor_parts(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
