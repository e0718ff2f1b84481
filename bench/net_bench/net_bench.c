/*
 * HTTP requests per second against nginx on loopback (started here, in a temporary directory):
 * circuit9's HTTP client keeping its connection (keep-alive through the connection manager) and
 * opening one per request ("Connection: close"), then curl doing the same on the same server,
 * over plain TCP and over TLS (mbedTLS for circuit9, OpenSSL for curl). nginx's access log
 * counts the connections each run opened. Prints a table; asserts nothing.
 *
 *     net_bench [--requests N]        wall-clock figures
 *     net_bench --callgrind [N]       only circuit9's runs, each between callgrind toggles
 *                                     (instructions per request: see run.sh); a reuse run
 *                                     connects before counting starts
 */
#include "peers.h"

#include <valgrind/callgrind.h>

#include "circuit9/host_net.h"
#include "circuit9/http.h"

static char *dir;
static int port_http, port_https;
static const char body[] = "hello from nginx\n";

static bool start_nginx(pid_t *pid, bool tls) {
    const char *bin = peer_find("nginx");
    if (!bin) {
        fprintf(stderr, "net_bench: nginx is not installed\n");
        return false;
    }
    char binc[512], p[600];
    snprintf(binc, sizeof binc, "%s", bin);
    snprintf(p, sizeof p, "%s/www", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/www/small.txt", dir);
    peer_write(p, "%s", body);
    for (int attempt = 0; attempt < 3; attempt++) {
        port_http = peer_free_port();
        port_https = peer_free_port();
        char tls_server[1024] = "";
        if (tls) {
            snprintf(tls_server, sizeof tls_server,
                     "  server { listen 127.0.0.1:%d ssl; root %s/www; ssl_certificate %s/server.crt;\n"
                     "    ssl_certificate_key %s/server.key; ssl_protocols TLSv1.2 TLSv1.3;\n"
                     "    keepalive_requests 1000000; }\n",
                     port_https, dir, dir, dir);
        }
        snprintf(p, sizeof p, "%s/nginx.conf", dir);
        peer_write(p,
                   "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                   "error_log %s/error.log warn;\nevents { worker_connections 256; }\n"
                   "http {\n  log_format c9 '$server_port $connection $request_uri';\n"
                   "  access_log %s/access.log c9;\n"
                   "  client_body_temp_path %s/tb; proxy_temp_path %s/tp; fastcgi_temp_path %s/tf;\n"
                   "  uwsgi_temp_path %s/tu; scgi_temp_path %s/ts; default_type text/plain;\n"
                   "  server { listen 127.0.0.1:%d; root %s/www; keepalive_requests 1000000; }\n%s}\n",
                   dir, dir, dir, dir, dir, dir, dir, dir, port_http, dir, tls_server);
        char prefix[600], errlog[600], log[600];
        snprintf(prefix, sizeof prefix, "%s/", dir);
        snprintf(errlog, sizeof errlog, "%s/error.log", dir);
        snprintf(log, sizeof log, "%s/nginx.out", dir);
        char *argv[] = {binc, "-p", prefix, "-c", p, "-e", errlog, NULL};
        *pid = peer_spawn(argv, log);
        if (*pid > 0 && peer_wait_port(port_http, *pid, PEER_GUARD_MS) &&
            (!tls || peer_wait_port(port_https, *pid, PEER_GUARD_MS))) {
            return true;
        }
        peer_stop(*pid);
    }
    fprintf(stderr, "net_bench: nginx did not start\n");
    return false;
}

/* Distinct connections of the access-log lines of run tag. */
static int connections(const char *run, int expect_lines) {
    char tag[96];
    snprintf(tag, sizeof tag, "/small.txt?%s=", run);
    char p[600];
    snprintf(p, sizeof p, "%s/access.log", dir);
    long long end = peer_now_ms() + 10000;
    for (;;) {
        char *log = peer_read(p, NULL);
        int lines = 0, n = 0;
        static long seen[100000];
        for (char *save = NULL, *l = log ? strtok_r(log, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
            int port;
            long conn;
            char uri[256];
            if (sscanf(l, "%d %ld %255s", &port, &conn, uri) != 3 || strncmp(uri, tag, strlen(tag)) != 0) {
                continue;
            }
            lines++;
            bool known = false;
            for (int i = n - 1; i >= 0 && !known; i--) {
                known = seen[i] == conn;
            }
            if (!known && n < 100000) {
                seen[n++] = conn;
            }
        }
        free(log);
        if (lines >= expect_lines || peer_now_ms() > end) {
            return n;
        }
        peer_nap_ms(10);
    }
}

typedef struct {
    c9_host_net_t *net;
    c9_host_tls_t *tls;
    c9_tls_ctx_t ctx;
    c9_net_conn_t slots[4];
    c9_net_connmgr_t mgr;
    uint8_t buf[2048];
    c9_http_field_t fields[24];
    c9_http_client_t http;
} client_t;

static void client_init(client_t *c) {
    memset(c, 0, sizeof *c);
    c9_host_net_config_t nc;
    c9_host_net_config_default(&nc);
    nc.reuse_hold_ms = 0;
    c9_host_net_new(&nc, &c->net);
    const c9_net_socket_ops_t *raw = c9_host_net_ops(c->net);
    c->ctx = C9_TLS_CTX_NONE;
    if (c9_host_tls_new(raw, NULL, &c->tls) == C9_OK) {
        const c9_net_tls_ops_t *t = c9_host_tls_ops(c->tls);
        char ca[600];
        snprintf(ca, sizeof ca, "%s/ca.crt", dir);
        t->context_new(t->ctx, &c->ctx);
        t->context_load_verify_file(t->ctx, c->ctx, ca);
    }
    c9_net_connmgr_config_t mc = {.sock = raw, .tls = c->tls ? c9_host_tls_ops(c->tls) : NULL};
    c9_net_connmgr_init(&c->mgr, &mc, c->slots, 4);
    c9_http_client_config_t hc = {
        .mgr = &c->mgr, .buf = c->buf, .buf_size = sizeof c->buf, .fields = c->fields, .max_fields = 24};
    c9_http_client_init(&c->http, &hc);
}

static void client_free(client_t *c) {
    c9_http_response_close(&c->http.resp);
    c9_net_connmgr_close_all(&c->mgr, true);
    c9_host_tls_free(c->tls);
    c9_host_net_free(c->net);
}

/* n requests; returns the seconds taken, or -1 on an error (printed). */
static double run_c9(client_t *c, bool tls, bool fresh, int n, const char *tag, bool callgrind) {
    c9_http_header_t close_hdr[] = {{"Connection", "close"}};
    char path[64];
    uint8_t out[256];
    /* Under callgrind a kept connection is made first, so that the count is per request in the
     * steady state; the handshake's cost is what the fresh runs show. */
    int first = callgrind && !fresh ? -1 : 0;
    long long t0 = peer_now_ms();
    for (int i = first; i < n; i++) {
        if (callgrind && i == 0) {
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
            t0 = peer_now_ms();
        }
        snprintf(path, sizeof path, "/small.txt?%s=%d", tag, i);
        c9_http_request_t req = {.method = "GET",
                                 .proto = tls ? "https:" : "http:",
                                 .host = tls ? "localhost" : "127.0.0.1",
                                 .port = (uint16_t)(tls ? port_https : port_http),
                                 .path = path,
                                 .headers = close_hdr,
                                 .nheaders = fresh ? 1 : 0,
                                 .tls_ctx = c->ctx,
                                 .timeout_ms = 10000};
        c9_http_response_t *r;
        c9_err_t err = c9_http_request(&c->http, &req, &r);
        size_t got = 0, k;
        while (err == C9_OK && (err = c9_http_read(r, out + got, sizeof out - got, &k)) == C9_OK && k) {
            got += k;
        }
        if (err != C9_OK || got != sizeof body - 1) {
            fprintf(stderr, "net_bench: request %d failed: %s\n", i, c9_http_strerror(err));
            return -1;
        }
    }
    long long t1 = peer_now_ms();
    if (callgrind) {
        CALLGRIND_TOGGLE_COLLECT;
        char label[96];
        snprintf(label, sizeof label, "%s n=%d", tag, n);
        CALLGRIND_DUMP_STATS_AT(label);
    }
    return (double)(t1 - t0) / 1000.0;
}

static double run_curl(bool tls, bool fresh, int n, const char *tag) {
    const char *curl = peer_find("curl");
    if (!curl) {
        return -1;
    }
    char cfg[600], curlc[512];
    snprintf(curlc, sizeof curlc, "%s", curl);
    snprintf(cfg, sizeof cfg, "%s/curl_%s.cfg", dir, tag);
    FILE *f = fopen(cfg, "w");
    for (int i = 0; i < n; i++) {
        fprintf(f, "url = \"%s://%s:%d/small.txt?%s=%d\"\noutput = \"/dev/null\"\n", tls ? "https" : "http",
                tls ? "localhost" : "127.0.0.1", tls ? port_https : port_http, tag, i);
    }
    fclose(f);
    char ca[600];
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    char *argv[16] = {curlc, "-s", "-f", "-K", cfg};
    int k = 5;
    if (fresh) {
        argv[k++] = "-H";
        argv[k++] = "Connection: close";
    }
    if (tls) {
        argv[k++] = "--cacert";
        argv[k++] = ca;
    }
    argv[k] = NULL;
    long long t0 = peer_now_ms();
    pid_t pid = peer_spawn(argv, NULL);
    int st = peer_wait_exit(pid, 600000);
    long long t1 = peer_now_ms();
    return st == 0 ? (double)(t1 - t0) / 1000.0 : -1;
}

int main(int argc, char **argv) {
    int n = 2000;
    bool callgrind = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
            n = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--callgrind") == 0) {
            callgrind = true;
            n = i + 1 < argc ? atoi(argv[++i]) : 200;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    dir = peer_tmpdir();
    bool tls = c9_host_tls_available() && peer_find("openssl") && peer_make_certs(C9_SOURCE_DIR, dir);
    pid_t nginx = 0;
    if (!start_nginx(&nginx, tls)) {
        peer_rmtree(dir);
        return 1;
    }
    client_t c;
    client_init(&c);
    if (!callgrind) {
        printf("%-34s %8s %9s %10s %12s\n", "run (nginx 1.22 on loopback)", "requests", "seconds", "req/s",
               "connections");
    }
    struct {
        const char *tag;
        bool tls, fresh, curl;
        int n;
    } runs[] = {
        {"c9-http-reuse", false, false, false, n},  {"c9-http-fresh", false, true, false, n},
        {"curl-http-reuse", false, false, true, n}, {"curl-http-fresh", false, true, true, n},
        {"c9-https-reuse", true, false, false, n},  {"c9-https-fresh", true, true, false, n / 10},
        {"curl-https-reuse", true, false, true, n}, {"curl-https-fresh", true, true, true, n / 10},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        if ((runs[i].tls && !tls) || (callgrind && runs[i].curl) || runs[i].n < 1) {
            continue;
        }
        c9_net_connmgr_close_all(&c.mgr, true);
        double s = runs[i].curl ? run_curl(runs[i].tls, runs[i].fresh, runs[i].n, runs[i].tag)
                                : run_c9(&c, runs[i].tls, runs[i].fresh, runs[i].n, runs[i].tag, callgrind);
        if (s < 0) {
            printf("%-34s failed\n", runs[i].tag);
            rc = 1;
            continue;
        }
        int conns = connections(runs[i].tag, runs[i].n);
        printf("%-34s %8d %9.3f %10.0f %12d\n", runs[i].tag, runs[i].n, s, s > 0 ? runs[i].n / s : 0.0, conns);
        fflush(stdout);
    }
    client_free(&c);
    peer_stop(nginx);
    peer_rmtree(dir);
    return rc;
}
