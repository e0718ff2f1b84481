/*
 * vectorio shapes in the display core, against references written here from CircuitPython 9.2.9's
 * documented rules:
 *   circle radius r:    x*x + y*y <= r*r
 *   rectangle w x h:    0 <= x < w, 0 <= y < h
 *   polygon:            non-zero winding; an edge counts for a pixel whose row is in
 *                       [min y, max y) of the edge when the pixel is strictly left of it, +1 going
 *                       down the screen, -1 going up
 * plus hand-drawn pictures of small shapes. Then composition of random trees of shapes and tile
 * grids at every rotation and colour depth against a per-pixel reference, and the change tracking:
 * after each kind of change a refresh sends exactly the old and the new footprints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "display/display_internal.h"
#include "circuit9/display.h"

static uint32_t rng_state = 1;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return n ? rng_state % n : 0;
}
static int32_t rnd_between(int32_t lo, int32_t hi) {
    return lo + (int32_t)rnd((uint32_t)(hi - lo + 1));
}

/* ---- references for the pixel rules ------------------------------------------------------- */

static bool ref_circle(int64_t r, int64_t x, int64_t y) {
    return x * x + y * y <= r * r;
}

static bool ref_rect(int64_t w, int64_t h, int64_t x, int64_t y) {
    return x >= 0 && y >= 0 && x < w && y < h;
}

/* A horizontal ray from the pixel to the right crosses each edge at most once; the edge counts when
 * the crossing lies strictly right of the pixel and the pixel's row is in the edge's half-open span. */
static bool ref_polygon(const int16_t *p, uint32_t n, int64_t x, int64_t y) {
    int winding = 0;
    for (uint32_t i = 0; i < n; i++) {
        const int16_t *a = &p[2 * i], *b = &p[2 * ((i + 1) % n)];
        int64_t ay = a[1], by = b[1];
        if (ay == by) {
            continue;
        }
        int64_t lo = ay < by ? ay : by, hi = ay < by ? by : ay;
        if (y < lo || y >= hi) {
            continue;
        }
        /* crossing x = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y); compare with x over a positive
         * denominator */
        int64_t den = by - ay, num = (y - ay) * (b[0] - a[0]);
        int64_t lhs = (x - a[0]) * den;
        bool right_of_pixel = den > 0 ? lhs < num : lhs > num;
        if (right_of_pixel) {
            winding += den > 0 ? 1 : -1;
        }
    }
    return winding != 0;
}

static bool ref_shape(const c9_vectorshape_t *s, int64_t x, int64_t y) {
    switch (s->kind) {
    case C9_SHAPE_CIRCLE: return ref_circle(s->radius, x, y);
    case C9_SHAPE_RECTANGLE: return ref_rect(s->width, s->height, x, y);
    case C9_SHAPE_POLYGON: return ref_polygon(s->points, s->point_count, x, y);
    default: return false;
    }
}

/* Every pixel of [x1, x2) x [y1, y2): the core's rule, its spans (clipped to random windows) and the
 * reference agree. */
static void check_rule_region(const c9_vectorshape_t *s, int32_t x1, int32_t y1, int32_t x2, int32_t y2) {
    int32_t spans[2 * 40];
    for (int32_t y = y1; y < y2; y++) {
        int32_t lo = x1 + (int32_t)rnd(4), hi = x2 - (int32_t)rnd(4);
        /* all edges, or only those of a band of rows holding y (as the compositor asks) */
        uint32_t edges[C9__SPAN_EDGES];
        int ne = c9__polygon_edges(s, y - (int32_t)rnd(3), y + 1 + (int32_t)rnd(3), edges, C9__SPAN_EDGES);
        int n = c9__shape_spans(s, y, lo, hi, spans, 40, (ne >= 0 && rnd(2)) ? edges : NULL, ne);
        int k = 0;
        for (int32_t x = x1; x < x2; x++) {
            bool want = ref_shape(s, x, y);
            if (c9_vectorshape_pixel(s, x, y) != want) {
                fail_msg("kind %d pixel (%d,%d): want %d", s->kind, x, y, want);
            }
            if (n < 0 || x < lo || x >= hi) {
                continue;
            }
            while (k < n && spans[2 * k + 1] <= x) {
                k++;
            }
            bool in_span = k < n && spans[2 * k] <= x;
            if (in_span != want) {
                fail_msg("kind %d span at (%d,%d): want %d", s->kind, x, y, want);
            }
        }
        if (n > 0) {
            for (int i = 0; i < n; i++) {
                assert_true(spans[2 * i] < spans[2 * i + 1]);
                assert_true(spans[2 * i] >= lo && spans[2 * i + 1] <= hi);
                if (i) {
                    assert_true(spans[2 * i - 1] < spans[2 * i]); /* ordered, not touching */
                }
            }
        }
        /* Nothing inside lies outside the footprint. */
        if (y < s->by1 || y >= s->by2) {
            for (int32_t x = x1; x < x2; x++) {
                assert_false(ref_shape(s, x, y));
            }
        }
    }
    for (int32_t y = s->by1; y < s->by2 && y < y2; y++) {
        for (int32_t x = x1; x < x2; x++) {
            if (x < s->bx1 || x >= s->bx2) {
                assert_false(ref_shape(s, x, y));
            }
        }
    }
}

static void test_circle_rule(void **state) {
    (void)state;
    c9_vectorshape_t s;
    c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 0, 0, 0);
    for (uint16_t r = 0; r <= 45; r++) {
        assert_int_equal(c9_vectorshape_set_circle(&s, r), C9_OK);
        assert_int_equal(s.bx1, -r);
        assert_int_equal(s.bx2, r + 1);
        check_rule_region(&s, -r - 3, -r - 3, r + 4, r + 4);
    }
    /* Radius 2 drawn by hand: the corners (+-2, +-1) are out since 4 + 1 > 4. */
    static const char *const r2[] = {
        "..#..", ".###.", "#####", ".###.", "..#..",
    };
    c9_vectorshape_set_circle(&s, 2);
    for (int y = -2; y <= 2; y++) {
        for (int x = -2; x <= 2; x++) {
            assert_int_equal(c9_vectorshape_pixel(&s, x, y), r2[y + 2][x + 2] == '#');
        }
    }
    /* Radius 0 is the one pixel at the centre. */
    c9_vectorshape_set_circle(&s, 0);
    assert_true(c9_vectorshape_pixel(&s, 0, 0));
    assert_false(c9_vectorshape_pixel(&s, 1, 0));
    /* The largest radius, probed near its edge without overflow. */
    assert_int_equal(c9_vectorshape_set_circle(&s, C9_SHAPE_MAX_SIZE), C9_OK);
    assert_true(c9_vectorshape_pixel(&s, -32767, 0));
    assert_false(c9_vectorshape_pixel(&s, -32767, 1));
    assert_true(c9_vectorshape_pixel(&s, 23169, 23169));  /* 2 * 23169^2 <= 32767^2 */
    assert_false(c9_vectorshape_pixel(&s, 23170, 23170)); /* 2 * 23170^2 >  32767^2 */
    check_rule_region(&s, -32767 - 2, -3, -32767 + 60, 3);
    assert_int_equal(c9_vectorshape_set_circle(&s, C9_SHAPE_MAX_SIZE + 1), C9_ERR_RANGE);
    assert_int_equal(s.radius, C9_SHAPE_MAX_SIZE); /* unchanged */
}

static void test_rectangle_rule(void **state) {
    (void)state;
    c9_vectorshape_t s;
    c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 0, 0, 0);
    for (int i = 0; i < 40; i++) {
        uint16_t w = (uint16_t)rnd(20), h = (uint16_t)rnd(20);
        assert_int_equal(c9_vectorshape_set_rectangle(&s, w, h), C9_OK);
        check_rule_region(&s, -4, -4, w + 4, h + 4);
    }
    assert_int_equal(c9_vectorshape_set_rectangle(&s, 3, 2), C9_OK);
    assert_true(c9_vectorshape_pixel(&s, 0, 0) && c9_vectorshape_pixel(&s, 2, 1));
    assert_false(c9_vectorshape_pixel(&s, 3, 0) || c9_vectorshape_pixel(&s, 0, 2) || c9_vectorshape_pixel(&s, -1, 0));
    assert_int_equal(c9_vectorshape_set_rectangle(&s, 1, C9_SHAPE_MAX_SIZE + 1), C9_ERR_RANGE);
    assert_int_equal(s.height, 2);
}

/* Hand-drawn pictures of small polygons (x to the right from xmin, y down from ymin). */
typedef struct drawn_polygon {
    int16_t pts[24];
    uint32_t n;
    int x0, y0;
    const char *rows[12];
} drawn_polygon_t;

static const drawn_polygon_t drawings[] = {
    /* Square (0,0)-(4,4): left and top edges in, right and bottom out. */
    {{0, 0, 4, 0, 4, 4, 0, 4}, 4, -1, -1, {"......", ".####.", ".####.", ".####.", ".####.", "......", NULL}},
    /* The same square counter-clockwise: same pixels. */
    {{0, 0, 0, 4, 4, 4, 4, 0}, 4, -1, -1, {"......", ".####.", ".####.", ".####.", ".####.", "......", NULL}},
    /* Right triangle (0,0) (4,0) (0,4): the hypotenuse's pixels are on the edge, not left of it. */
    {{0, 0, 4, 0, 0, 4}, 3, 0, 0, {"####.", "###..", "##...", "#....", ".....", NULL}},
    /* Concave "C": a notch cut into the right side. */
    {{0, 0, 5, 0, 5, 2, 2, 2, 2, 4, 5, 4, 5, 6, 0, 6},
     8,
     0,
     0,
     {"#####.", "#####.", "##....", "##....", "#####.", "#####.", "......", NULL}},
    /* Bow tie (self-intersecting): two triangles meeting at (2, 2). */
    {{0, 0, 4, 4, 4, 0, 0, 4}, 4, 0, 0, {".....", "#..#.", "####.", "#..#.", ".....", NULL}},
    /* A pentagram traced with its points in star order: non-zero winding fills the centre, where
     * (4, 5) is left of two edges going down (an even-odd rule would leave it empty). The apex
     * pixel lies on both its edges and is out. */
    {{4, 0, 7, 8, 0, 3, 8, 3, 1, 8},
     5,
     0,
     0,
     {"..........", "....#.....", "....#.....", "########..", "..#####...", "...###....", "..##.##...", "..#...#...",
      "..........", NULL}},
};

static void test_polygon_drawings(void **state) {
    (void)state;
    c9_vectorshape_t s;
    for (size_t d = 0; d < sizeof drawings / sizeof drawings[0]; d++) {
        const drawn_polygon_t *dp = &drawings[d];
        c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 0, 0, 0);
        c9_vectorshape_set_polygon(&s, dp->pts, dp->n);
        for (int row = 0; dp->rows[row]; row++) {
            for (int col = 0; dp->rows[row][col]; col++) {
                int x = dp->x0 + col, y = dp->y0 + row;
                bool want = dp->rows[row][col] == '#';
                if (c9_vectorshape_pixel(&s, x, y) != want || ref_polygon(dp->pts, dp->n, x, y) != want) {
                    fail_msg("drawing %zu pixel (%d,%d): want %d", d, x, y, want);
                }
            }
        }
        check_rule_region(&s, -3, -3, 12, 12);
    }
}

static void test_polygon_rule_random(void **state) {
    (void)state;
    int16_t pts[2 * 16];
    c9_vectorshape_t s;
    for (int iter = 0; iter < 400; iter++) {
        uint32_t n = 3 + rnd(13);
        int32_t span = iter % 3 == 0 ? 6 : 30; /* small: many vertices and edges land on pixels */
        for (uint32_t i = 0; i < n; i++) {
            pts[2 * i] = (int16_t)rnd_between(-span, span);
            pts[2 * i + 1] = (int16_t)(rnd(4) == 0 && i ? pts[2 * i - 1] : rnd_between(-span, span)); /* horizontals */
        }
        c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 0, 0, 0);
        c9_vectorshape_set_polygon(&s, pts, n);
        check_rule_region(&s, -span - 3, -span - 3, span + 4, span + 4);
    }
    /* A polygon that is a rectangle covers what the Rectangle rule covers, either orientation. */
    for (int iter = 0; iter < 20; iter++) {
        int16_t w = (int16_t)(1 + rnd(12)), h = (int16_t)(1 + rnd(12));
        int16_t cw[8] = {0, 0, w, 0, w, h, 0, h}, ccw[8] = {0, 0, 0, h, w, h, w, 0};
        c9_vectorshape_t r, a, b;
        c9_vectorshape_init(&r, C9_SHADER_NONE, NULL, 0, 0, 0);
        c9_vectorshape_set_rectangle(&r, (uint16_t)w, (uint16_t)h);
        c9_vectorshape_init(&a, C9_SHADER_NONE, NULL, 0, 0, 0);
        c9_vectorshape_set_polygon(&a, cw, 4);
        c9_vectorshape_init(&b, C9_SHADER_NONE, NULL, 0, 0, 0);
        c9_vectorshape_set_polygon(&b, ccw, 4);
        for (int y = -2; y < h + 2; y++) {
            for (int x = -2; x < w + 2; x++) {
                bool want = c9_vectorshape_pixel(&r, x, y);
                assert_int_equal(c9_vectorshape_pixel(&a, x, y), want);
                assert_int_equal(c9_vectorshape_pixel(&b, x, y), want);
            }
        }
    }
    /* Fewer than three points, and no points, enclose nothing. */
    int16_t two[4] = {0, 0, 5, 5};
    c9_vectorshape_set_polygon(&s, two, 2);
    assert_false(c9_vectorshape_pixel(&s, 1, 3));
    assert_true(s.bx1 >= s.bx2);
    c9_vectorshape_set_polygon(&s, NULL, 0);
    assert_false(c9_vectorshape_pixel(&s, 0, 0));
}

/* Rows crossing more edges than the span buffer holds (a comb): spans report -1 and the rule still
 * holds; the compositor's per-pixel fallback is checked in the composition tests. */
static int16_t comb[2 * 204];
static uint32_t make_comb(int teeth) {
    uint32_t n = 0;
    for (int t = 0; t < teeth; t++) {
        comb[2 * n] = (int16_t)(2 * t), comb[2 * n + 1] = 0, n++;
        comb[2 * n] = (int16_t)(2 * t + 1), comb[2 * n + 1] = 20, n++;
    }
    comb[2 * n] = (int16_t)(2 * teeth), comb[2 * n + 1] = 0, n++;
    comb[2 * n] = (int16_t)(2 * teeth), comb[2 * n + 1] = 25, n++;
    comb[2 * n] = -1, comb[2 * n + 1] = 25, n++;
    return n;
}

static void test_polygon_many_edges_and_extremes(void **state) {
    (void)state;
    c9_vectorshape_t s;
    c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 0, 0, 0);
    uint32_t n = make_comb(100);
    c9_vectorshape_set_polygon(&s, comb, n);
    int32_t spans[2 * 40];
    assert_int_equal(c9__shape_spans(&s, 10, -5, 250, spans, 40, NULL, 0), -1);
    uint32_t edges[C9__SPAN_EDGES];
    assert_int_equal(c9__polygon_edges(&s, 10, 11, edges, C9__SPAN_EDGES), -1);
    /* only the long right side and the left side reach rows 21..24: two edges */
    assert_int_equal(c9__polygon_edges(&s, 21, 25, edges, C9__SPAN_EDGES), 2);
    check_rule_region(&s, -3, -3, 205, 28);
    /* Coordinates at the ends of int16: products exceed 32 bits, the rule stays exact. */
    int16_t big[8] = {-32768, -32768, 32767, -32768, 32767, 32767, -32768, 32767};
    c9_vectorshape_set_polygon(&s, big, 4);
    assert_true(c9_vectorshape_pixel(&s, -32768, -32768));
    assert_true(c9_vectorshape_pixel(&s, 32766, 32766));
    assert_false(c9_vectorshape_pixel(&s, 32767, 0));
    int16_t sliver[6] = {-32768, -32768, 32767, 32767, -32768, 32767};
    c9_vectorshape_set_polygon(&s, sliver, 3);
    for (int i = 0; i < 2000; i++) {
        int32_t x = rnd_between(-32768, 32767), y = rnd_between(-32768, 32767);
        assert_int_equal(c9_vectorshape_pixel(&s, x, y), ref_polygon(sliver, 3, x, y));
    }
    check_rule_region(&s, -40, -40, 40, 40);
    check_rule_region(&s, 32700, 32700, 32767, 32767);
}

/* ---- a recording bus and panel RAM driven by the bytes (which pixels each refresh writes) ---- */

typedef struct rec {
    c9_display_t *d;
    uint8_t cmd;
    uint8_t params[8];
    int np;
    int x1, x2, y1, y2, x, y;
    uint8_t ram[64 * 64 * 2];
    bool written[64 * 64];
    int sub;
} rec_t;

static c9_err_t rec_begin(void *ctx) {
    (void)ctx;
    return C9_OK;
}
static void rec_end(void *ctx) {
    (void)ctx;
}
static c9_err_t rec_send(void *ctx, c9_byte_type_t t, c9_cs_mode_t cs, const uint8_t *data, size_t n) {
    rec_t *r = ctx;
    (void)cs;
    int bpp = r->d && r->d->cfg.color_depth == 16 ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        if (t == C9_DISPLAY_COMMAND) {
            r->cmd = data[i];
            r->np = 0;
            if (r->cmd == 0x2C) {
                r->x = r->x1;
                r->y = r->y1;
                r->sub = 0;
            }
            continue;
        }
        if (r->cmd == 0x2A || r->cmd == 0x2B) {
            r->params[r->np++ & 7] = data[i];
            if (r->np == 4) {
                int a = r->params[0] << 8 | r->params[1], b = r->params[2] << 8 | r->params[3];
                if (r->cmd == 0x2A) {
                    r->x1 = a, r->x2 = b;
                } else {
                    r->y1 = a, r->y2 = b;
                }
            }
        } else if (r->cmd == 0x2C) {
            if (r->x < 64 && r->y < 64) {
                r->ram[((size_t)r->y * 64 + r->x) * bpp + r->sub] = data[i];
                r->written[r->y * 64 + r->x] = true;
            }
            if (++r->sub == bpp) {
                r->sub = 0;
                if (++r->x > r->x2) {
                    r->x = r->x1;
                    r->y++;
                }
            }
        }
    }
    return C9_OK;
}
static const c9_display_bus_ops_t rec_ops = {rec_begin, rec_send, rec_end, NULL};

/* Value of physical pixel (px, py) from the recorded RAM (bus units: bytes of packed pixels). */
static uint32_t ram_pixel(const rec_t *r, const c9_display_t *d, int px, int py) {
    int depth = d->cfg.color_depth;
    if (depth == 16) {
        uint16_t v;
        memcpy(&v, r->ram + ((size_t)py * 64 + px) * 2, 2);
        return v;
    }
    if (depth == 8) {
        return r->ram[(size_t)py * 64 + px];
    }
    int ppb = 8 / depth, byte, off;
    if (d->cfg.pixels_in_byte_share_row) {
        byte = py * 64 + px / ppb;
        off = px % ppb;
    } else {
        byte = (py / ppb) * 64 + px;
        off = py % ppb;
    }
    int shift = off * depth;
    if (d->cfg.reverse_pixels_in_byte) {
        shift = (ppb - 1) * depth - shift;
    }
    return (r->ram[byte] >> shift) & ((1u << depth) - 1);
}

static void setup_display(c9_display_t *d, rec_t *r, int depth, int rotation, bool share_row, bool reverse) {
    c9_display_config_t cfg;
    c9_display_config_defaults(&cfg);
    cfg.bus = (c9_display_bus_t){&rec_ops, r};
    cfg.width = (uint16_t)(rotation % 180 ? 40 : 64);
    cfg.height = (uint16_t)(rotation % 180 ? 64 : 40);
    cfg.rotation = (uint16_t)rotation;
    cfg.color_depth = (uint8_t)depth;
    cfg.grayscale = depth < 8 || rnd(2);
    cfg.pixels_in_byte_share_row = share_row;
    cfg.reverse_pixels_in_byte = reverse;
    cfg.reverse_bytes_in_word = rnd(2);
    cfg.auto_refresh = false;
    memset(r, 0, sizeof(*r));
    assert_int_equal(c9_display_init(d, &cfg), C9_OK);
    r->d = d;
}

/* ---- the per-pixel reference of a tree ------------------------------------------------------ */

typedef struct ref_layer {
    c9_layer_t *layer;
    int64_t ox, oy, scale;
    bool visible;
} ref_layer_t;

static ref_layer_t layers[64];
static int nlayers;

static void gather(c9_group_t *g, int64_t ox, int64_t oy, int64_t scale, bool visible) {
    visible = visible && !g->hidden;
    ox += g->x * scale;
    oy += g->y * scale;
    scale *= g->scale;
    for (uint32_t i = 0; i < g->count; i++) {
        c9_layer_t *l = g->items[i];
        if (l->type == C9_LAYER_GROUP) {
            gather((c9_group_t *)l, ox, oy, scale, visible);
        } else if (l->type == C9_LAYER_TILEGRID) {
            c9_tilegrid_t *tg = (c9_tilegrid_t *)l;
            layers[nlayers++] = (ref_layer_t){l, ox + tg->x * scale, oy + tg->y * scale, scale, visible && !tg->hidden};
        } else {
            c9_vectorshape_t *s = (c9_vectorshape_t *)l;
            layers[nlayers++] = (ref_layer_t){l, ox + s->x * scale, oy + s->y * scale, scale, visible && !s->hidden};
        }
    }
}

/* RGB888 through a shader, or -1 when transparent. */
static int64_t ref_shade(c9_shader_type_t type, const void *shader, uint32_t v) {
    if (type == C9_SHADER_PALETTE) {
        const c9_palette_t *p = shader;
        if (v >= p->count || p->colors[v].transparent) {
            return -1;
        }
        return p->colors[v].rgb888;
    }
    const c9_colorconverter_t *cc = shader;
    if (cc->has_transparent && v == cc->transparent_color) {
        return -1;
    }
    return c9_color_to_rgb888(cc->input, v);
}

static int64_t ref_layer_rgb(const ref_layer_t *L, int64_t lx, int64_t ly) {
    if (L->layer->type == C9_LAYER_VECTORSHAPE) {
        const c9_vectorshape_t *s = (const c9_vectorshape_t *)L->layer;
        /* one pixel per unit whatever the groups' scale */
        if (!ref_shape(s, lx - L->ox, ly - L->oy)) {
            return -1;
        }
        return ref_shade(s->shader_type, s->shader, s->color_index);
    }
    const c9_tilegrid_t *tg = (const c9_tilegrid_t *)L->layer;
    int64_t w = (int64_t)tg->width * tg->tile_width, h = (int64_t)tg->height * tg->tile_height;
    if (lx < L->ox || ly < L->oy || lx >= L->ox + w * L->scale || ly >= L->oy + h * L->scale) {
        return -1;
    }
    int64_t cx = (lx - L->ox) / L->scale, cy = (ly - L->oy) / L->scale;
    uint32_t tile = tg->tiles[(cy / tg->tile_height) * tg->width + cx / tg->tile_width];
    int64_t bx = (tile % tg->bitmap_width_in_tiles) * tg->tile_width + cx % tg->tile_width;
    int64_t by = (tile / tg->bitmap_width_in_tiles) * tg->tile_height + cy % tg->tile_height;
    return ref_shade(tg->shader_type, tg->shader, c9_bitmap_get(tg->source, (int)bx, (int)by));
}

static uint32_t ref_native(const c9_display_t *d, uint32_t rgb) {
    int depth = d->cfg.color_depth;
    if (depth == 16) {
        uint16_t c = c9_rgb888_to_rgb565(rgb);
        return d->cfg.reverse_bytes_in_word ? c9_bswap16(c) : c;
    }
    if (depth == 8 && !d->cfg.grayscale) {
        uint32_t r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
        return (r & 0xE0) | ((g & 0xE0) >> 3) | (b >> 6);
    }
    return (uint32_t)c9_rgb888_luma(rgb) >> (8 - depth);
}

static void logical_of(const c9_display_t *d, int px, int py, int64_t *lx, int64_t *ly) {
    int64_t nw = d->ram_width, nh = d->ram_height;
    switch (d->rotation) {
    case 90: *lx = py, *ly = nw - 1 - px; break;
    case 180: *lx = nw - 1 - px, *ly = nh - 1 - py; break;
    case 270: *lx = nh - 1 - py, *ly = px; break;
    default: *lx = px, *ly = py; break;
    }
}

static uint32_t ref_pixel(const c9_display_t *d, int px, int py) {
    int64_t lx, ly;
    logical_of(d, px, py, &lx, &ly);
    for (int i = nlayers - 1; i >= 0; i--) {
        if (!layers[i].visible) {
            continue;
        }
        int64_t c = ref_layer_rgb(&layers[i], lx, ly);
        if (c >= 0) {
            return ref_native(d, (uint32_t)c);
        }
    }
    return 0;
}

static void check_ram(c9_display_t *d, rec_t *r, c9_group_t *root) {
    nlayers = 0;
    gather(root, 0, 0, 1, true);
    for (int py = 0; py < d->ram_height; py++) {
        for (int px = 0; px < d->ram_width; px++) {
            uint32_t want = ref_pixel(d, px, py), got = ram_pixel(r, d, px, py);
            if (want != got) {
                fail_msg("depth %d rot %d pixel (%d,%d): want %x got %x", d->cfg.color_depth, d->rotation, px, py, want,
                         got);
            }
        }
    }
}

/* ---- random scenes --------------------------------------------------------------------------- */

#define NSHAPES 6
typedef struct scene {
    c9_bitmap_t bitmap;
    c9_palette_t palettes[2];
    c9_colorconverter_t cc[2];
    c9_tilegrid_t tg;
    c9_vectorshape_t shapes[NSHAPES];
    int16_t points[NSHAPES][2 * 210];
    c9_group_t groups[3];
} scene_t;

static void random_shader(scene_t *sc, c9_shader_type_t *type, void **shader) {
    if (rnd(3)) {
        *type = C9_SHADER_PALETTE;
        *shader = &sc->palettes[rnd(2)];
    } else {
        *type = C9_SHADER_COLORCONVERTER;
        *shader = &sc->cc[rnd(2)];
    }
}

static void random_geometry(scene_t *sc, int i) {
    c9_vectorshape_t *s = &sc->shapes[i];
    switch (rnd(4)) {
    case 0: c9_vectorshape_set_circle(s, (uint16_t)rnd(18)); break;
    case 1: c9_vectorshape_set_rectangle(s, (uint16_t)rnd(40), (uint16_t)rnd(30)); break;
    case 2: {
        uint32_t n = 3 + rnd(10);
        for (uint32_t k = 0; k < n; k++) {
            sc->points[i][2 * k] = (int16_t)rnd_between(-25, 25);
            sc->points[i][2 * k + 1] = (int16_t)rnd_between(-20, 20);
        }
        c9_vectorshape_set_polygon(s, sc->points[i], n);
        break;
    }
    default: {
        /* a comb: its rows cross more edges than the compositor's span buffer */
        uint32_t n = make_comb(70);
        for (uint32_t k = 0; k < n; k++) {
            sc->points[i][2 * k] = (int16_t)(comb[2 * k] / 2 - 20);
            sc->points[i][2 * k + 1] = comb[2 * k + 1];
        }
        c9_vectorshape_set_polygon(s, sc->points[i], n);
        break;
    }
    }
}

static void scene_build(scene_t *sc) {
    memset(sc, 0, sizeof(*sc));
    assert_int_equal(c9_bitmap_alloc(&sc->bitmap, 16, 12, 8, NULL), C9_OK);
    for (int y = 0; y < 12; y++) {
        for (int x = 0; x < 16; x++) {
            c9_bitmap_set(&sc->bitmap, x, y, rnd(12));
        }
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(c9_palette_alloc(&sc->palettes[i], 4 + rnd(8), false, NULL), C9_OK);
        for (uint32_t k = 0; k < sc->palettes[i].count; k++) {
            c9_palette_set(&sc->palettes[i], k, rnd(0x1000000));
            if (rnd(4) == 0) {
                c9_palette_set_transparent(&sc->palettes[i], k, true);
            }
        }
    }
    c9_colorconverter_init(&sc->cc[0], C9_COLORSPACE_RGB565, false);
    c9_colorconverter_init(&sc->cc[1], (c9_colorspace_t)rnd(9), false);
    sc->cc[1].has_transparent = true;
    sc->cc[1].transparent_color = 3;
    for (int i = 0; i < 3; i++) {
        c9_group_init(&sc->groups[i], NULL);
        sc->groups[i].x = (int16_t)rnd_between(-5, 15);
        sc->groups[i].y = (int16_t)rnd_between(-5, 15);
        sc->groups[i].scale = (uint16_t)(1 + rnd(3));
    }
    sc->groups[0].x = sc->groups[0].y = 0;
    sc->groups[0].scale = 1;
    c9_tilegrid_config_t cfg = {
        C9_SOURCE_BITMAP, &sc->bitmap, C9_SHADER_PALETTE, &sc->palettes[0], 4, 4, 0, 0, 0, 0, 0};
    assert_int_equal(c9_tilegrid_init(&sc->tg, &cfg, NULL, NULL), C9_OK);
    c9_group_append(&sc->groups[0], &sc->tg.layer);
    c9_group_append(&sc->groups[0], &sc->groups[1].layer);
    c9_group_append(&sc->groups[1], &sc->groups[2].layer);
    for (int i = 0; i < NSHAPES; i++) {
        c9_shader_type_t t;
        void *sh;
        random_shader(sc, &t, &sh);
        c9_vectorshape_init(&sc->shapes[i], t, sh, (int16_t)rnd_between(-10, 60), (int16_t)rnd_between(-10, 45),
                            (uint16_t)rnd(14));
        random_geometry(sc, i);
        sc->shapes[i].hidden = rnd(8) == 0;
        assert_int_equal(c9_group_append(&sc->groups[rnd(3)], &sc->shapes[i].layer), C9_OK);
    }
}

static void scene_free(scene_t *sc) {
    for (int i = 2; i >= 0; i--) {
        c9_group_release(&sc->groups[i]);
    }
    c9_tilegrid_release(&sc->tg);
    c9_bitmap_release(&sc->bitmap);
    c9_palette_release(&sc->palettes[0]);
    c9_palette_release(&sc->palettes[1]);
}

static void test_random_scenes_all_rotations_depths(void **state) {
    (void)state;
    static const int depths[] = {16, 8, 4, 2, 1};
    for (int iter = 0; iter < 80; iter++) {
        int depth = depths[iter % 5];
        int rotation = 90 * (iter / 5 % 4);
        scene_t *sc = malloc(sizeof(*sc));
        scene_build(sc);
        c9_display_t *d = calloc(1, sizeof(*d));
        rec_t *r = malloc(sizeof(*r));
        setup_display(d, r, depth, rotation, depth >= 8 || rnd(2), depth < 8 && rnd(2));
        assert_int_equal(c9_display_set_root_group(d, &sc->groups[0]), C9_OK);
        bool drawn;
        assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
        check_ram(d, r, &sc->groups[0]);
        for (int step = 0; step < 6; step++) {
            int i = (int)rnd(NSHAPES);
            c9_vectorshape_t *s = &sc->shapes[i];
            switch (rnd(8)) {
            case 0: c9_vectorshape_set_position(s, (int16_t)rnd_between(-10, 60), (int16_t)rnd_between(-10, 45)); break;
            case 1: random_geometry(sc, i); break;
            case 2: c9_vectorshape_set_color_index(s, (uint16_t)rnd(14)); break;
            case 3: c9_vectorshape_set_hidden(s, !s->hidden); break;
            case 4: {
                c9_shader_type_t t;
                void *sh;
                random_shader(sc, &t, &sh);
                c9_vectorshape_set_shader(s, t, sh);
                break;
            }
            case 5: c9_palette_set(&sc->palettes[rnd(2)], (uint32_t)rnd(4), rnd(0x1000000)); break;
            case 6: sc->groups[1 + rnd(2)].x += (int16_t)rnd_between(-4, 4); break;
            default: {
                c9_layer_t *removed;
                if (sc->groups[2].count && c9_group_remove_at(&sc->groups[2], 0, &removed) == C9_OK) {
                    c9_group_append(&sc->groups[1], removed);
                }
                break;
            }
            }
            assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
            check_ram(d, r, &sc->groups[0]);
        }
        c9_display_release(d);
        scene_free(sc);
        free(sc);
        free(r);
        free(d);
    }
}

/* A dithered palette: a shape's pixels equal those of a tile grid of the same colour index at the
 * same place (the tile grid path is checked against its own reference elsewhere). */
static void test_dither_matches_tilegrid(void **state) {
    (void)state;
    c9_palette_t pal;
    assert_int_equal(c9_palette_alloc(&pal, 4, true, NULL), C9_OK);
    c9_palette_set(&pal, 2, 0x7F3F9F);
    c9_bitmap_t bm;
    assert_int_equal(c9_bitmap_alloc(&bm, 30, 20, 2, NULL), C9_OK);
    c9_bitmap_fill(&bm, 2);
    for (int rotation = 0; rotation < 360; rotation += 90) {
        for (int depth = 16; depth >= 4; depth /= 2) {
            uint32_t out_shape[64 * 64], out_tg[64 * 64];
            uint32_t seed = rng_state;
            for (int pass = 0; pass < 2; pass++) {
                rng_state = seed; /* the same display configuration for both */
                c9_group_t root;
                c9_group_init(&root, NULL);
                c9_vectorshape_t s;
                c9_tilegrid_t tg;
                if (pass == 0) {
                    c9_vectorshape_init(&s, C9_SHADER_PALETTE, &pal, 7, 5, 2);
                    c9_vectorshape_set_rectangle(&s, 30, 20);
                    c9_group_append(&root, &s.layer);
                } else {
                    c9_tilegrid_config_t cfg = {C9_SOURCE_BITMAP, &bm, C9_SHADER_PALETTE, &pal, 1, 1, 0, 0, 0, 7, 5};
                    assert_int_equal(c9_tilegrid_init(&tg, &cfg, NULL, NULL), C9_OK);
                    c9_group_append(&root, &tg.layer);
                }
                c9_display_t *d = calloc(1, sizeof(*d));
                rec_t *r = malloc(sizeof(*r));
                setup_display(d, r, depth, rotation, true, false);
                c9_display_set_root_group(d, &root);
                c9_rect_t all = {0, 0, (int16_t)d->ram_width, (int16_t)d->ram_height};
                c9_display_compose(d, &all, pass == 0 ? out_shape : out_tg);
                c9_display_release(d);
                c9_group_release(&root);
                if (pass == 1) {
                    c9_tilegrid_release(&tg);
                }
                free(r);
                free(d);
            }
            size_t bytes = (size_t)64 * 40 * (depth == 16 ? 2 : 1);
            assert_memory_equal(out_shape, out_tg, bytes);
        }
    }
    c9_bitmap_release(&bm);
    c9_palette_release(&pal);
}

/* ---- change tracking ------------------------------------------------------------------------- */

/* Marks the physical pixels of a logical footprint [x1, x2) x [y1, y2) on a display. */
static void mark_logical(const c9_display_t *d, bool *want, int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
    for (int py = 0; py < d->ram_height; py++) {
        for (int px = 0; px < d->ram_width; px++) {
            int64_t lx, ly;
            logical_of(d, px, py, &lx, &ly);
            if (lx >= x1 && lx < x2 && ly >= y1 && ly < y2) {
                want[py * 64 + px] = true;
            }
        }
    }
}

/* Footprint of a shape at logical origin (ox, oy), from the documented bounding boxes. */
static void mark_shape(const c9_display_t *d, bool *want, const c9_vectorshape_t *s, int64_t ox, int64_t oy) {
    switch (s->kind) {
    case C9_SHAPE_CIRCLE:
        mark_logical(d, want, ox - s->radius, oy - s->radius, ox + s->radius + 1, oy + s->radius + 1);
        break;
    case C9_SHAPE_RECTANGLE: mark_logical(d, want, ox, oy, ox + s->width, oy + s->height); break;
    default: {
        int64_t x1 = INT64_MAX, y1 = INT64_MAX, x2 = INT64_MIN, y2 = INT64_MIN;
        for (uint32_t i = 0; i < s->point_count; i++) {
            x1 = x1 < s->points[2 * i] ? x1 : s->points[2 * i];
            x2 = x2 > s->points[2 * i] ? x2 : s->points[2 * i];
            y1 = y1 < s->points[2 * i + 1] ? y1 : s->points[2 * i + 1];
            y2 = y2 > s->points[2 * i + 1] ? y2 : s->points[2 * i + 1];
        }
        mark_logical(d, want, ox + x1, oy + y1, ox + x2, oy + y2);
        break;
    }
    }
}

static void expect_written(rec_t *r, const c9_display_t *d, const bool *want, const char *what) {
    for (int py = 0; py < d->ram_height; py++) {
        for (int px = 0; px < d->ram_width; px++) {
            if (r->written[py * 64 + px] != want[py * 64 + px]) {
                fail_msg("%s, rotation %d: pixel (%d,%d) written %d, expected %d", what, d->rotation, px, py,
                         r->written[py * 64 + px], want[py * 64 + px]);
            }
        }
    }
    memset(r->written, 0, sizeof r->written);
}

static void test_dirty_areas(void **state) {
    (void)state;
    c9_palette_t pal, pal2;
    assert_int_equal(c9_palette_alloc(&pal, 4, false, NULL), C9_OK);
    assert_int_equal(c9_palette_alloc(&pal2, 4, false, NULL), C9_OK);
    c9_palette_set(&pal, 1, 0xFF0000);
    c9_palette_set(&pal, 2, 0x00FF00);
    c9_palette_set(&pal2, 1, 0x0000FF);
    c9_colorconverter_t cc;
    c9_colorconverter_init(&cc, C9_COLORSPACE_RGB565, false);
    static int16_t tri[6] = {0, 0, 12, 3, 4, 9}, tri2[6] = {-3, -2, 8, 0, 1, 6};
    for (int rotation = 0; rotation < 360; rotation += 90) {
        c9_colorconverter_init(&cc, C9_COLORSPACE_RGB565, false);
        c9_group_t root, inner;
        c9_group_init(&root, NULL);
        c9_group_init(&inner, NULL);
        inner.x = 3;
        inner.y = 2;
        inner.scale = 2;
        c9_vectorshape_t circle, rect, poly;
        c9_vectorshape_init(&circle, C9_SHADER_PALETTE, &pal, 10, 10, 1);
        c9_vectorshape_set_circle(&circle, 4);
        c9_vectorshape_init(&rect, C9_SHADER_PALETTE, &pal, 30, 5, 2);
        c9_vectorshape_set_rectangle(&rect, 6, 3);
        c9_vectorshape_init(&poly, C9_SHADER_COLORCONVERTER, &cc, 5, 8, 0x1234);
        c9_vectorshape_set_polygon(&poly, tri, 3);
        c9_group_append(&root, &circle.layer);
        c9_group_append(&root, &rect.layer);
        c9_group_append(&root, &inner.layer);
        c9_group_append(&inner, &poly.layer);
        c9_display_t *d = calloc(1, sizeof(*d));
        rec_t *r = malloc(sizeof(*r));
        setup_display(d, r, 16, rotation, true, false);
        c9_display_set_root_group(d, &root);
        bool drawn;
        c9_display_refresh(d, 0, 0, &drawn);
        memset(r->written, 0, sizeof r->written);
        bool want[64 * 64];

        /* nothing changed: nothing sent */
        c9_display_refresh(d, 0, 0, &drawn);
        assert_int_equal(d->stats.last_pixel_bytes, 0);

#define STEP(what, change, old_shape, old_ox, old_oy, new_shape, new_ox, new_oy)                                       \
    do {                                                                                                               \
        memset(want, 0, sizeof want);                                                                                  \
        mark_shape(d, want, old_shape, old_ox, old_oy);                                                                \
        change;                                                                                                        \
        mark_shape(d, want, new_shape, new_ox, new_oy);                                                                \
        c9_display_refresh(d, 0, 0, &drawn);                                                                           \
        expect_written(r, d, want, what);                                                                              \
        check_ram(d, r, &root);                                                                                        \
    } while (0)

        STEP("move circle", c9_vectorshape_set_position(&circle, 40, 20), &circle, 10, 10, &circle, 40, 20);
        STEP("grow circle", c9_vectorshape_set_circle(&circle, 7), &circle, 40, 20, &circle, 40, 20);
        STEP("shrink rectangle", c9_vectorshape_set_rectangle(&rect, 2, 9), &rect, 30, 5, &rect, 30, 5);
        STEP("circle colour", c9_vectorshape_set_color_index(&circle, 2), &circle, 40, 20, &circle, 40, 20);
        STEP("circle shader", c9_vectorshape_set_shader(&circle, C9_SHADER_PALETTE, &pal2), &circle, 40, 20, &circle,
             40, 20);
        STEP("palette entry", c9_palette_set(&pal2, 2, 0x123456u + (uint32_t)rotation), &circle, 40, 20, &circle, 40,
             20);
        STEP("converter", cc.has_transparent = true, &poly, 3 + 10, 2 + 16, &poly, 3 + 10, 2 + 16);
        /* polygon: new points, shape in a scaled group (position scales, size does not) */
        STEP("polygon points", c9_vectorshape_set_polygon(&poly, tri2, 3), &poly, 3 + 10, 2 + 16, &poly, 3 + 10,
             2 + 16);
        STEP("group moves", inner.x = 9, &poly, 3 + 10, 2 + 16, &poly, 9 + 10, 2 + 16);
        STEP("group scale", inner.scale = 1, &poly, 9 + 10, 2 + 16, &poly, 9 + 5, 2 + 8);
        /* hiding repaints the footprint; a hidden shape's changes send nothing */
        memset(want, 0, sizeof want);
        mark_shape(d, want, &rect, 30, 5);
        c9_vectorshape_set_hidden(&rect, true);
        c9_display_refresh(d, 0, 0, &drawn);
        expect_written(r, d, want, "hide");
        c9_vectorshape_set_position(&rect, 1, 1);
        c9_display_refresh(d, 0, 0, &drawn);
        assert_int_equal(d->stats.last_pixel_bytes, 0);
        memset(r->written, 0, sizeof r->written);
        STEP("show", c9_vectorshape_set_hidden(&rect, false), &rect, 1, 1, &rect, 1, 1);
        /* removal repaints where it was */
        memset(want, 0, sizeof want);
        mark_shape(d, want, &circle, 40, 20);
        c9_layer_t *out;
        assert_int_equal(c9_group_remove_at(&root, 0, &out), C9_OK);
        assert_ptr_equal(out, &circle.layer);
        c9_display_refresh(d, 0, 0, &drawn);
        expect_written(r, d, want, "remove");
        check_ram(d, r, &root);
#undef STEP
        c9_display_release(d);
        c9_group_release(&inner);
        c9_group_release(&root);
        free(r);
        free(d);
    }
    c9_palette_release(&pal);
    c9_palette_release(&pal2);
}

/* A full-screen opaque rectangle hides what is under it at no cost; a transparent one does not. */
static void test_opaque_rectangle_background(void **state) {
    (void)state;
    c9_palette_t pal;
    assert_int_equal(c9_palette_alloc(&pal, 2, false, NULL), C9_OK);
    c9_palette_set(&pal, 0, 0x102030);
    c9_palette_set(&pal, 1, 0xFFFFFF);
    c9_group_t root;
    c9_group_init(&root, NULL);
    c9_vectorshape_t under, bg, dot;
    c9_vectorshape_init(&under, C9_SHADER_PALETTE, &pal, 0, 0, 1);
    c9_vectorshape_set_rectangle(&under, 64, 40);
    c9_vectorshape_init(&bg, C9_SHADER_PALETTE, &pal, 0, 0, 0);
    c9_vectorshape_set_rectangle(&bg, 64, 40);
    c9_vectorshape_init(&dot, C9_SHADER_PALETTE, &pal, 20, 20, 1);
    c9_vectorshape_set_circle(&dot, 3);
    c9_group_append(&root, &under.layer);
    c9_group_append(&root, &bg.layer);
    c9_group_append(&root, &dot.layer);
    c9_display_t *d = calloc(1, sizeof(*d));
    rec_t *r = malloc(sizeof(*r));
    setup_display(d, r, 16, 0, true, false);
    c9_display_set_root_group(d, &root);
    bool drawn;
    c9_display_refresh(d, 0, 0, &drawn);
    check_ram(d, r, &root);
    c9_palette_set_transparent(&pal, 0, true); /* now the lower rectangle shows */
    c9_display_refresh(d, 0, 0, &drawn);
    check_ram(d, r, &root);
    c9_display_release(d);
    c9_group_release(&root);
    c9_palette_release(&pal);
    free(r);
    free(d);
}

static void test_contains_and_groups(void **state) {
    (void)state;
    c9_vectorshape_t s;
    c9_vectorshape_init(&s, C9_SHADER_NONE, NULL, 10, 20, 0);
    assert_false(c9_vectorshape_contains(&s, 10, 20)); /* no geometry yet */
    c9_vectorshape_set_circle(&s, 3);
    assert_true(c9_vectorshape_contains(&s, 10, 20));
    assert_true(c9_vectorshape_contains(&s, 13, 20));
    assert_false(c9_vectorshape_contains(&s, 13, 21));
    c9_group_t outer, inner;
    c9_group_init(&outer, NULL);
    c9_group_init(&inner, NULL);
    outer.x = 5;
    outer.y = 7;
    outer.scale = 2;
    inner.x = 1;
    inner.y = 2;
    inner.scale = 3;
    assert_int_equal(c9_group_append(&outer, &inner.layer), C9_OK);
    assert_int_equal(c9_group_append(&inner, &s.layer), C9_OK);
    /* origin = outer + 2 * (inner + 3 * shape) */
    int64_t ox = 5 + 2 * (1 + 3 * 10), oy = 7 + 2 * (2 + 3 * 20);
    assert_true(c9_vectorshape_contains(&s, (int32_t)ox, (int32_t)oy));
    assert_true(c9_vectorshape_contains(&s, (int32_t)ox - 3, (int32_t)oy)); /* radius not scaled */
    assert_false(c9_vectorshape_contains(&s, (int32_t)ox - 4, (int32_t)oy));
    s.hidden = true;
    assert_true(c9_vectorshape_contains(&s, (int32_t)ox, (int32_t)oy));
    /* a shape is in one group at a time, like any layer */
    assert_int_equal(c9_group_append(&outer, &s.layer), C9_ERR_EXIST);
    c9_group_release(&inner);
    c9_group_release(&outer);
    assert_false(s.layer.in_group);
    assert_true(c9_vectorshape_contains(&s, 10, 20));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_circle_rule),
        cmocka_unit_test(test_rectangle_rule),
        cmocka_unit_test(test_polygon_drawings),
        cmocka_unit_test(test_polygon_rule_random),
        cmocka_unit_test(test_polygon_many_edges_and_extremes),
        cmocka_unit_test(test_random_scenes_all_rotations_depths),
        cmocka_unit_test(test_dither_matches_tilegrid),
        cmocka_unit_test(test_dirty_areas),
        cmocka_unit_test(test_opaque_rectangle_background),
        cmocka_unit_test(test_contains_and_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
