/* The embedded interpreter's set-up and userenv.py's namespace, for `circuit9 run` (run.c) and
 * `circuit9 SCRIPT.py` (main.c). */
#include "pyenv.h"

#include "c9py.h"
#include "c9rt.h"
#include "console.h"
#include "cpmods_py.h"
#include "userenv_py.h"
#include "vfs.h"
#include "circuit9/settings.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

PyObject *pyenv;

/* Names CPython's standard library also uses: circuit9's module of that name is handed to user
 * code by userenv, everything else keeps CPython's. */
static const char *const cpython_names[] = {"os",     "time",     "gc",        "sys",      "io",          "math",
                                            "random", "select",   "json",      "re",       "struct",      "array",
                                            "errno",  "binascii", "zlib",      "ssl",      "collections", "hashlib",
                                            "socket", "platform", "traceback", "builtins", "warnings",    NULL};

bool pyenv_shadows_cpython(const char *name) {
    for (int i = 0; cpython_names[i]; i++) {
        if (!strcmp(name, cpython_names[i])) {
            return true;
        }
    }
    return false;
}

PyStatus pyenv_config(PyConfig *config, int argc, char **argv) {
    PyConfig_InitPythonConfig(config);
    config->parse_argv = 0;
    config->install_signal_handlers = 1;
    /* __pycache__ in the drive would trigger auto-reload and litter the user's folder. */
    config->write_bytecode = 0;
    config->buffered_stdio = 0;
    PyStatus st = PyWideStringList_Append(&config->warnoptions, L"ignore");
    if (!PyStatus_Exception(st)) {
        st = PyConfig_SetBytesArgv(config, argc, argv);
    }
    return st;
}

PyObject *pyenv_call(const char *fn, const char *fmt, ...) {
    PyObject *f = pyenv ? PyDict_GetItemString(pyenv, fn) : NULL;
    if (!f) {
        PyErr_Format(PyExc_RuntimeError, "userenv has no %s", fn);
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    PyObject *args = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    if (!args) {
        return NULL;
    }
    PyObject *r = PyObject_CallObject(f, args);
    Py_DECREF(args);
    return r;
}

/* open() of user code: the mount table's open (runtime/vfs.h). */
static PyObject *py_vfs_open(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *file, *mode, *rest, *kw;
    if (!PyArg_ParseTuple(args, "OOO!O!", &file, &mode, &PyTuple_Type, &rest, &PyDict_Type, &kw)) {
        return NULL;
    }
    return c9rt_vfs_open(file, mode, rest, PyDict_GET_SIZE(kw) ? kw : NULL);
}

/* The importer's stat: 0 nothing, 1 a file, 2 a directory. */
static PyObject *py_vfs_import_stat(PyObject *self, PyObject *arg) {
    (void)self;
    const char *s = PyUnicode_AsUTF8(arg);
    return s ? PyLong_FromLong(c9rt_vfs_import_stat(s)) : NULL;
}

static PyObject *py_vfs_read(PyObject *self, PyObject *arg) {
    (void)self;
    const char *s = PyUnicode_AsUTF8(arg);
    return s ? c9rt_vfs_read_file(s) : NULL;
}

/* The unix coverage build's getenv_int()/getenv_str() globals (ports/unix/main.c), which
 * CircuitPython's own getenv test calls: the value of a bare integer (strtol rules) or of a
 * string, else None after "An error occurred while retrieving '<key>':" and the reason, for a
 * value of the wrong kind or a bad file, on stdout. */
static PyObject *getenv_typed(PyObject *arg, bool want_int) {
    const char *key = PyUnicode_AsUTF8(arg);
    if (!key) {
        return NULL;
    }
    size_t len = 0;
    char *text = c9rt_read_settings(&len);
    char value[4096];
    size_t n = 0;
    bool quoted = false;
    int bad = 0;
    int32_t iv = 0;
    c9_err_t err = !text      ? C9_ERR_NOENT
                   : want_int ? c9_settings_get_int(text, len, key, &iv, &bad)
                              : c9_settings_get(text, len, key, value, sizeof value, &n, &quoted, &bad);
    free(text);
    if (err == C9_OK && !want_int && !quoted) {
        err = C9_ERR_SETTINGS_BYTE;
        bad = (unsigned char)value[0];
    }
    if (err == C9_OK) {
        return want_int ? PyLong_FromLong(iv) : PyUnicode_DecodeUTF8(value, (Py_ssize_t)n, "surrogatepass");
    }
    if (err != C9_ERR_NOENT) {
        char q[8];
        PyObject *out = PySys_GetObject("stdout"); /* borrowed */
        PyObject *msg =
            err == C9_ERR_SETTINGS_BYTE
                ? (c9_settings_quote_byte(bad, q), PyUnicode_FromFormat("An error occurred while retrieving '%s':\n"
                                                                        "Invalid byte %s\n",
                                                                        key, q))
            : err == C9_ERR_SETTINGS_UNICODE
                ? PyUnicode_FromFormat("An error occurred while retrieving '%s':\nInvalid unicode escape\n", key)
                : PyUnicode_FromFormat("An error occurred while retrieving '%s':\nInternal error\n", key);
        PyObject *r = out && msg ? PyObject_CallMethod(out, "write", "O", msg) : NULL;
        Py_XDECREF(r);
        Py_XDECREF(msg);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

static PyObject *py_getenv_int(PyObject *self, PyObject *arg) {
    (void)self;
    return getenv_typed(arg, true);
}

static PyObject *py_getenv_str(PyObject *self, PyObject *arg) {
    (void)self;
    return getenv_typed(arg, false);
}

static PyObject *py_serial_available(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    return PyLong_FromSize_t(c9rt.serial_bytes_available ? c9rt.serial_bytes_available() : 0);
}

static PyMethodDef env_methods[] = {
    {"_vfs_open", py_vfs_open, METH_VARARGS, NULL},
    {"_vfs_import_stat", py_vfs_import_stat, METH_O, NULL},
    {"_vfs_read", py_vfs_read, METH_O, NULL},
    {"getenv_int", py_getenv_int, METH_O, NULL},
    {"getenv_str", py_getenv_str, METH_O, NULL},
    {"_serial_available", py_serial_available, METH_NOARGS, NULL},
    {NULL},
};

static int set_item(const char *name, PyObject *value) {
    /* Steals value. */
    int rc = value ? PyDict_SetItemString(pyenv, name, value) : -1;
    Py_XDECREF(value);
    return rc;
}

static PyObject *board_dict(const c9_board_t *b) {
    PyObject *mods = PyFrozenSet_New(NULL);
    for (const char *const *m = b->modules; mods && m && *m; m++) {
        PyObject *s = PyUnicode_FromString(*m);
        if (!s || PySet_Add(mods, s) < 0) {
            Py_XDECREF(s);
            Py_CLEAR(mods);
            break;
        }
        Py_DECREF(s);
    }
    if (!mods) {
        return NULL;
    }
    return Py_BuildValue("{s:s,s:s,s:s,s:s,s:s,s:N}", "name", b->name, "board_id", b->board_id, "description",
                         b->description, "mcu", b->mcu, "platform", b->platform ? b->platform : "", "modules", mods);
}

static PyObject *cpmod_sources(void) {
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < C9_ARRAY_SIZE(cpmods); i++) {
        PyObject *src = PyUnicode_FromString(cpmods[i].source);
        if (!src || PyDict_SetItemString(d, cpmods[i].name, src) < 0) {
            Py_XDECREF(src);
            Py_CLEAR(d);
            break;
        }
        Py_DECREF(src);
    }
    return d;
}

int pyenv_start(const c9_board_t *board, const char *root, bool script) {
    pyenv = PyDict_New();
    PyObject *overrides = PyDict_New(), *c_modules = PyFrozenSet_New(NULL);
    if (!pyenv || !overrides || !c_modules) {
        goto fail_new;
    }
    for (size_t i = 0; i < c9py_module_count; i++) {
        PyObject *name = PyUnicode_FromString(c9py_modules[i].name);
        if (!name || PySet_Add(c_modules, name) < 0) {
            Py_XDECREF(name);
            goto fail_new;
        }
        Py_DECREF(name);
        if (pyenv_shadows_cpython(c9py_modules[i].name)) {
            PyObject *m = c9py_modules[i].init();
            if (!m || PyDict_SetItemString(overrides, c9py_modules[i].name, m) < 0) {
                Py_XDECREF(m);
                goto fail_new;
            }
            Py_DECREF(m);
        }
    }
    if (PyDict_SetItemString(pyenv, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        set_item("_overrides", overrides) < 0 || set_item("_c_modules", c_modules) < 0 ||
        set_item("_root", PyUnicode_DecodeFSDefault(root)) < 0 || set_item("_script", PyBool_FromLong(script)) < 0 ||
        set_item("_board", board_dict(board)) < 0 || set_item("_cpmods", cpmod_sources()) < 0) {
        goto fail;
    }
    for (PyMethodDef *m = env_methods; m->ml_name; m++) {
        if (set_item(m->ml_name, PyCFunction_New(m, NULL)) < 0) {
            goto fail;
        }
    }
    PyObject *code = Py_CompileString(userenv_py, "<circuit9>", Py_file_input);
    PyObject *r = code ? PyEval_EvalCode(code, pyenv, pyenv) : NULL;
    Py_XDECREF(code);
    if (!r) {
        goto fail;
    }
    Py_DECREF(r);
    return 0;
fail_new:
    Py_XDECREF(overrides);
    Py_XDECREF(c_modules);
fail:
    PyErr_Print();
    return -1;
}
