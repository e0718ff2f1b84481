/* A device that answers with what a recorded device answered (a usbmon capture). Every lookup
 * walks the capture with its own reader copy; nothing is indexed or copied. */
#include <string.h>

#include "usbsim_internal.h"

static c9_usbsim_replay_t *rp_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_replay_t *)d;
}

static bool ours(const c9_usbsim_replay_t *rp, const c9_usbmon_packet_t *p) {
    return p->devnum == rp->devnum && p->busnum == rp->busnum;
}

/* The completion of URB `id`, searching forward from r (a copy). */
static bool completion(const c9_usbsim_replay_t *rp, c9_usbmon_reader_t r, uint64_t id, c9_usbmon_packet_t *out) {
    while (c9_usbmon_next(&r, out) == C9_OK) {
        if ((out->type == 'C' || out->type == 'E') && out->id == id && ours(rp, out)) {
            return true;
        }
    }
    return false;
}

static bool is_get_descriptor(const c9_usbmon_packet_t *p, uint8_t req_type, uint16_t wvalue) {
    return p->type == 'S' && p->xfer_type == C9_USBMON_CONTROL && p->setup_valid && p->setup[0] == req_type &&
           p->setup[1] == C9_USB_REQ_GET_DESCRIPTOR && sim_rd16(p->setup + 2) == wvalue;
}

/* The longest recorded answer to GET_DESCRIPTOR(type, index), preferring the same wIndex. */
static const uint8_t *rp_descriptor(c9_usbsim_dev_t *d, bool itf, uint8_t type, uint8_t index, uint16_t windex,
                                    uint16_t *len) {
    c9_usbsim_replay_t *rp = rp_of(d);
    c9_usbmon_reader_t r = rp->start;
    c9_usbmon_packet_t p, c;
    const uint8_t *best = NULL, *other = NULL;
    uint32_t best_len = 0, other_len = 0;
    uint16_t wvalue = (uint16_t)((type << 8) | index);
    while (c9_usbmon_next(&r, &p) == C9_OK) {
        if (!ours(rp, &p) || !is_get_descriptor(&p, itf ? 0x81 : 0x80, wvalue) || !completion(rp, r, p.id, &c) ||
            c.status != 0 || !c.data_valid) {
            continue;
        }
        if (sim_rd16(p.setup + 4) == windex) {
            if (c.data_len > best_len || best == NULL) {
                best = c.data;
                best_len = c.data_len;
            }
        } else if (type == C9_USB_DESC_STRING && index != 0 && (c.data_len > other_len || other == NULL)) {
            other = c.data;
            other_len = c.data_len;
        }
    }
    if (best == NULL) {
        best = other;
        best_len = other_len;
    }
    *len = (uint16_t)C9_MIN(best_len, 0xFFFFu);
    return best;
}

/* Finds a recorded control request with this SETUP from reader position r; on success r is left
 * after the submission and c holds its completion. */
static bool find_request(const c9_usbsim_replay_t *rp, c9_usbmon_reader_t *r, const uint8_t setup[8],
                         c9_usbmon_packet_t *s, c9_usbmon_packet_t *c) {
    while (c9_usbmon_next(r, s) == C9_OK) {
        if (s->type == 'S' && s->xfer_type == C9_USBMON_CONTROL && s->setup_valid && ours(rp, s) &&
            memcmp(s->setup, setup, 8) == 0 && completion(rp, *r, s->id, c)) {
            return true;
        }
    }
    return false;
}

static int rp_control(c9_usbsim_dev_t *d, const c9_usb_setup_t *setup, uint8_t *data, uint16_t *len) {
    c9_usbsim_replay_t *rp = rp_of(d);
    uint8_t raw[8];
    c9_usb_setup_pack(setup, raw);
    c9_usbmon_reader_t r = rp->ctrl;
    c9_usbmon_packet_t s, c;
    // In recorded order; a request the host repeats out of order is looked for from the start.
    if (!find_request(rp, &r, raw, &s, &c)) {
        r = rp->start;
        if (!find_request(rp, &r, raw, &s, &c)) {
            rp->unmatched_requests++;
            return C9_USBSIM_STALL;
        }
    }
    rp->ctrl = r;
    if (c.status != 0) {
        return C9_USBSIM_STALL;
    }
    if (setup->bmRequestType & C9_USB_DIR_IN) {
        uint16_t n = (uint16_t)C9_MIN((uint32_t)*len, c.data_valid ? c.data_len : 0u);
        memcpy(data, c.data, n);
        *len = n;
    } else if (s.data_valid && (s.data_len != *len || memcmp(s.data, data, *len) != 0)) {
        rp->mismatches++;
    }
    return C9_OK;
}

/* The next recorded completion on IN endpoint `num` (stays positioned on it). */
static bool next_in(const c9_usbsim_replay_t *rp, c9_usbmon_reader_t *r, uint8_t num, c9_usbmon_packet_t *p) {
    for (;;) {
        c9_usbmon_reader_t save = *r;
        if (c9_usbmon_next(r, p) != C9_OK) {
            *r = save;
            return false;
        }
        if (p->type == 'C' && ours(rp, p) && p->ep == (0x80 | num) &&
            (p->xfer_type == C9_USBMON_BULK || p->xfer_type == C9_USBMON_INTERRUPT) &&
            (p->status == 0 || p->status == C9_USBMON_STATUS_EPIPE)) {
            *r = save;
            return true;
        }
    }
}

static int rp_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_replay_t *rp = rp_of(d);
    uint8_t num = ep & 0x0F;
    c9_usbmon_packet_t p;
    if (!next_in(rp, &rp->in[num], num, &p)) {
        return C9_USBSIM_NAK;
    }
    if (p.status != 0) {
        c9_usbmon_next(&rp->in[num], &p); // a recorded stall happens once
        rp->in_offset[num] = 0;
        return C9_USBSIM_STALL;
    }
    uint32_t left = p.data_valid && p.data_len > rp->in_offset[num] ? p.data_len - rp->in_offset[num] : 0;
    uint16_t n = (uint16_t)C9_MIN(left, (uint32_t)max);
    memcpy(buf, p.data + rp->in_offset[num], n);
    return n;
}

static void rp_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    c9_usbsim_replay_t *rp = rp_of(d);
    uint8_t num = ep & 0x0F;
    c9_usbmon_packet_t p;
    if (!next_in(rp, &rp->in[num], num, &p)) {
        return;
    }
    rp->in_offset[num] += len;
    if (!p.data_valid || rp->in_offset[num] >= p.data_len) {
        c9_usbmon_next(&rp->in[num], &p);
        rp->in_offset[num] = 0;
    }
}

static int rp_out(c9_usbsim_dev_t *d, uint8_t ep, const uint8_t *data, uint16_t len) {
    c9_usbsim_replay_t *rp = rp_of(d);
    uint8_t num = ep & 0x0F;
    c9_usbmon_reader_t *r = &rp->out[num];
    c9_usbmon_packet_t p;
    for (;;) {
        c9_usbmon_reader_t save = *r;
        if (c9_usbmon_next(r, &p) != C9_OK) {
            *r = save;
            return C9_OK; // past the recording: accepted, unchecked
        }
        if (p.type == 'S' && ours(rp, &p) && p.ep == num &&
            (p.xfer_type == C9_USBMON_BULK || p.xfer_type == C9_USBMON_INTERRUPT)) {
            *r = save;
            break;
        }
    }
    uint32_t off = rp->out_offset[num];
    uint32_t have = p.data_valid && p.data_len > off ? p.data_len - off : 0;
    if (have < len || memcmp(p.data + off, data, len) != 0) {
        rp->mismatches++;
    }
    rp->out_offset[num] = off + len;
    if (rp->out_offset[num] >= p.data_len || len == 0) {
        c9_usbmon_next(r, &p);
        rp->out_offset[num] = 0;
    }
    return C9_OK;
}

static const c9_usbsim_dev_ops_t replay_ops = {
    .descriptor = rp_descriptor,
    .control = rp_control,
    .in = rp_in,
    .in_ack = rp_in_ack,
    .out = rp_out,
};

c9_err_t c9_usbsim_replay_init(c9_usbsim_replay_t *rp, const uint8_t *file, size_t len, uint16_t busnum, uint8_t devnum,
                               c9_usb_speed_t speed) {
    if (rp == NULL || file == NULL) {
        return C9_ERR_INVAL;
    }
    memset(rp, 0, sizeof *rp);
    c9_err_t err = c9_usbmon_open(&rp->start, file, len);
    if (err != C9_OK) {
        return err;
    }
    // The device: the first one (or the one asked for) whose device descriptor was read at a
    // real address. Enumeration at address 0 belongs to whichever device was being reset.
    c9_usbmon_reader_t r = rp->start;
    c9_usbmon_packet_t p, c;
    bool found = false;
    while (!found && (err = c9_usbmon_next(&r, &p)) == C9_OK) {
        if (p.devnum == 0 || !is_get_descriptor(&p, 0x80, C9_USB_DESC_DEVICE << 8) ||
            (devnum != 0 && p.devnum != devnum) || (busnum != 0 && p.busnum != busnum)) {
            continue;
        }
        rp->devnum = p.devnum;
        rp->busnum = p.busnum;
        found = completion(rp, r, p.id, &c) && c.status == 0 && c.data_valid && c.data_len >= 8;
    }
    if (err != C9_OK && err != C9_ERR_NOENT) {
        return err;
    }
    if (!found) {
        return C9_ERR_NOENT;
    }
    rp->file = file;
    rp->file_len = len;
    rp->ctrl = rp->start;
    for (unsigned i = 0; i < 16; i++) {
        rp->in[i] = rp->start;
        rp->out[i] = rp->start;
    }
    rp->dev.ops = &replay_ops;
    rp->dev.speed = speed ? speed : C9_USB_SPEED_FULL;
    return C9_OK;
}

bool c9_usbsim_replay_done(const c9_usbsim_replay_t *rp) {
    for (uint8_t num = 1; num < 16; num++) {
        c9_usbmon_reader_t r = rp->in[num];
        c9_usbmon_packet_t p;
        if (next_in(rp, &r, num, &p)) {
            return false;
        }
    }
    return true;
}
