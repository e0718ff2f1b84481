/* Fuzzes the MQTT packet parser, the Remaining Length decoder and the topic checker. A packet
 * that parses has its pointers inside the input, and what it says re-encodes to the same bytes
 * (for the packet types a client also sends: PUBLISH and the acknowledgements). */
#include <stdlib.h>
#include <string.h>

#include "circuit9/mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint32_t v;
    size_t used;
    c9_err_t err = c9_mqtt_varint_decode(data, size, &v, &used);
    if (err == C9_OK) {
        uint8_t enc[4];
        c9_err_t n = c9_mqtt_varint_encode(v, enc);
        if (n < 1 || (size_t)n > used) {
            __builtin_trap(); /* the minimal encoding is never longer */
        }
    }
    c9_mqtt_packet_t p;
    if (c9_mqtt_parse(data, size, &p) == C9_OK) {
        if (p.topic_len && ((const uint8_t *)p.topic < data || (const uint8_t *)p.topic + p.topic_len > data + size)) {
            __builtin_trap();
        }
        if (p.payload_len && (p.payload < data || p.payload + p.payload_len > data + size)) {
            __builtin_trap();
        }
        uint8_t out[4];
        if (p.type == C9_MQTT_PUBLISH) {
            char *topic = malloc(p.topic_len + 1);
            memcpy(topic, p.topic, p.topic_len);
            topic[p.topic_len] = 0;
            size_t cap = size + 8;
            uint8_t *re = malloc(cap);
            c9_err_t n =
                c9_mqtt_encode_publish(re, cap, topic, p.payload, p.payload_len, p.qos, p.retain, p.dup, p.packet_id);
            /* The same packet, up to a non-minimal Remaining Length in the input. */
            uint32_t rl_in, rl_re;
            size_t u_in, u_re;
            if (n < 2 || re[0] != data[0] || c9_mqtt_varint_decode(data + 1, size - 1, &rl_in, &u_in) != C9_OK ||
                c9_mqtt_varint_decode(re + 1, (size_t)n - 1, &rl_re, &u_re) != C9_OK || rl_in != rl_re ||
                (size_t)n - 1 - u_re != size - 1 - u_in ||
                memcmp(re + 1 + u_re, data + 1 + u_in, size - 1 - u_in) != 0) {
                __builtin_trap();
            }
            free(re);
            free(topic);
        } else if (p.type >= C9_MQTT_PUBACK && p.type <= C9_MQTT_PUBCOMP) {
            if (c9_mqtt_encode_ack(out, p.type, p.packet_id) != 4 || memcmp(out, data, 1) != 0 ||
                memcmp(out + 2, data + size - 2, 2) != 0) {
                __builtin_trap();
            }
        }
    }
    (void)c9_mqtt_topic_valid((const char *)data, size, size & 1);
    return 0;
}
