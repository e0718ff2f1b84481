/*
 * storage's file systems as the os module, the supervisor and sdcardio see them.
 *
 * storage.VfsFat is CircuitPython's FAT file system object: over a block device (sdcardio.SDCard,
 * a drive image's partition, or any Python object with readblocks/writeblocks/ioctl) it runs the
 * FAT core through runtime/fatvol.h; for the CIRCUITPY drive kept as a folder it runs on the
 * port's drive table and hands out CPython's file objects. VfsPosix is the unix port's view of
 * the operating system's tree (os.VfsPosix in a script). Both speak MicroPython's VFS protocol
 * (runtime/vfs.h), so mounted anywhere they serve open(), import and os.
 */
#ifndef C9PY_STORAGE_H
#define C9PY_STORAGE_H

#include "c9py.h"
#include "circuit9/blockdev.h"
#include "circuit9/port.h"

extern PyTypeObject c9py_VfsFat_Type, c9py_VfsPosix_Type;

/* Readies the VFS classes and file types and tells the runtime about them; in a script and in
 * the package (not under `circuit9 run`) it also mounts the operating system's tree at "/" the
 * first time. 0 or -1. */
int c9py_vfs_setup(void);

/* The CIRCUITPY drive for `circuit9 run`: a VfsFat over the port's drive folder, or over the FAT
 * volume of block device bd (a drive image), mounted at "/" for good. 0, or -1 with an
 * exception (OSError ENODEV when bd holds no FAT volume). */
int c9py_vfs_mount_drive_folder(const c9_port_fs_t *fs);
int c9py_vfs_mount_drive_blockdev(const c9_blockdev_t *bd);

/* Writes a whole file on the drive whatever user code may do (boot_out.txt). 0 or -1. */
int c9py_vfs_drive_write(const char *path, const void *data, size_t len);

/* The drive's FAT volume formatted as CircuitPython's filesystem_init(force_create) leaves it
 * (label CIRCUITPY, code.py, lib/, settings.toml, the hidden files for desktop systems).
 * OSError ENODEV when the drive is a folder. 0 or -1. */
int c9py_vfs_erase_drive(void);

/* os.sync() for one mounted object: the runtime's file systems write what they hold; other
 * objects have nothing to say. 0 or -1. */
int c9py_vfs_sync(PyObject *obj);

/* Takes mount index out of the table and calls its umount() (storage.umount, os.umount); OSError
 * EINVAL for -1. None or NULL. */
PyObject *c9py_storage_umount_index(int index);

/* A FAT file object over an open volume file (file.c). vfs is kept alive by the file. */
PyObject *c9py_fat_file_new(PyObject *vfs, const c9_port_fs_t *fs, void *handle, bool text, bool readable,
                            bool writable);
/* Readies FileIO and TextIOWrapper (and registers them with io's ABCs). 0 or -1. */
int c9py_fat_file_types_ready(void);
/* Reports a volume error of a VfsFat as its exception: the one a Python block device raised if
 * there is one, else OSError(errno) (with the path when given, as FatFs's open does). NULL. */
PyObject *c9py_vfs_raise(PyObject *vfs, c9_err_t err, PyObject *path);
/* After a volume call that succeeded: -1 with the exception a Python block device raised during
 * it (which the volume got past), else 0. */
int c9py_vfs_check(PyObject *vfs);

#endif
