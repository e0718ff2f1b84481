/* PWM timers as the CircuitPython ports of each chip allocate and program them. */
#include "mcu_internal.h"

#include <string.h>

/* ---- SAMD21 and SAMD51: TC and TCC -------------------------------------------------------------- */

/* What differs between the two chips' timers (the ports' tcc_sizes and tcc_cc_num tables). */
typedef struct samd_chip {
    uint8_t tc_count, tcc_count;
    uint8_t timers_per_pin;
    uint8_t tcc_bits[C9_SAMD51_TCC_COUNT];
    uint8_t tcc_cc_num[C9_SAMD51_TCC_COUNT];
} samd_chip_t;

static const samd_chip_t samd21_chip = {C9_SAMD21_TC_COUNT, C9_SAMD21_TCC_COUNT, 2, {24, 24, 16}, {4, 2, 2}};
static const samd_chip_t samd51_chip = {
    C9_SAMD51_TC_COUNT, C9_SAMD51_TCC_COUNT, 3, {24, 24, 16, 16, 16}, {6, 4, 3, 2, 2}};

static const samd_chip_t *samd_chip(const c9_pwm_state_t *st) {
    return st->mcu && st->mcu->family == C9_MCU_SAMD51 ? &samd51_chip : &samd21_chip;
}

/* The compare channels a TCC lacks count as taken. */
static void samd_reset_tcc(c9_pwm_state_t *st, uint8_t i) {
    const samd_chip_t *c = samd_chip(st);
    st->tcc_channels[i] = i < c->tcc_count ? (uint8_t)(0xFFu << c->tcc_cc_num[i]) : 0xFF;
}

static void samd_reset_channels(c9_pwm_state_t *st) {
    for (uint8_t i = 0; i < C9_SAMD51_TCC_COUNT; i++) {
        samd_reset_tcc(st, i);
    }
}

void c9_pwm_state_init(c9_pwm_state_t *st, const c9_mcu_t *mcu) {
    memset(st, 0, sizeof(*st));
    st->mcu = mcu;
    memset(st->channel_timer, 0xFF, sizeof st->channel_timer);
    samd_reset_channels(st);
}

static uint8_t family(const c9_pwm_state_t *st) {
    return st->mcu ? st->mcu->family : C9_MCU_ESP32S3;
}

/* ---- ESP32: LEDC ------------------------------------------------------------------------------ */

#define LEDC_TIMERS 4
#define LEDC_DIV_MIN 256u     /* 1.0 in the divider's 10.8 fixed point */
#define LEDC_DIV_MAX 0x3FFFFu /* its largest value */

static uint8_t ledc_channels(const c9_pwm_state_t *st) {
    return family(st) == C9_MCU_ESP32C6 ? 6 : 8;
}

/* The port's calculate_duty_cycle(): the duty resolution is the top bit of APB clock / frequency,
 * at most 13 bits. A frequency above the APB clock underflows to "13 bits" there, and the timer
 * then refuses it. */
static uint8_t ledc_duty_bits(const c9_pwm_state_t *st, uint32_t frequency) {
    uint32_t apb = family(st) == C9_MCU_ESP32C6 ? 40000000u : 80000000u;
    uint32_t interval = apb / frequency;
    uint32_t bits = 13;
    for (uint32_t i = 0; i < 32; i++) {
        if (!(interval >> i)) {
            bits = i - 1; /* i == 0 wraps, as in the port */
            break;
        }
    }
    return (uint8_t)(bits >= 14 ? 13 : bits);
}

/* ESP-IDF's LEDC_AUTO_CLK: the first clock source whose divider fits, the fast one first. The
 * divider is rounded to the nearest 1/256; the frequency is what ledc_get_freq() computes back. */
static c9_err_t ledc_timer_config(const c9_pwm_state_t *st, uint32_t frequency, uint8_t bits, uint32_t *divider,
                                  uint32_t *actual) {
    static const uint32_t sources[] = {80000000u, 17500000u, 40000000u}; /* APB/PLL, RC_FAST, XTAL */
    (void)st;
    uint64_t precision = (uint64_t)1 << bits;
    for (size_t i = 0; i < C9_ARRAY_SIZE(sources); i++) {
        uint64_t per = (uint64_t)frequency * precision;
        uint64_t div = (((uint64_t)sources[i] << 8) + per / 2) / per;
        if (div >= LEDC_DIV_MIN && div <= LEDC_DIV_MAX) {
            *divider = (uint32_t)div;
            *actual = (uint32_t)((((uint64_t)sources[i] << 8) / precision) / div);
            return C9_OK;
        }
    }
    return C9_ERR_IO;
}

static c9_err_t ledc_open(c9_pwm_state_t *st, uint32_t frequency, uint16_t duty, bool variable, c9_pwm_out_t *out) {
    if (frequency == 0) {
        return C9_ERR_INVAL;
    }
    uint8_t bits = ledc_duty_bits(st, frequency);
    if (bits == 0) {
        return C9_ERR_INVAL;
    }
    int timer = -1, channel = -1;
    for (int i = 0; i < LEDC_TIMERS; i++) {
        /* A fixed-frequency output shares a timer already at its frequency; else a free one. */
        if (st->timer_frequency[i] == frequency && !variable && !st->timer_variable[i]) {
            timer = i;
            break;
        } else if (st->timer_frequency[i] == 0) {
            timer = i;
            break;
        }
    }
    if (timer < 0) {
        return C9_ERR_BUSY;
    }
    for (int i = 0; i < ledc_channels(st); i++) {
        if (st->channel_timer[i] == 0xFF) {
            channel = i;
            break;
        }
    }
    if (channel < 0) {
        return C9_ERR_BUSY;
    }
    uint32_t divider, actual;
    c9_err_t err = ledc_timer_config(st, frequency, bits, &divider, &actual);
    if (err != C9_OK) {
        return err;
    }
    st->timer_frequency[timer] = frequency;
    st->channel_timer[channel] = (uint8_t)timer;
    if (variable) {
        st->timer_variable[timer] = true;
    }
    *out = (c9_pwm_out_t){.timer = (uint8_t)timer,
                          .channel = (uint8_t)channel,
                          .variable_frequency = variable,
                          .bits = bits,
                          .divider = divider,
                          .actual = actual};
    c9_pwm_set_duty(st, out, duty);
    return C9_OK;
}

static void ledc_close(c9_pwm_state_t *st, c9_pwm_out_t *out) {
    st->channel_timer[out->channel] = 0xFF;
    bool taken = false;
    for (int i = 0; i < ledc_channels(st); i++) {
        taken |= st->channel_timer[i] == out->timer;
    }
    if (!taken || out->variable_frequency) {
        st->timer_frequency[out->timer] = 0;
        st->timer_variable[out->timer] = false;
    }
}

/* ---- RP2040: slices ----------------------------------------------------------------------------- */

#define RP_MAX_TOP 65534u

static void rp_set_duty(const c9_pwm_state_t *st, c9_pwm_out_t *out, uint16_t duty) {
    (void)st;
    out->duty = duty;
    uint32_t compare;
    if (duty == 65535) {
        compare = out->top + 1 > 0xFFFF ? 0xFFFF : out->top + 1; /* 100% is CC = TOP + 1 */
    } else {
        compare = ((uint32_t)duty * out->top + RP_MAX_TOP / 2) / RP_MAX_TOP;
    }
    if (compare == 0 && duty != 0) {
        compare = 1;
    }
    out->compare = compare;
}

static c9_err_t rp_set_frequency(c9_pwm_state_t *st, c9_pwm_out_t *out, uint32_t frequency) {
    uint32_t clk = st->mcu->cpu_hz;
    if (frequency == 0 || frequency > clk / 2) {
        return C9_ERR_INVAL;
    }
    st->slice_frequency[out->timer] = frequency;
    if (frequency <= clk / (1u << 16)) {
        /* Low frequencies: full 16-bit resolution and the 8.4 fixed-point clock divider. */
        uint64_t f16 = clk / (1u << 12);
        uint64_t div16 = f16 / frequency;
        if (f16 % frequency >= frequency / 2) {
            div16 += 1;
        }
        if (div16 >= (1u << 12)) {
            div16 = (1u << 12) - 1;
        }
        out->actual = (uint32_t)((f16 + div16 / 2) / div16);
        out->top = RP_MAX_TOP;
        out->divider = (uint32_t)div16;
    } else {
        uint32_t top = clk / frequency - 1;
        out->actual = clk / (top + 1);
        out->top = top > RP_MAX_TOP ? RP_MAX_TOP : top;
        out->divider = 16;
    }
    rp_set_duty(st, out, out->duty);
    return C9_OK;
}

static c9_err_t rp_open(c9_pwm_state_t *st, const c9_mcu_pin_t *pin, uint32_t frequency, uint16_t duty, bool variable,
                        c9_pwm_out_t *out) {
    if (frequency == 0 || frequency > st->mcu->cpu_hz / 2) {
        return C9_ERR_INVAL;
    }
    uint8_t slice = (pin->number >> 1) & 7, ab = pin->number & 1;
    uint32_t mask = 1u << (slice * 2 + ab);
    if (st->channel_use & mask) {
        return C9_ERR_BUSY;
    }
    if (st->slice_frequency[slice] > 0) {
        if (variable) {
            return C9_ERR_MCU_VARIABLE_FREQUENCY; /* cannot change a frequency someone shares */
        }
        if (st->slice_variable & (1u << slice)) {
            return C9_ERR_BUSY;
        }
        if (st->slice_frequency[slice] != frequency) {
            return C9_ERR_INVAL; /* the slice's other channel runs at another frequency */
        }
    }
    st->channel_use |= mask;
    if (variable) {
        st->slice_variable |= (uint8_t)(1u << slice);
    }
    *out = (c9_pwm_out_t){.timer = slice, .channel = ab, .variable_frequency = variable, .duty = duty};
    return rp_set_frequency(st, out, frequency);
}

static void rp_close(c9_pwm_state_t *st, c9_pwm_out_t *out) {
    st->channel_use &= ~(1u << (out->timer * 2 + out->channel));
    if (!(st->channel_use & (3u << (out->timer * 2)))) {
        st->slice_frequency[out->timer] = 0;
        st->slice_variable &= (uint8_t) ~(1u << out->timer);
    }
}

/* ---- SAMD: allocation ---------------------------------------------------------------------------- */

static const uint16_t prescalers[8] = {1, 2, 4, 8, 16, 64, 256, 1024};

/* The SAMD51 port keeps the output matrix at 0, which maps wave outputs as the SAMD21 does. */
static uint8_t tcc_channel(const c9_pwm_state_t *st, const c9_mcu_timer_t *t) {
    return (uint8_t)(t->wave_output % samd_chip(st)->tcc_cc_num[t->index]);
}

static bool channel_ok(const c9_pwm_state_t *st, const c9_mcu_timer_t *t) {
    return t->is_tc || !(st->tcc_channels[t->index] & (1u << tcc_channel(st, t)));
}

static bool timer_exists(const c9_pwm_state_t *st, const c9_mcu_timer_t *t) {
    const samd_chip_t *c = samd_chip(st);
    return t->is_tc ? t->index < c->tc_count : t->index < c->tcc_count;
}

/* The smallest prescaler whose period fits the timer's counter: the finest duty resolution. */
static void samd_period(uint32_t clk, uint32_t frequency, uint8_t bits, uint8_t *prescaler, uint32_t *top) {
    uint8_t d;
    uint32_t t = 0;
    for (d = 0; d < 8; d++) {
        t = clk / prescalers[d] / frequency - 1;
        if (t < (1u << bits)) {
            break;
        }
    }
    *prescaler = d < 8 ? d : 7;
    *top = t;
}

static uint32_t samd_timer_period(const c9_pwm_state_t *st, const c9_pwm_out_t *out) {
    return out->is_tc ? st->tc_period[out->timer] : st->tcc_period[out->timer];
}

static void samd_set_duty(c9_pwm_state_t *st, c9_pwm_out_t *out, uint16_t duty) {
    out->duty = duty;
    out->compare = (uint32_t)((uint64_t)samd_timer_period(st, out) * duty / 0xFFFF);
}

static c9_err_t samd_open(c9_pwm_state_t *st, const c9_mcu_pin_t *pin, uint32_t frequency, uint16_t duty, bool variable,
                          c9_pwm_out_t *out) {
    const samd_chip_t *chip = samd_chip(st);
    int per_pin = chip->timers_per_pin;
    /* The port's test, which looks at the first entry as a TC and the others as TCCs. */
    if (pin->timers[0].index >= chip->tc_count && pin->timers[1].index >= chip->tcc_count &&
        (per_pin < 3 || pin->timers[2].index >= chip->tcc_count)) {
        return C9_ERR_NOTSUP;
    }
    uint32_t clk = st->mcu->cpu_hz;
    if (frequency == 0 || frequency > clk / 2) {
        return C9_ERR_INVAL;
    }
    const c9_mcu_timer_t *timer = NULL;
    /* A TCC already at this frequency with this pin's channel free is shared. */
    for (uint8_t i = 0; !variable && i < chip->tcc_count && !timer; i++) {
        if (st->tcc_frequency[i] != frequency) {
            continue;
        }
        for (int j = 0; j < per_pin && !timer; j++) {
            const c9_mcu_timer_t *t = &pin->timers[j];
            if (t->index == i && !t->is_tc && t->index < chip->tcc_count && st->tcc_enabled[i] && channel_ok(st, t)) {
                timer = t;
                st->tcc_channels[i] |= (uint8_t)(1u << tcc_channel(st, t));
                st->tcc_refcount[i]++;
            }
        }
    }
    if (!timer) {
        /* A new timer: fixed frequencies look at the TCC entry first (it can be shared later),
         * variable ones at the TC (a whole timer for one output). */
        int start = variable ? 0 : per_pin - 1, step = variable ? 1 : -1;
        for (int j = start; j >= 0 && j < per_pin && !timer; j += step) {
            const c9_mcu_timer_t *t = &pin->timers[j];
            if (!timer_exists(st, t)) {
                continue;
            }
            if (t->is_tc ? !st->tc_enabled[t->index] && t->wave_output == 1
                         : !st->tcc_enabled[t->index] && channel_ok(st, t)) {
                timer = t;
            }
        }
        if (!timer) {
            return C9_ERR_BUSY;
        }
        uint8_t bits = timer->is_tc ? 16 : chip->tcc_bits[timer->index];
        uint8_t prescaler;
        uint32_t top;
        samd_period(clk, frequency, bits, &prescaler, &top);
        if (timer->is_tc) {
            st->tc_enabled[timer->index] = true;
            st->tc_prescaler[timer->index] = prescaler;
            st->tc_period[timer->index] = top;
        } else {
            uint8_t i = timer->index;
            st->tcc_enabled[i] = true;
            st->tcc_prescaler[i] = prescaler;
            st->tcc_period[i] = top;
            st->tcc_frequency[i] = frequency;
            st->tcc_refcount[i]++;
            /* A variable frequency changes the whole timer: it takes every channel. */
            st->tcc_channels[i] |= variable ? 0xFF : (uint8_t)(1u << tcc_channel(st, timer));
        }
    }
    *out = (c9_pwm_out_t){
        .timer = timer->index, .channel = timer->wave_output, .is_tc = timer->is_tc, .variable_frequency = variable};
    samd_set_duty(st, out, duty);
    return C9_OK;
}

static void samd_close(c9_pwm_state_t *st, c9_pwm_out_t *out) {
    if (out->is_tc) {
        st->tc_enabled[out->timer] = false;
        return;
    }
    uint8_t i = out->timer;
    c9_mcu_timer_t t = {i, false, out->channel};
    st->tcc_refcount[i]--;
    st->tcc_channels[i] &= (uint8_t) ~(1u << tcc_channel(st, &t));
    if (st->tcc_refcount[i] == 0) {
        st->tcc_frequency[i] = 0;
        st->tcc_enabled[i] = false;
        /* Back to the channels it has: a variable-frequency output had taken all of them. */
        samd_reset_tcc(st, i);
    }
}

static c9_err_t samd_set_frequency(c9_pwm_state_t *st, c9_pwm_out_t *out, uint32_t frequency) {
    uint32_t clk = st->mcu->cpu_hz;
    if (frequency == 0 || frequency > clk / 2) {
        return C9_ERR_INVAL;
    }
    uint8_t bits = out->is_tc ? 16 : samd_chip(st)->tcc_bits[out->timer];
    uint8_t prescaler;
    uint32_t top;
    samd_period(clk, frequency, bits, &prescaler, &top);
    if (out->is_tc) {
        st->tc_prescaler[out->timer] = prescaler;
        st->tc_period[out->timer] = top;
    } else {
        st->tcc_prescaler[out->timer] = prescaler;
        st->tcc_period[out->timer] = top;
    }
    samd_set_duty(st, out, out->duty);
    return C9_OK;
}

/* ---- the chip's ------------------------------------------------------------------------------ */

c9_err_t c9_pwm_open(c9_pwm_state_t *st, const c9_mcu_pin_t *pin, uint32_t frequency, uint16_t duty,
                     bool variable_frequency, c9_pwm_out_t *out) {
    if (!st || !st->mcu || !pin || !out) {
        return C9_ERR_INVAL;
    }
    switch (family(st)) {
    case C9_MCU_RP2040: return rp_open(st, pin, frequency, duty, variable_frequency, out);
    case C9_MCU_SAMD51:
    case C9_MCU_SAMD21: return samd_open(st, pin, frequency, duty, variable_frequency, out);
    default: return ledc_open(st, frequency, duty, variable_frequency, out);
    }
}

void c9_pwm_close(c9_pwm_state_t *st, c9_pwm_out_t *out) {
    switch (family(st)) {
    case C9_MCU_RP2040: rp_close(st, out); break;
    case C9_MCU_SAMD51:
    case C9_MCU_SAMD21: samd_close(st, out); break;
    default: ledc_close(st, out); break;
    }
}

void c9_pwm_set_duty(c9_pwm_state_t *st, c9_pwm_out_t *out, uint16_t duty) {
    switch (family(st)) {
    case C9_MCU_RP2040: rp_set_duty(st, out, duty); break;
    case C9_MCU_SAMD51:
    case C9_MCU_SAMD21: samd_set_duty(st, out, duty); break;
    default:
        out->duty = duty;
        out->compare = (uint32_t)duty >> (16 - out->bits);
        break;
    }
}

uint16_t c9_pwm_duty(const c9_pwm_state_t *st, const c9_pwm_out_t *out) {
    switch (family(st)) {
    case C9_MCU_RP2040: return out->duty;
    case C9_MCU_SAMD51:
    case C9_MCU_SAMD21: {
        uint32_t period = samd_timer_period(st, out);
        /* The TC's compare register is 16 bits wide; the port computes in 32 bits. */
        uint64_t cv = out->is_tc ? (uint16_t)out->compare : out->compare;
        return period ? (uint16_t)(cv * 0xFFFF / period) : 0;
    }
    default: return (uint16_t)(out->compare << (16 - out->bits));
    }
}

c9_err_t c9_pwm_set_frequency(c9_pwm_state_t *st, c9_pwm_out_t *out, uint32_t frequency) {
    switch (family(st)) {
    case C9_MCU_RP2040: return rp_set_frequency(st, out, frequency);
    case C9_MCU_SAMD51:
    case C9_MCU_SAMD21: return samd_set_frequency(st, out, frequency);
    default: {
        if (frequency == 0) {
            return C9_ERR_INVAL;
        }
        uint8_t bits = ledc_duty_bits(st, frequency);
        if (bits == 0) {
            return C9_ERR_INVAL;
        }
        /* Unlike the port, the timer gets the new duty resolution along with the frequency and the
         * duty cycle is set again in it (docs/periph.md). */
        uint32_t divider, actual;
        c9_err_t err = ledc_timer_config(st, frequency, bits, &divider, &actual);
        if (err != C9_OK) {
            return err;
        }
        out->bits = bits;
        out->divider = divider;
        out->actual = actual;
        st->timer_frequency[out->timer] = frequency;
        c9_pwm_set_duty(st, out, out->duty);
        return C9_OK;
    }
    }
}

uint32_t c9_pwm_frequency(const c9_pwm_state_t *st, const c9_pwm_out_t *out) {
    if (family(st) == C9_MCU_SAMD21 || family(st) == C9_MCU_SAMD51) {
        uint8_t p = out->is_tc ? st->tc_prescaler[out->timer] : st->tcc_prescaler[out->timer];
        return st->mcu->cpu_hz / prescalers[p] / (samd_timer_period(st, out) + 1);
    }
    return out->actual;
}
