/* USB descriptor parsing: real devices' descriptors (tests/fixtures/usb/devices, facts from
 * sysfs dumps and lsusb -v, see PROVENANCE.md), malformed inputs and their documented errors,
 * strings, hubs, and the descriptors of circuit9's own device models. Expected values come from
 * the published dumps, not from the parser. */
#include "usb_test.h"

/* ---- descriptor sets from the fixtures ---- */

typedef struct {
    uint8_t *data;
    size_t len;
    const uint8_t *device;
    const uint8_t *config[4];
    uint16_t config_len[4];
    unsigned configs;
    const uint8_t *strings[8];
    uint16_t string_len[8];
} descset_t;

static descset_t load(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/usb/devices/%s.descset", C9_SOURCE_DIR, name);
    descset_t s;
    memset(&s, 0, sizeof s);
    s.data = slurp(path, &s.len);
    assert_non_null(s.data);
    for (size_t off = 0; off + 6 <= s.len;) {
        const uint8_t *h = s.data + off;
        uint16_t n = (uint16_t)(h[4] | (h[5] << 8));
        if (h[0] == 1) {
            s.device = h + 6;
        } else if (h[0] == 2 && s.configs < 4) {
            s.config[s.configs] = h + 6;
            s.config_len[s.configs++] = n;
        } else if (h[0] == 3 && h[1] < 8) {
            s.strings[h[1]] = h + 6;
            s.string_len[h[1]] = n;
        }
        off += 6u + n;
    }
    assert_non_null(s.device);
    return s;
}

/* Facts from the dumps: identity, interfaces and endpoints as published. */
typedef struct {
    const char *name;
    uint16_t vid, pid;
    uint8_t dev_class, mps0;
    uint8_t itf_descs, interfaces, eps;
    uint8_t itf0_class, itf0_sub, itf0_proto;
    uint16_t itf0_report; /* HID wDescriptorLength of interface 0's report, 0 when not HID */
    uint8_t ep0_addr, ep0_type;
    uint16_t ep0_mps;
    uint8_t ep0_interval;
} expect_t;

static const expect_t real[] = {
    {"holtek_keyboard_04d9_1603", 0x04d9, 0x1603, 0, 8, 2, 2, 2, 3, 1, 1, 62, 0x81, 3, 8, 10},
    {"kinesis_keyboard_05f3_0007", 0x05f3, 0x0007, 0, 8, 2, 2, 2, 3, 1, 1, 63, 0x81, 3, 8, 8},
    {"kinesis_hub_05f3_0081", 0x05f3, 0x0081, 9, 8, 1, 1, 1, 9, 0, 0, 0, 0x81, 3, 1, 255},
    {"lenovo_hub_17ef_1005", 0x17ef, 0x1005, 9, 64, 2, 1, 2, 9, 0, 1, 0, 0x81, 3, 1, 12},
    {"intel_hub_8087_0020", 0x8087, 0x0020, 9, 64, 1, 1, 1, 9, 0, 0, 0, 0x81, 3, 1, 12},
    {"realtek_hub_0bda_5411", 0x0bda, 0x5411, 9, 64, 2, 1, 2, 9, 0, 1, 0, 0x81, 3, 1, 12},
    {"nec_hub_0409_0058", 0x0409, 0x0058, 9, 64, 1, 1, 1, 9, 0, 0, 0, 0x81, 3, 1, 12},
    {"yubikey_1050_0120", 0x1050, 0x0120, 0, 64, 1, 1, 2, 3, 0, 0, 34, 0x04, 3, 64, 2},
    {"sony_xperia_0fce_0166", 0x0fce, 0x0166, 0, 64, 1, 1, 3, 0xFF, 0xFF, 0, 0, 0x81, 2, 512, 0},
    {"canon_sx200_04a9_31c0", 0x04a9, 0x31c0, 0, 64, 1, 1, 3, 6, 1, 1, 0, 0x81, 2, 512, 0},
    {"yamaha_motif_rack_es_0499_103c", 0x0499, 0x103c, 0, 8, 1, 1, 2, 0xFF, 0, 0xFF, 0, 0x82, 2, 64, 0},
};

static void test_real_devices_parse(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(real); i++) {
        const expect_t *e = &real[i];
        descset_t s = load(e->name);
        c9_usb_device_desc_t dd;
        assert_int_equal(c9_usb_desc_parse_device(s.device, 18, &dd), C9_OK);
        assert_int_equal(dd.idVendor, e->vid);
        assert_int_equal(dd.idProduct, e->pid);
        assert_int_equal(dd.bDeviceClass, e->dev_class);
        assert_int_equal(dd.bMaxPacketSize0, e->mps0);
        assert_int_equal(dd.bNumConfigurations, s.configs);
        c9_usb_config_info_t *c = malloc(sizeof *c);
        assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
        assert_int_equal(c->header.wTotalLength, s.config_len[0]);
        assert_int_equal(c->itf_count, e->itf_descs);
        assert_int_equal(c->interfaces, e->interfaces);
        assert_int_equal(c->ep_count, e->eps);
        assert_int_equal(c->itf[0].cls, e->itf0_class);
        assert_int_equal(c->itf[0].subclass, e->itf0_sub);
        assert_int_equal(c->itf[0].protocol, e->itf0_proto);
        assert_int_equal(c->itf[0].hid_report_len, e->itf0_report);
        assert_int_equal(c->ep[0].address, e->ep0_addr);
        assert_int_equal(c->ep[0].attributes & 3, e->ep0_type);
        assert_int_equal(c->ep[0].max_packet, e->ep0_mps);
        assert_int_equal(c->ep[0].interval, e->ep0_interval);
        assert_int_equal(c->quirks, 0);
        free(c);
        free(s.data);
    }
}

static void test_real_device_details(void **state) {
    (void)state;
    c9_usb_config_info_t *c = malloc(sizeof *c);
    // Holtek keyboard: the second interface is a HID (not boot) with a 101-byte report.
    descset_t s = load("holtek_keyboard_04d9_1603");
    assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
    assert_int_equal(c->itf[1].number, 1);
    assert_int_equal(c->itf[1].subclass, 0);
    assert_int_equal(c->itf[1].hid_report_len, 101);
    assert_int_equal(c->ep[1].address, 0x82);
    assert_int_equal(c->header.bMaxPower, 0x32);
    free(s.data);
    // Kinesis keyboard: bcdHID 1.00 with country code 33 (US).
    s = load("kinesis_keyboard_05f3_0007");
    assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
    assert_int_equal(c->itf[0].hid_country, 33);
    assert_int_equal(c->itf[1].hid_report_len, 100);
    free(s.data);
    // Multi-TT hubs: alternate setting 1 has protocol 2 and its own endpoint.
    s = load("lenovo_hub_17ef_1005");
    assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
    assert_int_equal(c->itf[1].alt, 1);
    assert_int_equal(c->itf[1].protocol, 2);
    assert_int_equal(c->itf[1].ep_first, 1);
    const uint8_t *ep;
    assert_int_equal(c9_usb_desc_find_endpoint(s.config[0], s.config_len[0], 0x81, &ep), C9_OK);
    assert_ptr_equal(ep, s.config[0] + 18); // alternate setting 0's, not 1's
    free(s.data);
    // Yamaha: USB-MIDI class-specific descriptors inside a vendor interface are vendor data.
    s = load("yamaha_motif_rack_es_0499_103c");
    assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
    assert_int_equal(c->itf[0].vendor_descs, 10);
    assert_int_equal(c->itf[0].midi_out_jacks, 0);
    assert_int_equal(c->ep[1].address, 0x01);
    free(s.data);
    // Sony: interrupt endpoint of 28 bytes every 2^(6-1) microframes.
    s = load("sony_xperia_0fce_0166");
    assert_int_equal(c9_usb_desc_parse_config(s.config[0], s.config_len[0], c), C9_OK);
    assert_int_equal(c->ep[2].max_packet, 28);
    assert_int_equal(c->ep[2].interval, 6);
    assert_int_equal(c->header.bMaxPower, 0xFA);
    char text[32];
    size_t n;
    assert_int_equal(c9_usb_desc_string_utf8(s.strings[4], s.string_len[4], text, sizeof text, &n), C9_OK);
    assert_string_equal(text, "0123456789ABCDEF");
    free(s.data);
    free(c);
}

/* ---- malformed descriptors ---- */

static const uint8_t good_device[18] = {18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x09, 0x12, 0x01, 0x00, 0x00, 0x01, 1, 2, 0, 1};

static void test_device_errors(void **state) {
    (void)state;
    c9_usb_device_desc_t d;
    uint8_t b[18];
    assert_int_equal(c9_usb_desc_parse_device(good_device, 18, &d), C9_OK);
    assert_int_equal(c9_usb_desc_parse_device(good_device, 17, &d), C9_ERR_USB_DESC_TRUNCATED);
    assert_int_equal(c9_usb_desc_parse_device(good_device, 1, &d), C9_ERR_USB_DESC_TRUNCATED);
    memcpy(b, good_device, 18);
    b[0] = 17;
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_ERR_USB_DESC_LENGTH);
    memcpy(b, good_device, 18);
    b[1] = 2;
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_ERR_USB_DESC_TYPE);
    memcpy(b, good_device, 18);
    b[7] = 7;
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_ERR_USB_DESC_VALUE);
    b[7] = 9; // an exponent, valid only from USB 3.0
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_ERR_USB_DESC_VALUE);
    b[3] = 0x03;
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_OK);
    assert_int_equal(d.bMaxPacketSize0, 512);
    memcpy(b, good_device, 18);
    b[17] = 0;
    assert_int_equal(c9_usb_desc_parse_device(b, 18, &d), C9_ERR_USB_DESC_VALUE);
    uint16_t mps;
    assert_int_equal(c9_usb_desc_max_packet0(good_device, 8, &mps), C9_OK);
    assert_int_equal(mps, 64);
    assert_int_equal(c9_usb_desc_max_packet0(good_device, 7, &mps), C9_ERR_USB_DESC_TRUNCATED);
    assert_int_equal(c9_usb_desc_parse_device(NULL, 18, &d), C9_ERR_INVAL);
}

typedef struct {
    const char *what;
    uint8_t bytes[64];
    size_t len;
    c9_err_t err;
    uint32_t quirks;
} config_case_t;

#define CFG(total, n) 9, 2, (total), 0, (n), 1, 0, 0x80, 50
#define ITF(num, alt, eps, cls) 9, 4, (num), (alt), (eps), (cls), 0, 0, 0
#define EP(addr, type, mps) 7, 5, (addr), (type), (mps), 0, 1

static const config_case_t config_cases[] = {
    {"clean", {CFG(25, 1), ITF(0, 0, 1, 0xFF), EP(0x81, 2, 64)}, 25, C9_OK, 0},
    {"wTotalLength past the data", {CFG(26, 1), ITF(0, 0, 1, 0xFF), EP(0x81, 2, 64)}, 25, C9_ERR_USB_DESC_TRUNCATED, 0},
    {"wTotalLength below 9", {CFG(8, 0)}, 9, C9_ERR_USB_DESC_LENGTH, 0},
    {"header too short", {8, 2, 9, 0, 0, 1, 0, 0x80}, 8, C9_ERR_USB_DESC_LENGTH, 0},
    {"not a configuration", {9, 4, 9, 0, 0, 1, 0, 0x80, 50}, 9, C9_ERR_USB_DESC_TYPE, 0},
    {"zero bLength", {CFG(20, 1), ITF(0, 0, 0, 0xFF), 0, 4}, 20, C9_ERR_USB_DESC_LENGTH, 0},
    {"descriptor past wTotalLength", {CFG(20, 1), ITF(0, 0, 1, 0xFF), 7, 5}, 20, C9_ERR_USB_DESC_TRUNCATED, 0},
    {"lone trailing byte", {CFG(19, 1), ITF(0, 0, 0, 0xFF), 2}, 19, C9_ERR_USB_DESC_TRUNCATED, 0},
    {"interface of 8 bytes", {CFG(17, 1), 8, 4, 0, 0, 0, 0xFF, 0, 0}, 17, C9_ERR_USB_DESC_LENGTH, 0},
    {"endpoint of 6 bytes", {CFG(24, 1), ITF(0, 0, 1, 0xFF), 6, 5, 0x81, 2, 64, 0}, 24, C9_ERR_USB_DESC_LENGTH, 0},
    {"endpoint 0", {CFG(25, 1), ITF(0, 0, 1, 0xFF), EP(0x80, 2, 64)}, 25, C9_ERR_USB_DESC_VALUE, 0},
    {"IAD of no interfaces", {CFG(26, 1), 8, 11, 0, 0, 2, 2, 0, 0, ITF(0, 0, 0, 2)}, 26, C9_ERR_USB_DESC_VALUE, 0},
    {"IAD too short", {CFG(25, 1), 7, 11, 0, 1, 2, 2, 0, ITF(0, 0, 0, 2)}, 25, C9_ERR_USB_DESC_LENGTH, 0},
    {"HID without descriptors", {CFG(24, 1), ITF(0, 0, 0, 3), 6, 0x21, 0x11, 1, 0, 0}, 24, C9_ERR_USB_DESC_VALUE, 0},
    {"HID claiming two in 9 bytes",
     {CFG(27, 1), ITF(0, 0, 0, 3), 9, 0x21, 0x11, 1, 0, 2, 0x22, 63, 0},
     27,
     C9_ERR_USB_DESC_LENGTH,
     0},
    {"a second configuration header inside", {CFG(27, 1), ITF(0, 0, 0, 0xFF), CFG(9, 0)}, 27, C9_ERR_USB_DESC_TYPE, 0},
    {"orphan endpoint", {CFG(25, 1), EP(0x81, 2, 64), ITF(0, 0, 0, 0xFF)}, 25, C9_OK, C9_USB_QUIRK_ORPHAN},
    {"bNumInterfaces 2, one found", {CFG(18, 2), ITF(0, 0, 0, 0xFF)}, 18, C9_OK, C9_USB_QUIRK_NUM_INTERFACES},
    {"bNumEndpoints 2, one found",
     {CFG(25, 1), ITF(0, 0, 2, 0xFF), EP(0x81, 2, 64)},
     25,
     C9_OK,
     C9_USB_QUIRK_NUM_ENDPOINTS},
    {"bytes after wTotalLength", {CFG(18, 1), ITF(0, 0, 0, 0xFF), 2, 0xFF}, 20, C9_OK, C9_USB_QUIRK_TRAILING},
    {"bulk endpoint of size 0", {CFG(25, 1), ITF(0, 0, 1, 0xFF), EP(0x81, 2, 0)}, 25, C9_OK, C9_USB_QUIRK_EP_ZERO_SIZE},
    {"MIDI OUT jack shorter than its pins",
     {CFG(34, 1), 9, 4, 0, 0, 0, 1, 3, 0, 0, 7, 0x24, 1, 0, 1, 16, 0, 9, 0x24, 3, 1, 3, 2, 1, 1, 0},
     34,
     C9_OK,
     C9_USB_QUIRK_SHORT_CLASS},
};

static void test_config_errors(void **state) {
    (void)state;
    c9_usb_config_info_t *c = malloc(sizeof *c);
    for (size_t i = 0; i < C9_ARRAY_SIZE(config_cases); i++) {
        const config_case_t *k = &config_cases[i];
        c9_err_t err = c9_usb_desc_parse_config(k->bytes, k->len, c);
        if (err != k->err || (err == C9_OK && c->quirks != k->quirks)) {
            print_error("%s: got %d quirks %#x, want %d quirks %#x\n", k->what, err, c->quirks, k->err, k->quirks);
            fail();
        }
    }
    // More interface descriptors than the summary holds.
    uint8_t big[9 + 9 * (C9_USB_DESC_MAX_INTERFACES + 1)];
    uint16_t total = sizeof big;
    uint8_t hdr[9] = {CFG(0, 1)};
    memcpy(big, hdr, 9);
    big[2] = (uint8_t)total;
    big[3] = (uint8_t)(total >> 8);
    for (unsigned i = 0; i <= C9_USB_DESC_MAX_INTERFACES; i++) {
        uint8_t itf[9] = {ITF(0, (uint8_t)i, 0, 0xFF)};
        memcpy(big + 9 + 9 * i, itf, 9);
    }
    assert_int_equal(c9_usb_desc_parse_config(big, total, c), C9_ERR_USB_DESC_LIMIT);
    assert_int_equal(c->itf_count, C9_USB_DESC_MAX_INTERFACES); // what was parsed before the fault
    free(c);
}

static void test_walk(void **state) {
    (void)state;
    const uint8_t list[] = {CFG(25, 1), ITF(0, 0, 1, 0xFF), EP(0x81, 2, 64)};
    size_t off = 0;
    const uint8_t *d;
    unsigned n = 0;
    c9_err_t err;
    while ((err = c9_usb_desc_next(list, sizeof list, &off, &d)) == C9_OK) {
        n++;
    }
    assert_int_equal(err, C9_ERR_NOENT);
    assert_int_equal(n, 3);
    off = 0;
    assert_int_equal(c9_usb_desc_next(list, 8, &off, &d), C9_ERR_USB_DESC_TRUNCATED);
    const uint8_t zero[] = {0, 4};
    off = 0;
    assert_int_equal(c9_usb_desc_next(zero, 2, &off, &d), C9_ERR_USB_DESC_LENGTH);
    off = 0;
    assert_int_equal(c9_usb_desc_find_endpoint(list, sizeof list, 0x82, &d), C9_ERR_NOENT);
}

/* ---- strings ---- */

static void test_strings(void **state) {
    (void)state;
    char out[64];
    size_t n;
    const uint8_t yubico[] = {14, 3, 'Y', 0, 'u', 0, 'b', 0, 'i', 0, 'c', 0, 'o', 0};
    assert_int_equal(c9_usb_desc_string_utf8(yubico, sizeof yubico, out, sizeof out, &n), C9_OK);
    assert_string_equal(out, "Yubico");
    assert_int_equal(n, 6);
    // U+00E9, a surrogate pair for U+1F600, an unpaired high surrogate at the end.
    const uint8_t mixed[] = {10, 3, 0xE9, 0x00, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8};
    assert_int_equal(c9_usb_desc_string_utf8(mixed, sizeof mixed, out, sizeof out, &n), C9_OK);
    assert_string_equal(out, "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD");
    // An odd bLength drops the half unit, as Linux does.
    const uint8_t odd[] = {5, 3, 'A', 0, 'B'};
    assert_int_equal(c9_usb_desc_string_utf8(odd, sizeof odd, out, sizeof out, &n), C9_OK);
    assert_string_equal(out, "A");
    const uint8_t empty[] = {2, 3};
    assert_int_equal(c9_usb_desc_string_utf8(empty, 2, out, sizeof out, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(c9_usb_desc_string_utf8(yubico, sizeof yubico, out, 4, &n), C9_ERR_NOMEM);
    assert_int_equal(n, 6);
    assert_string_equal(out, "Yub");
    assert_int_equal(c9_usb_desc_string_utf8(yubico, 13, out, sizeof out, &n), C9_ERR_USB_DESC_TRUNCATED);
    const uint8_t wrong[] = {4, 2, 'A', 0};
    assert_int_equal(c9_usb_desc_string_utf8(wrong, 4, out, sizeof out, &n), C9_ERR_USB_DESC_TYPE);
    const uint8_t tiny[] = {1, 3};
    assert_int_equal(c9_usb_desc_string_utf8(tiny, 2, out, sizeof out, &n), C9_ERR_USB_DESC_LENGTH);

    uint8_t built[64];
    size_t blen = c9_usb_desc_make_string("Caf\xC3\xA9 \xF0\x9F\x98\x80", built, sizeof built);
    assert_int_equal(blen, 2 + 2 * 7);
    assert_int_equal(c9_usb_desc_string_utf8(built, blen, out, sizeof out, &n), C9_OK);
    assert_string_equal(out, "Caf\xC3\xA9 \xF0\x9F\x98\x80");
    assert_int_equal(c9_usb_desc_make_string("\xC3", built, sizeof built), 0); // broken UTF-8
    assert_int_equal(c9_usb_desc_make_string("abc", built, 7), 0);             // does not fit

    const uint8_t langs[] = {6, 3, 0x09, 0x04, 0x07, 0x04};
    uint16_t ids[4];
    size_t count;
    assert_int_equal(c9_usb_desc_langids(langs, sizeof langs, ids, 4, &count), C9_OK);
    assert_int_equal(count, 2);
    assert_int_equal(ids[0], 0x0409);
    assert_int_equal(ids[1], 0x0407);
}

static void test_hub_descriptor(void **state) {
    (void)state;
    c9_usb_hub_desc_t h;
    const uint8_t four[9] = {9, 0x29, 4, 0x09, 0x00, 50, 100, 0x00, 0xFF};
    assert_int_equal(c9_usb_desc_parse_hub(four, 9, &h), C9_OK);
    assert_int_equal(h.nports, 4);
    assert_int_equal(h.power_on_ms_div2, 50);
    uint8_t b[9];
    memcpy(b, four, 9);
    b[2] = 0;
    assert_int_equal(c9_usb_desc_parse_hub(b, 9, &h), C9_ERR_USB_DESC_VALUE);
    memcpy(b, four, 9);
    b[2] = 8; // 8 ports need two bytes per bitmap: 11 bytes
    assert_int_equal(c9_usb_desc_parse_hub(b, 9, &h), C9_ERR_USB_DESC_LENGTH);
    assert_int_equal(c9_usb_desc_parse_hub(four, 6, &h), C9_ERR_USB_DESC_TRUNCATED);
    b[1] = 0x2A;
    assert_int_equal(c9_usb_desc_parse_hub(b, 9, &h), C9_ERR_USB_DESC_TYPE);
}

/* ---- the models' descriptors, checked against the class specifications ---- */

static const uint8_t *model_config(c9_usbsim_dev_t *dev, uint8_t index, uint16_t *len) {
    for (unsigned i = 0; i < dev->desc_count; i++) {
        if (dev->desc[i].type == 2 && dev->desc[i].index == index) {
            *len = dev->desc[i].len;
            return dev->desc[i].data;
        }
    }
    *len = 0;
    fail();
    return NULL;
}

static void test_model_descriptors(void **state) {
    (void)state;
    c9_usb_config_info_t *c = malloc(sizeof *c);
    uint16_t len = 0;
    static c9_usbsim_midi_t midi;
    assert_int_equal(c9_usbsim_midi_init(&midi, NULL, NULL, 0), C9_OK);
    const uint8_t *cfg = model_config(&midi.dev, 0, &len);
    assert_int_equal(c9_usb_desc_parse_config(cfg, len, c), C9_OK);
    assert_int_equal(c->quirks, 0);
    assert_int_equal(c->itf[0].cls, C9_USB_CLASS_AUDIO);
    assert_int_equal(c->itf[0].audio_bcd, 0x0100);
    assert_int_equal(c->itf[1].subclass, C9_USB_SUBCLASS_MIDI_STREAMING);
    assert_int_equal(c->itf[1].midi_in_jacks, 2);
    assert_int_equal(c->itf[1].midi_out_jacks, 2);
    assert_int_equal(c->ep[0].length, 9); // audio endpoints carry bRefresh/bSynchAddress
    assert_int_equal(c->ep[0].midi_jacks, 1);
    assert_int_equal(c->ep[1].address, 0x81);

    static c9_usbsim_cdc_t cdc;
    assert_int_equal(c9_usbsim_cdc_init(&cdc, NULL, 4, true, true), C9_OK);
    cfg = model_config(&cdc.dev, 0, &len);
    assert_int_equal(len, 273); // wTotalLength above 255
    assert_int_equal(c9_usb_desc_parse_config(cfg, len, c), C9_OK);
    assert_int_equal(c->quirks, 0);
    assert_int_equal(c->header.wTotalLength, 273);
    assert_int_equal(c->iad_count, 4);
    assert_int_equal(c->interfaces, 8);
    assert_int_equal(c->itf[6].iad, 4);
    assert_int_equal(c->itf[6].cdc_acm_caps, 0x02);
    assert_int_equal(c->itf[6].cdc_union_master, 6);
    assert_int_equal(c->itf[6].cdc_union_slave, 7);
    assert_int_equal(c->itf[6].cdc_functional, (1 << 0) | (1 << 1) | (1 << 2) | (1 << 6));
    assert_int_equal(c->ep[11].address, 0x8B);
    cfg = model_config(&cdc.dev, 1, &len);
    assert_int_equal(c9_usb_desc_parse_config(cfg, len, c), C9_OK);
    assert_int_equal(c->header.bConfigurationValue, 2);
    assert_int_equal(c->interfaces, 2);

    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    cfg = model_config(&kbd.dev, 0, &len);
    assert_int_equal(c9_usb_desc_parse_config(cfg, len, c), C9_OK);
    assert_int_equal(c->itf[0].protocol, C9_USB_PROTOCOL_HID_KEYBOARD);
    assert_int_equal(c->itf[0].hid_report_len, 63);
    static c9_usbsim_hub_t hub;
    assert_int_equal(c9_usbsim_hub_init(&hub, NULL, 4), C9_OK);
    c9_usb_hub_desc_t hd;
    assert_int_equal(c9_usb_desc_parse_hub(hub.hub_desc, sizeof hub.hub_desc, &hd), C9_OK);
    assert_int_equal(hd.nports, 4);
    free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_devices_parse),
        cmocka_unit_test(test_real_device_details),
        cmocka_unit_test(test_device_errors),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_hub_descriptor),
        cmocka_unit_test(test_model_descriptors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
