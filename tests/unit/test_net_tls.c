/* The mbedTLS back-end (ports/host/net_tls_mbedtls.c) against openssl s_server and s_client on
 * loopback, with a CA and certificates made by openssl for this run (tests/net/make_certs.sh):
 * a good certificate works (PEM buffer or file, bundles), and each bad one fails with its own
 * error and never succeeds silently: expired, not yet valid, wrong host name, unknown CA, no
 * CA at all, a TLS 1.3-only server, a server that wants a client certificate. Also: client
 * certificates, CERT_NONE and check_hostname, the TLS server side against s_client, timeouts
 * that leave the connection usable, and contexts released under open sockets.
 * Skips, with the reason, without openssl or mbedTLS. */
#include "peers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/host_net.h"

#define MBEDTLS_CERT_VERIFY_FAILED (-0x2700) /* mbedTLS's MBEDTLS_ERR_X509_CERT_VERIFY_FAILED */

static struct {
    char *dir;
    bool ready;
    const char *why;
    const char *openssl;
} g;

typedef struct {
    c9_host_net_t *net;
    c9_host_tls_t *tls;
    const c9_net_socket_ops_t *raw;
    const c9_net_tls_ops_t *t;
    const c9_net_socket_ops_t *s;
} env_t;

static int setup(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    static char openssl[512];
    const char *o = peer_find("openssl");
    if (!o) {
        g.why = "openssl is not installed";
        return 0;
    }
    snprintf(openssl, sizeof openssl, "%s", o);
    g.openssl = openssl;
    if (!c9_host_tls_available()) {
        g.why = "built without mbedTLS (libmbedtls-dev)";
        return 0;
    }
    g.dir = peer_tmpdir();
    if (!g.dir || !peer_make_certs(C9_SOURCE_DIR, g.dir)) {
        g.why = "openssl could not make the test certificates";
        return 0;
    }
    g.ready = true;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    peer_rmtree(g.dir);
    return 0;
}

#define NEED()                                                                                                         \
    do {                                                                                                               \
        if (!g.ready) {                                                                                                \
            print_message("skipped: %s\n", g.why);                                                                     \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

static env_t env(void) {
    env_t e;
    c9_host_net_config_t cfg;
    c9_host_net_config_default(&cfg);
    assert_int_equal(c9_host_net_new(&cfg, &e.net), C9_OK);
    e.raw = c9_host_net_ops(e.net);
    assert_int_equal(c9_host_tls_new(e.raw, NULL, &e.tls), C9_OK);
    e.t = c9_host_tls_ops(e.tls);
    e.s = e.t->sock;
    return e;
}

static void env_free(env_t *e) {
    c9_host_tls_free(e->tls);
    assert_int_equal(c9_host_net_open_count(e->net), 0);
    c9_host_net_free(e->net);
}

static void path_of(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", g.dir, name);
}

static c9_tls_ctx_t ctx_with_ca(env_t *e, const char *ca_file) {
    c9_tls_ctx_t c;
    assert_int_equal(e->t->context_new(e->t->ctx, &c), C9_OK);
    if (ca_file) {
        char p[600];
        path_of(p, sizeof p, ca_file);
        size_t len = 0;
        char *pem = peer_read(p, &len);
        assert_non_null(pem);
        assert_int_equal(e->t->context_load_verify(e->t->ctx, c, pem, len), C9_OK);
        free(pem);
    }
    return c;
}

typedef struct {
    pid_t pid;
    int out;
    int port;
} server_t;

/* openssl s_server with cert/key and extra arguments, in -rev mode (it answers each line
 * reversed); waits for its "ACCEPT". */
static server_t s_server(const char *cert, const char *key, const char *const *extra) {
    server_t s = {0, -1, 0};
    for (int attempt = 0; attempt < 3; attempt++) {
        s.port = peer_free_port();
        char accept[32], c[600], k[600];
        snprintf(accept, sizeof accept, "127.0.0.1:%d", s.port);
        path_of(c, sizeof c, cert);
        path_of(k, sizeof k, key);
        char *argv[24] = {(char *)g.openssl, "s_server", "-accept", accept, "-cert", c, "-key", k, "-rev"};
        int n = 9;
        for (int i = 0; extra && extra[i] && n < 22; i++) {
            argv[n++] = (char *)extra[i];
        }
        argv[n] = NULL;
        char log[600];
        path_of(log, sizeof log, "s_server.log");
        s.pid = peer_spawn_io(argv, log, NULL, &s.out);
        if (s.pid > 0 && peer_wait_line(s.out, "ACCEPT", PEER_GUARD_MS, NULL, 0)) {
            return s;
        }
        peer_stop(s.pid);
        if (s.out >= 0) {
            close(s.out);
        }
    }
    fail_msg("openssl s_server did not start");
    return s;
}

static void server_stop(server_t *s) {
    peer_stop(s->pid);
    if (s->out >= 0) {
        close(s->out);
    }
}

/* A TLS connection to the server, host name for SNI and verification. */
static c9_err_t tls_connect(env_t *e, c9_tls_ctx_t c, const char *host, int port, c9_sock_t *out) {
    c9_sock_t raw;
    assert_int_equal(e->raw->open(e->raw->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &raw), C9_OK);
    c9_err_t err = e->t->wrap(e->t->ctx, c, raw, false, host, out);
    if (err != C9_OK) {
        return err;
    }
    c9_net_addr_t a = {.family = C9_NET_AF_INET, .port = (uint16_t)port, .addr = {127, 0, 0, 1}};
    assert_int_equal(e->s->settimeout(e->s->ctx, *out, 10000), C9_OK);
    return e->s->connect(e->s->ctx, *out, &a);
}

/* Sends line and reads the reversed answer from s_server -rev. */
static void echo_reversed(env_t *e, c9_sock_t s, const char *line, const char *want) {
    size_t n;
    assert_int_equal(c9_net_send_all(e->s, s, line, strlen(line), &n), C9_OK);
    char buf[256];
    size_t got = 0;
    while (got < strlen(want)) {
        assert_int_equal(e->s->recv(e->s->ctx, s, buf + got, sizeof buf - got, &n), C9_OK);
        assert_true(n > 0);
        got += n;
    }
    assert_memory_equal(buf, want, strlen(want));
}

static void test_good_certificate(void **state) {
    (void)state;
    NEED();
    env_t e = env();
    server_t srv = s_server("server.crt", "server.key", NULL);
    c9_tls_ctx_t c = ctx_with_ca(&e, "ca.crt");
    c9_sock_t s;
    assert_int_equal(tls_connect(&e, c, "localhost", srv.port, &s), C9_OK);
    echo_reversed(&e, s, "hello\n", "olleh");
    /* The socket keeps its context: releasing it now changes nothing for s. */
    e.t->context_release(e.t->ctx, c);
    assert_int_equal(e.t->context_set_verify(e.t->ctx, c, false, false), C9_ERR_BADF);
    /* A timeout leaves the connection usable (mbedTLS resumes the record). */
    assert_int_equal(e.s->settimeout(e.s->ctx, s, 50), C9_OK);
    char buf[16];
    size_t n;
    assert_int_equal(e.s->recv(e.s->ctx, s, buf, sizeof buf, &n), C9_ERR_TIMEDOUT);
    assert_int_equal(e.s->settimeout(e.s->ctx, s, 0), C9_OK);
    assert_int_equal(e.s->recv(e.s->ctx, s, buf, sizeof buf, &n), C9_ERR_AGAIN);
    assert_int_equal(e.s->settimeout(e.s->ctx, s, 10000), C9_OK);
    echo_reversed(&e, s, "abc\n", "cba");
    /* poll sees the answer coming. */
    assert_int_equal(c9_net_send_all(e.s, s, "xyz\n", 4, &n), C9_OK);
    unsigned rev = 0;
    long long guard = peer_now_ms() + 10000;
    while (!(rev & C9_NET_POLL_IN) && peer_now_ms() < guard) {
        assert_int_equal(e.s->poll(e.s->ctx, s, C9_NET_POLL_IN, &rev), C9_OK);
    }
    assert_true(rev & C9_NET_POLL_IN);
    assert_int_equal(e.s->recv(e.s->ctx, s, buf, 3, &n), C9_OK);
    assert_int_equal(e.s->close(e.s->ctx, s), C9_OK);
    assert_int_equal(e.s->close(e.s->ctx, s), C9_ERR_BADF);

    /* The CA from a file, and from a bundle holding it among others. */
    const char *files[] = {"ca.crt", "bundle.pem"};
    for (size_t i = 0; i < 2; i++) {
        c9_tls_ctx_t f;
        assert_int_equal(e.t->context_new(e.t->ctx, &f), C9_OK);
        char p[600];
        path_of(p, sizeof p, files[i]);
        assert_int_equal(e.t->context_load_verify_file(e.t->ctx, f, p), C9_OK);
        assert_int_equal(tls_connect(&e, f, "localhost", srv.port, &s), C9_OK);
        echo_reversed(&e, s, "file\n", "elif");
        e.s->close(e.s->ctx, s);
        e.t->context_release(e.t->ctx, f);
    }
    server_stop(&srv);
    env_free(&e);
}

/* The handshake must fail with want; error_info tells the rest. */
static void expect_failure(env_t *e, server_t *srv, c9_tls_ctx_t c, const char *host, c9_err_t want,
                           uint32_t want_flags) {
    c9_sock_t s;
    c9_err_t err = tls_connect(e, c, host, srv->port, &s);
    assert_int_equal(err, want);
    c9_tls_error_info_t info;
    assert_int_equal(e->t->error_info(e->t->ctx, s, &info), C9_OK);
    if (want_flags) {
        assert_int_equal(info.lib_code, MBEDTLS_CERT_VERIFY_FAILED);
        assert_true((info.verify_flags & want_flags) == want_flags);
        assert_non_null(strstr(info.message, "X509 - Certificate verification failed"));
    } else {
        assert_true(info.lib_code < 0);
        assert_true(strlen(info.message) > 0);
    }
    /* The failed socket stays failed (no later silent success), and closes. */
    size_t n;
    assert_int_equal(e->s->send(e->s->ctx, s, "x", 1, &n), want);
    assert_int_equal(e->s->close(e->s->ctx, s), C9_OK);
}

static void test_bad_certificates(void **state) {
    (void)state;
    NEED();
    env_t e = env();
    c9_tls_ctx_t ca = ctx_with_ca(&e, "ca.crt");

    server_t srv = s_server("expired.crt", "expired.key", NULL);
    expect_failure(&e, &srv, ca, "localhost", C9_ERR_TLS_CERT_EXPIRED, C9_TLS_VERIFY_EXPIRED);
    server_stop(&srv);

    srv = s_server("future.crt", "future.key", NULL);
    expect_failure(&e, &srv, ca, "localhost", C9_ERR_TLS_CERT_VERIFY, C9_TLS_VERIFY_FUTURE);
    server_stop(&srv);

    srv = s_server("wronghost.crt", "wronghost.key", NULL);
    expect_failure(&e, &srv, ca, "localhost", C9_ERR_TLS_CERT_HOSTNAME, C9_TLS_VERIFY_HOSTNAME);
    /* check_hostname off: the chain still counts, the name does not. */
    c9_tls_ctx_t noname = ctx_with_ca(&e, "ca.crt");
    assert_int_equal(e.t->context_set_verify(e.t->ctx, noname, true, false), C9_OK);
    c9_sock_t s;
    assert_int_equal(tls_connect(&e, noname, "localhost", srv.port, &s), C9_OK);
    echo_reversed(&e, s, "name\n", "eman");
    e.s->close(e.s->ctx, s);
    server_stop(&srv);

    srv = s_server("unknown.crt", "unknown.key", NULL);
    expect_failure(&e, &srv, ca, "localhost", C9_ERR_TLS_CERT_UNTRUSTED, C9_TLS_VERIFY_NOT_TRUSTED);
    assert_int_equal(tls_connect(&e, noname, "localhost", srv.port, &s), C9_ERR_TLS_CERT_UNTRUSTED);
    e.s->close(e.s->ctx, s);
    /* CERT_NONE: no verification at all, by request only. */
    c9_tls_ctx_t none = ctx_with_ca(&e, NULL);
    assert_int_equal(e.t->context_set_verify(e.t->ctx, none, false, false), C9_OK);
    assert_int_equal(tls_connect(&e, none, "localhost", srv.port, &s), C9_OK);
    echo_reversed(&e, s, "none\n", "enon");
    e.s->close(e.s->ctx, s);
    server_stop(&srv);

    /* A context that trusts no CA at all. */
    srv = s_server("server.crt", "server.key", NULL);
    c9_tls_ctx_t empty = ctx_with_ca(&e, NULL);
    expect_failure(&e, &srv, empty, "localhost", C9_ERR_TLS_CERT_UNTRUSTED, 0);
    /* Forgetting the CAs again makes a good context fail too. */
    c9_tls_ctx_t cleared = ctx_with_ca(&e, "ca.crt");
    assert_int_equal(e.t->context_load_verify(e.t->ctx, cleared, NULL, 0), C9_OK);
    assert_int_equal(tls_connect(&e, cleared, "localhost", srv.port, &s), C9_ERR_TLS_CERT_UNTRUSTED);
    e.s->close(e.s->ctx, s);
    server_stop(&srv);

    /* mbedTLS 2.28 speaks TLS 1.2: a 1.3-only server is a handshake failure, 1.2-only works. */
    const char *tls13[] = {"-tls1_3", NULL};
    srv = s_server("server.crt", "server.key", tls13);
    expect_failure(&e, &srv, ca, "localhost", C9_ERR_TLS_HANDSHAKE, 0);
    server_stop(&srv);
    const char *tls12[] = {"-tls1_2", NULL};
    srv = s_server("server.crt", "server.key", tls12);
    assert_int_equal(tls_connect(&e, ca, "localhost", srv.port, &s), C9_OK);
    echo_reversed(&e, s, "twelve\n", "evlewt");
    e.s->close(e.s->ctx, s);
    server_stop(&srv);

    c9_tls_ctx_t all[] = {ca, noname, none, empty, cleared};
    for (size_t i = 0; i < C9_ARRAY_SIZE(all); i++) {
        e.t->context_release(e.t->ctx, all[i]);
    }
    env_free(&e);
}

static void test_client_certificate(void **state) {
    (void)state;
    NEED();
    env_t e = env();
    char ca[600];
    path_of(ca, sizeof ca, "ca.crt");
    const char *want_cert[] = {"-Verify", "1", "-CAfile", ca, "-tls1_2", NULL};
    server_t srv = s_server("server.crt", "server.key", want_cert);
    c9_tls_ctx_t c = ctx_with_ca(&e, "ca.crt");
    /* Without a client certificate the server ends the handshake. */
    c9_sock_t s;
    c9_err_t err = tls_connect(&e, c, "localhost", srv.port, &s);
    assert_int_equal(err, C9_ERR_TLS_HANDSHAKE);
    e.s->close(e.s->ctx, s);
    char p[600];
    path_of(p, sizeof p, "client.crt");
    size_t cl = 0, kl = 0;
    char *cert = peer_read(p, &cl);
    path_of(p, sizeof p, "client.key");
    char *key = peer_read(p, &kl);
    assert_int_equal(e.t->context_load_cert_chain(e.t->ctx, c, cert, cl, key, kl), C9_OK);
    assert_int_equal(tls_connect(&e, c, "localhost", srv.port, &s), C9_OK);
    echo_reversed(&e, s, "client\n", "tneilc");
    e.s->close(e.s->ctx, s);
    server_stop(&srv);

    /* Material that does not parse or does not belong together. */
    path_of(p, sizeof p, "server.key");
    size_t sl = 0;
    char *server_key = peer_read(p, &sl);
    assert_int_equal(e.t->context_load_cert_chain(e.t->ctx, c, cert, cl, server_key, sl), C9_ERR_TLS_BAD_KEY);
    assert_int_equal(e.t->context_load_cert_chain(e.t->ctx, c, cert, cl, "not a key", 9), C9_ERR_TLS_BAD_KEY);
    assert_int_equal(e.t->context_load_cert_chain(e.t->ctx, c, "not a cert", 10, key, kl), C9_ERR_TLS_BAD_CERT);
    assert_int_equal(
        e.t->context_load_verify(e.t->ctx, c, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58),
        C9_ERR_TLS_BAD_CERT);
    assert_int_equal(e.t->context_load_verify(e.t->ctx, c, "\x30\x03\x02\x01\x01", 5), C9_ERR_TLS_BAD_CERT);
    assert_int_equal(e.t->context_load_verify_file(e.t->ctx, c, "/nonexistent/ca.pem"), C9_ERR_NOENT);
    assert_string_equal(c9_net_strerror(C9_ERR_TLS_BAD_CERT), "invalid cert");
    assert_string_equal(c9_net_strerror(C9_ERR_TLS_BAD_KEY), "invalid key");
    if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
        assert_int_equal(e.t->context_load_default(e.t->ctx, c), C9_OK);
    }
    /* Host-name checking needs a host name. */
    c9_sock_t raw;
    assert_int_equal(e.raw->open(e.raw->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &raw), C9_OK);
    assert_int_equal(e.t->wrap(e.t->ctx, c, raw, false, NULL, &s), C9_ERR_INVAL);
    assert_int_equal(c9_host_net_open_count(e.net), 0); /* the raw socket was closed with it */
    free(cert);
    free(key);
    free(server_key);
    e.t->context_release(e.t->ctx, c);
    env_free(&e);
}

static void test_server_side_with_s_client(void **state) {
    (void)state;
    NEED();
    env_t e = env();
    c9_tls_ctx_t c;
    assert_int_equal(e.t->context_new(e.t->ctx, &c), C9_OK);
    char p[600];
    path_of(p, sizeof p, "server.crt");
    size_t cl = 0, kl = 0;
    char *cert = peer_read(p, &cl);
    path_of(p, sizeof p, "server.key");
    char *key = peer_read(p, &kl);
    assert_int_equal(e.t->context_load_cert_chain(e.t->ctx, c, cert, cl, key, kl), C9_OK);
    c9_sock_t raw, l;
    assert_int_equal(e.raw->open(e.raw->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &raw), C9_OK);
    assert_int_equal(e.t->wrap(e.t->ctx, c, raw, true, "no-hostname-on-server", &l), C9_ERR_INVAL);
    assert_int_equal(e.raw->open(e.raw->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &raw), C9_OK);
    assert_int_equal(e.t->wrap(e.t->ctx, c, raw, true, NULL, &l), C9_OK);
    c9_net_addr_t la = {.family = C9_NET_AF_INET, .port = (uint16_t)peer_free_port(), .addr = {127, 0, 0, 1}};
    assert_int_equal(e.s->bind(e.s->ctx, l, &la), C9_OK);
    assert_int_equal(e.s->listen(e.s->ctx, l, 1), C9_OK);
    char connect[32], ca[600], in[600], out[600];
    snprintf(connect, sizeof connect, "127.0.0.1:%d", la.port);
    path_of(ca, sizeof ca, "ca.crt");
    path_of(in, sizeof in, "s_client.in");
    path_of(out, sizeof out, "s_client.out");
    peer_write(in, "ping over tls\n");
    char *argv[] = {(char *)g.openssl,      "s_client",    "-connect",  connect,  "-CAfile", ca,
                    "-verify_return_error", "-servername", "localhost", "-quiet", NULL};
    pid_t pid = peer_spawn_io(argv, out, in, NULL);
    assert_true(pid > 0);
    assert_int_equal(e.s->settimeout(e.s->ctx, l, 20000), C9_OK);
    c9_sock_t conn;
    c9_net_addr_t peer;
    assert_int_equal(e.s->accept(e.s->ctx, l, &conn, &peer), C9_OK);
    char buf[64];
    size_t got = 0, n;
    while (got < 14) {
        assert_int_equal(e.s->recv(e.s->ctx, conn, buf + got, sizeof buf - got, &n), C9_OK);
        assert_true(n > 0);
        got += n;
    }
    assert_memory_equal(buf, "ping over tls\n", 14);
    assert_int_equal(c9_net_send_all(e.s, conn, "pong from circuit9\n", 19, &n), C9_OK);
    assert_int_equal(e.s->close(e.s->ctx, conn), C9_OK); /* close_notify ends s_client */
    assert_int_equal(peer_wait_exit(pid, 20000), 0);
    char *text = peer_read(out, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "pong from circuit9"));
    free(text);
    e.s->close(e.s->ctx, l);
    free(cert);
    free(key);
    e.t->context_release(e.t->ctx, c);
    env_free(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_certificate),
        cmocka_unit_test(test_bad_certificates),
        cmocka_unit_test(test_client_certificate),
        cmocka_unit_test(test_server_side_with_s_client),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
