/*
 * Internals of the JPEG decoder shared by jpeg.c (headers, entropy decoding, colour) and
 * jpeg_idct.c (inverse transforms). Not part of the public API.
 */
#ifndef CIRCUIT9_JPEG_INTERNAL_H
#define CIRCUIT9_JPEG_INTERNAL_H

#include <string.h>

#include "circuit9/jpeg.h"

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
#define INBUF_FAST 352
#define MAX_BLOCKS 6
#define MARK_EOF 0x100 /* pseudo marker: the input ended */

/* Markers. */
#define M_SOF0 0xC0
#define M_SOF1 0xC1
#define M_SOF2 0xC2
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

/* The arithmetic of the current decode, a constant when only one is compiled. */
#if C9_JPEG_TJPGD_MODE && C9_JPEG_QUALITY_MODE
#define IS_TJ(d) ((d)->tj)
#else
#define IS_TJ(d) C9_JPEG_TJPGD_MODE
#endif

typedef struct huff {
    uint8_t counts[16];
    uint16_t first; /* first canonical code of length LUT_BITS+1 */
    uint16_t index; /* index in vals of that code */
} huff_t;

typedef struct comp {
    uint8_t id, h, v, tq, td, ta;
    uint8_t shx, shy;  /* log2 upsampling from plane to output at the current scale */
    uint8_t fh, fv;    /* log2 reduction of each 8x8 block at the current scale */
    uint8_t pw, ph;    /* plane size in samples */
    uint16_t poff;     /* plane offset in planes[] */
    int16_t pred;      /* DC predictor */
    uint16_t cbw, cbh; /* progressive: blocks stored per row and column */
    uint8_t ck;        /* progressive: coefficients stored per block, 64 or (DC only) 1 */
    uint32_t coff;     /* progressive: first coefficient of this component in the coefficient memory */
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

/* One DC scan of a progressive image read side by side with the others (1/8 without
 * coefficient memory): where its data starts, its own small input buffer and bit reader, and
 * for a first scan the DC tables as they were when it started. */
#define DC_BUF 40
typedef struct dcscan {
    uint32_t off;  /* input offset of the entropy-coded data */
    uint32_t pos;  /* input offset of the next byte to load into buf */
    uint32_t bits; /* bit buffer, next bit at the top */
    uint16_t ri, togo, rst;
    int16_t pred[3]; /* by frame component */
    uint8_t ns, order[3];
    uint8_t ah, al;
    uint8_t nbits, len, idx;
    uint8_t marker; /* marker met, or 0xFF at the end of the input */
    uint8_t pad;    /* zero bytes supplied after it */
    uint8_t td[3];  /* DC table of each frame component */
    uint8_t counts[2][16], vals[2][16];
    uint8_t buf[DC_BUF];
} dcscan_t;
#define DC_SCANS ((2 * 256 + 2 * 2 * (1 << AC_LUT_BITS)) / sizeof(dcscan_t))

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
    uint8_t ns;                   /* components in the scan */
    uint8_t prog;                 /* progressive frame (SOF2) */
    uint8_t ss, se, ah, al;       /* scan's spectral band and successive approximation */
    uint8_t nblk;                 /* blocks per MCU, in decoding order: */
    uint8_t blk_comp[MAX_BLOCKS]; /* component index */
    uint16_t blk_dst[MAX_BLOCKS]; /* offset in planes[] at the current scale */
    comp_t comp[3];               /* frame order: Y, Cb, Cr */
    huff_t hdc[2], hac[2];
    uint8_t dcval[2][16];
    uint16_t dclut[2][1 << DC_LUT_BITS];
    union {
        struct {
            uint8_t acval[2][256];
            uint16_t aclut[2][1 << AC_LUT_BITS];
        };
        /* A progressive image at 1/8 without coefficient memory reads its DC scans side by side
         * and skips the AC scans, whose tables it never builds: their memory holds the scans. */
        dcscan_t dcs[DC_SCANS];
    };
    uint16_t qt[4][64]; /* natural order */
    /* Progressive: the caller's coefficient memory, the end-of-band run, the seek callback and
     * the input offset of inbuf[0]. */
    int16_t *cm;
    size_t cm_size;
    uint16_t eobrun;
    c9_jpeg_seek_fn seek;
    uint32_t in_base;
    /* c9_jpeg_open_scan(): bytes before the image are skipped; soi_off is where its FF D8 is. */
    uint8_t find_soi;
    uint32_t soi_off;
    uint8_t surveying; /* reading through the scans for their offsets: AC tables not built */
    /* The current decode (c9_jpeg_decode's arguments and what follows from them). */
    c9_jpeg_output_fn output;
    void *octx;
    uint16_t ow, oh; /* output size in pixels: rounded up, or TJpgDec's rounded down */
    /* c9_jpeg_set_crop(): the part of the output that reaches the callback (x2, y2 exclusive). */
    uint16_t crop_x1, crop_y1, crop_x2, crop_y2;
    uint8_t scale; /* 0..3 */
    uint8_t tj;    /* TJpgDec's arithmetic (C9_JPEG_TJPGD with luma at the largest sampling) */
    uint8_t swap;  /* byte-swap the output after colour conversion */
    uint8_t tab;   /* colour through the FAST tables */
    uint8_t kind;  /* colour converter for whole MCUs (c9_jpeg_convert) */
    /* One MCU. The two arithmetics need different buffers, never at the same time. */
    union {
        struct {
            uint8_t planes[MAX_BLOCKS * 64];
            int16_t coef[64]; /* one block's coefficients: all zero between blocks */
            union {
                uint16_t out[256]; /* one MCU of RGB565 */
                struct {
                    int32_t ws[64];
                    uint8_t tmp[64];
                } t;
            } m;
        } q;
        struct {
            /* Samples as TJpgDec keeps them (16-bit, not clipped); the RGB565 output is written
             * over the luma plane, which starts the array and covers the whole MCU. */
            int16_t yuv[MAX_BLOCKS * 64];
            int32_t coef[64]; /* dequantised and prescaled; all zero between blocks */
        } t;
    } u;
};

static inline uint16_t bswap16(uint16_t v) {
    return (uint16_t)((v >> 8) | (v << 8));
}

/* Zigzag index -> natural position, padded so that a run past 63 in corrupt data lands on 63. */
extern const uint8_t c9_jpeg_zz[80];

/* ---- Input (jpeg_input.c) -------------------------------------------------------------------- */

/* Keeps unread bytes, tops the buffer up. Returns bytes added, 0 at the end, or an error. */
int32_t c9_jpeg_fill_input(c9_jpeg_t *d);
/* Header byte or big-endian word, or a negative error (the input ending inside the headers is
 * truncation). */
int c9_jpeg_get8(c9_jpeg_t *d);
int c9_jpeg_get16(c9_jpeg_t *d);
c9_err_t c9_jpeg_skip_bytes(c9_jpeg_t *d, uint32_t n);
/* Next entropy-coded byte when the fast path cannot take it: buffer empty, 0xFF (stuffed byte,
 * fill byte or marker), or a marker already met. Past a marker or the end it supplies zero bits
 * and counts them, so a decode that consumes them is known to be broken or truncated. */
unsigned c9_jpeg_slow_byte(c9_jpeg_t *d);

/* ---- Headers (jpeg_header.c) ---------------------------------------------------------------- */

/* Parses markers up to and including the next scan header; *eoi when an EOI ends a progressive
 * image instead (after its first scan). */
c9_err_t c9_jpeg_markers(c9_jpeg_t *d, bool *eoi);
/* Back to the state c9_jpeg_open() left (needs the seek callback): the headers parsed again from
 * the start of the input, up to the first scan. The caller's settings are kept. */
c9_err_t c9_jpeg_reparse(c9_jpeg_t *d);

/* ---- Huffman tables (jpeg_huffman.c) --------------------------------------------------------- */

/* Codes longer than the lookup table: walk the canonical code lengths. Returns (length << 8) |
 * symbol like a table entry; an impossible code latches C9_ERR_JPEG_DATA and reads as a 1-bit
 * symbol 0 (end of block), which ends the block so the MCU check can report it. */
unsigned c9_jpeg_huff_slow(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, bb_t bb, unsigned lutbits);
/* Builds the lookup tables of DHT table (cls, id) from its counts and values. */
c9_err_t c9_jpeg_build_huff(c9_jpeg_t *d, unsigned cls, unsigned id);
/* Skip table (1/8 scale) `bits` wide for an AC table. */
void c9_jpeg_build_skip(const huff_t *h, const uint8_t *vals, uint16_t *st, unsigned bits);
/* Exact one-coefficient-at-a-time skip from zigzag index k (bit reader in d). */
void c9_jpeg_skip_careful(c9_jpeg_t *d, const huff_t *h, const uint8_t *vals, unsigned k);

/* ---- Bit reader (kept in locals by the hot loops) ------------------------------------------ */

typedef struct br {
    bb_t bb;
    int32_t n;
    const uint8_t *p, *e;
} br_t;

static C9_SPEED_INLINE void br_load(const c9_jpeg_t *d, br_t *b) {
    b->bb = d->bb;
    b->n = d->nbits;
    b->p = d->in_ptr;
    b->e = d->in_end;
}

static C9_SPEED_INLINE void br_save(c9_jpeg_t *d, const br_t *b) {
    d->bb = b->bb;
    d->nbits = b->n;
    d->in_ptr = b->p;
    d->in_end = b->e;
}

static C9_SPEED_INLINE void br_fill(c9_jpeg_t *d, br_t *b) {
#if BB_BITS == 64 && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Whole bytes at once when the next 8 hold no 0xFF (no stuffing, no marker). */
    if (C9_LIKELY(b->e - b->p >= 8)) {
        uint64_t w;
        memcpy(&w, b->p, 8);
        uint64_t nw = ~w;
        if (C9_LIKELY(((nw - 0x0101010101010101u) & ~nw & 0x8080808080808080u) == 0)) {
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
        if (C9_LIKELY(b->p < b->e) && (c = *b->p) != 0xFF) {
            b->p++;
        } else {
            d->in_ptr = b->p;
            c = c9_jpeg_slow_byte(d);
            b->p = d->in_ptr;
            b->e = d->in_end;
        }
        b->bb |= (bb_t)c << (BB_BITS - 8 - b->n);
        b->n += 8;
    }
}

static C9_SPEED_INLINE unsigned br_peek(const br_t *b, unsigned k) {
    return (unsigned)(b->bb >> (BB_BITS - k));
}

static C9_SPEED_INLINE void br_drop(br_t *b, unsigned k) {
    b->bb <<= k;
    b->n -= (int32_t)k;
}

/* JPEG's sign extension of an s-bit magnitude category value (1 <= s <= 15). */
static C9_SPEED_INLINE int32_t extend(unsigned v, unsigned s) {
    return v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

static C9_SPEED_INLINE int32_t br_value(c9_jpeg_t *d, br_t *b, unsigned s) {
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

/* lutbits: the table's index width; slowbits: the compact table's width for this class, where
 * the canonical walk in huff_t starts. */
static C9_SPEED_INLINE unsigned huff_get(c9_jpeg_t *d, br_t *b, const uint16_t *lut, unsigned lutbits,
                                         unsigned slowbits, const huff_t *h, const uint8_t *vals) {
    unsigned e = lut[br_peek(b, lutbits)];
    if (C9_UNLIKELY(!e))
        e = c9_jpeg_huff_slow(d, h, vals, b->bb, slowbits);
    br_drop(b, e >> 8);
    return e & 0xFF;
}
/* A skip table entry, indexed by the next `bits` bits, tells how far to step over one or more
 * whole AC coefficients: total bits | advance << 5 (see jpeg_huffman.c). SKIP_LONG (an advance
 * no block has room for) means the first code is longer than the index. */
#define SKIP_LONG (127u << 5)

/* Skip entry of a single coefficient from its decoded (length << 8) | symbol. */
static C9_SPEED_INLINE unsigned skip_one(unsigned e) {
    unsigned sym = e & 0xFF, s = sym & 15, r = sym >> 4;
    unsigned adv = s ? r + 1 : r == 15 ? 16u : 64u;
    return ((e >> 8) + s) | (adv << 5);
}

/* ---- Colour (jpeg_colour.c, jpeg_colour.h) ------------------------------------------------------------------ */

#if C9_JPEG_FAST_PROFILE && C9_JPEG_QUALITY_MODE
/* Fills the FAST profile's colour lookup tables (byte-swapped output when swap). */
void c9_jpeg_colour_tables(fastx_t *fx, bool swap);
#endif

/* ---- Decoding (jpeg_decode.c, jpeg_progressive.c) ------------------------------------------- */

/* The arithmetic (d->tj) and scale of a decode. */
void c9_jpeg_set_mode(c9_jpeg_t *d, unsigned scale, unsigned flags);
/* Whether the build has the arithmetic a decode with these flags needs (after set_mode). */
bool c9_jpeg_mode_compiled(const c9_jpeg_t *d, unsigned flags);
/* Plane geometry, block layout and colour converter for d->scale; dc_only reduces every block
 * to its DC at 1/8 (else only luma and unequally subsampled chroma are). */
void c9_jpeg_setup_scale(c9_jpeg_t *d, bool dc_only);
/* Transforms the dequantised block in u.q.coef or u.t.coef (TJpgDec's arithmetic), nz its
 * non-zero positions, flat TJpgDec's DC fill, into block slot i of the MCU at the current scale;
 * leaves the coefficients zero. */
void c9_jpeg_put_block(c9_jpeg_t *d, unsigned i, uint64_t nz, int flat);
/* Block slot i reduced to its DC (quantised), at 1/8. */
void c9_jpeg_put_dc(c9_jpeg_t *d, unsigned i, int32_t dc);
/* Converts the MCU at (mx, my) to RGB565 and hands it to the output callback (nothing for an MCU
 * that TJpgDec's rounding leaves without pixels). */
c9_err_t c9_jpeg_emit(c9_jpeg_t *d, unsigned mx, unsigned my);
/* Realigns after a restart interval: drops the bit buffer (kept in d), expects RSTn (n = rst &
 * 7) next, resets the DC predictions and the end-of-band run. */
c9_err_t c9_jpeg_restart(c9_jpeg_t *d, unsigned rst);
/* Decodes a progressive image once c9_jpeg_decode() has set up the scale and output. */
c9_err_t c9_jpeg_prog_decode(c9_jpeg_t *d);

/* ---- TJpgDec's arithmetic (jpeg_tjpgd.c) ------------------------------------------------------ */

/* 8192 times the AAN prescale factor of each natural position, as TJpgDec rounds it. */
extern const uint16_t c9_jpeg_tj_ipsf[64];
/* TJpgDec's 8x8 AAN inverse DCT of prescaled coefficients (natural order, `nz` as for
 * c9_jpeg_idct8), in place in blk, to unclipped 16-bit samples. */
void c9_jpeg_tj_idct(int32_t *blk, uint64_t nz, int16_t *out, unsigned stride);

/* ---- Inverse transforms (jpeg_idct.c) -------------------------------------------------------- */

/* Full 8x8 inverse DCT of dequantised coefficients (natural order) to clamped samples.
 * `nz` has bit (row * 8 + column) set for every coefficient that may be non-zero (the others
 * must be zero): empty rows and columns cost nothing. ws is 64 words of scratch. */
void c9_jpeg_idct8(const int16_t *coef, uint8_t *out, unsigned stride, uint64_t nz, int32_t *ws);

/* 2x2 output whose samples are the exact means of the four 4x4 quadrants of the full inverse
 * DCT: only coefficients 0, 1, 3, 5 and 7 of each row and column contribute. out is 2x2 with
 * the given stride; `nz` as for c9_jpeg_idct8. Used for subsampled chroma at 1/8 scale. */
void c9_jpeg_idct2x2(const int16_t *coef, uint8_t *out, unsigned stride, uint64_t nz);

#endif /* CIRCUIT9_JPEG_INTERNAL_H */
