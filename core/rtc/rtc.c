/* The calendar of the real-time clock: days counted from 1970-01-01 in the proleptic Gregorian
 * calendar, with years starting in March so that the leap day is the last day of a year (the
 * usual way to make the month lengths a formula). */
#include "circuit9/rtc.h"

#define SECONDS_PER_DAY 86400

/* Floor division: the calendar goes on before 1970 too. */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days from 1970-01-01 to year-mon-mday, mon 1..12, any mday. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Seconds of 0001-01-01 00:00:00 and 9999-12-31 23:59:59 since 1970. */
static const int64_t first_second = -62135596800LL;
static const int64_t last_second = 253402300799LL;

c9_err_t c9_rtc_seconds(int32_t year, int32_t mon, int32_t mday, int32_t hour, int32_t min, int32_t sec, int64_t *out) {
    int64_t m0 = (int64_t)mon - 1;
    int64_t y = (int64_t)year + floor_div(m0, 12);
    int64_t m = m0 - floor_div(m0, 12) * 12 + 1;
    /* Within int32 fields nothing here can overflow 64 bits: |y| < 2^32, days < 2^41. */
    int64_t s = days_from_civil(y, m, 1) * SECONDS_PER_DAY + ((int64_t)mday - 1) * SECONDS_PER_DAY +
                (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
    if (s < first_second || s > last_second) {
        return C9_ERR_RANGE;
    }
    *out = s;
    return C9_OK;
}

c9_err_t c9_rtc_civil(int64_t seconds, c9_rtc_tm_t *tm) {
    if (seconds < first_second || seconds > last_second) {
        return C9_ERR_RANGE;
    }
    int64_t days = floor_div(seconds, SECONDS_PER_DAY);
    int64_t rem = seconds - days * SECONDS_PER_DAY;
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    tm->year = (int32_t)y;
    tm->mon = (int32_t)m;
    tm->mday = (int32_t)d;
    tm->hour = (int32_t)(rem / 3600);
    tm->min = (int32_t)(rem / 60 % 60);
    tm->sec = (int32_t)(rem % 60);
    /* 1970-01-01 was a Thursday (3). */
    tm->wday = (int32_t)(days + 3 - floor_div(days + 3, 7) * 7);
    tm->yday = (int32_t)(days - days_from_civil(y, 1, 1) + 1);
    return C9_OK;
}
