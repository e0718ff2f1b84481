/* Corrupt volumes give the documented errors and never hang: bad boot sectors, chains that loop,
 * end in free or out-of-range clusters or are shorter than the file, directories that contain
 * themselves or never end, cross-links, wrong ".." entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fat_testlib.h"

static uint8_t work[2048];

/* A 2 MiB volume as CircuitPython formats it: FAT at sector 1 (7 sectors), root at 8 (32
 * sectors), data at 40, 2 sectors per cluster. a.txt has three clusters, d/x.txt one. */
#define FAT_LBA 1
#define ROOT_LBA 8
#define DATA_LBA 40
#define SPC 2

typedef struct base {
    img_t im;
    uint32_t a_cluster, d_cluster, x_cluster;
} base_t;

static void make_base(base_t *b) {
    img_new(&b->im, 4096);
    assert_int_equal(c9_fat_mkfs(&b->im.bd, NULL, work, sizeof work), C9_OK);
    c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = b->im.bd};
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
    uint8_t data[3000];
    tl_fill(data, sizeof data, 1);
    assert_int_equal(tl_fat_put(&fs, "a.txt", data, sizeof data, 3000), C9_OK);
    assert_int_equal(c9_fat_mkdir(&fs, "d"), C9_OK);
    assert_int_equal(tl_fat_put(&fs, "d/x.txt", data, 100, 100), C9_OK);
    c9_fat_info_t info;
    assert_int_equal(c9_fat_stat(&fs, "a.txt", &info), C9_OK);
    b->a_cluster = info.cluster;
    assert_int_equal(c9_fat_stat(&fs, "d", &info), C9_OK);
    b->d_cluster = info.cluster;
    assert_int_equal(c9_fat_stat(&fs, "d/x.txt", &info), C9_OK);
    b->x_cluster = info.cluster;
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
}

static void fat12_set(uint8_t *mem, uint32_t c, uint32_t v) {
    uint8_t *p = mem + FAT_LBA * 512 + c + c / 2;
    uint32_t w = p[0] | p[1] << 8;
    w = c & 1 ? (w & 0x000F) | (v << 4) : (w & 0xF000) | (v & 0xFFF);
    p[0] = (uint8_t)w;
    p[1] = (uint8_t)(w >> 8);
}

/* The root (or directory at lba) entry whose 8.3 name starts with prefix. */
static uint8_t *entry(uint8_t *mem, uint32_t lba, const char *prefix) {
    for (int i = 0; i < 64; i++) {
        uint8_t *e = mem + lba * 512 + 32 * i;
        if (e[11] != 0x0F && !memcmp(e, prefix, strlen(prefix))) {
            return e;
        }
    }
    fail_msg("no entry %s", prefix);
    return NULL;
}

static c9_err_t mount(c9_fat_t *fs, img_t *im) {
    c9_fat_config_t cfg = {.bdev = im->bd};
    return c9_fat_mount(fs, &cfg);
}

static c9_err_t read_all(c9_fat_t *fs, const char *path) {
    uint8_t *d = NULL;
    size_t n = 0;
    c9_err_t err = tl_fat_slurp(fs, path, &d, &n);
    free(d);
    return err;
}

static c9_err_t check(c9_fat_t *fs) {
    static uint8_t bm[1024];
    c9_fat_report_t r;
    return c9_fat_check(fs, bm, sizeof bm, &r);
}

static void test_boot_sector(void **state) {
    (void)state;
    base_t b;
    make_base(&b);
    c9_fat_t fs;
    uint8_t saved[512];
    memcpy(saved, b.im.mem, 512);
    struct {
        int off;
        uint8_t value;
        c9_err_t want;
    } cases[] = {
        {510, 0x00, C9_ERR_FAT_NOFS}, // signature
        {0, 0x00, C9_ERR_FAT_NOFS},   // no jump: not a boot sector
        {12, 0x04, C9_ERR_NOTSUP},    // 1024-byte sectors
        {12, 0x03, C9_ERR_FAT_BPB},   // 768-byte sectors
        {13, 3, C9_ERR_FAT_BPB},      // 3 sectors per cluster
        {13, 0, C9_ERR_FAT_BPB},      // 0 sectors per cluster
        {14, 0, C9_ERR_FAT_BPB},      // no reserved sector
        {16, 0, C9_ERR_FAT_BPB},      // no FAT
        {16, 3, C9_ERR_FAT_BPB},      // three FATs
        {17, 7, C9_ERR_FAT_BPB},      // root entries not a whole number of sectors
        {22, 0, C9_ERR_FAT_BPB},      // FAT size 0
        {22, 1, C9_ERR_FAT_BPB},      // FAT too small for 2028 clusters
        {20, 0x20, C9_ERR_FAT_BPB},   // 8192 + ... sectors: more than the device
        {19, 10, C9_ERR_FAT_BPB},     // total sectors inside the system area
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(cases); i++) {
        memcpy(b.im.mem, saved, 512);
        b.im.mem[cases[i].off] = cases[i].value;
        if (cases[i].off == 20) {
            b.im.mem[19] = 0;
        }
        if (cases[i].off == 19) {
            b.im.mem[20] = 0;
        }
        c9_err_t err = mount(&fs, &b.im);
        if (err != cases[i].want) {
            fail_msg("case %zu (byte %d = %d): %d, expected %d", i, cases[i].off, cases[i].value, err, cases[i].want);
        }
    }
    // exFAT is recognised and refused.
    memcpy(b.im.mem, saved, 512);
    memcpy(b.im.mem + 3, "EXFAT   ", 8);
    assert_int_equal(mount(&fs, &b.im), C9_ERR_NOTSUP);
    // An empty device.
    img_t empty;
    img_new(&empty, 0);
    assert_int_equal(mount(&fs, &empty), C9_ERR_FAT_NOFS);
    img_free(&empty);
    memcpy(b.im.mem, saved, 512);
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    img_free(&b.im);
}

static void test_chains(void **state) {
    (void)state;
    base_t b;
    make_base(&b);
    uint8_t *snapshot = malloc(4096 * 512);
    memcpy(snapshot, b.im.mem, 4096 * 512);
    uint32_t a = b.a_cluster;
    struct {
        const char *what;
        uint32_t cluster, value;
    } cases[] = {
        {"loop onto itself", a + 1, a + 1},
        {"loop back to the start", a + 2, a},
        {"free cluster in the chain", a + 1, 0},
        {"reserved value 1", a, 1},
        {"past the last cluster", a + 1, 2030},
        {"bad cluster mark", a + 1, 0xFF7},
        {"chain shorter than the size", a + 1, 0xFFF},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(cases); i++) {
        memcpy(b.im.mem, snapshot, 4096 * 512);
        fat12_set(b.im.mem, cases[i].cluster, cases[i].value);
        c9_fat_t fs;
        assert_int_equal(mount(&fs, &b.im), C9_OK);
        c9_err_t err = read_all(&fs, "a.txt");
        if (err != C9_ERR_FAT_CHAIN) {
            fail_msg("%s: read gives %d", cases[i].what, err);
        }
        // Appending to it fails the same way instead of extending a broken chain.
        c9_fat_file_t f;
        size_t n;
        assert_int_equal(c9_fat_open(&fs, &f, "a.txt", C9_FAT_WRITE | C9_FAT_APPEND), C9_OK);
        assert_int_equal(c9_fat_write(&f, "x", 1, &n), C9_ERR_FAT_CHAIN);
        assert_int_equal(c9_fat_close(&f), C9_OK);
        assert_int_equal(check(&fs), C9_ERR_FAT_CHAIN);
        // The rest of the volume is still usable.
        assert_int_equal(read_all(&fs, "d/x.txt"), C9_OK);
        assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    }
    // A directory entry pointing past the volume.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    uint8_t *e = entry(b.im.mem, ROOT_LBA, "A       TXT");
    e[26] = 0xFF;
    e[27] = 0x0F;
    c9_fat_t fs;
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(read_all(&fs, "a.txt"), C9_ERR_FAT_CHAIN);
    assert_int_equal(c9_fat_unlink(&fs, "a.txt"), C9_ERR_FAT_CHAIN);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    // Size without a chain.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    e = entry(b.im.mem, ROOT_LBA, "A       TXT");
    e[26] = e[27] = 0;
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(read_all(&fs, "a.txt"), C9_ERR_FAT_CHAIN);
    assert_int_equal(check(&fs), C9_ERR_FAT_CHAIN);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    free(snapshot);
    img_free(&b.im);
}

static void test_directories(void **state) {
    (void)state;
    base_t b;
    make_base(&b);
    uint8_t *snapshot = malloc(4096 * 512);
    memcpy(snapshot, b.im.mem, 4096 * 512);
    c9_fat_t fs;
    c9_fat_info_t info;
    c9_fat_dir_t d;
    uint32_t d_lba = DATA_LBA + (b.d_cluster - 2) * SPC;

    // d contains an entry for itself: paths and listings stay finite, check reports it.
    uint8_t *e = entry(b.im.mem, d_lba, "X       TXT");
    memcpy(e, "LOOP       ", 11);
    e[11] = 0x10;
    e[26] = (uint8_t)b.d_cluster;
    e[27] = (uint8_t)(b.d_cluster >> 8);
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(c9_fat_stat(&fs, "d/loop/loop/loop/loop", &info), C9_OK);
    assert_int_equal(c9_fat_opendir(&fs, &d, "d/loop/loop"), C9_OK);
    int n = 0;
    while (c9_fat_readdir(&d, &info) == 1) {
        n++;
    }
    assert_int_equal(n, 1);
    assert_int_equal(check(&fs), C9_ERR_FAT_DIR);
    // Moving d into the loop is refused as moving a directory into itself.
    assert_int_equal(c9_fat_rename(&fs, "d", "d/loop/d2"), C9_ERR_INVAL);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    // The directory's own chain loops: listing ends with an error, not forever. (Its first cluster
    // is filled, so that readers must follow the chain past it.)
    memcpy(b.im.mem, snapshot, 4096 * 512);
    fat12_set(b.im.mem, b.d_cluster, b.d_cluster);
    for (int i = 3; i < 16 * SPC; i++) {
        uint8_t *g = b.im.mem + d_lba * 512 + 32 * i;
        memset(g, 0, 32);
        snprintf((char *)g, 12, "F%02d     TXT", i);
        g[11] = 0x20;
    }
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(c9_fat_opendir(&fs, &d, "d"), C9_OK);
    c9_err_t err;
    long entries = 0;
    while ((err = c9_fat_readdir(&d, &info)) == 1) {
        entries++;
    }
    assert_int_equal(err, C9_ERR_FAT_DIR);
    assert_true(entries < 65536);
    assert_int_equal(c9_fat_stat(&fs, "d/nothing", &info), C9_ERR_FAT_DIR);
    c9_fat_file_t f;
    assert_int_equal(c9_fat_open(&fs, &f, "d/new.txt", C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_FAT_DIR);
    assert_int_equal(check(&fs), C9_ERR_FAT_CHAIN); // the chain loops
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    // ".." names the wrong cluster.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    e = b.im.mem + d_lba * 512 + 32;
    assert_memory_equal(e, "..         ", 11);
    e[26] = 7;
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(check(&fs), C9_ERR_FAT_DIR);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    // A directory entry without a cluster.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    e = entry(b.im.mem, ROOT_LBA, "D          ");
    e[26] = e[27] = 0;
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(c9_fat_opendir(&fs, &d, "d"), C9_ERR_FAT_DIR);
    assert_int_equal(c9_fat_stat(&fs, "d/x.txt", &info), C9_ERR_FAT_DIR);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    // Cross-link: x.txt's cluster is also a.txt's first.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    e = entry(b.im.mem, d_lba, "X       TXT");
    e[26] = (uint8_t)b.a_cluster;
    e[27] = (uint8_t)(b.a_cluster >> 8);
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(check(&fs), C9_ERR_FAT_CROSSLINK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    // Garbage in entries (control characters, stray long-name pieces) lists without trouble.
    memcpy(b.im.mem, snapshot, 4096 * 512);
    for (int i = 5; i < 16; i++) {
        uint8_t *g = b.im.mem + ROOT_LBA * 512 + 32 * i;
        tl_fill(g, 32, (uint32_t)i);
        g[0] = (uint8_t)(i == 7 ? 0x45 : i == 9 ? 0x05 : g[0] | 1);
        if (i % 3 == 0) {
            g[11] = 0x0F;
        }
    }
    assert_int_equal(mount(&fs, &b.im), C9_OK);
    assert_int_equal(c9_fat_opendir(&fs, &d, "/"), C9_OK);
    while ((err = c9_fat_readdir(&d, &info)) == 1) {
        assert_true(strlen(info.name) < sizeof info.name);
    }
    assert_true(err >= 0);
    assert_int_equal(read_all(&fs, "a.txt"), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);

    free(snapshot);
    img_free(&b.im);
}

static void test_deep_tree_check_depth(void **state) {
    (void)state;
    img_t im;
    img_new(&im, 4096);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, sizeof work), C9_OK);
    c9_fat_t fs;
    assert_int_equal(mount(&fs, &im), C9_OK);
    char path[256] = "";
    for (int i = 0; i < C9_FAT_CHECK_DEPTH + 1; i++) {
        strcat(path, "/d");
        assert_int_equal(c9_fat_mkdir(&fs, path), C9_OK);
    }
    assert_int_equal(check(&fs), C9_ERR_FAT_DIR);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    img_free(&im);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_sector),
        cmocka_unit_test(test_chains),
        cmocka_unit_test(test_directories),
        cmocka_unit_test(test_deep_tree_check_depth),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tl_cleanup();
    return r;
}
