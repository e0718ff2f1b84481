/* Fuzzes the GC heap and the outside heap with operation sequences read from the input: each
 * op byte picks alloc / drop / free / realloc / link / collect on the GC heap or alloc / free /
 * realloc on the outside heap, the following bytes give the slot, size and flags. Every object
 * carries a pattern that is checked before it is freed or resized and at the end; a finaliser
 * that runs on an object still held in a root slot, or twice, aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/heap.h"

#define SLOTS 32

typedef struct slot {
    uint8_t *p;
    size_t size;
    uint8_t seed;
} slot_t;

static _Alignas(64) uint8_t outer_mem[96 * 1024];
static _Alignas(64) uint8_t psram_mem[32 * 1024];
static c9_outheap_t oh;
static c9_gc_t gc;
static void *roots[SLOTS]; /* GC slots' pointers: the registered root */
static slot_t gslot[SLOTS], oslot[SLOTS];
static unsigned fin_count;

static void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

static void fill(slot_t *s) {
    for (size_t i = 0; i < s->size; i++)
        s->p[i] = (uint8_t)(0x80 | (s->seed + i * 5));
}
/* GC objects keep a link word at offset 0 when at least 8 bytes; the rest is pattern. */
static size_t pat_start(size_t size) {
    return size >= sizeof(void *) ? sizeof(void *) : 0;
}
static void fill_gc(slot_t *s) {
    for (size_t i = pat_start(s->size); i < s->size; i++)
        s->p[i] = (uint8_t)(0x80 | (s->seed + i * 5));
}
static void verify_gc(const slot_t *s) {
    for (size_t i = pat_start(s->size); i < s->size; i++)
        check(s->p[i] == (uint8_t)(0x80 | (s->seed + i * 5)));
}
static void verify(const slot_t *s) {
    for (size_t i = 0; i < s->size; i++)
        check(s->p[i] == (uint8_t)(0x80 | (s->seed + i * 5)));
}

static void finaliser(void *ctx, void *obj) {
    (void)ctx;
    for (int i = 0; i < SLOTS; i++)
        check(roots[i] != obj); /* a rooted object must never be finalised */
    check(c9_gc_alloc(&gc, 16, 0) == NULL);
    fin_count++;
}

typedef struct in {
    const uint8_t *d;
    size_t n, i;
} in_t;
static uint8_t next(in_t *in) {
    return in->i < in->n ? in->d[in->i++] : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    in_t in = {data, size, 0};
    memset(roots, 0, sizeof roots);
    memset(gslot, 0, sizeof gslot);
    memset(oslot, 0, sizeof oslot);
    fin_count = 0;
    c9_outheap_init(&oh, 0);
    c9_outheap_add_pool(&oh, outer_mem, sizeof outer_mem, C9_OUTHEAP_POOL_INTERNAL);
    c9_outheap_add_pool(&oh, psram_mem, sizeof psram_mem, C9_OUTHEAP_POOL_PSRAM);
    c9_gc_config_t cfg = {.finaliser = finaliser, .grow_from = &oh};
    cfg.collect_threshold = (size_t)next(&in) * 64;
    size_t first_size = 2048 + (size_t)next(&in) * 32;
    void *first = c9_outheap_alloc(&oh, first_size, C9_OUTHEAP_FAST);
    check(first != NULL);
    check(c9_gc_init(&gc, &cfg, first, first_size) == C9_OK);
    c9_gc_root_t root = {roots, sizeof roots, NULL};
    c9_gc_add_root(&gc, &root);
    unsigned allocs_with_fin = 0, explicit_frees_fin = 0;
    (void)explicit_frees_fin;
    while (in.i < in.n) {
        uint8_t op = next(&in);
        int k = next(&in) % SLOTS;
        slot_t *g = &gslot[k], *o = &oslot[k];
        size_t sz = (size_t)next(&in) | ((size_t)(next(&in) & 0x0F) << 8);
        switch (op % 9) {
        case 0: /* GC alloc */
        case 1: {
            if (g->p)
                break;
            unsigned flags = op >> 4;
            uint8_t *p = c9_gc_alloc(&gc, sz, flags & 7);
            if (!p)
                break;
            check(c9_gc_size(&gc, p) >= sz);
            if (flags & C9_GC_ZERO)
                for (size_t i = 0; i < sz; i++)
                    check(p[i] == 0);
            *g = (slot_t){p, sz, (uint8_t)op};
            if (sz >= sizeof(void *))
                memset(p, 0, sizeof(void *));
            fill_gc(g);
            roots[k] = p;
            if (flags & C9_GC_FINALISER)
                allocs_with_fin++;
            break;
        }
        case 2: /* drop: the object becomes garbage unless linked */
            if (g->p)
                verify_gc(g);
            g->p = NULL;
            roots[k] = NULL;
            break;
        case 3: /* link another slot's object from this one (or clear the link) */
            if (g->p && g->size >= sizeof(void *)) {
                int j = (int)(sz % SLOTS);
                memcpy(g->p, &roots[j], sizeof(void *));
            }
            break;
        case 4: /* GC realloc */
            if (g->p) {
                verify_gc(g);
                uint8_t *p = c9_gc_realloc(&gc, g->p, sz, op & 0x10);
                if (p || sz == 0) {
                    g->p = p;
                    g->size = p ? sz : 0;
                    roots[k] = p;
                    if (p) {
                        if (sz >= sizeof(void *))
                            memset(p, 0, sizeof(void *));
                        fill_gc(g);
                    }
                }
            }
            break;
        case 5: /* collect */ c9_gc_collect(&gc, NULL, 0); break;
        case 6: /* outside alloc */
            if (!o->p) {
                uint8_t *p = c9_outheap_alloc(&oh, sz, op >> 6);
                if (p) {
                    check(c9_outheap_usable_size(p) >= sz);
                    *o = (slot_t){p, sz, (uint8_t)op};
                    fill(o);
                }
            }
            break;
        case 7: /* outside free */
            if (o->p) {
                verify(o);
                c9_outheap_free(&oh, o->p);
                o->p = NULL;
            }
            break;
        default: /* outside realloc */
            if (o->p) {
                verify(o);
                uint8_t *p = c9_outheap_realloc(&oh, o->p, sz, 0);
                if (p) {
                    o->p = p;
                    o->size = sz;
                    fill(o);
                }
            }
            break;
        }
        /* objects reachable from the roots keep their contents (full check now and then: the
         * touched slot is checked by the ops themselves) */
        if ((in.i & 0xFF) < 4)
            for (int i = 0; i < SLOTS; i++)
                if (gslot[i].p) {
                    check(c9_gc_is_object(&gc, gslot[i].p));
                    verify_gc(&gslot[i]);
                }
    }
    /* Objects kept alive only through links also survive; then deinit finalises the rest. */
    c9_gc_collect(&gc, NULL, 0);
    for (int i = 0; i < SLOTS; i++)
        if (gslot[i].p)
            verify_gc(&gslot[i]);
    c9_gc_info_t info;
    c9_gc_info(&gc, &info);
    check(info.used <= info.total && info.largest_free <= info.free);
    memset(roots, 0, sizeof roots);
    c9_gc_deinit(&gc);
    check(fin_count <= allocs_with_fin);
    c9_outheap_free(&oh, first);
    for (int i = 0; i < SLOTS; i++)
        if (oslot[i].p) {
            verify(&oslot[i]);
            c9_outheap_free(&oh, oslot[i].p);
        }
    c9_outheap_info_t oi;
    c9_outheap_info(&oh, 0, &oi);
    check(oi.used == 0 && oi.allocations == 0); /* grown areas were given back too */
    return 0;
}
