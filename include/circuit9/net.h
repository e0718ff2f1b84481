/*
 * circuit9 networking: the socket-operations table, the TLS-operations table, and a connection
 * manager over them (keyed by host, port, protocol, session and TLS context).
 *
 * A port provides the tables (ports/host: POSIX sockets and mbedTLS); the cores on top
 * (connection manager here, HTTP client in http.h, MQTT client in mqtt.h) never see an OS
 * socket. Numbers are CircuitPython's (lwIP's): AF_INET = 2, SOCK_STREAM = 1, SOL_SOCKET = 0xFFF,
 * SO_REUSEADDR = 4, ..., so socketpool constants pass through a binding unchanged.
 *
 * Sockets are handles (c9_sock_t), never pointers: a handle carries a generation count, so a
 * handle kept after close() reads as C9_ERR_BADF instead of reaching a socket opened later.
 *
 * Timeouts are per socket, in milliseconds, with CircuitPython's meaning of settimeout():
 *   C9_NET_TIMEOUT_BLOCKING (-1)  None: wait as long as it takes
 *   0                             non-blocking: C9_ERR_AGAIN when the operation would wait
 *   > 0                           wait that long, then C9_ERR_TIMEDOUT
 * A new socket is blocking. A port may end a wait early with C9_ERR_INTR when its interrupt
 * check (Ctrl-C) fires; the socket is left as it was.
 *
 * Errors: socket-level failures use Linux errno numbers (C9_ERR_ADDRINUSE = -98, ...), which
 * are also CircuitPython's errno numbers: c9_net_errno() gives the number for OSError.
 * Failures that CircuitPython does not report as an errno have domain codes below:
 *
 *   code                              CircuitPython exception (what a binding raises)
 *   C9_ERR_NET_OUT_OF_SOCKETS         RuntimeError("Out of sockets")
 *   C9_ERR_NET_NONAME                 socketpool.gaierror(-2, "Name or service not known")
 *   C9_ERR_NET_IN_USE                 RuntimeError("An existing socket is already connected to
 *                                     <proto>//<host>:<port>")
 *   C9_ERR_NET_NOT_MANAGED            RuntimeError("Socket not managed")
 *   C9_ERR_NET_NO_TLS_CONTEXT         ValueError("ssl_context must be provided if using ssl")
 *   C9_ERR_TLS_*                      OSError(<mbedTLS code>, <mbedTLS text>), from
 *                                     c9_tls_error_info_t; C9_ERR_TLS_BAD_CERT and _BAD_KEY are
 *                                     ValueError("invalid cert") / ValueError("invalid key")
 *   any errno-like code (> -1000)     OSError(c9_net_errno(err))
 *
 *     c9_net_connmgr_t mgr; c9_net_conn_t slots[4];
 *     c9_net_connmgr_config_t cfg = {.sock = port_sockets, .tls = port_tls, .max_idle_ms = 118000};
 *     c9_net_connmgr_init(&mgr, &cfg, slots, 4);
 *     c9_net_key_t key = {.host = "example.org", .port = 443, .proto = "https:", .tls_ctx = ctx};
 *     c9_net_conn_t *c;
 *     if (c9_net_connmgr_get(&mgr, &key, 5000, &c) == C9_OK) {
 *         c9_net_send_all(c->ops, c->sock, req, req_len);
 *         ...
 *         c9_net_connmgr_free(&mgr, c);      // keep it for the next request (or _close)
 *     }
 */
#ifndef CIRCUIT9_NET_H
#define CIRCUIT9_NET_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants (CircuitPython's socketpool numbering) ---- */

enum {
    C9_NET_AF_INET = 2,
    C9_NET_AF_INET6 = 10,
};

enum {
    C9_NET_SOCK_STREAM = 1,
    C9_NET_SOCK_DGRAM = 2,
    C9_NET_SOCK_RAW = 3,
};

enum {
    C9_NET_IPPROTO_IP = 0,
    C9_NET_IPPROTO_ICMP = 1,
    C9_NET_IPPROTO_TCP = 6,
    C9_NET_IPPROTO_UDP = 17,
    C9_NET_IPPROTO_IPV6 = 41,
    C9_NET_IPPROTO_RAW = 255,
};

/* setsockopt levels and options. */
enum {
    C9_NET_SOL_SOCKET = 0xFFF,
    C9_NET_SO_REUSEADDR = 0x0004, /* level C9_NET_SOL_SOCKET */
    C9_NET_SO_KEEPALIVE = 0x0008, /* level C9_NET_SOL_SOCKET */
    C9_NET_SO_BROADCAST = 0x0020, /* level C9_NET_SOL_SOCKET */
    C9_NET_TCP_NODELAY = 0x01,    /* level C9_NET_IPPROTO_TCP */
    C9_NET_IP_MULTICAST_TTL = 5,  /* level C9_NET_IPPROTO_IP */
};

enum { C9_NET_EAI_NONAME = -2 };

#define C9_NET_TIMEOUT_BLOCKING (-1)

/* poll() event bits. */
enum {
    C9_NET_POLL_IN = 1,  /* data (or a pending connection, or end of stream) to read */
    C9_NET_POLL_OUT = 2, /* send would not wait */
    C9_NET_POLL_ERR = 4, /* an error is pending */
    C9_NET_POLL_HUP = 8, /* the peer closed (or reset) the connection */
};

/* Errors (common.h's error table): socket-level failures are the generic errno codes (C9_ERR_INTR,
 * C9_ERR_PIPE, C9_ERR_ADDRINUSE, C9_ERR_CONNRESET, ...); domain codes C9_ERR_NET_* (band net: socket
 * limit, name resolution, connection manager) and C9_ERR_TLS_* (band tls). */

/* The CircuitPython errno number for an errno-like code (-err for -1..-999), 0 for C9_OK and
 * for domain codes (which map to other exceptions). */
int c9_net_errno(c9_err_t err);

/* A short static English description of any code above or in common.h (never NULL). */
const char *c9_net_strerror(c9_err_t err);

/* ---- addresses ---- */

/* An IPv4 or IPv6 address and port. addr holds the address in network byte order (IPv4 in
 * addr[0..3]); port is in host order. */
typedef struct c9_net_addr {
    uint8_t family; /* C9_NET_AF_INET or C9_NET_AF_INET6 */
    uint16_t port;
    uint8_t addr[16];
} c9_net_addr_t;

/* Formats "a.b.c.d" or RFC 5952 IPv6 text into out (NUL-terminated). Returns the length, or
 * C9_ERR_NOMEM when out_size is too small (46 always fits), C9_ERR_AFNOSUPPORT for another
 * family. */
c9_err_t c9_net_addr_format(const c9_net_addr_t *a, char *out, size_t out_size);

/* ---- the socket-operations table ---- */

typedef int32_t c9_sock_t;
#define C9_NET_SOCK_NONE ((c9_sock_t)-1)

/*
 * Every function returns C9_OK or a negative code; a handle that is not open gives
 * C9_ERR_BADF. Each function may wait only as the socket's timeout allows (see the file
 * comment) and returns C9_ERR_AGAIN / C9_ERR_TIMEDOUT / C9_ERR_INTR when it cannot finish.
 *
 * open         new socket of family/type/proto. C9_ERR_NET_OUT_OF_SOCKETS at the board's
 *              limit, C9_ERR_AFNOSUPPORT, C9_ERR_INVAL for an unknown type.
 * close        always releases the handle (also after errors); closing twice gives C9_ERR_BADF.
 * settimeout   ms as above (C9_NET_TIMEOUT_BLOCKING, 0, > 0).
 * setsockopt   level/optname in CircuitPython numbering; value is an integer of len 1, 2, 4
 *              or 8 bytes (little-endian) or an option's own buffer. C9_ERR_NOPROTOOPT for an
 *              option the port does not provide. SO_REUSEADDR must be set before bind.
 * bind         C9_ERR_ADDRINUSE when the address is in use, including a TCP port whose previous
 *              socket was closed recently, unless SO_REUSEADDR is set on this socket
 *              (CircuitPython 9's explicit reuse). An all-zero address binds every interface.
 * listen       backlog >= 0.
 * accept       waits for a connection; *out is a new connected socket (blocking, with the
 *              listener's options not inherited), *peer (may be NULL) its address.
 *              C9_ERR_NET_OUT_OF_SOCKETS when the limit is reached (the connection is dropped).
 * connect      TCP: connects (waiting up to the timeout). With timeout 0 it starts the
 *              connection and returns C9_ERR_INPROGRESS; calling it again returns C9_ERR_ALREADY
 *              while pending, then C9_OK or the failure (C9_ERR_CONNREFUSED, ...). After
 *              C9_ERR_TIMEDOUT the attempt continues, as on the board. UDP: sets the peer.
 * send         sends up to len bytes; *sent may be less than len. C9_ERR_PIPE / C9_ERR_CONNRESET
 *              when the peer has gone, C9_ERR_NOTCONN before connect.
 * recv         receives up to len bytes; *received == 0 with C9_OK means the peer closed
 *              (orderly end of stream). len == 0 returns at once.
 * sendto       UDP datagram to *to. recvfrom: one datagram (truncated to len), *from its sender.
 * getaddrinfo  resolves host (name or address literal) into out[0..max); *count is how many.
 *              family 0 means any; type is a C9_NET_SOCK_* (0 = stream). C9_ERR_NET_NONAME when
 *              nothing resolves. Blocking (no timeout), as on the board.
 * poll         readiness now, without waiting: *revents = the C9_NET_POLL_* bits that hold
 *              (HUP and ERR are reported whatever events asks).
 * now_ms       a monotonic millisecond clock (timeouts, keep-alive, idle ages).
 *
 * Re-entrancy: a port may call back (an interrupt check) while waiting; such a callback must
 * not use the table. Functions of one table may be called from one thread at a time per socket.
 */
typedef struct c9_net_socket_ops {
    c9_err_t (*open)(void *ctx, int family, int type, int proto, c9_sock_t *out);
    c9_err_t (*close)(void *ctx, c9_sock_t s);
    c9_err_t (*settimeout)(void *ctx, c9_sock_t s, int32_t timeout_ms);
    c9_err_t (*setsockopt)(void *ctx, c9_sock_t s, int level, int optname, const void *value, size_t len);
    c9_err_t (*bind)(void *ctx, c9_sock_t s, const c9_net_addr_t *addr);
    c9_err_t (*listen)(void *ctx, c9_sock_t s, int backlog);
    c9_err_t (*accept)(void *ctx, c9_sock_t s, c9_sock_t *out, c9_net_addr_t *peer);
    c9_err_t (*connect)(void *ctx, c9_sock_t s, const c9_net_addr_t *addr);
    c9_err_t (*send)(void *ctx, c9_sock_t s, const void *buf, size_t len, size_t *sent);
    c9_err_t (*recv)(void *ctx, c9_sock_t s, void *buf, size_t len, size_t *received);
    c9_err_t (*sendto)(void *ctx, c9_sock_t s, const void *buf, size_t len, const c9_net_addr_t *to, size_t *sent);
    c9_err_t (*recvfrom)(void *ctx, c9_sock_t s, void *buf, size_t len, size_t *received, c9_net_addr_t *from);
    c9_err_t (*getaddrinfo)(void *ctx, const char *host, uint16_t port, int family, int type, c9_net_addr_t *out,
                            size_t max, size_t *count);
    c9_err_t (*poll)(void *ctx, c9_sock_t s, unsigned events, unsigned *revents);
    uint64_t (*now_ms)(void *ctx);
    void *ctx;
} c9_net_socket_ops_t;

/* Sends all of buf, looping over partial sends. Errors: as send; C9_ERR_AGAIN on a
 * non-blocking socket that filled up (part of buf may have been sent: *sent says how much when
 * sent is not NULL). */
c9_err_t c9_net_send_all(const c9_net_socket_ops_t *ops, c9_sock_t s, const void *buf, size_t len, size_t *sent);

/* ---- the TLS-operations table ---- */

typedef int32_t c9_tls_ctx_t;
#define C9_TLS_CTX_NONE ((c9_tls_ctx_t)-1)

/* Details of the last TLS failure on a socket, for OSError(lib_code, message). */
typedef struct c9_tls_error_info {
    int32_t lib_code;      /* the TLS library's own code (mbedTLS: negative), 0 if none */
    uint32_t verify_flags; /* C9_TLS_VERIFY_* bits of a certificate failure */
    char message[96];      /* the library's text for lib_code */
} c9_tls_error_info_t;

enum {
    C9_TLS_VERIFY_EXPIRED = 1 << 0,
    C9_TLS_VERIFY_NOT_TRUSTED = 1 << 1,
    C9_TLS_VERIFY_HOSTNAME = 1 << 2,
    C9_TLS_VERIFY_FUTURE = 1 << 3,
    C9_TLS_VERIFY_REVOKED = 1 << 4,
    C9_TLS_VERIFY_OTHER = 1 << 7,
};

/*
 * A TLS context holds what SSLContext holds: trusted CAs, an own certificate and key, the
 * verification mode. Contexts are handles, reference-counted: a wrapped socket keeps its
 * context alive, so context_release() while sockets are open is safe.
 *
 * context_new           a context that verifies the peer and its host name and trusts no CA
 *                       yet (every certificate fails until CAs are loaded, never a silent
 *                       success). C9_ERR_NOMEM.
 * context_load_verify   adds the CA certificates in data (PEM, one or more, or DER).
 *                       C9_ERR_TLS_BAD_CERT when any of them does not parse (nothing is added).
 *                       data NULL with len 0 forgets every CA of the context.
 * context_load_verify_file  the same from a file of the port's file system (C9_ERR_NOENT,
 *                       C9_ERR_NOSYS where the port has none).
 * context_load_default  trusts the port's CA bundle (set_default_verify_paths).
 * context_load_cert_chain  own certificate (chain) and private key, PEM or DER: a client
 *                       certificate, or a server's. C9_ERR_TLS_BAD_CERT, C9_ERR_TLS_BAD_KEY
 *                       (also when the key does not match the certificate).
 * context_set_verify    verify_peer false = CERT_NONE (no verification at all); check_hostname
 *                       false keeps the chain check but accepts any host name.
 * context_release       drops the caller's reference; the handle is dead afterwards.
 * wrap                  takes ownership of the connected-or-not raw socket from the port's
 *                       socket table and returns a TLS socket handle used through ->sock.
 *                       Client side: server_hostname goes into SNI and, with check_hostname,
 *                       is verified; NULL with check_hostname gives C9_ERR_INVAL. Server side
 *                       needs an own certificate (C9_ERR_INVAL). On error the raw socket is
 *                       closed (it was handed over).
 * error_info            the details of the last TLS failure on a TLS socket.
 * sock                  the socket table of TLS sockets: connect = TCP connect + handshake
 *                       (C9_ERR_TLS_* on failure; with timeout 0: C9_ERR_INPROGRESS and again
 *                       until C9_OK), accept = accept + server handshake, send/recv carry
 *                       application data (recv: 0 bytes after the peer's close_notify),
 *                       close sends close_notify and closes the raw socket, settimeout and
 *                       setsockopt apply to the raw socket, poll also sees decrypted bytes
 *                       waiting. open, sendto and recvfrom give C9_ERR_NOSYS.
 */
typedef struct c9_net_tls_ops {
    c9_err_t (*context_new)(void *ctx, c9_tls_ctx_t *out);
    c9_err_t (*context_load_verify)(void *ctx, c9_tls_ctx_t c, const void *data, size_t len);
    c9_err_t (*context_load_verify_file)(void *ctx, c9_tls_ctx_t c, const char *path);
    c9_err_t (*context_load_default)(void *ctx, c9_tls_ctx_t c);
    c9_err_t (*context_load_cert_chain)(void *ctx, c9_tls_ctx_t c, const void *cert, size_t cert_len, const void *key,
                                        size_t key_len);
    c9_err_t (*context_set_verify)(void *ctx, c9_tls_ctx_t c, bool verify_peer, bool check_hostname);
    void (*context_release)(void *ctx, c9_tls_ctx_t c);
    c9_err_t (*wrap)(void *ctx, c9_tls_ctx_t c, c9_sock_t raw, bool server_side, const char *server_hostname,
                     c9_sock_t *out);
    c9_err_t (*error_info)(void *ctx, c9_sock_t s, c9_tls_error_info_t *info);
    const c9_net_socket_ops_t *sock;
    void *ctx;
} c9_net_tls_ops_t;

/* ---- connection manager ---- */

/* What a connection is for. Two gets with equal keys share one socket (one user at a time). */
typedef struct c9_net_key {
    const char *host;       /* name or address literal, at most C9_NET_HOST_MAX bytes */
    uint16_t port;          /* 1..65535 */
    const char *proto;      /* "http:", "https:", "mqtt:", ...; at most C9_NET_PROTO_MAX bytes */
    const char *session_id; /* NULL or "" for none; at most C9_NET_SESSION_MAX bytes */
    bool tls;               /* TLS; proto "https:" implies it */
    c9_tls_ctx_t tls_ctx;   /* the TLS context (part of the key when tls) */
} c9_net_key_t;

enum { C9_NET_CONN_EMPTY = 0, C9_NET_CONN_IN_USE, C9_NET_CONN_FREE };

/* One managed socket. ops/sock are what the user drives; the rest is the manager's. */
typedef struct c9_net_conn {
    const c9_net_socket_ops_t *ops; /* the plain table, or the TLS table for TLS keys */
    c9_sock_t sock;
    bool reused;   /* this get() returned a kept socket, not a fresh connection */
    uint32_t uses; /* gets served by this socket, including the first */
    uint8_t state; /* C9_NET_CONN_* */
    bool tls;
    uint16_t port;
    c9_tls_ctx_t tls_ctx;
    uint64_t last_used_ms; /* when it was last freed (idle age) */
    uint32_t free_order;   /* the manager's count of frees when it was last freed (LRU order) */
    char host[C9_NET_HOST_MAX + 1];
    char proto[C9_NET_PROTO_MAX + 1];
    char session[C9_NET_SESSION_MAX + 1];
} c9_net_conn_t;

typedef struct c9_net_connmgr_stats {
    uint32_t opened;         /* new connections made */
    uint32_t reused;         /* gets served from a kept socket */
    uint32_t stale;          /* kept sockets found closed/readable by the peer and replaced */
    uint32_t expired;        /* kept sockets older than max_idle_ms and replaced */
    uint32_t evicted;        /* free sockets closed to make room (LRU) */
    uint32_t connect_failed; /* connection attempts that failed (socket closed) */
} c9_net_connmgr_stats_t;

typedef struct c9_net_connmgr_config {
    const c9_net_socket_ops_t *sock; /* required */
    const c9_net_tls_ops_t *tls;     /* NULL: TLS keys give C9_ERR_NOSYS */
    uint32_t max_idle_ms;            /* a free socket idle longer is not reused; 0 = no limit */
    /* New connections get TCP_NODELAY (before connecting, so the TLS handshake has it too):
     * HTTP and MQTT write whole messages, and Nagle's wait for an ACK that the peer delays
     * costs up to 40 ms a message or handshake flight. true keeps Nagle (a port without the
     * option is not an error either way). */
    bool keep_nagle;
} c9_net_connmgr_config_t;

typedef struct c9_net_connmgr {
    c9_net_connmgr_config_t cfg;
    c9_net_conn_t *slots;
    size_t nslots;
    bool busy;           /* inside get(): a re-entrant call gets C9_ERR_BUSY */
    uint32_t free_count; /* frees so far: orders the free sockets from least recently used */
    c9_net_connmgr_stats_t stats;
} c9_net_connmgr_t;

/* A manager is used from one thread at a time (its socket table may be shared).
 * slots[0..nslots) is caller memory and bounds how many sockets the manager holds at once
 * (the board's socket limit, or less). Errors: C9_ERR_INVAL (no socket table, no slots). */
c9_err_t c9_net_connmgr_init(c9_net_connmgr_t *m, const c9_net_connmgr_config_t *cfg, c9_net_conn_t *slots,
                             size_t nslots);

/*
 * Lends out a connected socket for key, with timeout_ms set on it.
 *  - A free socket with an equal key is reused when it is healthy: not idle longer than
 *    max_idle_ms and with nothing to read (a readable idle socket means the peer closed it or
 *    sent something unasked). Otherwise it is closed and replaced by a new connection.
 *  - A new connection needs a slot: when all slots are taken, the least recently freed free
 *    socket is closed. When the port runs out of sockets (or memory) opening or connecting,
 *    free sockets are closed one at a time, least recently used first, and the step retried.
 *  - Each resolved address is tried in turn on a connection failure.
 *  - TCP_NODELAY is set on new connections unless keep_nagle.
 * Errors: C9_ERR_NET_IN_USE (the key's socket is lent out), C9_ERR_NET_NO_TLS_CONTEXT,
 * C9_ERR_NOSYS (TLS without a TLS table), C9_ERR_INVAL (bad key), C9_ERR_BUSY (called from a
 * callback inside get), C9_ERR_NET_OUT_OF_SOCKETS (every slot lent out, or the port's limit
 * with nothing free to close), and whatever getaddrinfo/open/wrap/connect return (C9_ERR_TLS_*
 * included). Nothing is left open on an error.
 */
c9_err_t c9_net_connmgr_get(c9_net_connmgr_t *m, const c9_net_key_t *key, int32_t timeout_ms, c9_net_conn_t **out);

/* Returns a lent socket for reuse, without closing it. Only free a socket whose last exchange
 * is complete (nothing unread, nothing half-sent). C9_ERR_NET_NOT_MANAGED for an unknown or
 * not-lent connection. */
c9_err_t c9_net_connmgr_free(c9_net_connmgr_t *m, c9_net_conn_t *c);

/* Closes a managed socket (lent or free) and forgets it. C9_ERR_NET_NOT_MANAGED. */
c9_err_t c9_net_connmgr_close(c9_net_connmgr_t *m, c9_net_conn_t *c);

/* Closes every free socket (in_use too when force). */
void c9_net_connmgr_close_all(c9_net_connmgr_t *m, bool force);

size_t c9_net_connmgr_available(const c9_net_connmgr_t *m); /* free sockets */
size_t c9_net_connmgr_managed(const c9_net_connmgr_t *m);   /* free + lent */

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_NET_H */
