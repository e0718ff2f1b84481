/*
 * jpeg_bench FILES...: per file and pixel-weighted over all files, instructions per source pixel
 * of circuit9's decoder (compact and fast profiles, scales 1/1 and 1/8), libjpeg-turbo (ISLOW and
 * IFAST, RGB565 output like ours) and stb_image (RGB888, it has no scaling), PSNR against
 * libjpeg-turbo's ISLOW RGB888 decode at the same scale, and work memory.
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
    const uint8_t *p;
    size_t n;
} src_t;

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
} img565_t;

static c9_err_t blit_out(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels) {
    img565_t *im = ctx;
    for (unsigned y = 0; y < r->h; y++)
        memcpy(im->px + (size_t)(r->y + y) * im->w + r->x, pixels + (size_t)y * r->w, r->w * 2u);
    return C9_OK;
}

static uint8_t work[C9_JPEG_WORKSPACE_FAST];

static c9_err_t c9_decode(const uint8_t *data, size_t n, c9_jpeg_profile_t prof, unsigned scale, img565_t *im) {
    src_t s = {data, n};
    c9_jpeg_t *d;
    c9_err_t e = c9_jpeg_open(&d, work, c9_jpeg_workspace_size(prof), prof, mem_read, &s);
    if (e)
        return e;
    uint16_t w, h;
    c9_jpeg_scaled_size(d, scale, &w, &h);
    if (!im->px) {
        im->w = w;
        im->h = h;
        im->px = calloc((size_t)w * h, 2);
    }
    return c9_jpeg_decode(d, scale, 0, blit_out, im);
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

static double psnr565(const img565_t *a, const uint8_t *ref, unsigned w, unsigned h) {
    if (a->w != w || a->h != h)
        return -1;
    double se = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        unsigned v = a->px[i];
        int r = (int)((v >> 11) << 3 | (v >> 13));
        int g = (int)(((v >> 5) & 63) << 2 | ((v >> 9) & 3));
        int b = (int)((v & 31) << 3 | ((v >> 2) & 7));
        int dr = r - ref[3 * i], dg = g - ref[3 * i + 1], db = b - ref[3 * i + 2];
        se += dr * dr + dg * dg + db * db;
    }
    if (se == 0)
        return 99;
    return 10 * log10(255.0 * 255.0 * 3.0 * w * h / se);
}

/* ---- main ---------------------------------------------------------------------------------- */

enum { D_C9C0, D_C9F0, D_LJS0, D_LJF0, D_STB, D_C9C3, D_C9F3, D_LJS3, D_LJF3, D_N };
static const char *names[D_N] = {"c9-compact 1/1", "c9-fast 1/1", "ljt-islow 1/1", "ljt-ifast 1/1", "stb 1/1",
                                 "c9-compact 1/8", "c9-fast 1/8", "ljt-islow 1/8", "ljt-ifast 1/8"};

int main(int argc, char **argv) {
    cg_out = getenv("C9_CG_OUT");
    if (argc < 2) {
        fprintf(stderr, "usage: jpeg_bench FILES...\n");
        return 2;
    }
    double tot_ir[D_N] = {0}, tot_px = 0, tot_se_db[2][2] = {{0}};
    int nfiles = 0;
    printf("work memory: compact %zu B, fast %zu B\n", c9_jpeg_workspace_size(C9_JPEG_PROFILE_COMPACT),
           c9_jpeg_workspace_size(C9_JPEG_PROFILE_FAST));
    printf("%-44s %8s", "file", "Mpx");
    for (int i = 0; i < D_N; i++)
        printf(" %14s", names[i]);
    printf(" %8s %8s %8s %8s\n", "psnr c 1", "psnr f 1", "psnr c 8", "psnr f 8");
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

        double ir[D_N];
        double ps[4];
        c9_err_t err = 0;
        img565_t im[4] = {{0}};
        uint8_t *lj[D_N] = {0};
        unsigned w, h, w8, h8;
        /* Warm-up so that first-touch page faults and lazy binding are not counted. */
        {
            img565_t t = {0};
            err = c9_decode(data, (size_t)n, C9_JPEG_PROFILE_FAST, 0, &t);
            free(t.px);
            if (err) {
                printf("%-44s error %d (%s)\n", argv[fi], err, c9_jpeg_strerror(err));
                free(data);
                continue;
            }
        }
        MEASURE(ir[D_C9C0], err |= c9_decode(data, (size_t)n, C9_JPEG_PROFILE_COMPACT, 0, &im[0]));
        MEASURE(ir[D_C9F0], err |= c9_decode(data, (size_t)n, C9_JPEG_PROFILE_FAST, 0, &im[1]));
        MEASURE(ir[D_C9C3], err |= c9_decode(data, (size_t)n, C9_JPEG_PROFILE_COMPACT, 3, &im[2]));
        MEASURE(ir[D_C9F3], err |= c9_decode(data, (size_t)n, C9_JPEG_PROFILE_FAST, 3, &im[3]));
        MEASURE(ir[D_LJS0], ljt_decode(data, (size_t)n, 0, JDCT_ISLOW, JCS_RGB565, &lj[D_LJS0], &w, &h));
        MEASURE(ir[D_LJF0], ljt_decode(data, (size_t)n, 0, JDCT_IFAST, JCS_RGB565, &lj[D_LJF0], &w, &h));
        MEASURE(ir[D_LJS3], ljt_decode(data, (size_t)n, 3, JDCT_ISLOW, JCS_RGB565, &lj[D_LJS3], &w, &h));
        MEASURE(ir[D_LJF3], ljt_decode(data, (size_t)n, 3, JDCT_IFAST, JCS_RGB565, &lj[D_LJF3], &w, &h));
        {
            int sw, sh, sc;
            stbi_uc *p = NULL;
            MEASURE(ir[D_STB], p = stbi_load_from_memory(data, (int)n, &sw, &sh, &sc, 3));
            stbi_image_free(p);
        }
        uint8_t *ref0 = NULL, *ref3 = NULL;
        ljt_decode(data, (size_t)n, 0, JDCT_ISLOW, JCS_RGB, &ref0, &w, &h);
        ljt_decode(data, (size_t)n, 3, JDCT_ISLOW, JCS_RGB, &ref3, &w8, &h8);
        ps[0] = psnr565(&im[0], ref0, w, h);
        ps[1] = psnr565(&im[1], ref0, w, h);
        ps[2] = psnr565(&im[2], ref3, w8, h8);
        ps[3] = psnr565(&im[3], ref3, w8, h8);
        double px = (double)w * h;
        const char *base = strrchr(argv[fi], '/');
        printf("%-44s %8.2f", base ? base + 1 : argv[fi], px / 1e6);
        for (int i = 0; i < D_N; i++) {
            if (ir[i] < 0)
                printf(" %14s", "-");
            else
                printf(" %14.1f", ir[i] / px);
            tot_ir[i] += ir[i];
        }
        printf(" %8.2f %8.2f %8.2f %8.2f%s\n", ps[0], ps[1], ps[2], ps[3], err ? " ERR" : "");
        /* Pixel-weighted PSNR: combine squared errors via the per-file MSE. */
        for (int s = 0; s < 2; s++)
            for (int p = 0; p < 2; p++)
                tot_se_db[s][p] += px * pow(10, -ps[s * 2 + p] / 10);
        tot_px += px;
        nfiles++;
        for (int i = 0; i < 4; i++)
            free(im[i].px);
        for (int i = 0; i < D_N; i++)
            free(lj[i]);
        free(ref0);
        free(ref3);
        free(data);
    }
    if (!nfiles)
        return 1;
    printf("%-44s %8.2f", "PIXEL-WEIGHTED", tot_px / 1e6);
    for (int i = 0; i < D_N; i++) {
        if (tot_ir[i] < 0)
            printf(" %14s", "-");
        else
            printf(" %14.1f", tot_ir[i] / tot_px);
    }
    printf(" %8.2f %8.2f %8.2f %8.2f\n", -10 * log10(tot_se_db[0][0] / tot_px), -10 * log10(tot_se_db[0][1] / tot_px),
           -10 * log10(tot_se_db[1][0] / tot_px), -10 * log10(tot_se_db[1][1] / tot_px));
    if (tot_ir[D_C9C0] > 0) {
        printf("\nratios (pixel-weighted instructions, lower is better):\n");
        printf("  1/1: compact/ljt-islow %.2f, fast/ljt-islow %.2f, compact/stb %.2f, fast/stb %.2f\n",
               tot_ir[D_C9C0] / tot_ir[D_LJS0], tot_ir[D_C9F0] / tot_ir[D_LJS0], tot_ir[D_C9C0] / tot_ir[D_STB],
               tot_ir[D_C9F0] / tot_ir[D_STB]);
        printf("  1/8: compact/ljt-islow %.2f, fast/ljt-islow %.2f, compact/stb(1/1) %.3f, fast/stb(1/1) %.3f\n",
               tot_ir[D_C9C3] / tot_ir[D_LJS3], tot_ir[D_C9F3] / tot_ir[D_LJS3], tot_ir[D_C9C3] / tot_ir[D_STB],
               tot_ir[D_C9F3] / tot_ir[D_STB]);
    }
    return 0;
}
