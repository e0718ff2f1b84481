/* morph: convolution with an odd square kernel, CircuitPython's fixed point, clamped borders.
 *
 * Like CircuitPython, results go to a ring of (radius + 1) scratch rows and each row is
 * copied back once no later output row needs its original pixels, so every output sees
 * original neighbours with (radius + 1) rows of extra memory (the only allocation).
 *
 * Vector path (C9_SIMD128, sum(|w|) <= 1040): eight output pixels per step in 16-bit lanes. Each
 * channel sum lies in [lo, lo + sum(|w|) * 63] with lo = 63 * (sum of the negative weights), a
 * range narrower than 2^16, so accumulating sum - lo modulo 2^16 (weights taken modulo 2^16,
 * accumulators starting at -lo) gives it exactly; lo * mul is folded into the add term, and
 * the fixed-point product is formed from 16-bit halves. Bit-exact without any 32-bit lane.
 *
 * Portable path: when sum(|w|) * 63 < 2^20 no channel sum can leave +-2^20, so the three
 * channel values of a pixel are packed in 21-bit fields of one uint64 and each tap is one
 * multiply-add for all three channels; a bias added at the end keeps the fields from
 * borrowing. Other kernels take the plain per-channel path, which reproduces CircuitPython's
 * int32 wrap-around. Both paths use the plain one for the clamped border columns. */
#include "filter_internal.h"

#define FIELD_BITS 21
#define FIELD_MASK ((1u << FIELD_BITS) - 1)
#define FIELD_BIAS (1u << (FIELD_BITS - 1))
#define PACK_BIAS ((uint64_t)FIELD_BIAS | (uint64_t)FIELD_BIAS << 21 | (uint64_t)FIELD_BIAS << 42)

typedef struct {
    const int32_t *w;
    int n, k, width, height;
    uint32_t m, b, b2; /* fixed-point mul, add (R, B) and 2 * add (G), wrapping like int32 */
    bool threshold, invert;
    int32_t offset;
    const uint16_t *const *rows; /* n source rows for the current output row, clamped */
    uint16_t *out;               /* scratch row receiving the output */
    uint32_t pl[256], ph[256];   /* packed fields by stored byte: pl + (ph << 21) */
#if C9_SIMD128
    uint16_t ml, mh;       /* mul's 16-bit halves */
    uint16_t bl[3], bh[3]; /* add + lo * mul per channel, 16-bit halves */
    uint16_t init[3];      /* -lo per channel, modulo 2^16 */
    int16_t voffset;       /* threshold offset clamped to +-256 (luma differences are +-255) */
    uint16_t vinvert;      /* 0xFFFF when inverting */
    c9f_u16x8 wv[25];      /* weights modulo 2^16, splatted, for sides 3 and 5 */
#endif
} morph_ctx_t;

static inline uint16_t finish(const morph_ctx_t *c, int32_t r, int32_t g, int32_t b, uint16_t orig) {
    r = c9f_sar16((uint32_t)r * c->m + c->b);
    g = c9f_sar16((uint32_t)g * c->m + c->b2);
    b = c9f_sar16((uint32_t)b * c->m + c->b);
    /* Clamping is rare for typical kernels, so test the common in-range case first. */
    if ((uint32_t)r > 31) {
        r = r < 0 ? 0 : 31;
    }
    if ((uint32_t)g > 63) {
        g = g < 0 ? 0 : 63;
    }
    if ((uint32_t)b > 31) {
        b = b < 0 ? 0 : 31;
    }
    uint16_t pixel = (uint16_t)((r << 11) | (g << 5) | b);
    if (c->threshold) {
        int64_t yp = c9f_luma(pixel), yo = c9f_luma(c9_bswap16(orig));
        pixel = ((yp - c->offset < yo) ^ c->invert) ? 0xFFFF : 0x0000;
    }
    return c9_bswap16(pixel);
}

/* One pixel with clamped coordinates and per-channel int32 (wrapping) sums: borders and
 * kernels too wide for the packed fields. */
static void pixel_plain(const morph_ctx_t *c, int x) {
    uint32_t r = 0, g = 0, b = 0;
    const int32_t *w = c->w;
    for (int i = 0; i < c->n; i++) {
        const uint16_t *row = c->rows[i];
        for (int j = 0; j < c->n; j++) {
            int xx = x - c->k + j;
            xx = xx < 0 ? 0 : xx >= c->width ? c->width - 1 : xx;
            unsigned p = c9_bswap16(row[xx]);
            uint32_t wt = (uint32_t)*w++;
            r += wt * (p >> 11);
            g += wt * ((p >> 5) & 63);
            b += wt * (p & 31);
        }
    }
    c->out[x] = finish(c, (int32_t)r, (int32_t)g, (int32_t)b, c->rows[c->k][x]);
}

static inline uint64_t packed(const morph_ctx_t *c, unsigned v) {
    return c->pl[v & 255] + ((uint64_t)c->ph[v >> 8] << 21);
}

static inline uint16_t finish_packed(const morph_ctx_t *c, uint64_t acc, uint16_t orig) {
    acc += PACK_BIAS;
    int32_t r = (int32_t)(acc & FIELD_MASK) - (int32_t)FIELD_BIAS;
    int32_t g = (int32_t)((acc >> 21) & FIELD_MASK) - (int32_t)FIELD_BIAS;
    int32_t b = (int32_t)(acc >> 42) - (int32_t)FIELD_BIAS;
    return finish(c, r, g, b, orig);
}

/* Interior pixels [x0, x1) (all at least k from both edges) of a kernel of side N, sliding a
 * window of packed columns so that each source pixel is unpacked once per output row. */
static C9_ALWAYS_INLINE void span_packed_n(const morph_ctx_t *c, int x0, int x1, const int N) {
    const int k = N / 2;
    uint64_t col[5][5]; /* [column][row]; N is 3 or 5 */
    uint64_t wt[5 * 5];
    C9_UNROLL(8) for (int i = 0; i < N * N; i++) {
        wt[i] = (uint64_t)(int64_t)c->w[i];
    }
    C9_UNROLL(8) for (int j = 0; j < N - 1; j++) {
        C9_UNROLL(8) for (int i = 0; i < N; i++) {
            col[j][i] = packed(c, c->rows[i][x0 - k + j]);
        }
    }
    for (int x = x0; x < x1; x++) {
        C9_UNROLL(8) for (int i = 0; i < N; i++) {
            col[N - 1][i] = packed(c, c->rows[i][x + k]);
        }
        uint64_t acc = 0;
        C9_UNROLL(8) for (int i = 0; i < N; i++) {
            C9_UNROLL(8) for (int j = 0; j < N; j++) {
                acc += wt[i * N + j] * col[j][i];
            }
        }
        c->out[x] = finish_packed(c, acc, c->rows[k][x]);
        C9_UNROLL(8) for (int j = 0; j < N - 1; j++) {
            C9_UNROLL(8) for (int i = 0; i < N; i++) {
                col[j][i] = col[j + 1][i];
            }
        }
    }
}

static void span_packed_3(const morph_ctx_t *c, int x0, int x1) {
    span_packed_n(c, x0, x1, 3);
}
static void span_packed_5(const morph_ctx_t *c, int x0, int x1) {
    span_packed_n(c, x0, x1, 5);
}

/* Any other side: direct sums over packed values. */
static void span_packed_any(const morph_ctx_t *c, int x0, int x1) {
    for (int x = x0; x < x1; x++) {
        uint64_t acc = 0;
        const int32_t *w = c->w;
        for (int i = 0; i < c->n; i++) {
            const uint16_t *row = c->rows[i] + x - c->k;
            for (int j = 0; j < c->n; j++) {
                acc += (uint64_t)(int64_t)*w++ * packed(c, row[j]);
            }
        }
        c->out[x] = finish_packed(c, acc, c->rows[c->k][x]);
    }
}

#if C9_SIMD128
/* hi16(t * mul + bias) for the offset sums t of one channel, as a signed 16-bit value (what
 * the int32 arithmetic shift by 16 leaves). */
static inline c9f_i16x8 fixed_mul(const morph_ctx_t *c, c9f_u16x8 t, int ch) {
    c9f_u16x8 lo = t * c->ml, s = lo + c->bl[ch];
    c9f_u16x8 carry = (c9f_u16x8)(s < lo); /* all ones where the low half carried */
    return (c9f_i16x8)(c9f_mulhi_u16(t, c9f_splat(c->ml)) + t * c->mh + c->bh[ch] - carry);
}

static inline c9f_u16x8 finish_vec(const morph_ctx_t *c, c9f_u16x8 ar, c9f_u16x8 ag, c9f_u16x8 ab, int x) {
    c9f_u16x8 r = (c9f_u16x8)c9f_clamp16(fixed_mul(c, ar, 0), 31);
    c9f_u16x8 g = (c9f_u16x8)c9f_clamp16(fixed_mul(c, ag, 1), 63);
    c9f_u16x8 b = (c9f_u16x8)c9f_clamp16(fixed_mul(c, ab, 2), 31);
    if (!c->threshold) {
        return c9f_pack8(r, g, b);
    }
    c9f_u16x8 orr, og, ob;
    c9f_unpack8(c9f_load8(c->rows[c->k] + x), &orr, &og, &ob);
    c9f_i16x8 d = (c9f_i16x8)(c9f_luma8(r, g, b) - c9f_luma8(orr, og, ob));
    return (c9f_u16x8)(d < c->voffset) ^ c->vinvert;
}

/* Interior pixels [x0, x1) in steps of eight; the last few take the packed path. */
static C9_ALWAYS_INLINE void span_vec_n(const morph_ctx_t *c, int x0, int x1, const int N) {
    const int k = N / 2;
    int x = x0;
    for (; x + 8 <= x1; x += 8) {
        c9f_u16x8 ar = c9f_splat(c->init[0]), ag = c9f_splat(c->init[1]), ab = c9f_splat(c->init[2]);
        C9_UNROLL(8) for (int i = 0; i < N; i++) {
            const uint16_t *row = c->rows[i] + x - k;
            C9_UNROLL(8) for (int j = 0; j < N; j++) {
                c9f_u16x8 r, g, b, w = c->wv[i * N + j];
                c9f_unpack8(c9f_load8(row + j), &r, &g, &b);
                ar += r * w;
                ag += g * w;
                ab += b * w;
            }
        }
        c9f_store8(c->out + x, finish_vec(c, ar, ag, ab, x));
    }
    span_packed_any(c, x, x1);
}

static void span_vec_3(const morph_ctx_t *c, int x0, int x1) {
    span_vec_n(c, x0, x1, 3);
}
static void span_vec_5(const morph_ctx_t *c, int x0, int x1) {
    span_vec_n(c, x0, x1, 5);
}

static void span_vec_any(const morph_ctx_t *c, int x0, int x1) {
    int x = x0;
    for (; x + 8 <= x1; x += 8) {
        c9f_u16x8 ar = c9f_splat(c->init[0]), ag = c9f_splat(c->init[1]), ab = c9f_splat(c->init[2]);
        const int32_t *w = c->w;
        for (int i = 0; i < c->n; i++) {
            const uint16_t *row = c->rows[i] + x - c->k;
            for (int j = 0; j < c->n; j++) {
                uint16_t wt = (uint16_t)*w++;
                if (wt) {
                    c9f_u16x8 r, g, b;
                    c9f_unpack8(c9f_load8(row + j), &r, &g, &b);
                    ar += r * wt;
                    ag += g * wt;
                    ab += b * wt;
                }
            }
        }
        c9f_store8(c->out + x, finish_vec(c, ar, ag, ab, x));
    }
    span_packed_any(c, x, x1);
}

/* Sets up the vector path; false when the kernel is too wide for it. */
static bool setup_vec(morph_ctx_t *c, uint64_t abs_sum, int64_t neg_sum) {
    if (abs_sum > 65535 / 63) {
        return false;
    }
    c->ml = (uint16_t)c->m;
    c->mh = (uint16_t)(c->m >> 16);
    static const int32_t maxc[3] = {31, 63, 31};
    for (int ch = 0; ch < 3; ch++) {
        int32_t lo = (int32_t)neg_sum * maxc[ch];
        uint32_t bias = (ch == 1 ? c->b2 : c->b) + (uint32_t)lo * c->m;
        c->bl[ch] = (uint16_t)bias;
        c->bh[ch] = (uint16_t)(bias >> 16);
        c->init[ch] = (uint16_t)(0u - (uint32_t)lo);
    }
    c->voffset = (int16_t)(c->offset < -256 ? -256 : c->offset > 256 ? 256 : c->offset);
    c->vinvert = c->invert ? 0xFFFF : 0;
    if (c->n <= 5) {
        for (int i = 0; i < c->n * c->n; i++) {
            c->wv[i] = c9f_splat((uint16_t)c->w[i]);
        }
    }
    return true;
}
#endif

typedef void (*span_fn)(const morph_ctx_t *c, int x0, int x1);

/* CircuitPython's fixed-point constants of the kernel. *abs_sum and *neg_sum (sums of |w| and of
 * the negative weights) tell which fast path can take it. */
static void setup_kernel(morph_ctx_t *c, const c9_filter_morph_t *m, uint64_t *abs_sum, int64_t *neg_sum) {
    c->w = m->weights;
    c->n = (int)m->size;
    c->k = c->n / 2;
    size_t nw = (size_t)c->n * c->n;
    uint32_t sum = 0;
    *abs_sum = 0;
    *neg_sum = 0;
    for (size_t i = 0; i < nw; i++) {
        sum += (uint32_t)c->w[i];
        *abs_sum += (uint64_t)(c->w[i] < 0 ? -(int64_t)c->w[i] : c->w[i]);
        *neg_sum += c->w[i] < 0 ? c->w[i] : 0;
    }
    c9_filter_real_t mul = m->has_mul ? m->mul : sum ? (c9_filter_real_t)1 / (c9_filter_real_t)(int32_t)sum : 1;
    c->m = (uint32_t)c9f_round_i32((c9_filter_real_t)65536 * mul);
    c->b = (uint32_t)c9f_round_i32((c9_filter_real_t)(65536 * 63) * m->add);
    c->b2 = c->b * 2u;
    c->threshold = m->threshold;
    c->invert = m->invert;
    c->offset = m->offset;
}

/* The fastest span routine the kernel allows (its tables set up in c), or NULL when only the
 * plain per-pixel path reproduces CircuitPython's arithmetic. */
static span_fn pick_span(morph_ctx_t *c, uint64_t abs_sum, int64_t neg_sum, const c9_filter_opts_t *opts) {
    if (abs_sum > ((1u << 20) - 1) / 63) {
        return NULL;
    }
    for (unsigned v = 0; v < 256; v++) {
        c->pl[v] = (v >> 3) | (v & 7) * 8 << 21;
        c->ph[v] = (v >> 5) | (v & 31) << 21;
    }
#if C9_SIMD128
    if (c9f_use_vec(opts) && setup_vec(c, abs_sum, neg_sum)) {
        return c->n == 3 ? span_vec_3 : c->n == 5 ? span_vec_5 : span_vec_any;
    }
#else
    (void)neg_sum;
    (void)opts;
#endif
    return c->n == 3 ? span_packed_3 : c->n == 5 ? span_packed_5 : span_packed_any;
}

/* Output row y into c->out (c->rows already point at its clamped source rows): pixels the mask
 * protects are copied, interior columns go to the span routine, the clamped borders to the plain
 * one. */
static void morph_row(const morph_ctx_t *c, span_fn span, const c9_bitmap_t *mask, int y) {
    const uint16_t *src = c->rows[c->k];
    int x0, x1 = 0, done = 0;
    while (c9f_next_span(mask, y, c->width, x1, &x0, &x1)) {
        for (int x = done; x < x0; x++) {
            c->out[x] = src[x]; /* masked: unchanged */
        }
        done = x1;
        int i0 = C9_MAX(x0, c->k), i1 = C9_MIN(x1, c->width - c->k);
        if (!span || i0 >= i1) {
            for (int x = x0; x < x1; x++) {
                pixel_plain(c, x);
            }
            continue;
        }
        for (int x = x0; x < i0; x++) {
            pixel_plain(c, x);
        }
        span(c, i0, i1);
        for (int x = i1; x < x1; x++) {
            pixel_plain(c, x);
        }
    }
    for (int x = done; x < c->width; x++) {
        c->out[x] = src[x];
    }
}

c9_err_t c9_filter_morph(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_morph_t *m,
                         const c9_filter_opts_t *opts) {
    c9_err_t err = c9f_check_image(bitmap, mask);
    if (err != C9_OK) {
        return err;
    }
    if (!m || !m->weights || m->size % 2 == 0 || m->size > 0xFFFF) {
        return C9_ERR_FILTER_KERNEL;
    }
    morph_ctx_t c;
    uint64_t abs_sum;
    int64_t neg_sum;
    setup_kernel(&c, m, &abs_sum, &neg_sum);
    c.width = bitmap->width;
    c.height = bitmap->height;
    if (c.width == 0 || c.height == 0) {
        return C9_OK;
    }
    const int brows = c.k + 1;
    const c9_allocator_t *a = opts ? opts->allocator : NULL;
    size_t row_bytes = (size_t)c.width * sizeof(uint16_t);
    size_t ptr_bytes = (size_t)c.n * sizeof(uint16_t *);
    size_t total = (size_t)brows * row_bytes + ptr_bytes;
    void *scratch = c9_alloc(a, total);
    if (!scratch) {
        return C9_ERR_NOMEM;
    }
    const uint16_t **rows = (const uint16_t **)scratch;
    uint16_t *ring = (uint16_t *)((char *)scratch + ptr_bytes);
    c.rows = rows;
    span_fn span = pick_span(&c, abs_sum, neg_sum, opts);
    /* Row y's result waits in the ring until row y + k, the last output that reads it, is done. */
    for (int y = 0; y < c.height; y++) {
        for (int i = 0; i < c.n; i++) {
            int yy = y - c.k + i;
            rows[i] = c9f_row(bitmap, yy < 0 ? 0 : yy >= c.height ? c.height - 1 : yy);
        }
        c.out = ring + (size_t)(y % brows) * c.width;
        morph_row(&c, span, mask, y);
        if (y >= c.k) {
            memcpy(c9f_row(bitmap, y - c.k), ring + (size_t)((y - c.k) % brows) * c.width, row_bytes);
        }
    }
    for (int y = C9_MAX(c.height - c.k, 0); y < c.height; y++) {
        memcpy(c9f_row(bitmap, y), ring + (size_t)(y % brows) * c.width, row_bytes);
    }
    c9_free(a, scratch, total);
    c9_bitmap_mark_dirty(bitmap, NULL);
    return C9_OK;
}
