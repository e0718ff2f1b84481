/* The virtual board's one clock: CLOCK_MONOTONIC since the board started, plus what display
 * delays skipped in virtual mode. Any thread may read it (the supervisor's file watcher does),
 * so the skipped time is an atomic. */
#define _POSIX_C_SOURCE 200809L
#include "vpanel_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

static atomic_bool virtual_mode = true;
static _Atomic uint64_t skipped_ns;
static _Atomic uint64_t origin_ns;

static uint64_t raw_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t c9_port_now_ns(void) {
    uint64_t origin = atomic_load(&origin_ns);
    if (!origin) {
        /* The first reading marks the board's power-on, like a microcontroller's tick counter;
         * one nanosecond earlier so that no reading is 0. */
        uint64_t expected = 0;
        atomic_compare_exchange_strong(&origin_ns, &expected, raw_ns() - 1);
        origin = atomic_load(&origin_ns);
    }
    return raw_ns() - origin + atomic_load(&skipped_ns);
}

static void sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void c9_port_delay_ms(uint32_t ms) {
    if (atomic_load(&virtual_mode)) {
        atomic_fetch_add(&skipped_ns, (uint64_t)ms * 1000000u);
        return;
    }
    sleep_ns((uint64_t)ms * 1000000u);
}

void c9_port_idle(uint64_t max_ns) {
    /* A signal (Ctrl-C, the watcher's reload) ends nanosleep early, which is what the runtime's
     * sleep loop needs to see it. */
    struct timespec ts = {(time_t)(max_ns / 1000000000u), (long)(max_ns % 1000000000u)};
    nanosleep(&ts, NULL);
}

c9_err_t c9_port_rtc_get(int64_t *seconds) {
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return C9_ERR_IO;
    }
    *seconds = (int64_t)ts.tv_sec;
    return C9_OK;
}

static uint64_t clock_now_ms(void *ctx) {
    (void)ctx;
    return c9_port_now_ns() / 1000000u;
}

static void clock_delay_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    c9_port_delay_ms(ms);
}

c9_clock_t c9_port_clock(void) {
    return (c9_clock_t){clock_now_ms, clock_delay_ms, NULL};
}

void c9_host_clock_set_virtual(bool on) {
    atomic_store(&virtual_mode, on);
}

bool c9_host_clock_is_virtual(void) {
    return atomic_load(&virtual_mode);
}
