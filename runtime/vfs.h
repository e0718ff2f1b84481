/*
 * The board's file system as user code sees it: MicroPython's virtual file system (extmod/vfs.c)
 * as CircuitPython 9.2.9 uses it. A mount table of objects with the VFS methods (open, ilistdir,
 * stat, statvfs, mkdir, rmdir, remove, rename, chdir, getcwd, mount, umount: storage.VfsFat, the
 * unix port's VfsPosix, or any Python object that has them) at absolute paths; a path is handed,
 * as the part below the mount point, to the first mount in the table whose mount point it is in.
 *
 *   - `circuit9 run`: the CIRCUITPY drive at "/" (a VfsFat over the drive's folder or over the FAT
 *     volume of a drive image), then whatever storage.mount() adds, in front. A soft reboot drops
 *     everything but the drive (c9rt_vfs_reset).
 *   - `circuit9 SCRIPT.py` and the Python package: the operating system's tree at "/" (VfsPosix),
 *     as on CircuitPython's unix port; os.mount()/os.umount() change it.
 *
 * Relative paths go to the current mount (os.chdir), which resolves them against its own current
 * directory, as MicroPython's vfs_cur does. Every function runs with the GIL held and returns
 * NULL or -1 with a Python exception set on failure; errno-style failures are OSError with
 * CircuitPython's numbers and texts (c9rt_raise_errno).
 */
#ifndef C9RT_VFS_H
#define C9RT_VFS_H

#include "c9py.h"

/* What c9rt_vfs_lookup() finds besides a mount's index. */
enum { C9RT_VFS_NONE = -1, C9RT_VFS_ROOT = -2 };

/* The mount serving path (an index), C9RT_VFS_ROOT for "/" itself (or "" while the current
 * mount is the root), C9RT_VFS_NONE when nothing is mounted there. *rest points into path (or at
 * "/") and is the path within the mount. */
int c9rt_vfs_lookup(const char *path, const char **rest);
/* The mounted object (borrowed) and its mount point. */
PyObject *c9rt_vfs_obj(int index);
const char *c9rt_vfs_mount_path(int index);
int c9rt_vfs_count(void);

/* mp_vfs_mount()'s and storage.mount()'s insertion: front (storage) or just before a mount at
 * "/" (os), which stays last. keep: survives c9rt_vfs_reset (the drive). 0 or -1. */
int c9rt_vfs_insert(PyObject *obj, const char *path, bool front, bool keep);
/* Takes mount index out of the table (the current mount becomes the root if it was that one);
 * returns the object (new reference). */
PyObject *c9rt_vfs_take(int index);
/* The index of the mount with exactly this mount point, or -1. */
int c9rt_vfs_find_path(const char *path);
/* The index of the first mount of obj, or -1. */
int c9rt_vfs_find_obj(PyObject *obj);
/* After a run: only the kept mounts remain, and the current mount is the one at "/". */
void c9rt_vfs_reset(void);

/* A path argument as MicroPython takes it (str), or TypeError "can't convert 'T' object to str
 * implicitly". Borrowed UTF-8. */
const char *c9rt_path_arg(PyObject *path);

/* The os module's file functions, over the table (shared-module/os for boards, extmod/vfs.c
 * for the unix port; `board` picks the board's variant where they differ: trailing '/' dropped
 * from directory paths). Each returns a new reference / 0, or NULL / -1 with an exception. */
int c9rt_vfs_chdir(PyObject *path);
PyObject *c9rt_vfs_getcwd(void);
PyObject *c9rt_vfs_ilistdir(PyObject *path); /* path NULL: "" */
PyObject *c9rt_vfs_listdir(PyObject *path, bool board);
int c9rt_vfs_mkdir(PyObject *path, bool board);
int c9rt_vfs_remove(PyObject *path);
int c9rt_vfs_rename(PyObject *from, PyObject *to);
int c9rt_vfs_rmdir(PyObject *path, bool board);
PyObject *c9rt_vfs_stat(PyObject *path);
PyObject *c9rt_vfs_statvfs(PyObject *path);
int c9rt_vfs_utime(PyObject *path, PyObject *times);
/* open(file, mode, ...): the mount's open(path, mode); extra arguments reach a VfsFat of the
 * runtime (which knows buffering and encoding, and passes the rest to CPython's open on a
 * folder), never other objects, as MicroPython passes only path and mode. */
PyObject *c9rt_vfs_open(PyObject *file, PyObject *mode, PyObject *args, PyObject *kw);

/* For the importer and the supervisor: what a path is (0 nothing, 1 a file, 2 a directory), as
 * mp_vfs_import_stat() decides (any error is "nothing"); and a whole file as bytes. */
int c9rt_vfs_import_stat(const char *path);
PyObject *c9rt_vfs_read_file(const char *path);

/* The runtime's own VfsFat and VfsPosix classes (storage registers them): objects of exactly
 * these types get open()'s extra arguments. resolve gives the operating system's path of a path
 * within such an object when it stands for a directory of the operating system (0), and whether
 * user code may write there; else -1 with OSError(ENODEV). */
typedef int (*c9rt_vfs_resolve_fn)(PyObject *obj, const char *path, char *os_path, size_t size, bool *readonly);
void c9rt_vfs_set_native_types(PyTypeObject *vfsfat, PyTypeObject *vfsposix, c9rt_vfs_resolve_fn resolve);
bool c9rt_vfs_is_native(PyObject *obj);
bool c9rt_vfs_is_posix(PyObject *obj);
/* resolve for whatever serves path (see c9rt_map_path). */
int c9rt_vfs_resolve(const char *path, char *os_path, size_t size, bool *readonly);

#endif
