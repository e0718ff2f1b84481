/* SD cards over SPI, the host side: what CircuitPython's sdcardio does, with bounded waits. */
#include "circuit9/sdcard.h"

#include <string.h>

#define INIT_BAUDRATE 250000
#define CMD_TIMEOUT 200       /* bytes, or ACMD41 polls (sdcardio's CMD_TIMEOUT) */
#define READY_MS 300          /* sdcardio's wait_for_ready */
#define TOKEN_MS 300          /* the specification's read timeout for SDHC is 100 ms */
#define BYTES_NO_CLOCK 100000 /* limit of a wait when there is no clock to time it */
#define BYTES_MAX 4000000     /* limit even with a clock, should it stand still */
#define R1_IDLE 0x01
#define R1_ILLEGAL 0x04
#define TOKEN_DATA 0xFE
#define TOKEN_MULTI 0xFC
#define TOKEN_STOP 0xFD
#define READ_TRIES 3

const char *c9_sdspi_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

// ---- bus access ---------------------------------------------------------------------------------

static c9_err_t xfer(c9_sdspi_t *sd, const uint8_t *tx, uint8_t *rx, size_t len) {
    return sd->ops.transfer(sd->ops.ctx, tx, rx, len);
}

static c9_err_t read_byte(c9_sdspi_t *sd, uint8_t *b) {
    return xfer(sd, NULL, b, 1);
}

// A wait limit: a time when there is a clock (with a byte count as a backstop), else bytes.
typedef struct limit {
    uint64_t deadline;
    uint32_t bytes;
} limit_t;

static limit_t limit_start(c9_sdspi_t *sd, uint32_t ms) {
    limit_t l = {0, sd->ops.now_ms ? BYTES_MAX : BYTES_NO_CLOCK};
    if (sd->ops.now_ms) {
        l.deadline = sd->ops.now_ms(sd->ops.ctx) + ms;
    }
    return l;
}

static bool limit_left(c9_sdspi_t *sd, limit_t *l) {
    if (l->bytes == 0) {
        return false;
    }
    l->bytes--;
    return !sd->ops.now_ms || sd->ops.now_ms(sd->ops.ctx) < l->deadline;
}

// Clocks until the card releases MISO (0xFF): it is not busy.
static c9_err_t wait_ready(c9_sdspi_t *sd) {
    limit_t l = limit_start(sd, READY_MS);
    while (limit_left(sd, &l)) {
        uint8_t b;
        c9_err_t err = read_byte(sd, &b);
        if (err) {
            return err;
        }
        if (b == 0xFF) {
            return C9_OK;
        }
    }
    return C9_ERR_TIMEDOUT;
}

// Ends a multi-block write: the stop token, then the busy that follows it.
static c9_err_t exit_cmd25(c9_sdspi_t *sd) {
    if (!sd->in_cmd25) {
        return C9_OK;
    }
    sd->in_cmd25 = false;
    uint8_t stop[2] = {TOKEN_STOP, 0xFF};
    c9_err_t err = xfer(sd, stop, NULL, 2);
    if (err) {
        return err;
    }
    // Busy starts within a few bytes (sdcardio waits for it); then wait for its end.
    for (int i = 0; i < 8; i++) {
        uint8_t b;
        if ((err = read_byte(sd, &b))) {
            return err;
        }
        if (b == 0x00) {
            break;
        }
    }
    return wait_ready(sd);
}

// Sends a command and reads its first response byte (R1) into *r1. Waits for the card to be
// ready first unless !wait (CMD0, before the card is in SPI mode).
static c9_err_t command(c9_sdspi_t *sd, uint8_t index, uint32_t arg, bool wait, uint8_t *r1) {
    c9_err_t err = exit_cmd25(sd);
    if (err) {
        return err;
    }
    uint8_t frame[6] = {(uint8_t)(0x40 | index), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
                        (uint8_t)(arg >> 8),     (uint8_t)arg,         0};
    frame[5] = (uint8_t)(c9_sd_crc7(frame, 5) << 1 | 1);
    if (wait && (err = wait_ready(sd))) {
        return err;
    }
    if ((err = xfer(sd, frame, NULL, 6))) {
        return err;
    }
    if (index == 12) {
        uint8_t stuff;
        if ((err = read_byte(sd, &stuff))) { // the byte after CMD12 is not the response
            return err;
        }
    }
    for (int i = 0; i < CMD_TIMEOUT; i++) {
        if ((err = read_byte(sd, r1))) {
            return err;
        }
        if (!(*r1 & 0x80)) {
            return C9_OK;
        }
    }
    return C9_ERR_TIMEDOUT;
}

// Waits for a data token and reads len bytes and the CRC after it.
static c9_err_t read_data(c9_sdspi_t *sd, uint8_t *buf, size_t len) {
    limit_t l = limit_start(sd, TOKEN_MS);
    uint8_t token = 0xFF;
    c9_err_t err;
    while (token == 0xFF) {
        if (!limit_left(sd, &l)) {
            return C9_ERR_SD_TOKEN;
        }
        if ((err = read_byte(sd, &token))) {
            return err;
        }
    }
    if (token != TOKEN_DATA) {
        return C9_ERR_SD_TOKEN; // a data error token (0b000xxxxx) or noise
    }
    uint8_t crc[2];
    if ((err = xfer(sd, NULL, buf, len)) || (err = xfer(sd, NULL, crc, 2))) {
        return err;
    }
    if (sd->check_crc && (uint16_t)(crc[0] << 8 | crc[1]) != c9_sd_crc16(buf, len)) {
        return C9_ERR_SD_CRC;
    }
    return C9_OK;
}

// One bus transaction: lock, clock rate, chip select; and the end of one.
static c9_err_t begin(c9_sdspi_t *sd, uint32_t baudrate) {
    if (sd->ops.try_lock && !sd->ops.try_lock(sd->ops.ctx)) {
        return C9_ERR_AGAIN;
    }
    if (sd->ops.set_baudrate) {
        c9_err_t err = sd->ops.set_baudrate(sd->ops.ctx, baudrate);
        if (err) {
            if (sd->ops.unlock) {
                sd->ops.unlock(sd->ops.ctx);
            }
            return err;
        }
    }
    sd->ops.select(sd->ops.ctx, true);
    return C9_OK;
}

// Chip select off and one more byte of clocks, which some cards need to release MISO.
static c9_err_t end(c9_sdspi_t *sd, c9_err_t err) {
    sd->ops.select(sd->ops.ctx, false);
    c9_err_t e2 = xfer(sd, NULL, NULL, 1);
    if (sd->ops.unlock) {
        sd->ops.unlock(sd->ops.ctx);
    }
    return err ? err : e2;
}

// ---- initialisation ---------------------------------------------------------------------------

static uint32_t csd_blocks(const uint8_t *csd, c9_err_t *err) {
    unsigned version = csd[0] >> 6;
    *err = C9_OK;
    if (version == 1) {
        uint32_t c_size = (uint32_t)(csd[7] & 0x3F) << 16 | (uint32_t)csd[8] << 8 | csd[9];
        return (c_size + 1) * 1024;
    }
    if (version == 0) {
        uint32_t bl = csd[5] & 0x0F;
        uint32_t c_size = (uint32_t)(csd[6] & 0x03) << 10 | (uint32_t)csd[7] << 2 | (uint32_t)(csd[8] & 0xC0) >> 6;
        uint32_t mult = (uint32_t)(csd[9] & 0x03) << 1 | (uint32_t)(csd[10] & 0x80) >> 7;
        if (bl < 9 || bl > 11) {
            *err = C9_ERR_SD_CSD;
            return 0;
        }
        return (c_size + 1) << (mult + 2 + bl - 9);
    }
    *err = C9_ERR_SD_CSD;
    return 0;
}

static c9_err_t init_card(c9_sdspi_t *sd) {
    uint8_t r1;
    c9_err_t err;
    // 80 clocks with CS high put the card in a state to accept CMD0.
    sd->ops.select(sd->ops.ctx, false);
    if ((err = xfer(sd, NULL, NULL, 10))) {
        return err;
    }
    sd->ops.select(sd->ops.ctx, true);
    bool idle = false;
    for (int i = 0; i < 5 && !idle; i++) {
        (void)wait_ready(sd); // a card still in SD mode need not be ready: no CMD0 wait
        err = command(sd, 0, 0, false, &r1);
        if (err && err != C9_ERR_TIMEDOUT) {
            return err;
        }
        idle = !err && r1 == R1_IDLE;
    }
    if (!idle) {
        return C9_ERR_SD_NOCARD;
    }
    uint8_t r7[4];
    if ((err = command(sd, 8, 0x1AA, true, &r1))) {
        return err == C9_ERR_TIMEDOUT ? C9_ERR_SD_VERSION : err;
    }
    if (r1 == R1_IDLE) {
        // Version 2: the card echoes the voltage range and check pattern.
        if ((err = xfer(sd, NULL, r7, 4))) {
            return err;
        }
        if ((r7[2] & 0x0F) != 0x01 || r7[3] != 0xAA) {
            return C9_ERR_SD_VERSION;
        }
        bool ready = false;
        for (int i = 0; i < CMD_TIMEOUT && !ready; i++) {
            if (sd->ops.delay_ms) {
                sd->ops.delay_ms(sd->ops.ctx, 50);
            }
            // sdcardio reads the OCR on each attempt too; the answer only matters at the end.
            uint8_t ocr[4];
            if ((err = command(sd, 58, 0, true, &r1)) || (err = xfer(sd, NULL, ocr, 4)) ||
                (err = command(sd, 55, 0, true, &r1)) || (err = command(sd, 41, 0x40000000, true, &r1))) {
                if (err != C9_ERR_TIMEDOUT) {
                    return err;
                }
                continue;
            }
            ready = r1 == 0;
        }
        if (!ready) {
            return C9_ERR_SD_V2_TIMEOUT;
        }
        uint8_t ocr[4];
        if ((err = command(sd, 58, 0, true, &r1)) || (err = xfer(sd, NULL, ocr, 4))) {
            return err;
        }
        sd->cdv = ocr[0] & 0x40 ? 1 : C9_BLOCK_SIZE; // CCS: block addresses
    } else if (r1 == (R1_IDLE | R1_ILLEGAL)) {
        // Version 1 (no CMD8): byte addresses.
        bool ready = false;
        for (int i = 0; i < CMD_TIMEOUT && !ready; i++) {
            if ((err = command(sd, 55, 0, true, &r1)) || (err = command(sd, 41, 0, true, &r1))) {
                if (err != C9_ERR_TIMEDOUT) {
                    return err;
                }
                continue;
            }
            ready = r1 == 0;
        }
        if (!ready) {
            return C9_ERR_SD_V1_TIMEOUT;
        }
        sd->cdv = C9_BLOCK_SIZE;
    } else {
        return C9_ERR_SD_VERSION;
    }
    uint8_t csd[16];
    if ((err = command(sd, 9, 0, true, &r1)) || r1 != 0 || read_data(sd, csd, 16)) {
        return err && err != C9_ERR_TIMEDOUT ? err : C9_ERR_SD_NORESPONSE;
    }
    sd->blocks = csd_blocks(csd, &err);
    if (err) {
        return err;
    }
    if ((err = command(sd, 16, C9_BLOCK_SIZE, true, &r1)) || r1 != 0) {
        return err && err != C9_ERR_TIMEDOUT ? err : C9_ERR_SD_BLOCKLEN;
    }
    return C9_OK;
}

c9_err_t c9_sdspi_init(c9_sdspi_t *sd, const c9_sdspi_ops_t *ops, uint32_t baudrate) {
    if (!sd || !ops || !ops->transfer || !ops->select) {
        return C9_ERR_INVAL;
    }
    memset(sd, 0, sizeof *sd);
    sd->ops = *ops;
    sd->baudrate = baudrate;
    sd->cdv = C9_BLOCK_SIZE;
    sd->check_crc = true;
    c9_err_t err = begin(sd, INIT_BAUDRATE);
    if (err) {
        return err;
    }
    err = end(sd, init_card(sd));
    sd->ready = err == C9_OK;
    return err;
}

// ---- blocks -----------------------------------------------------------------------------------

static c9_err_t check(c9_sdspi_t *sd, uint32_t block, uint32_t count) {
    if (!sd || !sd->ready) {
        return C9_ERR_BADF;
    }
    if (block > sd->blocks || count > sd->blocks - block) {
        return C9_ERR_SD_RANGE;
    }
    return C9_OK;
}

static c9_err_t read_once(c9_sdspi_t *sd, uint32_t block, uint8_t *buf, uint32_t count) {
    uint8_t r1;
    c9_err_t err = command(sd, count == 1 ? 17 : 18, block * sd->cdv, true, &r1);
    if (!err && r1) {
        err = C9_ERR_SD_R1;
    }
    for (uint32_t i = 0; !err && i < count; i++) {
        err = read_data(sd, buf + (size_t)i * C9_BLOCK_SIZE, C9_BLOCK_SIZE);
    }
    if (count > 1) {
        // CMD12 ends the stream even after an error, so that the card listens again.
        c9_err_t e2 = command(sd, 12, 0, false, &r1);
        if (!e2) {
            e2 = wait_ready(sd);
        }
        if (!err) {
            err = e2;
        }
    }
    return err;
}

c9_err_t c9_sdspi_read(c9_sdspi_t *sd, uint32_t block, uint8_t *buf, uint32_t count) {
    c9_err_t err = check(sd, block, count);
    if (err || count == 0) {
        return err;
    }
    if ((err = begin(sd, sd->baudrate))) {
        return err;
    }
    for (int attempt = 0; attempt < READ_TRIES; attempt++) {
        err = read_once(sd, block, buf, count);
        if (err != C9_ERR_SD_CRC && err != C9_ERR_SD_TOKEN && err != C9_ERR_TIMEDOUT) {
            break;
        }
    }
    return end(sd, err);
}

static c9_err_t write_block(c9_sdspi_t *sd, const uint8_t *data) {
    c9_err_t err = wait_ready(sd);
    if (err) {
        return err;
    }
    uint16_t crc = c9_sd_crc16(data, C9_BLOCK_SIZE);
    uint8_t token = TOKEN_MULTI, tail[2] = {(uint8_t)(crc >> 8), (uint8_t)crc};
    if ((err = xfer(sd, &token, NULL, 1)) || (err = xfer(sd, data, NULL, C9_BLOCK_SIZE)) ||
        (err = xfer(sd, tail, NULL, 2))) {
        return err;
    }
    // Data response token: xxx0sss1, sss = 010 accepted.
    uint8_t r = 0xFF;
    int i;
    for (i = 0; i < CMD_TIMEOUT; i++) {
        if ((err = read_byte(sd, &r))) {
            return err;
        }
        if ((r & 0x11) == 0x01) {
            break;
        }
    }
    if (i == CMD_TIMEOUT) {
        return C9_ERR_TIMEDOUT;
    }
    if ((r & 0x1F) != 0x05) {
        return C9_ERR_SD_WRITE;
    }
    // Busy (0x00) while the card programs the block.
    limit_t l = limit_start(sd, READY_MS);
    do {
        if (!limit_left(sd, &l)) {
            return C9_ERR_TIMEDOUT;
        }
        if ((err = read_byte(sd, &r))) {
            return err;
        }
    } while (r == 0x00);
    return C9_OK;
}

c9_err_t c9_sdspi_write(c9_sdspi_t *sd, uint32_t block, const uint8_t *buf, uint32_t count) {
    c9_err_t err = check(sd, block, count);
    if (err || count == 0) {
        return err;
    }
    if ((err = begin(sd, sd->baudrate))) {
        return err;
    }
    // A write of the block after the last one continues the open CMD25, as sdcardio does: file
    // systems write runs of blocks in several calls.
    if (!sd->in_cmd25 || block != sd->next_block) {
        uint8_t r1;
        err = command(sd, 25, block * sd->cdv, true, &r1);
        if (!err && r1) {
            err = C9_ERR_SD_R1;
        }
        if (err) {
            return end(sd, err);
        }
        sd->in_cmd25 = true;
        sd->next_block = block;
    }
    for (uint32_t i = 0; i < count; i++) {
        if ((err = write_block(sd, buf + (size_t)i * C9_BLOCK_SIZE))) {
            // Stop the transfer so that the card accepts commands again.
            c9_err_t e2 = exit_cmd25(sd);
            (void)e2;
            return end(sd, err);
        }
        sd->next_block++;
    }
    return end(sd, C9_OK);
}

c9_err_t c9_sdspi_sync(c9_sdspi_t *sd) {
    if (!sd || !sd->ready) {
        return C9_ERR_BADF;
    }
    if (!sd->in_cmd25) {
        return C9_OK;
    }
    c9_err_t err = begin(sd, sd->baudrate);
    if (err) {
        return err;
    }
    return end(sd, exit_cmd25(sd));
}

uint32_t c9_sdspi_blocks(const c9_sdspi_t *sd) {
    return sd && sd->ready ? sd->blocks : 0;
}

c9_err_t c9_sdspi_deinit(c9_sdspi_t *sd) {
    if (!sd || !sd->ready) {
        return C9_ERR_BADF;
    }
    c9_err_t err = c9_sdspi_sync(sd);
    sd->ready = false;
    return err;
}

static c9_err_t bd_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    return c9_sdspi_read(ctx, block, buf, count);
}

static c9_err_t bd_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    return c9_sdspi_write(ctx, block, buf, count);
}

static c9_err_t bd_sync(void *ctx) {
    return c9_sdspi_sync(ctx);
}

static c9_err_t bd_count(void *ctx, uint32_t *blocks) {
    c9_sdspi_t *sd = ctx;
    if (!sd->ready) {
        return C9_ERR_BADF;
    }
    *blocks = sd->blocks;
    return C9_OK;
}

c9_blockdev_t c9_sdspi_blockdev(c9_sdspi_t *sd) {
    return (c9_blockdev_t){.read = bd_read, .write = bd_write, .sync = bd_sync, .count = bd_count, .ctx = sd};
}
