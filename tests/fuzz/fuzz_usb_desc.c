/*
 * libFuzzer target for USB descriptors: the input is parsed directly by every descriptor parser,
 * and, when it is a descriptor set (include/circuit9/usbsim.h), a device answering with it is
 * enumerated by the host stack on the virtual bus (directly or, if the first record's index byte
 * is odd, behind a hub), then its strings, configurations and endpoints are used. Any input must
 * end in C9_OK or a documented error: no crash, no hang (the bus runs on a virtual clock), no
 * access outside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/usbh.h"
#include "circuit9/usbsim.h"

static void check(int cond) {
    if (!cond) {
        abort();
    }
}

static void parse_all(const uint8_t *d, size_t n) {
    c9_usb_device_desc_t dev;
    uint16_t mps;
    c9_usb_config_header_t hdr;
    c9_usb_hub_desc_t hub;
    static c9_usb_config_info_t cfg;
    c9_usb_desc_parse_device(d, n, &dev);
    c9_usb_desc_max_packet0(d, n, &mps);
    c9_usb_desc_parse_config_header(d, n, &hdr);
    c9_usb_desc_parse_hub(d, n, &hub);
    if (c9_usb_desc_parse_config(d, n, &cfg) == C9_OK) {
        check(cfg.itf_count <= C9_USB_DESC_MAX_INTERFACES && cfg.ep_count <= C9_USB_DESC_MAX_ENDPOINTS);
        for (unsigned i = 0; i < cfg.itf_count; i++) {
            check(cfg.itf[i].offset < n && cfg.itf[i].ep_first + cfg.itf[i].ep_count <= cfg.ep_count);
        }
    }
    const uint8_t *ep;
    if (c9_usb_desc_find_endpoint(d, n, 0x81, &ep) == C9_OK) {
        check(ep >= d && ep + 7 <= d + n);
    }
    char text[64];
    size_t len;
    c9_err_t err = c9_usb_desc_string_utf8(d, n, text, sizeof text, &len);
    if (err == C9_OK) {
        check(len < sizeof text && text[len] == 0); // U+0000 may appear inside: not strlen
    }
    uint16_t ids[4];
    c9_usb_desc_langids(d, n, ids, 4, &len);
    size_t off = 0;
    const uint8_t *p;
    while (c9_usb_desc_next(d, n, &off, &p) == C9_OK) {
        check(off <= n);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    parse_all(data, size);
    static c9_usbsim_raw_t raw;
    if (c9_usbsim_raw_init(&raw, data, size, C9_USB_SPEED_FULL) != C9_OK) {
        return 0;
    }
    for (unsigned i = 0; i < raw.dev.desc_count; i++) {
        parse_all(raw.entries[i].data, raw.entries[i].len);
    }
    static c9_usbsim_t bus;
    static c9_usbsim_hub_t hub;
    static c9_usbh_t host;
    c9_usbsim_init(&bus);
    if (size > 1 && (data[1] & 1)) {
        c9_usbsim_hub_init(&hub, NULL, 2);
        c9_usbsim_hub_plug(&hub, 2, &raw.dev);
        c9_usbsim_plug(&bus, &hub.dev);
    } else {
        c9_usbsim_plug(&bus, &raw.dev);
    }
    now_ms = 0;
    c9_usbh_config_t cfg = {
        .hcd = c9_usbsim_hcd(), .hcd_ctx = &bus, .rhport = 1, .clock = {clock_now, clock_delay, NULL}};
    check(c9_usbh_init(&host, &cfg) == C9_OK);
    c9_err_t err = c9_usbh_wait_idle(&host, 20000);
    check(err == C9_OK);
    c9_usbh_dev_t devs[4];
    size_t n = c9_usbh_devices(&host, devs, 4);
    for (size_t i = 0; i < n && i < 4; i++) {
        c9_usbh_device_info_t info;
        check(c9_usbh_device_info(&host, devs[i], &info) == C9_OK);
        char s[128];
        size_t len;
        for (uint8_t idx = 1; idx < 4; idx++) {
            if (c9_usbh_get_string(&host, devs[i], idx, 0, s, sizeof s, &len, 50) == C9_OK) {
                check(len < sizeof s && s[len] == 0);
            }
        }
        static uint8_t cfgbuf[C9_USBH_CONFIG_DESC_MAX];
        if (c9_usbh_config_descriptor(&host, devs[i], cfgbuf, sizeof cfgbuf, &len) == C9_OK) {
            check(len <= sizeof cfgbuf);
        }
        c9_usbh_set_configuration(&host, devs[i], 1, 50);
        c9_usbh_set_configuration(&host, devs[i], 0, 50);
        uint8_t buf[64];
        c9_usbh_read(&host, devs[i], 0x81, buf, sizeof buf, 5, &len);
        c9_usbh_write(&host, devs[i], 0x01, buf, 8, 5, &len);
        bool active;
        c9_usbh_kernel_driver_active(&host, devs[i], 0, &active);
    }
    c9_usbh_deinit(&host);
    return 0;
}
