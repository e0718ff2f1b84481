/* Outside heap: pools, O(1) allocation, largest-free queries, budget, allocator adapter, and a
 * random model test (no overlap, contents kept, everything returns on free). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "circuit9/heap.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static _Alignas(16) uint8_t pool_a[256 * 1024];
static _Alignas(16) uint8_t pool_b[64 * 1024];

static void test_basic_alloc_free(void **state) {
    (void)state;
    c9_outheap_t oh;
    assert_int_equal(c9_outheap_init(&oh, 0), C9_OK);
    assert_int_equal(c9_outheap_add_pool(&oh, pool_a, sizeof pool_a, C9_OUTHEAP_POOL_INTERNAL), C9_OK);
    c9_outheap_info_t before;
    c9_outheap_info(&oh, 0, &before);
    assert_int_equal(before.used, 0);
    assert_true(before.largest_free >= sizeof pool_a - c9_outheap_pool_overhead());
    void *p = c9_outheap_alloc(&oh, 100, 0);
    void *q = c9_outheap_alloc(&oh, 1, 0);
    void *z = c9_outheap_alloc(&oh, 0, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_non_null(z);
    assert_true(p != q && q != z && p != z);
    assert_int_equal((uintptr_t)p % 8, 0);
    assert_true(c9_outheap_usable_size(p) >= 100);
    assert_true((uint8_t *)p >= pool_a && (uint8_t *)p + 100 <= pool_a + sizeof pool_a);
    memset(p, 0xAB, 100);
    c9_outheap_free(&oh, q);
    c9_outheap_free(&oh, p);
    c9_outheap_free(&oh, z);
    c9_outheap_free(&oh, NULL);
    c9_outheap_free(&oh, pool_b); /* not ours: ignored */
    c9_outheap_info_t after;
    c9_outheap_info(&oh, 0, &after);
    assert_int_equal(after.used, 0);
    assert_int_equal(after.allocations, 0);
    assert_int_equal(after.largest_free, before.largest_free);
}

static void test_bad_args(void **state) {
    (void)state;
    c9_outheap_t oh;
    assert_int_equal(c9_outheap_init(NULL, 0), C9_ERR_INVAL);
    c9_outheap_init(&oh, 0);
    assert_int_equal(c9_outheap_add_pool(&oh, pool_a, 16, C9_OUTHEAP_POOL_INTERNAL), C9_ERR_NOMEM);
    assert_int_equal(c9_outheap_add_pool(&oh, pool_a, sizeof pool_a, 7), C9_ERR_INVAL);
    assert_int_equal(c9_outheap_add_pool(&oh, NULL, 100, 0), C9_ERR_INVAL);
    assert_null(c9_outheap_alloc(&oh, 10, 0)); /* no pools */
    for (int i = 0; i < C9_OUTHEAP_MAX_POOLS; i++)
        assert_int_equal(c9_outheap_add_pool(&oh, pool_a + i * 4096, 4096, 0), C9_OK);
    assert_int_equal(c9_outheap_add_pool(&oh, pool_b, 4096, 0), C9_ERR_NOMEM);
    c9_allocator_t a;
    c9_outheap_view_t v;
    assert_int_equal(c9_outheap_allocator(NULL, &oh, 0, &a), C9_ERR_INVAL);
    assert_int_equal(c9_outheap_allocator(&v, &oh, 0, NULL), C9_ERR_INVAL);
}

/* The largest-free answer must be exact: that much can be allocated, and nothing larger. */
static void test_largest_free_is_obtainable(void **state) {
    (void)state;
    rng_state = 0x1234567;
    for (int round = 0; round < 50; round++) {
        c9_outheap_t oh;
        c9_outheap_init(&oh, 0);
        c9_outheap_add_pool(&oh, pool_b, sizeof pool_b, C9_OUTHEAP_POOL_INTERNAL);
        void *ptrs[64];
        int n = 0;
        for (int i = 0; i < 64; i++) {
            void *p = c9_outheap_alloc(&oh, 16 + rnd() % 2000, 0);
            if (p)
                ptrs[n++] = p;
        }
        for (int i = 0; i < n; i++)
            if (rnd() & 1) {
                c9_outheap_free(&oh, ptrs[i]);
                ptrs[i] = NULL;
            }
        size_t big = c9_outheap_largest_free(&oh, 0);
        assert_true(big > 0);
        assert_null(c9_outheap_alloc(&oh, big + 8, 0));
        void *p = c9_outheap_alloc(&oh, big, 0);
        assert_non_null(p);
        c9_outheap_free(&oh, p);
        assert_int_equal(c9_outheap_largest_free(&oh, 0), big);
        for (int i = 0; i < n; i++)
            c9_outheap_free(&oh, ptrs[i]);
        c9_outheap_info_t info;
        c9_outheap_info(&oh, 0, &info);
        assert_int_equal(info.used, 0);
        assert_int_equal(info.largest_free, info.total - 8); /* one block again: fully merged */
    }
}

static void test_pools_and_flags(void **state) {
    (void)state;
    c9_outheap_t oh;
    c9_outheap_init(&oh, 0);
    c9_outheap_add_pool(&oh, pool_a, 32 * 1024, C9_OUTHEAP_POOL_INTERNAL);
    c9_outheap_add_pool(&oh, pool_b, sizeof pool_b, C9_OUTHEAP_POOL_PSRAM);
    uint8_t *d = c9_outheap_alloc(&oh, 1000, 0); /* default: PSRAM first */
    assert_true(d >= pool_b && d < pool_b + sizeof pool_b);
    uint8_t *f = c9_outheap_alloc(&oh, 1000, C9_OUTHEAP_FAST);
    assert_true(f >= pool_a && f < pool_a + 32 * 1024);
    uint8_t *m = c9_outheap_alloc(&oh, 1000, C9_OUTHEAP_DMA);
    assert_true(m >= pool_a && m < pool_a + 32 * 1024);
    /* DMA never falls back to PSRAM, even when internal RAM is too small. */
    assert_null(c9_outheap_alloc(&oh, 40 * 1024, C9_OUTHEAP_DMA));
    uint8_t *big = c9_outheap_alloc(&oh, 40 * 1024, C9_OUTHEAP_FAST); /* FAST falls back */
    assert_true(big >= pool_b && big < pool_b + sizeof pool_b);
    assert_true(c9_outheap_largest_free(&oh, C9_OUTHEAP_DMA) < 32 * 1024);
    assert_true(c9_outheap_largest_free(&oh, 0) >= c9_outheap_largest_free(&oh, C9_OUTHEAP_DMA));
    c9_outheap_info_t all, dma;
    c9_outheap_info(&oh, 0, &all);
    c9_outheap_info(&oh, C9_OUTHEAP_DMA, &dma);
    assert_int_equal(all.allocations, 4);
    assert_int_equal(dma.allocations, 2);
    assert_true(dma.total < all.total);
    c9_outheap_free(&oh, d);
    c9_outheap_free(&oh, f);
    c9_outheap_free(&oh, m);
    c9_outheap_free(&oh, big);
    c9_outheap_info(&oh, 0, &all);
    assert_int_equal(all.used, 0);
}

static void test_budget_and_allocator(void **state) {
    (void)state;
    c9_outheap_t oh;
    c9_outheap_init(&oh, 4096);
    c9_outheap_add_pool(&oh, pool_a, sizeof pool_a, C9_OUTHEAP_POOL_INTERNAL);
    c9_outheap_view_t v;
    c9_allocator_t a;
    assert_int_equal(c9_outheap_allocator(&v, &oh, 0, &a), C9_OK);
    void *p = c9_alloc(&a, 3000);
    assert_non_null(p);
    assert_null(c9_alloc(&a, 2000)); /* over the 4 KB budget though the pool has room */
    c9_outheap_info_t info;
    c9_outheap_info(&oh, 0, &info);
    assert_int_equal(info.total, 4096);
    assert_true(info.used >= 3000 && info.used <= 3100);
    assert_true(c9_outheap_largest_free(&oh, 0) < 1100);
    void *q = c9_alloc(&a, c9_outheap_largest_free(&oh, 0));
    assert_non_null(q);
    c9_free(&a, q, 0);
    p = c9_realloc(&a, p, 3000, 1000);
    assert_non_null(p);
    assert_non_null(c9_alloc(&a, 2000)); /* room again after shrinking */
    assert_null(c9_realloc(&a, p, 1000, 8000));
}

typedef struct live {
    uint8_t *p;
    size_t size;
    uint8_t seed;
} live_t;

static void fill(uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}
static int check(const uint8_t *p, size_t n, uint8_t seed) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed + i * 7))
            return 0;
    return 1;
}
static int cmp_live(const void *a, const void *b) {
    const live_t *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void test_random_model(void **state) {
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    enum { N = 400 };
    live_t *lv = calloc(N, sizeof *lv);
    live_t *sorted = calloc(N, sizeof *sorted);
    c9_outheap_t oh;
    c9_outheap_init(&oh, 0);
    c9_outheap_add_pool(&oh, pool_a, 96 * 1024, C9_OUTHEAP_POOL_INTERNAL);
    c9_outheap_add_pool(&oh, pool_b, sizeof pool_b, C9_OUTHEAP_POOL_PSRAM);
    for (int step = 0; step < 40000; step++) {
        int i = (int)(rnd() % N);
        uint32_t r = rnd() % 10;
        if (!lv[i].p && r < 6) {
            size_t sz = (rnd() & 3) ? rnd() % 200 : rnd() % 6000;
            uint8_t *p = c9_outheap_alloc(&oh, sz, rnd() % 3);
            if (p) {
                lv[i] = (live_t){p, sz, (uint8_t)rnd()};
                fill(p, sz, lv[i].seed);
            }
        } else if (lv[i].p && r < 8) {
            assert_true(check(lv[i].p, lv[i].size, lv[i].seed));
            c9_outheap_free(&oh, lv[i].p);
            lv[i].p = NULL;
        } else if (lv[i].p) {
            size_t sz = rnd() % 3000;
            uint8_t *p = c9_outheap_realloc(&oh, lv[i].p, sz, 0);
            if (p) {
                size_t keep = sz < lv[i].size ? sz : lv[i].size;
                assert_true(check(p, keep, lv[i].seed));
                lv[i].p = p;
                lv[i].size = sz;
                fill(p, sz, lv[i].seed);
            } else {
                assert_true(check(lv[i].p, lv[i].size, lv[i].seed));
            }
        }
        if (step % 1000 == 0) {
            int n = 0;
            for (int k = 0; k < N; k++)
                if (lv[k].p)
                    sorted[n++] = lv[k];
            qsort(sorted, (size_t)n, sizeof *sorted, cmp_live);
            for (int k = 1; k < n; k++)
                assert_true(sorted[k - 1].p + sorted[k - 1].size <= sorted[k].p);
            for (int k = 0; k < n; k++)
                assert_true(check(sorted[k].p, sorted[k].size, sorted[k].seed));
        }
    }
    for (int k = 0; k < N; k++)
        c9_outheap_free(&oh, lv[k].p);
    c9_outheap_info_t info;
    c9_outheap_info(&oh, 0, &info);
    assert_int_equal(info.used, 0);
    assert_int_equal(oh.used, 0);
    free(lv);
    free(sorted);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_alloc_free),           cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_largest_free_is_obtainable), cmocka_unit_test(test_pools_and_flags),
        cmocka_unit_test(test_budget_and_allocator),       cmocka_unit_test(test_random_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
