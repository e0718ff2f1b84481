/*
 * Power cuts: a sequence of operations (create, append across clusters, mkdir, rename within and
 * across directories, shrink, unlink, overwrite, truncate-on-open, rmdir, label, a directory that
 * grows by a cluster) runs on a block device that stops writing after N single-block writes, for
 * every N until the sequence completes. After each cut, with Debian's tools as the judges:
 *   - fsck.fat -n reports nothing about any path other than the ones the interrupted operation
 *     was changing, and nothing but lost clusters, a lagging second FAT, or the documented
 *     windows (size/chain mismatch, two names during a rename) for those paths;
 *   - mtools reads every other file with its content from before the operation, and so does the
 *     core itself;
 *   - fsck.fat -a repairs the volume to one that fsck.fat -n passes.
 * On FAT12 as CircuitPython formats it (one FAT), FAT16 and FAT32 made by mkfs.fat (two FATs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>

#include "fat_testlib.h"

#define MAXF 64

typedef struct model {
    char *path[MAXF];
    uint8_t *data[MAXF];
    size_t len[MAXF];
    int n;
} model_t;

static void model_set(model_t *m, const char *path, const uint8_t *data, size_t len) {
    for (int i = 0; i < m->n; i++) {
        if (!strcmp(m->path[i], path)) {
            free(m->data[i]);
            m->data[i] = malloc(len + 1);
            memcpy(m->data[i], data, len);
            m->len[i] = len;
            return;
        }
    }
    assert_true(m->n < MAXF);
    m->path[m->n] = strdup(path);
    m->data[m->n] = malloc(len + 1);
    memcpy(m->data[m->n], data, len);
    m->len[m->n++] = len;
}

static const uint8_t *model_get(const model_t *m, const char *path, size_t *len) {
    *len = 0;
    for (int i = 0; i < m->n; i++) {
        if (!strcmp(m->path[i], path)) {
            *len = m->len[i];
            return m->data[i];
        }
    }
    return NULL;
}

static void model_del(model_t *m, const char *path) {
    for (int i = 0; i < m->n; i++) {
        if (!strcmp(m->path[i], path)) {
            free(m->path[i]);
            free(m->data[i]);
            m->n--;
            m->path[i] = m->path[m->n];
            m->data[i] = m->data[m->n];
            m->len[i] = m->len[m->n];
            return;
        }
    }
}

static void model_copy(model_t *dst, const model_t *src) {
    dst->n = 0;
    for (int i = 0; i < src->n; i++) {
        model_set(dst, src->path[i], src->data[i], src->len[i]);
    }
}

static void model_free(model_t *m) {
    for (int i = 0; i < m->n; i++) {
        free(m->path[i]);
        free(m->data[i]);
    }
    m->n = 0;
}

static uint8_t *content(uint32_t seed, size_t len) {
    uint8_t *d = malloc(len + 1);
    tl_fill(d, len, seed);
    return d;
}

/* ---- the operations ------------------------------------------------------------------------ */

typedef struct op {
    const char *what;
    const char *touched[3]; /* the paths this operation changes (fsck may name them) */
    c9_err_t (*run)(c9_fat_t *fs);
    void (*apply)(model_t *m);
    const char *allow[3]; /* further fsck.fat reports this operation's window may cause */
} op_t;

static c9_err_t put(c9_fat_t *fs, const char *path, uint32_t seed, size_t len, size_t chunk) {
    uint8_t *d = content(seed, len);
    c9_err_t err = tl_fat_put(fs, path, d, len, chunk);
    free(d);
    return err;
}

static c9_err_t run_create(c9_fat_t *fs) {
    return put(fs, "/new.txt", 101, 3000, 700);
}
static void apply_create(model_t *m) {
    uint8_t *d = content(101, 3000);
    model_set(m, "/new.txt", d, 3000);
    free(d);
}

static c9_err_t append(c9_fat_t *fs, const char *path, uint32_t seed, size_t len, size_t chunk) {
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, path, C9_FAT_WRITE | C9_FAT_APPEND);
    if (err) {
        return err;
    }
    uint8_t *d = content(seed, len);
    for (size_t done = 0; !err && done < len;) {
        size_t n = len - done < chunk ? len - done : chunk, w;
        err = c9_fat_write(&f, d + done, n, &w);
        done += w;
    }
    free(d);
    c9_err_t e2 = c9_fat_close(&f);
    return err ? err : e2;
}
static void apply_append(model_t *m, const char *path, uint32_t seed, size_t len) {
    size_t old = 0;
    const uint8_t *o = model_get(m, path, &old);
    uint8_t *d = malloc(old + len);
    memcpy(d, o, old);
    tl_fill(d + old, len, seed);
    model_set(m, path, d, old + len);
    free(d);
}

static c9_err_t run_append(c9_fat_t *fs) {
    return append(fs, "/keep/log.txt", 102, 5000, 1100);
}
static void apply_append_log(model_t *m) {
    apply_append(m, "/keep/log.txt", 102, 5000);
}

static c9_err_t run_mkdir(c9_fat_t *fs) {
    return c9_fat_mkdir(fs, "/dir2");
}
static void apply_none(model_t *m) {
    (void)m;
}

static c9_err_t run_create_long(c9_fat_t *fs) {
    return put(fs, "/dir2/A long name for a file.bin", 103, 2500, 2500);
}
static void apply_create_long(model_t *m) {
    uint8_t *d = content(103, 2500);
    model_set(m, "/dir2/A long name for a file.bin", d, 2500);
    free(d);
}

static c9_err_t run_rename(c9_fat_t *fs) {
    return c9_fat_rename(fs, "/new.txt", "/dir2/renamed.txt");
}
static void apply_rename(model_t *m) {
    size_t len = 0;
    const uint8_t *d = model_get(m, "/new.txt", &len);
    uint8_t *copy = malloc(len + 1);
    memcpy(copy, d, len);
    model_del(m, "/new.txt");
    model_set(m, "/dir2/renamed.txt", copy, len);
    free(copy);
}

static c9_err_t run_rename_same_dir(c9_fat_t *fs) {
    return c9_fat_rename(fs, "/dir2/renamed.txt", "/dir2/Renamed Again With A Longer Name.txt");
}
static void apply_rename_same_dir(model_t *m) {
    size_t len = 0;
    const uint8_t *d = model_get(m, "/dir2/renamed.txt", &len);
    uint8_t *copy = malloc(len + 1);
    memcpy(copy, d, len);
    model_del(m, "/dir2/renamed.txt");
    model_set(m, "/dir2/Renamed Again With A Longer Name.txt", copy, len);
    free(copy);
}

static c9_err_t run_shrink(c9_fat_t *fs) {
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, "/big.bin", C9_FAT_WRITE);
    if (!err) {
        err = c9_fat_truncate(&f, 1000);
        c9_err_t e2 = c9_fat_close(&f);
        err = err ? err : e2;
    }
    return err;
}
static void apply_shrink(model_t *m) {
    size_t len = 0;
    const uint8_t *d = model_get(m, "/big.bin", &len);
    uint8_t *copy = malloc(1000);
    memcpy(copy, d, 1000);
    model_set(m, "/big.bin", copy, 1000);
    free(copy);
}

static c9_err_t run_unlink(c9_fat_t *fs) {
    return c9_fat_unlink(fs, "/victim.txt");
}
static void apply_unlink(model_t *m) {
    model_del(m, "/victim.txt");
}

static c9_err_t run_overwrite(c9_fat_t *fs) {
    c9_fat_file_t f;
    c9_err_t err = c9_fat_open(fs, &f, "/keep/data.bin", C9_FAT_WRITE);
    if (err) {
        return err;
    }
    size_t w;
    uint8_t *d = content(104, 3000);
    err = c9_fat_seek(&f, 700, 0, NULL);
    if (!err) {
        err = c9_fat_write(&f, d, 3000, &w);
    }
    free(d);
    c9_err_t e2 = c9_fat_close(&f);
    return err ? err : e2;
}
static void apply_overwrite(model_t *m) {
    size_t len = 0;
    const uint8_t *o = model_get(m, "/keep/data.bin", &len);
    uint8_t *d = malloc(len);
    memcpy(d, o, len);
    tl_fill(d + 700, 3000, 104);
    model_set(m, "/keep/data.bin", d, len);
    free(d);
}

static c9_err_t run_retruncate(c9_fat_t *fs) {
    return put(fs, "/keep/log.txt", 105, 100, 100);
}
static void apply_retruncate(model_t *m) {
    uint8_t *d = content(105, 100);
    model_set(m, "/keep/log.txt", d, 100);
    free(d);
}

static c9_err_t run_rmdir(c9_fat_t *fs) {
    return c9_fat_rmdir(fs, "/emptydir");
}

static c9_err_t run_label(c9_fat_t *fs) {
    return c9_fat_setlabel(fs, "NEWLABEL");
}

static c9_err_t run_crowd(c9_fat_t *fs) {
    // Enough long names in one directory to need a second cluster.
    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof path, "/dir2/crowded entry %02d.txt", i);
        c9_err_t err = put(fs, path, 200 + (uint32_t)i, 10, 10);
        if (err) {
            return err;
        }
    }
    return C9_OK;
}
static void apply_crowd(model_t *m) {
    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof path, "/dir2/crowded entry %02d.txt", i);
        uint8_t *d = content(200 + (uint32_t)i, 10);
        model_set(m, path, d, 10);
        free(d);
    }
}

#define VERY_LONG                                                                                                      \
    "/dir2/A name of more than one hundred and ninety-five characters needs more than sixteen directory entries, "     \
    "so that its set of entries cannot fit in one sector and is written across two of them, in order.txt"

static c9_err_t run_very_long(c9_fat_t *fs) {
    return put(fs, VERY_LONG, 300, 10, 10);
}
static void apply_very_long(model_t *m) {
    uint8_t *d = content(300, 10);
    model_set(m, VERY_LONG, d, 10);
    free(d);
}

static c9_err_t run_unlink_very_long(c9_fat_t *fs) {
    return c9_fat_unlink(fs, VERY_LONG);
}
static void apply_unlink_very_long(model_t *m) {
    model_del(m, VERY_LONG);
}

static const op_t full_ops[] = {
    {"create", {"/new.txt"}, run_create, apply_create, {0}},
    {"append", {"/keep/log.txt"}, run_append, apply_append_log, {0}},
    {"mkdir", {"/dir2"}, run_mkdir, apply_none, {0}},
    {"create long name", {"/dir2/A long name for a file.bin"}, run_create_long, apply_create_long, {0}},
    {"rename across dirs", {"/new.txt", "/dir2/renamed.txt"}, run_rename, apply_rename, {0}},
    {"rename in dir",
     {"/dir2/renamed.txt", "/dir2/Renamed Again With A Longer Name.txt"},
     run_rename_same_dir,
     apply_rename_same_dir,
     {0}},
    {"shrink", {"/big.bin"}, run_shrink, apply_shrink, {0}},
    {"unlink", {"/victim.txt"}, run_unlink, apply_unlink, {0}},
    {"overwrite", {"/keep/data.bin"}, run_overwrite, apply_overwrite, {0}},
    {"truncate on open", {"/keep/log.txt"}, run_retruncate, apply_retruncate, {0}},
    {"rmdir", {"/emptydir"}, run_rmdir, apply_none, {0}},
    // The label lives in the root directory and (for fsck.fat and Windows) in the boot sector:
    // between the two writes they differ.
    {"label",
     {0},
     run_label,
     apply_none,
     {"Volume label '", "There is no label in boot sector, but there is volume label", "  Auto-copying volume label"}},
    {"directory grows", {"/dir2/crowded entry"}, run_crowd, apply_crowd, {0}},
    // Over 16 entries: the set spans two sectors. The short entry comes first (a valid 8.3 file),
    // then the long-name sectors; between those, fsck.fat finds the first part orphaned and
    // deletes it, leaving the file under its 8.3 name.
    {"name over 195 characters",
     {VERY_LONG, "/dir2/ANAMEO~1"},
     run_very_long,
     apply_very_long,
     {"Orphaned long file name part", "  Auto-deleting."}},
    // Removing it: the short entry's sector first, then the rest of the long name (an orphan for
    // one write, which fsck.fat deletes).
    {"unlink name over 195 characters",
     {VERY_LONG, "/dir2/ANAMEO~1"},
     run_unlink_very_long,
     apply_unlink_very_long,
     {"Orphaned long file name part", "  Auto-deleting."}},
};

static const op_t short_ops[] = {
    {"create", {"/new.txt"}, run_create, apply_create, {0}},
    {"append", {"/keep/log.txt"}, run_append, apply_append_log, {0}},
    {"rename across dirs", {"/new.txt", "/dir2/renamed.txt"}, run_rename, apply_rename, {0}},
    {"unlink", {"/victim.txt"}, run_unlink, apply_unlink, {0}},
};

/* The files present before the sequence. */
static void setup_files(c9_fat_t *fs, model_t *m, bool with_dir2) {
    struct {
        const char *path;
        uint32_t seed;
        size_t len;
    } files[] = {
        {"/code.py", 1, 250},  {"/keep/log.txt", 2, 1500}, {"/keep/data.bin", 3, 6000},
        {"/big.bin", 4, 9000}, {"/victim.txt", 5, 2100},   {"/lib/module.py", 6, 4000},
    };
    assert_int_equal(c9_fat_mkdir(fs, "/keep"), C9_OK);
    assert_int_equal(c9_fat_mkdir(fs, "/lib"), C9_OK);
    assert_int_equal(c9_fat_mkdir(fs, "/emptydir"), C9_OK);
    if (with_dir2) {
        assert_int_equal(c9_fat_mkdir(fs, "/dir2"), C9_OK);
    }
    for (size_t i = 0; i < C9_ARRAY_SIZE(files); i++) {
        uint8_t *d = content(files[i].seed, files[i].len);
        assert_int_equal(tl_fat_put(fs, files[i].path, d, files[i].len, 512), C9_OK);
        model_set(m, files[i].path, d, files[i].len);
        free(d);
    }
}

static bool touched(const op_t *op, const char *path) {
    for (int i = 0; i < 3 && op->touched[i]; i++) {
        if (!strncasecmp(path, op->touched[i], strlen(op->touched[i]))) { // fsck.fat shows 8.3 names in capitals
            return true;
        }
    }
    return false;
}

/* fsck.fat -n's complaints about the raw image at a cut: a line naming a path must name one the
 * operation touches; other lines must be one of the kinds the write order allows. */
static void judge_fsck(const char *out, const op_t *op, long n) {
    static const char *allowed[] = {
        "fsck.fat ",  // banner
        "Reclaimed ", // lost clusters
        "FATs differ but appear to be intact",
        "  Using first FAT.",
        "  File size is ", // the grow/shrink window of the file being written
        "  Truncating file to ",
        "  share clusters.", // rename: both names for one write
        "  Truncating second to 0 bytes.",
        "Leaving filesystem unchanged.",
        "Free cluster summary uninitialized",
        "  and",
    };
    char line[1024];
    const char *p = out;
    while (*p) {
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + (p[len] == '\n');
        if (!line[0]) {
            continue;
        }
        if (strstr(line, " files, ") && strstr(line, " clusters")) {
            continue; // summary: "<image>: N files, M/T clusters"
        }
        if (line[0] == '/') {
            // "/path" or "/path  and" (cross-link report)
            char *sp = strstr(line, "  and");
            if (sp) {
                *sp = 0;
            }
            if (!touched(op, line)) {
                print_error("cut %ld during %s: fsck.fat names %s:\n%s\n", n, op->what, line, out);
                fail();
            }
            continue;
        }
        bool ok = false;
        for (size_t i = 0; i < C9_ARRAY_SIZE(allowed) && !ok; i++) {
            ok = !strncmp(line, allowed[i], strlen(allowed[i]));
        }
        for (size_t i = 0; i < C9_ARRAY_SIZE(op->allow) && op->allow[i] && !ok; i++) {
            ok = !strncmp(line, op->allow[i], strlen(op->allow[i]));
        }
        if (!ok) {
            print_error("cut %ld during %s: unexpected fsck.fat report \"%s\":\n%s\n", n, op->what, line, out);
            fail();
        }
    }
}

static void check_files(const char *label, const model_t *before, const op_t *op, long n, c9_fat_t *fs,
                        const char *extracted) {
    for (int i = 0; i < before->n; i++) {
        if (touched(op, before->path[i])) {
            continue;
        }
        uint8_t *d = NULL;
        size_t len = 0;
        if (fs) {
            c9_err_t err = tl_fat_slurp(fs, before->path[i], &d, &len);
            if (err) {
                print_error("cut %ld during %s: %s: core reads %s: error %d\n", n, op->what, label, before->path[i],
                            err);
                fail();
            }
        } else {
            char p[1024];
            snprintf(p, sizeof p, "%s%s", extracted, before->path[i]);
            d = tl_read_file(p, &len);
            if (!d) {
                print_error("cut %ld during %s: %s: %s missing\n", n, op->what, label, before->path[i]);
                fail();
            }
        }
        if (len != before->len[i] || memcmp(d, before->data[i], len)) {
            print_error("cut %ld during %s: %s: %s changed (%zu bytes, expected %zu)\n", n, op->what, label,
                        before->path[i], len, before->len[i]);
            fail();
        }
        free(d);
    }
}

static void run_cuts(img_t *base, const op_t *ops, size_t nops, const model_t *start, const char *name) {
    char img[400], fixed[512], outdir[512];
    tl_path(img, sizeof img, name);
    snprintf(fixed, sizeof fixed, "%s.fixed", img);
    snprintf(outdir, sizeof outdir, "%s.out", img);
    static char out[65536];
    img_t work;
    img_new(&work, base->blocks);
    long total = -1;
    for (long n = 0; total < 0; n++) {
        memcpy(work.mem, base->mem, (size_t)base->blocks * C9_BLOCK_SIZE);
        cutdev_t cut;
        c9_blockdev_t bd = cutdev_init(&cut, &work.bd, n);
        c9_fat_t fs;
        c9_fat_config_t cfg = {.bdev = bd};
        assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
        model_t before = {0}, after = {0};
        model_copy(&after, start);
        size_t k;
        c9_err_t err = C9_OK;
        for (k = 0; k < nops; k++) {
            model_copy(&before, &after);
            err = ops[k].run(&fs);
            if (err) {
                break;
            }
            ops[k].apply(&after);
        }
        if (!err) {
            err = c9_fat_unmount(&fs);
        }
        if (!err) {
            total = cut.writes; // the whole sequence fit in n writes: done
            model_free(&before);
            model_free(&after);
            break;
        }
        assert_true(cut.cut); // a failure without the cut would be a bug
        const op_t *op = k < nops ? &ops[k] : &ops[nops - 1];
        if (k == nops) {
            model_copy(&before, &after); // cut in the final unmount: everything must be there
        }
        img_save(&work, img);
        // 1. fsck.fat on the image as the cut left it.
        tl_run(out, sizeof out, "fsck.fat -n %s", img);
        judge_fsck(out, op, n);
        // 2. mtools reads every file the operation did not touch, as it was.
        tl_run(out, sizeof out, "rm -rf %s && mkdir %s && mcopy -s -n -i %s '::/*' %s/", outdir, outdir, img, outdir);
        check_files("mtools", &before, op, n, NULL, outdir);
        // 3. So does the core.
        c9_fat_t again;
        c9_fat_config_t cfg2 = {.bdev = work.bd};
        assert_int_equal(c9_fat_mount(&again, &cfg2), C9_OK);
        check_files("core", &before, op, n, &again, NULL);
        assert_int_equal(c9_fat_unmount(&again), C9_OK);
        // 4. fsck.fat repairs what is left to a clean volume.
        img_save(&work, fixed);
        tl_run(out, sizeof out, "fsck.fat -a %s", fixed);
        int rc = tl_run(out, sizeof out, "fsck.fat -n %s", fixed);
        if (rc) {
            print_error("cut %ld during %s: not clean after fsck.fat -a:\n%s\n", n, op->what, out);
        }
        assert_int_equal(rc, 0);
        model_free(&before);
        model_free(&after);
    }
    print_message("%s: %ld writes, a cut after each checked\n", name, total);
    assert_true(total > 50);
    img_free(&work);
}

static bool tools;

static void test_powercut_fat12_circuitpython(void **state) {
    (void)state;
    if (!tools) {
        skip();
    }
    img_t base;
    img_new(&base, 4096);
    uint8_t work[2048];
    c9_fat_mkfs_opts_t o = {.label = "CIRCUITPY"};
    assert_int_equal(c9_fat_mkfs(&base.bd, &o, work, sizeof work), C9_OK);
    c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = base.bd};
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
    model_t m = {0};
    setup_files(&fs, &m, false);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    run_cuts(&base, full_ops, C9_ARRAY_SIZE(full_ops), &m, "cut12.img");
    model_free(&m);
    img_free(&base);
}

static void test_powercut_fat16_two_fats(void **state) {
    (void)state;
    if (!tools) {
        skip();
    }
    char p[512];
    tl_path(p, sizeof p, "base16.img");
    assert_int_equal(tl_run(NULL, 0, "mkfs.fat -C -F 16 -s 1 %s 8192", p), 0);
    img_t base;
    img_load(&base, p);
    c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = base.bd};
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
    model_t m = {0};
    setup_files(&fs, &m, false);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    run_cuts(&base, full_ops, C9_ARRAY_SIZE(full_ops), &m, "cut16.img");
    model_free(&m);
    img_free(&base);
}

static void test_powercut_fat32_two_fats(void **state) {
    (void)state;
    if (!tools) {
        skip();
    }
    char p[512];
    tl_path(p, sizeof p, "base32.img");
    assert_int_equal(tl_run(NULL, 0, "mkfs.fat -C -F 32 -s 1 %s 34000", p), 0);
    img_t base;
    img_load(&base, p);
    c9_fat_t fs;
    c9_fat_config_t cfg = {.bdev = base.bd};
    assert_int_equal(c9_fat_mount(&fs, &cfg), C9_OK);
    model_t m = {0};
    setup_files(&fs, &m, true);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    run_cuts(&base, short_ops, C9_ARRAY_SIZE(short_ops), &m, "cut32.img");
    model_free(&m);
    img_free(&base);
}

int main(void) {
    tools = tl_have("mkfs.fat fsck.fat mcopy");
    if (!tools) {
        print_message("skipped: needs dosfstools and mtools (tools/install-deps.sh installs them)\n");
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_powercut_fat12_circuitpython),
        cmocka_unit_test(test_powercut_fat16_two_fats),
        cmocka_unit_test(test_powercut_fat32_two_fats),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tl_cleanup();
    return r;
}
