/*
 * The _circuit9 extension behind `import circuit9.<module>` for CPython users: it creates
 * every binding module once and registers it as circuit9.<name> in sys.modules, so that
 * `import circuit9.displayio` and `from circuit9 import bitmaptools` work.
 */
#include "c9py.h"

static struct PyModuleDef package_def = {PyModuleDef_HEAD_INIT, "circuit9._circuit9", "circuit9's native modules", -1,
                                         NULL};

PyMODINIT_FUNC PyInit__circuit9(void); /* found by CPython's import by name */

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
