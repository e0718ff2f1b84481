/* The MQTT 3.1.1 client (mqtt.h): connection and session handling, acknowledgement flows,
 * keep-alive. Every failure closes the socket through the manager (never frees it). */
#include "circuit9/mqtt.h"

#include <string.h>

enum { OUT_NONE = 0, OUT_WAIT_ACK = 1, OUT_WAIT_COMP = 2 };

c9_err_t c9_mqtt_init(c9_mqtt_t *m, const c9_mqtt_config_t *cfg) {
    if (!m || !cfg || !cfg->mgr || !cfg->host || !cfg->rx_buf || cfg->rx_size < 16 || !cfg->tx_buf ||
        cfg->tx_size < 16 || !cfg->connect.client_id || (cfg->sub_store_size && !cfg->sub_store)) {
        return C9_ERR_INVAL;
    }
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (!m->cfg.port) {
        m->cfg.port = cfg->tls ? 8883 : 1883;
    }
    m->next_id = 1;
    return C9_OK;
}

bool c9_mqtt_connected(const c9_mqtt_t *m) {
    return m->conn != NULL;
}

static uint64_t now(const c9_mqtt_t *m) {
    const c9_net_socket_ops_t *o = m->cfg.mgr->cfg.sock;
    return o->now_ms ? o->now_ms(o->ctx) : 0;
}

static void close_conn(c9_mqtt_t *m) {
    if (m->conn) {
        (void)c9_net_connmgr_close(m->cfg.mgr, m->conn);
        m->conn = NULL;
    }
    m->rx_have = 0;
    m->ping_sent_ms = 0;
}

static c9_err_t fail(c9_mqtt_t *m, c9_err_t err) {
    close_conn(m);
    return err;
}

static c9_err_t send_bytes(c9_mqtt_t *m, const uint8_t *buf, size_t len) {
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    const c9_net_socket_ops_t *o = m->conn->ops;
    c9_err_t err = o->settimeout(o->ctx, m->conn->sock, m->cfg.timeout_ms);
    if (err == C9_OK) {
        err = c9_net_send_all(o, m->conn->sock, buf, len, NULL);
    }
    if (err != C9_OK) {
        return fail(m, err);
    }
    m->last_sent_ms = now(m);
    return C9_OK;
}

static c9_err_t send_ack(c9_mqtt_t *m, uint8_t type, uint16_t id) {
    uint8_t b[4];
    c9_err_t n = c9_mqtt_encode_ack(b, type, id);
    return n < 0 ? fail(m, n) : send_bytes(m, b, (size_t)n);
}

static uint16_t take_id(c9_mqtt_t *m) {
    for (;;) {
        uint16_t id = m->next_id++;
        if (m->next_id == 0) {
            m->next_id = 1;
        }
        if (id && !(m->out_state != OUT_NONE && id == m->out_id) && !(m->wait_type && id == m->wait_id)) {
            return id;
        }
    }
}

/* Where a packet other than the pending PUBLISH may be encoded: behind it in tx_buf. */
static uint8_t *tx_free(c9_mqtt_t *m, size_t *cap) {
    size_t used = m->out_state != OUT_NONE ? m->out_len : 0;
    *cap = m->cfg.tx_size - used;
    return m->cfg.tx_buf + used;
}

/* Makes rx_buf start with one whole packet (*plen bytes). wait_ms bounds the wait for its first
 * byte; once a packet has started, the rest must come within the operation timeout. An idle
 * wait that ends gives C9_ERR_TIMEDOUT with the connection intact; anything else closes it. */
static c9_err_t next_packet(c9_mqtt_t *m, int32_t wait_ms, size_t *plen) {
    uint64_t deadline = 0;
    for (;;) {
        if (!m->conn) {
            return C9_ERR_MQTT_NOT_CONNECTED;
        }
        if (m->rx_have >= 2) {
            uint32_t rl;
            size_t used;
            c9_err_t err = c9_mqtt_varint_decode(m->cfg.rx_buf + 1, m->rx_have - 1, &rl, &used);
            if (err == C9_OK) {
                size_t total = 1 + used + (size_t)rl;
                if (total > m->cfg.rx_size) {
                    return fail(m, C9_ERR_MQTT_TOO_LARGE);
                }
                if (m->rx_have >= total) {
                    *plen = total;
                    return C9_OK;
                }
            } else if (err != C9_ERR_AGAIN) {
                return fail(m, err);
            }
        }
        int32_t tmo = wait_ms;
        if (m->rx_have > 0) {
            tmo = m->cfg.timeout_ms;
            if (tmo >= 0) {
                uint64_t t = now(m);
                if (!deadline) {
                    deadline = t + (uint64_t)tmo;
                }
                if (t >= deadline && tmo > 0) {
                    return fail(m, C9_ERR_TIMEDOUT);
                }
                tmo = tmo ? (int32_t)(deadline - t) : 0;
            }
        }
        const c9_net_socket_ops_t *o = m->conn->ops;
        size_t n = 0;
        c9_err_t err = o->settimeout(o->ctx, m->conn->sock, tmo);
        if (err == C9_OK) {
            err = o->recv(o->ctx, m->conn->sock, m->cfg.rx_buf + m->rx_have, m->cfg.rx_size - m->rx_have, &n);
        }
        if (err == C9_ERR_TIMEDOUT || err == C9_ERR_AGAIN) {
            if (m->rx_have == 0) {
                return C9_ERR_TIMEDOUT;
            }
            return fail(m, C9_ERR_TIMEDOUT); /* the stream stopped inside a packet */
        }
        if (err != C9_OK) {
            return fail(m, err);
        }
        if (n == 0) {
            return fail(m, C9_ERR_NOTCONN); /* the broker closed the connection */
        }
        m->rx_have += n;
    }
}

static void consume(c9_mqtt_t *m, size_t plen) {
    if (!m->conn || plen > m->rx_have) {
        m->rx_have = 0;
        return;
    }
    memmove(m->cfg.rx_buf, m->cfg.rx_buf + plen, m->rx_have - plen);
    m->rx_have -= plen;
}

static bool qos2_held(const c9_mqtt_t *m, uint16_t id, size_t *at) {
    for (size_t i = 0; i < m->nqos2_in; i++) {
        if (m->qos2_in[i] == id) {
            if (at) {
                *at = i;
            }
            return true;
        }
    }
    return false;
}

static void deliver(c9_mqtt_t *m, const c9_mqtt_packet_t *p) {
    m->messages++;
    if (!m->cfg.on_message) {
        return;
    }
    c9_mqtt_message_t msg = {p->topic, p->topic_len, p->payload, p->payload_len, p->qos, p->retain, p->dup};
    m->in_callback = true;
    m->cfg.on_message(m->cfg.user, &msg);
    m->in_callback = false;
}

/* Handles the packet at the start of rx_buf. */
static c9_err_t handle(c9_mqtt_t *m, size_t plen) {
    c9_mqtt_packet_t p;
    c9_err_t err = c9_mqtt_parse(m->cfg.rx_buf, plen, &p);
    if (err != C9_OK) {
        return fail(m, err);
    }
    switch (p.type) {
    case C9_MQTT_PUBLISH:
        if (p.qos == 2) {
            if (qos2_held(m, p.packet_id, NULL)) {
                return send_ack(m, C9_MQTT_PUBREC, p.packet_id); /* a resend: already delivered */
            }
            if (m->nqos2_in == C9_MQTT_QOS2_INBOUND_MAX) {
                return fail(m, C9_ERR_MQTT_INFLIGHT);
            }
        }
        deliver(m, &p);
        if (!m->conn) {
            /* The callback disconnected, or its publish failed and closed the connection. */
            return m->closed_by_user ? C9_OK : C9_ERR_MQTT_NOT_CONNECTED;
        }
        if (p.qos == 1) {
            return send_ack(m, C9_MQTT_PUBACK, p.packet_id);
        }
        if (p.qos == 2) {
            m->qos2_in[m->nqos2_in++] = p.packet_id;
            return send_ack(m, C9_MQTT_PUBREC, p.packet_id);
        }
        return C9_OK;
    case C9_MQTT_PUBACK:
        if (m->out_state == OUT_WAIT_ACK && m->out_qos == 1 && p.packet_id == m->out_id) {
            m->out_state = OUT_NONE;
        }
        return C9_OK; /* an ack for nothing pending (a late duplicate) changes nothing */
    case C9_MQTT_PUBREC:
        if (m->out_state == OUT_WAIT_ACK && m->out_qos == 2 && p.packet_id == m->out_id) {
            m->out_state = OUT_WAIT_COMP;
        }
        /* Always answered: the broker holds the id until it sees PUBREL. */
        return send_ack(m, C9_MQTT_PUBREL, p.packet_id);
    case C9_MQTT_PUBCOMP:
        if (m->out_state == OUT_WAIT_COMP && p.packet_id == m->out_id) {
            m->out_state = OUT_NONE;
        }
        return C9_OK;
    case C9_MQTT_PUBREL: {
        size_t at;
        if (qos2_held(m, p.packet_id, &at)) {
            m->qos2_in[at] = m->qos2_in[--m->nqos2_in];
        }
        return send_ack(m, C9_MQTT_PUBCOMP, p.packet_id);
    }
    case C9_MQTT_SUBACK:
    case C9_MQTT_UNSUBACK:
        if (m->wait_type == p.type && p.packet_id == m->wait_id) {
            m->wait_result_len = C9_MIN(p.payload_len, sizeof m->wait_result);
            if (m->wait_result_len) {
                memcpy(m->wait_result, p.payload, m->wait_result_len);
            }
            m->wait_done = true;
        }
        return C9_OK;
    case C9_MQTT_PINGRESP: m->ping_sent_ms = 0; return C9_OK;
    default: /* CONNACK after the connection is up */ return fail(m, C9_ERR_MQTT_PROTOCOL);
    }
}

static c9_err_t handle_next(c9_mqtt_t *m, int32_t wait_ms) {
    size_t plen;
    c9_err_t err = next_packet(m, wait_ms, &plen);
    if (err != C9_OK) {
        return err;
    }
    err = handle(m, plen);
    consume(m, plen);
    return err;
}

/* Handles packets until done(m) holds; no progress within the timeout closes the connection
 * (the broker's state is unknown then). */
static c9_err_t wait_for(c9_mqtt_t *m, bool (*done)(const c9_mqtt_t *)) {
    int32_t tmo = m->cfg.timeout_ms;
    uint64_t deadline = tmo > 0 ? now(m) + (uint64_t)tmo : 0;
    while (!done(m)) {
        int32_t wait = C9_NET_TIMEOUT_BLOCKING;
        if (tmo == 0) {
            wait = 0;
        } else if (deadline) {
            uint64_t t = now(m);
            if (t >= deadline) {
                return fail(m, C9_ERR_TIMEDOUT);
            }
            wait = (int32_t)(deadline - t);
        }
        c9_err_t err = handle_next(m, wait);
        if (err == C9_ERR_TIMEDOUT) {
            return fail(m, C9_ERR_TIMEDOUT);
        }
        if (err != C9_OK) {
            return err;
        }
        if (!m->conn) {
            return C9_ERR_MQTT_NOT_CONNECTED;
        }
    }
    return C9_OK;
}

static bool out_done(const c9_mqtt_t *m) {
    return m->out_state == OUT_NONE;
}

static bool ack_done(const c9_mqtt_t *m) {
    return m->wait_done;
}

static bool pong_done(const c9_mqtt_t *m) {
    return m->ping_sent_ms == 0;
}

/* Sends a SUBSCRIBE or UNSUBSCRIBE for one filter and waits for its ack. */
static c9_err_t sub_unsub(c9_mqtt_t *m, const char *filter, uint8_t qos, bool sub, uint8_t *rc) {
    size_t cap;
    uint8_t *buf = tx_free(m, &cap);
    uint16_t id = take_id(m);
    const char *f[1] = {filter};
    c9_err_t n =
        sub ? c9_mqtt_encode_subscribe(buf, cap, id, f, &qos, 1) : c9_mqtt_encode_unsubscribe(buf, cap, id, f, 1);
    if (n == C9_ERR_NOMEM) {
        return C9_ERR_MQTT_TOO_LARGE;
    }
    if (n < 0) {
        return n;
    }
    m->wait_type = sub ? C9_MQTT_SUBACK : C9_MQTT_UNSUBACK;
    m->wait_id = id;
    m->wait_done = false;
    m->wait_result_len = 0;
    c9_err_t err = send_bytes(m, buf, (size_t)n);
    if (err == C9_OK) {
        err = wait_for(m, ack_done);
    }
    m->wait_type = 0;
    if (err == C9_OK && sub) {
        if (m->wait_result_len != 1) {
            return fail(m, C9_ERR_MQTT_PROTOCOL); /* one filter, one return code */
        }
        *rc = m->wait_result[0];
    }
    return err;
}

/* sub_store entries: [qos][length, 2 bytes big-endian][filter bytes][NUL]. */
static size_t sub_find(const c9_mqtt_t *m, const char *filter, size_t fl) {
    size_t i = 0;
    while (i < m->sub_used) {
        size_t l = (size_t)(m->cfg.sub_store[i + 1] << 8 | m->cfg.sub_store[i + 2]);
        if (l == fl && memcmp(m->cfg.sub_store + i + 3, filter, fl) == 0) {
            return i;
        }
        i += 4 + l;
    }
    return SIZE_MAX;
}

static void sub_forget(c9_mqtt_t *m, const char *filter) {
    size_t fl = strlen(filter);
    size_t at = sub_find(m, filter, fl);
    if (at == SIZE_MAX) {
        return;
    }
    size_t len = 4 + fl;
    memmove(m->cfg.sub_store + at, m->cfg.sub_store + at + len, m->sub_used - at - len);
    m->sub_used -= len;
}

static c9_err_t sub_remember(c9_mqtt_t *m, const char *filter, uint8_t qos) {
    size_t fl = strlen(filter);
    size_t at = sub_find(m, filter, fl);
    if (at != SIZE_MAX) {
        m->cfg.sub_store[at] = qos;
        return C9_OK;
    }
    if (m->sub_used + 4 + fl > m->cfg.sub_store_size) {
        return C9_ERR_NOMEM;
    }
    uint8_t *p = m->cfg.sub_store + m->sub_used;
    p[0] = qos;
    p[1] = (uint8_t)(fl >> 8);
    p[2] = (uint8_t)fl;
    memcpy(p + 3, filter, fl);
    p[3 + fl] = 0;
    m->sub_used += 4 + fl;
    return C9_OK;
}

/* Restores the subscriptions on a new session. */
static c9_err_t resubscribe(c9_mqtt_t *m) {
    size_t i = 0;
    while (i < m->sub_used) {
        uint8_t qos = m->cfg.sub_store[i];
        size_t l = (size_t)(m->cfg.sub_store[i + 1] << 8 | m->cfg.sub_store[i + 2]);
        uint8_t rc;
        c9_err_t err = sub_unsub(m, (const char *)m->cfg.sub_store + i + 3, qos, true, &rc);
        if (err == C9_OK && rc == 0x80) {
            err = C9_ERR_MQTT_SUB_REFUSED;
        }
        if (err != C9_OK) {
            return err;
        }
        i += 4 + l;
    }
    return C9_OK;
}

/* Continues the unfinished outgoing message on a kept session [MQTT-4.4.0-1]. */
static c9_err_t resume_outgoing(c9_mqtt_t *m) {
    if (m->out_state == OUT_WAIT_ACK) {
        m->cfg.tx_buf[0] |= 0x08; /* DUP */
        c9_err_t err = send_bytes(m, m->cfg.tx_buf, m->out_len);
        if (err != C9_OK) {
            return err;
        }
    } else if (m->out_state == OUT_WAIT_COMP) {
        c9_err_t err = send_ack(m, C9_MQTT_PUBREL, m->out_id);
        if (err != C9_OK) {
            return err;
        }
    } else {
        return C9_OK;
    }
    return wait_for(m, out_done);
}

c9_err_t c9_mqtt_connect(c9_mqtt_t *m, bool *session_present) {
    if (m->in_callback) {
        return C9_ERR_BUSY;
    }
    if (m->conn) {
        return C9_ERR_ISCONN;
    }
    c9_net_key_t key = {.host = m->cfg.host,
                        .port = m->cfg.port,
                        .proto = "mqtt:",
                        .session_id = m->cfg.session_id,
                        .tls = m->cfg.tls,
                        .tls_ctx = m->cfg.tls_ctx};
    size_t cap;
    uint8_t *buf = tx_free(m, &cap);
    c9_err_t n = c9_mqtt_encode_connect(buf, cap, &m->cfg.connect);
    if (n == C9_ERR_NOMEM) {
        return C9_ERR_MQTT_TOO_LARGE;
    }
    if (n < 0) {
        return n;
    }
    c9_err_t err = c9_net_connmgr_get(m->cfg.mgr, &key, m->cfg.timeout_ms, &m->conn);
    if (err != C9_OK) {
        m->conn = NULL;
        return err;
    }
    if (m->conn->reused) {
        /* A socket some other user of this key left behind: MQTT needs a fresh one. */
        close_conn(m);
        err = c9_net_connmgr_get(m->cfg.mgr, &key, m->cfg.timeout_ms, &m->conn);
        if (err != C9_OK) {
            m->conn = NULL;
            return err;
        }
    }
    m->rx_have = 0;
    m->ping_sent_ms = 0;
    m->closed_by_user = false;
    err = send_bytes(m, buf, (size_t)n);
    if (err != C9_OK) {
        return err;
    }
    size_t plen;
    err = next_packet(m, m->cfg.timeout_ms, &plen);
    if (err == C9_ERR_TIMEDOUT) {
        return fail(m, err);
    }
    if (err != C9_OK) {
        return err;
    }
    c9_mqtt_packet_t p;
    err = c9_mqtt_parse(m->cfg.rx_buf, plen, &p);
    if (err != C9_OK || p.type != C9_MQTT_CONNACK) {
        return fail(m, C9_ERR_MQTT_PROTOCOL);
    }
    consume(m, plen);
    if (p.return_code) {
        return fail(m, C9_ERR_MQTT_REFUSED_PROTOCOL - (p.return_code - 1));
    }
    m->session_present = p.session_present;
    if (session_present) {
        *session_present = p.session_present;
    }
    if (!p.session_present) {
        /* A new session: what the old one still owed is gone with it. The subscriptions
         * are made again. */
        m->out_state = OUT_NONE;
        m->nqos2_in = 0;
        err = resubscribe(m);
    } else {
        err = resume_outgoing(m);
    }
    return err;
}

c9_err_t c9_mqtt_reconnect(c9_mqtt_t *m, bool *session_present) {
    if (m->in_callback) {
        return C9_ERR_BUSY;
    }
    close_conn(m);
    return c9_mqtt_connect(m, session_present);
}

void c9_mqtt_disconnect(c9_mqtt_t *m) {
    if (m->conn) {
        uint8_t b[2];
        (void)c9_mqtt_encode_empty(b, C9_MQTT_DISCONNECT);
        (void)send_bytes(m, b, 2); /* best effort; closes on failure */
    }
    close_conn(m);
    m->closed_by_user = true;
}

c9_err_t c9_mqtt_publish(c9_mqtt_t *m, const char *topic, const void *payload, size_t len, uint8_t qos, bool retain) {
    if (qos > 2 || !topic || !c9_mqtt_topic_valid(topic, strlen(topic), false) || (len && !payload)) {
        return C9_ERR_INVAL;
    }
    if (qos && (m->in_callback || m->out_state != OUT_NONE)) {
        return C9_ERR_BUSY;
    }
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    size_t cap;
    uint8_t *buf = tx_free(m, &cap);
    uint16_t id = qos ? take_id(m) : 0;
    c9_err_t n = c9_mqtt_encode_publish(buf, cap, topic, payload, len, qos, retain, false, id);
    if (n == C9_ERR_NOMEM) {
        return C9_ERR_MQTT_TOO_LARGE;
    }
    if (n < 0) {
        return n;
    }
    if (qos == 0) {
        return send_bytes(m, buf, (size_t)n);
    }
    m->out_id = id;
    m->out_qos = qos;
    m->out_len = (size_t)n;
    m->out_state = OUT_WAIT_ACK;
    c9_err_t err = send_bytes(m, buf, (size_t)n);
    if (err == C9_OK) {
        err = wait_for(m, out_done);
    }
    return err;
}

c9_err_t c9_mqtt_subscribe(c9_mqtt_t *m, const char *filter, uint8_t qos, uint8_t *granted) {
    if (!filter || !c9_mqtt_topic_valid(filter, strlen(filter), true) || qos > 2) {
        return C9_ERR_INVAL;
    }
    if (m->in_callback || m->wait_type) {
        return C9_ERR_BUSY;
    }
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    uint8_t rc = 0;
    c9_err_t err = sub_unsub(m, filter, qos, true, &rc);
    if (err != C9_OK) {
        return err;
    }
    if (rc == 0x80) {
        return C9_ERR_MQTT_SUB_REFUSED;
    }
    if (granted) {
        *granted = rc;
    }
    return m->cfg.sub_store ? sub_remember(m, filter, qos) : C9_OK;
}

c9_err_t c9_mqtt_unsubscribe(c9_mqtt_t *m, const char *filter) {
    if (!filter || !c9_mqtt_topic_valid(filter, strlen(filter), true)) {
        return C9_ERR_INVAL;
    }
    if (m->in_callback || m->wait_type) {
        return C9_ERR_BUSY;
    }
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    c9_err_t err = sub_unsub(m, filter, 0, false, NULL);
    if (err == C9_OK && m->cfg.sub_store) {
        sub_forget(m, filter);
    }
    return err;
}

static c9_err_t send_ping(c9_mqtt_t *m) {
    uint8_t b[2];
    (void)c9_mqtt_encode_empty(b, C9_MQTT_PINGREQ);
    c9_err_t err = send_bytes(m, b, 2);
    if (err == C9_OK) {
        m->ping_sent_ms = now(m);
        if (m->ping_sent_ms == 0) {
            m->ping_sent_ms = 1; /* 0 means "none outstanding" */
        }
    }
    return err;
}

c9_err_t c9_mqtt_ping(c9_mqtt_t *m) {
    if (m->in_callback) {
        return C9_ERR_BUSY;
    }
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    c9_err_t err = send_ping(m);
    return err == C9_OK ? wait_for(m, pong_done) : err;
}

/* The keep-alive duty: a PINGREQ when nothing was sent for a period, a failure when its
 * PINGRESP has not come within another. Returns how long the loop may wait before the next
 * duty (-1: none). */
static c9_err_t keep_alive(c9_mqtt_t *m, int64_t *next_ms) {
    *next_ms = -1;
    uint64_t period = (uint64_t)m->cfg.connect.keep_alive_s * 1000u;
    if (!period) {
        return C9_OK;
    }
    uint64_t t = now(m);
    if (m->ping_sent_ms) {
        if (t - m->ping_sent_ms >= period) {
            return fail(m, C9_ERR_MQTT_KEEPALIVE);
        }
        *next_ms = (int64_t)(period - (t - m->ping_sent_ms));
        return C9_OK;
    }
    if (t - m->last_sent_ms >= period) {
        c9_err_t err = send_ping(m);
        if (err != C9_OK) {
            return err;
        }
        *next_ms = (int64_t)period;
        return C9_OK;
    }
    *next_ms = (int64_t)(period - (t - m->last_sent_ms));
    return C9_OK;
}

c9_err_t c9_mqtt_loop(c9_mqtt_t *m, int32_t timeout_ms, unsigned *handled) {
    if (handled) {
        *handled = 0;
    }
    if (m->in_callback) {
        return C9_ERR_BUSY;
    }
    if (!m->conn) {
        return C9_ERR_MQTT_NOT_CONNECTED;
    }
    uint64_t start = now(m);
    bool got = false;
    for (;;) {
        int64_t duty;
        c9_err_t err = keep_alive(m, &duty);
        if (err != C9_OK) {
            return err;
        }
        /* After the first packet, only what is already there: loop() returns once the
         * burst has been handled, so a caller's loop stays responsive. */
        int64_t wait = 0;
        if (!got) {
            if (timeout_ms < 0) {
                wait = -1;
            } else {
                uint64_t el = now(m) - start;
                wait = el >= (uint64_t)timeout_ms ? 0 : (int64_t)((uint64_t)timeout_ms - el);
            }
            if (duty >= 0 && (wait < 0 || duty < wait)) {
                wait = duty;
            }
        }
        err = handle_next(m, (int32_t)C9_MIN(wait, (int64_t)INT32_MAX));
        if (err == C9_ERR_TIMEDOUT) {
            if (!m->conn) {
                return err;
            }
            bool time_left = !got && (timeout_ms < 0 || now(m) - start < (uint64_t)timeout_ms);
            if (time_left) {
                continue; /* woke up for the keep-alive duty */
            }
            return C9_OK;
        }
        if (err != C9_OK) {
            return err;
        }
        got = true;
        if (handled) {
            (*handled)++;
        }
        if (!m->conn) {
            return m->closed_by_user ? C9_OK : C9_ERR_MQTT_NOT_CONNECTED;
        }
    }
}
