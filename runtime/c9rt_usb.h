/*
 * The board's USB host, shared by usb_host (which starts it), usb.core (which uses it) and the
 * supervisor (the board's own port at power-on, console input from a USB keyboard).
 *
 * As in CircuitPython, the host port outlives the VM: once started it keeps running, with its
 * devices and their state, across reloads until the board stops. The host stack (core/usb) runs
 * on the controller the port contract gives for the port's pins, with CircuitPython's HID driver
 * and keyboard workflow (usbh_hid.h) as its class driver.
 *
 * Threads. The stack is used by one thread at a time, under the host lock: a service thread runs
 * its task every few milliseconds (enumeration, the keyboard workflow, hub changes) the way a
 * board's background tasks do, and Python code takes the lock for each call:
 *
 *     c9_usbh_t *host = c9rt_usb_lock();      // NULL: no host port yet (lock not taken)
 *     err = c9_usbh_read(host, dev, ep, buf, len, timeout_ms, &n);
 *     c9rt_usb_unlock();
 *     if (err == C9_ERR_USB_CANCELLED) return NULL;   // Ctrl-C or a reload: exception is set
 *
 * While a blocking call waits, the lock and the GIL are let go (the service thread, the display
 * thread and the window keep running), pending signals and calls are checked each round, and a
 * KeyboardInterrupt or reload aborts the transfer, leaving its exception set. The caller holds
 * the GIL and keeps its buffers exported (Py_buffer) for the call, so no Python code can free
 * them while the controller writes.
 */
#ifndef C9RT_USB_H
#define C9RT_USB_H

#include "c9py.h"
#include "circuit9/board.h"
#include "circuit9/usbh_hid.h"

/* Starts the host on the port's controller for pins dp/dm (claimed by the caller).
 * C9_OK (also when it already runs on these pins), C9_ERR_BUSY (it runs on other pins:
 * "usb_host in use"), the port's errors (C9_ERR_NODEV "Invalid pins", C9_ERR_NOSYS) or the
 * controller's. Called with the GIL held. */
c9_err_t c9rt_usb_start(int dp, int dm);
/* Whether a host port runs, and on which pins. */
bool c9rt_usb_running(int *dp, int *dm);

/* The board's own port (board.h usb_host_dp/dm): started at power-on, its socket's 5 V switched
 * on, and the devices already plugged in enumerated (in virtual time) before boot.py, as they
 * are on a board by the time its code runs. Nothing on a board without one. 0, or -1 after a
 * message on stderr. */
int c9rt_usb_board_start(const c9_board_t *board);

/* The host, locked, or NULL (nothing locked) when no port runs. */
c9_usbh_t *c9rt_usb_lock(void);
void c9rt_usb_unlock(void);

/* usb_host.set_user_keymap(): kept for the keyboard workflow, also before a port runs. */
void c9rt_usb_set_keymap(const uint8_t *map, size_t len);

/* Where the keyboard workflow's bytes go (the supervisor's console input). Called from the
 * service thread or a Python thread, without the GIL; must not call into Python. NULL: dropped
 * (the Python package has no console). */
void c9rt_usb_set_console(void (*input)(const char *bytes, size_t len));

#endif
