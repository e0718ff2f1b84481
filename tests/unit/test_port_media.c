/* The virtual board's storage media through the port contract: a drive image offered as block
 * device "CIRCUITPY", a card in the SD slot answering on the board's SPI bus (through the card
 * model, checked with the SD-over-SPI driver of core/sdcard and against the image's bytes), a
 * full-duplex device on the bus, the host's own file tree (relative paths, getcwd/chdir), and the
 * errors c9_port_init() gives for bad media. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "circuit9/fat.h"
#include "circuit9/host_display.h"
#include "circuit9/port.h"
#include "circuit9/sdcard.h"

static char dir[64];

static int setup(void **state) {
    (void)state;
    strcpy(dir, "/tmp/c9_media_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    c9_port_config_t cfg = {.board = c9_board_find("memento")};
    c9_port_init(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* A file of n blocks, block i filled with (i * 7 + offset) & 0xFF. */
static void make_image(const char *path, uint32_t blocks) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t b[512];
    for (uint32_t i = 0; i < blocks; i++) {
        for (int k = 0; k < 512; k++) {
            b[k] = (uint8_t)(i * 7 + k);
        }
        assert_int_equal(fwrite(b, 1, 512, f), 512);
    }
    fclose(f);
}

/* ---- the drive as an image --------------------------------------------------------------------- */

static void test_drive_image_is_block_device_circuitpy(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/drive.img", dir);
    /* An image as `circuit9 image` writes it: an MBR, then a FAT volume from block 1. */
    make_image(path, 2048);
    uint8_t mbr[512];
    c9_mbr_build_single(mbr, 0x06, 1, 2047);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, mbr, 512, 0), 512);
    close(fd);

    c9_port_config_t cfg = {.board = c9_board_find("memento"), .drive = dir, .drive_image = path};
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    assert_null(c9_port_drive()); /* the runtime mounts the FAT volume itself */
    const c9_blockdev_t *bd;
    assert_int_equal(c9_port_blockdev("CIRCUITPY", &bd), C9_OK);
    uint32_t blocks;
    assert_int_equal(c9_blockdev_count(bd, &blocks), C9_OK);
    assert_int_equal(blocks, 2047); /* the partition, not the file */
    uint8_t b[512];
    assert_int_equal(c9_blockdev_read(bd, 0, b, 1), C9_OK);
    assert_int_equal(b[0], (uint8_t)(1 * 7)); /* block 1 of the file */
    memset(b, 0xA5, sizeof b);
    assert_int_equal(c9_blockdev_write(bd, 10, b, 1), C9_OK);
    assert_int_equal(c9_blockdev_sync(bd), C9_OK);
    fd = open(path, O_RDONLY);
    uint8_t back[512];
    assert_int_equal(pread(fd, back, 512, 11 * 512), 512);
    close(fd);
    assert_memory_equal(back, b, 512);

    /* Without an image the folder is the drive again and the block device is gone. */
    cfg.drive_image = NULL;
    assert_int_equal(c9_port_init(&cfg), C9_OK);
    assert_non_null(c9_port_drive());
    assert_int_equal(c9_port_blockdev("CIRCUITPY", &bd), C9_ERR_NOENT);
}

static void test_bad_media(void **state) {
    (void)state;
    char missing[128], small[128], outside[128];
    snprintf(missing, sizeof missing, "%s/none.img", dir);
    snprintf(small, sizeof small, "%s/small.img", dir);
    snprintf(outside, sizeof outside, "%s/outside.img", dir);
    make_image(small, 1000);
    make_image(outside, 100);
    uint8_t mbr[512];
    c9_mbr_build_single(mbr, 0x06, 1, 500); /* more blocks than the file has */
    int fd = open(outside, O_WRONLY);
    assert_int_equal(pwrite(fd, mbr, 512, 0), 512);
    close(fd);

    const c9_board_t *memento = c9_board_find("memento");
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = memento, .drive_image = missing}), C9_ERR_NOENT);
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = memento, .drive_image = outside}), C9_ERR_MBR_RANGE);
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = memento, .sd_image = missing}), C9_ERR_NOENT);
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = memento, .sd_image = small}), C9_ERR_INVAL);
    /* The T-Display S3 has no SD card slot. */
    assert_null(c9_board_find("tdisplay_s3")->sd_cs);
    make_image(small, 2048);
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = c9_board_find("tdisplay_s3"), .sd_image = small}),
                     C9_ERR_NODEV);
    /* A failed start leaves the board as it was. */
    assert_ptr_equal(c9_port_board(), memento);
}

/* ---- the SD card slot ---------------------------------------------------------------------------- */

typedef struct bus {
    c9_port_spi_t *spi;
    int cs;
} bus_t;

static c9_err_t bus_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len) {
    bus_t *b = ctx;
    if (tx && rx) {
        return c9_port_spi_transfer(b->spi, tx, rx, len);
    }
    if (rx) {
        return c9_port_spi_read(b->spi, rx, len, 0xFF);
    }
    uint8_t ones[64];
    memset(ones, 0xFF, sizeof ones);
    for (size_t done = 0; done < len; done += C9_MIN(len - done, sizeof ones)) {
        c9_err_t err = c9_port_spi_write(b->spi, tx ? tx + done : ones, C9_MIN(len - done, sizeof ones));
        if (err) {
            return err;
        }
    }
    return C9_OK;
}

static void bus_select(void *ctx, bool selected) {
    bus_t *b = ctx;
    c9_port_pin_write(b->cs, !selected);
}

static void card_in_slot(uint32_t blocks, uint32_t expect_blocks) {
    char path[128];
    snprintf(path, sizeof path, "%s/card%u.img", dir, (unsigned)blocks);
    make_image(path, blocks);
    const c9_board_t *b = c9_board_find("memento");
    assert_string_equal(b->sd_cs, "CARD_CS");
    assert_int_equal(c9_port_init(&(c9_port_config_t){.board = b, .sd_image = path}), C9_OK);

    int sck = c9_port_pin_find("GPIO36"), mosi = c9_port_pin_find("GPIO35"), miso = c9_port_pin_find("GPIO37");
    int cs = c9_port_pin_find("GPIO48");
    bus_t bus = {.cs = cs};
    assert_int_equal(c9_port_pin_claim(cs), C9_OK);
    assert_int_equal(c9_port_pin_output(cs, true, C9_PORT_DRIVE_PUSH_PULL), C9_OK);
    assert_int_equal(c9_port_spi_open(sck, mosi, miso, &bus.spi), C9_OK);
    c9_sdspi_ops_t ops = {.transfer = bus_transfer, .select = bus_select, .ctx = &bus};
    c9_sdspi_t sd;
    assert_int_equal(c9_sdspi_init(&sd, &ops, 8000000), C9_OK);
    assert_int_equal(c9_sdspi_blocks(&sd), expect_blocks);

    uint8_t buf[3 * 512];
    assert_int_equal(c9_sdspi_read(&sd, 5, buf, 3), C9_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(buf[i * 512], (uint8_t)((5 + i) * 7));
        assert_int_equal(buf[i * 512 + 100], (uint8_t)((5 + i) * 7 + 100));
    }
    for (size_t k = 0; k < sizeof buf; k++) {
        buf[k] = (uint8_t)(k ^ 0x5A);
    }
    assert_int_equal(c9_sdspi_write(&sd, 7, buf, 3), C9_OK);
    assert_int_equal(c9_sdspi_sync(&sd), C9_OK);
    int fd = open(path, O_RDONLY);
    uint8_t back[sizeof buf];
    assert_int_equal(pread(fd, back, sizeof back, 7 * 512), (ssize_t)sizeof back);
    close(fd);
    assert_memory_equal(back, buf, sizeof buf); /* on the image at once */

    /* Bytes sent while the card's chip select is high reach nobody: MISO idles high. */
    c9_port_pin_write(cs, true);
    uint8_t out[4] = {0x40, 0, 0, 0}, in[4];
    assert_int_equal(c9_port_spi_transfer(bus.spi, out, in, 4), C9_OK);
    assert_memory_equal(in, "\xff\xff\xff\xff", 4);
    c9_port_spi_close(bus.spi);
    c9_port_pin_release(cs);
}

static void test_sdhc_card_in_the_slot(void **state) {
    (void)state;
    card_in_slot(4096, 4096); /* whole 512 KiB units: SDHC */
}

static void test_standard_capacity_card_in_the_slot(void **state) {
    (void)state;
    card_in_slot(3000, 3000); /* a standard-capacity card: byte addresses, CSD version 1 */
}

/* A device wired with c9_vboard_wire_spi_device sees every byte while selected, answers on MISO,
 * and is told when its chip select changes. */
typedef struct echo {
    int selects, deselects;
    size_t seen;
} echo_t;

static void echo_exchange(void *ctx, const uint8_t *mosi, uint8_t *miso, size_t len) {
    echo_t *e = ctx;
    for (size_t i = 0; i < len; i++) {
        miso[i] = (uint8_t)~mosi[i];
    }
    e->seen += len;
}

static void echo_select(void *ctx, bool selected) {
    echo_t *e = ctx;
    if (selected) {
        e->selects++;
    } else {
        e->deselects++;
    }
}

static void test_full_duplex_device(void **state) {
    (void)state;
    int sck = c9_vpin("GPIO20"), mosi = c9_vpin("GPIO21"), miso = c9_vpin("GPIO26"), cs = c9_vpin("GPIO33");
    echo_t e = {0};
    c9_vdevice_t dev = {.spi_transfer = echo_exchange, .spi_select = echo_select, .ctx = &e};
    c9_vdevice_t no_transfer = {.spi_select = echo_select, .ctx = &e};
    assert_int_equal(c9_vboard_wire_spi_device(&no_transfer, &e, sck, mosi, miso, cs), C9_ERR_INVAL);
    assert_int_equal(c9_vboard_wire_spi_device(&dev, &e, sck, mosi, miso, cs), C9_OK);
    assert_int_equal(e.deselects, 1); /* a fresh pin floats high */
    c9_port_spi_t *spi;
    assert_int_equal(c9_port_spi_open(sck, mosi, miso, &spi), C9_OK);
    c9_vpin_write(cs, false);
    assert_int_equal(e.selects, 1);
    uint8_t big[600], in[600];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)i;
    }
    assert_int_equal(c9_port_spi_transfer(spi, big, in, sizeof big), C9_OK);
    for (size_t i = 0; i < sizeof big; i++) {
        assert_int_equal(in[i], (uint8_t)~i);
    }
    assert_int_equal(c9_port_spi_read(spi, in, 3, 0x0F), C9_OK);
    assert_memory_equal(in, "\xf0\xf0\xf0", 3); /* the fill byte goes out, its complement comes back */
    assert_int_equal(e.seen, 603);
    c9_vpin_write(cs, true);
    assert_int_equal(e.deselects, 2);
    c9_vboard_unwire(&e);
    c9_port_spi_close(spi);
}

/* ---- the host's own tree ----------------------------------------------------------------------- */

static void test_host_tree(void **state) {
    (void)state;
    const c9_port_fs_t *fs = c9_port_host_fs();
    assert_non_null(fs);
    char before[512], cwd[512];
    assert_int_equal(fs->getcwd(fs->ctx, before, sizeof before), C9_OK);
    assert_int_equal(fs->chdir(fs->ctx, dir), C9_OK);
    assert_int_equal(fs->getcwd(fs->ctx, cwd, sizeof cwd), C9_OK);
    assert_string_equal(cwd, dir);
    assert_int_equal(fs->getcwd(fs->ctx, cwd, 4), C9_ERR_NOMEM);
    assert_int_equal(fs->mkdir(fs->ctx, "rel"), C9_OK); /* relative to the current directory */
    c9_port_stat_t st;
    char abs[256];
    snprintf(abs, sizeof abs, "%s/rel", dir);
    assert_int_equal(fs->stat(fs->ctx, abs, &st), C9_OK);
    assert_true(st.is_dir);
    assert_int_equal(fs->stat(fs->ctx, "rel/../rel", &st), C9_OK); /* ".." is the system's */
    char os_path[512];
    assert_int_equal(fs->resolve(fs->ctx, "", os_path, sizeof os_path), C9_OK);
    assert_string_equal(os_path, ".");
    assert_int_equal(fs->rmdir(fs->ctx, "rel"), C9_OK);
    assert_int_equal(fs->chdir(fs->ctx, "no such dir"), C9_ERR_NOENT);
    assert_int_equal(fs->chdir(fs->ctx, before), C9_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drive_image_is_block_device_circuitpy),
        cmocka_unit_test(test_bad_media),
        cmocka_unit_test(test_sdhc_card_in_the_slot),
        cmocka_unit_test(test_standard_capacity_card_in_the_slot),
        cmocka_unit_test(test_full_duplex_device),
        cmocka_unit_test(test_host_tree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
