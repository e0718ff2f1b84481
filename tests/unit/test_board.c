/* Unit tests of the board registry's module lists: each board carries CircuitPython 9.2.9's
 * built-in modules for its build (docs/modules.md), looked up with c9_board_has_module(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/board.h"

static const c9_board_t *board(const char *name) {
    const c9_board_t *b = c9_board_find(name);
    assert_non_null(b);
    return b;
}

static void test_every_board_has_the_core_modules(void **state) {
    (void)state;
    static const char *const always[] = {"board", "sys",  "gc",         "micropython",     "builtins",  "__future__",
                                         "os",    "time", "supervisor", "microcontroller", "displayio", "storage"};
    for (size_t i = 0; i < c9_board_count(); i++) {
        const c9_board_t *b = c9_board_at(i);
        assert_non_null(b->modules);
        assert_non_null(b->platform);
        for (size_t k = 0; k < sizeof always / sizeof always[0]; k++) {
            assert_true(c9_board_has_module(b, always[k]));
        }
        /* Features of the support matrix are not modules. */
        assert_false(c9_board_has_module(b, "busio.SPI"));
        assert_false(c9_board_has_module(b, "os.getenv"));
    }
}

static void test_lists_differ_per_build(void **state) {
    (void)state;
    /* The 4 MB camera build leaves bitmapfilter and the parallel bus out; the T-Display has both. */
    assert_false(c9_board_has_module(board("memento"), "bitmapfilter"));
    assert_false(c9_board_has_module(board("memento"), "paralleldisplaybus"));
    assert_true(c9_board_has_module(board("memento"), "ulab"));
    assert_true(c9_board_has_module(board("memento"), "espcamera"));
    assert_true(c9_board_has_module(board("tdisplay_s3"), "bitmapfilter"));
    assert_true(c9_board_has_module(board("tdisplay_s3"), "paralleldisplay"));
    assert_false(c9_board_has_module(board("feather_s3_tft"), "espcamera"));
    /* A SAMD21 build: displayio, but no json, re, select, io, ulab or jpegio. */
    const c9_board_t *m0 = board("samd21_oled");
    assert_true(c9_board_has_module(m0, "displayio"));
    static const char *const absent[] = {"json", "re", "select", "io", "ulab", "jpegio", "traceback"};
    for (size_t k = 0; k < sizeof absent / sizeof absent[0]; k++) {
        assert_false(c9_board_has_module(m0, absent[k]));
    }
    assert_string_equal(m0->platform, "Atmel SAMD21");
    /* The PyPortal's SAMD51 build: jpegio, json and ulab, the parallel bus, no bitmapfilter or wifi
     * (its ESP32 co-processor is reached through a library, not a module). */
    const c9_board_t *pp = board("pyportal");
    static const char *const pp_has[] = {"jpegio",          "json",     "ulab",    "paralleldisplaybus",
                                         "paralleldisplay", "sdcardio", "audioio", "analogio",
                                         "touchio"};
    for (size_t k = 0; k < sizeof pp_has / sizeof pp_has[0]; k++) {
        assert_true(c9_board_has_module(pp, pp_has[k]));
    }
    assert_false(c9_board_has_module(pp, "bitmapfilter"));
    assert_false(c9_board_has_module(pp, "wifi"));
    assert_string_equal(pp->platform, "MicroChip SAMD51");
    assert_non_null(c9_board_pin(pp, "TOUCH_XL"));
    assert_string_equal(c9_board_pin_name(pp, "PB23"), "LED");
    assert_string_equal(board("memento")->platform, "Espressif");
}

static void test_bad_arguments(void **state) {
    (void)state;
    assert_false(c9_board_has_module(NULL, "sys"));
    assert_false(c9_board_has_module(board("memento"), NULL));
    assert_false(c9_board_has_module(board("memento"), ""));
    assert_false(c9_board_has_module(board("memento"), "typing"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_board_has_the_core_modules),
        cmocka_unit_test(test_lists_differ_per_build),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
