/*
 * circuit9 quadrature and edge counting: rotaryio's IncrementalEncoder and countio's Counter as
 * the chips CircuitPython runs on count them, fed with the levels of their pins whenever a level
 * changes (a pin-change interrupt on a board, the virtual board's wires on a PC).
 *
 * Two encoders exist because CircuitPython has two: the software decoder of shared-module (RP2040,
 * SAMD, nRF), which counts quarter steps and moves the position by one each time the count reaches
 * the divisor, then starts again; and a hardware pulse counter (ESP32's PCNT), which counts every
 * valid edge and divides the running total by the divisor when asked. They agree on a clean
 * rotation and differ on a rotation that turns back before a detent.
 *
 *     c9_rotary_t enc;
 *     c9_rotary_init(&enc, C9_ROTARY_SOFT, a_level, b_level, 4);
 *     ... on every change: c9_rotary_update(&enc, a_level, b_level);
 *     int32_t pos; c9_rotary_position(&enc, &pos);
 */
#ifndef CIRCUIT9_ROTARY_H
#define CIRCUIT9_ROTARY_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum c9_rotary_mode {
    C9_ROTARY_SOFT = 0,    /* shared-module's software decoder */
    C9_ROTARY_COUNTER = 1, /* a hardware counter of every edge, position = total / divisor (ESP32) */
} c9_rotary_mode_t;

typedef struct c9_rotary {
    uint8_t mode;  /* c9_rotary_mode_t */
    uint8_t state; /* (A << 1) | B as last seen */
    int32_t divisor;
    int32_t sub_count; /* SOFT: quarter steps since the last position change */
    int32_t position;  /* SOFT: the position; COUNTER: the offset set_position() left */
    int64_t count;     /* COUNTER: edges counted since the last set_position() */
} c9_rotary_t;

/* The encoder at rest with its pins at these levels, at position 0. */
void c9_rotary_init(c9_rotary_t *r, c9_rotary_mode_t mode, bool a, bool b, int32_t divisor);
/* New levels on the pins (one or both changed). A change of both at once is no valid quadrature
 * step and counts nothing. */
void c9_rotary_update(c9_rotary_t *r, bool a, bool b);
/* @retval C9_OK  @retval C9_ERR_RANGE  COUNTER mode with divisor 0 (the chip would divide by 0) */
c9_err_t c9_rotary_position(const c9_rotary_t *r, int32_t *position);
void c9_rotary_set_position(c9_rotary_t *r, int32_t position);
/* SOFT: takes effect at the next step. COUNTER: the running total is divided by the new divisor. */
void c9_rotary_set_divisor(c9_rotary_t *r, int32_t divisor);

/* countio.Edge */
typedef enum c9_counter_edge {
    C9_COUNTER_RISE = 0,
    C9_COUNTER_FALL = 1,
    C9_COUNTER_RISE_AND_FALL = 2,
} c9_counter_edge_t;

typedef struct c9_counter {
    uint8_t edge; /* c9_counter_edge_t */
    bool level;
    int64_t count;
} c9_counter_t;

void c9_counter_init(c9_counter_t *c, c9_counter_edge_t edge, bool level);
/* The pin's level now; counts when it makes an edge of the counter's kind. */
void c9_counter_update(c9_counter_t *c, bool level);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_ROTARY_H */
