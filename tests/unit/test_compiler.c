/* compiler.h's plain fallbacks (what a compiler other than GCC or Clang gets) agree with GCC's
 * builtins for every bit position and for random values; the hints still mean what they say. */
#define C9_GNUC 0 /* this file checks the fallbacks: compiler.h must not see GCC */
#include "circuit9/compiler.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static uint64_t state = 0x9E3779B97F4A7C15u;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void test_bit_scans_match_the_builtins(void **unused) {
    (void)unused;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t one = (uint64_t)1 << i;
        assert_int_equal(c9_clz64(one), 63 - i);
        assert_int_equal(c9_ctz64(one), i);
        if (i < 32) {
            assert_int_equal(c9_clz32((uint32_t)one), 31 - i);
            assert_int_equal(c9_ctz32((uint32_t)one), i);
            assert_int_equal(c9_log2_32((uint32_t)one), i);
        }
    }
    for (int k = 0; k < 100000; k++) {
        uint64_t v = next() >> (next() & 63);
        uint32_t w = (uint32_t)v;
        if (v) {
            assert_int_equal(c9_clz64(v), __builtin_clzll(v));
            assert_int_equal(c9_ctz64(v), __builtin_ctzll(v));
        }
        if (w) {
            assert_int_equal(c9_clz32(w), __builtin_clz(w));
            assert_int_equal(c9_ctz32(w), __builtin_ctz(w));
            assert_int_equal(c9_log2_32(w), 31 - __builtin_clz(w));
        }
        assert_int_equal(c9_popcount32(w), __builtin_popcount(w));
        assert_int_equal(c9_bswap32(w), __builtin_bswap32(w));
        assert_true(c9_bswap64(v) == __builtin_bswap64(v));
    }
}

static void test_hints_keep_their_meaning(void **unused) {
    (void)unused;
    int n = 0;
    C9_UNROLL(4) for (int i = 0; i < 10; i++) {
        if (C9_LIKELY(i < 9)) {
            n++;
        }
        if (C9_UNLIKELY(i == 9)) {
            n += 100;
        }
    }
    assert_int_equal(n, 109);
    assert_int_equal(C9_SIMD128, 0); /* no vectors without GCC or Clang */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_scans_match_the_builtins),
        cmocka_unit_test(test_hints_keep_their_meaning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
