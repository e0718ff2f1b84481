/*
 * The TLS table (net.h) on mbedTLS 2.28, over any socket table. TLS 1.2 only: mbedTLS 2.28 has
 * no TLS 1.3 (Debian builds it without the experimental code), so a server that offers only
 * TLS 1.3 fails the handshake, as it does on a board.
 *
 * Contexts hold their CA chain and own certificate in reference-counted, never-modified
 * objects: loading new CAs makes a new chain, and a socket keeps the chain it was wrapped with.
 * So a context can change, or be released, while its sockets are open.
 */
#include "circuit9/host_net.h"

#if C9_HAVE_MBEDTLS

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

typedef struct trust {
    int refs;
    mbedtls_x509_crt chain;
    size_t count;
} trust_t;

typedef struct own {
    int refs;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
} own_t;

typedef struct tctx {
    bool used;
    bool released; /* the owner's reference is gone; sockets may still hold it */
    uint16_t gen;
    int refs;
    trust_t *trust;
    own_t *own;
    bool verify;
    bool check_hostname;
} tctx_t;

enum { T_NEW, T_HANDSHAKE, T_OPEN, T_FAILED };

typedef struct tsock {
    struct c9_host_tls *owner; /* for the BIO callbacks */
    bool used;
    bool closing;
    int busy;
    uint16_t gen;
    c9_sock_t raw;
    int ctx_idx;
    trust_t *trust;
    own_t *own;
    bool check_hostname;
    bool server;
    int state;
    c9_err_t failure; /* what a failed handshake returned, for later calls */
    c9_err_t bio_err; /* the socket table's error behind MBEDTLS_ERR_NET_*_FAILED */
    int32_t timeout_ms;
    int lib_err;
    uint32_t vflags;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
} tsock_t;

struct c9_host_tls {
    c9_net_tls_ops_t ops;
    c9_net_socket_ops_t sock_ops;
    const c9_net_socket_ops_t *raw;
    char *bundle;
    pthread_mutex_t lock;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    tctx_t *ctxs;
    size_t nctxs;
    tsock_t **socks;
    size_t nsocks;
};

bool c9_host_tls_available(void) {
    return true;
}

/* ---- shared objects ---- */

static void trust_put(trust_t *t) {
    if (t && --t->refs == 0) {
        mbedtls_x509_crt_free(&t->chain);
        free(t);
    }
}

static void own_put(own_t *o) {
    if (o && --o->refs == 0) {
        mbedtls_x509_crt_free(&o->cert);
        mbedtls_pk_free(&o->key);
        free(o);
    }
}

static void ctx_put(c9_host_tls_t *t, int idx) {
    tctx_t *c = &t->ctxs[idx];
    if (--c->refs == 0) {
        trust_put(c->trust);
        own_put(c->own);
        c->trust = NULL;
        c->own = NULL;
        c->used = false;
        c->gen++;
    }
}

/* The context behind a live handle (with the lock held), or NULL. */
static tctx_t *ctx_lookup(c9_host_tls_t *t, c9_tls_ctx_t h, int *idx) {
    if (h < 0) {
        return NULL;
    }
    size_t i = (size_t)h & 0xffff;
    uint16_t gen = (uint16_t)(((uint32_t)h >> 16) & 0x7fff);
    if (i >= t->nctxs || !t->ctxs[i].used || t->ctxs[i].released || (t->ctxs[i].gen & 0x7fff) != gen) {
        return NULL;
    }
    if (idx) {
        *idx = (int)i;
    }
    return &t->ctxs[i];
}

/* mbedTLS wants PEM NUL-terminated with the NUL counted; DER as it is. */
static int parse_crts(mbedtls_x509_crt *chain, const void *data, size_t len) {
    const char *s = data;
    bool pem = false;
    for (size_t i = 0; i + 10 <= len && !pem; i++) {
        pem = memcmp(s + i, "-----BEGIN", 10) == 0;
    }
    if (!pem) {
        return mbedtls_x509_crt_parse_der(chain, data, len);
    }
    unsigned char *z = malloc(len + 1);
    if (!z) {
        return MBEDTLS_ERR_X509_ALLOC_FAILED;
    }
    memcpy(z, data, len);
    z[len] = 0;
    int r = mbedtls_x509_crt_parse(chain, z, len + 1);
    free(z);
    return r;
}

static size_t chain_count(const mbedtls_x509_crt *c) {
    size_t n = 0;
    for (; c && c->raw.len; c = c->next) {
        n++;
    }
    return n;
}

/* A new chain: the old one's certificates (re-read from their DER) plus data's. With
 * tolerant, certificates that do not parse are skipped (a system bundle may hold some that
 * mbedTLS 2.28 cannot read) as long as one does. */
static c9_err_t trust_make(const trust_t *old, const void *data, size_t len, bool tolerant, trust_t **out) {
    trust_t *t = calloc(1, sizeof *t);
    if (!t) {
        return C9_ERR_NOMEM;
    }
    t->refs = 1;
    mbedtls_x509_crt_init(&t->chain);
    for (const mbedtls_x509_crt *c = old ? &old->chain : NULL; c && c->raw.len; c = c->next) {
        if (mbedtls_x509_crt_parse_der(&t->chain, c->raw.p, c->raw.len) != 0) {
            trust_put(t);
            return C9_ERR_NOMEM;
        }
    }
    size_t before = chain_count(&t->chain);
    int r = parse_crts(&t->chain, data, len);
    size_t added = chain_count(&t->chain) - before;
    if (r == MBEDTLS_ERR_X509_ALLOC_FAILED) {
        trust_put(t);
        return C9_ERR_NOMEM;
    }
    if (added == 0 || (r != 0 && !tolerant)) {
        trust_put(t);
        return C9_ERR_TLS_BAD_CERT;
    }
    t->count = chain_count(&t->chain);
    *out = t;
    return C9_OK;
}

static c9_err_t read_file(const char *path, unsigned char **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return C9_ERR_NOENT;
    }
    size_t cap = 65536, n = 0;
    unsigned char *buf = malloc(cap);
    c9_err_t err = buf ? C9_OK : C9_ERR_NOMEM;
    while (err == C9_OK) {
        if (n == cap) {
            unsigned char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                err = C9_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            err = ferror(f) ? C9_ERR_IO : C9_OK;
            break;
        }
    }
    fclose(f);
    if (err != C9_OK) {
        free(buf);
        return err;
    }
    *data = buf;
    *len = n;
    return C9_OK;
}

/* ---- contexts ---- */

static c9_err_t ctx_new(void *vt, c9_tls_ctx_t *out) {
    c9_host_tls_t *t = vt;
    pthread_mutex_lock(&t->lock);
    size_t i = 0;
    while (i < t->nctxs && t->ctxs[i].used) {
        i++;
    }
    if (i == t->nctxs) {
        size_t n = t->nctxs ? t->nctxs * 2 : 8;
        tctx_t *nc = n <= 0x10000 ? realloc(t->ctxs, n * sizeof *nc) : NULL;
        if (!nc) {
            pthread_mutex_unlock(&t->lock);
            return C9_ERR_NOMEM;
        }
        memset(nc + t->nctxs, 0, (n - t->nctxs) * sizeof *nc);
        t->ctxs = nc;
        t->nctxs = n;
    }
    tctx_t *c = &t->ctxs[i];
    uint16_t gen = c->gen;
    memset(c, 0, sizeof *c);
    c->gen = gen;
    c->used = true;
    c->refs = 1;
    c->verify = true;
    c->check_hostname = true;
    *out = (c9_tls_ctx_t)(((int32_t)(gen & 0x7fff) << 16) | (int32_t)i);
    pthread_mutex_unlock(&t->lock);
    return C9_OK;
}

static c9_err_t load_verify(c9_host_tls_t *t, c9_tls_ctx_t h, const void *data, size_t len, bool tolerant) {
    pthread_mutex_lock(&t->lock);
    tctx_t *c = ctx_lookup(t, h, NULL);
    c9_err_t err = C9_ERR_BADF;
    if (c) {
        if (!data && len == 0) {
            trust_put(c->trust);
            c->trust = NULL;
            err = C9_OK;
        } else if (!data) {
            err = C9_ERR_INVAL;
        } else {
            trust_t *nt;
            err = trust_make(c->trust, data, len, tolerant, &nt);
            if (err == C9_OK) {
                trust_put(c->trust);
                c->trust = nt;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
    return err;
}

static c9_err_t ctx_load_verify(void *vt, c9_tls_ctx_t h, const void *data, size_t len) {
    return load_verify(vt, h, data, len, false);
}

static c9_err_t ctx_load_verify_file(void *vt, c9_tls_ctx_t h, const char *path) {
    unsigned char *data;
    size_t len;
    if (!path) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = read_file(path, &data, &len);
    if (err != C9_OK) {
        return err;
    }
    err = len ? load_verify(vt, h, data, len, false) : C9_ERR_TLS_BAD_CERT;
    free(data);
    return err;
}

static c9_err_t ctx_load_default(void *vt, c9_tls_ctx_t h) {
    c9_host_tls_t *t = vt;
    unsigned char *data;
    size_t len;
    c9_err_t err = read_file(t->bundle, &data, &len);
    if (err != C9_OK) {
        return err;
    }
    err = len ? load_verify(t, h, data, len, true) : C9_ERR_TLS_BAD_CERT;
    free(data);
    return err;
}

static c9_err_t ctx_load_cert_chain(void *vt, c9_tls_ctx_t h, const void *cert, size_t cert_len, const void *key,
                                    size_t key_len) {
    c9_host_tls_t *t = vt;
    if (!cert || !cert_len || !key || !key_len) {
        return C9_ERR_INVAL;
    }
    own_t *o = calloc(1, sizeof *o);
    if (!o) {
        return C9_ERR_NOMEM;
    }
    o->refs = 1;
    mbedtls_x509_crt_init(&o->cert);
    mbedtls_pk_init(&o->key);
    c9_err_t err = C9_OK;
    int r = parse_crts(&o->cert, cert, cert_len);
    if (r != 0 || chain_count(&o->cert) == 0) {
        err = r == MBEDTLS_ERR_X509_ALLOC_FAILED ? C9_ERR_NOMEM : C9_ERR_TLS_BAD_CERT;
    } else {
        unsigned char *z = malloc(key_len + 1);
        if (!z) {
            err = C9_ERR_NOMEM;
        } else {
            memcpy(z, key, key_len);
            z[key_len] = 0;
            /* PEM needs the NUL counted, DER must not have it. */
            bool pem = memchr(z, '-', key_len) != NULL;
            r = mbedtls_pk_parse_key(&o->key, z, pem ? key_len + 1 : key_len, NULL, 0);
            free(z);
            if (r != 0 || mbedtls_pk_check_pair(&o->cert.pk, &o->key) != 0) {
                err = C9_ERR_TLS_BAD_KEY;
            }
        }
    }
    if (err != C9_OK) {
        own_put(o);
        return err;
    }
    pthread_mutex_lock(&t->lock);
    tctx_t *c = ctx_lookup(t, h, NULL);
    if (c) {
        own_put(c->own);
        c->own = o;
    } else {
        own_put(o);
        err = C9_ERR_BADF;
    }
    pthread_mutex_unlock(&t->lock);
    return err;
}

static c9_err_t ctx_set_verify(void *vt, c9_tls_ctx_t h, bool verify_peer, bool check_hostname) {
    c9_host_tls_t *t = vt;
    pthread_mutex_lock(&t->lock);
    tctx_t *c = ctx_lookup(t, h, NULL);
    if (c) {
        c->verify = verify_peer;
        c->check_hostname = check_hostname;
    }
    pthread_mutex_unlock(&t->lock);
    return c ? C9_OK : C9_ERR_BADF;
}

static void ctx_release(void *vt, c9_tls_ctx_t h) {
    c9_host_tls_t *t = vt;
    pthread_mutex_lock(&t->lock);
    int idx;
    tctx_t *c = ctx_lookup(t, h, &idx);
    if (c) {
        c->released = true;
        ctx_put(t, idx);
    }
    pthread_mutex_unlock(&t->lock);
}

/* ---- sockets ---- */

static c9_sock_t sock_handle(c9_host_tls_t *t, size_t i) {
    return (c9_sock_t)(((int32_t)(t->socks[i]->gen & 0x7fff) << 16) | (int32_t)i);
}

static tsock_t *acquire(c9_host_tls_t *t, c9_sock_t h) {
    if (h < 0) {
        return NULL;
    }
    size_t i = (size_t)h & 0xffff;
    uint16_t gen = (uint16_t)(((uint32_t)h >> 16) & 0x7fff);
    tsock_t *s = NULL;
    pthread_mutex_lock(&t->lock);
    if (i < t->nsocks && t->socks[i] && t->socks[i]->used && !t->socks[i]->closing &&
        (t->socks[i]->gen & 0x7fff) == gen) {
        s = t->socks[i];
        s->busy++;
    }
    pthread_mutex_unlock(&t->lock);
    return s;
}

/* With the lock held and nobody using s any more. */
static void destroy(c9_host_tls_t *t, tsock_t *s) {
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    trust_put(s->trust);
    own_put(s->own);
    s->trust = NULL;
    s->own = NULL;
    ctx_put(t, s->ctx_idx);
    s->used = false;
    s->closing = false;
    s->gen++;
}

static void release(c9_host_tls_t *t, tsock_t *s) {
    pthread_mutex_lock(&t->lock);
    s->busy--;
    if (s->closing && s->busy == 0) {
        destroy(t, s);
    }
    pthread_mutex_unlock(&t->lock);
}

static int bio_send(void *vs, const unsigned char *buf, size_t len) {
    tsock_t *s = vs;
    c9_host_tls_t *t = s->owner;
    size_t sent = 0;
    c9_err_t err = t->raw->send(t->raw->ctx, s->raw, buf, len, &sent);
    if (err == C9_ERR_AGAIN || err == C9_ERR_TIMEDOUT || err == C9_ERR_INTR) {
        /* "Call again later": mbedTLS can resume from there, whatever the reason. */
        s->bio_err = err == C9_ERR_AGAIN ? C9_OK : err;
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    if (err != C9_OK) {
        s->bio_err = err;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)sent;
}

static int bio_recv(void *vs, unsigned char *buf, size_t len) {
    tsock_t *s = vs;
    c9_host_tls_t *t = s->owner;
    size_t got = 0;
    c9_err_t err = t->raw->recv(t->raw->ctx, s->raw, buf, len, &got);
    if (err == C9_ERR_AGAIN || err == C9_ERR_TIMEDOUT || err == C9_ERR_INTR) {
        s->bio_err = err == C9_ERR_AGAIN ? C9_OK : err;
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    if (err != C9_OK) {
        s->bio_err = err;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
    return (int)got;
}

static int verify_cb(void *vs, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
    (void)crt;
    tsock_t *s = vs;
    if (depth == 0 && !s->check_hostname) {
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    return 0;
}

static uint32_t our_flags(uint32_t f) {
    uint32_t v = 0;
    if (f & MBEDTLS_X509_BADCERT_EXPIRED) {
        v |= C9_TLS_VERIFY_EXPIRED;
    }
    if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        v |= C9_TLS_VERIFY_NOT_TRUSTED;
    }
    if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
        v |= C9_TLS_VERIFY_HOSTNAME;
    }
    if (f & MBEDTLS_X509_BADCERT_FUTURE) {
        v |= C9_TLS_VERIFY_FUTURE;
    }
    if (f & MBEDTLS_X509_BADCERT_REVOKED) {
        v |= C9_TLS_VERIFY_REVOKED;
    }
    if (f &
        ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_CN_MISMATCH |
                    MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_REVOKED)) {
        v |= C9_TLS_VERIFY_OTHER;
    }
    return v;
}

/* An mbedTLS result as a c9_err_t. during_handshake picks C9_ERR_TLS_HANDSHAKE over
 * C9_ERR_TLS_PROTOCOL for failures that are not about certificates. */
static c9_err_t map_tls(tsock_t *s, int r, bool during_handshake) {
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
        c9_err_t e = s->bio_err; /* a timeout or interrupt: the call can be made again */
        s->bio_err = C9_OK;
        return e ? e : C9_ERR_AGAIN;
    }
    if ((r == MBEDTLS_ERR_NET_SEND_FAILED || r == MBEDTLS_ERR_NET_RECV_FAILED) && s->bio_err) {
        c9_err_t e = s->bio_err;
        s->bio_err = C9_OK;
        return e; /* the socket's own failure: timeout, reset, interrupt */
    }
    s->lib_err = r;
    if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        s->vflags = our_flags(mbedtls_ssl_get_verify_result(&s->ssl));
        if (s->vflags & C9_TLS_VERIFY_NOT_TRUSTED) {
            return C9_ERR_TLS_CERT_UNTRUSTED;
        }
        if (s->vflags & C9_TLS_VERIFY_EXPIRED) {
            return C9_ERR_TLS_CERT_EXPIRED;
        }
        if (s->vflags & C9_TLS_VERIFY_HOSTNAME) {
            return C9_ERR_TLS_CERT_HOSTNAME;
        }
        return C9_ERR_TLS_CERT_VERIFY;
    }
    if (r == MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED) {
        s->vflags = C9_TLS_VERIFY_NOT_TRUSTED;
        return C9_ERR_TLS_CERT_UNTRUSTED;
    }
    if (r == MBEDTLS_ERR_SSL_ALLOC_FAILED) {
        return C9_ERR_NOMEM;
    }
    if (r == MBEDTLS_ERR_SSL_CONN_EOF && !during_handshake) {
        return C9_ERR_TLS_EOF;
    }
    return during_handshake ? C9_ERR_TLS_HANDSHAKE : C9_ERR_TLS_PROTOCOL;
}

/* Runs the handshake as far as the socket allows. */
static c9_err_t handshake(tsock_t *s) {
    if (s->state == T_FAILED) {
        return s->failure;
    }
    if (s->state == T_OPEN) {
        return C9_OK;
    }
    s->state = T_HANDSHAKE;
    int r = mbedtls_ssl_handshake(&s->ssl);
    if (r == 0) {
        s->state = T_OPEN;
        return C9_OK;
    }
    c9_err_t err = map_tls(s, r, true);
    if (err == C9_ERR_AGAIN) {
        return C9_ERR_INPROGRESS;
    }
    if (err != C9_ERR_INTR && err != C9_ERR_TIMEDOUT) {
        /* mbedTLS cannot resume a handshake that failed. */
        s->state = T_FAILED;
        s->failure = err;
    }
    return err;
}

/* Makes a TLS socket around raw; the caller's lock is not held. raw is closed on failure. */
static c9_err_t wrap_raw(c9_host_tls_t *t, int ctx_idx_or_neg, c9_tls_ctx_t h, c9_sock_t raw, bool server,
                         const char *hostname, int32_t timeout_ms, c9_sock_t *out) {
    const c9_net_socket_ops_t *r = t->raw;
    pthread_mutex_lock(&t->lock);
    int idx = ctx_idx_or_neg;
    tctx_t *c = idx >= 0 ? &t->ctxs[idx] : ctx_lookup(t, h, &idx);
    c9_err_t err = C9_OK;
    if (!c) {
        err = C9_ERR_BADF;
    } else if (server && !c->own) {
        err = C9_ERR_INVAL;
    } else if (!server && c->verify && c->check_hostname && (!hostname || !*hostname)) {
        err = C9_ERR_INVAL;
    }
    size_t i = 0;
    if (err == C9_OK) {
        while (i < t->nsocks && t->socks[i] && t->socks[i]->used) {
            i++;
        }
        if (i == t->nsocks) {
            size_t n = t->nsocks ? t->nsocks * 2 : 8;
            tsock_t **ns = n <= 0x10000 ? realloc(t->socks, n * sizeof *ns) : NULL;
            if (!ns) {
                err = C9_ERR_NOMEM;
            } else {
                memset(ns + t->nsocks, 0, (n - t->nsocks) * sizeof *ns);
                t->socks = ns;
                t->nsocks = n;
            }
        }
    }
    if (err == C9_OK && !t->socks[i]) {
        t->socks[i] = calloc(1, sizeof(tsock_t));
        if (!t->socks[i]) {
            err = C9_ERR_NOMEM;
        }
    }
    if (err != C9_OK) {
        pthread_mutex_unlock(&t->lock);
        (void)r->close(r->ctx, raw);
        return err;
    }
    tsock_t *s = t->socks[i];
    uint16_t gen = s->gen;
    memset(s, 0, sizeof *s);
    s->owner = t;
    s->gen = gen;
    s->used = true;
    s->busy = 1; /* set up outside the lock, invisible to acquire() until then */
    s->raw = raw;
    s->ctx_idx = idx;
    s->server = server;
    s->timeout_ms = timeout_ms;
    s->check_hostname = c->check_hostname;
    c->refs++;
    if (c->trust) {
        s->trust = c->trust;
        s->trust->refs++;
    }
    if (c->own) {
        s->own = c->own;
        s->own->refs++;
    }
    bool verify = c->verify && (!server || s->trust);
    mbedtls_ssl_init(&s->ssl);
    mbedtls_ssl_config_init(&s->conf);
    pthread_mutex_unlock(&t->lock);

    int rc = mbedtls_ssl_config_defaults(&s->conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc == 0) {
        mbedtls_ssl_conf_min_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &t->drbg);
        mbedtls_ssl_conf_authmode(&s->conf, verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
        mbedtls_ssl_conf_verify(&s->conf, verify_cb, s);
        if (s->trust) {
            mbedtls_ssl_conf_ca_chain(&s->conf, &s->trust->chain, NULL);
        }
        if (s->own) {
            rc = mbedtls_ssl_conf_own_cert(&s->conf, &s->own->cert, &s->own->key);
        }
    }
    if (rc == 0) {
        rc = mbedtls_ssl_setup(&s->ssl, &s->conf);
    }
    if (rc == 0 && !server && hostname && *hostname) {
        rc = mbedtls_ssl_set_hostname(&s->ssl, hostname);
    }
    if (rc != 0) {
        pthread_mutex_lock(&t->lock);
        s->busy = 0;
        destroy(t, s);
        pthread_mutex_unlock(&t->lock);
        (void)r->close(r->ctx, raw);
        return rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? C9_ERR_NOMEM : C9_ERR_INVAL;
    }
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
    *out = sock_handle(t, i);
    release(t, s);
    return C9_OK;
}

static c9_err_t tls_wrap(void *vt, c9_tls_ctx_t h, c9_sock_t raw, bool server_side, const char *server_hostname,
                         c9_sock_t *out) {
    c9_host_tls_t *t = vt;
    if (server_side && server_hostname) {
        (void)t->raw->close(t->raw->ctx, raw);
        return C9_ERR_INVAL; /* "Server side context cannot have hostname" */
    }
    return wrap_raw(t, -1, h, raw, server_side, server_hostname, C9_NET_TIMEOUT_BLOCKING, out);
}

static c9_err_t tls_error_info(void *vt, c9_sock_t h, c9_tls_error_info_t *info) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    memset(info, 0, sizeof *info);
    info->lib_code = s->lib_err;
    info->verify_flags = s->vflags;
    if (s->lib_err) {
        mbedtls_strerror(s->lib_err, info->message, sizeof info->message);
    }
    release(t, s);
    return C9_OK;
}

/* ---- the socket table of TLS sockets ---- */

static c9_err_t s_open(void *vt, int family, int type, int proto, c9_sock_t *out) {
    (void)vt, (void)family, (void)type, (void)proto, (void)out;
    return C9_ERR_NOSYS; /* TLS sockets come from wrap() */
}

static c9_err_t s_close(void *vt, c9_sock_t h) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    if (s->state == T_OPEN && s->busy == 1) {
        /* Best effort, never a wait: the peer learns the end of data was intended, unless its
         * receive window is full (a stalled peer must not hang close()). */
        (void)t->raw->settimeout(t->raw->ctx, s->raw, 0);
        (void)mbedtls_ssl_close_notify(&s->ssl);
    }
    c9_sock_t raw = s->raw;
    pthread_mutex_lock(&t->lock);
    s->closing = true;
    s->busy--;
    bool last = s->busy == 0;
    if (last) {
        destroy(t, s);
    }
    pthread_mutex_unlock(&t->lock);
    /* Closing raw also wakes a call still waiting on it, which then frees the TLS state. */
    (void)t->raw->close(t->raw->ctx, raw);
    return C9_OK;
}

static c9_err_t s_settimeout(void *vt, c9_sock_t h, int32_t timeout_ms) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    s->timeout_ms = timeout_ms;
    c9_err_t err = t->raw->settimeout(t->raw->ctx, s->raw, timeout_ms);
    release(t, s);
    return err;
}

static c9_err_t s_setsockopt(void *vt, c9_sock_t h, int level, int optname, const void *value, size_t len) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = t->raw->setsockopt(t->raw->ctx, s->raw, level, optname, value, len);
    release(t, s);
    return err;
}

static c9_err_t s_bind(void *vt, c9_sock_t h, const c9_net_addr_t *addr) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = t->raw->bind(t->raw->ctx, s->raw, addr);
    release(t, s);
    return err;
}

static c9_err_t s_listen(void *vt, c9_sock_t h, int backlog) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = s->server ? t->raw->listen(t->raw->ctx, s->raw, backlog) : C9_ERR_INVAL;
    release(t, s);
    return err;
}

static c9_err_t s_accept(void *vt, c9_sock_t h, c9_sock_t *out, c9_net_addr_t *peer) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_sock_t raw = C9_NET_SOCK_NONE;
    c9_err_t err = s->server ? t->raw->accept(t->raw->ctx, s->raw, &raw, peer) : C9_ERR_INVAL;
    if (err == C9_OK) {
        /* The handshake runs under the listener's timeout: a client that stalls must not
         * hang the server forever. */
        err = t->raw->settimeout(t->raw->ctx, raw, s->timeout_ms);
        if (err != C9_OK) {
            (void)t->raw->close(t->raw->ctx, raw);
        }
    }
    c9_sock_t ns = C9_NET_SOCK_NONE;
    if (err == C9_OK) {
        err = wrap_raw(t, s->ctx_idx, C9_TLS_CTX_NONE, raw, true, NULL, s->timeout_ms, &ns);
    }
    release(t, s);
    if (err == C9_OK) {
        tsock_t *n = acquire(t, ns);
        err = n ? handshake(n) : C9_ERR_BADF;
        if (n) {
            release(t, n);
        }
        if (err != C9_OK) {
            (void)s_close(t, ns);
        } else {
            *out = ns;
        }
    }
    return err;
}

static c9_err_t s_connect(void *vt, c9_sock_t h, const c9_net_addr_t *addr) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = C9_OK;
    if (s->state == T_NEW) {
        err = t->raw->connect(t->raw->ctx, s->raw, addr);
        if (err == C9_ERR_ISCONN) {
            err = C9_OK; /* wrapped after connecting */
        }
    }
    if (err == C9_OK) {
        err = handshake(s);
    }
    release(t, s);
    return err;
}

static c9_err_t s_send(void *vt, c9_sock_t h, const void *buf, size_t len, size_t *sent) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *sent = 0;
    c9_err_t err = handshake(s);
    if (err == C9_ERR_INPROGRESS) {
        err = C9_ERR_AGAIN;
    }
    if (err == C9_OK && len > 0) {
        int r = mbedtls_ssl_write(&s->ssl, buf, len);
        if (r >= 0) {
            *sent = (size_t)r;
        } else {
            err = map_tls(s, r, false);
        }
    }
    release(t, s);
    return err;
}

static c9_err_t s_recv(void *vt, c9_sock_t h, void *buf, size_t len, size_t *received) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    *received = 0;
    c9_err_t err = handshake(s);
    if (err == C9_ERR_INPROGRESS) {
        err = C9_ERR_AGAIN;
    }
    if (err == C9_OK && len > 0) {
        int r = mbedtls_ssl_read(&s->ssl, buf, len);
        if (r > 0) {
            *received = (size_t)r;
        } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            *received = 0; /* end of stream */
        } else {
            err = map_tls(s, r, false);
        }
    }
    release(t, s);
    return err;
}

static c9_err_t s_sendto(void *vt, c9_sock_t h, const void *buf, size_t len, const c9_net_addr_t *to, size_t *sent) {
    (void)vt, (void)h, (void)buf, (void)len, (void)to, (void)sent;
    return C9_ERR_NOSYS;
}

static c9_err_t s_recvfrom(void *vt, c9_sock_t h, void *buf, size_t len, size_t *received, c9_net_addr_t *from) {
    (void)vt, (void)h, (void)buf, (void)len, (void)received, (void)from;
    return C9_ERR_NOSYS;
}

static c9_err_t s_getaddrinfo(void *vt, const char *host, uint16_t port, int family, int type, c9_net_addr_t *out,
                              size_t max, size_t *count) {
    c9_host_tls_t *t = vt;
    return t->raw->getaddrinfo(t->raw->ctx, host, port, family, type, out, max, count);
}

static c9_err_t s_poll(void *vt, c9_sock_t h, unsigned events, unsigned *revents) {
    c9_host_tls_t *t = vt;
    tsock_t *s = acquire(t, h);
    if (!s) {
        return C9_ERR_BADF;
    }
    c9_err_t err = t->raw->poll(t->raw->ctx, s->raw, events, revents);
    if (err == C9_OK && (events & C9_NET_POLL_IN) &&
        (mbedtls_ssl_get_bytes_avail(&s->ssl) > 0 || mbedtls_ssl_check_pending(&s->ssl))) {
        *revents |= C9_NET_POLL_IN;
    }
    release(t, s);
    return err;
}

static uint64_t s_now_ms(void *vt) {
    c9_host_tls_t *t = vt;
    return t->raw->now_ms(t->raw->ctx);
}

c9_err_t c9_host_tls_new(const c9_net_socket_ops_t *raw, const char *ca_bundle_path, c9_host_tls_t **out) {
    if (!raw || !out) {
        return C9_ERR_INVAL;
    }
    c9_host_tls_t *t = calloc(1, sizeof *t);
    if (!t) {
        return C9_ERR_NOMEM;
    }
    t->bundle = strdup(ca_bundle_path ? ca_bundle_path : DEFAULT_BUNDLE);
    if (!t->bundle) {
        free(t);
        return C9_ERR_NOMEM;
    }
    t->raw = raw;
    pthread_mutex_init(&t->lock, NULL);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    static const unsigned char pers[] = "circuit9 host tls";
    if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers, sizeof pers - 1) != 0) {
        mbedtls_ctr_drbg_free(&t->drbg);
        mbedtls_entropy_free(&t->entropy);
        pthread_mutex_destroy(&t->lock);
        free(t->bundle);
        free(t);
        return C9_ERR_IO;
    }
    t->sock_ops = (c9_net_socket_ops_t){
        .open = s_open,
        .close = s_close,
        .settimeout = s_settimeout,
        .setsockopt = s_setsockopt,
        .bind = s_bind,
        .listen = s_listen,
        .accept = s_accept,
        .connect = s_connect,
        .send = s_send,
        .recv = s_recv,
        .sendto = s_sendto,
        .recvfrom = s_recvfrom,
        .getaddrinfo = s_getaddrinfo,
        .poll = s_poll,
        .now_ms = s_now_ms,
        .ctx = t,
    };
    t->ops = (c9_net_tls_ops_t){
        .context_new = ctx_new,
        .context_load_verify = ctx_load_verify,
        .context_load_verify_file = ctx_load_verify_file,
        .context_load_default = ctx_load_default,
        .context_load_cert_chain = ctx_load_cert_chain,
        .context_set_verify = ctx_set_verify,
        .context_release = ctx_release,
        .wrap = tls_wrap,
        .error_info = tls_error_info,
        .sock = &t->sock_ops,
        .ctx = t,
    };
    *out = t;
    return C9_OK;
}

void c9_host_tls_free(c9_host_tls_t *t) {
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->nsocks; i++) {
        if (t->socks[i] && t->socks[i]->used && !t->socks[i]->closing) {
            (void)s_close(t, sock_handle(t, i));
        }
    }
    for (size_t i = 0; i < t->nsocks; i++) {
        free(t->socks[i]);
    }
    for (size_t i = 0; i < t->nctxs; i++) {
        if (t->ctxs[i].used) {
            trust_put(t->ctxs[i].trust);
            own_put(t->ctxs[i].own);
        }
    }
    free(t->socks);
    free(t->ctxs);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
    pthread_mutex_destroy(&t->lock);
    free(t->bundle);
    free(t);
}

void c9_host_tls_close_sockets(c9_host_tls_t *t) {
    for (size_t i = 0;; i++) {
        pthread_mutex_lock(&t->lock);
        if (i >= t->nsocks) {
            pthread_mutex_unlock(&t->lock);
            break;
        }
        bool open = t->socks[i] && t->socks[i]->used && !t->socks[i]->closing;
        c9_sock_t h = open ? sock_handle(t, i) : C9_NET_SOCK_NONE;
        pthread_mutex_unlock(&t->lock);
        if (open) {
            (void)s_close(t, h);
        }
    }
}

const c9_net_tls_ops_t *c9_host_tls_ops(c9_host_tls_t *t) {
    return &t->ops;
}

#else /* !C9_HAVE_MBEDTLS */

bool c9_host_tls_available(void) {
    return false;
}

c9_err_t c9_host_tls_new(const c9_net_socket_ops_t *raw, const char *ca_bundle_path, c9_host_tls_t **out) {
    (void)raw, (void)ca_bundle_path;
    if (out) {
        *out = NULL;
    }
    return C9_ERR_NOSYS;
}

void c9_host_tls_free(c9_host_tls_t *tls) {
    (void)tls;
}

void c9_host_tls_close_sockets(c9_host_tls_t *tls) {
    (void)tls;
}

const c9_net_tls_ops_t *c9_host_tls_ops(c9_host_tls_t *tls) {
    (void)tls;
    return NULL;
}

#endif
