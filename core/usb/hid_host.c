/* HID host driver: interface set-up as TinyUSB's HID driver does it, and CircuitPython's USB
 * keyboard workflow (usbh_hid.h). */
#include "circuit9/usbh_hid.h"

#include <string.h>

/* ---- key decoding ------------------------------------------------------------------------------- */

enum {
    KEY_A = 0x04,
    KEY_Z = 0x1D,
    KEY_1 = 0x1E,
    KEY_9 = 0x26,
    KEY_0 = 0x27,
    KEY_ENTER = 0x28,
    KEY_SLASH = 0x38,
    KEY_CAPS_LOCK = 0x39,
    KEY_F1 = 0x3A,
    KEY_F12 = 0x45,
    KEY_PRINT_SCREEN = 0x46,
    KEY_PAUSE = 0x48,
    KEY_INSERT = 0x49,
    KEY_UP = 0x52,
    KEY_NUM_LOCK = 0x53,
    KEY_KP_DIVIDE = 0x54,
    KEY_KP_DECIMAL = 0x63,
};

#define MOD_CTRL 0x11u  /* left or right */
#define MOD_SHIFT 0x22u /* left or right */
#define MOD_LALT 0x04u
#define MOD_RALT 0x40u

/* Enter .. Slash: Enter, Escape, Backspace, Tab, Space, - = [ ] \ (non-US #) ; ' ` , . / */
static const char punct_plain[] = "\r\x1b\x08\t -=[]\\#;'`,./";
static const char punct_shift[] = "\n\x1b\x7f\t _+{}|~:\"~<>?";
static const char digits_shift[] = "!@#$%^&*(";
static const char keypad_plain[] = "/*-+\n1234567890.";

/* Insert, Home, Page Up, Delete, End, Page Down, Right, Left, Down, Up */
static const char *const nav_plain[10] = {"\x1b[2~", "\x1b[H", "\x1b[5~", "\x1b[3~", "\x1b[F",
                                          "\x1b[6~", "\x1b[C", "\x1b[D",  "\x1b[B",  "\x1b[A"};
static const char *const nav_ctrl[10] = {"\x1b[2;5~", "\x1b[1;5H", "\x1b[5;5~", "\x1b[3;5~", "\x1b[1;5F",
                                         "\x1b[6;5~", "\x1b[1;5C", "\x1b[1;5D", "\x1b[1;5B", "\x1b[1;5A"};
static const char *const fkey_plain[12] = {"\x1bOP",   "\x1bOQ",   "\x1bOR",   "\x1bOS",   "\x1b[15~", "\x1b[17~",
                                           "\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~"};
static const char *const fkey_ctrl[12] = {"\x1b[1;5P",  "\x1b[1;5Q",  "\x1b[1;5R",  "\x1b[1;5S",
                                          "\x1b[15;5~", "\x1b[17;5~", "\x1b[18;5~", "\x1b[19;5~",
                                          "\x1b[20;5~", "\x1b[21;5~", "\x1b[23;5~", "\x1b[24;5~"};
/* The keypad with Num Lock on: / * - + Enter, then End Down PgDn Left (5: nothing) Right Home Up
 * PgUp Insert Delete. */
static const char *const keypad_num[16] = {"/",      "*",       "-",       "+",      "\n",     "\x1b[F",
                                           "\x1b[B", "\x1b[6~", "\x1b[D",  "",       "\x1b[C", "\x1b[H",
                                           "\x1b[A", "\x1b[5~", "\x1b[2~", "\x1b[3~"};

static bool pressed_before(const uint8_t old[8], uint8_t key) {
    for (int i = 2; i < 8; i++) {
        if (old[i] == key) {
            return true;
        }
    }
    return false;
}

static void emit_str(void (*emit)(void *, const char *, size_t), void *ctx, const char *s) {
    size_t n = strlen(s);
    if (n > 0) {
        emit(ctx, s, n);
    }
}

/* One newly pressed key (not a lock key). */
static void decode_key(c9_usbh_hid_keys_t *k, uint8_t key, uint8_t mods, void (*emit)(void *, const char *, size_t),
                       void *ctx) {
    bool has_altgr = k->keymap_len > 256;
    bool altgr = has_altgr && (mods & MOD_RALT);
    bool alt = has_altgr ? (mods & MOD_LALT) != 0 : (mods & (MOD_LALT | MOD_RALT)) != 0;
    bool shift = (mods & MOD_SHIFT) != 0;
    bool ctrl = (mods & MOD_CTRL) != 0;

    size_t idx = (size_t)key + (altgr ? 256u : shift ? 128u : 0u);
    uint8_t mapped = idx < C9_USBH_HID_KEYMAP_MAX ? k->keymap[idx] : 0;
    if (mapped != 0) {
        if (ctrl) {
            mapped &= 0x1F;
        } else if (mapped >= 'a' && mapped <= 'z' && k->caps) {
            mapped ^= 0x20;
        }
        char c = (char)mapped;
        emit(ctx, &c, 1);
        return;
    }

    int code = -1; /* a byte that case, Ctrl and Alt still apply to */
    if (key >= KEY_A && key <= KEY_Z) {
        code = 'a' + (key - KEY_A);
    } else if (key >= KEY_1 && key <= KEY_9) {
        code = shift ? digits_shift[key - KEY_1] : '1' + (key - KEY_1);
    } else if (key == KEY_0) {
        code = shift ? ')' : '0';
    } else if (key == KEY_ENTER && ctrl) {
        code = '\n';
    } else if (key >= KEY_ENTER && key <= KEY_SLASH) {
        /* Tables are picked through a pointer, here and below: GCC 12's -fsanitize=object-size
         * misjudges an element of a conditional expression of arrays at -O1 and above. */
        const char *punct = shift ? punct_shift : punct_plain;
        code = (uint8_t)punct[key - KEY_ENTER];
    } else if (key >= KEY_KP_DIVIDE && key <= KEY_KP_DECIMAL) {
        if (k->num) {
            emit_str(emit, ctx, keypad_num[key - KEY_KP_DIVIDE]);
            return;
        }
        code = keypad_plain[key - KEY_KP_DIVIDE];
    } else if (key >= KEY_INSERT && key <= KEY_UP) {
        const char *const *nav = ctrl ? nav_ctrl : nav_plain;
        emit_str(emit, ctx, nav[key - KEY_INSERT]);
        return;
    } else if (key >= KEY_F1 && key <= KEY_F12) {
        const char *const *fkey = ctrl ? fkey_ctrl : fkey_plain;
        emit_str(emit, ctx, fkey[key - KEY_F1]);
        return;
    } else if (key == KEY_PAUSE) {
        code = 0x1A;
    } else if (key == KEY_PRINT_SCREEN) {
        emit_str(emit, ctx, "\x1b[i");
        return;
    }
    if (code < 0) {
        return;
    }
    if (code >= 'a' && code <= 'z' && (shift != k->caps)) {
        code ^= 0x20;
    }
    if (ctrl) {
        code &= 0x1F;
    }
    if (alt) {
        code ^= 0x80;
    }
    char c = (char)code;
    emit(ctx, &c, 1);
}

static uint8_t led_bits(const c9_usbh_hid_keys_t *k) {
    return (uint8_t)((k->num ? 1u : 0u) | (k->caps ? 2u : 0u));
}

uint8_t c9_usbh_hid_decode(c9_usbh_hid_keys_t *keys, const uint8_t *report, size_t len,
                           void (*emit)(void *ctx, const char *bytes, size_t n), void *ctx) {
    if (keys == NULL) {
        return 0;
    }
    if (report == NULL || len != 8 || emit == NULL || (report[2] == 1 && report[3] == 1)) {
        return led_bits(keys); /* not a boot report, or the keyboard's "too many keys" report */
    }
    for (int i = 2; i < 8; i++) {
        uint8_t key = report[i];
        if (key == 0 || pressed_before(keys->old, key)) {
            continue;
        }
        if (key == KEY_NUM_LOCK) {
            keys->num = !keys->num;
        } else if (key == KEY_CAPS_LOCK) {
            keys->caps = !keys->caps;
        } else {
            decode_key(keys, key, report[0], emit, ctx);
        }
    }
    memcpy(keys->old, report, 8);
    return led_bits(keys);
}

/* ---- driver ------------------------------------------------------------------------------------- */

enum { STEP_IDLE, STEP_PROTOCOL, STEP_REPORT, STEP_DONE };

static void setup_next(c9_usbh_hid_t *hid, c9_usbh_t *host);
static void kbd_read(c9_usbh_hid_t *hid, c9_usbh_t *host);

static void emit_input(void *ctx, const char *bytes, size_t n) {
    c9_usbh_hid_t *hid = ctx;
    if (n <= sizeof hid->repeat) {
        memcpy(hid->repeat, bytes, n);
        hid->repeat_len = (uint8_t)n;
        hid->repeat_at = hid->now_ms + 500;
    }
    if (hid->cfg.input) {
        hid->cfg.input(hid->cfg.ctx, bytes, n);
    }
}

static void led_done(c9_usbh_t *host, c9_usbh_xfer_t *x) {
    c9_usbh_hid_t *hid = x->user;
    hid->led_busy = false;
    if (hid->led_pending && hid->kbd_dev != 0) {
        hid->led_pending = false;
        hid->led_buf[0] = hid->leds;
        c9_usbh_xfer_t *l = &hid->led_xfer;
        l->dev = hid->kbd_dev;
        l->setup.wIndex = hid->kbd_itf;
        if (c9_usbh_submit(host, l) == C9_OK) {
            hid->led_busy = true;
        }
    }
}

static void send_leds(c9_usbh_hid_t *hid, c9_usbh_t *host) {
    if (hid->led_busy) {
        hid->led_pending = true;
        return;
    }
    c9_usbh_xfer_t *l = &hid->led_xfer;
    memset(l, 0, sizeof *l);
    hid->led_buf[0] = hid->leds;
    l->dev = hid->kbd_dev;
    l->ep = 0;
    l->setup = (c9_usb_setup_t){.bmRequestType = C9_USB_TYPE_CLASS | C9_USB_RECIP_INTERFACE,
                                .bRequest = C9_USB_HID_SET_REPORT,
                                .wValue = 0x0200, /* output report, id 0 */
                                .wIndex = hid->kbd_itf,
                                .wLength = 1};
    l->buf = hid->led_buf;
    l->complete = led_done;
    l->user = hid;
    if (c9_usbh_submit(host, l) == C9_OK) {
        hid->led_busy = true;
    }
}

static void kbd_done(c9_usbh_t *host, c9_usbh_xfer_t *x) {
    c9_usbh_hid_t *hid = x->user;
    hid->kbd_reading = false;
    if (x->result != C9_OK || x->dev != hid->kbd_dev) {
        return; /* a failed read ends the workflow for this keyboard, as in CircuitPython */
    }
    hid->repeat_len = 0; /* something was pressed or released: no repeat */
    uint8_t leds = c9_usbh_hid_decode(&hid->keys, hid->kbd_buf, x->actual, emit_input, hid);
    if (x->actual == 8 && leds != hid->leds) {
        hid->leds = leds;
        send_leds(hid, host);
    }
    kbd_read(hid, host);
}

static void kbd_read(c9_usbh_hid_t *hid, c9_usbh_t *host) {
    if (hid->kbd_dev == 0 || hid->kbd_reading) {
        return;
    }
    c9_usbh_xfer_t *x = &hid->kbd_xfer;
    memset(x, 0, sizeof *x);
    x->dev = hid->kbd_dev;
    x->ep = hid->kbd_ep;
    x->buf = hid->kbd_buf;
    x->len = hid->kbd_mps; /* one packet, as TinyUSB's HID driver reads: a report ends it */
    x->complete = kbd_done;
    x->user = hid;
    if (c9_usbh_submit(host, x) == C9_OK) {
        hid->kbd_reading = true;
    }
}

static void setup_done(c9_usbh_t *host, c9_usbh_xfer_t *x) {
    c9_usbh_hid_t *hid = x->user;
    c9_usbh_hid_setup_t *s = &hid->queue[0];
    hid->setup_busy = false;
    if (x->result == C9_ERR_USB_NO_DEVICE) {
        s->step = STEP_DONE; /* gone: nothing more to ask */
    } else if (s->step == STEP_IDLE) {
        s->step = s->boot ? STEP_PROTOCOL : STEP_REPORT; /* a stall is a valid answer */
    } else {
        s->step = s->step == STEP_PROTOCOL ? STEP_REPORT : STEP_DONE;
    }
    setup_next(hid, host);
}

/* Runs the head of the set-up queue one request at a time; a finished interface that is the
 * workflow's keyboard starts being read (TinyUSB mounts the HID interface then). */
static void setup_next(c9_usbh_hid_t *hid, c9_usbh_t *host) {
    while (hid->queue_count > 0 && !hid->setup_busy) {
        c9_usbh_hid_setup_t *s = &hid->queue[0];
        if (s->step == STEP_REPORT && (s->report_len == 0 || s->report_len > sizeof hid->report_desc)) {
            s->step = STEP_DONE; /* too long for the enumeration buffer: mounted without it */
        }
        if (s->step == STEP_DONE) {
            if (s->dev == hid->kbd_dev && s->itf == hid->kbd_itf) {
                kbd_read(hid, host);
            }
            memmove(&hid->queue[0], &hid->queue[1], sizeof hid->queue[0] * (size_t)(hid->queue_count - 1));
            hid->queue_count--;
            continue;
        }
        c9_usbh_xfer_t *x = &hid->setup_xfer;
        memset(x, 0, sizeof *x);
        x->dev = s->dev;
        /* TinyUSB waits for ever; a device that never answers would then hold every later
         * control transfer of its own behind this one. */
        x->timeout_ms = C9_USBH_ENUM_TIMEOUT_MS;
        x->complete = setup_done;
        x->user = hid;
        if (s->step == STEP_IDLE) {
            x->setup = (c9_usb_setup_t){C9_USB_TYPE_CLASS | C9_USB_RECIP_INTERFACE, C9_USB_HID_SET_IDLE, 0, s->itf, 0};
        } else if (s->step == STEP_PROTOCOL) {
            /* wValue 0: boot protocol */
            x->setup =
                (c9_usb_setup_t){C9_USB_TYPE_CLASS | C9_USB_RECIP_INTERFACE, C9_USB_HID_SET_PROTOCOL, 0, s->itf, 0};
        } else {
            x->setup = (c9_usb_setup_t){C9_USB_DIR_IN | C9_USB_TYPE_STANDARD | C9_USB_RECIP_INTERFACE,
                                        C9_USB_REQ_GET_DESCRIPTOR, (uint16_t)(C9_USB_DESC_HID_REPORT << 8), s->itf,
                                        s->report_len};
            x->buf = hid->report_desc;
        }
        if (c9_usbh_submit(host, x) == C9_OK) {
            hid->setup_busy = true;
        } else {
            s->step = STEP_DONE; /* the device went away or cannot take requests */
        }
    }
}

static uint16_t drv_open(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, const uint8_t *itf, uint16_t len) {
    c9_usbh_hid_t *hid = ctx;
    if (len < 9 || itf[0] < 9 || itf[5] != C9_USB_CLASS_HID) {
        return 0;
    }
    bool boot = itf[6] == C9_USB_SUBCLASS_HID_BOOT;
    bool keyboard = boot && itf[7] == C9_USB_PROTOCOL_HID_KEYBOARD;
    uint16_t report_len = 0;
    const uint8_t *ep_in = NULL;
    size_t off = itf[0], end = len;
    const uint8_t *d;
    while (c9_usb_desc_next(itf, end, &off, &d) == C9_OK) {
        if (d[1] == C9_USB_DESC_INTERFACE) {
            off -= d[0]; /* the next interface starts here */
            break;
        }
        if (d[1] == C9_USB_DESC_HID && d[0] >= 9 && report_len == 0) {
            report_len = (uint16_t)(d[7] | (d[8] << 8));
        } else if (d[1] == C9_USB_DESC_ENDPOINT && d[0] >= 7 && (d[2] & C9_USB_DIR_IN) &&
                   (d[3] & 3) == C9_USB_XFER_INTERRUPT && ep_in == NULL) {
            ep_in = d;
        }
    }
    if (hid->queue_count < C9_USBH_HID_SETUP_QUEUE) {
        hid->queue[hid->queue_count++] = (c9_usbh_hid_setup_t){dev, itf[2], boot, STEP_IDLE, report_len};
    }
    uint16_t claimed = 0;
    if (keyboard && hid->kbd_dev == 0 && ep_in != NULL && c9_usbh_edpt_open(host, dev, ep_in) == C9_OK) {
        hid->kbd_dev = dev;
        hid->kbd_itf = itf[2];
        hid->kbd_ep = ep_in[2];
        uint16_t mps = (uint16_t)((ep_in[4] | (ep_in[5] << 8)) & 0x7FF);
        hid->kbd_mps = mps == 0 || mps > sizeof hid->kbd_buf ? (uint16_t)sizeof hid->kbd_buf : mps;
        hid->kbd_reading = false;
        claimed = (uint16_t)off;
    }
    setup_next(hid, host);
    return claimed;
}

static void drv_close(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf_num) {
    c9_usbh_hid_t *hid = ctx;
    if (dev == hid->kbd_dev && itf_num == hid->kbd_itf) {
        if (hid->kbd_reading) {
            c9_usbh_abort(host, &hid->kbd_xfer);
        }
        hid->kbd_dev = 0;
        hid->kbd_reading = false;
        hid->repeat_len = 0;
    }
}

c9_err_t c9_usbh_hid_init(c9_usbh_hid_t *hid, const c9_usbh_hid_config_t *cfg) {
    if (hid == NULL) {
        return C9_ERR_INVAL;
    }
    memset(hid, 0, sizeof *hid);
    if (cfg) {
        hid->cfg = *cfg;
    }
    hid->driver = (c9_usbh_driver_t){.name = "hid", .open = drv_open, .close = drv_close, .ctx = hid};
    return C9_OK;
}

const c9_usbh_driver_t *c9_usbh_hid_driver(c9_usbh_hid_t *hid) {
    return hid ? &hid->driver : NULL;
}

void c9_usbh_hid_task(c9_usbh_hid_t *hid, uint64_t now_ms) {
    if (hid == NULL) {
        return;
    }
    hid->now_ms = now_ms;
    if (hid->repeat_len > 0 && hid->kbd_dev != 0 && now_ms >= hid->repeat_at) {
        hid->repeat_at = now_ms + 50;
        if (hid->cfg.input) {
            hid->cfg.input(hid->cfg.ctx, hid->repeat, hid->repeat_len);
        }
    }
}

void c9_usbh_hid_set_keymap(c9_usbh_hid_t *hid, const uint8_t *map, size_t len) {
    if (hid == NULL) {
        return;
    }
    if (map == NULL) {
        len = 0;
    }
    if (len > C9_USBH_HID_KEYMAP_MAX) {
        len = C9_USBH_HID_KEYMAP_MAX;
    }
    memset(hid->keys.keymap, 0, sizeof hid->keys.keymap);
    if (len > 0) {
        memcpy(hid->keys.keymap, map, len);
    }
    hid->keys.keymap_len = (uint16_t)len;
}

c9_usbh_dev_t c9_usbh_hid_keyboard(const c9_usbh_hid_t *hid, uint8_t *itf) {
    if (hid == NULL) {
        return 0;
    }
    if (itf) {
        *itf = hid->kbd_itf;
    }
    return hid->kbd_dev;
}

bool c9_usbh_hid_busy(const c9_usbh_hid_t *hid) {
    return hid != NULL && hid->queue_count > 0;
}
