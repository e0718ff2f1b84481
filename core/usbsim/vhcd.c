/* The virtual host controller: usb_hcd.h ops over device models, a root port, hubs found by
 * walking the models, packet-by-packet transfers, and injected faults. */
#include <string.h>

#include "circuit9/usbh.h"
#include "usbsim_internal.h"

enum { STG_NONE = 0, STG_SETUP = 1, STG_DATA = 2, STG_STATUS = 3 };

void c9_usbsim_init(c9_usbsim_t *bus) {
    memset(bus, 0, sizeof *bus);
}

static void post(c9_usbsim_t *bus, uint8_t type, uint8_t daddr, uint8_t ep, uint32_t actual, c9_err_t result) {
    if (bus->host == NULL) {
        return;
    }
    c9_usb_hcd_event_t e = {
        .type = type, .rhport = bus->rhport, .daddr = daddr, .ep = ep, .actual = actual, .result = result};
    // The queue outlasts every transfer the stack can have in flight (see C9_USBH_EVENT_QUEUE).
    c9_usbh_hcd_event(bus->host, &e);
}

/* ---- topology ------------------------------------------------------------------------------------------ */

static c9_usbsim_dev_t *walk(c9_usbsim_dev_t *dev, uint8_t addr, unsigned depth) {
    if (dev->address == addr) {
        return dev;
    }
    if (dev->as_hub == NULL || dev->config == 0 || depth > 6) {
        return NULL;
    }
    for (uint8_t p = 1; p <= dev->as_hub->nports; p++) {
        c9_usbsim_dev_t *child = c9__sim_hub_enabled_child(dev->as_hub, p);
        if (child != NULL) {
            c9_usbsim_dev_t *found = walk(child, addr, depth + 1);
            if (found != NULL) {
                return found;
            }
        }
    }
    return NULL;
}

static c9_usbsim_dev_t *find_dev(c9_usbsim_t *bus, uint8_t addr) {
    if (bus->root == NULL || !bus->root_enabled) {
        return NULL;
    }
    return walk(bus->root, addr, 0);
}

static void tick_hubs(c9_usbsim_dev_t *dev, uint64_t now, unsigned depth) {
    if (dev == NULL || dev->as_hub == NULL || depth > 6) {
        return;
    }
    c9__sim_hub_tick(dev->as_hub, now);
    for (uint8_t p = 1; p <= dev->as_hub->nports; p++) {
        tick_hubs(dev->as_hub->port[p].dev, now, depth + 1);
    }
}

/* ---- pipes --------------------------------------------------------------------------------------------- */

static c9_usbsim_pipe_t *find_pipe(c9_usbsim_t *bus, uint8_t daddr, uint8_t ep) {
    if ((ep & 0x7F) == 0) {
        ep = 0;
    }
    for (unsigned i = 0; i < C9_USBSIM_MAX_PIPES; i++) {
        c9_usbsim_pipe_t *p = &bus->pipe[i];
        if (p->used && p->daddr == daddr && p->ep == ep) {
            return p;
        }
    }
    return NULL;
}

static void complete(c9_usbsim_t *bus, c9_usbsim_pipe_t *p, c9_err_t result) {
    uint8_t ep = p->ep;
    if (p->ep == 0) {
        bool in = (p->setup[0] & C9_USB_DIR_IN) != 0;
        ep = p->stage == STG_DATA ? (in ? 0x80 : 0x00) : p->stage == STG_STATUS ? (in ? 0x00 : 0x80) : 0x00;
    }
    p->active = 0;
    bus->transfers++;
    post(bus, C9_USB_HCD_EVENT_XFER, p->daddr, ep, p->done, result);
}

/* ---- faults -------------------------------------------------------------------------------------------- */

int c9_usbsim_fault_add(c9_usbsim_t *bus, const c9_usbsim_fault_t *fault) {
    if (bus == NULL || fault == NULL || fault->kind < C9_USBSIM_FAULT_STALL || fault->kind > C9_USBSIM_FAULT_BABBLE) {
        return C9_ERR_INVAL;
    }
    for (int i = 0; i < C9_USBSIM_MAX_FAULTS; i++) {
        if (!bus->fault_used[i]) {
            bus->fault[i] = *fault;
            bus->fault[i].hits = 0;
            bus->fault_used[i] = 1;
            return i;
        }
    }
    return C9_ERR_NOMEM;
}

uint16_t c9_usbsim_fault_hits(const c9_usbsim_t *bus, int index) {
    if (bus == NULL || index < 0 || index >= C9_USBSIM_MAX_FAULTS) {
        return 0;
    }
    return bus->fault[index].hits;
}

void c9_usbsim_fault_clear(c9_usbsim_t *bus) {
    memset(bus->fault_used, 0, sizeof bus->fault_used);
    for (unsigned i = 0; i < C9_USBSIM_MAX_PIPES; i++) {
        bus->pipe[i].fault = -1;
    }
}

/* Picks the fault for a transfer starting on pipe p (control: at its SETUP). */
static int8_t pick_fault(c9_usbsim_t *bus, c9_usbsim_dev_t *dev, const c9_usbsim_pipe_t *p) {
    for (int i = 0; i < C9_USBSIM_MAX_FAULTS; i++) {
        c9_usbsim_fault_t *f = &bus->fault[i];
        if (!bus->fault_used[i] || (f->dev != NULL && f->dev != dev)) {
            continue;
        }
        bool ep_ok = f->ep == C9_USBSIM_ANY_EP || (p->ep == 0 ? (f->ep & 0x7F) == 0 : f->ep == p->ep);
        if (!ep_ok || (p->ep == 0 && f->request >= 0 && f->request != p->setup[1])) {
            continue;
        }
        if (f->count != 0 && f->hits >= f->count) {
            continue;
        }
        if (f->skip > 0) {
            f->skip--;
            continue;
        }
        f->hits++;
        return (int8_t)i;
    }
    return -1;
}

static const c9_usbsim_fault_t *fault_of(c9_usbsim_t *bus, const c9_usbsim_pipe_t *p) {
    return p->fault >= 0 && bus->fault_used[p->fault] ? &bus->fault[p->fault] : NULL;
}

/* ---- transfers ---------------------------------------------------------------------------------------------- */

/* Faults that act once `done` bytes have moved. Returns true if the transfer ended (or the
 * device went away). */
static bool apply_fault(c9_usbsim_t *bus, c9_usbsim_pipe_t *p, c9_usbsim_dev_t *dev) {
    const c9_usbsim_fault_t *f = fault_of(bus, p);
    if (f == NULL) {
        return false;
    }
    switch (f->kind) {
    case C9_USBSIM_FAULT_NAK: return true; // leave it pending: the host times out
    case C9_USBSIM_FAULT_DISCONNECT:
        if (p->done >= f->after_bytes) {
            c9_usbsim_unplug(bus, dev);
            return true;
        }
        return false;
    case C9_USBSIM_FAULT_SHORT:
        if (p->done >= f->after_bytes) {
            complete(bus, p, C9_OK);
            return true;
        }
        return false;
    case C9_USBSIM_FAULT_XACT:
        if (p->done >= f->after_bytes) {
            complete(bus, p, C9_ERR_USB_XFER);
            return true;
        }
        return false;
    default: return false;
    }
}

static void run_in(c9_usbsim_t *bus, c9_usbsim_pipe_t *p, c9_usbsim_dev_t *dev, bool control) {
    uint8_t pkt[1024];
    uint16_t mps = (uint16_t)C9_MIN(p->mps ? p->mps : 8, sizeof pkt);
    for (;;) {
        if (apply_fault(bus, p, dev)) {
            return;
        }
        const c9_usbsim_fault_t *f = fault_of(bus, p);
        if (f != NULL && f->kind == C9_USBSIM_FAULT_BABBLE) {
            complete(bus, p, C9_ERR_USB_OVERFLOW);
            return;
        }
        int r = control ? c9__sim_ctrl_in(dev, pkt, mps) : c9_usbsim_dev_in(dev, p->ep, pkt, mps, bus->now_ms);
        if (r == C9_USBSIM_NAK) {
            return;
        }
        if (r < 0) {
            complete(bus, p, C9_ERR_USB_STALL);
            return;
        }
        uint32_t room = p->len - p->done;
        if ((uint32_t)r > room) {
            // Babble: the host takes what fits and does not acknowledge the packet.
            memcpy(p->buf + p->done, pkt, room);
            p->done += room;
            complete(bus, p, C9_ERR_USB_OVERFLOW);
            return;
        }
        if (r > 0) {
            memcpy(p->buf + p->done, pkt, (size_t)r);
        }
        p->done += (uint32_t)r;
        if (control) {
            c9__sim_ctrl_in_ack(dev, (uint16_t)r);
        } else {
            c9_usbsim_dev_in_ack(dev, p->ep, (uint16_t)r);
        }
        if (r < mps || p->done == p->len) {
            complete(bus, p, C9_OK);
            return;
        }
        if (!control && p->type == C9_USB_XFER_INTERRUPT) {
            return; // one transaction per polling interval
        }
    }
}

static void run_out(c9_usbsim_t *bus, c9_usbsim_pipe_t *p, c9_usbsim_dev_t *dev, bool control) {
    uint16_t mps = p->mps ? p->mps : 8;
    for (;;) {
        if (apply_fault(bus, p, dev)) {
            return;
        }
        uint32_t n = C9_MIN((uint32_t)mps, p->len - p->done);
        const uint8_t *data = p->buf ? p->buf + p->done : (const uint8_t *)"";
        int r = control ? c9__sim_ctrl_out(dev, data, (uint16_t)n)
                        : c9_usbsim_dev_out(dev, p->ep, data, (uint16_t)n, bus->now_ms);
        if (r == C9_USBSIM_NAK) {
            return;
        }
        if (r < 0) {
            complete(bus, p, C9_ERR_USB_STALL);
            return;
        }
        p->done += n;
        if (p->done == p->len) {
            complete(bus, p, C9_OK);
            return;
        }
        if (!control && p->type == C9_USB_XFER_INTERRUPT) {
            return;
        }
    }
}

static void run_control(c9_usbsim_t *bus, c9_usbsim_pipe_t *p, c9_usbsim_dev_t *dev) {
    c9_usb_setup_t s;
    c9_usb_setup_unpack(p->setup, &s);
    bool in = (s.bmRequestType & C9_USB_DIR_IN) != 0;
    if (p->stage == STG_SETUP) {
        // Devices must accept every SETUP; faults act on the data or status stage.
        p->fault = pick_fault(bus, dev, p);
        c9__sim_setup(dev, &s);
        const c9_usbsim_fault_t *f = fault_of(bus, p);
        if (f != NULL && f->kind == C9_USBSIM_FAULT_STALL) {
            dev->ctrl_stall = true;
        }
        complete(bus, p, C9_OK);
        return;
    }
    if (p->stage == STG_DATA) {
        if (in) {
            run_in(bus, p, dev, true);
        } else {
            run_out(bus, p, dev, true);
        }
        return;
    }
    // Status stage: the faults that did not fire in a data stage act here.
    const c9_usbsim_fault_t *f = fault_of(bus, p);
    if (f != NULL && s.wLength == 0 && apply_fault(bus, p, dev)) {
        return;
    }
    int r = c9__sim_ctrl_status(dev);
    if (r == C9_USBSIM_NAK) {
        return;
    }
    complete(bus, p, r == C9_OK ? C9_OK : C9_ERR_USB_STALL);
}

static void run_pipe(c9_usbsim_t *bus, c9_usbsim_pipe_t *p) {
    c9_usbsim_dev_t *dev = find_dev(bus, p->daddr);
    if (dev == NULL) {
        complete(bus, p, C9_ERR_USB_XFER); // nobody answers: no handshake
        return;
    }
    dev->now_ms = bus->now_ms;
    if (p->ep == 0) {
        run_control(bus, p, dev);
        return;
    }
    if (p->type == C9_USB_XFER_INTERRUPT) {
        if (bus->now_ms < p->next_poll) {
            return;
        }
        unsigned ms = p->interval ? p->interval : 1;
        if (dev->speed == C9_USB_SPEED_HIGH) {
            // High speed counts 2^(bInterval-1) microframes.
            unsigned e = p->interval ? p->interval - 1u : 0;
            ms = e >= 3 ? 1u << (e - 3 > 15 ? 15 : e - 3) : 1;
        }
        p->next_poll = bus->now_ms + ms;
    }
    if (p->fault == -2) {
        p->fault = pick_fault(bus, dev, p);
        const c9_usbsim_fault_t *f = fault_of(bus, p);
        if (f != NULL && f->kind == C9_USBSIM_FAULT_STALL) {
            uint8_t ep = p->ep;
            dev->halted |= 1u << ((ep & 0x0F) + ((ep & 0x80) ? 16 : 0));
        }
    }
    if (p->ep & 0x80) {
        run_in(bus, p, dev, false);
    } else {
        run_out(bus, p, dev, false);
    }
}

/* ---- plugging ------------------------------------------------------------------------------------------------- */

/* Addresses of a subtree that the host may have pipes to. */
static void collect(c9_usbsim_dev_t *dev, c9_usbsim_dev_t **out, unsigned *n, unsigned max, unsigned depth) {
    if (dev == NULL || *n >= max || depth > 6) {
        return;
    }
    out[(*n)++] = dev;
    if (dev->as_hub) {
        for (uint8_t p = 1; p <= dev->as_hub->nports; p++) {
            collect(dev->as_hub->port[p].dev, out, n, max, depth + 1);
        }
    }
}

c9_err_t c9_usbsim_plug(c9_usbsim_t *bus, c9_usbsim_dev_t *dev) {
    if (bus == NULL || dev == NULL || dev->parent != NULL || dev == bus->root) {
        return C9_ERR_INVAL;
    }
    if (bus->root != NULL) {
        return C9_ERR_BUSY;
    }
    c9_usbsim_dev_reset(dev);
    dev->bus = bus;
    bus->root = dev;
    bus->root_enabled = false;
    post(bus, C9_USB_HCD_EVENT_ATTACH, 0, 0, 0, C9_OK);
    return C9_OK;
}

c9_err_t c9_usbsim_unplug(c9_usbsim_t *bus, c9_usbsim_dev_t *dev) {
    if (bus == NULL || dev == NULL) {
        return C9_ERR_INVAL;
    }
    if (dev != bus->root && dev->parent == NULL) {
        return C9_ERR_NOENT;
    }
    c9_usbsim_dev_t *tree[16];
    unsigned n = 0;
    collect(dev, tree, &n, C9_ARRAY_SIZE(tree), 0);
    // Only devices the host could address: enabled ports all the way up.
    for (unsigned i = 0; i < n; i++) {
        c9_usbsim_dev_t *d = tree[i];
        bool reachable = find_dev(bus, d->address) == d;
        for (unsigned k = 0; k < C9_USBSIM_MAX_PIPES && reachable; k++) {
            c9_usbsim_pipe_t *p = &bus->pipe[k];
            if (p->used && p->active && p->daddr == d->address) {
                complete(bus, p, C9_ERR_USB_NO_DEVICE);
            }
        }
    }
    if (dev == bus->root) {
        bus->root = NULL;
        bus->root_enabled = false;
        post(bus, C9_USB_HCD_EVENT_DETACH, 0, 0, 0, C9_OK);
    } else {
        c9__sim_hub_port_gone(dev->parent, dev->port);
    }
    for (unsigned i = 0; i < n; i++) {
        c9_usbsim_dev_t *d = tree[i];
        if (d->ops && d->ops->event) {
            d->ops->event(d, C9_USBSIM_EV_UNPLUG, 0);
        }
        c9_usbsim_dev_reset(d);
    }
    dev->parent = NULL;
    dev->bus = NULL;
    return C9_OK;
}

/* ---- controller ops -------------------------------------------------------------------------------------------- */

static c9_err_t op_init(void *ctx, c9_usbh_t *host) {
    c9_usbsim_t *bus = ctx;
    bus->host = host;
    bus->rhport = host->cfg.rhport;
    if (bus->root != NULL) {
        post(bus, C9_USB_HCD_EVENT_ATTACH, 0, 0, 0, C9_OK);
    }
    return C9_OK;
}

static void op_deinit(void *ctx) {
    c9_usbsim_t *bus = ctx;
    bus->host = NULL;
    memset(bus->pipe, 0, sizeof bus->pipe);
}

static void op_service(void *ctx, uint64_t now_ms) {
    c9_usbsim_t *bus = ctx;
    bus->now_ms = now_ms;
    tick_hubs(bus->root, now_ms, 0);
    for (unsigned i = 0; i < C9_USBSIM_MAX_PIPES; i++) {
        c9_usbsim_pipe_t *p = &bus->pipe[i];
        if (p->used && p->active) {
            run_pipe(bus, p);
        }
    }
}

static bool op_connected(void *ctx, uint8_t rhport) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    return bus->root != NULL;
}

static c9_err_t op_reset(void *ctx, uint8_t rhport) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    if (bus->root == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    bus->root_resetting = true;
    bus->root_enabled = false;
    return C9_OK;
}

static c9_err_t op_reset_end(void *ctx, uint8_t rhport) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    bus->root_resetting = false;
    if (bus->root == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    c9_usbsim_dev_reset(bus->root);
    bus->root_enabled = true;
    return C9_OK;
}

static c9_usb_speed_t op_speed(void *ctx, uint8_t rhport) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    return bus->root ? bus->root->speed : C9_USB_SPEED_UNKNOWN;
}

static c9_err_t op_open(void *ctx, uint8_t rhport, uint8_t daddr, const c9_usb_hcd_ep_t *ep) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    uint8_t e = (ep->ep_addr & 0x7F) == 0 ? 0 : ep->ep_addr;
    c9_usbsim_pipe_t *p = find_pipe(bus, daddr, e);
    for (unsigned i = 0; i < C9_USBSIM_MAX_PIPES && p == NULL; i++) {
        if (!bus->pipe[i].used) {
            p = &bus->pipe[i];
            memset(p, 0, sizeof *p);
        }
    }
    if (p == NULL) {
        return C9_ERR_NOMEM;
    }
    p->used = 1;
    p->daddr = daddr;
    p->ep = e;
    p->type = e == 0 ? C9_USB_XFER_CONTROL : ep->type;
    p->mps = ep->max_packet;
    p->interval = ep->interval;
    p->fault = -1;
    return C9_OK;
}

static c9_err_t op_close(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep_addr) {
    (void)rhport;
    c9_usbsim_pipe_t *p = find_pipe(ctx, daddr, ep_addr);
    if (p == NULL) {
        return C9_ERR_NOENT;
    }
    memset(p, 0, sizeof *p);
    return C9_OK;
}

static c9_err_t op_device_close(void *ctx, uint8_t rhport, uint8_t daddr) {
    (void)rhport;
    c9_usbsim_t *bus = ctx;
    for (unsigned i = 0; i < C9_USBSIM_MAX_PIPES; i++) {
        if (bus->pipe[i].used && bus->pipe[i].daddr == daddr) {
            memset(&bus->pipe[i], 0, sizeof bus->pipe[i]);
        }
    }
    return C9_OK;
}

static c9_err_t op_setup(void *ctx, uint8_t rhport, uint8_t daddr, const uint8_t setup[8]) {
    (void)rhport;
    c9_usbsim_pipe_t *p = find_pipe(ctx, daddr, 0);
    if (p == NULL) {
        return C9_ERR_USB_NO_ENDPOINT;
    }
    if (p->active) {
        return C9_ERR_BUSY;
    }
    memcpy(p->setup, setup, 8);
    p->stage = STG_SETUP;
    p->active = 1;
    p->buf = NULL;
    p->len = p->done = 0;
    return C9_OK;
}

static c9_err_t op_xfer(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep, uint8_t *buf, uint32_t len) {
    (void)rhport;
    c9_usbsim_pipe_t *p = find_pipe(ctx, daddr, ep);
    if (p == NULL) {
        return C9_ERR_USB_NO_ENDPOINT;
    }
    if (p->active) {
        return C9_ERR_BUSY;
    }
    if (p->ep == 0) {
        uint16_t wlength = (uint16_t)(p->setup[6] | (p->setup[7] << 8));
        // After the SETUP stage comes data (if any), then status.
        p->stage = p->stage == STG_SETUP && wlength > 0 ? STG_DATA : STG_STATUS;
    } else {
        p->fault = -2; // chosen when the transfer first runs
        p->next_poll = 0;
    }
    p->buf = buf;
    p->len = len;
    p->done = 0;
    p->active = 1;
    return C9_OK;
}

static c9_err_t op_abort(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    (void)rhport;
    c9_usbsim_pipe_t *p = find_pipe(ctx, daddr, ep);
    if (p != NULL) {
        p->active = 0;
    }
    return C9_OK;
}

static c9_err_t op_clear_stall(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    (void)rhport;
    return find_pipe(ctx, daddr, ep) ? C9_OK : C9_ERR_NOENT; // no data toggles to reset
}

static const c9_usb_hcd_ops_t ops = {
    .init = op_init,
    .deinit = op_deinit,
    .service = op_service,
    .port_connected = op_connected,
    .port_reset = op_reset,
    .port_reset_end = op_reset_end,
    .port_speed = op_speed,
    .edpt_open = op_open,
    .edpt_close = op_close,
    .device_close = op_device_close,
    .setup_send = op_setup,
    .edpt_xfer = op_xfer,
    .edpt_abort = op_abort,
    .edpt_clear_stall = op_clear_stall,
};

const c9_usb_hcd_ops_t *c9_usbsim_hcd(void) {
    return &ops;
}
