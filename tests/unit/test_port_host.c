/* The port contract (port.h) as the virtual board implements it: pins and their levels, analog and
 * PWM, the SPI/I2C/8080 controllers delivering to sinks wired on the board, the clock, stand-in
 * breakouts, the drive's file system, UARTs on pseudo-terminals and the tables other parts
 * register. Each test uses pins of its own, since the virtual board is process-wide. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "circuit9/host_display.h"
#include "circuit9/host_net.h"
#include "circuit9/host_port.h"
#include "circuit9/net.h"
#include "circuit9/port.h"

static int pin(const char *name) {
    int p = c9_port_pin_find(name);
    assert_true(p >= 0);
    return p;
}

/* ---- a sink that records what reaches it --------------------------------------------------- */

typedef struct rec {
    uint8_t bytes[64];
    bool dc[64];
    size_t n;
    int resets;
    uint8_t answer;
} rec_t;

static void rec_write(void *ctx, bool data, const uint8_t *b, size_t len) {
    rec_t *r = ctx;
    for (size_t i = 0; i < len && r->n < sizeof r->bytes; i++) {
        r->dc[r->n] = data;
        r->bytes[r->n++] = b[i];
    }
}

static void rec_reset(void *ctx) {
    ((rec_t *)ctx)->resets++;
}

static size_t rec_read(void *ctx, uint8_t *b, size_t len) {
    memset(b, ((rec_t *)ctx)->answer, len);
    return len;
}

static c9_vsink_t rec_sink(rec_t *r) {
    return (c9_vsink_t){rec_write, rec_reset, rec_read, r};
}

/* ---- pins ----------------------------------------------------------------------------------- */

static void test_pins_have_names_and_owners(void **state) {
    (void)state;
    assert_true(c9_port_pin_count() >= 48);
    int p = pin("GPIO1");
    assert_string_equal(c9_port_pin_name(p), "GPIO1");
    assert_int_equal(c9_port_pin_find("NO_SUCH_PIN"), -1);
    assert_string_equal(c9_port_pin_name(-1), "");
    assert_int_equal(c9_port_pin_claim(p), C9_OK);
    assert_true(c9_port_pin_in_use(p));
    assert_int_equal(c9_port_pin_claim(p), C9_ERR_BUSY);
    c9_port_pin_release(p);
    assert_false(c9_port_pin_in_use(p));
    assert_int_equal(c9_port_pin_claim(p), C9_OK);
    c9_port_pin_release(p);
    assert_int_equal(c9_port_pin_claim(c9_port_pin_count()), C9_ERR_NOENT);
    c9_port_pin_release(-1); /* nothing */
}

static void test_digital_levels_follow_direction_pull_and_outside(void **state) {
    (void)state;
    int p = pin("GPIO2");
    assert_int_equal(c9_port_pin_input(p, C9_PORT_PULL_DOWN), C9_OK);
    assert_false(c9_port_pin_read(p));
    assert_int_equal(c9_port_pin_input(p, C9_PORT_PULL_UP), C9_OK);
    assert_true(c9_port_pin_read(p));
    c9_vboard_pin_drive(p, 0); /* a button to ground beats the pull-up */
    assert_false(c9_port_pin_read(p));
    c9_vboard_pin_drive(p, -1);
    assert_true(c9_port_pin_read(p));
    /* A floating input keeps the level it had. */
    assert_int_equal(c9_port_pin_input(p, C9_PORT_PULL_NONE), C9_OK);
    assert_true(c9_port_pin_read(p));
    /* Writing an input sets the latch only; the pin drives it once it is an output. */
    c9_port_pin_write(p, false);
    assert_true(c9_port_pin_read(p));
    assert_int_equal(c9_port_pin_output(p, false, C9_PORT_DRIVE_PUSH_PULL), C9_OK);
    assert_false(c9_port_pin_read(p));
    c9_port_pin_write(p, true);
    assert_true(c9_port_pin_read(p));
    c9_vboard_pin_drive(p, 0); /* push-pull wins over the outside */
    assert_true(c9_port_pin_read(p));
    /* Open drain let go high follows the outside; driven low stays low. */
    assert_int_equal(c9_port_pin_output(p, true, C9_PORT_DRIVE_OPEN_DRAIN), C9_OK);
    assert_false(c9_port_pin_read(p));
    c9_vboard_pin_drive(p, -1);
    assert_true(c9_port_pin_read(p));
    c9_port_pin_write(p, false);
    assert_false(c9_port_pin_read(p));
    c9_vpin_state_t st;
    assert_int_equal(c9_vpin_state(p, &st), C9_OK);
    assert_int_equal(st.mode, C9_VPIN_OUTPUT);
    assert_int_equal(st.drive, C9_PORT_DRIVE_OPEN_DRAIN);
    assert_int_equal(c9_port_pin_input(-1, C9_PORT_PULL_NONE), C9_ERR_NOENT);
    assert_int_equal(c9_port_pin_output(-1, true, C9_PORT_DRIVE_PUSH_PULL), C9_ERR_NOENT);
    assert_false(c9_port_pin_read(-1));
}

static void test_gpio_table_drives_configured_outputs(void **state) {
    (void)state;
    int p = pin("GPIO3");
    c9_hal_gpio_t g = c9_port_gpio();
    assert_int_equal(c9_port_pin_output(p, true, C9_PORT_DRIVE_PUSH_PULL), C9_OK);
    g.write(g.ctx, p, false);
    assert_false(c9_port_pin_read(p));
    g.write(g.ctx, -1, false); /* an optional pin that is not there */
}

static void test_analog_in_scales_to_16_bits(void **state) {
    (void)state;
    /* The default board is an ESP32-S3: GPIO4 is ADC1 channel 3, GPIO21 has no ADC, and values are
     * the calibrated millivolts * 65535 / 3300, saturating near 3.1 V (mcu.h). */
    int p = pin("GPIO4");
    assert_int_equal(c9_port_analog_in_open(pin("GPIO21")), C9_ERR_NOTSUP);
    uint16_t v;
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_ERR_BADF);
    assert_int_equal(c9_port_analog_in_open(p), C9_OK);
    assert_int_equal(c9_port_analog_in_reference_mv(p), 3300);
    c9_vboard_pin_set_mv(p, 0);
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_OK);
    assert_int_equal(v, 0);
    c9_vboard_pin_set_mv(p, 3300);
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_OK);
    assert_int_equal(v, 61563); /* 3100 * 65535 / 3300 */
    c9_vboard_pin_set_mv(p, 1650);
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_OK);
    assert_int_equal(v, 32767);    /* 1650 * 65535 / 3300 = 32767.5, truncated */
    c9_vboard_pin_set_mv(p, 5000); /* above what the ADC reads */
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_OK);
    assert_int_equal(v, 61563);
    c9_vboard_pin_set_mv(p, -1); /* back to the digital level: driven low reads 0 */
    c9_vboard_pin_drive(p, 0);
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_OK);
    assert_int_equal(v, 0);
    c9_vboard_pin_drive(p, -1);
    c9_port_analog_in_close(p);
    assert_int_equal(c9_port_analog_in_read(p, &v), C9_ERR_BADF);
    assert_int_equal(c9_port_analog_in_open(-1), C9_ERR_NOENT);
}

static void test_analog_out_and_pwm_show_on_the_pin(void **state) {
    (void)state;
    int a = pin("GPIO5"), w = pin("GPIO6");
    assert_int_equal(c9_port_analog_out_write(a, 1), C9_ERR_BADF);
    assert_int_equal(c9_port_analog_out_open(a), C9_ERR_NOSYS); /* the ESP32-S3 has no DAC */
    c9_vpin_state_t st;

    uint32_t actual = 0;
    assert_int_equal(c9_port_pwm_open(w, 0, 0, false, &actual), C9_ERR_INVAL);
    assert_int_equal(c9_port_pwm_open(w, 500, 0, false, &actual), C9_OK);
    assert_int_equal(actual, 500);
    assert_false(c9_port_pin_read(w)); /* duty 0: always low */
    assert_int_equal(c9_port_pwm_set_duty(w, 0x8000), C9_OK);
    assert_true(c9_port_pin_read(w));
    assert_int_equal(c9_port_pwm_set_frequency(w, 1000, &actual), C9_ERR_PERM);
    c9_port_pwm_close(w);
    assert_int_equal(c9_port_pwm_set_duty(w, 1), C9_ERR_BADF);
    assert_int_equal(c9_port_pwm_open(w, 500, 100, true, NULL), C9_OK);
    assert_int_equal(c9_port_pwm_set_frequency(w, 2000, &actual), C9_OK);
    assert_int_equal(actual, 2000);
    assert_int_equal(c9_port_pwm_set_frequency(w, 0, &actual), C9_ERR_INVAL);
    c9_vpin_state(w, &st);
    assert_int_equal(st.pwm_frequency, 2000);
    assert_int_equal(st.pwm_duty, 96); /* 13 bits of duty at 2 kHz: 100 >> 3 << 3 */
    assert_int_equal(c9_port_pwm_duty(w), 96);
    assert_int_equal(c9_port_pwm_frequency(w), 2000);
    c9_port_pwm_close(w);
}

/* ---- clock ------------------------------------------------------------------------------------ */

static void test_one_clock(void **state) {
    (void)state;
    c9_host_clock_set_virtual(true);
    uint64_t t0 = c9_port_now_ns();
    assert_true(t0 != 0);
    c9_port_delay_ms(250); /* virtual: the clock moves on at once */
    uint64_t t1 = c9_port_now_ns();
    assert_true(t1 - t0 >= 250000000u);
    c9_clock_t c = c9_port_clock();
    uint64_t ms = c.now_ms(c.ctx);
    assert_true(ms >= t1 / 1000000u && ms <= c9_port_now_ns() / 1000000u);
    c.delay_ms(c.ctx, 1000);
    assert_true(c9_port_now_ns() - t1 >= 1000000000u);
    /* Real mode sleeps instead (a short one: this only checks it returns after the time). */
    c9_host_clock_set_virtual(false);
    uint64_t t2 = c9_port_now_ns();
    c9_port_delay_ms(2);
    assert_true(c9_port_now_ns() - t2 >= 2000000u);
    c9_host_clock_set_virtual(true);
    int64_t secs;
    assert_int_equal(c9_port_rtc_get(&secs), C9_OK);
    assert_true(secs > 1700000000); /* after November 2023 */
}

/* ---- buses ------------------------------------------------------------------------------------ */

static void test_spi_reaches_the_selected_sink_with_dc(void **state) {
    (void)state;
    int sck = pin("GPIO10"), mosi = pin("GPIO11"), miso = pin("GPIO12"), cs = pin("GPIO13"), dc = pin("GPIO14"),
        rst = pin("GPIO15");
    rec_t r = {.answer = 0x5A};
    c9_vsink_t s = rec_sink(&r);
    assert_int_equal(c9_vboard_wire_spi(&s, &r, sck, mosi, cs, dc, rst), C9_OK);
    assert_ptr_equal(c9_vboard_owner_on(cs), &r);
    assert_null(c9_vboard_panel_on(cs)); /* a sink that is no panel */

    c9_port_spi_t *spi;
    assert_int_equal(c9_port_spi_open(sck, -1, -1, &spi), C9_ERR_INVAL);
    assert_int_equal(c9_port_spi_open(sck, mosi, miso, &spi), C9_OK);
    assert_int_equal(c9_port_spi_frequency(spi), 250000);
    assert_int_equal(c9_port_spi_configure(spi, 10000000, 0, 0, 8), C9_OK);
    assert_int_equal(c9_port_spi_configure(spi, 10000000, 2, 0, 8), C9_ERR_INVAL);
    assert_int_equal(c9_port_spi_frequency(spi), 10000000);
    assert_true(c9_port_spi_try_lock(spi));
    assert_false(c9_port_spi_try_lock(spi));
    c9_port_spi_reset_stats(spi);

    c9_port_pin_output(cs, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, false, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(rst, true, C9_PORT_DRIVE_PUSH_PULL);
    assert_int_equal(c9_port_spi_write(spi, (const uint8_t *)"\x2A", 1), C9_OK);
    assert_int_equal(r.n, 0); /* not selected */
    c9_port_pin_write(cs, false);
    assert_int_equal(c9_port_spi_write(spi, (const uint8_t *)"\x2C", 1), C9_OK);
    c9_port_pin_write(dc, true);
    assert_int_equal(c9_port_spi_write(spi, (const uint8_t *)"\x01\x02", 2), C9_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.bytes[0], 0x2C);
    assert_false(r.dc[0]);
    assert_true(r.dc[1] && r.dc[2]);
    assert_int_equal(r.bytes[2], 0x02);

    uint8_t in[3] = {0};
    assert_int_equal(c9_port_spi_read(spi, in, 3, 0xFF), C9_OK);
    assert_memory_equal(in, "\x5A\x5A\x5A", 3); /* the selected device answers */
    c9_port_pin_write(cs, true);
    assert_int_equal(c9_port_spi_transfer(spi, (const uint8_t *)"abc", in, 3), C9_OK);
    assert_memory_equal(in, "\xFF\xFF\xFF", 3); /* nobody drives MISO */

    c9_port_bus_stats_t st;
    assert_int_equal(c9_port_spi_stats(spi, &st), C9_OK);
    assert_int_equal(st.bytes, 1 + 1 + 2 + 3 + 3);
    assert_int_equal(st.cycles, st.bytes * 8);
    assert_int_equal(st.time_ps, st.cycles * 100000); /* 100 ns a bit at 10 MHz */

    c9_port_pin_write(rst, false); /* the reset line reaches the sink */
    assert_int_equal(r.resets, 1);
    c9_port_pin_write(rst, true);
    c9_port_spi_unlock(spi);
    c9_port_spi_close(spi);
    c9_vboard_unwire(&r);
    assert_null(c9_vboard_owner_on(cs));
    for (int p = 10; p <= 15; p++) {
        c9_port_pin_input(p, C9_PORT_PULL_NONE);
    }
}

static void test_spi_nine_bit_words(void **state) {
    (void)state;
    int sck = pin("GPIO16"), mosi = pin("GPIO17"), cs = pin("GPIO18");
    rec_t r = {0};
    c9_vsink_t s = rec_sink(&r);
    assert_int_equal(c9_vboard_wire_spi(&s, &r, sck, mosi, cs, -1, -1), C9_OK);
    c9_port_spi_t *spi;
    assert_int_equal(c9_port_spi_open(sck, mosi, -1, &spi), C9_OK);
    c9_port_pin_output(cs, false, C9_PORT_DRIVE_PUSH_PULL);
    /* command 0x2A then data 0x81: 0 0010 1010, 1 1000 0001, padded to 3 bytes */
    const uint8_t words[] = {0x15, 0x60, 0x40};
    assert_int_equal(c9_port_spi_write(spi, words, 3), C9_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.bytes[0], 0x2A);
    assert_false(r.dc[0]);
    assert_int_equal(r.bytes[1], 0x81);
    assert_true(r.dc[1]);
    /* Chip select high drops the padding's partial word: the next word starts afresh. */
    c9_port_pin_write(cs, true);
    c9_port_pin_write(cs, false);
    const uint8_t one[] = {0x80, 0x00}; /* data word 0x00: 1 0000 0000 */
    assert_int_equal(c9_port_spi_write(spi, one, 2), C9_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.bytes[2], 0x00);
    assert_true(r.dc[2]);
    assert_int_equal(c9_port_spi_read(spi, (uint8_t[1]){0}, 1, 0), C9_ERR_NOSYS); /* no MISO */
    c9_port_spi_close(spi);
    c9_vboard_unwire(&r);
    c9_port_pin_input(cs, C9_PORT_PULL_NONE);
}

static void test_i2c_control_bytes_probe_and_read(void **state) {
    (void)state;
    int scl = pin("GPIO20"), sda = pin("GPIO21");
    rec_t r = {.answer = 0x40};
    c9_vsink_t s = rec_sink(&r);
    assert_int_equal(c9_vboard_wire_i2c(&s, &r, scl, sda, 0x3D, -1), C9_OK);
    c9_port_i2c_t *i2c;
    assert_int_equal(c9_port_i2c_open(scl, scl, 100000, 255, &i2c), C9_ERR_NOTSUP);
    assert_int_equal(c9_port_i2c_open(scl, sda, 400000, 255, &i2c), C9_OK);
    assert_true(c9_port_i2c_try_lock(i2c));
    assert_false(c9_port_i2c_try_lock(i2c));
    c9_port_i2c_unlock(i2c);
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3C), C9_ERR_NODEV);
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3D), C9_OK);
    c9_port_i2c_reset_stats(i2c);
    /* Co=1 D/C=0: one command byte; then Co=0 D/C=1: the rest is data. */
    const uint8_t tx[] = {0x80, 0xAF, 0x40, 0x11, 0x22};
    assert_int_equal(c9_port_i2c_write(i2c, 0x3D, tx, sizeof tx, true), C9_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.bytes[0], 0xAF);
    assert_false(r.dc[0]);
    assert_true(r.dc[1] && r.dc[2]);
    assert_int_equal(c9_port_i2c_write(i2c, 0x3C, tx, sizeof tx, true), C9_ERR_NODEV);
    uint8_t in[2];
    assert_int_equal(c9_port_i2c_read(i2c, 0x3D, in, 2), C9_OK);
    assert_memory_equal(in, "\x40\x40", 2);
    assert_int_equal(c9_port_i2c_read(i2c, 0x3C, in, 2), C9_ERR_NODEV);
    c9_port_bus_stats_t st;
    c9_port_i2c_stats(i2c, &st);
    assert_int_equal(st.transactions, 4);
    assert_int_equal(st.bytes, (5 + 1) + 1 + (2 + 1) + 1); /* an unanswered address ends there */
    assert_int_equal(st.cycles, st.bytes * 9 + 4 * 2);
    c9_hal_i2c_t h = c9_port_i2c_hal(i2c);
    assert_int_equal(h.write(h.ctx, 0x3D, (const uint8_t *)"\x00\xAE", 2), C9_OK);
    assert_int_equal(r.bytes[3], 0xAE);
    c9_port_i2c_close(i2c);
    c9_vboard_unwire(&r);
}

static void test_parallel_bus(void **state) {
    (void)state;
    int data[8];
    assert_int_equal(c9_port_parallel_data_pins(pin("GPIO30"), data), C9_OK);
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof name, "GPIO%d", 30 + i);
        assert_int_equal(data[i], pin(name));
    }
    assert_int_equal(c9_port_parallel_data_pins(pin("GPIO44"), data), C9_ERR_NOENT); /* GPIO48..51 do not exist */
    /* A SAMD port writes a byte of a port: data0 is pin 0, 8, 16 or 24 of it. */
    assert_int_equal(c9_port_parallel_data_pins(c9_vpin("PA09"), data), C9_ERR_INVAL);
    assert_int_equal(c9_port_parallel_data_pins(c9_vpin("PA08"), data), C9_ERR_NOENT); /* PA09.. not made */
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof name, "PB%02d", 8 + i);
        c9_vpin(name);
    }
    assert_int_equal(c9_port_parallel_data_pins(c9_vpin("PB08"), data), C9_OK);
    assert_int_equal(data[7], c9_vpin_find("PB15"));
    assert_int_equal(c9_port_parallel_data_pins(c9_vpin("XYZ"), data), C9_ERR_INVAL);
    c9_port_parallel_data_pins(pin("GPIO30"), data);
    int cs = pin("GPIO22"), dc = pin("GPIO23"), wr = pin("GPIO24");
    rec_t r = {0};
    c9_vsink_t s = rec_sink(&r);
    assert_int_equal(c9_vboard_wire_parallel(&s, &r, data, 8, cs, dc, wr, -1), C9_OK);
    c9_port_parallel_t *bus;
    assert_int_equal(c9_port_parallel_open(data, 12, cs, dc, wr, 1000000, &bus), C9_ERR_INVAL);
    assert_int_equal(c9_port_parallel_open(data, 8, cs, dc, wr, 1000000, &bus), C9_OK);
    c9_port_pin_output(cs, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, false, C9_PORT_DRIVE_PUSH_PULL);
    c9_hal_parallel_t h = c9_port_parallel_hal(bus);
    c9_port_pin_write(cs, false); /* a transaction starts */
    assert_int_equal(h.write(h.ctx, true, (const uint8_t *)"\x2C", 1), C9_OK);
    c9_port_pin_write(dc, true);
    assert_int_equal(h.write(h.ctx, false, (const uint8_t *)"\xF8\x00", 2), C9_OK);
    c9_port_pin_write(cs, true);
    assert_int_equal(r.n, 3);
    assert_false(r.dc[0]);
    assert_true(r.dc[1] && r.dc[2]);
    c9_port_bus_stats_t st;
    c9_port_parallel_stats(bus, &st);
    assert_int_equal(st.transactions, 1);
    assert_int_equal(st.bytes, 3);
    assert_int_equal(st.cycles, 3); /* a strobe a byte on 8 lines */
    assert_int_equal(st.time_ps, 3000000);
    c9_port_parallel_close(bus);
    c9_vboard_unwire(&r);
}

/* ---- panels and breakouts --------------------------------------------------------------------- */

/* The start of Adafruit's ST7789 driver's sequence as BusDisplay gets it: SWRESET, SLPOUT,
 * COLMOD, MADCTL, NORON, DISPON, then MADCTL MY|MX and INVON. */
static const uint8_t st7789_init[] = {0x01, 0x80, 0x96, 0x11, 0x80, 0xFF, 0x3A, 0x81, 0x55, 0x0A, 0x36, 0x01,
                                      0x08, 0x13, 0x80, 0x0A, 0x29, 0x80, 0xFF, 0x36, 0x01, 0xC0, 0x21, 0x00};
static const uint8_t ili9341_init[] = {0x01, 0x80, 0x80, 0xEF, 0x03, 0x03, 0x80, 0x02, 0xCF, 0x03, 0x00, 0xC1, 0x30,
                                       0x3A, 0x01, 0x55, 0x11, 0x80, 0x78, 0x29, 0x80, 0x78, 0x36, 0x01, 0x38};
static const uint8_t ssd1306_init[] = {0xAE, 0x00, 0x20, 0x01, 0x00, 0xA1, 0x00, 0xC8, 0x00, 0xA8,
                                       0x01, 0x1F, 0xDA, 0x01, 0x02, 0x8D, 0x01, 0x14, 0xAF, 0x00};

static void test_breakout_descriptions(void **state) {
    (void)state;
    c9_vpanel_config_t c;
    c9_port_panel_desc_t d = {.width = 240,
                              .height = 135,
                              .colstart = 53,
                              .rowstart = 40,
                              .rotation = 270,
                              .color_depth = 16,
                              .init_sequence = st7789_init,
                              .init_sequence_len = sizeof st7789_init};
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_OK);
    assert_string_equal(c.controller, "ST7789");
    assert_true(c.glass_inverted);
    assert_false(c.glass_bgr);
    assert_int_equal(c.glass_width, 135);
    assert_int_equal(c.glass_height, 240);
    assert_int_equal(c.glass_x, 53);
    assert_int_equal(c.glass_y, 40);
    assert_int_equal(c.glass_madctl, 0xC0);
    assert_int_equal(c.mount_rotation, 270);

    d = (c9_port_panel_desc_t){.width = 320,
                               .height = 240,
                               .color_depth = 16,
                               .init_sequence = ili9341_init,
                               .init_sequence_len = sizeof ili9341_init};
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_OK);
    assert_string_equal(c.controller, "ILI9341");
    assert_true(c.glass_bgr);
    assert_false(c.glass_inverted);
    assert_int_equal(c.glass_madctl, 0x20); /* MV: the driver addresses the glass sideways */
    assert_int_equal(c.glass_width, 320);

    /* No distinctive command: INVON says IPS (an ST7789 module), its absence the ILI9341's glass. */
    static const uint8_t plain[] = {0x11, 0x80, 0x78, 0x29, 0x00};
    static const uint8_t plain_inv[] = {0x11, 0x80, 0x78, 0x21, 0x00, 0x29, 0x00};
    d = (c9_port_panel_desc_t){.width = 240, .height = 240, .init_sequence = plain, .init_sequence_len = sizeof plain};
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_OK);
    assert_string_equal(c.controller, "ILI9341");
    d.init_sequence = plain_inv;
    d.init_sequence_len = sizeof plain_inv;
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_OK);
    assert_string_equal(c.controller, "ST7789");

    d = (c9_port_panel_desc_t){.width = 64,
                               .height = 32,
                               .colstart = 32,
                               .rowstart = 32,
                               .color_depth = 1,
                               .data_as_commands = true,
                               .init_sequence = ssd1306_init,
                               .init_sequence_len = sizeof ssd1306_init};
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_OK); /* an SSD1306 on SPI */
    assert_string_equal(c.controller, "SSD1306");
    assert_int_equal(c.glass_width, 64);
    assert_int_equal(c.glass_height, 32);
    assert_int_equal(c.glass_x, 32);
    assert_int_equal(c.com_pins, 0x02);

    static const uint8_t truncated[] = {0x36, 0x02, 0x00};
    d.init_sequence = truncated;
    d.init_sequence_len = sizeof truncated;
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_ERR_INVAL);
    d.init_sequence = plain;
    d.init_sequence_len = sizeof plain;
    d.rotation = 45;
    assert_int_equal(c9_host_breakout_describe(&d, false, &c), C9_ERR_INVAL);
}

static void wiring_fourwire(c9_port_wiring_t *w, int sck, int mosi, int cs, int dc, int rst) {
    memset(w, 0xFF, sizeof *w);
    w->kind = C9_PORT_WIRING_FOURWIRE;
    w->width = 0;
    w->address = 0;
    w->clock = sck;
    w->mosi = mosi;
    w->chip_select = cs;
    w->command = dc;
    w->reset = rst;
}

static void spi_send(c9_port_spi_t *spi, int dc, bool data, const uint8_t *b, size_t n) {
    c9_port_pin_write(dc, data);
    c9_port_spi_write(spi, b, n);
}

static void test_breakout_stands_in_on_free_pins(void **state) {
    (void)state;
    int sck = pin("GPIO36"), mosi = pin("GPIO37"), cs = pin("GPIO38"), dc = pin("GPIO39"), rst = pin("GPIO40");
    c9_port_wiring_t w;
    wiring_fourwire(&w, sck, mosi, cs, dc, rst);
    size_t before = c9_host_panel_count();

    c9_host_set_breakouts(false);
    assert_int_equal(c9_port_panel_connect(&w), C9_OK);
    assert_int_equal(c9_host_panel_count(), before); /* nothing wired: nothing there */
    c9_port_panel_desc_t d = {.width = 240,
                              .height = 135,
                              .colstart = 53,
                              .rowstart = 40,
                              .rotation = 270,
                              .color_depth = 16,
                              .init_sequence = st7789_init,
                              .init_sequence_len = sizeof st7789_init};
    assert_int_equal(c9_port_panel_configure(&w, &d), C9_ERR_NOENT);
    /* The last display has no glass: nothing to take a screenshot of. */
    assert_null(c9_host_panel_last());
    assert_int_equal(c9_port_panel_screenshot("/nonexistent/never-written.png"), C9_ERR_NOENT);

    c9_host_set_breakouts(true);
    assert_int_equal(c9_port_panel_connect(&w), C9_OK);
    assert_int_equal(c9_host_panel_count(), before + 1);
    c9_vpanel_t *p = c9_vboard_panel_on(cs);
    assert_non_null(p);
    assert_true(c9_host_panel_is_breakout(p));
    assert_int_equal(c9_port_panel_connect(&w), C9_OK); /* once is enough */
    assert_int_equal(c9_host_panel_count(), before + 1);

    assert_int_equal(c9_port_panel_configure(&w, &d), C9_OK);
    p = c9_vboard_panel_on(cs);
    assert_ptr_equal(c9_host_panel_last(), p);
    const c9_vpanel_config_t *c = c9_vpanel_config(p);
    assert_int_equal(c->glass_width, 135);
    assert_int_equal(c->mount_rotation, 270);
    uint16_t vw, vh;
    c9_vpanel_view_size(p, &vw, &vh);
    assert_int_equal(vw, 240);
    assert_int_equal(vh, 135);

    /* The driver's own bytes over the contract's SPI: wake up as the init sequence would
     * (MADCTL MY|MX, INVON), then one red pixel at the glass's first native address. */
    c9_port_spi_t *spi;
    assert_int_equal(c9_port_spi_open(sck, mosi, -1, &spi), C9_OK);
    c9_port_pin_output(cs, false, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, false, C9_PORT_DRIVE_PUSH_PULL);
    spi_send(spi, dc, false, (const uint8_t *)"\x11", 1);
    spi_send(spi, dc, false, (const uint8_t *)"\x3A", 1);
    spi_send(spi, dc, true, (const uint8_t *)"\x55", 1);
    spi_send(spi, dc, false, (const uint8_t *)"\x36", 1);
    spi_send(spi, dc, true, (const uint8_t *)"\xC0", 1);
    spi_send(spi, dc, false, (const uint8_t *)"\x21\x29\x2A", 3);
    spi_send(spi, dc, true, (const uint8_t *)"\x00\x35\x00\x35", 4); /* column 53 */
    spi_send(spi, dc, false, (const uint8_t *)"\x2B", 1);
    spi_send(spi, dc, true, (const uint8_t *)"\x00\x28\x00\x28", 4); /* row 40 */
    spi_send(spi, dc, false, (const uint8_t *)"\x2C", 1);
    spi_send(spi, dc, true, (const uint8_t *)"\xF8\x00", 2); /* RGB565 red */
    uint8_t *view = malloc((size_t)vw * vh * 3);
    c9_vpanel_render_view(p, view);
    /* Native (0, 0) of a glass mounted at 270 is the view's top right corner, and IPS glass with
     * INVON shows red as red. */
    const uint8_t *px = view + (0 * vw + 239) * 3;
    assert_int_equal(px[0], 255);
    assert_int_equal(px[1], 0);
    assert_int_equal(px[2], 0);
    free(view);

    char path[] = "/tmp/c9_port_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(c9_port_panel_screenshot(path), C9_OK);
    uint8_t *png;
    uint32_t pw, ph;
    assert_int_equal(c9_png_read_rgb(path, &png, &pw, &ph), C9_OK);
    assert_int_equal(pw, 240);
    assert_int_equal(ph, 135);
    assert_int_equal(png[239 * 3], 255);
    c9_png_free(png);
    unlink(path);

    /* A display describing the same module keeps the panel (and its picture); another one
     * replaces it. */
    assert_int_equal(c9_port_panel_configure(&w, &d), C9_OK);
    assert_ptr_equal(c9_vboard_panel_on(cs), p);
    d.rotation = 90;
    assert_int_equal(c9_port_panel_configure(&w, &d), C9_OK);
    assert_ptr_not_equal(c9_vboard_panel_on(cs), NULL);
    assert_int_equal(c9_vpanel_config(c9_vboard_panel_on(cs))->mount_rotation, 90);
    assert_int_equal(c9_host_panel_count(), before + 1);
    c9_port_panel_disconnect(&w); /* the breakout stays */
    assert_non_null(c9_vboard_panel_on(cs));
    c9_port_spi_close(spi);
}

static void test_i2c_breakout_answers_the_probe(void **state) {
    (void)state;
    int scl = pin("GPIO41"), sda = pin("GPIO42");
    c9_port_wiring_t w;
    memset(&w, 0xFF, sizeof w);
    w.kind = C9_PORT_WIRING_I2C;
    w.scl = scl;
    w.sda = sda;
    w.address = 0x3C;
    w.width = 0;
    c9_port_i2c_t *i2c;
    assert_int_equal(c9_port_i2c_open(scl, sda, 400000, 255, &i2c), C9_OK);
    c9_host_set_breakouts(false);
    assert_int_equal(c9_port_panel_connect(&w), C9_OK);
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3C), C9_ERR_NODEV);
    c9_host_set_breakouts(true);
    assert_int_equal(c9_port_panel_connect(&w), C9_OK);
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3C), C9_OK);
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3D), C9_ERR_NODEV);
    c9_port_panel_desc_t d = {.width = 128,
                              .height = 32,
                              .color_depth = 1,
                              .data_as_commands = true,
                              .init_sequence = ssd1306_init,
                              .init_sequence_len = sizeof ssd1306_init};
    assert_int_equal(c9_port_panel_configure(&w, &d), C9_OK);
    c9_vpanel_t *p = c9_host_panel_last();
    assert_string_equal(c9_vpanel_config(p)->controller, "SSD1306");
    assert_int_equal(c9_vpanel_config(p)->glass_height, 32);
    /* The replacement answers at the same address. */
    assert_int_equal(c9_port_i2c_probe(i2c, 0x3C), C9_OK);
    c9_port_i2c_close(i2c);
}

static void test_panel_feed_and_reset_through_wires(void **state) {
    (void)state;
    c9_vpanel_config_t pc;
    assert_int_equal(c9_vpanel_config_defaults(&pc, "NOPE"), C9_ERR_NOENT);
    assert_int_equal(c9_vpanel_config_defaults(&pc, "ST7789"), C9_OK);
    c9_vpanel_t *p = c9_vpanel_new(&pc);
    int rst = pin("GPIO43");
    assert_int_equal(c9_vboard_attach_spi(p, pin("GPIO44"), pin("GPIO45"), -1, pin("GPIO46"), rst), C9_OK);
    assert_ptr_equal(c9_vboard_panel_on(rst), p);
    c9_vpanel_feed(p, false, (const uint8_t *)"\x11\x29", 2);
    c9_vpanel_state_t st;
    c9_vpanel_state(p, &st);
    assert_false(st.sleeping);
    assert_true(st.display_on);
    c9_port_pin_output(rst, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_write(rst, false);
    c9_vpanel_state(p, &st);
    assert_true(st.sleeping); /* a hardware reset puts the controller back to sleep */
    assert_int_equal(st.resets, 1);
    c9_vpanel_free(p);
    assert_null(c9_vboard_owner_on(rst));
}

/* ---- non-volatile memory and the RTC's correction ------------------------------------------------ */

static void test_nvm_kept_beside_the_drive(void **state) {
    (void)state;
    char parent[] = "/tmp/c9_nvm_XXXXXX";
    assert_non_null(mkdtemp(parent));
    char drive[64];
    snprintf(drive, sizeof drive, "%s/CIRCUITPY", parent);
    assert_int_equal(mkdir(drive, 0755), 0);
    c9_port_config_t cfg = {.board = c9_board_find("pico"), .drive = drive};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    /* CircuitPython's CIRCUITPY_INTERNAL_NVM_SIZE for the RP2040; erased flash reads 0xFF. */
    assert_int_equal(c9_port_nvm_size(), 4096);
    uint8_t b[4] = {0};
    assert_int_equal(c9_port_nvm_read(4092, b, 4), C9_OK);
    assert_int_equal(b[0] & b[1] & b[2] & b[3], 0xFF);
    assert_int_equal(c9_port_nvm_read(4093, b, 4), C9_ERR_RANGE);
    assert_int_equal(c9_port_nvm_read(SIZE_MAX, b, 2), C9_ERR_RANGE);
    assert_int_equal(c9_port_nvm_write(4096, b, 1), C9_ERR_RANGE);
    assert_int_equal(c9_port_nvm_write(1, (const uint8_t[]){1, 2, 3}, 3), C9_OK);

    /* Power cycle: a new init forgets the memory it had; the file brings it back. */
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    assert_int_equal(c9_port_nvm_read(0, b, 4), C9_OK);
    assert_int_equal(b[0], 0xFF);
    assert_int_equal(b[1], 1);
    assert_int_equal(b[2], 2);
    assert_int_equal(b[3], 3);
    char file[96];
    snprintf(file, sizeof file, "%s/.CIRCUITPY.pico.nvm", parent);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_size, 4096);

    /* The memory is the chip's: another board on the same drive has its own, and an ESP32-S3's
     * NVS reads zeros until written. */
    c9_port_config_t s3 = {.board = c9_board_find("memento"), .drive = drive};
    assert_int_equal(c9_port_init(&s3), C9_OK);
    assert_int_equal(c9_port_nvm_size(), 8192);
    assert_int_equal(c9_port_nvm_read(1, b, 1), C9_OK);
    assert_int_equal(b[0], 0);
    int lo, hi, cal;
    assert_int_equal(c9_port_rtc_calibration_range(&lo, &hi), C9_ERR_NOSYS);
    assert_int_equal(c9_port_rtc_calibration_set(3), C9_ERR_NOSYS);

    /* A write that cannot be stored changes nothing. */
    c9_port_config_t samd = {.board = c9_board_find("samd21_oled"), .drive = drive};
    assert_int_equal(c9_port_init(&samd), C9_OK);
    assert_int_equal(c9_port_nvm_size(), 256);
    /* A directory where the port writes its new file makes the store fail, even for root. */
    char blocker[112];
    snprintf(blocker, sizeof blocker, "%s/.CIRCUITPY.samd21_oled.nvm.tmp", parent);
    assert_int_equal(mkdir(blocker, 0755), 0);
    assert_int_equal(c9_port_nvm_write(0, (const uint8_t[]){7}, 1), C9_ERR_IO);
    assert_int_equal(c9_port_nvm_read(0, b, 1), C9_OK);
    assert_int_equal(b[0], 0xFF);
    assert_int_equal(rmdir(blocker), 0);
    assert_int_equal(c9_port_nvm_write(0, (const uint8_t[]){7}, 1), C9_OK);
    assert_int_equal(c9_port_nvm_read(0, b, 1), C9_OK);
    assert_int_equal(b[0], 7);
    assert_int_equal(c9_port_rtc_calibration_range(&lo, &hi), C9_OK);
    assert_int_equal(lo, -127);
    assert_int_equal(hi, 127);
    assert_int_equal(c9_port_rtc_calibration_set(-128), C9_ERR_RANGE);
    assert_int_equal(c9_port_rtc_calibration_set(-5), C9_OK);
    assert_int_equal(c9_port_rtc_calibration_get(&cal), C9_OK);
    assert_int_equal(cal, -5);
    assert_int_equal(c9_port_rtc_calibration_set(0), C9_OK);

    snprintf(file, sizeof file, "%s/.CIRCUITPY.samd21_oled.nvm", parent);
    assert_int_equal(unlink(file), 0);
    snprintf(file, sizeof file, "%s/.CIRCUITPY.memento.nvm", parent);
    unlink(file);
    snprintf(file, sizeof file, "%s/.CIRCUITPY.pico.nvm", parent);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(drive), 0);
    assert_int_equal(rmdir(parent), 0);
    c9_port_config_t none = {0};
    assert_int_equal(c9_port_init(&none), C9_OK);
}

/* ---- the drive ---------------------------------------------------------------------------------- */

static void test_drive_is_a_directory(void **state) {
    (void)state;
    char dir[] = "/tmp/c9_drive_XXXXXX";
    assert_non_null(mkdtemp(dir));
    c9_port_config_t cfg = {.board = c9_board_find("samd21_oled"), .drive = dir, .breakouts = true};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    const c9_port_fs_t *fs = c9_port_drive();
    assert_non_null(fs);
    char os[512];
    assert_int_equal(fs->resolve(fs->ctx, "/lib/a.py", os, sizeof os), C9_OK);
    assert_true(strncmp(os, dir, strlen(dir)) == 0 && !strcmp(os + strlen(dir), "/lib/a.py"));
    assert_int_equal(fs->resolve(fs->ctx, "/lib/../../etc", os, sizeof os), C9_ERR_INVAL);
    assert_int_equal(fs->resolve(fs->ctx, "lib", os, sizeof os), C9_ERR_INVAL);
    assert_int_equal(fs->resolve(fs->ctx, "/x", os, 4), C9_ERR_NOMEM);

    assert_int_equal(fs->mkdir(fs->ctx, "/lib"), C9_OK);
    assert_int_equal(fs->mkdir(fs->ctx, "/lib"), C9_ERR_EXIST);
    void *f;
    assert_int_equal(fs->open(fs->ctx, "/lib/a.txt", C9_PORT_OPEN_READ, &f), C9_ERR_NOENT);
    assert_int_equal(fs->open(fs->ctx, "/lib", C9_PORT_OPEN_READ, &f), -21); /* EISDIR */
    assert_int_equal(fs->open(fs->ctx, "/lib/a.txt", C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE, &f), C9_OK);
    size_t n;
    assert_int_equal(fs->write(fs->ctx, f, "hello world", 11, &n), C9_OK);
    assert_int_equal(n, 11);
    assert_int_equal(fs->close(fs->ctx, f), C9_OK);
    assert_int_equal(fs->open(fs->ctx, "/lib/a.txt", C9_PORT_OPEN_WRITE | C9_PORT_OPEN_CREATE | C9_PORT_OPEN_EXCL, &f),
                     C9_ERR_EXIST);
    assert_int_equal(fs->open(fs->ctx, "/lib/a.txt", C9_PORT_OPEN_READ, &f), C9_OK);
    uint64_t pos;
    assert_int_equal(fs->seek(fs->ctx, f, 6, 0, &pos), C9_OK);
    assert_int_equal(pos, 6);
    char buf[16] = {0};
    assert_int_equal(fs->read(fs->ctx, f, buf, sizeof buf, &n), C9_OK);
    assert_int_equal(n, 5);
    assert_string_equal(buf, "world");
    assert_int_equal(fs->read(fs->ctx, f, buf, sizeof buf, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(fs->close(fs->ctx, f), C9_OK);

    c9_port_stat_t st;
    assert_int_equal(fs->stat(fs->ctx, "/lib/a.txt", &st), C9_OK);
    assert_int_equal(st.size, 11);
    assert_false(st.is_dir);
    assert_int_equal(fs->stat(fs->ctx, "/lib", &st), C9_OK);
    assert_true(st.is_dir);
    assert_int_equal(fs->rename(fs->ctx, "/lib/a.txt", "/b.txt"), C9_OK);
    void *d;
    assert_int_equal(fs->dir_open(fs->ctx, "/", &d), C9_OK);
    char name[64];
    int seen = 0;
    while (fs->dir_read(fs->ctx, d, name, sizeof name, &st) == C9_OK) {
        seen |= !strcmp(name, "lib") && st.is_dir ? 1 : !strcmp(name, "b.txt") && st.size == 11 ? 2 : 4;
    }
    assert_int_equal(fs->dir_close(fs->ctx, d), C9_OK);
    assert_int_equal(seen, 3);
    assert_int_equal(fs->remove(fs->ctx, "/lib"), -21); /* EISDIR: remove() is for files */
    assert_int_equal(fs->rmdir(fs->ctx, "/lib"), C9_OK);
    assert_int_equal(fs->remove(fs->ctx, "/b.txt"), C9_OK);
    assert_int_equal(fs->remove(fs->ctx, "/b.txt"), C9_ERR_NOENT);
    c9_port_statvfs_t v;
    assert_int_equal(fs->statvfs(fs->ctx, &v), C9_OK);
    assert_true(v.block_size > 0 && v.blocks > 0);
    assert_int_equal(fs->sync(fs->ctx, NULL), C9_OK);
    rmdir(dir);
    cfg.drive = NULL;
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    assert_null(c9_port_drive());
}

/* ---- UART ------------------------------------------------------------------------------------- */

static void test_uart_on_a_pseudo_terminal(void **state) {
    (void)state;
    c9_port_uart_config_t cfg = {.tx = pin("GPIO0"),
                                 .rx = pin("GPIO47"),
                                 .rts = -1,
                                 .cts = -1,
                                 .baudrate = 9600,
                                 .bits = 8,
                                 .stop = 1,
                                 .timeout_ms = 50,
                                 .receiver_buffer_size = 64};
    c9_port_uart_t *u;
    c9_port_uart_config_t bad = cfg;
    bad.bits = 4;
    assert_int_equal(c9_port_uart_open(&bad, &u), C9_ERR_INVAL);
    assert_int_equal(c9_port_uart_open(&cfg, &u), C9_OK);
    const char *dev = c9_host_uart_device(u);
    assert_true(strncmp(dev, "/dev/pts/", 9) == 0);
    int other = open(dev, O_RDWR | O_NOCTTY);
    assert_true(other >= 0);
    /* The board's TX comes out at the other end, byte for byte (no newline translation). */
    assert_int_equal(c9_port_uart_write(u, (const uint8_t *)"AT\r\n", 4), C9_OK);
    char got[8] = {0};
    size_t have = 0;
    while (have < 4) {
        ssize_t r = read(other, got + have, 4 - have);
        assert_true(r > 0);
        have += (size_t)r;
    }
    assert_memory_equal(got, "AT\r\n", 4);
    /* What the other end writes arrives on RX. */
    assert_int_equal(write(other, "OK\n", 3), 3);
    tcdrain(other);
    uint8_t in[8];
    size_t n;
    assert_int_equal(c9_port_uart_read(u, in, 3, &n), C9_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(in, "OK\n", 3);
    /* Nothing more: the timeout ends the read with nothing. */
    assert_int_equal(c9_port_uart_read(u, in, 1, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(c9_port_uart_in_waiting(u), 0);
    assert_int_equal(c9_port_uart_set_baudrate(u, 115200), C9_OK);
    assert_int_equal(c9_port_uart_baudrate(u), 115200);
    assert_int_equal(c9_port_uart_set_baudrate(u, 0), C9_ERR_INVAL);
    close(other);
    c9_port_uart_close(u);
}

/* usb_cdc.data's channel: output waits in the terminal for a client that opens it later, the
 * queue is counted and can be dropped, input arrives with a bounded wait. */
static void test_cdc_channel_on_a_pseudo_terminal(void **state) {
    (void)state;
    c9_port_cdc_t *c;
    assert_int_equal(c9_port_cdc_open(1, "usb_cdc.data", &c), C9_OK);
    const char *dev = c9_host_cdc_device(c);
    assert_true(strncmp(dev, "/dev/pts/", 9) == 0);
    assert_true(c9_port_cdc_connected(c));
    size_t done, n;
    assert_int_equal(c9_port_cdc_write(c, (const uint8_t *)"dropped", 7, 0, &done), C9_OK);
    assert_int_equal(done, 7);
    c9_port_cdc_clear_tx(c);
    assert_int_equal(c9_port_cdc_out_waiting(c), 0);
    assert_int_equal(c9_port_cdc_write(c, (const uint8_t *)"hi\r\n", 4, 0, &done), C9_OK);
    assert_int_equal(done, 4);
    /* Opened after the write: the bytes waited, raw (no newline translation). */
    int other = open(dev, O_RDWR | O_NOCTTY);
    assert_true(other >= 0);
    char got[8] = {0};
    size_t have = 0;
    while (have < 4) {
        ssize_t r = read(other, got + have, 4 - have);
        assert_true(r > 0);
        have += (size_t)r;
    }
    assert_memory_equal(got, "hi\r\n", 4);
    assert_int_equal(c9_port_cdc_out_waiting(c), 0);
    uint8_t in[8];
    assert_int_equal(c9_port_cdc_read(c, in, sizeof in, 0, &n), C9_OK);
    assert_int_equal(n, 0);
    assert_int_equal(write(other, "abc", 3), 3);
    tcdrain(other);
    /* The wait ends when the bytes are there (a generous bound, never reached). */
    have = 0;
    while (have < 3) {
        assert_int_equal(c9_port_cdc_read(c, in + have, 3 - have, 10000, &n), C9_OK);
        assert_true(n > 0);
        have += n;
    }
    assert_memory_equal(in, "abc", 3);
    assert_int_equal(write(other, "zz", 2), 2);
    tcdrain(other);
    while (c9_port_cdc_in_waiting(c) < 2) {
        assert_int_equal(c9_port_cdc_read(c, in, 0, 0, &n), C9_OK); /* len 0 reads nothing */
        assert_int_equal(n, 0);
    }
    c9_port_cdc_clear_rx(c);
    assert_int_equal(c9_port_cdc_in_waiting(c), 0);
    close(other);
    c9_port_cdc_close(c);
}

/* ---- tables and odds and ends ------------------------------------------------------------------- */

static void test_tables_registered_elsewhere(void **state) {
    (void)state;
    static int controller; /* stands for a controller's state; the port never looks inside */
    const struct c9_usb_hcd_ops *fake_ops = (const struct c9_usb_hcd_ops *)&controller;
    const struct c9_usb_hcd_ops *ops;
    void *ctx;
    uint8_t rhport;
    assert_int_equal(c9_port_usb_host(1, 2, &ops, &ctx, &rhport), C9_ERR_NOSYS);
    assert_int_equal(c9_host_register_usb_host(1, 2, fake_ops, &controller), C9_OK);
    assert_int_equal(c9_port_usb_host(1, 2, &ops, &ctx, &rhport), C9_OK);
    assert_ptr_equal(ops, fake_ops);
    assert_ptr_equal(ctx, &controller);
    assert_int_equal(c9_port_usb_host(3, 4, &ops, &ctx, &rhport), C9_ERR_NODEV);
    assert_int_equal(c9_host_register_usb_host(1, 2, NULL, NULL), C9_OK);
    assert_int_equal(c9_port_usb_host(1, 2, &ops, &ctx, &rhport), C9_ERR_NOSYS);

    /* A board without a network has no sockets. */
    const struct c9_net_socket_ops *so, *own;
    const struct c9_net_tls_ops *to;
    c9_port_config_t no_net = {.board = c9_board_find("samd21_oled")};
    assert_int_equal(c9_port_init(&no_net), C9_OK);
    assert_int_equal(c9_port_net_sockets(&so), C9_ERR_NOSYS);
    assert_int_equal(c9_port_net_tls(&to), C9_ERR_NOSYS);
    assert_false(c9_port_wifi_enabled());
    /* The host's own network until a table is registered; a registered one replaces it. */
    c9_port_config_t net = {.board = c9_board_find("memento")};
    assert_int_equal(c9_port_init(&net), C9_OK);
    assert_int_equal(c9_port_net_sockets(&own), C9_OK);
    c9_sock_t sock;
    assert_int_equal(own->open(own->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &sock), C9_OK);
    assert_int_equal(own->close(own->ctx, sock), C9_OK);
    assert_int_equal(c9_port_net_tls(&to), c9_host_tls_available() ? C9_OK : C9_ERR_NOSYS);
    c9_host_register_net((const struct c9_net_socket_ops *)&controller, NULL);
    assert_int_equal(c9_port_net_sockets(&so), C9_OK);
    assert_ptr_equal(so, &controller);
    assert_int_equal(c9_port_net_tls(&to), C9_ERR_NOSYS);
    c9_host_register_net(NULL, NULL);
    assert_int_equal(c9_port_net_sockets(&so), C9_OK);
    assert_ptr_equal(so, own);

    const c9_blockdev_t *bd;
    assert_int_equal(c9_port_blockdev("SD", &bd), C9_ERR_NOENT);
    assert_int_equal(c9_host_register_blockdev("SD", (const c9_blockdev_t *)&controller), C9_OK);
    assert_int_equal(c9_port_blockdev("SD", &bd), C9_OK);
    assert_ptr_equal(bd, &controller);
    assert_int_equal(c9_host_register_blockdev("", NULL), C9_ERR_INVAL);
    assert_int_equal(c9_host_register_blockdev("SD", NULL), C9_OK);
    assert_int_equal(c9_port_blockdev("SD", &bd), C9_ERR_NOENT);

    uint8_t a[32] = {0}, b[32] = {0};
    assert_int_equal(c9_port_random(a, sizeof a), C9_OK);
    assert_int_equal(c9_port_random(b, sizeof b), C9_OK);
    assert_memory_not_equal(a, b, sizeof a);
}

/* The virtual board's wifi station: one access point (the configured one), errors as a board
 * gives them, no route beyond loopback until connected, the board's host table, its socket
 * limit, and a soft reload closing every socket. */
static void test_wifi_station(void **state) {
    (void)state;
    c9_port_config_t cfg = {.board = c9_board_find("tdisplay_s3"),
                            .wifi_ssid = "HomeNet",
                            .wifi_password = "secret-pass",
                            .net_hosts = "printer.lan=127.0.0.1 far.example=192.0.2.77",
                            .net_sockets = 3};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    const struct c9_net_socket_ops *ops;
    assert_int_equal(c9_port_net_sockets(&ops), C9_OK);
    assert_int_equal(c9_port_wifi_disconnect(), C9_OK);
    assert_true(c9_port_wifi_enabled());

    uint8_t mac[6], mac2[6];
    assert_int_equal(c9_port_wifi_mac(mac), C9_OK);
    assert_int_equal(mac[0] & 3, 2); /* locally administered, not multicast */
    assert_int_equal(c9_port_wifi_mac(mac2), C9_OK);
    assert_memory_equal(mac, mac2, 6);

    c9_port_wifi_ap_t aps[4];
    size_t n;
    assert_int_equal(c9_port_wifi_scan(1, 11, aps, 4, &n), C9_OK);
    assert_int_equal(n, 1);
    assert_int_equal(aps[0].ssid_len, 7);
    assert_memory_equal(aps[0].ssid, "HomeNet", 7);
    assert_int_equal(aps[0].authmodes, C9_PORT_WIFI_AUTH_WPA2 | C9_PORT_WIFI_AUTH_PSK);
    assert_int_equal(c9_port_wifi_scan(1, 3, aps, 4, &n), C9_OK);
    assert_int_equal(n, 0); /* not on those channels */

    /* Not connected: loopback only, and no names but the board's own and "localhost". */
    assert_int_equal(c9_port_wifi_station(NULL, NULL), C9_ERR_NOTCONN);
    c9_net_addr_t a[2];
    assert_int_equal(ops->getaddrinfo(ops->ctx, "localhost", 80, 0, C9_NET_SOCK_STREAM, a, 2, &n), C9_OK);
    assert_int_equal(a[0].family, C9_NET_AF_INET); /* IPv4 first, as lwIP */
    assert_int_equal(ops->getaddrinfo(ops->ctx, "printer.lan", 631, 0, 0, a, 2, &n), C9_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(a[0].addr, ((uint8_t[]){127, 0, 0, 1}), 4);
    assert_int_equal(a[0].port, 631);
    assert_int_equal(ops->getaddrinfo(ops->ctx, "debian.org", 80, 0, 0, a, 2, &n), C9_ERR_NET_NONAME);
    c9_sock_t s;
    assert_int_equal(ops->open(ops->ctx, C9_NET_AF_INET, C9_NET_SOCK_STREAM, 0, &s), C9_OK);
    c9_net_addr_t far = {.family = C9_NET_AF_INET, .port = 80, .addr = {192, 0, 2, 77}};
    assert_int_equal(ops->connect(ops->ctx, s, &far), C9_ERR_HOSTUNREACH);
    uint32_t rtt;
    assert_int_equal(c9_port_net_ping(&far, 100, &rtt), C9_ERR_HOSTUNREACH);

    /* Joining: the right network and password only. */
    assert_int_equal(c9_port_wifi_connect((const uint8_t *)"Elsewhere", 9, NULL, 0, 0, NULL, 0), C9_ERR_WIFI_NO_AP);
    assert_int_equal(c9_port_wifi_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"wrong-pass", 10, 0, NULL, 0),
                     C9_ERR_WIFI_AUTH);
    assert_int_equal(c9_port_wifi_connect((const uint8_t *)"HomeNet", 7, NULL, 0, 0, NULL, 0), C9_ERR_WIFI_AUTH);
    uint8_t bssid[6] = {0};
    assert_int_equal(
        c9_port_wifi_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"secret-pass", 11, 0, bssid, 0),
        C9_ERR_WIFI_NO_AP);
    assert_int_equal(
        c9_port_wifi_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"secret-pass", 11, 6, aps[0].bssid, 0),
        C9_OK);
    c9_port_wifi_ap_t ap;
    c9_port_wifi_ipv4_t ip;
    assert_int_equal(c9_port_wifi_station(&ap, &ip), C9_OK);
    assert_memory_equal(ap.ssid, "HomeNet", 7);
    assert_true(ip.address[0] != 0);
    assert_true(ip.netmask[0] == 255);
    uint8_t dns[4] = {9, 9, 9, 9};
    assert_int_equal(c9_port_wifi_set_dns(dns), C9_OK);
    assert_int_equal(c9_port_wifi_station(NULL, &ip), C9_OK);
    assert_memory_equal(ip.dns, dns, 4);
    c9_net_addr_t lo = {.family = C9_NET_AF_INET, .addr = {127, 0, 0, 1}};
    assert_int_equal(c9_port_net_ping(&lo, 2000, &rtt), C9_OK);
    assert_non_null(c9_host_net_ping_method());

    /* The socket limit (3 here) and a soft reload closing them all. */
    c9_sock_t more[3];
    assert_int_equal(ops->open(ops->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &more[0]), C9_OK);
    assert_int_equal(ops->open(ops->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &more[1]), C9_OK);
    assert_int_equal(ops->open(ops->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &more[2]), C9_ERR_NET_OUT_OF_SOCKETS);
    assert_int_equal(c9_host_net_sockets_open(), 3);
    c9_port_net_reset();
    assert_int_equal(c9_host_net_sockets_open(), 0);
    assert_int_equal(ops->close(ops->ctx, s), C9_ERR_BADF);

    /* Radio off: disconnected, sockets closed, scans and joins refused. */
    assert_int_equal(ops->open(ops->ctx, C9_NET_AF_INET, C9_NET_SOCK_DGRAM, 0, &s), C9_OK);
    assert_int_equal(c9_port_wifi_enable(false), C9_OK);
    assert_false(c9_port_wifi_enabled());
    assert_int_equal(c9_host_net_sockets_open(), 0);
    assert_int_equal(c9_port_wifi_station(NULL, NULL), C9_ERR_NOTCONN);
    assert_int_equal(c9_port_wifi_scan(1, 11, aps, 4, &n), C9_ERR_WIFI_DISABLED);
    assert_int_equal(
        c9_port_wifi_connect((const uint8_t *)"HomeNet", 7, (const uint8_t *)"secret-pass", 11, 0, NULL, 0),
        C9_ERR_WIFI_DISABLED);
    assert_int_equal(c9_port_wifi_enable(true), C9_OK);

    /* Without configuration: an open network called "circuit9" that takes any password. */
    c9_port_config_t plain = {.board = c9_board_find("tdisplay_s3")};
    assert_int_equal(c9_port_init(&plain), C9_OK);
    assert_int_equal(c9_port_wifi_connect((const uint8_t *)"circuit9", 8, (const uint8_t *)"anything", 8, 0, NULL, 0),
                     C9_OK);
    assert_int_equal(c9_port_wifi_station(&ap, NULL), C9_OK);
    assert_int_equal(ap.authmodes, C9_PORT_WIFI_AUTH_OPEN);
    assert_int_equal(c9_port_wifi_disconnect(), C9_OK);
}

/* A disk image as a block device: created at a size, written, opened again, read back; an MBR
 * in block 0 makes the device its first partition unless the whole file is asked for. */
static void test_disk_images(void **state) {
    (void)state;
    char path[] = "/tmp/c9_image_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    c9_port_image_t *img;
    c9_blockdev_t bd;
    assert_int_equal(c9_port_image_open(path, C9_PORT_IMAGE_CREATE, 8 * 512 + 100, &img, &bd), C9_OK);
    uint32_t blocks;
    assert_int_equal(c9_blockdev_count(&bd, &blocks), C9_OK);
    assert_int_equal(blocks, 8);
    uint8_t mbr[512];
    c9_mbr_build_single(mbr, 0x06, 2, 6);
    assert_int_equal(c9_blockdev_write(&bd, 0, mbr, 1), C9_OK);
    uint8_t block[512];
    memset(block, 0xA5, sizeof block);
    assert_int_equal(c9_blockdev_write(&bd, 2, block, 1), C9_OK);
    assert_int_equal(c9_port_image_close(img), C9_OK);

    assert_int_equal(c9_port_image_open(path, 0, 0, &img, &bd), C9_OK);
    assert_int_equal(c9_blockdev_count(&bd, &blocks), C9_OK);
    assert_int_equal(blocks, 6); /* the partition */
    uint8_t back[512];
    assert_int_equal(c9_blockdev_read(&bd, 0, back, 1), C9_OK);
    assert_memory_equal(back, block, 512);
    assert_int_equal(c9_blockdev_write(&bd, 0, back, 1), C9_ERR_PERM); /* opened read-only */
    assert_int_equal(c9_port_image_close(img), C9_OK);
    assert_int_equal(c9_port_image_open(path, C9_PORT_IMAGE_WHOLE, 0, &img, &bd), C9_OK);
    assert_int_equal(c9_blockdev_count(&bd, &blocks), C9_OK);
    assert_int_equal(blocks, 8);
    assert_int_equal(c9_port_image_close(img), C9_OK);
    unlink(path);
    assert_int_equal(c9_port_image_open(path, 0, 0, &img, &bd), C9_ERR_NOENT);
}

static void test_board_pins_and_builtin_panel(void **state) {
    (void)state;
    const c9_board_t *b = c9_board_find("samd21_oled");
    assert_non_null(b);
    c9_port_config_t cfg = {.board = b};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    assert_ptr_equal(c9_port_board(), b);
    for (size_t i = 0; i < b->pin_count; i++) {
        assert_true(c9_port_pin_find(b->pins[i].mcu_pin) >= 0); /* PA08 and friends exist now */
    }
    /* The built-in OLED is wired, first among the port's panels, and what a screenshot shows
     * until a program configures another display. */
    c9_vpanel_t *oled = c9_host_panel_at(0);
    assert_non_null(oled);
    assert_false(c9_host_panel_is_breakout(oled));
    assert_string_equal(c9_vpanel_config(oled)->controller, "SSD1306");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pins_have_names_and_owners),
        cmocka_unit_test(test_digital_levels_follow_direction_pull_and_outside),
        cmocka_unit_test(test_gpio_table_drives_configured_outputs),
        cmocka_unit_test(test_analog_in_scales_to_16_bits),
        cmocka_unit_test(test_analog_out_and_pwm_show_on_the_pin),
        cmocka_unit_test(test_one_clock),
        cmocka_unit_test(test_spi_reaches_the_selected_sink_with_dc),
        cmocka_unit_test(test_spi_nine_bit_words),
        cmocka_unit_test(test_i2c_control_bytes_probe_and_read),
        cmocka_unit_test(test_parallel_bus),
        cmocka_unit_test(test_breakout_descriptions),
        cmocka_unit_test(test_breakout_stands_in_on_free_pins),
        cmocka_unit_test(test_i2c_breakout_answers_the_probe),
        cmocka_unit_test(test_panel_feed_and_reset_through_wires),
        cmocka_unit_test(test_drive_is_a_directory),
        cmocka_unit_test(test_nvm_kept_beside_the_drive),
        cmocka_unit_test(test_uart_on_a_pseudo_terminal),
        cmocka_unit_test(test_cdc_channel_on_a_pseudo_terminal),
        cmocka_unit_test(test_tables_registered_elsewhere),
        cmocka_unit_test(test_wifi_station),
        cmocka_unit_test(test_disk_images),
        cmocka_unit_test(test_board_pins_and_builtin_panel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
