/* Shared between the host port's files; not a public API. */
#ifndef C9_VPANEL_INTERNAL_H
#define C9_VPANEL_INTERNAL_H

#include "circuit9/host_display.h"
#include "circuit9/host_port.h"
#include "circuit9/port.h"

enum { MODEL_DCS = 1, MODEL_SSD1306 };

/* A panel model: its controller's registers and frame memory, changed only by the bytes that
 * reach its sink. Where it is wired is the virtual board's business (vboard.c). */
struct c9_vpanel {
    c9_vpanel_config_t cfg;
    int model;
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

/* The window's redraw request (window.c); NULL listeners are skipped. */
void c9__vpanel_notify(c9_vpanel_t *p);

/* vboard.c: called by the port when the pins of the board are set up. */
void c9__vboard_add_board_pins(const c9_board_t *b);

/* vboard.c: the owner of the device answering at an I2C address on these pins (NULL: none),
 * and whether it is a panel. */
const void *c9__vboard_i2c_owner(int scl, int sda, uint8_t address, bool *is_panel);

/* drive.c: the directory standing for the CIRCUITPY drive (NULL: none). */
void c9__port_set_drive(const char *dir);

/* media.c: the drive as a disk image and the card in the SD slot (c9_port_config_t's
 * drive_image and sd_image); NULL closes what was open. */
c9_err_t c9__port_set_drive_image(const char *path);
c9_err_t c9__port_set_sd_card(const c9_board_t *b, const char *path);

#endif
