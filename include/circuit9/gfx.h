/*
 * circuit9 graphics data model: Bitmap, Palette, ColorConverter and rectangles, stored
 * exactly as CircuitPython 9 stores them so that pixel data, buffer-protocol views and
 * golden outputs match byte for byte.
 *
 * A bitmap keeps values of 1, 2, 4, 8, 16 or 32 bits. Rows are padded to 32-bit words
 * (stride_words). Values under 8 bits are packed most significant bits first within each
 * byte; 8/16/32-bit values are native little-endian. Every write through c9_bitmap_set()
 * or the drawing functions grows the dirty rectangle; raw writes through `data` must call
 * c9_bitmap_mark_dirty() themselves.
 *
 *     uint32_t buf[C9_BITMAP_WORDS(10, 4, 2)];
 *     c9_bitmap_t b;
 *     c9_bitmap_init(&b, 10, 4, 2, buf, sizeof buf);   // 10x4, 2 bits per value
 *     c9_bitmap_set(&b, 3, 1, 2);
 *
 * Errors: C9_ERR_INVAL (bad size or bits), C9_ERR_NOMEM (buffer or allocator too small),
 * C9_ERR_PERM (write to a read-only bitmap), C9_ERR_BADF (bitmap released).
 */
#ifndef CIRCUIT9_GFX_H
#define CIRCUIT9_GFX_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A rectangle: x1,y1 inclusive, x2,y2 exclusive. Empty when x1 >= x2 or y1 >= y2. */
typedef struct c9_rect {
    int16_t x1, y1, x2, y2;
} c9_rect_t;

static inline bool c9_rect_empty(const c9_rect_t *r) {
    return r->x1 >= r->x2 || r->y1 >= r->y2;
}
/* out = a ∩ b; returns false (and an empty out) when they do not overlap. */
bool c9_rect_intersect(const c9_rect_t *a, const c9_rect_t *b, c9_rect_t *out);
/* out = the bounding box of a and b; an empty rectangle does not contribute. */
void c9_rect_union(const c9_rect_t *a, const c9_rect_t *b, c9_rect_t *out);

#define C9_BITMAP_STRIDE_WORDS(w, bpv) ((((uint32_t)(w) * (uint32_t)(bpv)) + 31u) / 32u)
#define C9_BITMAP_WORDS(w, h, bpv) (C9_BITMAP_STRIDE_WORDS(w, bpv) * (uint32_t)(h))

typedef struct c9_bitmap {
    uint32_t *data;
    uint16_t width;
    uint16_t height;
    uint32_t stride_words;  /* 32-bit words per row */
    uint8_t bits_per_value; /* 1, 2, 4, 8, 16 or 32 */
    uint8_t x_shift;        /* log2(values per byte) for bpv < 8, else 0 */
    uint8_t x_mask;         /* values per byte - 1 for bpv < 8, else 0 */
    bool read_only;
    uint32_t bitmask;                /* (1 << bpv) - 1 */
    c9_rect_t dirty;                 /* area changed since the last c9_bitmap_clear_dirty() */
    const c9_allocator_t *allocator; /* set when the bitmap owns data */
    size_t data_size;                /* bytes at data */
} c9_bitmap_t;

/* Smallest of 1, 2, 4, 8, 16, 32 bits that holds value_count - 1 (value_count >= 1). */
uint8_t c9_bitmap_bits_for_value_count(uint32_t value_count);
/* Bytes of storage for a bitmap; 0 if the arguments are invalid. */
size_t c9_bitmap_data_size(uint32_t width, uint32_t height, uint32_t bits_per_value);

/* Uses the caller's storage (at least c9_bitmap_data_size() bytes, zeroed by this call). */
c9_err_t c9_bitmap_init(c9_bitmap_t *b, uint32_t width, uint32_t height, uint32_t bits_per_value, uint32_t *data,
                        size_t size);
/* Allocates zeroed storage from `a` (NULL: the default allocator). */
c9_err_t c9_bitmap_alloc(c9_bitmap_t *b, uint32_t width, uint32_t height, uint32_t bits_per_value,
                         const c9_allocator_t *a);
/* Frees owned storage; afterwards data is NULL and every call returns C9_ERR_BADF. */
void c9_bitmap_release(c9_bitmap_t *b);

/* Unchecked access for hot loops: the caller guarantees 0 <= x < width, 0 <= y < height. */
static inline uint32_t c9_bitmap_get_unchecked(const c9_bitmap_t *b, int x, int y) {
    const uint32_t *row = b->data + (size_t)y * b->stride_words;
    switch (b->bits_per_value) {
    case 32: return row[x];
    case 16: return ((const uint16_t *)row)[x];
    case 8: return ((const uint8_t *)row)[x];
    default: {
        uint8_t byte = ((const uint8_t *)row)[x >> b->x_shift];
        unsigned shift = 8u - b->bits_per_value * (1u + ((unsigned)x & b->x_mask));
        return (byte >> shift) & b->bitmask;
    }
    }
}
static inline void c9_bitmap_set_unchecked(c9_bitmap_t *b, int x, int y, uint32_t v) {
    uint32_t *row = b->data + (size_t)y * b->stride_words;
    switch (b->bits_per_value) {
    case 32: row[x] = v; break;
    case 16: ((uint16_t *)row)[x] = (uint16_t)v; break;
    case 8: ((uint8_t *)row)[x] = (uint8_t)v; break;
    default: {
        uint8_t *p = (uint8_t *)row + (x >> b->x_shift);
        unsigned shift = 8u - b->bits_per_value * (1u + ((unsigned)x & b->x_mask));
        *p = (uint8_t)((*p & ~(b->bitmask << shift)) | ((v & b->bitmask) << shift));
        break;
    }
    }
}

/* Value at (x, y), or 0 outside the bitmap. */
uint32_t c9_bitmap_get(const c9_bitmap_t *b, int x, int y);
/* Sets one value (masked to bits_per_value) and grows the dirty area. Out-of-range
 * coordinates are ignored; a read-only bitmap returns C9_ERR_PERM. */
c9_err_t c9_bitmap_set(c9_bitmap_t *b, int x, int y, uint32_t value);
c9_err_t c9_bitmap_fill(c9_bitmap_t *b, uint32_t value);

/* Grows the dirty area by r clipped to the bitmap; NULL means the whole bitmap. */
void c9_bitmap_mark_dirty(c9_bitmap_t *b, const c9_rect_t *r);
void c9_bitmap_clear_dirty(c9_bitmap_t *b);

/* ---- Colour ---------------------------------------------------------------------------- */

typedef enum c9_colorspace {
    C9_COLORSPACE_RGB888 = 0,
    C9_COLORSPACE_RGB565,
    C9_COLORSPACE_RGB565_SWAPPED,
    C9_COLORSPACE_RGB555,
    C9_COLORSPACE_RGB555_SWAPPED,
    C9_COLORSPACE_BGR565,
    C9_COLORSPACE_BGR565_SWAPPED,
    C9_COLORSPACE_BGR555,
    C9_COLORSPACE_BGR555_SWAPPED,
    C9_COLORSPACE_L8,
    C9_COLORSPACE_COUNT
} c9_colorspace_t;

/* Expands a value in `cs` to RGB888 with CircuitPython's rules: 565 shifts without
 * replicating the top bits, 555 replicates them, L8 is l * 0x010101, *_SWAPPED byte-swaps
 * the 16-bit value first. */
uint32_t c9_color_to_rgb888(c9_colorspace_t cs, uint32_t value);
/* RGB888 -> RGB565 (not swapped) by truncation. */
static inline uint16_t c9_rgb888_to_rgb565(uint32_t c) {
    return (uint16_t)(((c >> 8) & 0xF800) | ((c >> 5) & 0x07E0) | ((c >> 3) & 0x001F));
}
/* RGB565 (not swapped) -> RGB888 by shifting (CircuitPython's 565 expansion). */
static inline uint32_t c9_rgb565_to_rgb888(uint16_t c) {
    return ((uint32_t)(c & 0xF800) << 8) | ((uint32_t)(c & 0x07E0) << 5) | ((uint32_t)(c & 0x001F) << 3);
}
static inline uint16_t c9_bswap16(uint16_t v) {
    return (uint16_t)((v >> 8) | (v << 8));
}
/* Perceived luma 0..255 of an RGB888 colour: (r*19 + g*182 + b*54) / 255 as CircuitPython
 * computes it for grayscale displays. */
uint8_t c9_rgb888_luma(uint32_t c);
/* Ordered dither noise for pixel (x, y): a deterministic value in 0..255 used to add up to one
 * step of the target depth before truncation. */
uint8_t c9_dither_noise(int x, int y);

typedef struct c9_palette_entry {
    uint32_t rgb888;
    bool transparent;
} c9_palette_entry_t;

typedef struct c9_palette {
    c9_palette_entry_t *colors;
    uint32_t count;
    bool dither;
    bool dirty; /* set on any change; the display clears it after redrawing */
    const c9_allocator_t *allocator;
} c9_palette_t;

#define C9_PALETTE_MAX 32767
/* All entries start black and opaque. count is 1..C9_PALETTE_MAX. */
c9_err_t c9_palette_alloc(c9_palette_t *p, uint32_t count, bool dither, const c9_allocator_t *a);
void c9_palette_release(c9_palette_t *p);
c9_err_t c9_palette_set(c9_palette_t *p, uint32_t index, uint32_t rgb888);
c9_err_t c9_palette_set_transparent(c9_palette_t *p, uint32_t index, bool transparent);

typedef struct c9_colorconverter {
    c9_colorspace_t input;
    bool dither;
    bool has_transparent;
    uint32_t transparent_color; /* in the input colorspace */
} c9_colorconverter_t;

void c9_colorconverter_init(c9_colorconverter_t *cc, c9_colorspace_t input, bool dither);
/* Input value -> RGB888; reports whether the value is the transparent colour. */
uint32_t c9_colorconverter_to_rgb888(const c9_colorconverter_t *cc, uint32_t value, bool *transparent);
/* ColorConverter.convert(): input -> RGB565 (not swapped) by truncation, with dither noise
 * for pixel (x, y) when dither is on; the transparent colour converts to 0. */
uint16_t c9_colorconverter_convert(const c9_colorconverter_t *cc, uint32_t value, int x, int y);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_GFX_H */
