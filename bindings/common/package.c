/*
 * The _circuit9 extension behind `import circuit9.<module>` for CPython users: it creates
 * every binding module once and registers it as circuit9.<name> in sys.modules, so that
 * `import circuit9.displayio` and `from circuit9 import bitmaptools` work.
 */
#include "c9py.h"

#include <string.h>

static struct PyModuleDef package_def = {PyModuleDef_HEAD_INIT, "circuit9._circuit9", "circuit9's native modules", -1,
                                         NULL};

PyMODINIT_FUNC PyInit__circuit9(void); /* found by CPython's import by name */

/* A module's submodules (usb.core, usb.util) as circuit9.<name>.<sub>, so `import
 * circuit9.usb.core` works too. 0 or -1. */
static int add_submodules(PyObject *sys_modules, PyObject *m, const char *name) {
    PyObject *d = PyModule_GetDict(m); /* borrowed */
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    size_t n = strlen(name);
    while (d && PyDict_Next(d, &pos, &key, &value)) {
        const char *sub = PyModule_Check(value) ? PyModule_GetName(value) : NULL;
        if (!sub) {
            PyErr_Clear();
            continue;
        }
        if (strncmp(sub, name, n) != 0 || sub[n] != '.') {
            continue;
        }
        PyObject *full = PyUnicode_FromFormat("circuit9.%s", sub);
        int rc = full ? PyDict_SetItem(sys_modules, full, value) : -1;
        Py_XDECREF(full);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

PyMODINIT_FUNC PyInit__circuit9(void) {
    PyObject *pkg = PyModule_Create(&package_def);
    if (!pkg) {
        return NULL;
    }
    PyObject *sys_modules = PyImport_GetModuleDict();
    PyObject *names = PyList_New(0);
    for (size_t i = 0; i < c9py_module_count && names; i++) {
        PyObject *m = c9py_modules[i].init();
        if (!m) {
            goto fail;
        }
        PyObject *full = PyUnicode_FromFormat("circuit9.%s", c9py_modules[i].name);
        int rc = full ? PyDict_SetItem(sys_modules, full, m) : -1;
        Py_XDECREF(full);
        if (rc == 0) {
            rc = add_submodules(sys_modules, m, c9py_modules[i].name);
        }
        if (rc == 0) {
            rc = PyModule_AddObject(pkg, c9py_modules[i].name, m);
        } else {
            Py_DECREF(m);
        }
        if (rc < 0) {
            goto fail;
        }
        PyObject *n = PyUnicode_FromString(c9py_modules[i].name);
        if (!n || PyList_Append(names, n) < 0) {
            Py_XDECREF(n);
            goto fail;
        }
        Py_DECREF(n);
    }
    if (!names || PyModule_AddObject(pkg, "module_names", names) < 0) {
        goto fail;
    }
    return pkg;
fail:
    Py_XDECREF(names);
    Py_DECREF(pkg);
    return NULL;
}
