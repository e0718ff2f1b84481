/*
 * heap_replay TRACE HEAP_BYTES [options]
 *
 * Replays an allocation trace written by heap_trace_gen.py, next to this file (format at the top
 * of that script: "A id size ll", "F id", "D id", "P", "C") through the circuit9 heap and prints,
 * for each mode, free bytes, the largest obtainable block, collections and failures.
 *
 * Modes (all three by default, or one with --mode):
 *   hints    the GC heap; ll = 1 or 2 allocates with C9_GC_LONG_LIVED (the caller knows at
 *            birth that compiled code, interned strings and module data live long)
 *   nohints  the same heap and trace with every long-lived hint ignored
 *   outside  the outside (TLSF-class) heap alone: A allocates, F and D free at once
 *
 * Heap layouts: "fixed" (default) gives the GC heap one area of exactly HEAP_BYTES, as
 * MicroPython's gc_init(start, start + HEAP_BYTES) does. --split gives an outside heap of
 * HEAP_BYTES instead, starts with an 8 KB area and lets the heap grow and shrink as
 * CircuitPython 9 does; the largest obtainable block then includes a new area's worth.
 *
 * References: the replay keeps every reachable object's pointer in a dense array registered as
 * the only root; "D id" drops it from the array (it becomes garbage for the next collection),
 * "F id" frees explicitly. New objects are zero-filled by the replay (outside the allocator), so
 * stale bytes never look like pointers.
 *
 * Instructions per operation: run under callgrind and attribute with callgrind_ops.py (see
 * run.sh): c9_gc_alloc's inclusive cost minus the collections it triggered, c9_gc_free,
 * c9_gc_collect, c9_outheap_alloc, c9_outheap_free, each divided by the call counts printed
 * here. --cg-window brackets only the replay with CALLGRIND_START/STOP_INSTRUMENTATION, so trace
 * parsing is not even simulated. c9_gc_free leaves the list work for a freed run to the next
 * allocation: that cost is in gc_alloc's figure, not lost.
 */
#include "circuit9/heap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

typedef struct op {
    char kind; /* 'A', 'F', 'D', 'P', 'C' */
    uint8_t ll;
    uint32_t id;
    uint32_t size;
} op_t;

typedef struct trace {
    op_t *ops;
    size_t n, cap;
    uint32_t max_id;
    size_t bad_lines;
} trace_t;

#define MAX_ID 50000000u
#define MAX_SIZE (1u << 30)

/* Parses one line; returns 1 for an op, 0 for a blank/comment line, -1 for garbage. Strict
 * enough that a damaged file cannot produce out-of-range ids or sizes. */
static int parse_line(const char *s, op_t *o) {
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '\n' || *s == '\r' || *s == '#')
        return 0;
    char k = *s++;
    unsigned long v[3] = {0, 0, 0};
    int want = k == 'A' ? 3 : (k == 'F' || k == 'D') ? 1 : (k == 'P' || k == 'C') ? 0 : -1;
    if (want < 0)
        return -1;
    for (int i = 0; i < want; i++) {
        if (*s != ' ' && *s != '\t')
            return -1;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s < '0' || *s > '9')
            return -1;
        char *end;
        v[i] = strtoul(s, &end, 10);
        s = end;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (*s)
        return -1;
    if (want >= 1 && (v[0] == 0 || v[0] > MAX_ID))
        return -1;
    if (k == 'A' && (v[1] == 0 || v[1] > MAX_SIZE || v[2] > 2))
        return -1;
    o->kind = k;
    o->id = (uint32_t)v[0];
    o->size = (uint32_t)v[1];
    o->ll = (uint8_t)v[2];
    return 1;
}

static int load_trace(const char *path, trace_t *t) {
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    memset(t, 0, sizeof *t);
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') { /* over-long line: skip the rest */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            t->bad_lines++;
            continue;
        }
        op_t o;
        int r = parse_line(line, &o);
        if (r < 0)
            t->bad_lines++;
        if (r <= 0)
            continue;
        if (t->n == t->cap) {
            size_t nc = t->cap ? 2 * t->cap : 4096;
            op_t *no = realloc(t->ops, nc * sizeof *no);
            if (!no) {
                fclose(f);
                return -1;
            }
            t->ops = no;
            t->cap = nc;
        }
        t->ops[t->n++] = o;
        if (o.id > t->max_id)
            t->max_id = o.id;
    }
    fclose(f);
    return 0;
}

typedef struct stats {
    size_t allocs, frees, drops, explicit_collects, failed;
    size_t alloc_bytes;
} stats_t;

/* Live references: a dense array (the registered root) and each id's slot in it. */
typedef struct refs {
    void **live;
    uint32_t *slot; /* id -> index + 1 in live, 0 = not live */
    uint32_t n;
} refs_t;

static void refs_add(refs_t *r, uint32_t id, void *p) {
    if (r->slot[id]) { /* id reused by a damaged trace: drop the old reference */
        r->live[r->slot[id] - 1] = p;
        return;
    }
    r->live[r->n] = p;
    r->slot[id] = ++r->n;
}

static void *refs_drop(refs_t *r, uint32_t id) {
    uint32_t s = r->slot[id];
    if (!s)
        return NULL;
    void *p = r->live[s - 1];
    r->n--;
    if (s - 1 != r->n) /* move the last reference into the hole; ctx_drop fixes its slot */
        r->live[s - 1] = r->live[r->n];
    r->slot[id] = 0;
    return p;
}

typedef struct ctx {
    refs_t refs;
    uint32_t *id_of; /* live index -> id, to fix slots after swap-remove */
} ctx_t;

static void ctx_add(ctx_t *c, uint32_t id, void *p) {
    if (c->refs.slot[id]) {
        c->refs.live[c->refs.slot[id] - 1] = p;
        return;
    }
    c->id_of[c->refs.n] = id;
    refs_add(&c->refs, id, p);
}

static void *ctx_drop(ctx_t *c, uint32_t id) {
    uint32_t s = c->refs.slot[id];
    if (!s)
        return NULL;
    uint32_t last = c->refs.n - 1;
    uint32_t moved = c->id_of[last];
    void *p = refs_drop(&c->refs, id);
    if (s - 1 != last) {
        c->id_of[s - 1] = moved;
        c->refs.slot[moved] = s;
    }
    return p;
}

static int ctx_init(ctx_t *c, uint32_t max_id) {
    memset(c, 0, sizeof *c);
    c->refs.live = calloc((size_t)max_id + 1, sizeof(void *));
    c->refs.slot = calloc((size_t)max_id + 1, sizeof(uint32_t));
    c->id_of = calloc((size_t)max_id + 1, sizeof(uint32_t));
    return c->refs.live && c->refs.slot && c->id_of ? 0 : -1;
}

static void ctx_fini(ctx_t *c) {
    free(c->refs.live);
    free(c->refs.slot);
    free(c->id_of);
}

typedef struct options {
    size_t heap;
    bool split;
    bool cg_window;
    size_t threshold;
    bool threshold_set;
    bool dump;
} options_t;

typedef struct dump_ent {
    uintptr_t addr;
    uint32_t id;
} dump_ent_t;

static int cmp_dump(const void *a, const void *b) {
    const dump_ent_t *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* --dump: the live objects in address order with their long-lived hint, to see what splits
 * the free space. */
static void dump_live(const trace_t *t, const ctx_t *c, const c9_gc_t *gc) {
    uint8_t *ll = calloc((size_t)t->max_id + 1, 1);
    dump_ent_t *d = calloc(c->refs.n + 1, sizeof *d);
    if (!ll || !d)
        goto out;
    for (size_t i = 0; i < t->n; i++)
        if (t->ops[i].kind == 'A')
            ll[t->ops[i].id] = t->ops[i].ll;
    for (uint32_t i = 0; i < c->refs.n; i++) {
        d[i].addr = (uintptr_t)c->refs.live[i];
        d[i].id = c->id_of[i];
    }
    qsort(d, c->refs.n, sizeof *d, cmp_dump);
    uintptr_t prev_end = 0;
    for (uint32_t i = 0; i < c->refs.n; i++) {
        size_t sz = c9_gc_size(gc, (void *)d[i].addr);
        printf("  obj id=%u ll=%u size=%zu gap_before=%zu\n", d[i].id, ll[d[i].id], sz,
               prev_end ? (size_t)(d[i].addr - prev_end) : 0);
        prev_end = d[i].addr + sz;
    }
out:
    free(ll);
    free(d);
}

/* Kept out of line and named, so that callgrind_ops.py can tell its explicit collections from
 * the ones the allocator triggers. */
__attribute__((noinline)) static void replay_gc(const trace_t *t, c9_gc_t *gc, ctx_t *c, c9_gc_root_t *root, bool hints,
                                                stats_t *st) {
    for (size_t i = 0; i < t->n; i++) {
        const op_t *o = &t->ops[i];
        switch (o->kind) {
        case 'A': {
            unsigned flags = (hints && o->ll) ? C9_GC_LONG_LIVED : 0;
            root->start = c->refs.live;
            root->bytes = c->refs.n * sizeof(void *);
            void *p = c9_gc_alloc(gc, o->size, flags);
            st->allocs++;
            if (!p) {
                st->failed++;
                break;
            }
            st->alloc_bytes += o->size;
            memset(p, 0, o->size);
            ctx_add(c, o->id, p);
            break;
        }
        case 'F': {
            void *p = ctx_drop(c, o->id);
            if (p) {
                c9_gc_free(gc, p);
                st->frees++;
            }
            break;
        }
        case 'D':
            if (ctx_drop(c, o->id))
                st->drops++;
            break;
        case 'C':
            root->start = c->refs.live;
            root->bytes = c->refs.n * sizeof(void *);
            c9_gc_collect(gc, NULL, 0);
            st->explicit_collects++;
            break;
        default: /* 'P': objects are placed at birth, nothing to promote */ break;
        }
    }
    root->start = c->refs.live;
    root->bytes = c->refs.n * sizeof(void *);
}

__attribute__((noinline)) static void replay_outside(const trace_t *t, c9_outheap_t *oh, ctx_t *c, stats_t *st) {
    for (size_t i = 0; i < t->n; i++) {
        const op_t *o = &t->ops[i];
        if (o->kind == 'A') {
            void *p = c9_outheap_alloc(oh, o->size, 0);
            st->allocs++;
            if (!p) {
                st->failed++;
                continue;
            }
            ctx_add(c, o->id, p);
        } else if (o->kind == 'F' || o->kind == 'D') {
            void *p = ctx_drop(c, o->id);
            if (p) {
                c9_outheap_free(oh, p);
                st->frees++;
            }
        }
    }
}

static void *xaligned(size_t bytes) {
    /* 64-byte alignment, like a linker-placed heap section. */
    void *raw = malloc(bytes + 64 + sizeof(void *));
    if (!raw)
        return NULL;
    uintptr_t a = ((uintptr_t)raw + sizeof(void *) + 63) & ~(uintptr_t)63;
    ((void **)a)[-1] = raw;
    return (void *)a;
}
static void xfree(void *p) {
    if (p)
        free(((void **)p)[-1]);
}

static int run_gc(const trace_t *t, const options_t *opt, bool hints) {
    ctx_t c;
    if (ctx_init(&c, t->max_id))
        return -1;
    c9_outheap_t oh;
    void *mem = NULL, *first = NULL;
    c9_gc_config_t cfg = {0};
    cfg.collect_threshold = opt->threshold;
    c9_gc_t *gc = calloc(1, sizeof *gc);
    size_t first_bytes = opt->heap;
    if (opt->split) {
        size_t pool = opt->heap + c9_outheap_pool_overhead();
        mem = xaligned(pool);
        c9_outheap_init(&oh, 0);
        if (!mem || c9_outheap_add_pool(&oh, mem, pool, C9_OUTHEAP_POOL_INTERNAL) != C9_OK)
            return -1;
        first_bytes = 8192;
        first = c9_outheap_alloc(&oh, first_bytes, 0);
        cfg.grow_from = &oh;
    } else {
        first = mem = xaligned(opt->heap);
    }
    if (!gc || !first || c9_gc_init(gc, &cfg, first, first_bytes) != C9_OK) {
        fprintf(stderr, "heap_replay: cannot set up the heap\n");
        return -1;
    }
    c9_gc_root_t root = {c.refs.live, 0, NULL};
    c9_gc_add_root(gc, &root);
    stats_t st = {0};
    if (opt->cg_window)
        CALLGRIND_START_INSTRUMENTATION;
    replay_gc(t, gc, &c, &root, hints, &st);
    if (opt->cg_window)
        CALLGRIND_STOP_INSTRUMENTATION;
    c9_gc_info_t info;
    c9_gc_info(gc, &info);
    size_t pool_total = info.total;
    printf("mode=%s layout=%s heap=%zu allocs=%zu frees=%zu drops=%zu failed=%zu collections=%u "
           "explicit_collections=%zu areas=%u pool=%zu live=%zu free_bytes=%zu long_lived=%zu "
           "largest_free=%zu largest_obtainable=%zu\n",
           hints ? "hints" : "nohints", opt->split ? "split" : "fixed", opt->heap, st.allocs, st.frees, st.drops,
           st.failed, info.collections, st.explicit_collects, info.areas, pool_total, info.used,
           opt->split ? info.free + c9_outheap_largest_free(&oh, 0) : info.free, info.long_lived, info.largest_free,
           info.largest_obtainable);
    if (opt->dump)
        dump_live(t, &c, gc);
    c9_gc_deinit(gc);
    free(gc);
    xfree(mem);
    ctx_fini(&c);
    return 0;
}

static int run_outside(const trace_t *t, const options_t *opt) {
    ctx_t c;
    if (ctx_init(&c, t->max_id))
        return -1;
    size_t pool = opt->heap + c9_outheap_pool_overhead();
    void *mem = xaligned(pool);
    c9_outheap_t oh;
    c9_outheap_init(&oh, 0);
    if (!mem || c9_outheap_add_pool(&oh, mem, pool, C9_OUTHEAP_POOL_INTERNAL) != C9_OK)
        return -1;
    stats_t st = {0};
    if (opt->cg_window)
        CALLGRIND_START_INSTRUMENTATION;
    replay_outside(t, &oh, &c, &st);
    if (opt->cg_window)
        CALLGRIND_STOP_INSTRUMENTATION;
    c9_outheap_info_t info;
    c9_outheap_info(&oh, 0, &info);
    printf("mode=outside heap=%zu allocs=%zu frees=%zu failed=%zu live=%zu free_bytes=%zu largest_free=%zu\n",
           opt->heap, st.allocs, st.frees, st.failed, info.used, info.free, info.largest_free);
    xfree(mem);
    ctx_fini(&c);
    return 0;
}

static void usage(void) {
    fprintf(stderr, "usage: heap_replay TRACE HEAP_BYTES [--mode hints|nohints|outside|all] [--split]\n"
                    "                   [--threshold BYTES] [--cg-window]\n");
}

int main(int argc, char **argv) {
    if (argc < 3) {
        usage();
        return 2;
    }
    options_t opt = {0};
    char *end;
    opt.heap = strtoul(argv[2], &end, 10);
    if (*end || opt.heap < 1024) {
        usage();
        return 2;
    }
    const char *mode = "all";
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--mode") && i + 1 < argc)
            mode = argv[++i];
        else if (!strcmp(argv[i], "--split"))
            opt.split = true;
        else if (!strcmp(argv[i], "--dump"))
            opt.dump = true;
        else if (!strcmp(argv[i], "--cg-window"))
            opt.cg_window = true;
        else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
            opt.threshold = strtoul(argv[++i], NULL, 10);
            opt.threshold_set = true;
        } else {
            usage();
            return 2;
        }
    }
    if (!opt.threshold_set)
        opt.threshold = opt.heap / 8;
    trace_t t;
    if (load_trace(argv[1], &t)) {
        fprintf(stderr, "heap_replay: cannot read %s\n", argv[1]);
        return 1;
    }
    if (t.bad_lines)
        fprintf(stderr, "heap_replay: %zu malformed lines ignored\n", t.bad_lines);
    int rc = 0;
    bool all = !strcmp(mode, "all");
    if (all || !strcmp(mode, "hints"))
        rc |= run_gc(&t, &opt, true);
    if (all || !strcmp(mode, "nohints"))
        rc |= run_gc(&t, &opt, false);
    if (all || !strcmp(mode, "outside"))
        rc |= run_outside(&t, &opt);
    free(t.ops);
    return rc ? 1 : 0;
}
