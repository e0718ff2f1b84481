/* MQTT 3.1.1 packets (OASIS standard, 2014): Remaining Length, UTF-8 strings and topics, the
 * packets a client sends (encoders) and those it receives (parser). */
#include "circuit9/mqtt.h"

#include <string.h>

const char *c9_mqtt_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

#define MQTT_MAX_REMAINING 268435455u

c9_err_t c9_mqtt_varint_encode(uint32_t v, uint8_t out[4]) {
    if (v > MQTT_MAX_REMAINING) {
        return C9_ERR_RANGE;
    }
    int n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return n;
}

c9_err_t c9_mqtt_varint_decode(const uint8_t *buf, size_t len, uint32_t *value, size_t *used) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) {
        if (i >= len) {
            return C9_ERR_AGAIN;
        }
        v |= (uint32_t)(buf[i] & 0x7f) << (7 * i);
        if (!(buf[i] & 0x80)) {
            *value = v;
            *used = i + 1;
            return C9_OK;
        }
    }
    return C9_ERR_MQTT_PROTOCOL;
}

/* Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF) without U+0000,
 * as MQTT requires of every string [MQTT-1.5.3-1, -2]. */
static bool utf8_ok(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c == 0) {
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n) {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

bool c9_mqtt_topic_valid(const char *s, size_t len, bool filter) {
    if (!s || len == 0 || len > 65535 || !utf8_ok((const uint8_t *)s, len)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '+' && s[i] != '#') {
            continue;
        }
        if (!filter) {
            return false;
        }
        bool level_start = i == 0 || s[i - 1] == '/';
        if (s[i] == '#') {
            if (!level_start || i != len - 1) {
                return false;
            }
        } else if (!level_start || (i + 1 < len && s[i + 1] != '/')) {
            return false;
        }
    }
    return true;
}

static uint16_t be16(const uint8_t *p) {
    return (uint16_t)(p[0] << 8 | p[1]);
}

c9_err_t c9_mqtt_parse(const uint8_t *buf, size_t len, c9_mqtt_packet_t *p) {
    memset(p, 0, sizeof *p);
    if (len < 2) {
        return C9_ERR_MQTT_PROTOCOL;
    }
    uint32_t rl;
    size_t used;
    if (c9_mqtt_varint_decode(buf + 1, len - 1, &rl, &used) != C9_OK || 1 + used + (size_t)rl != len) {
        return C9_ERR_MQTT_PROTOCOL;
    }
    p->type = buf[0] >> 4;
    p->flags = buf[0] & 15;
    const uint8_t *b = buf + 1 + used;
    switch (p->type) {
    case C9_MQTT_CONNACK:
        if (p->flags || rl != 2 || (b[0] & 0xfe) || b[1] > 5 || (b[1] && (b[0] & 1))) {
            return C9_ERR_MQTT_PROTOCOL;
        }
        p->session_present = b[0] & 1;
        p->return_code = b[1];
        return C9_OK;
    case C9_MQTT_PUBLISH: {
        p->qos = (p->flags >> 1) & 3;
        p->dup = (p->flags & 8) != 0;
        p->retain = (p->flags & 1) != 0;
        if (p->qos == 3 || (p->dup && p->qos == 0) || rl < 2) {
            return C9_ERR_MQTT_PROTOCOL;
        }
        size_t tl = be16(b);
        size_t need = 2 + tl + (p->qos ? 2 : 0);
        if (need > rl || !c9_mqtt_topic_valid((const char *)b + 2, tl, false)) {
            return C9_ERR_MQTT_PROTOCOL;
        }
        p->topic = (const char *)b + 2;
        p->topic_len = tl;
        if (p->qos) {
            p->packet_id = be16(b + 2 + tl);
            if (!p->packet_id) {
                return C9_ERR_MQTT_PROTOCOL;
            }
        }
        p->payload = b + need;
        p->payload_len = rl - need;
        return C9_OK;
    }
    case C9_MQTT_PUBACK:
    case C9_MQTT_PUBREC:
    case C9_MQTT_PUBREL:
    case C9_MQTT_PUBCOMP:
    case C9_MQTT_UNSUBACK:
        if (p->flags != (p->type == C9_MQTT_PUBREL ? 2 : 0) || rl != 2) {
            return C9_ERR_MQTT_PROTOCOL;
        }
        p->packet_id = be16(b);
        return p->packet_id ? C9_OK : C9_ERR_MQTT_PROTOCOL;
    case C9_MQTT_SUBACK:
        if (p->flags || rl < 3) {
            return C9_ERR_MQTT_PROTOCOL;
        }
        p->packet_id = be16(b);
        p->payload = b + 2;
        p->payload_len = rl - 2;
        for (size_t i = 0; i < p->payload_len; i++) {
            if (p->payload[i] > 2 && p->payload[i] != 0x80) {
                return C9_ERR_MQTT_PROTOCOL;
            }
        }
        return p->packet_id ? C9_OK : C9_ERR_MQTT_PROTOCOL;
    case C9_MQTT_PINGRESP: return p->flags || rl ? C9_ERR_MQTT_PROTOCOL : C9_OK;
    default: return C9_ERR_MQTT_PROTOCOL; /* reserved, or only sent by clients */
    }
}

/* ---- encoders ---- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} out_t;

static void put8(out_t *o, uint8_t v) {
    if (o->n < o->cap) {
        o->p[o->n] = v;
    }
    o->n++;
}

static void put16(out_t *o, uint16_t v) {
    put8(o, (uint8_t)(v >> 8));
    put8(o, (uint8_t)v);
}

static void putn(out_t *o, const void *s, size_t n) {
    if (o->n + n <= o->cap) {
        memcpy(o->p + o->n, s, n);
    }
    o->n += n;
}

static void put_str(out_t *o, const void *s, size_t n) {
    put16(o, (uint16_t)n);
    putn(o, s, n);
}

/* Writes the fixed header for a packet whose variable part (rl bytes) follows; returns where
 * the variable part starts, or 0 for too long. */
static size_t header(out_t *o, uint8_t first, size_t rl) {
    uint8_t v[4];
    if (rl > MQTT_MAX_REMAINING) {
        return 0;
    }
    int n = c9_mqtt_varint_encode((uint32_t)rl, v);
    put8(o, first);
    putn(o, v, (size_t)n);
    return o->n;
}

static c9_err_t finish(const out_t *o) {
    if (o->n > o->cap) {
        return C9_ERR_NOMEM;
    }
    return (c9_err_t)o->n;
}

c9_err_t c9_mqtt_encode_connect(uint8_t *out, size_t cap, const c9_mqtt_connect_opts_t *c) {
    if (!c || !c->client_id) {
        return C9_ERR_INVAL;
    }
    size_t idl = strlen(c->client_id);
    if (idl > 65535 || !utf8_ok((const uint8_t *)c->client_id, idl)) {
        return C9_ERR_INVAL;
    }
    size_t rl = 10 + 2 + idl;
    uint8_t flags = c->clean_session ? 0x02 : 0;
    size_t wtl = 0, ul = 0;
    if (c->will_topic) {
        wtl = strlen(c->will_topic);
        if (!c9_mqtt_topic_valid(c->will_topic, wtl, false) || c->will_qos > 2 || c->will_len > 65535 ||
            (c->will_len && !c->will_payload)) {
            return C9_ERR_INVAL;
        }
        flags |= (uint8_t)(0x04 | c->will_qos << 3 | (c->will_retain ? 0x20 : 0));
        rl += 2 + wtl + 2 + c->will_len;
    } else if (c->will_qos || c->will_retain) {
        return C9_ERR_INVAL;
    }
    if (c->username) {
        ul = strlen(c->username);
        if (ul > 65535 || !utf8_ok((const uint8_t *)c->username, ul)) {
            return C9_ERR_INVAL;
        }
        flags |= 0x80;
        rl += 2 + ul;
    }
    if (c->password) {
        if (!c->username || c->password_len > 65535) {
            return C9_ERR_INVAL; /* [MQTT-3.1.2-22] */
        }
        flags |= 0x40;
        rl += 2 + c->password_len;
    }
    out_t o = {out, 0, cap};
    if (!header(&o, C9_MQTT_CONNECT << 4, rl)) {
        return C9_ERR_INVAL;
    }
    put_str(&o, "MQTT", 4);
    put8(&o, 4); /* protocol level 3.1.1 */
    put8(&o, flags);
    put16(&o, c->keep_alive_s);
    put_str(&o, c->client_id, idl);
    if (c->will_topic) {
        put_str(&o, c->will_topic, wtl);
        put_str(&o, c->will_payload, c->will_len);
    }
    if (c->username) {
        put_str(&o, c->username, ul);
    }
    if (c->password) {
        put_str(&o, c->password, c->password_len);
    }
    return finish(&o);
}

c9_err_t c9_mqtt_encode_publish(uint8_t *out, size_t cap, const char *topic, const void *payload, size_t len,
                                uint8_t qos, bool retain, bool dup, uint16_t packet_id) {
    size_t tl = topic ? strlen(topic) : 0;
    if (!c9_mqtt_topic_valid(topic, tl, false) || qos > 2 || (qos && !packet_id) || (dup && !qos) ||
        (len && !payload)) {
        return C9_ERR_INVAL;
    }
    size_t rl = 2 + tl + (qos ? 2 : 0) + len;
    out_t o = {out, 0, cap};
    uint8_t first = (uint8_t)(C9_MQTT_PUBLISH << 4 | (dup ? 8 : 0) | qos << 1 | (retain ? 1 : 0));
    if (!header(&o, first, rl)) {
        return C9_ERR_INVAL;
    }
    put_str(&o, topic, tl);
    if (qos) {
        put16(&o, packet_id);
    }
    putn(&o, payload, len);
    return finish(&o);
}

static c9_err_t encode_filters(uint8_t *out, size_t cap, uint8_t first, uint16_t id, const char *const *filters,
                               const uint8_t *qos, size_t n) {
    if (!id || !n || !filters) {
        return C9_ERR_INVAL;
    }
    size_t rl = 2;
    for (size_t i = 0; i < n; i++) {
        size_t fl = filters[i] ? strlen(filters[i]) : 0;
        if (!c9_mqtt_topic_valid(filters[i], fl, true) || (qos && qos[i] > 2)) {
            return C9_ERR_INVAL;
        }
        rl += 2 + fl + (qos ? 1 : 0);
    }
    out_t o = {out, 0, cap};
    if (!header(&o, first, rl)) {
        return C9_ERR_INVAL;
    }
    put16(&o, id);
    for (size_t i = 0; i < n; i++) {
        put_str(&o, filters[i], strlen(filters[i]));
        if (qos) {
            put8(&o, qos[i]);
        }
    }
    return finish(&o);
}

c9_err_t c9_mqtt_encode_subscribe(uint8_t *out, size_t cap, uint16_t packet_id, const char *const *filters,
                                  const uint8_t *qos, size_t n) {
    if (!qos) {
        return C9_ERR_INVAL;
    }
    return encode_filters(out, cap, C9_MQTT_SUBSCRIBE << 4 | 2, packet_id, filters, qos, n);
}

c9_err_t c9_mqtt_encode_unsubscribe(uint8_t *out, size_t cap, uint16_t packet_id, const char *const *filters,
                                    size_t n) {
    return encode_filters(out, cap, C9_MQTT_UNSUBSCRIBE << 4 | 2, packet_id, filters, NULL, n);
}

c9_err_t c9_mqtt_encode_ack(uint8_t out[4], uint8_t type, uint16_t packet_id) {
    if (type < C9_MQTT_PUBACK || type > C9_MQTT_PUBCOMP || !packet_id) {
        return C9_ERR_INVAL;
    }
    out[0] = (uint8_t)(type << 4 | (type == C9_MQTT_PUBREL ? 2 : 0));
    out[1] = 2;
    out[2] = (uint8_t)(packet_id >> 8);
    out[3] = (uint8_t)packet_id;
    return 4;
}

c9_err_t c9_mqtt_encode_empty(uint8_t out[2], uint8_t type) {
    if (type != C9_MQTT_PINGREQ && type != C9_MQTT_DISCONNECT) {
        return C9_ERR_INVAL;
    }
    out[0] = (uint8_t)(type << 4);
    out[1] = 0;
    return 2;
}
