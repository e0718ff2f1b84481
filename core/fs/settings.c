/*
 * settings.toml lookups with CircuitPython's byte-at-a-time scanner semantics. The control flow
 * deliberately follows the reference's observable behaviour (where a mismatch resumes, what a NUL
 * byte means, which byte an error names) rather than a TOML grammar.
 */
#include "circuit9/settings.h"

#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
} reader_t;

typedef struct {
    char *buf;
    size_t size;
    size_t len; /* bytes the value needs, even past size */
} sink_t;

/* The reference reads through a FAT file API that yields 0 at the end, so a NUL byte in the
 * file is indistinguishable from the end at that point. */
static uint8_t next_byte(reader_t *r) {
    if (r->pos >= r->len) {
        return 0;
    }
    return r->p[r->pos++];
}

static bool at_end(const reader_t *r) {
    return r->pos >= r->len;
}

static bool is_space(int c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static void skip_line(reader_t *r) {
    uint8_t c;
    do {
        c = next_byte(r);
    } while (c != 0 && c != '\n');
}

/* Skips spaces but not a newline; returns the next byte (0 at the end). */
static uint8_t skip_spaces(reader_t *r) {
    uint8_t c;
    do {
        c = next_byte(r);
    } while (c != '\n' && c != 0 && is_space(c));
    return c;
}

static void put_byte(sink_t *s, uint8_t b) {
    if (s->len < s->size) {
        s->buf[s->len] = (char)b;
    }
    s->len++;
}

static void put_char(sink_t *s, uint32_t c) {
    if (c < 0x80) {
        put_byte(s, (uint8_t)c);
    } else if (c < 0x800) {
        put_byte(s, (uint8_t)(0xC0 | (c >> 6)));
        put_byte(s, (uint8_t)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        put_byte(s, (uint8_t)(0xE0 | (c >> 12)));
        put_byte(s, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
        put_byte(s, (uint8_t)(0x80 | (c & 0x3F)));
    } else {
        put_byte(s, (uint8_t)(0xF0 | (c >> 18)));
        put_byte(s, (uint8_t)(0x80 | ((c >> 12) & 0x3F)));
        put_byte(s, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
        put_byte(s, (uint8_t)(0x80 | (c & 0x3F)));
    }
}

/* At the start of a line: true when the line holds key followed by '=' (the reader is then just
 * after it); otherwise the reader is at the next line, or at the end after a '[' line. */
static bool key_matches(reader_t *r, const char *key) {
    uint8_t c = skip_spaces(r);
    if (c == '[' || c == 0) {
        r->pos = r->len;
        return false;
    }
    while (*key) {
        if (c != (uint8_t)*key++) {
            if (c != '\n') {
                skip_line(r);
            }
            return false;
        }
        c = next_byte(r);
    }
    if (is_space(c)) {
        c = skip_spaces(r);
    }
    if (c != '=') {
        if (c != '\n') {
            skip_line(r);
        }
        return false;
    }
    return true;
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* strtoul(s, &end, 16) as C libraries implement it (spaces, sign, optional 0x), because the
 * reference converts escape digits with it: "\u 041" and "\u0x41" are accepted there. Returns
 * the offset of end; *value saturates at UINT32_MAX, and a minus sign makes any non-zero value
 * huge, like the unsigned negation strtoul does. */
static size_t hex_strtoul(const char *s, uint32_t *value) {
    size_t i = 0;
    while (is_space((uint8_t)s[i])) {
        i++;
    }
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    if (s[i] == '0' && (s[i + 1] | 0x20) == 'x' && hex_value((uint8_t)s[i + 2]) >= 0) {
        i += 2;
    }
    size_t start = i;
    uint64_t v = 0;
    while (hex_value((uint8_t)s[i]) >= 0) {
        v = v * 16 + (uint64_t)hex_value((uint8_t)s[i]);
        if (v > UINT32_MAX) {
            v = UINT32_MAX;
        }
        i++;
    }
    if (i == start) {
        *value = 0;
        return 0;
    }
    *value = (neg && v) ? UINT32_MAX : (uint32_t)v;
    return i;
}

static c9_err_t read_unicode_escape(reader_t *r, int digits, sink_t *s, int *bad) {
    char hex[9];
    for (int i = 0; i < digits; i++) {
        hex[i] = (char)next_byte(r);
    }
    hex[digits] = 0;
    uint32_t c;
    size_t end = hex_strtoul(hex, &c);
    if (end != (size_t)digits) {
        *bad = (uint8_t)hex[end];
        return C9_ERR_SETTINGS_BYTE;
    }
    if (c >= 0x110000) {
        return C9_ERR_SETTINGS_UNICODE;
    }
    put_char(s, c);
    return C9_OK;
}

static c9_err_t read_string(reader_t *r, sink_t *s, int *bad) {
    for (;;) {
        uint8_t c = next_byte(r);
        switch (c) {
        case 0:
        case '\n': *bad = c; return C9_ERR_SETTINGS_BYTE;
        case '"':
            c = skip_spaces(r);
            switch (c) {
            case '#': skip_line(r); return C9_OK;
            case 0:
            case '\n': return C9_OK;
            default: *bad = c; return C9_ERR_SETTINGS_BYTE;
            }
        case '\\':
            c = next_byte(r);
            switch (c) {
            case 0:
            case '\n': *bad = c; return C9_ERR_SETTINGS_BYTE;
            case 'b': c = '\b'; break;
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'v': c = '\v'; break;
            case 'f': c = '\f'; break;
            case 'u':
            case 'U': {
                c9_err_t err = read_unicode_escape(r, c == 'u' ? 4 : 8, s, bad);
                if (err != C9_OK) {
                    return err;
                }
                continue;
            }
            default: break; /* any other escaped byte stands for itself */
            }
            put_byte(s, c);
            break;
        default: put_byte(s, c); break;
        }
    }
}

static void read_bare(reader_t *r, sink_t *s, uint8_t c) {
    for (;;) {
        switch (c) {
        case 0:
        case '\n': return;
        case '#': skip_line(r); return;
        default: put_byte(s, c); break;
        }
        c = next_byte(r);
    }
}

c9_err_t c9_settings_get(const char *text, size_t len, const char *key, char *out, size_t out_size, size_t *out_len,
                         bool *quoted, int *bad) {
    if ((!text && len) || !key || !out_len || !quoted || !bad || (!out && out_size)) {
        return C9_ERR_INVAL;
    }
    reader_t r = {(const uint8_t *)text, len, 0};
    sink_t s = {out, out_size, 0};
    *bad = 0;
    *quoted = false;
    *out_len = 0;
    c9_err_t err = C9_ERR_NOENT;
    while (!at_end(&r)) {
        if (key_matches(&r, key)) {
            uint8_t c = skip_spaces(&r);
            *quoted = c == '"';
            if (*quoted) {
                err = read_string(&r, &s, bad);
            } else {
                read_bare(&r, &s, c);
                err = C9_OK;
            }
            break;
        }
    }
    *out_len = s.len;
    if (err == C9_OK) {
        if (s.len < out_size) {
            out[s.len] = 0;
        } else {
            err = C9_ERR_NOMEM;
        }
    }
    return err;
}

c9_err_t c9_settings_parse_int(const char *str, size_t len, c9_settings_int_t *out) {
    if ((!str && len) || !out) {
        return C9_ERR_INVAL;
    }
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    memset(out, 0, sizeof *out);
    out->base = 10;
    while (i < len && is_space(s[i])) {
        i++;
    }
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        out->negative = s[i] == '-';
        i++;
    }
    /* MicroPython takes a prefix whenever one is spelled, even with no digit after it. */
    if (i + 1 < len && s[i] == '0') {
        int p = s[i + 1] | 0x20;
        if (p == 'x' || p == 'o' || p == 'b') {
            out->base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
            i += 2;
        }
    }
    out->digits = i;
    uint64_t v = 0;
    for (; i < len; i++) {
        int d = hex_value(s[i]);
        if (d < 0 || d >= out->base || (out->base != 16 && !(s[i] >= '0' && s[i] <= '9'))) {
            break;
        }
        if (!out->overflow) {
            if (v > (UINT64_MAX - (uint64_t)d) / out->base) {
                out->overflow = true;
            } else {
                v = v * out->base + (uint64_t)d;
            }
        }
    }
    out->digit_count = i - out->digits;
    if (out->digit_count == 0) {
        return C9_ERR_INVAL;
    }
    while (i < len && is_space(s[i])) {
        i++;
    }
    if (i != len) {
        return C9_ERR_INVAL;
    }
    if (!out->overflow) {
        if (out->negative ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) {
            out->overflow = true;
        } else {
            out->value = out->negative ? (int64_t)(0 - v) : (int64_t)v;
        }
    }
    return C9_OK;
}

/* strtol(s, &end, 0) on a board whose long has 32 bits. Returns the offset of end. */
static size_t c_strtol(const char *s, int32_t *value) {
    size_t i = 0;
    while (is_space((uint8_t)s[i])) {
        i++;
    }
    bool neg = false;
    if (s[i] == '+' || s[i] == '-') {
        neg = s[i] == '-';
        i++;
    }
    int base = 10;
    if (s[i] == '0' && (s[i + 1] | 0x20) == 'x' && hex_value((uint8_t)s[i + 2]) >= 0) {
        base = 16;
        i += 2;
    } else if (s[i] == '0') {
        base = 8;
    }
    size_t start = i;
    int64_t v = 0;
    for (;; i++) {
        int d = hex_value((uint8_t)s[i]);
        if (d < 0 || d >= base) {
            break;
        }
        if (v <= (int64_t)INT32_MAX + 1) {
            v = v * base + d;
        }
    }
    if (i == start) {
        *value = 0;
        return 0;
    }
    if (neg) {
        v = -v;
    }
    *value = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
    return i;
}

c9_err_t c9_settings_get_int(const char *text, size_t len, const char *key, int32_t *value, int *bad) {
    if (!value || !bad) {
        return C9_ERR_INVAL;
    }
    char buf[16];
    size_t n;
    bool quoted;
    c9_err_t err = c9_settings_get(text, len, key, buf, sizeof buf, &n, &quoted, bad);
    if (err != C9_OK) {
        return err;
    }
    if (quoted) {
        *bad = '"';
        return C9_ERR_SETTINGS_BYTE;
    }
    int32_t v;
    size_t end = c_strtol(buf, &v);
    while (is_space((uint8_t)buf[end])) {
        end++;
    }
    if (end == 0 || buf[end]) {
        *bad = (uint8_t)buf[end];
        return C9_ERR_SETTINGS_BYTE;
    }
    *value = v;
    return C9_OK;
}

void c9_settings_quote_byte(int byte, char buf[8]) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    if (byte == 0) {
        memcpy(buf, "'EOF'", 6);
        return;
    }
    char q = byte == '\'' ? '"' : '\'';
    buf[i++] = q;
    if (byte == '\\') {
        buf[i++] = '\\';
        buf[i++] = '\\';
    } else if (byte >= 32 && byte <= 126) {
        buf[i++] = (char)byte;
    } else if (byte == '\n' || byte == '\r' || byte == '\t') {
        buf[i++] = '\\';
        buf[i++] = byte == '\n' ? 'n' : byte == '\r' ? 'r' : 't';
    } else {
        buf[i++] = '\\';
        buf[i++] = 'x';
        buf[i++] = hex[(byte >> 4) & 15];
        buf[i++] = hex[byte & 15];
    }
    buf[i++] = q;
    buf[i] = 0;
}
