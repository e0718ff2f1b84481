/* The board's USB host (c9rt_usb.h): the host stack on the port's controller, its service thread,
 * the lock Python calls take, and waiting that lets Ctrl-C and reloads through. */
#include "c9rt_usb.h"

#include "circuit9/port.h"

#include <pythread.h>
#include <stdio.h>
#include <string.h>

#define SERVICE_PERIOD_NS 2000000u /* how often the service thread runs the stack's task */
#define BOARD_ENUM_LIMIT_MS 10000  /* the most power-on enumeration may take (virtual time) */

static c9_usbh_t host;
static c9_usbh_hid_t hid;
static const c9_usbh_driver_t *drivers[1];
static PyThread_type_lock lock;
static volatile unsigned long owner; /* thread holding the lock (0: none); read unlocked only to spot its own thread */
static bool running;
static int run_dp = -1, run_dm = -1;
static bool virtual_wait; /* power-on enumeration: waits advance the clock instead of sleeping */
static void (*console_input)(const char *bytes, size_t len);
static uint8_t keymap[C9_USBH_HID_KEYMAP_MAX];
static size_t keymap_len;

static void take(void) {
    PyThread_acquire_lock(lock, WAIT_LOCK);
    owner = PyThread_get_thread_ident();
}

static void give(void) {
    owner = 0;
    PyThread_release_lock(lock);
}

static uint64_t clock_now_ms(void *ctx) {
    (void)ctx;
    return c9_port_now_ns() / 1000000u;
}

/* A blocking call's wait between rounds: the service thread and other Python threads get their
 * turn. Only Python threads holding the GIL make blocking calls. */
static void clock_delay_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    if (virtual_wait) {
        c9_port_delay_ms(ms);
        return;
    }
    give();
    Py_BEGIN_ALLOW_THREADS c9_port_idle((uint64_t)ms * 1000000u);
    Py_END_ALLOW_THREADS take();
}

/* Between rounds of a blocking call: Ctrl-C (SIGINT's KeyboardInterrupt) and a pending reload
 * end the wait with their exception set, as mp_hal_is_interrupted() does on a board. */
static bool cancel_check(void *ctx) {
    (void)ctx;
    if (!virtual_wait) {
        /* A controller that waits in its own wait op (libusb) keeps the lock and the GIL while
         * it waits: hand both over once a round. */
        give();
        Py_BEGIN_ALLOW_THREADS Py_END_ALLOW_THREADS take();
    }
    if (PyErr_Occurred()) {
        return true;
    }
    return PyErr_CheckSignals() < 0 || Py_MakePendingCalls() < 0;
}

static void hid_input(void *ctx, const char *bytes, size_t len) {
    (void)ctx;
    if (console_input) {
        console_input(bytes, len);
    }
}

static void service_main(void *arg) {
    (void)arg;
    for (;;) {
        take();
        c9_usbh_task(&host);
        c9_usbh_hid_task(&hid, clock_now_ms(NULL));
        give();
        c9_port_idle(SERVICE_PERIOD_NS);
    }
}

bool c9rt_usb_running(int *dp, int *dm) {
    if (dp) {
        *dp = run_dp;
    }
    if (dm) {
        *dm = run_dm;
    }
    return running;
}

c9_err_t c9rt_usb_start(int dp, int dm) {
    const struct c9_usb_hcd_ops *ops;
    void *ctx;
    uint8_t rhport = 0;
    /* The port judges the pins first: CircuitPython checks them before the singleton. */
    c9_err_t err = c9_port_usb_host(dp, dm, &ops, &ctx, &rhport);
    if (err != C9_OK) {
        return err;
    }
    if (running) {
        return dp == run_dp && dm == run_dm ? C9_OK : C9_ERR_BUSY;
    }
    if (!lock && !(lock = PyThread_allocate_lock())) {
        return C9_ERR_NOMEM;
    }
    c9_usbh_hid_config_t hc = {.input = hid_input};
    c9_usbh_hid_init(&hid, &hc);
    c9_usbh_hid_set_keymap(&hid, keymap, keymap_len);
    drivers[0] = c9_usbh_hid_driver(&hid);
    c9_usbh_config_t cfg = {
        .hcd = ops,
        .hcd_ctx = ctx,
        .rhport = rhport,
        .clock = {clock_now_ms, clock_delay_ms, NULL},
        .cancelled = cancel_check,
        .drivers = drivers,
        .driver_count = 1,
    };
    take();
    err = c9_usbh_init(&host, &cfg);
    give();
    if (err != C9_OK) {
        return err;
    }
    if (PyThread_start_new_thread(service_main, NULL) == PYTHREAD_INVALID_THREAD_ID) {
        take();
        c9_usbh_deinit(&host);
        give();
        return C9_ERR_NOMEM;
    }
    running = true;
    run_dp = dp;
    run_dm = dm;
    return C9_OK;
}

static int board_pin(const c9_board_t *b, const char *name) {
    const c9_board_pin_t *p = name ? c9_board_pin(b, name) : NULL;
    return p ? c9_port_pin_find(p->mcu_pin) : -1;
}

int c9rt_usb_board_start(const c9_board_t *b) {
    if (!b || !b->usb_host_ports || !b->usb_host_dp || !b->usb_host_dm) {
        return 0;
    }
    int power = board_pin(b, b->usb_host_power);
    if (power >= 0) {
        c9_port_pin_output(power, true, C9_PORT_DRIVE_PUSH_PULL);
    }
    int dp = board_pin(b, b->usb_host_dp), dm = board_pin(b, b->usb_host_dm);
    /* board_init() keeps them for good (never reset): nothing else may take them. */
    if (dp < 0 || dm < 0 || c9_port_pin_claim(dp) != C9_OK || c9_port_pin_claim(dm) != C9_OK) {
        fprintf(stderr, "circuit9: the USB host pins of %s are not there\n", b->name);
        return -1;
    }
    c9_err_t err = c9rt_usb_start(dp, dm);
    if (err != C9_OK) {
        fprintf(stderr, "circuit9: the USB host port did not start (%s)\n", c9_strerror(err));
        return -1;
    }
    /* Devices plugged in at power-on are there when the board's code runs: enumerate them now,
     * advancing the board's clock rather than waiting for it. */
    take();
    virtual_wait = true;
    uint64_t start = clock_now_ms(NULL);
    while (clock_now_ms(NULL) - start < BOARD_ENUM_LIMIT_MS) {
        err = c9_usbh_wait_idle(&host, BOARD_ENUM_LIMIT_MS);
        if (err != C9_OK || !c9_usbh_hid_busy(&hid)) {
            break;
        }
        c9_usbh_task(&host);
        c9_port_delay_ms(1);
    }
    virtual_wait = false;
    give();
    PyErr_Clear(); /* a Ctrl-C during start-up belongs to nobody */
    return 0;
}

c9_usbh_t *c9rt_usb_lock(void) {
    if (!running || owner == PyThread_get_thread_ident()) {
        return NULL;
    }
    take();
    return &host;
}

void c9rt_usb_unlock(void) {
    give();
}

void c9rt_usb_set_keymap(const uint8_t *map, size_t len) {
    keymap_len = len < sizeof keymap ? len : sizeof keymap;
    memset(keymap, 0, sizeof keymap);
    memcpy(keymap, map, keymap_len);
    if (running) {
        take();
        c9_usbh_hid_set_keymap(&hid, keymap, keymap_len);
        give();
    }
}

void c9rt_usb_set_console(void (*input)(const char *bytes, size_t len)) {
    console_input = input;
}
