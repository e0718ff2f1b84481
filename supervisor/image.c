/*
 * `circuit9 image`: a CIRCUITPY folder as the disk a board presents over USB, and back.
 *
 *     circuit9 image DIR -o circuitpy.img [--size N] [--label NAME]
 *     circuit9 image --extract circuitpy.img DIR
 *
 * The image is what CircuitPython 9 shows the host: block 0 a synthesised MBR with one partition
 * of type 0x06 starting at block 1 (supervisor/shared/flash.c since PR #8580), and the partition
 * the FAT volume CircuitPython formats for a flash of N bytes (FAT12 on small drives, one FAT,
 * label CIRCUITPY), holding the folder's files and directories with their long names and
 * modification times. Timestamps are local time, as FAT keeps them; SOURCE_DATE_EPOCH, when set,
 * fixes the creation times and the volume serial number for reproducible images.
 */
#include "image.h"

#include "circuit9/fat.h"
#include "circuit9/port.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SIZE (2u * 1024 * 1024) /* a 2 MB SPI flash, as on the SAMD21 Express boards */

static time_t build_time(void) {
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s && *s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (!*end && v >= 0) {
            return (time_t)v;
        }
    }
    return time(NULL);
}

static c9_fat_time_t fat_time(time_t t) {
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        return c9_fat_time_pack(1980, 1, 1, 0, 0, 0);
    }
    return c9_fat_time_pack((unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
                            (unsigned)tm.tm_hour, (unsigned)tm.tm_min, (unsigned)tm.tm_sec);
}

static time_t host_time(c9_fat_time_t t) {
    unsigned y, mo, d, h, mi, s;
    c9_fat_time_unpack(t, &y, &mo, &d, &h, &mi, &s);
    struct tm tm = {.tm_year = (int)y - 1900,
                    .tm_mon = (int)mo - 1,
                    .tm_mday = (int)d,
                    .tm_hour = (int)h,
                    .tm_min = (int)mi,
                    .tm_sec = (int)s,
                    .tm_isdst = -1};
    return mktime(&tm);
}

static c9_fat_time_t now_cb(void *ctx) {
    return fat_time(*(time_t *)ctx);
}

static void report(const char *what, const char *path, c9_err_t err) {
    fprintf(stderr, "circuit9 image: %s%s%s: %s\n", what, path ? " " : "", path ? path : "", c9_fat_strerror(err));
}

static int name_cmp(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static c9_err_t copy_file_in(c9_fat_t *fs, const char *host, const char *path) {
    int fd = open(host, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return C9_ERR_IO;
    }
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, path, C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_EXCL);
    if (err) {
        close(fd);
        return err;
    }
    static uint8_t buf[64 * 1024];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            err = n < 0 ? C9_ERR_IO : C9_OK;
            break;
        }
        size_t put;
        if ((err = c9_fat_write(&f, buf, (size_t)n, &put))) {
            break;
        }
    }
    close(fd);
    c9_err_t e2 = c9_fat_close(&f);
    return err ? err : e2;
}

// Copies the host directory `host` into the volume directory `path` ("" for the root).
static int copy_in(c9_fat_t *fs, const char *host, const char *path) {
    struct dirent **list;
    int n = scandir(host, &list, NULL, name_cmp);
    if (n < 0) {
        fprintf(stderr, "circuit9 image: %s: %s\n", host, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (rc || !strcmp(name, ".") || !strcmp(name, "..")) {
            continue;
        }
        size_t hl = strlen(host) + strlen(name) + 2, pl = strlen(path) + strlen(name) + 2;
        char *hp = malloc(hl), *fp = malloc(pl);
        snprintf(hp, hl, "%s/%s", host, name);
        snprintf(fp, pl, "%s/%s", path, name);
        struct stat st;
        c9_err_t err = C9_OK;
        if (stat(hp, &st)) {
            fprintf(stderr, "circuit9 image: %s: %s\n", hp, strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            err = c9_fat_mkdir(fs, fp);
            if (!err) {
                rc = copy_in(fs, hp, fp);
            }
        } else if (S_ISREG(st.st_mode)) {
            err = copy_file_in(fs, hp, fp);
        } else {
            fprintf(stderr, "circuit9 image: %s: skipped (not a file or directory)\n", hp);
        }
        if (!err && !rc && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
            // After the contents: filling a directory would otherwise not change its time, but
            // keep the order for files too so the times are what the folder had.
            err = c9_fat_utime(fs, fp, fat_time(st.st_mtime));
        }
        if (err) {
            if (err == C9_ERR_FAT_NOSPC) {
                fprintf(stderr, "circuit9 image: %s: the drive is full; use a larger --size\n", hp);
            } else {
                report("cannot copy", hp, err);
            }
            rc = 1;
        }
        free(hp);
        free(fp);
    }
    for (int i = 0; i < n; i++) {
        free(list[i]);
    }
    free(list);
    return rc;
}

static bool parse_size(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) {
        return false;
    }
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k') {
        mul = 1024, end++;
    } else if (*end == 'M' || *end == 'm') {
        mul = 1024 * 1024, end++;
    } else if (*end == 'G' || *end == 'g') {
        mul = 1024ull * 1024 * 1024, end++;
    }
    if (*end == 'B' || *end == 'b') {
        end++;
    }
    if (*end || v > (1ull << 41) / mul) {
        return false;
    }
    *out = v * mul;
    return true;
}

static int make_image(const char *dir, const char *out, uint64_t size, const char *label) {
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "circuit9 image: %s: not a directory\n", dir);
        return 1;
    }
    uint64_t sectors = size / C9_BLOCK_SIZE;
    if (sectors < 64 || sectors + 1 > UINT32_MAX) {
        fprintf(stderr, "circuit9 image: --size %llu: must be between 32K and 2T\n", (unsigned long long)size);
        return 2;
    }
    time_t now = build_time();
    c9_port_image_t *image;
    c9_blockdev_t whole;
    c9_err_t err = c9_port_image_open(out, C9_PORT_IMAGE_CREATE, (sectors + 1) * C9_BLOCK_SIZE, &image, &whole);
    if (err) {
        report("cannot create", out, err);
        return 1;
    }
    uint8_t mbr[C9_BLOCK_SIZE];
    c9_mbr_build_single(mbr, 0x06, 1, (uint32_t)sectors);
    c9_blockdev_window_t w;
    c9_blockdev_t part = c9_blockdev_window_init(&w, &whole, 1, (uint32_t)sectors);
    // CircuitPython 9's f_mkfs options on a full build: FAT12/16, FAT32 only where FAT16 would
    // need clusters over 32 KiB. The serial number is FatFs's: the timestamp of the format.
    c9_fat_mkfs_opts_t mo = {
        .formats = C9_FAT_FMT_FAT | C9_FAT_FMT_FAT32, .hidden_sectors = 1, .volume_id = fat_time(now), .label = label};
    static uint8_t work[16 * 1024];
    int rc = 1;
    if ((err = c9_blockdev_write(&whole, 0, mbr, 1))) {
        report("cannot write", out, err);
    } else if ((err = c9_fat_mkfs(&part, &mo, work, sizeof work))) {
        report("cannot format", out, err);
    } else {
        c9_fat_t fs;
        c9_fat_config_t cfg = {.bdev = part, .now = now_cb, .now_ctx = &now};
        if ((err = c9_fat_mount(&fs, &cfg))) {
            report("cannot mount", out, err);
        } else {
            rc = copy_in(&fs, dir, "");
            err = c9_fat_unmount(&fs);
            if (err && !rc) {
                report("cannot finish", out, err);
                rc = 1;
            }
        }
    }
    err = c9_port_image_close(image);
    if (err && !rc) {
        report("cannot write", out, err);
        rc = 1;
    }
    if (rc) {
        unlink(out);
    }
    return rc;
}

static int write_host_file(c9_fat_t *fs, const char *path, const char *host) {
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, path, C9_FAT_READ);
    if (err) {
        report("cannot read", path, err);
        return 1;
    }
    int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "circuit9 image: %s: %s\n", host, strerror(errno));
        c9_fat_close(&f);
        return 1;
    }
    static uint8_t buf[64 * 1024];
    int rc = 0;
    for (;;) {
        size_t n;
        if ((err = c9_fat_read(&f, buf, sizeof buf, &n))) {
            report("cannot read", path, err);
            rc = 1;
            break;
        }
        if (n == 0) {
            break;
        }
        if (write(fd, buf, n) != (ssize_t)n) {
            fprintf(stderr, "circuit9 image: %s: %s\n", host, strerror(errno));
            rc = 1;
            break;
        }
    }
    if (close(fd)) {
        rc = 1;
    }
    c9_fat_close(&f);
    return rc;
}

static void set_mtime(const char *host, c9_fat_time_t t) {
    struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = host_time(t)}};
    utimensat(AT_FDCWD, host, ts, 0);
}

static int copy_out(c9_fat_t *fs, const char *path, const char *host) {
    c9_fat_dir_t d;
    c9_err_t err = c9_fat_opendir(fs, &d, *path ? path : "/");
    if (err) {
        report("cannot list", *path ? path : "/", err);
        return 1;
    }
    static c9_fat_info_t info;
    int rc = 0;
    // Entries are read one call at a time, so recursing between calls is fine: the directory
    // object keeps its position.
    while (!rc && (err = c9_fat_readdir(&d, &info)) == 1) {
        size_t pl = strlen(path) + strlen(info.name) + 2, hl = strlen(host) + strlen(info.name) + 2;
        char *fp = malloc(pl), *hp = malloc(hl);
        snprintf(fp, pl, "%s/%s", path, info.name);
        snprintf(hp, hl, "%s/%s", host, info.name);
        c9_fat_time_t mtime = info.mtime;
        if (info.attr & C9_FAT_ATTR_DIR) {
            if (mkdir(hp, 0755) && errno != EEXIST) {
                fprintf(stderr, "circuit9 image: %s: %s\n", hp, strerror(errno));
                rc = 1;
            } else {
                rc = copy_out(fs, fp, hp);
            }
        } else {
            rc = write_host_file(fs, fp, hp);
        }
        if (!rc) {
            set_mtime(hp, mtime);
        }
        free(fp);
        free(hp);
    }
    if (err < 0) {
        report("cannot list", *path ? path : "/", err);
        rc = 1;
    }
    c9_fat_closedir(&d);
    return rc;
}

static int extract_image(const char *img, const char *dir) {
    c9_port_image_t *image;
    c9_blockdev_t bd;
    c9_err_t err = c9_port_image_open(img, 0, 0, &image, &bd);
    if (err) {
        report("cannot open", img, err);
        return 1;
    }
    c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = bd, .readonly = true};
    int rc = 1;
    if ((err = c9_fat_mount(&fs, &cfg))) {
        report("cannot mount", img, err);
    } else {
        if (mkdir(dir, 0755) && errno != EEXIST) {
            fprintf(stderr, "circuit9 image: %s: %s\n", dir, strerror(errno));
        } else {
            rc = copy_out(&fs, "", dir);
        }
        c9_fat_unmount(&fs);
    }
    c9_port_image_close(image);
    return rc;
}

static void usage(FILE *f) {
    fputs("usage: circuit9 image DIR -o IMAGE [--size N] [--label NAME]\n"
          "       circuit9 image --extract IMAGE DIR\n"
          "Writes the CIRCUITPY drive a board presents over USB (an MBR with one partition of type\n"
          "0x06, the FAT volume CircuitPython formats, DIR's files), or copies an image's files out.\n"
          "--size is the flash size behind the drive (default 2M; K, M, G suffixes); the image is\n"
          "one 512-byte block larger for the MBR.\n",
          f);
}

int image_command(int argc, char **argv) {
    const char *dir = NULL, *out = NULL, *extract = NULL, *label = "CIRCUITPY";
    uint64_t size = DEFAULT_SIZE;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(a, "--size") && i + 1 < argc) {
            if (!parse_size(argv[++i], &size)) {
                fprintf(stderr, "circuit9 image: --size %s: not a size\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--label") && i + 1 < argc) {
            label = argv[++i];
        } else if (!strcmp(a, "--extract") && i + 1 < argc) {
            extract = argv[++i];
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (a[0] != '-' && !dir) {
            dir = a;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (extract) {
        if (!dir || out) {
            usage(stderr);
            return 2;
        }
        return extract_image(extract, dir);
    }
    if (!dir || !out) {
        usage(stderr);
        return 2;
    }
    return make_image(dir, out, size, label);
}
