/* The CIRCUITPY drive of the virtual board: a directory of the host, as a c9_port_fs_t. Errors
 * are the host's errno numbers, negated, which are the contract's errno band on Linux. */
#define _GNU_SOURCE
#include "vpanel_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static char root[PATH_MAX];
static bool have_root;

static c9_err_t neg_errno(void) {
    return errno > 0 ? -errno : C9_ERR_IO;
}

/* A drive path is absolute and has no "." or ".." component (the runtime normalises paths);
 * anything else would reach outside the drive. */
static bool clean(const char *path) {
    if (path[0] != '/') {
        return false;
    }
    for (const char *p = path; *p;) {
        while (*p == '/') {
            p++;
        }
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
            return false;
        }
        p += n;
    }
    return true;
}

/* ctx of the host's own file tree (c9_port_host_fs); the drive's ctx is NULL. */
static char host_tree;
#define IS_HOST_TREE(ctx) ((ctx) == &host_tree)

static c9_err_t fs_resolve(void *ctx, const char *path, char *os_path, size_t size) {
    int n;
    if (!path) {
        return C9_ERR_INVAL;
    }
    if (IS_HOST_TREE(ctx)) {
        n = snprintf(os_path, size, "%s", *path ? path : ".");
    } else if (!clean(path)) {
        return C9_ERR_INVAL;
    } else {
        n = snprintf(os_path, size, "%s%s", root, path);
    }
    return n < 0 || (size_t)n >= size ? C9_ERR_NOMEM : C9_OK;
}

static c9_err_t host_path(void *ctx, const char *path, char out[PATH_MAX]) {
    c9_err_t err = fs_resolve(ctx, path, out, PATH_MAX);
    return err == C9_ERR_NOMEM ? -ENAMETOOLONG : err;
}

static c9_err_t fs_open(void *ctx, const char *path, unsigned flags, void **file) {
    (void)ctx;
    char p[PATH_MAX];
    c9_err_t err = host_path(ctx, path, p);
    if (err != C9_OK) {
        return err;
    }
    bool rd = flags & C9_PORT_OPEN_READ, wr = flags & C9_PORT_OPEN_WRITE;
    if (!rd && !wr) {
        return C9_ERR_INVAL;
    }
    int of = (rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY) | O_CLOEXEC;
    of |= flags & C9_PORT_OPEN_CREATE ? O_CREAT : 0;
    of |= flags & C9_PORT_OPEN_TRUNC ? O_TRUNC : 0;
    of |= flags & C9_PORT_OPEN_APPEND ? O_APPEND : 0;
    of |= flags & C9_PORT_OPEN_EXCL ? O_EXCL : 0;
    int fd = open(p, of, 0666);
    if (fd < 0) {
        return neg_errno();
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return -EISDIR;
    }
    *file = (void *)(intptr_t)(fd + 1); /* never NULL */
    return C9_OK;
}

static int fd_of(void *file) {
    return (int)(intptr_t)file - 1;
}

static c9_err_t fs_close(void *ctx, void *file) {
    (void)ctx;
    return close(fd_of(file)) == 0 ? C9_OK : neg_errno();
}

static c9_err_t fs_read(void *ctx, void *file, void *buf, size_t len, size_t *got) {
    (void)ctx;
    ssize_t n;
    while ((n = read(fd_of(file), buf, len)) < 0 && errno == EINTR) {
    }
    if (n < 0) {
        return neg_errno();
    }
    *got = (size_t)n;
    return C9_OK;
}

static c9_err_t fs_write(void *ctx, void *file, const void *buf, size_t len, size_t *done) {
    (void)ctx;
    size_t total = 0;
    while (total < len) {
        ssize_t n = write(fd_of(file), (const uint8_t *)buf + total, len - total);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            *done = total;
            return neg_errno();
        }
        total += (size_t)n;
    }
    *done = total;
    return C9_OK;
}

static c9_err_t fs_seek(void *ctx, void *file, int64_t offset, int whence, uint64_t *pos) {
    (void)ctx;
    if (whence < 0 || whence > 2) {
        return C9_ERR_INVAL;
    }
    off_t r = lseek(fd_of(file), (off_t)offset, whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
    if (r < 0) {
        return neg_errno();
    }
    if (pos) {
        *pos = (uint64_t)r;
    }
    return C9_OK;
}

static c9_err_t fs_sync(void *ctx, void *file) {
    (void)ctx;
    if (!file) {
        sync();
        return C9_OK;
    }
    return fsync(fd_of(file)) == 0 ? C9_OK : neg_errno();
}

static void fill_stat(const struct stat *s, c9_port_stat_t *st) {
    st->size = S_ISDIR(s->st_mode) ? 0 : (uint64_t)s->st_size;
    st->mtime = (int64_t)s->st_mtime;
    st->is_dir = S_ISDIR(s->st_mode);
}

static c9_err_t fs_stat(void *ctx, const char *path, c9_port_stat_t *st) {
    (void)ctx;
    char p[PATH_MAX];
    struct stat s;
    c9_err_t err = host_path(ctx, path, p);
    if (err != C9_OK) {
        return err;
    }
    if (stat(p, &s) < 0) {
        return neg_errno();
    }
    fill_stat(&s, st);
    return C9_OK;
}

static c9_err_t fs_dir_open(void *ctx, const char *path, void **dir) {
    (void)ctx;
    char p[PATH_MAX];
    c9_err_t err = host_path(ctx, path, p);
    if (err != C9_OK) {
        return err;
    }
    DIR *d = opendir(p);
    if (!d) {
        return neg_errno();
    }
    *dir = d;
    return C9_OK;
}

static c9_err_t fs_dir_read(void *ctx, void *dir, char *name, size_t size, c9_port_stat_t *st) {
    (void)ctx;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            break;
        }
    }
    if (!e) {
        return errno ? neg_errno() : C9_ERR_NOENT;
    }
    if (strlen(e->d_name) >= size) {
        return C9_ERR_NOMEM;
    }
    strcpy(name, e->d_name);
    if (st) {
        struct stat s;
        if (fstatat(dirfd((DIR *)dir), e->d_name, &s, 0) < 0) {
            return neg_errno();
        }
        fill_stat(&s, st);
    }
    return C9_OK;
}

static c9_err_t fs_dir_close(void *ctx, void *dir) {
    (void)ctx;
    return closedir(dir) == 0 ? C9_OK : neg_errno();
}

static c9_err_t path_call(void *ctx, const char *path, int (*fn)(const char *)) {
    char p[PATH_MAX];
    c9_err_t err = host_path(ctx, path, p);
    if (err != C9_OK) {
        return err;
    }
    return fn(p) == 0 ? C9_OK : neg_errno();
}

static int make_dir(const char *p) {
    return mkdir(p, 0777);
}

static c9_err_t fs_mkdir(void *ctx, const char *path) {
    (void)ctx;
    return path_call(ctx, path, make_dir);
}

static c9_err_t fs_rmdir(void *ctx, const char *path) {
    (void)ctx;
    return path_call(ctx, path, rmdir);
}

static int remove_file(const char *p) {
    struct stat s;
    if (stat(p, &s) == 0 && S_ISDIR(s.st_mode)) {
        errno = EISDIR; /* remove() is for files; unlink(2) would say EISDIR or EPERM by system */
        return -1;
    }
    return unlink(p);
}

static c9_err_t fs_remove(void *ctx, const char *path) {
    (void)ctx;
    return path_call(ctx, path, remove_file);
}

static c9_err_t fs_rename(void *ctx, const char *from, const char *to) {
    (void)ctx;
    char a[PATH_MAX], b[PATH_MAX];
    c9_err_t err = host_path(ctx, from, a);
    if (err == C9_OK) {
        err = host_path(ctx, to, b);
    }
    if (err != C9_OK) {
        return err;
    }
    return rename(a, b) == 0 ? C9_OK : neg_errno();
}

static c9_err_t fs_statvfs(void *ctx, c9_port_statvfs_t *out) {
    struct statvfs v;
    if (statvfs(IS_HOST_TREE(ctx) ? "/" : root[0] ? root : "/", &v) < 0) {
        return neg_errno();
    }
    out->block_size = (uint32_t)v.f_frsize;
    out->blocks = v.f_blocks;
    out->free_blocks = v.f_bavail;
    out->name_max = (uint32_t)v.f_namemax;
    out->readonly = (v.f_flag & ST_RDONLY) != 0;
    return C9_OK;
}

static const c9_port_fs_t drive_fs = {
    .resolve = fs_resolve,
    .open = fs_open,
    .close = fs_close,
    .read = fs_read,
    .write = fs_write,
    .seek = fs_seek,
    .sync = fs_sync,
    .stat = fs_stat,
    .dir_open = fs_dir_open,
    .dir_read = fs_dir_read,
    .dir_close = fs_dir_close,
    .mkdir = fs_mkdir,
    .rmdir = fs_rmdir,
    .remove = fs_remove,
    .rename = fs_rename,
    .statvfs = fs_statvfs,
    .ctx = NULL,
};

static c9_err_t fs_getcwd(void *ctx, char *buf, size_t size) {
    (void)ctx;
    if (getcwd(buf, size)) {
        return C9_OK;
    }
    return errno == ERANGE ? C9_ERR_NOMEM : neg_errno();
}

static c9_err_t fs_chdir(void *ctx, const char *path) {
    return path_call(ctx, path, chdir);
}

static const c9_port_fs_t host_fs = {
    .resolve = fs_resolve,
    .open = fs_open,
    .close = fs_close,
    .read = fs_read,
    .write = fs_write,
    .seek = fs_seek,
    .sync = fs_sync,
    .stat = fs_stat,
    .dir_open = fs_dir_open,
    .dir_read = fs_dir_read,
    .dir_close = fs_dir_close,
    .mkdir = fs_mkdir,
    .rmdir = fs_rmdir,
    .remove = fs_remove,
    .rename = fs_rename,
    .statvfs = fs_statvfs,
    .ctx = &host_tree,
    .getcwd = fs_getcwd,
    .chdir = fs_chdir,
};

const c9_port_fs_t *c9_port_host_fs(void) {
    return &host_fs;
}

void c9__port_set_drive(const char *dir) {
    have_root = false;
    if (!dir || !*dir) {
        return;
    }
    /* "/" at the end would give "//x" paths; the drive's root is the directory itself. */
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    if (n >= sizeof root) {
        return;
    }
    memcpy(root, dir, n);
    root[n] = 0;
    if (n == 1 && root[0] == '/') {
        root[0] = 0; /* the host's root: drive paths are host paths */
    }
    have_root = true;
}

const c9_port_fs_t *c9_port_drive(void) {
    return have_root ? &drive_fs : NULL;
}
