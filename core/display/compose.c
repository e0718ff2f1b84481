/*
 * The compositor: fills a physical area with the visible layers of the root group.
 *
 * Painter's order, bottom to top, but starting at the topmost layer that covers the whole area
 * with opaque pixels, so a full-screen background hides everything under it at no cost. Each
 * physical row segment of a layer is done in two stages: fetch (bitmap values along the row,
 * following tiles, scale, flips, transpose and the display rotation) and shade (palette or
 * colour converter to the display's pixel format, skipping transparent pixels). The common
 * cases (scale 1, walking forward along bitmap rows, a palette of at most 256 colours or an
 * RGB565 converter) take loops without per-pixel branching on the layer's parameters.
 */
#include "display_internal.h"

#include <string.h>

#define TRANSPARENT_BIT 0x80000000u
#define SEG 128 /* values fetched per pass: bounds the stack use */

typedef struct compose {
    c9_display_t *d;
    const c9_rect_t *area;
    void *out;
    bool wide; /* 16-bit pixels in out, else 8-bit */
    int area_w;
    /* pass 1 results */
    int32_t index;
    int32_t start;
    /* the area in logical coordinates, for a cheap first test of shapes */
    int32_t lx1, ly1, lx2, ly2;
} compose_t;

/* ---- colour to display format ------------------------------------------------------------ */

static inline uint16_t to_wire16(const c9_display_t *d, uint16_t c) {
    /* Memory bytes must be the order sent: MSB first when reverse_bytes_in_word. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return d->cfg.reverse_bytes_in_word ? c : c9_bswap16(c);
#else
    return d->cfg.reverse_bytes_in_word ? c9_bswap16(c) : c;
#endif
}

static uint32_t native_color(const c9_display_t *d, uint32_t rgb, bool dither, int x, int y) {
    uint8_t depth = d->cfg.color_depth;
    if (depth == 16) {
        if (dither) {
            uint32_t n = c9_dither_noise(x, y);
            uint32_t r = ((rgb >> 16) & 0xFF) + (n >> 5);
            uint32_t g = ((rgb >> 8) & 0xFF) + ((n >> 3) & 0x3);
            uint32_t b = (rgb & 0xFF) + (((n >> 1) ^ n) & 0x7);
            rgb = (C9_MIN(r, 255u) << 16) | (C9_MIN(g, 255u) << 8) | C9_MIN(b, 255u);
        }
        return to_wire16(d, c9_rgb888_to_rgb565(rgb));
    }
    if (depth == 8 && !d->cfg.grayscale) {
        /* RGB332 */
        return ((rgb >> 16) & 0xE0) | ((rgb >> 11) & 0x1C) | ((rgb >> 6) & 0x03);
    }
    uint32_t l = c9_rgb888_luma(rgb);
    if (dither) {
        l = C9_MIN(l + (c9_dither_noise(x, y) >> depth), 255u);
    }
    return l >> (8 - depth);
}

#if C9_DISPLAY_PALETTE_LUTS > 0
static const uint32_t *palette_lut(c9_display_t *d, const c9_palette_t *p, uint32_t *n_out, bool *opaque) {
    for (int i = 0; i < d->lut_count; i++) {
        if (d->luts[i].palette == p) {
            *n_out = d->luts[i].n;
            *opaque = d->luts[i].opaque;
            return d->luts[i].v;
        }
    }
    int slot = d->lut_count < C9_DISPLAY_PALETTE_LUTS ? d->lut_count++ : C9_DISPLAY_PALETTE_LUTS - 1;
    uint32_t n = C9_MIN(p->count, 256u);
    bool all = n == 256;
    d->luts[slot].palette = p;
    d->luts[slot].n = n;
    for (uint32_t i = 0; i < 256; i++) {
        /* Indices past the palette are transparent, so 8-bit lookups need no bounds check. */
        bool t = i >= n || p->colors[i].transparent;
        all = all && !t;
        d->luts[slot].v[i] = t ? TRANSPARENT_BIT : native_color(d, p->colors[i].rgb888, false, 0, 0);
    }
    d->luts[slot].opaque = all;
    *n_out = n;
    *opaque = all;
    return d->luts[slot].v;
}
#endif

/* ---- layer properties -------------------------------------------------------------------- */

static bool source_alive(const c9_tilegrid_t *tg) {
    if (!tg->source || !tg->tiles) {
        return false;
    }
    if (tg->source_type == C9_SOURCE_BITMAP) {
        return ((const c9_bitmap_t *)tg->source)->data != NULL;
    }
    return true;
}

static uint32_t source_bits(const c9_tilegrid_t *tg) {
    if (tg->source_type == C9_SOURCE_BITMAP) {
        return ((const c9_bitmap_t *)tg->source)->bits_per_value;
    }
    const c9_ondiskbitmap_t *o = tg->source;
    return o->info.bits_per_pixel <= 8 ? o->info.bits_per_pixel : 32;
}

/* Every pixel the layer can produce is opaque. */
static bool layer_opaque(const c9_tilegrid_t *tg) {
    switch (tg->shader_type) {
    case C9_SHADER_PALETTE: {
        const c9_palette_t *p = tg->shader;
        uint32_t bits = source_bits(tg);
        uint64_t values = bits >= 32 ? UINT64_MAX : (1ull << bits);
        if (!p->colors || (uint64_t)p->count < values) {
            return false; /* some value would index past the palette: transparent */
        }
        uint32_t n = (uint32_t)C9_MIN((uint64_t)p->count, values);
        for (uint32_t i = 0; i < n; i++) {
            if (p->colors[i].transparent) {
                return false;
            }
        }
        return true;
    }
    case C9_SHADER_COLORCONVERTER: return !((const c9_colorconverter_t *)tg->shader)->has_transparent;
    default: return true;
    }
}

static bool rect_contains(const c9_rect_t *outer, const c9_rect_t *inner) {
    return outer->x1 <= inner->x1 && outer->y1 <= inner->y1 && outer->x2 >= inner->x2 && outer->y2 >= inner->y2;
}

static void pass1(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx) {
    compose_t *c = ctx;
    if (!visible || !source_alive(tg)) {
        return;
    }
    c9_rect_t fp = c9__tilegrid_physical_rect(tg, p), ov;
    if (!c9_rect_intersect(&fp, c->area, &ov)) {
        return;
    }
    if (rect_contains(&fp, c->area) && layer_opaque(tg)) {
        c->start = c->index;
    }
    c->index++;
}

/* ---- fetch --------------------------------------------------------------------------------- */

static inline uint32_t sample(const c9_tilegrid_t *tg, int32_t cx, int32_t cy) {
    /* This path reads on-disk bitmaps, whose read callback may resize the grid (or change its
     * source) while a row is under way: a position the walk no longer covers reads as 0. */
    if (cx < 0 || cy < 0 || cx >= (int32_t)tg->width * tg->tile_width || cy >= (int32_t)tg->height * tg->tile_height ||
        !tg->tiles) {
        return 0;
    }
    int32_t tx = cx / tg->tile_width, ty = cy / tg->tile_height;
    int32_t col = (tx + tg->top_left_x) % tg->width, row = (ty + tg->top_left_y) % tg->height;
    uint32_t tile = tg->tiles[(size_t)row * tg->width + col];
    int32_t bx = (int32_t)(tile % tg->bitmap_width_in_tiles) * tg->tile_width + cx % tg->tile_width;
    int32_t by = (int32_t)(tile / tg->bitmap_width_in_tiles) * tg->tile_height + cy % tg->tile_height;
    if (tg->source_type == C9_SOURCE_BITMAP) {
        const c9_bitmap_t *b = tg->source;
        return b->data ? c9_bitmap_get(b, bx, by) : 0;
    }
    return c9_ondiskbitmap_get_pixel(tg->source, bx, by);
}

/* Values of bitmap row `by` from column bx, n of them (all inside the bitmap). */
static void fetch_row(const c9_bitmap_t *b, int32_t bx, int32_t by, int n, uint32_t *vals) {
    const uint32_t *row = b->data + (size_t)by * b->stride_words;
    switch (b->bits_per_value) {
    case 16: {
        const uint16_t *s = (const uint16_t *)row + bx;
        for (int i = 0; i < n; i++) {
            vals[i] = s[i];
        }
        break;
    }
    case 8: {
        const uint8_t *s = (const uint8_t *)row + bx;
        for (int i = 0; i < n; i++) {
            vals[i] = s[i];
        }
        break;
    }
    case 32: memcpy(vals, row + bx, (size_t)n * 4); break;
    default: {
        const uint8_t *s = (const uint8_t *)row;
        unsigned bpv = b->bits_per_value, shift_mask = b->x_mask;
        for (int i = 0; i < n; i++) {
            unsigned x = (unsigned)(bx + i);
            unsigned shift = 8u - bpv * (1u + (x & shift_mask));
            vals[i] = (s[x >> b->x_shift] >> shift) & b->bitmask;
        }
        break;
    }
    }
}

typedef struct rowwalk {
    int32_t cx, cy; /* content position of the first pixel */
    bool vx;        /* true: cx varies along the row, else cy */
    int32_t dc;     /* +1 or -1 */
    int32_t first;  /* pixels until the first content step */
    int32_t scale;
} rowwalk_t;

/* n content values along the walk, advancing it. */
static void fetch(const c9_tilegrid_t *tg, rowwalk_t *w, int n, uint32_t *vals) {
    if (w->scale == 1 && w->vx && w->dc == 1 && tg->source_type == C9_SOURCE_BITMAP) {
        const c9_bitmap_t *b = tg->source;
        int32_t ty = w->cy / tg->tile_height, yin = w->cy % tg->tile_height;
        size_t trow = (size_t)((ty + tg->top_left_y) % tg->height) * tg->width;
        int32_t tx = w->cx / tg->tile_width, xin = w->cx % tg->tile_width;
        int done = 0;
        while (done < n) {
            uint32_t tile = tg->tiles[trow + (size_t)((tx + tg->top_left_x) % tg->width)];
            int len = C9_MIN(tg->tile_width - xin, n - done);
            int32_t bx = (int32_t)(tile % tg->bitmap_width_in_tiles) * tg->tile_width + xin;
            int32_t by = (int32_t)(tile / tg->bitmap_width_in_tiles) * tg->tile_height + yin;
            if (by < b->height) {
                fetch_row(b, bx, by, len, vals + done);
            } else {
                memset(vals + done, 0, (size_t)len * 4);
            }
            done += len;
            tx++;
            xin = 0;
        }
        w->cx += n;
        return;
    }
    int32_t run = w->first;
    for (int i = 0; i < n; i++) {
        vals[i] = sample(tg, w->cx, w->cy);
        if (--run == 0) {
            run = w->scale;
            if (w->vx) {
                w->cx += w->dc;
            } else {
                w->cy += w->dc;
            }
        }
    }
    w->first = run;
}

/* ---- shade --------------------------------------------------------------------------------- */

typedef struct shader_state {
    int kind; /* 0 raw, 1 lut, 2 palette per pixel, 3 cc identity, 4 cc per pixel */
    const uint32_t *lut;
    uint32_t lut_n;
    bool lut_opaque;
    const c9_palette_t *palette;
    const c9_colorconverter_t *cc;
    uint32_t raw_mask;
    bool swap_in; /* cc identity: input is byte-swapped RGB565 */
} shader_state_t;

static void shader_setup(c9_display_t *d, const c9_tilegrid_t *tg, shader_state_t *s) {
    memset(s, 0, sizeof(*s));
    uint8_t depth = d->cfg.color_depth;
    s->raw_mask = depth >= 16 ? 0xFFFF : (1u << depth) - 1;
    if (tg->shader_type == C9_SHADER_PALETTE) {
        s->palette = tg->shader;
        s->kind = 2;
#if C9_DISPLAY_PALETTE_LUTS > 0
        if (!s->palette->dither) {
            s->lut = palette_lut(d, s->palette, &s->lut_n, &s->lut_opaque);
            s->kind = s->palette->count <= 256 ? 1 : 2;
        }
#endif
    } else if (tg->shader_type == C9_SHADER_COLORCONVERTER) {
        s->cc = tg->shader;
        s->kind = 4;
        if (depth == 16 && !s->cc->dither &&
            (s->cc->input == C9_COLORSPACE_RGB565 || s->cc->input == C9_COLORSPACE_RGB565_SWAPPED)) {
            /* 565 expands by shifting and truncates back: the value passes unchanged. */
            s->kind = 3;
            s->swap_in = s->cc->input == C9_COLORSPACE_RGB565_SWAPPED;
        }
    }
}

/* Shades n values into out16/out8 at pixel positions (x + i*dx, y + i*dy) (used for dither). */
static void shade(c9_display_t *d, const shader_state_t *s, const uint32_t *vals, int n, void *out, bool wide, int x,
                  int y) {
    uint16_t *o16 = out;
    uint8_t *o8 = out;
    switch (s->kind) {
    case 1: {
        const uint32_t *lut = s->lut;
        uint32_t ln = s->lut_n;
        if (wide) {
            for (int i = 0; i < n; i++) {
                uint32_t v = vals[i];
                uint32_t e = v < ln ? lut[v] : TRANSPARENT_BIT;
                if (!(e & TRANSPARENT_BIT)) {
                    o16[i] = (uint16_t)e;
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                uint32_t v = vals[i];
                uint32_t e = v < ln ? lut[v] : TRANSPARENT_BIT;
                if (!(e & TRANSPARENT_BIT)) {
                    o8[i] = (uint8_t)e;
                }
            }
        }
        break;
    }
    case 2: {
        const c9_palette_t *p = s->palette;
        for (int i = 0; i < n; i++) {
            uint32_t v = vals[i];
            if (v >= p->count || p->colors[v].transparent) {
                continue;
            }
            uint32_t c = native_color(d, p->colors[v].rgb888, p->dither, x + i, y);
            if (wide) {
                o16[i] = (uint16_t)c;
            } else {
                o8[i] = (uint8_t)c;
            }
        }
        break;
    }
    case 3: {
        const c9_colorconverter_t *cc = s->cc;
        bool has_t = cc->has_transparent;
        uint32_t tc = cc->transparent_color;
        bool swap = s->swap_in;
        bool rbw = d->cfg.reverse_bytes_in_word;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        rbw = !rbw;
#endif
        if (!has_t) {
            if (swap != rbw) {
                for (int i = 0; i < n; i++) {
                    o16[i] = (uint16_t)(vals[i] >> 8 | vals[i] << 8);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    o16[i] = (uint16_t)vals[i];
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                uint32_t v = vals[i];
                if (v == tc) {
                    continue;
                }
                o16[i] = swap != rbw ? (uint16_t)(v >> 8 | v << 8) : (uint16_t)v;
            }
        }
        break;
    }
    case 4: {
        const c9_colorconverter_t *cc = s->cc;
        uint32_t last_in = 0xFFFFFFFFu, last_out = 0;
        for (int i = 0; i < n; i++) {
            uint32_t v = vals[i];
            if (cc->has_transparent && v == cc->transparent_color) {
                continue;
            }
            uint32_t c;
            if (v == last_in && !cc->dither) {
                c = last_out;
            } else {
                c = native_color(d, c9_color_to_rgb888(cc->input, v), cc->dither, x + i, y);
                last_in = v;
                last_out = c;
            }
            if (wide) {
                o16[i] = (uint16_t)c;
            } else {
                o8[i] = (uint8_t)c;
            }
        }
        break;
    }
    default:
        for (int i = 0; i < n; i++) {
            if (wide) {
                o16[i] = (uint16_t)(vals[i] & s->raw_mask);
            } else {
                o8[i] = (uint8_t)(vals[i] & s->raw_mask);
            }
        }
        break;
    }
}

/* ---- fused fast rows ------------------------------------------------------------------------
 * Scale 1, walking forward along bitmap rows, a 16-bit display, and a table palette or an RGB565
 * converter: bitmap values go straight to pixels, a tile run at a time. */

static void swap_copy16(uint16_t *dst, const uint16_t *src, int n) {
    int i = 0;
    /* Four pixels per 64-bit word: swap the bytes of each 16-bit lane. */
    for (; i + 4 <= n; i += 4) {
        uint64_t v;
        memcpy(&v, src + i, 8);
        v = ((v & 0x00FF00FF00FF00FFull) << 8) | ((v >> 8) & 0x00FF00FF00FF00FFull);
        memcpy(dst + i, &v, 8);
    }
    for (; i < n; i++) {
        dst[i] = c9_bswap16(src[i]);
    }
}

static void fast_run(const c9_bitmap_t *b, const shader_state_t *s, int32_t bx, int32_t by, int n, uint16_t *o,
                     bool swap16) {
    const uint32_t *row = b->data + (size_t)by * b->stride_words;
    if (s->kind == 3) {
        const uint16_t *src = (const uint16_t *)row + bx;
        if (!s->cc->has_transparent) {
            if (swap16) {
                swap_copy16(o, src, n);
            } else {
                memcpy(o, src, (size_t)n * 2);
            }
            return;
        }
        uint32_t tc = s->cc->transparent_color;
        for (int i = 0; i < n; i++) {
            if (src[i] != tc) {
                o[i] = swap16 ? c9_bswap16(src[i]) : src[i];
            }
        }
        return;
    }
    const uint32_t *lut = s->lut;
    switch (b->bits_per_value) {
    case 8: {
        const uint8_t *src = (const uint8_t *)row + bx;
        if (s->lut_opaque) {
            for (int i = 0; i < n; i++) {
                o[i] = (uint16_t)lut[src[i]];
            }
        } else {
            for (int i = 0; i < n; i++) {
                uint32_t e = lut[src[i]];
                if (!(e & TRANSPARENT_BIT)) {
                    o[i] = (uint16_t)e;
                }
            }
        }
        return;
    }
    case 1: {
        const uint8_t *src = (const uint8_t *)row;
        uint32_t e0 = lut[0], e1 = lut[1];
        bool t0 = e0 & TRANSPARENT_BIT, t1 = e1 & TRANSPARENT_BIT;
        /* Up to 24 pixels at a time from one bit string, most significant bit first. */
        for (int i = 0; i < n;) {
            unsigned x = (unsigned)(bx + i), shift = x & 7;
            int len = C9_MIN(n - i, 24);
            const uint8_t *p = src + (x >> 3);
            unsigned need = (shift + (unsigned)len + 7) / 8;
            uint32_t bits = 0;
            for (unsigned k = 0; k < 4; k++) {
                bits = (bits << 8) | (k < need ? p[k] : 0u);
            }
            bits <<= shift;
            bits &= ~(0xFFFFFFFFu >> len); /* keep len bits */
            uint16_t *q = o + i;
            if (t0 && !t1) {
                /* Text over something: touch only the set pixels. */
                while (bits) {
                    int lz = (int)c9_clz32(bits);
                    q[lz] = (uint16_t)e1;
                    bits &= ~(0x80000000u >> lz);
                }
            } else {
                for (int k = 0; k < len; k++, bits <<= 1) {
                    bool bit = bits & 0x80000000u;
                    if (bit ? !t1 : !t0) {
                        q[k] = (uint16_t)(bit ? e1 : e0);
                    }
                }
            }
            i += len;
        }
        return;
    }
    case 2:
    case 4: {
        const uint8_t *src = (const uint8_t *)row;
        unsigned bpv = b->bits_per_value;
        for (int i = 0; i < n; i++) {
            unsigned x = (unsigned)(bx + i);
            unsigned v = (src[x >> b->x_shift] >> (8u - bpv * (1u + (x & b->x_mask)))) & b->bitmask;
            uint32_t e = lut[v];
            if (!(e & TRANSPARENT_BIT)) {
                o[i] = (uint16_t)e;
            }
        }
        return;
    }
    default: { /* 16 or 32 bits into a palette: values past 255 are transparent */
        for (int i = 0; i < n; i++) {
            uint32_t v = b->bits_per_value == 16 ? ((const uint16_t *)row)[bx + i] : row[bx + i];
            uint32_t e = v < 256 ? lut[v] : TRANSPARENT_BIT;
            if (!(e & TRANSPARENT_BIT)) {
                o[i] = (uint16_t)e;
            }
        }
        return;
    }
    }
}

/* Text: 1-bit glyphs side by side in one row of tiles, colour 0 transparent, colour 1 opaque, glyphs
 * at most 25 pixels wide. Each cell costs a tile load, one bit-string load and a store per set
 * pixel; blank glyph rows (most of a text screen) cost nothing more. */
static bool text_row(const c9_tilegrid_t *tg, const shader_state_t *s, const rowwalk_t *w, int n, uint16_t *out) {
    const c9_bitmap_t *b = tg->source;
    uint32_t e0 = s->lut[0], e1 = s->lut[1];
    if (b->bits_per_value != 1 || !(e0 & TRANSPARENT_BIT) || (e1 & TRANSPARENT_BIT) || b->height != tg->tile_height ||
        tg->tile_width > 25) {
        return false;
    }
    int32_t tw = tg->tile_width, yin = w->cy % tg->tile_height;
    size_t trow = (size_t)((w->cy / tg->tile_height + tg->top_left_y) % tg->height) * tg->width;
    int32_t xin = w->cx % tw;
    int32_t col = (w->cx / tw + tg->top_left_x) % tg->width;
    const uint8_t *row = (const uint8_t *)(b->data + (size_t)yin * b->stride_words);
    uint16_t c1 = (uint16_t)e1;
    for (int done = 0; done < n;) {
        uint32_t tile = tg->tiles[trow + (size_t)col];
        int len = C9_MIN(tw - xin, n - done);
        if (tile < tg->tiles_in_bitmap) {
            uint32_t x = tile * (uint32_t)tw + (uint32_t)xin;
            size_t at = x >> 3;
            /* Only the bytes the glyph row covers (never past the row). */
            unsigned span = (x & 7) + (unsigned)len;
            uint32_t bits = (uint32_t)row[at] << 24;
            if (span > 8) {
                bits |= (uint32_t)row[at + 1] << 16;
                if (span > 16) {
                    bits |= (uint32_t)row[at + 2] << 8;
                    if (span > 24) {
                        bits |= row[at + 3];
                    }
                }
            }
            bits = (bits << (x & 7)) & ~(0xFFFFFFFFu >> len);
            uint16_t *q = out + done;
            while (bits) {
                q[31 - c9_ctz32(bits)] = c1;
                bits &= bits - 1;
            }
        }
        done += len;
        xin = 0;
        if (++col == tg->width) {
            col = 0;
        }
    }
    return true;
}

static void fast_row(c9_display_t *d, const c9_tilegrid_t *tg, const shader_state_t *s, const rowwalk_t *w, int n,
                     uint16_t *out, int x, int y) {
    const c9_bitmap_t *b = tg->source;
    if (s->kind == 1 && text_row(tg, s, w, n, out)) {
        return;
    }
    bool swap16 = s->kind == 3 && s->swap_in != d->cfg.reverse_bytes_in_word;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    swap16 = s->kind == 3 && s->swap_in == d->cfg.reverse_bytes_in_word;
#endif
    int32_t ty = w->cy / tg->tile_height, yin = w->cy % tg->tile_height;
    size_t trow = (size_t)((ty + tg->top_left_y) % tg->height) * tg->width;
    int32_t tx = w->cx / tg->tile_width, xin = w->cx % tg->tile_width;
    int32_t col = (tx + tg->top_left_x) % tg->width;
    for (int done = 0; done < n;) {
        uint32_t tile = tg->tiles[trow + (size_t)col];
        int len = C9_MIN(tg->tile_width - xin, n - done);
        int32_t bx = (int32_t)(tile % tg->bitmap_width_in_tiles) * tg->tile_width + xin;
        int32_t by = (int32_t)(tile / tg->bitmap_width_in_tiles) * tg->tile_height + yin;
        if (by < b->height) {
            fast_run(b, s, bx, by, len, out + done, swap16);
        } else {
            /* a tile past the bitmap reads as value 0 */
            uint32_t zeros[SEG] = {0};
            for (int k = 0; k < len; k += SEG) {
                shade(d, s, zeros, C9_MIN(SEG, len - k), out + done + k, true, x + done + k, y);
            }
        }
        done += len;
        xin = 0;
        if (++col == tg->width) {
            col = 0;
        }
    }
}

/* ---- render one layer ---------------------------------------------------------------------- */

static void render(compose_t *c, c9_tilegrid_t *tg, const placement_t *p) {
    c9_rect_t fp = c9__tilegrid_physical_rect(tg, p), ov;
    if (!c9_rect_intersect(&fp, c->area, &ov)) {
        return;
    }
    shader_state_t s;
    shader_setup(c->d, tg, &s);
    int32_t pw = (int32_t)tg->width * tg->tile_width, ph = (int32_t)tg->height * tg->tile_height;
    /* Which logical axis a physical row walks, and in which direction. */
    bool lx_varies = p->rotation == 0 || p->rotation == 180;
    int32_t dl = (p->rotation == 0 || p->rotation == 270) ? 1 : -1;
    int32_t scale = (int32_t)p->scale;
    uint32_t vals[SEG];
    /* Forward along content x: the row walks the bitmap's rows left to right. */
    bool forward = (lx_varies != tg->transpose_xy) && (tg->flip_x == (dl < 0));
    /* The converter's fast path copies 16-bit values: a bitmap of another depth shown through an
     * RGB565 converter takes the general path. */
    bool fast = c->wide && scale == 1 && forward && tg->source_type == C9_SOURCE_BITMAP &&
                (s.kind == 1 || (s.kind == 3 && ((const c9_bitmap_t *)tg->source)->bits_per_value == 16));
    for (int py = ov.y1; py < ov.y2; py++) {
        int32_t px = ov.x1;
        /* physical -> logical */
        int64_t lx, ly;
        switch (p->rotation) {
        case 90:
            lx = py;
            ly = p->nw - 1 - px;
            break;
        case 180:
            lx = p->nw - 1 - px;
            ly = p->nh - 1 - py;
            break;
        case 270:
            lx = p->nh - 1 - py;
            ly = px;
            break;
        default:
            lx = px;
            ly = py;
            break;
        }
        int64_t rx = lx - p->ox, ry = ly - p->oy;
        int32_t sx = (int32_t)(rx / scale), sy = (int32_t)(ry / scale);
        int32_t phase = (int32_t)((lx_varies ? rx : ry) % scale);
        rowwalk_t w;
        int32_t a = tg->transpose_xy ? sy : sx, b = tg->transpose_xy ? sx : sy;
        w.cx = tg->flip_x ? pw - 1 - a : a;
        w.cy = tg->flip_y ? ph - 1 - b : b;
        /* The screen axis that varies maps to content x unless transposed. */
        w.vx = lx_varies != tg->transpose_xy;
        bool flipped = w.vx ? tg->flip_x : tg->flip_y;
        w.dc = flipped ? -dl : dl;
        w.scale = scale;
        w.first = dl > 0 ? scale - phase : phase + 1;
        int total = ov.x2 - ov.x1;
        size_t base = (size_t)(py - c->area->y1) * c->area_w + (size_t)(px - c->area->x1);
        if (fast) {
            fast_row(c->d, tg, &s, &w, total, (uint16_t *)c->out + base, px, py);
            continue;
        }
        for (int done = 0; done < total;) {
            int n = C9_MIN(total - done, SEG);
            fetch(tg, &w, n, vals);
            void *o = c->wide ? (void *)((uint16_t *)c->out + base + done) : (void *)((uint8_t *)c->out + base + done);
            shade(c->d, &s, vals, n, o, c->wide, px + done, py);
            done += n;
        }
    }
}

static void pass2(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx) {
    compose_t *c = ctx;
    if (!visible || !source_alive(tg)) {
        return;
    }
    c9_rect_t fp = c9__tilegrid_physical_rect(tg, p), ov;
    if (!c9_rect_intersect(&fp, c->area, &ov)) {
        return;
    }
    if (c->index++ >= c->start) {
        render(c, tg, p);
    }
}

/* ---- vector shapes ------------------------------------------------------------------------- */

typedef struct shape_colour {
    bool dither;
    uint32_t rgb;   /* when dithering */
    uint32_t value; /* display format, when not */
} shape_colour_t;

/* The shape's one colour, or false when its index is transparent (or it has no shader). */
static bool shape_colour(c9_display_t *d, const c9_vectorshape_t *s, shape_colour_t *out) {
    uint32_t v = s->color_index;
    if (s->shader_type == C9_SHADER_PALETTE) {
        const c9_palette_t *p = s->shader;
        if (!p->colors || v >= p->count || p->colors[v].transparent) {
            return false;
        }
        out->dither = p->dither;
        out->rgb = p->colors[v].rgb888;
    } else if (s->shader_type == C9_SHADER_COLORCONVERTER) {
        const c9_colorconverter_t *cc = s->shader;
        if (cc->has_transparent && v == cc->transparent_color) {
            return false;
        }
        out->dither = cc->dither;
        out->rgb = c9_color_to_rgb888(cc->input, v);
    } else {
        return false;
    }
    out->value = native_color(d, out->rgb, false, 0, 0);
    return true;
}

/* The shape's footprint misses the area (a test in logical coordinates, before any rotation). */
static inline bool shape_misses(const compose_t *c, const c9_vectorshape_t *s, const placement_t *p) {
    return s->kind == C9_SHAPE_NONE || p->ox + s->bx2 <= c->lx1 || p->ox + s->bx1 >= c->lx2 ||
           p->oy + s->by2 <= c->ly1 || p->oy + s->by1 >= c->ly2 || s->bx1 >= s->bx2 || s->by1 >= s->by2;
}

static void shape_pass1(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx) {
    compose_t *c = ctx;
    if (!visible || shape_misses(c, s, p)) {
        return;
    }
    c9_rect_t fp = c9__shape_physical_rect(s, p), ov;
    if (!c9_rect_intersect(&fp, c->area, &ov)) {
        return;
    }
    /* A rectangle fills its footprint: when opaque and covering the area, nothing under it shows. */
    shape_colour_t col;
    if (s->kind == C9_SHAPE_RECTANGLE && rect_contains(&fp, c->area) && shape_colour(c->d, s, &col)) {
        c->start = c->index;
    }
    c->index++;
}

/* n pixels from buffer offset `at`, `step` entries apart (physical position (x, y) moving by
 * (dx, dy) per pixel, for dithering). */
static void shape_run(compose_t *c, const shape_colour_t *col, size_t at, ptrdiff_t step, int n, int x, int y, int dx,
                      int dy) {
    if (col->dither) {
        for (int i = 0; i < n; i++, at += step, x += dx, y += dy) {
            uint32_t v = native_color(c->d, col->rgb, true, x, y);
            if (c->wide) {
                ((uint16_t *)c->out)[at] = (uint16_t)v;
            } else {
                ((uint8_t *)c->out)[at] = (uint8_t)v;
            }
        }
        return;
    }
    if (step == -1) {
        /* a run right to left (rotation 180) covers the same entries left to right */
        at -= (size_t)(n - 1);
        step = 1;
    }
    if (c->wide) {
        uint16_t *o = (uint16_t *)c->out + at, v = (uint16_t)col->value;
        if (step == 1) {
            /* four pixels per 64-bit store */
            uint64_t v4 = v * 0x0001000100010001ull;
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                memcpy(o + i, &v4, 8);
            }
            for (; i < n; i++) {
                o[i] = v;
            }
        } else {
            for (int i = 0; i < n; i++, o += step) {
                *o = v;
            }
        }
    } else {
        uint8_t *o = (uint8_t *)c->out + at, v = (uint8_t)col->value;
        if (step == 1) {
            memset(o, v, (size_t)n);
        } else {
            for (int i = 0; i < n; i++, o += step) {
                *o = v;
            }
        }
    }
}

/* Where a logical pixel of the display lands: physical = (bx + lx*xx + ly*xy, by + lx*yx + ly*yy). */
typedef struct shape_map {
    int32_t bx, by, xx, xy, yx, yy;
    ptrdiff_t step; /* buffer entries between logical x and x + 1 */
} shape_map_t;

/* Logical run [lx, lx + n) of row ly. */
static void shape_fill(compose_t *c, const shape_colour_t *col, const shape_map_t *m, int32_t lx, int32_t ly, int n) {
    int32_t px = m->bx + lx * m->xx + ly * m->xy, py = m->by + lx * m->yx + ly * m->yy;
    size_t at = (size_t)(py - c->area->y1) * (size_t)c->area_w + (size_t)(px - c->area->x1);
    shape_run(c, col, at, m->step, n, px, py, m->xx, m->yx);
}

/* Walks the shape's rows in logical coordinates and writes each covered run where the rotation puts
 * it: along a physical row for 0/180 degrees, down a physical column for 90/270. */
static void render_shape(compose_t *c, c9_vectorshape_t *s, const placement_t *p) {
    c9_rect_t fp = c9__shape_physical_rect(s, p), ov;
    shape_colour_t col;
    if (!c9_rect_intersect(&fp, c->area, &ov) || !shape_colour(c->d, s, &col)) {
        return;
    }
    int32_t nw = p->nw, nh = p->nh;
    int32_t lx1, lx2, ly1, ly2; /* the overlap in logical coordinates */
    shape_map_t m = {0, 0, 1, 0, 0, 1, 1};
    switch (p->rotation) {
    case 90:
        lx1 = ov.y1, lx2 = ov.y2, ly1 = nw - ov.x2, ly2 = nw - ov.x1;
        m = (shape_map_t){nw - 1, 0, 0, -1, 1, 0, c->area_w};
        break;
    case 180:
        lx1 = nw - ov.x2, lx2 = nw - ov.x1, ly1 = nh - ov.y2, ly2 = nh - ov.y1;
        m = (shape_map_t){nw - 1, nh - 1, -1, 0, 0, -1, -1};
        break;
    case 270:
        lx1 = nh - ov.y2, lx2 = nh - ov.y1, ly1 = ov.x1, ly2 = ov.x2;
        m = (shape_map_t){0, nh - 1, 0, 1, -1, 0, -(ptrdiff_t)c->area_w};
        break;
    default: lx1 = ov.x1, lx2 = ov.x2, ly1 = ov.y1, ly2 = ov.y2; break;
    }
    /* The footprint overlaps the area, so the origin is within 2^17 of the display. */
    int32_t ox = (int32_t)p->ox, oy = (int32_t)p->oy;
    enum { MAX_SPANS = C9__SPAN_EDGES / 2 + 1 };
    int32_t spans[2 * MAX_SPANS];
    /* A polygon's rows here look only at the edges crossing this band of rows. */
    uint32_t edges[C9__SPAN_EDGES];
    int nedges = c9__polygon_edges(s, ly1 - oy, ly2 - oy, edges, C9__SPAN_EDGES);
    for (int32_t ly = ly1; ly < ly2; ly++) {
        int n = c9__shape_spans(s, ly - oy, lx1 - ox, lx2 - ox, spans, MAX_SPANS, nedges >= 0 ? edges : NULL, nedges);
        if (n < 0) {
            /* More edges on this row than the span buffer holds: the rule pixel by pixel. */
            for (int32_t lx = lx1; lx < lx2; lx++) {
                if (c9_vectorshape_pixel(s, lx - ox, ly - oy)) {
                    shape_fill(c, &col, &m, lx, ly, 1);
                }
            }
            continue;
        }
        for (int k = 0; k < n; k++) {
            shape_fill(c, &col, &m, ox + spans[2 * k], ly, spans[2 * k + 1] - spans[2 * k]);
        }
    }
}

static void shape_pass2(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx) {
    compose_t *c = ctx;
    if (!visible || shape_misses(c, s, p)) {
        return;
    }
    c9_rect_t fp = c9__shape_physical_rect(s, p), ov;
    if (!c9_rect_intersect(&fp, c->area, &ov)) {
        return;
    }
    if (c->index++ >= c->start) {
        render_shape(c, s, p);
    }
}

static void shape_logical_area(compose_t *c, const placement_t *p) {
    const c9_rect_t *a = c->area;
    int32_t nw = p->nw, nh = p->nh;
    switch (p->rotation) {
    case 90: c->lx1 = a->y1, c->lx2 = a->y2, c->ly1 = nw - a->x2, c->ly2 = nw - a->x1; break;
    case 180: c->lx1 = nw - a->x2, c->lx2 = nw - a->x1, c->ly1 = nh - a->y2, c->ly2 = nh - a->y1; break;
    case 270: c->lx1 = nh - a->y2, c->lx2 = nh - a->y1, c->ly1 = a->x1, c->ly2 = a->x2; break;
    default: c->lx1 = a->x1, c->lx2 = a->x2, c->ly1 = a->y1, c->ly2 = a->y2; break;
    }
}

void c9_display_compose(c9_display_t *d, const c9_rect_t *area, void *out) {
    compose_t c = {d, area, out, d->cfg.color_depth == 16, area->x2 - area->x1, 0, -1, 0, 0, 0, 0};
    placement_t base;
    c9__display_placement(d, &base);
    shape_logical_area(&c, &base);
    size_t pixels = (size_t)rect_area(area);
    c9__walk_layers(d->root, &base, pass1, shape_pass1, &c);
    if (c.start < 0) {
        memset(out, 0, pixels * (c.wide ? 2 : 1));
        c.start = 0;
    }
    c.index = 0;
    c9__walk_layers(d->root, &base, pass2, shape_pass2, &c);
    d->stats.pixels_composed += pixels;
}
