/*
 * libFuzzer target for the JPEG decoder: the first byte picks profile, scale, read chunk size,
 * byte order and arithmetic (TJpgDec's or the default), the rest is the file. Progressive files
 * get no coefficient memory here (fuzz_jpeg_progressive.c gives it). Any input must end with C9_OK or an error, never a
 * crash, hang or out-of-bounds access; every output rectangle must lie inside the scaled image.
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/jpeg.h"

typedef struct src {
    const uint8_t *p;
    size_t n, chunk;
} src_t;

static int32_t rd(void *ctx, uint8_t *buf, uint32_t len) {
    src_t *s = ctx;
    size_t k = len < s->n ? len : s->n;
    if (k > s->chunk)
        k = s->chunk;
    memcpy(buf, s->p, k);
    s->p += k;
    s->n -= k;
    return (int32_t)k;
}

typedef struct sink {
    uint16_t w, h;
    uint32_t sum;
} sink_t;

static c9_err_t out(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *px) {
    sink_t *s = ctx;
    if (r->w == 0 || r->h == 0 || r->x + r->w > s->w || r->y + r->h > s->h)
        abort();
    for (unsigned i = 0; i < (unsigned)r->w * r->h; i++) /* touch every pixel for ASan/MSan */
        s->sum += px[i];
    return C9_OK;
}

static uint8_t work[C9_JPEG_WORKSPACE_FAST];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    c9_jpeg_profile_t prof = (sel & 1) ? C9_JPEG_PROFILE_FAST : C9_JPEG_PROFILE_COMPACT;
    unsigned scale = (sel >> 1) & 3;
    static const size_t chunks[4] = {1, 7, 256, 1u << 20};
    src_t s = {data + 1, size - 1, chunks[(sel >> 3) & 3]};
    c9_jpeg_t *d;
    /* The top bit: open as TJpgDec does (skipping to the first FF D8), as jpegio opens. */
    c9_err_t (*open)(c9_jpeg_t **, void *, size_t, c9_jpeg_profile_t, c9_jpeg_read_fn, void *) =
        (sel & 0x80) ? c9_jpeg_open_scan : c9_jpeg_open;
    if (open(&d, work, c9_jpeg_workspace_size(prof), prof, rd, &s) != C9_OK)
        return 0;
    sink_t k = {0, 0, 0};
    c9_jpeg_scaled_size(d, scale, &k.w, &k.h);
    /* Huge declared sizes with little data end quickly at the first missing byte. */
    unsigned flags = ((sel >> 5) & 1 ? C9_JPEG_SWAP_BYTES : 0) | ((sel >> 6) & 1 ? C9_JPEG_TJPGD : 0);
    (void)c9_jpeg_decode(d, scale, flags, out, &k);
    return 0;
}
