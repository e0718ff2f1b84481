/* The virtual board's storage media: the CIRCUITPY drive as a disk image (block device
 * "CIRCUITPY", which the runtime mounts with the FAT core), and a card in the SD card slot: the
 * card model of core/sdcard over a disk image, wired to the board's SPI pins and the slot's chip
 * select, so that sdcardio and pure-Python drivers talk to it byte by byte as to a card. */
#include "vpanel_internal.h"

#include "circuit9/host_blockdev.h"
#include "circuit9/sdcard.h"

#include <stdio.h>
#include <string.h>

/* ---- the drive ------------------------------------------------------------------------------ */

static c9_host_blockdev_t drive_file;
static c9_blockdev_t drive_bd;
static bool drive_open;

c9_err_t c9__port_set_drive_image(const char *path) {
    if (drive_open) {
        c9_host_register_blockdev("CIRCUITPY", NULL);
        c9_host_blockdev_close(&drive_file);
        drive_open = false;
    }
    if (!path) {
        return C9_OK;
    }
    c9_err_t err = c9_host_blockdev_open(&drive_file, path, C9_HOST_BD_WRITE, &drive_bd);
    if (err != C9_OK) {
        return err;
    }
    drive_open = true;
    return c9_host_register_blockdev("CIRCUITPY", &drive_bd);
}

/* ---- the SD card slot ----------------------------------------------------------------------- */

static struct {
    c9_host_blockdev_t file;
    c9_sdcard_t card;
    bool present;
} slot;

static void card_exchange(void *ctx, const uint8_t *mosi, uint8_t *miso, size_t len) {
    c9_sdcard_transfer(ctx, mosi, miso, len);
}

static void card_select(void *ctx, bool selected) {
    c9_sdcard_select(ctx, selected);
}

/* The card a disk image makes: SDHC (block addresses, CSD version 2) when the image is whole
 * 512 KiB units, which is how SDHC cards count their capacity, or too large for a
 * standard-capacity card; otherwise a standard-capacity card (byte addresses, CSD version 1),
 * whose capacity steps are finer. Either way the card reports the blocks its CSD can express; a
 * remainder beyond them stays unreachable, as on a card. */
static bool image_is_sdhc(uint32_t blocks) {
    return blocks % 1024 == 0 || blocks > 0x800000;
}

c9_err_t c9__port_set_sd_card(const c9_board_t *b, const char *path) {
    if (slot.present) {
        c9_vboard_unwire(&slot);
        c9_host_blockdev_close(&slot.file);
        slot.present = false;
    }
    if (!path) {
        return C9_OK;
    }
    const c9_board_pin_t *cs = b && b->sd_cs ? c9_board_pin(b, b->sd_cs) : NULL;
    const c9_board_pin_t *sck = cs && b->spi_clock ? c9_board_pin(b, b->spi_clock) : NULL;
    const c9_board_pin_t *mosi = sck && b->spi_mosi ? c9_board_pin(b, b->spi_mosi) : NULL;
    const c9_board_pin_t *miso = mosi && b->spi_miso ? c9_board_pin(b, b->spi_miso) : NULL;
    if (!miso) {
        return C9_ERR_NODEV;
    }
    c9_blockdev_t bd;
    c9_err_t err = c9_host_blockdev_open(&slot.file, path, C9_HOST_BD_WRITE | C9_HOST_BD_WHOLE, &bd);
    if (err != C9_OK) {
        return err;
    }
    uint32_t blocks = slot.file.blocks;
    c9_sdcard_config_t cc = {.bdev = bd, .sdsc = !image_is_sdhc(blocks)};
    if (blocks < 1024) {
        err = C9_ERR_INVAL; /* smaller than any card (and than a CSD version 2 can say) */
    } else {
        err = c9_sdcard_init(&slot.card, &cc);
    }
    c9_vdevice_t dev = {.spi_transfer = card_exchange, .spi_select = card_select, .ctx = &slot.card};
    if (err == C9_OK) {
        err = c9_vboard_wire_spi_device(&dev, &slot, c9_vpin(sck->mcu_pin), c9_vpin(mosi->mcu_pin),
                                        c9_vpin(miso->mcu_pin), c9_vpin(cs->mcu_pin));
    }
    if (err != C9_OK) {
        c9_host_blockdev_close(&slot.file);
        return err;
    }
    slot.present = true;
    return C9_OK;
}
