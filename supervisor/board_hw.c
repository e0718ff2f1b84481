#include "board_hw.h"
#include "c9py.h"
#include "c9rt.h"
#include "circuit9/heap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static c9_outheap_t heap;
static c9_outheap_view_t view;
static c9_allocator_t allocator;

#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer every native buffer is also a block of its own from malloc: the board's
 * heap still decides whether it fits (and gc.mem_free() counts it), but the bytes live where the
 * sanitizer sees a use after free or an overflow, which it cannot inside the heap's pools. */
static c9_allocator_t budget;

typedef struct {
    void *board; /* the block the budget holds for it */
    size_t size;
} shadow_t;

#define SHADOW_HEAD ((sizeof(shadow_t) + 15u) & ~(size_t)15u)

static void *shadow_alloc(void *ctx, size_t size) {
    (void)ctx;
    void *board = budget.alloc(budget.ctx, size);
    uint8_t *p = board ? malloc(SHADOW_HEAD + size) : NULL;
    if (!p) {
        if (board) {
            budget.free(budget.ctx, board, size);
        }
        return NULL;
    }
    ((shadow_t *)p)->board = board;
    ((shadow_t *)p)->size = size;
    return p + SHADOW_HEAD;
}

static void shadow_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    (void)size; /* the shadow block records the size the budget gave */
    if (ptr) {
        shadow_t *h = (shadow_t *)((uint8_t *)ptr - SHADOW_HEAD);
        budget.free(budget.ctx, h->board, h->size);
        free(h);
    }
}

static void *shadow_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
    if (!ptr) {
        return shadow_alloc(ctx, new_size);
    }
    void *p = shadow_alloc(ctx, new_size);
    if (p) {
        memcpy(p, ptr, C9_MIN(old_size, new_size));
        shadow_free(ctx, ptr, old_size);
    }
    return p;
}
#endif

int board_memory_init(const c9_board_t *b) {
    c9_outheap_init(&heap, 0);
    /* PSRAM first, as the outside heap prefers it for non-DMA buffers; internal RAM as well. */
    uint32_t sizes[2] = {b->psram_bytes, b->sram_bytes};
    unsigned kinds[2] = {C9_OUTHEAP_POOL_PSRAM, C9_OUTHEAP_POOL_INTERNAL};
    for (int i = 0; i < 2; i++) {
        if (!sizes[i]) {
            continue;
        }
        /* Untouched pages cost nothing on the host until a buffer uses them. */
        void *mem = malloc(sizes[i]);
        if (!mem || c9_outheap_add_pool(&heap, mem, sizes[i], kinds[i]) != C9_OK) {
            fprintf(stderr, "circuit9: cannot set up the board's %s\n", i == 0 ? "PSRAM" : "RAM");
            free(mem);
            return -1;
        }
    }
    if (c9_outheap_allocator(&view, &heap, 0, &allocator) != C9_OK) {
        return -1;
    }
#if defined(__SANITIZE_ADDRESS__)
    budget = allocator;
    allocator = (c9_allocator_t){shadow_alloc, shadow_free, shadow_realloc, NULL};
#endif
    c9py_runtime_allocator = &allocator;
    return 0;
}

size_t board_memory_free(void) {
    c9_outheap_info_t info;
    c9_outheap_info(&heap, 0, &info);
    return info.free;
}

size_t board_memory_used(void) {
    c9_outheap_info_t info;
    c9_outheap_info(&heap, 0, &info);
    return info.used;
}
