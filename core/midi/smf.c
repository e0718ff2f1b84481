/* Standard MIDI File reader (SMF 1.0) and USB-MIDI 1.0 event packets. */
#include "circuit9/smf.h"

#include <string.h>

enum { T_NEED_DELTA = 0, T_READY = 1, T_DONE = 2 };

const char *c9_smf_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t be16(const uint8_t *p) {
    return (uint16_t)((p[0] << 8) | p[1]);
}

c9_err_t c9_smf_open(c9_smf_t *smf, const uint8_t *data, size_t len) {
    if (smf == NULL || data == NULL) {
        return C9_ERR_INVAL;
    }
    memset(smf, 0, sizeof *smf);
    if (len < 4 || memcmp(data, "MThd", 4) != 0) {
        return C9_ERR_SMF_FORMAT;
    }
    if (len < 8) {
        return C9_ERR_SMF_TRUNCATED;
    }
    uint32_t hlen = be32(data + 4);
    if (hlen < 6) {
        return C9_ERR_SMF_FORMAT;
    }
    if (hlen > len - 8) {
        return C9_ERR_SMF_TRUNCATED;
    }
    uint16_t format = be16(data + 8), ntracks = be16(data + 10);
    int16_t division = (int16_t)be16(data + 12);
    if (format > 2 || ntracks == 0 || division == 0) {
        return C9_ERR_SMF_FORMAT;
    }
    if (division < 0) {
        int fps = -(int8_t)((uint16_t)division >> 8);
        if ((fps != 24 && fps != 25 && fps != 29 && fps != 30) || (division & 0xFF) == 0) {
            return C9_ERR_SMF_FORMAT;
        }
    }
    size_t off = 8 + (size_t)hlen;
    unsigned found = 0;
    while (found < ntracks && len - off >= 8) {
        uint32_t clen = be32(data + off + 4);
        bool mtrk = memcmp(data + off, "MTrk", 4) == 0;
        size_t start = off + 8;
        bool cut = clen > len - start;
        if (mtrk) {
            if (found >= C9_SMF_MAX_TRACKS) {
                return C9_ERR_SMF_LIMIT;
            }
            smf->track[found].start = (uint32_t)start;
            smf->track[found].end = (uint32_t)(cut ? len : start + clen);
            found++;
        } else if (cut) {
            return C9_ERR_SMF_TRUNCATED;
        }
        off = cut ? len : start + clen;
    }
    if (found == 0) {
        return C9_ERR_SMF_TRUNCATED;
    }
    if (len > UINT32_MAX) {
        return C9_ERR_SMF_LIMIT; // offsets are 32-bit
    }
    smf->data = data;
    smf->len = len;
    smf->format = format;
    smf->ntracks = (uint16_t)found;
    smf->division = division;
    c9_smf_rewind(smf);
    return C9_OK;
}

void c9_smf_rewind(c9_smf_t *smf) {
    if (smf == NULL || smf->data == NULL) {
        return;
    }
    smf->current = 0;
    smf->error = C9_OK;
    smf->tempo = 500000;
    smf->tempo_tick = 0;
    smf->tempo_us = 0;
    smf->last_tick = 0;
    for (unsigned i = 0; i < smf->ntracks; i++) {
        c9_smf_track_t *t = &smf->track[i];
        t->pos = t->start;
        t->running = 0;
        t->next_tick = 0;
        t->state = T_NEED_DELTA;
    }
}

/* A variable-length quantity: at most 4 bytes (SMF 1.0 limits them to 0x0FFFFFFF). */
static c9_err_t read_vlq(const c9_smf_t *smf, c9_smf_track_t *t, uint32_t *out) {
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (t->pos >= t->end) {
            return C9_ERR_SMF_TRUNCATED;
        }
        uint8_t b = smf->data[t->pos++];
        v = (v << 7) | (b & 0x7F);
        if (!(b & 0x80)) {
            *out = v;
            return C9_OK;
        }
    }
    return C9_ERR_SMF_DATA;
}

/* Reads the delta time in front of a track's next event. */
static c9_err_t prime(c9_smf_t *smf, c9_smf_track_t *t) {
    if (t->state != T_NEED_DELTA) {
        return C9_OK;
    }
    if (t->pos >= t->end) {
        t->state = T_DONE; // a track may end without End of Track
        return C9_OK;
    }
    uint32_t delta;
    c9_err_t err = read_vlq(smf, t, &delta);
    if (err != C9_OK) {
        return err;
    }
    t->next_tick += delta;
    t->state = T_READY;
    return C9_OK;
}

static uint64_t tick_to_us(const c9_smf_t *smf, uint64_t tick) {
    if (smf->division < 0) {
        uint64_t fps = (uint64_t) - (int8_t)((uint16_t)smf->division >> 8), tpf = (uint64_t)(smf->division & 0xFF);
        // 29 stands for 29.97 (30000/1001) frames per second.
        uint64_t num = fps == 29 ? 1001000000u : 1000000u, den = fps == 29 ? 30000u * tpf : fps * tpf;
        return tick / den * num + tick % den * num / den;
    }
    uint64_t div = (uint64_t)smf->division, d = tick - smf->tempo_tick;
    return smf->tempo_us + d / div * smf->tempo + d % div * smf->tempo / div;
}

static c9_err_t parse_event(c9_smf_t *smf, c9_smf_track_t *t, c9_smf_event_t *ev) {
    const uint8_t *p = smf->data;
    if (t->pos >= t->end) {
        return C9_ERR_SMF_TRUNCATED;
    }
    uint8_t status = p[t->pos];
    if (status & 0x80) {
        t->pos++;
    } else if (t->running != 0) {
        status = t->running;
    } else {
        return C9_ERR_SMF_DATA;
    }
    if (status < 0xF0) {
        uint8_t n = ((status & 0xF0) == 0xC0 || (status & 0xF0) == 0xD0) ? 1 : 2;
        if (t->end - t->pos < n) {
            return C9_ERR_SMF_TRUNCATED;
        }
        ev->kind = C9_SMF_CHANNEL;
        ev->msg[0] = status;
        for (uint8_t i = 0; i < n; i++) {
            uint8_t b = p[t->pos + i];
            if (b & 0x80) {
                return C9_ERR_SMF_DATA;
            }
            ev->msg[1 + i] = b;
        }
        ev->msg_len = (uint8_t)(n + 1);
        t->pos += n;
        t->running = status;
        return C9_OK;
    }
    if (status != 0xF0 && status != 0xF7 && status != 0xFF) {
        return C9_ERR_SMF_DATA; // system common and real-time bytes have no place in an SMF
    }
    t->running = 0;
    if (status == 0xFF) {
        if (t->pos >= t->end) {
            return C9_ERR_SMF_TRUNCATED;
        }
        ev->meta_type = p[t->pos++];
        ev->kind = C9_SMF_META;
    } else {
        ev->kind = C9_SMF_SYSEX;
        ev->sysex_f0 = status == 0xF0;
    }
    uint32_t len;
    c9_err_t err = read_vlq(smf, t, &len);
    if (err != C9_OK) {
        return err;
    }
    if (len > t->end - t->pos) {
        return C9_ERR_SMF_TRUNCATED;
    }
    ev->data = p + t->pos;
    ev->data_len = len;
    t->pos += len;
    if (ev->kind == C9_SMF_META && ev->meta_type == 0x51 && len != 3) {
        return C9_ERR_SMF_DATA;
    }
    return C9_OK;
}

c9_err_t c9_smf_next(c9_smf_t *smf, c9_smf_event_t *ev) {
    if (smf == NULL || ev == NULL || smf->data == NULL) {
        return C9_ERR_INVAL;
    }
    if (smf->error != C9_OK) {
        return smf->error;
    }
    c9_smf_track_t *best = NULL;
    unsigned best_i = 0;
    for (;;) {
        unsigned first = smf->format == 2 ? smf->current : 0;
        unsigned last = smf->format == 2 ? smf->current + 1u : smf->ntracks;
        for (unsigned i = first; i < last && i < smf->ntracks; i++) {
            c9_smf_track_t *t = &smf->track[i];
            c9_err_t err = prime(smf, t);
            if (err != C9_OK) {
                return smf->error = err;
            }
            if (t->state == T_READY && (best == NULL || t->next_tick < best->next_tick)) {
                best = t;
                best_i = i;
            }
        }
        if (best != NULL || smf->format != 2 || smf->current + 1u >= smf->ntracks) {
            break;
        }
        // Format 2: the next pattern starts where the last one ended.
        smf->current++;
        smf->track[smf->current].next_tick = smf->last_tick;
    }
    if (best == NULL) {
        return C9_ERR_NOENT;
    }
    memset(ev, 0, sizeof *ev);
    ev->track = (uint8_t)best_i;
    ev->tick = best->next_tick;
    ev->time_us = tick_to_us(smf, best->next_tick);
    c9_err_t err = parse_event(smf, best, ev);
    if (err != C9_OK) {
        return smf->error = err;
    }
    smf->last_tick = best->next_tick;
    best->state = T_NEED_DELTA;
    if (ev->kind == C9_SMF_META) {
        if (ev->meta_type == 0x2F) {
            best->state = T_DONE;
        } else if (ev->meta_type == 0x51) {
            smf->tempo_us = ev->time_us;
            smf->tempo_tick = ev->tick;
            smf->tempo = ((uint32_t)ev->data[0] << 16) | ((uint32_t)ev->data[1] << 8) | ev->data[2];
        }
    }
    return C9_OK;
}

c9_err_t c9_smf_validate(c9_smf_t *smf, uint64_t *duration_us) {
    if (smf == NULL || smf->data == NULL) {
        return C9_ERR_INVAL;
    }
    c9_smf_rewind(smf);
    c9_smf_event_t ev;
    c9_err_t err;
    uint64_t last = 0;
    while ((err = c9_smf_next(smf, &ev)) == C9_OK) {
        last = ev.time_us;
    }
    c9_smf_rewind(smf);
    if (duration_us) {
        *duration_us = last;
    }
    return err == C9_ERR_NOENT ? C9_OK : err;
}

/* ---- USB-MIDI ---- */

uint8_t c9_usbmidi_cin_len(uint8_t cin) {
    static const uint8_t len[16] = {0, 0, 2, 3, 3, 1, 2, 3, 3, 3, 3, 3, 2, 2, 3, 1};
    return len[cin & 0x0F];
}

c9_err_t c9_usbmidi_pack(uint8_t cable, const uint8_t *msg, size_t len, uint8_t out[4]) {
    if (msg == NULL || out == NULL || len == 0 || len > 3 || cable > 15) {
        return C9_ERR_INVAL;
    }
    uint8_t s = msg[0], cin;
    size_t want;
    if (s < 0x80) {
        return C9_ERR_INVAL;
    }
    if (s < 0xF0) {
        cin = (uint8_t)(s >> 4);
        want = (cin == 0xC || cin == 0xD) ? 2 : 3;
    } else if (s == 0xF0) {
        // A whole sysex this short: F0 F7 or F0 xx F7.
        if (len < 2 || msg[len - 1] != 0xF7) {
            return C9_ERR_INVAL;
        }
        cin = len == 2 ? 6 : 7;
        want = len;
    } else if (s == 0xF1 || s == 0xF3) {
        cin = 2;
        want = 2;
    } else if (s == 0xF2) {
        cin = 3;
        want = 3;
    } else if (s == 0xF6) {
        cin = 5;
        want = 1;
    } else if (s >= 0xF8) {
        cin = 0xF;
        want = 1;
    } else {
        return C9_ERR_INVAL; // F4, F5 undefined; F7 only ends a sysex
    }
    if (len != want) {
        return C9_ERR_INVAL;
    }
    for (size_t i = 1; i < len; i++) {
        if ((msg[i] & 0x80) && !(s == 0xF0 && i == len - 1)) {
            return C9_ERR_INVAL;
        }
    }
    out[0] = (uint8_t)((cable << 4) | cin);
    out[1] = out[2] = out[3] = 0;
    memcpy(out + 1, msg, len);
    return C9_OK;
}

c9_err_t c9_usbmidi_sysex(uint8_t cable, bool f0_prefix, const uint8_t *data, size_t len, size_t *pos, uint8_t out[4]) {
    if (pos == NULL || out == NULL || (data == NULL && len > 0) || cable > 15) {
        return C9_ERR_INVAL;
    }
    size_t total = len + (f0_prefix ? 1 : 0);
    if (*pos >= total) {
        return C9_ERR_NOENT;
    }
    uint8_t chunk[3] = {0, 0, 0};
    size_t n = 0;
    bool ended = false;
    while (n < 3 && *pos + n < total && !ended) {
        size_t i = *pos + n;
        uint8_t b = f0_prefix ? (i == 0 ? 0xF0 : data[i - 1]) : data[i];
        chunk[n++] = b;
        ended = b == 0xF7;
    }
    out[0] = (uint8_t)((cable << 4) | (ended ? 4 + n : 4));
    memcpy(out + 1, chunk, 3);
    *pos += n;
    return C9_OK;
}
