/* The virtual board: pins and their levels, what is wired to them, and the SPI, I2C and 8080
 * controllers of the port contract, which deliver bytes to the sinks on their wires while
 * counting bus time. */
#include "vpanel_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pins ---------------------------------------------------------------------------------- */

typedef c9__vpin_t vpin_t;

static vpin_t pins[C9_VPIN_MAX];
static int pin_count;

static int add_pin(const char *name) {
    if (pin_count >= C9_VPIN_MAX) {
        return -1;
    }
    vpin_t *p = &pins[pin_count];
    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof p->name, "%s", name);
    p->level = p->out = true; /* a fresh pin floats high until something drives it */
    p->external = -1;
    p->mv = -1;
    return pin_count++;
}

static void ensure_defaults(void) {
    if (pin_count) {
        return;
    }
    for (int i = 0; i < 48; i++) {
        char name[16];
        snprintf(name, sizeof name, "GPIO%d", i);
        add_pin(name);
    }
    c9__vboard_add_board_pins(c9_port_board());
}

int c9_vpin_find(const char *name) {
    ensure_defaults();
    for (int i = 0; i < pin_count; i++) {
        if (!strcmp(pins[i].name, name)) {
            return i;
        }
    }
    return -1;
}

int c9_vpin(const char *name) {
    if (!name || !*name) {
        return -1;
    }
    int p = c9_vpin_find(name);
    return p >= 0 ? p : add_pin(name);
}

void c9__vboard_add_board_pins(const c9_board_t *b) {
    if (!pin_count) {
        ensure_defaults(); /* comes back here with the board */
        return;
    }
    for (size_t i = 0; b && i < b->pin_count; i++) {
        c9_vpin(b->pins[i].mcu_pin);
    }
}

static vpin_t *pin_at(int pin) {
    ensure_defaults();
    return pin >= 0 && pin < pin_count ? &pins[pin] : NULL;
}

const char *c9_vpin_name(int pin) {
    vpin_t *p = pin_at(pin);
    return p ? p->name : "";
}

int c9_vpin_count(void) {
    ensure_defaults();
    return pin_count;
}

c9_err_t c9_vpin_claim(int pin) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return C9_ERR_NOENT;
    }
    if (p->claimed) {
        return C9_ERR_BUSY;
    }
    p->claimed = true;
    return C9_OK;
}

bool c9_vpin_in_use(int pin) {
    vpin_t *p = pin_at(pin);
    return p && p->claimed;
}

static bool wire_level(const vpin_t *p) {
    switch (p->mode) {
    case C9_VPIN_OUTPUT:
        if (p->drive == C9_PORT_DRIVE_OPEN_DRAIN && p->out) {
            return p->external >= 0 ? p->external != 0 : true; /* a pull-up on the board */
        }
        return p->out;
    case C9_VPIN_PWM: return p->pwm_duty != 0;
    case C9_VPIN_ANALOG_OUT: return p->dac >= 0x8000;
    default:
        if (p->external >= 0) {
            return p->external != 0;
        }
        if (p->pull == C9_PORT_PULL_UP) {
            return true;
        }
        if (p->pull == C9_PORT_PULL_DOWN) {
            return false;
        }
        return p->level; /* floating: stays where it was */
    }
}

static void level_changed(int pin, bool level);

/* Recomputes a pin's wire level after anything about it changed, and lets the wiring react. */
static void settle(int pin) {
    vpin_t *p = &pins[pin];
    bool level = wire_level(p);
    if (level != p->level) {
        p->level = level;
        level_changed(pin, level);
    }
}

c9__vpin_t *c9__vpin_at(int pin) {
    return pin_at(pin);
}

void c9__vpin_settle(int pin) {
    if (pin_at(pin)) {
        settle(pin);
    }
}

/* Whoever watches a pin's level (a counter, an encoder): what an edge interrupt is on a chip. */
#define MAX_WATCHERS 32
static struct {
    int pin;
    void (*fn)(void *ctx, int pin, bool level);
    void *ctx;
} watchers[MAX_WATCHERS];

c9_err_t c9__vpin_watch(int pin, void (*fn)(void *ctx, int pin, bool level), void *ctx) {
    for (int i = 0; i < MAX_WATCHERS; i++) {
        if (!watchers[i].fn) {
            watchers[i].pin = pin;
            watchers[i].fn = fn;
            watchers[i].ctx = ctx;
            return C9_OK;
        }
    }
    return C9_ERR_BUSY;
}

void c9__vpin_unwatch(void *ctx) {
    for (int i = 0; i < MAX_WATCHERS; i++) {
        if (watchers[i].fn && watchers[i].ctx == ctx) {
            watchers[i].fn = NULL;
        }
    }
}

void c9_vpin_release(int pin) {
    vpin_t *p = pin_at(pin);
    if (!p || !p->claimed) {
        return;
    }
    p->claimed = false;
    c9__periph_release(pin); /* whatever peripheral still had the pin lets go */
    p->mode = C9_VPIN_INPUT;
    p->pull = C9_PORT_PULL_NONE;
    p->drive = C9_PORT_DRIVE_PUSH_PULL;
    p->pwm_frequency = 0;
    p->pwm_duty = 0;
    settle(pin);
}

void c9_vpin_write(int pin, bool level) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return;
    }
    p->mode = C9_VPIN_OUTPUT;
    p->out = level;
    settle(pin);
}

bool c9_vpin_read(int pin) {
    vpin_t *p = pin_at(pin);
    return p ? p->level : false;
}

void c9_vboard_pin_drive(int pin, int level) {
    vpin_t *p = pin_at(pin);
    if (p) {
        p->external = (int8_t)(level < 0 ? -1 : level != 0);
        settle(pin);
    }
}

void c9_vboard_pin_set_mv(int pin, int32_t mv) {
    vpin_t *p = pin_at(pin);
    if (p) {
        p->mv = mv < 0 ? -1 : mv;
    }
}

c9_err_t c9_vpin_state(int pin, c9_vpin_state_t *out) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return C9_ERR_NOENT;
    }
    *out = (c9_vpin_state_t){.claimed = p->claimed,
                             .mode = p->mode,
                             .pull = p->pull,
                             .drive = p->drive,
                             .level = p->level,
                             .external = p->external,
                             .analog_out = p->dac,
                             .pwm_frequency = p->pwm_frequency,
                             .pwm_duty = p->pwm_duty,
                             .pwm_variable = p->pwm_variable};
    return C9_OK;
}

/* ---- pins through the contract ------------------------------------------------------------- */

int c9_port_pin_count(void) {
    return c9_vpin_count();
}

const char *c9_port_pin_name(int pin) {
    return c9_vpin_name(pin);
}

int c9_port_pin_find(const char *name) {
    return name ? c9_vpin_find(name) : -1;
}

c9_err_t c9_port_pin_claim(int pin) {
    return c9_vpin_claim(pin);
}

void c9_port_pin_release(int pin) {
    c9_vpin_release(pin);
}

bool c9_port_pin_in_use(int pin) {
    return c9_vpin_in_use(pin);
}

c9_err_t c9_port_pin_input(int pin, c9_port_pull_t pull) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return C9_ERR_NOENT;
    }
    if (pull > C9_PORT_PULL_DOWN) {
        return C9_ERR_NOTSUP;
    }
    p->mode = C9_VPIN_INPUT;
    p->pull = (uint8_t)pull;
    settle(pin);
    return C9_OK;
}

c9_err_t c9_port_pin_output(int pin, bool level, c9_port_drive_t drive) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return C9_ERR_NOENT;
    }
    if (drive > C9_PORT_DRIVE_OPEN_DRAIN) {
        return C9_ERR_NOTSUP;
    }
    p->mode = C9_VPIN_OUTPUT;
    p->drive = (uint8_t)drive;
    p->out = level;
    settle(pin);
    return C9_OK;
}

void c9_port_pin_write(int pin, bool level) {
    vpin_t *p = pin_at(pin);
    if (!p) {
        return;
    }
    p->out = level;
    settle(pin);
}

bool c9_port_pin_read(int pin) {
    c9__world_catch_up(); /* what the world did up to now reaches the pin first */
    return c9_vpin_read(pin);
}

static void gpio_write(void *ctx, int pin, bool level) {
    (void)ctx;
    c9_port_pin_write(pin, level);
}

c9_hal_gpio_t c9_port_gpio(void) {
    return (c9_hal_gpio_t){gpio_write, NULL};
}

/* ---- wiring -------------------------------------------------------------------------------- */

enum { WIRE_SPI = 1, WIRE_PARALLEL, WIRE_I2C, WIRE_I2C_DEVICE, WIRE_SPI_DEVICE };

typedef struct wire {
    c9_vsink_t sink;
    c9_vdevice_t dev;  /* WIRE_*_DEVICE */
    const void *owner; /* NULL: a free slot */
    bool is_panel;
    uint8_t kind;
    int sck, mosi, miso, cs, dc, reset, wr, scl, sda;
    int data[16];
    int width;
    uint8_t address;
    uint32_t acc; /* 9-bit SPI: bits received and not yet a word */
    unsigned bits;
} wire_t;

#define MAX_WIRES 16
static wire_t wires[MAX_WIRES];

#define MAX_PARALLEL 8
static c9_port_parallel_t *parallels[MAX_PARALLEL];
static void parallel_pin(c9_port_parallel_t *b, int pin, bool level);

static void level_changed(int pin, bool level) {
    for (int i = 0; i < MAX_WATCHERS; i++) {
        if (watchers[i].fn && watchers[i].pin == pin) {
            watchers[i].fn(watchers[i].ctx, pin, level);
        }
    }
    for (int i = 0; i < MAX_WIRES; i++) {
        wire_t *w = &wires[i];
        if (!w->owner) {
            continue;
        }
        if (w->kind == WIRE_SPI_DEVICE) {
            if (pin == w->cs && w->dev.spi_select) {
                w->dev.spi_select(w->dev.ctx, !level);
            }
            continue;
        }
        if (pin == w->cs && level) {
            /* Chip select high ends any partial 9-bit word. */
            w->acc = 0;
            w->bits = 0;
        }
        if (pin == w->reset && !level && w->sink.reset) {
            w->sink.reset(w->sink.ctx);
        }
    }
    for (int i = 0; i < MAX_PARALLEL; i++) {
        if (parallels[i]) {
            parallel_pin(parallels[i], pin, level);
        }
    }
}

static wire_t *wire_slot(const void *owner) {
    c9_vboard_unwire(owner);
    for (int i = 0; i < MAX_WIRES; i++) {
        if (!wires[i].owner) {
            wire_t *w = &wires[i];
            memset(w, 0, sizeof(*w));
            w->sck = w->mosi = w->miso = w->cs = w->dc = w->reset = w->wr = w->scl = w->sda = -1;
            for (int k = 0; k < 16; k++) {
                w->data[k] = -1;
            }
            return w;
        }
    }
    return NULL;
}

static void wire_take(wire_t *w, const c9_vsink_t *sink, const void *owner, uint8_t kind) {
    w->sink = *sink;
    w->owner = owner;
    w->kind = kind;
}

/* Panels are one kind of owner among others (c9_vboard_panel_on answers only for them). */
static c9_err_t mark_panel(const void *owner, c9_err_t err) {
    for (int i = 0; err == C9_OK && i < MAX_WIRES; i++) {
        if (wires[i].owner == owner) {
            wires[i].is_panel = true;
        }
    }
    return err;
}

c9_err_t c9_vboard_wire_spi(const c9_vsink_t *sink, const void *owner, int sck, int mosi, int cs, int dc, int reset) {
    wire_t *w = owner ? wire_slot(owner) : NULL;
    if (!w) {
        return owner ? C9_ERR_NOMEM : C9_ERR_INVAL;
    }
    w->sck = sck;
    w->mosi = mosi;
    w->cs = cs;
    w->dc = dc;
    w->reset = reset;
    wire_take(w, sink, owner, WIRE_SPI);
    return C9_OK;
}

c9_err_t c9_vboard_wire_parallel(const c9_vsink_t *sink, const void *owner, const int *data_pins, int width, int cs,
                                 int dc, int wr, int reset) {
    if ((width != 8 && width != 16) || !owner) {
        return C9_ERR_INVAL;
    }
    wire_t *w = wire_slot(owner);
    if (!w) {
        return C9_ERR_NOMEM;
    }
    memcpy(w->data, data_pins, sizeof(int) * (size_t)width);
    w->width = width;
    w->cs = cs;
    w->dc = dc;
    w->wr = wr;
    w->reset = reset;
    wire_take(w, sink, owner, WIRE_PARALLEL);
    return C9_OK;
}

c9_err_t c9_vboard_wire_i2c(const c9_vsink_t *sink, const void *owner, int scl, int sda, uint8_t address, int reset) {
    wire_t *w = owner ? wire_slot(owner) : NULL;
    if (!w) {
        return owner ? C9_ERR_NOMEM : C9_ERR_INVAL;
    }
    w->scl = scl;
    w->sda = sda;
    w->address = address;
    w->reset = reset;
    wire_take(w, sink, owner, WIRE_I2C);
    return C9_OK;
}

c9_err_t c9_vboard_wire_i2c_device(const c9_vdevice_t *dev, const void *owner, int scl, int sda, uint8_t address) {
    if (!dev || !owner || !dev->i2c_write || !dev->i2c_read) {
        return C9_ERR_INVAL;
    }
    wire_t *w = wire_slot(owner);
    if (!w) {
        return C9_ERR_NOMEM;
    }
    w->scl = scl;
    w->sda = sda;
    w->address = address;
    w->dev = *dev;
    w->owner = owner;
    w->kind = WIRE_I2C_DEVICE;
    return C9_OK;
}

c9_err_t c9_vboard_wire_spi_device(const c9_vdevice_t *dev, const void *owner, int sck, int mosi, int miso, int cs) {
    if (!dev || !owner || !dev->spi_transfer) {
        return C9_ERR_INVAL;
    }
    wire_t *w = wire_slot(owner);
    if (!w) {
        return C9_ERR_NOMEM;
    }
    w->sck = sck;
    w->mosi = mosi;
    w->miso = miso;
    w->cs = cs;
    w->dev = *dev;
    w->owner = owner;
    w->kind = WIRE_SPI_DEVICE;
    if (dev->spi_select && cs >= 0) {
        dev->spi_select(dev->ctx, !c9_vpin_read(cs)); /* where its chip select stands now */
    }
    return C9_OK;
}

void c9_vboard_unwire(const void *owner) {
    for (int i = 0; owner && i < MAX_WIRES; i++) {
        if (wires[i].owner == owner) {
            wires[i].owner = NULL;
        }
    }
}

static wire_t *wire_on(int pin) {
    if (pin < 0) {
        return NULL;
    }
    for (int i = 0; i < MAX_WIRES; i++) {
        wire_t *w = &wires[i];
        if (!w->owner) {
            continue;
        }
        int p[] = {w->sck, w->mosi, w->miso, w->cs, w->dc, w->reset, w->wr, w->scl, w->sda};
        for (size_t k = 0; k < C9_ARRAY_SIZE(p); k++) {
            if (p[k] == pin) {
                return w;
            }
        }
        for (int k = 0; k < w->width; k++) {
            if (w->data[k] == pin) {
                return w;
            }
        }
    }
    return NULL;
}

const void *c9_vboard_owner_on(int pin) {
    wire_t *w = wire_on(pin);
    return w ? w->owner : NULL;
}

c9_err_t c9_vboard_attach_spi(c9_vpanel_t *p, int sck, int mosi, int cs, int dc, int reset) {
    c9_vsink_t s = c9_vpanel_sink(p);
    return mark_panel(p, c9_vboard_wire_spi(&s, p, sck, mosi, cs, dc, reset));
}

c9_err_t c9_vboard_attach_parallel(c9_vpanel_t *p, const int *data_pins, int width, int cs, int dc, int wr, int reset) {
    c9_vsink_t s = c9_vpanel_sink(p);
    return mark_panel(p, c9_vboard_wire_parallel(&s, p, data_pins, width, cs, dc, wr, reset));
}

c9_err_t c9_vboard_attach_i2c(c9_vpanel_t *p, int scl, int sda, uint8_t address, int reset) {
    c9_vsink_t s = c9_vpanel_sink(p);
    return mark_panel(p, c9_vboard_wire_i2c(&s, p, scl, sda, address, reset));
}

void c9_vboard_detach(c9_vpanel_t *p) {
    c9_vboard_unwire(p);
}

c9_vpanel_t *c9_vboard_panel_on(int pin) {
    wire_t *w = wire_on(pin);
    return w && w->is_panel ? (c9_vpanel_t *)(uintptr_t)w->owner : NULL;
}

static void add_time(c9_port_bus_stats_t *s, uint64_t cycles) {
    s->cycles += cycles;
    if (s->frequency) {
        s->time_ps += cycles * 1000000000000ull / s->frequency;
    }
}

static void reset_stats(c9_port_bus_stats_t *s) {
    uint32_t f = s->frequency;
    memset(s, 0, sizeof(*s));
    s->frequency = f;
}

/* ---- SPI ------------------------------------------------------------------------------------ */

struct c9_port_spi {
    int sck, mosi, miso;
    bool locked;
    uint8_t polarity, phase, bits;
    c9_port_bus_stats_t stats;
};

c9_err_t c9_port_spi_open(int clock, int mosi, int miso, c9_port_spi_t **out) {
    if (mosi < 0 && miso < 0) {
        return C9_ERR_INVAL;
    }
    if (!pin_at(clock) || (mosi >= 0 && !pin_at(mosi)) || (miso >= 0 && !pin_at(miso))) {
        return C9_ERR_NOTSUP;
    }
    c9_port_spi_t *s = calloc(1, sizeof(*s));
    if (!s) {
        return C9_ERR_NOMEM;
    }
    s->sck = clock;
    s->mosi = mosi;
    s->miso = miso;
    s->bits = 8;
    s->stats.frequency = 250000; /* busio.SPI's rate until configure() */
    *out = s;
    return C9_OK;
}

void c9_port_spi_close(c9_port_spi_t *spi) {
    free(spi);
}

bool c9_port_spi_try_lock(c9_port_spi_t *spi) {
    if (spi->locked) {
        return false;
    }
    spi->locked = true;
    spi->stats.transactions++;
    return true;
}

void c9_port_spi_unlock(c9_port_spi_t *spi) {
    spi->locked = false;
}

c9_err_t c9_port_spi_configure(c9_port_spi_t *spi, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits) {
    if (polarity > 1 || phase > 1 || (bits != 8 && bits != 9) || baudrate == 0) {
        return C9_ERR_INVAL;
    }
    spi->stats.frequency = baudrate;
    spi->polarity = polarity;
    spi->phase = phase;
    spi->bits = bits;
    return C9_OK;
}

uint32_t c9_port_spi_frequency(const c9_port_spi_t *spi) {
    return spi->stats.frequency;
}

static bool selected(const wire_t *w) {
    return w->cs < 0 || !c9_vpin_read(w->cs);
}

static void spi_deliver(wire_t *w, const uint8_t *data, size_t len) {
    if (w->dc >= 0) {
        w->sink.write(w->sink.ctx, c9_vpin_read(w->dc), data, len);
        return;
    }
    /* 9-bit words, MSB first, packed into bytes: the D/C bit then the byte. */
    for (size_t i = 0; i < len; i++) {
        w->acc = (w->acc << 8) | data[i];
        w->bits += 8;
        if (w->bits >= 9) {
            w->bits -= 9;
            uint32_t word = (w->acc >> w->bits) & 0x1FF;
            uint8_t b = (uint8_t)word;
            w->sink.write(w->sink.ctx, (word >> 8) & 1, &b, 1);
            w->acc &= (1u << w->bits) - 1u;
        }
    }
}

/* A device model on the bus: it sees the MOSI bytes (the fill byte for a read) and answers on
 * MISO, as full-duplex SPI does. */
static c9_err_t spi_device_exchange(wire_t *w, const c9_port_spi_t *spi, const uint8_t *out, uint8_t *in, size_t len,
                                    uint8_t fill) {
    uint8_t *mosi = NULL, *miso = malloc(len ? len : 1);
    if (!out) {
        mosi = malloc(len ? len : 1);
        if (mosi) {
            memset(mosi, fill, len);
        }
    }
    if (!miso || (!out && !mosi)) {
        free(mosi);
        free(miso);
        return C9_ERR_NOMEM;
    }
    memset(miso, 0xFF, len);
    const c9_vdevice_t dev = w->dev; /* the model may unwire itself while it runs */
    dev.spi_transfer(dev.ctx, out ? out : mosi, miso, len);
    if (in && spi->miso >= 0 && w->miso == spi->miso) {
        memcpy(in, miso, len);
    }
    free(mosi);
    free(miso);
    return C9_OK;
}

static c9_err_t spi_exchange(c9_port_spi_t *spi, const uint8_t *out, uint8_t *in, size_t len, uint8_t fill) {
    c9__world_catch_up(); /* a device's properties as the events left them */
    spi->stats.bytes += len;
    add_time(&spi->stats, (uint64_t)len * 8);
    if (in) {
        memset(in, 0xFF, len); /* nobody drives MISO: the idle line */
    }
    const int sck = spi->sck, mosi_pin = spi->mosi, miso_pin = spi->miso;
    for (int i = 0; i < MAX_WIRES; i++) {
        wire_t *w = &wires[i];
        if (w->owner && w->kind == WIRE_SPI_DEVICE && w->sck == sck && selected(w) &&
            ((mosi_pin >= 0 && w->mosi == mosi_pin) || (miso_pin >= 0 && w->miso == miso_pin))) {
            c9_err_t err = spi_device_exchange(w, spi, out, in, len, fill);
            if (err != C9_OK) {
                return err;
            }
            continue;
        }
        if (!w->owner || w->kind != WIRE_SPI || w->sck != spi->sck || !selected(w)) {
            continue;
        }
        if (spi->mosi >= 0 && w->mosi == spi->mosi) {
            if (out) {
                spi_deliver(w, out, len);
            } else {
                for (size_t k = 0; k < len; k++) {
                    spi_deliver(w, &fill, 1);
                }
            }
        }
        if (in && spi->miso >= 0 && w->sink.read) {
            w->sink.read(w->sink.ctx, in, len);
        }
    }
    return C9_OK;
}

c9_err_t c9_port_spi_write(c9_port_spi_t *spi, const uint8_t *data, size_t len) {
    return spi->mosi < 0 ? C9_ERR_NOSYS : spi_exchange(spi, data, NULL, len, 0);
}

c9_err_t c9_port_spi_read(c9_port_spi_t *spi, uint8_t *data, size_t len, uint8_t write_value) {
    return spi->miso < 0 ? C9_ERR_NOSYS : spi_exchange(spi, NULL, data, len, write_value);
}

c9_err_t c9_port_spi_transfer(c9_port_spi_t *spi, const uint8_t *out, uint8_t *in, size_t len) {
    if (spi->mosi < 0 || spi->miso < 0) {
        return C9_ERR_NOSYS;
    }
    return spi_exchange(spi, out, in, len, 0);
}

static bool hal_spi_try_lock(void *ctx) {
    return c9_port_spi_try_lock(ctx);
}

static void hal_spi_unlock(void *ctx) {
    c9_port_spi_unlock(ctx);
}

static c9_err_t hal_spi_configure(void *ctx, uint32_t baud, uint8_t pol, uint8_t pha, uint8_t bits) {
    return c9_port_spi_configure(ctx, baud, pol, pha, bits);
}

static c9_err_t hal_spi_write(void *ctx, const uint8_t *data, size_t len) {
    return c9_port_spi_write(ctx, data, len);
}

c9_hal_spi_t c9_port_spi_hal(c9_port_spi_t *spi) {
    return (c9_hal_spi_t){hal_spi_try_lock, hal_spi_unlock, hal_spi_configure, hal_spi_write, spi};
}

c9_err_t c9_port_spi_stats(const c9_port_spi_t *spi, c9_port_bus_stats_t *out) {
    *out = spi->stats;
    return C9_OK;
}

void c9_port_spi_reset_stats(c9_port_spi_t *spi) {
    reset_stats(&spi->stats);
}

/* ---- I2C ------------------------------------------------------------------------------------ */

struct c9_port_i2c {
    int scl, sda;
    bool locked;
    c9_port_bus_stats_t stats;
};

c9_err_t c9_port_i2c_open(int scl, int sda, uint32_t frequency, uint32_t timeout_us, c9_port_i2c_t **out) {
    (void)timeout_us; /* nothing on the virtual board stretches the clock */
    if (!pin_at(scl) || !pin_at(sda) || scl == sda) {
        return C9_ERR_NOTSUP;
    }
    c9_port_i2c_t *b = calloc(1, sizeof(*b));
    if (!b) {
        return C9_ERR_NOMEM;
    }
    b->scl = scl;
    b->sda = sda;
    b->stats.frequency = frequency;
    *out = b;
    return C9_OK;
}

void c9_port_i2c_close(c9_port_i2c_t *i2c) {
    free(i2c);
}

bool c9_port_i2c_try_lock(c9_port_i2c_t *i2c) {
    if (i2c->locked) {
        return false;
    }
    i2c->locked = true;
    return true;
}

void c9_port_i2c_unlock(c9_port_i2c_t *i2c) {
    i2c->locked = false;
}

static wire_t *i2c_device(const c9_port_i2c_t *b, uint8_t address) {
    for (int i = 0; i < MAX_WIRES; i++) {
        wire_t *w = &wires[i];
        if (w->owner && (w->kind == WIRE_I2C || w->kind == WIRE_I2C_DEVICE) && w->scl == b->scl && w->sda == b->sda &&
            w->address == address) {
            return w;
        }
    }
    return NULL;
}

const void *c9_vboard_i2c_owner_at(int scl, int sda, uint8_t address) {
    c9_port_i2c_t b = {.scl = scl, .sda = sda};
    wire_t *w = i2c_device(&b, address);
    return w ? w->owner : NULL;
}

const void *c9__vboard_i2c_owner(int scl, int sda, uint8_t address, bool *is_panel) {
    c9_port_i2c_t b = {.scl = scl, .sda = sda};
    wire_t *w = i2c_device(&b, address);
    *is_panel = w && w->is_panel;
    return w ? w->owner : NULL;
}

/* Start, the address byte and its acknowledge, len data bytes when acknowledged, stop. */
static void i2c_count(c9_port_i2c_t *b, bool acked, size_t len) {
    size_t bytes = acked ? len + 1 : 1;
    b->stats.transactions++;
    b->stats.bytes += bytes;
    add_time(&b->stats, (uint64_t)bytes * 9 + 2);
}

/* A display's I2C interface: every transaction starts with a control byte. Co=1: one byte
 * follows, then another control byte; Co=0: the rest of the transaction has the D/C given. */
static void i2c_deliver(wire_t *w, const uint8_t *d, size_t n) {
    bool expect_control = true, single = false, dc = false;
    for (size_t i = 0; i < n; i++) {
        if (expect_control) {
            single = (d[i] & 0x80) != 0;
            dc = (d[i] & 0x40) != 0;
            expect_control = false;
            continue;
        }
        w->sink.write(w->sink.ctx, dc, d + i, 1);
        if (single) {
            expect_control = true;
        }
    }
}

c9_err_t c9_port_i2c_probe(c9_port_i2c_t *i2c, uint8_t address) {
    c9__world_catch_up();
    wire_t *w = i2c_device(i2c, address);
    i2c_count(i2c, w != NULL, 0);
    return w ? C9_OK : C9_ERR_NODEV;
}

c9_err_t c9_port_i2c_write(c9_port_i2c_t *i2c, uint8_t address, const uint8_t *data, size_t len, bool stop) {
    c9__world_catch_up();
    wire_t *w = i2c_device(i2c, address);
    i2c_count(i2c, w != NULL, len);
    if (!w) {
        return C9_ERR_NODEV;
    }
    if (w->kind == WIRE_I2C_DEVICE) {
        const c9_vdevice_t dev = w->dev; /* the model may unwire itself while it runs */
        return dev.i2c_write(dev.ctx, data, len, stop);
    }
    /* the display sinks see each write whole; a repeated start changes nothing for them */
    i2c_deliver(w, data, len);
    return C9_OK;
}

c9_err_t c9_port_i2c_read(c9_port_i2c_t *i2c, uint8_t address, uint8_t *data, size_t len) {
    c9__world_catch_up();
    wire_t *w = i2c_device(i2c, address);
    i2c_count(i2c, w != NULL, len);
    if (!w) {
        return C9_ERR_NODEV;
    }
    if (w->kind == WIRE_I2C_DEVICE) {
        const c9_vdevice_t dev = w->dev;
        memset(data, 0xFF, len);
        return dev.i2c_read(dev.ctx, data, len);
    }
    size_t got = w->sink.read ? w->sink.read(w->sink.ctx, data, len) : 0;
    memset(data + got, 0xFF, len - got); /* the master clocks on; SDA stays released high */
    return C9_OK;
}

static bool hal_i2c_try_lock(void *ctx) {
    return c9_port_i2c_try_lock(ctx);
}

static void hal_i2c_unlock(void *ctx) {
    c9_port_i2c_unlock(ctx);
}

static c9_err_t hal_i2c_write(void *ctx, uint8_t address, const uint8_t *data, size_t len) {
    return c9_port_i2c_write(ctx, address, data, len, true);
}

c9_hal_i2c_t c9_port_i2c_hal(c9_port_i2c_t *i2c) {
    return (c9_hal_i2c_t){hal_i2c_try_lock, hal_i2c_unlock, hal_i2c_write, i2c};
}

c9_err_t c9_port_i2c_stats(const c9_port_i2c_t *i2c, c9_port_bus_stats_t *out) {
    *out = i2c->stats;
    return C9_OK;
}

void c9_port_i2c_reset_stats(c9_port_i2c_t *i2c) {
    reset_stats(&i2c->stats);
}

/* ---- 8080 parallel --------------------------------------------------------------------------- */

struct c9_port_parallel {
    int data[16];
    int width, cs, dc, wr;
    c9_port_bus_stats_t stats;
};

c9_err_t c9_port_parallel_data_pins(int data0, int out[8]) {
    int num = -1;
    char tail, port = 0;
    const char *name0 = c9_vpin_name(data0);
    if (sscanf(name0, "P%c%2d%c", &port, &num, &tail) == 2 && port >= 'A' && port <= 'D' && num >= 0 && num < 32) {
        /* A SAMD port writes the bus as one byte of a port's output register: data0 is pin 0, 8,
         * 16 or 24 of its port. */
        if (num % 8 != 0) {
            return C9_ERR_INVAL;
        }
    } else if (sscanf(name0, "GPIO%d%c", &num, &tail) != 1 || num < 0) {
        return C9_ERR_INVAL; /* only GPIOn and Pxnn pins have a number to count on from */
    } else {
        port = 0;
    }
    for (int i = 0; i < 8; i++) {
        char name[24];
        if (port) {
            snprintf(name, sizeof name, "P%c%02d", port, num + i);
        } else {
            snprintf(name, sizeof name, "GPIO%d", num + i);
        }
        if ((out[i] = c9_vpin_find(name)) < 0) {
            return C9_ERR_NOENT;
        }
    }
    return C9_OK;
}

c9_err_t c9_port_parallel_open(const int *data, int width, int chip_select, int command, int write, uint32_t frequency,
                               c9_port_parallel_t **out) {
    if (width != 8 && width != 16) {
        return C9_ERR_INVAL;
    }
    int slot = -1;
    for (int i = 0; i < MAX_PARALLEL && slot < 0; i++) {
        slot = parallels[i] ? -1 : i;
    }
    if (slot < 0) {
        return C9_ERR_BUSY;
    }
    c9_port_parallel_t *b = calloc(1, sizeof(*b));
    if (!b) {
        return C9_ERR_NOMEM;
    }
    memcpy(b->data, data, sizeof(int) * (size_t)width);
    b->width = width;
    b->cs = chip_select;
    b->dc = command;
    b->wr = write;
    b->stats.frequency = frequency;
    parallels[slot] = b;
    *out = b;
    return C9_OK;
}

void c9_port_parallel_close(c9_port_parallel_t *bus) {
    for (int i = 0; i < MAX_PARALLEL; i++) {
        if (parallels[i] == bus) {
            parallels[i] = NULL;
        }
    }
    free(bus);
}

/* A chip-select assertion starts a transaction on the bus's wires. */
static void parallel_pin(c9_port_parallel_t *b, int pin, bool level) {
    if (pin == b->cs && !level) {
        b->stats.transactions++;
    }
}

static c9_err_t par_write(void *ctx, bool command, const uint8_t *data, size_t len) {
    c9_port_parallel_t *b = ctx;
    uint64_t strobes = (b->width == 16 && !command) ? (len + 1) / 2 : len;
    b->stats.bytes += len;
    add_time(&b->stats, strobes);
    for (int i = 0; i < MAX_WIRES; i++) {
        wire_t *w = &wires[i];
        if (!w->owner || w->kind != WIRE_PARALLEL || w->wr != b->wr || w->data[0] != b->data[0] || !selected(w)) {
            continue;
        }
        w->sink.write(w->sink.ctx, w->dc >= 0 ? c9_vpin_read(w->dc) : !command, data, len);
    }
    return C9_OK;
}

c9_hal_parallel_t c9_port_parallel_hal(c9_port_parallel_t *bus) {
    return (c9_hal_parallel_t){par_write, bus};
}

c9_err_t c9_port_parallel_stats(const c9_port_parallel_t *bus, c9_port_bus_stats_t *out) {
    *out = bus->stats;
    return C9_OK;
}

void c9_port_parallel_reset_stats(c9_port_parallel_t *bus) {
    reset_stats(&bus->stats);
}
