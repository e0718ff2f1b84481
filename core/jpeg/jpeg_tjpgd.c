/*
 * TJpgDec's arithmetic (C9_JPEG_TJPGD): the pixels of TJpgDec R0.03 as CircuitPython 9 configures
 * it (RGB565, scaling on, table clipping, JD_FASTDECODE 1), which is what a board's jpegio puts
 * in a bitmap. Written from TJpgDec's documented behaviour; the facts it rests on:
 *
 * - Dequantisation multiplies each coefficient by its quantiser and by the AAN (Arai, Agui,
 *   Nakajima) prescale factor of its position times 8192, and descales by 8 bits.
 * - The AAN inverse DCT: columns then rows, the four multiplications by 1.41421, 1.08239,
 *   2.61313 and 1.84776 times 4096 (truncated) each descaled by 12 bits, the level shift (128 <<
 *   8) added to each row's DC, outputs descaled by 8 bits into 16-bit samples that are not
 *   clipped. A block whose first AC code is the end of block, and every block at 1/8, is
 *   filled with its prescaled DC divided by 256 (toward zero) plus 128 instead.
 * - Chroma is replicated, never interpolated.
 * - R = Y + 1435 Cr / 1024, G = Y - (352 Cb + 731 Cr) / 1024, B = Y + 1814 Cb / 1024 (C division,
 *   toward zero; Cb and Cr are the samples minus 128), each clipped through a 1024-entry table
 *   indexed by the low 10 bits: -512..-1 give 0, 256..511 give 255, and values beyond wrap.
 * - 1/2 and 1/4: each channel of the clipped full-size pixels summed over the 2x2 or 4x4 square
 *   and shifted right; 1/8: one pixel per luma block from the DC values, with the chroma of the
 *   MCU's (only) chroma block.
 * - RGB565 by truncating each channel.
 *
 * Everything wraps as 32-bit integers do on the board, so corrupt data gives the board's garbage
 * rather than undefined behaviour.
 */
#include "jpeg_internal.h"

#if C9_JPEG_TJPGD_MODE

typedef uint32_t u32;

/* 8192 * s(u) * s(v), s(0) = 1, s(k) = sqrt(2) cos(k pi / 16), with the products rounded to five
 * decimals first and then truncated, as TJpgDec's table holds them: (1,2) and (2,1) are 14846
 * where the exact product would truncate to 14845. Natural (row-major) order. */
const uint16_t c9_jpeg_tj_ipsf[64] = {
    8192,  11362, 10703, 9632,  8192,  6436,  4433, 2260, /* row 0 */
    11362, 15760, 14846, 13361, 11362, 8927,  6149, 3134, 10703, 14846, 13984, 12585, 10703, 8409,
    5792,  2953,  9632,  13361, 12585, 11326, 9632, 7568, 5213,  2657,  8192,  11362, 10703, 9632,
    8192,  6436,  4433,  2260,  6436,  8927,  8409, 7568, 6436,  5057,  3483,  1775,  4433,  6149,
    5792,  5213,  4433,  3483,  2399,  1223,  2260, 3134, 2953,  2657,  2260,  1775,  1223,  623,
};

/* The IDCT's constants: 4096 times 1.41421, 1.08239, 2.61313, 1.84776, truncated. */
#define K_A 5792u
#define K_B 4433u
#define K_C 10703u
#define K_D 7568u

/* v * k descaled by 12 bits (arithmetic shift), as TJpgDec computes it on 32-bit integers. */
static C9_SPEED_INLINE u32 mul12(u32 v, u32 k) {
    return (u32)((int32_t)(v * k) >> 12);
}

/* One 8-point AAN pass; o may alias nothing the caller still needs. Absent inputs are passed as
 * literal zeros so that their work folds away (every step is exact for a zero). */
static C9_SPEED_INLINE void aan8(u32 x0, u32 x1, u32 x2, u32 x3, u32 x4, u32 x5, u32 x6, u32 x7, u32 o[8]) {
    /* Even half. */
    u32 a = x0 + x4, b = x0 - x4;
    u32 s26 = x2 + x6;
    u32 c = mul12(x2 - x6, K_A) - s26;
    u32 e0 = a + s26, e3 = a - s26, e1 = b + c, e2 = b - c;
    /* Odd half. */
    u32 d17 = x1 - x7, s17 = x1 + x7, d53 = x5 - x3, s53 = x5 + x3;
    u32 sum = s17 + s53;
    u32 z = mul12(d17 + d53, K_D);
    u32 p6 = z - mul12(d53, K_C) - sum;
    u32 p5 = mul12(s17 - s53, K_A) - p6;
    u32 p4 = z - mul12(d17, K_B) - p5;
    o[0] = e0 + sum;
    o[7] = e0 - sum;
    o[1] = e1 + p6;
    o[6] = e1 - p6;
    o[2] = e2 + p5;
    o[5] = e2 - p5;
    o[3] = e3 + p4;
    o[4] = e3 - p4;
}

static C9_SPEED_INLINE int16_t descale8(u32 v) {
    return (int16_t)(uint16_t)(u32)((int32_t)v >> 8);
}

#define ROW_DC (128u << 8) /* level shift, added to each row's DC before the row pass */

void c9_jpeg_tj_idct(int32_t *blk, uint64_t nz, int16_t *out, unsigned stride) {
    u32 *w = (u32 *)blk;
    unsigned maxrow = (unsigned)(63 - __builtin_clzll(nz)) >> 3;
    uint32_t cols = (uint32_t)(nz | nz >> 32);
    cols |= cols >> 16;
    cols |= cols >> 8;
    cols &= 0xFFu;
    unsigned maxcol = 31u - (unsigned)__builtin_clz(cols);
    u32 o[8];

    /* Columns: an empty column stays zero, a column with only its first entry is that value on
     * every row (exactly what the pass gives). */
    for (unsigned c = 0; c <= maxcol; c++) {
        u32 *p = w + c;
        if (!(nz & (0x0101010101010100u << c))) {
            if (maxrow)
                for (unsigned r = 1; r < 8; r++)
                    p[r * 8] = p[0];
            continue;
        }
        if (maxrow <= 3)
            aan8(p[0], p[8], p[16], p[24], 0, 0, 0, 0, o);
        else
            aan8(p[0], p[8], p[16], p[24], p[32], p[40], p[48], p[56], o);
        for (unsigned r = 0; r < 8; r++)
            p[r * 8] = o[r];
    }

    /* Rows. With only a first row of coefficients every row is the same. */
    unsigned rows = maxrow ? 8 : 1;
    int16_t *dst = out;
    for (unsigned r = 0; r < rows; r++, dst += stride) {
        const u32 *p = w + r * 8;
        if (maxcol == 0) {
            int16_t v = descale8(p[0] + ROW_DC);
            for (unsigned x = 0; x < 8; x++)
                dst[x] = v;
            continue;
        }
        if (maxcol <= 3)
            aan8(p[0] + ROW_DC, p[1], p[2], p[3], 0, 0, 0, 0, o);
        else
            aan8(p[0] + ROW_DC, p[1], p[2], p[3], p[4], p[5], p[6], p[7], o);
        for (unsigned x = 0; x < 8; x++)
            dst[x] = descale8(o[x]);
    }
    for (unsigned r = rows; r < 8; r++, dst += stride)
        memcpy(dst, out, 8 * sizeof *dst);
}

#endif /* C9_JPEG_TJPGD_MODE */
