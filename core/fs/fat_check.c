/* A consistency check of a whole volume: every directory and chain, cross-links, lost clusters. */
#include "fat_internal.h"

size_t c9_fat_check_bitmap_size(const c9_fat_t *fs) {
    return ((size_t)fs->clusters + 7) / 8;
}

static bool bit_test(const uint8_t *bm, uint32_t c) {
    return bm[(c - 2) / 8] & (1u << ((c - 2) % 8));
}

static void bit_set(uint8_t *bm, uint32_t c) {
    bm[(c - 2) / 8] |= (uint8_t)(1u << ((c - 2) % 8));
}

typedef struct frame {
    uint32_t dir;    /* first cluster (0: fixed root) */
    uint32_t parent; /* ".." value expected (0 for the root) */
    dirpos_t pos;
    bool started;
} frame_t;

// Whether cluster x is among the first n clusters of the chain at start.
static bool in_chain(c9_fat_t *fs, uint32_t start, uint32_t n, uint32_t x) {
    uint32_t c = start;
    for (uint32_t i = 0; i < n && c; i++) {
        if (c == x) {
            return true;
        }
        if (fat_next(fs, c, &c)) {
            return false;
        }
    }
    return false;
}

// Marks a chain; *len gets its length. A cluster already marked is a loop when this chain
// reached it before, else a cross-link.
static c9_err_t mark_chain(c9_fat_t *fs, uint8_t *bm, uint32_t start, uint32_t *len) {
    *len = 0;
    uint32_t c = start;
    while (c) {
        if (!clust_valid(fs, c)) {
            return C9_ERR_FAT_CHAIN;
        }
        if (bit_test(bm, c)) {
            return in_chain(fs, start, *len, c) ? C9_ERR_FAT_CHAIN : C9_ERR_FAT_CROSSLINK;
        }
        bit_set(bm, c);
        ++*len;
        c9_err_t err = fat_next(fs, c, &c);
        if (err) {
            return err;
        }
    }
    return C9_OK;
}

static c9_err_t check_walk(c9_fat_t *fs, uint8_t *bm, c9_fat_report_t *r) {
    frame_t stack[C9_FAT_CHECK_DEPTH];
    int depth = 0;
    uint32_t cs = clust_bytes(fs), len;
    uint32_t root = root_start(fs);
    c9_err_t err;
    if (root) {
        if ((err = mark_chain(fs, bm, root, &len))) {
            return err;
        }
        r->used_clusters += len;
    }
    stack[0] = (frame_t){.dir = root, .parent = 0};
    dp_init(&stack[0].pos, root);
    r->dirs = 1;
    while (depth >= 0) {
        frame_t *f = &stack[depth];
        if (!f->started) {
            f->started = true;
            err = dp_check(fs, &f->pos);
        } else {
            err = dp_next(fs, &f->pos);
        }
        if (err == END) {
            depth--;
            continue;
        }
        if (err) {
            return err;
        }
        uint8_t *e;
        if ((err = dp_entry(fs, &f->pos, &e))) {
            return err;
        }
        if (e[0] == 0) {
            depth--;
            continue;
        }
        uint8_t attr = e[DIR_ATTR] & ATTR_MASK;
        if (e[0] == DELETED || attr == ATTR_LFN || (attr & C9_FAT_ATTR_VOLUME)) {
            continue;
        }
        uint32_t c = entry_cluster(fs, e), size = ld32(e + DIR_SIZE);
        if (e[0] == '.') {
            // "." names its own directory, ".." the parent (0 for the root).
            bool dotdot = e[1] == '.';
            if (f->dir != 0 && f->dir != root && c != (dotdot ? f->parent : f->dir)) {
                return C9_ERR_FAT_DIR;
            }
            continue;
        }
        if (attr & C9_FAT_ATTR_DIR) {
            if (!clust_valid(fs, c)) {
                return C9_ERR_FAT_DIR;
            }
            for (int i = 0; i <= depth; i++) {
                if (stack[i].dir == c) {
                    return C9_ERR_FAT_DIR; // a directory inside itself
                }
            }
            if ((err = mark_chain(fs, bm, c, &len))) {
                return err;
            }
            r->dirs++;
            r->used_clusters += len;
            if (depth + 1 >= C9_FAT_CHECK_DEPTH) {
                return C9_ERR_FAT_DIR;
            }
            uint32_t parent = f->dir == root ? 0 : f->dir;
            depth++;
            stack[depth] = (frame_t){.dir = c, .parent = parent};
            dp_init(&stack[depth].pos, c);
        } else {
            if ((err = mark_chain(fs, bm, c, &len))) {
                return err;
            }
            if ((uint64_t)len * cs < size || (len && (uint64_t)(len - 1) * cs >= size)) {
                return C9_ERR_FAT_CHAIN; // chain and size disagree
            }
            r->files++;
            r->used_clusters += len;
        }
    }
    return C9_OK;
}

c9_err_t c9_fat_check(c9_fat_t *fs, uint8_t *bitmap, size_t bitmap_size, c9_fat_report_t *report) {
    if (!bitmap || !report) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    memset(report, 0, sizeof *report);
    if (bitmap_size < c9_fat_check_bitmap_size(fs)) {
        return fat_leave(fs, C9_ERR_NOMEM);
    }
    memset(bitmap, 0, c9_fat_check_bitmap_size(fs));
    err = check_walk(fs, bitmap, report);
    for (uint32_t c = 2; !err && c < fs->clusters + 2; c++) {
        uint32_t v;
        if ((err = fat_get(fs, c, &v))) {
            break;
        }
        if (v == 0) {
            report->free_clusters++;
        } else if (!bit_test(bitmap, c) && v != fat_eoc(fs) - 8) {
            report->lost_clusters++; // allocated, not bad, reached from nowhere
        }
    }
    return fat_leave(fs, err);
}
