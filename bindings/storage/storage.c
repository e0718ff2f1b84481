/* CircuitPython's storage module. The drive is the CIRCUITPY folder; VfsFat stands for an SD
 * card or other FAT volume and is backed by a host folder. mount() follows 9.x: the mount point
 * must be an existing directory (RuntimeError "Mount point directory missing"), a point already
 * mounted gives OSError EPERM, and unknown mounts give OSError EINVAL. */
#include "c9rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    C9PY_OBJECT_HEAD char host[PATH_MAX];
    bool root; /* the CIRCUITPY drive itself */
    bool mounted;
    bool readonly;
} vfs_obj_t;

static PyTypeObject vfs_type;
static vfs_obj_t *root_vfs;

static int vfs_construct(PyObject *obj, PyObject *args, PyObject *kw) {
    vfs_obj_t *self = (vfs_obj_t *)obj;
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    PyObject *dev = PyTuple_GET_ITEM(args, 0);
    PyObject *path = PyOS_FSPath(dev);
    if (!path) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "block_device must be a folder path standing for the card, not %s",
                     c9py_type_name(dev));
        return -1;
    }
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(path, &bytes)) {
        Py_DECREF(path);
        return -1;
    }
    Py_DECREF(path);
    const char *p = PyBytes_AS_STRING(bytes);
    struct stat st;
    /* A FAT image would need a FAT driver; circuit9 models cards as folders. */
    int e = stat(p, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENODEV;
    if (e) {
        Py_DECREF(bytes);
        c9rt_raise_errno(e);
        return -1;
    }
    if (!realpath(p, self->host)) {
        snprintf(self->host, sizeof self->host, "%s", p);
    }
    Py_DECREF(bytes);
    return 0;
}
C9PY_DEFINE_INIT(vfs_init, vfs_construct)

static PyObject *vfs_mount(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"readonly", C9PY_ARG_BOOL, {.u_bool = false}},
                                         {"mkfs", C9PY_ARG_BOOL, {.u_bool = false}}};
    c9py_argval_t a[2];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    ((vfs_obj_t *)self)->mounted = true;
    ((vfs_obj_t *)self)->readonly = a[0].u_bool;
    Py_RETURN_NONE;
}

static PyObject *vfs_umount(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    ((vfs_obj_t *)self)->mounted = false;
    Py_RETURN_NONE;
}

static PyObject *vfs_get_label(PyObject *self, void *c) {
    (void)c;
    vfs_obj_t *v = (vfs_obj_t *)self;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (v->root) {
        return PyUnicode_FromString("CIRCUITPY");
    }
    const char *slash = strrchr(v->host, '/');
    return PyUnicode_DecodeFSDefault(slash ? slash + 1 : v->host);
}

static PyObject *vfs_get_readonly(PyObject *self, void *c) {
    (void)c;
    vfs_obj_t *v = (vfs_obj_t *)self;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(v->root ? !c9rt.root_writable : v->readonly);
}

static PyMethodDef vfs_methods[] = {
    {"mount", (PyCFunction)(void (*)(void))vfs_mount, METH_VARARGS | METH_KEYWORDS, NULL},
    {"umount", vfs_umount, METH_NOARGS, NULL},
    {NULL},
};

static PyGetSetDef vfs_getset[] = {
    {"label", vfs_get_label, NULL, NULL, NULL},
    {"readonly", vfs_get_readonly, NULL, NULL, NULL},
    {NULL},
};

static PyTypeObject vfs_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "storage.VfsFat",
    .tp_basicsize = sizeof(vfs_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "VfsFat(block_device): a FAT volume; on the virtual board, a host folder standing for the card.",
    .tp_new = c9py_native_new,
    .tp_init = vfs_init,
    .tp_methods = vfs_methods,
    .tp_getset = vfs_getset,
};

static int abspath_arg(PyObject *o, const char *name, char *out, size_t n) {
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be of type str, not %s", name, c9py_type_name(o));
        return -1;
    }
    const char *s = c9py_cstr(o);
    return s ? c9rt_abspath(s, out, n) : -1;
}

static int find_mount_path(const char *abs) {
    for (int i = 0; i < c9rt.mount_count; i++) {
        if (!strcmp(c9rt.mounts[i].path, abs)) {
            return i;
        }
    }
    return -1;
}

static PyObject *st_mount(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"filesystem", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mount_path", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"readonly", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyObject *fs = a[0].u_obj, *mnt = a[1].u_obj;
    int readonly = a[2].u_bool;
    char abs[256];
    if (abspath_arg(mnt, "mount_path", abs, sizeof abs) < 0) {
        return NULL;
    }
    if (!PyObject_HasAttrString(fs, "mount")) {
        PyErr_SetString(PyExc_ValueError, "filesystem must provide mount method");
        return NULL;
    }
    if (strcmp(abs, "/") != 0) {
        char host[PATH_MAX];
        bool ro;
        struct stat st;
        if (c9rt_map_path(abs, host, sizeof host, &ro) < 0) {
            return NULL;
        }
        if (stat(host, &st) < 0 || !S_ISDIR(st.st_mode)) {
            PyErr_SetString(PyExc_RuntimeError, "Mount point directory missing");
            return NULL;
        }
    }
    /* In use: the path lies in a mount other than the root one (mounting below "/" is fine). */
    size_t best = 0;
    for (int i = 0; i < c9rt.mount_count; i++) {
        size_t n = strlen(c9rt.mounts[i].path);
        if (n > best && !strncmp(abs, c9rt.mounts[i].path, n) && (abs[n] == 0 || abs[n] == '/')) {
            best = n;
        }
    }
    if (best > 0 || !strcmp(abs, "/")) {
        return c9rt_raise_errno(EPERM);
    }
    if (c9rt.mount_count == C9RT_MAX_MOUNTS) {
        return c9rt_raise_errno(ENOMEM);
    }
    PyObject *r = PyObject_CallMethod(fs, "mount", "OO", readonly ? Py_True : Py_False, Py_False);
    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    c9rt_mount_t *mt = &c9rt.mounts[c9rt.mount_count++];
    strcpy(mt->path, abs);
    /* Only VfsFat objects have a host folder; other mounted objects are recorded but their files
     * cannot be reached through os (c9rt_map_path reports ENODEV). */
    mt->host[0] = 0;
    if (PyObject_TypeCheck(fs, &vfs_type) && c9py_is_ready(fs)) {
        strcpy(mt->host, ((vfs_obj_t *)fs)->host);
    }
    mt->readonly = readonly;
    Py_INCREF(fs);
    mt->vfs = fs;
    Py_RETURN_NONE;
}

static PyObject *st_umount(PyObject *m, PyObject *arg) {
    (void)m;
    int idx = -1;
    if (PyUnicode_Check(arg)) {
        char abs[256];
        if (abspath_arg(arg, "mount", abs, sizeof abs) < 0) {
            return NULL;
        }
        idx = find_mount_path(abs);
    } else {
        for (int i = 0; i < c9rt.mount_count; i++) {
            if (c9rt.mounts[i].vfs == arg) {
                idx = i;
            }
        }
    }
    if (idx < 0) {
        return c9rt_raise_errno(EINVAL);
    }
    PyObject *vfs = c9rt.mounts[idx].vfs;
    memmove(&c9rt.mounts[idx], &c9rt.mounts[idx + 1], (size_t)(c9rt.mount_count - idx - 1) * sizeof c9rt.mounts[0]);
    c9rt.mount_count--;
    PyObject *r = PyObject_CallMethod(vfs, "umount", NULL);
    Py_DECREF(vfs);
    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *get_root_vfs(void) {
    if (!root_vfs) {
        root_vfs = (vfs_obj_t *)c9py_object_new(&vfs_type);
        if (!root_vfs) {
            return NULL;
        }
        snprintf(root_vfs->host, sizeof root_vfs->host, "%s", c9rt.root);
        root_vfs->root = true;
        root_vfs->mounted = true;
        root_vfs->readonly = false;
    }
    Py_INCREF(root_vfs);
    return (PyObject *)root_vfs;
}

static PyObject *st_getmount(PyObject *m, PyObject *arg) {
    (void)m;
    char abs[256];
    if (abspath_arg(arg, "mount_path", abs, sizeof abs) < 0) {
        return NULL;
    }
    if (!strcmp(abs, "/")) {
        return get_root_vfs();
    }
    int idx = find_mount_path(abs);
    if (idx < 0) {
        return c9rt_raise_errno(EINVAL);
    }
    Py_INCREF(c9rt.mounts[idx].vfs);
    return c9rt.mounts[idx].vfs;
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
    PyObject *mnt = a[0].u_obj;
    int readonly = a[1].u_bool;
    char abs[256];
    if (abspath_arg(mnt, "mount_path", abs, sizeof abs) < 0) {
        return NULL;
    }
    if (!strcmp(abs, "/")) {
        /* The host sees the drive over "USB" once boot.py is done, unless boot.py hid it. */
        if (!c9rt.in_boot_py && c9rt.usb_drive_enabled) {
            PyErr_SetString(PyExc_RuntimeError, "Cannot remount path when visible via USB.");
            return NULL;
        }
        c9rt.root_writable = !readonly;
        Py_RETURN_NONE;
    }
    int idx = find_mount_path(abs);
    if (idx < 0) {
        return c9rt_raise_errno(EINVAL);
    }
    c9rt.mounts[idx].readonly = readonly;
    Py_RETURN_NONE;
}

static PyObject *set_usb_drive(bool enabled) {
    if (!c9rt.in_boot_py) {
        PyErr_SetString(PyExc_RuntimeError, "Cannot change USB devices now");
        return NULL;
    }
    c9rt.usb_drive_enabled = enabled;
    Py_RETURN_TRUE;
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
     "Changes whether user code may write the mount."},
    {"disable_usb_drive", st_disable_usb_drive, METH_NOARGS, NULL},
    {"enable_usb_drive", st_enable_usb_drive, METH_NOARGS, NULL},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "storage", "CircuitPython's storage module", -1, methods};

PyObject *c9py_init_storage(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "VfsFat", &vfs_type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
