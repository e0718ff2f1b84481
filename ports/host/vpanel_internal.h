/* Shared between the host port's files; not a public API. */
#ifndef C9_VPANEL_INTERNAL_H
#define C9_VPANEL_INTERNAL_H

#include "circuit9/host_display.h"
#include "circuit9/host_port.h"
#include "circuit9/mcu.h"
#include "circuit9/pixel.h"
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

/* vboard.c: a pin of the virtual board. */
typedef struct c9__vpin {
    char name[24];
    bool claimed;
    uint8_t mode, pull, drive;
    bool out;        /* the level the microcontroller drives (or would, as an input) */
    bool level;      /* the wire */
    int8_t external; /* -1: nothing outside drives the pin */
    int32_t mv;      /* outside voltage for the ADC, -1: follow the level */
    uint16_t dac;
    uint32_t pwm_frequency;
    uint16_t pwm_duty;
    bool pwm_variable;
} c9__vpin_t;

/* vboard.c: the pin's state (NULL for a number that is no pin); after changing mode, out, dac or
 * pwm_duty, c9__vpin_settle() recomputes the wire and tells the wiring and the watchers. */
c9__vpin_t *c9__vpin_at(int pin);
void c9__vpin_settle(int pin);
/* vboard.c: fn(ctx, pin, level) after every change of the pin's level (C9_ERR_BUSY: table full);
 * unwatch drops every watch with this ctx. */
c9_err_t c9__vpin_watch(int pin, void (*fn)(void *ctx, int pin, bool level), void *ctx);
void c9__vpin_unwatch(void *ctx);

/* periph.c: the peripheral (ADC, DAC, PWM, counter, encoder, touch) using a pin is closed, as a
 * released pin is reset. */
void c9__periph_release(int pin);
/* periph.c: the board's chip model (NULL: the virtual board's generous default). */
const c9_mcu_t *c9__periph_mcu(void);
/* periph.c: the LED chain on a pin, NULL when nothing was written there and no board LED is. */
const c9_pixel_chain_t *c9__pixels_on(int pin);
/* periph.c: set up for a board (its LED chains, its buttons' pull-ups). */
void c9__periph_board(const c9_board_t *b);
/* The board's own devices that take --set inputs (its touchscreen, named "touchscreen"): attached
 * once c9__world_init() knows the inputs. */
c9_err_t c9__periph_board_devices(const c9_board_t *b);

/* world.c: applies what the world did up to the clock's now (events whose time has come). */
void c9__world_catch_up(void);
/* world.c: the board's inputs and events (c9_port_init). */
c9_err_t c9__world_init(const c9_port_config_t *cfg);

/* boardview.c: the board as a person sees it (the built-in display, LEDs, buttons, strips): its
 * size, its picture (w * h RGB), which button is at a point (-1: none), and the buttons. */
void c9__board_view_size(const c9_vpanel_t *display, int *w, int *h);
void c9__board_view_render(const c9_vpanel_t *display, uint8_t *rgb, int w, int h);
int c9__board_view_hit(const c9_vpanel_t *display, int x, int y);
bool c9__board_button_pressed(size_t index);
void c9__board_button_set(size_t index, bool pressed);

/* vboard.c: called by the port when the pins of the board are set up. */
void c9__vboard_add_board_pins(const c9_board_t *b);

/* vboard.c: the owner of the device answering at an I2C address on these pins (NULL: none),
 * and whether it is a panel. */
const void *c9__vboard_i2c_owner(int scl, int sda, uint8_t address, bool *is_panel);

/* drive.c: the directory standing for the CIRCUITPY drive (NULL: none). */
void c9__port_set_drive(const char *dir);
/* nvm.c: the board whose chip's non-volatile memory microcontroller.nvm is, and the drive
 * (directory or image, NULL: none) it is kept next to; forgets what was loaded before. */
void c9__port_set_nvm(const c9_board_t *b, const char *drive);
/* The network part of c9_port_init (net_board.c): access point, host table, CA file, socket limit. */
void c9__net_configure(const c9_port_config_t *cfg);

/* media.c: the drive as a disk image and the card in the SD slot (c9_port_config_t's
 * drive_image and sd_image); NULL closes what was open. */
c9_err_t c9__port_set_drive_image(const char *path);
c9_err_t c9__port_set_sd_card(const c9_board_t *b, const char *path);

#endif
