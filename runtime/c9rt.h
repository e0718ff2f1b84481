/*
 * The state a running virtual board shares between the supervisor (the `circuit9 run` loop)
 * and the modules user code sees (supervisor, os, storage, gc, board, time).
 *
 * The supervisor fills it in before boot.py runs; the modules read it and post requests
 * (supervisor.reload(), set_next_code_file(), microcontroller.reset()) that the supervisor acts
 * on between runs. In the Python package nothing is set: `root` is empty, paths are the host's
 * own, settings.toml is read from the current directory and there is no memory budget.
 *
 * Everything here is touched with the GIL held, except the fields marked "any thread".
 */
#ifndef C9RT_H
#define C9RT_H

#include "c9py.h"
#include "circuit9/board.h"

#include <limits.h>

/* supervisor.RunReason, in CircuitPython's order. */
enum { C9RT_RUN_STARTUP, C9RT_RUN_AUTO_RELOAD, C9RT_RUN_SUPERVISOR_RELOAD, C9RT_RUN_REPL_RELOAD };

/* supervisor.SafeModeReason, alphabetical as CircuitPython lists them (NONE first). */
enum {
    C9RT_SAFE_NONE,
    C9RT_SAFE_BROWNOUT,
    C9RT_SAFE_FLASH_WRITE_FAIL,
    C9RT_SAFE_GC_ALLOC_OUTSIDE_VM,
    C9RT_SAFE_HARD_FAULT,
    C9RT_SAFE_INTERRUPT_ERROR,
    C9RT_SAFE_NLR_JUMP_FAIL,
    C9RT_SAFE_NO_CIRCUITPY,
    C9RT_SAFE_NO_HEAP,
    C9RT_SAFE_PROGRAMMATIC,
    C9RT_SAFE_SAFEMODE_PY_ERROR,
    C9RT_SAFE_SDK_FATAL_ERROR,
    C9RT_SAFE_STACK_OVERFLOW,
    C9RT_SAFE_USB_BOOT_DEVICE_NOT_INTERFACE_ZERO,
    C9RT_SAFE_USB_TOO_MANY_ENDPOINTS,
    C9RT_SAFE_USB_TOO_MANY_INTERFACE_NAMES,
    C9RT_SAFE_USER,
    C9RT_SAFE_WATCHDOG,
    C9RT_SAFE_COUNT
};
extern const char *const c9rt_safe_mode_names[]; /* NULL-terminated, enum order */

/* microcontroller.RunMode */
enum { C9RT_RUNMODE_NORMAL, C9RT_RUNMODE_SAFE_MODE, C9RT_RUNMODE_UF2, C9RT_RUNMODE_BOOTLOADER };

/* supervisor.set_next_code_file() options, CircuitPython's bits. */
enum {
    C9RT_NEXT_RELOAD_ON_SUCCESS = 1 << 0,
    C9RT_NEXT_RELOAD_ON_ERROR = 1 << 1,
    C9RT_NEXT_STICKY_ON_SUCCESS = 1 << 2,
    C9RT_NEXT_STICKY_ON_ERROR = 1 << 3,
    C9RT_NEXT_STICKY_ON_RELOAD = 1 << 4,
    C9RT_NEXT_NEWLY_SET = 1 << 7,
};

typedef struct c9rt {
    bool active;         /* under `circuit9 run` */
    char root[PATH_MAX]; /* the CIRCUITPY folder (absolute); "" for a drive image, in a script and the package */
    const c9_board_t *board;
    bool root_writable; /* storage.remount("/", readonly=False) succeeded */
    bool in_boot_py;    /* remount of "/" is allowed (USB not yet "connected") */
    bool usb_drive_enabled;

    /* supervisor.runtime */
    volatile bool autoreload; /* any thread */
    int safe_mode;
    int run_reason;
    bool serial_connected;
    size_t (*serial_bytes_available)(void);

    /* requests posted by user code */
    bool reload_requested; /* supervisor.reload() */
    char next_code_file[PATH_MAX];
    unsigned next_code_options; /* 0 and empty file: none */
    bool next_code_set;
    int next_reset_mode;  /* microcontroller.on_next_reset() */
    bool reset_requested; /* microcontroller.reset() */

    PyObject *reload_exception; /* type raised to stop code for a reload */
    PyObject *prev_traceback;   /* str or NULL: supervisor.get_previous_traceback() */
    PyObject *display;          /* board.DISPLAY or NULL */
    PyObject *primary_display;  /* supervisor.runtime.display (strong reference) or NULL */

    /* memory budget */
    size_t (*mem_free)(void);
    size_t (*mem_alloc)(void);

    /* Called for each file user code opens for writing inside the root (host path), so that
     * auto-reload can tell the program's own writes from an editor's. */
    void (*note_self_write)(const char *host_path);

    /* A file system operation served by Python code (a Python block device) is running
     * (c9rt_io_hold_begin): Ctrl-C and auto-reload wait for its end, so that they never cut a
     * FAT operation short. reload_deferred: a reload came meanwhile. */
    int io_hold;
    bool reload_deferred;

    /* usb_cdc: the channels chosen for the next USB set-up (usb_cdc.enable() in boot.py; console
     * on and data off by default), and the data channel while USB is up (c9rt_usb_cdc_connect). */
    bool usb_cdc_console, usb_cdc_data;
    struct c9_port_cdc *usb_cdc_data_port;
    /* The console as usb_cdc.console sees it, set by the supervisor (NULL in a script and the
     * package): raw bytes out (no line-end cooking, not on the display); a byte in, or -1 when
     * none came within timeout_ms (0: only what is queued); the queued input dropped. */
    void (*console_write)(const uint8_t *data, size_t len);
    int (*console_read)(int timeout_ms);
    void (*console_clear_input)(void);
    /* The RTC (rtc.RTC().datetime): seconds added to the machine's clock (c9_port_rtc_get) by
     * setting it, kept across reloads as the chip keeps its RTC; and rtc.set_time_source()'s
     * object (strong reference; NULL: the RTC), which time.time() and time.localtime() read,
     * dropped when the program ends. */
    int64_t rtc_offset;
    PyObject *time_source;
} c9rt_t;

extern c9rt_t c9rt;

/* The exception that stops user code for a reload or a reset (c9rt.reload_exception), created on
 * first use: microcontroller.reset(), supervisor.reload() and auto-reload all raise it, whichever
 * modules user code imported. NULL with an exception if it cannot be made. */
PyObject *c9rt_reload_exception(void);

/* Monotonic nanoseconds since the board started (time.monotonic_ns, supervisor.ticks_ms). */
uint64_t c9rt_now_ns(void);

/* The operating system's path of a CircuitPython path (absolute, or relative to os.getcwd())
 * when the file system serving it is a directory of the operating system (the drive's folder,
 * the host's tree in a script), and whether user code may write there. Returns 0, or -1 with a
 * Python exception set (OSError ENODEV for a FAT volume or another file system object,
 * ENAMETOOLONG). The file system itself is runtime/vfs.h. */
int c9rt_map_path(const char *path, char *host, size_t host_size, bool *readonly);
/* The absolute, normalised CircuitPython form of path, relative paths from os.getcwd() ("a/../b"
 * from "/x" is "/x/b"; ".." stops at the root). */
int c9rt_abspath(const char *path, char *out, size_t out_size);

/* settings.toml is read up to its first NUL byte (the scanner's end of file) and at most this
 * many bytes: a larger file is an error, not a read that never ends. A CIRCUITPY drive's
 * settings are a few hundred bytes; many boards' whole drive is smaller than this. */
#define C9RT_SETTINGS_MAX (1024 * 1024)

/* Reads /settings.toml into a new buffer (free()) of *len bytes, up to its first NUL byte: the
 * drive's under `circuit9 run`, the file system's at "/" in a script, except that the host's own
 * tree (the unix port's VfsPosix) is read from the current directory, as circuit9 always has.
 * NULL without an exception when there is none or it is not a regular file (as a board treats a
 * file it cannot open); NULL with OSError [Errno 27] (EFBIG) when it holds more than
 * C9RT_SETTINGS_MAX bytes before a NUL, or MemoryError. */
char *c9rt_read_settings(size_t *len);
/* The same read of a settings file of the host's tree at path, for the supervisor before Python
 * runs: 0 with *out (free()) and *len, else ENOENT (none, or not a regular file), EFBIG or ENOMEM
 * with *out NULL. Never touches Python. */
int c9rt_read_host_settings(const char *path, char **out, size_t *len);

/* OSError(errno, "<text>") with CircuitPython's wording ("[Errno 2] No such file/directory"). */
PyObject *c9rt_raise_errno(int err);

/* Holds Ctrl-C (KeyboardInterrupt) and auto-reload while a file system operation runs Python
 * code that must not be cut short: the first Ctrl-C waits for c9rt_io_hold_end(), which raises
 * it then; a second one during the hold raises at once (a block device that never returns stays
 * interruptible). Nests; main thread only (elsewhere nothing is held). */
void c9rt_io_hold_begin(void);
void c9rt_io_hold_end(void);

/* Background work that must run while user code runs or sleeps (display auto-refresh, the
 * window's event pump), as CircuitPython's RUN_BACKGROUND_TASKS: registered functions are called
 * with the GIL held from time.sleep(), the supervisor's idle loops and between runs. Returns 0,
 * or -1 when the table (16 entries) is full. */
int c9rt_background_add(void (*fn)(void *ctx), void *ctx);
void c9rt_background_remove(void (*fn)(void *ctx), void *ctx);
void c9rt_background_run(void);

/* What the board resets when a program ends, as CircuitPython's reset_port() and the modules'
 * *_user_reset() do before the next one (audio stops and its outputs let go of their pins, the
 * radio's settings go back to their defaults): registered functions are called, with the GIL
 * held, when code.py, boot.py or a REPL session ends. Registering one (fn, ctx) twice keeps one
 * entry. Returns 0, or -1 when the table (16 entries) is full. */
int c9rt_reset_add(void (*fn)(void *ctx), void *ctx);
void c9rt_reset_run(void);

/* USB set-up, as CircuitPython's usb_set_defaults() before boot.py and its USB start after it:
 * defaults puts usb_cdc back to console only; connect opens the data channel (the host announces
 * its pseudo-terminal) when boot.py enabled it, or closes it when a later boot disabled it. An open
 * channel stays open across reloads, as the board's USB stays up. */
void c9rt_usb_cdc_set_defaults(void);
void c9rt_usb_cdc_connect(void);

/* Sleeps in slices, giving pending calls (auto-reload) and signals (Ctrl-C) a chance to raise.
 * Returns 0, or -1 with the exception they raised. */
int c9rt_sleep_ns(uint64_t ns);

#endif /* C9RT_H */
