/* time.struct_time as CircuitPython's time and rtc modules convert it, and the RTC's reading
 * (runtime/c9rt.h rtc_offset over the port's clock), shared by the time and rtc bindings. */
#ifndef C9PY_TIME_H
#define C9PY_TIME_H

#include "c9py.h"
#include "circuit9/rtc.h"

/* struct_time_to_tm: a struct_time or any 9-tuple, its first eight items ints; TypeError
 * "value must be of type struct_time, not <T>", "function takes 9 positional arguments but <n>
 * were given", "can't convert <T> to int". 0 or -1 with an exception. */
int c9py_struct_time_to_tm(PyObject *t, c9_rtc_tm_t *tm);
/* struct_time_from_tm: the fields as given, tm_wday and tm_yday worked out from them, tm_isdst
 * -1. OverflowError "timestamp out of range for platform time_t" outside years 1..9999. */
PyObject *c9py_struct_time_from_tm(const c9_rtc_tm_t *tm);
/* Seconds since 1970 on the board's RTC: the machine's clock (from 2000-01-01 at power-on where
 * it has none) plus what setting RTC().datetime added. */
int64_t c9py_rtc_now(void);
/* Sets the RTC: c9py_rtc_now() reads seconds from now on, counting on. */
void c9py_rtc_set(int64_t seconds);
/* The time source's datetime as a struct_time (rtc_get_time_source_time): the RTC's, or the
 * datetime attribute of the object given to rtc.set_time_source(). NULL with an exception. */
PyObject *c9py_time_source_now(void);

#endif
