/*
 * JPEG decoder tests: every fixture of tests/fixtures/jpeg (see its PROVENANCE.md) decoded at every
 * scale in both profiles and compared with libjpeg-turbo's accurate decode (linked into this test),
 * plus error codes for each broken or unsupported file, streaming, byte order and API misuse.
 */
#include "jpeg_testlib.h"

/* libjpeg-turbo's full-size decode averaged over 2^scale squares (edges: the pixels there).
 * At 1/2 and 1/4 with unequal chroma subsampling libjpeg-turbo point-samples chroma through
 * reduced transforms, so its scaled output is no reference for a decoder that averages. */
static uint8_t *reference_box(const buf_t *b, unsigned scale, unsigned *w, unsigned *h) {
    unsigned fw, fh;
    uint8_t *full = lj_decode(b, 0, &fw, &fh);
    if (!full)
        return NULL;
    unsigned f = 1u << scale;
    *w = (fw + f - 1) / f;
    *h = (fh + f - 1) / f;
    uint8_t *out = malloc((size_t)*w * *h * 3);
    for (unsigned y = 0; y < *h; y++) {
        for (unsigned x = 0; x < *w; x++) {
            for (int c = 0; c < 3; c++) {
                unsigned sum = 0, n = 0;
                for (unsigned j = y * f; j < C9_MIN((y + 1) * f, fh); j++)
                    for (unsigned i = x * f; i < C9_MIN((x + 1) * f, fw); i++, n++)
                        sum += full[((size_t)j * fw + i) * 3 + c];
                out[((size_t)y * *w + x) * 3 + c] = (uint8_t)((sum + n / 2) / n);
            }
        }
    }
    free(full);
    return out;
}

/* PSNR over R, G and B, our RGB565 widened by bit replication. */
static double psnr(const img_t *im, const uint8_t *ref) {
    double se = 0;
    for (size_t i = 0; i < (size_t)im->w * im->h; i++) {
        unsigned v = im->px[i];
        int c[3] = {(int)((v >> 11) << 3 | (v >> 13)), (int)(((v >> 5) & 63) << 2 | ((v >> 9) & 3)),
                    (int)((v & 31) << 3 | ((v >> 2) & 7))};
        for (int k = 0; k < 3; k++)
            se += (double)(c[k] - ref[3 * i + k]) * (c[k] - ref[3 * i + k]);
    }
    return se == 0 ? 99.0 : 10 * log10(255.0 * 255.0 * 3 * im->w * im->h / se);
}

/* ---- Tests ---------------------------------------------------------------------------------- */

typedef struct fixture {
    const char *name;
    double min_db[4]; /* per scale 1/1, 1/2, 1/4, 1/8 */
} fixture_t;

/* Thresholds sit a little under what the decoder reaches. RGB565 truncation alone limits PSNR
 * to about 39-40 dB. At 1/1 subsampled chroma is replicated while libjpeg-turbo interpolates it,
 * which costs most on these synthetic sharp colour edges (photos stay near 39 dB). At 1/2 and 1/4
 * the reference is libjpeg-turbo's full decode box-averaged, at 1/1 and 1/8 its own decode. */
static const fixture_t fixtures[] = {
    {"s444.jpg", {37, 37, 37, 37.5}},
    {"s422.jpg", {30.5, 33.5, 35.5, 37.5}},
    {"s420.jpg", {28, 31, 34, 37}},
    {"s440.jpg", {30, 33, 35.5, 37.5}},
    {"s411.jpg", {37, 36.5, 36.5, 37.5}},
    {"gray.jpg", {38.5, 38.5, 39, 39.5}},
    {"odd_420_37x29.jpg", {25.5, 29, 32, 39.5}},
    {"odd_422_23x17.jpg", {26, 30, 27, 37}},
    {"odd_gray_13x11.jpg", {38.5, 38, 32, 38.5}},
    {"rst1_420.jpg", {28, 31, 34, 37}},
    {"rst5_444.jpg", {37, 37, 37, 38.5}},
    {"opt_420_q50.jpg", {30.5, 33.5, 34.5, 37.5}},
    {"q100_444.jpg", {37, 37, 38, 38.5}},
};

static void test_fixtures_match_libjpeg(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(fixtures); i++) {
        buf_t b = load(fixtures[i].name);
        for (unsigned scale = 0; scale < 4; scale++) {
            unsigned rw, rh;
            uint8_t *ref =
                scale == 1 || scale == 2 ? reference_box(&b, scale, &rw, &rh) : lj_decode(&b, scale, &rw, &rh);
            assert_non_null(ref);
            img_t c, f;
            assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_COMPACT, scale, 0, 4096, 0, &c), C9_OK);
            assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_FAST, scale, 0, 4096, 0, &f), C9_OK);
            assert_int_equal(c.w, rw);
            assert_int_equal(c.h, rh);
            assert_int_equal(c.pixels, rw * rh); /* every pixel output exactly once */
            /* The two profiles differ only in lookup tables, never in pixels. */
            assert_memory_equal(c.px, f.px, (size_t)rw * rh * 2);
            double db = psnr(&c, ref);
            if (getenv("C9_TEST_VERBOSE"))
                printf("%s 1/%u: %.2f dB\n", fixtures[i].name, 1u << scale, db);
            else if (db < fixtures[i].min_db[scale])
                fail_msg("%s at 1/%u: %.2f dB < %.1f", fixtures[i].name, 1u << scale, db, fixtures[i].min_db[scale]);
            img_free(&c);
            img_free(&f);
            free(ref);
        }
        free(b.p);
    }
}

static void test_byte_swap(void **state) {
    (void)state;
    buf_t b = load("s420.jpg");
    for (int prof = 0; prof < 2; prof++) {
        img_t a, s;
        assert_int_equal(decode_img(&b, (c9_jpeg_profile_t)prof, 0, 0, 4096, 0, &a), C9_OK);
        assert_int_equal(decode_img(&b, (c9_jpeg_profile_t)prof, 0, C9_JPEG_SWAP_BYTES, 4096, 0, &s), C9_OK);
        for (size_t i = 0; i < (size_t)a.w * a.h; i++)
            assert_int_equal(s.px[i], (uint16_t)((a.px[i] >> 8) | (a.px[i] << 8)));
        img_free(&a);
        img_free(&s);
    }
    free(b.p);
}

static void test_streaming_chunks(void **state) {
    (void)state;
    const char *names[] = {"s420.jpg", "rst1_420.jpg", "gray.jpg"};
    for (size_t n = 0; n < C9_ARRAY_SIZE(names); n++) {
        buf_t b = load(names[n]);
        img_t whole;
        assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_COMPACT, 0, 0, 1u << 20, 0, &whole), C9_OK);
        static const size_t chunks[] = {1, 2, 7, 255};
        for (size_t k = 0; k < C9_ARRAY_SIZE(chunks); k++) {
            img_t part;
            assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_FAST, 0, 0, chunks[k], 0, &part), C9_OK);
            assert_memory_equal(whole.px, part.px, (size_t)whole.w * whole.h * 2);
            img_free(&part);
        }
        img_free(&whole);
        free(b.p);
    }
}

static void test_restart_intervals_same_pixels(void **state) {
    (void)state;
    /* Same picture, same tables, with a restart marker after every MCU: identical pixels. */
    buf_t a = load("s420.jpg"), b = load("rst1_420.jpg");
    img_t x, y;
    for (unsigned scale = 0; scale < 4; scale++) {
        assert_int_equal(decode_img(&a, C9_JPEG_PROFILE_COMPACT, scale, 0, 64, 0, &x), C9_OK);
        assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_COMPACT, scale, 0, 64, 0, &y), C9_OK);
        assert_memory_equal(x.px, y.px, (size_t)x.w * x.h * 2);
        img_free(&x);
        img_free(&y);
    }
    free(a.p);
    free(b.p);
}

static void test_missing_eoi(void **state) {
    (void)state;
    buf_t a = load("s420.jpg"), b = load("bad_noeoi.jpg");
    assert_int_equal(b.n, a.n - 2);
    for (int prof = 0; prof < 2; prof++) {
        img_t x, y;
        assert_int_equal(decode_img(&a, (c9_jpeg_profile_t)prof, 0, 0, 100, 0, &x), C9_OK);
        assert_int_equal(decode_img(&b, (c9_jpeg_profile_t)prof, 0, 0, 100, 0, &y), C9_OK);
        assert_memory_equal(x.px, y.px, (size_t)x.w * x.h * 2);
        img_free(&x);
        img_free(&y);
    }
    free(a.p);
    free(b.p);
}

static void expect_open_error(const char *name, c9_err_t want) {
    buf_t b = load(name);
    for (int prof = 0; prof < 2; prof++) {
        img_t im;
        c9_err_t e = decode_img(&b, (c9_jpeg_profile_t)prof, 0, 0, 4096, 0, &im);
        if (e != want)
            fail_msg("%s: got %d (%s), want %d", name, e, c9_jpeg_strerror(e), want);
        img_free(&im);
    }
    free(b.p);
}

static void test_unsupported_and_broken_headers(void **state) {
    (void)state;
    /* Progressive files open; without coefficient memory they do not decode at 1/1. */
    expect_open_error("prog_420.jpg", C9_ERR_NOMEM);
    expect_open_error("arith_420.jpg", C9_ERR_JPEG_ARITHMETIC);
    expect_open_error("bad_12bit.jpg", C9_ERR_JPEG_PRECISION);
    expect_open_error("bad_lossless.jpg", C9_ERR_JPEG_LOSSLESS);
    expect_open_error("cmyk.jpg", C9_ERR_JPEG_CMYK);
    expect_open_error("bad_nosoi.jpg", C9_ERR_JPEG_FORMAT);
    expect_open_error("bad_width0.jpg", C9_ERR_JPEG_FORMAT);
    expect_open_error("bad_trunc_header.jpg", C9_ERR_JPEG_TRUNCATED);
    buf_t empty = {NULL, 0};
    img_t im;
    assert_int_equal(decode_img(&empty, C9_JPEG_PROFILE_COMPACT, 0, 0, 1, 0, &im), C9_ERR_JPEG_TRUNCATED);
}

static void test_truncated_data(void **state) {
    (void)state;
    buf_t b = load("bad_trunc_data.jpg");
    for (unsigned scale = 0; scale < 4; scale++) {
        img_t im;
        assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_COMPACT, scale, 0, 33, 0, &im), C9_ERR_JPEG_TRUNCATED);
        /* The MCUs before the cut came out, the rest did not. */
        assert_true(im.calls > 0);
        assert_true(im.pixels < im.w * im.h);
        img_free(&im);
    }
    free(b.p);
}

static void test_corrupt_data(void **state) {
    (void)state;
    buf_t b = load("bad_corrupt.jpg");
    for (int prof = 0; prof < 2; prof++) {
        for (unsigned scale = 0; scale < 4; scale++) {
            img_t im;
            assert_int_equal(decode_img(&b, (c9_jpeg_profile_t)prof, scale, 0, 4096, 0, &im), C9_ERR_JPEG_DATA);
            img_free(&im);
        }
    }
    free(b.p);
}

static void test_info_and_sizes(void **state) {
    (void)state;
    buf_t b = load("rst5_444.jpg");
    src_t s = {.p = b.p, .n = b.n, .chunk = 4096};
    c9_jpeg_t *d;
    assert_int_equal(c9_jpeg_open(&d, work_mem, sizeof work_mem, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_OK);
    c9_jpeg_info_t info;
    assert_int_equal(c9_jpeg_get_info(d, &info), C9_OK);
    assert_int_equal(info.width, 72);
    assert_int_equal(info.height, 40);
    assert_int_equal(info.components, 3);
    assert_int_equal(info.h_samp, 1);
    assert_int_equal(info.v_samp, 1);
    assert_int_equal(info.restart_interval, 5);
    assert_int_equal(info.mcu_width, 8);
    free(b.p);

    b = load("odd_420_37x29.jpg");
    s = (src_t){.p = b.p, .n = b.n, .chunk = 4096};
    assert_int_equal(c9_jpeg_open(&d, work_mem, sizeof work_mem, C9_JPEG_PROFILE_FAST, src_read, &s), C9_OK);
    assert_int_equal(c9_jpeg_get_info(d, &info), C9_OK);
    assert_int_equal(info.h_samp, 2);
    assert_int_equal(info.v_samp, 2);
    assert_int_equal(info.mcu_width, 16);
    assert_int_equal(info.mcu_height, 16);
    uint16_t w, h;
    c9_jpeg_scaled_size(d, 3, &w, &h);
    assert_int_equal(w, 5);
    assert_int_equal(h, 4);
    c9_jpeg_scaled_size(d, 1, &w, &h);
    assert_int_equal(w, 19);
    assert_int_equal(h, 15);
    free(b.p);

    assert_true(c9_jpeg_workspace_size(C9_JPEG_PROFILE_COMPACT) <= 3500);
    assert_true(c9_jpeg_workspace_size(C9_JPEG_PROFILE_FAST) <= 16384);
}

static void test_api_misuse(void **state) {
    (void)state;
    buf_t b = load("s420.jpg");
    src_t s = {.p = b.p, .n = b.n, .chunk = 4096};
    c9_jpeg_t *d;
    size_t need = c9_jpeg_workspace_size(C9_JPEG_PROFILE_COMPACT);
    assert_int_equal(c9_jpeg_open(&d, work_mem, need - 1, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_ERR_NOMEM);
    assert_int_equal(c9_jpeg_open(&d, work_mem, need, (c9_jpeg_profile_t)7, src_read, &s), C9_ERR_INVAL);
    assert_int_equal(c9_jpeg_open(&d, NULL, need, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_ERR_INVAL);
    assert_int_equal(c9_jpeg_open(&d, work_mem, need, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_OK);
    img_t im;
    img_init(&im, 64, 48);
    assert_int_equal(c9_jpeg_decode(d, 4, 0, put, &im), C9_ERR_INVAL);
    assert_int_equal(c9_jpeg_decode(d, 0, 0, NULL, &im), C9_ERR_INVAL);
    /* The output callback stops the decode with its own code. */
    im.abort_after = 3;
    assert_int_equal(c9_jpeg_decode(d, 0, 0, put, &im), C9_ERR_BUSY);
    assert_int_equal(im.calls, 3);
    /* One decode per open. */
    assert_int_equal(c9_jpeg_decode(d, 0, 0, put, &im), C9_ERR_BADF);
    img_free(&im);

    /* A read error comes back unchanged, from open or from decode. */
    s = (src_t){.p = b.p, .n = 100, .chunk = 4096, .fail = C9_ERR_IO};
    assert_int_equal(c9_jpeg_open(&d, work_mem, need, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_ERR_IO);
    s = (src_t){.p = b.p, .n = b.n / 2, .chunk = 64, .fail = C9_ERR_IO};
    assert_int_equal(c9_jpeg_open(&d, work_mem, need, C9_JPEG_PROFILE_COMPACT, src_read, &s), C9_OK);
    img_init(&im, 64, 48);
    assert_int_equal(c9_jpeg_decode(d, 0, 0, put, &im), C9_ERR_IO);
    img_free(&im);
#if C9_ERR_TEXTS
    assert_string_equal(c9_jpeg_strerror(C9_ERR_JPEG_CMYK), "CMYK JPEG not supported");
#endif
    free(b.p);
}

/* ---- Generated images: paths the fixtures do not reach ------------------------------------- */

/* Encodes w x h noise (RGB, or gray when ncomp is 1) with libjpeg-turbo: quality 100 makes
 * blocks whose last coefficient is number 63 (no end-of-block code), shared makes every
 * component use Huffman table 0. */
static buf_t encode_noise(unsigned w, unsigned h, int ncomp, int hs, int vs, bool shared, uint32_t seed) {
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    jpeg_mem_dest(&ci, &out, &outsize);
    ci.image_width = w;
    ci.image_height = h;
    ci.input_components = ncomp;
    ci.in_color_space = ncomp == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 100, TRUE);
    if (ncomp == 3) {
        ci.comp_info[0].h_samp_factor = hs;
        ci.comp_info[0].v_samp_factor = vs;
        for (int i = 0; i < 3; i++) {
            if (shared) {
                ci.comp_info[i].dc_tbl_no = 0;
                ci.comp_info[i].ac_tbl_no = 0;
            }
        }
    }
    jpeg_start_compress(&ci, TRUE);
    uint8_t *row = malloc((size_t)w * ncomp);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned i = 0; i < w * (unsigned)ncomp; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Noise over a gradient, so that the DC moves too. */
            row[i] = (uint8_t)(((seed >> 16) & 127) + (y + i / ncomp) % 128);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&ci, &r, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    free(row);
    buf_t b = {malloc(outsize), outsize};
    memcpy(b.p, out, outsize);
    free(out);
    return b;
}

/* At 1/8 the luma AC coefficients are skipped several at a time through tables; a block ending
 * at coefficient 63 must not lose the next block's bits, and a Huffman table that a skipped
 * plane shares with a decoded one (4:2:0 chroma at 1/8) must still decode. Both profiles, every
 * scale, against libjpeg-turbo. */
static void test_generated_dense_and_shared_tables(void **state) {
    (void)state;
    static const struct {
        int ncomp, hs, vs;
        bool shared;
        double min_db[4];
    } cases[] = {
        {3, 2, 2, true, {27.5, 28, 35, 40}},     {3, 2, 2, false, {27.5, 28, 35, 39.5}},
        {3, 1, 1, true, {39, 39.5, 38.5, 39.5}}, {3, 2, 1, true, {27.5, 31.5, 37.5, 40}},
        {1, 1, 1, false, {39.5, 40, 39.5, 40}},
    };
    for (size_t n = 0; n < C9_ARRAY_SIZE(cases); n++) {
        buf_t b = encode_noise(67, 45, cases[n].ncomp, cases[n].hs, cases[n].vs, cases[n].shared, (uint32_t)n + 1);
        for (unsigned scale = 0; scale < 4; scale++) {
            unsigned rw, rh;
            uint8_t *ref =
                scale == 1 || scale == 2 ? reference_box(&b, scale, &rw, &rh) : lj_decode(&b, scale, &rw, &rh);
            assert_non_null(ref);
            img_t c, f;
            assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_COMPACT, scale, 0, 100, 0, &c), C9_OK);
            assert_int_equal(decode_img(&b, C9_JPEG_PROFILE_FAST, scale, 0, 100, 0, &f), C9_OK);
            assert_int_equal(c.w, rw);
            assert_int_equal(c.h, rh);
            assert_int_equal(c.pixels, rw * rh);
            assert_memory_equal(c.px, f.px, (size_t)rw * rh * 2);
            double db = psnr(&c, ref);
            if (getenv("C9_TEST_VERBOSE"))
                printf("generated case %zu 1/%u: %.2f dB\n", n, 1u << scale, db);
            else if (db < cases[n].min_db[scale])
                fail_msg("generated case %zu at 1/%u: %.2f dB < %.1f", n, 1u << scale, db, cases[n].min_db[scale]);
            img_free(&c);
            img_free(&f);
            free(ref);
        }
        free(b.p);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match_libjpeg),
        cmocka_unit_test(test_byte_swap),
        cmocka_unit_test(test_streaming_chunks),
        cmocka_unit_test(test_restart_intervals_same_pixels),
        cmocka_unit_test(test_missing_eoi),
        cmocka_unit_test(test_unsupported_and_broken_headers),
        cmocka_unit_test(test_truncated_data),
        cmocka_unit_test(test_corrupt_data),
        cmocka_unit_test(test_info_and_sizes),
        cmocka_unit_test(test_api_misuse),
        cmocka_unit_test(test_generated_dense_and_shared_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
