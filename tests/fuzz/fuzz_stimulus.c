/* Fuzzes the stimulus parser: the input as an events file (counted, then parsed into exactly that
 * many entries) and as one assignment. Entries must be well formed: NUL-terminated names and
 * units, non-decreasing times; errors must point inside the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/stimulus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    size_t count = 0;
    c9_stim_error_t e = {0};
    c9_err_t err = c9_stim_parse_events(text, size, NULL, 0, &count, &e);
    if (err == C9_OK) {
        c9_stim_t *ev = count ? malloc(sizeof(*ev) * count) : NULL;
        size_t again = 0;
        if (c9_stim_parse_events(text, size, ev, count, &again, &e) != C9_OK || again != count) {
            __builtin_trap();
        }
        for (size_t i = 0; i < count; i++) {
            if (memchr(ev[i].name, 0, sizeof ev[i].name) == NULL || !ev[i].name[0] ||
                memchr(ev[i].value.unit, 0, sizeof ev[i].value.unit) == NULL ||
                (i && ev[i].time_ns < ev[i - 1].time_ns)) {
                __builtin_trap();
            }
            bool level;
            int32_t mv;
            (void)c9_stim_digital(&ev[i].value, &level);
            (void)c9_stim_millivolts(&ev[i].value, &mv);
        }
        free(ev);
    } else if (err != C9_ERR_INVAL || !e.what || e.line == 0 || e.column == 0 || e.column > size + 1) {
        __builtin_trap();
    }
    c9_stim_t s;
    err = c9_stim_parse_assignment(text, size, &s, &e);
    if (err == C9_OK &&
        (memchr(s.name, 0, sizeof s.name) == NULL || memchr(s.value.unit, 0, sizeof s.value.unit) == NULL)) {
        __builtin_trap();
    }
    if (err != C9_OK && (e.column == 0 || e.column > size + 1)) {
        __builtin_trap();
    }
    return 0;
}
