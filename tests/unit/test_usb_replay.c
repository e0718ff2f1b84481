/* usbmon captures: recording the host's traffic as a LINKTYPE 220 pcap, reading pcap and
 * pcapng, libpcap as the independent reader and writer of the same files, and replaying a
 * recording to the host (tests/fixtures/usb/keyboard-hello.pcap, made by circuit9 from its
 * keyboard model, see PROVENANCE.md). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/time.h>
#include <unistd.h>

#include "usb_test.h"

typedef struct {
    uint8_t *buf;
    size_t len, cap;
    unsigned packets;
} recorder_t;

static void rec_tap(void *ctx, const c9_usbmon_packet_t *p) {
    recorder_t *r = ctx;
    size_t need = C9_USBMON_RECORD_OVERHEAD + p->data_len;
    if (r->len + need > r->cap) {
        r->cap = (r->len + need) * 2;
        r->buf = realloc(r->buf, r->cap);
        assert_non_null(r->buf);
    }
    size_t n = c9_usbmon_write_packet(p, r->buf + r->len, r->cap - r->len);
    assert_int_equal(n, need);
    r->len += n;
    r->packets++;
}

static void rec_init(recorder_t *r) {
    memset(r, 0, sizeof *r);
    r->cap = 4096;
    r->buf = malloc(r->cap);
    assert_int_equal(c9_usbmon_write_file_header(r->buf, r->cap, 65535), C9_USBMON_FILE_HEADER_SIZE);
    r->len = C9_USBMON_FILE_HEADER_SIZE;
}

/* A host with a tap on a bus with `dev`, enumerated. */
static rig_t *recorded_rig(c9_usbsim_dev_t *dev, recorder_t *rec) {
    rig_t *r = calloc(1, sizeof *r);
    r->clock.now = 1000;
    c9_usbsim_init(&r->bus);
    assert_int_equal(c9_usbsim_plug(&r->bus, dev), C9_OK);
    c9_usbh_config_t cfg = rig_config(r);
    cfg.tap = rec_tap;
    cfg.tap_ctx = rec;
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    return r;
}

/* Reads `n` reports and decodes the pressed keys ('a'..'z' and '\n' are enough here). */
static void read_text(rig_t *r, c9_usbh_dev_t d, char *out, size_t chars) {
    for (size_t i = 0; i < chars; i++) {
        uint8_t rep[8];
        size_t got;
        assert_int_equal(c9_usbh_read(&r->host, d, 0x81, rep, 8, 100, &got), C9_OK);
        assert_int_equal(got, 8);
        out[i] = rep[2] == 0x28 ? '\n' : (char)('a' + rep[2] - 0x04);
        assert_int_equal(c9_usbh_read(&r->host, d, 0x81, rep, 8, 100, &got), C9_OK);
        assert_int_equal(rep[2], 0);
    }
    out[chars] = 0;
}

/* A recording of the keyboard typing `text`, with some class requests in it. */
static recorder_t record_keyboard(const char *text) {
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    c9_usbsim_keyboard_type(&kbd, text, strlen(text));
    recorder_t rec;
    rec_init(&rec);
    rig_t *r = recorded_rig(&kbd.dev, &rec);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&r->host, -1, -1, 0, &d), C9_OK);
    uint8_t leds = 1;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_IDLE, 0, 0, NULL, 0, 100, NULL), C9_OK);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_REPORT, 0x200, 0, &leds, 1, 100, NULL),
                     C9_OK);
    char s[32];
    size_t n;
    assert_int_equal(c9_usbh_get_string(&r->host, d, 2, 0, s, sizeof s, &n, 100), C9_OK);
    char typed[64];
    read_text(r, d, typed, strlen(text));
    assert_string_equal(typed, text);
    rig_free(r);
    return rec;
}

static void test_recording_reads_back(void **state) {
    (void)state;
    recorder_t rec = record_keyboard("hi\n");
    c9_usbmon_reader_t rd;
    assert_int_equal(c9_usbmon_open(&rd, rec.buf, rec.len), C9_OK);
    assert_int_equal(rd.linktype, C9_USBMON_LINKTYPE_USB_LINUX_MMAPPED);
    c9_usbmon_packet_t p;
    unsigned n = 0, set_address = 0, reports = 0, submits = 0, completes = 0;
    bool first_checked = false;
    uint64_t last_us = 0;
    while (c9_usbmon_next(&rd, &p) == C9_OK) {
        n++;
        uint64_t us = (uint64_t)p.ts_sec * 1000000u + (uint64_t)p.ts_usec;
        assert_true(us >= last_us); // time never goes back
        last_us = us;
        submits += p.type == 'S';
        completes += p.type == 'C';
        if (!first_checked) {
            // Enumeration starts with GET_DESCRIPTOR(device, 8) at address 0.
            assert_int_equal(p.type, 'S');
            assert_int_equal(p.xfer_type, C9_USBMON_CONTROL);
            assert_int_equal(p.devnum, 0);
            assert_true(p.setup_valid);
            assert_memory_equal(p.setup, "\x80\x06\x00\x01\x00\x00\x08\x00", 8);
            assert_int_equal(p.busnum, 1);
            first_checked = true;
        }
        if (p.type == 'S' && p.setup_valid && p.setup[1] == C9_USB_REQ_SET_ADDRESS) {
            set_address++;
            assert_int_equal(p.setup[2], 1);
        }
        if (p.type == 'C' && p.xfer_type == C9_USBMON_INTERRUPT && p.status == 0) {
            assert_int_equal(p.data_len, 8);
            assert_true(p.data_valid);
            reports++;
        }
    }
    assert_int_equal(n, rec.packets);
    assert_int_equal(submits, completes);
    assert_int_equal(set_address, 1);
    assert_int_equal(reports, 6);
    free(rec.buf);
}

/* ---- libpcap, the independent reader and writer ---- */

struct pcap_pkthdr_abi {
    struct timeval ts;
    uint32_t caplen, len;
};
typedef struct {
    void *lib;
    void *(*open_offline)(const char *, char *);
    int (*datalink)(void *);
    int (*next_ex)(void *, struct pcap_pkthdr_abi **, const uint8_t **);
    void (*close)(void *);
    void *(*open_dead)(int, int);
    void *(*dump_open)(void *, const char *);
    void (*dump)(uint8_t *, const struct pcap_pkthdr_abi *, const uint8_t *);
    void (*dump_close)(void *);
} libpcap_t;

static bool libpcap_load(libpcap_t *l) {
    memset(l, 0, sizeof *l);
    l->lib = dlopen("libpcap.so.0.8", RTLD_NOW);
    if (l->lib == NULL) {
        print_message("libpcap (Debian libpcap0.8) not found: the cross-check with libpcap is skipped\n");
        return false;
    }
    *(void **)&l->open_offline = dlsym(l->lib, "pcap_open_offline");
    *(void **)&l->datalink = dlsym(l->lib, "pcap_datalink");
    *(void **)&l->next_ex = dlsym(l->lib, "pcap_next_ex");
    *(void **)&l->close = dlsym(l->lib, "pcap_close");
    *(void **)&l->open_dead = dlsym(l->lib, "pcap_open_dead");
    *(void **)&l->dump_open = dlsym(l->lib, "pcap_dump_open");
    *(void **)&l->dump = dlsym(l->lib, "pcap_dump");
    *(void **)&l->dump_close = dlsym(l->lib, "pcap_dump_close");
    return l->open_offline && l->datalink && l->next_ex && l->close && l->open_dead && l->dump_open && l->dump &&
           l->dump_close;
}

static void write_file(const char *path, const uint8_t *b, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* pcapng with one interface of LINKTYPE 220 and one Enhanced Packet Block per record of a pcap. */
static size_t to_pcapng(const uint8_t *pcap, size_t len, uint8_t *out) {
    size_t n = 0;
    const uint32_t shb[7] = {0x0A0D0D0A, 28, 0x1A2B3C4D, 0x00000001, 0xFFFFFFFF, 0xFFFFFFFF, 28};
    memcpy(out, shb, sizeof shb);
    n += sizeof shb;
    const uint32_t idb[5] = {1, 20, 220, 65535, 20};
    memcpy(out + n, idb, sizeof idb);
    n += sizeof idb;
    // A name resolution block the reader must step over.
    const uint32_t nrb[4] = {4, 16, 0, 16};
    memcpy(out + n, nrb, sizeof nrb);
    n += sizeof nrb;
    for (size_t off = 24; off + 16 <= len;) {
        uint32_t hdr[4];
        memcpy(hdr, pcap + off, 16);
        uint32_t cap = hdr[2], padded = (cap + 3) & ~3u, blen = 32 + padded;
        uint64_t ts = (uint64_t)hdr[0] * 1000000u + hdr[1];
        uint32_t epb[7] = {6, blen, 0, (uint32_t)(ts >> 32), (uint32_t)ts, cap, hdr[3]};
        memcpy(out + n, epb, sizeof epb);
        memset(out + n + 28, 0, padded);
        memcpy(out + n + 28, pcap + off + 16, cap);
        memcpy(out + n + 28 + padded, &blen, 4);
        n += blen;
        off += 16 + cap;
    }
    return n;
}

static void test_libpcap_cross_check(void **state) {
    (void)state;
    libpcap_t l;
    if (!libpcap_load(&l)) {
        skip();
    }
    recorder_t rec = record_keyboard("ok");
    char path[] = "/tmp/c9-usbmon-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    // libpcap reads our file: same link type, same records.
    write_file(path, rec.buf, rec.len);
    char err[256];
    void *pc = l.open_offline(path, err);
    assert_non_null(pc);
    assert_int_equal(l.datalink(pc), 220);
    c9_usbmon_reader_t rd;
    assert_int_equal(c9_usbmon_open(&rd, rec.buf, rec.len), C9_OK);
    struct pcap_pkthdr_abi *h;
    const uint8_t *data;
    unsigned n = 0;
    // libpcap also writes a file of its own from those records; we read it back.
    void *dead = l.open_dead(220, 65535);
    char path2[] = "/tmp/c9-usbmon-XXXXXX";
    fd = mkstemp(path2);
    close(fd);
    void *dumper = l.dump_open(dead, path2);
    assert_non_null(dumper);
    while (l.next_ex(pc, &h, &data) == 1) {
        c9_usbmon_packet_t p;
        assert_int_equal(c9_usbmon_next(&rd, &p), C9_OK);
        assert_int_equal(h->caplen, 64 + p.data_len);
        uint64_t id;
        memcpy(&id, data, 8);
        assert_int_equal(id, p.id);
        assert_int_equal(data[8], (uint8_t)p.type);
        assert_int_equal(h->ts.tv_sec, p.ts_sec);
        assert_int_equal(h->ts.tv_usec, p.ts_usec);
        l.dump((uint8_t *)dumper, h, data);
        n++;
    }
    assert_int_equal(n, rec.packets);
    l.close(pc);
    l.dump_close(dumper);
    l.close(dead);
    size_t len2;
    uint8_t *theirs = slurp(path2, &len2);
    assert_non_null(theirs);
    c9_usbmon_reader_t r2, r1;
    assert_int_equal(c9_usbmon_open(&r2, theirs, len2), C9_OK);
    assert_int_equal(c9_usbmon_open(&r1, rec.buf, rec.len), C9_OK);
    c9_usbmon_packet_t a, b;
    unsigned m = 0;
    while (c9_usbmon_next(&r2, &b) == C9_OK) {
        assert_int_equal(c9_usbmon_next(&r1, &a), C9_OK);
        assert_int_equal(a.id, b.id);
        assert_int_equal(a.data_len, b.data_len);
        assert_memory_equal(a.data, b.data, a.data_len);
        m++;
    }
    assert_int_equal(m, n);
    // pcapng: libpcap reads what we build; our reader gives the same packets.
    uint8_t *ng = malloc(rec.len * 2 + 256);
    size_t nglen = to_pcapng(rec.buf, rec.len, ng);
    write_file(path, ng, nglen);
    pc = l.open_offline(path, err);
    assert_non_null(pc);
    assert_int_equal(l.datalink(pc), 220);
    unsigned k = 0;
    while (l.next_ex(pc, &h, &data) == 1) {
        k++;
    }
    l.close(pc);
    assert_int_equal(k, n);
    assert_int_equal(c9_usbmon_open(&r2, ng, nglen), C9_OK);
    assert_int_equal(c9_usbmon_open(&r1, rec.buf, rec.len), C9_OK);
    m = 0;
    while (c9_usbmon_next(&r2, &b) == C9_OK) {
        assert_int_equal(c9_usbmon_next(&r1, &a), C9_OK);
        assert_int_equal(a.id, b.id);
        assert_int_equal(a.ts_usec, b.ts_usec);
        assert_memory_equal(a.data, b.data, a.data_len);
        m++;
    }
    assert_int_equal(m, n);
    unlink(path);
    unlink(path2);
    free(ng);
    free(theirs);
    free(rec.buf);
    dlclose(l.lib);
}

static void test_reader_errors(void **state) {
    (void)state;
    c9_usbmon_reader_t r;
    c9_usbmon_packet_t p;
    assert_int_equal(c9_usbmon_open(&r, (const uint8_t *)"", 0), C9_ERR_USBMON_FORMAT);
    assert_int_equal(c9_usbmon_open(&r, (const uint8_t *)"GIF89a..", 8), C9_ERR_USBMON_FORMAT);
    uint8_t hdr[24];
    c9_usbmon_write_file_header(hdr, sizeof hdr, 65535);
    assert_int_equal(c9_usbmon_open(&r, hdr, 20), C9_ERR_USBMON_TRUNCATED);
    hdr[20] = 1; // Ethernet
    assert_int_equal(c9_usbmon_open(&r, hdr, 24), C9_ERR_USBMON_LINKTYPE);
    hdr[20] = 189; // the 48-byte header variant
    assert_int_equal(c9_usbmon_open(&r, hdr, 24), C9_OK);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_ERR_NOENT);
    // A big-endian file (magic a1b2c3d4 read as bytes a1 b2 c3 d4) with one 48-byte record.
    uint8_t be[24 + 16 + 52] = {0xA1, 0xB2, 0xC3, 0xD4, 0, 2, 0,    4,    0, 0, 0, 0,
                                0,    0,    0,    0,    0, 0, 0xFF, 0xFF, 0, 0, 0, 189};
    uint8_t *rec = be + 24;
    rec[11] = 52; // caplen
    rec[15] = 52;
    uint8_t *u = rec + 16;
    u[7] = 0x2A; // id
    u[8] = 'C';
    u[9] = C9_USBMON_BULK;
    u[10] = 0x81;
    u[11] = 5; // devnum
    u[13] = 3; // busnum (big-endian 16)
    u[14] = '-';
    u[15] = 0;
    u[39] = 4; // len_cap
    memcpy(u + 48, "\xDE\xAD\xBE\xEF", 4);
    assert_int_equal(c9_usbmon_open(&r, be, sizeof be), C9_OK);
    assert_true(r.swapped);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_OK);
    assert_int_equal(p.id, 0x2A);
    assert_int_equal(p.busnum, 3);
    assert_int_equal(p.devnum, 5);
    assert_false(p.setup_valid);
    assert_int_equal(p.data_len, 4);
    assert_memory_equal(p.data, "\xDE\xAD\xBE\xEF", 4);
    // A record longer than the file, and one shorter than a usbmon header.
    assert_int_equal(c9_usbmon_open(&r, be, sizeof be - 1), C9_OK);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_ERR_USBMON_TRUNCATED);
    rec[11] = 40;
    assert_int_equal(c9_usbmon_open(&r, be, 24 + 16 + 40), C9_OK);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_ERR_USBMON_FORMAT);
    // pcapng: a bad byte-order magic; a block whose trailing length disagrees.
    uint32_t ng[7 + 5] = {0x0A0D0D0A, 28, 0x12345678, 1, 0xFFFFFFFF, 0xFFFFFFFF, 28, 1, 20, 220, 0, 20};
    assert_int_equal(c9_usbmon_open(&r, (const uint8_t *)ng, sizeof ng), C9_ERR_USBMON_FORMAT);
    ng[2] = 0x1A2B3C4D;
    assert_int_equal(c9_usbmon_open(&r, (const uint8_t *)ng, sizeof ng), C9_OK);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_ERR_NOENT);
    ng[11] = 24;
    assert_int_equal(c9_usbmon_open(&r, (const uint8_t *)ng, sizeof ng), C9_OK);
    assert_int_equal(c9_usbmon_next(&r, &p), C9_ERR_USBMON_FORMAT);
    // The writer refuses a buffer that is too small.
    c9_usbmon_packet_t w = {.type = 'S', .data = (const uint8_t *)"abc", .data_len = 3};
    uint8_t small[82];
    assert_int_equal(c9_usbmon_write_packet(&w, small, sizeof small), 0);
    uint8_t fits[83];
    assert_int_equal(c9_usbmon_write_packet(&w, fits, sizeof fits), 83);
}

/* ---- replay ---- */

static void test_replay_of_a_recording(void **state) {
    (void)state;
    recorder_t rec = record_keyboard("replay");
    static c9_usbsim_replay_t rp;
    assert_int_equal(c9_usbsim_replay_init(&rp, rec.buf, rec.len, 0, 0, C9_USB_SPEED_LOW), C9_OK);
    assert_int_equal(rp.devnum, 1);
    rig_t *r = rig_new(&rp.dev);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0001, 0, &d), C9_OK);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&r->host, d, &info), C9_OK);
    assert_int_equal(info.config_value, 1);
    assert_int_equal(info.speed, C9_USB_SPEED_LOW);
    char s[32];
    size_t n;
    assert_int_equal(c9_usbh_get_string(&r->host, d, 2, 0, s, sizeof s, &n, 100), C9_OK);
    assert_string_equal(s, "Virtual Keyboard");
    // The recorded class requests are answered; the reports come in recorded order.
    uint8_t leds = 1;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_IDLE, 0, 0, NULL, 0, 100, NULL), C9_OK);
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_REPORT, 0x200, 0, &leds, 1, 100, NULL),
                     C9_OK);
    char typed[16];
    read_text(r, d, typed, 6);
    assert_string_equal(typed, "replay");
    assert_true(c9_usbsim_replay_done(&rp));
    uint8_t b[8];
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 50, &n), C9_ERR_TIMEDOUT);
    assert_int_equal(rp.mismatches, 0);
    assert_int_equal(rp.unmatched_requests, 0);
    // A request the recording never saw stalls; different OUT data is counted.
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0xA1, C9_USB_HID_GET_IDLE, 0, 0, b, 1, 100, &n),
                     C9_ERR_USB_STALL);
    assert_int_equal(rp.unmatched_requests, 1);
    leds = 4;
    assert_int_equal(c9_usbh_ctrl_transfer(&r->host, d, 0x21, C9_USB_HID_SET_REPORT, 0x200, 0, &leds, 1, 100, NULL),
                     C9_OK);
    assert_int_equal(rp.mismatches, 1);
    rig_free(r);
    free(rec.buf);
}

static void test_replay_stall_and_fixture(void **state) {
    (void)state;
    // A recording with a stall in it replays the stall at the same point.
    static c9_usbsim_keyboard_t kbd;
    c9_usbsim_keyboard_init(&kbd, NULL);
    c9_usbsim_keyboard_type(&kbd, "xy", 2);
    recorder_t rec;
    rec_init(&rec);
    rig_t *r = recorded_rig(&kbd.dev, &rec);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&r->host, -1, -1, 0, &d), C9_OK);
    uint8_t b[8];
    size_t n;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_OK);
    c9_usbsim_fault_t f = {.ep = 0x81, .request = -1, .kind = C9_USBSIM_FAULT_STALL, .count = 1};
    c9_usbsim_fault_add(&r->bus, &f);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_ERR_USB_STALL);
    assert_int_equal(c9_usbh_clear_halt(&r->host, d, 0x81, 100), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_OK);
    rig_free(r);
    static c9_usbsim_replay_t rp;
    assert_int_equal(c9_usbsim_replay_init(&rp, rec.buf, rec.len, 0, 0, 0), C9_OK);
    r = rig_new(&rp.dev);
    assert_int_equal(c9_usbh_find(&r->host, -1, -1, 0, &d), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_OK);
    assert_int_equal(b[2], 0x1B); // 'x'
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_ERR_USB_STALL);
    assert_int_equal(c9_usbh_clear_halt(&r->host, d, 0x81, 100), C9_OK);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 8, 100, &n), C9_OK);
    assert_int_equal(b[2], 0); // the release of 'x'
    rig_free(r);
    free(rec.buf);

    // The committed recording: the keyboard model typing "hello\n" (regenerated with
    // C9_WRITE_USB_FIXTURE=path; see tests/fixtures/usb/PROVENANCE.md).
    const char *out = getenv("C9_WRITE_USB_FIXTURE");
    if (out != NULL) {
        recorder_t fx = record_keyboard("hello\n");
        write_file(out, fx.buf, fx.len);
        free(fx.buf);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/usb/keyboard-hello.pcap", C9_SOURCE_DIR);
    size_t len;
    uint8_t *file = slurp(path, &len);
    assert_non_null(file);
    assert_int_equal(c9_usbsim_replay_init(&rp, file, len, 0, 0, C9_USB_SPEED_LOW), C9_OK);
    r = rig_new(&rp.dev);
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0001, 0, &d), C9_OK);
    char typed[16];
    read_text(r, d, typed, 6);
    assert_string_equal(typed, "hello\n");
    rig_free(r);
    // Errors: not a capture; a capture without that device.
    assert_int_equal(c9_usbsim_replay_init(&rp, (const uint8_t *)"nope", 4, 0, 0, 0), C9_ERR_USBMON_FORMAT);
    assert_int_equal(c9_usbsim_replay_init(&rp, file, len, 0, 9, 0), C9_ERR_NOENT);
    free(file);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_reads_back),
        cmocka_unit_test(test_libpcap_cross_check),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_replay_of_a_recording),
        cmocka_unit_test(test_replay_stall_and_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
