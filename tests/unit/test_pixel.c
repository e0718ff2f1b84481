/* Unit tests of the LED chain core: colour orders, what each LED of a chain latches at every
 * colour order (checked against bytes the test lays out itself from the order's letters), the
 * colour wheel (values worked out by hand from CircuitPython's formula, in float as boards compute
 * it) and the WS2812 bit stream over SPI (bit cells from the datasheet timing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/pixel.h"

static void test_order_parse(void **state) {
    (void)state;
    c9_pixel_order_t o;
    assert_int_equal(c9_pixel_order_parse("GRB", 3, &o), C9_OK);
    assert_int_equal(o.bpp, 3);
    assert_int_equal(o.g, 0);
    assert_int_equal(o.r, 1);
    assert_int_equal(o.b, 2);
    assert_int_equal(o.w, 0xFF);
    assert_int_equal(c9_pixel_order_parse("grbw", 4, &o), C9_OK);
    assert_int_equal(o.bpp, 4);
    assert_int_equal(o.w, 3);
    char name[5];
    c9_pixel_order_name(&o, name);
    assert_string_equal(name, "GRBW");
    static const char *const bad[] = {"", "RG", "RRG", "RGBX", "RGBWW", "RGBWR", "WWRG", "RGW", "R G"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(c9_pixel_order_parse(bad[i], strlen(bad[i]), &o), C9_ERR_INVAL);
    }
    /* An embedded NUL is no letter. */
    assert_int_equal(c9_pixel_order_parse("RG\0", 3, &o), C9_ERR_INVAL);
}

/* Every permutation of "RGB" and "RGBW". */
static size_t permutations(const char *letters, char out[][5]) {
    size_t n = strlen(letters), count = 0;
    size_t idx[4] = {0, 1, 2, 3};
    /* Heap's algorithm would do; with at most 4 letters, brute force over all index tuples. */
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            for (size_t c = 0; c < n; c++)
                for (size_t d = 0; d < (n == 4 ? n : 1); d++) {
                    size_t pick[4] = {a, b, c, n == 4 ? d : 0};
                    bool ok = true;
                    for (size_t i = 0; i < n && ok; i++)
                        for (size_t j = i + 1; j < n && ok; j++)
                            ok = pick[i] != pick[j];
                    if (!ok)
                        continue;
                    for (size_t i = 0; i < n; i++)
                        out[count][i] = letters[pick[i]];
                    out[count][n] = 0;
                    count++;
                }
    (void)idx;
    return count;
}

static void test_chain_every_order(void **state) {
    (void)state;
    char orders[24 + 6][5];
    size_t n = permutations("RGB", orders);
    assert_int_equal(n, 6);
    n += permutations("RGBW", orders + 6);
    assert_int_equal(n, 30);
    const c9_pixel_rgbw_t want[3] = {{0x11, 0x22, 0x33, 0x44}, {0xFF, 0x00, 0x80, 0x01}, {0x01, 0x02, 0x03, 0x04}};
    for (size_t k = 0; k < n; k++) {
        const char *name = orders[k];
        size_t bpp = strlen(name);
        c9_pixel_order_t o;
        assert_int_equal(c9_pixel_order_parse(name, bpp, &o), C9_OK);
        /* The bytes a program sends: for each LED, its colours in the order the name lists them. */
        uint8_t bytes[12];
        for (size_t led = 0; led < 3; led++) {
            for (size_t j = 0; j < bpp; j++) {
                const c9_pixel_rgbw_t *c = &want[led];
                bytes[led * bpp + j] = name[j] == 'R' ? c->r : name[j] == 'G' ? c->g : name[j] == 'B' ? c->b : c->w;
            }
        }
        c9_pixel_rgbw_t leds[3];
        c9_pixel_chain_t chain;
        assert_int_equal(c9_pixel_chain_init(&chain, &o, leds, 3), C9_OK);
        size_t passed = 99;
        c9_pixel_chain_write(&chain, bytes, 3 * bpp, &passed);
        assert_int_equal(passed, 0);
        for (size_t led = 0; led < 3; led++) {
            assert_int_equal(leds[led].r, want[led].r);
            assert_int_equal(leds[led].g, want[led].g);
            assert_int_equal(leds[led].b, want[led].b);
            assert_int_equal(leds[led].w, bpp == 4 ? want[led].w : 0);
        }
        uint8_t back[12];
        assert_int_equal(c9_pixel_chain_encode(&chain, back, sizeof back), C9_OK);
        assert_memory_equal(back, bytes, 3 * bpp);
        char again[5];
        c9_pixel_order_name(&o, again);
        assert_string_equal(again, name);
    }
}

static void test_chain_short_and_long_frames(void **state) {
    (void)state;
    c9_pixel_order_t grb;
    c9_pixel_order_parse("GRB", 3, &grb);
    c9_pixel_rgbw_t leds[2];
    c9_pixel_chain_t chain;
    assert_int_equal(c9_pixel_chain_init(&chain, &grb, leds, 2), C9_OK);
    assert_int_equal(leds[1].r | leds[1].g | leds[1].b, 0); /* off after init */
    const uint8_t both[6] = {1, 2, 3, 4, 5, 6};
    c9_pixel_chain_write(&chain, both, 6, NULL);
    /* Four bytes: LED 0 is new, LED 1 got one byte of three and keeps its colour. */
    const uint8_t four[4] = {10, 20, 30, 40};
    size_t passed = 99;
    c9_pixel_chain_write(&chain, four, 4, &passed);
    assert_int_equal(passed, 0);
    assert_int_equal(leds[0].g, 10);
    assert_int_equal(leds[0].r, 20);
    assert_int_equal(leds[0].b, 30);
    assert_int_equal(leds[1].g, 4);
    assert_int_equal(leds[1].r, 5);
    assert_int_equal(leds[1].b, 6);
    /* Ten bytes into two LEDs: four leave the last LED's data-out pin. */
    const uint8_t ten[10] = {0};
    c9_pixel_chain_write(&chain, ten, 10, &passed);
    assert_int_equal(passed, 4);
    assert_int_equal(chain.frames, 3);
    /* An empty frame changes nothing. */
    c9_pixel_chain_write(&chain, both, 0, &passed);
    assert_int_equal(leds[0].g, 0);
    uint8_t small[5];
    assert_int_equal(c9_pixel_chain_encode(&chain, small, sizeof small), C9_ERR_NOMEM);
    c9_pixel_order_t bad = {3, 0, 0, 1, 0xFF};
    assert_int_equal(c9_pixel_chain_init(&chain, &bad, leds, 2), C9_ERR_INVAL);
    assert_int_equal(c9_pixel_chain_init(&chain, &grb, NULL, 2), C9_ERR_INVAL);
}

static void test_colorwheel(void **state) {
    (void)state;
    assert_int_equal(c9_pixel_colorwheel(0), 0xFF0000);
    assert_int_equal(c9_pixel_colorwheel(85), 0x00FF00);
    assert_int_equal(c9_pixel_colorwheel(170), 0x0000FF);
    assert_int_equal(c9_pixel_colorwheel(255), 0xFF0000); /* (255-170)*3 = 255 red, 0 blue */
    assert_int_equal(c9_pixel_colorwheel(256), 0xFF0000);
    assert_int_equal(c9_pixel_colorwheel(42.5f), (127 << 8) | (128 << 16));
    assert_int_equal(c9_pixel_colorwheel(300), (132 << 8) | (123 << 16));
    assert_int_equal(c9_pixel_colorwheel(1000.75f), (188 << 16) | 67); /* 232.75 - 170 = 62.75, * 3 = 188 */
    /* A negative position: the board's conversion to unsigned gives 0 turns, (int)(-3.0) = -3,
     * and -3 << 8 | 258 << 16 is 0xFFFFFD00. */
    assert_int_equal(c9_pixel_colorwheel(-1), -768);
    /* Far below: (int) saturates at INT32_MIN as Arm's conversion does, INT32_MIN << 8 is 0, and
     * 255 - INT32_MIN wraps to 0x800000FF, whose << 16 keeps 0xFF0000 (fuzz/pixel found it). */
    assert_int_equal(c9_pixel_colorwheel(-1e12f), 0xFF0000);
}

static void test_ws2812_spi(void **state) {
    (void)state;
    const uint8_t data[3] = {0x00, 0xFF, 0xA5};
    uint8_t spi[64];
    size_t written = 0;
    assert_int_equal(c9_ws2812_spi_size(3), 9 + C9_WS2812_SPI_LATCH_BYTES);
    assert_int_equal(c9_ws2812_spi_encode(data, 3, spi, sizeof spi, &written), C9_OK);
    assert_int_equal(written, 24);
    /* 0 bits are 100, 1 bits 110, most significant first. */
    const uint8_t zero[3] = {0x92, 0x49, 0x24}, ones[3] = {0xDB, 0x6D, 0xB6};
    assert_memory_equal(spi, zero, 3);
    assert_memory_equal(spi + 3, ones, 3);
    /* 0xA5 = 1010 0101: 110 100 110 100 100 110 100 110 */
    const uint8_t a5[3] = {0xD3, 0x49, 0xA6};
    assert_memory_equal(spi + 6, a5, 3);
    for (size_t i = 9; i < written; i++) {
        assert_int_equal(spi[i], 0);
    }
    uint8_t back[8];
    size_t got = 0, bad = 99;
    assert_int_equal(c9_ws2812_spi_decode(spi, written, back, sizeof back, &got, &bad), C9_OK);
    assert_int_equal(got, 3);
    assert_memory_equal(back, data, 3);
    /* No latch at all is fine too. */
    assert_int_equal(c9_ws2812_spi_decode(spi, 9, back, sizeof back, &got, &bad), C9_OK);
    assert_int_equal(got, 3);
    /* A bit cell 111 in the second group. */
    uint8_t broken[9];
    memcpy(broken, spi, 9);
    broken[4] |= 0x10;
    assert_int_equal(c9_ws2812_spi_decode(broken, 9, back, sizeof back, &got, &bad), C9_ERR_INVAL);
    assert_int_equal(bad, 3);
    /* A partial group before the end. */
    assert_int_equal(c9_ws2812_spi_decode(spi, 8, back, sizeof back, &got, &bad), C9_ERR_INVAL);
    assert_int_equal(bad, 6);
    assert_int_equal(c9_ws2812_spi_decode(spi, 9, back, 2, &got, &bad), C9_ERR_NOMEM);
    assert_int_equal(c9_ws2812_spi_encode(data, 3, spi, 23, &written), C9_ERR_NOMEM);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_parse),
        cmocka_unit_test(test_chain_every_order),
        cmocka_unit_test(test_chain_short_and_long_frames),
        cmocka_unit_test(test_colorwheel),
        cmocka_unit_test(test_ws2812_spi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
