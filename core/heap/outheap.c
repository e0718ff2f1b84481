/*
 * The outside heap: a two-level segregated-fit allocator (the TLSF idea) per pool.
 *
 * Every block starts with its size word; the word before it holds a pointer to the previous
 * block, but only while that previous block is free (so a used block gives that word to its
 * user). Free blocks sit in lists indexed by (first level = log2 of the size, second level =
 * the next SL_LOG2 bits); two bitmaps say which lists are non-empty, so finding a block that is
 * certainly large enough is a couple of find-first-set operations: O(1), no scan.
 */
#include "circuit9/heap.h"

#include <string.h>

#define ALIGN 8u
#define SL_LOG2 4u
#define SL_COUNT (1u << SL_LOG2)
#define SMALL (SL_COUNT * ALIGN) /* below this, the second level alone is exact */
#define FL_SHIFT 6u              /* fls(SMALL) - 1: first level 1 starts at SMALL */
#define FL_COUNT (C9_OUTHEAP_MAX_LOG2 - FL_SHIFT + 1)

#define BIT_FREE ((size_t)1)
#define BIT_PREV_FREE ((size_t)2)
#define SIZE_MASK (~(size_t)(ALIGN - 1))

typedef struct blk {
    struct blk *prev_phys; /* lives in the previous block's last word; valid while it is free */
    /* payload bytes | BIT_FREE | BIT_PREV_FREE. The slot is ALIGN bytes wide, so that a payload
     * that is a multiple of ALIGN puts the next payload on an ALIGN boundary too: with 32-bit
     * words (a Cortex-M) a bare size_t would leave every other payload 4 bytes off. */
    union {
        size_t size;
        unsigned char slot_[ALIGN];
    };
    struct blk *next_free; /* payload starts here */
    struct blk *prev_free;
} blk;

#define PAYLOAD_OFS offsetof(blk, next_free)
#define HDR (PAYLOAD_OFS - sizeof(blk *)) /* bytes a used block costs besides its payload */
_Static_assert(HDR % ALIGN == 0 && ALIGN % sizeof(blk *) == 0, "block header keeps payloads aligned");
/* A free block holds its two links plus the next block's prev_phys word. */
#define BLOCK_MIN (sizeof(blk) - sizeof(blk *))
#define BLOCK_MAX (((size_t)1 << C9_OUTHEAP_MAX_LOG2) - 1)

struct c9_outheap_pool {
    uint32_t fl_map;
    uint32_t sl_map[FL_COUNT];
    blk *heads[FL_COUNT][SL_COUNT];
    char *lo, *hi;   /* payload range of the pool, for ownership checks */
    size_t capacity; /* bytes of the initial free block, headers included */
    size_t nallocs;
};

_Static_assert(C9_OUTHEAP_MAX_LOG2 < 8 * sizeof(size_t) && C9_OUTHEAP_MAX_LOG2 <= 31 + FL_SHIFT,
               "C9_OUTHEAP_MAX_LOG2 out of range");
_Static_assert(FL_COUNT <= 32, "first-level bitmap is 32 bits");

static inline unsigned fls_sz(size_t x) { /* index of the highest set bit, x != 0 */
#if SIZE_MAX > 0xFFFFFFFFu
    return 63u - c9_clz64((uint64_t)x);
#else
    return c9_log2_32((uint32_t)x);
#endif
}

static inline size_t bsize(const blk *b) {
    return b->size & SIZE_MASK;
}
static inline void *payload(blk *b) {
    return (char *)b + PAYLOAD_OFS;
}
static inline blk *from_payload(const void *p) {
    return (blk *)((char *)p - PAYLOAD_OFS);
}
static inline blk *next_phys(const blk *b) {
    return (blk *)((char *)b + PAYLOAD_OFS + bsize(b) - sizeof(blk *));
}

static inline void mapping(size_t size, unsigned *fl, unsigned *sl) {
    if (size < SMALL) {
        *fl = 0;
        *sl = (unsigned)(size / ALIGN);
    } else {
        unsigned f = fls_sz(size);
        *sl = (unsigned)(size >> (f - SL_LOG2)) ^ SL_COUNT;
        *fl = f - FL_SHIFT;
    }
}

static void list_insert(struct c9_outheap_pool *p, blk *b) {
    unsigned fl, sl;
    mapping(bsize(b), &fl, &sl);
    blk *h = p->heads[fl][sl];
    b->next_free = h;
    b->prev_free = NULL;
    if (h)
        h->prev_free = b;
    p->heads[fl][sl] = b;
    p->fl_map |= 1u << fl;
    p->sl_map[fl] |= 1u << sl;
}

static void list_remove(struct c9_outheap_pool *p, blk *b) {
    blk *n = b->next_free, *pr = b->prev_free;
    if (n)
        n->prev_free = pr;
    if (pr) {
        pr->next_free = n;
    } else {
        unsigned fl, sl;
        mapping(bsize(b), &fl, &sl);
        p->heads[fl][sl] = n;
        if (!n) {
            p->sl_map[fl] &= ~(1u << sl);
            if (!p->sl_map[fl])
                p->fl_map &= ~(1u << fl);
        }
    }
}

/* A free block at least `size` bytes, removed from its list, or NULL. */
static blk *take_fit(struct c9_outheap_pool *p, size_t size) {
    unsigned fl, sl;
    size_t rounded = size;
    if (size >= SMALL)
        rounded += ((size_t)1 << (fls_sz(size) - SL_LOG2)) - 1; /* every block of the class fits */
    if (rounded > BLOCK_MAX)
        rounded = BLOCK_MAX;
    mapping(rounded, &fl, &sl);
    uint32_t slm = p->sl_map[fl] & (~0u << sl);
    if (!slm) {
        uint32_t flm = fl + 1 < 32 ? p->fl_map & (~0u << (fl + 1)) : 0;
        if (!flm) {
            /* Rare path, taken only when the allocation would otherwise fail: the class of the
             * exact size may still hold a block that is large enough. */
            mapping(size, &fl, &sl);
            for (blk *b = p->heads[fl][sl]; b; b = b->next_free) {
                if (bsize(b) >= size) {
                    list_remove(p, b);
                    return b;
                }
            }
            return NULL;
        }
        fl = c9_ctz32(flm);
        slm = p->sl_map[fl];
    }
    sl = c9_ctz32(slm);
    blk *b = p->heads[fl][sl];
    /* Inline removal of a list head. */
    blk *n = b->next_free;
    p->heads[fl][sl] = n;
    if (n) {
        n->prev_free = NULL;
    } else {
        p->sl_map[fl] &= ~(1u << sl);
        if (!p->sl_map[fl])
            p->fl_map &= ~(1u << fl);
    }
    return b;
}

size_t c9_outheap_pool_overhead(void) {
    /* control table, alignment of both ends and of the first payload, the first block's header and
     * the end sentinel: an upper bound */
    return sizeof(struct c9_outheap_pool) + 3 * ALIGN + PAYLOAD_OFS + HDR;
}

c9_err_t c9_outheap_init(c9_outheap_t *oh, size_t budget) {
    if (!oh)
        return C9_ERR_INVAL;
    memset(oh, 0, sizeof *oh);
    oh->budget = budget;
    return C9_OK;
}

c9_err_t c9_outheap_add_pool(c9_outheap_t *oh, void *mem, size_t bytes, unsigned kind) {
    if (!oh || !mem || kind > C9_OUTHEAP_POOL_PSRAM)
        return C9_ERR_INVAL;
    if (oh->npools >= C9_OUTHEAP_MAX_POOLS)
        return C9_ERR_NOMEM;
    uintptr_t start = ((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    uintptr_t end = ((uintptr_t)mem + bytes) & ~(uintptr_t)(ALIGN - 1);
    /* The first block is placed so that its payload, like every other, is ALIGN-aligned. */
    uintptr_t first =
        ((start + sizeof(struct c9_outheap_pool) + PAYLOAD_OFS + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1)) - PAYLOAD_OFS;
    if (end < start || end - start < sizeof(struct c9_outheap_pool) + PAYLOAD_OFS + HDR + BLOCK_MIN + 2 * ALIGN)
        return C9_ERR_NOMEM;
    /* The sentinel is a zero-sized used block whose size word is the pool's last word. */
    blk *sentinel = (blk *)(end - PAYLOAD_OFS);
    blk *b = (blk *)first;
    size_t size = (size_t)((char *)sentinel - (char *)b) - HDR;
    if (size > BLOCK_MAX)
        return C9_ERR_RANGE;
    struct c9_outheap_pool *p = (struct c9_outheap_pool *)start;
    memset(p, 0, sizeof *p);
    b->size = size | BIT_FREE; /* the first block has no previous block */
    sentinel->prev_phys = b;
    sentinel->size = BIT_PREV_FREE;
    list_insert(p, b);
    p->lo = (char *)payload(b);
    p->hi = (char *)sentinel;
    p->capacity = size + HDR;
    oh->pools[oh->npools] = p;
    oh->kind[oh->npools] = (uint8_t)kind;
    oh->npools++;
    return C9_OK;
}

static void *pool_alloc(c9_outheap_t *oh, struct c9_outheap_pool *p, size_t size) {
    blk *b = take_fit(p, size);
    if (!b)
        return NULL;
    size_t have = bsize(b);
    size_t charged = have;
    if (have >= size + HDR + BLOCK_MIN) {
        /* Split: the rest becomes a free block right after the part we keep. */
        blk *r = (blk *)((char *)b + PAYLOAD_OFS + size - sizeof(blk *));
        r->size = (have - size - HDR) | BIT_FREE; /* previous (ours) is used: no PREV_FREE */
        next_phys(r)->prev_phys = r;
        b->size = size | (b->size & BIT_PREV_FREE);
        list_insert(p, r);
        charged = size;
    } else {
        b->size &= ~BIT_FREE;
        next_phys(b)->size &= ~BIT_PREV_FREE;
    }
    if (oh->budget && oh->used + charged + HDR > oh->budget) {
        /* Undo: rare, only at the budget's edge. */
        b->size |= BIT_FREE;
        blk *n = next_phys(b);
        if (n->size & BIT_FREE) {
            list_remove(p, n);
            b->size += bsize(n) + HDR;
        }
        next_phys(b)->prev_phys = b;
        next_phys(b)->size |= BIT_PREV_FREE;
        list_insert(p, b);
        return NULL;
    }
    oh->used += charged + HDR;
    p->nallocs++;
    return payload(b);
}

/* Pool visiting order for flags: PSRAM first by default, internal first with FAST, internal
 * only with DMA. Returns the number of pools written to order[]. */
static unsigned pool_order(const c9_outheap_t *oh, unsigned flags, unsigned order[C9_OUTHEAP_MAX_POOLS]) {
    unsigned n = 0;
    unsigned first_kind =
        (flags & (C9_OUTHEAP_DMA | C9_OUTHEAP_FAST)) ? C9_OUTHEAP_POOL_INTERNAL : C9_OUTHEAP_POOL_PSRAM;
    for (unsigned pass = 0; pass < 2; pass++) {
        unsigned want = pass == 0 ? first_kind : first_kind ^ 1u;
        if (pass == 1 && (flags & C9_OUTHEAP_DMA))
            break;
        for (unsigned i = 0; i < oh->npools; i++)
            if (oh->kind[i] == want)
                order[n++] = i;
    }
    return n;
}

static size_t adjust(size_t size) {
    if (size < BLOCK_MIN)
        return BLOCK_MIN;
    if (size > BLOCK_MAX)
        return 0;
    return (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

void *c9_outheap_alloc(c9_outheap_t *oh, size_t size, unsigned flags) {
    size_t sz = adjust(size);
    if (!sz)
        return NULL;
    if (oh->npools == 1 && !(flags & C9_OUTHEAP_DMA && oh->kind[0] != C9_OUTHEAP_POOL_INTERNAL))
        return pool_alloc(oh, oh->pools[0], sz); /* the common case: one pool */
    unsigned order[C9_OUTHEAP_MAX_POOLS];
    unsigned n = pool_order(oh, flags, order);
    for (unsigned i = 0; i < n; i++) {
        void *r = pool_alloc(oh, oh->pools[order[i]], sz);
        if (r)
            return r;
    }
    return NULL;
}

static struct c9_outheap_pool *owner(const c9_outheap_t *oh, const void *ptr) {
    for (unsigned i = 0; i < oh->npools; i++) {
        struct c9_outheap_pool *p = oh->pools[i];
        if ((const char *)ptr >= p->lo && (const char *)ptr < p->hi)
            return p;
    }
    return NULL;
}

void c9_outheap_free(c9_outheap_t *oh, void *ptr) {
    if (!ptr)
        return;
    struct c9_outheap_pool *p = owner(oh, ptr);
    if (!p)
        return;
    blk *b = from_payload(ptr);
    if (b->size & BIT_FREE)
        return; /* double free: ignore rather than corrupt the lists */
    oh->used -= bsize(b) + HDR;
    p->nallocs--;
    if (b->size & BIT_PREV_FREE) {
        blk *pr = b->prev_phys;
        list_remove(p, pr);
        pr->size += bsize(b) + HDR;
        b = pr;
    }
    blk *n = next_phys(b);
    if (n->size & BIT_FREE) {
        list_remove(p, n);
        b->size += bsize(n) + HDR;
        n = next_phys(b);
    }
    b->size |= BIT_FREE;
    n->prev_phys = b;
    n->size |= BIT_PREV_FREE;
    list_insert(p, b);
}

size_t c9_outheap_usable_size(const void *ptr) {
    return ptr ? bsize(from_payload(ptr)) : 0;
}

void *c9_outheap_realloc(c9_outheap_t *oh, void *ptr, size_t size, unsigned flags) {
    if (!ptr)
        return c9_outheap_alloc(oh, size, flags);
    struct c9_outheap_pool *p = owner(oh, ptr);
    size_t sz = adjust(size);
    if (!p || !sz)
        return NULL;
    blk *b = from_payload(ptr);
    size_t have = bsize(b);
    blk *n = next_phys(b);
    size_t room = have + ((n->size & BIT_FREE) ? bsize(n) + HDR : 0);
    if (sz <= room && (sz <= have || !oh->budget || oh->used + (sz - have) <= oh->budget)) {
        /* In place: absorb the next free block if needed, then split off the excess. */
        if (sz > have) {
            list_remove(p, n);
            b->size += bsize(n) + HDR;
            next_phys(b)->size &= ~BIT_PREV_FREE;
            oh->used += bsize(n) + HDR;
        }
        have = bsize(b);
        if (have >= sz + HDR + BLOCK_MIN) {
            blk *r = (blk *)((char *)b + PAYLOAD_OFS + sz - sizeof(blk *));
            r->size = (have - sz - HDR) | BIT_FREE;
            b->size = sz | (b->size & BIT_PREV_FREE);
            oh->used -= have - sz;
            blk *rn = next_phys(r);
            if (rn->size & BIT_FREE) { /* merge with a free block after the rest */
                list_remove(p, rn);
                r->size += bsize(rn) + HDR;
                rn = next_phys(r);
            }
            rn->prev_phys = r;
            rn->size |= BIT_PREV_FREE;
            list_insert(p, r);
        }
        return ptr;
    }
    void *q = c9_outheap_alloc(oh, size, flags);
    if (!q)
        return NULL;
    memcpy(q, ptr, have < size ? have : size);
    c9_outheap_free(oh, ptr);
    return q;
}

static size_t pool_largest(const struct c9_outheap_pool *p) {
    if (!p->fl_map)
        return 0;
    unsigned fl = c9_log2_32(p->fl_map);
    unsigned sl = c9_log2_32(p->sl_map[fl]);
    size_t best = 0;
    for (const blk *b = p->heads[fl][sl]; b; b = b->next_free)
        if (bsize(b) > best)
            best = bsize(b);
    return best;
}

size_t c9_outheap_largest_free(const c9_outheap_t *oh, unsigned flags) {
    unsigned order[C9_OUTHEAP_MAX_POOLS];
    unsigned n = pool_order(oh, flags, order);
    size_t best = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t l = pool_largest(oh->pools[order[i]]);
        if (l > best)
            best = l;
    }
    if (oh->budget) {
        size_t left = oh->budget > oh->used + HDR ? oh->budget - oh->used - HDR : 0;
        left &= ~(size_t)(ALIGN - 1);
        if (left < best)
            best = left;
    }
    return best;
}

void c9_outheap_info(const c9_outheap_t *oh, unsigned flags, c9_outheap_info_t *info) {
    unsigned order[C9_OUTHEAP_MAX_POOLS];
    unsigned n = flags ? pool_order(oh, flags, order) : oh->npools;
    memset(info, 0, sizeof *info);
    size_t pool_free = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct c9_outheap_pool *p = oh->pools[flags ? order[i] : i];
        info->total += p->capacity;
        info->allocations += p->nallocs;
        size_t f = 0;
        for (unsigned fl = 0; fl < FL_COUNT; fl++)
            for (unsigned sl = 0; sl < SL_COUNT; sl++)
                for (const blk *b = p->heads[fl][sl]; b; b = b->next_free)
                    f += bsize(b) + HDR;
        pool_free += f;
    }
    info->used = info->total - pool_free;
    if (oh->budget && oh->budget < info->total)
        info->total = oh->budget;
    info->free = info->total > info->used ? info->total - info->used : 0;
    info->largest_free = c9_outheap_largest_free(oh, flags);
}

static void *view_alloc(void *ctx, size_t size) {
    c9_outheap_view_t *v = ctx;
    return c9_outheap_alloc(v->oh, size, v->flags);
}
static void view_free(void *ctx, void *ptr, size_t size) {
    (void)size;
    c9_outheap_view_t *v = ctx;
    c9_outheap_free(v->oh, ptr);
}
static void *view_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
    (void)old_size;
    c9_outheap_view_t *v = ctx;
    return c9_outheap_realloc(v->oh, ptr, new_size, v->flags);
}

c9_err_t c9_outheap_allocator(c9_outheap_view_t *view, c9_outheap_t *oh, unsigned flags, c9_allocator_t *out) {
    if (!view || !oh || !out)
        return C9_ERR_INVAL;
    view->oh = oh;
    view->flags = flags;
    out->alloc = view_alloc;
    out->free = view_free;
    out->realloc = view_realloc;
    out->ctx = view;
    return C9_OK;
}
