/* The port contract on the virtual board: the machine's set-up, its panels (the built-in
 * display's and stand-in breakouts), the tables other parts of the tree register, and the odds
 * and ends. Pins and buses are in vboard.c, the clock in clock.c, the drive in drive.c, UARTs in
 * uart.c. */
#define _GNU_SOURCE
#include "vpanel_internal.h"
#include "usb_internal.h"

#include "circuit9/host_blockdev.h"
#include "circuit9/host_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- machine ----------------------------------------------------------------------------------- */

static const c9_board_t *board;
static bool breakouts_on;
static bool window_on;

const c9_board_t *c9_port_board(void) {
    return board ? board : c9_board_default();
}

void c9_host_set_breakouts(bool on) {
    breakouts_on = on;
}

bool c9_host_breakouts(void) {
    return breakouts_on;
}

static c9_err_t builtin_panel(const c9_board_t *b);

/* What is wrong with a --drive or --sd image, in words for the user. */
static const char *media_problem(c9_err_t err) {
    switch (err) {
    case C9_ERR_NOENT: return "no such file";
    case C9_ERR_PERM: return "cannot open it for reading and writing";
    case C9_ERR_MBR_RANGE: return "its partition lies outside the file";
    case C9_ERR_NODEV: return "the board has no SD card slot";
    case C9_ERR_INVAL: return "too small for a card (512 KiB at least)";
    default: return c9_strerror(err);
    }
}

c9_err_t c9_port_init(const c9_port_config_t *cfg) {
    const c9_board_t *prev = board;
    board = cfg && cfg->board ? cfg->board : c9_board_default();
    /* The media first: a missing image stops the start before anything else is set up. */
    c9_err_t err = c9__port_set_drive_image(cfg ? cfg->drive_image : NULL);
    const char *media = cfg ? cfg->drive_image : NULL;
    if (err == C9_OK) {
        c9__vboard_add_board_pins(board);
        media = cfg ? cfg->sd_image : NULL;
        err = c9__port_set_sd_card(board, media);
    }
    if (err != C9_OK) {
        c9__port_set_drive_image(NULL);
        board = prev;
        if (cfg && cfg->message && cfg->message_size) { /* which image, and what is wrong with it */
            snprintf(cfg->message, cfg->message_size, "%s: %s", media, media_problem(err));
        }
        return err;
    }
    breakouts_on = cfg && cfg->breakouts;
    window_on = cfg && cfg->window && c9_window_available();
    c9__port_set_drive(cfg && !cfg->drive_image ? cfg->drive : NULL);
    c9__port_set_nvm(board, cfg ? (cfg->drive_image ? cfg->drive_image : cfg->drive) : NULL);
    c9_host_audio_record(cfg ? cfg->audio_out : NULL);
    c9_host_clock_set_stepped(cfg && cfg->stepped_clock);
    c9__periph_board(board);
    c9__net_configure(cfg);
    err = c9__world_init(cfg);
    if (err == C9_OK) {
        err = c9__periph_board_devices(board);
    }
    if (err != C9_OK) {
        return err;
    }
    if (cfg && cfg->usb_device_count) {
        if (!board->usb_host_ports) {
            if (cfg->message && cfg->message_size) {
                snprintf(cfg->message, cfg->message_size, "--usb: %s has no USB host port", board->name);
            }
            return C9_ERR_INVAL;
        }
        err = c9__host_usb_configure(cfg->usb_devices, cfg->usb_device_count, cfg->message, cfg->message_size);
        if (err != C9_OK) {
            return err;
        }
    }
    err = builtin_panel(board);
    if (err == C9_OK && window_on && !board->display && (board->led_count || board->button_count)) {
        /* a board without a display still has LEDs and buttons */
        if (c9_window_show_board(NULL, 3) == C9_OK && board->usb_host_ports) {
            c9__host_usb_window_opened();
        }
    }
    return err;
}

void c9_port_background(void) {
    c9_window_poll();
}

/* ---- panels ------------------------------------------------------------------------------------ */

#define MAX_PANELS 8

/* A panel the port owns and where it is wired. The built-in display's comes first. */
typedef struct owned {
    c9_vpanel_t *panel;
    c9_port_wiring_t wiring;
    bool breakout;
} owned_t;

static owned_t owned[MAX_PANELS];
static size_t owned_count;
static c9_vpanel_t *last_panel;
static bool last_has_no_glass; /* the last display configured drives pins with no panel */

static void show(c9_vpanel_t *p, bool breakout) {
    if (window_on) {
        const c9_vpanel_config_t *c = c9_vpanel_config(p);
        int scale = c->glass_width * c->glass_height <= 128 * 64 ? 4 : 2;
        /* The board's own display is shown on the board, with its LEDs and buttons. */
        if ((breakout || c9_window_show_board(p, scale) != C9_OK) && c9_window_show(p, scale) != C9_OK) {
            return;
        }
        if (c9_port_board()->usb_host_ports) {
            c9__host_usb_window_opened(); /* its keys: a USB keyboard on the board's host port */
        }
    }
}

static c9_err_t wire(c9_vpanel_t *p, const c9_port_wiring_t *w) {
    switch (w->kind) {
    case C9_PORT_WIRING_FOURWIRE:
        return c9_vboard_attach_spi(p, w->clock, w->mosi, w->chip_select, w->command, w->reset);
    case C9_PORT_WIRING_PARALLEL:
        return c9_vboard_attach_parallel(p, w->data, w->width, w->chip_select, w->command, w->write, w->reset);
    case C9_PORT_WIRING_I2C: return c9_vboard_attach_i2c(p, w->scl, w->sda, w->address, w->reset);
    default: return C9_ERR_INVAL;
    }
}

static c9_err_t own(c9_vpanel_t *p, const c9_port_wiring_t *w, bool breakout) {
    if (owned_count == MAX_PANELS) {
        c9_vpanel_free(p);
        return C9_ERR_NOMEM;
    }
    c9_err_t err = wire(p, w);
    if (err != C9_OK) {
        c9_vpanel_free(p);
        return err;
    }
    owned[owned_count++] = (owned_t){p, *w, breakout};
    show(p, breakout);
    return C9_OK;
}

static int pin_of(const c9_board_t *b, const char *name) {
    const c9_board_pin_t *p = name ? c9_board_pin(b, name) : NULL;
    return p ? c9_vpin(p->mcu_pin) : -1;
}

static c9_err_t builtin_panel(const c9_board_t *b) {
    const c9_board_display_t *d = b->display;
    if (!d || (owned_count && !owned[0].breakout)) {
        return C9_OK;
    }
    c9_vpanel_config_t pc;
    if (c9_vpanel_config_defaults(&pc, d->controller) != C9_OK) {
        return C9_ERR_NOTSUP;
    }
    pc.ram_width = d->panel_width;
    pc.ram_height = d->panel_height;
    /* The glass is the display's visible area in the controller's native orientation, mounted at
     * the rotation the board's display is built with. */
    bool swap = d->rotation == 90 || d->rotation == 270;
    pc.glass_width = swap ? d->height : d->width;
    pc.glass_height = swap ? d->width : d->height;
    pc.mount_rotation = d->rotation;
    pc.glass_x = (uint16_t)d->colstart;
    pc.glass_y = (uint16_t)d->rowstart;
    /* A DCS module is mounted the way the board's own sequence addresses it: its last MADCTL (the
     * PyPortal's ILI9341 is driven row/column-exchanged into a 320x240 landscape). */
    if (strcmp(pc.controller, "SSD1306") != 0) {
        size_t pos = 0;
        c9_initseq_cmd_t cmd;
        while (c9_initseq_next(d->init_sequence, d->init_sequence_len, &pos, &cmd) == C9_OK) {
            if (cmd.cmd == 0x36 && cmd.param_count >= 1) {
                pc.glass_madctl = (uint8_t)(cmd.params[0] & 0xE0);
            }
        }
    }
    c9_port_wiring_t w;
    memset(&w, 0xFF, sizeof w); /* every pin -1 */
    w.width = 0;
    w.address = 0;
    switch (d->bus) {
    case C9_BOARD_BUS_FOURWIRE:
        w.kind = C9_PORT_WIRING_FOURWIRE;
        w.clock = pin_of(b, d->clock);
        w.mosi = pin_of(b, d->mosi);
        break;
    case C9_BOARD_BUS_PARALLEL: {
        w.kind = C9_PORT_WIRING_PARALLEL;
        w.width = 8;
        w.write = pin_of(b, d->write);
        /* data0's board name ends in 0; the other lines are named on from it ("LCD_DATA0".."7") */
        char name[64];
        size_t n = strlen(d->data0);
        for (int i = 0; i < 8; i++) {
            snprintf(name, sizeof name, "%.*s%d", (int)(n - 1), d->data0, i);
            w.data[i] = pin_of(b, name);
        }
        break;
    }
    case C9_BOARD_BUS_I2C:
        w.kind = C9_PORT_WIRING_I2C;
        w.scl = pin_of(b, d->scl);
        w.sda = pin_of(b, d->sda);
        w.address = d->i2c_address;
        pc.i2c_address = d->i2c_address;
        break;
    default: return C9_ERR_NOTSUP;
    }
    w.command = pin_of(b, d->command);
    w.chip_select = pin_of(b, d->chip_select);
    w.reset = pin_of(b, d->reset);
    c9_vpanel_t *p = c9_vpanel_new(&pc);
    if (!p) {
        return C9_ERR_NOMEM;
    }
    c9_err_t err = own(p, &w, false);
    if (err == C9_OK && owned_count > 1) {
        /* the built-in display first, whatever was wired before the board was known */
        owned_t t = owned[owned_count - 1];
        memmove(&owned[1], &owned[0], sizeof(owned_t) * (owned_count - 1));
        owned[0] = t;
    }
    return err;
}

/* The pins that tell one device on a bus from another. */
static c9_vpanel_t *panel_wired_at(const c9_port_wiring_t *w, bool *something) {
    int key = -1;
    switch (w->kind) {
    case C9_PORT_WIRING_FOURWIRE:
        key = w->chip_select >= 0 ? w->chip_select : w->command >= 0 ? w->command : w->mosi;
        break;
    case C9_PORT_WIRING_PARALLEL: key = w->chip_select >= 0 ? w->chip_select : w->write; break;
    case C9_PORT_WIRING_I2C: {
        bool is_panel = false;
        const void *owner = c9__vboard_i2c_owner(w->scl, w->sda, w->address, &is_panel);
        *something = owner != NULL;
        return is_panel ? (c9_vpanel_t *)(uintptr_t)owner : NULL;
    }
    default: *something = false; return NULL;
    }
    *something = c9_vboard_owner_on(key) != NULL;
    return c9_vboard_panel_on(key);
}

static owned_t *owned_breakout(const c9_vpanel_t *p) {
    for (size_t i = 0; p && i < owned_count; i++) {
        if (owned[i].panel == p && owned[i].breakout) {
            return &owned[i];
        }
    }
    return NULL;
}

c9_err_t c9_port_panel_connect(const c9_port_wiring_t *w) {
    if (!w || w->kind < C9_PORT_WIRING_FOURWIRE || w->kind > C9_PORT_WIRING_PARALLEL) {
        return C9_ERR_INVAL;
    }
    bool something;
    panel_wired_at(w, &something);
    if (something || !breakouts_on) {
        return C9_OK;
    }
    /* Until a display describes it, the breakout is the common module of its bus: an SSD1306
     * 128x64 on I2C, an ST7789 240x320 otherwise. */
    c9_vpanel_config_t pc;
    c9_vpanel_config_defaults(&pc, w->kind == C9_PORT_WIRING_I2C ? "SSD1306" : "ST7789");
    pc.i2c_address = w->address;
    c9_vpanel_t *p = c9_vpanel_new(&pc);
    return p ? own(p, w, true) : C9_ERR_NOMEM;
}

static bool same_config(const c9_vpanel_config_t *a, const c9_vpanel_config_t *b) {
    return !strcmp(a->controller, b->controller) && a->ram_width == b->ram_width && a->ram_height == b->ram_height &&
           a->glass_width == b->glass_width && a->glass_height == b->glass_height && a->glass_x == b->glass_x &&
           a->glass_y == b->glass_y && a->glass_inverted == b->glass_inverted && a->glass_bgr == b->glass_bgr &&
           a->glass_mirror_x == b->glass_mirror_x && a->glass_madctl == b->glass_madctl && a->com_pins == b->com_pins &&
           a->i2c_address == b->i2c_address && a->mount_rotation == b->mount_rotation;
}

c9_err_t c9_port_panel_configure(const c9_port_wiring_t *w, const c9_port_panel_desc_t *desc) {
    if (!w || !desc) {
        return C9_ERR_INVAL;
    }
    bool something;
    c9_vpanel_t *p = panel_wired_at(w, &something);
    if (!p) {
        /* Nothing there, or a device that is no panel: the display has no glass to show. */
        last_panel = NULL;
        last_has_no_glass = true;
        return something ? C9_OK : C9_ERR_NOENT;
    }
    owned_t *o = owned_breakout(p);
    if (o) {
        c9_vpanel_config_t pc;
        c9_err_t err = c9_host_breakout_describe(desc, w->kind == C9_PORT_WIRING_I2C, &pc);
        if (err != C9_OK) {
            return err;
        }
        pc.i2c_address = w->address;
        if (!same_config(&pc, c9_vpanel_config(p))) {
            /* The driver describes another module than the one standing in: swap it in place. */
            c9_vpanel_t *np = c9_vpanel_new(&pc);
            if (!np) {
                return C9_ERR_NOMEM;
            }
            if ((err = wire(np, &o->wiring)) != C9_OK) {
                c9_vpanel_free(np);
                return err;
            }
            c9_window_forget(p);
            if (last_panel == p) {
                last_panel = NULL;
            }
            c9_vpanel_free(p);
            o->panel = p = np;
            show(p, true);
        }
    }
    last_panel = p;
    last_has_no_glass = false;
    return C9_OK;
}

void c9_port_panel_disconnect(const c9_port_wiring_t *w) {
    (void)w; /* the breakout stays on its pins with its picture, as a real one would */
}

c9_err_t c9_port_panel_screenshot(const char *path) {
    c9_vpanel_t *p = c9_host_panel_last();
    return p ? c9_vpanel_write_png(p, path) : C9_ERR_NOENT;
}

size_t c9_host_panel_count(void) {
    return owned_count;
}

c9_vpanel_t *c9_host_panel_at(size_t index) {
    return index < owned_count ? owned[index].panel : NULL;
}

c9_vpanel_t *c9_host_panel_last(void) {
    if (last_panel || last_has_no_glass) {
        return last_panel;
    }
    return owned_count && !owned[0].breakout ? owned[0].panel : NULL;
}

bool c9_host_panel_is_breakout(const c9_vpanel_t *p) {
    return owned_breakout(p) != NULL;
}

/* ---- tables built elsewhere ------------------------------------------------------------------------ */

#define MAX_USB_HOSTS 4
static struct {
    int dp, dm;
    const struct c9_usb_hcd_ops *ops;
    void *ctx;
} usb_hosts[MAX_USB_HOSTS];

c9_err_t c9_host_register_usb_host(int dp, int dm, const struct c9_usb_hcd_ops *ops, void *ctx) {
    int free_slot = -1;
    for (int i = 0; i < MAX_USB_HOSTS; i++) {
        if (usb_hosts[i].ops && usb_hosts[i].dp == dp && usb_hosts[i].dm == dm) {
            usb_hosts[i].ops = ops;
            usb_hosts[i].ctx = ctx;
            return C9_OK;
        }
        if (!usb_hosts[i].ops && free_slot < 0) {
            free_slot = i;
        }
    }
    if (!ops) {
        return C9_OK;
    }
    if (free_slot < 0) {
        return C9_ERR_NOMEM;
    }
    usb_hosts[free_slot].dp = dp;
    usb_hosts[free_slot].dm = dm;
    usb_hosts[free_slot].ops = ops;
    usb_hosts[free_slot].ctx = ctx;
    return C9_OK;
}

/* The GPIO number of an RP2040 pin name ("GPIO16"), or -1. */
static int gpio_number(int pin) {
    const char *n = c9_port_pin_name(pin);
    if (strncmp(n, "GPIO", 4) != 0 || !n[4]) {
        return -1;
    }
    char *end;
    long v = strtol(n + 4, &end, 10);
    return *end ? -1 : (int)v;
}

/* Whether the board's host port can be on these pins. RP2040 boards run it on PIO-USB, which
 * takes any two adjacent GPIOs (D+ below or above D-); others only on the pins the board names. */
static bool usb_pins_fit(const c9_board_t *b, int dp, int dm) {
    if (!strcmp(b->mcu_family, "rp2040")) {
        int p = gpio_number(dp), m = gpio_number(dm);
        return p >= 0 && m >= 0 && (p + 1 == m || p - 1 == m);
    }
    return b->usb_host_dp && b->usb_host_dm && pin_of(b, b->usb_host_dp) == dp && pin_of(b, b->usb_host_dm) == dm;
}

c9_err_t c9_port_usb_host(int dp, int dm, const struct c9_usb_hcd_ops **ops, void **ctx, uint8_t *rhport) {
    bool any = false;
    for (int i = 0; i < MAX_USB_HOSTS; i++) {
        if (!usb_hosts[i].ops) {
            continue;
        }
        any = true;
        if (usb_hosts[i].dp == dp && usb_hosts[i].dm == dm) {
            *ops = usb_hosts[i].ops;
            *ctx = usb_hosts[i].ctx;
            *rhport = 0;
            return C9_OK;
        }
    }
    const c9_board_t *b = c9_port_board();
    if (b->usb_host_ports) {
        /* The board's own port: the devices --usb plugged in, or a real one through libusb. */
        if (!usb_pins_fit(b, dp, dm)) {
            return C9_ERR_NODEV;
        }
        c9__host_usb_controller(ops, ctx, rhport);
        return C9_OK;
    }
    return any ? C9_ERR_NODEV : C9_ERR_NOSYS;
}

/* Sockets, TLS and the wifi station: net_board.c. */

#define MAX_BLOCKDEVS 8
static struct {
    char name[16];
    const c9_blockdev_t *bd;
} blockdevs[MAX_BLOCKDEVS];

c9_err_t c9_host_register_blockdev(const char *name, const c9_blockdev_t *bd) {
    if (!name || !*name || strlen(name) >= sizeof blockdevs[0].name) {
        return C9_ERR_INVAL;
    }
    int free_slot = -1;
    for (int i = 0; i < MAX_BLOCKDEVS; i++) {
        if (blockdevs[i].bd && !strcmp(blockdevs[i].name, name)) {
            blockdevs[i].bd = bd;
            return C9_OK;
        }
        if (!blockdevs[i].bd && free_slot < 0) {
            free_slot = i;
        }
    }
    if (!bd) {
        return C9_OK;
    }
    if (free_slot < 0) {
        return C9_ERR_NOMEM;
    }
    snprintf(blockdevs[free_slot].name, sizeof blockdevs[0].name, "%s", name);
    blockdevs[free_slot].bd = bd;
    return C9_OK;
}

c9_err_t c9_port_blockdev(const char *name, const c9_blockdev_t **out) {
    for (int i = 0; name && i < MAX_BLOCKDEVS; i++) {
        if (blockdevs[i].bd && !strcmp(blockdevs[i].name, name)) {
            *out = blockdevs[i].bd;
            return C9_OK;
        }
    }
    return C9_ERR_NOENT;
}

/* Disk images are files of the host (fileblock.c). */
struct c9_port_image {
    c9_host_blockdev_t h;
};

c9_err_t c9_port_image_open(const char *path, unsigned flags, uint64_t create_bytes, c9_port_image_t **out,
                            c9_blockdev_t *bd) {
    if (!path || !out || !bd) {
        return C9_ERR_INVAL;
    }
    c9_port_image_t *img = calloc(1, sizeof(*img));
    if (!img) {
        return C9_ERR_NOMEM;
    }
    c9_err_t err = flags & C9_PORT_IMAGE_CREATE
                       ? c9_host_blockdev_create(&img->h, path, create_bytes, bd)
                       : c9_host_blockdev_open(&img->h, path,
                                               (flags & C9_PORT_IMAGE_WRITE ? C9_HOST_BD_WRITE : 0u) |
                                                   (flags & C9_PORT_IMAGE_WHOLE ? C9_HOST_BD_WHOLE : 0u),
                                               bd);
    if (err != C9_OK) {
        free(img);
        return err;
    }
    *out = img;
    return C9_OK;
}

c9_err_t c9_port_image_close(c9_port_image_t *image) {
    if (!image) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = c9_host_blockdev_close(&image->h);
    free(image);
    return err;
}

/* ---- odds and ends ----------------------------------------------------------------------------- */

c9_err_t c9_port_random(void *buf, size_t len) {
    uint8_t *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return C9_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return C9_OK;
}
