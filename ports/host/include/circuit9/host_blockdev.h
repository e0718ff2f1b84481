/*
 * circuit9 host port, storage side: a disk image file as a block device.
 *
 *     c9_host_blockdev_t h;
 *     c9_blockdev_t bd;
 *     c9_err_t err = c9_host_blockdev_open(&h, "circuitpy.img", C9_HOST_BD_WRITE, &bd);
 *     ... c9_fat_mount() on bd ...
 *     c9_host_blockdev_close(&h);   // fsync, close
 *
 * Blocks are 512 bytes; a file whose size is not a multiple of 512 shows its whole blocks. When
 * block 0 holds an MBR rather than a FAT boot sector (a drive image as a board presents it, or an
 * SD card image), the device is the first partition the table lists, unless C9_HOST_BD_WHOLE is
 * given. Not thread-safe; one user at a time.
 *
 * Errors: C9_ERR_NOENT (no such file), C9_ERR_PERM (not allowed to open it), C9_ERR_IO (a read or
 * write failed, or the file ended early), C9_ERR_MBR_RANGE (the partition is outside the file),
 * C9_ERR_INVAL (bad arguments, a file over 2 TiB).
 */
#ifndef CIRCUIT9_HOST_BLOCKDEV_H
#define CIRCUIT9_HOST_BLOCKDEV_H

#include "circuit9/blockdev.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    C9_HOST_BD_WRITE = 1,  /* open for writing (otherwise the device has no write operation) */
    C9_HOST_BD_CREATE = 2, /* create or empty the file, sized create_bytes (sparse) */
    C9_HOST_BD_WHOLE = 4,  /* the whole file even when block 0 is an MBR */
};

typedef struct c9_host_blockdev {
    int fd;
    uint32_t blocks;
    uint32_t part_start; /* 0: whole file */
    c9_blockdev_t file;
    c9_blockdev_window_t window;
} c9_host_blockdev_t;

c9_err_t c9_host_blockdev_open(c9_host_blockdev_t *h, const char *path, unsigned flags, c9_blockdev_t *out);
/* As open with C9_HOST_BD_CREATE | C9_HOST_BD_WRITE | C9_HOST_BD_WHOLE: a new file of
 * create_bytes (rounded down to whole blocks). */
c9_err_t c9_host_blockdev_create(c9_host_blockdev_t *h, const char *path, uint64_t create_bytes, c9_blockdev_t *out);
/* The first block of the partition in use (0 for the whole file). */
uint32_t c9_host_blockdev_partition_start(const c9_host_blockdev_t *h);
/* Syncs and closes. */
c9_err_t c9_host_blockdev_close(c9_host_blockdev_t *h);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_BLOCKDEV_H */
