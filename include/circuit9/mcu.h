/*
 * circuit9 microcontroller models: what the chips CircuitPython 9 runs on can do with a pin, as
 * their CircuitPython ports use them. Which pins have an ADC, a DAC or a touch channel; how a
 * voltage becomes AnalogIn.value; and how pwmio gets a PWM timer: the ESP32's LEDC (timers shared
 * by frequency, duty resolution from the frequency), the RP2040's slices (two channels fixed by
 * the pin), the SAMD21's and SAMD51's TC and TCC timers (each pin on up to two or three of them). A port on the real
 * chip does what these functions describe in hardware; the virtual board runs them.
 *
 * Nothing here allocates or touches hardware; a PWM allocator is a plain struct the caller keeps
 * (one per machine).
 *
 *     const c9_mcu_t *mcu = c9_mcu_find("ESP32S3");
 *     c9_mcu_pin_t pin;
 *     c9_mcu_pin(mcu, "GPIO5", &pin);
 *     c9_pwm_state_t timers;
 *     c9_pwm_state_init(&timers, mcu);
 *     c9_pwm_out_t out;
 *     c9_pwm_open(&timers, &pin, 500, 32768, false, &out);   // c9_pwm_frequency(&timers, &out) ...
 */
#ifndef CIRCUIT9_MCU_H
#define CIRCUIT9_MCU_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum c9_mcu_family {
    C9_MCU_ESP32S3 = 0,
    C9_MCU_ESP32C6 = 1,
    C9_MCU_RP2040 = 2,
    C9_MCU_SAMD21 = 3,
    C9_MCU_SAMD51 = 4,
} c9_mcu_family_t;

/* Errors: C9_ERR_MCU_* of common.h's table, each one of CircuitPython's messages. */

/* One of a SAMD pin's timer outputs (its PIN() table entry). */
typedef struct c9_mcu_timer {
    uint8_t index; /* SAMD21 TC: 0 for TC3 .. 2 for TC5; SAMD51 TC: 0..5 for TC0..TC5; TCC: its number; 0xF: none */
    bool is_tc;
    uint8_t wave_output;
} c9_mcu_timer_t;

typedef struct c9_mcu_pin {
    uint8_t number;           /* GPIOn's n; SAMD: port * 32 + pin (PB02 is 34) */
    uint8_t adc;              /* ADC channel, 0xFF: none */
    uint8_t touch;            /* touch channel (ESP32 touch pad, SAMD Y line), 0xFF: none */
    bool dac;                 /* has a DAC output */
    c9_mcu_timer_t timers[3]; /* SAMD21 (two), SAMD51 (three) */
} c9_mcu_pin_t;

typedef struct c9_mcu {
    const char *name; /* the board's MCU name: "ESP32S3", "ESP32C6", "rp2040", "samd21g18", "samd51j20" */
    uint8_t family;   /* c9_mcu_family_t */
    uint32_t cpu_hz;  /* the clock its CircuitPython port runs PWM timers from */
    /* touchio: true when the chip senses touch in hardware (ESP32-S3 touch pads, SAMD21 PTC);
     * false: CircuitPython's software touch on any pin (RP2040), which needs a pull-down
     * resistor; chips without touchio in their module list never get asked. */
    bool native_touch;
    /* microcontroller.nvm: its size (CircuitPython's CIRCUITPY_INTERNAL_NVM_SIZE for the chip)
     * and what bytes never written read as (flash erased to 0xFF; the ESP32s' NVS blob, not yet
     * written, reads as zeros). */
    uint32_t nvm_size;
    uint8_t nvm_erased;
} c9_mcu_t;

/* By the board's MCU name (case-insensitive); NULL when there is no model of it. */
const c9_mcu_t *c9_mcu_find(const char *name);
/* A pin of the chip by its microcontroller name ("GPIO5", "PA08"). false when the chip has no
 * such pin. */
bool c9_mcu_pin(const c9_mcu_t *mcu, const char *name, c9_mcu_pin_t *out);

/* AnalogIn.value for a voltage on the pin, as the chip's CircuitPython port scales it: on the
 * ESP32s the calibrated millivolts (the ADC reads no higher than about 3.1 V on the S3) times
 * 65535 / 3300; on RP2040, SAMD21 and SAMD51 the 12-bit conversion of 0..3.3 V widened to 16
 * bits ((raw << 4) | (raw >> 8)). */
uint16_t c9_mcu_adc_value(const c9_mcu_t *mcu, uint32_t millivolts);
/* The millivolts a DAC puts out for AnalogOut.value (SAMD21: the top 10 bits of 3.3 V, SAMD51:
 * the top 12). 0 when the chip has no DAC. */
uint32_t c9_mcu_dac_millivolts(const c9_mcu_t *mcu, uint16_t value);

/* ---- PWM ------------------------------------------------------------------------------------- */

#define C9_PWM_MAX_TIMERS 8

/* The chip's PWM timers: which are taken, at which frequency. One per machine, zeroed by
 * c9_pwm_state_init(). */
typedef struct c9_pwm_state {
    const c9_mcu_t *mcu;
    /* ESP32 LEDC */
    uint32_t timer_frequency[C9_PWM_MAX_TIMERS]; /* 0: free */
    bool timer_variable[C9_PWM_MAX_TIMERS];
    uint8_t channel_timer[C9_PWM_MAX_TIMERS]; /* 0xFF: free channel */
    /* RP2040 slices */
    uint32_t slice_frequency[C9_PWM_MAX_TIMERS]; /* target frequency, 0: unused */
    uint32_t channel_use;                        /* bit slice * 2 + channel */
    uint8_t slice_variable;                      /* bit per slice */
    /* SAMD21 TC3..TC5 and TCC0..TCC2; SAMD51 TC0..TC5 and TCC0..TCC4 */
    bool tc_enabled[6], tcc_enabled[5];
    uint8_t tc_prescaler[6], tcc_prescaler[5]; /* index into the prescaler table */
    uint32_t tc_period[6], tcc_period[5];
    uint32_t tcc_frequency[5];
    uint8_t tcc_refcount[5];
    uint8_t tcc_channels[5]; /* bits of channels in use (the ones the TCC lacks start set) */
} c9_pwm_state_t;

/* One PWMOut. */
typedef struct c9_pwm_out {
    uint8_t timer;   /* LEDC timer, RP2040 slice, SAMD TC/TCC index */
    uint8_t channel; /* LEDC channel, RP2040 A/B, SAMD wave output */
    bool is_tc;      /* SAMD */
    bool variable_frequency;
    uint8_t bits;     /* LEDC duty resolution */
    uint16_t duty;    /* what the program set (RP2040, SAMD21 keep it for a frequency change) */
    uint32_t compare; /* the compare register: counts of the period the output is high */
    uint32_t top;     /* RP2040: wrap value */
    uint32_t actual;  /* the frequency the timer runs at */
    uint32_t divider; /* LEDC: clock divider in 1/256; RP2040: clkdiv in 1/16 */
} c9_pwm_out_t;

void c9_pwm_state_init(c9_pwm_state_t *st, const c9_mcu_t *mcu);
/* Takes a timer and channel for the pin at frequency (pwmio.PWMOut's constructor).
 * @retval C9_OK
 * @retval C9_ERR_NOTSUP   the pin has no PWM output ("Invalid pin")
 * @retval C9_ERR_INVAL    frequency 0, above half the CPU clock (RP2040, SAMD) or too high for
 *                         one bit of duty resolution (ESP32) ("Invalid frequency"); also a fixed
 *                         frequency that differs from the one the pin's RP2040 slice runs at
 * @retval C9_ERR_MCU_VARIABLE_FREQUENCY  RP2040: variable frequency on a slice already running
 * @retval C9_ERR_BUSY     no timer or channel left ("Internal resource(s) in use")
 * @retval C9_ERR_IO       the timer cannot be set to the frequency (ESP32 below ~2 Hz:
 *                         "Internal error") */
c9_err_t c9_pwm_open(c9_pwm_state_t *st, const c9_mcu_pin_t *pin, uint32_t frequency, uint16_t duty,
                     bool variable_frequency, c9_pwm_out_t *out);
void c9_pwm_close(c9_pwm_state_t *st, c9_pwm_out_t *out);
void c9_pwm_set_duty(c9_pwm_state_t *st, c9_pwm_out_t *out, uint16_t duty);
/* PWMOut.duty_cycle as the port reads it back: ESP32 the compare value shifted back up (the low
 * bits lost), RP2040 what was set, SAMD the compare value scaled back (rounded down). */
uint16_t c9_pwm_duty(const c9_pwm_state_t *st, const c9_pwm_out_t *out);
/* Changes the frequency of a variable-frequency output, keeping the duty cycle.
 * @retval C9_OK  @retval C9_ERR_INVAL  frequency out of range (as c9_pwm_open)  @retval C9_ERR_IO */
c9_err_t c9_pwm_set_frequency(c9_pwm_state_t *st, c9_pwm_out_t *out, uint32_t frequency);
/* PWMOut.frequency: the frequency the timer really runs at. */
uint32_t c9_pwm_frequency(const c9_pwm_state_t *st, const c9_pwm_out_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_MCU_H */
