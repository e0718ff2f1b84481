/*
 * circuit9 host port, USB side: real USB devices through libusb-1.0 as a host controller for
 * the USB host stack (usbh.h), and file helpers for recordings and MIDI files.
 *
 *     c9_host_libusb_t *ctl;
 *     c9_err_t err = c9_host_libusb_open(&ctl, 0x046d, 0xc31c, 0);   // a USB keyboard on a Pi
 *     c9_usbh_config_t cfg = {.hcd = c9_host_libusb_hcd(), .hcd_ctx = ctl, .clock = clock};
 *     c9_usbh_init(&host, &cfg);   // then c9_usbh_wait_idle(), c9_usbh_read(), ...
 *     ...
 *     c9_usbh_deinit(&host);
 *     c9_host_libusb_close(ctl);
 *
 * One real device is one root port. The operating system has already reset, addressed and
 * configured it, so the controller stands in for those steps the way an xHCI controller does
 * for SET_ADDRESS: port reset is a no-op, SET_ADDRESS is answered locally, SET_CONFIGURATION
 * becomes libusb_set_configuration() (skipped when that configuration is already active),
 * SET_INTERFACE becomes libusb_set_interface_alt_setting() and CLEAR_FEATURE(ENDPOINT_HALT)
 * libusb_clear_halt(). Every other control request, descriptors included, goes to the device.
 * Opening a bulk or interrupt endpoint claims its interface, detaching the kernel's driver
 * (usbhid for a keyboard: it stops typing into the console while circuit9 holds it). Transfers
 * are libusb's asynchronous ones; the controller's service op handles libusb events without
 * blocking and its wait op blocks in libusb for up to the time asked. Unplugging is seen through
 * libusb hotplug where available, and by NO_DEVICE results otherwise.
 *
 * Linux needs read/write access to /dev/bus/usb/BBB/DDD (a udev rule, or the plugdev group).
 * Without libusb at build time the functions return C9_ERR_NOSYS.
 */
#ifndef CIRCUIT9_HOST_USB_H
#define CIRCUIT9_HOST_USB_H

#include "circuit9/usbh.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct c9_host_libusb c9_host_libusb_t;

typedef struct c9_host_usb_device_info {
    uint16_t vid, pid;
    uint8_t bus, address;
    uint8_t speed; /* c9_usb_speed_t */
} c9_host_usb_device_info_t;

/* The devices libusb sees. *count gets how many there are (may exceed max). C9_OK, C9_ERR_IO
 * (libusb failed to start or list), C9_ERR_NOSYS (built without libusb). */
c9_err_t c9_host_libusb_list(c9_host_usb_device_info_t *out, size_t max, size_t *count);

/* Opens the index-th device (0: the first) with this vendor and product id. C9_OK,
 * C9_ERR_NOENT (no such device), C9_ERR_PERM (no permission on its device node), C9_ERR_BUSY,
 * C9_ERR_IO, C9_ERR_NOMEM, C9_ERR_NOSYS. */
c9_err_t c9_host_libusb_open(c9_host_libusb_t **out, uint16_t vid, uint16_t pid, unsigned index);

/* Releases the interfaces (the kernel's drivers come back) and closes the device. Deinit the
 * host using it first. */
void c9_host_libusb_close(c9_host_libusb_t *ctl);

/* The controller ops; the context is the c9_host_libusb_t. */
const c9_usb_hcd_ops_t *c9_host_libusb_hcd(void);

/* ---- files ---- */

/* Reads a whole file into malloc'ed memory (free() it). C9_ERR_NOENT, C9_ERR_IO, C9_ERR_NOMEM,
 * C9_ERR_RANGE (over max_len bytes). */
c9_err_t c9_host_read_file(const char *path, size_t max_len, uint8_t **data, size_t *len);

/* A usbmon pcap file being written: pass c9_host_pcap_tap as c9_usbh_config_t.tap with the
 * writer as tap_ctx to record everything the host does (the first write error is kept). */
typedef struct c9_host_pcap c9_host_pcap_t;
c9_err_t c9_host_pcap_create(c9_host_pcap_t **out, const char *path);
void c9_host_pcap_tap(void *ctx, const c9_usbmon_packet_t *pkt);
/* Flushes and closes; returns the first error met while writing (C9_ERR_IO) or C9_OK. */
c9_err_t c9_host_pcap_close(c9_host_pcap_t *w);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_USB_H */
