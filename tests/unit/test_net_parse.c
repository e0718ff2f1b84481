/* Unit tests of the networking parsers and encoders: HTTP/1.1 heads, fields, chunked bodies and
 * request heads (RFC 9112, RFC 9110; the chunked example is Wikipedia's well-known one), MQTT
 * 3.1.1 packets (byte layouts and the Remaining Length table from the OASIS standard), address
 * text (RFC 5952) and the errno mapping (CircuitPython's py/mperrno.h numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/http.h"
#include "circuit9/mqtt.h"
#include "circuit9/net.h"

/* ---- HTTP heads ---- */

static c9_err_t parse(const char *text, c9_http_head_t *h, c9_http_field_t *f, size_t max, uint8_t *store) {
    size_t len = strlen(text);
    memcpy(store, text, len);
    size_t end = c9_http_head_end(store, len);
    assert_int_equal(end, len);
    return c9_http_parse_head(store, len, h, f, max);
}

static bool field_is(const c9_http_field_t *f, const char *name, const char *value) {
    return f->name_len == strlen(name) && memcmp(f->name, name, f->name_len) == 0 && f->value_len == strlen(value) &&
           memcmp(f->value, value, f->value_len) == 0;
}

static void test_head_end(void **state) {
    (void)state;
    const char *a = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
    assert_int_equal(c9_http_head_end((const uint8_t *)a, strlen(a)), strlen(a) - 4);
    const char *b = "HTTP/1.1 200 OK\nA: b\n\nbody";
    assert_int_equal(c9_http_head_end((const uint8_t *)b, strlen(b)), strlen(b) - 4);
    const char *c = "\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"; /* empty lines before the status line */
    assert_int_equal(c9_http_head_end((const uint8_t *)c, strlen(c)), strlen(c));
    for (size_t cut = 0; cut < strlen(a) - 4; cut++) {
        assert_int_equal(c9_http_head_end((const uint8_t *)a, cut), 0);
    }
}

static void test_head_fields(void **state) {
    (void)state;
    uint8_t store[512];
    c9_http_head_t h;
    c9_http_field_t f[8];
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length:  12 \r\n"
                           "X-Empty:\r\nConnection: keep-alive\r\n\r\n",
                           &h, f, 8, store),
                     C9_OK);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.version_minor, 1);
    assert_int_equal(h.reason_len, 2);
    assert_memory_equal(h.reason, "OK", 2);
    assert_int_equal(h.nfields, 4);
    assert_true(field_is(&f[0], "Server", "nginx/1.22.1"));
    assert_true(field_is(&f[1], "Content-Length", "12"));
    assert_true(field_is(&f[2], "X-Empty", ""));
    assert_true(field_is(&f[3], "Connection", "keep-alive"));

    /* HTTP/1.0, no reason phrase, bare LF line ends, obs-text in a value. */
    assert_int_equal(parse("HTTP/1.0 404\nX-Name: caf\xc3\xa9\n\n", &h, f, 8, store), C9_OK);
    assert_int_equal(h.status, 404);
    assert_int_equal(h.version_minor, 0);
    assert_int_equal(h.reason_len, 0);
    assert_true(field_is(&f[0], "X-Name", "caf\xc3\xa9"));

    /* obs-fold: every byte between the two texts (spaces, CR, LF, tab) becomes a space. */
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\nX-Fold: first \r\n  second\r\n\tthird\r\nNext: n\r\n\r\n", &h, f, 8, store), C9_OK);
    assert_int_equal(h.nfields, 2);
    assert_true(field_is(&f[0], "X-Fold", "first     second   third"));
    assert_true(field_is(&f[1], "Next", "n"));
}

static void test_head_errors(void **state) {
    (void)state;
    uint8_t store[512];
    c9_http_head_t h;
    c9_http_field_t f[2];
    const char *bad_status[] = {
        "HTTP/2 200 OK\r\n\r\n",    "HTTP/1.1 20 OK\r\n\r\n", "ICY 200 OK\r\n\r\n",          "HTTP/1.1  200 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad_status); i++) {
        assert_int_equal(parse(bad_status[i], &h, f, 2, store), C9_ERR_HTTP_BAD_STATUS);
    }
    const char *bad_field[] = {
        "HTTP/1.1 200 OK\r\nName : v\r\n\r\n",                                   /* space before the colon */
        "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", "HTTP/1.1 200 OK\r\n: v\r\n\r\n", /* empty name */
        "HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",                                   /* control byte */
        "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",                                    /* bare CR */
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n",                                    /* continuation without a field */
        "HTTP/1.1 200 OK\r\nA(b): c\r\n\r\n",                                    /* not a token */
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad_field); i++) {
        assert_int_equal(parse(bad_field[i], &h, f, 2, store), C9_ERR_HTTP_BAD_HEADER);
    }
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &h, f, 2, store),
                     C9_ERR_HTTP_TOO_MANY_HEADERS);
}

static void test_length_and_tokens(void **state) {
    (void)state;
    uint64_t v;
    assert_int_equal(c9_http_parse_length("12", 2, &v), C9_OK);
    assert_int_equal(v, 12);
    assert_int_equal(c9_http_parse_length("12, 12 ,12", 10, &v), C9_OK); /* RFC 9110 8.6 */
    assert_int_equal(v, 12);
    const char *bad[] = {"", "12,13", "-1", "+1", "1 2", "0x10", "12,", "99999999999999999999"};
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad); i++) {
        assert_int_equal(c9_http_parse_length(bad[i], strlen(bad[i]), &v), C9_ERR_HTTP_BAD_LENGTH);
    }
    assert_true(c9_http_has_token("keep-alive, Close", 17, "close"));
    assert_false(c9_http_has_token("closed", 6, "close"));
    assert_true(c9_http_last_token_is("gzip, chunked", 13, "chunked"));
    assert_false(c9_http_last_token_is("chunked, gzip", 13, "chunked"));
    assert_true(c9_http_last_token_is(" Chunked ", 9, "chunked"));
}

/* ---- chunked ---- */

static const char wiki[] = "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";
static const char wiki_body[] = "Wikipedia in\r\n\r\nchunks.";

/* Decodes text fed in pieces cut at the given offsets; returns the error, body in out. */
static c9_err_t dechunk(const char *text, size_t len, const size_t *cuts, size_t ncuts, char *out, size_t *out_len,
                        c9_http_chunked_t *c, uint8_t *trailer, size_t tcap, size_t *leftover) {
    c9_http_chunked_init(c, trailer, tcap);
    size_t pos = 0, o = 0;
    *leftover = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t end = k < ncuts ? cuts[k] : len;
        uint8_t piece[512];
        size_t n = end - pos;
        memcpy(piece, text + pos, n);
        size_t used, made;
        c9_err_t err = c9_http_chunked_decode(c, piece, n, &used, &made);
        memcpy(out + o, piece, made);
        o += made;
        if (err != C9_OK) {
            *out_len = o;
            return err;
        }
        if (c->done) {
            *leftover = n - used + (len - end);
            break;
        }
        assert_int_equal(used, n);
        pos = end;
    }
    *out_len = o;
    return C9_OK;
}

static void test_chunked_wikipedia_every_split(void **state) {
    (void)state;
    size_t len = strlen(wiki);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b += 3) {
            size_t cuts[2] = {a, b};
            char out[64];
            size_t n, left;
            c9_http_chunked_t c;
            assert_int_equal(dechunk(wiki, len, cuts, 2, out, &n, &c, NULL, 0, &left), C9_OK);
            assert_true(c.done);
            assert_int_equal(left, 0);
            assert_int_equal(n, strlen(wiki_body));
            assert_memory_equal(out, wiki_body, n);
        }
    }
}

static void test_chunked_extensions_trailers(void **state) {
    (void)state;
    const char *t = "5 ;ext=1;q=\"x\"\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: 42\r\n\r\nEXTRA";
    uint8_t tbuf[64];
    char out[32];
    size_t n, left;
    c9_http_chunked_t c;
    assert_int_equal(dechunk(t, strlen(t), NULL, 0, out, &n, &c, tbuf, sizeof tbuf, &left), C9_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(left, 5); /* "EXTRA" follows the message */
    c9_http_field_t f[4];
    size_t nf;
    assert_int_equal(c9_http_parse_fields(c.trailer, c.trailer_len, f, 4, &nf), C9_OK);
    assert_int_equal(nf, 2);
    assert_true(field_is(&f[0], "Expires", "never"));
    assert_true(field_is(&f[1], "X-Sum", "42"));
    /* LF-only framing and upper-case hex */
    const char *lf = "A\nabcdefghij\n0\n\n";
    assert_int_equal(dechunk(lf, strlen(lf), NULL, 0, out, &n, &c, NULL, 0, &left), C9_OK);
    assert_int_equal(n, 10);
    /* trailers larger than their buffer */
    assert_int_equal(dechunk(t, strlen(t), NULL, 0, out, &n, &c, tbuf, 8, &left), C9_ERR_HTTP_HEADERS_TOO_LARGE);
}

static void test_chunked_errors(void **state) {
    (void)state;
    const char *bad[] = {
        "g\r\n",                 /* not hex */
        "\r\n",                  /* no size */
        "5\r\nabcdeX\r\n",       /* data not followed by CRLF */
        "10000000000000000\r\n", /* size beyond 2^62 */
        "5\rx",                  /* CR not followed by LF */
        "5 x\r\n",               /* junk after the size */
        "0\r\n\rX",              /* bad final line end */
        "5;\x01\r\n",            /* control byte in an extension */
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad); i++) {
        char out[64];
        size_t n, left;
        c9_http_chunked_t c;
        assert_int_equal(dechunk(bad[i], strlen(bad[i]), NULL, 0, out, &n, &c, NULL, 0, &left), C9_ERR_HTTP_BAD_CHUNK);
    }
    /* A long extension is bounded. */
    static char longext[5000 + 16];
    strcpy(longext, "1;");
    memset(longext + 2, 'a', 5000);
    strcpy(longext + 5002, "\r\nx\r\n0\r\n\r\n");
    c9_http_chunked_t c;
    c9_http_chunked_init(&c, NULL, 0);
    size_t used, made;
    assert_int_equal(c9_http_chunked_decode(&c, (uint8_t *)longext, strlen(longext), &used, &made),
                     C9_ERR_HTTP_BAD_CHUNK);
}

/* ---- request heads ---- */

static void test_write_head(void **state) {
    (void)state;
    char out[512];
    c9_err_t n = c9_http_write_head(out, sizeof out, "GET", "example.org", 80, true, "/a?b=c", NULL, 0, NULL, false, 0);
    assert_true(n > 0);
    const char *want = "GET /a?b=c HTTP/1.1\r\nHost: example.org\r\n\r\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);

    c9_http_header_t h[] = {{"Accept", "*/*"}, {"Connection", "close"}};
    n = c9_http_write_head(out, sizeof out, "POST", "::1", 8080, false, NULL, h, 2, "circuit9", true, 5);
    want = "POST / HTTP/1.1\r\nHost: [::1]:8080\r\nUser-Agent: circuit9\r\nAccept: */*\r\nConnection: close\r\n"
           "Content-Length: 5\r\n\r\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);

    /* PUT without a body still says how long it is; the caller's Host wins. */
    c9_http_header_t host[] = {{"host", "virtual.example"}};
    n = c9_http_write_head(out, sizeof out, "PUT", "10.0.0.1", 80, true, "/x", host, 1, NULL, false, 0);
    want = "PUT /x HTTP/1.1\r\nhost: virtual.example\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);

    c9_http_header_t inject[] = {{"X", "a\r\nEvil: 1"}};
    assert_int_equal(c9_http_write_head(out, sizeof out, "GET", "h", 80, true, "/", inject, 1, NULL, false, 0),
                     C9_ERR_INVAL);
    c9_http_header_t badname[] = {{"X Y", "1"}};
    assert_int_equal(c9_http_write_head(out, sizeof out, "GET", "h", 80, true, "/", badname, 1, NULL, false, 0),
                     C9_ERR_INVAL);
    c9_http_header_t te[] = {{"Transfer-Encoding", "chunked"}};
    assert_int_equal(c9_http_write_head(out, sizeof out, "POST", "h", 80, true, "/", te, 1, NULL, true, 3),
                     C9_ERR_INVAL);
    c9_http_header_t cl[] = {{"Content-Length", "4"}};
    assert_int_equal(c9_http_write_head(out, sizeof out, "POST", "h", 80, true, "/", cl, 1, NULL, true, 3),
                     C9_ERR_INVAL);
    assert_int_equal(c9_http_write_head(out, sizeof out, "GET", "h", 80, true, "/a b", NULL, 0, NULL, false, 0),
                     C9_ERR_INVAL);
    assert_int_equal(c9_http_write_head(out, sizeof out, "G T", "h", 80, true, "/", NULL, 0, NULL, false, 0),
                     C9_ERR_INVAL);
    assert_int_equal(c9_http_write_head(out, 20, "GET", "example.org", 80, true, "/", NULL, 0, NULL, false, 0),
                     C9_ERR_NOMEM);
}

/* ---- MQTT ---- */

static void test_mqtt_varint(void **state) {
    (void)state;
    /* MQTT 3.1.1 section 2.2.3, Table 2.4: the bounds of each encoded size. */
    struct {
        uint32_t v;
        uint8_t b[4];
        int n;
    } t[] = {{0, {0x00}, 1},
             {127, {0x7f}, 1},
             {128, {0x80, 0x01}, 2},
             {16383, {0xff, 0x7f}, 2},
             {16384, {0x80, 0x80, 0x01}, 3},
             {2097151, {0xff, 0xff, 0x7f}, 3},
             {2097152, {0x80, 0x80, 0x80, 0x01}, 4},
             {268435455, {0xff, 0xff, 0xff, 0x7f}, 4}};
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        uint8_t out[4];
        assert_int_equal(c9_mqtt_varint_encode(t[i].v, out), t[i].n);
        assert_memory_equal(out, t[i].b, (size_t)t[i].n);
        uint32_t v;
        size_t used;
        assert_int_equal(c9_mqtt_varint_decode(t[i].b, (size_t)t[i].n, &v, &used), C9_OK);
        assert_int_equal(v, t[i].v);
        assert_int_equal(used, t[i].n);
        if (t[i].n > 1) {
            assert_int_equal(c9_mqtt_varint_decode(t[i].b, (size_t)t[i].n - 1, &v, &used), C9_ERR_AGAIN);
        }
    }
    uint8_t out[4];
    assert_int_equal(c9_mqtt_varint_encode(268435456, out), C9_ERR_RANGE);
    const uint8_t five[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    uint32_t v;
    size_t used;
    assert_int_equal(c9_mqtt_varint_decode(five, 5, &v, &used), C9_ERR_MQTT_PROTOCOL);
}

static void test_mqtt_encoders(void **state) {
    (void)state;
    uint8_t b[128];
    c9_mqtt_connect_opts_t o = {.client_id = "c9", .keep_alive_s = 60, .clean_session = true};
    const uint8_t connect[] = {0x10, 0x0e, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 2, 'c', '9'};
    assert_int_equal(c9_mqtt_encode_connect(b, sizeof b, &o), sizeof connect);
    assert_memory_equal(b, connect, sizeof connect);

    c9_mqtt_connect_opts_t w = {.client_id = "id",
                                .keep_alive_s = 0x0102,
                                .clean_session = true,
                                .will_topic = "w",
                                .will_payload = "bye",
                                .will_len = 3,
                                .will_qos = 1,
                                .will_retain = true,
                                .username = "u",
                                .password = "pw",
                                .password_len = 2};
    const uint8_t connect2[] = {0x10, 29, 0,   4, 'M', 'Q', 'T', 'T', 4, 0xee, 1,   2, 0, 2,   'i', 'd',
                                0,    1,  'w', 0, 3,   'b', 'y', 'e', 0, 1,    'u', 0, 2, 'p', 'w'};
    assert_int_equal(c9_mqtt_encode_connect(b, sizeof b, &w), sizeof connect2);
    assert_memory_equal(b, connect2, sizeof connect2);
    c9_mqtt_connect_opts_t nouser = {.client_id = "x", .password = "p", .password_len = 1};
    assert_int_equal(c9_mqtt_encode_connect(b, sizeof b, &nouser), C9_ERR_INVAL); /* [MQTT-3.1.2-22] */
    c9_mqtt_connect_opts_t badwill = {.client_id = "x", .will_topic = "a/+", .will_len = 0};
    assert_int_equal(c9_mqtt_encode_connect(b, sizeof b, &badwill), C9_ERR_INVAL);
    assert_int_equal(c9_mqtt_encode_connect(b, 10, &o), C9_ERR_NOMEM);

    const uint8_t pub[] = {0x32, 9, 0, 3, 'a', '/', 'b', 0, 10, 'h', 'i'};
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "a/b", "hi", 2, 1, false, false, 10), sizeof pub);
    assert_memory_equal(b, pub, sizeof pub);
    const uint8_t pub0[] = {0x31, 5, 0, 1, 't', 'x', 'y'};
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "t", "xy", 2, 0, true, false, 0), sizeof pub0);
    assert_memory_equal(b, pub0, sizeof pub0);
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "a/#", "x", 1, 0, false, false, 0), C9_ERR_INVAL);
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "a", "x", 1, 1, false, false, 0), C9_ERR_INVAL);
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "a", "x", 1, 0, false, true, 0), C9_ERR_INVAL);
    assert_int_equal(c9_mqtt_encode_publish(b, sizeof b, "a", "x", 1, 3, false, false, 1), C9_ERR_INVAL);

    const char *filters[] = {"a/#", "b/+/c"};
    const uint8_t qos[] = {1, 2};
    const uint8_t sub[] = {0x82, 16, 0, 7, 0, 3, 'a', '/', '#', 1, 0, 5, 'b', '/', '+', '/', 'c', 2};
    assert_int_equal(c9_mqtt_encode_subscribe(b, sizeof b, 7, filters, qos, 2), sizeof sub);
    assert_memory_equal(b, sub, sizeof sub);
    const uint8_t unsub[] = {0xa2, 5, 0, 8, 0, 1, '#'};
    const char *all[] = {"#"};
    assert_int_equal(c9_mqtt_encode_unsubscribe(b, sizeof b, 8, all, 1), sizeof unsub);
    assert_memory_equal(b, unsub, sizeof unsub);

    const uint8_t pubrel[] = {0x62, 2, 0x12, 0x34};
    assert_int_equal(c9_mqtt_encode_ack(b, C9_MQTT_PUBREL, 0x1234), 4);
    assert_memory_equal(b, pubrel, 4);
    assert_int_equal(c9_mqtt_encode_ack(b, C9_MQTT_PUBACK, 0), C9_ERR_INVAL);
    assert_int_equal(c9_mqtt_encode_empty(b, C9_MQTT_PINGREQ), 2);
    assert_int_equal(b[0], 0xc0);
    assert_int_equal(c9_mqtt_encode_empty(b, C9_MQTT_DISCONNECT), 2);
    assert_int_equal(b[0], 0xe0);
}

static void test_mqtt_parse(void **state) {
    (void)state;
    c9_mqtt_packet_t p;
    const uint8_t connack[] = {0x20, 2, 1, 0};
    assert_int_equal(c9_mqtt_parse(connack, 4, &p), C9_OK);
    assert_int_equal(p.type, C9_MQTT_CONNACK);
    assert_true(p.session_present);
    assert_int_equal(p.return_code, 0);
    const uint8_t refused[] = {0x20, 2, 0, 5};
    assert_int_equal(c9_mqtt_parse(refused, 4, &p), C9_OK);
    assert_int_equal(p.return_code, 5);

    const uint8_t pub[] = {0x3b, 9, 0, 3, 'a', '/', 'b', 0, 10, 'h', 'i'}; /* DUP, QoS 1, retain */
    assert_int_equal(c9_mqtt_parse(pub, sizeof pub, &p), C9_OK);
    assert_int_equal(p.qos, 1);
    assert_true(p.dup);
    assert_true(p.retain);
    assert_int_equal(p.packet_id, 10);
    assert_int_equal(p.topic_len, 3);
    assert_memory_equal(p.topic, "a/b", 3);
    assert_int_equal(p.payload_len, 2);
    assert_memory_equal(p.payload, "hi", 2);

    const uint8_t suback[] = {0x90, 5, 0, 1, 0, 2, 0x80};
    assert_int_equal(c9_mqtt_parse(suback, sizeof suback, &p), C9_OK);
    assert_int_equal(p.payload_len, 3);
    assert_int_equal(p.payload[2], 0x80);
    const uint8_t pubrel[] = {0x62, 2, 0, 9};
    assert_int_equal(c9_mqtt_parse(pubrel, 4, &p), C9_OK);
    assert_int_equal(p.packet_id, 9);
    const uint8_t pingresp[] = {0xd0, 0};
    assert_int_equal(c9_mqtt_parse(pingresp, 2, &p), C9_OK);

    const uint8_t *bad[] = {
        (const uint8_t[]){0x20, 2, 2, 0},            /* CONNACK reserved flag */
        (const uint8_t[]){0x20, 2, 0, 6},            /* return code 6 */
        (const uint8_t[]){0x20, 2, 1, 4},            /* session present with a refusal */
        (const uint8_t[]){0x21, 2, 0, 0},            /* fixed-header flags */
        (const uint8_t[]){0x36, 5, 0, 1, 'a', 0, 1}, /* QoS 3 */
        (const uint8_t[]){0x38, 4, 0, 1, 'a', 'x'},  /* DUP with QoS 0 */
        (const uint8_t[]){0x32, 5, 0, 1, 'a', 0, 0}, /* packet id 0 */
        (const uint8_t[]){0x30, 4, 0, 1, '#', 'x'},  /* wildcard in a topic name */
        (const uint8_t[]){0x30, 4, 0, 3, 'a', 'x'},  /* topic longer than the packet */
        (const uint8_t[]){0x60, 2, 0, 1},            /* PUBREL without its flag */
        (const uint8_t[]){0x90, 3, 0, 1, 3},         /* SUBACK code 3 */
        (const uint8_t[]){0xd0, 1, 0},               /* PINGRESP with a body */
        (const uint8_t[]){0x10, 2, 0, 0},            /* CONNECT: only clients send it */
        (const uint8_t[]){0xc0, 0},                  /* PINGREQ */
        (const uint8_t[]){0xf0, 0},                  /* reserved type 15 */
        (const uint8_t[]){0x40, 2, 0, 0},            /* PUBACK id 0 */
    };
    const size_t lens[] = {4, 4, 4, 4, 7, 6, 7, 6, 6, 4, 5, 3, 4, 2, 2, 4};
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad); i++) {
        assert_int_equal(c9_mqtt_parse(bad[i], lens[i], &p), C9_ERR_MQTT_PROTOCOL);
    }
    const uint8_t longer[] = {0xd0, 0, 0}; /* bytes after the packet */
    assert_int_equal(c9_mqtt_parse(longer, 3, &p), C9_ERR_MQTT_PROTOCOL);
}

static void test_mqtt_topics(void **state) {
    (void)state;
    struct {
        const char *s;
        bool name_ok, filter_ok;
    } t[] = {
        {"a/b", true, true},
        {"a/+/b", false, true},
        {"+", false, true},
        {"#", false, true},
        {"a/#", false, true},
        {"a/#/b", false, false},
        {"a#", false, false},
        {"a+/b", false, false},
        {"/", true, true},
        {"caf\xc3\xa9/\xe6\x97\xa5", true, true},
        {"\xc0\x80", false, false},     /* overlong */
        {"\xed\xa0\x80", false, false}, /* surrogate */
        {"\xf5\x80\x80\x80", false, false},
        {"a\xc3", false, false},          /* cut short */
        {"\xf0\x9f\x98\x80", true, true}, /* U+1F600 */
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        assert_int_equal(c9_mqtt_topic_valid(t[i].s, strlen(t[i].s), false), t[i].name_ok);
        assert_int_equal(c9_mqtt_topic_valid(t[i].s, strlen(t[i].s), true), t[i].filter_ok);
    }
    assert_false(c9_mqtt_topic_valid("", 0, true));
    assert_false(c9_mqtt_topic_valid("a\0b", 3, false));
}

/* ---- addresses and errors ---- */

static void test_addr_format(void **state) {
    (void)state;
    struct {
        uint8_t family;
        uint8_t a[16];
        const char *text;
    } t[] = {
        {C9_NET_AF_INET, {192, 168, 4, 1}, "192.168.4.1"},
        {C9_NET_AF_INET, {0, 0, 0, 0}, "0.0.0.0"},
        {C9_NET_AF_INET6, {[15] = 1}, "::1"},
        {C9_NET_AF_INET6, {0}, "::"},
        {C9_NET_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, "2001:db8::1"},
        {C9_NET_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, "2001:db8:0:1::1"},
        {C9_NET_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, "2001:db8::1:0:0:1"},
        {C9_NET_AF_INET6, {0xfe, 0x80, [14] = 0xab, 0xcd}, "fe80::abcd"},
        {C9_NET_AF_INET6, {[10] = 0xff, 0xff, 10, 0, 0, 7}, "::ffff:10.0.0.7"},
        /* RFC 5952 4.2.2: a single zero group is not shortened */
        {C9_NET_AF_INET6, {0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7}, "1:0:2:3:4:5:6:7"},
        {C9_NET_AF_INET6, {0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7}, "1:0:0:3::7"},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        c9_net_addr_t a = {.family = t[i].family};
        memcpy(a.addr, t[i].a, 16);
        char out[64];
        assert_int_equal(c9_net_addr_format(&a, out, sizeof out), strlen(t[i].text));
        assert_string_equal(out, t[i].text);
    }
    c9_net_addr_t a = {.family = C9_NET_AF_INET, .addr = {10, 0, 0, 1}};
    char small[8];
    assert_int_equal(c9_net_addr_format(&a, small, sizeof small), C9_ERR_NOMEM);
    a.family = 7;
    assert_int_equal(c9_net_addr_format(&a, small, sizeof small), C9_ERR_AFNOSUPPORT);
}

static void test_errno_map(void **state) {
    (void)state;
    /* CircuitPython's errno numbers: its builds use newlib's errno.h (sys/errno.h of
     * arm-none-eabi's newlib: EADDRINUSE 112, ENOTCONN 128, ETIMEDOUT 116, ...), not Linux's. */
    assert_int_equal(c9_net_errno(C9_ERR_ADDRINUSE), 112);
    assert_int_equal(c9_net_errno(C9_ERR_CONNRESET), 104);
    assert_int_equal(c9_net_errno(C9_ERR_NOTCONN), 128);
    assert_int_equal(c9_net_errno(C9_ERR_TIMEDOUT), 116);
    assert_int_equal(c9_net_errno(C9_ERR_CONNREFUSED), 111);
    assert_int_equal(c9_net_errno(C9_ERR_HOSTUNREACH), 118);
    assert_int_equal(c9_net_errno(C9_ERR_INPROGRESS), 119);
    assert_int_equal(c9_net_errno(C9_ERR_ALREADY), 120);
    assert_int_equal(c9_net_errno(C9_ERR_ISCONN), 127);
    assert_int_equal(c9_net_errno(C9_ERR_NOPROTOOPT), 109);
    assert_int_equal(c9_net_errno(C9_ERR_AFNOSUPPORT), 106);
    assert_int_equal(c9_net_errno(C9_ERR_ADDRNOTAVAIL), 125);
    assert_int_equal(c9_net_errno(C9_ERR_NETUNREACH), 114);
    assert_int_equal(c9_net_errno(C9_ERR_CONNABORTED), 113);
    assert_int_equal(c9_net_errno(C9_ERR_MSGSIZE), 122);
    assert_int_equal(c9_net_errno(C9_ERR_NOSYS), 88);
    assert_int_equal(c9_net_errno(C9_ERR_AGAIN), 11);
    assert_int_equal(c9_net_errno(C9_ERR_PIPE), 32);
    assert_int_equal(c9_net_errno(C9_ERR_BADF), 9);
    assert_string_equal(c9_net_errno_name(112), "EADDRINUSE");
    assert_string_equal(c9_net_errno_name(116), "ETIMEDOUT");
    assert_string_equal(c9_net_errno_name(128), "ENOTCONN");
    assert_null(c9_net_errno_name(98)); /* Linux's EADDRINUSE is newlib's EPROTOTYPE territory */
    assert_int_equal(c9_net_errno(C9_OK), 0);
    assert_int_equal(c9_net_errno(C9_ERR_NET_OUT_OF_SOCKETS), 0);
    assert_int_equal(c9_net_errno(C9_ERR_TLS_CERT_EXPIRED), 0);
    assert_string_equal(c9_net_strerror(C9_ERR_NET_OUT_OF_SOCKETS), "Out of sockets");
    assert_string_equal(c9_net_strerror(C9_ERR_NET_NONAME), "Name or service not known");
    assert_string_equal(c9_net_strerror(C9_ERR_NET_NOT_MANAGED), "Socket not managed");
    assert_string_equal(c9_http_strerror(C9_ERR_HTTP_NO_RESPONSE), "Unable to read HTTP response.");
    assert_string_equal(c9_mqtt_strerror(C9_ERR_MQTT_REFUSED_CREDENTIALS),
                        "Connection Refused - Incorrect username/password");
    assert_string_equal(c9_net_strerror(C9_ERR_TIMEDOUT), "timed out"); /* falls back to common.h */
}

static void test_ipv4_parse(void **state) {
    (void)state;
    uint8_t a[4];
    static const struct {
        const char *text;
        c9_err_t err;
        uint8_t addr[4];
    } cases[] = {
        {"127.0.0.1", C9_OK, {127, 0, 0, 1}},
        {"0.0.0.0", C9_OK, {0, 0, 0, 0}},
        {"255.255.255.255", C9_OK, {255, 255, 255, 255}},
        {"010.001.0.9", C9_OK, {10, 1, 0, 9}},
        {"256.0.0.1", C9_ERR_INVAL, {0}},
        {"1.2.3", C9_ERR_INVAL, {0}},
        {"1.2.3.4.5", C9_ERR_INVAL, {0}},
        {"1..3.4", C9_ERR_INVAL, {0}},
        {" 1.2.3.4", C9_ERR_INVAL, {0}},
        {"1.2.3.4 ", C9_ERR_INVAL, {0}},
        {"-1.2.3.4", C9_ERR_INVAL, {0}},
        {"+1.2.3.4", C9_ERR_INVAL, {0}},
        {"1.2.3.", C9_ERR_INVAL, {0}},
        {"", C9_ERR_INVAL, {0}},
        {"a.b.c.d", C9_ERR_INVAL, {0}},
        {"1.2.3.99999999999", C9_ERR_INVAL, {0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(a, 0xAA, sizeof a);
        assert_int_equal(c9_net_ipv4_parse(cases[i].text, strlen(cases[i].text), a), cases[i].err);
        if (cases[i].err == C9_OK) {
            assert_memory_equal(a, cases[i].addr, 4);
        }
    }
    /* Only len bytes count: the rest of a longer buffer is not looked at. */
    assert_int_equal(c9_net_ipv4_parse("10.0.0.1junk", 8, a), C9_OK);
    assert_memory_equal(a, ((uint8_t[]){10, 0, 0, 1}), 4);
}

static void test_hosts_lookup(void **state) {
    (void)state;
    uint8_t a[4];
    const char *spec = "httpbin.org=127.0.0.1, io.adafruit.com=127.0.9.2\n\tbad=1.2.3 Wifitest.Adafruit.com=10.0.0.7";
    assert_int_equal(c9_net_hosts_lookup(spec, "httpbin.org", 11, a), C9_OK);
    assert_memory_equal(a, ((uint8_t[]){127, 0, 0, 1}), 4);
    assert_int_equal(c9_net_hosts_lookup(spec, "IO.adafruit.com.", 16, a), C9_OK);
    assert_memory_equal(a, ((uint8_t[]){127, 0, 9, 2}), 4);
    assert_int_equal(c9_net_hosts_lookup(spec, "wifitest.adafruit.com", 21, a), C9_OK);
    assert_memory_equal(a, ((uint8_t[]){10, 0, 0, 7}), 4);
    assert_int_equal(c9_net_hosts_lookup(spec, "bad", 3, a), C9_ERR_INVAL);
    assert_int_equal(c9_net_hosts_lookup(spec, "httpbin", 7, a), C9_ERR_NOENT);
    assert_int_equal(c9_net_hosts_lookup(spec, "", 0, a), C9_ERR_NOENT);
    assert_int_equal(c9_net_hosts_lookup(NULL, "httpbin.org", 11, a), C9_ERR_NOENT);
    assert_int_equal(c9_net_hosts_lookup("=1.2.3.4 x", "x", 1, a), C9_ERR_NOENT);
    assert_int_equal(c9_net_hosts_lookup("x=", "x", 1, a), C9_ERR_INVAL);
    assert_int_equal(c9_net_hosts_lookup("a=1.1.1.1 a=2.2.2.2", "a", 1, a), C9_OK);
    assert_memory_equal(a, ((uint8_t[]){1, 1, 1, 1}), 4); /* the first entry wins, as in /etc/hosts */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_end),
        cmocka_unit_test(test_head_fields),
        cmocka_unit_test(test_head_errors),
        cmocka_unit_test(test_length_and_tokens),
        cmocka_unit_test(test_chunked_wikipedia_every_split),
        cmocka_unit_test(test_chunked_extensions_trailers),
        cmocka_unit_test(test_chunked_errors),
        cmocka_unit_test(test_write_head),
        cmocka_unit_test(test_mqtt_varint),
        cmocka_unit_test(test_mqtt_encoders),
        cmocka_unit_test(test_mqtt_parse),
        cmocka_unit_test(test_mqtt_topics),
        cmocka_unit_test(test_addr_format),
        cmocka_unit_test(test_errno_map),
        cmocka_unit_test(test_ipv4_parse),
        cmocka_unit_test(test_hosts_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
