/*
 * circuit9 MQTT 3.1.1 client over the connection manager (net.h), and its packet codec.
 *
 * Memory is the caller's: rx_buf holds one incoming packet (its size bounds the messages the
 * client can receive), tx_buf one outgoing PUBLISH (kept until acknowledged, for a resend after
 * a reconnect), and sub_store the subscriptions to restore after a reconnect.
 *
 *     c9_mqtt_config_t cfg = {.mgr = &mgr, .host = "broker", .port = 1883, .client_id = "dev1",
 *                             .keep_alive_s = 60, .clean_session = true, .timeout_ms = 5000,
 *                             .rx_buf = rx, .rx_size = sizeof rx, .tx_buf = tx, .tx_size = sizeof tx,
 *                             .sub_store = subs, .sub_store_size = sizeof subs,
 *                             .on_message = got, .user = ctx};
 *     c9_mqtt_t m; c9_mqtt_init(&m, &cfg);
 *     c9_mqtt_connect(&m, NULL);
 *     c9_mqtt_subscribe(&m, "sensors/#", 1, NULL);
 *     c9_mqtt_publish(&m, "sensors/t", "21.5", 4, 1, false);
 *     for (;;) c9_mqtt_loop(&m, 1000);           // delivers messages, keeps the link alive
 *
 * Behaviour:
 *   - CONNECT with clean session, keep-alive, will (topic, payload, QoS, retain), user name
 *     and password; a refused CONNACK gives C9_ERR_MQTT_REFUSED_<reason>.
 *   - PUBLISH QoS 0, 1 and 2 both ways. Outgoing QoS 1/2 publishes wait for their PUBACK or
 *     PUBREC/PUBREL/PUBCOMP (delivering incoming messages meanwhile). Incoming QoS 1 is
 *     acknowledged after the callback returns; incoming QoS 2 is delivered once (at PUBLISH)
 *     and its packet id held until PUBREL, so a duplicate is acknowledged, not delivered.
 *   - SUBSCRIBE/UNSUBSCRIBE wait for SUBACK/UNSUBACK; a SUBACK failure (0x80) is
 *     C9_ERR_MQTT_SUB_REFUSED. PINGREQ goes out when keep_alive_s passes without a packet
 *     sent; no PINGRESP within another keep-alive period closes the connection.
 *   - Packet ids run 1..65535 and skip ids still in use.
 *   - Any failure (socket error, protocol violation, timeout in the middle of a packet)
 *     closes the socket through the manager (never freeing it for reuse) and leaves the client
 *     disconnected; c9_mqtt_reconnect() opens a new connection, re-subscribes when the broker
 *     kept no session (session present = 0), and with a kept session resends the unfinished
 *     outgoing QoS 1/2 message (DUP set) or its PUBREL.
 *   - An incoming packet larger than rx_size cannot be delivered: the connection is closed and
 *     C9_ERR_MQTT_TOO_LARGE returned (with a kept session the broker sends it again later).
 *   - Re-entrancy: the message callback may call c9_mqtt_publish with QoS 0 and
 *     c9_mqtt_disconnect; other calls from inside it return C9_ERR_BUSY. Topic and payload
 *     pointers given to the callback are valid only during the call.
 */
#ifndef CIRCUIT9_MQTT_H
#define CIRCUIT9_MQTT_H

#include "circuit9/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors C9_ERR_MQTT_* (common.h's error table, band mqtt); C9_ERR_MQTT_REFUSED_* are
 * CONNACK's return codes 1..5. */

const char *c9_mqtt_strerror(c9_err_t err);

/* Packet types (fixed header high nibble). */
enum {
    C9_MQTT_CONNECT = 1,
    C9_MQTT_CONNACK = 2,
    C9_MQTT_PUBLISH = 3,
    C9_MQTT_PUBACK = 4,
    C9_MQTT_PUBREC = 5,
    C9_MQTT_PUBREL = 6,
    C9_MQTT_PUBCOMP = 7,
    C9_MQTT_SUBSCRIBE = 8,
    C9_MQTT_SUBACK = 9,
    C9_MQTT_UNSUBSCRIBE = 10,
    C9_MQTT_UNSUBACK = 11,
    C9_MQTT_PINGREQ = 12,
    C9_MQTT_PINGRESP = 13,
    C9_MQTT_DISCONNECT = 14,
};

/* ---- codec (pure functions, fuzzed) ---- */

/* Remaining Length: writes 1..4 bytes to out (C9_ERR_RANGE above 268435455); returns the count. */
c9_err_t c9_mqtt_varint_encode(uint32_t value, uint8_t out[4]);

/* Reads a Remaining Length from buf[0..len): C9_OK with *value and *used, C9_ERR_AGAIN when more
 * bytes are needed, C9_ERR_MQTT_PROTOCOL for a fifth byte. */
c9_err_t c9_mqtt_varint_decode(const uint8_t *buf, size_t len, uint32_t *value, size_t *used);

/* A packet received by a client, parsed in place (pointers into the packet). */
typedef struct c9_mqtt_packet {
    uint8_t type;
    uint8_t flags;        /* the fixed header's low nibble */
    uint16_t packet_id;   /* PUBLISH (QoS > 0), PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK */
    bool session_present; /* CONNACK */
    uint8_t return_code;  /* CONNACK */
    uint8_t qos;          /* PUBLISH */
    bool dup, retain;     /* PUBLISH */
    const char *topic;    /* PUBLISH */
    size_t topic_len;
    const uint8_t *payload; /* PUBLISH payload, SUBACK return codes */
    size_t payload_len;
} c9_mqtt_packet_t;

/* Parses one whole packet buf[0..len) (fixed header included) as a client receives it: the
 * types a broker sends, their fixed flags, lengths, topic UTF-8 (no wildcards, no U+0000) and
 * nonzero packet ids. Errors: C9_ERR_MQTT_PROTOCOL (also for types only clients send). */
c9_err_t c9_mqtt_parse(const uint8_t *buf, size_t len, c9_mqtt_packet_t *p);

/* Whether s[0..len) is a valid topic name (publish: no wildcards) or filter (subscribe:
 * '#' last and alone in its level, '+' alone in its level), UTF-8 without U+0000, 1..65535 bytes. */
bool c9_mqtt_topic_valid(const char *s, size_t len, bool filter);

typedef struct c9_mqtt_connect_opts {
    const char *client_id; /* "" allowed with clean_session (the broker assigns one) */
    uint16_t keep_alive_s;
    bool clean_session;
    const char *will_topic; /* NULL: no will */
    const void *will_payload;
    size_t will_len;
    uint8_t will_qos;
    bool will_retain;
    const char *username; /* NULL: none */
    const void *password; /* NULL: none (needs a username) */
    size_t password_len;
} c9_mqtt_connect_opts_t;

/* Encoders: return the packet length, C9_ERR_NOMEM when out is too small, C9_ERR_INVAL for bad
 * arguments (invalid topic, QoS > 2, password without user name, string over 65535 bytes). */
c9_err_t c9_mqtt_encode_connect(uint8_t *out, size_t cap, const c9_mqtt_connect_opts_t *o);
c9_err_t c9_mqtt_encode_publish(uint8_t *out, size_t cap, const char *topic, const void *payload, size_t len,
                                uint8_t qos, bool retain, bool dup, uint16_t packet_id);
c9_err_t c9_mqtt_encode_subscribe(uint8_t *out, size_t cap, uint16_t packet_id, const char *const *filters,
                                  const uint8_t *qos, size_t n);
c9_err_t c9_mqtt_encode_unsubscribe(uint8_t *out, size_t cap, uint16_t packet_id, const char *const *filters, size_t n);
/* PUBACK, PUBREC, PUBREL, PUBCOMP (4 bytes), PINGREQ, DISCONNECT (2 bytes). */
c9_err_t c9_mqtt_encode_ack(uint8_t out[4], uint8_t type, uint16_t packet_id);
c9_err_t c9_mqtt_encode_empty(uint8_t out[2], uint8_t type);

/* ---- the client ---- */

typedef struct c9_mqtt_message {
    const char *topic;
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    uint8_t qos;
    bool retain;
    bool dup;
} c9_mqtt_message_t;

typedef void (*c9_mqtt_message_fn)(void *user, const c9_mqtt_message_t *msg);

typedef struct c9_mqtt_config {
    c9_net_connmgr_t *mgr;
    const char *host;
    uint16_t port; /* 0: 1883, or 8883 with tls */
    bool tls;
    c9_tls_ctx_t tls_ctx;
    const char *session_id; /* connection manager key (NULL: none) */
    c9_mqtt_connect_opts_t connect;
    int32_t timeout_ms; /* socket operations and waits for acknowledgements */
    uint8_t *rx_buf;
    size_t rx_size;
    uint8_t *tx_buf;
    size_t tx_size;
    uint8_t *sub_store; /* remembered subscriptions (NULL: none are restored) */
    size_t sub_store_size;
    c9_mqtt_message_fn on_message;
    void *user;
} c9_mqtt_config_t;

typedef struct c9_mqtt {
    c9_mqtt_config_t cfg;
    c9_net_conn_t *conn;
    size_t rx_have; /* bytes received into rx_buf (a packet, maybe the start of the next) */
    bool in_callback;
    bool closed_by_user; /* c9_mqtt_disconnect was called (from the callback, say) */
    bool session_present;
    uint16_t next_id;
    uint64_t last_sent_ms;
    uint64_t ping_sent_ms; /* 0: no PINGREQ outstanding */
    /* the outgoing QoS 1/2 message, encoded in tx_buf until acknowledged */
    uint16_t out_id;
    uint8_t out_qos;
    uint8_t out_state; /* 0 none, 1 awaiting PUBACK/PUBREC, 2 awaiting PUBCOMP */
    size_t out_len;
    /* a SUBSCRIBE/UNSUBSCRIBE awaiting its ack */
    uint16_t wait_id;
    uint8_t wait_type;
    uint8_t wait_result[8];
    size_t wait_result_len;
    bool wait_done;
    /* incoming QoS 2 ids between PUBREC and PUBREL */
    uint16_t qos2_in[C9_MQTT_QOS2_INBOUND_MAX];
    size_t nqos2_in;
    size_t sub_used;   /* bytes of sub_store in use */
    uint32_t messages; /* messages delivered so far */
} c9_mqtt_t;

/* Errors: C9_ERR_INVAL (bad config: no manager, host, buffers under 16 bytes, bad will). */
c9_err_t c9_mqtt_init(c9_mqtt_t *m, const c9_mqtt_config_t *cfg);

/* Connects (CONNECT, CONNACK). *session_present (may be NULL) tells whether the broker kept a
 * session. Errors: the manager's and socket's, C9_ERR_MQTT_REFUSED_*, C9_ERR_MQTT_PROTOCOL,
 * C9_ERR_TIMEDOUT, C9_ERR_ISCONN (already connected), C9_ERR_BUSY (from the callback). */
c9_err_t c9_mqtt_connect(c9_mqtt_t *m, bool *session_present);

/* Closes the connection (if any) and connects again, then restores subscriptions or resends
 * the unfinished message as described above. */
c9_err_t c9_mqtt_reconnect(c9_mqtt_t *m, bool *session_present);

/* Sends DISCONNECT (best effort) and closes the socket, whatever happens. */
void c9_mqtt_disconnect(c9_mqtt_t *m);

bool c9_mqtt_connected(const c9_mqtt_t *m);

/* Publishes; QoS 1/2 wait for the broker's acknowledgement. Errors: C9_ERR_INVAL (bad topic or
 * QoS), C9_ERR_MQTT_TOO_LARGE (over tx_size), C9_ERR_MQTT_NOT_CONNECTED, C9_ERR_BUSY, socket
 * and protocol errors (the connection is closed then; a QoS 1/2 message stays pending for
 * c9_mqtt_reconnect), C9_ERR_TIMEDOUT. */
c9_err_t c9_mqtt_publish(c9_mqtt_t *m, const char *topic, const void *payload, size_t len, uint8_t qos, bool retain);

/* Subscribes to one filter; *granted (may be NULL) gets the granted QoS. The subscription is
 * remembered (in sub_store) for reconnects. Errors: C9_ERR_INVAL, C9_ERR_MQTT_SUB_REFUSED,
 * C9_ERR_NOMEM (sub_store full: the subscription is made but not remembered), and as publish. */
c9_err_t c9_mqtt_subscribe(c9_mqtt_t *m, const char *filter, uint8_t qos, uint8_t *granted);

c9_err_t c9_mqtt_unsubscribe(c9_mqtt_t *m, const char *filter);

/* Sends PINGREQ and waits for PINGRESP. */
c9_err_t c9_mqtt_ping(c9_mqtt_t *m);

/* Waits up to timeout_ms for packets and handles what arrives (messages go to the callback),
 * then returns; keeps the connection alive. *handled (may be NULL) counts the packets handled.
 * C9_OK also when nothing arrived. */
c9_err_t c9_mqtt_loop(c9_mqtt_t *m, int32_t timeout_ms, unsigned *handled);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_MQTT_H */
