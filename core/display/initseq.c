/* BusDisplay init sequences: records of cmd, count|0x80, params, [delay]. */
#include "display_internal.h"

#include <string.h>

#define DELAY_BIT 0x80

c9_err_t c9_initseq_next(const uint8_t *seq, size_t len, size_t *pos, c9_initseq_cmd_t *out) {
    size_t i = *pos;
    if (i >= len) {
        return C9_ERR_NOENT;
    }
    if (len - i < 2) {
        return C9_ERR_INITSEQ_TRUNCATED;
    }
    uint8_t count = seq[i + 1] & (uint8_t)~DELAY_BIT;
    bool has_delay = (seq[i + 1] & DELAY_BIT) != 0;
    size_t need = 2u + count + (has_delay ? 1u : 0u);
    if (len - i < need) {
        return C9_ERR_INITSEQ_TRUNCATED;
    }
    out->cmd = seq[i];
    out->param_count = count;
    out->params = seq + i + 2;
    out->has_delay = has_delay;
    out->delay_ms = 10; /* CircuitPython pauses 10 ms after every command without a delay byte */
    if (has_delay) {
        uint8_t dl = seq[i + 2 + count];
        out->delay_ms = dl == 255 ? 500 : dl;
    }
    *pos = i + need;
    return C9_OK;
}

c9_err_t c9_initseq_validate(const uint8_t *seq, size_t len, size_t *bad_pos, size_t *needed, size_t *available) {
    size_t pos = 0;
    c9_initseq_cmd_t cmd;
    for (;;) {
        size_t at = pos;
        c9_err_t err = c9_initseq_next(seq, len, &pos, &cmd);
        if (err == C9_ERR_NOENT) {
            return C9_OK;
        }
        if (err != C9_OK) {
            if (bad_pos) {
                *bad_pos = at;
            }
            if (needed) {
                *needed = len - at < 2 ? 2 : 2u + (seq[at + 1] & 0x7Fu) + ((seq[at + 1] & DELAY_BIT) ? 1u : 0u);
            }
            if (available) {
                *available = len - at;
            }
            return err;
        }
    }
}

c9_err_t c9_initseq_send(const uint8_t *seq, size_t len, const c9_display_bus_t *bus, bool data_as_commands,
                         const c9_clock_t *clock) {
    c9_err_t err = c9_initseq_validate(seq, len, NULL, NULL, NULL);
    if (err != C9_OK) {
        return err;
    }
    if (!bus->ops || !bus->ops->begin || !bus->ops->send || !bus->ops->end) {
        return C9_ERR_NOSYS;
    }
    size_t pos = 0;
    c9_initseq_cmd_t cmd;
    while (c9_initseq_next(seq, len, &pos, &cmd) == C9_OK) {
        if ((err = bus->ops->begin(bus->ctx)) != C9_OK) {
            return err;
        }
        if (data_as_commands) {
            uint8_t full[128];
            full[0] = cmd.cmd;
            memcpy(full + 1, cmd.params, cmd.param_count);
            err = bus->ops->send(bus->ctx, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, full, 1u + cmd.param_count);
        } else {
            err = bus->ops->send(bus->ctx, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, &cmd.cmd, 1);
            if (err == C9_OK && cmd.param_count) {
                err = bus->ops->send(bus->ctx, C9_DISPLAY_DATA, C9_CS_UNTOUCHED, cmd.params, cmd.param_count);
            }
        }
        bus->ops->end(bus->ctx);
        if (err != C9_OK) {
            return err;
        }
        if (clock && clock->delay_ms) {
            clock->delay_ms(clock->ctx, cmd.delay_ms);
        }
    }
    return C9_OK;
}
