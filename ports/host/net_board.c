/*
 * The virtual board's network: the host's sockets (host_net.h) behind a wifi station.
 *
 * The station joins one simulated access point, the network the host's own connection stands
 * for: its SSID and password are the board configuration's (settings.toml's
 * CIRCUITPY_WIFI_SSID / CIRCUITPY_WIFI_PASSWORD under `circuit9 run`), or an open network called
 * "circuit9". While the station is not connected the board has no route: connect() and sendto()
 * to anything but a loopback address give C9_ERR_HOSTUNREACH and names other than "localhost"
 * do not resolve, as on a board whose lwIP has no address yet. Once connected, traffic goes
 * through the host's network stack, and the station reports the host's address for the route
 * out (loopback when the host has no route: docs/net.md).
 *
 * The board's own host table (c9_port_config_t.net_hosts) answers names before DNS does, and
 * resolution prefers IPv4 as lwIP's resolver does. An extra PEM file joins the CA bundle that
 * context_load_default() trusts.
 *
 * ping sends an ICMP echo through an unprivileged ICMP socket where the host allows one
 * (net.ipv4.ping_group_range), else a raw socket (root or CAP_NET_RAW); without either it times
 * a TCP connection attempt to the host's echo port (7), whose answer (accepted or refused) is
 * one round trip, as tools like tcping do.
 */
#define _GNU_SOURCE
#include "circuit9/host_net.h"
#include "circuit9/host_port.h"
#include "vpanel_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SSID "circuit9"
#define AP_CHANNEL 6
#define AP_RSSI (-42)
#define PING_PORT 7
#define TABLE_SOCKETS 64 /* the most --sockets gives */

static struct {
    uint8_t ssid[32];
    size_t ssid_len;
    char password[65];
    char *hosts;
    char ca_file[PATH_MAX];
    unsigned sockets; /* 0: the board's */
    bool enabled;
    bool connected;
    bool dns_set;
    uint8_t dns[4];
    const char *ping_method;
} st = {.ssid = DEFAULT_SSID, .ssid_len = sizeof DEFAULT_SSID - 1, .enabled = true};

/* ---- tables -------------------------------------------------------------------------------- */

static const c9_net_socket_ops_t *registered_sockets;
static const c9_net_tls_ops_t *registered_tls;
static c9_host_net_t *own_net;
static c9_host_tls_t *own_tls;
static const c9_net_socket_ops_t *raw;  /* own_net's table */
static c9_net_socket_ops_t gated;       /* raw behind the station */
static const c9_net_tls_ops_t *raw_tls; /* own_tls's table */
static c9_net_tls_ops_t board_tls;      /* raw_tls with the board's CA bundle */

void c9_host_register_net(const struct c9_net_socket_ops *sockets, const struct c9_net_tls_ops *tls) {
    registered_sockets = sockets;
    registered_tls = tls;
}

static bool is_loopback(const c9_net_addr_t *a) {
    static const uint8_t v6_loop[16] = {[15] = 1};
    static const uint8_t v4_mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (a->family == C9_NET_AF_INET) {
        return a->addr[0] == 127;
    }
    if (a->family == C9_NET_AF_INET6) {
        return memcmp(a->addr, v6_loop, 16) == 0 || (memcmp(a->addr, v4_mapped, 12) == 0 && a->addr[12] == 127);
    }
    return false;
}

static bool reachable(const c9_net_addr_t *a) {
    return st.connected || is_loopback(a);
}

static c9_err_t g_connect(void *ctx, c9_sock_t s, const c9_net_addr_t *addr) {
    (void)ctx;
    if (!reachable(addr)) {
        return C9_ERR_HOSTUNREACH;
    }
    return raw->connect(raw->ctx, s, addr);
}

static c9_err_t g_sendto(void *ctx, c9_sock_t s, const void *buf, size_t len, const c9_net_addr_t *to, size_t *sent) {
    (void)ctx;
    *sent = 0;
    if (!reachable(to)) {
        return C9_ERR_HOSTUNREACH;
    }
    return raw->sendto(raw->ctx, s, buf, len, to, sent);
}

/* TCP sockets start with TCP_NODELAY. A TLS handshake writes each of its messages on its own;
 * with Nagle's algorithm the second waits for the ACK of the first, which Linux's peer holds
 * back for its delayed-ACK time (40 ms on loopback): 58 ms per fresh HTTPS request instead of
 * 12 (docs/net.md). A program may still turn it off. */
static void no_delay(c9_sock_t s) {
    static const uint8_t one[4] = {1, 0, 0, 0};
    (void)raw->setsockopt(raw->ctx, s, C9_NET_IPPROTO_TCP, C9_NET_TCP_NODELAY, one, sizeof one);
}

static unsigned wanted_limit(void);

static c9_err_t g_open(void *ctx, int family, int type, int proto, c9_sock_t *out) {
    (void)ctx;
    if (c9_host_net_open_count(own_net) >= wanted_limit()) {
        return C9_ERR_NET_OUT_OF_SOCKETS; /* the board's lwIP limit */
    }
    c9_err_t err = raw->open(raw->ctx, family, type, proto, out);
    if (err == C9_OK && type == C9_NET_SOCK_STREAM) {
        no_delay(*out);
    }
    return err;
}

static c9_err_t g_accept(void *ctx, c9_sock_t s, c9_sock_t *out, c9_net_addr_t *peer) {
    (void)ctx;
    c9_err_t err = raw->accept(raw->ctx, s, out, peer);
    if (err == C9_OK && c9_host_net_open_count(own_net) > wanted_limit()) {
        (void)raw->close(raw->ctx, *out); /* no socket for it: the connection is dropped */
        *out = C9_NET_SOCK_NONE;
        err = C9_ERR_NET_OUT_OF_SOCKETS;
    }
    if (err == C9_OK) {
        no_delay(*out);
    }
    return err;
}

static bool is_literal(const char *host) {
    uint8_t a[4];
    return c9_net_ipv4_parse(host, strlen(host), a) == C9_OK || strchr(host, ':') != NULL;
}

static c9_err_t g_getaddrinfo(void *ctx, const char *host, uint16_t port, int family, int type, c9_net_addr_t *out,
                              size_t max, size_t *count) {
    (void)ctx;
    *count = 0;
    if (!host || !*host || max == 0) {
        return C9_ERR_INVAL;
    }
    uint8_t a[4];
    c9_err_t err = c9_net_hosts_lookup(st.hosts, host, strlen(host), a);
    if (err == C9_OK) {
        if (family != 0 && family != C9_NET_AF_INET) {
            return C9_ERR_NET_NONAME;
        }
        memset(&out[0], 0, sizeof out[0]);
        out[0].family = C9_NET_AF_INET;
        out[0].port = port;
        memcpy(out[0].addr, a, 4);
        *count = 1;
        return C9_OK;
    }
    /* Without an address the board reaches no DNS server: only literals and its own name for
     * loopback resolve (lwIP answers "localhost" itself). */
    if (!st.connected && !is_literal(host) && strcasecmp(host, "localhost") != 0) {
        return C9_ERR_NET_NONAME;
    }
    c9_net_addr_t found[8];
    size_t n = 0;
    err = raw->getaddrinfo(raw->ctx, host, port, family, type, found, C9_ARRAY_SIZE(found), &n);
    if (err != C9_OK) {
        return err;
    }
    /* IPv4 first, as lwIP's resolver (LWIP_DNS_ADDRTYPE_IPV4_IPV6) answers. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n && *count < max; i++) {
            if ((found[i].family == C9_NET_AF_INET) == (pass == 0)) {
                out[(*count)++] = found[i];
            }
        }
    }
    return C9_OK;
}

/* context_load_default: the host's bundle and the board's extra certificates. */
static c9_err_t b_load_default(void *ctx, c9_tls_ctx_t c) {
    (void)ctx;
    c9_err_t err = raw_tls->context_load_default(raw_tls->ctx, c);
    if (err == C9_OK && st.ca_file[0]) {
        err = raw_tls->context_load_verify_file(raw_tls->ctx, c, st.ca_file);
    }
    return err;
}

static unsigned wanted_limit(void) {
    if (st.sockets) {
        return st.sockets;
    }
    const c9_board_t *b = c9_port_board();
    return b ? b->net_sockets : 0;
}

/* The host's tables, made once: the runtime's objects keep pointers to them and handles of
 * them, which must never reach a table made later. The board's limit is enforced here, so that
 * another board or --sockets only changes a number. */
static void own_tables(void) {
    if (own_net) {
        return;
    }
    c9_host_net_config_t cfg;
    c9_host_net_config_default(&cfg);
    cfg.max_sockets = TABLE_SOCKETS;
    if (c9_host_net_new(&cfg, &own_net) != C9_OK) {
        own_net = NULL;
        return;
    }
    raw = c9_host_net_ops(own_net);
    gated = *raw;
    gated.open = g_open;
    gated.accept = g_accept;
    gated.connect = g_connect;
    gated.sendto = g_sendto;
    gated.getaddrinfo = g_getaddrinfo;
    /* The wrappers reach the host table through `raw`; the others get its context as before. */
    if (c9_host_tls_available() && c9_host_tls_new(&gated, NULL, &own_tls) == C9_OK) {
        raw_tls = c9_host_tls_ops(own_tls);
        board_tls = *raw_tls;
        board_tls.context_load_default = b_load_default;
    }
}

c9_err_t c9_port_net_sockets(const struct c9_net_socket_ops **out) {
    if (registered_sockets) {
        *out = registered_sockets;
        return C9_OK;
    }
    own_tables();
    if (!own_net || wanted_limit() == 0) {
        return C9_ERR_NOSYS; /* a board without a network */
    }
    *out = &gated;
    return C9_OK;
}

c9_err_t c9_port_net_tls(const struct c9_net_tls_ops **out) {
    if (registered_sockets) {
        if (!registered_tls) {
            return C9_ERR_NOSYS;
        }
        *out = registered_tls;
        return C9_OK;
    }
    own_tables();
    if (!own_tls || wanted_limit() == 0) {
        return C9_ERR_NOSYS;
    }
    *out = &board_tls;
    return C9_OK;
}

void c9_port_net_reset(void) {
    if (own_tls) {
        c9_host_tls_close_sockets(own_tls);
    }
    if (own_net) {
        c9_host_net_close_all(own_net);
    }
}

unsigned c9_host_net_sockets_open(void) {
    return own_net ? c9_host_net_open_count(own_net) : 0;
}

void c9__net_configure(const c9_port_config_t *cfg) {
    const char *ssid = cfg && cfg->wifi_ssid && *cfg->wifi_ssid ? cfg->wifi_ssid : DEFAULT_SSID;
    st.ssid_len = C9_MIN(strlen(ssid), sizeof st.ssid);
    memcpy(st.ssid, ssid, st.ssid_len);
    snprintf(st.password, sizeof st.password, "%s", cfg && cfg->wifi_password ? cfg->wifi_password : "");
    free(st.hosts);
    st.hosts = cfg && cfg->net_hosts && *cfg->net_hosts ? strdup(cfg->net_hosts) : NULL;
    snprintf(st.ca_file, sizeof st.ca_file, "%s", cfg && cfg->ca_file ? cfg->ca_file : "");
    st.sockets = cfg ? cfg->net_sockets : 0;
}

/* ---- the station ------------------------------------------------------------------------------- */

static bool have_wifi(void) {
    return wanted_limit() > 0 || registered_sockets;
}

c9_err_t c9_port_wifi_mac(uint8_t mac[6]) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    /* A locally administered address made from the board's unique id: stable per board, never
     * a real vendor's. */
    const c9_board_t *b = c9_port_board();
    uint8_t h[4] = {0x3c, 0x61, 0x05, 0x09};
    for (unsigned i = 0; b && i < b->uid_len; i++) {
        h[i % 4] = (uint8_t)(h[i % 4] * 31u + b->uid[i]);
    }
    mac[0] = 0x02;
    mac[1] = 0xc9;
    memcpy(mac + 2, h, 4);
    return C9_OK;
}

bool c9_port_wifi_enabled(void) {
    return have_wifi() && st.enabled;
}

c9_err_t c9_port_wifi_enable(bool on) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (!on && st.enabled) {
        st.connected = false;
        st.dns_set = false;
        c9_port_net_reset();
    }
    st.enabled = on;
    return C9_OK;
}

static void ap_record(c9_port_wifi_ap_t *ap) {
    memset(ap, 0, sizeof *ap);
    memcpy(ap->ssid, st.ssid, st.ssid_len);
    ap->ssid_len = (uint8_t)st.ssid_len;
    uint8_t mac[6];
    c9_port_wifi_mac(mac);
    memcpy(ap->bssid, mac, 6);
    ap->bssid[1] = 0xa9; /* the access point's own locally administered address */
    ap->rssi = AP_RSSI;
    ap->channel = AP_CHANNEL;
    ap->authmodes = st.password[0] ? (C9_PORT_WIFI_AUTH_WPA2 | C9_PORT_WIFI_AUTH_PSK) : C9_PORT_WIFI_AUTH_OPEN;
}

c9_err_t c9_port_wifi_scan(uint8_t first, uint8_t last, c9_port_wifi_ap_t *out, size_t max, size_t *count) {
    *count = 0;
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (!st.enabled) {
        return C9_ERR_WIFI_DISABLED;
    }
    if (first <= AP_CHANNEL && AP_CHANNEL <= last && max > 0) {
        ap_record(&out[0]);
        *count = 1;
    }
    return C9_OK;
}

c9_err_t c9_port_wifi_connect(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                              uint8_t channel, const uint8_t *bssid, uint32_t timeout_ms) {
    (void)channel; /* a channel only says where the scan starts */
    (void)timeout_ms;
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (!st.enabled) {
        return C9_ERR_WIFI_DISABLED;
    }
    bool same = ssid_len == st.ssid_len && memcmp(ssid, st.ssid, ssid_len) == 0;
    if (st.connected && same) {
        return C9_OK;
    }
    st.connected = false;
    c9_port_wifi_ap_t ap;
    ap_record(&ap);
    if (!same || (bssid && memcmp(bssid, ap.bssid, 6) != 0)) {
        return C9_ERR_WIFI_NO_AP;
    }
    /* An open network takes any password (the station's threshold is "open"); a protected one
     * wants its own. */
    size_t pw_len = strlen(st.password);
    if (pw_len && (password_len != pw_len || memcmp(password, st.password, pw_len) != 0)) {
        return C9_ERR_WIFI_AUTH;
    }
    st.connected = true;
    st.dns_set = false;
    return C9_OK;
}

c9_err_t c9_port_wifi_disconnect(void) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    st.connected = false;
    st.dns_set = false;
    return C9_OK;
}

/* The host's address for the route out, with its netmask; false when the host has no route. */
static bool route_out(uint8_t addr[4], uint8_t mask[4]) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(53)};
    inet_pton(AF_INET, "8.8.8.8", &to.sin_addr); /* a UDP connect sends nothing */
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    bool ok = connect(fd, (struct sockaddr *)&to, sizeof to) == 0 && getsockname(fd, (struct sockaddr *)&me, &len) == 0;
    close(fd);
    if (!ok) {
        return false;
    }
    memcpy(addr, &me.sin_addr, 4);
    static const uint8_t class_c[4] = {255, 255, 255, 0};
    memcpy(mask, class_c, 4);
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) == 0) {
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (i->ifa_addr && i->ifa_netmask && i->ifa_addr->sa_family == AF_INET &&
                memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, 4) == 0) {
                memcpy(mask, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, 4);
                break;
            }
        }
        freeifaddrs(ifs);
    }
    return true;
}

/* The default route's gateway from the kernel's routing table. */
static bool default_gateway(uint8_t gw[4]) {
    FILE *f = fopen("/proc/net/route", "re");
    if (!f) {
        return false;
    }
    char line[256];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char ifname[64];
        unsigned dest, gateway, flags;
        if (sscanf(line, "%63s %x %x %x", ifname, &dest, &gateway, &flags) == 4 && dest == 0 && (flags & 2)) {
            memcpy(gw, &gateway, 4); /* the table prints the address as a native-order word */
            found = true;
        }
    }
    fclose(f);
    return found;
}

/* The first IPv4 name server of the host's resolver. */
static bool host_dns(uint8_t dns[4]) {
    FILE *f = fopen("/etc/resolv.conf", "re");
    if (!f) {
        return false;
    }
    char line[256];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char addr[64];
        struct in_addr in;
        if (sscanf(line, " nameserver %63s", addr) == 1 && inet_pton(AF_INET, addr, &in) == 1) {
            memcpy(dns, &in, 4);
            found = true;
        }
    }
    fclose(f);
    return found;
}

c9_err_t c9_port_wifi_station(c9_port_wifi_ap_t *ap, c9_port_wifi_ipv4_t *ip) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (!st.connected) {
        return C9_ERR_NOTCONN;
    }
    if (ap) {
        ap_record(ap);
    }
    if (ip) {
        static const uint8_t loop[4] = {127, 0, 0, 1}, loop_mask[4] = {255, 0, 0, 0};
        memset(ip, 0, sizeof *ip);
        if (route_out(ip->address, ip->netmask)) {
            if (!default_gateway(ip->gateway)) {
                memcpy(ip->gateway, ip->address, 4);
            }
        } else {
            /* The host has no route out: the board's network is the host's loopback. */
            memcpy(ip->address, loop, 4);
            memcpy(ip->netmask, loop_mask, 4);
            memcpy(ip->gateway, loop, 4);
        }
        if (st.dns_set) {
            memcpy(ip->dns, st.dns, 4);
        } else if (!host_dns(ip->dns)) {
            memcpy(ip->dns, ip->gateway, 4);
        }
    }
    return C9_OK;
}

c9_err_t c9_port_wifi_set_dns(const uint8_t dns[4]) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (!st.connected) {
        return C9_ERR_NOTCONN;
    }
    memcpy(st.dns, dns, 4);
    st.dns_set = true;
    return C9_OK;
}

/* ---- ping ----------------------------------------------------------------------------------- */

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint16_t icmp_checksum(const uint8_t *p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    if (n & 1) {
        sum += (uint32_t)p[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* Waits for fd to be ready for events until deadline (microseconds); false on timeout. */
static bool wait_fd(int fd, short events, uint64_t deadline) {
    for (;;) {
        uint64_t now = mono_us();
        if (now >= deadline) {
            return false;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
        if (r > 0) {
            return true;
        }
        if (r < 0 && errno != EINTR) {
            return false;
        }
    }
}

/* An echo over an ICMP socket: 1 answered, 0 timed out, -1 no such socket here. */
static int icmp_echo(const struct sockaddr_in *to, bool dgram, uint32_t timeout_ms, uint32_t *rtt_ms) {
    int fd = socket(AF_INET, (dgram ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) {
        return -1;
    }
    static uint16_t seq;
    uint16_t id = (uint16_t)getpid(), sq = ++seq;
    uint8_t pkt[8 + 32] = {8, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id, (uint8_t)(sq >> 8), (uint8_t)sq};
    for (size_t i = 8; i < sizeof pkt; i++) {
        pkt[i] = (uint8_t)i;
    }
    uint16_t ck = icmp_checksum(pkt, sizeof pkt);
    pkt[2] = (uint8_t)(ck >> 8);
    pkt[3] = (uint8_t)ck;
    uint64_t start = mono_us(), deadline = start + (uint64_t)timeout_ms * 1000u;
    int result = 0;
    if (sendto(fd, pkt, sizeof pkt, 0, (const struct sockaddr *)to, sizeof *to) == (ssize_t)sizeof pkt) {
        while (result == 0 && wait_fd(fd, POLLIN, deadline)) {
            uint8_t buf[1500];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
            if (n <= 0 || from.sin_addr.s_addr != to->sin_addr.s_addr) {
                continue;
            }
            size_t off = dgram ? 0 : (size_t)(buf[0] & 0x0f) * 4; /* a raw socket sees the IP header */
            if ((size_t)n < off + 8 || buf[off] != 0) {
                continue; /* not an echo reply (a raw socket also sees our own request on loopback) */
            }
            /* The kernel gives an ICMP datagram socket its own identifier: match the sequence. */
            bool ours = (buf[off + 6] << 8 | buf[off + 7]) == sq && (dgram || (buf[off + 4] << 8 | buf[off + 5]) == id);
            if (ours) {
                *rtt_ms = (uint32_t)((mono_us() - start + 500) / 1000);
                result = 1;
            }
        }
    }
    close(fd);
    return result;
}

/* A TCP connection attempt to the echo port: accepted or refused, either answer is a round trip.
 * 1 answered, 0 timed out, -2 unreachable. */
static int tcp_probe(const struct sockaddr_in *to, uint32_t timeout_ms, uint32_t *rtt_ms) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    struct sockaddr_in t = *to;
    t.sin_port = htons(PING_PORT);
    uint64_t start = mono_us(), deadline = start + (uint64_t)timeout_ms * 1000u;
    int r = connect(fd, (struct sockaddr *)&t, sizeof t), e = r == 0 ? 0 : errno;
    if (e == EINPROGRESS) {
        if (!wait_fd(fd, POLLOUT, deadline)) {
            close(fd);
            return 0;
        }
        socklen_t el = sizeof e;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
    }
    close(fd);
    if (e == 0 || e == ECONNREFUSED) {
        *rtt_ms = (uint32_t)((mono_us() - start + 500) / 1000);
        return 1;
    }
    return e == ETIMEDOUT ? 0 : -2;
}

const char *c9_host_net_ping_method(void) {
    return st.ping_method;
}

c9_err_t c9_port_net_ping(const struct c9_net_addr *to, uint32_t timeout_ms, uint32_t *rtt_ms) {
    if (!have_wifi()) {
        return C9_ERR_NOSYS;
    }
    if (to->family != C9_NET_AF_INET) {
        return C9_ERR_AFNOSUPPORT;
    }
    if (!reachable(to)) {
        return C9_ERR_HOSTUNREACH;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET};
    memcpy(&sin.sin_addr, to->addr, 4);
    int r = icmp_echo(&sin, true, timeout_ms, rtt_ms);
    st.ping_method = "icmp";
    if (r < 0) {
        r = icmp_echo(&sin, false, timeout_ms, rtt_ms);
        st.ping_method = "raw";
    }
    if (r < 0) {
        r = tcp_probe(&sin, timeout_ms, rtt_ms);
        st.ping_method = "tcp";
    }
    if (r == -2) {
        return C9_ERR_HOSTUNREACH;
    }
    return r == 1 ? C9_OK : C9_ERR_TIMEDOUT;
}
