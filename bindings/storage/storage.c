/* CircuitPython's storage module (shared-bindings/storage, shared-module/storage of 9.2.9) over
 * the runtime's mount table (runtime/vfs.h). mount() follows 9.x: the mount point must be an
 * existing directory (RuntimeError "Mount point directory missing"), a point already mounted
 * gives OSError EPERM (below a root mount is fine), the file system's mount(readonly, False) runs
 * last, and the new mount goes in front. umount/getmount of an unknown mount give OSError
 * EINVAL; remount changes only "/". The file systems are VfsFat.c. */
#include "storage/storage.h"

#include "c9rt.h"
#include "vfs.h"

#include <errno.h>
#include <string.h>

/* A mount path: a str (MicroPython's message otherwise), made absolute from the current
 * directory (CircuitPython keeps a relative path as given and never finds it again). */
static int mount_path_arg(PyObject *arg, char *out, size_t size) {
    const char *p = c9rt_path_arg(arg);
    return p ? c9rt_abspath(p, out, size) : -1;
}

static PyObject *st_mount(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"filesystem", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mount_path", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"readonly", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[3];
    char path[1024];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || mount_path_arg(a[1].u_obj, path, sizeof path) < 0) {
        return NULL;
    }
    PyObject *fs = a[0].u_obj;
    if (!PyObject_HasAttrString(fs, "mount")) {
        PyErr_SetString(PyExc_ValueError, "filesystem must provide mount method");
        return NULL;
    }
    bool root = !strcmp(path, "/");
    if (!root) {
        /* There must be a directory of that name (9.0); "/" may always be mounted. */
        PyObject *p = PyUnicode_FromString(path);
        PyObject *st = p ? c9rt_vfs_stat(p) : NULL;
        Py_XDECREF(p);
        PyObject *mode = st && PySequence_Check(st) ? PySequence_GetItem(st, 0) : NULL;
        bool dir = mode && PyLong_Check(mode) && (PyLong_AsLong(mode) & 0x4000);
        Py_XDECREF(mode);
        Py_XDECREF(st);
        if (!dir) {
            PyErr_Clear();
            PyErr_SetString(PyExc_RuntimeError, "Mount point directory missing");
            return NULL;
        }
    }
    const char *rest;
    int existing = c9rt_vfs_lookup(path, &rest);
    if (existing >= 0 && (root || strcmp(c9rt_vfs_mount_path(existing), "/") != 0)) {
        return c9rt_raise_errno(EPERM); /* mount point in use */
    }
    PyObject *r = PyObject_CallMethod(fs, "mount", "OO", a[2].u_bool ? Py_True : Py_False, Py_False);
    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    if (c9rt_vfs_insert(fs, path, true, false) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* common_hal_storage_umount_object(): out of the table first, then the object's umount(). */
PyObject *c9py_storage_umount_index(int index) {
    if (index < 0) {
        return c9rt_raise_errno(EINVAL);
    }
    PyObject *vfs = c9rt_vfs_take(index);
    PyObject *r = PyObject_CallMethod(vfs, "umount", NULL);
    Py_DECREF(vfs);
    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *st_umount(PyObject *m, PyObject *arg) {
    (void)m;
    if (PyUnicode_Check(arg)) {
        char path[1024];
        if (mount_path_arg(arg, path, sizeof path) < 0) {
            return NULL;
        }
        return c9py_storage_umount_index(c9rt_vfs_find_path(path));
    }
    return c9py_storage_umount_index(c9rt_vfs_find_obj(arg));
}

static PyObject *st_getmount(PyObject *m, PyObject *arg) {
    (void)m;
    char path[1024];
    if (mount_path_arg(arg, path, sizeof path) < 0) {
        return NULL;
    }
    int index = c9rt_vfs_find_path(path);
    if (index < 0) {
        return c9rt_raise_errno(EINVAL);
    }
    return Py_NewRef(c9rt_vfs_obj(index));
}

static PyObject *st_remount(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"mount_path", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"readonly", C9PY_ARG_BOOL, {.u_bool = false}},
        {"disable_concurrent_write_protection", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    const char *path = c9rt_path_arg(a[0].u_obj);
    if (!path) {
        return NULL;
    }
    if (strcmp(path, "/") != 0) {
        return c9rt_raise_errno(EINVAL);
    }
    /* The host sees the drive over "USB" once boot.py is done, unless boot.py hid it. */
    if (!c9rt.in_boot_py && c9rt.usb_drive_enabled) {
        PyErr_SetString(PyExc_RuntimeError, "Cannot remount '/' when visible via USB.");
        return NULL;
    }
    c9rt.root_writable = !a[1].u_bool || a[2].u_bool;
    Py_RETURN_NONE;
}

static PyObject *st_erase_filesystem(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {{"extended", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    int extended = PyObject_IsTrue(a[0].u_obj);
    if (extended < 0) {
        return NULL;
    }
    if (extended) {
        /* No virtual board has the extended flash partition (CIRCUITPY_STORAGE_EXTEND). */
        PyErr_SetString(PyExc_NotImplementedError, "extended=True");
        return NULL;
    }
    if (!c9rt.active || c9rt.root[0]) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "erase_filesystem() formats a drive image (circuit9 run --drive), not a folder");
        return NULL;
    }
    if (c9py_vfs_erase_drive() < 0) {
        return NULL;
    }
    /* The board resets, as after microcontroller.reset(). */
    c9rt.reset_requested = true;
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return NULL;
}

static PyObject *set_usb_drive(bool enabled) {
    if (!c9rt.in_boot_py) {
        PyErr_SetString(PyExc_RuntimeError, "Cannot change USB devices now");
        return NULL;
    }
    c9rt.usb_drive_enabled = enabled;
    Py_RETURN_NONE;
}

static PyObject *st_disable_usb_drive(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return set_usb_drive(false);
}

static PyObject *st_enable_usb_drive(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return set_usb_drive(true);
}

static PyMethodDef methods[] = {
    {"mount", (PyCFunction)(void (*)(void))st_mount, METH_VARARGS | METH_KEYWORDS,
     "Mounts filesystem at mount_path, an existing directory."},
    {"umount", st_umount, METH_O, "Unmounts a filesystem by path or object."},
    {"getmount", st_getmount, METH_O, "The filesystem mounted at mount_path."},
    {"remount", (PyCFunction)(void (*)(void))st_remount, METH_VARARGS | METH_KEYWORDS,
     "Changes whether user code may write the drive."},
    {"erase_filesystem", (PyCFunction)(void (*)(void))st_erase_filesystem, METH_VARARGS | METH_KEYWORDS,
     "Formats the drive and resets the board."},
    {"disable_usb_drive", st_disable_usb_drive, METH_NOARGS, NULL},
    {"enable_usb_drive", st_enable_usb_drive, METH_NOARGS, NULL},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "storage", "CircuitPython's storage module", -1, methods};

PyObject *c9py_init_storage(void) {
    if (c9py_vfs_setup() < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&def);
    if (m && PyModule_AddObject(m, "VfsFat", Py_NewRef((PyObject *)&c9py_VfsFat_Type)) < 0) {
        Py_DECREF((PyObject *)&c9py_VfsFat_Type);
        Py_CLEAR(m);
    }
    return m;
}
