/* The supervisor module: supervisor.runtime, reload(), set_next_code_file(), ticks_ms(),
 * get_previous_traceback(), RunReason and SafeModeReason. The requests are recorded in c9rt;
 * the `circuit9 run` loop acts on them as CircuitPython's main.c does. */
#include "c9py.h"
#include "busdisplay/busdisplay.h"
#include "c9rt.h"

#include <errno.h>
#include <string.h>

static PyTypeObject *run_reason_type;
static PyTypeObject *safe_mode_type;

static const char *const run_reason_names[] = {"STARTUP", "AUTO_RELOAD", "SUPERVISOR_RELOAD", "REPL_RELOAD", NULL};

typedef struct {
    C9PY_OBJECT_HEAD
} runtime_obj_t;

static PyObject *rt_get_autoreload(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyBool_FromLong(c9rt.autoreload);
}

static int rt_set_autoreload(PyObject *self, PyObject *v, void *c) {
    (void)self;
    (void)c;
    int b = c9py_setter_bool(v);
    if (b < 0) {
        return -1;
    }
    c9rt.autoreload = b;
    return 0;
}

static PyObject *enum_member(PyTypeObject *t, const char *const *names, int v) {
    return PyObject_GetAttrString((PyObject *)t, names[v]);
}

static PyObject *rt_get_safe_mode_reason(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return enum_member(safe_mode_type, c9rt_safe_mode_names, c9rt.safe_mode);
}

static PyObject *rt_get_run_reason(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return enum_member(run_reason_type, run_reason_names, c9rt.run_reason);
}

static PyObject *rt_get_serial_connected(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyBool_FromLong(c9rt.serial_connected);
}

static PyObject *rt_get_serial_bytes_available(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyLong_FromSize_t(c9rt.serial_bytes_available ? c9rt.serial_bytes_available() : 0);
}

static PyObject *rt_get_usb_connected(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyBool_FromLong(c9rt.active);
}

/* A display that has not been released (displayio.release_displays()) or deinitialised. */
static bool display_active(PyObject *obj) {
    return obj && PyObject_TypeCheck(obj, &c9py_BusDisplay_Type) && !((c9py_busdisplay_obj_t *)obj)->released &&
           ((c9py_busdisplay_obj_t *)obj)->display;
}

/* The primary display (9.2.5 and later): the board's display from start-up until it is released,
 * or the display a program sets. */
static PyObject *rt_get_display(PyObject *self, void *c) {
    (void)self;
    (void)c;
    if (display_active(c9rt.primary_display)) {
        Py_INCREF(c9rt.primary_display);
        return c9rt.primary_display;
    }
    Py_RETURN_NONE;
}

static int rt_set_display(PyObject *self, PyObject *v, void *c) {
    (void)self;
    (void)c;
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "can't delete attribute");
        return -1;
    }
    if (v != Py_None && !display_active(v)) {
        PyErr_Format(PyExc_TypeError, "Display must be of type AnyDisplay or None, not %s", c9py_type_name(v));
        return -1;
    }
    Py_XSETREF(c9rt.primary_display, v == Py_None ? NULL : Py_NewRef(v));
    return 0;
}

static PyGetSetDef rt_getset[] = {
    {"display", rt_get_display, rt_set_display, NULL, NULL},
    {"autoreload", rt_get_autoreload, rt_set_autoreload, NULL, NULL},
    {"safe_mode_reason", rt_get_safe_mode_reason, NULL, NULL, NULL},
    {"run_reason", rt_get_run_reason, NULL, NULL, NULL},
    {"serial_connected", rt_get_serial_connected, NULL, NULL, NULL},
    {"serial_bytes_available", rt_get_serial_bytes_available, NULL, NULL, NULL},
    {"usb_connected", rt_get_usb_connected, NULL, NULL, NULL},
    {NULL},
};

static PyTypeObject runtime_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "supervisor.Runtime",
    .tp_basicsize = sizeof(runtime_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_getset = rt_getset,
};

static PyObject *sup_reload(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    /* CircuitPython stops the program at once and restarts it without waiting. */
    c9rt.run_reason = C9RT_RUN_SUPERVISOR_RELOAD;
    c9rt.reload_requested = true;
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return NULL;
}

static PyObject *sup_set_next_code_file(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"filename", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"reload_on_success", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"reload_on_error", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"sticky_on_success", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"sticky_on_error", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"sticky_on_reload", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return NULL;
    }
    PyObject *filename = a[0].u_obj;
    bool ros = a[1].u_bool, roe = a[2].u_bool, sos = a[3].u_bool, soe = a[4].u_bool, sor = a[5].u_bool;
    if (filename == Py_None) {
        c9rt.next_code_file[0] = 0;
    } else {
        if (!PyUnicode_Check(filename)) {
            PyErr_Format(PyExc_TypeError, "filename must be of type str, not %s", c9py_type_name(filename));
            return NULL;
        }
        const char *s = c9py_cstr(filename);
        if (!s) {
            return NULL;
        }
        if (strlen(s) >= sizeof c9rt.next_code_file) {
            return c9rt_raise_errno(ENAMETOOLONG);
        }
        strcpy(c9rt.next_code_file, s);
    }
    c9rt.next_code_options = (ros ? C9RT_NEXT_RELOAD_ON_SUCCESS : 0) | (roe ? C9RT_NEXT_RELOAD_ON_ERROR : 0) |
                             (sos ? C9RT_NEXT_STICKY_ON_SUCCESS : 0) | (soe ? C9RT_NEXT_STICKY_ON_ERROR : 0) |
                             (sor ? C9RT_NEXT_STICKY_ON_RELOAD : 0) | C9RT_NEXT_NEWLY_SET;
    c9rt.next_code_set = filename != Py_None || c9rt.next_code_options != C9RT_NEXT_NEWLY_SET;
    Py_RETURN_NONE;
}

static PyObject *sup_ticks_ms(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    /* 29 bits, so the value stays a small int on the board; it wraps after ~6.2 days. */
    return PyLong_FromUnsignedLongLong((c9rt_now_ns() / 1000000u) & ((1u << 29) - 1));
}

static PyObject *sup_get_previous_traceback(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    if (!c9rt.prev_traceback) {
        Py_RETURN_NONE;
    }
    Py_INCREF(c9rt.prev_traceback);
    return c9rt.prev_traceback;
}

static PyMethodDef methods[] = {
    {"reload", sup_reload, METH_NOARGS, "Reloads the main Python code and runs it."},
    {"set_next_code_file", (PyCFunction)(void (*)(void))sup_set_next_code_file, METH_VARARGS | METH_KEYWORDS,
     "Sets the file to run on the next reload."},
    {"ticks_ms", sup_ticks_ms, METH_NOARGS, "Milliseconds since an arbitrary start, 29-bit wrapping."},
    {"get_previous_traceback", sup_get_previous_traceback, METH_NOARGS,
     "The traceback of the last exception of code.py, or None."},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "supervisor", "Supervisor settings", -1, methods};

PyObject *c9py_init_supervisor(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (!run_reason_type) {
        run_reason_type = c9py_enum_type_new("supervisor.RunReason", run_reason_names);
        safe_mode_type = c9py_enum_type_new("supervisor.SafeModeReason", c9rt_safe_mode_names);
        if (!run_reason_type || !safe_mode_type) {
            goto fail;
        }
    }
    if (!c9rt_reload_exception()) {
        goto fail;
    }
    PyObject *rt = c9py_object_new(&runtime_type);
    if (!rt || PyModule_AddObject(m, "runtime", rt) < 0) {
        Py_XDECREF(rt);
        goto fail;
    }
    Py_INCREF(run_reason_type);
    Py_INCREF(safe_mode_type);
    if (PyModule_AddObject(m, "RunReason", (PyObject *)run_reason_type) < 0 ||
        PyModule_AddObject(m, "SafeModeReason", (PyObject *)safe_mode_type) < 0 ||
        c9py_add_type(m, "Runtime", &runtime_type) < 0) {
        goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
