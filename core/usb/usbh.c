/* USB host core: controller events, transfers and their timeouts, enumeration, class-driver
 * binding, and the blocking helpers. See usbh.h for the contract. */
#include "circuit9/usbh.h"

#include <string.h>

#include "usbh_internal.h"

/* Control transfer stages (c9_usbh_xfer_t.stage). */
enum { ST_IDLE = 0, ST_SETUP = 1, ST_DATA = 2, ST_STATUS = 3 };

/* Enumeration states. */
enum {
    E_IDLE,
    E_DEBOUNCE,
    E_RESET,
    E_RESET_END,
    E_HUB_RESET,
    E_ADDR0,
    E_SET_ADDR,
    E_SET_ADDR_WAIT,
    E_DEV_DESC,
    E_LANGID,
    E_CFG_HDR,
    E_CFG_FULL,
    E_SET_CFG,
};

#define DRIVER_HUB 1 /* itf_driver value of the built-in hub driver; app drivers are 2.. */

static uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint64_t c9__usbh_now(const c9_usbh_t *h) {
    return h->cfg.clock.now_ms(h->cfg.clock.ctx);
}

c9_usbh_dev_t c9__usbh_handle(const c9_usbh_t *h, uint8_t addr) {
    return (c9_usbh_dev_t)((h->dev[addr].gen << 8) | addr);
}

static c9_usbh_device_t *lookup(const c9_usbh_t *h, c9_usbh_dev_t d) {
    uint8_t addr = (uint8_t)(d & 0xFF);
    if (addr == 0 || addr > C9_USBH_MAX_DEVICES) {
        return NULL;
    }
    c9_usbh_device_t *dev = (c9_usbh_device_t *)&h->dev[addr];
    if (dev->state != DEV_READY || dev->gen != (d >> 8)) {
        return NULL;
    }
    return dev;
}

static uint8_t addr_of(const c9_usbh_t *h, const c9_usbh_device_t *dev) {
    return (uint8_t)(dev - h->dev);
}

/* ---- controller calls (a NULL op is C9_ERR_NOSYS) ------------------------------------------------ */

#define HCD(h) ((h)->cfg.hcd)
#define HCTX(h) ((h)->cfg.hcd_ctx)

static c9_err_t hcd_xfer(c9_usbh_t *h, uint8_t addr, uint8_t ep, uint8_t *buf, uint32_t len) {
    return HCD(h)->edpt_xfer(HCTX(h), h->cfg.rhport, addr, ep, buf, len);
}

static void hcd_abort(c9_usbh_t *h, uint8_t addr, uint8_t ep) {
    if (HCD(h)->edpt_abort) {
        HCD(h)->edpt_abort(HCTX(h), h->cfg.rhport, addr, ep);
    }
}

static void hcd_device_close(c9_usbh_t *h, uint8_t addr) {
    if (HCD(h)->device_close) {
        HCD(h)->device_close(HCTX(h), h->cfg.rhport, addr);
    }
}

static c9_err_t hcd_open_ep0(c9_usbh_t *h, uint8_t addr, const c9_usbh_device_t *dev) {
    if (HCD(h)->edpt_open == NULL) {
        return C9_OK; // a controller that needs no pipe setup
    }
    c9_usb_hcd_ep_t ep = {.ep_addr = 0,
                          .type = C9_USB_XFER_CONTROL,
                          .max_packet = dev->mps0,
                          .speed = dev->speed,
                          .hub_addr = dev->hub_addr,
                          .hub_port = dev->hub_port};
    return HCD(h)->edpt_open(HCTX(h), h->cfg.rhport, addr, &ep);
}

/* Forgets queued controller events of an endpoint (0 and 0x80 together for control), so an
 * aborted transfer's late completion cannot finish the next transfer on that endpoint. */
static void purge_events(c9_usbh_t *h, uint8_t addr, uint8_t ep) {
    for (uint16_t i = h->ev_head; i != h->ev_tail; i = (uint16_t)((i + 1) % C9_USBH_EVENT_QUEUE)) {
        c9_usb_hcd_event_t *e = &h->events[i];
        if (e->type == C9_USB_HCD_EVENT_XFER && e->daddr == addr &&
            ((ep & 0x7F) == 0 ? (e->ep & 0x7F) == 0 : e->ep == ep)) {
            e->type = C9_USB_HCD_EVENT_NONE;
        }
    }
}

c9_err_t c9_usbh_hcd_event(c9_usbh_t *host, const c9_usb_hcd_event_t *ev) {
    if (host == NULL || ev == NULL) {
        return C9_ERR_INVAL;
    }
    uint16_t next = (uint16_t)((host->ev_tail + 1) % C9_USBH_EVENT_QUEUE);
    if (next == host->ev_head) {
        return C9_ERR_NOMEM;
    }
    host->events[host->ev_tail] = *ev;
    host->ev_tail = next;
    return C9_OK;
}

/* ---- the tap (usbmon packets) ---------------------------------------------------------------------- */

#if C9_USBH_TAP
static uint8_t usbmon_type(const c9_usbh_t *h, const c9_usbh_xfer_t *x) {
    if ((x->ep & 0x7F) == 0) {
        return C9_USBMON_CONTROL;
    }
    const c9_usbh_device_t *dev = &h->dev[x->daddr];
    for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS; i++) {
        if (dev->ep[i].addr == x->ep) {
            return dev->ep[i].type == C9_USB_XFER_INTERRUPT     ? C9_USBMON_INTERRUPT
                   : dev->ep[i].type == C9_USB_XFER_ISOCHRONOUS ? C9_USBMON_ISO
                                                                : C9_USBMON_BULK;
        }
    }
    return C9_USBMON_BULK;
}

static int32_t usbmon_status(c9_err_t err) {
    switch (err) {
    case C9_OK: return C9_USBMON_STATUS_OK;
    case C9_ERR_USB_STALL: return C9_USBMON_STATUS_EPIPE;
    case C9_ERR_USB_OVERFLOW: return C9_USBMON_STATUS_EOVERFLOW;
    case C9_ERR_USB_NO_DEVICE: return C9_USBMON_STATUS_ENODEV;
    case C9_ERR_USB_CANCELLED:
    case C9_ERR_TIMEDOUT: return C9_USBMON_STATUS_ENOENT; // both unlink the URB
    default: return C9_USBMON_STATUS_EPROTO;
    }
}

static void tap(c9_usbh_t *h, const c9_usbh_xfer_t *x, char type) {
    if (h->cfg.tap == NULL) {
        return;
    }
    uint64_t us = c9__usbh_now(h) * 1000u;
    bool control = (x->ep & 0x7F) == 0;
    bool in = control ? (x->setup.bmRequestType & C9_USB_DIR_IN) != 0 : (x->ep & 0x80) != 0;
    c9_usbmon_packet_t p = {
        .id = x->urb_id,
        .type = type,
        .xfer_type = usbmon_type(h, x),
        .ep = control ? (in ? 0x80 : 0x00) : x->ep,
        .devnum = x->daddr,
        .busnum = h->cfg.rhport,
        .ts_sec = (int64_t)(us / 1000000u),
        .ts_usec = (int32_t)(us % 1000000u),
    };
    uint32_t len = control ? x->setup.wLength : x->len;
    if (type == 'S') {
        p.status = C9_USBMON_STATUS_EINPROGRESS;
        p.length = len;
        if (control) {
            p.setup_valid = true;
            c9_usb_setup_pack(&x->setup, p.setup);
        }
        if (!in && len > 0) {
            p.data = x->buf;
            p.data_len = len;
            p.data_valid = true;
        }
    } else {
        p.status = usbmon_status(x->result);
        p.length = x->actual;
        if (in && x->actual > 0 && x->result == C9_OK) {
            p.data = x->buf;
            p.data_len = x->actual;
            p.data_valid = true;
        }
    }
    h->cfg.tap(h->cfg.tap_ctx, &p);
}
#else
static void tap(c9_usbh_t *h, const c9_usbh_xfer_t *x, char type) {
}
#endif

/* ---- transfers ---------------------------------------------------------------------------------------- */

static c9_usbh_ep_slot_t *find_ep(c9_usbh_device_t *dev, uint8_t ep) {
    for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS; i++) {
        if (dev->ep[i].addr == ep && ep != 0) {
            return &dev->ep[i];
        }
    }
    return NULL;
}

/* Ends a transfer: results, tap, callback. The transfer is already unlinked. */
static void finish(c9_usbh_t *h, c9_usbh_xfer_t *x, c9_err_t result) {
    bool started = x->busy == 2; // queued control transfers that never started have no 'S'
    x->result = result;
    x->busy = 0;
    x->stage = ST_IDLE;
    if (started) {
        tap(h, x, 'C');
    }
    if (x->complete) {
        x->complete(h, x);
    }
}

static c9_err_t ctrl_start(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    uint8_t setup[8];
    c9_usb_setup_pack(&x->setup, setup);
    x->stage = ST_SETUP;
    x->busy = 2;
    tap(h, x, 'S');
    c9_err_t err = HCD(h)->setup_send(HCTX(h), h->cfg.rhport, x->daddr, setup);
    if (err != C9_OK) {
        x->stage = ST_IDLE;
        x->busy = 1;
    }
    return err;
}

/* Pops the device's in-flight control transfer and ends it. */
static void ctrl_finish(c9_usbh_t *h, c9_usbh_device_t *dev, c9_usbh_xfer_t *x, c9_err_t result) {
    if (dev->ctrl_head == x) {
        dev->ctrl_head = x->next;
    }
    x->next = NULL;
    finish(h, x, result);
}

static uint8_t stage_ep(const c9_usbh_xfer_t *x) {
    bool in = (x->setup.bmRequestType & C9_USB_DIR_IN) != 0;
    switch (x->stage) {
    case ST_DATA: return in ? 0x80 : 0x00;
    case ST_STATUS: return in ? 0x00 : 0x80;
    default: return 0x00;
    }
}

static void ctrl_advance(c9_usbh_t *h, c9_usbh_device_t *dev, c9_usbh_xfer_t *x, uint32_t actual, c9_err_t result) {
    if (result != C9_OK) {
        if (x->stage == ST_DATA) {
            x->actual = actual;
        }
        ctrl_finish(h, dev, x, result);
        return;
    }
    c9_err_t err = C9_OK;
    bool in = (x->setup.bmRequestType & C9_USB_DIR_IN) != 0;
    switch (x->stage) {
    case ST_SETUP:
        if (x->setup.wLength > 0) {
            x->stage = ST_DATA;
            err = hcd_xfer(h, x->daddr, in ? 0x80 : 0x00, x->buf, x->setup.wLength);
        } else {
            x->stage = ST_STATUS;
            err = hcd_xfer(h, x->daddr, 0x80, NULL, 0);
        }
        break;
    case ST_DATA:
        x->actual = actual < x->setup.wLength ? actual : x->setup.wLength;
        x->stage = ST_STATUS;
        err = hcd_xfer(h, x->daddr, in ? 0x00 : 0x80, NULL, 0);
        break;
    case ST_STATUS: ctrl_finish(h, dev, x, C9_OK); return;
    default: return;
    }
    if (err != C9_OK) {
        ctrl_finish(h, dev, x, err);
    }
}

c9_err_t c9__usbh_submit(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    if (x->busy) {
        return C9_ERR_BUSY;
    }
    if (x->daddr > C9_USBH_MAX_DEVICES) {
        return C9_ERR_USB_NO_DEVICE;
    }
    c9_usbh_device_t *dev = &h->dev[x->daddr];
    if (dev->state == DEV_FREE || dev->state == DEV_GONE) {
        return C9_ERR_USB_NO_DEVICE;
    }
    bool control = (x->ep & 0x7F) == 0;
    uint32_t len = control ? x->setup.wLength : x->len;
    if (len > 0 && x->buf == NULL) {
        return C9_ERR_INVAL;
    }
    x->result = C9_OK;
    x->actual = 0;
    x->next = NULL;
    x->stage = ST_IDLE;
    x->deadline = x->timeout_ms ? c9__usbh_now(h) + x->timeout_ms : 0;
    x->urb_id = ++h->urb_seq;
    if (control) {
        c9_usbh_xfer_t **tail = &dev->ctrl_head;
        while (*tail) {
            tail = &(*tail)->next;
        }
        *tail = x;
        x->busy = 1;
        if (dev->ctrl_head == x) {
            c9_err_t err = ctrl_start(h, x);
            if (err != C9_OK) {
                dev->ctrl_head = NULL;
                x->busy = 0;
                return err;
            }
        }
        return C9_OK;
    }
    c9_usbh_ep_slot_t *slot = find_ep(dev, x->ep);
    if (slot == NULL) {
        return C9_ERR_USB_NO_ENDPOINT;
    }
    if (slot->xfer != NULL) {
        return C9_ERR_BUSY;
    }
    slot->xfer = x;
    x->busy = 2;
    tap(h, x, 'S');
    c9_err_t err = hcd_xfer(h, x->daddr, x->ep, x->buf, x->len);
    if (err != C9_OK) {
        slot->xfer = NULL;
        x->busy = 0;
    }
    return err;
}

c9_err_t c9_usbh_submit(c9_usbh_t *host, c9_usbh_xfer_t *xfer) {
    if (host == NULL || xfer == NULL || !host->inited) {
        return C9_ERR_INVAL;
    }
    if (lookup(host, xfer->dev) == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    xfer->daddr = (uint8_t)(xfer->dev & 0xFF);
    return c9__usbh_submit(host, xfer);
}

/* Takes a pending transfer off the controller and out of the queues, without ending it. */
static bool unlink(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    if (!x->busy || x->daddr > C9_USBH_MAX_DEVICES) {
        return false;
    }
    c9_usbh_device_t *dev = &h->dev[x->daddr];
    if ((x->ep & 0x7F) == 0) {
        for (c9_usbh_xfer_t **p = &dev->ctrl_head; *p; p = &(*p)->next) {
            if (*p == x) {
                if (x->stage != ST_IDLE) {
                    hcd_abort(h, x->daddr, stage_ep(x));
                    purge_events(h, x->daddr, 0);
                }
                *p = x->next;
                x->next = NULL;
                return true;
            }
        }
        return false;
    }
    c9_usbh_ep_slot_t *slot = find_ep(dev, x->ep);
    if (slot == NULL || slot->xfer != x) {
        return false;
    }
    hcd_abort(h, x->daddr, x->ep);
    purge_events(h, x->daddr, x->ep);
    slot->xfer = NULL;
    return true;
}

c9_err_t c9_usbh_abort(c9_usbh_t *host, c9_usbh_xfer_t *xfer) {
    if (host == NULL || xfer == NULL) {
        return C9_ERR_INVAL;
    }
    bool started = xfer->busy == 2;
    if (!unlink(host, xfer)) {
        return C9_ERR_NOENT;
    }
    xfer->busy = 0;
    xfer->stage = ST_IDLE;
    xfer->result = C9_ERR_USB_CANCELLED;
    if (started) {
        tap(host, xfer, 'C');
    }
    return C9_OK;
}

/* Ends every pending transfer of a device with `result` (callbacks run). */
static void fail_all(c9_usbh_t *h, c9_usbh_device_t *dev, c9_err_t result) {
    while (dev->ctrl_head) {
        c9_usbh_xfer_t *x = dev->ctrl_head;
        unlink(h, x);
        finish(h, x, result);
    }
    for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS; i++) {
        c9_usbh_xfer_t *x = dev->ep[i].xfer;
        if (x != NULL) {
            unlink(h, x);
            finish(h, x, result);
        }
    }
}

static void on_xfer_event(c9_usbh_t *h, const c9_usb_hcd_event_t *e) {
    if (e->daddr > C9_USBH_MAX_DEVICES) {
        return;
    }
    c9_usbh_device_t *dev = &h->dev[e->daddr];
    if (dev->state == DEV_FREE) {
        return;
    }
    if ((e->ep & 0x7F) == 0) {
        c9_usbh_xfer_t *x = dev->ctrl_head;
        if (x != NULL && x->stage != ST_IDLE) {
            ctrl_advance(h, dev, x, e->actual, e->result);
        }
        return;
    }
    c9_usbh_ep_slot_t *slot = find_ep(dev, e->ep);
    if (slot == NULL || slot->xfer == NULL) {
        return;
    }
    c9_usbh_xfer_t *x = slot->xfer;
    slot->xfer = NULL;
    x->actual = e->actual < x->len ? e->actual : x->len;
    finish(h, x, e->result);
}

static void check_timeouts(c9_usbh_t *h, uint64_t now) {
    for (unsigned a = 0; a <= C9_USBH_MAX_DEVICES; a++) {
        c9_usbh_device_t *dev = &h->dev[a];
        if (dev->state == DEV_FREE) {
            continue;
        }
        for (c9_usbh_xfer_t *x = dev->ctrl_head; x != NULL;) {
            c9_usbh_xfer_t *next = x->next;
            if (x->deadline != 0 && now >= x->deadline) {
                unlink(h, x);
                finish(h, x, C9_ERR_TIMEDOUT);
                next = dev->ctrl_head; // the list may have changed in the callback
            }
            x = next;
        }
        for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS; i++) {
            c9_usbh_xfer_t *x = dev->ep[i].xfer;
            if (x != NULL && x->deadline != 0 && now >= x->deadline) {
                unlink(h, x);
                finish(h, x, C9_ERR_TIMEDOUT);
            }
        }
    }
}

/* Starts queued control transfers whose turn came (after an abort or a timeout). */
static void kick_control(c9_usbh_t *h) {
    for (unsigned a = 0; a <= C9_USBH_MAX_DEVICES; a++) {
        c9_usbh_device_t *dev = &h->dev[a];
        while (dev->state != DEV_FREE && dev->ctrl_head != NULL && dev->ctrl_head->stage == ST_IDLE) {
            c9_usbh_xfer_t *x = dev->ctrl_head;
            c9_err_t err = ctrl_start(h, x);
            if (err == C9_OK) {
                break;
            }
            dev->ctrl_head = x->next;
            x->next = NULL;
            finish(h, x, err);
        }
    }
}

void c9__usbh_control(c9_usbh_xfer_t *x, uint8_t addr, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                      uint8_t *buf, uint16_t len, c9_usbh_xfer_cb cb) {
    x->daddr = addr;
    x->ep = 0;
    x->setup = (c9_usb_setup_t){type, req, value, index, len};
    x->buf = buf;
    x->len = len;
    x->complete = cb;
}

/* ---- endpoints ------------------------------------------------------------------------------------------ */

c9_err_t c9__usbh_open_ep(c9_usbh_t *h, uint8_t addr, const uint8_t *d) {
    if (d[1] != C9_USB_DESC_ENDPOINT) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (d[0] < 7) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if ((d[2] & 0x0F) == 0) {
        return C9_ERR_USB_DESC_VALUE;
    }
    c9_usbh_device_t *dev = &h->dev[addr];
    if (find_ep(dev, d[2]) != NULL) {
        return C9_OK;
    }
    c9_usbh_ep_slot_t *slot = NULL;
    for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS && slot == NULL; i++) {
        if (dev->ep[i].addr == 0) {
            slot = &dev->ep[i];
        }
    }
    if (slot == NULL) {
        return C9_ERR_NOMEM;
    }
    c9_usb_hcd_ep_t info = {.ep_addr = d[2],
                            .type = (uint8_t)(d[3] & 3),
                            .max_packet = (uint16_t)(rd16(d + 4) & 0x7FF),
                            .interval = d[6],
                            .speed = dev->speed,
                            .hub_addr = dev->hub_addr,
                            .hub_port = dev->hub_port};
    if (HCD(h)->edpt_open) {
        c9_err_t err = HCD(h)->edpt_open(HCTX(h), h->cfg.rhport, addr, &info);
        if (err != C9_OK) {
            return err;
        }
    }
    *slot = (c9_usbh_ep_slot_t){.addr = d[2], .type = info.type, .interval = d[6], .mps = info.max_packet};
    return C9_OK;
}

c9_err_t c9_usbh_edpt_open(c9_usbh_t *host, c9_usbh_dev_t dev, const uint8_t *ep_desc) {
    if (host == NULL || ep_desc == NULL) {
        return C9_ERR_INVAL;
    }
    c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    return c9__usbh_open_ep(host, addr_of(host, d), ep_desc);
}

/* Closes every endpoint but 0, aborting their transfers (no callbacks). */
static void close_endpoints(c9_usbh_t *h, c9_usbh_device_t *dev) {
    uint8_t addr = addr_of(h, dev);
    for (unsigned i = 0; i < C9_USBH_MAX_ENDPOINTS; i++) {
        c9_usbh_ep_slot_t *s = &dev->ep[i];
        if (s->addr == 0) {
            continue;
        }
        if (s->xfer) {
            c9_usbh_abort(h, s->xfer);
        }
        if (HCD(h)->edpt_close) {
            HCD(h)->edpt_close(HCTX(h), h->cfg.rhport, addr, s->addr);
        }
        memset(s, 0, sizeof *s);
    }
}

/* ---- class drivers --------------------------------------------------------------------------------------- */

/* Drivers run as callbacks wherever they are called from (the task, attach, set_configuration):
 * the blocking helpers refuse them alike. */
static uint16_t driver_open(c9_usbh_t *h, uint8_t addr, uint8_t drv, const uint8_t *itf, uint16_t len) {
    uint16_t n = 0;
    bool was = h->in_task;
    h->in_task = true;
    if (drv == DRIVER_HUB) {
#if C9_USBH_MAX_HUBS > 0
        n = c9__hub_open(h, addr, itf, len);
#endif
    } else {
        const c9_usbh_driver_t *d = h->cfg.drivers[drv - 2];
        n = d->open ? d->open(d->ctx, h, c9__usbh_handle(h, addr), itf, len) : 0;
    }
    h->in_task = was;
    return n;
}

static void driver_close(c9_usbh_t *h, uint8_t addr, uint8_t drv, uint8_t itf) {
    bool was = h->in_task;
    h->in_task = true;
    if (drv == DRIVER_HUB) {
#if C9_USBH_MAX_HUBS > 0
        c9__hub_close(h, addr);
#endif
    } else if (drv >= 2 && (size_t)(drv - 2) < h->cfg.driver_count) {
        const c9_usbh_driver_t *d = h->cfg.drivers[drv - 2];
        if (d->close) {
            d->close(d->ctx, h, c9__usbh_handle(h, addr), itf);
        }
    }
    h->in_task = was;
}

/* Marks every interface starting in [from, from + n) as claimed by drv. */
static void claim(c9_usbh_device_t *dev, size_t from, size_t n, uint8_t drv) {
    size_t off = from, end = from + n;
    const uint8_t *d;
    while (off < end && c9_usb_desc_next(dev->config, end, &off, &d) == C9_OK) {
        if (d[1] == C9_USB_DESC_INTERFACE && d[0] >= 9 && d[2] < C9_USBH_MAX_INTERFACES) {
            dev->itf_claimed |= 1u << d[2];
            dev->itf_driver[d[2]] = drv;
        }
    }
}

/* Offers interface `only` (or every interface when only is 0xFF) to the drivers. */
static void bind_drivers(c9_usbh_t *h, uint8_t addr, uint8_t only, uint8_t only_drv) {
    c9_usbh_device_t *dev = &h->dev[addr];
    size_t off = 0;
    const uint8_t *d;
    while (dev->config_value != 0 && c9_usb_desc_next(dev->config, dev->config_len, &off, &d) == C9_OK) {
        if (d[1] != C9_USB_DESC_INTERFACE || d[0] < 9 || d[3] != 0 || d[2] >= C9_USBH_MAX_INTERFACES) {
            continue;
        }
        uint8_t num = d[2];
        if ((only != 0xFF && num != only) || (dev->itf_claimed & (1u << num)) || (dev->itf_detached & (1u << num))) {
            continue;
        }
        size_t start = (size_t)(d - dev->config);
        uint16_t rest = (uint16_t)(dev->config_len - start);
        uint8_t first = 1, last = (uint8_t)(1 + h->cfg.driver_count);
        if (only_drv != 0) {
            first = last = only_drv;
        }
        for (uint8_t drv = first; drv <= last; drv++) {
            if (drv == DRIVER_HUB && d[5] != C9_USB_CLASS_HUB) {
                continue;
            }
            uint16_t n = driver_open(h, addr, drv, d, rest);
            if (n != 0) {
                claim(dev, start, n < 9 ? 9 : (n > rest ? rest : n), drv);
                break;
            }
            if (h->dev[addr].state != DEV_READY) {
                return; // a driver's open found the device gone
            }
        }
    }
}

static void unbind_drivers(c9_usbh_t *h, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    for (uint8_t i = 0; i < C9_USBH_MAX_INTERFACES; i++) {
        if (dev->itf_claimed & (1u << i)) {
            dev->itf_claimed &= ~(1u << i);
            driver_close(h, addr, dev->itf_driver[i], i);
        }
    }
}

/* ---- device removal -------------------------------------------------------------------------------------------- */

static void enum_fail(c9_usbh_t *h, c9_err_t err);

void c9__usbh_remove_device(c9_usbh_t *h, uint8_t addr) {
    if (addr == 0 || addr > C9_USBH_MAX_DEVICES) {
        return;
    }
    c9_usbh_device_t *dev = &h->dev[addr];
    if (dev->state == DEV_FREE || dev->state == DEV_GONE) {
        return;
    }
    if (h->enum_state != E_IDLE && h->enum_addr == addr) {
        enum_fail(h, C9_ERR_USB_NO_DEVICE);
        return;
    }
#if C9_USBH_MAX_HUBS > 0
    uint8_t children[C9_USBH_HUB_MAX_PORTS];
    size_t n = c9__hub_children(h, addr, children, C9_USBH_HUB_MAX_PORTS);
    for (size_t i = 0; i < n; i++) {
        c9__usbh_remove_device(h, children[i]);
    }
    for (uint8_t p = 1; p <= C9_USBH_HUB_MAX_PORTS; p++) {
        c9__usbh_port_removed(h, addr, p); // queued or running enumerations behind it
    }
#endif
    uint8_t prev = dev->state;
    dev->state = DEV_GONE;
    fail_all(h, dev, C9_ERR_USB_NO_DEVICE);
    unbind_drivers(h, addr);
    if (prev == DEV_READY && h->cfg.unmount) {
        h->cfg.unmount(h->cfg.app_ctx, h, c9__usbh_handle(h, addr));
    }
    hcd_device_close(h, addr);
#if C9_USBH_MAX_HUBS > 0
    if (dev->hub_addr != 0) {
        c9__hub_set_child(h, dev->hub_addr, dev->hub_port, 0);
    }
#endif
    uint8_t gen = dev->gen;
    memset(dev, 0, offsetof(c9_usbh_device_t, config));
    dev->gen = gen;
}

/* ---- enumeration ------------------------------------------------------------------------------------------------- */

void c9__usbh_enum_request(c9_usbh_t *h, uint8_t hub_addr, uint8_t port) {
    for (unsigned i = 0; i < h->enum_pending; i++) {
        if (h->enum_queue[i].hub_addr == hub_addr && h->enum_queue[i].hub_port == port) {
            return;
        }
    }
    if (h->enum_pending < C9_ARRAY_SIZE(h->enum_queue)) {
        h->enum_queue[h->enum_pending++] = (c9_usbh_enum_req_t){hub_addr, port};
    }
}

void c9__usbh_port_removed(c9_usbh_t *h, uint8_t hub_addr, uint8_t port) {
    for (unsigned i = 0; i < h->enum_pending;) {
        if (h->enum_queue[i].hub_addr == hub_addr && h->enum_queue[i].hub_port == port) {
            memmove(&h->enum_queue[i], &h->enum_queue[i + 1], (h->enum_pending - i - 1) * sizeof h->enum_queue[0]);
            h->enum_pending--;
        } else {
            i++;
        }
    }
    if (h->enum_state != E_IDLE && h->enum_hub == hub_addr && h->enum_port == port) {
        enum_fail(h, C9_ERR_USB_NO_DEVICE);
    }
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        c9_usbh_device_t *d = &h->dev[a];
        if (d->state != DEV_FREE && d->state != DEV_GONE && d->hub_addr == hub_addr && d->hub_port == port &&
            hub_addr != 0) {
            c9__usbh_remove_device(h, a);
        }
    }
}

static void enum_fail(c9_usbh_t *h, c9_err_t err) {
    h->enum_error = err;
    if (h->enum_xfer.busy) {
        c9_usbh_abort(h, &h->enum_xfer);
    }
    uint8_t addr = h->enum_addr;
    h->enum_state = E_IDLE;
    h->enum_addr = 0;
    if (addr != 0) {
        c9_usbh_device_t *dev = &h->dev[addr];
        dev->state = DEV_GONE;
        fail_all(h, dev, C9_ERR_USB_NO_DEVICE);
        hcd_device_close(h, addr);
        uint8_t gen = dev->gen;
        memset(dev, 0, offsetof(c9_usbh_device_t, config));
        dev->gen = gen;
    }
    if (h->dev[0].state != DEV_FREE) {
        h->dev[0].state = DEV_GONE;
        fail_all(h, &h->dev[0], C9_ERR_USB_NO_DEVICE);
        hcd_device_close(h, 0);
        memset(&h->dev[0], 0, offsetof(c9_usbh_device_t, config));
    }
}

static void enum_cb(c9_usbh_t *h, c9_usbh_xfer_t *x);

static void enum_control(c9_usbh_t *h, uint8_t addr, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                         uint8_t *buf, uint16_t len, uint8_t next_state) {
    c9_usbh_xfer_t *x = &h->enum_xfer;
    c9__usbh_control(x, addr, type, req, value, index, buf, len, enum_cb);
    x->timeout_ms = C9_USBH_ENUM_TIMEOUT_MS;
    h->enum_state = next_state;
    c9_err_t err = c9__usbh_submit(h, x);
    if (err != C9_OK) {
        enum_fail(h, err);
    }
}

static void get_desc(c9_usbh_t *h, uint8_t addr, uint8_t type, uint8_t index, uint16_t windex, uint8_t *buf,
                     uint16_t len, uint8_t next_state) {
    enum_control(h, addr, C9_USB_DIR_IN, C9_USB_REQ_GET_DESCRIPTOR, (uint16_t)((type << 8) | index), windex, buf, len,
                 next_state);
}

static void begin_address0(c9_usbh_t *h) {
    c9_usbh_device_t *d0 = &h->dev[0];
    memset(d0, 0, offsetof(c9_usbh_device_t, config));
    d0->state = DEV_ENUM;
    d0->speed = h->enum_speed;
    d0->hub_addr = h->enum_hub;
    d0->hub_port = h->enum_port;
    d0->mps0 = 8;
    c9_err_t err = hcd_open_ep0(h, 0, d0);
    if (err != C9_OK) {
        enum_fail(h, err);
        return;
    }
    get_desc(h, 0, C9_USB_DESC_DEVICE, 0, 0, h->enum_buf, 8, E_ADDR0);
}

void c9__usbh_reset_done(c9_usbh_t *h, uint8_t hub_addr, uint8_t port, c9_err_t err, uint8_t speed) {
    if (h->enum_state != E_HUB_RESET || h->enum_hub != hub_addr || h->enum_port != port) {
        return;
    }
    if (err != C9_OK) {
        enum_fail(h, err);
        return;
    }
    h->enum_speed = speed;
    h->enum_state = E_RESET_END;
    h->enum_due = c9__usbh_now(h) + C9_USBH_RESET_RECOVERY_MS;
}

static void mount(c9_usbh_t *h, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    h->enum_state = E_IDLE;
    h->enum_addr = 0;
    dev->state = DEV_READY;
#if C9_USBH_MAX_HUBS > 0
    if (dev->hub_addr != 0) {
        c9__hub_set_child(h, dev->hub_addr, dev->hub_port, addr);
    }
#endif
    bind_drivers(h, addr, 0xFF, 0);
    if (dev->state == DEV_READY && h->cfg.mount) {
        h->cfg.mount(h->cfg.app_ctx, h, c9__usbh_handle(h, addr));
    }
}

/* Checks a cached configuration: a clean header and descriptor chain within wTotalLength, and
 * the standard minimum lengths of interfaces and endpoints the stack reads. */
static c9_err_t check_config(const uint8_t *buf, size_t len) {
    c9_usb_config_header_t hdr;
    c9_err_t err = c9_usb_desc_parse_config_header(buf, len, &hdr);
    if (err != C9_OK) {
        return err;
    }
    if (hdr.wTotalLength > len) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    size_t off = 0;
    const uint8_t *d;
    while ((err = c9_usb_desc_next(buf, hdr.wTotalLength, &off, &d)) == C9_OK) {
        if ((d[1] == C9_USB_DESC_INTERFACE && d[0] < 9) || (d[1] == C9_USB_DESC_ENDPOINT && d[0] < 7)) {
            return C9_ERR_USB_DESC_LENGTH;
        }
    }
    return err == C9_ERR_NOENT ? C9_OK : err;
}

static uint8_t alloc_address(c9_usbh_t *h) {
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        if (h->dev[a].state == DEV_FREE) {
            return a;
        }
    }
    return 0;
}

/* A fresh slot for the device being enumerated. The generation moves on (never 0) so that
 * handles to the address's previous device stop working. */
static void new_device(c9_usbh_t *h, uint8_t a, uint16_t mps0) {
    c9_usbh_device_t *nd = &h->dev[a];
    uint8_t gen = (uint8_t)(nd->gen + 1);
    memset(nd, 0, offsetof(c9_usbh_device_t, config));
    nd->gen = gen ? gen : 1;
    nd->state = DEV_ENUM;
    nd->speed = h->enum_speed;
    nd->hub_addr = h->enum_hub;
    nd->hub_port = h->enum_port;
    nd->mps0 = mps0;
}

/* The first 8 bytes of the device descriptor at address 0: endpoint 0's packet size, then an
 * address for the device. */
static void enum_got_mps0(c9_usbh_t *h, const c9_usbh_xfer_t *x) {
    if (x->result != C9_OK) {
        enum_fail(h, x->result);
        return;
    }
    uint16_t mps;
    c9_err_t err = c9_usb_desc_max_packet0(h->enum_buf, x->actual, &mps);
    if (err != C9_OK) {
        enum_fail(h, err);
        return;
    }
    h->dev[0].mps0 = mps;
    uint8_t a = alloc_address(h);
    if (a == 0) {
        enum_fail(h, C9_ERR_NOMEM);
        return;
    }
    h->enum_addr = a;
    new_device(h, a, mps);
    if (hcd_open_ep0(h, 0, &h->dev[0]) != C9_OK) { // the real packet size for SET_ADDRESS
        enum_fail(h, C9_ERR_IO);
        return;
    }
    enum_control(h, 0, C9_USB_RECIP_DEVICE, C9_USB_REQ_SET_ADDRESS, a, 0, NULL, 0, E_SET_ADDR);
}

/* SET_ADDRESS done: address 0 is free for the next device; the device gets its recovery time
 * (enum_step) before the next request. */
static void enum_address_set(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    if (x->result != C9_OK) {
        enum_fail(h, x->result);
        return;
    }
    hcd_device_close(h, 0);
    memset(&h->dev[0], 0, offsetof(c9_usbh_device_t, config));
    c9_err_t err = hcd_open_ep0(h, addr, &h->dev[addr]);
    if (err != C9_OK) {
        enum_fail(h, err);
        return;
    }
    h->enum_state = E_SET_ADDR_WAIT;
    h->enum_due = c9__usbh_now(h) + C9_USBH_SET_ADDRESS_RECOVERY_MS;
}

/* The whole device descriptor: the language of its strings next if it has any, else the
 * configuration header. */
static void enum_got_device(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    if (x->result != C9_OK) {
        enum_fail(h, x->result);
        return;
    }
    c9_usb_device_desc_t dd;
    c9_err_t err = c9_usb_desc_parse_device(dev->desc, x->actual, &dd);
    if (err != C9_OK) {
        enum_fail(h, err);
        return;
    }
    if (dd.bMaxPacketSize0 != dev->mps0) {
        enum_fail(h, C9_ERR_USB_DESC_VALUE); // the device changed its mind about endpoint 0
        return;
    }
    if (dd.iManufacturer || dd.iProduct || dd.iSerialNumber) {
        get_desc(h, addr, C9_USB_DESC_STRING, 0, 0, h->enum_buf, 4, E_LANGID);
    } else {
        get_desc(h, addr, C9_USB_DESC_CONFIGURATION, 0, 0, dev->config, 9, E_CFG_HDR);
    }
}

static void enum_got_langid(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    c9_err_t res = x->result;
    // A device without string 0 keeps langid 0; strings then read as absent.
    if (res == C9_OK && x->actual >= 4 && h->enum_buf[1] == C9_USB_DESC_STRING && h->enum_buf[0] >= 4) {
        dev->langid = rd16(h->enum_buf + 2);
    } else if (res != C9_OK && res != C9_ERR_USB_STALL) {
        enum_fail(h, res);
        return;
    }
    get_desc(h, addr, C9_USB_DESC_CONFIGURATION, 0, 0, dev->config, 9, E_CFG_HDR);
}

/* The configuration header gives wTotalLength. A bad or oversized one does not fail
 * enumeration: the device is mounted without a configuration and config_error says why. */
static void enum_got_config_header(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    if (x->result != C9_OK) {
        enum_fail(h, x->result);
        return;
    }
    c9_usb_config_header_t hdr;
    c9_err_t err = c9_usb_desc_parse_config_header(dev->config, x->actual, &hdr);
    if (err == C9_OK && hdr.wTotalLength > C9_USBH_CONFIG_DESC_MAX) {
        err = C9_ERR_NOMEM;
    }
    if (err != C9_OK) {
        dev->config_error = err;
        dev->config_len = 0;
        mount(h, addr);
        return;
    }
    get_desc(h, addr, C9_USB_DESC_CONFIGURATION, 0, 0, dev->config, hdr.wTotalLength, E_CFG_FULL);
}

static void enum_got_config(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    if (x->result != C9_OK) {
        enum_fail(h, x->result);
        return;
    }
    dev->config_len = (uint16_t)x->actual;
    dev->config_index = 0;
    dev->config_error = check_config(dev->config, x->actual);
    if (dev->config_error != C9_OK || h->cfg.no_auto_configure) {
        mount(h, addr);
        return;
    }
    enum_control(h, addr, C9_USB_RECIP_DEVICE, C9_USB_REQ_SET_CONFIGURATION, dev->config[5], 0, NULL, 0, E_SET_CFG);
}

/* Only a device that went away fails enumeration here; one that refused its configuration is
 * mounted unconfigured with the reason in config_error. */
static void enum_configured(c9_usbh_t *h, const c9_usbh_xfer_t *x, uint8_t addr) {
    c9_usbh_device_t *dev = &h->dev[addr];
    c9_err_t res = x->result;
    if (res == C9_OK) {
        dev->config_value = dev->config[5];
    } else if (res == C9_ERR_USB_NO_DEVICE) {
        enum_fail(h, res);
        return;
    } else {
        dev->config_error = res;
    }
    mount(h, addr);
}

/* The end of each enumeration request: the state says which one it was. */
static void enum_cb(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    uint8_t addr = h->enum_addr;
    switch (h->enum_state) {
    case E_ADDR0: enum_got_mps0(h, x); return;
    case E_SET_ADDR: enum_address_set(h, x, addr); return;
    case E_DEV_DESC: enum_got_device(h, x, addr); return;
    case E_LANGID: enum_got_langid(h, x, addr); return;
    case E_CFG_HDR: enum_got_config_header(h, x, addr); return;
    case E_CFG_FULL: enum_got_config(h, x, addr); return;
    case E_SET_CFG: enum_configured(h, x, addr); return;
    default: return;
    }
}

static void enum_step(c9_usbh_t *h, uint64_t now) {
    switch (h->enum_state) {
    case E_IDLE:
        if (h->enum_pending == 0) {
            return;
        }
        h->enum_hub = h->enum_queue[0].hub_addr;
        h->enum_port = h->enum_queue[0].hub_port;
        memmove(&h->enum_queue[0], &h->enum_queue[1], (h->enum_pending - 1u) * sizeof h->enum_queue[0]);
        h->enum_pending--;
        h->enum_addr = 0;
        h->enum_error = C9_OK;
        if (h->enum_hub == 0) {
            h->enum_state = E_DEBOUNCE;
            h->enum_due = now + C9_USBH_DEBOUNCE_MS;
        } else {
            h->enum_state = E_HUB_RESET;
            h->enum_due = now + C9_USBH_ENUM_TIMEOUT_MS;
            c9_err_t err = C9_ERR_NOSYS;
#if C9_USBH_MAX_HUBS > 0
            err = c9__hub_port_reset(h, h->enum_hub, h->enum_port);
#endif
            if (err != C9_OK) {
                enum_fail(h, err);
            }
        }
        return;
    case E_DEBOUNCE:
        if (now < h->enum_due) {
            return;
        }
        if (!HCD(h)->port_connected(HCTX(h), h->cfg.rhport)) {
            enum_fail(h, C9_ERR_USB_NO_DEVICE);
            return;
        }
        if (HCD(h)->port_reset(HCTX(h), h->cfg.rhport) != C9_OK) {
            enum_fail(h, C9_ERR_USB_XFER);
            return;
        }
        h->enum_state = E_RESET;
        h->enum_due = now + C9_USBH_RESET_MS;
        return;
    case E_RESET:
        if (now < h->enum_due) {
            return;
        }
        if (HCD(h)->port_reset_end) {
            HCD(h)->port_reset_end(HCTX(h), h->cfg.rhport);
        }
        h->enum_speed =
            HCD(h)->port_speed ? (uint8_t)HCD(h)->port_speed(HCTX(h), h->cfg.rhport) : (uint8_t)C9_USB_SPEED_FULL;
        h->enum_state = E_RESET_END;
        h->enum_due = now + C9_USBH_RESET_RECOVERY_MS;
        return;
    case E_HUB_RESET:
        if (now >= h->enum_due) {
            enum_fail(h, C9_ERR_TIMEDOUT);
        }
        return;
    case E_RESET_END:
        if (now >= h->enum_due) {
            begin_address0(h);
        }
        return;
    case E_SET_ADDR_WAIT:
        if (now >= h->enum_due) {
            get_desc(h, h->enum_addr, C9_USB_DESC_DEVICE, 0, 0, h->dev[h->enum_addr].desc, 18, E_DEV_DESC);
        }
        return;
    default: return;
    }
}

/* ---- task
 * ------------------------------------------------------------------------------------------------------------ */

static void remove_root(c9_usbh_t *h) {
    c9__usbh_port_removed(h, 0, 0);
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        c9_usbh_device_t *d = &h->dev[a];
        if (d->state != DEV_FREE && d->state != DEV_GONE && d->hub_addr == 0) {
            c9__usbh_remove_device(h, a);
        }
    }
}

void c9_usbh_task(c9_usbh_t *host) {
    if (host == NULL || !host->inited || host->in_task) {
        return;
    }
    c9_usbh_t *h = host;
    h->in_task = true;
    uint64_t now = c9__usbh_now(h);
    if (HCD(h)->service) {
        HCD(h)->service(HCTX(h), now);
    }
    // Bounded, so a controller that keeps posting cannot hold the task forever.
    for (unsigned n = 0; n < 4u * C9_USBH_EVENT_QUEUE && h->ev_head != h->ev_tail; n++) {
        c9_usb_hcd_event_t e = h->events[h->ev_head];
        h->ev_head = (uint16_t)((h->ev_head + 1) % C9_USBH_EVENT_QUEUE);
        switch (e.type) {
        case C9_USB_HCD_EVENT_ATTACH:
            remove_root(h); // a new attach means whatever was there is gone
            c9__usbh_enum_request(h, 0, 0);
            break;
        case C9_USB_HCD_EVENT_DETACH: remove_root(h); break;
        case C9_USB_HCD_EVENT_XFER: on_xfer_event(h, &e); break;
        default: break;
        }
    }
    now = c9__usbh_now(h);
    check_timeouts(h, now);
    kick_control(h);
    enum_step(h, now);
#if C9_USBH_MAX_HUBS > 0
    c9__hub_task(h, now);
#endif
    h->in_task = false;
}

/* ---- lifecycle
 * ----------------------------------------------------------------------------------------------------------- */

c9_err_t c9_usbh_init(c9_usbh_t *host, const c9_usbh_config_t *cfg) {
    if (host == NULL || cfg == NULL || cfg->hcd == NULL || cfg->hcd->init == NULL || cfg->hcd->port_connected == NULL ||
        cfg->hcd->port_reset == NULL || cfg->hcd->setup_send == NULL || cfg->hcd->edpt_xfer == NULL ||
        cfg->clock.now_ms == NULL || (cfg->driver_count > 0 && cfg->drivers == NULL) || cfg->driver_count > 250) {
        return C9_ERR_INVAL;
    }
    memset(host, 0, sizeof *host);
    host->cfg = *cfg;
    c9_err_t err = cfg->hcd->init(cfg->hcd_ctx, host);
    if (err != C9_OK) {
        return err;
    }
    host->inited = true;
    return C9_OK;
}

void c9_usbh_deinit(c9_usbh_t *host) {
    if (host == NULL || !host->inited) {
        return;
    }
    if (host->enum_state != E_IDLE) {
        enum_fail(host, C9_ERR_USB_NO_DEVICE);
    }
    host->enum_pending = 0;
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        if (host->dev[a].hub_addr == 0) {
            c9__usbh_remove_device(host, a);
        }
    }
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        c9__usbh_remove_device(host, a);
    }
    if (HCD(host)->deinit) {
        HCD(host)->deinit(HCTX(host));
    }
    host->inited = false;
}

c9_err_t c9_usbh_last_enum_error(const c9_usbh_t *host) {
    return host ? host->enum_error : C9_ERR_INVAL;
}

/* Sleeps a little between rounds of a blocking wait. */
static void idle_wait(c9_usbh_t *h) {
    if (HCD(h)->wait) {
        HCD(h)->wait(HCTX(h), 1);
    } else if (h->cfg.clock.delay_ms) {
        h->cfg.clock.delay_ms(h->cfg.clock.ctx, 1);
    }
}

static bool cancelled(c9_usbh_t *h) {
    return h->cfg.cancelled != NULL && h->cfg.cancelled(h->cfg.cancel_ctx);
}

c9_err_t c9_usbh_wait_idle(c9_usbh_t *host, uint32_t timeout_ms) {
    if (host == NULL || !host->inited) {
        return C9_ERR_INVAL;
    }
    if (host->in_task) {
        return C9_ERR_BUSY;
    }
    uint64_t start = c9__usbh_now(host);
    for (;;) {
        c9_usbh_task(host);
        bool busy = host->enum_state != E_IDLE || host->enum_pending > 0 || host->ev_head != host->ev_tail;
#if C9_USBH_MAX_HUBS > 0
        busy = busy || c9__hub_busy(host);
#endif
        if (!busy) {
            return C9_OK;
        }
        if (timeout_ms != 0 && c9__usbh_now(host) - start >= timeout_ms) {
            return C9_ERR_TIMEDOUT;
        }
        if (cancelled(host)) {
            return C9_ERR_USB_CANCELLED;
        }
        idle_wait(host);
    }
}

/* ---- devices
 * ----------------------------------------------------------------------------------------------------------- */

size_t c9_usbh_devices(const c9_usbh_t *host, c9_usbh_dev_t *out, size_t max) {
    size_t n = 0;
    if (host == NULL) {
        return 0;
    }
    for (uint8_t a = 1; a <= C9_USBH_MAX_DEVICES; a++) {
        if (host->dev[a].state == DEV_READY) {
            if (n < max && out != NULL) {
                out[n] = c9__usbh_handle(host, a);
            }
            n++;
        }
    }
    return n;
}

c9_err_t c9_usbh_find(const c9_usbh_t *host, int32_t vid, int32_t pid, c9_usbh_dev_t after, c9_usbh_dev_t *out) {
    if (host == NULL || out == NULL) {
        return C9_ERR_INVAL;
    }
    for (unsigned a = (after & 0xFFu) + 1u; a <= C9_USBH_MAX_DEVICES; a++) {
        const c9_usbh_device_t *d = &host->dev[a];
        if (d->state != DEV_READY) {
            continue;
        }
        if ((vid < 0 || rd16(d->desc + 8) == vid) && (pid < 0 || rd16(d->desc + 10) == pid)) {
            *out = c9__usbh_handle(host, (uint8_t)a);
            return C9_OK;
        }
    }
    return C9_ERR_NOENT;
}

c9_err_t c9_usbh_device_info(const c9_usbh_t *host, c9_usbh_dev_t dev, c9_usbh_device_info_t *info) {
    if (host == NULL || info == NULL) {
        return C9_ERR_INVAL;
    }
    const c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    memset(info, 0, sizeof *info);
    info->address = (uint8_t)(dev & 0xFF);
    info->bus = host->cfg.rhport;
    info->speed = d->speed;
    info->hub_addr = d->hub_addr;
    info->hub_port = d->hub_port;
    info->config_value = d->config_value;
    info->config_error = d->config_error;
    memcpy(info->device_descriptor, d->desc, 18);
    c9_usb_desc_parse_device(d->desc, 18, &info->desc);
    info->is_hub = info->desc.bDeviceClass == C9_USB_CLASS_HUB;
    // Walk up to the root: ports come out downstream first, so fill from the end.
    uint8_t ports[5], n = 0;
    for (const c9_usbh_device_t *cur = d; cur->hub_addr != 0 && n < 5; cur = &host->dev[cur->hub_addr]) {
        ports[n++] = cur->hub_port;
    }
    for (uint8_t i = 0; i < n; i++) {
        info->port_numbers[i] = ports[n - 1 - i];
    }
    info->port_count = n;
    return C9_OK;
}

c9_err_t c9_usbh_config_descriptor(const c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t *buf, size_t cap, size_t *len) {
    if (host == NULL || len == NULL || (buf == NULL && cap != 0)) {
        return C9_ERR_INVAL;
    }
    const c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (d->config_len == 0) {
        return C9_ERR_NOENT;
    }
    *len = d->config_len;
    if (cap < d->config_len) {
        return C9_ERR_NOMEM;
    }
    memcpy(buf, d->config, d->config_len);
    return C9_OK;
}

/* ---- blocking helpers
 * -------------------------------------------------------------------------------------------------------- */

static c9_err_t blocking_check(c9_usbh_t *h) {
    if (h == NULL || !h->inited) {
        return C9_ERR_INVAL;
    }
    return h->in_task ? C9_ERR_BUSY : C9_OK;
}

/* Submits x and runs the host until it ends. */
static c9_err_t run(c9_usbh_t *h, c9_usbh_xfer_t *x) {
    x->complete = NULL;
    c9_err_t err = c9__usbh_submit(h, x);
    if (err != C9_OK) {
        return err;
    }
    while (x->busy) {
        c9_usbh_task(h);
        if (!x->busy) {
            break;
        }
        if (cancelled(h)) {
            c9_usbh_abort(h, x);
            return C9_ERR_USB_CANCELLED;
        }
        idle_wait(h);
    }
    return x->result;
}

c9_err_t c9_usbh_ctrl_transfer(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t bmRequestType, uint8_t bRequest,
                               uint16_t wValue, uint16_t wIndex, uint8_t *buf, uint16_t wLength, uint32_t timeout_ms,
                               size_t *actual) {
    c9_err_t err = blocking_check(host);
    if (err != C9_OK) {
        return err;
    }
    if (actual) {
        *actual = 0;
    }
    c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    c9_usbh_xfer_t x = {0};
    c9__usbh_control(&x, addr_of(host, d), bmRequestType, bRequest, wValue, wIndex, buf, wLength, NULL);
    x.timeout_ms = timeout_ms;
    err = run(host, &x);
    if (actual) {
        *actual = x.actual;
    }
    return err;
}

c9_err_t c9_usbh_get_descriptor(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t type, uint8_t index, uint16_t langid,
                                uint8_t *buf, uint16_t len, uint32_t timeout_ms, size_t *actual) {
    return c9_usbh_ctrl_transfer(host, dev, C9_USB_DIR_IN, C9_USB_REQ_GET_DESCRIPTOR, (uint16_t)((type << 8) | index),
                                 langid, buf, len, timeout_ms, actual);
}

static c9_err_t endpoint_io(c9_usbh_t *h, c9_usbh_dev_t dev, uint8_t ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                            size_t *actual, bool in) {
    c9_err_t err = blocking_check(h);
    if (err != C9_OK) {
        return err;
    }
    if (actual) {
        *actual = 0;
    }
    if ((buf == NULL && len > 0) || len > UINT32_MAX) {
        return C9_ERR_INVAL;
    }
    c9_usbh_device_t *d = lookup(h, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (((ep & 0x80) != 0) != in || (ep & 0x0F) == 0) {
        return C9_ERR_USB_NO_ENDPOINT;
    }
    c9_usbh_ep_slot_t *slot = find_ep(d, ep);
    if (slot == NULL) {
        if (d->config_value == 0 || d->config_len == 0) {
            return C9_ERR_USB_NO_CONFIG;
        }
        const uint8_t *desc;
        err = c9_usb_desc_find_endpoint(d->config, d->config_len, ep, &desc);
        if (err != C9_OK) {
            return C9_ERR_USB_NO_ENDPOINT;
        }
        err = c9__usbh_open_ep(h, addr_of(h, d), desc);
        if (err != C9_OK) {
            return err;
        }
        slot = find_ep(d, ep);
    }
    if (slot->xfer != NULL) {
        return C9_ERR_BUSY;
    }
    c9_usbh_xfer_t x = {0};
    x.daddr = addr_of(h, d);
    x.ep = ep;
    x.buf = buf;
    x.len = (uint32_t)len;
    x.timeout_ms = timeout_ms;
    err = run(h, &x);
    if (actual) {
        *actual = x.actual;
    }
    return err;
}

c9_err_t c9_usbh_read(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                      size_t *actual) {
    return endpoint_io(host, dev, ep, buf, len, timeout_ms, actual, true);
}

c9_err_t c9_usbh_write(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, const uint8_t *buf, size_t len,
                       uint32_t timeout_ms, size_t *actual) {
    // The controller only reads an OUT buffer; the cast keeps one transfer type for both directions.
    return endpoint_io(host, dev, ep, (uint8_t *)(uintptr_t)buf, len, timeout_ms, actual, false);
}

c9_err_t c9_usbh_set_configuration(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t index, uint32_t timeout_ms) {
    c9_err_t err = blocking_check(host);
    if (err != C9_OK) {
        return err;
    }
    c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    uint8_t addr = addr_of(host, d);
    uint8_t hdr_buf[9];
    size_t got;
    err = c9_usbh_get_descriptor(host, dev, C9_USB_DESC_CONFIGURATION, index, 0, hdr_buf, 9, timeout_ms, &got);
    if (err != C9_OK) {
        return err;
    }
    c9_usb_config_header_t hdr;
    err = c9_usb_desc_parse_config_header(hdr_buf, got, &hdr);
    if (err != C9_OK) {
        return err;
    }
    if (hdr.wTotalLength > C9_USBH_CONFIG_DESC_MAX) {
        return C9_ERR_NOMEM;
    }
    // Nothing may use the old configuration while the cache is rewritten.
    close_endpoints(host, d);
    unbind_drivers(host, addr);
    d->config_value = 0;
    err = c9_usbh_get_descriptor(host, dev, C9_USB_DESC_CONFIGURATION, index, 0, d->config, hdr.wTotalLength,
                                 timeout_ms, &got);
    if (lookup(host, dev) == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (err != C9_OK) {
        d->config_len = 0;
        return err;
    }
    d->config_len = (uint16_t)got;
    d->config_index = index;
    d->config_error = check_config(d->config, got);
    if (d->config_error != C9_OK) {
        return d->config_error;
    }
    err = c9_usbh_ctrl_transfer(host, dev, C9_USB_RECIP_DEVICE, C9_USB_REQ_SET_CONFIGURATION, d->config[5], 0, NULL, 0,
                                timeout_ms, NULL);
    if (err != C9_OK) {
        return err;
    }
    d->config_value = d->config[5];
    bind_drivers(host, addr, 0xFF, 0);
    return C9_OK;
}

c9_err_t c9_usbh_clear_halt(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, uint32_t timeout_ms) {
    c9_err_t err = c9_usbh_ctrl_transfer(host, dev, C9_USB_RECIP_ENDPOINT, C9_USB_REQ_CLEAR_FEATURE,
                                         C9_USB_FEATURE_ENDPOINT_HALT, ep, NULL, 0, timeout_ms, NULL);
    if (err == C9_OK && HCD(host)->edpt_clear_stall) {
        HCD(host)->edpt_clear_stall(HCTX(host), host->cfg.rhport, (uint8_t)(dev & 0xFF), ep);
    }
    return err;
}

c9_err_t c9_usbh_get_string(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t index, uint16_t langid, char *out,
                            size_t out_size, size_t *len, uint32_t timeout_ms) {
    c9_err_t err = blocking_check(host);
    if (err != C9_OK) {
        return err;
    }
    if (len == NULL || (out == NULL && out_size != 0)) {
        return C9_ERR_INVAL;
    }
    *len = 0;
    c9_usbh_device_t *d = lookup(host, dev);
    if (d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (index == 0) {
        return C9_ERR_NOENT;
    }
    uint8_t buf[255];
    size_t got;
    if (langid == 0) {
        if (d->langid == 0) {
            err = c9_usbh_get_descriptor(host, dev, C9_USB_DESC_STRING, 0, 0, buf, 4, timeout_ms, &got);
            if (err == C9_ERR_USB_STALL) {
                return C9_ERR_NOENT;
            }
            if (err != C9_OK) {
                return err;
            }
            uint16_t ids[1];
            size_t count;
            err = c9_usb_desc_langids(buf, got, ids, 1, &count);
            if (err != C9_OK) {
                return err;
            }
            if (count == 0 || lookup(host, dev) == NULL) {
                return count == 0 ? C9_ERR_NOENT : C9_ERR_USB_NO_DEVICE;
            }
            d->langid = ids[0];
        }
        langid = d->langid;
    }
    err = c9_usbh_get_descriptor(host, dev, C9_USB_DESC_STRING, index, langid, buf, sizeof buf, timeout_ms, &got);
    if (err != C9_OK) {
        return err;
    }
    return c9_usb_desc_string_utf8(buf, got, out, out_size, len);
}

/* ---- kernel driver bookkeeping
 * ------------------------------------------------------------------------------------------------ */

static c9_err_t itf_check(c9_usbh_t *h, c9_usbh_dev_t dev, uint8_t itf, c9_usbh_device_t **d) {
    if (h == NULL) {
        return C9_ERR_INVAL;
    }
    *d = lookup(h, dev);
    if (*d == NULL) {
        return C9_ERR_USB_NO_DEVICE;
    }
    return itf < C9_USBH_MAX_INTERFACES ? C9_OK : C9_ERR_INVAL;
}

c9_err_t c9_usbh_kernel_driver_active(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf, bool *active) {
    c9_usbh_device_t *d;
    c9_err_t err = itf_check(host, dev, itf, &d);
    if (err == C9_OK && active) {
        /* Only the application's drivers count: the built-in hub driver is the stack's own, and
         * letting it go would drop every device behind the hub. */
        *active = (d->itf_claimed & (1u << itf)) != 0 && d->itf_driver[itf] != DRIVER_HUB;
    }
    return active ? err : C9_ERR_INVAL;
}

/* Aborts (no callbacks) transfers on the endpoints of interface `itf`. */
static void abort_interface(c9_usbh_t *h, c9_usbh_device_t *d, uint8_t itf) {
    size_t off = 0;
    const uint8_t *desc;
    int cur = -1;
    while (c9_usb_desc_next(d->config, d->config_len, &off, &desc) == C9_OK) {
        if (desc[1] == C9_USB_DESC_INTERFACE && desc[0] >= 9) {
            cur = desc[2];
        } else if (desc[1] == C9_USB_DESC_ENDPOINT && desc[0] >= 7 && cur == itf) {
            c9_usbh_ep_slot_t *s = find_ep(d, desc[2]);
            if (s != NULL && s->xfer != NULL) {
                c9_usbh_abort(h, s->xfer);
            }
        }
    }
}

c9_err_t c9_usbh_detach_kernel_driver(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf) {
    c9_usbh_device_t *d;
    c9_err_t err = itf_check(host, dev, itf, &d);
    if (err != C9_OK) {
        return err;
    }
    if ((d->itf_claimed & (1u << itf)) && d->itf_driver[itf] == DRIVER_HUB) {
        return C9_OK; /* the hub driver stays: see c9_usbh_kernel_driver_active() */
    }
    d->itf_detached |= 1u << itf;
    if (d->itf_claimed & (1u << itf)) {
        d->itf_claimed &= ~(1u << itf);
        abort_interface(host, d, itf);
        driver_close(host, addr_of(host, d), d->itf_driver[itf], itf);
    }
    return C9_OK;
}

c9_err_t c9_usbh_attach_kernel_driver(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf) {
    c9_usbh_device_t *d;
    c9_err_t err = itf_check(host, dev, itf, &d);
    if (err != C9_OK) {
        return err;
    }
    if (!(d->itf_detached & (1u << itf))) {
        return C9_OK;
    }
    d->itf_detached &= ~(1u << itf);
    if (d->itf_driver[itf] != 0) {
        bind_drivers(host, addr_of(host, d), itf, d->itf_driver[itf]);
    }
    return C9_OK;
}
