/*
 * Helpers shared by the JPEG unit tests that need more than test_jpeg.c's PSNR checks:
 * fixtures and sources, decoding with the output area checked, libjpeg-turbo as encoder,
 * transcoder and coefficient reader, SHA-256, and an independent model of TJpgDec's arithmetic.
 *
 * The model computes a board's pixels from the quantised coefficients that libjpeg-turbo reads
 * (never from circuit9's entropy decoder), written plainly from TJpgDec's documented arithmetic:
 * no sparse shortcuts, no in-place buffers, whole planes per MCU. It is checked against the
 * board's own output (tjpgd.sha256) before it serves as the reference for generated images.
 */
#ifndef C9_JPEG_TESTLIB_H
#define C9_JPEG_TESTLIB_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jpeglib.h>

#include "circuit9/jpeg.h"

/* Each test file uses some of these helpers. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define FIX C9_SOURCE_DIR "/tests/fixtures/jpeg/"

typedef struct buf {
    uint8_t *p;
    size_t n;
} buf_t;

static buf_t load(const char *name) {
    char path[512];
    snprintf(path, sizeof path, FIX "%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf_t b = {malloc((size_t)n), (size_t)n};
    assert_int_equal(fread(b.p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return b;
}

/* A source that hands out at most `chunk` bytes per call, or fails with `fail` once empty;
 * seekable when base is set. */
typedef struct src {
    const uint8_t *p;
    size_t n, chunk;
    const uint8_t *base;
    size_t total;
    unsigned seeks;
    c9_err_t fail;
} src_t;

static c9_err_t src_seek(void *ctx, uint32_t off) {
    src_t *s = ctx;
    if (!s->base || off > s->total)
        return C9_ERR_RANGE;
    s->p = s->base + off;
    s->n = s->total - off;
    s->seeks++;
    return C9_OK;
}

static int32_t src_read(void *ctx, uint8_t *out, uint32_t len) {
    src_t *s = ctx;
    if (s->n == 0 && s->fail)
        return s->fail;
    size_t k = C9_MIN((size_t)len, C9_MIN(s->n, s->chunk));
    if (k)
        memcpy(out, s->p, k);
    s->p += k;
    s->n -= k;
    return (int32_t)k;
}

/* The decoded image, w x h pixels, with every pixel counted as it is written. Pixels start as
 * UNWRITTEN so that what a decode leaves alone shows. */
#define UNWRITTEN 0x5A5Au
typedef struct img {
    uint16_t *px;
    uint8_t *hits;
    unsigned w, h;
    unsigned calls, pixels; /* output calls, pixels output in all */
    unsigned abort_after;   /* >0: put() returns C9_ERR_BUSY on that call */
} img_t;

static c9_err_t put(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels) {
    img_t *im = ctx;
    im->calls++;
    if (im->abort_after && im->calls == im->abort_after)
        return C9_ERR_BUSY;
    if (r->w == 0 || r->h == 0 || r->x + r->w > im->w || r->y + r->h > im->h)
        fail_msg("output rectangle %u,%u %ux%u outside %ux%u", r->x, r->y, r->w, r->h, im->w, im->h);
    for (unsigned y = 0; y < r->h; y++) {
        for (unsigned x = 0; x < r->w; x++) {
            size_t i = (size_t)(r->y + y) * im->w + r->x + x;
            im->px[i] = pixels[(size_t)y * r->stride + x];
            im->hits[i]++;
        }
    }
    im->pixels += (unsigned)r->w * r->h;
    return C9_OK;
}

static void img_init(img_t *im, unsigned w, unsigned h) {
    memset(im, 0, sizeof *im);
    im->w = w;
    im->h = h;
    im->px = malloc((size_t)w * h * 2 + 2);
    im->hits = calloc((size_t)w * h + 1, 1);
    for (size_t i = 0; i < (size_t)w * h; i++)
        im->px[i] = UNWRITTEN;
}

static void img_free(img_t *im) {
    free(im->px);
    free(im->hits);
    im->px = NULL;
    im->hits = NULL;
}

/* Every pixel of the w x h area written exactly once. */
static void assert_covered(const img_t *im, unsigned w, unsigned h, const char *what) {
    for (unsigned y = 0; y < im->h; y++)
        for (unsigned x = 0; x < im->w; x++) {
            unsigned want = x < w && y < h;
            if (im->hits[(size_t)y * im->w + x] != want)
                fail_msg("%s: pixel %u,%u written %u times, expected %u", what, x, y, im->hits[(size_t)y * im->w + x],
                         want);
        }
}

static uint8_t work_mem[C9_JPEG_WORKSPACE_FAST + 8];

/* Decodes into an image of the full scaled size (rounded up) plus `margin` pixels each way. */
static c9_err_t decode_img(const buf_t *b, c9_jpeg_profile_t prof, unsigned scale, unsigned flags, size_t chunk,
                           unsigned margin, img_t *im) {
    src_t s = {.p = b->p, .n = b->n, .chunk = chunk};
    c9_jpeg_t *d;
    memset(im, 0, sizeof *im);
    /* Deliberately misaligned work memory: the decoder aligns it itself. */
    c9_err_t e = c9_jpeg_open(&d, work_mem + 1, c9_jpeg_workspace_size(prof), prof, src_read, &s);
    if (e != C9_OK)
        return e;
    uint16_t w, h;
    c9_jpeg_scaled_size(d, scale, &w, &h);
    img_init(im, w + margin, h + margin);
    return c9_jpeg_decode(d, scale, flags, put, im);
}

/* ---- SHA-256 (FIPS 180-4) -------------------------------------------------------------------- */

typedef struct sha256 {
    uint32_t h[8];
    uint8_t blk[64];
    uint64_t len;
} sha256_t;

static uint32_t ror32(uint32_t x, unsigned n) {
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(sha256_t *s, const uint8_t *p) {
    static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

/* Hex digest of data. */
static void sha256_hex(const uint8_t *data, size_t n, char out[65]) {
    sha256_t s = {
        {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}, {0}, 0};
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        sha256_block(&s, data + i);
    uint8_t tail[128] = {0};
    size_t r = n - i;
    memcpy(tail, data + i, r);
    tail[r] = 0x80;
    size_t tl = r + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++)
        tail[tl - 1 - k] = (uint8_t)(bits >> (8 * k));
    for (size_t k = 0; k < tl; k += 64)
        sha256_block(&s, tail + k);
    for (int k = 0; k < 8; k++)
        snprintf(out + 8 * k, 9, "%08x", (unsigned)s.h[k]);
}

/* SHA-256 of the top-left w x h pixels as little-endian 16-bit values (the reference files'
 * layout: what Bitmap[x, y] holds on a board, row by row). */
static void image_hash(const uint16_t *px, unsigned stride, unsigned w, unsigned h, char out[65]) {
    uint8_t *bytes = malloc((size_t)w * h * 2 + 1);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            uint16_t v = px[(size_t)y * stride + x];
            bytes[2 * ((size_t)y * w + x)] = (uint8_t)v;
            bytes[2 * ((size_t)y * w + x) + 1] = (uint8_t)(v >> 8);
        }
    sha256_hex(bytes, (size_t)w * h * 2, out);
    free(bytes);
}

/* The expected hash of reference NAME.sS.bin from tests/fixtures/jpeg/tjpgd.sha256, or NULL. */
static const char *board_hash(const char *name, unsigned scale) {
    static char hashes[128][65], names[128][64];
    static int n = -1;
    if (n < 0) {
        n = 0;
        FILE *f = fopen(FIX "tjpgd.sha256", "r");
        assert_non_null(f);
        char line[160];
        while (n < 128 && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (strlen(line) < 67 || strlen(line + 66) >= sizeof names[n])
                continue;
            memcpy(hashes[n], line, 64);
            hashes[n][64] = 0;
            strcpy(names[n], line + 66);
            n++;
        }
        fclose(f);
    }
    char want[96];
    snprintf(want, sizeof want, "%s.s%u.bin", name, scale);
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], want))
            return hashes[i];
    return NULL;
}

/* ---- libjpeg-turbo --------------------------------------------------------------------------- */

typedef struct ljerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jb;
} ljerr_t;

static void lj_fail(j_common_ptr ci) {
    longjmp(((ljerr_t *)ci->err)->jb, 1);
}
static void lj_quiet(j_common_ptr ci) {
    (void)ci;
}

/* libjpeg-turbo's accurate RGB decode at 1/2^scale (its own DCT scaling). */
static uint8_t *lj_decode(const buf_t *b, unsigned scale, unsigned *w, unsigned *h) {
    struct jpeg_decompress_struct ci;
    ljerr_t err;
    ci.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = lj_fail;
    err.mgr.output_message = lj_quiet;
    uint8_t *volatile out = NULL;
    if (setjmp(err.jb)) {
        jpeg_destroy_decompress(&ci);
        free(out);
        return NULL;
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, b->p, (unsigned long)b->n);
    jpeg_read_header(&ci, TRUE);
    ci.scale_num = 1;
    ci.scale_denom = 1u << scale;
    ci.dct_method = JDCT_ISLOW;
    ci.out_color_space = JCS_RGB;
    jpeg_start_decompress(&ci);
    *w = ci.output_width;
    *h = ci.output_height;
    out = malloc((size_t)*w * *h * 3);
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = out + (size_t)ci.output_scanline * *w * 3;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    return out;
}

/* PSNR over R, G and B of the top-left w x h, our RGB565 widened by bit replication. */
static double psnr565(const uint16_t *px, unsigned stride, const uint8_t *ref, unsigned ref_w, unsigned w, unsigned h) {
    double se = 0;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            unsigned v = px[(size_t)y * stride + x];
            const uint8_t *q = ref + 3 * ((size_t)y * ref_w + x);
            int c[3] = {(int)((v >> 11) << 3 | (v >> 13)), (int)(((v >> 5) & 63) << 2 | ((v >> 9) & 3)),
                        (int)((v & 31) << 3 | ((v >> 2) & 7))};
            for (int k = 0; k < 3; k++)
                se += (double)(c[k] - q[k]) * (c[k] - q[k]);
        }
    return se == 0 ? 99.0 : 10 * log10(255.0 * 255.0 * 3 * w * h / se);
}

/* What to encode: a synthetic picture (gradients, saturated discs, stripes, seeded noise). */
typedef struct enc {
    unsigned w, h;
    int ncomp; /* 1 or 3 */
    int hs[3], vs[3];
    int quality;
    int restart;   /* MCUs per restart interval, 0 for none */
    bool optimize; /* optimised Huffman tables */
    bool progressive;
    int noise; /* noise amplitude 0..255 */
    uint32_t seed;
    bool smooth; /* gradients and noise only: no saturated edges (closer to a photograph) */
} enc_t;

static uint8_t picture(const enc_t *e, unsigned x, unsigned y, int c, uint32_t *seed) {
    *seed = *seed * 1103515245u + 12345u;
    int v = (int)((x * 255) / (e->w ? e->w : 1));
    if (c == 1)
        v = (int)((y * 255) / (e->h ? e->h : 1));
    if (c == 2)
        v = e->smooth ? (int)(((x + y) * 255) / (e->w + e->h)) : (int)(((x + y) * 4) & 255);
    int dx = (int)x - (int)e->w / 3, dy = (int)y - (int)e->h / 2;
    if (!e->smooth && dx * dx + dy * dy < (int)(e->h * e->h / 16))
        v = c == 0 ? 255 : 0; /* saturated red disc: overshoot and clipping */
    if (!e->smooth && (x / 3) % 5 == 0 && y > e->h * 2 / 3)
        v = 255 - v; /* fine stripes */
    if (e->smooth)
        v = 64 + v / 2;
    v += (int)((*seed >> 16) % (unsigned)(2 * e->noise + 1)) - e->noise;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static buf_t lj_encode(const enc_t *e) {
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    jpeg_mem_dest(&ci, &out, &outsize);
    ci.image_width = e->w;
    ci.image_height = e->h;
    ci.input_components = e->ncomp;
    ci.in_color_space = e->ncomp == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, e->quality, TRUE);
    for (int i = 0; i < e->ncomp; i++) {
        ci.comp_info[i].h_samp_factor = e->hs[i] ? e->hs[i] : 1;
        ci.comp_info[i].v_samp_factor = e->vs[i] ? e->vs[i] : 1;
    }
    ci.restart_interval = (unsigned)e->restart;
    ci.optimize_coding = e->optimize;
    if (e->progressive)
        jpeg_simple_progression(&ci);
    jpeg_start_compress(&ci, TRUE);
    uint8_t *row = malloc((size_t)e->w * (size_t)e->ncomp);
    uint32_t seed = e->seed;
    for (unsigned y = 0; y < e->h; y++) {
        for (unsigned x = 0; x < e->w; x++)
            for (int c = 0; c < e->ncomp; c++)
                row[(size_t)x * e->ncomp + c] = picture(e, x, y, c, &seed);
        JSAMPROW r = row;
        jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    free(row);
    buf_t b = {malloc(outsize), outsize};
    memcpy(b.p, out, outsize);
    free(out);
    return b;
}

/* Rewrites a JPEG with the same coefficients (libjpeg-turbo's lossless transcoding, as jpegtran
 * does): progressive with libjpeg's default script when scans is NULL, else with that scan
 * script (n entries); restart is the interval in MCUs (0: none). */
static buf_t lj_transcode(const buf_t *in, const jpeg_scan_info *scans, int n, int restart) {
    struct jpeg_decompress_struct di;
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr je, ce;
    di.err = jpeg_std_error(&je);
    jpeg_create_decompress(&di);
    jpeg_mem_src(&di, in->p, (unsigned long)in->n);
    jpeg_read_header(&di, TRUE);
    jvirt_barray_ptr *coefs = jpeg_read_coefficients(&di);
    ci.err = jpeg_std_error(&ce);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    jpeg_mem_dest(&ci, &out, &outsize);
    jpeg_copy_critical_parameters(&di, &ci);
    if (scans) {
        ci.scan_info = scans;
        ci.num_scans = n;
    } else {
        jpeg_simple_progression(&ci);
    }
    ci.restart_interval = (unsigned)restart;
    jpeg_write_coefficients(&ci, coefs);
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    jpeg_finish_decompress(&di);
    jpeg_destroy_decompress(&di);
    buf_t b = {malloc(outsize), outsize};
    memcpy(b.p, out, outsize);
    free(out);
    return b;
}

/* ---- Quantised coefficients, as libjpeg-turbo reads them ------------------------------------- */

typedef struct coefs {
    unsigned w, h;
    int ncomp, hmax, vmax;
    int hs[3], vs[3];
    unsigned bw[3], bh[3]; /* blocks stored per row and column */
    int16_t *c[3];         /* bw * bh blocks of 64, natural order */
    uint16_t q[3][64];     /* natural order */
} coefs_t;

static bool lj_coefs(const buf_t *b, coefs_t *k) {
    struct jpeg_decompress_struct ci;
    ljerr_t err;
    ci.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = lj_fail;
    err.mgr.output_message = lj_quiet;
    memset(k, 0, sizeof *k);
    if (setjmp(err.jb)) {
        jpeg_destroy_decompress(&ci);
        return false;
    }
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, b->p, (unsigned long)b->n);
    jpeg_read_header(&ci, TRUE);
    jvirt_barray_ptr *arrays = jpeg_read_coefficients(&ci);
    k->w = ci.image_width;
    k->h = ci.image_height;
    k->ncomp = ci.num_components;
    k->hmax = ci.max_h_samp_factor;
    k->vmax = ci.max_v_samp_factor;
    for (int c = 0; c < k->ncomp; c++) {
        jpeg_component_info *cp = &ci.comp_info[c];
        k->hs[c] = k->ncomp == 1 ? 1 : cp->h_samp_factor;
        k->vs[c] = k->ncomp == 1 ? 1 : cp->v_samp_factor;
        k->bw[c] = cp->width_in_blocks;
        k->bh[c] = cp->height_in_blocks;
        for (int i = 0; i < 64; i++)
            k->q[c][i] = cp->quant_table->quantval[i];
        k->c[c] = calloc((size_t)k->bw[c] * k->bh[c] * 64, sizeof(int16_t));
        for (unsigned by = 0; by < k->bh[c]; by++) {
            JBLOCKARRAY rows = ci.mem->access_virt_barray((j_common_ptr)&ci, arrays[c], by, 1, FALSE);
            for (unsigned bx = 0; bx < k->bw[c]; bx++)
                for (int i = 0; i < 64; i++)
                    k->c[c][((size_t)by * k->bw[c] + bx) * 64 + i] = rows[0][bx][i];
        }
    }
    if (k->ncomp == 1)
        k->hmax = k->vmax = 1;
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    return true;
}

static void coefs_free(coefs_t *k) {
    for (int c = 0; c < 3; c++)
        free(k->c[c]);
}

/* ---- The model of TJpgDec's arithmetic -------------------------------------------------------- */

/* 8192 * s(u) * s(v) truncated, s(0) = 1, s(k) = sqrt(2) cos(k pi / 16); TJpgDec rounds the
 * products to five decimals first, which moves (1,2) and (2,1) up by one. */
static int32_t model_ipsf(int u, int v) {
    if ((u == 1 && v == 2) || (u == 2 && v == 1))
        return 14846;
    double su = u ? sqrt(2.0) * cos(u * M_PI / 16) : 1.0, sv = v ? sqrt(2.0) * cos(v * M_PI / 16) : 1.0;
    return (int32_t)(8192 * su * sv + 1e-9);
}

/* a * k / 4096 as TJpgDec computes it: 32-bit product, arithmetic shift. */
static int32_t model_mul(int32_t a, int32_t k) {
    return (int32_t)((uint32_t)a * (uint32_t)k) >> 12;
}

static void model_pass(int32_t *v, int stride, int32_t add) {
    int32_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = v[i * stride];
    x[0] += add;
    const int32_t A = (int32_t)(1.41421 * 4096), B = (int32_t)(1.08239 * 4096), C = (int32_t)(2.61313 * 4096),
                  D = (int32_t)(1.84776 * 4096);
    int32_t t10 = x[0] + x[4], t12 = x[0] - x[4];
    int32_t t11 = model_mul(x[2] - x[6], A);
    int32_t s26 = x[2] + x[6];
    t11 -= s26;
    int32_t e0 = t10 + s26, e3 = t10 - s26, e1 = t11 + t12, e2 = t12 - t11;
    int32_t o10 = x[1] - x[7], o11 = x[1] + x[7], o12 = x[5] - x[3], o7 = x[3] + x[5];
    int32_t o5 = model_mul(o11 - o7, A);
    o7 += o11;
    int32_t o13 = model_mul(o10 + o12, D);
    int32_t o4 = o13 - model_mul(o10, B);
    int32_t o6 = o13 - model_mul(o12, C) - o7;
    o5 -= o6;
    o4 -= o5;
    v[0 * stride] = e0 + o7;
    v[7 * stride] = e0 - o7;
    v[1 * stride] = e1 + o6;
    v[6 * stride] = e1 - o6;
    v[2 * stride] = e2 + o5;
    v[5 * stride] = e2 - o5;
    v[3 * stride] = e3 + o4;
    v[4 * stride] = e3 - o4;
}

/* One block to 8x8 samples (or, at 1/8, its single sample in s[0]). */
static void model_block(const int16_t *coef, const uint16_t *q, bool eighth, int16_t s[64]) {
    int32_t t[64];
    bool ac = false;
    for (int i = 0; i < 64; i++) {
        t[i] = (int32_t)((uint32_t)coef[i] * ((uint32_t)q[i] * (uint32_t)model_ipsf(i / 8, i % 8))) >> 8;
        if (i && coef[i])
            ac = true;
    }
    if (eighth || !ac) {
        for (int i = 0; i < 64; i++)
            s[i] = (int16_t)(t[0] / 256 + 128);
        return;
    }
    for (int c = 0; c < 8; c++)
        model_pass(t + c, 8, 0);
    for (int r = 0; r < 8; r++) {
        model_pass(t + 8 * r, 1, 128 << 8);
        for (int c = 0; c < 8; c++)
            s[8 * r + c] = (int16_t)(t[8 * r + c] >> 8);
    }
}

static int32_t model_clip(int32_t v) {
    int32_t u = v & 1023;
    return u < 256 ? u : u < 512 ? 255 : 0;
}

static int32_t model_div1024(int32_t v) {
    return v / 1024; /* C's division: toward zero */
}

static void model_rgb(int32_t y, int32_t cb, int32_t cr, int32_t rgb[3]) {
    cb -= 128;
    cr -= 128;
    rgb[0] = model_clip(y + model_div1024(1435 * cr));
    rgb[1] = model_clip(y - model_div1024(352 * cb + 731 * cr));
    rgb[2] = model_clip(y + model_div1024(1814 * cb));
}

/* A board's image at 1/2^scale: (w >> scale) x (h >> scale) values as Bitmap[x, y] holds them
 * (RGB565, bytes swapped). */
static uint16_t *model_image(const coefs_t *k, unsigned scale, unsigned *ow, unsigned *oh) {
    *ow = k->w >> scale;
    *oh = k->h >> scale;
    uint16_t *out = calloc((size_t)*ow * *oh + 1, 2);
    unsigned mw = 8u * (unsigned)k->hmax, mh = 8u * (unsigned)k->vmax;
    assert_true(k->hs[0] == k->hmax && k->vs[0] == k->vmax); /* luma covers the MCU */
    unsigned mcus_x = (k->w + mw - 1) / mw, mcus_y = (k->h + mh - 1) / mh;
    static int16_t plane[3][32 * 32];
    for (unsigned my = 0; my < mcus_y; my++) {
        for (unsigned mx = 0; mx < mcus_x; mx++) {
            /* Full-size planes of this MCU (one sample per block at 1/8). */
            for (int c = 0; c < k->ncomp; c++) {
                unsigned pw = 8u * (unsigned)k->hs[c];
                for (int by = 0; by < k->vs[c]; by++)
                    for (int bx = 0; bx < k->hs[c]; bx++) {
                        unsigned gx = mx * (unsigned)k->hs[c] + (unsigned)bx,
                                 gy = my * (unsigned)k->vs[c] + (unsigned)by;
                        static const int16_t zero[64];
                        const int16_t *co =
                            gx < k->bw[c] && gy < k->bh[c] ? k->c[c] + ((size_t)gy * k->bw[c] + gx) * 64 : zero;
                        int16_t s[64];
                        model_block(co, k->q[c], scale == 3, s);
                        for (int y = 0; y < 8; y++)
                            for (int x = 0; x < 8; x++)
                                plane[c][(by * 8 + y) * pw + bx * 8 + x] = s[y * 8 + x];
                    }
            }
            unsigned x0 = mx * mw, y0 = my * mh;
            unsigned rw = C9_MIN(mw, k->w - x0) >> scale, rh = C9_MIN(mh, k->h - y0) >> scale;
            for (unsigned oy = 0; oy < rh; oy++)
                for (unsigned ox = 0; ox < rw; ox++) {
                    int32_t sum[3] = {0, 0, 0};
                    /* The full-size pixels behind this one (at 1/8 one per block: the planes then
                     * hold each block's single sample throughout). */
                    unsigned f = scale == 3 ? 1 : 1u << scale, step = scale == 3 ? 8 : 1;
                    for (unsigned j = 0; j < f; j++)
                        for (unsigned i = 0; i < f; i++) {
                            unsigned px = (ox * f + i) * step, py = (oy * f + j) * step;
                            int32_t yv = plane[0][py * mw + px], cb = 128, cr = 128, rgb[3];
                            if (k->ncomp == 3) {
                                cb = plane[1][(py * (unsigned)k->vs[1] / (unsigned)k->vmax) * 8u * (unsigned)k->hs[1] +
                                              px * (unsigned)k->hs[1] / (unsigned)k->hmax];
                                cr = plane[2][(py * (unsigned)k->vs[2] / (unsigned)k->vmax) * 8u * (unsigned)k->hs[2] +
                                              px * (unsigned)k->hs[2] / (unsigned)k->hmax];
                            }
                            model_rgb(yv, cb, cr, rgb);
                            for (int c = 0; c < 3; c++)
                                sum[c] += rgb[c];
                        }
                    unsigned sh = scale == 3 ? 0 : 2 * scale;
                    unsigned r = (unsigned)sum[0] >> sh, g = (unsigned)sum[1] >> sh, b = (unsigned)sum[2] >> sh;
                    uint16_t v = (uint16_t)(((r & 0xF8) << 8) | ((g & 0xFC) << 3) | (b >> 3));
                    out[(size_t)((y0 >> scale) + oy) * *ow + (x0 >> scale) + ox] = (uint16_t)((v >> 8) | (v << 8));
                }
        }
    }
    return out;
}

#endif /* C9_JPEG_TESTLIB_H */
