/*
 * libFuzzer target for the HID host driver (core/usb/hid_host.c). The first byte chooses:
 *  - even: the keyboard workflow's decoding. A key map (its length from the next two bytes) is
 *    set, then the rest is fed as reports, each prefixed by its length byte. Every key gives at
 *    most 8 bytes; decoding never reads past a report.
 *  - odd: the rest is a descriptor set (usbsim.h) for a device that the host enumerates with the
 *    HID driver registered: the driver reads the device's configuration (interfaces, HID
 *    descriptors, endpoints), sends its set-up requests, may claim a keyboard, and is detached,
 *    attached and unplugged. The bus runs on a virtual clock.
 * Any input ends without a crash, a hang or an access outside it.
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/usbh_hid.h"
#include "circuit9/usbsim.h"

static void check(int cond) {
    if (!cond) {
        abort();
    }
}

static size_t emitted;

static void emit(void *ctx, const char *b, size_t n) {
    (void)ctx;
    check(b != NULL && n >= 1 && n <= 8);
    emitted += n;
}

static void decode(const uint8_t *d, size_t n) {
    static c9_usbh_hid_t hid;
    c9_usbh_hid_init(&hid, NULL);
    size_t map = n >= 2 ? (size_t)(d[0] | (d[1] << 8)) % 512 : 0;
    d += n >= 2 ? 2 : n;
    n -= n >= 2 ? 2 : n;
    if (map > n) {
        map = n;
    }
    c9_usbh_hid_set_keymap(&hid, d, map);
    d += map;
    n -= map;
    while (n > 0) {
        size_t len = d[0];
        d++;
        n--;
        if (len > n) {
            len = n;
        }
        /* the report is copied so that reading past it shows under ASan */
        uint8_t *r = malloc(len ? len : 1);
        check(r != NULL);
        memcpy(r, d, len);
        uint8_t leds = c9_usbh_hid_decode(&hid.keys, r, len, emit, NULL);
        check((leds & ~3u) == 0);
        free(r);
        d += len;
        n -= len;
    }
}

static uint64_t now_ms;
static uint64_t clock_now(void *ctx) {
    (void)ctx;
    return now_ms;
}
static void clock_delay(void *ctx, uint32_t ms) {
    (void)ctx;
    now_ms += ms;
}

static void run(c9_usbh_t *host, c9_usbh_hid_t *hid, unsigned ms) {
    for (unsigned i = 0; i < ms; i++) {
        c9_usbh_task(host);
        c9_usbh_hid_task(hid, now_ms);
        now_ms++;
    }
}

static void enumerate(const uint8_t *d, size_t n) {
    static c9_usbsim_raw_t raw;
    if (c9_usbsim_raw_init(&raw, d, n, C9_USB_SPEED_FULL) != C9_OK) {
        return;
    }
    static c9_usbsim_t bus;
    static c9_usbh_t host;
    static c9_usbh_hid_t hid;
    c9_usbsim_init(&bus);
    c9_usbsim_plug(&bus, &raw.dev);
    c9_usbh_hid_init(&hid, NULL);
    const c9_usbh_driver_t *drivers[1] = {c9_usbh_hid_driver(&hid)};
    now_ms = 0;
    c9_usbh_config_t cfg = {.hcd = c9_usbsim_hcd(),
                            .hcd_ctx = &bus,
                            .rhport = 1,
                            .clock = {clock_now, clock_delay, NULL},
                            .drivers = drivers,
                            .driver_count = 1};
    check(c9_usbh_init(&host, &cfg) == C9_OK);
    check(c9_usbh_wait_idle(&host, 20000) == C9_OK);
    /* each set-up request gives up after C9_USBH_ENUM_TIMEOUT_MS */
    for (unsigned i = 0; i < 4u * C9_USBH_HID_SETUP_QUEUE * C9_USBH_ENUM_TIMEOUT_MS && c9_usbh_hid_busy(&hid); i++) {
        run(&host, &hid, 1);
    }
    check(!c9_usbh_hid_busy(&hid));
    c9_usbh_dev_t dev;
    if (c9_usbh_find(&host, -1, -1, 0, &dev) == C9_OK) {
        uint8_t itf = 0;
        c9_usbh_dev_t k = c9_usbh_hid_keyboard(&hid, &itf);
        if (k != 0) {
            bool active = false;
            check(c9_usbh_kernel_driver_active(&host, k, itf, &active) == C9_OK && active);
        }
        c9_usbh_detach_kernel_driver(&host, dev, itf);
        check(c9_usbh_hid_keyboard(&hid, NULL) == 0 || k == 0 || k != dev);
        c9_usbh_attach_kernel_driver(&host, dev, itf);
        run(&host, &hid, 50);
        c9_usbh_set_configuration(&host, dev, 0, 50);
        run(&host, &hid, 50);
    }
    c9_usbsim_unplug(&bus, &raw.dev);
    run(&host, &hid, 5);
    check(c9_usbh_hid_keyboard(&hid, NULL) == 0);
    c9_usbh_deinit(&host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0;
    }
    if (data[0] & 1) {
        enumerate(data + 1, size - 1);
    } else {
        decode(data + 1, size - 1);
    }
    return 0;
}
