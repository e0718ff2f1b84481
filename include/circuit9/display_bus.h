/*
 * circuit9 display buses: FourWire (SPI + D/C), ParallelBus (8080 style, 8 or 16 data lines)
 * and I2CDisplayBus, written against a small hardware interface (c9_hal_*) so that one
 * implementation serves a microcontroller port and the host's virtual board alike. Each
 * yields a c9_display_bus_t for c9_display_init().
 *
 *     c9_fourwire_t fw = {.spi = my_spi, .gpio = my_gpio, .dc = 5, .cs = 6, .reset = -1,
 *                         .baudrate = 24000000, .clock = my_clock};
 *     c9_display_config_t cfg; c9_display_config_defaults(&cfg);
 *     cfg.bus = c9_fourwire_bus(&fw);
 *
 * Pins are port numbers, -1 for none. FourWire without a D/C pin (dc = -1) sends 9-bit words
 * (a D/C bit before each byte) packed MSB first into bytes, and toggles chip select after a
 * send whose bit count is not a multiple of 8 so the panel drops the padding.
 *
 * Errors: C9_ERR_BUSY (the SPI/I2C bus is locked by someone else), C9_ERR_NOSYS (reset without a
 * reset pin), C9_ERR_IO (the HAL failed), C9_ERR_NODEV (I2C device did not acknowledge).
 */
#ifndef CIRCUIT9_DISPLAY_BUS_H
#define CIRCUIT9_DISPLAY_BUS_H

#include "circuit9/display.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct c9_hal_gpio {
    void (*write)(void *ctx, int pin, bool level);
    void *ctx;
} c9_hal_gpio_t;

typedef struct c9_hal_spi {
    bool (*try_lock)(void *ctx);
    void (*unlock)(void *ctx);
    c9_err_t (*configure)(void *ctx, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits);
    c9_err_t (*write)(void *ctx, const uint8_t *data, size_t len);
    void *ctx;
} c9_hal_spi_t;

typedef struct c9_hal_i2c {
    bool (*try_lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* One transaction: start, address+W, data, stop. C9_ERR_NODEV on a NACK. */
    c9_err_t (*write)(void *ctx, uint8_t address, const uint8_t *data, size_t len);
    void *ctx;
} c9_hal_i2c_t;

/* Data lines plus the WR strobe: 8-bit buses strobe once per byte, 16-bit buses once per two bytes
 * of data (the first on D15..D8) and once per command byte (on D7..D0). */
typedef struct c9_hal_parallel {
    c9_err_t (*write)(void *ctx, bool command, const uint8_t *data, size_t len);
    void *ctx;
} c9_hal_parallel_t;

typedef struct c9_fourwire {
    c9_hal_spi_t spi;
    c9_hal_gpio_t gpio;
    int dc, cs, reset; /* -1: not connected */
    uint32_t baudrate;
    uint8_t polarity, phase;
    c9_clock_t clock;
} c9_fourwire_t;
c9_display_bus_t c9_fourwire_bus(c9_fourwire_t *fw);
/* FourWire.send(): one transaction with a command byte and its data. */
c9_err_t c9_fourwire_send(c9_fourwire_t *fw, uint8_t command, const uint8_t *data, size_t len, bool toggle_every_byte);

typedef struct c9_parallelbus {
    c9_hal_parallel_t port;
    c9_hal_gpio_t gpio;
    int dc, cs, write, read, reset;
    uint8_t width; /* 8 or 16 data lines */
    uint32_t frequency;
    c9_clock_t clock;
} c9_parallelbus_t;
c9_display_bus_t c9_parallelbus_bus(c9_parallelbus_t *pb);
c9_err_t c9_parallelbus_send(c9_parallelbus_t *pb, uint8_t command, const uint8_t *data, size_t len);

typedef struct c9_i2cdisplaybus {
    c9_hal_i2c_t i2c;
    c9_hal_gpio_t gpio;
    uint8_t address;
    int reset;
    c9_clock_t clock;
} c9_i2cdisplaybus_t;
c9_display_bus_t c9_i2cdisplaybus_bus(c9_i2cdisplaybus_t *b);
c9_err_t c9_i2cdisplaybus_send(c9_i2cdisplaybus_t *b, uint8_t command, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_DISPLAY_BUS_H */
