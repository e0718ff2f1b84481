/* The per-pixel filters: mix, solarize, lookup, false_color and blend.
 *
 * Each replaces CircuitPython's per-pixel byte swap, channel extraction and arithmetic by
 * small tables indexed by the two stored bytes of a pixel (see filter_internal.h): every
 * formula here is linear in the channels before its final shift, so its two byte halves can
 * be tabulated separately and added. Results stay bit-exact, including CircuitPython's int32
 * wrap-around, because the halves are added in uint32 and shifted as int32 afterwards. */
#include "filter_internal.h"

void c9f_luma_tables(uint16_t lo[256], uint16_t hi[256]) {
    for (int v = 0; v < 256; v++) {
        int r5 = v >> 3, gh = v & 7; /* low stored byte: RRRRRGGG */
        lo[v] = (uint16_t)(38 * c9f_r8(r5) + 75 * (gh * 32 + (gh >> 1)));
        int gl = v >> 5, b5 = v & 31; /* high stored byte: GGGBBBBB */
        hi[v] = (uint16_t)(75 * 4 * gl + 15 * c9f_r8(b5));
    }
}

static void mark_all_dirty(c9_bitmap_t *b) {
    c9_bitmap_mark_dirty(b, NULL);
}

/* ---- mix ------------------------------------------------------------------------------------ */

c9_err_t c9_filter_mix_matrix(c9_filter_mix_kind_t kind, const c9_filter_real_t *v, c9_filter_real_t out[12]) {
    if (!v || !out) {
        return C9_ERR_INVAL;
    }
    for (int i = 0; i < 12; i++) {
        out[i] = 0;
    }
    switch (kind) {
    case C9_FILTER_CHANNEL_SCALE:
        for (int i = 0; i < 3; i++) {
            out[5 * i] = v[i];
        }
        return C9_OK;
    case C9_FILTER_CHANNEL_SCALE_OFFSET:
        for (int i = 0; i < 3; i++) {
            out[5 * i] = v[2 * i];
            out[4 * i + 3] = v[2 * i + 1];
        }
        return C9_OK;
    case C9_FILTER_CHANNEL_MIXER:
        for (int i = 0; i < 9; i++) {
            out[i + i / 3] = v[i];
        }
        return C9_OK;
    case C9_FILTER_CHANNEL_MIXER_OFFSET:
        for (int i = 0; i < 12; i++) {
            out[i] = v[i];
        }
        return C9_OK;
    }
    return C9_ERR_INVAL;
}

/* Out-of-range results are rare for usual weights, so the in-range test comes first. */
static inline int32_t clamp_i32(int32_t v, int32_t max) {
    if ((uint32_t)v > (uint32_t)max) {
        v = v < 0 ? 0 : max;
    }
    return v;
}

c9_err_t c9_filter_mix(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_real_t matrix[12],
                       const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    if (!matrix) {
        return C9_ERR_INVAL;
    }
    uint32_t wt[12];
    for (int i = 0; i < 12; i++) {
        /* G has one more bit than R and B: G->R/B is halved, R/B->G doubled, and the offsets
         * are fractions of each channel's full scale (with CircuitPython's 65535). */
        c9_filter_real_t scale = (i == 1 || i == 9)    ? (c9_filter_real_t)32768
                                 : (i == 4 || i == 6)  ? (c9_filter_real_t)131072
                                 : (i == 3 || i == 11) ? (c9_filter_real_t)(65535 * 31)
                                 : (i == 7)            ? (c9_filter_real_t)(65535 * 63)
                                                       : (c9_filter_real_t)65536;
        wt[i] = (uint32_t)c9f_round_i32(scale * matrix[i]);
    }
    /* tl[byte][channel]: the low stored byte's share (R and G's high bits), th: the high
     * byte's share (G's low bits, B and the offset). */
    uint32_t tl[256][3], th[256][3];
    for (uint32_t v = 0; v < 256; v++) {
        uint32_t r5 = v >> 3, gh8 = (v & 7) * 8, gl = v >> 5, b5 = v & 31;
        for (int c = 0; c < 3; c++) {
            tl[v][c] = r5 * wt[4 * c] + gh8 * wt[4 * c + 1];
            th[v][c] = gl * wt[4 * c + 1] + b5 * wt[4 * c + 2] + wt[4 * c + 3];
        }
    }
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            for (int x = x0; x < x1; x++) {
                unsigned v = row[x], lo = v & 255, hi = v >> 8;
                int32_t r = clamp_i32(c9f_sar16(tl[lo][0] + th[hi][0]), 31);
                int32_t g = clamp_i32(c9f_sar16(tl[lo][1] + th[hi][1]), 63);
                int32_t b = clamp_i32(c9f_sar16(tl[lo][2] + th[hi][2]), 31);
                row[x] = c9_bswap16((uint16_t)((r << 11) | (g << 5) | b));
            }
        }
    }
    mark_all_dirty(bitmap);
    return C9_OK;
}

/* ---- solarize ----------------------------------------------------------------------------- */

/* Y, U and V sums packed in 21-bit fields of one uint64, biased per table so that no field
 * ever borrows: one add of the two byte halves yields all three. U = (field >> 7) - 144 and
 * V = (field >> 7) - 128 because the biases (18432, 16384) are multiples of 128, so the
 * arithmetic shifts CircuitPython does on the signed sums are reproduced exactly. */
#define YUV_FIELD 0x1FFFFFu
static void yuv_tables(uint64_t lo[256], uint64_t hi[256]) {
    for (int v = 0; v < 256; v++) {
        int r8 = c9f_r8(v >> 3), gh = v & 7, gpart = gh * 32 + (gh >> 1);
        int y = 38 * r8 + 75 * gpart, u = -21 * r8 - 43 * gpart + 16384, w = 64 * r8 - 54 * gpart + 12288;
        lo[v] = (uint64_t)y | (uint64_t)u << 21 | (uint64_t)w << 42;
        int gl4 = (v >> 5) * 4, b8 = c9f_r8(v & 31);
        y = 75 * gl4 + 15 * b8;
        u = -43 * gl4 + 64 * b8 + 2048;
        w = -54 * gl4 - 10 * b8 + 4096;
        hi[v] = (uint64_t)y | (uint64_t)u << 21 | (uint64_t)w << 42;
    }
}

c9_err_t c9_filter_solarize(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, c9_filter_real_t threshold,
                            const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    int32_t t = c9f_round_i32((c9_filter_real_t)256 * threshold);
    /* 2t - Y with CircuitPython's int wrap-around, then clamped. */
    uint32_t twice_t = 2u * (uint32_t)t;
    uint64_t lo[256], hi[256];
    yuv_tables(lo, hi);
    /* Clamp-and-pack tables over -256..511: the stored-byte bits of each 8-bit channel. */
    uint16_t pr[768], pg[768], pb[768];
    for (int i = 0; i < 768; i++) {
        int c = C9_MAX(0, C9_MIN(255, i - 256));
        pr[i] = c9_bswap16((uint16_t)((c & 0xF8) << 8));
        pg[i] = c9_bswap16((uint16_t)((c & 0xFC) << 3));
        pb[i] = c9_bswap16((uint16_t)(c >> 3));
    }
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            for (int x = x0; x < x1; x++) {
                unsigned v = row[x];
                uint64_t s = lo[v & 255] + hi[v >> 8];
                int32_t luma = (int32_t)((s & YUV_FIELD) >> 7);
                if (luma <= t) {
                    continue;
                }
                int32_t l2 = (int32_t)(twice_t - (uint32_t)luma);
                l2 = l2 < 0 ? 0 : l2 > 255 ? 255 : l2;
                int32_t u = (int32_t)(((s >> 21) & YUV_FIELD) >> 7) - 144;
                int32_t w = (int32_t)(s >> 49) - 128;
                int32_t r = l2 + ((91881 * w) >> 16);
                int32_t g = l2 - ((22554 * u + 46802 * w) >> 16);
                int32_t b = l2 + ((116130 * u) >> 16);
                row[x] = (uint16_t)(pr[r + 256] | pg[g + 256] | pb[b + 256]);
            }
        }
    }
    mark_all_dirty(bitmap);
    return C9_OK;
}

/* ---- lookup ------------------------------------------------------------------------------- */

c9_filter_real_t c9_filter_lookup_input(int i, int maxval) {
    return (c9_filter_real_t)i / (c9_filter_real_t)maxval;
}

uint8_t c9_filter_lookup_entry(c9_filter_real_t result, int maxval) {
    /* CircuitPython stores (int)round(val * maxval) into a uint8_t: no clamping. */
    return (uint8_t)c9f_round_i32(result * (c9_filter_real_t)maxval);
}

#define FULL_LUT_ENTRIES 65536u

c9_err_t c9_filter_lookup(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_lookup_table_t *table,
                          const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    if (!table) {
        return C9_ERR_INVAL;
    }
    /* Each channel's contribution, shifted into place unclamped (so it may spill into the
     * neighbouring channel's bits) and already in stored byte order. */
    uint16_t sr[32], sg[64], sb[32];
    for (int i = 0; i < 32; i++) {
        sr[i] = c9_bswap16((uint16_t)(table->r[i] << 11));
        sb[i] = c9_bswap16((uint16_t)table->b[i]);
    }
    for (int i = 0; i < 64; i++) {
        sg[i] = c9_bswap16((uint16_t)(table->g[i] << 5));
    }
    const c9_allocator_t *a = opts ? opts->allocator : NULL;
    uint16_t *full = NULL;
    size_t npix = (size_t)bitmap->width * bitmap->height;
    if (C9_FILTER_LUT_MIN_PIXELS > 0 && npix >= (size_t)C9_FILTER_LUT_MIN_PIXELS) {
        full = c9_alloc(a, FULL_LUT_ENTRIES * sizeof(uint16_t));
    }
    if (full) {
        /* Whole-value table indexed by the stored pixel: lo varies fastest, so for each high
         * byte the entries are one 256-long OR of a precomputed row with a constant. */
        uint16_t rg[8][256];
        for (int gl = 0; gl < 8; gl++) {
            for (int lo = 0; lo < 256; lo++) {
                rg[gl][lo] = (uint16_t)(sr[lo >> 3] | sg[(lo & 7) * 8 + gl]);
            }
        }
        for (int hi = 0; hi < 256; hi++) {
            const uint16_t *src = rg[hi >> 5];
            uint16_t bpart = sb[hi & 31];
            uint16_t *dst = full + hi * 256;
            for (int lo = 0; lo < 256; lo++) {
                dst[lo] = (uint16_t)(src[lo] | bpart);
            }
        }
        for (int y = 0; y < bitmap->height; y++) {
            uint16_t *row = c9f_row(bitmap, y);
            int x0, x1 = 0;
            while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
                for (int x = x0; x < x1; x++) {
                    row[x] = full[row[x]];
                }
            }
        }
        c9_free(a, full, FULL_LUT_ENTRIES * sizeof(uint16_t));
    } else {
        for (int y = 0; y < bitmap->height; y++) {
            uint16_t *row = c9f_row(bitmap, y);
            int x0, x1 = 0;
            while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
                for (int x = x0; x < x1; x++) {
                    unsigned v = row[x], lo = v & 255, hi = v >> 8;
                    row[x] = (uint16_t)(sr[lo >> 3] | sg[(lo & 7) * 8 + (hi >> 5)] | sb[hi & 31]);
                }
            }
        }
    }
    mark_all_dirty(bitmap);
    return C9_OK;
}

/* ---- false_color -------------------------------------------------------------------------- */

c9_err_t c9_filter_false_color(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const uint32_t palette_rgb888[256],
                               const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    if (!palette_rgb888) {
        return C9_ERR_INVAL;
    }
    uint16_t pal[256], lo[256], hi[256];
    for (int i = 0; i < 256; i++) {
        uint32_t c = palette_rgb888[i];
        uint32_t r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
        pal[i] = c9_bswap16((uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3)));
    }
    c9f_luma_tables(lo, hi);
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            for (int x = x0; x < x1; x++) {
                unsigned v = row[x];
                row[x] = pal[(lo[v & 255] + hi[v >> 8]) >> 7];
            }
        }
    }
    mark_all_dirty(bitmap);
    return C9_OK;
}

/* ---- blend -------------------------------------------------------------------------------- */

c9_filter_real_t c9_filter_blend_input(int i) {
    return (c9_filter_real_t)i * ((c9_filter_real_t)1 / (c9_filter_real_t)63);
}

uint8_t c9_filter_blend_entry(c9_filter_real_t res) {
    if (res < 0) {
        return 0;
    }
    if (res > 1) {
        return 1; /* CircuitPython's quirk: 1, not 63 */
    }
    if (res != res) {
        return 0;
    }
    return (uint8_t)c9f_round_i32((c9_filter_real_t)63 * res);
}

c9_err_t c9_filter_blend_precompute(uint8_t table[C9_FILTER_BLEND_TABLE_SIZE], c9_filter_blend_fn fn, void *ctx) {
    if (!table || !fn) {
        return C9_ERR_INVAL;
    }
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 64; j++) {
            c9_filter_real_t res = 0;
            c9_err_t err = fn(ctx, c9_filter_blend_input(i), c9_filter_blend_input(j), &res);
            if (err != C9_OK) {
                return err;
            }
            table[i * 64 + j] = c9_filter_blend_entry(res);
        }
    }
    return C9_OK;
}

static bool same_shape(const c9_bitmap_t *a, const c9_bitmap_t *b) {
    return a->width == b->width && a->height == b->height && a->bits_per_value == b->bits_per_value;
}

c9_err_t c9_filter_blend(c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2, const c9_bitmap_t *mask,
                         const uint8_t table[C9_FILTER_BLEND_TABLE_SIZE], const c9_filter_opts_t *opts) {
    if (!dest || !src1 || !src2 || !dest->data || !src1->data || !src2->data || (mask && !mask->data)) {
        return C9_ERR_BADF;
    }
    if (!table) {
        return C9_ERR_INVAL;
    }
    if (dest->width != src1->width || dest->height != src1->height || dest->width != src2->width ||
        dest->height != src2->height) {
        return C9_ERR_FILTER_MISMATCH;
    }
    if (dest->bits_per_value != 16) {
        return C9_ERR_FILTER_DEPTH;
    }
    if (!same_shape(dest, src1) || !same_shape(dest, src2)) {
        return C9_ERR_FILTER_MISMATCH;
    }
    /* Index parts by stored byte, packed as three 16-bit fields (R, G, B) of a uint64:
     * idx(src1 byte) carries the *64 factor, idx(src2 byte) not. R and B are widened from five
     * to six bits with (x << 1) | (x & 1). */
    uint64_t l1[256], h1[256], l2[256], h2[256];
    for (unsigned v = 0; v < 256; v++) {
        unsigned r6 = ((v >> 3) << 1) | ((v >> 3) & 1), gh = (v & 7) * 8;
        unsigned gl = v >> 5, b6 = ((v & 31) << 1) | (v & 1);
        l1[v] = (uint64_t)(r6 * 64) | (uint64_t)(gh * 64) << 16;
        h1[v] = (uint64_t)(gl * 64) << 16 | (uint64_t)(b6 * 64) << 32;
        l2[v] = (uint64_t)r6 | (uint64_t)gh << 16;
        h2[v] = (uint64_t)gl << 16 | (uint64_t)b6 << 32;
    }
    for (int y = 0; y < dest->height; y++) {
        uint16_t *d = c9f_row(dest, y);
        const uint16_t *s1 = c9f_row(src1, y), *s2 = c9f_row(src2, y);
        int x0, x1 = 0, done = 0;
        while (c9f_next_span(mask, y, dest->width, x1, &x0, &x1)) {
            for (int x = done; x < x0; x++) {
                d[x] = s1[x];
            }
            for (int x = x0; x < x1; x++) {
                unsigned p1 = s1[x], p2 = s2[x];
                uint64_t idx = l1[p1 & 255] + h1[p1 >> 8] + l2[p2 & 255] + h2[p2 >> 8];
                /* Table values are used unclamped: like CircuitPython, bits past a channel's
                 * width spill into its neighbour and past bit 15 are lost. */
                unsigned r = table[idx & 0xFFF] >> 1, g = table[(idx >> 16) & 0xFFF], b = table[idx >> 32] >> 1;
                d[x] = c9_bswap16((uint16_t)((r << 11) | (g << 5) | b));
            }
            done = x1;
        }
        for (int x = done; x < dest->width; x++) {
            d[x] = s1[x];
        }
    }
    mark_all_dirty(dest);
    return C9_OK;
}

const char *c9_filter_strerror(c9_err_t err) {
    switch (err) {
    case C9_ERR_FILTER_DEPTH: return "unsupported bitmap depth";
    case C9_ERR_FILTER_MISMATCH: return "bitmap size and depth must match";
    case C9_ERR_FILTER_KERNEL: return "weights must be a sequence with an odd square number of elements";
    default: return c9_strerror(err);
    }
}
