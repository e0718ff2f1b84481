/* Differential tests of the bitmapfilter core against a plain reference written straight
 * from CircuitPython 9.2.9's formulas (docs/bitmapfilter.md says which are kept): per pixel, byte
 * swap, channel extraction, 64-bit sums wrapped to int32 where CircuitPython's int32 would
 * wrap. Random images, kernels, masks and arguments; edge sizes; portable and fast paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/filter.h"

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static int rnd_range(int lo, int hi) { /* inclusive */
    return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

/* ---- reference, from the spec --------------------------------------------------------- */

static int32_t wrap32(int64_t v) {
    return (int32_t)(uint32_t)(uint64_t)v;
}
static int32_t ref_round(c9_filter_real_t x) {
#if C9_FILTER_DOUBLE
    double r = round(x);
#else
    float r = roundf(x);
#endif
    if (isnan(r)) {
        return 0;
    }
    if (r >= 2147483647.0) {
        return INT32_MAX;
    }
    if (r <= -2147483648.0) {
        return INT32_MIN;
    }
    return (int32_t)r;
}
static int clampi(int64_t v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : (int)v;
}
static uint16_t sw(uint16_t v) {
    return (uint16_t)((v >> 8) | (v << 8));
}
static int R8(int p) {
    int r5 = (p >> 11) & 31;
    return (r5 << 3) | (r5 >> 2);
}
static int G8(int p) {
    int g6 = (p >> 5) & 63;
    return (g6 << 2) | (g6 >> 4);
}
static int B8(int p) {
    int b5 = p & 31;
    return (b5 << 3) | (b5 >> 2);
}
static int Y(int p) {
    return (38 * R8(p) + 75 * G8(p) + 15 * B8(p)) >> 7;
}
static int U(int p) {
    return (-21 * R8(p) - 43 * G8(p) + 64 * B8(p)) >> 7;
}
static int V(int p) {
    return (64 * R8(p) - 54 * G8(p) - 10 * B8(p)) >> 7;
}
static bool masked(const c9_bitmap_t *mask, int x, int y) {
    return mask && c9_bitmap_get(mask, x, y) != 0;
}
static uint16_t px(const c9_bitmap_t *b, int x, int y) { /* un-swapped */
    return sw((uint16_t)c9_bitmap_get_unchecked(b, x, y));
}
static void put(c9_bitmap_t *b, int x, int y, int p) {
    c9_bitmap_set_unchecked(b, x, y, sw((uint16_t)p));
}

static void ref_morph(c9_bitmap_t *b, const c9_bitmap_t *mask, const c9_filter_morph_t *m) {
    int n = (int)m->size, k = n / 2, w = b->width, h = b->height;
    uint16_t *orig = malloc(((size_t)w * h + 1) * 2);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            orig[y * w + x] = px(b, x, y);
        }
    }
    int64_t sum = 0;
    for (int i = 0; i < n * n; i++) {
        sum += m->weights[i];
    }
    int32_t isum = wrap32(sum);
    c9_filter_real_t mul = m->has_mul ? m->mul : isum ? (c9_filter_real_t)1 / (c9_filter_real_t)isum : 1;
    int32_t mi = ref_round((c9_filter_real_t)65536 * mul);
    int32_t bi = ref_round((c9_filter_real_t)65536 * (c9_filter_real_t)63 * m->add);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            if (masked(mask, x, y)) {
                continue;
            }
            int64_t acc[3] = {0, 0, 0};
            for (int j = -k; j <= k; j++) {
                for (int i = -k; i <= k; i++) {
                    int yy = clampi(y + j, 0, h - 1), xx = clampi(x + i, 0, w - 1);
                    int p = orig[yy * w + xx];
                    int64_t wt = m->weights[(j + k) * n + (i + k)];
                    acc[0] += wt * (p >> 11);
                    acc[1] += wt * ((p >> 5) & 63);
                    acc[2] += wt * (p & 31);
                }
            }
            int r = clampi(wrap32((int64_t)wrap32(acc[0]) * mi + bi) >> 16, 0, 31);
            int g = clampi(wrap32((int64_t)wrap32(acc[1]) * mi + 2 * (int64_t)bi) >> 16, 0, 63);
            int bb = clampi(wrap32((int64_t)wrap32(acc[2]) * mi + bi) >> 16, 0, 31);
            int p = (r << 11) | (g << 5) | bb;
            if (m->threshold) {
                p = (((int64_t)Y(p) - m->offset < Y(orig[y * w + x])) ^ m->invert) ? 0xFFFF : 0;
            }
            put(b, x, y, p);
        }
    }
    free(orig);
}

static void ref_mix(c9_bitmap_t *b, const c9_bitmap_t *mask, const c9_filter_real_t wf[12]) {
    int32_t wt[12];
    for (int i = 0; i < 12; i++) {
        double scale = (i == 1 || i == 9)    ? 32768
                       : (i == 4 || i == 6)  ? 131072
                       : (i == 3 || i == 11) ? 65535.0 * 31
                       : i == 7              ? 65535.0 * 63
                                             : 65536;
        wt[i] = ref_round((c9_filter_real_t)scale * wf[i]);
    }
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            if (masked(mask, x, y)) {
                continue;
            }
            int p = px(b, x, y), c[3] = {p >> 11, (p >> 5) & 63, p & 31}, o[3], max[3] = {31, 63, 31};
            for (int ch = 0; ch < 3; ch++) {
                int64_t s = (int64_t)c[0] * wt[4 * ch] + (int64_t)c[1] * wt[4 * ch + 1] +
                            (int64_t)c[2] * wt[4 * ch + 2] + wt[4 * ch + 3];
                o[ch] = clampi(wrap32(s) >> 16, 0, max[ch]);
            }
            put(b, x, y, (o[0] << 11) | (o[1] << 5) | o[2]);
        }
    }
}

static void ref_solarize(c9_bitmap_t *b, const c9_bitmap_t *mask, c9_filter_real_t thr) {
    int32_t t = ref_round((c9_filter_real_t)256 * thr);
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            if (masked(mask, x, y)) {
                continue;
            }
            int p = px(b, x, y), l = Y(p);
            if (l > t) {
                int l2 = clampi(wrap32(2 * (int64_t)t - l), 0, 255), u = U(p), v = V(p);
                int r = clampi(l2 + ((91881 * v) >> 16), 0, 255);
                int g = clampi(l2 - ((22554 * u + 46802 * v) >> 16), 0, 255);
                int bb = clampi(l2 + ((116130 * u) >> 16), 0, 255);
                put(b, x, y, ((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (bb >> 3));
            }
        }
    }
}

static void ref_lookup(c9_bitmap_t *b, const c9_bitmap_t *mask, const c9_filter_lookup_table_t *t) {
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            if (!masked(mask, x, y)) {
                int p = px(b, x, y);
                put(b, x, y, (t->r[p >> 11] << 11) | (t->g[(p >> 5) & 63] << 5) | t->b[p & 31]);
            }
        }
    }
}

static void ref_false_color(c9_bitmap_t *b, const c9_bitmap_t *mask, const uint32_t pal[256]) {
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            if (!masked(mask, x, y)) {
                uint32_t c = pal[Y(px(b, x, y))];
                put(b, x, y, (((c >> 16) & 0xF8) << 8) | (((c >> 8) & 0xFC) << 3) | ((c & 0xFF) >> 3));
            }
        }
    }
}

static int six(int x) {
    return (x << 1) | (x & 1);
}
static void ref_blend(c9_bitmap_t *d, const c9_bitmap_t *s1, const c9_bitmap_t *s2, const c9_bitmap_t *mask,
                      const uint8_t *t) {
    for (int y = 0; y < d->height; y++) {
        for (int x = 0; x < d->width; x++) {
            int p1 = px(s1, x, y), p2 = px(s2, x, y);
            if (masked(mask, x, y)) {
                put(d, x, y, p1);
                continue;
            }
            int r = t[six(p1 >> 11) * 64 + six(p2 >> 11)] >> 1;
            int g = t[((p1 >> 5) & 63) * 64 + ((p2 >> 5) & 63)];
            int bb = t[six(p1 & 31) * 64 + six(p2 & 31)] >> 1;
            put(d, x, y, (r << 11) | (g << 5) | bb);
        }
    }
}

/* ---- helpers --------------------------------------------------------------------------- */

static void random_bitmap(c9_bitmap_t *b, int w, int h, int bpv, int density) {
    if (c9_bitmap_alloc(b, (uint32_t)w, (uint32_t)h, (uint32_t)bpv, NULL) != C9_OK) {
        fail_msg("alloc %dx%d bpv %d", w, h, bpv);
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t v = rnd();
            if (bpv < 32) {
                v &= (1u << bpv) - 1;
            }
            if (density && (int)(rnd() % 100) >= density) {
                v = 0;
            }
            c9_bitmap_set_unchecked(b, x, y, v);
        }
    }
}
static void copy_bitmap(c9_bitmap_t *dst, const c9_bitmap_t *src) {
    assert_int_equal(c9_bitmap_alloc(dst, src->width, src->height, src->bits_per_value, NULL), C9_OK);
    memcpy(dst->data, src->data, src->data_size);
}
static void assert_same(const c9_bitmap_t *a, const c9_bitmap_t *b, const char *what, int iter) {
    for (int y = 0; y < a->height; y++) {
        for (int x = 0; x < a->width; x++) {
            uint32_t va = c9_bitmap_get_unchecked(a, x, y), vb = c9_bitmap_get_unchecked(b, x, y);
            if (va != vb) {
                fail_msg("%s iter %d: %dx%d differs at (%d,%d): core %04x ref %04x", what, iter, a->width, a->height, x,
                         y, va, vb);
            }
        }
    }
}
static const int depths[] = {1, 2, 4, 8, 16, 32};
/* A mask (or none) of random depth and a size that may be smaller or larger than the image. */
static bool random_mask(c9_bitmap_t *mask, int w, int h) {
    if (rnd() % 3 == 0) {
        return false;
    }
    int mw = w + rnd_range(-3, 3), mh = h + rnd_range(-3, 3); /* C9_MAX evaluates twice */
    random_bitmap(mask, C9_MAX(1, mw), C9_MAX(1, mh), depths[rnd() % 6], rnd_range(10, 90));
    return true;
}
static void random_size(int *w, int *h) {
    switch (rnd() % 6) {
    case 0: *w = 1, *h = 1; break;
    case 1: *w = 1, *h = rnd_range(1, 20); break;
    case 2: *w = rnd_range(1, 20), *h = 1; break;
    default: *w = rnd_range(1, 40), *h = rnd_range(1, 30); break;
    }
}
static c9_filter_real_t rnd_real(double lo, double hi) {
    return (c9_filter_real_t)(lo + (hi - lo) * (rnd() / 4294967296.0));
}

/* Runs `iters` random cases of one op through core (portable and fast) and reference. */
#define ITERS 300

/* ---- tests ----------------------------------------------------------------------------- */

static void test_morph_random(void **state) {
    (void)state;
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        int n = 2 * rnd_range(0, it % 10 == 0 ? 6 : 3) + 1;
        int32_t weights[169];
        int kind = rnd() % 4;
        for (int i = 0; i < n * n; i++) {
            weights[i] = kind == 0   ? rnd_range(0, 4)
                         : kind == 1 ? rnd_range(-8, 8)
                         : kind == 2 ? rnd_range(-3000, 3000) /* too wide to pack */
                                     : (int32_t)rnd();        /* int32 wrap-around everywhere */
        }
        c9_filter_morph_t m = {.weights = weights, .size = (uint32_t)n};
        m.has_mul = rnd() % 2;
        m.mul = rnd_real(-2, 2);
        m.add = rnd() % 2 ? 0 : rnd_real(-1, 1);
        m.threshold = rnd() % 3 == 0;
        m.offset = rnd() % 4 == 0 ? (int32_t)rnd() : rnd_range(-40, 40);
        m.invert = rnd() % 2;
        c9_bitmap_t img, ref, mask;
        random_bitmap(&img, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        copy_bitmap(&ref, &img);
        ref_morph(&ref, has_mask ? &mask : NULL, &m);
        for (int portable = 0; portable < 2; portable++) {
            c9_bitmap_t out;
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_morph(&out, has_mask ? &mask : NULL, &m, &o), C9_OK);
            assert_same(&out, &ref, portable ? "morph portable" : "morph", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

/* Larger images so the interior fast path dominates; 3x3 and 5x5 in particular. */
static void test_morph_large(void **state) {
    (void)state;
    static const int32_t kernels[][25] = {
        {1, 2, 1, 2, 4, 2, 1, 2, 1},
        {-1, -2, -1, -2, 13, -2, -1, -2, -1},
        {4, 15, 24, 15, 4, 15, 61, 97, 61, 15, 24, 97, 154, 97, 24, 15, 61, 97, 61, 15, 4, 15, 24, 15, 4},
    };
    static const uint32_t sizes[] = {3, 3, 5};
    for (int it = 0; it < 12; it++) {
        int kidx = it % 3;
        c9_filter_morph_t m = {.weights = kernels[kidx], .size = sizes[kidx]};
        m.add = it >= 6 ? (c9_filter_real_t)0.25 : 0;
        m.threshold = it % 4 == 3;
        m.offset = -3;
        c9_bitmap_t img, ref, mask;
        random_bitmap(&img, 67 + it, 41, 16, 0);
        bool has_mask = it % 2 && (random_bitmap(&mask, 60, 50, 1, 30), true);
        copy_bitmap(&ref, &img);
        ref_morph(&ref, has_mask ? &mask : NULL, &m);
        for (int portable = 0; portable < 2; portable++) {
            c9_bitmap_t out;
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_morph(&out, has_mask ? &mask : NULL, &m, &o), C9_OK);
            assert_same(&out, &ref, "morph large", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

/* Kernels for the 16-bit-lane vector path (sum(|w|) <= 1040) and just past its limit, on
 * images wide enough for several eight-pixel steps per row, with random mul, add, threshold. */
static void test_morph_vector(void **state) {
    (void)state;
    static const int32_t gauss5[25] = {1,  4, 6, 4,  1,  4,  16, 24, 16, 4, 6, 24, 36,
                                       24, 6, 4, 16, 24, 16, 4,  1,  4,  6, 4, 1};
    for (int it = 0; it < 40; it++) {
        int n = it % 4 == 0 ? 5 : 2 * rnd_range(0, 4) + 1;
        int32_t weights[81];
        int64_t abs_sum = 0;
        for (int i = 0; i < n * n; i++) {
            weights[i] = it % 4 == 0 ? gauss5[i] : rnd_range(-1040 / (n * n), 1040 / (n * n));
            abs_sum += weights[i] < 0 ? -weights[i] : weights[i];
        }
        if (it % 4 == 1) { /* sum(|w|) exactly at the limit, or one past it */
            weights[0] += (int32_t)(1040 - abs_sum) * (weights[0] < 0 ? -1 : 1) + (it % 8 == 1);
        }
        c9_filter_morph_t m = {.weights = weights, .size = (uint32_t)n};
        m.has_mul = it % 3 != 0;
        m.mul = it % 6 == 1 ? rnd_real(-70000, 70000) : rnd_real(-0.05, 0.05);
        m.add = rnd() % 2 ? 0 : rnd_real(-1, 1);
        m.threshold = it % 5 == 4;
        m.offset = rnd_range(-300, 300);
        m.invert = rnd() % 2;
        c9_bitmap_t img, ref, mask;
        random_bitmap(&img, rnd_range(20, 90), rnd_range(5, 20), 16, 0);
        bool has_mask = it % 3 == 2 && (random_bitmap(&mask, img.width, img.height, 1, 20), true);
        copy_bitmap(&ref, &img);
        ref_morph(&ref, has_mask ? &mask : NULL, &m);
        for (int portable = 0; portable < 2; portable++) {
            c9_bitmap_t out;
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_morph(&out, has_mask ? &mask : NULL, &m, &o), C9_OK);
            assert_same(&out, &ref, portable ? "morph vector (portable)" : "morph vector", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

static void test_mix_random(void **state) {
    (void)state;
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        c9_filter_real_t v[12], mat[12];
        static const c9_filter_mix_kind_t kinds[] = {C9_FILTER_CHANNEL_SCALE, C9_FILTER_CHANNEL_SCALE_OFFSET,
                                                     C9_FILTER_CHANNEL_MIXER, C9_FILTER_CHANNEL_MIXER_OFFSET};
        c9_filter_mix_kind_t kind = kinds[rnd() % 4];
        double range = it % 10 == 0 ? 70000 : 2; /* huge weights: int32 wrap-around */
        for (int i = 0; i < 12; i++) {
            v[i] = rnd_real(-range, range);
        }
        assert_int_equal(c9_filter_mix_matrix(kind, v, mat), C9_OK);
        c9_bitmap_t img, ref, mask;
        random_bitmap(&img, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        copy_bitmap(&ref, &img);
        ref_mix(&ref, has_mask ? &mask : NULL, mat);
        for (int portable = 0; portable < 2; portable++) {
            c9_bitmap_t out;
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_mix(&out, has_mask ? &mask : NULL, mat, &o), C9_OK);
            assert_same(&out, &ref, "mix", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

static void test_mix_matrix_positions(void **state) {
    (void)state;
    c9_filter_real_t v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, m[12];
    assert_int_equal(c9_filter_mix_matrix(C9_FILTER_CHANNEL_SCALE_OFFSET, v, m), C9_OK);
    /* (r, r_add, g, g_add, b, b_add) */
    c9_filter_real_t want[12] = {1, 0, 0, 2, 0, 3, 0, 4, 0, 0, 5, 6};
    for (int i = 0; i < 12; i++) {
        assert_true(m[i] == want[i]);
    }
    assert_int_equal(c9_filter_mix_matrix(C9_FILTER_CHANNEL_MIXER, v, m), C9_OK);
    c9_filter_real_t want9[12] = {1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0};
    for (int i = 0; i < 12; i++) {
        assert_true(m[i] == want9[i]);
    }
    assert_int_equal(c9_filter_mix_matrix((c9_filter_mix_kind_t)5, v, m), C9_ERR_INVAL);
}

static void test_solarize_random(void **state) {
    (void)state;
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        c9_filter_real_t t = it % 15 == 0 ? rnd_real(-1e10, 1e10) : rnd_real(-0.2, 1.2);
        c9_bitmap_t img, ref, mask;
        random_bitmap(&img, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        copy_bitmap(&ref, &img);
        ref_solarize(&ref, has_mask ? &mask : NULL, t);
        for (int portable = 0; portable < 2; portable++) {
            c9_bitmap_t out;
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_solarize(&out, has_mask ? &mask : NULL, t, &o), C9_OK);
            assert_same(&out, &ref, portable ? "solarize portable" : "solarize", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

/* Every 16-bit value once, so each table entry of the per-byte tables is exercised. */
static void test_all_values(void **state) {
    (void)state;
    c9_bitmap_t img, ref, out;
    assert_int_equal(c9_bitmap_alloc(&img, 256, 256, 16, NULL), C9_OK);
    for (int i = 0; i < 65536; i++) {
        c9_bitmap_set_unchecked(&img, i & 255, i >> 8, (uint32_t)i);
    }
    c9_filter_real_t mat[12] = {0.393f, 0.769f, 0.189f, 0.1f, 0.349f, 0.686f, 0.168f, -0.1f, 0.272f, 0.534f, 0.131f, 0};
    c9_filter_lookup_table_t t;
    for (int i = 0; i < 32; i++) {
        t.r[i] = (uint8_t)rnd(), t.b[i] = (uint8_t)(31 - i);
    }
    for (int i = 0; i < 64; i++) {
        t.g[i] = (uint8_t)rnd();
    }
    uint32_t pal[256];
    for (int i = 0; i < 256; i++) {
        pal[i] = rnd() & 0xFFFFFF;
    }
    for (int op = 0; op < 8; op++) {
        c9_filter_opts_t o = {.portable = op >= 4};
        copy_bitmap(&ref, &img);
        copy_bitmap(&out, &img);
        switch (op % 4) {
        case 0:
            ref_mix(&ref, NULL, mat);
            assert_int_equal(c9_filter_mix(&out, NULL, mat, &o), C9_OK);
            break;
        case 1:
            ref_solarize(&ref, NULL, 0.3f);
            assert_int_equal(c9_filter_solarize(&out, NULL, 0.3f, &o), C9_OK);
            break;
        case 2:
            ref_lookup(&ref, NULL, &t); /* 65536 pixels: every entry of the tables */
            assert_int_equal(c9_filter_lookup(&out, NULL, &t, &o), C9_OK);
            break;
        case 3:
            ref_false_color(&ref, NULL, pal);
            assert_int_equal(c9_filter_false_color(&out, NULL, pal, &o), C9_OK);
            break;
        }
        assert_same(&out, &ref, "all values", op);
        c9_bitmap_release(&ref);
        c9_bitmap_release(&out);
    }
    c9_bitmap_release(&img);
}

static void test_lookup_random(void **state) {
    (void)state;
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        if (it % 50 == 0) {
            w = 200, h = 180; /* above C9_FILTER_LUT_MIN_PIXELS */
        }
        c9_filter_lookup_table_t t;
        bool wild = rnd() % 2;
        for (int i = 0; i < 32; i++) {
            t.r[i] = wild ? (uint8_t)rnd() : (uint8_t)(rnd() % 32);
            t.b[i] = wild ? (uint8_t)rnd() : (uint8_t)(rnd() % 32);
        }
        for (int i = 0; i < 64; i++) {
            t.g[i] = wild ? (uint8_t)rnd() : (uint8_t)(rnd() % 64);
        }
        c9_bitmap_t img, ref, mask, out;
        random_bitmap(&img, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        copy_bitmap(&ref, &img);
        ref_lookup(&ref, has_mask ? &mask : NULL, &t);
        for (int portable = 0; portable < 2; portable++) {
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_lookup(&out, has_mask ? &mask : NULL, &t, &o), C9_OK);
            assert_same(&out, &ref, portable ? "lookup portable" : "lookup", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

static void test_lookup_entries(void **state) {
    (void)state;
    assert_int_equal(c9_filter_lookup_entry(1, 31), 31);
    assert_int_equal(c9_filter_lookup_entry(0.5f, 63), 32); /* round half away from zero */
    assert_int_equal(c9_filter_lookup_entry(2, 63), 126);   /* unclamped */
    assert_int_equal(c9_filter_lookup_entry(-1, 31), 225);  /* -31 wraps into uint8 */
    assert_int_equal(c9_filter_lookup_entry(10, 31), 310 & 255);
    assert_true(c9_filter_lookup_input(31, 31) == 1);
    assert_true(c9_filter_lookup_input(0, 63) == 0);
}

static void test_false_color_random(void **state) {
    (void)state;
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        uint32_t pal[256];
        for (int i = 0; i < 256; i++) {
            pal[i] = rnd() & 0xFFFFFF;
        }
        c9_bitmap_t img, ref, mask, out;
        random_bitmap(&img, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        copy_bitmap(&ref, &img);
        ref_false_color(&ref, has_mask ? &mask : NULL, pal);
        for (int portable = 0; portable < 2; portable++) {
            copy_bitmap(&out, &img);
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_false_color(&out, has_mask ? &mask : NULL, pal, &o), C9_OK);
            assert_same(&out, &ref, portable ? "false_color portable" : "false_color", it);
            c9_bitmap_release(&out);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&ref);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

static void test_blend_random(void **state) {
    (void)state;
    uint8_t table[4096];
    for (int it = 0; it < ITERS; it++) {
        int w, h;
        random_size(&w, &h);
        for (int i = 0; i < 4096; i++) {
            table[i] = it % 2 ? (uint8_t)rnd() : (uint8_t)(rnd() % 64);
        }
        c9_bitmap_t d, s1, s2, ref, mask;
        random_bitmap(&d, w, h, 16, 0);
        random_bitmap(&s1, w, h, 16, 0);
        random_bitmap(&s2, w, h, 16, 0);
        bool has_mask = random_mask(&mask, w, h);
        int alias = rnd() % 4; /* 0: distinct, 1: dest is src1, 2: dest is src2, 3: src1 is src2 */
        c9_bitmap_t *a1 = alias == 1 ? &d : &s1, *a2 = alias == 2 ? &d : alias == 3 ? a1 : &s2;
        copy_bitmap(&ref, &d);
        c9_bitmap_t r1, r2;
        copy_bitmap(&r1, a1);
        copy_bitmap(&r2, a2);
        ref_blend(&ref, &r1, &r2, has_mask ? &mask : NULL, table);
        for (int portable = 1; portable >= 0; portable--) { /* the fast path runs on the originals */
            c9_bitmap_t pd, p1, p2;
            copy_bitmap(&pd, &d);
            copy_bitmap(&p1, a1);
            copy_bitmap(&p2, a2);
            c9_bitmap_t *q1 = alias == 1 ? &pd : &p1, *q2 = alias == 2 ? &pd : alias == 3 ? q1 : &p2;
            c9_filter_opts_t o = {.portable = portable};
            assert_int_equal(c9_filter_blend(portable ? &pd : &d, portable ? q1 : a1, portable ? q2 : a2,
                                             has_mask ? &mask : NULL, table, &o),
                             C9_OK);
            assert_same(portable ? &pd : &d, &ref, portable ? "blend portable" : "blend", it);
            c9_bitmap_release(&pd);
            c9_bitmap_release(&p1);
            c9_bitmap_release(&p2);
        }
        c9_bitmap_release(&d);
        c9_bitmap_release(&s1);
        c9_bitmap_release(&s2);
        c9_bitmap_release(&ref);
        c9_bitmap_release(&r1);
        c9_bitmap_release(&r2);
        if (has_mask) {
            c9_bitmap_release(&mask);
        }
    }
}

static c9_err_t blend_fn(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out) {
    int *calls = ctx;
    ++*calls;
    *out = a * (c9_filter_real_t)0.33 + b * (c9_filter_real_t)0.67;
    if (a > (c9_filter_real_t)0.99 && b > (c9_filter_real_t)0.99) {
        *out = 7; /* > 1 gives 1, not 63 */
    }
    if (a == 0 && b > (c9_filter_real_t)0.5) {
        *out = -3;
    }
    return C9_OK;
}
static c9_err_t failing_fn(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out) {
    (void)ctx;
    (void)b;
    return a > (c9_filter_real_t)0.5 ? C9_ERR_IO : (*out = a, C9_OK);
}
static void test_blend_precompute(void **state) {
    (void)state;
    uint8_t t[4096];
    int calls = 0;
    assert_int_equal(c9_filter_blend_precompute(t, blend_fn, &calls), C9_OK);
    assert_int_equal(calls, 4096);
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 64; j++) {
            c9_filter_real_t a = (c9_filter_real_t)i * ((c9_filter_real_t)1 / 63),
                             b = (c9_filter_real_t)j * ((c9_filter_real_t)1 / 63);
            c9_filter_real_t r = a * (c9_filter_real_t)0.33 + b * (c9_filter_real_t)0.67;
            int want = ref_round(63 * r);
            if (i == 63 && j == 63) {
                want = 1;
            } else if (i == 0 && j >= 32) { /* 32/63 > 0.5 */
                want = 0;
            }
            assert_int_equal(t[i * 64 + j], want);
        }
    }
    assert_int_equal(c9_filter_blend_precompute(t, failing_fn, NULL), C9_ERR_IO);
    assert_int_equal(c9_filter_blend_entry(NAN), 0);
    assert_int_equal(c9_filter_blend_entry(1), 63);
}

static void *fail_alloc(void *ctx, size_t n) {
    (void)ctx;
    (void)n;
    return NULL;
}
static void fail_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)p;
    (void)n;
}
static size_t peak_bytes;
static void *count_alloc(void *ctx, size_t n) {
    (void)ctx;
    peak_bytes = C9_MAX(peak_bytes, n);
    return malloc(n);
}
static void count_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

static void test_errors_and_memory(void **state) {
    (void)state;
    c9_bitmap_t b8, b16, b16b, small;
    random_bitmap(&b8, 10, 10, 8, 0);
    random_bitmap(&b16, 10, 10, 16, 0);
    random_bitmap(&b16b, 10, 10, 16, 0);
    random_bitmap(&small, 9, 10, 16, 0);
    int32_t k9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    c9_filter_morph_t m = {.weights = k9, .size = 3};
    c9_filter_real_t mat[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    c9_filter_lookup_table_t t;
    memset(&t, 0, sizeof t);
    uint32_t pal[256] = {0};
    uint8_t table[4096] = {0};
    assert_int_equal(c9_filter_morph(&b8, NULL, &m, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_mix(&b8, NULL, mat, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_solarize(&b8, NULL, 0.5f, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_lookup(&b8, NULL, &t, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_false_color(&b8, NULL, pal, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_blend(&b8, &b8, &b8, NULL, table, NULL), C9_ERR_FILTER_DEPTH);
    assert_int_equal(c9_filter_blend(&b16, &b8, &b16, NULL, table, NULL), C9_ERR_FILTER_MISMATCH);
    assert_int_equal(c9_filter_blend(&b16, &b16b, &small, NULL, table, NULL), C9_ERR_FILTER_MISMATCH);
    m.size = 2;
    assert_int_equal(c9_filter_morph(&b16, NULL, &m, NULL), C9_ERR_FILTER_KERNEL);
    m.size = 3;
    c9_allocator_t failing = {fail_alloc, fail_free, NULL, NULL};
    c9_filter_opts_t o = {.allocator = &failing};
    assert_int_equal(c9_filter_morph(&b16, NULL, &m, &o), C9_ERR_NOMEM);
    /* Scratch: (radius + 1) rows of width * 2 bytes, plus the row pointers. */
    c9_allocator_t counting = {count_alloc, count_free, NULL, NULL};
    o.allocator = &counting;
    peak_bytes = 0;
    assert_int_equal(c9_filter_morph(&b16, NULL, &m, &o), C9_OK);
    assert_true(peak_bytes <= 2 * 10 * 2 + 3 * sizeof(void *));
    /* Both paths, 5x5 (radius 2: three rows), and lookup's table: 4 KiB at most. */
    c9_bitmap_t big;
    random_bitmap(&big, 100, 40, 16, 0);
    static const int32_t k25[25] = {1, 4, 6, 4, 1, 4, 16, 24, 16, 4, 6, 24, 36, 24, 6, 4, 16, 24, 16, 4, 1, 4, 6, 4, 1};
    for (int portable = 0; portable < 2; portable++) {
        c9_filter_opts_t oc = {.allocator = &counting, .portable = portable};
        peak_bytes = 0;
        assert_int_equal(c9_filter_morph(&big, NULL, &(c9_filter_morph_t){.weights = k25, .size = 5}, &oc), C9_OK);
        assert_true(peak_bytes <= 3 * 100 * 2 + 5 * sizeof(void *));
        peak_bytes = 0;
        assert_int_equal(c9_filter_lookup(&big, NULL, &t, &oc), C9_OK);
        assert_true(peak_bytes <= 4096);
        peak_bytes = 0;
        assert_int_equal(c9_filter_mix(&big, NULL, mat, &oc), C9_OK);
        assert_int_equal(c9_filter_solarize(&big, NULL, 0.5f, &oc), C9_OK);
        assert_int_equal(c9_filter_false_color(&big, NULL, pal, &oc), C9_OK);
        assert_int_equal(c9_filter_blend(&big, &big, &big, NULL, table, &oc), C9_OK);
        assert_int_equal(peak_bytes, 0);
    }
    /* lookup without its table (allocation fails) still works. */
    assert_int_equal(c9_filter_lookup(&big, NULL, &t, &(c9_filter_opts_t){.allocator = &failing}), C9_OK);
    c9_bitmap_release(&big);
    /* Dirty area: the whole bitmap. */
    c9_bitmap_clear_dirty(&b16);
    assert_int_equal(c9_filter_solarize(&b16, NULL, 0.5f, NULL), C9_OK);
    assert_int_equal(b16.dirty.x1, 0);
    assert_int_equal(b16.dirty.x2, 10);
    assert_int_equal(b16.dirty.y2, 10);
    c9_bitmap_release(&b16b);
    assert_int_equal(c9_filter_mix(&b16b, NULL, mat, NULL), C9_ERR_BADF);
    assert_int_equal(c9_filter_lookup(&b16, NULL, NULL, NULL), C9_ERR_INVAL);
    assert_string_equal(c9_filter_strerror(C9_ERR_FILTER_DEPTH), "unsupported bitmap depth");
    assert_string_equal(c9_filter_strerror(C9_ERR_FILTER_MISMATCH), "bitmap size and depth must match");
    c9_bitmap_release(&b8);
    c9_bitmap_release(&b16);
    c9_bitmap_release(&small);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_morph_random),         cmocka_unit_test(test_morph_large),
        cmocka_unit_test(test_morph_vector),         cmocka_unit_test(test_mix_random),
        cmocka_unit_test(test_mix_matrix_positions), cmocka_unit_test(test_solarize_random),
        cmocka_unit_test(test_all_values),           cmocka_unit_test(test_lookup_random),
        cmocka_unit_test(test_lookup_entries),       cmocka_unit_test(test_false_color_random),
        cmocka_unit_test(test_blend_random),         cmocka_unit_test(test_blend_precompute),
        cmocka_unit_test(test_errors_and_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
