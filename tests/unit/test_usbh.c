/* The USB host stack on the virtual bus: enumeration of every device model (on the root port
 * and behind a hub), real devices' descriptors, transfers under each injected fault, the
 * blocking helpers' contract (timeouts in ms, 0 forever, cancellation), class drivers and the
 * kernel-driver calls. Expected reports are decoded with the HID Usage Tables, not with the
 * model's own table. */
#include "usb_test.h"

static c9_usbh_dev_t only_device(rig_t *r) {
    c9_usbh_dev_t d[4];
    assert_int_equal(c9_usbh_devices(&r->host, d, 4), 1);
    return d[0];
}

/* Keyboard usages 0x04..0x38 to characters (HID Usage Tables 1.12, chapter 10, US layout). */
static char decode_key(uint8_t mod, uint8_t usage) {
    // 0x32 (Non-US # and ~) is not on a US keyboard: '?' marks it.
    static const char plain[] = "abcdefghijklmnopqrstuvwxyz1234567890\n\x1b\b\t -=[]\\?;'`,./";
    static const char shifted[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\n\x1b\b\t _+{}|?:\"~<>?";
    if (usage < 0x04 || usage > 0x38) {
        return 0;
    }
    if (mod & 0x22) { // either shift key
        return shifted[usage - 0x04];
    }
    return plain[usage - 0x04];
}

static void test_keyboard_types_text(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    const char *text = "Hello, World! x=1+2;\n\tdone~";
    assert_int_equal(c9_usbsim_keyboard_type(&kbd, text, strlen(text)), C9_OK);
    rig_t *r = rig_new(&kbd.dev);
    assert_int_equal(r->mounts, 1);
    c9_usbh_dev_t d = only_device(r);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.desc.idVendor, 0x1209);
    assert_int_equal(info.desc.idProduct, 0x0001);
    assert_int_equal(info.speed, C9_USB_SPEED_LOW);
    assert_int_equal(info.bus, 1);
    assert_int_equal(info.port_count, 0);
    assert_int_equal(info.config_value, 1);
    assert_int_equal(info.config_error, C9_OK);
    char s[64];
    size_t n;
    assert_int_equal(c9_usbh_get_string(&r->host, d, info.desc.iManufacturer, 0, s, sizeof s, &n, 100), C9_OK);
    assert_string_equal(s, "circuit9");
    assert_int_equal(c9_usbh_get_string(&r->host, d, info.desc.iProduct, 0, s, sizeof s, &n, 100), C9_OK);
    assert_string_equal(s, "Virtual Keyboard");
    assert_int_equal(c9_usbh_get_string(&r->host, d, info.desc.iSerialNumber, 0, s, sizeof s, &n, 100), C9_ERR_NOENT);

    // One press and one release report per character, in order, then nothing.
    char typed[64] = {0};
    size_t len = 0;
    for (size_t i = 0; i < 2 * strlen(text); i++) {
        uint8_t rep[8];
        size_t got;
        assert_int_equal(c9_usbh_read(&r->host, d, 0x81, rep, sizeof rep, 100, &got), C9_OK);
        assert_int_equal(got, 8);
        if (i % 2 == 0) {
            assert_int_not_equal(rep[2], 0);
            typed[len++] = decode_key(rep[0], rep[2]);
        } else {
            static const uint8_t zero[8] = {0};
            assert_memory_equal(rep, zero, 8);
        }
    }
    assert_string_equal(typed, text);
    assert_true(c9_usbsim_keyboard_idle(&kbd));
    uint8_t rep[8];
    size_t got;
    uint64_t before = r->clock.now;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, rep, sizeof rep, 40, &got), C9_ERR_TIMEDOUT);
    assert_true(r->clock.now - before >= 40 && r->clock.now - before <= 42);
    rig_free(r);
}

static void test_keyboard_class_requests(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    rig_t *r = rig_new(&kbd.dev);
    c9_usbh_dev_t d = only_device(r);
    size_t got;
    // SET_REPORT(output) sets the LEDs, SET_PROTOCOL(boot) then GET_PROTOCOL, the report descriptor.
    uint8_t leds = 0x02;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_REPORT, 0x0200, 0, &leds, 1, 100, &got),
                     C9_OK);
    assert_int_equal(c9_usbsim_keyboard_leds(&kbd), 0x02);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_PROTOCOL, 0, 0, NULL, 0, 100, NULL),
                     C9_OK);
    uint8_t b[80];
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_HID_GET_PROTOCOL, 0, 0, b, 1, 100, &got), C9_OK);
    assert_int_equal(got, 1);
    assert_int_equal(b[0], 0);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x81, C9_USB_REQ_GET_DESCRIPTOR, 0x2200, 0, b, 80, 100, &got),
                     C9_OK);
    assert_int_equal(got, 63); // short: the descriptor is shorter than asked
    assert_int_equal(b[0], 0x05);
    assert_int_equal(b[62], 0xC0);
    // An idle rate makes the keyboard repeat its current report every 4 ms * rate.
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_IDLE, 0x0200, 0, NULL, 0, 100, NULL),
                     C9_OK);
    uint64_t t0 = r->clock.now;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &got), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &got), C9_OK);
    assert_true(r->clock.now - t0 >= 8);
    // A request the device does not know stalls: "Pipe error".
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xC0, 0x42, 0, 0, b, 4, 100, &got), C9_ERR_USB_STALL);
    // ...and the next request works (a control stall ends with the request).
    assert_int_equal(c9_usbh_get_descriptor(&r->host, d, C9_USB_DESC_DEVICE, 0, 0, b, 18, 100, &got), C9_OK);
    assert_int_equal(got, 18);
    rig_free(r);
}

static void test_mouse_and_gamepad(void **state) {
    (void)state;
    static c9_usbsim_mouse_t mouse;
    c9_usbsim_mouse_init(&mouse, NULL);
    assert_int_equal(c9_usbsim_mouse_move(&mouse, 1, 5, -3, 1), C9_OK);
    assert_int_equal(c9_usbsim_mouse_move(&mouse, 0, -128, 127, 0), C9_OK);
    rig_t *r = rig_new(&mouse.dev);
    c9_usbh_dev_t d = only_device(r);
    uint8_t b[8];
    size_t got;
    // Reports are one 4-byte packet each: a 4-byte read gets one report.
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 4, 100, &got), C9_OK);
    assert_int_equal(got, 4);
    assert_int_equal(b[0], 1);
    assert_int_equal((int8_t)b[1], 5);
    assert_int_equal((int8_t)b[2], -3);
    assert_int_equal((int8_t)b[3], 1);
    // Boot protocol: three bytes.
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_PROTOCOL, 0, 0, NULL, 0, 100, NULL),
                     C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 4, 100, &got), C9_OK);
    assert_int_equal(got, 3); // a short packet
    assert_int_equal((int8_t)b[1], -128);
    assert_int_equal((int8_t)b[2], 127);
    rig_free(r);

    static c9_usbsim_gamepad_t pad;
    c9_usbsim_gamepad_init(&pad, NULL);
    c9_usbsim_gamepad_state_t st = {.buttons = 0x8001, .x = 0, .y = 255, .z = 128, .rz = 128, .hat = 2};
    assert_int_equal(c9_usbsim_gamepad_set(&pad, &st), C9_OK);
    assert_int_equal(c9_usbsim_gamepad_set(&pad, &st), C9_OK); // unchanged: no new report
    r = rig_new(&pad.dev);
    d = only_device(r);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.speed, C9_USB_SPEED_FULL);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &got), C9_OK);
    const uint8_t want[8] = {0x01, 0x80, 0, 255, 128, 128, 2, 0};
    assert_memory_equal(b, want, 8);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 30, &got), C9_ERR_TIMEDOUT);
    // GET_REPORT gives the current state; the report descriptor names a Game Pad (0x09 0x05).
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_HID_GET_REPORT, 0x0100, 0, b, 8, 100, &got),
                     C9_OK);
    assert_memory_equal(b, want, 8);
    uint8_t rd[128];
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x81, 6, 0x2200, 0, rd, 128, 100, &got), C9_OK);
    assert_int_equal(got, 77);
    assert_memory_equal(rd, "\x05\x01\x09\x05", 4);
    rig_free(r);
}

static void test_cdc_transfers(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 4, true, true), C9_OK);
    rig_t *r = rig_new(&cdc.dev);
    c9_usbh_dev_t d = only_device(r);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.desc.bDeviceClass, C9_USB_CLASS_MISC);
    uint8_t cfg[512];
    size_t len;
    assert_int_equal(c9_usbh_config_descriptor(&r->host, d, cfg, sizeof cfg, &len), C9_OK);
    assert_int_equal(len, 273); // cached in full above 255 bytes
    assert_int_equal(c9_usbh_config_descriptor(&r->host, d, cfg, 100, &len), C9_ERR_NOMEM);
    assert_int_equal(len, 273);
    // Line coding: PSTN SET_LINE_CODING then GET_LINE_CODING on port 3's interface (6).
    uint8_t coding[7] = {0x80, 0x25, 0, 0, 0, 0, 8}; // 9600 8N1
    size_t got;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_CDC_SET_LINE_CODING, 0, 6, coding, 7, 100, &got),
                     C9_OK);
    assert_memory_equal(cdc.port[3].line_coding, coding, 7);
    uint8_t back[7];
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_CDC_GET_LINE_CODING, 0, 6, back, 7, 100, &got),
                     C9_OK);
    assert_memory_equal(back, coding, 7);
    // Loopback over bulk on port 3 (0x0B / 0x8B), 150 bytes: three packets each way.
    uint8_t out[150], in[200];
    for (unsigned i = 0; i < sizeof out; i++) {
        out[i] = (uint8_t)(i * 7 + 1);
    }
    assert_int_equal(c9_usbh_write(&r->host, d, 0x0B, out, sizeof out, 100, &got), C9_OK);
    assert_int_equal(got, 150);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x8B, in, 128, 100, &got), C9_OK);
    assert_int_equal(got, 128);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x8B, in + 128, 72, 100, &got), C9_OK);
    assert_int_equal(got, 22); // a short packet ends the transfer early
    assert_memory_equal(in, out, 150);
    // Flow control: more than the model buffers NAKs until it is read.
    uint8_t big[C9_USBSIM_CDC_BUF + 64];
    memset(big, 0x5A, sizeof big);
    assert_int_equal(c9_usbh_write(&r->host, d, 0x02, big, sizeof big, 50, &got), C9_ERR_TIMEDOUT);
    // Endpoints that are not in the configuration, or the wrong direction.
    assert_int_equal(c9_usbh_read(&r->host, d, 0x8C, in, 8, 10, &got), C9_ERR_USB_NO_ENDPOINT);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x0B, in, 8, 10, &got), C9_ERR_USB_NO_ENDPOINT);
    // The second configuration (usb.core set_configuration(2)) has port 0 only.
    assert_int_equal(c9_usbh_set_configuration(&r->host, d, 1, 100), C9_OK);
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.config_value, 2);
    assert_int_equal(cdc.dev.config, 2);
    assert_int_equal(c9_usbh_config_descriptor(&r->host, d, cfg, sizeof cfg, &len), C9_OK);
    assert_int_equal(len, 75);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x8B, in, 8, 10, &got), C9_ERR_USB_NO_ENDPOINT);
    assert_int_equal(c9_usbh_write(&r->host, d, 0x02, out, 10, 100, &got), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, in, 64, 100, &got), C9_OK);
    assert_true(got >= 10);
    rig_free(r);
}

static void test_unconfigured_device(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, true), C9_OK);
    rig_t *r = calloc(1, sizeof *r);
    c9_usbsim_init(&r->bus);
    c9_usbsim_plug(&r->bus, &cdc.dev);
    c9_usbh_config_t cfg = rig_config(r);
    cfg.no_auto_configure = true;
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 5000), C9_OK);
    c9_usbh_dev_t d = only_device(r);
    uint8_t b[8];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 8, 10, &got), C9_ERR_USB_NO_CONFIG);
    assert_int_equal(c9_usbh_set_configuration(&r->host, d, 0, 100), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 8, 10, &got), C9_ERR_TIMEDOUT);
    // set_configuration of a configuration the device does not have: its GET_DESCRIPTOR stalls.
    assert_int_equal(c9_usbh_set_configuration(&r->host, d, 3, 100), C9_ERR_USB_STALL);
    rig_free(r);
}

static void test_hub_tree(void **state) {
    (void)state;
    static c9_usbsim_hub_t hub;
    static c9_usbsim_keyboard_t kbd;
    static c9_usbsim_mouse_t mouse;
    static c9_usbsim_cdc_t cdc;
    static c9_usbsim_hub_t hub2;
    static c9_usbsim_gamepad_t pad;
    assert_int_equal(c9_usbsim_hub_init(&hub, NULL, 4), C9_OK);
    assert_int_equal(c9_usbsim_hub_init(&hub2, NULL, 2), C9_OK);
    c9_usbsim_keyboard_init(&kbd, NULL);
    c9_usbsim_mouse_init(&mouse, NULL);
    c9_usbsim_gamepad_init(&pad, NULL);
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, true), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&hub, 1, &kbd.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&hub, 3, &cdc.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&hub, 4, &hub2.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&hub2, 2, &pad.dev), C9_OK);
    assert_int_equal(c9_usbsim_hub_plug(&hub, 1, &mouse.dev), C9_ERR_BUSY);
    c9_usbsim_keyboard_type(&kbd, "ok", 2);
    rig_t *r = rig_new(&hub.dev);
    assert_int_equal(r->mounts, 5);
    c9_usbh_dev_t devs[8];
    assert_int_equal(c9_usbh_devices(&r->host, devs, 8), 5);
    c9_usbh_dev_t k, p, c;
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0001, 0, &k), C9_OK);
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0003, 0, &p), C9_OK);
    assert_int_equal(c9_usbh_find(&r->host, -1, 0x0005, 0, &c), C9_OK);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, k, &info), C9_OK);
    assert_int_equal(info.port_count, 1);
    assert_int_equal(info.port_numbers[0], 1);
    assert_int_equal(info.speed, C9_USB_SPEED_LOW); // the hub reported a low-speed port
    assert_int_equal(c9_usbh_device_info(&r->host, p, &info), C9_OK);
    assert_int_equal(info.port_count, 2);
    assert_int_equal(info.port_numbers[0], 4);
    assert_int_equal(info.port_numbers[1], 2);
    assert_int_equal(info.speed, C9_USB_SPEED_FULL);
    // Traffic through the hubs.
    uint8_t b[64];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, k, 0x81, b, 8, 100, &got), C9_OK);
    assert_int_equal(decode_key(b[0], b[2]), 'o');
    assert_int_equal(c9_usbh_write(&r->host, c, 0x02, (const uint8_t *)"hub", 3, 100, &got), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, c, 0x82, b, 64, 100, &got), C9_OK);
    assert_int_equal(got, 3);
    // Unplug the keyboard: the hub reports it, the device is unmounted, its handle is dead.
    assert_int_equal(c9_usbsim_unplug(&r->bus, &kbd.dev), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 1000), C9_OK);
    for (int i = 0; i < 50 && r->unmounts == 0; i++) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    assert_int_equal(r->unmounts, 1);
    assert_int_equal(r->last_unmount, k);
    assert_int_equal(c9_usbh_read(&r->host, k, 0x81, b, 8, 10, &got), C9_ERR_USB_NO_DEVICE);
    // Plug a mouse into that port: enumerated through the hub.
    assert_int_equal(c9_usbsim_hub_plug(&hub, 1, &mouse.dev), C9_OK);
    for (int i = 0; i < 100 && r->mounts < 6; i++) {
        c9_usbh_wait_idle(&r->host, 100);
        vclock_delay(&r->clock, 1);
    }
    assert_int_equal(r->mounts, 6);
    c9_usbh_dev_t m;
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0002, 0, &m), C9_OK);
    // Unplug the top hub: everything behind it goes.
    assert_int_equal(c9_usbsim_unplug(&r->bus, &hub.dev), C9_OK);
    c9_usbh_task(&r->host);
    assert_int_equal(c9_usbh_devices(&r->host, devs, 8), 0);
    assert_int_equal(r->unmounts, 6);
    rig_free(r);
}

/* ---- faults ---- */

static void test_fault_stall_and_clear(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, true), C9_OK);
    rig_t *r = rig_new(&cdc.dev);
    c9_usbh_dev_t d = only_device(r);
    c9_usbsim_fault_t f = {.dev = &cdc.dev, .ep = 0x82, .request = -1, .kind = C9_USBSIM_FAULT_STALL, .count = 1};
    int fi = c9_usbsim_fault_add(&r->bus, &f);
    assert_true(fi >= 0);
    uint8_t b[64];
    size_t got;
    c9_usbsim_cdc_write(&cdc, 0, (const uint8_t *)"after", 5);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 64, 100, &got), C9_ERR_USB_STALL);
    // The endpoint stays halted (GET_STATUS says so) until CLEAR_FEATURE(ENDPOINT_HALT).
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 64, 100, &got), C9_ERR_USB_STALL);
    uint8_t st[2];
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x82, C9_USB_REQ_GET_STATUS, 0, 0x82, st, 2, 100, &got), C9_OK);
    assert_int_equal(st[0], 1);
    assert_int_equal(c9_usbh_clear_halt(&r->host, d, 0x82, 100), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 64, 100, &got), C9_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(b, "after", 5);
    assert_int_equal(c9_usbsim_fault_hits(&r->bus, fi), 1);
    // A stall injected into a control request (GET_LINE_CODING) fails that request only.
    c9_usbsim_fault_t fc = {
        .dev = &cdc.dev, .ep = 0, .request = C9_USB_CDC_GET_LINE_CODING, .kind = C9_USBSIM_FAULT_STALL, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &fc) >= 0);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_CDC_GET_LINE_CODING, 0, 0, b, 7, 100, &got),
                     C9_ERR_USB_STALL);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_CDC_GET_LINE_CODING, 0, 0, b, 7, 100, &got),
                     C9_OK);
    assert_int_equal(b[6], 8);
    rig_free(r);
}

static void test_fault_nak_timeout(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    c9_usbsim_keyboard_type(&kbd, "a", 1);
    rig_t *r = rig_new(&kbd.dev);
    c9_usbh_dev_t d = only_device(r);
    c9_usbsim_fault_t f = {.ep = 0x81, .request = -1, .kind = C9_USBSIM_FAULT_NAK, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &f) >= 0);
    uint8_t b[8];
    size_t got;
    uint64_t t0 = r->clock.now;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 250, &got), C9_ERR_TIMEDOUT);
    assert_true(r->clock.now - t0 >= 250 && r->clock.now - t0 <= 252);
    // The report was not lost: the next read gets it.
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 250, &got), C9_OK);
    assert_int_equal(decode_key(b[0], b[2]), 'a');
    // Timeout 0 waits forever: a device that answers after 3 s of bus time is still read.
    c9_usbsim_fault_t f2 = {.ep = 0x81, .request = -1, .kind = C9_USBSIM_FAULT_NAK, .count = 1};
    c9_usbsim_fault_clear(&r->bus);
    assert_true(c9_usbsim_fault_add(&r->bus, &f2) >= 0);
    c9_usbh_xfer_t x = {.dev = d, .ep = 0x81, .buf = b, .len = 8};
    assert_int_equal(c9_usbh_submit(&r->host, &x), C9_OK);
    for (int i = 0; i < 3000; i++) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    assert_int_equal(x.busy, 2); // still waiting, no timeout
    assert_int_equal(c9_usbh_abort(&r->host, &x), C9_OK);
    assert_int_equal(x.result, C9_ERR_USB_CANCELLED);
    assert_int_equal(c9_usbh_abort(&r->host, &x), C9_ERR_NOENT);
    rig_free(r);
}

static bool cancel_after(void *ctx) {
    int *n = ctx;
    return --*n <= 0;
}

static void test_cancel(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    rig_t *r = rig_new(&kbd.dev);
    c9_usbh_dev_t d = only_device(r);
    int polls = 20;
    r->host.cfg.cancelled = cancel_after;
    r->host.cfg.cancel_ctx = &polls;
    uint8_t b[8];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 0, &got), C9_ERR_USB_CANCELLED);
    assert_int_equal(polls, 0);
    r->host.cfg.cancelled = NULL;
    // The endpoint is free again after the abort.
    c9_usbsim_keyboard_type(&kbd, "z", 1);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &got), C9_OK);
    assert_int_equal(decode_key(b[0], b[2]), 'z');
    rig_free(r);
}

static void test_fault_disconnect_mid_transfer(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, false), C9_OK);
    rig_t *r = rig_new(&cdc.dev);
    c9_usbh_dev_t d = only_device(r);
    uint8_t data[200];
    memset(data, 0x42, sizeof data);
    assert_int_equal(c9_usbsim_cdc_write(&cdc, 0, data, sizeof data), 200);
    c9_usbsim_fault_t f = {.ep = 0x82, .request = -1, .kind = C9_USBSIM_FAULT_DISCONNECT, .after_bytes = 128};
    assert_true(c9_usbsim_fault_add(&r->bus, &f) >= 0);
    uint8_t b[200];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 200, 1000, &got), C9_ERR_USB_NO_DEVICE);
    // Unplugged, the device lost power and what it had buffered.
    assert_int_equal(cdc.port[0].tx_count, 0);
    assert_int_equal(cdc.dev.config, 0);
    c9_usbh_task(&r->host);
    assert_int_equal(r->unmounts, 1);
    assert_int_equal(c9_usbh_devices(&r->host, NULL, 0), 0);
    assert_int_equal(c9_usbh_write(&r->host, d, 0x02, b, 4, 10, &got), C9_ERR_USB_NO_DEVICE);
    // Plugged back in, it is a new device with a new handle.
    c9_usbsim_fault_clear(&r->bus);
    assert_int_equal(c9_usbsim_plug(&r->bus, &cdc.dev), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 5000), C9_OK);
    c9_usbh_dev_t d2 = only_device(r);
    assert_int_not_equal(d2, d);
    assert_int_equal(cdc.port[0].tx_count, 0); // configured afresh: the old data is gone
    assert_int_equal(c9_usbsim_cdc_write(&cdc, 0, data, 72), 72);
    assert_int_equal(c9_usbh_read(&r->host, d2, 0x82, b, 200, 100, &got), C9_OK);
    assert_int_equal(got, 72);
    // Disconnect during a control transfer's data stage.
    c9_usbsim_fault_t fc = {
        .ep = 0, .request = C9_USB_REQ_GET_DESCRIPTOR, .kind = C9_USBSIM_FAULT_DISCONNECT, .after_bytes = 64};
    assert_true(c9_usbsim_fault_add(&r->bus, &fc) >= 0);
    assert_int_equal(c9_usbh_get_descriptor(&r->host, d2, C9_USB_DESC_CONFIGURATION, 0, 0, b, 75, 100, &got),
                     C9_ERR_USB_NO_DEVICE);
    rig_free(r);
}

static void test_fault_short_xact_babble(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, false), C9_OK);
    rig_t *r = rig_new(&cdc.dev);
    c9_usbh_dev_t d = only_device(r);
    uint8_t data[100];
    for (unsigned i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)i;
    }
    c9_usbsim_cdc_write(&cdc, 0, data, sizeof data);
    uint8_t b[128];
    size_t got;
    // A short packet the device chose: the transfer ends early with what came.
    c9_usbsim_fault_t fs = {.ep = 0x82, .request = -1, .kind = C9_USBSIM_FAULT_SHORT, .count = 1, .after_bytes = 10};
    assert_true(c9_usbsim_fault_add(&r->bus, &fs) >= 0);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 128, 100, &got), C9_OK);
    assert_int_equal(got, 64); // a whole packet went before the fault point was checked
    c9_usbsim_fault_clear(&r->bus);
    c9_usbsim_fault_t fx = {.ep = 0x82, .request = -1, .kind = C9_USBSIM_FAULT_XACT, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &fx) >= 0);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 128, 100, &got), C9_ERR_USB_XFER);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 128, 100, &got), C9_OK);
    assert_int_equal(got, 36);
    assert_memory_equal(b, data + 64, 36);
    // Babble: more data than the buffer holds. Nothing is lost on the device side.
    c9_usbsim_cdc_write(&cdc, 0, data, 20);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 8, 100, &got), C9_ERR_USB_OVERFLOW);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, b, 64, 100, &got), C9_OK);
    assert_int_equal(got, 20);
    // Injected babble on a control transfer.
    c9_usbsim_fault_t fb = {.ep = 0, .request = C9_USB_REQ_GET_DESCRIPTOR, .kind = C9_USBSIM_FAULT_BABBLE, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &fb) >= 0);
    assert_int_equal(c9_usbh_get_descriptor(&r->host, d, C9_USB_DESC_DEVICE, 0, 0, b, 18, 100, &got),
                     C9_ERR_USB_OVERFLOW);
    rig_free(r);
}

static void test_enumeration_faults(void **state) {
    (void)state;
    // A device whose first GET_DESCRIPTOR never answers is given up after the enumeration timeout.
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    rig_t *r = calloc(1, sizeof *r);
    c9_usbsim_init(&r->bus);
    c9_usbsim_plug(&r->bus, &kbd.dev);
    c9_usbsim_fault_t f = {.ep = 0, .request = C9_USB_REQ_GET_DESCRIPTOR, .kind = C9_USBSIM_FAULT_NAK, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &f) >= 0);
    c9_usbh_config_t cfg = rig_config(r);
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    assert_int_equal(c9_usbh_last_enum_error(&r->host), C9_ERR_TIMEDOUT);
    assert_int_equal(c9_usbh_devices(&r->host, NULL, 0), 0);
    // Unplug and plug again: enumerated this time.
    c9_usbsim_unplug(&r->bus, &kbd.dev);
    c9_usbh_task(&r->host);
    c9_usbsim_plug(&r->bus, &kbd.dev);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    assert_int_equal(c9_usbh_devices(&r->host, NULL, 0), 1);
    // A stall on SET_CONFIGURATION: mounted, unconfigured, the reason kept.
    c9_usbsim_unplug(&r->bus, &kbd.dev);
    c9_usbh_task(&r->host);
    c9_usbsim_fault_t fs = {
        .ep = 0, .request = C9_USB_REQ_SET_CONFIGURATION, .kind = C9_USBSIM_FAULT_STALL, .count = 1};
    assert_true(c9_usbsim_fault_add(&r->bus, &fs) >= 0);
    c9_usbsim_plug(&r->bus, &kbd.dev);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    c9_usbh_dev_t d = only_device(r);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.config_value, 0);
    assert_int_equal(info.config_error, C9_ERR_USB_STALL);
    rig_free(r);
}

/* ---- real and malformed descriptors through enumeration ---- */

static uint8_t *descset(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/usb/devices/%s.descset", C9_SOURCE_DIR, name);
    uint8_t *b = slurp(path, len);
    assert_non_null(b);
    return b;
}

static void test_real_devices_enumerate(void **state) {
    (void)state;
    static const struct {
        const char *name;
        uint16_t vid, pid;
        const char *manufacturer, *product, *serial;
    } devs[] = {
        {"holtek_keyboard_04d9_1603", 0x04d9, 0x1603, " ", "USB Keyboard", NULL},
        {"kinesis_hub_05f3_0081", 0x05f3, 0x0081, "PI Engineering", "Kinesis Keyboard Hub", NULL},
        {"yubikey_1050_0120", 0x1050, 0x0120, "Yubico", "Security Key by Yubico", NULL},
        {"sony_xperia_0fce_0166", 0x0fce, 0x0166, "Sony", "MiniPro", "0123456789ABCDEF"},
        {"canon_sx200_04a9_31c0", 0x04a9, 0x31c0, NULL, NULL, NULL},
        {"yamaha_motif_rack_es_0499_103c", 0x0499, 0x103c, "YAMAHA Corporation", "YAMAHA MOTIF-RACK ES", NULL},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(devs); i++) {
        size_t len;
        uint8_t *set = descset(devs[i].name, &len);
        static c9_usbsim_raw_t raw;
        assert_int_equal(c9_usbsim_raw_init(&raw, set, len, 0), C9_OK);
        rig_t *r = rig_new(&raw.dev);
        c9_usbh_dev_t d = only_device(r);
        c9_usbh_device_info_t info;
        assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
        assert_int_equal(info.desc.idVendor, devs[i].vid);
        assert_int_equal(info.desc.idProduct, devs[i].pid);
        assert_int_equal(info.config_error, C9_OK);
        assert_int_equal(info.config_value, 1);
        const char *want[3] = {devs[i].manufacturer, devs[i].product, devs[i].serial};
        uint8_t idx[3] = {info.desc.iManufacturer, info.desc.iProduct, info.desc.iSerialNumber};
        for (int k = 0; k < 3; k++) {
            char s[64];
            size_t n;
            c9_err_t err = c9_usbh_get_string(&r->host, d, idx[k], 0, s, sizeof s, &n, 100);
            if (want[k] == NULL) {
                assert_true(err == C9_ERR_NOENT || err == C9_ERR_USB_STALL);
            } else {
                assert_int_equal(err, C9_OK);
                assert_string_equal(s, want[k]);
            }
        }
        rig_free(r);
        free(set);
    }
}

/* Builds a descriptor set: a device descriptor and one configuration. */
static size_t make_set(uint8_t *out, const uint8_t *dev, size_t dev_len, const uint8_t *cfg, size_t cfg_len) {
    size_t n = 0;
    out[n++] = 1;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = (uint8_t)dev_len;
    out[n++] = 0;
    memcpy(out + n, dev, dev_len);
    n += dev_len;
    out[n++] = 2;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = 0;
    out[n++] = (uint8_t)cfg_len;
    out[n++] = (uint8_t)(cfg_len >> 8);
    memcpy(out + n, cfg, cfg_len);
    return n + cfg_len;
}

static void test_malformed_devices(void **state) {
    (void)state;
    static const uint8_t dev[18] = {18, 1, 0, 2, 0, 0, 0, 64, 0x09, 0x12, 0x99, 0x99, 0, 1, 0, 0, 0, 1};
    static const uint8_t cfg[25] = {9, 2,    25, 0, 1, 1, 0, 0x80, 50, 9,  4, 0, 0,
                                    1, 0xFF, 0,  0, 0, 7, 5, 0x81, 2,  64, 0, 0};
    static uint8_t set[2048];
    static c9_usbsim_raw_t raw;
    uint8_t d[18], c[2000];
    size_t n;
    // bMaxPacketSize0 7: not mounted, the reason is kept.
    memcpy(d, dev, 18);
    d[7] = 7;
    n = make_set(set, d, 18, cfg, sizeof cfg);
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    rig_t *r = rig_new(&raw.dev);
    assert_int_equal(c9_usbh_devices(&r->host, NULL, 0), 0);
    assert_int_equal(c9_usbh_last_enum_error(&r->host), C9_ERR_USB_DESC_VALUE);
    rig_free(r);
    // A device descriptor of 12 bytes.
    n = make_set(set, dev, 12, cfg, sizeof cfg);
    set[4] = 12;
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    r = rig_new(&raw.dev);
    assert_int_equal(c9_usbh_devices(&r->host, NULL, 0), 0);
    assert_int_equal(c9_usbh_last_enum_error(&r->host), C9_ERR_USB_DESC_TRUNCATED);
    rig_free(r);
    // An endpoint descriptor of 5 bytes: mounted, unconfigured.
    memcpy(c, cfg, sizeof cfg);
    c[18] = 5;
    c[2] = 23;
    n = make_set(set, dev, 18, c, 23);
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    r = rig_new(&raw.dev);
    c9_usbh_dev_t h = only_device(r);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, h, &info), C9_OK);
    assert_int_equal(info.config_value, 0);
    assert_int_equal(info.config_error, C9_ERR_USB_DESC_LENGTH);
    uint8_t b[8];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, h, 0x81, b, 8, 10, &got), C9_ERR_USB_NO_CONFIG);
    rig_free(r);
    // wTotalLength above the device's answer: the configuration is truncated.
    memcpy(c, cfg, sizeof cfg);
    c[2] = 40;
    n = make_set(set, dev, 18, c, sizeof cfg);
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    r = rig_new(&raw.dev);
    assert_int_equal(c9_usbh_device_info(&r->host, only_device(r), &info), C9_OK);
    assert_int_equal(info.config_error, C9_ERR_USB_DESC_TRUNCATED);
    rig_free(r);
    // A configuration longer than C9_USBH_CONFIG_DESC_MAX (vendor descriptors make it up).
    size_t big = C9_USBH_CONFIG_DESC_MAX + 100;
    memcpy(c, cfg, sizeof cfg);
    for (size_t off = sizeof cfg; off < big; off += 25) {
        c[off] = 25;
        c[off + 1] = 0x41;
        memset(c + off + 2, 0xEE, 23);
    }
    big = sizeof cfg + ((big - sizeof cfg + 24) / 25) * 25;
    c[2] = (uint8_t)big;
    c[3] = (uint8_t)(big >> 8);
    n = make_set(set, dev, 18, c, big);
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    r = rig_new(&raw.dev);
    h = only_device(r);
    assert_int_equal(c9_usbh_device_info(&r->host, h, &info), C9_OK);
    assert_int_equal(info.config_error, C9_ERR_NOMEM);
    assert_int_equal(c9_usbh_set_configuration(&r->host, h, 0, 100), C9_ERR_NOMEM);
    // Raw GET_DESCRIPTOR still gives the whole thing to a caller with the room.
    static uint8_t whole[2000];
    assert_int_equal(c9_usbh_get_descriptor(&r->host, h, 2, 0, 0, whole, (uint16_t)big, 100, &got), C9_OK);
    assert_int_equal(got, big);
    rig_free(r);
    // Broken descriptor sets are rejected by the model itself.
    assert_int_equal(c9_usbsim_raw_init(&raw, set, 5, 0), C9_ERR_USB_DESC_TRUNCATED);
    n = make_set(set, dev, 18, cfg, sizeof cfg);
    assert_int_equal(c9_usbsim_raw_init(&raw, set, n, 0), C9_OK);
    assert_int_equal(c9_usbsim_raw_init(&raw, set + 24, n - 24, 0), C9_ERR_NOENT); // no device descriptor
}

/* ---- class drivers and kernel-driver calls ---- */

typedef struct {
    int opens, closes;
    c9_usbh_xfer_t x;
    uint8_t buf[8];
    int reports;
    bool submit;
} kdrv_t;

static void kdrv_cb(c9_usbh_t *host, c9_usbh_xfer_t *x) {
    kdrv_t *k = x->user;
    if (x->result == C9_OK) {
        k->reports++;
        c9_usbh_submit(host, x);
    }
}

static uint16_t kdrv_open(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, const uint8_t *itf, uint16_t len) {
    (void)len;
    kdrv_t *k = ctx;
    if (itf[5] != C9_USB_CLASS_HID || itf[7] != C9_USB_PROTOCOL_HID_KEYBOARD) {
        return 0;
    }
    k->opens++;
    // Blocking helpers are refused inside the task (this runs in it).
    uint8_t b[8];
    size_t got;
    assert_int_equal(c9_usbh_read(host, dev, 0x81, b, 8, 10, &got), C9_ERR_BUSY);
    const uint8_t *ep = itf + 18; // interface, HID descriptor, endpoint
    assert_int_equal(c9_usbh_edpt_open(host, dev, ep), C9_OK);
    if (k->submit) {
        k->x = (c9_usbh_xfer_t){.dev = dev, .ep = 0x81, .buf = k->buf, .len = 8, .complete = kdrv_cb, .user = k};
        assert_int_equal(c9_usbh_submit(host, &k->x), C9_OK);
    }
    return 9 + 9 + 7;
}

static void kdrv_close(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev, uint8_t itf) {
    (void)host;
    (void)dev;
    (void)itf;
    kdrv_t *k = ctx;
    k->closes++;
}

static void test_kernel_driver(void **state) {
    (void)state;
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    static kdrv_t k;
    memset(&k, 0, sizeof k);
    k.submit = true;
    c9_usbh_driver_t drv = {"keyboard", kdrv_open, kdrv_close, &k};
    const c9_usbh_driver_t *drivers[1] = {&drv};
    rig_t *r = calloc(1, sizeof *r);
    c9_usbsim_init(&r->bus);
    c9_usbsim_plug(&r->bus, &kbd.dev);
    c9_usbh_config_t cfg = rig_config(r);
    cfg.drivers = drivers;
    cfg.driver_count = 1;
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 5000), C9_OK);
    c9_usbh_dev_t d = only_device(r);
    assert_int_equal(k.opens, 1);
    bool active;
    assert_int_equal(c9_usbh_kernel_driver_active(&r->host, d, 0, &active), C9_OK);
    assert_true(active);
    // The driver reads the keyboard: the user cannot read the same endpoint meanwhile.
    c9_usbsim_keyboard_type(&kbd, "ab", 2);
    for (int i = 0; i < 100 && k.reports < 4; i++) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    assert_int_equal(k.reports, 4);
    uint8_t b[8];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 10, &got), C9_ERR_BUSY);
    // Detach (what adafruit_usb_host_midi does with its interface): the driver lets go.
    assert_int_equal(c9_usbh_detach_kernel_driver(&r->host, d, 0), C9_OK);
    assert_int_equal(k.closes, 1);
    assert_int_equal(c9_usbh_kernel_driver_active(&r->host, d, 0, &active), C9_OK);
    assert_false(active);
    c9_usbsim_keyboard_type(&kbd, "c", 1);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &got), C9_OK);
    assert_int_equal(decode_key(b[0], b[2]), 'c');
    // Attach: offered to the same driver again.
    assert_int_equal(c9_usbh_attach_kernel_driver(&r->host, d, 0), C9_OK);
    assert_int_equal(k.opens, 2);
    assert_int_equal(c9_usbh_kernel_driver_active(&r->host, d, 0, &active), C9_OK);
    assert_true(active);
    assert_int_equal(c9_usbh_kernel_driver_active(&r->host, d, 1, &active), C9_OK);
    assert_false(active);
    assert_int_equal(c9_usbh_detach_kernel_driver(&r->host, d, C9_USBH_MAX_INTERFACES), C9_ERR_INVAL);
    // Unplugging closes the driver.
    c9_usbsim_unplug(&r->bus, &kbd.dev);
    c9_usbh_task(&r->host);
    assert_int_equal(k.closes, 2);
    rig_free(r);
}

static void test_async_control_queue(void **state) {
    (void)state;
    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 1, false, true), C9_OK);
    rig_t *r = rig_new(&cdc.dev);
    c9_usbh_dev_t d = only_device(r);
    // Three control transfers queued at once run one after another, in order.
    uint8_t b[3][18];
    c9_usbh_xfer_t x[3];
    for (int i = 0; i < 3; i++) {
        x[i] = (c9_usbh_xfer_t){.dev = d, .ep = 0, .buf = b[i], .timeout_ms = 100};
        x[i].setup = (c9_usb_setup_t){0x80, C9_USB_REQ_GET_DESCRIPTOR, 0x0100, 0, (uint16_t)(8 + 5 * i)};
        assert_int_equal(c9_usbh_submit(&r->host, &x[i]), C9_OK);
    }
    // Abort the middle one while it waits: the others still run.
    assert_int_equal(c9_usbh_abort(&r->host, &x[1]), C9_OK);
    for (int i = 0; i < 20; i++) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    assert_int_equal(x[0].result, C9_OK);
    assert_int_equal(x[0].actual, 8);
    assert_int_equal(x[1].result, C9_ERR_USB_CANCELLED);
    assert_int_equal(x[2].result, C9_OK);
    assert_int_equal(x[2].actual, 18);
    assert_int_equal(b[2][17], 1);
    // A second transfer on a busy non-control endpoint is refused.
    uint8_t in[64];
    c9_usbh_xfer_t a = {.dev = d, .ep = 0x82, .buf = in, .len = 64};
    c9_usbh_xfer_t bb = a;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x82, in, 1, 5, NULL), C9_ERR_TIMEDOUT); // opens the endpoint
    assert_int_equal(c9_usbh_submit(&r->host, &a), C9_OK);
    assert_int_equal(c9_usbh_submit(&r->host, &bb), C9_ERR_BUSY);
    assert_int_equal(c9_usbh_abort(&r->host, &a), C9_OK);
    // A stale handle is refused.
    c9_usbh_xfer_t s = a;
    s.dev = (c9_usbh_dev_t)(d + 0x100);
    assert_int_equal(c9_usbh_submit(&r->host, &s), C9_ERR_USB_NO_DEVICE);
    rig_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyboard_types_text),
        cmocka_unit_test(test_keyboard_class_requests),
        cmocka_unit_test(test_mouse_and_gamepad),
        cmocka_unit_test(test_cdc_transfers),
        cmocka_unit_test(test_unconfigured_device),
        cmocka_unit_test(test_hub_tree),
        cmocka_unit_test(test_fault_stall_and_clear),
        cmocka_unit_test(test_fault_nak_timeout),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_fault_disconnect_mid_transfer),
        cmocka_unit_test(test_fault_short_xact_babble),
        cmocka_unit_test(test_enumeration_faults),
        cmocka_unit_test(test_real_devices_enumerate),
        cmocka_unit_test(test_malformed_devices),
        cmocka_unit_test(test_kernel_driver),
        cmocka_unit_test(test_async_control_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
