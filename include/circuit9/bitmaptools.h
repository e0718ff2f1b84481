/*
 * circuit9 bitmaptools: the drawing and copying operations of CircuitPython 9's `bitmaptools`
 * module, on c9_bitmap_t.
 *
 * Every function writes through the bitmap's storage and grows its dirty rectangle by the area
 * CircuitPython reports for that operation. Coordinates outside the destination are clipped,
 * never written. Argument checks that CircuitPython does in its bindings (value ranges, x1 <= x2,
 * ...) are the caller's job; the cores only refuse what would be unsafe or meaningless and return
 * an error code for it, so any input is memory-safe.
 *
 *     c9_bitmap_t dst, src;            // set up with c9_bitmap_alloc()
 *     c9_rect_t area = {0, 0, 8, 8};   // x1, y1 inclusive; x2, y2 exclusive, in src
 *     c9_bitmaptools_blit(&dst, &src, 4, 4, &area, C9_NO_INDEX, c9_index(0));
 *     c9_bitmaptools_draw_line(&dst, 0, 0, 15, 9, 1);
 *
 * Scratch memory is the caller's: dither takes a work buffer sized by
 * c9_bitmaptools_dither_work_size(), readinto a row buffer sized by
 * c9_bitmaptools_readinto_row_size(); boundary_fill grows a span stack through an allocator.
 *
 * Errors common to all writers: C9_ERR_BADF (a bitmap was released), C9_ERR_PERM (the
 * destination is read-only). Further codes are listed per function.
 */
#ifndef CIRCUIT9_BITMAPTOOLS_H
#define CIRCUIT9_BITMAPTOOLS_H

#include "circuit9/gfx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain error (common.h's error table): C9_ERR_BITMAPTOOLS_EOF, readinto's stream ended before
 * a whole row was read (Python's EOFError). */

/* An optional bitmap value, for the "skip_index=None" style arguments. */
typedef struct c9_opt_index {
    bool set;
    uint32_t value;
} c9_opt_index_t;

#define C9_NO_INDEX ((c9_opt_index_t){false, 0})
static inline c9_opt_index_t c9_index(uint32_t v) {
    c9_opt_index_t o = {true, v};
    return o;
}

typedef enum c9_blendmode { C9_BLENDMODE_NORMAL = 0, C9_BLENDMODE_SCREEN } c9_blendmode_t;

typedef enum c9_dither_algorithm { C9_DITHER_ATKINSON = 0, C9_DITHER_FLOYD_STENBERG } c9_dither_algorithm_t;

/*
 * Copies src_area of src (NULL: all of src) to dest with its top-left corner at (x, y). Values
 * are copied unchanged. A source pixel equal to skip_source is not copied; a destination pixel
 * equal to skip_dest is not overwritten. src may be dest: when the areas overlap, the copy runs
 * backwards along an axis where the destination lies after the source, so every pixel is read
 * before it is overwritten. Dirty area: (x, y) to (x + w, y + h), clipped.
 * Errors: C9_ERR_INVAL when src has more bits per value than dest ("source palette too large").
 */
c9_err_t c9_bitmaptools_blit(c9_bitmap_t *dest, const c9_bitmap_t *src, int x, int y, const c9_rect_t *src_area,
                             c9_opt_index_t skip_source, c9_opt_index_t skip_dest);

/*
 * Copies a w x h block of 16-bit values whose rows lie `stride` values apart (a decoder's output
 * block, say) into dest with its top-left corner at (x, y), clipped to dest. Values are masked to
 * dest's depth; skip_source and skip_dest work as in c9_bitmaptools_blit. Unlike the other
 * writers this does not grow the dirty area: the part of dest written is returned in *written
 * (empty when nothing lands), so a caller working outside its lock can mark it afterwards.
 */
c9_err_t c9_bitmaptools_blit_block16(c9_bitmap_t *dest, int x, int y, const uint16_t *px, size_t stride, int w, int h,
                                     c9_opt_index_t skip_source, c9_opt_index_t skip_dest, c9_rect_t *written);

/* Parameters of rotozoom. c9_bitmaptools_rotozoom_defaults() gives CircuitPython's defaults:
 * (ox, oy) and (px, py) at the bitmaps' centres, clips covering the bitmaps, angle 0, scale 1. */
typedef struct c9_rotozoom {
    int16_t ox, oy;        /* where (px, py) of the source lands in dest */
    c9_rect_t dest_clip;   /* x1,y1 inclusive, x2,y2 exclusive */
    int16_t px, py;        /* pivot in the source */
    c9_rect_t source_clip; /* x1,y1 inclusive, x2,y2 exclusive */
    float angle;           /* radians, clockwise */
    float scale;
    c9_opt_index_t skip; /* source value that is not copied */
} c9_rotozoom_t;

void c9_bitmaptools_rotozoom_defaults(c9_rotozoom_t *p, const c9_bitmap_t *dest, const c9_bitmap_t *src);
/* Rotates and scales src around (px, py) into dest. Sampling is nearest-neighbour, stepping in
 * single-precision floats as CircuitPython's boards do. Clips are clamped to the bitmaps.
 * Errors: C9_ERR_INVAL when src has more bits per value than dest. */
c9_err_t c9_bitmaptools_rotozoom(c9_bitmap_t *dest, const c9_bitmap_t *src, const c9_rotozoom_t *p);

/*
 * dest = blend of src1 (weight factor1) and src2 (weight factor2), per pixel, for L8 (8 bits
 * per value) or 16-bit RGB565/BGR565 and their _SWAPPED variants. A pixel of src1 equal to skip1
 * (or of src2 equal to skip2) is left out of the blend; when both are left out dest keeps its
 * value. dest may be one of the sources. Dirty area: the whole bitmap.
 * Errors: C9_ERR_INVAL when sizes or bits per value differ, or the colorspace is not one of
 * L8 (8 bpv), RGB565, RGB565_SWAPPED, BGR565, BGR565_SWAPPED (16 bpv).
 */
c9_err_t c9_bitmaptools_alphablend(c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2,
                                   c9_colorspace_t colorspace, float factor1, float factor2, c9_blendmode_t mode,
                                   c9_opt_index_t skip1, c9_opt_index_t skip2);

/* Fills the rectangle between corners (x1, y1) inclusive and (x2, y2) exclusive, corners in any
 * order, clipped to the bitmap. The value is masked to the bitmap's bits. */
c9_err_t c9_bitmaptools_fill_region(c9_bitmap_t *dest, int x1, int y1, int x2, int y2, uint32_t value);

/*
 * Flood fill ("paint bucket"): every pixel 4-connected to (x, y) whose value is `replaced`
 * becomes `fill`. With replaced NULL, the value at (x, y) is replaced. Nothing happens when fill
 * equals the replaced value. Memory: a stack of horizontal spans grown through `a` (NULL: the
 * default allocator); no recursion. Dirty area: the bounding box of the filled pixels (at least
 * (x, y) itself).
 * Errors: C9_ERR_INVAL when (x, y) is outside the bitmap; C9_ERR_NOMEM when the span stack cannot
 * grow (the fill is then incomplete).
 */
c9_err_t c9_bitmaptools_boundary_fill(c9_bitmap_t *dest, int x, int y, uint32_t fill, const uint32_t *replaced,
                                      const c9_allocator_t *a);

/* A Bresenham line from (x0, y0) to (x1, y1), both ends included, CircuitPython's exact pixels.
 * Coordinates are 16-bit, as in CircuitPython: values are truncated to int16_t. */
c9_err_t c9_bitmaptools_draw_line(c9_bitmap_t *dest, int x0, int y0, int x1, int y1, uint32_t value);

/* Lines between consecutive points (and back to the first when close). Coordinates are
 * truncated to int16_t. n == 0 draws nothing. */
c9_err_t c9_bitmaptools_draw_polygon(c9_bitmap_t *dest, const int32_t *xs, const int32_t *ys, size_t n, uint32_t value,
                                     bool close);

/* A Bresenham circle outline. The centre is first clamped into 0..width, 0..height as
 * CircuitPython does. Errors: C9_ERR_INVAL when radius < 0. */
c9_err_t c9_bitmaptools_draw_circle(c9_bitmap_t *dest, int x, int y, int radius, uint32_t value);

/*
 * Writes element_size-byte unsigned values (1, 2 or 4; native byte order) from data row by row
 * into the area x1 <= x < x2, y1 <= y < y2 of dest (clipped to dest), each masked to the
 * bitmap's bits. Elements equal to skip (before masking) are not written. Dirty area: the area.
 * Errors: C9_ERR_INVAL for a bad element_size; C9_ERR_RANGE when data holds fewer elements
 * than the area.
 */
c9_err_t c9_bitmaptools_arrayblit(c9_bitmap_t *dest, const void *data, size_t data_bytes, unsigned element_size,
                                  const c9_rect_t *area, c9_opt_index_t skip);

/* readinto's data source: reads up to len bytes into buf; returns the count (0 at end of
 * stream) or a negative c9_err_t, which readinto returns unchanged. */
typedef long (*c9_bitmaptools_read_fn)(void *ctx, void *buf, size_t len);

enum {
    C9_READINTO_REVERSE_PIXELS = 1 << 0, /* first pixel in the most significant bits of a byte */
    C9_READINTO_SWAP_BYTES = 1 << 1,     /* reverse the bytes of each element */
    C9_READINTO_REVERSE_ROWS = 1 << 2,   /* the first row read is the bottom row */
};

/* The readinto argument c9_bitmaptools_readinto_check() finds wrong. */
typedef enum c9_readinto_arg {
    C9_READINTO_ARG_NONE = 0,
    C9_READINTO_ARG_ELEMENT_SIZE,        /* not 1, 2 or 4 */
    C9_READINTO_ARG_BITS_PER_PIXEL,      /* not 1, 2, 4, 8, 16, 24 or 32 */
    C9_READINTO_ARG_ELEMENT_SIZE_FOR_24, /* 24 bits a pixel with an element size other than 1 */
} c9_readinto_arg_t;

/* Checks readinto's sizes in CircuitPython's order and says which is wrong in *bad (may be NULL),
 * so a binding need not know the rules. C9_OK or C9_ERR_INVAL. */
c9_err_t c9_bitmaptools_readinto_check(unsigned bits_per_pixel, unsigned element_size, c9_readinto_arg_t *bad);

/* Bytes in one stored row: the smallest multiple of element_size that holds width pixels of
 * bits_per_pixel; 0 for unsupported arguments. The row buffer must be this size rounded up to
 * a multiple of 4. */
size_t c9_bitmaptools_readinto_row_size(uint32_t width, unsigned bits_per_pixel, unsigned element_size);

/*
 * Loads raw pixel rows from `read` into dest: bits_per_pixel 1, 2, 4, 8, 16, 24 or 32 (24 needs
 * element_size 1), element_size 1, 2 or 4. Pixels narrower than a byte come from the least
 * significant bits first unless C9_READINTO_REVERSE_PIXELS. 16- and 32-bit pixels are read in
 * native byte order after the optional swap; 24-bit pixels are big-endian (R, G, B). Each value
 * is masked to the bitmap's bits. Dirty area: the whole bitmap, marked before reading.
 * Errors: C9_ERR_INVAL for unsupported sizes; C9_ERR_NOMEM when row_buf is too small;
 * C9_ERR_BITMAPTOOLS_EOF on a short row; any negative code `read` returns.
 */
c9_err_t c9_bitmaptools_readinto(c9_bitmap_t *dest, c9_bitmaptools_read_fn read, void *ctx, unsigned bits_per_pixel,
                                 unsigned element_size, unsigned flags, void *row_buf, size_t row_buf_size);

/* Bytes of work memory dither needs for bitmaps `width` pixels wide. */
size_t c9_bitmaptools_dither_work_size(uint32_t width);

/*
 * Error-diffusion dither of src into a 2-level dest, serpentine, with CircuitPython's integer
 * arithmetic: L8 (8 bpv source, any colorspace value) or RGB565/BGR565 and _SWAPPED (16 bpv).
 * dest has 1 bit per value (0/1) or 16 (0/65535). src may be dest. Dirty area: the whole bitmap.
 * Errors: C9_ERR_INVAL for mismatched sizes or unsupported bits per value/colorspace;
 * C9_ERR_NOMEM when work is too small.
 */
c9_err_t c9_bitmaptools_dither(c9_bitmap_t *dest, const c9_bitmap_t *src, c9_colorspace_t colorspace,
                               c9_dither_algorithm_t algorithm, void *work, size_t work_size);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_BITMAPTOOLS_H */
