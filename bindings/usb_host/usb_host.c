/* usb_host: Port(dp, dm), the board's USB host port, and set_user_keymap() for the keyboard
 * workflow. The port is a singleton that outlives the VM (runtime/c9rt_usb.h). */
#include "c9py.h"
#include "c9rt_usb.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

#include <string.h>

typedef struct {
    C9PY_OBJECT_HEAD
} port_obj_t;

static PyTypeObject Port_Type;
static PyObject *the_port; /* kept for the rest of the run, as CircuitPython's static instance */

/* The name CircuitPython's assert_pin_free() prints: the pin's first name on the board. */
static const char *pin_name(int id) {
    const c9_board_t *b = c9_port_board();
    const char *mcu = c9_port_pin_name(id);
    for (size_t i = 0; b && i < b->pin_count; i++) {
        if (!strcmp(b->pins[i].mcu_pin, mcu)) {
            return b->pins[i].name;
        }
    }
    return mcu;
}

static PyObject *port_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)type;
    if (c9py_arg_check_call(args, kw, 0, 2, 2, false) < 0) {
        return NULL;
    }
    int dp = c9py_pin_arg(PyTuple_GET_ITEM(args, 0), "dp", false);
    int dm = dp < 0 ? -1 : c9py_pin_arg(PyTuple_GET_ITEM(args, 1), "dm", false);
    if (dp < 0 || dm < 0) {
        return NULL;
    }
    /* CircuitPython's order: the pins must suit the port, then the singleton, then pins free. */
    const struct c9_usb_hcd_ops *ops;
    void *ctx;
    uint8_t rhport;
    c9_err_t err = c9_port_usb_host(dp, dm, &ops, &ctx, &rhport);
    if (err == C9_ERR_NODEV) {
        PyErr_SetString(PyExc_ValueError, "Invalid pins");
        return NULL;
    }
    if (err != C9_OK) {
        return c9py_raise(err);
    }
    int run_dp, run_dm;
    if (c9rt_usb_running(&run_dp, &run_dm)) {
        if (run_dp != dp || run_dm != dm) {
            PyErr_SetString(PyExc_RuntimeError, "usb_host in use");
            return NULL;
        }
    } else {
        if (c9_port_pin_in_use(dp) || c9_port_pin_in_use(dm)) {
            PyErr_Format(PyExc_ValueError, "%s in use", pin_name(c9_port_pin_in_use(dp) ? dp : dm));
            return NULL;
        }
        c9_port_pin_claim(dp);
        c9_port_pin_claim(dm);
        err = c9rt_usb_start(dp, dm);
        if (err != C9_OK) {
            c9_port_pin_release(dp);
            c9_port_pin_release(dm);
            return c9py_raise(err);
        }
    }
    if (!the_port && !(the_port = c9py_object_new(&Port_Type))) {
        return NULL;
    }
    Py_INCREF(the_port);
    return the_port;
}

static PyTypeObject Port_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "usb_host.Port",
    .tp_basicsize = sizeof(port_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Port(dp, dm): the USB host port on these D+ and D- pins (one per board).",
    .tp_new = port_new,
};

static PyObject *set_user_keymap(PyObject *m, PyObject *keymap) {
    (void)m;
    Py_buffer view;
    if (c9py_get_buffer(keymap, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    c9rt_usb_set_keymap(view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

static PyMethodDef functions[] = {
    {"set_user_keymap", set_user_keymap, METH_O,
     "set_user_keymap(keymap, /): the USB keyboard's key map (256 bytes, 384 with AltGr)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "usb_host", "USB host ports.", -1, functions};

PyObject *c9py_init_usb_host(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "Port", &Port_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
