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

#if C9F_VEC
/* mix in 16-bit lanes. Each weight w = h * 2^16 + m * 2^8 + l (l, m bytes) and the offset
 * likewise; a channel value c <= 63 times a byte stays below 2^14, so with
 * A = sum(c * l) + offset_l and B = sum(c * m) + offset_m (both < 2^15) the int32 result's
 * high half is sum(c * h) + offset_h + (B >> 8) + ((A / 2 + (B & 255) * 128) >> 15) modulo
 * 2^16, which is what CircuitPython's arithmetic shift of the wrapped sum leaves. */
typedef struct {
    uint16_t h[3][4], m[3][4], l[3][4]; /* [out channel][R, G, B, offset] */
} mix_vec_t;

static inline c9f_i16x8 mix_channel(const mix_vec_t *v, int c, c9f_u16x8 r, c9f_u16x8 g, c9f_u16x8 b) {
    c9f_u16x8 hi = r * v->h[c][0] + g * v->h[c][1] + b * v->h[c][2] + v->h[c][3];
    c9f_u16x8 mid = r * v->m[c][0] + g * v->m[c][1] + b * v->m[c][2] + v->m[c][3];
    c9f_u16x8 low = r * v->l[c][0] + g * v->l[c][1] + b * v->l[c][2] + v->l[c][3];
    return (c9f_i16x8)(hi + (mid >> 8) + (((low >> 1) + ((mid & 255) << 7)) >> 15));
}

static inline c9f_u16x8 mix8(const mix_vec_t *v, c9f_u16x8 s) {
    c9f_u16x8 r, g, b;
    c9f_unpack8(s, &r, &g, &b);
    c9f_u16x8 ro = (c9f_u16x8)c9f_clamp16(mix_channel(v, 0, r, g, b), 31);
    c9f_u16x8 go = (c9f_u16x8)c9f_clamp16(mix_channel(v, 1, r, g, b), 63);
    c9f_u16x8 bo = (c9f_u16x8)c9f_clamp16(mix_channel(v, 2, r, g, b), 31);
    return c9f_pack8(ro, go, bo);
}

static void mix_vec(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const uint32_t wt[12]) {
    mix_vec_t v;
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < 4; i++) {
            uint32_t w = wt[4 * c + i];
            v.h[c][i] = (uint16_t)(w >> 16);
            v.m[c][i] = (uint16_t)((w >> 8) & 255);
            v.l[c][i] = (uint16_t)(w & 255);
        }
    }
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            int x = x0;
            for (; x + 8 <= x1; x += 8) {
                c9f_store8(row + x, mix8(&v, c9f_load8(row + x)));
            }
            if (x < x1) { /* the last few through a padded copy */
                uint16_t tmp[8] = {0};
                memcpy(tmp, row + x, (size_t)(x1 - x) * 2);
                c9f_store8(tmp, mix8(&v, c9f_load8(tmp)));
                memcpy(row + x, tmp, (size_t)(x1 - x) * 2);
            }
        }
    }
}
#endif

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
#if C9F_VEC
    if (c9f_use_vec(opts)) {
        mix_vec(bitmap, mask, wt);
        mark_all_dirty(bitmap);
        return C9_OK;
    }
#endif
    /* t[channel value][out channel]: R at 0..31, G at 32..95, B at 96..127 with the offset
     * folded in (1.5 KiB). Sums are added in uint32 so they wrap like CircuitPython's int32. */
    uint32_t t[128][3];
    for (uint32_t v = 0; v < 64; v++) {
        for (int c = 0; c < 3; c++) {
            if (v < 32) {
                t[v][c] = v * wt[4 * c];
                t[96 + v][c] = v * wt[4 * c + 2] + wt[4 * c + 3];
            }
            t[32 + v][c] = v * wt[4 * c + 1];
        }
    }
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            for (int x = x0; x < x1; x++) {
                unsigned v = row[x], lo = v & 255, hi = v >> 8;
                const uint32_t *tr = t[lo >> 3], *tg = t[32 + ((lo & 7) << 3 | hi >> 5)], *tb = t[96 + (hi & 31)];
                int32_t r = clamp_i32(c9f_sar16(tr[0] + tg[0] + tb[0]), 31);
                int32_t g = clamp_i32(c9f_sar16(tr[1] + tg[1] + tb[1]), 63);
                int32_t b = clamp_i32(c9f_sar16(tr[2] + tg[2] + tb[2]), 31);
                row[x] = c9_bswap16((uint16_t)((r << 11) | (g << 5) | b));
            }
        }
    }
    mark_all_dirty(bitmap);
    return C9_OK;
}

/* ---- solarize ----------------------------------------------------------------------------- */

/* Y, U and V sums packed in 21-bit fields of one uint64 (entries per channel value, 1 KiB),
 * biased so that every final field is in range: adding the three entries modulo 2^64 then
 * yields all three sums (intermediate borrows cancel). U = (field >> 7) - 144 and
 * V = (field >> 7) - 128 because the biases (18432, 16384) are multiples of 128, so the
 * arithmetic shifts CircuitPython does on the signed sums are reproduced exactly. */
#define YUV_FIELD 0x1FFFFFu
static uint64_t yuv_pack(int32_t y, int32_t u, int32_t v) {
    return (uint64_t)(int64_t)y + (uint64_t)(int64_t)u * (1u << 21) + (uint64_t)(int64_t)v * ((uint64_t)1 << 42);
}

static inline int32_t clamp255(int32_t v) {
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

#if C9F_VEC
/* floor(a * k / 2^16) for |a| <= 128 and k < 2^16, in 16-bit lanes:
 * floor((a * kh * 2^8 + a * kl) / 2^16) = (a * kh + ((a * kl) >> 8)) >> 8. */
static inline c9f_i16x8 mulhs_small(c9f_i16x8 a, int k) {
    return (a * (int16_t)(k >> 8) + ((a * (int16_t)(k & 255)) >> 8)) >> 8;
}

static inline c9f_u16x8 solarize8(c9f_u16x8 s, int16_t t, int16_t twice_t) {
    c9f_u16x8 r, g, b;
    c9f_unpack8(s, &r, &g, &b);
    c9f_i16x8 r8 = (c9f_i16x8)((r << 3) | (r >> 2)), g8 = (c9f_i16x8)((g << 2) | (g >> 4)),
              b8 = (c9f_i16x8)((b << 3) | (b >> 2));
    c9f_i16x8 luma = (38 * r8 + 75 * g8 + 15 * b8) >> 7; /* every sum below fits in 16 bits */
    c9f_i16x8 u = (-21 * r8 - 43 * g8 + 64 * b8) >> 7;   /* -128..127 */
    c9f_i16x8 v = (64 * r8 - 54 * g8 - 10 * b8) >> 7;
    c9f_i16x8 l2 = c9f_clamp16(twice_t - luma, 255);
    /* 91881 = 2^16 + 26345, 116130 = 2^16 + 50594; (22554 u + 46802 v) / 2^16 is
     * (512 p + q) / 2^16 with p = 44 u + 91 v and q = 26 u + 210 v, i.e. (p + (q >> 9)) >> 7. */
    c9f_i16x8 ro = c9f_clamp16(l2 + v + mulhs_small(v, 26345), 255);
    c9f_i16x8 go = c9f_clamp16(l2 - ((44 * u + 91 * v + ((26 * u + 210 * v) >> 9)) >> 7), 255);
    c9f_i16x8 bo = c9f_clamp16(l2 + u + mulhs_small(u, 50594), 255);
    c9f_u16x8 p = ((c9f_u16x8)(ro & 0xF8) << 8) | ((c9f_u16x8)(go & 0xFC) << 3) | ((c9f_u16x8)bo >> 3);
    c9f_u16x8 sel = (c9f_u16x8)(luma > t);
    return (((p << 8) | (p >> 8)) & sel) | (s & ~sel);
}
#endif

c9_err_t c9_filter_solarize(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, c9_filter_real_t threshold,
                            const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    int32_t t = c9f_round_i32((c9_filter_real_t)256 * threshold);
    /* 2t - Y with CircuitPython's int wrap-around, then clamped. */
    uint32_t twice_t = 2u * (uint32_t)t;
#if C9F_VEC
    /* 2t - Y wraps again only when 2t is within 255 of INT32_MIN: that case stays portable.
     * Otherwise t clamped to -1..255 and 2t to 0..510 give the same results for Y in 0..255. */
    if (c9f_use_vec(opts) && (int32_t)twice_t >= INT32_MIN + 256) {
        int16_t tc = (int16_t)(t < -1 ? -1 : t > 255 ? 255 : t);
        int32_t t2 = (int32_t)twice_t;
        int16_t t2c = (int16_t)(t2 < 0 ? 0 : t2 > 510 ? 510 : t2);
        for (int y = 0; y < bitmap->height; y++) {
            uint16_t *row = c9f_row(bitmap, y);
            int x0, x1 = 0;
            while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
                int x = x0;
                for (; x + 8 <= x1; x += 8) {
                    c9f_store8(row + x, solarize8(c9f_load8(row + x), tc, t2c));
                }
                if (x < x1) {
                    uint16_t tmp[8] = {0};
                    memcpy(tmp, row + x, (size_t)(x1 - x) * 2);
                    c9f_store8(tmp, solarize8(c9f_load8(tmp), tc, t2c));
                    memcpy(row + x, tmp, (size_t)(x1 - x) * 2);
                }
            }
        }
        mark_all_dirty(bitmap);
        return C9_OK;
    }
#endif
    uint64_t tr[32], tg[64], tb[32];
    for (int v = 0; v < 64; v++) {
        if (v < 32) {
            int r8 = c9f_r8(v);
            tr[v] = yuv_pack(38 * r8, -21 * r8 + 18432, 64 * r8 + 16384);
            tb[v] = yuv_pack(15 * r8, 64 * r8, -10 * r8);
        }
        int g8 = c9f_g8(v);
        tg[v] = yuv_pack(75 * g8, -43 * g8, -54 * g8);
    }
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            for (int x = x0; x < x1; x++) {
                unsigned v = row[x], lo = v & 255, hi = v >> 8;
                uint64_t s = tr[lo >> 3] + tg[(lo & 7) << 3 | hi >> 5] + tb[hi & 31];
                int32_t luma = (int32_t)((s & YUV_FIELD) >> 7);
                if (luma <= t) {
                    continue;
                }
                int32_t l2 = clamp255((int32_t)(twice_t - (uint32_t)luma));
                int32_t u = (int32_t)(((s >> 21) & YUV_FIELD) >> 7) - 144;
                int32_t w = (int32_t)(s >> 49) - 128;
                int32_t r = clamp255(l2 + ((91881 * w) >> 16));
                int32_t g = clamp255(l2 - ((22554 * u + 46802 * w) >> 16));
                int32_t b = clamp255(l2 + ((116130 * u) >> 16));
                row[x] = c9_bswap16((uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3)));
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
