/* Tests of the bitmaptools cores against hand-computed pixels and plain reference versions
 * written here (snapshot copies, a queue flood fill, a whole-frame dither). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/bitmaptools.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static c9_bitmap_t *new_bitmap(int w, int h, int bpv) {
    c9_bitmap_t *b = test_malloc(sizeof(*b));
    assert_int_equal(c9_bitmap_alloc(b, (uint32_t)w, (uint32_t)h, (uint32_t)bpv, NULL), C9_OK);
    return b;
}

static void free_bitmap(c9_bitmap_t *b) {
    c9_bitmap_release(b);
    test_free(b);
}

/* Independent reading of the documented storage: rows of stride_words 32-bit words; values
 * under 8 bits packed most significant bits first within each byte; wider ones little-endian. */
static uint32_t ref_get(const c9_bitmap_t *b, int x, int y) {
    const uint8_t *row = (const uint8_t *)b->data + (size_t)y * b->stride_words * 4;
    int bpv = b->bits_per_value;
    if (bpv < 8) {
        int bit = x * bpv;
        int shift = 8 - bpv - bit % 8;
        return (row[bit / 8] >> shift) & ((1u << bpv) - 1);
    }
    uint32_t v = 0;
    for (int i = bpv / 8 - 1; i >= 0; i--) {
        v = (v << 8) | row[x * (bpv / 8) + i];
    }
    return v;
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void randomize(c9_bitmap_t *b) {
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            c9_bitmap_set_unchecked(b, x, y, rnd() & b->bitmask);
        }
    }
}

/* A snapshot of all values, row-major. */
static uint32_t *snapshot(const c9_bitmap_t *b) {
    uint32_t *s = test_malloc(sizeof(uint32_t) * (size_t)(b->width * b->height + 1));
    for (int y = 0; y < b->height; y++) {
        for (int x = 0; x < b->width; x++) {
            s[y * b->width + x] = ref_get(b, x, y);
        }
    }
    return s;
}

/* Padding bits after the last value of each row must stay as they were (zero here). */
static void assert_padding_clear(const c9_bitmap_t *b) {
    for (int y = 0; y < b->height; y++) {
        const uint8_t *row = (const uint8_t *)b->data + (size_t)y * b->stride_words * 4;
        for (uint32_t bit = (uint32_t)b->width * b->bits_per_value; bit < b->stride_words * 32u; bit++) {
            assert_int_equal((row[bit / 8] >> (7 - bit % 8)) & 1, 0);
        }
    }
}

static void assert_dirty(const c9_bitmap_t *b, int x1, int y1, int x2, int y2) {
    assert_int_equal(b->dirty.x1, x1);
    assert_int_equal(b->dirty.y1, y1);
    assert_int_equal(b->dirty.x2, x2);
    assert_int_equal(b->dirty.y2, y2);
}

static void assert_rows(const c9_bitmap_t *b, const char *const *rows) {
    for (int y = 0; y < b->height; y++) {
        char line[64];
        for (int x = 0; x < b->width; x++) {
            line[x] = "0123456789abcdef"[ref_get(b, x, y) & 15];
        }
        line[b->width] = 0;
        assert_string_equal(line, rows[y]);
    }
}

static const int depths[] = {1, 2, 4, 8, 16};

/* ---- blit ---------------------------------------------------------------------------------- */

/* The reference: every written pixel takes its source value from before the call. */
static void ref_blit(uint32_t *out, const uint32_t *dst0, int dw, int dh, const uint32_t *src0, int sw, int x, int y,
                     int x1, int y1, int x2, int y2, c9_opt_index_t ss, c9_opt_index_t sd) {
    memcpy(out, dst0, sizeof(uint32_t) * (size_t)(dw * dh));
    for (int sy = y1; sy < y2; sy++) {
        for (int sx = x1; sx < x2; sx++) {
            int dx = x + sx - x1, dy = y + sy - y1;
            if (dx < 0 || dy < 0 || dx >= dw || dy >= dh) {
                continue;
            }
            uint32_t v = src0[sy * sw + sx];
            if ((ss.set && v == ss.value) || (sd.set && dst0[dy * dw + dx] == sd.value)) {
                continue;
            }
            out[dy * dw + dx] = v;
        }
    }
}

static void check_blit(c9_bitmap_t *dest, c9_bitmap_t *src, int x, int y, c9_rect_t area, c9_opt_index_t ss,
                       c9_opt_index_t sd) {
    uint32_t *d0 = snapshot(dest), *s0 = snapshot(src);
    uint32_t *want = test_malloc(sizeof(uint32_t) * (size_t)(dest->width * dest->height + 1));
    ref_blit(want, d0, dest->width, dest->height, s0, src->width, x, y, area.x1, area.y1, area.x2, area.y2, ss, sd);
    assert_int_equal(c9_bitmaptools_blit(dest, src, x, y, &area, ss, sd), C9_OK);
    uint32_t *got = snapshot(dest);
    assert_memory_equal(got, want, sizeof(uint32_t) * (size_t)(dest->width * dest->height));
    test_free(d0);
    test_free(s0);
    test_free(want);
    test_free(got);
}

static void test_blit_depths_and_clipping(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(depths); i++) {
        for (size_t j = 0; j <= i; j++) {
            c9_bitmap_t *dest = new_bitmap(13, 7, depths[i]);
            c9_bitmap_t *src = new_bitmap(9, 5, depths[j]);
            randomize(src);
            /* every edge: inside, past right, past bottom, past both, exactly at the far corner */
            const int pos[][2] = {{0, 0}, {2, 1}, {8, 0}, {0, 4}, {10, 5}, {13, 7}, {12, 6}};
            for (size_t p = 0; p < C9_ARRAY_SIZE(pos); p++) {
                randomize(dest);
                check_blit(dest, src, pos[p][0], pos[p][1], (c9_rect_t){0, 0, 9, 5}, C9_NO_INDEX, C9_NO_INDEX);
                check_blit(dest, src, pos[p][0], pos[p][1], (c9_rect_t){3, 1, 8, 4}, C9_NO_INDEX, C9_NO_INDEX);
                check_blit(dest, src, pos[p][0], pos[p][1], (c9_rect_t){1, 2, 6, 5}, c9_index(1), C9_NO_INDEX);
                check_blit(dest, src, pos[p][0], pos[p][1], (c9_rect_t){0, 0, 9, 5}, C9_NO_INDEX, c9_index(0));
                check_blit(dest, src, pos[p][0], pos[p][1], (c9_rect_t){0, 1, 7, 5}, c9_index(0), c9_index(1));
            }
            assert_padding_clear(dest);
            free_bitmap(dest);
            free_bitmap(src);
        }
    }
}

static void test_blit_overlap_all_directions(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(depths); i++) {
        c9_bitmap_t *b = new_bitmap(11, 9, depths[i]);
        for (int dy = -3; dy <= 3; dy++) {
            for (int dx = -3; dx <= 3; dx++) {
                randomize(b);
                /* source area (3,3)-(8,7) copied dx, dy away onto itself */
                check_blit(b, b, 3 + dx, 3 + dy, (c9_rect_t){3, 3, 8, 7}, C9_NO_INDEX, C9_NO_INDEX);
                randomize(b);
                check_blit(b, b, 3 + dx, 3 + dy, (c9_rect_t){3, 3, 8, 7}, c9_index(0), C9_NO_INDEX);
                randomize(b);
                check_blit(b, b, 3 + dx, 3 + dy, (c9_rect_t){3, 3, 8, 7}, C9_NO_INDEX, c9_index(1));
            }
        }
        /* whole bitmap shifted by one in each direction, including off the edge */
        for (int d = 0; d < 4; d++) {
            randomize(b);
            int x = d == 0 ? 1 : 0, y = d == 1 ? 1 : 0;
            c9_rect_t area = {(int16_t)(d == 2), (int16_t)(d == 3), 11, 9};
            check_blit(b, b, x, y, area, C9_NO_INDEX, C9_NO_INDEX);
        }
        assert_padding_clear(b);
        free_bitmap(b);
    }
}

static void test_blit_errors_and_dirty(void **state) {
    (void)state;
    c9_bitmap_t *d = new_bitmap(10, 6, 2), *s = new_bitmap(4, 4, 4);
    assert_int_equal(c9_bitmaptools_blit(d, s, 0, 0, NULL, C9_NO_INDEX, C9_NO_INDEX), C9_ERR_INVAL);
    c9_bitmap_t *s2 = new_bitmap(4, 3, 1);
    c9_bitmap_clear_dirty(d);
    assert_int_equal(c9_bitmaptools_blit(d, s2, 8, 4, NULL, C9_NO_INDEX, C9_NO_INDEX), C9_OK);
    assert_dirty(d, 8, 4, 10, 6);
    c9_bitmap_clear_dirty(d);
    assert_int_equal(c9_bitmaptools_blit(d, s2, 1, 1, &(c9_rect_t){1, 1, 3, 2}, C9_NO_INDEX, C9_NO_INDEX), C9_OK);
    assert_dirty(d, 1, 1, 3, 2);
    /* an empty area changes nothing */
    c9_bitmap_clear_dirty(d);
    assert_int_equal(c9_bitmaptools_blit(d, s2, 1, 1, &(c9_rect_t){2, 1, 2, 3}, C9_NO_INDEX, C9_NO_INDEX), C9_OK);
    assert_true(c9_rect_empty(&d->dirty));
    d->read_only = true;
    assert_int_equal(c9_bitmaptools_blit(d, s2, 0, 0, NULL, C9_NO_INDEX, C9_NO_INDEX), C9_ERR_PERM);
    d->read_only = false;
    c9_bitmap_release(s2);
    assert_int_equal(c9_bitmaptools_blit(d, s2, 0, 0, NULL, C9_NO_INDEX, C9_NO_INDEX), C9_ERR_BADF);
    test_free(s2);
    free_bitmap(d);
    free_bitmap(s);
}

static void test_blit_wider_destination_keeps_values(void **state) {
    (void)state;
    c9_bitmap_t *d = new_bitmap(5, 2, 16), *s = new_bitmap(3, 1, 2);
    c9_bitmap_set(s, 0, 0, 3);
    c9_bitmap_set(s, 1, 0, 1);
    c9_bitmap_set(s, 2, 0, 2);
    assert_int_equal(c9_bitmaptools_blit(d, s, 1, 1, NULL, C9_NO_INDEX, C9_NO_INDEX), C9_OK);
    assert_int_equal(ref_get(d, 1, 1), 3);
    assert_int_equal(ref_get(d, 2, 1), 1);
    assert_int_equal(ref_get(d, 3, 1), 2);
    assert_int_equal(ref_get(d, 0, 1), 0);
    free_bitmap(d);
    free_bitmap(s);
}

/* ---- fill_region --------------------------------------------------------------------------- */

static void test_fill_region(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(depths); i++) {
        c9_bitmap_t *b = new_bitmap(11, 5, depths[i]);
        uint32_t v = b->bitmask;
        /* corners in reverse order, clipped at every edge */
        assert_int_equal(c9_bitmaptools_fill_region(b, 13, 7, 9, 3, v), C9_OK);
        assert_int_equal(c9_bitmaptools_fill_region(b, -4, -2, 2, 1, v), C9_OK);
        assert_dirty(b, 0, 0, 11, 5);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 11; x++) {
                bool in = (x >= 9 && y >= 3) || (x < 2 && y < 1);
                assert_int_equal(ref_get(b, x, y), in ? v : 0);
            }
        }
        assert_padding_clear(b);
        c9_bitmap_clear_dirty(b);
        assert_int_equal(c9_bitmaptools_fill_region(b, 3, 2, 3, 4, 1), C9_OK); /* zero width */
        assert_true(c9_rect_empty(&b->dirty));
        assert_int_equal(c9_bitmaptools_fill_region(b, 3, 1, 5, 3, 1), C9_OK);
        assert_dirty(b, 3, 1, 5, 3);
        free_bitmap(b);
    }
}

/* ---- lines, polygons, circles -------------------------------------------------------------- */

static void test_draw_line_hand_computed(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(8, 6, 2);
    assert_int_equal(c9_bitmaptools_draw_line(b, 0, 0, 7, 5, 1), C9_OK);
    const char *want[] = {"10000000", "01100000", "00010000", "00001000", "00000110", "00000001"};
    assert_rows(b, want);
    assert_dirty(b, 0, 0, 8, 6);
    /* reversed ends give the same pixels */
    c9_bitmap_t *r = new_bitmap(8, 6, 2);
    c9_bitmaptools_draw_line(r, 7, 5, 0, 0, 1);
    assert_rows(r, want);
    free_bitmap(r);

    c9_bitmap_t *s = new_bitmap(3, 6, 1);
    c9_bitmaptools_draw_line(s, 0, 0, 2, 5, 1);
    const char *steep[] = {"100", "100", "010", "010", "001", "001"};
    assert_rows(s, steep);
    assert_padding_clear(s);
    free_bitmap(s);
    free_bitmap(b);
}

static void test_draw_line_clipping(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(5, 4, 4);
    c9_bitmaptools_draw_line(b, -5, 1, 100, 1, 7); /* horizontal, both ends outside */
    c9_bitmaptools_draw_line(b, 3, 10, 3, -10, 2); /* vertical, both ends outside */
    c9_bitmaptools_draw_line(b, -1, 0, -1, 3, 9);  /* vertical, entirely left */
    c9_bitmaptools_draw_line(b, 0, 5, 4, 5, 9);    /* horizontal, entirely below */
    c9_bitmaptools_draw_line(b, -2, -1, 6, 3, 5);  /* diagonal through a corner */
    const char *want[] = {"55020", "77557", "00025", "00020"};
    assert_rows(b, want);
    assert_padding_clear(b);
    c9_bitmap_clear_dirty(b);
    c9_bitmaptools_draw_line(b, 1, 2, 3, 0, 1);
    assert_dirty(b, 1, 0, 4, 3);
    /* 16-bit coordinates: 65537 is 1 */
    c9_bitmap_t *c = new_bitmap(3, 3, 1);
    c9_bitmaptools_draw_line(c, 65537, 0, 65537, 2, 1);
    const char *col[] = {"010", "010", "010"};
    assert_rows(c, col);
    /* a long line ending at the int16 limit terminates */
    c9_bitmaptools_draw_line(c, -32768, 1, 32767, 1, 1);
    assert_int_equal(ref_get(c, 0, 1) + ref_get(c, 2, 1), 2);
    free_bitmap(c);
    free_bitmap(b);
}

static void test_draw_circle(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(9, 7, 2);
    assert_int_equal(c9_bitmaptools_draw_circle(b, 4, 3, 2, 2), C9_OK);
    const char *want[] = {"000000000", "000222000", "002000200", "002000200", "002000200", "000222000", "000000000"};
    assert_rows(b, want);
    assert_dirty(b, 2, 1, 7, 6);
    c9_bitmap_t *z = new_bitmap(3, 3, 1);
    c9_bitmaptools_draw_circle(z, 1, 1, 0, 1);
    const char *dot[] = {"000", "010", "000"};
    assert_rows(z, dot);
    assert_int_equal(c9_bitmaptools_draw_circle(z, 1, 1, -1, 1), C9_ERR_INVAL);
    /* the centre is clamped into 0..width: (10, -4) draws around (3, 0) */
    c9_bitmap_t *c = new_bitmap(3, 3, 1);
    c9_bitmaptools_draw_circle(c, 10, -4, 1, 1);
    const char *clamped[] = {"001", "000", "000"}; /* around (3, 0): only (2, 0) is inside */
    assert_rows(c, clamped);
    free_bitmap(c);
    c = new_bitmap(4, 3, 1);
    c9_bitmaptools_draw_circle(c, 10, -4, 1, 1);
    const char *clamped4[] = {"0001", "0000", "0000"}; /* around (4, 0) */
    assert_rows(c, clamped4);
    free_bitmap(c);
    free_bitmap(z);
    free_bitmap(b);
}

static void test_draw_polygon(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(7, 6, 4);
    const int32_t xs[] = {1, 5, 5}, ys[] = {1, 1, 4};
    assert_int_equal(c9_bitmaptools_draw_polygon(b, xs, ys, 3, 3, true), C9_OK);
    /* (5,4)->(1,1): steep=false, dx=4, dy=3: (1,1),(2,2),(3,2)... computed below by hand */
    const char *want[] = {"0000000", "0333330", "0033030", "0000330", "0000030", "0000000"};
    assert_rows(b, want);
    assert_dirty(b, 1, 1, 6, 5);
    c9_bitmap_t *o = new_bitmap(7, 6, 4);
    c9_bitmaptools_draw_polygon(o, xs, ys, 3, 3, false);
    const char *open[] = {"0000000", "0333330", "0000030", "0000030", "0000030", "0000000"};
    assert_rows(o, open);
    c9_bitmap_clear_dirty(o);
    assert_int_equal(c9_bitmaptools_draw_polygon(o, xs, ys, 0, 3, true), C9_OK);
    assert_true(c9_rect_empty(&o->dirty));
    free_bitmap(o);
    free_bitmap(b);
}

/* ---- boundary_fill ------------------------------------------------------------------------- */

static void ref_flood(uint32_t *img, int w, int h, int x, int y, uint32_t fill, uint32_t target) {
    if (img[y * w + x] != target || fill == target) {
        return;
    }
    int *q = test_malloc(sizeof(int) * (size_t)(w * h) * 4 + sizeof(int));
    size_t head = 0, tail = 0;
    q[tail++] = y * w + x;
    img[y * w + x] = fill;
    while (head < tail) {
        int p = q[head++], px = p % w, py = p / w;
        const int nb[4][2] = {{px - 1, py}, {px + 1, py}, {px, py - 1}, {px, py + 1}};
        for (int k = 0; k < 4; k++) {
            int nx = nb[k][0], ny = nb[k][1];
            if (nx >= 0 && ny >= 0 && nx < w && ny < h && img[ny * w + nx] == target) {
                img[ny * w + nx] = fill;
                q[tail++] = ny * w + nx;
            }
        }
    }
    test_free(q);
}

static void test_boundary_fill_hand(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(7, 5, 2);
    const int32_t xs[] = {1, 5, 5, 1}, ys[] = {0, 0, 4, 4};
    c9_bitmaptools_draw_polygon(b, xs, ys, 4, 1, true);
    c9_bitmap_clear_dirty(b);
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 3, 2, 2, NULL, NULL), C9_OK);
    const char *want[] = {"0111110", "0122210", "0122210", "0122210", "0111110"};
    assert_rows(b, want);
    assert_dirty(b, 2, 1, 5, 4);
    /* outside the box: both sides are reached around it? no: columns 0 and 6 are separate */
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 0, 0, 3, NULL, NULL), C9_OK);
    const char *want2[] = {"3111110", "3122210", "3122210", "3122210", "3111110"};
    assert_rows(b, want2);
    /* explicit replaced value that does not match the start pixel: nothing but that point dirty */
    c9_bitmap_clear_dirty(b);
    uint32_t rep = 0;
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 3, 2, 1, &rep, NULL), C9_OK);
    assert_rows(b, want2);
    assert_dirty(b, 3, 2, 4, 3);
    /* fill == replaced: nothing at all (CircuitPython loops forever with the default) */
    c9_bitmap_clear_dirty(b);
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 3, 2, 2, NULL, NULL), C9_OK);
    assert_true(c9_rect_empty(&b->dirty));
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 7, 2, 2, NULL, NULL), C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 0, -1, 2, NULL, NULL), C9_ERR_INVAL);
    free_bitmap(b);
}

static void test_boundary_fill_random_vs_reference(void **state) {
    (void)state;
    for (int round = 0; round < 40; round++) {
        int w = 1 + (int)(rnd() % 70), h = 1 + (int)(rnd() % 50);
        c9_bitmap_t *b = new_bitmap(w, h, round % 2 ? 1 : 4);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c9_bitmap_set_unchecked(b, x, y, (rnd() % 100) < 40 ? 1 : 0);
            }
        }
        int x = (int)(rnd() % (uint32_t)w), y = (int)(rnd() % (uint32_t)h);
        uint32_t *want = snapshot(b);
        uint32_t fill = round % 2 ? (want[y * w + x] ^ 1) : 3;
        ref_flood(want, w, h, x, y, fill, want[y * w + x]);
        assert_int_equal(c9_bitmaptools_boundary_fill(b, x, y, fill, NULL, NULL), C9_OK);
        uint32_t *got = snapshot(b);
        assert_memory_equal(got, want, sizeof(uint32_t) * (size_t)(w * h));
        assert_padding_clear(b);
        test_free(want);
        test_free(got);
        free_bitmap(b);
    }
}

static void test_boundary_fill_large_serpentine(void **state) {
    (void)state;
    /* A one-pixel corridor winding through 400x400: deep for a recursive fill. */
    int n = 400;
    c9_bitmap_t *b = new_bitmap(n, n, 1);
    for (int y = 1; y < n; y += 2) {
        c9_bitmaptools_draw_line(b, (y / 2) % 2 ? 1 : 0, y, (y / 2) % 2 ? n - 1 : n - 2, y, 1);
    }
    uint32_t *want = snapshot(b);
    ref_flood(want, n, n, 0, 0, 1, 0);
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 0, 0, 1, NULL, NULL), C9_OK);
    uint32_t *got = snapshot(b);
    assert_memory_equal(got, want, sizeof(uint32_t) * (size_t)(n * n));
    test_free(want);
    test_free(got);
    free_bitmap(b);
}

static void *failing_alloc(void *ctx, size_t size) {
    (void)ctx;
    (void)size;
    return NULL;
}
static void failing_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)p;
    (void)size;
}

static void test_boundary_fill_nomem(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(4, 4, 1);
    c9_allocator_t none = {failing_alloc, failing_free, NULL, NULL};
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 1, 1, 1, NULL, &none), C9_ERR_NOMEM);
    free_bitmap(b);
}

/* ---- arrayblit ----------------------------------------------------------------------------- */

static void test_arrayblit(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(depths); i++) {
        c9_bitmap_t *b = new_bitmap(7, 4, depths[i]);
        uint16_t data[15];
        for (int k = 0; k < 15; k++) {
            data[k] = (uint16_t)(k * 37 + 1);
        }
        c9_rect_t area = {2, 1, 7, 4};
        assert_int_equal(c9_bitmaptools_arrayblit(b, data, sizeof data, 2, &area, c9_index(38)), C9_OK);
        assert_dirty(b, 2, 1, 7, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 7; x++) {
                uint32_t want = 0;
                if (x >= 2 && y >= 1) {
                    int k = (y - 1) * 5 + (x - 2);
                    want = k == 1 ? 0 : data[k] & b->bitmask; /* data[1] == 38 is skipped */
                }
                assert_int_equal(ref_get(b, x, y), want);
            }
        }
        assert_padding_clear(b);
        assert_int_equal(c9_bitmaptools_arrayblit(b, data, 14 * 2, 2, &area, C9_NO_INDEX), C9_ERR_RANGE);
        assert_int_equal(c9_bitmaptools_arrayblit(b, data, sizeof data, 3, &area, C9_NO_INDEX), C9_ERR_INVAL);
        free_bitmap(b);
    }
    /* 4-byte elements from an unaligned buffer */
    c9_bitmap_t *b = new_bitmap(2, 1, 16);
    uint8_t raw[9] = {0, 0x34, 0x12, 0, 0, 0xff, 0xff, 1, 0};
    assert_int_equal(c9_bitmaptools_arrayblit(b, raw + 1, 8, 4, NULL, C9_NO_INDEX), C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x1234);
    assert_int_equal(ref_get(b, 1, 0), 0xffff);
    free_bitmap(b);
}

/* ---- readinto ------------------------------------------------------------------------------ */

typedef struct {
    const uint8_t *data;
    size_t len, pos, chunk;
} mem_stream_t;

static long mem_read(void *ctx, void *buf, size_t len) {
    mem_stream_t *s = ctx;
    size_t n = C9_MIN(len, s->len - s->pos);
    if (s->chunk) {
        n = C9_MIN(n, s->chunk);
    }
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (long)n;
}

static long fail_read(void *ctx, void *buf, size_t len) {
    (void)ctx;
    (void)buf;
    (void)len;
    return C9_ERR_IO;
}

static void read_into(c9_bitmap_t *b, const uint8_t *data, size_t len, unsigned bpp, unsigned es, unsigned flags,
                      c9_err_t want) {
    mem_stream_t s = {data, len, 0, 3};
    uint32_t row[64];
    assert_int_equal(c9_bitmaptools_readinto(b, mem_read, &s, bpp, es, flags, row, sizeof row), want);
}

static void test_readinto_bits(void **state) {
    (void)state;
    assert_int_equal(c9_bitmaptools_readinto_row_size(5, 1, 1), 1);
    assert_int_equal(c9_bitmaptools_readinto_row_size(9, 1, 1), 2);
    assert_int_equal(c9_bitmaptools_readinto_row_size(9, 1, 4), 4);
    assert_int_equal(c9_bitmaptools_readinto_row_size(3, 24, 1), 9);
    assert_int_equal(c9_bitmaptools_readinto_row_size(3, 24, 2), 0);
    assert_int_equal(c9_bitmaptools_readinto_row_size(3, 3, 1), 0);
    assert_int_equal(c9_bitmaptools_readinto_row_size(3, 8, 3), 0);
    /* Which argument is wrong, first in CircuitPython's order. */
    c9_readinto_arg_t bad;
    assert_int_equal(c9_bitmaptools_readinto_check(8, 1, &bad), C9_OK);
    assert_int_equal(bad, C9_READINTO_ARG_NONE);
    assert_int_equal(c9_bitmaptools_readinto_check(3, 3, &bad), C9_ERR_INVAL);
    assert_int_equal(bad, C9_READINTO_ARG_ELEMENT_SIZE);
    assert_int_equal(c9_bitmaptools_readinto_check(3, 2, &bad), C9_ERR_INVAL);
    assert_int_equal(bad, C9_READINTO_ARG_BITS_PER_PIXEL);
    assert_int_equal(c9_bitmaptools_readinto_check(24, 4, &bad), C9_ERR_INVAL);
    assert_int_equal(bad, C9_READINTO_ARG_ELEMENT_SIZE_FOR_24);
    assert_int_equal(c9_bitmaptools_readinto_check(24, 1, NULL), C9_OK);

    /* 1 bit, 5 wide: least significant bit first by default */
    c9_bitmap_t *b = new_bitmap(5, 2, 1);
    const uint8_t one[] = {0x0b, 0x10};
    read_into(b, one, 2, 1, 1, 0, C9_OK);
    const char *lsb[] = {"11010", "00001"};
    assert_rows(b, lsb);
    read_into(b, one, 2, 1, 1, C9_READINTO_REVERSE_PIXELS, C9_OK);
    const char *msb[] = {"00001", "00010"};
    assert_rows(b, msb);
    read_into(b, one, 2, 1, 1, C9_READINTO_REVERSE_ROWS, C9_OK);
    const char *rows_rev[] = {"00001", "11010"};
    assert_rows(b, rows_rev);
    assert_padding_clear(b);
    /* 2-bit and 4-bit pixels into a 4-bit bitmap, 3 wide */
    free_bitmap(b);
    b = new_bitmap(3, 1, 4);
    const uint8_t two[] = {0x39}; /* 00 11 10 01: pixels 1, 2, 3 from the low end */
    read_into(b, two, 1, 2, 1, 0, C9_OK);
    const char *t[] = {"123"};
    assert_rows(b, t);
    read_into(b, two, 1, 2, 1, C9_READINTO_REVERSE_PIXELS, C9_OK);
    const char *tr[] = {"032"};
    assert_rows(b, tr);
    const uint8_t four[] = {0xa5, 0x0c};
    read_into(b, four, 2, 4, 1, 0, C9_OK);
    const char *f[] = {"5ac"};
    assert_rows(b, f);
    read_into(b, four, 2, 4, 1, C9_READINTO_REVERSE_PIXELS, C9_OK);
    const char *fr[] = {"a50"};
    assert_rows(b, fr);
    /* element size 2 with a 4-bit row: 3 pixels need 2 bytes -> one element */
    const uint8_t four2[] = {0xa5, 0x0c};
    read_into(b, four2, 2, 4, 2, C9_READINTO_SWAP_BYTES, C9_OK);
    const char *fs[] = {"c05"};
    assert_rows(b, fs);
    free_bitmap(b);
}

static void test_readinto_wide(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(2, 2, 16);
    const uint8_t d16[] = {0x34, 0x12, 0xcd, 0xab, 1, 0, 2, 0};
    read_into(b, d16, 8, 16, 1, 0, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x1234);
    assert_int_equal(ref_get(b, 1, 0), 0xabcd);
    read_into(b, d16, 8, 16, 2, C9_READINTO_SWAP_BYTES, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x3412);
    assert_int_equal(ref_get(b, 1, 1), 0x0200);
    /* element size 1: the swap flag does nothing */
    read_into(b, d16, 8, 16, 1, C9_READINTO_SWAP_BYTES, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x1234);
    /* 24 bits are big-endian R, G, B, masked to 16 bits */
    const uint8_t d24[] = {0x12, 0x34, 0x56, 0xff, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    read_into(b, d24, 12, 24, 1, 0, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x3456);
    assert_int_equal(ref_get(b, 1, 0), 0x0001);
    /* 32 bits with a 4-byte swap */
    const uint8_t d32[] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0};
    read_into(b, d32, 16, 32, 4, C9_READINTO_SWAP_BYTES, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x0304);
    assert_int_equal(ref_get(b, 1, 0), 0x0708);
    read_into(b, d32, 16, 32, 4, 0, C9_OK);
    assert_int_equal(ref_get(b, 0, 0), 0x0201);
    /* 8 bits into a 2-bit bitmap are masked */
    c9_bitmap_t *m = new_bitmap(3, 1, 2);
    const uint8_t d8[] = {7, 9, 2};
    read_into(m, d8, 3, 8, 1, 0, C9_OK);
    const char *masked[] = {"312"};
    assert_rows(m, masked);
    free_bitmap(m);
    free_bitmap(b);
}

static void test_readinto_errors(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(4, 3, 8);
    const uint8_t d[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    c9_bitmap_clear_dirty(b);
    read_into(b, d, 10, 8, 1, 0, C9_ERR_BITMAPTOOLS_EOF);
    assert_dirty(b, 0, 0, 4, 3);           /* marked before reading */
    assert_int_equal(ref_get(b, 3, 1), 8); /* the whole rows that were read stay */
    uint32_t row[4];
    assert_int_equal(c9_bitmaptools_readinto(b, fail_read, NULL, 8, 1, 0, row, sizeof row), C9_ERR_IO);
    assert_int_equal(c9_bitmaptools_readinto(b, mem_read, NULL, 3, 1, 0, row, sizeof row), C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_readinto(b, mem_read, NULL, 24, 2, 0, row, sizeof row), C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_readinto(b, mem_read, NULL, 32, 1, 0, row, 8), C9_ERR_NOMEM);
    free_bitmap(b);
}

/* ---- alphablend ---------------------------------------------------------------------------- */

static void test_alphablend_l8(void **state) {
    (void)state;
    c9_bitmap_t *d = new_bitmap(3, 1, 8), *s1 = new_bitmap(3, 1, 8), *s2 = new_bitmap(3, 1, 8);
    for (int x = 0; x < 3; x++) {
        c9_bitmap_set(s1, x, 0, 100);
        c9_bitmap_set(s2, x, 0, 200);
        c9_bitmap_set(d, x, 0, 7);
    }
    c9_bitmap_clear_dirty(d);
    assert_int_equal(c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 0.5f, 0.5f, C9_BLENDMODE_NORMAL,
                                               C9_NO_INDEX, C9_NO_INDEX),
                     C9_OK);
    /* (200*128 + 100*128*128/256) / (128 + 128 - 64) = 32000 / 192 */
    assert_int_equal(ref_get(d, 0, 0), 166);
    assert_dirty(d, 0, 0, 3, 1);
    c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 0.5f, 0.5f, C9_BLENDMODE_SCREEN, C9_NO_INDEX, C9_NO_INDEX);
    assert_int_equal(ref_get(d, 1, 0), 173); /* (25600 + 12800 - 5000) / 192 */
    /* skips: pixel 0 of src1 skipped, pixel 1 of both, pixel 2 of src2 */
    c9_bitmap_set(s1, 0, 0, 9);
    c9_bitmap_set(s1, 1, 0, 9);
    c9_bitmap_set(s2, 1, 0, 8);
    c9_bitmap_set(s2, 2, 0, 8);
    c9_bitmap_set(d, 1, 0, 77);
    c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 0.5f, 0.25f, C9_BLENDMODE_NORMAL, c9_index(9), c9_index(8));
    assert_int_equal(ref_get(d, 0, 0), 50); /* 200 * 64 / 256 */
    assert_int_equal(ref_get(d, 1, 0), 77); /* kept */
    assert_int_equal(ref_get(d, 2, 0), 50); /* 100 * 128 / 256: src1 read at its own x */
    /* both factors 0: no division by zero */
    c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 0.0f, 0.0f, C9_BLENDMODE_NORMAL, C9_NO_INDEX, C9_NO_INDEX);
    assert_int_equal(ref_get(d, 0, 0), 0);
    /* factors 1/1 in Screen: 64000 * 51200 overflows 32 bits, not here:
     * (51200 + 64000 - 3276800000 / 65536) / 256 = 65200 / 256 */
    c9_bitmap_set(s1, 0, 0, 250);
    c9_bitmap_set(s2, 0, 0, 200);
    c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 1.0f, 1.0f, C9_BLENDMODE_SCREEN, C9_NO_INDEX, C9_NO_INDEX);
    assert_int_equal(ref_get(d, 0, 0), 254);
    free_bitmap(d);
    free_bitmap(s1);
    free_bitmap(s2);
}

static void test_alphablend_565(void **state) {
    (void)state;
    c9_bitmap_t *d = new_bitmap(2, 1, 16), *s1 = new_bitmap(2, 1, 16), *s2 = new_bitmap(2, 1, 16);
    c9_bitmap_set(s1, 0, 0, 0xf800);
    c9_bitmap_set(s2, 0, 0, 0x001f);
    c9_bitmap_set(s1, 1, 0, 0xf800);
    c9_bitmap_set(s2, 1, 0, 0x1234);
    const c9_colorspace_t plain[] = {C9_COLORSPACE_RGB565, C9_COLORSPACE_BGR565};
    for (int i = 0; i < 2; i++) {
        c9_bitmaptools_alphablend(d, s1, s2, plain[i], 0.5f, 0.5f, C9_BLENDMODE_NORMAL, C9_NO_INDEX, c9_index(0x1234));
        /* r = 31744*128/256/192 = 82 -> 0x5000; b = 31744/192 = 165 -> 20 */
        assert_int_equal(ref_get(d, 0, 0), 0x5014);
        /* src2 skipped: src1 red halved channel-wise, nothing spilt into green */
        assert_int_equal(ref_get(d, 1, 0), 0x7800);
    }
    /* the swapped variants take and give byte-swapped values */
    c9_bitmap_set(s1, 0, 0, 0x00f8);
    c9_bitmap_set(s2, 0, 0, 0x1f00);
    c9_bitmap_set(s1, 1, 0, 0x00f8);
    c9_bitmap_set(s2, 1, 0, 0x3412);
    const c9_colorspace_t swapped[] = {C9_COLORSPACE_RGB565_SWAPPED, C9_COLORSPACE_BGR565_SWAPPED};
    for (int i = 0; i < 2; i++) {
        c9_bitmaptools_alphablend(d, s1, s2, swapped[i], 0.5f, 0.5f, C9_BLENDMODE_NORMAL, C9_NO_INDEX,
                                  c9_index(0x1234));
        assert_int_equal(ref_get(d, 0, 0), 0x1450);
        assert_int_equal(ref_get(d, 1, 0), 0x0078);
    }
    /* Screen of white on anything stays white */
    c9_bitmap_set(s1, 0, 0, 0xffff);
    c9_bitmap_set(s2, 0, 0, 0x0841);
    c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_RGB565, 1.0f, 1.0f, C9_BLENDMODE_SCREEN, C9_NO_INDEX,
                              C9_NO_INDEX);
    assert_int_equal(ref_get(d, 0, 0), 0xffff);
    /* errors */
    c9_bitmap_t *l8 = new_bitmap(2, 1, 8), *small = new_bitmap(1, 1, 16);
    assert_int_equal(c9_bitmaptools_alphablend(d, s1, l8, C9_COLORSPACE_RGB565, 0.5f, 0.5f, C9_BLENDMODE_NORMAL,
                                               C9_NO_INDEX, C9_NO_INDEX),
                     C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_alphablend(d, s1, small, C9_COLORSPACE_RGB565, 0.5f, 0.5f, C9_BLENDMODE_NORMAL,
                                               C9_NO_INDEX, C9_NO_INDEX),
                     C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_L8, 0.5f, 0.5f, C9_BLENDMODE_NORMAL,
                                               C9_NO_INDEX, C9_NO_INDEX),
                     C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_alphablend(d, s1, s2, C9_COLORSPACE_RGB888, 0.5f, 0.5f, C9_BLENDMODE_NORMAL,
                                               C9_NO_INDEX, C9_NO_INDEX),
                     C9_ERR_INVAL);
    free_bitmap(l8);
    free_bitmap(small);
    free_bitmap(d);
    free_bitmap(s1);
    free_bitmap(s2);
}

/* ---- rotozoom ------------------------------------------------------------------------------ */

static void test_rotozoom(void **state) {
    (void)state;
    c9_bitmap_t *s = new_bitmap(4, 4, 4);
    randomize(s);
    c9_bitmap_t *d = new_bitmap(4, 4, 4);
    c9_rotozoom_t p;
    c9_bitmaptools_rotozoom_defaults(&p, d, s);
    assert_int_equal(p.ox, 2);
    assert_int_equal(p.py, 2);
    assert_int_equal(c9_bitmaptools_rotozoom(d, s, &p), C9_OK);
    uint32_t *a = snapshot(s), *b = snapshot(d);
    assert_memory_equal(a, b, 16 * sizeof(uint32_t)); /* identity */
    test_free(b);
    assert_dirty(d, 0, 0, 4, 4);

    /* scale 2 into 8x8: every source pixel becomes a 2x2 block */
    c9_bitmap_t *big = new_bitmap(8, 8, 8);
    c9_bitmaptools_rotozoom_defaults(&p, big, s);
    p.scale = 2.0f;
    assert_int_equal(c9_bitmaptools_rotozoom(big, s, &p), C9_OK);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            assert_int_equal(ref_get(big, x, y), a[(y / 2) * 4 + x / 2]);
        }
    }
    /* skip index and a destination clip (corners given in reverse order) */
    c9_bitmap_fill(big, 15);
    c9_bitmap_clear_dirty(big);
    p.skip = c9_index(a[0]);
    p.dest_clip = (c9_rect_t){6, 6, 2, 1};
    c9_bitmaptools_rotozoom(big, s, &p);
    assert_dirty(big, 2, 1, 6, 6);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            uint32_t v = a[(y / 2) * 4 + x / 2];
            bool in = x >= 2 && x < 6 && y >= 1 && y < 6 && v != a[0];
            assert_int_equal(ref_get(big, x, y), in ? v : 15);
        }
    }
    /* a source clip: only source column 1..2 */
    c9_bitmap_fill(big, 15);
    c9_bitmaptools_rotozoom_defaults(&p, big, s);
    p.scale = 2.0f;
    p.source_clip = (c9_rect_t){1, 0, 3, 4};
    c9_bitmaptools_rotozoom(big, s, &p);
    for (int x = 0; x < 8; x++) {
        assert_int_equal(ref_get(big, x, 3), (x >= 2 && x < 6) ? a[4 + x / 2] : 15);
    }
    /* huge scales and angles do not misbehave */
    p.scale = 1e30f;
    p.angle = 1e30f;
    assert_int_equal(c9_bitmaptools_rotozoom(big, s, &p), C9_OK);
    p.scale = 0.0f;
    assert_int_equal(c9_bitmaptools_rotozoom(big, s, &p), C9_OK);
    c9_bitmap_t *narrow = new_bitmap(4, 4, 2);
    assert_int_equal(c9_bitmaptools_rotozoom(narrow, s, &p), C9_ERR_INVAL);
    free_bitmap(narrow);
    test_free(a);
    free_bitmap(big);
    free_bitmap(d);
    free_bitmap(s);
}

/* ---- dither -------------------------------------------------------------------------------- */

/* Whole-frame reference: an error image with 2 columns of padding on each side; serpentine. */
static void ref_dither(const int16_t *lum, int w, int h, c9_dither_algorithm_t alg, uint8_t *out) {
    const int at[4][3] = {{2, 0, 32}, {-1, 1, 32}, {0, 1, 32}, {0, 2, 32}};
    const int fs[4][3] = {{-1, 1, 48}, {0, 1, 80}, {1, 1, 16}, {0, 0, 0}};
    const int(*t)[3] = alg == C9_DITHER_ATKINSON ? at : fs;
    int nt = alg == C9_DITHER_ATKINSON ? 4 : 3, carry = alg == C9_DITHER_ATKINSON ? 32 : 112;
    int W = w + 4;
    int16_t *img = test_calloc((size_t)W * (size_t)(h + 2), sizeof(int16_t));
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            img[y * W + x + 2] = lum[y * w + x];
        }
    }
    int16_t err = 0;
    for (int y = 0; y < h; y++) {
        int dir = y % 2 ? -1 : 1;
        for (int i = 0; i < w; i++) {
            int x = dir > 0 ? i : w - 1 - i;
            int in = img[y * W + x + 2] + err;
            if (dir < 0) {
                in = (int16_t)in;
            }
            bool o = in >= 128;
            out[y * w + x] = o;
            err = (int16_t)(in - (o ? 255 : 0));
            for (int k = 0; k < nt; k++) {
                int16_t *c = &img[(y + t[k][1]) * W + x + dir * t[k][0] + 2];
                *c = (int16_t)(t[k][2] * err / 256 + *c);
            }
            err = (int16_t)(err * carry / 256);
        }
    }
    test_free(img);
}

static void test_dither_hand(void **state) {
    (void)state;
    c9_bitmap_t *s = new_bitmap(4, 1, 8), *d = new_bitmap(4, 1, 1);
    for (int x = 0; x < 4; x++) {
        c9_bitmap_set(s, x, 0, 128);
    }
    uint8_t work[256];
    assert_true(c9_bitmaptools_dither_work_size(4) <= sizeof work);
    assert_int_equal(c9_bitmaptools_dither(d, s, C9_COLORSPACE_L8, C9_DITHER_FLOYD_STENBERG, work, sizeof work), C9_OK);
    const char *fs[] = {"1010"};
    assert_rows(d, fs);
    assert_int_equal(c9_bitmaptools_dither(d, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, sizeof work), C9_OK);
    const char *at[] = {"1001"};
    assert_rows(d, at);
    assert_padding_clear(d);
    assert_dirty(d, 0, 0, 4, 1);
    /* 16-bit output is 0 / 65535 */
    c9_bitmap_t *d16 = new_bitmap(4, 1, 16);
    c9_bitmaptools_dither(d16, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, sizeof work);
    assert_int_equal(ref_get(d16, 0, 0), 65535);
    assert_int_equal(ref_get(d16, 1, 0), 0);
    /* errors */
    assert_int_equal(c9_bitmaptools_dither(d, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, 4), C9_ERR_NOMEM);
    assert_int_equal(c9_bitmaptools_dither(d, s, C9_COLORSPACE_RGB565, C9_DITHER_ATKINSON, work, sizeof work),
                     C9_ERR_INVAL);
    assert_int_equal(c9_bitmaptools_dither(d, s, C9_COLORSPACE_RGB888, C9_DITHER_ATKINSON, work, sizeof work),
                     C9_ERR_INVAL);
    c9_bitmap_t *wrong = new_bitmap(4, 1, 8);
    assert_int_equal(c9_bitmaptools_dither(wrong, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, sizeof work),
                     C9_ERR_INVAL);
    c9_bitmap_t *other = new_bitmap(3, 1, 1);
    assert_int_equal(c9_bitmaptools_dither(other, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, sizeof work),
                     C9_ERR_INVAL);
    free_bitmap(other);
    free_bitmap(wrong);
    free_bitmap(d16);
    free_bitmap(s);
    free_bitmap(d);
}

static int16_t ref_luma565(uint16_t px, c9_colorspace_t cs) {
    if (cs == C9_COLORSPACE_RGB565_SWAPPED || cs == C9_COLORSPACE_BGR565_SWAPPED) {
        px = (uint16_t)((px >> 8) | (px << 8));
    }
    int hi = ((px >> 11) & 31) << 3, g = ((px >> 5) & 63) << 2, lo = (px & 31) << 3;
    int r = hi, b = lo;
    if (cs == C9_COLORSPACE_BGR565 || cs == C9_COLORSPACE_BGR565_SWAPPED) {
        r = lo;
        b = hi;
    }
    return (int16_t)((r * 78 + g * 154 + b * 29) / 256);
}

static void test_dither_vs_reference(void **state) {
    (void)state;
    const c9_colorspace_t spaces[] = {C9_COLORSPACE_L8, C9_COLORSPACE_RGB565, C9_COLORSPACE_RGB565_SWAPPED,
                                      C9_COLORSPACE_BGR565, C9_COLORSPACE_BGR565_SWAPPED};
    const int sizes[][2] = {{1, 1}, {3, 2}, {17, 3}, {33, 9}, {40, 1}, {2, 13}};
    for (size_t si = 0; si < C9_ARRAY_SIZE(spaces); si++) {
        for (size_t z = 0; z < C9_ARRAY_SIZE(sizes); z++) {
            for (int alg = 0; alg < 2; alg++) {
                int w = sizes[z][0], h = sizes[z][1];
                bool l8 = spaces[si] == C9_COLORSPACE_L8;
                c9_bitmap_t *s = new_bitmap(w, h, l8 ? 8 : 16), *d = new_bitmap(w, h, (z % 2) ? 1 : 16);
                randomize(s);
                int16_t *lum = test_malloc(sizeof(int16_t) * (size_t)(w * h));
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        uint32_t v = ref_get(s, x, y);
                        lum[y * w + x] = l8 ? (int16_t)v : ref_luma565((uint16_t)v, spaces[si]);
                    }
                }
                uint8_t *want = test_malloc((size_t)(w * h));
                ref_dither(lum, w, h, (c9_dither_algorithm_t)alg, want);
                size_t ws = c9_bitmaptools_dither_work_size((uint32_t)w);
                void *work = test_malloc(ws);
                assert_int_equal(c9_bitmaptools_dither(d, s, spaces[si], (c9_dither_algorithm_t)alg, work, ws), C9_OK);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        uint32_t hi = d->bits_per_value == 1 ? 1 : 65535;
                        assert_int_equal(ref_get(d, x, y), want[y * w + x] ? hi : 0);
                    }
                }
                assert_padding_clear(d);
                test_free(work);
                test_free(want);
                test_free(lum);
                free_bitmap(s);
                free_bitmap(d);
            }
        }
    }
}

static void test_dither_in_place(void **state) {
    (void)state;
    c9_bitmap_t *s = new_bitmap(9, 7, 16), *copy = new_bitmap(9, 7, 16), *d = new_bitmap(9, 7, 16);
    randomize(s);
    c9_bitmaptools_blit(copy, s, 0, 0, NULL, C9_NO_INDEX, C9_NO_INDEX);
    size_t ws = c9_bitmaptools_dither_work_size(9);
    void *work = test_malloc(ws);
    c9_bitmaptools_dither(d, s, C9_COLORSPACE_RGB565, C9_DITHER_FLOYD_STENBERG, work, ws);
    c9_bitmaptools_dither(copy, copy, C9_COLORSPACE_RGB565, C9_DITHER_FLOYD_STENBERG, work, ws);
    uint32_t *a = snapshot(d), *b = snapshot(copy);
    assert_memory_equal(a, b, 63 * sizeof(uint32_t));
    test_free(a);
    test_free(b);
    test_free(work);
    free_bitmap(s);
    free_bitmap(copy);
    free_bitmap(d);
}

/* ---- read-only and released bitmaps -------------------------------------------------------- */

static void test_read_only_everywhere(void **state) {
    (void)state;
    c9_bitmap_t *b = new_bitmap(4, 4, 8), *s = new_bitmap(4, 4, 8);
    b->read_only = true;
    c9_rotozoom_t p;
    c9_bitmaptools_rotozoom_defaults(&p, b, s);
    uint8_t work[128], data[16] = {0};
    int32_t xs[2] = {0, 1};
    assert_int_equal(c9_bitmaptools_rotozoom(b, s, &p), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_fill_region(b, 0, 0, 1, 1, 1), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_boundary_fill(b, 0, 0, 1, NULL, NULL), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_draw_line(b, 0, 0, 1, 1, 1), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_draw_polygon(b, xs, xs, 2, 1, true), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_draw_circle(b, 0, 0, 1, 1), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_arrayblit(b, data, 16, 1, NULL, C9_NO_INDEX), C9_ERR_PERM);
    assert_int_equal(c9_bitmaptools_readinto(b, mem_read, NULL, 8, 1, 0, work, sizeof work), C9_ERR_PERM);
    assert_int_equal(
        c9_bitmaptools_alphablend(b, s, s, C9_COLORSPACE_L8, 0.5f, 0.5f, C9_BLENDMODE_NORMAL, C9_NO_INDEX, C9_NO_INDEX),
        C9_ERR_PERM);
    assert_int_equal(ref_get(b, 0, 0), 0);
    b->read_only = false;
    c9_bitmap_release(b);
    assert_int_equal(c9_bitmaptools_fill_region(b, 0, 0, 1, 1, 1), C9_ERR_BADF);
    assert_int_equal(c9_bitmaptools_dither(b, s, C9_COLORSPACE_L8, C9_DITHER_ATKINSON, work, sizeof work), C9_ERR_BADF);
    test_free(b);
    free_bitmap(s);
}

/* A packed block of 16-bit values lands clipped, masked to the destination's depth, honours both
 * skip indices and reports (without marking) the area written. Expected values by hand. */
static void test_blit_block16(void **state) {
    (void)state;
    /* 3x2 block in rows 4 values apart: the 4th column is padding and must never be read. */
    static const uint16_t px[] = {0x0101, 0x0202, 0x0303, 0xFFFF, 0x0404, 0x0505, 0x0606, 0xFFFF};
    c9_bitmap_t d;
    assert_int_equal(c9_bitmap_alloc(&d, 4, 3, 16, NULL), C9_OK);
    c9_rect_t w;
    assert_int_equal(c9_bitmaptools_blit_block16(&d, 2, 2, px, 4, 3, 2, C9_NO_INDEX, C9_NO_INDEX, &w), C9_OK);
    assert_int_equal(c9_bitmap_get(&d, 2, 2), 0x0101);
    assert_int_equal(c9_bitmap_get(&d, 3, 2), 0x0202);
    assert_int_equal(c9_bitmap_get(&d, 1, 2), 0);
    assert_int_equal(w.x1, 2);
    assert_int_equal(w.y1, 2);
    assert_int_equal(w.x2, 4);
    assert_int_equal(w.y2, 3);
    assert_true(c9_rect_empty(&d.dirty)); /* the caller marks it */

    /* negative origin: the block's top-left is clipped off */
    assert_int_equal(c9_bitmaptools_blit_block16(&d, -1, -1, px, 4, 3, 2, C9_NO_INDEX, C9_NO_INDEX, &w), C9_OK);
    assert_int_equal(c9_bitmap_get(&d, 0, 0), 0x0505);
    assert_int_equal(c9_bitmap_get(&d, 1, 0), 0x0606);
    assert_int_equal(c9_bitmap_get(&d, 2, 0), 0);
    assert_int_equal(w.x2 - w.x1, 2);
    assert_int_equal(w.y2 - w.y1, 1);
    c9_bitmap_release(&d);

    /* 4-bit destination: values masked; skip_source 0x0202 (masked 2 would be written otherwise);
     * skip_dest keeps destination pixels equal to 7 */
    assert_int_equal(c9_bitmap_alloc(&d, 3, 2, 4, NULL), C9_OK);
    c9_bitmap_set(&d, 2, 0, 7);
    assert_int_equal(c9_bitmaptools_blit_block16(&d, 0, 0, px, 4, 3, 2, c9_index(0x0202), c9_index(7), &w), C9_OK);
    assert_int_equal(c9_bitmap_get(&d, 0, 0), 0x1);
    assert_int_equal(c9_bitmap_get(&d, 1, 0), 0);
    assert_int_equal(c9_bitmap_get(&d, 2, 0), 7);
    assert_int_equal(c9_bitmap_get(&d, 0, 1), 0x4);
    assert_int_equal(c9_bitmap_get(&d, 2, 1), 0x6);

    /* entirely outside, and a width wider than the stride */
    assert_int_equal(c9_bitmaptools_blit_block16(&d, 5, 0, px, 4, 3, 2, C9_NO_INDEX, C9_NO_INDEX, &w), C9_OK);
    assert_true(c9_rect_empty(&w));
    assert_int_equal(c9_bitmaptools_blit_block16(&d, 0, 0, px, 2, 3, 2, C9_NO_INDEX, C9_NO_INDEX, &w), C9_ERR_INVAL);
    d.read_only = true;
    assert_int_equal(c9_bitmaptools_blit_block16(&d, 0, 0, px, 4, 3, 2, C9_NO_INDEX, C9_NO_INDEX, &w), C9_ERR_PERM);
    c9_bitmap_release(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blit_depths_and_clipping),
        cmocka_unit_test(test_blit_overlap_all_directions),
        cmocka_unit_test(test_blit_errors_and_dirty),
        cmocka_unit_test(test_blit_wider_destination_keeps_values),
        cmocka_unit_test(test_fill_region),
        cmocka_unit_test(test_draw_line_hand_computed),
        cmocka_unit_test(test_draw_line_clipping),
        cmocka_unit_test(test_draw_circle),
        cmocka_unit_test(test_draw_polygon),
        cmocka_unit_test(test_boundary_fill_hand),
        cmocka_unit_test(test_boundary_fill_random_vs_reference),
        cmocka_unit_test(test_boundary_fill_large_serpentine),
        cmocka_unit_test(test_boundary_fill_nomem),
        cmocka_unit_test(test_arrayblit),
        cmocka_unit_test(test_readinto_bits),
        cmocka_unit_test(test_readinto_wide),
        cmocka_unit_test(test_readinto_errors),
        cmocka_unit_test(test_alphablend_l8),
        cmocka_unit_test(test_alphablend_565),
        cmocka_unit_test(test_rotozoom),
        cmocka_unit_test(test_dither_hand),
        cmocka_unit_test(test_dither_vs_reference),
        cmocka_unit_test(test_dither_in_place),
        cmocka_unit_test(test_read_only_everywhere),
        cmocka_unit_test(test_blit_block16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
