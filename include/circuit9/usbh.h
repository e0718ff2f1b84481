/*
 * circuit9 USB host stack: enumeration, hubs, class drivers, control/bulk/interrupt transfers
 * with timeouts, and blocking calls shaped for CircuitPython's usb.core, over any host
 * controller (usb_hcd.h). TinyUSB's layering: class drivers / this core / controller ops.
 *
 *     static c9_usbh_t host;                               // all state, no allocation
 *     c9_usbh_config_t cfg = {.hcd = ops, .hcd_ctx = ctl, .clock = clock, .rhport = 1};
 *     c9_usbh_init(&host, &cfg);
 *     c9_usbh_wait_idle(&host, 2000);                      // or call c9_usbh_task() in a loop
 *     c9_usbh_dev_t dev;
 *     if (c9_usbh_find(&host, 0x046d, -1, 0, &dev) == C9_OK) {
 *         uint8_t report[8]; size_t n;
 *         c9_err_t err = c9_usbh_read(&host, dev, 0x81, report, sizeof report, 100, &n);
 *     }
 *
 * Asynchronous core. Everything happens in c9_usbh_task(): controller events, enumeration
 * steps, hub port changes, timeouts, completion callbacks. c9_usbh_submit() queues a transfer
 * and returns; its callback runs later from c9_usbh_task(), never from inside the submit. A
 * callback may submit again, but must not call the blocking helpers (they return C9_ERR_BUSY
 * when called from inside c9_usbh_task()).
 *
 * Blocking helpers (usb.core's shape) submit one transfer and run c9_usbh_task() until it ends,
 * calling `cancelled` between rounds (Ctrl-C) and waiting through the controller's wait op or
 * the clock's delay. Timeouts are milliseconds and 0 means forever, as in CircuitPython.
 *
 * Devices are named by a handle (c9_usbh_dev_t): address plus a generation, so a handle kept
 * after its device was unplugged gives C9_ERR_USB_NO_DEVICE instead of reaching a new device at
 * the same address. Nothing the stack hands out points into its memory except where a function
 * says so; strings and descriptors are copied into caller buffers.
 *
 * Enumeration follows TinyUSB: debounce, reset, GET_DESCRIPTOR(device, 8) at address 0 for
 * bMaxPacketSize0, SET_ADDRESS, the full device descriptor, the first language id, the first
 * configuration (9 bytes, then wTotalLength), SET_CONFIGURATION, then class drivers (the
 * built-in hub driver first) are offered each interface and the device is mounted. A device
 * whose configuration cannot be used (malformed, or longer than C9_USBH_CONFIG_DESC_MAX) is
 * still mounted, unconfigured, with the reason in c9_usbh_device_info_t.config_error. A device
 * whose device descriptor is broken is not mounted; c9_usbh_last_enum_error() says why.
 *
 * Thread safety: none. One thread uses a host at a time (a Python binding holds a lock).
 *
 * Error codes and the exceptions CircuitPython 9.2.9 raises for them (shared-module/usb/core):
 *   C9_ERR_USB_STALL         usb.core.USBError("Pipe error")
 *   C9_ERR_TIMEDOUT          usb.core.USBTimeoutError()
 *   C9_ERR_USB_NO_CONFIG     usb.core.USBError("No configuration set")
 *   C9_ERR_USB_NO_ENDPOINT, C9_ERR_USB_NO_DEVICE, C9_ERR_USB_XFER, C9_ERR_USB_OVERFLOW,
 *   C9_ERR_BUSY, C9_ERR_NOMEM (endpoint table full)
 *                            usb.core.USBError() with no message
 *   C9_ERR_USB_CANCELLED     no exception of its own: the call returns 0 and the pending
 *                            KeyboardInterrupt is raised by the VM
 *   C9_ERR_NOENT from the string calls: the attribute is None
 * (docs/usb.md has the full table, including find()'s "No usb host port initialized".)
 */
#ifndef CIRCUIT9_USBH_H
#define CIRCUIT9_USBH_H

#include "circuit9/usb_hcd.h"
#include "circuit9/usbmon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A device: (generation << 8) | address. 0 is never a valid handle. */
typedef uint16_t c9_usbh_dev_t;

typedef struct c9_usbh_xfer c9_usbh_xfer_t;
typedef void (*c9_usbh_xfer_cb)(c9_usbh_t *host, c9_usbh_xfer_t *xfer);

/* A transfer. Caller-owned; it and its buffer must stay valid until the callback ran or
 * c9_usbh_abort() returned. Fill dev, ep, (setup), buf, len, timeout_ms, complete, user. */
struct c9_usbh_xfer {
    c9_usbh_dev_t dev;
    uint8_t ep;           /* endpoint address; 0 for a control transfer */
    c9_usb_setup_t setup; /* control only: wLength is the data length, buf its data */
    uint8_t *buf;
    uint32_t len;        /* bulk/interrupt: bytes to send, or the most to receive */
    uint32_t timeout_ms; /* 0: no timeout */
    c9_usbh_xfer_cb complete;
    void *user;
    /* results */
    c9_err_t result; /* C9_OK, C9_ERR_TIMEDOUT, C9_ERR_USB_STALL, _NO_DEVICE, _XFER, _OVERFLOW */
    uint32_t actual; /* bytes transferred (data stage for control) */
    /* private */
    c9_usbh_xfer_t *next;
    uint64_t deadline;
    uint64_t urb_id;
    uint8_t stage, daddr, busy;
};

/* A class driver: offered every interface (alternate setting 0) of a configured device that no
 * earlier driver claimed. open() returns the bytes of the configuration it takes (from the
 * interface descriptor to the end of what it uses, at least 9: every interface starting in that
 * span is claimed) or 0 to decline. close() is called when the device goes away, is
 * reconfigured, or the interface is detached; the driver must stop using the device there
 * (its transfers have already been aborted). */
typedef struct c9_usbh_driver {
    const char *name;
    uint16_t (*open)(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, const uint8_t *itf, uint16_t len);
    void (*close)(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf_num);
    void *ctx;
} c9_usbh_driver_t;

typedef struct c9_usbh_config {
    const c9_usb_hcd_ops_t *hcd;
    void *hcd_ctx;
    uint8_t rhport;   /* the root port number (usb.core Device.bus) */
    c9_clock_t clock; /* required: now_ms; delay_ms is used to wait when the controller has no wait op */
    /* Polled while a blocking call waits; returning true aborts it with C9_ERR_USB_CANCELLED. */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    /* Device mounted (enumerated, configured when it could be) / unmounted. */
    void (*mount)(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev);
    void (*unmount)(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev);
    void *app_ctx;
    const c9_usbh_driver_t *const *drivers; /* tried in order after the hub driver */
    size_t driver_count;
    /* Every transfer's submission and completion as usbmon packets (usbmon.h); a control
     * transfer is one URB. Data pointers are valid during the call only. Ignored when built
     * with C9_USBH_TAP 0. */
    void (*tap)(void *ctx, const c9_usbmon_packet_t *pkt);
    void *tap_ctx;
    bool no_auto_configure; /* true: enumeration stops before SET_CONFIGURATION */
} c9_usbh_config_t;

typedef struct c9_usbh_device_info {
    uint8_t address;
    uint8_t bus;                /* rhport */
    uint8_t speed;              /* c9_usb_speed_t */
    uint8_t hub_addr, hub_port; /* 0, 0 on the root port */
    uint8_t port_count;         /* hub ports from the root, upstream first (usb.core port_numbers) */
    uint8_t port_numbers[5];
    uint8_t config_value;  /* active bConfigurationValue, 0 when unconfigured */
    c9_err_t config_error; /* why the cached configuration cannot be used (C9_OK if it can) */
    bool is_hub;
    uint8_t device_descriptor[18];
    c9_usb_device_desc_t desc;
} c9_usbh_device_info_t;

/* ---- private state (sized here so callers can allocate it) ------------------------------------ */
typedef struct c9_usbh_ep_slot {
    uint8_t addr, type, interval;
    uint16_t mps;
    c9_usbh_xfer_t *xfer;
} c9_usbh_ep_slot_t;

typedef struct c9_usbh_device {
    uint8_t state, gen, speed, hub_addr, hub_port;
    uint16_t mps0;
    uint8_t config_value, config_index;
    uint16_t config_len, langid;
    c9_err_t config_error;
    uint8_t desc[18];
    c9_usbh_xfer_t *ctrl_head; /* queued control transfers; the head is in flight */
    uint32_t itf_claimed, itf_detached;
    uint8_t itf_driver[C9_USBH_MAX_INTERFACES]; /* 1 + driver index (0: none; 1: hub) */
    c9_usbh_ep_slot_t ep[C9_USBH_MAX_ENDPOINTS];
    uint8_t config[C9_USBH_CONFIG_DESC_MAX];
} c9_usbh_device_t;

typedef struct c9_usbh_hub {
    uint8_t addr, state, nports, ep, cur_port, resetting;
    uint16_t pending; /* ports (bit n) whose change bits must be read */
    uint16_t power_delay;
    uint64_t due;
    uint8_t status[4];
    uint8_t ctl_buf[12];
    uint8_t rst_buf[4];
    uint8_t child[C9_USBH_HUB_MAX_PORTS + 1];
    c9_usbh_xfer_t int_xfer, ctl_xfer, rst_xfer;
} c9_usbh_hub_t;

typedef struct c9_usbh_enum_req {
    uint8_t hub_addr, hub_port;
} c9_usbh_enum_req_t;

struct c9_usbh {
    c9_usbh_config_t cfg;
    bool inited, in_task;
    uint8_t enum_state, enum_hub, enum_port, enum_speed, enum_addr, enum_pending;
    uint64_t enum_due;
    c9_err_t enum_error;
    c9_usbh_xfer_t enum_xfer;
    uint8_t enum_buf[12];
    c9_usbh_enum_req_t enum_queue[C9_USBH_MAX_DEVICES + 1];
    uint16_t ev_head, ev_tail;
    c9_usb_hcd_event_t events[C9_USBH_EVENT_QUEUE];
    uint64_t urb_seq;
    c9_usbh_device_t dev[C9_USBH_MAX_DEVICES + 1]; /* [0]: the device at address 0 */
#if C9_USBH_MAX_HUBS > 0
    c9_usbh_hub_t hub[C9_USBH_MAX_HUBS];
#endif
};

/* ---- lifecycle --------------------------------------------------------------------------------- */

/* Starts the host on a controller. C9_OK, C9_ERR_INVAL (missing hcd ops or clock.now_ms), or the
 * controller's init error. */
c9_err_t c9_usbh_init(c9_usbh_t *host, const c9_usbh_config_t *cfg);

/* Unmounts every device (unmount callbacks, drivers closed, transfers aborted with
 * C9_ERR_USB_NO_DEVICE) and stops the controller. */
void c9_usbh_deinit(c9_usbh_t *host);

/* Does all pending work once: controller service, events, timeouts, enumeration, hubs. */
void c9_usbh_task(c9_usbh_t *host);

/* Runs c9_usbh_task() until no enumeration is pending or under way (every connected device is
 * mounted or given up), for at most timeout_ms (0: no limit). C9_OK, C9_ERR_TIMEDOUT,
 * C9_ERR_USB_CANCELLED, C9_ERR_BUSY (called from a callback). */
c9_err_t c9_usbh_wait_idle(c9_usbh_t *host, uint32_t timeout_ms);

/* The error that made the last enumeration fail (C9_OK if none did): a transfer error or a
 * C9_ERR_USB_DESC_* code. */
c9_err_t c9_usbh_last_enum_error(const c9_usbh_t *host);

/* ---- devices ------------------------------------------------------------------------------------ */

/* Mounted devices in address order. Returns how many there are (may exceed max; the first max
 * handles are stored). */
size_t c9_usbh_devices(const c9_usbh_t *host, c9_usbh_dev_t *out, size_t max);

/* The first mounted device after `after` (0: from the start) whose idVendor/idProduct match;
 * -1 matches any. C9_OK or C9_ERR_NOENT. */
c9_err_t c9_usbh_find(const c9_usbh_t *host, int32_t vid, int32_t pid, c9_usbh_dev_t after, c9_usbh_dev_t *out);

/* C9_OK or C9_ERR_USB_NO_DEVICE. */
c9_err_t c9_usbh_device_info(const c9_usbh_t *host, c9_usbh_dev_t dev, c9_usbh_device_info_t *info);

/* Copies the cached configuration descriptor (the one set_configuration fetched, or the first).
 * *len gets its length also when cap is smaller (C9_ERR_NOMEM). C9_ERR_USB_NO_DEVICE,
 * C9_ERR_NOENT (none cached). */
c9_err_t c9_usbh_config_descriptor(const c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t *buf, size_t cap, size_t *len);

/* ---- asynchronous transfers ------------------------------------------------------------------------ */

/* Opens an endpoint from its descriptor for c9_usbh_submit(). C9_OK (also when already open),
 * C9_ERR_USB_NO_DEVICE, C9_ERR_USB_DESC_LENGTH/_TYPE/_VALUE, C9_ERR_NOMEM (table full), or the
 * controller's error. */
c9_err_t c9_usbh_edpt_open(c9_usbh_t *host, c9_usbh_dev_t dev, const uint8_t *ep_desc);

/* Queues a transfer. Control transfers (ep 0) queue behind the device's current one; on another
 * endpoint a second transfer gives C9_ERR_BUSY. C9_OK, C9_ERR_INVAL, C9_ERR_USB_NO_DEVICE,
 * C9_ERR_USB_NO_ENDPOINT (not opened), C9_ERR_BUSY, or the controller's error. */
c9_err_t c9_usbh_submit(c9_usbh_t *host, c9_usbh_xfer_t *xfer);

/* Stops a queued or running transfer. On return the buffer is free, xfer->result is
 * C9_ERR_USB_CANCELLED and the callback will not be called. C9_OK or C9_ERR_NOENT (it was not
 * pending: already completed, or never submitted). */
c9_err_t c9_usbh_abort(c9_usbh_t *host, c9_usbh_xfer_t *xfer);

/* ---- blocking helpers (usb.core) ------------------------------------------------------------------- */

/* A control transfer; *actual gets the data-stage bytes. bmRequestType bit 7 gives the
 * direction of buf. */
c9_err_t c9_usbh_ctrl_transfer(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t bmRequestType, uint8_t bRequest,
                               uint16_t wValue, uint16_t wIndex, uint8_t *buf, uint16_t wLength, uint32_t timeout_ms,
                               size_t *actual);

/* GET_DESCRIPTOR(type, index) with wIndex = langid (0 for non-string descriptors). */
c9_err_t c9_usbh_get_descriptor(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t type, uint8_t index, uint16_t langid,
                                uint8_t *buf, uint16_t len, uint32_t timeout_ms, size_t *actual);

/* Reads from an IN endpoint (bulk or interrupt) of the active configuration, opening it on first
 * use. Returns when the buffer is full or a short packet ends the transfer; *actual may be 0
 * for a zero-length packet. Errors: C9_ERR_USB_NO_CONFIG, C9_ERR_USB_NO_ENDPOINT (not in the
 * configuration, or an OUT endpoint), C9_ERR_BUSY (a class driver is using it:
 * detach_kernel_driver first), C9_ERR_NOMEM (C9_USBH_MAX_ENDPOINTS open), C9_ERR_TIMEDOUT
 * (the transfer was aborted; data that arrived before is not counted), transfer errors. */
c9_err_t c9_usbh_read(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, uint8_t *buf, size_t len, uint32_t timeout_ms,
                      size_t *actual);

/* Writes to an OUT endpoint; same rules as c9_usbh_read(). */
c9_err_t c9_usbh_write(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, const uint8_t *buf, size_t len,
                       uint32_t timeout_ms, size_t *actual);

/* usb.core set_configuration(configuration): fetches configuration descriptor `index`
 * (configuration - 1) and caches it, closes open endpoints and class drivers, sends
 * SET_CONFIGURATION with its bConfigurationValue and offers the interfaces to the drivers again
 * (except detached ones). C9_ERR_NOMEM (longer than C9_USBH_CONFIG_DESC_MAX), descriptor errors,
 * transfer errors. */
c9_err_t c9_usbh_set_configuration(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t index, uint32_t timeout_ms);

/* CLEAR_FEATURE(ENDPOINT_HALT) on the endpoint and a reset of the host side of it. */
c9_err_t c9_usbh_clear_halt(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t ep, uint32_t timeout_ms);

/* A string descriptor as UTF-8 (NUL-terminated) in the language `langid`, 0 meaning the
 * device's first language (fetched once and cached, as CircuitPython does). *len gets the UTF-8
 * length; 0 for an empty string (usb.core gives None). C9_ERR_NOENT for index 0 or a device
 * without languages, C9_ERR_NOMEM (out too small; out holds a truncated string), descriptor
 * and transfer errors. */
c9_err_t c9_usbh_get_string(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t index, uint16_t langid, char *out,
                            size_t out_size, size_t *len, uint32_t timeout_ms);

/* usb.core's kernel-driver calls: an interface is "active" while a class driver registered with
 * the host holds it. Detaching closes the driver for that interface until attach (or until the
 * device is unplugged). C9_OK, C9_ERR_USB_NO_DEVICE, C9_ERR_INVAL (interface number at or above
 * C9_USBH_MAX_INTERFACES). Attaching an interface no driver had is a no-op. */
c9_err_t c9_usbh_kernel_driver_active(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf, bool *active);
c9_err_t c9_usbh_detach_kernel_driver(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf);
c9_err_t c9_usbh_attach_kernel_driver(c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USBH_H */
