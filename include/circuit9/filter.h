/*
 * circuit9 bitmapfilter core: CircuitPython 9's image filters on 16-bit bitmaps whose values
 * are RGB565_SWAPPED pixels (each value byte-swapped relative to RGB565), in place, with
 * output bit-exact with CircuitPython 9.2.9 (shared-module/bitmapfilter).
 *
 *     int32_t blur[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};
 *     c9_filter_morph_t m = {.weights = blur, .size = 3};      // mul = 1/sum, add = 0
 *     c9_err_t err = c9_filter_morph(&bitmap, NULL, &m, NULL); // NULL opts: default allocator
 *
 * Every function takes an optional `mask` bitmap of any depth: where the mask value is
 * NON-ZERO the pixel is left unchanged (CircuitPython's behaviour, the reverse of its
 * docstring); coordinates outside the mask read as 0 and are processed. Every function marks
 * the whole destination dirty (CircuitPython does not, so a display would not refresh);
 * like CircuitPython they ignore the read-only flag.
 *
 * Real-valued parameters (mul, add, weights, thresholds) are of type c9_filter_real_t, the
 * width of CircuitPython's mp_float_t: float on boards (the default), double when
 * C9_FILTER_DOUBLE is 1 (CircuitPython's unix build). The fixed-point rounding happens in that
 * width, so results at exact .5 boundaries follow the chosen build. Conversions that would
 * overflow an int32 saturate (what the Cortex-M float-to-int instruction does) and NaN gives 0.
 *
 * Fixes relative to CircuitPython, on purpose: morph's `offset` is the full signed int
 * (CircuitPython forwards only its low byte); blend requires all three bitmaps to be 16-bit
 * (CircuitPython checks only width and height and then reads past a shallower bitmap).
 *
 * Memory: morph takes (radius + 1) rows of width * 2 bytes plus `size` row pointers from the
 * allocator, as CircuitPython does; lookup takes a 4 KiB table from the allocator for images of
 * at least 1024 pixels (falling back silently to 128 bytes of per-channel tables when that
 * fails). Nothing else is allocated. Stack: at most 3.5 KiB (morph; the others 0.4-2.7 KiB,
 * see docs/bitmapfilter.md). C9_FILTER_LUT_MIN_PIXELS > 0 (default 0: off) lets
 * lookup take a 128 KiB whole-value table for images at least that large; on a host it saves
 * well under one instruction per pixel, so it is not worth the memory on a board.
 *
 * Speed: where the compiler has vector extensions and the target 128-bit SIMD (x86 SSE2,
 * ARM NEON), and C9_USE_VECTOR_EXT is 1, the filters process eight pixels per step in 16-bit
 * lanes; otherwise they run portable C with small tables. Both give identical results;
 * c9_filter_opts_t.portable forces the portable code at run time (for tests and benchmarks).
 *
 * Errors (all functions): C9_ERR_BADF (a bitmap was released), C9_ERR_FILTER_DEPTH (the
 * image is not 16 bits per value). c9_filter_morph also: C9_ERR_FILTER_KERNEL (size not odd,
 * or weights NULL), C9_ERR_NOMEM (scratch rows). c9_filter_blend also: C9_ERR_FILTER_MISMATCH
 * (dest, src1, src2 differ in width, height or depth). c9_filter_lookup, false_color, mix and
 * blend also C9_ERR_INVAL for a NULL table. c9_filter_blend_precompute returns whatever the
 * callback returns.
 */
#ifndef CIRCUIT9_FILTER_H
#define CIRCUIT9_FILTER_H

#include "circuit9/common.h"
#include "circuit9/gfx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Knobs: C9_FILTER_DOUBLE, C9_FILTER_LUT_MIN_PIXELS (config.h). */

#if C9_FILTER_DOUBLE
typedef double c9_filter_real_t;
#else
typedef float c9_filter_real_t;
#endif

/* Domain errors C9_ERR_FILTER_*: listed in common.h's error table. */

/* Options common to all filters; a NULL pointer means all defaults. */
typedef struct c9_filter_opts {
    const c9_allocator_t *allocator; /* scratch memory; NULL: the default allocator */
    bool portable;                   /* force the portable code: no vectors, no lookup table */
} c9_filter_opts_t;

typedef struct c9_filter_morph {
    const int32_t *weights; /* size * size, row-major, top row first */
    uint32_t size;          /* kernel side, odd: 1, 3, 5, ... (radius = size / 2) */
    bool has_mul;           /* false: mul = 1 / sum(weights), or 1 when the sum is 0 */
    c9_filter_real_t mul;
    c9_filter_real_t add; /* scaled by 63 channel units (126 for G): CircuitPython's scale */
    bool threshold;
    int32_t offset; /* threshold offset, full signed int (fixed) */
    bool invert;
} c9_filter_morph_t;

/* Convolution with clamped borders; every output sees original neighbours. */
c9_err_t c9_filter_morph(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_morph_t *m,
                         const c9_filter_opts_t *opts);

/* The four weight kinds of mix(), and their expansion to the 3x4 matrix
 * [Rr Rg Rb Roff; Gr Gg Gb Goff; Br Bg Bb Boff] CircuitPython builds. ChannelScaleOffset is
 * read positionally as (r, r_add, g, g_add, b, b_add). */
typedef enum c9_filter_mix_kind {
    C9_FILTER_CHANNEL_SCALE = 3,         /* r, g, b */
    C9_FILTER_CHANNEL_SCALE_OFFSET = 6,  /* r, r_add, g, g_add, b, b_add */
    C9_FILTER_CHANNEL_MIXER = 9,         /* rr rg rb gr gg gb br bg bb */
    C9_FILTER_CHANNEL_MIXER_OFFSET = 12, /* rr rg rb r_add gr gg gb g_add br bg bb b_add */
} c9_filter_mix_kind_t;
/* values has `kind` entries (the enum value is the count). Returns C9_ERR_INVAL for another kind. */
c9_err_t c9_filter_mix_matrix(c9_filter_mix_kind_t kind, const c9_filter_real_t *values, c9_filter_real_t out[12]);
c9_err_t c9_filter_mix(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_real_t matrix[12],
                       const c9_filter_opts_t *opts);

/* Pixels with luma Y > round(256 * threshold) get Y' = clamp(2t - Y) with U and V kept. */
c9_err_t c9_filter_solarize(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, c9_filter_real_t threshold,
                            const c9_filter_opts_t *opts);

/* Per-channel tables; entries are used unclamped (values over the channel's range spill
 * into the neighbouring bits, as in CircuitPython). */
typedef struct c9_filter_lookup_table {
    uint8_t r[32], g[64], b[32];
} c9_filter_lookup_table_t;
/* The argument CircuitPython passes to a lookup function for entry i of a channel whose
 * largest value is maxval (31 or 63), and the entry it stores for the function's result. */
c9_filter_real_t c9_filter_lookup_input(int i, int maxval);
uint8_t c9_filter_lookup_entry(c9_filter_real_t result, int maxval);
c9_err_t c9_filter_lookup(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const c9_filter_lookup_table_t *table,
                          const c9_filter_opts_t *opts);

/* Each pixel becomes palette_rgb888[Y(pixel)], truncated to RGB565. */
c9_err_t c9_filter_false_color(c9_bitmap_t *bitmap, const c9_bitmap_t *mask, const uint32_t palette_rgb888[256],
                               const c9_filter_opts_t *opts);

#define C9_FILTER_BLEND_TABLE_SIZE 4096
/* Called for every (a, b) = (i/63, j/63); writes the blend result to *out. A non-OK return
 * stops the precomputation and is returned. */
typedef c9_err_t (*c9_filter_blend_fn)(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out);
/* The argument value i/63 as CircuitPython computes it, and the table entry for a result
 * (< 0 gives 0, > 1 gives 1 -- not 63 -- as in CircuitPython; NaN gives 0). */
c9_filter_real_t c9_filter_blend_input(int i);
uint8_t c9_filter_blend_entry(c9_filter_real_t result);
c9_err_t c9_filter_blend_precompute(uint8_t table[C9_FILTER_BLEND_TABLE_SIZE], c9_filter_blend_fn fn, void *ctx);
/* dest = table[src1 * 64 + src2] per channel (R and B widened to 6 bits and back); where the
 * mask is non-zero dest = src1. Any two of dest, src1, src2 may be the same bitmap. */
c9_err_t c9_filter_blend(c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2, const c9_bitmap_t *mask,
                         const uint8_t table[C9_FILTER_BLEND_TABLE_SIZE], const c9_filter_opts_t *opts);

/* Same as c9_strerror() (the filter codes' texts are CircuitPython's messages). */
const char *c9_filter_strerror(c9_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_FILTER_H */
