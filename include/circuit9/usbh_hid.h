/*
 * circuit9 HID host driver: what CircuitPython 9.2.9 does with the HID devices on its USB host
 * port (TinyUSB's HID host driver and CircuitPython's USB keyboard workflow), as a class driver
 * of the host stack (usbh.h).
 *
 *     static c9_usbh_hid_t hid;
 *     c9_usbh_hid_config_t hc = {.input = console_put, .ctx = NULL};
 *     c9_usbh_hid_init(&hid, &hc);
 *     const c9_usbh_driver_t *drivers[] = {c9_usbh_hid_driver(&hid)};
 *     c9_usbh_config_t cfg = {..., .drivers = drivers, .driver_count = 1};
 *     ...  // then, wherever c9_usbh_task() runs: c9_usbh_hid_task(&hid, now_ms)
 *
 * Set-up. Every HID interface (class 3, alternate setting 0) of a configured device is set up as
 * TinyUSB's driver does when the device is configured: SET_IDLE with rate 0, SET_PROTOCOL(boot)
 * when its subclass is boot, then GET_DESCRIPTOR for its report descriptor when that is at most
 * C9_USBH_HID_REPORT_DESC_MAX bytes. A stall of SET_IDLE or SET_PROTOCOL is ignored; each request
 * gives up after C9_USBH_ENUM_TIMEOUT_MS (TinyUSB waits for ever, which would hold the device's
 * later control transfers behind it). So a boot mouse sends boot reports from then on, as on a
 * board.
 *
 * The keyboard workflow. The first boot keyboard interface (subclass 1, protocol 1) seen while no
 * keyboard is attached is claimed: it is the "kernel driver" usb.core's is_kernel_driver_active()
 * reports, and c9_usbh_detach_kernel_driver() lets it go. Its 8-byte reports become console input:
 * each newly pressed key is one byte or an escape sequence, with CircuitPython's key map (US
 * layout; Enter is CR, Shift+Enter LF; Backspace BS and Shift+Backspace DEL; Ctrl masks to a
 * control character, Alt sets bit 7; cursor, Insert/Delete/Home/End/Page and F1-F12 as VT100
 * sequences, with Ctrl their ";5" forms; Pause is 0x1A and Print Screen ESC [ i; the keypad gives
 * "/ * - + Enter 1..9 0 ." until Num Lock is pressed, then cursor sequences), Caps Lock and Num Lock
 * toggled by their keys, a user key map (usb_host.set_user_keymap) looked up first, and key
 * repeat (the last key's bytes again after 500 ms, then every 50 ms, until the next report). The
 * lock state is sent to the keyboard's LEDs with SET_REPORT; unlike CircuitPython 9.2.9, which
 * puts Caps Lock on the Num Lock LED and the other way round, the bits are the HID ones (bit 0
 * Num Lock, bit 1 Caps Lock). Reports of another length and the keyboard's "phantom" report (too
 * many keys) are ignored; a failed report read stops the workflow for that keyboard until it is
 * attached again.
 *
 * Everything runs inside c9_usbh_task() (the driver callbacks) and c9_usbh_hid_task() (repeat);
 * `input` is called from there. No allocation; all state is in c9_usbh_hid_t.
 */
#ifndef CIRCUIT9_USBH_HID_H
#define CIRCUIT9_USBH_HID_H

#include "circuit9/usbh.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C9_USBH_HID_KEYMAP_MAX 384 /* 128 plain, 128 shifted, 128 AltGr entries */

typedef struct c9_usbh_hid_config {
    /* Console input made by the keyboard workflow: one key's bytes (a byte, or an escape
     * sequence of up to 8 bytes). Called inside the host's task; must not call the host. */
    void (*input)(void *ctx, const char *bytes, size_t len);
    void *ctx;
} c9_usbh_hid_config_t;

/* An interface waiting for, or going through, its set-up requests. */
typedef struct c9_usbh_hid_setup {
    c9_usbh_dev_t dev;
    uint8_t itf, boot, step;
    uint16_t report_len;
} c9_usbh_hid_setup_t;

/* Key decoding state: what the previous report held and the lock keys. */
typedef struct c9_usbh_hid_keys {
    uint8_t old[8];
    bool caps, num;
    uint8_t keymap[C9_USBH_HID_KEYMAP_MAX];
    uint16_t keymap_len;
} c9_usbh_hid_keys_t;

typedef struct c9_usbh_hid {
    c9_usbh_hid_config_t cfg;
    c9_usbh_driver_t driver;
    /* set-up of interfaces, one request at a time */
    c9_usbh_hid_setup_t queue[C9_USBH_HID_SETUP_QUEUE];
    uint8_t queue_count;
    bool setup_busy;
    c9_usbh_xfer_t setup_xfer;
    uint8_t report_desc[C9_USBH_HID_REPORT_DESC_MAX];
    /* the keyboard workflow */
    c9_usbh_dev_t kbd_dev; /* 0: no keyboard attached */
    uint8_t kbd_itf, kbd_ep;
    uint16_t kbd_mps;
    bool kbd_reading;
    c9_usbh_xfer_t kbd_xfer;
    uint8_t kbd_buf[64];
    c9_usbh_hid_keys_t keys;
    uint8_t leds;
    c9_usbh_xfer_t led_xfer;
    uint8_t led_buf[1];
    bool led_busy, led_pending;
    /* key repeat */
    char repeat[8];
    uint8_t repeat_len;
    uint64_t repeat_at;
    uint64_t now_ms;
} c9_usbh_hid_t;

/* Prepares the driver. C9_OK or C9_ERR_INVAL (NULL). */
c9_err_t c9_usbh_hid_init(c9_usbh_hid_t *hid, const c9_usbh_hid_config_t *cfg);

/* The class driver to put in c9_usbh_config_t.drivers. */
const c9_usbh_driver_t *c9_usbh_hid_driver(c9_usbh_hid_t *hid);

/* Key repeat; call it wherever c9_usbh_task() is called, with the host clock's time. */
void c9_usbh_hid_task(c9_usbh_hid_t *hid, uint64_t now_ms);

/* usb_host.set_user_keymap(): up to C9_USBH_HID_KEYMAP_MAX bytes (more are ignored), indexed by
 * key usage + 128 with Shift + 256 with AltGr (right Alt; only a map longer than 256 bytes has
 * AltGr, and then left Alt alone sets bit 7). A zero entry falls back to the built-in map. */
void c9_usbh_hid_set_keymap(c9_usbh_hid_t *hid, const uint8_t *map, size_t len);

/* True while interfaces still wait for their set-up requests (a host that waits for its devices
 * at power-on waits for this too). */
bool c9_usbh_hid_busy(const c9_usbh_hid_t *hid);

/* The keyboard the workflow reads now (0: none) and its interface number. */
c9_usbh_dev_t c9_usbh_hid_keyboard(const c9_usbh_hid_t *hid, uint8_t *itf);

/* The decoding alone: feeds one report to `keys` and calls emit for each key's bytes. Returns
 * the LED byte the lock keys now call for (bit 0 Num Lock, bit 1 Caps Lock). A report that is
 * not 8 bytes, or the phantom report, changes nothing and returns the previous LED byte. */
uint8_t c9_usbh_hid_decode(c9_usbh_hid_keys_t *keys, const uint8_t *report, size_t len,
                           void (*emit)(void *ctx, const char *bytes, size_t n), void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USBH_HID_H */
