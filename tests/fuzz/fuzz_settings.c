/* Fuzzes the settings.toml scanner: the first line of the input is the key, the rest the file.
 * Every lookup must stay inside the input and agree between the size query and the real read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char key[64];
    size_t k = 0;
    while (k < size && k < sizeof key - 1 && data[k] != '\n') {
        key[k] = (char)data[k];
        k++;
    }
    key[k] = 0;
    const char *text = (const char *)data + (k < size ? k + 1 : k);
    size_t len = size - (size_t)(text - (const char *)data);

    size_t need, got;
    bool quoted, quoted2;
    int bad;
    c9_err_t err = c9_settings_get(text, len, key, NULL, 0, &need, &quoted, &bad);
    if (err == C9_ERR_NOMEM || err == C9_OK) {
        char *buf = (char *)malloc(need + 1);
        c9_err_t err2 = c9_settings_get(text, len, key, buf, need + 1, &got, &quoted2, &bad);
        if (err2 != C9_OK || got != need || quoted2 != quoted || buf[got] != 0) {
            __builtin_trap();
        }
        if (!quoted) {
            c9_settings_int_t v;
            (void)c9_settings_parse_int(buf, got, &v);
            if (v.digits + v.digit_count > got) {
                __builtin_trap();
            }
        }
        free(buf);
    }
    int32_t iv;
    (void)c9_settings_get_int(text, len, key, &iv, &bad);
    char q[8];
    c9_settings_quote_byte(bad & 0xff, q);
    return 0;
}
