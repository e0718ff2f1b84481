/* Standard MIDI Files and USB-MIDI: the reader against files built here, whose event times are
 * worked out by hand from SMF 1.0 (ticks * tempo / division); packets against the USB MIDI 1.0
 * Code Index Number table; and the MIDI device model playing a file to the host at the file's
 * tempo, queued until read. */
#include "usb_test.h"

typedef struct {
    uint8_t b[4096];
    size_t n;
} smfbuf_t;

static void put(smfbuf_t *s, const void *p, size_t n) {
    assert_true(s->n + n <= sizeof s->b);
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void put32(smfbuf_t *s, uint32_t v) {
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(s, b, 4);
}

static void header(smfbuf_t *s, uint16_t format, uint16_t ntracks, uint16_t division) {
    put(s, "MThd", 4);
    put32(s, 6);
    uint8_t h[6] = {(uint8_t)(format >> 8), (uint8_t)format,          (uint8_t)(ntracks >> 8),
                    (uint8_t)ntracks,       (uint8_t)(division >> 8), (uint8_t)division};
    put(s, h, 6);
}

static void track(smfbuf_t *s, const uint8_t *events, size_t n) {
    put(s, "MTrk", 4);
    put32(s, (uint32_t)n);
    put(s, events, n);
}

/* Format 0, 96 ticks per quarter note, a tempo change, running status, sysex. */
static const uint8_t track0[] = {
    0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,       // tick 0: 500000 us per quarter
    0x00, 0x90, 0x3C, 0x64,                         // tick 0: note on C4
    0x60, 0x3E, 0x64,                               // tick 96 (running status): note on D4
    0x60, 0x80, 0x3C, 0x40,                         // tick 192: note off C4
    0x00, 0xFF, 0x51, 0x03, 0x03, 0xD0, 0x90,       // tick 192: 250000 us per quarter
    0x30, 0xC0, 0x05,                               // tick 240: program change 5
    0x30, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7, // tick 288: GM System On
    0x00, 0xE0, 0x00, 0x40,                         // tick 288: pitch bend centre
    0x01, 0xFF, 0x2F, 0x00,                         // tick 289: end of track
};

static void test_smf_format0(void **state) {
    (void)state;
    static smfbuf_t f;
    f.n = 0;
    header(&f, 0, 1, 96);
    track(&f, track0, sizeof track0);
    static c9_smf_t smf;
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    // 96 ticks at 500000 us/96 = 500 ms; after tick 192 at 250000 us/96: 48 ticks = 125 ms,
    // 1 tick = 2604.1666 us (floored).
    static const struct {
        uint64_t us, tick;
        uint8_t kind, status;
    } want[] = {
        {0, 0, C9_SMF_META, 0x51},          {0, 0, C9_SMF_CHANNEL, 0x90},
        {500000, 96, C9_SMF_CHANNEL, 0x90}, {1000000, 192, C9_SMF_CHANNEL, 0x80},
        {1000000, 192, C9_SMF_META, 0x51},  {1125000, 240, C9_SMF_CHANNEL, 0xC0},
        {1250000, 288, C9_SMF_SYSEX, 0xF0}, {1250000, 288, C9_SMF_CHANNEL, 0xE0},
        {1252604, 289, C9_SMF_META, 0x2F},
    };
    c9_smf_event_t ev;
    for (size_t i = 0; i < C9_ARRAY_SIZE(want); i++) {
        assert_int_equal(c9_smf_next(&smf, &ev), C9_OK);
        assert_int_equal(ev.time_us, want[i].us);
        assert_int_equal(ev.tick, want[i].tick);
        assert_int_equal(ev.kind, want[i].kind);
        if (ev.kind == C9_SMF_CHANNEL) {
            assert_int_equal(ev.msg[0], want[i].status);
        } else if (ev.kind == C9_SMF_META) {
            assert_int_equal(ev.meta_type, want[i].status);
        }
        if (i == 2) {
            assert_int_equal(ev.msg_len, 3);
            assert_int_equal(ev.msg[1], 0x3E);
        }
        if (i == 5) {
            assert_int_equal(ev.msg_len, 2);
            assert_int_equal(ev.msg[1], 5);
        }
        if (i == 6) {
            assert_true(ev.sysex_f0);
            assert_int_equal(ev.data_len, 5);
            assert_memory_equal(ev.data, "\x7E\x7F\x09\x01\xF7", 5);
        }
    }
    assert_int_equal(c9_smf_next(&smf, &ev), C9_ERR_NOENT);
    uint64_t dur;
    assert_int_equal(c9_smf_validate(&smf, &dur), C9_OK);
    assert_int_equal(dur, 1252604);
    // Rewound: the first event again.
    assert_int_equal(c9_smf_next(&smf, &ev), C9_OK);
    assert_int_equal(ev.meta_type, 0x51);
}

static void test_smf_format1_and_2(void **state) {
    (void)state;
    static smfbuf_t f;
    f.n = 0;
    // Format 1, 480 ticks/quarter: tempo map in track 0 (600000 us, then 300000 us at tick 480).
    static const uint8_t tempo[] = {0x00, 0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0, 0x83, 0x60, 0xFF,
                                    0x51, 0x03, 0x04, 0x93, 0xE0, 0x00, 0xFF, 0x2F, 0x00};
    static const uint8_t notes[] = {0x00, 0x91, 0x40, 0x50, 0x81, 0x70, 0x41, 0x50, 0x81, 0x70,
                                    0x42, 0x50, 0x81, 0x70, 0x43, 0x50, 0x81, 0x70, 0x44, 0x50};
    header(&f, 1, 2, 480);
    track(&f, tempo, sizeof tempo);
    put(&f, "XTRA\x00\x00\x00\x02\x01\x02", 10); // an unknown chunk between tracks is skipped
    track(&f, notes, sizeof notes);              // no End of Track: ends at its chunk's end
    static c9_smf_t smf;
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    assert_int_equal(smf.ntracks, 2);
    // Ticks 0, 240, 480, 720, 960 -> 0, 300 ms, 600 ms, 600 + 150, 600 + 300.
    static const uint64_t note_us[] = {0, 300000, 600000, 750000, 900000};
    c9_smf_event_t ev;
    unsigned notes_seen = 0, order = 0;
    while (c9_smf_next(&smf, &ev) == C9_OK) {
        order++;
        if (ev.kind == C9_SMF_CHANNEL) {
            assert_int_equal(ev.track, 1);
            assert_int_equal(ev.msg[1], 0x40 + notes_seen);
            assert_int_equal(ev.time_us, note_us[notes_seen]);
            notes_seen++;
        } else if (ev.kind == C9_SMF_META && ev.meta_type == 0x51 && ev.tick == 480) {
            assert_int_equal(order, 4); // before track 1's note at the same tick
        }
    }
    assert_int_equal(notes_seen, 5);

    // Format 2: the second pattern starts where the first ended (tick 96 at 500 ms).
    f.n = 0;
    static const uint8_t pat1[] = {0x00, 0x90, 0x30, 0x40, 0x60, 0xFF, 0x2F, 0x00};
    static const uint8_t pat2[] = {0x00, 0x90, 0x31, 0x40, 0x60, 0x80, 0x31, 0x00};
    header(&f, 2, 2, 96);
    track(&f, pat1, sizeof pat1);
    track(&f, pat2, sizeof pat2);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    uint64_t times[4];
    unsigned n = 0;
    while (c9_smf_next(&smf, &ev) == C9_OK && n < 4) {
        times[n++] = ev.time_us;
    }
    assert_int_equal(n, 4);
    assert_int_equal(times[0], 0);
    assert_int_equal(times[1], 500000);
    assert_int_equal(times[2], 500000);
    assert_int_equal(times[3], 1000000);

    // SMPTE: 25 fps x 40 ticks = 1000 ticks/s; 29.97 fps (-29) x 100 ticks: tick 2997 = 999999 us.
    static const uint8_t one[] = {0x81, 0x7A, 0x90, 0x30, 0x40}; // tick 250
    f.n = 0;
    header(&f, 0, 1, (uint16_t)((0xE7 << 8) | 40));
    track(&f, one, sizeof one);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    assert_int_equal(c9_smf_next(&smf, &ev), C9_OK);
    assert_int_equal(ev.time_us, 250000);
    static const uint8_t drop[] = {0x97, 0x35, 0x90, 0x30, 0x40}; // tick 2997
    f.n = 0;
    header(&f, 0, 1, (uint16_t)((0xE3 << 8) | 100));
    track(&f, drop, sizeof drop);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    assert_int_equal(c9_smf_next(&smf, &ev), C9_OK);
    assert_int_equal(ev.time_us, 999999);
}

static c9_err_t open_one(const uint8_t *events, size_t n, c9_smf_t *smf, smfbuf_t *f) {
    f->n = 0;
    header(f, 0, 1, 96);
    track(f, events, n);
    return c9_smf_open(smf, f->b, f->n);
}

static c9_err_t first_error(const uint8_t *events, size_t n) {
    static smfbuf_t f;
    static c9_smf_t smf;
    c9_err_t err = open_one(events, n, &smf, &f);
    if (err != C9_OK) {
        return err;
    }
    c9_smf_event_t ev;
    while ((err = c9_smf_next(&smf, &ev)) == C9_OK) {
    }
    c9_err_t again = c9_smf_next(&smf, &ev);
    assert_int_equal(again, err); // sticky
    return err;
}

static void test_smf_errors(void **state) {
    (void)state;
    static c9_smf_t smf;
    static smfbuf_t f;
    assert_int_equal(c9_smf_open(&smf, (const uint8_t *)"RIFF....", 8), C9_ERR_SMF_FORMAT);
    assert_int_equal(c9_smf_open(&smf, (const uint8_t *)"MThd\0\0", 6), C9_ERR_SMF_TRUNCATED);
    f.n = 0;
    put(&f, "MThd\x00\x00\x00\x05\x00\x00\x00\x01\x00", 13);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_ERR_SMF_FORMAT);
    f.n = 0;
    put(&f, "MThd\x00\x00\x00\x06\x00\x00\x00\x01", 12);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_ERR_SMF_TRUNCATED);
    static const uint16_t bad_headers[][3] = {
        {3, 1, 96}, {0, 0, 96}, {0, 1, 0}, {0, 1, (0xE6 << 8) | 10}, {0, 1, (0xE7 << 8) | 0}};
    static const uint8_t ok_events[] = {0x00, 0xFF, 0x2F, 0x00};
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad_headers); i++) {
        f.n = 0;
        header(&f, bad_headers[i][0], bad_headers[i][1], bad_headers[i][2]);
        track(&f, ok_events, sizeof ok_events);
        assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_ERR_SMF_FORMAT);
    }
    f.n = 0;
    header(&f, 0, 1, 96); // a header and no track
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_ERR_SMF_TRUNCATED);

    static const uint8_t no_running[] = {0x00, 0x3C, 0x40};
    assert_int_equal(first_error(no_running, sizeof no_running), C9_ERR_SMF_DATA);
    static const uint8_t long_vlq[] = {0x80, 0x80, 0x80, 0x80, 0x00, 0x90, 0x3C, 0x40};
    assert_int_equal(first_error(long_vlq, sizeof long_vlq), C9_ERR_SMF_DATA);
    static const uint8_t bad_tempo[] = {0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1};
    assert_int_equal(first_error(bad_tempo, sizeof bad_tempo), C9_ERR_SMF_DATA);
    static const uint8_t cut_note[] = {0x00, 0x90, 0x3C};
    assert_int_equal(first_error(cut_note, sizeof cut_note), C9_ERR_SMF_TRUNCATED);
    static const uint8_t cut_sysex[] = {0x00, 0xF0, 0x10, 0x01, 0x02};
    assert_int_equal(first_error(cut_sysex, sizeof cut_sysex), C9_ERR_SMF_TRUNCATED);
    static const uint8_t realtime[] = {0x00, 0xF8};
    assert_int_equal(first_error(realtime, sizeof realtime), C9_ERR_SMF_DATA);
    static const uint8_t data_in_note[] = {0x00, 0x90, 0x3C, 0x90};
    assert_int_equal(first_error(data_in_note, sizeof data_in_note), C9_ERR_SMF_DATA);
    // Sysex and meta events clear running status (SMF 1.0).
    static const uint8_t cleared[] = {0x00, 0x90, 0x3C, 0x40, 0x00, 0xFF, 0x01, 0x00, 0x00, 0x3C, 0x00};
    assert_int_equal(first_error(cleared, sizeof cleared), C9_ERR_SMF_DATA);
    // The last track cut short by the end of the file ends there.
    f.n = 0;
    header(&f, 0, 1, 96);
    put(&f, "MTrk\x00\x00\x01\x00\x00\x90\x3C\x40", 12);
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_OK);
    assert_int_equal(c9_smf_validate(&smf, NULL), C9_OK);
    // More tracks than C9_SMF_MAX_TRACKS.
    f.n = 0;
    header(&f, 1, C9_SMF_MAX_TRACKS + 1, 96);
    for (unsigned i = 0; i <= C9_SMF_MAX_TRACKS; i++) {
        track(&f, ok_events, sizeof ok_events);
    }
    assert_int_equal(c9_smf_open(&smf, f.b, f.n), C9_ERR_SMF_LIMIT);
}

static void test_usbmidi_packets(void **state) {
    (void)state;
    uint8_t p[4];
    // USB MIDI 1.0 table 4-1: CIN = status high nibble for channel messages.
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\x90\x3C\x64", 3, p), C9_OK);
    assert_memory_equal(p, "\x09\x90\x3C\x64", 4);
    assert_int_equal(c9_usbmidi_pack(3, (const uint8_t *)"\xC0\x05", 2, p), C9_OK);
    assert_memory_equal(p, "\x3C\xC0\x05\x00", 4);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\xF8", 1, p), C9_OK);
    assert_memory_equal(p, "\x0F\xF8\x00\x00", 4);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\xF2\x10\x20", 3, p), C9_OK);
    assert_memory_equal(p, "\x03\xF2\x10\x20", 4);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\xF1\x10", 2, p), C9_OK);
    assert_memory_equal(p, "\x02\xF1\x10\x00", 4);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\xF0\xF7", 2, p), C9_OK);
    assert_memory_equal(p, "\x06\xF0\xF7\x00", 4);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\x3C\x64", 2, p), C9_ERR_INVAL);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\x90\x3C", 2, p), C9_ERR_INVAL);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\x90\x3C\x80", 3, p), C9_ERR_INVAL);
    assert_int_equal(c9_usbmidi_pack(0, (const uint8_t *)"\xF4", 1, p), C9_ERR_INVAL);
    assert_int_equal(c9_usbmidi_cin_len(0x9), 3);
    assert_int_equal(c9_usbmidi_cin_len(0xC), 2);
    assert_int_equal(c9_usbmidi_cin_len(0x5), 1);
    assert_int_equal(c9_usbmidi_cin_len(0x0), 0);
    // Sysex of 6 bytes: 04 F0 7E 7F, then 07 09 01 F7. Of 4 bytes: 04 F0 01 02, 05 F7.
    const uint8_t gm[] = {0x7E, 0x7F, 0x09, 0x01, 0xF7};
    size_t pos = 0;
    assert_int_equal(c9_usbmidi_sysex(0, true, gm, sizeof gm, &pos, p), C9_OK);
    assert_memory_equal(p, "\x04\xF0\x7E\x7F", 4);
    assert_int_equal(c9_usbmidi_sysex(0, true, gm, sizeof gm, &pos, p), C9_OK);
    assert_memory_equal(p, "\x07\x09\x01\xF7", 4);
    assert_int_equal(c9_usbmidi_sysex(0, true, gm, sizeof gm, &pos, p), C9_ERR_NOENT);
    const uint8_t four[] = {0x01, 0x02, 0xF7};
    pos = 0;
    assert_int_equal(c9_usbmidi_sysex(0, true, four, sizeof four, &pos, p), C9_OK);
    assert_memory_equal(p, "\x04\xF0\x01\x02", 4);
    assert_int_equal(c9_usbmidi_sysex(0, true, four, sizeof four, &pos, p), C9_OK);
    assert_memory_equal(p, "\x05\xF7\x00\x00", 4);
}

/* ---- the device model ---- */

static void test_midi_model_plays_at_tempo(void **state) {
    (void)state;
    static smfbuf_t f;
    f.n = 0;
    header(&f, 0, 1, 96);
    track(&f, track0, sizeof track0);
    static c9_usbsim_midi_t midi;
    assert_int_equal(c9_usbsim_midi_init(&midi, NULL, f.b, f.n), C9_OK);
    rig_t *r = rig_new(&midi.dev);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0004, 0, &d), C9_OK);
    assert_true(midi.playing);
    uint64_t start = midi.start_ms;
    // Event packets in file order, each no earlier than start + its time (1 ms of polling late at
    // most): two notes, a note off, program change, sysex in two packets, pitch bend.
    static const struct {
        uint64_t ms;
        uint8_t pkt[4];
    } want[] = {
        {0, {0x09, 0x90, 0x3C, 0x64}},    {500, {0x09, 0x90, 0x3E, 0x64}},  {1000, {0x08, 0x80, 0x3C, 0x40}},
        {1125, {0x0C, 0xC0, 0x05, 0x00}}, {1250, {0x04, 0xF0, 0x7E, 0x7F}}, {1250, {0x07, 0x09, 0x01, 0xF7}},
        {1250, {0x0E, 0xE0, 0x00, 0x40}},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(want); i++) {
        uint8_t b[64];
        size_t got;
        assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 64, 0, &got), C9_OK);
        assert_int_equal(got, 4); // one packet per transfer by default
        assert_memory_equal(b, want[i].pkt, 4);
        uint64_t at = r->clock.now - start;
        assert_true(at >= want[i].ms);
        assert_true(at <= want[i].ms + 1 || (i > 0 && want[i].ms == want[i - 1].ms));
    }
    assert_true(c9_usbsim_midi_done(&midi));
    uint8_t b[64];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 64, 200, &got), C9_ERR_TIMEDOUT);
    // Packets the host writes are received.
    assert_int_equal(
        c9_usbh_write(&r->host, d, 0x01, (const uint8_t *)"\x09\x90\x40\x7F\x08\x80\x40\x00", 8, 100, &got), C9_OK);
    assert_int_equal(midi.rx_count, 2);
    assert_memory_equal(midi.rx[1], "\x08\x80\x40\x00", 4);
    rig_free(r);
}

static void test_midi_model_queues_until_read(void **state) {
    (void)state;
    static smfbuf_t f;
    f.n = 0;
    header(&f, 0, 1, 96);
    track(&f, track0, sizeof track0);
    static c9_usbsim_midi_t midi;
    assert_int_equal(c9_usbsim_midi_init(&midi, NULL, f.b, f.n), C9_OK);
    midi.packets_per_transfer = 4;
    rig_t *r = rig_new(&midi.dev);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&r->host, 0x1209, 0x0004, 0, &d), C9_OK);
    // Nobody reads for 3 s: everything is due, nothing is lost.
    for (int i = 0; i < 3000; i++) {
        c9_usbh_task(&r->host);
        vclock_delay(&r->clock, 1);
    }
    uint8_t b[64];
    size_t got;
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 64, 100, &got), C9_OK);
    assert_int_equal(got, 16); // four packets in one transfer
    assert_memory_equal(b, "\x09\x90\x3C\x64\x09\x90\x3E\x64\x08\x80\x3C\x40\x0C\xC0\x05\x00", 16);
    assert_int_equal(c9_usbh_read(&r->host, d, 0x81, b, 64, 100, &got), C9_OK);
    assert_int_equal(got, 12);
    assert_memory_equal(b, "\x04\xF0\x7E\x7F\x07\x09\x01\xF7\x0E\xE0\x00\x40", 12);
    assert_int_equal(midi.sent, 7);
    assert_true(c9_usbsim_midi_done(&midi));
    rig_free(r);
    // A broken file is refused up front.
    static const uint8_t broken[] = {0x00, 0xFF, 0x01, 0x00, 0x00, 0x3C, 0x40}; // data byte after a meta event
    f.n = 0;
    header(&f, 0, 1, 96);
    track(&f, broken, sizeof broken);
    assert_int_equal(c9_usbsim_midi_init(&midi, NULL, f.b, f.n), C9_ERR_SMF_DATA);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smf_format0),
        cmocka_unit_test(test_smf_format1_and_2),
        cmocka_unit_test(test_smf_errors),
        cmocka_unit_test(test_usbmidi_packets),
        cmocka_unit_test(test_midi_model_plays_at_tempo),
        cmocka_unit_test(test_midi_model_queues_until_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
