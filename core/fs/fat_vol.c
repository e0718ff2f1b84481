/* FAT volume: mounting, the sector cache, the allocation table and cluster chains. */
#include "fat_internal.h"

#define FSI_LEAD 0x41615252u
#define FSI_STRUC 0x61417272u
#define FSI_TRAIL 0xAA550000u
#define FSI_FREE 488
#define FSI_NEXT 492
#define UNKNOWN 0xFFFFFFFFu

const char *c9_fat_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

c9_fat_time_t c9_fat_time_pack(unsigned year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                               unsigned second) {
    year = year < 1980 ? 0 : (year > 2107 ? 127 : year - 1980);
    month = month < 1 ? 1 : (month > 12 ? 12 : month);
    day = day < 1 ? 1 : (day > 31 ? 31 : day);
    hour = hour > 23 ? 23 : hour;
    minute = minute > 59 ? 59 : minute;
    second = second > 59 ? 59 : second;
    uint32_t date = day | month << 5 | year << 9;
    uint32_t time = second / 2 | minute << 5 | hour << 11;
    return date << 16 | time;
}

void c9_fat_time_unpack(c9_fat_time_t t, unsigned *year, unsigned *month, unsigned *day, unsigned *hour,
                        unsigned *minute, unsigned *second) {
    if (year) {
        *year = 1980 + (t >> 25);
    }
    if (month) {
        *month = (t >> 21) & 15;
    }
    if (day) {
        *day = (t >> 16) & 31;
    }
    if (hour) {
        *hour = (t >> 11) & 31;
    }
    if (minute) {
        *minute = (t >> 5) & 63;
    }
    if (second) {
        *second = (t & 31) * 2;
    }
}

c9_fat_time_t fat_now(c9_fat_t *fs) {
    return fs->cfg.now ? fs->cfg.now(fs->cfg.now_ctx) : c9_fat_time_pack(1980, 1, 1, 0, 0, 0);
}

// ---- cache ---------------------------------------------------------------------------------

static c9_fat_cache_slot_t *slot_find(c9_fat_t *fs, uint32_t lba) {
    for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
        if (fs->cache[i].valid && fs->cache[i].lba == lba) {
            return &fs->cache[i];
        }
    }
    return NULL;
}

static bool in_fat(const c9_fat_t *fs, uint32_t lba) {
    return lba >= fs->fat_lba && lba - fs->fat_lba < fs->fat_sectors;
}

// A FAT sector goes to every copy, the first copy first, so that at a cut the copy fsck and
// FatFs read is the newer one.
static c9_err_t slot_write(c9_fat_t *fs, c9_fat_cache_slot_t *s) {
    unsigned copies = in_fat(fs, s->lba) ? fs->fats : 1;
    for (unsigned i = 0; i < copies; i++) {
        c9_err_t err = c9_blockdev_write(&fs->cfg.bdev, s->lba + i * fs->fat_sectors, s->data, 1);
        if (err) {
            return err;
        }
    }
    s->dirty = 0;
    return C9_OK;
}

c9_err_t cache_get(c9_fat_t *fs, uint32_t lba, bool load, uint8_t **data) {
    c9_fat_cache_slot_t *s = slot_find(fs, lba);
    if (!s) {
        // Victim: an empty slot, else the least recently used clean one, else the least recently
        // used dirty one (written first; callers keep the dirty sectors of one step few).
        c9_fat_cache_slot_t *clean = NULL, *any = NULL;
        for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
            c9_fat_cache_slot_t *c = &fs->cache[i];
            if (!c->valid) {
                clean = c;
                break;
            }
            if (!c->dirty && (!clean || c->used < clean->used)) {
                clean = c;
            }
            if (!any || c->used < any->used) {
                any = c;
            }
        }
        s = clean ? clean : any;
        if (s->valid && s->dirty) {
            c9_err_t err = slot_write(fs, s);
            if (err) {
                return err;
            }
        }
        s->valid = 0;
        s->dirty = 0;
        if (load) {
            c9_err_t err = c9_blockdev_read(&fs->cfg.bdev, lba, s->data, 1);
            if (err) {
                return err;
            }
        }
        s->lba = lba;
        s->valid = 1;
    }
    s->used = ++fs->tick;
    *data = s->data;
    return C9_OK;
}

void cache_dirty(c9_fat_t *fs, uint32_t lba) {
    c9_fat_cache_slot_t *s = slot_find(fs, lba);
    if (s) {
        s->dirty = 1;
    }
}

c9_err_t cache_flush(c9_fat_t *fs, uint32_t lba) {
    c9_fat_cache_slot_t *s = slot_find(fs, lba);
    return s && s->dirty ? slot_write(fs, s) : C9_OK;
}

c9_err_t cache_commit(c9_fat_t *fs) {
    // Oldest first: within a step the order does not matter (each step's writes are
    // independent), but it keeps the device's view close to the order of the changes.
    for (;;) {
        c9_fat_cache_slot_t *s = NULL;
        for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
            c9_fat_cache_slot_t *c = &fs->cache[i];
            if (c->valid && c->dirty && (!s || c->used < s->used)) {
                s = c;
            }
        }
        if (!s) {
            break;
        }
        c9_err_t err = slot_write(fs, s);
        if (err) {
            return err;
        }
    }
    return fs->cfg.sync_barriers ? c9_blockdev_sync(&fs->cfg.bdev) : C9_OK;
}

static void cache_drop_dirty(c9_fat_t *fs) {
    for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
        if (fs->cache[i].dirty) {
            fs->cache[i].valid = 0;
            fs->cache[i].dirty = 0;
        }
    }
}

c9_err_t dev_read(c9_fat_t *fs, uint32_t lba, uint8_t *buf, uint32_t count) {
    c9_err_t err = c9_blockdev_read(&fs->cfg.bdev, lba, buf, count);
    if (err) {
        return err;
    }
    for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
        c9_fat_cache_slot_t *s = &fs->cache[i];
        if (s->valid && s->dirty && s->lba >= lba && s->lba - lba < count) {
            memcpy(buf + (size_t)(s->lba - lba) * SECTOR, s->data, SECTOR);
        }
    }
    return C9_OK;
}

c9_err_t dev_write(c9_fat_t *fs, uint32_t lba, const uint8_t *buf, uint32_t count) {
    c9_err_t err = c9_blockdev_write(&fs->cfg.bdev, lba, buf, count);
    if (err) {
        return err;
    }
    for (unsigned i = 0; i < C9_FAT_CACHE_SECTORS; i++) {
        c9_fat_cache_slot_t *s = &fs->cache[i];
        if (s->valid && s->lba >= lba && s->lba - lba < count) {
            memcpy(s->data, buf + (size_t)(s->lba - lba) * SECTOR, SECTOR);
            s->dirty = 0;
        }
    }
    return C9_OK;
}

c9_err_t dev_zero(c9_fat_t *fs, uint32_t lba, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *d;
        c9_err_t err = cache_get(fs, lba + i, false, &d);
        if (err) {
            return err;
        }
        memset(d, 0, SECTOR);
        cache_dirty(fs, lba + i);
        if ((err = cache_flush(fs, lba + i))) {
            return err;
        }
    }
    return C9_OK;
}

// ---- entry and exit of public calls --------------------------------------------------------

c9_err_t fsinfo_invalidate(c9_fat_t *fs) {
    if (!fs->fsinfo_lba || !fs->fsinfo_valid_on_disk) {
        return C9_OK;
    }
    uint8_t *d;
    c9_err_t err = cache_get(fs, fs->fsinfo_lba, true, &d);
    if (err) {
        return err;
    }
    st32(d + FSI_FREE, UNKNOWN);
    cache_dirty(fs, fs->fsinfo_lba);
    if ((err = cache_flush(fs, fs->fsinfo_lba))) {
        return err;
    }
    fs->fsinfo_valid_on_disk = 0;
    return C9_OK;
}

c9_err_t fat_enter(c9_fat_t *fs, bool write) {
    if (!fs || !fs->mounted) {
        return C9_ERR_BADF;
    }
    if (fs->busy) {
        return C9_ERR_BUSY;
    }
    if (write && fs->cfg.readonly) {
        return C9_ERR_FAT_ROFS;
    }
    fs->busy = 1;
    if (write) {
        // Before the first change of this mount reaches the FAT, FSInfo's free count becomes
        // "unknown", so that no cut leaves a count that disagrees with the FAT.
        c9_err_t err = fsinfo_invalidate(fs);
        if (err) {
            fs->busy = 0;
            return err;
        }
    }
    return C9_OK;
}

c9_err_t fat_leave(c9_fat_t *fs, c9_err_t err) {
    if (err >= 0) {
        c9_err_t e = cache_commit(fs);
        if (e) {
            err = e;
        }
    }
    if (err < 0) {
        cache_drop_dirty(fs);
        fs->free_count = UNKNOWN;
    }
    fs->busy = 0;
    return err;
}

// ---- FAT entries ---------------------------------------------------------------------------

uint32_t fat_eoc(const c9_fat_t *fs) {
    return fs->type == 12 ? 0xFFF : fs->type == 16 ? 0xFFFF : 0x0FFFFFFF;
}

static bool fat12_straddles(uint32_t c) {
    return ((c + c / 2) & (SECTOR - 1)) == SECTOR - 1;
}

static c9_err_t fat_byte(c9_fat_t *fs, uint32_t off, uint8_t *b) {
    uint8_t *d;
    c9_err_t err = cache_get(fs, fs->fat_lba + off / SECTOR, true, &d);
    if (!err) {
        *b = d[off % SECTOR];
    }
    return err;
}

c9_err_t fat_get(c9_fat_t *fs, uint32_t c, uint32_t *value) {
    if (c >= fs->clusters + 2) {
        return C9_ERR_FAT_CHAIN;
    }
    uint8_t *d;
    c9_err_t err;
    if (fs->type == 12) {
        uint32_t off = c + c / 2;
        uint8_t lo, hi;
        if ((err = fat_byte(fs, off, &lo)) || (err = fat_byte(fs, off + 1, &hi))) {
            return err;
        }
        uint32_t v = (uint32_t)lo | (uint32_t)hi << 8;
        *value = c & 1 ? v >> 4 : v & 0xFFF;
        return C9_OK;
    }
    uint32_t off = fs->type == 16 ? c * 2 : c * 4;
    if ((err = cache_get(fs, fs->fat_lba + off / SECTOR, true, &d))) {
        return err;
    }
    *value = fs->type == 16 ? ld16(d + off % SECTOR) : ld32(d + off % SECTOR) & 0x0FFFFFFF;
    return C9_OK;
}

static c9_err_t set_byte(c9_fat_t *fs, uint32_t off, uint8_t mask, uint8_t bits) {
    uint8_t *d;
    uint32_t lba = fs->fat_lba + off / SECTOR;
    c9_err_t err = cache_get(fs, lba, true, &d);
    if (err) {
        return err;
    }
    d[off % SECTOR] = (uint8_t)((d[off % SECTOR] & ~mask) | (bits & mask));
    cache_dirty(fs, lba);
    return C9_OK;
}

// The value a FAT12 entry reads as when only one of its two bytes has been written.
static uint32_t fat12_mix(uint32_t c, uint32_t lo_from, uint32_t hi_from) {
    uint32_t a = c & 1 ? lo_from << 4 : lo_from, b = c & 1 ? hi_from << 4 : hi_from;
    uint32_t v = (a & 0xFF) | (b & 0xFF00);
    return c & 1 ? v >> 4 : v & 0xFFF;
}

static bool fat12_safe(const c9_fat_t *fs, uint32_t v, uint32_t old, uint32_t new) {
    return v == old || v == new || v == 0 || v >= fs->clusters + 2;
}

c9_err_t fat_set(c9_fat_t *fs, uint32_t c, uint32_t value) {
    if (!clust_valid(fs, c)) {
        return C9_ERR_FAT_CHAIN;
    }
    c9_err_t err;
    if (fs->type == 12) {
        uint32_t off = c + c / 2;
        uint32_t v = c & 1 ? (value & 0xFFF) << 4 : value & 0xFFF;
        uint8_t lo_mask = c & 1 ? 0xF0 : 0xFF, hi_mask = c & 1 ? 0xFF : 0x0F;
        if (!fat12_straddles(c)) {
            if ((err = set_byte(fs, off, lo_mask, (uint8_t)v)) ||
                (err = set_byte(fs, off + 1, hi_mask, (uint8_t)(v >> 8)))) {
                return err;
            }
            return C9_OK;
        }
        // The entry's two bytes are in two sectors, so one write leaves it half old, half new.
        // Write first the half that leaves a value naming no other file's cluster: free, end of
        // chain or out of range, at worst cutting this chain short.
        uint32_t old;
        if ((err = fat_get(fs, c, &old))) {
            return err;
        }
        value &= 0xFFF;
        bool lo_first = fat12_safe(fs, fat12_mix(c, value, old), old, value) ||
                        !fat12_safe(fs, fat12_mix(c, old, value), old, value);
        uint32_t lba_lo = fs->fat_lba + off / SECTOR, lba_hi = lba_lo + 1;
        if ((err = cache_commit(fs))) {
            return err;
        }
        if ((err = set_byte(fs, off, lo_mask, (uint8_t)v)) ||
            (err = set_byte(fs, off + 1, hi_mask, (uint8_t)(v >> 8)))) {
            return err;
        }
        if ((err = cache_flush(fs, lo_first ? lba_lo : lba_hi))) {
            return err;
        }
        return cache_flush(fs, lo_first ? lba_hi : lba_lo);
    }
    uint8_t *d;
    uint32_t off = fs->type == 16 ? c * 2 : c * 4;
    uint32_t lba = fs->fat_lba + off / SECTOR;
    if ((err = cache_get(fs, lba, true, &d))) {
        return err;
    }
    if (fs->type == 16) {
        st16(d + off % SECTOR, (uint16_t)value);
    } else {
        // The top four bits of a FAT32 entry are reserved and kept.
        st32(d + off % SECTOR, (ld32(d + off % SECTOR) & 0xF0000000) | (value & 0x0FFFFFFF));
    }
    cache_dirty(fs, lba);
    return C9_OK;
}

c9_err_t fat_next(c9_fat_t *fs, uint32_t c, uint32_t *next) {
    uint32_t v;
    c9_err_t err = fat_get(fs, c, &v);
    if (err) {
        return err;
    }
    uint32_t eoc_min = fat_eoc(fs) - 7;
    if (v >= eoc_min) {
        *next = 0;
        return C9_OK;
    }
    if (!clust_valid(fs, v)) {
        return C9_ERR_FAT_CHAIN; // free, reserved, bad or past the end
    }
    *next = v;
    return C9_OK;
}

c9_err_t chain_info(c9_fat_t *fs, uint32_t start, uint32_t *len, uint32_t *last) {
    *len = 0;
    *last = 0;
    if (start == 0) {
        return C9_OK;
    }
    if (!clust_valid(fs, start)) {
        return C9_ERR_FAT_CHAIN;
    }
    uint32_t c = start;
    for (uint32_t n = 1; n <= fs->clusters; n++) {
        uint32_t next;
        c9_err_t err = fat_next(fs, c, &next);
        if (err) {
            return err;
        }
        if (next == 0) {
            *len = n;
            *last = c;
            return C9_OK;
        }
        c = next;
    }
    return C9_ERR_FAT_CHAIN; // longer than the volume: a loop
}

c9_err_t chain_alloc(c9_fat_t *fs, uint32_t near, uint32_t want, uint32_t *first, uint32_t *last, uint32_t *got) {
    *first = *last = *got = 0;
    if (want == 0) {
        return C9_OK;
    }
    uint32_t c = clust_valid(fs, near) ? near : (clust_valid(fs, fs->next_free) ? fs->next_free : 2);
    c9_err_t err = C9_OK;
    for (uint32_t n = 0; n < fs->clusters && *got < want; n++) {
        c = c + 1 < fs->clusters + 2 ? c + 1 : 2;
        // FAT12 entries that span two sectors are never allocated: writing one is two writes,
        // and half of a new link could name another file's cluster. They cost 2 clusters in 1024.
        if (fs->type == 12 && fat12_straddles(c)) {
            continue;
        }
        uint32_t v;
        if ((err = fat_get(fs, c, &v))) {
            break;
        }
        if (v != 0) {
            continue;
        }
        if ((err = fat_set(fs, c, fat_eoc(fs)))) {
            break;
        }
        if (*last && (err = fat_set(fs, *last, c))) {
            break;
        }
        if (!*first) {
            *first = c;
        }
        *last = c;
        ++*got;
        if (fs->free_count != UNKNOWN) {
            fs->free_count--;
        }
        fs->next_free = c;
    }
    if (err) {
        return err;
    }
    if (*got == 0) {
        fs->free_count = 0;
        return C9_ERR_FAT_NOSPC;
    }
    return C9_OK;
}

c9_err_t chain_free(c9_fat_t *fs, uint32_t start) {
    uint32_t c = start;
    for (uint32_t n = 0; c && n < fs->clusters; n++) {
        uint32_t next;
        c9_err_t err = fat_next(fs, c, &next);
        if (err) {
            return err;
        }
        if ((err = fat_set(fs, c, 0))) {
            return err;
        }
        if (fs->free_count != UNKNOWN) {
            fs->free_count++;
        }
        c = next;
    }
    return c ? C9_ERR_FAT_CHAIN : C9_OK;
}

// ---- mounting ------------------------------------------------------------------------------

static bool pow2(uint32_t v) {
    return v && !(v & (v - 1));
}

// Whether a block is a FAT boot sector rather than an MBR: the signature, an x86 jump, and either
// a file system type string (what FatFs looks for) or plausible first fields. A boot sector that
// passes this but describes no valid volume is C9_ERR_FAT_BPB, not "no file system".
bool c9_fat_is_boot_sector(const uint8_t block[512]) {
    const uint8_t *b = block;
    if (b[510] != 0x55 || b[511] != 0xAA) {
        return false;
    }
    if (b[0] != 0xEB && b[0] != 0xE9 && b[0] != 0xE8) {
        return false;
    }
    if (!memcmp(b + 3, "EXFAT   ", 8) || !memcmp(b + 54, "FAT", 3) || !memcmp(b + 82, "FAT32", 5)) {
        return true;
    }
    uint16_t bps = ld16(b + 11);
    return pow2(bps) && bps >= 128 && pow2(b[13]) && ld16(b + 14) != 0 && b[16] != 0;
}

static c9_err_t parse_bpb(c9_fat_t *fs, const uint8_t *b, uint32_t vol, uint32_t dev_blocks) {
    if (!memcmp(b + 3, "EXFAT   ", 8)) {
        return C9_ERR_NOTSUP;
    }
    uint32_t bps = ld16(b + 11);
    if (bps != SECTOR) {
        return pow2(bps) && bps >= 128 && bps <= 4096 ? C9_ERR_NOTSUP : C9_ERR_FAT_BPB;
    }
    uint32_t spc = b[13], rsv = ld16(b + 14), nfats = b[16], rootent = ld16(b + 17);
    if (!pow2(spc) || rsv == 0 || nfats == 0 || nfats > 2 || rootent % ENTRIES_PER_SECTOR) {
        return C9_ERR_FAT_BPB;
    }
    uint32_t total = ld16(b + 19) ? ld16(b + 19) : ld32(b + 32);
    uint32_t fatsz = ld16(b + 22) ? ld16(b + 22) : ld32(b + 36);
    if (fatsz == 0 || total == 0) {
        return C9_ERR_FAT_BPB;
    }
    uint64_t sys = (uint64_t)rsv + (uint64_t)fatsz * nfats + rootent / ENTRIES_PER_SECTOR;
    if (sys >= total) {
        return C9_ERR_FAT_BPB;
    }
    if ((uint64_t)vol + total > dev_blocks) {
        return C9_ERR_FAT_BPB; // the volume runs past the end of the device
    }
    uint8_t shift = 0;
    while ((1u << shift) < spc) {
        shift++;
    }
    uint32_t clusters = (uint32_t)((total - sys) >> shift);
    if (clusters == 0 || clusters > 0x0FFFFFF5) {
        return C9_ERR_FAT_BPB;
    }
    // The type comes from the cluster count alone (FAT specification; Linux and Windows agree).
    uint8_t type = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
    uint64_t need = type == 12 ? ((uint64_t)clusters + 2) * 3 / 2 + 1 : ((uint64_t)clusters + 2) * (type / 8);
    if (need > (uint64_t)fatsz * SECTOR) {
        return C9_ERR_FAT_BPB;
    }
    if (type == 32) {
        if (rootent != 0 || ld16(b + 22) != 0) {
            return C9_ERR_FAT_BPB;
        }
        if (ld16(b + 42) != 0) {
            return C9_ERR_NOTSUP; // FAT32 version
        }
        fs->root_cluster = ld32(b + 44) & 0x0FFFFFFF;
        if (fs->root_cluster < 2 || fs->root_cluster - 2 >= clusters) {
            return C9_ERR_FAT_BPB;
        }
        uint32_t fsi = ld16(b + 48);
        fs->fsinfo_lba = fsi >= 1 && fsi < rsv ? vol + fsi : 0;
        fs->volume_id = b[66] == 0x29 ? ld32(b + 67) : 0;
    } else {
        if (rootent == 0 || ld16(b + 22) == 0) {
            return C9_ERR_FAT_BPB;
        }
        fs->volume_id = b[38] == 0x29 ? ld32(b + 39) : 0;
    }
    fs->type = type;
    fs->fats = (uint8_t)nfats;
    fs->cluster_shift = shift;
    fs->vol_lba = vol;
    fs->vol_sectors = total;
    fs->fat_lba = vol + rsv;
    fs->fat_sectors = fatsz;
    fs->root_lba = fs->fat_lba + fatsz * nfats;
    fs->root_sectors = rootent / ENTRIES_PER_SECTOR;
    fs->data_lba = fs->root_lba + fs->root_sectors;
    fs->clusters = clusters;
    return C9_OK;
}

static c9_err_t read_fsinfo(c9_fat_t *fs) {
    uint8_t *d;
    c9_err_t err = cache_get(fs, fs->fsinfo_lba, true, &d);
    if (err) {
        return err;
    }
    if (ld32(d) != FSI_LEAD || ld32(d + 484) != FSI_STRUC || ld32(d + 508) != FSI_TRAIL) {
        fs->fsinfo_lba = 0; // not an FSInfo block: never written
        return C9_OK;
    }
    uint32_t free = ld32(d + FSI_FREE), next = ld32(d + FSI_NEXT);
    fs->fsinfo_valid_on_disk = free != UNKNOWN;
    // Only a hint: used to start allocation searches, never as the free count itself.
    if (clust_valid(fs, next)) {
        fs->next_free = next;
    }
    return C9_OK;
}

c9_err_t c9_fat_mount(c9_fat_t *fs, const c9_fat_config_t *cfg) {
    if (!fs || !cfg || !cfg->bdev.read || !cfg->bdev.count || cfg->partition > 4) {
        return C9_ERR_INVAL;
    }
    memset(fs, 0, sizeof *fs);
    fs->cfg = *cfg;
    if (!cfg->bdev.write) {
        fs->cfg.readonly = true;
    }
    fs->free_count = UNKNOWN;
    uint32_t blocks;
    c9_err_t err = c9_blockdev_count(&cfg->bdev, &blocks);
    if (err) {
        return err;
    }
    if (blocks == 0) {
        return C9_ERR_FAT_NOFS;
    }
    uint8_t *b;
    if ((err = cache_get(fs, 0, true, &b))) {
        return err;
    }
    uint32_t vol = 0;
    if (cfg->partition == 0 && c9_fat_is_boot_sector(b)) {
        vol = 0;
    } else {
        c9_mbr_part_t parts[4];
        err = c9_mbr_parse(b, parts);
        if (err) {
            return cfg->partition ? err : C9_ERR_FAT_NOFS;
        }
        if (cfg->partition) {
            const c9_mbr_part_t *p = &parts[cfg->partition - 1];
            if (p->type == 0) {
                return C9_ERR_MBR_NONE;
            }
            if (p->start == 0 || p->start >= blocks) {
                return C9_ERR_MBR_RANGE;
            }
            vol = p->start;
        } else {
            // FatFs's rule: the first partition whose first block is a FAT boot sector.
            bool found = false;
            for (int i = 0; i < 4 && !found; i++) {
                if (parts[i].type == 0 || parts[i].start == 0 || parts[i].start >= blocks) {
                    continue;
                }
                if ((err = cache_get(fs, parts[i].start, true, &b))) {
                    return err;
                }
                if (c9_fat_is_boot_sector(b)) {
                    vol = parts[i].start;
                    found = true;
                }
            }
            if (!found) {
                return C9_ERR_FAT_NOFS;
            }
        }
    }
    if ((err = cache_get(fs, vol, true, &b))) {
        return err;
    }
    if (!c9_fat_is_boot_sector(b)) {
        return C9_ERR_FAT_NOFS;
    }
    if ((err = parse_bpb(fs, b, vol, blocks))) {
        return err;
    }
    if (fs->fsinfo_lba && (err = read_fsinfo(fs))) {
        return err;
    }
    fs->mounted = 1;
    return C9_OK;
}

static c9_err_t write_fsinfo(c9_fat_t *fs) {
    if (!fs->fsinfo_lba || fs->free_count == UNKNOWN || fs->cfg.readonly) {
        return C9_OK;
    }
    uint8_t *d;
    c9_err_t err = cache_get(fs, fs->fsinfo_lba, true, &d);
    if (err) {
        return err;
    }
    st32(d + FSI_FREE, fs->free_count);
    st32(d + FSI_NEXT, fs->next_free);
    cache_dirty(fs, fs->fsinfo_lba);
    if ((err = cache_flush(fs, fs->fsinfo_lba))) {
        return err;
    }
    fs->fsinfo_valid_on_disk = 1;
    return C9_OK;
}

c9_err_t c9_fat_unmount(c9_fat_t *fs) {
    if (!fs || !fs->mounted) {
        return C9_ERR_BADF;
    }
    if (fs->busy) {
        return C9_ERR_BUSY;
    }
    c9_err_t first = C9_OK;
    while (fs->files) {
        c9_err_t err = c9_fat_close(fs->files);
        if (err && !first) {
            first = err; // close unlinks the file even when writing its entry fails
        }
    }
    fs->busy = 1;
    c9_err_t err = write_fsinfo(fs);
    err = fat_leave(fs, err);
    if (err && !first) {
        first = err;
    }
    if (!fs->cfg.readonly) {
        err = c9_blockdev_sync(&fs->cfg.bdev);
        if (err && !first) {
            first = err;
        }
    }
    fs->mounted = 0;
    return first;
}

c9_err_t c9_fat_sync(c9_fat_t *fs) {
    c9_err_t err = C9_OK;
    if (!fs || !fs->mounted) {
        return C9_ERR_BADF;
    }
    for (c9_fat_file_t *f = fs->files; f && !err; f = f->next) {
        err = c9_fat_file_sync(f);
    }
    if (!err && !fs->cfg.readonly) {
        if (fs->busy) {
            return C9_ERR_BUSY;
        }
        err = c9_blockdev_sync(&fs->cfg.bdev);
    }
    return err;
}

static c9_err_t count_free(c9_fat_t *fs) {
    uint32_t n = 0;
    for (uint32_t c = 2; c < fs->clusters + 2; c++) {
        uint32_t v;
        c9_err_t err = fat_get(fs, c, &v);
        if (err) {
            return err;
        }
        n += v == 0;
    }
    fs->free_count = n;
    return C9_OK;
}

c9_err_t c9_fat_space(c9_fat_t *fs, c9_fat_space_t *out) {
    if (!out) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = fat_enter(fs, false);
    if (err) {
        return err;
    }
    if (fs->free_count == UNKNOWN) {
        err = count_free(fs);
    }
    if (!err) {
        out->cluster_bytes = clust_bytes(fs);
        out->clusters = fs->clusters;
        out->free_clusters = fs->free_count;
    }
    return fat_leave(fs, err);
}

uint8_t c9_fat_type(const c9_fat_t *fs) {
    return fs->type;
}

uint32_t c9_fat_volume_id(const c9_fat_t *fs) {
    return fs->volume_id;
}
