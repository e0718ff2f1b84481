#include "circuit9/gfx.h"

#include <string.h>

bool c9_rect_intersect(const c9_rect_t *a, const c9_rect_t *b, c9_rect_t *out) {
    c9_rect_t r = {C9_MAX(a->x1, b->x1), C9_MAX(a->y1, b->y1), C9_MIN(a->x2, b->x2), C9_MIN(a->y2, b->y2)};
    if (c9_rect_empty(&r)) {
        r = (c9_rect_t){0, 0, 0, 0};
        *out = r;
        return false;
    }
    *out = r;
    return true;
}

void c9_rect_union(const c9_rect_t *a, const c9_rect_t *b, c9_rect_t *out) {
    if (c9_rect_empty(a)) {
        *out = *b;
        return;
    }
    if (c9_rect_empty(b)) {
        *out = *a;
        return;
    }
    c9_rect_t r = {C9_MIN(a->x1, b->x1), C9_MIN(a->y1, b->y1), C9_MAX(a->x2, b->x2), C9_MAX(a->y2, b->y2)};
    *out = r;
}

uint8_t c9_bitmap_bits_for_value_count(uint32_t value_count) {
    uint32_t max = value_count ? value_count - 1 : 0;
    uint8_t bits = 1;
    while (bits < 32 && (max >> bits) != 0) {
        bits = (uint8_t)(bits < 8 ? bits * 2 : bits + bits);
    }
    return bits;
}

static bool valid_bits(uint32_t bpv) {
    return bpv == 1 || bpv == 2 || bpv == 4 || bpv == 8 || bpv == 16 || bpv == 32;
}

size_t c9_bitmap_data_size(uint32_t width, uint32_t height, uint32_t bits_per_value) {
    if (width > C9_BITMAP_MAX_DIM || height > C9_BITMAP_MAX_DIM || !valid_bits(bits_per_value)) {
        return 0;
    }
    return (size_t)C9_BITMAP_WORDS(width, height, bits_per_value) * 4u;
}

static void setup(c9_bitmap_t *b, uint32_t width, uint32_t height, uint32_t bpv) {
    memset(b, 0, sizeof(*b));
    b->width = (uint16_t)width;
    b->height = (uint16_t)height;
    b->bits_per_value = (uint8_t)bpv;
    b->stride_words = C9_BITMAP_STRIDE_WORDS(width, bpv);
    b->bitmask = bpv == 32 ? 0xFFFFFFFFu : ((1u << bpv) - 1u);
    if (bpv < 8) {
        uint32_t per_byte = 8 / bpv;
        b->x_mask = (uint8_t)(per_byte - 1);
        while ((1u << b->x_shift) < per_byte) {
            b->x_shift++;
        }
    }
}

c9_err_t c9_bitmap_init(c9_bitmap_t *b, uint32_t width, uint32_t height, uint32_t bits_per_value, uint32_t *data,
                        size_t size) {
    if (width > C9_BITMAP_MAX_DIM || height > C9_BITMAP_MAX_DIM || !valid_bits(bits_per_value)) {
        return C9_ERR_INVAL;
    }
    size_t need = c9_bitmap_data_size(width, height, bits_per_value);
    if (size < need || (need && !data)) {
        return C9_ERR_NOMEM;
    }
    setup(b, width, height, bits_per_value);
    b->data = data;
    b->data_size = need;
    if (need) {
        memset(data, 0, need);
    }
    return C9_OK;
}

c9_err_t c9_bitmap_alloc(c9_bitmap_t *b, uint32_t width, uint32_t height, uint32_t bits_per_value,
                         const c9_allocator_t *a) {
    if (width > C9_BITMAP_MAX_DIM || height > C9_BITMAP_MAX_DIM || !valid_bits(bits_per_value)) {
        return C9_ERR_INVAL;
    }
    size_t need = c9_bitmap_data_size(width, height, bits_per_value);
    /* A 0x0 bitmap still gets one word so that data != NULL means "alive". */
    size_t alloc_size = need ? need : 4;
    uint32_t *data = c9_calloc(a, alloc_size);
    if (!data) {
        return C9_ERR_NOMEM;
    }
    setup(b, width, height, bits_per_value);
    b->data = data;
    b->data_size = need;
    b->allocator = a ? a : c9_allocator_default();
    return C9_OK;
}

void c9_bitmap_release(c9_bitmap_t *b) {
    if (b->data && b->allocator) {
        c9_free(b->allocator, b->data, b->data_size ? b->data_size : 4);
    }
    b->data = NULL;
    b->allocator = NULL;
    b->data_size = 0;
}

uint32_t c9_bitmap_get(const c9_bitmap_t *b, int x, int y) {
    if (!b->data || x < 0 || y < 0 || x >= b->width || y >= b->height) {
        return 0;
    }
    return c9_bitmap_get_unchecked(b, x, y);
}

c9_err_t c9_bitmap_set(c9_bitmap_t *b, int x, int y, uint32_t value) {
    if (!b->data) {
        return C9_ERR_BADF;
    }
    if (b->read_only) {
        return C9_ERR_PERM;
    }
    if (x < 0 || y < 0 || x >= b->width || y >= b->height) {
        return C9_OK;
    }
    c9_bitmap_set_unchecked(b, x, y, value);
    c9_rect_t r = {(int16_t)x, (int16_t)y, (int16_t)(x + 1), (int16_t)(y + 1)};
    c9_rect_union(&b->dirty, &r, &b->dirty);
    return C9_OK;
}

c9_err_t c9_bitmap_fill(c9_bitmap_t *b, uint32_t value) {
    if (!b->data) {
        return C9_ERR_BADF;
    }
    if (b->read_only) {
        return C9_ERR_PERM;
    }
    value &= b->bitmask;
    /* Replicate the value across a word; padding bits get the value too, as CircuitPython does. */
    uint32_t word = 0;
    for (unsigned i = 0; i < 32 / b->bits_per_value; i++) {
        word |= value << (i * b->bits_per_value);
    }
    size_t words = (size_t)b->stride_words * b->height;
    for (size_t i = 0; i < words; i++) {
        b->data[i] = word;
    }
    c9_bitmap_mark_dirty(b, NULL);
    return C9_OK;
}

void c9_bitmap_mark_dirty(c9_bitmap_t *b, const c9_rect_t *r) {
    c9_rect_t full = {0, 0, (int16_t)b->width, (int16_t)b->height};
    c9_rect_t clipped;
    if (!r) {
        clipped = full;
    } else if (!c9_rect_intersect(r, &full, &clipped)) {
        return;
    }
    c9_rect_union(&b->dirty, &clipped, &b->dirty);
}

void c9_bitmap_clear_dirty(c9_bitmap_t *b) {
    b->dirty = (c9_rect_t){0, 0, 0, 0};
}
