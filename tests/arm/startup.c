/* Start-up of a unit test or benchmark on an emulated MPS2 board (qemu-system-arm): the vector
 * table the core reads at reset, the FPU switched on, then newlib's crt0 (which asks the host for
 * argc/argv and the heap through semihosting, runs main and exits with its status). A fault ends
 * the program with a failure instead of hanging. */
#include <stdint.h>

void _start(void);           /* newlib's rdimon crt0 */
extern uint32_t __stack_top; /* mps2.ld */

static void on_reset(void) {
#if defined(__ARM_FP)
    /* CP10 and CP11 full access: the FPU is off after reset. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    _start();
}

static void on_fault(void) {
    static const char msg[] = "\nfault: the program stopped on a processor exception\n";
    /* SYS_WRITE0 to the host's stderr-equivalent console, then SYS_EXIT with a run-time error. */
    register uint32_t r0 __asm("r0") = 0x04;
    register const void *r1 __asm("r1") = msg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    register uint32_t e0 __asm("r0") = 0x18;
    register uint32_t e1 __asm("r1") = 0x20023; /* ADP_Stopped_RunTimeErrorUnknown */
    __asm volatile("bkpt 0xab" : "+r"(e0) : "r"(e1) : "memory");
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top,           (const void *)on_reset, (const void *)on_fault, (const void *)on_fault,
    (const void *)on_fault, (const void *)on_fault, (const void *)on_fault,
};
