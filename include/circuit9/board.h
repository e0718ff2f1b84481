/*
 * circuit9 virtual boards: what a CircuitPython board definition says, as data.
 *
 * A board is a name, an MCU, memory sizes, named pins, default bus pins, an optional built-in
 * display (bus, controller, pins, BusDisplay parameters and init sequence) and USB host ports.
 * The tables live in boards/<name>.c; the supervisor picks one by name and builds board.DISPLAY,
 * the memory budget and the banners from it. Nothing here allocates or touches the OS.
 *
 *     const c9_board_t *b = c9_board_find("memento");     // NULL if unknown
 *     for (size_t i = 0; i < b->pin_count; i++) use(b->pins[i].name, b->pins[i].mcu_pin);
 */
#ifndef CIRCUIT9_BOARD_H
#define CIRCUIT9_BOARD_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A board pin name ("D5", "TFT_CS") and the MCU pin it is wired to ("GPIO5", "PA08"). Several
 * board names may share an MCU pin. */
typedef struct c9_board_pin {
    const char *name;
    const char *mcu_pin;
} c9_board_pin_t;

typedef enum c9_board_bus_kind {
    C9_BOARD_BUS_NONE = 0,
    C9_BOARD_BUS_FOURWIRE = 1, /* SPI + data/command pin: fourwire.FourWire */
    C9_BOARD_BUS_PARALLEL = 2, /* 8-bit 8080 bus: paralleldisplaybus.ParallelBus */
    C9_BOARD_BUS_I2C = 3,      /* i2cdisplaybus.I2CDisplayBus */
} c9_board_bus_kind_t;

/* A built-in display. Pin fields hold board pin names (NULL when not wired). */
typedef struct c9_board_display {
    c9_board_bus_kind_t bus;
    const char *controller;             /* "ST7789", "SSD1306": what the virtual panel emulates */
    uint16_t panel_width, panel_height; /* controller RAM wired to glass, native orientation */
    /* bus pins */
    const char *clock, *mosi, *miso;           /* FOURWIRE */
    const char *data0, *write, *read;          /* PARALLEL (8 data pins from data0 up) */
    const char *scl, *sda;                     /* I2C */
    const char *command, *chip_select, *reset; /* FOURWIRE and PARALLEL; reset also I2C */
    uint8_t i2c_address;
    uint32_t frequency; /* bus baudrate / frequency in Hz */
    /* BusDisplay keyword arguments */
    uint16_t width, height;
    int16_t colstart, rowstart;
    uint16_t rotation;
    uint8_t color_depth;
    bool grayscale;
    bool pixels_in_byte_share_row;
    bool reverse_bytes_in_word;
    uint16_t set_column_command, set_row_command, write_ram_command;
    int16_t brightness_command; /* -1: none */
    bool single_byte_bounds;
    bool data_as_commands;
    const char *backlight; /* board pin name or NULL */
    const uint8_t *init_sequence;
    size_t init_sequence_len;
} c9_board_display_t;

typedef struct c9_board {
    const char *name;        /* --board NAME */
    const char *board_id;    /* board.board_id, "Board ID:" in boot_out.txt */
    const char *description; /* "Adafruit Camera" in "...; Adafruit Camera with ESP32S3" */
    const char *mcu;         /* "ESP32S3", "samd21g18" */
    const char *mcu_family;  /* os.uname().sysname / machine: "ESP32S3", "samd21" */
    uint32_t cpu_frequency;  /* Hz */
    uint32_t sram_bytes;     /* internal RAM the runtime may use */
    uint32_t psram_bytes;    /* external RAM (0 if none) */
    uint8_t uid[8];
    uint8_t uid_len;
    const c9_board_pin_t *pins;
    size_t pin_count;
    /* default buses (board.SPI(), board.I2C(), board.UART()): board pin names or NULL */
    const char *spi_clock, *spi_mosi, *spi_miso;
    const char *i2c_scl, *i2c_sda;
    const char *uart_tx, *uart_rx;
    const c9_board_display_t *display; /* NULL: no built-in display */
    uint8_t usb_host_ports;            /* USB host ports (usb_host.Port), 0 if none */
    const char *usb_host_dp, *usb_host_dm;
    const char *platform; /* sys.platform: "Espressif", "Atmel SAMD21" */
    /* The modules CircuitPython 9.2.9 builds in for this board, NULL-terminated: what `import X` may
     * find before the drive is searched. circuit9 offers the ones it implements; the others raise
     * ImportError as a module the board lacks does. */
    const char *const *modules;
    /* The SD card slot: the board pin name of its chip select, the card on the board's SPI bus
     * (spi_clock, spi_mosi, spi_miso); NULL: no slot. */
    const char *sd_cs;
} c9_board_t;

/* The boards compiled in, in a stable order; the first is the default. */
size_t c9_board_count(void);
const c9_board_t *c9_board_at(size_t index);
const c9_board_t *c9_board_default(void);
/* By name (exact) or board_id; NULL if none. */
const c9_board_t *c9_board_find(const char *name);
/* Whether CircuitPython builds module `name` in for this board (its `modules` list). */
bool c9_board_has_module(const c9_board_t *board, const char *name);
/* The board pin with this name, or NULL. */
const c9_board_pin_t *c9_board_pin(const c9_board_t *board, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_BOARD_H */
