/* The virtual board's hardware around the interpreter: the memory budget native buffers come
 * from, and the built-in display's panel (wired to the board pins, screenshot, window). */
#ifndef C9_SUP_BOARD_HW_H
#define C9_SUP_BOARD_HW_H

#include "circuit9/board.h"

#include <stdbool.h>
#include <stddef.h>

/* Sets c9py_runtime_allocator to a budget of the board's SRAM and PSRAM. 0 or -1. */
int board_memory_init(const c9_board_t *b);
size_t board_memory_free(void);
size_t board_memory_used(void);

/* Creates the panel the built-in display talks to and wires it to the board's pins; opens a
 * window on it when window is true and a display server is present. Returns 0 when the board
 * has a panel, 1 when it has no display, -1 when the host port is missing. */
int board_panel_init(const c9_board_t *b, bool window);
/* Writes what the panel's glass shows to a PNG. 0, or -1 with a message on stderr. */
int board_panel_screenshot(const char *path);
#endif
