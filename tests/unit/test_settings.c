/* Unit tests of the settings.toml reader: the TOML subset and the quirks CircuitPython 9.2.9's
 * scanner has (docs/environment.rst and its os.getenv implementation), worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/settings.h"

typedef struct {
    c9_err_t err;
    bool quoted;
    int bad;
    size_t len;
    char value[64];
} got_t;

static got_t get(const char *text, const char *key) {
    got_t g;
    memset(&g, 0x55, sizeof g);
    g.err = c9_settings_get(text, strlen(text), key, g.value, sizeof g.value, &g.len, &g.quoted, &g.bad);
    return g;
}

static void expect_str(const char *text, const char *key, const char *value) {
    got_t g = get(text, key);
    assert_int_equal(g.err, C9_OK);
    assert_true(g.quoted);
    assert_int_equal(g.len, strlen(value));
    assert_memory_equal(g.value, value, g.len);
    assert_int_equal(g.value[g.len], 0);
}

static void expect_bare(const char *text, const char *key, const char *value) {
    got_t g = get(text, key);
    assert_int_equal(g.err, C9_OK);
    assert_false(g.quoted);
    assert_string_equal(g.value, value);
}

static void expect_bad(const char *text, const char *key, int bad) {
    got_t g = get(text, key);
    assert_int_equal(g.err, C9_ERR_SETTINGS_BYTE);
    assert_int_equal(g.bad, bad);
}

static void test_documented_example(void **state) {
    (void)state;
    const char *f = "str_key=\"Hello world\" # with trailing comment\n"
                    "int_key = 7\n"
                    "unicode_key=\"\xc5\x93uvre\"\n"
                    "unicode_key2=\"\\u0153uvre\" # same as above\n"
                    "unicode_key3=\"\\U00000153uvre\" # same as above\n"
                    "escape_codes=\"supported, including \\r\\n\\\"\\\\\"\n"
                    "# comment\n"
                    "[subtable]\n"
                    "subvalue=\"cannot retrieve this using getenv\"\n";
    expect_str(f, "str_key", "Hello world");
    expect_bare(f, "int_key", "7");
    expect_str(f, "unicode_key", "\xc5\x93uvre");
    expect_str(f, "unicode_key2", "\xc5\x93uvre");
    expect_str(f, "unicode_key3", "\xc5\x93uvre");
    expect_str(f, "escape_codes", "supported, including \r\n\"\\");
    assert_int_equal(get(f, "subvalue").err, C9_ERR_NOENT);
    assert_int_equal(get(f, "missing").err, C9_ERR_NOENT);
}

static void test_keys(void **state) {
    (void)state;
    /* prefixes do not match, first duplicate wins, indentation and spaces around '=' are fine */
    const char *f = "KEYX=\"no\"\n  KEY  =  \"first\"\nKEY=\"second\"\n";
    expect_str(f, "KEY", "first");
    expect_str(f, "KEYX", "no");
    assert_int_equal(get(f, "KE").err, C9_ERR_NOENT);
    /* a key followed by something other than '=' is not that key */
    expect_str("A B=\"x\"\nA=\"y\"\n", "A", "y");
    /* CRLF line ends */
    expect_str("A=\"x\"\r\nB=\"y\"\r\n", "B", "y");
    expect_bare("A=12\r\nB=3\r\n", "A", "12\r");
    /* the first '[' line ends the root table even for keys after it */
    assert_int_equal(get("[t]\nA=\"x\"\n", "A").err, C9_ERR_NOENT);
    /* a NUL byte at the start of a line reads as the end of the file */
    const char nul[] = "A=\"x\"\n\0B=\"y\"\n";
    got_t g;
    assert_int_equal(c9_settings_get(nul, sizeof nul - 1, "B", g.value, sizeof g.value, &g.len, &g.quoted, &g.bad),
                     C9_ERR_NOENT);
}

static void test_values(void **state) {
    (void)state;
    expect_bare("A = 011 # octal?\n", "A", "011 ");
    expect_bare("A=\n", "A", "");
    expect_bare("A=abc", "A", "abc");
    expect_str("A=\"\"", "A", "");
    expect_str("A=\"a\\qb\\'\"", "A", "aqb'");
    expect_str("A=\"\\b\\t\\v\\f\"", "A", "\b\t\v\f");
    expect_str("A=\"tab\"\t \n", "A", "tab");
    /* strtoul quirks in escapes: spaces, sign and an 0x prefix are accepted */
    expect_str("A=\"\\u0x41\"", "A", "A");
    expect_str("A=\"\\u  41\"", "A", "A");
    expect_str("A=\"\\U0010FFFF\"", "A", "\xf4\x8f\xbf\xbf");
    /* errors name the offending byte */
    expect_bad("A=\"x\" y\n", "A", 'y');
    expect_bad("A=\"unterminated\nB=1\n", "A", '\n');
    expect_bad("A=\"unterminated", "A", 0);
    expect_bad("A=\"\\", "A", 0);
    expect_bad("A=\"\\u00G1\"", "A", 'G');
    expect_bad("A=\"\\u00\"", "A", '"');
    assert_int_equal(get("A=\"\\U00110000\"", "A").err, C9_ERR_SETTINGS_UNICODE);
    assert_int_equal(get("A=\"\\u-001\"", "A").err, C9_ERR_SETTINGS_UNICODE);
}

static void test_size_query(void **state) {
    (void)state;
    const char *f = "A=\"0123456789\"\n";
    size_t n;
    bool q;
    int bad;
    char small[4];
    assert_int_equal(c9_settings_get(f, strlen(f), "A", NULL, 0, &n, &q, &bad), C9_ERR_NOMEM);
    assert_int_equal(n, 10);
    assert_int_equal(c9_settings_get(f, strlen(f), "A", small, sizeof small, &n, &q, &bad), C9_ERR_NOMEM);
    assert_memory_equal(small, "0123", 4);
    assert_int_equal(c9_settings_get(NULL, 1, "A", NULL, 0, &n, &q, &bad), C9_ERR_INVAL);
}

static c9_settings_int_t parse(const char *s, c9_err_t want) {
    c9_settings_int_t v;
    assert_int_equal(c9_settings_parse_int(s, strlen(s), &v), want);
    return v;
}

static void test_parse_int(void **state) {
    (void)state;
    assert_int_equal(parse("011 ", C9_OK).value, 11);
    assert_int_equal(parse("  -42", C9_OK).value, -42);
    assert_int_equal(parse("+7", C9_OK).value, 7);
    assert_int_equal(parse("0x1F", C9_OK).value, 31);
    assert_int_equal(parse("0o17", C9_OK).value, 15);
    assert_int_equal(parse("0B101", C9_OK).value, 5);
    assert_int_equal(parse("-0x10", C9_OK).value, -16);
    c9_settings_int_t big = parse("123456789012345678901234567890", C9_OK);
    assert_true(big.overflow);
    assert_int_equal(big.digit_count, 30);
    assert_int_equal(parse("-9223372036854775808", C9_OK).value, INT64_MIN);
    assert_true(parse("9223372036854775808", C9_OK).overflow);
    assert_int_equal(parse("", C9_ERR_INVAL).base, 10);
    assert_int_equal(parse("1_000", C9_ERR_INVAL).base, 10);
    assert_int_equal(parse("0x", C9_ERR_INVAL).base, 16);
    assert_int_equal(parse("0b2", C9_ERR_INVAL).base, 2);
    parse("abc", C9_ERR_INVAL);
    parse("12 3", C9_ERR_INVAL);
    parse("1.5", C9_ERR_INVAL);
}

static void test_get_int(void **state) {
    (void)state;
    int32_t v = -1;
    int bad;
    const char *f =
        "OCT=011\nHEX = 0x10 # c\nNEG=-5\nQ=\"5\"\nO=0o7\nE=\nL=1234567890123456\nS=\"x\"\nBIG=99999999999\n";
    size_t n = strlen(f);
    assert_int_equal(c9_settings_get_int(f, n, "OCT", &v, &bad), C9_OK);
    assert_int_equal(v, 9);
    assert_int_equal(c9_settings_get_int(f, n, "HEX", &v, &bad), C9_OK);
    assert_int_equal(v, 16);
    assert_int_equal(c9_settings_get_int(f, n, "NEG", &v, &bad), C9_OK);
    assert_int_equal(v, -5);
    assert_int_equal(c9_settings_get_int(f, n, "Q", &v, &bad), C9_ERR_SETTINGS_BYTE);
    assert_int_equal(bad, '"');
    assert_int_equal(c9_settings_get_int(f, n, "O", &v, &bad), C9_ERR_SETTINGS_BYTE);
    assert_int_equal(bad, 'o');
    assert_int_equal(c9_settings_get_int(f, n, "E", &v, &bad), C9_ERR_SETTINGS_BYTE);
    assert_int_equal(bad, 0);
    assert_int_equal(c9_settings_get_int(f, n, "L", &v, &bad), C9_ERR_NOMEM);
    assert_int_equal(c9_settings_get_int(f, n, "BIG", &v, &bad), C9_OK);
    assert_int_equal(v, INT32_MAX);
    assert_int_equal(c9_settings_get_int(f, n, "NONE", &v, &bad), C9_ERR_NOENT);
}

static void test_quote_byte(void **state) {
    (void)state;
    char b[8];
    c9_settings_quote_byte(0, b);
    assert_string_equal(b, "'EOF'");
    c9_settings_quote_byte('\n', b);
    assert_string_equal(b, "'\\n'");
    c9_settings_quote_byte('y', b);
    assert_string_equal(b, "'y'");
    c9_settings_quote_byte('\'', b);
    assert_string_equal(b, "\"'\"");
    c9_settings_quote_byte('"', b);
    assert_string_equal(b, "'\"'");
    c9_settings_quote_byte(1, b);
    assert_string_equal(b, "'\\x01'");
    c9_settings_quote_byte(0xe9, b);
    assert_string_equal(b, "'\\xe9'");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_example), cmocka_unit_test(test_keys),      cmocka_unit_test(test_values),
        cmocka_unit_test(test_size_query),         cmocka_unit_test(test_parse_int), cmocka_unit_test(test_get_int),
        cmocka_unit_test(test_quote_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
