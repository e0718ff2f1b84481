/* bitmapfilter benchmark: instructions per pixel of each filter on 320x240 (and 160x120)
 * RGB565_SWAPPED images, counted by callgrind around each operation only.
 *
 *     valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=cg.out ./filter_bench
 *
 * Each operation runs with collection toggled on, then CALLGRIND_DUMP_STATS_AT(name); run.sh
 * reads the dumps and divides by the pixel count. Outside valgrind the macros do nothing and
 * the program only prints wall-clock times for information. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "circuit9/filter.h"

static uint32_t seed = 1;
static uint32_t rnd(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

/* A photo-like test image: smooth gradients plus a little noise, stored byte-swapped. */
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

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static c9_err_t half(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out) {
    (void)ctx;
    *out = (a + b) / 2;
    return C9_OK;
}

int main(int argc, char **argv) {
    static const int sizes[][2] = {{320, 240}, {160, 120}};
    int portable = argc > 1 && strcmp(argv[1], "--portable") == 0;
    c9_filter_opts_t opts = {.portable = portable};
    static const int32_t k3[9] = {1, 2, 1, 2, 4, 2, 1, 2, 1};
    static const int32_t k5[25] = {1, 4, 6, 4, 1, 4, 16, 24, 16, 4, 6, 24, 36, 24, 6, 4, 16, 24, 16, 4, 1, 4, 6, 4, 1};
    c9_filter_real_t matrix[12] = {0.393f, 0.769f, 0.189f, 0.05f,  0.349f, 0.686f,
                                   0.168f, 0.05f,  0.272f, 0.534f, 0.131f, 0.05f};
    c9_filter_lookup_table_t lut;
    for (int i = 0; i < 32; i++) {
        lut.r[i] = lut.b[i] = (uint8_t)(31 - i);
    }
    for (int i = 0; i < 64; i++) {
        lut.g[i] = (uint8_t)(i * i / 63);
    }
    uint32_t pal[256];
    for (int i = 0; i < 256; i++) {
        pal[i] = (uint32_t)(i << 16 | (255 - i) << 8 | (i * 3 & 255));
    }
    uint8_t table[C9_FILTER_BLEND_TABLE_SIZE];
    c9_filter_blend_precompute(table, half, NULL);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int w = sizes[s][0], h = sizes[s][1];
        c9_bitmap_t img, src2;
        if (c9_bitmap_alloc(&img, (uint32_t)w, (uint32_t)h, 16, NULL) != C9_OK ||
            c9_bitmap_alloc(&src2, (uint32_t)w, (uint32_t)h, 16, NULL) != C9_OK) {
            return 1;
        }
        fill(&src2);
        for (int op = 0; op < 7; op++) {
            static const char *names[] = {"morph3x3", "morph5x5", "mix", "solarize", "lookup", "false_color", "blend"};
            char label[64];
            snprintf(label, sizeof label, "%s@%dx%d", names[op], w, h);
            fill(&img);
            c9_err_t err = C9_OK;
            double t0 = now();
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
            switch (op) {
            case 0: err = c9_filter_morph(&img, NULL, &(c9_filter_morph_t){.weights = k3, .size = 3}, &opts); break;
            case 1: err = c9_filter_morph(&img, NULL, &(c9_filter_morph_t){.weights = k5, .size = 5}, &opts); break;
            case 2: err = c9_filter_mix(&img, NULL, matrix, &opts); break;
            case 3: err = c9_filter_solarize(&img, NULL, 0.5f, &opts); break;
            case 4: err = c9_filter_lookup(&img, NULL, &lut, &opts); break;
            case 5: err = c9_filter_false_color(&img, NULL, pal, &opts); break;
            case 6: err = c9_filter_blend(&img, &img, &src2, NULL, table, &opts); break;
            }
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(label);
            double t1 = now();
            if (err != C9_OK) {
                fprintf(stderr, "%s failed: %d\n", label, err);
                return 1;
            }
            printf("%-22s pixels %6d  wall %.3f ms\n", label, w * h, (t1 - t0) * 1e3);
        }
        c9_bitmap_release(&img);
        c9_bitmap_release(&src2);
    }
    return 0;
}
