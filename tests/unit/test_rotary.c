/* Unit tests of quadrature decoding and edge counting: sequences of Gray-code levels as an
 * encoder's contacts make them, with the positions CircuitPython's software decoder and ESP32's
 * pulse counter give (worked out by hand from their descriptions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/rotary.h"

/* One detent clockwise from rest at 11 (a common detent position): 11 -> 01 -> 00 -> 10 -> 11. */
static const uint8_t cw[4] = {1, 0, 2, 3};
static const uint8_t ccw[4] = {2, 0, 1, 3};

static void feed(c9_rotary_t *r, const uint8_t *states, size_t n) {
    for (size_t i = 0; i < n; i++) {
        c9_rotary_update(r, states[i] & 2, states[i] & 1);
    }
}

static int32_t pos(const c9_rotary_t *r) {
    int32_t p = 12345;
    assert_int_equal(c9_rotary_position(r, &p), C9_OK);
    return p;
}

static void test_soft_detents(void **state) {
    (void)state;
    c9_rotary_t r;
    c9_rotary_init(&r, C9_ROTARY_SOFT, true, true, 4);
    assert_int_equal(pos(&r), 0);
    feed(&r, cw, 4);
    assert_int_equal(pos(&r), 1);
    feed(&r, cw, 4);
    feed(&r, cw, 4);
    assert_int_equal(pos(&r), 3);
    feed(&r, ccw, 4);
    assert_int_equal(pos(&r), 2);
    /* Part of a step and back: nothing. */
    feed(&r, cw, 2);
    const uint8_t back[2] = {1, 3};
    feed(&r, back, 2);
    assert_int_equal(pos(&r), 2);
    /* The same level again, and a jump of both contacts, count nothing. */
    feed(&r, (const uint8_t[]){3, 3, 0, 3}, 4);
    assert_int_equal(pos(&r), 2);
    /* Divisor 2: a position every half cycle; 1: every quarter. */
    c9_rotary_set_divisor(&r, 2);
    feed(&r, cw, 4);
    assert_int_equal(pos(&r), 4);
    c9_rotary_set_divisor(&r, 1);
    feed(&r, ccw, 3);
    assert_int_equal(pos(&r), 1);
    c9_rotary_set_position(&r, -7);
    assert_int_equal(pos(&r), -7);
}

static void test_soft_and_counter_differ_on_turning_back(void **state) {
    (void)state;
    /* A full detent, then three quarter steps the other way and one back: the software decoder
     * has restarted its count at the detent and needs four steps back (none here); the counter
     * holds 4 - 3 + 1 = 2 edges, 2 / 4 = 0 with C's division. */
    c9_rotary_t soft, hw;
    c9_rotary_init(&soft, C9_ROTARY_SOFT, true, true, 4);
    c9_rotary_init(&hw, C9_ROTARY_COUNTER, true, true, 4);
    const uint8_t moves[] = {1, 0, 2, 3, /* +4 */ 2, 0, 1, /* -3 */ 0 /* +1 */};
    feed(&soft, moves, sizeof moves);
    feed(&hw, moves, sizeof moves);
    assert_int_equal(pos(&soft), 1);
    assert_int_equal(pos(&hw), 0);
    /* Both agree again after whole detents. */
    c9_rotary_init(&soft, C9_ROTARY_SOFT, true, true, 4);
    c9_rotary_init(&hw, C9_ROTARY_COUNTER, true, true, 4);
    for (int i = 0; i < 5; i++) {
        feed(&soft, ccw, 4);
        feed(&hw, ccw, 4);
    }
    assert_int_equal(pos(&soft), -5);
    assert_int_equal(pos(&hw), -5);
    /* Counter: set_position keeps position * divisor as the offset and clears the count. */
    c9_rotary_set_position(&hw, 10);
    feed(&hw, cw, 4);
    assert_int_equal(pos(&hw), 11);
    c9_rotary_set_divisor(&hw, 2); /* (4 + 40) / 2 */
    assert_int_equal(pos(&hw), 22);
    c9_rotary_set_divisor(&hw, 0);
    int32_t p;
    assert_int_equal(c9_rotary_position(&hw, &p), C9_ERR_RANGE);
}

static void test_counter_edges(void **state) {
    (void)state;
    const bool wave[] = {true, false, true, false, false, true}; /* from low: 3 rises, 2 falls */
    c9_counter_t rise, fall, both;
    c9_counter_init(&rise, C9_COUNTER_RISE, false);
    c9_counter_init(&fall, C9_COUNTER_FALL, false);
    c9_counter_init(&both, C9_COUNTER_RISE_AND_FALL, false);
    for (size_t i = 0; i < sizeof wave; i++) {
        c9_counter_update(&rise, wave[i]);
        c9_counter_update(&fall, wave[i]);
        c9_counter_update(&both, wave[i]);
    }
    assert_int_equal(rise.count, 3);
    assert_int_equal(fall.count, 2);
    assert_int_equal(both.count, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soft_detents),
        cmocka_unit_test(test_soft_and_counter_differ_on_turning_back),
        cmocka_unit_test(test_counter_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
