/* c9_display_config_check(): which BusDisplay argument a configuration gets wrong, in BusDisplay's
 * order, so the binding names it without checking again; c9_display_init() refuses the same
 * configurations before it touches the bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/display.h"

static int bus_calls;

static c9_err_t bus_begin(void *ctx) {
    (void)ctx;
    bus_calls++;
    return C9_OK;
}

static c9_err_t bus_send(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len) {
    (void)ctx;
    (void)type;
    (void)cs;
    (void)data;
    (void)len;
    bus_calls++;
    return C9_OK;
}

static void bus_end(void *ctx) {
    (void)ctx;
}

static const c9_display_bus_ops_t ops = {bus_begin, bus_send, bus_end, NULL};

static c9_display_config_t config(void) {
    c9_display_config_t cfg;
    c9_display_config_defaults(&cfg);
    cfg.bus = (c9_display_bus_t){&ops, NULL};
    cfg.width = 32;
    cfg.height = 16;
    return cfg;
}

static void expect(const c9_display_config_t *cfg, c9_err_t err, c9_display_arg_t arg) {
    c9_display_fault_t f;
    assert_int_equal(c9_display_config_check(cfg, &f), err);
    assert_int_equal(f.arg, arg);
    static c9_display_t d;
    bus_calls = 0;
    assert_int_equal(c9_display_init(&d, cfg), err);
    if (err != C9_OK) {
        assert_int_equal(bus_calls, 0); /* refused before the bus saw anything */
    }
}

static void test_each_argument_is_named(void **state) {
    (void)state;
    c9_display_config_t cfg = config();
    expect(&cfg, C9_OK, C9_DISPLAY_ARG_NONE);
    cfg.rotation = 45;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_ROTATION);
    cfg = config();
    cfg.color_depth = 3;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_COLOR_DEPTH);
    cfg = config();
    cfg.sh1107_addressing = true;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_SH1107_ADDRESSING);
    cfg.color_depth = 1;
    expect(&cfg, C9_OK, C9_DISPLAY_ARG_NONE);
    cfg = config();
    cfg.width = 0;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_WIDTH);
    cfg = config();
    cfg.height = 0;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_HEIGHT);
    cfg = config();
    cfg.bytes_per_cell = 0;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_BYTES_PER_CELL);
    cfg = config();
    cfg.brightness = 1.5f;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_BRIGHTNESS);
    cfg.brightness = -0.0f;
    expect(&cfg, C9_OK, C9_DISPLAY_ARG_NONE);
    /* The first wrong argument in BusDisplay's order wins. */
    cfg = config();
    cfg.rotation = 10;
    cfg.color_depth = 7;
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_ROTATION);
    cfg.rotation = 0;
    cfg.sh1107_addressing = true; /* checked before the depth itself */
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_SH1107_ADDRESSING);
    cfg.sh1107_addressing = false;
    cfg.width = 0; /* the size before the depth */
    expect(&cfg, C9_ERR_INVAL, C9_DISPLAY_ARG_WIDTH);
}

static void test_init_sequence_fault_says_where(void **state) {
    (void)state;
    /* SWRESET with a delay, then MADCTL claiming 3 parameters with 1 left. */
    static const uint8_t seq[] = {0x01, 0x80, 0x96, 0x36, 0x03, 0x08};
    c9_display_config_t cfg = config();
    cfg.init_sequence = seq;
    cfg.init_sequence_len = sizeof seq;
    c9_display_fault_t f;
    assert_int_equal(c9_display_config_check(&cfg, &f), C9_ERR_INITSEQ_TRUNCATED);
    assert_int_equal(f.arg, C9_DISPLAY_ARG_INIT_SEQUENCE);
    assert_int_equal(f.seq_pos, 3);
    assert_int_equal(f.seq_needed, 5);
    assert_int_equal(f.seq_available, 3);
    assert_int_equal(c9_display_config_check(&cfg, NULL), C9_ERR_INITSEQ_TRUNCATED);
    cfg.init_sequence_len = 3;
    expect(&cfg, C9_OK, C9_DISPLAY_ARG_NONE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_argument_is_named),
        cmocka_unit_test(test_init_sequence_fault_says_where),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
