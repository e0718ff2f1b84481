/* Fuzzes the chunked-body decoder: the first byte seeds where the input is cut into pieces, the
 * rest is the body. Decoding in pieces must give the same data, trailers and result as decoding
 * in one go; the output never exceeds the input; trailers stay within their buffer. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/http.h"

typedef struct {
    c9_err_t err;
    bool done;
    size_t out_len, used, tlen;
    uint8_t *out;
    uint8_t trailer[256];
} result_t;

static void run(const uint8_t *in, size_t len, unsigned seed, result_t *r) {
    c9_http_chunked_t c;
    c9_http_chunked_init(&c, r->trailer, sizeof r->trailer);
    r->out = malloc(len ? len : 1);
    r->out_len = 0;
    r->used = 0;
    r->err = C9_OK;
    uint8_t *piece = malloc(len ? len : 1);
    size_t pos = 0;
    while (pos < len && !c.done) {
        size_t n = seed ? 1 + (seed = seed * 1103515245u + 12345u) % 17 : len - pos;
        if (n > len - pos) {
            n = len - pos;
        }
        memcpy(piece, in + pos, n);
        size_t used, made;
        r->err = c9_http_chunked_decode(&c, piece, n, &used, &made);
        if (made > used || used > n) {
            __builtin_trap();
        }
        memcpy(r->out + r->out_len, piece, made);
        r->out_len += made;
        r->used += used;
        if (r->err != C9_OK) {
            break;
        }
        if (!c.done && used != n) {
            __builtin_trap();
        }
        pos += n;
    }
    if (c.trailer_len > sizeof r->trailer) {
        __builtin_trap();
    }
    r->done = c.done;
    r->tlen = c.trailer_len;
    free(piece);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    unsigned seed = data[0] | 1u;
    result_t whole, parts;
    run(data + 1, size - 1, 0, &whole);
    run(data + 1, size - 1, seed, &parts);
    if (whole.err != parts.err || whole.done != parts.done || whole.out_len != parts.out_len ||
        memcmp(whole.out, parts.out, whole.out_len) != 0 || whole.tlen != parts.tlen ||
        memcmp(whole.trailer, parts.trailer, whole.tlen) != 0 || (whole.err == C9_OK && whole.used != parts.used)) {
        __builtin_trap();
    }
    if (whole.err == C9_OK && whole.done) {
        c9_http_field_t f[8];
        size_t n;
        (void)c9_http_parse_fields(whole.trailer, whole.tlen, f, 8, &n);
    }
    free(whole.out);
    free(parts.out);
    return 0;
}
