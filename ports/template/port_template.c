/*
 * A port that does nothing yet: every function of the port contract (include/circuit9/port.h)
 * answers C9_ERR_NOSYS or its "nothing here" value, with a comment saying what a real port does
 * there. Copy this directory to ports/<yours>/, fill the functions in one section at a time, and
 * the bindings and the supervisor run on your machine without a change; docs/port.md walks
 * through it for a Linux single-board computer.
 *
 * This file includes no OS header, so it also builds for a bare microcontroller (the build checks
 * it with arm-none-eabi-gcc for a Cortex-M0+ when that compiler is installed).
 */
#include "circuit9/port.h"

/* ---- machine ----------------------------------------------------------------------------------- */

static c9_port_config_t config;

c9_err_t c9_port_init(const c9_port_config_t *cfg) {
    /* Check that cfg->board is this machine (its name or board_id), set the clocks and the pin
     * multiplexer to their reset state, locate the drive (cfg->drive; drive_image and sd_image
     * are the virtual board's), and remember the options the port cares about. */
    if (cfg) {
        config = *cfg;
    }
    return C9_ERR_NOSYS;
}

const c9_board_t *c9_port_board(void) {
    /* The board this machine is: usually a constant table in boards/ (never NULL). */
    return config.board ? config.board : c9_board_default();
}

void c9_port_background(void) {
    /* Service what the machine needs while user code runs: a USB device stack's task, a
     * watchdog, a display's tearing signal. */
}

void c9_port_idle(uint64_t max_ns) {
    /* Sleep until the next interrupt or max_ns (WFI with a timer on a microcontroller,
     * nanosleep on Linux, where signals end it early). Returning at once is allowed. */
    (void)max_ns;
}

/* ---- clock ------------------------------------------------------------------------------------- */

uint64_t c9_port_now_ns(void) {
    /* A free-running timer since reset, extended to 64 bits (SysTick or a 32-bit timer with an
     * overflow count; CLOCK_MONOTONIC on Linux minus its value at start-up). Must never be 0:
     * return at least 1. */
    return 1;
}

void c9_port_delay_ms(uint32_t ms) {
    /* Busy-wait or sleep for ms milliseconds on the clock above. */
    (void)ms;
}

static uint64_t clock_now_ms(void *ctx) {
    (void)ctx;
    return c9_port_now_ns() / 1000000u;
}

static void clock_delay_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    c9_port_delay_ms(ms);
}

c9_clock_t c9_port_clock(void) {
    /* Usually exactly this: the cores' view of the two functions above. */
    return (c9_clock_t){clock_now_ms, clock_delay_ms, NULL};
}

c9_err_t c9_port_rtc_get(int64_t *seconds) {
    /* Read the real-time clock (an RTC peripheral kept by a battery, or CLOCK_REALTIME). */
    (void)seconds;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_rtc_calibration_range(int *min, int *max) {
    /* The correction register's range, where the RTC has one (SAMD FREQCORR: -127..127). */
    (void)min;
    (void)max;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_rtc_calibration_get(int *value) {
    /* Read the correction register back. */
    (void)value;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_rtc_calibration_set(int value) {
    /* Write the correction register (sign and magnitude on a SAMD). */
    (void)value;
    return C9_ERR_NOSYS;
}

/* ---- pins -------------------------------------------------------------------------------------- */

int c9_port_pin_count(void) {
    /* How many pins the microcontroller has, numbered as this port likes (GPIO numbers, or
     * port * 32 + bit). */
    return 0;
}

const char *c9_port_pin_name(int pin) {
    /* The microcontroller's name for the pin ("GPIO5", "PA08"), matching the mcu_pin names of the
     * board table. */
    (void)pin;
    return "";
}

int c9_port_pin_find(const char *name) {
    /* The reverse of c9_port_pin_name. */
    (void)name;
    return -1;
}

c9_err_t c9_port_pin_claim(int pin) {
    /* Mark the pin taken in a bit set; C9_ERR_BUSY when it already is. */
    (void)pin;
    return C9_ERR_NOSYS;
}

void c9_port_pin_release(int pin) {
    /* Clear the bit and put the pin back to its reset state (input, no pull). */
    (void)pin;
}

bool c9_port_pin_in_use(int pin) {
    (void)pin;
    return false;
}

c9_err_t c9_port_pin_input(int pin, c9_port_pull_t pull) {
    /* Direction register to input, pull-up/-down enables as asked. */
    (void)pin;
    (void)pull;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_pin_output(int pin, bool level, c9_port_drive_t drive) {
    /* Output latch to level first (no glitch), then direction to output, open-drain if asked. */
    (void)pin;
    (void)level;
    (void)drive;
    return C9_ERR_NOSYS;
}

void c9_port_pin_write(int pin, bool level) {
    /* Set or clear the output latch (a set/clear register where the chip has one). */
    (void)pin;
    (void)level;
}

bool c9_port_pin_read(int pin) {
    /* The input data register's bit. */
    (void)pin;
    return false;
}

static void gpio_write(void *ctx, int pin, bool level) {
    (void)ctx;
    c9_port_pin_write(pin, level);
}

c9_hal_gpio_t c9_port_gpio(void) {
    return (c9_hal_gpio_t){gpio_write, NULL};
}

void c9_port_program_start(void) {
    /* Nothing: real hardware has no schedule of simulated inputs. */
}

/* ---- pins the port counts or senses ------------------------------------------------------------- */

c9_err_t c9_port_counter_open(int pin, uint8_t edge, c9_port_pull_t pull) {
    /* Route the pin to a pulse counter (or a timer's external clock input, or an edge interrupt
     * that counts), counting rising, falling or both edges; set the pull. */
    (void)pin;
    (void)edge;
    (void)pull;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_counter_get(int pin, int64_t *count) {
    /* The counter's value plus the overflows the port accumulated. */
    (void)pin;
    (void)count;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_counter_set(int pin, int64_t count) {
    (void)pin;
    (void)count;
    return C9_ERR_NOSYS;
}

void c9_port_counter_close(int pin) {
    (void)pin;
}

c9_err_t c9_port_encoder_open(int pin_a, int pin_b, int32_t divisor) {
    /* A quadrature counter peripheral when the chip has one; otherwise pin-change interrupts on
     * both pins feeding rotary.h's software decoder. */
    (void)pin_a;
    (void)pin_b;
    (void)divisor;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_encoder_position(int pin_a, int32_t *position) {
    (void)pin_a;
    (void)position;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_encoder_set_position(int pin_a, int32_t position) {
    (void)pin_a;
    (void)position;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_encoder_set_divisor(int pin_a, int32_t divisor) {
    (void)pin_a;
    (void)divisor;
    return C9_ERR_NOSYS;
}

void c9_port_encoder_close(int pin_a) {
    (void)pin_a;
}

c9_err_t c9_port_touch_open(int pin, uint16_t *threshold) {
    /* The touch controller's channel for the pin (C9_ERR_NOTSUP if none), or CircuitPython's
     * software touch (charge the pad, count while a 1 MOhm pull-down drains it); threshold a
     * little above a first reading. */
    (void)pin;
    (void)threshold;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_touch_read(int pin, uint16_t *raw) {
    (void)pin;
    (void)raw;
    return C9_ERR_NOSYS;
}

void c9_port_touch_close(int pin) {
    (void)pin;
}

c9_err_t c9_port_neopixel_write(int pin, const uint8_t *data, size_t len) {
    /* Send the bits with WS2812 timing (an RMT or PIO channel, or an SPI peripheral with
     * pixel.h's c9_ws2812_spi_encode), then hold the line low for the latch. */
    (void)pin;
    (void)data;
    (void)len;
    return C9_ERR_NOSYS;
}

/* ---- analog in and out ------------------------------------------------------------------------- */

c9_err_t c9_port_analog_in_open(int pin) {
    /* Find the ADC channel wired to the pin (C9_ERR_NOTSUP if none), switch the pin to analog. */
    (void)pin;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_analog_in_read(int pin, uint16_t *value) {
    /* Start a conversion, wait for it, scale the ADC's bits up to 16 (a 12-bit result r becomes
     * r << 4 | r >> 8, so full scale is 65535). */
    (void)pin;
    (void)value;
    return C9_ERR_NOSYS;
}

uint32_t c9_port_analog_in_reference_mv(int pin) {
    /* The ADC's reference in millivolts (3300 on most boards). */
    (void)pin;
    return 0;
}

void c9_port_analog_in_close(int pin) {
    (void)pin;
}

c9_err_t c9_port_analog_out_open(int pin) {
    /* Enable the DAC channel of the pin (C9_ERR_NOTSUP if the pin has none). */
    (void)pin;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_analog_out_write(int pin, uint16_t value) {
    /* Write value scaled down to the DAC's bits (value >> 4 for a 12-bit DAC). */
    (void)pin;
    (void)value;
    return C9_ERR_NOSYS;
}

uint32_t c9_port_analog_out_millivolts(int pin) {
    /* The DAC's value times its reference: what it puts out. */
    (void)pin;
    return 0;
}

void c9_port_analog_out_close(int pin) {
    (void)pin;
}

/* ---- PWM --------------------------------------------------------------------------------------- */

c9_err_t c9_port_pwm_open(int pin, uint32_t frequency, uint16_t duty, bool variable_frequency, uint32_t *actual) {
    /* Find a timer channel on the pin; share a timer already running at this frequency unless
     * variable_frequency asks for one of its own (C9_ERR_BUSY when none is left); pick the
     * prescaler and top value closest to frequency and report what that gives in *actual. */
    (void)pin;
    (void)frequency;
    (void)duty;
    (void)variable_frequency;
    (void)actual;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_pwm_set_duty(int pin, uint16_t duty) {
    /* Compare value = duty * (top + 1) / 65536. */
    (void)pin;
    (void)duty;
    return C9_ERR_NOSYS;
}

uint16_t c9_port_pwm_duty(int pin) {
    /* The compare value scaled back to 16 bits (the resolution the timer has at its frequency). */
    (void)pin;
    return 0;
}

uint32_t c9_port_pwm_frequency(int pin) {
    /* Clock / prescaler / (top + 1). */
    (void)pin;
    return 0;
}

c9_err_t c9_port_pwm_set_frequency(int pin, uint32_t frequency, uint32_t *actual) {
    /* C9_ERR_PERM unless opened with variable_frequency; new prescaler and top, same duty. */
    (void)pin;
    (void)frequency;
    (void)actual;
    return C9_ERR_NOSYS;
}

void c9_port_pwm_close(int pin) {
    /* Stop the channel; free the timer when its last channel goes. */
    (void)pin;
}

/* ---- SPI --------------------------------------------------------------------------------------- */

struct c9_port_spi {
    int unused; /* a real port: the controller's registers or file descriptor, the lock, the mode */
};

c9_err_t c9_port_spi_open(int clock, int mosi, int miso, c9_port_spi_t **out) {
    /* Find a free SPI controller whose pin multiplexer reaches these pins (C9_ERR_NOTSUP
     * otherwise), route the pins, start at 250 kHz mode 0, hand out a handle from a static pool. */
    (void)clock;
    (void)mosi;
    (void)miso;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_spi_close(c9_port_spi_t *spi) {
    /* Disable the controller, give the pins back to GPIO, return the handle to the pool. */
    (void)spi;
}

bool c9_port_spi_try_lock(c9_port_spi_t *spi) {
    /* A flag in the handle, set atomically where interrupts use the bus too. */
    (void)spi;
    return false;
}

void c9_port_spi_unlock(c9_port_spi_t *spi) {
    (void)spi;
}

c9_err_t c9_port_spi_configure(c9_port_spi_t *spi, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits) {
    /* Clock divider for the highest rate not above baudrate; CPOL, CPHA, frame size. */
    (void)spi;
    (void)baudrate;
    (void)polarity;
    (void)phase;
    (void)bits;
    return C9_ERR_NOSYS;
}

uint32_t c9_port_spi_frequency(const c9_port_spi_t *spi) {
    /* The rate the divider really gives. */
    (void)spi;
    return 0;
}

c9_err_t c9_port_spi_write(c9_port_spi_t *spi, const uint8_t *data, size_t len) {
    /* DMA for long buffers, the FIFO for short ones; wait until the last bit is out. */
    (void)spi;
    (void)data;
    (void)len;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_spi_read(c9_port_spi_t *spi, uint8_t *data, size_t len, uint8_t write_value) {
    (void)spi;
    (void)data;
    (void)len;
    (void)write_value;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_spi_transfer(c9_port_spi_t *spi, const uint8_t *out, uint8_t *in, size_t len) {
    (void)spi;
    (void)out;
    (void)in;
    (void)len;
    return C9_ERR_NOSYS;
}

static bool hal_spi_try_lock(void *ctx) {
    return c9_port_spi_try_lock(ctx);
}

static void hal_spi_unlock(void *ctx) {
    c9_port_spi_unlock(ctx);
}

static c9_err_t hal_spi_configure(void *ctx, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits) {
    return c9_port_spi_configure(ctx, baudrate, polarity, phase, bits);
}

static c9_err_t hal_spi_write(void *ctx, const uint8_t *data, size_t len) {
    return c9_port_spi_write(ctx, data, len);
}

c9_hal_spi_t c9_port_spi_hal(c9_port_spi_t *spi) {
    /* Usually exactly this: the display cores call the functions above through it. */
    return (c9_hal_spi_t){hal_spi_try_lock, hal_spi_unlock, hal_spi_configure, hal_spi_write, spi};
}

c9_err_t c9_port_spi_stats(const c9_port_spi_t *spi, c9_port_bus_stats_t *out) {
    /* Real hardware does not watch its wires. */
    (void)spi;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_spi_reset_stats(c9_port_spi_t *spi) {
    (void)spi;
}

/* ---- I2C --------------------------------------------------------------------------------------- */

struct c9_port_i2c {
    int unused;
};

c9_err_t c9_port_i2c_open(int scl, int sda, uint32_t frequency, uint32_t timeout_us, c9_port_i2c_t **out) {
    /* Check the pull-ups first (pins as inputs without pulls must read high; C9_ERR_IO if not),
     * then route a free controller to the pins at frequency. */
    (void)scl;
    (void)sda;
    (void)frequency;
    (void)timeout_us;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_i2c_close(c9_port_i2c_t *i2c) {
    (void)i2c;
}

bool c9_port_i2c_try_lock(c9_port_i2c_t *i2c) {
    (void)i2c;
    return false;
}

void c9_port_i2c_unlock(c9_port_i2c_t *i2c) {
    (void)i2c;
}

c9_err_t c9_port_i2c_probe(c9_port_i2c_t *i2c, uint8_t address) {
    /* Start, address + write, look at the acknowledge, stop. */
    (void)i2c;
    (void)address;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_i2c_write(c9_port_i2c_t *i2c, uint8_t address, const uint8_t *data, size_t len, bool stop) {
    /* NACK on the address: C9_ERR_NODEV; on a data byte: C9_ERR_IO; no stop when stop is false. */
    (void)i2c;
    (void)address;
    (void)data;
    (void)len;
    (void)stop;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_i2c_read(c9_port_i2c_t *i2c, uint8_t address, uint8_t *data, size_t len) {
    (void)i2c;
    (void)address;
    (void)data;
    (void)len;
    return C9_ERR_NOSYS;
}

static bool hal_i2c_try_lock(void *ctx) {
    return c9_port_i2c_try_lock(ctx);
}

static void hal_i2c_unlock(void *ctx) {
    c9_port_i2c_unlock(ctx);
}

static c9_err_t hal_i2c_write(void *ctx, uint8_t address, const uint8_t *data, size_t len) {
    return c9_port_i2c_write(ctx, address, data, len, true);
}

c9_hal_i2c_t c9_port_i2c_hal(c9_port_i2c_t *i2c) {
    return (c9_hal_i2c_t){hal_i2c_try_lock, hal_i2c_unlock, hal_i2c_write, i2c};
}

c9_err_t c9_port_i2c_stats(const c9_port_i2c_t *i2c, c9_port_bus_stats_t *out) {
    (void)i2c;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_i2c_reset_stats(c9_port_i2c_t *i2c) {
    (void)i2c;
}

/* ---- 8080 parallel ----------------------------------------------------------------------------- */

struct c9_port_parallel {
    int unused;
};

c9_err_t c9_port_parallel_data_pins(int data0, int pins[8]) {
    /* data0 and the next seven GPIOs when data0 starts a byte of a GPIO port (fast writes to the
     * port's output register need that); C9_ERR_INVAL otherwise. */
    (void)data0;
    (void)pins;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_parallel_open(const int *data, int width, int chip_select, int command, int write, uint32_t frequency,
                               c9_port_parallel_t **out) {
    /* An i80/LCD peripheral (ESP32's LCD_CAM, RP2040's PIO) or GPIO writes to a port register. */
    (void)data;
    (void)width;
    (void)chip_select;
    (void)command;
    (void)write;
    (void)frequency;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_parallel_close(c9_port_parallel_t *bus) {
    (void)bus;
}

static c9_err_t par_write(void *ctx, bool command, const uint8_t *data, size_t len) {
    /* Put each byte (or 16-bit word of data) on the lines and pulse WR. */
    (void)ctx;
    (void)command;
    (void)data;
    (void)len;
    return C9_ERR_NOSYS;
}

c9_hal_parallel_t c9_port_parallel_hal(c9_port_parallel_t *bus) {
    return (c9_hal_parallel_t){par_write, bus};
}

c9_err_t c9_port_parallel_stats(const c9_port_parallel_t *bus, c9_port_bus_stats_t *out) {
    (void)bus;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_parallel_reset_stats(c9_port_parallel_t *bus) {
    (void)bus;
}

/* ---- UART -------------------------------------------------------------------------------------- */

struct c9_port_uart {
    int unused;
};

c9_err_t c9_port_uart_open(const c9_port_uart_config_t *cfg, c9_port_uart_t **out) {
    /* Route a free UART to the pins, set the frame format and rate, start receiving into a ring
     * buffer of cfg->receiver_buffer_size from the receive interrupt or DMA. */
    (void)cfg;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_uart_close(c9_port_uart_t *uart) {
    (void)uart;
}

c9_err_t c9_port_uart_write(c9_port_uart_t *uart, const uint8_t *data, size_t len) {
    (void)uart;
    (void)data;
    (void)len;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_uart_read(c9_port_uart_t *uart, uint8_t *data, size_t len, size_t *got) {
    /* Take bytes from the ring buffer, idling (c9_port_idle) until len arrived or the timeout. */
    (void)uart;
    (void)data;
    (void)len;
    *got = 0;
    return C9_ERR_NOSYS;
}

size_t c9_port_uart_in_waiting(c9_port_uart_t *uart) {
    (void)uart;
    return 0;
}

void c9_port_uart_clear_rx(c9_port_uart_t *uart) {
    (void)uart;
}

c9_err_t c9_port_uart_set_baudrate(c9_port_uart_t *uart, uint32_t baudrate) {
    (void)uart;
    (void)baudrate;
    return C9_ERR_NOSYS;
}

uint32_t c9_port_uart_baudrate(const c9_port_uart_t *uart) {
    (void)uart;
    return 0;
}

void c9_port_uart_set_timeout(c9_port_uart_t *uart, uint32_t timeout_ms) {
    (void)uart;
    (void)timeout_ms;
}

/* ---- USB CDC serial channels ------------------------------------------------------------------- */

struct c9_port_cdc {
    int unused;
};

c9_err_t c9_port_cdc_open(unsigned index, const char *name, c9_port_cdc_t **out) {
    /* With TinyUSB: the CDC interface `index` of the descriptor built after boot.py (tud_cdc_n_*). */
    (void)index;
    (void)name;
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_cdc_close(c9_port_cdc_t *cdc) {
    (void)cdc;
}

c9_err_t c9_port_cdc_read(c9_port_cdc_t *cdc, uint8_t *data, size_t len, uint32_t wait_ms, size_t *got) {
    /* tud_cdc_n_read, idling (c9_port_idle) up to wait_ms while the FIFO is empty. */
    (void)cdc;
    (void)data;
    (void)len;
    (void)wait_ms;
    *got = 0;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_cdc_write(c9_port_cdc_t *cdc, const uint8_t *data, size_t len, uint32_t wait_ms, size_t *done) {
    /* tud_cdc_n_write + tud_cdc_n_write_flush, idling up to wait_ms while the FIFO is full. */
    (void)cdc;
    (void)data;
    (void)len;
    (void)wait_ms;
    *done = 0;
    return C9_ERR_NOSYS;
}

size_t c9_port_cdc_in_waiting(c9_port_cdc_t *cdc) {
    (void)cdc;
    return 0;
}

size_t c9_port_cdc_out_waiting(c9_port_cdc_t *cdc) {
    (void)cdc;
    return 0;
}

void c9_port_cdc_clear_rx(c9_port_cdc_t *cdc) {
    (void)cdc;
}

void c9_port_cdc_clear_tx(c9_port_cdc_t *cdc) {
    (void)cdc;
}

bool c9_port_cdc_connected(c9_port_cdc_t *cdc) {
    (void)cdc;
    return false;
}

/* ---- display panels ---------------------------------------------------------------------------- */

c9_err_t c9_port_panel_connect(const c9_port_wiring_t *wiring) {
    /* Real glass is wired in copper: nothing to do. A port with a display that needs power or a
     * tearing-effect line set up first does it here. */
    (void)wiring;
    return C9_OK;
}

c9_err_t c9_port_panel_configure(const c9_port_wiring_t *wiring, const c9_port_panel_desc_t *desc) {
    (void)wiring;
    (void)desc;
    return C9_OK;
}

void c9_port_panel_disconnect(const c9_port_wiring_t *wiring) {
    (void)wiring;
}

c9_err_t c9_port_panel_screenshot(const char *path) {
    /* The glass cannot be read back; a port that keeps a copy of the frame could write it. */
    (void)path;
    return C9_ERR_NOSYS;
}

/* ---- the drive's file system ------------------------------------------------------------------- */

const c9_port_fs_t *c9_port_drive(void) {
    /* A table over the machine's drive when it is a directory of an operating system (the POSIX
     * calls under it, see ports/host/drive.c). A microcontroller returns NULL and offers its
     * flash as block device "CIRCUITPY" instead: the runtime mounts the FAT volume there. */
    return NULL;
}

const c9_port_fs_t *c9_port_host_fs(void) {
    /* The operating system's own file tree (ports/host/drive.c on Linux); a bare
     * microcontroller has none. */
    return NULL;
}

/* ---- USB host, sockets, block devices ---------------------------------------------------------- */

c9_err_t c9_port_usb_host(int dp, int dm, const struct c9_usb_hcd_ops **ops, void **ctx, uint8_t *rhport) {
    /* The controller driver (a MAX3421E over SPI, PIO-USB, the chip's own host controller) whose
     * root port has these D+/D- pins, and its TinyUSB root port number. */
    (void)dp;
    (void)dm;
    (void)ops;
    (void)ctx;
    (void)rhport;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_net_sockets(const struct c9_net_socket_ops **out) {
    /* A table over the network stack (lwIP's sockets on a microcontroller, POSIX on Linux). */
    (void)out;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_net_tls(const struct c9_net_tls_ops **out) {
    /* A table over the TLS library (mbedTLS) that wraps the sockets above. */
    (void)out;
    return C9_ERR_NOSYS;
}

void c9_port_net_reset(void) {
    /* Close every socket of the tables above: lwIP's sockets the program opened. */
}

/* ---- network interface ------------------------------------------------------------------------- */

c9_err_t c9_port_wifi_mac(uint8_t mac[6]) {
    /* The station interface's address (esp_wifi_get_mac, cyw43_wifi_get_mac). */
    (void)mac;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_wifi_enable(bool on) {
    /* Start or stop the radio (esp_wifi_start/stop); stopping closes the sockets. */
    (void)on;
    return C9_ERR_NOSYS;
}

bool c9_port_wifi_enabled(void) {
    return false;
}

c9_err_t c9_port_wifi_scan(uint8_t first, uint8_t last, c9_port_wifi_ap_t *out, size_t max, size_t *count) {
    /* A scan of the channels first..last, results sorted by signal strength. */
    (void)first;
    (void)last;
    (void)out;
    (void)max;
    *count = 0;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_wifi_connect(const uint8_t *ssid, size_t ssid_len, const uint8_t *password, size_t password_len,
                              uint8_t channel, const uint8_t *bssid, uint32_t timeout_ms) {
    /* Associate and wait for DHCP, mapping the driver's disconnect reasons to C9_ERR_WIFI_*. */
    (void)ssid;
    (void)ssid_len;
    (void)password;
    (void)password_len;
    (void)channel;
    (void)bssid;
    (void)timeout_ms;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_wifi_disconnect(void) {
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_wifi_station(c9_port_wifi_ap_t *ap, c9_port_wifi_ipv4_t *ip) {
    /* The associated access point's record and the interface's address, mask, gateway, DNS. */
    (void)ap;
    (void)ip;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_wifi_set_dns(const uint8_t dns[4]) {
    (void)dns;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_net_ping(const struct c9_net_addr *to, uint32_t timeout_ms, uint32_t *rtt_ms) {
    /* One ICMP echo (lwIP's ping, esp_ping). */
    (void)to;
    (void)timeout_ms;
    (void)rtt_ms;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_blockdev(const char *name, const c9_blockdev_t **out) {
    /* "CIRCUITPY": the flash region the drive lives in; others as the machine has them. */
    (void)name;
    (void)out;
    return C9_ERR_NOENT;
}

c9_err_t c9_port_image_open(const char *path, unsigned flags, uint64_t create_bytes, c9_port_image_t **out,
                            c9_blockdev_t *bd) {
    /* With an operating system: open (or create and size) the file and give a block device over
     * it, the first MBR partition unless asked for the whole file (ports/host/fileblock.c). A bare
     * microcontroller has no files to open. */
    (void)path;
    (void)flags;
    (void)create_bytes;
    (void)out;
    (void)bd;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_image_close(c9_port_image_t *image) {
    (void)image;
    return C9_ERR_NOSYS;
}

/* ---- what a virtual board shows ---------------------------------------------------------------- */

c9_err_t c9_port_state_write(const char *path) {
    /* Real hardware's outputs are for a multimeter to read. */
    (void)path;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_board_screenshot(const char *path) {
    (void)path;
    return C9_ERR_NOSYS;
}

/* ---- audio output ------------------------------------------------------------------------------ */

c9_err_t c9_port_audio_open(const c9_port_audio_config_t *cfg, c9_port_audio_t **out) {
    /* Claim the peripheral the pins lead to (a PWM slice and a DMA channel paced at the sample
     * rate; an I2S unit or a PIO state machine running the I2S program), check the pins pair up
     * as the chip requires, and set a PWM output to its quiescent level. */
    (void)cfg;
    (void)out;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_audio_start(c9_port_audio_t *a, uint32_t sample_rate, const c9_audio_format_t *sample,
                             c9_audio_out_format_t *fmt) {
    /* Program the pacing timer or the I2S clocks for sample_rate and describe the values the
     * DMA writes: the PWM's counter width (10 bits at PWM_TOP 1023 on an RP2040), 16-bit stereo
     * for I2S, and which conversion the chip's DMA path does (audio.h). */
    (void)a;
    (void)sample_rate;
    (void)sample;
    (void)fmt;
    return C9_ERR_NOSYS;
}

size_t c9_port_audio_room(c9_port_audio_t *a) {
    /* Free frames in the DMA's ring of buffers. */
    (void)a;
    return 0;
}

c9_err_t c9_port_audio_write(c9_port_audio_t *a, const uint16_t *values, size_t count) {
    /* Copy into the DMA ring (values are the compare levels or the I2S words). */
    (void)a;
    (void)values;
    (void)count;
    return C9_ERR_NOSYS;
}

void c9_port_audio_close(c9_port_audio_t *a) {
    /* Stop the DMA, release the timer or the I2S unit. */
    (void)a;
}

/* ---- non-volatile memory ----------------------------------------------------------------------- */

size_t c9_port_nvm_size(void) {
    /* The flash (or EEPROM, or NVS blob) set aside for microcontroller.nvm; 0: none. */
    return 0;
}

c9_err_t c9_port_nvm_read(size_t offset, void *buf, size_t len) {
    /* Copy from the reserved flash region (memory-mapped on most chips). */
    (void)offset;
    (void)buf;
    (void)len;
    return C9_ERR_NOSYS;
}

c9_err_t c9_port_nvm_write(size_t offset, const void *buf, size_t len) {
    /* Read-modify-erase-write the flash rows the bytes fall in (a SAMD erases 256-byte rows), or
     * rewrite the NVS blob; return only once the bytes are stored. */
    (void)offset;
    (void)buf;
    (void)len;
    return C9_ERR_NOSYS;
}

/* ---- odds and ends ----------------------------------------------------------------------------- */

c9_err_t c9_port_random(void *buf, size_t len) {
    /* The chip's true random number generator (or getrandom() on Linux). */
    (void)buf;
    (void)len;
    return C9_ERR_NOSYS;
}
