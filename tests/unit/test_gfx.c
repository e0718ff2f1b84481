/* Unit tests of the graphics data model: bitmap storage and packing, dirty tracking, the
 * allocator contract, palettes and every colorspace expansion. Expected values are worked
 * out by hand from CircuitPython's storage rules (spec §3.2-§3.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/gfx.h"

static void test_bits_for_value_count(void **state) {
    (void)state;
    assert_int_equal(c9_bitmap_bits_for_value_count(1), 1);
    assert_int_equal(c9_bitmap_bits_for_value_count(2), 1);
    assert_int_equal(c9_bitmap_bits_for_value_count(3), 2);
    assert_int_equal(c9_bitmap_bits_for_value_count(4), 2);
    assert_int_equal(c9_bitmap_bits_for_value_count(5), 4);
    assert_int_equal(c9_bitmap_bits_for_value_count(16), 4);
    assert_int_equal(c9_bitmap_bits_for_value_count(17), 8);
    assert_int_equal(c9_bitmap_bits_for_value_count(256), 8);
    assert_int_equal(c9_bitmap_bits_for_value_count(257), 16);
    assert_int_equal(c9_bitmap_bits_for_value_count(65536), 16);
    assert_int_equal(c9_bitmap_bits_for_value_count(65537), 32);
}

static void test_stride_and_size(void **state) {
    (void)state;
    /* Rows are padded to 32-bit words: 33 one-bit values need two words. */
    assert_int_equal(C9_BITMAP_STRIDE_WORDS(33, 1), 2);
    assert_int_equal(C9_BITMAP_STRIDE_WORDS(32, 1), 1);
    assert_int_equal(C9_BITMAP_STRIDE_WORDS(3, 4), 1);
    assert_int_equal(C9_BITMAP_STRIDE_WORDS(3, 16), 2);
    assert_int_equal(c9_bitmap_data_size(3, 5, 16), 2 * 4 * 5);
    assert_int_equal(c9_bitmap_data_size(0, 5, 8), 0);
    assert_int_equal(c9_bitmap_data_size(10, 10, 3), 0);   /* invalid depth */
    assert_int_equal(c9_bitmap_data_size(40000, 1, 8), 0); /* over CircuitPython's limit */
}

/* Values under 8 bits are packed most significant bits first within each byte. */
static void test_packing_msb_first(void **state) {
    (void)state;
    uint32_t buf[4];
    c9_bitmap_t b;
    assert_int_equal(c9_bitmap_init(&b, 7, 2, 1, buf, sizeof buf), C9_OK);
    c9_bitmap_set(&b, 0, 0, 1);
    c9_bitmap_set(&b, 6, 0, 1);
    c9_bitmap_set(&b, 1, 1, 1);
    const uint8_t *bytes = (const uint8_t *)buf;
    assert_int_equal(bytes[0], 0x82); /* x=0 -> bit 7, x=6 -> bit 1 */
    assert_int_equal(bytes[4], 0x40); /* next row starts a new word */

    assert_int_equal(c9_bitmap_init(&b, 5, 1, 2, buf, sizeof buf), C9_OK);
    c9_bitmap_set(&b, 0, 0, 3);
    c9_bitmap_set(&b, 3, 0, 1);
    c9_bitmap_set(&b, 4, 0, 2);
    assert_int_equal(bytes[0], 0xC1); /* 11 00 00 01 */
    assert_int_equal(bytes[1], 0x80); /* 10 ...       */

    assert_int_equal(c9_bitmap_init(&b, 3, 1, 4, buf, sizeof buf), C9_OK);
    c9_bitmap_set(&b, 0, 0, 0xA);
    c9_bitmap_set(&b, 1, 0, 0x5);
    c9_bitmap_set(&b, 2, 0, 0xF);
    assert_int_equal(bytes[0], 0xA5);
    assert_int_equal(bytes[1], 0xF0);
}

/* 8/16/32-bit values are native little-endian, one per element. */
static void test_wide_values(void **state) {
    (void)state;
    uint32_t buf[8];
    c9_bitmap_t b;
    assert_int_equal(c9_bitmap_init(&b, 3, 2, 16, buf, sizeof buf), C9_OK);
    c9_bitmap_set(&b, 2, 1, 0xBEEF);
    const uint8_t *bytes = (const uint8_t *)buf;
    /* row 1 starts at word 2 (stride 2 words); x=2 is bytes 4..5 of the row */
    assert_int_equal(bytes[8 + 4], 0xEF);
    assert_int_equal(bytes[8 + 5], 0xBE);
    assert_int_equal(c9_bitmap_get(&b, 2, 1), 0xBEEF);
    c9_bitmap_set(&b, 0, 0, 0x12345); /* masked to 16 bits */
    assert_int_equal(c9_bitmap_get(&b, 0, 0), 0x2345);

    assert_int_equal(c9_bitmap_init(&b, 2, 2, 32, buf, sizeof buf), C9_OK);
    c9_bitmap_set(&b, 1, 1, 0xDEADBEEF);
    assert_int_equal(buf[3], 0xDEADBEEF);
}

/* Every position of every sub-byte depth at an odd width round-trips without touching its
 * neighbours. */
static void test_odd_width_roundtrip(void **state) {
    (void)state;
    static const uint8_t depths[] = {1, 2, 4, 8, 16, 32};
    uint32_t buf[64];
    for (size_t d = 0; d < sizeof depths; d++) {
        c9_bitmap_t b;
        uint32_t w = 13, h = 3;
        assert_int_equal(c9_bitmap_init(&b, w, h, depths[d], buf, sizeof buf), C9_OK);
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                c9_bitmap_set(&b, (int)x, (int)y, (x * 7 + y * 3 + 1) & b.bitmask);
            }
        }
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                assert_int_equal(c9_bitmap_get(&b, (int)x, (int)y), (x * 7 + y * 3 + 1) & b.bitmask);
            }
        }
    }
}

static void test_out_of_range_and_errors(void **state) {
    (void)state;
    uint32_t buf[2];
    c9_bitmap_t b;
    assert_int_equal(c9_bitmap_init(&b, 4, 4, 8, buf, sizeof buf), C9_ERR_NOMEM);
    assert_int_equal(c9_bitmap_init(&b, 4, 4, 5, buf, sizeof buf), C9_ERR_INVAL);
    assert_int_equal(c9_bitmap_init(&b, 8, 1, 8, buf, sizeof buf), C9_OK);
    assert_int_equal(c9_bitmap_set(&b, 8, 0, 1), C9_OK); /* ignored */
    assert_int_equal(c9_bitmap_set(&b, -1, 0, 1), C9_OK);
    assert_int_equal(c9_bitmap_get(&b, 8, 0), 0);
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[1], 0);
    assert_true(c9_rect_empty(&b.dirty));
    b.read_only = true;
    assert_int_equal(c9_bitmap_set(&b, 0, 0, 1), C9_ERR_PERM);
    assert_int_equal(c9_bitmap_fill(&b, 1), C9_ERR_PERM);
    assert_int_equal(buf[0], 0);
}

static void test_dirty_tracking(void **state) {
    (void)state;
    uint32_t buf[16];
    c9_bitmap_t b;
    assert_int_equal(c9_bitmap_init(&b, 10, 5, 4, buf, sizeof buf), C9_OK);
    assert_true(c9_rect_empty(&b.dirty));
    c9_bitmap_set(&b, 2, 1, 3);
    c9_bitmap_set(&b, 7, 3, 3);
    assert_int_equal(b.dirty.x1, 2);
    assert_int_equal(b.dirty.y1, 1);
    assert_int_equal(b.dirty.x2, 8);
    assert_int_equal(b.dirty.y2, 4);
    c9_bitmap_clear_dirty(&b);
    c9_rect_t r = {-5, -5, 3, 100};
    c9_bitmap_mark_dirty(&b, &r); /* clipped to the bitmap */
    assert_int_equal(b.dirty.x1, 0);
    assert_int_equal(b.dirty.y1, 0);
    assert_int_equal(b.dirty.x2, 3);
    assert_int_equal(b.dirty.y2, 5);
    c9_bitmap_clear_dirty(&b);
    c9_rect_t outside = {20, 0, 30, 2};
    c9_bitmap_mark_dirty(&b, &outside);
    assert_true(c9_rect_empty(&b.dirty));
    c9_bitmap_fill(&b, 9);
    assert_int_equal(b.dirty.x2, 10);
    assert_int_equal(b.dirty.y2, 5);
    for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 10; x++) {
            assert_int_equal(c9_bitmap_get(&b, x, y), 9);
        }
    }
}

/* Counting allocator: checks sized frees and that alloc failures surface as C9_ERR_NOMEM. */
typedef struct {
    size_t live, budget;
    int allocs, frees;
    uint8_t pool[4096];
    size_t used;
} counting_t;
static void *count_alloc(void *ctx, size_t n) {
    counting_t *c = ctx;
    if (c->live + n > c->budget || c->used + n > sizeof c->pool) {
        return NULL;
    }
    void *p = c->pool + c->used;
    c->used += (n + 7) & ~(size_t)7;
    c->live += n;
    c->allocs++;
    return p;
}
static void count_free(void *ctx, void *p, size_t n) {
    (void)p;
    counting_t *c = ctx;
    c->live -= n;
    c->frees++;
}

static void test_allocator_contract(void **state) {
    (void)state;
    counting_t c = {.budget = 100};
    c9_allocator_t a = {count_alloc, count_free, NULL, &c};
    c9_bitmap_t b;
    assert_int_equal(c9_bitmap_alloc(&b, 40, 40, 8, &a), C9_ERR_NOMEM);
    assert_int_equal(c.allocs, 0);
    assert_int_equal(c9_bitmap_alloc(&b, 10, 2, 8, &a), C9_OK); /* 3 words * 2 rows = 24 bytes */
    assert_int_equal(c.live, 24);
    c9_bitmap_release(&b);
    assert_int_equal(c.live, 0);
    assert_int_equal(c.frees, 1);
    assert_null(b.data);
    assert_int_equal(c9_bitmap_set(&b, 0, 0, 1), C9_ERR_BADF);
    c9_bitmap_release(&b); /* twice is harmless */
    assert_int_equal(c.frees, 1);

    /* realloc falls back to alloc + copy + free when the allocator has none */
    uint8_t *p = c9_alloc(&a, 8);
    memcpy(p, "abcdefgh", 8);
    uint8_t *q = c9_realloc(&a, p, 8, 16);
    assert_non_null(q);
    assert_memory_equal(q, "abcdefgh", 8);
    assert_int_equal(c.live, 16);
    c9_free(&a, q, 16);
    assert_int_equal(c.live, 0);
}

static void test_rects(void **state) {
    (void)state;
    c9_rect_t a = {0, 0, 10, 10}, b = {5, 5, 20, 20}, r;
    assert_true(c9_rect_intersect(&a, &b, &r));
    assert_int_equal(r.x1, 5);
    assert_int_equal(r.x2, 10);
    c9_rect_t c = {10, 0, 12, 5};
    assert_false(c9_rect_intersect(&a, &c, &r)); /* touching edges do not overlap */
    c9_rect_t e = {0, 0, 0, 0};
    c9_rect_union(&e, &b, &r);
    assert_int_equal(r.x1, 5);
    assert_int_equal(r.y2, 20);
    c9_rect_union(&a, &c, &r);
    assert_int_equal(r.x2, 12);
    assert_int_equal(r.y2, 10);
}

/* Colorspace expansion (spec §3.4), worked by hand. */
static void test_colorspaces(void **state) {
    (void)state;
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB888, 0x12345678), 0x345678);
    /* 565 shifts without replicating the top bits: full white becomes F8FCF8. */
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB565, 0xFFFF), 0xF8FCF8);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB565, 0xF800), 0xF80000);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB565, 0x07E0), 0x00FC00);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB565, 0x001F), 0x0000F8);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB565_SWAPPED, 0x00F8), 0xF80000);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_BGR565, 0xF800), 0x0000F8);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_BGR565_SWAPPED, 0x1F00), 0xF80000);
    /* 555 replicates: 0x1F -> 0xFF, 0x10 -> 0x84 */
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB555, 0x7FFF), 0xFFFFFF);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB555, 0x4000), 0x840000);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_RGB555_SWAPPED, 0x0040), 0x840000);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_BGR555, 0x4000), 0x000084);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_BGR555_SWAPPED, 0x0040), 0x000084);
    assert_int_equal(c9_color_to_rgb888(C9_COLORSPACE_L8, 0x7F), 0x7F7F7F);
    assert_int_equal(c9_rgb888_to_rgb565(0xFFFFFF), 0xFFFF);
    assert_int_equal(c9_rgb888_to_rgb565(0x123456), (0x12 >> 3) << 11 | (0x34 >> 2) << 5 | (0x56 >> 3));
}

static void test_colorconverter(void **state) {
    (void)state;
    c9_colorconverter_t cc;
    c9_colorconverter_init(&cc, C9_COLORSPACE_RGB888, false);
    assert_int_equal(c9_colorconverter_convert(&cc, 0xFF0000, 0, 0), 0xF800);
    cc.has_transparent = true;
    cc.transparent_color = 0xFF0000;
    assert_int_equal(c9_colorconverter_convert(&cc, 0xFF0000, 0, 0), 0);
    bool t = false;
    c9_colorconverter_to_rgb888(&cc, 0xFF0000, &t);
    assert_true(t);

    /* Dither: never more than one 565 step above the truncated value, never below it, and
     * over many pixels the average lands between the two neighbouring steps. */
    c9_colorconverter_init(&cc, C9_COLORSPACE_RGB888, true);
    uint32_t sum_r = 0;
    for (int i = 0; i < 1024; i++) {
        uint16_t v = c9_colorconverter_convert(&cc, 0x848484, i % 32, i / 32);
        uint32_t r5 = v >> 11;
        assert_true(r5 == (0x84 >> 3) || r5 == (0x84 >> 3) + 1);
        sum_r += r5;
    }
    assert_true(sum_r > 1024u * (0x84 >> 3) && sum_r < 1024u * ((0x84 >> 3) + 1));
}

static void test_palette(void **state) {
    (void)state;
    c9_palette_t p;
    assert_int_equal(c9_palette_alloc(&p, 0, false, NULL), C9_ERR_INVAL);
    assert_int_equal(c9_palette_alloc(&p, 40000, false, NULL), C9_ERR_INVAL);
    assert_int_equal(c9_palette_alloc(&p, 3, false, NULL), C9_OK);
    p.dirty = false;
    assert_int_equal(c9_palette_set(&p, 1, 0x00FF00), C9_OK);
    assert_true(p.dirty);
    assert_int_equal(p.colors[1].rgb888, 0x00FF00);
    assert_int_equal(c9_palette_set(&p, 3, 0), C9_ERR_RANGE);
    assert_int_equal(c9_palette_set(&p, 0, 0x1000000), C9_ERR_RANGE);
    assert_int_equal(c9_palette_set_transparent(&p, 2, true), C9_OK);
    assert_true(p.colors[2].transparent);
    c9_palette_release(&p);
    assert_int_equal(c9_palette_set(&p, 0, 0), C9_ERR_BADF);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_for_value_count),
        cmocka_unit_test(test_stride_and_size),
        cmocka_unit_test(test_packing_msb_first),
        cmocka_unit_test(test_wide_values),
        cmocka_unit_test(test_odd_width_roundtrip),
        cmocka_unit_test(test_out_of_range_and_errors),
        cmocka_unit_test(test_dirty_tracking),
        cmocka_unit_test(test_allocator_contract),
        cmocka_unit_test(test_rects),
        cmocka_unit_test(test_colorspaces),
        cmocka_unit_test(test_colorconverter),
        cmocka_unit_test(test_palette),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
