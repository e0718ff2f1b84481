/*
 * The display driver: configuration, rotation, change tracking, and sending composed areas as
 * CircuitPython's BusDisplay does (column window, row window, RAM write, pixel data), but
 * through a larger bounded buffer and with the changed areas cut into disjoint rectangles so
 * no pixel is sent twice.
 */
#include "display_internal.h"

#include <string.h>

const char *c9_display_strerror(c9_err_t err) {
    return c9_strerror(err);
}

void c9_display_config_defaults(c9_display_config_t *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->color_depth = 16;
    cfg->pixels_in_byte_share_row = true;
    cfg->bytes_per_cell = 1;
    cfg->reverse_bytes_in_word = true;
    cfg->set_column_command = 0x2A;
    cfg->set_row_command = 0x2B;
    cfg->write_ram_command = 0x2C;
    cfg->brightness_command = C9_NO_COMMAND;
    cfg->auto_refresh = true;
    cfg->native_frames_per_second = 60;
    cfg->brightness = 1.0f;
}

void c9__display_placement(const c9_display_t *d, placement_t *p) {
    p->ox = 0;
    p->oy = 0;
    p->scale = 1;
    p->rotation = d->rotation;
    p->nw = d->ram_width;
    p->nh = d->ram_height;
}

static uint64_t now_ms(const c9_display_t *d) {
    return d->cfg.clock.now_ms ? d->cfg.clock.now_ms(d->cfg.clock.ctx) : 0;
}

static c9_err_t bus_begin(const c9_display_bus_t *b) {
    return b->ops && b->ops->begin ? b->ops->begin(b->ctx) : C9_ERR_NOSYS;
}
static c9_err_t bus_send(const c9_display_bus_t *b, c9_byte_type_t t, c9_cs_mode_t cs, const uint8_t *data, size_t n) {
    return b->ops && b->ops->send ? b->ops->send(b->ctx, t, cs, data, n) : C9_ERR_NOSYS;
}
static void bus_end(const c9_display_bus_t *b) {
    if (b->ops && b->ops->end) {
        b->ops->end(b->ctx);
    }
}

c9_err_t c9_display_config_check(const c9_display_config_t *cfg, c9_display_fault_t *fault) {
    c9_display_fault_t f = {C9_DISPLAY_ARG_NONE, 0, 0, 0};
    c9_err_t err = C9_ERR_INVAL;
    uint8_t depth = cfg->color_depth;
    /* BusDisplay's order: the rotation, SH1107 addressing, the size, the depth, the brightness,
     * then the init sequence. */
    if (cfg->rotation % 90 != 0) {
        f.arg = C9_DISPLAY_ARG_ROTATION;
    } else if (cfg->sh1107_addressing && depth != 1) {
        f.arg = C9_DISPLAY_ARG_SH1107_ADDRESSING;
    } else if (cfg->width == 0) {
        f.arg = C9_DISPLAY_ARG_WIDTH;
    } else if (cfg->height == 0) {
        f.arg = C9_DISPLAY_ARG_HEIGHT;
    } else if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) {
        f.arg = C9_DISPLAY_ARG_COLOR_DEPTH;
    } else if (cfg->bytes_per_cell == 0) {
        f.arg = C9_DISPLAY_ARG_BYTES_PER_CELL;
    } else if (!(cfg->brightness >= 0.0f && cfg->brightness <= 1.0f)) {
        f.arg = C9_DISPLAY_ARG_BRIGHTNESS;
    } else if (cfg->init_sequence && (err = c9_initseq_validate(cfg->init_sequence, cfg->init_sequence_len, &f.seq_pos,
                                                                &f.seq_needed, &f.seq_available)) != C9_OK) {
        f.arg = C9_DISPLAY_ARG_INIT_SEQUENCE;
    } else {
        err = C9_OK;
    }
    if (fault) {
        *fault = f;
    }
    return err;
}

c9_err_t c9_display_init(c9_display_t *d, const c9_display_config_t *cfg) {
    c9_err_t err = c9_display_config_check(cfg, NULL);
    if (err != C9_OK) {
        return err;
    }
    memset(d, 0, sizeof(*d));
    d->cfg = *cfg;
    d->rotation = cfg->rotation % 360;
    d->width = cfg->width;
    d->height = cfg->height;
    bool transposed = d->rotation == 90 || d->rotation == 270;
    d->ram_width = transposed ? cfg->height : cfg->width;
    d->ram_height = transposed ? cfg->width : cfg->height;
    if (cfg->bus.ops && cfg->bus.ops->reset) {
        cfg->bus.ops->reset(cfg->bus.ctx); /* no reset pin is fine */
    }
    if (cfg->init_sequence) {
        c9_err_t err =
            c9_initseq_send(cfg->init_sequence, cfg->init_sequence_len, &cfg->bus, cfg->data_as_commands, &cfg->clock);
        if (err != C9_OK) {
            return err;
        }
    }
    d->brightness = cfg->brightness;
    c9_display_set_brightness(d, cfg->brightness); /* not adjustable is fine here */
    d->first_manual_refresh = !cfg->auto_refresh;
    d->full_refresh = true;
    return C9_OK;
}

void c9_display_release(c9_display_t *d) {
    c9_display_set_root_group(d, NULL);
}

c9_err_t c9_display_set_root_group(c9_display_t *d, c9_group_t *g) {
    if (g == d->root) {
        return C9_OK;
    }
    if (g && g->layer.in_group) {
        return C9_ERR_EXIST;
    }
    if (d->root) {
        c9_group_t scratch;
        c9_group_init(&scratch, NULL);
        c9__forget_drawn(&d->root->layer, &scratch); /* a later root starts from nothing drawn */
        d->root->layer.in_group = false;
    }
    if (g) {
        g->layer.in_group = true;
    }
    d->root = g;
    d->full_refresh = true;
    return C9_OK;
}

c9_err_t c9_display_set_rotation(c9_display_t *d, int rotation) {
    if (rotation % 90 != 0) {
        return C9_ERR_INVAL;
    }
    rotation %= 360;
    if (rotation < 0) {
        rotation += 360;
    }
    bool was = d->rotation == 90 || d->rotation == 270, will = rotation == 90 || rotation == 270;
    if (was != will) {
        uint16_t t = d->width;
        d->width = d->height;
        d->height = t;
    }
    d->rotation = (uint16_t)rotation;
    if (d->root) {
        c9_group_t scratch;
        c9_group_init(&scratch, NULL);
        c9__forget_drawn(&d->root->layer, &scratch);
    }
    d->full_refresh = true;
    return C9_OK;
}

c9_err_t c9_display_set_brightness(c9_display_t *d, float b) {
    if (!(b >= 0.0f && b <= 1.0f)) {
        return C9_ERR_RANGE;
    }
    if (d->cfg.backlight) {
        d->cfg.backlight(d->cfg.backlight_ctx, b);
    } else if (d->cfg.brightness_command != C9_NO_COMMAND) {
        c9_err_t err = bus_begin(&d->cfg.bus);
        if (err != C9_OK) {
            return err;
        }
        uint8_t level = (uint8_t)(255.0f * b);
        if (d->cfg.data_as_commands) {
            uint8_t cmd[2] = {(uint8_t)d->cfg.brightness_command, level};
            err = bus_send(&d->cfg.bus, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, cmd, 2);
        } else {
            uint8_t cmd = (uint8_t)d->cfg.brightness_command;
            err = bus_send(&d->cfg.bus, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, &cmd, 1);
            if (err == C9_OK) {
                err = bus_send(&d->cfg.bus, C9_DISPLAY_DATA, C9_CS_UNTOUCHED, &level, 1);
            }
        }
        bus_end(&d->cfg.bus);
        if (err != C9_OK) {
            return err;
        }
    } else {
        return C9_ERR_NOSYS;
    }
    d->brightness = b;
    return C9_OK;
}

void c9_display_set_auto_refresh(c9_display_t *d, bool on) {
    d->first_manual_refresh = !on;
    d->cfg.auto_refresh = on;
}

void c9_display_invalidate(c9_display_t *d) {
    d->full_refresh = true;
}

/* ---- dirty rectangles ------------------------------------------------------------------------- */

#define MAX_PIECES 64

static void add_rect(c9_display_t *d, const c9_rect_t *in) {
    c9_rect_t bounds = {0, 0, (int16_t)d->ram_width, (int16_t)d->ram_height}, r;
    if (!c9_rect_intersect(in, &bounds, &r)) {
        return;
    }
    /* Keep the list disjoint: add only the parts of r not already listed. */
    c9_rect_t pieces[MAX_PIECES], next[MAX_PIECES];
    int np = 1;
    pieces[0] = r;
    bool overflow = false;
    for (int i = 0; i < d->rect_count && np > 0 && !overflow; i++) {
        const c9_rect_t *e = &d->rects[i];
        int nn = 0;
        for (int k = 0; k < np && !overflow; k++) {
            c9_rect_t p = pieces[k], o;
            if (!c9_rect_intersect(&p, e, &o)) {
                next[nn++] = p;
                continue;
            }
            c9_rect_t parts[4] = {
                {p.x1, p.y1, p.x2, o.y1},
                {p.x1, o.y2, p.x2, p.y2},
                {p.x1, o.y1, o.x1, o.y2},
                {o.x2, o.y1, p.x2, o.y2},
            };
            for (int q = 0; q < 4; q++) {
                if (!c9_rect_empty(&parts[q])) {
                    if (nn == MAX_PIECES) {
                        overflow = true;
                        break;
                    }
                    next[nn++] = parts[q];
                }
            }
        }
        memcpy(pieces, next, sizeof(c9_rect_t) * (size_t)nn);
        np = nn;
    }
    if (overflow || d->rect_count + np > C9_DISPLAY_MAX_RECTS) {
        /* Too fragmented to track: fall back to one bounding box (correct, maybe wasteful). */
        c9_rect_t box = r;
        for (int i = 0; i < d->rect_count; i++) {
            c9_rect_union(&box, &d->rects[i], &box);
        }
        d->rects[0] = box;
        d->rect_count = 1;
        return;
    }
    for (int k = 0; k < np; k++) {
        d->rects[d->rect_count++] = pieces[k];
    }
}

/* Joins rectangles that share a full edge, so fewer windows are sent; the pixel set is kept. */
static void coalesce(c9_display_t *d) {
    bool merged = true;
    while (merged) {
        merged = false;
        for (int i = 0; i < d->rect_count && !merged; i++) {
            for (int j = i + 1; j < d->rect_count; j++) {
                c9_rect_t *a = &d->rects[i], *b = &d->rects[j];
                bool vertical = a->x1 == b->x1 && a->x2 == b->x2 && (a->y2 == b->y1 || b->y2 == a->y1);
                bool horizontal = a->y1 == b->y1 && a->y2 == b->y2 && (a->x2 == b->x1 || b->x2 == a->x1);
                if (vertical || horizontal) {
                    c9_rect_union(a, b, a);
                    d->rects[j] = d->rects[--d->rect_count];
                    merged = true;
                    break;
                }
            }
        }
    }
}

static bool cc_equal(const c9_colorconverter_t *a, const c9_colorconverter_t *b) {
    return a->input == b->input && a->dither == b->dither && a->has_transparent == b->has_transparent &&
           (!a->has_transparent || a->transparent_color == b->transparent_color);
}

static bool shader_changed(const c9_tilegrid_t *tg) {
    if (tg->shader_type == C9_SHADER_PALETTE) {
        return ((const c9_palette_t *)tg->shader)->dirty;
    }
    if (tg->shader_type == C9_SHADER_COLORCONVERTER) {
        return !cc_equal(&tg->cc_seen, tg->shader);
    }
    return false;
}

static c9_rect_t current_rect(c9_display_t *d, c9_tilegrid_t *tg, const placement_t *p, bool visible) {
    c9_rect_t bounds = {0, 0, (int16_t)d->ram_width, (int16_t)d->ram_height}, r = {0, 0, 0, 0};
    if (visible && tg->source && tg->tiles) {
        c9_rect_t fp = c9__tilegrid_physical_rect(tg, p);
        c9_rect_intersect(&fp, &bounds, &r);
    }
    return r;
}

static void add_cells(c9_display_t *d, c9_tilegrid_t *tg, const placement_t *p, const c9_rect_t *cells) {
    c9_rect_t content = rect_make((int64_t)cells->x1 * tg->tile_width, (int64_t)cells->y1 * tg->tile_height,
                                  (int64_t)cells->x2 * tg->tile_width, (int64_t)cells->y2 * tg->tile_height);
    c9_rect_t ph = c9__content_to_physical(tg, p, &content);
    add_rect(d, &ph);
}

static void collect_fn(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx) {
    c9_display_t *d = ctx;
    c9_rect_t cur = current_rect(d, tg, p, visible);
    if (d->full_refresh) {
        return;
    }
    if (tg->full_change || !rect_eq(&cur, &tg->drawn) || (visible && shader_changed(tg))) {
        add_rect(d, &tg->drawn);
        add_rect(d, &cur);
        return;
    }
    if (c9_rect_empty(&cur)) {
        return;
    }
    bool scrolled = tg->top_left_x || tg->top_left_y;
    if (tg->tiles_dirty_count) {
        if (scrolled) {
            add_rect(d, &cur);
            return;
        }
        for (int i = 0; i < tg->tiles_dirty_count; i++) {
            add_cells(d, tg, p, &tg->tiles_dirty[i]);
        }
    }
    if (tg->source_type != C9_SOURCE_BITMAP) {
        return;
    }
    const c9_bitmap_t *b = tg->source;
    if (c9_rect_empty(&b->dirty)) {
        return;
    }
    if (scrolled || (uint32_t)tg->width * tg->height > 4096) {
        add_rect(d, &cur);
        return;
    }
    /* Each cell showing a part of the changed bitmap area repaints that part. */
    for (uint16_t gy = 0; gy < tg->height; gy++) {
        for (uint16_t gx = 0; gx < tg->width; gx++) {
            uint32_t t = tg->tiles[(size_t)gy * tg->width + gx];
            int32_t sx = (int32_t)(t % tg->bitmap_width_in_tiles) * tg->tile_width;
            int32_t sy = (int32_t)(t / tg->bitmap_width_in_tiles) * tg->tile_height;
            c9_rect_t src = rect_make(sx, sy, sx + tg->tile_width, sy + tg->tile_height), hit;
            if (!c9_rect_intersect(&src, &b->dirty, &hit)) {
                continue;
            }
            int64_t ox = (int64_t)gx * tg->tile_width - sx, oy = (int64_t)gy * tg->tile_height - sy;
            c9_rect_t content = rect_make(hit.x1 + ox, hit.y1 + oy, hit.x2 + ox, hit.y2 + oy);
            c9_rect_t ph = c9__content_to_physical(tg, p, &content);
            add_rect(d, &ph);
        }
    }
}

static void collect_stale(c9_display_t *d, c9_group_t *g, bool clear, int depth) {
    if (depth > C9_DISPLAY_MAX_DEPTH) {
        return;
    }
    for (uint32_t i = 0; i < g->stale_count; i++) {
        if (!clear) {
            add_rect(d, &g->stale[i]);
        }
    }
    if (clear) {
        g->stale_count = 0;
    }
    for (uint32_t i = 0; i < g->count; i++) {
        if (g->items[i]->type == C9_LAYER_GROUP) {
            collect_stale(d, (c9_group_t *)g->items[i], clear, depth + 1);
        }
    }
}

static void finish_fn(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx) {
    c9_display_t *d = ctx;
    tg->drawn = current_rect(d, tg, p, visible);
    tg->full_change = false;
    tg->tiles_dirty_count = 0;
    if (tg->shader_type == C9_SHADER_COLORCONVERTER) {
        tg->cc_seen = *(const c9_colorconverter_t *)tg->shader;
    }
}

static void finish_clear_fn(c9_tilegrid_t *tg, const placement_t *p, bool visible, void *ctx) {
    (void)p;
    (void)ctx;
    /* Cleared after every grid's areas were collected, since grids can share a bitmap. */
    /* Only when dirty: a constant bitmap (the built-in font) lives in read-only memory. */
    if (tg->source_type == C9_SOURCE_BITMAP && tg->source && !c9_rect_empty(&((c9_bitmap_t *)tg->source)->dirty)) {
        c9_bitmap_clear_dirty(tg->source);
    }
    if (visible && tg->shader_type == C9_SHADER_PALETTE) {
        ((c9_palette_t *)tg->shader)->dirty = false;
    }
}

/* Vector shapes: any change repaints the old and the new footprint (drawn and current). */
static c9_rect_t shape_current_rect(c9_display_t *d, c9_vectorshape_t *s, const placement_t *p, bool visible) {
    c9_rect_t bounds = {0, 0, (int16_t)d->ram_width, (int16_t)d->ram_height}, r = {0, 0, 0, 0};
    if (visible) {
        c9_rect_t fp = c9__shape_physical_rect(s, p);
        c9_rect_intersect(&fp, &bounds, &r);
    }
    return r;
}

static void shape_collect_fn(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx) {
    c9_display_t *d = ctx;
    c9_rect_t cur = shape_current_rect(d, s, p, visible);
    if (d->full_refresh) {
        return;
    }
    bool shader = false;
    if (visible && s->shader_type == C9_SHADER_PALETTE) {
        shader = ((const c9_palette_t *)s->shader)->dirty;
    } else if (visible && s->shader_type == C9_SHADER_COLORCONVERTER) {
        shader = !cc_equal(&s->cc_seen, s->shader);
    }
    if (s->full_change || !rect_eq(&cur, &s->drawn) || shader) {
        add_rect(d, &s->drawn);
        add_rect(d, &cur);
    }
}

static void shape_finish_fn(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx) {
    c9_display_t *d = ctx;
    s->drawn = shape_current_rect(d, s, p, visible);
    s->full_change = false;
    if (s->shader_type == C9_SHADER_COLORCONVERTER) {
        s->cc_seen = *(const c9_colorconverter_t *)s->shader;
    }
}

static void shape_finish_clear_fn(c9_vectorshape_t *s, const placement_t *p, bool visible, void *ctx) {
    (void)p;
    (void)ctx;
    if (visible && s->shader_type == C9_SHADER_PALETTE) {
        ((c9_palette_t *)s->shader)->dirty = false;
    }
}

/* ---- sending ---------------------------------------------------------------------------------- */

static c9_err_t set_region(c9_display_t *d, const c9_rect_t *r) {
    const c9_display_config_t *c = &d->cfg;
    int32_t x1 = r->x1 + c->colstart, x2 = r->x2 + c->colstart;
    int32_t y1 = r->y1 + c->rowstart, y2 = r->y2 + c->rowstart;
    if (c->color_depth < 8) {
        int ppb = 8 / c->color_depth;
        if (c->pixels_in_byte_share_row) {
            x1 /= ppb * c->bytes_per_cell;
            x2 /= ppb * c->bytes_per_cell;
        } else {
            y1 /= ppb;
            y2 /= ppb;
        }
    }
    x2 -= 1;
    y2 -= 1;
    c9_cs_mode_t cs = c->data_as_commands ? C9_CS_TOGGLE_EVERY_BYTE : C9_CS_UNTOUCHED;
    c9_byte_type_t type = c->data_as_commands ? C9_DISPLAY_COMMAND : C9_DISPLAY_DATA;
    uint8_t data[5];
    size_t n;
    c9_err_t err;
    for (int pass = 0; pass < 2; pass++) {
        uint16_t cmd = pass == 0 ? c->set_column_command : c->set_row_command;
        int32_t a = pass == 0 ? x1 : y1, b = pass == 0 ? x2 : y2;
        if ((err = bus_begin(&c->bus)) != C9_OK) {
            return err;
        }
        n = 0;
        if (c->data_as_commands) {
            data[n++] = (uint8_t)cmd;
        } else if ((err = bus_send(&c->bus, C9_DISPLAY_COMMAND, C9_CS_UNTOUCHED, (const uint8_t[]){(uint8_t)cmd}, 1)) !=
                   C9_OK) {
            bus_end(&c->bus);
            return err;
        }
        if (c->single_byte_bounds) {
            data[n++] = (uint8_t)a;
            data[n++] = (uint8_t)b;
        } else {
            data[n++] = (uint8_t)(a >> 8);
            data[n++] = (uint8_t)a;
            data[n++] = (uint8_t)(b >> 8);
            data[n++] = (uint8_t)b;
        }
        if (c->sh1107_addressing) {
            /* SH1107 takes a column start (upper/lower nibble commands) and a page, not windows. */
            if (pass == 0) {
                data[0] = (uint8_t)(0x10 | ((a >> 4) & 0x0F));
                data[1] = (uint8_t)(a & 0x0F);
                n = 2;
            } else {
                data[0] = (uint8_t)(0xB0 | a);
                n = 1;
            }
        }
        err = bus_send(&c->bus, type, cs, data, n);
        bus_end(&c->bus);
        if (err != C9_OK) {
            return err;
        }
    }
    return C9_OK;
}

static size_t pack(c9_display_t *d, const c9_rect_t *r) {
    const c9_display_config_t *c = &d->cfg;
    const uint8_t *pix = (const uint8_t *)d->buffer;
    int depth = c->color_depth, ppb = 8 / depth, w = r->x2 - r->x1, h = r->y2 - r->y1;
    size_t bytes = (size_t)w * h / (size_t)ppb;
    memset(d->packed, 0, bytes);
    for (int row = 0; row < h; row++) {
        for (int col = 0; col < w; col++) {
            uint32_t v = pix[row * w + col];
            int off = c->pixels_in_byte_share_row ? row * w + col : col * ppb + (row / ppb) * ppb * w + row % ppb;
            int shift = (off % ppb) * depth;
            if (c->reverse_pixels_in_byte) {
                shift = (ppb - 1) * depth - shift;
            }
            d->packed[off / ppb] |= (uint8_t)(v << shift);
        }
    }
    return bytes;
}

static c9_err_t send_chunk(c9_display_t *d, const c9_rect_t *r) {
    const c9_display_config_t *c = &d->cfg;
    c9_display_compose(d, r, d->buffer);
    const uint8_t *bytes;
    size_t len;
    if (c->color_depth < 8) {
        len = pack(d, r);
        bytes = d->packed;
    } else {
        len = (size_t)rect_area(r) * (c->color_depth / 8);
        bytes = (const uint8_t *)d->buffer;
    }
    c9_err_t err = set_region(d, r);
    if (err != C9_OK) {
        return err;
    }
    if ((err = bus_begin(&c->bus)) != C9_OK) {
        return err;
    }
    if (!c->data_as_commands && c->write_ram_command != C9_NO_COMMAND) {
        uint8_t cmd = (uint8_t)c->write_ram_command;
        err = bus_send(&c->bus, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, &cmd, 1);
    }
    if (err == C9_OK) {
        err = bus_send(&c->bus, C9_DISPLAY_DATA, C9_CS_UNTOUCHED, bytes, len);
    }
    bus_end(&c->bus);
    d->stats.pixel_bytes += len;
    d->stats.last_pixel_bytes += len;
    d->stats.areas++;
    return err;
}

#define BUFFER_PIXELS (C9_DISPLAY_BUFFER_BYTES / 2)

static c9_err_t send_area(c9_display_t *d, const c9_rect_t *in) {
    const c9_display_config_t *c = &d->cfg;
    c9_rect_t r = *in;
    int ppb = c->color_depth < 8 ? 8 / c->color_depth : 1;
    bool vertical = c->color_depth < 8 && !c->pixels_in_byte_share_row;
    if (c->color_depth < 8) {
        /* Pixels sharing a byte go out together: widen to byte boundaries. */
        int align = vertical ? ppb : ppb * c->bytes_per_cell;
        int16_t *lo = vertical ? &r.y1 : &r.x1, *hi = vertical ? &r.y2 : &r.x2;
        *lo = (int16_t)(*lo - *lo % align);
        if (*hi % align) {
            *hi = (int16_t)(*hi + align - *hi % align);
        }
    }
    int w = r.x2 - r.x1;
    int rows, cols = w;
    if (c->sh1107_addressing) {
        rows = 8; /* one page per window */
        cols = C9_MIN(w, BUFFER_PIXELS / 8);
    } else if (vertical) {
        rows = (BUFFER_PIXELS / w) / ppb * ppb;
        if (rows < ppb) {
            rows = ppb;
            cols = BUFFER_PIXELS / ppb;
        }
    } else {
        rows = BUFFER_PIXELS / w;
        if (rows == 0) {
            rows = 1;
            cols = BUFFER_PIXELS / (ppb * c->bytes_per_cell) * (ppb * c->bytes_per_cell);
        }
    }
    for (int y = r.y1; y < r.y2; y += rows) {
        for (int x = r.x1; x < r.x2; x += cols) {
            c9_rect_t chunk = {(int16_t)x, (int16_t)y, (int16_t)C9_MIN(x + cols, r.x2),
                               (int16_t)C9_MIN(y + rows, r.y2)};
            c9_err_t err = send_chunk(d, &chunk);
            if (err != C9_OK) {
                return err;
            }
        }
    }
    return C9_OK;
}

static c9_err_t refresh_now(c9_display_t *d) {
    placement_t base;
    c9__display_placement(d, &base);
    d->lut_count = 0;
    d->rect_count = 0;
    d->last_refresh = now_ms(d);
    /* A refresh takes the changes made before it and marks them drawn before it sends anything:
     * a change made while it runs (by code an on-disk bitmap's read callback runs, which may hide,
     * move or drop layers or turn the display) is left for the next refresh. */
    bool full = d->full_refresh;
    d->full_refresh = false;
    if (full) {
        c9_rect_t all = {0, 0, (int16_t)d->ram_width, (int16_t)d->ram_height};
        add_rect(d, &all);
    } else if (d->root) {
        c9__walk_layers(d->root, &base, collect_fn, shape_collect_fn, d);
        collect_stale(d, d->root, false, 0);
    }
    if (d->root) {
        c9__walk_layers(d->root, &base, finish_fn, shape_finish_fn, d);
        c9__walk_layers(d->root, &base, finish_clear_fn, shape_finish_clear_fn, d);
        collect_stale(d, d->root, true, 0);
    }
    uint64_t union_px = 0;
    for (int i = 0; i < d->rect_count; i++) {
        union_px += (uint64_t)rect_area(&d->rects[i]);
    }
    coalesce(d);
    d->stats.union_pixels = union_px;
    d->stats.last_pixel_bytes = 0;
    c9_err_t err = C9_OK;
    for (int i = 0; i < d->rect_count && err == C9_OK; i++) {
        err = send_area(d, &d->rects[i]);
    }
    if (err != C9_OK) {
        /* Some areas were not sent (bus busy or failing): nothing of this refresh is lost. */
        d->full_refresh = true;
    }
    d->stats.refreshes++;
    return err;
}

c9_err_t c9_display_refresh(c9_display_t *d, uint32_t target_fps, uint32_t min_fps, bool *drawn) {
    if (drawn) {
        *drawn = false;
    }
    if (!d->cfg.auto_refresh && !d->first_manual_refresh && target_fps != 0) {
        uint32_t frame_ms = 1000u / target_fps;
        uint32_t max_ms = min_fps ? 1000u / min_fps : UINT32_MAX;
        uint64_t now = now_ms(d);
        uint64_t since_real = now - d->last_refresh;
        if (since_real > max_ms) {
            return C9_ERR_DISPLAY_FPS;
        }
        uint64_t since_call = now - d->last_refresh_call;
        d->last_refresh_call = now;
        if (since_call > frame_ms) {
            return C9_OK; /* late: skip this frame so the caller catches up */
        }
        uint64_t remaining = frame_ms ? frame_ms - (since_real % frame_ms) : 0;
        uint64_t waited = now_ms(d) - d->last_refresh_call;
        if (waited < remaining && d->cfg.clock.delay_ms) {
            d->cfg.clock.delay_ms(d->cfg.clock.ctx, (uint32_t)(remaining - waited));
        }
    }
    d->first_manual_refresh = false;
    c9_err_t err = refresh_now(d);
    if (err == C9_OK && drawn) {
        *drawn = true;
    }
    return err;
}

c9_err_t c9_display_background(c9_display_t *d) {
    if (!d->cfg.auto_refresh) {
        return C9_OK;
    }
    uint32_t period = d->cfg.native_frames_per_second ? 1000u / d->cfg.native_frames_per_second : 0;
    if (d->stats.refreshes && now_ms(d) - d->last_refresh < period) {
        return C9_OK;
    }
    return refresh_now(d);
}

c9_err_t c9_display_fill_row(c9_display_t *d, int y, uint16_t *buf, size_t len) {
    if (d->cfg.color_depth != 16) {
        return C9_ERR_NOTSUP;
    }
    /* As CircuitPython does: the row of the panel's own (unrotated) RAM, display width wide. */
    int w = C9_MIN(d->width, d->ram_width);
    if (len < (size_t)d->width) {
        return C9_ERR_NOMEM;
    }
    if (y < 0 || y >= d->ram_height) {
        return C9_ERR_RANGE;
    }
    memset(buf, 0, (size_t)d->width * 2);
    c9_rect_t r = {0, (int16_t)y, (int16_t)w, (int16_t)(y + 1)};
    d->lut_count = 0;
    c9_display_compose(d, &r, buf);
    return C9_OK;
}
