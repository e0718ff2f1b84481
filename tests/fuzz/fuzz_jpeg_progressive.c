/*
 * libFuzzer target for progressive JPEG: the first byte picks profile, scale, read chunk size,
 * arithmetic and how the decode gets its coefficient memory (the size c9_jpeg_coef_size() asks
 * for, a few bytes less, or none with a seek callback, which at 1/8 reads the DC scans side by
 * side); the rest is the file. Any input must end with C9_OK or an error, never a crash, hang or
 * out-of-bounds access; every output rectangle must lie inside the scaled image, and memory the
 * decoder was not given is never touched (ASan sees the exact allocation).
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/jpeg.h"

typedef struct src {
    const uint8_t *base, *p;
    size_t total, n, chunk;
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

static c9_err_t sk(void *ctx, uint32_t off) {
    src_t *s = ctx;
    if (off > s->total)
        return C9_ERR_RANGE;
    s->p = s->base + off;
    s->n = s->total - off;
    return C9_OK;
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

/* Coefficient memory beyond this is not given (huge declared sizes). */
#define MAX_COEF (8u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    unsigned sel = data[0];
    c9_jpeg_profile_t prof = (sel & 1) ? C9_JPEG_PROFILE_FAST : C9_JPEG_PROFILE_COMPACT;
    unsigned scale = (sel >> 1) & 3;
    static const size_t chunks[4] = {1, 7, 256, 1u << 20};
    src_t s = {data + 1, data + 1, size - 1, size - 1, chunks[(sel >> 3) & 3]};
    unsigned flags = (sel >> 5) & 1 ? C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES : 0;
    unsigned memory = sel >> 6; /* 0, 1: what it asks for; 2: 3 bytes less; 3: none, with seek */
    c9_jpeg_t *d;
    if (c9_jpeg_open(&d, work, c9_jpeg_workspace_size(prof), prof, rd, &s) != C9_OK)
        return 0;
    if (memory == 3 && c9_jpeg_set_seek(d, sk) != C9_OK)
        abort();
    size_t need = 0;
    if (c9_jpeg_coef_size(d, scale, flags, &need) != C9_OK || need > MAX_COEF)
        return 0;
    void *mem = NULL;
    if (memory < 3 && need) {
        size_t give = memory == 2 && need > 3 ? need - 3 : need;
        mem = malloc(give);
        if (!mem || c9_jpeg_set_coef_memory(d, mem, give) != C9_OK)
            abort();
    }
    sink_t k = {0, 0, 0};
    c9_jpeg_scaled_size(d, scale, &k.w, &k.h);
    (void)c9_jpeg_decode(d, scale, flags, out, &k);
    free(mem);
    return 0;
}
