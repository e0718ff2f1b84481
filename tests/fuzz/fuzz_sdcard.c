/*
 * SD over SPI from both ends. Input byte 0 even: the rest is what a host sends the virtual card
 * (MOSI), with 0xA5 0x5A toggling chip select; the card must answer without overrunning its
 * queues or reading past its storage. Odd: the rest is what a card answers the host driver (MISO,
 * then 0xFF for ever); the driver must initialise or fail, and read and write, without hanging.
 */
#include <string.h>

#include "circuit9/sdcard.h"

static uint8_t store[2048 * 512];
static const uint8_t *miso;
static size_t miso_len, miso_pos;

static c9_err_t host_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len) {
    (void)ctx;
    (void)tx;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = miso_pos < miso_len ? miso[miso_pos++] : 0xFF;
        if (rx) {
            rx[i] = b;
        }
    }
    return C9_OK;
}

static void host_select(void *ctx, bool selected) {
    (void)ctx;
    (void)selected;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    if (!(data[0] & 1)) {
        c9_ramdisk_t rd;
        c9_sdcard_config_t cc = {.bdev = c9_ramdisk_init(&rd, store, 2048),
                                 .sdsc = data[1] & 1,
                                 .v1 = data[1] & 2,
                                 .ncr = (data[1] >> 2) & 7,
                                 .nac = data[1] >> 5,
                                 .busy = 2,
                                 .init_polls = 1};
        static c9_sdcard_t card;
        if (c9_sdcard_init(&card, &cc)) {
            return 0;
        }
        bool cs = true;
        c9_sdcard_select(&card, cs);
        for (size_t i = 2; i < size; i++) {
            if (data[i] == 0xA5 && i + 1 < size && data[i + 1] == 0x5A) {
                cs = !cs;
                c9_sdcard_select(&card, cs);
                i++;
                continue;
            }
            c9_sdcard_exchange(&card, data[i]);
        }
        // Clock out whatever is queued.
        for (int i = 0; i < 1200; i++) {
            c9_sdcard_exchange(&card, 0xFF);
        }
        return 0;
    }
    miso = data + 1;
    miso_len = size - 1;
    miso_pos = 0;
    c9_sdspi_ops_t ops = {.transfer = host_transfer, .select = host_select};
    static c9_sdspi_t sd;
    if (c9_sdspi_init(&sd, &ops, 1000000) == C9_OK) {
        static uint8_t buf[4 * 512];
        uint32_t n = c9_sdspi_blocks(&sd);
        c9_sdspi_read(&sd, 0, buf, 1);
        c9_sdspi_read(&sd, n > 4 ? n - 4 : 0, buf, 4);
        memset(buf, 0x5A, sizeof buf);
        c9_sdspi_write(&sd, 1, buf, 2);
        c9_sdspi_write(&sd, 3, buf, 1);
        c9_sdspi_deinit(&sd);
    }
    return 0;
}
