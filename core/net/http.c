/* The HTTP/1.1 client (http.h): request, response head, body framing, keep-alive decisions.
 * Every error path closes the connection; only a fully read, keep-alive response frees it. */
#include "circuit9/http.h"

#include <string.h>

c9_err_t c9_http_client_init(c9_http_client_t *c, const c9_http_client_config_t *cfg) {
    if (!c || !cfg || !cfg->mgr || !cfg->buf || cfg->buf_size < 64 || (!cfg->fields && cfg->max_fields)) {
        return C9_ERR_INVAL;
    }
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    return C9_OK;
}

static const c9_net_socket_ops_t *ops_of(c9_http_response_t *r) {
    return r->conn->ops;
}

static uint64_t now(c9_http_response_t *r) {
    const c9_net_socket_ops_t *o = ops_of(r);
    return o->now_ms ? o->now_ms(o->ctx) : 0;
}

static void drop_conn(c9_http_response_t *r) {
    if (r->conn) {
        (void)c9_net_connmgr_close(r->client->cfg.mgr, r->conn);
        r->conn = NULL;
    }
}

static c9_err_t fail(c9_http_response_t *r, c9_err_t err) {
    drop_conn(r);
    r->failed = err;
    return err;
}

/* The body has been read to its end: the connection goes back for reuse or is closed. */
static void finish(c9_http_response_t *r) {
    r->done = true;
    if (!r->conn) {
        return;
    }
    if (r->reusable && r->keep_alive && r->pos == r->end) {
        (void)c9_net_connmgr_free(r->client->cfg.mgr, r->conn);
        r->conn = NULL;
    } else {
        drop_conn(r);
    }
}

/* recv with the head deadline applied (deadline 0: none). */
static c9_err_t recv_some(c9_http_response_t *r, void *buf, size_t len, size_t *got, uint64_t deadline) {
    const c9_net_socket_ops_t *o = ops_of(r);
    if (deadline) {
        uint64_t t = now(r);
        if (t >= deadline) {
            return C9_ERR_TIMEDOUT;
        }
        uint64_t left = deadline - t;
        int32_t tmo = r->timeout_ms;
        if (tmo < 0 || (uint64_t)tmo > left) {
            tmo = (int32_t)C9_MIN(left, (uint64_t)INT32_MAX);
        }
        c9_err_t err = o->settimeout(o->ctx, r->conn->sock, tmo);
        if (err != C9_OK) {
            return err;
        }
    }
    c9_err_t err = o->recv(o->ctx, r->conn->sock, buf, len, got);
    if (deadline) {
        c9_err_t e2 = o->settimeout(o->ctx, r->conn->sock, r->timeout_ms);
        if (err == C9_OK) {
            err = e2;
        }
    }
    return err;
}

static const c9_http_field_t *find_field(const c9_http_field_t *f, size_t n, const char *name) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i++) {
        if (f[i].name_len != nl) {
            continue;
        }
        size_t k = 0;
        while (k < nl) {
            uint8_t a = (uint8_t)f[i].name[k], b = (uint8_t)name[k];
            if (a >= 'A' && a <= 'Z') {
                a = (uint8_t)(a + 32);
            }
            if (b >= 'A' && b <= 'Z') {
                b = (uint8_t)(b + 32);
            }
            if (a != b) {
                break;
            }
            k++;
        }
        if (k == nl) {
            return &f[i];
        }
    }
    return NULL;
}

const char *c9_http_response_field(const c9_http_response_t *r, const char *name, size_t *len) {
    const c9_http_field_t *f = find_field(r->fields, r->nfields, name);
    if (!f) {
        return NULL;
    }
    if (len) {
        *len = f->value_len;
    }
    return f->value;
}

/* Framing and keep-alive from the head (RFC 9112 section 6.3). */
static c9_err_t frame(c9_http_response_t *r, bool head_request, bool request_close) {
    c9_http_client_t *c = r->client;
    r->content_length = -1;
    bool te = false, chunked = false, conn_close = false, conn_keep = false, have_len = false;
    uint64_t clen = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        const c9_http_field_t *f = &r->fields[i];
        c9_http_field_t one[1] = {*f};
        if (find_field(one, 1, "transfer-encoding")) {
            te = true;
            chunked = c9_http_last_token_is(f->value, f->value_len, "chunked");
        } else if (find_field(one, 1, "content-length")) {
            uint64_t v;
            c9_err_t err = c9_http_parse_length(f->value, f->value_len, &v);
            if (err != C9_OK || (have_len && v != clen)) {
                return C9_ERR_HTTP_BAD_LENGTH;
            }
            clen = v;
            have_len = true;
        } else if (find_field(one, 1, "connection")) {
            conn_close |= c9_http_has_token(f->value, f->value_len, "close");
            conn_keep |= c9_http_has_token(f->value, f->value_len, "keep-alive");
        }
    }
    r->keep_alive = !conn_close && !request_close && (r->version_minor >= 1 || conn_keep) && r->status != 101;
    r->reusable = true;
    if (have_len && !te) {
        r->content_length = (int64_t)clen; /* also for HEAD and 304, where no body follows */
    }
    if (head_request || (r->status >= 100 && r->status < 200) || r->status == 204 || r->status == 304) {
        r->body = C9_HTTP_BODY_NONE;
        return C9_OK;
    }
    if (te) {
        /* With Content-Length as well the message is suspect: read it, then drop the
         * connection (RFC 9112 section 6.3 item 3). */
        if (have_len) {
            r->reusable = false;
        }
        if (chunked) {
            r->body = C9_HTTP_BODY_CHUNKED;
            uint8_t *tbuf = c->cfg.buf + r->head_len;
            c9_http_chunked_init(&r->chunk, tbuf, c->cfg.buf_size - r->head_len);
        } else {
            r->body = C9_HTTP_BODY_UNTIL_CLOSE;
            r->reusable = false;
        }
        return C9_OK;
    }
    if (have_len) {
        if (c->cfg.max_body && clen > c->cfg.max_body) {
            return C9_ERR_HTTP_BODY_TOO_LARGE;
        }
        r->body = C9_HTTP_BODY_LENGTH;
        r->content_length = (int64_t)clen;
        r->remaining = clen;
        return C9_OK;
    }
    r->body = C9_HTTP_BODY_UNTIL_CLOSE;
    r->reusable = false;
    return C9_OK;
}

/* Reads and parses the response head, skipping interim responses. *got_any tells whether any
 * response byte arrived (a reused connection closed before that may be retried). */
static c9_err_t read_head(c9_http_response_t *r, bool head_request, bool request_close, bool *got_any) {
    c9_http_client_t *c = r->client;
    uint8_t *buf = c->cfg.buf;
    size_t cap = c->cfg.buf_size;
    size_t len = 0;
    uint64_t deadline = c->cfg.head_timeout_ms ? now(r) + c->cfg.head_timeout_ms : 0;
    *got_any = false;
    for (int interim = 0;; interim++) {
        size_t head = c9_http_head_end(buf, len);
        while (!head) {
            if (len == cap) {
                return C9_ERR_HTTP_HEADERS_TOO_LARGE;
            }
            size_t n = 0;
            c9_err_t err = recv_some(r, buf + len, cap - len, &n, deadline);
            if (err != C9_OK) {
                return err;
            }
            if (n == 0) {
                return *got_any || len ? C9_ERR_HTTP_TRUNCATED : C9_ERR_HTTP_NO_RESPONSE;
            }
            *got_any = true;
            bool newline = memchr(buf + len, '\n', n) != NULL;
            len += n;
            if (newline) {
                head = c9_http_head_end(buf, len);
            }
        }
        c9_http_head_t h;
        c9_err_t err = c9_http_parse_head(buf, head, &h, c->cfg.fields, c->cfg.max_fields);
        if (err != C9_OK) {
            return err;
        }
        if (h.status >= 100 && h.status < 200 && h.status != 101) {
            if (interim >= C9_HTTP_MAX_INTERIM) {
                return C9_ERR_HTTP_TOO_MANY_INTERIM;
            }
            memmove(buf, buf + head, len - head);
            len -= head;
            continue;
        }
        r->status = h.status;
        r->version_minor = h.version_minor;
        r->reason = h.reason;
        r->reason_len = h.reason_len;
        r->fields = c->cfg.fields;
        r->nfields = h.nfields;
        r->head_len = head;
        r->pos = head;
        r->end = len;
        return frame(r, head_request, request_close);
    }
}

static bool retryable(c9_err_t err) {
    return err == C9_ERR_HTTP_NO_RESPONSE || err == C9_ERR_CONNRESET || err == C9_ERR_PIPE || err == C9_ERR_NOTCONN ||
           err == C9_ERR_TLS_EOF || err == C9_ERR_CONNABORTED;
}

c9_err_t c9_http_request(c9_http_client_t *c, const c9_http_request_t *req, c9_http_response_t **out) {
    if (!c || !req || !out || !req->method || !req->proto || !req->host) {
        return C9_ERR_INVAL;
    }
    c9_http_response_t *r = &c->resp;
    c9_http_response_close(r);
    memset(r, 0, sizeof *r);
    *out = r;
    r->client = c;
    r->content_length = -1;
    r->timeout_ms = req->timeout_ms;
    r->failed = C9_OK;

    bool https = strcmp(req->proto, "https:") == 0;
    if (!https && strcmp(req->proto, "http:") != 0) {
        return C9_ERR_INVAL;
    }
    uint16_t port = req->port ? req->port : (https ? 443 : 80);
    bool request_close = false;
    for (size_t i = 0; i < req->nheaders; i++) {
        c9_http_field_t f = {req->headers[i].name, req->headers[i].name ? strlen(req->headers[i].name) : 0,
                             req->headers[i].value, req->headers[i].value ? strlen(req->headers[i].value) : 0};
        if (f.name && f.value && find_field(&f, 1, "connection")) {
            request_close |= c9_http_has_token(f.value, f.value_len, "close");
        }
    }
    bool has_body = req->body != NULL;
    c9_err_t hl = c9_http_write_head((char *)c->cfg.buf, c->cfg.buf_size, req->method, req->host, port,
                                     port == (https ? 443 : 80), req->path, req->headers, req->nheaders,
                                     c->cfg.user_agent, has_body, req->body_len);
    if (hl < 0) {
        return hl;
    }
    size_t head_len = (size_t)hl;
    /* Small bodies go in the same send as the head: one segment, no Nagle stall. */
    bool inline_body = has_body && req->body_len <= c->cfg.buf_size - head_len;
    size_t ml = strlen(req->method);
    bool head_request = ml == 4 && memcmp(req->method, "HEAD", 4) == 0;
    c9_net_key_t key = {.host = req->host,
                        .port = port,
                        .proto = req->proto,
                        .session_id = req->session_id,
                        .tls = https,
                        .tls_ctx = req->tls_ctx};

    for (int attempt = 0;; attempt++) {
        c9_err_t err = c9_net_connmgr_get(c->cfg.mgr, &key, req->timeout_ms, &r->conn);
        if (err != C9_OK) {
            r->conn = NULL;
            return err;
        }
        r->reused = r->conn->reused;
        const c9_net_socket_ops_t *o = r->conn->ops;
        /* The head must be written again: a failed first attempt's response overwrote it. */
        if (attempt > 0) {
            hl = c9_http_write_head((char *)c->cfg.buf, c->cfg.buf_size, req->method, req->host, port,
                                    port == (https ? 443 : 80), req->path, req->headers, req->nheaders,
                                    c->cfg.user_agent, has_body, req->body_len);
            if (hl < 0) {
                return fail(r, hl);
            }
        }
        if (inline_body && req->body_len) {
            memcpy(c->cfg.buf + head_len, req->body, req->body_len);
        }
        err = c9_net_send_all(o, r->conn->sock, c->cfg.buf, head_len + (inline_body ? req->body_len : 0), NULL);
        if (err == C9_OK && has_body && !inline_body) {
            err = c9_net_send_all(o, r->conn->sock, req->body, req->body_len, NULL);
        }
        bool got_any = false;
        if (err == C9_OK) {
            err = read_head(r, head_request, request_close, &got_any);
        }
        if (err == C9_OK) {
            break;
        }
        bool again = attempt == 0 && r->conn->reused && !got_any && retryable(err);
        drop_conn(r);
        if (!again) {
            r->failed = err;
            return err;
        }
    }
    if (r->body == C9_HTTP_BODY_NONE) {
        finish(r);
    }
    return C9_OK;
}

/* Body bytes: first those already in the client's buffer, then from the socket. */
static c9_err_t raw_read(c9_http_response_t *r, uint8_t *buf, size_t len, size_t *got) {
    if (r->pos < r->end) {
        size_t n = C9_MIN(len, r->end - r->pos);
        memcpy(buf, r->client->cfg.buf + r->pos, n);
        r->pos += n;
        if (r->pos == r->end) {
            r->pos = r->end = r->head_len;
        }
        *got = n;
        return C9_OK;
    }
    const c9_net_socket_ops_t *o = ops_of(r);
    return o->recv(o->ctx, r->conn->sock, buf, len, got);
}

static c9_err_t count_body(c9_http_response_t *r, size_t n) {
    r->body_read += n;
    uint64_t max = r->client->cfg.max_body;
    if (max && r->body_read > max) {
        return C9_ERR_HTTP_BODY_TOO_LARGE;
    }
    return C9_OK;
}

c9_err_t c9_http_read(c9_http_response_t *r, void *vbuf, size_t len, size_t *got) {
    uint8_t *buf = vbuf;
    *got = 0;
    if (!r || !r->client) {
        return C9_ERR_BADF;
    }
    if (r->failed != C9_OK) {
        return r->failed;
    }
    if (r->done) {
        return C9_OK;
    }
    if (!r->conn) {
        return C9_ERR_BADF;
    }
    if (len == 0) {
        return C9_OK;
    }
    c9_err_t err;
    size_t n = 0;
    switch (r->body) {
    case C9_HTTP_BODY_LENGTH:
        err = raw_read(r, buf, (size_t)C9_MIN((uint64_t)len, r->remaining), &n);
        if (err != C9_OK) {
            return fail(r, err);
        }
        if (n == 0) {
            return fail(r, C9_ERR_HTTP_TRUNCATED);
        }
        r->remaining -= n;
        *got = n;
        err = count_body(r, n);
        if (err != C9_OK) {
            return fail(r, err);
        }
        if (r->remaining == 0) {
            finish(r);
        }
        return C9_OK;
    case C9_HTTP_BODY_UNTIL_CLOSE:
        err = raw_read(r, buf, len, &n);
        if (err != C9_OK) {
            return fail(r, err);
        }
        if (n == 0) {
            finish(r);
            return C9_OK;
        }
        err = count_body(r, n);
        if (err != C9_OK) {
            return fail(r, err);
        }
        *got = n;
        return C9_OK;
    case C9_HTTP_BODY_CHUNKED:
        for (;;) {
            err = raw_read(r, buf, len, &n);
            if (err != C9_OK) {
                return fail(r, err);
            }
            if (n == 0) {
                return fail(r, C9_ERR_HTTP_TRUNCATED);
            }
            size_t used, out;
            err = c9_http_chunked_decode(&r->chunk, buf, n, &used, &out);
            if (err != C9_OK) {
                return fail(r, err);
            }
            err = count_body(r, out);
            if (err != C9_OK) {
                return fail(r, err);
            }
            if (r->chunk.done) {
                if (used < n) {
                    r->reusable = false; /* bytes after the message: out of step */
                }
                c9_http_client_t *c = r->client;
                size_t nt = 0;
                err = c9_http_parse_fields(r->chunk.trailer, r->chunk.trailer_len, c->cfg.fields + r->nfields,
                                           c->cfg.max_fields - r->nfields, &nt);
                if (err != C9_OK) {
                    return fail(r, err);
                }
                r->ntrailers = nt;
                finish(r);
                *got = out;
                return C9_OK;
            }
            if (out > 0) {
                *got = out;
                return C9_OK;
            }
        }
    default: finish(r); return C9_OK;
    }
}

void c9_http_response_close(c9_http_response_t *r) {
    if (!r || !r->client) {
        return;
    }
    if (r->conn) {
        if (r->done) {
            finish(r);
        } else {
            drop_conn(r); /* unread body: the connection is out of step */
        }
    }
    if (!r->done && r->failed == C9_OK) {
        r->failed = C9_ERR_BADF;
    }
    r->done = r->done || r->failed != C9_OK;
}
