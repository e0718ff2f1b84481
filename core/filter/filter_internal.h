/* Helpers shared by the bitmapfilter core files (not a public API). */
#ifndef C9_FILTER_INTERNAL_H
#define C9_FILTER_INTERNAL_H

#include <math.h>
#include <string.h>

#include "circuit9/filter.h"

/* (int32_t)round(x) as a Cortex-M computes it: saturating, NaN gives 0 (C leaves both
 * undefined, and CircuitPython relies on the hardware's behaviour). */
static inline int32_t c9f_round_i32(c9_filter_real_t x) {
#if C9_FILTER_DOUBLE
    c9_filter_real_t r = round(x);
#else
    c9_filter_real_t r = roundf(x);
#endif
    if (r != r) {
        return 0;
    }
    if (r >= (c9_filter_real_t)2147483648.0) {
        return INT32_MAX;
    }
    if (r <= (c9_filter_real_t)-2147483648.0) {
        return INT32_MIN;
    }
    return (int32_t)r;
}

/* Arithmetic right shift of a value computed with int32 wrap-around, as CircuitPython's
 * int arithmetic behaves on the boards (wrapping) without C's signed-overflow UB. */
static inline int32_t c9f_sar16(uint32_t wrapped) {
    return (int32_t)wrapped >> 16;
}

static inline uint16_t *c9f_row(const c9_bitmap_t *b, int y) {
    return (uint16_t *)(b->data + (size_t)y * b->stride_words);
}

/* Checks the image argument shared by every filter. */
static inline c9_err_t c9f_check_image(const c9_bitmap_t *b, const c9_bitmap_t *mask) {
    if (!b || !b->data || (mask && !mask->data)) {
        return C9_ERR_BADF;
    }
    if (b->bits_per_value != 16) {
        return C9_ERR_FILTER_DEPTH;
    }
    return C9_OK;
}

/* The next run [*x0, *x1) of pixels to process in row y at or after `from`: pixels where the
 * mask reads 0 (outside the mask counts as 0). Returns false when the row has no more. */
static inline bool c9f_next_span(const c9_bitmap_t *mask, int y, int width, int from, int *x0, int *x1) {
    if (from >= width) {
        return false;
    }
    if (!mask || y >= mask->height) {
        *x0 = from;
        *x1 = width;
        return true;
    }
    int mw = C9_MIN(width, (int)mask->width);
    int x = from;
    while (x < mw && c9_bitmap_get_unchecked(mask, x, y)) {
        x++;
    }
    if (x >= width) {
        return false;
    }
    *x0 = x;
    while (x < mw && !c9_bitmap_get_unchecked(mask, x, y)) {
        x++;
    }
    *x1 = x >= mw ? width : x;
    return true;
}

/* Channel values of a stored (swapped) pixel v: its low byte holds RRRRRGGG (G's high three
 * bits), its high byte GGGBBBBB. Splitting by byte lets per-byte tables replace the byte swap
 * and the channel extraction of each linear formula. */
static inline int c9f_r8(int r5) {
    return (r5 << 3) | (r5 >> 2);
}
static inline int c9f_g8(int g6) {
    return (g6 << 2) | (g6 >> 4);
}
static inline int c9f_luma(uint16_t unswapped) {
    int r5 = unswapped >> 11, g6 = (unswapped >> 5) & 63, b5 = unswapped & 31;
    return (38 * c9f_r8(r5) + 75 * c9f_g8(g6) + 15 * c9f_r8(b5)) >> 7;
}

/* Luma sums split by stored byte: Y = (lo[v & 255] + hi[v >> 8]) >> 7. */
void c9f_luma_tables(uint16_t lo[256], uint16_t hi[256]);

/* ---- vector fast path ------------------------------------------------------------------------
 * GCC/clang generic vectors of eight 16-bit lanes (one 128-bit register), used only where the
 * target has 128-bit SIMD (C9_SIMD128): elsewhere (a Cortex-M) the compiler would split them into
 * scalar code slower than the portable tables. The portable path is always compiled as well, and
 * c9_filter_opts_t.portable selects it at run time so that tests cover both. */

static inline bool c9f_use_vec(const c9_filter_opts_t *opts) {
    return C9_SIMD128 && !(opts && opts->portable);
}

#if C9_SIMD128
typedef uint16_t c9f_u16x8 C9_VECTOR_SIZE(16);
typedef int16_t c9f_i16x8 C9_VECTOR_SIZE(16);
typedef uint32_t c9f_u32x8 C9_VECTOR_SIZE(32);
typedef uint8_t c9f_u8x8 C9_VECTOR_SIZE(8);

static inline c9f_u16x8 c9f_load8(const uint16_t *p) {
    c9f_u16x8 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void c9f_store8(uint16_t *p, c9f_u16x8 v) {
    memcpy(p, &v, sizeof v);
}
static inline c9f_u16x8 c9f_splat(unsigned v) {
    return (c9f_u16x8){0} + (uint16_t)v;
}
static inline c9f_i16x8 c9f_max16(c9f_i16x8 a, c9f_i16x8 b) {
    c9f_i16x8 m = a > b;
    return (a & m) | (b & ~m);
}
static inline c9f_i16x8 c9f_min16(c9f_i16x8 a, c9f_i16x8 b) {
    c9f_i16x8 m = a < b;
    return (a & m) | (b & ~m);
}
static inline c9f_i16x8 c9f_clamp16(c9f_i16x8 v, int max) {
    return c9f_min16(c9f_max16(v, (c9f_i16x8){0}), (c9f_i16x8){0} + (int16_t)max);
}
/* Channels of eight stored (swapped) pixels: see the byte layout above. */
static inline void c9f_unpack8(c9f_u16x8 s, c9f_u16x8 *r, c9f_u16x8 *g, c9f_u16x8 *b) {
    *r = (s >> 3) & 31;
    *g = ((s << 3) & 0x38) | (s >> 13);
    *b = (s >> 8) & 31;
}
/* In-range channels to stored pixels. */
static inline c9f_u16x8 c9f_pack8(c9f_u16x8 r, c9f_u16x8 g, c9f_u16x8 b) {
    c9f_u16x8 p = (r << 11) | (g << 5) | b;
    return (p << 8) | (p >> 8);
}
/* The high halves of the 32-bit products a * b. */
static inline c9f_u16x8 c9f_mulhi_u16(c9f_u16x8 a, c9f_u16x8 b) {
#if defined(__SSE2__)
    typedef short v8hi C9_VECTOR_SIZE(16);
    return (c9f_u16x8)__builtin_ia32_pmulhuw128((v8hi)a, (v8hi)b);
#else
    c9f_u32x8 p = C9_CONVERT_VECTOR(a, c9f_u32x8) * C9_CONVERT_VECTOR(b, c9f_u32x8);
    return C9_CONVERT_VECTOR(p >> 16, c9f_u16x8);
#endif
}
/* 8-bit luma of in-range 5/6/5 channels: 38 * 255 + 75 * 255 + 15 * 255 < 2^15. */
static inline c9f_u16x8 c9f_luma8(c9f_u16x8 r, c9f_u16x8 g, c9f_u16x8 b) {
    c9f_u16x8 r8 = (r << 3) | (r >> 2), g8 = (g << 2) | (g >> 4), b8 = (b << 3) | (b >> 2);
    return (38 * r8 + 75 * g8 + 15 * b8) >> 7;
}
#endif /* C9_SIMD128 */

#endif /* C9_FILTER_INTERNAL_H */
