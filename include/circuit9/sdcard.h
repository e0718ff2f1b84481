/*
 * circuit9 SD cards over SPI: a virtual card (the device side, fed byte by byte as an SPI slave)
 * and the host driver that sdcardio.SDCard(spi, cs) is (init, CSD, block reads and writes).
 *
 * Card (c9_sdcard_*): speaks the SPI mode of the SD Physical Layer Simplified Specification over
 * a block device: CMD0, 8, 9, 10, 12, 13, 16, 17, 18, 24, 25, 55, 58, 59 and ACMD41, with R1, R1b,
 * R2, R3 and R7 responses, data tokens 0xFE / 0xFC / 0xFD, data response tokens, busy signalling,
 * CRC7 on commands (always for CMD0 and CMD8, for all after CMD59) and CRC16 on data. An SDHC
 * card (the default) is addressed by block and reports a version 2 CSD; an SDSC card is
 * addressed by byte with a version 1 CSD, and a "v1" card also rejects CMD8 as the first SD
 * cards did. A virtual SPI bus routes each byte to c9_sdcard_exchange() while the card is
 * selected; the card keeps its state across chip-select changes, as cards do.
 *
 *     c9_sdcard_t card;
 *     c9_sdcard_config_t cc = {.bdev = image};
 *     c9_sdcard_init(&card, &cc);
 *     c9_sdcard_select(&card, true);
 *     uint8_t miso = c9_sdcard_exchange(&card, mosi);
 *
 * Host driver (c9_sdspi_*): what CircuitPython's sdcardio does, over a small SPI table, with its
 * observable behaviour (250 kHz during init, 80 clocks with CS high, CMD0 five times, CMD8 to tell
 * v1 from v2, ACMD41 polled up to 200 times, CMD58 for block addressing, CMD9 for the size, CMD16,
 * multi-block writes kept open between calls until sync or another command) and these fixes:
 * v1 cards get CMD55 before ACMD41 (sdcardio sends a bare CMD41, which v1 cards reject); the v1
 * CSD's C_SIZE keeps its low two bits and the v2 CSD's its high six (sdcardio masks them off, so
 * cards over 32 GB read as smaller); every wait is bounded (sdcardio waits for a data token
 * forever); failed reads are retried.
 *
 *     c9_sdspi_t sd;
 *     c9_sdspi_ops_t ops = {.transfer = xfer, .select = cs, .set_baudrate = baud, .ctx = bus};
 *     c9_err_t err = c9_sdspi_init(&sd, &ops, 8000000);
 *     c9_blockdev_t bd = c9_sdspi_blockdev(&sd);  // for c9_fat_mount()
 *
 * Neither side allocates. Buffers passed to the SPI operations are valid only during the call.
 *
 * Error codes (band -2100..-2199). The c9_sdspi_strerror() texts are CircuitPython's OSError
 * messages where it has one.
 */
#ifndef CIRCUIT9_SDCARD_H
#define CIRCUIT9_SDCARD_H

#include "circuit9/blockdev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors C9_ERR_SD_* (common.h's error table, band sdcard). */

/* CRC7 of a command's first five bytes (the value, without the end bit) and CRC16-CCITT of a
 * data block, as the SD specification defines them. */
uint8_t c9_sd_crc7(const uint8_t *data, size_t len);
uint16_t c9_sd_crc16(const uint8_t *data, size_t len);

/* ---- the card ------------------------------------------------------------------------------ */

typedef struct c9_sdcard_config {
    c9_blockdev_t bdev; /* the card's contents */
    bool sdsc;          /* standard capacity: byte addresses, CSD version 1 */
    bool v1;            /* SD 1.x: CMD8 is an illegal command (implies sdsc) */
    uint8_t init_polls; /* ACMD41 calls answered "idle" before the card is ready */
    uint8_t ncr;        /* 0xFF bytes before each response (0-8; the specification's NCR) */
    uint8_t nac;        /* 0xFF bytes before each read data token */
    uint8_t busy;       /* busy (0x00) bytes after a written block, a stop token, CMD12 */
} c9_sdcard_config_t;

#define C9_SDCARD_OUT 1040 /* output queue: a block with its token, CRC and delays, twice */

/* A card. All fields are private. */
typedef struct c9_sdcard {
    c9_sdcard_config_t cfg;
    uint32_t blocks; /* capacity the CSD reports */
    uint8_t csd[16], cid[16];
    bool selected, spi_mode, idle, app_cmd, crc_on, ready;
    uint8_t polls;
    uint8_t state;
    uint8_t cmd[6];
    uint8_t cmd_len;
    uint32_t addr;     /* next block of a multi-block transfer */
    uint16_t data_len; /* bytes of a data block received */
    uint16_t busy_left;
    uint8_t token;
    uint8_t block[C9_BLOCK_SIZE + 2];
    uint8_t out[C9_SDCARD_OUT];
    uint16_t out_head, out_len;
} c9_sdcard_t;

/* Sets the card up from cfg: the capacity comes from the device (an SDHC card reports whole
 * 512 KiB units, so a device of N blocks shows N rounded down to 1024). C9_ERR_INVAL for a
 * device under 1024 blocks as SDHC, over 4 GiB as SDSC, or ncr > 8. */
c9_err_t c9_sdcard_init(c9_sdcard_t *card, const c9_sdcard_config_t *cfg);
/* Chip select: true when CS is driven low. */
void c9_sdcard_select(c9_sdcard_t *card, bool selected);
/* One byte each way: the card's MISO byte for the MOSI byte (0xFF when not selected). */
uint8_t c9_sdcard_exchange(c9_sdcard_t *card, uint8_t mosi);
/* len bytes each way; tx NULL sends 0xFF, rx NULL discards. */
void c9_sdcard_transfer(c9_sdcard_t *card, const uint8_t *tx, uint8_t *rx, size_t len);
/* Blocks the card reports. */
uint32_t c9_sdcard_blocks(const c9_sdcard_t *card);

/* ---- the host driver ------------------------------------------------------------------------ */

typedef struct c9_sdspi_ops {
    /* Full-duplex transfer: tx NULL sends 0xFF, rx NULL discards. */
    c9_err_t (*transfer)(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len);
    /* Drives chip select: true = low (card selected). */
    void (*select)(void *ctx, bool selected);
    /* SPI clock for the following transfers (mode 0, 8 bits); NULL if fixed. */
    c9_err_t (*set_baudrate)(void *ctx, uint32_t hz);
    /* Bus sharing: try_lock false gives C9_ERR_AGAIN (sdcardio's EAGAIN); NULL: no sharing. */
    bool (*try_lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* Milliseconds, for time limits; NULL: limits count bytes instead. */
    uint64_t (*now_ms)(void *ctx);
    /* Waits between ACMD41 polls as sdcardio does (50 ms); NULL: no wait. */
    void (*delay_ms)(void *ctx, uint32_t ms);
    void *ctx;
} c9_sdspi_ops_t;

/* A card on an SPI bus. All fields are private. */
typedef struct c9_sdspi {
    c9_sdspi_ops_t ops;
    uint32_t baudrate;
    uint32_t blocks;
    uint32_t cdv; /* 1: block addresses; 512: byte addresses */
    uint32_t next_block;
    bool in_cmd25;
    bool ready;
    bool check_crc; /* verify the CRC16 of data read (sdcardio ignores it); default on */
} c9_sdspi_t;

/* Initialises the card at 250 kHz, then uses baudrate. Errors: C9_ERR_SD_NOCARD,
 * C9_ERR_SD_VERSION, C9_ERR_SD_V2_TIMEOUT, C9_ERR_SD_V1_TIMEOUT, C9_ERR_SD_NORESPONSE,
 * C9_ERR_SD_CSD, C9_ERR_SD_BLOCKLEN, C9_ERR_AGAIN (bus locked), SPI errors. */
c9_err_t c9_sdspi_init(c9_sdspi_t *sd, const c9_sdspi_ops_t *ops, uint32_t baudrate);
/* Reads count blocks (CMD17 for one, CMD18 + CMD12 for more), retrying twice on a bad token or
 * CRC. Errors: C9_ERR_SD_RANGE, C9_ERR_SD_R1, C9_ERR_SD_TOKEN, C9_ERR_SD_CRC, C9_ERR_TIMEDOUT,
 * C9_ERR_AGAIN, C9_ERR_BADF (not initialised). */
c9_err_t c9_sdspi_read(c9_sdspi_t *sd, uint32_t block, uint8_t *buf, uint32_t count);
/* Writes count blocks in a multi-block write (CMD25) that stays open for a following write of
 * the next block; c9_sdspi_sync() or any other command ends it. Errors: C9_ERR_SD_RANGE,
 * C9_ERR_SD_R1, C9_ERR_SD_WRITE, C9_ERR_TIMEDOUT, C9_ERR_AGAIN, C9_ERR_BADF. */
c9_err_t c9_sdspi_write(c9_sdspi_t *sd, uint32_t block, const uint8_t *buf, uint32_t count);
/* Ends an open multi-block write (stop token, wait while busy). */
c9_err_t c9_sdspi_sync(c9_sdspi_t *sd);
uint32_t c9_sdspi_blocks(const c9_sdspi_t *sd);
/* Syncs and marks the driver unusable (later calls: C9_ERR_BADF). */
c9_err_t c9_sdspi_deinit(c9_sdspi_t *sd);
/* The driver as a block device (read, write, sync, count). */
c9_blockdev_t c9_sdspi_blockdev(c9_sdspi_t *sd);
/* CircuitPython's message for an init error, or a short description. */
const char *c9_sdspi_strerror(c9_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_SDCARD_H */
