/*
 * Baseline JPEG decoding: entropy-coded blocks, the 1/8-scale AC skipping, MCU assembly and the
 * decode driver. These are the benchmarked hot loops (bench/jpeg_bench), kept in one file so
 * that they are specialised and inlined together.
 *
 * Memory: everything lives in the caller's work area as one struct (plus, for the FAST profile,
 * a block of lookup tables) followed by the input buffer. Buffers that are never live at the
 * same time share storage: IDCT scratch overlays the MCU's RGB565 output, and at 1/8 the FAST
 * colour tables give their memory to skip tables. The coefficient block is kept all zero between
 * blocks (cleared after each transform, by its DC alone when that was the only coefficient).
 *
 * Speed (instructions per pixel are the measure, bench/jpeg_bench): the bit reader lives in
 * locals whose address is never taken; Huffman lookups decode code and value at once (FAST);
 * the IDCT sees a bitmap of the non-zero coefficients and skips empty columns and rows; at 1/8
 * the blocks reduced to their DC step over AC coefficients several at a time through skip
 * tables; 1/1 colour runs with compile-time MCU geometry.
 *
 * Corrupt input: all table indices are bounded by construction (zigzag table padded for runs past
 * 63, Huffman values indexed only through validated canonical codes), every loop is bounded by
 * the image's MCU count or the input length, and errors found deep in the entropy decoder are
 * latched in `err` and acted on once per MCU so the hot loops stay branch-light.
 */
#include "jpeg_colour.h"

#if C9_JPEG_FAST_PROFILE
/* zz shifted by one: zz1[k + 1] = zz[k] (the FAST loop advances k past the coefficient first). */
static const uint8_t zz1[81] = {
    0,  0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38,
    31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
};
#endif

/* ---- Block decoding ------------------------------------------------------------------------ */

/* The DC difference of a block (bit buffer filled). FAST entries with the code and its extra
 * bits within the table hold the difference itself. */
static C9_SPEED_INLINE int32_t dc_diff(c9_jpeg_t *d, br_t *b, const comp_t *c, const int fast) {
    unsigned s;
#if !C9_JPEG_FAST_PROFILE
    (void)fast;
#endif
#if C9_JPEG_FAST_PROFILE
    if (fast) {
        unsigned e = d->fx->dc[c->td][br_peek(b, FAST_DC_BITS)];
        if (C9_LIKELY(e & 0x8000u)) {
            br_drop(b, (e >> 8) & 15);
            return (int32_t)(e & 0xFFu) - (int32_t)((e & 0x80u) << 1);
        }
        if (C9_UNLIKELY(!e))
            e = c9_jpeg_huff_slow(d, &d->hdc[c->td], d->dcval[c->td], b->bb, DC_LUT_BITS);
        br_drop(b, e >> 8);
        s = e & 15;
    } else
#endif
        s = huff_get(d, b, d->dclut[c->td], DC_LUT_BITS, DC_LUT_BITS, &d->hdc[c->td], d->dcval[c->td]) & 15;
    return s ? br_value(d, b, s) : 0;
}

/* Dequantised coefficient v at natural position pos: v * q for the quality arithmetic, and as
 * TJpgDec does, v times q times the AAN prescale factor, descaled by 8 bits, for its own. Both
 * wrap as 32-bit integers do on the board when corrupt data overflows them. */
static C9_SPEED_INLINE void put_coef(void *blk, unsigned pos, int32_t v, unsigned q, const int tj) {
    if (tj)
        ((int32_t *)blk)[pos] = (int32_t)((uint32_t)v * (q * (uint32_t)c9_jpeg_tj_ipsf[pos])) >> 8;
    else
        ((int16_t *)blk)[pos] = (int16_t)(uint16_t)((uint32_t)v * q);
}

/* Decodes one block's coefficients, dequantised, into blk (int16_t[64], or int32_t[64] for tj;
 * zeroed by the caller). Returns the bitmap of the natural positions written (bit 0, the DC,
 * always set); *flat tells whether the first AC code was the end of block, TJpgDec's test for
 * filling the block with its DC value. */
static C9_SPEED_INLINE uint64_t decode_block(c9_jpeg_t *d, br_t *b, comp_t *c, void *blk, const int fast, const int tj,
                                             int *flat) {
    const uint16_t *q = d->qt[c->tq];
    if (b->n < BB_REFILL_AT)
        br_fill(d, b);
    int32_t diff = dc_diff(d, b, c, fast);
    c->pred = (int16_t)(uint16_t)((uint32_t)c->pred + (uint32_t)diff);
    put_coef(blk, 0, c->pred, q[0], tj);

    const uint16_t *lut = d->aclut[c->ta];
    const huff_t *h = &d->hac[c->ta];
    const uint8_t *vals = d->acval[c->ta];
#if C9_JPEG_FAST_PROFILE
    const uint32_t *fac = fast ? d->fx->ac[c->ta] : NULL;
#endif
    uint64_t nz = 1;
    unsigned k = 1;
    while (k < 64) {
        if (b->n < BB_REFILL_AT)
            br_fill(d, b);
        unsigned sym;
#if C9_JPEG_FAST_PROFILE
        if (fast) {
            uint32_t e = fac[br_peek(b, FAST_BITS)];
            if (C9_LIKELY(e & 0x80u)) {
                br_drop(b, e & 31);
                k += (e >> 8) & 31;
                unsigned pos = zz1[k];
                put_coef(blk, pos, (int32_t)e >> 16, q[pos], tj);
                nz |= (uint64_t)1 << pos;
                continue;
            }
            if (e) {
                br_drop(b, e & 31);
                sym = (e >> 8) & 0xFF;
            } else {
                e = c9_jpeg_huff_slow(d, h, vals, b->bb, AC_LUT_BITS);
                br_drop(b, e >> 8);
                sym = e & 0xFF;
            }
        } else
#endif
            sym = huff_get(d, b, lut, AC_LUT_BITS, AC_LUT_BITS, h, vals);
        unsigned r = sym >> 4;
        unsigned s = sym & 15;
        if (!s) {
            if (r != 15)
                break; /* end of block */
            k += 16;
            continue;
        }
        k += r;
        int32_t v = br_value(d, b, s);
        unsigned pos = c9_jpeg_zz[k];
        put_coef(blk, pos, v, q[pos], tj);
        nz |= (uint64_t)1 << pos;
        k++;
    }
    *flat = k == 1;
    return nz;
}

/* ---- 1/8 scale: skipping AC coefficients (tables: jpeg_huffman.c) ---------------------------- */

/* Steps over the AC coefficients of a block (after its DC) with a skip table. */
static C9_SPEED_INLINE void skip_ac(c9_jpeg_t *d, br_t *b, const uint16_t *st, const unsigned bits, const huff_t *h,
                                    const uint8_t *vals) {
    unsigned k = 1;
    for (;;) {
        if (b->n < SKIP_REFILL_AT)
            br_fill(d, b);
        unsigned e = st[br_peek(b, bits)];
        k += e >> 5;
        if (C9_UNLIKELY(k >= 64)) { /* the block's end, or SKIP_LONG */
            k -= e >> 5;
            if (e == SKIP_LONG) {
                e = skip_one(c9_jpeg_huff_slow(d, h, vals, b->bb, AC_LUT_BITS));
                if (k + (e >> 5) < 64) {
                    br_drop(b, e & 31);
                    k += e >> 5;
                    continue;
                }
            }
            /* Valid only if the block had room: no coefficient before the end-of-block code went
             * past 63, or without one the entry ends exactly at 64. */
            unsigned plain = (e >> 5) & 63;
            if (C9_UNLIKELY((e & (64u << 5)) ? k + plain > 63 : k + (e >> 5) != 64)) {
                br_save(d, b);
                c9_jpeg_skip_careful(d, h, vals, k);
                br_load(d, b);
                return;
            }
            br_drop(b, e & 31);
            return;
        }
        br_drop(b, e & 31);
    }
}

/* 1/8 scale for a block reduced to one sample: decode DC, step over the AC coefficients without
 * decoding, dequantising or storing them. Returns the DC value (quantised). */
static C9_SPEED_INLINE int32_t skip_block(c9_jpeg_t *d, br_t *b, comp_t *c, const int fast) {
    if (b->n < BB_REFILL_AT)
        br_fill(d, b);
    int32_t diff = dc_diff(d, b, c, fast);
    c->pred = (int16_t)(uint16_t)((uint32_t)c->pred + (uint32_t)diff);
#if C9_JPEG_FAST_PROFILE
    if (fast)
        skip_ac(d, b, d->fx->u.skip[c->ta], SKIP_BITS, &d->hac[c->ta], d->acval[c->ta]);
    else
#endif
        if (C9_LIKELY(d->skipfmt & (1u << c->ta)))
        skip_ac(d, b, d->aclut[c->ta], AC_LUT_BITS, &d->hac[c->ta], d->acval[c->ta]);
    else {
        br_save(d, b); /* table shared with a decoded plane */
        c9_jpeg_skip_careful(d, &d->hac[c->ta], d->acval[c->ta], 1);
        br_load(d, b);
    }
    return c->pred;
}

/* The sample of a block reduced to its DC: the mean of its full inverse DCT, rounded. */
static C9_SPEED_INLINE uint8_t dc_sample(int32_t dc, unsigned q0) {
    int32_t v = ((int32_t)(int16_t)(uint16_t)((uint32_t)dc * q0) + 4 + 1024) >> 3;
    if ((uint32_t)v > 255u)
        v = (~v >> 31) & 255;
    return (uint8_t)v;
}

/* TJpgDec's value for a block filled with its DC (each block at 1/8, a block without AC
 * otherwise): the prescaled DC divided by 256 as C divides (toward zero), plus 128. */
static C9_SPEED_INLINE int16_t tj_dc_sample(int32_t prescaled) {
    return (int16_t)(prescaled / 256 + 128);
}

static C9_SPEED_INLINE int32_t tj_dc_prescaled(int32_t dc, unsigned q0) {
    return (int32_t)((uint32_t)dc * (q0 * (uint32_t)c9_jpeg_tj_ipsf[0])) >> 8;
}

#if C9_JPEG_QUALITY_MODE
/* Box-averages a size x size sample block (stride `size`) down by 2^fh x 2^fv into the plane. */
static void reduce_block(const uint8_t *src, unsigned size, unsigned fh, unsigned fv, uint8_t *dst, unsigned dstride) {
    unsigned bw = size >> fh, bh = size >> fv, n = fh + fv, sstride = size;
    for (unsigned y = 0; y < bh; y++) {
        for (unsigned x = 0; x < bw; x++) {
            unsigned sum = 0;
            for (unsigned j = 0; j < (1u << fv); j++) {
                const uint8_t *s = src + ((y << fv) + j) * sstride + (x << fh);
                for (unsigned i = 0; i < (1u << fh); i++)
                    sum += s[i];
            }
            dst[y * dstride + x] = (uint8_t)((sum + ((1u << n) >> 1)) >> n);
        }
    }
}
#endif

/* Transforms the block in u.q.coef / u.t.coef (nz: its non-zero positions; flat: TJpgDec fills
 * it with its DC) into block slot i of the MCU's planes, and clears the coefficients again. */
static C9_SPEED_INLINE void transform_block(c9_jpeg_t *d, unsigned i, uint64_t nz, int flat, const int full,
                                            const int tj) {
    const comp_t *c = &d->comp[d->blk_comp[i]];
#if !C9_JPEG_TJPGD_MODE
    (void)flat;
    (void)tj;
#endif
#if C9_JPEG_TJPGD_MODE
    if (tj) {
        int32_t *blk = d->u.t.coef;
        int16_t *dst = d->u.t.yuv + d->blk_dst[i];
        if (flat) {
            int16_t v = tj_dc_sample(blk[0]);
            for (unsigned y = 0; y < 8; y++, dst += c->pw)
                for (unsigned x = 0; x < 8; x++)
                    dst[x] = v;
            blk[0] = 0;
        } else {
            c9_jpeg_tj_idct(blk, nz, dst, c->pw);
            memset(blk, 0, 64 * sizeof *blk); /* the transform works in place */
        }
        return;
    }
#endif
#if C9_JPEG_QUALITY_MODE
    uint8_t *dst = d->u.q.planes + d->blk_dst[i];
    int16_t *blk = d->u.q.coef;
    if (full || (c->fh | c->fv) == 0) {
        c9_jpeg_idct8(blk, dst, c->pw, nz, d->u.q.m.t.ws);
    } else if (c->fh == 2 && c->fv == 2) { /* always the case here at 1/8 */
        c9_jpeg_idct2x2(blk, dst, c->pw, nz);
    } else if (c->fh >= 2 && c->fv >= 2) {
        uint8_t q[4];
        c9_jpeg_idct2x2(blk, q, 2, nz);
        reduce_block(q, 2, c->fh - 2, c->fv - 2, dst, c->pw);
    } else {
        c9_jpeg_idct8(blk, d->u.q.m.t.tmp, 8, nz, d->u.q.m.t.ws);
        reduce_block(d->u.q.m.t.tmp, 8, c->fh, c->fv, dst, c->pw);
    }
    /* nz covers every position written: a flat block dirtied only its DC. */
    if (nz == 1)
        blk[0] = 0;
    else
        memset(blk, 0, 64 * sizeof *blk);
#else
    (void)c;
    (void)full;
#endif
}

#if C9_JPEG_PROGRESSIVE
void c9_jpeg_put_block(c9_jpeg_t *d, unsigned i, uint64_t nz, int flat) {
#if C9_JPEG_TJPGD_MODE
    if (IS_TJ(d)) {
        transform_block(d, i, nz, flat, 0, 1);
        return;
    }
#endif
#if C9_JPEG_QUALITY_MODE
    if (d->scale == 0)
        transform_block(d, i, nz, flat, 1, 0);
    else
        transform_block(d, i, nz, flat, 0, 0);
#endif
}

void c9_jpeg_put_dc(c9_jpeg_t *d, unsigned i, int32_t dc) {
    const comp_t *c = &d->comp[d->blk_comp[i]];
    if (IS_TJ(d))
        d->u.t.yuv[d->blk_dst[i]] = tj_dc_sample(tj_dc_prescaled(dc, d->qt[c->tq][0]));
    else
        d->u.q.planes[d->blk_dst[i]] = dc_sample(dc, d->qt[c->tq][0]);
}
#endif

/* Decodes one MCU into the component planes at the current scale: TJpgDec's arithmetic when tj
 * (into u.t.yuv), else the quality arithmetic (into u.q.planes). */
static C9_SPEED_INLINE void decode_mcu(c9_jpeg_t *d, br_t *b, const int fast, const int full, const int eighth,
                                       const int tj) {
    for (unsigned i = 0; i < d->nblk; i++) {
        comp_t *c = &d->comp[d->blk_comp[i]];
        if (eighth && (tj || c->fh == 3)) { /* fv is 3 too at 1/8 (setup_scale) */
            int32_t dc = skip_block(d, b, c, fast);
            if (tj)
                d->u.t.yuv[d->blk_dst[i]] = tj_dc_sample(tj_dc_prescaled(dc, d->qt[c->tq][0]));
            else
                d->u.q.planes[d->blk_dst[i]] = dc_sample(dc, d->qt[c->tq][0]);
            continue;
        }
        int flat;
        uint64_t nz;
        if (tj)
            nz = decode_block(d, b, c, d->u.t.coef, fast, 1, &flat);
        else
            nz = decode_block(d, b, c, d->u.q.coef, fast, 0, &flat);
        transform_block(d, i, nz, flat, full, tj);
    }
}

/* ---- Decode driver ------------------------------------------------------------------------- */

/* Sets each component's plane geometry for a scale. TJpgDec's arithmetic keeps full-size planes
 * at 1/2 and 1/4 (it averages RGB pixels) and one sample per block at 1/8. */
static void setup_planes(c9_jpeg_t *d, unsigned scale, bool tj, bool dc_only) {
    unsigned off = 0;
    unsigned plane_scale = tj && scale < 3 ? 0 : scale;
    for (unsigned i = 0; i < d->ncomp; i++) {
        comp_t *c = &d->comp[i];
        unsigned bw = (8u * (d->hmax / c->h)) >> plane_scale; /* output pixels one block covers */
        unsigned bh = (8u * (d->vmax / c->v)) >> plane_scale;
        c->fh = c->shx = c->fv = c->shy = 0;
        while (bw > 8) {
            bw >>= 1;
            c->shx++;
        }
        while (bw < 8) {
            bw <<= 1;
            c->fh++;
        }
        while (bh > 8) {
            bh >>= 1;
            c->shy++;
        }
        while (bh < 8) {
            bh <<= 1;
            c->fv++;
        }
        /* At 1/8, chroma subsampled unequally (4:2:2, 4:4:0, 4:1:1) is only its DC, replicated,
         * as libjpeg-turbo does; equal subsampling (4:2:0) keeps a 2x2 transform per block. */
        if (scale == 3 && (c->fh != c->fv || tj || dc_only)) {
            c->shx = (uint8_t)(c->shx + 3 - c->fh);
            c->shy = (uint8_t)(c->shy + 3 - c->fv);
            c->fh = c->fv = 3;
        }
        c->pw = (uint8_t)(c->h * (8u >> c->fh));
        c->ph = (uint8_t)(c->v * (8u >> c->fv));
        c->poff = (uint16_t)off;
        off += (unsigned)c->pw * c->ph;
        c->pred = 0;
    }
    unsigned n = 0;
    for (unsigned i = 0; i < d->ncomp; i++) {
        const comp_t *c = &d->comp[d->order[i]];
        unsigned bw = 8u >> c->fh, bh = 8u >> c->fv;
        for (unsigned by = 0; by < c->v; by++) {
            for (unsigned bx = 0; bx < c->h; bx++, n++) {
                d->blk_comp[n] = d->order[i];
                d->blk_dst[n] = (uint16_t)(c->poff + by * bh * c->pw + bx * bw);
            }
        }
    }
    d->nblk = (uint8_t)n;
}

void c9_jpeg_setup_scale(c9_jpeg_t *d, bool dc_only) {
    /* A progressive image is output in frame order whatever its scans' orders; the current
     * scan's order is kept for its decoding. */
    uint8_t scan_order[3];
    memcpy(scan_order, d->order, sizeof scan_order);
    if (d->prog)
        for (unsigned i = 0; i < d->ncomp; i++)
            d->order[i] = (uint8_t)i;
    setup_planes(d, d->scale, IS_TJ(d), dc_only);
    memcpy(d->order, scan_order, sizeof scan_order);
    /* Which converter: chroma shifts for the unrolled 1/1 loops, 0xFF for the generic one. */
    const comp_t *c1 = &d->comp[1];
    d->kind = 0xFF;
    if (d->ncomp == 1)
        d->kind = 0xFE;
    else if (d->comp[0].shx == 0 && d->comp[0].shy == 0 && c1->shx == d->comp[2].shx && c1->shy == d->comp[2].shy &&
             c1->pw == d->comp[2].pw && c1->shx <= 1 && c1->shy <= 1 && (d->scale != 0 || c1->pw == 8))
        d->kind = (uint8_t)(c1->shx | (c1->shy << 1));
}

void c9_jpeg_set_mode(c9_jpeg_t *d, unsigned scale, unsigned flags) {
    /* TJpgDec's arithmetic writes its output over the luma plane, which therefore has to cover
     * the MCU: luma at the largest sampling factors, as in every file TJpgDec decodes. */
    d->tj = (flags & C9_JPEG_TJPGD) && d->comp[0].h == d->hmax && d->comp[0].v == d->vmax;
    d->scale = (uint8_t)scale;
}

bool c9_jpeg_mode_compiled(const c9_jpeg_t *d, unsigned flags) {
    if (flags & C9_JPEG_TJPGD)
        return C9_JPEG_TJPGD_MODE && (d->tj || C9_JPEG_QUALITY_MODE);
    return C9_JPEG_QUALITY_MODE;
}

/* Skip tables for the AC tables of the planes reduced to their DC (1/8 scale). The COMPACT
 * profile rewrites its own lookup table, unless a decoded plane shares it. */
static void setup_skip(c9_jpeg_t *d) {
    unsigned skip = 0, dec = 0;
    for (unsigned i = 0; i < d->ncomp; i++) {
        if (d->comp[i].fh == 3)
            skip |= 1u << d->comp[i].ta;
        else
            dec |= 1u << d->comp[i].ta;
    }
    for (unsigned id = 0; id < 2; id++) {
#if C9_JPEG_FAST_PROFILE
        if (d->fx) {
            if (skip & (1u << id))
                c9_jpeg_build_skip(&d->hac[id], d->acval[id], d->fx->u.skip[id], SKIP_BITS);
            continue;
        }
#endif
        if ((skip & ~dec) & (1u << id)) {
            c9_jpeg_build_skip(&d->hac[id], d->acval[id], d->aclut[id], AC_LUT_BITS);
            d->skipfmt |= (uint8_t)(1u << id);
        }
    }
}

C9_NOINLINE c9_err_t c9_jpeg_restart(c9_jpeg_t *d, unsigned rst) {
    d->bb = 0;
    d->nbits = 0;
    while (!d->marker)
        (void)c9_jpeg_slow_byte(d); /* skips stray bytes up to the marker */
    d->pad_bits = 0;
    if (d->marker != M_RST0 + (rst & 7u))
        return d->marker == MARK_EOF ? (d->err ? d->err : C9_ERR_JPEG_TRUNCATED) : C9_ERR_JPEG_DATA;
    d->in_ptr += 2;
    d->marker = 0;
    for (unsigned i = 0; i < d->ncomp; i++)
        d->comp[i].pred = 0;
    d->eobrun = 0;
    return C9_OK;
}

/* Converts the MCU at (mx, my) to RGB565 and hands it to the output callback (nothing for an MCU
 * that TJpgDec's rounding leaves without pixels). tj, fast: as the caller knows them at compile
 * time (-1: look at d). */
static C9_SPEED_INLINE c9_err_t emit(c9_jpeg_t *d, unsigned mx, unsigned my, const int tj, const int fast) {
    unsigned mw = (8u * d->hmax) >> d->scale, mh = (8u * d->vmax) >> d->scale;
    c9_jpeg_rect_t r;
    r.x = (uint16_t)(mx * mw);
    r.y = (uint16_t)(my * mh);
    if (r.x >= d->ow || r.y >= d->oh)
        return C9_OK;
    r.w = (uint16_t)C9_MIN(mw, (unsigned)d->ow - r.x);
    r.h = (uint16_t)C9_MIN(mh, (unsigned)d->oh - r.y);
    r.stride = r.w;
    /* The crop area: an MCU outside it is not even converted. */
    unsigned x1 = C9_MAX(r.x, d->crop_x1), y1 = C9_MAX(r.y, d->crop_y1);
    unsigned x2 = C9_MIN((unsigned)r.x + r.w, d->crop_x2), y2 = C9_MIN((unsigned)r.y + r.h, d->crop_y2);
    if (x2 <= x1 || y2 <= y1)
        return C9_OK;
    unsigned k = d->kind;
    if (k < 4 && (r.w != mw || r.h != mh))
        k = 0xFF;
    uint16_t *o;
    if (tj > 0 || (tj < 0 && IS_TJ(d))) {
#if C9_JPEG_TJPGD_MODE
        tj_convert(d, k, r.w, r.h);
#endif
        o = (uint16_t *)d->u.t.yuv;
    } else {
        bool tab = fast > 0 || (fast < 0 && d->tab);
        if (tab && d->scale == 0)
            convert_kind(d, k, r.w, r.h, 1, 1);
        else if (tab)
            convert_kind(d, k, r.w, r.h, 1, 0);
        else if (d->scale == 0)
            convert_kind(d, k, r.w, r.h, 0, 1);
        else
            convert_kind(d, k, r.w, r.h, 0, 0);
        o = d->u.q.m.out;
    }
    if (d->swap) {
        unsigned n = (unsigned)r.w * r.h;
        for (unsigned i = 0; i < n; i++)
            o[i] = bswap16(o[i]);
    }
    o += (y1 - r.y) * r.stride + (x1 - r.x);
    r.x = (uint16_t)x1;
    r.y = (uint16_t)y1;
    r.w = (uint16_t)(x2 - x1);
    r.h = (uint16_t)(y2 - y1);
    return d->output(d->octx, &r, o);
}

#if C9_JPEG_PROGRESSIVE
c9_err_t c9_jpeg_emit(c9_jpeg_t *d, unsigned mx, unsigned my) {
    return emit(d, mx, my, -1, -1);
}
#endif

static C9_SPEED_INLINE c9_err_t run(c9_jpeg_t *d, const int fast, const int full, const int eighth, const int tj) {
    br_t b;
    br_load(d, &b);
    unsigned togo = d->ri, rst = 0;
    for (unsigned my = 0; my < d->mcus_y; my++) {
        for (unsigned mx = 0; mx < d->mcus_x; mx++) {
            if (d->ri) {
                if (togo == 0) {
                    br_save(d, &b);
                    c9_err_t e = c9_jpeg_restart(d, rst++);
                    if (e != C9_OK)
                        return e;
                    br_load(d, &b);
                    togo = d->ri;
                }
                togo--;
            }
            decode_mcu(d, &b, fast, full, eighth, tj);
            if (C9_UNLIKELY(d->err || d->pad_bits > b.n)) {
                br_save(d, &b);
                if (d->err)
                    return d->err;
                return d->marker == MARK_EOF ? C9_ERR_JPEG_TRUNCATED : C9_ERR_JPEG_DATA;
            }
            c9_err_t e = emit(d, mx, my, tj, fast && !eighth);
            if (e != C9_OK) {
                br_save(d, &b);
                return e;
            }
        }
    }
    br_save(d, &b);
    return C9_OK;
}

/* One copy of the hot loop per profile and kind of block work: full-size quality transforms,
 * reduced quality transforms (1/2, 1/4), TJpgDec's full-size transforms (1/1, 1/2, 1/4), and
 * DC only (1/8, either arithmetic). */
enum { RUN_FULL, RUN_SCALED, RUN_TJ, RUN_EIGHTH };

static C9_NOINLINE c9_err_t run_compact(c9_jpeg_t *d, unsigned how) {
    switch (how) {
#if C9_JPEG_QUALITY_MODE
    case RUN_FULL: return run(d, 0, 1, 0, 0);
    case RUN_SCALED: return run(d, 0, 0, 0, 0);
#endif
#if C9_JPEG_TJPGD_MODE
    case RUN_TJ: return run(d, 0, 0, 0, 1);
#endif
    default: return IS_TJ(d) ? run(d, 0, 0, 1, 1) : run(d, 0, 0, 1, 0);
    }
}
#if C9_JPEG_FAST_PROFILE
static C9_NOINLINE c9_err_t run_fast(c9_jpeg_t *d, unsigned how) {
    switch (how) {
#if C9_JPEG_QUALITY_MODE
    case RUN_FULL: return run(d, 1, 1, 0, 0);
    case RUN_SCALED: return run(d, 1, 0, 0, 0);
#endif
#if C9_JPEG_TJPGD_MODE
    case RUN_TJ: return run(d, 1, 0, 0, 1);
#endif
    default: return IS_TJ(d) ? run(d, 1, 0, 1, 1) : run(d, 1, 0, 1, 0);
    }
}
#endif

c9_err_t c9_jpeg_set_crop(c9_jpeg_t *d, const c9_jpeg_rect_t *area) {
    if (!d)
        return C9_ERR_INVAL;
    d->crop_x1 = area ? area->x : 0;
    d->crop_y1 = area ? area->y : 0;
    d->crop_x2 = area ? (uint16_t)C9_MIN((unsigned)area->x + area->w, 0xFFFFu) : 0xFFFF;
    d->crop_y2 = area ? (uint16_t)C9_MIN((unsigned)area->y + area->h, 0xFFFFu) : 0xFFFF;
    return C9_OK;
}

c9_err_t c9_jpeg_decode(c9_jpeg_t *d, unsigned scale, unsigned flags, c9_jpeg_output_fn output, void *output_ctx) {
    if (!d || !output || scale > 3)
        return C9_ERR_INVAL;
    if (d->state != ST_OPEN)
        return C9_ERR_BADF;
    d->state = ST_DONE;
    c9_jpeg_set_mode(d, scale, flags);
    if (!c9_jpeg_mode_compiled(d, flags))
        return C9_ERR_NOTSUP; /* the arithmetic this decode needs is not in the build */
    d->output = output;
    d->octx = output_ctx;
    if (flags & C9_JPEG_TJPGD) {
        d->ow = (uint16_t)(d->width >> scale);
        d->oh = (uint16_t)(d->height >> scale);
    } else {
        c9_jpeg_scaled_size(d, scale, &d->ow, &d->oh);
    }
    c9_jpeg_setup_scale(d, false);
    if (IS_TJ(d))
        memset(d->u.t.coef, 0, sizeof d->u.t.coef);
    else
        memset(d->u.q.coef, 0, sizeof d->u.q.coef);
    if (scale == 3 && !d->prog)
        setup_skip(d);
    /* At 1/8 the FAST tables' memory holds skip tables; colour is cheap there anyway. */
    d->tab = C9_JPEG_QUALITY_MODE && d->profile == C9_JPEG_PROFILE_FAST && !IS_TJ(d) && scale != 3;
#if C9_JPEG_FAST_PROFILE && C9_JPEG_QUALITY_MODE
    if (d->tab)
        c9_jpeg_colour_tables(d->fx, (flags & C9_JPEG_SWAP_BYTES) != 0);
#endif
    d->swap = !d->tab && (flags & C9_JPEG_SWAP_BYTES);
#if C9_JPEG_PROGRESSIVE
    if (d->prog)
        return c9_jpeg_prog_decode(d);
#endif
    unsigned how = scale == 3 ? RUN_EIGHTH : IS_TJ(d) ? RUN_TJ : scale == 0 ? RUN_FULL : RUN_SCALED;
#if C9_JPEG_FAST_PROFILE
    if (d->profile == C9_JPEG_PROFILE_FAST)
        return run_fast(d, how);
#endif
    return run_compact(d, how);
}
