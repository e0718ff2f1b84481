/* The virtual board's one clock: CLOCK_MONOTONIC since the board started, plus what display
 * delays skipped in virtual mode. Any thread may read it (the supervisor's file watcher does),
 * so the skipped time is an atomic.
 *
 * Stepped mode (c9_port_config_t.stepped_clock, `circuit9 run --audio-out`) detaches the clock
 * from the host's: it moves only when the runtime waits, by exactly the time waited (time.sleep,
 * display delays), so what a program does at a given board time does not depend on how fast the
 * host runs it, and a recording of its audio is the same on every run. */
#define _POSIX_C_SOURCE 200809L
#include "vpanel_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <time.h>

static atomic_bool virtual_mode = true;
static _Atomic uint64_t skipped_ns;
static _Atomic uint64_t origin_ns;
static atomic_bool stepped_mode;
static _Atomic uint64_t stepped_ns = 1;

static uint64_t raw_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t real_now_ns(void) {
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

uint64_t c9_port_now_ns(void) {
    return atomic_load(&stepped_mode) ? atomic_load(&stepped_ns) : real_now_ns();
}

static void sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void c9_port_delay_ms(uint32_t ms) {
    if (atomic_load(&stepped_mode)) {
        atomic_fetch_add(&stepped_ns, (uint64_t)ms * 1000000u);
        return;
    }
    if (atomic_load(&virtual_mode)) {
        atomic_fetch_add(&skipped_ns, (uint64_t)ms * 1000000u);
        return;
    }
    sleep_ns((uint64_t)ms * 1000000u);
}

void c9_port_idle(uint64_t max_ns) {
    if (atomic_load(&stepped_mode)) {
        /* The wait is over at once; a short real nap keeps the supervisor's polling loops from
         * spinning the host's CPU. */
        atomic_fetch_add(&stepped_ns, max_ns);
        sleep_ns(C9_MIN(max_ns, (uint64_t)20000));
        return;
    }
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

/* The SAMD ports' RTC has a frequency correction register (-127..127); the ESP32 and RP2040
 * ports have none. The value lasts while the machine runs, as the register does. */
static int rtc_calibration;

static bool has_rtc_calibration(void) {
    const c9_mcu_t *mcu = c9_mcu_find(c9_port_board()->mcu);
    return mcu && (mcu->family == C9_MCU_SAMD21 || mcu->family == C9_MCU_SAMD51);
}

c9_err_t c9_port_rtc_calibration_range(int *min, int *max) {
    if (!has_rtc_calibration()) {
        return C9_ERR_NOSYS;
    }
    *min = -127;
    *max = 127;
    return C9_OK;
}

c9_err_t c9_port_rtc_calibration_get(int *value) {
    if (!has_rtc_calibration()) {
        return C9_ERR_NOSYS;
    }
    *value = rtc_calibration;
    return C9_OK;
}

c9_err_t c9_port_rtc_calibration_set(int value) {
    if (!has_rtc_calibration()) {
        return C9_ERR_NOSYS;
    }
    if (value < -127 || value > 127) {
        return C9_ERR_RANGE;
    }
    rtc_calibration = value;
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

void c9_host_clock_set_stepped(bool on) {
    if (on == atomic_load(&stepped_mode)) {
        return;
    }
    if (on) {
        /* The board starts (again) at 1 ns: a stepped run reads the same times on every host. */
        atomic_store(&stepped_ns, 1);
    } else {
        /* Back to the host's clock without going back in time. */
        uint64_t now = real_now_ns(), at = atomic_load(&stepped_ns);
        if (at > now) {
            atomic_fetch_add(&skipped_ns, at - now);
        }
    }
    atomic_store(&stepped_mode, on);
}

bool c9_host_clock_is_stepped(void) {
    return atomic_load(&stepped_mode);
}
