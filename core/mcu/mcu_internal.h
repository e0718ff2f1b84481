/* What mcu.c and pwm.c share: the SAMD chips' timer facts. */
#ifndef C9_MCU_INTERNAL_H
#define C9_MCU_INTERNAL_H

#include "circuit9/mcu.h"

#define C9_SAMD21_TC_COUNT 3  /* TC3, TC4, TC5 on the G18 */
#define C9_SAMD21_TCC_COUNT 3 /* TCC0..TCC2 */
#define C9_SAMD51_TC_COUNT 6  /* TC0..TC5 on the J20 (TC6, TC7 only on the larger packages) */
#define C9_SAMD51_TCC_COUNT 5 /* TCC0..TCC4 */
#define C9_MCU_NO_TIMER 0xF

#endif
