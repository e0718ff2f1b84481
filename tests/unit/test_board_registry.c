/* The board registry built from boards/: the default board first, every board found by its name
 * and board id, names unique, and every ST7789 board's display built from boards/st7789.h's one
 * initializer (the controller's power-up sequence and commands). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "circuit9/board.h"
#include "circuit9/display.h"

static void test_default_board_first(void **state) {
    (void)state;
    assert_true(c9_board_count() >= 1);
    assert_ptr_equal(c9_board_default(), c9_board_at(0));
    assert_string_equal(c9_board_default()->name, "memento");
    assert_null(c9_board_at(c9_board_count()));
}

static void test_boards_found_by_name_and_id(void **state) {
    (void)state;
    for (size_t i = 0; i < c9_board_count(); i++) {
        const c9_board_t *b = c9_board_at(i);
        assert_ptr_equal(c9_board_find(b->name), b);
        assert_ptr_equal(c9_board_find(b->board_id), b);
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(c9_board_at(j)->name, b->name);
        }
    }
    assert_null(c9_board_find("no_such_board"));
    assert_null(c9_board_find(NULL));
}

static void test_st7789_boards_share_one_initializer(void **state) {
    (void)state;
    const c9_board_display_t *first = NULL;
    int n = 0;
    for (size_t i = 0; i < c9_board_count(); i++) {
        const c9_board_display_t *d = c9_board_at(i)->display;
        if (!d || strcmp(d->controller, "ST7789") != 0) {
            continue;
        }
        n++;
        assert_int_equal(d->panel_width, 240);
        assert_int_equal(d->panel_height, 320);
        assert_int_equal(d->color_depth, 16);
        assert_int_equal(d->set_column_command, 0x2A);
        assert_int_equal(d->set_row_command, 0x2B);
        assert_int_equal(d->write_ram_command, 0x2C);
        assert_int_equal(d->brightness_command, -1);
        /* The sequence is well formed and ends with DISPON. */
        assert_int_equal(c9_initseq_validate(d->init_sequence, d->init_sequence_len, NULL, NULL, NULL), C9_OK);
        assert_int_equal(d->init_sequence[d->init_sequence_len - 3], 0x29);
        if (!first) {
            first = d;
        } else {
            assert_int_equal(d->init_sequence_len, first->init_sequence_len);
            assert_memory_equal(d->init_sequence, first->init_sequence, first->init_sequence_len);
        }
        /* What a board adds itself: a bus, a visible size inside the panel. */
        assert_true(d->bus == C9_BOARD_BUS_FOURWIRE || d->bus == C9_BOARD_BUS_PARALLEL);
        bool turned = d->rotation == 90 || d->rotation == 270;
        assert_true((turned ? d->height : d->width) + d->colstart <= d->panel_width);
        assert_true((turned ? d->width : d->height) + d->rowstart <= d->panel_height);
    }
    assert_true(n >= 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_board_first),
        cmocka_unit_test(test_boards_found_by_name_and_id),
        cmocka_unit_test(test_st7789_boards_share_one_initializer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
