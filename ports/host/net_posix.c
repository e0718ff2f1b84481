/*
 * The socket table on POSIX sockets, with a board's socket limit and CircuitPython 9's explicit
 * address reuse (host_net.h). Every host socket is non-blocking; timeouts are waits in poll().
 *
 * Handles are (generation << 16 | slot). A close while another thread waits on the socket
 * shuts the socket down (which wakes the waiter) and leaves the real close to the last user,
 * so a file descriptor number is never reused under a waiting call.
 */
#define _GNU_SOURCE
#include "circuit9/host_net.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct hsock {
    int fd;
    uint16_t gen;
    bool used;
    bool closing;
    int busy;
    uint8_t family; /* C9_NET_AF_* */
    uint8_t type;   /* C9_NET_SOCK_* */
    int32_t timeout_ms;
    bool reuseaddr;
    bool bound;
    bool connecting;
    bool connected;
    c9_net_addr_t local;
} hsock_t;

typedef struct hold {
    uint8_t type;
    uint16_t port;
    uint8_t family;
    uint8_t addr[16];
    uint64_t until_ms;
} hold_t;

struct c9_host_net {
    c9_net_socket_ops_t ops;
    c9_host_net_config_t cfg;
    pthread_mutex_t lock;
    hsock_t *socks;
    unsigned open;
    hold_t *holds;
    size_t nholds, cap_holds;
};

static uint64_t now_ms(void *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static c9_err_t map_errno(int e) {
    switch (e) {
    case 0: return C9_OK;
    case EAGAIN: return C9_ERR_AGAIN;
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return C9_ERR_AGAIN;
#endif
    case EINTR: return C9_ERR_INTR;
    case EPIPE: return C9_ERR_PIPE;
    case ECONNRESET: return C9_ERR_CONNRESET;
    case ENOTCONN: return C9_ERR_NOTCONN;
    case ECONNREFUSED: return C9_ERR_CONNREFUSED;
    case EHOSTUNREACH: return C9_ERR_HOSTUNREACH;
    case ENETUNREACH: return C9_ERR_NETUNREACH;
    case EADDRINUSE: return C9_ERR_ADDRINUSE;
    case EADDRNOTAVAIL: return C9_ERR_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return C9_ERR_AFNOSUPPORT;
    case EINPROGRESS: return C9_ERR_INPROGRESS;
    case EALREADY: return C9_ERR_ALREADY;
    case EISCONN: return C9_ERR_ISCONN;
    case ECONNABORTED: return C9_ERR_CONNABORTED;
    case ENOBUFS: return C9_ERR_NOBUFS;
    case ENOMEM: return C9_ERR_NOMEM;
    case ETIMEDOUT: return C9_ERR_TIMEDOUT;
    case EINVAL: return C9_ERR_INVAL;
    case EBADF: return C9_ERR_BADF;
    case EACCES:
    case EPERM: return C9_ERR_PERM;
    case EMSGSIZE: return C9_ERR_MSGSIZE;
    case ENOPROTOOPT: return C9_ERR_NOPROTOOPT;
    case EOPNOTSUPP: return C9_ERR_NOTSUP;
    case EMFILE:
    case ENFILE: return C9_ERR_NET_OUT_OF_SOCKETS;
    default: return C9_ERR_IO;
    }
}

/* ---- addresses ---- */

static c9_err_t to_sockaddr(const c9_net_addr_t *a, struct sockaddr_storage *ss, socklen_t *len) {
    memset(ss, 0, sizeof *ss);
    if (a->family == C9_NET_AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        memcpy(&in->sin_addr, a->addr, 4);
        *len = sizeof *in;
        return C9_OK;
    }
    if (a->family == C9_NET_AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(a->port);
        memcpy(&in6->sin6_addr, a->addr, 16);
        *len = sizeof *in6;
        return C9_OK;
    }
    return C9_ERR_AFNOSUPPORT;
}

static void from_sockaddr(const struct sockaddr *sa, c9_net_addr_t *a) {
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        a->family = C9_NET_AF_INET;
        a->port = ntohs(in->sin_port);
        memcpy(a->addr, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        a->family = C9_NET_AF_INET6;
        a->port = ntohs(in6->sin6_port);
        memcpy(a->addr, &in6->sin6_addr, 16);
    }
}

static bool addr_is_any(const c9_net_addr_t *a) {
    size_t n = a->family == C9_NET_AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        if (a->addr[i]) {
            return false;
        }
    }
    return true;
}

/* Two bound addresses on one port collide when either is the wildcard or they are equal. */
static bool addrs_overlap(uint8_t fa, const uint8_t *a, uint8_t fb, const uint8_t *b) {
    c9_net_addr_t x = {.family = fa}, y = {.family = fb};
    memcpy(x.addr, a, 16);
    memcpy(y.addr, b, 16);
    if (addr_is_any(&x) || addr_is_any(&y)) {
        return true;
    }
    return fa == fb && memcmp(a, b, fa == C9_NET_AF_INET ? 4 : 16) == 0;
}

/* ---- handles ---- */

static c9_sock_t handle_of(c9_host_net_t *n, hsock_t *s) {
    return (c9_sock_t)(((int32_t)(s->gen & 0x7fff) << 16) | (int32_t)(s - n->socks));
}

/* Marks the socket in use by one more call; NULL (C9_ERR_BADF) for a dead handle. */
static hsock_t *acquire(c9_host_net_t *n, c9_sock_t h) {
    if (h < 0) {
        return NULL;
    }
    unsigned idx = (unsigned)h & 0xffff;
    uint16_t gen = (uint16_t)(((uint32_t)h >> 16) & 0x7fff);
    hsock_t *s = NULL;
    pthread_mutex_lock(&n->lock);
    if (idx < n->cfg.max_sockets && n->socks[idx].used && !n->socks[idx].closing &&
        (n->socks[idx].gen & 0x7fff) == gen) {
        s = &n->socks[idx];
        s->busy++;
    }
    pthread_mutex_unlock(&n->lock);
    return s;
}

static void add_hold(c9_host_net_t *n, hsock_t *s) {
    if (n->cfg.reuse_hold_ms == 0 || s->type != C9_NET_SOCK_STREAM || !s->bound || s->local.port == 0) {
        return;
    }
    if (n->nholds == n->cap_holds) {
        size_t cap = n->cap_holds ? n->cap_holds * 2 : 8;
        hold_t *h = realloc(n->holds, cap * sizeof *h);
        if (!h) {
            return; /* the port is simply not held: no worse than Linux */
        }
        n->holds = h;
        n->cap_holds = cap;
    }
    hold_t *h = &n->holds[n->nholds++];
    h->type = s->type;
    h->port = s->local.port;
    h->family = s->local.family;
    memcpy(h->addr, s->local.addr, 16);
    h->until_ms = now_ms(NULL) + n->cfg.reuse_hold_ms;
}

/* Called with the lock held, when nobody uses the socket any more. */
static void finish_close(c9_host_net_t *n, hsock_t *s) {
    add_hold(n, s);
    close(s->fd);
    s->fd = -1;
    s->used = false;
    s->closing = false;
    s->gen++;
    n->open--;
}

static void release(c9_host_net_t *n, hsock_t *s) {
    pthread_mutex_lock(&n->lock);
    s->busy--;
    if (s->closing && s->busy == 0) {
        finish_close(n, s);
    }
    pthread_mutex_unlock(&n->lock);
}

/* Takes a free slot for fd (which it owns from now on); C9_ERR_NET_OUT_OF_SOCKETS at the limit
 * (fd is closed then). */
static c9_err_t install(c9_host_net_t *n, int fd, uint8_t family, uint8_t type, hsock_t **out) {
    pthread_mutex_lock(&n->lock);
    hsock_t *s = NULL;
    for (unsigned i = 0; i < n->cfg.max_sockets; i++) {
        if (!n->socks[i].used) {
            s = &n->socks[i];
            break;
        }
    }
    if (!s) {
        pthread_mutex_unlock(&n->lock);
        close(fd);
        return C9_ERR_NET_OUT_OF_SOCKETS;
    }
    uint16_t gen = s->gen;
    memset(s, 0, sizeof *s);
    s->gen = gen;
    s->used = true;
    s->fd = fd;
    s->family = family;
    s->type = type;
    s->timeout_ms = C9_NET_TIMEOUT_BLOCKING;
    n->open++;
    *out = s;
    pthread_mutex_unlock(&n->lock);
    return C9_OK;
}

/* ---- waiting ---- */

/* Waits until fd is ready for events, within the socket's timeout measured from start. */
static c9_err_t wait_ready(c9_host_net_t *n, hsock_t *s, short events, uint64_t start) {
    if (s->timeout_ms == 0) {
        return C9_ERR_AGAIN;
    }
    for (;;) {
        int slice = -1;
        if (s->timeout_ms > 0) {
            uint64_t now = now_ms(NULL);
            uint64_t end = start + (uint64_t)s->timeout_ms;
            if (now >= end) {
                return C9_ERR_TIMEDOUT;
            }
            slice = (int)C9_MIN(end - now, (uint64_t)INT32_MAX);
        }
        if (n->cfg.interrupted && (slice < 0 || slice > (int)n->cfg.interrupt_poll_ms)) {
            slice = (int)n->cfg.interrupt_poll_ms;
        }
        struct pollfd p = {.fd = s->fd, .events = events};
        int r = poll(&p, 1, slice);
        if (__atomic_load_n(&s->closing, __ATOMIC_ACQUIRE)) {
            return C9_ERR_BADF;
        }
        if (r > 0) {
            return C9_OK;
        }
        if (r < 0 && errno != EINTR) {
            return map_errno(errno);
        }
        if (n->cfg.interrupted && n->cfg.interrupted(n->cfg.interrupt_ctx)) {
            return C9_ERR_INTR;
        }
    }
}

/* After a socket call failed: whether to make it again. Interrupted: at once; would block: once
 * the socket is ready for events within its timeout (counted from start); anything else, or a
 * wait that ends without it, sets *err. */
static bool call_again(c9_host_net_t *n, hsock_t *s, short events, uint64_t start, c9_err_t *err) {
    if (errno == EINTR) {
        return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
        *err = map_errno(errno);
        return false;
    }
    *err = wait_ready(n, s, events, start);
    return *err == C9_OK;
}

/* ---- operations ---- */

static c9_err_t op_open(void *ctx, int family, int type, int proto, c9_sock_t *out) {
    c9_host_net_t *n = ctx;
    int af, st;
    if (family == C9_NET_AF_INET) {
        af = AF_INET;
    } else if (family == C9_NET_AF_INET6) {
        af = AF_INET6;
    } else {
        return C9_ERR_AFNOSUPPORT;
    }
    if (type == C9_NET_SOCK_STREAM) {
        st = SOCK_STREAM;
    } else if (type == C9_NET_SOCK_DGRAM) {
        st = SOCK_DGRAM;
    } else if (type == C9_NET_SOCK_RAW) {
        st = SOCK_RAW;
    } else {
        return C9_ERR_INVAL;
    }
    if (type != C9_NET_SOCK_RAW) {
        proto = 0; /* lwIP numbering differs for IP/IPV6; the kernel picks TCP or UDP itself */
    }
    /* Count against the board's limit before asking the kernel. */
    pthread_mutex_lock(&n->lock);
    bool full = n->open >= n->cfg.max_sockets;
    pthread_mutex_unlock(&n->lock);
    if (full) {
        return C9_ERR_NET_OUT_OF_SOCKETS;
    }
    int fd = socket(af, st | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        return map_errno(errno);
    }
    if (st == SOCK_STREAM) {
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    hsock_t *s;
    c9_err_t err = install(n, fd, (uint8_t)family, (uint8_t)type, &s);
    if (err == C9_OK) {
        *out = handle_of(n, s);
    }
    return err;
}

static c9_err_t op_close(void *ctx, c9_sock_t h) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    pthread_mutex_lock(&n->lock);
    __atomic_store_n(&s->closing, true, __ATOMIC_RELEASE);
    s->busy--;
    if (s->busy == 0) {
        finish_close(n, s);
    } else {
        (void)shutdown(s->fd, SHUT_RDWR); /* wakes the waiting call, which closes */
    }
    pthread_mutex_unlock(&n->lock);
    return C9_OK;
}

static c9_err_t op_settimeout(void *ctx, c9_sock_t h, int32_t timeout_ms) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    s->timeout_ms = timeout_ms < 0 ? C9_NET_TIMEOUT_BLOCKING : timeout_ms;
    release(n, s);
    return C9_OK;
}

static bool int_value(const void *value, size_t len, int *out) {
    if (!value || (len != 1 && len != 2 && len != 4 && len != 8)) {
        return false;
    }
    const uint8_t *b = value;
    uint64_t v = 0;
    for (size_t i = len; i-- > 0;) {
        v = v << 8 | b[i];
    }
    /* Sign-extend from the given width. */
    unsigned shift = 64 - 8 * (unsigned)len;
    int64_t sv = shift ? (int64_t)(v << shift) >> shift : (int64_t)v;
    *out = (int)C9_MAX(C9_MIN(sv, (int64_t)INT32_MAX), (int64_t)INT32_MIN);
    return true;
}

static c9_err_t op_setsockopt(void *ctx, c9_sock_t h, int level, int optname, const void *value, size_t len) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = C9_OK;
    int v;
    int hl = -1, ho = -1;
    if (level == C9_NET_SOL_SOCKET && optname == C9_NET_SO_REUSEADDR) {
        if (!int_value(value, len, &v)) {
            err = C9_ERR_INVAL;
        } else {
            s->reuseaddr = v != 0;
            if (s->type != C9_NET_SOCK_STREAM) { /* TCP always has it in the kernel */
                hl = SOL_SOCKET;
                ho = SO_REUSEADDR;
            }
        }
    } else if (level == C9_NET_SOL_SOCKET && optname == C9_NET_SO_KEEPALIVE) {
        hl = SOL_SOCKET;
        ho = SO_KEEPALIVE;
    } else if (level == C9_NET_SOL_SOCKET && optname == C9_NET_SO_BROADCAST) {
        hl = SOL_SOCKET;
        ho = SO_BROADCAST;
    } else if (level == C9_NET_IPPROTO_TCP && optname == C9_NET_TCP_NODELAY) {
        hl = IPPROTO_TCP;
        ho = TCP_NODELAY;
    } else if (level == C9_NET_IPPROTO_IP && optname == C9_NET_IP_MULTICAST_TTL) {
        hl = IPPROTO_IP;
        ho = IP_MULTICAST_TTL;
    } else {
        err = C9_ERR_NOPROTOOPT;
    }
    if (err == C9_OK && hl >= 0) {
        if (!int_value(value, len, &v)) {
            err = C9_ERR_INVAL;
        } else if (setsockopt(s->fd, hl, ho, &v, sizeof v) != 0) {
            err = map_errno(errno);
        }
    }
    release(n, s);
    return err;
}

static void purge_holds(c9_host_net_t *n) {
    uint64_t now = now_ms(NULL);
    size_t j = 0;
    for (size_t i = 0; i < n->nholds; i++) {
        if (n->holds[i].until_ms > now) {
            n->holds[j++] = n->holds[i];
        }
    }
    n->nholds = j;
}

/* The emulated board's verdict on binding s to a; called with the lock held. */
static c9_err_t bind_allowed(c9_host_net_t *n, hsock_t *s, const c9_net_addr_t *a) {
    if (a->port == 0) {
        return C9_OK;
    }
    purge_holds(n);
    if (!s->reuseaddr) {
        for (size_t i = 0; i < n->nholds; i++) {
            const hold_t *h = &n->holds[i];
            if (h->type == s->type && h->port == a->port && addrs_overlap(h->family, h->addr, a->family, a->addr)) {
                return C9_ERR_ADDRINUSE;
            }
        }
    }
    for (unsigned i = 0; i < n->cfg.max_sockets; i++) {
        const hsock_t *o = &n->socks[i];
        if (o == s || !o->used || o->closing || !o->bound || o->type != s->type || o->local.port != a->port ||
            !addrs_overlap(o->local.family, o->local.addr, a->family, a->addr)) {
            continue;
        }
        if (!(s->type == C9_NET_SOCK_DGRAM && s->reuseaddr && o->reuseaddr)) {
            return C9_ERR_ADDRINUSE;
        }
    }
    return C9_OK;
}

static c9_err_t op_bind(void *ctx, c9_sock_t h, const c9_net_addr_t *addr) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    c9_err_t err = C9_OK;
    if (addr->family != s->family) {
        err = C9_ERR_AFNOSUPPORT;
    } else {
        err = to_sockaddr(addr, &ss, &sl);
    }
    if (err == C9_OK) {
        pthread_mutex_lock(&n->lock);
        err = bind_allowed(n, s, addr);
        if (err == C9_OK) {
            if (bind(s->fd, (struct sockaddr *)&ss, sl) != 0) {
                err = map_errno(errno);
            } else {
                struct sockaddr_storage got;
                socklen_t gl = sizeof got;
                if (getsockname(s->fd, (struct sockaddr *)&got, &gl) == 0) {
                    from_sockaddr((struct sockaddr *)&got, &s->local);
                } else {
                    s->local = *addr;
                }
                s->bound = true;
            }
        }
        pthread_mutex_unlock(&n->lock);
    }
    release(n, s);
    return err;
}

static c9_err_t op_listen(void *ctx, c9_sock_t h, int backlog) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = C9_OK;
    if (listen(s->fd, backlog < 0 ? 0 : backlog) != 0) {
        err = map_errno(errno);
    } else if (!s->bound) {
        /* listen() without bind() takes an ephemeral port: it counts as bound. */
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        if (getsockname(s->fd, (struct sockaddr *)&got, &gl) == 0) {
            from_sockaddr((struct sockaddr *)&got, &s->local);
            s->bound = true;
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_accept(void *ctx, c9_sock_t h, c9_sock_t *out, c9_net_addr_t *peer) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    uint64_t start = now_ms(NULL);
    c9_err_t err;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            hsock_t *ns;
            err = install(n, fd, s->family, C9_NET_SOCK_STREAM, &ns);
            if (err == C9_OK) {
                ns->connected = true;
                from_sockaddr((struct sockaddr *)&ss, &ns->local); /* replaced below */
                struct sockaddr_storage loc;
                socklen_t ll = sizeof loc;
                if (getsockname(fd, (struct sockaddr *)&loc, &ll) == 0) {
                    from_sockaddr((struct sockaddr *)&loc, &ns->local);
                }
                if (peer) {
                    from_sockaddr((struct sockaddr *)&ss, peer);
                }
                *out = handle_of(n, ns);
            }
            break;
        }
        if (!call_again(n, s, POLLIN, start, &err)) {
            break;
        }
    }
    release(n, s);
    return err;
}

/* Result of a pending non-blocking connect once the socket is writable. */
static c9_err_t connect_result(hsock_t *s) {
    int e = 0;
    socklen_t el = sizeof e;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0) {
        e = errno;
    }
    s->connecting = false;
    if (e == 0) {
        s->connected = true;
        return C9_OK;
    }
    return map_errno(e);
}

static c9_err_t op_connect(void *ctx, c9_sock_t h, const c9_net_addr_t *addr) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    uint64_t start = now_ms(NULL);
    c9_err_t err;
    if (s->connecting) {
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) > 0) {
            err = connect_result(s);
        } else if (s->timeout_ms == 0) {
            err = C9_ERR_ALREADY;
        } else {
            err = wait_ready(n, s, POLLOUT, start);
            if (err == C9_OK) {
                err = connect_result(s);
            }
        }
    } else if (s->connected && s->type == C9_NET_SOCK_STREAM) {
        err = C9_ERR_ISCONN;
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = 0;
        err = addr->family == s->family ? to_sockaddr(addr, &ss, &sl) : C9_ERR_AFNOSUPPORT;
        if (err == C9_OK) {
            int r;
            do {
                r = connect(s->fd, (struct sockaddr *)&ss, sl);
            } while (r != 0 && errno == EINTR);
            if (r == 0) {
                s->connected = true;
            } else if (errno != EINPROGRESS) {
                err = map_errno(errno);
            } else {
                s->connecting = true;
                if (s->timeout_ms == 0) {
                    err = C9_ERR_INPROGRESS;
                } else {
                    err = wait_ready(n, s, POLLOUT, start);
                    if (err == C9_OK) {
                        err = connect_result(s);
                    }
                }
            }
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_send(void *ctx, c9_sock_t h, const void *buf, size_t len, size_t *sent) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *sent = 0;
    uint64_t start = now_ms(NULL);
    c9_err_t err = C9_OK;
    if (s->type == C9_NET_SOCK_STREAM && !s->connected) {
        err = C9_ERR_NOTCONN;
    }
    while (err == C9_OK) {
        ssize_t r = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (r >= 0) {
            *sent = (size_t)r;
            break;
        }
        if (!call_again(n, s, POLLOUT, start, &err)) {
            break;
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_recv(void *ctx, c9_sock_t h, void *buf, size_t len, size_t *received) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *received = 0;
    uint64_t start = now_ms(NULL);
    c9_err_t err = C9_OK;
    while (len > 0) {
        ssize_t r = recv(s->fd, buf, len, 0);
        if (r >= 0) {
            *received = (size_t)r;
            break;
        }
        if (!call_again(n, s, POLLIN, start, &err)) {
            break;
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_sendto(void *ctx, c9_sock_t h, const void *buf, size_t len, const c9_net_addr_t *to, size_t *sent) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *sent = 0;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    c9_err_t err = to->family == s->family ? to_sockaddr(to, &ss, &sl) : C9_ERR_AFNOSUPPORT;
    uint64_t start = now_ms(NULL);
    while (err == C9_OK) {
        ssize_t r = sendto(s->fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
        if (r >= 0) {
            *sent = (size_t)r;
            break;
        }
        if (!call_again(n, s, POLLOUT, start, &err)) {
            break;
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_recvfrom(void *ctx, c9_sock_t h, void *buf, size_t len, size_t *received, c9_net_addr_t *from) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *received = 0;
    uint64_t start = now_ms(NULL);
    c9_err_t err = C9_OK;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        ssize_t r = recvfrom(s->fd, buf, len, 0, (struct sockaddr *)&ss, &sl);
        if (r >= 0) {
            *received = (size_t)r;
            if (from) {
                from_sockaddr((struct sockaddr *)&ss, from);
            }
            break;
        }
        if (!call_again(n, s, POLLIN, start, &err)) {
            break;
        }
    }
    release(n, s);
    return err;
}

static c9_err_t op_getaddrinfo(void *ctx, const char *host, uint16_t port, int family, int type, c9_net_addr_t *out,
                               size_t max, size_t *count) {
    (void)ctx;
    *count = 0;
    if (!host || !*host || max == 0) {
        return C9_ERR_INVAL;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    if (family == C9_NET_AF_INET) {
        hints.ai_family = AF_INET;
    } else if (family == C9_NET_AF_INET6) {
        hints.ai_family = AF_INET6;
    } else if (family == 0) {
        hints.ai_family = AF_UNSPEC;
    } else {
        return C9_ERR_AFNOSUPPORT;
    }
    hints.ai_socktype = type == C9_NET_SOCK_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
    int r = getaddrinfo(host, NULL, &hints, &res);
    if (r != 0) {
        if (r == EAI_MEMORY) {
            return C9_ERR_NOMEM;
        }
        return C9_ERR_NET_NONAME;
    }
    for (struct addrinfo *ai = res; ai && *count < max; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) {
            continue;
        }
        c9_net_addr_t a;
        from_sockaddr(ai->ai_addr, &a);
        a.port = port;
        bool dup = false;
        for (size_t i = 0; i < *count; i++) {
            dup |= memcmp(&out[i], &a, sizeof a) == 0;
        }
        if (!dup) {
            out[(*count)++] = a;
        }
    }
    freeaddrinfo(res);
    return *count ? C9_OK : C9_ERR_NET_NONAME;
}

static c9_err_t op_poll(void *ctx, c9_sock_t h, unsigned events, unsigned *revents) {
    c9_host_net_t *n = ctx;
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    struct pollfd p = {.fd = s->fd, .events = POLLRDHUP};
    if (events & C9_NET_POLL_IN) {
        p.events |= POLLIN;
    }
    if (events & C9_NET_POLL_OUT) {
        p.events |= POLLOUT;
    }
    c9_err_t err = C9_OK;
    *revents = 0;
    int r = poll(&p, 1, 0);
    if (r < 0) {
        err = map_errno(errno);
    } else if (r > 0) {
        if (p.revents & POLLIN) {
            *revents |= C9_NET_POLL_IN;
        }
        if (p.revents & POLLOUT) {
            *revents |= C9_NET_POLL_OUT;
        }
        if (p.revents & POLLERR) {
            *revents |= C9_NET_POLL_ERR;
        }
        /* A socket never connected reports POLLHUP on Linux: only a connection can hang up. */
        if ((p.revents & (POLLHUP | POLLRDHUP)) && (s->connected || s->connecting)) {
            *revents |= C9_NET_POLL_HUP;
        }
    }
    release(n, s);
    return err;
}

void c9_host_net_config_default(c9_host_net_config_t *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->max_sockets = C9_HOST_NET_DEFAULT_SOCKETS;
    cfg->reuse_hold_ms = C9_HOST_NET_DEFAULT_REUSE_HOLD_MS;
    cfg->interrupt_poll_ms = 50;
}

c9_err_t c9_host_net_new(const c9_host_net_config_t *cfg, c9_host_net_t **out) {
    if (!cfg || !out || cfg->max_sockets == 0 || cfg->max_sockets > 4096 ||
        (cfg->interrupted && (cfg->interrupt_poll_ms == 0 || cfg->interrupt_poll_ms > 1000))) {
        return C9_ERR_INVAL;
    }
    c9_host_net_t *n = calloc(1, sizeof *n);
    if (!n) {
        return C9_ERR_NOMEM;
    }
    n->socks = calloc(cfg->max_sockets, sizeof *n->socks);
    if (!n->socks) {
        free(n);
        return C9_ERR_NOMEM;
    }
    for (unsigned i = 0; i < cfg->max_sockets; i++) {
        n->socks[i].fd = -1;
    }
    n->cfg = *cfg;
    pthread_mutex_init(&n->lock, NULL);
    n->ops = (c9_net_socket_ops_t){
        .open = op_open,
        .close = op_close,
        .settimeout = op_settimeout,
        .setsockopt = op_setsockopt,
        .bind = op_bind,
        .listen = op_listen,
        .accept = op_accept,
        .connect = op_connect,
        .send = op_send,
        .recv = op_recv,
        .sendto = op_sendto,
        .recvfrom = op_recvfrom,
        .getaddrinfo = op_getaddrinfo,
        .poll = op_poll,
        .now_ms = now_ms,
        .ctx = n,
    };
    *out = n;
    return C9_OK;
}

void c9_host_net_close_all(c9_host_net_t *n) {
    for (unsigned i = 0; i < n->cfg.max_sockets; i++) {
        hsock_t *s = &n->socks[i];
        pthread_mutex_lock(&n->lock);
        bool open = s->used && !s->closing;
        c9_sock_t h = handle_of(n, s);
        pthread_mutex_unlock(&n->lock);
        if (open) {
            (void)op_close(n, h);
        }
    }
}

c9_err_t c9_host_net_local_addr(c9_host_net_t *n, c9_sock_t h, c9_net_addr_t *out) {
    hsock_t *s = acquire(n, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    c9_err_t err = C9_OK;
    if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) {
        err = map_errno(errno);
    } else {
        from_sockaddr((struct sockaddr *)&ss, out);
    }
    release(n, s);
    return err;
}

void c9_host_net_clear_holds(c9_host_net_t *n) {
    pthread_mutex_lock(&n->lock);
    n->nholds = 0;
    pthread_mutex_unlock(&n->lock);
}

void c9_host_net_free(c9_host_net_t *n) {
    if (!n) {
        return;
    }
    c9_host_net_close_all(n);
    pthread_mutex_destroy(&n->lock);
    free(n->holds);
    free(n->socks);
    free(n);
}

const c9_net_socket_ops_t *c9_host_net_ops(c9_host_net_t *n) {
    return &n->ops;
}

unsigned c9_host_net_open_count(c9_host_net_t *n) {
    pthread_mutex_lock(&n->lock);
    unsigned k = n->open;
    pthread_mutex_unlock(&n->lock);
    return k;
}
