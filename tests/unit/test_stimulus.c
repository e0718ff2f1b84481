/* Unit tests of the stimulus parser: assignments, events files, values in billionths with their
 * units, and the errors with line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/stimulus.h"

static c9_stim_t parse_ok(const char *text) {
    c9_stim_t s;
    c9_stim_error_t e = {0};
    assert_int_equal(c9_stim_parse_assignment(text, strlen(text), &s, &e), C9_OK);
    return s;
}

static c9_stim_error_t parse_bad(const char *text) {
    c9_stim_t s;
    c9_stim_error_t e = {0};
    assert_int_equal(c9_stim_parse_assignment(text, strlen(text), &s, &e), C9_ERR_INVAL);
    assert_non_null(e.what);
    return e;
}

static void test_assignments(void **state) {
    (void)state;
    c9_stim_t s = parse_ok("D5=0");
    assert_string_equal(s.name, "D5");
    assert_int_equal(s.value.nano, 0);
    assert_string_equal(s.value.unit, "");
    bool level = true;
    assert_true(c9_stim_digital(&s.value, &level));
    assert_false(level);
    s = parse_ok("BUTTON=1");
    assert_true(c9_stim_digital(&s.value, &level));
    assert_true(level);
    s = parse_ok("A0=1.65V");
    assert_int_equal(s.value.nano, 1650000000);
    assert_string_equal(s.value.unit, "V");
    int32_t mv = 0;
    assert_false(c9_stim_digital(&s.value, &level));
    assert_true(c9_stim_millivolts(&s.value, &mv));
    assert_int_equal(mv, 1650);
    s = parse_ok("A1=2500mV");
    assert_true(c9_stim_millivolts(&s.value, &mv));
    assert_int_equal(mv, 2500);
    s = parse_ok("A1=0.0005V"); /* rounds to 1 mV */
    assert_true(c9_stim_millivolts(&s.value, &mv));
    assert_int_equal(mv, 1);
    s = parse_ok("lis3dh.x=-0.5g");
    assert_string_equal(s.name, "lis3dh.x");
    assert_int_equal(s.value.nano, -500000000);
    assert_string_equal(s.value.unit, "g");
    assert_false(c9_stim_millivolts(&s.value, &mv));
    s = parse_ok("t.temp_C=+.25");
    assert_int_equal(s.value.nano, 250000000);
    s = parse_ok("x=123456789.123456789%");
    assert_int_equal(s.value.nano, 123456789123456789LL);
    assert_string_equal(s.value.unit, "%");
    s = parse_ok("D5=2");
    assert_false(c9_stim_digital(&s.value, &level));
}

static void test_assignment_errors(void **state) {
    (void)state;
    assert_int_equal(parse_bad("=1").column, 1);
    assert_int_equal(parse_bad("5D=1").column, 1);
    assert_int_equal(parse_bad("D5").column, 3);
    assert_int_equal(parse_bad("D5=").column, 4);
    assert_int_equal(parse_bad("D5=V").column, 4);
    assert_int_equal(parse_bad("D5=1.2.3").column, 7);
    assert_int_equal(parse_bad("a.b.c=1").column, 4);
    assert_int_equal(parse_bad("a.=1").column, 3);
    assert_int_equal(parse_bad("x=1234567890").column, 3);   /* 10 integer digits */
    assert_int_equal(parse_bad("x=1.1234567891").column, 3); /* 10 decimals */
    assert_int_equal(parse_bad("x=1verylongunit").column, 4);
    assert_int_equal(parse_bad("x=1 V").column, 4);
    char longname[80];
    memset(longname, 'a', sizeof longname);
    memcpy(longname + 60, "=1", 3);
    assert_int_equal(parse_bad(longname).column, 1);
    c9_stim_t s;
    assert_int_equal(c9_stim_parse_assignment(NULL, 0, &s, NULL), C9_ERR_INVAL);
}

static void test_events(void **state) {
    (void)state;
    const char *text = "# a test\n"
                       "0 D5=1\n"
                       "\n"
                       "0.5\tD5=0   A0=1.65V  # pressed, and the knob at half\r\n"
                       "  1.25 lis3dh.x=1g\n"
                       "1.25 D5=1";
    size_t count = 0;
    c9_stim_error_t e = {0};
    assert_int_equal(c9_stim_parse_events(text, strlen(text), NULL, 0, &count, &e), C9_OK);
    assert_int_equal(count, 5);
    c9_stim_t ev[5];
    assert_int_equal(c9_stim_parse_events(text, strlen(text), ev, 2, &count, &e), C9_ERR_NOMEM);
    assert_int_equal(count, 5);
    assert_int_equal(c9_stim_parse_events(text, strlen(text), ev, 5, &count, &e), C9_OK);
    assert_int_equal(ev[0].time_ns, 0);
    assert_string_equal(ev[0].name, "D5");
    assert_int_equal(ev[1].time_ns, 500000000);
    assert_string_equal(ev[2].name, "A0");
    assert_int_equal(ev[2].time_ns, 500000000);
    assert_int_equal(ev[3].time_ns, 1250000000);
    assert_string_equal(ev[3].name, "lis3dh.x");
    assert_int_equal(ev[4].value.nano, 1000000000);
    assert_int_equal(c9_stim_parse_events("", 0, NULL, 0, &count, &e), C9_OK);
    assert_int_equal(count, 0);
}

static void expect_event_error(const char *text, size_t line, size_t column) {
    size_t count;
    c9_stim_error_t e = {0};
    assert_int_equal(c9_stim_parse_events(text, strlen(text), NULL, 0, &count, &e), C9_ERR_INVAL);
    assert_int_equal(e.line, line);
    assert_int_equal(e.column, column);
    assert_non_null(e.what);
}

static void test_event_errors(void **state) {
    (void)state;
    expect_event_error("1 D5=1\n0.5 D5=0\n", 2, 1); /* time goes back */
    expect_event_error("1 D5=1\n2\n", 2, 2);        /* nothing after the time */
    expect_event_error("x D5=1\n", 1, 1);           /* no time */
    expect_event_error("-1 D5=1\n", 1, 1);          /* negative time */
    expect_event_error("1D5=1\n", 1, 2);            /* no blank after the time */
    expect_event_error("1 D5=1 D6\n", 1, 10);       /* second assignment broken */
    expect_event_error("0 a=1\n\n\n3 b==2\n", 4, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assignments),
        cmocka_unit_test(test_assignment_errors),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_event_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
