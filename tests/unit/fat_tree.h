/* File trees for the FAT tests: a sample CIRCUITPY-like tree written to the host, and sorted
 * "path size crc" listings of a host directory and of a mounted FAT volume for comparison. */
#ifndef FAT_TREE_H
#define FAT_TREE_H

#include "fat_testlib.h"

typedef struct tree_file {
    const char *path; /* '/'-separated, directories created as needed */
    size_t size;
} tree_file_t;

/* Long names, non-ASCII names (accents, CJK, an emoji outside the BMP), 8.3 names in each case,
 * a name over 13*7 characters (characters outside the BMP are tested apart: mtools drops them), sizes around sector and
 * cluster edges, and a directory of 70 entries (spanning clusters on every type). */
static const tree_file_t tree_files[] = {
    {"code.py", 100},
    {"boot_out.txt", 300},
    {"settings.toml", 0},
    {"UPPER.TXT", 5},
    {"lower.txt", 6},
    {"MiXeD.Py", 10},
    {"two.dots.in.name.tar.gz", 7},
    {"with space.txt", 8},
    {"lib/adafruit_display_text/label.py", 13000},
    {"lib/adafruit_display_text/__init__.py", 3000},
    {"lib/neopixel.mpy", 4096},
    {"images/photo 1.jpg", 70001},
    {"donn\xc3\xa9"
     "es/\xc3\xa9t\xc3\xa9.txt",
     513},
    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.txt", 1025},
    {"snow \xe2\x98\x83.txt", 511},
    {"A very long file name that goes on and on and on, well past the thirteen-character pieces of "
     "VFAT entries, and then some more.txt",
     1},
    {"deep/er/and/deeper/still/file.bin", 2049},
};

#define TREE_MANY 70

static inline void tree_mkdirs(const char *path) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(buf, 0755);
            *p = '/';
        }
    }
}

/* Writes the sample tree under dir on the host. */
static inline void tree_write_host(const char *dir) {
    char path[1024];
    for (size_t i = 0; i < sizeof tree_files / sizeof tree_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, tree_files[i].path);
        tree_mkdirs(path);
        uint8_t *data = malloc(tree_files[i].size + 1);
        tl_fill(data, tree_files[i].size, (uint32_t)i + 1);
        tl_write_file(path, data, tree_files[i].size);
        free(data);
    }
    for (int i = 0; i < TREE_MANY; i++) {
        snprintf(path, sizeof path, "%s/many/entry number %02d.txt", dir, i);
        tree_mkdirs(path);
        char text[32];
        int n = snprintf(text, sizeof text, "file %d\n", i);
        tl_write_file(path, text, (size_t)n);
    }
}

/* Writes the sample tree onto a mounted volume, with writes of `chunk` bytes. */
static inline c9_err_t tree_write_fat(c9_fat_t *fs, size_t chunk) {
    char path[1024];
    for (size_t i = 0; i < sizeof tree_files / sizeof tree_files[0]; i++) {
        snprintf(path, sizeof path, "%s", tree_files[i].path);
        for (char *p = path; *p; p++) {
            if (*p == '/') {
                *p = 0;
                c9_err_t err = c9_fat_mkdir(fs, path);
                if (err && err != C9_ERR_EXIST) {
                    return err;
                }
                *p = '/';
            }
        }
        uint8_t *data = malloc(tree_files[i].size + 1);
        tl_fill(data, tree_files[i].size, (uint32_t)i + 1);
        c9_err_t err = tl_fat_put(fs, path, data, tree_files[i].size, chunk);
        free(data);
        if (err) {
            return err;
        }
    }
    c9_err_t err = c9_fat_mkdir(fs, "many");
    if (err && err != C9_ERR_EXIST) {
        return err;
    }
    for (int i = 0; i < TREE_MANY; i++) {
        snprintf(path, sizeof path, "/many/entry number %02d.txt", i);
        char text[32];
        int n = snprintf(text, sizeof text, "file %d\n", i);
        if ((err = tl_fat_put(fs, path, (const uint8_t *)text, (size_t)n, 4))) {
            return err;
        }
    }
    return C9_OK;
}

static inline uint32_t tree_crc(const uint8_t *d, size_t n) {
    uint32_t c = 0xFFFFFFFF;
    for (size_t i = 0; i < n; i++) {
        c ^= d[i];
        for (int k = 0; k < 8; k++) {
            c = c >> 1 ^ (0xEDB88320 & -(c & 1));
        }
    }
    return ~c;
}

/* A growing list of lines, sorted and joined for comparison. */
typedef struct lines {
    char **v;
    size_t n, cap;
} lines_t;

static inline void lines_add(lines_t *l, const char *s) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = strdup(s);
}

static inline int lines_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char *lines_join(lines_t *l) {
    qsort(l->v, l->n, sizeof *l->v, lines_cmp);
    size_t total = 1;
    for (size_t i = 0; i < l->n; i++) {
        total += strlen(l->v[i]) + 1;
    }
    char *s = malloc(total), *o = s;
    for (size_t i = 0; i < l->n; i++) {
        o += sprintf(o, "%s\n", l->v[i]);
        free(l->v[i]);
    }
    *o = 0;
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
    return s;
}

static inline void host_walk(const char *root, const char *rel, lines_t *out) {
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        tl_fail(path);
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }
        char sub[1024], full[1100], line[1300];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st)) {
            tl_fail(full);
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(line, sizeof line, "%s/", sub);
            lines_add(out, line);
            host_walk(root, sub, out);
        } else {
            size_t n = 0;
            uint8_t *data = tl_read_file(full, &n);
            if (!data) {
                tl_fail(full);
            }
            snprintf(line, sizeof line, "%s %zu %08x", sub, n, tree_crc(data, n));
            free(data);
            lines_add(out, line);
        }
    }
    closedir(d);
}

/* "path size crc" for each file and "path/" for each directory under a host directory. */
static inline char *host_listing(const char *root) {
    lines_t l = {0};
    host_walk(root, "", &l);
    return lines_join(&l);
}

static inline c9_err_t fat_walk(c9_fat_t *fs, const char *rel, lines_t *out) {
    c9_fat_dir_t d;
    c9_err_t err = c9_fat_opendir(fs, &d, *rel ? rel : "/");
    if (err) {
        return err;
    }
    static c9_fat_info_t info;
    char(*subs)[1024] = malloc(200 * sizeof *subs);
    int nsub = 0;
    while ((err = c9_fat_readdir(&d, &info)) == 1) {
        char sub[1024], line[1300];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", info.name);
        if (info.attr & C9_FAT_ATTR_DIR) {
            snprintf(line, sizeof line, "%s/", sub);
            lines_add(out, line);
            if (nsub < 200) {
                snprintf(subs[nsub++], 1024, "%s", sub);
            }
        } else {
            uint8_t *data;
            size_t n;
            c9_err_t e2 = tl_fat_slurp(fs, sub, &data, &n);
            if (e2) {
                c9_fat_closedir(&d);
                free(subs);
                return e2;
            }
            snprintf(line, sizeof line, "%s %zu %08x", sub, n, tree_crc(data, n));
            free(data);
            lines_add(out, line);
        }
    }
    c9_fat_closedir(&d);
    for (int i = 0; !err && i < nsub; i++) {
        err = fat_walk(fs, subs[i], out);
    }
    free(subs);
    return err < 0 ? err : C9_OK;
}

/* The same listing of a mounted volume, read through the core. */
static inline char *fat_listing(c9_fat_t *fs, c9_err_t *err) {
    lines_t l = {0};
    *err = fat_walk(fs, "", &l);
    return lines_join(&l);
}

#endif /* FAT_TREE_H */
