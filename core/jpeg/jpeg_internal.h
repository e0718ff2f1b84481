/*
 * Internals of the JPEG decoder shared by jpeg.c (headers, entropy decoding, colour) and
 * jpeg_idct.c (inverse transforms). Not part of the public API.
 */
#ifndef CIRCUIT9_JPEG_INTERNAL_H
#define CIRCUIT9_JPEG_INTERNAL_H

#include "circuit9/jpeg.h"

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
#else
#define JP_LIKELY(x) (x)
#define JP_UNLIKELY(x) (x)
#define JP_INLINE static inline
#define JP_NOINLINE
#endif

/* Full 8x8 inverse DCT of dequantised coefficients (natural order) to clamped samples.
 * `last` is the zigzag index of the last non-zero coefficient (0..79): it bounds which rows and
 * columns can be non-zero so that empty ones cost nothing. ws is 64 words of scratch. */
void c9_jpeg_idct8(const int16_t *coef, uint8_t *out, unsigned stride, unsigned last, int32_t *ws);

/* 2x2 output whose samples are the exact means of the four 4x4 quadrants of the full inverse
 * DCT: only coefficients 0, 1, 3, 5 and 7 of each row and column contribute. out is 2x2 with
 * the given stride; `last` as for c9_jpeg_idct8. Used for subsampled chroma at 1/8 scale. */
void c9_jpeg_idct2x2(const int16_t *coef, uint8_t *out, unsigned stride, unsigned last);

#endif /* CIRCUIT9_JPEG_INTERNAL_H */
