/*
 * Colour: YCbCr planes of one MCU to RGB565 (BT.601 with 16-bit fixed-point factors, channels
 * truncated), either computed or through the FAST profile's tables. Common geometries at 1/1
 * get loops with compile-time MCU sizes.
 */
#include "jpeg_internal.h"

typedef struct cconv {
    int32_t br, bg, bb; /* rounding bias added to R, G, B before truncation */
} cconv_t;

/* Truncation like TJpgDec: with the usual bit-replicating 565 -> 888 expansion it is also
 * closer on average than adding half a step. */
static const cconv_t no_bias = {0, 0, 0};

/* YCbCr -> RGB offsets with 16-bit fixed-point BT.601 factors (the JFIF definition). */
JP_INLINE int32_t term_rcr(int cr, const cconv_t *cc) {
    return ((91881 * (cr - 128) + 32768) >> 16) + cc->br;
}
JP_INLINE int32_t term_gcr(int cr, const cconv_t *cc) {
    return -46802 * (cr - 128) + 32768 + (cc->bg << 16);
}
JP_INLINE int32_t term_gcb(int cb) {
    return -22554 * (cb - 128);
}
JP_INLINE int32_t term_bcb(int cb, const cconv_t *cc) {
    return ((116130 * (cb - 128) + 32768) >> 16) + cc->bb;
}

JP_INLINE void chroma_terms(const c9_jpeg_t *d, int cb, int cr, const cconv_t *cc, const int fast, int32_t *r,
                            int32_t *g, int32_t *b) {
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

JP_INLINE uint16_t pack565(int32_t y, int32_t cr, int32_t cg, int32_t cb) {
    int32_t r = y + cr, g = y + cg, b = y + cb;
    if (JP_UNLIKELY((uint32_t)(r | g | b) > 255u)) {
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
    }
    return (uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3));
}

#if C9_JPEG_FAST_PROFILE
void c9_jpeg_colour_tables(fastx_t *fx, bool swap) {
    const cconv_t *cc = &no_bias;
    for (int i = 0; i < 768; i++) {
        int v = i - 256, r = v + cc->br, g = v + cc->bg, b = v + cc->bb;
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
        uint16_t pr = (uint16_t)((r & 0xF8) << 8), pg = (uint16_t)((g & 0xFC) << 3), pb = (uint16_t)(b >> 3);
        if (swap) {
            pr = bswap16(pr);
            pg = bswap16(pg);
            pb = bswap16(pb);
        }
        fx->u.c.rgb[0][i] = pr;
        fx->u.c.rgb[1][i] = pg;
        fx->u.c.rgb[2][i] = pb;
    }
    for (int i = 0; i < 256; i++) {
        fx->u.c.rcr[i] = (int16_t)term_rcr(i, cc);
        fx->u.c.gcr[i] = term_gcr(i, cc);
        fx->u.c.gcb[i] = term_gcb(i);
        fx->u.c.bcb[i] = (int16_t)term_bcb(i, cc);
    }
}
#endif

/* Gray MCU: one plane at full output resolution (its shifts are 0). */
JP_INLINE void convert_gray(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast) {
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
JP_INLINE void convert_sub(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast, const unsigned sx,
                           const unsigned sy) {
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

/* A whole MCU at 1/1 with luma at output resolution and both chroma planes one 8x8 block
 * upsampled by 2^SX x 2^SY: every size and offset is a compile-time constant. */
JP_INLINE void convert_full(c9_jpeg_t *d, const cconv_t *cc, const int fast, const unsigned sx, const unsigned sy) {
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
        JP_UNROLL(8)
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
JP_INLINE void convert_any(c9_jpeg_t *d, unsigned w, unsigned h, const cconv_t *cc, const int fast) {
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
JP_INLINE void convert_kind(c9_jpeg_t *d, unsigned kind, unsigned w, unsigned h, const int tab, const int full) {
    const cconv_t *cc = &no_bias;
    switch (kind) {
    case 0xFE: convert_gray(d, w, h, cc, tab); break;
    case 0:
        if (full && !JP_SMALL)
            convert_full(d, cc, tab, 0, 0);
        else
            convert_sub(d, w, h, cc, tab, 0, 0);
        break;
    case 1:
        if (full && !JP_SMALL)
            convert_full(d, cc, tab, 1, 0);
        else
            convert_sub(d, w, h, cc, tab, 1, 0);
        break;
    case 2:
        if (full && !JP_SMALL)
            convert_full(d, cc, tab, 0, 1);
        else
            convert_sub(d, w, h, cc, tab, 0, 1);
        break;
    case 3:
        if (full && !JP_SMALL)
            convert_full(d, cc, tab, 1, 1);
        else
            convert_sub(d, w, h, cc, tab, 1, 1);
        break;
    default: convert_any(d, w, h, cc, tab); break;
    }
}

void c9_jpeg_convert(c9_jpeg_t *d, unsigned kind, unsigned w, unsigned h, int tab, int full) {
#if C9_JPEG_FAST_PROFILE
    if (tab) {
        if (full)
            convert_kind(d, kind, w, h, 1, 1);
        else
            convert_kind(d, kind, w, h, 1, 0);
        return;
    }
#else
    (void)tab;
#endif
    if (full)
        convert_kind(d, kind, w, h, 0, 1);
    else
        convert_kind(d, kind, w, h, 0, 0);
}
