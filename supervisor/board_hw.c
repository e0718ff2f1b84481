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
