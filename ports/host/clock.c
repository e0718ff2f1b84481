/* The host clock: monotonic time plus a virtual offset that delays advance in virtual mode. */
#define _POSIX_C_SOURCE 200809L
#include "circuit9/host_display.h"

#include <time.h>

static bool virtual_mode = true;
static uint64_t offset_ms;

uint64_t c9_host_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + offset_ms;
}

static uint64_t now_cb(void *ctx) {
    (void)ctx;
    return c9_host_now_ms();
}

static void delay_cb(void *ctx, uint32_t ms) {
    (void)ctx;
    if (virtual_mode) {
        offset_ms += ms;
        return;
    }
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

c9_clock_t c9_host_clock(void) {
    return (c9_clock_t){now_cb, delay_cb, NULL};
}

void c9_host_clock_set_virtual(bool on) {
    virtual_mode = on;
}

bool c9_host_clock_is_virtual(void) {
    return virtual_mode;
}
