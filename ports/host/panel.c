/*
 * Panel models. Each keeps its controller's frame memory and registers and changes them only from
 * the bytes reaching its one sink (bytes with the D/C level, and a reset), so a wrong init
 * sequence, window or pixel format shows as a wrong picture, as on hardware. How the bytes got
 * there (SPI with a D/C pin or in 9-bit words, an 8080 bus, I2C control bytes) is the virtual
 * board's business, not the panel's.
 *
 * MIPI DCS (ST7789, ILI9341): SWRESET, SLPIN/SLPOUT, INVOFF/INVON, NORON, DISPOFF/DISPON, CASET,
 * RASET, RAMWR, RAMWRC, MADCTL (MY, MX, MV, BGR), COLMOD (16 and 18 bits a pixel); other commands
 * take their parameters and change nothing. Frame memory address (column, row) in the window
 * maps to memory as the datasheets describe: MV exchanges row and column, then MX and MY mirror.
 *
 * SSD1306: display on/off, contrast, addressing modes (horizontal,
 * vertical, page), column/page windows, page/column start in page mode, segment remap, COM scan
 * direction, multiplex ratio, display offset, start line, COM pins configuration, inversion,
 * entire display on, charge pump. The modelled module is wired like the common 128x64 and
 * 128x32 boards: the picture is upright with segment remap and reversed COM scan, and the glass
 * stays dark unless the charge pump is enabled.
 */
#include "vpanel_internal.h"

#include <stdlib.h>
#include <string.h>

c9_err_t c9_vpanel_config_defaults(c9_vpanel_config_t *cfg, const char *controller) {
    memset(cfg, 0, sizeof(*cfg));
    if (!strcmp(controller, "ST7789") || !strcmp(controller, "ILI9341")) {
        cfg->controller = !strcmp(controller, "ST7789") ? "ST7789" : "ILI9341";
        cfg->ram_width = 240;
        cfg->ram_height = 320;
        cfg->glass_width = 240;
        cfg->glass_height = 320;
        cfg->glass_inverted = cfg->controller[0] == 'S'; /* IPS glass: INVON gives true colours */
        cfg->glass_bgr = cfg->controller[0] == 'I';
        return C9_OK;
    }
    if (!strcmp(controller, "SSD1306")) {
        cfg->controller = "SSD1306";
        cfg->ram_width = 128;
        cfg->ram_height = 64;
        cfg->glass_width = 128;
        cfg->glass_height = 64;
        cfg->i2c_address = 0x3C;
        return C9_OK;
    }
    return C9_ERR_NOENT;
}

static void dcs_reset(c9_vpanel_t *p) {
    p->st.sleeping = true;
    p->st.display_on = false;
    p->st.inverted = false;
    p->st.madctl = 0;
    p->st.colmod = 0x66;
    p->xs = 0;
    p->xe = (uint16_t)(p->cfg.ram_width - 1);
    p->ys = 0;
    p->ye = (uint16_t)(p->cfg.ram_height - 1);
    p->in_ramwr = false;
    p->st.resets++;
}

static void ssd_reset(c9_vpanel_t *p) {
    p->st.display_on = false;
    p->st.inverted = false;
    p->mode = 2;
    p->col_start = 0;
    p->col_end = 127;
    p->page_start = 0;
    p->page_end = 7;
    p->page = 0;
    p->col = 0;
    p->mux = 63;
    p->offset = 0;
    p->start_line = 0;
    p->com_pins = 0x12;
    p->contrast = 0x7F;
    p->seg_remap = p->com_remap = p->all_on = p->charge_pump = false;
    p->st.resets++;
}

c9_vpanel_t *c9_vpanel_new(const c9_vpanel_config_t *cfg) {
    c9_vpanel_t *p = calloc(1, sizeof(*p));
    if (!p) {
        return NULL;
    }
    p->cfg = *cfg;
    p->model = !strcmp(cfg->controller, "SSD1306") ? MODEL_SSD1306 : MODEL_DCS;
    p->ram_size = p->model == MODEL_DCS ? (size_t)cfg->ram_width * cfg->ram_height * 3
                                        : (size_t)cfg->ram_width * ((cfg->ram_height + 7) / 8);
    p->ram = malloc(p->ram_size);
    if (!p->ram) {
        free(p);
        return NULL;
    }
    /* Power-on memory holds noise, so undrawn areas show up in a screenshot. */
    uint32_t h = 0x12345678u;
    for (size_t i = 0; i < p->ram_size; i++) {
        h ^= h << 13;
        h ^= h >> 17;
        h ^= h << 5;
        p->ram[i] = (uint8_t)h;
    }
    if (p->model == MODEL_DCS) {
        dcs_reset(p);
    } else {
        ssd_reset(p);
    }
    p->st.resets = 0;
    return p;
}

void c9_vpanel_free(c9_vpanel_t *p) {
    if (p) {
        c9_window_forget(p);
        c9_vboard_detach(p);
        free(p->ram);
        free(p);
    }
}

const c9_vpanel_config_t *c9_vpanel_config(const c9_vpanel_t *p) {
    return &p->cfg;
}

void c9_vpanel_state(const c9_vpanel_t *p, c9_vpanel_state_t *out) {
    *out = p->st;
}

void c9_vpanel_set_listener(c9_vpanel_t *p, void (*fn)(void *ctx, c9_vpanel_t *p), void *ctx) {
    p->listener = fn;
    p->listener_ctx = ctx;
}

void c9__vpanel_notify(c9_vpanel_t *p) {
    if (p->listener) {
        p->listener(p->listener_ctx, p);
    }
}

/* ---- MIPI DCS -------------------------------------------------------------------------------- */

static void dcs_store(c9_vpanel_t *p, uint32_t r, uint32_t g, uint32_t b) {
    uint32_t c = p->col, rw = p->row;
    bool mv = p->st.madctl & 0x20;
    uint32_t pc = mv ? rw : c, pr = mv ? c : rw;
    /* An address past the frame memory is dropped before mirroring, as the controller never
     * reaches it (mirroring it would wrap into the memory). */
    if (pc < p->cfg.ram_width && pr < p->cfg.ram_height) {
        if (p->st.madctl & 0x40) {
            pc = p->cfg.ram_width - 1 - pc;
        }
        if (p->st.madctl & 0x80) {
            pr = p->cfg.ram_height - 1 - pr;
        }
        uint8_t *m = p->ram + ((size_t)pr * p->cfg.ram_width + pc) * 3;
        m[0] = (uint8_t)r;
        m[1] = (uint8_t)g;
        m[2] = (uint8_t)b;
    }
    p->st.pixels_written++;
    /* The address counter walks the window row by row and wraps. */
    if (++p->col > p->xe) {
        p->col = p->xs;
        if (++p->row > p->ye) {
            p->row = p->ys;
        }
    }
}

static void dcs_pixel_byte(c9_vpanel_t *p, uint8_t b) {
    p->pix[p->npix++] = b;
    uint8_t fmt = p->st.colmod & 0x07;
    if (fmt == 5) { /* 16 bits: RGB565, MSB first */
        if (p->npix == 2) {
            uint32_t v = ((uint32_t)p->pix[0] << 8) | p->pix[1];
            uint32_t r = v >> 11, g = (v >> 5) & 0x3F, bl = v & 0x1F;
            dcs_store(p, (r << 3) | (r >> 2), (g << 2) | (g >> 4), (bl << 3) | (bl >> 2));
            p->npix = 0;
        }
    } else { /* 18 bits (and anything else): one byte per channel, top 6 bits used */
        if (p->npix == 3) {
            uint32_t r = p->pix[0] & 0xFC, g = p->pix[1] & 0xFC, bl = p->pix[2] & 0xFC;
            dcs_store(p, r | (r >> 6), g | (g >> 6), bl | (bl >> 6));
            p->npix = 0;
        }
    }
}

static void dcs_command(c9_vpanel_t *p, uint8_t cmd) {
    p->st.commands++;
    p->st.last_command = cmd;
    p->cmd = cmd;
    p->nparam = 0;
    p->in_ramwr = false;
    switch (cmd) {
    case 0x01: dcs_reset(p); break; /* SWRESET */
    case 0x10: p->st.sleeping = true; break;
    case 0x11: p->st.sleeping = false; break;
    case 0x20: p->st.inverted = false; break;
    case 0x21: p->st.inverted = true; break;
    case 0x28: p->st.display_on = false; break;
    case 0x29: p->st.display_on = true; break;
    case 0x2C: /* RAMWR: restart at the window's corner */
        p->col = p->xs;
        p->row = p->ys;
        p->in_ramwr = true;
        p->npix = 0;
        break;
    case 0x3C: /* RAMWRC: continue where the last write stopped */
        p->in_ramwr = true;
        p->npix = 0;
        break;
    default: break;
    }
}

static void dcs_data(c9_vpanel_t *p, uint8_t b) {
    p->st.data_bytes++;
    if (p->in_ramwr) {
        dcs_pixel_byte(p, b);
        return;
    }
    if (p->nparam < sizeof(p->params)) {
        p->params[p->nparam] = b;
    }
    p->nparam++;
    switch (p->cmd) {
    case 0x2A:
        if (p->nparam == 4) {
            p->xs = (uint16_t)(p->params[0] << 8 | p->params[1]);
            p->xe = (uint16_t)(p->params[2] << 8 | p->params[3]);
        }
        break;
    case 0x2B:
        if (p->nparam == 4) {
            p->ys = (uint16_t)(p->params[0] << 8 | p->params[1]);
            p->ye = (uint16_t)(p->params[2] << 8 | p->params[3]);
        }
        break;
    case 0x36:
        if (p->nparam == 1) {
            p->st.madctl = b;
        }
        break;
    case 0x3A:
        if (p->nparam == 1) {
            p->st.colmod = b;
        }
        break;
    default:
        if (p->nparam == 1 && (p->cmd == 0x00)) {
            p->st.bad_bytes++; /* NOP takes no parameters */
        }
        break;
    }
}

static void dcs_render(const c9_vpanel_t *p, uint8_t *rgb) {
    const c9_vpanel_config_t *c = &p->cfg;
    bool visible = !p->st.sleeping && p->st.display_on;
    bool swap_rb = ((p->st.madctl & 0x08) != 0) != c->glass_bgr;
    bool invert = p->st.inverted != c->glass_inverted;
    /* The glass sits at controller addresses (glass_x + x, glass_y + y) as an address mode of
     * glass_madctl maps them to frame memory, the way dcs_store() does for writes. */
    bool mv = c->glass_madctl & 0x20, mx = c->glass_madctl & 0x40, my = c->glass_madctl & 0x80;
    for (uint32_t y = 0; y < c->glass_height; y++) {
        for (uint32_t x = 0; x < c->glass_width; x++) {
            uint8_t *o = rgb + ((size_t)y * c->glass_width + x) * 3;
            uint32_t col = c->glass_x + (c->glass_mirror_x ? c->glass_width - 1 - x : x), row = c->glass_y + y;
            uint32_t mc = mv ? row : col, mr = mv ? col : row;
            if (mx) {
                mc = c->ram_width - 1 - mc;
            }
            if (my) {
                mr = c->ram_height - 1 - mr;
            }
            if (!visible || mc >= c->ram_width || mr >= c->ram_height) {
                o[0] = o[1] = o[2] = 0;
                continue;
            }
            const uint8_t *m = p->ram + ((size_t)mr * c->ram_width + mc) * 3;
            uint8_t r = m[0], g = m[1], b = m[2];
            if (swap_rb) {
                uint8_t t = r;
                r = b;
                b = t;
            }
            if (invert) {
                r ^= 0xFF;
                g ^= 0xFF;
                b ^= 0xFF;
            }
            o[0] = r;
            o[1] = g;
            o[2] = b;
        }
    }
}

/* ---- SSD1306 --------------------------------------------------------------------------------- */

static int ssd_param_count(uint8_t cmd) {
    switch (cmd) {
    case 0x81:
    case 0x20:
    case 0xA8:
    case 0xD3:
    case 0xD5:
    case 0xD9:
    case 0xDA:
    case 0xDB:
    case 0x8D: return 1;
    case 0x21:
    case 0x22:
    case 0xA3: return 2;
    case 0x29:
    case 0x2A: return 5;
    case 0x26:
    case 0x27: return 6;
    default: return 0;
    }
}

static void ssd_apply(c9_vpanel_t *p) {
    const uint8_t *a = p->params;
    switch (p->cmd) {
    case 0x81: p->contrast = a[0]; break;
    case 0x20: p->mode = a[0] & 3; break;
    case 0x21:
        p->col_start = a[0] & 0x7F;
        p->col_end = a[1] & 0x7F;
        p->col = p->col_start;
        break;
    case 0x22:
        p->page_start = a[0] & 7;
        p->page_end = a[1] & 7;
        p->page = p->page_start;
        break;
    case 0xA8: p->mux = a[0] & 0x3F; break;
    case 0xD3: p->offset = a[0] & 0x3F; break;
    case 0xDA: p->com_pins = a[0] & 0x32; break;
    case 0x8D: p->charge_pump = (a[0] & 0x04) != 0; break;
    default: break;
    }
}

static void ssd_command_byte(c9_vpanel_t *p, uint8_t b) {
    if (p->nparam < ssd_param_count(p->cmd) && p->in_ramwr) {
        /* in_ramwr doubles as "collecting parameters" for the SSD1306 */
        p->params[p->nparam++] = b;
        p->st.data_bytes++;
        if (p->nparam == ssd_param_count(p->cmd)) {
            ssd_apply(p);
            p->in_ramwr = false;
        }
        return;
    }
    p->st.commands++;
    p->st.last_command = b;
    p->cmd = b;
    p->nparam = 0;
    p->in_ramwr = ssd_param_count(b) > 0;
    if (p->in_ramwr) {
        return;
    }
    if (b >= 0xB0 && b <= 0xB7) {
        p->page = b & 7;
    } else if (b <= 0x0F) {
        p->col = (uint8_t)((p->col & 0xF0) | b);
    } else if (b >= 0x10 && b <= 0x1F) {
        p->col = (uint8_t)(((b & 0x07) << 4) | (p->col & 0x0F));
    } else if (b >= 0x40 && b <= 0x7F) {
        p->start_line = b & 0x3F;
    } else {
        switch (b) {
        case 0xAE: p->st.display_on = false; break;
        case 0xAF: p->st.display_on = true; break;
        case 0xA0: p->seg_remap = false; break;
        case 0xA1: p->seg_remap = true; break;
        case 0xA4: p->all_on = false; break;
        case 0xA5: p->all_on = true; break;
        case 0xA6: p->st.inverted = false; break;
        case 0xA7: p->st.inverted = true; break;
        case 0xC0: p->com_remap = false; break;
        case 0xC8: p->com_remap = true; break;
        default: break;
        }
    }
}

static void ssd_data_byte(c9_vpanel_t *p, uint8_t b) {
    p->st.data_bytes++;
    p->st.pixels_written += 8;
    if (p->col < p->cfg.ram_width && p->page < (p->cfg.ram_height + 7) / 8) {
        p->ram[(size_t)p->page * p->cfg.ram_width + p->col] = b;
    }
    switch (p->mode) {
    case 0: /* horizontal */
        if (++p->col > p->col_end) {
            p->col = p->col_start;
            if (++p->page > p->page_end) {
                p->page = p->page_start;
            }
        }
        break;
    case 1: /* vertical */
        if (++p->page > p->page_end) {
            p->page = p->page_start;
            if (++p->col > p->col_end) {
                p->col = p->col_start;
            }
        }
        break;
    default: /* page: the column wraps within the page */ p->col = (uint8_t)((p->col + 1) & 0x7F); break;
    }
}

static void ssd_render(const c9_vpanel_t *p, uint8_t *rgb) {
    const c9_vpanel_config_t *c = &p->cfg;
    bool lit = p->st.display_on && p->charge_pump;
    uint32_t rows = (uint32_t)p->mux + 1;
    uint8_t want_pins = c->com_pins ? c->com_pins : c->glass_height > 32 ? 0x12 : 0x02;
    for (uint32_t y = 0; y < c->glass_height; y++) {
        for (uint32_t x = 0; x < c->glass_width; x++) {
            uint8_t *o = rgb + ((size_t)y * c->glass_width + x) * 3;
            /* The module drives glass (x, y) from SEG 127-(glass_x+x) and COM (rows-1-y). */
            uint32_t seg = c->ram_width - 1 - (c->glass_x + x);
            uint32_t com = c->glass_height - 1 - y;
            bool on = false;
            if (lit && com < rows && seg < c->ram_width) {
                uint32_t col = p->seg_remap ? c->ram_width - 1 - seg : seg;
                uint32_t r = p->com_remap ? rows - 1 - com : com;
                if ((p->com_pins & 0x10) != (want_pins & 0x10)) {
                    /* Wrong COM pin configuration for the module: rows come out interleaved. */
                    r = (r % 2) * (rows / 2) + r / 2;
                }
                r = (r + p->offset + p->start_line) % 64;
                on = (p->ram[(r / 8) * c->ram_width + col] >> (r % 8)) & 1;
                if (p->all_on) {
                    on = true;
                }
                if (p->st.inverted) {
                    on = !on;
                }
            }
            o[0] = o[1] = o[2] = on ? 0xFF : 0x00;
        }
    }
}

/* ---- the byte sink --------------------------------------------------------------------------- */

static void sink_write(void *ctx, bool dc, const uint8_t *d, size_t n) {
    c9_vpanel_t *p = ctx;
    for (size_t i = 0; i < n; i++) {
        if (p->model == MODEL_DCS) {
            if (dc) {
                dcs_data(p, d[i]);
            } else {
                dcs_command(p, d[i]);
            }
        } else if (dc) {
            ssd_data_byte(p, d[i]);
        } else {
            ssd_command_byte(p, d[i]);
        }
    }
    c9__vpanel_notify(p);
}

static void sink_reset(void *ctx) {
    c9_vpanel_t *p = ctx;
    if (p->model == MODEL_DCS) {
        dcs_reset(p);
    } else {
        ssd_reset(p);
    }
    c9__vpanel_notify(p);
}

/* A read transaction: the SSD1306 answers with its status byte (bit 6: display off); DCS panels
 * on these buses have no read path wired (SDO/MISO unconnected), so nothing answers. */
static size_t sink_read(void *ctx, uint8_t *d, size_t n) {
    c9_vpanel_t *p = ctx;
    if (p->model != MODEL_SSD1306) {
        return 0;
    }
    memset(d, p->st.display_on ? 0x00 : 0x40, n);
    return n;
}

c9_vsink_t c9_vpanel_sink(c9_vpanel_t *p) {
    return (c9_vsink_t){sink_write, sink_reset, sink_read, p};
}

void c9_vpanel_feed(c9_vpanel_t *p, bool dc, const uint8_t *data, size_t len) {
    sink_write(p, dc, data, len);
}

void c9_vpanel_render(const c9_vpanel_t *p, uint8_t *rgb) {
    if (p->model == MODEL_DCS) {
        dcs_render(p, rgb);
    } else {
        ssd_render(p, rgb);
    }
}

static uint16_t mount(const c9_vpanel_t *p) {
    uint16_t r = p->cfg.mount_rotation % 360;
    return r % 90 ? 0 : r;
}

void c9_vpanel_view_size(const c9_vpanel_t *p, uint16_t *width, uint16_t *height) {
    bool swap = mount(p) == 90 || mount(p) == 270;
    *width = swap ? p->cfg.glass_height : p->cfg.glass_width;
    *height = swap ? p->cfg.glass_width : p->cfg.glass_height;
}

void c9_vpanel_render_view(const c9_vpanel_t *p, uint8_t *rgb) {
    uint16_t r = mount(p);
    if (r == 0) {
        c9_vpanel_render(p, rgb);
        return;
    }
    uint32_t gw = p->cfg.glass_width, gh = p->cfg.glass_height;
    uint8_t *glass = malloc(gw * gh * 3 + 1);
    if (!glass) {
        memset(rgb, 0, gw * gh * 3);
        return;
    }
    c9_vpanel_render(p, glass);
    uint16_t vw, vh;
    c9_vpanel_view_size(p, &vw, &vh);
    /* BusDisplay's rotation: at 90 the view's (x, y) is glass (gw-1-y, x), at 180
     * (gw-1-x, gh-1-y), at 270 (y, gh-1-x). */
    for (uint32_t y = 0; y < vh; y++) {
        for (uint32_t x = 0; x < vw; x++) {
            uint32_t gx = r == 90 ? gw - 1 - y : r == 180 ? gw - 1 - x : y;
            uint32_t gy = r == 90 ? x : r == 180 ? gh - 1 - y : gh - 1 - x;
            memcpy(rgb + ((size_t)y * vw + x) * 3, glass + ((size_t)gy * gw + gx) * 3, 3);
        }
    }
    free(glass);
}

c9_err_t c9_vpanel_write_png(const c9_vpanel_t *p, const char *path) {
    size_t size = (size_t)p->cfg.glass_width * p->cfg.glass_height * 3;
    uint8_t *rgb = malloc(size ? size : 1);
    if (!rgb) {
        return C9_ERR_NOMEM;
    }
    uint16_t vw, vh;
    c9_vpanel_view_size(p, &vw, &vh);
    c9_vpanel_render_view(p, rgb);
    c9_err_t err = c9_png_write(path, rgb, vw, vh, vw * 3u, 3);
    free(rgb);
    return err;
}
