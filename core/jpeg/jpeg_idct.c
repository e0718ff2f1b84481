/*
 * Inverse DCTs for the JPEG decoder.
 *
 * The 8x8 transform is the separable Loeffler-Ligtenberg-Moschytz factorisation with 13-bit
 * constants and two extra bits kept between the passes, which is the arithmetic of libjpeg's
 * "accurate integer" method: using the same rounding keeps us within a unit of the reference
 * decoder that the PSNR goal is measured against. Intermediate arithmetic is done on uint32_t so
 * that corrupt coefficients wrap (garbage out) instead of overflowing a signed type.
 */
#include <string.h>

#include "jpeg_internal.h"

#if C9_JPEG_QUALITY_MODE

typedef uint32_t u32;

/* round(c * 2^13) of the cosine combinations the factorisation uses. */
#define K_0_298 2446u
#define K_0_390 3196u
#define K_0_541 4433u
#define K_0_765 6270u
#define K_0_899 7373u
#define K_1_175 9633u
#define K_1_501 12299u
#define K_1_847 15137u
#define K_1_961 16069u
#define K_2_053 16819u
#define K_2_562 20995u
#define K_3_072 25172u

/* Index of the highest set bit (v != 0). */
static C9_SPEED_INLINE unsigned top_bit(uint64_t v) {
#if defined(__GNUC__)
    return 63u - (unsigned)__builtin_clzll(v);
#else
    unsigned n = 0;
    while (v >>= 1)
        n++;
    return n;
#endif
}

/* Largest row and column with a bit set in nz (nz != 0). */
static C9_SPEED_INLINE void bounds(uint64_t nz, unsigned *maxrow, unsigned *maxcol) {
    *maxrow = top_bit(nz) >> 3;
    uint32_t c = (uint32_t)(nz | nz >> 32);
    c |= c >> 16;
    c |= c >> 8;
    *maxcol = top_bit(c & 0xFFu);
}

/* One 8-point pass. x0s is the DC input already scaled by 2^13 with the pass's rounding (and
 * level shift) added, so that every output gets it from one addition. Called with literal zeros
 * for absent inputs so that the compiler drops their work. */
static C9_SPEED_INLINE void idct1d(u32 x0s, u32 x1, u32 x2, u32 x3, u32 x4, u32 x5, u32 x6, u32 x7, u32 *o) {
    /* Even half: inputs 0, 2, 4, 6. */
    u32 z1 = (x2 + x6) * K_0_541;
    u32 t2 = z1 - x6 * K_1_847;
    u32 t3 = z1 + x2 * K_0_765;
    u32 t0 = x0s + (x4 << 13);
    u32 t1 = x0s - (x4 << 13);
    u32 e0 = t0 + t3, e3 = t0 - t3, e1 = t1 + t2, e2 = t1 - t2;
    /* Odd half: inputs 7, 5, 3, 1. */
    u32 za = x7 + x1, zb = x5 + x3, zc = x7 + x3, zd = x5 + x1;
    u32 z5 = (zc + zd) * K_1_175;
    u32 a0 = x7 * K_0_298, a1 = x5 * K_2_053, a2 = x3 * K_3_072, a3 = x1 * K_1_501;
    za *= (u32)-K_0_899;
    zb *= (u32)-K_2_562;
    zc = zc * (u32)-K_1_961 + z5;
    zd = zd * (u32)-K_0_390 + z5;
    a0 += za + zc;
    a1 += zb + zd;
    a2 += zb + zc;
    a3 += za + zd;
    o[0] = e0 + a3;
    o[7] = e0 - a3;
    o[1] = e1 + a2;
    o[6] = e1 - a2;
    o[2] = e2 + a1;
    o[5] = e2 - a1;
    o[3] = e3 + a0;
    o[4] = e3 - a0;
}

static C9_SPEED_INLINE uint8_t clamp8(int32_t v) {
    if ((u32)v > 255u)
        v = (~v >> 31) & 255;
    return (uint8_t)v;
}

/* Second pass: descale by 2^18 (13 constant bits, 2 pass bits, 3 for the 1/8 normalisation);
 * x0s carries round-half and the +128 level shift as (16 + 4096) << 13. */
static C9_SPEED_INLINE void row_out(const u32 *o, uint8_t *out) {
    int32_t v[8];
    u32 any = 0;
    for (int i = 0; i < 8; i++) {
        v[i] = (int32_t)o[i] >> 18;
        any |= (u32)v[i];
    }
    if (C9_LIKELY(any <= 255u)) {
        for (int i = 0; i < 8; i++)
            out[i] = (uint8_t)v[i];
    } else {
        for (int i = 0; i < 8; i++)
            out[i] = clamp8(v[i]);
    }
}

static C9_SPEED_INLINE void fill8(uint8_t *out, uint8_t v) {
    uint64_t w = v * 0x0101010101010101u;
    memcpy(out, &w, 8);
}

/* Targets with 128-bit SIMD (and not optimising for size) run the first pass over all eight
 * columns at once when any column but the first has AC: plain C that compilers vectorise, the
 * columns being independent. Elsewhere empty columns are skipped one by one. */
#if C9_GNUC && !C9_OPTIMIZE_SIZE &&                                                                                    \
    (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__) || defined(__wasm_simd128__))
#define VEC_COLUMNS 1
#else
#define VEC_COLUMNS 0
#endif

#if VEC_COLUMNS
/* Pass 1 on every column; rows 4..7 are known zero when `half`. Same arithmetic, and so the same
 * results, as the column-by-column code (a column of zeros gives zeros, a lone DC gives 4 DC). */
static C9_SPEED_INLINE void pass1_all(const int16_t *in, int32_t *ws, const int half) {
    for (int c = 0; c < 8; c++) {
        const int16_t *p = in + c;
        u32 o[8];
        u32 x0s = ((u32)(int32_t)p[0] << 13) + 1024u;
        u32 x1 = (u32)(int32_t)p[8], x2 = (u32)(int32_t)p[16], x3 = (u32)(int32_t)p[24];
        if (half)
            idct1d(x0s, x1, x2, x3, 0, 0, 0, 0, o);
        else
            idct1d(x0s, x1, x2, x3, (u32)(int32_t)p[32], (u32)(int32_t)p[40], (u32)(int32_t)p[48], (u32)(int32_t)p[56],
                   o);
        /* Explicit stores (no inner loop) keep the loop body one straight block. */
        ws[0 * 8 + c] = (int32_t)o[0] >> 11;
        ws[1 * 8 + c] = (int32_t)o[1] >> 11;
        ws[2 * 8 + c] = (int32_t)o[2] >> 11;
        ws[3 * 8 + c] = (int32_t)o[3] >> 11;
        ws[4 * 8 + c] = (int32_t)o[4] >> 11;
        ws[5 * 8 + c] = (int32_t)o[5] >> 11;
        ws[6 * 8 + c] = (int32_t)o[6] >> 11;
        ws[7 * 8 + c] = (int32_t)o[7] >> 11;
    }
}
#endif

#define COL_AC 0x0101010101010100u /* rows 1..7 of column 0 */
#define ROW2 (4112u << 13)         /* second pass: rounding and level shift, pre-scaled */

void c9_jpeg_idct8(const int16_t *in, uint8_t *out, unsigned stride, uint64_t nz, int32_t *ws) {
    if ((nz >> 1) == 0) {
        /* Flat block: what both passes give for a lone DC, without doing them. */
        uint8_t v = clamp8(((int32_t)in[0] + 4 + 1024) >> 3);
        for (int r = 0; r < 8; r++, out += stride)
            fill8(out, v);
        return;
    }
    unsigned maxrow, maxcol;
    bounds(nz, &maxrow, &maxcol);
    u32 o[8];

    if (maxrow == 0) {
        /* Only row 0: the first pass gives each column its DC times 4 on every row, so all
         * rows of the result are the same. */
        u32 x0s = ((u32)(int32_t)in[0] << 15) + ROW2;
        if (maxcol <= 3)
            idct1d(x0s, (u32)(int32_t)in[1] << 2, (u32)(int32_t)in[2] << 2, (u32)(int32_t)in[3] << 2, 0, 0, 0, 0, o);
        else
            idct1d(x0s, (u32)(int32_t)in[1] << 2, (u32)(int32_t)in[2] << 2, (u32)(int32_t)in[3] << 2,
                   (u32)(int32_t)in[4] << 2, (u32)(int32_t)in[5] << 2, (u32)(int32_t)in[6] << 2,
                   (u32)(int32_t)in[7] << 2, o);
        row_out(o, out);
        for (int r = 1; r < 8; r++)
            memcpy(out + r * stride, out, 8);
        return;
    }

#if VEC_COLUMNS
    if (maxcol >= 1) {
        if (maxrow >= 4)
            pass1_all(in, ws, 0);
        else
            pass1_all(in, ws, 1);
        goto pass2;
    }
#endif
    /* Pass 1: columns 0..maxcol; the others are all zero and stay out of pass 2. A column whose
     * only coefficient is its DC is that DC times 4 on every row. */
    for (unsigned c = 0; c <= maxcol; c++) {
        const int16_t *p = in + c;
        int32_t *w = ws + c;
        if (!(nz & (COL_AC << c))) {
            int32_t dc = (int32_t)((u32)(int32_t)p[0] << 2);
            for (int r = 0; r < 8; r++)
                w[r * 8] = dc;
            continue;
        }
        /* Rounding for the descale by 2^11 below. */
        u32 x0s = ((u32)(int32_t)p[0] << 13) + 1024u;
        u32 x1 = (u32)(int32_t)p[8], x2 = (u32)(int32_t)p[16], x3 = (u32)(int32_t)p[24];
        if (maxrow <= 3)
            idct1d(x0s, x1, x2, x3, 0, 0, 0, 0, o);
        else
            idct1d(x0s, x1, x2, x3, (u32)(int32_t)p[32], (u32)(int32_t)p[40], (u32)(int32_t)p[48], (u32)(int32_t)p[56],
                   o);
        for (int r = 0; r < 8; r++)
            w[r * 8] = (int32_t)o[r] >> 11;
    }

    /* Pass 2 reads columns 0..3 or 0..7: the ones pass 1 skipped must read as zero. */
    for (unsigned c = maxcol + 1; c < (maxcol <= 3 ? 4u : 8u); c++) {
        for (int r = 0; r < 8; r++)
            ws[r * 8 + c] = 0;
    }

#if VEC_COLUMNS
pass2:
#endif
    /* Pass 2: rows. */
    for (int r = 0; r < 8; r++, out += stride) {
        const int32_t *w = ws + r * 8;
        if (maxcol == 0) {
            fill8(out, clamp8(((int32_t)w[0] + 4112) >> 5));
            continue;
        }
        u32 x0s = ((u32)w[0] << 13) + ROW2;
        if (maxcol <= 3)
            idct1d(x0s, (u32)w[1], (u32)w[2], (u32)w[3], 0, 0, 0, 0, o);
        else
            idct1d(x0s, (u32)w[1], (u32)w[2], (u32)w[3], (u32)w[4], (u32)w[5], (u32)w[6], (u32)w[7], o);
        row_out(o, out);
    }
}

/* Quadrant means of the basis functions, times 2^12: w0 = 1/(2*sqrt 2); for odd u,
 * w_u = (1/2) * mean(cos((2x+1)u*pi/16), x = 0..3). Even u > 0 average to zero. */
#define W0 1448u
#define W1 1312u
#define W3 ((u32)-461)
#define W5 308u
#define W7 ((u32)-261)

void c9_jpeg_idct2x2(const int16_t *in, uint8_t *out, unsigned stride, uint64_t nz) {
    static const uint8_t rows[5] = {0, 1, 3, 5, 7};
    if (nz == 1) { /* DC only: both passes of the general case, once */
        u32 t = (u32)((int32_t)((u32)(int32_t)in[0] * W0 + 2048u) >> 12);
        uint8_t v = clamp8((int32_t)(t * W0 + (2048u + (128u << 12))) >> 12);
        out[0] = out[1] = out[stride] = out[stride + 1] = v;
        return;
    }
    unsigned maxrow = top_bit(nz) >> 3;
    u32 t[5][2] = {{0}};
    for (int i = 0; i < 5 && rows[i] <= maxrow; i++) {
        /* Only columns 0, 1, 3, 5 and 7 count. */
        unsigned bits = (unsigned)(nz >> (rows[i] * 8)) & 0xABu;
        const int16_t *p = in + rows[i] * 8;
        u32 e = (u32)(int32_t)p[0] * W0;
        u32 od = 0;
        if (bits > 1)
            od = (u32)(int32_t)p[1] * W1 + (u32)(int32_t)p[3] * W3 + (u32)(int32_t)p[5] * W5 + (u32)(int32_t)p[7] * W7;
        /* Keep 12 fraction bits after the first pass, as int32 range allows for valid data. */
        t[i][0] = (u32)((int32_t)(e + od + 2048u) >> 12);
        t[i][1] = (u32)((int32_t)(e - od + 2048u) >> 12);
    }
    for (int j = 0; j < 2; j++) {
        u32 e = t[0][j] * W0 + (2048u + (128u << 12));
        u32 od = t[1][j] * W1 + t[2][j] * W3 + t[3][j] * W5 + t[4][j] * W7;
        out[j] = clamp8((int32_t)(e + od) >> 12);
        out[stride + j] = clamp8((int32_t)(e - od) >> 12);
    }
}

#endif /* C9_JPEG_QUALITY_MODE */
