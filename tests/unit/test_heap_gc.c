/* GC heap: a model-based random test (no overlap, contents kept, every finaliser exactly once,
 * nothing reachable freed, everything unreachable freed by a collection), growth and give-back
 * of areas, long-lived placement, mark-stack overflow, realloc, and a fragmentation regression
 * on a committed trace (tests/fixtures/heap/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/heap.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static _Alignas(64) uint8_t mem[512 * 1024];

/* ---- finaliser log ---------------------------------------------------------------------- */

#define MAX_FIN 100000
static void *fin_log[MAX_FIN];
static size_t fin_n;
static c9_gc_t *fin_gc;
static void finaliser(void *ctx, void *obj) {
    (void)ctx;
    assert_true(fin_n < MAX_FIN);
    fin_log[fin_n++] = obj;
    /* The heap is locked while finalisers run. */
    assert_null(c9_gc_alloc(fin_gc, 16, 0));
}

/* ---- model ------------------------------------------------------------------------------- */

/* Every object's last whole word is a link slot (NULL or another object), so marking must scan
 * whole objects; the other bytes carry a pattern whose words can never be mistaken for a pointer
 * (top byte non-zero). */
typedef struct mobj {
    uint8_t *p;
    size_t size;
    uint8_t seed;
    bool fin, ll;
    bool garbage;   /* unreachable: the next collection frees it */
    bool finalised; /* its finaliser ran */
    int link;       /* model index of the object our link slot points to, or -1 */
} mobj_t;

#define NOBJ 600
typedef struct model {
    mobj_t o[NOBJ];
    void *roots[NOBJ]; /* dense: the registered root */
    int nroots;
    c9_gc_root_t root;
    c9_gc_t *gc;
} model_t;

static size_t link_off(size_t size) {
    return (size / sizeof(void *) - 1) * sizeof(void *);
}
static void **link_slot(const mobj_t *m) {
    return (void **)(m->p + link_off(m->size));
}
static bool patterned(size_t i, size_t size) {
    return i < link_off(size) || i >= link_off(size) + sizeof(void *);
}
static void pattern(mobj_t *m) {
    for (size_t i = 0; i < m->size; i++)
        if (patterned(i, m->size))
            m->p[i] = (uint8_t)(0x80 | (m->seed + i * 13));
}
static bool pattern_ok(const mobj_t *m) {
    for (size_t i = 0; i < m->size; i++)
        if (patterned(i, m->size) && m->p[i] != (uint8_t)(0x80 | (m->seed + i * 13)))
            return false;
    return true;
}

static void sync_root(model_t *md) {
    md->root.start = md->roots;
    md->root.bytes = (size_t)md->nroots * sizeof(void *);
}

static void roots_rebuild(model_t *md) {
    md->nroots = 0;
    for (int i = 0; i < NOBJ; i++)
        if (md->o[i].p && !md->o[i].garbage && md->o[i].link != -2)
            (void)0;
    sync_root(md);
}

static bool is_rooted[NOBJ];

static void set_roots(model_t *md) {
    md->nroots = 0;
    for (int i = 0; i < NOBJ; i++)
        if (md->o[i].p && is_rooted[i])
            md->roots[md->nroots++] = md->o[i].p;
    sync_root(md);
}

/* Recomputes which live objects are reachable from the roots through links. */
static void mark_model(model_t *md) {
    static bool reach[NOBJ];
    static int stack[NOBJ];
    int sp = 0;
    memset(reach, 0, sizeof reach);
    for (int i = 0; i < NOBJ; i++)
        if (md->o[i].p && !md->o[i].garbage && is_rooted[i]) {
            reach[i] = true;
            stack[sp++] = i;
        }
    while (sp) {
        int i = stack[--sp];
        int j = md->o[i].link;
        if (j >= 0 && !reach[j]) {
            reach[j] = true;
            stack[sp++] = j;
        }
    }
    for (int i = 0; i < NOBJ; i++)
        if (md->o[i].p && !md->o[i].garbage && !reach[i])
            md->o[i].garbage = true;
}

static bool linked_to(const model_t *md, int j) {
    for (int i = 0; i < NOBJ; i++)
        if (md->o[i].p && md->o[i].link == j)
            return true;
    return false;
}

/* A collection happened: every garbage object is gone, and exactly the finalisable ones were
 * finalised, once. */
static void after_collection(model_t *md) {
    size_t expected = 0;
    for (int i = 0; i < NOBJ; i++) {
        mobj_t *m = &md->o[i];
        if (!m->p || !m->garbage)
            continue;
        if (m->fin) {
            size_t hits = 0;
            for (size_t k = 0; k < fin_n; k++)
                hits += fin_log[k] == m->p;
            assert_int_equal(hits, 1);
            expected++;
        }
        m->p = NULL;
        m->link = -1;
    }
    assert_int_equal(fin_n, expected);
    fin_n = 0;
}

static void check_live(model_t *md) {
    static mobj_t *sorted[NOBJ];
    int n = 0;
    for (int i = 0; i < NOBJ; i++) {
        mobj_t *m = &md->o[i];
        if (!m->p || m->garbage)
            continue;
        assert_true(c9_gc_is_object(md->gc, m->p));
        assert_true(c9_gc_size(md->gc, m->p) >= m->size);
        assert_true(c9_gc_size(md->gc, m->p) < m->size + C9_GC_BLOCK_SIZE);
        assert_true(pattern_ok(m));
        void *want = m->link >= 0 ? md->o[m->link].p : NULL;
        assert_ptr_equal(*link_slot(m), want);
        sorted[n++] = m;
    }
    /* insertion sort by address, then check disjointness */
    for (int i = 1; i < n; i++) {
        mobj_t *x = sorted[i];
        int j = i - 1;
        while (j >= 0 && sorted[j]->p > x->p) {
            sorted[j + 1] = sorted[j];
            j--;
        }
        sorted[j + 1] = x;
    }
    for (int i = 1; i < n; i++)
        assert_true(sorted[i - 1]->p + sorted[i - 1]->size <= sorted[i]->p);
}

static void run_model(uint64_t seed, size_t first_area, c9_outheap_t *grow, size_t threshold, int steps) {
    static model_t md;
    static c9_gc_t gc;
    memset(&md, 0, sizeof md);
    memset(is_rooted, 0, sizeof is_rooted);
    fin_n = 0;
    fin_gc = &gc;
    rng_state = seed;
    for (int i = 0; i < NOBJ; i++)
        md.o[i].link = -1;
    c9_gc_config_t cfg = {.finaliser = finaliser, .grow_from = grow, .collect_threshold = threshold};
    void *first = grow ? c9_outheap_alloc(grow, first_area, 0) : mem;
    assert_non_null(first);
    assert_int_equal(c9_gc_init(&gc, &cfg, first, first_area), C9_OK);
    md.gc = &gc;
    md.root.start = md.roots;
    assert_int_equal(c9_gc_add_root(&gc, &md.root), C9_OK);
    assert_int_equal(c9_gc_add_root(&gc, &md.root), C9_ERR_EXIST);
    roots_rebuild(&md);
    for (int step = 0; step < steps; step++) {
        uint32_t before = gc.collections;
        int i = (int)(rnd() % NOBJ);
        mobj_t *m = &md.o[i];
        uint32_t r = rnd() % 100;
        if (!m->p) {
            if (r < 50) {
                size_t sz = 8 + ((rnd() & 7) ? rnd() % 120 : rnd() % 1500);
                unsigned flags = 0;
                m->fin = rnd() % 3 == 0;
                m->ll = rnd() % 4 == 0;
                if (m->fin)
                    flags |= C9_GC_FINALISER;
                if (m->ll)
                    flags |= C9_GC_LONG_LIVED;
                bool zero = rnd() % 4 == 0;
                if (zero)
                    flags |= C9_GC_ZERO;
                set_roots(&md);
                uint8_t *p = c9_gc_alloc(&gc, sz, flags);
                if (gc.collections != before)
                    after_collection(&md);
                if (p) {
                    if (zero)
                        for (size_t k = 0; k < sz; k++)
                            assert_int_equal(p[k], 0);
                    m->p = p;
                    m->size = sz;
                    m->seed = (uint8_t)rnd();
                    m->garbage = false;
                    m->finalised = false;
                    m->link = -1;
                    *link_slot(m) = NULL;
                    pattern(m);
                    is_rooted[i] = true;
                }
            }
        } else if (m->garbage) {
            continue;
        } else if (r < 25) { /* drop the root: garbage unless linked */
            is_rooted[i] = false;
            mark_model(&md);
        } else if (r < 40) { /* link to another live object */
            int j = (int)(rnd() % NOBJ);
            if (md.o[j].p && !md.o[j].garbage && j != i) {
                m->link = j;
                *link_slot(m) = md.o[j].p;
                mark_model(&md);
            }
        } else if (r < 50) { /* unlink */
            m->link = -1;
            *link_slot(m) = NULL;
            mark_model(&md);
        } else if (r < 62 && is_rooted[i] && !linked_to(&md, i)) { /* explicit free */
            is_rooted[i] = false;
            c9_gc_free(&gc, m->p);
            assert_false(c9_gc_is_object(&gc, m->p) && c9_gc_size(&gc, m->p) == 0);
            m->p = NULL;
            m->link = -1;
            mark_model(&md);                                       /* objects it linked to may now be garbage */
        } else if (r < 74 && is_rooted[i] && !linked_to(&md, i)) { /* realloc */
            size_t sz = 8 + rnd() % 700;
            bool move = rnd() % 4 != 0;
            set_roots(&md);
            uint8_t *p = c9_gc_realloc(&gc, m->p, sz, move);
            if (gc.collections != before)
                after_collection(&md);
            if (p) {
                size_t keep = sz < m->size ? sz : m->size;
                for (size_t k = 0; k < keep; k++)
                    if (patterned(k, m->size))
                        assert_int_equal(p[k], (uint8_t)(0x80 | (m->seed + k * 13)));
                if (!move)
                    assert_ptr_equal(p, m->p);
                m->p = p;
                m->size = sz;
                pattern(m);
                *link_slot(m) = m->link >= 0 ? md.o[m->link].p : NULL;
            } else {
                assert_true(pattern_ok(m));
            }
        } else if (r < 78) {
            set_roots(&md);
            c9_gc_collect(&gc, NULL, 0);
            assert_int_equal(gc.collections, before + 1);
            after_collection(&md);
            check_live(&md);
        }
        if (step % 500 == 0)
            check_live(&md);
    }
    set_roots(&md);
    c9_gc_collect(&gc, NULL, 0);
    after_collection(&md);
    check_live(&md);
    /* deinit finalises everything that is left, exactly once */
    size_t expected = 0;
    for (int i = 0; i < NOBJ; i++)
        if (md.o[i].p && md.o[i].fin)
            expected++;
    c9_gc_deinit(&gc);
    assert_int_equal(fin_n, expected);
    for (int i = 0; i < NOBJ; i++) {
        if (!md.o[i].p || !md.o[i].fin)
            continue;
        size_t hits = 0;
        for (size_t k = 0; k < fin_n; k++)
            hits += fin_log[k] == md.o[i].p;
        assert_int_equal(hits, 1);
    }
    fin_n = 0;
    if (grow)
        c9_outheap_free(grow, first);
}

static void test_model_fixed(void **state) {
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_model(seed * 0x9E3779B97F4A7C15ull, 48 * 1024, NULL, 0, 30000);
}

static void test_model_threshold(void **state) {
    (void)state;
    run_model(77, 64 * 1024, NULL, 4096, 30000);
}

static void test_model_tight(void **state) {
    (void)state; /* a small heap: allocation failures, fallbacks, long-lived holes used by anyone */
    run_model(5, 6 * 1024, NULL, 0, 20000);
}

static void test_model_growing(void **state) {
    (void)state;
    static c9_outheap_t oh;
    c9_outheap_init(&oh, 0);
    c9_outheap_add_pool(&oh, mem, 160 * 1024, C9_OUTHEAP_POOL_INTERNAL);
    run_model(99, 4096, &oh, 0, 30000);
    c9_outheap_info_t info;
    c9_outheap_info(&oh, 0, &info);
    assert_int_equal(info.used, 0); /* every grown area was given back */
}

/* ---- growth and give-back ---------------------------------------------------------------- */

static void test_growth_and_give_back(void **state) {
    (void)state;
    static c9_outheap_t oh;
    static c9_gc_t gc;
    c9_outheap_init(&oh, 0);
    c9_outheap_add_pool(&oh, mem, 400 * 1024, C9_OUTHEAP_POOL_INTERNAL);
    static void *roots[4096];
    c9_gc_root_t root = {roots, 0, NULL};
    c9_gc_config_t cfg = {.grow_from = &oh};
    void *first = c9_outheap_alloc(&oh, 8192, 0);
    assert_int_equal(c9_gc_init(&gc, &cfg, first, 8192), C9_OK);
    c9_gc_add_root(&gc, &root);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    assert_int_equal(info.areas, 1);
    size_t first_total = info.total;
    assert_true(first_total > 7000 && first_total <= 8192);
    /* Fill with reachable objects: the heap must double (8K -> 16K -> 32K total). */
    int n = 0;
    while (n < 1500) {
        roots[n] = c9_gc_alloc(&gc, 48, 0);
        assert_non_null(roots[n]);
        n++;
        root.bytes = (size_t)n * sizeof(void *);
    }
    c9_gc_info(&gc, &info);
    assert_true(info.areas >= 3);
    assert_true(info.total >= 1500 * 48);
    /* Area sizes double: the total heap stays within 2x of what is used plus the first area. */
    assert_true(info.total <= 2 * info.used + first_total);
    uint32_t areas_full = info.areas;
    /* A large object larger than the whole heap gets an area just big enough. */
    c9_outheap_info_t oi;
    c9_outheap_info(&oh, 0, &oi);
    size_t big_size = 120 * 1024;
    roots[n] = c9_gc_alloc(&gc, big_size, C9_GC_ZERO);
    assert_non_null(roots[n]);
    n++;
    root.bytes = (size_t)n * sizeof(void *);
    c9_gc_info(&gc, &info);
    assert_int_equal(info.areas, areas_full + 1);
    /* Drop everything: collection gives every grown area back. */
    root.bytes = 0;
    c9_gc_collect(&gc, NULL, 0);
    c9_gc_info(&gc, &info);
    assert_int_equal(info.areas, 1);
    assert_int_equal(info.used, 0);
    assert_int_equal(info.total, first_total);
    c9_outheap_info(&oh, 0, &oi);
    assert_int_equal(oi.allocations, 1); /* only the first area */
    /* The largest obtainable block accounts for growth. */
    assert_true(info.largest_obtainable > 200 * 1024);
    void *huge = c9_gc_alloc(&gc, info.largest_obtainable, 0);
    assert_non_null(huge);
    c9_gc_deinit(&gc);
    c9_outheap_free(&oh, first);
    c9_outheap_info(&oh, 0, &oi);
    assert_int_equal(oi.used, 0);
}

static void test_no_growth_without_outside_heap(void **state) {
    (void)state;
    static c9_gc_t gc;
    assert_int_equal(c9_gc_init(&gc, NULL, mem, 4096), C9_OK);
    assert_null(c9_gc_alloc(&gc, 8192, 0));
    assert_null(c9_gc_alloc(&gc, 0, 0));
    assert_int_equal(c9_gc_init(NULL, NULL, mem, 4096), C9_ERR_INVAL);
    assert_int_equal(c9_gc_init(&gc, NULL, mem, 40), C9_ERR_NOMEM);
    /* a caller-provided extra area */
    assert_int_equal(c9_gc_init(&gc, NULL, mem, 4096), C9_OK);
    assert_int_equal(c9_gc_add_area(&gc, mem + 8192, 16384), C9_OK);
    void *p = c9_gc_alloc(&gc, 10000, 0);
    assert_non_null(p);
    assert_true((uint8_t *)p >= mem + 8192);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    assert_int_equal(info.areas, 2);
    c9_gc_collect(&gc, NULL, 0); /* unreachable, freed; a caller's area is never given back */
    c9_gc_info(&gc, &info);
    assert_int_equal(info.areas, 2);
    assert_int_equal(info.used, 0);
    c9_gc_deinit(&gc);
}

/* ---- placement ---------------------------------------------------------------------------- */

static void test_long_lived_placement(void **state) {
    (void)state;
    static c9_gc_t gc;
    c9_gc_config_t cfg = {.no_auto_collect = true};
    assert_int_equal(c9_gc_init(&gc, &cfg, mem, 32 * 1024), C9_OK);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    size_t total = info.total;
    uint8_t *prev_ll = NULL, *prev_sl = NULL;
    for (int i = 0; i < 50; i++) {
        uint8_t *ll = c9_gc_alloc(&gc, 40 + (size_t)i, C9_GC_LONG_LIVED);
        uint8_t *sl = c9_gc_alloc(&gc, 40 + (size_t)i, 0);
        assert_non_null(ll);
        assert_non_null(sl);
        assert_true(sl < ll);
        if (prev_ll) {
            assert_true(ll < prev_ll); /* long-lived grows down from the top */
            assert_true(sl > prev_sl); /* short-lived grows up from the bottom */
        }
        prev_ll = ll;
        prev_sl = sl;
    }
    c9_gc_info(&gc, &info);
    assert_true(info.long_lived > 50 * 40 && info.long_lived < 50 * 100);
    /* Everything short-lived dies: the free space is one block between the zones. */
    c9_gc_root_t root = {NULL, 0, NULL};
    c9_gc_add_root(&gc, &root);
    c9_gc_collect(&gc, NULL, 0); /* nothing is rooted: all of it goes */
    c9_gc_info(&gc, &info);
    assert_int_equal(info.used, 0);
    assert_int_equal(info.largest_free, total);
    assert_int_equal(info.long_lived, 0); /* the zone shrinks back when its bottom is freed */
    c9_gc_deinit(&gc);
}

/* A long chain reachable only through its head overflows the 64-entry mark stack. */
static void test_deep_graph_survives(void **state) {
    (void)state;
    static c9_gc_t gc;
    assert_int_equal(c9_gc_init(&gc, NULL, mem, 256 * 1024), C9_OK);
    void **head = NULL;
    for (int i = 0; i < 3000; i++) {
        void **o = c9_gc_alloc(&gc, 2 * sizeof(void *), 0);
        assert_non_null(o);
        o[0] = head;
        o[1] = (void *)(uintptr_t)i;
        head = o;
    }
    void *keep[1] = {head};
    c9_gc_range_t r = {keep, sizeof keep};
    void *garbage = c9_gc_alloc(&gc, 100, 0);
    assert_non_null(garbage);
    c9_gc_collect(&gc, &r, 1);
    assert_false(c9_gc_is_object(&gc, garbage));
    int n = 0;
    for (void **o = head; o; o = o[0]) {
        assert_true(c9_gc_is_object(&gc, o));
        assert_int_equal((uintptr_t)o[1], 2999 - n);
        n++;
    }
    assert_int_equal(n, 3000);
    /* Interior pointers do not keep an object (MicroPython's rule): only its start does. */
    void *inner[1] = {(uint8_t *)head + C9_GC_BLOCK_SIZE};
    c9_gc_range_t ri = {inner, sizeof inner};
    void **big = c9_gc_alloc(&gc, 4 * C9_GC_BLOCK_SIZE, 0);
    inner[0] = (uint8_t *)big + C9_GC_BLOCK_SIZE;
    c9_gc_collect(&gc, &ri, 1);
    assert_false(c9_gc_is_object(&gc, big));
    c9_gc_deinit(&gc);
}

static void scan_cb(void *ctx, c9_gc_t *gc) {
    void **slot = ctx;
    c9_gc_scan_range(gc, slot, sizeof(void *));
}

static void test_scan_callback_and_roots(void **state) {
    (void)state;
    static c9_gc_t gc;
    static void *slot;
    c9_gc_config_t cfg = {.scan_roots = scan_cb, .ctx = &slot};
    assert_int_equal(c9_gc_init(&gc, &cfg, mem, 16 * 1024), C9_OK);
    slot = c9_gc_alloc(&gc, 64, 0);
    void *other = c9_gc_alloc(&gc, 64, 0);
    c9_gc_scan_range(&gc, &other, sizeof other); /* outside a collection: ignored */
    c9_gc_collect(&gc, NULL, 0);
    assert_true(c9_gc_is_object(&gc, slot));
    assert_false(c9_gc_is_object(&gc, other));
    c9_gc_root_t r = {&other, sizeof other, NULL};
    other = c9_gc_alloc(&gc, 64, 0);
    c9_gc_add_root(&gc, &r);
    c9_gc_collect(&gc, NULL, 0);
    assert_true(c9_gc_is_object(&gc, other));
    assert_int_equal(c9_gc_remove_root(&gc, &r), C9_OK);
    assert_int_equal(c9_gc_remove_root(&gc, &r), C9_ERR_NOENT);
    c9_gc_collect(&gc, NULL, 0);
    assert_false(c9_gc_is_object(&gc, other));
    /* free of non-objects is ignored */
    c9_gc_free(&gc, (uint8_t *)slot + 16);
    c9_gc_free(&gc, NULL);
    c9_gc_free(&gc, mem + 300 * 1024);
    assert_true(c9_gc_is_object(&gc, slot));
    c9_gc_deinit(&gc);
}

static void test_realloc_in_place(void **state) {
    (void)state;
    static c9_gc_t gc;
    assert_int_equal(c9_gc_init(&gc, NULL, mem, 16 * 1024), C9_OK);
    uint8_t *a = c9_gc_alloc(&gc, 64, C9_GC_FINALISER);
    memset(a, 0x11, 64);
    uint8_t *b = c9_gc_realloc(&gc, a, 200, false); /* free space follows: grows in place */
    assert_ptr_equal(a, b);
    assert_int_equal(c9_gc_size(&gc, a), 208);
    for (int i = 0; i < 64; i++)
        assert_int_equal(a[i], 0x11);
    uint8_t *blocker = c9_gc_alloc(&gc, 16, 0);
    assert_ptr_equal(blocker, a + 208);
    assert_null(c9_gc_realloc(&gc, a, 400, false)); /* blocked, may not move */
    uint8_t *moved = c9_gc_realloc(&gc, a, 400, true);
    assert_non_null(moved);
    assert_true(moved != a);
    assert_false(c9_gc_is_object(&gc, a));
    for (int i = 0; i < 64; i++)
        assert_int_equal(moved[i], 0x11);
    assert_ptr_equal(c9_gc_realloc(&gc, moved, 20, false), moved); /* shrink */
    assert_int_equal(c9_gc_size(&gc, moved), 32);
    assert_null(c9_gc_realloc(&gc, moved, 0, true)); /* frees */
    assert_false(c9_gc_is_object(&gc, moved));
    c9_gc_deinit(&gc);
}

/* ---- c9_gc_free's pending stack -------------------------------------------------------- */

/* Frees go on a stack that the next allocation reuses (same size and zone) or moves to the
 * lists; realloc, long objects and word boundaries must all see the freed runs. */
static void test_pending_frees(void **state) {
    (void)state;
    static c9_gc_t gc;
    c9_gc_config_t cfg = {.no_auto_collect = true};
    assert_int_equal(c9_gc_init(&gc, &cfg, mem, 64 * 1024), C9_OK);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    size_t total = info.total;
    /* The last freed run of the same size is reused at once. */
    uint8_t *a = c9_gc_alloc(&gc, 48, 0), *b = c9_gc_alloc(&gc, 48, 0);
    assert_ptr_equal(b, a + 48);
    c9_gc_free(&gc, a);
    assert_false(c9_gc_is_object(&gc, a));
    c9_gc_free(&gc, a); /* a second free is ignored */
    assert_ptr_equal(c9_gc_alloc(&gc, 40, 0), a);
    /* A different size moves the pending run to the lists; the best fit still finds it. */
    c9_gc_free(&gc, b);
    uint8_t *small = c9_gc_alloc(&gc, 16, 0);
    assert_ptr_equal(small, b);
    assert_ptr_equal(c9_gc_alloc(&gc, 32, 0), b + 16);
    /* A long-lived request never takes a short-lived pending run. */
    uint8_t *s1 = c9_gc_alloc(&gc, 64, 0);
    c9_gc_free(&gc, s1);
    uint8_t *l1 = c9_gc_alloc(&gc, 64, C9_GC_LONG_LIVED);
    assert_true(l1 > s1);
    /* Objects crossing one or two table words (the head word holds 32 blocks) and longer than the
     * two words read at once: every length from 1 to 80 blocks at every offset in a word. */
    for (size_t pre = 1; pre <= 32; pre++) {
        for (size_t blocks = 1; blocks <= 80; blocks += (blocks < 40 ? 1 : 13)) {
            uint8_t *pad = c9_gc_alloc(&gc, pre * C9_GC_BLOCK_SIZE, 0);
            uint8_t *o = c9_gc_alloc(&gc, blocks * C9_GC_BLOCK_SIZE, C9_GC_FINALISER);
            uint8_t *after = c9_gc_alloc(&gc, C9_GC_BLOCK_SIZE, 0);
            assert_non_null(pad);
            assert_non_null(o);
            assert_non_null(after);
            assert_int_equal(c9_gc_size(&gc, o), blocks * C9_GC_BLOCK_SIZE);
            c9_gc_free(&gc, o);
            assert_false(c9_gc_is_object(&gc, o));
            assert_true(c9_gc_is_object(&gc, after));
            assert_int_equal(c9_gc_size(&gc, after), C9_GC_BLOCK_SIZE);
            assert_int_equal(c9_gc_size(&gc, pad), pre * C9_GC_BLOCK_SIZE);
            c9_gc_free(&gc, pad);
            c9_gc_free(&gc, after);
        }
    }
    /* realloc grows into a neighbour that is only on the pending stack (after a collection that
     * frees everything, so that the three objects are adjacent). */
    c9_gc_collect(&gc, NULL, 0);
    uint8_t *g = c9_gc_alloc(&gc, 64, 0), *n1 = c9_gc_alloc(&gc, 64, 0), *n2 = c9_gc_alloc(&gc, 64, 0);
    assert_ptr_equal(n1, g + 64);
    memset(g, 0x5A, 64);
    c9_gc_free(&gc, n1);
    assert_ptr_equal(c9_gc_realloc(&gc, g, 128, false), g);
    for (int i = 0; i < 64; i++)
        assert_int_equal(g[i], 0x5A);
    /* shrinking next to a pending run merges into it */
    c9_gc_free(&gc, n2);
    assert_ptr_equal(c9_gc_realloc(&gc, g, 16, false), g);
    assert_int_equal(c9_gc_size(&gc, g), 16);
    /* Frees then a collection: nothing is left over, the whole area is one free run again. */
    c9_gc_collect(&gc, NULL, 0);
    c9_gc_info(&gc, &info);
    assert_int_equal(info.used, 0);
    assert_int_equal(info.largest_free, total);
    assert_int_equal(info.long_lived, 0);
    c9_gc_deinit(&gc);
}

/* Garbage and live objects sharing table words, with finalisers: the word-at-a-time sweep frees
 * exactly the unreachable ones, each finaliser once. */
static void test_sweep_mixed_words(void **state) {
    (void)state;
    static c9_gc_t gc;
    c9_gc_config_t cfg = {.finaliser = finaliser, .no_auto_collect = true};
    fin_gc = &gc;
    fin_n = 0;
    assert_int_equal(c9_gc_init(&gc, &cfg, mem, 32 * 1024), C9_OK);
    enum { N = 300 };
    static void *objs[N], *keep[N];
    rng_state = 1234;
    size_t nkeep = 0, nfin = 0;
    for (int i = 0; i < N; i++) {
        size_t sz = 1 + rnd() % (i % 7 == 0 ? 700 : 60);
        objs[i] = c9_gc_alloc(&gc, sz, (i % 3) ? C9_GC_FINALISER : 0);
        assert_non_null(objs[i]);
    }
    for (int i = 0; i < N; i++) {
        if (rnd() % 2)
            keep[nkeep++] = objs[i];
        else if (i % 3)
            nfin++;
    }
    c9_gc_range_t r = {keep, nkeep * sizeof(void *)};
    c9_gc_collect(&gc, &r, 1);
    assert_int_equal(fin_n, nfin);
    for (size_t k = 0; k < fin_n; k++)
        for (size_t j = 0; j < nkeep; j++)
            assert_ptr_not_equal(fin_log[k], keep[j]);
    for (size_t j = 0; j < nkeep; j++)
        assert_true(c9_gc_is_object(&gc, keep[j]));
    fin_n = 0;
    c9_gc_collect(&gc, &r, 1); /* marks were cleared: the same objects survive again */
    assert_int_equal(fin_n, 0);
    for (size_t j = 0; j < nkeep; j++)
        assert_true(c9_gc_is_object(&gc, keep[j]));
    c9_gc_deinit(&gc);
    fin_n = 0;
}

/* ---- fragmentation regression on a committed trace --------------------------------------- */

typedef struct rep {
    void **ptr; /* by id */
    uint32_t *slot;
    uint32_t *id_of;
    void **live;
    uint32_t n;
} rep_t;

static void rep_drop(rep_t *r, uint32_t id) {
    uint32_t s = r->slot[id];
    if (!s)
        return;
    uint32_t last = --r->n;
    if (s - 1 != last) {
        r->live[s - 1] = r->live[last];
        r->id_of[s - 1] = r->id_of[last];
        r->slot[r->id_of[s - 1]] = s;
    }
    r->slot[id] = 0;
}

static size_t replay_fixture(bool hints, size_t threshold) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/heap/trace_32k_seed1.txt", C9_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    enum { MAXID = 10000 };
    static void *live[MAXID];
    static uint32_t slot[MAXID], id_of[MAXID];
    memset(slot, 0, sizeof slot);
    rep_t r = {NULL, slot, id_of, live, 0};
    static c9_gc_t gc;
    c9_gc_config_t cfg = {.collect_threshold = threshold};
    assert_int_equal(c9_gc_init(&gc, &cfg, mem, 32768), C9_OK);
    c9_gc_root_t root = {live, 0, NULL};
    c9_gc_add_root(&gc, &root);
    char line[128];
    size_t failed = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned id, size, ll;
        if (sscanf(line, "A %u %u %u", &id, &size, &ll) == 3) {
            assert_true(id < MAXID);
            root.bytes = r.n * sizeof(void *);
            void *p = c9_gc_alloc(&gc, size, hints && ll ? C9_GC_LONG_LIVED : 0);
            if (!p) {
                failed++;
                continue;
            }
            memset(p, 0, size);
            live[r.n] = p;
            id_of[r.n] = id;
            slot[id] = ++r.n;
        } else if (sscanf(line, "F %u", &id) == 1) {
            assert_true(id < MAXID);
            if (slot[id]) {
                void *p = live[slot[id] - 1];
                rep_drop(&r, id);
                c9_gc_free(&gc, p);
            }
        } else if (sscanf(line, "D %u", &id) == 1) {
            assert_true(id < MAXID);
            rep_drop(&r, id);
        } else if (line[0] == 'C') {
            root.bytes = r.n * sizeof(void *);
            c9_gc_collect(&gc, NULL, 0);
        }
    }
    fclose(f);
    assert_int_equal(failed, 0);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    /* everything the trace keeps is still there */
    for (uint32_t i = 0; i < r.n; i++)
        assert_true(c9_gc_is_object(&gc, live[i]));
    c9_gc_deinit(&gc);
    return info.largest_free;
}

static void test_fragmentation_regression(void **state) {
    (void)state;
    size_t with = replay_fixture(true, 4096);
    size_t without = replay_fixture(false, 4096);
    size_t full_only = replay_fixture(true, 0);
    size_t full_only_without = replay_fixture(false, 0);
    print_message("largest free block: hints %zu, no hints %zu; collecting only when full: hints %zu, no hints %zu\n",
                  with, without, full_only, full_only_without);
    /* Goal: >= 8 KB on a 32 KB heap (MicroPython: about 2 KB on this workload). */
    assert_true(with >= 8 * 1024);
    assert_true(with > 2 * without);
    assert_true(full_only > 2 * full_only_without);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_fixed),
        cmocka_unit_test(test_model_threshold),
        cmocka_unit_test(test_model_tight),
        cmocka_unit_test(test_model_growing),
        cmocka_unit_test(test_growth_and_give_back),
        cmocka_unit_test(test_no_growth_without_outside_heap),
        cmocka_unit_test(test_long_lived_placement),
        cmocka_unit_test(test_deep_graph_survives),
        cmocka_unit_test(test_scan_callback_and_roots),
        cmocka_unit_test(test_realloc_in_place),
        cmocka_unit_test(test_pending_frees),
        cmocka_unit_test(test_sweep_mixed_words),
        cmocka_unit_test(test_fragmentation_regression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
