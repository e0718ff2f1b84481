/* Key scanning as CircuitPython's keypad does it: the scans of Keys, KeyMatrix and
 * ShiftRegisterKeys, its debouncing counters and its event queue. */
#include "circuit9/keypad.h"

#include <string.h>

/* ---- queue ------------------------------------------------------------------------------------ */

void c9_keypad_queue_init(c9_keypad_queue_t *q, c9_keypad_event_t *slots, size_t capacity) {
    q->slots = slots;
    q->capacity = slots ? capacity : 0;
    q->head = q->length = 0;
    q->overflowed = false;
}

bool c9_keypad_queue_put(c9_keypad_queue_t *q, uint16_t key, bool pressed, uint32_t timestamp) {
    if (q->length >= q->capacity) {
        q->overflowed = true;
        return false;
    }
    size_t tail = (q->head + q->length) % q->capacity;
    q->slots[tail] = (c9_keypad_event_t){key, pressed, timestamp};
    q->length++;
    return true;
}

bool c9_keypad_queue_get(c9_keypad_queue_t *q, c9_keypad_event_t *out) {
    if (!q->length) {
        return false;
    }
    *out = q->slots[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->length--;
    return true;
}

void c9_keypad_queue_clear(c9_keypad_queue_t *q) {
    q->head = q->length = 0;
    q->overflowed = false;
}

size_t c9_keypad_queue_length(const c9_keypad_queue_t *q) {
    return q->length;
}

/* ---- configuration ------------------------------------------------------------------------- */

size_t c9_keypad_key_count(const c9_keypad_config_t *cfg) {
    switch (cfg->kind) {
    case C9_KEYPAD_KEYS:
        return (cfg->pins || !cfg->pin_count) && cfg->pin_count <= C9_KEYPAD_MAX_KEYS ? cfg->pin_count : SIZE_MAX;
    case C9_KEYPAD_MATRIX:
        if ((!cfg->pins && cfg->pin_count) || cfg->rows > cfg->pin_count ||
            cfg->columns != cfg->pin_count - cfg->rows ||
            (cfg->columns && cfg->rows > C9_KEYPAD_MAX_KEYS / cfg->columns)) {
            return SIZE_MAX;
        }
        return cfg->rows * cfg->columns;
    case C9_KEYPAD_SHIFT: {
        if (!cfg->pins || !cfg->key_counts || !cfg->pin_count) {
            return SIZE_MAX;
        }
        size_t total = 0;
        for (size_t i = 0; i < cfg->pin_count; i++) {
            if (!cfg->key_counts[i] || total + cfg->key_counts[i] > C9_KEYPAD_MAX_KEYS) {
                return SIZE_MAX;
            }
            total += cfg->key_counts[i];
        }
        return total;
    }
    default: return SIZE_MAX;
    }
}

/* ---- debouncing -------------------------------------------------------------------------------- */

/* CircuitPython's counter: it walks toward +threshold while the key reads pressed and toward
 * -threshold while it reads released; crossing zero is a change, after which the counter jumps
 * to the far end, so a change needs threshold agreeing scans and a bounce only delays it. */
static bool debounce(c9_keypad_t *kp, size_t key, bool current) {
    int8_t *c = &kp->counters[key];
    int8_t t = (int8_t)kp->cfg.debounce_threshold;
    if (current) {
        if (*c < t && ++*c == 0) {
            *c = t;
            return true;
        }
    } else if (*c > -t && --*c == 0) {
        *c = (int8_t)-t;
        return true;
    }
    return false;
}

static void record(c9_keypad_t *kp, size_t key, bool current, uint32_t timestamp) {
    if (debounce(kp, key, current)) {
        c9_keypad_queue_put(kp->queue, (uint16_t)key, current, timestamp);
    }
}

/* ---- scans ------------------------------------------------------------------------------------ */

static void scan_keys(c9_keypad_t *kp, uint32_t ts) {
    const c9_keypad_io_t *io = &kp->io;
    for (size_t k = 0; k < kp->key_count; k++) {
        bool current = io->read(io->ctx, kp->cfg.pins[k]) == kp->cfg.value_when_pressed;
        record(kp, k, current, ts);
    }
}

static void scan_matrix(c9_keypad_t *kp, uint32_t ts) {
    const c9_keypad_io_t *io = &kp->io;
    const c9_keypad_config_t *c = &kp->cfg;
    const int *rows = c->pins, *columns = c->pins + c->rows;
    uint8_t rest = c->columns_to_anodes ? C9_KEYPAD_PULL_UP : C9_KEYPAD_PULL_DOWN;
    for (size_t r = 0; r < c->rows; r++) {
        /* The row is driven to the level that makes a pressed key pull its column along. */
        io->output(io->ctx, rows[r], !c->columns_to_anodes);
        for (size_t col = 0; col < c->columns; col++) {
            bool current = io->read(io->ctx, columns[col]) != c->columns_to_anodes;
            record(kp, r * c->columns + col, current, ts);
        }
        /* Back to the resting level before letting go, as CircuitPython does, so the weak pull
         * does not have to drag the line back. */
        io->write(io->ctx, rows[r], c->columns_to_anodes);
        io->input(io->ctx, rows[r], rest);
    }
}

static void scan_shift(c9_keypad_t *kp, uint32_t ts) {
    const c9_keypad_io_t *io = &kp->io;
    const c9_keypad_config_t *c = &kp->cfg;
    uint16_t longest = 0;
    for (size_t i = 0; i < c->pin_count; i++) {
        longest = c->key_counts[i] > longest ? c->key_counts[i] : longest;
    }
    io->write(io->ctx, c->latch, c->value_to_latch);
    for (size_t bit = 0; bit < longest; bit++) {
        io->write(io->ctx, c->clock, false);
        /* Bit 0 is on the data pin at once; each clock rise shifts the next one out. Keys are
         * numbered data pin by data pin. */
        size_t first = 0;
        for (size_t i = 0; i < c->pin_count; i++) {
            if (bit < c->key_counts[i]) {
                bool current = io->read(io->ctx, c->pins[i]) == c->value_when_pressed;
                record(kp, first + bit, current, ts);
            }
            first += c->key_counts[i];
        }
        io->write(io->ctx, c->clock, true);
    }
    io->write(io->ctx, c->latch, !c->value_to_latch);
}

void c9_keypad_scan(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp) {
    kp->next_scan_ns = now_ns + kp->interval_ns;
    switch (kp->cfg.kind) {
    case C9_KEYPAD_KEYS: scan_keys(kp, timestamp); break;
    case C9_KEYPAD_MATRIX: scan_matrix(kp, timestamp); break;
    default: scan_shift(kp, timestamp); break;
    }
}

bool c9_keypad_poll(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp) {
    if (now_ns < kp->next_scan_ns) {
        return false;
    }
    c9_keypad_scan(kp, now_ns, timestamp);
    return true;
}

void c9_keypad_reset(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp) {
    if (kp->key_count) {
        memset(kp->counters, (int8_t) - (int8_t)kp->cfg.debounce_threshold, kp->key_count);
    }
    c9_keypad_scan(kp, now_ns, timestamp);
}

bool c9_keypad_pressed(const c9_keypad_t *kp, size_t key) {
    return key < kp->key_count && kp->counters[key] > 0;
}

c9_err_t c9_keypad_init(c9_keypad_t *kp, const c9_keypad_config_t *cfg, const c9_keypad_io_t *io, int8_t *counters,
                        size_t counter_count, c9_keypad_queue_t *queue, uint64_t now_ns, uint32_t timestamp) {
    if (!kp || !cfg || !io || !io->input || !io->output || !io->write || !io->read || !queue ||
        cfg->debounce_threshold < 1 || cfg->debounce_threshold > 127) {
        return C9_ERR_INVAL;
    }
    size_t keys = c9_keypad_key_count(cfg);
    if (keys > C9_KEYPAD_MAX_KEYS) {
        return C9_ERR_INVAL;
    }
    if ((keys && !counters) || counter_count < keys) {
        return C9_ERR_NOMEM;
    }
    memset(kp, 0, sizeof(*kp));
    kp->cfg = *cfg;
    kp->io = *io;
    kp->counters = counters;
    kp->key_count = keys;
    kp->queue = queue;
    /* CircuitPython counts the interval in 1/1024 s ticks. */
    kp->interval_ns = (uint64_t)cfg->interval_ticks * 1000000000u / 1024u;
    if (keys) {
        memset(counters, (int8_t) - (int8_t)cfg->debounce_threshold, keys);
    }
    switch (cfg->kind) {
    case C9_KEYPAD_KEYS:
        for (size_t i = 0; i < keys; i++) {
            uint8_t pull = !cfg->pull                ? C9_KEYPAD_PULL_NONE
                           : cfg->value_when_pressed ? C9_KEYPAD_PULL_DOWN
                                                     : C9_KEYPAD_PULL_UP;
            io->input(io->ctx, cfg->pins[i], pull);
        }
        break;
    case C9_KEYPAD_MATRIX:
        for (size_t i = 0; i < cfg->pin_count; i++) {
            io->input(io->ctx, cfg->pins[i], cfg->columns_to_anodes ? C9_KEYPAD_PULL_UP : C9_KEYPAD_PULL_DOWN);
        }
        break;
    default:
        io->output(io->ctx, cfg->clock, false);
        io->output(io->ctx, cfg->latch, true);
        for (size_t i = 0; i < cfg->pin_count; i++) {
            io->input(io->ctx, cfg->pins[i], C9_KEYPAD_PULL_NONE);
        }
        break;
    }
    c9_keypad_scan(kp, now_ns, timestamp);
    return C9_OK;
}
