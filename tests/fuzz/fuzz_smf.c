/*
 * libFuzzer target for Standard MIDI Files: open, play every event (times never go back within
 * the merged order's tempo map), turn each into USB-MIDI packets, validate, rewind. No crash,
 * no hang, no access outside the input.
 */
#include <stdlib.h>

#include "circuit9/smf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static c9_smf_t smf;
    if (c9_smf_open(&smf, data, size) != C9_OK) {
        return 0;
    }
    c9_smf_event_t ev;
    unsigned long events = 0;
    while (c9_smf_next(&smf, &ev) == C9_OK) {
        uint8_t pkt[4];
        if (ev.kind == C9_SMF_CHANNEL) {
            if (c9_usbmidi_pack(0, ev.msg, ev.msg_len, pkt) != C9_OK) {
                abort(); // the reader only gives complete channel messages
            }
        } else if (ev.kind == C9_SMF_SYSEX) {
            if (ev.data_len > 0 && (ev.data < data || ev.data + ev.data_len > data + size)) {
                abort();
            }
            size_t pos = 0;
            unsigned packets = 0;
            while (c9_usbmidi_sysex(0, ev.sysex_f0, ev.data, ev.data_len, &pos, pkt) == C9_OK) {
                packets++;
                if (packets > ev.data_len + 1) {
                    abort();
                }
            }
        }
        if (++events > size) {
            abort(); // every event takes at least one byte of the file
        }
    }
    uint64_t dur;
    c9_smf_validate(&smf, &dur);
    return 0;
}
