/* The HID host driver (core/usb/hid_host.c): TinyUSB's set-up of HID interfaces and CircuitPython
 * 9.2.9's USB keyboard workflow. Expected console bytes are CircuitPython's key map as its
 * supervisor/shared/usb/host_keyboard.c gives them (Enter is CR, Backspace BS, cursor keys VT100
 * sequences, ...); report bytes are the HID Usage Tables' keyboard page. */
#include "circuit9/usbh_hid.h"
#include "usb_test.h"

static c9_usbh_dev_t only_device(rig_t *r) {
    c9_usbh_dev_t d[4];
    assert_int_equal(c9_usbh_devices(&r->host, d, 4), 1);
    return d[0];
}

/* ---- decoding alone ---------------------------------------------------------------------------- */

typedef struct {
    char out[256];
    size_t len;
    int calls;
} sink_t;

static void sink_put(void *ctx, const char *b, size_t n) {
    sink_t *s = ctx;
    assert_true(s->len + n < sizeof s->out);
    memcpy(s->out + s->len, b, n);
    s->len += n;
    s->out[s->len] = 0;
    s->calls++;
}

/* Presses (mods, key) then releases everything; returns the LED byte after the press. */
static uint8_t tap(c9_usbh_hid_keys_t *k, sink_t *s, uint8_t mods, uint8_t key) {
    uint8_t r[8] = {mods, 0, key};
    uint8_t leds = c9_usbh_hid_decode(k, r, 8, sink_put, s);
    uint8_t up[8] = {0};
    c9_usbh_hid_decode(k, up, 8, sink_put, s);
    return leds;
}

#define LSHIFT 0x02
#define LCTRL 0x01
#define LALT 0x04
#define RALT 0x40

static void test_decode_keymap(void **state) {
    (void)state;
    static c9_usbh_hid_keys_t k;
    memset(&k, 0, sizeof k);
    sink_t s = {0};
    // letters, shifted letters, digits and their shifted symbols
    tap(&k, &s, 0, 0x0B);      // h
    tap(&k, &s, LSHIFT, 0x0B); // H
    tap(&k, &s, 0, 0x1E);      // 1
    tap(&k, &s, LSHIFT, 0x1F); // @
    tap(&k, &s, LSHIFT, 0x27); // )
    tap(&k, &s, 0, 0x27);      // 0
    assert_string_equal(s.out, "hH1@)0");
    // Enter, Escape, Backspace, Tab, Space, - = [ ] \ # ; ' ` , . / and their shifted forms
    s = (sink_t){0};
    for (uint8_t key = 0x28; key <= 0x38; key++) {
        tap(&k, &s, 0, key);
    }
    assert_memory_equal(s.out, "\r\x1b\x08\t -=[]\\#;'`,./", 17);
    s = (sink_t){0};
    for (uint8_t key = 0x28; key <= 0x38; key++) {
        tap(&k, &s, LSHIFT, key);
    }
    assert_memory_equal(s.out, "\n\x1b\x7f\t _+{}|~:\"~<>?", 17);
    // Ctrl makes control characters (Ctrl-C is the interrupt character), Ctrl-Enter is LF,
    // Alt sets bit 7.
    s = (sink_t){0};
    tap(&k, &s, LCTRL, 0x06); // c
    tap(&k, &s, LCTRL, 0x28); // Enter
    tap(&k, &s, LCTRL, 0x2F); // [ -> ESC
    tap(&k, &s, LALT, 0x04);  // a | 0x80
    tap(&k, &s, RALT, 0x05);  // without an AltGr map, right Alt is Alt too
    assert_memory_equal(s.out, "\x03\n\x1b\xe1\xe2", 5);
    // Cursor and editing keys, plain and with Ctrl; F1, F5, F12; Pause; Print Screen.
    s = (sink_t){0};
    tap(&k, &s, 0, 0x52);     // Up
    tap(&k, &s, 0, 0x4F);     // Right
    tap(&k, &s, 0, 0x4A);     // Home
    tap(&k, &s, 0, 0x4C);     // Delete
    tap(&k, &s, LCTRL, 0x50); // Ctrl-Left
    tap(&k, &s, LCTRL, 0x4B); // Ctrl-PgUp
    tap(&k, &s, 0, 0x3A);     // F1
    tap(&k, &s, 0, 0x3E);     // F5
    tap(&k, &s, 0, 0x45);     // F12
    tap(&k, &s, LCTRL, 0x3A); // Ctrl-F1
    tap(&k, &s, 0, 0x48);     // Pause
    tap(&k, &s, 0, 0x46);     // Print Screen
    assert_string_equal(s.out, "\x1b[A\x1b[C\x1b[H\x1b[3~\x1b[1;5D\x1b[5;5~\x1bOP\x1b[15~\x1b[24~\x1b[1;5P\x1a\x1b[i");
    // Keys that make nothing: Right Shift alone, application key
    s = (sink_t){0};
    tap(&k, &s, 0, 0x65);
    assert_int_equal(s.len, 0);
}

static void test_decode_locks_and_keypad(void **state) {
    (void)state;
    static c9_usbh_hid_keys_t k;
    memset(&k, 0, sizeof k);
    sink_t s = {0};
    // The keypad gives digits until Num Lock is pressed (CircuitPython's state starts "off").
    tap(&k, &s, 0, 0x59); // KP 1
    tap(&k, &s, 0, 0x54); // KP /
    tap(&k, &s, 0, 0x58); // KP Enter
    tap(&k, &s, 0, 0x63); // KP .
    assert_string_equal(s.out, "1/\n.");
    s = (sink_t){0};
    assert_int_equal(tap(&k, &s, 0, 0x53), 0x01); // Num Lock: LED bit 0
    tap(&k, &s, 0, 0x60);                         // KP 8 -> Up
    tap(&k, &s, 0, 0x5D);                         // KP 5 -> nothing
    tap(&k, &s, 0, 0x54);                         // KP / stays
    assert_string_equal(s.out, "\x1b[A/");
    // Caps Lock: LED bit 1; letters flip, Shift flips them back; digits do not change.
    s = (sink_t){0};
    assert_int_equal(tap(&k, &s, 0, 0x39), 0x03);
    tap(&k, &s, 0, 0x04);
    tap(&k, &s, LSHIFT, 0x04);
    tap(&k, &s, 0, 0x1E);
    assert_string_equal(s.out, "Aa1");
    assert_int_equal(tap(&k, &s, 0, 0x53), 0x02);
    assert_int_equal(tap(&k, &s, 0, 0x39), 0x00);
}

static void test_decode_reports(void **state) {
    (void)state;
    static c9_usbh_hid_keys_t k;
    memset(&k, 0, sizeof k);
    sink_t s = {0};
    // A key held over several reports counts once; each newly pressed key in a report counts.
    uint8_t r1[8] = {0, 0, 0x04};
    uint8_t r2[8] = {0, 0, 0x04, 0x05};
    uint8_t r3[8] = {0, 0, 0x05, 0x06, 0x07};
    c9_usbh_hid_decode(&k, r1, 8, sink_put, &s);
    c9_usbh_hid_decode(&k, r1, 8, sink_put, &s);
    c9_usbh_hid_decode(&k, r2, 8, sink_put, &s);
    c9_usbh_hid_decode(&k, r3, 8, sink_put, &s);
    assert_string_equal(s.out, "abcd");
    // The "too many keys" report (all usages 1) and reports of another length change nothing.
    uint8_t phantom[8] = {0, 0, 1, 1, 1, 1, 1, 1};
    c9_usbh_hid_decode(&k, phantom, 8, sink_put, &s);
    c9_usbh_hid_decode(&k, r3, 8, sink_put, &s); // still held: nothing new
    uint8_t r4[9] = {0, 0, 0x08};
    c9_usbh_hid_decode(&k, r4, 9, sink_put, &s);
    c9_usbh_hid_decode(&k, r4, 3, sink_put, &s);
    assert_string_equal(s.out, "abcd");
    assert_int_equal(c9_usbh_hid_decode(&k, NULL, 8, sink_put, &s), 0);
}

static void test_decode_user_keymap(void **state) {
    (void)state;
    static c9_usbh_hid_t hid;
    c9_usbh_hid_init(&hid, NULL);
    uint8_t map[384] = {0};
    map[0x04] = 'q';       // a -> q
    map[0x04 + 128] = 'Q'; // shifted
    map[0x1E + 256] = '|'; // AltGr 1
    sink_t s = {0};
    c9_usbh_hid_set_keymap(&hid, map, 256); // no AltGr part: right Alt is Alt
    tap(&hid.keys, &s, 0, 0x04);
    tap(&hid.keys, &s, LSHIFT, 0x04);
    tap(&hid.keys, &s, LCTRL, 0x04); // Ctrl masks a mapped key too
    tap(&hid.keys, &s, 0, 0x05);     // unmapped: the built-in map
    tap(&hid.keys, &s, RALT, 0x1E);
    assert_memory_equal(s.out,
                        "qQ\x11"
                        "b\xb1",
                        5);
    s = (sink_t){0};
    c9_usbh_hid_set_keymap(&hid, map, sizeof map); // 384 bytes: right Alt is AltGr
    tap(&hid.keys, &s, RALT, 0x1E);
    tap(&hid.keys, &s, LALT, 0x1E); // left Alt still sets bit 7
    tap(&hid.keys, &s, 0, 0x39);    // Caps Lock
    tap(&hid.keys, &s, 0, 0x04);    // mapped lower-case letters follow Caps Lock
    assert_memory_equal(s.out, "|\xb1Q", 3);
    c9_usbh_hid_set_keymap(&hid, map, 1000); // longer maps are cut to 384
    assert_int_equal(hid.keys.keymap_len, 384);
    c9_usbh_hid_set_keymap(&hid, NULL, 0);
    assert_int_equal(hid.keys.keymap_len, 0);
}

/* ---- the driver on a virtual bus ---------------------------------------------------------------- */

typedef struct {
    rig_t r;
    c9_usbh_hid_t hid;
    sink_t sink;
    c9_usbsim_hub_t hub;
    c9_usbsim_keyboard_t kbd, kbd2;
    c9_usbsim_mouse_t mouse;
    c9_usbsim_gamepad_t pad;
} hid_rig_t;

static void run_for(hid_rig_t *h, unsigned ms) {
    for (unsigned i = 0; i < ms; i++) {
        c9_usbh_task(&h->r.host);
        c9_usbh_hid_task(&h->hid, h->r.clock.now);
        vclock_delay(&h->r.clock, 1);
    }
}

static hid_rig_t *hid_rig(void) {
    hid_rig_t *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->r.clock.now = 1000;
    c9_usbsim_init(&h->r.bus);
    assert_int_equal(c9_usbsim_hub_init(&h->hub, NULL, 4), C9_OK);
    c9_usbsim_keyboard_init(&h->kbd, NULL);
    c9_usbsim_ident_t second = {.pid = 0x0011};
    c9_usbsim_keyboard_init(&h->kbd2, &second);
    c9_usbsim_mouse_init(&h->mouse, NULL);
    c9_usbsim_gamepad_init(&h->pad, NULL);
    assert_int_equal(c9_usbsim_hub_plug(&h->hub, 1, &h->kbd.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&h->hub, 2, &h->mouse.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&h->hub, 3, &h->pad.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&h->hub, 4, &h->kbd2.dev), C9_OK);
    assert_int_equal(c9_usbsim_plug(&h->r.bus, &h->hub.dev), C9_OK);
    c9_usbh_hid_config_t hc = {.input = sink_put, .ctx = &h->sink};
    assert_int_equal(c9_usbh_hid_init(&h->hid, &hc), C9_OK);
    static const c9_usbh_driver_t *drivers[1];
    drivers[0] = c9_usbh_hid_driver(&h->hid);
    c9_usbh_config_t cfg = rig_config(&h->r);
    cfg.drivers = drivers;
    cfg.driver_count = 1;
    assert_int_equal(c9_usbh_init(&h->r.host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&h->r.host, 10000), C9_OK);
    for (int i = 0; i < 2000 && c9_usbh_hid_busy(&h->hid); i++) {
        run_for(h, 1);
    }
    assert_false(c9_usbh_hid_busy(&h->hid));
    return h;
}

static c9_usbh_dev_t find(hid_rig_t *h, uint16_t pid) {
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&h->r.host, 0x1209, pid, 0, &d), C9_OK);
    return d;
}

static bool active(hid_rig_t *h, c9_usbh_dev_t d) {
    bool a = false;
    assert_int_equal(c9_usbh_kernel_driver_active(&h->r.host, d, 0, &a), C9_OK);
    return a;
}

static void test_driver_setup(void **state) {
    (void)state;
    hid_rig_t *h = hid_rig();
    // Boot interfaces were put in boot protocol (GET_PROTOCOL answers 0), the game pad (not a
    // boot interface) was left in report protocol, every one got SET_IDLE(0).
    uint8_t proto = 9;
    size_t n;
    assert_int_equal(
        c9_usbh_ctrl_transfer(&h->r.host, find(h, 2), 0xA1, C9_USB_HID_GET_PROTOCOL, 0, 0, &proto, 1, 100, &n), C9_OK);
    assert_int_equal(proto, 0);
    assert_int_equal(h->mouse.protocol, 0);
    assert_int_equal(h->kbd.protocol, 0);
    assert_int_equal(h->pad.dev.config, 1);
    uint8_t idle = 9;
    assert_int_equal(c9_usbh_ctrl_transfer(&h->r.host, find(h, 3), 0xA1, C9_USB_HID_GET_IDLE, 0, 0, &idle, 1, 100, &n),
                     C9_OK);
    assert_int_equal(idle, 0);
    // So a boot mouse sends 3-byte boot reports.
    assert_int_equal(c9_usbsim_mouse_move(&h->mouse, 1, 5, -3, 1), C9_OK);
    uint8_t b[8];
    assert_int_equal(c9_usbh_read(&h->r.host, find(h, 2), 0x81, b, 8, 100, &n), C9_OK);
    assert_int_equal(n, 3);
    assert_int_equal(b[1], 5);
    // Only the first keyboard is the workflow's: that is the one "kernel driver" usb.core sees.
    assert_true(active(h, find(h, 1)));
    assert_false(active(h, find(h, 0x11)));
    assert_false(active(h, find(h, 2)));
    assert_false(active(h, find(h, 3)));
    uint8_t itf = 9;
    assert_int_equal(c9_usbh_hid_keyboard(&h->hid, &itf), find(h, 1));
    assert_int_equal(itf, 0);
    c9_usbh_deinit(&h->r.host);
    free(h);
}

static void test_workflow_typing_and_detach(void **state) {
    (void)state;
    hid_rig_t *h = hid_rig();
    c9_usbh_dev_t k = find(h, 1);
    // The keyboard's typing becomes console input while the workflow holds it...
    assert_int_equal(c9_usbsim_keyboard_type(&h->kbd, "Hi there!\n", 10), C9_OK);
    run_for(h, 400);
    assert_string_equal(h->sink.out, "Hi there!\r");
    // ...and the program cannot read the endpoint meanwhile (usb.core's USBError).
    uint8_t b[8];
    size_t n;
    assert_int_equal(c9_usbh_read(&h->r.host, k, 0x81, b, 8, 50, &n), C9_ERR_BUSY);
    // Caps Lock: the LEDs follow, by SET_REPORT (bit 1 Caps Lock).
    uint8_t caps[6] = {0x39};
    c9_usbsim_keyboard_report(&h->kbd, 0, caps);
    c9_usbsim_keyboard_report(&h->kbd, 0, NULL);
    run_for(h, 100);
    assert_int_equal(c9_usbsim_keyboard_leds(&h->kbd), 0x02);
    // Detached, the keyboard is the program's: its reports no longer reach the console.
    assert_int_equal(c9_usbh_detach_kernel_driver(&h->r.host, k, 0), C9_OK);
    assert_false(active(h, k));
    h->sink = (sink_t){0};
    assert_int_equal(c9_usbsim_keyboard_type(&h->kbd, "x", 1), C9_OK);
    assert_int_equal(c9_usbh_read(&h->r.host, k, 0x81, b, 8, 100, &n), C9_OK);
    assert_int_equal(b[2], 0x1B);
    assert_int_equal(c9_usbh_read(&h->r.host, k, 0x81, b, 8, 100, &n), C9_OK);
    run_for(h, 100);
    assert_int_equal(h->sink.len, 0);
    // Attached again, it types into the console again.
    assert_int_equal(c9_usbh_attach_kernel_driver(&h->r.host, k, 0), C9_OK);
    assert_true(active(h, k));
    assert_int_equal(c9_usbsim_keyboard_type(&h->kbd, "ok", 2), C9_OK);
    run_for(h, 200);
    assert_string_equal(h->sink.out, "OK"); // Caps Lock is still on
    c9_usbh_deinit(&h->r.host);
    free(h);
}

static void test_workflow_repeat(void **state) {
    (void)state;
    hid_rig_t *h = hid_rig();
    // A held key repeats after 500 ms, then every 50 ms, until the next report.
    uint8_t down[6] = {0x04};
    c9_usbsim_keyboard_report(&h->kbd, 0, down);
    run_for(h, 30);
    assert_string_equal(h->sink.out, "a");
    run_for(h, 480);
    assert_string_equal(h->sink.out, "aa");
    run_for(h, 100);
    assert_string_equal(h->sink.out, "aaaa");
    // Held for about two seconds in all: 1 + (1500 / 50) repeats, give or take the poll.
    run_for(h, 1400);
    assert_true(h->sink.len >= 30 && h->sink.len <= 32);
    c9_usbsim_keyboard_report(&h->kbd, 0, NULL);
    size_t held = h->sink.len;
    run_for(h, 1000);
    assert_int_equal(h->sink.len, held);
    // An escape sequence repeats whole.
    h->sink = (sink_t){0};
    uint8_t up[6] = {0x52};
    c9_usbsim_keyboard_report(&h->kbd, 0, up);
    run_for(h, 570);
    c9_usbsim_keyboard_report(&h->kbd, 0, NULL);
    run_for(h, 100);
    assert_string_equal(h->sink.out, "\x1b[A\x1b[A\x1b[A");
    c9_usbh_deinit(&h->r.host);
    free(h);
}

static void test_workflow_unplug(void **state) {
    (void)state;
    hid_rig_t *h = hid_rig();
    // The workflow's keyboard goes away: the workflow lets it go and takes the next keyboard
    // enumerated (the second one is already there, so it is taken on a re-plug).
    assert_int_equal(c9_usbsim_unplug(&h->r.bus, &h->kbd.dev), C9_OK);
    run_for(h, 200);
    assert_int_equal(c9_usbh_hid_keyboard(&h->hid, NULL), 0);
    assert_int_equal(c9_usbsim_unplug(&h->r.bus, &h->kbd2.dev), C9_OK);
    run_for(h, 200);
    assert_int_equal(c9_usbsim_hub_plug(&h->hub, 4, &h->kbd2.dev), C9_OK);
    for (int i = 0; i < 3000 && c9_usbh_hid_keyboard(&h->hid, NULL) == 0; i++) {
        c9_usbh_wait_idle(&h->r.host, 100);
        run_for(h, 1);
    }
    c9_usbh_dev_t k2 = find(h, 0x11);
    assert_int_equal(c9_usbh_hid_keyboard(&h->hid, NULL), k2);
    run_for(h, 100);
    assert_int_equal(c9_usbsim_keyboard_type(&h->kbd2, "2", 1), C9_OK);
    run_for(h, 100);
    assert_string_equal(h->sink.out, "2");
    c9_usbh_deinit(&h->r.host);
    free(h);
}

/* A device that NAKs SET_PROTOCOL for good: the set-up gives up after the enumeration timeout
 * instead of holding the device's control transfers for ever. */
static void test_setup_gives_up(void **state) {
    (void)state;
    static c9_usbsim_mouse_t mouse;
    c9_usbsim_mouse_init(&mouse, NULL);
    rig_t *r = calloc(1, sizeof *r);
    r->clock.now = 1000;
    c9_usbsim_init(&r->bus);
    c9_usbsim_plug(&r->bus, &mouse.dev);
    c9_usbsim_fault_t f = {.dev = &mouse.dev, .ep = 0, .request = C9_USB_HID_SET_PROTOCOL, .kind = C9_USBSIM_FAULT_NAK};
    assert_true(c9_usbsim_fault_add(&r->bus, &f) >= 0);
    static c9_usbh_hid_t hid;
    c9_usbh_hid_init(&hid, NULL);
    const c9_usbh_driver_t *drivers[1] = {c9_usbh_hid_driver(&hid)};
    c9_usbh_config_t cfg = rig_config(r);
    cfg.drivers = drivers;
    cfg.driver_count = 1;
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    uint64_t t0 = r->clock.now;
    while (c9_usbh_hid_busy(&hid) && r->clock.now - t0 < 5000) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    assert_false(c9_usbh_hid_busy(&hid));
    assert_true(r->clock.now - t0 >= C9_USBH_ENUM_TIMEOUT_MS);
    uint8_t b[18];
    size_t n;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, only_device(r), 0x80, 6, 0x0100, 0, b, 18, 100, &n), C9_OK);
    rig_free(r);
}

/* Interrupt endpoints are polled once per bInterval whenever transfers come: reports queued in
 * a keyboard (bInterval 10) come at most one per 10 ms. */
static void test_interrupt_schedule(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    rig_t *r = rig_new(&kbd.dev);
    c9_usbh_dev_t d = only_device(r);
    assert_int_equal(c9_usbsim_keyboard_type(&kbd, "abc", 3), C9_OK);
    uint8_t b[8];
    size_t n;
    uint64_t times[6];
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_OK);
        times[i] = r->clock.now;
    }
    for (int i = 1; i < 6; i++) {
        assert_true(times[i] - times[i - 1] >= 10);
    }
    rig_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_keymap),   cmocka_unit_test(test_decode_locks_and_keypad),
        cmocka_unit_test(test_decode_reports),  cmocka_unit_test(test_decode_user_keymap),
        cmocka_unit_test(test_driver_setup),    cmocka_unit_test(test_workflow_typing_and_detach),
        cmocka_unit_test(test_workflow_repeat), cmocka_unit_test(test_workflow_unplug),
        cmocka_unit_test(test_setup_gives_up),  cmocka_unit_test(test_interrupt_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
