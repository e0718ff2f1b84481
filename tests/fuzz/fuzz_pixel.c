/* Fuzzes the LED chain core: the first byte picks a colour order (or the input's head is parsed
 * as one), the rest is a frame for a chain of 0..63 LEDs and an SPI stream for the WS2812
 * decoder. Everything must stay inside its buffers, and what decodes must encode back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/pixel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    size_t head = data[0] % 6;
    c9_pixel_order_t o;
    if (head > size - 1 || c9_pixel_order_parse((const char *)data + 1, head, &o) != C9_OK) {
        static const char *const orders[] = {"GRB", "RGB", "GRBW", "RGBW", "BRG", "WBGR"};
        c9_pixel_order_parse(orders[data[0] % 6], strlen(orders[data[0] % 6]), &o);
    }
    char name[5];
    c9_pixel_order_name(&o, name);
    c9_pixel_order_t again;
    if (c9_pixel_order_parse(name, strlen(name), &again) != C9_OK || memcmp(&again, &o, sizeof o) != 0) {
        __builtin_trap();
    }
    const uint8_t *frame = data + 1;
    size_t len = size - 1;
    uint16_t count = (uint16_t)(data[1] & 63);
    c9_pixel_rgbw_t *leds = count ? malloc(sizeof(*leds) * count) : NULL;
    c9_pixel_chain_t chain;
    if (c9_pixel_chain_init(&chain, &o, leds, count) != C9_OK) {
        __builtin_trap();
    }
    size_t passed;
    c9_pixel_chain_write(&chain, frame, len, &passed);
    size_t whole = (size_t)count * o.bpp;
    if (passed != (len > whole ? len - whole : 0)) {
        __builtin_trap();
    }
    if (count && len >= whole) {
        uint8_t *back = malloc(whole);
        if (c9_pixel_chain_encode(&chain, back, whole) != C9_OK || memcmp(back, frame, whole) != 0) {
            __builtin_trap();
        }
        free(back);
    }
    free(leds);

    /* The SPI decoder on arbitrary bytes, then a round trip of what it decoded. */
    uint8_t *out = malloc(len / 3 + 1);
    size_t got = 0, bad = 0;
    c9_err_t err = c9_ws2812_spi_decode(frame, len, out, len / 3 + 1, &got, &bad);
    if (err == C9_OK) {
        size_t need = c9_ws2812_spi_size(got);
        uint8_t *spi = malloc(need);
        size_t written;
        if (c9_ws2812_spi_encode(out, got, spi, need, &written) != C9_OK || written != need ||
            memcmp(spi, frame, got * 3) != 0) {
            __builtin_trap();
        }
        free(spi);
    } else if (err == C9_ERR_INVAL && bad >= len) {
        __builtin_trap();
    }
    free(out);
    float pos;
    if (len >= 4) {
        memcpy(&pos, frame, 4);
        (void)c9_pixel_colorwheel(pos);
    }
    return 0;
}
