/* A virtual SD card in SPI mode, fed one byte at a time (SD Physical Layer Simplified
 * Specification, chapter 7: SPI mode). */
#include "circuit9/sdcard.h"

#include <string.h>

enum {
    ST_CMD,        /* receiving commands */
    ST_READ,       /* CMD18: streaming blocks until CMD12 */
    ST_WRITE_WAIT, /* CMD24/CMD25: waiting for a start token */
    ST_WRITE_DATA, /* receiving a block and its CRC */
};

#define R1_IDLE 0x01
#define R1_ILLEGAL 0x04
#define R1_CRC 0x08
#define R1_ADDRESS 0x20
#define R1_PARAMETER 0x40
#define OCR_VOLTAGES 0x00FF8000u /* 2.7-3.6 V */
#define OCR_READY 0x80000000u
#define OCR_CCS 0x40000000u
#define HCS 0x40000000u
#define TOKEN_SINGLE 0xFE
#define TOKEN_MULTI 0xFC
#define TOKEN_STOP 0xFD

uint8_t c9_sd_crc7(const uint8_t *data, size_t len) {
    uint8_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t d = data[i];
        for (int b = 0; b < 8; b++) {
            crc <<= 1;
            if ((d ^ crc) & 0x80) {
                crc ^= 0x09; // x^7 + x^3 + 1
            }
            d <<= 1;
        }
    }
    return crc & 0x7F;
}

uint16_t c9_sd_crc16(const uint8_t *data, size_t len) {
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

// ---- output queue ------------------------------------------------------------------------------

static void q(c9_sdcard_t *c, uint8_t b) {
    if (c->out_len < C9_SDCARD_OUT) {
        c->out[(c->out_head + c->out_len) % C9_SDCARD_OUT] = b;
        c->out_len++;
    }
}

static void q_fill(c9_sdcard_t *c, uint8_t b, unsigned n) {
    while (n--) {
        q(c, b);
    }
}

static void q_clear(c9_sdcard_t *c) {
    c->out_head = c->out_len = 0;
}

// A response after the command: NCR bytes of 0xFF first.
static void q_response(c9_sdcard_t *c, const uint8_t *r, unsigned n) {
    q_clear(c);
    q_fill(c, 0xFF, c->cfg.ncr);
    for (unsigned i = 0; i < n; i++) {
        q(c, r[i]);
    }
}

static void q_r1(c9_sdcard_t *c, uint8_t r1) {
    q_response(c, &r1, 1);
}

// A data block: NAC bytes of 0xFF, the start token, the data, its CRC16.
static void q_block(c9_sdcard_t *c, const uint8_t *data, unsigned len) {
    uint16_t crc = c9_sd_crc16(data, len);
    q_fill(c, 0xFF, c->cfg.nac);
    q(c, TOKEN_SINGLE);
    for (unsigned i = 0; i < len; i++) {
        q(c, data[i]);
    }
    q(c, (uint8_t)(crc >> 8));
    q(c, (uint8_t)crc);
}

// The next block of a read, or a data error token (bit 3: out of range, bit 0: error).
static void q_read(c9_sdcard_t *c) {
    if (c->addr >= c->blocks) {
        q_fill(c, 0xFF, c->cfg.nac);
        q(c, 0x08);
        return;
    }
    if (c9_blockdev_read(&c->cfg.bdev, c->addr, c->block, 1)) {
        q_fill(c, 0xFF, c->cfg.nac);
        q(c, 0x01);
        return;
    }
    q_block(c, c->block, C9_BLOCK_SIZE);
    c->addr++;
}

// ---- registers --------------------------------------------------------------------------------

static void build_registers(c9_sdcard_t *c, uint32_t dev_blocks) {
    uint8_t *d = c->csd;
    memset(d, 0, 16);
    d[1] = 0x0E; // TAAC 1 ms
    d[3] = 0x32; // TRAN_SPEED 25 MHz
    d[4] = 0x5B; // CCC 0x5B5: classes 0, 2, 4, 5, 7, 8, 10
    if (!c->cfg.sdsc) {
        // CSD version 2.0: C_SIZE counts 512 KiB units.
        uint32_t c_size = dev_blocks / 1024 - 1;
        c->blocks = (c_size + 1) * 1024;
        d[0] = 0x40;
        d[5] = 0x59; // READ_BL_LEN 9
        d[7] = (uint8_t)((c_size >> 16) & 0x3F);
        d[8] = (uint8_t)(c_size >> 8);
        d[9] = (uint8_t)c_size;
        d[10] = 0x7F; // ERASE_BLK_EN, SECTOR_SIZE 0x7F
        d[11] = 0x80;
        d[12] = 0x0A; // R2W_FACTOR 2, WRITE_BL_LEN 9
        d[13] = 0x40;
    } else {
        // CSD version 1.0: capacity = (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) * 2^READ_BL_LEN.
        uint64_t bytes = (uint64_t)dev_blocks * C9_BLOCK_SIZE;
        unsigned bl = 9, mult = 0;
        uint64_t units;
        for (;;) {
            units = (bytes >> bl) >> (mult + 2);
            if (units <= 4096 || (bl == 11 && mult == 7)) {
                break;
            }
            if (mult < 7) {
                mult++;
            } else {
                bl++;
                mult = 0;
            }
        }
        uint32_t c_size = (uint32_t)(units ? units - 1 : 0);
        c->blocks = (uint32_t)((((uint64_t)c_size + 1) << (mult + 2 + bl)) / C9_BLOCK_SIZE);
        d[5] = (uint8_t)(0x50 | bl);
        d[6] = (uint8_t)(0x80 | (c_size >> 10)); // READ_BL_PARTIAL, C_SIZE[11:10]
        d[7] = (uint8_t)(c_size >> 2);
        d[8] = (uint8_t)((c_size & 3) << 6);
        d[9] = (uint8_t)((mult >> 1) & 3);
        d[10] = (uint8_t)(((mult & 1) << 7) | 0x7F); // C_SIZE_MULT[0], ERASE_BLK_EN, SECTOR_SIZE
        d[11] = 0x80;
        d[12] = (uint8_t)(0x08 | (bl >> 2)); // R2W_FACTOR 2, WRITE_BL_LEN
        d[13] = (uint8_t)((bl & 3) << 6);
    }
    d[15] = (uint8_t)(c9_sd_crc7(d, 15) << 1 | 1);
    uint8_t *i = c->cid;
    memset(i, 0, 16);
    i[0] = 0xC9; // manufacturer: the virtual card
    memcpy(i + 1, "C9", 2);
    memcpy(i + 3, c->cfg.sdsc ? "VSDSC" : "VSDHC", 5);
    i[8] = 0x10;                // revision 1.0
    i[12] = 0x01;               // serial number 1
    i[13] = 0x01, i[14] = 0x81; // made January 2024
    i[15] = (uint8_t)(c9_sd_crc7(i, 15) << 1 | 1);
}

c9_err_t c9_sdcard_init(c9_sdcard_t *card, const c9_sdcard_config_t *cfg) {
    if (!card || !cfg || !cfg->bdev.read || cfg->ncr > 8) {
        return C9_ERR_INVAL;
    }
    uint32_t blocks;
    c9_err_t err = c9_blockdev_count(&cfg->bdev, &blocks);
    if (err) {
        return err;
    }
    bool sdsc = cfg->sdsc || cfg->v1;
    if ((!sdsc && blocks < 1024) || (sdsc && blocks > 0x800000) || blocks == 0) {
        return C9_ERR_INVAL;
    }
    memset(card, 0, sizeof *card);
    card->cfg = *cfg;
    card->cfg.sdsc = sdsc;
    build_registers(card, blocks);
    card->idle = true;
    return C9_OK;
}

uint32_t c9_sdcard_blocks(const c9_sdcard_t *card) {
    return card->blocks;
}

void c9_sdcard_select(c9_sdcard_t *card, bool selected) {
    card->selected = selected;
    if (!selected) {
        card->cmd_len = 0; // a half-received command is lost
    }
}

// ---- commands ---------------------------------------------------------------------------------

static void start_write(c9_sdcard_t *c, uint32_t block, uint8_t token) {
    c->addr = block;
    c->token = token;
    c->state = ST_WRITE_WAIT;
}

// A card powers up in SD mode and enters SPI mode on a CMD0 (with a valid CRC) received while
// CS is low. Anything else gets no answer.
static void sd_mode_command(c9_sdcard_t *c, uint8_t index, bool crc_ok) {
    if (index == 0 && crc_ok) {
        c->spi_mode = true;
        c->idle = true;
        q_r1(c, R1_IDLE);
    }
}

// The command after CMD55: ACMD41 (initialisation), or CMD55 again.
static void app_command(c9_sdcard_t *c, uint8_t index, uint32_t arg, uint8_t r1) {
    if (index == 41) {
        if (c->idle) {
            // An SDHC card stays busy for a host that does not claim high-capacity support.
            if ((c->cfg.sdsc || (arg & HCS)) && c->polls++ >= c->cfg.init_polls) {
                c->idle = false;
                c->ready = true;
            }
        }
        q_r1(c, c->idle ? R1_IDLE : 0);
    } else if (index == 55) {
        c->app_cmd = true;
        q_r1(c, r1);
    } else {
        q_r1(c, r1 | R1_ILLEGAL);
    }
}

// CMD0 in SPI mode: back to the idle state, CRC checking off.
static void go_idle(c9_sdcard_t *c) {
    c->idle = true;
    c->ready = false;
    c->polls = 0;
    c->crc_on = false;
    c->state = ST_CMD;
    q_r1(c, R1_IDLE);
}

// CMD8: a version 1 card does not know it; a version 2 card echoes the check pattern and says
// whether it takes the voltage asked for (2.7-3.6 V only).
static void send_if_cond(c9_sdcard_t *c, uint32_t arg, uint8_t r1) {
    if (c->cfg.v1) {
        q_r1(c, r1 | R1_ILLEGAL);
        return;
    }
    uint8_t r7[5] = {r1, 0x00, 0x00, (uint8_t)(((arg >> 8) & 0xF) == 1 ? 1 : 0), (uint8_t)arg};
    q_response(c, r7, 5);
}

// CMD17/18 (read one / many) and CMD24/25 (write one / many). A standard-capacity card is
// addressed in bytes, which must fall on a block; a high-capacity one in blocks.
static void block_command(c9_sdcard_t *c, uint8_t index, uint32_t arg, uint8_t r1) {
    if (c->cfg.sdsc && arg % C9_BLOCK_SIZE) {
        q_r1(c, r1 | R1_ADDRESS);
        return;
    }
    uint32_t block = c->cfg.sdsc ? arg / C9_BLOCK_SIZE : arg;
    if (block >= c->blocks) {
        q_r1(c, r1 | R1_PARAMETER);
        return;
    }
    if ((index == 24 || index == 25) && !c->cfg.bdev.write) {
        q_r1(c, r1 | R1_PARAMETER); // no write-protect switch to report, so: refused
        return;
    }
    q_r1(c, r1);
    c->addr = block;
    if (index == 17) {
        q_read(c);
    } else if (index == 18) {
        c->state = ST_READ;
    } else {
        start_write(c, block, index == 24 ? TOKEN_SINGLE : TOKEN_MULTI);
    }
}

// CMD58: the OCR, with the ready and capacity bits once initialisation is done.
static void read_ocr(c9_sdcard_t *c, uint8_t r1) {
    uint32_t ocr = OCR_VOLTAGES | (c->ready ? OCR_READY : 0) | (c->ready && !c->cfg.sdsc ? OCR_CCS : 0);
    uint8_t r3[5] = {r1, (uint8_t)(ocr >> 24), (uint8_t)(ocr >> 16), (uint8_t)(ocr >> 8), (uint8_t)ocr};
    q_response(c, r3, 5);
}

static void command(c9_sdcard_t *c) {
    const uint8_t *f = c->cmd;
    uint8_t index = f[0] & 0x3F;
    uint32_t arg = (uint32_t)f[1] << 24 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 8 | f[4];
    bool crc_ok = (uint8_t)(c9_sd_crc7(f, 5) << 1 | 1) == f[5];
    if (!c->spi_mode) {
        sd_mode_command(c, index, crc_ok);
        return;
    }
    bool app = c->app_cmd;
    c->app_cmd = false;
    uint8_t r1 = c->idle ? R1_IDLE : 0;
    // CMD8's CRC is always checked; the others' after CMD59 turns checking on.
    if (!crc_ok && (c->crc_on || index == 8)) {
        q_r1(c, r1 | R1_CRC);
        return;
    }
    if (app) {
        app_command(c, index, arg, r1);
        return;
    }
    // In the idle state only the initialisation commands are accepted.
    if (c->idle && index != 0 && index != 8 && index != 55 && index != 58 && index != 59) {
        q_r1(c, r1 | R1_ILLEGAL);
        return;
    }
    switch (index) {
    case 0: go_idle(c); break;
    case 8: send_if_cond(c, arg, r1); break;
    case 9:
    case 10:
        q_r1(c, 0);
        q_block(c, index == 9 ? c->csd : c->cid, 16);
        break;
    case 12: {
        uint8_t r = 0;
        q_response(c, &r, 1);
        c->busy_left = c->cfg.busy;
        break;
    }
    case 13: {
        uint8_t r2[2] = {r1, 0x00};
        q_response(c, r2, 2);
        break;
    }
    case 16: q_r1(c, arg == C9_BLOCK_SIZE ? r1 : r1 | R1_PARAMETER); break;
    case 17:
    case 18:
    case 24:
    case 25: block_command(c, index, arg, r1); break;
    case 55:
        c->app_cmd = true;
        q_r1(c, r1);
        break;
    case 58: read_ocr(c, r1); break;
    case 59:
        c->crc_on = arg & 1;
        q_r1(c, r1);
        break;
    default: q_r1(c, r1 | R1_ILLEGAL); break;
    }
}

// Feeds a byte to the command parser: a command starts with 0b01 in the top bits.
static void command_byte(c9_sdcard_t *c, uint8_t b) {
    if (c->cmd_len == 0 && (b & 0xC0) != 0x40) {
        return;
    }
    c->cmd[c->cmd_len++] = b;
    if (c->cmd_len < 6) {
        return;
    }
    c->cmd_len = 0;
    if (c->state == ST_READ) {
        // A command stops the stream: one stuff byte, then the response (R1b for CMD12).
        c->state = ST_CMD;
        q_clear(c);
        if ((c->cmd[0] & 0x3F) == 12) {
            q(c, 0xFF);
            q(c, 0x00);
            c->busy_left = c->cfg.busy;
            return;
        }
    }
    c->state = ST_CMD;
    command(c);
}

static void data_byte(c9_sdcard_t *c, uint8_t b) {
    c->block[c->data_len++] = b;
    if (c->data_len < C9_BLOCK_SIZE + 2) {
        return;
    }
    c->data_len = 0;
    uint16_t crc = (uint16_t)(c->block[C9_BLOCK_SIZE] << 8 | c->block[C9_BLOCK_SIZE + 1]);
    uint8_t response;
    if (c->crc_on && crc != c9_sd_crc16(c->block, C9_BLOCK_SIZE)) {
        response = 0x0B; // CRC error
    } else if (c->addr >= c->blocks || c9_blockdev_write(&c->cfg.bdev, c->addr, c->block, 1)) {
        response = 0x0D; // write error
    } else {
        response = 0x05; // accepted
        c->addr++;
    }
    q_clear(c);
    q(c, response);
    c->busy_left = c->cfg.busy;
    c->state = c->token == TOKEN_MULTI ? ST_WRITE_WAIT : ST_CMD;
}

uint8_t c9_sdcard_exchange(c9_sdcard_t *c, uint8_t mosi) {
    if (!c->selected) {
        return 0xFF;
    }
    if (c->state == ST_READ && c->out_len == 0) {
        q_read(c);
    }
    // What the card sends on this byte was decided before it sees this byte's MOSI.
    uint8_t miso = 0xFF;
    bool busy = false;
    if (c->out_len) {
        miso = c->out[c->out_head];
        c->out_head = (uint16_t)((c->out_head + 1) % C9_SDCARD_OUT);
        c->out_len--;
    } else if (c->busy_left) {
        miso = 0x00;
        c->busy_left--;
        busy = true;
    }
    switch (c->state) {
    case ST_CMD:
    case ST_READ:
        if (!busy) {
            command_byte(c, mosi);
        }
        break;
    case ST_WRITE_WAIT:
        if (busy || c->out_len) {
            break; // still answering the last block
        }
        if (mosi == c->token) {
            c->state = ST_WRITE_DATA;
            c->data_len = 0;
        } else if (mosi == TOKEN_STOP && c->token == TOKEN_MULTI) {
            // Stop transmission: one byte, then busy while the card finishes programming.
            c->state = ST_CMD;
            q(c, 0xFF);
            c->busy_left = c->cfg.busy ? c->cfg.busy : 1;
        } else if ((mosi & 0xC0) == 0x40) {
            c->state = ST_CMD; // a command instead of data ends the write
            command_byte(c, mosi);
        }
        break;
    case ST_WRITE_DATA: data_byte(c, mosi); break;
    }
    return miso;
}

void c9_sdcard_transfer(c9_sdcard_t *card, const uint8_t *tx, uint8_t *rx, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t r = c9_sdcard_exchange(card, tx ? tx[i] : 0xFF);
        if (rx) {
            rx[i] = r;
        }
    }
}
