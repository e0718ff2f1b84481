/* Init sequence parser: never reads past the buffer, and validate() agrees with next(). */
#include <stdlib.h>
#include <string.h>

#include "circuit9/display.h"

static size_t sent;
static c9_err_t begin(void *c) {
    (void)c;
    return C9_OK;
}
static c9_err_t send(void *c, c9_byte_type_t t, c9_cs_mode_t cs, const uint8_t *d, size_t n) {
    (void)c;
    (void)t;
    (void)cs;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++) {
        sink ^= d[i]; /* touch every byte so ASan sees over-reads */
    }
    (void)sink;
    sent += n;
    return C9_OK;
}
static void end(void *c) {
    (void)c;
}
static const c9_display_bus_ops_t ops = {begin, send, end, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* An exact-size heap copy so reading one byte too far is caught. */
    uint8_t *seq = malloc(size ? size : 1);
    memcpy(seq, data, size);
    size_t bad = 0, need = 0, have = 0;
    c9_err_t v = c9_initseq_validate(seq, size, &bad, &need, &have);
    size_t pos = 0;
    c9_initseq_cmd_t cmd;
    c9_err_t e;
    while ((e = c9_initseq_next(seq, size, &pos, &cmd)) == C9_OK) {
        if (cmd.params + cmd.param_count > seq + size || (cmd.has_delay && cmd.delay_ms > 500)) {
            abort();
        }
    }
    if ((v == C9_OK) != (e == C9_ERR_NOENT) || (v != C9_OK && (bad != pos || need <= have))) {
        abort();
    }
    c9_display_bus_t bus = {&ops, NULL};
    sent = 0;
    if (c9_initseq_send(seq, size, &bus, size & 1, NULL) != v) {
        abort();
    }
    free(seq);
    return 0;
}
