/*
 * fw_m4.c: start-up and console of the firmware example on a Cortex-M
 * (QEMU's mps2-an386, a Cortex-M4 board): the vector table, a reset
 * handler that lays out RAM and calls fw_search(), and output and exit
 * over ARM semihosting (a BKPT 0xAB the debugger, here QEMU, serves).
 */
#include <stdint.h>
#include <string.h>

#include "fw_search.h"

/* From fw_m4.ld. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

#define SYS_OPEN                     0x01
#define SYS_WRITE                    0x05
#define SYS_EXIT                     0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUN_TIME_ERROR   0x20023

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* The console's handle: ":tt" opened for writing (mode 4, "w"). */
static int console = -1;

void fw_out(const char *s, size_t n)
{
    if (console < 0) {
        static const char tt[] = ":tt";
        const uintptr_t open_args[3] = {(uintptr_t)tt, 4, sizeof tt - 1};
        console = semihost(SYS_OPEN, open_args);
    }
    const uintptr_t args[3] = {(uintptr_t)console, (uintptr_t)s, n}; /* handle, buffer, length */
    semihost(SYS_WRITE, args);
}

static void stop(int failed)
{
    semihost(SYS_EXIT, (const void *)(uintptr_t)(failed ? ADP_STOPPED_RUN_TIME_ERROR
                                                        : ADP_STOPPED_APPLICATION_EXIT));
    for (;;)
        ;
}

/* The stack painted below fw_stack_paint()'s frame: 16 KB, far more
 * than any call takes and far less than the RAM between the bss and the
 * stack's top.  Painting writes below the stack pointer, which nothing
 * else uses: the example takes no interrupt. */
#define PAINT_WORDS 4096u
#define PAINT       0x5354454Cu /* "STEL" */
static uint32_t *paint_top;

void fw_stack_paint(void)
{
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    paint_top = sp;
    for (volatile uint32_t *w = sp - PAINT_WORDS; w < sp; w++)
        *w = PAINT;
}

size_t fw_stack_used(void)
{
    const volatile uint32_t *w = paint_top - PAINT_WORDS;
    while (w < paint_top && *w == PAINT)
        w++;
    return (size_t)((const char *)paint_top - (const char *)w);
}

void fw_reset(void);
void fw_fault(void);

void fw_reset(void)
{
    memcpy(_sdata, _sidata, (size_t)((char *)_edata - (char *)_sdata));
    memset(_sbss, 0, (size_t)((char *)_ebss - (char *)_sbss));
    stop(fw_search(NULL, NULL));
}

void fw_fault(void)
{
    static const char msg[] = "fault\n";
    fw_out(msg, sizeof msg - 1);
    stop(1);
}

/* Initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault
 * and UsageFault, all of which stop with an error. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
    (void (*)(void))_estack, fw_reset, fw_fault, fw_fault, fw_fault, fw_fault, fw_fault,
};
