/* CircuitPython's os module: the CIRCUITPY folder (and what storage.mount() added) is the file
 * system, "/" is the drive root, settings.toml backs getenv(), and writes are refused unless
 * the drive was remounted writable, as on a board. */
#include "c9rt.h"
#include "circuit9/port.h"
#include "circuit9/settings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define C9_CP_VERSION "9.2.9"
#define C9_BUILD_DATE "2025-03-11"

static int map_arg(PyObject *arg, char *host, size_t n, bool *ro) {
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(arg));
        return -1;
    }
    const char *s = c9py_cstr(arg);
    return s ? c9rt_map_path(s, host, n, ro) : -1;
}

static int map_writable(PyObject *arg, char *host, size_t n) {
    bool ro;
    if (map_arg(arg, host, n, &ro) < 0) {
        return -1;
    }
    if (ro) {
        c9rt_raise_errno(EROFS);
        return -1;
    }
    return 0;
}

/* ---- getenv ------------------------------------------------------------------------------ */

static PyObject *int_from_bare(const char *s, size_t len) {
    c9_settings_int_t v;
    if (c9_settings_parse_int(s, len, &v) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "invalid syntax for integer with base %d", v.base);
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

/* ---- files and directories ----------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static PyObject *os_listdir(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    if (c9py_arg_check_call(args, kw, 0, 0, 1, false) < 0) {
        return NULL;
    }
    PyObject *path = PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : NULL;
    char host[PATH_MAX];
    bool ro;
    if (path ? map_arg(path, host, sizeof host, &ro) < 0 : c9rt_map_path(".", host, sizeof host, &ro) < 0) {
        return NULL;
    }
    DIR *d = opendir(host);
    if (!d) {
        return c9rt_raise_errno(errno);
    }
    size_t n = 0, cap = 16;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        if (n == cap) {
            char **more = realloc(names, 2 * cap * sizeof *names);
            if (!more) {
                break;
            }
            names = more;
            cap *= 2;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (!names) {
        return PyErr_NoMemory();
    }
    /* FAT returns directory order; a host directory has none worth keeping, so sort. */
    qsort(names, n, sizeof *names, cmp_str);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; i < n; i++) {
        PyObject *s = list && names[i] ? PyUnicode_DecodeFSDefault(names[i]) : NULL;
        if (!s || PyList_Append(list, s) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(s);
        free(names[i]);
    }
    free(names);
    return list;
}

static PyObject *os_mkdir(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX];
    if (map_writable(path, host, sizeof host) < 0) {
        return NULL;
    }
    if (mkdir(host, 0777) < 0) {
        return c9rt_raise_errno(errno);
    }
    Py_RETURN_NONE;
}

static PyObject *os_remove(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX];
    if (map_writable(path, host, sizeof host) < 0) {
        return NULL;
    }
    struct stat st;
    if (stat(host, &st) == 0 && S_ISDIR(st.st_mode)) {
        return c9rt_raise_errno(EISDIR);
    }
    if (unlink(host) < 0) {
        return c9rt_raise_errno(errno);
    }
    Py_RETURN_NONE;
}

static PyObject *os_rmdir(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX];
    if (map_writable(path, host, sizeof host) < 0) {
        return NULL;
    }
    if (rmdir(host) < 0) {
        return c9rt_raise_errno(errno);
    }
    Py_RETURN_NONE;
}

static PyObject *os_rename(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    char ha[PATH_MAX], hb[PATH_MAX];
    if (c9py_arg_check_call(args, kw, 0, 2, 2, false) < 0 ||
        map_writable(PyTuple_GET_ITEM(args, 0), ha, sizeof ha) < 0 ||
        map_writable(PyTuple_GET_ITEM(args, 1), hb, sizeof hb) < 0) {
        return NULL;
    }
    if (rename(ha, hb) < 0) {
        return c9rt_raise_errno(errno);
    }
    Py_RETURN_NONE;
}

static PyObject *os_stat(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX];
    bool ro;
    if (map_arg(path, host, sizeof host, &ro) < 0) {
        return NULL;
    }
    struct stat st;
    if (stat(host, &st) < 0) {
        return c9rt_raise_errno(errno);
    }
    /* FAT knows only files and directories: mode is S_IFDIR or S_IFREG, no permission bits. */
    long mode = S_ISDIR(st.st_mode) ? 0x4000 : 0x8000;
    long long size = S_ISDIR(st.st_mode) ? 0 : (long long)st.st_size;
    long long t = (long long)st.st_mtime;
    return Py_BuildValue("(lllllLLLLL)", mode, 0L, 0L, 0L, 0L, 0L, size, t, t, t);
}

static PyObject *os_statvfs(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX];
    bool ro;
    if (map_arg(path, host, sizeof host, &ro) < 0) {
        return NULL;
    }
    struct statvfs v;
    if (statvfs(host, &v) < 0) {
        return c9rt_raise_errno(errno);
    }
    unsigned long flag = ro ? 1 : 0; /* ST_RDONLY as user code sees the drive */
    return Py_BuildValue("(kkKKKkkkkk)", (unsigned long)v.f_bsize, (unsigned long)v.f_frsize,
                         (unsigned long long)v.f_blocks, (unsigned long long)v.f_bfree, (unsigned long long)v.f_bavail,
                         0UL, 0UL, 0UL, flag, (unsigned long)v.f_namemax);
}

static PyObject *os_chdir(PyObject *m, PyObject *path) {
    (void)m;
    char host[PATH_MAX], abs[256];
    bool ro;
    if (map_arg(path, host, sizeof host, &ro) < 0) {
        return NULL;
    }
    struct stat st;
    if (stat(host, &st) < 0) {
        return c9rt_raise_errno(errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        return c9rt_raise_errno(ENOTDIR);
    }
    if (c9rt.root[0]) {
        const char *p = c9py_cstr(path);
        if (!p || c9rt_abspath(p, abs, sizeof abs) < 0) {
            return NULL;
        }
        strcpy(c9rt.cwd, abs);
    } else if (chdir(host) < 0) {
        return c9rt_raise_errno(errno);
    }
    Py_RETURN_NONE;
}

static PyObject *os_getcwd(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    if (c9rt.root[0]) {
        return PyUnicode_FromString(c9rt.cwd);
    }
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) {
        return c9rt_raise_errno(errno);
    }
    return PyUnicode_DecodeFSDefault(buf);
}

static PyObject *os_sync(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    Py_BEGIN_ALLOW_THREADS sync();
    Py_END_ALLOW_THREADS Py_RETURN_NONE;
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
    {"chdir", os_chdir, METH_O, NULL},
    {"getcwd", os_getcwd, METH_NOARGS, NULL},
    {"sync", os_sync, METH_NOARGS, NULL},
    {"urandom", os_urandom, METH_O, NULL},
    {"uname", os_uname, METH_NOARGS, NULL},
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
    PyObject *m = PyModule_Create(&def);
    if (m && PyModule_AddStringConstant(m, "sep", "/") < 0) {
        Py_CLEAR(m);
    }
    return m;
}
