/* The virtual board's world and peripherals as its chip has them: inputs held from the start,
 * events applied in order on the board's clock (moved on with virtual delays, so nothing waits),
 * device properties, counters and encoders seeing every edge of a quick sequence, the --state
 * report and the board's picture. The board is a Pico (an RP2040) but for the state test. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "circuit9/host_display.h"
#include "circuit9/host_port.h"
#include "circuit9/port.h"

static c9_stim_t stim(const char *text, double at) {
    c9_stim_t s;
    assert_int_equal(c9_stim_parse_assignment(text, strlen(text), &s, NULL), C9_OK);
    s.time_ns = (uint64_t)(at * 1e9);
    return s;
}

static int pin(const char *mcu) {
    int p = c9_port_pin_find(mcu);
    assert_true(p >= 0);
    return p;
}

static int sets_seen;
static c9_err_t device_set(void *ctx, const char *property, const c9_stim_value_t *v) {
    (void)ctx;
    if (!strcmp(property, "x")) {
        sets_seen = (int)(v->nano / 1000000); /* thousandths */
        return C9_OK;
    }
    return C9_ERR_NOENT;
}

static void test_inputs_and_events_on_the_clock(void **state) {
    (void)state;
    c9_host_clock_set_virtual(true);
    c9_stim_t inputs[] = {stim("GP0=0", 0), stim("GP26=1.1V", 0), stim("dev.x=0.25", 0)};
    c9_stim_t events[] = {stim("GP0=1", 1), stim("GP1=0", 2), stim("GP1=1", 2), stim("dev.x=0.5", 3)};
    c9_port_config_t cfg = {
        .board = c9_board_find("pico"), .inputs = inputs, .input_count = 3, .events = events, .event_count = 4};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    int gp0 = pin("GPIO0"), gp1 = pin("GPIO1"), gp26 = pin("GPIO26");
    c9_port_pin_input(gp0, C9_PORT_PULL_UP);
    assert_false(c9_port_pin_read(gp0)); /* held low from outside: the pull loses */
    assert_int_equal(c9_port_analog_in_open(gp26), C9_OK);
    uint16_t v;
    assert_int_equal(c9_port_analog_in_read(gp26, &v), C9_OK);
    uint32_t raw = 1100u * 4096u / 3300u; /* RP2040: 12 bits, widened */
    assert_int_equal(v, (raw << 4) | (raw >> 8));
    /* The device takes its --set input when it registers. */
    int ctx;
    assert_int_equal(c9_host_register_device("dev", device_set, &ctx), C9_OK);
    assert_int_equal(sets_seen, 250);
    assert_int_equal(c9_host_register_device("dev", device_set, &ctx), C9_ERR_EXIST);
    /* Nothing moves before the program starts. */
    c9_port_delay_ms(5000);
    assert_false(c9_port_pin_read(gp0));
    assert_int_equal(c9_host_world_next_event_ns(), UINT64_MAX);
    /* A counter on GP1 sees both edges of the two events at 2 s, applied in one catch-up. */
    assert_int_equal(c9_port_counter_open(gp1, 0 /* rise */, C9_PORT_PULL_UP), C9_OK);
    int64_t count = -1;
    c9_port_program_start();
    uint64_t t0 = c9_port_now_ns();
    assert_true(c9_host_world_next_event_ns() >= t0 + 1000000000u - 1000000u);
    c9_port_delay_ms(1500);
    assert_true(c9_port_pin_read(gp0));
    assert_int_equal(c9_port_counter_get(gp1, &count), C9_OK);
    assert_int_equal(count, 0);
    c9_port_delay_ms(1000);
    assert_int_equal(c9_port_counter_get(gp1, &count), C9_OK);
    assert_int_equal(count, 1); /* fell at 2 s and rose again at 2 s: one rise */
    assert_int_equal(sets_seen, 250);
    c9_port_delay_ms(1000);
    assert_true(c9_port_pin_read(gp0)); /* catches up */
    assert_int_equal(sets_seen, 500);
    c9_port_counter_close(gp1);
    c9_port_analog_in_close(gp26);
    c9_host_unregister_device(&ctx);
    /* An assignment now, as circuit9_board.set() makes it. */
    c9_stim_t now = stim("GP0=0", 0);
    assert_int_equal(c9_host_world_set(&now), C9_OK);
    assert_false(c9_port_pin_read(gp0));
    now = stim("NOPIN=1", 0);
    assert_int_equal(c9_host_world_set(&now), C9_ERR_NOENT);
    now = stim("GP0=2", 0);
    assert_int_equal(c9_host_world_set(&now), C9_ERR_INVAL);
    c9_vboard_pin_drive(gp0, -1);
}

static void test_bad_inputs_are_refused(void **state) {
    (void)state;
    c9_stim_t bad_pin[] = {stim("GP99=1", 0)};
    c9_port_config_t cfg = {.board = c9_board_find("pico"), .inputs = bad_pin, .input_count = 1};
    assert_int_equal(c9_port_init(&cfg), C9_ERR_NOENT);
    c9_stim_t bad_value[] = {stim("GP3=3g", 0)};
    cfg.inputs = bad_value;
    assert_int_equal(c9_port_init(&cfg), C9_ERR_INVAL);
}

static void test_encoder_decodes_in_software_on_a_pico(void **state) {
    (void)state;
    c9_port_config_t cfg = {.board = c9_board_find("pico")};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    int a = pin("GPIO2"), b = pin("GPIO3");
    assert_int_equal(c9_port_encoder_open(a, b, 4), C9_OK);
    /* Pulled up: at rest at 11. One detent clockwise, then three quarter steps back and one
     * forward: the software decoder counts the detent and then starts again (rotary.h). */
    const int steps[][2] = {{0, 1}, {0, 0}, {1, 0}, {1, 1}, {1, 0}, {0, 0}, {0, 1}, {0, 0}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        c9_vboard_pin_drive(a, steps[i][0]);
        c9_vboard_pin_drive(b, steps[i][1]);
    }
    int32_t pos;
    assert_int_equal(c9_port_encoder_position(a, &pos), C9_OK);
    assert_int_equal(pos, 1);
    c9_port_encoder_close(a);
    assert_int_equal(c9_port_encoder_position(a, &pos), C9_ERR_BADF);
    c9_vboard_pin_drive(a, -1);
    c9_vboard_pin_drive(b, -1);
    /* RP2040 counters: channel B pins only, no both-edge counting, not on a PWM slice. */
    assert_int_equal(c9_port_counter_open(pin("GPIO4"), 0, C9_PORT_PULL_NONE), C9_ERR_MCU_COUNTER_PIN);
    assert_int_equal(c9_port_counter_open(pin("GPIO5"), 2, C9_PORT_PULL_NONE), C9_ERR_MCU_COUNTER_EDGE);
    assert_int_equal(c9_port_pwm_open(pin("GPIO6"), 1000, 0, false, NULL), C9_OK);
    assert_int_equal(c9_port_counter_open(pin("GPIO7"), 0, C9_PORT_PULL_NONE), C9_ERR_MCU_SLICE_CHANNEL_A);
    c9_port_pwm_close(pin("GPIO6"));
    assert_int_equal(c9_port_counter_open(pin("GPIO7"), 0, C9_PORT_PULL_NONE), C9_OK);
    assert_int_equal(c9_port_pwm_open(pin("GPIO6"), 1000, 0, false, NULL), C9_ERR_BUSY); /* the slice counts */
    c9_port_counter_close(pin("GPIO7"));
    /* No touch sensor: CircuitPython's software touch, its threshold raw * 1.05 + 100. */
    uint16_t threshold, raw;
    assert_int_equal(c9_port_touch_open(pin("GPIO8"), &threshold), C9_OK);
    assert_int_equal(c9_port_touch_read(pin("GPIO8"), &raw), C9_OK);
    assert_int_equal(threshold, (uint16_t)(raw * 1.05f + 100));
    c9_vboard_pin_drive(pin("GPIO8"), 1);
    assert_int_equal(c9_port_touch_read(pin("GPIO8"), &raw), C9_OK);
    assert_true(raw > threshold);
    c9_vboard_pin_drive(pin("GPIO8"), -1);
    c9_port_touch_close(pin("GPIO8"));
    assert_int_equal(c9_port_analog_out_open(pin("GPIO26")), C9_ERR_MCU_NO_ANALOGOUT);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void test_state_report_and_board_picture(void **state) {
    (void)state;
    c9_port_config_t cfg = {.board = c9_board_find("samd21_oled")};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    int led = pin("PA17"), np = pin("PA06"), dac = pin("PA02"), pwm = pin("PA15"), in = pin("PA20");
    assert_int_equal(c9_port_pin_claim(led), C9_OK);
    assert_int_equal(c9_port_pin_output(led, true, C9_PORT_DRIVE_PUSH_PULL), C9_OK);
    const uint8_t grb[3] = {0x10, 0x80, 0x00};
    assert_int_equal(c9_port_neopixel_write(np, grb, 3), C9_OK);
    assert_int_equal(c9_port_pin_claim(dac), C9_OK);
    assert_int_equal(c9_port_analog_out_open(dac), C9_OK);
    assert_int_equal(c9_port_analog_out_write(dac, 65535), C9_OK);
    assert_int_equal(c9_port_pin_claim(pwm), C9_OK);
    assert_int_equal(c9_port_pwm_open(pwm, 500, 32768, false, NULL), C9_OK);
    assert_int_equal(c9_port_pin_claim(in), C9_OK);
    assert_int_equal(c9_port_pin_input(in, C9_PORT_PULL_DOWN), C9_OK);
    char path[] = "/tmp/c9worldXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(c9_port_state_write(path), C9_OK);
    const char *json = slurp(path);
    assert_non_null(strstr(json, "\"LED\": {\"direction\": \"output\", \"digital\": true}"));
    assert_non_null(strstr(json, "\"NEOPIXEL\": {\"direction\": \"input\", \"digital\": true, \"pull\": null, "
                                 "\"neopixel\": [[128, 16, 0]]}"));
    assert_non_null(strstr(json, "\"A0\": {\"direction\": \"output\", \"analog_out\": 3.300}"));
    /* 500 Hz on the SAMD21's TCC0: 48 MHz / 96000; 32768 reads back 32767 (rounded down). */
    assert_non_null(
        strstr(json, "\"D5\": {\"direction\": \"output\", \"pwm\": {\"frequency\": 500, \"duty_cycle\": 32767}}"));
    /* D6 is the wing's button B: its resistor holds the pin high over the pin's own pull-down. */
    assert_non_null(strstr(json, "\"D6\": {\"direction\": \"input\", \"digital\": true, \"pull\": \"down\"}"));
    /* The picture: the OLED (128 wide) and the column: NeoPixel, LED, then buttons A, B, C. */
    assert_int_equal(c9_port_board_screenshot(path), C9_OK);
    uint8_t *rgb;
    uint32_t w, h;
    assert_int_equal(c9_png_read_rgb(path, &rgb, &w, &h), C9_OK);
    assert_int_equal(w, 128 + 48);
    assert_int_equal(h, 5 * 48);
    const uint8_t *neo = rgb + ((size_t)24 * w + 128 + 24) * 3, *red = rgb + ((size_t)72 * w + 128 + 24) * 3;
    assert_int_equal(neo[0], 128);
    assert_int_equal(neo[1], 16);
    assert_int_equal(neo[2], 0);
    assert_int_equal(red[0], 0xFF);
    assert_int_equal(red[1], 0x20);
    const uint8_t *button_b = rgb + ((size_t)(3 * 48 + 24 + 10) * w + 128 + 24) * 3;
    assert_int_equal(button_b[0], 90); /* released (B has a pull-up on the wing) */
    c9_png_free(rgb);
    c9_vboard_pin_drive(in, 1); /* D6 is button B: pressed from outside shows lit */
    c9_vboard_pin_drive(in, 0);
    assert_int_equal(c9_port_board_screenshot(path), C9_OK);
    assert_int_equal(c9_png_read_rgb(path, &rgb, &w, &h), C9_OK);
    button_b = rgb + ((size_t)(3 * 48 + 24 + 10) * w + 128 + 24) * 3;
    assert_int_equal(button_b[0], 230);
    c9_png_free(rgb);
    unlink(path);
    c9_port_pwm_close(pwm);
    c9_port_analog_out_close(dac);
    c9_port_pin_release(led);
    c9_port_pin_release(dac);
    c9_port_pin_release(pwm);
    c9_port_pin_release(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inputs_and_events_on_the_clock),
        cmocka_unit_test(test_bad_inputs_are_refused),
        cmocka_unit_test(test_encoder_decodes_in_software_on_a_pico),
        cmocka_unit_test(test_state_report_and_board_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
