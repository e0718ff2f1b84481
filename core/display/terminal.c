/* terminalio.Terminal's text logic: cursor, scrolling ring, escape sequences (see display.h). */
#include "display_internal.h"

enum {
    ST_GROUND,
    ST_ESC,       /* after ESC */
    ST_ESC_INTER, /* ESC + intermediate bytes (ESC ( B ...): skip to the final byte */
    ST_CSI,       /* ESC [ parameters */
    ST_OSC_NUM,   /* ESC ] command number */
    ST_OSC_TEXT,  /* ESC ] n ; text */
    ST_OSC_ESC,   /* ESC inside OSC text: ESC \ ends it */
};

#define PARAM_MAX 9999
/* An OSC that never ends would swallow the console; give up after this many characters. */
#define OSC_MAX 512

static uint16_t screen_to_grid(const c9_terminal_t *t, uint16_t row) {
    const c9_tilegrid_t *g = t->scroll_area;
    return (uint16_t)((row + g->top_left_y) % g->height);
}

static uint16_t grid_to_screen(const c9_terminal_t *t, uint16_t y) {
    const c9_tilegrid_t *g = t->scroll_area;
    return (uint16_t)((y + g->height - g->top_left_y) % g->height);
}

static void blank_cells(c9_terminal_t *t, uint16_t y, uint16_t x1, uint16_t x2) {
    for (uint16_t x = x1; x < x2 && x < t->scroll_area->width; x++) {
        c9_tilegrid_set_tile(t->scroll_area, x, y, t->blank);
    }
}

static void blank_all(c9_tilegrid_t *g, uint16_t blank) {
    for (uint16_t y = 0; y < g->height; y++) {
        for (uint16_t x = 0; x < g->width; x++) {
            c9_tilegrid_set_tile(g, x, y, blank);
        }
    }
}

/* Next row; when it is the ring's top row (the screen is full) the screen scrolls up one line. */
static void line_feed(c9_terminal_t *t) {
    c9_tilegrid_t *g = t->scroll_area;
    t->cursor_y = (uint16_t)((t->cursor_y + 1) % g->height);
    if (t->cursor_y == g->top_left_y) {
        blank_cells(t, t->cursor_y, 0, g->width);
        c9_tilegrid_set_top_left(g, 0, (uint16_t)((t->cursor_y + 1) % g->height));
    }
}

static void put_glyph(c9_terminal_t *t, uint32_t cp) {
    int32_t tile = c9_font_tile(t->font, cp);
    if (tile < 0) {
        return; /* not in the font: skipped, the cursor stays */
    }
    c9_tilegrid_set_tile(t->scroll_area, t->cursor_x, t->cursor_y, (uint16_t)tile);
    if (++t->cursor_x >= t->scroll_area->width) {
        t->cursor_x = 0;
        line_feed(t);
    }
}

static void put_status(c9_terminal_t *t, uint32_t cp) {
    c9_tilegrid_t *s = t->status_bar;
    if (!s || t->osc_command != 0) {
        return;
    }
    int32_t tile = c9_font_tile(t->font, cp);
    if (tile < 0 || t->status_x >= (uint32_t)s->width * s->height) {
        return;
    }
    c9_tilegrid_set_tile(s, (uint16_t)(t->status_x % s->width), (uint16_t)(t->status_x / s->width), (uint16_t)tile);
    t->status_x++;
}

static uint16_t param(const c9_terminal_t *t, unsigned i, uint16_t dflt) {
    return i < t->nparams && t->params[i] ? t->params[i] : dflt;
}

static void erase_screen(c9_terminal_t *t, unsigned mode) {
    c9_tilegrid_t *g = t->scroll_area;
    uint16_t row = grid_to_screen(t, t->cursor_y);
    if (mode >= 2) {
        /* As CircuitPython: the ring restarts at the top and the cursor goes home. */
        c9_tilegrid_set_top_left(g, 0, 0);
        blank_all(g, t->blank);
        t->cursor_x = t->cursor_y = 0;
        return;
    }
    for (uint16_t r = 0; r < g->height; r++) {
        uint16_t y = screen_to_grid(t, r);
        if (mode == 0 && r > row) {
            blank_cells(t, y, 0, g->width);
        } else if (mode == 1 && r < row) {
            blank_cells(t, y, 0, g->width);
        }
    }
    if (mode == 0) {
        blank_cells(t, t->cursor_y, t->cursor_x, g->width);
    } else {
        blank_cells(t, t->cursor_y, 0, (uint16_t)(t->cursor_x + 1));
    }
}

static void csi_dispatch(c9_terminal_t *t, uint32_t final) {
    c9_tilegrid_t *g = t->scroll_area;
    uint16_t row = grid_to_screen(t, t->cursor_y);
    uint16_t n = param(t, 0, 1);
    switch (final) {
    case 'A': t->cursor_y = screen_to_grid(t, n > row ? 0 : (uint16_t)(row - n)); break;
    case 'B': t->cursor_y = screen_to_grid(t, (uint16_t)C9_MIN((uint32_t)row + n, g->height - 1u)); break;
    case 'C': t->cursor_x = (uint16_t)C9_MIN((uint32_t)t->cursor_x + n, g->width - 1u); break;
    case 'D': t->cursor_x = n > t->cursor_x ? 0 : (uint16_t)(t->cursor_x - n); break;
    case 'G': t->cursor_x = (uint16_t)C9_MIN(n - 1u, g->width - 1u); break;
    case 'H':
    case 'f':
        t->cursor_y = screen_to_grid(t, (uint16_t)C9_MIN(n - 1u, g->height - 1u));
        t->cursor_x = (uint16_t)C9_MIN(param(t, 1, 1) - 1u, g->width - 1u);
        break;
    case 'J': erase_screen(t, param(t, 0, 0)); break;
    case 'K': {
        unsigned mode = param(t, 0, 0);
        uint16_t x1 = mode == 0 ? t->cursor_x : 0;
        uint16_t x2 = mode == 1 ? (uint16_t)(t->cursor_x + 1) : g->width;
        blank_cells(t, t->cursor_y, x1, x2);
        break;
    }
    default: break; /* SGR colours and everything else: ignored */
    }
}

/* C0 controls act in every state but OSC text, as on a VT100. */
static void control(c9_terminal_t *t, uint32_t c) {
    switch (c) {
    case '\r': t->cursor_x = 0; break;
    case '\n': line_feed(t); break;
    case '\b':
        if (t->cursor_x > 0) {
            t->cursor_x--;
        }
        break;
    default: break; /* tab, bell, ... are ignored as CircuitPython does */
    }
}

/* After ESC: CSI and OSC introducers; other sequences are consumed and ignored. */
static void step_esc(c9_terminal_t *t, uint32_t c) {
    if (c == '[') {
        t->state = ST_CSI;
        t->nparams = 0;
        t->private_marker = false;
        for (int i = 0; i < C9_TERMINAL_MAX_PARAMS; i++) {
            t->params[i] = 0;
        }
    } else if (c == ']') {
        t->state = ST_OSC_NUM;
        t->osc_command = 0;
        t->osc_len = 0;
    } else if (c < 0x20) {
        control(t, c);
    } else if (c < 0x30) {
        t->state = ST_ESC_INTER;
    } else {
        t->state = ST_GROUND; /* ESC 7, ESC c, ...: ignored */
    }
}

/* Inside ESC [: parameters, private markers, then the final byte that runs the command. */
static void step_csi(c9_terminal_t *t, uint32_t c) {
    if (c < 0x20) {
        control(t, c);
    } else if (c >= '0' && c <= '9') {
        if (t->nparams == 0) {
            t->nparams = 1;
        }
        if (t->nparams <= C9_TERMINAL_MAX_PARAMS) {
            uint16_t *p = &t->params[t->nparams - 1];
            *p = (uint16_t)C9_MIN(*p * 10u + (c - '0'), PARAM_MAX);
        }
    } else if (c == ';') {
        /* An empty first parameter still counts ("ESC[;5H"); parameters past the last slot are
         * dropped. */
        if (t->nparams == 0) {
            t->nparams = 1;
        }
        if (t->nparams <= C9_TERMINAL_MAX_PARAMS) {
            t->nparams++;
        }
    } else if (c >= 0x3a && c <= 0x3f) {
        t->private_marker = true; /* ESC[?25l and friends: not ours */
    } else if (c >= 0x20 && c <= 0x2f) {
        t->private_marker = true; /* intermediate bytes: no sequence we know has them */
    } else if (c >= 0x40 && c <= 0x7e) {
        if (t->nparams > C9_TERMINAL_MAX_PARAMS) {
            t->nparams = C9_TERMINAL_MAX_PARAMS;
        }
        if (!t->private_marker) {
            csi_dispatch(t, c);
        }
        t->state = ST_GROUND;
    } else {
        t->state = ST_GROUND; /* DEL or a non-ASCII character: malformed, dropped */
    }
}

/* ESC ] number ;: the command number (0 sets the title) before the text. */
static void step_osc_num(c9_terminal_t *t, uint32_t c) {
    if (++t->osc_len > OSC_MAX) {
        t->state = ST_GROUND;
    } else if (c >= '0' && c <= '9') {
        t->osc_command = (uint16_t)C9_MIN(t->osc_command * 10u + (c - '0'), PARAM_MAX);
    } else if (c == ';') {
        t->state = ST_OSC_TEXT;
        t->status_x = 0;
        if (t->osc_command == 0 && t->status_bar) {
            blank_all(t->status_bar, t->blank); /* a new title replaces the old one */
        }
    } else if (c == 7) {
        t->state = ST_GROUND;
    } else if (c == 0x1b) {
        t->state = ST_OSC_ESC;
    } else {
        t->osc_command = PARAM_MAX; /* not a title: its text is skipped */
        t->state = ST_OSC_TEXT;
    }
}

/* The OSC text up to BEL or ESC \: a title goes to the status bar. */
static void step_osc_text(c9_terminal_t *t, uint32_t c) {
    if (c == 7) {
        t->state = ST_GROUND;
    } else if (c == 0x1b) {
        t->state = ST_OSC_ESC;
    } else if (++t->osc_len > OSC_MAX) {
        t->state = ST_GROUND;
    } else if (c >= 0x20 && c != 0x7f) {
        put_status(t, c);
    }
}

/* One code point through the parser's state machine. */
static void step(c9_terminal_t *t, uint32_t c) {
    if (c == 0x1b && t->state != ST_OSC_TEXT && t->state != ST_OSC_NUM) {
        t->state = ST_ESC;
        return;
    }
    if (c == 0x18 || c == 0x1a) { /* CAN, SUB: abandon any sequence */
        t->state = ST_GROUND;
        return;
    }
    switch (t->state) {
    case ST_GROUND:
        if (c < 0x20) {
            control(t, c);
        } else if (c != 0x7f && !(c >= 0x80 && c < 0xa0)) {
            put_glyph(t, c);
        }
        return;
    case ST_ESC: step_esc(t, c); return;
    case ST_ESC_INTER:
        if (c < 0x20) {
            control(t, c);
        } else if (c >= 0x30) {
            t->state = ST_GROUND;
        }
        return;
    case ST_CSI: step_csi(t, c); return;
    case ST_OSC_NUM: step_osc_num(t, c); return;
    case ST_OSC_TEXT: step_osc_text(t, c); return;
    case ST_OSC_ESC:
        t->state = ST_GROUND;
        if (c != '\\') {
            /* Not a string terminator: the OSC ends here and the ESC starts a new sequence. */
            t->state = ST_ESC;
            step(t, c);
        }
        return;
    default: t->state = ST_GROUND; return;
    }
}

size_t c9_terminal_write(c9_terminal_t *t, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (t->utf8_need) {
            if ((b & 0xc0) == 0x80) {
                t->utf8_cp = (t->utf8_cp << 6) | (b & 0x3fu);
                if (--t->utf8_need == 0) {
                    step(t, t->utf8_cp);
                }
                continue;
            }
            t->utf8_need = 0; /* truncated sequence: dropped, this byte starts afresh */
        }
        if (b < 0x80) {
            step(t, b);
        } else if (b >= 0xc2 && b <= 0xdf) {
            t->utf8_cp = b & 0x1fu;
            t->utf8_need = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
            t->utf8_cp = b & 0x0fu;
            t->utf8_need = 2;
        } else if (b >= 0xf0 && b <= 0xf4) {
            t->utf8_cp = b & 0x07u;
            t->utf8_need = 3;
        }
        /* other bytes (stray continuations, 0xc0/0xc1, 0xf5..0xff) are not text: dropped */
    }
    return len;
}

c9_err_t c9_terminal_init(c9_terminal_t *t, c9_tilegrid_t *scroll_area, c9_tilegrid_t *status_bar,
                          const c9_builtin_font_t *font) {
    if (!t || !scroll_area || !font || !scroll_area->tiles || scroll_area->width == 0 || scroll_area->height == 0 ||
        (status_bar && (!status_bar->tiles || status_bar->width == 0 || status_bar->height == 0))) {
        return C9_ERR_INVAL;
    }
    *t = (c9_terminal_t){0};
    t->scroll_area = scroll_area;
    t->status_bar = status_bar;
    t->font = font;
    int32_t space = c9_font_tile(font, ' ');
    t->blank = space < 0 ? 0 : (uint16_t)space;
    t->state = ST_GROUND;
    blank_all(scroll_area, t->blank);
    if (status_bar) {
        blank_all(status_bar, t->blank);
    }
    /* Row 0 of the ring shown at the bottom: output starts on the last line, as on a board. */
    c9_tilegrid_set_top_left(scroll_area, 0, 1);
    return C9_OK;
}

void c9_terminal_cursor(const c9_terminal_t *t, uint16_t *column, uint16_t *row) {
    *column = t->cursor_x;
    *row = grid_to_screen(t, t->cursor_y);
}

void c9_terminal_layout(uint16_t width, uint16_t height, uint16_t glyph_w, uint16_t glyph_h,
                        c9_terminal_layout_t *out) {
    uint16_t gw = glyph_w ? glyph_w : 1, gh = glyph_h ? glyph_h : 1;
    uint16_t scale = width / gw <= 80 ? 1 : 2;
    uint16_t w = (uint16_t)(width / scale), h = (uint16_t)(height / scale);
    uint16_t columns = (uint16_t)C9_MAX(1, w / gw);
    uint16_t total_rows = (uint16_t)C9_MAX(2, h / gh);
    out->scale = scale;
    out->columns = columns;
    out->rows = (uint16_t)(total_rows - 1);
    out->scroll_x = (int16_t)(w - columns * gw);
    out->scroll_y = (int16_t)(h - out->rows * gh);
    out->status_columns = columns;
    out->status_x = (int16_t)(w - columns * gw);
    out->status_y = 0;
}
