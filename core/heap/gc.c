/*
 * The garbage-collected heap.
 *
 * Each area keeps MicroPython's per-block state, a 2-bit allocation table and a finaliser bit,
 * but stores the table as two bit planes, `u` and `h`:
 *
 *     u h
 *     0 0  free
 *     1 1  head of an object
 *     1 0  tail (continuation) of an object
 *     0 1  head marked during a collection
 *
 * so that "is this block in use" outside a collection is one bit, and the length of an object
 * is a count of trailing ones in (u & ~h), 32 blocks per step.
 *
 * MicroPython finds space with a first-fit scan of that table. Here every run of free blocks is
 * also on a segregated list (per area, by run length: exact up to 7 blocks, then four classes per
 * power of two), with its header {next, prev, len} in its first block and a copy of len in the
 * last four bytes of its last block. A sweep rebuilds the lists from the table, so each listed run
 * is then maximal. Links are 32-bit block indices, not pointers: stale ones left in a block never
 * look like heap addresses to the conservative marker.
 *
 * c9_gc_free does no list work: it clears the object's bits and pushes the run on the area's
 * pending stack ({next, len} in its first block). The next allocation either reuses the top run
 * whole (same size and zone) or moves every pending run to the lists first; anything else that
 * reads runs (realloc, the slow allocation paths) flushes the stack first, and a sweep drops it.
 * Neighbouring free runs are merged by the next sweep, or when an allocation finds nothing.
 *
 * Long-lived placement: each area has a boundary ll_low. Blocks [ll_low, nblocks) are the
 * long-lived zone, filled from the top down by C9_GC_LONG_LIVED allocations; short-lived
 * allocations take the best-fitting hole below it. Free runs are kept in two list sets by
 * zone (start >= ll_low is long-lived), so churn fills its own holes and long-lived data packs
 * densely at the top; the free run just below ll_low (the "gap") is where both zones grow.
 * No free run ever straddles ll_low: when one would, ll_low moves up to its end.
 */
#include "circuit9/heap.h"

#include <string.h>

#define BS ((uint32_t)C9_GC_BLOCK_SIZE)
#define BS_LOG2 c9_ctz32(C9_GC_BLOCK_SIZE)
#define NONE 0xFFFFFFFFu
#define SET_SL 0
#define SET_LL 1
#define MAX_BLOCKS (1u << 27) /* keeps every class below 128 (four bitmap words) */
#define MAX_CLS 128u

struct c9_gc_area {
    struct c9_gc_area *next;
    uint8_t *pool;
    uint32_t nblocks;
    uint32_t ll_low;
    uint32_t used_blocks;
    uint32_t ncls;     /* list heads per set */
    uint32_t nbw;      /* bitmap words per set */
    bool grown;        /* allocated from the outside heap by us: give back when empty */
    uint32_t unmerged; /* frees since the lists were last rebuilt (their runs may have free neighbours) */
    uint32_t pending;  /* freed runs not yet on a list: a LIFO stack, NONE when empty */
    uintptr_t span;    /* nblocks << BS_LOG2: one compare tells whether a pointer is in the pool */
    uint32_t pw;       /* words per plane: h == u + pw, f == h + pw */
    uint32_t *u, *h, *f;
    uint32_t *heads; /* [2][ncls] */
    uint32_t *hd[2]; /* heads of each set */
    uint32_t bits[2][MAX_CLS / 32];
};

typedef struct runhdr {
    uint32_t next, prev, len;
} runhdr;

typedef struct c9_gc_area area;

/* ---- bits ---------------------------------------------------------------------------------- */

static inline uint32_t bit_get(const uint32_t *p, uint32_t i) {
    return (p[i >> 5] >> (i & 31)) & 1u;
}

static inline void range_set(uint32_t *p, uint32_t i, uint32_t n) {
    uint32_t w = i >> 5, sh = i & 31;
    if (sh + n <= 32) {
        p[w] |= (n == 32 ? ~0u : ((1u << n) - 1)) << sh;
        return;
    }
    p[w++] |= ~0u << sh;
    n -= 32 - sh;
    for (; n >= 32; n -= 32)
        p[w++] = ~0u;
    if (n)
        p[w] |= (1u << n) - 1;
}

static inline void range_clear(uint32_t *p, uint32_t i, uint32_t n) {
    uint32_t w = i >> 5, sh = i & 31;
    if (sh + n <= 32) {
        p[w] &= ~((n == 32 ? ~0u : ((1u << n) - 1)) << sh);
        return;
    }
    p[w++] &= ~(~0u << sh);
    n -= 32 - sh;
    for (; n >= 32; n -= 32)
        p[w++] = 0;
    if (n)
        p[w] &= ~((1u << n) - 1);
}

/* Two consecutive table words as one 64-bit value (word i + 1 in the high half): one load or
 * store on 64-bit little-endian machines. */
static inline uint64_t load2(const uint32_t *p) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    return p[0] | (uint64_t)p[1] << 32;
#endif
}
static inline void store2(uint32_t *p, uint64_t v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    p[0] = (uint32_t)v;
    p[1] = (uint32_t)(v >> 32);
#endif
}

/* Blocks of the object whose head is b: the head plus the tails that follow. The planes have
 * a zero word past the end, so the loop always stops. */
static inline uint32_t obj_len(const area *a, uint32_t b) {
    uint32_t i = b + 1, n = 1;
    for (;;) {
        uint32_t w = i >> 5, sh = i & 31;
        uint32_t t = (a->u[w] & ~a->h[w]) >> sh;
        uint32_t c = ~t ? c9_ctz32(~t) : 32u;
        n += c;
        if (c < 32 - sh)
            return n;
        i += c;
    }
}

/* ---- free runs ----------------------------------------------------------------------------- */

static inline runhdr *run_at(const area *a, uint32_t b) {
    return (runhdr *)(a->pool + ((size_t)b << BS_LOG2));
}
static inline uint32_t *tag_at(const area *a, uint32_t last) {
    return (uint32_t *)(a->pool + ((size_t)last << BS_LOG2) + BS - 4);
}

/* cls_of for n < 64. */
static const uint8_t cls_of_small[64] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  8,  9,  9,  10, 10, 11, 11, 12, 12, 12, 12, 13, 13,
    13, 13, 14, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17,
    17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19,
};

/* Class holding runs of n blocks: exact below 8, then four per power of two. */
static inline uint32_t cls_of(uint32_t n) {
    if (n < 64)
        return cls_of_small[n];
    uint32_t fl = c9_log2_32(n);
    return 8 + ((fl - 3) << 2) + ((n >> (fl - 2)) & 3);
}
/* cls_search for n < 64 (the sizes of nearly every allocation). */
static const uint8_t cls_search_small[64] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  9,  10, 10, 11, 11, 12, 12, 13, 13, 13, 13, 14,
    14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18,
    18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19, 20, 20, 20, 20, 20, 20, 20,
};

/* First class in which every run has at least n blocks. */
static inline uint32_t cls_search(uint32_t n) {
    if (n < 64)
        return cls_search_small[n];
    uint32_t fl = c9_log2_32(n);
    uint32_t c = 8 + ((fl - 3) << 2) + ((n >> (fl - 2)) & 3);
    return c + ((n & ((1u << (fl - 2)) - 1)) != 0);
}

static inline uint32_t *head_of(area *a, int set, uint32_t c) {
    return &a->hd[set][c];
}

static inline void run_insert_set(area *a, int set, uint32_t b, uint32_t n) {
    uint32_t c = cls_of(n);
    uint32_t *hd = head_of(a, set, c);
    runhdr *r = run_at(a, b);
    r->next = *hd;
    r->prev = NONE;
    r->len = n;
    if (*hd != NONE)
        run_at(a, *hd)->prev = b;
    *hd = b;
    *tag_at(a, b + n - 1) = n;
    a->bits[set][c >> 5] |= 1u << (c & 31);
}

static inline void run_insert(area *a, uint32_t b, uint32_t n) {
    run_insert_set(a, b >= a->ll_low, b, n);
}

static inline void run_remove_set(area *a, int set, const runhdr *r) {
    if (r->next != NONE)
        run_at(a, r->next)->prev = r->prev;
    if (r->prev != NONE) {
        run_at(a, r->prev)->next = r->next;
    } else {
        uint32_t c = cls_of(r->len);
        *head_of(a, set, c) = r->next;
        if (r->next == NONE)
            a->bits[set][c >> 5] &= ~(1u << (c & 31));
    }
}

static inline void run_remove(area *a, uint32_t b, const runhdr *r) {
    run_remove_set(a, b >= a->ll_low, r);
}

/* First non-empty class >= c in a set, or NONE. */
static inline uint32_t find_class(const area *a, int set, uint32_t c) {
    /* Bits past an area's own classes are always 0; c < MAX_CLS for every n <= MAX_BLOCKS. */
    const uint32_t *bits = a->bits[set];
    uint32_t w = c >> 5;
    uint32_t m = bits[w] & (~0u << (c & 31));
    while (!m) {
        if (++w >= MAX_CLS / 32)
            return NONE;
        m = bits[w];
    }
    return (w << 5) + c9_ctz32(m);
}

/* Takes n blocks from the low end of the first run of class c in a set (short-lived objects fill
 * holes from the bottom; long-lived holes are filled the same way). Returns the first block. */
static C9_ALWAYS_INLINE uint32_t take_from(area *a, int set, uint32_t c, uint32_t n) {
    uint32_t *hd = head_of(a, set, c);
    uint32_t b = *hd;
    runhdr *r = run_at(a, b);
    uint32_t len = r->len, nx = r->next, rest = len - n;
    if (rest && cls_of(rest) == c) {
        /* The rest stays in this class (common when carving a large run): the node moves up. */
        runhdr *q = run_at(a, b + n);
        q->next = nx;
        q->prev = NONE;
        q->len = rest;
        *hd = b + n;
        if (nx != NONE)
            run_at(a, nx)->prev = b + n;
        *tag_at(a, b + len - 1) = rest;
        return b;
    }
    *hd = nx;
    if (nx != NONE)
        run_at(a, nx)->prev = NONE;
    else
        a->bits[set][c >> 5] &= ~(1u << (c & 31));
    if (rest) /* the rest stays in the same zone: a run never straddles ll_low */
        run_insert_set(a, set, b + n, rest);
    return b;
}

/* Rare path: a run of exactly class cls_of(n) can still be long enough. */
static uint32_t take_exact_walk(area *a, int set, uint32_t n) {
    uint32_t c = cls_of(n);
    if (c >= a->ncls)
        return NONE;
    for (uint32_t b = *head_of(a, set, c); b != NONE; b = run_at(a, b)->next) {
        runhdr *r = run_at(a, b);
        if (r->len >= n) {
            uint32_t len = r->len;
            run_remove(a, b, r);
            if (len > n)
                run_insert(a, b + n, len - n);
            return b;
        }
    }
    return NONE;
}

/* Highest block <= i whose bit in (p ^ inv) is set, or NONE. inv = ~0 looks for clear bits. */
static uint32_t prev_bit(const uint32_t *p, uint32_t i, uint32_t inv) {
    uint32_t w = i >> 5;
    uint32_t m = (p[w] ^ inv) & (((i & 31) == 31) ? ~0u : ((1u << ((i & 31) + 1)) - 1));
    for (;;) {
        if (m)
            return (w << 5) + c9_log2_32(m);
        if (w == 0)
            return NONE;
        w--;
        m = p[w] ^ inv;
    }
}

/* Lowest block in [i, limit) whose bit in (p ^ inv) is set, or limit. */
static uint32_t next_bit(const uint32_t *p, uint32_t i, uint32_t limit, uint32_t inv) {
    if (i >= limit)
        return limit;
    uint32_t w = i >> 5;
    uint32_t m = (p[w] ^ inv) & (~0u << (i & 31));
    for (;;) {
        if (m) {
            uint32_t r = (w << 5) + c9_ctz32(m);
            return r < limit ? r : limit;
        }
        if ((++w << 5) >= limit)
            return limit;
        m = p[w] ^ inv;
    }
}

/* Long-lived fallback when the gap is too small (a live short-lived object sits just below the
 * long-lived zone): the highest free run below the zone that fits. If it is close, the zone is
 * extended down to it and the runs in between become long-lived holes, which later long-lived
 * allocations fill, so the zone stays dense; otherwise the object is placed at that run's top. */
static uint32_t take_high_fit(area *a, uint32_t n) {
    if (a->ll_low == 0)
        return NONE;
    uint32_t i = a->ll_low - 1;
    for (;;) {
        uint32_t hi = prev_bit(a->u, i, ~0u); /* the last block of a free run */
        if (hi == NONE)
            return NONE;
        uint32_t len = *tag_at(a, hi), s = hi + 1 - len;
        if (len >= n) {
            uint32_t obj = hi + 1 - n, old = a->ll_low;
            run_remove(a, s, run_at(a, s));
            if (old - obj <= a->nblocks / 8) {
                /* Move the runs between the object and the zone to the long-lived set. */
                for (uint32_t j = next_bit(a->u, hi + 1, old, ~0u); j < old;) {
                    runhdr *r = run_at(a, j);
                    uint32_t l = r->len;
                    run_remove_set(a, SET_SL, r);
                    run_insert_set(a, SET_LL, j, l);
                    j = next_bit(a->u, j + l, old, ~0u);
                }
                a->ll_low = obj;
            }
            if (len > n)
                run_insert_set(a, SET_SL, s, len - n);
            return obj;
        }
        if (s == 0)
            return NONE;
        i = s - 1;
    }
}

/* Long-lived: carve n blocks from the top of the gap run (the one ending at ll_low - 1). */
static uint32_t take_gap_top(area *a, uint32_t n) {
    if (a->ll_low == 0)
        return NONE;
    uint32_t g = a->ll_low - 1;
    if (bit_get(a->u, g))
        return NONE;
    uint32_t len = *tag_at(a, g);
    if (len < n)
        return NONE;
    uint32_t s = g + 1 - len;
    runhdr *r = run_at(a, s);
    if (len > n && cls_of(len - n) == cls_of(len)) {
        r->len = len - n; /* same class: the list node stays where it is */
        *tag_at(a, g - n) = len - n;
    } else {
        run_remove_set(a, SET_SL, r);
        if (len > n)
            run_insert_set(a, SET_SL, s, len - n);
    }
    a->ll_low -= n;
    return a->ll_low;
}

/* Returns [b, b+len) to the free lists, merging with free neighbours. When the merged run keeps
 * the class (and zone) of a neighbour, that neighbour's list node is reused in place. */
static void free_range(area *a, uint32_t b, uint32_t len) {
    uint32_t s = b, e = b + len, ll = a->ll_low;
    runhdr *lr = NULL, *rr = NULL;
    uint32_t rl = 0;
    if (s > 0 && !bit_get(a->u, s - 1)) {
        s -= *tag_at(a, s - 1);
        lr = run_at(a, s);
    }
    if (e < a->nblocks && !bit_get(a->u, e)) {
        rr = run_at(a, e);
        rl = rr->len;
    }
    uint32_t ne = e + rl, nlen = ne - s, nc = cls_of(nlen);
    int set = s >= ll;
    if (s < ll && ne > ll)
        a->ll_low = ne; /* the long-lived zone's bottom became free: it shrinks */
    if (lr) {
        if (rr)
            run_remove_set(a, e >= ll, rr);
        if (cls_of(lr->len) == nc) {
            lr->len = nlen;
            *tag_at(a, ne - 1) = nlen;
        } else {
            run_remove_set(a, set, lr);
            run_insert_set(a, set, s, nlen);
        }
    } else if (rr) {
        int rset = e >= ll;
        if (rset == set && cls_of(rl) == nc) {
            runhdr *q = run_at(a, s);
            q->next = rr->next;
            q->prev = rr->prev;
            q->len = nlen;
            if (q->prev != NONE)
                run_at(a, q->prev)->next = s;
            else
                *head_of(a, set, nc) = s;
            if (q->next != NONE)
                run_at(a, q->next)->prev = s;
            *tag_at(a, ne - 1) = nlen;
        } else {
            run_remove_set(a, rset, rr);
            run_insert_set(a, set, s, nlen);
        }
    } else {
        run_insert_set(a, set, s, nlen);
    }
}

/* ---- areas --------------------------------------------------------------------------------- */

typedef struct layout {
    size_t heads, bits, planes, pool; /* byte offsets from the area start */
    size_t end;
    uint32_t ncls, nbw, pw;
} layout;

static size_t align_up(size_t x, size_t a) {
    return (x + a - 1) & ~(a - 1);
}

static void layout_for(uintptr_t base, uint32_t nblocks, layout *l) {
    l->ncls = nblocks ? cls_search(nblocks) + 1 : 1;
    l->nbw = (l->ncls + 31) / 32;
    /* A zero word past the end stops obj_len; one more lets c9_gc_free read two words at once. */
    l->pw = nblocks / 32 + 2;
    l->heads = align_up(sizeof(area), sizeof(uint32_t));
    l->planes = l->heads + 2 * (size_t)l->ncls * sizeof(uint32_t);
    size_t after = l->planes + 3 * (size_t)l->pw * sizeof(uint32_t);
    l->pool = align_up(base + after, BS) - base;
    l->end = l->pool + (size_t)nblocks * BS;
}

/* Largest block count whose layout fits [base, base+bytes). */
static uint32_t fit_blocks(uintptr_t base, size_t bytes) {
    size_t hi = bytes / BS;
    if (hi > MAX_BLOCKS)
        hi = MAX_BLOCKS;
    uint32_t lo = 0, top = (uint32_t)hi;
    layout l;
    while (lo < top) {
        uint32_t mid = lo + (top - lo + 1) / 2;
        layout_for(base, mid, &l);
        if (l.end <= bytes)
            lo = mid;
        else
            top = mid - 1;
    }
    return lo;
}

static uintptr_t area_base(void *mem) {
    return align_up((uintptr_t)mem, _Alignof(area));
}

size_t c9_gc_area_pool_bytes(size_t region_bytes) {
    /* Alignment of a region is unknown here: assume the worst case. */
    if (region_bytes < _Alignof(area) + BS)
        return 0;
    return (size_t)fit_blocks(BS, region_bytes - _Alignof(area) - BS) * BS;
}

static area *area_setup(void *mem, size_t bytes) {
    uintptr_t base = area_base(mem);
    if (base - (uintptr_t)mem >= bytes)
        return NULL;
    bytes -= base - (uintptr_t)mem;
    uint32_t n = fit_blocks(base, bytes);
    if (n < 4)
        return NULL;
    layout l;
    layout_for(base, n, &l);
    area *a = (area *)base;
    memset(a, 0, sizeof *a);
    a->nblocks = n;
    a->span = (uintptr_t)n << BS_LOG2;
    a->pending = NONE;
    a->ll_low = n;
    a->ncls = l.ncls;
    a->nbw = l.nbw;
    a->heads = (uint32_t *)(base + l.heads);
    a->hd[SET_SL] = a->heads;
    a->hd[SET_LL] = a->heads + l.ncls;
    a->pw = l.pw;
    a->u = (uint32_t *)(base + l.planes);
    a->h = a->u + l.pw;
    a->f = a->h + l.pw;
    a->pool = (uint8_t *)(base + l.pool);
    memset(a->heads, 0xFF, 2 * (size_t)l.ncls * sizeof(uint32_t));
    memset(a->u, 0, 3 * (size_t)l.pw * sizeof(uint32_t));
    run_insert(a, 0, n);
    return a;
}

static void update_bounds(c9_gc_t *gc) {
    gc->lo = UINTPTR_MAX;
    gc->hi = 0;
    for (const area *a = gc->areas; a; a = a->next) {
        uintptr_t lo = (uintptr_t)a->pool, hi = lo + ((uintptr_t)a->nblocks << BS_LOG2);
        if (lo < gc->lo)
            gc->lo = lo;
        if (hi > gc->hi)
            gc->hi = hi;
    }
    if (gc->hi == 0)
        gc->lo = 0;
}

/* since_collect that triggers an automatic collection. */
static size_t threshold_of(const c9_gc_t *gc) {
    return (gc->cfg.collect_threshold && !gc->cfg.no_auto_collect) ? gc->cfg.collect_threshold : SIZE_MAX;
}

/* collect_at is 0 while the heap is locked or has no area, so that c9_gc_alloc's fast path
 * tests all three conditions with one compare. */
static void set_collect_at(c9_gc_t *gc) {
    gc->collect_at = (gc->locked || !gc->areas) ? 0 : threshold_of(gc);
}

static void area_link(c9_gc_t *gc, area *a) {
    area **pp = &gc->areas;
    while (*pp)
        pp = &(*pp)->next;
    *pp = a;
    update_bounds(gc);
    set_collect_at(gc);
}

c9_err_t c9_gc_init(c9_gc_t *gc, const c9_gc_config_t *cfg, void *mem, size_t bytes) {
    if (!gc || !mem)
        return C9_ERR_INVAL;
    memset(gc, 0, sizeof *gc);
    if (cfg)
        gc->cfg = *cfg;
    set_collect_at(gc);
    area *a = area_setup(mem, bytes);
    if (!a)
        return C9_ERR_NOMEM;
    gc->areas = a;
    update_bounds(gc);
    set_collect_at(gc);
    gc->free_after_collect = (size_t)a->nblocks * BS;
    return C9_OK;
}

c9_err_t c9_gc_add_area(c9_gc_t *gc, void *mem, size_t bytes) {
    if (!gc || !mem || !gc->areas)
        return C9_ERR_INVAL;
    area *a = area_setup(mem, bytes);
    if (!a)
        return C9_ERR_NOMEM;
    area_link(gc, a);
    return C9_OK;
}

void c9_gc_set_auto_collect(c9_gc_t *gc, bool enabled) {
    gc->cfg.no_auto_collect = !enabled;
    set_collect_at(gc);
}

static inline area *area_of(const c9_gc_t *gc, const void *p, uint32_t *block) {
    for (area *a = gc->areas; a; a = a->next) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)a->pool;
        if (off < ((uintptr_t)a->nblocks << BS_LOG2)) {
            if (off & (BS - 1))
                return NULL;
            *block = (uint32_t)(off >> BS_LOG2);
            return a;
        }
    }
    return NULL;
}

/* ---- allocation ---------------------------------------------------------------------------- */

static C9_NOINLINE void *zero_all(uint8_t *p, uint32_t n) {
    memset(p, 0, (size_t)n << BS_LOG2);
    return p;
}

/* Sets the table bits of a new object of n blocks at block b (address p) and clears its slack. */
static C9_ALWAYS_INLINE void *mark_new(area *a, uint32_t b, uint32_t n, unsigned flags, uint8_t *p) {
    uint32_t sh = b & 31;
    uint32_t *pl = a->u + (b >> 5); /* h and f are pw words after u */
    size_t pw = a->pw;
    if (C9_LIKELY(sh + n <= 64))
        store2(pl, load2(pl) | (~0ull >> (64 - n)) << sh); /* n >= 1; pw leaves room for two words */
    else
        range_set(a->u, b, n);
    pl[pw] |= 1u << sh;
    if (flags & C9_GC_FINALISER)
        pl[2 * pw] |= 1u << sh;
    if (C9_UNLIKELY(flags & C9_GC_ZERO))
        return zero_all(p, n);
    memset(p + ((size_t)(n - 1) << BS_LOG2), 0, BS); /* slack past the caller's bytes */
    return p;
}

static C9_ALWAYS_INLINE void *commit(c9_gc_t *gc, area *a, uint32_t b, uint32_t n, unsigned flags) {
    a->used_blocks += n;
    gc->since_collect += (size_t)n << BS_LOG2;
    return mark_new(a, b, n, flags, a->pool + ((size_t)b << BS_LOG2));
}

/* Puts the runs c9_gc_free left on an area's pending stack onto the free lists. */
static C9_NOINLINE void flush_pending(area *a) {
    uint32_t b = a->pending;
    a->pending = NONE;
    while (b != NONE) {
        runhdr *r = run_at(a, b);
        uint32_t nx = r->next, len = r->len;
        run_insert(a, b, len);
        a->unmerged++;
        b = nx;
    }
}

static void flush_all(c9_gc_t *gc) {
    for (area *a = gc->areas; a; a = a->next)
        if (a->pending != NONE)
            flush_pending(a);
}

static size_t total_region(const c9_gc_t *gc) {
    size_t t = 0;
    for (const area *a = gc->areas; a; a = a->next)
        t += (size_t)((a->pool + ((size_t)a->nblocks << BS_LOG2)) - (const uint8_t *)a);
    return t;
}

/* gc_try_add_heap: a new area that doubles the heap, or just fits this object with some room
 * to spare (CircuitPython's max(2048, n * 13 / 512)), capped at what the outside heap has. Unlike
 * CircuitPython, an area that fits the object without the spare room is still taken, so that
 * c9_gc_info's largest_obtainable is exact. */
static size_t region_for(uint32_t blocks) {
    layout l;
    layout_for(0, blocks, &l);
    return l.end + _Alignof(area) + BS;
}

static area *grow(c9_gc_t *gc, uint32_t n) {
    c9_outheap_t *oh = gc->cfg.grow_from;
    if (!oh)
        return NULL;
    size_t obj = (size_t)n << BS_LOG2;
    size_t slack = obj * 13 / 512;
    if (slack < 2048)
        slack = 2048;
    size_t minimum = region_for(n);
    size_t needed = region_for((uint32_t)((obj + slack) >> BS_LOG2));
    size_t avail = c9_outheap_largest_free(oh, gc->cfg.grow_flags);
    if (avail < minimum)
        return NULL;
    size_t want = total_region(gc);
    if (want < needed)
        want = needed;
    if (want > avail)
        want = avail;
    void *mem = c9_outheap_alloc(oh, want, gc->cfg.grow_flags);
    if (!mem)
        return NULL;
    area *a = area_setup(mem, want);
    if (!a) {
        c9_outheap_free(oh, mem);
        return NULL;
    }
    a->grown = true;
    area_link(gc, a);
    return a;
}

static uint32_t try_set(c9_gc_t *gc, int set, uint32_t n, area **out) {
    uint32_t c = cls_search(n);
    for (area *a = gc->areas; a; a = a->next) {
        uint32_t cc = find_class(a, set, c);
        if (cc != NONE) {
            *out = a;
            return take_from(a, set, cc, n);
        }
    }
    for (area *a = gc->areas; a; a = a->next) {
        uint32_t b = take_exact_walk(a, set, n);
        if (b != NONE) {
            *out = a;
            return b;
        }
    }
    return NONE;
}

static uint32_t try_long_lived(c9_gc_t *gc, uint32_t n, area **out) {
    uint32_t b = try_set(gc, SET_LL, n, out);
    if (b != NONE)
        return b;
    for (area *a = gc->areas; a; a = a->next) {
        b = take_gap_top(a, n);
        if (b != NONE) {
            *out = a;
            return b;
        }
    }
    return NONE;
}

static void rebuild_lists(area *a);

/* Merges the runs that frees left side by side; true if any area had some. */
static bool merge_runs(c9_gc_t *gc) {
    bool any = false;
    for (area *a = gc->areas; a; a = a->next) {
        if (a->unmerged) {
            rebuild_lists(a);
            any = true;
        }
    }
    return any;
}

static bool may_collect(const c9_gc_t *gc) {
    return !gc->cfg.no_auto_collect && gc->since_collect > 0;
}

static void *alloc_slow(c9_gc_t *gc, uint32_t n, unsigned flags) {
    area *a = NULL;
    uint32_t b;
    if (flags & C9_GC_LONG_LIVED) {
        b = try_long_lived(gc, n, &a);
        if (b == NONE && merge_runs(gc))
            b = try_long_lived(gc, n, &a);
        /* The gap is used up: usually by short-lived garbage just below the long-lived zone.
         * Collect (as CircuitPython 8 did before crossing zones) unless little was allocated
         * since the last collection, in which case the blocker is probably live. */
        if (b == NONE && may_collect(gc) && gc->since_collect * 8 >= gc->free_after_collect) {
            c9_gc_collect(gc, NULL, 0);
            b = try_long_lived(gc, n, &a);
        }
        for (area *x = gc->areas; b == NONE && x; x = x->next)
            if ((b = take_high_fit(x, n)) != NONE)
                a = x;
        if (b == NONE && may_collect(gc)) {
            c9_gc_collect(gc, NULL, 0);
            b = try_long_lived(gc, n, &a);
            for (area *x = gc->areas; b == NONE && x; x = x->next)
                if ((b = take_high_fit(x, n)) != NONE)
                    a = x;
        }
        if (b == NONE && (a = grow(gc, n)) != NULL)
            b = take_gap_top(a, n);
    } else {
        b = try_set(gc, SET_SL, n, &a);
        if (b == NONE && merge_runs(gc))
            b = try_set(gc, SET_SL, n, &a);
        if (b == NONE && may_collect(gc)) {
            c9_gc_collect(gc, NULL, 0);
            b = try_set(gc, SET_SL, n, &a);
        }
        if (b == NONE)
            b = try_set(gc, SET_LL, n, &a);
        if (b == NONE && (a = grow(gc, n)) != NULL)
            b = try_set(gc, SET_SL, n, &a);
    }
    if (b == NONE)
        return NULL;
    return commit(gc, a, b, n, flags);
}

/* Everything but c9_gc_alloc's fast path: argument checks, automatic collection, pending frees,
 * the first area's lists and gap, then alloc_slow's fallbacks. */
static C9_NOINLINE void *alloc_general(c9_gc_t *gc, size_t size, unsigned flags) {
    if (size - 1 >= (size_t)MAX_BLOCKS << BS_LOG2 || gc->locked)
        return NULL; /* also size 0 */
    uint32_t n = (uint32_t)((size + BS - 1) >> BS_LOG2);
    if (gc->since_collect >= threshold_of(gc))
        c9_gc_collect(gc, NULL, 0);
    flush_all(gc);
    area *a = gc->areas;
    if (a) {
        /* The first area: the best-fitting run of the zone; for long-lived objects a long-lived
         * hole, else the top of the gap. */
        int set = (flags & C9_GC_LONG_LIVED) ? SET_LL : SET_SL;
        uint32_t cc = find_class(a, set, cls_search(n));
        if (cc != NONE)
            return commit(gc, a, take_from(a, set, cc, n), n, flags);
        if (set == SET_LL) {
            uint32_t b = take_gap_top(a, n);
            if (b != NONE)
                return commit(gc, a, b, n, flags);
        }
    }
    return alloc_slow(gc, n, flags);
}

/* The first area has pending frees: reuse the last one if it fits exactly (a temporary replaced
 * by one of its size), as the class lists would have (LIFO) had the free listed it. */
static C9_NOINLINE void *alloc_pending(c9_gc_t *gc, size_t size, unsigned flags) {
    area *a = gc->areas;
    uint32_t n = (uint32_t)((size + BS - 1) >> BS_LOG2), b = a->pending;
    runhdr *r = run_at(a, b);
    if (r->len != n || (b >= a->ll_low) != ((flags & C9_GC_LONG_LIVED) != 0))
        return alloc_general(gc, size, flags);
    a->pending = r->next;
    return commit(gc, a, b, n, flags);
}

/* A long-lived object with no long-lived hole to fill: carve it from the top of the first area's
 * gap (its pending stack is empty here). */
static C9_NOINLINE void *alloc_gap(c9_gc_t *gc, size_t size, unsigned flags) {
    area *a = gc->areas;
    uint32_t n = (uint32_t)((size + BS - 1) >> BS_LOG2);
    uint32_t b = take_gap_top(a, n);
    if (b == NONE)
        return alloc_general(gc, size, flags);
    return commit(gc, a, b, n, flags);
}

/* Lowest size in class c (c >= 8): the inverse of cls_of. */
static inline uint32_t cls_min(uint32_t c) {
    return (4 + ((c - 8) & 3)) << (((c - 8) >> 2) + 1);
}

void *c9_gc_alloc(c9_gc_t *gc, size_t size, unsigned flags) {
    /* collect_at is 0 when locked or without areas: one compare sends those to alloc_general. */
    if (C9_UNLIKELY(size - 1 >= (size_t)MAX_BLOCKS << BS_LOG2 || gc->since_collect >= gc->collect_at))
        return alloc_general(gc, size, flags);
    /* Fast path, first area only, with only tail calls so that it needs no stack frame. */
    area *a = gc->areas;
    if (C9_UNLIKELY(a->pending != NONE))
        return alloc_pending(gc, size, flags);
    uint32_t n = (uint32_t)((size + BS - 1) >> BS_LOG2);
    int set = (flags & C9_GC_LONG_LIVED) ? SET_LL : SET_SL;
    uint32_t c = find_class(a, set, cls_search(n));
    if (C9_UNLIKELY(c == NONE))
        return set == SET_LL ? alloc_gap(gc, size, flags) : alloc_general(gc, size, flags);
    gc->since_collect += (size_t)n << BS_LOG2;
    a->used_blocks += n;
    uint32_t *hd = head_of(a, set, c);
    uint32_t b = *hd;
    uint8_t *pool = a->pool;
    runhdr *r = (runhdr *)(pool + ((size_t)b << BS_LOG2));
    uint32_t len = r->len, nx = r->next, rest = len - n;
    if (c >= 8 && rest >= cls_min(c)) {
        /* The rest stays in this class (carving a large run, the common case after a sweep): the
         * list node moves up by n blocks. */
        runhdr *q = (runhdr *)((uint8_t *)r + ((size_t)n << BS_LOG2));
        q->next = nx;
        q->prev = NONE;
        q->len = rest;
        *hd = b + n;
        if (nx != NONE)
            run_at(a, nx)->prev = b + n;
        *tag_at(a, b + len - 1) = rest;
    } else {
        *hd = nx;
        if (nx != NONE)
            run_at(a, nx)->prev = NONE;
        else
            a->bits[set][c >> 5] &= ~(1u << (c & 31));
        if (rest) /* the rest stays in the same zone: a run never straddles ll_low */
            run_insert_set(a, set, b + n, rest);
    }
    return mark_new(a, b, n, flags, (uint8_t *)r);
}

/* The end of a free: a run of len blocks at b (ptr) is already clear in the table. No merging and
 * no list work: the run goes on the area's pending stack ({next, len} in its first block), which
 * the next allocation either reuses whole or moves to the lists; a sweep rebuilds the lists from
 * the table anyway. */
static C9_ALWAYS_INLINE void free_finish(area *a, uint32_t b, uint32_t len, void *ptr) {
    a->used_blocks -= len;
    if (a->ll_low - b - 1 < len - 1)
        a->ll_low = b + len; /* the run would straddle the zone boundary: the zone shrinks */
    runhdr *r = ptr;
    r->next = a->pending;
    r->len = len;
    a->pending = b;
}

/* An object that runs past its head's table word: clear and count its tails word by word. */
static C9_NOINLINE void free_long(area *a, uint32_t b, void *ptr) {
    uint32_t w = b >> 5, sh = b & 31, m = 1u << sh;
    uint32_t *u = a->u, *h = a->h;
    h[w] &= ~m;
    a->f[w] &= ~m;
    u[w] &= m - 1; /* the head and every block above it in its word */
    uint32_t len = 32 - sh;
    for (;;) {
        w++;
        uint32_t t = u[w] & ~h[w];
        uint32_t c = ~t ? c9_ctz32(~t) : 32u;
        len += c;
        if (c < 32) {
            u[w] &= ~0u << c; /* c < 32 */
            break;
        }
        u[w] = 0;
    }
    free_finish(a, b, len, ptr);
}

/* Frees the object whose head is block b of area a (ptr is its address). The head's table word
 * and the next one are read together, so objects up to 33 blocks are measured and cleared with
 * one masked store; the planes are reached from one pointer (h and f are pw words after u). */
static C9_ALWAYS_INLINE void free_block(area *a, uint32_t b, void *ptr) {
    uint32_t sh = b & 31;
    uint32_t *p = a->u + (b >> 5);
    size_t pw = a->pw;
    uint64_t uw = load2(p), hw = load2(p + pw);
    uint64_t x = uw >> sh, y = hw >> sh;
    if (C9_UNLIKELY(!(x & y & 1)))
        return; /* not the head of an allocated object */
    /* Tail blocks after the head; bit 63 of tails is always 0. */
    uint64_t tails = (x & ~y) >> 1;
    uint32_t c = c9_ctz64(~tails);
    if (C9_UNLIKELY(sh + c >= 63)) {
        free_long(a, b, ptr);
        return;
    }
    uint64_t clear = ~(((2ull << c) - 1) << sh);
    store2(p, uw & clear);
    p[pw] &= ~(1u << sh);
    p[2 * pw] &= ~(1u << sh);
    free_finish(a, b, c + 1, ptr);
}

static C9_NOINLINE void free_other(c9_gc_t *gc, void *ptr) {
    uint32_t b;
    area *a = area_of(gc, ptr, &b);
    if (a)
        free_block(a, b, ptr);
}

void c9_gc_free(c9_gc_t *gc, void *ptr) {
    if (C9_UNLIKELY(gc->collect_at == 0))
        return; /* locked, or no area */
    area *a = gc->areas;
    uintptr_t off = (uintptr_t)ptr - (uintptr_t)a->pool;
    if (C9_UNLIKELY(off >= a->span)) {
        free_other(gc, ptr);
        return;
    }
    if (C9_UNLIKELY(off & (BS - 1)))
        return;
    free_block(a, (uint32_t)(off >> BS_LOG2), ptr);
}

size_t c9_gc_size(const c9_gc_t *gc, const void *ptr) {
    uint32_t b;
    area *a = area_of(gc, ptr, &b);
    if (!a || !(bit_get(a->u, b) & bit_get(a->h, b)))
        return 0;
    return (size_t)obj_len(a, b) << BS_LOG2;
}

bool c9_gc_is_object(const c9_gc_t *gc, const void *ptr) {
    return c9_gc_size(gc, ptr) != 0;
}

void *c9_gc_realloc(c9_gc_t *gc, void *ptr, size_t size, bool allow_move) {
    if (!ptr)
        return c9_gc_alloc(gc, size, 0);
    if (size == 0) {
        c9_gc_free(gc, ptr);
        return NULL;
    }
    uint32_t b;
    area *a = area_of(gc, ptr, &b);
    if (!a || gc->locked || !(bit_get(a->u, b) & bit_get(a->h, b)))
        return NULL;
    if (size - 1 >= (size_t)MAX_BLOCKS << BS_LOG2)
        return NULL;
    if (a->pending != NONE)
        flush_pending(a); /* free_range and the growth below read neighbouring runs' headers */
    uint32_t n = (uint32_t)((size + BS - 1) >> BS_LOG2);
    uint32_t len = obj_len(a, b);
    if (n <= len) {
        /* Stale words past the new end would keep objects alive: clear the last block's slack. */
        memset((uint8_t *)ptr + size, 0, ((size_t)n << BS_LOG2) - size);
        if (n == len)
            return ptr;
        range_clear(a->u, b + n, len - n);
        a->used_blocks -= len - n;
        free_range(a, b + n, len - n);
        return ptr;
    }
    uint32_t e = b + len, more = n - len;
    if (e < a->nblocks && !bit_get(a->u, e)) {
        runhdr *r = run_at(a, e);
        uint32_t rl = r->len;
        if (rl >= more) {
            run_remove(a, e, r);
            if (rl > more)
                run_insert(a, e + more, rl - more);
            range_set(a->u, e, more);
            a->used_blocks += more;
            gc->since_collect += (size_t)more << BS_LOG2;
            memset(a->pool + ((size_t)(b + n - 1) << BS_LOG2), 0, BS);
            return ptr;
        }
    }
    if (!allow_move)
        return NULL;
    unsigned flags = (bit_get(a->f, b) ? C9_GC_FINALISER : 0) | (b >= a->ll_low ? C9_GC_LONG_LIVED : 0);
    void *q = c9_gc_alloc(gc, size, flags);
    if (!q)
        return NULL;
    /* A collection inside the alloc cannot have freed ptr while the caller holds it; the area
     * could only be given back if it were empty, which ptr prevents. */
    memcpy(q, ptr, (size_t)len << BS_LOG2);
    c9_gc_free(gc, ptr);
    return q;
}

/* ---- collection ---------------------------------------------------------------------------- */

/* p is inside [gc->lo, gc->hi): mark the object it starts, if any. */
static inline void mark_hit(c9_gc_t *gc, uintptr_t p) {
    for (area *a = gc->areas; a; a = a->next) {
        uintptr_t off = p - (uintptr_t)a->pool;
        if (off < a->span) {
            if (off & (BS - 1))
                return;
            uint32_t b = (uint32_t)(off >> BS_LOG2), w = b >> 5, m = 1u << (b & 31);
            if (a->u[w] & a->h[w] & m) {
                a->u[w] &= ~m; /* head -> marked head */
                if (gc->mark_sp < C9_GC_MARK_STACK) {
                    gc->mark_stack[gc->mark_sp].area = a;
                    gc->mark_stack[gc->mark_sp].block = b;
                    gc->mark_sp++;
                } else {
                    gc->mark_overflow = true;
                }
            }
            return;
        }
    }
}

/* The conservative scan: most words are not heap addresses, so the bounds stay in registers and
 * the loop is a load, a subtract and a compare per word. */
static void scan_words(c9_gc_t *gc, const uintptr_t *w, size_t n) {
    const uintptr_t lo = gc->lo, span = gc->hi - gc->lo;
    const uintptr_t *end = w + n;
    for (; end - w >= 4; w += 4) {
        uintptr_t p0 = w[0], p1 = w[1], p2 = w[2], p3 = w[3];
        if (C9_UNLIKELY(p0 - lo < span))
            mark_hit(gc, p0);
        if (C9_UNLIKELY(p1 - lo < span))
            mark_hit(gc, p1);
        if (C9_UNLIKELY(p2 - lo < span))
            mark_hit(gc, p2);
        if (C9_UNLIKELY(p3 - lo < span))
            mark_hit(gc, p3);
    }
    for (; w < end; w++) {
        uintptr_t p = *w;
        if (C9_UNLIKELY(p - lo < span))
            mark_hit(gc, p);
    }
}

static void drain(c9_gc_t *gc) {
    while (gc->mark_sp) {
        gc->mark_sp--;
        area *a = gc->mark_stack[gc->mark_sp].area;
        uint32_t b = gc->mark_stack[gc->mark_sp].block;
        uint32_t len = obj_len(a, b);
        scan_words(gc, (const uintptr_t *)(a->pool + ((size_t)b << BS_LOG2)),
                   ((size_t)len << BS_LOG2) / sizeof(uintptr_t));
    }
}

void c9_gc_scan_range(c9_gc_t *gc, const void *start, size_t bytes) {
    if (!gc->locked || !start)
        return; /* marking outside a collection would leave heads in the marked state */
    uintptr_t s = ((uintptr_t)start + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    uintptr_t e = ((uintptr_t)start + bytes) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    if (e <= s)
        return;
    /* Roots can hold many references: drain whenever the stack fills, so that only deep
     * object graphs ever overflow it. */
    const uintptr_t lo = gc->lo, span = gc->hi - gc->lo;
    for (const uintptr_t *w = (const uintptr_t *)s; w < (const uintptr_t *)e; w++) {
        uintptr_t p = *w;
        if (p - lo < span) {
            mark_hit(gc, p);
            if (gc->mark_sp == C9_GC_MARK_STACK)
                drain(gc);
        }
    }
    drain(gc);
}

/* After a mark-stack overflow some marked objects were never scanned: rescan every marked
 * object (idempotent) until no overflow happens. */
static void mark_rescan(c9_gc_t *gc) {
    while (gc->mark_overflow) {
        gc->mark_overflow = false;
        for (area *a = gc->areas; a; a = a->next) {
            uint32_t nw = a->nblocks / 32 + 1;
            for (uint32_t w = 0; w < nw; w++) {
                uint32_t marked = a->h[w] & ~a->u[w];
                while (marked) {
                    uint32_t b = (w << 5) + c9_ctz32(marked);
                    marked &= marked - 1;
                    uint32_t len = obj_len(a, b);
                    scan_words(gc, (const uintptr_t *)(a->pool + ((size_t)b << BS_LOG2)),
                               ((size_t)len << BS_LOG2) / sizeof(uintptr_t));
                    drain(gc);
                }
            }
        }
    }
}

/* Rebuilds the free lists of an area from its table, walking down so that each list ends up in
 * ascending address order: short-lived allocations then prefer low addresses. */
static void rebuild_lists(area *a) {
    a->unmerged = 0;
    a->pending = NONE; /* the table already says those runs are free */
    memset(a->heads, 0xFF, 2 * (size_t)a->ncls * sizeof(uint32_t));
    memset(a->bits, 0, sizeof a->bits);
    uint32_t i = a->nblocks;
    while (i > 0) {
        uint32_t hi = prev_bit(a->u, i - 1, ~0u);
        if (hi == NONE)
            break;
        uint32_t lo_used = hi ? prev_bit(a->u, hi - 1, 0) : NONE;
        uint32_t lo = lo_used == NONE ? 0 : lo_used + 1;
        if (lo < a->ll_low && hi >= a->ll_low)
            a->ll_low = hi + 1;
        run_insert(a, lo, hi + 1 - lo);
        i = lo;
    }
}

/* Clears the table bits of the object whose head is b and returns its length. Its tails end at
 * the next head (marked or not) or free block. */
static inline uint32_t clear_object(area *a, uint32_t b) {
    uint32_t sh = b & 31;
    uint32_t *p = a->u + (b >> 5);
    size_t pw = a->pw;
    uint64_t uw = load2(p), hw = load2(p + pw);
    uint64_t tails = ((uw & ~hw) >> sh) >> 1;
    uint32_t c = c9_ctz64(~tails), len;
    if (C9_LIKELY(sh + c < 63)) {
        len = c + 1;
        store2(p, uw & ~(((2ull << c) - 1) << sh));
    } else {
        len = obj_len(a, b);
        range_clear(a->u, b, len);
    }
    p[pw] &= ~(1u << sh);
    return len;
}

/* Frees every unmarked object (every object if all) and turns marked heads back into heads, a
 * table word at a time: words holding only live objects cost a few instructions. */
static void sweep_area(c9_gc_t *gc, area *a, bool all) {
    uint32_t nw = a->nblocks / 32 + 1;
    uint32_t *u = a->u, *h = a->h, *f = a->f;
    for (uint32_t w = 0; w < nw; w++) {
        uint32_t hw = h[w], uw = u[w];
        if (!hw)
            continue;
        uint32_t marked = hw & ~uw;
        uint32_t garbage = all ? hw : hw & uw;
        u[w] = uw | marked; /* marked head -> head */
        while (garbage) {
            uint32_t bit = c9_ctz32(garbage);
            garbage &= garbage - 1;
            uint32_t m = 1u << bit, b = (w << 5) + bit;
            if (f[w] & m) {
                f[w] &= ~m; /* cleared first: exactly once even if the finaliser re-enters */
                if (gc->cfg.finaliser)
                    gc->cfg.finaliser(gc->cfg.ctx, a->pool + ((size_t)b << BS_LOG2));
            }
            a->used_blocks -= clear_object(a, b);
        }
    }
    if (!all)
        rebuild_lists(a);
}

static void give_back_empty(c9_gc_t *gc) {
    area **pp = &gc->areas->next;
    while (*pp) {
        area *a = *pp;
        if (a->grown && a->used_blocks == 0 && gc->cfg.grow_from) {
            *pp = a->next;
            c9_outheap_free(gc->cfg.grow_from, a);
        } else {
            pp = &a->next;
        }
    }
    update_bounds(gc);
}

void c9_gc_collect(c9_gc_t *gc, const c9_gc_range_t *ranges, size_t n) {
    if (gc->locked || !gc->areas)
        return;
    gc->locked = 1;
    set_collect_at(gc);
    gc->mark_sp = 0;
    gc->mark_overflow = false;
    for (const c9_gc_root_t *r = gc->roots; r; r = r->next)
        c9_gc_scan_range(gc, r->start, r->bytes);
    if (gc->cfg.scan_roots)
        gc->cfg.scan_roots(gc->cfg.ctx, gc);
    for (size_t i = 0; i < n; i++)
        c9_gc_scan_range(gc, ranges[i].start, ranges[i].bytes);
    mark_rescan(gc);
    size_t free_blocks = 0;
    for (area *a = gc->areas; a; a = a->next) {
        sweep_area(gc, a, false);
        free_blocks += a->nblocks - a->used_blocks;
    }
    give_back_empty(gc);
    gc->collections++;
    gc->since_collect = 0;
    gc->free_after_collect = free_blocks << BS_LOG2;
    gc->locked = 0;
    set_collect_at(gc);
}

void c9_gc_deinit(c9_gc_t *gc) {
    if (!gc->areas || gc->locked)
        return;
    gc->locked = 1;
    set_collect_at(gc);
    for (area *a = gc->areas; a; a = a->next)
        sweep_area(gc, a, true);
    area *a = gc->areas->next;
    while (a) {
        area *nx = a->next;
        if (a->grown && gc->cfg.grow_from)
            c9_outheap_free(gc->cfg.grow_from, a);
        a = nx;
    }
    gc->areas = NULL;
    update_bounds(gc);
    gc->locked = 0;
    set_collect_at(gc);
}

c9_err_t c9_gc_add_root(c9_gc_t *gc, c9_gc_root_t *root) {
    if (!gc || !root)
        return C9_ERR_INVAL;
    for (c9_gc_root_t *r = gc->roots; r; r = r->next)
        if (r == root)
            return C9_ERR_EXIST;
    root->next = gc->roots;
    gc->roots = root;
    return C9_OK;
}

c9_err_t c9_gc_remove_root(c9_gc_t *gc, c9_gc_root_t *root) {
    if (!gc || !root)
        return C9_ERR_INVAL;
    for (c9_gc_root_t **pp = &gc->roots; *pp; pp = &(*pp)->next) {
        if (*pp == root) {
            *pp = root->next;
            return C9_OK;
        }
    }
    return C9_ERR_NOENT;
}

/* The longest run of free blocks, from the table: the lists may hold unmerged neighbours. */
static uint32_t largest_run(const area *a) {
    uint32_t best = 0, i = 0;
    while (i < a->nblocks) {
        uint32_t s = next_bit(a->u, i, a->nblocks, ~0u);
        if (s >= a->nblocks)
            break;
        uint32_t e = next_bit(a->u, s, a->nblocks, 0);
        if (e - s > best)
            best = e - s;
        i = e;
    }
    return best;
}

void c9_gc_info(const c9_gc_t *gc, c9_gc_info_t *info) {
    memset(info, 0, sizeof *info);
    for (area *a = gc->areas; a; a = a->next) {
        info->areas++;
        info->total += (size_t)a->nblocks << BS_LOG2;
        info->used += (size_t)a->used_blocks << BS_LOG2;
        info->long_lived += (size_t)(a->nblocks - a->ll_low) << BS_LOG2;
        size_t l = (size_t)largest_run(a) << BS_LOG2;
        if (l > info->largest_free)
            info->largest_free = l;
    }
    info->free = info->total - info->used;
    info->collections = gc->collections;
    info->largest_obtainable = info->largest_free;
    if (gc->cfg.grow_from && gc->areas) {
        size_t avail = c9_outheap_largest_free(gc->cfg.grow_from, gc->cfg.grow_flags);
        size_t pool = c9_gc_area_pool_bytes(avail);
        if (pool > info->largest_obtainable)
            info->largest_obtainable = pool;
    }
}
