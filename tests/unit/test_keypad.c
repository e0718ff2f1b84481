/* Unit tests of the key scanning core: the event queue, the debouncing counters, the scan interval
 * in CircuitPython's 1/1024 s ticks, and the three scanners on simulated wiring (switches to
 * ground, a diode matrix, a chain of 74HC165 shift registers) whose behaviour the test models
 * from the parts' datasheets, not from the core. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/keypad.h"

/* ---- simulated wiring ---------------------------------------------------------------------- */

#define NPINS 16
typedef struct {
    bool output[NPINS];
    bool out_level[NPINS];
    uint8_t pull[NPINS];
    int inputs_set, outputs_set;
    /* what the world does */
    int kind;                   /* 0 switches, 1 matrix, 2 shift registers */
    bool pressed[64];           /* per key */
    int rows, cols, row0, col0; /* matrix: pins row0.., col0.. */
    bool diodes_to_columns;     /* matrix: anodes on the columns */
    /* shift: two 74HC165 chains on data pins 2 and 3, clock 0, latch 1; each chain's parallel
     * inputs are keys; chain lengths */
    int chain_len[2];
    uint8_t reg[2][16];
    int shift_pos[2];
    bool last_clock;
    int latches;
} world_t;

static bool level_of(world_t *w, int pin) {
    if (w->output[pin]) {
        return w->out_level[pin];
    }
    bool pulled = w->pull[pin] == C9_KEYPAD_PULL_UP;
    switch (w->kind) {
    case 0: /* a switch to ground (pressed reads 0) or, for pins 8.., to 3.3 V (pressed reads 1) */
        if (w->pressed[pin]) {
            return pin >= 8;
        }
        return pulled;
    case 1: {
        int col = pin - w->col0;
        if (col >= 0 && col < w->cols) {
            /* A pressed switch connects the column to a driven row through a diode that conducts
             * only when the row pulls against the column's pull. */
            for (int r = 0; r < w->rows; r++) {
                int rp = w->row0 + r;
                if (w->output[rp] && w->pressed[r * w->cols + col]) {
                    bool row_level = w->out_level[rp];
                    if (w->diodes_to_columns ? !row_level : row_level) {
                        return row_level;
                    }
                }
            }
        }
        return pulled;
    }
    default: {
        int chain = pin - 2;
        if (chain == 0 || chain == 1) {
            int pos = w->shift_pos[chain];
            return pos < w->chain_len[chain] ? w->reg[chain][pos] : false;
        }
        return pulled;
    }
    }
}

static void io_input(void *ctx, int pin, uint8_t pull) {
    world_t *w = ctx;
    w->output[pin] = false;
    w->pull[pin] = pull;
    w->inputs_set++;
}

static void shift_edges(world_t *w, int pin, bool level) {
    if (w->kind != 2) {
        return;
    }
    if (pin == 1 && level) { /* latch high while the scanner latches with value_to_latch=True */
        /* 74HC165: PL low loads, high shifts; the core's value_to_latch=True freezes on high, so
         * the test's part loads when the latch goes to the freezing level. */
        w->latches++;
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < w->chain_len[c]; i++) {
                w->reg[c][i] = w->pressed[c * 8 + i] ? 0 : 1; /* pressed keys pull to 0 */
            }
            w->shift_pos[c] = 0;
        }
    }
    if (pin == 0) {
        if (level && !w->last_clock) {
            w->shift_pos[0]++;
            w->shift_pos[1]++;
        }
        w->last_clock = level;
    }
}

static void io_output(void *ctx, int pin, bool level) {
    world_t *w = ctx;
    w->output[pin] = true;
    w->out_level[pin] = level;
    w->outputs_set++;
    shift_edges(w, pin, level);
}

static void io_write(void *ctx, int pin, bool level) {
    world_t *w = ctx;
    w->out_level[pin] = level;
    shift_edges(w, pin, level);
}

static bool io_read(void *ctx, int pin) {
    return level_of(ctx, pin);
}

static c9_keypad_io_t io_for(world_t *w) {
    return (c9_keypad_io_t){io_input, io_output, io_write, io_read, w};
}

#define MS(x) ((uint64_t)(x)*1000000u)

/* ---- queue ---------------------------------------------------------------------------------- */

static void test_queue(void **state) {
    (void)state;
    c9_keypad_event_t slots[3], ev;
    c9_keypad_queue_t q;
    c9_keypad_queue_init(&q, slots, 3);
    assert_false(c9_keypad_queue_get(&q, &ev));
    for (int round = 0; round < 3; round++) { /* wraps around the ring */
        assert_true(c9_keypad_queue_put(&q, 1, true, 10));
        assert_true(c9_keypad_queue_put(&q, 2, false, 20));
        assert_true(c9_keypad_queue_put(&q, 3, true, 30));
        assert_false(q.overflowed);
        assert_false(c9_keypad_queue_put(&q, 4, true, 40)); /* dropped */
        assert_true(q.overflowed);
        assert_int_equal(c9_keypad_queue_length(&q), 3);
        assert_true(c9_keypad_queue_get(&q, &ev));
        assert_int_equal(ev.key, 1);
        assert_true(ev.pressed);
        assert_int_equal(ev.timestamp, 10);
        assert_true(c9_keypad_queue_put(&q, 5, false, 50));
        assert_true(c9_keypad_queue_get(&q, &ev));
        assert_int_equal(ev.key, 2);
        assert_false(ev.pressed);
        assert_true(c9_keypad_queue_get(&q, &ev));
        assert_int_equal(ev.key, 3);
        assert_true(c9_keypad_queue_get(&q, &ev));
        assert_int_equal(ev.key, 5);
        assert_false(c9_keypad_queue_get(&q, &ev));
        assert_true(q.overflowed); /* stays until cleared */
        c9_keypad_queue_put(&q, 9, true, 0);
        c9_keypad_queue_clear(&q);
        assert_false(q.overflowed);
        assert_int_equal(c9_keypad_queue_length(&q), 0);
    }
}

/* ---- Keys ------------------------------------------------------------------------------------ */

typedef struct {
    world_t w;
    c9_keypad_event_t slots[8];
    c9_keypad_queue_t q;
    int8_t counters[64];
    c9_keypad_t kp;
    int pins[8];
} rig_t;

static c9_err_t start_keys(rig_t *r, const int *pins, size_t n, bool when_pressed, uint8_t threshold, uint64_t now) {
    memcpy(r->pins, pins, n * sizeof(int));
    c9_keypad_queue_init(&r->q, r->slots, 8);
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_KEYS,
                              .pins = r->pins,
                              .pin_count = n,
                              .value_when_pressed = when_pressed,
                              .pull = true,
                              .interval_ticks = 20,
                              .debounce_threshold = threshold};
    c9_keypad_io_t io = io_for(&r->w);
    return c9_keypad_init(&r->kp, &cfg, &io, r->counters, sizeof r->counters, &r->q, now, (uint32_t)(now / 1000000));
}

static void expect_event(rig_t *r, int key, bool pressed, uint32_t ts) {
    c9_keypad_event_t ev;
    assert_true(c9_keypad_queue_get(&r->q, &ev));
    assert_int_equal(ev.key, key);
    assert_int_equal(ev.pressed, pressed);
    assert_int_equal(ev.timestamp, ts);
}

static void expect_none(rig_t *r) {
    c9_keypad_event_t ev;
    assert_false(c9_keypad_queue_get(&r->q, &ev));
}

static void test_keys_pull_and_first_scan(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    r.w.pressed[5] = true; /* held down before the program starts */
    const int pins[] = {4, 5, 9};
    assert_int_equal(start_keys(&r, pins, 3, false, 1, MS(100)), C9_OK);
    /* value_when_pressed False with pull: pulled up. */
    assert_int_equal(r.w.pull[4], C9_KEYPAD_PULL_UP);
    assert_int_equal(r.w.pull[9], C9_KEYPAD_PULL_UP);
    expect_event(&r, 1, true, 100); /* the first scan reports the held key */
    expect_none(&r);
    assert_true(c9_keypad_pressed(&r.kp, 1));
    assert_false(c9_keypad_pressed(&r.kp, 0));
    /* 20 ticks are 19.53125 ms: no scan before that. */
    r.w.pressed[5] = false;
    r.w.pressed[4] = true;
    assert_false(c9_keypad_poll(&r.kp, MS(100) + 19531249, 119));
    expect_none(&r);
    assert_true(c9_keypad_poll(&r.kp, MS(100) + 19531250, 119));
    expect_event(&r, 0, true, 119);
    expect_event(&r, 1, false, 119);
    expect_none(&r);
    /* reset(): everything counts as released again, so the held key is reported once more. */
    c9_keypad_reset(&r.kp, MS(200), 200);
    expect_event(&r, 0, true, 200);
    expect_none(&r);
}

static void test_keys_pressed_high_pull_down(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    const int pins[] = {8, 9};
    assert_int_equal(start_keys(&r, pins, 2, true, 1, 0), C9_OK);
    assert_int_equal(r.w.pull[8], C9_KEYPAD_PULL_DOWN);
    expect_none(&r);
    r.w.pressed[9] = true;
    c9_keypad_scan(&r.kp, MS(30), 30);
    expect_event(&r, 1, true, 30);
}

static void test_debounce_threshold(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    const int pins[] = {4};
    assert_int_equal(start_keys(&r, pins, 1, false, 3, 0), C9_OK);
    /* A bouncing press: down, up, down, down, down. Three agreeing scans in a row from the
     * settled state are needed; the bounce walks the counter back. */
    const bool seq[] = {true, false, true, true, true, true};
    uint64_t t = 0;
    int events = 0;
    for (size_t i = 0; i < sizeof seq; i++) {
        r.w.pressed[4] = seq[i];
        t += MS(20);
        c9_keypad_scan(&r.kp, t, (uint32_t)(t / 1000000));
        c9_keypad_event_t ev;
        while (c9_keypad_queue_get(&r.q, &ev)) {
            events++;
            assert_true(ev.pressed);
            /* counter: -3 -> -2 (down) -> -3 (up) -> -2 -> -1 -> 0: the fifth scan */
            assert_int_equal(ev.timestamp, 100);
        }
    }
    assert_int_equal(events, 1);
    /* Release needs three scans too. */
    r.w.pressed[4] = false;
    for (int i = 0; i < 2; i++) {
        t += MS(20);
        c9_keypad_scan(&r.kp, t, (uint32_t)(t / 1000000));
        expect_none(&r);
    }
    t += MS(20);
    c9_keypad_scan(&r.kp, t, (uint32_t)(t / 1000000));
    expect_event(&r, 0, false, (uint32_t)(t / 1000000));
}

static void test_overflow_keeps_state(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    const int pins[] = {0, 1, 2, 3, 4, 5, 6, 7};
    assert_int_equal(start_keys(&r, pins, 8, false, 1, 0), C9_OK);
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 8; k++) {
            r.w.pressed[k] = round == 0;
        }
        c9_keypad_scan(&r.kp, MS(20 * (round + 1)), 20u * (uint32_t)(round + 1));
    }
    /* 16 changes into 8 slots: the first 8 kept, the rest dropped, the flag set; the debouncer
     * still knows every key is up. */
    assert_int_equal(c9_keypad_queue_length(&r.q), 8);
    assert_true(r.q.overflowed);
    for (int k = 0; k < 8; k++) {
        expect_event(&r, k, true, 20);
        assert_false(c9_keypad_pressed(&r.kp, (size_t)k));
    }
}

/* ---- KeyMatrix ------------------------------------------------------------------------------ */

static void run_matrix(bool columns_to_anodes) {
    static rig_t r;
    memset(&r, 0, sizeof r);
    r.w.kind = 1;
    r.w.rows = 2;
    r.w.cols = 3;
    r.w.row0 = 0;
    r.w.col0 = 4;
    r.w.diodes_to_columns = columns_to_anodes;
    r.pins[0] = 0;
    r.pins[1] = 1;
    r.pins[2] = 4;
    r.pins[3] = 5;
    r.pins[4] = 6;
    c9_keypad_queue_init(&r.q, r.slots, 8);
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_MATRIX,
                              .pins = r.pins,
                              .pin_count = 5,
                              .rows = 2,
                              .columns = 3,
                              .columns_to_anodes = columns_to_anodes,
                              .interval_ticks = 20,
                              .debounce_threshold = 1};
    c9_keypad_io_t io = io_for(&r.w);
    assert_int_equal(c9_keypad_key_count(&cfg), 6);
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 6, &r.q, 0, 0), C9_OK);
    uint8_t rest = columns_to_anodes ? C9_KEYPAD_PULL_UP : C9_KEYPAD_PULL_DOWN;
    for (int p = 0; p < 7; p++) {
        if (p != 2 && p != 3) {
            assert_int_equal(r.w.pull[p], rest);
            assert_false(r.w.output[p]); /* rows rest as inputs between scans */
        }
    }
    expect_none(&r);
    r.w.pressed[1 * 3 + 2] = true; /* row 1, column 2: key 5 */
    r.w.pressed[0] = true;
    c9_keypad_scan(&r.kp, MS(20), 20);
    expect_event(&r, 0, true, 20);
    expect_event(&r, 5, true, 20);
    expect_none(&r);
    assert_false(r.w.output[0]);
    assert_false(r.w.output[1]);
}

static void test_matrix(void **state) {
    (void)state;
    run_matrix(true);
    run_matrix(false);
}

/* ---- ShiftRegisterKeys ------------------------------------------------------------------------- */

static void test_shift_registers(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    r.w.kind = 2;
    r.w.chain_len[0] = 3;
    r.w.chain_len[1] = 5;
    r.pins[0] = 2;
    r.pins[1] = 3;
    static const uint16_t counts[2] = {3, 5};
    c9_keypad_queue_init(&r.q, r.slots, 8);
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_SHIFT,
                              .pins = r.pins,
                              .pin_count = 2,
                              .clock = 0,
                              .latch = 1,
                              .value_to_latch = true,
                              .key_counts = counts,
                              .value_when_pressed = false,
                              .interval_ticks = 20,
                              .debounce_threshold = 1};
    c9_keypad_io_t io = io_for(&r.w);
    assert_int_equal(c9_keypad_key_count(&cfg), 8);
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 8, &r.q, 0, 0), C9_OK);
    assert_true(r.w.output[0]);
    assert_true(r.w.output[1]);
    assert_int_equal(r.w.latches, 2); /* set up as an output at the latch level, then the first scan */
    expect_none(&r);
    /* Chain 0's key 2 and chain 1's key 4: numbers 2 and 3 + 4 = 7. */
    r.w.pressed[0 * 8 + 2] = true;
    r.w.pressed[1 * 8 + 4] = true;
    c9_keypad_scan(&r.kp, MS(20), 20);
    expect_event(&r, 2, true, 20);
    expect_event(&r, 7, true, 20);
    expect_none(&r);
    assert_false(r.w.out_level[1]); /* inputs followed again between scans */
}

static void test_bad_configurations(void **state) {
    (void)state;
    static rig_t r;
    memset(&r, 0, sizeof r);
    c9_keypad_queue_init(&r.q, r.slots, 8);
    c9_keypad_io_t io = io_for(&r.w);
    int pins[4] = {0, 1, 2, 3};
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_KEYS, .pins = pins, .pin_count = 4, .debounce_threshold = 0};
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 4, &r.q, 0, 0), C9_ERR_INVAL);
    cfg.debounce_threshold = 128;
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 4, &r.q, 0, 0), C9_ERR_INVAL);
    cfg.debounce_threshold = 1;
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 3, &r.q, 0, 0), C9_ERR_NOMEM);
    cfg.kind = C9_KEYPAD_MATRIX;
    cfg.rows = 3;
    cfg.columns = 2; /* 5 pins wanted, 4 given */
    assert_int_equal(c9_keypad_key_count(&cfg), SIZE_MAX);
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 64, &r.q, 0, 0), C9_ERR_INVAL);
    cfg.kind = C9_KEYPAD_SHIFT;
    cfg.key_counts = NULL;
    assert_int_equal(c9_keypad_key_count(&cfg), SIZE_MAX);
    uint16_t zero[4] = {1, 0, 1, 1};
    cfg.key_counts = zero;
    assert_int_equal(c9_keypad_key_count(&cfg), SIZE_MAX);
    cfg.kind = 7;
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, r.counters, 64, &r.q, 0, 0), C9_ERR_INVAL);
    /* No keys at all is a scanner that never reports anything, as on a board. */
    cfg.kind = C9_KEYPAD_KEYS;
    cfg.pin_count = 0;
    assert_int_equal(c9_keypad_init(&r.kp, &cfg, &io, NULL, 0, &r.q, 0, 0), C9_OK);
    c9_keypad_scan(&r.kp, MS(20), 20);
    expect_none(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_keys_pull_and_first_scan),
        cmocka_unit_test(test_keys_pressed_high_pull_down),
        cmocka_unit_test(test_debounce_threshold),
        cmocka_unit_test(test_overflow_keeps_state),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_shift_registers),
        cmocka_unit_test(test_bad_configurations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
