/*
 * circuit9 calendar: the proleptic Gregorian calendar of a board's real-time clock, in UTC
 * (CircuitPython has no time zones: time.localtime() is the RTC's own reading). Seconds count
 * from 1970-01-01 00:00:00 as time.time() does; leap seconds do not exist.
 *
 *     int64_t s;
 *     c9_rtc_seconds(2024, 2, 29, 12, 0, 0, &s);   // 1709208000
 *     c9_rtc_tm_t tm;
 *     c9_rtc_civil(s, &tm);                         // tm.wday 3 (Thursday), tm.yday 60
 */
#ifndef CIRCUIT9_RTC_H
#define CIRCUIT9_RTC_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The years c9_rtc_civil() gives and c9_rtc_seconds() takes after normalising. */
#define C9_RTC_YEAR_MIN 1
#define C9_RTC_YEAR_MAX 9999

typedef struct c9_rtc_tm {
    int32_t year; /* 1..9999 */
    int32_t mon;  /* 1..12 */
    int32_t mday; /* 1..31 */
    int32_t hour, min, sec;
    int32_t wday; /* 0 is Monday, as time.struct_time */
    int32_t yday; /* 1..366 */
} c9_rtc_tm_t;

/* Seconds since 1970 of a date and time. Out-of-range fields carry as mktime() carries them:
 * month 13 is January of the next year, month 0 December of the one before, day 0 the last day
 * of the month before, hour 25 one in the morning of the next day, and negative values borrow.
 * @retval C9_OK
 * @retval C9_ERR_RANGE  the moment falls outside years 1..9999 */
c9_err_t c9_rtc_seconds(int32_t year, int32_t mon, int32_t mday, int32_t hour, int32_t min, int32_t sec, int64_t *out);

/* The date and time, weekday and day of the year of seconds since 1970.
 * @retval C9_OK
 * @retval C9_ERR_RANGE  the moment falls outside years 1..9999 (tm untouched) */
c9_err_t c9_rtc_civil(int64_t seconds, c9_rtc_tm_t *tm);

#ifdef __cplusplus
}
#endif

#endif
