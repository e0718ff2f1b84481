/* Helpers for the FAT tests: disk images in memory, Debian's dosfstools and mtools as references,
 * a block device that stops writing after N writes (a power cut), and file trees on the host. */
#ifndef FAT_TESTLIB_H
#define FAT_TESTLIB_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "circuit9/fat.h"

typedef struct img {
    uint8_t *mem;
    uint32_t blocks;
    c9_ramdisk_t rd;
    c9_blockdev_t bd;
} img_t;

static char tl_tmp[256];

static inline void tl_fail(const char *what) {
    fprintf(stderr, "fat_testlib: %s: %s\n", what, strerror(errno));
    abort();
}

/* A private temporary directory, removed by tl_cleanup(). */
static inline const char *tl_tmpdir(void) {
    if (!tl_tmp[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tl_tmp, sizeof tl_tmp, "%s/c9fatXXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tl_tmp)) {
            tl_fail("mkdtemp");
        }
    }
    return tl_tmp;
}

static inline void tl_cleanup(void) {
    if (tl_tmp[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tl_tmp);
        if (system(cmd) != 0) {
            fprintf(stderr, "fat_testlib: could not remove %s\n", tl_tmp);
        }
        tl_tmp[0] = 0;
    }
}

/* A path inside the temporary directory. */
static inline const char *tl_path(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/%s", tl_tmpdir(), name);
    return buf;
}

/* Runs a shell command; returns its exit status (-1 if it did not exit normally). Output goes to
 * out (NUL-terminated, truncated to size) when out is given, else to /dev/null. */
static inline int tl_run(char *out, size_t size, const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[4200];
    // dosfstools lives in /usr/sbin, which an ordinary user's PATH may lack.
    snprintf(full, sizeof full,
             "export MTOOLS_SKIP_CHECK=1 TZ=UTC LC_ALL=C.UTF-8 PATH=\"$PATH:/usr/sbin:/sbin\"; ( %s ) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) {
        tl_fail("popen");
    }
    size_t n = 0;
    char chunk[1024];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, p)) > 0) {
        if (out && n + 1 < size) {
            size_t take = r < size - 1 - n ? r : size - 1 - n;
            memcpy(out + n, chunk, take);
            n += take;
        }
    }
    if (out && size) {
        out[n] = 0;
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether every named tool is on the PATH (with /usr/sbin, where dosfstools installs). */
static inline bool tl_have(const char *tools) {
    return tl_run(NULL, 0, "for t in %s; do command -v $t >/dev/null || exit 1; done", tools) == 0;
}

static inline void img_new(img_t *im, uint32_t blocks) {
    im->blocks = blocks;
    im->mem = calloc(blocks, C9_BLOCK_SIZE);
    if (!im->mem) {
        tl_fail("calloc");
    }
    im->bd = c9_ramdisk_init(&im->rd, im->mem, blocks);
}

static inline void img_free(img_t *im) {
    free(im->mem);
    im->mem = NULL;
}

static inline void img_load(img_t *im, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        tl_fail(path);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    img_new(im, (uint32_t)(size / C9_BLOCK_SIZE));
    if (fread(im->mem, 1, (size_t)im->blocks * C9_BLOCK_SIZE, f) != (size_t)im->blocks * C9_BLOCK_SIZE) {
        tl_fail("fread");
    }
    fclose(f);
}

static inline void img_save(const img_t *im, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        tl_fail(path);
    }
    if (fwrite(im->mem, 1, (size_t)im->blocks * C9_BLOCK_SIZE, f) != (size_t)im->blocks * C9_BLOCK_SIZE) {
        tl_fail("fwrite");
    }
    fclose(f);
}

/* ---- a block device that loses every write after the first `limit` (a power cut) ---------- */

typedef struct cutdev {
    c9_blockdev_t inner;
    long limit;  /* writes allowed; -1: unlimited */
    long writes; /* single-block writes done */
    bool cut;
} cutdev_t;

static inline c9_err_t cut_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    cutdev_t *c = ctx;
    return c->inner.read(c->inner.ctx, block, buf, count);
}

// Each block of a multi-block write counts as one write: a cut can fall between any two blocks.
static inline c9_err_t cut_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    cutdev_t *c = ctx;
    for (uint32_t i = 0; i < count; i++) {
        if (c->limit >= 0 && c->writes >= c->limit) {
            c->cut = true;
            return C9_ERR_IO;
        }
        c9_err_t err = c->inner.write(c->inner.ctx, block + i, buf + (size_t)i * C9_BLOCK_SIZE, 1);
        if (err) {
            return err;
        }
        c->writes++;
    }
    return C9_OK;
}

static inline c9_err_t cut_count(void *ctx, uint32_t *blocks) {
    cutdev_t *c = ctx;
    return c->inner.count(c->inner.ctx, blocks);
}

static inline c9_blockdev_t cutdev_init(cutdev_t *c, const c9_blockdev_t *inner, long limit) {
    c->inner = *inner;
    c->limit = limit;
    c->writes = 0;
    c->cut = false;
    return (c9_blockdev_t){.read = cut_read, .write = cut_write, .sync = NULL, .count = cut_count, .ctx = c};
}

/* ---- host files --------------------------------------------------------------------------- */

static inline uint8_t *tl_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        tl_fail("read file");
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static inline void tl_write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        tl_fail(path);
    }
    fclose(f);
}

/* Deterministic test content. */
static inline void tl_fill(uint8_t *buf, size_t len, uint32_t seed) {
    uint32_t x = seed * 2654435761u + 12345;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

/* Reads a whole file from a mounted volume. */
static inline c9_err_t tl_fat_slurp(c9_fat_t *fs, const char *path, uint8_t **data, size_t *len) {
    c9_fat_file_t f;
    *data = NULL;
    *len = 0;
    c9_err_t err = c9_fat_open(fs, &f, path, C9_FAT_READ);
    if (err) {
        return err;
    }
    size_t size = c9_fat_size(&f), got = 0;
    *data = malloc(size + 1);
    while (got < size) {
        size_t n;
        err = c9_fat_read(&f, *data + got, size - got < 777 ? size - got : 777, &n);
        if (err || n == 0) {
            break;
        }
        got += n;
    }
    c9_fat_close(&f);
    *len = got;
    return err;
}

/* Writes a whole file onto a mounted volume in chunks of `chunk` bytes. */
static inline c9_err_t tl_fat_put(c9_fat_t *fs, const char *path, const uint8_t *data, size_t len, size_t chunk) {
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, path, C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_TRUNC);
    if (err) {
        return err;
    }
    size_t done = 0;
    while (!err && done < len) {
        size_t n = len - done < chunk ? len - done : chunk, put;
        err = c9_fat_write(&f, data + done, n, &put);
        done += put;
    }
    c9_err_t e2 = c9_fat_close(&f);
    return err ? err : e2;
}

#endif /* FAT_TESTLIB_H */
