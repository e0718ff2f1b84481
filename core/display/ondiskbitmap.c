/* OnDiskBitmap: uncompressed Windows BMP read a row at a time through a callback. */
#include "display_internal.h"

#include <string.h>

static uint32_t le16(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

c9_err_t c9_bmp_parse_header(const uint8_t *d, size_t len, c9_bmp_info_t *info) {
    memset(info, 0, sizeof(*info));
    if (len < 18 || d[0] != 'B' || d[1] != 'M') {
        return C9_ERR_BMP_HEADER;
    }
    info->data_offset = le32(d + 10);
    uint32_t hs = le32(d + 14);
    info->header_size = hs;
    if (hs != 12 && hs != 40 && hs != 108 && hs != 124) {
        return C9_ERR_BMP_HEADER;
    }
    int64_t w, h;
    uint32_t bpp, compression = 0, colors_used = 0;
    if (hs == 12) {
        if (len < 26) {
            return C9_ERR_BMP_FORMAT;
        }
        w = (int16_t)le16(d + 18);
        h = (int16_t)le16(d + 20);
        bpp = le16(d + 24);
        info->palette_entry_size = 3;
    } else {
        if (len < 54) {
            return C9_ERR_BMP_FORMAT;
        }
        w = (int32_t)le32(d + 18);
        h = (int32_t)le32(d + 22);
        bpp = le16(d + 28);
        compression = le32(d + 30);
        colors_used = le32(d + 46);
        info->palette_entry_size = 4;
    }
    if (compression == 1 || compression == 2) {
        return C9_ERR_BMP_RLE;
    }
    if (compression != 0 && compression != 3) {
        return C9_ERR_BMP_FORMAT;
    }
    info->compression = compression;
    if (bpp != 1 && bpp != 2 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
        return C9_ERR_BMP_FORMAT;
    }
    if (compression == 3 && bpp != 16 && bpp != 32) {
        return C9_ERR_BMP_FORMAT;
    }
    info->top_down = h < 0;
    if (h < 0) {
        h = -h;
    }
    if (w <= 0 || h <= 0 || w > C9_BITMAP_MAX_DIM || h > C9_BITMAP_MAX_DIM) {
        return C9_ERR_BMP_FORMAT;
    }
    info->width = (uint16_t)w;
    info->height = (uint16_t)h;
    info->bits_per_pixel = (uint8_t)bpp;
    info->stride = (uint32_t)(((uint64_t)w * bpp + 31) / 32 * 4);
    if ((uint64_t)info->data_offset + (uint64_t)info->stride * (uint64_t)h > UINT32_MAX) {
        return C9_ERR_BMP_FORMAT;
    }
    uint32_t masks_at = 14 + hs; /* BITFIELDS masks follow a 40-byte header; v4/v5 hold them inside */
    if (compression == 3) {
        size_t at = 54; /* right after a 40-byte header, or inside a v4/v5 one */
        if (len < at + 12) {
            return C9_ERR_BMP_FORMAT;
        }
        info->r_mask = le32(d + at);
        info->g_mask = le32(d + at + 4);
        info->b_mask = le32(d + at + 8);
        if (hs == 40) {
            masks_at += 12;
        }
        if (!info->r_mask || !info->g_mask || !info->b_mask) {
            return C9_ERR_BMP_FORMAT;
        }
    } else if (bpp == 16) {
        info->r_mask = 0x7C00;
        info->g_mask = 0x03E0;
        info->b_mask = 0x001F;
    } else if (bpp >= 24) {
        info->r_mask = 0xFF0000;
        info->g_mask = 0x00FF00;
        info->b_mask = 0x0000FF;
    }
    if (bpp == 16) {
        info->rgb565 = info->g_mask == 0x07E0;
        if (!info->rgb565 && (info->r_mask != 0x7C00 || info->g_mask != 0x03E0 || info->b_mask != 0x001F)) {
            return C9_ERR_BMP_FORMAT;
        }
    }
    if (bpp <= 8) {
        uint32_t max = 1u << bpp;
        info->palette_count = (colors_used == 0 || colors_used > max) ? max : colors_used;
        info->palette_offset = masks_at;
    }
    return C9_OK;
}

c9_err_t c9_ondiskbitmap_open(c9_ondiskbitmap_t *odb, c9_read_fn read, void *ctx, const c9_allocator_t *a) {
    memset(odb, 0, sizeof(*odb));
    uint8_t hdr[C9_BMP_HEADER_MAX];
    /* Short files are fine as long as the header they have parses: read what is there. */
    size_t got = 0;
    c9_err_t err = read(ctx, 0, hdr, 14);
    if (err != C9_OK) {
        return err == C9_ERR_IO ? C9_ERR_BMP_HEADER : err;
    }
    got = 14;
    /* The DIB header size says how much more to read. */
    err = read(ctx, 14, hdr + 14, 4);
    if (err != C9_OK) {
        return C9_ERR_BMP_HEADER;
    }
    got = 18;
    uint32_t hs = le32(hdr + 14);
    size_t want = C9_MIN((size_t)14 + C9_MIN(hs, 124u) + 12, sizeof(hdr));
    if (want > got && read(ctx, (uint32_t)got, hdr + got, want - got) == C9_OK) {
        got = want;
    } else if (want > got) {
        /* Maybe no BITFIELDS masks after the header: try without them. */
        size_t want2 = C9_MIN((size_t)14 + C9_MIN(hs, 124u), sizeof(hdr));
        if (want2 > got && read(ctx, (uint32_t)got, hdr + got, want2 - got) == C9_OK) {
            got = want2;
        }
    }
    err = c9_bmp_parse_header(hdr, got, &odb->info);
    if (err != C9_OK) {
        return err;
    }
    odb->allocator = a ? a : c9_allocator_default();
    odb->row = c9_alloc(odb->allocator, odb->info.stride);
    if (!odb->row) {
        return C9_ERR_NOMEM;
    }
    odb->read = read;
    odb->read_ctx = ctx;
    odb->row_index = -1;
    return C9_OK;
}

void c9_ondiskbitmap_close(c9_ondiskbitmap_t *odb) {
    if (odb->row) {
        c9_free(odb->allocator, odb->row, odb->info.stride);
    }
    odb->row = NULL;
    odb->read = NULL;
}

c9_err_t c9_ondiskbitmap_load_palette(c9_ondiskbitmap_t *odb, c9_palette_t *p, const c9_allocator_t *a) {
    uint32_t n = odb->info.palette_count;
    if (n == 0) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = c9_palette_alloc(p, n, false, a);
    if (err != C9_OK) {
        return err;
    }
    uint8_t e[4];
    uint8_t es = odb->info.palette_entry_size;
    for (uint32_t i = 0; i < n; i++) {
        err = odb->read(odb->read_ctx, odb->info.palette_offset + i * es, e, es);
        if (err != C9_OK) {
            c9_palette_release(p);
            return err;
        }
        c9_palette_set(p, i, ((uint32_t)e[2] << 16) | ((uint32_t)e[1] << 8) | e[0]);
    }
    return C9_OK;
}

c9_colorspace_t c9_ondiskbitmap_colorspace(const c9_ondiskbitmap_t *odb) {
    if (odb->info.bits_per_pixel == 16) {
        return odb->info.rgb565 ? C9_COLORSPACE_RGB565 : C9_COLORSPACE_RGB555;
    }
    return C9_COLORSPACE_RGB888;
}

static uint32_t channel(uint32_t v, uint32_t mask) {
    if (!mask) {
        return 0;
    }
    unsigned shift = 0;
    while (!((mask >> shift) & 1u)) {
        shift++; /* terminates: mask != 0 */
    }
    uint32_t m = mask >> shift, c = (v & mask) >> shift;
    /* Bounded: a mask that reaches bit 31 (e.g. 0xFFFFFFFF from a hostile header) must not
     * shift by 32, which x86 wraps to a shift by 0 and turned this into an endless loop. */
    unsigned bits = 0;
    while (bits < 32u - shift && ((m >> bits) & 1u)) {
        bits++;
    }
    if (bits >= 8) {
        return c >> (bits - 8);
    }
    /* Scale narrow channels to 8 bits by replicating their top bits. */
    uint32_t out = 0;
    for (int have = 0; have < 8; have += (int)bits) {
        out = (out << bits) | c;
    }
    return (out >> (((8 + bits - 1) / bits) * bits - 8)) & 0xFF;
}

uint32_t c9_ondiskbitmap_get_pixel(c9_ondiskbitmap_t *odb, int x, int y) {
    const c9_bmp_info_t *in = &odb->info;
    if (!odb->row || x < 0 || y < 0 || x >= in->width || y >= in->height || odb->read_error) {
        return 0;
    }
    int32_t row = in->top_down ? y : in->height - 1 - y;
    if (row != odb->row_index) {
        c9_err_t err = odb->read(odb->read_ctx, in->data_offset + (uint32_t)row * in->stride, odb->row, in->stride);
        if (err != C9_OK) {
            odb->read_error = err;
            odb->row_index = -1;
            return 0;
        }
        odb->row_index = row;
    }
    const uint8_t *r = odb->row;
    switch (in->bits_per_pixel) {
    case 32: {
        uint32_t v = le32(r + (size_t)x * 4);
        return (channel(v, in->r_mask) << 16) | (channel(v, in->g_mask) << 8) | channel(v, in->b_mask);
    }
    case 24: {
        const uint8_t *p = r + (size_t)x * 3;
        return ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
    }
    case 16: return le16(r + (size_t)x * 2);
    case 8: return r[x];
    default: {
        unsigned bpp = in->bits_per_pixel, per = 8u / bpp;
        unsigned shift = 8u - bpp * (1u + (unsigned)x % per);
        return (r[(unsigned)x / per] >> shift) & ((1u << bpp) - 1u);
    }
    }
}
