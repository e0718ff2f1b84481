/* Safe mode's messages and safemode.py, and boot.py with its output in boot_out.txt
 * (CircuitPython's main.c, safe_mode.c). */
#define _GNU_SOURCE
#include "run_internal.h"

#include "console.h"
#include "storage/storage.h"
#include "vfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *safe_mode_message(int reason, bool *crash) {
    *crash = false;
    switch (reason) {
    case C9RT_SAFE_BROWNOUT: return "Power dipped. Make sure you are providing enough power.";
    case C9RT_SAFE_USER: return "You pressed the reset button during boot.";
    case C9RT_SAFE_NO_CIRCUITPY: return "CIRCUITPY drive could not be found or created.";
    case C9RT_SAFE_PROGRAMMATIC: return "The `microcontroller` module was used to boot into safe mode.";
    case C9RT_SAFE_SAFEMODE_PY_ERROR: return "Error in safemode.py.";
    case C9RT_SAFE_STACK_OVERFLOW: return "Stack overflow. Increase stack size.";
    case C9RT_SAFE_USB_TOO_MANY_ENDPOINTS: return "USB devices need more endpoints than are available.";
    case C9RT_SAFE_USB_TOO_MANY_INTERFACE_NAMES: return "USB devices specify too many interface names.";
    case C9RT_SAFE_USB_BOOT_DEVICE_NOT_INTERFACE_ZERO: return "Boot device must be first (interface #0).";
    case C9RT_SAFE_WATCHDOG: return "Internal watchdog timer expired.";
    default: break;
    }
    *crash = true;
    switch (reason) {
    case C9RT_SAFE_GC_ALLOC_OUTSIDE_VM: return "Heap allocation when VM not running.";
    case C9RT_SAFE_FLASH_WRITE_FAIL: return "Failed to write internal flash.";
    case C9RT_SAFE_HARD_FAULT: return "Hard fault: memory access or instruction error.";
    case C9RT_SAFE_INTERRUPT_ERROR: return "Interrupt error.";
    case C9RT_SAFE_NLR_JUMP_FAIL: return "NLR jump failed. Likely memory corruption.";
    case C9RT_SAFE_NO_HEAP: return "Unable to allocate to the heap.";
    case C9RT_SAFE_SDK_FATAL_ERROR: return "Third-party firmware fatal error.";
    default: return "Unknown reason.";
    }
}

void run_print_safe_mode_message(int reason) {
    if (reason == C9RT_SAFE_NONE) {
        return;
    }
    console_cookeds("\nYou are in safe mode because:\n");
    bool crash;
    const char *msg = safe_mode_message(reason, &crash);
    if (crash) {
        console_cookeds("CircuitPython core code crashed hard. Whoops!\n");
        console_cookeds(msg);
        console_cookeds("\nPlease file an issue with your program at github.com/adafruit/circuitpython/issues.");
    } else {
        console_cookeds(msg);
    }
    console_cookeds("\nPress reset to exit safe mode.\n");
}

void run_safemode_py(void) {
    if (c9rt.safe_mode == C9RT_SAFE_NONE || c9rt.safe_mode == C9RT_SAFE_USER) {
        return;
    }
    run_vm_start();
    static const char *const names[] = {"safemode.py", "safemode.txt"};
    int rc = run_maybe_run_list(names, 2, false);
    if (rc == EXEC_EXCEPTION) {
        c9rt.safe_mode = C9RT_SAFE_SAFEMODE_PY_ERROR;
    }
    run_vm_cleanup();
}

void run_boot_py(void) {
    run_vm_start();
    /* USB's defaults come before boot.py (which may change them) and USB starts after it, safe
     * mode or not (CircuitPython's usb_set_defaults() and usb_setup_with_vm()). */
    c9rt_usb_cdc_set_defaults();
    if (c9rt.safe_mode != C9RT_SAFE_NONE) {
        c9rt_usb_cdc_connect();
        return;
    }
    console_capture_start();
    char line[512];
    const c9_board_t *b = c9rt.board;
    snprintf(line, sizeof line, "%s\nBoard ID:%s\nUID:", run_version_info, b->board_id);
    console_cookeds(line);
    for (int i = 0; i < b->uid_len; i++) {
        snprintf(line, sizeof line, "%02X", b->uid[i]);
        console_cookeds(line);
    }
    console_cookeds("\n");
    static const char *const names[] = {"boot.py", "boot.txt"};
    c9rt.in_boot_py = true;
    run_maybe_run_list(names, 2, false);
    c9rt.in_boot_py = false;
    size_t len;
    char *text = console_capture_stop(&len);
    /* Rewritten only when the content changed, to spare the flash. */
    PyObject *old = c9rt_vfs_read_file("/boot_out.txt");
    bool write = !old || (size_t)PyBytes_GET_SIZE(old) != len || memcmp(PyBytes_AS_STRING(old), text, len) != 0;
    Py_XDECREF(old);
    PyErr_Clear();
    if (write && c9py_vfs_drive_write("/boot_out.txt", text, len) < 0) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *msg = v ? PyObject_Str(v) : NULL;
        fprintf(stderr, "circuit9: cannot write boot_out.txt: %s\n", msg ? PyUnicode_AsUTF8(msg) : "?");
        Py_XDECREF(msg);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_Clear();
    }
    free(text);
    run_vm_cleanup();
    c9rt_usb_cdc_connect();
}
