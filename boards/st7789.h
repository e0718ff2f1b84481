/* The ST7789 power-up sequence shared by the ST7789 boards (BusDisplay init_sequence format:
 * command, parameter count | 0x80 when a delay byte follows, parameters, delay in ms).
 * SWRESET, SLPOUT, COLMOD 16 bpp, MADCTL, INVON (IPS glass), NORON, MADCTL 0 (RAM rows and columns
 * run the way the glass is wired, so colstart/rowstart are where the glass sits), DISPON. */
#ifndef C9_BOARDS_ST7789_H
#define C9_BOARDS_ST7789_H
#define C9_ST7789_INIT                                                                                                 \
    {                                                                                                                  \
        0x01, 0x80, 0x96, 0x11, 0x80, 0xFF, 0x3A, 0x81, 0x55, 0x0A, 0x36, 0x01, 0x08, 0x21, 0x80, 0x0A, 0x13, 0x80,    \
            0x0A, 0x36, 0x01, 0x00, 0x29, 0x80, 0xFF                                                                   \
    }
#endif
