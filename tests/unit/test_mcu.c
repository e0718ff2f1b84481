/* Unit tests of the microcontroller models: pins' ADC, DAC and touch channels from the chips'
 * datasheets, AnalogIn.value as each CircuitPython port scales it, and PWM timer allocation and
 * timing (frequencies, duty read-back, running out of timers) worked out by hand from the ports'
 * algorithms and the chips' clocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/mcu.h"

static const c9_mcu_t *mcu(const char *name) {
    const c9_mcu_t *m = c9_mcu_find(name);
    assert_non_null(m);
    return m;
}

static c9_mcu_pin_t pin(const c9_mcu_t *m, const char *name) {
    c9_mcu_pin_t p;
    assert_true(c9_mcu_pin(m, name, &p));
    return p;
}

static void test_pins(void **state) {
    (void)state;
    assert_null(c9_mcu_find("ESP8266"));
    assert_ptr_equal(c9_mcu_find("esp32s3"), c9_mcu_find("ESP32S3"));
    const c9_mcu_t *s3 = mcu("ESP32S3"), *c6 = mcu("ESP32C6"), *rp = mcu("rp2040"), *m0 = mcu("samd21g18");
    c9_mcu_pin_t p;
    assert_false(c9_mcu_pin(s3, "GPIO22", &p)); /* the S3 has no GPIO22-25 */
    assert_false(c9_mcu_pin(s3, "GPIO49", &p));
    assert_false(c9_mcu_pin(s3, "GPIO05", &p));
    assert_false(c9_mcu_pin(s3, "PA02", &p));
    p = pin(s3, "GPIO5");
    assert_int_equal(p.adc, 4); /* ADC1 channel 4 */
    assert_int_equal(p.touch, 5);
    assert_false(p.dac);
    assert_int_equal(pin(s3, "GPIO15").adc, 4); /* ADC2 channel 4 */
    assert_int_equal(pin(s3, "GPIO21").adc, 0xFF);
    assert_int_equal(pin(s3, "GPIO15").touch, 0xFF);
    assert_int_equal(pin(c6, "GPIO6").adc, 6);
    assert_int_equal(pin(c6, "GPIO7").adc, 0xFF);
    assert_int_equal(pin(c6, "GPIO3").touch, 0xFF);
    assert_int_equal(pin(rp, "GPIO26").adc, 0);
    assert_int_equal(pin(rp, "GPIO29").adc, 3);
    assert_int_equal(pin(rp, "GPIO25").adc, 0xFF);
    assert_false(c9_mcu_pin(rp, "GPIO30", &p));
    p = pin(m0, "PA02");
    assert_true(p.dac);
    assert_int_equal(p.adc, 0);
    assert_int_equal(p.number, 2);
    assert_false(pin(m0, "PA04").dac);
    assert_int_equal(pin(m0, "PB08").adc, 2);
    assert_int_equal(pin(m0, "PB08").number, 40);
    assert_int_equal(pin(m0, "PA22").adc, 0xFF);
    assert_false(c9_mcu_pin(m0, "GPIO5", &p));
}

static void test_adc_scaling(void **state) {
    (void)state;
    const c9_mcu_t *s3 = mcu("ESP32S3"), *rp = mcu("rp2040"), *m0 = mcu("samd21g18");
    /* ESP32: millivolts * 65535 / 3300, the ADC topping out near 3.1 V on the S3. */
    assert_int_equal(c9_mcu_adc_value(s3, 0), 0);
    assert_int_equal(c9_mcu_adc_value(s3, 1650), 32767);
    assert_int_equal(c9_mcu_adc_value(s3, 3100), 61563);
    assert_int_equal(c9_mcu_adc_value(s3, 3300), 61563);
    assert_int_equal(c9_mcu_adc_value(mcu("ESP32C6"), 3300), 65535);
    /* RP2040/SAMD21: raw = mV * 4096 / 3300 (12 bits), (raw << 4) | (raw >> 8). */
    assert_int_equal(c9_mcu_adc_value(rp, 1650), (2048 << 4) | (2048 >> 8));
    assert_int_equal(c9_mcu_adc_value(rp, 3300), 65535);
    assert_int_equal(c9_mcu_adc_value(m0, 5000), 65535);
    assert_int_equal(c9_mcu_adc_value(m0, 1), (1 << 4)); /* 4096/3300 of a step: raw 1 */
    /* DAC: the SAMD21's ten bits of 3.3 V. */
    assert_int_equal(c9_mcu_dac_millivolts(m0, 65535), 3300);
    assert_int_equal(c9_mcu_dac_millivolts(m0, 32768), 512 * 3300 / 1023);
    assert_int_equal(c9_mcu_dac_millivolts(s3, 65535), 0);
}

static void test_esp32_ledc(void **state) {
    (void)state;
    const c9_mcu_t *s3 = mcu("ESP32S3");
    c9_pwm_state_t st;
    c9_pwm_state_init(&st, s3);
    c9_mcu_pin_t p = pin(s3, "GPIO5");
    c9_pwm_out_t a, b, outs[8];
    /* 500 Hz: 80 MHz / 500 = 160000, top bit 17, capped at 13 bits; divider 5000/256 exactly. */
    assert_int_equal(c9_pwm_open(&st, &p, 500, 32768, false, &a), C9_OK);
    assert_int_equal(a.bits, 13);
    assert_int_equal(c9_pwm_frequency(&st, &a), 500);
    assert_int_equal(c9_pwm_duty(&st, &a), 32768);
    c9_pwm_set_duty(&st, &a, 65535); /* the low three bits are lost */
    assert_int_equal(c9_pwm_duty(&st, &a), 65528);
    /* Same fixed frequency: the same timer. */
    assert_int_equal(c9_pwm_open(&st, &p, 500, 0, false, &b), C9_OK);
    assert_int_equal(b.timer, a.timer);
    assert_int_not_equal(b.channel, a.channel);
    c9_pwm_close(&st, &b);
    /* 1 MHz: 80 MHz / 1 MHz = 80, top bit 6; 80e6*256/(1e6*64) = 320: 80e6*256/64/320 = 1 MHz. */
    assert_int_equal(c9_pwm_open(&st, &p, 1000000, 32768, true, &b), C9_OK);
    assert_int_equal(b.bits, 6);
    assert_int_equal(c9_pwm_frequency(&st, &b), 1000000);
    assert_int_equal(c9_pwm_duty(&st, &b), 32768);
    /* A variable-frequency output never shares its timer: timers 0 (500 Hz), 1 (variable), then
     * two more frequencies fill the four timers. */
    assert_int_not_equal(b.timer, a.timer);
    assert_int_equal(c9_pwm_open(&st, &p, 600, 0, false, &outs[0]), C9_OK);
    assert_int_equal(c9_pwm_open(&st, &p, 700, 0, false, &outs[1]), C9_OK);
    assert_int_equal(c9_pwm_open(&st, &p, 800, 0, false, &outs[2]), C9_ERR_BUSY);
    assert_int_equal(c9_pwm_open(&st, &p, 500, 0, true, &outs[2]), C9_ERR_BUSY); /* variable wants its own */
    /* Eight channels: four are used; four more at 500 Hz, the ninth finds none. */
    for (int i = 2; i < 6; i++) {
        assert_int_equal(c9_pwm_open(&st, &p, 500, 0, false, &outs[i]), C9_OK);
    }
    assert_int_equal(c9_pwm_open(&st, &p, 500, 0, false, &outs[6]), C9_ERR_BUSY);
    /* Changing the variable output's frequency keeps its duty cycle in the new resolution. */
    assert_int_equal(c9_pwm_set_frequency(&st, &b, 2000), C9_OK);
    assert_int_equal(b.bits, 13);
    assert_int_equal(c9_pwm_frequency(&st, &b), 2000);
    assert_int_equal(c9_pwm_duty(&st, &b), 32768);
    c9_pwm_close(&st, &b); /* gives back its channel and, being variable, its timer */
    assert_int_equal(c9_pwm_open(&st, &p, 800, 0, false, &b), C9_OK);
    assert_int_equal(c9_pwm_open(&st, &p, 900, 0, false, &outs[6]), C9_ERR_BUSY); /* four timers busy */
    c9_pwm_close(&st, &outs[1]);                                                  /* 700 Hz was alone on its timer */
    assert_int_equal(c9_pwm_open(&st, &p, 900, 0, false, &outs[6]), C9_OK);
}

static void test_esp32_frequency_limits(void **state) {
    (void)state;
    const c9_mcu_t *s3 = mcu("ESP32S3");
    c9_pwm_state_t st;
    c9_pwm_state_init(&st, s3);
    c9_mcu_pin_t p = pin(s3, "GPIO5");
    c9_pwm_out_t o;
    assert_int_equal(c9_pwm_open(&st, &p, 0, 0, false, &o), C9_ERR_INVAL);
    /* 50 MHz: 80/50 = 1, no duty bit left. */
    assert_int_equal(c9_pwm_open(&st, &p, 50000000, 0, false, &o), C9_ERR_INVAL);
    /* 100 MHz: the port's loop underflows to 13 bits and the timer refuses. */
    assert_int_equal(c9_pwm_open(&st, &p, 100000000, 0, false, &o), C9_ERR_IO);
    /* 1 Hz at 13 bits needs a divider no clock gives. */
    assert_int_equal(c9_pwm_open(&st, &p, 1, 0, false, &o), C9_ERR_IO);
    /* 5 Hz runs from the 17.5 MHz RC clock: divider round(17.5e6*256/(5*8192)) = 109375. */
    assert_int_equal(c9_pwm_open(&st, &p, 5, 0, false, &o), C9_OK);
    assert_int_equal(c9_pwm_frequency(&st, &o), 5);
    /* Nothing was taken by the failures. */
    for (int i = 0; i < 3; i++) {
        c9_pwm_out_t more;
        assert_int_equal(c9_pwm_open(&st, &p, 1000 + (uint32_t)i, 0, false, &more), C9_OK);
    }
}

static void test_rp2040_slices(void **state) {
    (void)state;
    const c9_mcu_t *rp = mcu("rp2040");
    c9_pwm_state_t st;
    c9_pwm_state_init(&st, rp);
    c9_mcu_pin_t gp0 = pin(rp, "GPIO0"), gp1 = pin(rp, "GPIO1"), gp16 = pin(rp, "GPIO16");
    c9_pwm_out_t a, b, c;
    /* 50 kHz: top = 125e6 / 50000 - 1 = 2499; duty 32768 -> (32768 * 2499 + 32767) / 65534 = 1250. */
    assert_int_equal(c9_pwm_open(&st, &gp0, 50000, 32768, false, &a), C9_OK);
    assert_int_equal(a.top, 2499);
    assert_int_equal(a.compare, 1250);
    assert_int_equal(c9_pwm_frequency(&st, &a), 50000);
    assert_int_equal(c9_pwm_duty(&st, &a), 32768); /* RP2040 reads back what was set */
    /* GP1 is channel B of the same slice: another fixed frequency is refused, the same shares. */
    assert_int_equal(c9_pwm_open(&st, &gp1, 60000, 0, false, &b), C9_ERR_INVAL);
    assert_int_equal(c9_pwm_open(&st, &gp1, 50000, 0, true, &b), C9_ERR_MCU_VARIABLE_FREQUENCY);
    assert_int_equal(c9_pwm_open(&st, &gp1, 50000, 65535, false, &b), C9_OK);
    assert_int_equal(b.compare, 2500);                                          /* 100%: TOP + 1 */
    assert_int_equal(c9_pwm_open(&st, &gp1, 50000, 0, false, &c), C9_ERR_BUSY); /* channel taken */
    /* GP16 is slice 0 channel A again ((16 >> 1) & 7 = 0): taken. */
    assert_int_equal(c9_pwm_open(&st, &gp16, 50000, 0, false, &c), C9_ERR_BUSY);
    c9_pwm_close(&st, &a);
    c9_pwm_close(&st, &b);
    /* 1 kHz is below 125e6/65536: divider in sixteenths, round(30517 / 1000) = 31,
     * (30517 + 15) / 31 = 984 Hz as the port computes it. */
    assert_int_equal(c9_pwm_open(&st, &gp16, 1000, 0, true, &c), C9_OK);
    assert_int_equal(c9_pwm_frequency(&st, &c), 984);
    assert_int_equal(c.top, 65534);
    assert_int_equal(c9_pwm_open(&st, &gp1, 1000, 0, false, &b), C9_ERR_BUSY); /* a variable slice is not shared */
    assert_int_equal(c9_pwm_set_frequency(&st, &c, 100000), C9_OK);
    assert_int_equal(c9_pwm_frequency(&st, &c), 100000);
    assert_int_equal(c9_pwm_open(&st, &gp0, 0, 0, false, &a), C9_ERR_INVAL);
    assert_int_equal(c9_pwm_open(&st, &gp0, 62500001, 0, false, &a), C9_ERR_INVAL);
    assert_int_equal(c9_pwm_set_frequency(&st, &c, 62500001), C9_ERR_INVAL);
}

static void test_samd21_timers(void **state) {
    (void)state;
    const c9_mcu_t *m0 = mcu("samd21g18");
    c9_pwm_state_t st;
    c9_pwm_state_init(&st, m0);
    c9_mcu_pin_t pa15 = pin(m0, "PA15"), pa14 = pin(m0, "PA14"), pa02 = pin(m0, "PA02"), pa18 = pin(m0, "PA18");
    c9_pwm_out_t a, b, c;
    assert_int_equal(c9_pwm_open(&st, &pa02, 500, 0, false, &a), C9_ERR_NOTSUP);
    /* Fixed 500 Hz on PA15: its TCC entry (TCC0 wave 5, channel 1) first; 24 bits take
     * 48e6 / 500 - 1 = 95999 without a prescaler. */
    assert_int_equal(c9_pwm_open(&st, &pa15, 500, 32768, false, &a), C9_OK);
    assert_false(a.is_tc);
    assert_int_equal(a.timer, 0);
    assert_int_equal(c9_pwm_frequency(&st, &a), 500);
    assert_int_equal(a.compare, 48000);            /* 95999 * 32768 / 65535 */
    assert_int_equal(c9_pwm_duty(&st, &a), 32767); /* 48000 * 65535 / 95999, rounded down */
    /* PA14 is TCC0 wave 4 = channel 0, free: shares TCC0 at the same frequency. */
    assert_int_equal(c9_pwm_open(&st, &pa14, 500, 0, false, &b), C9_OK);
    assert_int_equal(b.timer, 0);
    assert_false(b.is_tc);
    c9_pwm_close(&st, &b);
    /* Variable on PA14 goes to its TC (TC3 wave 0): a TC's wave 0 sets the period, unusable;
     * then TCC0, which is running: nothing left. */
    assert_int_equal(c9_pwm_open(&st, &pa14, 500, 0, true, &b), C9_ERR_BUSY);
    /* Variable on PA18: TC3 wave 0 no, TCC0 busy; refused as well. */
    assert_int_equal(c9_pwm_open(&st, &pa18, 1000, 0, true, &b), C9_ERR_BUSY);
    c9_pwm_close(&st, &a);
    /* With TCC0 free, variable on PA15 takes TC3 (wave 1): 16 bits need prescaler 2 at 500 Hz:
     * 48e6 / 2 / 500 - 1 = 47999. */
    assert_int_equal(c9_pwm_open(&st, &pa15, 500, 65535, true, &c), C9_OK);
    assert_true(c.is_tc);
    assert_int_equal(c9_pwm_frequency(&st, &c), 500);
    assert_int_equal(c9_pwm_duty(&st, &c), 65535);
    assert_int_equal(c9_pwm_set_frequency(&st, &c, 20000), C9_OK); /* 48e6 / 20000 - 1 = 2399 */
    assert_int_equal(c9_pwm_frequency(&st, &c), 20000);
    assert_int_equal(c9_pwm_duty(&st, &c), 65535);
    /* A variable output on a TCC takes every channel; closing it gives them back. */
    assert_int_equal(c9_pwm_open(&st, &pa18, 1000, 0, true, &b), C9_OK);
    assert_false(b.is_tc);
    assert_int_equal(c9_pwm_open(&st, &pa14, 1000, 0, false, &a), C9_ERR_BUSY);
    c9_pwm_close(&st, &b);
    assert_int_equal(c9_pwm_open(&st, &pa14, 1000, 0, false, &a), C9_OK);
}

/* The SAMD51J20 as CircuitPython's atmel-samd port drives it: 120 MHz timer clock, TC0-TC5,
 * TCC0-TCC4 with 6/4/3/2/2 channels, three timer entries a pin, two DACs of 12 bits. */
static void test_samd51(void **state) {
    (void)state;
    const c9_mcu_t *m4 = mcu("samd51j20");
    assert_false(m4->native_touch);
    c9_mcu_pin_t pa02 = pin(m4, "PA02"), pa05 = pin(m4, "PA05"), pa04 = pin(m4, "PA04"), pb04 = pin(m4, "PB04");
    assert_true(pa02.dac);
    assert_true(pa05.dac);
    assert_false(pa04.dac);
    assert_int_equal(pa04.adc, 4);
    assert_int_not_equal(pb04.adc, 0xFF); /* on ADC1 only */
    assert_int_equal(pin(m4, "PB22").adc, 0xFF);
    c9_mcu_pin_t none;
    assert_false(c9_mcu_pin(m4, "PC00", &none)); /* not on the 64-pin J */
    assert_false(c9_mcu_pin(m4, "PB18", &none));
    /* The DAC takes the top 12 bits of the value. */
    assert_int_equal(c9_mcu_dac_millivolts(m4, 32768), 2048u * 3300u / 4095u);
    assert_int_equal(c9_mcu_dac_millivolts(m4, 0xFFFF), 3300);
    assert_int_equal(c9_mcu_adc_value(m4, 3300), 0xFFFF);

    c9_pwm_state_t st;
    c9_pwm_state_init(&st, m4);
    c9_pwm_out_t a, b, c, d;
    c9_mcu_pin_t pb23 = pin(m4, "PB23"), pb31 = pin(m4, "PB31"), pb30 = pin(m4, "PB30"), pa16 = pin(m4, "PA16");
    assert_int_equal(c9_pwm_open(&st, &pb23, 500, 0, false, &a), C9_ERR_NOTSUP); /* TC7 only: not on the J */
    /* PA04's only timer is TC0 wave 0, which sets a TC's period. */
    assert_int_equal(c9_pwm_open(&st, &pa04, 1000, 0, false, &a), C9_ERR_BUSY);
    /* PA05: TC0 wave 1, 16 bits: 120e6 / 1000 - 1 does not fit, prescaler 2 gives 59999. */
    assert_int_equal(c9_pwm_open(&st, &pa05, 1000, 32768, false, &a), C9_OK);
    assert_true(a.is_tc);
    assert_int_equal(a.timer, 0);
    assert_int_equal(c9_pwm_frequency(&st, &a), 1000);
    assert_int_equal(a.compare, (uint32_t)(59999ull * 32768 / 65535));
    /* PB31's entries are TC0 (taken), TCC4, TCC0 wave 7: a fixed frequency looks at the last first,
     * TCC0 channel 7 % 6 = 1; 24 bits hold 120e6 / 500 - 1 = 239999. */
    assert_int_equal(c9_pwm_open(&st, &pb31, 500, 0, false, &b), C9_OK);
    assert_false(b.is_tc);
    assert_int_equal(b.timer, 0);
    assert_int_equal(c9_pwm_frequency(&st, &b), 500);
    /* PB30 (TCC0 wave 6: channel 0) and PA16 (TCC0 wave 4: channel 4) share TCC0 at 500 Hz. */
    assert_int_equal(c9_pwm_open(&st, &pb30, 500, 0, false, &c), C9_OK);
    assert_int_equal(c.timer, 0);
    assert_int_equal(c9_pwm_open(&st, &pa16, 500, 0, false, &d), C9_OK);
    assert_int_equal(d.timer, 0);
    assert_false(d.is_tc);
    c9_pwm_close(&st, &d);
    /* At another frequency PA16 takes TCC1 (wave 0) rather than its TC2. */
    assert_int_equal(c9_pwm_open(&st, &pa16, 2000, 0, false, &d), C9_OK);
    assert_false(d.is_tc);
    assert_int_equal(d.timer, 1);
    assert_int_equal(c9_pwm_frequency(&st, &d), 2000);
    assert_int_equal(c9_pwm_open(&st, &pa02, 500, 0, false, &a), C9_ERR_NOTSUP);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pins),          cmocka_unit_test(test_adc_scaling),
        cmocka_unit_test(test_esp32_ledc),    cmocka_unit_test(test_esp32_frequency_limits),
        cmocka_unit_test(test_rp2040_slices), cmocka_unit_test(test_samd21_timers),
        cmocka_unit_test(test_samd51),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
