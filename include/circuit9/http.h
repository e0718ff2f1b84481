/*
 * circuit9 HTTP/1.1 client over the connection manager (net.h), and its parsers.
 *
 * One request at a time per client; memory is the caller's: one buffer holds the request head
 * and then the response head (status line, header fields, trailers), so its size bounds them,
 * and a caller array receives the parsed fields. Bodies are read into the caller's buffers.
 *
 *     uint8_t buf[2048]; c9_http_field_t fields[32];
 *     c9_http_client_config_t cfg = {.mgr = &mgr, .buf = buf, .buf_size = sizeof buf,
 *                                    .fields = fields, .max_fields = 32};
 *     c9_http_client_t http; c9_http_client_init(&http, &cfg);
 *     c9_http_request_t req = {.method = "GET", .proto = "http:", .host = "example.org",
 *                              .path = "/", .timeout_ms = 5000};
 *     c9_http_response_t *resp;
 *     if (c9_http_request(&http, &req, &resp) == C9_OK) {
 *         size_t n;
 *         while (c9_http_read(resp, chunk, sizeof chunk, &n) == C9_OK && n > 0) use(chunk, n);
 *         c9_http_response_close(resp);
 *     }
 *
 * What the client does (RFC 9112):
 *   - keep-alive: a connection goes back to the manager for reuse only when the whole
 *     response was read, the server did not say "Connection: close" (HTTP/1.0: did say
 *     "keep-alive"), the request did not say "Connection: close", and nothing unexpected
 *     followed the message. Otherwise it is closed. A response closed before its body was
 *     read closes the connection (no draining).
 *   - bodies: none for HEAD, 1xx, 204 and 304; Transfer-Encoding ending in chunked is
 *     decoded (chunk extensions skipped, trailers parsed into the field array after the
 *     header fields); otherwise Content-Length (repeated equal values accepted, differing
 *     ones are an error); otherwise the body runs to the end of the connection (and the
 *     connection is not reused). Transfer-Encoding wins over Content-Length, and such a
 *     connection is not reused.
 *   - interim 1xx responses (100 Continue, 103 Early Hints) are skipped, up to
 *     C9_HTTP_MAX_INTERIM; 101 is returned as final, without body, and the connection closed.
 *   - redirects are the caller's (the status and Location field are returned as they are).
 *   - a reused connection that the server closed before answering (end of stream or reset
 *     before the first response byte) is replaced by a fresh one and the request sent once
 *     more, as libcurl and urllib3 do, whatever the method.
 *   - timeouts: timeout_ms applies to each socket operation; head_timeout_ms (config) bounds
 *     the whole wait for the response head, so a server that trickles bytes cannot hold a
 *     request forever. max_body bounds the body (Content-Length checked up front).
 *   - line endings: CRLF, or a bare LF; obsolete line folding is joined with spaces.
 * Every error closes the connection. The response lives in the client: it, and the field
 * names and values (pointers into the client's buffer), stay valid until the next request.
 */
#ifndef CIRCUIT9_HTTP_H
#define CIRCUIT9_HTTP_H

#include "circuit9/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors C9_ERR_HTTP_* (common.h's error table, band http). */

const char *c9_http_strerror(c9_err_t err);

/* A request header field given by the caller. */
typedef struct c9_http_header {
    const char *name;
    const char *value;
} c9_http_header_t;

/* A parsed response field: pointers into the parsed buffer (not NUL-terminated). */
typedef struct c9_http_field {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} c9_http_field_t;

/* ---- parsers (pure functions, fuzzed) ---- */

typedef struct c9_http_head {
    int version_minor; /* the x of HTTP/1.x */
    int status;        /* 100..999 */
    const char *reason;
    size_t reason_len;
    size_t nfields;
} c9_http_head_t;

/* Length of the response head at the start of buf[0..len) (empty lines before the status line,
 * status line, fields and the empty line that ends them), or 0 while incomplete. */
size_t c9_http_head_end(const uint8_t *buf, size_t len);

/* Parses a complete head buf[0..len) (as measured by c9_http_head_end). Folded lines are joined
 * in place. Errors: C9_ERR_HTTP_BAD_STATUS, C9_ERR_HTTP_BAD_HEADER, C9_ERR_HTTP_TOO_MANY_HEADERS. */
c9_err_t c9_http_parse_head(uint8_t *buf, size_t len, c9_http_head_t *head, c9_http_field_t *fields, size_t max);

/* Parses field lines buf[0..len) (each ending in CRLF or LF; no empty line) into
 * fields[0..max); *n is how many. Errors: C9_ERR_HTTP_BAD_HEADER, C9_ERR_HTTP_TOO_MANY_HEADERS. */
c9_err_t c9_http_parse_fields(uint8_t *buf, size_t len, c9_http_field_t *fields, size_t max, size_t *n);

/* Content-Length value: digits, or a comma list of equal values. C9_ERR_HTTP_BAD_LENGTH. */
c9_err_t c9_http_parse_length(const char *value, size_t len, uint64_t *out);

/* Whether a comma-separated field value holds token (case-insensitive), and whether its last
 * element is token. */
bool c9_http_has_token(const char *value, size_t len, const char *token);
bool c9_http_last_token_is(const char *value, size_t len, const char *token);

/* Incremental chunked-body decoder. */
typedef struct c9_http_chunked {
    uint8_t state;
    uint8_t digits;
    uint64_t remaining; /* data bytes left in the current chunk */
    size_t ext_len;     /* bytes of chunk extensions seen (bounded) */
    uint8_t *trailer;   /* where trailer lines go (may be NULL with cap 0: none accepted) */
    size_t trailer_cap;
    size_t trailer_len;
    bool done; /* the last chunk and the trailer section have been read */
} c9_http_chunked_t;

void c9_http_chunked_init(c9_http_chunked_t *c, uint8_t *trailer, size_t trailer_cap);

/* Decodes buf[0..len): the data bytes are moved to the front of buf (*produced of them);
 * *consumed is how much input was used, less than len only once done is set. Trailer lines
 * (with their line ends) are copied to the trailer buffer, which may overlap buf behind the
 * input position. Errors: C9_ERR_HTTP_BAD_CHUNK, C9_ERR_HTTP_HEADERS_TOO_LARGE (trailers). */
c9_err_t c9_http_chunked_decode(c9_http_chunked_t *c, uint8_t *buf, size_t len, size_t *consumed, size_t *produced);

/* Writes "METHOD path HTTP/1.1" and the fields into out. Host (with the port unless it is
 * default for proto), User-Agent (when given) and Content-Length (when a body is given or the
 * method is POST, PUT or PATCH) are added unless the caller gave them. Returns the length, or
 * C9_ERR_NOMEM (out too small), C9_ERR_INVAL (CR, LF or NUL in a field, bad method or path,
 * a caller Transfer-Encoding or Content-Length that disagrees with body_len). */
c9_err_t c9_http_write_head(char *out, size_t out_size, const char *method, const char *host, uint16_t port,
                            bool default_port, const char *path, const c9_http_header_t *headers, size_t nheaders,
                            const char *user_agent, bool has_body, size_t body_len);

/* ---- the client ---- */

typedef struct c9_http_client_config {
    c9_net_connmgr_t *mgr;
    uint8_t *buf; /* request head, then response head and trailers */
    size_t buf_size;
    c9_http_field_t *fields; /* response fields (headers, then trailers) */
    size_t max_fields;
    const char *user_agent;   /* NULL: no User-Agent field */
    uint64_t max_body;        /* 0: no limit */
    uint32_t head_timeout_ms; /* 0: no limit beyond the per-operation timeout */
} c9_http_client_config_t;

typedef struct c9_http_request {
    const char *method; /* "GET", "HEAD", "POST", ... */
    const char *proto;  /* "http:" or "https:" */
    const char *host;
    uint16_t port;    /* 0: 80 or 443 */
    const char *path; /* "/..." (NULL: "/") */
    const c9_http_header_t *headers;
    size_t nheaders;
    const void *body; /* NULL: no body */
    size_t body_len;
    c9_tls_ctx_t tls_ctx;   /* for https: */
    const char *session_id; /* connection manager key (NULL: none) */
    int32_t timeout_ms;     /* per socket operation (C9_NET_TIMEOUT_BLOCKING allowed) */
} c9_http_request_t;

enum { C9_HTTP_BODY_NONE, C9_HTTP_BODY_LENGTH, C9_HTTP_BODY_CHUNKED, C9_HTTP_BODY_UNTIL_CLOSE };

typedef struct c9_http_response {
    int status;
    int version_minor;
    const char *reason;
    size_t reason_len;
    c9_http_field_t *fields; /* headers [0..nfields), then trailers [nfields..nfields+ntrailers) */
    size_t nfields;
    size_t ntrailers;       /* set once a chunked body has been read to its end */
    int64_t content_length; /* Content-Length (also for HEAD/304), -1 when absent or overridden */
    uint8_t body;           /* C9_HTTP_BODY_* */
    bool keep_alive;        /* the server allows reuse */
    bool reused;            /* sent on a kept connection */
    /* the client's */
    struct c9_http_client *client;
    c9_net_conn_t *conn;
    int32_t timeout_ms;
    uint64_t remaining;
    uint64_t body_read;
    size_t pos, end; /* body bytes already in the client's buffer */
    size_t head_len;
    bool done;
    bool reusable;
    c9_err_t failed;
    c9_http_chunked_t chunk;
} c9_http_response_t;

typedef struct c9_http_client {
    c9_http_client_config_t cfg;
    c9_http_response_t resp; /* the current response */
} c9_http_client_t;

/* Errors: C9_ERR_INVAL (bad config). */
c9_err_t c9_http_client_init(c9_http_client_t *c, const c9_http_client_config_t *cfg);

/* Sends req and reads the response head; *resp points at the client's response. The previous
 * response is closed first. Errors: C9_ERR_INVAL (bad request), C9_ERR_NOMEM (request head larger than the
 * buffer), the connection manager's and the socket's errors, C9_ERR_HTTP_* (the connection is
 * closed then). */
c9_err_t c9_http_request(c9_http_client_t *c, const c9_http_request_t *req, c9_http_response_t **resp);

/* Reads up to len body bytes; *got == 0 with C9_OK at the end of the body (the connection has
 * then gone back to the manager or been closed). Errors: C9_ERR_HTTP_TRUNCATED,
 * C9_ERR_HTTP_BAD_CHUNK, C9_ERR_HTTP_BODY_TOO_LARGE, C9_ERR_HTTP_BAD_HEADER and
 * _HEADERS_TOO_LARGE / _TOO_MANY_HEADERS (trailers), socket errors; C9_ERR_BADF after close.
 * After an error the connection is closed and every later read returns the same error. */
c9_err_t c9_http_read(c9_http_response_t *r, void *buf, size_t len, size_t *got);

/* Ends the response: frees the connection for reuse when the body was read to its end and
 * keep-alive allows it, closes it otherwise. Safe to call twice. */
void c9_http_response_close(c9_http_response_t *r);

/* The first field named name (case-insensitive) among the headers, or NULL; *len its length. */
const char *c9_http_response_field(const c9_http_response_t *r, const char *name, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HTTP_H */
