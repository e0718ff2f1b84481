/* libFuzzer target: random operations with random arguments on small bitmaps of every depth.
 * Nothing may crash, overrun or trip the sanitizers; results are not checked here (the unit
 * tests do that). Input: 4 header bytes choosing the bitmaps, then 12-byte operations. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "circuit9/bitmaptools.h"

static const uint8_t depths[] = {1, 2, 4, 8, 16, 32};

typedef struct {
    const uint8_t *p;
    size_t n;
} input_t;

static uint8_t u8(input_t *in) {
    if (!in->n) {
        return 0;
    }
    in->n--;
    return *in->p++;
}

static int16_t s16(input_t *in) {
    uint16_t v = (uint16_t)(u8(in) | (u8(in) << 8));
    /* mostly near the bitmaps, sometimes anywhere in int16 */
    return (v & 0x8000) ? (int16_t)v : (int16_t)((int)(v % 48) - 12);
}

static long mem_read(void *ctx, void *buf, size_t len) {
    input_t *in = ctx;
    size_t n = len < in->n ? len : in->n;
    if (n && (in->p[0] & 7) == 0) {
        n = n / 2 + 1 > n ? n : n / 2 + 1; /* short reads */
    }
    memcpy(buf, in->p, n);
    in->p += n;
    in->n -= n;
    return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input_t in = {data, size};
    c9_bitmap_t b[3];
    for (int i = 0; i < 3; i++) {
        uint8_t w = u8(&in) % 40, h = u8(&in) % 24;
        uint8_t d = depths[(w ^ h ^ i) % 6];
        if (i == 2) { /* a twin of the first bitmap, for alphablend and dither */
            w = (uint8_t)b[0].width;
            h = (uint8_t)b[0].height;
            d = (uint8_t)(u8(&in) & 1 ? 16 : 8);
        }
        if (c9_bitmap_alloc(&b[i], w, h, d, NULL) != C9_OK) {
            for (int j = 0; j < i; j++) {
                c9_bitmap_release(&b[j]);
            }
            return 0;
        }
        for (uint32_t k = 0; k < b[i].data_size / 4; k++) {
            b[i].data[k] = (uint32_t)u8(&in) * 0x01010101u ^ k * 0x9e3779b9u;
        }
    }
    uint8_t work[4096];
    int ops = 0;
    while (in.n >= 4 && ops++ < 64) {
        uint8_t op = u8(&in);
        c9_bitmap_t *d = &b[op >> 6 & 1], *s = &b[(op >> 7) ^ (op >> 5 & 1)];
        if (op & 0x20 && op & 0x10) {
            s = d; /* aliasing */
        }
        uint32_t v = (uint32_t)u8(&in) * 0x1010101u;
        int16_t x1 = s16(&in), y1 = s16(&in), x2 = s16(&in), y2 = s16(&in);
        c9_opt_index_t skip = (v & 1) ? c9_index(v & 3) : C9_NO_INDEX;
        c9_opt_index_t skip2 = (v & 2) ? c9_index(v >> 4 & 1) : C9_NO_INDEX;
        switch (op % 12) {
        case 0: {
            c9_rect_t r = {x1, y1, x2, y2};
            c9_bitmaptools_blit(d, s, x2, y1, (v & 4) ? NULL : &r, skip, skip2);
            break;
        }
        case 1: {
            c9_rotozoom_t p;
            c9_bitmaptools_rotozoom_defaults(&p, d, s);
            p.ox = x1;
            p.oy = y1;
            p.px = (int16_t)(x2 / 4);
            p.py = (int16_t)(y2 / 4);
            p.angle = (float)(int8_t)u8(&in) / 16.0f;
            p.scale = (float)(u8(&in) % 33) / 8.0f;
            p.dest_clip = (c9_rect_t){x2, y2, x1, y1};
            p.skip = skip;
            c9_bitmaptools_rotozoom(d, s, &p);
            break;
        }
        case 2:
            c9_bitmaptools_alphablend(&b[(op >> 3) & 1 ? 2 : 0], &b[0], &b[2],
                                      (c9_colorspace_t)(u8(&in) % C9_COLORSPACE_COUNT), (float)x1 / 64.0f,
                                      (float)y1 / 64.0f, (c9_blendmode_t)(v & 1), skip, skip2);
            break;
        case 3: c9_bitmaptools_fill_region(d, x1, y1, x2, y2, v); break;
        case 4: {
            uint32_t rep = v >> 8 & 3;
            c9_bitmaptools_boundary_fill(d, x1, y1, v & 3, (v & 4) ? &rep : NULL, NULL);
            break;
        }
        case 5: c9_bitmaptools_draw_line(d, x1, y1, x2, y2, v); break;
        case 6: {
            int32_t xs[5], ys[5];
            size_t n = u8(&in) % 6;
            for (size_t i = 0; i < n; i++) {
                xs[i] = s16(&in);
                ys[i] = s16(&in);
            }
            c9_bitmaptools_draw_polygon(d, xs, ys, n, v, v & 8);
            break;
        }
        case 7: c9_bitmaptools_draw_circle(d, x1, y1, x2 % 64, v); break;
        case 8: {
            c9_rect_t r = {x1, y1, x2, y2};
            unsigned es = 1u << (v % 4);
            c9_bitmaptools_arrayblit(d, in.p, in.n, es, &r, skip);
            break;
        }
        case 9: {
            static const unsigned bpps[] = {1, 2, 4, 8, 16, 24, 32, 3};
            unsigned bpp = bpps[v % 8], es = 1u << (v >> 8 & 3);
            size_t need = c9_bitmaptools_readinto_row_size(d->width, bpp, es);
            c9_bitmaptools_readinto(d, mem_read, &in, bpp, es, v >> 16 & 7, work,
                                    (v & 0x40) ? (need + 3) / 4 * 4 : sizeof work);
            break;
        }
        case 10: {
            size_t need = c9_bitmaptools_dither_work_size(b[0].width);
            c9_bitmaptools_dither(&b[op & 1], &b[2], (c9_colorspace_t)(u8(&in) % C9_COLORSPACE_COUNT),
                                  (c9_dither_algorithm_t)(v & 3), work, (v & 4) ? need : sizeof work);
            break;
        }
        default:
            d->read_only = v & 1;
            c9_bitmaptools_fill_region(d, 0, 0, d->width, d->height, v);
            d->read_only = false;
            c9_bitmap_clear_dirty(d);
            break;
        }
    }
    for (int i = 0; i < 3; i++) {
        c9_bitmap_release(&b[i]);
    }
    return 0;
}
