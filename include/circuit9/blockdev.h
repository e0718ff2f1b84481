/*
 * circuit9 block devices: the operations table the FAT core and the SD card model sit on, a
 * RAM-backed device, a window onto part of another device, and the MBR partition table.
 *
 * A block device is a struct of function pointers plus a context pointer (the littlefs /
 * TinyUSB shape): the port fills it in, the cores never see anything else of the device. Blocks
 * are C9_BLOCK_SIZE (512) bytes, numbered from 0.
 *
 *     static uint8_t ram[64 * 512];
 *     c9_ramdisk_t rd;
 *     c9_blockdev_t bd = c9_ramdisk_init(&rd, ram, 64);
 *     c9_fat_mkfs(&bd, NULL, work, sizeof work);
 *
 * Buffers handed to read and write belong to the caller of the operation and are valid only for
 * the duration of that call: an implementation must not keep the pointer. (A Python binding that
 * wraps a buffer in a memoryview for a readblocks()/writeblocks() method therefore copies it or
 * releases the view before returning.) The cores call an operation with no lock held and do not
 * call back into themselves from one, so an operation may take as long as it needs; an operation
 * that re-enters the core that called it gets C9_ERR_BUSY from that core.
 *
 * Operations return C9_OK or a negative c9_err_t (C9_ERR_IO for a failed transfer), which the
 * cores pass back unchanged.
 */
#ifndef CIRCUIT9_BLOCKDEV_H
#define CIRCUIT9_BLOCKDEV_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C9_BLOCK_SIZE 512u

typedef struct c9_blockdev {
    /* Reads count blocks starting at block into buf (count * 512 bytes). */
    c9_err_t (*read)(void *ctx, uint32_t block, uint8_t *buf, uint32_t count);
    /* Writes count blocks; NULL for a read-only device (writers then get C9_ERR_PERM). */
    c9_err_t (*write)(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count);
    /* Makes earlier writes durable (flushes a device cache); NULL when writes are durable at once. */
    c9_err_t (*sync)(void *ctx);
    /* Number of blocks on the device. */
    c9_err_t (*count)(void *ctx, uint32_t *blocks);
    void *ctx;
} c9_blockdev_t;

/* Thin wrappers that check the table (C9_ERR_NOSYS for a missing read or count,
 * C9_ERR_PERM for a missing write, C9_OK for a missing sync). */
c9_err_t c9_blockdev_read(const c9_blockdev_t *bd, uint32_t block, uint8_t *buf, uint32_t count);
c9_err_t c9_blockdev_write(const c9_blockdev_t *bd, uint32_t block, const uint8_t *buf, uint32_t count);
c9_err_t c9_blockdev_sync(const c9_blockdev_t *bd);
c9_err_t c9_blockdev_count(const c9_blockdev_t *bd, uint32_t *blocks);

/* ---- RAM disk: blocks in caller memory ------------------------------------------------------ */

typedef struct c9_ramdisk {
    uint8_t *mem;
    uint32_t blocks;
} c9_ramdisk_t;

/* mem holds blocks * 512 bytes and outlives the device. Reads or writes past the end give
 * C9_ERR_INVAL. */
c9_blockdev_t c9_ramdisk_init(c9_ramdisk_t *rd, uint8_t *mem, uint32_t blocks);

/* ---- a window onto blocks [start, start + count) of another device -------------------------- */

typedef struct c9_blockdev_window {
    c9_blockdev_t parent;
    uint32_t start, count;
} c9_blockdev_window_t;

/* Access past count gives C9_ERR_INVAL; sync goes to the parent. */
c9_blockdev_t c9_blockdev_window_init(c9_blockdev_window_t *w, const c9_blockdev_t *parent, uint32_t start,
                                      uint32_t count);

/* ---- MBR partition table -------------------------------------------------------------------- */

/* Domain errors (common.h's error table, band fs): C9_ERR_MBR_NONE (block 0 has no 0x55 0xAA
 * signature, or no partition entry is in use), C9_ERR_MBR_RANGE (a partition entry in use starts at
 * block 0 or runs past the end of the device). */

typedef struct c9_mbr_part {
    uint8_t boot; /* 0x80 active, 0x00 otherwise */
    uint8_t type; /* 0x01 FAT12, 0x04/0x06 FAT16, 0x0B/0x0C FAT32, ... 0 unused */
    uint32_t start, count;
} c9_mbr_part_t;

/* Reads the four primary entries of an MBR block (512 bytes). Entries with type 0 come back as
 * zeros. C9_ERR_MBR_NONE when the signature is missing or all entries are unused. Nothing else
 * is checked: a FAT boot sector also ends in 0x55 0xAA, so callers decide which it is. */
c9_err_t c9_mbr_parse(const uint8_t block[512], c9_mbr_part_t parts[4]);

/* The partition index (0-3) of the first entry in use whose blocks lie within device_blocks,
 * stored in *index; C9_ERR_MBR_NONE, or C9_ERR_MBR_RANGE when the first entry in use is out of
 * range. */
c9_err_t c9_mbr_first(const c9_mbr_part_t parts[4], uint32_t device_blocks, unsigned *index);

/* Fills block (512 bytes) with the MBR CircuitPython 9 synthesises for CIRCUITPY (supervisor
 * flash): 446 zero bytes, one entry {boot 0, CHS 0xFFFFFF, type, CHS 0xFFFFFF, start, count},
 * three zero entries and the signature 0x55 0xAA. CircuitPython 9 uses type 0x06 (8.x: 0x01). */
void c9_mbr_build_single(uint8_t block[512], uint8_t type, uint32_t start, uint32_t count);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_BLOCKDEV_H */
