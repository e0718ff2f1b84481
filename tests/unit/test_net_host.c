/* Tests of the host socket table (ports/host/net_posix.c) on real loopback sockets: the board's
 * socket limit and recovery, CircuitPython's timeout meanings, connect/accept/send/recv/
 * sendto/recvfrom, end of stream and resets, the explicit SO_REUSEADDR rule of CircuitPython 9
 * in both directions, setsockopt, getaddrinfo, interruption and close from another thread. */
#include "peers.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/host_net.h"

typedef struct {
    c9_host_net_t *net;
    const c9_net_socket_ops_t *o;
} env_t;

static env_t make(unsigned max_sockets, uint32_t hold_ms) {
    c9_host_net_config_t cfg;
    c9_host_net_config_default(&cfg);
    cfg.max_sockets = max_sockets;
    cfg.reuse_hold_ms = hold_ms;
    env_t e;
    assert_int_equal(c9_host_net_new(&cfg, &e.net), C9_OK);
    e.o = c9_host_net_ops(e.net);
    return e;
}

static c9_net_addr_t lo(uint16_t port) {
    return (c9_net_addr_t){.family = C9_NET_AF_INET, .port = port, .addr = {127, 0, 0, 1}};
}

static c9_sock_t tcp(env_t *e) {
    c9_sock_t s;
    assert_int_equal(e->o->open(e->o->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &s), C9_OK);
    return s;
}

/* A listener on an ephemeral loopback port; its port in *port. */
static c9_sock_t listener(env_t *e, uint16_t *port) {
    c9_sock_t s = tcp(e);
    c9_net_addr_t a = lo(0);
    assert_int_equal(e->o->bind(e->o->ctx, s, &a), C9_OK);
    assert_int_equal(e->o->listen(e->o->ctx, s, 4), C9_OK);
    c9_net_addr_t got;
    assert_int_equal(c9_host_net_local_addr(e->net, s, &got), C9_OK);
    *port = got.port;
    return s;
}

/* client connected to server; *srv is the accepted side. */
static c9_sock_t pair(env_t *e, c9_sock_t server, uint16_t port, c9_sock_t *srv) {
    c9_sock_t c = tcp(e);
    c9_net_addr_t a = lo(port);
    assert_int_equal(e->o->settimeout(e->o->ctx, c, 5000), C9_OK);
    assert_int_equal(e->o->connect(e->o->ctx, c, &a), C9_OK);
    assert_int_equal(e->o->settimeout(e->o->ctx, server, 5000), C9_OK);
    c9_net_addr_t peer;
    assert_int_equal(e->o->accept(e->o->ctx, server, srv, &peer), C9_OK);
    assert_int_equal(peer.family, C9_NET_AF_INET);
    assert_int_equal(peer.addr[0], 127);
    return c;
}

static void test_roundtrip_and_eof(void **state) {
    (void)state;
    env_t e = make(8, C9_HOST_NET_DEFAULT_REUSE_HOLD_MS);
    uint16_t port;
    c9_sock_t l = listener(&e, &port);
    c9_sock_t srv;
    c9_sock_t c = pair(&e, l, port, &srv);
    size_t n;
    assert_int_equal(c9_net_send_all(e.o, c, "ping", 4, &n), C9_OK);
    char buf[16];
    assert_int_equal(e.o->settimeout(e.o->ctx, srv, 5000), C9_OK);
    size_t got = 0;
    while (got < 4) {
        assert_int_equal(e.o->recv(e.o->ctx, srv, buf + got, sizeof buf - got, &n), C9_OK);
        assert_true(n > 0);
        got += n;
    }
    assert_memory_equal(buf, "ping", 4);
    unsigned rev;
    assert_int_equal(e.o->poll(e.o->ctx, c, C9_NET_POLL_IN | C9_NET_POLL_OUT, &rev), C9_OK);
    assert_int_equal(rev, C9_NET_POLL_OUT);
    /* The server closes: the client sees readable + hang-up, then end of stream. */
    assert_int_equal(e.o->close(e.o->ctx, srv), C9_OK);
    assert_int_equal(e.o->settimeout(e.o->ctx, c, 5000), C9_OK);
    assert_int_equal(e.o->recv(e.o->ctx, c, buf, sizeof buf, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(e.o->poll(e.o->ctx, c, C9_NET_POLL_IN, &rev), C9_OK);
    assert_true(rev & C9_NET_POLL_IN);
    assert_true(rev & C9_NET_POLL_HUP);
    /* Sending into the closed connection fails once the peer's reset arrives. */
    c9_err_t err = C9_OK;
    long long guard = peer_now_ms() + 5000;
    while (err == C9_OK && peer_now_ms() < guard) {
        err = e.o->send(e.o->ctx, c, "x", 1, &n);
    }
    assert_true(err == C9_ERR_PIPE || err == C9_ERR_CONNRESET);
    assert_int_equal(c9_net_errno(C9_ERR_PIPE), 32);
    assert_int_equal(e.o->close(e.o->ctx, c), C9_OK);
    assert_int_equal(e.o->close(e.o->ctx, c), C9_ERR_BADF);
    assert_int_equal(e.o->send(e.o->ctx, c, "x", 1, &n), C9_ERR_BADF);
    assert_int_equal(e.o->close(e.o->ctx, l), C9_OK);
    assert_int_equal(c9_host_net_open_count(e.net), 0);
    c9_host_net_free(e.net);
}

static void test_socket_limit_and_recovery(void **state) {
    (void)state;
    env_t e = make(3, 0);
    c9_sock_t s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = tcp(&e);
    }
    c9_sock_t x;
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &x), C9_ERR_NET_OUT_OF_SOCKETS);
    assert_int_equal(c9_host_net_open_count(e.net), 3);
    assert_int_equal(e.o->close(e.o->ctx, s[1]), C9_OK);
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &x), C9_OK);
    assert_int_not_equal(x, s[1]); /* same slot, new generation: the old handle stays dead */
    assert_int_equal(e.o->settimeout(e.o->ctx, s[1], 0), C9_ERR_BADF);

    /* accept() at the limit drops the connection and says so. */
    c9_host_net_close_all(e.net);
    uint16_t port;
    c9_sock_t l = listener(&e, &port);
    c9_sock_t c = tcp(&e);
    c9_sock_t third = tcp(&e);
    c9_net_addr_t a = lo(port);
    assert_int_equal(e.o->settimeout(e.o->ctx, c, 5000), C9_OK);
    assert_int_equal(e.o->connect(e.o->ctx, c, &a), C9_OK);
    assert_int_equal(e.o->settimeout(e.o->ctx, l, 5000), C9_OK);
    c9_sock_t acc;
    assert_int_equal(e.o->accept(e.o->ctx, l, &acc, NULL), C9_ERR_NET_OUT_OF_SOCKETS);
    char b[4];
    size_t n = 99;
    c9_err_t err = e.o->recv(e.o->ctx, c, b, sizeof b, &n);
    assert_true((err == C9_OK && n == 0) || err == C9_ERR_CONNRESET);
    assert_int_equal(e.o->close(e.o->ctx, third), C9_OK);
    c9_sock_t c2 = tcp(&e);
    assert_int_equal(e.o->settimeout(e.o->ctx, c2, 5000), C9_OK);
    assert_int_equal(e.o->connect(e.o->ctx, c2, &a), C9_OK);
    assert_int_equal(e.o->close(e.o->ctx, c), C9_OK);
    assert_int_equal(e.o->accept(e.o->ctx, l, &acc, NULL), C9_OK); /* room again: recovered */
    c9_host_net_free(e.net);
}

static void test_timeouts(void **state) {
    (void)state;
    env_t e = make(8, 0);
    uint16_t port;
    c9_sock_t l = listener(&e, &port);
    c9_sock_t srv;
    c9_sock_t c = pair(&e, l, port, &srv);
    char b[8];
    size_t n;
    assert_int_equal(e.o->settimeout(e.o->ctx, c, 0), C9_OK);
    assert_int_equal(e.o->recv(e.o->ctx, c, b, sizeof b, &n), C9_ERR_AGAIN);
    assert_int_equal(c9_net_errno(C9_ERR_AGAIN), 11);
    assert_int_equal(e.o->settimeout(e.o->ctx, c, 30), C9_OK);
    long long t0 = peer_now_ms();
    assert_int_equal(e.o->recv(e.o->ctx, c, b, sizeof b, &n), C9_ERR_TIMEDOUT);
    assert_true(peer_now_ms() - t0 >= 30);
    assert_int_equal(e.o->settimeout(e.o->ctx, l, 0), C9_OK);
    c9_sock_t acc;
    assert_int_equal(e.o->accept(e.o->ctx, l, &acc, NULL), C9_ERR_AGAIN);
    assert_int_equal(e.o->settimeout(e.o->ctx, l, 20), C9_OK);
    assert_int_equal(e.o->accept(e.o->ctx, l, &acc, NULL), C9_ERR_TIMEDOUT);
    /* recv with len 0 returns at once, whatever the timeout. */
    assert_int_equal(e.o->settimeout(e.o->ctx, c, C9_NET_TIMEOUT_BLOCKING), C9_OK);
    assert_int_equal(e.o->recv(e.o->ctx, c, b, 0, &n), C9_OK);
    assert_int_equal(n, 0);

    /* Non-blocking connect: started, then finished. */
    c9_sock_t nb = tcp(&e);
    assert_int_equal(e.o->settimeout(e.o->ctx, nb, 0), C9_OK);
    c9_net_addr_t a = lo(port);
    c9_err_t err = e.o->connect(e.o->ctx, nb, &a);
    assert_true(err == C9_OK || err == C9_ERR_INPROGRESS);
    long long end = peer_now_ms() + 5000;
    while (err != C9_OK && peer_now_ms() < end) {
        unsigned rev = 0;
        assert_int_equal(e.o->poll(e.o->ctx, nb, C9_NET_POLL_OUT, &rev), C9_OK);
        err = e.o->connect(e.o->ctx, nb, &a);
        assert_true(err == C9_OK || err == C9_ERR_ALREADY);
    }
    assert_int_equal(err, C9_OK);
    assert_int_equal(e.o->connect(e.o->ctx, nb, &a), C9_ERR_ISCONN);

    /* Nobody listening. */
    int free_port = peer_free_port();
    c9_sock_t r = tcp(&e);
    a = lo((uint16_t)free_port);
    assert_int_equal(e.o->settimeout(e.o->ctx, r, 5000), C9_OK);
    assert_int_equal(e.o->connect(e.o->ctx, r, &a), C9_ERR_CONNREFUSED);
    assert_int_equal(c9_net_errno(C9_ERR_CONNREFUSED), 111);
    c9_sock_t u = tcp(&e);
    assert_int_equal(e.o->send(e.o->ctx, u, "x", 1, &n), C9_ERR_NOTCONN);
    c9_host_net_free(e.net);
}

/* Binds a fresh TCP socket to port, with or without SO_REUSEADDR. */
static c9_err_t bind_tcp(env_t *e, uint16_t port, bool reuse, c9_sock_t *out) {
    c9_sock_t s = tcp(e);
    if (reuse) {
        int32_t one = 1;
        assert_int_equal(e->o->setsockopt(e->o->ctx, s, C9_NET_SOL_SOCKET, C9_NET_SO_REUSEADDR, &one, sizeof one),
                         C9_OK);
    }
    c9_net_addr_t a = lo(port);
    c9_err_t err = e->o->bind(e->o->ctx, s, &a);
    if (err != C9_OK) {
        e->o->close(e->o->ctx, s);
        s = C9_NET_SOCK_NONE;
    }
    *out = s;
    return err;
}

static void test_reuseaddr_explicit(void **state) {
    (void)state;
    env_t e = make(8, C9_HOST_NET_DEFAULT_REUSE_HOLD_MS);
    uint16_t port;
    c9_sock_t l = listener(&e, &port);
    c9_sock_t srv;
    c9_sock_t c = pair(&e, l, port, &srv);
    /* The server closes first (its side goes to TIME_WAIT on Linux), as a restarting server. */
    e.o->close(e.o->ctx, srv);
    e.o->close(e.o->ctx, l);
    e.o->close(e.o->ctx, c);
    c9_sock_t s;
    assert_int_equal(bind_tcp(&e, port, false, &s), C9_ERR_ADDRINUSE);
    assert_int_equal(c9_net_errno(C9_ERR_ADDRINUSE), 112); /* CircuitPython's (newlib's) EADDRINUSE */
    assert_int_equal(bind_tcp(&e, port, true, &s), C9_OK);
    assert_int_equal(e.o->listen(e.o->ctx, s, 2), C9_OK);
    c9_sock_t c2 = pair(&e, s, port, &srv); /* and it serves */
    e.o->close(e.o->ctx, c2);
    e.o->close(e.o->ctx, srv);

    /* Two live sockets never share a TCP port, SO_REUSEADDR or not. */
    c9_sock_t s2;
    assert_int_equal(bind_tcp(&e, port, true, &s2), C9_ERR_ADDRINUSE);
    e.o->close(e.o->ctx, s);

    /* Bound but never connected: the board rule is the same (explicit reuse). */
    int p2 = peer_free_port();
    assert_int_equal(bind_tcp(&e, (uint16_t)p2, false, &s), C9_OK);
    e.o->close(e.o->ctx, s);
    assert_int_equal(bind_tcp(&e, (uint16_t)p2, false, &s), C9_ERR_ADDRINUSE);
    assert_int_equal(bind_tcp(&e, (uint16_t)p2, true, &s), C9_OK);
    e.o->close(e.o->ctx, s);
    /* A board reset forgets the holds. */
    c9_host_net_clear_holds(e.net);
    assert_int_equal(bind_tcp(&e, (uint16_t)p2, false, &s), C9_OK);
    e.o->close(e.o->ctx, s);
    c9_host_net_free(e.net);

    /* Without the hold, Linux's own TIME_WAIT does not get in the way either. */
    e = make(8, 0);
    l = listener(&e, &port);
    c = pair(&e, l, port, &srv);
    e.o->close(e.o->ctx, srv);
    e.o->close(e.o->ctx, l);
    e.o->close(e.o->ctx, c);
    assert_int_equal(bind_tcp(&e, port, false, &s), C9_OK);
    e.o->close(e.o->ctx, s);

    /* A port another process listens on is in use, SO_REUSEADDR or not. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    assert_int_equal(bind_tcp(&e, ntohs(sa.sin_port), true, &s), C9_ERR_ADDRINUSE);
    close(fd);
    c9_host_net_free(e.net);
}

static void test_udp(void **state) {
    (void)state;
    env_t e = make(8, C9_HOST_NET_DEFAULT_REUSE_HOLD_MS);
    c9_sock_t a, b;
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &a), C9_OK);
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &b), C9_OK);
    c9_net_addr_t any = lo(0);
    assert_int_equal(e.o->bind(e.o->ctx, a, &any), C9_OK);
    c9_net_addr_t la;
    assert_int_equal(c9_host_net_local_addr(e.net, a, &la), C9_OK);
    size_t n;
    assert_int_equal(e.o->sendto(e.o->ctx, b, "datagram", 8, &la, &n), C9_OK);
    assert_int_equal(n, 8);
    char buf[4];
    c9_net_addr_t from;
    assert_int_equal(e.o->settimeout(e.o->ctx, a, 5000), C9_OK);
    assert_int_equal(e.o->recvfrom(e.o->ctx, a, buf, sizeof buf, &n, &from), C9_OK);
    assert_int_equal(n, 4); /* truncated to the buffer, as recvfrom_into does */
    assert_memory_equal(buf, "data", 4);
    c9_net_addr_t lb;
    assert_int_equal(c9_host_net_local_addr(e.net, b, &lb), C9_OK);
    assert_int_equal(from.port, lb.port);
    /* UDP: no hold after close; a shared port needs SO_REUSEADDR on both. */
    c9_sock_t c;
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &c), C9_OK);
    assert_int_equal(e.o->bind(e.o->ctx, c, &la), C9_ERR_ADDRINUSE);
    assert_int_equal(e.o->close(e.o->ctx, a), C9_OK);
    assert_int_equal(e.o->bind(e.o->ctx, c, &la), C9_OK);
    c9_sock_t d;
    int32_t one = 1;
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &d), C9_OK);
    assert_int_equal(e.o->setsockopt(e.o->ctx, d, C9_NET_SOL_SOCKET, C9_NET_SO_REUSEADDR, &one, 4), C9_OK);
    assert_int_equal(e.o->bind(e.o->ctx, d, &la), C9_ERR_ADDRINUSE); /* c did not ask for sharing */
    c9_host_net_free(e.net);
}

static void test_setsockopt_and_getaddrinfo(void **state) {
    (void)state;
    env_t e = make(8, 0);
    c9_sock_t s = tcp(&e);
    int32_t one = 1;
    int64_t one64 = 1;
    uint8_t one8 = 1;
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, C9_NET_IPPROTO_TCP, C9_NET_TCP_NODELAY, &one, 4), C9_OK);
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, C9_NET_SOL_SOCKET, C9_NET_SO_KEEPALIVE, &one64, 8), C9_OK);
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, C9_NET_SOL_SOCKET, C9_NET_SO_REUSEADDR, &one8, 1), C9_OK);
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, C9_NET_SOL_SOCKET, C9_NET_SO_REUSEADDR, &one, 3), C9_ERR_INVAL);
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, C9_NET_SOL_SOCKET, 0x1234, &one, 4), C9_ERR_NOPROTOOPT);
    assert_int_equal(e.o->setsockopt(e.o->ctx, s, 99, 1, &one, 4), C9_ERR_NOPROTOOPT);
    c9_sock_t x;
    assert_int_equal(e.o->open(e.o->ctx, 7, C9_NET_SOCK_STREAM, 0, &x), C9_ERR_AFNOSUPPORT);
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET, 9, 0, &x), C9_ERR_INVAL);

    c9_net_addr_t out[4];
    size_t n;
    assert_int_equal(e.o->getaddrinfo(e.o->ctx, "localhost", 80, C9_NET_AF_INET, 0, out, 4, &n), C9_OK);
    assert_true(n >= 1);
    assert_int_equal(out[0].addr[0], 127);
    assert_int_equal(out[0].port, 80);
    assert_int_equal(e.o->getaddrinfo(e.o->ctx, "10.1.2.3", 443, 0, C9_NET_SOCK_STREAM, out, 4, &n), C9_OK);
    assert_int_equal(n, 1);
    char text[48];
    c9_net_addr_format(&out[0], text, sizeof text);
    assert_string_equal(text, "10.1.2.3");
    assert_int_equal(e.o->getaddrinfo(e.o->ctx, "::1", 1, 0, 0, out, 4, &n), C9_OK);
    assert_int_equal(out[0].family, C9_NET_AF_INET6);
    assert_int_equal(e.o->getaddrinfo(e.o->ctx, "nonexistent.invalid", 80, 0, 0, out, 4, &n), C9_ERR_NET_NONAME);
    assert_string_equal(c9_net_strerror(C9_ERR_NET_NONAME), "Name or service not known");
    assert_int_equal(e.o->getaddrinfo(e.o->ctx, "", 80, 0, 0, out, 4, &n), C9_ERR_INVAL);
    c9_host_net_free(e.net);
}

static void test_ipv6_loopback(void **state) {
    (void)state;
    env_t e = make(8, 0);
    c9_sock_t l;
    if (e.o->open(e.o->ctx, C9_NET_AF_INET6, C9_NET_SOCK_STREAM, 0, &l) != C9_OK) {
        print_message("skipped: no IPv6 on this host\n");
        c9_host_net_free(e.net);
        skip();
    }
    c9_net_addr_t a = {.family = C9_NET_AF_INET6, .addr = {[15] = 1}};
    if (e.o->bind(e.o->ctx, l, &a) != C9_OK) {
        print_message("skipped: ::1 not configured\n");
        c9_host_net_free(e.net);
        skip();
    }
    assert_int_equal(e.o->listen(e.o->ctx, l, 1), C9_OK);
    c9_net_addr_t la;
    c9_host_net_local_addr(e.net, l, &la);
    c9_sock_t c;
    assert_int_equal(e.o->open(e.o->ctx, C9_NET_AF_INET6, C9_NET_SOCK_STREAM, 0, &c), C9_OK);
    assert_int_equal(e.o->settimeout(e.o->ctx, c, 5000), C9_OK);
    assert_int_equal(e.o->connect(e.o->ctx, c, &la), C9_OK);
    c9_sock_t srv;
    c9_net_addr_t peer;
    assert_int_equal(e.o->settimeout(e.o->ctx, l, 5000), C9_OK);
    assert_int_equal(e.o->accept(e.o->ctx, l, &srv, &peer), C9_OK);
    char text[48];
    c9_net_addr_format(&peer, text, sizeof text);
    assert_string_equal(text, "::1");
    c9_host_net_free(e.net);
}

static int interrupt_calls;
static bool interrupt_after_two(void *ctx) {
    (void)ctx;
    return ++interrupt_calls >= 2;
}

typedef struct {
    env_t *e;
    c9_sock_t s;
    c9_err_t err;
} waiter_t;

static void *blocked_recv(void *arg) {
    waiter_t *w = arg;
    char b[4];
    size_t n;
    w->err = w->e->o->recv(w->e->o->ctx, w->s, b, sizeof b, &n);
    return NULL;
}

static void test_interrupt_and_close_from_another_thread(void **state) {
    (void)state;
    c9_host_net_config_t cfg;
    c9_host_net_config_default(&cfg);
    cfg.interrupted = interrupt_after_two;
    cfg.interrupt_poll_ms = 5;
    env_t e;
    assert_int_equal(c9_host_net_new(&cfg, &e.net), C9_OK);
    e.o = c9_host_net_ops(e.net);
    uint16_t port;
    c9_sock_t l = listener(&e, &port);
    c9_sock_t srv;
    c9_sock_t c = pair(&e, l, port, &srv);
    char b[4];
    size_t n;
    assert_int_equal(e.o->settimeout(e.o->ctx, c, C9_NET_TIMEOUT_BLOCKING), C9_OK);
    interrupt_calls = 0;
    assert_int_equal(e.o->recv(e.o->ctx, c, b, sizeof b, &n), C9_ERR_INTR);
    assert_int_equal(interrupt_calls, 2);
    c9_host_net_free(e.net);

    /* close() while another thread waits in recv(): the wait ends with C9_ERR_BADF and the
     * socket is really closed once it has. */
    e = make(8, 0);
    l = listener(&e, &port);
    c = pair(&e, l, port, &srv);
    assert_int_equal(e.o->settimeout(e.o->ctx, c, C9_NET_TIMEOUT_BLOCKING), C9_OK);
    waiter_t w = {&e, c, C9_OK};
    pthread_t t;
    pthread_create(&t, NULL, blocked_recv, &w);
    /* The close may come before or after the thread starts waiting; both must end cleanly. */
    assert_int_equal(e.o->close(e.o->ctx, c), C9_OK);
    pthread_join(t, NULL);
    assert_int_equal(w.err, C9_ERR_BADF);
    assert_int_equal(c9_host_net_open_count(e.net), 2);
    c9_host_net_free(e.net);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_eof),
        cmocka_unit_test(test_socket_limit_and_recovery),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_reuseaddr_explicit),
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_setsockopt_and_getaddrinfo),
        cmocka_unit_test(test_ipv6_loopback),
        cmocka_unit_test(test_interrupt_and_close_from_another_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
