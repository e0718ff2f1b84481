/*
 * FAT core throughput as instructions (callgrind): on an 8 MiB RAM disk formatted as CircuitPython
 * formats it (FAT16, 2 KiB clusters), write a 1 MiB file in 4 KiB and in 64-byte writes, read it
 * back in 4 KiB reads, create 100 files with long names in one directory, stat each, list them.
 *
 *     valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=cg.out ./fat_bench
 *
 * Each phase runs with collection toggled on, then CALLGRIND_DUMP_STATS_AT("phase@units");
 * run.sh divides each dump by its units. Outside valgrind the macros do nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "circuit9/fat.h"

#define DISK_BLOCKS 16384
#define FILE_BYTES (1024 * 1024)

static uint8_t disk[DISK_BLOCKS * 512];
static uint8_t data[FILE_BYTES], back[FILE_BYTES];

static void check(c9_err_t err, const char *what) {
    if (err) {
        fprintf(stderr, "fat_bench: %s: %s\n", what, c9_fat_strerror(err));
        exit(1);
    }
}

#define PHASE(label, body)                                                                                             \
    do {                                                                                                               \
        CALLGRIND_ZERO_STATS;                                                                                          \
        CALLGRIND_TOGGLE_COLLECT;                                                                                      \
        body;                                                                                                          \
        CALLGRIND_TOGGLE_COLLECT;                                                                                      \
        CALLGRIND_DUMP_STATS_AT(label);                                                                                \
    } while (0)

static void write_file(c9_fat_t *fs, const char *path, size_t chunk) {
    c9_fat_file_t f;
    check(c9_fat_open(fs, &f, path, C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_TRUNC), "open");
    for (size_t done = 0; done < FILE_BYTES; done += chunk) {
        size_t put;
        check(c9_fat_write(&f, data + done, chunk, &put), "write");
    }
    check(c9_fat_close(&f), "close");
}

int main(void) {
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)(i * 7 + (i >> 9));
    }
    c9_ramdisk_t rd;
    c9_blockdev_t bd = c9_ramdisk_init(&rd, disk, DISK_BLOCKS);
    static uint8_t work[4096];
    c9_fat_mkfs_opts_t o = {.label = "CIRCUITPY"};
    check(c9_fat_mkfs(&bd, &o, work, sizeof work), "mkfs");
    static c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = bd};
    check(c9_fat_mount(&fs, &cfg), "mount");
    PHASE("write 4 KiB chunks@1024", write_file(&fs, "/big.bin", 4096));
    PHASE("write 64-byte chunks@1024", write_file(&fs, "/small writes.bin", 64));
    c9_fat_file_t f;
    size_t got = 0;
    PHASE("read 4 KiB chunks@1024", {
        check(c9_fat_open(&fs, &f, "/big.bin", C9_FAT_READ), "open");
        for (size_t n = 1; n;) {
            check(c9_fat_read(&f, back + got, 4096, &n), "read");
            got += n;
        }
        check(c9_fat_close(&f), "close");
    });
    if (got != FILE_BYTES || memcmp(back, data, FILE_BYTES)) {
        fprintf(stderr, "fat_bench: read back differs\n");
        return 1;
    }
    check(c9_fat_mkdir(&fs, "/lib"), "mkdir");
    char path[64];
    PHASE("create file@100", {
        for (int i = 0; i < 100; i++) {
            snprintf(path, sizeof path, "/lib/adafruit_module_number_%03d.py", i);
            check(c9_fat_open(&fs, &f, path, C9_FAT_WRITE | C9_FAT_CREATE), "create");
            size_t put;
            check(c9_fat_write(&f, data, 100, &put), "write");
            check(c9_fat_close(&f), "close");
        }
    });
    c9_fat_info_t info;
    PHASE("stat@100", {
        for (int i = 0; i < 100; i++) {
            snprintf(path, sizeof path, "/lib/adafruit_module_number_%03d.py", i);
            check(c9_fat_stat(&fs, path, &info), "stat");
        }
    });
    int listed = 0;
    PHASE("list entry@100", {
        c9_fat_dir_t d;
        check(c9_fat_opendir(&fs, &d, "/lib"), "opendir");
        while (c9_fat_readdir(&d, &info) == 1) {
            listed++;
        }
        c9_fat_closedir(&d);
    });
    check(c9_fat_unmount(&fs), "unmount");
    printf("fat_bench: 1 MiB written twice and read, %d files created and listed\n", listed);
    return listed == 100 ? 0 : 1;
}
