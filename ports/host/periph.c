/* The virtual board's peripherals on its pins, as the board's chip has them (mcu.h): ADC and DAC,
 * PWM timers, edge counters, quadrature encoders, touch sensing and the LED chains neopixel_write
 * drives. The chip model decides which pins can do what and the numbers a program reads back. */
#include "vpanel_internal.h"

#include "circuit9/rotary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const c9_board_t *board_of;
static const c9_mcu_t *mcu;
static c9_pwm_state_t timers;

static struct {
    bool open;
    c9_pwm_out_t out;
} pwm[C9_VPIN_MAX];

#define MAX_COUNTERS 8
static struct counter {
    int pin; /* -1: free */
    c9_counter_t c;
    bool slice_claimed; /* RP2040: the PWM slice it counts with */
} counters[MAX_COUNTERS];

#define MAX_ENCODERS 8
static struct encoder {
    int a, b; /* a -1: free */
    c9_rotary_t r;
} encoders[MAX_ENCODERS];

static struct { bool open; } touch[C9_VPIN_MAX];

/* LED chains: the board's own, those declared with c9_host_pixels_attach(), and those a program
 * wrote to on a pin with neither (a WS2812B strip as the GRB chain its frame fills). */
#define MAX_CHAINS 16
static struct chain {
    int pin;    /* -1: free */
    bool fixed; /* board or declared: the length does not grow */
    c9_pixel_chain_t chain;
    c9_pixel_rgbw_t *leds;
    uint32_t version; /* frames written, for redraws */
} chains[MAX_CHAINS];

/* Two resistive plates on four pins (xm, xp: the X plate's ends; ym, yp: the Y plate's), as
 * adafruit_touchscreen reads them: with the Y plate driven end to end, an X pin reads the touch's
 * x; with the X plate driven, a Y pin reads y; with xp low and ym high, xm and yp read the voltages
 * either side of the touch (untouched: the plates' own ends, 0 V and 3.3 V). */
#define MAX_TOUCHSCREENS 2
static struct touchscreen {
    int xm, xp, ym, yp; /* xm -1: free */
    double x, y;        /* 0..1 along each plate */
    bool pressed;
    char name[C9_STIM_NAME_MAX];
} screens[MAX_TOUCHSCREENS];

static void ensure(void) {
    if (!board_of) {
        c9__periph_board(c9_port_board());
    }
}

const c9_mcu_t *c9__periph_mcu(void) {
    ensure();
    return mcu;
}

static uint8_t family(void) {
    return mcu ? mcu->family : C9_MCU_ESP32S3;
}

/* The chip's description of a pin; a pin the chip model does not know (a name a test made up)
 * can do nothing. */
static bool pin_info(int pin, c9_mcu_pin_t *info) {
    ensure();
    return mcu && c9_mcu_pin(mcu, c9_vpin_name(pin), info);
}

static struct chain *chain_on(int pin) {
    for (int i = 0; i < MAX_CHAINS; i++) {
        if (chains[i].pin == pin && pin >= 0) {
            return &chains[i];
        }
    }
    return NULL;
}

static struct chain *chain_new(int pin, const c9_pixel_order_t *order, uint16_t count, bool fixed) {
    struct chain *c = chain_on(pin);
    for (int i = 0; !c && i < MAX_CHAINS; i++) {
        if (chains[i].pin < 0) {
            c = &chains[i];
        }
    }
    if (!c) {
        return NULL;
    }
    c9_pixel_rgbw_t *leds = count ? calloc(count, sizeof(*leds)) : NULL;
    if (count && !leds) {
        return NULL;
    }
    free(c->leds);
    c->leds = leds;
    c->pin = pin;
    c->fixed = fixed;
    c9_pixel_chain_init(&c->chain, order, leds, count);
    c->version++;
    return c;
}

void c9__periph_board(const c9_board_t *b) {
    board_of = b;
    mcu = c9_mcu_find(b->mcu);
    c9_pwm_state_init(&timers, mcu ? mcu : c9_mcu_find("ESP32S3"));
    memset(pwm, 0, sizeof pwm);
    memset(touch, 0, sizeof touch);
    for (int i = 0; i < MAX_COUNTERS; i++) {
        counters[i].pin = -1;
    }
    for (int i = 0; i < MAX_ENCODERS; i++) {
        encoders[i].a = -1;
    }
    for (int i = 0; i < MAX_TOUCHSCREENS; i++) {
        if (screens[i].xm >= 0 && screens[i].name[0]) {
            c9_host_unregister_device(&screens[i]);
        }
        screens[i].xm = -1;
    }
    for (int i = 0; i < MAX_CHAINS; i++) {
        free(chains[i].leds);
        memset(&chains[i], 0, sizeof chains[i]);
        chains[i].pin = -1;
    }
    for (size_t i = 0; i < b->led_count; i++) {
        const c9_board_led_t *l = &b->leds[i];
        const c9_board_pin_t *bp = c9_board_pin(b, l->pin);
        c9_pixel_order_t order;
        if (l->kind == C9_BOARD_LED_NEOPIXEL && bp && l->order &&
            c9_pixel_order_parse(l->order, strlen(l->order), &order) == C9_OK) {
            chain_new(c9_vpin(bp->mcu_pin), &order, l->count, true);
        }
    }
    /* A button with a resistor on the board rests at its released level. */
    for (size_t i = 0; i < b->button_count; i++) {
        const c9_board_button_t *bt = &b->buttons[i];
        const c9_board_pin_t *bp = c9_board_pin(b, bt->pin);
        if (bp && bt->pulled) {
            c9_vboard_pin_drive(c9_vpin(bp->mcu_pin), !bt->pressed_level);
        }
    }
}

/* ---- 4-wire resistive touchscreens ---------------------------------------------------------------- */

#define REFERENCE_MV 3300u

/* The voltage a pin drives, -1 when it drives nothing. */
static int32_t driven_mv(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    if (!p || p->mode != C9_VPIN_OUTPUT) {
        return -1;
    }
    return p->level ? (int32_t)REFERENCE_MV : 0;
}

static int32_t along(int from, int to, double f) {
    int32_t a = driven_mv(from), b = driven_mv(to);
    return a < 0 || b < 0 ? -1 : (int32_t)(a + (b - a) * f + 0.5);
}

/* The voltage a touchscreen gives the pin, -1 when the pin is no touchscreen's or floats. */
static int32_t touchscreen_mv(int pin) {
    for (int i = 0; i < MAX_TOUCHSCREENS; i++) {
        struct touchscreen *t = &screens[i];
        if (t->xm < 0 || (pin != t->xm && pin != t->xp && pin != t->ym && pin != t->yp)) {
            continue;
        }
        bool on_x = pin == t->xm || pin == t->xp;
        if (on_x && driven_mv(t->ym) >= 0 && driven_mv(t->yp) >= 0) {
            return t->pressed ? along(t->ym, t->yp, t->x) : -1;
        }
        if (!on_x && driven_mv(t->xm) >= 0 && driven_mv(t->xp) >= 0) {
            return t->pressed ? along(t->xm, t->xp, t->y) : -1;
        }
        /* Pressure: one end of each plate driven. Untouched each plate sits at its driven end;
         * touched, current through the contact pulls them a third of the way together. */
        int other = on_x ? (driven_mv(t->xm) >= 0 ? t->xm : t->xp) : (driven_mv(t->ym) >= 0 ? t->ym : t->yp);
        int across = on_x ? (driven_mv(t->ym) >= 0 ? t->ym : t->yp) : (driven_mv(t->xm) >= 0 ? t->xm : t->xp);
        int32_t own = driven_mv(other), far = driven_mv(across);
        if (own < 0) {
            return -1;
        }
        return t->pressed && far >= 0 ? own + (far - own) / 3 : own;
    }
    return -1;
}

static c9_err_t touchscreen_set(void *ctx, const char *property, const c9_stim_value_t *v) {
    struct touchscreen *t = ctx;
    double value = v->nano / 1e9;
    if (v->unit[0]) {
        return C9_ERR_INVAL;
    }
    if (!strcmp(property, "x") || !strcmp(property, "y")) {
        if (value < 0 || value > 1) {
            return C9_ERR_RANGE;
        }
        *(property[0] == 'x' ? &t->x : &t->y) = value;
        return C9_OK;
    }
    if (!strcmp(property, "pressed")) {
        t->pressed = value != 0;
        return C9_OK;
    }
    return C9_ERR_NOENT;
}

c9_err_t c9_host_touchscreen_attach(const char *name, int xm, int xp, int ym, int yp) {
    if (!c9__vpin_at(xm) || !c9__vpin_at(xp) || !c9__vpin_at(ym) || !c9__vpin_at(yp)) {
        return C9_ERR_INVAL;
    }
    ensure();
    for (int i = 0; i < MAX_TOUCHSCREENS; i++) {
        struct touchscreen *t = &screens[i];
        if (t->xm < 0) {
            *t = (struct touchscreen){.xm = xm, .xp = xp, .ym = ym, .yp = yp, .x = 0.5, .y = 0.5};
            snprintf(t->name, sizeof t->name, "%s", name);
            c9_err_t err = c9_host_register_device(name, touchscreen_set, t);
            if (err != C9_OK) {
                t->xm = -1;
            }
            return err;
        }
    }
    return C9_ERR_NOMEM;
}

c9_err_t c9__periph_board_devices(const c9_board_t *b) {
    if (!b->touch_x1) {
        return C9_OK;
    }
    const c9_board_pin_t *x1 = c9_board_pin(b, b->touch_x1), *x2 = c9_board_pin(b, b->touch_x2),
                         *y1 = c9_board_pin(b, b->touch_y1), *y2 = c9_board_pin(b, b->touch_y2);
    if (!x1 || !x2 || !y1 || !y2) {
        return C9_ERR_INVAL;
    }
    return c9_host_touchscreen_attach("touchscreen", c9_vpin(x1->mcu_pin), c9_vpin(x2->mcu_pin), c9_vpin(y1->mcu_pin),
                                      c9_vpin(y2->mcu_pin));
}

/* ---- analog in and out --------------------------------------------------------------------------- */

c9_err_t c9_port_analog_in_open(int pin) {
    ensure();
    c9__vpin_t *p = c9__vpin_at(pin);
    c9_mcu_pin_t info;
    if (!p) {
        return C9_ERR_NOENT;
    }
    if (!pin_info(pin, &info) || info.adc == 0xFF) {
        return C9_ERR_NOTSUP;
    }
    p->mode = C9_VPIN_ANALOG_IN;
    p->pull = C9_PORT_PULL_NONE;
    c9__vpin_settle(pin);
    return C9_OK;
}

c9_err_t c9_port_analog_in_read(int pin, uint16_t *value) {
    c9__world_catch_up();
    c9__vpin_t *p = c9__vpin_at(pin);
    if (!p || p->mode != C9_VPIN_ANALOG_IN) {
        return C9_ERR_BADF;
    }
    /* A touchscreen's plate, else the outside voltage when something holds one, else the rail the
     * pin is at. */
    int32_t plate = touchscreen_mv(pin);
    uint32_t mv = plate >= 0 ? (uint32_t)plate : p->mv >= 0 ? (uint32_t)p->mv : p->level ? REFERENCE_MV : 0;
    *value = c9_mcu_adc_value(mcu, mv);
    return C9_OK;
}

uint32_t c9_port_analog_in_reference_mv(int pin) {
    (void)pin;
    return REFERENCE_MV;
}

void c9_port_analog_in_close(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    if (p && p->mode == C9_VPIN_ANALOG_IN) {
        p->mode = C9_VPIN_INPUT;
        c9__vpin_settle(pin);
    }
}

c9_err_t c9_port_analog_out_open(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    if (!p) {
        return C9_ERR_NOENT;
    }
    ensure();
    switch (family()) {
    case C9_MCU_RP2040: return C9_ERR_MCU_NO_ANALOGOUT;
    case C9_MCU_SAMD21:
    case C9_MCU_SAMD51: {
        c9_mcu_pin_t info;
        if (!pin_info(pin, &info) || !info.dac) {
            return C9_ERR_NOTSUP;
        }
        break;
    }
    default: return C9_ERR_NOSYS; /* the S3 and C6 have no DAC */
    }
    p->mode = C9_VPIN_ANALOG_OUT;
    p->dac = 0;
    c9__vpin_settle(pin);
    return C9_OK;
}

c9_err_t c9_port_analog_out_write(int pin, uint16_t value) {
    c9__vpin_t *p = c9__vpin_at(pin);
    if (!p || p->mode != C9_VPIN_ANALOG_OUT) {
        return C9_ERR_BADF;
    }
    p->dac = value;
    c9__vpin_settle(pin);
    return C9_OK;
}

uint32_t c9_port_analog_out_millivolts(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    return p && p->mode == C9_VPIN_ANALOG_OUT ? c9_mcu_dac_millivolts(mcu, p->dac) : 0;
}

void c9_port_analog_out_close(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    if (p && p->mode == C9_VPIN_ANALOG_OUT) {
        p->mode = C9_VPIN_INPUT;
        p->dac = 0;
        c9__vpin_settle(pin);
    }
}

/* ---- PWM ----------------------------------------------------------------------------------------- */

static void pwm_show(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    p->pwm_frequency = c9_pwm_frequency(&timers, &pwm[pin].out);
    p->pwm_duty = c9_pwm_duty(&timers, &pwm[pin].out);
    c9__vpin_settle(pin);
}

c9_err_t c9_port_pwm_open(int pin, uint32_t frequency, uint16_t duty, bool variable_frequency, uint32_t *actual) {
    ensure();
    c9__vpin_t *p = c9__vpin_at(pin);
    c9_mcu_pin_t info;
    if (!p) {
        return C9_ERR_NOENT;
    }
    if (!pin_info(pin, &info)) {
        return C9_ERR_NOTSUP;
    }
    if (pwm[pin].open) {
        c9_port_pwm_close(pin);
    }
    c9_err_t err = c9_pwm_open(&timers, &info, frequency, duty, variable_frequency, &pwm[pin].out);
    if (err != C9_OK) {
        return err;
    }
    pwm[pin].open = true;
    p->mode = C9_VPIN_PWM;
    p->pwm_variable = variable_frequency;
    pwm_show(pin);
    if (actual) {
        *actual = p->pwm_frequency;
    }
    return C9_OK;
}

c9_err_t c9_port_pwm_set_duty(int pin, uint16_t duty) {
    if (pin < 0 || pin >= C9_VPIN_MAX || !pwm[pin].open) {
        return C9_ERR_BADF;
    }
    c9_pwm_set_duty(&timers, &pwm[pin].out, duty);
    pwm_show(pin);
    return C9_OK;
}

uint16_t c9_port_pwm_duty(int pin) {
    return pin >= 0 && pin < C9_VPIN_MAX && pwm[pin].open ? c9_pwm_duty(&timers, &pwm[pin].out) : 0;
}

uint32_t c9_port_pwm_frequency(int pin) {
    return pin >= 0 && pin < C9_VPIN_MAX && pwm[pin].open ? c9_pwm_frequency(&timers, &pwm[pin].out) : 0;
}

c9_err_t c9_port_pwm_set_frequency(int pin, uint32_t frequency, uint32_t *actual) {
    if (pin < 0 || pin >= C9_VPIN_MAX || !pwm[pin].open) {
        return C9_ERR_BADF;
    }
    if (!pwm[pin].out.variable_frequency) {
        return C9_ERR_PERM;
    }
    c9_err_t err = c9_pwm_set_frequency(&timers, &pwm[pin].out, frequency);
    if (err != C9_OK) {
        return err;
    }
    pwm_show(pin);
    if (actual) {
        *actual = c9__vpin_at(pin)->pwm_frequency;
    }
    return C9_OK;
}

void c9_port_pwm_close(int pin) {
    if (pin < 0 || pin >= C9_VPIN_MAX || !pwm[pin].open) {
        return;
    }
    c9_pwm_close(&timers, &pwm[pin].out);
    pwm[pin].open = false;
    c9__vpin_t *p = c9__vpin_at(pin);
    if (p->mode == C9_VPIN_PWM) {
        p->mode = C9_VPIN_INPUT;
    }
    p->pwm_frequency = 0;
    p->pwm_duty = 0;
    c9__vpin_settle(pin);
}

/* ---- counters ----------------------------------------------------------------------------------- */

static struct counter *counter_on(int pin) {
    for (int i = 0; pin >= 0 && i < MAX_COUNTERS; i++) {
        if (counters[i].pin == pin) {
            return &counters[i];
        }
    }
    return NULL;
}

static void counter_edge(void *ctx, int pin, bool level) {
    (void)pin;
    c9_counter_update(&((struct counter *)ctx)->c, level);
}

c9_err_t c9_port_counter_open(int pin, uint8_t edge, c9_port_pull_t pull) {
    ensure();
    c9_mcu_pin_t info;
    if (!c9__vpin_at(pin)) {
        return C9_ERR_NOENT;
    }
    if (!pin_info(pin, &info) || edge > C9_COUNTER_RISE_AND_FALL) {
        return C9_ERR_NOTSUP;
    }
    bool slice = false;
    if (family() == C9_MCU_RP2040) {
        /* The RP2040 counts with a PWM slice's B input. */
        uint8_t s = (info.number >> 1) & 7;
        uint32_t both = 3u << (s * 2);
        if ((info.number & 1) == 0) {
            return C9_ERR_MCU_COUNTER_PIN;
        }
        if (edge == C9_COUNTER_RISE_AND_FALL) {
            return C9_ERR_MCU_COUNTER_EDGE;
        }
        for (int i = 0; i < MAX_COUNTERS; i++) {
            c9_mcu_pin_t other;
            if (counters[i].pin >= 0 && pin_info(counters[i].pin, &other) && ((other.number >> 1) & 7) == s) {
                return C9_ERR_MCU_SLICE_IN_USE;
            }
        }
        if (timers.channel_use & both) {
            return C9_ERR_MCU_SLICE_CHANNEL_A;
        }
        timers.channel_use |= both;
        slice = true;
    }
    struct counter *c = NULL;
    for (int i = 0; i < MAX_COUNTERS && !c; i++) {
        c = counters[i].pin < 0 ? &counters[i] : NULL;
    }
    if (!c || c9__vpin_watch(pin, counter_edge, c) != C9_OK) {
        if (slice) {
            timers.channel_use &= ~(3u << (((info.number >> 1) & 7) * 2));
        }
        return C9_ERR_BUSY;
    }
    c->pin = pin;
    c->slice_claimed = slice;
    c9_port_pin_input(pin, pull);
    c9_counter_init(&c->c, (c9_counter_edge_t)edge, c9_vpin_read(pin));
    return C9_OK;
}

c9_err_t c9_port_counter_get(int pin, int64_t *count) {
    c9__world_catch_up();
    struct counter *c = counter_on(pin);
    if (!c) {
        return C9_ERR_BADF;
    }
    *count = c->c.count;
    return C9_OK;
}

c9_err_t c9_port_counter_set(int pin, int64_t count) {
    struct counter *c = counter_on(pin);
    if (!c) {
        return C9_ERR_BADF;
    }
    c->c.count = count;
    return C9_OK;
}

void c9_port_counter_close(int pin) {
    struct counter *c = counter_on(pin);
    if (!c) {
        return;
    }
    c9__vpin_unwatch(c);
    c9_mcu_pin_t info;
    if (c->slice_claimed && pin_info(pin, &info)) {
        timers.channel_use &= ~(3u << (((info.number >> 1) & 7) * 2));
    }
    c->pin = -1;
}

/* ---- encoders ------------------------------------------------------------------------------------ */

static struct encoder *encoder_on(int a) {
    for (int i = 0; a >= 0 && i < MAX_ENCODERS; i++) {
        if (encoders[i].a == a) {
            return &encoders[i];
        }
    }
    return NULL;
}

static void encoder_edge(void *ctx, int pin, bool level) {
    (void)pin;
    (void)level;
    struct encoder *e = ctx;
    c9_rotary_update(&e->r, c9_vpin_read(e->a), c9_vpin_read(e->b));
}

c9_err_t c9_port_encoder_open(int pin_a, int pin_b, int32_t divisor) {
    ensure();
    if (!c9__vpin_at(pin_a) || !c9__vpin_at(pin_b)) {
        return C9_ERR_NOENT;
    }
    struct encoder *e = NULL;
    for (int i = 0; i < MAX_ENCODERS && !e; i++) {
        e = encoders[i].a < 0 ? &encoders[i] : NULL;
    }
    if (!e) {
        return C9_ERR_BUSY;
    }
    if (c9__vpin_watch(pin_a, encoder_edge, e) != C9_OK || c9__vpin_watch(pin_b, encoder_edge, e) != C9_OK) {
        c9__vpin_unwatch(e);
        return C9_ERR_BUSY;
    }
    e->a = pin_a;
    e->b = pin_b;
    c9_port_pin_input(pin_a, C9_PORT_PULL_UP);
    c9_port_pin_input(pin_b, C9_PORT_PULL_UP);
    /* ESP32s count in their pulse counter; the others decode in software. */
    bool counter = family() == C9_MCU_ESP32S3 || family() == C9_MCU_ESP32C6;
    c9_rotary_init(&e->r, counter ? C9_ROTARY_COUNTER : C9_ROTARY_SOFT, c9_vpin_read(pin_a), c9_vpin_read(pin_b),
                   divisor);
    return C9_OK;
}

c9_err_t c9_port_encoder_position(int pin_a, int32_t *position) {
    c9__world_catch_up();
    struct encoder *e = encoder_on(pin_a);
    return e ? c9_rotary_position(&e->r, position) : C9_ERR_BADF;
}

c9_err_t c9_port_encoder_set_position(int pin_a, int32_t position) {
    struct encoder *e = encoder_on(pin_a);
    if (!e) {
        return C9_ERR_BADF;
    }
    c9_rotary_set_position(&e->r, position);
    return C9_OK;
}

c9_err_t c9_port_encoder_set_divisor(int pin_a, int32_t divisor) {
    struct encoder *e = encoder_on(pin_a);
    if (!e) {
        return C9_ERR_BADF;
    }
    c9_rotary_set_divisor(&e->r, divisor);
    return C9_OK;
}

void c9_port_encoder_close(int pin_a) {
    struct encoder *e = encoder_on(pin_a);
    if (e) {
        c9__vpin_unwatch(e);
        e->a = e->b = -1;
    }
}

/* ---- touch ---------------------------------------------------------------------------------------- */

/* What a pad reads untouched and touched: the ESP32-S3's touch sensor counts rise with a finger;
 * the SAMD21's PTC gives a few hundred; CircuitPython's software touch (RP2040, ESP32-C6) counts
 * loops while a 1 MOhm pull-down drains the pad. A pad reads touched while something outside
 * holds its pin high (a --set, an event, a click). */
static uint16_t touch_raw(int pin) {
    c9__vpin_t *p = c9__vpin_at(pin);
    bool touched = p && p->external == 1;
    switch (family()) {
    case C9_MCU_ESP32S3: return touched ? 40000 : 25000;
    case C9_MCU_SAMD21: return touched ? 900 : 500;
    default: return touched ? 300 : 30;
    }
}

c9_err_t c9_port_touch_open(int pin, uint16_t *threshold) {
    ensure();
    c9_mcu_pin_t info;
    if (!c9__vpin_at(pin)) {
        return C9_ERR_NOENT;
    }
    if (!pin_info(pin, &info) || (mcu && mcu->native_touch && info.touch == 0xFF)) {
        return C9_ERR_NOTSUP;
    }
    touch[pin].open = true;
    uint16_t raw = touch_raw(pin);
    /* The ports' first thresholds: 100 above the first reading natively; in software
     * raw * 1.05 + 100. */
    *threshold = mcu && mcu->native_touch ? (uint16_t)(raw + 100) : (uint16_t)(raw * 1.05f + 100);
    return C9_OK;
}

c9_err_t c9_port_touch_read(int pin, uint16_t *raw) {
    c9__world_catch_up();
    if (pin < 0 || pin >= C9_VPIN_MAX || !touch[pin].open) {
        return C9_ERR_BADF;
    }
    *raw = touch_raw(pin);
    return C9_OK;
}

void c9_port_touch_close(int pin) {
    if (pin >= 0 && pin < C9_VPIN_MAX) {
        touch[pin].open = false;
    }
}

/* ---- LED chains ------------------------------------------------------------------------------------ */

c9_err_t c9_port_neopixel_write(int pin, const uint8_t *data, size_t len) {
    if (!c9__vpin_at(pin)) {
        return C9_ERR_NOENT;
    }
    ensure();
    struct chain *c = chain_on(pin);
    size_t wanted = len / 3 > 0xFFFF ? 0xFFFF : len / 3;
    if (!c || (!c->fixed && c->chain.count < wanted)) {
        c9_pixel_order_t grb;
        c9_pixel_order_parse("GRB", 3, &grb);
        /* Keep what the shorter chain showed: its LEDs are still lit. */
        struct chain old = c ? *c : (struct chain){0};
        c9_pixel_rgbw_t *keep = NULL;
        if (c && c->chain.count) {
            keep = malloc(sizeof(*keep) * c->chain.count);
            if (keep) {
                memcpy(keep, c->leds, sizeof(*keep) * c->chain.count);
            }
        }
        c = chain_new(pin, &grb, (uint16_t)wanted, false);
        if (!c) {
            free(keep);
            return C9_ERR_NOMEM;
        }
        if (keep) {
            memcpy(c->leds, keep, sizeof(*keep) * old.chain.count);
            free(keep);
        }
    }
    c9_pixel_chain_write(&c->chain, data, len, NULL);
    c->version++;
    return C9_OK;
}

const c9_pixel_chain_t *c9__pixels_on(int pin) {
    ensure();
    struct chain *c = chain_on(pin);
    return c ? &c->chain : NULL;
}

c9_err_t c9_host_pixels_attach(int pin, const char *order, uint16_t count) {
    c9_pixel_order_t o;
    if (!c9__vpin_at(pin) || !order || c9_pixel_order_parse(order, strlen(order), &o) != C9_OK || !count) {
        return C9_ERR_INVAL;
    }
    ensure();
    return chain_new(pin, &o, count, true) ? C9_OK : C9_ERR_NOMEM;
}

/* ---- a released pin -------------------------------------------------------------------------------- */

void c9__periph_release(int pin) {
    c9_port_pwm_close(pin);
    c9_port_analog_in_close(pin);
    c9_port_analog_out_close(pin);
    c9_port_counter_close(pin);
    c9_port_encoder_close(pin);
    c9_port_touch_close(pin);
}
