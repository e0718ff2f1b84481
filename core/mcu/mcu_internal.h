/* What mcu.c and pwm.c share: SAMD21's timer facts. */
#ifndef C9_MCU_INTERNAL_H
#define C9_MCU_INTERNAL_H

#include "circuit9/mcu.h"

#define C9_SAMD21_TC_COUNT 3  /* TC3, TC4, TC5 on the G18 */
#define C9_SAMD21_TCC_COUNT 3 /* TCC0..TCC2 */
#define C9_MCU_NO_TIMER 0xF

#endif
