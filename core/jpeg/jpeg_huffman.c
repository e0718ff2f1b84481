/*
 * Huffman tables: the compact lookup tables (code length and symbol for codes up to 6 or 7 bits,
 * a canonical walk beyond), the FAST profile's tables that also decode the coefficient value,
 * and the 1/8-scale skip tables.
 */
#include "jpeg_internal.h"

C9_NOINLINE unsigned c9_jpeg_huff_slow(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, bb_t bb, unsigned lutbits) {
    uint32_t first = h->first, index = h->index;
    for (unsigned l = lutbits + 1; l <= 16; l++) {
        uint32_t code = (uint32_t)(bb >> (BB_BITS - l));
        uint32_t cnt = h->counts[l - 1];
        if (code - first < cnt)
            return (l << 8) | vals[index + code - first];
        index += cnt;
        first = (first + cnt) << 1;
    }
    if (!d->err)
        d->err = C9_ERR_JPEG_DATA;
    return 1u << 8;
}

c9_err_t c9_jpeg_build_huff(c9_jpeg_t *d, unsigned cls, unsigned id) {
    huff_t *h = cls ? &d->hac[id] : &d->hdc[id];
    const uint8_t *vals = cls ? d->acval[id] : d->dcval[id];
    uint16_t *lut = cls ? d->aclut[id] : d->dclut[id];
    unsigned lb = cls ? AC_LUT_BITS : DC_LUT_BITS;
#if C9_JPEG_FAST_PROFILE
    fastx_t *fx = d->fx;
    if (fx) {
        if (cls)
            memset(fx->ac[id], 0, sizeof fx->ac[id]);
        else
            memset(fx->dc[id], 0, sizeof fx->dc[id]);
    }
#endif
    memset(lut, 0, sizeof(uint16_t) << lb);
    uint32_t code = 0, k = 0;
    for (unsigned l = 1; l <= 16; l++) {
        if (l == lb + 1) {
            h->first = (uint16_t)code;
            h->index = (uint16_t)k;
        }
        for (unsigned i = 0; i < h->counts[l - 1]; i++, k++, code++) {
            if (code >= (1u << l))
                return C9_ERR_JPEG_FORMAT; /* more codes than the length allows */
            unsigned sym = vals[k];
            if (l <= lb) {
                unsigned n = 1u << (lb - l), base = code << (lb - l);
                for (unsigned j = 0; j < n; j++)
                    lut[base + j] = (uint16_t)((l << 8) | sym);
            }
#if C9_JPEG_FAST_PROFILE
            if (fx && !cls && l <= FAST_DC_BITS) {
                unsigned n = 1u << (FAST_DC_BITS - l), base = code << (FAST_DC_BITS - l);
                for (unsigned j = 0; j < n; j++) {
                    unsigned sz = sym & 15, e = (l << 8) | sym;
                    if (l + sz <= FAST_DC_BITS) {
                        unsigned bits = sz ? (j >> (FAST_DC_BITS - l - sz)) & ((1u << sz) - 1) : 0;
                        int32_t v = sz ? extend(bits, sz) : 0;
                        e = 0x8000u | ((l + sz) << 8) | ((uint32_t)v & 0xFFu);
                    }
                    fx->dc[id][base + j] = (uint16_t)e;
                }
            }
            if (fx && cls && l <= FAST_BITS) {
                unsigned n = 1u << (FAST_BITS - l), base = code << (FAST_BITS - l);
                for (unsigned j = 0; j < n; j++) {
                    unsigned s = sym & 15, run = sym >> 4;
                    uint32_t e = (uint32_t)(sym << 8) | l | 0x40u;
                    if (s && l + s <= FAST_BITS) {
                        unsigned bits = (j >> (FAST_BITS - l - s)) & ((1u << s) - 1);
                        int32_t v = extend(bits, s);
                        e = ((uint32_t)(uint16_t)(int16_t)v << 16) | ((run + 1) << 8) | 0x80u | (l + s);
                    }
                    fx->ac[id][base + j] = e;
                }
            }
#endif
        }
        code <<= 1;
    }
    return C9_OK;
}

/*
 * A skip table, indexed by the next `bits` bits, tells how far to step over one or more whole
 * AC coefficients (code and extra bits): entry = total bits | advance << 5, where the advance is
 * the zigzag distance covered (run + 1 per coefficient, 16 per ZRL) plus 64 when the entry ends
 * with an end of block. Several coefficients are combined while their codes and extra bits all
 * fit in the index; the first one needs only its code to fit (its extra bits are dropped unseen).
 * SKIP_LONG (an advance no block has room for) means the first code is longer than the index. An entry is valid
 * wherever the block has room for it; at the block's end (which the table cannot know) skip_ac() checks that. */

/* Canonical decode from length 1 of the code at the top of a 32-bit window: (length << 8) |
 * symbol, or 0 when no code matches. */
static unsigned huff_walk(const huff_t *h, const uint8_t *vals, uint32_t win) {
    uint32_t first = 0, index = 0;
    for (unsigned l = 1; l <= 16; l++) {
        uint32_t code = win >> (32 - l), cnt = h->counts[l - 1];
        if (code - first < cnt)
            return (l << 8) | vals[index + code - first];
        index += cnt;
        first = (first + cnt) << 1;
    }
    return 0;
}

void c9_jpeg_build_skip(const huff_t *h, const uint8_t *vals, uint16_t *st, unsigned bits) {
    for (uint32_t i = 0; i < (1u << bits); i++) {
        uint32_t win = i << (32 - bits);
        unsigned pos = 0, adv = 0, entry = 0;
        for (;;) {
            unsigned e = huff_walk(h, vals, win << pos);
            unsigned len = e >> 8;
            if (!e || pos + len > bits)
                break;
            unsigned one = skip_one(e), size = one & 31, a = one >> 5;
            if (pos + size > bits) {
                if (pos == 0)
                    entry = one; /* extra bits past the index: dropped unseen */
                break;
            }
            if (a + adv > 64 + 63 || (a < 64 && a + adv > 63))
                break;
            pos += size;
            adv += a;
            entry = pos | (adv << 5);
            if (a >= 64)
                break; /* end of block */
        }
        st[i] = (uint16_t)(entry ? entry : SKIP_LONG);
    }
}

/* Exact one-coefficient-at-a-time skip from zigzag index k: used at a block's end when a table
 * entry reaches past it (a block whose last coefficient is at 63 has no end-of-block code). */
C9_NOINLINE void c9_jpeg_skip_careful(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, unsigned k) {
    br_t bs, *b = &bs; /* the bit reader is in d (see do_restart) */
    br_load(d, b);
    while (k < 64) {
        if (b->n < SKIP_REFILL_AT)
            br_fill(d, b);
        unsigned e = huff_walk(h, vals, (uint32_t)(b->bb >> (BB_BITS - 32)));
        if (!e) {
            if (!d->err)
                d->err = C9_ERR_JPEG_DATA;
            break;
        }
        unsigned one = skip_one(e);
        br_drop(b, one & 31);
        k += one >> 5;
    }
    br_save(d, b);
}
