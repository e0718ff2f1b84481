/* CDC ACM serial model (CDC 1.2 and PSTN 1.2): one to four ports, each an interface association
 * of a communication and a data interface. */
#include <string.h>

#include "usbsim_internal.h"

static c9_usbsim_cdc_t *cdc_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_cdc_t *)d;
}

/* The 66 bytes of port n. */
static void port_descs(uint8_t *p, uint8_t n) {
    uint8_t comm = (uint8_t)(2 * n), data = (uint8_t)(2 * n + 1);
    const uint8_t t[66] = {
        8,
        C9_USB_DESC_IAD,
        comm,
        2,
        C9_USB_CLASS_CDC,
        C9_USB_SUBCLASS_CDC_ACM,
        1,
        0,
        9,
        C9_USB_DESC_INTERFACE,
        comm,
        0,
        1,
        C9_USB_CLASS_CDC,
        C9_USB_SUBCLASS_CDC_ACM,
        1,
        0,
        5,
        C9_USB_DESC_CS_INTERFACE,
        0x00,
        0x10,
        0x01, // header, CDC 1.10
        5,
        C9_USB_DESC_CS_INTERFACE,
        0x01,
        0x00,
        data, // call management
        4,
        C9_USB_DESC_CS_INTERFACE,
        0x02,
        0x02, // ACM: line coding and serial state
        5,
        C9_USB_DESC_CS_INTERFACE,
        0x06,
        comm,
        data, // union
        7,
        C9_USB_DESC_ENDPOINT,
        (uint8_t)(0x81 + 3 * n),
        C9_USB_XFER_INTERRUPT,
        8,
        0,
        16,
        9,
        C9_USB_DESC_INTERFACE,
        data,
        0,
        2,
        C9_USB_CLASS_CDC_DATA,
        0,
        0,
        0,
        7,
        C9_USB_DESC_ENDPOINT,
        (uint8_t)(0x02 + 3 * n),
        C9_USB_XFER_BULK,
        64,
        0,
        0,
        7,
        C9_USB_DESC_ENDPOINT,
        (uint8_t)(0x82 + 3 * n),
        C9_USB_XFER_BULK,
        64,
        0,
        0,
    };
    memcpy(p, t, sizeof t);
}

static uint8_t active_ports(const c9_usbsim_cdc_t *c) {
    return c->dev.config == 2 ? 1 : c->ports;
}

static int cdc_control(c9_usbsim_dev_t *d, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    c9_usbsim_cdc_t *c = cdc_of(d);
    if ((s->bmRequestType & C9_USB_TYPE_MASK) != C9_USB_TYPE_CLASS ||
        (s->bmRequestType & C9_USB_RECIP_MASK) != C9_USB_RECIP_INTERFACE || (s->wIndex & 1) != 0 ||
        s->wIndex / 2 >= active_ports(c)) {
        return C9_USBSIM_STALL;
    }
    c9_usbsim_cdc_port_t *pt = &c->port[s->wIndex / 2];
    switch (s->bRequest) {
    case C9_USB_CDC_SET_LINE_CODING:
        if (*len < 7) {
            return C9_USBSIM_STALL;
        }
        memcpy(pt->line_coding, data, 7);
        return C9_OK;
    case C9_USB_CDC_GET_LINE_CODING:
        *len = (uint16_t)C9_MIN(*len, 7);
        memcpy(data, pt->line_coding, *len);
        return C9_OK;
    case C9_USB_CDC_SET_CONTROL_LINE_STATE: pt->line_state = (uint8_t)(s->wValue & 3); return C9_OK;
    case C9_USB_CDC_SEND_BREAK: return C9_OK;
    default: return C9_USBSIM_STALL;
    }
}

static size_t ring_put(uint8_t *ring, uint16_t *head, uint16_t *count, const uint8_t *data, size_t len) {
    size_t n = C9_MIN(len, (size_t)(C9_USBSIM_CDC_BUF - *count));
    for (size_t i = 0; i < n; i++) {
        ring[(*head + *count + i) % C9_USBSIM_CDC_BUF] = data[i];
    }
    *count = (uint16_t)(*count + n);
    return n;
}

static size_t ring_peek(const uint8_t *ring, uint16_t head, uint16_t count, uint8_t *out, size_t max) {
    size_t n = C9_MIN(max, (size_t)count);
    for (size_t i = 0; i < n; i++) {
        out[i] = ring[(head + i) % C9_USBSIM_CDC_BUF];
    }
    return n;
}

static void ring_drop(uint16_t *head, uint16_t *count, size_t n) {
    *head = (uint16_t)((*head + n) % C9_USBSIM_CDC_BUF);
    *count = (uint16_t)(*count - n);
}

/* The port a data endpoint belongs to, or -1. */
static int port_of(const c9_usbsim_cdc_t *c, uint8_t ep) {
    uint8_t num = ep & 0x0F;
    if (num < 2 || (num - 2) % 3 != 0) {
        return -1;
    }
    int n = (num - 2) / 3;
    return n < active_ports(c) ? n : -1;
}

static int cdc_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_cdc_t *c = cdc_of(d);
    int n = port_of(c, ep);
    if (n < 0) {
        return C9_USBSIM_NAK; // notification endpoints: nothing to say
    }
    c9_usbsim_cdc_port_t *pt = &c->port[n];
    size_t got = ring_peek(pt->tx, pt->tx_head, pt->tx_count, buf, max);
    return got == 0 ? C9_USBSIM_NAK : (int)got;
}

static void cdc_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    c9_usbsim_cdc_t *c = cdc_of(d);
    int n = port_of(c, ep);
    if (n >= 0) {
        c9_usbsim_cdc_port_t *pt = &c->port[n];
        ring_drop(&pt->tx_head, &pt->tx_count, C9_MIN((size_t)len, (size_t)pt->tx_count));
    }
}

static int cdc_out(c9_usbsim_dev_t *d, uint8_t ep, const uint8_t *data, uint16_t len) {
    c9_usbsim_cdc_t *c = cdc_of(d);
    int n = port_of(c, ep);
    if (n < 0) {
        return C9_USBSIM_STALL;
    }
    c9_usbsim_cdc_port_t *pt = &c->port[n];
    uint8_t *ring = c->loopback ? pt->tx : pt->rx;
    uint16_t *head = c->loopback ? &pt->tx_head : &pt->rx_head, *count = c->loopback ? &pt->tx_count : &pt->rx_count;
    if ((size_t)(C9_USBSIM_CDC_BUF - *count) < len) {
        return C9_USBSIM_NAK; // flow control: the packet waits until there is room
    }
    ring_put(ring, head, count, data, len);
    return C9_OK;
}

static void cdc_event(c9_usbsim_dev_t *d, c9_usbsim_event_t ev, uint8_t arg) {
    (void)arg;
    c9_usbsim_cdc_t *c = cdc_of(d);
    if (ev == C9_USBSIM_EV_CONFIGURED || ev == C9_USBSIM_EV_RESET) {
        // A new configuration starts the functions afresh: nothing buffered survives it.
        for (unsigned i = 0; i < C9_USBSIM_CDC_MAX_PORTS; i++) {
            c->port[i].tx_count = c->port[i].rx_count = 0;
            c->port[i].tx_head = c->port[i].rx_head = 0;
            c->port[i].line_state = 0;
        }
    }
}

static const c9_usbsim_dev_ops_t cdc_ops = {
    .event = cdc_event,
    .control = cdc_control,
    .in = cdc_in,
    .in_ack = cdc_in_ack,
    .out = cdc_out,
};

c9_err_t c9_usbsim_cdc_init(c9_usbsim_cdc_t *c, const c9_usbsim_ident_t *ident, uint8_t ports, bool two_configs,
                            bool loopback) {
    if (c == NULL || ports == 0 || ports > C9_USBSIM_CDC_MAX_PORTS) {
        return C9_ERR_INVAL;
    }
    memset(c, 0, sizeof *c);
    c9__sim_defaults_t def = {.pid = 0x0005,
                              .product = "Virtual Serial",
                              .serial = "C9-0001",
                              .cls = C9_USB_CLASS_MISC,
                              .subclass = 2,
                              .protocol = 1, // interface association descriptors
                              .mps0 = 64,
                              .configs = (uint8_t)(two_configs ? 2 : 1),
                              .bcd_usb = 0x0200,
                              .speed = C9_USB_SPEED_FULL};
    uint8_t n = c9__sim_identity(&c->dev, &c->s, ident, &def);
    uint16_t total = (uint16_t)(9 + 66 * ports);
    const uint8_t hdr[9] = {
        9, C9_USB_DESC_CONFIGURATION, (uint8_t)total, (uint8_t)(total >> 8), (uint8_t)(2 * ports), 1, 0, 0x80, 250};
    memcpy(c->config, hdr, 9);
    for (uint8_t i = 0; i < ports; i++) {
        port_descs(c->config + 9 + 66 * i, i);
    }
    n = c9__sim_add(&c->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, c->config, total);
    if (two_configs) {
        // A low-power configuration with port 0 only.
        const uint8_t hdr2[9] = {9, C9_USB_DESC_CONFIGURATION, 75, 0, 2, 2, 0, 0x80, 50};
        memcpy(c->config2, hdr2, 9);
        port_descs(c->config2 + 9, 0);
        n = c9__sim_add(&c->s, n, C9_USB_DESC_CONFIGURATION, 1, 0, false, c->config2, sizeof c->config2);
    }
    c->dev.ops = &cdc_ops;
    c->dev.desc_count = n;
    c->ports = ports;
    c->loopback = loopback;
    for (uint8_t i = 0; i < ports; i++) {
        static const uint8_t coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8}; // 115200 8N1
        memcpy(c->port[i].line_coding, coding, 7);
    }
    return C9_OK;
}

size_t c9_usbsim_cdc_write(c9_usbsim_cdc_t *c, uint8_t port, const uint8_t *data, size_t len) {
    if (c == NULL || port >= c->ports || (data == NULL && len > 0)) {
        return 0;
    }
    c9_usbsim_cdc_port_t *pt = &c->port[port];
    return ring_put(pt->tx, &pt->tx_head, &pt->tx_count, data, len);
}

size_t c9_usbsim_cdc_read(c9_usbsim_cdc_t *c, uint8_t port, uint8_t *out, size_t max) {
    if (c == NULL || port >= c->ports || (out == NULL && max > 0)) {
        return 0;
    }
    c9_usbsim_cdc_port_t *pt = &c->port[port];
    size_t n = ring_peek(pt->rx, pt->rx_head, pt->rx_count, out, max);
    ring_drop(&pt->rx_head, &pt->rx_count, n);
    return n;
}
