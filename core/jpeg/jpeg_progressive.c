/*
 * Progressive JPEG (SOF2): spectral selection and successive approximation, Huffman coded.
 *
 * With coefficient memory from the caller, every scan is decoded into it (quantised, as the
 * scans refine them: 64 coefficients a block at 1/1..1/4, only the DC at 1/8, where the AC scans
 * are skipped unread), then one output pass dequantises and transforms each MCU exactly as a
 * baseline decode does: a progressive file gives the pixels of the baseline file with the same
 * coefficients, in either arithmetic.
 *
 * Scan order within the memory: each component's blocks row by row, padded to whole MCUs, so
 * interleaved scans (MCU order) and single-component scans (the component's own raster, which
 * covers only the blocks inside the image) address the same blocks.
 */
#include "jpeg_internal.h"

#if C9_JPEG_PROGRESSIVE

/* Blocks a single-component scan of c covers per row and column. */
static void scan_blocks(const c9_jpeg_t *d, const comp_t *c, unsigned *bw, unsigned *bh) {
    unsigned cw = ((unsigned)d->width * c->h + d->hmax - 1) / d->hmax;
    unsigned ch = ((unsigned)d->height * c->v + d->vmax - 1) / d->vmax;
    *bw = (cw + 7) / 8;
    *bh = (ch + 7) / 8;
}

/* Places each component in the coefficient memory: 64 coefficients a block, or only the DC for
 * a plane reduced to one sample per block (1/8). Returns the bytes needed, or UINT64_MAX when the
 * offsets would not fit. */
static uint64_t layout(c9_jpeg_t *d) {
    uint64_t off = 0;
    for (unsigned i = 0; i < d->ncomp; i++) {
        comp_t *c = &d->comp[i];
        unsigned k = d->scale == 3 && c->fh == 3 ? 1 : 64;
        c->ck = (uint8_t)k;
        c->cbw = (uint16_t)(d->mcus_x * c->h);
        c->cbh = (uint16_t)(d->mcus_y * c->v);
        if (off > UINT32_MAX)
            return UINT64_MAX;
        c->coff = (uint32_t)off;
        off += (uint64_t)d->mcus_x * c->h * d->mcus_y * c->v * k;
    }
    return off > UINT32_MAX ? UINT64_MAX : off * 2;
}

/* ---- Entropy decoding of the four kinds of scan --------------------------------------------- */

static C9_SPEED_INLINE unsigned get_bits(c9_jpeg_t *d, br_t *b, unsigned n) {
    if (b->n < (int32_t)n)
        br_fill(d, b);
    unsigned v = br_peek(b, n);
    br_drop(b, n);
    return v;
}

static C9_SPEED_INLINE unsigned get_sym(c9_jpeg_t *d, br_t *b, unsigned cls, unsigned id) {
    if (b->n < BB_REFILL_AT)
        br_fill(d, b);
    if (cls)
        return huff_get(d, b, d->aclut[id], AC_LUT_BITS, AC_LUT_BITS, &d->hac[id], d->acval[id]);
    return huff_get(d, b, d->dclut[id], DC_LUT_BITS, DC_LUT_BITS, &d->hdc[id], d->dcval[id]);
}

/* First DC scan: the difference, shifted up by Al. Arithmetic wraps like the baseline path's. */
static void dc_first(c9_jpeg_t *d, br_t *b, comp_t *c, int16_t *blk) {
    unsigned s = get_sym(d, b, 0, c->td) & 15;
    int32_t diff = s ? br_value(d, b, s) : 0;
    c->pred = (int16_t)(uint16_t)((uint32_t)c->pred + (uint32_t)diff);
    blk[0] = (int16_t)(uint16_t)((uint32_t)(int32_t)c->pred << d->al);
}

static void dc_refine(c9_jpeg_t *d, br_t *b, int16_t *blk) {
    if (get_bits(d, b, 1))
        blk[0] = (int16_t)(uint16_t)((uint16_t)blk[0] | (1u << d->al));
}

/* First scan of an AC band: coefficients shifted up by Al, and end-of-band runs that span
 * several blocks. */
static void ac_first(c9_jpeg_t *d, br_t *b, const comp_t *c, int16_t *blk) {
    if (d->eobrun) {
        d->eobrun--;
        return;
    }
    for (unsigned k = d->ss; k <= d->se;) {
        unsigned sym = get_sym(d, b, 1, c->ta), r = sym >> 4, s = sym & 15;
        if (s) {
            k += r;
            int32_t v = br_value(d, b, s);
            blk[c9_jpeg_zz[k]] = (int16_t)(uint16_t)((uint32_t)v << d->al);
            k++;
        } else if (r == 15) {
            k += 16;
        } else {
            d->eobrun = (uint16_t)((1u << r) - 1);
            if (r)
                d->eobrun = (uint16_t)(d->eobrun + get_bits(d, b, r));
            break;
        }
    }
}

/* One correction bit for a coefficient already non-zero: adds 1 << Al away from zero. */
static C9_SPEED_INLINE void correct(c9_jpeg_t *d, br_t *b, int16_t *coef, unsigned p1) {
    if (get_bits(d, b, 1) && !((unsigned)(uint16_t)*coef & p1))
        *coef = (int16_t)(uint16_t)((unsigned)(uint16_t)*coef + (*coef >= 0 ? p1 : (unsigned)-p1));
}

/* Refinement scan of an AC band: new coefficients of magnitude 1 << Al placed among the zero
 * ones (a run counts zero coefficients only), a correction bit for every non-zero coefficient
 * passed over, and end-of-band runs that still correct the rest of each block. */
static void ac_refine(c9_jpeg_t *d, br_t *b, const comp_t *c, int16_t *blk) {
    unsigned p1 = 1u << d->al;
    unsigned k = d->ss;
    if (!d->eobrun) {
        for (; k <= d->se; k++) {
            unsigned sym = get_sym(d, b, 1, c->ta), r = sym >> 4, s = sym & 15;
            unsigned v = 0;
            if (s) {
                v = get_bits(d, b, 1) ? p1 : (unsigned)-p1; /* s is 1 in valid data */
            } else if (r != 15) {
                d->eobrun = (uint16_t)(1u << r);
                if (r)
                    d->eobrun = (uint16_t)(d->eobrun + get_bits(d, b, r));
                break;
            }
            for (; k <= d->se; k++) {
                int16_t *coef = &blk[c9_jpeg_zz[k]];
                if (*coef) {
                    correct(d, b, coef, p1);
                } else {
                    if (!r)
                        break;
                    r--;
                }
            }
            if (v)
                blk[c9_jpeg_zz[k]] = (int16_t)(uint16_t)v;
        }
    }
    if (d->eobrun) {
        for (; k <= d->se; k++) {
            int16_t *coef = &blk[c9_jpeg_zz[k]];
            if (*coef)
                correct(d, b, coef, p1);
        }
        d->eobrun--;
    }
}

static void prog_block(c9_jpeg_t *d, br_t *b, comp_t *c, int16_t *blk) {
    if (d->ss == 0) {
        if (d->ah == 0)
            dc_first(d, b, c, blk);
        else
            dc_refine(d, b, blk);
    } else if (d->ah == 0) {
        ac_first(d, b, c, blk);
    } else {
        ac_refine(d, b, c, blk);
    }
}

/* Steps over entropy-coded data (restart markers included) up to the next marker, or the end of
 * the input (then d->marker is MARK_EOF). */
static c9_err_t skip_to_marker(c9_jpeg_t *d) {
    d->bb = 0;
    d->nbits = 0;
    d->pad_bits = 0;
    if (d->marker == MARK_EOF)
        return C9_OK;
    if (d->marker) {
        if (d->marker < M_RST0 || d->marker > M_RST0 + 7)
            return C9_OK;
        d->in_ptr += 2; /* a restart marker inside the data */
        d->marker = 0;
    }
    for (;;) {
        const uint8_t *p = d->in_ptr;
        size_t n = (size_t)(d->in_end - p);
        const uint8_t *ff = n ? memchr(p, 0xFF, n) : NULL;
        if (ff && ff + 1 < d->in_end) {
            unsigned m = ff[1];
            if (m == 0 || m == 0xFF || (m >= M_RST0 && m <= M_RST0 + 7)) {
                d->in_ptr = (uint8_t *)ff + (m == 0xFF ? 1 : 2); /* stuffing, fill or restart */
                continue;
            }
            d->in_ptr = (uint8_t *)ff; /* a marker: the header parser reads it */
            return C9_OK;
        }
        d->in_ptr = ff ? (uint8_t *)ff : d->in_end; /* keep a final FF for its second byte */
        int32_t r = c9_jpeg_fill_input(d);
        if (r < 0)
            return r;
        if (r == 0) {
            d->marker = MARK_EOF;
            return C9_OK;
        }
    }
}

/* Decodes the current scan into the coefficient memory. */
static c9_err_t decode_scan(c9_jpeg_t *d) {
    d->eobrun = 0;
    d->pad_bits = 0;
    for (unsigned i = 0; i < d->ncomp; i++)
        d->comp[i].pred = 0;
    if (d->ss != 0 && d->comp[d->order[0]].ck == 1) { /* an AC band of a plane keeping DCs only (1/8) */
        c9_err_t e = skip_to_marker(d);
        /* Unread, the scan cannot show it was whole: the input ending inside it is a cut. */
        return e == C9_OK && d->marker == MARK_EOF ? C9_ERR_JPEG_TRUNCATED : e;
    }
    br_t b;
    br_load(d, &b);
    unsigned togo = d->ri, rst = 0;
    unsigned units_x = d->mcus_x, units_y = d->mcus_y;
    if (d->ns == 1)
        scan_blocks(d, &d->comp[d->order[0]], &units_x, &units_y);
    for (unsigned uy = 0; uy < units_y; uy++) {
        for (unsigned ux = 0; ux < units_x; ux++) {
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
            for (unsigned i = 0; i < d->ns; i++) {
                comp_t *c = &d->comp[d->order[i]];
                /* A single-component scan's unit is one block; an interleaved one's an MCU. */
                unsigned bh = d->ns == 1 ? 1 : c->v, bw = d->ns == 1 ? 1 : c->h;
                for (unsigned by = 0; by < bh; by++) {
                    for (unsigned bx = 0; bx < bw; bx++) {
                        size_t row = (size_t)uy * bh + by, col = (size_t)ux * bw + bx;
                        prog_block(d, &b, c, d->cm + c->coff + (row * c->cbw + col) * c->ck);
                    }
                }
            }
            if (C9_UNLIKELY(d->err || d->pad_bits > b.n)) {
                br_save(d, &b);
                if (d->err)
                    return d->err;
                return d->marker == MARK_EOF ? C9_ERR_JPEG_TRUNCATED : C9_ERR_JPEG_DATA;
            }
        }
    }
    br_save(d, &b);
    return skip_to_marker(d);
}

/* After the last scan: each MCU dequantised and transformed from the coefficient memory, then
 * output, as the baseline path would. */
static c9_err_t output_pass(c9_jpeg_t *d) {
    for (unsigned my = 0; my < d->mcus_y; my++) {
        for (unsigned mx = 0; mx < d->mcus_x; mx++) {
            unsigned n = 0;
            for (unsigned ci = 0; ci < d->ncomp; ci++) {
                const comp_t *c = &d->comp[ci];
                const uint16_t *q = d->qt[c->tq];
                for (unsigned by = 0; by < c->v; by++) {
                    for (unsigned bx = 0; bx < c->h; bx++, n++) {
                        size_t row = (size_t)my * c->v + by, col = (size_t)mx * c->h + bx;
                        const int16_t *src = d->cm + c->coff + (row * c->cbw + col) * c->ck;
                        if (c->ck == 1) {
                            c9_jpeg_put_dc(d, n, src[0]);
                            continue;
                        }
                        uint64_t nz = 1;
                        for (unsigned k = 0; k < 64; k++) {
                            if (!src[k])
                                continue;
                            nz |= (uint64_t)1 << k;
#if C9_JPEG_TJPGD_MODE
                            if (IS_TJ(d)) {
                                d->u.t.coef[k] =
                                    (int32_t)((uint32_t)(int32_t)src[k] * (q[k] * (uint32_t)c9_jpeg_tj_ipsf[k])) >> 8;
                                continue;
                            }
#endif
                            d->u.q.coef[k] = (int16_t)(uint16_t)((uint32_t)(int32_t)src[k] * q[k]);
                        }
                        /* TJpgDec fills a block without AC with its DC value. */
                        c9_jpeg_put_block(d, n, nz, (nz >> 1) == 0);
                    }
                }
            }
            c9_err_t e = c9_jpeg_emit(d, mx, my);
            if (e != C9_OK)
                return e;
        }
    }
    return C9_OK;
}

/* ---- 1/8 without coefficient memory: the DC scans read side by side ---------------------------
 * A survey reads through the file once (AC tables skipped, entropy-coded data stepped over) and
 * notes where each DC scan's data starts, with the DC tables its first scans use. The decode
 * then gives each DC scan its own small buffer and bit reader, fed through the seek callback,
 * and advances them all one MCU at a time: a block's DC is its first scan's value shifted up by
 * Al, with each refinement scan's bit added. Every DC scan must take its blocks in MCU order:
 * interleaved, or a single component sampled 1x1. */

/* Reads through the scans from the current one (its header just parsed) to the end, noting the
 * DC scans in d->dcs. Returns C9_OK with *n scans, C9_ERR_NOTSUP when they cannot be read side by
 * side (too many, or a block order other than the MCUs'), or an input or format error. */
static c9_err_t survey(c9_jpeg_t *d, unsigned *n) {
    c9_err_t e = C9_OK;
    *n = 0;
    d->surveying = 1;
    for (;;) {
        if (d->ss == 0) {
            const comp_t *c0 = &d->comp[d->order[0]];
            if (*n == DC_SCANS || (d->ns == 1 && d->ncomp > 1 && (c0->h != 1 || c0->v != 1))) {
                e = C9_ERR_NOTSUP;
                break;
            }
            dcscan_t *r = &d->dcs[(*n)++];
            memset(r, 0, sizeof *r);
            r->off = d->in_base + (uint32_t)(d->in_ptr - d->inbuf);
            r->ns = d->ns;
            memcpy(r->order, d->order, sizeof r->order);
            r->ah = d->ah;
            r->al = d->al;
            r->ri = d->ri;
            for (unsigned i = 0; i < d->ns; i++) {
                unsigned ci = d->order[i], t = d->comp[ci].td;
                r->td[ci] = (uint8_t)t;
                memcpy(r->counts[t], d->hdc[t].counts, 16);
                memcpy(r->vals[t], d->dcval[t], 16);
            }
        }
        e = skip_to_marker(d);
        if (e == C9_OK && d->marker == MARK_EOF)
            e = C9_ERR_JPEG_TRUNCATED; /* inside a scan that was stepped over: cut */
        if (e != C9_OK)
            break;
        d->marker = 0;
        bool eoi;
        e = c9_jpeg_markers(d, &eoi);
        if (e != C9_OK || eoi)
            break;
    }
    d->surveying = 0;
    return e;
}

/* The scan's next input byte, or -1 at the end of the input. */
static int dc_raw(c9_jpeg_t *d, dcscan_t *r) {
    if (r->idx == r->len) {
        c9_err_t e = d->seek(d->read_ctx, r->pos);
        int32_t got = e == C9_OK ? d->read(d->read_ctx, r->buf, DC_BUF) : e;
        if (got < 0 && !d->err)
            d->err = got;
        r->len = (uint8_t)(got > 0 ? (got > DC_BUF ? DC_BUF : got) : 0);
        r->idx = 0;
        r->pos += r->len;
        if (!r->len)
            return -1;
    }
    return r->buf[r->idx++];
}

/* The scan's next byte as the entropy decoder sees it (stuffing removed); past a marker, or the
 * end of the input, zeros that are counted. */
static unsigned dc_byte(c9_jpeg_t *d, dcscan_t *r) {
    if (!r->marker) {
        int c = dc_raw(d, r);
        if (c >= 0 && c != 0xFF)
            return (unsigned)c;
        while (c == 0xFF)
            c = dc_raw(d, r); /* stuffing, fill bytes or a marker */
        if (c == 0)
            return 0xFF;
        r->marker = c < 0 ? 0xFF : (uint8_t)c; /* 0xFF: the end of the input */
    }
    if (r->pad < 255)
        r->pad++;
    return 0;
}

static unsigned dc_bit(c9_jpeg_t *d, dcscan_t *r) {
    if (!r->nbits) {
        r->bits = dc_byte(d, r) << 24;
        r->nbits = 8;
    }
    unsigned v = r->bits >> 31;
    r->bits <<= 1;
    r->nbits--;
    return v;
}

/* A DC difference: the category by a canonical walk of the scan's table, then its bits. */
static int32_t dc_diff_walk(c9_jpeg_t *d, dcscan_t *r, unsigned t) {
    uint32_t code = 0, first = 0, index = 0;
    for (unsigned l = 1; l <= 16; l++) {
        code = (code << 1) | dc_bit(d, r);
        uint32_t cnt = r->counts[t][l - 1];
        if (code - first < cnt) {
            unsigned s = r->vals[t][index + code - first] & 15;
            uint32_t v = 0;
            for (unsigned i = 0; i < s; i++)
                v = (v << 1) | dc_bit(d, r);
            return s ? extend(v, s) : 0;
        }
        index += cnt;
        first = (first + cnt) << 1;
    }
    if (!d->err)
        d->err = C9_ERR_JPEG_DATA;
    return 0;
}

/* Restart: the rest of the byte dropped, the RSTn marker expected next. */
static c9_err_t dc_restart(c9_jpeg_t *d, dcscan_t *r) {
    r->nbits = 0;
    while (!r->marker)
        (void)dc_byte(d, r);
    unsigned m = r->marker;
    if (m != M_RST0 + (r->rst & 7u))
        return m == 0xFF ? (d->err ? d->err : C9_ERR_JPEG_TRUNCATED) : C9_ERR_JPEG_DATA;
    r->marker = 0;
    r->pad = 0;
    r->rst++;
    memset(r->pred, 0, sizeof r->pred);
    return C9_OK;
}

static c9_err_t stream_decode(c9_jpeg_t *d, unsigned n) {
    c9_jpeg_setup_scale(d, true);
    for (unsigned k = 0; k < n; k++) {
        dcscan_t *r = &d->dcs[k];
        r->pos = r->off;
        r->togo = r->ri;
    }
    unsigned first_slot[3] = {0, 0, 0};
    for (unsigned ci = 1; ci < d->ncomp; ci++)
        first_slot[ci] = first_slot[ci - 1] + (unsigned)d->comp[ci - 1].h * d->comp[ci - 1].v;
    for (unsigned my = 0; my < d->mcus_y; my++) {
        for (unsigned mx = 0; mx < d->mcus_x; mx++) {
            uint16_t dc[MAX_BLOCKS] = {0};
            for (unsigned k = 0; k < n; k++) {
                dcscan_t *r = &d->dcs[k];
                if (r->ri) {
                    if (r->togo == 0) {
                        c9_err_t e = dc_restart(d, r);
                        if (e != C9_OK)
                            return e;
                        r->togo = r->ri;
                    }
                    r->togo--;
                }
                for (unsigned i = 0; i < r->ns; i++) {
                    unsigned ci = r->order[i];
                    const comp_t *c = &d->comp[ci];
                    unsigned blocks = r->ns == 1 ? 1 : (unsigned)c->h * c->v;
                    for (unsigned j = 0; j < blocks; j++) {
                        uint16_t *v = &dc[first_slot[ci] + j];
                        if (r->ah == 0) {
                            r->pred[ci] =
                                (int16_t)(uint16_t)((uint32_t)r->pred[ci] + (uint32_t)dc_diff_walk(d, r, r->td[ci]));
                            *v = (uint16_t)((uint32_t)(uint16_t)r->pred[ci] << r->al);
                        } else if (dc_bit(d, r)) {
                            *v = (uint16_t)(*v | (1u << r->al));
                        }
                    }
                }
                /* Zeros read past a marker in the middle of the scan: it was cut or broken. */
                if (r->pad && r->nbits < 8u * r->pad)
                    return r->marker == 0xFF ? (d->err ? d->err : C9_ERR_JPEG_TRUNCATED) : C9_ERR_JPEG_DATA;
            }
            if (d->err)
                return d->err;
            for (unsigned i = 0; i < d->nblk; i++)
                c9_jpeg_put_dc(d, i, (int16_t)dc[i]);
            c9_err_t e = c9_jpeg_emit(d, mx, my);
            if (e != C9_OK)
                return e;
        }
    }
    return C9_OK;
}

c9_err_t c9_jpeg_prog_decode(c9_jpeg_t *d) {
    uint64_t need = layout(d);
    if (need == UINT64_MAX)
        return C9_ERR_NOTSUP;
    if (!d->cm || d->cm_size < need) {
        if (d->scale != 3 || !d->seek)
            return C9_ERR_NOMEM;
        unsigned n;
        c9_err_t e = survey(d, &n);
        if (e == C9_ERR_NOTSUP)
            return C9_ERR_NOMEM; /* these scans need the memory */
        return e != C9_OK ? e : stream_decode(d, n);
    }
    memset(d->cm, 0, (size_t)need);
    for (;;) {
        c9_err_t e = decode_scan(d);
        if (e != C9_OK)
            return e;
        if (d->marker == MARK_EOF)
            break; /* no EOI: the scans so far are the image */
        d->marker = 0;
        bool eoi;
        e = c9_jpeg_markers(d, &eoi);
        if (e != C9_OK)
            return e;
        if (eoi)
            break;
    }
    return output_pass(d);
}

c9_err_t c9_jpeg_coef_size(c9_jpeg_t *d, unsigned scale, unsigned flags, size_t *bytes) {
    if (!d || !bytes || scale > 3)
        return C9_ERR_INVAL;
    *bytes = 0;
    if (d->state != ST_OPEN)
        return C9_ERR_BADF;
    if (!d->prog)
        return C9_OK;
    c9_jpeg_set_mode(d, scale, flags);
    if (!c9_jpeg_mode_compiled(d, flags))
        return C9_ERR_NOTSUP;
    c9_jpeg_setup_scale(d, false);
    uint64_t need = layout(d);
    if (need == UINT64_MAX || need > SIZE_MAX)
        return C9_ERR_NOTSUP;
    *bytes = (size_t)need;
    if (scale == 3 && d->seek) {
        unsigned n;
        c9_err_t e = survey(d, &n);
        if (e != C9_OK && e != C9_ERR_NOTSUP)
            return e;
        if (e == C9_OK)
            *bytes = 0; /* the DC scans can be read side by side */
        return c9_jpeg_reparse(d);
    }
    return C9_OK;
}

#else

c9_err_t c9_jpeg_coef_size(c9_jpeg_t *d, unsigned scale, unsigned flags, size_t *bytes) {
    (void)flags;
    if (!d || !bytes || scale > 3)
        return C9_ERR_INVAL;
    *bytes = 0;
    return d->state == ST_OPEN ? C9_OK : C9_ERR_BADF;
}

#endif /* C9_JPEG_PROGRESSIVE */

c9_err_t c9_jpeg_set_coef_memory(c9_jpeg_t *d, void *mem, size_t size) {
    if (!d || (!mem && size))
        return C9_ERR_INVAL;
    if (size && ((uintptr_t)mem & 1u)) { /* 16-bit coefficients */
        mem = (uint8_t *)mem + 1;
        size--;
    }
    d->cm = mem;
    d->cm_size = size;
    return C9_OK;
}

c9_err_t c9_jpeg_set_seek(c9_jpeg_t *d, c9_jpeg_seek_fn seek) {
    if (!d)
        return C9_ERR_INVAL;
    d->seek = seek;
    return C9_OK;
}
