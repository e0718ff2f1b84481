/* bitmaptools drawing primitives: lines, polygons, circles and the flood fill. */
#include "circuit9/bitmaptools.h"
#include "bitmaptools_internal.h"

#include <stdlib.h>

/* CircuitPython's write_pixel: silently ignores pixels outside the bitmap. */
static inline void put(c9_bitmap_t *b, long x, long y, uint32_t v) {
    if (x >= 0 && y >= 0 && x < b->width && y < b->height) {
        c9_bitmap_set_unchecked(b, (int)x, (int)y, v);
    }
}

/* The 16-bit coordinates of CircuitPython's drawing API. */
static inline long i16(long v) {
    return (int16_t)(uint16_t)(unsigned long)v;
}

/* CircuitPython's line: straight lines clipped to the bitmap, otherwise Bresenham along the
 * major axis from the lower end, with the error starting at dx/2 and stepping when negative. */
static void line(c9_bitmap_t *b, long x0, long y0, long x1, long y1, uint32_t v) {
    long t;
    if (x0 == x1) {
        if (y0 > y1) {
            t = y0, y0 = y1, y1 = t;
        }
        y0 = C9_MAX(0L, y0);
        y1 = C9_MIN(y1, (long)b->height - 1);
        for (long y = y0; y <= y1; y++) {
            put(b, x0, y, v);
        }
        return;
    }
    if (y0 == y1) {
        if (x0 > x1) {
            t = x0, x0 = x1, x1 = t;
        }
        x0 = C9_MAX(0L, x0);
        x1 = C9_MIN(x1, (long)b->width - 1);
        for (long x = x0; x <= x1; x++) {
            put(b, x, y0, v);
        }
        return;
    }
    bool steep = labs(y1 - y0) > labs(x1 - x0);
    if (steep) {
        t = x0, x0 = y0, y0 = t;
        t = x1, x1 = y1, y1 = t;
    }
    if (x0 > x1) {
        t = x0, x0 = x1, x1 = t;
        t = y0, y0 = y1, y1 = t;
    }
    long dx = x1 - x0, dy = labs(y1 - y0);
    long err = dx / 2;
    long ystep = y0 < y1 ? 1 : -1;
    for (long x = x0; x <= x1; x++) {
        if (steep) {
            put(b, y0, x, v);
        } else {
            put(b, x, y0, v);
        }
        err -= dy;
        if (err < 0) {
            y0 += ystep;
            err += dx;
        }
    }
}

c9_err_t c9_bitmaptools_draw_line(c9_bitmap_t *dest, int x0, int y0, int x1, int y1, uint32_t value) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    long ax0 = i16(x0), ay0 = i16(y0), ax1 = i16(x1), ay1 = i16(y1);
    c9__bt_dirty(dest, C9_MIN(ax0, ax1), C9_MIN(ay0, ay1), C9_MAX(ax0, ax1) + 1, C9_MAX(ay0, ay1) + 1);
    line(dest, ax0, ay0, ax1, ay1, value & dest->bitmask);
    return C9_OK;
}

c9_err_t c9_bitmaptools_draw_polygon(c9_bitmap_t *dest, const int32_t *xs, const int32_t *ys, size_t n, uint32_t value,
                                     bool close) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (n == 0) {
        return C9_OK; /* CircuitPython reads a first point that is not there */
    }
    value &= dest->bitmask;
    long x0 = i16(xs[0]), y0 = i16(ys[0]);
    long xmin = x0, xmax = x0, ymin = y0, ymax = y0, xp = x0, yp = y0;
    for (size_t i = 1; i < n; i++) {
        long x = i16(xs[i]), y = i16(ys[i]);
        line(dest, xp, yp, x, y, value);
        xp = x;
        yp = y;
        xmin = C9_MIN(xmin, x);
        xmax = C9_MAX(xmax, x);
        ymin = C9_MIN(ymin, y);
        ymax = C9_MAX(ymax, y);
    }
    if (close) {
        line(dest, xp, yp, x0, y0, value);
    }
    /* CircuitPython marks {xmin, ymin, xmax, ymax}, one pixel short; the vertices are inclusive. */
    c9__bt_dirty(dest, xmin, ymin, xmax + 1, ymax + 1);
    return C9_OK;
}

c9_err_t c9_bitmaptools_draw_circle(c9_bitmap_t *dest, int x, int y, int radius, uint32_t value) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (radius < 0) {
        return C9_ERR_INVAL;
    }
    value &= dest->bitmask;
    long cx = C9_MAX(0L, C9_MIN((long)x, (long)dest->width));
    long cy = C9_MAX(0L, C9_MIN((long)y, (long)dest->height));
    long r = radius;
    /* CircuitPython marks {x-r, y-r, x+r, y+r}, missing the last column and row. */
    c9__bt_dirty(dest, cx - r, cy - r, cx + r + 1, cy + r + 1);
    long yb = r, d = 3 - 2 * r;
    for (long xb = 0; xb <= yb; xb++) {
        put(dest, cx + xb, cy + yb, value);
        put(dest, cx - xb, cy - yb, value);
        put(dest, cx - xb, cy + yb, value);
        put(dest, cx + xb, cy - yb, value);
        put(dest, cx + yb, cy + xb, value);
        put(dest, cx - yb, cy + xb, value);
        put(dest, cx - yb, cy - xb, value);
        put(dest, cx + yb, cy - xb, value);
        if (d <= 0) {
            d = d + 4 * xb + 6;
        } else {
            d = d + 4 * (xb - yb) + 10;
            yb--;
        }
    }
    return C9_OK;
}

/* ---- boundary_fill ------------------------------------------------------------------------- */

/* Seeds waiting to be expanded into spans. CircuitPython keeps a Python list of every neighbour
 * point; spans need far fewer entries, and the stack grows through the caller's allocator. */
typedef struct {
    uint16_t x, y;
} seed_t;

typedef struct {
    seed_t *items;
    size_t len, cap;
    const c9_allocator_t *a;
} seed_stack_t;

static bool push(seed_stack_t *s, long x, long y) {
    if (s->len == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        seed_t *n = c9_realloc(s->a, s->items, s->cap * sizeof(seed_t), ncap * sizeof(seed_t));
        if (!n) {
            return false;
        }
        s->items = n;
        s->cap = ncap;
    }
    s->items[s->len++] = (seed_t){(uint16_t)x, (uint16_t)y};
    return true;
}

/* Pushes the start of every run of `target` in row y between l and r. */
static bool push_runs(seed_stack_t *s, const c9_bitmap_t *b, long l, long r, long y, uint32_t target) {
    bool in_run = false;
    for (long x = l; x <= r; x++) {
        bool m = c9_bitmap_get_unchecked(b, (int)x, (int)y) == target;
        if (m && !in_run && !push(s, x, y)) {
            return false;
        }
        in_run = m;
    }
    return true;
}

c9_err_t c9_bitmaptools_boundary_fill(c9_bitmap_t *dest, int x, int y, uint32_t fill, const uint32_t *replaced,
                                      const c9_allocator_t *a) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (x < 0 || y < 0 || x >= dest->width || y >= dest->height) {
        return C9_ERR_INVAL;
    }
    fill &= dest->bitmask;
    uint32_t target = replaced ? *replaced : c9_bitmap_get_unchecked(dest, x, y);
    /* With an explicit replaced value CircuitPython returns here too; with the default one it
     * compares only after reading the pixel and then loops forever. Either way: nothing to do. */
    if (fill == target) {
        return C9_OK;
    }
    long minx = x, maxx = x, miny = y, maxy = y;
    seed_stack_t s = {NULL, 0, 0, a};
    err = push(&s, x, y) ? C9_OK : C9_ERR_NOMEM;
    while (err == C9_OK && s.len) {
        seed_t p = s.items[--s.len];
        long sy = p.y, l = p.x, r = p.x;
        if (c9_bitmap_get_unchecked(dest, (int)l, (int)sy) != target) {
            continue; /* filled since it was pushed */
        }
        while (l > 0 && c9_bitmap_get_unchecked(dest, (int)(l - 1), (int)sy) == target) {
            l--;
        }
        while (r < dest->width - 1 && c9_bitmap_get_unchecked(dest, (int)(r + 1), (int)sy) == target) {
            r++;
        }
        for (long i = l; i <= r; i++) {
            c9_bitmap_set_unchecked(dest, (int)i, (int)sy, fill);
        }
        minx = C9_MIN(minx, l);
        maxx = C9_MAX(maxx, r);
        miny = C9_MIN(miny, sy);
        maxy = C9_MAX(maxy, sy);
        if ((sy > 0 && !push_runs(&s, dest, l, r, sy - 1, target)) ||
            (sy + 1 < dest->height && !push_runs(&s, dest, l, r, sy + 1, target))) {
            err = C9_ERR_NOMEM;
        }
    }
    c9_free(a, s.items, s.cap * sizeof(seed_t));
    c9__bt_dirty(dest, minx, miny, maxx + 1, maxy + 1);
    return err;
}
