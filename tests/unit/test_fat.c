/*
 * FAT core against the references: images made by Debian's mkfs.fat and filled by mtools are read
 * back byte for byte; images the core writes pass fsck.fat -n and read back through mtools byte
 * for byte; mkfs geometry is compared with CircuitPython 9.2.9's f_mkfs (worked out below) and
 * with mkfs.fat given the same parameters; every single-block write of an operation sequence is
 * a power cut; corrupt images give the documented errors.
 *
 * Tests that need dosfstools/mtools skip, saying so, when the tools are missing
 * (tools/install-deps.sh installs them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fat_tree.h"

#define TOOLS "mkfs.fat fsck.fat mcopy mmd mdir mlabel"
static bool tools;

static int need_tools(void **state) {
    (void)state;
    if (!tools) {
        print_message("skipped: needs dosfstools and mtools (" TOOLS "); tools/install-deps.sh installs them\n");
    }
    return 0;
}
#define REQUIRE_TOOLS()                                                                                                \
    do {                                                                                                               \
        if (!tools) {                                                                                                  \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

static uint8_t work[4096];

static void mount_ok(c9_fat_t *fs, const c9_blockdev_t *bd) {
    c9_fat_config_t cfg = {.bdev = *bd};
    assert_int_equal(c9_fat_mount(fs, &cfg), C9_OK);
}

/* fsck.fat -n on an image file: exit status 0 and no complaint. */
static void fsck_clean(const char *path) {
    static char out[65536];
    int rc = tl_run(out, sizeof out, "fsck.fat -n %s", path);
    if (rc != 0) {
        print_error("fsck.fat -n %s exited %d:\n%s\n", path, rc, out);
    }
    assert_int_equal(rc, 0);
}

static void fsck_clean_img(const img_t *im, const char *name) {
    char p[512];
    img_save(im, tl_path(p, sizeof p, name));
    fsck_clean(p);
}

/* ---- mkfs: CircuitPython's geometry --------------------------------------------------------- */

typedef struct geometry {
    uint32_t sectors;
    uint8_t formats;
    uint8_t type, spc;
    uint16_t rsv, fat_sectors, root_entries;
    uint32_t clusters;
} geometry_t;

/*
 * CircuitPython 9.2.9 formats CIRCUITPY with f_mkfs(fs, FM_FAT [| FM_FAT32 | FM_EXFAT on full
 * builds], 0, ...) on partition 1 of the flash's synthesised MBR (supervisor/shared/filesystem.c,
 * supervisor/shared/flash.c), so the volume is the whole flash and starts at block 1; the FatFs
 * in lib/oofatfs/ff.c uses one FAT, 512 root entries (128 when the volume has 256 sectors or
 * fewer, CircuitPython's change), cluster sizes from a table of 4096-sector steps, and sizes the
 * FAT for volume/cluster clusters. Worked out by hand:
 *   2 MiB (4096 sectors, e.g. Feather M0 Express): 4096/4096 = 1 step -> 2 sectors per cluster;
 *     FAT12 guess 2048 clusters -> (2048*3+1)/2+3 = 3075 bytes -> 7 sectors; data at 1+7+32 = 40;
 *     (4096-40)/2 = 2028 clusters.
 *   64 KiB (128 sectors, Trinket M0's internal flash): 1 sector per cluster, FAT 195 bytes ->
 *     1 sector, 128 root entries (8 sectors): data at 10, 118 clusters.
 *   4 MiB (8192 sectors): 2 sectors per cluster guesses FAT16 (4096 clusters, 17 FAT sectors),
 *     but (8192-50)/2 = 4071 clusters are too few for FAT16, so FatFs doubles the cluster: 4
 *     sectors, FAT12, 7 FAT sectors, (8192-40)/4 = 2038 clusters.
 *   16 MiB (32768 sectors): 4 sectors per cluster, FAT16, 8192*2+4 bytes -> 33 sectors, data at
 *     66, 8175 clusters.
 *   40 MiB FAT32 only: 1 sector per cluster, (81920*4+8)/512 -> 641 FAT sectors, 32 reserved,
 *     81247 clusters.
 */
static const geometry_t cp_geometry[] = {
    {128, C9_FAT_FMT_FAT, 12, 1, 1, 1, 128, 118},
    {256, C9_FAT_FMT_FAT, 12, 1, 1, 1, 128, 246},
    {257, C9_FAT_FMT_FAT, 12, 1, 1, 1, 512, 223},
    {4096, C9_FAT_FMT_FAT, 12, 2, 1, 7, 512, 2028},
    {8192, C9_FAT_FMT_FAT, 12, 4, 1, 7, 512, 2038},
    {32768, C9_FAT_FMT_FAT | C9_FAT_FMT_FAT32, 16, 4, 1, 33, 512, 8175},
    {81920, C9_FAT_FMT_FAT32, 32, 1, 32, 641, 0, 81247},
};

static void test_mkfs_circuitpython_geometry(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(cp_geometry); i++) {
        const geometry_t *g = &cp_geometry[i];
        img_t im;
        img_new(&im, g->sectors);
        c9_fat_mkfs_opts_t o = {.formats = g->formats, .label = "CIRCUITPY", .volume_id = 0xC1C1, .hidden_sectors = 1};
        assert_int_equal(c9_fat_mkfs(&im.bd, &o, work, sizeof work), C9_OK);
        const uint8_t *b = im.mem;
        assert_memory_equal(b, "\xEB\xFE\x90MSDOS5.0", 11);
        assert_int_equal(b[11] | b[12] << 8, 512);
        assert_int_equal(b[13], g->spc);
        assert_int_equal(b[14] | b[15] << 8, g->rsv);
        assert_int_equal(b[16], 1);
        assert_int_equal(b[17] | b[18] << 8, g->root_entries);
        assert_int_equal(b[21], 0xF8);
        assert_int_equal(b[24] | b[25] << 8, 63);
        assert_int_equal(b[26] | b[27] << 8, 255);
        assert_int_equal(b[28], 1); // hidden sectors: the partition starts at block 1
        uint32_t fatsz = g->type == 32 ? (uint32_t)(b[36] | b[37] << 8 | b[38] << 16) : (uint32_t)(b[22] | b[23] << 8);
        assert_int_equal(fatsz, g->fat_sectors);
        assert_int_equal(b[510], 0x55);
        assert_int_equal(b[511], 0xAA);
        c9_fat_t fs;
        mount_ok(&fs, &im.bd);
        assert_int_equal(c9_fat_type(&fs), g->type);
        c9_fat_space_t sp;
        assert_int_equal(c9_fat_space(&fs, &sp), C9_OK);
        assert_int_equal(sp.clusters, g->clusters);
        assert_int_equal(sp.cluster_bytes, 512u * g->spc);
        char label[40];
        assert_int_equal(c9_fat_getlabel(&fs, label, sizeof label), C9_OK);
        assert_string_equal(label, "CIRCUITPY");
        assert_int_equal(c9_fat_unmount(&fs), C9_OK);
        if (tools) {
            char name[32], p[512], out[4096];
            snprintf(name, sizeof name, "geom%u.img", g->sectors);
            fsck_clean_img(&im, name);
            tl_path(p, sizeof p, name);
            // mtools reads the label as CircuitPython users see it.
            assert_int_equal(tl_run(out, sizeof out, "mlabel -s -i %s ::", p), 0);
            assert_non_null(strstr(out, "CIRCUITPY"));
            // mkfs.fat given the same choices lays out the same number of clusters (its FAT may
            // be smaller: FatFs sizes the FAT for volume/cluster entries, not the exact count).
            if (g->type != 32) {
                char ref[512];
                tl_path(ref, sizeof ref, "ref.img");
                unlink(ref);
                assert_int_equal(tl_run(out, sizeof out,
                                        "truncate -s %u %s && mkfs.fat -a -F %u -f 1 -R 1 -r %u -s %u -M 0xF8 %s "
                                        "&& fsck.fat -n -v %s",
                                        g->sectors * 512, ref, g->type, g->root_entries, g->spc, ref, ref),
                                 0);
                char want[64];
                snprintf(want, sizeof want, "%u data clusters", g->clusters);
                if (!strstr(out, want)) {
                    print_error("mkfs.fat reference for %u sectors:\n%s\n", g->sectors, out);
                }
                assert_non_null(strstr(out, want));
            }
        }
        img_free(&im);
    }
}

static void test_mkfs_errors(void **state) {
    (void)state;
    img_t im;
    img_new(&im, 20);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, sizeof work), C9_ERR_FAT_NOSPC);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, 100), C9_ERR_INVAL);
    c9_fat_mkfs_opts_t o = {.cluster_bytes = 3000};
    assert_int_equal(c9_fat_mkfs(&im.bd, &o, work, sizeof work), C9_ERR_INVAL);
    o = (c9_fat_mkfs_opts_t){.label = "BAD*LABEL"};
    img_free(&im);
    img_new(&im, 4096);
    assert_int_equal(c9_fat_mkfs(&im.bd, &o, work, sizeof work), C9_ERR_FAT_BADNAME);
    // FAT32 needs at least 65525 clusters.
    o = (c9_fat_mkfs_opts_t){.formats = C9_FAT_FMT_FAT32};
    assert_int_equal(c9_fat_mkfs(&im.bd, &o, work, sizeof work), C9_ERR_FAT_NOSPC);
    c9_blockdev_t ro = im.bd;
    ro.write = NULL;
    assert_int_equal(c9_fat_mkfs(&ro, NULL, work, sizeof work), C9_ERR_PERM);
    img_free(&im);
}

/* ---- images made by mkfs.fat + mtools, read by the core ------------------------------------- */

static void read_reference_image(unsigned fat_bits, unsigned kib, const char *extra) {
    char src[512], img[512], name[64];
    snprintf(name, sizeof name, "src%u", fat_bits);
    tl_path(src, sizeof src, name);
    snprintf(name, sizeof name, "ref%u.img", fat_bits);
    tl_path(img, sizeof img, name);
    mkdir(src, 0755);
    tree_write_host(src);
    static char out[16384];
    int rc = tl_run(out, sizeof out, "mkfs.fat -C -F %u %s -n REFVOL %s %u && cd %s && mcopy -s -m -i %s * ::/",
                    fat_bits, extra, img, kib, src, img);
    if (rc) {
        print_error("%s\n", out);
    }
    assert_int_equal(rc, 0);
    img_t im;
    img_load(&im, img);
    c9_fat_t fs;
    mount_ok(&fs, &im.bd);
    assert_int_equal(c9_fat_type(&fs), fat_bits);
    c9_err_t err;
    char *want = host_listing(src), *got = fat_listing(&fs, &err);
    assert_int_equal(err, C9_OK);
    if (strcmp(want, got)) {
        print_error("host:\n%s\nread through the core:\n%s\n", want, got);
    }
    assert_string_equal(want, got);
    char label[40];
    assert_int_equal(c9_fat_getlabel(&fs, label, sizeof label), C9_OK);
    assert_string_equal(label, "REFVOL");
    // The whole volume is consistent by the core's own check too.
    size_t bmsize = c9_fat_check_bitmap_size(&fs);
    uint8_t *bm = malloc(bmsize);
    c9_fat_report_t r;
    assert_int_equal(c9_fat_check(&fs, bm, bmsize, &r), C9_OK);
    assert_int_equal(r.lost_clusters, 0);
    free(bm);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    free(want);
    free(got);
    img_free(&im);
}

static void test_read_mkfsfat_fat12(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    read_reference_image(12, 2048, "-s 1");
}

static void test_read_mkfsfat_fat16(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    read_reference_image(16, 16384, "");
}

static void test_read_mkfsfat_fat32(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    read_reference_image(32, 40960, "-s 1");
}

/* ---- images written by the core, checked by fsck.fat and read by mtools --------------------- */

static void write_and_check(img_t *im, const char *name, size_t chunk) {
    c9_fat_t fs;
    mount_ok(&fs, &im->bd);
    assert_int_equal(tree_write_fat(&fs, chunk), C9_OK);
    c9_err_t err;
    char *got = fat_listing(&fs, &err);
    assert_int_equal(err, C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    char img[512], out[512], src[512], dir[80];
    tl_path(img, sizeof img, name);
    img_save(im, img);
    fsck_clean(img);
    snprintf(dir, sizeof dir, "%s.out", name);
    tl_path(out, sizeof out, dir);
    snprintf(dir, sizeof dir, "%s.src", name);
    tl_path(src, sizeof src, dir);
    mkdir(out, 0755);
    mkdir(src, 0755);
    tree_write_host(src);
    static char log[8192];
    int rc = tl_run(log, sizeof log, "mcopy -s -n -i %s '::/*' %s/", img, out);
    if (rc) {
        print_error("%s\n", log);
    }
    assert_int_equal(rc, 0);
    char *want = host_listing(src), *back = host_listing(out);
    if (strcmp(want, back)) {
        char a[600], b[600];
        tl_write_file(tl_path(a, sizeof a, "want.txt"), want, strlen(want));
        tl_write_file(tl_path(b, sizeof b, "back.txt"), back, strlen(back));
        tl_run(log, sizeof log, "diff %s %s", a, b);
        print_error("written (<) and read back by mtools (>) differ:\n%s\n", log);
    }
    assert_string_equal(want, back);
    assert_string_equal(want, got);
    free(want);
    free(back);
    free(got);
}

static void test_write_circuitpython_fat12(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    img_t im;
    img_new(&im, 4096);
    c9_fat_mkfs_opts_t o = {.label = "CIRCUITPY"};
    assert_int_equal(c9_fat_mkfs(&im.bd, &o, work, sizeof work), C9_OK);
    write_and_check(&im, "w12.img", 333);
    img_free(&im);
}

static void test_write_circuitpython_fat12_tiny(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    // 512-byte clusters on a 1 MiB volume: every FAT sector boundary is crossed.
    img_t im;
    img_new(&im, 2048);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, sizeof work), C9_OK);
    write_and_check(&im, "w12t.img", 512);
    img_free(&im);
}

static void test_write_circuitpython_fat16(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    img_t im;
    img_new(&im, 32768);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, sizeof work), C9_OK);
    write_and_check(&im, "w16.img", 4096);
    img_free(&im);
}

static void test_write_mkfsfat_fat32_two_fats(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    char img[512];
    tl_path(img, sizeof img, "w32.img");
    assert_int_equal(tl_run(NULL, 0, "mkfs.fat -C -F 32 -s 1 %s 40960", img), 0);
    img_t im;
    img_load(&im, img);
    write_and_check(&im, "w32.img", 1000);
    img_free(&im);
}

static void test_write_mkfsfat_fat16_two_fats(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    char img[512];
    tl_path(img, sizeof img, "w16b.img");
    assert_int_equal(tl_run(NULL, 0, "mkfs.fat -C -F 16 -s 2 %s 8192", img), 0);
    img_t im;
    img_load(&im, img);
    write_and_check(&im, "w16b.img", 100000);
    img_free(&im);
}

/* ---- operations -------------------------------------------------------------------------- */

static void fresh(img_t *im, c9_fat_t *fs, uint32_t sectors) {
    img_new(im, sectors);
    assert_int_equal(c9_fat_mkfs(&im->bd, NULL, work, sizeof work), C9_OK);
    mount_ok(fs, &im->bd);
}

static void test_names_and_errors(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096);
    c9_fat_file_t f;
    c9_fat_info_t info;
    assert_int_equal(c9_fat_open(&fs, &f, "missing.txt", C9_FAT_READ), C9_ERR_NOENT);
    assert_int_equal(c9_fat_open(&fs, &f, "nodir/x.txt", C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_NOENT);
    assert_int_equal(c9_fat_open(&fs, &f, "a.txt", 0), C9_ERR_INVAL);
    assert_int_equal(c9_fat_open(&fs, &f, "a.txt", C9_FAT_READ | C9_FAT_TRUNC), C9_ERR_INVAL);
    assert_int_equal(c9_fat_open(&fs, &f, "bad*name.txt", C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_FAT_BADNAME);
    assert_int_equal(c9_fat_open(&fs, &f, "bad\xff.txt", C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_FAT_BADNAME);
    assert_int_equal(c9_fat_open(&fs, &f, "...", C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_FAT_BADNAME);
    char longname[300];
    memset(longname, 'x', 256);
    longname[256] = 0;
    assert_int_equal(c9_fat_open(&fs, &f, longname, C9_FAT_WRITE | C9_FAT_CREATE), C9_ERR_FAT_NAMETOOLONG);
    longname[255] = 0; // 255 characters is the limit
    assert_int_equal(c9_fat_open(&fs, &f, longname, C9_FAT_WRITE | C9_FAT_CREATE), C9_OK);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    assert_int_equal(c9_fat_stat(&fs, longname, &info), C9_OK);
    assert_int_equal(c9_fat_mkdir(&fs, "dir"), C9_OK);
    assert_int_equal(c9_fat_mkdir(&fs, "DIR"), C9_ERR_EXIST);
    assert_int_equal(c9_fat_mkdir(&fs, "/"), C9_ERR_EXIST);
    assert_int_equal(tl_fat_put(&fs, "dir/file.txt", (const uint8_t *)"hello", 5, 5), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &f, "dir", C9_FAT_READ), C9_ERR_FAT_ISDIR);
    assert_int_equal(c9_fat_open(&fs, &f, "dir/file.txt/x", C9_FAT_READ), C9_ERR_FAT_NOTDIR);
    assert_int_equal(c9_fat_open(&fs, &f, "DIR/FILE.TXT", C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_EXCL), C9_ERR_EXIST);
    assert_int_equal(c9_fat_rmdir(&fs, "dir"), C9_ERR_FAT_NOTEMPTY);
    assert_int_equal(c9_fat_rmdir(&fs, "dir/file.txt"), C9_ERR_FAT_NOTDIR);
    assert_int_equal(c9_fat_rmdir(&fs, "/"), C9_ERR_INVAL);
    assert_int_equal(c9_fat_unlink(&fs, "dir"), C9_ERR_FAT_ISDIR);
    // "." and ".." resolve by name; trailing dots and spaces are dropped as Windows does.
    assert_int_equal(c9_fat_stat(&fs, "/dir/./../dir/file.txt", &info), C9_OK);
    assert_int_equal(info.size, 5);
    assert_int_equal(c9_fat_stat(&fs, "dir/file.txt. . ", &info), C9_OK);
    assert_int_equal(c9_fat_stat(&fs, "/", &info), C9_OK);
    assert_true(info.attr & C9_FAT_ATTR_DIR);
    // An open file cannot be removed (FatFs without locking would let the handle write into freed
    // clusters).
    assert_int_equal(c9_fat_open(&fs, &f, "dir/file.txt", C9_FAT_READ), C9_OK);
    assert_int_equal(c9_fat_unlink(&fs, "dir/FILE.txt"), C9_ERR_BUSY);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    assert_int_equal(c9_fat_close(&f), C9_ERR_BADF);
    // Read-only attribute.
    assert_int_equal(c9_fat_chmod(&fs, "dir/file.txt", C9_FAT_ATTR_RDONLY, C9_FAT_ATTR_RDONLY), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &f, "dir/file.txt", C9_FAT_WRITE), C9_ERR_FAT_DENIED);
    assert_int_equal(c9_fat_unlink(&fs, "dir/file.txt"), C9_ERR_FAT_DENIED);
    assert_int_equal(c9_fat_chmod(&fs, "dir/file.txt", 0, C9_FAT_ATTR_RDONLY), C9_OK);
    assert_int_equal(c9_fat_unlink(&fs, "dir/file.txt"), C9_OK);
    assert_int_equal(c9_fat_rmdir(&fs, "dir"), C9_OK);
    assert_int_equal(c9_fat_stat(&fs, "dir", &info), C9_ERR_NOENT);
    // Writing a file opened for reading, reading one opened for writing.
    assert_int_equal(tl_fat_put(&fs, "r.txt", (const uint8_t *)"abc", 3, 3), C9_OK);
    size_t n;
    uint8_t buf[8];
    assert_int_equal(c9_fat_open(&fs, &f, "r.txt", C9_FAT_READ), C9_OK);
    assert_int_equal(c9_fat_write(&f, "x", 1, &n), C9_ERR_FAT_DENIED);
    assert_int_equal(c9_fat_truncate(&f, 0), C9_ERR_FAT_DENIED);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &f, "r.txt", C9_FAT_WRITE), C9_OK);
    assert_int_equal(c9_fat_read(&f, buf, 1, &n), C9_ERR_FAT_DENIED);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    assert_int_equal(c9_fat_stat(&fs, "r.txt", &info), C9_ERR_BADF);
    if (tools) {
        fsck_clean_img(&im, "names.img");
    }
    img_free(&im);
}

static void test_file_semantics(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096); // 1 KiB clusters
    static uint8_t data[20000], back[20000];
    tl_fill(data, sizeof data, 7);
    c9_fat_file_t f, g;
    size_t n;
    uint32_t pos;
    // Seek past the end, write: the gap reads as zeros (the clusters held other data before).
    assert_int_equal(tl_fat_put(&fs, "junk.bin", data, sizeof data, 20000), C9_OK);
    assert_int_equal(c9_fat_unlink(&fs, "junk.bin"), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &f, "gap.bin", C9_FAT_READ | C9_FAT_WRITE | C9_FAT_CREATE), C9_OK);
    assert_int_equal(c9_fat_write(&f, "head", 4, &n), C9_OK);
    assert_int_equal(c9_fat_seek(&f, 5000, 0, &pos), C9_OK);
    assert_int_equal(pos, 5000);
    assert_int_equal(c9_fat_write(&f, "tail", 4, &n), C9_OK);
    assert_int_equal(c9_fat_size(&f), 5004);
    assert_int_equal(c9_fat_seek(&f, 0, 0, NULL), C9_OK);
    assert_int_equal(c9_fat_read(&f, back, sizeof back, &n), C9_OK);
    assert_int_equal(n, 5004);
    assert_memory_equal(back, "head", 4);
    for (int i = 4; i < 5000; i++) {
        assert_int_equal(back[i], 0);
    }
    assert_memory_equal(back + 5000, "tail", 4);
    assert_int_equal(c9_fat_read(&f, back, 10, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(c9_fat_seek(&f, -1, 0, NULL), C9_ERR_INVAL);
    assert_int_equal(c9_fat_seek(&f, -4, 2, &pos), C9_OK);
    assert_int_equal(pos, 5000);
    // Truncate: shorter, then longer (zeros), position unchanged.
    assert_int_equal(c9_fat_truncate(&f, 2), C9_OK);
    assert_int_equal(c9_fat_tell(&f), 5000);
    assert_int_equal(c9_fat_truncate(&f, 3000), C9_OK);
    assert_int_equal(c9_fat_seek(&f, 0, 0, NULL), C9_OK);
    assert_int_equal(c9_fat_read(&f, back, sizeof back, &n), C9_OK);
    assert_int_equal(n, 3000);
    assert_memory_equal(back, "he", 2);
    for (int i = 2; i < 3000; i++) {
        assert_int_equal(back[i], 0);
    }
    assert_int_equal(c9_fat_close(&f), C9_OK);
    // Overwrite in the middle; append mode; two handles see each other's size.
    assert_int_equal(tl_fat_put(&fs, "mid.bin", data, 10000, 999), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &f, "mid.bin", C9_FAT_READ | C9_FAT_WRITE), C9_OK);
    assert_int_equal(c9_fat_open(&fs, &g, "mid.bin", C9_FAT_WRITE | C9_FAT_APPEND), C9_OK);
    assert_int_equal(c9_fat_seek(&f, 1500, 0, NULL), C9_OK);
    assert_int_equal(c9_fat_write(&f, data + 15000, 3000, &n), C9_OK);
    assert_int_equal(c9_fat_write(&g, data + 12000, 2500, &n), C9_OK);
    assert_int_equal(c9_fat_size(&f), 12500);
    assert_int_equal(c9_fat_seek(&f, 0, 0, NULL), C9_OK);
    assert_int_equal(c9_fat_read(&f, back, sizeof back, &n), C9_OK);
    assert_int_equal(n, 12500);
    assert_memory_equal(back, data, 1500);
    assert_memory_equal(back + 1500, data + 15000, 3000);
    assert_memory_equal(back + 4500, data + 4500, 5500);
    assert_memory_equal(back + 10000, data + 12000, 2500);
    assert_int_equal(c9_fat_close(&g), C9_OK);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    // TRUNC empties; reading a fresh empty file gives nothing.
    assert_int_equal(c9_fat_open(&fs, &f, "mid.bin", C9_FAT_WRITE | C9_FAT_TRUNC), C9_OK);
    assert_int_equal(c9_fat_size(&f), 0);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    c9_fat_info_t info;
    assert_int_equal(c9_fat_stat(&fs, "mid.bin", &info), C9_OK);
    assert_int_equal(info.size, 0);
    assert_int_equal(info.cluster, 0);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    if (tools) {
        fsck_clean_img(&im, "sem.img");
    }
    img_free(&im);
}

static void test_rename(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096);
    static uint8_t data[3000];
    tl_fill(data, sizeof data, 3);
    assert_int_equal(c9_fat_mkdir(&fs, "a"), C9_OK);
    assert_int_equal(c9_fat_mkdir(&fs, "a/b"), C9_OK);
    assert_int_equal(c9_fat_mkdir(&fs, "c"), C9_OK);
    assert_int_equal(tl_fat_put(&fs, "a/b/f.txt", data, sizeof data, 1000), C9_OK);
    assert_int_equal(tl_fat_put(&fs, "other.txt", data, 10, 10), C9_OK);
    c9_fat_file_t f;
    assert_int_equal(c9_fat_open(&fs, &f, "a/b/f.txt", C9_FAT_READ | C9_FAT_WRITE), C9_OK);
    // Within a directory, to a long name, case only, across directories, a directory.
    assert_int_equal(c9_fat_rename(&fs, "a/b/f.txt", "a/b/A much longer name.txt"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "a/b/A much longer name.txt", "a/b/a MUCH longer NAME.txt"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "other.txt", "OTHER.TXT"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "a/b/a much longer name.txt", "c/moved.txt"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "a/b", "c/b2"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "c", "c/b2/inside"), C9_ERR_INVAL);
    assert_int_equal(c9_fat_rename(&fs, "c", "c"), C9_OK);
    assert_int_equal(c9_fat_rename(&fs, "c/moved.txt", "OTHER.txt"), C9_ERR_EXIST);
    assert_int_equal(c9_fat_rename(&fs, "nothing", "x"), C9_ERR_NOENT);
    // The open handle followed the file: writing through it changes the moved entry.
    size_t n;
    assert_int_equal(c9_fat_seek(&f, 0, 2, NULL), C9_OK);
    assert_int_equal(c9_fat_write(&f, "END", 3, &n), C9_OK);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    c9_fat_info_t info;
    assert_int_equal(c9_fat_stat(&fs, "c/moved.txt", &info), C9_OK);
    assert_int_equal(info.size, 3003);
    assert_int_equal(c9_fat_stat(&fs, "c/b2", &info), C9_OK);
    assert_true(info.attr & C9_FAT_ATTR_DIR);
    assert_int_equal(c9_fat_stat(&fs, "a/b", &info), C9_ERR_NOENT);
    // ".." of the moved directory names its new parent (fsck checks it too).
    assert_int_equal(c9_fat_stat(&fs, "c/b2/../moved.txt", &info), C9_OK);
    c9_fat_dir_t d;
    assert_int_equal(c9_fat_opendir(&fs, &d, "/"), C9_OK);
    int count = 0;
    bool saw_other = false;
    while (c9_fat_readdir(&d, &info) == 1) {
        count++;
        saw_other |= !strcmp(info.name, "OTHER.TXT");
    }
    assert_int_equal(c9_fat_closedir(&d), C9_OK);
    assert_true(saw_other);
    assert_int_equal(count, 3); // a, c, OTHER.TXT
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    if (tools) {
        fsck_clean_img(&im, "rename.img");
        char p[512], out[4096];
        tl_path(p, sizeof p, "rename.img");
        assert_int_equal(tl_run(out, sizeof out, "mtype -i %s ::/c/moved.txt | tail -c 3", p), 0);
        assert_string_equal(out, "END");
    }
    img_free(&im);
}

/* Characters outside the BMP are stored as UTF-16 surrogate pairs in the long name (mtools drops
 * them, so the bytes on disk are checked directly). */
static void test_surrogate_pairs(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096);
    const char *name = "party \xf0\x9f\x8e\x89.txt"; // U+1F389
    assert_int_equal(tl_fat_put(&fs, name, (const uint8_t *)"!", 1, 1), C9_OK);
    c9_fat_dir_t d;
    c9_fat_info_t info;
    assert_int_equal(c9_fat_opendir(&fs, &d, "/"), C9_OK);
    assert_int_equal(c9_fat_readdir(&d, &info), 1);
    assert_string_equal(info.name, name);
    assert_int_equal(c9_fat_readdir(&d, &info), 0);
    assert_int_equal(c9_fat_stat(&fs, "PARTY \xf0\x9f\x8e\x89.TXT", &info), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    // Root directory at sector 8: one long-name entry ("party " + the pair + ".txt" = 12 units),
    // then the short entry. Units 6 and 7 (after "party ") are at offsets 16 and 18.
    const uint8_t *e = im.mem + 8 * 512;
    assert_int_equal(e[0], 0x41);
    assert_int_equal(e[11], 0x0F);
    assert_int_equal(e[16] | e[17] << 8, 0xD83C);
    assert_int_equal(e[18] | e[19] << 8, 0xDF89);
    if (tools) {
        fsck_clean_img(&im, "pairs.img");
    }
    img_free(&im);
}

/* mtools chooses the same short names for the first file of a kind (the ~1 tail and the basis
 * rules of the FAT specification). */
static void test_short_names_match_mtools(void **state) {
    (void)state;
    REQUIRE_TOOLS();
    static const char *names[] = {
        "A long file name here.txt",
        "code.py",
        "README",
        "x.tar.gz",
        "with space.txt",
        "file+name.txt",
        "UPPER.TXT",
        "MiXeD.Py",
        ".hidden",
        "verylongextension.python",
        "ab[1].txt",
        "lower.txt",
    };
    char img[512], mine[512];
    tl_path(img, sizeof img, "sfn_mtools.img");
    tl_path(mine, sizeof mine, "sfn_mine.img");
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096);
    img_save(&im, img);
    for (size_t i = 0; i < C9_ARRAY_SIZE(names); i++) {
        char src[600];
        tl_path(src, sizeof src, names[i]);
        tl_write_file(src, "x", 1);
        assert_int_equal(tl_run(NULL, 0, "mcopy -i %s '%s' ::/", img, src), 0);
        assert_int_equal(tl_fat_put(&fs, names[i], (const uint8_t *)"x", 1, 1), C9_OK);
    }
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    img_save(&im, mine);
    static char a[8192], b[8192];
    // mdir lists each file's 8.3 name (and its long name): the listings agree line for line
    // once the dates (now for mtools, 1980 for the core without a clock) are cut off.
    assert_int_equal(
        tl_run(a, sizeof a, "mdir -i %s ::/ | grep -v -e '^ Volume' -e 'bytes free' | cut -c1-22 | sort", img), 0);
    assert_int_equal(
        tl_run(b, sizeof b, "mdir -i %s ::/ | grep -v -e '^ Volume' -e 'bytes free' | cut -c1-22 | sort", mine), 0);
    if (strcmp(a, b)) {
        print_error("mtools:\n%s\ncore:\n%s\n", a, b);
    }
    assert_string_equal(a, b);
    img_free(&im);
}

static void test_label_and_times(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 4096);
    char label[40];
    assert_int_equal(c9_fat_getlabel(&fs, label, sizeof label), C9_OK);
    assert_string_equal(label, "");
    assert_int_equal(c9_fat_setlabel(&fs, "bad.label"), C9_ERR_FAT_BADNAME);
    assert_int_equal(c9_fat_setlabel(&fs, "TWELVE CHARS"), C9_ERR_FAT_BADNAME);
    assert_int_equal(c9_fat_setlabel(&fs, "my drive"), C9_OK);
    assert_int_equal(c9_fat_getlabel(&fs, label, sizeof label), C9_OK);
    assert_string_equal(label, "MY DRIVE");
    assert_int_equal(tl_fat_put(&fs, "t.txt", (const uint8_t *)"t", 1, 1), C9_OK);
    c9_fat_time_t t = c9_fat_time_pack(2024, 3, 22, 13, 45, 31);
    assert_int_equal(c9_fat_utime(&fs, "t.txt", t), C9_OK);
    c9_fat_info_t info;
    assert_int_equal(c9_fat_stat(&fs, "t.txt", &info), C9_OK);
    unsigned y, mo, d, h, mi, s;
    c9_fat_time_unpack(info.mtime, &y, &mo, &d, &h, &mi, &s);
    assert_int_equal(y, 2024);
    assert_int_equal(mo, 3);
    assert_int_equal(d, 22);
    assert_int_equal(h, 13);
    assert_int_equal(mi, 45);
    assert_int_equal(s, 30); // two-second resolution
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    if (tools) {
        fsck_clean_img(&im, "label.img");
        char p[512], out[4096];
        tl_path(p, sizeof p, "label.img");
        assert_int_equal(tl_run(out, sizeof out, "mlabel -s -i %s ::", p), 0);
        assert_non_null(strstr(out, "MY DRIVE"));
        assert_int_equal(tl_run(out, sizeof out, "mdir -i %s ::/t.txt", p), 0);
        assert_non_null(strstr(out, "2024-03-22  13:45"));
    }
    // Removing the label.
    mount_ok(&fs, &im.bd);
    assert_int_equal(c9_fat_setlabel(&fs, ""), C9_OK);
    assert_int_equal(c9_fat_getlabel(&fs, label, sizeof label), C9_OK);
    assert_string_equal(label, "");
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    if (tools) {
        fsck_clean_img(&im, "label2.img");
    }
    img_free(&im);
}

static void test_volume_full(void **state) {
    (void)state;
    img_t im;
    c9_fat_t fs;
    fresh(&im, &fs, 256); // 128 KiB, 246 clusters of 512 bytes
    c9_fat_space_t sp;
    assert_int_equal(c9_fat_space(&fs, &sp), C9_OK);
    uint32_t free0 = sp.free_clusters;
    static uint8_t data[200000];
    tl_fill(data, sizeof data, 9);
    c9_fat_file_t f;
    size_t n;
    assert_int_equal(c9_fat_open(&fs, &f, "big.bin", C9_FAT_WRITE | C9_FAT_CREATE), C9_OK);
    assert_int_equal(c9_fat_write(&f, data, sizeof data, &n), C9_ERR_FAT_NOSPC);
    assert_int_equal(n, (size_t)free0 * 512);
    assert_int_equal(c9_fat_write(&f, data, 1, &n), C9_ERR_FAT_NOSPC);
    assert_int_equal(n, 0);
    assert_int_equal(c9_fat_close(&f), C9_OK);
    assert_int_equal(c9_fat_space(&fs, &sp), C9_OK);
    assert_int_equal(sp.free_clusters, 0);
    assert_int_equal(c9_fat_mkdir(&fs, "no room for a cluster"), C9_ERR_FAT_NOSPC);
    uint8_t *back = NULL;
    size_t len = 0;
    assert_int_equal(tl_fat_slurp(&fs, "big.bin", &back, &len), C9_OK);
    assert_int_equal(len, (size_t)free0 * 512);
    assert_memory_equal(back, data, len);
    free(back);
    assert_int_equal(c9_fat_unlink(&fs, "big.bin"), C9_OK);
    assert_int_equal(c9_fat_space(&fs, &sp), C9_OK);
    assert_int_equal(sp.free_clusters, free0);
    // The fixed root directory fills up (128 entries here).
    int made = 0;
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf(name, sizeof name, "F%d.TXT", i);
        c9_err_t err = c9_fat_open(&fs, &f, name, C9_FAT_WRITE | C9_FAT_CREATE);
        if (err) {
            assert_int_equal(err, C9_ERR_FAT_NOSPC);
            break;
        }
        c9_fat_close(&f);
        made++;
    }
    assert_int_equal(made, 128);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    if (tools) {
        fsck_clean_img(&im, "full.img");
    }
    img_free(&im);
}

/* A block device operation that calls back into the volume gets C9_ERR_BUSY. */
typedef struct reenter {
    c9_blockdev_t inner;
    c9_fat_t *fs;
    c9_err_t seen;
} reenter_t;

static c9_err_t reenter_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    reenter_t *r = ctx;
    if (r->fs && r->fs->mounted) {
        c9_fat_info_t info;
        r->seen = c9_fat_stat(r->fs, "x", &info);
    }
    return r->inner.read(r->inner.ctx, block, buf, count);
}

static c9_err_t reenter_count(void *ctx, uint32_t *blocks) {
    reenter_t *r = ctx;
    return r->inner.count(r->inner.ctx, blocks);
}

static void test_reentrant_call_is_busy(void **state) {
    (void)state;
    img_t im;
    img_new(&im, 4096);
    assert_int_equal(c9_fat_mkfs(&im.bd, NULL, work, sizeof work), C9_OK);
    reenter_t r = {.inner = im.bd};
    c9_blockdev_t bd = {.read = reenter_read, .write = NULL, .count = reenter_count, .ctx = &r};
    c9_fat_t fs;
    mount_ok(&fs, &bd);
    r.fs = &fs;
    r.seen = 1;
    c9_fat_info_t info;
    // The cache holds little: a deep path makes the core read.
    assert_int_equal(c9_fat_stat(&fs, "a/b/c", &info), C9_ERR_NOENT);
    assert_int_equal(r.seen, C9_ERR_BUSY);
    // Read-only because the device has no write operation.
    assert_int_equal(c9_fat_mkdir(&fs, "x"), C9_ERR_FAT_ROFS);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    img_free(&im);
}

/* An MBR-partitioned disk: the core finds the FAT volume in the first partition. */
static void test_mbr_partition(void **state) {
    (void)state;
    img_t im;
    img_new(&im, 4097);
    c9_mbr_build_single(im.mem, 0x06, 1, 4096);
    c9_blockdev_window_t w;
    c9_blockdev_t part = c9_blockdev_window_init(&w, &im.bd, 1, 4096);
    c9_fat_mkfs_opts_t o = {.hidden_sectors = 1, .label = "CIRCUITPY"};
    assert_int_equal(c9_fat_mkfs(&part, &o, work, sizeof work), C9_OK);
    c9_fat_t fs;
    mount_ok(&fs, &im.bd);
    assert_int_equal(tl_fat_put(&fs, "code.py", (const uint8_t *)"print(1)\n", 9, 9), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    c9_fat_config_t cfg = {.bdev = im.bd, .partition = 1};
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
    c9_fat_info_t info;
    assert_int_equal(c9_fat_stat(&fs, "code.py", &info), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    cfg.partition = 2;
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_ERR_MBR_NONE);
    c9_mbr_part_t parts[4];
    assert_int_equal(c9_mbr_parse(im.mem, parts), C9_OK);
    assert_int_equal(parts[0].type, 0x06);
    assert_int_equal(parts[0].start, 1);
    assert_int_equal(parts[0].count, 4096);
    unsigned idx;
    assert_int_equal(c9_mbr_first(parts, 4097, &idx), C9_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(c9_mbr_first(parts, 4000, &idx), C9_ERR_MBR_RANGE);
    if (tools) {
        char p[512], out[4096];
        img_save(&im, tl_path(p, sizeof p, "mbr.img"));
        assert_int_equal(tl_run(out, sizeof out, "mtype -i %s@@512 ::/code.py", p), 0);
        assert_string_equal(out, "print(1)\n");
    }
    img_free(&im);
}

int main(void) {
    tools = tl_have(TOOLS);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mkfs_circuitpython_geometry),
        cmocka_unit_test(test_mkfs_errors),
        cmocka_unit_test(test_read_mkfsfat_fat12),
        cmocka_unit_test(test_read_mkfsfat_fat16),
        cmocka_unit_test(test_read_mkfsfat_fat32),
        cmocka_unit_test(test_write_circuitpython_fat12),
        cmocka_unit_test(test_write_circuitpython_fat12_tiny),
        cmocka_unit_test(test_write_circuitpython_fat16),
        cmocka_unit_test(test_write_mkfsfat_fat32_two_fats),
        cmocka_unit_test(test_write_mkfsfat_fat16_two_fats),
        cmocka_unit_test(test_names_and_errors),
        cmocka_unit_test(test_file_semantics),
        cmocka_unit_test(test_rename),
        cmocka_unit_test(test_short_names_match_mtools),
        cmocka_unit_test(test_surrogate_pairs),
        cmocka_unit_test(test_label_and_times),
        cmocka_unit_test(test_volume_full),
        cmocka_unit_test(test_reentrant_call_is_busy),
        cmocka_unit_test(test_mbr_partition),
    };
    int r = cmocka_run_group_tests(tests, need_tools, NULL);
    tl_cleanup();
    return r;
}
