/*
 * The FAT core over fuzzed disk images: mount (whole device, then partition 1), walk every
 * directory, read every file, check the volume, then create, grow, rename, shrink and remove files
 * and directories, unmount, mount again and check. Nothing may crash, hang or read out of bounds,
 * whatever the image says; a write budget taken from the input makes writes fail part-way too.
 *
 * Input (sparse, so that FAT32 volumes fit in a seed): u32 LE device size in sectors (at most
 * 2^18), u8 write budget (0: unlimited), then records {u32 LE sector, u16 LE length, length bytes}
 * giving a sector's leading bytes (the rest zero). Sectors without a record read as zeros; a later
 * record for the same sector wins. Writes land in an overlay of at most OVERLAY sectors.
 * tests/fuzz/make_fat_seeds.py turns images made by mkfs.fat and mtools into seeds.
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/fat.h"

#define MAX_SECTORS (1u << 18)
#define MAX_RECORDS 4096
#define OVERLAY 1024

typedef struct rec {
    uint32_t sector;
    const uint8_t *data;
    uint16_t len;
} rec_t;

typedef struct disk {
    uint32_t sectors;
    rec_t recs[MAX_RECORDS];
    size_t nrecs;
    uint32_t ov_sector[OVERLAY];
    uint8_t ov_data[OVERLAY][512];
    size_t nov;
    long budget; /* writes left; -1 unlimited */
} disk_t;

static disk_t disk;

static int rec_cmp(const void *a, const void *b) {
    const rec_t *x = a, *y = b;
    if (x->sector != y->sector) {
        return x->sector < y->sector ? -1 : 1;
    }
    return x->data < y->data ? -1 : x->data > y->data; // later in the input wins
}

static void sector_read(uint32_t s, uint8_t *out) {
    for (size_t i = disk.nov; i-- > 0;) {
        if (disk.ov_sector[i] == s) {
            memcpy(out, disk.ov_data[i], 512);
            return;
        }
    }
    memset(out, 0, 512);
    size_t lo = 0, hi = disk.nrecs;
    while (lo < hi) { // last record with this sector
        size_t mid = (lo + hi) / 2;
        if (disk.recs[mid].sector <= s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo && disk.recs[lo - 1].sector == s) {
        memcpy(out, disk.recs[lo - 1].data, disk.recs[lo - 1].len);
    }
}

static c9_err_t d_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    (void)ctx;
    if (block > disk.sectors || count > disk.sectors - block) {
        return C9_ERR_INVAL;
    }
    for (uint32_t i = 0; i < count; i++) {
        sector_read(block + i, buf + (size_t)i * 512);
    }
    return C9_OK;
}

static c9_err_t d_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    (void)ctx;
    if (block > disk.sectors || count > disk.sectors - block) {
        return C9_ERR_INVAL;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (disk.budget == 0) {
            return C9_ERR_IO;
        }
        if (disk.budget > 0) {
            disk.budget--;
        }
        size_t slot = disk.nov;
        for (size_t k = 0; k < disk.nov; k++) {
            if (disk.ov_sector[k] == block + i) {
                slot = k;
                break;
            }
        }
        if (slot == disk.nov) {
            if (disk.nov == OVERLAY) {
                return C9_ERR_IO;
            }
            disk.nov++;
        }
        disk.ov_sector[slot] = block + i;
        memcpy(disk.ov_data[slot], buf + (size_t)i * 512, 512);
    }
    return C9_OK;
}

static c9_err_t d_count(void *ctx, uint32_t *blocks) {
    (void)ctx;
    *blocks = disk.sectors;
    return C9_OK;
}

static uint8_t bitmap[64 * 1024];
static uint8_t buf[4096];
static long budget_entries;

static void walk(c9_fat_t *fs, const char *path, int depth) {
    c9_fat_dir_t d;
    if (depth > 6 || c9_fat_opendir(fs, &d, path)) {
        return;
    }
    static c9_fat_info_t info;
    char sub[8][300];
    int nsub = 0;
    while (budget_entries-- > 0 && c9_fat_readdir(&d, &info) == 1) {
        char p[300];
        size_t n = strlen(path);
        if (n + strlen(info.name) + 2 > sizeof p) {
            continue;
        }
        memcpy(p, path, n);
        p[n] = '/';
        strcpy(p + n + 1, info.name);
        c9_fat_info_t st;
        c9_fat_stat(fs, p, &st);
        if (info.attr & C9_FAT_ATTR_DIR) {
            if (nsub < 8) {
                strcpy(sub[nsub++], p);
            }
        } else {
            c9_fat_file_t f;
            if (!c9_fat_open(fs, &f, p, C9_FAT_READ)) {
                size_t got = 1, total = 0;
                while (got && total < 256 * 1024 && !c9_fat_read(&f, buf, sizeof buf, &got)) {
                    total += got;
                }
                c9_fat_seek(&f, -1, 2, NULL);
                c9_fat_read(&f, buf, 1, &got);
                c9_fat_close(&f);
            }
        }
    }
    c9_fat_closedir(&d);
    for (int i = 0; i < nsub; i++) {
        walk(fs, sub[i], depth + 1);
    }
}

static void inspect(c9_fat_t *fs) {
    budget_entries = 3000;
    walk(fs, "", 0);
    c9_fat_report_t r;
    if (c9_fat_check_bitmap_size(fs) <= sizeof bitmap) {
        c9_fat_check(fs, bitmap, sizeof bitmap, &r);
    }
    char label[40];
    c9_fat_getlabel(fs, label, sizeof label);
}

static void mutate(c9_fat_t *fs) {
    c9_fat_file_t f;
    size_t n;
    memset(buf, 'z', sizeof buf);
    if (!c9_fat_open(fs, &f, "/fuzz file with a long name.txt", C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_TRUNC)) {
        c9_fat_write(&f, buf, 3000, &n);
        c9_fat_seek(&f, 9000, 0, NULL);
        c9_fat_write(&f, buf, 700, &n);
        c9_fat_truncate(&f, 1500);
        c9_fat_close(&f);
    }
    c9_fat_mkdir(fs, "/fzdir");
    if (!c9_fat_open(fs, &f, "/fzdir/inner.bin", C9_FAT_WRITE | C9_FAT_CREATE)) {
        c9_fat_write(&f, buf, sizeof buf, &n);
        c9_fat_close(&f);
    }
    // Whatever the image holds at the top: append to its first file, rename its first entry.
    c9_fat_dir_t d;
    static c9_fat_info_t info;
    if (!c9_fat_opendir(fs, &d, "/")) {
        if (c9_fat_readdir(&d, &info) == 1) {
            char from[300], to[300];
            from[0] = '/';
            strncpy(from + 1, info.name, sizeof from - 2);
            from[sizeof from - 1] = 0;
            if (!(info.attr & C9_FAT_ATTR_DIR) && !c9_fat_open(fs, &f, from, C9_FAT_WRITE | C9_FAT_APPEND)) {
                c9_fat_write(&f, buf, 1200, &n);
                c9_fat_close(&f);
            }
            strcpy(to, "/fzdir/moved");
            c9_fat_rename(fs, from, to);
            c9_fat_rename(fs, to, from);
        }
        c9_fat_closedir(&d);
    }
    c9_fat_rename(fs, "/fuzz file with a long name.txt", "/fzdir/renamed.txt");
    c9_fat_unlink(fs, "/fzdir/inner.bin");
    c9_fat_unlink(fs, "/fzdir/renamed.txt");
    c9_fat_rmdir(fs, "/fzdir");
    c9_fat_setlabel(fs, "FUZZ");
    c9_fat_space_t sp;
    c9_fat_space(fs, &sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) {
        return 0;
    }
    disk.sectors = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
    disk.sectors %= MAX_SECTORS + 1;
    disk.budget = data[4] ? data[4] * 4 : -1;
    disk.nrecs = disk.nov = 0;
    size_t i = 5;
    while (i + 6 <= size && disk.nrecs < MAX_RECORDS) {
        rec_t r;
        r.sector =
            (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        r.len = (uint16_t)(data[i + 4] | data[i + 5] << 8);
        i += 6;
        if (r.len > 512) {
            r.len = 512;
        }
        if (r.len > size - i) {
            r.len = (uint16_t)(size - i);
        }
        r.data = data + i;
        i += r.len;
        disk.recs[disk.nrecs++] = r;
    }
    qsort(disk.recs, disk.nrecs, sizeof disk.recs[0], rec_cmp);
    c9_blockdev_t bd = {.read = d_read, .write = d_write, .sync = NULL, .count = d_count, .ctx = NULL};
    static c9_fat_t fs;
    for (uint8_t part = 0; part < 2; part++) {
        c9_fat_config_t cfg = {.bdev = bd, .partition = part};
        if (c9_fat_mount(&fs, &cfg)) {
            continue;
        }
        inspect(&fs);
        mutate(&fs);
        c9_fat_unmount(&fs);
        if (!c9_fat_mount(&fs, &cfg)) {
            inspect(&fs);
            c9_fat_unmount(&fs);
        }
        break;
    }
    // mkfs on whatever size the input names, kept small.
    if (disk.sectors <= 8192 && data[4] & 1) {
        c9_fat_mkfs_opts_t o = {.formats = (uint8_t)(data[4] >> 1 & 3), .label = "FZ"};
        c9_fat_mkfs(&bd, &o, buf, sizeof buf);
    }
    return 0;
}
