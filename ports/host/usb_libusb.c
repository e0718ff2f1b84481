/* libusb-1.0 as a host controller for c9_usbh: one real device on one root port. */
#include "circuit9/host_usb.h"

#include <stdlib.h>
#include <string.h>

#if C9_HAVE_LIBUSB

#include <libusb.h>

#define MAX_PIPES 32

typedef struct pipe {
    uint8_t ep, type, daddr;
    bool busy, aborting;
    struct libusb_transfer *t;
    struct c9_host_libusb *owner;
} pipe_t;

struct c9_host_libusb {
    libusb_context *ctx;
    libusb_device_handle *handle;
    libusb_device *dev;
    c9_usbh_t *host;
    uint8_t rhport;
    bool present, detach_posted;
    libusb_hotplug_callback_handle hotplug;
    bool has_hotplug;
    uint32_t claimed; /* interfaces claimed by us */
    /* the control transfer in progress (one at a time, as on endpoint 0) */
    c9_usb_setup_t setup;
    bool ctrl_local;      /* answered here (SET_ADDRESS, SET_CONFIGURATION, ...) */
    c9_err_t ctrl_result; /* of a local request, reported at its status stage */
    uint8_t ctrl_daddr;
    bool ctrl_busy, ctrl_aborting;
    uint8_t ctrl_ep;    /* the stage endpoint whose event the libusb completion gives */
    uint8_t *ctrl_user; /* the stack's data buffer */
    struct libusb_transfer *ctrl;
    pipe_t pipe[MAX_PIPES];
};

static c9_err_t map_libusb(int r) {
    switch (r) {
    case LIBUSB_SUCCESS: return C9_OK;
    case LIBUSB_ERROR_ACCESS: return C9_ERR_PERM;
    case LIBUSB_ERROR_NO_DEVICE: return C9_ERR_USB_NO_DEVICE;
    case LIBUSB_ERROR_NOT_FOUND: return C9_ERR_NOENT;
    case LIBUSB_ERROR_BUSY: return C9_ERR_BUSY;
    case LIBUSB_ERROR_TIMEOUT: return C9_ERR_TIMEDOUT;
    case LIBUSB_ERROR_OVERFLOW: return C9_ERR_USB_OVERFLOW;
    case LIBUSB_ERROR_PIPE: return C9_ERR_USB_STALL;
    case LIBUSB_ERROR_NO_MEM: return C9_ERR_NOMEM;
    case LIBUSB_ERROR_NOT_SUPPORTED: return C9_ERR_NOTSUP;
    case LIBUSB_ERROR_INVALID_PARAM: return C9_ERR_INVAL;
    default: return C9_ERR_IO;
    }
}

static c9_err_t map_status(enum libusb_transfer_status s) {
    switch (s) {
    case LIBUSB_TRANSFER_COMPLETED: return C9_OK;
    case LIBUSB_TRANSFER_STALL: return C9_ERR_USB_STALL;
    case LIBUSB_TRANSFER_NO_DEVICE: return C9_ERR_USB_NO_DEVICE;
    case LIBUSB_TRANSFER_OVERFLOW: return C9_ERR_USB_OVERFLOW;
    case LIBUSB_TRANSFER_TIMED_OUT: return C9_ERR_TIMEDOUT;
    case LIBUSB_TRANSFER_CANCELLED: return C9_ERR_USB_CANCELLED;
    default: return C9_ERR_USB_XFER;
    }
}

static c9_usb_speed_t map_speed(int s) {
    switch (s) {
    case LIBUSB_SPEED_LOW: return C9_USB_SPEED_LOW;
    case LIBUSB_SPEED_FULL: return C9_USB_SPEED_FULL;
    case LIBUSB_SPEED_HIGH: return C9_USB_SPEED_HIGH;
    case LIBUSB_SPEED_SUPER:
    case LIBUSB_SPEED_SUPER_PLUS: return C9_USB_SPEED_SUPER;
    default: return C9_USB_SPEED_UNKNOWN;
    }
}

static void post(c9_host_libusb_t *c, uint8_t type, uint8_t daddr, uint8_t ep, uint32_t actual, c9_err_t result) {
    if (c->host == NULL) {
        return;
    }
    c9_usb_hcd_event_t e = {
        .type = type, .rhport = c->rhport, .daddr = daddr, .ep = ep, .actual = actual, .result = result};
    // The queue holds more than the transfers that can be in flight here (1 control + pipes).
    c9_usbh_hcd_event(c->host, &e);
}

static void gone(c9_host_libusb_t *c) {
    c->present = false;
    if (!c->detach_posted) {
        c->detach_posted = true;
        post(c, C9_USB_HCD_EVENT_DETACH, 0, 0, 0, C9_OK);
    }
}

/* ---- listing and opening ---- */

c9_err_t c9_host_libusb_list(c9_host_usb_device_info_t *out, size_t max, size_t *count) {
    if (count == NULL || (out == NULL && max > 0)) {
        return C9_ERR_INVAL;
    }
    libusb_context *ctx;
    if (libusb_init(&ctx) != 0) {
        return C9_ERR_IO;
    }
    libusb_device **list;
    ssize_t n = libusb_get_device_list(ctx, &list);
    if (n < 0) {
        libusb_exit(ctx);
        return C9_ERR_IO;
    }
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) != 0) {
            memset(&d, 0, sizeof d);
        }
        if ((size_t)i < max) {
            out[i] = (c9_host_usb_device_info_t){d.idVendor, d.idProduct, libusb_get_bus_number(list[i]),
                                                 libusb_get_device_address(list[i]),
                                                 (uint8_t)map_speed(libusb_get_device_speed(list[i]))};
        }
    }
    *count = (size_t)n;
    libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    return C9_OK;
}

static int LIBUSB_CALL hotplug_cb(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev, void *user) {
    (void)ctx;
    c9_host_libusb_t *c = user;
    if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && dev == c->dev) {
        gone(c);
    }
    return 0;
}

c9_err_t c9_host_libusb_open(c9_host_libusb_t **out, uint16_t vid, uint16_t pid, unsigned index) {
    if (out == NULL) {
        return C9_ERR_INVAL;
    }
    *out = NULL;
    c9_host_libusb_t *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return C9_ERR_NOMEM;
    }
    if (libusb_init(&c->ctx) != 0) {
        free(c);
        return C9_ERR_IO;
    }
    libusb_device **list;
    ssize_t n = libusb_get_device_list(c->ctx, &list);
    c9_err_t err = n < 0 ? C9_ERR_IO : C9_ERR_NOENT;
    for (ssize_t i = 0; i < n && c->dev == NULL; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == vid && d.idProduct == pid && index-- == 0) {
            c->dev = libusb_ref_device(list[i]);
        }
    }
    if (n >= 0) {
        libusb_free_device_list(list, 1);
    }
    if (c->dev != NULL) {
        err = map_libusb(libusb_open(c->dev, &c->handle));
    }
    if (err != C9_OK) {
        if (c->dev) {
            libusb_unref_device(c->dev);
        }
        libusb_exit(c->ctx);
        free(c);
        return err;
    }
    // Claiming an interface takes it from the kernel's driver, and gives it back on release.
    libusb_set_auto_detach_kernel_driver(c->handle, 1);
    c->ctrl = libusb_alloc_transfer(0);
    if (c->ctrl == NULL) {
        c9_host_libusb_close(c);
        return C9_ERR_NOMEM;
    }
    c->present = true;
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        c->has_hotplug =
            libusb_hotplug_register_callback(c->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0, vid, pid,
                                             LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, c, &c->hotplug) == LIBUSB_SUCCESS;
    }
    *out = c;
    return C9_OK;
}

static void wait_cancelled(c9_host_libusb_t *c, const bool *busy) {
    // libusb always calls back a cancelled transfer; only then is its buffer ours again.
    for (int i = 0; i < 1000 && *busy; i++) {
        struct timeval tv = {0, 10000};
        libusb_handle_events_timeout_completed(c->ctx, &tv, NULL);
    }
}

void c9_host_libusb_close(c9_host_libusb_t *c) {
    if (c == NULL) {
        return;
    }
    for (unsigned i = 0; i < MAX_PIPES; i++) {
        pipe_t *p = &c->pipe[i];
        if (p->t != NULL) {
            if (p->busy) {
                p->aborting = true;
                libusb_cancel_transfer(p->t);
                wait_cancelled(c, &p->busy);
            }
            libusb_free_transfer(p->t);
        }
    }
    if (c->ctrl != NULL) {
        if (c->ctrl_busy) {
            c->ctrl_aborting = true;
            libusb_cancel_transfer(c->ctrl);
            wait_cancelled(c, &c->ctrl_busy);
        }
        free(c->ctrl->buffer);
        libusb_free_transfer(c->ctrl);
    }
    for (int i = 0; i < 32; i++) {
        if (c->claimed & (1u << i)) {
            libusb_release_interface(c->handle, i);
        }
    }
    if (c->has_hotplug) {
        libusb_hotplug_deregister_callback(c->ctx, c->hotplug);
    }
    if (c->handle) {
        libusb_close(c->handle);
    }
    if (c->dev) {
        libusb_unref_device(c->dev);
    }
    libusb_exit(c->ctx);
    free(c);
}

/* ---- controller ops ---- */

static c9_err_t op_init(void *ctx, c9_usbh_t *host) {
    c9_host_libusb_t *c = ctx;
    c->host = host;
    c->rhport = host->cfg.rhport;
    if (c->present) {
        post(c, C9_USB_HCD_EVENT_ATTACH, 0, 0, 0, C9_OK);
    }
    return C9_OK;
}

static void op_deinit(void *ctx) {
    c9_host_libusb_t *c = ctx;
    c->host = NULL;
}

static void op_service(void *ctx, uint64_t now_ms) {
    (void)now_ms;
    c9_host_libusb_t *c = ctx;
    struct timeval zero = {0, 0};
    libusb_handle_events_timeout_completed(c->ctx, &zero, NULL);
}

static void op_wait(void *ctx, uint32_t ms) {
    c9_host_libusb_t *c = ctx;
    struct timeval tv = {0};
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    libusb_handle_events_timeout_completed(c->ctx, &tv, NULL);
}

static bool op_connected(void *ctx, uint8_t rhport) {
    (void)rhport;
    return ((c9_host_libusb_t *)ctx)->present;
}

static c9_err_t op_reset(void *ctx, uint8_t rhport) {
    (void)rhport;
    // The kernel reset and enumerated the device already; resetting it again would take it from
    // every other user of the device for nothing.
    return ((c9_host_libusb_t *)ctx)->present ? C9_OK : C9_ERR_USB_NO_DEVICE;
}

static c9_usb_speed_t op_speed(void *ctx, uint8_t rhport) {
    (void)rhport;
    c9_host_libusb_t *c = ctx;
    return map_speed(libusb_get_device_speed(c->dev));
}

static pipe_t *find_pipe(c9_host_libusb_t *c, uint8_t ep) {
    for (unsigned i = 0; i < MAX_PIPES; i++) {
        if (c->pipe[i].t != NULL && c->pipe[i].ep == ep) {
            return &c->pipe[i];
        }
    }
    return NULL;
}

/* The interface (of the active configuration) an endpoint belongs to, or -1. */
static int interface_of(c9_host_libusb_t *c, uint8_t ep) {
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(c->dev, &cfg) != 0) {
        return -1;
    }
    int found = -1;
    for (int i = 0; i < cfg->bNumInterfaces && found < 0; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting && found < 0; a++) {
            const struct libusb_interface_descriptor *alt = &itf->altsetting[a];
            for (int e = 0; e < alt->bNumEndpoints; e++) {
                if (alt->endpoint[e].bEndpointAddress == ep) {
                    found = alt->bInterfaceNumber;
                }
            }
        }
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

static c9_err_t claim(c9_host_libusb_t *c, int itf) {
    if (itf < 0 || itf >= 32 || (c->claimed & (1u << itf))) {
        return C9_OK;
    }
    c9_err_t err = map_libusb(libusb_claim_interface(c->handle, itf));
    if (err != C9_OK && err != C9_ERR_BUSY && err != C9_ERR_USB_NO_DEVICE) {
        // Detaching the kernel's driver is not possible everywhere (or with every usbfs): a plain
        // claim still works when no driver holds the interface.
        libusb_set_auto_detach_kernel_driver(c->handle, 0);
        err = map_libusb(libusb_claim_interface(c->handle, itf));
        libusb_set_auto_detach_kernel_driver(c->handle, 1);
    }
    if (err == C9_OK) {
        c->claimed |= 1u << itf;
    }
    return err;
}

static c9_err_t op_open(void *ctx, uint8_t rhport, uint8_t daddr, const c9_usb_hcd_ep_t *ep) {
    (void)rhport;
    (void)daddr;
    c9_host_libusb_t *c = ctx;
    if ((ep->ep_addr & 0x7F) == 0 || find_pipe(c, ep->ep_addr) != NULL) {
        return C9_OK;
    }
    if (ep->type != C9_USB_XFER_BULK && ep->type != C9_USB_XFER_INTERRUPT) {
        return C9_ERR_NOTSUP; // isochronous endpoints are not used by usb.core
    }
    c9_err_t err = claim(c, interface_of(c, ep->ep_addr));
    if (err != C9_OK) {
        return err;
    }
    for (unsigned i = 0; i < MAX_PIPES; i++) {
        pipe_t *p = &c->pipe[i];
        if (p->t == NULL) {
            p->t = libusb_alloc_transfer(0);
            if (p->t == NULL) {
                return C9_ERR_NOMEM;
            }
            p->ep = ep->ep_addr;
            p->type = ep->type;
            p->owner = c;
            return C9_OK;
        }
    }
    return C9_ERR_NOMEM;
}

static void abort_pipe(c9_host_libusb_t *c, pipe_t *p) {
    if (p->busy) {
        p->aborting = true;
        libusb_cancel_transfer(p->t);
        wait_cancelled(c, &p->busy);
    }
}

static c9_err_t op_close(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    (void)rhport;
    (void)daddr;
    c9_host_libusb_t *c = ctx;
    pipe_t *p = find_pipe(c, ep);
    if (p == NULL) {
        return C9_ERR_NOENT;
    }
    abort_pipe(c, p);
    libusb_free_transfer(p->t);
    memset(p, 0, sizeof *p);
    return C9_OK;
}

static void abort_ctrl(c9_host_libusb_t *c) {
    if (c->ctrl_busy) {
        c->ctrl_aborting = true;
        libusb_cancel_transfer(c->ctrl);
        wait_cancelled(c, &c->ctrl_busy);
    }
}

static c9_err_t op_device_close(void *ctx, uint8_t rhport, uint8_t daddr) {
    c9_host_libusb_t *c = ctx;
    if (daddr == 0) {
        return C9_OK; // the stack moving the device off the default address
    }
    abort_ctrl(c);
    for (unsigned i = 0; i < MAX_PIPES; i++) {
        if (c->pipe[i].t != NULL) {
            op_close(c, rhport, daddr, c->pipe[i].ep);
        }
    }
    return C9_OK;
}

static void LIBUSB_CALL ctrl_cb(struct libusb_transfer *t) {
    c9_host_libusb_t *c = t->user_data;
    c->ctrl_busy = false;
    if (c->ctrl_aborting) {
        c->ctrl_aborting = false;
        return;
    }
    c9_err_t res = map_status(t->status);
    uint32_t actual = (uint32_t)t->actual_length;
    if (res == C9_OK && (c->setup.bmRequestType & C9_USB_DIR_IN) && actual > 0) {
        memcpy(c->ctrl_user, libusb_control_transfer_get_data(t), actual);
    }
    if (res == C9_ERR_USB_NO_DEVICE) {
        gone(c);
    }
    post(c, C9_USB_HCD_EVENT_XFER, c->ctrl_daddr, c->ctrl_ep, actual, res);
}

/* Requests the operating system must do itself, done at once; their result waits for the
 * status stage. Returns false for requests that go to the device. */
static bool local_request(c9_host_libusb_t *c) {
    const c9_usb_setup_t *s = &c->setup;
    if ((s->bmRequestType & C9_USB_TYPE_MASK) != C9_USB_TYPE_STANDARD || (s->bmRequestType & C9_USB_DIR_IN)) {
        return false;
    }
    switch (s->bRequest) {
    case C9_USB_REQ_SET_ADDRESS: c->ctrl_result = C9_OK; return true;
    case C9_USB_REQ_SET_CONFIGURATION: {
        int current = -1;
        libusb_get_configuration(c->handle, &current);
        if (current == s->wValue) {
            c->ctrl_result = C9_OK;
            return true;
        }
        for (int i = 0; i < 32; i++) {
            if (c->claimed & (1u << i)) {
                libusb_release_interface(c->handle, i);
            }
        }
        c->claimed = 0;
        c->ctrl_result = map_libusb(libusb_set_configuration(c->handle, s->wValue));
        return true;
    }
    case C9_USB_REQ_SET_INTERFACE:
        c->ctrl_result = claim(c, s->wIndex);
        if (c->ctrl_result == C9_OK) {
            c->ctrl_result = map_libusb(libusb_set_interface_alt_setting(c->handle, s->wIndex, s->wValue));
        }
        return true;
    case C9_USB_REQ_CLEAR_FEATURE:
        if ((s->bmRequestType & C9_USB_RECIP_MASK) == C9_USB_RECIP_ENDPOINT &&
            s->wValue == C9_USB_FEATURE_ENDPOINT_HALT) {
            c->ctrl_result = map_libusb(libusb_clear_halt(c->handle, (unsigned char)s->wIndex));
            return true;
        }
        return false;
    default: return false;
    }
}

static c9_err_t op_setup(void *ctx, uint8_t rhport, uint8_t daddr, const uint8_t setup[8]) {
    (void)rhport;
    c9_host_libusb_t *c = ctx;
    if (!c->present) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if (c->ctrl_busy) {
        return C9_ERR_BUSY;
    }
    c9_usb_setup_unpack(setup, &c->setup);
    c->ctrl_daddr = daddr;
    c->ctrl_local = local_request(c);
    // libusb sends SETUP and data as one transfer: the SETUP stage is done when it is handed over.
    post(c, C9_USB_HCD_EVENT_XFER, daddr, 0x00, 0, C9_OK);
    return C9_OK;
}

static c9_err_t submit_control(c9_host_libusb_t *c, uint8_t stage_ep, uint8_t *buf) {
    uint16_t len = c->setup.wLength;
    uint8_t *b = realloc(c->ctrl->buffer, LIBUSB_CONTROL_SETUP_SIZE + (size_t)len);
    if (b == NULL) {
        return C9_ERR_NOMEM;
    }
    c->ctrl->buffer = NULL;
    libusb_fill_control_setup(b, c->setup.bmRequestType, c->setup.bRequest, c->setup.wValue, c->setup.wIndex, len);
    if (!(c->setup.bmRequestType & C9_USB_DIR_IN) && len > 0) {
        memcpy(b + LIBUSB_CONTROL_SETUP_SIZE, buf, len);
    }
    libusb_fill_control_transfer(c->ctrl, c->handle, b, ctrl_cb, c, 0);
    c->ctrl_user = buf;
    c->ctrl_ep = stage_ep;
    c->ctrl_busy = true;
    int r = libusb_submit_transfer(c->ctrl);
    if (r != 0) {
        c->ctrl_busy = false;
        c9_err_t err = map_libusb(r);
        if (err == C9_ERR_USB_NO_DEVICE) {
            gone(c);
        }
        return err;
    }
    return C9_OK;
}

static void LIBUSB_CALL pipe_cb(struct libusb_transfer *t) {
    pipe_t *p = t->user_data;
    c9_host_libusb_t *c = p->owner;
    p->busy = false;
    if (p->aborting) {
        p->aborting = false;
        return;
    }
    c9_err_t res = map_status(t->status);
    if (res == C9_ERR_USB_NO_DEVICE) {
        gone(c);
    }
    post(c, C9_USB_HCD_EVENT_XFER, p->daddr, p->ep, (uint32_t)t->actual_length, res);
}

static c9_err_t op_xfer(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep, uint8_t *buf, uint32_t len) {
    (void)rhport;
    c9_host_libusb_t *c = ctx;
    if (!c->present) {
        return C9_ERR_USB_NO_DEVICE;
    }
    if ((ep & 0x7F) == 0) {
        if (c->ctrl_local) {
            // A local request has no data stage; its result comes at the status stage.
            post(c, C9_USB_HCD_EVENT_XFER, daddr, ep, 0, c->ctrl_result);
            return C9_OK;
        }
        if (len > 0 || c->setup.wLength == 0) {
            // The whole transfer runs now: its completion ends this stage (the data stage, or
            // the status stage of a request without data).
            return submit_control(c, ep, buf);
        }
        post(c, C9_USB_HCD_EVENT_XFER, daddr, ep, 0, C9_OK); // status after data: already done
        return C9_OK;
    }
    pipe_t *p = find_pipe(c, ep);
    if (p == NULL) {
        return C9_ERR_USB_NO_ENDPOINT;
    }
    if (p->busy) {
        return C9_ERR_BUSY;
    }
    if (p->type == C9_USB_XFER_INTERRUPT) {
        libusb_fill_interrupt_transfer(p->t, c->handle, ep, buf, (int)len, pipe_cb, p, 0);
    } else {
        libusb_fill_bulk_transfer(p->t, c->handle, ep, buf, (int)len, pipe_cb, p, 0);
    }
    p->daddr = daddr;
    p->busy = true;
    int r = libusb_submit_transfer(p->t);
    if (r != 0) {
        p->busy = false;
        c9_err_t err = map_libusb(r);
        if (err == C9_ERR_USB_NO_DEVICE) {
            gone(c);
        }
        return err;
    }
    return C9_OK;
}

static c9_err_t op_abort(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    (void)rhport;
    (void)daddr;
    c9_host_libusb_t *c = ctx;
    if ((ep & 0x7F) == 0) {
        abort_ctrl(c);
        return C9_OK;
    }
    pipe_t *p = find_pipe(c, ep);
    if (p != NULL) {
        abort_pipe(c, p);
    }
    return C9_OK;
}

static c9_err_t op_clear_stall(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    (void)ctx;
    (void)rhport;
    (void)daddr;
    (void)ep;
    return C9_OK; // libusb_clear_halt (the CLEAR_FEATURE above) resets the host side too
}

static const c9_usb_hcd_ops_t ops = {
    .init = op_init,
    .deinit = op_deinit,
    .service = op_service,
    .wait = op_wait,
    .port_connected = op_connected,
    .port_reset = op_reset,
    .port_speed = op_speed,
    .edpt_open = op_open,
    .edpt_close = op_close,
    .device_close = op_device_close,
    .setup_send = op_setup,
    .edpt_xfer = op_xfer,
    .edpt_abort = op_abort,
    .edpt_clear_stall = op_clear_stall,
};

const c9_usb_hcd_ops_t *c9_host_libusb_hcd(void) {
    return &ops;
}

#else /* !C9_HAVE_LIBUSB */

c9_err_t c9_host_libusb_list(c9_host_usb_device_info_t *out, size_t max, size_t *count) {
    return C9_ERR_NOSYS;
}

c9_err_t c9_host_libusb_open(c9_host_libusb_t **out, uint16_t vid, uint16_t pid, unsigned index) {
    return C9_ERR_NOSYS;
}

void c9_host_libusb_close(c9_host_libusb_t *ctl) {
}

const c9_usb_hcd_ops_t *c9_host_libusb_hcd(void) {
    return NULL;
}

#endif
