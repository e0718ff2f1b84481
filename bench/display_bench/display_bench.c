/*
 * display_bench: figures for the display goals (docs/architecture.md, "Figures to beat").
 *
 *     display_bench            all figures; run under callgrind by run.sh for instr/px
 *
 * 1. Full-frame composition of 320x240 at 16 bits: (a) a 16-bit bitmap behind an RGB565
 *    ColorConverter, (b) an 8-bit palette bitmap with a full screen of Terminus text on top,
 *    (c) vectorio: 80 circles, then 80 ten-point stars, over a full-screen Rectangle.
 *    Each runs as a full refresh into a bus that drops the bytes, between callgrind toggles, and
 *    dumps its counts as "compose_cc565@320x240" / "compose_palette_text@320x240".
 * 2. Partial updates: pixel bytes sent against the union of changed rectangles.
 * 3. Bus time for one full frame on the host timing models.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "circuit9/display.h"
#include "circuit9/host_display.h"

static c9_err_t nb_begin(void *c) {
    (void)c;
    return C9_OK;
}
static c9_err_t nb_send(void *c, c9_byte_type_t t, c9_cs_mode_t cs, const uint8_t *d, size_t n) {
    (void)c;
    (void)t;
    (void)cs;
    (void)d;
    (void)n;
    return C9_OK;
}
static void nb_end(void *c) {
    (void)c;
}
static const c9_display_bus_ops_t null_ops = {nb_begin, nb_send, nb_end, NULL};

static c9_display_t *make_display(c9_display_bus_t bus, uint16_t w, uint16_t h) {
    c9_display_config_t cfg;
    c9_display_config_defaults(&cfg);
    cfg.bus = bus;
    cfg.width = w;
    cfg.height = h;
    cfg.auto_refresh = false;
    c9_display_t *d = calloc(1, sizeof(*d));
    if (!d || c9_display_init(d, &cfg) != C9_OK) {
        fprintf(stderr, "display init failed\n");
        exit(1);
    }
    return d;
}

static void measure(const char *label, c9_display_t *d) {
    bool drawn;
    c9_display_invalidate(d);
    c9_display_refresh(d, 0, 0, &drawn); /* warm-up: page faults, LUTs */
    c9_display_invalidate(d);
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    c9_display_refresh(d, 0, 0, &drawn);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(label);
}

int main(void) {
    const uint16_t W = 320, H = 240;
    c9_display_bus_t null_bus = {&null_ops, NULL};

    /* (a) 16-bit bitmap behind an RGB565 ColorConverter */
    c9_bitmap_t photo;
    c9_bitmap_alloc(&photo, W, H, 16, NULL);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            c9_bitmap_set(&photo, x, y, (uint32_t)(x * 204 + y * 273));
        }
    }
    c9_colorconverter_t cc;
    c9_colorconverter_init(&cc, C9_COLORSPACE_RGB565, false);
    c9_tilegrid_t tphoto;
    c9_tilegrid_config_t cfg = {C9_SOURCE_BITMAP, &photo, C9_SHADER_COLORCONVERTER, &cc, 1, 1, 0, 0, 0, 0, 0};
    c9_tilegrid_init(&tphoto, &cfg, NULL, NULL);
    c9_group_t g1;
    c9_group_init(&g1, NULL);
    c9_group_append(&g1, &tphoto.layer);
    c9_display_t *d = make_display(null_bus, W, H);
    c9_display_set_root_group(d, &g1);
    measure("compose_cc565@320x240", d);
    c9_display_release(d);

    /* (b) palette bitmap + full screen of text */
    c9_bitmap_t bg;
    c9_bitmap_alloc(&bg, W, H, 8, NULL);
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            c9_bitmap_set(&bg, x, y, (uint32_t)((x / 8 + y / 8) & 0xFF));
        }
    }
    c9_palette_t pal, tpal;
    c9_palette_alloc(&pal, 256, false, NULL);
    for (uint32_t i = 0; i < 256; i++) {
        c9_palette_set(&pal, i, i * 0x010203u & 0xFFFFFF);
    }
    c9_palette_alloc(&tpal, 2, false, NULL);
    c9_palette_set(&tpal, 1, 0xFFFFFF);
    c9_palette_set_transparent(&tpal, 0, true);
    const c9_builtin_font_t *font = c9_font_terminal();
    c9_tilegrid_t tbg, ttext;
    cfg = (c9_tilegrid_config_t){C9_SOURCE_BITMAP, &bg, C9_SHADER_PALETTE, &pal, 1, 1, 0, 0, 0, 0, 0};
    c9_tilegrid_init(&tbg, &cfg, NULL, NULL);
    cfg = (c9_tilegrid_config_t){
        C9_SOURCE_BITMAP, (void *)font->bitmap, C9_SHADER_PALETTE, &tpal, W / 6, H / 12, 6, 12, 0, 0, 0};
    c9_tilegrid_init(&ttext, &cfg, NULL, NULL);
    const char *text = "The quick brown fox jumps over the lazy dog 0123456789 ";
    for (int i = 0; i < (W / 6) * (H / 12); i++) {
        ttext.tiles[i] = (uint16_t)c9_font_tile(font, (uint8_t)text[i % strlen(text)]);
    }
    c9_group_t g2;
    c9_group_init(&g2, NULL);
    c9_group_append(&g2, &tbg.layer);
    c9_group_append(&g2, &ttext.layer);
    d = make_display(null_bus, W, H);
    c9_display_set_root_group(d, &g2);
    measure("compose_palette_text@320x240", d);
    c9_tilegrid_set_hidden(&ttext, true);
    measure("compose_palette_only@320x240", d);
    c9_tilegrid_set_hidden(&ttext, false);

    /* 2. partial updates on the palette+text scene */
    bool drawn;
    c9_display_refresh(d, 0, 0, &drawn);
    struct {
        const char *what;
        int n;
    } cases[] = {{"two opposite corner cells of text change", 2},
                 {"one character at the centre changes", 1},
                 {"a 3x2-cell word changes", 6}};
    printf("partial updates (320x240x16, palette bitmap + text):\n");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint16_t cols = W / 6, rows = H / 12;
        if (k == 0) {
            c9_tilegrid_set_tile(&ttext, 0, 0, (uint16_t)c9_font_tile(font, '#'));
            c9_tilegrid_set_tile(&ttext, cols - 1, rows - 1, (uint16_t)c9_font_tile(font, '#'));
        } else if (k == 1) {
            c9_tilegrid_set_tile(&ttext, cols / 2, rows / 2, (uint16_t)c9_font_tile(font, '@'));
        } else {
            for (int i = 0; i < 6; i++) {
                c9_tilegrid_set_tile(&ttext, (uint16_t)(10 + i % 3), (uint16_t)(5 + i / 3),
                                     (uint16_t)c9_font_tile(font, 'A' + i));
            }
        }
        c9_display_refresh(d, 0, 0, &drawn);
        uint64_t union_bytes = d->stats.union_pixels * 2;
        printf("  %-44s union %7llu B, sent %7llu B (%+.1f%%), full frame 153600 B\n", cases[k].what,
               (unsigned long long)union_bytes, (unsigned long long)d->stats.last_pixel_bytes,
               union_bytes ? 100.0 * ((double)d->stats.last_pixel_bytes - (double)union_bytes) / (double)union_bytes
                           : 0.0);
    }
    /* Blinka's case: two opposite corner pixels of sprites move. */
    c9_display_release(d);

    /* (c) vectorio: a full screen of 80 circles, then of 80 ten-point stars, over a background rectangle */
    c9_palette_t spal;
    c9_palette_alloc(&spal, 16, false, NULL);
    for (uint32_t i = 0; i < 16; i++) {
        c9_palette_set(&spal, i, i * 0x0F1E2Du & 0xFFFFFF);
    }
    static c9_vectorshape_t sbg, circles[80], stars[80];
    static int16_t star_points[20];
    for (int k = 0; k < 10; k++) {
        int r = k % 2 ? 7 : 16; /* outer and inner radius of a star 32 pixels across */
        /* 64 * (sin, -cos) of k * 36 degrees */
        static const int16_t ux[10] = {0, 38, 61, 61, 38, 0, -38, -61, -61, -38};
        static const int16_t uy[10] = {-64, -52, -20, 20, 52, 64, 52, 20, -20, -52};
        star_points[2 * k] = (int16_t)(ux[k] * r / 64);
        star_points[2 * k + 1] = (int16_t)(uy[k] * r / 64);
    }
    c9_vectorshape_init(&sbg, C9_SHADER_PALETTE, &spal, 0, 0, 0);
    c9_vectorshape_set_rectangle(&sbg, W, H);
    c9_group_t g3;
    c9_group_init(&g3, NULL);
    c9_group_append(&g3, &sbg.layer);
    for (int i = 0; i < 80; i++) {
        int16_t x = (int16_t)(16 + 32 * (i % 10)), y = (int16_t)(15 + 30 * (i / 10));
        c9_vectorshape_init(&circles[i], C9_SHADER_PALETTE, &spal, x, y, (uint16_t)(1 + i % 15));
        c9_vectorshape_set_circle(&circles[i], 16);
        c9_vectorshape_init(&stars[i], C9_SHADER_PALETTE, &spal, x, y, (uint16_t)(1 + i % 15));
        c9_vectorshape_set_polygon(&stars[i], star_points, 10);
        c9_vectorshape_set_hidden(&stars[i], true);
        c9_group_append(&g3, &circles[i].layer);
        c9_group_append(&g3, &stars[i].layer);
    }
    d = make_display(null_bus, W, H);
    c9_display_set_root_group(d, &g3);
    measure("compose_vectorio_circles@320x240", d);
    for (int i = 0; i < 80; i++) {
        c9_vectorshape_set_hidden(&circles[i], true);
        c9_vectorshape_set_hidden(&stars[i], false);
    }
    measure("compose_vectorio_polygons@320x240", d);
    c9_display_release(d);
    free(d);

    /* 3. one full frame over each bus model */
    printf("bus time for one full 320x240x16 frame (host timing model):\n");
    c9_vpanel_config_t pc;
    c9_vpanel_config_defaults(&pc, "ILI9341");
    pc.ram_width = 320;
    pc.ram_height = 240;
    pc.glass_width = 320;
    pc.glass_height = 240;
    c9_vpanel_t *panel = c9_vpanel_new(&pc);
    int sck = c9_vpin("GPIO36"), mosi = c9_vpin("GPIO35"), cs = c9_vpin("GPIO7"), dc = c9_vpin("GPIO39");
    c9_vboard_attach_spi(panel, sck, mosi, cs, dc, -1);
    /* The buses through the port contract, as the bindings open them. */
    c9_port_spi_t *spi;
    c9_port_spi_open(sck, mosi, -1, &spi);
    c9_port_pin_output(cs, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_fourwire_t fw = {c9_port_spi_hal(spi), c9_port_gpio(), dc, cs, -1, 24000000, 0, 0, c9_port_clock()};
    d = make_display(c9_fourwire_bus(&fw), W, H);
    c9_display_set_root_group(d, &g1);
    c9_port_spi_reset_stats(spi);
    c9_display_refresh(d, 0, 0, &drawn);
    c9_port_bus_stats_t spi_stats, *s = &spi_stats;
    c9_port_spi_stats(spi, s);
    printf("  SPI at 24 MHz (FourWire):      %8llu bytes  %5llu transactions  %8.2f ms\n", (unsigned long long)s->bytes,
           (unsigned long long)s->transactions, (double)s->time_ps / 1e9);
    c9_display_release(d);
    free(d);

    int data[8];
    for (int i = 0; i < 8; i++) {
        char n[16];
        snprintf(n, sizeof n, "GPIO%d", 8 + i);
        data[i] = c9_vpin(n);
    }
    int wr = c9_vpin("GPIO4"), pcs = c9_vpin("GPIO2"), pdc = c9_vpin("GPIO3");
    c9_vboard_attach_parallel(panel, data, 8, pcs, pdc, wr, -1);
    c9_port_parallel_t *par;
    c9_port_parallel_open(data, 8, pcs, pdc, wr, 30000000, &par);
    c9_port_pin_output(pcs, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(pdc, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_parallelbus_t pb = {
        c9_port_parallel_hal(par), c9_port_gpio(), pdc, pcs, wr, -1, -1, 8, 30000000, c9_port_clock()};
    d = make_display(c9_parallelbus_bus(&pb), W, H);
    c9_display_set_root_group(d, &g1);
    c9_port_parallel_reset_stats(par);
    c9_display_refresh(d, 0, 0, &drawn);
    c9_port_bus_stats_t par_stats, *ps = &par_stats;
    c9_port_parallel_stats(par, ps);
    printf("  8-bit parallel at 30 MHz:      %8llu bytes  %5llu transactions  %8.2f ms  (%.1fx SPI)\n",
           (unsigned long long)ps->bytes, (unsigned long long)ps->transactions, (double)ps->time_ps / 1e9,
           (double)s->time_ps / (double)ps->time_ps);
    c9_display_release(d);
    free(d);

    c9_vpanel_config_t oc;
    c9_vpanel_config_defaults(&oc, "ILI9341"); /* a DCS panel on I2C is not real; the bytes are what count */
    int scl = c9_vpin("GPIO41"), sda = c9_vpin("GPIO42");
    c9_vpanel_config_defaults(&oc, "SSD1306");
    c9_vpanel_t *oled = c9_vpanel_new(&oc);
    c9_vboard_attach_i2c(oled, scl, sda, 0x3C, -1);
    c9_port_i2c_t *i2c;
    c9_port_i2c_open(scl, sda, 400000, 255, &i2c);
    c9_i2cdisplaybus_t ib = {c9_port_i2c_hal(i2c), c9_port_gpio(), 0x3C, -1, c9_port_clock()};
    c9_display_config_t ocfg;
    c9_display_config_defaults(&ocfg);
    ocfg.bus = c9_i2cdisplaybus_bus(&ib);
    ocfg.width = 128;
    ocfg.height = 64;
    ocfg.color_depth = 1;
    ocfg.grayscale = true;
    ocfg.pixels_in_byte_share_row = false;
    ocfg.set_column_command = 0x21;
    ocfg.set_row_command = 0x22;
    ocfg.data_as_commands = true;
    ocfg.single_byte_bounds = true;
    ocfg.auto_refresh = false;
    d = calloc(1, sizeof(*d));
    c9_display_init(d, &ocfg);
    c9_display_set_root_group(d, &g2);
    c9_port_i2c_reset_stats(i2c);
    c9_display_refresh(d, 0, 0, &drawn);
    c9_port_bus_stats_t i2c_stats, *is = &i2c_stats;
    c9_port_i2c_stats(i2c, is);
    printf("  I2C at 400 kHz, 128x64x1 OLED:  %8llu bytes  %5llu transactions  %8.2f ms"
           "  (a 320x240x16 frame would take %.0f ms)\n",
           (unsigned long long)is->bytes, (unsigned long long)is->transactions, (double)is->time_ps / 1e9,
           153600.0 * 9 / 400000 * 1000);
    c9_display_release(d);
    free(d);
    return 0;
}
