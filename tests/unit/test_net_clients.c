/* Unit tests of the HTTP and MQTT clients over a scripted socket table: the byte streams are
 * written by hand from RFC 9112 and the MQTT 3.1.1 standard, delivered in small pieces, and
 * the tests check what the client sends back, what it returns, and what it does with the
 * connection (kept, closed). The same clients meet real servers in test_net_http.c and
 * test_net_mqtt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/http.h"
#include "circuit9/mqtt.h"

#include "fake_net.h"

/* ---- HTTP ---- */

typedef struct {
    fake_net_t f;
    c9_net_conn_t slots[4];
    c9_net_connmgr_t m;
    uint8_t buf[1024];
    c9_http_field_t fields[16];
    c9_http_client_t http;
} hx_t;

static hx_t *hx_new(uint64_t max_body, uint32_t head_timeout) {
    hx_t *h = test_calloc(1, sizeof *h);
    fake_init(&h->f, 8);
    c9_net_connmgr_config_t cfg = {.sock = &h->f.ops};
    assert_int_equal(c9_net_connmgr_init(&h->m, &cfg, h->slots, 4), C9_OK);
    c9_http_client_config_t hc = {.mgr = &h->m,
                                  .buf = h->buf,
                                  .buf_size = sizeof h->buf,
                                  .fields = h->fields,
                                  .max_fields = 16,
                                  .max_body = max_body,
                                  .head_timeout_ms = head_timeout};
    assert_int_equal(c9_http_client_init(&h->http, &hc), C9_OK);
    return h;
}

static c9_err_t hx_get(hx_t *h, const char *method, const char *path, c9_http_response_t **r) {
    c9_http_request_t req = {.method = method,
                             .proto = "http:",
                             .host = "example.org",
                             .path = path,
                             .timeout_ms = 1000,
                             .tls_ctx = C9_TLS_CTX_NONE};
    return c9_http_request(&h->http, &req, r);
}

/* Reads the whole body in reads of at most `step` bytes. */
static c9_err_t read_all(c9_http_response_t *r, char *out, size_t cap, size_t step, size_t *total) {
    *total = 0;
    for (;;) {
        size_t n;
        c9_err_t err = c9_http_read(r, out + *total, C9_MIN(step, cap - *total), &n);
        if (err != C9_OK) {
            return err;
        }
        if (n == 0) {
            return C9_OK;
        }
        *total += n;
    }
}

#define S(x) (const uint8_t *)(x), sizeof(x) - 1

static void test_http_length_keepalive_reuse(void **state) {
    (void)state;
    hx_t *h = hx_new(0, 0);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\n"
                               "Content-Length: 3\r\nConnection: keep-alive\r\n\r\nnot";
    fake_push(&h->f, S(resp), 1, true); /* one byte per recv */
    fake_last_script(&h->f)->gates[0] = strlen("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    fake_last_script(&h->f)->ngates = 1;
    c9_http_response_t *r;
    assert_int_equal(hx_get(h, "GET", "/a", &r), C9_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->content_length, 5);
    assert_false(r->reused);
    char body[64];
    size_t n;
    assert_int_equal(read_all(r, body, sizeof body, 2, &n), C9_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(body, "hello", 5);
    assert_int_equal(c9_net_connmgr_available(&h->m), 1); /* freed as soon as the body ended */
    assert_int_equal(hx_get(h, "GET", "/b", &r), C9_OK);
    assert_true(r->reused);
    assert_int_equal(r->status, 404);
    assert_int_equal(read_all(r, body, sizeof body, 64, &n), C9_OK);
    assert_memory_equal(body, "not", 3);
    assert_int_equal(h->f.opens, 1);
    const char *sent = "GET /a HTTP/1.1\r\nHost: example.org\r\n\r\nGET /b HTTP/1.1\r\nHost: example.org\r\n\r\n";
    assert_int_equal(h->f.last->out_len, strlen(sent));
    assert_memory_equal(h->f.last->out, sent, strlen(sent));
    test_free(h);
}

static void test_http_chunked_trailers(void **state) {
    (void)state;
    hx_t *h = hx_new(0, 0);
    static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                               "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 42\r\n\r\n";
    fake_push(&h->f, S(resp), 3, true);
    c9_http_response_t *r;
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_OK);
    assert_int_equal(r->body, C9_HTTP_BODY_CHUNKED);
    assert_int_equal(r->content_length, -1);
    char body[64];
    size_t n;
    assert_int_equal(read_all(r, body, sizeof body, 5, &n), C9_OK);
    assert_int_equal(n, 23);
    assert_memory_equal(body, "Wikipedia in\r\n\r\nchunks.", 23);
    assert_int_equal(r->ntrailers, 1);
    const c9_http_field_t *t = &r->fields[r->nfields];
    assert_int_equal(t->name_len, 5);
    assert_memory_equal(t->name, "X-Sum", 5);
    assert_memory_equal(t->value, "42", 2);
    size_t vl;
    assert_memory_equal(c9_http_response_field(r, "trailer", &vl), "X-Sum", 5);
    assert_int_equal(c9_net_connmgr_available(&h->m), 1);
    test_free(h);
}

static void test_http_retry_on_dead_reused_connection(void **state) {
    (void)state;
    hx_t *h = hx_new(0, 0);
    static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const char second[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew";
    fake_push(&h->f, S(first), 0, true); /* then end of stream: the server dropped it */
    fake_push(&h->f, S(second), 0, true);
    c9_http_response_t *r;
    char body[16];
    size_t n;
    assert_int_equal(hx_get(h, "GET", "/1", &r), C9_OK);
    assert_int_equal(read_all(r, body, sizeof body, 16, &n), C9_OK);
    assert_int_equal(hx_get(h, "POST", "/2", &r), C9_OK); /* any method, as libcurl does */
    assert_false(r->reused);
    assert_int_equal(read_all(r, body, sizeof body, 16, &n), C9_OK);
    assert_memory_equal(body, "new", 3);
    assert_int_equal(h->f.opens, 2);
    assert_int_equal(h->m.stats.reused, 1);

    /* A fresh connection that ends without a byte is an error, not retried. */
    hx_t *g = hx_new(0, 0);
    fake_push(&g->f, NULL, 0, 0, true);
    assert_int_equal(hx_get(g, "GET", "/", &r), C9_ERR_HTTP_NO_RESPONSE);
    assert_int_equal(g->f.opens, 1);
    assert_int_equal(g->f.open, 0);
    /* Part of a response, then the end: truncated, not retried. */
    static const char part[] = "HTTP/1.1 200 OK\r\nContent-Le";
    fake_push(&g->f, S(part), 0, true);
    assert_int_equal(hx_get(g, "GET", "/", &r), C9_ERR_HTTP_TRUNCATED);
    assert_int_equal(g->f.open, 0);
    test_free(g);
    test_free(h);
}

static void test_http_connection_decisions(void **state) {
    (void)state;
    struct {
        const char *resp;
        const char *method;
        bool kept;
        const char *body;
    } t[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", "GET", false, "x"},
        {"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", "GET", false, "x"},
        {"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive\r\n\r\nx", "GET", true, "x"},
        {"HTTP/1.1 200 OK\r\n\r\nuntil close", "GET", false, "until close"},
        {"HTTP/1.1 204 No Content\r\n\r\n", "GET", true, ""},
        {"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", "GET", true, ""},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", "HEAD", true, ""},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxJUNK", "GET", false, "x"}, /* bytes after the body */
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", "GET", false,
         "ab"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw", "GET", false, "raw"},
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
         "GET", true, "ok"},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "GET", false, ""},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        hx_t *h = hx_new(0, 0);
        fake_push(&h->f, t[i].resp, strlen(t[i].resp), 4, true);
        c9_http_response_t *r;
        assert_int_equal(hx_get(h, t[i].method, "/", &r), C9_OK);
        char body[64];
        size_t n;
        assert_int_equal(read_all(r, body, sizeof body, 7, &n), C9_OK);
        assert_int_equal(n, strlen(t[i].body));
        assert_memory_equal(body, t[i].body, n);
        c9_http_response_close(r);
        assert_int_equal(c9_net_connmgr_available(&h->m), t[i].kept ? 1 : 0);
        assert_int_equal(h->f.open, t[i].kept ? 1 : 0);
        test_free(h);
    }
}

static void test_http_close_early_and_request_close(void **state) {
    (void)state;
    hx_t *h = hx_new(0, 0);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
    fake_push(&h->f, S(resp), 0, true);
    c9_http_response_t *r;
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_OK);
    char b[4];
    size_t n;
    assert_int_equal(c9_http_read(r, b, 4, &n), C9_OK);
    c9_http_response_close(r); /* 6 bytes unread: no draining, the connection goes */
    assert_int_equal(h->f.open, 0);
    assert_int_equal(c9_http_read(r, b, 4, &n), C9_ERR_BADF);
    c9_http_response_close(r);

    fake_push(&h->f, S(resp), 0, true);
    c9_http_header_t close_hdr[] = {{"Connection", "close"}};
    c9_http_request_t req = {.method = "GET",
                             .proto = "http:",
                             .host = "h",
                             .path = "/",
                             .headers = close_hdr,
                             .nheaders = 1,
                             .timeout_ms = 1000};
    assert_int_equal(c9_http_request(&h->http, &req, &r), C9_OK);
    char body[16];
    assert_int_equal(read_all(r, body, sizeof body, 16, &n), C9_OK);
    assert_int_equal(h->f.open, 0); /* we asked for close */
    test_free(h);
}

static void test_http_errors_close(void **state) {
    (void)state;
    struct {
        const char *resp;
        c9_err_t at_request, at_read;
    } t[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", C9_ERR_HTTP_BAD_LENGTH, C9_OK},
        {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", C9_ERR_HTTP_BAD_LENGTH, C9_OK},
        {"HTTP/2 200\r\n\r\n", C9_ERR_HTTP_BAD_STATUS, C9_OK},
        {"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", C9_ERR_HTTP_BAD_HEADER, C9_OK},
        {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", C9_OK, C9_ERR_HTTP_TRUNCATED},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", C9_OK, C9_ERR_HTTP_BAD_CHUNK},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", C9_OK, C9_ERR_HTTP_TRUNCATED},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n", C9_OK,
         C9_ERR_HTTP_BAD_HEADER},
        {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
         C9_ERR_HTTP_TOO_MANY_INTERIM, C9_OK},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        hx_t *h = hx_new(0, 0);
        fake_push(&h->f, t[i].resp, strlen(t[i].resp), 5, true);
        c9_http_response_t *r;
        assert_int_equal(hx_get(h, "GET", "/", &r), t[i].at_request);
        if (t[i].at_request == C9_OK) {
            char body[64];
            size_t n;
            assert_int_equal(read_all(r, body, sizeof body, 64, &n), t[i].at_read);
            assert_int_equal(c9_http_read(r, body, 1, &n), t[i].at_read); /* sticky */
        }
        assert_int_equal(h->f.open, 0);
        assert_int_equal(c9_net_connmgr_managed(&h->m), 0);
        test_free(h);
    }
}

static void test_http_bounds_and_deadline(void **state) {
    (void)state;
    hx_t *h = hx_new(8, 0);
    static const char big[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789";
    fake_push(&h->f, S(big), 0, true);
    c9_http_response_t *r;
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_ERR_HTTP_BODY_TOO_LARGE);
    static const char chunky[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n";
    fake_push(&h->f, S(chunky), 0, true);
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_OK);
    char body[32];
    size_t n;
    assert_int_equal(read_all(r, body, sizeof body, 32, &n), C9_ERR_HTTP_BODY_TOO_LARGE);
    assert_int_equal(h->f.open, 0);
    test_free(h);

    /* A header section larger than the buffer. */
    h = hx_new(0, 0);
    static char flood[2048];
    strcpy(flood, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(flood + strlen(flood), 'a', 1500);
    strcat(flood, "\r\n\r\n");
    fake_push(&h->f, flood, strlen(flood), 100, true);
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_ERR_HTTP_HEADERS_TOO_LARGE);
    assert_int_equal(h->f.open, 0);
    test_free(h);

    /* Slow drip: every byte comes in time for the per-operation timeout, but the head as a
     * whole does not come within head_timeout_ms. */
    h = hx_new(0, 1000);
    static char drip[600];
    strcpy(drip, "HTTP/1.1 200 OK\r\nX-Drip: ");
    memset(drip + strlen(drip), 'd', 500);
    fake_push(&h->f, drip, strlen(drip), 1, false);
    fake_last_script(&h->f)->recv_delay = 10;
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_ERR_TIMEDOUT);
    assert_true(h->f.clock - 1000 >= 1000 && h->f.clock - 1000 < 1200);
    assert_int_equal(h->f.open, 0);
    /* Silence: the per-operation timeout. */
    fake_push(&h->f, NULL, 0, 0, false);
    assert_int_equal(hx_get(h, "GET", "/", &r), C9_ERR_TIMEDOUT);
    test_free(h);
}

static void test_http_post_body(void **state) {
    (void)state;
    hx_t *h = hx_new(0, 0);
    static const char resp[] = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
    fake_push(&h->f, S(resp), 0, true);
    c9_http_response_t *r;
    c9_http_request_t req = {.method = "POST",
                             .proto = "http:",
                             .host = "h",
                             .port = 8080,
                             .path = "/p",
                             .body = "{\"a\":1}",
                             .body_len = 7,
                             .timeout_ms = 1000};
    assert_int_equal(c9_http_request(&h->http, &req, &r), C9_OK);
    assert_int_equal(r->status, 201);
    const char *sent = "POST /p HTTP/1.1\r\nHost: h:8080\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    assert_int_equal(h->f.last->out_len, strlen(sent));
    assert_memory_equal(h->f.last->out, sent, strlen(sent));
    /* A body too big for the buffer goes in a second send. */
    static char large[3000];
    memset(large, 'L', sizeof large);
    fake_push(&h->f, S(resp), 0, true);
    req.body = large;
    req.body_len = sizeof large;
    req.port = 0;
    c9_http_response_close(r);
    c9_net_connmgr_close_all(&h->m, true);
    assert_int_equal(c9_http_request(&h->http, &req, &r), C9_OK);
    size_t head = strlen("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\n\r\n");
    assert_int_equal(h->f.last->out_len, head + sizeof large);
    assert_memory_equal(h->f.last->out + head, large, sizeof large);
    test_free(h);
}

/* ---- MQTT ---- */

typedef struct {
    fake_net_t f;
    c9_net_conn_t slots[2];
    c9_net_connmgr_t m;
    uint8_t rx[256], tx[256], subs[128];
    c9_mqtt_t q;
    char got[8][64];
    uint8_t got_qos[8];
    int ngot;
    int mode; /* what the callback does */
    c9_err_t cb_err[3];
} mx_t;

static void on_msg(void *user, const c9_mqtt_message_t *msg) {
    mx_t *x = user;
    if (x->ngot < 8) {
        snprintf(x->got[x->ngot], 64, "%.*s=%.*s", (int)msg->topic_len, msg->topic, (int)msg->payload_len,
                 (const char *)msg->payload);
        x->got_qos[x->ngot] = msg->qos;
        x->ngot++;
    }
    if (x->mode == 1) {
        x->cb_err[0] = c9_mqtt_publish(&x->q, "reply", "r", 1, 1, false);
        x->cb_err[1] = c9_mqtt_subscribe(&x->q, "more", 0, NULL);
        x->cb_err[2] = c9_mqtt_publish(&x->q, "reply", "r", 1, 0, false);
    } else if (x->mode == 2) {
        c9_mqtt_disconnect(&x->q);
    }
}

static mx_t *mx_new(uint16_t keep_alive, bool clean) {
    mx_t *x = test_calloc(1, sizeof *x);
    fake_init(&x->f, 4);
    c9_net_connmgr_config_t cfg = {.sock = &x->f.ops};
    assert_int_equal(c9_net_connmgr_init(&x->m, &cfg, x->slots, 2), C9_OK);
    c9_mqtt_config_t mc = {.mgr = &x->m,
                           .host = "broker",
                           .connect = {.client_id = "c9", .keep_alive_s = keep_alive, .clean_session = clean},
                           .timeout_ms = 2000,
                           .rx_buf = x->rx,
                           .rx_size = sizeof x->rx,
                           .tx_buf = x->tx,
                           .tx_size = sizeof x->tx,
                           .sub_store = x->subs,
                           .sub_store_size = sizeof x->subs,
                           .on_message = on_msg,
                           .user = x,
                           .tls_ctx = C9_TLS_CTX_NONE};
    assert_int_equal(c9_mqtt_init(&x->q, &mc), C9_OK);
    return x;
}

/* Whether the bytes the client sent on the last socket contain pkt. */
static bool sent(mx_t *x, const uint8_t *pkt, size_t len) {
    fake_sock_t *s = x->f.last;
    for (size_t i = 0; i + len <= s->out_len; i++) {
        if (memcmp(s->out + i, pkt, len) == 0) {
            return true;
        }
    }
    return false;
}

#define B(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void test_mqtt_connect_and_refusals(void **state) {
    (void)state;
    mx_t *x = mx_new(60, true);
    static const uint8_t ok[] = {0x20, 2, 0, 0};
    fake_push(&x->f, ok, sizeof ok, 1, false);
    bool sp = true;
    assert_int_equal(c9_mqtt_connect(&x->q, &sp), C9_OK);
    assert_false(sp);
    assert_true(c9_mqtt_connected(&x->q));
    assert_true(sent(x, B(0x10, 0x0e, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 2, 'c', '9')));
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_ERR_ISCONN);
    c9_mqtt_disconnect(&x->q);
    assert_true(sent(x, B(0xe0, 0)));
    assert_false(c9_mqtt_connected(&x->q));
    assert_int_equal(x->f.open, 0);
    for (uint8_t rc = 1; rc <= 5; rc++) {
        static uint8_t refuse[5][4];
        memcpy(refuse[rc - 1], (uint8_t[]){0x20, 2, 0, rc}, 4);
        fake_push(&x->f, refuse[rc - 1], 4, 0, false);
        assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_ERR_MQTT_REFUSED_PROTOCOL - (rc - 1));
        assert_int_equal(x->f.open, 0);
    }
    static const uint8_t notack[] = {0xd0, 0};
    fake_push(&x->f, notack, 2, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_ERR_MQTT_PROTOCOL);
    fake_push(&x->f, NULL, 0, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_ERR_TIMEDOUT);
    assert_int_equal(x->f.open, 0);
    test_free(x);
}

static void test_mqtt_publish_subscribe_flows(void **state) {
    (void)state;
    mx_t *x = mx_new(0, true);
    static const uint8_t script[] = {
        0x20, 2, 0, 0,                            /* CONNACK */
        0x90, 3, 0, 1, 1,                         /* SUBACK id 1: QoS 1 */
        0x40, 2, 0, 2,                            /* PUBACK id 2 */
        0x50, 2, 0, 3,                            /* PUBREC id 3 */
        0x70, 2, 0, 3,                            /* PUBCOMP id 3 */
        0x32, 8, 0, 3, 'a',  '/', 'b', 0, 9, 'x', /* PUBLISH QoS 1 id 9 "a/b"="x" */
        0x34, 8, 0, 3, 'a',  '/', 'b', 0, 5, 'y', /* PUBLISH QoS 2 id 5 */
        0x3c, 8, 0, 3, 'a',  '/', 'b', 0, 5, 'y', /* the same again, DUP */
        0x62, 2, 0, 5,                            /* PUBREL id 5 */
        0x30, 4, 0, 1, 'z',  '0',                 /* PUBLISH QoS 0 */
        0x90, 3, 0, 4, 0x80,                      /* SUBACK id 4: refused */
        0xb0, 2, 0, 5,                            /* UNSUBACK id 5 */
    };
    fake_push(&x->f, script, sizeof script, 3, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    uint8_t granted = 9;
    assert_int_equal(c9_mqtt_subscribe(&x->q, "a/#", 1, &granted), C9_OK);
    assert_int_equal(granted, 1);
    assert_true(sent(x, B(0x82, 8, 0, 1, 0, 3, 'a', '/', '#', 1)));
    assert_int_equal(c9_mqtt_publish(&x->q, "t", "1", 1, 1, false), C9_OK);
    assert_true(sent(x, B(0x32, 6, 0, 1, 't', 0, 2, '1')));
    assert_int_equal(c9_mqtt_publish(&x->q, "t", "2", 1, 2, false), C9_OK);
    assert_true(sent(x, B(0x34, 6, 0, 1, 't', 0, 3, '2')));
    assert_true(sent(x, B(0x62, 2, 0, 3))); /* PUBREL after PUBREC */
    /* The messages arrive while the next SUBSCRIBE waits for its SUBACK: they are delivered
     * meanwhile, and acknowledged. */
    assert_int_equal(c9_mqtt_subscribe(&x->q, "denied", 0, NULL), C9_ERR_MQTT_SUB_REFUSED);
    assert_int_equal(x->ngot, 3); /* the QoS 2 duplicate was not delivered again */
    assert_string_equal(x->got[0], "a/b=x");
    assert_string_equal(x->got[1], "a/b=y");
    assert_int_equal(x->got_qos[1], 2);
    assert_string_equal(x->got[2], "z=0");
    assert_true(sent(x, B(0x40, 2, 0, 9)));                /* PUBACK */
    assert_true(sent(x, B(0x50, 2, 0, 5, 0x50, 2, 0, 5))); /* PUBREC twice */
    assert_true(sent(x, B(0x70, 2, 0, 5)));                /* PUBCOMP */
    assert_int_equal(c9_mqtt_unsubscribe(&x->q, "a/#"), C9_OK);
    assert_true(sent(x, B(0xa2, 7, 0, 5, 0, 3, 'a', '/', '#')));
    assert_int_equal(x->q.sub_used, 0); /* forgotten */
    unsigned handled = 9;
    /* Nothing more: loop waits its time and returns. */
    uint64_t t0 = x->f.clock;
    assert_int_equal(c9_mqtt_loop(&x->q, 500, &handled), C9_OK);
    assert_int_equal(handled, 0);
    assert_true(x->f.clock - t0 >= 500);
    test_free(x);
}

static void test_mqtt_session_resume_resends(void **state) {
    (void)state;
    /* QoS 1: the connection dies before PUBACK; the kept session gets the message again, DUP. */
    mx_t *x = mx_new(0, false);
    static const uint8_t s1[] = {0x20, 2, 0, 0};
    fake_push(&x->f, s1, sizeof s1, 0, true);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&x->q, "q", "1", 1, 1, false), C9_ERR_NOTCONN);
    assert_false(c9_mqtt_connected(&x->q));
    assert_int_equal(c9_mqtt_publish(&x->q, "q", "2", 1, 0, false), C9_ERR_MQTT_NOT_CONNECTED);
    static const uint8_t s2[] = {0x20, 2, 1, 0, 0x40, 2, 0, 1};
    fake_push(&x->f, s2, sizeof s2, 0, false);
    bool sp = false;
    assert_int_equal(c9_mqtt_reconnect(&x->q, &sp), C9_OK);
    assert_true(sp);
    assert_true(sent(x, B(0x3a, 6, 0, 1, 'q', 0, 1, '1'))); /* DUP | QoS 1 */
    assert_int_equal(x->q.out_state, 0);
    test_free(x);

    /* QoS 2: PUBREC came, PUBCOMP did not; the resumed session gets PUBREL again. */
    x = mx_new(0, false);
    static const uint8_t t1[] = {0x20, 2, 0, 0, 0x50, 2, 0, 1};
    fake_push(&x->f, t1, sizeof t1, 0, true);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&x->q, "q", "2", 1, 2, false), C9_ERR_NOTCONN);
    static const uint8_t t2[] = {0x20, 2, 1, 0, 0x70, 2, 0, 1};
    fake_push(&x->f, t2, sizeof t2, 0, false);
    assert_int_equal(c9_mqtt_reconnect(&x->q, NULL), C9_OK);
    assert_true(sent(x, B(0x62, 2, 0, 1)));
    assert_false(sent(x, B(0x34))); /* the message itself is not sent again */
    assert_int_equal(x->q.out_state, 0);
    test_free(x);

    /* No session kept: the pending message is dropped, the subscriptions are made again. */
    x = mx_new(0, true);
    static const uint8_t u1[] = {0x20, 2, 0, 0, 0x90, 3, 0, 1, 0};
    fake_push(&x->f, u1, sizeof u1, 0, true);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_subscribe(&x->q, "s/+", 0, NULL), C9_OK);
    assert_int_equal(c9_mqtt_publish(&x->q, "q", "1", 1, 1, false), C9_ERR_NOTCONN);
    static const uint8_t u2[] = {0x20, 2, 0, 0, 0x90, 3, 0, 3, 0};
    fake_push(&x->f, u2, sizeof u2, 0, false);
    assert_int_equal(c9_mqtt_reconnect(&x->q, &sp), C9_OK);
    assert_false(sp);
    assert_int_equal(x->q.out_state, 0);
    assert_true(sent(x, B(0x82, 8, 0, 3, 0, 3, 's', '/', '+', 0)));
    assert_false(sent(x, B(0x32)));
    test_free(x);
}

static void test_mqtt_keepalive(void **state) {
    (void)state;
    mx_t *x = mx_new(10, true);
    static const uint8_t s[] = {0x20, 2, 0, 0};
    fake_push(&x->f, s, sizeof s, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    uint64_t t0 = x->f.clock;
    /* Nothing to read for 25 s: a PINGREQ at 10 s, no PINGRESP by 20 s: the link is dead. */
    assert_int_equal(c9_mqtt_loop(&x->q, 25000, NULL), C9_ERR_MQTT_KEEPALIVE);
    assert_true(sent(x, B(0xc0, 0)));
    assert_true(x->f.clock - t0 >= 20000 && x->f.clock - t0 < 25000);
    assert_false(c9_mqtt_connected(&x->q));
    assert_int_equal(x->f.open, 0);

    static const uint8_t s2[] = {0x20, 2, 0, 0, 0xd0, 0};
    fake_push(&x->f, s2, sizeof s2, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_ping(&x->q), C9_OK);
    assert_true(sent(x, B(0xc0, 0)));
    test_free(x);
}

static void test_mqtt_bad_input_and_callbacks(void **state) {
    (void)state;
    mx_t *x = mx_new(0, true);
    static uint8_t big[300] = {0x20, 2, 0, 0, 0x30, 0xa6, 0x02, 0, 1, 't'}; /* PUBLISH of 294 bytes */
    fake_push(&x->f, big, sizeof big, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_ERR_MQTT_TOO_LARGE);
    assert_false(c9_mqtt_connected(&x->q));
    assert_int_equal(x->f.open, 0);

    static const uint8_t bad[] = {0x20, 2, 0, 0, 0x30, 3, 0, 1, '#'};
    fake_push(&x->f, bad, sizeof bad, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_ERR_MQTT_PROTOCOL);
    assert_int_equal(x->f.open, 0);

    static const uint8_t eof[] = {0x20, 2, 0, 0};
    fake_push(&x->f, eof, sizeof eof, 0, true);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_ERR_NOTCONN);

    /* Half a packet, then silence: the stream is out of step. */
    static const uint8_t half[] = {0x20, 2, 0, 0, 0x30, 10, 0, 1};
    fake_push(&x->f, half, sizeof half, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_ERR_TIMEDOUT);
    assert_false(c9_mqtt_connected(&x->q));

    /* The callback: QoS 0 publish works, calls that would wait are refused. */
    static const uint8_t msg[] = {0x20, 2, 0, 0, 0x30, 4, 0, 1, 'm', '1', 0x30, 4, 0, 1, 'm', '2'};
    fake_push(&x->f, msg, sizeof msg, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    x->mode = 1;
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_OK);
    assert_int_equal(x->cb_err[0], C9_ERR_BUSY);
    assert_int_equal(x->cb_err[1], C9_ERR_BUSY);
    assert_int_equal(x->cb_err[2], C9_OK);
    assert_true(sent(x, B(0x30, 8, 0, 5, 'r', 'e', 'p', 'l', 'y', 'r')));
    /* Disconnecting from the callback ends the loop cleanly. */
    static const uint8_t msg2[] = {0x20, 2, 0, 0, 0x30, 4, 0, 1, 'm', '1', 0x30, 4, 0, 1, 'm', '2'};
    c9_mqtt_disconnect(&x->q);
    fake_push(&x->f, msg2, sizeof msg2, 0, false);
    assert_int_equal(c9_mqtt_connect(&x->q, NULL), C9_OK);
    x->mode = 2;
    x->ngot = 0;
    assert_int_equal(c9_mqtt_loop(&x->q, 100, NULL), C9_OK);
    assert_int_equal(x->ngot, 1);
    assert_false(c9_mqtt_connected(&x->q));
    assert_int_equal(x->f.open, 0);
    assert_int_equal(c9_mqtt_publish(&x->q, "a/+", "x", 1, 0, false), C9_ERR_INVAL);
    test_free(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_length_keepalive_reuse),
        cmocka_unit_test(test_http_chunked_trailers),
        cmocka_unit_test(test_http_retry_on_dead_reused_connection),
        cmocka_unit_test(test_http_connection_decisions),
        cmocka_unit_test(test_http_close_early_and_request_close),
        cmocka_unit_test(test_http_errors_close),
        cmocka_unit_test(test_http_bounds_and_deadline),
        cmocka_unit_test(test_http_post_body),
        cmocka_unit_test(test_mqtt_connect_and_refusals),
        cmocka_unit_test(test_mqtt_publish_subscribe_flows),
        cmocka_unit_test(test_mqtt_session_resume_resends),
        cmocka_unit_test(test_mqtt_keepalive),
        cmocka_unit_test(test_mqtt_bad_input_and_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
