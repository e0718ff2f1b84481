/*
 * vectorio shapes: circle, rectangle and polygon layers with CircuitPython 9.2.9's pixel rules.
 *
 * The compositor asks for the covered spans of one shape row at a time, so a row costs one integer
 * square root (circle) or one pass over the edges (polygon) rather than a test per pixel. Spans and
 * the per-pixel rule are exact integer arithmetic in 64 bits: CircuitPython's 16-bit shape
 * coordinates and 32-bit edge products wrap for far-apart points; ours do not.
 */
#include "display_internal.h"

#include <string.h>

static void set_bounds(c9_vectorshape_t *s, int32_t x1, int32_t y1, int32_t x2, int32_t y2) {
    s->bx1 = x1;
    s->by1 = y1;
    s->bx2 = x2;
    s->by2 = y2;
}

void c9_vectorshape_init(c9_vectorshape_t *s, c9_shader_type_t shader_type, void *shader, int16_t x, int16_t y,
                         uint16_t color_index) {
    memset(s, 0, sizeof(*s));
    s->layer.type = C9_LAYER_VECTORSHAPE;
    s->kind = C9_SHAPE_NONE;
    s->shader_type = shader_type;
    s->shader = shader;
    s->x = x;
    s->y = y;
    s->color_index = color_index;
    s->full_change = true;
}

c9_err_t c9_vectorshape_set_circle(c9_vectorshape_t *s, uint16_t radius) {
    if (radius > C9_SHAPE_MAX_SIZE) {
        return C9_ERR_RANGE;
    }
    s->kind = C9_SHAPE_CIRCLE;
    s->radius = radius;
    set_bounds(s, -(int32_t)radius, -(int32_t)radius, (int32_t)radius + 1, (int32_t)radius + 1);
    s->full_change = true;
    return C9_OK;
}

c9_err_t c9_vectorshape_set_rectangle(c9_vectorshape_t *s, uint16_t width, uint16_t height) {
    if (width > C9_SHAPE_MAX_SIZE || height > C9_SHAPE_MAX_SIZE) {
        return C9_ERR_RANGE;
    }
    s->kind = C9_SHAPE_RECTANGLE;
    s->width = width;
    s->height = height;
    set_bounds(s, 0, 0, width, height);
    s->full_change = true;
    return C9_OK;
}

void c9_vectorshape_set_polygon(c9_vectorshape_t *s, const int16_t *xy, uint32_t count) {
    s->kind = C9_SHAPE_POLYGON;
    s->points = count ? xy : NULL;
    s->point_count = s->points ? count : 0;
    /* The bounding box of the points, max excluded: a pixel on the right or bottom edge is never
     * inside (see the rule in display.h), so nothing inside is left out. */
    int32_t x1 = INT32_MAX, y1 = INT32_MAX, x2 = INT32_MIN, y2 = INT32_MIN;
    for (uint32_t i = 0; i < s->point_count; i++) {
        x1 = C9_MIN(x1, xy[2 * i]);
        x2 = C9_MAX(x2, xy[2 * i]);
        y1 = C9_MIN(y1, xy[2 * i + 1]);
        y2 = C9_MAX(y2, xy[2 * i + 1]);
    }
    if (s->point_count < 3) {
        x1 = y1 = x2 = y2 = 0;
    }
    set_bounds(s, x1, y1, x2, y2);
    s->full_change = true;
}

void c9_vectorshape_set_position(c9_vectorshape_t *s, int16_t x, int16_t y) {
    if (s->x != x || s->y != y) {
        s->x = x;
        s->y = y;
        s->full_change = true;
    }
}

void c9_vectorshape_set_hidden(c9_vectorshape_t *s, bool hidden) {
    if (s->hidden != hidden) {
        s->hidden = hidden;
        s->full_change = true;
    }
}

void c9_vectorshape_set_color_index(c9_vectorshape_t *s, uint16_t color_index) {
    if (s->color_index != color_index) {
        s->color_index = color_index;
        s->full_change = true;
    }
}

void c9_vectorshape_set_shader(c9_vectorshape_t *s, c9_shader_type_t type, void *shader) {
    s->shader_type = type;
    s->shader = shader;
    s->full_change = true;
}

/* ---- pixel rules ---------------------------------------------------------------------------- */

/* Largest k >= 0 with k * k <= n, digit by digit from the highest set bit pair. */
static uint32_t isqrt32(uint32_t n) {
    if (n == 0) {
        return 0;
    }
    uint32_t r = 0, bit = 1u << (c9_log2_32(n) & ~1);
    while (bit) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* Point (x, y) strictly left of the edge (x1, y1) -> (x2, y2) in CircuitPython's orientation: < 0
 * for "left", > 0 for "right", 0 on the line. */
static inline int64_t line_side(int64_t x1, int64_t y1, int64_t x2, int64_t y2, int64_t x, int64_t y) {
    return (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1);
}

static bool polygon_pixel(const c9_vectorshape_t *s, int32_t x, int32_t y) {
    uint32_t n = s->point_count;
    if (n == 0) {
        return false;
    }
    const int16_t *p = s->points;
    int32_t winding = 0;
    /* edges p[n-1] -> p[0], p[0] -> p[1], ...: each point is loaded once */
    int32_t x1 = p[2 * n - 2], y1 = p[2 * n - 1];
    for (uint32_t i = 0; i < n; x1 = p[2 * i], y1 = p[2 * i + 1], i++) {
        int32_t x2 = p[2 * i], y2 = p[2 * i + 1];
        if (y1 <= y) {
            if (y2 > y && line_side(x1, y1, x2, y2, x, y) < 0) {
                winding++;
            }
        } else if (y2 <= y && line_side(x1, y1, x2, y2, x, y) > 0) {
            winding--;
        }
    }
    return winding != 0;
}

bool c9_vectorshape_pixel(const c9_vectorshape_t *s, int32_t x, int32_t y) {
    switch (s->kind) {
    case C9_SHAPE_CIRCLE: {
        int64_t r = s->radius;
        return (int64_t)x * x + (int64_t)y * y <= r * r;
    }
    case C9_SHAPE_RECTANGLE: return x >= 0 && y >= 0 && x < s->width && y < s->height;
    case C9_SHAPE_POLYGON: return polygon_pixel(s, x, y);
    default: return false;
    }
}

bool c9_vectorshape_contains(const c9_vectorshape_t *s, int32_t x, int32_t y) {
    /* The shape's origin in the outermost group's coordinates: each group adds its offset and scales
     * what is inside it. Clamped so absurd scale chains cannot overflow; such origins are off every
     * 16-bit coordinate anyway. */
    const int64_t lim = (int64_t)1 << 40;
    int64_t ox = s->x, oy = s->y;
    int depth = 0;
    for (const c9_group_t *g = s->layer.parent; g && depth < 64; g = g->layer.parent, depth++) {
        ox = C9_MAX(C9_MIN(g->x + (int64_t)g->scale * ox, lim), -lim);
        oy = C9_MAX(C9_MIN(g->y + (int64_t)g->scale * oy, lim), -lim);
    }
    int64_t sx = x - ox, sy = y - oy;
    if (sx < INT32_MIN || sx > INT32_MAX || sy < INT32_MIN || sy > INT32_MAX) {
        return false;
    }
    return c9_vectorshape_pixel(s, (int32_t)sx, (int32_t)sy);
}

/* ---- spans for the compositor --------------------------------------------------------------- */

/* ceil(n / d) for d > 0. */
static inline int64_t ceil_div(int64_t n, int64_t d) {
    return n >= 0 ? (n + d - 1) / d : -((-n) / d);
}

/* Clips [a, b) to [lo, hi) and appends it; returns the new count. */
static inline int put_span(int32_t *spans, int n, int64_t a, int64_t b, int32_t lo, int32_t hi) {
    a = C9_MAX(a, lo);
    b = C9_MIN(b, hi);
    if (a < b) {
        /* Touching spans join so the caller fills longer runs. */
        if (n && spans[2 * n - 1] == a) {
            spans[2 * n - 1] = (int32_t)b;
            return n;
        }
        spans[2 * n] = (int32_t)a;
        spans[2 * n + 1] = (int32_t)b;
        n++;
    }
    return n;
}

/*
 * Along row y an active edge (y in [min y, max y)) adds its direction to every pixel x < T, where
 * T = ceil of the edge's x at y: "strictly left" for an integer x is x < T exactly. The winding of x
 * is the sum over edges with T > x, so sorting the T values gives the row as runs of equal winding.
 */
static int polygon_spans(const c9_vectorshape_t *s, int32_t y, int32_t lo, int32_t hi, int32_t *spans, int max,
                         const uint32_t *edges, int nedges) {
    int32_t t[C9__SPAN_EDGES];
    int8_t dir[C9__SPAN_EDGES];
    int m = 0, total = 0;
    uint32_t n = s->point_count, ne = edges ? (uint32_t)nedges : n;
    const int16_t *p = s->points;
    for (uint32_t e = 0; e < ne; e++) {
        uint32_t i = edges ? edges[e] : e, h = i ? i - 1 : n - 1;
        int32_t x1 = p[2 * h], y1 = p[2 * h + 1], x2 = p[2 * i], y2 = p[2 * i + 1];
        int d;
        if (y1 <= y && y < y2) {
            d = 1;
        } else if (y2 <= y && y < y1) {
            d = -1;
        } else {
            continue;
        }
        if (m == C9__SPAN_EDGES) {
            return -1;
        }
        int64_t num = (int64_t)(y - y1) * (x2 - x1), den = (int64_t)y2 - y1;
        if (den < 0) {
            num = -num;
            den = -den;
        }
        int32_t tt = (int32_t)(x1 + ceil_div(num, den));
        /* insertion sort: rows cross few edges */
        int k = m++;
        while (k > 0 && t[k - 1] > tt) {
            t[k] = t[k - 1];
            dir[k] = dir[k - 1];
            k--;
        }
        t[k] = tt;
        dir[k] = (int8_t)d;
        total += d;
    }
    /* Left of every T the winding is the sum of all directions (0 for a closed path). */
    int count = 0, w = total;
    int64_t start = INT32_MIN;
    for (int k = 0; k <= m; k++) {
        int64_t end = k < m ? t[k] : (int64_t)INT32_MAX + 1;
        if (w != 0 && start < end) {
            if (count == max) {
                return -1;
            }
            count = put_span(spans, count, start, end, lo, hi);
        }
        if (k < m) {
            w -= dir[k];
            start = t[k];
        }
    }
    return count;
}

int c9__polygon_edges(const c9_vectorshape_t *s, int32_t y1, int32_t y2, uint32_t *edges, int max) {
    uint32_t n = s->kind == C9_SHAPE_POLYGON ? s->point_count : 0;
    const int16_t *p = s->points;
    int m = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = i ? i - 1 : n - 1;
        int32_t a = p[2 * h + 1], b = p[2 * i + 1];
        int32_t top = C9_MIN(a, b), bottom = C9_MAX(a, b);
        /* active on rows [top, bottom); horizontal edges never are */
        if (top < bottom && top < y2 && bottom > y1) {
            if (m == max) {
                return -1;
            }
            edges[m++] = i;
        }
    }
    return m;
}

int c9__shape_spans(const c9_vectorshape_t *s, int32_t y, int32_t lo, int32_t hi, int32_t *spans, int max,
                    const uint32_t *edges, int nedges) {
    if (y < s->by1 || y >= s->by2 || max < 1) {
        return 0;
    }
    switch (s->kind) {
    case C9_SHAPE_CIRCLE: {
        /* r <= 32767 and |y| <= r, so r*r - y*y fits in 32 bits */
        uint32_t r = s->radius, ay = (uint32_t)(y < 0 ? -y : y);
        uint32_t k = isqrt32(r * r - ay * ay);
        return put_span(spans, 0, -(int64_t)k, (int64_t)k + 1, lo, hi);
    }
    case C9_SHAPE_RECTANGLE: return put_span(spans, 0, 0, s->width, lo, hi);
    case C9_SHAPE_POLYGON: return polygon_spans(s, y, lo, hi, spans, max, edges, nedges);
    default: return 0;
    }
}

/* Logical rectangle -> physical, for the display rotation (as for tile grids). */
static c9_rect_t logical_to_physical(const placement_t *p, int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
    switch (p->rotation) {
    case 90: return rect_make(p->nw - y2, x1, p->nw - y1, x2);
    case 180: return rect_make(p->nw - x2, p->nh - y2, p->nw - x1, p->nh - y1);
    case 270: return rect_make(y1, p->nh - x2, y2, p->nh - x1);
    default: return rect_make(x1, y1, x2, y2);
    }
}

c9_rect_t c9__shape_physical_rect(const c9_vectorshape_t *s, const placement_t *p) {
    if (s->kind == C9_SHAPE_NONE || s->bx1 >= s->bx2 || s->by1 >= s->by2) {
        return (c9_rect_t){0, 0, 0, 0};
    }
    return logical_to_physical(p, p->ox + s->bx1, p->oy + s->by1, p->ox + s->bx2, p->oy + s->by2);
}
