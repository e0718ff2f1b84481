/* FourWire, ParallelBus and I2CDisplayBus over the c9_hal_* interfaces. */
#include "circuit9/display_bus.h"

#include <string.h>

static void pin(const c9_hal_gpio_t *g, int p, bool level) {
    if (p >= 0 && g->write) {
        g->write(g->ctx, p, level);
    }
}

static void delay(const c9_clock_t *c, uint32_t ms) {
    if (c->delay_ms) {
        c->delay_ms(c->ctx, ms);
    }
}

static c9_err_t pulse_reset(const c9_hal_gpio_t *g, int p, const c9_clock_t *c) {
    if (p < 0) {
        return C9_ERR_NOSYS;
    }
    pin(g, p, false);
    delay(c, 1);
    pin(g, p, true);
    delay(c, 1);
    return C9_OK;
}

/* ---- FourWire ------------------------------------------------------------------------------ */

static c9_err_t fw_begin(void *ctx) {
    c9_fourwire_t *fw = ctx;
    if (fw->spi.try_lock && !fw->spi.try_lock(fw->spi.ctx)) {
        return C9_ERR_BUSY;
    }
    if (fw->spi.configure) {
        fw->spi.configure(fw->spi.ctx, fw->baudrate, fw->polarity, fw->phase, 8);
    }
    pin(&fw->gpio, fw->cs, false);
    return C9_OK;
}

static void fw_end(void *ctx) {
    c9_fourwire_t *fw = ctx;
    pin(&fw->gpio, fw->cs, true);
    if (fw->spi.unlock) {
        fw->spi.unlock(fw->spi.ctx);
    }
}

static c9_err_t spi_write(c9_fourwire_t *fw, const uint8_t *data, size_t len) {
    return fw->spi.write ? fw->spi.write(fw->spi.ctx, data, len) : C9_ERR_NOSYS;
}

/* 9-bit words (D/C bit, then the byte) packed MSB first through a small buffer. */
static c9_err_t send_9bit(c9_fourwire_t *fw, bool dc, const uint8_t *data, size_t len) {
    uint8_t out[64];
    size_t n = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    c9_err_t err = C9_OK;
    for (size_t i = 0; i < len && err == C9_OK; i++) {
        acc = (acc << 9) | ((uint32_t)dc << 8) | data[i];
        bits += 9;
        while (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
            if (n == sizeof(out)) {
                err = spi_write(fw, out, n);
                n = 0;
            }
        }
        acc &= (1u << bits) - 1u;
    }
    if (err == C9_OK && bits) {
        out[n++] = (uint8_t)(acc << (8 - bits));
    }
    if (err == C9_OK && n) {
        err = spi_write(fw, out, n);
    }
    if (bits && fw->cs >= 0) {
        /* The panel discards a partial word when chip select goes high. */
        pin(&fw->gpio, fw->cs, true);
        pin(&fw->gpio, fw->cs, false);
    }
    return err;
}

static c9_err_t fw_send(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len) {
    c9_fourwire_t *fw = ctx;
    if (fw->dc < 0) {
        return send_9bit(fw, type == C9_DISPLAY_DATA, data, len);
    }
    pin(&fw->gpio, fw->dc, type == C9_DISPLAY_DATA);
    if (cs == C9_CS_TOGGLE_EVERY_BYTE && fw->cs >= 0) {
        /* Some controllers latch a command byte on the rising edge of chip select. */
        for (size_t i = 0; i < len; i++) {
            c9_err_t err = spi_write(fw, data + i, 1);
            if (err != C9_OK) {
                return err;
            }
            pin(&fw->gpio, fw->cs, true);
            pin(&fw->gpio, fw->cs, false);
        }
        return C9_OK;
    }
    return len ? spi_write(fw, data, len) : C9_OK;
}

static c9_err_t fw_reset(void *ctx) {
    c9_fourwire_t *fw = ctx;
    return pulse_reset(&fw->gpio, fw->reset, &fw->clock);
}

static const c9_display_bus_ops_t fourwire_ops = {fw_begin, fw_send, fw_end, fw_reset};

c9_display_bus_t c9_fourwire_bus(c9_fourwire_t *fw) {
    return (c9_display_bus_t){&fourwire_ops, fw};
}

c9_err_t c9_fourwire_send(c9_fourwire_t *fw, uint8_t command, const uint8_t *data, size_t len, bool toggle) {
    c9_err_t err = fw_begin(fw);
    if (err != C9_OK) {
        return err;
    }
    err = fw_send(fw, C9_DISPLAY_COMMAND, C9_CS_TOGGLE_EVERY_BYTE, &command, 1);
    if (err == C9_OK && len) {
        err = fw_send(fw, C9_DISPLAY_DATA, toggle ? C9_CS_TOGGLE_EVERY_BYTE : C9_CS_UNTOUCHED, data, len);
    }
    fw_end(fw);
    return err;
}

/* ---- ParallelBus ----------------------------------------------------------------------------- */

static c9_err_t pb_begin(void *ctx) {
    c9_parallelbus_t *pb = ctx;
    pin(&pb->gpio, pb->cs, false);
    return C9_OK;
}

static void pb_end(void *ctx) {
    c9_parallelbus_t *pb = ctx;
    pin(&pb->gpio, pb->cs, true);
}

static c9_err_t pb_send(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len) {
    c9_parallelbus_t *pb = ctx;
    (void)cs; /* the WR strobe latches each byte; chip select stays low */
    pin(&pb->gpio, pb->dc, type == C9_DISPLAY_DATA);
    if (!len) {
        return C9_OK;
    }
    return pb->port.write ? pb->port.write(pb->port.ctx, type == C9_DISPLAY_COMMAND, data, len) : C9_ERR_NOSYS;
}

static c9_err_t pb_reset(void *ctx) {
    c9_parallelbus_t *pb = ctx;
    return pulse_reset(&pb->gpio, pb->reset, &pb->clock);
}

static const c9_display_bus_ops_t parallel_ops = {pb_begin, pb_send, pb_end, pb_reset};

c9_display_bus_t c9_parallelbus_bus(c9_parallelbus_t *pb) {
    return (c9_display_bus_t){&parallel_ops, pb};
}

c9_err_t c9_parallelbus_send(c9_parallelbus_t *pb, uint8_t command, const uint8_t *data, size_t len) {
    pb_begin(pb);
    c9_err_t err = pb_send(pb, C9_DISPLAY_COMMAND, C9_CS_UNTOUCHED, &command, 1);
    if (err == C9_OK) {
        err = pb_send(pb, C9_DISPLAY_DATA, C9_CS_UNTOUCHED, data, len);
    }
    pb_end(pb);
    return err;
}

/* ---- I2CDisplayBus --------------------------------------------------------------------------- */

static c9_err_t i2c_begin(void *ctx) {
    c9_i2cdisplaybus_t *b = ctx;
    if (b->i2c.try_lock && !b->i2c.try_lock(b->i2c.ctx)) {
        return C9_ERR_BUSY;
    }
    return C9_OK;
}

static void i2c_end(void *ctx) {
    c9_i2cdisplaybus_t *b = ctx;
    if (b->i2c.unlock) {
        b->i2c.unlock(b->i2c.ctx);
    }
}

#define I2C_CHUNK 128

static c9_err_t i2c_send(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len) {
    c9_i2cdisplaybus_t *b = ctx;
    (void)cs;
    if (!b->i2c.write) {
        return C9_ERR_NOSYS;
    }
    uint8_t buf[I2C_CHUNK * 2];
    if (type == C9_DISPLAY_COMMAND) {
        /* Each command byte goes with a control byte whose Co bit says another control byte follows. */
        for (size_t i = 0; i < len;) {
            size_t n = C9_MIN(len - i, (size_t)I2C_CHUNK);
            for (size_t k = 0; k < n; k++) {
                buf[2 * k] = 0x80;
                buf[2 * k + 1] = data[i + k];
            }
            c9_err_t err = b->i2c.write(b->i2c.ctx, b->address, buf, 2 * n);
            if (err != C9_OK) {
                return err;
            }
            i += n;
        }
        return C9_OK;
    }
    /* Data: control byte 0x40, then the bytes; long runs split into several transactions. */
    for (size_t i = 0; i < len;) {
        size_t n = C9_MIN(len - i, sizeof(buf) - 1);
        buf[0] = 0x40;
        memcpy(buf + 1, data + i, n);
        c9_err_t err = b->i2c.write(b->i2c.ctx, b->address, buf, n + 1);
        if (err != C9_OK) {
            return err;
        }
        i += n;
    }
    return C9_OK;
}

static c9_err_t i2c_reset(void *ctx) {
    c9_i2cdisplaybus_t *b = ctx;
    return pulse_reset(&b->gpio, b->reset, &b->clock);
}

static const c9_display_bus_ops_t i2c_ops = {i2c_begin, i2c_send, i2c_end, i2c_reset};

c9_display_bus_t c9_i2cdisplaybus_bus(c9_i2cdisplaybus_t *b) {
    return (c9_display_bus_t){&i2c_ops, b};
}

c9_err_t c9_i2cdisplaybus_send(c9_i2cdisplaybus_t *b, uint8_t command, const uint8_t *data, size_t len) {
    c9_err_t err = i2c_begin(b);
    if (err != C9_OK) {
        return err;
    }
    err = i2c_send(b, C9_DISPLAY_COMMAND, C9_CS_UNTOUCHED, &command, 1);
    if (err == C9_OK && len) {
        err = i2c_send(b, C9_DISPLAY_DATA, C9_CS_UNTOUCHED, data, len);
    }
    i2c_end(b);
    return err;
}
