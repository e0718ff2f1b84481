/*
 * Progressive JPEG. The reference is libjpeg-turbo's lossless transcoding (what jpegtran does):
 * a progressive file written from a baseline file's coefficients must decode to exactly the
 * baseline file's pixels, in both arithmetics, both profiles, at every scale.
 * The IJG test image, transcoded, must still give the board's pixels. Scan scripts cover
 * spectral selection alone, successive approximation several bits deep, DC scans per component,
 * and restart intervals.
 */
#include "jpeg_testlib.h"

/* Decodes with the coefficient memory c9_jpeg_coef_size() asks for (plus `extra` bytes, which
 * may be negative to give too little). *need receives that size. */
static c9_err_t decode_prog(const buf_t *b, c9_jpeg_profile_t prof, unsigned scale, unsigned flags, size_t chunk,
                            long extra, img_t *im, size_t *need) {
    src_t s = {.p = b->p, .n = b->n, .chunk = chunk};
    c9_jpeg_t *d;
    memset(im, 0, sizeof *im);
    c9_err_t e = c9_jpeg_open(&d, work_mem + 1, c9_jpeg_workspace_size(prof), prof, src_read, &s);
    if (e != C9_OK)
        return e;
    size_t n = 0;
    e = c9_jpeg_coef_size(d, scale, flags, &n);
    if (e != C9_OK)
        return e;
    if (need)
        *need = n;
    size_t give = (size_t)((long)n + extra);
    uint8_t *mem = NULL;
    if (give) {
        /* Misaligned on purpose: the decoder aligns it, which costs the byte added here. */
        mem = malloc(give + 2);
        assert_int_equal(c9_jpeg_set_coef_memory(d, mem + 1, give + 1), C9_OK);
    }
    uint16_t w, h;
    c9_jpeg_scaled_size(d, scale, &w, &h);
    img_init(im, w, h);
    e = c9_jpeg_decode(d, scale, flags, put, im);
    free(mem);
    return e;
}

/* Scan scripts (libjpeg's jpeg_scan_info: components, Ss, Se, Ah, Al). */
static const jpeg_scan_info spectral_only[] = {
    {3, {0, 1, 2}, 0, 0, 0, 0}, {1, {0}, 1, 5, 0, 0},  {1, {2}, 1, 63, 0, 0},
    {1, {1}, 1, 63, 0, 0},      {1, {0}, 6, 63, 0, 0},
};
static const jpeg_scan_info deep_approximation[] = {
    {3, {0, 1, 2}, 0, 0, 0, 2}, {1, {0}, 1, 63, 0, 3}, {3, {0, 1, 2}, 0, 0, 2, 1}, {1, {1}, 1, 63, 0, 2},
    {1, {2}, 1, 63, 0, 2},      {1, {0}, 1, 63, 3, 2}, {1, {0}, 1, 63, 2, 1},      {1, {1}, 1, 63, 2, 1},
    {3, {0, 1, 2}, 0, 0, 1, 0}, {1, {0}, 1, 63, 1, 0}, {1, {1}, 1, 63, 1, 0},      {1, {2}, 1, 63, 2, 1},
    {1, {2}, 1, 63, 1, 0},
};
static const jpeg_scan_info dc_per_component[] = {
    {1, {0}, 0, 0, 0, 1}, {1, {1}, 0, 0, 0, 0},  {1, {2}, 0, 0, 0, 0},  {1, {0}, 1, 9, 0, 0},
    {1, {0}, 0, 0, 1, 0}, {1, {2}, 1, 63, 0, 0}, {1, {1}, 1, 63, 0, 0}, {1, {0}, 10, 63, 0, 0},
};
static const jpeg_scan_info gray_script[] = {
    {1, {0}, 0, 0, 0, 1}, {1, {0}, 1, 2, 0, 1}, {1, {0}, 3, 63, 0, 1}, {1, {0}, 0, 0, 1, 0}, {1, {0}, 1, 63, 1, 0},
};

typedef struct script {
    const char *name;
    const jpeg_scan_info *scans; /* NULL: libjpeg's default progression */
    int n;
    int restart;
    bool color_only;
} script_t;

static const script_t scripts[] = {
    {"libjpeg default", NULL, 0, 0, false},
    {"libjpeg default, restart every 3 MCUs", NULL, 0, 3, false},
    {"spectral selection only", spectral_only, 5, 0, true},
    {"successive approximation 3 bits deep", deep_approximation, 13, 0, true},
    {"DC per component, restart every MCU", dc_per_component, 8, 1, true},
};

/* prog decodes exactly as base does, given the coefficient memory it asks for. */
static void check_same_as_baseline(const buf_t *base, const buf_t *prog, const char *what) {
    for (unsigned scale = 0; scale < 4; scale++) {
        for (unsigned f = 0; f < 2; f++) {
            unsigned flags = f ? C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES : 0;
            for (c9_jpeg_profile_t prof = C9_JPEG_PROFILE_COMPACT; prof <= C9_JPEG_PROFILE_FAST; prof++) {
                img_t want, got;
                assert_int_equal(decode_img(base, prof, scale, flags, 4096, 0, &want), C9_OK);
                c9_err_t e = decode_prog(prog, prof, scale, flags, 29, 0, &got, NULL);
                if (e != C9_OK)
                    fail_msg("%s 1/%u flags %u profile %d: error %d (%s)", what, 1u << scale, flags, prof, e,
                             c9_jpeg_strerror(e));
                assert_int_equal(got.w, want.w);
                assert_int_equal(got.h, want.h);
                for (size_t i = 0; i < (size_t)got.w * got.h; i++)
                    assert_int_equal(got.hits[i], want.hits[i]);
                for (size_t i = 0; i < (size_t)got.w * got.h; i++)
                    if (got.px[i] != want.px[i])
                        fail_msg("%s 1/%u flags %u profile %d: pixel %zu,%zu %04x, baseline %04x", what, 1u << scale,
                                 flags, prof, i % got.w, i / got.w, got.px[i], want.px[i]);
                img_free(&want);
                img_free(&got);
            }
        }
    }
}

static void test_same_pixels_as_baseline(void **state) {
    (void)state;
    static const char *const files[] = {"s444.jpg",           "s422.jpg",     "s420.jpg",          "s440.jpg",
                                        "s411.jpg",           "gray.jpg",     "odd_420_37x29.jpg", "odd_422_23x17.jpg",
                                        "odd_gray_13x11.jpg", "q100_444.jpg", "opt_420_q50.jpg"};
    for (size_t f = 0; f < C9_ARRAY_SIZE(files); f++) {
        buf_t base = load(files[f]);
        coefs_t k;
        assert_true(lj_coefs(&base, &k));
        for (size_t s = 0; s < C9_ARRAY_SIZE(scripts); s++) {
            if (scripts[s].color_only && k.ncomp != 3)
                continue;
            buf_t prog = lj_transcode(&base, scripts[s].scans, scripts[s].n, scripts[s].restart);
            char what[160];
            snprintf(what, sizeof what, "%s, %s", files[f], scripts[s].name);
            check_same_as_baseline(&base, &prog, what);
            free(prog.p);
        }
        if (k.ncomp == 1) {
            buf_t prog = lj_transcode(&base, gray_script, 5, 2);
            check_same_as_baseline(&base, &prog, "gray script");
            free(prog.p);
        }
        coefs_free(&k);
        free(base.p);
    }
    /* Dense coefficients (quality 100 noise): long runs of refinement bits. */
    enc_t e = {75, 43, 3, {2, 1, 1}, {1, 1, 1}, 100, 0, false, false, 90, 21, false};
    buf_t base = lj_encode(&e);
    for (size_t s = 0; s < C9_ARRAY_SIZE(scripts); s++) {
        buf_t prog = lj_transcode(&base, scripts[s].scans, scripts[s].n, scripts[s].restart);
        check_same_as_baseline(&base, &prog, scripts[s].name);
        free(prog.p);
    }
    free(base.p);
}

/* The IJG test image made progressive still gives the board's pixels at every scale. */
static void test_board_pixels_progressive(void **state) {
    (void)state;
    buf_t base = load("testorig_227x149.jpg");
    buf_t prog = lj_transcode(&base, NULL, 0, 0);
    for (unsigned scale = 0; scale < 4; scale++) {
        img_t im;
        assert_int_equal(
            decode_prog(&prog, C9_JPEG_PROFILE_COMPACT, scale, C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES, 100, 0, &im, NULL),
            C9_OK);
        unsigned w = 227 >> scale, h = 149 >> scale;
        assert_covered(&im, w, h, "progressive testorig");
        char got[65];
        image_hash(im.px, im.w, w, h, got);
        assert_string_equal(got, board_hash("testorig_227x149", scale));
        img_free(&im);
    }
    free(prog.p);
    free(base.p);
}

/* Against libjpeg-turbo's accurate decode of the same progressive file, on a picture without
 * the fixtures' saturated colour edges: the PSNR goals (38 dB at 1/1, 34 dB at 1/8). */
static void test_psnr_against_libjpeg(void **state) {
    (void)state;
    enc_t e = {160, 120, 3, {2, 1, 1}, {2, 1, 1}, 85, 4, true, true, 3, 31, true};
    buf_t prog = lj_encode(&e);
    for (unsigned scale = 0; scale < 4; scale += 3) {
        unsigned rw, rh;
        uint8_t *ref = lj_decode(&prog, scale, &rw, &rh);
        assert_non_null(ref);
        img_t im;
        assert_int_equal(decode_prog(&prog, C9_JPEG_PROFILE_FAST, scale, 0, 4096, 0, &im, NULL), C9_OK);
        assert_int_equal(im.w, rw);
        double db = psnr565(im.px, im.w, ref, rw, rw, rh);
        if (getenv("C9_TEST_VERBOSE"))
            printf("progressive 1/%u: %.2f dB\n", 1u << scale, db);
        if (db < (scale ? 34 : 38))
            fail_msg("progressive 1/%u: %.2f dB", 1u << scale, db);
        free(ref);
        img_free(&im);
    }
    free(prog.p);
}

/* 1/8 without coefficient memory: the DC scans read side by side through the seek callback.
 * *need is what c9_jpeg_coef_size() asked for. */
static c9_err_t decode_stream(const buf_t *b, c9_jpeg_profile_t prof, unsigned flags, size_t chunk, img_t *im,
                              size_t *need, unsigned *seeks) {
    src_t s = {.p = b->p, .n = b->n, .chunk = chunk, .base = b->p, .total = b->n};
    c9_jpeg_t *d;
    memset(im, 0, sizeof *im);
    c9_err_t e = c9_jpeg_open(&d, work_mem + 1, c9_jpeg_workspace_size(prof), prof, src_read, &s);
    if (e != C9_OK)
        return e;
    assert_int_equal(c9_jpeg_set_seek(d, src_seek), C9_OK);
    e = c9_jpeg_coef_size(d, 3, flags, need);
    if (e != C9_OK)
        return e;
    uint16_t w, h;
    c9_jpeg_scaled_size(d, 3, &w, &h);
    img_init(im, w, h);
    e = c9_jpeg_decode(d, 3, flags, put, im);
    *seeks = s.seeks;
    return e;
}

/* Without memory the 1/8 image is made of DC values alone: in TJpgDec's arithmetic (always DCs)
 * exactly the baseline twin's; in the default one as well where that keeps only DCs (all but
 * 4:2:0 chroma, which is held to libjpeg-turbo's 1/8 decode by PSNR on a photo-like picture). */
static void test_one_eighth_without_memory(void **state) {
    (void)state;
    static const char *const files[] = {"s444.jpg",          "s422.jpg",           "s440.jpg",
                                        "s411.jpg",          "gray.jpg",           "s420.jpg",
                                        "odd_420_37x29.jpg", "odd_gray_13x11.jpg", "rst5_444.jpg"};
    for (size_t f = 0; f < C9_ARRAY_SIZE(files); f++) {
        buf_t base = load(files[f]);
        coefs_t k;
        assert_true(lj_coefs(&base, &k));
        bool c420 = k.ncomp == 3 && k.hmax / k.hs[1] == 2 && k.vmax / k.vs[1] == 2;
        for (size_t s = 0; s < C9_ARRAY_SIZE(scripts); s++) {
            if (scripts[s].color_only && k.ncomp != 3)
                continue;
            buf_t prog = lj_transcode(&base, scripts[s].scans, scripts[s].n, scripts[s].restart);
            /* DC scans per component read side by side only when each takes one block an MCU. */
            bool streams = scripts[s].scans != dc_per_component || (k.hmax == 1 && k.vmax == 1);
            for (unsigned tj = 0; tj < 2; tj++) {
                unsigned flags = tj ? C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES : 0;
                for (c9_jpeg_profile_t prof = C9_JPEG_PROFILE_COMPACT; prof <= C9_JPEG_PROFILE_FAST; prof++) {
                    img_t got, want;
                    size_t need = 0;
                    unsigned seeks = 0;
                    /* One byte a read puts every FF at the end of a DC scan's buffer. */
                    c9_err_t e = decode_stream(&prog, prof, flags, prof ? 53 : 1, &got, &need, &seeks);
                    if (!streams) {
                        assert_true(need > 0);
                        assert_int_equal(e, C9_ERR_NOMEM);
                        img_free(&got);
                        continue;
                    }
                    if (e != C9_OK || need)
                        fail_msg("%s, %s, flags %u: error %d, asks for %zu bytes", files[f], scripts[s].name, flags, e,
                                 need);
                    assert_true(seeks > 0);
                    assert_int_equal(decode_img(&base, prof, 3, flags, 4096, 0, &want), C9_OK);
                    for (size_t i = 0; i < (size_t)got.w * got.h; i++) {
                        assert_int_equal(got.hits[i], want.hits[i]);
                        if (!tj && c420)
                            continue;
                        if (got.px[i] != want.px[i])
                            fail_msg("%s, %s, flags %u: pixel %zu is %04x, baseline %04x", files[f], scripts[s].name,
                                     flags, i, got.px[i], want.px[i]);
                    }
                    img_free(&got);
                    img_free(&want);
                }
            }
            free(prog.p);
        }
        coefs_free(&k);
        free(base.p);
    }
    enc_t e = {160, 120, 3, {2, 1, 1}, {2, 1, 1}, 85, 4, true, true, 3, 33, true};
    buf_t prog = lj_encode(&e);
    img_t im;
    size_t need;
    unsigned seeks;
    assert_int_equal(decode_stream(&prog, C9_JPEG_PROFILE_COMPACT, 0, 4096, &im, &need, &seeks), C9_OK);
    assert_int_equal(need, 0u);
    unsigned rw, rh;
    uint8_t *ref = lj_decode(&prog, 3, &rw, &rh);
    double db = psnr565(im.px, im.w, ref, rw, rw, rh);
    if (getenv("C9_TEST_VERBOSE"))
        printf("progressive 1/8 without memory: %.2f dB\n", db);
    if (db < 34)
        fail_msg("progressive 1/8 without memory: %.2f dB", db);
    free(ref);
    img_free(&im);
    free(prog.p);
}

static void test_memory(void **state) {
    (void)state;
    buf_t base = load("s420.jpg"); /* 64x48: 4 x 3 MCUs of 6 blocks */
    buf_t prog = lj_transcode(&base, NULL, 0, 0);
    for (unsigned scale = 0; scale < 4; scale++) {
        img_t im;
        size_t need = 0;
        assert_int_equal(decode_prog(&prog, C9_JPEG_PROFILE_COMPACT, scale, 0, 4096, 0, &im, &need), C9_OK);
        /* At 1/8 the 48 luma blocks keep their DC, 4:2:0 chroma (24 blocks) all 64 coefficients. */
        assert_int_equal(need, scale == 3 ? (size_t)48 * 2 + 24 * 128 : (size_t)72 * 128);
        img_free(&im);
        assert_int_equal(decode_prog(&prog, C9_JPEG_PROFILE_COMPACT, scale, C9_JPEG_TJPGD, 4096, 0, &im, &need), C9_OK);
        assert_int_equal(need, (size_t)72 * (scale == 3 ? 2 : 128));
        img_free(&im);
        /* One byte short, or none at all. */
        assert_int_equal(decode_prog(&prog, C9_JPEG_PROFILE_COMPACT, scale, 0, 4096, -1, &im, NULL), C9_ERR_NOMEM);
        assert_int_equal(im.calls, 0u);
        img_free(&im);
        assert_int_equal(decode_prog(&prog, C9_JPEG_PROFILE_COMPACT, scale, 0, 4096, -(long)need, &im, NULL),
                         C9_ERR_NOMEM);
        img_free(&im);
    }
    /* Baseline files need none. */
    img_t im;
    size_t need = 1;
    assert_int_equal(decode_prog(&base, C9_JPEG_PROFILE_COMPACT, 0, 0, 4096, 0, &im, &need), C9_OK);
    assert_int_equal(need, 0u);
    img_free(&im);
    free(prog.p);
    free(base.p);
}

static void test_broken_progressive(void **state) {
    (void)state;
    buf_t base = load("s420.jpg");
    buf_t prog = lj_transcode(&base, NULL, 0, 0);
    /* Cut inside the scans: an error whether the scan is decoded, stepped over or surveyed. */
    for (size_t cut = prog.n / 8; cut < prog.n / 3; cut += prog.n / 16) {
        buf_t t = {prog.p, cut};
        for (unsigned scale = 0; scale < 4; scale += 3) {
            img_t im;
            c9_err_t e = decode_prog(&t, C9_JPEG_PROFILE_COMPACT, scale, 0, 4096, 0, &im, NULL);
            if (e != C9_ERR_JPEG_TRUNCATED)
                fail_msg("cut at %zu 1/%u: %d", cut, 1u << scale, e);
            assert_int_equal(im.calls, 0u); /* a progressive image is output after its last scan */
            img_free(&im);
        }
    }
    /* The same cuts read without memory at 1/8. */
    for (size_t cut = prog.n / 8; cut < prog.n; cut += prog.n / 9) {
        buf_t t = {prog.p, cut};
        img_t im;
        size_t need;
        unsigned seeks;
        c9_err_t e = decode_stream(&t, C9_JPEG_PROFILE_COMPACT, 0, 4096, &im, &need, &seeks);
        if (e != C9_ERR_JPEG_TRUNCATED)
            fail_msg("cut at %zu without memory: %d", cut, e);
        img_free(&im);
    }
    /* Corrupt entropy data: an error or garbage, never a crash (the fuzzer goes further). */
    buf_t c = {malloc(prog.n), prog.n};
    memcpy(c.p, prog.p, prog.n);
    for (size_t i = prog.n / 4; i < prog.n - 2; i += 5)
        c.p[i] = (uint8_t)(c.p[i] * 7 + 3);
    img_t im;
    c9_err_t e = decode_prog(&c, C9_JPEG_PROFILE_FAST, 0, 0, 4096, 0, &im, NULL);
    assert_true(e == C9_OK || e == C9_ERR_JPEG_DATA || e == C9_ERR_JPEG_FORMAT || e == C9_ERR_JPEG_TRUNCATED);
    img_free(&im);
    free(c.p);
    free(prog.p);
    free(base.p);
}

/* c9_jpeg_open_scan(): what comes before the first FF D8 is skipped as TJpgDec skips it, at any
 * chunking of the input, and the seek callback's offsets count from the input's first byte, so a
 * progressive file behind junk still decodes at 1/8 by seeking. */
static void test_open_scan_skips_to_soi(void **state) {
    (void)state;
    static const uint8_t junk[] = {0x00, 0xFF, 0x00, 0xFF, 0xFF, 0xD9, 0x12, 0xFF};
    buf_t base = load("s420.jpg");
    buf_t prog = lj_transcode(&base, NULL, 0, 0);
    for (int which = 0; which < 2; which++) {
        buf_t *b = which ? &prog : &base;
        size_t n = sizeof junk + b->n;
        uint8_t *p = malloc(n);
        memcpy(p, junk, sizeof junk);
        memcpy(p + sizeof junk, b->p, b->n);
        for (size_t chunk = 1; chunk <= 4096; chunk *= 7) {
            src_t s = {.p = p, .n = n, .chunk = chunk, .base = p, .total = n};
            c9_jpeg_t *d;
            assert_int_equal(
                c9_jpeg_open(&d, work_mem + 1, C9_JPEG_WORKSPACE_COMPACT, C9_JPEG_PROFILE_COMPACT, src_read, &s),
                C9_ERR_JPEG_FORMAT);
            s = (src_t){.p = p, .n = n, .chunk = chunk, .base = p, .total = n};
            assert_int_equal(
                c9_jpeg_open_scan(&d, work_mem + 1, C9_JPEG_WORKSPACE_COMPACT, C9_JPEG_PROFILE_COMPACT, src_read, &s),
                C9_OK);
            c9_jpeg_info_t info;
            assert_int_equal(c9_jpeg_get_info(d, &info), C9_OK);
            assert_int_equal(info.soi_offset, sizeof junk);
            assert_int_equal(info.width, 64);
            unsigned scale = which ? 3 : 0;
            if (which) {
                assert_int_equal(c9_jpeg_set_seek(d, src_seek), C9_OK);
                size_t need = 1;
                assert_int_equal(c9_jpeg_coef_size(d, scale, C9_JPEG_TJPGD, &need), C9_OK);
                assert_int_equal(need, 0u);
            }
            uint16_t w, h;
            c9_jpeg_scaled_size(d, scale, &w, &h);
            img_t got, want;
            img_init(&got, w, h);
            assert_int_equal(c9_jpeg_decode(d, scale, C9_JPEG_TJPGD, put, &got), C9_OK);
            if (which) {
                assert_true(s.seeks > 0);
            }
            assert_int_equal(decode_img(&base, C9_JPEG_PROFILE_COMPACT, scale, C9_JPEG_TJPGD, 4096, 0, &want), C9_OK);
            assert_memory_equal(got.px, want.px, (size_t)got.w * got.h * sizeof got.px[0]);
            img_free(&got);
            img_free(&want);
        }
        free(p);
    }
    /* No FF D8 before the end: a truncated file, as TJpgDec reports it (JDR_INP). */
    src_t s = {.p = junk, .n = sizeof junk, .chunk = 3};
    c9_jpeg_t *d;
    assert_int_equal(
        c9_jpeg_open_scan(&d, work_mem + 1, C9_JPEG_WORKSPACE_COMPACT, C9_JPEG_PROFILE_COMPACT, src_read, &s),
        C9_ERR_JPEG_TRUNCATED);
    free(prog.p);
    free(base.p);
}

/* c9_jpeg_set_crop(): only the crop area reaches the callback, each pixel once, with the pixels
 * the whole decode gives there; blocks cut by the area come with their stride. Baseline and
 * progressive, at every scale, both arithmetics. */
static void test_crop_area(void **state) {
    (void)state;
    buf_t base = load("odd_420_37x29.jpg");
    buf_t prog = lj_transcode(&base, NULL, 0, 0);
    static const c9_jpeg_rect_t areas[] = {{5, 3, 17, 11, 0}, {0, 0, 1, 1, 0}, {30, 20, 100, 100, 0}, {8, 8, 8, 8, 0}};
    for (int which = 0; which < 2; which++) {
        const buf_t *b = which ? &prog : &base;
        for (unsigned scale = 0; scale < 4; scale++) {
            for (unsigned tj = 0; tj < 2; tj++) {
                unsigned flags = tj ? C9_JPEG_TJPGD : 0;
                img_t whole;
                assert_int_equal(decode_prog(b, C9_JPEG_PROFILE_COMPACT, scale, flags, 4096, 0, &whole, NULL), C9_OK);
                for (size_t a = 0; a < C9_ARRAY_SIZE(areas); a++) {
                    src_t s = {.p = b->p, .n = b->n, .chunk = 4096};
                    c9_jpeg_t *d;
                    assert_int_equal(c9_jpeg_open(&d, work_mem + 1, C9_JPEG_WORKSPACE_COMPACT, C9_JPEG_PROFILE_COMPACT,
                                                  src_read, &s),
                                     C9_OK);
                    size_t need = 0;
                    assert_int_equal(c9_jpeg_coef_size(d, scale, flags, &need), C9_OK);
                    uint8_t *mem = need ? malloc(need) : NULL;
                    if (need)
                        assert_int_equal(c9_jpeg_set_coef_memory(d, mem, need), C9_OK);
                    assert_int_equal(c9_jpeg_set_crop(d, &areas[a]), C9_OK);
                    img_t got;
                    img_init(&got, whole.w, whole.h);
                    assert_int_equal(c9_jpeg_decode(d, scale, flags, put, &got), C9_OK);
                    free(mem);
                    const c9_jpeg_rect_t *r = &areas[a];
                    for (unsigned y = 0; y < got.h; y++) {
                        for (unsigned x = 0; x < got.w; x++) {
                            size_t i = (size_t)y * got.w + x;
                            /* inside the area and inside what the whole decode outputs */
                            bool in = x >= r->x && x < (unsigned)r->x + r->w && y >= r->y &&
                                      y < (unsigned)r->y + r->h && whole.hits[i];
                            if (got.hits[i] != (in ? 1 : 0) || (in && got.px[i] != whole.px[i]))
                                fail_msg("%s scale %u flags %u area %zu: pixel %u,%u hit %u times, %04x not %04x",
                                         which ? "progressive" : "baseline", scale, flags, a, x, y, got.hits[i],
                                         got.px[i], whole.px[i]);
                        }
                    }
                    img_free(&got);
                }
                img_free(&whole);
            }
        }
    }
    assert_int_equal(c9_jpeg_set_crop(NULL, NULL), C9_ERR_INVAL);
    free(prog.p);
    free(base.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_pixels_as_baseline),
        cmocka_unit_test(test_board_pixels_progressive),
        cmocka_unit_test(test_psnr_against_libjpeg),
        cmocka_unit_test(test_one_eighth_without_memory),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_broken_progressive),
        cmocka_unit_test(test_open_scan_skips_to_soi),
        cmocka_unit_test(test_crop_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
