/* Fuzzes the MQTT client over a scripted broker: a CONNACK, then whatever the input holds, in
 * pieces sized by the first byte. Connect, subscribe, publish and loop must end with a result,
 * never a crash or a hang, and the socket must be closed on every failure. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/mqtt.h"

#include "fake_net.h"

static unsigned delivered;

static void on_message(void *user, const c9_mqtt_message_t *m) {
    c9_mqtt_t *q = user;
    delivered++;
    if (m->topic_len == 0) {
        __builtin_trap();
    }
    /* A reply from inside the callback, as programs do. */
    (void)c9_mqtt_publish(q, "fuzz/reply", m->payload, m->payload_len < 16 ? m->payload_len : 16, 0, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    static uint8_t script[8192];
    size_t n = size - 1 < sizeof script - 4 ? size - 1 : sizeof script - 4;
    script[0] = 0x20;
    script[1] = 2;
    script[2] = 0;
    script[3] = 0;
    memcpy(script + 4, data + 1, n);
    static fake_net_t f;
    fake_init(&f, 4);
    fake_push(&f, script, n + 4, 1 + (data[0] & 31), (data[0] & 0x80) != 0);
    c9_net_conn_t slots[2];
    c9_net_connmgr_t mgr;
    c9_net_connmgr_config_t mc = {.sock = &f.ops};
    c9_net_connmgr_init(&mgr, &mc, slots, 2);
    static c9_mqtt_t q;
    uint8_t rx[256], tx[128], subs[64];
    c9_mqtt_config_t cfg = {.mgr = &mgr,
                            .host = "fuzz",
                            .connect = {.client_id = "f", .keep_alive_s = 30, .clean_session = (data[0] & 0x40) != 0},
                            .timeout_ms = 1000,
                            .rx_buf = rx,
                            .rx_size = sizeof rx,
                            .tx_buf = tx,
                            .tx_size = sizeof tx,
                            .sub_store = subs,
                            .sub_store_size = sizeof subs,
                            .on_message = on_message,
                            .user = &q};
    if (c9_mqtt_init(&q, &cfg) != C9_OK || c9_mqtt_connect(&q, NULL) != C9_OK) {
        __builtin_trap(); /* the CONNACK is always there */
    }
    (void)c9_mqtt_subscribe(&q, "fuzz/#", 2, NULL);
    (void)c9_mqtt_publish(&q, "fuzz/out", "x", 1, (data[0] >> 2) % 3, false);
    for (int i = 0; i < 4 && c9_mqtt_connected(&q); i++) {
        (void)c9_mqtt_loop(&q, 100, NULL);
    }
    if (!c9_mqtt_connected(&q) && f.open != 0) {
        __builtin_trap(); /* a failure left a socket open */
    }
    c9_mqtt_disconnect(&q);
    if (f.open != 0) {
        __builtin_trap();
    }
    return 0;
}
