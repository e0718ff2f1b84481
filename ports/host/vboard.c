/* The virtual board: pins, GPIO levels, panel wiring, and SPI/I2C/parallel peripherals that
 * deliver bytes to the panels on their wires while counting bus time. */
#include "vpanel_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vpin {
    char name[24];
    bool level;
    bool claimed;
} vpin_t;

static vpin_t pins[C9_VPIN_MAX];
static int pin_count;

#define MAX_PANELS 16
static c9_vpanel_t *panels[MAX_PANELS];

#define MAX_PARALLEL 8
static c9_vparallel_t *parallels[MAX_PARALLEL];
static void c9__vparallel_pin(c9_vparallel_t *b, int pin, bool level);

static void ensure_defaults(void) {
    if (pin_count) {
        return;
    }
    for (int i = 0; i < 48; i++) {
        snprintf(pins[pin_count].name, sizeof pins[0].name, "GPIO%d", i);
        pins[pin_count].level = true; /* pulled up until driven */
        pin_count++;
    }
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
    if (p >= 0 || pin_count >= C9_VPIN_MAX) {
        return p;
    }
    snprintf(pins[pin_count].name, sizeof pins[0].name, "%s", name);
    pins[pin_count].level = true;
    return pin_count++;
}

const char *c9_vpin_name(int pin) {
    ensure_defaults();
    return pin >= 0 && pin < pin_count ? pins[pin].name : "";
}

int c9_vpin_count(void) {
    ensure_defaults();
    return pin_count;
}

c9_err_t c9_vpin_claim(int pin) {
    ensure_defaults();
    if (pin < 0 || pin >= pin_count) {
        return C9_ERR_NOENT;
    }
    if (pins[pin].claimed) {
        return C9_ERR_BUSY;
    }
    pins[pin].claimed = true;
    return C9_OK;
}

void c9_vpin_release(int pin) {
    if (pin >= 0 && pin < pin_count) {
        pins[pin].claimed = false;
    }
}

bool c9_vpin_in_use(int pin) {
    return pin >= 0 && pin < pin_count && pins[pin].claimed;
}

bool c9_vpin_read(int pin) {
    return pin >= 0 && pin < pin_count ? pins[pin].level : true;
}

void c9_vpin_write(int pin, bool level) {
    if (pin < 0 || pin >= pin_count || pins[pin].level == level) {
        return;
    }
    pins[pin].level = level;
    for (int i = 0; i < MAX_PANELS; i++) {
        c9_vpanel_t *p = panels[i];
        if (!p) {
            continue;
        }
        if (pin == p->cs && level) {
            c9__vpanel_cs_high(p);
        }
        if (pin == p->reset && !level) {
            c9__vpanel_hw_reset(p);
        }
    }
    for (int i = 0; i < MAX_PARALLEL; i++) {
        if (parallels[i]) {
            c9__vparallel_pin(parallels[i], pin, level);
        }
    }
}

static void gpio_write(void *ctx, int pin, bool level) {
    (void)ctx;
    c9_vpin_write(pin, level);
}

c9_hal_gpio_t c9_vboard_gpio(void) {
    return (c9_hal_gpio_t){gpio_write, NULL};
}

/* ---- wiring -------------------------------------------------------------------------------- */

static c9_err_t attach(c9_vpanel_t *p) {
    c9_vboard_detach(p);
    for (int i = 0; i < MAX_PANELS; i++) {
        if (!panels[i]) {
            panels[i] = p;
            return C9_OK;
        }
    }
    return C9_ERR_NOMEM;
}

static void clear_wires(c9_vpanel_t *p) {
    p->sck = p->mosi = p->cs = p->dc = p->reset = p->wr = p->scl = p->sda = -1;
    for (int i = 0; i < 16; i++) {
        p->data[i] = -1;
    }
    p->width = 0;
}

c9_err_t c9_vboard_attach_spi(c9_vpanel_t *p, int sck, int mosi, int cs, int dc, int reset) {
    clear_wires(p);
    p->wire = WIRE_SPI;
    p->sck = sck;
    p->mosi = mosi;
    p->cs = cs;
    p->dc = dc;
    p->reset = reset;
    return attach(p);
}

c9_err_t c9_vboard_attach_parallel(c9_vpanel_t *p, const int *data_pins, int width, int cs, int dc, int wr, int reset) {
    if (width != 8 && width != 16) {
        return C9_ERR_INVAL;
    }
    clear_wires(p);
    p->wire = WIRE_PARALLEL;
    memcpy(p->data, data_pins, sizeof(int) * (size_t)width);
    p->width = width;
    p->cs = cs;
    p->dc = dc;
    p->wr = wr;
    p->reset = reset;
    return attach(p);
}

c9_err_t c9_vboard_attach_i2c(c9_vpanel_t *p, int scl, int sda, uint8_t address, int reset) {
    clear_wires(p);
    p->wire = WIRE_I2C;
    p->scl = scl;
    p->sda = sda;
    p->address = address;
    p->reset = reset;
    return attach(p);
}

void c9_vboard_detach(c9_vpanel_t *p) {
    for (int i = 0; i < MAX_PANELS; i++) {
        if (panels[i] == p) {
            panels[i] = NULL;
        }
    }
}

c9_vpanel_t *c9_vboard_panel_on(int pin) {
    if (pin < 0) {
        return NULL;
    }
    for (int i = 0; i < MAX_PANELS; i++) {
        c9_vpanel_t *p = panels[i];
        if (!p) {
            continue;
        }
        int w[] = {p->sck, p->mosi, p->cs, p->dc, p->reset, p->wr, p->scl, p->sda};
        for (size_t k = 0; k < C9_ARRAY_SIZE(w); k++) {
            if (w[k] == pin) {
                return p;
            }
        }
        for (int k = 0; k < p->width; k++) {
            if (p->data[k] == pin) {
                return p;
            }
        }
    }
    return NULL;
}

static void add_time(c9_vbus_stats_t *s, uint64_t cycles) {
    s->cycles += cycles;
    if (s->frequency) {
        s->time_ps += cycles * 1000000000000ull / s->frequency;
    }
}

/* ---- SPI ------------------------------------------------------------------------------------ */

struct c9_vspi {
    int sck, mosi, miso;
    bool locked;
    c9_vbus_stats_t stats;
};

c9_vspi_t *c9_vspi_open(int sck, int mosi, int miso) {
    c9_vspi_t *s = calloc(1, sizeof(*s));
    if (s) {
        s->sck = sck;
        s->mosi = mosi;
        s->miso = miso;
        s->stats.frequency = 250000; /* busio.SPI's default until configure() */
    }
    return s;
}

void c9_vspi_close(c9_vspi_t *s) {
    free(s);
}

static bool spi_try_lock(void *ctx) {
    c9_vspi_t *s = ctx;
    if (s->locked) {
        return false;
    }
    s->locked = true;
    s->stats.transactions++;
    return true;
}

static void spi_unlock(void *ctx) {
    ((c9_vspi_t *)ctx)->locked = false;
}

static c9_err_t spi_configure(void *ctx, uint32_t baud, uint8_t pol, uint8_t pha, uint8_t bits) {
    (void)pol;
    (void)pha;
    (void)bits;
    ((c9_vspi_t *)ctx)->stats.frequency = baud;
    return C9_OK;
}

static c9_err_t spi_write(void *ctx, const uint8_t *data, size_t len) {
    c9_vspi_t *s = ctx;
    s->stats.bytes += len;
    add_time(&s->stats, (uint64_t)len * 8);
    for (int i = 0; i < MAX_PANELS; i++) {
        c9_vpanel_t *p = panels[i];
        if (!p || p->wire != WIRE_SPI || p->sck != s->sck || p->mosi != s->mosi) {
            continue;
        }
        if (p->cs >= 0 && c9_vpin_read(p->cs)) {
            continue; /* not selected */
        }
        if (p->dc < 0) {
            c9__vpanel_rx9(p, data, len);
        } else {
            c9__vpanel_rx(p, c9_vpin_read(p->dc), data, len);
        }
    }
    return C9_OK;
}

c9_hal_spi_t c9_vspi_hal(c9_vspi_t *s) {
    return (c9_hal_spi_t){spi_try_lock, spi_unlock, spi_configure, spi_write, s};
}

const c9_vbus_stats_t *c9_vspi_stats(const c9_vspi_t *s) {
    return &s->stats;
}

void c9_vspi_reset_stats(c9_vspi_t *s) {
    uint32_t f = s->stats.frequency;
    memset(&s->stats, 0, sizeof(s->stats));
    s->stats.frequency = f;
}

/* ---- I2C ------------------------------------------------------------------------------------ */

struct c9_vi2c {
    int scl, sda;
    bool locked;
    c9_vbus_stats_t stats;
};

c9_vi2c_t *c9_vi2c_open(int scl, int sda, uint32_t frequency) {
    c9_vi2c_t *b = calloc(1, sizeof(*b));
    if (b) {
        b->scl = scl;
        b->sda = sda;
        b->stats.frequency = frequency;
    }
    return b;
}

void c9_vi2c_close(c9_vi2c_t *b) {
    free(b);
}

static bool i2c_try_lock(void *ctx) {
    c9_vi2c_t *b = ctx;
    if (b->locked) {
        return false;
    }
    b->locked = true;
    return true;
}

static void i2c_unlock(void *ctx) {
    ((c9_vi2c_t *)ctx)->locked = false;
}

static c9_vpanel_t *i2c_device(c9_vi2c_t *b, uint8_t address) {
    for (int i = 0; i < MAX_PANELS; i++) {
        c9_vpanel_t *p = panels[i];
        if (p && p->wire == WIRE_I2C && p->scl == b->scl && p->sda == b->sda && p->address == address) {
            return p;
        }
    }
    return NULL;
}

static c9_err_t i2c_write(void *ctx, uint8_t address, const uint8_t *data, size_t len) {
    c9_vi2c_t *b = ctx;
    b->stats.transactions++;
    c9_vpanel_t *p = i2c_device(b, address);
    /* start + address byte (+ACK) + stop; the data only if the address was acknowledged */
    size_t bytes = p ? len + 1 : 1;
    b->stats.bytes += bytes;
    add_time(&b->stats, (uint64_t)bytes * 9 + 2);
    if (!p) {
        return C9_ERR_NODEV;
    }
    c9__vpanel_i2c(p, data, len);
    return C9_OK;
}

c9_hal_i2c_t c9_vi2c_hal(c9_vi2c_t *b) {
    return (c9_hal_i2c_t){i2c_try_lock, i2c_unlock, i2c_write, b};
}

size_t c9_vi2c_scan(c9_vi2c_t *b, uint8_t *out, size_t max) {
    size_t n = 0;
    for (unsigned a = 0x08; a < 0x78 && n < max; a++) {
        if (i2c_device(b, (uint8_t)a)) {
            out[n++] = (uint8_t)a;
        }
    }
    return n;
}

const c9_vbus_stats_t *c9_vi2c_stats(const c9_vi2c_t *b) {
    return &b->stats;
}

void c9_vi2c_reset_stats(c9_vi2c_t *b) {
    uint32_t f = b->stats.frequency;
    memset(&b->stats, 0, sizeof(b->stats));
    b->stats.frequency = f;
}

/* ---- 8080 parallel --------------------------------------------------------------------------- */

struct c9_vparallel {
    int data[16];
    int width, cs, dc, wr;
    c9_vbus_stats_t stats;
};

c9_vparallel_t *c9_vparallel_open(const int *data_pins, int width, int cs, int dc, int wr, uint32_t frequency) {
    if (width != 8 && width != 16) {
        return NULL;
    }
    c9_vparallel_t *b = calloc(1, sizeof(*b));
    if (!b) {
        return NULL;
    }
    memcpy(b->data, data_pins, sizeof(int) * (size_t)width);
    b->width = width;
    b->cs = cs;
    b->dc = dc;
    b->wr = wr;
    b->stats.frequency = frequency;
    for (int i = 0; i < MAX_PARALLEL; i++) {
        if (!parallels[i]) {
            parallels[i] = b;
            break;
        }
    }
    return b;
}

void c9_vparallel_close(c9_vparallel_t *b) {
    for (int i = 0; i < MAX_PARALLEL; i++) {
        if (parallels[i] == b) {
            parallels[i] = NULL;
        }
    }
    free(b);
}

static void c9__vparallel_pin(c9_vparallel_t *b, int pin, bool level) {
    if (pin == b->cs && !level) {
        b->stats.transactions++;
    }
}

static c9_err_t par_write(void *ctx, bool command, const uint8_t *data, size_t len) {
    c9_vparallel_t *b = ctx;
    uint64_t strobes = (b->width == 16 && !command) ? (len + 1) / 2 : len;
    b->stats.bytes += len;
    add_time(&b->stats, strobes);
    for (int i = 0; i < MAX_PANELS; i++) {
        c9_vpanel_t *p = panels[i];
        if (!p || p->wire != WIRE_PARALLEL || p->wr != b->wr || p->data[0] != b->data[0]) {
            continue;
        }
        if (p->cs >= 0 && c9_vpin_read(p->cs)) {
            continue;
        }
        c9__vpanel_rx(p, p->dc >= 0 ? c9_vpin_read(p->dc) : !command, data, len);
    }
    return C9_OK;
}

c9_hal_parallel_t c9_vparallel_hal(c9_vparallel_t *b) {
    return (c9_hal_parallel_t){par_write, b};
}

const c9_vbus_stats_t *c9_vparallel_stats(const c9_vparallel_t *b) {
    return &b->stats;
}

void c9_vparallel_reset_stats(c9_vparallel_t *b) {
    uint32_t f = b->stats.frequency;
    memset(&b->stats, 0, sizeof(b->stats));
    b->stats.frequency = f;
}
