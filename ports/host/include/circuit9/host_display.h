/*
 * circuit9 host port, the virtual board's own side: pins with their levels, what is wired to
 * them, panel models that decode the bytes they receive (a MIPI DCS controller such as the
 * ST7789 or ILI9341, and an SSD1306 OLED), PNG files and an optional SDL2 window.
 *
 * This is not the port contract (include/circuit9/port.h); the runtime never includes it. Tests,
 * benchmarks and the host port's own Python module (circuit9_board) use it to build and inspect
 * wiring that a real board has in copper.
 *
 * The virtual board is process-wide and owns its wiring: a panel (or any byte sink) is wired to
 * pins, and a bus opened through the contract on the same pins delivers its bytes to every sink
 * whose chip select is low, with the level of its D/C pin at that moment, as wires would. The
 * board frames what the wires carry: 9-bit SPI words (a D/C bit before each byte) and I2C
 * control bytes (Co, D/C) become plain (D/C, bytes) for the sink; a chip select going high ends
 * a partial 9-bit word; a reset pin going low resets the sink.
 *
 *     c9_vpanel_config_t pc; c9_vpanel_config_defaults(&pc, "ST7789");
 *     c9_vpanel_t *panel = c9_vpanel_new(&pc);
 *     c9_vboard_attach_spi(panel, c9_vpin("GPIO36"), c9_vpin("GPIO35"), c9_vpin("GPIO7"),
 *                          c9_vpin("GPIO39"), c9_vpin("GPIO40"));
 *     c9_port_spi_open(c9_vpin("GPIO36"), c9_vpin("GPIO35"), -1, &spi);   // the contract
 *     ... c9_fourwire_t.spi = c9_port_spi_hal(spi); .gpio = c9_port_gpio(); ...
 *     c9_vpanel_write_png(panel, "shot.png");
 *
 * Errors: C9_ERR_BUSY (pin already in use), C9_ERR_NOENT (unknown pin or model), C9_ERR_NODEV
 * (no I2C device answered), C9_ERR_IO (file write failed), C9_ERR_NOMEM.
 */
#ifndef CIRCUIT9_HOST_DISPLAY_H
#define CIRCUIT9_HOST_DISPLAY_H

#include "circuit9/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- pins ---------------------------------------------------------------------------------- */

#define C9_VPIN_MAX 256
/* The pin with this MCU name ("GPIO5", "PA08"), created on first use; -1 if the table is full or
 * the name is empty. GPIO0..GPIO47 and the pins of the port's board exist from the start. */
int c9_vpin(const char *name);
/* The same as c9_port_pin_find/name/count/claim/release/in_use. */
int c9_vpin_find(const char *name);
const char *c9_vpin_name(int pin);
int c9_vpin_count(void);
c9_err_t c9_vpin_claim(int pin);
void c9_vpin_release(int pin);
bool c9_vpin_in_use(int pin);
/* Drives a pin as a push-pull output (c9_port_pin_output) and reads its level. */
void c9_vpin_write(int pin, bool level);
bool c9_vpin_read(int pin);

/* What drives a pin from outside the microcontroller: a button, a sensor, a test. level -1 lets
 * go (the pin floats, or follows its pull); 0 or 1 holds it there. An output pin keeps its own
 * level (push-pull wins; an open-drain output let go high follows the outside). */
void c9_vboard_pin_drive(int pin, int level);
/* The voltage on a pin as an ADC sees it, in millivolts; -1 returns to "whatever the digital
 * level is" (0 V or the 3.3 V reference). */
void c9_vboard_pin_set_mv(int pin, int32_t mv);

typedef enum c9_vpin_mode {
    C9_VPIN_INPUT = 0,
    C9_VPIN_OUTPUT = 1,
    C9_VPIN_ANALOG_IN = 2,
    C9_VPIN_ANALOG_OUT = 3,
    C9_VPIN_PWM = 4
} c9_vpin_mode_t;

/* Everything about a pin, for tests and a future --state report. */
typedef struct c9_vpin_state {
    bool claimed;
    uint8_t mode;  /* c9_vpin_mode_t */
    uint8_t pull;  /* c9_port_pull_t */
    uint8_t drive; /* c9_port_drive_t */
    bool level;    /* what the wire carries now */
    int8_t external;
    uint16_t analog_out;
    uint32_t pwm_frequency;
    uint16_t pwm_duty;
    bool pwm_variable;
} c9_vpin_state_t;
/* C9_ERR_NOENT for a number that is no pin. */
c9_err_t c9_vpin_state(int pin, c9_vpin_state_t *out);

/* ---- byte sinks and wiring ---------------------------------------------------------------- */

/* What a display-style device on the virtual board receives. write gets bytes with the level of
 * the D/C line (true: data); reset is the reset line going low; read (may be NULL) answers a
 * read transaction, returning how many bytes it filled (the rest read as an idle line). */
typedef struct c9_vsink {
    void (*write)(void *ctx, bool data, const uint8_t *bytes, size_t len);
    void (*reset)(void *ctx);
    size_t (*read)(void *ctx, uint8_t *bytes, size_t len);
    void *ctx;
} c9_vsink_t;

/* Wires a sink to pins; owner names the wiring for c9_vboard_unwire (a second wiring of the same
 * owner replaces the first). Pins are c9_vpin() numbers; cs, dc and reset may be -1 (dc -1 on
 * SPI: 9-bit words). C9_ERR_NOMEM when the board has no room for another device. */
c9_err_t c9_vboard_wire_spi(const c9_vsink_t *sink, const void *owner, int sck, int mosi, int cs, int dc, int reset);
/* 8 or 16 data lines (C9_ERR_INVAL otherwise). */
c9_err_t c9_vboard_wire_parallel(const c9_vsink_t *sink, const void *owner, const int *data_pins, int width, int cs,
                                 int dc, int wr, int reset);
c9_err_t c9_vboard_wire_i2c(const c9_vsink_t *sink, const void *owner, int scl, int sda, uint8_t address, int reset);
void c9_vboard_unwire(const void *owner);

/* A full-duplex SPI device (an SD card): while its chip select is low, exchange gets every byte
 * the controller clocks out on MOSI (the fill byte of a read) and gives the byte it drives on
 * MISO for each; select tells it when its chip select changes (true: low). */
typedef struct c9_vspi_device {
    void (*exchange)(void *ctx, const uint8_t *mosi, uint8_t *miso, size_t len);
    void (*select)(void *ctx, bool selected);
    void *ctx;
} c9_vspi_device_t;

/* Wires a full-duplex device to sck, mosi, miso and cs (cs required). Same rules as
 * c9_vboard_wire_spi; C9_ERR_INVAL for a missing pin. */
c9_err_t c9_vboard_wire_spi_device(const c9_vspi_device_t *dev, const void *owner, int sck, int mosi, int miso, int cs);
/* The owner of whatever is wired to pin (any of its pins), or NULL. */
const void *c9_vboard_owner_on(int pin);

/* ---- panels -------------------------------------------------------------------------------- */

typedef struct c9_vpanel c9_vpanel_t;

typedef struct c9_vpanel_config {
    const char *controller;             /* "ST7789", "ILI9341" (MIPI DCS) or "SSD1306" */
    uint16_t ram_width, ram_height;     /* controller frame memory (DCS: 240x320; SSD1306: 128x64) */
    uint16_t glass_width, glass_height; /* visible pixels */
    uint16_t glass_x, glass_y;          /* where the glass sits in the controller's address space */
    bool glass_inverted;                /* IPS glass shows inverted colours unless INVON (ST7789 modules) */
    bool glass_bgr;                     /* subpixels in B,G,R order: needs the MADCTL BGR bit (ILI9341 modules) */
    bool glass_mirror_x;                /* columns wired right to left: needs MADCTL MX */
    /* DCS: the address mode (MADCTL's MY 0x80, MX 0x40, MV 0x20) through which the glass is seen:
     * a module mounted the way its driver addresses it. 0 places the glass on frame memory rows
     * and columns as they are. */
    uint8_t glass_madctl;
    /* SSD1306: the COM pin configuration (command 0xDA's parameter) the module is wired for; 0
     * picks the common modules' (0x12 for more than 32 rows, 0x02 otherwise). */
    uint8_t com_pins;
    uint8_t i2c_address; /* SSD1306 on I2C */
    /* How the glass is mounted on the board: a person looking at the board sees the glass turned
     * clockwise by this many degrees (0, 90, 180, 270), which is the rotation the board passes to
     * BusDisplay. Screenshots and the window show that view; the controller model does not care. */
    uint16_t mount_rotation;
} c9_vpanel_config_t;

/* Defaults for a controller: ST7789 240x320 IPS (inverted), ILI9341 240x320 BGR, SSD1306 128x64.
 * C9_ERR_NOENT for an unknown controller. */
c9_err_t c9_vpanel_config_defaults(c9_vpanel_config_t *cfg, const char *controller);
c9_vpanel_t *c9_vpanel_new(const c9_vpanel_config_t *cfg);
/* Unwires and frees. */
void c9_vpanel_free(c9_vpanel_t *p);
const c9_vpanel_config_t *c9_vpanel_config(const c9_vpanel_t *p);
/* The panel's one byte sink. */
c9_vsink_t c9_vpanel_sink(c9_vpanel_t *p);
/* The picture on the glass now, RGB888, glass_width * glass_height * 3 bytes: what a camera would
 * see (black while asleep or off, inversion and subpixel order applied). */
void c9_vpanel_render(const c9_vpanel_t *p, uint8_t *rgb);
/* Size of the picture as mounted (glass size, swapped for 90 and 270). */
void c9_vpanel_view_size(const c9_vpanel_t *p, uint16_t *width, uint16_t *height);
/* The picture as a person looking at the board sees it: c9_vpanel_render() turned by
 * mount_rotation; view width * height * 3 bytes. */
void c9_vpanel_render_view(const c9_vpanel_t *p, uint8_t *rgb);
/* Writes the view (c9_vpanel_render_view) as a PNG. */
c9_err_t c9_vpanel_write_png(const c9_vpanel_t *p, const char *path);
/* Raw controller state for tests. */
typedef struct c9_vpanel_state {
    bool sleeping, display_on, inverted;
    uint8_t madctl, colmod;
    uint32_t commands;   /* command bytes received */
    uint64_t data_bytes; /* parameter/pixel bytes received */
    uint64_t pixels_written;
    uint32_t resets; /* hardware + software resets */
    uint8_t last_command;
    uint32_t bad_bytes; /* bytes the controller could not use (e.g. data with no command) */
} c9_vpanel_state_t;
void c9_vpanel_state(const c9_vpanel_t *p, c9_vpanel_state_t *out);
/* Bytes straight into the sink (bypassing wires): dc false = command. For tests. */
void c9_vpanel_feed(c9_vpanel_t *p, bool dc, const uint8_t *data, size_t len);
/* Called when anything reaches a panel; NULL to stop. The SDL window uses it. */
void c9_vpanel_set_listener(c9_vpanel_t *p, void (*fn)(void *ctx, c9_vpanel_t *p), void *ctx);

/* Panel wiring (c9_vboard_wire_* with the panel's sink, the panel as owner). */
c9_err_t c9_vboard_attach_spi(c9_vpanel_t *p, int sck, int mosi, int cs, int dc, int reset);
/* 8 or 16 data lines from data0 up (or the pins listed by data_pins). */
c9_err_t c9_vboard_attach_parallel(c9_vpanel_t *p, const int *data_pins, int width, int cs, int dc, int wr, int reset);
c9_err_t c9_vboard_attach_i2c(c9_vpanel_t *p, int scl, int sda, uint8_t address, int reset);
void c9_vboard_detach(c9_vpanel_t *p);
/* The panel wired to pin (any of its pins), or NULL. */
c9_vpanel_t *c9_vboard_panel_on(int pin);

/* ---- clock --------------------------------------------------------------------------------- */

/* The port's one clock (c9_port_now_ns) has virtual time: in virtual mode (the default)
 * c9_port_delay_ms advances the clock instead of sleeping, so init sequences and frame pacing cost
 * no wall time; in real mode it sleeps. */
void c9_host_clock_set_virtual(bool on);
bool c9_host_clock_is_virtual(void);

/* ---- PNG ------------------------------------------------------------------------------------ */

/* Writes 8-bit RGB (channels 3) or RGBA (4) or gray (1) rows; stride in bytes. */
c9_err_t c9_png_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                      int channels);
/* Reads an 8-bit RGB PNG (converting palette/gray/alpha) into a malloc'd buffer the caller frees
 * with c9_png_free; used by tests to check screenshots. */
c9_err_t c9_png_read_rgb(const char *path, uint8_t **pixels, uint32_t *width, uint32_t *height);
void c9_png_free(uint8_t *pixels);

/* ---- window (SDL2) -------------------------------------------------------------------------- */

/* True when built with SDL2 and a display server is reachable (DISPLAY/WAYLAND_DISPLAY set). */
bool c9_window_available(void);
/* Shows the panel in a window, scaled; updates when the panel changes. C9_ERR_NOSYS headless. */
c9_err_t c9_window_show(c9_vpanel_t *p, int scale);
/* Closes the panel's window, if it has one (the panel is about to be freed). */
void c9_window_forget(c9_vpanel_t *p);
/* Pumps window events and redraws changed panels; c9_port_background() calls it. */
void c9_window_poll(void);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_DISPLAY_H */
