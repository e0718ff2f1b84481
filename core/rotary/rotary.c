/* Quadrature decoding (CircuitPython's software decoder and ESP32's edge counter) and countio's
 * edge counting. */
#include "circuit9/rotary.h"

/* Quarter steps for each (old state, new state) pair, state = (A << 1) | B: Gray-code steps one
 * way are +1, the other way -1; no change and the impossible double changes are 0. */
static const int8_t transitions[16] = {
    0,  -1, +1, 0,  /* from 00 */
    +1, 0,  0,  -1, /* from 01 */
    -1, 0,  0,  +1, /* from 10 */
    0,  +1, -1, 0,  /* from 11 */
};

void c9_rotary_init(c9_rotary_t *r, c9_rotary_mode_t mode, bool a, bool b, int32_t divisor) {
    r->mode = (uint8_t)mode;
    r->state = (uint8_t)((a ? 2 : 0) | (b ? 1 : 0));
    r->divisor = divisor;
    r->sub_count = 0;
    r->position = 0;
    r->count = 0;
}

void c9_rotary_update(c9_rotary_t *r, bool a, bool b) {
    uint8_t next = (uint8_t)((a ? 2 : 0) | (b ? 1 : 0));
    int8_t step = transitions[(r->state << 2) | next];
    r->state = next;
    if (r->mode == C9_ROTARY_COUNTER) {
        r->count += step;
        return;
    }
    /* shared-module's order: count the step, then compare with the divisor (a divisor of 0 or
     * less moves the position on every call, as there). */
    r->sub_count += step;
    if (r->sub_count >= r->divisor) {
        r->position++;
        r->sub_count = 0;
    } else if (r->sub_count <= -r->divisor) {
        r->position--;
        r->sub_count = 0;
    }
}

c9_err_t c9_rotary_position(const c9_rotary_t *r, int32_t *position) {
    if (r->mode != C9_ROTARY_COUNTER) {
        *position = r->position;
        return C9_OK;
    }
    if (r->divisor == 0) {
        return C9_ERR_RANGE;
    }
    /* (count + offset) / divisor with C's truncating division, as the ESP32 port computes it. */
    int64_t total = r->count + (int64_t)r->position;
    int64_t q = total / r->divisor;
    *position = (int32_t)(q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : q);
    return C9_OK;
}

void c9_rotary_set_position(c9_rotary_t *r, int32_t position) {
    if (r->mode == C9_ROTARY_COUNTER) {
        /* The port stores position * divisor as the offset and clears the hardware count. */
        int64_t offset = (int64_t)position * r->divisor;
        r->position = (int32_t)(offset > INT32_MAX ? INT32_MAX : offset < INT32_MIN ? INT32_MIN : offset);
        r->count = 0;
        return;
    }
    r->position = position;
}

void c9_rotary_set_divisor(c9_rotary_t *r, int32_t divisor) {
    r->divisor = divisor;
}

void c9_counter_init(c9_counter_t *c, c9_counter_edge_t edge, bool level) {
    c->edge = (uint8_t)edge;
    c->level = level;
    c->count = 0;
}

void c9_counter_update(c9_counter_t *c, bool level) {
    if (level == c->level) {
        return;
    }
    c->level = level;
    if (c->edge == C9_COUNTER_RISE_AND_FALL || (c->edge == C9_COUNTER_RISE) == level) {
        c->count++;
    }
}
