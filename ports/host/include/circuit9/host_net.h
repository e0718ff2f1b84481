/*
 * Host back-ends of the networking tables (include/circuit9/net.h): sockets on POSIX, TLS on
 * mbedTLS 2.28 (the library CircuitPython uses), for the virtual board and for tests.
 *
 * The socket table behaves like a board's socketpool, not like a PC:
 *   - at most max_sockets sockets are open at once (the board's lwIP limit, 8 by default; 4
 *     for an ESP32-S2-like board); more gives C9_ERR_NET_OUT_OF_SOCKETS;
 *   - CircuitPython 9's explicit address reuse: after a TCP socket that was bound to a port is
 *     closed, binding that port again fails with C9_ERR_ADDRINUSE for reuse_hold_ms unless the
 *     new socket set SO_REUSEADDR. The hold is the emulation's own (lwIP keeps a closed
 *     connection's port in TIME_WAIT for 2 x MSL = 120 s); it does not depend on whether Linux
 *     has a TIME_WAIT entry, so the result is the same on every run. Host TCP sockets always
 *     carry the kernel's SO_REUSEADDR so that Linux's own TIME_WAIT (60 s, only after a
 *     connection the server closed first) never makes a rebind fail where the board would not.
 *     Two live sockets of the table never share a port (UDP may, when both set SO_REUSEADDR).
 *   - timeouts as CircuitPython's settimeout (see net.h); blocking waits check the interrupt
 *     callback every interrupt_poll_ms and return C9_ERR_INTR when it says so.
 * Traffic goes through the host's network stack (loopback and real interfaces alike).
 *
 * The TLS table drives TLS sockets over any socket table (normally the one above), so a TLS
 * socket takes one socket of the board's limit, as on the board.
 */
#ifndef CIRCUIT9_HOST_NET_H
#define CIRCUIT9_HOST_NET_H

#include "circuit9/net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C9_HOST_NET_DEFAULT_SOCKETS 8
#define C9_HOST_NET_DEFAULT_REUSE_HOLD_MS 120000u

typedef struct c9_host_net_config {
    unsigned max_sockets;           /* the board's socket limit, 1..4096 */
    uint32_t reuse_hold_ms;         /* how long a closed TCP socket's port stays taken (0: not at all) */
    bool (*interrupted)(void *ctx); /* NULL, or true when a wait should end with C9_ERR_INTR */
    void *interrupt_ctx;
    uint32_t interrupt_poll_ms; /* how often a blocking wait calls interrupted (1..1000) */
} c9_host_net_config_t;

typedef struct c9_host_net c9_host_net_t;

/* max_sockets 8, reuse hold 120 s, no interrupt callback (polled every 50 ms when set). */
void c9_host_net_config_default(c9_host_net_config_t *cfg);

/* Errors: C9_ERR_INVAL (bad config), C9_ERR_NOMEM. */
c9_err_t c9_host_net_new(const c9_host_net_config_t *cfg, c9_host_net_t **out);

/* Closes every socket and frees the table. A wait still running in another thread ends with
 * C9_ERR_BADF first (the caller must not free the table under it). */
void c9_host_net_free(c9_host_net_t *net);

const c9_net_socket_ops_t *c9_host_net_ops(c9_host_net_t *net);

/* Sockets open now (what counts against max_sockets). */
unsigned c9_host_net_open_count(c9_host_net_t *net);

/* Closes every socket, as a board does on soft reload. */
void c9_host_net_close_all(c9_host_net_t *net);

/* The local address of a socket (after bind, listen or connect). C9_ERR_BADF. */
c9_err_t c9_host_net_local_addr(c9_host_net_t *net, c9_sock_t s, c9_net_addr_t *out);

/* Forgets every port held by a closed socket (a board reset). */
void c9_host_net_clear_holds(c9_host_net_t *net);

/* ---- TLS on mbedTLS ---- */

typedef struct c9_host_tls c9_host_tls_t;

/* Whether this build has the mbedTLS back-end (libmbedtls-dev was found). */
bool c9_host_tls_available(void);

/* A TLS table whose sockets run over raw (which must outlive it). The port's CA bundle for
 * context_load_default is ca_bundle_path (NULL: Debian's /etc/ssl/certs/ca-certificates.crt).
 * Errors: C9_ERR_NOSYS (built without mbedTLS), C9_ERR_NOMEM, C9_ERR_IO (no entropy). */
c9_err_t c9_host_tls_new(const c9_net_socket_ops_t *raw, const char *ca_bundle_path, c9_host_tls_t **out);

/* Closes every TLS socket and context. */
void c9_host_tls_free(c9_host_tls_t *tls);

/* Closes every TLS socket (sending close_notify without waiting); contexts stay. */
void c9_host_tls_close_sockets(c9_host_tls_t *tls);

const c9_net_tls_ops_t *c9_host_tls_ops(c9_host_tls_t *tls);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_NET_H */
