/* Unit tests of the connection manager's rules over a scripted socket table: the observable
 * rules of adafruit_connection_manager 3.1 (one socket per key, lent to one user, reused after
 * free_socket, "already connected" while lent, "Socket not managed"), and where circuit9
 * differs on purpose (docs/net.md): health check before reuse, idle expiry, the TLS context in
 * the key, LRU eviction one socket at a time and only for resource errors, every resolved
 * address tried. Real-socket versions of the same rules are in test_net_http.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/net.h"

#include "fake_net.h"

typedef struct {
    fake_net_t f;
    c9_net_conn_t slots[4];
    c9_net_connmgr_t m;
    c9_net_tls_ops_t tls;
} env_t;

/* A "TLS" table for key tests: wrap hands the raw socket back, so the fake table drives it. */
static c9_err_t tls_wrap(void *ctx, c9_tls_ctx_t c, c9_sock_t raw, bool server, const char *host, c9_sock_t *out) {
    (void)ctx, (void)c, (void)server, (void)host;
    *out = raw;
    return C9_OK;
}

static env_t *env_new(unsigned limit, size_t nslots, uint32_t max_idle) {
    env_t *e = test_calloc(1, sizeof *e);
    fake_init(&e->f, limit);
    e->tls.wrap = tls_wrap;
    e->tls.sock = &e->f.ops;
    e->tls.ctx = e;
    c9_net_connmgr_config_t cfg = {.sock = &e->f.ops, .tls = &e->tls, .max_idle_ms = max_idle};
    assert_int_equal(c9_net_connmgr_init(&e->m, &cfg, e->slots, nslots), C9_OK);
    return e;
}

/* Whether the fake socket that had generation gen is closed (its slot may hold a newer one). */
static bool gone(const fake_sock_t *s, uint16_t gen) {
    return !s->used || s->gen != gen;
}

static c9_net_key_t key(const char *host, uint16_t port) {
    return (c9_net_key_t){.host = host, .port = port, .proto = "http:", .tls_ctx = C9_TLS_CTX_NONE};
}

static c9_net_conn_t *get_ok(env_t *e, c9_net_key_t k) {
    c9_net_conn_t *c = NULL;
    assert_int_equal(c9_net_connmgr_get(&e->m, &k, 1000, &c), C9_OK);
    assert_non_null(c);
    return c;
}

static void test_reuse_after_free(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    c9_net_conn_t *c = get_ok(e, key("a", 80));
    assert_false(c->reused);
    assert_int_equal(e->f.last->timeout, 1000); /* timeout applied before connect */
    c9_sock_t s = c->sock;
    c9_net_key_t same = key("a", 80);
    c9_net_conn_t *c2 = NULL;
    assert_int_equal(c9_net_connmgr_get(&e->m, &same, 1000, &c2), C9_ERR_NET_IN_USE);
    assert_int_equal(c9_net_connmgr_free(&e->m, c), C9_OK);
    assert_int_equal(c9_net_connmgr_available(&e->m), 1);
    c2 = get_ok(e, key("a", 80));
    assert_ptr_equal(c2, c);
    assert_int_equal(c2->sock, s);
    assert_true(c2->reused);
    assert_int_equal(c2->uses, 2);
    assert_int_equal(e->f.opens, 1);
    assert_int_equal(e->m.stats.reused, 1);
    /* A different port, protocol or session is another socket. */
    c9_net_key_t other = key("a", 80);
    other.session_id = "s2";
    c9_net_conn_t *c3 = get_ok(e, other);
    assert_ptr_not_equal(c3, c2);
    other = key("a", 80);
    other.proto = "mqtt:";
    get_ok(e, other);
    assert_int_equal(e->f.opens, 3);
    assert_int_equal(c9_net_connmgr_managed(&e->m), 3);
    assert_int_equal(c9_net_connmgr_available(&e->m), 0);
    test_free(e);
}

static void test_stale_socket_replaced(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    c9_net_conn_t *c = get_ok(e, key("a", 80));
    fake_sock_t *first = e->f.last;
    uint16_t first_gen = first->gen;
    c9_net_connmgr_free(&e->m, c);
    first->peer_closed = true; /* the server's keep-alive timeout closed it while idle */
    c = get_ok(e, key("a", 80));
    assert_false(c->reused);
    assert_true(gone(first, first_gen)); /* closed, not leaked */
    assert_int_equal(e->f.opens, 2);
    assert_int_equal(e->m.stats.stale, 1);

    /* An idle socket with unread bytes is out of step too. */
    static const uint8_t junk[] = "HTTP/1.1 408 Request Timeout\r\n\r\n";
    e->f.last->s.in = junk;
    e->f.last->s.in_len = sizeof junk - 1;
    c9_net_connmgr_free(&e->m, c);
    c = get_ok(e, key("a", 80));
    assert_false(c->reused);
    assert_int_equal(e->m.stats.stale, 2);
    test_free(e);
}

static void test_idle_expiry(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 5000);
    c9_net_conn_t *c = get_ok(e, key("a", 80));
    c9_net_connmgr_free(&e->m, c);
    e->f.clock += 5000;
    c = get_ok(e, key("a", 80)); /* exactly max_idle: still fine */
    assert_true(c->reused);
    c9_net_connmgr_free(&e->m, c);
    e->f.clock += 5001;
    c = get_ok(e, key("a", 80));
    assert_false(c->reused);
    assert_int_equal(e->m.stats.expired, 1);
    assert_int_equal(e->f.open, 1);
    test_free(e);
}

static void test_lru_eviction_when_slots_full(void **state) {
    (void)state;
    env_t *e = env_new(8, 2, 0);
    c9_net_conn_t *a = get_ok(e, key("a", 80));
    fake_sock_t *sa = e->f.last;
    c9_net_connmgr_free(&e->m, a);
    uint16_t ga = sa->gen;
    c9_net_conn_t *b = get_ok(e, key("b", 80));
    fake_sock_t *sb = e->f.last;
    uint16_t gb = sb->gen;
    c9_net_connmgr_free(&e->m, b);
    a = get_ok(e, key("a", 80)); /* a becomes the most recently used */
    c9_net_connmgr_free(&e->m, a);
    get_ok(e, key("c", 80));
    assert_false(gone(sa, ga));
    assert_true(gone(sb, gb));
    assert_int_equal(e->m.stats.evicted, 1);
    /* Both slots lent out: nothing to evict. */
    get_ok(e, key("a", 80));
    c9_net_key_t d = key("d", 80);
    c9_net_conn_t *c;
    assert_int_equal(c9_net_connmgr_get(&e->m, &d, 1000, &c), C9_ERR_NET_OUT_OF_SOCKETS);
    assert_int_equal(e->f.open, 2);
    test_free(e);
}

static void test_out_of_sockets_and_recovery(void **state) {
    (void)state;
    env_t *e = env_new(2, 4, 0); /* the port allows 2 sockets, the manager has 4 slots */
    c9_net_conn_t *a = get_ok(e, key("a", 80));
    c9_net_conn_t *b = get_ok(e, key("b", 80));
    fake_sock_t *sb = e->f.last;
    uint16_t gb = sb->gen;
    c9_net_connmgr_free(&e->m, b);
    c9_net_connmgr_free(&e->m, a); /* a freed last: b is least recently used */
    c9_net_conn_t *c = get_ok(e, key("c", 80));
    assert_true(gone(sb, gb));
    assert_int_equal(e->m.stats.evicted, 1);
    assert_int_equal(c9_net_connmgr_managed(&e->m), 2);
    /* a and c lent out: the port is full and nothing is free. */
    a = get_ok(e, key("a", 80));
    c9_net_key_t d = key("d", 80);
    c9_net_conn_t *x;
    assert_int_equal(c9_net_connmgr_get(&e->m, &d, 1000, &x), C9_ERR_NET_OUT_OF_SOCKETS);
    assert_int_equal(e->f.open, 2);
    /* Recovery: once one is given back, the next get makes room. */
    c9_net_connmgr_free(&e->m, c);
    x = get_ok(e, key("d", 80));
    assert_int_equal(e->f.open, 2);
    assert_int_equal(c9_net_connmgr_close(&e->m, x), C9_OK);
    assert_int_equal(c9_net_connmgr_close(&e->m, a), C9_OK);
    assert_int_equal(e->f.open, 0);
    test_free(e);
}

static void test_refused_does_not_flush_free_sockets(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    c9_net_conn_t *a = get_ok(e, key("a", 80));
    fake_sock_t *sa = e->f.last;
    uint16_t ga = sa->gen;
    c9_net_connmgr_free(&e->m, a);
    fake_push(&e->f, NULL, 0, 0, true);
    fake_last_script(&e->f)->connect_err = C9_ERR_CONNREFUSED;
    c9_net_key_t b = key("b", 81);
    c9_net_conn_t *c;
    assert_int_equal(c9_net_connmgr_get(&e->m, &b, 1000, &c), C9_ERR_CONNREFUSED);
    /* adafruit_connection_manager closes every free socket and retries on any OSError;
     * a refused connection is not a resource problem, so the kept socket stays. */
    assert_false(gone(sa, ga));
    assert_int_equal(c9_net_connmgr_available(&e->m), 1);
    assert_int_equal(e->f.connects, 2);
    assert_int_equal(e->f.open, 1); /* the refused socket was closed */
    assert_int_equal(e->m.stats.connect_failed, 1);
    test_free(e);
}

static void test_every_address_tried(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    e->f.naddrs = 3;
    e->f.addrs[0].family = C9_NET_AF_INET6; /* ::1 refused, 127.0.0.2 unreachable, 127.0.0.1 ok */
    memset(e->f.addrs[0].addr, 0, 16);
    e->f.addrs[0].addr[15] = 1;
    e->f.addrs[1] = (c9_net_addr_t){.family = C9_NET_AF_INET, .addr = {127, 0, 0, 2}};
    e->f.addrs[2] = (c9_net_addr_t){.family = C9_NET_AF_INET, .addr = {127, 0, 0, 1}};
    fake_push(&e->f, NULL, 0, 0, true);
    fake_last_script(&e->f)->connect_err = C9_ERR_CONNREFUSED;
    fake_push(&e->f, NULL, 0, 0, true);
    fake_last_script(&e->f)->connect_err = C9_ERR_HOSTUNREACH;
    c9_net_conn_t *c = get_ok(e, key("localhost", 8080));
    assert_int_equal(e->f.connects, 3);
    assert_int_equal(e->f.last->addr.addr[3], 1);
    assert_int_equal(e->f.last->addr.port, 8080);
    assert_int_equal(e->f.open, 1);
    c9_net_connmgr_close(&e->m, c);
    /* A timeout is not retried on the next address (it would multiply the wait). */
    fake_push(&e->f, NULL, 0, 0, true);
    fake_last_script(&e->f)->connect_err = C9_ERR_TIMEDOUT;
    c9_net_key_t k = key("localhost", 8080);
    assert_int_equal(c9_net_connmgr_get(&e->m, &k, 1000, &c), C9_ERR_TIMEDOUT);
    assert_int_equal(e->f.connects, 4);
    assert_int_equal(e->f.open, 0);
    e->f.naddrs = 0;
    assert_int_equal(c9_net_connmgr_get(&e->m, &k, 1000, &c), C9_ERR_NET_NONAME);
    test_free(e);
}

static void test_tls_context_in_key(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    c9_net_key_t k1 = {.host = "h", .port = 443, .proto = "https:", .tls_ctx = 1};
    c9_net_key_t k2 = k1;
    k2.tls_ctx = 2;
    c9_net_conn_t *a, *b;
    assert_int_equal(c9_net_connmgr_get(&e->m, &k1, 1000, &a), C9_OK);
    assert_true(a->tls);
    assert_ptr_equal(a->ops, &e->f.ops);
    c9_net_connmgr_free(&e->m, a);
    assert_int_equal(c9_net_connmgr_get(&e->m, &k2, 1000, &b), C9_OK);
    assert_ptr_not_equal(a, b); /* another context: another connection */
    c9_net_connmgr_free(&e->m, b);
    assert_int_equal(c9_net_connmgr_get(&e->m, &k1, 1000, &b), C9_OK);
    assert_ptr_equal(a, b);
    c9_net_key_t none = k1;
    none.tls_ctx = C9_TLS_CTX_NONE;
    none.host = "other";
    assert_int_equal(c9_net_connmgr_get(&e->m, &none, 1000, &b), C9_ERR_NET_NO_TLS_CONTEXT);
    c9_net_key_t plain = {.host = "h", .port = 443, .proto = "mqtt:", .tls = true, .tls_ctx = 1};
    assert_int_equal(c9_net_connmgr_get(&e->m, &plain, 1000, &b), C9_OK); /* tls without https: */
    assert_true(b->tls);
    /* Without a TLS table. */
    c9_net_connmgr_t m2;
    c9_net_conn_t s2[1];
    c9_net_connmgr_config_t cfg = {.sock = &e->f.ops};
    assert_int_equal(c9_net_connmgr_init(&m2, &cfg, s2, 1), C9_OK);
    assert_int_equal(c9_net_connmgr_get(&m2, &k1, 1000, &b), C9_ERR_NOSYS);
    test_free(e);
}

static void test_not_managed_and_close_all(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    c9_net_conn_t stray;
    memset(&stray, 0, sizeof stray);
    assert_int_equal(c9_net_connmgr_free(&e->m, &stray), C9_ERR_NET_NOT_MANAGED);
    assert_int_equal(c9_net_connmgr_close(&e->m, NULL), C9_ERR_NET_NOT_MANAGED);
    assert_int_equal(c9_net_connmgr_close(&e->m, (c9_net_conn_t *)((char *)&e->slots[1] + 4)), C9_ERR_NET_NOT_MANAGED);
    c9_net_conn_t *a = get_ok(e, key("a", 80));
    c9_net_conn_t *b = get_ok(e, key("b", 80));
    assert_int_equal(c9_net_connmgr_free(&e->m, a), C9_OK);
    assert_int_equal(c9_net_connmgr_free(&e->m, a), C9_ERR_NET_NOT_MANAGED); /* not lent out */
    c9_net_connmgr_close_all(&e->m, false);
    assert_int_equal(c9_net_connmgr_managed(&e->m), 1);
    assert_int_equal(e->f.open, 1);
    c9_net_connmgr_close_all(&e->m, true);
    assert_int_equal(c9_net_connmgr_managed(&e->m), 0);
    assert_int_equal(e->f.open, 0);
    assert_int_equal(c9_net_connmgr_close(&e->m, b), C9_ERR_NET_NOT_MANAGED);
    test_free(e);
}

static void reenter(void *arg) {
    env_t *e = arg;
    c9_net_key_t k = key("x", 1);
    c9_net_conn_t *c;
    assert_int_equal(c9_net_connmgr_get(&e->m, &k, 1000, &c), C9_ERR_BUSY);
}

static void test_reentrancy_and_bad_keys(void **state) {
    (void)state;
    env_t *e = env_new(8, 4, 0);
    e->f.on_connect = reenter;
    e->f.on_connect_arg = e;
    get_ok(e, key("a", 80));
    e->f.on_connect = NULL;
    c9_net_conn_t *c;
    char longhost[C9_NET_HOST_MAX + 2];
    memset(longhost, 'h', sizeof longhost - 1);
    longhost[sizeof longhost - 1] = 0;
    c9_net_key_t bad[] = {key(longhost, 80),
                          key("", 80),
                          key("a", 0),
                          {.host = "a", .port = 1, .proto = NULL},
                          {.host = "a", .port = 1, .proto = "a-protocol-name-too-long:"}};
    for (size_t i = 0; i < C9_ARRAY_SIZE(bad); i++) {
        assert_int_equal(c9_net_connmgr_get(&e->m, &bad[i], 1000, &c), C9_ERR_INVAL);
    }
    longhost[C9_NET_HOST_MAX] = 0; /* exactly the maximum */
    get_ok(e, key(longhost, 80));
    test_free(e);
}

static void test_send_all_partial(void **state) {
    (void)state;
    fake_net_t f;
    fake_init(&f, 2);
    fake_push(&f, NULL, 0, 0, true);
    fake_last_script(&f)->send_piece = 3;
    c9_sock_t s;
    assert_int_equal(f.ops.open(&f, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &s), C9_OK);
    size_t sent;
    assert_int_equal(c9_net_send_all(&f.ops, s, "hello world", 11, &sent), C9_OK);
    assert_int_equal(sent, 11);
    assert_int_equal(f.last->out_len, 11);
    assert_memory_equal(f.last->out, "hello world", 11);
    f.last->s.send_err = C9_ERR_PIPE;
    assert_int_equal(c9_net_send_all(&f.ops, s, "x", 1, &sent), C9_ERR_PIPE);
    assert_int_equal(sent, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_after_free),
        cmocka_unit_test(test_stale_socket_replaced),
        cmocka_unit_test(test_idle_expiry),
        cmocka_unit_test(test_lru_eviction_when_slots_full),
        cmocka_unit_test(test_out_of_sockets_and_recovery),
        cmocka_unit_test(test_refused_does_not_flush_free_sockets),
        cmocka_unit_test(test_every_address_tried),
        cmocka_unit_test(test_tls_context_in_key),
        cmocka_unit_test(test_not_managed_and_close_all),
        cmocka_unit_test(test_reentrancy_and_bad_keys),
        cmocka_unit_test(test_send_all_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
