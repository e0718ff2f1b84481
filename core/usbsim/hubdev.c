/* Hub model: USB 2.0 chapter 11 port state machine (power, connect, reset, enable) and its
 * status-change endpoint. */
#include <string.h>

#include "usbsim_internal.h"

#define ST_CONNECTION (1u << C9_USB_HUB_PORT_CONNECTION)
#define ST_ENABLE (1u << C9_USB_HUB_PORT_ENABLE)
#define ST_SUSPEND (1u << C9_USB_HUB_PORT_SUSPEND)
#define ST_RESET (1u << C9_USB_HUB_PORT_RESET)
#define ST_POWER (1u << C9_USB_HUB_PORT_POWER)
#define ST_LOW_SPEED (1u << C9_USB_HUB_PORT_LOW_SPEED)
#define CH_CONNECTION 0x01u
#define CH_ENABLE 0x02u
#define CH_SUSPEND 0x04u
#define CH_OVER_CURRENT 0x08u
#define CH_RESET 0x10u
#define RESET_MS 10

static c9_usbsim_hub_t *hub_of(c9_usbsim_dev_t *dev) {
    return (c9_usbsim_hub_t *)dev;
}

/* A device appears on a powered port. */
static void connect(c9_usbsim_hub_port_t *pt) {
    pt->status = (uint16_t)(pt->status | ST_CONNECTION);
    pt->status =
        (uint16_t)(pt->dev->speed == C9_USB_SPEED_LOW ? pt->status | ST_LOW_SPEED : pt->status & ~ST_LOW_SPEED);
    pt->change |= CH_CONNECTION;
}

void c9__sim_hub_tick(c9_usbsim_hub_t *h, uint64_t now_ms) {
    for (uint8_t p = 1; p <= h->nports; p++) {
        c9_usbsim_hub_port_t *pt = &h->port[p];
        if ((pt->status & ST_RESET) && now_ms >= pt->reset_until) {
            pt->status = (uint16_t)(pt->status & ~ST_RESET);
            pt->change |= CH_RESET;
            if (pt->dev != NULL && (pt->status & ST_CONNECTION)) {
                pt->status |= ST_ENABLE;
                c9_usbsim_dev_reset(pt->dev);
            }
        }
    }
}

c9_usbsim_dev_t *c9__sim_hub_enabled_child(c9_usbsim_hub_t *h, uint8_t port) {
    const c9_usbsim_hub_port_t *pt = &h->port[port];
    return (pt->status & ST_ENABLE) && !(pt->status & ST_SUSPEND) ? pt->dev : NULL;
}

void c9__sim_hub_port_gone(c9_usbsim_hub_t *h, uint8_t port) {
    c9_usbsim_hub_port_t *pt = &h->port[port];
    pt->dev = NULL;
    if (pt->status & ST_CONNECTION) {
        pt->change |= CH_CONNECTION;
    }
    if (pt->status & ST_ENABLE) {
        pt->change |= CH_ENABLE;
    }
    pt->status = (uint16_t)(pt->status & ST_POWER);
}

static void power_off(c9_usbsim_hub_t *h) {
    for (uint8_t p = 1; p <= h->nports; p++) {
        h->port[p].status = 0;
        h->port[p].change = 0;
        if (h->port[p].dev) {
            c9_usbsim_dev_reset(h->port[p].dev);
        }
    }
}

static void hub_event(c9_usbsim_dev_t *dev, c9_usbsim_event_t ev, uint8_t arg) {
    // A reset or a deconfigured hub leaves its ports unpowered (USB 2.0 11.11).
    if (ev == C9_USBSIM_EV_RESET || (ev == C9_USBSIM_EV_CONFIGURED && arg == 0) || ev == C9_USBSIM_EV_UNPLUG) {
        power_off(hub_of(dev));
    }
}

static int hub_control(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    c9_usbsim_hub_t *h = hub_of(dev);
    uint8_t type = s->bmRequestType & C9_USB_TYPE_MASK, recip = s->bmRequestType & C9_USB_RECIP_MASK;
    if (type != C9_USB_TYPE_CLASS) {
        return C9_USBSIM_STALL;
    }
    c9__sim_hub_tick(h, dev->now_ms);
    if (recip == C9_USB_RECIP_DEVICE) {
        switch (s->bRequest) {
        case C9_USB_REQ_GET_DESCRIPTOR:
            if ((s->wValue >> 8) != C9_USB_DESC_HUB) {
                return C9_USBSIM_STALL;
            }
            *len = (uint16_t)C9_MIN(*len, h->hub_desc[0]);
            memcpy(data, h->hub_desc, *len);
            return C9_OK;
        case C9_USB_REQ_GET_STATUS:
            *len = (uint16_t)C9_MIN(*len, 4);
            memset(data, 0, *len);
            return C9_OK;
        case C9_USB_REQ_CLEAR_FEATURE:
        case C9_USB_REQ_SET_FEATURE: return C9_OK; // C_HUB_LOCAL_POWER, C_HUB_OVER_CURRENT
        default: return C9_USBSIM_STALL;
        }
    }
    uint8_t p = (uint8_t)s->wIndex;
    if (recip != C9_USB_RECIP_OTHER || p == 0 || p > h->nports) {
        return C9_USBSIM_STALL;
    }
    c9_usbsim_hub_port_t *pt = &h->port[p];
    switch (s->bRequest) {
    case C9_USB_REQ_GET_STATUS:
        *len = (uint16_t)C9_MIN(*len, 4);
        {
            uint8_t st[4] = {(uint8_t)pt->status, (uint8_t)(pt->status >> 8), (uint8_t)pt->change,
                             (uint8_t)(pt->change >> 8)};
            memcpy(data, st, *len);
        }
        return C9_OK;
    case C9_USB_REQ_SET_FEATURE:
        switch (s->wValue) {
        case C9_USB_HUB_PORT_POWER:
            if (!(pt->status & ST_POWER)) {
                pt->status |= ST_POWER;
                if (pt->dev != NULL) {
                    connect(pt);
                }
            }
            return C9_OK;
        case C9_USB_HUB_PORT_RESET:
            if (pt->status & ST_CONNECTION) {
                pt->status = (uint16_t)((pt->status | ST_RESET) & ~ST_ENABLE);
                pt->reset_until = dev->now_ms + RESET_MS;
            }
            return C9_OK;
        case C9_USB_HUB_PORT_SUSPEND:
            if (pt->status & ST_ENABLE) {
                pt->status |= ST_SUSPEND;
            }
            return C9_OK;
        default: return C9_USBSIM_STALL;
        }
    case C9_USB_REQ_CLEAR_FEATURE:
        switch (s->wValue) {
        case C9_USB_HUB_PORT_ENABLE: pt->status = (uint16_t)(pt->status & ~ST_ENABLE); return C9_OK;
        case C9_USB_HUB_PORT_SUSPEND: pt->status = (uint16_t)(pt->status & ~ST_SUSPEND); return C9_OK;
        case C9_USB_HUB_PORT_POWER: pt->status = 0; return C9_OK;
        case C9_USB_HUB_C_PORT_CONNECTION: pt->change &= (uint16_t)~CH_CONNECTION; return C9_OK;
        case C9_USB_HUB_C_PORT_ENABLE: pt->change &= (uint16_t)~CH_ENABLE; return C9_OK;
        case C9_USB_HUB_C_PORT_SUSPEND: pt->change &= (uint16_t)~CH_SUSPEND; return C9_OK;
        case C9_USB_HUB_C_PORT_OVER_CURRENT: pt->change &= (uint16_t)~CH_OVER_CURRENT; return C9_OK;
        case C9_USB_HUB_C_PORT_RESET: pt->change &= (uint16_t)~CH_RESET; return C9_OK;
        default: return C9_USBSIM_STALL;
        }
    default: return C9_USBSIM_STALL;
    }
}

/* Status change bitmap: bit n for port n with a change pending; NAK when there is none. */
static int hub_in(c9_usbsim_dev_t *dev, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_hub_t *h = hub_of(dev);
    if (ep != 0x81) {
        return C9_USBSIM_STALL;
    }
    c9__sim_hub_tick(h, dev->now_ms);
    uint16_t bits = 0;
    for (uint8_t p = 1; p <= h->nports; p++) {
        if (h->port[p].change) {
            bits |= (uint16_t)(1u << p);
        }
    }
    if (bits == 0) {
        return C9_USBSIM_NAK;
    }
    uint16_t n = (uint16_t)((h->nports + 8) / 8);
    if (n > max) {
        n = max;
    }
    buf[0] = (uint8_t)bits;
    if (n > 1) {
        buf[1] = (uint8_t)(bits >> 8);
    }
    return n;
}

static const c9_usbsim_dev_ops_t hub_ops = {
    .control = hub_control,
    .in = hub_in,
    .event = hub_event,
};

c9_err_t c9_usbsim_hub_init(c9_usbsim_hub_t *h, const c9_usbsim_ident_t *ident, uint8_t nports) {
    if (h == NULL || nports == 0 || nports > C9_USBSIM_HUB_MAX_PORTS) {
        return C9_ERR_INVAL;
    }
    memset(h, 0, sizeof *h);
    c9__sim_defaults_t def = {.pid = 0x0006,
                              .product = "Virtual Hub",
                              .cls = C9_USB_CLASS_HUB,
                              .mps0 = 64,
                              .configs = 1,
                              .bcd_usb = 0x0200,
                              .speed = C9_USB_SPEED_FULL};
    uint8_t n = c9__sim_identity(&h->dev, &h->s, ident, &def);
    static const uint8_t config[25] = {
        9,
        C9_USB_DESC_CONFIGURATION,
        25,
        0,
        1,
        1,
        0,
        0xE0,
        0, // self powered, remote wakeup
        9,
        C9_USB_DESC_INTERFACE,
        0,
        0,
        1,
        C9_USB_CLASS_HUB,
        0,
        0,
        0,
        7,
        C9_USB_DESC_ENDPOINT,
        0x81,
        C9_USB_XFER_INTERRUPT,
        1,
        0,
        12,
    };
    memcpy(h->config, config, sizeof config);
    // Hub descriptor: individual power switching and over-current, 100 ms power-good.
    uint8_t hd[9] = {9, C9_USB_DESC_HUB, nports, 0x09, 0x00, 50, 100, 0x00, 0xFF};
    memcpy(h->hub_desc, hd, sizeof hd);
    n = c9__sim_add(&h->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, h->config, sizeof h->config);
    h->nports = nports;
    h->dev.ops = &hub_ops;
    h->dev.desc_count = n;
    h->dev.self_powered = true;
    h->dev.as_hub = h;
    return C9_OK;
}

c9_err_t c9_usbsim_hub_plug(c9_usbsim_hub_t *h, uint8_t port, c9_usbsim_dev_t *dev) {
    if (h == NULL || dev == NULL || port == 0 || port > h->nports || dev->parent != NULL || dev == &h->dev ||
        (dev->bus != NULL && dev->bus->root == dev)) {
        return C9_ERR_INVAL;
    }
    c9_usbsim_hub_port_t *pt = &h->port[port];
    if (pt->dev != NULL) {
        return C9_ERR_BUSY;
    }
    c9_usbsim_dev_reset(dev);
    pt->dev = dev;
    dev->parent = h;
    dev->port = port;
    dev->bus = h->dev.bus;
    if (pt->status & ST_POWER) {
        connect(pt);
    }
    return C9_OK;
}
