/* The board's memory around the interpreter: the budget native buffers come from. (The machine
 * itself, pins, panels, window, is the port's: circuit9/port.h.) */
#ifndef C9_SUP_BOARD_HW_H
#define C9_SUP_BOARD_HW_H

#include "circuit9/board.h"

#include <stdbool.h>
#include <stddef.h>

/* Sets c9py_runtime_allocator to a budget of the board's SRAM and PSRAM. 0 or -1. */
int board_memory_init(const c9_board_t *b);
size_t board_memory_free(void);
size_t board_memory_used(void);

#endif
