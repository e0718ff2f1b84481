#include "circuit9/gfx.h"

uint32_t c9_color_to_rgb888(c9_colorspace_t cs, uint32_t v) {
    uint32_t r, g, b;
    switch (cs) {
    case C9_COLORSPACE_RGB888: return v & 0xFFFFFF;
    case C9_COLORSPACE_L8: return (v & 0xFF) * 0x010101u;
    default: break;
    }
    v &= 0xFFFF;
    switch (cs) {
    case C9_COLORSPACE_RGB565_SWAPPED:
    case C9_COLORSPACE_RGB555_SWAPPED:
    case C9_COLORSPACE_BGR565_SWAPPED:
    case C9_COLORSPACE_BGR555_SWAPPED: v = c9_bswap16((uint16_t)v); break;
    default: break;
    }
    switch (cs) {
    case C9_COLORSPACE_RGB565:
    case C9_COLORSPACE_RGB565_SWAPPED:
        r = (v >> 11) << 3;
        g = ((v >> 5) & 0x3F) << 2;
        b = (v & 0x1F) << 3;
        break;
    case C9_COLORSPACE_BGR565:
    case C9_COLORSPACE_BGR565_SWAPPED:
        b = (v >> 11) << 3;
        g = ((v >> 5) & 0x3F) << 2;
        r = (v & 0x1F) << 3;
        break;
    case C9_COLORSPACE_RGB555:
    case C9_COLORSPACE_RGB555_SWAPPED:
        r = (v >> 10) & 0x1F;
        g = (v >> 5) & 0x1F;
        b = v & 0x1F;
        r = (r << 3) | (r >> 2);
        g = (g << 3) | (g >> 2);
        b = (b << 3) | (b >> 2);
        break;
    default: /* BGR555 and swapped */
        b = (v >> 10) & 0x1F;
        g = (v >> 5) & 0x1F;
        r = v & 0x1F;
        r = (r << 3) | (r >> 2);
        g = (g << 3) | (g >> 2);
        b = (b << 3) | (b >> 2);
        break;
    }
    return (r << 16) | (g << 8) | b;
}

uint8_t c9_rgb888_luma(uint32_t c) {
    uint32_t r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
    return (uint8_t)((r * 19 + g * 182 + b * 54) / 255);
}

uint8_t c9_dither_noise(int x, int y) {
    /* A small integer hash of the position: stable across frames so that a still image does
     * not shimmer, uncorrelated enough between neighbours to break up banding. */
    uint32_t h = (uint32_t)x * 0x9E3779B1u ^ (uint32_t)y * 0x85EBCA77u;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return (uint8_t)(h >> 24);
}

c9_err_t c9_palette_alloc(c9_palette_t *p, uint32_t count, bool dither, const c9_allocator_t *a) {
    if (count < 1 || count > C9_PALETTE_MAX) {
        return C9_ERR_INVAL;
    }
    p->colors = c9_calloc(a, count * sizeof(c9_palette_entry_t));
    if (!p->colors) {
        return C9_ERR_NOMEM;
    }
    p->count = count;
    p->dither = dither;
    p->dirty = true;
    p->allocator = a ? a : c9_allocator_default();
    return C9_OK;
}

void c9_palette_release(c9_palette_t *p) {
    if (p->colors) {
        c9_free(p->allocator, p->colors, p->count * sizeof(c9_palette_entry_t));
    }
    p->colors = NULL;
    p->count = 0;
}

c9_err_t c9_palette_set(c9_palette_t *p, uint32_t index, uint32_t rgb888) {
    if (!p->colors) {
        return C9_ERR_BADF;
    }
    if (index >= p->count || rgb888 > 0xFFFFFF) {
        return C9_ERR_RANGE;
    }
    if (p->colors[index].rgb888 != rgb888) {
        p->colors[index].rgb888 = rgb888;
        p->dirty = true;
    }
    return C9_OK;
}

c9_err_t c9_palette_set_transparent(c9_palette_t *p, uint32_t index, bool transparent) {
    if (!p->colors) {
        return C9_ERR_BADF;
    }
    if (index >= p->count) {
        return C9_ERR_RANGE;
    }
    if (p->colors[index].transparent != transparent) {
        p->colors[index].transparent = transparent;
        p->dirty = true;
    }
    return C9_OK;
}

void c9_colorconverter_init(c9_colorconverter_t *cc, c9_colorspace_t input, bool dither) {
    cc->input = input;
    cc->dither = dither;
    cc->has_transparent = false;
    cc->transparent_color = 0;
}

uint32_t c9_colorconverter_to_rgb888(const c9_colorconverter_t *cc, uint32_t value, bool *transparent) {
    bool t = cc->has_transparent && value == cc->transparent_color;
    if (transparent) {
        *transparent = t;
    }
    return c9_color_to_rgb888(cc->input, value);
}

uint16_t c9_colorconverter_convert(const c9_colorconverter_t *cc, uint32_t value, int x, int y) {
    bool transparent;
    uint32_t c = c9_colorconverter_to_rgb888(cc, value, &transparent);
    if (transparent) {
        return 0;
    }
    if (cc->dither) {
        /* Add noise below one step of each 565 channel (8 for red/blue, 4 for green), then
         * truncate: averages out to the exact colour over an area. */
        uint32_t n = c9_dither_noise(x, y);
        uint32_t r = ((c >> 16) & 0xFF) + (n >> 5);
        uint32_t g = ((c >> 8) & 0xFF) + ((n >> 3) & 0x3);
        uint32_t b = (c & 0xFF) + (((n >> 1) ^ n) & 0x7);
        c = (C9_MIN(r, 255u) << 16) | (C9_MIN(g, 255u) << 8) | C9_MIN(b, 255u);
    }
    return c9_rgb888_to_rgb565(c);
}
