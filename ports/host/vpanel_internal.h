/* Shared between the host display files; not a public API. */
#ifndef C9_VPANEL_INTERNAL_H
#define C9_VPANEL_INTERNAL_H

#include "circuit9/host_display.h"

enum { WIRE_NONE = 0, WIRE_SPI, WIRE_PARALLEL, WIRE_I2C };
enum { MODEL_DCS = 1, MODEL_SSD1306 };

struct c9_vpanel {
    c9_vpanel_config_t cfg;
    int model;
    /* wiring */
    int wire;
    int sck, mosi, cs, dc, reset, wr, scl, sda;
    int data[16];
    int width;
    uint8_t address;
    /* 9-bit SPI decoding */
    uint32_t acc;
    unsigned bits;
    /* I2C control-byte decoding */
    bool i2c_single; /* Co=1: one byte, then another control byte */
    bool i2c_dc;
    bool i2c_have_control;
    void (*listener)(void *ctx, c9_vpanel_t *p);
    void *listener_ctx;
    c9_vpanel_state_t st;
    /* controller */
    uint8_t cmd;
    uint8_t nparam;
    uint8_t params[16];
    bool in_ramwr;
    uint8_t pix[3];
    uint8_t npix;
    uint16_t xs, xe, ys, ye, col, row;
    uint8_t *ram; /* DCS: 3 bytes a pixel; SSD1306: pages * 128 */
    size_t ram_size;
    /* SSD1306 */
    uint8_t mode, page_start, page_end, col_start, col_end, page;
    uint8_t mux, offset, start_line, com_pins, contrast;
    bool seg_remap, com_remap, all_on, charge_pump;
};

void c9__vpanel_rx(c9_vpanel_t *p, bool dc, const uint8_t *d, size_t n);
void c9__vpanel_rx9(c9_vpanel_t *p, const uint8_t *d, size_t n);
void c9__vpanel_cs_high(c9_vpanel_t *p);
void c9__vpanel_hw_reset(c9_vpanel_t *p);
void c9__vpanel_i2c(c9_vpanel_t *p, const uint8_t *d, size_t n);
void c9__vpanel_notify(c9_vpanel_t *p);

#endif
