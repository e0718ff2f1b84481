/* The bindings' argument parser: MicroPython's mp_arg_parse_all and mp_arg_check_num, with the
 * error messages CircuitPython 9 gives (its full build names the unexpected keyword). */
#include "c9py.h"

static int convert(PyObject *given, unsigned flags, c9py_argval_t *out) {
    switch (flags & C9PY_ARG_KIND_MASK) {
    case C9PY_ARG_INT: {
        int32_t v;
        if (c9py_mp_int(given, &v) < 0) {
            return -1;
        }
        out->u_int = v;
        return 0;
    }
    case C9PY_ARG_BOOL: {
        int b = PyObject_IsTrue(given);
        if (b < 0) {
            return -1;
        }
        out->u_bool = b;
        return 0;
    }
    default: out->u_obj = given; return 0;
    }
}

/* The first keyword that names no argument after the positional ones (CircuitPython looks
 * only there, so a keyword repeating a positional argument is "unexpected" too). */
static int report_unexpected(PyObject *kw, const c9py_arg_t *allowed, size_t n_allowed, size_t n_pos) {
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(kw, &pos, &key, &value)) {
        bool seen = false;
        for (size_t j = n_pos; j < n_allowed && !seen; j++) {
            seen = PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, allowed[j].name) == 0;
        }
        if (!seen) {
            PyErr_Format(PyExc_TypeError, "unexpected keyword argument '%S'", key);
            return -1;
        }
    }
    PyErr_SetString(PyExc_TypeError, "extra keyword arguments given");
    return -1;
}

int c9py_arg_parse(PyObject *args, PyObject *kw, const c9py_arg_t *allowed, size_t n_allowed, c9py_argval_t *out) {
    size_t n_pos = (size_t)PyTuple_GET_SIZE(args), pos_found = 0;
    Py_ssize_t kws_found = 0;
    if (kw && PyDict_GET_SIZE(kw) == 0) {
        kw = NULL;
    }
    for (size_t i = 0; i < n_allowed; i++) {
        PyObject *given;
        if (i < n_pos) {
            if (allowed[i].flags & C9PY_ARG_KW_ONLY) {
                goto extra_positional;
            }
            pos_found++;
            given = PyTuple_GET_ITEM(args, (Py_ssize_t)i);
        } else {
            given = kw ? PyDict_GetItemString(kw, allowed[i].name) : NULL;
            if (!given) {
                if (allowed[i].flags & C9PY_ARG_REQUIRED) {
                    PyErr_Format(PyExc_TypeError, "'%s' argument required", allowed[i].name);
                    return -1;
                }
                out[i] = allowed[i].defval;
                continue;
            }
            kws_found++;
        }
        if (convert(given, allowed[i].flags, &out[i]) < 0) {
            return -1;
        }
    }
    if (pos_found < n_pos) {
    extra_positional:
        PyErr_SetString(PyExc_TypeError, "extra positional arguments given");
        return -1;
    }
    if (kw && kws_found < PyDict_GET_SIZE(kw)) {
        return report_unexpected(kw, allowed, n_allowed, n_pos);
    }
    return 0;
}

int c9py_arg_check_num(size_t n_args, size_t n_kw, size_t min, size_t max, bool takes_kw) {
    if (n_kw && !takes_kw) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return -1;
    }
    if (min == max) {
        if (n_args != min) {
            PyErr_Format(PyExc_TypeError, "function takes %zu positional arguments but %zu were given", min, n_args);
            return -1;
        }
    } else if (n_args < min) {
        PyErr_Format(PyExc_TypeError, "function missing %zu required positional arguments", min - n_args);
        return -1;
    } else if (n_args > max) {
        PyErr_Format(PyExc_TypeError, "function expected at most %zu arguments, got %zu", max, n_args);
        return -1;
    }
    return 0;
}

int c9py_arg_check_call(PyObject *args, PyObject *kw, size_t extra, size_t min, size_t max, bool takes_kw) {
    size_t n_kw = kw ? (size_t)PyDict_GET_SIZE(kw) : 0;
    return c9py_arg_check_num((size_t)PyTuple_GET_SIZE(args) + extra, n_kw, min, max, takes_kw);
}
