#include "board_hw.h"
#include "c9py.h"
#include "c9rt.h"
#include "circuit9/heap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include("circuit9/host_display.h")
#include "circuit9/host_display.h"
#define HAVE_HOST_DISPLAY 1
#else
#define HAVE_HOST_DISPLAY 0
#endif

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

#if HAVE_HOST_DISPLAY
static c9_vpanel_t *panel;

static int pin_of(const c9_board_t *b, const char *name) {
    const c9_board_pin_t *p = name ? c9_board_pin(b, name) : NULL;
    return p ? c9_vpin(p->mcu_pin) : -1;
}

static void window_poll(void *ctx) {
    (void)ctx;
    c9_window_poll();
}

int board_panel_init(const c9_board_t *b, bool window) {
    /* Every board pin exists before microcontroller.pin is made (PA08 is not a default pin). */
    for (size_t i = 0; i < b->pin_count; i++) {
        c9_vpin(b->pins[i].mcu_pin);
    }
    const c9_board_display_t *d = b->display;
    if (!d) {
        return 1;
    }
    c9_vpanel_config_t pc;
    if (c9_vpanel_config_defaults(&pc, d->controller) != C9_OK) {
        fprintf(stderr, "circuit9: no panel model for %s\n", d->controller);
        return -1;
    }
    pc.ram_width = d->panel_width;
    pc.ram_height = d->panel_height;
    /* The glass is the display's visible area in the controller's native orientation. */
    bool swap = d->rotation == 90 || d->rotation == 270;
    pc.glass_width = swap ? d->height : d->width;
    pc.glass_height = swap ? d->width : d->height;
    pc.mount_rotation = d->rotation; /* the board's rotation is how its glass is mounted */
    pc.glass_x = (uint16_t)d->colstart;
    pc.glass_y = (uint16_t)d->rowstart;
    if (d->bus == C9_BOARD_BUS_I2C) {
        pc.i2c_address = d->i2c_address;
    }
    panel = c9_vpanel_new(&pc);
    if (!panel) {
        return -1;
    }
    c9_err_t err = C9_ERR_INVAL;
    switch (d->bus) {
    case C9_BOARD_BUS_FOURWIRE:
        err = c9_vboard_attach_spi(panel, pin_of(b, d->clock), pin_of(b, d->mosi), pin_of(b, d->chip_select),
                                   pin_of(b, d->command), pin_of(b, d->reset));
        break;
    case C9_BOARD_BUS_PARALLEL: {
        int data[8];
        char name[64];
        size_t n = strlen(d->data0);
        for (int i = 0; i < 8; i++) {
            snprintf(name, sizeof name, "%.*s%d", (int)(n - 1), d->data0, i);
            data[i] = pin_of(b, name);
        }
        err = c9_vboard_attach_parallel(panel, data, 8, pin_of(b, d->chip_select), pin_of(b, d->command),
                                        pin_of(b, d->write), pin_of(b, d->reset));
        break;
    }
    case C9_BOARD_BUS_I2C:
        err = c9_vboard_attach_i2c(panel, pin_of(b, d->scl), pin_of(b, d->sda), d->i2c_address, pin_of(b, d->reset));
        break;
    default: break;
    }
    if (err != C9_OK) {
        fprintf(stderr, "circuit9: cannot wire the %s panel (%d)\n", d->controller, err);
        return -1;
    }
    if (window && c9_window_available()) {
        int scale = pc.glass_width * pc.glass_height <= 128 * 64 ? 4 : 2;
        if (c9_window_show(panel, scale) == C9_OK) {
            c9rt_background_add(window_poll, NULL);
        }
    }
    return 0;
}

int board_panel_screenshot(const char *path) {
    if (!panel) {
        fprintf(stderr, "circuit9: no display to take a screenshot of\n");
        return -1;
    }
    c9_err_t err = c9_vpanel_write_png(panel, path);
    if (err != C9_OK) {
        fprintf(stderr, "circuit9: cannot write %s (%d)\n", path, err);
        return -1;
    }
    return 0;
}
#else
int board_panel_init(const c9_board_t *b, bool window) {
    return b->display ? -1 : 1;
}

int board_panel_screenshot(const char *path) {
    fprintf(stderr, "circuit9: built without the host display port; no screenshot\n");
    return -1;
}
#endif
