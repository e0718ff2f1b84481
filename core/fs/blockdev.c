/* Block device helpers: checked calls, a RAM disk, a window onto another device, the MBR. */
#include "circuit9/blockdev.h"

#include <string.h>

c9_err_t c9_blockdev_read(const c9_blockdev_t *bd, uint32_t block, uint8_t *buf, uint32_t count) {
    if (!bd || !bd->read) {
        return C9_ERR_NOSYS;
    }
    return bd->read(bd->ctx, block, buf, count);
}

c9_err_t c9_blockdev_write(const c9_blockdev_t *bd, uint32_t block, const uint8_t *buf, uint32_t count) {
    if (!bd || !bd->write) {
        return C9_ERR_PERM;
    }
    return bd->write(bd->ctx, block, buf, count);
}

c9_err_t c9_blockdev_sync(const c9_blockdev_t *bd) {
    if (!bd || !bd->sync) {
        return C9_OK;
    }
    return bd->sync(bd->ctx);
}

c9_err_t c9_blockdev_count(const c9_blockdev_t *bd, uint32_t *blocks) {
    if (!bd || !bd->count) {
        return C9_ERR_NOSYS;
    }
    return bd->count(bd->ctx, blocks);
}

// ---- RAM disk ------------------------------------------------------------------------------

static bool in_range(uint32_t block, uint32_t count, uint32_t total) {
    return block <= total && count <= total - block;
}

static c9_err_t ram_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    c9_ramdisk_t *rd = ctx;
    if (!in_range(block, count, rd->blocks)) {
        return C9_ERR_INVAL;
    }
    memcpy(buf, rd->mem + (size_t)block * C9_BLOCK_SIZE, (size_t)count * C9_BLOCK_SIZE);
    return C9_OK;
}

static c9_err_t ram_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    c9_ramdisk_t *rd = ctx;
    if (!in_range(block, count, rd->blocks)) {
        return C9_ERR_INVAL;
    }
    memmove(rd->mem + (size_t)block * C9_BLOCK_SIZE, buf, (size_t)count * C9_BLOCK_SIZE);
    return C9_OK;
}

static c9_err_t ram_count(void *ctx, uint32_t *blocks) {
    *blocks = ((c9_ramdisk_t *)ctx)->blocks;
    return C9_OK;
}

c9_blockdev_t c9_ramdisk_init(c9_ramdisk_t *rd, uint8_t *mem, uint32_t blocks) {
    rd->mem = mem;
    rd->blocks = blocks;
    return (c9_blockdev_t){.read = ram_read, .write = ram_write, .sync = NULL, .count = ram_count, .ctx = rd};
}

// ---- window --------------------------------------------------------------------------------

static c9_err_t win_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    c9_blockdev_window_t *w = ctx;
    if (!in_range(block, count, w->count)) {
        return C9_ERR_INVAL;
    }
    return c9_blockdev_read(&w->parent, w->start + block, buf, count);
}

static c9_err_t win_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    c9_blockdev_window_t *w = ctx;
    if (!in_range(block, count, w->count)) {
        return C9_ERR_INVAL;
    }
    return c9_blockdev_write(&w->parent, w->start + block, buf, count);
}

static c9_err_t win_sync(void *ctx) {
    return c9_blockdev_sync(&((c9_blockdev_window_t *)ctx)->parent);
}

static c9_err_t win_count(void *ctx, uint32_t *blocks) {
    *blocks = ((c9_blockdev_window_t *)ctx)->count;
    return C9_OK;
}

c9_blockdev_t c9_blockdev_window_init(c9_blockdev_window_t *w, const c9_blockdev_t *parent, uint32_t start,
                                      uint32_t count) {
    w->parent = *parent;
    w->start = start;
    // A window that would wrap the 32-bit block number is cut short rather than aliasing block 0.
    w->count = count <= UINT32_MAX - start ? count : UINT32_MAX - start;
    return (c9_blockdev_t){
        .read = win_read, .write = parent->write ? win_write : NULL, .sync = win_sync, .count = win_count, .ctx = w};
}

// ---- MBR -----------------------------------------------------------------------------------

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

c9_err_t c9_mbr_parse(const uint8_t block[512], c9_mbr_part_t parts[4]) {
    memset(parts, 0, 4 * sizeof *parts);
    if (block[510] != 0x55 || block[511] != 0xAA) {
        return C9_ERR_MBR_NONE;
    }
    bool any = false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = block + 446 + 16 * i;
        if (e[4] == 0) {
            continue;
        }
        parts[i].boot = e[0];
        parts[i].type = e[4];
        parts[i].start = le32(e + 8);
        parts[i].count = le32(e + 12);
        any = true;
    }
    return any ? C9_OK : C9_ERR_MBR_NONE;
}

c9_err_t c9_mbr_first(const c9_mbr_part_t parts[4], uint32_t device_blocks, unsigned *index) {
    for (unsigned i = 0; i < 4; i++) {
        if (parts[i].type == 0) {
            continue;
        }
        if (parts[i].start == 0 || parts[i].count == 0 || !in_range(parts[i].start, parts[i].count, device_blocks)) {
            return C9_ERR_MBR_RANGE;
        }
        *index = i;
        return C9_OK;
    }
    return C9_ERR_MBR_NONE;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void c9_mbr_build_single(uint8_t block[512], uint8_t type, uint32_t start, uint32_t count) {
    memset(block, 0, 512);
    uint8_t *e = block + 446;
    e[0] = 0;
    e[1] = e[2] = e[3] = 0xFF; // CHS start: "use LBA", as CircuitPython writes it
    e[4] = type;
    e[5] = e[6] = e[7] = 0xFF;
    put32(e + 8, start);
    put32(e + 12, count);
    block[510] = 0x55;
    block[511] = 0xAA;
}
