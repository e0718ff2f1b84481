/* HTTP/1.1 message syntax (RFC 9112): response heads, field lines, chunked bodies, request
 * heads. Pure functions over caller buffers; the client (http.c) drives them. */
#include "circuit9/http.h"

#include <string.h>

const char *c9_http_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

/* RFC 9110 tchar: field names and methods. */
static const uint8_t tchar_table[256] = {
    ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1,
    ['%'] = 1,         ['&'] = 1,         ['\''] = 1,        ['*'] = 1, ['+'] = 1, ['-'] = 1,
    ['.'] = 1,         ['^'] = 1,         ['_'] = 1,         ['`'] = 1, ['|'] = 1, ['~'] = 1,
};

static bool is_tchar(uint8_t c) {
    return tchar_table[c];
}

static bool is_ows(uint8_t c) {
    return c == ' ' || c == '\t';
}

/* Field-value and reason-phrase bytes: HTAB, SP, VCHAR, obs-text. */
static bool is_text(uint8_t c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static uint8_t lower(uint8_t c) {
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool ieq(const char *a, size_t alen, const char *b) {
    size_t blen = strlen(b);
    if (alen != blen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower((uint8_t)a[i]) != lower((uint8_t)b[i])) {
            return false;
        }
    }
    return true;
}

size_t c9_http_head_end(const uint8_t *buf, size_t len) {
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    while (i < len) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        if (!nl) {
            return 0;
        }
        i = (size_t)(nl - buf);
        if (i + 1 < len && buf[i + 1] == '\n') {
            return i + 2;
        }
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
            return i + 3;
        }
        i++;
    }
    return 0;
}

c9_err_t c9_http_parse_fields(uint8_t *buf, size_t len, c9_http_field_t *fields, size_t max, size_t *out_n) {
    size_t i = 0, n = 0;
    *out_n = 0;
    while (i < len) {
        const uint8_t *nl = memchr(buf + i, '\n', len - i);
        if (!nl) {
            return C9_ERR_HTTP_BAD_HEADER;
        }
        size_t eol = (size_t)(nl - buf);
        size_t end = eol;
        if (end > i && buf[end - 1] == '\r') {
            end--;
        }
        if (end == i) {
            return C9_ERR_HTTP_BAD_HEADER; /* an empty line inside the section */
        }
        for (size_t k = i; k < end; k++) {
            if (!is_text(buf[k])) {
                return C9_ERR_HTTP_BAD_HEADER; /* control byte or bare CR */
            }
        }
        if (is_ows(buf[i])) {
            /* obs-fold: the line continues the previous value. Everything between that
             * value's end and this line's text is whitespace or a line end: it becomes
             * spaces, which joins the two in place. */
            if (n == 0) {
                return C9_ERR_HTTP_BAD_HEADER;
            }
            size_t start = i;
            while (start < end && is_ows(buf[start])) {
                start++;
            }
            size_t stop = end;
            while (stop > start && is_ows(buf[stop - 1])) {
                stop--;
            }
            if (stop > start) {
                c9_http_field_t *f = &fields[n - 1];
                size_t vend = (size_t)((const uint8_t *)f->value - buf) + f->value_len;
                if (f->value_len == 0) {
                    f->value = (const char *)buf + start;
                    f->value_len = stop - start;
                } else {
                    memset(buf + vend, ' ', start - vend);
                    f->value_len = stop - (size_t)((const uint8_t *)f->value - buf);
                }
            }
            i = eol + 1;
            continue;
        }
        size_t colon = i;
        while (colon < end && is_tchar(buf[colon])) {
            colon++;
        }
        if (colon == i || colon == end || buf[colon] != ':') {
            return C9_ERR_HTTP_BAD_HEADER; /* no name, or a space or other byte before the colon */
        }
        size_t vs = colon + 1;
        while (vs < end && is_ows(buf[vs])) {
            vs++;
        }
        size_t ve = end;
        while (ve > vs && is_ows(buf[ve - 1])) {
            ve--;
        }
        if (n == max) {
            return C9_ERR_HTTP_TOO_MANY_HEADERS;
        }
        fields[n].name = (const char *)buf + i;
        fields[n].name_len = colon - i;
        fields[n].value = (const char *)buf + vs;
        fields[n].value_len = ve - vs;
        n++;
        *out_n = n;
        i = eol + 1;
    }
    *out_n = n;
    return C9_OK;
}

c9_err_t c9_http_parse_head(uint8_t *buf, size_t len, c9_http_head_t *h, c9_http_field_t *fields, size_t max) {
    memset(h, 0, sizeof *h);
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    const uint8_t *nl = i < len ? memchr(buf + i, '\n', len - i) : NULL;
    if (!nl || len < 2 || buf[len - 1] != '\n') {
        return C9_ERR_HTTP_BAD_STATUS;
    }
    size_t eol = (size_t)(nl - buf);
    size_t end = (eol > i && buf[eol - 1] == '\r') ? eol - 1 : eol;
    const uint8_t *s = buf + i;
    size_t sl = end - i;
    /* HTTP/1.x SP 3DIGIT [SP reason] */
    if (sl < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ' || s[9] < '1' ||
        s[9] > '9' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9' || (sl > 12 && s[12] != ' ')) {
        return C9_ERR_HTTP_BAD_STATUS;
    }
    for (size_t k = 12; k < sl; k++) {
        if (!is_text(s[k])) {
            return C9_ERR_HTTP_BAD_STATUS;
        }
    }
    h->version_minor = s[7] - '0';
    h->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    h->reason = sl > 12 ? (const char *)s + 13 : (const char *)s + sl;
    h->reason_len = sl > 12 ? sl - 13 : 0;
    /* The fields run from after the status line to the empty line that ends the head. */
    size_t blank = (len >= 2 && buf[len - 2] == '\r') ? 2 : 1;
    size_t fstart = eol + 1;
    size_t fend = len - blank;
    if (fend < fstart) {
        return C9_ERR_HTTP_BAD_STATUS;
    }
    return c9_http_parse_fields(buf + fstart, fend - fstart, fields, max, &h->nfields);
}

c9_err_t c9_http_parse_length(const char *v, size_t len, uint64_t *out) {
    bool have = false;
    uint64_t first = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_ows((uint8_t)v[i])) {
            i++;
        }
        size_t d = i;
        uint64_t x = 0;
        while (i < len && v[i] >= '0' && v[i] <= '9') {
            if (x > (UINT64_C(1) << 62) / 10) {
                return C9_ERR_HTTP_BAD_LENGTH;
            }
            x = x * 10 + (uint64_t)(v[i] - '0');
            i++;
        }
        if (i == d) {
            return C9_ERR_HTTP_BAD_LENGTH;
        }
        if (have && x != first) {
            return C9_ERR_HTTP_BAD_LENGTH;
        }
        first = x;
        have = true;
        while (i < len && is_ows((uint8_t)v[i])) {
            i++;
        }
        if (i == len) {
            break;
        }
        if (v[i] != ',') {
            return C9_ERR_HTTP_BAD_LENGTH;
        }
        i++;
    }
    *out = first;
    return C9_OK;
}

/* Calls back for each trimmed comma-separated element; stops when fn returns true. */
static bool each_token(const char *v, size_t len, bool (*fn)(const char *, size_t, void *), void *arg) {
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && v[j] != ',') {
            j++;
        }
        size_t a = i, b = j;
        while (a < b && is_ows((uint8_t)v[a])) {
            a++;
        }
        while (b > a && is_ows((uint8_t)v[b - 1])) {
            b--;
        }
        if (b > a && fn(v + a, b - a, arg)) {
            return true;
        }
        i = j + 1;
    }
    return false;
}

static bool token_eq(const char *t, size_t n, void *arg) {
    return ieq(t, n, (const char *)arg);
}

typedef struct {
    const char *t;
    size_t n;
} last_t;

static bool remember(const char *t, size_t n, void *arg) {
    last_t *l = arg;
    l->t = t;
    l->n = n;
    return false;
}

bool c9_http_has_token(const char *value, size_t len, const char *token) {
    return each_token(value, len, token_eq, (void *)token);
}

bool c9_http_last_token_is(const char *value, size_t len, const char *token) {
    last_t l = {NULL, 0};
    each_token(value, len, remember, &l);
    return l.t && ieq(l.t, l.n, token);
}

/* ---- chunked ---- */

enum {
    CK_SIZE0,        /* the first hex digit of a chunk size */
    CK_SIZE,         /* more hex digits */
    CK_SIZE_WS,      /* whitespace after the size */
    CK_EXT,          /* a chunk extension, up to the line end */
    CK_SIZE_LF,      /* the LF after the size line's CR */
    CK_DATA,         /* chunk data */
    CK_DATA_CR,      /* the CRLF after the data */
    CK_DATA_LF,      /* its LF */
    CK_TRAILER,      /* start of a trailer line (or of the final empty line) */
    CK_TRAILER_LINE, /* inside a trailer line */
    CK_END_LF,       /* the LF of the final empty line */
    CK_DONE,
};

#define CK_MAX_EXT 4096

void c9_http_chunked_init(c9_http_chunked_t *c, uint8_t *trailer, size_t trailer_cap) {
    memset(c, 0, sizeof *c);
    c->trailer = trailer;
    c->trailer_cap = trailer ? trailer_cap : 0;
}

static int hexval(uint8_t b) {
    if (b >= '0' && b <= '9') {
        return b - '0';
    }
    b = lower(b);
    if (b >= 'a' && b <= 'f') {
        return b - 'a' + 10;
    }
    return -1;
}

/* The size line ended: a zero size is the last chunk, and the trailer section follows. */
static void size_line_done(c9_http_chunked_t *c) {
    c->state = c->remaining ? CK_DATA : CK_TRAILER;
}

/* CK_SIZE0 / CK_SIZE: hex digits (at least one), then whitespace, an extension or the line end. */
static c9_err_t ck_size(c9_http_chunked_t *c, uint8_t b) {
    int v = hexval(b);
    if (v >= 0) {
        if (c->remaining > (UINT64_C(1) << 62) >> 4) {
            return C9_ERR_HTTP_BAD_CHUNK; /* larger than any body we count */
        }
        c->remaining = c->remaining << 4 | (uint64_t)v;
        c->state = CK_SIZE;
    } else if (c->state == CK_SIZE0) {
        return C9_ERR_HTTP_BAD_CHUNK;
    } else if (is_ows(b)) {
        c->state = CK_SIZE_WS;
    } else if (b == ';') {
        c->state = CK_EXT;
    } else if (b == '\r') {
        c->state = CK_SIZE_LF;
    } else if (b == '\n') {
        size_line_done(c);
    } else {
        return C9_ERR_HTTP_BAD_CHUNK;
    }
    return C9_OK;
}

static c9_err_t ck_size_ws(c9_http_chunked_t *c, uint8_t b) {
    if (b == ';') {
        c->state = CK_EXT;
    } else if (b == '\r') {
        c->state = CK_SIZE_LF;
    } else if (b == '\n') {
        size_line_done(c);
    } else if (!is_ows(b)) {
        return C9_ERR_HTTP_BAD_CHUNK;
    }
    return C9_OK;
}

/* Extensions are skipped, but only CK_MAX_EXT bytes of them per chunk: a peer cannot keep the
 * decoder busy without data. */
static c9_err_t ck_ext(c9_http_chunked_t *c, uint8_t b) {
    if (b == '\r') {
        c->state = CK_SIZE_LF;
    } else if (b == '\n') {
        size_line_done(c);
    } else if (!is_text(b) || ++c->ext_len > CK_MAX_EXT) {
        return C9_ERR_HTTP_BAD_CHUNK;
    }
    return C9_OK;
}

/* CK_DATA_CR / CK_DATA_LF: the CR is optional, the LF is not. */
static c9_err_t ck_data_end(c9_http_chunked_t *c, uint8_t b) {
    if (b == '\r' && c->state == CK_DATA_CR) {
        c->state = CK_DATA_LF;
    } else if (b == '\n') {
        c->state = CK_SIZE0;
        c->ext_len = 0;
    } else {
        return C9_ERR_HTTP_BAD_CHUNK;
    }
    return C9_OK;
}

/* Trailer lines are kept whole, line ends included, for the caller to parse as fields. */
static c9_err_t ck_trailer_line(c9_http_chunked_t *c, uint8_t b) {
    if (c->trailer_len == c->trailer_cap) {
        return C9_ERR_HTTP_HEADERS_TOO_LARGE;
    }
    c->trailer[c->trailer_len++] = b;
    if (b == '\n') {
        c->state = CK_TRAILER;
    }
    return C9_OK;
}

/* The start of a line after the last chunk: an empty line ends the body, anything else starts a
 * trailer line. */
static c9_err_t ck_trailer(c9_http_chunked_t *c, uint8_t b) {
    if (b == '\r') {
        c->state = CK_END_LF;
        return C9_OK;
    }
    if (b == '\n') {
        c->state = CK_DONE;
        return C9_OK;
    }
    c->state = CK_TRAILER_LINE;
    return ck_trailer_line(c, b);
}

/* A line end where only the LF may come next (CK_SIZE_LF, CK_END_LF). */
static c9_err_t ck_lf(c9_http_chunked_t *c, uint8_t b, uint8_t next) {
    if (b != '\n') {
        return C9_ERR_HTTP_BAD_CHUNK;
    }
    c->state = next;
    return C9_OK;
}

/* One byte of everything but chunk data; it is consumed unless an error is returned. */
static c9_err_t ck_byte(c9_http_chunked_t *c, uint8_t b) {
    switch (c->state) {
    case CK_SIZE0:
    case CK_SIZE: return ck_size(c, b);
    case CK_SIZE_WS: return ck_size_ws(c, b);
    case CK_EXT: return ck_ext(c, b);
    case CK_SIZE_LF: return ck_lf(c, b, c->remaining ? CK_DATA : CK_TRAILER);
    case CK_DATA_CR:
    case CK_DATA_LF: return ck_data_end(c, b);
    case CK_TRAILER: return ck_trailer(c, b);
    case CK_TRAILER_LINE: return ck_trailer_line(c, b);
    case CK_END_LF: return ck_lf(c, b, CK_DONE);
    default: return C9_ERR_HTTP_BAD_CHUNK; /* CK_DATA and CK_DONE never come here */
    }
}

c9_err_t c9_http_chunked_decode(c9_http_chunked_t *c, uint8_t *buf, size_t len, size_t *consumed, size_t *produced) {
    size_t i = 0, out = 0;
    c9_err_t err = C9_OK;
    while (i < len && c->state != CK_DONE) {
        if (c->state == CK_DATA) {
            /* Data is moved in one piece, as much of the chunk as this input holds. */
            size_t n = (size_t)C9_MIN((uint64_t)(len - i), c->remaining);
            memmove(buf + out, buf + i, n);
            out += n;
            i += n;
            c->remaining -= n;
            if (c->remaining == 0) {
                c->state = CK_DATA_CR;
            }
            continue;
        }
        err = ck_byte(c, buf[i]);
        if (err != C9_OK) {
            break;
        }
        i++;
    }
    c->done = c->state == CK_DONE;
    *consumed = i;
    *produced = out;
    return err;
}

/* ---- request head ---- */

typedef struct {
    char *p;
    size_t n, cap;
    bool full;
} writer_t;

static void put(writer_t *w, const char *s, size_t n) {
    if (w->n + n > w->cap) {
        w->full = true;
        return;
    }
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

static void puts_(writer_t *w, const char *s) {
    put(w, s, strlen(s));
}

static void put_u64(writer_t *w, uint64_t v) {
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char rev[24];
    for (int j = 0; j < k; j++) {
        rev[j] = tmp[k - 1 - j];
    }
    put(w, rev, (size_t)k);
}

static bool clean_value(const char *s) {
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            return false;
        }
    }
    return true;
}

static bool token_str(const char *s) {
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        if (!is_tchar((uint8_t)*s)) {
            return false;
        }
    }
    return true;
}

c9_err_t c9_http_write_head(char *out, size_t out_size, const char *method, const char *host, uint16_t port,
                            bool default_port, const char *path, const c9_http_header_t *headers, size_t nheaders,
                            const char *user_agent, bool has_body, size_t body_len) {
    if (!token_str(method) || !host || !*host || !clean_value(host) || (nheaders && !headers)) {
        return C9_ERR_INVAL;
    }
    if (!path || !*path) {
        path = "/";
    }
    for (const char *p = path; *p; p++) {
        if ((uint8_t)*p <= 0x20 || *p == 0x7f) {
            return C9_ERR_INVAL;
        }
    }
    bool have_host = false, have_ua = false, have_len = false;
    for (size_t i = 0; i < nheaders; i++) {
        const char *name = headers[i].name, *value = headers[i].value;
        if (!token_str(name) || !value || !clean_value(value)) {
            return C9_ERR_INVAL;
        }
        size_t nl = strlen(name);
        if (ieq(name, nl, "transfer-encoding")) {
            return C9_ERR_INVAL; /* the body is a buffer: always sent with a length */
        }
        if (ieq(name, nl, "content-length")) {
            uint64_t v;
            if (c9_http_parse_length(value, strlen(value), &v) != C9_OK || v != (uint64_t)body_len) {
                return C9_ERR_INVAL;
            }
            have_len = true;
        }
        have_host |= ieq(name, nl, "host");
        have_ua |= ieq(name, nl, "user-agent");
    }
    writer_t w = {out, 0, out_size, false};
    puts_(&w, method);
    put(&w, " ", 1);
    puts_(&w, path);
    puts_(&w, " HTTP/1.1\r\n");
    if (!have_host) {
        puts_(&w, "Host: ");
        bool v6 = strchr(host, ':') != NULL;
        if (v6) {
            put(&w, "[", 1);
        }
        puts_(&w, host);
        if (v6) {
            put(&w, "]", 1);
        }
        if (!default_port) {
            put(&w, ":", 1);
            put_u64(&w, port);
        }
        puts_(&w, "\r\n");
    }
    if (user_agent && !have_ua) {
        if (!clean_value(user_agent)) {
            return C9_ERR_INVAL;
        }
        puts_(&w, "User-Agent: ");
        puts_(&w, user_agent);
        puts_(&w, "\r\n");
    }
    for (size_t i = 0; i < nheaders; i++) {
        puts_(&w, headers[i].name);
        puts_(&w, ": ");
        puts_(&w, headers[i].value);
        puts_(&w, "\r\n");
    }
    size_t ml = strlen(method);
    bool wants_len = has_body || ieq(method, ml, "POST") || ieq(method, ml, "PUT") || ieq(method, ml, "PATCH");
    if (wants_len && !have_len) {
        puts_(&w, "Content-Length: ");
        put_u64(&w, has_body ? body_len : 0);
        puts_(&w, "\r\n");
    }
    puts_(&w, "\r\n");
    if (w.full) {
        return C9_ERR_NOMEM;
    }
    return (c9_err_t)w.n;
}
