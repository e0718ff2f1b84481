/* Unit tests of the RTC calendar core: dates and weekdays against the table CPython's
 * time.gmtime() gives for the same seconds (1970, before 1970, leap days of 2000 and 2024, the
 * ends of years 1 and 9999), both ways, and mktime()'s carrying of out-of-range fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/rtc.h"

static const struct {
    int64_t s;
    int32_t year, mon, mday, hour, min, sec, wday, yday;
} gmtime_table[] = {
    {0LL, 1970, 1, 1, 0, 0, 0, 3, 1},
    {-1LL, 1969, 12, 31, 23, 59, 59, 2, 365},
    {946684800LL, 2000, 1, 1, 0, 0, 0, 5, 1},
    {951782400LL, 2000, 2, 29, 0, 0, 0, 1, 60},
    {1709208000LL, 2024, 2, 29, 12, 0, 0, 3, 60},
    {4102444799LL, 2099, 12, 31, 23, 59, 59, 3, 365},
    {-62135596800LL, 1, 1, 1, 0, 0, 0, 0, 1},
    {253402300799LL, 9999, 12, 31, 23, 59, 59, 4, 365},
    {-2208988800LL, 1900, 1, 1, 0, 0, 0, 0, 1},
    {1234567890LL, 2009, 2, 13, 23, 31, 30, 4, 44},
};

static void test_both_ways(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof gmtime_table / sizeof gmtime_table[0]; i++) {
        c9_rtc_tm_t tm;
        assert_int_equal(c9_rtc_civil(gmtime_table[i].s, &tm), C9_OK);
        assert_int_equal(tm.year, gmtime_table[i].year);
        assert_int_equal(tm.mon, gmtime_table[i].mon);
        assert_int_equal(tm.mday, gmtime_table[i].mday);
        assert_int_equal(tm.hour, gmtime_table[i].hour);
        assert_int_equal(tm.min, gmtime_table[i].min);
        assert_int_equal(tm.sec, gmtime_table[i].sec);
        assert_int_equal(tm.wday, gmtime_table[i].wday);
        assert_int_equal(tm.yday, gmtime_table[i].yday);
        int64_t s = 0;
        assert_int_equal(c9_rtc_seconds(tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, &s), C9_OK);
        assert_true(s == gmtime_table[i].s);
    }
}

static int64_t secs(int32_t y, int32_t mo, int32_t d, int32_t h, int32_t mi, int32_t s) {
    int64_t out = 0;
    assert_int_equal(c9_rtc_seconds(y, mo, d, h, mi, s, &out), C9_OK);
    return out;
}

static void test_carries(void **state) {
    (void)state;
    assert_true(secs(2023, 13, 1, 0, 0, 0) == secs(2024, 1, 1, 0, 0, 0));
    assert_true(secs(2024, 0, 31, 0, 0, 0) == secs(2023, 12, 31, 0, 0, 0));
    assert_true(secs(2024, -11, 1, 0, 0, 0) == secs(2023, 1, 1, 0, 0, 0));
    assert_true(secs(2024, 3, 0, 0, 0, 0) == secs(2024, 2, 29, 0, 0, 0));
    assert_true(secs(2023, 3, 0, 0, 0, 0) == secs(2023, 2, 28, 0, 0, 0));
    assert_true(secs(2024, 1, 1, 25, 0, 0) == secs(2024, 1, 2, 1, 0, 0));
    assert_true(secs(2024, 1, 1, 0, 0, -1) == secs(2023, 12, 31, 23, 59, 59));
    assert_true(secs(2024, 1, 1, 0, 90, 0) == secs(2024, 1, 1, 1, 30, 0));
}

static void test_range(void **state) {
    (void)state;
    int64_t s = 7;
    assert_int_equal(c9_rtc_seconds(10000, 1, 1, 0, 0, 0, &s), C9_ERR_RANGE);
    assert_int_equal(c9_rtc_seconds(9999, 12, 31, 23, 59, 60, &s), C9_ERR_RANGE);
    assert_int_equal(c9_rtc_seconds(0, 12, 31, 0, 0, 0, &s), C9_ERR_RANGE);
    assert_int_equal(c9_rtc_seconds(INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, &s),
                     C9_ERR_RANGE);
    assert_int_equal(c9_rtc_seconds(INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, &s),
                     C9_ERR_RANGE);
    assert_true(s == 7);
    c9_rtc_tm_t tm = {.year = 42};
    assert_int_equal(c9_rtc_civil(253402300800LL, &tm), C9_ERR_RANGE);
    assert_int_equal(c9_rtc_civil(-62135596801LL, &tm), C9_ERR_RANGE);
    assert_int_equal(c9_rtc_civil(INT64_MIN, &tm), C9_ERR_RANGE);
    assert_int_equal(tm.year, 42);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_ways),
        cmocka_unit_test(test_carries),
        cmocka_unit_test(test_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
