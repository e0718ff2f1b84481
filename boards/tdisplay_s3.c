/* A LilyGo T-Display-S3-like board: 320x170 ST7789 on an 8-bit parallel (8080) bus. */
#include "circuit9/board.h"
#include "st7789.h"

static const c9_board_pin_t pins[] = {
    {"BUTTON0", "GPIO0"},   {"BUTTON1", "GPIO14"}, {"BATTERY", "GPIO4"}, {"LCD_POWER_ON", "GPIO15"},
    {"LCD_BCKL", "GPIO38"}, {"LCD_CS", "GPIO6"},   {"LCD_DC", "GPIO7"},  {"LCD_WR", "GPIO8"},
    {"LCD_RD", "GPIO9"},    {"LCD_RST", "GPIO5"},  {"LCD_D0", "GPIO39"}, {"LCD_D1", "GPIO40"},
    {"LCD_D2", "GPIO41"},   {"LCD_D3", "GPIO42"},  {"LCD_D4", "GPIO45"}, {"LCD_D5", "GPIO46"},
    {"LCD_D6", "GPIO47"},   {"LCD_D7", "GPIO48"},  {"SDA", "GPIO18"},    {"SCL", "GPIO17"},
    {"IO1", "GPIO1"},       {"IO2", "GPIO2"},      {"IO3", "GPIO3"},     {"IO10", "GPIO10"},
    {"IO11", "GPIO11"},     {"IO12", "GPIO12"},    {"IO13", "GPIO13"},   {"IO16", "GPIO16"},
    {"IO21", "GPIO21"},     {"TX", "GPIO43"},      {"RX", "GPIO44"},
};

static const uint8_t init_seq[] = C9_ST7789_INIT;

static const c9_board_display_t display = {
    .bus = C9_BOARD_BUS_PARALLEL,
    .controller = "ST7789",
    .panel_width = 240,
    .panel_height = 320,
    .data0 = "LCD_D0",
    .write = "LCD_WR",
    .read = "LCD_RD",
    .command = "LCD_DC",
    .chip_select = "LCD_CS",
    .reset = "LCD_RST",
    .frequency = 20000000,
    .width = 320,
    .height = 170,
    .colstart = 35,
    .rotation = 90,
    .color_depth = 16,
    .set_column_command = 0x2A,
    .set_row_command = 0x2B,
    .write_ram_command = 0x2C,
    .brightness_command = -1,
    .backlight = "LCD_BCKL",
    .init_sequence = init_seq,
    .init_sequence_len = sizeof init_seq,
};

const c9_board_t c9_board_tdisplay_s3 = {
    .name = "tdisplay_s3",
    .board_id = "lilygo_tdisplay_s3",
    .description = "LILYGO T-DISPLAY S3 v1.2",
    .mcu = "ESP32S3",
    .mcu_family = "ESP32S3",
    .cpu_frequency = 240000000,
    .sram_bytes = 320 * 1024,
    .psram_bytes = 8 * 1024 * 1024,
    .uid = {0xC9, 0x04, 0x85, 0x00, 0x3C, 0x02},
    .uid_len = 6,
    .pins = pins,
    .pin_count = C9_ARRAY_SIZE(pins),
    .i2c_scl = "SCL",
    .i2c_sda = "SDA",
    .uart_tx = "TX",
    .uart_rx = "RX",
    .display = &display,
};
