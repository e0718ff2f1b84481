/*
 * libFuzzer target for usbmon captures: the pcap/pcapng reader walks the whole input, and a
 * replay device made from it (when the input has a device in it) is enumerated by the host stack
 * on the virtual bus and read from. No crash, no hang, no access outside the input.
 */
#include <stdlib.h>

#include "circuit9/usbh.h"
#include "circuit9/usbsim.h"

static uint64_t now_ms;
static uint64_t clock_now(void *ctx) {
    (void)ctx;
    return now_ms;
}
static void clock_delay(void *ctx, uint32_t ms) {
    (void)ctx;
    now_ms += ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    c9_usbmon_reader_t r;
    if (c9_usbmon_open(&r, data, size) == C9_OK) {
        c9_usbmon_packet_t p;
        while (c9_usbmon_next(&r, &p) == C9_OK) {
            if (p.data_len > 0 && (p.data < data || p.data + p.data_len > data + size)) {
                abort();
            }
        }
    }
    static c9_usbsim_replay_t rp;
    if (c9_usbsim_replay_init(&rp, data, size, 0, 0, 0) != C9_OK) {
        return 0;
    }
    static c9_usbsim_t bus;
    static c9_usbh_t host;
    c9_usbsim_init(&bus);
    c9_usbsim_plug(&bus, &rp.dev);
    now_ms = 0;
    c9_usbh_config_t cfg = {
        .hcd = c9_usbsim_hcd(), .hcd_ctx = &bus, .rhport = 1, .clock = {clock_now, clock_delay, NULL}};
    if (c9_usbh_init(&host, &cfg) != C9_OK || c9_usbh_wait_idle(&host, 20000) != C9_OK) {
        abort();
    }
    c9_usbh_dev_t d;
    if (c9_usbh_find(&host, -1, -1, 0, &d) == C9_OK) {
        uint8_t buf[64];
        size_t n;
        char s[64];
        c9_usbh_get_string(&host, d, 2, 0, s, sizeof s, &n, 20);
        c9_usbh_ctrl_transfer(&host, d, 0x21, 0x0A, 0, 0, NULL, 0, 20, &n);
        for (int i = 0; i < 4; i++) {
            c9_usbh_read(&host, d, 0x81, buf, sizeof buf, 5, &n);
        }
        c9_usbh_write(&host, d, 0x02, buf, 16, 5, &n);
    }
    c9_usbh_deinit(&host);
    return 0;
}
