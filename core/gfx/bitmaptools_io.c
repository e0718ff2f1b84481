/* bitmaptools loaders (arrayblit, readinto) and the 2-level dither. */
#include "circuit9/bitmaptools.h"
#include "bitmaptools_internal.h"

#include <string.h>

/* ---- arrayblit ----------------------------------------------------------------------------- */

static uint32_t load_elem(const uint8_t *p, unsigned size) {
    /* memcpy: the caller's buffer need not be aligned. */
    switch (size) {
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: return *p;
    }
}

c9_err_t c9_bitmaptools_arrayblit(c9_bitmap_t *dest, const void *data, size_t data_bytes, unsigned element_size,
                                  const c9_rect_t *area, c9_opt_index_t skip) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (element_size != 1 && element_size != 2 && element_size != 4) {
        return C9_ERR_INVAL;
    }
    long x1 = area ? area->x1 : 0, y1 = area ? area->y1 : 0;
    long x2 = area ? area->x2 : dest->width, y2 = area ? area->y2 : dest->height;
    uint64_t need = (x2 > x1 && y2 > y1) ? (uint64_t)(x2 - x1) * (uint64_t)(y2 - y1) : 0;
    if (need > data_bytes / element_size) {
        return C9_ERR_RANGE;
    }
    /* Elements map onto the area as given; the parts outside the bitmap consume data but are
     * not written, as CircuitPython's write_pixel ignores them. */
    const uint8_t *p = data;
    for (long y = y1; y < y2; y++) {
        bool row_in = y >= 0 && y < dest->height;
        for (long x = x1; x < x2; x++, p += element_size) {
            if (!row_in || x < 0 || x >= dest->width) {
                continue;
            }
            uint32_t v = load_elem(p, element_size);
            if (!skip.set || v != skip.value) {
                c9_bitmap_set_unchecked(dest, (int)x, (int)y, v & dest->bitmask);
            }
        }
    }
    if (need) {
        c9__bt_dirty(dest, x1, y1, x2, y2);
    }
    return C9_OK;
}

/* ---- readinto ------------------------------------------------------------------------------ */

c9_err_t c9_bitmaptools_readinto_check(unsigned bits_per_pixel, unsigned element_size, c9_readinto_arg_t *bad) {
    c9_readinto_arg_t arg = C9_READINTO_ARG_NONE;
    /* CircuitPython's order: the element size, then the depth, then 24 bits with its element. */
    if (element_size != 1 && element_size != 2 && element_size != 4) {
        arg = C9_READINTO_ARG_ELEMENT_SIZE;
    } else if (bits_per_pixel != 1 && bits_per_pixel != 2 && bits_per_pixel != 4 && bits_per_pixel != 8 &&
               bits_per_pixel != 16 && bits_per_pixel != 24 && bits_per_pixel != 32) {
        arg = C9_READINTO_ARG_BITS_PER_PIXEL;
    } else if (bits_per_pixel == 24 && element_size != 1) {
        arg = C9_READINTO_ARG_ELEMENT_SIZE_FOR_24;
    }
    if (bad) {
        *bad = arg;
    }
    return arg == C9_READINTO_ARG_NONE ? C9_OK : C9_ERR_INVAL;
}

size_t c9_bitmaptools_readinto_row_size(uint32_t width, unsigned bits_per_pixel, unsigned element_size) {
    if (c9_bitmaptools_readinto_check(bits_per_pixel, element_size, NULL) != C9_OK) {
        return 0;
    }
    size_t elem_bits = (size_t)element_size * 8u;
    size_t elements = ((size_t)width * bits_per_pixel + elem_bits - 1) / elem_bits;
    return elements * element_size;
}

static uint16_t bswap16(uint16_t v) {
    return (uint16_t)((v >> 8) | (v << 8));
}

static uint32_t bswap32(uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

c9_err_t c9_bitmaptools_readinto(c9_bitmap_t *dest, c9_bitmaptools_read_fn read, void *ctx, unsigned bits_per_pixel,
                                 unsigned element_size, unsigned flags, void *row_buf, size_t row_buf_size) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (!read || c9_bitmaptools_readinto_check(bits_per_pixel, element_size, NULL) != C9_OK) {
        return C9_ERR_INVAL;
    }
    size_t rowsize = c9_bitmaptools_readinto_row_size(dest->width, bits_per_pixel, element_size);
    if (row_buf_size < rowsize || (rowsize && !row_buf)) {
        return C9_ERR_NOMEM;
    }
    /* CircuitPython marks the whole bitmap before reading, so a failed read still leaves it dirty. */
    c9__bt_dirty(dest, 0, 0, dest->width, dest->height);
    uint8_t *row = row_buf;
    bool rev = flags & C9_READINTO_REVERSE_PIXELS;
    for (int y = 0; y < dest->height; y++) {
        int y_draw = (flags & C9_READINTO_REVERSE_ROWS) ? dest->height - 1 - y : y;
        size_t got = 0;
        while (got < rowsize) {
            long n = read(ctx, row + got, rowsize - got);
            if (n < 0) {
                return (c9_err_t)n;
            }
            if (n == 0 || (size_t)n > rowsize - got) {
                return C9_ERR_BITMAPTOOLS_EOF;
            }
            got += (size_t)n;
        }
        if ((flags & C9_READINTO_SWAP_BYTES) && element_size > 1) {
            for (size_t i = 0; i < rowsize; i += element_size) {
                if (element_size == 2) {
                    uint16_t v;
                    memcpy(&v, row + i, 2);
                    v = bswap16(v);
                    memcpy(row + i, &v, 2);
                } else {
                    uint32_t v;
                    memcpy(&v, row + i, 4);
                    v = bswap32(v);
                    memcpy(row + i, &v, 4);
                }
            }
        }
        for (int x = 0; x < dest->width; x++) {
            uint32_t v = 0;
            switch (bits_per_pixel) {
            case 1: v = (uint32_t)(row[x / 8] >> (rev ? 7 - x % 8 : x % 8)) & 1u; break;
            case 2: v = (uint32_t)(row[x / 4] >> (2 * (rev ? 3 - x % 4 : x % 4))) & 3u; break;
            case 4: v = (uint32_t)(row[x / 2] >> (4 * (rev ? 1 - x % 2 : x % 2))) & 0xfu; break;
            case 8: v = row[x]; break;
            case 16: v = load_elem(row + 2 * (size_t)x, 2); break;
            case 24: v = ((uint32_t)row[x * 3] << 16) | ((uint32_t)row[x * 3 + 1] << 8) | row[x * 3 + 2]; break;
            default: v = load_elem(row + 4 * (size_t)x, 4); break;
            }
            c9_bitmap_set_unchecked(dest, x, y_draw, v & dest->bitmask);
        }
    }
    return C9_OK;
}

/* ---- dither -------------------------------------------------------------------------------- */

/* An error-diffusion kernel in CircuitPython's form: the error share for the next pixel in the
 * scan direction (dl, out of 256) is carried in a variable; the others go to the row buffers. */
typedef struct {
    uint8_t count;
    uint8_t mx; /* largest |dx|: the row buffers' padding on each side */
    uint8_t dl;
    struct {
        int8_t dx, dy;
        int16_t dl;
    } terms[4];
} kernel_t;

static const kernel_t kernels[] = {
    [C9_DITHER_ATKINSON] = {4, 2, 256 / 8, {{2, 0, 256 / 8}, {-1, 1, 256 / 8}, {0, 1, 256 / 8}, {0, 2, 256 / 8}}},
    [C9_DITHER_FLOYD_STENBERG] = {3,
                                  1,
                                  7 * 256 / 16,
                                  {{-1, 1, 3 * 256 / 16}, {0, 1, 5 * 256 / 16}, {1, 1, 1 * 256 / 16}, {0, 0, 0}}},
};

#define DITHER_PAD 2 /* the largest mx of any kernel */

size_t c9_bitmaptools_dither_work_size(uint32_t width) {
    size_t rows = ((size_t)width + 2 * DITHER_PAD) * 3 * sizeof(int16_t);
    return rows + (size_t)width;
}

/* Loads row y of src as luma 0..255 (no-op past the bottom, as in CircuitPython). */
static void fill_row(const c9_bitmap_t *b, int swap_bytes, int swap_rb, int16_t *lum, int y, int mx) {
    if (y >= b->height) {
        return;
    }
    for (int i = 0; i < mx; i++) {
        lum[-mx + i] = 0;
        lum[b->width + i] = 0;
    }
    if (b->bits_per_value == 8) {
        const uint8_t *p = (const uint8_t *)(b->data + (size_t)y * b->stride_words);
        for (int x = 0; x < b->width; x++) {
            lum[x] = p[x];
        }
        return;
    }
    const uint16_t *p = (const uint16_t *)(b->data + (size_t)y * b->stride_words);
    for (int x = 0; x < b->width; x++) {
        uint16_t px = swap_bytes ? c9_bswap16(p[x]) : p[x];
        int r = (px >> 8) & 0xf8, g = (px >> 3) & 0xfc, bl = (px << 3) & 0xf8;
        if (swap_rb) {
            int t = r;
            r = bl;
            bl = t;
        }
        /* Weights scaled so that the 565 maxima (0xf8, 0xfc, 0xf8) give 255. */
        lum[x] = (int16_t)((r * 78 + g * 154 + bl * 29) / 256);
    }
}

static void write_row(c9_bitmap_t *b, int y, const uint8_t *out) {
    if (b->bits_per_value == 16) {
        uint16_t *p = (uint16_t *)(b->data + (size_t)y * b->stride_words);
        for (int x = 0; x < b->width; x++) {
            p[x] = out[x] ? 65535 : 0;
        }
        return;
    }
    for (int x = 0; x < b->width; x++) {
        c9_bitmap_set_unchecked(b, x, y, out[x]);
    }
}

/* Diffuses err from pixel x of rows[0] in direction dir (+1 left-to-right, -1 back). */
static void diffuse(const kernel_t *k, int16_t *rows[3], int x, int dir, int16_t err) {
    for (int i = 0; i < k->count; i++) {
        int x1 = x + dir * k->terms[i].dx;
        int16_t *r = rows[k->terms[i].dy];
        r[x1] = (int16_t)((k->terms[i].dl * err) / 256 + r[x1]);
    }
}

c9_err_t c9_bitmaptools_dither(c9_bitmap_t *dest, const c9_bitmap_t *src, c9_colorspace_t colorspace,
                               c9_dither_algorithm_t algorithm, void *work, size_t work_size) {
    c9_err_t e = c9__bt_writable(dest);
    if (e != C9_OK) {
        return e;
    }
    if (!src || !src->data) {
        return C9_ERR_BADF;
    }
    if (src->width != dest->width || src->height != dest->height ||
        (dest->bits_per_value != 1 && dest->bits_per_value != 16) || (unsigned)algorithm > C9_DITHER_FLOYD_STENBERG) {
        return C9_ERR_INVAL;
    }
    switch (colorspace) {
    case C9_COLORSPACE_RGB565:
    case C9_COLORSPACE_RGB565_SWAPPED:
    case C9_COLORSPACE_BGR565:
    case C9_COLORSPACE_BGR565_SWAPPED:
        if (src->bits_per_value != 16) {
            return C9_ERR_INVAL;
        }
        break;
    case C9_COLORSPACE_L8:
        if (src->bits_per_value != 8) {
            return C9_ERR_INVAL;
        }
        break;
    default: return C9_ERR_INVAL;
    }
    int width = dest->width, height = dest->height;
    if (work_size < c9_bitmaptools_dither_work_size((uint32_t)width) || !work) {
        return C9_ERR_NOMEM;
    }
    int swap_bytes = colorspace == C9_COLORSPACE_RGB565_SWAPPED || colorspace == C9_COLORSPACE_BGR565_SWAPPED;
    int swap_rb = colorspace == C9_COLORSPACE_BGR565 || colorspace == C9_COLORSPACE_BGR565_SWAPPED;
    const kernel_t *k = &kernels[algorithm];
    /* Zeroed so that short bitmaps (fewer than 3 rows) never read unset memory. */
    memset(work, 0, c9_bitmaptools_dither_work_size((uint32_t)width));
    int16_t *rowdata = work;
    int mx = k->mx;
    int16_t *rows[3] = {rowdata + mx, rowdata + width + mx * 3, rowdata + 2 * width + mx * 5};
    uint8_t *out = (uint8_t *)(rowdata + ((size_t)width + 2 * DITHER_PAD) * 3);

    fill_row(src, swap_bytes, swap_rb, rows[0], 0, mx);
    fill_row(src, swap_bytes, swap_rb, rows[1], 1, mx);
    fill_row(src, swap_bytes, swap_rb, rows[2], 2, mx);

    /* The error for the next pixel carries across rows too (serpentine scan). The integer
     * widths mirror CircuitPython: int32 input going right, int16 going left. */
    int16_t err = 0;
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            int32_t in = rows[0][x] + err;
            bool o = in >= 128;
            out[x] = o;
            err = (int16_t)(in - (o ? 255 : 0));
            diffuse(k, rows, x, 1, err);
            err = (int16_t)((err * k->dl) / 256);
        }
        write_row(dest, y, out);
        int16_t *t = rows[0];
        rows[0] = rows[1];
        rows[1] = rows[2];
        rows[2] = t;

        y++;
        if (y == height) {
            break;
        }
        fill_row(src, swap_bytes, swap_rb, rows[2], y + 2, mx);
        for (int x = width; x--;) {
            int16_t in = (int16_t)(rows[0][x] + err);
            bool o = in >= 128;
            out[x] = o;
            err = (int16_t)(in - (o ? 255 : 0));
            diffuse(k, rows, x, -1, err);
            err = (int16_t)((err * k->dl) / 256);
        }
        write_row(dest, y, out);
        t = rows[0];
        rows[0] = rows[1];
        rows[1] = rows[2];
        rows[2] = t;
        fill_row(src, swap_bytes, swap_rb, rows[2], y + 3, mx);
    }
    c9__bt_dirty(dest, 0, 0, width, height);
    return C9_OK;
}
