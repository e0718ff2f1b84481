/*
 * JPEG input: the caller's read callback behind a small buffer, header bytes, and the byte
 * source of the entropy decoder's slow path (stuffed bytes, markers, the end of the input).
 */
#include "jpeg_internal.h"

/* Keeps unread bytes, tops the buffer up. Returns bytes added, 0 at the end, or an error. */
int32_t c9_jpeg_fill_input(c9_jpeg_t *d) {
    size_t keep = (size_t)(d->in_end - d->in_ptr);
    d->in_base += (uint32_t)(d->in_ptr - d->inbuf);
    if (keep && d->in_ptr != d->inbuf)
        memmove(d->inbuf, d->in_ptr, keep);
    d->in_ptr = d->inbuf;
    d->in_end = d->inbuf + keep;
    int32_t got = d->read(d->read_ctx, d->inbuf + keep, (uint32_t)(d->in_cap - keep));
    if (got < 0)
        return got;
    if ((uint32_t)got > d->in_cap - keep) /* a misbehaving callback must not make us overrun */
        got = (int32_t)(d->in_cap - keep);
    d->in_end += got;
    return got;
}

int c9_jpeg_get8(c9_jpeg_t *d) {
    if (C9_UNLIKELY(d->in_ptr == d->in_end)) {
        int32_t r = c9_jpeg_fill_input(d);
        if (r <= 0)
            return r < 0 ? r : C9_ERR_JPEG_TRUNCATED;
    }
    return *d->in_ptr++;
}

int c9_jpeg_get16(c9_jpeg_t *d) {
    int a = c9_jpeg_get8(d);
    if (a < 0)
        return a;
    int b = c9_jpeg_get8(d);
    if (b < 0)
        return b;
    return (a << 8) | b;
}

c9_err_t c9_jpeg_skip_bytes(c9_jpeg_t *d, uint32_t n) {
    while (n) {
        if (d->in_ptr == d->in_end) {
            int32_t r = c9_jpeg_fill_input(d);
            if (r <= 0)
                return r < 0 ? r : C9_ERR_JPEG_TRUNCATED;
        }
        uint32_t k = (uint32_t)(d->in_end - d->in_ptr);
        if (k > n)
            k = n;
        d->in_ptr += k;
        n -= k;
    }
    return C9_OK;
}

C9_NOINLINE unsigned c9_jpeg_slow_byte(c9_jpeg_t *d) {
    for (;;) {
        if (d->marker) {
            d->pad_bits += 8;
            return 0;
        }
        if (d->in_end - d->in_ptr < 2) {
            int32_t r = c9_jpeg_fill_input(d);
            if (r < 0 && !d->err)
                d->err = r;
            if (r <= 0) {
                if (d->in_ptr < d->in_end && *d->in_ptr != 0xFF)
                    return *d->in_ptr++;
                d->marker = MARK_EOF; /* a lone final 0xFF counts as the end too */
                continue;
            }
            continue;
        }
        unsigned c = d->in_ptr[0];
        if (c != 0xFF) {
            d->in_ptr++;
            return c;
        }
        unsigned c2 = d->in_ptr[1];
        if (c2 == 0) {
            d->in_ptr += 2;
            return 0xFF;
        }
        if (c2 == 0xFF) { /* fill byte before a marker */
            d->in_ptr++;
            continue;
        }
        d->marker = (uint16_t)c2; /* left unread at in_ptr */
    }
}
