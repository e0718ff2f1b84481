/* What a person looking at the virtual board sees: its display, and beside it a column with the
 * board's LEDs (NeoPixels in the colour their chain shows, plain LEDs lit while their pin is high)
 * and its buttons (pressed ones lit, each with the key that presses it in the window); LED strips a
 * program drives on other pins run in rows underneath. The window and --screenshot-board draw it;
 * docs/periph.md gives the geometry. */
#include "vpanel_internal.h"

#include <stdlib.h>
#include <string.h>

#define STRIP_W 48 /* the column of LEDs and buttons */
#define ITEM_H 48  /* one LED or button */
#define LED_R 14
#define BUTTON_SIDE 32
#define PIXEL_SIDE 10 /* one LED of a strip */
#define PIXEL_STEP 12

static const uint8_t background[3] = {24, 24, 24};

static int pin_of(const c9_board_t *b, const char *name) {
    const c9_board_pin_t *p = name ? c9_board_pin(b, name) : NULL;
    return p ? c9_vpin_find(p->mcu_pin) : -1;
}

static bool is_board_chain(const c9_board_t *b, int pin) {
    for (size_t i = 0; i < b->led_count; i++) {
        if (b->leds[i].kind == C9_BOARD_LED_NEOPIXEL && pin_of(b, b->leds[i].pin) == pin) {
            return true;
        }
    }
    return false;
}

/* Strips of LEDs on pins that are not the board's own, written at least once. */
static int strip_rows(const c9_board_t *b, int width, int *pins, int max, int *count) {
    int n = 0, rows = 0;
    int per_row = width / PIXEL_STEP > 0 ? width / PIXEL_STEP : 1;
    for (int pin = 0; pin < c9_vpin_count() && n < max; pin++) {
        const c9_pixel_chain_t *c = c9__pixels_on(pin);
        if (c && c->frames && !is_board_chain(b, pin)) {
            pins[n++] = pin;
            rows += (c->count + per_row - 1) / per_row;
        }
    }
    *count = n;
    return rows;
}

static size_t items(const c9_board_t *b) {
    return b->led_count + b->button_count;
}

void c9__board_view_size(const c9_vpanel_t *display, int *w, int *h) {
    const c9_board_t *b = c9_port_board();
    uint16_t dw = 0, dh = 0;
    if (display) {
        c9_vpanel_view_size(display, &dw, &dh);
    }
    int column = items(b) ? STRIP_W : 0;
    int width = dw + column;
    int height = dh > (int)items(b) * ITEM_H ? dh : (int)items(b) * ITEM_H;
    if (width < 4 * PIXEL_STEP) {
        width = 4 * PIXEL_STEP;
    }
    int pins[16], count;
    int rows = strip_rows(b, width, pins, 16, &count);
    *w = width;
    *h = height + (rows ? rows * PIXEL_STEP + 4 : 0);
    if (*h == 0) {
        *h = ITEM_H;
    }
}

static void fill(uint8_t *rgb, int w, int h, int x0, int y0, int x1, int y1, const uint8_t c[3]) {
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++) {
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++) {
            memcpy(rgb + ((size_t)y * w + x) * 3, c, 3);
        }
    }
}

static void disc(uint8_t *rgb, int w, int h, int cx, int cy, int r, const uint8_t c[3]) {
    for (int y = cy - r; y <= cy + r; y++) {
        for (int x = cx - r; x <= cx + r; x++) {
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r && x >= 0 && y >= 0 && x < w && y < h) {
                memcpy(rgb + ((size_t)y * w + x) * 3, c, 3);
            }
        }
    }
}

/* 3x5 digits for the keys that press the buttons. */
static const uint16_t digits[10] = {0x7B6F, 0x2C97, 0x73E7, 0x73CF, 0x5BC9, 0x79CF, 0x79EF, 0x7249, 0x7BEF, 0x7BCF};

static void digit(uint8_t *rgb, int w, int h, int x0, int y0, int d, const uint8_t c[3]) {
    for (int row = 0; row < 5; row++) {
        for (int col = 0; col < 3; col++) {
            if (digits[d] >> (14 - (row * 3 + col)) & 1) {
                fill(rgb, w, h, x0 + col * 2, y0 + row * 2, x0 + col * 2 + 2, y0 + row * 2 + 2, c);
            }
        }
    }
}

static void seen(const c9_pixel_rgbw_t *l, bool powered, uint8_t out[3]) {
    if (!powered) {
        out[0] = out[1] = out[2] = 40;
        return;
    }
    /* The white die adds to all three; the camera sees the sum, clipped. */
    int c[3] = {l->r + l->w, l->g + l->w, l->b + l->w};
    for (int i = 0; i < 3; i++) {
        out[i] = (uint8_t)(c[i] > 255 ? 255 : c[i]);
    }
}

static bool powered(const c9_board_t *b, const c9_board_led_t *l) {
    int p = pin_of(b, l->power);
    if (p < 0) {
        return true;
    }
    c9__vpin_t *v = c9__vpin_at(p);
    /* Off only while a program holds the power pin low. */
    return !(v->mode == C9_VPIN_OUTPUT && !v->level);
}

bool c9__board_button_pressed(size_t index) {
    const c9_board_t *b = c9_port_board();
    if (index >= b->button_count) {
        return false;
    }
    c9__vpin_t *v = c9__vpin_at(pin_of(b, b->buttons[index].pin));
    return v && v->external == (int8_t)b->buttons[index].pressed_level;
}

void c9__board_button_set(size_t index, bool pressed) {
    const c9_board_t *b = c9_port_board();
    if (index >= b->button_count) {
        return;
    }
    const c9_board_button_t *bt = &b->buttons[index];
    int pin = pin_of(b, bt->pin);
    c9_vboard_pin_drive(pin, pressed ? bt->pressed_level : bt->pulled ? !bt->pressed_level : -1);
}

void c9__board_view_render(const c9_vpanel_t *display, uint8_t *rgb, int w, int h) {
    const c9_board_t *b = c9_port_board();
    fill(rgb, w, h, 0, 0, w, h, background);
    uint16_t dw = 0, dh = 0;
    if (display) {
        c9_vpanel_view_size(display, &dw, &dh);
        uint8_t *view = malloc((size_t)dw * dh * 3);
        if (view) {
            c9_vpanel_render_view(display, view);
            for (int y = 0; y < dh && y < h; y++) {
                memcpy(rgb + (size_t)y * w * 3, view + (size_t)y * dw * 3, (size_t)(dw < w ? dw : w) * 3);
            }
            free(view);
        }
    }
    int cx = dw + STRIP_W / 2, cy = ITEM_H / 2;
    for (size_t i = 0; i < b->led_count; i++, cy += ITEM_H) {
        const c9_board_led_t *l = &b->leds[i];
        int pin = pin_of(b, l->pin);
        uint8_t c[3] = {40, 40, 40};
        if (l->kind == C9_BOARD_LED_NEOPIXEL) {
            const c9_pixel_chain_t *chain = c9__pixels_on(pin);
            if (chain && chain->count) {
                seen(&chain->leds[0], powered(b, l), c);
            }
        } else {
            c9__vpin_t *v = c9__vpin_at(pin);
            if (v && v->level && (v->mode == C9_VPIN_OUTPUT || v->mode == C9_VPIN_PWM)) {
                c[0] = (uint8_t)(l->color >> 16);
                c[1] = (uint8_t)(l->color >> 8);
                c[2] = (uint8_t)l->color;
            }
        }
        disc(rgb, w, h, cx, cy, LED_R + 2, (const uint8_t[]){70, 70, 70});
        disc(rgb, w, h, cx, cy, LED_R, c);
    }
    for (size_t i = 0; i < b->button_count; i++, cy += ITEM_H) {
        static const uint8_t up[3] = {90, 90, 90}, down[3] = {230, 200, 60}, label[3] = {10, 10, 10};
        bool pressed = c9__board_button_pressed(i);
        int half = BUTTON_SIDE / 2;
        fill(rgb, w, h, cx - half, cy - half, cx + half, cy + half, pressed ? down : up);
        if (i < 9) {
            digit(rgb, w, h, cx - 3, cy - 5, (int)i + 1, label);
        }
    }
    int pins[16], count;
    if (!strip_rows(b, w, pins, 16, &count)) {
        return;
    }
    int per_row = w / PIXEL_STEP > 0 ? w / PIXEL_STEP : 1;
    int top = (dh > (int)items(b) * ITEM_H ? dh : (int)items(b) * ITEM_H) + 4;
    for (int k = 0, row = 0; k < count; k++) {
        const c9_pixel_chain_t *c = c9__pixels_on(pins[k]);
        for (uint16_t i = 0; i < c->count; i++) {
            uint8_t col[3];
            seen(&c->leds[i], true, col);
            int x = (i % per_row) * PIXEL_STEP, y = top + (row + i / per_row) * PIXEL_STEP;
            fill(rgb, w, h, x + 1, y + 1, x + 1 + PIXEL_SIDE, y + 1 + PIXEL_SIDE, col);
        }
        row += (c->count + per_row - 1) / per_row;
    }
}

int c9__board_view_hit(const c9_vpanel_t *display, int x, int y) {
    const c9_board_t *b = c9_port_board();
    uint16_t dw = 0, dh = 0;
    if (display) {
        c9_vpanel_view_size(display, &dw, &dh);
    }
    int cx = dw + STRIP_W / 2;
    for (size_t i = 0; i < b->button_count; i++) {
        int cy = (int)(b->led_count + i) * ITEM_H + ITEM_H / 2, half = BUTTON_SIDE / 2;
        if (x >= cx - half && x < cx + half && y >= cy - half && y < cy + half) {
            return (int)i;
        }
    }
    return -1;
}

/* The built-in display's panel, the one the board view shows (NULL: the board has none). */
static c9_vpanel_t *builtin(void) {
    c9_vpanel_t *p = c9_host_panel_at(0);
    return p && !c9_host_panel_is_breakout(p) ? p : NULL;
}

c9_err_t c9_port_board_screenshot(const char *path) {
    c9__world_catch_up();
    c9_vpanel_t *display = builtin();
    int w, h;
    c9__board_view_size(display, &w, &h);
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb) {
        return C9_ERR_NOMEM;
    }
    c9__board_view_render(display, rgb, w, h);
    c9_err_t err = c9_png_write(path, rgb, (uint32_t)w, (uint32_t)h, (uint32_t)w * 3, 3);
    free(rgb);
    return err;
}
