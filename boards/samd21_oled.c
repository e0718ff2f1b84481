/* A small SAMD21-class board: 32 KB of RAM and a 128x64 SSD1306 OLED on I2C. Its tight memory
 * budget is the point: programs that fit here fit a real M0 board. It is a Feather M0 Express
 * with the OLED FeatherWing: that Feather's pins and LEDs, the wing's buttons. */
#include "circuit9/board.h"

/* adafruit_displayio_ssd1306's power-up for a 128x64 panel: display off, horizontal addressing,
 * contrast, segment remap, normal display, COM scan, mux 1/64, clock, precharge, COM pins,
 * VCOM, charge pump, display on. Every byte is a command (data_as_commands). */
static const uint8_t init_seq[] = {
    0xAE, 0x00, 0x20, 0x01, 0x00, 0x81, 0x01, 0xCF, 0xA1, 0x00, 0xA6, 0x00, 0xC8, 0x00, 0xA8, 0x01, 0x3F,
    0xD5, 0x01, 0x80, 0xD9, 0x01, 0xF1, 0xDA, 0x01, 0x12, 0xDB, 0x01, 0x40, 0x8D, 0x01, 0x14, 0xAF, 0x00,
};

/* The Feather M0 Express's pins.c, in that order (this board is that Feather with the 128x64
 * OLED FeatherWing, whose buttons A, B and C are on D9, D6 and D5). */
static const c9_board_pin_t pins[] = {
    {"A0", "PA02"},
    {"A1", "PB08"},
    {"A2", "PB09"},
    {"A3", "PA04"},
    {"A4", "PA05"},
    {"A5", "PB02"},
    {"SCK", "PB11"},
    {"MOSI", "PB10"},
    {"MISO", "PA12"},
    {"D0", "PA11"},
    {"RX", "PA11"},
    {"D1", "PA10"},
    {"TX", "PA10"},
    {"SDA", "PA22"},
    {"SCL", "PA23"},
    {"D5", "PA15"},
    {"D6", "PA20"},
    {"D9", "PA07"},
    {"VOLTAGE_MONITOR", "PA07"},
    {"BATTERY", "PA07"},
    {"D10", "PA18"},
    {"D11", "PA16"},
    {"D12", "PA19"},
    {"LED", "PA17"},
    {"D13", "PA17"},
    {"NEOPIXEL", "PA06"},
};

static const c9_board_display_t display = {
    .bus = C9_BOARD_BUS_I2C,
    .controller = "SSD1306",
    .panel_width = 128,
    .panel_height = 64,
    .scl = "SCL",
    .sda = "SDA",
    .i2c_address = 0x3C,
    .frequency = 400000,
    .width = 128,
    .height = 64,
    .color_depth = 1,
    .grayscale = true,
    .set_column_command = 0x21,
    .set_row_command = 0x22,
    .write_ram_command = 0x2C, /* BusDisplay default; not sent when data_as_commands */
    .brightness_command = 0x81,
    .single_byte_bounds = true,
    .data_as_commands = true,
    .init_sequence = init_seq,
    .init_sequence_len = sizeof init_seq,
};

/* The built-in modules of CircuitPython 9.2.9's SAMD21 builds that drive displays (this list is
 * feather_m0_express's; docs/modules.md says how it was made). */
static const char *const modules[] = {
    "__future__",
    "adafruit_pixelbuf",
    "analogio",
    "array",
    "audiobusio",
    "audiocore",
    "audioio",
    "board",
    "builtins",
    "busdisplay",
    "busio",
    "codeop",
    "collections",
    "digitalio",
    "displayio",
    "epaperdisplay",
    "errno",
    "fontio",
    "fourwire",
    "gc",
    "i2cdisplaybus",
    "locale",
    "math",
    "microcontroller",
    "micropython",
    "neopixel_write",
    "nvm",
    "onewireio",
    "os",
    "paralleldisplay",
    "paralleldisplaybus",
    "pulseio",
    "pwmio",
    "random",
    "rotaryio",
    "rtc",
    "storage",
    "struct",
    "supervisor",
    "sys",
    "terminalio",
    "time",
    "touchio",
    "usb_cdc",
    "usb_hid",
    "usb_midi",
    "warnings",
    NULL,
};

static const c9_board_led_t leds[] = {
    {.pin = "NEOPIXEL", .kind = C9_BOARD_LED_NEOPIXEL, .order = "GRB", .count = 1},
    {.pin = "LED", .kind = C9_BOARD_LED_PLAIN, .color = 0xFF2000},
};

/* The OLED FeatherWing's buttons short to ground; B has a 100K pull-up on the wing, A and C need
 * the pin's own. */
static const c9_board_button_t buttons[] = {
    {"D9", "A", false, false},
    {"D6", "B", false, true},
    {"D5", "C", false, false},
};

const c9_board_t c9_board_samd21_oled = {
    .name = "samd21_oled",
    .board_id = "circuit9_samd21_oled",
    .description = "circuit9 SAMD21 OLED",
    .mcu = "samd21g18",
    .mcu_family = "samd21",
    .cpu_frequency = 48000000,
    .sram_bytes = 32 * 1024,
    .psram_bytes = 0,
    .uid = {0xC9, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01},
    .uid_len = 8,
    .pins = pins,
    .pin_count = C9_ARRAY_SIZE(pins),
    .spi_clock = "SCK",
    .spi_mosi = "MOSI",
    .spi_miso = "MISO",
    .i2c_scl = "SCL",
    .i2c_sda = "SDA",
    .uart_tx = "TX",
    .uart_rx = "RX",
    .display = &display,
    .platform = "Atmel SAMD21",
    .modules = modules,
    .bus_objects = C9_BOARD_HAS_SPI | C9_BOARD_HAS_I2C | C9_BOARD_HAS_UART, /* as its pins.c lists them */
    .leds = leds,
    .led_count = C9_ARRAY_SIZE(leds),
    .buttons = buttons,
    .button_count = C9_ARRAY_SIZE(buttons),
};
