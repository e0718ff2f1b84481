/* CircuitPython's os module: the files are the mount table's (runtime/vfs.h: the drive at "/" and
 * what storage.mount() added on a board, the host's tree and os.mount()'s in a script),
 * settings.toml backs getenv(), and the drive's VfsFat refuses writes unless it was remounted
 * writable, as on a board. */
#include "c9rt.h"
#include "circuit9/port.h"
#include "circuit9/settings.h"
#include "storage/storage.h"
#include "vfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C9_CP_VERSION "9.2.9"
#define C9_BUILD_DATE "2025-03-11"

/* ---- getenv ------------------------------------------------------------------------------ */

static PyObject *int_from_bare(const char *s, size_t len) {
    c9_settings_int_t v;
    if (c9_settings_parse_int(s, len, &v) != C9_OK) {
        if (c9rt.active) {
            /* A board's build reports errors the NORMAL way */
            PyErr_Format(PyExc_ValueError, "invalid syntax for integer with base %d", v.base);
        } else {
            /* the unix port's the DETAILED way, with the text */
            PyObject *text = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
            if (text) {
                PyErr_Format(PyExc_ValueError, "invalid syntax for integer with base %d: %R", v.base, text);
                Py_DECREF(text);
            }
        }
        return NULL;
    }
    if (!v.overflow) {
        return PyLong_FromLongLong(v.value);
    }
    /* Big numbers: MicroPython makes a long int; so does CPython's own parser, from the digits. */
    char *digits = PyMem_Malloc(v.digit_count + 2);
    if (!digits) {
        return PyErr_NoMemory();
    }
    digits[0] = v.negative ? '-' : '+';
    memcpy(digits + 1, s + v.digits, v.digit_count);
    digits[v.digit_count + 1] = 0;
    PyObject *r = PyLong_FromString(digits, NULL, v.base);
    PyMem_Free(digits);
    return r;
}

static PyObject *os_getenv(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {{"key", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
                                         {"default", C9PY_ARG_OBJ, {.u_obj = Py_None}}};
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    PyObject *key = a[0].u_obj, *dflt = a[1].u_obj;
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "key must be of type str, not %s", c9py_type_name(key));
        return NULL;
    }
    /* CircuitPython looks up the text before a NUL ("A\x00B" finds A): refused here. */
    const char *k = c9py_cstr(key);
    if (!k) {
        return NULL;
    }
    size_t len = 0;
    /* Re-read on every call, as CircuitPython does: an edited file takes effect at once. */
    char *text = c9rt_read_settings(&len);
    if (!text) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_INCREF(dflt);
        return dflt;
    }
    size_t need = 0;
    bool quoted;
    int bad;
    c9_err_t err = c9_settings_get(text, len, k, NULL, 0, &need, &quoted, &bad);
    char *value = NULL;
    if (err == C9_ERR_NOMEM || err == C9_OK) {
        value = malloc(need + 1);
        err = value ? c9_settings_get(text, len, k, value, need + 1, &need, &quoted, &bad) : C9_ERR_NOMEM;
    }
    free(text);
    PyObject *r = NULL;
    if (err == C9_ERR_NOENT) {
        Py_INCREF(dflt);
        r = dflt;
    } else if (err == C9_ERR_SETTINGS_BYTE) {
        char q[8];
        c9_settings_quote_byte(bad, q);
        PyErr_Format(PyExc_ValueError, "Invalid byte %s", q);
    } else if (err == C9_ERR_SETTINGS_UNICODE) {
        PyErr_SetString(PyExc_ValueError, "Invalid unicode escape");
    } else if (err != C9_OK) {
        PyErr_NoMemory();
    } else if (quoted) {
        /* \uD800-style escapes give lone surrogates, which MicroPython stores as such. */
        r = PyUnicode_DecodeUTF8(value, (Py_ssize_t)need, "surrogatepass");
    } else {
        r = int_from_bare(value, need);
    }
    free(value);
    return r;
}

/* ---- files and directories: the mount table (runtime/vfs.h) ----------------------------------- */

/* The board's os (shared-module/os) or, in a script and the package, the unix port's
 * (extmod/vfs.c): directory paths lose a trailing '/', listdir() lists os.getcwd(). */
static bool board_os(void) {
    return c9rt.active;
}

static PyObject *none_or_null(int rc) {
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *os_listdir(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    if (c9py_arg_check_call(args, kw, 0, 0, 1, false) < 0) {
        return NULL;
    }
    PyObject *path = PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : NULL;
    if (path && board_os() && !c9rt_path_arg(path)) {
        return NULL;
    }
    return c9rt_vfs_listdir(path, board_os());
}

static PyObject *os_ilistdir(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    if (c9py_arg_check_call(args, kw, 0, 0, 1, false) < 0) {
        return NULL;
    }
    return c9rt_vfs_ilistdir(PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : NULL);
}

static PyObject *os_mkdir(PyObject *m, PyObject *path) {
    (void)m;
    return none_or_null(c9rt_vfs_mkdir(path, board_os()));
}

static PyObject *os_remove(PyObject *m, PyObject *path) {
    (void)m;
    return none_or_null(c9rt_vfs_remove(path));
}

static PyObject *os_rmdir(PyObject *m, PyObject *path) {
    (void)m;
    return none_or_null(c9rt_vfs_rmdir(path, board_os()));
}

static PyObject *os_rename(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    if (c9py_arg_check_call(args, kw, 0, 2, 2, false) < 0) {
        return NULL;
    }
    return none_or_null(c9rt_vfs_rename(PyTuple_GET_ITEM(args, 0), PyTuple_GET_ITEM(args, 1)));
}

static PyObject *os_stat(PyObject *m, PyObject *path) {
    (void)m;
    return c9rt_vfs_stat(path);
}

static PyObject *os_statvfs(PyObject *m, PyObject *path) {
    (void)m;
    return c9rt_vfs_statvfs(path);
}

static PyObject *os_utime(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    if (c9py_arg_check_call(args, kw, 0, 2, 2, false) < 0) {
        return NULL;
    }
    return none_or_null(c9rt_vfs_utime(PyTuple_GET_ITEM(args, 0), PyTuple_GET_ITEM(args, 1)));
}

static PyObject *os_chdir(PyObject *m, PyObject *path) {
    (void)m;
    return none_or_null(c9rt_vfs_chdir(path));
}

static PyObject *os_getcwd(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return c9rt_vfs_getcwd();
}

static PyObject *os_sync(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    /* Every mounted file system of the runtime's own writes what it holds. */
    for (int i = 0; i < c9rt_vfs_count(); i++) {
        if (c9py_vfs_sync(c9rt_vfs_obj(i)) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

/* mp_vfs_mount(): an object without a mount method is taken for a block device with a FAT
 * volume; the object's mount(readonly, mkfs) runs before the mount point is checked, and the
 * mount goes before the root's. Unix port only. */
static PyObject *os_mount(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"fs", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mount_point", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"readonly", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_False}},
        {"mkfs", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_False}},
    };
    c9py_argval_t a[4];
    char path[1024];
    const char *p;
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0 || !(p = c9rt_path_arg(a[1].u_obj)) ||
        c9rt_abspath(p, path, sizeof path) < 0) {
        return NULL;
    }
    PyObject *fs = Py_NewRef(a[0].u_obj);
    if (!PyObject_HasAttrString(fs, "mount")) {
        Py_SETREF(fs, PyObject_CallOneArg((PyObject *)&c9py_VfsFat_Type, fs));
        if (!fs) {
            return NULL;
        }
    }
    PyObject *r = PyObject_CallMethod(fs, "mount", "OO", a[2].u_obj, a[3].u_obj);
    if (!r) {
        Py_DECREF(fs);
        return NULL;
    }
    Py_DECREF(r);
    const char *rest;
    int existing = c9rt_vfs_lookup(path, &rest);
    if (existing >= 0 && (!strcmp(path, "/") || strcmp(c9rt_vfs_mount_path(existing), "/") != 0)) {
        Py_DECREF(fs);
        return c9rt_raise_errno(EPERM); /* mount point in use */
    }
    int rc = c9rt_vfs_insert(fs, path, false, false);
    Py_DECREF(fs);
    return none_or_null(rc);
}

static PyObject *os_umount(PyObject *m, PyObject *arg) {
    (void)m;
    int index;
    if (PyUnicode_Check(arg)) {
        char path[1024];
        const char *p = c9rt_path_arg(arg);
        if (!p || c9rt_abspath(p, path, sizeof path) < 0) {
            return NULL;
        }
        index = c9rt_vfs_find_path(path);
    } else {
        index = c9rt_vfs_find_obj(arg);
    }
    return c9py_storage_umount_index(index);
}

static PyObject *os_urandom(PyObject *m, PyObject *arg) {
    (void)m;
    long n;
    if (c9py_int(arg, "size", &n) < 0 || c9py_check_min(n, 0, "size") < 0) {
        return NULL;
    }
    PyObject *b = PyBytes_FromStringAndSize(NULL, n);
    if (!b) {
        return NULL;
    }
    c9_err_t err = c9_port_random(PyBytes_AS_STRING(b), (size_t)n);
    if (err != C9_OK) {
        static const c9py_err_override_t random_errors[] = {
            {C9_ERR_NOSYS, &PyExc_NotImplementedError, "No hardware random available"},
            {C9_OK},
        };
        Py_DECREF(b);
        return c9py_raise_err(err, random_errors);
    }
    return b;
}

static PyStructSequence_Field uname_fields[] = {{"sysname", NULL}, {"nodename", NULL}, {"release", NULL},
                                                {"version", NULL}, {"machine", NULL},  {NULL, NULL}};
static PyStructSequence_Desc uname_desc = {"os.uname_result", NULL, uname_fields, 5};
static PyTypeObject *uname_type;

static PyObject *os_uname(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    const c9_board_t *b = c9rt.board ? c9rt.board : c9_board_default();
    PyObject *r = PyStructSequence_New(uname_type);
    if (!r) {
        return NULL;
    }
    char machine[256];
    snprintf(machine, sizeof machine, "%s with %s", b->description, b->mcu);
    PyStructSequence_SetItem(r, 0, PyUnicode_FromString(b->mcu_family));
    PyStructSequence_SetItem(r, 1, PyUnicode_FromString(b->mcu_family));
    PyStructSequence_SetItem(r, 2, PyUnicode_FromString(C9_CP_VERSION));
    PyStructSequence_SetItem(r, 3, PyUnicode_FromString(C9_CP_VERSION " on " C9_BUILD_DATE));
    PyStructSequence_SetItem(r, 4, PyUnicode_FromString(machine));
    if (PyErr_Occurred()) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

static PyMethodDef methods[] = {
    {"getenv", (PyCFunction)(void (*)(void))os_getenv, METH_VARARGS | METH_KEYWORDS,
     "Value of key in settings.toml, or default."},
    {"listdir", (PyCFunction)(void (*)(void))os_listdir, METH_VARARGS | METH_KEYWORDS, NULL},
    {"mkdir", os_mkdir, METH_O, NULL},
    {"remove", os_remove, METH_O, NULL},
    {"unlink", os_remove, METH_O, NULL},
    {"rmdir", os_rmdir, METH_O, NULL},
    {"rename", (PyCFunction)(void (*)(void))os_rename, METH_VARARGS | METH_KEYWORDS, NULL},
    {"stat", os_stat, METH_O, NULL},
    {"statvfs", os_statvfs, METH_O, NULL},
    {"utime", (PyCFunction)(void (*)(void))os_utime, METH_VARARGS | METH_KEYWORDS, NULL},
    {"chdir", os_chdir, METH_O, NULL},
    {"getcwd", os_getcwd, METH_NOARGS, NULL},
    {"sync", os_sync, METH_NOARGS, NULL},
    {"urandom", os_urandom, METH_O, NULL},
    {"uname", os_uname, METH_NOARGS, NULL},
    {NULL},
};

/* What CircuitPython's unix port adds (extmod/modos.c with MICROPY_VFS): the script runner's. */
static PyMethodDef unix_methods[] = {
    {"ilistdir", (PyCFunction)(void (*)(void))os_ilistdir, METH_VARARGS | METH_KEYWORDS, NULL},
    {"mount", (PyCFunction)(void (*)(void))os_mount, METH_VARARGS | METH_KEYWORDS, NULL},
    {"umount", os_umount, METH_O, NULL},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "os", "CircuitPython's os module", -1, methods};

PyObject *c9py_init_os(void) {
    if (!uname_type) {
        uname_type = PyStructSequence_NewType(&uname_desc);
        if (!uname_type) {
            return NULL;
        }
    }
    if (c9py_vfs_setup() < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&def);
    if (m && PyModule_AddStringConstant(m, "sep", "/") < 0) {
        Py_CLEAR(m);
    }
    if (m && !c9rt.active) {
        /* Under `circuit9 run` os is the board's; elsewhere the unix port's, with its VFS. */
        if (PyModule_AddFunctions(m, unix_methods) < 0 ||
            PyModule_AddObject(m, "VfsFat", Py_NewRef((PyObject *)&c9py_VfsFat_Type)) < 0 ||
            PyModule_AddObject(m, "VfsPosix", Py_NewRef((PyObject *)&c9py_VfsPosix_Type)) < 0) {
            Py_CLEAR(m);
        }
    }
    return m;
}
