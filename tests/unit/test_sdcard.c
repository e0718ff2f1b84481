/*
 * SD cards over SPI. The virtual card byte for byte against the formats of the SD Physical Layer
 * Simplified Specification (chapter 7, SPI mode: command frames, R1/R2/R3/R7, data tokens, data
 * response tokens, busy; the CRC examples of section 4.5), and the host driver against the card:
 * its init transcript, block I/O, error handling, and a FAT volume made by mkfs.fat + mtools read
 * and written through both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "circuit9/sdcard.h"
#include "fat_tree.h"

/* ---- a virtual SPI bus between the driver and the card, recording what passes --------------- */

typedef struct bus {
    c9_sdcard_t *card; /* NULL: an empty slot (MISO pulled up) */
    bool cs;
    uint8_t log[4096]; /* MOSI bytes sent while selected, for transcripts */
    size_t log_len;
    bool logging;
    uint32_t baud;
    uint64_t clock;       /* fake milliseconds: advances per byte */
    uint32_t ms_per_byte; /* 0: no clock given to the driver */
    long corrupt_at;      /* flip a bit in this MISO byte (counted from corrupt_start), -1 none */
    long miso_count;
    bool corrupt_after_token; /* flip a bit in every byte the card sends after a 0xFE */
    uint8_t last_miso;
    bool locked;
} bus_t;

static c9_err_t bus_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len) {
    bus_t *b = ctx;
    for (size_t i = 0; i < len; i++) {
        uint8_t out = tx ? tx[i] : 0xFF;
        uint8_t in = 0xFF;
        if (b->card) {
            c9_sdcard_select(b->card, b->cs);
            in = c9_sdcard_exchange(b->card, out);
        }
        if (b->cs && b->logging && b->log_len < sizeof b->log) {
            b->log[b->log_len++] = out;
        }
        uint8_t sent = in;
        if (b->corrupt_at >= 0 && b->miso_count++ == b->corrupt_at) {
            in ^= 0x10;
        }
        if (b->corrupt_after_token && b->last_miso == 0xFE) {
            in ^= 0x10;
        }
        b->last_miso = sent;
        b->clock += b->ms_per_byte;
        if (rx) {
            rx[i] = in;
        }
    }
    return C9_OK;
}

static void bus_select(void *ctx, bool selected) {
    ((bus_t *)ctx)->cs = selected;
}

static c9_err_t bus_baud(void *ctx, uint32_t hz) {
    ((bus_t *)ctx)->baud = hz;
    return C9_OK;
}

static uint64_t bus_now(void *ctx) {
    return ((bus_t *)ctx)->clock;
}

static bool bus_try_lock(void *ctx) {
    return !((bus_t *)ctx)->locked;
}

static void bus_unlock(void *ctx) {
    (void)ctx;
}

static c9_sdspi_ops_t bus_ops(bus_t *b) {
    c9_sdspi_ops_t ops = {.transfer = bus_transfer,
                          .select = bus_select,
                          .set_baudrate = bus_baud,
                          .try_lock = bus_try_lock,
                          .unlock = bus_unlock,
                          .ctx = b};
    if (b->ms_per_byte) {
        ops.now_ms = bus_now;
    }
    return ops;
}

/* ---- the card, byte for byte -------------------------------------------------------------- */

/* Sends a command frame to the card (CRC computed unless crc >= 0 is given) and returns the
 * bytes the card sends on the n bytes that follow. */
static void frame(c9_sdcard_t *c, uint8_t index, uint32_t arg, int crc, uint8_t *out, size_t n) {
    uint8_t f[6] = {(uint8_t)(0x40 | index), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16), (uint8_t)(arg >> 8),
                    (uint8_t)arg};
    f[5] = crc >= 0 ? (uint8_t)crc : (uint8_t)(c9_sd_crc7(f, 5) << 1 | 1);
    c9_sdcard_transfer(c, f, NULL, 6);
    c9_sdcard_transfer(c, NULL, out, n);
}

static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i]) {
            fail_msg("byte %zu: 0x%02x, expected 0x%02x", i, got[i], want[i]);
        }
    }
}

static void test_crc_examples(void **state) {
    (void)state;
    // SD Physical Layer Simplified Specification, 4.5 "CRC examples".
    uint8_t cmd0[5] = {0x40, 0, 0, 0, 0}, cmd17[5] = {0x51, 0, 0, 0, 0}, r17[5] = {0x11, 0, 0, 0x09, 0};
    assert_int_equal(c9_sd_crc7(cmd0, 5), 0x4A);
    assert_int_equal(c9_sd_crc7(cmd17, 5), 0x2A);
    assert_int_equal(c9_sd_crc7(r17, 5), 0x33);
    uint8_t ff[512];
    memset(ff, 0xFF, sizeof ff);
    assert_int_equal(c9_sd_crc16(ff, sizeof ff), 0x7FA1);
    // The CRC bytes adafruit_sdcard.py sends as constants: CMD8 0x1AA, CMD58, CMD55, ACMD41 HCS,
    // CMD9, CMD16 512.
    struct {
        uint8_t f[5], crc;
    } known[] = {
        {{0x48, 0, 0, 0x01, 0xAA}, 0x87}, {{0x7A, 0, 0, 0, 0}, 0xFD}, {{0x77, 0, 0, 0, 0}, 0x65},
        {{0x69, 0x40, 0, 0, 0}, 0x77},    {{0x49, 0, 0, 0, 0}, 0xAF}, {{0x50, 0, 0, 0x02, 0}, 0x15},
    };
    for (size_t i = 0; i < C9_ARRAY_SIZE(known); i++) {
        assert_int_equal(c9_sd_crc7(known[i].f, 5) << 1 | 1, known[i].crc);
    }
}

static img_t card_img;

static void new_card(c9_sdcard_t *c, c9_sdcard_config_t cc, uint32_t blocks) {
    img_new(&card_img, blocks);
    tl_fill(card_img.mem, (size_t)blocks * 512, 77);
    cc.bdev = card_img.bd;
    assert_int_equal(c9_sdcard_init(c, &cc), C9_OK);
    c9_sdcard_select(c, true);
}

// The first response byte among the n bytes after a command (bit 7 clear), or 0xFF.
static uint8_t r1_of(const uint8_t *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!(r[i] & 0x80)) {
            return r[i];
        }
    }
    return 0xFF;
}

// CMD0 and the init: CMD8, CMD55 + ACMD41 until ready.
static void card_init(c9_sdcard_t *c, bool sdhc) {
    uint8_t r[16];
    frame(c, 0, 0, 0x95, r, 10);
    frame(c, 8, 0x1AA, -1, r, 14);
    for (int i = 0; i < 10; i++) {
        frame(c, 55, 0, -1, r, 10);
        frame(c, 41, sdhc ? 0x40000000 : 0, -1, r, 10);
        if (r1_of(r, 10) == 0) {
            return;
        }
    }
    fail_msg("card never ready");
}

static void test_card_enters_spi_mode(void **state) {
    (void)state;
    c9_sdcard_t c;
    new_card(&c, (c9_sdcard_config_t){.ncr = 1}, 2048);
    uint8_t r[8];
    // In SD mode the card answers nothing but a CMD0 with a valid CRC.
    frame(&c, 8, 0x1AA, 0x87, r, 8);
    expect_bytes(r, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 8);
    frame(&c, 0, 0, 0x94, r, 4);
    expect_bytes(r, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF}, 4);
    // Not selected: nothing either.
    c9_sdcard_select(&c, false);
    frame(&c, 0, 0, 0x95, r, 4);
    expect_bytes(r, (const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF}, 4);
    c9_sdcard_select(&c, true);
    // CMD0: one NCR byte, then R1 "idle".
    frame(&c, 0, 0, 0x95, r, 3);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x01, 0xFF}, 3);
    img_free(&card_img);
}

static void test_card_init_responses(void **state) {
    (void)state;
    c9_sdcard_t c;
    new_card(&c, (c9_sdcard_config_t){.ncr = 1, .init_polls = 2}, 2048);
    uint8_t r[8];
    frame(&c, 0, 0, 0x95, r, 2);
    // R7: R1, command version 0, reserved, voltage accepted 1, the check pattern back.
    frame(&c, 8, 0x1AA, 0x87, r, 6);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x01, 0x00, 0x00, 0x01, 0xAA}, 6);
    frame(&c, 8, 0x1A5, -1, r, 6);
    expect_bytes(r + 1, (const uint8_t[]){0x01, 0x00, 0x00, 0x01, 0xA5}, 5);
    // CMD8's CRC is always checked: R1 with "com CRC error".
    frame(&c, 8, 0x1AA, 0x01, r, 2);
    assert_int_equal(r[1], 0x09);
    // R3 before initialisation: power-up not finished, 2.7-3.6 V.
    frame(&c, 58, 0, -1, r, 6);
    expect_bytes(r + 1, (const uint8_t[]){0x01, 0x00, 0xFF, 0x80, 0x00}, 5);
    // Data commands are illegal in the idle state.
    frame(&c, 17, 0, -1, r, 2);
    assert_int_equal(r[1], 0x05);
    // A bare CMD41 is illegal; ACMD41 answers idle init_polls times, then ready.
    frame(&c, 41, 0x40000000, -1, r, 2);
    assert_int_equal(r[1], 0x05);
    uint8_t seq[3];
    for (int i = 0; i < 3; i++) {
        frame(&c, 55, 0, -1, r, 2);
        assert_int_equal(r[1], 0x01);
        frame(&c, 41, 0x40000000, -1, r, 2);
        seq[i] = r[1];
    }
    expect_bytes(seq, (const uint8_t[]){0x01, 0x01, 0x00}, 3);
    // R3 after: busy bit set (ready), CCS set (block addressing).
    frame(&c, 58, 0, -1, r, 6);
    expect_bytes(r + 1, (const uint8_t[]){0x00, 0xC0, 0xFF, 0x80, 0x00}, 5);
    // R2 of CMD13.
    frame(&c, 13, 0, -1, r, 3);
    expect_bytes(r + 1, (const uint8_t[]){0x00, 0x00}, 2);
    // Unknown command; CMD16 other than 512.
    frame(&c, 5, 0, -1, r, 2);
    assert_int_equal(r[1], 0x04);
    frame(&c, 16, 1024, -1, r, 2);
    assert_int_equal(r[1], 0x40);
    frame(&c, 16, 512, -1, r, 2);
    assert_int_equal(r[1], 0x00);
    img_free(&card_img);

    // An SDHC card stays idle for a host that does not set HCS.
    new_card(&c, (c9_sdcard_config_t){.ncr = 1}, 2048);
    frame(&c, 0, 0, 0x95, r, 2);
    for (int i = 0; i < 5; i++) {
        frame(&c, 55, 0, -1, r, 2);
        frame(&c, 41, 0, -1, r, 2);
        assert_int_equal(r[1], 0x01);
    }
    img_free(&card_img);

    // A version 1 card: CMD8 illegal; R3 without CCS.
    new_card(&c, (c9_sdcard_config_t){.ncr = 2, .v1 = true}, 2048);
    frame(&c, 0, 0, 0x95, r, 3);
    expect_bytes(r, (const uint8_t[]){0xFF, 0xFF, 0x01}, 3);
    frame(&c, 8, 0x1AA, 0x87, r, 3);
    assert_int_equal(r[2], 0x05);
    card_init(&c, false);
    frame(&c, 58, 0, -1, r, 7);
    expect_bytes(r + 2, (const uint8_t[]){0x00, 0x80, 0xFF, 0x80, 0x00}, 5);
    img_free(&card_img);
}

static uint32_t bits(const uint8_t *reg, int hi, int lo) {
    uint32_t v = 0;
    for (int b = hi; b >= lo; b--) {
        v = v << 1 | ((reg[15 - b / 8] >> (b % 8)) & 1);
    }
    return v;
}

static void read_register(c9_sdcard_t *c, uint8_t index, uint8_t reg[16]) {
    uint8_t r[24];
    frame(c, index, 0, -1, r, 22);
    // NCR, R1, NAC (0), token, 16 bytes, CRC16.
    assert_int_equal(r[0], 0xFF);
    assert_int_equal(r[1], 0x00);
    assert_int_equal(r[2], 0xFE);
    memcpy(reg, r + 3, 16);
    assert_int_equal(r[19] << 8 | r[20], c9_sd_crc16(reg, 16));
    // The register's own CRC7 and end bit.
    assert_int_equal(reg[15], c9_sd_crc7(reg, 15) << 1 | 1);
}

static void test_card_registers(void **state) {
    (void)state;
    c9_sdcard_t c;
    uint8_t csd[16], cid[16];
    // SDHC, 8 MiB + 100 blocks: capacity in whole 512 KiB units.
    new_card(&c, (c9_sdcard_config_t){.ncr = 1}, 16384 + 100);
    card_init(&c, true);
    read_register(&c, 9, csd);
    assert_int_equal(bits(csd, 127, 126), 1);              // CSD_STRUCTURE: version 2.0
    assert_int_equal(bits(csd, 83, 80), 9);                // READ_BL_LEN
    assert_int_equal(bits(csd, 69, 48), 16384 / 1024 - 1); // C_SIZE
    assert_int_equal(bits(csd, 25, 22), 9);                // WRITE_BL_LEN
    assert_int_equal(bits(csd, 0, 0), 1);
    assert_int_equal(c9_sdcard_blocks(&c), 16384);
    read_register(&c, 10, cid);
    assert_memory_equal(cid + 1, "C9", 2);
    assert_memory_equal(cid + 3, "VSDHC", 5);
    img_free(&card_img);
    // SDSC, 32 MiB: capacity = (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) * 2^READ_BL_LEN.
    new_card(&c, (c9_sdcard_config_t){.ncr = 1, .sdsc = true}, 65536);
    card_init(&c, false);
    read_register(&c, 9, csd);
    assert_int_equal(bits(csd, 127, 126), 0);
    uint32_t bl = bits(csd, 83, 80), c_size = bits(csd, 73, 62), mult = bits(csd, 49, 47);
    assert_int_equal(bits(csd, 79, 79), 1); // READ_BL_PARTIAL
    assert_int_equal((uint64_t)(c_size + 1) << (mult + 2 + bl), 65536ull * 512);
    assert_int_equal(c9_sdcard_blocks(&c), 65536);
    img_free(&card_img);
}

static void test_card_blocks(void **state) {
    (void)state;
    c9_sdcard_t c;
    new_card(&c, (c9_sdcard_config_t){.ncr = 1, .nac = 3, .busy = 4}, 4096);
    card_init(&c, true);
    uint8_t r[600], data[512];
    // CMD17: R1, NAC bytes of 0xFF, token 0xFE, the block, CRC16.
    frame(&c, 17, 7, -1, r, 1 + 1 + 3 + 1 + 512 + 2 + 1);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFE}, 6);
    assert_memory_equal(r + 6, card_img.mem + 7 * 512, 512);
    assert_int_equal(r[518] << 8 | r[519], c9_sd_crc16(card_img.mem + 7 * 512, 512));
    assert_int_equal(r[520], 0xFF);
    // CMD24: R1; then start token, block, CRC; data response "accepted", busy, then ready.
    tl_fill(data, sizeof data, 5);
    frame(&c, 24, 9, -1, r, 2);
    assert_int_equal(r[1], 0x00);
    uint8_t tok = 0xFE, crc[2] = {0xAB, 0xCD}; // CRC is not checked until CMD59
    c9_sdcard_transfer(&c, &tok, NULL, 1);
    c9_sdcard_transfer(&c, data, NULL, 512);
    c9_sdcard_transfer(&c, crc, NULL, 2);
    c9_sdcard_transfer(&c, NULL, r, 7);
    expect_bytes(r, (const uint8_t[]){0x05, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF}, 7);
    assert_memory_equal(card_img.mem + 9 * 512, data, 512);
    // CMD25: two blocks with token 0xFC, then the stop token 0xFD: one byte, busy, ready.
    frame(&c, 25, 20, -1, r, 2);
    for (int i = 0; i < 2; i++) {
        tl_fill(data, sizeof data, 10 + (uint32_t)i);
        tok = 0xFC;
        c9_sdcard_transfer(&c, &tok, NULL, 1);
        c9_sdcard_transfer(&c, data, NULL, 512);
        c9_sdcard_transfer(&c, crc, NULL, 2);
        c9_sdcard_transfer(&c, NULL, r, 6);
        expect_bytes(r, (const uint8_t[]){0x05, 0x00, 0x00, 0x00, 0x00, 0xFF}, 6);
        assert_memory_equal(card_img.mem + (20 + i) * 512, data, 512);
    }
    tok = 0xFD;
    c9_sdcard_transfer(&c, &tok, NULL, 1);
    c9_sdcard_transfer(&c, NULL, r, 7);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF}, 7);
    // CMD18 streams blocks until CMD12; the byte after CMD12 is a stuff byte, then R1b.
    frame(&c, 18, 20, -1, r, 2 + 3 + 1 + 512 + 2);
    assert_int_equal(r[5], 0xFE);
    assert_memory_equal(r + 6, card_img.mem + 20 * 512, 512);
    c9_sdcard_transfer(&c, NULL, r, 3 + 1 + 512 + 2);
    assert_int_equal(r[3], 0xFE);
    assert_memory_equal(r + 4, card_img.mem + 21 * 512, 512);
    frame(&c, 12, 0, -1, r, 8);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF}, 8);
    // Out of range: R1 "parameter error" and no data.
    frame(&c, 17, 4096, -1, r, 4);
    expect_bytes(r, (const uint8_t[]){0xFF, 0x40, 0xFF, 0xFF}, 4);
    // CRC checking on: a bad command CRC, then a bad data CRC ("rejected, CRC error").
    frame(&c, 59, 1, -1, r, 2);
    assert_int_equal(r[1], 0x00);
    frame(&c, 13, 0, 0x01, r, 2);
    assert_int_equal(r[1], 0x08);
    frame(&c, 24, 30, -1, r, 2);
    tok = 0xFE;
    c9_sdcard_transfer(&c, &tok, NULL, 1);
    c9_sdcard_transfer(&c, data, NULL, 512);
    c9_sdcard_transfer(&c, crc, NULL, 2);
    c9_sdcard_transfer(&c, NULL, r, 1);
    assert_int_equal(r[0], 0x0B);
    assert_memory_not_equal(card_img.mem + 30 * 512, data, 512);
    img_free(&card_img);

    // SDSC: byte addresses, which must be whole blocks.
    new_card(&c, (c9_sdcard_config_t){.ncr = 1, .sdsc = true}, 4096);
    card_init(&c, false);
    frame(&c, 17, 100, -1, r, 2);
    assert_int_equal(r[1], 0x20);
    frame(&c, 17, 5 * 512, -1, r, 4 + 512);
    assert_int_equal(r[2], 0xFE);
    assert_memory_equal(r + 3, card_img.mem + 5 * 512, 512);
    img_free(&card_img);
}

/* ---- the driver --------------------------------------------------------------------------- */

static void driver_on(bus_t *b, c9_sdcard_t *c, c9_sdcard_config_t cc, uint32_t blocks) {
    memset(b, 0, sizeof *b);
    b->corrupt_at = -1;
    new_card(c, cc, blocks);
    c9_sdcard_select(c, false);
    b->card = c;
}

static void test_driver_init_transcript(void **state) {
    (void)state;
    bus_t b;
    c9_sdcard_t c;
    driver_on(&b, &c, (c9_sdcard_config_t){.ncr = 1}, 8192);
    b.logging = true;
    c9_sdspi_t sd;
    c9_sdspi_ops_t ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 8000000), C9_OK);
    assert_int_equal(c9_sdspi_blocks(&sd), 8192);
    assert_int_equal(b.baud, 250000);
    // The command frames the driver sent, in order, with the CRCs the specification gives
    // (0xFF filler between them removed): CMD0, CMD8 0x1AA, then CMD58 / CMD55 / ACMD41 with HCS
    // until ready (ready at once here), CMD58, CMD9, CMD16 512.
    static const uint8_t want[][6] = {
        {0x40, 0, 0, 0, 0, 0x95}, {0x48, 0, 0, 0x01, 0xAA, 0x87}, {0x7A, 0, 0, 0, 0, 0xFD},
        {0x77, 0, 0, 0, 0, 0x65}, {0x69, 0x40, 0, 0, 0, 0x77},    {0x7A, 0, 0, 0, 0, 0xFD},
        {0x49, 0, 0, 0, 0, 0xAF}, {0x50, 0, 0, 0x02, 0, 0x15},
    };
    size_t k = 0;
    for (size_t i = 0; i < b.log_len;) {
        if (b.log[i] == 0xFF) {
            i++;
            continue;
        }
        assert_true(k < C9_ARRAY_SIZE(want));
        assert_true(i + 6 <= b.log_len);
        expect_bytes(b.log + i, want[k], 6);
        k++;
        i += 6;
    }
    assert_int_equal(k, C9_ARRAY_SIZE(want));
    img_free(&card_img);
}

static void test_driver_blocks(void **state) {
    (void)state;
    static const struct {
        c9_sdcard_config_t cc;
        uint32_t blocks;
    } kinds[] = {
        {{.ncr = 1}, 8192},
        {{.ncr = 8, .nac = 20, .busy = 30, .init_polls = 10}, 3000},
        {{.sdsc = true, .ncr = 2, .nac = 1, .busy = 1}, 6000},
        {{.v1 = true, .ncr = 1, .init_polls = 3}, 6000},
    };
    for (size_t k = 0; k < C9_ARRAY_SIZE(kinds); k++) {
        bus_t b;
        c9_sdcard_t c;
        driver_on(&b, &c, kinds[k].cc, kinds[k].blocks);
        c9_sdspi_t sd;
        c9_sdspi_ops_t ops = bus_ops(&b);
        assert_int_equal(c9_sdspi_init(&sd, &ops, 12000000), C9_OK);
        assert_int_equal(c9_sdspi_blocks(&sd), c9_sdcard_blocks(&c));
        static uint8_t buf[8 * 512], data[8 * 512];
        assert_int_equal(c9_sdspi_read(&sd, 3, buf, 1), C9_OK);
        assert_memory_equal(buf, card_img.mem + 3 * 512, 512);
        assert_int_equal(c9_sdspi_read(&sd, 100, buf, 8), C9_OK);
        assert_memory_equal(buf, card_img.mem + 100 * 512, 8 * 512);
        assert_int_equal(b.baud, 12000000);
        tl_fill(data, sizeof data, 3 + (uint32_t)k);
        // Two calls continuing one multi-block write, then a write elsewhere, then sync.
        assert_int_equal(c9_sdspi_write(&sd, 50, data, 3), C9_OK);
        assert_int_equal(c9_sdspi_write(&sd, 53, data + 3 * 512, 2), C9_OK);
        assert_int_equal(c9_sdspi_write(&sd, 7, data + 5 * 512, 3), C9_OK);
        assert_int_equal(c9_sdspi_sync(&sd), C9_OK);
        assert_memory_equal(card_img.mem + 50 * 512, data, 5 * 512);
        assert_memory_equal(card_img.mem + 7 * 512, data + 5 * 512, 3 * 512);
        // Reading while a write is open ends the write first.
        assert_int_equal(c9_sdspi_write(&sd, 60, data, 1), C9_OK);
        assert_int_equal(c9_sdspi_read(&sd, 60, buf, 1), C9_OK);
        assert_memory_equal(buf, data, 512);
        uint32_t last = c9_sdspi_blocks(&sd) - 1;
        assert_int_equal(c9_sdspi_read(&sd, last, buf, 1), C9_OK);
        assert_int_equal(c9_sdspi_read(&sd, last, buf, 2), C9_ERR_SD_RANGE);
        assert_int_equal(c9_sdspi_write(&sd, last + 1, data, 1), C9_ERR_SD_RANGE);
        assert_int_equal(c9_sdspi_deinit(&sd), C9_OK);
        assert_int_equal(c9_sdspi_read(&sd, 0, buf, 1), C9_ERR_BADF);
        img_free(&card_img);
    }
}

/* A block device that fails reads or writes of one block. */
typedef struct faulty {
    c9_blockdev_t inner;
    uint32_t bad_block;
} faulty_t;

static c9_err_t faulty_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    faulty_t *f = ctx;
    return block == f->bad_block ? C9_ERR_IO : f->inner.read(f->inner.ctx, block, buf, count);
}

static c9_err_t faulty_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    faulty_t *f = ctx;
    return block == f->bad_block ? C9_ERR_IO : f->inner.write(f->inner.ctx, block, buf, count);
}

static c9_err_t faulty_count(void *ctx, uint32_t *blocks) {
    faulty_t *f = ctx;
    return f->inner.count(f->inner.ctx, blocks);
}

static void test_driver_errors(void **state) {
    (void)state;
    bus_t b;
    c9_sdcard_t c;
    c9_sdspi_t sd;
    c9_sdspi_ops_t ops;
    static uint8_t buf[1024];
    // An empty slot.
    memset(&b, 0, sizeof b);
    b.corrupt_at = -1;
    ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_ERR_SD_NOCARD);
    assert_string_equal(c9_sdspi_strerror(C9_ERR_SD_NOCARD), "no SD card");
    // A card that never finishes initialising (more ACMD41 polls than the driver's 200).
    driver_on(&b, &c, (c9_sdcard_config_t){.ncr = 1, .init_polls = 250}, 2048);
    ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_ERR_SD_V2_TIMEOUT);
    img_free(&card_img);
    driver_on(&b, &c, (c9_sdcard_config_t){.ncr = 1, .init_polls = 250, .v1 = true}, 2048);
    ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_ERR_SD_V1_TIMEOUT);
    img_free(&card_img);
    // The bus is taken.
    driver_on(&b, &c, (c9_sdcard_config_t){.ncr = 1}, 2048);
    ops = bus_ops(&b);
    b.locked = true;
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_ERR_AGAIN);
    b.locked = false;
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_OK);
    b.locked = true;
    assert_int_equal(c9_sdspi_read(&sd, 0, buf, 1), C9_ERR_AGAIN);
    b.locked = false;
    // One corrupted byte in a data block: the CRC catches it and a retry reads it right.
    b.miso_count = 0;
    b.corrupt_at = 40;
    assert_int_equal(c9_sdspi_read(&sd, 5, buf, 2), C9_OK);
    assert_memory_equal(buf, card_img.mem + 5 * 512, 1024);
    assert_true(b.miso_count > 1100); // more than one pass over the two blocks
    // Corrupted every time: a CRC error after the retries; the card still answers afterwards.
    b.corrupt_at = -1;
    b.corrupt_after_token = true;
    assert_int_equal(c9_sdspi_read(&sd, 5, buf, 1), C9_ERR_SD_CRC);
    assert_int_equal(c9_sdspi_read(&sd, 5, buf, 2), C9_ERR_SD_CRC);
    b.corrupt_after_token = false;
    assert_int_equal(c9_sdspi_read(&sd, 5, buf, 2), C9_OK);
    assert_memory_equal(buf, card_img.mem + 5 * 512, 1024);
    img_free(&card_img);
    // Read and write errors of the card's storage: a data error token, a rejected block.
    memset(&b, 0, sizeof b);
    b.corrupt_at = -1;
    img_new(&card_img, 4096);
    faulty_t f = {.inner = card_img.bd, .bad_block = 9};
    c9_sdcard_config_t cc = {.ncr = 1,
                             .bdev = {.read = faulty_read, .write = faulty_write, .count = faulty_count, .ctx = &f}};
    assert_int_equal(c9_sdcard_init(&c, &cc), C9_OK);
    b.card = &c;
    ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_OK);
    assert_int_equal(c9_sdspi_read(&sd, 9, buf, 1), C9_ERR_SD_TOKEN);
    assert_int_equal(c9_sdspi_read(&sd, 8, buf, 2), C9_ERR_SD_TOKEN);
    assert_int_equal(c9_sdspi_read(&sd, 10, buf, 2), C9_OK); // the card is still usable
    assert_int_equal(c9_sdspi_write(&sd, 9, buf, 1), C9_ERR_SD_WRITE);
    assert_int_equal(c9_sdspi_write(&sd, 10, buf, 2), C9_OK);
    assert_int_equal(c9_sdspi_sync(&sd), C9_OK);
    img_free(&card_img);
    // A card busy longer than the driver waits (300 ms on a clock of 10 ms per byte).
    driver_on(&b, &c, (c9_sdcard_config_t){.ncr = 1, .busy = 200}, 2048);
    b.ms_per_byte = 10;
    ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 1000000), C9_OK);
    assert_int_equal(c9_sdspi_write(&sd, 1, buf, 1), C9_ERR_TIMEDOUT);
    img_free(&card_img);
}

/* A FAT volume made by mkfs.fat and filled by mtools on a card image, read and written through
 * driver and card by the FAT core, then checked by fsck.fat and read back by mtools. */
static void test_fat_on_card(void **state) {
    (void)state;
    if (!tl_have("mkfs.fat fsck.fat mcopy")) {
        print_message("skipped: needs dosfstools and mtools (tools/install-deps.sh installs them)\n");
        skip();
    }
    char src[512], img[512];
    tl_path(src, sizeof src, "sdsrc");
    tl_path(img, sizeof img, "sd.img");
    mkdir(src, 0755);
    tree_write_host(src);
    static char out[8192];
    int rc =
        tl_run(out, sizeof out, "mkfs.fat -C -F 32 -s 1 %s 34000 && cd %s && mcopy -s -m -i %s * ::/", img, src, img);
    if (rc) {
        print_error("%s\n", out);
    }
    assert_int_equal(rc, 0);
    img_load(&card_img, img);
    bus_t b;
    memset(&b, 0, sizeof b);
    b.corrupt_at = -1;
    c9_sdcard_t c;
    c9_sdcard_config_t cc = {.bdev = card_img.bd, .ncr = 1, .nac = 2, .busy = 3};
    // The image is not a multiple of 512 KiB: the card shows the whole units, which hold the
    // volume only if mkfs.fat was given a multiple; 34000 KiB is not, so use the SDSC card.
    cc.sdsc = true;
    assert_int_equal(c9_sdcard_init(&c, &cc), C9_OK);
    b.card = &c;
    c9_sdspi_t sd;
    c9_sdspi_ops_t ops = bus_ops(&b);
    assert_int_equal(c9_sdspi_init(&sd, &ops, 24000000), C9_OK);
    c9_fat_t fs;
    c9_fat_config_t fc = {.bdev = c9_sdspi_blockdev(&sd)};
    assert_int_equal(c9_fat_mount(&fs, &fc), C9_OK);
    c9_err_t err;
    char *want = host_listing(src), *got = fat_listing(&fs, &err);
    assert_int_equal(err, C9_OK);
    assert_string_equal(want, got);
    free(got);
    uint8_t data[5000];
    tl_fill(data, sizeof data, 99);
    assert_int_equal(tl_fat_put(&fs, "from code.py.txt", data, sizeof data, 700), C9_OK);
    assert_int_equal(c9_fat_unmount(&fs), C9_OK);
    assert_int_equal(c9_sdspi_deinit(&sd), C9_OK);
    img_save(&card_img, img);
    rc = tl_run(out, sizeof out, "fsck.fat -n %s", img);
    if (rc) {
        print_error("%s\n", out);
    }
    assert_int_equal(rc, 0);
    char back[512];
    tl_path(back, sizeof back, "sdback.txt");
    assert_int_equal(tl_run(out, sizeof out, "mcopy -n -i %s '::/from code.py.txt' %s", img, back), 0);
    size_t n;
    uint8_t *d = tl_read_file(back, &n);
    assert_non_null(d);
    assert_int_equal(n, sizeof data);
    assert_memory_equal(d, data, n);
    free(d);
    free(want);
    img_free(&card_img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_examples),        cmocka_unit_test(test_card_enters_spi_mode),
        cmocka_unit_test(test_card_init_responses), cmocka_unit_test(test_card_registers),
        cmocka_unit_test(test_card_blocks),         cmocka_unit_test(test_driver_init_transcript),
        cmocka_unit_test(test_driver_blocks),       cmocka_unit_test(test_driver_errors),
        cmocka_unit_test(test_fat_on_card),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    tl_cleanup();
    return r;
}
