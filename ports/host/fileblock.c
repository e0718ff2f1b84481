/* A disk image file as a block device (pread/pwrite), with the first MBR partition exposed. */
#include "circuit9/host_blockdev.h"
#include "circuit9/fat.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static c9_err_t from_errno(int e) {
    return e == ENOENT ? C9_ERR_NOENT : (e == EACCES || e == EPERM || e == EROFS) ? C9_ERR_PERM : C9_ERR_IO;
}

static c9_err_t file_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    c9_host_blockdev_t *h = ctx;
    if (block > h->blocks || count > h->blocks - block) {
        return C9_ERR_INVAL;
    }
    size_t len = (size_t)count * C9_BLOCK_SIZE;
    off_t off = (off_t)block * C9_BLOCK_SIZE;
    while (len) {
        ssize_t n = pread(h->fd, buf, len, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return C9_ERR_IO;
        }
        buf += n;
        off += n;
        len -= (size_t)n;
    }
    return C9_OK;
}

static c9_err_t file_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    c9_host_blockdev_t *h = ctx;
    if (block > h->blocks || count > h->blocks - block) {
        return C9_ERR_INVAL;
    }
    size_t len = (size_t)count * C9_BLOCK_SIZE;
    off_t off = (off_t)block * C9_BLOCK_SIZE;
    while (len) {
        ssize_t n = pwrite(h->fd, buf, len, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return C9_ERR_IO;
        }
        buf += n;
        off += n;
        len -= (size_t)n;
    }
    return C9_OK;
}

static c9_err_t file_sync(void *ctx) {
    c9_host_blockdev_t *h = ctx;
    return fdatasync(h->fd) == 0 || errno == EINVAL ? C9_OK : C9_ERR_IO;
}

static c9_err_t file_count(void *ctx, uint32_t *blocks) {
    *blocks = ((c9_host_blockdev_t *)ctx)->blocks;
    return C9_OK;
}

static c9_err_t open_fd(c9_host_blockdev_t *h, const char *path, unsigned flags, uint64_t create_bytes,
                        c9_blockdev_t *out) {
    if (!h || !path || !out) {
        return C9_ERR_INVAL;
    }
    memset(h, 0, sizeof *h);
    bool write = flags & (C9_HOST_BD_WRITE | C9_HOST_BD_CREATE);
    int oflags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (flags & C9_HOST_BD_CREATE) {
        oflags |= O_CREAT | O_TRUNC;
    }
    h->fd = open(path, oflags, 0644);
    if (h->fd < 0) {
        return from_errno(errno);
    }
    c9_err_t err = C9_OK;
    struct stat st;
    if (flags & C9_HOST_BD_CREATE) {
        if (create_bytes / C9_BLOCK_SIZE > UINT32_MAX || ftruncate(h->fd, (off_t)(create_bytes & ~(uint64_t)511))) {
            err = create_bytes / C9_BLOCK_SIZE > UINT32_MAX ? C9_ERR_INVAL : C9_ERR_IO;
        }
    }
    if (!err && fstat(h->fd, &st)) {
        err = C9_ERR_IO;
    }
    if (!err && (uint64_t)st.st_size / C9_BLOCK_SIZE > UINT32_MAX) {
        err = C9_ERR_INVAL;
    }
    if (err) {
        close(h->fd);
        h->fd = -1;
        return err;
    }
    h->blocks = (uint32_t)((uint64_t)st.st_size / C9_BLOCK_SIZE);
    h->file = (c9_blockdev_t){.read = file_read,
                              .write = write ? file_write : NULL,
                              .sync = write ? file_sync : NULL,
                              .count = file_count,
                              .ctx = h};
    *out = h->file;
    if (flags & (C9_HOST_BD_WHOLE | C9_HOST_BD_CREATE) || h->blocks == 0) {
        return C9_OK;
    }
    uint8_t b0[C9_BLOCK_SIZE];
    c9_mbr_part_t parts[4];
    unsigned idx;
    if (file_read(h, 0, b0, 1) || c9_fat_is_boot_sector(b0) || c9_mbr_parse(b0, parts)) {
        return C9_OK; // a bare volume, or something else: the whole file
    }
    if ((err = c9_mbr_first(parts, h->blocks, &idx))) {
        close(h->fd);
        h->fd = -1;
        return err == C9_ERR_MBR_NONE ? C9_OK : err;
    }
    h->part_start = parts[idx].start;
    *out = c9_blockdev_window_init(&h->window, &h->file, parts[idx].start, parts[idx].count);
    return C9_OK;
}

c9_err_t c9_host_blockdev_open(c9_host_blockdev_t *h, const char *path, unsigned flags, c9_blockdev_t *out) {
    return open_fd(h, path, flags & ~(unsigned)C9_HOST_BD_CREATE, 0, out);
}

c9_err_t c9_host_blockdev_create(c9_host_blockdev_t *h, const char *path, uint64_t create_bytes, c9_blockdev_t *out) {
    return open_fd(h, path, C9_HOST_BD_CREATE | C9_HOST_BD_WRITE | C9_HOST_BD_WHOLE, create_bytes, out);
}

uint32_t c9_host_blockdev_partition_start(const c9_host_blockdev_t *h) {
    return h->part_start;
}

c9_err_t c9_host_blockdev_close(c9_host_blockdev_t *h) {
    if (!h || h->fd < 0) {
        return C9_ERR_BADF;
    }
    c9_err_t err = h->file.write && fsync(h->fd) ? C9_ERR_IO : C9_OK;
    if (close(h->fd)) {
        err = C9_ERR_IO;
    }
    h->fd = -1;
    return err;
}
