/* Group: an ordered list of layers with a position, an integer scale and a hidden flag. */
#include "display_internal.h"

#include <string.h>

c9_err_t c9_group_init(c9_group_t *g, const c9_allocator_t *a) {
    memset(g, 0, sizeof(*g));
    g->layer.type = C9_LAYER_GROUP;
    g->scale = 1;
    g->allocator = a ? a : c9_allocator_default();
    return C9_OK;
}

static void detach(c9_layer_t *l) {
    l->in_group = false;
    l->parent = NULL;
}

void c9_group_release(c9_group_t *g) {
    for (uint32_t i = 0; i < g->count; i++) {
        detach(g->items[i]);
    }
    if (g->items) {
        c9_free(g->allocator, g->items, g->capacity * sizeof(*g->items));
    }
    g->items = NULL;
    g->count = g->capacity = 0;
}

/* Depth-first iteration over a subtree without recursion or memory: each group's walk_next says
 * which of its items comes next, and the walk climbs back through parent pointers. Nothing may
 * change the tree while one runs (no callbacks happen inside). */
typedef struct subtree_iter {
    c9_layer_t *root, *cur;
} subtree_iter_t;

static void iter_start(subtree_iter_t *it, c9_layer_t *root) {
    it->root = root;
    it->cur = NULL;
}

static c9_layer_t *iter_next(subtree_iter_t *it) {
    c9_layer_t *node = it->cur;
    if (!node) {
        node = it->root;
    } else {
        for (;;) {
            if (node->type == C9_LAYER_GROUP) {
                c9_group_t *g = (c9_group_t *)node;
                if (g->walk_next < g->count) {
                    node = g->items[g->walk_next++];
                    break;
                }
            }
            if (node == it->root || !node->parent) {
                return NULL;
            }
            node = &node->parent->layer;
        }
    }
    if (node->type == C9_LAYER_GROUP) {
        ((c9_group_t *)node)->walk_next = 0;
    }
    it->cur = node;
    return node;
}

/* Whether candidate is g or one of its ancestors, i.e. whether g is in candidate's subtree. Climbs
 * from g and walks candidate's subtree in step, so the cost is the smaller of the two. */
static bool is_ancestor_or_self(c9_layer_t *candidate, const c9_group_t *g) {
    if (candidate == &g->layer) {
        return true;
    }
    if (candidate->type != C9_LAYER_GROUP || ((const c9_group_t *)candidate)->count == 0) {
        return false; /* only a group with items has descendants */
    }
    subtree_iter_t it;
    iter_start(&it, candidate);
    iter_next(&it); /* the candidate itself */
    for (const c9_group_t *up = g->layer.parent;; up = up->layer.parent) {
        if (!up) {
            return false;
        }
        if (&up->layer == candidate) {
            return true;
        }
        c9_layer_t *down = iter_next(&it);
        if (!down) {
            return false;
        }
        if (down == &g->layer) {
            return true;
        }
    }
}

static c9_err_t grow(c9_group_t *g) {
    if (g->count < g->capacity) {
        return C9_OK;
    }
    uint32_t cap = g->capacity ? g->capacity * 2 : 4;
    c9_layer_t **items = c9_realloc(g->allocator, g->items, g->capacity * sizeof(*items), cap * sizeof(*items));
    if (!items) {
        return C9_ERR_NOMEM;
    }
    g->items = items;
    g->capacity = cap;
    return C9_OK;
}

c9_err_t c9_group_insert(c9_group_t *g, uint32_t index, c9_layer_t *layer) {
    if (g->read_only) {
        return C9_ERR_PERM;
    }
    if (layer->in_group) {
        return C9_ERR_EXIST;
    }
    if (is_ancestor_or_self(layer, g)) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = grow(g);
    if (err != C9_OK) {
        return err;
    }
    if (index > g->count) {
        index = g->count;
    }
    memmove(&g->items[index + 1], &g->items[index], (g->count - index) * sizeof(*g->items));
    g->items[index] = layer;
    g->count++;
    layer->in_group = true;
    layer->parent = g;
    return C9_OK;
}

c9_err_t c9_group_append(c9_group_t *g, c9_layer_t *layer) {
    return c9_group_insert(g, g->count, layer);
}

c9_err_t c9_group_remove_at(c9_group_t *g, uint32_t index, c9_layer_t **out) {
    if (g->read_only) {
        return C9_ERR_PERM;
    }
    if (index >= g->count) {
        return C9_ERR_RANGE;
    }
    c9_layer_t *l = g->items[index];
    memmove(&g->items[index], &g->items[index + 1], (g->count - index - 1) * sizeof(*g->items));
    g->count--;
    c9__forget_drawn(l, g);
    detach(l);
    if (out) {
        *out = l;
    }
    return C9_OK;
}

c9_err_t c9_group_set(c9_group_t *g, uint32_t index, c9_layer_t *layer) {
    if (g->read_only) {
        return C9_ERR_PERM;
    }
    if (index >= g->count) {
        return C9_ERR_RANGE;
    }
    if (g->items[index] == layer) {
        return C9_OK;
    }
    if (layer->in_group) {
        return C9_ERR_EXIST;
    }
    if (is_ancestor_or_self(layer, g)) {
        return C9_ERR_INVAL;
    }
    c9_layer_t *old = g->items[index];
    c9__forget_drawn(old, g);
    detach(old);
    g->items[index] = layer;
    layer->in_group = true;
    layer->parent = g;
    return C9_OK;
}

int32_t c9_group_index(const c9_group_t *g, const c9_layer_t *layer) {
    for (uint32_t i = 0; i < g->count; i++) {
        if (g->items[i] == layer) {
            return (int32_t)i;
        }
    }
    return -1;
}

c9_err_t c9_group_reorder(c9_group_t *g, c9_layer_t *const *order, uint32_t count) {
    if (g->read_only) {
        return C9_ERR_PERM;
    }
    if (count != g->count) {
        return C9_ERR_INVAL;
    }
    for (uint32_t i = 0; i < count; i++) {
        if (order[i]->parent != g) {
            return C9_ERR_INVAL;
        }
    }
    /* Stacking order changed: everything in the group must be repainted where it overlaps. */
    for (uint32_t i = 0; i < count; i++) {
        c9__forget_drawn(g->items[i], g);
    }
    if (count) { /* an empty group may have no item array at all */
        memcpy(g->items, order, count * sizeof(*order));
    }
    return C9_OK;
}

void c9__group_add_stale(c9_group_t *g, const c9_rect_t *r) {
    if (c9_rect_empty(r)) {
        return;
    }
    if (g->stale_count < C9_GROUP_STALE_RECTS) {
        g->stale[g->stale_count++] = *r;
        return;
    }
    /* Full: fold into the entry whose bounding box grows least. */
    int best = 0;
    int32_t best_growth = INT32_MAX;
    for (int i = 0; i < C9_GROUP_STALE_RECTS; i++) {
        c9_rect_t u;
        c9_rect_union(&g->stale[i], r, &u);
        int32_t growth = rect_area(&u) - rect_area(&g->stale[i]);
        if (growth < best_growth) {
            best_growth = growth;
            best = i;
        }
    }
    c9_rect_union(&g->stale[best], r, &g->stale[best]);
}

void c9__forget_drawn(c9_layer_t *layer, c9_group_t *into) {
    subtree_iter_t it;
    iter_start(&it, layer);
    for (c9_layer_t *l; (l = iter_next(&it)) != NULL;) {
        if (l->type == C9_LAYER_TILEGRID) {
            c9_tilegrid_t *tg = (c9_tilegrid_t *)l;
            c9__group_add_stale(into, &tg->drawn);
            tg->drawn = (c9_rect_t){0, 0, 0, 0};
            tg->full_change = true;
        } else if (l->type == C9_LAYER_VECTORSHAPE) {
            c9_vectorshape_t *s = (c9_vectorshape_t *)l;
            c9__group_add_stale(into, &s->drawn);
            s->drawn = (c9_rect_t){0, 0, 0, 0};
            s->full_change = true;
        } else if (l->type == C9_LAYER_GROUP) {
            c9_group_t *g = (c9_group_t *)l;
            for (uint32_t i = 0; i < g->stale_count; i++) {
                c9__group_add_stale(into, &g->stale[i]);
            }
            g->stale_count = 0;
        }
    }
}

static void walk(c9_group_t *g, placement_t p, bool visible, tilegrid_fn fn, shape_fn sfn, void *ctx, int depth) {
    /* Recursion bounds the stack: deeper layers are not drawn (C9_DISPLAY_MAX_DEPTH). */
    if (depth > C9_DISPLAY_MAX_DEPTH) {
        return;
    }
    visible = visible && !g->hidden;
    p.ox += (int64_t)g->x * p.scale;
    p.oy += (int64_t)g->y * p.scale;
    /* Capped so nested scales cannot overflow; anything this large is off screen anyway. */
    p.scale = C9_MIN(p.scale * g->scale, (int64_t)1 << 20);
    for (uint32_t i = 0; i < g->count; i++) {
        c9_layer_t *l = g->items[i];
        if (l->type == C9_LAYER_GROUP) {
            walk((c9_group_t *)l, p, visible, fn, sfn, ctx, depth + 1);
        } else if (l->type == C9_LAYER_TILEGRID) {
            c9_tilegrid_t *tg = (c9_tilegrid_t *)l;
            placement_t tp = p;
            tp.ox += (int64_t)tg->x * p.scale;
            tp.oy += (int64_t)tg->y * p.scale;
            fn(tg, &tp, visible && !tg->hidden, ctx);
        } else if (l->type == C9_LAYER_VECTORSHAPE && sfn) {
            /* Only the position scales: CircuitPython draws shapes at one pixel per unit. */
            c9_vectorshape_t *s = (c9_vectorshape_t *)l;
            placement_t sp = p;
            sp.ox += (int64_t)s->x * p.scale;
            sp.oy += (int64_t)s->y * p.scale;
            sfn(s, &sp, visible && !s->hidden, ctx);
        }
    }
}

void c9__walk(c9_group_t *root, const placement_t *base, tilegrid_fn fn, void *ctx) {
    c9__walk_layers(root, base, fn, NULL, ctx);
}

void c9__walk_layers(c9_group_t *root, const placement_t *base, tilegrid_fn fn, shape_fn sfn, void *ctx) {
    if (root) {
        walk(root, *base, true, fn, sfn, ctx, 0);
    }
}
