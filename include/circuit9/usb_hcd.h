/*
 * circuit9 USB host controller operations: the port contract of the USB host stack, shaped like
 * TinyUSB's hcd.h. A controller (a virtual bus, libusb, a MAX3421E, PIO-USB) implements this
 * table; c9_usbh (usbh.h) runs enumeration, hubs, class drivers and the blocking calls on top.
 *
 *     static const c9_usb_hcd_ops_t my_ops = {.init = my_init, .setup_send = my_setup, ...};
 *     c9_usbh_config_t cfg = {.hcd = &my_ops, .hcd_ctx = &my_controller, .clock = my_clock};
 *
 * The stack calls every op from c9_usbh_init(), c9_usbh_task() or a c9_usbh_* call, never from
 * an interrupt. Results travel back only as events posted with c9_usbh_hcd_event(): device
 * attached or removed on the root port, and a transfer finished. An op may post its event
 * before it returns (a controller that finishes synchronously); the stack only handles it in
 * c9_usbh_task(), so completion callbacks never run inside a submit.
 *
 * Transfers are per endpoint and one at a time, as in TinyUSB: a control transfer is three
 * calls, setup_send() then edpt_xfer() on 0x80 or 0x00 for the data stage and on the other
 * direction with length 0 for the status stage, each ending in its own XFER event on endpoint
 * 0 or 0x80. A controller retries NAKs by itself until the transfer completes or the stack
 * calls edpt_abort() (timeouts are the stack's); it reports a short packet as a completion with
 * fewer bytes. After edpt_abort() returns the controller no longer touches the buffer and must
 * not post an event for that transfer.
 *
 * Addresses: 0 is the default address used during enumeration; edpt_open() is called for
 * endpoint 0 of address 0 with the packet size 8, again with the real size, and for every
 * address the stack assigns. An op left NULL is treated as returning C9_ERR_NOSYS; init,
 * port_connected, port_reset, setup_send and edpt_xfer are required.
 */
#ifndef CIRCUIT9_USB_HCD_H
#define CIRCUIT9_USB_HCD_H

#include "circuit9/usb_desc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct c9_usbh c9_usbh_t;

typedef enum c9_usb_hcd_event_type {
    C9_USB_HCD_EVENT_NONE = 0,
    C9_USB_HCD_EVENT_ATTACH = 1, /* a device appeared on the root port */
    C9_USB_HCD_EVENT_DETACH = 2, /* the root port's device went away */
    C9_USB_HCD_EVENT_XFER = 3,   /* a transfer (or control stage) ended: result, actual */
} c9_usb_hcd_event_type_t;

typedef struct c9_usb_hcd_event {
    uint8_t type; /* c9_usb_hcd_event_type_t */
    uint8_t rhport;
    uint8_t daddr;   /* XFER: device address */
    uint8_t ep;      /* XFER: endpoint address (0 or 0x80 for control stages) */
    uint32_t actual; /* XFER: bytes transferred */
    c9_err_t result; /* XFER: C9_OK, C9_ERR_USB_STALL, _XFER, _OVERFLOW, _NO_DEVICE */
} c9_usb_hcd_event_t;

/* What edpt_open() gets: the endpoint and where its device sits (for split transactions). */
typedef struct c9_usb_hcd_ep {
    uint8_t ep_addr; /* bit 7 IN; 0 for the control endpoint */
    uint8_t type;    /* C9_USB_XFER_* */
    uint16_t max_packet;
    uint8_t interval; /* bInterval as in the descriptor */
    uint8_t speed;    /* c9_usb_speed_t of the device */
    uint8_t hub_addr; /* 0 when on the root port */
    uint8_t hub_port;
} c9_usb_hcd_ep_t;

typedef struct c9_usb_hcd_ops {
    /* Controller */
    /* Starts the controller; keep `host` for c9_usbh_hcd_event(). Post ATTACH if a device is
     * already connected. */
    c9_err_t (*init)(void *ctx, c9_usbh_t *host);
    void (*deinit)(void *ctx);
    /* Runs the controller's pending work (what an interrupt handler would do), posting events.
     * now_ms is the host clock. */
    void (*service)(void *ctx, uint64_t now_ms);
    /* Optional: blocks up to `ms` or until the controller has news; NULL makes the stack use the
     * clock's delay. */
    void (*wait)(void *ctx, uint32_t ms);

    /* Root port */
    bool (*port_connected)(void *ctx, uint8_t rhport);
    c9_err_t (*port_reset)(void *ctx, uint8_t rhport);     /* start driving reset */
    c9_err_t (*port_reset_end)(void *ctx, uint8_t rhport); /* stop; the port is enabled */
    c9_usb_speed_t (*port_speed)(void *ctx, uint8_t rhport);

    /* Endpoints and transfers */
    c9_err_t (*edpt_open)(void *ctx, uint8_t rhport, uint8_t daddr, const c9_usb_hcd_ep_t *ep);
    c9_err_t (*edpt_close)(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep_addr);
    /* Forgets every endpoint of a device (it was removed, or re-addressed). */
    c9_err_t (*device_close)(void *ctx, uint8_t rhport, uint8_t daddr);
    c9_err_t (*setup_send)(void *ctx, uint8_t rhport, uint8_t daddr, const uint8_t setup[8]);
    c9_err_t (*edpt_xfer)(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep_addr, uint8_t *buf, uint32_t len);
    c9_err_t (*edpt_abort)(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep_addr);
    /* Resets the host side of a halted endpoint (data toggle) after CLEAR_FEATURE(HALT). */
    c9_err_t (*edpt_clear_stall)(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep_addr);
} c9_usb_hcd_ops_t;

/* Queues an event for c9_usbh_task(). Safe to call from the ops and, on a microcontroller,
 * from the controller's interrupt (single producer). C9_ERR_NOMEM when the queue
 * (C9_USBH_EVENT_QUEUE) is full; the controller must then keep the event and post it again. */
c9_err_t c9_usbh_hcd_event(c9_usbh_t *host, const c9_usb_hcd_event_t *ev);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USB_HCD_H */
