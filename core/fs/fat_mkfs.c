/* Formatting, as CircuitPython 9 formats CIRCUITPY (FatFs f_mkfs with CircuitPython's changes). */
#include "fat_internal.h"

// Cluster counts. The FAT specification (and Linux, Windows, fsck) read a volume with fewer than
// 4085 clusters as FAT12 and fewer than 65525 as FAT16; FatFs's limits are one higher (0xFF5,
// 0xFFF5). FatFs's value is kept where it only steers the first guess, the specification's where
// it decides the type, so that no volume is written that others read as another type.
#define FATFS_GUESS_FAT12 0xFF5u
#define MAX_FAT12 4084u
#define MAX_FAT16 65524u
#define MAX_FAT32 0x0FFFFFF5u

typedef struct layout {
    uint8_t type;
    uint32_t spc, rsv, fat_sectors, root_entries, clusters;
} layout_t;

// The geometry FatFs's f_mkfs chooses (lib/oofatfs/ff.c in CircuitPython 9.2.9) for a volume of
// sz sectors with one or two FATs and an erase block of one sector, restated:
//   - FAT12/16: cluster size from the size in 4096-sector steps (1 sector below 2 MiB, doubling
//     at 2, 8, 32, 128, 512 MiB and 1 GiB), 1 reserved sector, 512 root entries (CircuitPython:
//     128 for volumes of 256 sectors or fewer), FAT sized for sz / cluster clusters;
//   - FAT32: cluster size from the size in 128 Ki-sector steps (1 sector below 64 MiB, doubling
//     at 64, 128, 256, 512 MiB, 1 and 2 GiB), 32 reserved sectors, no fixed root;
//   - too many clusters for FAT16: double the cluster up to 64 sectors, then FAT32 if allowed,
//     then up to 128 sectors; too few for FAT16 or FAT32: grow or halve the cluster and retry.
static c9_err_t choose(uint32_t sz, uint32_t au, uint8_t formats, uint32_t fats, layout_t *l) {
    static const uint32_t fat_steps[] = {1, 4, 16, 64, 256, 512};
    static const uint32_t fat32_steps[] = {1, 2, 4, 8, 16, 32};
    uint8_t type = (formats & C9_FAT_FMT_FAT32) && !(formats & C9_FAT_FMT_FAT) ? 32 : 16;
    for (int guard = 0; guard < 64; guard++) {
        uint32_t pau = au, n, fat_sectors, rsv, root_entries = 0, dir_sectors = 0;
        uint32_t clusters;
        if (type == 32) {
            if (pau == 0) {
                n = sz / 0x20000;
                pau = 1;
                for (unsigned i = 0; i < C9_ARRAY_SIZE(fat32_steps) && fat32_steps[i] <= n; i++) {
                    pau <<= 1;
                }
            }
            clusters = sz / pau;
            fat_sectors = (uint32_t)(((uint64_t)clusters * 4 + 8 + SECTOR - 1) / SECTOR);
            rsv = 32;
            if (clusters <= MAX_FAT16 || clusters > MAX_FAT32) {
                return C9_ERR_FAT_NOSPC;
            }
        } else {
            if (pau == 0) {
                n = sz / 0x1000;
                pau = 1;
                for (unsigned i = 0; i < C9_ARRAY_SIZE(fat_steps) && fat_steps[i] <= n; i++) {
                    pau <<= 1;
                }
            }
            clusters = sz / pau;
            uint32_t bytes;
            if (clusters > FATFS_GUESS_FAT12) {
                bytes = clusters * 2 + 4;
            } else {
                type = 12;
                bytes = (clusters * 3 + 1) / 2 + 3;
            }
            fat_sectors = (bytes + SECTOR - 1) / SECTOR;
            rsv = 1;
            root_entries = sz <= 256 ? 128 : 512;
            dir_sectors = root_entries * DIRENT / SECTOR;
        }
        uint64_t data = (uint64_t)rsv + (uint64_t)fat_sectors * fats + dir_sectors;
        if ((uint64_t)sz < data + (uint64_t)pau * 16) {
            return C9_ERR_FAT_NOSPC;
        }
        clusters = (uint32_t)((sz - data) / pau);
        if (type == 32 && clusters <= MAX_FAT16) {
            if (au == 0 && (au = pau / 2) != 0) {
                continue;
            }
            return C9_ERR_FAT_NOSPC;
        }
        if (type == 16) {
            if (clusters > MAX_FAT16) {
                if (au == 0 && pau * 2 <= 64) {
                    au = pau * 2;
                    continue;
                }
                if (formats & C9_FAT_FMT_FAT32) {
                    type = 32;
                    continue;
                }
                if (au == 0 && (au = pau * 2) <= 128) {
                    continue;
                }
                return C9_ERR_FAT_NOSPC;
            }
            if (clusters <= MAX_FAT12) {
                if (au == 0 && (au = pau * 2) <= 128) {
                    continue;
                }
                return C9_ERR_FAT_NOSPC;
            }
        }
        if (type == 12 && clusters > MAX_FAT12) {
            // FatFs would keep FAT12 up to 4085 clusters; the specification (and so Linux,
            // Windows, fsck) reads 4085 as FAT16. Grow the cluster instead, as FatFs does for
            // the other limits.
            if (au == 0 && (au = pau * 2) <= 128) {
                continue;
            }
            return C9_ERR_FAT_NOSPC;
        }
        l->type = type;
        l->spc = pau;
        l->rsv = rsv;
        l->fat_sectors = fat_sectors;
        l->root_entries = root_entries;
        l->clusters = clusters;
        return C9_OK;
    }
    return C9_ERR_FAT_NOSPC;
}

static c9_err_t write_zeros(const c9_blockdev_t *bd, uint8_t *buf, uint32_t chunk, uint32_t lba, uint32_t count) {
    memset(buf, 0, (size_t)chunk * SECTOR);
    while (count) {
        uint32_t n = C9_MIN(count, chunk);
        c9_err_t err = c9_blockdev_write(bd, lba, buf, n);
        if (err) {
            return err;
        }
        lba += n;
        count -= n;
    }
    return C9_OK;
}

c9_err_t c9_fat_mkfs(const c9_blockdev_t *bd, const c9_fat_mkfs_opts_t *opts, void *work, size_t work_size) {
    static const c9_fat_mkfs_opts_t none = {0};
    const c9_fat_mkfs_opts_t *o = opts ? opts : &none;
    if (!bd || !work || work_size < SECTOR || (o->formats & ~(C9_FAT_FMT_FAT | C9_FAT_FMT_FAT32)) || o->fats > 2) {
        return C9_ERR_INVAL;
    }
    if (o->cluster_bytes &&
        (o->cluster_bytes < SECTOR || o->cluster_bytes > 65536 || (o->cluster_bytes & (o->cluster_bytes - 1)))) {
        return C9_ERR_INVAL;
    }
    if (!bd->write) {
        return C9_ERR_PERM;
    }
    uint8_t label[11];
    size_t label_len = 0;
    if (o->label) {
        // Checked before anything is written.
        c9_err_t err = fat_label_bytes(o->label, label, &label_len);
        if (err) {
            return err;
        }
    }
    uint32_t sz;
    c9_err_t err = c9_blockdev_count(bd, &sz);
    if (err) {
        return err;
    }
    uint32_t fats = o->fats ? o->fats : 1;
    uint8_t formats = o->formats ? o->formats : C9_FAT_FMT_FAT;
    layout_t l;
    if ((err = choose(sz, o->cluster_bytes / SECTOR, formats, fats, &l))) {
        return err;
    }
    uint8_t *buf = work;
    uint32_t chunk = (uint32_t)C9_MIN(work_size / SECTOR, 256u);
    uint32_t fat_lba = l.rsv, root_lba = fat_lba + l.fat_sectors * fats;
    uint32_t root_sectors = l.type == 32 ? l.spc : l.root_entries * DIRENT / SECTOR;
    // Everything but the boot sector first: a cut during formatting leaves no half volume that
    // mounts. Reserved sectors, FATs and the root directory start as zeros.
    if ((err = write_zeros(bd, buf, chunk, 1, root_lba + root_sectors - 1))) {
        return err;
    }
    memset(buf, 0, SECTOR);
    if (l.type == 12) {
        buf[0] = 0xF8, buf[1] = 0xFF, buf[2] = 0xFF;
    } else if (l.type == 16) {
        st32(buf, 0xFFFFFFF8);
    } else {
        st32(buf, 0xFFFFFFF8);
        st32(buf + 4, 0xFFFFFFFF);
        st32(buf + 8, 0x0FFFFFFF); // the root directory's cluster
    }
    for (uint32_t i = 0; i < fats; i++) {
        if ((err = c9_blockdev_write(bd, fat_lba + i * l.fat_sectors, buf, 1))) {
            return err;
        }
    }
    if (label_len) {
        memset(buf, 0, SECTOR);
        memcpy(buf, label, 11);
        buf[DIR_ATTR] = C9_FAT_ATTR_VOLUME;
        if ((err = c9_blockdev_write(bd, root_lba, buf, 1))) {
            return err;
        }
    }
    if (l.type == 32) {
        memset(buf, 0, SECTOR);
        st32(buf, 0x41615252);
        st32(buf + 484, 0x61417272);
        st32(buf + 488, l.clusters - 1); // cluster 2 holds the root directory
        st32(buf + 492, 2);
        buf[510] = 0x55, buf[511] = 0xAA;
        if ((err = c9_blockdev_write(bd, 7, buf, 1)) || (err = c9_blockdev_write(bd, 1, buf, 1))) {
            return err;
        }
    }
    memset(buf, 0, SECTOR);
    memcpy(buf, "\xEB\xFE\x90MSDOS5.0", 11);
    st16(buf + 11, SECTOR);
    buf[13] = (uint8_t)l.spc;
    st16(buf + 14, (uint16_t)l.rsv);
    buf[16] = (uint8_t)fats;
    st16(buf + 17, (uint16_t)l.root_entries);
    if (sz < 0x10000) {
        st16(buf + 19, (uint16_t)sz);
    } else {
        st32(buf + 32, sz);
    }
    buf[21] = 0xF8;
    st16(buf + 24, 63);
    st16(buf + 26, 255);
    st32(buf + 28, o->hidden_sectors);
    if (l.type == 32) {
        st32(buf + 36, l.fat_sectors);
        st32(buf + 44, 2);
        st16(buf + 48, 1);
        st16(buf + 50, 6);
        buf[64] = 0x80;
        buf[66] = 0x29;
        st32(buf + 67, o->volume_id);
        memcpy(buf + 71, label_len ? label : (const uint8_t *)"NO NAME    ", 11);
        memcpy(buf + 82, "FAT32   ", 8);
    } else {
        st16(buf + 22, (uint16_t)l.fat_sectors);
        buf[36] = 0x80;
        buf[38] = 0x29;
        st32(buf + 39, o->volume_id);
        memcpy(buf + 43, label_len ? label : (const uint8_t *)"NO NAME    ", 11);
        memcpy(buf + 54, "FAT     ", 8);
    }
    buf[510] = 0x55, buf[511] = 0xAA;
    if (l.type == 32 && (err = c9_blockdev_write(bd, 6, buf, 1))) {
        return err;
    }
    if ((err = c9_blockdev_write(bd, 0, buf, 1))) {
        return err;
    }
    return c9_blockdev_sync(bd);
}
