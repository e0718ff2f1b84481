/* A small SAMD21-class board: 32 KB of RAM and a 128x64 SSD1306 OLED on I2C. Its tight memory
 * budget is the point: programs that fit here fit a real M0 board. */
#include "circuit9/board.h"

/* adafruit_displayio_ssd1306's power-up for a 128x64 panel: display off, horizontal addressing,
 * contrast, segment remap, normal display, COM scan, mux 1/64, clock, precharge, COM pins,
 * VCOM, charge pump, display on. Every byte is a command (data_as_commands). */
static const uint8_t init_seq[] = {
    0xAE, 0x00, 0x20, 0x01, 0x00, 0x81, 0x01, 0xCF, 0xA1, 0x00, 0xA6, 0x00, 0xC8, 0x00, 0xA8, 0x01, 0x3F,
    0xD5, 0x01, 0x80, 0xD9, 0x01, 0xF1, 0xDA, 0x01, 0x12, 0xDB, 0x01, 0x40, 0x8D, 0x01, 0x14, 0xAF, 0x00,
};

static const c9_board_pin_t pins[] = {
    {"A0", "PA02"},   {"A1", "PA04"}, {"A2", "PA10"},  {"A3", "PA11"},  {"D0", "PA02"},       {"D1", "PA04"},
    {"D2", "PA10"},   {"D3", "PA11"}, {"SDA", "PA16"}, {"SCL", "PA17"}, {"SCK", "PA07"},      {"MOSI", "PA06"},
    {"MISO", "PA09"}, {"TX", "PA06"}, {"RX", "PA07"},  {"LED", "PA15"}, {"NEOPIXEL", "PA18"}, {"BUTTON", "PA19"},
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
};
