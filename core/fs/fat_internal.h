/* Internals shared by the FAT core's files. Not API. */
#ifndef C9_FAT_INTERNAL_H
#define C9_FAT_INTERNAL_H

#include "circuit9/fat.h"

#include <string.h>

#define SECTOR 512u
#define DIRENT 32u
#define ENTRIES_PER_SECTOR 16u
#define MAX_DIR_ENTRIES 65536u /* the FAT specification's limit for one directory */
#define MAX_LFN 255u
#define MAX_FILE_SIZE 0xFFFFFFFFu

/* Directory entry fields. */
#define DIR_NAME 0
#define DIR_ATTR 11
#define DIR_NTRES 12
#define DIR_CRT_TENTH 13
#define DIR_CRT_TIME 14
#define DIR_CRT_DATE 16
#define DIR_ACC_DATE 18
#define DIR_CLUS_HI 20
#define DIR_WRT_TIME 22
#define DIR_WRT_DATE 24
#define DIR_CLUS_LO 26
#define DIR_SIZE 28

#define ATTR_LFN 0x0F
#define ATTR_MASK 0x3F
#define NTRES_LOWER_BODY 0x08
#define NTRES_LOWER_EXT 0x10
#define LFN_LAST 0x40
#define DELETED 0xE5

static inline uint16_t ld16(const uint8_t *p) {
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t ld32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void st16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void st32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- volume: entry/exit, cache, FAT table (fat_vol.c) ---------------------------------------- */

c9_err_t fat_enter(c9_fat_t *fs, bool write);
/* Ends a public call: on success writes what is dirty; on failure drops it (the device keeps
 * the state of the last completed step) and forgets counts that may now be wrong. */
c9_err_t fat_leave(c9_fat_t *fs, c9_err_t err);

/* The cached copy of a sector. load = false is for callers about to overwrite all 512 bytes. The
 * pointer is valid until the next cache call. */
c9_err_t cache_get(c9_fat_t *fs, uint32_t lba, bool load, uint8_t **data);
/* Marks the sector dirty (it must be in the cache: call right after cache_get). */
void cache_dirty(c9_fat_t *fs, uint32_t lba);
/* Writes one sector if it is cached and dirty. */
c9_err_t cache_flush(c9_fat_t *fs, uint32_t lba);
/* Writes every dirty sector, then the sync barrier when configured: the end of one step. */
c9_err_t cache_commit(c9_fat_t *fs);
/* Direct transfers of whole sectors that bypass the cache but keep it coherent. */
c9_err_t dev_read(c9_fat_t *fs, uint32_t lba, uint8_t *buf, uint32_t count);
c9_err_t dev_write(c9_fat_t *fs, uint32_t lba, const uint8_t *buf, uint32_t count);
/* Writes zeros over count sectors (through the cache's spare slot). */
c9_err_t dev_zero(c9_fat_t *fs, uint32_t lba, uint32_t count);

static inline uint32_t clust_lba(const c9_fat_t *fs, uint32_t c) {
    return fs->data_lba + ((c - 2) << fs->cluster_shift);
}
static inline uint32_t clust_bytes(const c9_fat_t *fs) {
    return SECTOR << fs->cluster_shift;
}
static inline bool clust_valid(const c9_fat_t *fs, uint32_t c) {
    return c >= 2 && c - 2 < fs->clusters;
}

c9_err_t fat_get(c9_fat_t *fs, uint32_t c, uint32_t *value);
/* Changes one entry in the cache; a FAT12 entry that spans two sectors is written out at once, in
 * the order that never makes it name another file's cluster (see fat_vol.c). */
c9_err_t fat_set(c9_fat_t *fs, uint32_t c, uint32_t value);
uint32_t fat_eoc(const c9_fat_t *fs);
/* The cluster after c: *next = 0 at the end of the chain; C9_ERR_FAT_CHAIN when the entry is
 * free, reserved, bad or out of range. */
c9_err_t fat_next(c9_fat_t *fs, uint32_t c, uint32_t *next);
/* Walks a chain: its length and last cluster (0/0 for start 0). */
c9_err_t chain_info(c9_fat_t *fs, uint32_t start, uint32_t *len, uint32_t *last);
/* Allocates up to want clusters as one chain ending in EOC, not linked to anything: *first,
 * *last and *got describe it. Prefers clusters after near. Dirty sectors only: the caller
 * commits. *got = 0 with C9_ERR_FAT_NOSPC when none is free. */
c9_err_t chain_alloc(c9_fat_t *fs, uint32_t near, uint32_t want, uint32_t *first, uint32_t *last, uint32_t *got);
/* Frees a chain that nothing references any more (dirty sectors; the caller commits). */
c9_err_t chain_free(c9_fat_t *fs, uint32_t start);
c9_fat_time_t fat_now(c9_fat_t *fs);
/* Writes the FSInfo block with the free count marked unknown, once per mount, before the first
 * FAT change reaches the device. */
c9_err_t fsinfo_invalidate(c9_fat_t *fs);

/* ---- names (fat_name.c) ----------------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at s[0..len): the code point, or -1 for invalid UTF-8 (overlong,
 * surrogate, > U+10FFFF, truncated). *used gets its length. */
int32_t utf8_decode(const char *s, size_t len, size_t *used);
/* Encodes a code point; returns bytes written (1-4), 0 if it does not fit in room. */
size_t utf8_encode(uint32_t cp, char *out, size_t room);
/* A path component converted to UTF-16 into out (MAX_LFN units), trailing dots and spaces
 * dropped as Windows and FatFs do. C9_ERR_FAT_BADNAME, C9_ERR_FAT_NAMETOOLONG. */
c9_err_t name_to_utf16(const char *name, size_t len, uint16_t *out, size_t *units);
uint16_t wupper(uint16_t c);
uint16_t wlower(uint16_t c);
/* Unicode to a code page 437 byte (0 when there is none). */
uint8_t unicode_to_cp437(uint32_t c);
/* The short entry a name matches when it is written in 8.3 form (any case, code page 437
 * characters allowed), as FatFs compares names with short-only entries. */
bool sfn_lookup_form(const uint16_t *name, size_t units, uint8_t sfn[11]);
/* UTF-16 name to UTF-8 (unpaired surrogates become U+FFFD). Returns C9_ERR_NOMEM if it does not
 * fit in size bytes with the NUL. */
c9_err_t utf16_to_utf8(const uint16_t *in, size_t units, char *out, size_t size);
/* The 8.3 form of a name when it is one (ASCII letters, digits and the allowed symbols, one case
 * per part): sfn gets the 11 upper-case bytes, *ntres the lower-case flags. */
bool sfn_fits(const uint16_t *name, size_t units, uint8_t sfn[11], uint8_t *ntres);
/* The base short name for a long name (upper case, '_' for what 8.3 cannot hold); *lossy when a
 * numbered tail is required. */
void sfn_base(const uint16_t *name, size_t units, uint8_t sfn[11], bool *lossy);
/* Puts "~N" (or for n > 4 a hash-based body, as Windows does) into sfn. */
void sfn_number(uint8_t sfn[11], const uint8_t base[11], const uint16_t *name, size_t units, unsigned n);
uint8_t sfn_checksum(const uint8_t sfn[11]);
/* The short name of an entry as text ("README.TXT"), lower-cased by the NT flags when
 * apply_case. Code page 437 bytes become UTF-8. Returns bytes written without the NUL. */
size_t sfn_to_text(const uint8_t *entry, bool apply_case, char *out, size_t size);
/* Code page 437 byte to Unicode. */
uint16_t cp437_to_unicode(uint8_t b);

/* ---- directories (fat_dir.c) ----------------------------------------------------------------- */

typedef struct dirpos {
    uint32_t start;   /* first cluster; 0: FAT12/16 fixed root */
    uint32_t cluster; /* cluster holding entry index */
    uint32_t index;
} dirpos_t;

/* A directory entry found by name. */
typedef struct found {
    uint8_t entry[DIRENT]; /* copy of the short entry */
    uint32_t lba;          /* where the short entry is */
    uint16_t off;
    dirpos_t first; /* first entry of the set (the first long-name entry, or the short one) */
    uint32_t count; /* entries in the set */
    uint32_t dir;   /* first cluster of the directory holding it (0 for the root) */
} found_t;

#define END 1 /* dp_next: past the last entry (positive, so never mistaken for an error) */
void dp_init(dirpos_t *p, uint32_t start);
uint32_t dp_lba(const c9_fat_t *fs, const dirpos_t *p);
uint16_t dp_off(const dirpos_t *p);
/* Whether the first position exists: C9_OK, END (empty fixed root) or C9_ERR_FAT_CHAIN. */
c9_err_t dp_check(const c9_fat_t *fs, const dirpos_t *p);
/* Advances: C9_OK, END past the last entry (65536 at most), or an error. */
c9_err_t dp_next(c9_fat_t *fs, dirpos_t *p);
/* The entry at p in the cache (valid until the next cache call). */
c9_err_t dp_entry(c9_fat_t *fs, const dirpos_t *p, uint8_t **e);

uint32_t entry_cluster(const c9_fat_t *fs, const uint8_t *e);
void entry_set_cluster(const c9_fat_t *fs, uint8_t *e, uint32_t c);
/* The first cluster to use for the root directory (0 for FAT12/16). */
uint32_t root_start(const c9_fat_t *fs);
/* Rewrites the short entry of an open file or found entry: size, cluster, attr, mtime. */
c9_err_t entry_update(c9_fat_t *fs, uint32_t lba, uint16_t off, uint32_t start, uint32_t size,
                      const c9_fat_time_t *mtime);

/* Resolves path to its parent directory and last component (ptr/len into path). *last_len = 0
 * for the root itself. */
c9_err_t path_parent(c9_fat_t *fs, const char *path, uint32_t *dir, const char **last, size_t *last_len);
/* Looks up one component in directory dir. C9_ERR_NOENT when absent. "." and ".." are handled
 * (".." of the root is the root, reported with found->count = 0). */
c9_err_t dir_find(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, found_t *out);
/* Creates a set of entries for name in dir with the given short-entry template (attr, cluster,
 * size, times are taken from tmpl; the name fields are filled in). */
c9_err_t dir_add(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, const uint8_t tmpl[DIRENT], found_t *out);
/* Creates an empty entry (cluster 0, size 0, the time now) with attr. */
c9_err_t dir_create(c9_fat_t *fs, uint32_t dir, const char *name, size_t len, uint8_t attr, found_t *out);
/* Marks a set deleted: the short entry's sector first, then any other sectors of the set. */
c9_err_t dir_remove(c9_fat_t *fs, const found_t *f);
/* Checks that the FAT holds no open file on this entry. */
bool file_is_open(c9_fat_t *fs, uint32_t lba, uint16_t off);

/* A volume label as its 11 code page 437 bytes (space padded) and its length without trailing
 * spaces; C9_ERR_FAT_BADNAME when FatFs's f_setlabel would refuse it. */
c9_err_t fat_label_bytes(const char *label, uint8_t out[11], size_t *n);

/* ---- open files (fat_file.c) ----------------------------------------------------------------- */

/* Copies size/cluster changes of one handle to the others on the same entry, and forgets their
 * cluster position hints. */
void files_entry_changed(c9_fat_t *fs, const c9_fat_file_t *src);
/* After a rename: handles on (old_lba, old_off) now use the new entry. */
void files_entry_moved(c9_fat_t *fs, uint32_t old_lba, uint16_t old_off, uint32_t lba, uint16_t off);

#endif /* C9_FAT_INTERNAL_H */
