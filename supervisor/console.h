/*
 * The board's serial console: stdio or a pseudo-terminal. A reader thread owns the input side;
 * Ctrl-C while code runs becomes a KeyboardInterrupt, every other byte is queued for the REPL,
 * input() and "press any key". Output follows CircuitPython's bytes on a terminal (CR LF line
 * ends, line-clear sequences) and plain lines on a pipe or file. Everything written also goes to
 * the built-in display's terminal (CIRCUITPYTHON_TERMINAL), in CircuitPython's bytes.
 */
#ifndef C9_SUP_CONSOLE_H
#define C9_SUP_CONSOLE_H

#include "c9py.h"

#include <stdbool.h>
#include <stddef.h>

/* Opens the console. pty: create a pseudo-terminal and print its path on stderr (as
 * "circuit9: serial console on /dev/pts/N"). Returns 0 or -1 (message printed). */
int console_open(bool pty);
void console_close(void);

/* Output. raw: bytes as given ("\r\n" written by the supervisor itself); cooked: text whose
 * "\n" becomes "\r\n" on a terminal (MicroPython's cooked stdout). Both go to the boot_out.txt
 * capture when it is on. */
void console_raw(const char *s);
void console_cooked(const char *s, size_t len);
void console_cookeds(const char *s);
/* Bytes for the serial side only, exactly as given (usb_cdc.console.write): no line-end cooking,
 * not on the display, not captured for boot_out.txt (on a board they wait for USB). */
void console_serial_write(const char *s, size_t len);
/* Bytes for the display's terminal only (the status bar's OSC title), never serial or capture. */
void console_display(const char *s, size_t len);
/* CircuitPython's "\x1b[2K\x1b[0G", sent to terminals (and the display) only and never captured. */
void console_line_clear(void);

/* Captures output for boot_out.txt (capped at 508 bytes with "...\n", as CircuitPython) instead
 * of sending it: boot.py runs before the USB serial port exists. */
void console_capture_start(void);
/* Stops capturing; returns the captured text (malloc'd, NUL-terminated) and its length. */
char *console_capture_stop(size_t *len);

/* Input. Returns a byte, or -1 when nothing arrived within timeout_ms (-1 waits forever; the
 * wait ends early, returning -2, when *wake becomes true). Called with the GIL held; the GIL
 * is released while waiting. */
int console_getc(int timeout_ms, volatile bool *wake);
size_t console_available(void);
/* Drops the input queued and not read yet (usb_cdc.console.reset_input_buffer()). */
void console_clear_input(void);
/* Input from elsewhere than the serial port (a USB keyboard on the host port), treated as if it
 * had been typed: Ctrl-C interrupts while code runs. Any thread; must not be called with the
 * console's own lock held. */
void console_inject(const char *bytes, size_t len);
/* Ctrl-C while code runs interrupts it (KeyboardInterrupt); off: Ctrl-C is an ordinary byte. */
void console_set_interrupt(bool on);
/* True when stdin reached end of file (stdio console fed from a pipe). */
bool console_eof(void);

/* Python objects for sys.stdout / sys.stderr / sys.stdin under `circuit9 run`. */
PyObject *console_stdout_new(void);
PyObject *console_stdin_new(void);

#endif
