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

#if C9_SIMD128
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
#if C9_SIMD128
    if (c9f_use_vec(opts)) {
        mix_vec(bitmap, mask, wt);
        mark_all_dirty(bitmap);
        return C9_OK;
    }
#else
    (void)opts; /* only the vector path reads the options */
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

#if C9_SIMD128
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
#if C9_SIMD128
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
#else
    (void)opts; /* only the vector path reads the options */
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

/* The fast path's table: stored results by unswapped value >> 5 (R and G, 2048 entries,
 * 4 KiB from the allocator), OR-ed with a 32-entry B table. Worth building from this many
 * pixels on; smaller images, allocation failure and the portable path use three per-channel
 * tables. C9_FILTER_LUT_MIN_PIXELS > 0 enables a 128 KiB whole-value table instead. */
#define LOOKUP_RG_ENTRIES 2048u
#define LOOKUP_RG_MIN_PIXELS 1024u
#define FULL_LUT_ENTRIES 65536u

static void lookup_rg(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const uint16_t *rg, const uint16_t sb[32]) {
    for (int y = 0; y < bitmap->height; y++) {
        uint16_t *row = c9f_row(bitmap, y);
        int x0, x1 = 0;
        while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
            int x = x0;
#if C9_SIMD128
            for (; x + 8 <= x1; x += 8) {
                c9f_u16x8 v = c9f_load8(row + x), u = (v << 8) | (v >> 8), i1 = u >> 5, i2 = u & 31;
                C9_UNROLL(8) for (int l = 0; l < 8; l++) {
                    row[x + l] = (uint16_t)(rg[i1[l]] | sb[i2[l]]);
                }
            }
#endif
            for (; x < x1; x++) {
                unsigned u = c9_bswap16(row[x]);
                row[x] = (uint16_t)(rg[u >> 5] | sb[u & 31]);
            }
        }
    }
}

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
    bool fast = !(opts && opts->portable);
    size_t npix = (size_t)bitmap->width * bitmap->height;
#if C9_FILTER_LUT_MIN_PIXELS > 0
    uint16_t *full = NULL;
    if (fast && npix >= (size_t)C9_FILTER_LUT_MIN_PIXELS) {
        full = c9_alloc(a, FULL_LUT_ENTRIES * sizeof(uint16_t));
    }
    if (full) {
        /* Whole-value table indexed by the stored pixel: for each high byte the entries are
         * the low byte's R and G part OR-ed with a constant. */
        for (int hi = 0; hi < 256; hi++) {
            const uint16_t *g = sg + (hi >> 5);
            uint16_t bpart = sb[hi & 31];
            uint16_t *dst = full + hi * 256;
            for (int lo = 0; lo < 256; lo++) {
                dst[lo] = (uint16_t)(sr[lo >> 3] | g[(lo & 7) * 8] | bpart);
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
        mark_all_dirty(bitmap);
        return C9_OK;
    }
#endif
    uint16_t *rg = NULL;
    if (fast && npix >= LOOKUP_RG_MIN_PIXELS) {
        rg = c9_alloc(a, LOOKUP_RG_ENTRIES * sizeof(uint16_t));
    }
    if (rg) {
        for (unsigned i = 0; i < LOOKUP_RG_ENTRIES; i++) {
            rg[i] = (uint16_t)(sr[i >> 6] | sg[i & 63]);
        }
        lookup_rg(bitmap, mask, rg, sb);
        c9_free(a, rg, LOOKUP_RG_ENTRIES * sizeof(uint16_t));
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

#if C9_SIMD128
static inline c9f_u16x8 luma8_stored(c9f_u16x8 v) {
    c9f_u16x8 r, g, b;
    c9f_unpack8(v, &r, &g, &b);
    return c9f_luma8(r, g, b);
}
#endif

c9_err_t c9_filter_false_color(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const uint32_t palette_rgb888[256],
                               const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    if (!palette_rgb888) {
        return C9_ERR_INVAL;
    }
    uint16_t pal[256];
    for (int i = 0; i < 256; i++) {
        uint32_t c = palette_rgb888[i];
        uint32_t r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
        pal[i] = c9_bswap16((uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3)));
    }
#if C9_SIMD128
    if (c9f_use_vec(opts)) {
        /* Luma of eight pixels in 16-bit lanes, then one palette load per pixel. */
        for (int y = 0; y < bitmap->height; y++) {
            uint16_t *row = c9f_row(bitmap, y);
            int x0, x1 = 0;
            while (c9f_next_span(mask, y, bitmap->width, x1, &x0, &x1)) {
                int x = x0;
                for (; x + 8 <= x1; x += 8) {
                    c9f_u16x8 luma = luma8_stored(c9f_load8(row + x));
                    C9_UNROLL(8) for (int l = 0; l < 8; l++) {
                        row[x + l] = pal[luma[l]];
                    }
                }
                if (x < x1) {
                    uint16_t tmp[8] = {0};
                    memcpy(tmp, row + x, (size_t)(x1 - x) * 2);
                    c9f_u16x8 luma = luma8_stored(c9f_load8(tmp));
                    for (int l = 0; l < x1 - x; l++) {
                        row[x + l] = pal[luma[l]];
                    }
                }
            }
        }
        mark_all_dirty(bitmap);
        return C9_OK;
    }
#else
    (void)opts; /* only the vector path reads the options */
#endif
    uint16_t lo[256], hi[256];
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

#if C9_SIMD128
/* Up to 64 pixels (a multiple of 8): table indexes formed in 16-bit lanes and stored, one
 * table load per channel and pixel through memory (building vectors from the loaded bytes in
 * registers costs GCC more instructions), results combined in lanes. R and B index t5, the
 * blend table re-indexed by the 5-bit values with the >> 1 applied (1 KiB): that saves the
 * widening to six bits in the lanes. Every source load comes before the first store, so dest
 * may alias a source. */
#define BLEND_CHUNK 64
/* GCC would otherwise merge the byte stores of the unrolled loads into shifts and ORs. */
C9_NO_SLP_VECTORIZE static void blend_chunk(const uint8_t *table, const uint8_t t5[1024], const uint16_t *s1,
                                            const uint16_t *s2, uint16_t *d, int n) {
    uint16_t idx[3][BLEND_CHUNK];
    uint8_t res[3][BLEND_CHUNK];
    for (int i = 0; i < n; i += 8) {
        c9f_u16x8 a = c9f_load8(s1 + i), b = c9f_load8(s2 + i);
        c9f_store8(idx[0] + i, ((a & 0xF8) << 2) | ((b >> 3) & 31));
        c9f_store8(idx[1] + i, ((a << 9) & 0xE00) | ((a >> 7) & 0x1C0) | ((b << 3) & 0x38) | (b >> 13));
        c9f_store8(idx[2] + i, ((a >> 3) & 0x3E0) | ((b >> 8) & 31));
    }
    for (int i = 0; i < n; i += 8) {
        C9_UNROLL(8) for (int l = i; l < i + 8; l++) {
            res[0][l] = t5[idx[0][l]];
            res[1][l] = table[idx[1][l]];
            res[2][l] = t5[idx[2][l]];
        }
    }
    for (int i = 0; i < n; i += 8) {
        c9f_u8x8 br, bg, bb;
        memcpy(&br, res[0] + i, 8);
        memcpy(&bg, res[1] + i, 8);
        memcpy(&bb, res[2] + i, 8);
        c9f_u16x8 p = (C9_CONVERT_VECTOR(br, c9f_u16x8) << 11) | (C9_CONVERT_VECTOR(bg, c9f_u16x8) << 5) |
                      C9_CONVERT_VECTOR(bb, c9f_u16x8);
        c9f_store8(d + i, (p << 8) | (p >> 8));
    }
}

static void blend_vec(c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2, const c9_bitmap_t *mask,
                      const uint8_t *table) {
    uint8_t t5[1024];
    for (int i = 0; i < 1024; i++) {
        int a = i >> 5, b = i & 31;
        t5[i] = (uint8_t)(table[((a << 1) | (a & 1)) * 64 + ((b << 1) | (b & 1))] >> 1);
    }
    for (int y = 0; y < dest->height; y++) {
        uint16_t *d = c9f_row(dest, y);
        const uint16_t *s1 = c9f_row(src1, y), *s2 = c9f_row(src2, y);
        int x0, x1 = 0, done = 0;
        while (c9f_next_span(mask, y, dest->width, x1, &x0, &x1)) {
            for (int x = done; x < x0; x++) {
                d[x] = s1[x];
            }
            int x = x0;
            for (; x + 8 <= x1; x += BLEND_CHUNK) {
                int n = C9_MIN(BLEND_CHUNK, (x1 - x) & ~7);
                blend_chunk(table, t5, s1 + x, s2 + x, d + x, n);
                x += n - BLEND_CHUNK;
            }
            if (x < x1) {
                uint16_t t1[8] = {0}, t2[8] = {0};
                size_t n = (size_t)(x1 - x) * 2;
                memcpy(t1, s1 + x, n);
                memcpy(t2, s2 + x, n);
                blend_chunk(table, t5, t1, t2, t1, 8);
                memcpy(d + x, t1, n);
            }
            done = x1;
        }
        for (int x = done; x < dest->width; x++) {
            d[x] = s1[x];
        }
    }
}
#endif

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
#if C9_SIMD128
    if (c9f_use_vec(opts)) {
        blend_vec(dest, src1, src2, mask, table);
        mark_all_dirty(dest);
        return C9_OK;
    }
#else
    (void)opts; /* only the vector path reads the options */
#endif
    /* Index parts by stored byte: R, G and B fields at bits 0, 12 and 24 (six bits each, R and
     * B widened from five to six with (x << 1) | (x & 1)); src1's sum shifted by 6 plus src2's
     * gives the three 12-bit table indexes at once. 2 KiB. */
    uint32_t tl[256], th[256];
    for (unsigned v = 0; v < 256; v++) {
        unsigned r6 = ((v >> 3) << 1) | ((v >> 3) & 1), gh = (v & 7) * 8;
        unsigned gl = v >> 5, b6 = ((v & 31) << 1) | (v & 1);
        tl[v] = r6 | gh << 12;
        th[v] = gl << 12 | b6 << 24;
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
                uint64_t idx = ((uint64_t)(tl[p1 & 255] + th[p1 >> 8]) << 6) + tl[p2 & 255] + th[p2 >> 8];
                /* Table values are used unclamped: like CircuitPython, bits past a channel's
                 * width spill into its neighbour and past bit 15 are lost. */
                unsigned r = table[idx & 0xFFF] >> 1, g = table[(idx >> 12) & 0xFFF], b = table[idx >> 24] >> 1;
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
    return c9_strerror(err);
}
