/*
 * circuit9 settings: CircuitPython's settings.toml reader, with its TOML subset and quirks.
 *
 * CircuitPython does not parse settings.toml as TOML: for every lookup it scans the file line by
 * line for "KEY =" and reads the value that follows. circuit9 keeps that exact behaviour, because
 * programs (and people) depend on what it accepts and rejects:
 *   - bare keys only; a line starting with '[' ends the search (only the root table is readable);
 *   - the first line for a key wins (duplicates are not diagnosed);
 *   - values are basic strings ("...", escapes \b \t \n \f \r \v \" \\ \uXXXX \UXXXXXXXX, any other
 *     escaped byte stands for itself) or bare text up to '#' or the end of the line;
 *   - after a closing quote only whitespace or a '#' comment may follow;
 *   - a NUL byte reads as the end of the file.
 * The file's bytes are the caller's (no file I/O here); nothing is allocated.
 *
 *     char value[64]; size_t n; bool quoted; int bad;
 *     c9_err_t err = c9_settings_get(text, len, "CIRCUITPY_WIFI_SSID", value, sizeof value, &n,
 *                                    &quoted, &bad);
 *     if (err == C9_OK && quoted) use(value, n);       // value is also NUL-terminated if it fits
 *
 * Integers: os.getenv() turns a bare value into an int with MicroPython's int parser
 * (c9_settings_parse_int: base prefixes 0x/0o/0b, "011" is 11, surrounding spaces allowed),
 * whereas the supervisor's own CIRCUITPY_* integers use C strtol rules (c9_settings_get_int:
 * "011" is 9, no 0o/0b, at most 15 characters).
 */
#ifndef CIRCUIT9_SETTINGS_H
#define CIRCUIT9_SETTINGS_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors (common.h's error table): C9_ERR_SETTINGS_BYTE, a byte that may not appear
 * where it is (*bad holds it, 0 for the end of the file); C9_ERR_SETTINGS_UNICODE, a \u or \U
 * escape naming a code point >= 0x110000. */

/* Looks key up in text[0..len). On C9_OK, out holds the value's bytes (UTF-8 for escapes),
 * *out_len their count and *quoted whether it was a string; out is NUL-terminated when
 * *out_len < out_size. When the value does not fit, the return is C9_ERR_NOMEM and *out_len is
 * the size needed (the value is truncated in out). Errors: C9_ERR_NOENT (no such key in the
 * root table), C9_ERR_SETTINGS_BYTE (*bad = the offending byte, 0 for end of file),
 * C9_ERR_SETTINGS_UNICODE, C9_ERR_INVAL (NULL text with len > 0, NULL key/out_len/quoted/bad).
 * out may be NULL when out_size is 0, to query the size. */
c9_err_t c9_settings_get(const char *text, size_t len, const char *key, char *out, size_t out_size, size_t *out_len,
                         bool *quoted, int *bad);

/* The syntax of a bare value as MicroPython's int(s, 0) reads it. */
typedef struct c9_settings_int {
    bool negative;
    uint8_t base;       /* 2, 8, 10 or 16 */
    size_t digits;      /* offset of the first digit in the input */
    size_t digit_count; /* number of digits */
    int64_t value;      /* valid when !overflow */
    bool overflow;      /* does not fit in int64_t: parse the digits as a big number */
} c9_settings_int_t;

/* Parses s[0..len) as MicroPython's mp_parse_num_integer(s, len, 0): optional spaces, sign,
 * prefix 0x/0o/0b (any case), digits (no underscores), optional spaces. Returns C9_OK or
 * C9_ERR_INVAL (out->base then holds the base to name in the error message). */
c9_err_t c9_settings_parse_int(const char *s, size_t len, c9_settings_int_t *out);

/* The supervisor's integer settings (CIRCUITPY_HEAP_START_SIZE, ...): the bare value is read
 * into a 16-byte buffer and converted with strtol(s, &end, 0) rules; trailing spaces are allowed.
 * Errors: as c9_settings_get, C9_ERR_SETTINGS_BYTE for a quoted value (*bad = '"') or a stray
 * character (*bad = it, 0 for an empty value), C9_ERR_NOMEM if the value has 16 bytes or more.
 * Out-of-range numbers saturate to INT32_MIN/INT32_MAX, as strtol does on a 32-bit board. */
c9_err_t c9_settings_get_int(const char *text, size_t len, const char *key, int32_t *value, int *bad);

/* Writes the printable form CircuitPython's "Invalid byte %s" uses for a byte: 'x' with Python's
 * quoting ('\n', '\x01', '"' in single quotes, ...) or 'EOF' for 0. buf needs 8 bytes. */
void c9_settings_quote_byte(int byte, char buf[8]);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_SETTINGS_H */
