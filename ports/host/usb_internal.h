/* The virtual board's USB host port, between the host port's files; not a public API. */
#ifndef C9_HOST_USB_INTERNAL_H
#define C9_HOST_USB_INTERNAL_H

#include "circuit9/port.h"
#include "circuit9/usb_hcd.h"

/* Applies c9_port_config_t's USB devices (c9_port_init). Once the board's host runs the devices
 * stay as they are. C9_OK, or C9_ERR_INVAL with a message. */
c9_err_t c9__host_usb_configure(const char *const *specs, size_t count, char *msg, size_t msg_size);

/* The board's own host port controller: the virtual bus with its devices, or the real device
 * libusb opened; *rhport is its TinyUSB root port number. */
void c9__host_usb_controller(const c9_usb_hcd_ops_t **ops, void **ctx, uint8_t *rhport);

/* The window opened: its keys become a USB keyboard on the port when there is room for one. */
void c9__host_usb_window_opened(void);
/* A key of the window went down or up: usage is the HID usage (SDL scancodes are). False when
 * the board has no window keyboard on its port (the key is the window's to use). */
bool c9__host_usb_window_key(unsigned usage, bool down);

#endif
