/* A device made only of descriptor bytes: real devices' descriptors in tests, fuzz input. */
#include <string.h>

#include "usbsim_internal.h"

static int raw_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    (void)d;
    (void)ep;
    (void)buf;
    (void)max;
    return C9_USBSIM_NAK;
}

static const c9_usbsim_dev_ops_t raw_ops = {
    .in = raw_in,
};

c9_err_t c9_usbsim_raw_init(c9_usbsim_raw_t *r, const uint8_t *set, size_t len, c9_usb_speed_t speed) {
    if (r == NULL || (set == NULL && len > 0)) {
        return C9_ERR_INVAL;
    }
    memset(r, 0, sizeof *r);
    size_t off = 0;
    uint8_t n = 0;
    bool device = false;
    while (off < len) {
        if (len - off < 6) {
            return C9_ERR_USB_DESC_TRUNCATED;
        }
        const uint8_t *h = set + off;
        uint16_t dlen = sim_rd16(h + 4);
        if (dlen > len - off - 6) {
            return C9_ERR_USB_DESC_TRUNCATED;
        }
        if (n >= C9_USBSIM_RAW_MAX_DESC) {
            return C9_ERR_USB_DESC_LIMIT;
        }
        bool itf = h[0] == C9_USB_DESC_HID || h[0] == C9_USB_DESC_HID_REPORT;
        r->entries[n++] = (c9_usbsim_desc_t){h[0], h[1], sim_rd16(h + 2), itf, h + 6, dlen};
        device = device || h[0] == C9_USB_DESC_DEVICE;
        off += 6u + dlen;
    }
    if (!device) {
        return C9_ERR_NOENT;
    }
    r->dev.ops = &raw_ops;
    r->dev.speed = speed ? speed : C9_USB_SPEED_FULL;
    r->dev.desc = r->entries;
    r->dev.desc_count = n;
    return C9_OK;
}
