/* The chips' pins, ADCs and DACs as their CircuitPython ports see them. */
#include "mcu_internal.h"

#include <string.h>

static const c9_mcu_t mcus[] = {
    {"ESP32S3", C9_MCU_ESP32S3, 240000000, true, 8192, 0x00},
    {"ESP32C6", C9_MCU_ESP32C6, 160000000, false, 8192, 0x00},
    {"rp2040", C9_MCU_RP2040, 125000000, false, 4096, 0xFF},
    {"samd21g18", C9_MCU_SAMD21, 48000000, true, 256, 0xFF},
    /* The SAMD51 port has no native touchio (CIRCUITPY_TOUCHIO_USE_NATIVE = 0): software touch. */
    {"samd51j20", C9_MCU_SAMD51, 120000000, false, 8192, 0xFF},
};

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool same_name(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) {
            return false;
        }
    }
    return *a == *b;
}

const c9_mcu_t *c9_mcu_find(const char *name) {
    for (size_t i = 0; name && i < C9_ARRAY_SIZE(mcus); i++) {
        if (same_name(mcus[i].name, name)) {
            return &mcus[i];
        }
    }
    return NULL;
}

/* "GPIOn" with n a plain decimal number, else -1. */
static int gpio_number(const char *name) {
    if (strncmp(name, "GPIO", 4) != 0 || !name[4] || strlen(name) > 6) {
        return -1;
    }
    int n = 0;
    for (const char *p = name + 4; *p; p++) {
        if (*p < '0' || *p > '9' || (p == name + 4 && *p == '0' && p[1])) {
            return -1;
        }
        n = n * 10 + (*p - '0');
    }
    return n;
}

#define NT                                                                                                             \
    { C9_MCU_NO_TIMER, false, 0 }
#define TCC(i, w)                                                                                                      \
    { (i), false, (w) }
#define TC(i, w)                                                                                                       \
    { (i) - 3, true, (w) }
#define TC51(i, w)                                                                                                     \
    { (i), true, (w) }

/* "PB02" is 34. */
static uint8_t pin_number(const char *name) {
    return (uint8_t)((name[1] - 'A') * 32 + (name[2] - '0') * 10 + (name[3] - '0'));
}

/* The SAMD21's pins: ADC input, PTC Y line, timer outputs (the samd-peripherals PIN() table's
 * facts; TC6/TC7 are absent on the G18). */
static const struct samd_pin {
    char name[5];
    uint8_t adc, touch;
    c9_mcu_timer_t timers[2];
} samd21_pins[] = {
    {"PA00", 0xFF, 0xFF, {TCC(2, 0), NT}},
    {"PA01", 0xFF, 0xFF, {TCC(2, 1), NT}},
    {"PA02", 0, 0, {NT, NT}},
    {"PA03", 1, 1, {NT, NT}},
    {"PB04", 12, 10, {NT, NT}},
    {"PB05", 13, 11, {NT, NT}},
    {"PB06", 14, 12, {NT, NT}},
    {"PB07", 15, 13, {NT, NT}},
    {"PB08", 2, 14, {TC(4, 0), NT}},
    {"PB09", 3, 15, {TC(4, 1), NT}},
    {"PA04", 4, 2, {TCC(0, 0), NT}},
    {"PA05", 5, 3, {TCC(0, 1), NT}},
    {"PA06", 6, 4, {TCC(1, 0), NT}},
    {"PA07", 7, 5, {TCC(1, 1), NT}},
    {"PA08", 16, 0xFF, {TCC(0, 0), TCC(1, 2)}},
    {"PA09", 17, 0xFF, {TCC(0, 1), TCC(1, 3)}},
    {"PA10", 18, 0xFF, {TCC(1, 0), TCC(0, 2)}},
    {"PA11", 19, 0xFF, {TCC(1, 1), TCC(0, 3)}},
    {"PB10", 0xFF, 0xFF, {TC(5, 0), TCC(0, 4)}},
    {"PB11", 0xFF, 0xFF, {TC(5, 1), TCC(0, 5)}},
    {"PB12", 0xFF, 0xFF, {TC(4, 0), TCC(0, 6)}},
    {"PB13", 0xFF, 0xFF, {TC(4, 1), TCC(0, 7)}},
    {"PB14", 0xFF, 0xFF, {TC(5, 0), NT}},
    {"PB15", 0xFF, 0xFF, {TC(5, 1), NT}},
    {"PA12", 0xFF, 0xFF, {TCC(2, 0), TCC(0, 6)}},
    {"PA13", 0xFF, 0xFF, {TCC(2, 1), TCC(0, 7)}},
    {"PA14", 0xFF, 0xFF, {TC(3, 0), TCC(0, 4)}},
    {"PA15", 0xFF, 0xFF, {TC(3, 1), TCC(0, 5)}},
    {"PA16", 0xFF, 0xFF, {TCC(2, 0), TCC(0, 6)}},
    {"PA17", 0xFF, 0xFF, {TCC(2, 1), TCC(0, 7)}},
    {"PA18", 0xFF, 0xFF, {TC(3, 0), TCC(0, 2)}},
    {"PA19", 0xFF, 0xFF, {TC(3, 1), TCC(0, 3)}},
    {"PB16", 0xFF, 0xFF, {NT, TCC(0, 4)}},
    {"PB17", 0xFF, 0xFF, {NT, TCC(0, 5)}},
    {"PA20", 0xFF, 0xFF, {NT, TCC(0, 6)}},
    {"PA21", 0xFF, 0xFF, {NT, TCC(0, 7)}},
    {"PA22", 0xFF, 0xFF, {TC(4, 0), TCC(0, 4)}},
    {"PA23", 0xFF, 0xFF, {TC(4, 1), TCC(0, 5)}},
    {"PA24", 0xFF, 0xFF, {TC(5, 0), TCC(0, 2)}},
    {"PA25", 0xFF, 0xFF, {TC(5, 1), TCC(1, 3)}},
    {"PB22", 0xFF, 0xFF, {NT, NT}},
    {"PB23", 0xFF, 0xFF, {NT, NT}},
    {"PA27", 0xFF, 0xFF, {NT, NT}},
    {"PA28", 0xFF, 0xFF, {NT, NT}},
    {"PA30", 0xFF, 0xFF, {TCC(1, 0), NT}},
    {"PA31", 0xFF, 0xFF, {TCC(1, 1), NT}},
    {"PB30", 0xFF, 0xFF, {TCC(0, 0), TCC(1, 2)}},
    {"PB31", 0xFF, 0xFF, {TCC(0, 1), TCC(1, 3)}},
    {"PB00", 8, 6, {NT, NT}},
    {"PB01", 9, 7, {NT, NT}},
    {"PB02", 10, 8, {NT, NT}},
    {"PB03", 11, 9, {NT, NT}},
};

static bool samd_pin(const char *name, c9_mcu_pin_t *out) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(samd21_pins); i++) {
        const struct samd_pin *p = &samd21_pins[i];
        if (!strcmp(p->name, name)) {
            *out = (c9_mcu_pin_t){.number = pin_number(name),
                                  .adc = p->adc,
                                  .touch = p->touch,
                                  .dac = !strcmp(name, "PA02"),
                                  .timers = {p->timers[0], p->timers[1], NT}};
            return true;
        }
    }
    return false;
}

#define NOADC 0xFF
#define ADC1(n) (0x20 | (n))

/* The SAMD51J20's pins (the 64-pin package: no PC/PD pins, PB18-21 or PB24-29): ADC input
 * (ADC0's, else ADC1's plus 0x20) and the three timer outputs of the samd-peripherals PIN() table
 * for the D5x, with TC6, TC7 absent on the J. The PTC is not used (no native touchio). */
static const struct samd51_pin {
    char name[5];
    uint8_t adc;
    c9_mcu_timer_t timers[3];
} samd51_pins[] = {
    {"PA00", NOADC, {TC51(2, 0), NT, NT}},
    {"PA01", NOADC, {TC51(2, 1), NT, NT}},
    {"PA02", 0, {NT, NT, NT}},
    {"PA03", 1, {NT, NT, NT}},
    {"PB04", ADC1(6), {NT, NT, NT}},
    {"PB05", ADC1(7), {NT, NT, NT}},
    {"PB06", ADC1(8), {NT, NT, NT}},
    {"PB07", ADC1(9), {NT, NT, NT}},
    {"PB08", 2, {TC51(4, 0), NT, NT}},
    {"PB09", 3, {TC51(4, 1), NT, NT}},
    {"PA04", 4, {TC51(0, 0), NT, NT}},
    {"PA05", 5, {TC51(0, 1), NT, NT}},
    {"PA06", 6, {TC51(1, 0), NT, NT}},
    {"PA07", 7, {TC51(1, 1), NT, NT}},
    {"PA08", 8, {TC51(0, 0), TCC(0, 0), TCC(1, 4)}},
    {"PA09", 9, {TC51(0, 1), TCC(0, 1), TCC(1, 5)}},
    {"PA10", 10, {TC51(1, 0), TCC(0, 2), TCC(1, 6)}},
    {"PA11", 11, {TC51(1, 0), TCC(0, 3), TCC(1, 7)}},
    {"PB10", NOADC, {TC51(5, 0), TCC(0, 4), TCC(1, 0)}},
    {"PB11", NOADC, {TC51(5, 1), TCC(0, 5), TCC(1, 1)}},
    {"PB12", NOADC, {TC51(4, 0), TCC(3, 0), TCC(0, 0)}},
    {"PB13", NOADC, {TC51(4, 1), TCC(3, 1), TCC(0, 1)}},
    {"PB14", NOADC, {TC51(5, 0), TCC(4, 0), TCC(0, 2)}},
    {"PB15", NOADC, {TC51(5, 1), TCC(4, 1), TCC(0, 3)}},
    {"PA12", NOADC, {TC51(2, 0), TCC(0, 6), TCC(1, 2)}},
    {"PA13", NOADC, {TC51(2, 1), TCC(0, 7), TCC(1, 3)}},
    {"PA14", NOADC, {TC51(3, 0), TCC(2, 0), TCC(1, 2)}},
    {"PA15", NOADC, {TC51(3, 1), TCC(2, 1), TCC(1, 3)}},
    {"PA16", NOADC, {TC51(2, 0), TCC(1, 0), TCC(0, 4)}},
    {"PA17", NOADC, {TC51(2, 1), TCC(1, 1), TCC(0, 5)}},
    {"PA18", NOADC, {TC51(3, 0), TCC(1, 2), TCC(0, 6)}},
    {"PA19", NOADC, {TC51(3, 1), TCC(1, 3), TCC(0, 7)}},
    {"PB16", NOADC, {NT, TCC(3, 0), TCC(0, 4)}},
    {"PB17", NOADC, {NT, TCC(3, 1), TCC(0, 5)}},
    {"PA20", NOADC, {NT, TCC(1, 4), TCC(0, 0)}},
    {"PA21", NOADC, {NT, TCC(1, 5), TCC(0, 1)}},
    {"PA22", NOADC, {TC51(4, 0), TCC(1, 6), TCC(0, 2)}},
    {"PA23", NOADC, {TC51(4, 1), TCC(1, 7), TCC(0, 3)}},
    {"PA24", NOADC, {TC51(5, 0), TCC(2, 2), NT}},
    {"PA25", NOADC, {TC51(5, 1), NT, NT}},
    {"PB22", NOADC, {NT, NT, NT}},
    {"PB23", NOADC, {NT, NT, NT}},
    {"PA27", NOADC, {NT, NT, NT}},
    {"PA30", NOADC, {NT, TCC(2, 0), NT}},
    {"PA31", NOADC, {NT, TCC(2, 1), NT}},
    {"PB30", NOADC, {TC51(0, 0), TCC(4, 0), TCC(0, 6)}},
    {"PB31", NOADC, {TC51(0, 1), TCC(4, 1), TCC(0, 7)}},
    {"PB00", 12, {NT, NT, NT}},
    {"PB01", 13, {NT, NT, NT}},
    {"PB02", 14, {NT, TCC(2, 2), NT}},
    {"PB03", 15, {NT, NT, NT}},
};

static bool samd51_pin(const char *name, c9_mcu_pin_t *out) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(samd51_pins); i++) {
        const struct samd51_pin *p = &samd51_pins[i];
        if (!strcmp(p->name, name)) {
            /* DAC0 on PA02, DAC1 on PA05. */
            *out = (c9_mcu_pin_t){.number = pin_number(name),
                                  .adc = p->adc,
                                  .touch = 0xFF,
                                  .dac = !strcmp(name, "PA02") || !strcmp(name, "PA05"),
                                  .timers = {p->timers[0], p->timers[1], p->timers[2]}};
            return true;
        }
    }
    return false;
}

bool c9_mcu_pin(const c9_mcu_t *mcu, const char *name, c9_mcu_pin_t *out) {
    if (!mcu || !name || !out) {
        return false;
    }
    if (mcu->family == C9_MCU_SAMD21) {
        return samd_pin(name, out);
    }
    if (mcu->family == C9_MCU_SAMD51) {
        return samd51_pin(name, out);
    }
    int n = gpio_number(name);
    *out = (c9_mcu_pin_t){.number = (uint8_t)n, .adc = 0xFF, .touch = 0xFF, .timers = {NT, NT, NT}};
    switch (mcu->family) {
    case C9_MCU_ESP32S3:
        if (n < 0 || n > 48 || (n >= 22 && n <= 25)) {
            return false;
        }
        /* ADC1 channels 0-9 on GPIO1-10, ADC2 channels 0-9 on GPIO11-20; touch pads on GPIO1-14. */
        out->adc = n >= 1 && n <= 20 ? (uint8_t)((n - 1) % 10) : 0xFF;
        out->touch = n >= 1 && n <= 14 ? (uint8_t)n : 0xFF;
        return true;
    case C9_MCU_ESP32C6:
        if (n < 0 || n > 30) {
            return false;
        }
        out->adc = n <= 6 ? (uint8_t)n : 0xFF; /* ADC1 channels 0-6 on GPIO0-6 */
        return true;
    case C9_MCU_RP2040:
        if (n < 0 || n > 29) {
            return false;
        }
        out->adc = n >= 26 ? (uint8_t)(n - 26) : 0xFF;
        return true;
    default: return false;
    }
}

uint16_t c9_mcu_adc_value(const c9_mcu_t *mcu, uint32_t mv) {
    switch (mcu ? mcu->family : C9_MCU_RP2040) {
    case C9_MCU_ESP32S3:
    case C9_MCU_ESP32C6: {
        /* The calibration gives millivolts up to where the ADC saturates at 12 dB attenuation;
         * the port scales them to 3.3 V. */
        uint32_t top = mcu->family == C9_MCU_ESP32S3 ? 3100u : 3300u;
        mv = mv > top ? top : mv;
        return (uint16_t)(mv * 65535u / 3300u);
    }
    default: {
        /* An ideal 12-bit conversion against the 3.3 V supply, widened as the ports do. */
        uint32_t raw = mv >= 3300u ? 4095u : mv * 4096u / 3300u;
        raw = raw > 4095u ? 4095u : raw;
        return (uint16_t)((raw << 4) | (raw >> 8));
    }
    }
}

uint32_t c9_mcu_dac_millivolts(const c9_mcu_t *mcu, uint16_t value) {
    /* The DAC is left-adjusted: it takes the top 10 (SAMD21) or 12 (SAMD51) bits of the value;
     * full scale is the 3.3 V supply. */
    switch (mcu ? mcu->family : C9_MCU_ESP32S3) {
    case C9_MCU_SAMD21: return (uint32_t)(value >> 6) * 3300u / 1023u;
    case C9_MCU_SAMD51: return (uint32_t)(value >> 4) * 3300u / 4095u;
    default: return 0;
    }
}
