/* The error table of common.h: every code sits in its domain's band, has a name and a text, and
 * the per-domain lookups agree with the table. Duplicate values are rejected at compile time by
 * core/common/common.c; here the run-time view of the same table is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "circuit9/common.h"
#include "circuit9/display.h"
#include "circuit9/filter.h"
#include "circuit9/jpeg.h"

typedef struct {
    int value, band, number;
    const char *name, *text;
} entry_t;

#define ENTRY(band, name, n, text) {C9_ERR_##name, C9_ERR_BAND_##band, n, #name, text},
static const entry_t table[] = {C9_ERR_TABLE(ENTRY)};
#undef ENTRY

static void test_errors_in_their_band(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(table); i++) {
        const entry_t *e = &table[i];
        int width = e->band == 0 ? 1000 : 100;
        if (!(e->value < e->band && e->value > e->band - width)) {
            fail_msg("C9_ERR_%s = %d outside its band %d", e->name, e->value, e->band);
        }
        assert_int_equal(e->value, e->band - e->number);
    }
}

static void test_errors_have_names_and_texts(void **state) {
    (void)state;
    for (size_t i = 0; i < C9_ARRAY_SIZE(table); i++) {
        const entry_t *e = &table[i];
        assert_non_null(c9_err_name(e->value));
        assert_string_equal(c9_err_name(e->value), e->name);
#if C9_ERR_TEXTS
        assert_string_equal(c9_strerror(e->value), e->text);
#else
        assert_string_equal(c9_strerror(e->value), e->name);
#endif
        assert_true(strlen(e->text) > 0);
    }
    assert_string_equal(c9_err_name(C9_OK), "OK");
    assert_string_equal(c9_strerror(C9_OK), "success");
    /* Values between codes are not codes. */
    assert_null(c9_err_name(-3));
    assert_null(c9_err_name(C9_ERR_BAND_HEAP - 1));
    assert_null(c9_err_name(1));
    assert_string_equal(c9_strerror(-3), "unknown error");
}

static void test_errors_generic_are_errno_numbers(void **state) {
    (void)state;
    /* Linux's numbers: the bindings map them to the host's E* constants by name, never by value. */
    assert_int_equal(C9_ERR_PERM, -1);
    assert_int_equal(C9_ERR_NOENT, -2);
    assert_int_equal(C9_ERR_IO, -5);
    assert_int_equal(C9_ERR_NOMEM, -12);
    assert_int_equal(C9_ERR_INVAL, -22);
    assert_int_equal(C9_ERR_NOSYS, -38);
    assert_int_equal(C9_ERR_TIMEDOUT, -110);
}

static void test_errors_jpeg_values_kept(void **state) {
    (void)state;
    /* The values jpeg.h gave its codes before they moved into the table: programs built against
     * them keep working. */
    assert_int_equal(C9_ERR_JPEG_FORMAT, -1001);
    assert_int_equal(C9_ERR_JPEG_DATA, -1002);
    assert_int_equal(C9_ERR_JPEG_TRUNCATED, -1003);
    assert_int_equal(C9_ERR_JPEG_PROGRESSIVE, -1004);
    assert_int_equal(C9_ERR_JPEG_ARITHMETIC, -1005);
    assert_int_equal(C9_ERR_JPEG_PRECISION, -1006);
    assert_int_equal(C9_ERR_JPEG_LOSSLESS, -1007);
    assert_int_equal(C9_ERR_JPEG_CMYK, -1008);
    assert_int_equal(C9_ERR_JPEG_SAMPLING, -1009);
}

static void test_errors_bands_are_ordered_and_disjoint(void **state) {
    (void)state;
    const int bands[] = {C9_ERR_BAND_ERRNO, C9_ERR_BAND_JPEG,   C9_ERR_BAND_USB,      C9_ERR_BAND_DISPLAY,
                         C9_ERR_BAND_GFX,   C9_ERR_BAND_FILTER, C9_ERR_BAND_SETTINGS, C9_ERR_BAND_HEAP,
                         C9_ERR_BAND_MIDI,  C9_ERR_BAND_FS,     C9_ERR_BAND_SDCARD,   C9_ERR_BAND_TLS,
                         C9_ERR_BAND_HTTP,  C9_ERR_BAND_MQTT,   C9_ERR_BAND_NET};
    for (size_t i = 1; i < C9_ARRAY_SIZE(bands); i++) {
        int width = bands[i - 1] == 0 ? 1000 : 100;
        assert_true(bands[i] <= bands[i - 1] - width);
    }
}

static void test_errors_domain_lookups_agree(void **state) {
    (void)state;
    assert_string_equal(c9_filter_strerror(C9_ERR_FILTER_DEPTH), c9_strerror(C9_ERR_FILTER_DEPTH));
    assert_string_equal(c9_display_strerror(C9_ERR_DISPLAY_FPS), c9_strerror(C9_ERR_DISPLAY_FPS));
    assert_string_equal(c9_display_strerror(C9_ERR_INVAL), c9_strerror(C9_ERR_INVAL));
    assert_string_equal(c9_jpeg_strerror(C9_ERR_JPEG_CMYK), c9_strerror(C9_ERR_JPEG_CMYK));
    assert_string_equal(c9_jpeg_strerror(C9_ERR_NOMEM), c9_strerror(C9_ERR_NOMEM));
    /* The two codes that once shared -1401 are now told apart. */
    assert_int_not_equal(C9_ERR_DISPLAY_FPS, C9_ERR_FILTER_DEPTH);
    assert_string_not_equal(c9_strerror(C9_ERR_DISPLAY_FPS), c9_strerror(C9_ERR_FILTER_DEPTH));
}

static void test_version(void **state) {
    (void)state;
    assert_int_equal(C9_VERSION >> 16, C9_VERSION_MAJOR);
    assert_int_equal((C9_VERSION >> 8) & 0xFF, C9_VERSION_MINOR);
    assert_int_equal(C9_VERSION & 0xFF, C9_VERSION_PATCH);
    char s[16];
    int n = 0, parts[3] = {C9_VERSION_MAJOR, C9_VERSION_MINOR, C9_VERSION_PATCH};
    for (int i = 0; i < 3; i++) {
        int v = parts[i];
        char digits[4];
        int k = 0;
        do {
            digits[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (k) {
            s[n++] = digits[--k];
        }
        s[n++] = i < 2 ? '.' : '\0';
    }
    assert_string_equal(s, C9_VERSION_STRING);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_in_their_band),
        cmocka_unit_test(test_errors_have_names_and_texts),
        cmocka_unit_test(test_errors_generic_are_errno_numbers),
        cmocka_unit_test(test_errors_jpeg_values_kept),
        cmocka_unit_test(test_errors_bands_are_ordered_and_disjoint),
        cmocka_unit_test(test_errors_domain_lookups_agree),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
