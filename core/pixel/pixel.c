/* LED chains: colour orders, what a WS2812 chain latches from a frame, the colour wheel and the
 * WS2812 bit stream over SPI. */
#include "circuit9/pixel.h"

#include <string.h>

static int upper(char c) {
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

c9_err_t c9_pixel_order_parse(const char *text, size_t len, c9_pixel_order_t *out) {
    if (!text || !out || len < 3 || len > 4) {
        return C9_ERR_INVAL;
    }
    uint8_t at[4] = {0xFF, 0xFF, 0xFF, 0xFF}; /* R, G, B, W */
    static const char letters[] = "RGBW";
    for (size_t i = 0; i < len; i++) {
        const char *p = memchr(letters, upper(text[i]), 4);
        if (!p || !text[i]) {
            return C9_ERR_INVAL;
        }
        size_t which = (size_t)(p - letters);
        if (at[which] != 0xFF) {
            return C9_ERR_INVAL;
        }
        at[which] = (uint8_t)i;
    }
    if (at[0] == 0xFF || at[1] == 0xFF || at[2] == 0xFF) {
        return C9_ERR_INVAL; /* four letters with W twice is caught above; here R, G or B is missing */
    }
    *out = (c9_pixel_order_t){(uint8_t)len, at[0], at[1], at[2], at[3]};
    return C9_OK;
}

void c9_pixel_order_name(const c9_pixel_order_t *order, char out[5]) {
    memset(out, 0, 5);
    if (order->bpp < 3 || order->bpp > 4) {
        return;
    }
    const uint8_t at[4] = {order->r, order->g, order->b, order->w};
    for (int c = 0; c < 4; c++) {
        if (at[c] < order->bpp) {
            out[at[c]] = "RGBW"[c];
        }
    }
}

static bool order_valid(const c9_pixel_order_t *o) {
    if (o->bpp != 3 && o->bpp != 4) {
        return false;
    }
    unsigned seen = 0;
    const uint8_t at[4] = {o->r, o->g, o->b, o->w};
    for (int c = 0; c < o->bpp; c++) {
        if (at[c] >= o->bpp || (seen & (1u << at[c]))) {
            return false;
        }
        seen |= 1u << at[c];
    }
    return o->bpp == 4 || o->w == 0xFF;
}

c9_err_t c9_pixel_chain_init(c9_pixel_chain_t *chain, const c9_pixel_order_t *order, c9_pixel_rgbw_t *leds,
                             uint16_t count) {
    if (!chain || !order || !order_valid(order) || (count && !leds)) {
        return C9_ERR_INVAL;
    }
    chain->order = *order;
    chain->leds = leds;
    chain->count = count;
    chain->frames = 0;
    if (count) {
        memset(leds, 0, sizeof(*leds) * count);
    }
    return C9_OK;
}

void c9_pixel_chain_write(c9_pixel_chain_t *chain, const uint8_t *data, size_t len, size_t *passed_on) {
    const c9_pixel_order_t *o = &chain->order;
    size_t whole = len / o->bpp;
    size_t lit = whole < chain->count ? whole : chain->count;
    for (size_t i = 0; i < lit; i++) {
        const uint8_t *p = data + i * o->bpp;
        c9_pixel_rgbw_t *led = &chain->leds[i];
        led->r = p[o->r];
        led->g = p[o->g];
        led->b = p[o->b];
        led->w = o->bpp == 4 ? p[o->w] : 0;
    }
    size_t taken = (size_t)chain->count * o->bpp;
    if (passed_on) {
        *passed_on = len > taken ? len - taken : 0;
    }
    chain->frames++;
}

c9_err_t c9_pixel_chain_encode(const c9_pixel_chain_t *chain, uint8_t *out, size_t out_size) {
    const c9_pixel_order_t *o = &chain->order;
    if (out_size < (size_t)chain->count * o->bpp) {
        return C9_ERR_NOMEM;
    }
    for (size_t i = 0; i < chain->count; i++) {
        uint8_t *p = out + i * o->bpp;
        const c9_pixel_rgbw_t *led = &chain->leds[i];
        p[o->r] = led->r;
        p[o->g] = led->g;
        p[o->b] = led->b;
        if (o->bpp == 4) {
            p[o->w] = led->w;
        }
    }
    return C9_OK;
}

int32_t c9_pixel_colorwheel(float pos) {
    /* CircuitPython's arithmetic, in float as its builds have it. Converting a negative float to
     * an unsigned integer is undefined in C; Arm's conversion saturates to 0, which is what boards
     * do, so that is what happens here. */
    float turns = pos / 256.0f;
    uint32_t whole = !(turns > 0.0f) ? 0u : turns >= 4294967040.0f ? 0xFFFFFFFFu : (uint32_t)turns; /* NaN: 0 */
    pos = pos - (float)(uint32_t)(whole * 256u); /* the board multiplies in 32-bit unsigned */
    int shift1, shift2;
    if (pos < 85.0f) {
        shift1 = 8;
        shift2 = 16;
    } else if (pos < 170.0f) {
        pos -= 85.0f;
        shift1 = 0;
        shift2 = 8;
    } else {
        pos -= 170.0f;
        shift1 = 16;
        shift2 = 0;
    }
    float scaled = pos * 3.0f;
    /* (int) of a float outside int's range is undefined too; Arm saturates. */
    int32_t p = scaled != scaled           ? 0
                : scaled >= 2147483520.0f  ? INT32_MAX
                : scaled <= -2147483648.0f ? INT32_MIN
                                           : (int32_t)scaled;
    p = p < 256 ? p : 255;
    /* Shifts of negative values (a negative position) as the board's two's-complement shifts. */
    uint32_t a = (uint32_t)p << shift1, b = (255u - (uint32_t)p) << shift2; /* wraps as the board's does */
    return (int32_t)(a | b);
}

size_t c9_ws2812_spi_size(size_t len) {
    return len * 3 + C9_WS2812_SPI_LATCH_BYTES;
}

c9_err_t c9_ws2812_spi_encode(const uint8_t *data, size_t len, uint8_t *out, size_t out_size, size_t *written) {
    size_t need = c9_ws2812_spi_size(len);
    if (len > (SIZE_MAX - C9_WS2812_SPI_LATCH_BYTES) / 3 || out_size < need) {
        return C9_ERR_NOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        uint32_t bits = 0;
        for (int b = 7; b >= 0; b--) {
            bits = (bits << 3) | ((data[i] >> b) & 1u ? 6u : 4u);
        }
        out[i * 3] = (uint8_t)(bits >> 16);
        out[i * 3 + 1] = (uint8_t)(bits >> 8);
        out[i * 3 + 2] = (uint8_t)bits;
    }
    memset(out + len * 3, 0, C9_WS2812_SPI_LATCH_BYTES);
    if (written) {
        *written = need;
    }
    return C9_OK;
}

static bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

c9_err_t c9_ws2812_spi_decode(const uint8_t *spi, size_t len, uint8_t *out, size_t out_size, size_t *got,
                              size_t *bad_offset) {
    size_t n = 0;
    for (size_t at = 0; at < len; at += 3) {
        if (all_zero(spi + at, len - at)) {
            break; /* the latch */
        }
        if (len - at < 3) {
            if (bad_offset) {
                *bad_offset = at;
            }
            return C9_ERR_INVAL;
        }
        uint32_t bits = (uint32_t)spi[at] << 16 | (uint32_t)spi[at + 1] << 8 | spi[at + 2];
        uint8_t byte = 0;
        for (int cell = 7; cell >= 0; cell--) {
            unsigned c = (bits >> (cell * 3)) & 7u;
            if (c != 4u && c != 6u) {
                if (bad_offset) {
                    *bad_offset = at;
                }
                return C9_ERR_INVAL;
            }
            byte = (uint8_t)(byte << 1 | (c == 6u));
        }
        if (n >= out_size) {
            return C9_ERR_NOMEM;
        }
        out[n++] = byte;
    }
    if (got) {
        *got = n;
    }
    return C9_OK;
}
