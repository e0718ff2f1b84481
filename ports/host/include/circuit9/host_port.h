/*
 * circuit9 host port: what the virtual board adds to the port contract (port.h) for the ones
 * who set it up (the circuit9 executable's options, tests, the circuit9_board module). The
 * runtime itself never includes this header.
 *
 *  - Breakouts: with breakouts on, a display bus built on pins with nothing wired gets a
 *    stand-in module there (c9_port_panel_connect); its controller, glass and mounting come from
 *    the BusDisplay that drives it (c9_port_panel_configure). See c9_host_breakout_describe().
 *  - Panels: every panel the port owns (the built-in display's, the breakouts), for the window,
 *    screenshots and tests.
 *  - Tables the host offers through the contract but other parts of the tree build: USB host
 *    controllers, socket and TLS tables, block devices. Whoever creates one registers it here;
 *    c9_port_usb_host(), c9_port_net_sockets(), c9_port_net_tls() and c9_port_blockdev() hand
 *    them out.
 */
#ifndef CIRCUIT9_HOST_PORT_H
#define CIRCUIT9_HOST_PORT_H

#include "circuit9/host_display.h"
#include "circuit9/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- breakouts ----------------------------------------------------------------------------- */

/* Whether display buses on free pins get a stand-in breakout (c9_port_config_t.breakouts). */
void c9_host_set_breakouts(bool on);
bool c9_host_breakouts(void);

/* The module a display driver describes, as a panel configuration: the controller from the init
 * sequence (see docs/port.md: the SSD1306 family when it has SSD1306 commands or the display is
 * 1 bit deep with data_as_commands; among MIPI DCS controllers the ILI9341 when it has the
 * ILI9341's extended power and timing commands, the ST7789 when it has the ST7789's porch, gate
 * and VCOM commands or, having neither, turns inversion on as IPS modules need), the glass from
 * the geometry in the controller's native orientation, the address mode the glass is seen
 * through from the sequence's last MADCTL, and the mounting from the rotation.
 * C9_ERR_INVAL for a malformed init sequence or geometry. */
c9_err_t c9_host_breakout_describe(const c9_port_panel_desc_t *desc, bool on_i2c, c9_vpanel_config_t *out);

/* ---- the port's panels --------------------------------------------------------------------- */

/* Panels the port owns now (the board's built-in display first, then breakouts in the order
 * they were wired); index out of range gives NULL. */
size_t c9_host_panel_count(void);
c9_vpanel_t *c9_host_panel_at(size_t index);
/* The panel of the display configured last (c9_port_panel_configure): NULL when that display's
 * pins have no panel; the built-in display's when none was configured yet (else NULL). What
 * c9_port_panel_screenshot() shows. */
c9_vpanel_t *c9_host_panel_last(void);
/* Whether a panel is a breakout the port wired (not the board's own display). */
bool c9_host_panel_is_breakout(const c9_vpanel_t *p);

/* ---- audio ------------------------------------------------------------------------------------ */

/* Records every audio stream the outputs start to a WAV file: the first to path, the n-th to
 * path with "-n" before its extension (c9_port_config_t.audio_out); NULL: SDL2 audio instead. */
void c9_host_audio_record(const char *path);

/* ---- tables built elsewhere ------------------------------------------------------------------ */

struct c9_usb_hcd_ops;
struct c9_net_socket_ops;
struct c9_net_tls_ops;

/* A USB host port on pins dp/dm driven by this controller (NULL ops removes it). C9_ERR_NOMEM
 * when four ports are registered. */
c9_err_t c9_host_register_usb_host(int dp, int dm, const struct c9_usb_hcd_ops *ops, void *ctx);
/* The sockets and TLS the board's network offers. Until something is registered the port offers
 * the host's own network (host_net.h: POSIX sockets with a board's socket limit, mbedTLS). */
void c9_host_register_net(const struct c9_net_socket_ops *sockets, const struct c9_net_tls_ops *tls);
/* Sockets open now in the board's own socket table (what counts against its limit). */
unsigned c9_host_net_sockets_open(void);
/* How the last c9_port_net_ping() reached the host: "icmp" (an unprivileged ICMP socket), "raw"
 * (a raw ICMP socket) or "tcp" (a connection attempt to port 7); NULL before the first. */
const char *c9_host_net_ping_method(void);
/* A named block device (NULL removes it). The table must outlive its registration. C9_ERR_NOMEM
 * when eight are registered, C9_ERR_INVAL for an empty or over-long name. */
c9_err_t c9_host_register_blockdev(const char *name, const c9_blockdev_t *bd);

/* ---- the world around the board ------------------------------------------------------------- */

/* A simulated device whose properties inputs and events set ("lis3dh.x=0.5g"): set(ctx, "x",
 * value) is called when one is due (and, for --set inputs, when the device registers). Errors it
 * returns are reported on stderr. The device may unregister itself from set().
 * @retval C9_OK  @retval C9_ERR_EXIST  the name is taken  @retval C9_ERR_INVAL  a bad name (empty,
 * with a '.', too long)  @retval C9_ERR_NOMEM  sixteen devices already */
typedef c9_err_t (*c9_host_device_set_fn)(void *ctx, const char *property, const c9_stim_value_t *value);
c9_err_t c9_host_register_device(const char *name, c9_host_device_set_fn set, void *ctx);
/* Every registration with this ctx goes. */
void c9_host_unregister_device(void *ctx);
/* Applies one assignment now, as an input would (a pin driven or held at a voltage, a device's
 * property set). @retval C9_OK  @retval C9_ERR_NOENT  no such pin or device  @retval C9_ERR_INVAL
 * a value a pin cannot take (a device reports its own refusals on stderr) */
c9_err_t c9_host_world_set(const c9_stim_t *s);
/* When the next event is due on the clock (c9_port_now_ns), UINT64_MAX when none is left or the
 * program has not started. */
uint64_t c9_host_world_next_event_ns(void);

/* A chain of count WS2812-style LEDs with this colour order ("GRB", "GRBW") on a pin: what
 * neopixel_write's bytes light there (a strip a program drives; without one, a pin gets a GRB
 * chain as long as the frames sent to it). C9_ERR_INVAL for a bad pin, order or count. */
c9_err_t c9_host_pixels_attach(int pin, const char *order, uint16_t count);

/* A 4-wire resistive touchscreen on pins (the X plate's ends xm/xp, the Y plate's ym/yp, as
 * adafruit_touchscreen's x1, x2, y1, y2), a device named name whose properties are x and y (0..1
 * along the plates) and pressed (0/1). What an AnalogIn on its pins reads follows from which of the
 * other pins are driven (docs/devices.md). C9_ERR_INVAL for a bad pin, C9_ERR_EXIST for a name
 * in use, C9_ERR_NOMEM for a third touchscreen. */
c9_err_t c9_host_touchscreen_attach(const char *name, int xm, int xp, int ym, int yp);

/* ---- UART ----------------------------------------------------------------------------------- */

/* The pseudo-terminal a UART of the virtual board is connected to ("/dev/pts/7"): what a host
 * program opens to be the device on the other end of TX and RX. */
const char *c9_host_uart_device(const c9_port_uart_t *uart);
/* The pseudo-terminal a host program opens to talk to a USB CDC channel (usb_cdc.data). */
const char *c9_host_cdc_device(const c9_port_cdc_t *cdc);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_HOST_PORT_H */
