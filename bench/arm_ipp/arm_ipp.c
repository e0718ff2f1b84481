/*
 * arm_ipp: the JPEG decoder and morph on one machine, for instruction counts per pixel that can
 * be compared between a Cortex-M (under qemu-system-arm) and x86-64 (under callgrind). The same
 * source runs on both; run.sh runs each case twice, with REPS 1 and 2, and divides the difference
 * of the two counts by the pixels of one repetition, so start-up, file loading and the C library
 * cancel out.
 *
 *     arm_ipp morph SIZE REPS                     SIZE 3 or 5, on a 320x240 RGB565_SWAPPED image
 *     arm_ipp jpeg PROFILE SCALE ARITH REPS FILE...
 *                                                 PROFILE compact|fast, SCALE 0..3 (1/2^SCALE),
 *                                                 ARITH q (circuit9's) or tj (TJpgDec's, a board's)
 *
 * Prints the pixels one repetition processes (source pixels for JPEG, as the anchors count them).
 * Files are read into memory before the measured work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/filter.h"
#include "circuit9/jpeg.h"

static uint32_t seed = 1;
static uint32_t rnd(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

/* The image bench/filter_bench uses: smooth gradients plus a little noise, byte-swapped. */
static void fill(c9_bitmap_t *b) {
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            int r = (x * 31 / b->width + (int)(rnd() % 3)) % 32;
            int g = (y * 63 / b->height + (int)(rnd() % 3)) % 64;
            int bl = ((x + y) * 31 / (b->width + b->height) + (int)(rnd() % 2)) % 32;
            c9_bitmap_set_unchecked(b, x, y, c9_bswap16((uint16_t)((r << 11) | (g << 5) | bl)));
        }
    }
}

static int morph(int size, int reps) {
    static const int32_t k3[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};
    static const int32_t k5[25] = {1, 4, 6, 4, 1, 4, 16, 24, 16, 4, 6, 24, 36, 24, 6, 4, 16, 24, 16, 4, 1, 4, 6, 4, 1};
    c9_bitmap_t img;
    if (c9_bitmap_alloc(&img, 320, 240, 16, NULL) != C9_OK) {
        return 1;
    }
    fill(&img);
    c9_filter_morph_t m = {.weights = size == 5 ? k5 : k3, .size = size == 5 ? 5u : 3u};
    for (int i = 0; i < reps; i++) {
        c9_err_t err = c9_filter_morph(&img, NULL, &m, NULL);
        if (err != C9_OK) {
            printf("morph: %s\n", c9_strerror(err));
            return 1;
        }
    }
    printf("%d\n", 320 * 240);
    return 0;
}

typedef struct {
    const uint8_t *p;
    size_t n;
} src_t;

static int32_t mem_read(void *ctx, uint8_t *buf, uint32_t len) {
    src_t *s = ctx;
    if (len > s->n) {
        len = (uint32_t)s->n;
    }
    memcpy(buf, s->p, len);
    s->p += len;
    s->n -= len;
    return (int32_t)len;
}

typedef struct {
    uint16_t *px;
    unsigned w;
} image_t;

static c9_err_t blit(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels) {
    image_t *im = ctx;
    for (unsigned y = 0; y < r->h; y++) {
        memcpy(im->px + (size_t)(r->y + y) * im->w + r->x, pixels + (size_t)y * r->w, r->w * 2u);
    }
    return C9_OK;
}

static uint8_t *load(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap *= 2);
            if (!bigger) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = bigger;
        }
    }
    fclose(f);
    *n = len;
    return data;
}

static int jpeg(int argc, char **argv) {
    c9_jpeg_profile_t profile = strcmp(argv[2], "fast") == 0 ? C9_JPEG_PROFILE_FAST : C9_JPEG_PROFILE_COMPACT;
    unsigned scale = (unsigned)atoi(argv[3]);
    unsigned flags = strcmp(argv[4], "tj") == 0 ? C9_JPEG_TJPGD : 0;
    int reps = atoi(argv[5]);
    static uint8_t work[C9_JPEG_WORKSPACE_FAST];
    long pixels = 0;
    for (int f = 6; f < argc; f++) {
        size_t n;
        uint8_t *data = load(argv[f], &n);
        if (!data) {
            printf("%s: cannot read\n", argv[f]);
            return 1;
        }
        image_t im = {NULL, 0};
        for (int i = 0; i < reps; i++) {
            src_t s = {data, n};
            c9_jpeg_t *d;
            c9_err_t err = c9_jpeg_open(&d, work, c9_jpeg_workspace_size(profile), profile, mem_read, &s);
            if (err == C9_OK && !im.px) {
                c9_jpeg_info_t info;
                uint16_t w, h;
                c9_jpeg_get_info(d, &info);
                c9_jpeg_scaled_size(d, scale, &w, &h);
                im.w = w;
                im.px = calloc((size_t)w * h + 64, 2);
                pixels += (long)info.width * info.height;
            }
            if (err == C9_OK) {
                err = c9_jpeg_decode(d, scale, flags, blit, &im);
            }
            if (err != C9_OK) {
                printf("%s: %s\n", argv[f], c9_strerror(err));
                return 1;
            }
        }
        free(im.px);
        free(data);
    }
    printf("%ld\n", pixels);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "morph") == 0) {
        return morph(atoi(argv[2]), atoi(argv[3]));
    }
    if (argc >= 7 && strcmp(argv[1], "jpeg") == 0) {
        return jpeg(argc, argv);
    }
    printf("usage: arm_ipp morph 3|5 REPS | arm_ipp jpeg compact|fast SCALE q|tj REPS FILE...\n");
    return 2;
}
