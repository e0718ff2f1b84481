/* The mount table and the os module's file functions over it (vfs.h), after MicroPython's
 * extmod/vfs.c and CircuitPython's shared-module/os. */
#include "vfs.h"

#include "c9rt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define S_IFDIR_MP 0x4000

typedef struct mount {
    char *path; /* as mounted, without a trailing '/' (but "/" itself) */
    size_t len;
    PyObject *obj;
    bool keep;
} mount_t;

static mount_t *mounts;
static int mount_count, mount_cap;
static int cur = C9RT_VFS_ROOT; /* MicroPython's vfs_cur */
static PyTypeObject *native_fat, *native_posix;
static c9rt_vfs_resolve_fn native_resolve;

void c9rt_vfs_set_native_types(PyTypeObject *vfsfat, PyTypeObject *vfsposix, c9rt_vfs_resolve_fn resolve) {
    native_fat = vfsfat;
    native_posix = vfsposix;
    native_resolve = resolve;
}

bool c9rt_vfs_is_native(PyObject *obj) {
    return obj && ((native_fat && Py_IS_TYPE(obj, native_fat)) || (native_posix && Py_IS_TYPE(obj, native_posix)));
}

bool c9rt_vfs_is_posix(PyObject *obj) {
    return obj && native_posix && Py_IS_TYPE(obj, native_posix);
}

int c9rt_vfs_resolve(const char *path, char *os_path, size_t size, bool *readonly) {
    const char *rest;
    int index = c9rt_vfs_lookup(path, &rest);
    PyObject *obj = c9rt_vfs_obj(index);
    if (!obj || !native_resolve || !c9rt_vfs_is_native(obj)) {
        c9rt_raise_errno(index == C9RT_VFS_ROOT ? EPERM : ENODEV);
        return -1;
    }
    return native_resolve(obj, rest, os_path, size, readonly);
}

const char *c9rt_path_arg(PyObject *path) {
    if (!PyUnicode_Check(path)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(path));
        return NULL;
    }
    return c9py_cstr(path); /* open("/code.py\0x") must not open /code.py */
}

/* ---- the table ------------------------------------------------------------------------------ */

static int root_mount(void);
static PyObject *proxy(int index, const char *method, PyObject *args);

int c9rt_vfs_lookup(const char *path, const char **rest) {
    if (*path == '/' || cur == C9RT_VFS_ROOT) {
        bool is_abs = *path == '/';
        path += is_abs;
        if (!*path) {
            return C9RT_VFS_ROOT;
        }
        for (int i = 0; i < mount_count; i++) {
            size_t len = mounts[i].len - 1;
            if (len == 0) {
                *rest = path - is_abs;
                return i;
            }
            if (!strncmp(path, mounts[i].path + 1, len)) {
                if (path[len] == '/') {
                    *rest = path + len;
                    return i;
                }
                if (path[len] == 0) {
                    *rest = "/";
                    return i;
                }
            }
        }
        return C9RT_VFS_NONE;
    }
    *rest = path;
    return cur;
}

PyObject *c9rt_vfs_obj(int index) {
    return index >= 0 && index < mount_count ? mounts[index].obj : NULL;
}

const char *c9rt_vfs_mount_path(int index) {
    return index >= 0 && index < mount_count ? mounts[index].path : NULL;
}

int c9rt_vfs_count(void) {
    return mount_count;
}

int c9rt_vfs_insert(PyObject *obj, const char *path, bool front, bool keep) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') {
        len--;
    }
    if (mount_count == mount_cap) {
        int cap = mount_cap ? mount_cap * 2 : 8;
        mount_t *more = realloc(mounts, (size_t)cap * sizeof *more);
        if (!more) {
            PyErr_NoMemory();
            return -1;
        }
        mounts = more;
        mount_cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(copy, path, len);
    copy[len] = 0;
    int at = 0;
    if (!front) {
        /* Anything mounted at the root stays at the end of the table. */
        at = mount_count;
        for (int i = 0; i < mount_count; i++) {
            if (mounts[i].len == 1) {
                at = i;
                break;
            }
        }
    }
    memmove(&mounts[at + 1], &mounts[at], (size_t)(mount_count - at) * sizeof *mounts);
    mounts[at] = (mount_t){copy, len, Py_NewRef(obj), keep};
    mount_count++;
    if (cur >= at) {
        cur++;
    }
    return 0;
}

PyObject *c9rt_vfs_take(int index) {
    mount_t m = mounts[index];
    memmove(&mounts[index], &mounts[index + 1], (size_t)(mount_count - index - 1) * sizeof *mounts);
    mount_count--;
    if (cur == index) {
        cur = C9RT_VFS_ROOT;
    } else if (cur > index) {
        cur--;
    }
    free(m.path);
    return m.obj;
}

int c9rt_vfs_find_path(const char *path) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') {
        len--;
    }
    for (int i = 0; i < mount_count; i++) {
        if (mounts[i].len == len && !memcmp(mounts[i].path, path, len)) {
            return i;
        }
    }
    return -1;
}

int c9rt_vfs_find_obj(PyObject *obj) {
    for (int i = 0; i < mount_count; i++) {
        if (mounts[i].obj == obj) {
            return i;
        }
    }
    return -1;
}

void c9rt_vfs_reset(void) {
    for (int i = mount_count - 1; i >= 0; i--) {
        if (!mounts[i].keep) {
            PyObject *obj = c9rt_vfs_take(i);
            Py_DECREF(obj);
        }
    }
    cur = root_mount();
    if (cur >= 0 && !c9rt_vfs_is_posix(mounts[cur].obj)) {
        /* A fresh VM starts at the drive's root (the host's tree keeps the process's). */
        PyObject *r = proxy(cur, "chdir", Py_BuildValue("(s)", "/"));
        Py_XDECREF(r);
        PyErr_Clear();
    } else if (cur < 0) {
        cur = C9RT_VFS_ROOT;
    }
}

/* ---- calls into the mounted objects ------------------------------------------------------- */

/* mp_vfs_proxy_call: ENODEV where nothing is mounted, EPERM on the root itself. args: a tuple
 * (stolen; NULL: the call fails with the pending exception). */
static PyObject *proxy(int index, const char *method, PyObject *args) {
    if (!args) {
        return NULL;
    }
    if (index == C9RT_VFS_NONE || index == C9RT_VFS_ROOT) {
        Py_DECREF(args);
        return c9rt_raise_errno(index == C9RT_VFS_NONE ? ENODEV : EPERM);
    }
    /* The object may unmount itself from inside the call. */
    PyObject *obj = Py_NewRef(mounts[index].obj);
    PyObject *fn = PyObject_GetAttrString(obj, method);
    PyObject *r = fn ? PyObject_Call(fn, args, NULL) : NULL;
    Py_XDECREF(fn);
    Py_DECREF(obj);
    Py_DECREF(args);
    return r;
}

/* lookup_path()/lookup_dir_path(): the mount and the path within it as a new str (NULL for the
 * root and for no mount). */
static int lookup_arg(PyObject *path, bool strip, PyObject **rest) {
    *rest = NULL;
    const char *p = c9rt_path_arg(path);
    if (!p) {
        return -3;
    }
    const char *r;
    int index = c9rt_vfs_lookup(p, &r);
    if (index >= 0) {
        size_t len = strlen(r);
        while (strip && len > 1 && r[len - 1] == '/') {
            len--;
        }
        *rest = PyUnicode_FromStringAndSize(r, (Py_ssize_t)len);
        if (!*rest) {
            return -3;
        }
    }
    return index;
}

static PyObject *call1(PyObject *path, bool strip, const char *method) {
    PyObject *rest;
    int index = lookup_arg(path, strip, &rest);
    if (index == -3) {
        return NULL;
    }
    return proxy(index, method, rest ? PyTuple_Pack(1, rest) : PyTuple_New(0));
}

static int none_or_fail(PyObject *r) {
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int root_mount(void) {
    for (int i = 0; i < mount_count; i++) {
        if (mounts[i].len == 1) {
            return i;
        }
    }
    return -1;
}

int c9rt_vfs_chdir(PyObject *path) {
    PyObject *rest;
    int index = lookup_arg(path, true, &rest);
    if (index == -3) {
        return -1;
    }
    if (index == C9RT_VFS_ROOT) {
        /* The root's mount goes back to its own root, so relative paths start there. */
        int r = root_mount();
        if (r >= 0 && none_or_fail(proxy(r, "chdir", Py_BuildValue("(s)", "/"))) < 0) {
            return -1;
        }
    } else if (none_or_fail(proxy(index, "chdir", rest ? PyTuple_Pack(1, rest) : PyTuple_New(0))) < 0) {
        Py_XDECREF(rest);
        return -1;
    }
    Py_XDECREF(rest);
    cur = index;
    return 0;
}

PyObject *c9rt_vfs_getcwd(void) {
    if (cur == C9RT_VFS_ROOT) {
        return PyUnicode_FromString("/");
    }
    int index = cur;
    PyObject *cwd = proxy(index, "getcwd", PyTuple_New(0));
    if (!cwd || mounts[index].len == 1) {
        return cwd;
    }
    const char *c = c9rt_path_arg(cwd);
    PyObject *r = NULL;
    if (c) {
        r = !strcmp(c, "/") ? PyUnicode_FromString(mounts[index].path)
                            : PyUnicode_FromFormat("%s%s", mounts[index].path, c);
    }
    Py_DECREF(cwd);
    return r;
}

/* The root directory: the mount points, then what the mount at "/" holds. A directory entry of
 * the root mount that a mount hides is listed once (MicroPython lists it twice). */
static PyObject *list_root(bool str) {
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < mount_count; i++) {
        if (mounts[i].len == 1) {
            PyObject *it = proxy(i, "ilistdir", Py_BuildValue("(s)", "/"));
            PyObject *item;
            while (it && (item = PyIter_Next(it))) {
                PyObject *name = PySequence_Check(item) ? PySequence_GetItem(item, 0) : NULL;
                bool hidden = false;
                for (int k = 0; name && k < mount_count; k++) {
                    const char *n = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
                    hidden |= mounts[k].len > 1 && n && !strcmp(n, mounts[k].path + 1);
                }
                PyErr_Clear();
                if (!hidden && PyList_Append(list, item) < 0) {
                    Py_CLEAR(list);
                }
                Py_XDECREF(name);
                Py_DECREF(item);
            }
            if (!it || PyErr_Occurred()) {
                Py_CLEAR(list);
            }
            Py_XDECREF(it);
            break;
        }
        PyObject *name = str ? PyUnicode_FromString(mounts[i].path + 1) : PyBytes_FromString(mounts[i].path + 1);
        PyObject *t = name ? Py_BuildValue("(Nii)", name, S_IFDIR_MP, 0) : NULL;
        if (!t || PyList_Append(list, t) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(t);
    }
    return list;
}

static PyObject *ilistdir(PyObject *path, bool strip) {
    PyObject *p = path ? Py_NewRef(path) : PyUnicode_FromString("");
    if (!p) {
        return NULL;
    }
    bool is_bytes = PyBytes_Check(p);
    if (is_bytes) {
        /* ilistdir(b"...") lists names as bytes (the unix port's VFS). */
        Py_SETREF(p, PyUnicode_DecodeUTF8(PyBytes_AS_STRING(p), PyBytes_GET_SIZE(p), "surrogateescape"));
        if (!p) {
            return NULL;
        }
    }
    PyObject *rest;
    int index = lookup_arg(p, strip, &rest);
    Py_DECREF(p);
    if (index == -3) {
        return NULL;
    }
    if (index == C9RT_VFS_ROOT) {
        PyObject *list = list_root(!is_bytes);
        PyObject *it = list ? PyObject_GetIter(list) : NULL;
        Py_XDECREF(list);
        return it;
    }
    if (is_bytes && rest) {
        Py_SETREF(rest, PyUnicode_AsEncodedString(rest, "utf-8", "surrogateescape"));
        if (!rest) {
            return NULL;
        }
    }
    return proxy(index, "ilistdir", rest ? PyTuple_Pack(1, rest) : PyTuple_New(0));
}

PyObject *c9rt_vfs_ilistdir(PyObject *path) {
    return ilistdir(path, false);
}

PyObject *c9rt_vfs_listdir(PyObject *path, bool board) {
    PyObject *p = path ? Py_NewRef(path) : board ? c9rt_vfs_getcwd() : NULL;
    if (board && !p) {
        return NULL;
    }
    PyObject *it = ilistdir(p, board);
    Py_XDECREF(p);
    if (!it) {
        return NULL;
    }
    PyObject *list = PyList_New(0), *item;
    while (list && (item = PyIter_Next(it))) {
        PyObject *name = PySequence_GetItem(item, 0);
        if (!name || PyList_Append(list, name) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(name);
        Py_DECREF(item);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) {
        Py_CLEAR(list);
    }
    return list;
}

int c9rt_vfs_mkdir(PyObject *path, bool board) {
    PyObject *rest;
    int index = lookup_arg(path, board, &rest);
    if (index == -3) {
        return -1;
    }
    if (index == C9RT_VFS_ROOT || (index >= 0 && !strcmp(PyUnicode_AsUTF8(rest), "/"))) {
        Py_XDECREF(rest);
        c9rt_raise_errno(EEXIST);
        return -1;
    }
    return none_or_fail(proxy(index, "mkdir", rest ? PyTuple_Pack(1, rest) : PyTuple_New(0)));
}

int c9rt_vfs_remove(PyObject *path) {
    return none_or_fail(call1(path, false, "remove"));
}

int c9rt_vfs_rmdir(PyObject *path, bool board) {
    return none_or_fail(call1(path, board, "rmdir"));
}

int c9rt_vfs_rename(PyObject *from, PyObject *to) {
    PyObject *ra, *rb;
    int a = lookup_arg(from, false, &ra);
    if (a == -3) {
        return -1;
    }
    int b = lookup_arg(to, false, &rb);
    if (b == -3) {
        Py_XDECREF(ra);
        return -1;
    }
    if (a != b) {
        /* can't rename across file systems */
        Py_XDECREF(ra);
        Py_XDECREF(rb);
        c9rt_raise_errno(EPERM);
        return -1;
    }
    PyObject *args = ra && rb ? PyTuple_Pack(2, ra, rb) : PyTuple_New(0);
    Py_XDECREF(ra);
    Py_XDECREF(rb);
    return none_or_fail(proxy(a, "rename", args));
}

PyObject *c9rt_vfs_stat(PyObject *path) {
    PyObject *rest;
    int index = lookup_arg(path, false, &rest);
    if (index == -3) {
        return NULL;
    }
    if (index == C9RT_VFS_ROOT) {
        return Py_BuildValue("(iiiiiiiiii)", S_IFDIR_MP, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    return proxy(index, "stat", rest ? PyTuple_Pack(1, rest) : PyTuple_New(0));
}

PyObject *c9rt_vfs_statvfs(PyObject *path) {
    PyObject *rest;
    int index = lookup_arg(path, false, &rest);
    if (index == -3) {
        return NULL;
    }
    if (index == C9RT_VFS_ROOT) {
        index = root_mount();
        if (index < 0) {
            /* Nothing at the root: zeros and a sensible name length. */
            return Py_BuildValue("(iiiiiiiiii)", 0, 0, 0, 0, 0, 0, 0, 0, 0, 256);
        }
        rest = PyUnicode_FromString("/");
    }
    return proxy(index, "statvfs", rest ? PyTuple_Pack(1, rest) : PyTuple_New(0));
}

int c9rt_vfs_utime(PyObject *path, PyObject *times) {
    PyObject *rest;
    int index = lookup_arg(path, false, &rest);
    if (index == -3) {
        return -1;
    }
    PyObject *args = rest ? PyTuple_Pack(2, rest, times) : PyTuple_New(0);
    Py_XDECREF(rest);
    return none_or_fail(proxy(index, "utime", args));
}

PyObject *c9rt_vfs_open(PyObject *file, PyObject *mode, PyObject *args, PyObject *kw) {
    PyObject *rest;
    int index = lookup_arg(file, false, &rest);
    if (index == -3) {
        return NULL;
    }
    if (index < 0) {
        return proxy(index, "open", PyTuple_New(0));
    }
    PyObject *obj = mounts[index].obj;
    if (!c9rt_vfs_is_native(obj)) {
        /* MicroPython hands a VFS object the path and the mode only. */
        PyObject *r = proxy(index, "open", PyTuple_Pack(2, rest, mode));
        Py_DECREF(rest);
        return r;
    }
    Py_ssize_t n = args ? PyTuple_GET_SIZE(args) : 0;
    PyObject *all = PyTuple_New(2 + n);
    if (!all) {
        Py_DECREF(rest);
        return NULL;
    }
    PyTuple_SET_ITEM(all, 0, rest);
    PyTuple_SET_ITEM(all, 1, Py_NewRef(mode));
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTuple_SET_ITEM(all, 2 + i, Py_NewRef(PyTuple_GET_ITEM(args, i)));
    }
    Py_INCREF(obj);
    PyObject *fn = PyObject_GetAttrString(obj, "open");
    PyObject *r = fn ? PyObject_Call(fn, all, kw) : NULL;
    Py_XDECREF(fn);
    Py_DECREF(obj);
    Py_DECREF(all);
    return r;
}

int c9rt_vfs_import_stat(const char *path) {
    const char *rest;
    int index = c9rt_vfs_lookup(path, &rest);
    if (index < 0) {
        return 0;
    }
    PyObject *st = proxy(index, "stat", Py_BuildValue("(s)", rest));
    if (!st) {
        /* an exception means that the path is not there */
        PyErr_Clear();
        return 0;
    }
    PyObject *mode = PySequence_Check(st) ? PySequence_GetItem(st, 0) : NULL;
    long m = mode && PyLong_Check(mode) ? PyLong_AsLong(mode) : 0;
    Py_XDECREF(mode);
    Py_DECREF(st);
    PyErr_Clear();
    return m & S_IFDIR_MP ? 2 : 1;
}

PyObject *c9rt_vfs_read_file(const char *path) {
    PyObject *p = PyUnicode_FromString(path);
    PyObject *mode = PyUnicode_FromString("rb");
    PyObject *f = p && mode ? c9rt_vfs_open(p, mode, NULL, NULL) : NULL;
    Py_XDECREF(p);
    Py_XDECREF(mode);
    if (!f) {
        return NULL;
    }
    PyObject *data = PyObject_CallMethod(f, "read", NULL);
    PyObject *r = PyObject_CallMethod(f, "close", NULL);
    Py_DECREF(f);
    if (!r) {
        Py_CLEAR(data);
    }
    Py_XDECREF(r);
    if (data && !PyBytes_Check(data)) {
        Py_SETREF(data, PyBytes_FromObject(data));
    }
    return data;
}
