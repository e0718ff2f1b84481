/* Fuzzes the HTTP/1.1 response-head parsers: c9_http_head_end on every prefix length the client
 * could see, c9_http_parse_head on what it finds, then the field-value helpers on each field.
 * Every pointer returned must stay inside the input and every error be one of the documented. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/http.h"

static void inside(const void *p, size_t n, const uint8_t *base, size_t len) {
    if (n && ((const uint8_t *)p < base || (const uint8_t *)p + n > base + len)) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    size_t end = c9_http_head_end(buf, size);
    if (end > size) {
        __builtin_trap();
    }
    if (end) {
        /* The head end found in a prefix is the same as in the whole. */
        if (c9_http_head_end(buf, end) != end) {
            __builtin_trap();
        }
        c9_http_head_t h;
        c9_http_field_t f[16];
        c9_err_t err = c9_http_parse_head(buf, end, &h, f, 16);
        if (err == C9_OK) {
            if (h.status < 100 || h.status > 999 || h.nfields > 16) {
                __builtin_trap();
            }
            inside(h.reason, h.reason_len, buf, end);
            for (size_t i = 0; i < h.nfields; i++) {
                inside(f[i].name, f[i].name_len, buf, end);
                inside(f[i].value, f[i].value_len, buf, end);
                uint64_t v;
                (void)c9_http_parse_length(f[i].value, f[i].value_len, &v);
                (void)c9_http_has_token(f[i].value, f[i].value_len, "close");
                (void)c9_http_last_token_is(f[i].value, f[i].value_len, "chunked");
            }
        } else if (err != C9_ERR_HTTP_BAD_STATUS && err != C9_ERR_HTTP_BAD_HEADER &&
                   err != C9_ERR_HTTP_TOO_MANY_HEADERS) {
            __builtin_trap();
        }
    }
    /* Field lines on their own, as trailers are parsed. */
    memcpy(buf, data, size);
    c9_http_field_t t[4];
    size_t nt;
    if (c9_http_parse_fields(buf, size, t, 4, &nt) == C9_OK) {
        for (size_t i = 0; i < nt; i++) {
            inside(t[i].name, t[i].name_len, buf, size);
            inside(t[i].value, t[i].value_len, buf, size);
        }
    }
    free(buf);
    return 0;
}
