/*
 * C9_JPEG_TJPGD: a CircuitPython 9 board's pixels, bit for bit.
 *
 * References (tests/fixtures/jpeg/PROVENANCE.md): tjpgd.sha256 holds the SHA-256 of what a
 * board's decoder (TJpgDec R0.03 as CircuitPython 9.2.9 configures it) outputs for the IJG test
 * image and for the fixtures it decodes, at every scale. For generated images, and for sampling
 * TJpgDec rejects, the reference is the independent model in jpeg_testlib.h, computed from the
 * coefficients libjpeg-turbo reads; the model is itself checked against every board hash first.
 */
#include "jpeg_testlib.h"

static const char *const board_files[] = {
    "testorig_227x149", "s444",           "s422",     "s420",     "gray",        "odd_420_37x29",
    "odd_422_23x17",    "odd_gray_13x11", "rst1_420", "rst5_444", "opt_420_q50", "q100_444",
};

static void image_size(const buf_t *b, unsigned *w, unsigned *h) {
    src_t s = {.p = b->p, .n = b->n, .chunk = 4096};
    c9_jpeg_t *d;
    c9_jpeg_info_t info;
    assert_int_equal(c9_jpeg_open(&d, work_mem, C9_JPEG_WORKSPACE_COMPACT, C9_JPEG_PROFILE_COMPACT, src_read, &s),
                     C9_OK);
    assert_int_equal(c9_jpeg_get_info(d, &info), C9_OK);
    *w = info.width;
    *h = info.height;
}

#define BOTH_PROFILES(p) for (c9_jpeg_profile_t p = C9_JPEG_PROFILE_COMPACT; p <= C9_JPEG_PROFILE_FAST; p++)

static void test_board_references(void **state) {
    (void)state;
    unsigned checked = 0;
    for (size_t f = 0; f < C9_ARRAY_SIZE(board_files); f++) {
        char name[96];
        snprintf(name, sizeof name, "%s.jpg", board_files[f]);
        buf_t b = load(name);
        unsigned W, H;
        image_size(&b, &W, &H);
        for (unsigned scale = 0; scale < 4; scale++) {
            const char *want = board_hash(board_files[f], scale);
            assert_non_null(want);
            BOTH_PROFILES(prof) {
                /* Whole input at once, and seven bytes per read (every buffer boundary moves). */
                for (size_t chunk = 7; chunk <= 4096; chunk += 4089) {
                    img_t im;
                    assert_int_equal(decode_img(&b, prof, scale, C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES, chunk, 2, &im),
                                     C9_OK);
                    /* The board writes (width >> scale) x (height >> scale), each pixel once. */
                    unsigned w = W >> scale, h = H >> scale;
                    assert_covered(&im, w, h, name);
                    char got[65];
                    image_hash(im.px, im.w, w, h, got);
                    if (strcmp(got, want))
                        fail_msg("%s 1/%u profile %d chunk %zu: %s, board %s", name, 1u << scale, prof, chunk, got,
                                 want);
                    img_free(&im);
                    checked++;
                }
            }
        }
        free(b.p);
    }
    assert_int_equal(checked, C9_ARRAY_SIZE(board_files) * 4 * 2 * 2);
}

/* The model reproduces every board reference: it may then judge images without one. */
static void test_model_matches_board(void **state) {
    (void)state;
    for (size_t f = 0; f < C9_ARRAY_SIZE(board_files); f++) {
        char name[96];
        snprintf(name, sizeof name, "%s.jpg", board_files[f]);
        buf_t b = load(name);
        coefs_t k;
        assert_true(lj_coefs(&b, &k));
        for (unsigned scale = 0; scale < 4; scale++) {
            unsigned w, h;
            uint16_t *m = model_image(&k, scale, &w, &h);
            char got[65];
            image_hash(m, w, w, h, got);
            const char *want = board_hash(board_files[f], scale);
            if (strcmp(got, want))
                fail_msg("model of %s 1/%u: %s, board %s", name, 1u << scale, got, want);
            free(m);
        }
        coefs_free(&k);
        free(b.p);
    }
}

/* Decodes b in TJPGD mode in both profiles at every scale and compares with the model. */
static void check_against_model(const buf_t *b, const char *what) {
    coefs_t k;
    assert_true(lj_coefs(b, &k));
    for (unsigned scale = 0; scale < 4; scale++) {
        unsigned w, h;
        uint16_t *m = model_image(&k, scale, &w, &h);
        BOTH_PROFILES(prof) {
            img_t im;
            assert_int_equal(decode_img(b, prof, scale, C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES, 61, 0, &im), C9_OK);
            assert_covered(&im, w, h, what);
            for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x++)
                    if (im.px[(size_t)y * im.w + x] != m[(size_t)y * w + x])
                        fail_msg("%s 1/%u profile %d: pixel %u,%u is %04x, model %04x", what, 1u << scale, prof, x, y,
                                 im.px[(size_t)y * im.w + x], m[(size_t)y * w + x]);
            img_free(&im);
        }
        free(m);
    }
    coefs_free(&k);
}

/* Sampling, sizes, quality, restart intervals and table kinds the fixtures do not all reach,
 * 4:4:0 and 4:1:1 included (TJpgDec rejects those; the same arithmetic applies). */
static void test_generated_against_model(void **state) {
    (void)state;
    static const enc_t cases[] = {
        {67, 45, 3, {2, 1, 1}, {2, 1, 1}, 100, 0, false, false, 40, 1, false},  /* 4:2:0, dense */
        {67, 45, 3, {2, 1, 1}, {2, 1, 1}, 30, 0, true, false, 80, 2, false},    /* 4:2:0, coarse */
        {83, 29, 3, {2, 1, 1}, {1, 1, 1}, 90, 3, false, false, 20, 3, false},   /* 4:2:2, restarts */
        {41, 37, 3, {1, 1, 1}, {1, 1, 1}, 100, 0, false, false, 120, 4, false}, /* 4:4:4, noisy */
        {33, 50, 3, {1, 1, 1}, {2, 1, 1}, 85, 0, false, false, 10, 5, false},   /* 4:4:0 */
        {70, 20, 3, {4, 1, 1}, {1, 1, 1}, 85, 2, true, false, 10, 6, false},    /* 4:1:1 */
        {29, 31, 1, {1}, {1}, 100, 1, false, false, 60, 7, false},              /* gray */
        {8, 8, 3, {2, 1, 1}, {2, 1, 1}, 75, 0, false, false, 0, 8, false},      /* one partial MCU */
        {300, 17, 3, {2, 1, 1}, {2, 1, 1}, 95, 7, true, false, 255, 9, false},  /* saturated noise */
    };
    for (size_t n = 0; n < C9_ARRAY_SIZE(cases); n++) {
        buf_t b = lj_encode(&cases[n]);
        char what[64];
        snprintf(what, sizeof what, "generated case %zu", n);
        check_against_model(&b, what);
        free(b.p);
    }
    /* Fixtures TJpgDec rejects, and the one it stops on (no EOI). */
    static const char *const others[] = {"s440.jpg", "s411.jpg", "bad_noeoi.jpg"};
    for (size_t n = 0; n < C9_ARRAY_SIZE(others); n++) {
        buf_t b = load(others[n]);
        check_against_model(&b, others[n]);
        free(b.p);
    }
}

/* Luma not sampled the most (Y 1x1 with 2x2 chroma): TJpgDec's arithmetic cannot write over the
 * luma plane, so the decoder uses its own arithmetic, still inside the board's output area. */
static void test_luma_not_largest(void **state) {
    (void)state;
    enc_t e = {45, 27, 3, {1, 2, 1}, {1, 2, 1}, 85, 0, false, false, 10, 11, false};
    buf_t b = lj_encode(&e);
    for (unsigned scale = 0; scale < 4; scale++) {
        BOTH_PROFILES(prof) {
            img_t tj, q;
            assert_int_equal(decode_img(&b, prof, scale, C9_JPEG_TJPGD, 4096, 0, &tj), C9_OK);
            assert_int_equal(decode_img(&b, prof, scale, 0, 4096, 0, &q), C9_OK);
            unsigned w = e.w >> scale, h = e.h >> scale;
            assert_covered(&tj, w, h, "Y 1x1, Cb 2x2");
            for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x++)
                    assert_int_equal(tj.px[(size_t)y * tj.w + x], q.px[(size_t)y * q.w + x]);
            img_free(&tj);
            img_free(&q);
        }
    }
    free(b.p);
}

/* The output area: an MCU left without pixels by the rounding is not output at all, and
 * without C9_JPEG_SWAP_BYTES the values are the same, bytes swapped. */
static void test_output_area_and_byte_order(void **state) {
    (void)state;
    enc_t e = {20, 20, 3, {2, 1, 1}, {2, 1, 1}, 85, 0, false, false, 10, 12, false};
    buf_t b = lj_encode(&e);
    static const unsigned calls[4] = {4, 4, 4, 1}; /* 2 x 2 MCUs; at 1/8 only the first has pixels */
    for (unsigned scale = 0; scale < 4; scale++) {
        img_t sw, plain;
        assert_int_equal(
            decode_img(&b, C9_JPEG_PROFILE_COMPACT, scale, C9_JPEG_TJPGD | C9_JPEG_SWAP_BYTES, 4096, 0, &sw), C9_OK);
        assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_FAST, scale, C9_JPEG_TJPGD, 4096, 0, &plain), C9_OK);
        assert_int_equal(sw.calls, calls[scale]);
        assert_covered(&sw, 20 >> scale, 20 >> scale, "20x20");
        for (unsigned i = 0; i < sw.w * sw.h; i++)
            if (sw.hits[i])
                assert_int_equal(sw.px[i], (uint16_t)((plain.px[i] >> 8) | (plain.px[i] << 8)));
        img_free(&sw);
        img_free(&plain);
    }
    free(b.p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_board_references),           cmocka_unit_test(test_model_matches_board),
        cmocka_unit_test(test_generated_against_model),    cmocka_unit_test(test_luma_not_largest),
        cmocka_unit_test(test_output_area_and_byte_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
