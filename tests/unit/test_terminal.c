/*
 * The console terminal (c9_terminal_*): what CircuitPython's terminalio.Terminal shows for a byte
 * stream, read back from the tile grid as text through the font's glyph ranges: bottom-row start
 * and scrolling, wrap, CR/LF/BS, the escape sequences the supervisor and MicroPython's REPL send,
 * the title into the status bar, UTF-8, bad input ignored, split writes, and the layout figures
 * CircuitPython's supervisor_start_terminal() gives for the boards' displays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "circuit9/display.h"

#define COLS 10
#define ROWS 4

static c9_tilegrid_t grid, status;
static c9_terminal_t term;

static void make_grid(c9_tilegrid_t *g, uint16_t w, uint16_t h) {
    const c9_builtin_font_t *f = c9_font_terminal();
    c9_tilegrid_config_t cfg = {.source_type = C9_SOURCE_BITMAP,
                                .source = (void *)f->bitmap,
                                .width = w,
                                .height = h,
                                .tile_width = f->glyph_width,
                                .tile_height = f->glyph_height,
                                .default_tile = 7}; /* not a space: init must clear */
    assert_int_equal(c9_tilegrid_init(g, &cfg, NULL, NULL), C9_OK);
}

static int setup(void **state) {
    (void)state;
    make_grid(&grid, COLS, ROWS);
    make_grid(&status, COLS, 1);
    assert_int_equal(c9_terminal_init(&term, &grid, &status, c9_font_terminal()), C9_OK);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    c9_tilegrid_release(&grid);
    c9_tilegrid_release(&status);
    return 0;
}

/* Codepoint shown by a tile (reverse of c9_font_tile), '?' when none. */
static uint32_t tile_char(uint16_t tile) {
    const c9_builtin_font_t *f = c9_font_terminal();
    for (uint16_t i = 0; i < f->range_count; i++) {
        if (tile >= f->ranges[i].tile && tile < f->ranges[i].tile + f->ranges[i].count) {
            return f->ranges[i].first + (tile - f->ranges[i].tile);
        }
    }
    return '?';
}

/* Screen row r as ASCII (non-ASCII glyphs as '#'), trailing spaces kept. */
static const char *row_text(const c9_tilegrid_t *g, int r) {
    static char buf[8][128];
    static int which;
    char *s = buf[which++ % 8];
    int y = (r + g->top_left_y) % g->height;
    for (int x = 0; x < g->width; x++) {
        uint32_t c = tile_char(c9_tilegrid_get_tile(g, (uint16_t)x, (uint16_t)y));
        s[x] = c < 0x80 ? (char)c : '#';
    }
    s[g->width] = 0;
    return s;
}

static void put(const char *s) {
    assert_int_equal(c9_terminal_write(&term, (const uint8_t *)s, strlen(s)), strlen(s));
}

static void assert_cursor(int col, int row) {
    uint16_t c, r;
    c9_terminal_cursor(&term, &c, &r);
    assert_int_equal(c, col);
    assert_int_equal(r, row);
}

static void test_starts_blank_on_bottom_row(void **state) {
    (void)state;
    for (int r = 0; r < ROWS; r++) {
        assert_string_equal(row_text(&grid, r), "          ");
    }
    assert_string_equal(row_text(&status, 0), "          ");
    assert_cursor(0, ROWS - 1);
    put("hi");
    assert_string_equal(row_text(&grid, ROWS - 1), "hi        ");
    assert_cursor(2, ROWS - 1);
}

static void test_lines_scroll_up(void **state) {
    (void)state;
    put("one\r\ntwo\r\nthree\r\n");
    assert_string_equal(row_text(&grid, 0), "one       ");
    assert_string_equal(row_text(&grid, 1), "two       ");
    assert_string_equal(row_text(&grid, 2), "three     ");
    assert_string_equal(row_text(&grid, 3), "          ");
    put("four\r\nfive");
    assert_string_equal(row_text(&grid, 0), "two       ");
    assert_string_equal(row_text(&grid, 1), "three     ");
    assert_string_equal(row_text(&grid, 2), "four      ");
    assert_string_equal(row_text(&grid, 3), "five      ");
    /* many lines: only the last ROWS stay, the new bottom row is blank after a line feed */
    for (int i = 0; i < 23; i++) {
        char line[16];
        snprintf(line, sizeof line, "\r\nL%d", i);
        put(line);
    }
    put("\n");
    assert_string_equal(row_text(&grid, 0), "L20       ");
    assert_string_equal(row_text(&grid, 2), "L22       ");
    assert_string_equal(row_text(&grid, 3), "          ");
    assert_cursor(3, ROWS - 1); /* LF alone keeps the column */
}

static void test_wrap_and_cr(void **state) {
    (void)state;
    put("0123456789AB");
    assert_string_equal(row_text(&grid, ROWS - 2), "0123456789");
    assert_string_equal(row_text(&grid, ROWS - 1), "AB        ");
    put("\rx");
    assert_string_equal(row_text(&grid, ROWS - 1), "xB        ");
    /* a full line wraps at once, as CircuitPython does: CR LF after it gives an empty line */
    put("\r\n0123456789\r\nz");
    assert_string_equal(row_text(&grid, ROWS - 3), "0123456789");
    assert_string_equal(row_text(&grid, ROWS - 2), "          ");
    assert_string_equal(row_text(&grid, ROWS - 1), "z         ");
}

static void test_backspace(void **state) {
    (void)state;
    put("abc\b\bX");
    assert_string_equal(row_text(&grid, ROWS - 1), "aXc       ");
    put("\r\b\b\bq");
    assert_string_equal(row_text(&grid, ROWS - 1), "qXc       ");
    /* the REPL's rubout: BS, space, BS */
    put("\rabcd\b \b");
    assert_string_equal(row_text(&grid, ROWS - 1), "abc       ");
    assert_cursor(3, ROWS - 1);
}

static void test_erase_in_line(void **state) {
    (void)state;
    put("abcdefgh\x1b[3D\x1b[K");
    assert_string_equal(row_text(&grid, ROWS - 1), "abcde     ");
    put("\x1b[2D\x1b[1K");
    assert_string_equal(row_text(&grid, ROWS - 1), "    e     ");
    put("xyz\x1b[0K");
    assert_string_equal(row_text(&grid, ROWS - 1), "   xyz    ");
    put("\x1b[2K");
    assert_string_equal(row_text(&grid, ROWS - 1), "          ");
    assert_cursor(6, ROWS - 1);
    /* the supervisor's line clear before a banner */
    put("\rjunk\x1b[2K\x1b[0GAuto");
    assert_string_equal(row_text(&grid, ROWS - 1), "Auto      ");
}

static void test_cursor_moves(void **state) {
    (void)state;
    put("\x1b[2;3HA");
    assert_string_equal(row_text(&grid, 1), "  A       ");
    put("\x1b[HB\x1b[99;99HC");
    /* C in the last cell wrapped and scrolled everything up a line */
    assert_cursor(0, ROWS - 1);
    assert_string_equal(row_text(&grid, 0), "  A       ");
    assert_string_equal(row_text(&grid, ROWS - 2), "         C");
    assert_string_equal(row_text(&grid, ROWS - 1), "          ");
    put("\x1b[A\x1b[A\x1b[5CD\x1b[B\x1b[1;4fE");
    assert_string_equal(row_text(&grid, ROWS - 3), "     D    ");
    assert_cursor(4, 0);
    assert_string_equal(row_text(&grid, 0), "  AE      ");
    put("\x1b[7GF\x1b[9A\x1b[99DG\x1b[99B\x1b[99C");
    assert_string_equal(row_text(&grid, 0), "G AE  F   ");
    assert_cursor(COLS - 1, ROWS - 1);
    put("\x1b[;5HI"); /* empty first parameter: row 1 */
    assert_string_equal(row_text(&grid, 0), "G AEI F   ");
}

static void test_erase_screen(void **state) {
    (void)state;
    put("aaa\r\nbbb\r\nccc\x1b[2J");
    for (int r = 0; r < ROWS; r++) {
        assert_string_equal(row_text(&grid, r), "          ");
    }
    assert_cursor(0, 0);
    put("top\r\nnext");
    assert_string_equal(row_text(&grid, 0), "top       ");
    assert_string_equal(row_text(&grid, 1), "next      ");
    put("\r\nx\r\ny\r\nz"); /* fills the screen, then scrolls */
    assert_string_equal(row_text(&grid, 0), "next      ");
    assert_string_equal(row_text(&grid, 3), "z         ");
    put("\x1b[2;2H\x1b[J");
    assert_string_equal(row_text(&grid, 0), "next      ");
    assert_string_equal(row_text(&grid, 1), "x         ");
    assert_string_equal(row_text(&grid, 2), "          ");
    put("\x1b[3;1Hqq\x1b[2;1H\x1b[1J");
    assert_string_equal(row_text(&grid, 0), "          ");
    assert_string_equal(row_text(&grid, 1), "          ");
    assert_string_equal(row_text(&grid, 2), "qq        ");
}

static void test_unknown_sequences_ignored(void **state) {
    (void)state;
    put("a\x1b[31mb\x1b[0;1;32;44;99mc\x1b[?25ld\x1b[?25he\x1b(Bf\x1b"
        "7g\x1b"
        "8h\x1b]8;;http://x/\x1b\\i\x1b]8;;\x07j\x1b[>0ck\x1b[ql\x1b[5 qm");
    assert_string_equal(row_text(&grid, ROWS - 2), "abcdefghij");
    assert_string_equal(row_text(&grid, ROWS - 1), "klm       ");
    assert_string_equal(row_text(&grid, ROWS - 3), "          ");
    put("\x1b[1;2;3;4;5;6;7;8Hn"); /* more parameters than slots: row 1, column 2 */
    assert_string_equal(row_text(&grid, 0), " n        ");
    /* controls inside a CSI act, CAN abandons it, DEL and C1 controls draw nothing */
    put("\x1b[2;1H\x1b[\r1Co\x1b[4\x18"
        "Dp\x7f\xc2\x85"
        "q");
    assert_string_equal(row_text(&grid, 1), " oDpq     ");
    assert_string_equal(row_text(&status, 0), "          ");
}

static void test_title_in_status_bar(void **state) {
    (void)state;
    put("\x1b]0;\xf0\x9f\x90\x8d"
        "Done | 9.2.9\x1b\\x");
    assert_string_equal(row_text(&status, 0), "Done | 9.2"); /* snake not in the font; cut at width */
    assert_string_equal(row_text(&grid, ROWS - 1), "x         ");
    put("\x1b]0;code.py\x07y");
    assert_string_equal(row_text(&status, 0), "code.py   ");
    put("\x1b]0;\x1b\\");
    assert_string_equal(row_text(&status, 0), "          ");
    put("\x1b]2;other\x1b\\\x1b]0;ab\x1b[Kz"); /* ESC not followed by \ ends the OSC */
    assert_string_equal(row_text(&status, 0), "ab        ");
    assert_string_equal(row_text(&grid, ROWS - 1), "xyz       ");
    /* an OSC that never ends gives up rather than swallowing the console */
    put("\x1b]0;");
    for (int i = 0; i < 60; i++) {
        put("0123456789");
    }
    put("w");
    assert_string_equal(row_text(&status, 0), "0123456789");
    assert_true(strchr(row_text(&grid, ROWS - 1), 'w') != NULL);
}

static void test_title_without_status_bar(void **state) {
    (void)state;
    c9_terminal_t t2;
    assert_int_equal(c9_terminal_init(&t2, &grid, NULL, c9_font_terminal()), C9_OK);
    const char *s = "\x1b]0;title\x1b\\ok";
    c9_terminal_write(&t2, (const uint8_t *)s, strlen(s));
    assert_string_equal(row_text(&grid, ROWS - 1), "ok        ");
}

static void test_utf8(void **state) {
    (void)state;
    put("\xc3\xa9\xe2\x82\xac\xe2\x86\x90"); /* é € ← are in Terminus */
    const c9_builtin_font_t *f = c9_font_terminal();
    int y = (ROWS - 1 + grid.top_left_y) % ROWS;
    assert_int_equal(c9_tilegrid_get_tile(&grid, 0, (uint16_t)y), c9_font_tile(f, 0xe9));
    assert_int_equal(c9_tilegrid_get_tile(&grid, 1, (uint16_t)y), c9_font_tile(f, 0x20ac));
    assert_int_equal(c9_tilegrid_get_tile(&grid, 2, (uint16_t)y), c9_font_tile(f, 0x2190));
    /* missing glyphs, truncated and stray bytes: skipped, nothing else lost */
    put("\r\n\xe4\xb8\xad"
        "a\xc3"
        "b\x80\xff\xc0\xaf"
        "c\xf0\x9f\x90"
        "d");
    assert_string_equal(row_text(&grid, ROWS - 1), "abcd      ");
}

/* Every split of a stream gives the picture of writing it whole. */
static void test_split_writes(void **state) {
    (void)state;
    static const char stream[] = "\x1b[2K\x1b[0GAuto-reload\r\ncode.py output:\r\n\xc3\xa9x\x1b]0;t\xc3\xa9tle\x1b\\"
                                 "\x1b[3D\x1b[K\x1b[1;2H!\x1b[31mred\x1b[0m\r\n\b\bend";
    size_t n = sizeof stream - 1;
    c9_tilegrid_t g1, s1;
    c9_terminal_t t1;
    make_grid(&g1, COLS, ROWS);
    make_grid(&s1, COLS, 1);
    c9_terminal_init(&t1, &g1, &s1, c9_font_terminal());
    c9_terminal_write(&t1, (const uint8_t *)stream, n);
    for (size_t cut = 1; cut < n; cut++) {
        for (size_t cut2 = cut; cut2 < n; cut2 += 3) {
            c9_terminal_init(&term, &grid, &status, c9_font_terminal());
            c9_terminal_write(&term, (const uint8_t *)stream, cut);
            c9_terminal_write(&term, (const uint8_t *)stream + cut, cut2 - cut);
            c9_terminal_write(&term, (const uint8_t *)stream + cut2, n - cut2);
            assert_int_equal(grid.top_left_y, g1.top_left_y);
            assert_memory_equal(grid.tiles, g1.tiles, COLS * ROWS * sizeof(uint16_t));
            assert_memory_equal(status.tiles, s1.tiles, COLS * sizeof(uint16_t));
            assert_int_equal(term.cursor_x, t1.cursor_x);
            assert_int_equal(term.cursor_y, t1.cursor_y);
        }
    }
    assert_string_equal(row_text(&s1, 0), "t#tle     ");
    c9_tilegrid_release(&g1);
    c9_tilegrid_release(&s1);
}

static void test_one_row_grid(void **state) {
    (void)state;
    c9_tilegrid_t g1;
    c9_terminal_t t1;
    make_grid(&g1, 3, 1);
    assert_int_equal(c9_terminal_init(&t1, &g1, NULL, c9_font_terminal()), C9_OK);
    const char *s = "abcd\r\nef\x1b[5;5Hg\x1b[2Jh\x1b[A\x1b[B";
    c9_terminal_write(&t1, (const uint8_t *)s, strlen(s));
    assert_string_equal(row_text(&g1, 0), "h  ");
    c9_tilegrid_release(&g1);
}

static void test_init_errors(void **state) {
    (void)state;
    c9_terminal_t t1;
    assert_int_equal(c9_terminal_init(&t1, NULL, NULL, c9_font_terminal()), C9_ERR_INVAL);
    assert_int_equal(c9_terminal_init(&t1, &grid, NULL, NULL), C9_ERR_INVAL);
}

static void test_layout(void **state) {
    (void)state;
    /* Figures from CircuitPython's supervisor_start_terminal() for 6x12 glyphs. */
    static const struct {
        uint16_t w, h, scale, cols, rows;
        int16_t sx, sy;
    } cases[] = {
        {240, 240, 1, 40, 19, 0, 12}, /* memento */
        {320, 170, 1, 53, 13, 2, 14}, /* T-Display, landscape */
        {240, 135, 1, 40, 10, 0, 15}, /* Feather TFT, landscape */
        {128, 64, 1, 21, 4, 2, 16},   /* SSD1306 */
        {480, 320, 1, 80, 25, 0, 20}, /* 80 columns still at scale 1 */
        {800, 480, 2, 66, 19, 4, 12}, /* wider: scale 2 */
        {5, 5, 1, 1, 1, -1, -7},      /* tiny: at least 1 column and 2 rows */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c9_terminal_layout_t l;
        c9_terminal_layout(cases[i].w, cases[i].h, 6, 12, &l);
        assert_int_equal(l.scale, cases[i].scale);
        assert_int_equal(l.columns, cases[i].cols);
        assert_int_equal(l.rows, cases[i].rows);
        assert_int_equal(l.scroll_x, cases[i].sx);
        assert_int_equal(l.scroll_y, cases[i].sy);
        assert_int_equal(l.status_columns, cases[i].cols);
        assert_int_equal(l.status_x, cases[i].sx);
        assert_int_equal(l.status_y, 0);
    }
}

static void test_tilegrid_resize(void **state) {
    (void)state;
    put("abc");
    assert_int_equal(c9_tilegrid_resize(&grid, 5, 2, 3), C9_OK);
    assert_int_equal(grid.width, 5);
    assert_int_equal(grid.height, 2);
    assert_int_equal(grid.top_left_y, 0);
    assert_true(grid.full_change);
    for (uint16_t y = 0; y < 2; y++) {
        for (uint16_t x = 0; x < 5; x++) {
            assert_int_equal(c9_tilegrid_get_tile(&grid, x, y), 3);
        }
    }
    assert_int_equal(c9_tilegrid_resize(&grid, 0, 2, 0), C9_ERR_INVAL);
    assert_int_equal(grid.width, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_starts_blank_on_bottom_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines_scroll_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrap_and_cr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_in_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_screen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_sequences_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_title_in_status_bar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_title_without_status_bar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_row_grid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
        cmocka_unit_test(test_layout),
        cmocka_unit_test_setup_teardown(test_tilegrid_resize, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
