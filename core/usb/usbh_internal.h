/* Between the host core (usbh.c) and its hub driver (hub.c). */
#ifndef C9_USBH_INTERNAL_H
#define C9_USBH_INTERNAL_H

#include "circuit9/usbh.h"

/* c9_usbh_device_t.state */
enum { DEV_FREE = 0, DEV_ENUM = 1, DEV_READY = 2, DEV_GONE = 3 };

/* The handle of the device at an address (whatever its state). */
c9_usbh_dev_t c9__usbh_handle(const c9_usbh_t *h, uint8_t addr);
/* Submits a transfer addressed by x->daddr (no handle check beyond the slot being in use). */
c9_err_t c9__usbh_submit(c9_usbh_t *h, c9_usbh_xfer_t *x);
c9_err_t c9__usbh_open_ep(c9_usbh_t *h, uint8_t addr, const uint8_t *ep_desc);
uint64_t c9__usbh_now(const c9_usbh_t *h);
void c9__usbh_control(c9_usbh_xfer_t *x, uint8_t addr, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                      uint8_t *buf, uint16_t len, c9_usbh_xfer_cb cb);

/* Hub driver -> core: a device appeared on (or left) a hub port; a port reset finished. */
void c9__usbh_enum_request(c9_usbh_t *h, uint8_t hub_addr, uint8_t port);
void c9__usbh_port_removed(c9_usbh_t *h, uint8_t hub_addr, uint8_t port);
void c9__usbh_reset_done(c9_usbh_t *h, uint8_t hub_addr, uint8_t port, c9_err_t err, uint8_t speed);
void c9__usbh_remove_device(c9_usbh_t *h, uint8_t addr);

/* Core -> hub driver. */
uint16_t c9__hub_open(c9_usbh_t *h, uint8_t addr, const uint8_t *itf, uint16_t len);
void c9__hub_close(c9_usbh_t *h, uint8_t addr);
void c9__hub_task(c9_usbh_t *h, uint64_t now);
c9_err_t c9__hub_port_reset(c9_usbh_t *h, uint8_t hub_addr, uint8_t port);
/* True while a hub is still powering or scanning its ports (so the bus is not idle yet). */
bool c9__hub_busy(const c9_usbh_t *h);
/* Records which device address hangs off a hub port (0: none). */
void c9__hub_set_child(c9_usbh_t *h, uint8_t hub_addr, uint8_t port, uint8_t addr);
/* Children of a hub, for removal: fills out[] with addresses, returns the count. */
size_t c9__hub_children(const c9_usbh_t *h, uint8_t hub_addr, uint8_t *out, size_t max);

#endif /* C9_USBH_INTERNAL_H */
