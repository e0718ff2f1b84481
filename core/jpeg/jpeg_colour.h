/*
 * Colour conversion of one MCU, for the decode hot loops (jpeg_decode.c), which inline it: the
 * default arithmetic (BT.601 with 16-bit fixed-point factors, channels truncated, computed or
 * through the FAST profile's tables, common geometries at 1/1 with compile-time MCU sizes) and
 * TJpgDec's (jpeg_tjpgd.c has its description).
 */
#ifndef CIRCUIT9_JPEG_COLOUR_H
#define CIRCUIT9_JPEG_COLOUR_H

#include "jpeg_internal.h"

/* ---- The default arithmetic ----------------------------------------------------------------- */

typedef struct cconv {
    int32_t br, bg, bb; /* rounding bias added to R, G, B before truncation */
} cconv_t;

/* Truncation like TJpgDec: with the usual bit-replicating 565 -> 888 expansion it is also
 * closer on average than adding half a step. */
static const cconv_t no_bias = {0, 0, 0};

/* YCbCr -> RGB offsets with 16-bit fixed-point BT.601 factors (the JFIF definition). */
static C9_SPEED_INLINE int32_t term_rcr(int cr, const cconv_t *cc) {
    return ((91881 * (cr - 128) + 32768) >> 16) + cc->br;
}
static C9_SPEED_INLINE int32_t term_gcr(int cr, const cconv_t *cc) {
    return -46802 * (cr - 128) + 32768 + (cc->bg << 16);
}
static C9_SPEED_INLINE int32_t term_gcb(int cb) {
    return -22554 * (cb - 128);
}
static C9_SPEED_INLINE int32_t term_bcb(int cb, const cconv_t *cc) {
    return ((116130 * (cb - 128) + 32768) >> 16) + cc->bb;
}

static C9_SPEED_INLINE void chroma_terms(const c9_jpeg_t *d, int cb, int cr, const cconv_t *cc, const int fast,
                                         int32_t *r, int32_t *g, int32_t *b) {
#if C9_JPEG_FAST_PROFILE
    if (fast) {
        const fastx_t *fx = d->fx;
        *r = fx->u.c.rcr[cr];
        *g = (fx->u.c.gcr[cr] + fx->u.c.gcb[cb]) >> 16;
        *b = fx->u.c.bcb[cb];
        return;
    }
#else
    (void)d;
    (void)fast;
#endif
    *r = term_rcr(cr, cc);
    *g = (term_gcr(cr, cc) + term_gcb(cb)) >> 16;
    *b = term_bcb(cb, cc);
}

static C9_SPEED_INLINE uint16_t pack565(int32_t y, int32_t cr, int32_t cg, int32_t cb) {
    int32_t r = y + cr, g = y + cg, b = y + cb;
    if (C9_UNLIKELY((uint32_t)(r | g | b) > 255u)) {
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
    }
    return (uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3));
}

/* Gray MCU: one plane at full output resolution (its shifts are 0). */
static C9_SPEED_INLINE void convert_gray(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast) {
#if !C9_JPEG_FAST_PROFILE
    (void)fast;
#endif
    const comp_t *c = &d->comp[0];
    uint16_t *o = d->u.q.m.out;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *yp = d->u.q.planes + c->poff + (y >> c->shy) * c->pw;
        for (unsigned x = 0; x < w; x++) {
            int32_t v = yp[x >> c->shx];
#if C9_JPEG_FAST_PROFILE
            if (fast) {
                const fastx_t *fx = d->fx;
                *o++ = fx->u.c.rgb[0][v + 256] | fx->u.c.rgb[1][v + 256] | fx->u.c.rgb[2][v + 256];
                continue;
            }
#endif
            *o++ = pack565(v, cc->br, cc->bg, cc->bb);
        }
    }
}

/* Colour MCU where luma is at output resolution and both chroma planes share the shifts SX, SY
 * (compile-time, so each common subsampling gets its own unrolled loop). Each chroma sample's
 * colour terms are computed once for its whole 2^SX x 2^SY cell. Partial MCUs at the right and
 * bottom edges go through convert_any(). */
static C9_SPEED_INLINE void convert_sub(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast,
                                        const unsigned sx, const unsigned sy) {
    const comp_t *cy = &d->comp[0], *cb = &d->comp[1];
    const uint8_t *pY = d->u.q.planes + cy->poff, *pB = d->u.q.planes + cb->poff, *pR = d->u.q.planes + d->comp[2].poff;
    unsigned yw = cy->pw, cw = cb->pw;
#if C9_JPEG_FAST_PROFILE
    const uint16_t *tr = fast ? d->fx->u.c.rgb[0] + 256 : NULL, *tg = fast ? d->fx->u.c.rgb[1] + 256 : NULL,
                   *tb = fast ? d->fx->u.c.rgb[2] + 256 : NULL;
#endif
    for (unsigned cyi = 0; cyi < (h >> sy); cyi++) {
        const uint8_t *bp = pB + cyi * cw, *rp = pR + cyi * cw;
        const uint8_t *yp = pY + (cyi << sy) * yw;
        uint16_t *o = d->u.q.m.out + (cyi << sy) * w;
        for (unsigned cx = 0; cx < (w >> sx); cx++) {
            int32_t ar, ag, ab;
            chroma_terms(d, bp[cx], rp[cx], cc, fast, &ar, &ag, &ab);
#if C9_JPEG_FAST_PROFILE
            if (fast) {
                const uint16_t *qr = tr + ar, *qg = tg + ag, *qb = tb + ab;
                for (unsigned j = 0; j < (1u << sy); j++) {
                    for (unsigned i = 0; i < (1u << sx); i++) {
                        unsigned v = yp[j * yw + (cx << sx) + i];
                        o[j * w + (cx << sx) + i] = qr[v] | qg[v] | qb[v];
                    }
                }
                continue;
            }
#endif
            for (unsigned j = 0; j < (1u << sy); j++) {
                for (unsigned i = 0; i < (1u << sx); i++)
                    o[j * w + (cx << sx) + i] = pack565(yp[j * yw + (cx << sx) + i], ar, ag, ab);
            }
        }
    }
}

/* GCC unrolls convert_full's row of cells when told to; Clang, told to, makes jpeg_decode.c 45%
 * larger (130 KB of code to 188 KB at -O2), so it is left to choose. Not at -Os either. */
#if C9_OPTIMIZE_SIZE || defined(__clang__)
#define UNROLL_CELLS
#else
#define UNROLL_CELLS C9_UNROLL(8)
#endif

/* A whole MCU at 1/1 with luma at output resolution and both chroma planes one 8x8 block
 * upsampled by 2^SX x 2^SY: every size and offset is a compile-time constant. */
static C9_SPEED_INLINE void convert_full(c9_jpeg_t *d, const cconv_t *cc, const int fast, const unsigned sx,
                                         const unsigned sy) {
    const unsigned W = 8u << sx;
    const uint8_t *pY = d->u.q.planes + d->comp[0].poff, *pB = d->u.q.planes + d->comp[1].poff,
                  *pR = d->u.q.planes + d->comp[2].poff;
#if C9_JPEG_FAST_PROFILE
    const uint16_t *tr = fast ? d->fx->u.c.rgb[0] + 256 : NULL, *tg = fast ? d->fx->u.c.rgb[1] + 256 : NULL,
                   *tb = fast ? d->fx->u.c.rgb[2] + 256 : NULL;
#endif
    for (unsigned cy = 0; cy < 8; cy++) {
        const uint8_t *bp = pB + cy * 8, *rp = pR + cy * 8, *yp = pY + (cy << sy) * W;
        uint16_t *o = d->u.q.m.out + (cy << sy) * W;
        UNROLL_CELLS
        for (unsigned cx = 0; cx < 8; cx++) {
            int32_t ar, ag, ab;
            chroma_terms(d, bp[cx], rp[cx], cc, fast, &ar, &ag, &ab);
            const unsigned x0 = cx << sx;
            /* The 2^SX x 2^SY pixels of the chroma sample's cell, written out (SX, SY <= 1). */
#define CELL(PX)                                                                                                       \
    do {                                                                                                               \
        PX(x0);                                                                                                        \
        if (sx)                                                                                                        \
            PX(x0 + 1);                                                                                                \
        if (sy) {                                                                                                      \
            PX(W + x0);                                                                                                \
            if (sx)                                                                                                    \
                PX(W + x0 + 1);                                                                                        \
        }                                                                                                              \
    } while (0)
#if C9_JPEG_FAST_PROFILE
            if (fast) {
                const uint16_t *qr = tr + ar, *qg = tg + ag, *qb = tb + ab;
#define PX_TAB(at)                                                                                                     \
    do {                                                                                                               \
        unsigned v_ = yp[at];                                                                                          \
        o[at] = qr[v_] | qg[v_] | qb[v_];                                                                              \
    } while (0)
                CELL(PX_TAB);
#undef PX_TAB
                continue;
            }
#endif
#define PX_565(at) (o[at] = pack565(yp[at], ar, ag, ab))
            CELL(PX_565);
#undef PX_565
#undef CELL
        }
    }
}

/* Any geometry: each plane sampled through its own shifts. */
static inline void convert_any(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast) {
    const comp_t *c0 = &d->comp[0], *c1 = &d->comp[1], *c2 = &d->comp[2];
    uint16_t *o = d->u.q.m.out;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *p0 = d->u.q.planes + c0->poff + (y >> c0->shy) * c0->pw;
        const uint8_t *p1 = d->u.q.planes + c1->poff + (y >> c1->shy) * c1->pw;
        const uint8_t *p2 = d->u.q.planes + c2->poff + (y >> c2->shy) * c2->pw;
        for (unsigned x = 0; x < w; x++) {
            int32_t ar, ag, ab;
            chroma_terms(d, p1[x >> c1->shx], p2[x >> c2->shx], cc, fast, &ar, &ag, &ab);
            int32_t v = p0[x >> c0->shx];
#if C9_JPEG_FAST_PROFILE
            if (fast) {
                const fastx_t *fx = d->fx;
                *o++ = fx->u.c.rgb[0][v + ar + 256] | fx->u.c.rgb[1][v + ag + 256] | fx->u.c.rgb[2][v + ab + 256];
                continue;
            }
#endif
            *o++ = pack565(v, ar, ag, ab);
        }
    }
}
/* One specialisation per (table, geometry): tab and full are constant in each call. */
/* Converts the MCU in the planes to RGB565 in u.q.m.out (w x h pixels, packed). kind: 0..3 luma
 * at output resolution with both chroma planes upsampled by (kind & 1, kind >> 1); 0xFE gray; 0xFF
 * any geometry. tab: use the FAST colour tables; full: 1/1 with a whole MCU. */
static C9_SPEED_INLINE void convert_kind(c9_jpeg_t *d, unsigned kind, unsigned w, unsigned h, const int tab,
                                         const int full) {
    const cconv_t *cc = &no_bias;
    switch (kind) {
    case 0xFE: convert_gray(d, w, h, cc, tab); break;
    case 0:
        if (full && !C9_OPTIMIZE_SIZE)
            convert_full(d, cc, tab, 0, 0);
        else
            convert_sub(d, w, h, cc, tab, 0, 0);
        break;
    case 1:
        if (full && !C9_OPTIMIZE_SIZE)
            convert_full(d, cc, tab, 1, 0);
        else
            convert_sub(d, w, h, cc, tab, 1, 0);
        break;
    case 2:
        if (full && !C9_OPTIMIZE_SIZE)
            convert_full(d, cc, tab, 0, 1);
        else
            convert_sub(d, w, h, cc, tab, 0, 1);
        break;
    case 3:
        if (full && !C9_OPTIMIZE_SIZE)
            convert_full(d, cc, tab, 1, 1);
        else
            convert_sub(d, w, h, cc, tab, 1, 1);
        break;
    default: convert_any(d, w, h, cc, tab); break;
    }
}

/* ---- TJpgDec's colour (C9_JPEG_TJPGD; the arithmetic is described in jpeg_tjpgd.c) ------------ */

/* C's division by 1024 (toward zero). */
static C9_SPEED_INLINE int32_t tj_div1024(int32_t v) {
    return (v + (int32_t)((uint32_t)(v >> 31) & 1023u)) >> 10;
}

/* TJpgDec's clipping table: the low 10 bits, 0..255 kept, 256..511 saturated, the rest 0. */
static C9_SPEED_INLINE int32_t tj_clip10(int32_t v) {
    uint32_t u = (uint32_t)v & 1023u;
    return u < 256 ? (int32_t)u : u < 512 ? 255 : 0;
}

typedef struct tj_terms {
    int32_t r, g, b; /* added to Y for R, subtracted for G, added for B */
} tj_terms_t;

static C9_SPEED_INLINE tj_terms_t tj_chroma(int32_t cb, int32_t cr) {
    cb -= 128;
    cr -= 128;
    tj_terms_t t = {tj_div1024(1435 * cr), tj_div1024(352 * cb + 731 * cr), tj_div1024(1814 * cb)};
    return t;
}

static C9_SPEED_INLINE uint16_t tj_pack(int32_t r, int32_t g, int32_t b) {
    return (uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3));
}

static C9_SPEED_INLINE uint16_t tj_pixel(int32_t y, tj_terms_t t) {
    int32_t r = y + t.r, g = y - t.g, b = y + t.b;
    if (C9_UNLIKELY((uint32_t)(r | g | b) > 255u)) {
        r = tj_clip10(r);
        g = tj_clip10(g);
        b = tj_clip10(b);
    }
    return tj_pack(r, g, b);
}

/* A whole MCU at 1/1, luma at output resolution, both chroma planes upsampled by 2^SX x 2^SY
 * (compile-time): the output goes over the luma samples at the same indices. */
static C9_SPEED_INLINE void tj_convert_full(c9_jpeg_t *d, const unsigned sx, const unsigned sy) {
    const unsigned W = 8u << sx;
    int16_t *pY = d->u.t.yuv;
    const int16_t *pB = d->u.t.yuv + d->comp[1].poff, *pR = d->u.t.yuv + d->comp[2].poff;
    uint16_t *o = (uint16_t *)pY;
    for (unsigned cy = 0; cy < 8; cy++) {
        const int16_t *bp = pB + cy * 8, *rp = pR + cy * 8;
        const int16_t *yp = pY + (cy << sy) * W;
        uint16_t *op = o + (cy << sy) * W;
        for (unsigned cx = 0; cx < 8; cx++) {
            tj_terms_t t = tj_chroma(bp[cx], rp[cx]);
            const unsigned x0 = cx << sx;
            op[x0] = tj_pixel(yp[x0], t);
            if (sx)
                op[x0 + 1] = tj_pixel(yp[x0 + 1], t);
            if (sy) {
                op[W + x0] = tj_pixel(yp[W + x0], t);
                if (sx)
                    op[W + x0 + 1] = tj_pixel(yp[W + x0 + 1], t);
            }
        }
    }
}

/* Any geometry at 1/1 (partial MCUs included) and 1/8: one luma sample per pixel. */
static inline void tj_convert_any(c9_jpeg_t *d, unsigned w, unsigned h) {
    const comp_t *c0 = &d->comp[0];
    const int16_t *yuv = d->u.t.yuv;
    uint16_t *o = (uint16_t *)d->u.t.yuv;
    bool gray = d->ncomp == 1;
    const comp_t *c1 = &d->comp[gray ? 0 : 1], *c2 = &d->comp[gray ? 0 : 2];
    for (unsigned y = 0; y < h; y++) {
        const int16_t *p0 = yuv + c0->poff + y * c0->pw;
        const int16_t *p1 = yuv + c1->poff + (y >> c1->shy) * c1->pw;
        const int16_t *p2 = yuv + c2->poff + (y >> c2->shy) * c2->pw;
        for (unsigned x = 0; x < w; x++) {
            tj_terms_t t = {0, 0, 0};
            if (!gray)
                t = tj_chroma(p1[x >> c1->shx], p2[x >> c2->shx]);
            *o++ = tj_pixel(p0[x], t);
        }
    }
}

/* 1/2 and 1/4 (s = 1, 2): each pixel the truncated mean of the clipped channels of a 2^s x 2^s
 * square of full-size pixels. Output index y * w + x never passes the first luma sample still
 * to be read, so the output can go over the luma plane. */
static inline void tj_convert_scaled(c9_jpeg_t *d, unsigned w, unsigned h, unsigned s) {
    const comp_t *c0 = &d->comp[0];
    const int16_t *yuv = d->u.t.yuv;
    uint16_t *o = (uint16_t *)d->u.t.yuv;
    bool gray = d->ncomp == 1;
    const comp_t *c1 = &d->comp[gray ? 0 : 1], *c2 = &d->comp[gray ? 0 : 2];
    unsigned f = 1u << s;
    for (unsigned oy = 0; oy < h; oy++) {
        for (unsigned ox = 0; ox < w; ox++) {
            int32_t sr = 0, sg = 0, sb = 0;
            for (unsigned j = 0; j < f; j++) {
                unsigned y = (oy << s) + j;
                const int16_t *p0 = yuv + c0->poff + y * c0->pw;
                const int16_t *p1 = yuv + c1->poff + (y >> c1->shy) * c1->pw;
                const int16_t *p2 = yuv + c2->poff + (y >> c2->shy) * c2->pw;
                for (unsigned i = 0; i < f; i++) {
                    unsigned x = (ox << s) + i;
                    tj_terms_t t = {0, 0, 0};
                    if (!gray)
                        t = tj_chroma(p1[x >> c1->shx], p2[x >> c2->shx]);
                    int32_t yv = p0[x];
                    sr += tj_clip10(yv + t.r);
                    sg += tj_clip10(yv - t.g);
                    sb += tj_clip10(yv + t.b);
                }
            }
            *o++ = tj_pack(sr >> (2 * s), sg >> (2 * s), sb >> (2 * s));
        }
    }
}

/* TJpgDec's colour for the MCU in u.t.yuv at the current scale, written over it as RGB565 (w x h
 * pixels, packed). kind as for convert_kind() (meaningful at 1/1 only). */
static C9_SPEED_INLINE void tj_convert(c9_jpeg_t *d, unsigned kind, unsigned w, unsigned h) {
    const comp_t *c1 = &d->comp[1], *c2 = &d->comp[2];
    if (d->scale == 3 && (d->ncomp == 1 || (c1->pw == 1 && c1->ph == 1 && c2->pw == 1 && c2->ph == 1))) {
        /* 1/8 with one chroma sample per MCU: its terms once, then one luma sample a pixel. */
        tj_terms_t t = {0, 0, 0};
        if (d->ncomp != 1)
            t = tj_chroma(d->u.t.yuv[c1->poff], d->u.t.yuv[c2->poff]);
        const int16_t *y = d->u.t.yuv;
        uint16_t *o = (uint16_t *)d->u.t.yuv;
        unsigned pw = d->comp[0].pw;
        for (unsigned j = 0; j < h; j++)
            for (unsigned i = 0; i < w; i++)
                o[j * w + i] = tj_pixel(y[j * pw + i], t);
        return;
    }
    if (d->scale == 1 || d->scale == 2) {
        tj_convert_scaled(d, w, h, d->scale);
        return;
    }
    if (d->scale == 0 && !C9_OPTIMIZE_SIZE) {
        switch (kind) {
        case 0: tj_convert_full(d, 0, 0); return;
        case 1: tj_convert_full(d, 1, 0); return;
        case 2: tj_convert_full(d, 0, 1); return;
        case 3: tj_convert_full(d, 1, 1); return;
        default: break;
        }
    }
    tj_convert_any(d, w, h);
}

#endif /* CIRCUIT9_JPEG_COLOUR_H */
