/* What every ST7789 board's display shares: the power-up sequence (BusDisplay init_sequence format:
 * command, parameter count | 0x80 when a delay byte follows, parameters, delay in ms) and the
 * controller's fixed facts (a 240x320 RAM driven in 16-bit colour with the MIPI DCS window and
 * RAM-write commands, no brightness command). A board adds its bus, pins, clock, visible size,
 * offsets, rotation and backlight:
 *
 *     static const c9_board_display_t display = {
 *         .bus = C9_BOARD_BUS_FOURWIRE,
 *         C9_ST7789_DISPLAY,
 *         ...
 *     };
 *
 * The sequence: SWRESET, SLPOUT, COLMOD 16 bpp, MADCTL, INVON (IPS glass), NORON, MADCTL 0 (RAM rows
 * and columns run the way the glass is wired, so colstart/rowstart are where the glass sits),
 * DISPON. */
#ifndef C9_BOARDS_ST7789_H
#define C9_BOARDS_ST7789_H

#include "circuit9/board.h"

static const uint8_t c9_st7789_init_sequence[] = {
    0x01, 0x80, 0x96, 0x11, 0x80, 0xFF, 0x3A, 0x81, 0x55, 0x0A, 0x36, 0x01, 0x08,
    0x21, 0x80, 0x0A, 0x13, 0x80, 0x0A, 0x36, 0x01, 0x00, 0x29, 0x80, 0xFF,
};

#define C9_ST7789_DISPLAY                                                                                              \
    .controller = "ST7789", .panel_width = 240, .panel_height = 320, .color_depth = 16, .set_column_command = 0x2A,    \
    .set_row_command = 0x2B, .write_ram_command = 0x2C, .brightness_command = -1,                                      \
    .init_sequence = c9_st7789_init_sequence, .init_sequence_len = sizeof c9_st7789_init_sequence

#endif
