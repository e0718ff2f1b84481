/* A FAT volume of the FAT core as a c9_port_fs_t (fatvol.h). */
#include "fatvol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

c9_err_t c9rt_fatvol_errno(c9_err_t err, bool write) {
    switch (err) {
    case C9_OK: return C9_OK;
    case C9_ERR_FAT_NOFS:
    case C9_ERR_FAT_BPB:
    case C9_ERR_MBR_NONE:
    case C9_ERR_MBR_RANGE:
    case C9_ERR_NOTSUP: return -ENODEV;
    case C9_ERR_FAT_CHAIN:
    case C9_ERR_FAT_DIR:
    case C9_ERR_FAT_CROSSLINK: return -EIO;
    case C9_ERR_FAT_NOSPC: return write ? -ENOSPC : -EACCES;
    case C9_ERR_FAT_FBIG: return -ENOSPC;
    case C9_ERR_FAT_NOTDIR:
    case C9_ERR_FAT_ISDIR: return -ENOENT;
    case C9_ERR_FAT_NOTEMPTY:
    case C9_ERR_FAT_DENIED: return -EACCES;
    case C9_ERR_FAT_NAMETOOLONG:
    case C9_ERR_FAT_BADNAME: return -EINVAL;
    case C9_ERR_FAT_ROFS:
    case C9_ERR_PERM: return -EROFS;
    default: break;
    }
    /* The errno band passes through (ENOENT, EEXIST, EBUSY, EINVAL, EIO, ENOMEM, EAGAIN, ...);
     * anything else a device reports (an SD card's codes) is an I/O error. */
    return err < 0 && err > -200 ? err : -EIO;
}

/* ---- time ---------------------------------------------------------------------------------- */

c9_fat_time_t c9rt_fat_time_from_seconds(int64_t seconds) {
    time_t t = (time_t)seconds;
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        return c9_fat_time_pack(1980, 1, 1, 0, 0, 0);
    }
    return c9_fat_time_pack((unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
                            (unsigned)tm.tm_hour, (unsigned)tm.tm_min, (unsigned)tm.tm_sec);
}

int64_t c9rt_fat_time_to_seconds(c9_fat_time_t t) {
    unsigned y, mo, d, h, mi, s;
    c9_fat_time_unpack(t, &y, &mo, &d, &h, &mi, &s);
    struct tm tm = {.tm_year = (int)y - 1900,
                    .tm_mon = mo ? (int)mo - 1 : 0,
                    .tm_mday = d ? (int)d : 1,
                    .tm_hour = (int)h,
                    .tm_min = (int)mi,
                    .tm_sec = (int)s,
                    .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static c9_fat_time_t now(void *ctx) {
    (void)ctx;
    int64_t s;
    if (c9_port_rtc_get(&s) != C9_OK) {
        s = 946684800; /* a board without a clock: 2000-01-01, as time.time() counts */
    }
    return c9rt_fat_time_from_seconds(s);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define FS(ctx) (&((c9rt_fatvol_t *)(ctx))->fat)

static c9_err_t vol_open(void *ctx, const char *path, unsigned flags, void **file) {
    unsigned f = 0;
    f |= flags & C9_PORT_OPEN_READ ? C9_FAT_READ : 0u;
    f |= flags & C9_PORT_OPEN_WRITE ? C9_FAT_WRITE : 0u;
    f |= flags & C9_PORT_OPEN_CREATE ? C9_FAT_CREATE : 0u;
    f |= flags & C9_PORT_OPEN_TRUNC ? C9_FAT_TRUNC : 0u;
    f |= flags & C9_PORT_OPEN_APPEND ? C9_FAT_APPEND : 0u;
    f |= flags & C9_PORT_OPEN_EXCL ? C9_FAT_EXCL : 0u;
    c9_fat_file_t *fp = malloc(sizeof *fp);
    if (!fp) {
        return -ENOMEM;
    }
    c9_err_t err = c9_fat_open(FS(ctx), fp, path, f);
    if (err != C9_OK) {
        free(fp);
        return c9rt_fatvol_errno(err, false);
    }
    *file = fp;
    return C9_OK;
}

static c9_err_t vol_close(void *ctx, void *file) {
    (void)ctx;
    c9_err_t err = c9_fat_close(file);
    free(file);
    return c9rt_fatvol_errno(err, false);
}

static c9_err_t vol_read(void *ctx, void *file, void *buf, size_t len, size_t *got) {
    (void)ctx;
    return c9rt_fatvol_errno(c9_fat_read(file, buf, len, got), false);
}

static c9_err_t vol_write(void *ctx, void *file, const void *buf, size_t len, size_t *done) {
    (void)ctx;
    return c9rt_fatvol_errno(c9_fat_write(file, buf, len, done), true);
}

static c9_err_t vol_seek(void *ctx, void *file, int64_t offset, int whence, uint64_t *pos) {
    (void)ctx;
    uint32_t p;
    c9_err_t err = c9_fat_seek(file, offset, whence, &p);
    if (err == C9_OK && pos) {
        *pos = p;
    }
    return c9rt_fatvol_errno(err, false);
}

static c9_err_t vol_sync(void *ctx, void *file) {
    return c9rt_fatvol_errno(file ? c9_fat_file_sync(file) : c9_fat_sync(FS(ctx)), false);
}

static void fill_stat(const c9_fat_info_t *info, c9_port_stat_t *st) {
    st->is_dir = (info->attr & C9_FAT_ATTR_DIR) != 0;
    st->size = st->is_dir ? 0 : info->size;
    st->mtime = c9rt_fat_time_to_seconds(info->mtime);
}

static bool is_root(const char *path) {
    while (*path == '/') {
        path++;
    }
    return *path == 0;
}

static c9_err_t vol_stat(void *ctx, const char *path, c9_port_stat_t *st) {
    if (is_root(path)) {
        /* The root has no entry; VfsFat reports it as a directory dated 2000-01-01. */
        st->is_dir = true;
        st->size = 0;
        st->mtime = c9rt_fat_time_to_seconds(c9_fat_time_pack(2000, 1, 1, 0, 0, 0));
        return C9_OK;
    }
    c9_fat_info_t info;
    c9_err_t err = c9_fat_stat(FS(ctx), path, &info);
    if (err == C9_OK) {
        fill_stat(&info, st);
    }
    return c9rt_fatvol_errno(err, false);
}

static c9_err_t vol_dir_open(void *ctx, const char *path, void **dir) {
    c9_fat_dir_t *d = malloc(sizeof *d);
    if (!d) {
        return -ENOMEM;
    }
    c9_err_t err = c9_fat_opendir(FS(ctx), d, path);
    if (err != C9_OK) {
        free(d);
        return c9rt_fatvol_errno(err, false);
    }
    *dir = d;
    return C9_OK;
}

static c9_err_t vol_dir_read(void *ctx, void *dir, char *name, size_t size, c9_port_stat_t *st) {
    (void)ctx;
    c9_fat_info_t info;
    c9_err_t r = c9_fat_readdir(dir, &info);
    if (r == 0) {
        return C9_ERR_NOENT;
    }
    if (r < 0) {
        return c9rt_fatvol_errno(r, false);
    }
    size_t n = strlen(info.name);
    if (n >= size) {
        return C9_ERR_NOMEM;
    }
    memcpy(name, info.name, n + 1);
    if (st) {
        fill_stat(&info, st);
    }
    return C9_OK;
}

static c9_err_t vol_dir_close(void *ctx, void *dir) {
    (void)ctx;
    c9_err_t err = c9_fat_closedir(dir);
    free(dir);
    return c9rt_fatvol_errno(err, false);
}

static c9_err_t vol_mkdir(void *ctx, const char *path) {
    return c9rt_fatvol_errno(c9_fat_mkdir(FS(ctx), path), false);
}

/* VfsFat's remove and rmdir: the kind of the entry is checked first, so that the other kind
 * gives EISDIR or ENOTDIR and a missing path ENOENT. */
static c9_err_t remove_kind(void *ctx, const char *path, bool dir) {
    c9_fat_info_t info;
    c9_err_t err = is_root(path) ? C9_ERR_INVAL : c9_fat_stat(FS(ctx), path, &info);
    if (err != C9_OK) {
        return c9rt_fatvol_errno(err, false);
    }
    bool is_dir = (info.attr & C9_FAT_ATTR_DIR) != 0;
    if (is_dir != dir) {
        return dir ? -ENOTDIR : -EISDIR;
    }
    return c9rt_fatvol_errno(dir ? c9_fat_rmdir(FS(ctx), path) : c9_fat_unlink(FS(ctx), path), false);
}

static c9_err_t vol_rmdir(void *ctx, const char *path) {
    return remove_kind(ctx, path, true);
}

static c9_err_t vol_remove(void *ctx, const char *path) {
    return remove_kind(ctx, path, false);
}

static c9_err_t vol_rename(void *ctx, const char *from, const char *to) {
    c9_err_t err = c9_fat_rename(FS(ctx), from, to);
    if (err == C9_ERR_EXIST) {
        /* VfsFat replaces a file that is in the way (a directory: EISDIR), then renames. */
        err = remove_kind(ctx, to, false);
        if (err != C9_OK) {
            return err;
        }
        err = c9_fat_rename(FS(ctx), from, to);
    }
    return c9rt_fatvol_errno(err, false);
}

static c9_err_t vol_statvfs(void *ctx, c9_port_statvfs_t *out) {
    c9_fat_space_t sp;
    c9_err_t err = c9_fat_space(FS(ctx), &sp);
    if (err != C9_OK) {
        return c9rt_fatvol_errno(err, false);
    }
    out->block_size = sp.cluster_bytes;
    out->blocks = sp.clusters;
    out->free_blocks = sp.free_clusters;
    out->name_max = 255;
    out->readonly = FS(ctx)->cfg.readonly || !FS(ctx)->cfg.bdev.write;
    return C9_OK;
}

static c9_err_t vol_resolve(void *ctx, const char *path, char *os_path, size_t size) {
    (void)ctx;
    (void)path;
    (void)os_path;
    (void)size;
    return C9_ERR_NOSYS; /* a FAT volume is no directory of the operating system */
}

c9_err_t c9rt_fatvol_mount(c9rt_fatvol_t *v, const c9_blockdev_t *bd, bool readonly) {
    memset(v, 0, sizeof *v);
    c9_fat_config_t cfg = {.bdev = *bd, .readonly = readonly, .now = now};
    c9_err_t err = c9_fat_mount(&v->fat, &cfg);
    if (err != C9_OK) {
        return c9rt_fatvol_errno(err, false);
    }
    v->mounted = true;
    v->ops = (c9_port_fs_t){
        .resolve = vol_resolve,
        .open = vol_open,
        .close = vol_close,
        .read = vol_read,
        .write = vol_write,
        .seek = vol_seek,
        .sync = vol_sync,
        .stat = vol_stat,
        .dir_open = vol_dir_open,
        .dir_read = vol_dir_read,
        .dir_close = vol_dir_close,
        .mkdir = vol_mkdir,
        .rmdir = vol_rmdir,
        .remove = vol_remove,
        .rename = vol_rename,
        .statvfs = vol_statvfs,
        .ctx = v,
    };
    return C9_OK;
}

c9_err_t c9rt_fatvol_unmount(c9rt_fatvol_t *v) {
    if (!v->mounted) {
        return C9_OK;
    }
    v->mounted = false;
    return c9rt_fatvol_errno(c9_fat_unmount(&v->fat), false);
}
