/* Parsing of pin and device assignments and timed events files. */
#include "circuit9/stimulus.h"

#include <string.h>

static bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

typedef struct cursor {
    const char *p, *end;
    const char *line_start;
    size_t line;
    c9_stim_error_t *err;
} cursor_t;

static c9_err_t fail(cursor_t *c, const char *at, const char *what) {
    if (c->err) {
        c->err->line = c->line;
        c->err->column = (size_t)(at - c->line_start) + 1;
        c->err->what = what;
    }
    return C9_ERR_INVAL;
}

/* A decimal number: [-+]digits[.digits], at most 9 integer and 9 fraction digits, into
 * billionths. */
static c9_err_t number(cursor_t *c, const char *end, bool allow_sign, int64_t *nano) {
    const char *start = c->p;
    bool negative = false;
    if (allow_sign && c->p < end && (*c->p == '-' || *c->p == '+')) {
        negative = *c->p == '-';
        c->p++;
    }
    int64_t whole = 0, frac = 0;
    int whole_digits = 0, frac_digits = 0;
    while (c->p < end && is_digit(*c->p)) {
        if (++whole_digits > 9) {
            return fail(c, start, "number too large");
        }
        whole = whole * 10 + (*c->p++ - '0');
    }
    if (c->p < end && *c->p == '.') {
        c->p++;
        while (c->p < end && is_digit(*c->p)) {
            if (++frac_digits > 9) {
                return fail(c, start, "more than 9 digits after the point");
            }
            frac = frac * 10 + (*c->p++ - '0');
        }
    }
    if (!whole_digits && !frac_digits) {
        return fail(c, start, "a number was expected");
    }
    for (int i = frac_digits; i < 9; i++) {
        frac *= 10;
    }
    int64_t v = whole * 1000000000 + frac;
    *nano = negative ? -v : v;
    return C9_OK;
}

static c9_err_t name(cursor_t *c, const char *end, char out[C9_STIM_NAME_MAX]) {
    const char *start = c->p;
    bool dot = false;
    for (;;) {
        if (c->p >= end || !is_alpha(*c->p)) {
            return fail(c, c->p, "a name (letters, digits, _) was expected");
        }
        while (c->p < end && (is_alpha(*c->p) || is_digit(*c->p))) {
            c->p++;
        }
        if (c->p < end && *c->p == '.' && !dot) {
            dot = true;
            c->p++;
            continue;
        }
        break;
    }
    size_t n = (size_t)(c->p - start);
    if (n >= C9_STIM_NAME_MAX) {
        return fail(c, start, "name too long");
    }
    memcpy(out, start, n);
    out[n] = 0;
    return C9_OK;
}

/* NAME=VALUE up to end (the caller has cut blanks off). */
static c9_err_t assignment(cursor_t *c, const char *end, c9_stim_t *out) {
    c9_err_t err = name(c, end, out->name);
    if (err != C9_OK) {
        return err;
    }
    if (c->p >= end || *c->p != '=') {
        return fail(c, c->p, "'=' was expected after the name");
    }
    c->p++;
    if ((err = number(c, end, true, &out->value.nano)) != C9_OK) {
        return err;
    }
    const char *unit = c->p;
    while (c->p < end && ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z') || *c->p == '%')) {
        c->p++;
    }
    size_t n = (size_t)(c->p - unit);
    if (n >= C9_STIM_UNIT_MAX) {
        return fail(c, unit, "unit too long");
    }
    if (c->p != end) {
        return fail(c, c->p, "unexpected character in the value");
    }
    memcpy(out->value.unit, unit, n);
    out->value.unit[n] = 0;
    return C9_OK;
}

c9_err_t c9_stim_parse_assignment(const char *text, size_t len, c9_stim_t *out, c9_stim_error_t *err) {
    cursor_t c = {text, text + len, text, 1, err};
    if (!text || !out) {
        return fail(&c, text, "nothing to parse");
    }
    memset(out, 0, sizeof(*out));
    return assignment(&c, c.end, out);
}

c9_err_t c9_stim_parse_events(const char *text, size_t len, c9_stim_t *out, size_t capacity, size_t *count,
                              c9_stim_error_t *err) {
    cursor_t c = {text, text + len, text, 0, err};
    size_t n = 0;
    uint64_t last = 0;
    if (count) {
        *count = 0;
    }
    if (!text && len) {
        return fail(&c, text, "nothing to parse");
    }
    const char *p = text;
    while (p < c.end) {
        const char *eol = memchr(p, '\n', (size_t)(c.end - p));
        if (!eol) {
            eol = c.end;
        }
        const char *hash = memchr(p, '#', (size_t)(eol - p));
        const char *stop = hash ? hash : eol;
        c.line++;
        c.line_start = p;
        c.p = p;
        while (c.p < stop && is_blank(*c.p)) {
            c.p++;
        }
        if (c.p < stop) {
            int64_t t;
            const char *tstart = c.p;
            c9_err_t e = number(&c, stop, false, &t);
            if (e != C9_OK) {
                return e;
            }
            if ((uint64_t)t < last) {
                return fail(&c, tstart, "time earlier than the line before");
            }
            last = (uint64_t)t;
            if (c.p < stop && !is_blank(*c.p)) {
                return fail(&c, c.p, "a blank was expected after the time");
            }
            bool any = false;
            for (;;) {
                while (c.p < stop && is_blank(*c.p)) {
                    c.p++;
                }
                if (c.p >= stop) {
                    break;
                }
                const char *tok_end = c.p;
                while (tok_end < stop && !is_blank(*tok_end)) {
                    tok_end++;
                }
                c9_stim_t s;
                memset(&s, 0, sizeof s);
                if ((e = assignment(&c, tok_end, &s)) != C9_OK) {
                    return e;
                }
                s.time_ns = (uint64_t)t;
                if (out && n < capacity) {
                    out[n] = s;
                }
                n++;
                any = true;
            }
            if (!any) {
                return fail(&c, c.p, "NAME=VALUE was expected after the time");
            }
        }
        p = eol < c.end ? eol + 1 : c.end;
    }
    if (count) {
        *count = n;
    }
    return out && n > capacity ? C9_ERR_NOMEM : C9_OK;
}

bool c9_stim_digital(const c9_stim_value_t *v, bool *level) {
    if (v->unit[0] || (v->nano != 0 && v->nano != 1000000000)) {
        return false;
    }
    *level = v->nano != 0;
    return true;
}

bool c9_stim_millivolts(const c9_stim_value_t *v, int32_t *mv) {
    int64_t m;
    if (!strcmp(v->unit, "V")) {
        m = v->nano >= 0 ? (v->nano + 500000) / 1000000 : -((-v->nano + 500000) / 1000000);
    } else if (!strcmp(v->unit, "mV")) {
        m = v->nano >= 0 ? (v->nano + 500000000) / 1000000000 : -((-v->nano + 500000000) / 1000000000);
    } else {
        return false;
    }
    if (m > INT32_MAX || m < INT32_MIN) {
        return false;
    }
    *mv = (int32_t)m;
    return true;
}
