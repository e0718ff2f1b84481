/* HID models: boot keyboard (with typing), boot mouse, game pad. Report descriptors follow the
 * HID 1.11 specification's boot examples (Appendix B) and the HID Usage Tables. */
#include <string.h>

#include "usbsim_internal.h"

/* HID 1.11 Appendix B.1 boot keyboard, with the LED output report. */
static const uint8_t kbd_report_desc[63] = {
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
    0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
    0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
};

/* Three buttons, X, Y and a wheel; the boot protocol sends the first three bytes. */
static const uint8_t mouse_report_desc[52] = {
    0x05, 0x01, 0x09, 0x02, 0xA1, 0x01, 0x09, 0x01, 0xA1, 0x00, 0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15, 0x00,
    0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01, 0x05, 0x01, 0x09, 0x30,
    0x09, 0x31, 0x09, 0x38, 0x15, 0x81, 0x25, 0x7F, 0x75, 0x08, 0x95, 0x03, 0x81, 0x06, 0xC0, 0xC0,
};

/* Game pad: 16 buttons, X/Y/Z/Rz 0..255, an 8-way hat with a null state, padding to 8 bytes. */
static const uint8_t pad_report_desc[77] = {
    0x05, 0x01, 0x09, 0x05, 0xA1, 0x01, 0x05, 0x09, 0x19, 0x01, 0x29, 0x10, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x10, 0x81, 0x02, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x32, 0x09, 0x35,
    0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x04, 0x81, 0x02, 0x09, 0x39, 0x15, 0x00, 0x25,
    0x07, 0x35, 0x00, 0x46, 0x3B, 0x01, 0x65, 0x14, 0x75, 0x04, 0x95, 0x01, 0x81, 0x42, 0x65, 0x00,
    0x75, 0x04, 0x95, 0x01, 0x81, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x01, 0xC0,
};

/* config + interface + HID + endpoint, 34 bytes. */
static void hid_config(uint8_t *c, uint8_t subclass, uint8_t protocol, uint16_t report_len, uint8_t mps,
                       uint8_t interval) {
    const uint8_t t[34] = {
        9,
        C9_USB_DESC_CONFIGURATION,
        34,
        0,
        1,
        1,
        0,
        0xA0,
        50, // bus powered, remote wakeup, 100 mA
        9,
        C9_USB_DESC_INTERFACE,
        0,
        0,
        1,
        C9_USB_CLASS_HID,
        subclass,
        protocol,
        0,
        9,
        C9_USB_DESC_HID,
        0x11,
        0x01,
        0,
        1,
        C9_USB_DESC_HID_REPORT,
        (uint8_t)report_len,
        (uint8_t)(report_len >> 8),
        7,
        C9_USB_DESC_ENDPOINT,
        0x81,
        C9_USB_XFER_INTERRUPT,
        mps,
        0,
        interval,
    };
    memcpy(c, t, sizeof t);
}

/* Shared HID class requests; report/protocol/idle live in the model. */
typedef struct {
    uint8_t *protocol, *idle;
    const uint8_t *input; /* the current input report */
    uint16_t input_len;
    uint8_t *leds; /* output report sink, may be NULL */
} hid_state_t;

static int hid_request(const hid_state_t *st, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    if ((s->bmRequestType & C9_USB_TYPE_MASK) != C9_USB_TYPE_CLASS ||
        (s->bmRequestType & C9_USB_RECIP_MASK) != C9_USB_RECIP_INTERFACE || s->wIndex != 0) {
        return C9_USBSIM_STALL;
    }
    switch (s->bRequest) {
    case C9_USB_HID_GET_REPORT:
        if ((s->wValue >> 8) != 1) {
            return C9_USBSIM_STALL;
        }
        *len = (uint16_t)C9_MIN(*len, st->input_len);
        memcpy(data, st->input, *len);
        return C9_OK;
    case C9_USB_HID_SET_REPORT:
        if ((s->wValue >> 8) != 2 || st->leds == NULL || *len < 1) {
            return C9_USBSIM_STALL;
        }
        *st->leds = data[0];
        return C9_OK;
    case C9_USB_HID_GET_IDLE:
        *len = (uint16_t)C9_MIN(*len, 1);
        data[0] = *st->idle;
        return C9_OK;
    case C9_USB_HID_SET_IDLE: *st->idle = (uint8_t)(s->wValue >> 8); return C9_OK;
    case C9_USB_HID_GET_PROTOCOL:
        *len = (uint16_t)C9_MIN(*len, 1);
        data[0] = *st->protocol;
        return C9_OK;
    case C9_USB_HID_SET_PROTOCOL:
        if (s->wValue > 1) {
            return C9_USBSIM_STALL;
        }
        *st->protocol = (uint8_t)s->wValue;
        return C9_OK;
    default: return C9_USBSIM_STALL;
    }
}

/* ---- keyboard -------------------------------------------------------------------------------------------- */

c9_err_t c9_usbsim_ascii_to_hid(char c, uint8_t *usage, bool *shift) {
    // HID Usage Tables, Keyboard/Keypad page (0x07), US layout: usages 0x1E..0x38 unshifted and
    // shifted. 0x32 (Non-US # and ~) is not on US keyboards: '\\' and '`' come from 0x31 and 0x35.
    static const char plain[27] = {'1', '2', '3', '4', '5', '6',  '7', '8', '9',  '0', '\n', 0x1B, '\b', '\t',
                                   ' ', '-', '=', '[', ']', '\\', 0,   ';', '\'', '`', ',',  '.',  '/'};
    static const char shifted[27] = {'!', '@', '#', '$', '%', '^', '&', '*', '(', ')', 0,   0,   0,  0,
                                     0,   '_', '+', '{', '}', '|', 0,   ':', '"', '~', '<', '>', '?'};
    uint8_t u = 0;
    bool sh = false;
    if (c >= 'a' && c <= 'z') {
        u = (uint8_t)(0x04 + (c - 'a'));
    } else if (c >= 'A' && c <= 'Z') {
        u = (uint8_t)(0x04 + (c - 'A'));
        sh = true;
    } else if (c != 0) {
        for (unsigned i = 0; i < sizeof plain && u == 0; i++) {
            if (plain[i] == c) {
                u = (uint8_t)(0x1E + i);
            } else if (shifted[i] == c) {
                u = (uint8_t)(0x1E + i);
                sh = true;
            }
        }
    }
    if (u == 0) {
        return C9_ERR_NOENT;
    }
    if (usage) {
        *usage = u;
    }
    if (shift) {
        *shift = sh;
    }
    return C9_OK;
}

static c9_usbsim_keyboard_t *kbd_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_keyboard_t *)d;
}

/* The report the keyboard would send next, or false if it has none. */
static bool kbd_next(c9_usbsim_keyboard_t *k, uint8_t out[8], int *source) {
    if (k->q_count > 0) {
        memcpy(out, k->queue[k->q_head], 8);
        *source = 1;
        return true;
    }
    if (k->typing) {
        uint8_t usage = 0;
        bool shift = false;
        while (k->text_pos < k->text_len && c9_usbsim_ascii_to_hid(k->text[k->text_pos], &usage, &shift) != C9_OK) {
            k->text_pos++; // not on a US keyboard: skipped
        }
        if (k->text_pos < k->text_len) {
            memset(out, 0, 8);
            if (!k->text_release) {
                out[0] = shift ? 0x02 : 0x00; // left shift
                out[2] = usage;
            }
            *source = 2;
            return true;
        }
        k->typing = false;
    }
    // A non-zero idle rate repeats the current report (HID 1.11 7.2.4), in 4 ms units.
    if (k->idle != 0 && k->dev.now_ms >= k->last_report_ms + 4u * k->idle) {
        memcpy(out, k->report, 8);
        *source = 3;
        return true;
    }
    return false;
}

static int kbd_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_keyboard_t *k = kbd_of(d);
    uint8_t r[8];
    int source;
    if (ep != 0x81 || !kbd_next(k, r, &source)) {
        return C9_USBSIM_NAK;
    }
    memcpy(buf, r, C9_MIN(8, max));
    return 8;
}

static void kbd_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    (void)ep;
    (void)len;
    c9_usbsim_keyboard_t *k = kbd_of(d);
    uint8_t r[8];
    int source;
    if (!kbd_next(k, r, &source)) {
        return;
    }
    memcpy(k->report, r, 8);
    k->last_report_ms = d->now_ms;
    if (source == 1) {
        k->q_head = (uint8_t)((k->q_head + 1) % C9_USBSIM_REPORT_QUEUE);
        k->q_count--;
    } else if (source == 2) {
        if (k->text_release) {
            k->text_pos++;
        }
        k->text_release = !k->text_release;
    }
}

static int kbd_control(c9_usbsim_dev_t *d, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    c9_usbsim_keyboard_t *k = kbd_of(d);
    hid_state_t st = {&k->protocol, &k->idle, k->report, 8, &k->leds};
    return hid_request(&st, s, data, len);
}

static void kbd_event(c9_usbsim_dev_t *d, c9_usbsim_event_t ev, uint8_t arg) {
    c9_usbsim_keyboard_t *k = kbd_of(d);
    if (ev == C9_USBSIM_EV_RESET || ev == C9_USBSIM_EV_CONFIGURED) {
        k->protocol = 1; // report protocol after reset (HID 1.11 7.2.6)
        k->idle = 0;
    }
    if (ev == C9_USBSIM_EV_CONFIGURED && arg != 0 && k->text != NULL && k->text_pos < k->text_len) {
        k->typing = true;
    }
}

static const c9_usbsim_dev_ops_t kbd_ops = {
    .control = kbd_control,
    .in = kbd_in,
    .in_ack = kbd_in_ack,
    .event = kbd_event,
};

void c9_usbsim_keyboard_init(c9_usbsim_keyboard_t *k, const c9_usbsim_ident_t *ident) {
    memset(k, 0, sizeof *k);
    c9__sim_defaults_t def = {.pid = 0x0001,
                              .product = "Virtual Keyboard",
                              .mps0 = 8,
                              .configs = 1,
                              .bcd_usb = 0x0110,
                              .speed = C9_USB_SPEED_LOW};
    uint8_t n = c9__sim_identity(&k->dev, &k->s, ident, &def);
    hid_config(k->config, C9_USB_SUBCLASS_HID_BOOT, C9_USB_PROTOCOL_HID_KEYBOARD, sizeof kbd_report_desc, 8, 10);
    n = c9__sim_add(&k->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, k->config, sizeof k->config);
    n = c9__sim_add(&k->s, n, C9_USB_DESC_HID, 0, 0, true, k->config + 18, 9);
    n = c9__sim_add(&k->s, n, C9_USB_DESC_HID_REPORT, 0, 0, true, kbd_report_desc, sizeof kbd_report_desc);
    k->dev.ops = &kbd_ops;
    k->dev.desc_count = n;
    k->protocol = 1;
}

c9_err_t c9_usbsim_keyboard_type(c9_usbsim_keyboard_t *k, const char *text, size_t len) {
    if (k == NULL || (text == NULL && len > 0)) {
        return C9_ERR_INVAL;
    }
    if (k->text != NULL && k->text_pos < k->text_len) {
        return C9_ERR_BUSY;
    }
    k->text = text;
    k->text_len = len;
    k->text_pos = 0;
    k->text_release = false;
    k->typing = k->dev.config != 0;
    return C9_OK;
}

c9_err_t c9_usbsim_keyboard_report(c9_usbsim_keyboard_t *k, uint8_t modifiers, const uint8_t keys[6]) {
    if (k == NULL) {
        return C9_ERR_INVAL;
    }
    if (k->q_count >= C9_USBSIM_REPORT_QUEUE) {
        return C9_ERR_NOMEM;
    }
    uint8_t *r = k->queue[(k->q_head + k->q_count) % C9_USBSIM_REPORT_QUEUE];
    memset(r, 0, 8);
    r[0] = modifiers;
    if (keys) {
        memcpy(r + 2, keys, 6);
    }
    k->q_count++;
    return C9_OK;
}

bool c9_usbsim_keyboard_idle(const c9_usbsim_keyboard_t *k) {
    return k->q_count == 0 && (k->text == NULL || k->text_pos >= k->text_len);
}

uint8_t c9_usbsim_keyboard_leds(const c9_usbsim_keyboard_t *k) {
    return k->leds;
}

/* ---- mouse ---------------------------------------------------------------------------------------------------- */

static c9_usbsim_mouse_t *mouse_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_mouse_t *)d;
}

static int mouse_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_mouse_t *m = mouse_of(d);
    if (ep != 0x81 || m->q_count == 0) {
        return C9_USBSIM_NAK;
    }
    uint16_t n = m->protocol == 0 ? 3 : 4;
    memcpy(buf, m->queue[m->q_head], C9_MIN(n, max));
    return n;
}

static void mouse_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    (void)ep;
    (void)len;
    c9_usbsim_mouse_t *m = mouse_of(d);
    if (m->q_count > 0) {
        m->q_head = (uint8_t)((m->q_head + 1) % C9_USBSIM_REPORT_QUEUE);
        m->q_count--;
    }
}

static int mouse_control(c9_usbsim_dev_t *d, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    c9_usbsim_mouse_t *m = mouse_of(d);
    static const uint8_t still[4] = {0, 0, 0, 0};
    hid_state_t st = {&m->protocol, &m->idle, still, m->protocol == 0 ? 3 : 4, NULL};
    return hid_request(&st, s, data, len);
}

static void mouse_event(c9_usbsim_dev_t *d, c9_usbsim_event_t ev, uint8_t arg) {
    (void)arg;
    if (ev == C9_USBSIM_EV_RESET || ev == C9_USBSIM_EV_CONFIGURED) {
        mouse_of(d)->protocol = 1;
    }
}

static const c9_usbsim_dev_ops_t mouse_ops = {
    .control = mouse_control,
    .in = mouse_in,
    .in_ack = mouse_in_ack,
    .event = mouse_event,
};

void c9_usbsim_mouse_init(c9_usbsim_mouse_t *m, const c9_usbsim_ident_t *ident) {
    memset(m, 0, sizeof *m);
    c9__sim_defaults_t def = {.pid = 0x0002,
                              .product = "Virtual Mouse",
                              .mps0 = 8,
                              .configs = 1,
                              .bcd_usb = 0x0110,
                              .speed = C9_USB_SPEED_LOW};
    uint8_t n = c9__sim_identity(&m->dev, &m->s, ident, &def);
    hid_config(m->config, C9_USB_SUBCLASS_HID_BOOT, C9_USB_PROTOCOL_HID_MOUSE, sizeof mouse_report_desc, 4, 10);
    n = c9__sim_add(&m->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, m->config, sizeof m->config);
    n = c9__sim_add(&m->s, n, C9_USB_DESC_HID, 0, 0, true, m->config + 18, 9);
    n = c9__sim_add(&m->s, n, C9_USB_DESC_HID_REPORT, 0, 0, true, mouse_report_desc, sizeof mouse_report_desc);
    m->dev.ops = &mouse_ops;
    m->dev.desc_count = n;
    m->protocol = 1;
}

c9_err_t c9_usbsim_mouse_move(c9_usbsim_mouse_t *m, uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel) {
    if (m == NULL) {
        return C9_ERR_INVAL;
    }
    if (m->q_count >= C9_USBSIM_REPORT_QUEUE) {
        return C9_ERR_NOMEM;
    }
    uint8_t *r = m->queue[(m->q_head + m->q_count) % C9_USBSIM_REPORT_QUEUE];
    r[0] = buttons & 7;
    r[1] = (uint8_t)dx;
    r[2] = (uint8_t)dy;
    r[3] = (uint8_t)wheel;
    m->q_count++;
    return C9_OK;
}

/* ---- game pad --------------------------------------------------------------------------------------------------- */

static c9_usbsim_gamepad_t *pad_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_gamepad_t *)d;
}

void c9_usbsim_gamepad_report(const c9_usbsim_gamepad_state_t *st, uint8_t out[8]) {
    out[0] = (uint8_t)st->buttons;
    out[1] = (uint8_t)(st->buttons >> 8);
    out[2] = st->x;
    out[3] = st->y;
    out[4] = st->z;
    out[5] = st->rz;
    out[6] = (uint8_t)(st->hat > 7 ? 8 : st->hat); // 8: outside 0..7, the null state
    out[7] = 0;
}

static int pad_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_gamepad_t *g = pad_of(d);
    if (ep != 0x81 || g->q_count == 0) {
        return C9_USBSIM_NAK;
    }
    memcpy(buf, g->queue[g->q_head], C9_MIN(8, max));
    return 8;
}

static void pad_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    (void)ep;
    (void)len;
    c9_usbsim_gamepad_t *g = pad_of(d);
    if (g->q_count > 0) {
        g->q_head = (uint8_t)((g->q_head + 1) % C9_USBSIM_REPORT_QUEUE);
        g->q_count--;
    }
}

static int pad_control(c9_usbsim_dev_t *d, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    c9_usbsim_gamepad_t *g = pad_of(d);
    uint8_t protocol = 1, idle = 0;
    hid_state_t st = {&protocol, &idle, g->current, 8, NULL};
    return hid_request(&st, s, data, len);
}

static const c9_usbsim_dev_ops_t pad_ops = {
    .control = pad_control,
    .in = pad_in,
    .in_ack = pad_in_ack,
};

void c9_usbsim_gamepad_init(c9_usbsim_gamepad_t *g, const c9_usbsim_ident_t *ident) {
    memset(g, 0, sizeof *g);
    c9__sim_defaults_t def = {.pid = 0x0003,
                              .product = "Virtual Gamepad",
                              .mps0 = 8,
                              .configs = 1,
                              .bcd_usb = 0x0110,
                              .speed = C9_USB_SPEED_FULL};
    uint8_t n = c9__sim_identity(&g->dev, &g->s, ident, &def);
    hid_config(g->config, 0, 0, sizeof pad_report_desc, 8, 4);
    n = c9__sim_add(&g->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, g->config, sizeof g->config);
    n = c9__sim_add(&g->s, n, C9_USB_DESC_HID, 0, 0, true, g->config + 18, 9);
    n = c9__sim_add(&g->s, n, C9_USB_DESC_HID_REPORT, 0, 0, true, pad_report_desc, sizeof pad_report_desc);
    g->dev.ops = &pad_ops;
    g->dev.desc_count = n;
    c9_usbsim_gamepad_state_t centre = {0, 128, 128, 128, 128, 8};
    c9_usbsim_gamepad_report(&centre, g->current);
}

c9_err_t c9_usbsim_gamepad_set(c9_usbsim_gamepad_t *g, const c9_usbsim_gamepad_state_t *st) {
    if (g == NULL || st == NULL) {
        return C9_ERR_INVAL;
    }
    uint8_t r[8];
    c9_usbsim_gamepad_report(st, r);
    if (memcmp(r, g->current, 8) == 0) {
        return C9_OK;
    }
    if (g->q_count >= C9_USBSIM_REPORT_QUEUE) {
        return C9_ERR_NOMEM;
    }
    memcpy(g->queue[(g->q_head + g->q_count) % C9_USBSIM_REPORT_QUEUE], r, 8);
    memcpy(g->current, r, 8);
    g->q_count++;
    return C9_OK;
}
