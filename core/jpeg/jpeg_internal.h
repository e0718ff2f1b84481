/*
 * Internals of the JPEG decoder shared by jpeg.c (headers, entropy decoding, colour) and
 * jpeg_idct.c (inverse transforms). Not part of the public API.
 */
#ifndef CIRCUIT9_JPEG_INTERNAL_H
#define CIRCUIT9_JPEG_INTERNAL_H

#include "circuit9/jpeg.h"

/* 1 in size-optimised builds (-Os): fewer specialised copies of the hot loops. */
#if defined(__OPTIMIZE_SIZE__)
#define JP_SMALL 1
#else
#define JP_SMALL 0
#endif

#if defined(__GNUC__)
#define JP_LIKELY(x) __builtin_expect(!!(x), 1)
#define JP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#if defined(__OPTIMIZE_SIZE__)
/* -Os: let the compiler share the specialised copies instead of forcing one per use. */
#define JP_INLINE static inline
#else
#define JP_INLINE static inline __attribute__((always_inline))
#endif
#define JP_NOINLINE __attribute__((noinline))
#if defined(__OPTIMIZE_SIZE__) || defined(__clang__)
#define JP_UNROLL(n)
#else
#define JP_PRAGMA(x) _Pragma(#x)
#define JP_UNROLL(n) JP_PRAGMA(GCC unroll n)
#endif
#else
#define JP_UNROLL(n)
#define JP_LIKELY(x) (x)
#define JP_UNLIKELY(x) (x)
#define JP_INLINE static inline
#define JP_NOINLINE
#endif

/* Full 8x8 inverse DCT of dequantised coefficients (natural order) to clamped samples.
 * `nz` has bit (row * 8 + column) set for every coefficient that may be non-zero (the others
 * must be zero): empty rows and columns cost nothing. ws is 64 words of scratch. */
void c9_jpeg_idct8(const int16_t *coef, uint8_t *out, unsigned stride, uint64_t nz, int32_t *ws);

/* 2x2 output whose samples are the exact means of the four 4x4 quadrants of the full inverse
 * DCT: only coefficients 0, 1, 3, 5 and 7 of each row and column contribute. out is 2x2 with
 * the given stride; `nz` as for c9_jpeg_idct8. Used for subsampled chroma at 1/8 scale. */
void c9_jpeg_idct2x2(const int16_t *coef, uint8_t *out, unsigned stride, uint64_t nz);

#endif /* CIRCUIT9_JPEG_INTERNAL_H */
