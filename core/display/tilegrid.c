/* TileGrid: a grid of cells, each showing one tile of a source bitmap through a shader. */
#include "display_internal.h"

#include <string.h>

void c9_tilegrid_source_size(c9_source_type_t type, const void *source, uint16_t *w, uint16_t *h) {
    if (type == C9_SOURCE_ONDISK) {
        const c9_ondiskbitmap_t *o = source;
        *w = o->info.width;
        *h = o->info.height;
    } else {
        const c9_bitmap_t *b = source;
        *w = b->width;
        *h = b->height;
    }
}

c9_err_t c9_tilegrid_init(c9_tilegrid_t *tg, const c9_tilegrid_config_t *cfg, const c9_allocator_t *a, char *bad_dim) {
    if (!cfg->source || cfg->width == 0 || cfg->height == 0) {
        return C9_ERR_INVAL;
    }
    uint16_t bw, bh;
    c9_tilegrid_source_size(cfg->source_type, cfg->source, &bw, &bh);
    uint16_t tw = cfg->tile_width ? cfg->tile_width : bw;
    uint16_t th = cfg->tile_height ? cfg->tile_height : bh;
    if (tw == 0 || bw % tw != 0) {
        if (bad_dim) {
            *bad_dim = 'w';
        }
        return C9_ERR_INVAL;
    }
    if (th == 0 || bh % th != 0) {
        if (bad_dim) {
            *bad_dim = 'h';
        }
        return C9_ERR_INVAL;
    }
    memset(tg, 0, sizeof(*tg));
    tg->allocator = a ? a : c9_allocator_default();
    /* 65535 x 65535 cells are 8 GB: more than a 32-bit size_t holds. */
    uint64_t cells = (uint64_t)cfg->width * cfg->height;
    if (cells > SIZE_MAX / sizeof(uint16_t)) {
        return C9_ERR_NOMEM;
    }
    size_t n = (size_t)cells;
    tg->tiles = c9_alloc(tg->allocator, n * sizeof(uint16_t));
    if (!tg->tiles) {
        return C9_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        tg->tiles[i] = cfg->default_tile;
    }
    tg->layer.type = C9_LAYER_TILEGRID;
    tg->source_type = cfg->source_type;
    tg->source = cfg->source;
    tg->shader_type = cfg->shader_type;
    tg->shader = cfg->shader;
    tg->width = cfg->width;
    tg->height = cfg->height;
    tg->tile_width = tw;
    tg->tile_height = th;
    tg->bitmap_width_in_tiles = (uint16_t)(bw / tw);
    tg->tiles_in_bitmap = (uint32_t)(bw / tw) * (bh / th);
    tg->x = cfg->x;
    tg->y = cfg->y;
    tg->full_change = true;
    return C9_OK;
}

void c9_tilegrid_release(c9_tilegrid_t *tg) {
    if (tg->tiles) {
        c9_free(tg->allocator, tg->tiles, (size_t)tg->width * tg->height * sizeof(uint16_t));
    }
    tg->tiles = NULL;
}

uint16_t c9_tilegrid_get_tile(const c9_tilegrid_t *tg, uint16_t x, uint16_t y) {
    if (x >= tg->width || y >= tg->height) {
        return 0;
    }
    return tg->tiles[(size_t)y * tg->width + x];
}

c9_err_t c9_tilegrid_set_tile(c9_tilegrid_t *tg, uint16_t x, uint16_t y, uint16_t tile) {
    /* A tile past the bitmap is allowed and draws value 0, as CircuitPython's get_pixel gives. */
    if (x >= tg->width || y >= tg->height) {
        return C9_ERR_RANGE;
    }
    uint16_t *t = &tg->tiles[(size_t)y * tg->width + x];
    if (*t == tile) {
        return C9_OK;
    }
    *t = tile;
    c9_rect_t cell = {(int16_t)x, (int16_t)y, (int16_t)(x + 1), (int16_t)(y + 1)};
    /* Join an area that touches or overlaps the cell; else start a new one; when full, grow the one
     * that grows least. */
    int best = -1;
    int32_t best_growth = INT32_MAX;
    for (int i = 0; i < tg->tiles_dirty_count; i++) {
        c9_rect_t u, grown = {(int16_t)(tg->tiles_dirty[i].x1 - 1), (int16_t)(tg->tiles_dirty[i].y1 - 1),
                              (int16_t)(tg->tiles_dirty[i].x2 + 1), (int16_t)(tg->tiles_dirty[i].y2 + 1)};
        c9_rect_union(&tg->tiles_dirty[i], &cell, &u);
        int32_t growth = rect_area(&u) - rect_area(&tg->tiles_dirty[i]);
        c9_rect_t ov;
        if (c9_rect_intersect(&grown, &cell, &ov)) {
            growth = -1;
        }
        if (growth < best_growth) {
            best_growth = growth;
            best = i;
        }
    }
    if (best >= 0 && (best_growth < 0 || tg->tiles_dirty_count == C9_TILEGRID_DIRTY_RECTS)) {
        c9_rect_union(&tg->tiles_dirty[best], &cell, &tg->tiles_dirty[best]);
    } else {
        tg->tiles_dirty[tg->tiles_dirty_count++] = cell;
    }
    return C9_OK;
}

void c9_tilegrid_set_position(c9_tilegrid_t *tg, int16_t x, int16_t y) {
    if (tg->x != x || tg->y != y) {
        tg->x = x;
        tg->y = y;
        tg->full_change = true;
    }
}

void c9_tilegrid_set_hidden(c9_tilegrid_t *tg, bool hidden) {
    if (tg->hidden != hidden) {
        tg->hidden = hidden;
        tg->full_change = true;
    }
}

void c9_tilegrid_set_flip(c9_tilegrid_t *tg, bool flip_x, bool flip_y, bool transpose_xy) {
    if (tg->flip_x != flip_x || tg->flip_y != flip_y || tg->transpose_xy != transpose_xy) {
        tg->flip_x = flip_x;
        tg->flip_y = flip_y;
        tg->transpose_xy = transpose_xy;
        tg->full_change = true;
    }
}

void c9_tilegrid_set_shader(c9_tilegrid_t *tg, c9_shader_type_t type, void *shader) {
    tg->shader_type = type;
    tg->shader = shader;
    tg->full_change = true;
}

c9_err_t c9_tilegrid_set_source(c9_tilegrid_t *tg, c9_source_type_t type, void *source) {
    uint16_t ow, oh, nw, nh;
    c9_tilegrid_source_size(tg->source_type, tg->source, &ow, &oh);
    c9_tilegrid_source_size(type, source, &nw, &nh);
    if (ow != nw || oh != nh) {
        return C9_ERR_INVAL;
    }
    tg->source_type = type;
    tg->source = source;
    tg->full_change = true;
    return C9_OK;
}

void c9_tilegrid_set_top_left(c9_tilegrid_t *tg, uint16_t x, uint16_t y) {
    tg->top_left_x = (uint16_t)(x % tg->width);
    tg->top_left_y = (uint16_t)(y % tg->height);
    tg->full_change = true;
}

c9_err_t c9_tilegrid_resize(c9_tilegrid_t *tg, uint16_t width, uint16_t height, uint16_t fill) {
    if (width == 0 || height == 0) {
        return C9_ERR_INVAL;
    }
    if ((uint64_t)width * height > SIZE_MAX / sizeof(uint16_t)) {
        return C9_ERR_NOMEM;
    }
    size_t n = (size_t)width * height;
    uint16_t *tiles = c9_alloc(tg->allocator, n * sizeof(uint16_t));
    if (!tiles) {
        return C9_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        tiles[i] = fill;
    }
    c9_tilegrid_release(tg);
    tg->tiles = tiles;
    tg->width = width;
    tg->height = height;
    tg->top_left_x = tg->top_left_y = 0;
    tg->tiles_dirty_count = 0;
    /* `drawn` still holds the old area, so the refresh repaints it together with the new one. */
    tg->full_change = true;
    return C9_OK;
}

void c9_tilegrid_pixel_size(const c9_tilegrid_t *tg, uint16_t *w, uint16_t *h) {
    uint32_t pw = (uint32_t)tg->width * tg->tile_width, ph = (uint32_t)tg->height * tg->tile_height;
    pw = C9_MIN(pw, 65535u);
    ph = C9_MIN(ph, 65535u);
    if (tg->transpose_xy) {
        *w = (uint16_t)ph;
        *h = (uint16_t)pw;
    } else {
        *w = (uint16_t)pw;
        *h = (uint16_t)ph;
    }
}

bool c9_tilegrid_contains(const c9_tilegrid_t *tg, int32_t x, int32_t y) {
    uint16_t w, h;
    c9_tilegrid_pixel_size(tg, &w, &h);
    return x >= tg->x && y >= tg->y && x < (int32_t)tg->x + w && y < (int32_t)tg->y + h;
}

/* Logical rectangle -> physical, for the display rotation. */
static c9_rect_t logical_to_physical(const placement_t *p, int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
    switch (p->rotation) {
    case 90: return rect_make(p->nw - y2, x1, p->nw - y1, x2);
    case 180: return rect_make(p->nw - x2, p->nh - y2, p->nw - x1, p->nh - y1);
    case 270: return rect_make(y1, p->nh - x2, y2, p->nh - x1);
    default: return rect_make(x1, y1, x2, y2);
    }
}

c9_rect_t c9__tilegrid_physical_rect(const c9_tilegrid_t *tg, const placement_t *p) {
    uint16_t w, h;
    c9_tilegrid_pixel_size(tg, &w, &h);
    return logical_to_physical(p, p->ox, p->oy, p->ox + (int64_t)w * p->scale, p->oy + (int64_t)h * p->scale);
}

c9_rect_t c9__content_to_physical(const c9_tilegrid_t *tg, const placement_t *p, const c9_rect_t *c) {
    int64_t pw = (int64_t)tg->width * tg->tile_width, ph = (int64_t)tg->height * tg->tile_height;
    int64_t a1 = c->x1, a2 = c->x2, b1 = c->y1, b2 = c->y2;
    if (tg->flip_x) {
        a1 = pw - c->x2;
        a2 = pw - c->x1;
    }
    if (tg->flip_y) {
        b1 = ph - c->y2;
        b2 = ph - c->y1;
    }
    int64_t sx1 = a1, sx2 = a2, sy1 = b1, sy2 = b2;
    if (tg->transpose_xy) {
        sx1 = b1;
        sx2 = b2;
        sy1 = a1;
        sy2 = a2;
    }
    return logical_to_physical(p, p->ox + sx1 * p->scale, p->oy + sy1 * p->scale, p->ox + sx2 * p->scale,
                               p->oy + sy2 * p->scale);
}
