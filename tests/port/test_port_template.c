/* The template port links on its own (so it defines every function of the contract) and every
 * operation says "not provided" rather than pretending to work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "circuit9/port.h"

static void test_machine_ops_report_nosys(void **state) {
    (void)state;
    c9_port_config_t cfg = {0};
    assert_int_equal(c9_port_init(&cfg), C9_ERR_NOSYS);
    assert_non_null(c9_port_board());
    c9_port_background();
    c9_port_idle(1000);
    int64_t t;
    assert_int_equal(c9_port_rtc_get(&t), C9_ERR_NOSYS);
    int lo, hi, cal;
    assert_int_equal(c9_port_rtc_calibration_range(&lo, &hi), C9_ERR_NOSYS);
    assert_int_equal(c9_port_rtc_calibration_get(&cal), C9_ERR_NOSYS);
    assert_int_equal(c9_port_rtc_calibration_set(1), C9_ERR_NOSYS);
    assert_int_equal(c9_port_nvm_size(), 0);
    uint8_t nv[2] = {0};
    assert_int_equal(c9_port_nvm_read(0, nv, 1), C9_ERR_NOSYS);
    assert_int_equal(c9_port_nvm_write(0, nv, 1), C9_ERR_NOSYS);
    assert_true(c9_port_now_ns() != 0);
    c9_port_delay_ms(1);
    c9_clock_t clock = c9_port_clock();
    assert_non_null(clock.now_ms);
    assert_non_null(clock.delay_ms);
    uint8_t b[4];
    assert_int_equal(c9_port_random(b, sizeof b), C9_ERR_NOSYS);
    assert_null(c9_port_drive());
    assert_null(c9_port_host_fs());
}

static void test_pins_report_nosys(void **state) {
    (void)state;
    assert_int_equal(c9_port_pin_count(), 0);
    assert_string_equal(c9_port_pin_name(0), "");
    assert_int_equal(c9_port_pin_find("GPIO0"), -1);
    assert_int_equal(c9_port_pin_claim(0), C9_ERR_NOSYS);
    assert_false(c9_port_pin_in_use(0));
    c9_port_pin_release(0);
    assert_int_equal(c9_port_pin_input(0, C9_PORT_PULL_UP), C9_ERR_NOSYS);
    assert_int_equal(c9_port_pin_output(0, true, C9_PORT_DRIVE_PUSH_PULL), C9_ERR_NOSYS);
    c9_port_pin_write(0, true);
    assert_false(c9_port_pin_read(0));
    c9_hal_gpio_t g = c9_port_gpio();
    g.write(g.ctx, 0, true);
    uint16_t v;
    assert_int_equal(c9_port_analog_in_open(0), C9_ERR_NOSYS);
    assert_int_equal(c9_port_analog_in_read(0, &v), C9_ERR_NOSYS);
    assert_int_equal(c9_port_analog_in_reference_mv(0), 0);
    c9_port_analog_in_close(0);
    assert_int_equal(c9_port_analog_out_open(0), C9_ERR_NOSYS);
    assert_int_equal(c9_port_analog_out_write(0, 1), C9_ERR_NOSYS);
    c9_port_analog_out_close(0);
    uint32_t actual;
    assert_int_equal(c9_port_pwm_open(0, 1000, 0x8000, false, &actual), C9_ERR_NOSYS);
    assert_int_equal(c9_port_pwm_set_duty(0, 1), C9_ERR_NOSYS);
    assert_int_equal(c9_port_pwm_set_frequency(0, 10, &actual), C9_ERR_NOSYS);
    assert_int_equal(c9_port_pwm_duty(0), 0);
    assert_int_equal(c9_port_pwm_frequency(0), 0);
    assert_int_equal(c9_port_analog_out_millivolts(0), 0);
    int64_t count;
    assert_int_equal(c9_port_counter_open(0, 0, C9_PORT_PULL_NONE), C9_ERR_NOSYS);
    assert_int_equal(c9_port_counter_get(0, &count), C9_ERR_NOSYS);
    assert_int_equal(c9_port_counter_set(0, 1), C9_ERR_NOSYS);
    c9_port_counter_close(0);
    int32_t position;
    assert_int_equal(c9_port_encoder_open(0, 1, 4), C9_ERR_NOSYS);
    assert_int_equal(c9_port_encoder_position(0, &position), C9_ERR_NOSYS);
    assert_int_equal(c9_port_encoder_set_position(0, 1), C9_ERR_NOSYS);
    assert_int_equal(c9_port_encoder_set_divisor(0, 2), C9_ERR_NOSYS);
    c9_port_encoder_close(0);
    uint16_t raw;
    assert_int_equal(c9_port_touch_open(0, &raw), C9_ERR_NOSYS);
    assert_int_equal(c9_port_touch_read(0, &raw), C9_ERR_NOSYS);
    c9_port_touch_close(0);
    const uint8_t grb[3] = {1, 2, 3};
    assert_int_equal(c9_port_neopixel_write(0, grb, 3), C9_ERR_NOSYS);
    c9_port_program_start();
    assert_int_equal(c9_port_state_write("/nonexistent/state.json"), C9_ERR_NOSYS);
    assert_int_equal(c9_port_board_screenshot("/nonexistent/board.png"), C9_ERR_NOSYS);
    c9_port_pwm_close(0);
}

static void test_buses_report_nosys(void **state) {
    (void)state;
    c9_port_spi_t *spi = NULL;
    c9_port_i2c_t *i2c = NULL;
    c9_port_parallel_t *par = NULL;
    c9_port_uart_t *uart = NULL;
    assert_int_equal(c9_port_spi_open(0, 1, -1, &spi), C9_ERR_NOSYS);
    assert_int_equal(c9_port_i2c_open(0, 1, 100000, 255, &i2c), C9_ERR_NOSYS);
    int pins[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    assert_int_equal(c9_port_parallel_data_pins(0, pins), C9_ERR_NOSYS);
    assert_int_equal(c9_port_parallel_open(pins, 8, 8, 9, 10, 1000000, &par), C9_ERR_NOSYS);
    c9_port_uart_config_t uc = {.tx = 0, .rx = 1, .rts = -1, .cts = -1, .baudrate = 9600, .bits = 8, .stop = 1};
    assert_int_equal(c9_port_uart_open(&uc, &uart), C9_ERR_NOSYS);
    c9_port_cdc_t *cdc = NULL;
    assert_int_equal(c9_port_cdc_open(0, "usb_cdc.data", &cdc), C9_ERR_NOSYS);
    assert_null(cdc);
    assert_null(spi);
    assert_null(i2c);
    assert_null(par);
    assert_null(uart);
    /* The display-bus tables exist even though what they call does nothing yet. */
    c9_port_spi_t *fake_spi = (c9_port_spi_t *)pins;
    c9_hal_spi_t hs = c9_port_spi_hal(fake_spi);
    assert_int_equal(hs.write(hs.ctx, (const uint8_t *)"x", 1), C9_ERR_NOSYS);
    c9_hal_i2c_t hi = c9_port_i2c_hal((c9_port_i2c_t *)pins);
    assert_int_equal(hi.write(hi.ctx, 0x3C, (const uint8_t *)"x", 1), C9_ERR_NOSYS);
    c9_hal_parallel_t hp = c9_port_parallel_hal((c9_port_parallel_t *)pins);
    assert_int_equal(hp.write(hp.ctx, true, (const uint8_t *)"x", 1), C9_ERR_NOSYS);
    c9_port_bus_stats_t st;
    assert_int_equal(c9_port_spi_stats(fake_spi, &st), C9_ERR_NOSYS);
    assert_int_equal(c9_port_i2c_stats((c9_port_i2c_t *)pins, &st), C9_ERR_NOSYS);
    assert_int_equal(c9_port_parallel_stats((c9_port_parallel_t *)pins, &st), C9_ERR_NOSYS);
}

static void test_panels_and_tables(void **state) {
    (void)state;
    c9_port_wiring_t w = {.kind = C9_PORT_WIRING_I2C, .scl = 0, .sda = 1, .address = 0x3C, .reset = -1};
    c9_port_panel_desc_t d = {.width = 128, .height = 64, .color_depth = 1};
    /* Real glass needs nothing from the port: these succeed. */
    assert_int_equal(c9_port_panel_connect(&w), C9_OK);
    assert_int_equal(c9_port_panel_configure(&w, &d), C9_OK);
    c9_port_panel_disconnect(&w);
    assert_int_equal(c9_port_panel_screenshot("x.png"), C9_ERR_NOSYS);
    const struct c9_usb_hcd_ops *ops;
    void *ctx;
    uint8_t rhport;
    assert_int_equal(c9_port_usb_host(0, 1, &ops, &ctx, &rhport), C9_ERR_NOSYS);
    const struct c9_net_socket_ops *so;
    const struct c9_net_tls_ops *to;
    assert_int_equal(c9_port_net_sockets(&so), C9_ERR_NOSYS);
    assert_int_equal(c9_port_net_tls(&to), C9_ERR_NOSYS);
    const c9_blockdev_t *bd;
    assert_int_equal(c9_port_blockdev("CIRCUITPY", &bd), C9_ERR_NOENT);
    c9_port_image_t *img = NULL;
    c9_blockdev_t dev;
    assert_int_equal(c9_port_image_open("x.img", 0, 0, &img, &dev), C9_ERR_NOSYS);
    assert_null(img);
    assert_int_equal(c9_port_image_close(NULL), C9_ERR_NOSYS);
}

static void test_audio_reports_nosys(void **state) {
    (void)state;
    c9_port_audio_config_t cfg = {.kind = C9_PORT_AUDIO_PWM, .left = 0, .right = -1, .quiescent_value = 0x8000};
    c9_port_audio_t *a = NULL;
    assert_int_equal(c9_port_audio_open(&cfg, &a), C9_ERR_NOSYS);
    assert_null(a);
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_out_format_t out;
    assert_int_equal(c9_port_audio_start(NULL, 8000, &f, &out), C9_ERR_NOSYS);
    assert_int_equal(c9_port_audio_room(NULL), 0);
    uint16_t v[2] = {0, 0};
    assert_int_equal(c9_port_audio_write(NULL, v, 1), C9_ERR_NOSYS);
    c9_port_audio_close(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_machine_ops_report_nosys), cmocka_unit_test(test_pins_report_nosys),
        cmocka_unit_test(test_buses_report_nosys),       cmocka_unit_test(test_panels_and_tables),
        cmocka_unit_test(test_audio_reports_nosys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
