/* Fuzz target: random filter, arguments, kernels, masks and small bitmaps; must never crash,
 * read or write out of bounds, or hit undefined behaviour (run with ASan and UBSan). */
#include <stdlib.h>
#include <string.h>

#include "circuit9/filter.h"

typedef struct {
    const uint8_t *p;
    size_t n;
} input_t;

static uint32_t take(input_t *in, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v = v << 8 | (in->n ? (in->n--, *in->p++) : 0);
    }
    return v;
}

static c9_filter_real_t take_real(input_t *in) {
    uint32_t bits = take(in, 4);
    float f;
    memcpy(&f, &bits, sizeof f); /* any float, NaN and infinities included */
    return (c9_filter_real_t)f;
}

static c9_err_t blend_cb(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out) {
    (void)a; /* the fuzzer picks the result, whatever the inputs */
    (void)b;
    *out = take_real(ctx);
    return C9_OK;
}

static bool make_bitmap(input_t *in, c9_bitmap_t *b, int bpv) {
    int w = (int)take(in, 1) % 24, h = (int)take(in, 1) % 24;
    if (c9_bitmap_alloc(b, (uint32_t)w, (uint32_t)h, (uint32_t)bpv, NULL) != C9_OK) {
        return false;
    }
    size_t words = b->data_size / 4;
    for (size_t i = 0; i < words && in->n; i++) {
        b->data[i] = take(in, 4);
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const int depths[] = {1, 2, 4, 8, 16, 32};
    input_t in = {data, size};
    int op = (int)take(&in, 1) % 7;
    c9_bitmap_t img, mask, src2;
    int img_bpv = take(&in, 1) % 8 == 0 ? depths[take(&in, 1) % 6] : 16;
    if (!make_bitmap(&in, &img, img_bpv)) {
        return 0;
    }
    bool has_mask = take(&in, 1) & 1;
    if (has_mask && !make_bitmap(&in, &mask, depths[take(&in, 1) % 6])) {
        has_mask = false;
    }
    const c9_bitmap_t *m = has_mask ? &mask : NULL;
    c9_filter_opts_t opts = {.portable = take(&in, 1) & 1};
    switch (op) {
    case 0: {
        uint32_t n = 2 * (take(&in, 1) % 6) + 1;
        int32_t w[121];
        for (uint32_t i = 0; i < n * n; i++) {
            w[i] = (int32_t)take(&in, 1) % 5 == 0 ? (int32_t)take(&in, 4) : (int8_t)take(&in, 1);
        }
        c9_filter_morph_t k = {.weights = w, .size = n};
        k.has_mul = take(&in, 1) & 1;
        k.mul = take_real(&in);
        k.add = take_real(&in);
        k.threshold = take(&in, 1) & 1;
        k.offset = (int32_t)take(&in, 4);
        k.invert = take(&in, 1) & 1;
        c9_filter_morph(&img, m, &k, &opts);
        break;
    }
    case 1: {
        c9_filter_real_t v[12], mat[12];
        for (int i = 0; i < 12; i++) {
            v[i] = take_real(&in);
        }
        static const c9_filter_mix_kind_t kinds[] = {C9_FILTER_CHANNEL_SCALE, C9_FILTER_CHANNEL_SCALE_OFFSET,
                                                     C9_FILTER_CHANNEL_MIXER, C9_FILTER_CHANNEL_MIXER_OFFSET};
        c9_filter_mix_matrix(kinds[take(&in, 1) % 4], v, mat);
        c9_filter_mix(&img, m, mat, &opts);
        break;
    }
    case 2: c9_filter_solarize(&img, m, take_real(&in), &opts); break;
    case 3: {
        c9_filter_lookup_table_t t;
        for (size_t i = 0; i < sizeof t; i++) {
            ((uint8_t *)&t)[i] = (uint8_t)c9_filter_lookup_entry(take_real(&in), i < 32 || i >= 96 ? 31 : 63);
        }
        c9_filter_lookup(&img, m, &t, &opts);
        break;
    }
    case 4: {
        uint32_t pal[256];
        for (int i = 0; i < 256; i++) {
            pal[i] = take(&in, 3);
        }
        c9_filter_false_color(&img, m, pal, &opts);
        break;
    }
    default: {
        uint8_t table[C9_FILTER_BLEND_TABLE_SIZE];
        if (op == 5) {
            c9_filter_blend_precompute(table, blend_cb, &in);
        } else {
            for (int i = 0; i < C9_FILTER_BLEND_TABLE_SIZE; i++) {
                table[i] = (uint8_t)take(&in, 1);
            }
        }
        if (make_bitmap(&in, &src2, take(&in, 1) % 4 == 0 ? 8 : 16)) {
            c9_filter_blend(&img, take(&in, 1) & 1 ? &img : &src2, &src2, m, table, &opts);
            c9_bitmap_release(&src2);
        }
        break;
    }
    }
    c9_bitmap_release(&img);
    if (has_mask) {
        c9_bitmap_release(&mask);
    }
    return 0;
}
