/*
 * JPEG headers: markers up to the first scan, quantisation and Huffman table segments, the frame
 * and scan headers, and the decoder's public set-up functions.
 */
#include <stddef.h>

#include "jpeg_internal.h"

const uint8_t c9_jpeg_zz[80] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13,
    6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31,
    39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
};

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
    return c9_strerror(err); /* common.h's table has every code's text */
}

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int r_ = (x);                                                                                                  \
        if (r_ < 0)                                                                                                    \
            return r_;                                                                                                 \
    } while (0)

static c9_err_t parse_dht(c9_jpeg_t *d) {
    int len;
    TRY(len = c9_jpeg_get16(d));
    len -= 2;
    while (len > 0) {
        int tc;
        TRY(tc = c9_jpeg_get8(d));
        unsigned cls = (unsigned)tc >> 4, id = (unsigned)tc & 15;
        if (cls > 1 || id > 3)
            return C9_ERR_JPEG_FORMAT;
        if (id > 1)
            return C9_ERR_NOTSUP; /* only baseline's two table slots are kept */
        huff_t *h = cls ? &d->hac[id] : &d->hdc[id];
        unsigned total = 0;
        for (int i = 0; i < 16; i++) {
            int c;
            TRY(c = c9_jpeg_get8(d));
            h->counts[i] = (uint8_t)c;
            total += (unsigned)c;
        }
        len -= 17;
        if (total > (cls ? 256u : 16u) || (int)total > len)
            return C9_ERR_JPEG_FORMAT;
        len -= (int)total;
        d->hdef |= (uint8_t)(1u << (cls * 2 + id));
        if (cls && d->surveying) { /* AC tables are not used then, and their memory is taken */
            TRY(c9_jpeg_skip_bytes(d, total));
            continue;
        }
        uint8_t *vals = cls ? d->acval[id] : d->dcval[id];
        for (unsigned i = 0; i < total; i++) {
            int c;
            TRY(c = c9_jpeg_get8(d));
            vals[i] = (uint8_t)c;
        }
        TRY(c9_jpeg_build_huff(d, cls, id));
    }
    return len == 0 ? C9_OK : C9_ERR_JPEG_FORMAT;
}

static c9_err_t parse_dqt(c9_jpeg_t *d) {
    int len;
    TRY(len = c9_jpeg_get16(d));
    len -= 2;
    while (len > 0) {
        int pt;
        TRY(pt = c9_jpeg_get8(d));
        unsigned pq = (unsigned)pt >> 4, id = (unsigned)pt & 15;
        if (pq > 1 || id > 3)
            return C9_ERR_JPEG_FORMAT;
        len -= 1 + 64 * (int)(pq + 1);
        if (len < 0)
            return C9_ERR_JPEG_FORMAT;
        for (int k = 0; k < 64; k++) {
            int v;
            TRY(v = pq ? c9_jpeg_get16(d) : c9_jpeg_get8(d));
            d->qt[id][c9_jpeg_zz[k]] = (uint16_t)v;
        }
        d->qdef |= (uint8_t)(1u << id);
    }
    return len == 0 ? C9_OK : C9_ERR_JPEG_FORMAT;
}

static c9_err_t parse_sof(c9_jpeg_t *d) {
    int len, p, hgt, wid, nf;
    if (d->sof)
        return C9_ERR_JPEG_FORMAT;
    TRY(len = c9_jpeg_get16(d));
    TRY(p = c9_jpeg_get8(d));
    TRY(hgt = c9_jpeg_get16(d));
    TRY(wid = c9_jpeg_get16(d));
    TRY(nf = c9_jpeg_get8(d));
    if (p != 8)
        return C9_ERR_JPEG_PRECISION;
    if (nf == 4)
        return C9_ERR_JPEG_CMYK;
    if (nf == 0 || len != 8 + 3 * nf)
        return C9_ERR_JPEG_FORMAT;
    if (nf != 1 && nf != 3)
        return C9_ERR_NOTSUP;
    if (wid == 0 || hgt == 0)
        return C9_ERR_JPEG_FORMAT; /* height 0 would need DNL; width 0 is invalid */
    d->width = (uint16_t)wid;
    d->height = (uint16_t)hgt;
    d->ncomp = (uint8_t)nf;
    for (int i = 0; i < nf; i++) {
        int id, hv, tq;
        TRY(id = c9_jpeg_get8(d));
        TRY(hv = c9_jpeg_get8(d));
        TRY(tq = c9_jpeg_get8(d));
        comp_t *c = &d->comp[i];
        c->id = (uint8_t)id;
        c->h = (uint8_t)(hv >> 4);
        c->v = (uint8_t)(hv & 15);
        c->tq = (uint8_t)tq;
        if (c->h < 1 || c->h > 4 || c->v < 1 || c->v > 4 || tq > 3)
            return C9_ERR_JPEG_FORMAT;
    }
    d->sof = 1;
    return C9_OK;
}

static bool pow2_ratio(unsigned max, unsigned f) {
    return max % f == 0 && (max / f == 1 || max / f == 2 || max / f == 4);
}

/* MCU geometry of the frame: sampling factors checked, MCU counts. */
static c9_err_t frame_geometry(c9_jpeg_t *d) {
    unsigned hmax = 1, vmax = 1, blocks = 0;
    if (d->ncomp == 1) {
        d->comp[0].h = d->comp[0].v = 1; /* a single-component scan is one block per MCU */
    }
    for (int i = 0; i < d->ncomp; i++) {
        comp_t *c = &d->comp[i];
        hmax = C9_MAX(hmax, c->h);
        vmax = C9_MAX(vmax, c->v);
        blocks += (unsigned)c->h * c->v;
    }
    if (blocks > MAX_BLOCKS)
        return C9_ERR_JPEG_SAMPLING;
    for (int i = 0; i < d->ncomp; i++) {
        if (!pow2_ratio(hmax, d->comp[i].h) || !pow2_ratio(vmax, d->comp[i].v))
            return C9_ERR_JPEG_SAMPLING;
    }
    d->hmax = (uint8_t)hmax;
    d->vmax = (uint8_t)vmax;
    d->mcus_x = (uint16_t)((d->width + 8 * hmax - 1) / (8 * hmax));
    d->mcus_y = (uint16_t)((d->height + 8 * vmax - 1) / (8 * vmax));
    return C9_OK;
}

/* A scan header. Baseline: every component, the whole spectrum, no approximation. Progressive:
 * one component or several for DC scans, a spectral band and successive approximation. */
static c9_err_t parse_sos(c9_jpeg_t *d) {
    int len, ns;
    if (!d->sof)
        return C9_ERR_JPEG_FORMAT;
    TRY(len = c9_jpeg_get16(d));
    TRY(ns = c9_jpeg_get8(d));
    if (ns < 1 || ns > 4 || len != 6 + 2 * ns || ns > d->ncomp)
        return C9_ERR_JPEG_FORMAT;
    if (ns != d->ncomp && !d->prog)
        return C9_ERR_NOTSUP; /* baseline components in separate scans need a whole-image buffer */
    unsigned used = 0;
    for (int i = 0; i < ns; i++) {
        int cs, t;
        TRY(cs = c9_jpeg_get8(d));
        TRY(t = c9_jpeg_get8(d));
        int ci = -1;
        for (int j = 0; j < d->ncomp; j++) {
            if (d->comp[j].id == cs && !(used & (1u << j))) {
                ci = j;
                break;
            }
        }
        if (ci < 0)
            return C9_ERR_JPEG_FORMAT;
        used |= 1u << ci;
        comp_t *c = &d->comp[ci];
        c->td = (uint8_t)(t >> 4);
        c->ta = (uint8_t)(t & 15);
        if (c->td > 3 || c->ta > 3)
            return C9_ERR_JPEG_FORMAT;
        if (c->td > 1 || c->ta > 1)
            return C9_ERR_NOTSUP;
        d->order[i] = (uint8_t)ci;
    }
    d->ns = (uint8_t)ns;
    int ss, se, a;
    TRY(ss = c9_jpeg_get8(d));
    TRY(se = c9_jpeg_get8(d));
    TRY(a = c9_jpeg_get8(d));
    d->ss = (uint8_t)ss;
    d->se = (uint8_t)se;
    d->ah = (uint8_t)(a >> 4);
    d->al = (uint8_t)(a & 15);
    if (!d->prog) {
        if (ss != 0 || se != 63 || a != 0)
            return C9_ERR_JPEG_FORMAT;
    } else if (ss > se || se > 63 || (ss == 0 && se != 0) || (ss && ns != 1) || d->ah > 13 || d->al > 13) {
        return C9_ERR_JPEG_FORMAT;
    }
    /* The tables this scan uses: DC tables for the first DC scan, AC tables for AC scans. */
    bool dc_tab = !d->prog || (ss == 0 && d->ah == 0), ac_tab = !d->prog || ss != 0;
    for (int i = 0; i < ns; i++) {
        const comp_t *c = &d->comp[d->order[i]];
        if (!(d->qdef & (1u << c->tq)) || (dc_tab && !(d->hdef & (1u << c->td))) ||
            (ac_tab && !(d->hdef & (4u << c->ta))))
            return C9_ERR_JPEG_FORMAT;
    }
    return frame_geometry(d);
}

c9_err_t c9_jpeg_markers(c9_jpeg_t *d, bool *eoi) {
    *eoi = false;
    for (;;) {
        int m;
        TRY(m = c9_jpeg_get8(d));
        if (m != 0xFF)
            return C9_ERR_JPEG_FORMAT;
        do {
            TRY(m = c9_jpeg_get8(d));
        } while (m == 0xFF);
        switch (m) {
        case M_SOF0:
        case M_SOF1: TRY(parse_sof(d)); break;
        case M_SOF2:
#if C9_JPEG_PROGRESSIVE
            TRY(parse_sof(d));
            d->prog = 1;
            break;
#else
            return C9_ERR_JPEG_PROGRESSIVE;
#endif
        case 0xC6: return C9_ERR_JPEG_PROGRESSIVE; /* differential (hierarchical) progressive */
        case 0xC3:
        case 0xC7:
        case 0xCB:
        case 0xCF: return C9_ERR_JPEG_LOSSLESS;
        case 0xC9:
        case 0xCA:
        case 0xCD:
        case 0xCE: return C9_ERR_JPEG_ARITHMETIC;
        case 0xC5: return C9_ERR_NOTSUP; /* hierarchical */
        case M_DHT: TRY(parse_dht(d)); break;
        case M_DQT: TRY(parse_dqt(d)); break;
        case M_DRI: {
            int len, ri;
            TRY(len = c9_jpeg_get16(d));
            TRY(ri = c9_jpeg_get16(d));
            if (len != 4)
                return C9_ERR_JPEG_FORMAT;
            d->ri = (uint16_t)ri;
            break;
        }
        case M_SOS: return parse_sos(d);
        case M_EOI:
            if (d->prog && d->ns) {
                *eoi = true; /* after the last scan of a progressive image */
                return C9_OK;
            }
            return C9_ERR_JPEG_FORMAT;
        case M_SOI:
        case 0x00: return C9_ERR_JPEG_FORMAT;
        default:
            if (m == M_TEM || (m >= M_RST0 && m <= M_RST0 + 7))
                break; /* no length */
            int len;
            TRY(len = c9_jpeg_get16(d));
            if (len < 2)
                return C9_ERR_JPEG_FORMAT;
            TRY(c9_jpeg_skip_bytes(d, (uint32_t)len - 2));
            break;
        }
    }
}

static c9_err_t parse_headers(c9_jpeg_t *d) {
    int a, b;
    TRY(a = c9_jpeg_get8(d));
    TRY(b = c9_jpeg_get8(d));
    if (d->find_soi) {
        /* TJpgDec's search: slide over the input until the last two bytes are FF D8; the end of
         * the input first is a truncated file. */
        while (a != 0xFF || b != M_SOI) {
            a = b;
            TRY(b = c9_jpeg_get8(d));
        }
        d->soi_off = d->in_base + (uint32_t)(d->in_ptr - d->inbuf) - 2u;
    } else if (a != 0xFF || b != M_SOI) {
        return C9_ERR_JPEG_FORMAT;
    }
    bool eoi;
    return c9_jpeg_markers(d, &eoi);
}

#if C9_JPEG_PROGRESSIVE
/* Everything but the caller's set-up back to its state after c9_jpeg_open(): the input from its
 * start again (seek), the headers parsed up to the first scan. */
c9_err_t c9_jpeg_reparse(c9_jpeg_t *d) {
    c9_jpeg_read_fn read = d->read;
    void *read_ctx = d->read_ctx;
    c9_jpeg_seek_fn seek = d->seek;
#if C9_JPEG_FAST_PROFILE
    fastx_t *fx = d->fx;
#endif
    uint8_t *inbuf = d->inbuf;
    uint16_t in_cap = d->in_cap;
    uint8_t profile = d->profile, state = d->state;
    int16_t *cm = d->cm;
    size_t cm_size = d->cm_size;
    uint8_t find_soi = d->find_soi;
    uint32_t soi_off = d->soi_off;
    uint16_t crop[4] = {d->crop_x1, d->crop_y1, d->crop_x2, d->crop_y2};
    memset(d, 0, offsetof(c9_jpeg_t, u));
    d->find_soi = find_soi;
    d->soi_off = soi_off;
    d->crop_x1 = crop[0];
    d->crop_y1 = crop[1];
    d->crop_x2 = crop[2];
    d->crop_y2 = crop[3];
    d->in_base = soi_off; /* offsets keep counting from the first byte ever read */
    d->read = read;
    d->read_ctx = read_ctx;
    d->seek = seek;
#if C9_JPEG_FAST_PROFILE
    d->fx = fx;
#endif
    d->inbuf = inbuf;
    d->in_cap = in_cap;
    d->in_ptr = d->in_end = inbuf;
    d->profile = profile;
    d->cm = cm;
    d->cm_size = cm_size;
    c9_err_t err = seek(read_ctx, soi_off);
    if (err == C9_OK)
        err = parse_headers(d);
    d->state = err == C9_OK ? state : (uint8_t)ST_DONE;
    return err;
}
#endif

static c9_err_t open_input(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile,
                           c9_jpeg_read_fn read, void *read_ctx, bool find_soi) {
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
    d->find_soi = find_soi;
    d->crop_x2 = d->crop_y2 = 0xFFFF;
    c9_err_t err = parse_headers(d);
    if (err != C9_OK)
        return err;
    d->state = ST_OPEN;
    *out = d;
    return C9_OK;
}

c9_err_t c9_jpeg_open(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile, c9_jpeg_read_fn read,
                      void *read_ctx) {
    return open_input(out, work, work_size, profile, read, read_ctx, false);
}

c9_err_t c9_jpeg_open_scan(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile,
                           c9_jpeg_read_fn read, void *read_ctx) {
    return open_input(out, work, work_size, profile, read, read_ctx, true);
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
    info->progressive = d->prog;
    info->soi_offset = d->soi_off;
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
