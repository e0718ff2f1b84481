/*
 * circuit9 FAT: FAT12, FAT16 and FAT32 volumes with long file names (VFAT), read and write,
 * over a c9_blockdev_t. This is what storage.VfsFat, the CIRCUITPY drive and SD cards sit on.
 *
 *     c9_fat_t fs;                       // caller memory: no allocation anywhere in this module
 *     c9_fat_config_t cfg = {.bdev = bd};
 *     c9_err_t err = c9_fat_mount(&fs, &cfg);
 *     c9_fat_file_t f;
 *     err = c9_fat_open(&fs, &f, "/lib/data.txt", C9_FAT_WRITE | C9_FAT_CREATE | C9_FAT_TRUNC);
 *     size_t n;
 *     err = c9_fat_write(&f, "hello", 5, &n);
 *     err = c9_fat_close(&f);
 *     err = c9_fat_unmount(&fs);
 *
 * Paths are UTF-8, '/'-separated, from the volume root (a leading '/' is optional; "." and ".."
 * components work as in FatFs). Names compare case-insensitively; a name that fits 8.3 in one
 * case per part is stored as a short entry only (with the NT lower-case flags), any other name
 * gets long-name entries and a generated short name ("LONGFI~1.TXT").
 *
 * Power cuts. Every call that changes the volume writes in an order that keeps the volume
 * consistent at each block write, and every call ends with everything written (nothing is held
 * dirty between calls; c9_fat_sync() only adds the device's own sync). At a cut:
 *   - files and directories other than the one the interrupted call was changing are intact;
 *   - the one being changed has its old or its new state, except for these windows, which
 *     fsck.fat repairs by truncating or by taking one of the two names:
 *       - growing a file that already has clusters: the new clusters are linked before the size
 *         is written, so the chain is longer than the size (the old size and data are kept);
 *       - shrinking a file: the size is written before the chain is cut (same repair);
 *       - rename: the new entry is written before the old one is removed, so for one write both
 *         names refer to the file (in one write when both entries share a block);
 *       - a name set across sectors (over 195 characters): the short entry is written alone
 *         first, so between the sectors part of the long name is an orphan that fsck deletes;
 *       - the label: the root directory entry is written before the boot sector's copy;
 *   - clusters being allocated or freed may be allocated but unreferenced ("lost": free space
 *     that fsck reclaims, never data); on a volume with two FATs, the second copy may lag the
 *     first by the last block written.
 * The order relies on the device finishing one write before the next starts (or on the sync
 * operation, which c9_fat_config_t.sync_barriers calls between dependent steps). docs/storage.md
 * lists the order of every operation.
 *
 * FAT32 free-space count (FSInfo) is a hint: the first change after mounting marks it unknown,
 * c9_fat_unmount() writes the real count when it is known. The dirty bits in FAT[1] are never
 * touched.
 *
 * Corrupt volumes give errors, never crashes or endless loops: every cluster chain walk is
 * bounded by the number of clusters, every directory by 65536 entries, a boot sector is checked
 * field by field. Cross-linked chains are found by c9_fat_check(), not by ordinary calls.
 *
 * Not thread-safe: callers serialise calls on one volume. A call made while another call on the
 * same volume is running (from a block device callback, say) returns C9_ERR_BUSY.
 *
 * Open files are caller structs linked into the volume until closed: they must stay in place and
 * be closed (or the volume unmounted) before their memory is reused. Open directories are not
 * linked; one removed while being listed reads as whatever its clusters hold next (bounded).
 *
 * Error codes (band -2000..-2099, shared with blockdev.h). The errno named is what a binding
 * raises; FatFs's result for the same case is given where CircuitPython's message depends on it.
 */
#ifndef CIRCUIT9_FAT_H
#define CIRCUIT9_FAT_H

#include "circuit9/blockdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Configuration (include/circuit9/config.h): C9_FAT_CACHE_SECTORS, C9_FAT_NAME_BUF,
 * C9_FAT_CHECK_DEPTH. */
#if C9_FAT_CACHE_SECTORS < 2
#error "C9_FAT_CACHE_SECTORS must be at least 2"
#endif
#if C9_FAT_NAME_BUF < 13
#error "C9_FAT_NAME_BUF must hold an 8.3 name (13 bytes)"
#endif

/* Domain errors C9_ERR_FAT_* (common.h's error table, band fs; docs/storage.md gives the errno and
 * FatFs result each corresponds to). */

/* Attribute bits of a directory entry. */
enum {
    C9_FAT_ATTR_RDONLY = 0x01,
    C9_FAT_ATTR_HIDDEN = 0x02,
    C9_FAT_ATTR_SYSTEM = 0x04,
    C9_FAT_ATTR_VOLUME = 0x08,
    C9_FAT_ATTR_DIR = 0x10,
    C9_FAT_ATTR_ARCHIVE = 0x20,
};

/* c9_fat_open() flags. Python's modes: "r" READ; "w" WRITE|CREATE|TRUNC; "a" WRITE|CREATE|APPEND;
 * "x" WRITE|CREATE|EXCL; "+" adds READ|WRITE. */
enum {
    C9_FAT_READ = 0x01,
    C9_FAT_WRITE = 0x02,
    C9_FAT_CREATE = 0x04, /* create the file when missing */
    C9_FAT_EXCL = 0x08,   /* with CREATE: C9_ERR_EXIST when present */
    C9_FAT_TRUNC = 0x10,  /* empty the file when opened (needs WRITE) */
    C9_FAT_APPEND = 0x20, /* every write goes to the end of the file */
};

/* A FAT timestamp: date in the high 16 bits (day | month << 5 | (year - 1980) << 9), time in the
 * low 16 (second / 2 | minute << 5 | hour << 11). Local time, as FAT keeps it. */
typedef uint32_t c9_fat_time_t;

/* Packs a date and time (year 1980-2107, second rounded down to even). Out-of-range fields are
 * clamped. */
c9_fat_time_t c9_fat_time_pack(unsigned year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                               unsigned second);
/* Unpacks; any pointer may be NULL. */
void c9_fat_time_unpack(c9_fat_time_t t, unsigned *year, unsigned *month, unsigned *day, unsigned *hour,
                        unsigned *minute, unsigned *second);

typedef struct c9_fat_config {
    c9_blockdev_t bdev;
    /* 0: the volume starts at block 0, or (when block 0 is an MBR) in the first partition that
     * holds a FAT boot sector, as FatFs finds it. 1-4: that MBR partition. */
    uint8_t partition;
    bool readonly;
    /* Call bdev.sync between dependent steps, for devices that may reorder cached writes. */
    bool sync_barriers;
    /* Timestamps for new and modified entries; NULL gives 1980-01-01 00:00:00. */
    c9_fat_time_t (*now)(void *ctx);
    void *now_ctx;
} c9_fat_config_t;

typedef struct c9_fat_file c9_fat_file_t;
typedef struct c9_fat_dir c9_fat_dir_t;

typedef struct c9_fat_cache_slot {
    uint32_t lba;
    uint32_t used; /* last-use tick */
    uint8_t valid, dirty;
    uint8_t data[C9_BLOCK_SIZE];
} c9_fat_cache_slot_t;

/* A mounted volume. All fields are private. */
typedef struct c9_fat {
    c9_fat_config_t cfg;
    uint32_t vol_lba;      /* first block of the volume on the device */
    uint32_t vol_sectors;  /* total sectors of the volume */
    uint32_t fat_lba;      /* first FAT (device block) */
    uint32_t fat_sectors;  /* sectors per FAT */
    uint32_t root_lba;     /* FAT12/16 fixed root directory (device block) */
    uint32_t root_sectors; /* FAT12/16 */
    uint32_t root_cluster; /* FAT32 */
    uint32_t data_lba;     /* cluster 2 (device block) */
    uint32_t clusters;     /* data clusters: valid numbers are 2 .. clusters + 1 */
    uint32_t fsinfo_lba;   /* 0: none */
    uint32_t free_count;   /* 0xFFFFFFFF: unknown */
    uint32_t next_free;    /* allocation hint */
    uint32_t volume_id;
    uint32_t tick;
    uint8_t type; /* 12, 16 or 32 */
    uint8_t fats;
    uint8_t cluster_shift; /* log2 sectors per cluster */
    uint8_t mounted, busy, fsinfo_dirty, fsinfo_valid_on_disk;
    c9_fat_file_t *files; /* open files */
    uint16_t lfn[256];    /* long-name work buffer */
    c9_fat_cache_slot_t cache[C9_FAT_CACHE_SECTORS];
} c9_fat_t;

/* An open file. All fields are private. */
struct c9_fat_file {
    c9_fat_t *fs;
    c9_fat_file_t *next;
    uint32_t entry_lba; /* block holding the short entry */
    uint16_t entry_off; /* its byte offset there */
    uint8_t flags, attr;
    uint32_t start; /* first cluster, 0 when empty */
    uint32_t size;
    uint32_t pos;
    uint32_t cur_cluster, cur_index;  /* cluster holding cluster index cur_index; 0: unknown */
    uint32_t last_cluster, chain_len; /* 0 / 0: not known yet */
    bool modified;
};

/* An open directory. All fields are private. */
struct c9_fat_dir {
    c9_fat_t *fs;
    uint32_t start;   /* first cluster, 0: the FAT12/16 root */
    uint32_t cluster; /* current cluster */
    uint32_t index;   /* next entry */
    bool end;
    c9_err_t pending; /* an error met after the last entry returned, for the next call */
};

/* What stat and readdir report. */
typedef struct c9_fat_info {
    char name[C9_FAT_NAME_BUF]; /* UTF-8, NUL-terminated; readdir only */
    char short_name[13];        /* the 8.3 name as stored ("LONGFI~1.TXT"); readdir only */
    uint8_t attr;
    uint32_t size;
    c9_fat_time_t mtime;
    c9_fat_time_t ctime;
    uint32_t cluster; /* first cluster (0 when empty) */
} c9_fat_info_t;

/* Space on a volume (os.statvfs). */
typedef struct c9_fat_space {
    uint32_t cluster_bytes;
    uint32_t clusters;      /* total data clusters */
    uint32_t free_clusters; /* counted by scanning the FAT once per mount, then kept up to date */
} c9_fat_space_t;

/* ---- volume ---------------------------------------------------------------------------------- */

/* Reads and checks the boot sector (and with partition 0 or 1-4 the MBR), and links fs to
 * cfg->bdev. fs is caller memory, undefined until C9_OK.
 * @retval C9_OK
 * @retval C9_ERR_FAT_NOFS     no FAT boot sector where one was looked for
 * @retval C9_ERR_FAT_BPB      a boot sector whose fields do not describe a volume on the device
 * @retval C9_ERR_NOTSUP       sectors of other than 512 bytes, exFAT, FAT32 version other than 0
 * @retval C9_ERR_MBR_RANGE    the requested partition is outside the device
 * @retval C9_ERR_MBR_NONE     a partition number was given and block 0 has no such entry
 * @retval C9_ERR_INVAL        NULL arguments, partition > 4, missing read/count operation
 * @retval other               an error from the block device, passed on */
c9_err_t c9_fat_mount(c9_fat_t *fs, const c9_fat_config_t *cfg);

/* Closes every open file (writing its directory entry), writes the FAT32 FSInfo counts when
 * known, syncs the device and detaches. fs may be mounted again afterwards. Returns the first
 * error met, but detaches in any case. */
c9_err_t c9_fat_unmount(c9_fat_t *fs);

/* Writes the directory entries of open files with pending timestamps and syncs the device. */
c9_err_t c9_fat_sync(c9_fat_t *fs);

/* Cluster size, total and free clusters. The first call after mounting scans the FAT. */
c9_err_t c9_fat_space(c9_fat_t *fs, c9_fat_space_t *out);

/* FAT type (12, 16 or 32) and the volume serial number. */
uint8_t c9_fat_type(const c9_fat_t *fs);
uint32_t c9_fat_volume_id(const c9_fat_t *fs);

/* The volume label from the root directory's label entry (as FatFs and CircuitPython keep it),
 * trailing spaces removed, as UTF-8 (bytes above 0x7F read as code page 437), NUL-terminated.
 * Empty when there is none. 34 bytes always suffice; C9_ERR_NOMEM when size is too small. */
c9_err_t c9_fat_getlabel(c9_fat_t *fs, char *label, size_t size);
/* Sets (or with "" removes) the label entry: up to 11 characters, upper-cased, no
 * +.,;=[]/\"*:<>?| or control characters (FatFs's rule). The boot sector's copy is left alone, as
 * FatFs's f_setlabel leaves it. C9_ERR_FAT_BADNAME for a label that breaks the rule. */
c9_err_t c9_fat_setlabel(c9_fat_t *fs, const char *label);

/* ---- files ----------------------------------------------------------------------------------- */

/* Opens path. Errors: C9_ERR_NOENT (missing file without CREATE, or missing parent),
 * C9_ERR_EXIST (CREATE|EXCL and present), C9_ERR_FAT_ISDIR, C9_ERR_FAT_NOTDIR, C9_ERR_FAT_DENIED
 * (WRITE on a read-only file), C9_ERR_FAT_ROFS, C9_ERR_FAT_NOSPC (directory full),
 * C9_ERR_FAT_BADNAME, C9_ERR_FAT_NAMETOOLONG, C9_ERR_INVAL (no READ or WRITE; TRUNC or APPEND
 * without WRITE), corruption and device errors. */
c9_err_t c9_fat_open(c9_fat_t *fs, c9_fat_file_t *f, const char *path, unsigned flags);
/* Writes the entry's timestamp if the file was written, then unlinks f from the volume. */
c9_err_t c9_fat_close(c9_fat_file_t *f);
/* Reads up to len bytes at the position; *got = 0 at the end of the file. C9_ERR_FAT_DENIED if
 * not opened for reading, C9_ERR_FAT_CHAIN when the chain is shorter than the size. */
c9_err_t c9_fat_read(c9_fat_file_t *f, void *buf, size_t len, size_t *got);
/* Writes len bytes at the position (the end with APPEND), filling any gap past the end with
 * zeros. *put is what was written: less than len only with an error (C9_ERR_FAT_NOSPC when the
 * volume fills, C9_ERR_FAT_FBIG at 4 GiB - 1). Size and first cluster are in the directory entry
 * when the call returns. */
c9_err_t c9_fat_write(c9_fat_file_t *f, const void *buf, size_t len, size_t *put);
/* whence: 0 from the start, 1 from the position, 2 from the end. Positions past the end are
 * allowed (a later write fills the gap); C9_ERR_INVAL below 0 or past 4 GiB - 1. */
c9_err_t c9_fat_seek(c9_fat_file_t *f, int64_t offset, int whence, uint32_t *newpos);
uint32_t c9_fat_tell(const c9_fat_file_t *f);
uint32_t c9_fat_size(const c9_fat_file_t *f);
/* Sets the size: shorter frees clusters, longer fills with zeros. The position is unchanged. */
c9_err_t c9_fat_truncate(c9_fat_file_t *f, uint32_t size);
/* Writes the entry's timestamp if pending and syncs the device. */
c9_err_t c9_fat_file_sync(c9_fat_file_t *f);

/* ---- directories and names ------------------------------------------------------------------- */

/* Opens a directory for reading. C9_ERR_NOENT, C9_ERR_FAT_NOTDIR. */
c9_err_t c9_fat_opendir(c9_fat_t *fs, c9_fat_dir_t *d, const char *path);
/* The next entry, skipping ".", "..", the volume label and deleted entries. Returns 1 with *info
 * filled, 0 at the end, or an error (C9_ERR_FAT_CHAIN, C9_ERR_FAT_DIR, device errors). */
c9_err_t c9_fat_readdir(c9_fat_dir_t *d, c9_fat_info_t *info);
c9_err_t c9_fat_closedir(c9_fat_dir_t *d);

/* Information on path (name fields not filled; the root gives attr DIR and size 0).
 * C9_ERR_NOENT, C9_ERR_FAT_NOTDIR. */
c9_err_t c9_fat_stat(c9_fat_t *fs, const char *path, c9_fat_info_t *info);
/* C9_ERR_EXIST, C9_ERR_NOENT (parent missing), C9_ERR_FAT_NOSPC, name errors. */
c9_err_t c9_fat_mkdir(c9_fat_t *fs, const char *path);
/* Removes an empty directory. C9_ERR_FAT_NOTEMPTY, C9_ERR_FAT_NOTDIR (a file), C9_ERR_INVAL (the
 * root, or a path ending in "." or ".."), C9_ERR_FAT_DENIED (read-only attribute). An empty
 * directory holds no open file, so there is nothing to be busy with. */
c9_err_t c9_fat_rmdir(c9_fat_t *fs, const char *path);
/* Removes a file. C9_ERR_FAT_ISDIR, C9_ERR_BUSY (the file is open), C9_ERR_FAT_DENIED (read-only
 * attribute). */
c9_err_t c9_fat_unlink(c9_fat_t *fs, const char *path);
/* Renames or moves a file or directory. C9_ERR_EXIST when to exists (FatFs's rule), C9_ERR_INVAL
 * when moving a directory into itself or below. Open files follow the move. */
c9_err_t c9_fat_rename(c9_fat_t *fs, const char *from, const char *to);
/* Sets the modification time of path (the root has none: C9_ERR_INVAL). */
c9_err_t c9_fat_utime(c9_fat_t *fs, const char *path, c9_fat_time_t mtime);
/* Sets the attribute bits in mask to the values in attr (RDONLY, HIDDEN, SYSTEM, ARCHIVE). */
c9_err_t c9_fat_chmod(c9_fat_t *fs, const char *path, uint8_t attr, uint8_t mask);

/* ---- formatting and checking ---------------------------------------------------------------- */

enum {
    C9_FAT_FMT_FAT = 0x01,   /* FAT12 or FAT16, chosen by cluster count (FatFs FM_FAT) */
    C9_FAT_FMT_FAT32 = 0x02, /* FAT32 (FatFs FM_FAT32) */
};

typedef struct c9_fat_mkfs_opts {
    uint8_t formats;         /* C9_FAT_FMT_* bits; 0 means C9_FAT_FMT_FAT */
    uint32_t cluster_bytes;  /* 0: chosen from the size, as FatFs does; else 512 .. 65536 */
    uint8_t fats;            /* 0 or 1: one FAT (CircuitPython); 2 */
    uint32_t hidden_sectors; /* BPB "hidden sectors": where the volume starts on its disk */
    uint32_t volume_id;      /* serial number */
    const char *label;       /* NULL: no label entry; else as c9_fat_setlabel() */
} c9_fat_mkfs_opts_t;

/* Formats bdev (all of it) as CircuitPython 9 does: FatFs f_mkfs with one FAT, 512 root entries
 * (128 on volumes of 256 sectors or fewer), media 0xF8, 63 sectors per track, 255 heads, boot
 * code EB FE 90, OEM name "MSDOS5.0", "NO NAME" in the boot sector and the label (CircuitPython:
 * "CIRCUITPY") as a root directory entry. With formats FAT|FAT32, FAT32 is used only where
 * FAT16 would need clusters over 32 KiB. work is a scratch buffer of at least 512 bytes (larger
 * buffers write the FAT and root in bigger pieces). opts may be NULL.
 * One difference from FatFs: a volume of exactly 4085 clusters is made FAT16, as the FAT
 * specification, Linux and Windows read it (FatFs would write FAT12 there).
 * @retval C9_ERR_FAT_NOSPC  the device is too small for the format(s) allowed
 * @retval C9_ERR_INVAL      bad options or a work buffer under 512 bytes
 * @retval C9_ERR_PERM       the device has no write operation */
c9_err_t c9_fat_mkfs(const c9_blockdev_t *bdev, const c9_fat_mkfs_opts_t *opts, void *work, size_t work_size);

/* What c9_fat_check() found. */
typedef struct c9_fat_report {
    uint32_t files, dirs;
    uint32_t used_clusters; /* reached from a directory entry */
    uint32_t lost_clusters; /* allocated in the FAT but reached from no entry */
    uint32_t free_clusters;
} c9_fat_report_t;

/* Walks every directory and chain, marking each cluster in bitmap (caller memory of at least
 * c9_fat_check_bitmap_size(fs) bytes). Returns C9_OK for a consistent volume (lost clusters are
 * counted, not errors), C9_ERR_FAT_CROSSLINK, C9_ERR_FAT_CHAIN (also for a size that does not
 * match its chain), C9_ERR_FAT_DIR (".." not pointing to the parent, directory cycle, too deep),
 * C9_ERR_NOMEM (bitmap too small). */
c9_err_t c9_fat_check(c9_fat_t *fs, uint8_t *bitmap, size_t bitmap_size, c9_fat_report_t *report);
size_t c9_fat_check_bitmap_size(const c9_fat_t *fs);

/* Whether a block is a FAT boot sector (as c9_fat_mount() decides between a volume at block 0 and
 * an MBR): the 0x55 0xAA signature, an x86 jump, and a file system type string or plausible
 * fields. */
bool c9_fat_is_boot_sector(const uint8_t block[512]);

/* A short English description of a FAT or MBR error code, or of a generic one. */
const char *c9_fat_strerror(c9_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_FAT_H */
