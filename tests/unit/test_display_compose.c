/*
 * The compositor against a plain per-pixel reference written here from CircuitPython's rules
 * (top-most opaque layer wins; flips apply after transpose; group offsets scale with their
 * parent; rotation maps logical to panel RAM clockwise), over random trees, every rotation and
 * every colour depth; and the change tracking: a refresh after a change must leave the panel RAM
 * identical to a full recomposition while sending only the changed pixels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "circuit9/display.h"

/* ---- a tiny deterministic RNG ---- */
static uint32_t rng_state = 1;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return n ? rng_state % n : 0;
}

/* ---- reference ---- */

typedef struct ref_layer {
    c9_tilegrid_t *tg;
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
        } else {
            c9_tilegrid_t *tg = (c9_tilegrid_t *)l;
            layers[nlayers++] =
                (ref_layer_t){tg, ox + tg->x * scale, oy + tg->y * scale, scale, visible && !tg->hidden};
        }
    }
}

/* RGB888 of the tile grid at logical (lx, ly), or -1 when transparent/outside. */
static int64_t ref_layer_rgb(const ref_layer_t *L, int64_t lx, int64_t ly, bool *raw, uint32_t *raw_value) {
    const c9_tilegrid_t *tg = L->tg;
    int64_t pw = (int64_t)tg->width * tg->tile_width, ph = (int64_t)tg->height * tg->tile_height;
    int64_t w = tg->transpose_xy ? ph : pw, h = tg->transpose_xy ? pw : ph;
    if (lx < L->ox || ly < L->oy || lx >= L->ox + w * L->scale || ly >= L->oy + h * L->scale) {
        return -1;
    }
    int64_t sx = (lx - L->ox) / L->scale, sy = (ly - L->oy) / L->scale;
    int64_t a = tg->transpose_xy ? sy : sx, b = tg->transpose_xy ? sx : sy;
    int64_t cx = tg->flip_x ? pw - 1 - a : a, cy = tg->flip_y ? ph - 1 - b : b;
    int64_t col = (cx / tg->tile_width + tg->top_left_x) % tg->width;
    int64_t row = (cy / tg->tile_height + tg->top_left_y) % tg->height;
    uint32_t tile = tg->tiles[row * tg->width + col];
    int64_t bx = (tile % tg->bitmap_width_in_tiles) * tg->tile_width + cx % tg->tile_width;
    int64_t by = (tile / tg->bitmap_width_in_tiles) * tg->tile_height + cy % tg->tile_height;
    uint32_t v = c9_bitmap_get(tg->source, (int)bx, (int)by);
    *raw = false;
    if (tg->shader_type == C9_SHADER_PALETTE) {
        const c9_palette_t *p = tg->shader;
        if (v >= p->count || p->colors[v].transparent) {
            return -1;
        }
        return p->colors[v].rgb888;
    }
    if (tg->shader_type == C9_SHADER_COLORCONVERTER) {
        const c9_colorconverter_t *cc = tg->shader;
        if (cc->has_transparent && v == cc->transparent_color) {
            return -1;
        }
        return c9_color_to_rgb888(cc->input, v);
    }
    *raw = true;
    *raw_value = v;
    return 0;
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

/* Expected pixel value at physical (px, py). */
static uint32_t ref_pixel(const c9_display_t *d, int px, int py) {
    int64_t nw = d->ram_width, nh = d->ram_height, lx, ly;
    switch (d->rotation) {
    case 90:
        lx = py;
        ly = nw - 1 - px;
        break;
    case 180:
        lx = nw - 1 - px;
        ly = nh - 1 - py;
        break;
    case 270:
        lx = nh - 1 - py;
        ly = px;
        break;
    default:
        lx = px;
        ly = py;
        break;
    }
    for (int i = nlayers - 1; i >= 0; i--) {
        if (!layers[i].visible || !((c9_bitmap_t *)layers[i].tg->source)->data) {
            continue;
        }
        bool raw;
        uint32_t rv = 0;
        int64_t c = ref_layer_rgb(&layers[i], lx, ly, &raw, &rv);
        if (c < 0) {
            continue;
        }
        if (raw) {
            return rv & (d->cfg.color_depth == 16 ? 0xFFFF : (1u << d->cfg.color_depth) - 1);
        }
        return ref_native(d, (uint32_t)c);
    }
    return 0;
}

/* ---- a recording bus and panel RAM driven by the bytes ---- */

typedef struct rec {
    c9_display_t *d;
    uint8_t cmd;
    uint8_t params[8];
    int np;
    int x1, x2, y1, y2, x, y; /* window in bus units */
    uint8_t *ram;             /* one byte per unit (1 or 2 bytes for 16-bit) */
    int ram_w, ram_h;         /* in bus units */
    uint64_t pixel_bytes;
    int sub; /* byte within a 16-bit pixel */
    /* Called once at the first pixel byte: stands for code a refresh runs (an on-disk bitmap's
     * read callback) changing the tree while the refresh is sending. */
    void (*during)(struct rec *r);
    void *during_ctx;
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
                    r->x1 = a;
                    r->x2 = b;
                } else {
                    r->y1 = a;
                    r->y2 = b;
                }
            }
        } else if (r->cmd == 0x2C) {
            if (r->during) {
                void (*fn)(struct rec *) = r->during;
                r->during = NULL;
                fn(r);
            }
            r->pixel_bytes++;
            if (r->x < r->ram_w && r->y < r->ram_h) {
                r->ram[((size_t)r->y * r->ram_w + r->x) * bpp + r->sub] = data[i];
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

/* Unpacks the recorded RAM into one value per physical pixel. */
static uint32_t ram_pixel(const rec_t *r, const c9_display_t *d, int px, int py) {
    int depth = d->cfg.color_depth;
    if (depth == 16) {
        const uint8_t *p = r->ram + ((size_t)py * r->ram_w + px) * 2;
        /* memory order = wire order; the compositor's value has the same bytes */
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    if (depth == 8) {
        return r->ram[(size_t)py * r->ram_w + px];
    }
    int ppb = 8 / depth;
    int off, byte;
    if (d->cfg.pixels_in_byte_share_row) {
        byte = py * r->ram_w + px / ppb;
        off = px % ppb;
    } else {
        byte = (py / ppb) * r->ram_w + px;
        off = py % ppb;
    }
    int shift = off * depth;
    if (d->cfg.reverse_pixels_in_byte) {
        shift = (ppb - 1) * depth - shift;
    }
    return (r->ram[byte] >> shift) & ((1u << depth) - 1);
}

/* ---- random scenes ---- */

typedef struct scene {
    c9_bitmap_t bitmaps[4];
    c9_palette_t palettes[2];
    c9_colorconverter_t cc[2];
    c9_tilegrid_t tgs[8];
    c9_group_t groups[3];
    int ntg;
} scene_t;

static void random_tilegrid(scene_t *s, int i) {
    c9_tilegrid_config_t cfg = {0};
    int b = (int)rnd(4);
    cfg.source = &s->bitmaps[b];
    /* 16-bit bitmaps go through a converter; so does, now and then, a bitmap of another depth
     * (CircuitPython allows it: the values are colours of the converter's colour space). */
    if (s->bitmaps[b].bits_per_value == 16 || rnd(4) == 0) {
        cfg.shader_type = C9_SHADER_COLORCONVERTER;
        cfg.shader = &s->cc[rnd(2)];
    } else {
        cfg.shader_type = rnd(6) == 0 ? C9_SHADER_NONE : C9_SHADER_PALETTE;
        cfg.shader = cfg.shader_type == C9_SHADER_PALETTE ? (void *)&s->palettes[rnd(2)] : NULL;
    }
    uint16_t bw = s->bitmaps[b].width, bh = s->bitmaps[b].height;
    cfg.tile_width = rnd(2) ? bw : bw / 2;
    cfg.tile_height = rnd(2) ? bh : bh / 2;
    cfg.width = (uint16_t)(1 + rnd(3));
    cfg.height = (uint16_t)(1 + rnd(3));
    cfg.x = (int16_t)((int)rnd(50) - 10);
    cfg.y = (int16_t)((int)rnd(40) - 10);
    assert_int_equal(c9_tilegrid_init(&s->tgs[i], &cfg, NULL, NULL), C9_OK);
    c9_tilegrid_t *tg = &s->tgs[i];
    for (uint16_t y = 0; y < tg->height; y++) {
        for (uint16_t x = 0; x < tg->width; x++) {
            c9_tilegrid_set_tile(tg, x, y, (uint16_t)rnd(tg->tiles_in_bitmap + 1));
        }
    }
    c9_tilegrid_set_flip(tg, rnd(2), rnd(2), rnd(2));
    if (rnd(5) == 0) {
        c9_tilegrid_set_top_left(tg, (uint16_t)rnd(3), (uint16_t)rnd(3));
    }
    tg->hidden = rnd(8) == 0;
}

static void scene_build(scene_t *s) {
    memset(s, 0, sizeof(*s));
    const uint8_t bits[4] = {1, 4, 8, 16};
    for (int i = 0; i < 4; i++) {
        uint16_t w = (uint16_t)(2 * (2 + rnd(10))), h = (uint16_t)(2 * (2 + rnd(8)));
        assert_int_equal(c9_bitmap_alloc(&s->bitmaps[i], w, h, bits[i], NULL), C9_OK);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c9_bitmap_set(&s->bitmaps[i], x, y, rnd(0x10000));
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(c9_palette_alloc(&s->palettes[i], 3 + rnd(300), false, NULL), C9_OK);
        for (uint32_t k = 0; k < s->palettes[i].count; k++) {
            c9_palette_set(&s->palettes[i], k, rnd(0x1000000));
            if (rnd(4) == 0) {
                c9_palette_set_transparent(&s->palettes[i], k, true);
            }
        }
    }
    c9_colorconverter_init(&s->cc[0], C9_COLORSPACE_RGB565, false);
    c9_colorconverter_init(&s->cc[1], (c9_colorspace_t)(1 + rnd(9)), false);
    if (rnd(2)) {
        s->cc[1].has_transparent = true;
        s->cc[1].transparent_color = c9_bitmap_get(&s->bitmaps[3], 0, 0);
    }
    for (int i = 0; i < 3; i++) {
        c9_group_init(&s->groups[i], NULL);
        s->groups[i].x = (int16_t)((int)rnd(20) - 5);
        s->groups[i].y = (int16_t)((int)rnd(20) - 5);
        s->groups[i].scale = (uint16_t)(1 + rnd(3));
    }
    s->groups[0].x = s->groups[0].y = 0;
    s->groups[0].scale = 1;
    c9_group_append(&s->groups[0], &s->groups[1].layer);
    c9_group_append(&s->groups[1], &s->groups[2].layer);
    s->ntg = 2 + (int)rnd(6);
    for (int i = 0; i < s->ntg; i++) {
        random_tilegrid(s, i);
        c9_group_append(&s->groups[rnd(3)], &s->tgs[i].layer);
    }
}

static void scene_free(scene_t *s) {
    for (int i = 2; i >= 0; i--) {
        c9_group_release(&s->groups[i]);
    }
    for (int i = 0; i < s->ntg; i++) {
        c9_tilegrid_release(&s->tgs[i]);
    }
    for (int i = 0; i < 4; i++) {
        c9_bitmap_release(&s->bitmaps[i]);
    }
    for (int i = 0; i < 2; i++) {
        c9_palette_release(&s->palettes[i]);
    }
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
    int ppb = depth < 8 ? 8 / depth : 1;
    r->ram_w = share_row ? (64 + ppb - 1) / ppb : 64;
    r->ram_h = share_row ? 64 : (64 + ppb - 1) / ppb;
    if (depth >= 8) {
        r->ram_w = 64;
        r->ram_h = 64;
    }
    r->ram = calloc((size_t)r->ram_w * r->ram_h * 2, 1);
}

static void check_ram(c9_display_t *d, rec_t *r, scene_t *s) {
    nlayers = 0;
    gather(&s->groups[0], 0, 0, 1, true);
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

static void test_random_scenes_all_rotations_depths(void **state) {
    (void)state;
    static const int depths[] = {16, 8, 4, 2, 1};
    for (int iter = 0; iter < 60; iter++) {
        int depth = depths[iter % 5];
        int rotation = 90 * (iter / 5 % 4);
        bool share = depth >= 8 || rnd(2);
        scene_t s;
        scene_build(&s);
        c9_display_t *d = calloc(1, sizeof(*d));
        rec_t r;
        setup_display(d, &r, depth, rotation, share, depth < 8 && rnd(2));
        assert_int_equal(c9_display_set_root_group(d, &s.groups[0]), C9_OK);
        bool drawn;
        assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
        assert_true(drawn);
        check_ram(d, &r, &s);

        /* Random changes, then an incremental refresh must match a fresh composition. */
        for (int step = 0; step < 4; step++) {
            c9_tilegrid_t *tg = &s.tgs[rnd(s.ntg)];
            switch (rnd(6)) {
            case 0: c9_tilegrid_set_position(tg, (int16_t)((int)rnd(50) - 10), (int16_t)((int)rnd(40) - 10)); break;
            case 1:
                c9_tilegrid_set_tile(tg, (uint16_t)rnd(tg->width), (uint16_t)rnd(tg->height), (uint16_t)rnd(4));
                break;
            case 2: c9_bitmap_set(tg->source, (int)rnd(8), (int)rnd(8), rnd(0x10000)); break;
            case 3: c9_tilegrid_set_hidden(tg, !tg->hidden); break;
            case 4:
                if (tg->shader_type == C9_SHADER_PALETTE) {
                    c9_palette_set(tg->shader, 0, rnd(0x1000000));
                }
                break;
            default: {
                c9_layer_t *removed;
                if (s.groups[2].count && c9_group_remove_at(&s.groups[2], 0, &removed) == C9_OK) {
                    c9_group_append(&s.groups[1], removed);
                }
                break;
            }
            }
            assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
            check_ram(d, &r, &s);
        }
        c9_display_release(d);
        scene_free(&s);
        free(r.ram);
        free(d);
    }
}

/* Two opposite corners change: only those pixels are sent, not a bounding box. */
static void test_partial_update_bytes(void **state) {
    (void)state;
    c9_bitmap_t bg, dot;
    c9_palette_t pal;
    assert_int_equal(c9_bitmap_alloc(&bg, 64, 64, 8, NULL), C9_OK);
    assert_int_equal(c9_bitmap_alloc(&dot, 4, 4, 1, NULL), C9_OK);
    c9_bitmap_fill(&dot, 1);
    assert_int_equal(c9_palette_alloc(&pal, 256, false, NULL), C9_OK);
    for (int i = 0; i < 256; i++) {
        c9_palette_set(&pal, (uint32_t)i, (uint32_t)i * 0x010101u);
    }
    c9_tilegrid_t tbg, ta, tb;
    c9_tilegrid_config_t cfg = {C9_SOURCE_BITMAP, &bg, C9_SHADER_PALETTE, &pal, 1, 1, 0, 0, 0, 0, 0};
    assert_int_equal(c9_tilegrid_init(&tbg, &cfg, NULL, NULL), C9_OK);
    cfg.source = &dot;
    assert_int_equal(c9_tilegrid_init(&ta, &cfg, NULL, NULL), C9_OK);
    assert_int_equal(c9_tilegrid_init(&tb, &cfg, NULL, NULL), C9_OK);
    c9_tilegrid_set_position(&tb, 60, 36);
    c9_group_t root;
    c9_group_init(&root, NULL);
    c9_group_append(&root, &tbg.layer);
    c9_group_append(&root, &ta.layer);
    c9_group_append(&root, &tb.layer);
    c9_display_t *d = calloc(1, sizeof(*d));
    rec_t r;
    rng_state = 7;
    setup_display(d, &r, 16, 0, true, false);
    c9_display_set_root_group(d, &root);
    bool drawn;
    c9_display_refresh(d, 0, 0, &drawn);
    assert_int_equal(d->stats.last_pixel_bytes, 64 * 40 * 2);
    /* move both dots by one pixel: union is 2 * (5x4) pixels */
    c9_tilegrid_set_position(&ta, 1, 0);
    c9_tilegrid_set_position(&tb, 59, 36);
    r.pixel_bytes = 0;
    c9_display_refresh(d, 0, 0, &drawn);
    assert_int_equal(d->stats.union_pixels, 2 * 5 * 4);
    assert_int_equal(d->stats.last_pixel_bytes, 2 * 5 * 4 * 2);
    assert_int_equal(r.pixel_bytes, 2 * 5 * 4 * 2);
    /* change two bitmap pixels far apart in the background: each is its own window since they
     * live in one bitmap whose dirty area is one rectangle, the background sends that rectangle */
    c9_bitmap_set(&bg, 0, 10, 5);
    c9_bitmap_set(&bg, 0, 12, 5);
    c9_display_refresh(d, 0, 0, &drawn);
    assert_int_equal(d->stats.last_pixel_bytes, 1 * 3 * 2);
    /* nothing changed: nothing sent */
    c9_display_refresh(d, 0, 0, &drawn);
    assert_int_equal(d->stats.last_pixel_bytes, 0);
    c9_display_release(d);
    c9_group_release(&root);
    c9_tilegrid_release(&tbg);
    c9_tilegrid_release(&ta);
    c9_tilegrid_release(&tb);
    c9_bitmap_release(&bg);
    c9_bitmap_release(&dot);
    c9_palette_release(&pal);
    free(r.ram);
    free(d);
}

/* Changes made while a refresh sends (by code it calls back) are drawn by the next refresh. */
static void change_scene(rec_t *r) {
    scene_t *s = r->during_ctx;
    for (int i = 0; i < s->ntg; i++) {
        c9_tilegrid_t *tg = &s->tgs[i];
        switch (rnd(4)) {
        case 0: c9_tilegrid_set_position(tg, (int16_t)((int)rnd(50) - 10), (int16_t)((int)rnd(40) - 10)); break;
        case 1: c9_tilegrid_set_hidden(tg, !tg->hidden); break;
        case 2: c9_bitmap_set(tg->source, (int)rnd(8), (int)rnd(8), rnd(0x10000)); break;
        default: c9_tilegrid_set_tile(tg, 0, 0, (uint16_t)rnd(4)); break;
        }
    }
    c9_layer_t *removed;
    if (s->groups[2].count && c9_group_remove_at(&s->groups[2], 0, &removed) == C9_OK) {
        c9_group_append(&s->groups[1], removed);
    }
    if (rnd(3) == 0) {
        c9_display_set_rotation(r->d, (int)(90 * rnd(4)));
    }
}

static void test_changes_during_a_refresh_go_to_the_next(void **state) {
    (void)state;
    for (int iter = 0; iter < 40; iter++) {
        scene_t s;
        scene_build(&s);
        c9_display_t *d = calloc(1, sizeof(*d));
        rec_t r;
        setup_display(d, &r, iter % 2 ? 16 : 8, 0, true, false);
        assert_int_equal(c9_display_set_root_group(d, &s.groups[0]), C9_OK);
        bool drawn;
        assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
        c9_display_invalidate(d); /* something to send in the next refresh */
        r.during = change_scene;
        r.during_ctx = &s;
        assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
        assert_null(r.during); /* the changes happened mid-refresh */
        assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
        check_ram(d, &r, &s);
        c9_display_release(d);
        scene_free(&s);
        free(r.ram);
        free(d);
    }
}

/* Trees of any depth: built from the top or the bottom, checked for cycles, dropped, shown and
 * un-shown without recursion (c9__forget_drawn recursed once per level: a stack overflow). */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define DEEP 200000
#else
/* The emulated Cortex-M has 4 MB of RAM: 20,000 groups still need ten times the stack a
 * recursive walk could have there. */
#define DEEP 20000
#endif

static void test_deep_chains(void **state) {
    (void)state;
    c9_group_t *g = calloc(DEEP, sizeof(*g));
    c9_group_t holder;
    assert_non_null(g);
    c9_group_init(&holder, NULL);
    for (int i = 0; i < DEEP; i++) {
        c9_group_init(&g[i], NULL);
        if (i) { /* top-down: each appended to the deepest */
            assert_int_equal(c9_group_append(&g[i - 1], &g[i].layer), C9_OK);
        }
    }
    assert_int_equal(c9_group_append(&g[DEEP - 1], &g[0].layer), C9_ERR_INVAL); /* a cycle */
    c9_bitmap_t b;
    c9_palette_t p;
    assert_int_equal(c9_bitmap_alloc(&b, 4, 4, 1, NULL), C9_OK);
    assert_int_equal(c9_palette_alloc(&p, 2, false, NULL), C9_OK);
    c9_tilegrid_config_t cfg = {C9_SOURCE_BITMAP, &b, C9_SHADER_PALETTE, &p, 1, 1, 0, 0, 0, 0, 0};
    c9_tilegrid_t tg;
    assert_int_equal(c9_tilegrid_init(&tg, &cfg, NULL, NULL), C9_OK);
    assert_int_equal(c9_group_append(&g[DEEP - 1], &tg.layer), C9_OK);
    tg.drawn = (c9_rect_t){5, 6, 9, 10};
    g[DEEP / 2].stale[0] = (c9_rect_t){1, 1, 2, 2};
    g[DEEP / 2].stale_count = 1;
    assert_int_equal(c9_group_append(&holder, &g[0].layer), C9_OK);
    c9_layer_t *out;
    assert_int_equal(c9_group_remove_at(&holder, 0, &out), C9_OK);
    /* what the deepest grid and a group halfway down had drawn is now the holder's to repaint */
    assert_int_equal(holder.stale_count, 2);
    assert_true(tg.full_change && c9_rect_empty(&tg.drawn) && g[DEEP / 2].stale_count == 0);
    c9_display_t *d = calloc(1, sizeof(*d));
    rec_t r;
    setup_display(d, &r, 16, 0, true, false);
    assert_int_equal(c9_display_set_root_group(d, &g[0]), C9_OK);
    bool drawn;
    assert_int_equal(c9_display_refresh(d, 0, 0, &drawn), C9_OK);
    assert_int_equal(c9_display_set_rotation(d, 90), C9_OK);
    assert_int_equal(c9_display_set_root_group(d, NULL), C9_OK);
    /* bottom-up: each new top takes the chain so far */
    for (int i = DEEP - 1; i > 0; i--) {
        c9_layer_t *child;
        assert_int_equal(c9_group_remove_at(&g[i - 1], 0, &child), C9_OK);
    }
    for (int i = DEEP - 1; i > 0; i--) {
        assert_int_equal(c9_group_append(&g[i - 1], &g[i].layer), C9_OK);
    }
    assert_int_equal(c9_group_append(&g[DEEP / 2], &g[0].layer), C9_ERR_INVAL);
    for (int i = 0; i < DEEP; i++) {
        c9_group_release(&g[i]);
    }
    c9_tilegrid_release(&tg);
    c9_bitmap_release(&b);
    c9_palette_release(&p);
    free(r.ram);
    free(d);
    free(g);
}

/* Allocations the caller's allocator refuses: 65535 x 65535 tiles is 8 GB, more than a 32-bit
 * size_t counts. */
static void *refusing_alloc(void *ctx, size_t size) {
    (void)ctx;
    return size > (1u << 20) ? NULL : malloc(size);
}
static void refusing_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}
static void *refusing_realloc(void *ctx, void *p, size_t old, size_t size) {
    (void)ctx;
    (void)old;
    return size > (1u << 20) ? NULL : realloc(p, size);
}

static void test_tilegrid_too_large(void **state) {
    (void)state;
    c9_allocator_t a = {refusing_alloc, refusing_free, refusing_realloc, NULL};
    c9_bitmap_t b;
    c9_palette_t p;
    assert_int_equal(c9_bitmap_alloc(&b, 8, 8, 1, NULL), C9_OK);
    assert_int_equal(c9_palette_alloc(&p, 2, false, NULL), C9_OK);
    c9_tilegrid_config_t cfg = {C9_SOURCE_BITMAP, &b, C9_SHADER_PALETTE, &p, 65535, 65535, 1, 1, 1, 0, 0};
    c9_tilegrid_t tg;
    assert_int_equal(c9_tilegrid_init(&tg, &cfg, &a, NULL), C9_ERR_NOMEM);
    cfg.width = cfg.height = 16;
    assert_int_equal(c9_tilegrid_init(&tg, &cfg, &a, NULL), C9_OK);
    assert_int_equal(c9_tilegrid_resize(&tg, 65535, 65535, 0), C9_ERR_NOMEM);
    assert_int_equal(tg.width, 16); /* unchanged */
    c9_tilegrid_release(&tg);
    c9_bitmap_release(&b);
    c9_palette_release(&p);
}

static void test_group_rules(void **state) {
    (void)state;
    c9_group_t a, b, c;
    c9_group_init(&a, NULL);
    c9_group_init(&b, NULL);
    c9_group_init(&c, NULL);
    assert_int_equal(c9_group_append(&a, &b.layer), C9_OK);
    assert_int_equal(c9_group_append(&c, &b.layer), C9_ERR_EXIST);
    assert_int_equal(c9_group_append(&b, &a.layer), C9_ERR_INVAL); /* cycle */
    assert_int_equal(c9_group_append(&b, &b.layer), C9_ERR_EXIST); /* b is already in a */
    assert_int_equal(c9_group_index(&a, &b.layer), 0);
    c9_layer_t *out;
    assert_int_equal(c9_group_remove_at(&a, 1, &out), C9_ERR_RANGE);
    assert_int_equal(c9_group_remove_at(&a, 0, &out), C9_OK);
    assert_ptr_equal(out, &b.layer);
    assert_false(b.layer.in_group);
    c9_display_t *d = calloc(1, sizeof(*d));
    rec_t r;
    setup_display(d, &r, 16, 0, true, false);
    assert_int_equal(c9_display_set_root_group(d, &a), C9_OK);
    assert_int_equal(c9_group_append(&c, &a.layer), C9_ERR_EXIST); /* shown: counts as in a group */
    c9_group_append(&c, &b.layer);
    assert_int_equal(c9_display_set_root_group(d, &b), C9_ERR_EXIST);
    assert_int_equal(c9_display_set_root_group(d, NULL), C9_OK);
    assert_false(a.layer.in_group);
    c9_group_release(&a);
    c9_group_release(&b);
    c9_group_release(&c);
    free(r.ram);
    free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_scenes_all_rotations_depths),
        cmocka_unit_test(test_partial_update_bytes),
        cmocka_unit_test(test_group_rules),
        cmocka_unit_test(test_changes_during_a_refresh_go_to_the_next),
        cmocka_unit_test(test_deep_chains),
        cmocka_unit_test(test_tilegrid_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
