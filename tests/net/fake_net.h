/*
 * A scripted, in-memory socket table (net.h) for unit tests and fuzz targets: each socket that
 * is opened takes the next script from a queue (bytes the "peer" sends, in pieces of a given
 * size, then end of stream or silence), records what the client sends, and can be told to look
 * peer-closed to poll(). Time is a counter that waits advance. No OS calls, no threads.
 */
#ifndef C9_TESTS_NET_FAKE_NET_H
#define C9_TESTS_NET_FAKE_NET_H

#include <string.h>

#include "circuit9/net.h"

#define FAKE_SOCKS 16
#define FAKE_SCRIPTS 16
#define FAKE_OUT 16384

typedef struct fake_script {
    const uint8_t *in; /* what the peer sends */
    size_t in_len;
    size_t piece;         /* at most this many bytes per recv (0: all there is) */
    bool eof;             /* after the input: end of stream (else silence: timeouts) */
    c9_err_t connect_err; /* connect() fails with this */
    c9_err_t recv_err;    /* after the input: recv fails with this (overrides eof) */
    c9_err_t send_err;    /* every send fails with this */
    size_t send_piece;    /* a send takes at most this many bytes (0: all) */
    uint32_t recv_delay;  /* each recv that returns bytes takes this long (ms) */
    /* Causality, when set: only gates[k] input bytes are readable until the client has made
     * k + 2 sends (a reply is not there before its request). */
    size_t gates[4];
    size_t ngates;
} fake_script_t;

typedef struct fake_sock {
    bool used;
    uint16_t gen;
    fake_script_t s;
    size_t in_pos;
    uint8_t out[FAKE_OUT];
    size_t out_len;
    unsigned sends;
    bool connected;
    bool peer_closed; /* poll() says IN | HUP */
    int32_t timeout;
    c9_net_addr_t addr;
} fake_sock_t;

typedef struct fake_net {
    c9_net_socket_ops_t ops;
    fake_sock_t socks[FAKE_SOCKS];
    unsigned limit; /* the "board's" socket limit (<= FAKE_SOCKS) */
    unsigned open;
    fake_script_t scripts[FAKE_SCRIPTS];
    size_t nscripts, next_script;
    uint64_t clock;
    unsigned opens, closes, connects;
    /* getaddrinfo: these addresses (ports replaced), or NONAME when naddrs is 0 */
    c9_net_addr_t addrs[4];
    size_t naddrs;
    c9_err_t open_err;             /* open() fails with this while set */
    fake_sock_t *last;             /* the socket opened last */
    void (*on_connect)(void *arg); /* called from connect(), for re-entrancy tests */
    void *on_connect_arg;
} fake_net_t;

static inline fake_sock_t *fake_get(fake_net_t *f, c9_sock_t h) {
    if (h < 0) {
        return NULL;
    }
    unsigned i = (unsigned)h & 0xff;
    unsigned g = ((unsigned)h >> 8) & 0x7fff;
    if (i >= FAKE_SOCKS || !f->socks[i].used || f->socks[i].gen != g) {
        return NULL;
    }
    return &f->socks[i];
}

static inline c9_err_t fake_open(void *ctx, int family, int type, int proto, c9_sock_t *out) {
    fake_net_t *f = ctx;
    (void)family, (void)type, (void)proto;
    if (f->open_err) {
        return f->open_err;
    }
    if (f->open >= f->limit) {
        return C9_ERR_NET_OUT_OF_SOCKETS;
    }
    for (unsigned i = 0; i < FAKE_SOCKS; i++) {
        fake_sock_t *s = &f->socks[i];
        if (!s->used) {
            uint16_t gen = (uint16_t)((s->gen + 1) & 0x7fff);
            memset(s, 0, sizeof *s);
            s->gen = gen;
            s->used = true;
            s->timeout = -1;
            if (f->next_script < f->nscripts) {
                s->s = f->scripts[f->next_script++];
            } else {
                s->s.eof = true;
            }
            f->open++;
            f->opens++;
            f->last = s;
            *out = (c9_sock_t)(gen << 8 | i);
            return C9_OK;
        }
    }
    return C9_ERR_NET_OUT_OF_SOCKETS;
}

static inline c9_err_t fake_close(void *ctx, c9_sock_t h) {
    fake_net_t *f = ctx;
    fake_sock_t *s = fake_get(f, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    s->used = false;
    f->open--;
    f->closes++;
    return C9_OK;
}

static inline c9_err_t fake_settimeout(void *ctx, c9_sock_t h, int32_t t) {
    fake_sock_t *s = fake_get(ctx, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    s->timeout = t;
    return C9_OK;
}

static inline c9_err_t fake_setsockopt(void *ctx, c9_sock_t h, int l, int o, const void *v, size_t n) {
    (void)l, (void)o, (void)v, (void)n;
    return fake_get(ctx, h) ? C9_OK : C9_ERR_BADF;
}

static inline c9_err_t fake_nosys_bind(void *ctx, c9_sock_t h, const c9_net_addr_t *a) {
    (void)ctx, (void)h, (void)a;
    return C9_ERR_NOSYS;
}

static inline c9_err_t fake_nosys_listen(void *ctx, c9_sock_t h, int b) {
    (void)ctx, (void)h, (void)b;
    return C9_ERR_NOSYS;
}

static inline c9_err_t fake_nosys_accept(void *ctx, c9_sock_t h, c9_sock_t *o, c9_net_addr_t *p) {
    (void)ctx, (void)h, (void)o, (void)p;
    return C9_ERR_NOSYS;
}

static inline c9_err_t fake_connect(void *ctx, c9_sock_t h, const c9_net_addr_t *a) {
    fake_net_t *f = ctx;
    fake_sock_t *s = fake_get(f, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    f->connects++;
    s->addr = *a;
    if (f->on_connect) {
        f->on_connect(f->on_connect_arg);
    }
    if (s->s.connect_err) {
        return s->s.connect_err;
    }
    s->connected = true;
    return C9_OK;
}

static inline c9_err_t fake_send(void *ctx, c9_sock_t h, const void *buf, size_t len, size_t *sent) {
    fake_sock_t *s = fake_get(ctx, h);
    *sent = 0;
    if (!s) {
        return C9_ERR_BADF;
    }
    if (s->s.send_err) {
        return s->s.send_err;
    }
    s->sends++;
    if (s->s.send_piece && len > s->s.send_piece) {
        len = s->s.send_piece;
    }
    size_t n = C9_MIN(len, FAKE_OUT - s->out_len);
    memcpy(s->out + s->out_len, buf, n);
    s->out_len += n;
    *sent = len; /* bytes beyond FAKE_OUT are accepted and dropped */
    return C9_OK;
}

/* Input bytes the peer has "sent" so far. */
static inline size_t fake_visible(const fake_sock_t *s) {
    if (!s->s.ngates || s->sends == 0) {
        return s->s.ngates ? 0 : s->s.in_len;
    }
    size_t k = s->sends - 1;
    return k < s->s.ngates ? C9_MIN(s->s.gates[k], s->s.in_len) : s->s.in_len;
}

/* A wait with nothing to read: time passes as the timeout says. */
static inline c9_err_t fake_idle(fake_net_t *f, fake_sock_t *s) {
    if (s->timeout == 0) {
        return C9_ERR_AGAIN;
    }
    f->clock += s->timeout > 0 ? (uint64_t)s->timeout : 3600000u;
    return C9_ERR_TIMEDOUT;
}

static inline c9_err_t fake_recv(void *ctx, c9_sock_t h, void *buf, size_t len, size_t *got) {
    fake_net_t *f = ctx;
    fake_sock_t *s = fake_get(f, h);
    *got = 0;
    if (!s) {
        return C9_ERR_BADF;
    }
    if (len == 0) {
        return C9_OK;
    }
    size_t vis = fake_visible(s);
    size_t left = vis > s->in_pos ? vis - s->in_pos : 0;
    if (left == 0 && vis < s->s.in_len) {
        return fake_idle(f, s); /* the rest comes after the next request */
    }
    if (left == 0) {
        if (s->s.recv_err) {
            return s->s.recv_err;
        }
        return s->s.eof ? C9_OK : fake_idle(f, s);
    }
    size_t n = C9_MIN(len, left);
    if (s->s.piece && n > s->s.piece) {
        n = s->s.piece;
    }
    memcpy(buf, s->s.in + s->in_pos, n);
    s->in_pos += n;
    *got = n;
    f->clock += s->s.recv_delay;
    return C9_OK;
}

static inline c9_err_t fake_sendto(void *ctx, c9_sock_t h, const void *b, size_t l, const c9_net_addr_t *a, size_t *s) {
    (void)ctx, (void)h, (void)b, (void)l, (void)a, (void)s;
    return C9_ERR_NOSYS;
}

static inline c9_err_t fake_recvfrom(void *ctx, c9_sock_t h, void *b, size_t l, size_t *g, c9_net_addr_t *a) {
    (void)ctx, (void)h, (void)b, (void)l, (void)g, (void)a;
    return C9_ERR_NOSYS;
}

static inline c9_err_t fake_getaddrinfo(void *ctx, const char *host, uint16_t port, int family, int type,
                                        c9_net_addr_t *out, size_t max, size_t *count) {
    fake_net_t *f = ctx;
    (void)host, (void)family, (void)type;
    *count = 0;
    for (size_t i = 0; i < f->naddrs && i < max; i++) {
        out[i] = f->addrs[i];
        out[i].port = port;
        (*count)++;
    }
    return *count ? C9_OK : C9_ERR_NET_NONAME;
}

static inline c9_err_t fake_poll(void *ctx, c9_sock_t h, unsigned events, unsigned *rev) {
    fake_sock_t *s = fake_get(ctx, h);
    *rev = 0;
    if (!s) {
        return C9_ERR_BADF;
    }
    if ((events & C9_NET_POLL_IN) && s->in_pos < fake_visible(s)) {
        *rev |= C9_NET_POLL_IN;
    }
    if (s->peer_closed) {
        *rev |= C9_NET_POLL_IN | C9_NET_POLL_HUP;
    }
    if (events & C9_NET_POLL_OUT) {
        *rev |= C9_NET_POLL_OUT;
    }
    return C9_OK;
}

static inline uint64_t fake_now(void *ctx) {
    return ((fake_net_t *)ctx)->clock;
}

static inline void fake_init(fake_net_t *f, unsigned limit) {
    memset(f, 0, sizeof *f);
    f->limit = limit;
    f->clock = 1000;
    f->naddrs = 1;
    f->addrs[0].family = C9_NET_AF_INET;
    f->addrs[0].addr[0] = 127;
    f->addrs[0].addr[3] = 1;
    f->ops = (c9_net_socket_ops_t){fake_open,        fake_close,        fake_settimeout,   fake_setsockopt,
                                   fake_nosys_bind,  fake_nosys_listen, fake_nosys_accept, fake_connect,
                                   fake_send,        fake_recv,         fake_sendto,       fake_recvfrom,
                                   fake_getaddrinfo, fake_poll,         fake_now,          f};
}

/* Queues the script the next opened socket gets. */
static inline void fake_push(fake_net_t *f, const void *in, size_t len, size_t piece, bool eof) {
    if (f->nscripts < FAKE_SCRIPTS) {
        fake_script_t *s = &f->scripts[f->nscripts++];
        memset(s, 0, sizeof *s);
        s->in = in;
        s->in_len = len;
        s->piece = piece;
        s->eof = eof;
    }
}

static inline fake_script_t *fake_last_script(fake_net_t *f) {
    return &f->scripts[f->nscripts - 1];
}

#endif /* C9_TESTS_NET_FAKE_NET_H */
