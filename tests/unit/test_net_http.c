/* The HTTP client and connection manager against real servers on loopback, started here:
 * nginx (keep-alive, keepalive_requests forcing closes, chunked SSI output, HEAD, 304, 204,
 * redirects, large bodies, TLS with a test CA made by openssl), and tests/net/odd_server.py
 * (Python's http.server answering badly on purpose). Connections are counted on the server
 * side: nginx's access log ($connection, $connection_requests) and the odd server's counter.
 * Skips, with the reason, when nginx or python3 is missing. */
#include "peers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/host_net.h"
#include "circuit9/http.h"

#define NGX_PLAIN 0
#define NGX_LIMITED 1 /* keepalive_requests 3 */
#define NGX_TLS 2

static struct {
    char *dir;
    pid_t nginx, odd;
    int odd_out; /* the odd server's stdout, open while it runs */
    int nginx_port[3];
    int odd_port;
    bool have_nginx, have_odd, have_tls;
    const char *why_nginx;
} g;

static const char small_txt[] = "hello from nginx\n";

static void pattern(uint8_t *p, size_t n, size_t offset) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(offset + i);
    }
}

static bool start_nginx(void) {
    const char *bin = peer_find("nginx");
    if (!bin) {
        g.why_nginx = "nginx is not installed";
        return false;
    }
    char path[600], bin_copy[512];
    snprintf(bin_copy, sizeof bin_copy, "%s", bin);
    snprintf(path, sizeof path, "%s/www", g.dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/www/small.txt", g.dir);
    peer_write(path, "%s", small_txt);
    static uint8_t big[1 << 20];
    pattern(big, sizeof big, 0);
    snprintf(path, sizeof path, "%s/www/big.bin", g.dir);
    peer_write_bytes(path, big, sizeof big);
    snprintf(path, sizeof path, "%s/www/part.txt", g.dir);
    peer_write(path, "[part]");
    snprintf(path, sizeof path, "%s/www/page.shtml", g.dir);
    peer_write(path, "begin <!--# include file=\"part.txt\" --> middle <!--# include file=\"part.txt\" --> end\n");
    g.have_tls = peer_find("openssl") && peer_make_certs(C9_SOURCE_DIR, g.dir);
    for (int attempt = 0; attempt < 3; attempt++) {
        for (int i = 0; i < 3; i++) {
            g.nginx_port[i] = peer_free_port();
        }
        char tls_server[1024] = "";
        if (g.have_tls) {
            snprintf(tls_server, sizeof tls_server,
                     "  server { listen 127.0.0.1:%d ssl; root %s/www; ssl_certificate %s/server.crt;\n"
                     "    ssl_certificate_key %s/server.key; ssl_protocols TLSv1.2 TLSv1.3; }\n",
                     g.nginx_port[2], g.dir, g.dir, g.dir);
        }
        snprintf(path, sizeof path, "%s/nginx.conf", g.dir);
        peer_write(path,
                   "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                   "error_log %s/error.log warn;\nevents { worker_connections 128; }\n"
                   "http {\n"
                   "  log_format c9 '$server_port $connection $connection_requests $request_method $request_uri "
                   "$status';\n"
                   "  access_log %s/access.log c9;\n"
                   "  client_body_temp_path %s/tmp_body; proxy_temp_path %s/tmp_proxy;\n"
                   "  fastcgi_temp_path %s/tmp_fcgi; uwsgi_temp_path %s/tmp_uwsgi; scgi_temp_path %s/tmp_scgi;\n"
                   "  default_type application/octet-stream; keepalive_timeout 60s;\n"
                   "  server { listen 127.0.0.1:%d; root %s/www;\n"
                   "    location ~ \\.shtml$ { ssi on; default_type text/html; }\n"
                   "    location = /redirect { return 301 /small.txt; }\n"
                   "    location = /nocontent { return 204; }\n"
                   "    location = /post { return 200 \"posted\"; }\n"
                   "  }\n"
                   "  server { listen 127.0.0.1:%d; root %s/www; keepalive_requests 3; }\n"
                   "%s"
                   "}\n",
                   g.dir, g.dir, g.dir, g.dir, g.dir, g.dir, g.dir, g.dir, g.nginx_port[0], g.dir, g.nginx_port[1],
                   g.dir, tls_server);
        char conf[600], prefix[600], errlog[600], log[600];
        snprintf(conf, sizeof conf, "%s/nginx.conf", g.dir);
        snprintf(prefix, sizeof prefix, "%s/", g.dir);
        snprintf(errlog, sizeof errlog, "%s/error.log", g.dir);
        snprintf(log, sizeof log, "%s/nginx.out", g.dir);
        char *argv[] = {bin_copy, "-p", prefix, "-c", conf, "-e", errlog, NULL};
        g.nginx = peer_spawn(argv, log);
        bool up = g.nginx > 0;
        for (int i = 0; i < (g.have_tls ? 3 : 2) && up; i++) {
            up = peer_wait_port(g.nginx_port[i], g.nginx, PEER_GUARD_MS);
        }
        if (up) {
            return true;
        }
        peer_stop(g.nginx);
        g.nginx = 0;
    }
    g.why_nginx = "nginx did not start (see its error.log)";
    return false;
}

static bool start_odd(void) {
    const char *py = "/usr/bin/python3";
    if (access(py, X_OK) != 0) {
        return false;
    }
    char script[600];
    snprintf(script, sizeof script, "%s/tests/net/odd_server.py", C9_SOURCE_DIR);
    char *argv[] = {(char *)py, script, NULL};
    int out = -1;
    g.odd = peer_spawn_io(argv, NULL, NULL, &out);
    char line[64];
    bool ok = g.odd > 0 && peer_wait_line(out, "PORT ", PEER_GUARD_MS, line, sizeof line);
    g.odd_out = out;
    if (!ok) {
        peer_stop(g.odd);
        return false;
    }
    g.odd_port = atoi(line + 5);
    return true;
}

static int setup(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    g.dir = peer_tmpdir();
    g.have_nginx = g.dir && start_nginx();
    g.have_odd = g.dir && start_odd();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    peer_stop(g.nginx);
    peer_stop(g.odd);
    if (g.odd_out > 0) {
        close(g.odd_out);
    }
    peer_rmtree(g.dir);
    return 0;
}

#define NEED_NGINX()                                                                                                   \
    do {                                                                                                               \
        if (!g.have_nginx) {                                                                                           \
            print_message("skipped: %s\n", g.why_nginx);                                                               \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

#define NEED_ODD()                                                                                                     \
    do {                                                                                                               \
        if (!g.have_odd) {                                                                                             \
            print_message("skipped: /usr/bin/python3 is missing or tests/net/odd_server.py did not start\n");          \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

/* ---- a client ---- */

typedef struct {
    c9_host_net_t *net;
    c9_host_tls_t *tls;
    c9_tls_ctx_t ctx;
    c9_net_conn_t slots[4];
    c9_net_connmgr_t mgr;
    uint8_t buf[4096];
    c9_http_field_t fields[32];
    c9_http_client_t http;
} cl_t;

static cl_t *client(unsigned max_sockets, uint64_t max_body, uint32_t head_timeout) {
    cl_t *c = test_calloc(1, sizeof *c);
    c9_host_net_config_t nc;
    c9_host_net_config_default(&nc);
    nc.max_sockets = max_sockets;
    assert_int_equal(c9_host_net_new(&nc, &c->net), C9_OK);
    const c9_net_socket_ops_t *raw = c9_host_net_ops(c->net);
    c->ctx = C9_TLS_CTX_NONE;
    if (g.have_tls && c9_host_tls_available()) {
        assert_int_equal(c9_host_tls_new(raw, NULL, &c->tls), C9_OK);
        const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
        assert_int_equal(t->context_new(t->ctx, &c->ctx), C9_OK);
        char ca[600];
        snprintf(ca, sizeof ca, "%s/ca.crt", g.dir);
        assert_int_equal(t->context_load_verify_file(t->ctx, c->ctx, ca), C9_OK);
    }
    c9_net_connmgr_config_t mc = {.sock = raw, .tls = c->tls ? c9_host_tls_ops(c->tls) : NULL, .max_idle_ms = 118000};
    assert_int_equal(c9_net_connmgr_init(&c->mgr, &mc, c->slots, 4), C9_OK);
    c9_http_client_config_t hc = {.mgr = &c->mgr,
                                  .buf = c->buf,
                                  .buf_size = sizeof c->buf,
                                  .fields = c->fields,
                                  .max_fields = 32,
                                  .user_agent = "circuit9-test",
                                  .max_body = max_body,
                                  .head_timeout_ms = head_timeout};
    assert_int_equal(c9_http_client_init(&c->http, &hc), C9_OK);
    return c;
}

static void client_free(cl_t *c) {
    c9_http_response_close(&c->http.resp);
    c9_net_connmgr_close_all(&c->mgr, true);
    if (c->tls) {
        const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
        t->context_release(t->ctx, c->ctx);
        c9_host_tls_free(c->tls);
    }
    assert_int_equal(c9_host_net_open_count(c->net), 0); /* nothing leaked */
    c9_host_net_free(c->net);
    test_free(c);
}

static c9_err_t request(cl_t *c, const char *method, const char *proto, int port, const char *path,
                        const c9_http_header_t *h, size_t nh, c9_http_response_t **r) {
    c9_http_request_t req = {.method = method,
                             .proto = proto,
                             .host = strcmp(proto, "https:") == 0 ? "localhost" : "127.0.0.1",
                             .port = (uint16_t)port,
                             .path = path,
                             .headers = h,
                             .nheaders = nh,
                             .tls_ctx = c->ctx,
                             .timeout_ms = 10000};
    return c9_http_request(&c->http, &req, r);
}

/* Reads the body (at most cap bytes kept); returns the read error. */
static c9_err_t body(c9_http_response_t *r, uint8_t *out, size_t cap, size_t *total) {
    *total = 0;
    uint8_t scratch[1500];
    for (;;) {
        size_t n;
        uint8_t *dst = *total < cap ? out + *total : scratch;
        size_t room = *total < cap ? C9_MIN(cap - *total, sizeof scratch) : sizeof scratch;
        c9_err_t err = c9_http_read(r, dst, room, &n);
        if (err != C9_OK || n == 0) {
            return err;
        }
        *total += n;
    }
}

static void get_ok(cl_t *c, const char *proto, int port, const char *path, const char *want) {
    c9_http_response_t *r;
    assert_int_equal(request(c, "GET", proto, port, path, NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 200);
    uint8_t b[256];
    size_t n;
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(b, want, n);
}

/* Server-side count from nginx's access log: lines of port whose URI starts with tag, and the
 * distinct connections they came on. Waits (bounded) until `lines` such lines are there, since
 * nginx logs a request just after answering it. */
static void nginx_count(int port, const char *tag, int lines, int *got_lines, int *conns) {
    char path[600];
    snprintf(path, sizeof path, "%s/access.log", g.dir);
    long long end = peer_now_ms() + 10000;
    for (;;) {
        char *log = peer_read(path, NULL);
        int n = 0, nc = 0;
        long seen[256];
        for (char *save = NULL, *line = log ? strtok_r(log, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
            int lport;
            long conn, creq;
            char method[16], uri[256];
            int status;
            if (sscanf(line, "%d %ld %ld %15s %255s %d", &lport, &conn, &creq, method, uri, &status) != 6 ||
                lport != port || strncmp(uri, tag, strlen(tag)) != 0) {
                continue;
            }
            n++;
            bool known = false;
            for (int i = 0; i < nc; i++) {
                known |= seen[i] == conn;
            }
            if (!known && nc < 256) {
                seen[nc++] = conn;
            }
        }
        free(log);
        if (n >= lines || peer_now_ms() > end) {
            *got_lines = n;
            *conns = nc;
            return;
        }
        peer_nap_ms(5);
    }
}

/* ---- nginx ---- */

static void test_nginx_keepalive_one_connection(void **state) {
    (void)state;
    NEED_NGINX();
    cl_t *c = client(8, 0, 0);
    const int N = 20;
    for (int i = 0; i < N; i++) {
        char path[64];
        snprintf(path, sizeof path, "/small.txt?ka=%d", i);
        get_ok(c, "http:", g.nginx_port[NGX_PLAIN], path, small_txt);
    }
    int lines, conns;
    nginx_count(g.nginx_port[NGX_PLAIN], "/small.txt?ka=", N, &lines, &conns);
    assert_int_equal(lines, N);
    assert_int_equal(conns, 1);
    assert_int_equal(c->mgr.stats.opened, 1);
    assert_int_equal(c->mgr.stats.reused, N - 1);
    print_message("nginx keep-alive: %d requests, %d connection(s) seen by nginx\n", N, conns);

    /* The same requests with "Connection: close": one connection each. */
    c9_http_header_t close_hdr[] = {{"Connection", "close"}};
    for (int i = 0; i < 10; i++) {
        char path[64];
        snprintf(path, sizeof path, "/small.txt?fresh=%d", i);
        c9_http_response_t *r;
        assert_int_equal(request(c, "GET", "http:", g.nginx_port[NGX_PLAIN], path, close_hdr, 1, &r), C9_OK);
        uint8_t b[64];
        size_t n;
        assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    }
    nginx_count(g.nginx_port[NGX_PLAIN], "/small.txt?fresh=", 10, &lines, &conns);
    assert_int_equal(conns, 10);
    print_message("nginx Connection: close: 10 requests, %d connections seen by nginx\n", conns);
    client_free(c);
}

static void test_nginx_keepalive_requests_forces_close(void **state) {
    (void)state;
    NEED_NGINX();
    cl_t *c = client(8, 0, 0);
    const int N = 10;
    for (int i = 0; i < N; i++) {
        char path[64];
        snprintf(path, sizeof path, "/small.txt?kr=%d", i);
        get_ok(c, "http:", g.nginx_port[NGX_LIMITED], path, small_txt);
    }
    int lines, conns;
    nginx_count(g.nginx_port[NGX_LIMITED], "/small.txt?kr=", N, &lines, &conns);
    assert_int_equal(lines, N);
    assert_int_equal(conns, 4); /* 3 + 3 + 3 + 1: nginx says "Connection: close" on every third */
    assert_int_equal(c->mgr.stats.opened, 4);
    assert_int_equal(c->mgr.stats.stale, 0); /* closed on nginx's word, never reused by mistake */
    print_message("nginx keepalive_requests 3: %d requests, %d connections seen by nginx\n", N, conns);
    client_free(c);
}

static void test_nginx_chunked_head_304_204_redirect(void **state) {
    (void)state;
    NEED_NGINX();
    cl_t *c = client(8, 0, 0);
    int port = g.nginx_port[NGX_PLAIN];
    c9_http_response_t *r;
    /* SSI output has no known length: nginx sends it chunked. */
    assert_int_equal(request(c, "GET", "http:", port, "/page.shtml?t=1", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->body, C9_HTTP_BODY_CHUNKED);
    uint8_t b[256];
    size_t n;
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    const char *want = "begin [part] middle [part] end\n";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(b, want, n);

    /* HEAD: the length of the body, and no body (the next request is not confused). */
    assert_int_equal(request(c, "HEAD", "http:", port, "/big.bin?t=2", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->content_length, 1 << 20);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, 0);

    /* 304 with the ETag nginx gave. */
    assert_int_equal(request(c, "GET", "http:", port, "/small.txt?t=3", NULL, 0, &r), C9_OK);
    size_t el;
    const char *etag = c9_http_response_field(r, "etag", &el);
    assert_non_null(etag);
    char tag[64];
    snprintf(tag, sizeof tag, "%.*s", (int)el, etag);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    c9_http_header_t inm[] = {{"If-None-Match", tag}};
    assert_int_equal(request(c, "GET", "http:", port, "/small.txt?t=4", inm, 1, &r), C9_OK);
    assert_int_equal(r->status, 304);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, 0);

    assert_int_equal(request(c, "GET", "http:", port, "/nocontent", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 204);
    assert_int_equal(request(c, "GET", "http:", port, "/redirect", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 301); /* redirects are the caller's */
    const char *loc = c9_http_response_field(r, "Location", &el);
    assert_non_null(loc);
    assert_true(el >= 10 && memcmp(loc + el - 10, "/small.txt", 10) == 0);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(request(c, "GET", "http:", port, "/missing?t=5", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 404);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_true(n > 0);
    assert_int_equal(request(c, "POST", "http:", port, "/post", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_memory_equal(b, "posted", 6);
    assert_int_equal(c->mgr.stats.opened, 1); /* all of it on one connection */
    client_free(c);
}

static void test_nginx_large_body_and_bound(void **state) {
    (void)state;
    NEED_NGINX();
    cl_t *c = client(8, 0, 0);
    c9_http_response_t *r;
    assert_int_equal(request(c, "GET", "http:", g.nginx_port[NGX_PLAIN], "/big.bin", NULL, 0, &r), C9_OK);
    uint8_t chunk[4096], want[4096];
    size_t total = 0, n;
    for (;;) {
        assert_int_equal(c9_http_read(r, chunk, sizeof chunk, &n), C9_OK);
        if (n == 0) {
            break;
        }
        pattern(want, n, total);
        assert_memory_equal(chunk, want, n);
        total += n;
    }
    assert_int_equal(total, 1 << 20);
    client_free(c);
    c = client(8, 1000, 0);
    assert_int_equal(request(c, "GET", "http:", g.nginx_port[NGX_PLAIN], "/big.bin", NULL, 0, &r),
                     C9_ERR_HTTP_BODY_TOO_LARGE);
    assert_int_equal(c9_net_connmgr_managed(&c->mgr), 0);
    client_free(c);
}

static void test_nginx_out_of_sockets_and_recovery(void **state) {
    (void)state;
    NEED_NGINX();
    cl_t *c = client(2, 0, 0); /* a board with two sockets */
    get_ok(c, "http:", g.nginx_port[NGX_PLAIN], "/small.txt?oos=1", small_txt);
    get_ok(c, "http:", g.nginx_port[NGX_LIMITED], "/small.txt?oos=2", small_txt);
    assert_int_equal(c9_host_net_open_count(c->net), 2);
    /* A third server: the board is full, so the least recently used free socket goes. */
    c9_http_request_t req = {.method = "GET",
                             .proto = "http:",
                             .host = "127.0.0.1",
                             .port = (uint16_t)g.nginx_port[NGX_PLAIN],
                             .path = "/small.txt?oos=3",
                             .session_id = "other",
                             .timeout_ms = 10000};
    c9_http_response_t *r;
    assert_int_equal(c9_http_request(&c->http, &req, &r), C9_OK);
    uint8_t b[64];
    size_t n;
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(c->mgr.stats.evicted, 1);
    assert_int_equal(c9_host_net_open_count(c->net), 2);
    /* Both sockets lent out: the next one is refused, and nothing leaks. */
    c9_net_key_t k1 = {.host = "127.0.0.1", .port = (uint16_t)g.nginx_port[NGX_LIMITED], .proto = "http:"};
    c9_net_key_t k2 = {
        .host = "127.0.0.1", .port = (uint16_t)g.nginx_port[NGX_PLAIN], .proto = "http:", .session_id = "other"};
    c9_net_key_t k3 = {
        .host = "127.0.0.1", .port = (uint16_t)g.nginx_port[NGX_PLAIN], .proto = "http:", .session_id = "third"};
    c9_net_conn_t *a, *b2, *x;
    assert_int_equal(c9_net_connmgr_get(&c->mgr, &k1, 5000, &a), C9_OK);
    assert_int_equal(c9_net_connmgr_get(&c->mgr, &k2, 5000, &b2), C9_OK);
    assert_int_equal(c9_net_connmgr_get(&c->mgr, &k3, 5000, &x), C9_ERR_NET_OUT_OF_SOCKETS);
    assert_int_equal(c9_host_net_open_count(c->net), 2);
    /* Recovery: give one back, and the request goes through. */
    assert_int_equal(c9_net_connmgr_free(&c->mgr, b2), C9_OK);
    req.session_id = "third";
    req.path = "/small.txt?oos=4";
    assert_int_equal(c9_http_request(&c->http, &req, &r), C9_OK);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, strlen(small_txt));
    assert_int_equal(c9_net_connmgr_close(&c->mgr, a), C9_OK);
    client_free(c);
}

static void test_nginx_tls(void **state) {
    (void)state;
    NEED_NGINX();
    if (!g.have_tls || !c9_host_tls_available()) {
        print_message("skipped: %s\n", c9_host_tls_available() ? "openssl is missing" : "built without mbedTLS");
        skip();
    }
    cl_t *c = client(8, 0, 0);
    int port = g.nginx_port[NGX_TLS];
    for (int i = 0; i < 10; i++) {
        char path[64];
        snprintf(path, sizeof path, "/small.txt?tls=%d", i);
        get_ok(c, "https:", port, path, small_txt);
    }
    int lines, conns;
    nginx_count(port, "/small.txt?tls=", 10, &lines, &conns);
    assert_int_equal(conns, 1);
    print_message("nginx TLS keep-alive: 10 requests, %d connection(s) seen by nginx\n", conns);

    /* A second context (same CA) is another key: its own connection, then reused. */
    const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
    c9_tls_ctx_t other;
    assert_int_equal(t->context_new(t->ctx, &other), C9_OK);
    char ca[600];
    snprintf(ca, sizeof ca, "%s/ca.crt", g.dir);
    assert_int_equal(t->context_load_verify_file(t->ctx, other, ca), C9_OK);
    c9_tls_ctx_t first = c->ctx;
    for (int i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "/small.txt?ctx=%d", i);
        c->ctx = (i & 1) ? other : first;
        get_ok(c, "https:", port, path, small_txt);
    }
    nginx_count(port, "/small.txt?ctx=", 4, &lines, &conns);
    assert_int_equal(conns, 2);
    c->ctx = first;
    /* A context that trusts nobody fails, and says why. */
    c9_tls_ctx_t empty;
    assert_int_equal(t->context_new(t->ctx, &empty), C9_OK);
    c->ctx = empty;
    c9_http_response_t *r;
    assert_int_equal(request(c, "GET", "https:", port, "/small.txt", NULL, 0, &r), C9_ERR_TLS_CERT_UNTRUSTED);
    c->ctx = first;
    t->context_release(t->ctx, other);
    t->context_release(t->ctx, empty);
    client_free(c);
}

/* ---- the odd server ---- */

static int odd_connections(cl_t *c) {
    c9_http_header_t close_hdr[] = {{"Connection", "close"}};
    c9_http_request_t req = {.method = "GET",
                             .proto = "http:",
                             .host = "127.0.0.1",
                             .port = (uint16_t)g.odd_port,
                             .path = "/stats",
                             .headers = close_hdr,
                             .nheaders = 1,
                             .session_id = "stats",
                             .timeout_ms = 10000};
    c9_http_response_t *r;
    assert_int_equal(c9_http_request(&c->http, &req, &r), C9_OK);
    uint8_t b[128];
    size_t n;
    assert_int_equal(body(r, b, sizeof b - 1, &n), C9_OK);
    b[n] = 0;
    int conns = -1;
    sscanf((const char *)b, "connections=%d", &conns);
    return conns;
}

static void test_odd_errors(void **state) {
    (void)state;
    NEED_ODD();
    struct {
        const char *path;
        c9_err_t at_request, at_read;
    } t[] = {
        {"/truncated", C9_OK, C9_ERR_HTTP_TRUNCATED},          {"/badchunk", C9_OK, C9_ERR_HTTP_BAD_CHUNK},
        {"/hugechunk", C9_OK, C9_ERR_HTTP_BAD_CHUNK},          {"/headerflood", C9_ERR_HTTP_TOO_MANY_HEADERS, C9_OK},
        {"/longheader", C9_ERR_HTTP_HEADERS_TOO_LARGE, C9_OK}, {"/duplength", C9_ERR_HTTP_BAD_LENGTH, C9_OK},
        {"/badstatus", C9_ERR_HTTP_BAD_STATUS, C9_OK},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(t); i++) {
        cl_t *c = client(8, 0, 0);
        c9_http_response_t *r;
        assert_int_equal(request(c, "GET", "http:", g.odd_port, t[i].path, NULL, 0, &r), t[i].at_request);
        if (t[i].at_request == C9_OK) {
            uint8_t b[256];
            size_t n;
            assert_int_equal(body(r, b, sizeof b, &n), t[i].at_read);
        }
        assert_int_equal(c9_net_connmgr_managed(&c->mgr), 0); /* closed on the error */
        client_free(c);
    }
}

static void test_odd_timeouts(void **state) {
    (void)state;
    NEED_ODD();
    /* Slowloris: a byte every 50 ms never trips a 5 s operation timeout, but the head as a
     * whole has 500 ms. */
    cl_t *c = client(8, 0, 500);
    c9_http_response_t *r;
    assert_int_equal(request(c, "GET", "http:", g.odd_port, "/drip", NULL, 0, &r), C9_ERR_TIMEDOUT);
    assert_int_equal(c9_net_connmgr_managed(&c->mgr), 0);
    client_free(c);
    /* Silence: the per-operation timeout. */
    c = client(8, 0, 0);
    c9_http_request_t req = {.method = "GET",
                             .proto = "http:",
                             .host = "127.0.0.1",
                             .port = (uint16_t)g.odd_port,
                             .path = "/stall",
                             .timeout_ms = 200};
    assert_int_equal(c9_http_request(&c->http, &req, &r), C9_ERR_TIMEDOUT);
    req.path = "/stallbody";
    assert_int_equal(c9_http_request(&c->http, &req, &r), C9_OK);
    uint8_t b[256];
    size_t n;
    assert_int_equal(body(r, b, sizeof b, &n), C9_ERR_TIMEDOUT);
    assert_int_equal(n, 50);
    assert_int_equal(c9_net_connmgr_managed(&c->mgr), 0);
    client_free(c);
}

static void test_odd_framings(void **state) {
    (void)state;
    NEED_ODD();
    cl_t *c = client(8, 0, 0);
    int before = odd_connections(c);
    c9_http_response_t *r;
    static uint8_t b[400000];
    size_t n;
    /* Trailers, then the connection is kept. */
    assert_int_equal(request(c, "GET", "http:", g.odd_port, "/trailers", NULL, 0, &r), C9_OK);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, 12);
    assert_memory_equal(b, "chunk1chunk2", 12);
    assert_int_equal(r->ntrailers, 2);
    assert_int_equal(r->fields[r->nfields].value_len, 4);
    assert_memory_equal(r->fields[r->nfields].value, "1234", 4);
    assert_memory_equal(r->fields[r->nfields + 1].name, "X-Note", 6);
    get_ok(c, "http:", g.odd_port, "/lf", "lf"); /* bare LF line ends */
    assert_int_equal(request(c, "GET", "http:", g.odd_port, "/fold", NULL, 0, &r), C9_OK);
    size_t fl;
    const char *fold = c9_http_response_field(r, "x-folded", &fl);
    assert_int_equal(fl, strlen("part one    part two"));
    assert_memory_equal(fold, "part one    part two", fl);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    get_ok(c, "http:", g.odd_port, "/interim", "final");
    assert_int_equal(request(c, "GET", "http:", g.odd_port, "/big?n=300000&chunked=1", NULL, 0, &r), C9_OK);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, 300000);
    static uint8_t want[300000];
    pattern(want, sizeof want, 0);
    assert_memory_equal(b, want, n);
    assert_int_equal(c->mgr.stats.opened - 1, 1); /* all of the above on one connection (+ stats) */
    /* Framings that end the connection. */
    get_ok(c, "http:", g.odd_port, "/nolength", "body until the connection closes");
    get_ok(c, "http:", g.odd_port, "/http10", "http10");
    get_ok(c, "http:", g.odd_port, "/bothlength", "abc");
    assert_int_equal(request(c, "GET", "http:", g.odd_port, "/nocontent", NULL, 0, &r), C9_OK);
    assert_int_equal(r->status, 204);
    get_ok(c, "http:", g.odd_port, "/ok", "ok"); /* not fooled by the bytes after the 204 */
    c9_http_request_t post = {.method = "POST",
                              .proto = "http:",
                              .host = "127.0.0.1",
                              .port = (uint16_t)g.odd_port,
                              .path = "/echo",
                              .body = "echo me",
                              .body_len = 7,
                              .timeout_ms = 10000};
    assert_int_equal(c9_http_request(&c->http, &post, &r), C9_OK);
    assert_int_equal(body(r, b, sizeof b, &n), C9_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(b, "echo me", 7);
    int after = odd_connections(c);
    /* The first connection carries everything up to /nolength, which ends it; /http10,
     * /bothlength and /nocontent each end their own; /ok and the POST share the last one. */
    assert_int_equal(after - before - 1, 5);
    client_free(c);
}

static void test_odd_stale_and_dropped_connections(void **state) {
    (void)state;
    NEED_ODD();
    cl_t *c = client(8, 0, 0);
    int before = odd_connections(c);
    /* The server closes a kept connection while it is idle: found before reuse. */
    get_ok(c, "http:", g.odd_port, "/close-after", "bye!");
    c9_net_conn_t *kept = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (c->slots[i].state == C9_NET_CONN_FREE && c->slots[i].session[0] == 0) {
            kept = &c->slots[i];
        }
    }
    assert_non_null(kept);
    /* Wait for the server's FIN to reach us (the event, not a guess at its time). */
    unsigned rev = 0;
    long long guard = peer_now_ms() + 10000;
    while (!(rev & (C9_NET_POLL_HUP | C9_NET_POLL_IN)) && peer_now_ms() < guard) {
        assert_int_equal(kept->ops->poll(kept->ops->ctx, kept->sock, C9_NET_POLL_IN, &rev), C9_OK);
        if (!(rev & (C9_NET_POLL_HUP | C9_NET_POLL_IN))) {
            peer_nap_ms(1);
        }
    }
    uint32_t stale = c->mgr.stats.stale;
    get_ok(c, "http:", g.odd_port, "/ok", "ok");
    assert_int_equal(c->mgr.stats.stale, stale + 1);

    /* The server takes the next request on a kept connection and closes without answering: the
     * request goes again on a fresh connection. */
    get_ok(c, "http:", g.odd_port, "/arm-drop", "armed");
    uint32_t opened = c->mgr.stats.opened;
    get_ok(c, "http:", g.odd_port, "/ok", "ok");
    assert_int_equal(c->mgr.stats.opened, opened + 1);
    int after = odd_connections(c);
    assert_int_equal(after - before - 1, 3);
    client_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nginx_keepalive_one_connection),
        cmocka_unit_test(test_nginx_keepalive_requests_forces_close),
        cmocka_unit_test(test_nginx_chunked_head_304_204_redirect),
        cmocka_unit_test(test_nginx_large_body_and_bound),
        cmocka_unit_test(test_nginx_out_of_sockets_and_recovery),
        cmocka_unit_test(test_nginx_tls),
        cmocka_unit_test(test_odd_errors),
        cmocka_unit_test(test_odd_timeouts),
        cmocka_unit_test(test_odd_framings),
        cmocka_unit_test(test_odd_stale_and_dropped_connections),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
