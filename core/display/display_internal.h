/* Internals shared by the display core's files; not a public API. */
#ifndef C9_DISPLAY_INTERNAL_H
#define C9_DISPLAY_INTERNAL_H

#include "circuit9/display.h"

/* Where a tile grid lands on the display: its logical origin and scale after all groups, and the
 * display's rotation to go from logical to physical (panel RAM) coordinates. */
typedef struct placement {
    int64_t ox, oy;    /* logical origin of the grid's top-left pixel */
    int64_t scale;     /* product of the group scales (capped) */
    uint16_t rotation; /* 0, 90, 180, 270 */
    int32_t nw, nh;    /* native (physical) size */
} placement_t;

/* The root's placement on the panel: rotation and offsets of the display (display.c). */
void c9__display_placement(const c9_display_t *d, placement_t *p);

/* Grid footprint in physical coordinates (may extend past the display). */
c9_rect_t c9__tilegrid_physical_rect(const c9_tilegrid_t *tg, const placement_t *p);
/* A rectangle in the grid's content pixels (before flips/transpose) mapped to physical. */
c9_rect_t c9__content_to_physical(const c9_tilegrid_t *tg, const placement_t *p, const c9_rect_t *content);
/* Records a stale area on a group (merged when the list is full). */
void c9__group_add_stale(c9_group_t *g, const c9_rect_t *r);
/* Calls fn for every tile grid of a tree (visible or not) in drawing order. */
typedef void (*tilegrid_fn)(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx);
void c9__walk(c9_group_t *root, const placement_t *base, tilegrid_fn fn, void *ctx);
/* Calls fn for every tile grid and sfn for every vector shape of a tree (visible or not) in drawing
 * order; c9__walk is this without shapes. A shape's placement origin is its (x, y) position. */
typedef void (*shape_fn)(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx);
void c9__walk_layers(c9_group_t *root, const placement_t *base, tilegrid_fn fn, shape_fn sfn, void *ctx);
/* Shape footprint in physical coordinates (may extend past the display; empty without geometry). */
c9_rect_t c9__shape_physical_rect(const c9_vectorshape_t *s, const placement_t *p);
/* Edges a polygon row may cross for c9__shape_spans to work without a per-pixel fallback. */
#define C9__SPAN_EDGES 64
/* Covered runs [x1, x2) of shape row y, clipped to [lo, hi), as pairs in spans (room for max
 * pairs), left to right and not touching. Returns the number of runs, or -1 when the row crosses
 * more than C9__SPAN_EDGES edges or needs more than max runs (then test pixels one by one). For a
 * polygon, edges (nedges of them, from c9__polygon_edges for rows including y) limits the edges
 * looked at; NULL looks at all. */
int c9__shape_spans(const c9_vectorshape_t *s, int32_t y, int32_t lo, int32_t hi, int32_t *spans, int max,
                    const uint32_t *edges, int nedges);
/* The polygon edges that cross a row in [y1, y2), as indices (edge i runs from point i - 1, or the
 * last point for i = 0, to point i) into edges (room for max); -1 when there are more than max.
 * 0 for other shapes. Lets a compositor pass look at those edges only. */
int c9__polygon_edges(const c9_vectorshape_t *s, int32_t y1, int32_t y2, uint32_t *edges, int max);
/* Marks a subtree's drawn areas stale on `into` and forgets them. */
void c9__forget_drawn(c9_layer_t *layer, c9_group_t *into);

static inline int32_t rect_area(const c9_rect_t *r) {
    return c9_rect_empty(r) ? 0 : (int32_t)(r->x2 - r->x1) * (r->y2 - r->y1);
}
static inline bool rect_eq(const c9_rect_t *a, const c9_rect_t *b) {
    if (c9_rect_empty(a) && c9_rect_empty(b)) {
        return true;
    }
    return a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2;
}
static inline c9_rect_t rect_make(int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
    /* Clamp to int16 so that huge scaled layers cannot wrap around. */
    x1 = C9_MAX(C9_MIN(x1, 32767), -32768);
    x2 = C9_MAX(C9_MIN(x2, 32767), -32768);
    y1 = C9_MAX(C9_MIN(y1, 32767), -32768);
    y2 = C9_MAX(C9_MIN(y2, 32767), -32768);
    c9_rect_t r = {(int16_t)x1, (int16_t)y1, (int16_t)x2, (int16_t)y2};
    return r;
}

#endif
