/*
 * circuit9 key scanning: the keys of CircuitPython's keypad module (one pin per key, a row and
 * column matrix, 74HC165-style shift registers), scanned at an interval, debounced, with the
 * events in a bounded queue that remembers when it overflowed.
 *
 * The core drives and reads pins through an operations table, takes the time from its caller and
 * never allocates: the debounce counters, the queue's slots and the pin list are caller memory.
 * A scan is what CircuitPython's background tick does when the interval has passed; the caller
 * calls c9_keypad_poll() whenever it can (a board's tick, a sleep, an API call).
 *
 *     static c9_keypad_event_t slots[64];
 *     static int8_t counters[2];
 *     c9_keypad_queue_t q;
 *     c9_keypad_queue_init(&q, slots, 64);
 *     int pins[] = {5, 6};
 *     c9_keypad_config_t cfg = {.kind = C9_KEYPAD_KEYS, .pins = pins, .pin_count = 2,
 *                               .value_when_pressed = false, .pull = true,
 *                               .interval_ticks = 20, .debounce_threshold = 1};
 *     c9_keypad_t kp;
 *     c9_keypad_init(&kp, &cfg, &io, counters, 2, &q, now_ns, ticks_ms);
 *     ... c9_keypad_poll(&kp, now_ns, ticks_ms); c9_keypad_queue_get(&q, &ev) ...
 */
#ifndef CIRCUIT9_KEYPAD_H
#define CIRCUIT9_KEYPAD_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the event queue ----------------------------------------------------------------------- */

typedef struct c9_keypad_event {
    uint16_t key;       /* key number, 0 .. key_count - 1 */
    bool pressed;       /* false: released */
    uint32_t timestamp; /* the caller's clock when the scan saw it (supervisor.ticks_ms) */
} c9_keypad_event_t;

typedef struct c9_keypad_queue {
    c9_keypad_event_t *slots;
    size_t capacity; /* max_events */
    size_t head, length;
    bool overflowed; /* an event was dropped because the queue was full; stays set until cleared */
} c9_keypad_queue_t;

/* capacity >= 1 slots of caller memory. */
void c9_keypad_queue_init(c9_keypad_queue_t *q, c9_keypad_event_t *slots, size_t capacity);
/* Appends an event; when the queue is full the event is dropped, overflowed is set, false returned. */
bool c9_keypad_queue_put(c9_keypad_queue_t *q, uint16_t key, bool pressed, uint32_t timestamp);
/* The oldest event, removed; false when empty. */
bool c9_keypad_queue_get(c9_keypad_queue_t *q, c9_keypad_event_t *out);
/* Drops every event and the overflow flag. */
void c9_keypad_queue_clear(c9_keypad_queue_t *q);
size_t c9_keypad_queue_length(const c9_keypad_queue_t *q);

/* ---- scanners --------------------------------------------------------------------------------- */

/* Pulls, with port.h's values (none, up, down). */
enum { C9_KEYPAD_PULL_NONE = 0, C9_KEYPAD_PULL_UP = 1, C9_KEYPAD_PULL_DOWN = 2 };

/* The pins, as digitalio would drive them. */
typedef struct c9_keypad_io {
    void (*input)(void *ctx, int pin, uint8_t pull); /* make an input with this pull */
    void (*output)(void *ctx, int pin, bool level);  /* make a push-pull output at level */
    void (*write)(void *ctx, int pin, bool level);   /* an output's new level */
    bool (*read)(void *ctx, int pin);                /* the level on the pin */
    void *ctx;
} c9_keypad_io_t;

typedef enum c9_keypad_kind {
    C9_KEYPAD_KEYS = 0,   /* keypad.Keys: one pin per key */
    C9_KEYPAD_MATRIX = 1, /* keypad.KeyMatrix: rows driven one at a time, columns read */
    C9_KEYPAD_SHIFT = 2,  /* keypad.ShiftRegisterKeys: parallel-in shift registers */
} c9_keypad_kind_t;

#define C9_KEYPAD_MAX_KEYS 32767u /* key numbers are 15 bits in an event */

typedef struct c9_keypad_config {
    uint8_t kind; /* c9_keypad_kind_t */
    /* KEYS: one pin per key. MATRIX: rows pins, then columns pins. SHIFT: one data pin per
     * register chain. The array must stay valid while the scanner is in use. */
    const int *pins;
    size_t pin_count;
    size_t rows, columns;       /* MATRIX */
    bool value_when_pressed;    /* KEYS, SHIFT: the level a pressed key reads */
    bool pull;                  /* KEYS: pull each pin to the released level */
    bool columns_to_anodes;     /* MATRIX: diodes' anodes on the columns (rows driven low) */
    int clock, latch;           /* SHIFT */
    bool value_to_latch;        /* SHIFT: the latch level that freezes the inputs */
    const uint16_t *key_counts; /* SHIFT: keys on each data pin (pin_count entries, each >= 1) */
    /* Time between scans in CircuitPython's ticks (1/1024 s): interval * 1024, truncated. */
    uint32_t interval_ticks;
    /* Scans a key must read the same before its change is an event: 1..127. */
    uint8_t debounce_threshold;
} c9_keypad_config_t;

typedef struct c9_keypad {
    c9_keypad_config_t cfg;
    c9_keypad_io_t io;
    int8_t *counters; /* one per key */
    size_t key_count;
    c9_keypad_queue_t *queue;
    uint64_t interval_ns;
    uint64_t next_scan_ns;
} c9_keypad_t;

/* Keys a configuration has (0 is allowed), or SIZE_MAX for a malformed one: no pin list, rows and
 * columns that do not add up to pin_count, a shift register chain of 0 keys, more than
 * C9_KEYPAD_MAX_KEYS keys. */
size_t c9_keypad_key_count(const c9_keypad_config_t *cfg);

/* Sets the pins up as CircuitPython's constructors do (KEYS: inputs, pulled to the released level
 * when pull; MATRIX: rows and columns inputs pulled up when columns_to_anodes, else down; SHIFT:
 * clock an output low, latch an output high, data inputs without pull), then scans once: a key
 * held down now is a press event at once. counters holds counter_count >= key_count entries.
 * @retval C9_OK
 * @retval C9_ERR_INVAL  a malformed configuration (c9_keypad_key_count() gives SIZE_MAX), a
 *                       debounce threshold not 1..127, or a missing table member
 * @retval C9_ERR_NOMEM  counter_count < key_count */
c9_err_t c9_keypad_init(c9_keypad_t *kp, const c9_keypad_config_t *cfg, const c9_keypad_io_t *io, int8_t *counters,
                        size_t counter_count, c9_keypad_queue_t *queue, uint64_t now_ns, uint32_t timestamp);
/* Scans now if the interval has passed since the last scan; returns whether it scanned. */
bool c9_keypad_poll(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp);
/* Scans now: every key is read, debounced, and each change that passes the threshold queued. */
void c9_keypad_scan(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp);
/* keypad's reset(): every key counts as released and settled, then a scan, so keys held down
 * are reported pressed again. */
void c9_keypad_reset(c9_keypad_t *kp, uint64_t now_ns, uint32_t timestamp);
/* Whether a key is pressed as far as the debouncing knows (its last reported state). */
bool c9_keypad_pressed(const c9_keypad_t *kp, size_t key);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_KEYPAD_H */
