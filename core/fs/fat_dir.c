/* FAT directories: walking entries, long names, paths, and the operations on names. */
#include "fat_internal.h"

uint32_t entry_cluster(const c9_fat_t *fs, const uint8_t *e) {
    uint32_t c = ld16(e + DIR_CLUS_LO);
    if (fs->type == 32) {
        c |= (uint32_t)ld16(e + DIR_CLUS_HI) << 16;
    }
    return c;
}

void entry_set_cluster(const c9_fat_t *fs, uint8_t *e, uint32_t c) {
    st16(e + DIR_CLUS_LO, (uint16_t)c);
    st16(e + DIR_CLUS_HI, fs->type == 32 ? (uint16_t)(c >> 16) : 0);
}

uint32_t root_start(const c9_fat_t *fs) {
    return fs->type == 32 ? fs->root_cluster : 0;
}

// ".." entries (and FatFs/Linux) store 0 for the root, also on FAT32.
static uint32_t dotdot_value(const c9_fat_t *fs, uint32_t dir) {
    return dir == root_start(fs) ? 0 : dir;
}

// ---- positions -----------------------------------------------------------------------------

void dp_init(dirpos_t *p, uint32_t start) {
    p->start = p->cluster = start;
    p->index = 0;
}

uint32_t dp_lba(const c9_fat_t *fs, const dirpos_t *p) {
    if (p->start == 0) {
        return fs->root_lba + p->index / ENTRIES_PER_SECTOR;
    }
    return clust_lba(fs, p->cluster) + ((p->index / ENTRIES_PER_SECTOR) & ((1u << fs->cluster_shift) - 1));
}

uint16_t dp_off(const dirpos_t *p) {
    return (uint16_t)((p->index % ENTRIES_PER_SECTOR) * DIRENT);
}

// Whether the position exists (for the first entry of a chain directory, and for the root).
c9_err_t dp_check(const c9_fat_t *fs, const dirpos_t *p) {
    if (p->start == 0) {
        return p->index < fs->root_sectors * ENTRIES_PER_SECTOR ? C9_OK : END;
    }
    return clust_valid(fs, p->cluster) ? C9_OK : C9_ERR_FAT_CHAIN;
}

// Advances to the next entry: C9_OK, END past the last one, or an error.
c9_err_t dp_next(c9_fat_t *fs, dirpos_t *p) {
    uint32_t i = p->index + 1;
    if (p->start == 0) {
        if (i >= fs->root_sectors * ENTRIES_PER_SECTOR) {
            return END;
        }
    } else if (i % (ENTRIES_PER_SECTOR << fs->cluster_shift) == 0) {
        uint32_t next;
        c9_err_t err = fat_next(fs, p->cluster, &next);
        if (err) {
            return err;
        }
        if (next == 0) {
            return END;
        }
        if (i >= MAX_DIR_ENTRIES) {
            return C9_ERR_FAT_DIR; // longer than a directory may be: a loop, or damage
        }
        p->cluster = next;
    }
    p->index = i;
    return C9_OK;
}

c9_err_t dp_entry(c9_fat_t *fs, const dirpos_t *p, uint8_t **e) {
    uint8_t *d;
    c9_err_t err = cache_get(fs, dp_lba(fs, p), true, &d);
    if (!err) {
        *e = d + dp_off(p);
    }
    return err;
}

// ---- long names ----------------------------------------------------------------------------

typedef struct lfnstate {
    uint8_t next; /* ord expected next; 0 when complete */
    uint8_t count;
    uint8_t sum;
    bool active;
    dirpos_t first;
} lfnstate_t;

static const uint8_t lfn_offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

// Feeds one long-name entry to the state.
static void lfn_feed(c9_fat_t *fs, lfnstate_t *st, const uint8_t *e, const dirpos_t *pos) {
    uint8_t ord = e[0];
    if (ord & LFN_LAST) {
        uint8_t n = ord & 0x1F;
        if (n == 0 || n > 20) {
            st->active = false;
            return;
        }
        st->active = true;
        st->count = n;
        st->next = n;
        st->sum = e[13];
        st->first = *pos;
        ord = n;
    } else if (!st->active || ord != st->next || e[13] != st->sum) {
        st->active = false;
        return;
    }
    uint16_t *dst = fs->lfn + (ord - 1) * 13;
    for (int i = 0; i < 13; i++) {
        dst[i] = ld16(e + lfn_offsets[i]);
    }
    st->next = (uint8_t)(ord - 1);
}

// The long name's length if the state holds a complete name for short entry e, else 0.
static size_t lfn_complete(c9_fat_t *fs, const lfnstate_t *st, const uint8_t *e) {
    if (!st->active || st->next != 0 || st->sum != sfn_checksum(e)) {
        return 0;
    }
    size_t n = (size_t)st->count * 13;
    for (size_t i = 0; i < n; i++) {
        if (fs->lfn[i] == 0) {
            n = i;
            break;
        }
    }
    return n > MAX_LFN ? 0 : n;
}

// Case-insensitive comparison of a stored long name with a UTF-8 name (already validated).
static bool lfn_equal(const uint16_t *lfn, size_t units, const char *name, size_t len) {
    size_t u = 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        int32_t c = utf8_decode(name + i, len - i, &used);
        if (c < 0) {
            return false;
        }
        i += used;
        uint16_t w[2];
        size_t nw = 1;
        if (c >= 0x10000) {
            w[0] = (uint16_t)(0xD800 | ((c - 0x10000) >> 10));
            w[1] = (uint16_t)(0xDC00 | ((c - 0x10000) & 0x3FF));
            nw = 2;
        } else {
            w[0] = (uint16_t)c;
        }
        for (size_t k = 0; k < nw; k++, u++) {
            if (u >= units || wupper(lfn[u]) != wupper(w[k])) {
                return false;
            }
        }
    }
    return u == units;
}

// Drops trailing dots and spaces (ASCII, so safe on UTF-8) as name_to_utf16 does.
static size_t trim_name(const char *name, size_t len) {
    while (len && (name[len - 1] == '.' || name[len - 1] == ' ')) {
        len--;
    }
    return len;
}

static bool is_dot(const char *s, size_t n) {
    return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

c9_err_t dir_find(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, found_t *out) {
    size_t units;
    c9_err_t err = name_to_utf16(name, len, fs->lfn, &units);
    if (err) {
        return err;
    }
    uint8_t tsfn[11];
    bool has_sfn = sfn_lookup_form(fs->lfn, units, tsfn);
    len = trim_name(name, len);
    dirpos_t p;
    dp_init(&p, dir);
    if ((err = dp_check(fs, &p))) {
        return err == END ? C9_ERR_NOENT : err;
    }
    lfnstate_t st = {0};
    for (;;) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            return err;
        }
        if (e[0] == 0) {
            return C9_ERR_NOENT;
        }
        uint8_t attr = e[DIR_ATTR] & ATTR_MASK;
        if (e[0] == DELETED) {
            st.active = false;
        } else if (attr == ATTR_LFN) {
            lfn_feed(fs, &st, e, &p);
        } else if (attr & C9_FAT_ATTR_VOLUME) {
            st.active = false;
        } else {
            size_t n = lfn_complete(fs, &st, e);
            bool hit = (n == units && lfn_equal(fs->lfn, n, name, len)) || (has_sfn && !memcmp(e, tsfn, 11));
            if (hit && e[0] != '.') {
                memcpy(out->entry, e, DIRENT);
                out->lba = dp_lba(fs, &p);
                out->off = dp_off(&p);
                out->first = n ? st.first : p;
                out->count = p.index - out->first.index + 1;
                out->dir = dir;
                return C9_OK;
            }
            st.active = false;
        }
        err = dp_next(fs, &p);
        if (err) {
            return err == END ? C9_ERR_NOENT : err;
        }
    }
}

// ---- paths ---------------------------------------------------------------------------------

// The component at or after *pos: skips slashes; returns false at the end.
static bool component(const char *path, size_t *pos, const char **c, size_t *n) {
    size_t i = *pos;
    while (path[i] == '/') {
        i++;
    }
    if (!path[i]) {
        *pos = i;
        return false;
    }
    size_t s = i;
    while (path[i] && path[i] != '/') {
        i++;
    }
    *c = path + s;
    *n = i - s;
    *pos = i;
    return true;
}

// Whether a named component is cancelled by a later "..". FAT has no links, so resolving ".."
// by name gives what following the ".." entries would.
static bool cancelled(const char *path, size_t after) {
    int depth = 0;
    const char *c;
    size_t n;
    while (component(path, &after, &c, &n)) {
        if (n == 1 && c[0] == '.') {
            continue;
        }
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            if (depth == 0) {
                return true;
            }
            depth--;
        } else {
            depth++;
        }
    }
    return false;
}

// The next component that survives "." and ".." resolution.
static bool live_component(const char *path, size_t *pos, const char **c, size_t *n) {
    while (component(path, pos, c, n)) {
        if (!is_dot(*c, *n) && !cancelled(path, *pos)) {
            return true;
        }
    }
    return false;
}

static c9_err_t as_directory(c9_fat_t *fs, const found_t *f, uint32_t *dir) {
    if (!(f->entry[DIR_ATTR] & C9_FAT_ATTR_DIR)) {
        return C9_ERR_FAT_NOTDIR;
    }
    uint32_t c = entry_cluster(fs, f->entry);
    if (!clust_valid(fs, c)) {
        return c == 0 ? C9_ERR_FAT_DIR : C9_ERR_FAT_CHAIN;
    }
    *dir = c;
    return C9_OK;
}

c9_err_t path_parent(c9_fat_t *fs, const char *path, uint32_t *dir, const char **last, size_t *last_len) {
    if (!path) {
        return C9_ERR_INVAL;
    }
    uint32_t d = root_start(fs);
    size_t pos = 0;
    const char *c;
    size_t n;
    bool have = live_component(path, &pos, &c, &n);
    while (have) {
        const char *next;
        size_t next_n;
        size_t save = pos;
        if (!live_component(path, &pos, &next, &next_n)) {
            pos = save;
            break;
        }
        found_t f;
        c9_err_t err = dir_find(fs, d, c, n, &f);
        if (err) {
            return err;
        }
        if ((err = as_directory(fs, &f, &d))) {
            return err;
        }
        c = next;
        n = next_n;
    }
    *dir = d;
    *last = have ? c : NULL;
    *last_len = have ? n : 0;
    return C9_OK;
}

// Resolves a whole path: *is_root, or the entry in *f.
static c9_err_t lookup(c9_fat_t *fs, const char *path, found_t *f, bool *is_root) {
    uint32_t dir;
    const char *last;
    size_t n;
    c9_err_t err = path_parent(fs, path, &dir, &last, &n);
    if (err) {
        return err;
    }
    *is_root = n == 0;
    return n ? dir_find(fs, dir, last, n, f) : C9_OK;
}

// ---- creating and removing entries ---------------------------------------------------------

// Whether any short entry in dir has this name (the entry at skip_lba/skip_off excepted).
static c9_err_t sfn_exists(c9_fat_t *fs, uint32_t dir, const uint8_t sfn[11], uint32_t skip_lba, uint16_t skip_off,
                           bool *exists) {
    dirpos_t p;
    dp_init(&p, dir);
    *exists = false;
    c9_err_t err = dp_check(fs, &p);
    while (!err) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            return err;
        }
        if (e[0] == 0) {
            return C9_OK;
        }
        if (e[0] != DELETED && (e[DIR_ATTR] & ATTR_MASK) != ATTR_LFN && !memcmp(e, sfn, 11) &&
            !(dp_lba(fs, &p) == skip_lba && dp_off(&p) == skip_off)) {
            *exists = true;
            return C9_OK;
        }
        err = dp_next(fs, &p);
    }
    return err == END ? C9_OK : err;
}

// Adds a cluster of zeros to the end of a chain directory, in the order: allocate (unreferenced),
// zero, link. A directory has no size field, so the link alone makes the new cluster part of it.
static c9_err_t dir_extend(c9_fat_t *fs, uint32_t dir) {
    uint32_t len, last, c, c_last, got;
    c9_err_t err = chain_info(fs, dir, &len, &last);
    if (err) {
        return err;
    }
    if ((uint64_t)(len + 1) * (ENTRIES_PER_SECTOR << fs->cluster_shift) > MAX_DIR_ENTRIES) {
        return C9_ERR_FAT_NOSPC;
    }
    if ((err = chain_alloc(fs, last, 1, &c, &c_last, &got)) || (err = cache_commit(fs))) {
        return err;
    }
    if ((err = dev_zero(fs, clust_lba(fs, c), 1u << fs->cluster_shift))) {
        return err;
    }
    if ((err = fat_set(fs, last, c))) {
        return err;
    }
    return cache_commit(fs);
}

// Finds k consecutive free slots in dir; with aligned, within one sector. END when there are none.
// *end gets the first end-of-directory mark (0x00) met, when there is one before the run.
static c9_err_t find_run(c9_fat_t *fs, uint32_t dir, uint32_t k, bool aligned, dirpos_t *run, dirpos_t *end,
                         bool *has_end) {
    dirpos_t p;
    dp_init(&p, dir);
    uint32_t have = 0;
    *has_end = false;
    c9_err_t err = dp_check(fs, &p);
    while (!err) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            return err;
        }
        if (aligned && p.index % ENTRIES_PER_SECTOR == 0) {
            have = 0;
        }
        if (e[0] == 0 && !*has_end) {
            *end = p;
            *has_end = true;
        }
        if (e[0] == 0 || e[0] == DELETED) {
            if (have++ == 0) {
                *run = p;
            }
            if (have == k) {
                return C9_OK;
            }
        } else {
            have = 0;
        }
        err = dp_next(fs, &p);
    }
    return err;
}

// Slots of a run: the device block and offset of each.
typedef struct slots {
    uint32_t lba[21];
    uint16_t off[21];
    uint32_t n;
} slots_t;

static c9_err_t run_slots(c9_fat_t *fs, dirpos_t p, uint32_t k, slots_t *s) {
    s->n = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (i) {
            c9_err_t err = dp_next(fs, &p);
            if (err) {
                return err == END ? C9_ERR_FAT_DIR : err;
            }
        }
        s->lba[i] = dp_lba(fs, &p);
        s->off[i] = dp_off(&p);
        s->n++;
    }
    return C9_OK;
}

// Turns the end-of-directory marks between end and run into "deleted" entries, so that a set
// placed past free slots is not hidden behind a 0x00 that readers stop at. Any subset of these
// writes is harmless: a deleted entry is as free as an end mark.
static c9_err_t mark_gap(c9_fat_t *fs, dirpos_t p, const dirpos_t *run) {
    while (p.index < run->index) {
        uint8_t *e;
        c9_err_t err = dp_entry(fs, &p, &e);
        if (err) {
            return err;
        }
        if (e[0] == 0) {
            e[0] = DELETED;
            cache_dirty(fs, dp_lba(fs, &p));
        }
        if ((err = dp_next(fs, &p))) {
            return err == END ? C9_ERR_FAT_DIR : err;
        }
    }
    return cache_commit(fs);
}

// Reserves k slots, extending a chain directory when needed. A run within one sector is preferred
// so that the set is written in one block; names over 195 characters (k > 16), or a fixed root
// with only split runs left, take a run across sectors.
static c9_err_t alloc_slots(c9_fat_t *fs, uint32_t dir, uint32_t k, dirpos_t *run) {
    dirpos_t end;
    bool has_end;
    for (;;) {
        c9_err_t err = find_run(fs, dir, k, k <= ENTRIES_PER_SECTOR, run, &end, &has_end);
        if (err == END && dir == 0 && k <= ENTRIES_PER_SECTOR) {
            err = find_run(fs, dir, k, false, run, &end, &has_end);
        }
        if (err == C9_OK) {
            return has_end && end.index < run->index ? mark_gap(fs, end, run) : C9_OK;
        }
        if (err != END) {
            return err;
        }
        if (dir == 0) {
            return C9_ERR_FAT_NOSPC;
        }
        if ((err = dir_extend(fs, dir))) {
            return err;
        }
    }
}

// Builds long-name entry i (0 = first written, the one holding the end of the name).
static void lfn_build(uint8_t *e, const uint16_t *name, size_t units, uint32_t total, uint32_t i, uint8_t sum) {
    uint32_t ord = total - i;
    memset(e, 0, DIRENT);
    e[0] = (uint8_t)(ord | (i == 0 ? LFN_LAST : 0));
    e[DIR_ATTR] = ATTR_LFN;
    e[13] = sum;
    size_t base = (size_t)(ord - 1) * 13;
    for (int j = 0; j < 13; j++) {
        size_t at = base + (size_t)j;
        uint16_t c = at < units ? name[at] : at == units ? 0x0000 : 0xFFFF;
        st16(e + lfn_offsets[j], c);
    }
}

// A set of entries to write for one name: the short entry and how many long-name entries.
typedef struct newset {
    uint8_t entry[DIRENT];
    uint32_t k; /* entries in all: long-name ones + 1 */
    const char *name;
    size_t len;
} newset_t;

// Works out the short name (unique in dir, the entry at skip excepted) and the entry count.
static c9_err_t set_prepare(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, const uint8_t tmpl[DIRENT],
                            const found_t *skip, newset_t *set) {
    size_t units;
    c9_err_t err = name_to_utf16(name, len, fs->lfn, &units);
    if (err) {
        return err;
    }
    if (units == 1 && fs->lfn[0] == '.') {
        return C9_ERR_FAT_BADNAME;
    }
    uint32_t skip_lba = skip ? skip->lba : UINT32_MAX;
    uint16_t skip_off = skip ? skip->off : 0;
    uint8_t sfn[11], base[11], nt = 0;
    bool lossy = false, need_lfn = !sfn_fits(fs->lfn, units, sfn, &nt);
    bool exists;
    if (need_lfn) {
        sfn_base(fs->lfn, units, base, &lossy);
        memcpy(sfn, base, 11);
        for (unsigned n = lossy ? 1 : 0;; n++) {
            if (n > 100) {
                return C9_ERR_EXIST; // FatFs gives up on short-name collisions too (FR_DENIED)
            }
            if (n) {
                sfn_number(sfn, base, fs->lfn, units, n);
            }
            if ((err = sfn_exists(fs, dir, sfn, skip_lba, skip_off, &exists))) {
                return err;
            }
            if (!exists) {
                break;
            }
        }
        nt = 0;
    } else {
        if ((err = sfn_exists(fs, dir, sfn, skip_lba, skip_off, &exists))) {
            return err;
        }
        if (exists) {
            return C9_ERR_EXIST;
        }
    }
    memcpy(set->entry, tmpl, DIRENT);
    memcpy(set->entry, sfn, 11);
    set->entry[DIR_NTRES] = nt;
    set->k = (need_lfn ? (uint32_t)((units + 12) / 13) : 0) + 1;
    set->name = name;
    set->len = len;
    return C9_OK;
}

// Writes a prepared set at run (slots that are free, or the set's own old slots).
static c9_err_t set_write(c9_fat_t *fs, dirpos_t run, const newset_t *set, found_t *out) {
    uint32_t k = set->k, nlfn = k - 1;
    slots_t s;
    size_t units = 0;
    c9_err_t err = run_slots(fs, run, k, &s);
    if (!err && nlfn) {
        err = name_to_utf16(set->name, set->len, fs->lfn, &units);
    }
    if (err) {
        return err;
    }
    uint8_t sum = sfn_checksum(set->entry);
    uint32_t last_lba = s.lba[k - 1];
    // Step 1 (only for a set across sectors): end-of-directory marks in the long-name slots become
    // "deleted", so that the short entry written next is not hidden behind a 0x00.
    bool split = s.lba[0] != last_lba;
    if (split) {
        for (uint32_t i = 0; i < k - 1; i++) {
            uint8_t *d;
            if ((err = cache_get(fs, s.lba[i], true, &d))) {
                return err;
            }
            if (d[s.off[i]] == 0) {
                d[s.off[i]] = DELETED;
                cache_dirty(fs, s.lba[i]);
            }
        }
        if ((err = cache_commit(fs))) {
            return err;
        }
    }
    // Step 2: the short entry alone (its sector's long-name slots left deleted): from here on
    // the file exists, under its 8.3 name. Step 3: the long-name entries, earlier sectors first.
    // A set within one sector is all one write.
    for (int step = 0; step < (split ? 2 : 1); step++) {
        uint32_t prev = UINT32_MAX;
        for (uint32_t i = 0; i < k; i++) {
            bool last_slot = i == k - 1;
            if (split && (step == 0) != last_slot) {
                continue;
            }
            uint8_t *d;
            if (split && step == 1 && s.lba[i] != prev && prev != UINT32_MAX && (err = cache_commit(fs))) {
                return err;
            }
            prev = s.lba[i];
            if ((err = cache_get(fs, s.lba[i], true, &d))) {
                return err;
            }
            if (last_slot) {
                memcpy(d + s.off[i], set->entry, DIRENT);
            } else {
                lfn_build(d + s.off[i], fs->lfn, units, nlfn, i, sum);
            }
            cache_dirty(fs, s.lba[i]);
        }
        if ((err = cache_commit(fs))) {
            return err;
        }
    }
    memcpy(out->entry, set->entry, DIRENT);
    out->lba = last_lba;
    out->off = s.off[k - 1];
    out->first = run;
    out->count = k;
    out->dir = run.start;
    return C9_OK;
}

c9_err_t dir_add(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, const uint8_t tmpl[DIRENT], found_t *out) {
    newset_t set;
    dirpos_t run;
    c9_err_t err = set_prepare(fs, dir, name, len, tmpl, NULL, &set);
    if (!err) {
        err = alloc_slots(fs, dir, set.k, &run);
    }
    return err ? err : set_write(fs, run, &set, out);
}

c9_err_t dir_remove(c9_fat_t *fs, const found_t *f) {
    slots_t s;
    c9_err_t err = run_slots(fs, f->first, f->count > 21 ? 21 : f->count, &s);
    if (err) {
        return err;
    }
    // The short entry's sector first (with the long-name entries it holds), then the others. A cut
    // between leaves the start of the long name without its short entry, an orphan fsck.fat
    // deletes; the other order would leave the end of a long name before a live short entry,
    // which fsck.fat reports and leaves alone.
    for (int step = 0; step < 2; step++) {
        for (uint32_t i = 0; i < s.n; i++) {
            if ((s.lba[i] == f->lba) != (step == 0)) {
                continue;
            }
            uint8_t *d;
            if ((err = cache_get(fs, s.lba[i], true, &d))) {
                return err;
            }
            d[s.off[i]] = DELETED;
            cache_dirty(fs, s.lba[i]);
        }
        if ((err = cache_commit(fs))) {
            return err;
        }
    }
    return C9_OK;
}

c9_err_t entry_update(c9_fat_t *fs, uint32_t lba, uint16_t off, uint32_t start, uint32_t size,
                      const c9_fat_time_t *mtime) {
    uint8_t *d;
    c9_err_t err = cache_get(fs, lba, true, &d);
    if (err) {
        return err;
    }
    uint8_t *e = d + off;
    entry_set_cluster(fs, e, start);
    st32(e + DIR_SIZE, size);
    if (mtime) {
        st16(e + DIR_WRT_TIME, (uint16_t)*mtime);
        st16(e + DIR_WRT_DATE, (uint16_t)(*mtime >> 16));
        st16(e + DIR_ACC_DATE, (uint16_t)(*mtime >> 16));
        e[DIR_ATTR] |= C9_FAT_ATTR_ARCHIVE;
    }
    cache_dirty(fs, lba);
    return C9_OK;
}

bool file_is_open(c9_fat_t *fs, uint32_t lba, uint16_t off) {
    for (c9_fat_file_t *f = fs->files; f; f = f->next) {
        if (f->entry_lba == lba && f->entry_off == off) {
            return true;
        }
    }
    return false;
}

static void info_from_entry(c9_fat_t *fs, const uint8_t *e, c9_fat_info_t *info) {
    info->attr = e[DIR_ATTR] & ATTR_MASK;
    info->size = info->attr & C9_FAT_ATTR_DIR ? 0 : ld32(e + DIR_SIZE);
    info->mtime = (uint32_t)ld16(e + DIR_WRT_DATE) << 16 | ld16(e + DIR_WRT_TIME);
    info->ctime = (uint32_t)ld16(e + DIR_CRT_DATE) << 16 | ld16(e + DIR_CRT_TIME);
    info->cluster = entry_cluster(fs, e);
}

static void new_entry(c9_fat_t *fs, uint8_t e[DIRENT], uint8_t attr, uint32_t cluster) {
    memset(e, 0, DIRENT);
    c9_fat_time_t t = fat_now(fs);
    e[DIR_ATTR] = attr;
    st16(e + DIR_CRT_TIME, (uint16_t)t);
    st16(e + DIR_CRT_DATE, (uint16_t)(t >> 16));
    st16(e + DIR_WRT_TIME, (uint16_t)t);
    st16(e + DIR_WRT_DATE, (uint16_t)(t >> 16));
    st16(e + DIR_ACC_DATE, (uint16_t)(t >> 16));
    entry_set_cluster(fs, e, cluster);
}

c9_err_t dir_create(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, uint8_t attr, found_t *out) {
    uint8_t e[DIRENT];
    new_entry(fs, e, attr, 0);
    return dir_add(fs, dir, name, len, e, out);
}

// ---- public operations ---------------------------------------------------------------------

c9_err_t c9_fat_opendir(c9_fat_t *fs, c9_fat_dir_t *d, const char *path) {
    if (!d) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    found_t f;
    bool root;
    uint32_t start = root_start(fs);
    err = lookup(fs, path, &f, &root);
    if (!err && !root) {
        err = as_directory(fs, &f, &start);
    }
    if (!err) {
        d->fs = fs;
        d->start = d->cluster = start;
        d->index = 0;
        d->end = false;
        d->pending = C9_OK;
    }
    return fat_leave(fs, err);
}

c9_err_t c9_fat_closedir(c9_fat_dir_t *d) {
    if (!d || !d->fs) {
        return C9_ERR_BADF;
    }
    d->fs = NULL;
    return C9_OK;
}

c9_err_t c9_fat_readdir(c9_fat_dir_t *d, c9_fat_info_t *info) {
    if (!d || !d->fs || !info) {
        return C9_ERR_BADF;
    }
    c9_fat_t *fs = d->fs;
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    if (d->end) {
        return fat_leave(fs, 0);
    }
    if (d->pending) {
        err = d->pending;
        d->pending = C9_OK;
        d->end = true;
        return fat_leave(fs, err);
    }
    dirpos_t p = {.start = d->start, .cluster = d->cluster, .index = d->index};
    lfnstate_t st = {0};
    int result = 0;
    err = dp_check(fs, &p);
    while (!err) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            break;
        }
        if (e[0] == 0) {
            err = END;
            break;
        }
        uint8_t attr = e[DIR_ATTR] & ATTR_MASK;
        if (e[0] == DELETED || ((attr & C9_FAT_ATTR_VOLUME) && attr != ATTR_LFN)) {
            st.active = false;
        } else if (attr == ATTR_LFN) {
            lfn_feed(fs, &st, e, &p);
        } else if (e[0] == '.') {
            st.active = false; // "." and ".."
        } else {
            size_t n = lfn_complete(fs, &st, e);
            uint8_t entry[DIRENT];
            memcpy(entry, e, DIRENT);
            info_from_entry(fs, entry, info);
            sfn_to_text(entry, false, info->short_name, sizeof info->short_name);
            if (!n || utf16_to_utf8(fs->lfn, n, info->name, sizeof info->name)) {
                sfn_to_text(entry, true, info->name, sizeof info->name);
            }
            result = 1;
            err = dp_next(fs, &p);
            if (err < 0) {
                // The entry is good but what follows is not: the entry now, the error next time.
                d->pending = err;
                err = C9_OK;
            }
            break;
        }
        err = dp_next(fs, &p);
    }
    if (err == END) {
        d->end = true;
        err = C9_OK;
    }
    if (err >= 0) {
        d->cluster = p.cluster;
        d->index = p.index;
        err = result;
    }
    return fat_leave(fs, err);
}

c9_err_t c9_fat_stat(c9_fat_t *fs, const char *path, c9_fat_info_t *info) {
    if (!info) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    found_t f;
    bool root;
    err = lookup(fs, path, &f, &root);
    if (!err) {
        memset(info, 0, sizeof *info);
        if (root) {
            info->attr = C9_FAT_ATTR_DIR;
            info->cluster = root_start(fs);
        } else {
            info_from_entry(fs, f.entry, info);
        }
    }
    return fat_leave(fs, err);
}

// The parent directory and a creatable last component of path.
static c9_err_t creatable(c9_fat_t *fs, const char *path, uint32_t *dir, const char **name, size_t *len) {
    c9_err_t err = path_parent(fs, path, dir, name, len);
    if (err) {
        return err;
    }
    if (*len == 0) {
        return C9_ERR_EXIST; // the root
    }
    found_t f;
    err = dir_find(fs, *dir, *name, *len, &f);
    return err == C9_OK ? C9_ERR_EXIST : err == C9_ERR_NOENT ? C9_OK : err;
}

c9_err_t c9_fat_mkdir(c9_fat_t *fs, const char *path) {
    c9_err_t err = fat_enter(fs, true);
    if (err) {
        return err;
    }
    uint32_t dir;
    const char *name;
    size_t len;
    if ((err = creatable(fs, path, &dir, &name, &len))) {
        return fat_leave(fs, err);
    }
    // The new directory's cluster is allocated and filled before any entry refers to it.
    uint32_t c, last, got;
    if ((err = chain_alloc(fs, dir, 1, &c, &last, &got)) || (err = cache_commit(fs))) {
        return fat_leave(fs, err);
    }
    uint32_t lba = clust_lba(fs, c);
    if ((err = dev_zero(fs, lba + 1, (1u << fs->cluster_shift) - 1))) {
        return fat_leave(fs, err);
    }
    uint8_t *d;
    if ((err = cache_get(fs, lba, false, &d))) {
        return fat_leave(fs, err);
    }
    memset(d, 0, SECTOR);
    new_entry(fs, d, C9_FAT_ATTR_DIR, c);
    memset(d, ' ', 11);
    d[0] = '.';
    new_entry(fs, d + DIRENT, C9_FAT_ATTR_DIR, dotdot_value(fs, dir));
    memset(d + DIRENT, ' ', 11);
    d[DIRENT] = d[DIRENT + 1] = '.';
    cache_dirty(fs, lba);
    if ((err = cache_commit(fs))) {
        return fat_leave(fs, err);
    }
    uint8_t e[DIRENT];
    new_entry(fs, e, C9_FAT_ATTR_DIR, c);
    found_t f;
    err = dir_add(fs, dir, name, len, e, &f);
    if (err) {
        // Give the cluster back; if that fails too it is lost space, not damage.
        c9_err_t e2 = chain_free(fs, c);
        if (!e2) {
            e2 = cache_commit(fs);
        }
        (void)e2;
    }
    return fat_leave(fs, err);
}

// Whether a directory holds any entry besides "." and "..".
static c9_err_t dir_empty(c9_fat_t *fs, uint32_t dir, bool *empty) {
    dirpos_t p;
    dp_init(&p, dir);
    *empty = true;
    c9_err_t err = dp_check(fs, &p);
    while (!err) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            return err;
        }
        if (e[0] == 0) {
            return C9_OK;
        }
        uint8_t attr = e[DIR_ATTR] & ATTR_MASK;
        if (e[0] != DELETED && e[0] != '.' && attr != ATTR_LFN && !(attr & C9_FAT_ATTR_VOLUME)) {
            *empty = false;
            return C9_OK;
        }
        err = dp_next(fs, &p);
    }
    return err == END ? C9_OK : err;
}

static bool last_is_dot(const char *path) {
    size_t n = strlen(path);
    while (n && path[n - 1] == '/') {
        n--;
    }
    size_t s = n;
    while (s && path[s - 1] != '/') {
        s--;
    }
    return is_dot(path + s, n - s);
}

// Removes a name: the entries first (committed), then its clusters, so that a cut in between
// leaves unreferenced clusters and never an entry pointing at freed ones.
static c9_err_t remove_entry(c9_fat_t *fs, const found_t *f) {
    c9_err_t err = dir_remove(fs, f);
    if (err) {
        return err;
    }
    uint32_t c = entry_cluster(fs, f->entry);
    if (c == 0) {
        return C9_OK;
    }
    if (!clust_valid(fs, c)) {
        return C9_ERR_FAT_CHAIN;
    }
    if ((err = chain_free(fs, c))) {
        return err;
    }
    return cache_commit(fs);
}

c9_err_t c9_fat_rmdir(c9_fat_t *fs, const char *path) {
    c9_err_t err = fat_enter(fs, true);
    if (err) {
        return err;
    }
    found_t f;
    bool root;
    uint32_t c = 0;
    bool empty = false;
    if (!path || last_is_dot(path)) {
        err = C9_ERR_INVAL;
    } else if (!(err = lookup(fs, path, &f, &root))) {
        if (root) {
            err = C9_ERR_INVAL;
        } else if (!(err = as_directory(fs, &f, &c)) && !(err = dir_empty(fs, c, &empty))) {
            if (!empty) {
                err = C9_ERR_FAT_NOTEMPTY;
            } else if (f.entry[DIR_ATTR] & C9_FAT_ATTR_RDONLY) {
                err = C9_ERR_FAT_DENIED;
            } else {
                err = remove_entry(fs, &f);
            }
        }
    }
    return fat_leave(fs, err);
}

c9_err_t c9_fat_unlink(c9_fat_t *fs, const char *path) {
    c9_err_t err = fat_enter(fs, true);
    if (err) {
        return err;
    }
    found_t f;
    bool root;
    if (!path || last_is_dot(path)) {
        err = C9_ERR_INVAL;
    } else if (!(err = lookup(fs, path, &f, &root))) {
        if (root || (f.entry[DIR_ATTR] & C9_FAT_ATTR_DIR)) {
            err = C9_ERR_FAT_ISDIR;
        } else if (file_is_open(fs, f.lba, f.off)) {
            err = C9_ERR_BUSY;
        } else if (f.entry[DIR_ATTR] & C9_FAT_ATTR_RDONLY) {
            err = C9_ERR_FAT_DENIED;
        } else {
            err = remove_entry(fs, &f);
        }
    }
    return fat_leave(fs, err);
}

// Whether directory `inner` is `outer` or lies below it, found by following ".." upwards.
static c9_err_t is_below(c9_fat_t *fs, uint32_t inner, uint32_t outer, bool *below) {
    uint32_t d = inner;
    *below = false;
    for (uint32_t n = 0; n <= fs->clusters; n++) {
        if (d == outer) {
            *below = true;
            return C9_OK;
        }
        if (d == root_start(fs)) {
            return C9_OK;
        }
        dirpos_t p;
        uint8_t *e;
        dp_init(&p, d);
        c9_err_t err = dp_next(fs, &p);
        if (err || (err = dp_entry(fs, &p, &e))) {
            return err == END ? C9_ERR_FAT_DIR : err;
        }
        if (memcmp(e, "..         ", 11) || !(e[DIR_ATTR] & C9_FAT_ATTR_DIR)) {
            return C9_ERR_FAT_DIR;
        }
        uint32_t up = entry_cluster(fs, e);
        d = up == 0 ? root_start(fs) : up;
        if (d != root_start(fs) && !clust_valid(fs, d)) {
            return C9_ERR_FAT_DIR;
        }
    }
    return C9_ERR_FAT_DIR; // ".." entries form a cycle
}

c9_err_t c9_fat_rename(c9_fat_t *fs, const char *from, const char *to) {
    c9_err_t err = fat_enter(fs, true);
    if (err) {
        return err;
    }
    found_t src, dst;
    bool root;
    uint32_t dir;
    const char *name;
    size_t len;
    if (!from || !to || last_is_dot(from) || last_is_dot(to)) {
        err = C9_ERR_INVAL;
        goto out;
    }
    if ((err = lookup(fs, from, &src, &root))) {
        goto out;
    }
    if (root) {
        err = C9_ERR_INVAL;
        goto out;
    }
    if ((err = path_parent(fs, to, &dir, &name, &len))) {
        goto out;
    }
    if (len == 0) {
        err = C9_ERR_EXIST;
        goto out;
    }
    err = dir_find(fs, dir, name, len, &dst);
    if (err == C9_OK && !(dst.lba == src.lba && dst.off == src.off)) {
        err = C9_ERR_EXIST;
        goto out;
    }
    if (err && err != C9_ERR_NOENT) {
        goto out;
    }
    bool is_dir = src.entry[DIR_ATTR] & C9_FAT_ATTR_DIR;
    uint32_t c = entry_cluster(fs, src.entry);
    if (is_dir) {
        bool below;
        if (!clust_valid(fs, c)) {
            err = C9_ERR_FAT_DIR;
            goto out;
        }
        if ((err = is_below(fs, dir, c, &below))) {
            goto out;
        }
        if (below) {
            err = C9_ERR_INVAL;
            goto out;
        }
    }
    newset_t set;
    found_t added;
    if ((err = set_prepare(fs, dir, name, len, src.entry, &src, &set))) {
        goto out;
    }
    if (dir == src.dir && set.k == src.count && dp_lba(fs, &src.first) == src.lba) {
        // Same directory, same number of entries, all in one sector: rewritten in place with one
        // block write, so the rename is atomic.
        if (!(err = set_write(fs, src.first, &set, &added))) {
            files_entry_moved(fs, src.lba, src.off, added.lba, added.off);
        }
        goto out;
    }
    // New entry first, then (for a directory moved elsewhere) its "..", then the old entry: at a
    // cut the file has at least one name.
    dirpos_t run;
    if ((err = alloc_slots(fs, dir, set.k, &run)) || (err = set_write(fs, run, &set, &added))) {
        goto out;
    }
    if (is_dir && dir != src.dir) {
        uint8_t *d;
        uint32_t lba = clust_lba(fs, c);
        if ((err = cache_get(fs, lba, true, &d))) {
            goto out;
        }
        if (!memcmp(d + DIRENT, "..         ", 11)) {
            entry_set_cluster(fs, d + DIRENT, dotdot_value(fs, dir));
            cache_dirty(fs, lba);
            if ((err = cache_commit(fs))) {
                goto out;
            }
        }
    }
    // The old set may have moved into a sector the add touched, but not its position.
    if ((err = dir_remove(fs, &src))) {
        goto out;
    }
    files_entry_moved(fs, src.lba, src.off, added.lba, added.off);
out:
    return fat_leave(fs, err);
}

static c9_err_t modify_entry(c9_fat_t *fs, const char *path, const c9_fat_time_t *mtime, uint8_t attr, uint8_t mask) {
    c9_err_t err = fat_enter(fs, true);
    if (err) {
        return err;
    }
    found_t f;
    bool root;
    if (!(err = lookup(fs, path, &f, &root))) {
        if (root) {
            err = C9_ERR_INVAL;
        } else {
            uint8_t *d;
            if (!(err = cache_get(fs, f.lba, true, &d))) {
                uint8_t *e = d + f.off;
                if (mtime) {
                    st16(e + DIR_WRT_TIME, (uint16_t)*mtime);
                    st16(e + DIR_WRT_DATE, (uint16_t)(*mtime >> 16));
                }
                mask &= C9_FAT_ATTR_RDONLY | C9_FAT_ATTR_HIDDEN | C9_FAT_ATTR_SYSTEM | C9_FAT_ATTR_ARCHIVE;
                e[DIR_ATTR] = (uint8_t)((e[DIR_ATTR] & ~mask) | (attr & mask));
                cache_dirty(fs, f.lba);
                for (c9_fat_file_t *o = fs->files; o; o = o->next) {
                    if (o->entry_lba == f.lba && o->entry_off == f.off) {
                        o->attr = e[DIR_ATTR];
                    }
                }
            }
        }
    }
    return fat_leave(fs, err);
}

c9_err_t c9_fat_utime(c9_fat_t *fs, const char *path, c9_fat_time_t mtime) {
    return modify_entry(fs, path, &mtime, 0, 0);
}

c9_err_t c9_fat_chmod(c9_fat_t *fs, const char *path, uint8_t attr, uint8_t mask) {
    return modify_entry(fs, path, NULL, attr, mask);
}

// ---- volume label --------------------------------------------------------------------------

static c9_err_t find_label(c9_fat_t *fs, dirpos_t *at, bool *found) {
    dirpos_t p;
    dp_init(&p, root_start(fs));
    *found = false;
    c9_err_t err = dp_check(fs, &p);
    while (!err) {
        uint8_t *e;
        if ((err = dp_entry(fs, &p, &e))) {
            return err;
        }
        if (e[0] == 0) {
            return C9_OK;
        }
        uint8_t attr = e[DIR_ATTR] & ATTR_MASK;
        if (e[0] != DELETED && attr != ATTR_LFN && (attr & C9_FAT_ATTR_VOLUME)) {
            *at = p;
            *found = true;
            return C9_OK;
        }
        err = dp_next(fs, &p);
    }
    return err == END ? C9_OK : err;
}

c9_err_t c9_fat_getlabel(c9_fat_t *fs, char *label, size_t size) {
    if (!label || size == 0) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    dirpos_t p;
    bool found;
    label[0] = 0;
    if (!(err = find_label(fs, &p, &found)) && found) {
        uint8_t *e;
        if (!(err = dp_entry(fs, &p, &e))) {
            size_t n = 11, o = 0;
            while (n && e[n - 1] == ' ') {
                n--;
            }
            for (size_t i = 0; i < n; i++) {
                size_t w = utf8_encode(cp437_to_unicode(e[i]), label + o, size - o - 1);
                if (!w) {
                    err = C9_ERR_NOMEM;
                    break;
                }
                o += w;
            }
            label[o] = 0;
        }
    }
    return fat_leave(fs, err);
}

c9_err_t fat_label_bytes(const char *label, uint8_t out[11], size_t *n) {
    static const char bad[] = "+.,;=[]/\\\"*:<>?|\x7F";
    memset(out, ' ', 11);
    size_t len = strlen(label), o = 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        int32_t c = utf8_decode(label + i, len - i, &used);
        if (c < 0 || c >= 0x10000) {
            return C9_ERR_FAT_BADNAME;
        }
        i += used;
        uint8_t b = unicode_to_cp437(wupper((uint16_t)c));
        if (b < 0x20 || (b < 0x80 && strchr(bad, b)) || o >= 11) {
            return C9_ERR_FAT_BADNAME;
        }
        out[o++] = b;
    }
    if (o && out[0] == DELETED) {
        return C9_ERR_FAT_BADNAME;
    }
    while (o && out[o - 1] == ' ') {
        o--;
    }
    *n = o;
    return C9_OK;
}

c9_err_t c9_fat_setlabel(c9_fat_t *fs, const char *label) {
    if (!label) {
        return C9_ERR_INVAL;
    }
    uint8_t name[11];
    size_t n;
    c9_err_t err = fat_label_bytes(label, name, &n);
    if (err) {
        return err;
    }
    if ((err = fat_enter(fs, true))) {
        return err;
    }
    dirpos_t p;
    bool found;
    if ((err = find_label(fs, &p, &found))) {
        return fat_leave(fs, err);
    }
    if (!found && n == 0) {
        return fat_leave(fs, C9_OK);
    }
    if (!found && (err = alloc_slots(fs, root_start(fs), 1, &p))) {
        return fat_leave(fs, err);
    }
    uint8_t *e;
    if (!(err = dp_entry(fs, &p, &e))) {
        if (n == 0) {
            e[0] = DELETED;
        } else {
            if (!found) {
                // As FatFs writes it: the name and the attribute, every other field zero.
                memset(e, 0, DIRENT);
                e[DIR_ATTR] = C9_FAT_ATTR_VOLUME;
            }
            memcpy(e, name, 11);
        }
        cache_dirty(fs, dp_lba(fs, &p));
        err = cache_commit(fs);
    }
    // FatFs changes only the directory entry; fsck.fat (and Windows) expect the boot sector's
    // copy to match, so it follows, then the FAT32 backup boot sector.
    uint32_t bk = 0;
    for (int copy = 0; !err && copy < 2; copy++) {
        uint8_t *b;
        uint32_t lba = copy ? bk : fs->vol_lba;
        if (copy && !bk) {
            break;
        }
        if ((err = cache_get(fs, lba, true, &b))) {
            break;
        }
        unsigned sig = fs->type == 32 ? 66 : 38;
        if (copy == 0 && fs->type == 32) {
            uint32_t at = ld16(b + 50);
            bk = at && fs->vol_lba + at < fs->fat_lba ? fs->vol_lba + at : 0;
        }
        if (b[sig] == 0x29) {
            memcpy(b + sig + 5, n ? name : (const uint8_t *)"NO NAME    ", 11);
            cache_dirty(fs, lba);
            err = cache_commit(fs);
        }
    }
    return fat_leave(fs, err);
}
