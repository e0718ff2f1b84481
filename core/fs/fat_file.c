/* FAT files: open, read, write, seek, truncate, close. */
#include "fat_internal.h"

void files_entry_changed(c9_fat_t *fs, const c9_fat_file_t *src) {
    for (c9_fat_file_t *o = fs->files; o; o = o->next) {
        if (o != src && o->entry_lba == src->entry_lba && o->entry_off == src->entry_off) {
            o->start = src->start;
            o->size = src->size;
            o->cur_cluster = o->cur_index = 0;
            o->last_cluster = o->chain_len = 0;
        }
    }
}

void files_entry_moved(c9_fat_t *fs, uint32_t old_lba, uint16_t old_off, uint32_t lba, uint16_t off) {
    for (c9_fat_file_t *o = fs->files; o; o = o->next) {
        if (o->entry_lba == old_lba && o->entry_off == old_off) {
            o->entry_lba = lba;
            o->entry_off = off;
        }
    }
}

static c9_err_t file_enter(c9_fat_file_t *f, bool write) {
    if (!f || !f->fs) {
        return C9_ERR_BADF;
    }
    return fat_enter(f->fs, write);
}

// The chain's length and last cluster, walked once and then kept.
static c9_err_t chain_known(c9_fat_file_t *f) {
    if (f->start == 0 || f->last_cluster) {
        if (f->start == 0) {
            f->chain_len = 0;
            f->last_cluster = 0;
        }
        return C9_OK;
    }
    c9_err_t err = chain_info(f->fs, f->start, &f->chain_len, &f->last_cluster);
    if (err) {
        f->chain_len = f->last_cluster = 0;
        return err;
    }
    // A chain too short for the size is damage; reading or extending it would go wrong.
    uint32_t cs = clust_bytes(f->fs);
    if ((uint64_t)f->chain_len * cs < f->size) {
        f->chain_len = f->last_cluster = 0;
        return C9_ERR_FAT_CHAIN;
    }
    return C9_OK;
}

// The cluster with index idx of the file's chain, reusing the last position when it lies before.
static c9_err_t locate(c9_fat_file_t *f, uint32_t idx, uint32_t *cluster) {
    c9_fat_t *fs = f->fs;
    uint32_t c = f->start, i = 0;
    if (f->cur_cluster && f->cur_index <= idx) {
        c = f->cur_cluster;
        i = f->cur_index;
    }
    if (!clust_valid(fs, c)) {
        return C9_ERR_FAT_CHAIN;
    }
    if (idx - i > fs->clusters) {
        return C9_ERR_FAT_CHAIN;
    }
    while (i < idx) {
        uint32_t next;
        c9_err_t err = fat_next(fs, c, &next);
        if (err) {
            return err;
        }
        if (next == 0) {
            return C9_ERR_FAT_CHAIN; // the chain ends before the size does
        }
        c = next;
        i++;
    }
    f->cur_cluster = c;
    f->cur_index = i;
    *cluster = c;
    return C9_OK;
}

// At the end of the file, the rest of the chain must end: a chain that loops (back into the file
// or onto itself) is damage even though every byte of the size could be read. A chain longer than
// the size is not (it is what a cut while the file grew leaves), so only loops are errors. Walks
// from the last cluster read, once per handle, and records the chain's end for later appends.
static c9_err_t tail_check(c9_fat_file_t *f) {
    uint32_t c = f->cur_cluster, len = f->cur_index + 1;
    if (!c) {
        return C9_OK;
    }
    for (uint32_t n = 0; n <= f->fs->clusters; n++) {
        uint32_t next;
        c9_err_t err = fat_next(f->fs, c, &next);
        if (err) {
            return err;
        }
        if (next == 0) {
            f->last_cluster = c;
            f->chain_len = len;
            return C9_OK;
        }
        c = next;
        len++;
    }
    return C9_ERR_FAT_CHAIN;
}

c9_err_t c9_fat_open(c9_fat_t *fs, c9_fat_file_t *f, const char *path, unsigned flags) {
    if (!f || !path) {
        return C9_ERR_INVAL;
    }
    bool write = flags & C9_FAT_WRITE;
    if (!(flags & (C9_FAT_READ | C9_FAT_WRITE)) ||
        (!write && (flags & (C9_FAT_TRUNC | C9_FAT_APPEND | C9_FAT_CREATE))) || (flags & ~0x3Fu)) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, write);
    if (err) {
        return err;
    }
    uint32_t dir;
    const char *name;
    size_t len;
    found_t fd;
    if ((err = path_parent(fs, path, &dir, &name, &len))) {
        return fat_leave(fs, err);
    }
    if (len == 0) {
        return fat_leave(fs, C9_ERR_FAT_ISDIR);
    }
    err = dir_find(fs, dir, name, len, &fd);
    if (err == C9_OK) {
        if (fd.entry[DIR_ATTR] & C9_FAT_ATTR_DIR) {
            err = C9_ERR_FAT_ISDIR;
        } else if ((flags & C9_FAT_CREATE) && (flags & C9_FAT_EXCL)) {
            err = C9_ERR_EXIST;
        } else if (write && (fd.entry[DIR_ATTR] & C9_FAT_ATTR_RDONLY)) {
            err = C9_ERR_FAT_DENIED;
        }
    } else if (err == C9_ERR_NOENT && (flags & C9_FAT_CREATE)) {
        err = dir_create(fs, dir, name, len, C9_FAT_ATTR_ARCHIVE, &fd);
    }
    if (err) {
        return fat_leave(fs, err);
    }
    memset(f, 0, sizeof *f);
    f->fs = fs;
    f->entry_lba = fd.lba;
    f->entry_off = fd.off;
    f->flags = (uint8_t)flags;
    f->attr = fd.entry[DIR_ATTR];
    f->start = entry_cluster(fs, fd.entry);
    f->size = ld32(fd.entry + DIR_SIZE);
    if ((flags & C9_FAT_TRUNC) && (f->size || f->start)) {
        // The entry forgets the chain first (one block), then the chain is freed: at a cut the
        // file is empty and its clusters at worst unreferenced.
        uint32_t old = f->start;
        c9_fat_time_t now = fat_now(fs);
        if ((err = entry_update(fs, f->entry_lba, f->entry_off, 0, 0, &now)) || (err = cache_commit(fs))) {
            f->fs = NULL;
            return fat_leave(fs, err);
        }
        f->start = 0;
        f->size = 0;
        files_entry_changed(fs, f);
        if (clust_valid(fs, old)) {
            err = chain_free(fs, old);
            if (!err) {
                err = cache_commit(fs);
            }
        }
        if (err) {
            f->fs = NULL;
            return fat_leave(fs, err);
        }
    }
    f->next = fs->files;
    fs->files = f;
    return fat_leave(fs, C9_OK);
}

static void unlink_file(c9_fat_file_t *f) {
    for (c9_fat_file_t **p = &f->fs->files; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
    f->fs = NULL;
}

// Writes the modification time of a file whose data changed without its entry being rewritten.
static c9_err_t flush_mtime(c9_fat_file_t *f) {
    if (!f->modified) {
        return C9_OK;
    }
    c9_fat_time_t now = fat_now(f->fs);
    c9_err_t err = entry_update(f->fs, f->entry_lba, f->entry_off, f->start, f->size, &now);
    if (!err) {
        f->modified = false;
    }
    return err;
}

c9_err_t c9_fat_close(c9_fat_file_t *f) {
    c9_err_t err = file_enter(f, f && f->fs && f->modified);
    if (err == C9_ERR_BADF || err == C9_ERR_BUSY) {
        return err;
    }
    c9_fat_t *fs = f->fs;
    if (!err) {
        err = fat_leave(fs, flush_mtime(f));
    }
    unlink_file(f);
    return err;
}

c9_err_t c9_fat_file_sync(c9_fat_file_t *f) {
    c9_err_t err = file_enter(f, f && f->fs && f->modified);
    if (err) {
        return err;
    }
    c9_fat_t *fs = f->fs;
    err = fat_leave(fs, flush_mtime(f));
    if (!err && !fs->cfg.readonly) {
        err = c9_blockdev_sync(&fs->cfg.bdev);
    }
    return err;
}

c9_err_t c9_fat_read(c9_fat_file_t *f, void *buf, size_t len, size_t *got) {
    if (!got || (!buf && len)) {
        return C9_ERR_INVAL;
    }
    *got = 0;
    c9_err_t err = file_enter(f, false);
    if (err) {
        return err;
    }
    if (!(f->flags & C9_FAT_READ)) {
        return fat_leave(f->fs, C9_ERR_FAT_DENIED);
    }
    c9_fat_t *fs = f->fs;
    uint8_t *out = buf;
    uint32_t cs = clust_bytes(fs);
    size_t n = f->pos >= f->size ? 0 : C9_MIN(len, (size_t)(f->size - f->pos));
    while (n) {
        uint32_t c;
        if ((err = locate(f, f->pos / cs, &c))) {
            break;
        }
        uint32_t in = f->pos % cs;
        uint32_t lba = clust_lba(fs, c) + in / SECTOR, boff = in % SECTOR;
        size_t take;
        if (boff == 0 && n >= SECTOR) {
            // Whole sectors straight into the caller's buffer, up to the end of the cluster.
            uint32_t secs = (uint32_t)C9_MIN(n / SECTOR, (size_t)((cs - in) / SECTOR));
            if ((err = dev_read(fs, lba, out, secs))) {
                break;
            }
            take = (size_t)secs * SECTOR;
        } else {
            uint8_t *d;
            if ((err = cache_get(fs, lba, true, &d))) {
                break;
            }
            take = C9_MIN(n, (size_t)(SECTOR - boff));
            memcpy(out, d + boff, take);
        }
        out += take;
        n -= take;
        f->pos += (uint32_t)take;
        *got += take;
    }
    if (!err && f->pos == f->size && f->size && !f->last_cluster) {
        err = tail_check(f);
    }
    return fat_leave(fs, err);
}

// Position in a chain being extended: the old chain, then (not yet linked) the new one.
typedef struct cursor {
    uint32_t cluster, index;
    uint32_t have;      /* clusters in the old chain */
    uint32_t first_new; /* first cluster of the new part */
} cursor_t;

static c9_err_t cursor_seek(c9_fat_file_t *f, cursor_t *cur, uint32_t idx) {
    if (cur->cluster && idx == cur->index + 1) {
        uint32_t c = cur->first_new;
        if (idx != cur->have) {
            c9_err_t err = fat_next(f->fs, cur->cluster, &c);
            if (err) {
                return err;
            }
        }
        if (!clust_valid(f->fs, c)) {
            return C9_ERR_FAT_CHAIN;
        }
        cur->cluster = c;
        cur->index = idx;
        return C9_OK;
    }
    if (idx < cur->have) {
        cur->index = idx;
        return locate(f, idx, &cur->cluster);
    }
    uint32_t c = cur->first_new;
    for (uint32_t i = cur->have; i < idx; i++) {
        c9_err_t err = fat_next(f->fs, c, &c);
        if (err) {
            return err;
        }
        if (c == 0) {
            return C9_ERR_FAT_CHAIN;
        }
    }
    cur->cluster = c;
    cur->index = idx;
    return C9_OK;
}

// Writes bytes [from, to) of the file (src NULL: zeros). Partial sectors go through the cache,
// whole ones straight to the device. old_size says which bytes are the file's own: sectors past
// it are not read before being overwritten from their start.
static c9_err_t write_span(c9_fat_file_t *f, cursor_t *cur, uint32_t from, uint32_t to, const uint8_t *src,
                           uint32_t old_size) {
    c9_fat_t *fs = f->fs;
    uint32_t cs = clust_bytes(fs);
    while (from < to) {
        uint32_t idx = from / cs;
        c9_err_t err = idx == cur->index && cur->cluster ? C9_OK : cursor_seek(f, cur, idx);
        if (err) {
            return err;
        }
        uint32_t in = from % cs;
        uint32_t lba = clust_lba(fs, cur->cluster) + in / SECTOR, boff = in % SECTOR;
        uint32_t take;
        if (boff == 0 && to - from >= SECTOR) {
            uint32_t secs = C9_MIN((to - from) / SECTOR, (cs - in) / SECTOR);
            if (src) {
                err = dev_write(fs, lba, src, secs);
            } else {
                err = dev_zero(fs, lba, secs);
            }
            take = secs * SECTOR;
        } else {
            uint8_t *d;
            take = C9_MIN(to - from, SECTOR - boff);
            bool fresh = from - boff >= old_size && boff == 0;
            if (!(err = cache_get(fs, lba, !fresh, &d))) {
                if (src) {
                    memcpy(d + boff, src, take);
                } else {
                    memset(d + boff, 0, take);
                }
                if (fresh) {
                    memset(d + take, 0, SECTOR - take); // past the end of the file: no stale data
                }
                cache_dirty(fs, lba);
            }
        }
        if (err) {
            return err;
        }
        from += take;
        if (src) {
            src += take;
        }
    }
    return C9_OK;
}

// Writes len bytes at pos (zeros from the old end to pos), growing the file as needed, in the
// order: allocate new clusters (unreferenced), write the data, link the new clusters to the old
// chain, write the size. *put: bytes of src written.
static c9_err_t write_core(c9_fat_file_t *f, uint32_t pos, const uint8_t *src, uint32_t len, uint32_t *put) {
    c9_fat_t *fs = f->fs;
    uint32_t cs = clust_bytes(fs);
    *put = 0;
    c9_err_t err = chain_known(f);
    if (err) {
        return err;
    }
    uint32_t end = pos + len; // the caller keeps this within 4 GiB - 1
    uint32_t need = (uint32_t)(((uint64_t)end + cs - 1) / cs);
    cursor_t cur = {.have = f->chain_len};
    uint32_t new_last = 0, got = 0;
    c9_err_t space = C9_OK;
    if (need > f->chain_len) {
        err = chain_alloc(fs, f->last_cluster, need - f->chain_len, &cur.first_new, &new_last, &got);
        if (err && err != C9_ERR_FAT_NOSPC) {
            return err;
        }
        if (got < need - f->chain_len) {
            // Volume full: write what fits.
            space = C9_ERR_FAT_NOSPC;
            uint64_t fits = (uint64_t)(f->chain_len + got) * cs;
            if (fits <= pos) {
                if (got) {
                    err = chain_free(fs, cur.first_new);
                    if (!err) {
                        err = cache_commit(fs);
                    }
                }
                return err ? err : space;
            }
            end = (uint32_t)fits;
        }
        if ((err = cache_commit(fs))) {
            return err;
        }
    }
    uint32_t old_size = f->size;
    if (pos > old_size && (err = write_span(f, &cur, old_size, pos, NULL, old_size))) {
        return err;
    }
    if ((err = write_span(f, &cur, pos, end, src, old_size)) || (err = cache_commit(fs))) {
        return err;
    }
    uint32_t start = f->start;
    if (got) {
        if (f->last_cluster) {
            if ((err = fat_set(fs, f->last_cluster, cur.first_new)) || (err = cache_commit(fs))) {
                return err;
            }
        } else {
            start = cur.first_new;
        }
    }
    uint32_t size = C9_MAX(old_size, end);
    if (size != old_size || start != f->start) {
        c9_fat_time_t now = fat_now(fs);
        if ((err = entry_update(fs, f->entry_lba, f->entry_off, start, size, &now)) || (err = cache_commit(fs))) {
            return err;
        }
        f->modified = false;
    } else {
        f->modified = true;
    }
    f->start = start;
    f->size = size;
    if (got) {
        f->chain_len += got;
        f->last_cluster = new_last;
    }
    f->cur_cluster = cur.cluster;
    f->cur_index = cur.index;
    files_entry_changed(fs, f);
    *put = end > pos ? end - pos : 0;
    return space;
}

c9_err_t c9_fat_write(c9_fat_file_t *f, const void *buf, size_t len, size_t *put) {
    if (!put || (!buf && len)) {
        return C9_ERR_INVAL;
    }
    *put = 0;
    c9_err_t err = file_enter(f, true);
    if (err) {
        return err;
    }
    if (!(f->flags & C9_FAT_WRITE)) {
        return fat_leave(f->fs, C9_ERR_FAT_DENIED);
    }
    if (f->flags & C9_FAT_APPEND) {
        f->pos = f->size;
    }
    if (len == 0) {
        return fat_leave(f->fs, C9_OK);
    }
    c9_err_t limit = C9_OK;
    if (len > MAX_FILE_SIZE - f->pos) {
        len = MAX_FILE_SIZE - f->pos;
        limit = C9_ERR_FAT_FBIG;
        if (len == 0) {
            return fat_leave(f->fs, limit);
        }
    }
    uint32_t n;
    err = write_core(f, f->pos, buf, (uint32_t)len, &n);
    f->pos += n;
    *put = n;
    return fat_leave(f->fs, err ? err : limit);
}

c9_err_t c9_fat_seek(c9_fat_file_t *f, int64_t offset, int whence, uint32_t *newpos) {
    if (!f || !f->fs) {
        return C9_ERR_BADF;
    }
    if (f->fs->busy) {
        return C9_ERR_BUSY;
    }
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->pos : whence == 2 ? (int64_t)f->size : -1;
    if (base < 0 || offset > (int64_t)MAX_FILE_SIZE || offset < -(int64_t)MAX_FILE_SIZE || base + offset < 0 ||
        base + offset > (int64_t)MAX_FILE_SIZE) {
        return C9_ERR_INVAL;
    }
    f->pos = (uint32_t)(base + offset);
    if (newpos) {
        *newpos = f->pos;
    }
    return C9_OK;
}

uint32_t c9_fat_tell(const c9_fat_file_t *f) {
    return f ? f->pos : 0;
}

uint32_t c9_fat_size(const c9_fat_file_t *f) {
    return f ? f->size : 0;
}

c9_err_t c9_fat_truncate(c9_fat_file_t *f, uint32_t size) {
    c9_err_t err = file_enter(f, true);
    if (err) {
        return err;
    }
    c9_fat_t *fs = f->fs;
    if (!(f->flags & C9_FAT_WRITE)) {
        return fat_leave(fs, C9_ERR_FAT_DENIED);
    }
    if (size > f->size) {
        uint32_t put;
        return fat_leave(fs, write_core(f, size, NULL, 0, &put));
    }
    if (size == f->size) {
        return fat_leave(fs, C9_OK);
    }
    uint32_t cs = clust_bytes(fs);
    uint32_t keep = (uint32_t)(((uint64_t)size + cs - 1) / cs);
    uint32_t tail = 0, last = 0;
    if (keep) {
        if ((err = locate(f, keep - 1, &last)) || (err = fat_next(fs, last, &tail))) {
            return fat_leave(fs, err);
        }
    } else {
        tail = f->start;
    }
    // Size first (the chain is then longer than the size, which fsck repairs by cutting it), then
    // the end mark, then the freed tail (unreferenced until freed).
    c9_fat_time_t now = fat_now(fs);
    uint32_t start = keep ? f->start : 0;
    if ((err = entry_update(fs, f->entry_lba, f->entry_off, start, size, &now)) || (err = cache_commit(fs))) {
        return fat_leave(fs, err);
    }
    f->size = size;
    f->start = start;
    f->modified = false;
    f->cur_cluster = f->cur_index = 0;
    f->chain_len = keep;
    f->last_cluster = last;
    files_entry_changed(fs, f);
    if (keep && tail && ((err = fat_set(fs, last, fat_eoc(fs))) || (err = cache_commit(fs)))) {
        return fat_leave(fs, err);
    }
    if (tail && clust_valid(fs, tail)) {
        if (!(err = chain_free(fs, tail))) {
            err = cache_commit(fs);
        }
    }
    return fat_leave(fs, err);
}
