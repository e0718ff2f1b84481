/*
 * circuit9 LED chains: what a chain of WS2812-style LEDs ("NeoPixels") does with the bytes a
 * program sends it (neopixel_write), rainbowio's colour wheel, and the WS2812 bit stream as an
 * SPI peripheral sends it (three SPI bits per data bit), for ports that drive LEDs that way.
 *
 * A chain receives one frame of bytes between two latch pauses: the first LED keeps the first
 * bytes-per-pixel bytes and passes the rest on, so LED i shows bytes i*bpp .. i*bpp+bpp-1. Which
 * byte is which colour is the LED's colour order ("GRB" for WS2812B, "RGB", "GRBW" for SK6812
 * RGBW). Nothing here allocates: the chain's LEDs are caller memory.
 *
 *     c9_pixel_order_t grb;
 *     c9_pixel_order_parse("GRB", 3, &grb);
 *     c9_pixel_rgbw_t leds[10];
 *     c9_pixel_chain_t chain;
 *     c9_pixel_chain_init(&chain, &grb, leds, 10);
 *     c9_pixel_chain_write(&chain, bytes, len, NULL);   // leds[i].r/.g/.b as the LEDs show them
 */
#ifndef CIRCUIT9_PIXEL_H
#define CIRCUIT9_PIXEL_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where each colour sits among one LED's bytes. */
typedef struct c9_pixel_order {
    uint8_t bpp;        /* bytes per LED: 3, or 4 with a white channel */
    uint8_t r, g, b, w; /* byte offset of each colour within the LED's bytes; w is 0xFF when bpp is 3 */
} c9_pixel_order_t;

/* A colour order as written on LED datasheets and in Adafruit's libraries: "GRB", "RGB", "GRBW",
 * "RGBW", "BGR", ... (case-insensitive): R, G and B once each, W at most once; len is the text's
 * length (no terminator needed).
 * @retval C9_OK
 * @retval C9_ERR_INVAL  anything else (a repeated or unknown letter, fewer than 3 or more than 4) */
c9_err_t c9_pixel_order_parse(const char *text, size_t len, c9_pixel_order_t *out);
/* The order as text ("GRB"), upper case, NUL-terminated. */
void c9_pixel_order_name(const c9_pixel_order_t *order, char out[5]);

typedef struct c9_pixel_rgbw {
    uint8_t r, g, b, w;
} c9_pixel_rgbw_t;

typedef struct c9_pixel_chain {
    c9_pixel_order_t order;
    c9_pixel_rgbw_t *leds; /* count LEDs, caller memory; all off after init */
    uint16_t count;
    uint32_t frames; /* frames latched so far */
} c9_pixel_chain_t;

/* @retval C9_OK  @retval C9_ERR_INVAL  no LEDs memory with count > 0, or an order that is not
 * one c9_pixel_order_parse() gives */
c9_err_t c9_pixel_chain_init(c9_pixel_chain_t *chain, const c9_pixel_order_t *order, c9_pixel_rgbw_t *leds,
                             uint16_t count);
/* One frame arrives: LED i takes bytes i*bpp..i*bpp+bpp-1 in the chain's colour order. LEDs the
 * frame does not reach keep their colour, and so does a last LED that got fewer than bpp bytes
 * (a WS2812 latches only a whole pixel). Bytes beyond the chain's last LED leave its data-out pin:
 * *passed_on (may be NULL) counts them. */
void c9_pixel_chain_write(c9_pixel_chain_t *chain, const uint8_t *data, size_t len, size_t *passed_on);
/* The bytes that would show the chain's current colours (count * bpp bytes into out, which holds
 * out_size): what a program would have to send. C9_ERR_NOMEM when out is too small. */
c9_err_t c9_pixel_chain_encode(const c9_pixel_chain_t *chain, uint8_t *out, size_t out_size);

/* rainbowio.colorwheel(): a colour value 0xRRGGBB for a position on a 256-step wheel, red at 0,
 * green at 85, blue at 170, as CircuitPython computes it in single precision (positions wrap
 * modulo 256; negative positions behave as on the Arm boards, where float-to-unsigned conversion
 * saturates at 0). */
int32_t c9_pixel_colorwheel(float pos);

/* ---- WS2812 over SPI -------------------------------------------------------------------------
 * At 2.4 MHz one SPI bit lasts 417 ns, so each WS2812 data bit is three SPI bits: 100 for 0
 * (0.42 us high), 110 for 1 (0.83 us high), within the datasheet's 0.4/0.8 us +-150 ns. Data goes
 * most significant bit first; the latch is the line held low for at least 50 us (15 zero bytes at
 * 2.4 MHz) after the frame. */
#define C9_WS2812_SPI_HZ 2400000u
#define C9_WS2812_SPI_LATCH_BYTES 15u

/* Bytes c9_ws2812_spi_encode() writes for len data bytes, latch included. */
size_t c9_ws2812_spi_size(size_t len);
/* The SPI bytes for a frame of len data bytes, then the latch (zero bytes).
 * @retval C9_OK  @retval C9_ERR_NOMEM  out_size < c9_ws2812_spi_size(len) */
c9_err_t c9_ws2812_spi_encode(const uint8_t *data, size_t len, uint8_t *out, size_t out_size, size_t *written);
/* The data bytes in an SPI stream c9_ws2812_spi_encode() could have made: groups of three SPI
 * bytes are one data byte until the stream's trailing zero bytes (the latch, which may be
 * shorter or absent). *got data bytes go to out.
 * @retval C9_OK
 * @retval C9_ERR_INVAL   a bit cell that is neither 100 nor 110, or a partial group (*bad_offset,
 *                        may be NULL, is the SPI byte where it starts)
 * @retval C9_ERR_NOMEM   out_size too small for the frame */
c9_err_t c9_ws2812_spi_decode(const uint8_t *spi, size_t len, uint8_t *out, size_t out_size, size_t *got,
                              size_t *bad_offset);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_PIXEL_H */
