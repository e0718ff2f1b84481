/*
 * The part of cmocka's API the unit tests use, for targets cmocka does not build for (a Cortex-M
 * under emulation, where output and exit status go through semihosting). The ARM tree puts this
 * directory first on the include path, so tests/unit/test_*.c compile unchanged.
 *
 * Same behaviour as cmocka where the tests can see it: a failed assertion ends the current test
 * (longjmp back to the runner) and is reported with file and line; the group runs on and
 * cmocka_run_group_tests returns the number of failed tests; the output lines have cmocka's shape
 * ("[ RUN      ] name", "[  PASSED  ] N test(s)."), so logs read and count the same. Mocking
 * (will_return, expect_*) is not provided: a test that mocks stays a host test.
 */
#ifndef C9_ARM_CMOCKA_H
#define C9_ARM_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka's widest integer; printed with %llu (newlib's PRIuMAX depends on include order). */
typedef unsigned long long LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f)                                                                                            \
    { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup(f, setup)                                                                               \
    { #f, f, setup, NULL, NULL }
#define cmocka_unit_test_teardown(f, teardown)                                                                         \
    { #f, f, NULL, teardown, NULL }
#define cmocka_unit_test_setup_teardown(f, setup, teardown)                                                            \
    { #f, f, setup, teardown, NULL }
#define cmocka_unit_test_prestate(f, state)                                                                            \
    { #f, f, NULL, NULL, state }
#define cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, state)                                            \
    { #f, f, setup, teardown, state }

/* State of the test that is running: where a failure jumps to. */
typedef struct {
    jmp_buf fail;
    int skipped;
} c9_cm_run_t;

static inline c9_cm_run_t *c9_cm_run(void) {
    static c9_cm_run_t run;
    return &run;
}

static inline void print_message(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
}

static inline void print_error(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
}

static inline void c9_cm_fail(const char *file, int line) {
    printf("[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
    longjmp(c9_cm_run()->fail, 1);
}

static inline void c9_cm_check(int ok, const char *file, int line, const char *format, ...) {
    if (ok) {
        return;
    }
    va_list ap;
    va_start(ap, format);
    vprintf(format, ap);
    va_end(ap);
    printf("\n");
    c9_cm_fail(file, line);
}

static inline void c9_cm_memory(const void *a, const void *b, size_t size, int want_equal, const char *file, int line) {
    const unsigned char *p = a, *q = b;
    if (!p || !q) {
        c9_cm_check(0, file, line, "memory compared with a NULL pointer");
    }
    size_t i = 0;
    while (i < size && p[i] == q[i]) {
        i++;
    }
    if (want_equal) {
        c9_cm_check(i == size, file, line, "difference at offset %u: 0x%02x != 0x%02x", (unsigned)i,
                    i < size ? p[i] : 0, i < size ? q[i] : 0);
    } else {
        c9_cm_check(i < size, file, line, "%u bytes are equal", (unsigned)size);
    }
}

static inline void c9_cm_string(const char *a, const char *b, int want_equal, const char *file, int line) {
    int equal = a && b ? strcmp(a, b) == 0 : a == b;
    if (want_equal) {
        c9_cm_check(equal, file, line, "\"%s\" != \"%s\"", a ? a : "(null)", b ? b : "(null)");
    } else {
        c9_cm_check(!equal, file, line, "\"%s\" == \"%s\"", a ? a : "(null)", b ? b : "(null)");
    }
}

/* cmocka's allocators check each test for leaks; here they are newlib's (the host runs catch
 * leaks, under ASan as well). */
#define test_malloc(size) malloc(size)
#define test_calloc(n, size) calloc(n, size)
#define test_realloc(p, size) realloc(p, size)
#define test_free(p) free(p)

/* Each macro argument is evaluated once, as in cmocka (tests pass calls with side effects). */
enum { C9_CM_EQ, C9_CM_NE, C9_CM_IN, C9_CM_OUT };

static inline void c9_cm_int(LargestIntegralType a, LargestIntegralType b, LargestIntegralType c, int op,
                             const char *file, int line) {
    switch (op) {
    case C9_CM_EQ: c9_cm_check(a == b, file, line, "%llu (%#llx) != %llu (%#llx)", a, a, b, b); break;
    case C9_CM_NE: c9_cm_check(a != b, file, line, "%llu (%#llx) == %llu (%#llx)", a, a, b, b); break;
    case C9_CM_IN: c9_cm_check(a >= b && a <= c, file, line, "%llu is not within the range %llu-%llu", a, b, c); break;
    default: c9_cm_check(a < b || a > c, file, line, "%llu is within the range %llu-%llu", a, b, c); break;
    }
}

static inline void c9_cm_ptr(const void *a, const void *b, int want_equal, const char *file, int line) {
    c9_cm_check((a == b) == want_equal, file, line, "%p %s %p", a, want_equal ? "!=" : "==", b);
}

#define C9_CM_U(x) ((LargestIntegralType)(x))

#define fail() c9_cm_fail(__FILE__, __LINE__)
#define fail_msg(...)                                                                                                  \
    do {                                                                                                               \
        print_error("ERROR: " __VA_ARGS__);                                                                            \
        print_error("\n");                                                                                             \
        fail();                                                                                                        \
    } while (0)
#define skip()                                                                                                         \
    do {                                                                                                               \
        c9_cm_run()->skipped = 1;                                                                                      \
        longjmp(c9_cm_run()->fail, 1);                                                                                 \
    } while (0)

#define assert_true(c) c9_cm_check(!!(c), __FILE__, __LINE__, "%s", #c)
#define assert_false(c) c9_cm_check(!(c), __FILE__, __LINE__, "%s", #c)
#define assert_return_code(rc, error) c9_cm_check((rc) >= 0, __FILE__, __LINE__, "%s < 0", #rc)
#define assert_non_null(p) c9_cm_check((p) != NULL, __FILE__, __LINE__, "%s is NULL", #p)
#define assert_null(p) c9_cm_check((p) == NULL, __FILE__, __LINE__, "%s is not NULL", #p)
#define assert_ptr_equal(a, b) c9_cm_ptr((const void *)(a), (const void *)(b), 1, __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) c9_cm_ptr((const void *)(a), (const void *)(b), 0, __FILE__, __LINE__)
#define assert_int_equal(a, b) c9_cm_int(C9_CM_U(a), C9_CM_U(b), 0, C9_CM_EQ, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) c9_cm_int(C9_CM_U(a), C9_CM_U(b), 0, C9_CM_NE, __FILE__, __LINE__)
#define assert_in_range(v, lo, hi) c9_cm_int(C9_CM_U(v), C9_CM_U(lo), C9_CM_U(hi), C9_CM_IN, __FILE__, __LINE__)
#define assert_not_in_range(v, lo, hi) c9_cm_int(C9_CM_U(v), C9_CM_U(lo), C9_CM_U(hi), C9_CM_OUT, __FILE__, __LINE__)
#define assert_string_equal(a, b) c9_cm_string((a), (b), 1, __FILE__, __LINE__)
#define assert_string_not_equal(a, b) c9_cm_string((a), (b), 0, __FILE__, __LINE__)
#define assert_memory_equal(a, b, size) c9_cm_memory((a), (b), (size), 1, __FILE__, __LINE__)
#define assert_memory_not_equal(a, b, size) c9_cm_memory((a), (b), (size), 0, __FILE__, __LINE__)

static inline int c9_cm_run_group(const char *group, const struct CMUnitTest *tests, size_t count,
                                  CMFixtureFunction setup, CMFixtureFunction teardown) {
    void *group_state = NULL;
    printf("[==========] %s: Running %u test(s).\n", group, (unsigned)count);
    if (setup && setup(&group_state) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group);
        return (int)count;
    }
    size_t passed = 0, skipped = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        const struct CMUnitTest *t = &tests[i];
        void *state = t->initial_state ? t->initial_state : group_state;
        c9_cm_run_t *run = c9_cm_run();
        run->skipped = 0;
        printf("[ RUN      ] %s\n", t->name);
        volatile int ok = 0;
        if (setjmp(run->fail) == 0) {
            if (!t->setup_func || t->setup_func(&state) == 0) {
                t->test_func(&state);
                ok = 1;
            }
        }
        /* Teardown runs after a failure too, as in cmocka, so later tests start clean. */
        if (t->teardown_func && setjmp(run->fail) == 0 && t->teardown_func(&state) != 0) {
            ok = 0;
        }
        if (run->skipped) {
            printf("[  SKIPPED ] %s\n", t->name);
            skipped++;
        } else if (ok) {
            printf("[       OK ] %s\n", t->name);
            passed++;
        } else {
            printf("[  FAILED  ] %s\n", t->name);
            failed++;
        }
    }
    if (teardown) {
        teardown(&group_state);
    }
    printf("[==========] %s: %u test(s) run.\n", group, (unsigned)count);
    printf("[  PASSED  ] %u test(s).\n", (unsigned)passed);
    if (skipped) {
        printf("[  SKIPPED ] %u test(s).\n", (unsigned)skipped);
    }
    if (failed) {
        printf("[  FAILED  ] %u test(s).\n", (unsigned)failed);
    }
    fflush(stdout);
    return (int)failed;
}

#define cmocka_run_group_tests(tests, setup, teardown)                                                                 \
    c9_cm_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests_name(name, tests, setup, teardown)                                                      \
    c9_cm_run_group(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)

#endif /* C9_ARM_CMOCKA_H */
