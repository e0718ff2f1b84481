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

/* An LED on the board, for the window and the --state report. */
typedef enum c9_board_led_kind {
    C9_BOARD_LED_PLAIN = 0,    /* one colour, on while its pin is high */
    C9_BOARD_LED_NEOPIXEL = 1, /* a chain of WS2812-style LEDs on a data pin (neopixel_write) */
} c9_board_led_kind_t;

typedef struct c9_board_led {
    const char *pin;   /* board pin name: the LED's (LED) or the chain's data line (NEOPIXEL) */
    uint8_t kind;      /* c9_board_led_kind_t */
    const char *order; /* NEOPIXEL: colour order of the LEDs ("GRB"), see pixel.h */
    uint16_t count;    /* NEOPIXEL: LEDs in the chain */
    const char *power; /* board pin that powers the LEDs (NEOPIXEL_POWER) or NULL */
    uint32_t color;    /* PLAIN: the LED's colour, 0xRRGGBB */
} c9_board_led_t;

/* A push button on the board. */
typedef struct c9_board_button {
    const char *pin;    /* board pin name */
    const char *label;  /* as printed on the board ("BOOT") */
    bool pressed_level; /* the level the pin reads while pressed (false: the button shorts to ground) */
    bool pulled;        /* the board has a resistor holding the pin at the released level */
} c9_board_button_t;

/* c9_board_t.bus_objects */
enum {
    C9_BOARD_HAS_SPI = 1,        /* board.SPI() */
    C9_BOARD_HAS_I2C = 2,        /* board.I2C() */
    C9_BOARD_HAS_STEMMA_I2C = 4, /* board.STEMMA_I2C(), the same bus as board.I2C's pins */
    C9_BOARD_HAS_UART = 8,       /* board.UART() */
};

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
    /* Which bus objects the board module has (C9_BOARD_HAS_*), as the board's pins.c lists them:
     * a Pico has only board.STEMMA_I2C, a T-Display S3 none, though their pins are known. */
    uint8_t bus_objects;
    const c9_board_display_t *display; /* NULL: no built-in display */
    /* USB host ports usb_host.Port can start (0: the board's build has no usb_host). When dp and
     * dm name board pins, the board starts that port itself at power-on (its board_init() does,
     * as the Feather RP2040 USB Host's), so devices are there before boot.py; otherwise a
     * program starts one with usb_host.Port on pins the port accepts. usb_host_power names the
     * pin that switches the socket's 5 V, driven high from reset (NULL: none). */
    uint8_t usb_host_ports;
    const char *usb_host_dp, *usb_host_dm;
    const char *platform; /* sys.platform: "Espressif", "Atmel SAMD21" */
    const char *usb_host_power;
    /* The modules CircuitPython 9.2.9 builds in for this board, NULL-terminated: what `import X` may
     * find before the drive is searched. circuit9 offers the ones it implements; the others raise
     * ImportError as a module the board lacks does. */
    const char *const *modules;
    /* The board's LEDs and buttons (NULL/0: none), in the order the window shows them. */
    const c9_board_led_t *leds;
    size_t led_count;
    const c9_board_button_t *buttons;
    size_t button_count;
    /* Sockets the board's network stack has at once (lwIP's CONFIG_LWIP_MAX_SOCKETS, 8 in
     * CircuitPython's Espressif builds); 0 for a board without a network. */
    uint8_t net_sockets;
    /* The SD card slot: the board pin name of its chip select, the card on the board's SPI bus
     * (spi_clock, spi_mosi, spi_miso); NULL: no slot. */
    const char *sd_cs;
    /* A 4-wire resistive touchscreen over the display: board pin names of the X plate's ends and
     * the Y plate's (x-, x+, y-, y+: adafruit_touchscreen's x1, x2, y1, y2); NULL: none. */
    const char *touch_x1, *touch_x2, *touch_y1, *touch_y2;
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
/* The first board name of an MCU pin in the table's order ("LED" for GPIO13 on the Feather, which
 * pins.c lists before "D13"): the name CircuitPython prints for a board pin. NULL when no board
 * name is wired to it. */
const char *c9_board_pin_name(const c9_board_t *board, const char *mcu_pin);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_BOARD_H */
