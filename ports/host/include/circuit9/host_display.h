/*
 * circuit9 host port, display side: a virtual board (pins by name, GPIO levels), virtual SPI,
 * I2C and 8080-parallel peripherals with a bus timing model, panel models that decode the bytes
 * they receive (a MIPI DCS controller such as the ST7789 or ILI9341, and an SSD1306 OLED), PNG
 * screenshots, an optional SDL2 window, and the clock displays wait on.
 *
 * The virtual board is process-wide. A panel is attached to pins; a peripheral opened on the
 * same pins delivers its bytes to every panel whose chip select is low, with the level of the
 * panel's D/C pin at that moment, exactly as wires would:
 *
 *     c9_vpanel_config_t pc; c9_vpanel_config_defaults(&pc, "ST7789");
 *     c9_vpanel_t *panel = c9_vpanel_new(&pc);
 *     c9_vboard_attach_spi(panel, c9_vpin("GPIO36"), c9_vpin("GPIO35"), c9_vpin("GPIO7"),
 *                          c9_vpin("GPIO39"), c9_vpin("GPIO40"));
 *     c9_vspi_t *spi = c9_vspi_open(c9_vpin("GPIO36"), c9_vpin("GPIO35"), -1);
 *     ... c9_fourwire_t.spi = c9_vspi_hal(spi); .gpio = c9_vboard_gpio(); ...
 *     c9_vpanel_write_png(panel, "shot.png");
 *
 * Timing model (c9_vbus_stats_t): SPI moves one bit per clock at the configured baudrate (9 bits
 * per byte in 9-bit mode are already counted as bytes on the wire); an 8080 bus one strobe per
 * byte (8 data lines) or per 16-bit word, at `frequency` strobes per second; I2C 9 clocks per
 * byte plus the address byte and one clock for start/stop per transaction.
 *
 * Errors: C9_ERR_BUSY (pin already in use), C9_ERR_NOENT (unknown pin or model), C9_ERR_NODEV
 * (no I2C device answered), C9_ERR_IO (file write failed), C9_ERR_NOMEM.
 */
#ifndef CIRCUIT9_HOST_DISPLAY_H
#define CIRCUIT9_HOST_DISPLAY_H

#include "circuit9/display_bus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- pins ---------------------------------------------------------------------------------- */

#define C9_VPIN_MAX 256
/* The pin with this MCU name ("GPIO5", "PA08"), created on first use; -1 if the table is full or
 * the name is empty. GPIO0..GPIO47 exist from the start. */
int c9_vpin(const char *name);
/* Existing pin only, -1 if unknown. */
int c9_vpin_find(const char *name);
const char *c9_vpin_name(int pin);
int c9_vpin_count(void);
/* Claims a pin for a driver: C9_ERR_BUSY if already claimed (and not `never_reset` shared). */
c9_err_t c9_vpin_claim(int pin);
void c9_vpin_release(int pin);
bool c9_vpin_in_use(int pin);
void c9_vpin_write(int pin, bool level);
bool c9_vpin_read(int pin);
/* GPIO interface for the core's buses. */
c9_hal_gpio_t c9_vboard_gpio(void);

/* ---- panels -------------------------------------------------------------------------------- */

typedef struct c9_vpanel c9_vpanel_t;

typedef struct c9_vpanel_config {
    const char *controller;             /* "ST7789", "ILI9341" (MIPI DCS) or "SSD1306" */
    uint16_t ram_width, ram_height;     /* controller frame memory (DCS: 240x320; SSD1306: 128x64) */
    uint16_t glass_width, glass_height; /* visible pixels */
    uint16_t glass_x, glass_y;          /* where the glass sits in the frame memory */
    bool glass_inverted;                /* IPS glass shows inverted colours unless INVON (ST7789 modules) */
    bool glass_bgr;                     /* subpixels in B,G,R order: needs the MADCTL BGR bit (ILI9341 modules) */
    bool glass_mirror_x;                /* columns wired right to left: needs MADCTL MX */
    uint8_t i2c_address;                /* SSD1306 on I2C */
    /* How the glass is mounted on the board: a person looking at the board sees the glass turned
     * clockwise by this many degrees (0, 90, 180, 270), which is the rotation the board passes to
     * BusDisplay. Screenshots and the window show that view; the controller model does not care. */
    uint16_t mount_rotation;
} c9_vpanel_config_t;

/* Defaults for a controller: ST7789 240x320 IPS (inverted), ILI9341 240x320 BGR, SSD1306 128x64.
 * C9_ERR_NOENT for an unknown controller. */
c9_err_t c9_vpanel_config_defaults(c9_vpanel_config_t *cfg, const char *controller);
c9_vpanel_t *c9_vpanel_new(const c9_vpanel_config_t *cfg);
/* Detaches and frees. */
void c9_vpanel_free(c9_vpanel_t *p);
const c9_vpanel_config_t *c9_vpanel_config(const c9_vpanel_t *p);
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
/* Feeds bytes directly (bypassing wires): dc false = command. For tests. */
void c9_vpanel_feed(c9_vpanel_t *p, bool dc, const uint8_t *data, size_t len);
/* Called when anything reaches a panel; NULL to stop. The SDL window uses it. */
void c9_vpanel_set_listener(c9_vpanel_t *p, void (*fn)(void *ctx, c9_vpanel_t *p), void *ctx);

/* Wiring. Pins are c9_vpin() numbers; cs, dc and reset may be -1 (dc -1 on SPI: 9-bit mode). */
c9_err_t c9_vboard_attach_spi(c9_vpanel_t *p, int sck, int mosi, int cs, int dc, int reset);
/* 8 or 16 data lines from data0 up (or the pins listed by data_pins). */
c9_err_t c9_vboard_attach_parallel(c9_vpanel_t *p, const int *data_pins, int width, int cs, int dc, int wr, int reset);
c9_err_t c9_vboard_attach_i2c(c9_vpanel_t *p, int scl, int sda, uint8_t address, int reset);
void c9_vboard_detach(c9_vpanel_t *p);
/* The panel wired to pin (any of its pins), or NULL. */
c9_vpanel_t *c9_vboard_panel_on(int pin);

/* ---- peripherals with the timing model ------------------------------------------------------ */

typedef struct c9_vbus_stats {
    uint64_t bytes;        /* bytes on the wire */
    uint64_t transactions; /* SPI: lock..unlock; parallel: chip-select assertions; I2C: writes */
    uint64_t cycles;       /* SPI clocks, parallel WR strobes, I2C SCL clocks */
    uint64_t time_ps;      /* transfer time at the configured frequency */
    uint32_t frequency;    /* current baudrate / frequency */
} c9_vbus_stats_t;

typedef struct c9_vspi c9_vspi_t;
c9_vspi_t *c9_vspi_open(int sck, int mosi, int miso);
void c9_vspi_close(c9_vspi_t *s);
c9_hal_spi_t c9_vspi_hal(c9_vspi_t *s);
const c9_vbus_stats_t *c9_vspi_stats(const c9_vspi_t *s);
void c9_vspi_reset_stats(c9_vspi_t *s);

typedef struct c9_vi2c c9_vi2c_t;
c9_vi2c_t *c9_vi2c_open(int scl, int sda, uint32_t frequency);
void c9_vi2c_close(c9_vi2c_t *b);
c9_hal_i2c_t c9_vi2c_hal(c9_vi2c_t *b);
/* Addresses that acknowledge (I2C.scan()); returns how many were written to out. */
size_t c9_vi2c_scan(c9_vi2c_t *b, uint8_t *out, size_t max);
const c9_vbus_stats_t *c9_vi2c_stats(const c9_vi2c_t *b);
void c9_vi2c_reset_stats(c9_vi2c_t *b);

typedef struct c9_vparallel c9_vparallel_t;
c9_vparallel_t *c9_vparallel_open(const int *data_pins, int width, int cs, int dc, int wr, uint32_t frequency);
void c9_vparallel_close(c9_vparallel_t *b);
c9_hal_parallel_t c9_vparallel_hal(c9_vparallel_t *b);
const c9_vbus_stats_t *c9_vparallel_stats(const c9_vparallel_t *b);
void c9_vparallel_reset_stats(c9_vparallel_t *b);

/* ---- clock --------------------------------------------------------------------------------- */

/* Monotonic ms plus a virtual offset. In virtual mode (the default) delays advance the offset
 * instead of sleeping, so init sequences and frame pacing cost no wall time in tests; in real
 * mode they sleep. */
c9_clock_t c9_host_clock(void);
void c9_host_clock_set_virtual(bool on);
bool c9_host_clock_is_virtual(void);
uint64_t c9_host_now_ms(void);

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
/* Pumps window events and redraws changed panels; call from the runtime's background loop. */
void c9_window_poll(void);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_DISPLAY_H */
