/*
 * circuit9 Standard MIDI Files and USB-MIDI event packets.
 *
 * An SMF reader that plays a file's events in time order (all tracks merged, the tempo map
 * applied) without copying or allocating, and the USB MIDI 1.0 event packet code (4 bytes:
 * cable number and Code Index Number, then up to 3 MIDI bytes).
 *
 *     c9_smf_t smf;                                     // the file bytes stay the caller's
 *     c9_err_t err = c9_smf_open(&smf, file, file_len);
 *     c9_smf_event_t ev;
 *     while ((err = c9_smf_next(&smf, &ev)) == C9_OK) {
 *         uint8_t pkt[4];
 *         if (ev.kind == C9_SMF_CHANNEL && c9_usbmidi_pack(0, ev.msg, ev.msg_len, pkt) == C9_OK)
 *             send_at(ev.time_us, pkt);
 *     }
 *     // err == C9_ERR_NOENT after the last event; c9_smf_rewind(&smf) plays it again
 *
 * Times: ticks are converted with the tempo in force (Set Tempo meta events of any track,
 * 500000 us per quarter note until the first), or with the SMPTE rate when the division is
 * negative (29 means 29.97 frames per second). Every event's time is computed from the last
 * tempo change, so rounding never accumulates. Format 0 and 1 files merge their tracks; a
 * format 2 file plays its tracks one after another. Events at the same time come in track
 * order, then file order.
 *
 * SMF 1.0 rules kept: running status for channel messages, cleared by sysex and meta events;
 * F0 sysex events get their F0 back in front of the stored bytes, F7 "escape" events are
 * passed as stored; chunks other than MThd and MTrk are skipped.
 */
#ifndef CIRCUIT9_SMF_H
#define CIRCUIT9_SMF_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors (common.h's error table, band midi): C9_ERR_SMF_FORMAT (no MThd header, a header
 * shorter than 6, format above 2, no tracks, division 0), C9_ERR_SMF_TRUNCATED (a chunk or event runs
 * past the end of the file or its track), C9_ERR_SMF_DATA (a data byte without running status, a
 * variable-length number over 4 bytes, a Set Tempo of the wrong length, a status byte SMF does not
 * allow), C9_ERR_SMF_LIMIT (more tracks than C9_SMF_MAX_TRACKS). */

const char *c9_smf_strerror(c9_err_t err);

typedef enum c9_smf_kind {
    C9_SMF_CHANNEL = 1, /* msg/msg_len: a channel voice/mode message with its status byte */
    C9_SMF_SYSEX = 2,   /* data/data_len: F0 ... as stored (with F0 prepended: see sysex_f0) or an F7 escape */
    C9_SMF_META = 3,    /* meta_type, data/data_len */
} c9_smf_kind_t;

typedef struct c9_smf_event {
    uint64_t time_us; /* from the start of the file */
    uint64_t tick;    /* absolute tick in its track (format 2: from the start of the file) */
    uint8_t track;
    uint8_t kind; /* c9_smf_kind_t */
    uint8_t msg[3];
    uint8_t msg_len; /* 2 or 3 */
    uint8_t meta_type;
    bool sysex_f0;       /* an F0 event: the message is F0 followed by data[0..data_len) */
    const uint8_t *data; /* points into the file */
    uint32_t data_len;
} c9_smf_event_t;

typedef struct c9_smf_track {
    uint32_t start, pos, end; /* byte offsets in the file */
    uint64_t next_tick;       /* absolute tick of the event at pos (once its delta is read) */
    uint8_t running;          /* running status, 0 none */
    uint8_t state;            /* private: delta to read, ready, ended */
} c9_smf_track_t;

typedef struct c9_smf {
    const uint8_t *data;
    size_t len;
    uint16_t format, ntracks;
    int16_t division;    /* > 0 ticks per quarter note; < 0: -fps in the high byte, ticks per frame low */
    uint16_t current;    /* format 2: the track playing */
    c9_err_t error;      /* sticky error of c9_smf_next */
    uint32_t tempo;      /* us per quarter note now */
    uint64_t tempo_tick; /* tick of the last tempo change */
    uint64_t tempo_us;   /* its time */
    uint64_t last_tick;  /* tick of the last event returned */
    c9_smf_track_t track[C9_SMF_MAX_TRACKS];
} c9_smf_t;

/* Checks the header and finds the tracks (walking the chunks, not the events). C9_OK,
 * C9_ERR_INVAL (NULL), C9_ERR_SMF_FORMAT, C9_ERR_SMF_TRUNCATED (a chunk past the end of the file;
 * the last MTrk may be cut short: it then ends at the end of the file), C9_ERR_SMF_LIMIT. */
c9_err_t c9_smf_open(c9_smf_t *smf, const uint8_t *data, size_t len);

/* Back to the first event. */
void c9_smf_rewind(c9_smf_t *smf);

/* The next event in time order. C9_OK, C9_ERR_NOENT at the end (every track ended, with or
 * without an End of Track meta event), C9_ERR_SMF_TRUNCATED, C9_ERR_SMF_DATA. After an error
 * the same error is returned again. */
c9_err_t c9_smf_next(c9_smf_t *smf, c9_smf_event_t *ev);

/* Reads every event once: C9_OK for a file that plays to its end, otherwise the first error.
 * *duration_us (may be NULL) gets the time of the last event. Leaves the reader rewound. */
c9_err_t c9_smf_validate(c9_smf_t *smf, uint64_t *duration_us);

/* ---- USB-MIDI 1.0 event packets ---- */

/* The number of MIDI bytes a Code Index Number carries (0 for the reserved CINs 0 and 1). */
uint8_t c9_usbmidi_cin_len(uint8_t cin);

/* Packs one complete MIDI message (channel message, system common or real-time, or a whole
 * sysex of at most 3 bytes F0..F7) into a packet. C9_ERR_INVAL for an empty message, a length that
 * does not match the status byte, a data byte first, or a longer sysex (use c9_usbmidi_sysex). */
c9_err_t c9_usbmidi_pack(uint8_t cable, const uint8_t *msg, size_t len, uint8_t out[4]);

/* Packs the next 1 to 3 bytes of a sysex stream into one packet, advancing *pos. The stream is
 * an F0 byte when f0_prefix, then data[0..len): an SMF F0 event's stored bytes, or an F7 escape
 * event's bytes continuing a sysex. A chunk that ends with F7 gets CIN 5/6/7; a chunk of 3
 * other bytes CIN 4; a last chunk of 1 or 2 bytes without F7 (a sysex continued in a later
 * event) is sent as CIN 4 padded with zeros. C9_OK, C9_ERR_NOENT when the stream is done,
 * C9_ERR_INVAL (NULL). */
c9_err_t c9_usbmidi_sysex(uint8_t cable, bool f0_prefix, const uint8_t *data, size_t len, size_t *pos, uint8_t out[4]);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_SMF_H */
