/*
 * A FAT volume of the FAT core (fat.h) as a volume of the port contract (c9_port_fs_t), so that
 * the runtime's file system objects (storage.VfsFat) treat a FAT volume on a block device and a
 * directory of the operating system the same way.
 *
 *     c9rt_fatvol_t *v = malloc(sizeof *v);
 *     c9_err_t err = c9rt_fatvol_mount(v, &bdev, false);   // v->ops is the volume's table
 *     v->ops.open(v->ops.ctx, "/code.py", C9_PORT_OPEN_READ, &file);
 *     c9rt_fatvol_unmount(v);
 *
 * Errors are what the table promises: negated errno numbers, chosen as CircuitPython's VfsFat
 * raises them (FatFs's results through its fresult_to_errno_table): a missing file or a path
 * through a file is ENOENT, so is opening a directory as a file; a full directory, a directory
 * that is not empty and a read-only attribute are EACCES; bad and over-long names are EINVAL; a
 * write that fills the volume is ENOSPC; a write-protected volume or device EROFS; no FAT volume
 * ENODEV; a damaged one EIO. Removing a directory with remove() is EISDIR, removing a file with
 * rmdir() ENOTDIR (VfsFat's own checks). Errors of the block device that are not errno numbers
 * (an SD card's) are EIO.
 *
 * Files and directories opened through the table are allocated with malloc and freed on close.
 * Timestamps are the board's real-time clock as local time, the way FAT keeps them.
 */
#ifndef C9RT_FATVOL_H
#define C9RT_FATVOL_H

#include "circuit9/fat.h"
#include "circuit9/port.h"

typedef struct c9rt_fatvol {
    c9_port_fs_t ops; /* ops.ctx is the volume */
    c9_fat_t fat;
    bool mounted;
} c9rt_fatvol_t;

/* Mounts the FAT volume on bd (at block 0, or the first FAT partition of an MBR). The device
 * table is copied; whatever it points to must outlive the volume. readonly refuses every change
 * (EROFS). Returns C9_OK or a negated errno (ENODEV: no FAT volume; EIO). */
c9_err_t c9rt_fatvol_mount(c9rt_fatvol_t *v, const c9_blockdev_t *bd, bool readonly);
/* Closes every file still open, writes what is pending and syncs the device. */
c9_err_t c9rt_fatvol_unmount(c9rt_fatvol_t *v);
/* A core error as the negated errno the table gives for it (write: in a file write, where a
 * full volume is ENOSPC rather than EACCES). */
c9_err_t c9rt_fatvol_errno(c9_err_t err, bool write);

/* FAT timestamps from and to seconds since 1970, through the local time zone (what
 * time.localtime() shows). */
c9_fat_time_t c9rt_fat_time_from_seconds(int64_t seconds);
int64_t c9rt_fat_time_to_seconds(c9_fat_time_t t);

#endif
