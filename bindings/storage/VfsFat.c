/* storage.VfsFat and os.VfsPosix: MicroPython's VFS objects (extmod/vfs_fat.c, vfs_posix.c) over
 * the port's volumes and the FAT core (storage.h). */
#include "storage/storage.h"

#include "c9rt.h"
#include "fatvol.h"
#include "sdcardio/sdcardio.h"
#include "vfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VFS_PATH 1024
#define S_IFDIR_MP 0x4000
#define S_IFREG_MP 0x8000

enum { KIND_FAT, KIND_FOLDER, KIND_POSIX };

/* A Python object with the block-device protocol, as a c9_blockdev_t. Every transfer goes
 * through a bytearray of Python's own (copied in or out), so Python never sees the core's sector
 * memory and nothing it keeps can point there. An exception a method raises is kept for the
 * VfsFat call that caused it, which raises it once the core has given up (EIO to the core). */
typedef struct pybdev {
    PyObject *readblocks, *writeblocks, *ioctl, *count, *sync; /* bound methods; NULL: missing */
    PyObject *exc;                                             /* the exception raised, or NULL */
} pybdev_t;

typedef struct vfs_obj {
    C9PY_OBJECT_HEAD int kind;
    const c9_port_fs_t *fs; /* the volume's table; NULL: a FAT object with no file system yet */
    c9rt_fatvol_t *vol;     /* KIND_FAT once mounted */
    c9_blockdev_t bd;       /* KIND_FAT: the device */
    pybdev_t *py;           /* KIND_FAT over a Python object */
    PyObject *bdev;         /* KIND_FAT: the block device object (kept alive), or NULL */
    bool drive;             /* the CIRCUITPY drive: user code writes only after storage.remount */
    bool readonly;          /* mounted readonly=True (for good, as MicroPython drops writeblocks) */
    char *root;             /* KIND_POSIX: VfsPosix(root) prefix, NULL for none */
    char cwd[VFS_PATH];     /* KIND_FAT, KIND_FOLDER: the current directory within the volume */
    c9_port_fs_t guard;     /* KIND_FAT over a Python object: the volume's table, held (below) */
} vfs_obj_t;

#define SELF ((vfs_obj_t *)self)

static PyObject *drive_obj; /* the mounted drive (strong), for the supervisor */

/* ---- Python block devices -------------------------------------------------------------------- */

static void py_keep_exception(pybdev_t *p) {
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v && tb) {
        PyException_SetTraceback(v, tb);
    }
    Py_XDECREF(t);
    Py_XDECREF(tb);
    if (!p->exc) {
        p->exc = v; /* the first one is the cause; later ones follow from it */
    } else {
        Py_XDECREF(v);
    }
}

/* ioctl(op, 0) as an int (-1 for None); *failed on an exception. */
static long py_ioctl(pybdev_t *p, int op, bool *failed) {
    *failed = false;
    PyObject *r = PyObject_CallFunction(p->ioctl, "ii", op, 0);
    if (!r) {
        py_keep_exception(p);
        *failed = true;
        return -1;
    }
    long v = r == Py_None ? -1 : PyLong_AsLong(r);
    Py_DECREF(r);
    if (v == -1 && PyErr_Occurred()) {
        py_keep_exception(p);
        *failed = true;
    }
    return v;
}

static c9_err_t py_transfer(pybdev_t *p, PyObject *method, uint32_t block, uint8_t *in, const uint8_t *out,
                            uint32_t count) {
    size_t len = (size_t)count * C9_BLOCK_SIZE;
    PyObject *buf = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)len);
    if (!buf) {
        py_keep_exception(p);
        return C9_ERR_IO;
    }
    if (out) {
        memcpy(PyByteArray_AS_STRING(buf), out, len);
    } else {
        memset(PyByteArray_AS_STRING(buf), 0, len);
    }
    PyObject *r = PyObject_CallFunction(method, "kO", (unsigned long)block, buf);
    c9_err_t err = C9_OK;
    if (!r) {
        py_keep_exception(p);
        err = C9_ERR_IO;
    } else if (in && PyByteArray_GET_SIZE(buf) != (Py_ssize_t)len) {
        /* The method resized the buffer it was given: nothing sensible was read. */
        PyErr_SetString(PyExc_ValueError, "readblocks changed the size of its buffer");
        py_keep_exception(p);
        err = C9_ERR_IO;
    } else if (in) {
        memcpy(in, PyByteArray_AS_STRING(buf), len);
    }
    Py_XDECREF(r);
    Py_DECREF(buf);
    return err;
}

static c9_err_t py_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    pybdev_t *p = ctx;
    return py_transfer(p, p->readblocks, block, buf, NULL, count);
}

static c9_err_t py_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    pybdev_t *p = ctx;
    return p->writeblocks ? py_transfer(p, p->writeblocks, block, NULL, buf, count) : C9_ERR_PERM;
}

static c9_err_t py_sync(void *ctx) {
    pybdev_t *p = ctx;
    bool failed = false;
    if (p->ioctl) {
        py_ioctl(p, 3, &failed); /* MP_BLOCKDEV_IOCTL_SYNC */
    } else if (p->sync) {
        PyObject *r = PyObject_CallNoArgs(p->sync);
        failed = !r;
        Py_XDECREF(r);
        if (failed) {
            py_keep_exception(p);
        }
    }
    return failed ? C9_ERR_IO : C9_OK;
}

static c9_err_t py_count(void *ctx, uint32_t *blocks) {
    pybdev_t *p = ctx;
    long n;
    bool failed = false;
    if (p->ioctl) {
        n = py_ioctl(p, 4, &failed); /* MP_BLOCKDEV_IOCTL_BLOCK_COUNT */
    } else {
        PyObject *r = PyObject_CallNoArgs(p->count);
        n = r ? PyLong_AsLong(r) : -1;
        Py_XDECREF(r);
        failed = n == -1 && PyErr_Occurred();
        if (failed) {
            py_keep_exception(p);
        }
    }
    if (failed) {
        return C9_ERR_IO;
    }
    if (n < 0 || (unsigned long)n > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "ioctl(4) must give the number of blocks");
        py_keep_exception(p);
        return C9_ERR_IO;
    }
    *blocks = (uint32_t)n;
    return C9_OK;
}

static void pybdev_free(pybdev_t *p) {
    if (p) {
        Py_XDECREF(p->readblocks);
        Py_XDECREF(p->writeblocks);
        Py_XDECREF(p->ioctl);
        Py_XDECREF(p->count);
        Py_XDECREF(p->sync);
        Py_XDECREF(p->exc);
        free(p);
    }
}

static PyObject *method_maybe(PyObject *obj, const char *name) {
    PyObject *m = PyObject_GetAttrString(obj, name);
    if (!m) {
        PyErr_Clear();
    }
    return m;
}

/* mp_vfs_blockdev_init(): readblocks is required (AttributeError as MicroPython raises it),
 * writeblocks and ioctl optional; without ioctl, count() (and sync()) of the old protocol. */
static pybdev_t *pybdev_new(PyObject *obj) {
    pybdev_t *p = calloc(1, sizeof *p);
    if (!p) {
        PyErr_NoMemory();
        return NULL;
    }
    p->readblocks = PyObject_GetAttrString(obj, "readblocks");
    if (!p->readblocks) {
        pybdev_free(p);
        return NULL;
    }
    p->writeblocks = method_maybe(obj, "writeblocks");
    p->ioctl = method_maybe(obj, "ioctl");
    if (!p->ioctl) {
        p->sync = method_maybe(obj, "sync");
        p->count = PyObject_GetAttrString(obj, "count");
        if (!p->count) {
            pybdev_free(p);
            return NULL;
        }
    }
    return p;
}

/* The device table for a block device object: sdcardio.SDCard's own (no Python in between, as
 * CircuitPython's native path), or the Python protocol. *py is NULL for the first. */
static int blockdev_of(PyObject *obj, c9_blockdev_t *bd, pybdev_t **py) {
    *py = NULL;
    if (c9py_sdcard_blockdev(obj, bd)) {
        return 0;
    }
    if (PyErr_Occurred()) {
        return -1;
    }
    pybdev_t *p = pybdev_new(obj);
    if (!p) {
        return -1;
    }
    *bd = (c9_blockdev_t){
        .read = py_read, .write = p->writeblocks ? py_write : NULL, .sync = py_sync, .count = py_count, .ctx = p};
    *py = p;
    return 0;
}

/* MP_BLOCKDEV_IOCTL_INIT as disk_initialize() asks it: a non-zero answer is "not ready"
 * (FatFs FR_NOT_READY, which VfsFat raises as EBUSY). */
static c9_err_t py_init(pybdev_t *p) {
    bool failed = false;
    long r = p && p->ioctl ? py_ioctl(p, 1, &failed) : 0;
    if (failed) {
        return C9_ERR_IO;
    }
    return r > 0 ? C9_ERR_BUSY : C9_OK;
}

/* ---- holding Ctrl-C while Python serves the volume ------------------------------------------ */

/* Over a Python block device every volume operation runs with Ctrl-C and auto-reload held
 * (c9rt_io_hold_begin), so that a KeyboardInterrupt raised inside readblocks() or writeblocks()
 * never stops a FAT operation between two of its writes: the volume stays as fsck.fat wants it
 * and what the program wrote before the interrupt is all there. (CircuitPython lets the
 * exception cut the operation short.) */
#define INNER(ctx) (&((vfs_obj_t *)(ctx))->vol->ops)
#define HELD(call)                                                                                                     \
    do {                                                                                                               \
        c9rt_io_hold_begin();                                                                                          \
        c9_err_t held_err_ = (call);                                                                                   \
        c9rt_io_hold_end();                                                                                            \
        return held_err_;                                                                                              \
    } while (0)

static c9_err_t g_resolve(void *ctx, const char *path, char *os_path, size_t size) {
    return INNER(ctx)->resolve(INNER(ctx)->ctx, path, os_path, size);
}
static c9_err_t g_open(void *ctx, const char *path, unsigned flags, void **file) {
    HELD(INNER(ctx)->open(INNER(ctx)->ctx, path, flags, file));
}
static c9_err_t g_close(void *ctx, void *file) {
    HELD(INNER(ctx)->close(INNER(ctx)->ctx, file));
}
static c9_err_t g_read(void *ctx, void *file, void *buf, size_t len, size_t *got) {
    HELD(INNER(ctx)->read(INNER(ctx)->ctx, file, buf, len, got));
}
static c9_err_t g_write(void *ctx, void *file, const void *buf, size_t len, size_t *done) {
    HELD(INNER(ctx)->write(INNER(ctx)->ctx, file, buf, len, done));
}
static c9_err_t g_seek(void *ctx, void *file, int64_t offset, int whence, uint64_t *pos) {
    HELD(INNER(ctx)->seek(INNER(ctx)->ctx, file, offset, whence, pos));
}
static c9_err_t g_sync(void *ctx, void *file) {
    HELD(INNER(ctx)->sync(INNER(ctx)->ctx, file));
}
static c9_err_t g_stat(void *ctx, const char *path, c9_port_stat_t *st) {
    HELD(INNER(ctx)->stat(INNER(ctx)->ctx, path, st));
}
static c9_err_t g_dir_open(void *ctx, const char *path, void **dir) {
    HELD(INNER(ctx)->dir_open(INNER(ctx)->ctx, path, dir));
}
static c9_err_t g_dir_read(void *ctx, void *dir, char *name, size_t size, c9_port_stat_t *st) {
    HELD(INNER(ctx)->dir_read(INNER(ctx)->ctx, dir, name, size, st));
}
static c9_err_t g_dir_close(void *ctx, void *dir) {
    HELD(INNER(ctx)->dir_close(INNER(ctx)->ctx, dir));
}
static c9_err_t g_mkdir(void *ctx, const char *path) {
    HELD(INNER(ctx)->mkdir(INNER(ctx)->ctx, path));
}
static c9_err_t g_rmdir(void *ctx, const char *path) {
    HELD(INNER(ctx)->rmdir(INNER(ctx)->ctx, path));
}
static c9_err_t g_remove(void *ctx, const char *path) {
    HELD(INNER(ctx)->remove(INNER(ctx)->ctx, path));
}
static c9_err_t g_rename(void *ctx, const char *from, const char *to) {
    HELD(INNER(ctx)->rename(INNER(ctx)->ctx, from, to));
}
static c9_err_t g_statvfs(void *ctx, c9_port_statvfs_t *out) {
    HELD(INNER(ctx)->statvfs(INNER(ctx)->ctx, out));
}

static const c9_port_fs_t guard_ops = {
    .resolve = g_resolve,
    .open = g_open,
    .close = g_close,
    .read = g_read,
    .write = g_write,
    .seek = g_seek,
    .sync = g_sync,
    .stat = g_stat,
    .dir_open = g_dir_open,
    .dir_read = g_dir_read,
    .dir_close = g_dir_close,
    .mkdir = g_mkdir,
    .rmdir = g_rmdir,
    .remove = g_remove,
    .rename = g_rename,
    .statvfs = g_statvfs,
};

/* Core calls made directly (label, utime, mount, mkfs, unmount) are held the same way. */
static void hold(const pybdev_t *py) {
    if (py) {
        c9rt_io_hold_begin();
    }
}

static void unhold(const pybdev_t *py) {
    if (py) {
        c9rt_io_hold_end();
    }
}

/* ---- errors ----------------------------------------------------------------------------------- */

static int check_result(struct vfs_obj *v, c9_err_t err);

static PyObject *take_py_exception(vfs_obj_t *v) {
    if (v->py && v->py->exc) {
        PyObject *e = v->py->exc;
        v->py->exc = NULL;
        PyErr_SetObject((PyObject *)Py_TYPE(e), e);
        Py_DECREF(e);
        return NULL;
    }
    return NULL;
}

PyObject *c9py_vfs_raise(PyObject *vfs, c9_err_t err, PyObject *path) {
    vfs_obj_t *v = (vfs_obj_t *)vfs;
    if (v && v->py && v->py->exc) {
        return take_py_exception(v);
    }
    int e = err < 0 && err > -200 ? -err : EIO;
    if (path) {
        /* mp_raise_OSError_errno_str(): the number and the path */
        PyObject *args = Py_BuildValue("(iO)", e, path);
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        return NULL;
    }
    return c9rt_raise_errno(e);
}

/* After a core call that succeeded: an exception a Python device raised still surfaces. */
static bool failed_quietly(vfs_obj_t *v) {
    if (v->py && v->py->exc) {
        take_py_exception(v);
        return true;
    }
    return false;
}

int c9py_vfs_sync(PyObject *obj) {
    if (!c9rt_vfs_is_native(obj) || !c9py_is_ready(obj) || !((vfs_obj_t *)obj)->fs) {
        return 0;
    }
    vfs_obj_t *v = (vfs_obj_t *)obj;
    return check_result(v, v->fs->sync(v->fs->ctx, NULL));
}

int c9py_vfs_check(PyObject *vfs) {
    return failed_quietly((vfs_obj_t *)vfs) ? -1 : 0;
}

static int check_result(vfs_obj_t *v, c9_err_t err) {
    if (err != C9_OK) {
        c9py_vfs_raise((PyObject *)v, err, NULL);
        return -1;
    }
    return failed_quietly(v) ? -1 : 0;
}

/* ---- paths ------------------------------------------------------------------------------------ */

/* A path within the volume, made absolute from the volume's current directory with "." and ".."
 * resolved (".." stops at the root), as FatFs follows them. */
static int volume_path(vfs_obj_t *v, const char *path, char *out) {
    char buf[2 * VFS_PATH];
    int n = path[0] == '/' ? snprintf(buf, sizeof buf, "%s", path) : snprintf(buf, sizeof buf, "%s/%s", v->cwd, path);
    if (n < 0 || (size_t)n >= sizeof buf) {
        c9rt_raise_errno(ENAMETOOLONG);
        return -1;
    }
    size_t len = 0;
    char *save = NULL;
    for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".")) {
            continue;
        }
        if (!strcmp(c, "..")) {
            while (len > 0 && out[len] != '/') {
                len--;
            }
            out[len] = 0;
            continue;
        }
        size_t cl = strlen(c);
        if (len + cl + 2 > VFS_PATH) {
            c9rt_raise_errno(ENAMETOOLONG);
            return -1;
        }
        out[len++] = '/';
        memcpy(out + len, c, cl + 1);
        len += cl;
    }
    if (len == 0) {
        strcpy(out, "/");
    }
    return 0;
}

/* What the volume's table gets for a path argument: the volume path, or for VfsPosix the path as
 * the operating system takes it (relative ones from its current directory). */
static int arg_path(vfs_obj_t *v, PyObject *arg, char *out) {
    const char *p = c9rt_path_arg(arg);
    if (!p) {
        return -1;
    }
    if (v->kind == KIND_POSIX) {
        int n = v->root && p[0] == '/' ? snprintf(out, VFS_PATH, "%s%s", v->root, p) : snprintf(out, VFS_PATH, "%s", p);
        if (n < 0 || n >= VFS_PATH) {
            c9rt_raise_errno(ENAMETOOLONG);
            return -1;
        }
        return 0;
    }
    return volume_path(v, p, out);
}

static int ready_fs(vfs_obj_t *v) {
    if (c9py_ready((PyObject *)v) < 0) {
        return -1;
    }
    if (!v->fs) {
        c9rt_raise_errno(ENODEV); /* FatFs: no file system (mount it with mkfs, or mkfs it) */
        return -1;
    }
    return 0;
}

/* verify_fs_writable(): the drive is written by user code only after storage.remount(). */
static int writable(vfs_obj_t *v) {
    if (v->drive && !c9rt.root_writable) {
        c9rt_raise_errno(EROFS);
        return -1;
    }
    return 0;
}

/* A mounted readonly=True FAT volume refuses changes as FatFs does without writeblocks. */
static int changeable(vfs_obj_t *v) {
    if (writable(v) < 0) {
        return -1;
    }
    if (v->readonly) {
        c9rt_raise_errno(EROFS);
        return -1;
    }
    return 0;
}

/* ---- construction ----------------------------------------------------------------------------- */

static void vfs_release(vfs_obj_t *v) {
    if (v->vol) {
        hold(v->py);
        c9rt_fatvol_unmount(v->vol);
        unhold(v->py);
        free(v->vol);
        v->vol = NULL;
    }
    v->fs = NULL;
    pybdev_free(v->py);
    v->py = NULL;
    Py_CLEAR(v->bdev);
    free(v->root);
    v->root = NULL;
}

/* Mounts the FAT volume on v->bd. No FAT file system is no error (mkfs or mount(mkfs=True) may
 * make one); v->fs stays NULL then. */
static int fat_attach(vfs_obj_t *v) {
    hold(v->py);
    c9_err_t err = py_init(v->py);
    unhold(v->py);
    c9rt_fatvol_t *vol = err == C9_OK ? malloc(sizeof *vol) : NULL;
    if (err == C9_OK && !vol) {
        PyErr_NoMemory();
        return -1;
    }
    if (err == C9_OK) {
        hold(v->py);
        err = c9rt_fatvol_mount(vol, &v->bd, false);
        unhold(v->py);
    }
    if (err != C9_OK) {
        free(vol);
        if (err == -ENODEV && !(v->py && v->py->exc)) {
            return 0;
        }
        c9py_vfs_raise((PyObject *)v, err, NULL);
        return -1;
    }
    if (failed_quietly(v)) {
        c9rt_fatvol_unmount(vol);
        free(vol);
        return -1;
    }
    v->vol = vol;
    v->fs = &vol->ops;
    if (v->py) {
        v->guard = guard_ops;
        v->guard.ctx = v;
        v->fs = &v->guard;
    }
    return 0;
}

static int fat_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    PyObject *dev = PyTuple_GET_ITEM(args, 0);
    SELF->kind = KIND_FAT;
    strcpy(SELF->cwd, "/");
    if (blockdev_of(dev, &SELF->bd, &SELF->py) < 0) {
        return -1;
    }
    SELF->bdev = Py_NewRef(dev);
    if (fat_attach(SELF) < 0) {
        vfs_release(SELF);
        return -1;
    }
    return 0;
}
C9PY_DEFINE_INIT(fat_init, fat_construct)

static int posix_construct(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"root", C9PY_ARG_OBJ, {.u_obj = Py_None}}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return -1;
    }
    const c9_port_fs_t *fs = c9_port_host_fs();
    if (!fs) {
        PyErr_SetString(PyExc_NotImplementedError, "no operating system file tree");
        return -1;
    }
    SELF->kind = KIND_POSIX;
    if (a[0].u_obj != Py_None) {
        const char *r = c9rt_path_arg(a[0].u_obj);
        if (!r || !(SELF->root = strdup(r))) {
            return r ? (PyErr_NoMemory(), -1) : -1;
        }
        size_t n = strlen(SELF->root);
        while (n > 0 && SELF->root[n - 1] == '/') {
            SELF->root[--n] = 0;
        }
    }
    SELF->fs = fs;
    return 0;
}
C9PY_DEFINE_INIT(posix_init, posix_construct)

static void vfs_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        vfs_release(SELF);
    }
    Py_TYPE(self)->tp_free(self);
}

/* ---- mkfs ------------------------------------------------------------------------------------- */

static uint32_t volume_id(void) {
    uint32_t id = 0;
    if (c9_port_random(&id, sizeof id) != C9_OK) {
        id = (uint32_t)(c9_port_now_ns() / 1000u);
    }
    return id;
}

/* f_mkfs(FM_FAT | FM_SFD), and FM_FAT32 when the device is too large or small for that.
 * hidden: where the volume starts on its disk (the drive's partition). */
static c9_err_t format(const c9_blockdev_t *bd, bool fat32_fallback, const char *label, uint32_t hidden) {
    uint8_t *work = malloc(4096);
    if (!work) {
        return C9_ERR_NOMEM;
    }
    c9_fat_mkfs_opts_t o = {
        .formats = C9_FAT_FMT_FAT, .volume_id = volume_id(), .label = label, .hidden_sectors = hidden};
    c9_err_t err = c9_fat_mkfs(bd, &o, work, 4096);
    if (err == C9_ERR_FAT_NOSPC && fat32_fallback) {
        o.formats = C9_FAT_FMT_FAT32;
        err = c9_fat_mkfs(bd, &o, work, 4096);
    }
    free(work);
    /* FR_MKFS_ABORTED and the device's errors are EIO; a device without writeblocks EROFS. */
    return err == C9_ERR_FAT_NOSPC || err == C9_ERR_INVAL ? -EIO : c9rt_fatvol_errno(err, false);
}

static PyObject *fat_mkfs(PyObject *cls, PyObject *dev) {
    (void)cls;
    c9_blockdev_t bd;
    pybdev_t *py;
    if (blockdev_of(dev, &bd, &py) < 0) {
        return NULL;
    }
    vfs_obj_t tmp = {.py = py}; /* for the device's exceptions */
    hold(py);
    c9_err_t err = py_init(py);
    if (err == C9_OK) {
        err = format(&bd, true, NULL, 0);
    }
    unhold(py);
    PyObject *r = NULL;
    if (err != C9_OK || (py && py->exc)) {
        c9py_vfs_raise((PyObject *)&tmp, err, NULL);
    } else {
        r = Py_NewRef(Py_None);
    }
    pybdev_free(py);
    return r;
}

/* ---- the VFS methods -------------------------------------------------------------------------- */

static int parse_mode(const char *m, unsigned *flags, bool *text, bool *append) {
    unsigned rwxa = 0, bt = 0, plus = 0;
    bool bad = false;
    *flags = 0;
    *text = true;
    *append = false;
    for (; *m; m++) {
        switch (*m) {
        case 'r': *flags |= C9_PORT_OPEN_READ, rwxa++; break;
        case 'w': *flags |= C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE | C9_PORT_OPEN_TRUNC, rwxa++; break;
        case 'x': *flags |= C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE | C9_PORT_OPEN_EXCL, rwxa++; break;
        case 'a': *flags |= C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE, *append = true, rwxa++; break;
        case '+': *flags |= C9_PORT_OPEN_READ | C9_PORT_OPEN_WRITE, plus++; break;
        case 'b': *text = false, bt++; break;
        case 't': *text = true, bt++; break;
        default: bad = true; break;
        }
    }
    if (rwxa != 1 || plus > 1 || bt > 1 || bad) {
        PyErr_SetString(PyExc_ValueError, "Invalid mode");
        return -1;
    }
    return 0;
}

/* A folder: CPython's own file object on the operating system's path, OSErrors with
 * CircuitPython's texts; writes on the drive are the program's own for auto-reload. */
static PyObject *open_os(vfs_obj_t *v, const char *path, PyObject *mode, bool write, PyObject *args, PyObject *kw) {
    char os_path[PATH_MAX + VFS_PATH];
    c9_err_t err = v->fs->resolve(v->fs->ctx, path, os_path, sizeof os_path);
    if (err != C9_OK) {
        return c9rt_raise_errno(err == C9_ERR_NOMEM ? ENAMETOOLONG : EINVAL);
    }
    if (write && v->drive && c9rt.note_self_write) {
        c9rt.note_self_write(os_path);
    }
    PyObject *io = PyImport_ImportModuleLevel("io", NULL, NULL, NULL, 0);
    PyObject *open = io ? PyObject_GetAttrString(io, "open") : NULL;
    Py_XDECREF(io);
    Py_ssize_t n = args ? PyTuple_GET_SIZE(args) : 0;
    PyObject *all = open ? PyTuple_New(2 + n) : NULL;
    PyObject *f = NULL;
    if (all) {
        PyTuple_SET_ITEM(all, 0, PyUnicode_DecodeFSDefault(os_path));
        PyTuple_SET_ITEM(all, 1, Py_NewRef(mode));
        for (Py_ssize_t i = 0; i < n; i++) {
            PyTuple_SET_ITEM(all, 2 + i, Py_NewRef(PyTuple_GET_ITEM(args, i)));
        }
        f = PyTuple_GET_ITEM(all, 0) ? PyObject_Call(open, all, kw) : NULL;
    }
    Py_XDECREF(all);
    Py_XDECREF(open);
    if (!f && PyErr_ExceptionMatches(PyExc_OSError)) {
        PyObject *t, *val, *tb;
        PyErr_Fetch(&t, &val, &tb);
        PyErr_NormalizeException(&t, &val, &tb);
        PyObject *no = val ? PyObject_GetAttrString(val, "errno") : NULL;
        if (no && PyLong_Check(no)) {
            c9rt_raise_errno((int)PyLong_AsLong(no));
            Py_XDECREF(t);
            Py_XDECREF(val);
            Py_XDECREF(tb);
        } else {
            PyErr_Restore(t, val, tb);
        }
        Py_XDECREF(no);
    }
    return f;
}

static PyObject *vfs_open(PyObject *self, PyObject *args, PyObject *kw) {
    if (ready_fs(SELF) < 0) {
        return NULL;
    }
    bool fat = SELF->kind == KIND_FAT;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    PyObject *path_arg, *mode;
    if (fat) {
        /* open(path, mode, [buffering, [encoding]]): MicroPython's open() takes and ignores the
         * last two; nothing else. */
        static const c9py_arg_t allowed[] = {{"file", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
                                             {"mode", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
                                             {"buffering", C9PY_ARG_OBJ, {.u_obj = Py_None}},
                                             {"encoding", C9PY_ARG_OBJ, {.u_obj = Py_None}}};
        c9py_argval_t a[4];
        if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
            return NULL;
        }
        path_arg = a[0].u_obj;
        mode = a[1].u_obj;
    } else if (nargs < 2) {
        return PyErr_Format(PyExc_TypeError, "function missing %d required positional arguments", (int)(2 - nargs));
    } else {
        path_arg = PyTuple_GET_ITEM(args, 0);
        mode = PyTuple_GET_ITEM(args, 1);
    }
    const char *m = c9rt_path_arg(mode);
    unsigned flags;
    bool text, append;
    char path[VFS_PATH];
    if (!m || parse_mode(m, &flags, &text, &append) < 0 || arg_path(SELF, path_arg, path) < 0) {
        return NULL;
    }
    bool write = flags & C9_PORT_OPEN_WRITE;
    if (write && writable(SELF) < 0) {
        return NULL;
    }
    if (!fat) {
        PyObject *rest = PyTuple_GetSlice(args, 2, nargs);
        PyObject *f = rest ? open_os(SELF, path, mode, write, rest, kw) : NULL;
        Py_XDECREF(rest);
        return f;
    }
    if (write && SELF->readonly) {
        return c9py_vfs_raise(self, -EROFS, path_arg);
    }
    void *handle;
    c9_err_t err = SELF->fs->open(SELF->fs->ctx, path, flags, &handle);
    if (err != C9_OK) {
        return c9py_vfs_raise(self, err, path_arg);
    }
    if (append) {
        /* 'a' starts at the end (FA_OPEN_ALWAYS and a seek); a seek may move it later. */
        err = SELF->fs->seek(SELF->fs->ctx, handle, 0, 2, NULL);
    }
    if (err != C9_OK || failed_quietly(SELF)) {
        SELF->fs->close(SELF->fs->ctx, handle);
        return err != C9_OK ? c9py_vfs_raise(self, err, NULL) : NULL;
    }
    PyObject *f = c9py_fat_file_new(self, SELF->fs, handle, text, (flags & C9_PORT_OPEN_READ) != 0, write);
    if (!f) {
        SELF->fs->close(SELF->fs->ctx, handle);
    }
    return f;
}

typedef struct {
    char *name;
    c9_port_stat_t st;
} entry_t;

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

static PyObject *vfs_ilistdir(PyObject *self, PyObject *args) {
    if (ready_fs(SELF) < 0 || c9py_arg_check_call(args, NULL, 1, 1, 2, false) < 0) {
        return NULL;
    }
    PyObject *arg = PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : NULL;
    bool as_bytes = arg && PyBytes_Check(arg);
    PyObject *str = as_bytes ? PyUnicode_DecodeUTF8(PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg), "surrogateescape")
                             : Py_NewRef(arg ? arg : Py_None);
    char path[VFS_PATH];
    int rc = !str ? -1 : str == Py_None ? volume_path(SELF, "", path) : arg_path(SELF, str, path);
    Py_XDECREF(str);
    if (rc < 0) {
        return NULL;
    }
    if (SELF->kind == KIND_POSIX && str == Py_None) {
        strcpy(path, ".");
    }
    void *dir;
    c9_err_t err = SELF->fs->dir_open(SELF->fs->ctx, path, &dir);
    if (err != C9_OK) {
        return c9py_vfs_raise(self, err, NULL);
    }
    size_t n = 0, cap = 16;
    entry_t *e = malloc(cap * sizeof *e);
    char name[C9_FAT_NAME_BUF + 256];
    c9_port_stat_t st;
    while (e && (err = SELF->fs->dir_read(SELF->fs->ctx, dir, name, sizeof name, &st)) == C9_OK) {
        if (n == cap) {
            entry_t *more = realloc(e, 2 * cap * sizeof *e);
            if (!more) {
                break;
            }
            e = more;
            cap *= 2;
        }
        e[n].name = strdup(name);
        e[n].st = st;
        if (!e[n].name) {
            break;
        }
        n++;
    }
    SELF->fs->dir_close(SELF->fs->ctx, dir);
    PyObject *list = NULL;
    if (!e || err == C9_OK) {
        PyErr_NoMemory();
    } else if (err != C9_ERR_NOENT) {
        c9py_vfs_raise(self, err, NULL);
    } else if (!failed_quietly(SELF)) {
        /* FAT lists in directory order; an operating system's order means nothing, so sort. */
        if (SELF->kind != KIND_FAT) {
            qsort(e, n, sizeof *e, cmp_entry);
        }
        list = PyList_New(0);
        for (size_t i = 0; list && i < n; i++) {
            PyObject *nm = as_bytes ? PyBytes_FromString(e[i].name)
                                    : PyUnicode_DecodeUTF8(e[i].name, (Py_ssize_t)strlen(e[i].name), "surrogateescape");
            int type = e[i].st.is_dir ? S_IFDIR_MP : S_IFREG_MP;
            PyObject *t = !nm ? NULL
                          : SELF->kind == KIND_POSIX
                              ? Py_BuildValue("(Nii)", nm, type, 0)
                              : Py_BuildValue("(NiiK)", nm, type, 0, (unsigned long long)e[i].st.size);
            if (!t || PyList_Append(list, t) < 0) {
                Py_CLEAR(list);
            }
            Py_XDECREF(t);
        }
    }
    for (size_t i = 0; e && i < n; i++) {
        free(e[i].name);
    }
    free(e);
    PyObject *it = list ? PyObject_GetIter(list) : NULL;
    Py_XDECREF(list);
    return it;
}

typedef c9_err_t (*path_op_t)(void *ctx, const char *path);

static PyObject *path_change(PyObject *self, PyObject *arg, path_op_t op) {
    char path[VFS_PATH];
    if (ready_fs(SELF) < 0 || changeable(SELF) < 0 || arg_path(SELF, arg, path) < 0) {
        return NULL;
    }
    if (check_result(SELF, op(SELF->fs->ctx, path)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *vfs_mkdir(PyObject *self, PyObject *arg) {
    return ready_fs(SELF) < 0 ? NULL : path_change(self, arg, SELF->fs->mkdir);
}

static PyObject *vfs_rmdir(PyObject *self, PyObject *arg) {
    return ready_fs(SELF) < 0 ? NULL : path_change(self, arg, SELF->fs->rmdir);
}

static PyObject *vfs_remove(PyObject *self, PyObject *arg) {
    return ready_fs(SELF) < 0 ? NULL : path_change(self, arg, SELF->fs->remove);
}

static PyObject *vfs_rename(PyObject *self, PyObject *args) {
    char a[VFS_PATH], b[VFS_PATH];
    if (ready_fs(SELF) < 0 || c9py_arg_check_call(args, NULL, 1, 3, 3, false) < 0 || changeable(SELF) < 0 ||
        arg_path(SELF, PyTuple_GET_ITEM(args, 0), a) < 0 || arg_path(SELF, PyTuple_GET_ITEM(args, 1), b) < 0) {
        return NULL;
    }
    if (check_result(SELF, SELF->fs->rename(SELF->fs->ctx, a, b)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *stat_tuple(const c9_port_stat_t *st) {
    long long t = st->mtime;
    return Py_BuildValue("(iiiiiiKLLL)", st->is_dir ? S_IFDIR_MP : S_IFREG_MP, 0, 0, 0, 0, 0,
                         (unsigned long long)(st->is_dir ? 0 : st->size), t, t, t);
}

static PyObject *vfs_stat(PyObject *self, PyObject *arg) {
    char path[VFS_PATH];
    if (ready_fs(SELF) < 0 || arg_path(SELF, arg, path) < 0) {
        return NULL;
    }
    c9_port_stat_t st;
    if (check_result(SELF, SELF->fs->stat(SELF->fs->ctx, path, &st)) < 0) {
        return NULL;
    }
    return stat_tuple(&st);
}

static PyObject *vfs_statvfs(PyObject *self, PyObject *arg) {
    (void)arg;
    if (ready_fs(SELF) < 0) {
        return NULL;
    }
    c9_port_statvfs_t s;
    if (check_result(SELF, SELF->fs->statvfs(SELF->fs->ctx, &s)) < 0) {
        return NULL;
    }
    /* VfsFat's flags are 0; VfsPosix passes the system's read-only flag on. */
    unsigned long flags = SELF->kind == KIND_POSIX && s.readonly ? 1 : 0;
    return Py_BuildValue("(kkKKKkkkkk)", (unsigned long)s.block_size, (unsigned long)s.block_size,
                         (unsigned long long)s.blocks, (unsigned long long)s.free_blocks,
                         (unsigned long long)s.free_blocks, 0UL, 0UL, 0UL, flags, (unsigned long)s.name_max);
}

static PyObject *vfs_chdir(PyObject *self, PyObject *arg) {
    char path[VFS_PATH];
    if (ready_fs(SELF) < 0 || arg_path(SELF, arg, path) < 0) {
        return NULL;
    }
    if (SELF->kind == KIND_POSIX) {
        if (check_result(SELF, SELF->fs->chdir(SELF->fs->ctx, path)) < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    c9_port_stat_t st;
    c9_err_t err = SELF->fs->stat(SELF->fs->ctx, path, &st);
    if (err == C9_OK && !st.is_dir) {
        err = -ENOENT; /* FatFs's f_chdir: no such directory */
    }
    if (check_result(SELF, err) < 0) {
        return NULL;
    }
    strcpy(SELF->cwd, path);
    Py_RETURN_NONE;
}

static PyObject *vfs_getcwd(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (ready_fs(SELF) < 0) {
        return NULL;
    }
    if (SELF->kind == KIND_POSIX) {
        char buf[PATH_MAX];
        if (check_result(SELF, SELF->fs->getcwd(SELF->fs->ctx, buf, sizeof buf)) < 0) {
            return NULL;
        }
        size_t n = SELF->root ? strlen(SELF->root) : 0;
        if (n && !strncmp(buf, SELF->root, n) && (buf[n] == '/' || !buf[n])) {
            return PyUnicode_DecodeFSDefault(buf[n] ? buf + n : "/");
        }
        return PyUnicode_DecodeFSDefault(buf);
    }
    return PyUnicode_FromString(SELF->cwd);
}

static PyObject *vfs_mount(PyObject *self, PyObject *args) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, NULL, 1, 3, 3, false) < 0) {
        return NULL;
    }
    int readonly = PyObject_IsTrue(PyTuple_GET_ITEM(args, 0));
    int mkfs = PyObject_IsTrue(PyTuple_GET_ITEM(args, 1));
    if (readonly < 0 || mkfs < 0) {
        return NULL;
    }
    if (SELF->kind == KIND_POSIX && mkfs) {
        return c9rt_raise_errno(EPERM);
    }
    if (readonly) {
        SELF->readonly = true;
    }
    if (SELF->kind == KIND_FAT && !SELF->fs) {
        hold(SELF->py);
        c9_err_t err = mkfs ? format(&SELF->bd, false, NULL, 0) : -ENODEV;
        unhold(SELF->py);
        if (err != C9_OK) {
            return c9py_vfs_raise(self, err, NULL);
        }
        if (failed_quietly(SELF) || fat_attach(SELF) < 0) {
            return NULL;
        }
        if (!SELF->fs) {
            return c9rt_raise_errno(ENODEV);
        }
    }
    Py_RETURN_NONE;
}

static PyObject *vfs_umount(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    /* The volume stays usable through the object itself, as MicroPython's VfsFat does; every
     * change is already on the device. */
    Py_RETURN_NONE;
}

static PyObject *vfs_utime(PyObject *self, PyObject *args) {
    char path[VFS_PATH];
    if (ready_fs(SELF) < 0 || c9py_arg_check_call(args, NULL, 1, 3, 3, false) < 0) {
        return NULL;
    }
    PyObject *times = PyTuple_GET_ITEM(args, 1);
    if (!PyTuple_Check(times) && !PyList_Check(times)) {
        return PyErr_Format(PyExc_TypeError, "can't convert %s to tuple", c9py_type_name(times));
    }
    if (PySequence_Size(times) != 2) {
        return PyErr_Format(PyExc_ValueError, "requested length 2 but object has length %zd", PySequence_Size(times));
    }
    int32_t t[2];
    for (int i = 0; i < 2; i++) {
        PyObject *item = PySequence_GetItem(times, i);
        int rc = item ? c9py_mp_int(item, &t[i]) : -1;
        Py_XDECREF(item);
        if (rc < 0) {
            return NULL;
        }
    }
    if (arg_path(SELF, PyTuple_GET_ITEM(args, 0), path) < 0 || changeable(SELF) < 0) {
        return NULL;
    }
    if (SELF->kind != KIND_FAT) {
        char os_path[PATH_MAX + VFS_PATH];
        if (SELF->fs->resolve(SELF->fs->ctx, path, os_path, sizeof os_path) != C9_OK) {
            return c9rt_raise_errno(EINVAL);
        }
        PyObject *os = PyImport_ImportModuleLevel("os", NULL, NULL, NULL, 0);
        PyObject *r = os ? PyObject_CallMethod(os, "utime", "s(ii)", os_path, (int)t[0], (int)t[0]) : NULL;
        Py_XDECREF(os);
        if (!r && PyErr_ExceptionMatches(PyExc_OSError)) {
            PyObject *tp, *v, *tb;
            PyErr_Fetch(&tp, &v, &tb);
            PyErr_NormalizeException(&tp, &v, &tb);
            PyObject *no = v ? PyObject_GetAttrString(v, "errno") : NULL;
            c9rt_raise_errno(no && PyLong_Check(no) ? (int)PyLong_AsLong(no) : EIO);
            Py_XDECREF(no);
            Py_XDECREF(tp);
            Py_XDECREF(v);
            Py_XDECREF(tb);
        }
        return r;
    }
    hold(SELF->py);
    c9_err_t err = c9_fat_utime(&SELF->vol->fat, path, c9rt_fat_time_from_seconds(t[0]));
    unhold(SELF->py);
    if (check_result(SELF, c9rt_fatvol_errno(err, false)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *vfs_get_label(PyObject *self, void *closure) {
    (void)closure;
    if (ready_fs(SELF) < 0) {
        return NULL;
    }
    if (SELF->kind != KIND_FAT) {
        return PyUnicode_FromString(SELF->drive ? "CIRCUITPY" : "");
    }
    char label[40];
    hold(SELF->py);
    c9_err_t err = c9_fat_getlabel(&SELF->vol->fat, label, sizeof label);
    unhold(SELF->py);
    if (check_result(SELF, c9rt_fatvol_errno(err, false)) < 0) {
        return NULL;
    }
    return PyUnicode_FromString(label);
}

static int vfs_set_label(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    if (c9py_setter_present(value) < 0 || ready_fs(SELF) < 0 || writable(SELF) < 0) {
        return -1;
    }
    const char *label = c9rt_path_arg(value);
    if (!label) {
        return -1;
    }
    if (SELF->kind != KIND_FAT) {
        c9rt_raise_errno(EOPNOTSUPP); /* a folder has no label to change */
        return -1;
    }
    if (SELF->readonly) {
        PyErr_SetString(PyExc_OSError, "Read-only filesystem");
        return -1;
    }
    hold(SELF->py);
    c9_err_t err = c9_fat_setlabel(&SELF->vol->fat, label);
    unhold(SELF->py);
    if (err == C9_ERR_FAT_ROFS || err == C9_ERR_PERM) {
        PyErr_SetString(PyExc_OSError, "Read-only filesystem");
        return -1;
    }
    return check_result(SELF, c9rt_fatvol_errno(err, false));
}

static PyObject *vfs_get_readonly(PyObject *self, void *closure) {
    (void)closure;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    bool ro = SELF->drive ? !c9rt.root_writable : SELF->readonly || (SELF->kind == KIND_FAT && !SELF->bd.write);
    return PyBool_FromLong(ro);
}

static PyMethodDef vfs_methods[] = {
    {"mkfs", fat_mkfs, METH_O | METH_STATIC, "Formats the block device as CircuitPython's VfsFat.mkfs does."},
    {"open", (PyCFunction)(void (*)(void))vfs_open, METH_VARARGS | METH_KEYWORDS, NULL},
    {"ilistdir", vfs_ilistdir, METH_VARARGS, NULL},
    {"mkdir", vfs_mkdir, METH_O, NULL},
    {"rmdir", vfs_rmdir, METH_O, NULL},
    {"chdir", vfs_chdir, METH_O, NULL},
    {"getcwd", vfs_getcwd, METH_NOARGS, NULL},
    {"remove", vfs_remove, METH_O, NULL},
    {"rename", vfs_rename, METH_VARARGS, NULL},
    {"stat", vfs_stat, METH_O, NULL},
    {"statvfs", vfs_statvfs, METH_O, NULL},
    {"mount", vfs_mount, METH_VARARGS, NULL},
    {"umount", vfs_umount, METH_NOARGS, NULL},
    {"utime", vfs_utime, METH_VARARGS, NULL},
    {NULL},
};

static PyGetSetDef vfs_getset[] = {
    {"label", vfs_get_label, vfs_set_label, NULL, NULL},
    {"readonly", vfs_get_readonly, NULL, NULL, NULL},
    {NULL},
};

PyTypeObject c9py_VfsFat_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "storage.VfsFat",
    .tp_basicsize = sizeof(vfs_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "VfsFat(block_device): a FAT file system on a block device.",
    .tp_new = c9py_native_new,
    .tp_init = fat_init,
    .tp_dealloc = vfs_dealloc,
    .tp_methods = vfs_methods,
    .tp_getset = vfs_getset,
};

PyTypeObject c9py_VfsPosix_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "os.VfsPosix",
    .tp_basicsize = sizeof(vfs_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "VfsPosix(root=None): the operating system's file tree.",
    .tp_new = c9py_native_new,
    .tp_init = posix_init,
    .tp_dealloc = vfs_dealloc,
    .tp_methods = vfs_methods + 1, /* no mkfs */
};

/* ---- the runtime's side ------------------------------------------------------------------------ */

static int resolve_hook(PyObject *obj, const char *path, char *os_path, size_t size, bool *readonly) {
    vfs_obj_t *v = (vfs_obj_t *)obj;
    char p[VFS_PATH];
    if (!c9py_is_ready(obj) || !v->fs || v->kind == KIND_FAT) {
        c9rt_raise_errno(ENODEV);
        return -1;
    }
    if (v->kind == KIND_POSIX) {
        int n = v->root && path[0] == '/' ? snprintf(p, sizeof p, "%s%s", v->root, path)
                                          : snprintf(p, sizeof p, "%s", path);
        if (n < 0 || (size_t)n >= sizeof p) {
            c9rt_raise_errno(ENAMETOOLONG);
            return -1;
        }
    } else if (volume_path(v, path, p) < 0) {
        return -1;
    }
    c9_err_t err = v->fs->resolve(v->fs->ctx, p, os_path, size);
    if (err != C9_OK) {
        c9rt_raise_errno(err == C9_ERR_NOMEM ? ENAMETOOLONG : EINVAL);
        return -1;
    }
    *readonly = v->drive ? !c9rt.root_writable : v->readonly;
    return 0;
}

int c9py_vfs_setup(void) {
    static bool types_ready, root_done;
    if (!types_ready) {
        if (c9py_type_ready(&c9py_VfsFat_Type) < 0 || c9py_type_ready(&c9py_VfsPosix_Type) < 0 ||
            c9py_fat_file_types_ready() < 0) {
            return -1;
        }
        c9rt_vfs_set_native_types(&c9py_VfsFat_Type, &c9py_VfsPosix_Type, resolve_hook);
        types_ready = true;
    }
    if (!root_done && !c9rt.active) {
        /* The unix port mounts the operating system's tree at "/" before running anything. */
        root_done = true;
        if (c9_port_host_fs() && c9rt_vfs_count() == 0) {
            PyObject *v = c9py_object_new(&c9py_VfsPosix_Type);
            if (!v) {
                return -1;
            }
            ((vfs_obj_t *)v)->kind = KIND_POSIX;
            ((vfs_obj_t *)v)->fs = c9_port_host_fs();
            int rc = c9rt_vfs_insert(v, "/", true, true);
            Py_DECREF(v);
            if (rc < 0) {
                return -1;
            }
            c9rt_vfs_reset(); /* the current mount is the root's */
        }
    }
    return 0;
}

static int mount_drive(PyObject *v) {
    ((vfs_obj_t *)v)->drive = true;
    strcpy(((vfs_obj_t *)v)->cwd, "/");
    int rc = c9rt_vfs_insert(v, "/", false, true);
    if (rc == 0) {
        Py_XSETREF(drive_obj, Py_NewRef(v));
        c9rt_vfs_reset();
    }
    Py_DECREF(v);
    return rc;
}

int c9py_vfs_mount_drive_folder(const c9_port_fs_t *fs) {
    if (c9py_vfs_setup() < 0) {
        return -1;
    }
    PyObject *v = c9py_object_new(&c9py_VfsFat_Type);
    if (!v) {
        return -1;
    }
    ((vfs_obj_t *)v)->kind = KIND_FOLDER;
    ((vfs_obj_t *)v)->fs = fs;
    return mount_drive(v);
}

int c9py_vfs_mount_drive_blockdev(const c9_blockdev_t *bd) {
    if (c9py_vfs_setup() < 0) {
        return -1;
    }
    PyObject *v = c9py_object_new(&c9py_VfsFat_Type);
    if (!v) {
        return -1;
    }
    vfs_obj_t *f = (vfs_obj_t *)v;
    f->kind = KIND_FAT;
    f->bd = *bd;
    if (fat_attach(f) < 0 || (!f->fs && (c9rt_raise_errno(ENODEV), true))) {
        Py_DECREF(v);
        return -1;
    }
    return mount_drive(v);
}

int c9py_vfs_drive_write(const char *path, const void *data, size_t len) {
    vfs_obj_t *v = (vfs_obj_t *)drive_obj;
    if (!v || !v->fs) {
        c9rt_raise_errno(ENODEV);
        return -1;
    }
    void *f;
    c9_err_t err = v->fs->open(v->fs->ctx, path, C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE | C9_PORT_OPEN_TRUNC, &f);
    if (err == C9_OK) {
        size_t done = 0;
        err = v->fs->write(v->fs->ctx, f, data, len, &done);
        c9_err_t e2 = v->fs->close(v->fs->ctx, f);
        err = err != C9_OK ? err : e2;
    }
    return check_result(v, err);
}

static c9_err_t make_file(const c9_port_fs_t *fs, const char *path, const char *text) {
    void *f;
    c9_err_t err = fs->open(fs->ctx, path, C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE | C9_PORT_OPEN_TRUNC, &f);
    if (err == C9_OK) {
        size_t done;
        err = fs->write(fs->ctx, f, text, strlen(text), &done);
        c9_err_t e2 = fs->close(fs->ctx, f);
        err = err != C9_OK ? err : e2;
    }
    return err;
}

int c9py_vfs_erase_drive(void) {
    vfs_obj_t *v = (vfs_obj_t *)drive_obj;
    if (!v || v->kind != KIND_FAT) {
        c9rt_raise_errno(ENODEV);
        return -1;
    }
    /* Files still open on the drive would point into the old volume: the formatted one starts
     * without them, as after the board's reset. */
    c9_err_t err = C9_OK;
    if (v->vol) {
        c9rt_fatvol_unmount(v->vol);
        free(v->vol);
        v->vol = NULL;
        v->fs = NULL;
    }
    /* The volume keeps its place on the disk: CIRCUITPY starts at block 1, after the MBR. */
    uint8_t boot[C9_BLOCK_SIZE];
    uint32_t hidden = 0;
    if (c9_blockdev_read(&v->bd, 0, boot, 1) == C9_OK && c9_fat_is_boot_sector(boot)) {
        hidden = (uint32_t)boot[28] | (uint32_t)boot[29] << 8 | (uint32_t)boot[30] << 16 | (uint32_t)boot[31] << 24;
    }
    err = format(&v->bd, true, "CIRCUITPY", hidden);
    if (err == C9_OK && fat_attach(v) == 0 && v->fs) {
        /* supervisor/shared/filesystem.c's filesystem_init(force_create) */
        const c9_port_fs_t *fs = v->fs;
        err = fs->mkdir(fs->ctx, "/.fseventsd");
        static const char *const empty[] = {"/.fseventsd/no_log", "/.metadata_never_index", "/.Trashes", "/.Trash-1000",
                                            "/settings.toml"};
        for (size_t i = 0; err == C9_OK && i < C9_ARRAY_SIZE(empty); i++) {
            err = make_file(fs, empty[i], "");
        }
        bool sd = c9rt.board && c9_board_has_module(c9rt.board, "sdcardio");
        if (err == C9_OK && sd) {
            err = fs->mkdir(fs->ctx, "/sd");
        }
        if (err == C9_OK && sd) {
            err = make_file(fs, "/sd/placeholder.txt",
                            "SD cards mounted at /sd will hide this file from Python. SD cards are not visible "
                            "via USB CIRCUITPY.\n");
        }
        if (err == C9_OK) {
            err = make_file(fs, "/code.py", "print(\"Hello World!\")\n");
        }
        if (err == C9_OK) {
            err = fs->mkdir(fs->ctx, "/lib");
        }
        if (err == C9_OK) {
            err = fs->sync(fs->ctx, NULL);
        }
    } else if (PyErr_Occurred()) {
        return -1;
    }
    return check_result(v, v->fs ? err : err != C9_OK ? err : -ENODEV);
}
