/* USB-MIDI device model playing a Standard MIDI File. Descriptors follow the USB MIDI 1.0
 * specification's example device (Appendix B): an audio control interface, a MIDI streaming
 * interface with an embedded and an external jack each way, and two bulk endpoints with their
 * class-specific MS_GENERAL descriptors. */
#include <string.h>

#include "usbsim_internal.h"

static const uint8_t midi_config[101] = {
    9,
    C9_USB_DESC_CONFIGURATION,
    101,
    0,
    2,
    1,
    0,
    0x80,
    50,
    // audio control interface and its header (one streaming interface: 1)
    9,
    C9_USB_DESC_INTERFACE,
    0,
    0,
    0,
    C9_USB_CLASS_AUDIO,
    C9_USB_SUBCLASS_AUDIO_CONTROL,
    0,
    0,
    9,
    C9_USB_DESC_CS_INTERFACE,
    1,
    0x00,
    0x01,
    9,
    0,
    1,
    1,
    // MIDI streaming interface, header (65 bytes of class-specific descriptors), jacks
    9,
    C9_USB_DESC_INTERFACE,
    1,
    0,
    2,
    C9_USB_CLASS_AUDIO,
    C9_USB_SUBCLASS_MIDI_STREAMING,
    0,
    0,
    7,
    C9_USB_DESC_CS_INTERFACE,
    1,
    0x00,
    0x01,
    65,
    0,
    6,
    C9_USB_DESC_CS_INTERFACE,
    2,
    1,
    1,
    0, // IN jack, embedded, id 1
    6,
    C9_USB_DESC_CS_INTERFACE,
    2,
    2,
    2,
    0, // IN jack, external, id 2
    9,
    C9_USB_DESC_CS_INTERFACE,
    3,
    1,
    3,
    1,
    2,
    1,
    0, // OUT jack, embedded, id 3, from jack 2
    9,
    C9_USB_DESC_CS_INTERFACE,
    3,
    2,
    4,
    1,
    1,
    1,
    0, // OUT jack, external, id 4, from jack 1
    // bulk OUT 0x01 feeding embedded IN jack 1; bulk IN 0x81 from embedded OUT jack 3
    9,
    C9_USB_DESC_ENDPOINT,
    0x01,
    C9_USB_XFER_BULK,
    64,
    0,
    0,
    0,
    0,
    5,
    C9_USB_DESC_CS_ENDPOINT,
    1,
    1,
    1,
    9,
    C9_USB_DESC_ENDPOINT,
    0x81,
    C9_USB_XFER_BULK,
    64,
    0,
    0,
    0,
    0,
    5,
    C9_USB_DESC_CS_ENDPOINT,
    1,
    1,
    3,
};

static c9_usbsim_midi_t *midi_of(c9_usbsim_dev_t *d) {
    return (c9_usbsim_midi_t *)d;
}

/* Loads the next event to send (meta events are not sent), so that the end of the file is
 * known as soon as its last event has gone out. */
static void load_next(c9_usbsim_midi_t *m) {
    while (!m->file_done) {
        c9_err_t err = c9_smf_next(&m->smf, &m->ev);
        if (err != C9_OK) {
            m->file_done = true;
            if (err != C9_ERR_NOENT) {
                m->error = err;
            }
            return;
        }
        if (m->ev.kind != C9_SMF_META) {
            m->have_ev = true;
            m->sysex_pos = 0;
            return;
        }
    }
}

/* Moves packets whose time has come from the file into the outbox. */
static void fill(c9_usbsim_midi_t *m) {
    uint8_t limit = (uint8_t)C9_MIN(C9_MAX(m->packets_per_transfer, 1), C9_ARRAY_SIZE(m->outbox));
    uint64_t now_us = m->dev.now_ms * 1000u;
    while (m->playing && m->have_ev && m->out_count < limit) {
        if (m->start_ms * 1000u + m->ev.time_us > now_us) {
            return; // not yet: it waits in the file
        }
        uint8_t *pkt = m->outbox[m->out_count];
        if (m->ev.kind == C9_SMF_CHANNEL) {
            c9_usbmidi_pack(0, m->ev.msg, m->ev.msg_len, pkt);
            m->out_count++;
            m->have_ev = false;
        } else {
            if (c9_usbmidi_sysex(0, m->ev.sysex_f0, m->ev.data, m->ev.data_len, &m->sysex_pos, pkt) == C9_OK) {
                m->out_count++;
            }
            if (m->sysex_pos < m->ev.data_len + (m->ev.sysex_f0 ? 1u : 0u)) {
                continue;
            }
            m->have_ev = false;
        }
        load_next(m);
    }
}

static int midi_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    c9_usbsim_midi_t *m = midi_of(d);
    if (ep != 0x81) {
        return C9_USBSIM_STALL;
    }
    fill(m);
    uint16_t n = (uint16_t)C9_MIN((uint16_t)(m->out_count * 4u), (uint16_t)(max / 4u * 4u));
    if (n == 0) {
        return C9_USBSIM_NAK;
    }
    memcpy(buf, m->outbox, n);
    return n;
}

static void midi_in_ack(c9_usbsim_dev_t *d, uint8_t ep, uint16_t len) {
    (void)ep;
    c9_usbsim_midi_t *m = midi_of(d);
    uint8_t k = (uint8_t)C9_MIN(len / 4u, m->out_count);
    memmove(m->outbox, m->outbox[k], (size_t)(m->out_count - k) * 4u);
    m->out_count = (uint8_t)(m->out_count - k);
    m->sent += k;
}

static int midi_out(c9_usbsim_dev_t *d, uint8_t ep, const uint8_t *data, uint16_t len) {
    c9_usbsim_midi_t *m = midi_of(d);
    if (ep != 0x01) {
        return C9_USBSIM_STALL;
    }
    for (uint16_t i = 0; i + 4 <= len; i += 4) {
        memcpy(m->rx[m->rx_count % C9_USBSIM_REPORT_QUEUE], data + i, 4);
        m->rx_count++;
    }
    return C9_OK;
}

static void midi_event(c9_usbsim_dev_t *d, c9_usbsim_event_t ev, uint8_t arg) {
    c9_usbsim_midi_t *m = midi_of(d);
    if (ev == C9_USBSIM_EV_CONFIGURED && arg != 0 && m->has_file && !m->playing) {
        // The file starts when the host configures the device, and only once.
        m->playing = true;
        m->start_ms = d->now_ms;
        load_next(m);
    }
}

static const c9_usbsim_dev_ops_t midi_ops = {
    .in = midi_in,
    .in_ack = midi_in_ack,
    .out = midi_out,
    .event = midi_event,
};

c9_err_t c9_usbsim_midi_init(c9_usbsim_midi_t *m, const c9_usbsim_ident_t *ident, const uint8_t *smf, size_t len) {
    if (m == NULL) {
        return C9_ERR_INVAL;
    }
    memset(m, 0, sizeof *m);
    c9__sim_defaults_t def = {.pid = 0x0004,
                              .product = "Virtual MIDI",
                              .mps0 = 64,
                              .configs = 1,
                              .bcd_usb = 0x0200,
                              .speed = C9_USB_SPEED_FULL};
    uint8_t n = c9__sim_identity(&m->dev, &m->s, ident, &def);
    memcpy(m->config, midi_config, sizeof midi_config);
    n = c9__sim_add(&m->s, n, C9_USB_DESC_CONFIGURATION, 0, 0, false, m->config, sizeof m->config);
    m->dev.ops = &midi_ops;
    m->dev.desc_count = n;
    m->packets_per_transfer = 1;
    if (smf != NULL) {
        c9_err_t err = c9_smf_open(&m->smf, smf, len);
        if (err == C9_OK) {
            err = c9_smf_validate(&m->smf, NULL);
        }
        if (err != C9_OK) {
            return err;
        }
        m->has_file = true;
    }
    return C9_OK;
}

bool c9_usbsim_midi_done(const c9_usbsim_midi_t *m) {
    return m->out_count == 0 && !m->have_ev && (!m->has_file || m->file_done);
}
