/*
 * jpeg_bench FILES...: per file and pixel-weighted over all files, instructions per source pixel
 * of circuit9's decoder in both arithmetics (q: its own; tj: C9_JPEG_TJPGD, a board's pixels),
 * compact and fast profiles, at 1/1 and 1/8 (tj also 1/2 and 1/4), libjpeg-turbo (ISLOW and
 * IFAST, RGB565 output like ours; JSIMD_FORCENONE=1 in the environment for its C-only code) and
 * stb_image (RGB888, it has no scaling) in the same run, PSNR against libjpeg-turbo's ISLOW RGB888
 * decode at the same scale, work memory, and the coefficient memory of progressive files (at 1/8
 * none when they can seek, which is the default here; "1/8m" decodes without the seek callback).
 *
 * Instruction counts come from callgrind: run under
 *   valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=$DIR/cg.out jpeg_bench ...
 * with C9_CG_OUT=$DIR/cg.out in the environment (run.sh does this). Each measured decode is
 * bracketed by CALLGRIND_ZERO_STATS / TOGGLE_COLLECT / DUMP_STATS, and the dump just written is
 * read back for its total. Outside valgrind the counts print as "-" and only PSNR is shown.
 *
 * PSNR: our RGB565 is expanded to 8 bits by bit replication (the closest 8-bit value), compared on
 * all three channels with libjpeg-turbo's accurate (JDCT_ISLOW) RGB888 output at the same scale.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <valgrind/callgrind.h>

#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

#include "circuit9/jpeg.h"

static const char *cg_out;
static int cg_dumps;

/* Total Ir of the dump just written, or -1 when not under callgrind. */
static double read_dump(void) {
    if (!RUNNING_ON_VALGRIND || !cg_out)
        return -1;
    char name[4096];
    snprintf(name, sizeof name, "%s.%d", cg_out, ++cg_dumps);
    FILE *f = fopen(name, "r");
    if (!f)
        return -1;
    char line[1024];
    double v = -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7)) {
            v = atof(strchr(line, ':') + 1);
            break;
        }
    }
    fclose(f);
    remove(name);
    return v;
}

#define MEASURE(result, stmt)                                                                                          \
    do {                                                                                                               \
        CALLGRIND_ZERO_STATS;                                                                                          \
        CALLGRIND_TOGGLE_COLLECT;                                                                                      \
        stmt;                                                                                                          \
        CALLGRIND_TOGGLE_COLLECT;                                                                                      \
        CALLGRIND_DUMP_STATS_AT("decode");                                                                             \
        (result) = read_dump();                                                                                        \
    } while (0)

/* ---- circuit9 ----------------------------------------------------------------------------- */

typedef struct src {
    const uint8_t *base, *p;
    size_t total, n;
} src_t;

static c9_err_t mem_seek(void *ctx, uint32_t off) {
    src_t *s = ctx;
    if (off > s->total)
        return C9_ERR_RANGE;
    s->p = s->base + off;
    s->n = s->total - off;
    return C9_OK;
}

static int32_t mem_read(void *ctx, uint8_t *buf, uint32_t len) {
    src_t *s = ctx;
    if (len > s->n)
        len = (uint32_t)s->n;
    memcpy(buf, s->p, len);
    s->p += len;
    s->n -= len;
    return (int32_t)len;
}

typedef struct img565 {
    uint16_t *px;
    unsigned w, h;
    unsigned used_w, used_h; /* extent the decoder wrote */
} img565_t;

static c9_err_t blit_out(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels) {
    img565_t *im = ctx;
    if (r->x + r->w > im->used_w)
        im->used_w = r->x + r->w;
    if (r->y + r->h > im->used_h)
        im->used_h = r->y + r->h;
    for (unsigned y = 0; y < r->h; y++)
        memcpy(im->px + (size_t)(r->y + y) * im->w + r->x, pixels + (size_t)y * r->stride, r->w * 2u);
    return C9_OK;
}

static uint8_t work[C9_JPEG_WORKSPACE_FAST];

/* A flag of the bench's own: no seek callback, so that a progressive file at 1/8 gets coefficient
 * memory (and, in the default arithmetic, keeps 4:2:0 chroma's 2x2 transform). */
#define NO_SEEK 0x100u

/* A progressive file gets the coefficient memory c9_jpeg_coef_size() asks for (none at 1/8 when
 * its DC scans can be read side by side through the seek callback); *coef_bytes tells how much. */
static c9_err_t c9_decode(const uint8_t *data, size_t n, c9_jpeg_profile_t prof, unsigned scale, unsigned flags,
                          img565_t *im, size_t *coef_bytes) {
    src_t s = {data, data, n, n};
    c9_jpeg_t *d;
    c9_err_t e = c9_jpeg_open(&d, work, c9_jpeg_workspace_size(prof), prof, mem_read, &s);
    if (e)
        return e;
    if (!(flags & NO_SEEK))
        c9_jpeg_set_seek(d, mem_seek);
    flags &= ~NO_SEEK;
    size_t need = 0;
    e = c9_jpeg_coef_size(d, scale, flags, &need);
    if (e)
        return e;
    void *coef = need ? malloc(need) : NULL;
    if (need)
        c9_jpeg_set_coef_memory(d, coef, need);
    if (coef_bytes)
        *coef_bytes = need;
    uint16_t w, h;
    c9_jpeg_scaled_size(d, scale, &w, &h);
    if (!im->px) {
        im->w = w;
        im->h = h;
        im->px = calloc((size_t)w * h, 2);
    }
    e = c9_jpeg_decode(d, scale, flags, blit_out, im);
    free(coef);
    return e;
}

/* ---- libjpeg-turbo ------------------------------------------------------------------------ */

static int ljt_decode(const uint8_t *data, size_t n, unsigned scale, J_DCT_METHOD dct, J_COLOR_SPACE cs, uint8_t **out,
                      unsigned *ow, unsigned *oh) {
    struct jpeg_decompress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&ci);
    jpeg_mem_src(&ci, data, (unsigned long)n);
    jpeg_read_header(&ci, TRUE);
    ci.scale_num = 1;
    ci.scale_denom = 1u << scale;
    ci.dct_method = dct;
    ci.out_color_space = cs;
    ci.dither_mode = JDITHER_NONE;
    jpeg_start_decompress(&ci);
    unsigned bpp = (unsigned)ci.output_components == 3 ? 3 : 2;
    if (cs == JCS_RGB565)
        bpp = 2;
    size_t stride = (size_t)ci.output_width * bpp;
    if (!*out)
        *out = malloc(stride * ci.output_height);
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = *out + stride * ci.output_scanline;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    *ow = ci.output_width;
    *oh = ci.output_height;
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    return 0;
}

/* ---- PSNR ---------------------------------------------------------------------------------- */

/* Over the area both images cover (TJpgDec's output area is rounded down). */
static double psnr565(const img565_t *a, const uint8_t *ref, unsigned w, unsigned h) {
    unsigned cw = a->used_w < w ? a->used_w : w, ch = a->used_h < h ? a->used_h : h;
    double se = 0;
    for (size_t y = 0; y < ch; y++) {
        for (size_t x = 0; x < cw; x++) {
            unsigned v = a->px[y * a->w + x];
            const uint8_t *q = ref + 3 * (y * w + x);
            int r = (int)((v >> 11) << 3 | (v >> 13));
            int g = (int)(((v >> 5) & 63) << 2 | ((v >> 9) & 3));
            int b = (int)((v & 31) << 3 | ((v >> 2) & 7));
            int dr = r - q[0], dg = g - q[1], db = b - q[2];
            se += dr * dr + dg * dg + db * db;
        }
    }
    if (se == 0)
        return 99;
    return 10 * log10(255.0 * 255.0 * 3.0 * cw * ch / se);
}

/* ---- main ---------------------------------------------------------------------------------- */

enum { K_C9, K_LJT, K_STB };
typedef struct decoder {
    const char *name;
    int kind;
    c9_jpeg_profile_t profile; /* K_C9 */
    unsigned flags;            /* K_C9 */
    J_DCT_METHOD dct;          /* K_LJT */
    unsigned scale;
    bool psnr; /* report its PSNR */
} decoder_t;

#define TJ C9_JPEG_TJPGD
static const decoder_t decoders[] = {
    {"q-compact 1/1", K_C9, C9_JPEG_PROFILE_COMPACT, 0, 0, 0, true},
    {"q-fast 1/1", K_C9, C9_JPEG_PROFILE_FAST, 0, 0, 0, false},
    {"q-compact 1/8", K_C9, C9_JPEG_PROFILE_COMPACT, 0, 0, 3, true},
    {"q-fast 1/8", K_C9, C9_JPEG_PROFILE_FAST, 0, 0, 3, false},
    {"q-compact 1/8m", K_C9, C9_JPEG_PROFILE_COMPACT, NO_SEEK, 0, 3, true},
    {"tj-compact 1/1", K_C9, C9_JPEG_PROFILE_COMPACT, TJ, 0, 0, true},
    {"tj-fast 1/1", K_C9, C9_JPEG_PROFILE_FAST, TJ, 0, 0, false},
    {"tj-compact 1/2", K_C9, C9_JPEG_PROFILE_COMPACT, TJ, 0, 1, false},
    {"tj-compact 1/4", K_C9, C9_JPEG_PROFILE_COMPACT, TJ, 0, 2, false},
    {"tj-compact 1/8", K_C9, C9_JPEG_PROFILE_COMPACT, TJ, 0, 3, true},
    {"tj-fast 1/8", K_C9, C9_JPEG_PROFILE_FAST, TJ, 0, 3, false},
    {"ljt-islow 1/1", K_LJT, 0, 0, JDCT_ISLOW, 0, false},
    {"ljt-ifast 1/1", K_LJT, 0, 0, JDCT_IFAST, 0, false},
    {"ljt-islow 1/8", K_LJT, 0, 0, JDCT_ISLOW, 3, false},
    {"ljt-ifast 1/8", K_LJT, 0, 0, JDCT_IFAST, 3, false},
    {"stb 1/1", K_STB, 0, 0, 0, 0, false},
};
#define ND (sizeof decoders / sizeof decoders[0])
enum { LJS0 = 11, LJS3 = 13 }; /* libjpeg-turbo ISLOW 1/1 and 1/8 in decoders[] */

int main(int argc, char **argv) {
    cg_out = getenv("C9_CG_OUT");
    if (argc < 2) {
        fprintf(stderr, "usage: jpeg_bench FILES...\n");
        return 2;
    }
    double tot_ir[ND] = {0}, tot_px = 0, tot_mse[ND] = {0};
    bool failed[ND] = {0};
    int nfiles = 0;
    printf("work memory: compact %zu B, fast %zu B\n", c9_jpeg_workspace_size(C9_JPEG_PROFILE_COMPACT),
           c9_jpeg_workspace_size(C9_JPEG_PROFILE_FAST));
    printf("q = circuit9's quality arithmetic, tj = C9_JPEG_TJPGD (a board's pixels)\n\n");
    printf("instructions per source pixel:\n%-40s %6s", "file", "Mpx");
    for (size_t i = 0; i < ND; i++)
        printf(" %14s", decoders[i].name);
    printf("  | PSNR (dB):");
    for (size_t i = 0; i < ND; i++)
        if (decoders[i].psnr)
            printf(" %14s", decoders[i].name);
    printf("\n");
    for (int fi = 1; fi < argc; fi++) {
        FILE *f = fopen(argv[fi], "rb");
        if (!f) {
            perror(argv[fi]);
            continue;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *data = malloc((size_t)n);
        if (fread(data, 1, (size_t)n, f) != (size_t)n) {
            fclose(f);
            free(data);
            continue;
        }
        fclose(f);
        const char *base = strrchr(argv[fi], '/');
        base = base ? base + 1 : argv[fi];
        /* Warm-up so that first-touch page faults and lazy binding are not counted. */
        {
            img565_t t = {0};
            c9_err_t err = c9_decode(data, (size_t)n, C9_JPEG_PROFILE_FAST, 0, 0, &t, NULL);
            free(t.px);
            if (err) {
                printf("%-40s error %d (%s)\n", base, err, c9_jpeg_strerror(err));
                free(data);
                continue;
            }
        }
        unsigned w, h, rw[4] = {0}, rh[4] = {0};
        uint8_t *ref[4] = {0};
        ljt_decode(data, (size_t)n, 0, JDCT_ISLOW, JCS_RGB, &ref[0], &rw[0], &rh[0]);
        ljt_decode(data, (size_t)n, 3, JDCT_ISLOW, JCS_RGB, &ref[3], &rw[3], &rh[3]);
        w = rw[0];
        h = rh[0];
        double px = (double)w * h, ir[ND], ps[ND];
        size_t coef[ND] = {0};
        for (size_t i = 0; i < ND; i++) {
            const decoder_t *dd = &decoders[i];
            img565_t im = {0};
            uint8_t *lj = NULL;
            unsigned lw, lh;
            c9_err_t err = 0;
            ps[i] = -1;
            switch (dd->kind) {
            case K_C9:
                MEASURE(ir[i], err = c9_decode(data, (size_t)n, dd->profile, dd->scale, dd->flags, &im, &coef[i]));
                break;
            case K_LJT:
                MEASURE(ir[i], ljt_decode(data, (size_t)n, dd->scale, dd->dct, JCS_RGB565, &lj, &lw, &lh));
                break;
            default: {
                int sw, sh, sc;
                stbi_uc *p = NULL;
                MEASURE(ir[i], p = stbi_load_from_memory(data, (int)n, &sw, &sh, &sc, 3));
                stbi_image_free(p);
            }
            }
            if (err)
                failed[i] = true;
            if (dd->psnr && ref[dd->scale])
                ps[i] = psnr565(&im, ref[dd->scale], rw[dd->scale], rh[dd->scale]);
            free(im.px);
            free(lj);
        }
        printf("%-40s %6.2f", base, px / 1e6);
        for (size_t i = 0; i < ND; i++) {
            if (ir[i] < 0)
                printf(" %14s", "-");
            else
                printf(" %14.1f", ir[i] / px);
            tot_ir[i] += ir[i];
        }
        printf("  |           ");
        for (size_t i = 0; i < ND; i++) {
            if (!decoders[i].psnr)
                continue;
            printf(" %14.2f", ps[i]);
            /* Pixel-weighted PSNR: combine the per-file mean squared errors. */
            tot_mse[i] += px * pow(10, -ps[i] / 10);
        }
        /* Progressive: coefficient memory of the compact decodes (1/1, 1/8), default and TJPGD. */
        if (coef[0] || coef[5])
            printf("  | coef KB q 1/1 %.0f, q 1/8 %.1f (no seek %.1f), tj 1/1 %.0f, tj 1/8 %.1f", coef[0] / 1024.0,
                   coef[2] / 1024.0, coef[4] / 1024.0, coef[5] / 1024.0, coef[9] / 1024.0);
        printf("\n");
        tot_px += px;
        nfiles++;
        for (int i = 0; i < 4; i++)
            free(ref[i]);
        free(data);
    }
    if (!nfiles)
        return 1;
    printf("%-40s %6.2f", "PIXEL-WEIGHTED", tot_px / 1e6);
    for (size_t i = 0; i < ND; i++) {
        if (tot_ir[i] < 0)
            printf(" %14s", "-");
        else
            printf(" %14.1f", tot_ir[i] / tot_px);
    }
    printf("  |           ");
    for (size_t i = 0; i < ND; i++)
        if (decoders[i].psnr)
            printf(" %14.2f", -10 * log10(tot_mse[i] / tot_px));
    printf("\n");
    for (size_t i = 0; i < ND; i++)
        if (failed[i])
            printf("%s: a decode failed\n", decoders[i].name);
    if (tot_ir[0] > 0) {
        printf("\nratios to libjpeg-turbo ISLOW at the same scale (pixel-weighted instructions, lower is better):\n");
        for (size_t i = 0; i < ND; i++) {
            if (decoders[i].kind != K_C9 || (decoders[i].scale != 0 && decoders[i].scale != 3))
                continue;
            double ref_ir = tot_ir[decoders[i].scale == 0 ? LJS0 : LJS3];
            printf("  %-16s %.2f\n", decoders[i].name, tot_ir[i] / ref_ir);
        }
    }
    return 0;
}
