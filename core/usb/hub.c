/* Hub class driver (USB 2.0 chapter 11): powers the ports, scans them once, then follows the
 * status-change endpoint. Port work is one chain of control transfers per hub: GET_STATUS, then
 * a CLEAR_FEATURE per change bit, then the action (enumerate, remove, finish a reset). Port
 * resets are requested by the core's enumeration, one port at a time on the whole bus, so two
 * devices never answer at address 0 together. */
#include <string.h>

#include "usbh_internal.h"

#if C9_USBH_MAX_HUBS > 0

enum { H_FREE = 0, H_GET_DESC, H_POWER, H_POWER_WAIT, H_IDLE, H_STATUS, H_CLEAR, H_HUB_STATUS, H_DEAD };

#define RETRY_MS 100 /* after a failed status-change transfer */

static uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static c9_usbh_hub_t *hub_of(c9_usbh_t *h, uint8_t addr) {
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS; i++) {
        if (h->hub[i].state != H_FREE && h->hub[i].addr == addr) {
            return &h->hub[i];
        }
    }
    return NULL;
}

static c9_usbh_hub_t *hub_of_xfer(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS; i++) {
        c9_usbh_hub_t *hub = &h->hub[i];
        if (x == &hub->int_xfer || x == &hub->ctl_xfer || x == &hub->rst_xfer) {
            return hub->state == H_FREE ? NULL : hub;
        }
    }
    return NULL;
}

static void ctl_cb(c9_usbh_t *h, c9_usbh_xfer_t *x);

static void ctl(c9_usbh_t *h, c9_usbh_hub_t *hub, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                uint16_t len, uint8_t next_state) {
    c9__usbh_control(&hub->ctl_xfer, hub->addr, type, req, value, index, len ? hub->ctl_buf : NULL, len, ctl_cb);
    hub->ctl_xfer.timeout_ms = C9_USBH_ENUM_TIMEOUT_MS;
    hub->state = next_state;
    if (c9__usbh_submit(h, &hub->ctl_xfer) != C9_OK) {
        hub->state = H_DEAD;
    }
}

static void int_cb(c9_usbh_t *h, c9_usbh_xfer_t *x);

static void submit_int(c9_usbh_t *h, c9_usbh_hub_t *hub) {
    if (hub->int_xfer.busy || hub->due != 0) {
        return;
    }
    c9_usbh_xfer_t *x = &hub->int_xfer;
    x->daddr = hub->addr;
    x->ep = hub->ep;
    x->buf = hub->status;
    x->len = (uint32_t)((hub->nports + 8) / 8);
    x->timeout_ms = 0;
    x->complete = int_cb;
    if (c9__usbh_submit(h, x) != C9_OK) {
        hub->due = c9__usbh_now(h) + RETRY_MS;
    }
}

/* Starts on the next port with pending changes, or goes back to waiting for changes. */
static void next_port(c9_usbh_t *h, c9_usbh_hub_t *hub) {
    if (hub->pending & 1u) {
        hub->pending &= (uint16_t)~1u;
        ctl(h, hub, C9_USB_DIR_IN | C9_USB_TYPE_CLASS | C9_USB_RECIP_DEVICE, C9_USB_REQ_GET_STATUS, 0, 0, 4,
            H_HUB_STATUS);
        return;
    }
    for (uint8_t p = 1; p <= hub->nports; p++) {
        if (hub->pending & (1u << p)) {
            hub->pending &= (uint16_t) ~(1u << p);
            hub->cur_port = p;
            ctl(h, hub, C9_USB_DIR_IN | C9_USB_TYPE_CLASS | C9_USB_RECIP_OTHER, C9_USB_REQ_GET_STATUS, 0, p, 4,
                H_STATUS);
            return;
        }
    }
    hub->state = H_IDLE;
    submit_int(h, hub);
}

/* One step of a port's chain: clear the next change bit, or act once all are clear. The port
 * status stays in ctl_buf[0..1], the change bits left in ctl_buf[2..3], what happened in [4]. */
static void port_step(c9_usbh_t *h, c9_usbh_hub_t *hub) {
    uint8_t p = hub->cur_port;
    uint16_t status = rd16(hub->ctl_buf), change = rd16(hub->ctl_buf + 2);
    static const uint8_t bits[5] = {C9_USB_HUB_C_PORT_CONNECTION, C9_USB_HUB_C_PORT_RESET, C9_USB_HUB_C_PORT_ENABLE,
                                    C9_USB_HUB_C_PORT_SUSPEND, C9_USB_HUB_C_PORT_OVER_CURRENT};
    for (unsigned i = 0; i < 5; i++) {
        uint16_t bit = (uint16_t)(1u << (bits[i] - 16));
        if (change & bit) {
            change &= (uint16_t)~bit;
            hub->ctl_buf[2] = (uint8_t)change;
            hub->ctl_buf[3] = (uint8_t)(change >> 8);
            hub->ctl_buf[4] |= (uint8_t)(1u << i);
            // ctl() reuses ctl_buf only for data stages; CLEAR_FEATURE has none.
            ctl(h, hub, C9_USB_TYPE_CLASS | C9_USB_RECIP_OTHER, C9_USB_REQ_CLEAR_FEATURE, bits[i], p, 0, H_CLEAR);
            return;
        }
    }
    uint8_t happened = hub->ctl_buf[4];
    bool connected = (status & (1u << C9_USB_HUB_PORT_CONNECTION)) != 0;
    if (happened & 1u) {
        // A connection change: whatever was on the port is gone; a device there is new.
        c9__usbh_port_removed(h, hub->addr, p);
        if (connected) {
            c9__usbh_enum_request(h, hub->addr, p);
        }
    }
    if ((happened & 2u) && hub->resetting == p) {
        hub->resetting = 0;
        bool enabled = connected && (status & (1u << C9_USB_HUB_PORT_ENABLE)) != 0;
        uint8_t speed = (status & (1u << C9_USB_HUB_PORT_LOW_SPEED)) ? C9_USB_SPEED_LOW
                        : (status & C9_USB_HUB_STATUS_HIGH_SPEED)    ? C9_USB_SPEED_HIGH
                                                                     : C9_USB_SPEED_FULL;
        c9__usbh_reset_done(h, hub->addr, p, enabled ? C9_OK : C9_ERR_USB_NO_DEVICE, speed);
    }
    next_port(h, hub);
}

static void ctl_cb(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    c9_usbh_hub_t *hub = hub_of_xfer(h, x);
    if (hub == NULL) {
        return;
    }
    c9_err_t res = x->result;
    if (res == C9_ERR_USB_NO_DEVICE || res == C9_ERR_USB_CANCELLED) {
        return; // the hub is going away
    }
    switch (hub->state) {
    case H_GET_DESC: {
        c9_usb_hub_desc_t d;
        if (res != C9_OK || c9_usb_desc_parse_hub(hub->ctl_buf, x->actual, &d) != C9_OK) {
            // Some hubs send only the first 7 bytes or a short bitmap; the port count is enough.
            if (res != C9_OK || x->actual < 7 || hub->ctl_buf[1] != C9_USB_DESC_HUB || hub->ctl_buf[2] == 0) {
                hub->state = H_DEAD;
                return;
            }
            d.nports = hub->ctl_buf[2];
            d.power_on_ms_div2 = hub->ctl_buf[5];
        }
        hub->nports = d.nports > C9_USBH_HUB_MAX_PORTS ? C9_USBH_HUB_MAX_PORTS : d.nports;
        hub->power_delay = (uint16_t)(2u * d.power_on_ms_div2);
        hub->cur_port = 1;
        ctl(h, hub, C9_USB_TYPE_CLASS | C9_USB_RECIP_OTHER, C9_USB_REQ_SET_FEATURE, C9_USB_HUB_PORT_POWER, 1, 0,
            H_POWER);
        return;
    }
    case H_POWER:
        if (hub->cur_port < hub->nports) {
            hub->cur_port++;
            ctl(h, hub, C9_USB_TYPE_CLASS | C9_USB_RECIP_OTHER, C9_USB_REQ_SET_FEATURE, C9_USB_HUB_PORT_POWER,
                hub->cur_port, 0, H_POWER);
        } else {
            hub->state = H_POWER_WAIT;
            hub->due = c9__usbh_now(h) + hub->power_delay + 1;
        }
        return;
    case H_STATUS:
        if (res != C9_OK || x->actual < 4) {
            next_port(h, hub);
            return;
        }
        hub->ctl_buf[4] = 0;
        port_step(h, hub);
        return;
    case H_CLEAR: port_step(h, hub); return;
    case H_HUB_STATUS: {
        // Hub-wide changes (local power, over-current): clear each, then go on with the ports.
        // After a clear (no data stage) ctl_buf still holds the change bits left to clear.
        bool have = res == C9_OK && (x->actual >= 4 || x->setup.bRequest == C9_USB_REQ_CLEAR_FEATURE);
        uint16_t change = have ? rd16(hub->ctl_buf + 2) : 0;
        for (uint8_t bit = 0; bit < 2; bit++) {
            if (change & (1u << bit)) {
                change &= (uint16_t) ~(1u << bit);
                hub->ctl_buf[2] = (uint8_t)change;
                hub->ctl_buf[3] = (uint8_t)(change >> 8);
                ctl(h, hub, C9_USB_TYPE_CLASS | C9_USB_RECIP_DEVICE, C9_USB_REQ_CLEAR_FEATURE, bit, 0, 0, H_HUB_STATUS);
                return;
            }
        }
        next_port(h, hub);
        return;
    }
    default: return;
    }
}

static void int_cb(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    c9_usbh_hub_t *hub = hub_of_xfer(h, x);
    if (hub == NULL || x->result == C9_ERR_USB_NO_DEVICE || x->result == C9_ERR_USB_CANCELLED) {
        return;
    }
    if (x->result != C9_OK) {
        hub->due = c9__usbh_now(h) + RETRY_MS;
        return;
    }
    uint16_t bits = 0;
    for (uint32_t i = 0; i < x->actual && i < 2; i++) {
        bits |= (uint16_t)(hub->status[i] << (8 * i));
    }
    hub->pending |= (uint16_t)(bits & ((2u << hub->nports) - 1u));
    if (hub->state == H_IDLE) {
        next_port(h, hub);
    }
}

static void rst_cb(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    c9_usbh_hub_t *hub = hub_of_xfer(h, x);
    if (hub == NULL || x->result == C9_OK || x->result == C9_ERR_USB_CANCELLED) {
        return; // on success, C_PORT_RESET arrives through the status-change endpoint
    }
    uint8_t p = hub->resetting;
    hub->resetting = 0;
    c9__usbh_reset_done(h, hub->addr, p, x->result, 0);
}

uint16_t c9__hub_open(c9_usbh_t *h, uint8_t addr, const uint8_t *itf, uint16_t len) {
    if (hub_of(h, addr) != NULL) {
        return 0;
    }
    c9_usbh_hub_t *hub = NULL;
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS && hub == NULL; i++) {
        if (h->hub[i].state == H_FREE) {
            hub = &h->hub[i];
        }
    }
    if (hub == NULL) {
        return 0; // more hubs than C9_USBH_MAX_HUBS: this one stays unused
    }
    // The interface, its interrupt IN endpoint, and anything up to the next interface.
    size_t off = itf[0];
    const uint8_t *d = NULL, *ep = NULL;
    while (c9_usb_desc_next(itf, len, &off, &d) == C9_OK && d[1] != C9_USB_DESC_INTERFACE) {
        if (d[1] == C9_USB_DESC_ENDPOINT && d[0] >= 7 && (d[2] & 0x80) && (d[3] & 3) == C9_USB_XFER_INTERRUPT &&
            ep == NULL) {
            ep = d;
        }
    }
    if (ep == NULL || c9__usbh_open_ep(h, addr, ep) != C9_OK) {
        return 0;
    }
    size_t claimed = d != NULL && d[1] == C9_USB_DESC_INTERFACE ? (size_t)(d - itf) : len;
    memset(hub, 0, sizeof *hub);
    hub->addr = addr;
    hub->ep = ep[2];
    ctl(h, hub, C9_USB_DIR_IN | C9_USB_TYPE_CLASS | C9_USB_RECIP_DEVICE, C9_USB_REQ_GET_DESCRIPTOR,
        (uint16_t)(C9_USB_DESC_HUB << 8), 0, sizeof hub->ctl_buf, H_GET_DESC);
    return (uint16_t)claimed;
}

void c9__hub_close(c9_usbh_t *h, uint8_t addr) {
    c9_usbh_hub_t *hub = hub_of(h, addr);
    if (hub == NULL) {
        return;
    }
    c9_usbh_abort(h, &hub->int_xfer);
    c9_usbh_abort(h, &hub->ctl_xfer);
    c9_usbh_abort(h, &hub->rst_xfer);
    if (hub->resetting) {
        c9__usbh_reset_done(h, addr, hub->resetting, C9_ERR_USB_NO_DEVICE, 0);
    }
    hub->state = H_FREE;
}

void c9__hub_task(c9_usbh_t *h, uint64_t now) {
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS; i++) {
        c9_usbh_hub_t *hub = &h->hub[i];
        if (hub->due == 0 || now < hub->due) {
            continue;
        }
        hub->due = 0;
        if (hub->state == H_POWER_WAIT) {
            // First look at every port: devices plugged in before the hub was powered.
            hub->pending = (uint16_t)(((2u << hub->nports) - 1u) & ~1u);
            next_port(h, hub);
        } else if (hub->state == H_IDLE) {
            submit_int(h, hub);
        }
    }
}

c9_err_t c9__hub_port_reset(c9_usbh_t *h, uint8_t hub_addr, uint8_t port) {
    c9_usbh_hub_t *hub = hub_of(h, hub_addr);
    if (hub == NULL || hub->state == H_DEAD || port == 0 || port > hub->nports) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (hub->rst_xfer.busy) {
        return C9_ERR_BUSY;
    }
    hub->resetting = port;
    c9__usbh_control(&hub->rst_xfer, hub_addr, C9_USB_TYPE_CLASS | C9_USB_RECIP_OTHER, C9_USB_REQ_SET_FEATURE,
                     C9_USB_HUB_PORT_RESET, port, NULL, 0, rst_cb);
    hub->rst_xfer.timeout_ms = C9_USBH_ENUM_TIMEOUT_MS;
    c9_err_t err = c9__usbh_submit(h, &hub->rst_xfer);
    if (err != C9_OK) {
        hub->resetting = 0;
    }
    return err;
}

bool c9__hub_busy(const c9_usbh_t *h) {
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS; i++) {
        const c9_usbh_hub_t *hub = &h->hub[i];
        if (hub->state == H_GET_DESC || hub->state == H_POWER || hub->state == H_POWER_WAIT || hub->state == H_STATUS ||
            hub->state == H_CLEAR || hub->state == H_HUB_STATUS || hub->pending != 0) {
            return true;
        }
    }
    return false;
}

void c9__hub_set_child(c9_usbh_t *h, uint8_t hub_addr, uint8_t port, uint8_t addr) {
    c9_usbh_hub_t *hub = hub_of(h, hub_addr);
    if (hub != NULL && port <= C9_USBH_HUB_MAX_PORTS) {
        hub->child[port] = addr;
    }
}

size_t c9__hub_children(const c9_usbh_t *h, uint8_t hub_addr, uint8_t *out, size_t max) {
    size_t n = 0;
    for (unsigned i = 0; i < C9_USBH_MAX_HUBS; i++) {
        const c9_usbh_hub_t *hub = &h->hub[i];
        if (hub->state == H_FREE || hub->addr != hub_addr) {
            continue;
        }
        for (uint8_t p = 1; p <= C9_USBH_HUB_MAX_PORTS && n < max; p++) {
            if (hub->child[p] != 0) {
                out[n++] = hub->child[p];
            }
        }
    }
    return n;
}

#endif /* C9_USBH_MAX_HUBS > 0 */
