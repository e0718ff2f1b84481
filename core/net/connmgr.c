/*
 * Connection manager: one socket per key (host, port, proto, session, TLS context), lent to one
 * user at a time, kept for reuse when freed. The rules follow adafruit_connection_manager 3.1
 * where it is right and urllib3/libcurl where it is not (docs/net.md lists the differences):
 * a kept socket is checked before reuse, the TLS context is part of the key, room is made by
 * closing the least recently used free socket, and only resource errors trigger that.
 */
#include "circuit9/net.h"

#include <string.h>

/* A slot reserved by a get() that is still connecting: not EMPTY (so nobody else takes it)
 * and not FREE (so eviction skips it). */
#define CONN_CONNECTING 3

c9_err_t c9_net_connmgr_init(c9_net_connmgr_t *m, const c9_net_connmgr_config_t *cfg, c9_net_conn_t *slots,
                             size_t nslots) {
    if (!m || !cfg || !cfg->sock || !slots || nslots == 0) {
        return C9_ERR_INVAL;
    }
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->slots = slots;
    m->nslots = nslots;
    memset(slots, 0, nslots * sizeof *slots);
    for (size_t i = 0; i < nslots; i++) {
        slots[i].sock = C9_NET_SOCK_NONE;
        slots[i].tls_ctx = C9_TLS_CTX_NONE;
    }
    return C9_OK;
}

static size_t bounded_len(const char *s, size_t max) {
    size_t n = 0;
    while (n <= max && s[n]) {
        n++;
    }
    return n;
}

static bool key_tls(const c9_net_key_t *k) {
    return k->tls || strcmp(k->proto, "https:") == 0;
}

static const char *session_of(const c9_net_key_t *k) {
    return k->session_id ? k->session_id : "";
}

static bool key_matches(const c9_net_conn_t *c, const c9_net_key_t *k, bool tls) {
    return c->port == k->port && c->tls == tls && (!tls || c->tls_ctx == k->tls_ctx) && strcmp(c->host, k->host) == 0 &&
           strcmp(c->proto, k->proto) == 0 && strcmp(c->session, session_of(k)) == 0;
}

static void forget(c9_net_conn_t *c) {
    c->state = C9_NET_CONN_EMPTY;
    c->sock = C9_NET_SOCK_NONE;
    c->ops = NULL;
}

static void close_slot(c9_net_conn_t *c) {
    if (c->ops && c->sock != C9_NET_SOCK_NONE) {
        (void)c->ops->close(c->ops->ctx, c->sock);
    }
    forget(c);
}

/* The free socket that was freed longest ago. */
static c9_net_conn_t *least_recently_used(c9_net_connmgr_t *m) {
    c9_net_conn_t *best = NULL;
    for (size_t i = 0; i < m->nslots; i++) {
        c9_net_conn_t *c = &m->slots[i];
        if (c->state == C9_NET_CONN_FREE && (!best || (int32_t)(c->free_order - best->free_order) < 0)) {
            best = c;
        }
    }
    return best;
}

static bool evict_one(c9_net_connmgr_t *m) {
    c9_net_conn_t *c = least_recently_used(m);
    if (!c) {
        return false;
    }
    close_slot(c);
    m->stats.evicted++;
    return true;
}

/* Errors that another socket's resources could cure: the port's socket limit or memory. */
static bool resource_error(c9_err_t err) {
    return err == C9_ERR_NET_OUT_OF_SOCKETS || err == C9_ERR_NOMEM || err == C9_ERR_NOBUFS;
}

/* Errors after which the next resolved address may still work. */
static bool address_error(c9_err_t err) {
    return err == C9_ERR_CONNREFUSED || err == C9_ERR_HOSTUNREACH || err == C9_ERR_NETUNREACH ||
           err == C9_ERR_AFNOSUPPORT || err == C9_ERR_ADDRNOTAVAIL;
}

/* Whether a kept socket may serve another request. The peer may have closed it while it sat
 * idle (keep-alive timeout, server restart): the end of stream or reset shows as readable or
 * HUP. An idle socket with unread bytes is out of step with its protocol, so it goes too. */
static bool healthy(c9_net_connmgr_t *m, c9_net_conn_t *c) {
    const c9_net_socket_ops_t *s = m->cfg.sock;
    if (m->cfg.max_idle_ms && s->now_ms) {
        uint64_t now = s->now_ms(s->ctx);
        if (now - c->last_used_ms > m->cfg.max_idle_ms) {
            m->stats.expired++;
            return false;
        }
    }
    unsigned rev = 0;
    c9_err_t err = c->ops->poll(c->ops->ctx, c->sock, C9_NET_POLL_IN, &rev);
    if (err != C9_OK || (rev & (C9_NET_POLL_IN | C9_NET_POLL_HUP | C9_NET_POLL_ERR))) {
        m->stats.stale++;
        return false;
    }
    return true;
}

/* One connection attempt to addr: open (+ wrap) + timeout + connect, making room among the free
 * sockets when the port is out of resources. Nothing stays open on failure. */
static c9_err_t connect_one(c9_net_connmgr_t *m, const c9_net_key_t *k, bool tls, const c9_net_addr_t *addr,
                            int32_t timeout_ms, const c9_net_socket_ops_t **out_ops, c9_sock_t *out) {
    const c9_net_socket_ops_t *raw_ops = m->cfg.sock;
    for (;;) {
        c9_sock_t raw = C9_NET_SOCK_NONE;
        c9_err_t err = raw_ops->open(raw_ops->ctx, addr->family, C9_NET_SOCK_STREAM, 0, &raw);
        if (err != C9_OK) {
            if (resource_error(err) && evict_one(m)) {
                continue;
            }
            return err;
        }
        const c9_net_socket_ops_t *ops = raw_ops;
        c9_sock_t s = raw;
        if (tls) {
            const c9_net_tls_ops_t *t = m->cfg.tls;
            err = t->wrap(t->ctx, k->tls_ctx, raw, false, k->host, &s);
            if (err != C9_OK) { /* wrap closed raw */
                if (resource_error(err) && evict_one(m)) {
                    continue;
                }
                return err;
            }
            ops = t->sock;
        }
        err = ops->settimeout(ops->ctx, s, timeout_ms);
        if (err == C9_OK && !m->cfg.keep_nagle) {
            int32_t one = 1;
            (void)ops->setsockopt(ops->ctx, s, C9_NET_IPPROTO_TCP, C9_NET_TCP_NODELAY, &one, sizeof one);
        }
        if (err == C9_OK) {
            err = ops->connect(ops->ctx, s, addr);
        }
        if (err == C9_OK) {
            *out_ops = ops;
            *out = s;
            return C9_OK;
        }
        (void)ops->close(ops->ctx, s);
        m->stats.connect_failed++;
        if (resource_error(err) && evict_one(m)) {
            continue;
        }
        return err;
    }
}

static c9_err_t open_new(c9_net_connmgr_t *m, const c9_net_key_t *k, bool tls, int32_t timeout_ms,
                         const c9_net_socket_ops_t **ops, c9_sock_t *s) {
    const c9_net_socket_ops_t *raw = m->cfg.sock;
    c9_net_addr_t addrs[C9_NET_MAX_ADDRS];
    size_t n = 0;
    c9_err_t err = raw->getaddrinfo(raw->ctx, k->host, k->port, 0, C9_NET_SOCK_STREAM, addrs, C9_NET_MAX_ADDRS, &n);
    if (err != C9_OK) {
        return err;
    }
    if (n == 0) {
        return C9_ERR_NET_NONAME;
    }
    for (size_t i = 0; i < n && i < C9_NET_MAX_ADDRS; i++) {
        err = connect_one(m, k, tls, &addrs[i], timeout_ms, ops, s);
        if (err == C9_OK || !address_error(err)) {
            break;
        }
    }
    return err;
}

c9_err_t c9_net_connmgr_get(c9_net_connmgr_t *m, const c9_net_key_t *k, int32_t timeout_ms, c9_net_conn_t **out) {
    if (!m || !k || !out || !k->host || !k->proto || k->port == 0) {
        return C9_ERR_INVAL;
    }
    size_t host_len = bounded_len(k->host, C9_NET_HOST_MAX);
    if (host_len == 0 || host_len > C9_NET_HOST_MAX || bounded_len(k->proto, C9_NET_PROTO_MAX) > C9_NET_PROTO_MAX ||
        bounded_len(session_of(k), C9_NET_SESSION_MAX) > C9_NET_SESSION_MAX) {
        return C9_ERR_INVAL;
    }
    if (m->busy) {
        return C9_ERR_BUSY;
    }
    *out = NULL;
    bool tls = key_tls(k);

    for (size_t i = 0; i < m->nslots; i++) {
        c9_net_conn_t *c = &m->slots[i];
        if ((c->state != C9_NET_CONN_IN_USE && c->state != C9_NET_CONN_FREE) || !key_matches(c, k, tls)) {
            continue;
        }
        if (c->state == C9_NET_CONN_IN_USE) {
            return C9_ERR_NET_IN_USE;
        }
        m->busy = true;
        bool ok = healthy(m, c) && c->ops->settimeout(c->ops->ctx, c->sock, timeout_ms) == C9_OK;
        m->busy = false;
        if (ok) {
            c->state = C9_NET_CONN_IN_USE;
            c->reused = true;
            c->uses++;
            m->stats.reused++;
            *out = c;
            return C9_OK;
        }
        close_slot(c);
        break;
    }

    if (tls && k->tls_ctx == C9_TLS_CTX_NONE) {
        return C9_ERR_NET_NO_TLS_CONTEXT;
    }
    if (tls && !m->cfg.tls) {
        return C9_ERR_NOSYS;
    }

    c9_net_conn_t *slot = NULL;
    for (size_t i = 0; i < m->nslots && !slot; i++) {
        if (m->slots[i].state == C9_NET_CONN_EMPTY) {
            slot = &m->slots[i];
        }
    }
    if (!slot) {
        slot = least_recently_used(m);
        if (!slot) {
            return C9_ERR_NET_OUT_OF_SOCKETS;
        }
        close_slot(slot);
        m->stats.evicted++;
    }
    slot->state = CONN_CONNECTING;

    m->busy = true;
    const c9_net_socket_ops_t *ops = NULL;
    c9_sock_t s = C9_NET_SOCK_NONE;
    c9_err_t err = open_new(m, k, tls, timeout_ms, &ops, &s);
    m->busy = false;
    if (err != C9_OK) {
        forget(slot);
        return err;
    }
    slot->ops = ops;
    slot->sock = s;
    slot->state = C9_NET_CONN_IN_USE;
    slot->reused = false;
    slot->uses = 1;
    slot->tls = tls;
    slot->tls_ctx = tls ? k->tls_ctx : C9_TLS_CTX_NONE;
    slot->port = k->port;
    slot->last_used_ms = 0;
    memcpy(slot->host, k->host, host_len + 1);
    strcpy(slot->proto, k->proto);
    strcpy(slot->session, session_of(k));
    m->stats.opened++;
    *out = slot;
    return C9_OK;
}

static bool managed(const c9_net_connmgr_t *m, const c9_net_conn_t *c) {
    if (!m || !c || c < m->slots || c >= m->slots + m->nslots) {
        return false;
    }
    /* A pointer into the middle of a slot is not a slot. */
    return (size_t)((const char *)c - (const char *)m->slots) % sizeof *c == 0;
}

c9_err_t c9_net_connmgr_free(c9_net_connmgr_t *m, c9_net_conn_t *c) {
    if (!managed(m, c) || c->state != C9_NET_CONN_IN_USE) {
        return C9_ERR_NET_NOT_MANAGED;
    }
    const c9_net_socket_ops_t *s = m->cfg.sock;
    c->last_used_ms = s->now_ms ? s->now_ms(s->ctx) : 0;
    c->free_order = ++m->free_count;
    c->state = C9_NET_CONN_FREE;
    return C9_OK;
}

c9_err_t c9_net_connmgr_close(c9_net_connmgr_t *m, c9_net_conn_t *c) {
    if (!managed(m, c) || (c->state != C9_NET_CONN_IN_USE && c->state != C9_NET_CONN_FREE)) {
        return C9_ERR_NET_NOT_MANAGED;
    }
    close_slot(c);
    return C9_OK;
}

void c9_net_connmgr_close_all(c9_net_connmgr_t *m, bool force) {
    for (size_t i = 0; i < m->nslots; i++) {
        c9_net_conn_t *c = &m->slots[i];
        if (c->state == C9_NET_CONN_FREE || (force && c->state == C9_NET_CONN_IN_USE)) {
            close_slot(c);
        }
    }
}

size_t c9_net_connmgr_available(const c9_net_connmgr_t *m) {
    size_t n = 0;
    for (size_t i = 0; i < m->nslots; i++) {
        n += m->slots[i].state == C9_NET_CONN_FREE;
    }
    return n;
}

size_t c9_net_connmgr_managed(const c9_net_connmgr_t *m) {
    size_t n = 0;
    for (size_t i = 0; i < m->nslots; i++) {
        n += m->slots[i].state == C9_NET_CONN_FREE || m->slots[i].state == C9_NET_CONN_IN_USE;
    }
    return n;
}
