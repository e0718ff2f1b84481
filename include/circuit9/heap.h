/*
 * circuit9 split heap: a garbage-collected heap made of areas, the "outside" heap it grows
 * from, and long-lived placement that never moves an object.
 *
 * The outside heap (c9_outheap_*) is an O(1) two-level segregated-fit allocator over one or
 * more pools (fast internal RAM, PSRAM). It is what CircuitPython 9 calls port_malloc(): native
 * buffers live there, outside the garbage collector, and c9_outheap_allocator() exposes it as a
 * c9_allocator_t with an optional fixed budget.
 *
 * The GC heap (c9_gc_*) divides each area into blocks (C9_GC_BLOCK_SIZE bytes) described by a
 * 2-bit allocation table (free / head / tail / marked head, stored as two bit planes) and a
 * finaliser bit per block. Free runs are kept in segregated lists so that allocation does not
 * scan the table. Marking is conservative: a word is a reference when it points exactly at the
 * start of an allocated object. Objects never move. An allocation flagged C9_GC_LONG_LIVED is
 * placed at the top of an area, growing downwards, while short-lived objects fill holes and the
 * bottom of the area, so churn never strands free memory between long-lived objects.
 *
 *     static uint8_t board_ram[64 * 1024];
 *     c9_outheap_t oh;
 *     c9_outheap_init(&oh, 0);
 *     c9_outheap_add_pool(&oh, board_ram, sizeof board_ram, C9_OUTHEAP_POOL_INTERNAL);
 *
 *     static c9_gc_t gc;
 *     c9_gc_config_t cfg = {.grow_from = &oh, .scan_roots = scan_stack, .finaliser = run_del};
 *     void *first = c9_outheap_alloc(&oh, 8192, 0);
 *     c9_gc_init(&gc, &cfg, first, 8192);
 *     void *obj = c9_gc_alloc(&gc, 40, C9_GC_FINALISER);
 *     void *code = c9_gc_alloc(&gc, 300, C9_GC_LONG_LIVED);
 *     c9_gc_collect(&gc, NULL, 0);
 *     ...
 *     c9_gc_deinit(&gc);   // runs the remaining finalisers, gives grown areas back
 *
 * Nothing here is thread-safe; callers serialise access (the VM lock).
 */
#ifndef CIRCUIT9_HEAP_H
#define CIRCUIT9_HEAP_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Knobs: C9_GC_BLOCK_SIZE, C9_GC_MARK_STACK, C9_OUTHEAP_MAX_POOLS, C9_OUTHEAP_MAX_LOG2 (config.h). */

/* ---------------------------------------------------------------------------------------------
 * Outside heap
 * ------------------------------------------------------------------------------------------- */

/* Pool kinds (c9_outheap_add_pool). Internal RAM is fast and DMA capable; PSRAM is neither. */
enum {
    C9_OUTHEAP_POOL_INTERNAL = 0,
    C9_OUTHEAP_POOL_PSRAM = 1,
};

/* Allocation flags. Without flags, PSRAM pools are tried first, so internal RAM stays available
 * for DMA, as CircuitPython does on boards with SPIRAM. */
enum {
    C9_OUTHEAP_DMA = 1u << 0,  /* internal pools only (CircuitPython's dma_capable) */
    C9_OUTHEAP_FAST = 1u << 1, /* internal pools first, then PSRAM */
};

struct c9_outheap_pool;

typedef struct c9_outheap {
    struct c9_outheap_pool *pools[C9_OUTHEAP_MAX_POOLS];
    uint8_t kind[C9_OUTHEAP_MAX_POOLS];
    unsigned npools;
    size_t budget; /* 0: no limit besides the pools */
    size_t used;   /* bytes of allocated blocks, headers included */
} c9_outheap_t;

typedef struct c9_outheap_info {
    size_t total;        /* bytes the pools can hand out (after their own tables), or the budget */
    size_t used;         /* bytes in allocated blocks, headers included */
    size_t free;         /* total - used */
    size_t largest_free; /* largest size c9_outheap_alloc() would satisfy right now */
    size_t allocations;  /* live allocations */
} c9_outheap_info_t;

/* Prepares an empty outside heap. budget (bytes, headers included) caps what the pools may hand
 * out: a board's memory budget; 0 means no cap. Always C9_OK (C9_ERR_INVAL if oh is NULL). */
c9_err_t c9_outheap_init(c9_outheap_t *oh, size_t budget);

/* Adds [mem, mem+bytes) as a pool of the given kind. The pool's control table lives at the start
 * of the memory (c9_outheap_pool_overhead() bytes).
 * Errors: C9_ERR_INVAL (bad kind, NULL), C9_ERR_NOMEM (too small for the table plus one block,
 * or C9_OUTHEAP_MAX_POOLS reached), C9_ERR_RANGE (larger than 2^C9_OUTHEAP_MAX_LOG2). */
c9_err_t c9_outheap_add_pool(c9_outheap_t *oh, void *mem, size_t bytes, unsigned kind);

/* Bytes of a pool taken by its control table, alignment and boundary blocks, at most. */
size_t c9_outheap_pool_overhead(void);

/* Allocates size bytes, 8-byte aligned, in O(1). Returns NULL when no pool allowed by flags has a
 * block that large or when the budget would be exceeded. size 0 gives a unique minimal block. */
void *c9_outheap_alloc(c9_outheap_t *oh, size_t size, unsigned flags);

/* Frees a block from c9_outheap_alloc/realloc in O(1). NULL is ignored; a pointer outside every
 * pool is ignored too (it cannot be ours). */
void c9_outheap_free(c9_outheap_t *oh, void *ptr);

/* Resizes in place when the following block is free, else allocates, copies and frees. On
 * failure returns NULL and leaves ptr untouched. ptr NULL acts as alloc. */
void *c9_outheap_realloc(c9_outheap_t *oh, void *ptr, size_t size, unsigned flags);

/* Usable bytes of an allocated block (>= the size asked for). */
size_t c9_outheap_usable_size(const void *ptr);

/* The largest size an allocation with these flags would get right now (0 if none). */
size_t c9_outheap_largest_free(const c9_outheap_t *oh, unsigned flags);

/* Totals over the pools allowed by flags (pass 0 for all pools). */
void c9_outheap_info(const c9_outheap_t *oh, unsigned flags, c9_outheap_info_t *info);

/* Storage for an allocator adapter; keep it alive as long as the allocator is used. */
typedef struct c9_outheap_view {
    c9_outheap_t *oh;
    unsigned flags;
} c9_outheap_view_t;

/* Fills *out with a c9_allocator_t whose ctx is view, allocating from oh with flags. The sized
 * free ignores its size (blocks know theirs). Errors: C9_ERR_INVAL on NULL arguments. */
c9_err_t c9_outheap_allocator(c9_outheap_view_t *view, c9_outheap_t *oh, unsigned flags, c9_allocator_t *out);

/* ---------------------------------------------------------------------------------------------
 * Garbage-collected heap
 * ------------------------------------------------------------------------------------------- */

typedef struct c9_gc c9_gc_t;

/* Allocation flags. */
enum {
    C9_GC_FINALISER = 1u << 0,  /* call the config's finaliser when the object is collected */
    C9_GC_LONG_LIVED = 1u << 1, /* compiled code, interned strings, types, module data */
    C9_GC_ZERO = 1u << 2,       /* zero the whole object (otherwise only its last block) */
};

/* Called during a sweep for each unreachable object allocated with C9_GC_FINALISER, once. The
 * heap is locked meanwhile: c9_gc_alloc returns NULL and c9_gc_free is ignored. */
typedef void (*c9_gc_finaliser_fn)(void *ctx, void *obj);
/* Called at the start of every collection to scan what only the caller knows (the C stack,
 * registers, the Python stack) with c9_gc_scan_range(). */
typedef void (*c9_gc_scan_fn)(void *ctx, c9_gc_t *gc);

typedef struct c9_gc_config {
    c9_gc_finaliser_fn finaliser; /* may be NULL */
    c9_gc_scan_fn scan_roots;     /* may be NULL: then only registered roots are scanned */
    void *ctx;                    /* passed to both callbacks */
    c9_outheap_t *grow_from;      /* NULL: never grow */
    unsigned grow_flags;          /* c9_outheap_alloc flags for new areas */
    /* Collect automatically once this many bytes were allocated since the last collection,
     * which keeps short-lived churn in a compact zone. 0: collect only when memory runs out. */
    size_t collect_threshold;
    bool no_auto_collect; /* like gc.disable(): never collect inside c9_gc_alloc */
} c9_gc_config_t;

/* A registered root: [start, start+bytes) is scanned conservatively by every collection. The
 * caller owns the struct and may change start/bytes between collections. */
typedef struct c9_gc_root {
    const void *start;
    size_t bytes;
    struct c9_gc_root *next;
} c9_gc_root_t;

typedef struct c9_gc_range {
    const void *start;
    size_t bytes;
} c9_gc_range_t;

typedef struct c9_gc_info {
    size_t total;              /* pool bytes over all areas */
    size_t used;               /* bytes in allocated blocks */
    size_t free;               /* total - used */
    size_t largest_free;       /* largest object that fits in an existing area */
    size_t largest_obtainable; /* largest object an allocation could get, growing if allowed */
    size_t long_lived;         /* bytes in the long-lived zones (top of each area) */
    uint32_t areas;
    uint32_t collections;
} c9_gc_info_t;

struct c9_gc_area;

/* The heap state. Fields are private; the struct is public so that it can be static. */
struct c9_gc {
    struct c9_gc_area *areas; /* first area first; the first one is never given back */
    c9_gc_config_t cfg;
    c9_gc_root_t *roots;
    size_t since_collect; /* bytes allocated since the last collection */
    size_t collect_at;    /* since_collect that triggers an automatic collection */
    size_t free_after_collect;
    uintptr_t lo, hi; /* bounds of all pools: one compare rejects most words while marking */
    uint32_t collections;
    uint32_t locked;
    bool mark_overflow;
    uint32_t mark_sp;
    struct {
        struct c9_gc_area *area;
        uint32_t block;
    } mark_stack[C9_GC_MARK_STACK];
};

/* Bytes an area needs besides its pool: c9_gc_area_pool_bytes(n) gives the pool an n-byte
 * region provides. */
size_t c9_gc_area_pool_bytes(size_t region_bytes);

/* Starts a heap whose first area is [mem, mem+bytes). cfg may be NULL (no callbacks, no growth).
 * Errors: C9_ERR_INVAL (NULL gc or mem), C9_ERR_NOMEM (region too small for a few blocks). */
c9_err_t c9_gc_init(c9_gc_t *gc, const c9_gc_config_t *cfg, void *mem, size_t bytes);

/* Adds [mem, mem+bytes) as a further area (gc_add). The caller keeps ownership: the area is
 * never given back. Errors: C9_ERR_INVAL, C9_ERR_NOMEM as for c9_gc_init. */
c9_err_t c9_gc_add_area(c9_gc_t *gc, void *mem, size_t bytes);

/* Runs every pending finaliser (unreachable or not), gives grown areas back to the outside heap
 * and leaves the heap empty with no areas; c9_gc_init() may be called again. */
void c9_gc_deinit(c9_gc_t *gc);

/* Allocates size bytes, block aligned. Short-lived objects take the best-fitting hole; long-lived
 * ones are carved from the top of an area. When nothing fits the heap collects (unless disabled),
 * then grows from the outside heap (doubling the heap, or just enough for this object), then
 * returns NULL. Also NULL for size 0 or while a collection runs. */
void *c9_gc_alloc(c9_gc_t *gc, size_t size, unsigned flags);

/* Frees an object at once (m_del). Its finaliser is not called. Pointers that are not the start
 * of an allocated object, and NULL, are ignored. Constant time for objects up to 33 blocks: the
 * freed run is reused by the next allocation of the same size or listed by the next allocation
 * of another size (merging with free neighbours waits for the next collection). This is the path
 * the runtime uses; no size needs to be passed. */
void c9_gc_free(c9_gc_t *gc, void *ptr);

/* Resizes an object, in place when possible (shrinking, or growing into a free run that follows).
 * Otherwise, if allow_move, allocates a new object with the same finaliser and long-lived
 * placement, copies and frees the old one. Returns NULL on failure (ptr stays valid) or when size
 * is 0 (ptr is freed). ptr NULL acts as c9_gc_alloc(gc, size, 0). */
void *c9_gc_realloc(c9_gc_t *gc, void *ptr, size_t size, bool allow_move);

/* Bytes of the object starting at ptr (whole blocks), 0 if ptr is not the start of one. */
size_t c9_gc_size(const c9_gc_t *gc, const void *ptr);

/* True when ptr is the start of an allocated object in this heap. */
bool c9_gc_is_object(const c9_gc_t *gc, const void *ptr);

/* Registers / removes a root range. add returns C9_ERR_EXIST if root is already registered,
 * C9_ERR_INVAL on NULL; remove returns C9_ERR_NOENT if it was not registered. */
c9_err_t c9_gc_add_root(c9_gc_t *gc, c9_gc_root_t *root);
c9_err_t c9_gc_remove_root(c9_gc_t *gc, c9_gc_root_t *root);

/* Marks everything reachable from the words in [start, start+bytes) (unaligned ends are
 * trimmed). Only meaningful inside a collection, from the c9_gc_scan_fn callback. */
void c9_gc_scan_range(c9_gc_t *gc, const void *start, size_t bytes);

/* A full collection: mark from the registered roots, the scan callback and ranges[0..n), then
 * sweep (finalisers run), then give empty grown areas back. Ignored while one runs. */
void c9_gc_collect(c9_gc_t *gc, const c9_gc_range_t *ranges, size_t n);

/* Enables or disables automatic collection inside c9_gc_alloc (gc.enable / gc.disable). */
void c9_gc_set_auto_collect(c9_gc_t *gc, bool enabled);

void c9_gc_info(const c9_gc_t *gc, c9_gc_info_t *info);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HEAP_H */
