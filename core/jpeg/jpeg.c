/*
 * Baseline JPEG decoder: marker parsing, Huffman decoding, MCU assembly and colour output.
 * Inverse transforms live in jpeg_idct.c. See include/circuit9/jpeg.h for the contract.
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
#include <string.h>

#include "jpeg_internal.h"

#if UINTPTR_MAX > 0xFFFFFFFFu
typedef uint64_t bb_t; /* bit buffer: next bits at the top */
#define BB_BITS 64
#define BB_REFILL_AT 32 /* enough for a code (16) and its extra bits (15) */
#else
typedef uint32_t bb_t;
#define BB_BITS 32
#define BB_REFILL_AT 16 /* refilled again before extra bits */
#endif

#define DC_LUT_BITS 6
#define AC_LUT_BITS 7
#define FAST_BITS 9
#define FAST_DC_BITS 8
#define SKIP_BITS 10 /* FAST profile's multi-symbol skip tables (1/8 scale) */
#if BB_BITS == 64
#define SKIP_REFILL_AT 32
#else
#define SKIP_REFILL_AT 25 /* a skip entry drops up to 25 bits; br_fill leaves at least 25 */
#endif
#define INBUF_COMPACT 256
#define INBUF_FAST 384
#define MAX_BLOCKS 6
#define MARK_EOF 0x100 /* pseudo marker: the input ended */

/* Markers. */
#define M_SOF0 0xC0
#define M_SOF1 0xC1
#define M_DHT 0xC4
#define M_DAC 0xCC
#define M_RST0 0xD0
#define M_SOI 0xD8
#define M_EOI 0xD9
#define M_SOS 0xDA
#define M_DQT 0xDB
#define M_DRI 0xDD
#define M_TEM 0x01

enum { ST_NONE = 0, ST_OPEN, ST_DONE };

typedef struct huff {
    uint8_t counts[16];
    uint16_t first; /* first canonical code of length LUT_BITS+1 */
    uint16_t index; /* index in vals of that code */
} huff_t;

typedef struct comp {
    uint8_t id, h, v, tq, td, ta;
    uint8_t shx, shy; /* log2 upsampling from plane to output at the current scale */
    uint8_t fh, fv;   /* log2 reduction of each 8x8 block at the current scale */
    uint8_t pw, ph;   /* plane size in samples */
    uint16_t poff;    /* plane offset in planes[] */
    int16_t pred;     /* DC predictor */
} comp_t;

#if C9_JPEG_FAST_PROFILE
typedef struct fastx {
    /* AC: bit 7 set = coefficient fully decoded: bits 0-4 bits to drop, 8-12 run + 1, 16-31 value.
     * Otherwise non-zero = symbol only: bits 0-4 code length, 8-15 symbol. 0 = longer code. */
    uint32_t ac[2][1 << FAST_BITS];
    /* DC: 0x8000 | total bits << 8 | difference (int8) when code and extra bits fit, else
     * (length << 8) | symbol, 0 = longer code. */
    uint16_t dc[2][1 << FAST_DC_BITS];
    union {
        struct {
            uint16_t rgb[3][768];       /* clamp + round + shift (+ swap) for R, G, B; index v+256 */
            int16_t rcr[256], bcb[256]; /* chroma_terms(): R from Cr, B from Cb */
            int32_t gcr[256], gcb[256]; /* G's parts before rounding */
        } c;
        /* At 1/8 (colour then computed directly): skip tables, SKIP_BITS wide. */
        uint16_t skip[2][1 << SKIP_BITS];
    } u;
} fastx_t;
#endif

struct c9_jpeg {
    c9_jpeg_read_fn read;
    void *read_ctx;
    const uint8_t *in_ptr, *in_end;
    uint8_t *inbuf;
#if C9_JPEG_FAST_PROFILE
    fastx_t *fx;
#endif
    bb_t bb;
    int32_t nbits;
    int32_t pad_bits; /* zero bits appended after a marker or the end of input */
    c9_err_t err;     /* latched error from the entropy decoder or the read callback */
    uint16_t in_cap;
    uint16_t marker; /* marker met by the entropy decoder, MARK_EOF, or 0 */
    uint16_t width, height, ri, mcus_x, mcus_y;
    uint8_t profile, state, ncomp, hmax, vmax;
    uint8_t qdef, hdef, sof;
    uint8_t skipfmt;              /* AC table ids whose compact lookup table holds skip entries (1/8 scale) */
    uint8_t order[3];             /* scan order: indices into comp[] */
    uint8_t nblk;                 /* blocks per MCU, in decoding order: */
    uint8_t blk_comp[MAX_BLOCKS]; /* component index */
    uint16_t blk_dst[MAX_BLOCKS]; /* offset in planes[] at the current scale */
    comp_t comp[3];               /* frame order: Y, Cb, Cr */
    huff_t hdc[2], hac[2];
    uint8_t dcval[2][16];
    uint8_t acval[2][256];
    uint16_t dclut[2][1 << DC_LUT_BITS];
    uint16_t aclut[2][1 << AC_LUT_BITS];
    uint16_t qt[4][64]; /* natural order */
    uint8_t planes[MAX_BLOCKS * 64];
    int16_t coef[64]; /* one block's coefficients: all zero between blocks */
    union {
        uint16_t out[256]; /* one MCU of RGB565 */
        struct {
            int32_t ws[64];
            uint8_t tmp[64];
        } t;
    } m;
};

/* Zigzag index -> natural position, padded so that a run past 63 in corrupt data lands on 63. */
static const uint8_t zz[80] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13,
    6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
    39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
};

#if C9_JPEG_FAST_PROFILE
/* zz shifted by one: zz1[k + 1] = zz[k] (the FAST loop advances k past the coefficient first). */
static const uint8_t zz1[81] = {
    0,  0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38,
    31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
};
#endif

#define ALIGN_UP(x) (((x) + 7u) & ~(size_t)7u)
#define SIZE_COMPACT (ALIGN_UP(sizeof(struct c9_jpeg)) + INBUF_COMPACT + 8u)
#if C9_JPEG_FAST_PROFILE
#define SIZE_FAST (ALIGN_UP(sizeof(struct c9_jpeg)) + ALIGN_UP(sizeof(fastx_t)) + INBUF_FAST + 8u)
_Static_assert(SIZE_FAST <= C9_JPEG_WORKSPACE_FAST, "fast profile exceeds its budget");
#endif
_Static_assert(SIZE_COMPACT <= C9_JPEG_WORKSPACE_COMPACT, "compact profile exceeds its budget");

size_t c9_jpeg_workspace_size(c9_jpeg_profile_t profile) {
    if (profile == C9_JPEG_PROFILE_COMPACT)
        return C9_JPEG_WORKSPACE_COMPACT;
#if C9_JPEG_FAST_PROFILE
    if (profile == C9_JPEG_PROFILE_FAST)
        return C9_JPEG_WORKSPACE_FAST;
#endif
    return 0;
}

const char *c9_jpeg_strerror(c9_err_t err) {
    switch (err) {
    case C9_JPEG_ERR_FORMAT: return "not a JPEG file or broken header";
    case C9_JPEG_ERR_DATA: return "corrupt JPEG data";
    case C9_JPEG_ERR_TRUNCATED: return "JPEG data ends early";
    case C9_JPEG_ERR_PROGRESSIVE: return "progressive JPEG not supported";
    case C9_JPEG_ERR_ARITHMETIC: return "arithmetic-coded JPEG not supported";
    case C9_JPEG_ERR_PRECISION: return "only 8-bit JPEG supported";
    case C9_JPEG_ERR_LOSSLESS: return "lossless JPEG not supported";
    case C9_JPEG_ERR_CMYK: return "CMYK JPEG not supported";
    case C9_JPEG_ERR_SAMPLING: return "JPEG sampling factors not supported";
    default: return c9_strerror(err);
    }
}

static inline uint16_t bswap16(uint16_t v) {
    return (uint16_t)((v >> 8) | (v << 8));
}

/* ---- Input ---------------------------------------------------------------------------------- */

/* Keeps unread bytes, tops the buffer up. Returns bytes added, 0 at the end, or an error. */
static int32_t fill_input(c9_jpeg_t *d) {
    size_t keep = (size_t)(d->in_end - d->in_ptr);
    if (keep && d->in_ptr != d->inbuf)
        memmove(d->inbuf, d->in_ptr, keep);
    d->in_ptr = d->inbuf;
    d->in_end = d->inbuf + keep;
    int32_t got = d->read(d->read_ctx, d->inbuf + keep, (uint32_t)(d->in_cap - keep));
    if (got < 0)
        return got;
    if ((uint32_t)got > d->in_cap - keep) /* a misbehaving callback must not make us overrun */
        got = (int32_t)(d->in_cap - keep);
    d->in_end += got;
    return got;
}

/* Header byte, or a negative error (the input ending inside the headers is truncation). */
static int get8(c9_jpeg_t *d) {
    if (JP_UNLIKELY(d->in_ptr == d->in_end)) {
        int32_t r = fill_input(d);
        if (r <= 0)
            return r < 0 ? r : C9_JPEG_ERR_TRUNCATED;
    }
    return *d->in_ptr++;
}

static int get16(c9_jpeg_t *d) {
    int a = get8(d);
    if (a < 0)
        return a;
    int b = get8(d);
    if (b < 0)
        return b;
    return (a << 8) | b;
}

static c9_err_t skip_bytes(c9_jpeg_t *d, uint32_t n) {
    while (n) {
        if (d->in_ptr == d->in_end) {
            int32_t r = fill_input(d);
            if (r <= 0)
                return r < 0 ? r : C9_JPEG_ERR_TRUNCATED;
        }
        uint32_t k = (uint32_t)(d->in_end - d->in_ptr);
        if (k > n)
            k = n;
        d->in_ptr += k;
        n -= k;
    }
    return C9_OK;
}

/* Next entropy-coded byte when the fast path cannot take it: buffer empty, 0xFF (stuffed byte,
 * fill byte or marker), or a marker already met. Past a marker or the end it supplies zero bits
 * and counts them, so a decode that consumes them is known to be broken or truncated. */
static JP_NOINLINE unsigned slow_byte(c9_jpeg_t *d) {
    for (;;) {
        if (d->marker) {
            d->pad_bits += 8;
            return 0;
        }
        if (d->in_end - d->in_ptr < 2) {
            int32_t r = fill_input(d);
            if (r < 0 && !d->err)
                d->err = r;
            if (r <= 0) {
                if (d->in_ptr < d->in_end && *d->in_ptr != 0xFF)
                    return *d->in_ptr++;
                d->marker = MARK_EOF; /* a lone final 0xFF counts as the end too */
                continue;
            }
            continue;
        }
        unsigned c = d->in_ptr[0];
        if (c != 0xFF) {
            d->in_ptr++;
            return c;
        }
        unsigned c2 = d->in_ptr[1];
        if (c2 == 0) {
            d->in_ptr += 2;
            return 0xFF;
        }
        if (c2 == 0xFF) { /* fill byte before a marker */
            d->in_ptr++;
            continue;
        }
        d->marker = (uint16_t)c2; /* left unread at in_ptr */
    }
}

/* ---- Bit reader (kept in locals by the hot loops) ------------------------------------------ */

typedef struct br {
    bb_t bb;
    int32_t n;
    const uint8_t *p, *e;
} br_t;

JP_INLINE void br_load(const c9_jpeg_t *d, br_t *b) {
    b->bb = d->bb;
    b->n = d->nbits;
    b->p = d->in_ptr;
    b->e = d->in_end;
}

JP_INLINE void br_save(c9_jpeg_t *d, const br_t *b) {
    d->bb = b->bb;
    d->nbits = b->n;
    d->in_ptr = b->p;
    d->in_end = b->e;
}

JP_INLINE void br_fill(c9_jpeg_t *d, br_t *b) {
#if BB_BITS == 64 && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Whole bytes at once when the next 8 hold no 0xFF (no stuffing, no marker). */
    if (JP_LIKELY(b->e - b->p >= 8)) {
        uint64_t w;
        memcpy(&w, b->p, 8);
        uint64_t nw = ~w;
        if (JP_LIKELY(((nw - 0x0101010101010101u) & ~nw & 0x8080808080808080u) == 0)) {
            unsigned k = (unsigned)(63 - b->n) >> 3; /* 1..7 bytes fit */
            uint64_t be = __builtin_bswap64(w) >> (64 - 8 * k);
            b->bb |= be << (64 - 8 * k - (unsigned)b->n);
            b->n += (int32_t)(8 * k);
            b->p += k;
            return;
        }
    }
#endif
    while (b->n <= BB_BITS - 8) {
        unsigned c;
        if (JP_LIKELY(b->p < b->e) && (c = *b->p) != 0xFF) {
            b->p++;
        } else {
            d->in_ptr = b->p;
            c = slow_byte(d);
            b->p = d->in_ptr;
            b->e = d->in_end;
        }
        b->bb |= (bb_t)c << (BB_BITS - 8 - b->n);
        b->n += 8;
    }
}

JP_INLINE unsigned br_peek(const br_t *b, unsigned k) {
    return (unsigned)(b->bb >> (BB_BITS - k));
}

JP_INLINE void br_drop(br_t *b, unsigned k) {
    b->bb <<= k;
    b->n -= (int32_t)k;
}

/* JPEG's sign extension of an s-bit magnitude category value (1 <= s <= 15). */
JP_INLINE int32_t extend(unsigned v, unsigned s) {
    return v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

JP_INLINE int32_t br_value(c9_jpeg_t *d, br_t *b, unsigned s) {
#if BB_BITS == 32
    if (b->n < (int32_t)s)
        br_fill(d, b);
#else
    (void)d;
#endif
    unsigned v = br_peek(b, s);
    br_drop(b, s);
    return extend(v, s);
}

/* Codes longer than the lookup table: walk the canonical code lengths. Returns (length << 8) |
 * symbol like a table entry; an impossible code latches C9_JPEG_ERR_DATA and reads as a 1-bit
 * symbol 0 (end of block), which ends the block so the MCU check can report it. */
static JP_NOINLINE unsigned huff_slow(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, bb_t bb, unsigned lutbits) {
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
        d->err = C9_JPEG_ERR_DATA;
    return 1u << 8;
}

/* lutbits: the table's index width; slowbits: the compact table's width for this class, where
 * the canonical walk in huff_t starts. */
JP_INLINE unsigned huff_get(c9_jpeg_t *d, br_t *b, const uint16_t *lut, unsigned lutbits, unsigned slowbits,
                            const huff_t *h, const uint8_t *vals) {
    unsigned e = lut[br_peek(b, lutbits)];
    if (JP_UNLIKELY(!e))
        e = huff_slow(d, h, vals, b->bb, slowbits);
    br_drop(b, e >> 8);
    return e & 0xFF;
}

/* ---- Huffman tables ------------------------------------------------------------------------ */

static c9_err_t build_huff(c9_jpeg_t *d, unsigned cls, unsigned id) {
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
                return C9_JPEG_ERR_FORMAT; /* more codes than the length allows */
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

/* ---- Headers -------------------------------------------------------------------------------- */

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int r_ = (x);                                                                                                  \
        if (r_ < 0)                                                                                                    \
            return r_;                                                                                                 \
    } while (0)

static c9_err_t parse_dht(c9_jpeg_t *d) {
    int len;
    TRY(len = get16(d));
    len -= 2;
    while (len > 0) {
        int tc;
        TRY(tc = get8(d));
        unsigned cls = (unsigned)tc >> 4, id = (unsigned)tc & 15;
        if (cls > 1 || id > 3)
            return C9_JPEG_ERR_FORMAT;
        if (id > 1)
            return C9_ERR_NOTSUP; /* only baseline's two table slots are kept */
        huff_t *h = cls ? &d->hac[id] : &d->hdc[id];
        unsigned total = 0;
        for (int i = 0; i < 16; i++) {
            int c;
            TRY(c = get8(d));
            h->counts[i] = (uint8_t)c;
            total += (unsigned)c;
        }
        len -= 17;
        if (total > (cls ? 256u : 16u) || (int)total > len)
            return C9_JPEG_ERR_FORMAT;
        uint8_t *vals = cls ? d->acval[id] : d->dcval[id];
        for (unsigned i = 0; i < total; i++) {
            int c;
            TRY(c = get8(d));
            vals[i] = (uint8_t)c;
        }
        len -= (int)total;
        TRY(build_huff(d, cls, id));
        d->hdef |= (uint8_t)(1u << (cls * 2 + id));
    }
    return len == 0 ? C9_OK : C9_JPEG_ERR_FORMAT;
}

static c9_err_t parse_dqt(c9_jpeg_t *d) {
    int len;
    TRY(len = get16(d));
    len -= 2;
    while (len > 0) {
        int pt;
        TRY(pt = get8(d));
        unsigned pq = (unsigned)pt >> 4, id = (unsigned)pt & 15;
        if (pq > 1 || id > 3)
            return C9_JPEG_ERR_FORMAT;
        len -= 1 + 64 * (int)(pq + 1);
        if (len < 0)
            return C9_JPEG_ERR_FORMAT;
        for (int k = 0; k < 64; k++) {
            int v;
            TRY(v = pq ? get16(d) : get8(d));
            d->qt[id][zz[k]] = (uint16_t)v;
        }
        d->qdef |= (uint8_t)(1u << id);
    }
    return len == 0 ? C9_OK : C9_JPEG_ERR_FORMAT;
}

static c9_err_t parse_sof(c9_jpeg_t *d) {
    int len, p, hgt, wid, nf;
    if (d->sof)
        return C9_JPEG_ERR_FORMAT;
    TRY(len = get16(d));
    TRY(p = get8(d));
    TRY(hgt = get16(d));
    TRY(wid = get16(d));
    TRY(nf = get8(d));
    if (p != 8)
        return C9_JPEG_ERR_PRECISION;
    if (nf == 4)
        return C9_JPEG_ERR_CMYK;
    if (nf == 0 || len != 8 + 3 * nf)
        return C9_JPEG_ERR_FORMAT;
    if (nf != 1 && nf != 3)
        return C9_ERR_NOTSUP;
    if (wid == 0 || hgt == 0)
        return C9_JPEG_ERR_FORMAT; /* height 0 would need DNL; width 0 is invalid */
    d->width = (uint16_t)wid;
    d->height = (uint16_t)hgt;
    d->ncomp = (uint8_t)nf;
    for (int i = 0; i < nf; i++) {
        int id, hv, tq;
        TRY(id = get8(d));
        TRY(hv = get8(d));
        TRY(tq = get8(d));
        comp_t *c = &d->comp[i];
        c->id = (uint8_t)id;
        c->h = (uint8_t)(hv >> 4);
        c->v = (uint8_t)(hv & 15);
        c->tq = (uint8_t)tq;
        if (c->h < 1 || c->h > 4 || c->v < 1 || c->v > 4 || tq > 3)
            return C9_JPEG_ERR_FORMAT;
    }
    d->sof = 1;
    return C9_OK;
}

static bool pow2_ratio(unsigned max, unsigned f) {
    return max % f == 0 && (max / f == 1 || max / f == 2 || max / f == 4);
}

static c9_err_t parse_sos(c9_jpeg_t *d) {
    int len, ns;
    if (!d->sof)
        return C9_JPEG_ERR_FORMAT;
    TRY(len = get16(d));
    TRY(ns = get8(d));
    if (ns < 1 || ns > 4 || len != 6 + 2 * ns)
        return C9_JPEG_ERR_FORMAT;
    if (ns != d->ncomp)
        return C9_ERR_NOTSUP; /* components in separate scans need a whole-image buffer */
    unsigned used = 0;
    for (int i = 0; i < ns; i++) {
        int cs, t;
        TRY(cs = get8(d));
        TRY(t = get8(d));
        int ci = -1;
        for (int j = 0; j < d->ncomp; j++) {
            if (d->comp[j].id == cs && !(used & (1u << j))) {
                ci = j;
                break;
            }
        }
        if (ci < 0)
            return C9_JPEG_ERR_FORMAT;
        used |= 1u << ci;
        comp_t *c = &d->comp[ci];
        c->td = (uint8_t)(t >> 4);
        c->ta = (uint8_t)(t & 15);
        if (c->td > 3 || c->ta > 3)
            return C9_JPEG_ERR_FORMAT;
        if (c->td > 1 || c->ta > 1)
            return C9_ERR_NOTSUP;
        d->order[i] = (uint8_t)ci;
    }
    int ss, se, a;
    TRY(ss = get8(d));
    TRY(se = get8(d));
    TRY(a = get8(d));
    if (ss != 0 || se != 63 || a != 0)
        return C9_JPEG_ERR_FORMAT;

    unsigned hmax = 1, vmax = 1, blocks = 0;
    if (d->ncomp == 1) {
        d->comp[0].h = d->comp[0].v = 1; /* a single-component scan is one block per MCU */
    }
    for (int i = 0; i < d->ncomp; i++) {
        comp_t *c = &d->comp[i];
        if (!(d->qdef & (1u << c->tq)) || !(d->hdef & (1u << c->td)) || !(d->hdef & (4u << c->ta)))
            return C9_JPEG_ERR_FORMAT;
        hmax = C9_MAX(hmax, c->h);
        vmax = C9_MAX(vmax, c->v);
        blocks += (unsigned)c->h * c->v;
    }
    if (blocks > MAX_BLOCKS)
        return C9_JPEG_ERR_SAMPLING;
    for (int i = 0; i < d->ncomp; i++) {
        if (!pow2_ratio(hmax, d->comp[i].h) || !pow2_ratio(vmax, d->comp[i].v))
            return C9_JPEG_ERR_SAMPLING;
    }
    d->hmax = (uint8_t)hmax;
    d->vmax = (uint8_t)vmax;
    d->mcus_x = (uint16_t)((d->width + 8 * hmax - 1) / (8 * hmax));
    d->mcus_y = (uint16_t)((d->height + 8 * vmax - 1) / (8 * vmax));
    return C9_OK;
}

static c9_err_t parse_headers(c9_jpeg_t *d) {
    int a, b;
    TRY(a = get8(d));
    TRY(b = get8(d));
    if (a != 0xFF || b != M_SOI)
        return C9_JPEG_ERR_FORMAT;
    for (;;) {
        int m;
        TRY(m = get8(d));
        if (m != 0xFF)
            return C9_JPEG_ERR_FORMAT;
        do {
            TRY(m = get8(d));
        } while (m == 0xFF);
        switch (m) {
        case M_SOF0:
        case M_SOF1: TRY(parse_sof(d)); break;
        case 0xC2:
        case 0xC6: return C9_JPEG_ERR_PROGRESSIVE;
        case 0xC3:
        case 0xC7:
        case 0xCB:
        case 0xCF: return C9_JPEG_ERR_LOSSLESS;
        case 0xC9:
        case 0xCA:
        case 0xCD:
        case 0xCE: return C9_JPEG_ERR_ARITHMETIC;
        case 0xC5: return C9_ERR_NOTSUP; /* hierarchical */
        case M_DHT: TRY(parse_dht(d)); break;
        case M_DQT: TRY(parse_dqt(d)); break;
        case M_DRI: {
            int len, ri;
            TRY(len = get16(d));
            TRY(ri = get16(d));
            if (len != 4)
                return C9_JPEG_ERR_FORMAT;
            d->ri = (uint16_t)ri;
            break;
        }
        case M_SOS: return parse_sos(d);
        case M_SOI:
        case M_EOI:
        case 0x00: return C9_JPEG_ERR_FORMAT;
        default:
            if (m == M_TEM || (m >= M_RST0 && m <= M_RST0 + 7))
                break; /* no length */
            int len;
            TRY(len = get16(d));
            if (len < 2)
                return C9_JPEG_ERR_FORMAT;
            TRY(skip_bytes(d, (uint32_t)len - 2));
            break;
        }
    }
}

c9_err_t c9_jpeg_open(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile, c9_jpeg_read_fn read,
                      void *read_ctx) {
    if (!out || !work || !read)
        return C9_ERR_INVAL;
    *out = NULL;
    if (profile != C9_JPEG_PROFILE_COMPACT && profile != C9_JPEG_PROFILE_FAST)
        return C9_ERR_INVAL;
#if !C9_JPEG_FAST_PROFILE
    if (profile == C9_JPEG_PROFILE_FAST)
        return C9_ERR_NOTSUP;
#endif
    if (work_size < c9_jpeg_workspace_size(profile))
        return C9_ERR_NOMEM;
    uint8_t *base = (uint8_t *)(((uintptr_t)work + 7u) & ~(uintptr_t)7u);
    c9_jpeg_t *d = (c9_jpeg_t *)base;
    memset(d, 0, sizeof *d);
    base += ALIGN_UP(sizeof *d);
#if C9_JPEG_FAST_PROFILE
    if (profile == C9_JPEG_PROFILE_FAST) {
        d->fx = (fastx_t *)base;
        base += ALIGN_UP(sizeof(fastx_t));
    }
#endif
    d->inbuf = base;
    d->in_cap = profile == C9_JPEG_PROFILE_FAST ? INBUF_FAST : INBUF_COMPACT;
    d->in_ptr = d->in_end = d->inbuf;
    d->profile = (uint8_t)profile;
    d->read = read;
    d->read_ctx = read_ctx;
    c9_err_t err = parse_headers(d);
    if (err != C9_OK)
        return err;
    d->state = ST_OPEN;
    *out = d;
    return C9_OK;
}

c9_err_t c9_jpeg_get_info(const c9_jpeg_t *d, c9_jpeg_info_t *info) {
    if (!d || !info || d->state == ST_NONE)
        return C9_ERR_INVAL;
    info->width = d->width;
    info->height = d->height;
    info->components = d->ncomp;
    info->h_samp = (uint8_t)(d->hmax / d->comp[d->ncomp == 3 ? 1 : 0].h);
    info->v_samp = (uint8_t)(d->vmax / d->comp[d->ncomp == 3 ? 1 : 0].v);
    info->restart_interval = d->ri;
    info->mcu_width = (uint16_t)(8 * d->hmax);
    info->mcu_height = (uint16_t)(8 * d->vmax);
    return C9_OK;
}

void c9_jpeg_scaled_size(const c9_jpeg_t *d, unsigned scale, uint16_t *w, uint16_t *h) {
    if (scale > 3)
        scale = 3;
    if (w)
        *w = (uint16_t)((d->width + (1u << scale) - 1) >> scale);
    if (h)
        *h = (uint16_t)((d->height + (1u << scale) - 1) >> scale);
}

/* ---- Block decoding ------------------------------------------------------------------------ */

/* The DC difference of a block (bit buffer filled). FAST entries with the code and its extra
 * bits within the table hold the difference itself. */
JP_INLINE int32_t dc_diff(c9_jpeg_t *d, br_t *b, const comp_t *c, const int fast) {
    unsigned s;
#if C9_JPEG_FAST_PROFILE
    if (fast) {
        unsigned e = d->fx->dc[c->td][br_peek(b, FAST_DC_BITS)];
        if (JP_LIKELY(e & 0x8000u)) {
            br_drop(b, (e >> 8) & 15);
            return (int32_t)(e & 0xFFu) - (int32_t)((e & 0x80u) << 1);
        }
        if (JP_UNLIKELY(!e))
            e = huff_slow(d, &d->hdc[c->td], d->dcval[c->td], b->bb, DC_LUT_BITS);
        br_drop(b, e >> 8);
        s = e & 15;
    } else
#endif
        s = huff_get(d, b, d->dclut[c->td], DC_LUT_BITS, DC_LUT_BITS, &d->hdc[c->td], d->dcval[c->td]) & 15;
    return s ? br_value(d, b, s) : 0;
}

/* Decodes one block's coefficients, dequantised, into blk (zeroed by the caller). Returns the
 * bitmap of the natural positions written (bit 0, the DC, always set). */
JP_INLINE uint64_t decode_block(c9_jpeg_t *d, br_t *b, comp_t *c, int16_t *blk, const int fast) {
    const uint16_t *q = d->qt[c->tq];
    if (b->n < BB_REFILL_AT)
        br_fill(d, b);
    int32_t diff = dc_diff(d, b, c, fast);
    c->pred = (int16_t)(uint16_t)((uint32_t)c->pred + (uint32_t)diff);
    blk[0] = (int16_t)(uint16_t)((uint32_t)(int32_t)c->pred * q[0]);

    const uint16_t *lut = d->aclut[c->ta];
    const huff_t *h = &d->hac[c->ta];
    const uint8_t *vals = d->acval[c->ta];
#if C9_JPEG_FAST_PROFILE
    const uint32_t *fac = fast ? d->fx->ac[c->ta] : NULL;
#endif
    uint64_t nz = 1;
    for (unsigned k = 1; k < 64;) {
        if (b->n < BB_REFILL_AT)
            br_fill(d, b);
        unsigned sym;
#if C9_JPEG_FAST_PROFILE
        if (fast) {
            uint32_t e = fac[br_peek(b, FAST_BITS)];
            if (JP_LIKELY(e & 0x80u)) {
                br_drop(b, e & 31);
                k += (e >> 8) & 31;
                unsigned pos = zz1[k];
                blk[pos] = (int16_t)(uint16_t)((uint32_t)((int32_t)e >> 16) * q[pos]);
                nz |= (uint64_t)1 << pos;
                continue;
            }
            if (e) {
                br_drop(b, e & 31);
                sym = (e >> 8) & 0xFF;
            } else {
                e = huff_slow(d, h, vals, b->bb, AC_LUT_BITS);
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
        unsigned pos = zz[k];
        blk[pos] = (int16_t)(uint16_t)((uint32_t)v * q[pos]);
        nz |= (uint64_t)1 << pos;
        k++;
    }
    return nz;
}

/* ---- 1/8 scale: skipping AC coefficients ---------------------------------------------------
 * A skip table, indexed by the next `bits` bits, tells how far to step over one or more whole
 * AC coefficients (code and extra bits): entry = total bits | advance << 5, where the advance is
 * the zigzag distance covered (run + 1 per coefficient, 16 per ZRL) plus 64 when the entry ends
 * with an end of block. Several coefficients are combined while their codes and extra bits all
 * fit in the index; the first one needs only its code to fit (its extra bits are dropped unseen).
 * SKIP_LONG (an advance no block has room for) means the first code is longer than the index. An entry is valid
 * wherever the block has room for it; at the block's end (which the table cannot know) skip_ac() checks that. */

#define SKIP_LONG (127u << 5)

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

/* Skip entry of a single coefficient from its decoded (length << 8) | symbol. */
static unsigned skip_one(unsigned e) {
    unsigned sym = e & 0xFF, s = sym & 15, r = sym >> 4;
    unsigned adv = s ? r + 1 : r == 15 ? 16u : 64u;
    return ((e >> 8) + s) | (adv << 5);
}

static void build_skip(const huff_t *h, const uint8_t *vals, uint16_t *st, unsigned bits) {
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
static JP_NOINLINE void skip_careful(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, unsigned k) {
    br_t bs, *b = &bs; /* the bit reader is in d (see do_restart) */
    br_load(d, b);
    while (k < 64) {
        if (b->n < SKIP_REFILL_AT)
            br_fill(d, b);
        unsigned e = huff_walk(h, vals, (uint32_t)(b->bb >> (BB_BITS - 32)));
        if (!e) {
            if (!d->err)
                d->err = C9_JPEG_ERR_DATA;
            break;
        }
        unsigned one = skip_one(e);
        br_drop(b, one & 31);
        k += one >> 5;
    }
    br_save(d, b);
}

/* Steps over the AC coefficients of a block (after its DC) with a skip table. */
JP_INLINE void skip_ac(c9_jpeg_t *d, br_t *b, const uint16_t *st, const unsigned bits, const huff_t *h,
                       const uint8_t *vals) {
    unsigned k = 1;
    for (;;) {
        if (b->n < SKIP_REFILL_AT)
            br_fill(d, b);
        unsigned e = st[br_peek(b, bits)];
        k += e >> 5;
        if (JP_UNLIKELY(k >= 64)) { /* the block's end, or SKIP_LONG */
            k -= e >> 5;
            if (e == SKIP_LONG) {
                e = skip_one(huff_slow(d, h, vals, b->bb, AC_LUT_BITS));
                if (k + (e >> 5) < 64) {
                    br_drop(b, e & 31);
                    k += e >> 5;
                    continue;
                }
            }
            /* Valid only if the block had room: no coefficient before the end-of-block code went
             * past 63, or without one the entry ends exactly at 64. */
            unsigned plain = (e >> 5) & 63;
            if (JP_UNLIKELY((e & (64u << 5)) ? k + plain > 63 : k + (e >> 5) != 64)) {
                br_save(d, b);
                skip_careful(d, h, vals, k);
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
 * decoding, dequantising or storing them. Returns the sample. */
JP_INLINE uint8_t skip_block(c9_jpeg_t *d, br_t *b, comp_t *c, const int fast) {
    if (b->n < BB_REFILL_AT)
        br_fill(d, b);
    int32_t diff = dc_diff(d, b, c, fast);
    c->pred = (int16_t)(uint16_t)((uint32_t)c->pred + (uint32_t)diff);
    int32_t dc = (int16_t)(uint16_t)((uint32_t)(int32_t)c->pred * d->qt[c->tq][0]);
#if C9_JPEG_FAST_PROFILE
    if (fast)
        skip_ac(d, b, d->fx->u.skip[c->ta], SKIP_BITS, &d->hac[c->ta], d->acval[c->ta]);
    else
#endif
        if (JP_LIKELY(d->skipfmt & (1u << c->ta)))
        skip_ac(d, b, d->aclut[c->ta], AC_LUT_BITS, &d->hac[c->ta], d->acval[c->ta]);
    else {
        br_save(d, b); /* table shared with a decoded plane */
        skip_careful(d, &d->hac[c->ta], d->acval[c->ta], 1);
        br_load(d, b);
    }
    int32_t v = (dc + 4 + 1024) >> 3;
    if ((uint32_t)v > 255u)
        v = (~v >> 31) & 255;
    return (uint8_t)v;
}

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

/* Decodes one MCU into the component planes at the current scale. */
JP_INLINE void decode_mcu(c9_jpeg_t *d, br_t *b, const int fast, const int full, const int eighth) {
    for (unsigned i = 0; i < d->nblk; i++) {
        comp_t *c = &d->comp[d->blk_comp[i]];
        uint8_t *dst = d->planes + d->blk_dst[i];
        if (eighth && c->fh == 3) { /* fv is 3 too at 1/8 (setup_scale) */
            *dst = skip_block(d, b, c, fast);
            continue;
        }
        int16_t *blk = d->coef;
        uint64_t nz = decode_block(d, b, c, blk, fast);
        if (full || (c->fh | c->fv) == 0) {
            c9_jpeg_idct8(blk, dst, c->pw, nz, d->m.t.ws);
        } else if (c->fh == 2 && c->fv == 2) { /* always the case here at 1/8 */
            c9_jpeg_idct2x2(blk, dst, c->pw, nz);
        } else if (c->fh >= 2 && c->fv >= 2) {
            uint8_t q[4];
            c9_jpeg_idct2x2(blk, q, 2, nz);
            reduce_block(q, 2, c->fh - 2, c->fv - 2, dst, c->pw);
        } else {
            c9_jpeg_idct8(blk, d->m.t.tmp, 8, nz, d->m.t.ws);
            reduce_block(d->m.t.tmp, 8, c->fh, c->fv, dst, c->pw);
        }
        /* nz covers every position written: a flat block dirtied only its DC. */
        if (nz == 1)
            blk[0] = 0;
        else
            memset(blk, 0, 64 * sizeof *blk);
    }
}

/* ---- Colour -------------------------------------------------------------------------------- */

typedef struct cconv {
    int32_t br, bg, bb; /* rounding bias added to R, G, B before truncation */
} cconv_t;

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
static void build_colour_tables(fastx_t *fx, const cconv_t *cc, bool swap) {
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
    uint16_t *o = d->m.out;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *yp = d->planes + c->poff + (y >> c->shy) * c->pw;
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
    const uint8_t *pY = d->planes + cy->poff, *pB = d->planes + cb->poff, *pR = d->planes + d->comp[2].poff;
    unsigned yw = cy->pw, cw = cb->pw;
#if C9_JPEG_FAST_PROFILE
    const uint16_t *tr = fast ? d->fx->u.c.rgb[0] + 256 : NULL, *tg = fast ? d->fx->u.c.rgb[1] + 256 : NULL,
                   *tb = fast ? d->fx->u.c.rgb[2] + 256 : NULL;
#endif
    for (unsigned cyi = 0; cyi < (h >> sy); cyi++) {
        const uint8_t *bp = pB + cyi * cw, *rp = pR + cyi * cw;
        const uint8_t *yp = pY + (cyi << sy) * yw;
        uint16_t *o = d->m.out + (cyi << sy) * w;
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
    const uint8_t *pY = d->planes + d->comp[0].poff, *pB = d->planes + d->comp[1].poff,
                  *pR = d->planes + d->comp[2].poff;
#if C9_JPEG_FAST_PROFILE
    const uint16_t *tr = fast ? d->fx->u.c.rgb[0] + 256 : NULL, *tg = fast ? d->fx->u.c.rgb[1] + 256 : NULL,
                   *tb = fast ? d->fx->u.c.rgb[2] + 256 : NULL;
#endif
    for (unsigned cy = 0; cy < 8; cy++) {
        const uint8_t *bp = pB + cy * 8, *rp = pR + cy * 8, *yp = pY + (cy << sy) * W;
        uint16_t *o = d->m.out + (cy << sy) * W;
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
    uint16_t *o = d->m.out;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *p0 = d->planes + c0->poff + (y >> c0->shy) * c0->pw;
        const uint8_t *p1 = d->planes + c1->poff + (y >> c1->shy) * c1->pw;
        const uint8_t *p2 = d->planes + c2->poff + (y >> c2->shy) * c2->pw;
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

/* ---- Decode driver ------------------------------------------------------------------------- */

/* Sets each component's plane geometry for a scale. */
static void setup_scale(c9_jpeg_t *d, unsigned scale) {
    unsigned off = 0;
    for (unsigned i = 0; i < d->ncomp; i++) {
        comp_t *c = &d->comp[i];
        unsigned bw = (8u * (d->hmax / c->h)) >> scale; /* output pixels one block covers */
        unsigned bh = (8u * (d->vmax / c->v)) >> scale;
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
        if (scale == 3 && c->fh != c->fv) {
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
                build_skip(&d->hac[id], d->acval[id], d->fx->u.skip[id], SKIP_BITS);
            continue;
        }
#endif
        if ((skip & ~dec) & (1u << id)) {
            build_skip(&d->hac[id], d->acval[id], d->aclut[id], AC_LUT_BITS);
            d->skipfmt |= (uint8_t)(1u << id);
        }
    }
}

/* Realigns after a restart interval: drops the bit buffer, expects RSTn (n = rst & 7) next.
 * The bit reader lives in d here (the caller saves and reloads it, so that its own copy never
 * has its address taken and can stay in registers). */
static JP_NOINLINE c9_err_t do_restart(c9_jpeg_t *d, unsigned rst) {
    d->bb = 0;
    d->nbits = 0;
    while (!d->marker)
        (void)slow_byte(d); /* skips stray bytes up to the marker */
    d->pad_bits = 0;
    if (d->marker != M_RST0 + (rst & 7u))
        return d->marker == MARK_EOF ? (d->err ? d->err : C9_JPEG_ERR_TRUNCATED) : C9_JPEG_ERR_DATA;
    d->in_ptr += 2;
    d->marker = 0;
    for (unsigned i = 0; i < d->ncomp; i++)
        d->comp[i].pred = 0;
    return C9_OK;
}

JP_INLINE c9_err_t run(c9_jpeg_t *d, unsigned scale, unsigned flags, c9_jpeg_output_fn output, void *octx,
                       const int fast, const int full, const int eighth) {
    /* Truncation like TJpgDec: with the usual bit-replicating 565 -> 888 expansion it is also
     * closer on average than adding half a step. */
    const cconv_t cc = {0, 0, 0};
    /* At 1/8 the FAST tables' memory holds skip tables; colour is cheap there anyway. */
    const int tab = fast && !eighth;
#if C9_JPEG_FAST_PROFILE
    if (tab)
        build_colour_tables(d->fx, &cc, (flags & C9_JPEG_SWAP_BYTES) != 0);
#endif
    bool swap = !tab && (flags & C9_JPEG_SWAP_BYTES);
    unsigned mw = (8u * d->hmax) >> scale, mh = (8u * d->vmax) >> scale;
    uint16_t ow, oh;
    c9_jpeg_scaled_size(d, scale, &ow, &oh);
    const comp_t *c1 = &d->comp[1];
    /* Which converter: chroma shifts for the unrolled 1/1 loops, 0xFF for the generic one. */
    unsigned kind = 0xFF;
    if (d->ncomp == 1)
        kind = 0xFE;
    else if (d->comp[0].shx == 0 && d->comp[0].shy == 0 && c1->shx == d->comp[2].shx && c1->shy == d->comp[2].shy &&
             c1->pw == d->comp[2].pw && c1->shx <= 1 && c1->shy <= 1)
        kind = c1->shx | (c1->shy << 1);

    br_t b;
    br_load(d, &b);
    unsigned togo = d->ri, rst = 0;
    for (unsigned my = 0; my < d->mcus_y; my++) {
        for (unsigned mx = 0; mx < d->mcus_x; mx++) {
            if (d->ri) {
                if (togo == 0) {
                    br_save(d, &b);
                    c9_err_t e = do_restart(d, rst++);
                    if (e != C9_OK)
                        return e;
                    br_load(d, &b);
                    togo = d->ri;
                }
                togo--;
            }
            decode_mcu(d, &b, fast, full, eighth);
            if (JP_UNLIKELY(d->err || d->pad_bits > b.n)) {
                br_save(d, &b);
                if (d->err)
                    return d->err;
                return d->marker == MARK_EOF ? C9_JPEG_ERR_TRUNCATED : C9_JPEG_ERR_DATA;
            }
            c9_jpeg_rect_t r;
            r.x = (uint16_t)(mx * mw);
            r.y = (uint16_t)(my * mh);
            r.w = (uint16_t)C9_MIN(mw, (unsigned)ow - r.x);
            r.h = (uint16_t)C9_MIN(mh, (unsigned)oh - r.y);
            unsigned k = kind;
            if (k < 4 && (r.w != mw || r.h != mh))
                k = 0xFF;
            switch (k) {
            case 0xFE: convert_gray(d, r.w, r.h, &cc, tab); break;
            case 0:
                if (full && !JP_SMALL)
                    convert_full(d, &cc, tab, 0, 0);
                else
                    convert_sub(d, r.w, r.h, &cc, tab, 0, 0);
                break;
            case 1:
                if (full && !JP_SMALL)
                    convert_full(d, &cc, tab, 1, 0);
                else
                    convert_sub(d, r.w, r.h, &cc, tab, 1, 0);
                break;
            case 2:
                if (full && !JP_SMALL)
                    convert_full(d, &cc, tab, 0, 1);
                else
                    convert_sub(d, r.w, r.h, &cc, tab, 0, 1);
                break;
            case 3:
                if (full && !JP_SMALL)
                    convert_full(d, &cc, tab, 1, 1);
                else
                    convert_sub(d, r.w, r.h, &cc, tab, 1, 1);
                break;
            default: convert_any(d, r.w, r.h, &cc, tab); break;
            }
            if (swap) {
                unsigned n = (unsigned)r.w * r.h;
                uint16_t *o = d->m.out;
                for (unsigned i = 0; i < n; i++)
                    o[i] = (uint16_t)((o[i] >> 8) | (o[i] << 8));
            }
            c9_err_t e = output(octx, &r, d->m.out);
            if (e != C9_OK) {
                br_save(d, &b);
                return e;
            }
        }
    }
    br_save(d, &b);
    return C9_OK;
}

static JP_NOINLINE c9_err_t run_compact_full(c9_jpeg_t *d, unsigned s, unsigned f, c9_jpeg_output_fn o, void *x) {
    return run(d, s, f, o, x, 0, 1, 0);
}
static JP_NOINLINE c9_err_t run_compact_scaled(c9_jpeg_t *d, unsigned s, unsigned f, c9_jpeg_output_fn o, void *x) {
    return s == 3 ? run(d, s, f, o, x, 0, 0, 1) : run(d, s, f, o, x, 0, 0, 0);
}
#if C9_JPEG_FAST_PROFILE
static JP_NOINLINE c9_err_t run_fast_full(c9_jpeg_t *d, unsigned s, unsigned f, c9_jpeg_output_fn o, void *x) {
    return run(d, s, f, o, x, 1, 1, 0);
}
static JP_NOINLINE c9_err_t run_fast_scaled(c9_jpeg_t *d, unsigned s, unsigned f, c9_jpeg_output_fn o, void *x) {
    return s == 3 ? run(d, s, f, o, x, 1, 0, 1) : run(d, s, f, o, x, 1, 0, 0);
}
#endif

c9_err_t c9_jpeg_decode(c9_jpeg_t *d, unsigned scale, unsigned flags, c9_jpeg_output_fn output, void *output_ctx) {
    if (!d || !output || scale > 3)
        return C9_ERR_INVAL;
    if (d->state != ST_OPEN)
        return C9_ERR_BADF;
    d->state = ST_DONE;
    setup_scale(d, scale);
    memset(d->coef, 0, sizeof d->coef);
    if (scale == 3)
        setup_skip(d);
    /* At 1/1 every block goes through the full IDCT straight into its plane. */
    bool full = scale == 0;
#if C9_JPEG_FAST_PROFILE
    if (d->profile == C9_JPEG_PROFILE_FAST)
        return full ? run_fast_full(d, scale, flags, output, output_ctx)
                    : run_fast_scaled(d, scale, flags, output, output_ctx);
#endif
    return full ? run_compact_full(d, scale, flags, output, output_ctx)
                : run_compact_scaled(d, scale, flags, output, output_ctx);
}
