/*
 * `circuit9 run`: CircuitPython 9's supervisor (main.c) on a virtual board. One embedded CPython
 * interpreter stands for the VM; a "fresh VM" is fresh globals, the drive's modules forgotten and
 * the board's displays reset, which is what user code can observe of a soft reboot.
 *
 * Start-up: safemode.py (in safe mode), boot.py once with its output in boot_out.txt (rewritten
 * only when it changed), then the loop: banner, code file, "Code done running.", "Press any
 * key...", the REPL on a key, a soft reboot on Ctrl-D, a reload on a file write (750 ms after the
 * last one), on supervisor.reload() or set_next_code_file(reload_on_...).
 */
#define _GNU_SOURCE
#include "run.h"

#include "board_hw.h"
#include "c9py.h"
#include "c9rt.h"
#include "console.h"
#include "pyenv.h"
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define C9_VERSION_INFO_FMT "Adafruit CircuitPython " C9_CP_VERSION " on " C9_CP_BUILD_DATE "; %s with %s"
#define AUTORELOAD_DELAY_MS 750

#define CHAR_CTRL_C 3
#define CHAR_CTRL_D 4

enum { EXEC_OK, EXEC_EXCEPTION, EXEC_RELOAD, EXEC_FORCED_EXIT, EXEC_HARD_RESET };

static char version_info[256];

/* auto-reload state, shared with the watcher thread */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile bool autoreload_pending;
static uint64_t last_trigger_ms;
static volatile bool autoreload_suspended; /* in the REPL */
static volatile bool vm_running;           /* user code is executing */

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int raise_reload(void *arg) {
    (void)arg;
    /* Runs in the main thread at the next bytecode boundary; only a running program is stopped. */
    if (!vm_running) {
        return 0;
    }
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return -1;
}

static void on_file_write(void) {
    pthread_mutex_lock(&reload_lock);
    if (c9rt.autoreload && !autoreload_suspended) {
        last_trigger_ms = now_ms();
        if (!autoreload_pending) {
            autoreload_pending = true;
            c9rt.run_reason = C9RT_RUN_AUTO_RELOAD;
            if (vm_running) {
                Py_AddPendingCall(raise_reload, NULL);
            }
        }
    }
    pthread_mutex_unlock(&reload_lock);
}

static bool autoreload_ready(void) {
    pthread_mutex_lock(&reload_lock);
    bool ready = autoreload_pending && !autoreload_suspended && now_ms() - last_trigger_ms >= AUTORELOAD_DELAY_MS;
    pthread_mutex_unlock(&reload_lock);
    return ready;
}

static void autoreload_reset(void) {
    pthread_mutex_lock(&reload_lock);
    autoreload_pending = false;
    pthread_mutex_unlock(&reload_lock);
}

static size_t serial_available(void) {
    return console_available();
}

static size_t mem_free(void) {
    return board_memory_free();
}

static size_t mem_alloc(void) {
    return board_memory_used();
}

static void note_self_write(const char *p) {
    watch_note_self_write(p);
}

/* ---- Python helpers -------------------------------------------------------------------------- */

/* The display's status bar (supervisor_status_bar_update()): the snake (not in the font, so not
 * drawn), what runs or how it ended, the version; an OSC title the terminal puts in its top row.
 * Only the display gets it: the serial side keeps the bytes the tests and logs expect. */
static char error_status[160]; /* "<line>@<file> <Exception>" of the last run's error, or "" */

static void status_bar(const char *what) {
    char buf[256];
    int n = snprintf(buf, sizeof buf, "\x1b]0;\xf0\x9f\x90\x8d%s | " C9_CP_VERSION "\x1b\\", what);
    if (n > 0) {
        console_display(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    }
}

/* Prints the pending exception the CircuitPython way, stores it for
 * supervisor.get_previous_traceback() and clears it. */
static void print_exception(bool store) {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) {
        PyException_SetTraceback(value, tb);
    }
    PyObject *where = value ? pyenv_call("_error_status", "(O)", value) : NULL;
    const char *w = where ? PyUnicode_AsUTF8(where) : NULL;
    snprintf(error_status, sizeof error_status, "%s", w ? w : "");
    Py_XDECREF(where);
    PyErr_Clear();
    PyObject *text = value ? pyenv_call("_format_exception", "(O)", value) : NULL;
    if (text) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(text, &n);
        if (s) {
            console_cooked(s, (size_t)n);
        }
        if (store) {
            Py_XSETREF(c9rt.prev_traceback, text);
            text = NULL;
        }
        Py_XDECREF(text);
    } else {
        PyErr_Print();
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* Classifies and reports the exception a program ended with. */
static int finish_exec(PyObject *result, bool store_traceback) {
    if (result) {
        Py_DECREF(result);
        if (store_traceback) {
            Py_CLEAR(c9rt.prev_traceback);
        }
        return EXEC_OK;
    }
    if (c9rt.reload_exception && PyErr_ExceptionMatches(c9rt.reload_exception)) {
        PyErr_Clear();
        return c9rt.reset_requested ? EXEC_HARD_RESET : EXEC_RELOAD;
    }
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        PyErr_Clear();
        return EXEC_FORCED_EXIT;
    }
    print_exception(store_traceback);
    return EXEC_EXCEPTION;
}

static int exec_file(const char *name, bool store_traceback) {
    char host[PATH_MAX + 256];
    snprintf(host, sizeof host, "%s/%s", c9rt.root, name);
    if (!c9rt.in_boot_py) {
        status_bar(name);
    }
    error_status[0] = 0;
    vm_running = true;
    console_set_interrupt(true);
    PyObject *r = pyenv_call("_run_file", "(ss)", host, name);
    console_set_interrupt(false);
    vm_running = false;
    /* A Ctrl-C that arrived just as the program ended must not hit the supervisor. */
    int rc = finish_exec(r, store_traceback);
    if (!c9rt.in_boot_py) {
        status_bar(rc == EXEC_EXCEPTION && error_status[0] ? error_status : "Done");
    }
    if (PyErr_CheckSignals() < 0) {
        PyErr_Clear();
    }
    return rc;
}

static bool is_file(const char *name) {
    char host[PATH_MAX + 256];
    struct stat st;
    snprintf(host, sizeof host, "%s/%s", c9rt.root, name);
    return stat(host, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *first_existing(const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (is_file(names[i])) {
            return names[i];
        }
    }
    return NULL;
}

/* maybe_run_list(): "<file> output:" and the program. Returns -1 when no file exists. */
static int maybe_run_list(const char *const *names, size_t n, bool store_traceback) {
    const char *name = first_existing(names, n);
    if (!name) {
        return -1;
    }
    console_line_clear();
    console_cookeds(name);
    console_cookeds(" output:\n");
    return exec_file(name, store_traceback);
}

/* start_mp()/stop_mp(): what a fresh VM means to user code. */
static void vm_start(void) {
    strcpy(c9rt.cwd, "/");
    c9rt.reload_requested = false;
    c9rt.reset_requested = false;
    watch_forget_self_writes();
}

static void vm_cleanup(void) {
    PyObject *r = pyenv_call("_purge_drive_modules", "()");
    Py_XDECREF(r);
    r = pyenv_call("_reset_display", "(O)", c9rt.display ? c9rt.display : Py_None);
    Py_XDECREF(r);
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    PyObject *gc = PyImport_ImportModule("gc");
    if (gc) {
        r = PyObject_CallMethod(gc, "collect", NULL);
        Py_XDECREF(r);
        Py_DECREF(gc);
    }
    PyErr_Clear();
}

/* ---- safe mode and boot ------------------------------------------------------------------- */

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

static void print_safe_mode_message(int reason) {
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

static void run_safemode_py(void) {
    if (c9rt.safe_mode == C9RT_SAFE_NONE || c9rt.safe_mode == C9RT_SAFE_USER) {
        return;
    }
    vm_start();
    static const char *const names[] = {"safemode.py", "safemode.txt"};
    int rc = maybe_run_list(names, 2, false);
    if (rc == EXEC_EXCEPTION) {
        c9rt.safe_mode = C9RT_SAFE_SAFEMODE_PY_ERROR;
    }
    vm_cleanup();
}

static void run_boot_py(void) {
    vm_start();
    if (c9rt.safe_mode != C9RT_SAFE_NONE) {
        return;
    }
    console_capture_start();
    char line[512];
    const c9_board_t *b = c9rt.board;
    snprintf(line, sizeof line, "%s\nBoard ID:%s\nUID:", version_info, b->board_id);
    console_cookeds(line);
    for (int i = 0; i < b->uid_len; i++) {
        snprintf(line, sizeof line, "%02X", b->uid[i]);
        console_cookeds(line);
    }
    console_cookeds("\n");
    static const char *const names[] = {"boot.py", "boot.txt"};
    c9rt.in_boot_py = true;
    maybe_run_list(names, 2, false);
    c9rt.in_boot_py = false;
    size_t len;
    char *text = console_capture_stop(&len);
    /* Rewritten only when the content changed, to spare the flash. */
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/boot_out.txt", c9rt.root);
    bool write = true;
    FILE *f = fopen(path, "rb");
    if (f) {
        char *old = malloc(len + 2);
        size_t got = old ? fread(old, 1, len + 1, f) : 0;
        write = !old || got != len || memcmp(old, text, len) != 0;
        free(old);
        fclose(f);
    }
    if (write) {
        f = fopen(path, "wb");
        if (f) {
            fwrite(text, 1, len, f);
            fclose(f);
        } else {
            fprintf(stderr, "circuit9: cannot write %s: %s\n", path, strerror(errno));
        }
    }
    free(text);
    vm_cleanup();
}

/* ---- the REPL ------------------------------------------------------------------------------ */

/* Reads one line with echo; returns 0, CHAR_CTRL_C, CHAR_CTRL_D (on an empty line) or -2 (end of
 * input). Escape sequences (arrow keys) are swallowed. */
static int repl_readline(char *buf, size_t size, size_t *len) {
    *len = 0;
    for (;;) {
        int c = console_getc(-1, NULL);
        if (c == -2) {
            return -2;
        }
        if (c == CHAR_CTRL_C) {
            return CHAR_CTRL_C;
        }
        if (c == CHAR_CTRL_D) {
            if (*len == 0) {
                return CHAR_CTRL_D;
            }
            continue;
        }
        if (c == '\r' || c == '\n') {
            console_raw("\r\n");
            buf[*len] = 0;
            return 0;
        }
        if (c == 8 || c == 127) {
            if (*len > 0) {
                (*len)--;
                console_raw("\b \b");
            }
            continue;
        }
        if (c == 27) {
            int c2 = console_getc(50, NULL);
            if (c2 == '[' || c2 == 'O') {
                int c3;
                do {
                    c3 = console_getc(50, NULL);
                } while (c3 >= 0 && !((c3 >= 'A' && c3 <= 'Z') || (c3 >= 'a' && c3 <= 'z') || c3 == '~'));
            }
            continue;
        }
        if (c < 32 && c != '\t') {
            continue;
        }
        if (*len < size - 1) {
            buf[(*len)++] = (char)c;
            char e[2] = {(char)c, 0};
            console_raw(e);
        }
    }
}

static int run_repl(void) {
    vm_start();
    autoreload_suspended = true;
    PyObject *g = pyenv_call("_new_globals", "()");
    int exit_code = EXEC_FORCED_EXIT;
    char line[1024];
    char *source = NULL;
    size_t source_len = 0;
    console_raw("\r\n");
    console_cookeds(version_info);
    console_raw("\r\n");
    for (;;) {
        console_raw(source_len ? "... " : ">>> ");
        size_t n;
        int rc = repl_readline(line, sizeof line, &n);
        if (rc == -2) {
            exit_code = EXEC_HARD_RESET; /* console closed: nobody left to talk to */
            break;
        }
        if (rc == CHAR_CTRL_C) {
            console_raw("\r\n");
            free(source);
            source = NULL;
            source_len = 0;
            continue;
        }
        if (rc == CHAR_CTRL_D) {
            console_raw("\r\n");
            break;
        }
        char *more = realloc(source, source_len + n + 2);
        if (!more) {
            break;
        }
        source = more;
        memcpy(source + source_len, line, n);
        source_len += n;
        source[source_len++] = '\n';
        source[source_len] = 0;
        PyObject *code = pyenv_call("_repl_compile", "(s)", source);
        if (!code) {
            print_exception(false);
        } else if (code == Py_None) {
            Py_DECREF(code);
            continue; /* incomplete: more lines */
        } else {
            vm_running = true;
            console_set_interrupt(true);
            PyObject *r = pyenv_call("_repl_exec", "(OO)", code, g);
            console_set_interrupt(false);
            vm_running = false;
            Py_DECREF(code);
            int ec = finish_exec(r, false);
            if (PyErr_CheckSignals() < 0) {
                PyErr_Clear();
            }
            if (ec == EXEC_RELOAD || ec == EXEC_HARD_RESET) {
                exit_code = ec;
                free(source);
                source = NULL;
                break;
            }
            if (ec == EXEC_FORCED_EXIT) {
                free(source);
                source = NULL;
                break;
            }
        }
        free(source);
        source = NULL;
        source_len = 0;
    }
    free(source);
    Py_XDECREF(g);
    vm_cleanup();
    autoreload_suspended = false;
    autoreload_reset();
    return exit_code;
}

/* ---- code.py ------------------------------------------------------------------------------ */

static void print_status_message(void) {
    console_line_clear();
    if (c9rt.autoreload) {
        console_cookeds("Auto-reload is on. Simply save files over USB to run them or enter REPL to disable.\n");
    } else {
        console_cookeds("Auto-reload is off.\n");
    }
    if (c9rt.safe_mode != C9RT_SAFE_NONE) {
        console_cookeds("Running in safe mode! Not running saved code.\n");
    }
}

typedef struct {
    const run_options_t *opt;
    int runs_done;
    int last_result;
    bool exit_now;
} loop_t;

/* run_code_py(): returns true to skip the REPL. */
static bool run_code_py(loop_t *L) {
    console_raw("\r\n");
    print_status_message();
    print_safe_mode_message(c9rt.safe_mode);

    bool skip_repl = false, skip_wait = false;
    unsigned options = 0;
    unsigned sticky_situation = C9RT_NEXT_NEWLY_SET;
    int result = EXEC_OK;
    bool ran = false;
    if (c9rt.safe_mode == C9RT_SAFE_NONE && !autoreload_pending) {
        static const char *const supported[] = {"code.txt", "code.py", "main.py", "main.txt"};
        static const char *const doubled[] = {"code.txt.py", "code.py.txt", "code.txt.txt", "code.py.py",
                                              "main.txt.py", "main.py.txt", "main.txt.txt", "main.py.py"};
        vm_start();
        bool found = false;
        if (c9rt.next_code_set) {
            c9rt.next_code_options &= ~(unsigned)C9RT_NEXT_NEWLY_SET;
            options = c9rt.next_code_options;
            if (c9rt.next_code_file[0]) {
                const char *one[] = {c9rt.next_code_file};
                int rc = maybe_run_list(one, 1, true);
                found = rc >= 0;
                if (found) {
                    result = rc;
                } else {
                    console_cookeds(c9rt.next_code_file);
                    console_cookeds(" not found.\n");
                }
            }
        }
        if (!found) {
            int rc = maybe_run_list(supported, C9_ARRAY_SIZE(supported), true);
            if (rc < 0) {
                rc = maybe_run_list(doubled, C9_ARRAY_SIZE(doubled), true);
                if (rc >= 0) {
                    console_cookeds("WARNING: Your code filename has two extensions\n");
                }
            }
            if (rc >= 0) {
                result = rc;
            }
        }
        ran = true;
        if (result == EXEC_RELOAD && c9rt.run_reason == C9RT_RUN_AUTO_RELOAD) {
            console_cookeds("\nCode stopped by auto-reload. Reloading soon.\n");
        } else {
            console_cookeds("\nCode done running.\n");
        }
        /* The display as the program left it, before the board shows the terminal again. */
        c9rt_background_run();
        if (c9rt.display) {
            PyObject *r = pyenv_call("_flush_display", "(O)", c9rt.display);
            if (!r) {
                PyErr_Print();
            }
            Py_XDECREF(r);
        }
        if (L->opt->screenshot) {
            board_panel_screenshot(L->opt->screenshot);
        }
        vm_cleanup();

        if (result == EXEC_HARD_RESET) {
            /* microcontroller.reset() ends a run like any other: --runs counts it. */
            L->last_result = result;
            L->runs_done++;
            L->exit_now = L->opt->runs > 0 && L->runs_done >= L->opt->runs;
            return true;
        }
        if (result == EXEC_RELOAD) {
            sticky_situation |= C9RT_NEXT_STICKY_ON_RELOAD;
            if (c9rt.run_reason != C9RT_RUN_AUTO_RELOAD) {
                skip_repl = skip_wait = true;
            }
        } else if (result == EXEC_OK) {
            sticky_situation |= C9RT_NEXT_STICKY_ON_SUCCESS;
            if (options & C9RT_NEXT_RELOAD_ON_SUCCESS) {
                skip_repl = skip_wait = true;
            }
        } else if (result == EXEC_EXCEPTION) {
            sticky_situation |= C9RT_NEXT_STICKY_ON_ERROR;
            if (options & C9RT_NEXT_RELOAD_ON_ERROR) {
                skip_repl = skip_wait = true;
            }
        }
        if (result == EXEC_FORCED_EXIT) {
            skip_repl = false;
            skip_wait = true;
        }
        if (skip_wait && skip_repl && result != EXEC_RELOAD) {
            c9rt.run_reason = C9RT_RUN_SUPERVISOR_RELOAD;
        }
    }
    L->last_result = result;
    if (ran) {
        L->runs_done++;
    }
    bool last_run = L->opt->runs > 0 && L->runs_done >= L->opt->runs;

    bool printed_press_any_key = false;
    while (!skip_wait) {
        c9rt_background_run();
        if (autoreload_ready()) {
            sticky_situation |= C9RT_NEXT_STICKY_ON_RELOAD;
            skip_repl = true;
            autoreload_reset();
            break;
        }
        if (console_available() && !autoreload_pending) {
            int c = console_getc(0, NULL);
            skip_repl = c == CHAR_CTRL_D;
            if (skip_repl) {
                c9rt.run_reason = C9RT_RUN_REPL_RELOAD;
            }
            break;
        }
        if (!printed_press_any_key && !autoreload_pending) {
            console_raw("\r\n");
            console_cookeds("Press any key to enter the REPL. Use CTRL-D to reload.\n");
            printed_press_any_key = true;
            if (last_run) {
                L->exit_now = true;
                return true;
            }
        }
        if (console_eof() && !autoreload_pending) {
            /* stdin closed and nothing will ever be typed: stop, as unplugging would. */
            L->exit_now = true;
            return true;
        }
        Py_BEGIN_ALLOW_THREADS struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        Py_END_ALLOW_THREADS
    }
    if (last_run && !(skip_repl && skip_wait)) {
        /* --runs reached while a reload was pending: stop here rather than run again. */
        L->exit_now = true;
        return true;
    }
    if (last_run) {
        L->exit_now = true;
    }
    /* set_next_code_file() settings that do not apply to what happened are dropped. */
    if (c9rt.next_code_set && (c9rt.next_code_options & sticky_situation) == 0) {
        c9rt.next_code_set = false;
        c9rt.next_code_file[0] = 0;
        c9rt.next_code_options = 0;
    }
    return skip_repl;
}

/* ---- start-up ------------------------------------------------------------------------------- */

static int parse_safe_mode(const char *name) {
    for (int i = 0; c9rt_safe_mode_names[i]; i++) {
        if (!strcasecmp(c9rt_safe_mode_names[i], name)) {
            return i;
        }
    }
    return -1;
}

static int setup_python(const c9_board_t *b) {
    PyConfig config;
    char *argv0[] = {(char *)"circuit9"};
    PyStatus st = pyenv_config(&config, 1, argv0);
    if (!PyStatus_Exception(st)) {
        st = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "circuit9: cannot start Python: %s\n", st.err_msg ? st.err_msg : "?");
        return -1;
    }
    PyObject *sys_argv = PyList_New(0);
    PySys_SetObject("argv", sys_argv);
    Py_XDECREF(sys_argv);

    PyObject *out = console_stdout_new(), *in = console_stdin_new();
    if (!out || !in) {
        return -1;
    }
    PySys_SetObject("stdout", out);
    PySys_SetObject("stderr", out);
    PySys_SetObject("stdin", in);
    Py_DECREF(out);
    Py_DECREF(in);
    return pyenv_start(b, c9rt.root, false);
}

/* board.DISPLAY: the display modules build it from the board table, on the panel we wired. */
static void make_display(const c9_board_t *b) {
    const c9_board_display_t *d = b->display;
    if (!d) {
        return;
    }
    static const char *const bus_names[] = {"none", "fourwire", "parallel", "i2c"};
    PyObject *data_pins = PyList_New(0);
    if (d->bus == C9_BOARD_BUS_PARALLEL) {
        size_t n = strlen(d->data0);
        for (int i = 0; i < 8; i++) {
            char name[64];
            snprintf(name, sizeof name, "%.*s%d", (int)(n - 1), d->data0, i);
            PyObject *s = PyUnicode_FromString(name);
            PyList_Append(data_pins, s);
            Py_XDECREF(s);
        }
    }
    PyObject *seq = PyBytes_FromStringAndSize((const char *)d->init_sequence, (Py_ssize_t)d->init_sequence_len);
    PyObject *desc = Py_BuildValue(
        "{s:s,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:N,s:i,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:O,s:O,s:i,s:i,s:i,"
        "s:i,s:O,s:O,s:z,s:N,s:z}",
        "bus", bus_names[d->bus], "clock", d->clock, "mosi", d->mosi, "miso", d->miso, "command", d->command,
        "chip_select", d->chip_select, "reset", d->reset, "write", d->write, "read", d->read, "scl", d->scl, "sda",
        d->sda, "board_spi_clock", b->spi_clock, "data_pins", data_pins, "address", d->i2c_address, "frequency",
        d->frequency, "width", d->width, "height", d->height, "colstart", d->colstart, "rowstart", d->rowstart,
        "rotation", d->rotation, "color_depth", d->color_depth, "grayscale", d->grayscale ? Py_True : Py_False,
        "pixels_in_byte_share_row", d->pixels_in_byte_share_row ? Py_True : Py_False, "set_column_command",
        d->set_column_command, "set_row_command", d->set_row_command, "write_ram_command", d->write_ram_command,
        "brightness_command", d->brightness_command, "single_byte_bounds", d->single_byte_bounds ? Py_True : Py_False,
        "data_as_commands", d->data_as_commands ? Py_True : Py_False, "backlight", d->backlight, "init_sequence", seq,
        "board_i2c_scl", b->i2c_scl);
    if (!desc) {
        PyErr_Print();
        return;
    }
    PyObject *disp = pyenv_call("_make_display", "(O)", desc);
    Py_DECREF(desc);
    if (!disp) {
        /* The display modules are not (yet) there: the board runs without board.DISPLAY. */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        fprintf(stderr, "circuit9: board.DISPLAY unavailable: %s\n", s ? PyUnicode_AsUTF8(s) : "?");
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_Clear();
        return;
    }
    c9rt.display = disp;
    Py_INCREF(disp);
    c9rt.primary_display = disp; /* common_hal_displayio_auto_primary_display() at start-up */
}

int run_board(const run_options_t *opt) {
    const c9_board_t *b = opt->board ? c9_board_find(opt->board) : c9_board_default();
    if (!b) {
        fprintf(stderr, "circuit9: unknown board '%s'; boards:", opt->board);
        for (size_t i = 0; i < c9_board_count(); i++) {
            fprintf(stderr, " %s", c9_board_at(i)->name);
        }
        fputc('\n', stderr);
        return 2;
    }
    c9rt.board = b;
    c9rt.active = true;
    snprintf(version_info, sizeof version_info, C9_VERSION_INFO_FMT, b->description, b->mcu);

    int safe = C9RT_SAFE_NONE;
    if (opt->safe_mode) {
        safe = parse_safe_mode(opt->safe_mode);
        if (safe < 0) {
            fprintf(stderr, "circuit9: unknown safe mode reason '%s' (one of:", opt->safe_mode);
            for (int i = 1; c9rt_safe_mode_names[i]; i++) {
                fprintf(stderr, " %s", c9rt_safe_mode_names[i]);
            }
            fputs(")\n", stderr);
            return 2;
        }
    }
    struct stat st;
    if (!realpath(opt->dir, c9rt.root) || stat(c9rt.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        /* A board without its drive boots into safe mode; here the folder is all there is. */
        fprintf(stderr, "circuit9: %s is not a folder\n", opt->dir);
        return 2;
    }
    if (board_memory_init(b) < 0) {
        return 1;
    }
    c9rt.mem_free = mem_free;
    c9rt.mem_alloc = mem_alloc;
    c9rt.serial_bytes_available = serial_available;
    c9rt.note_self_write = note_self_write;
    if (board_panel_init(b, opt->window) < 0) {
        fprintf(stderr, "circuit9: the %s display has no virtual panel\n", b->name);
    }
    if (console_open(opt->pty) < 0) {
        return 1;
    }
    if (setup_python(b) < 0) {
        console_close();
        return 1;
    }
    make_display(b);

    int status = 0;
    int runs_done = 0; /* code runs so far, across resets (--runs) */
    for (bool hard_reset = true; hard_reset;) {
        hard_reset = false;
        c9rt.safe_mode = safe;
        c9rt.run_reason = C9RT_RUN_STARTUP;
        c9rt.autoreload = safe == C9RT_SAFE_NONE;
        c9rt.root_writable = false;
        console_line_clear();
        run_safemode_py();
        run_boot_py();
        static bool watching;
        if (!watching && watch_start(c9rt.root, on_file_write) == 0) {
            watching = true;
        }

        loop_t L = {.opt = opt, .runs_done = runs_done};
        int exit_code = EXEC_FORCED_EXIT;
        bool skip_repl = true, simulate_reset = true;
        for (;;) {
            if (!skip_repl) {
                exit_code = run_repl();
                c9rt.run_reason = C9RT_RUN_REPL_RELOAD;
                if (exit_code == EXEC_HARD_RESET && !c9rt.reset_requested) {
                    break; /* end of input */
                }
            }
            if (exit_code == EXEC_HARD_RESET || L.last_result == EXEC_HARD_RESET) {
                hard_reset = true;
                break;
            }
            if (exit_code == EXEC_FORCED_EXIT || exit_code == EXEC_RELOAD) {
                if (!simulate_reset) {
                    console_cookeds("soft reboot\n");
                }
                simulate_reset = false;
                skip_repl = run_code_py(&L);
                if (L.last_result == EXEC_HARD_RESET) {
                    hard_reset = !L.exit_now; /* the last of --runs: the board stops instead */
                    break;
                }
                if (L.exit_now) {
                    break;
                }
            } else {
                break;
            }
        }
        status = L.last_result == EXEC_EXCEPTION ? 1 : 0;
        runs_done = L.runs_done;
        if (hard_reset) {
            /* microcontroller.reset(): a new start, in safe mode if on_next_reset() asked. */
            safe = c9rt.next_reset_mode == C9RT_RUNMODE_SAFE_MODE ? C9RT_SAFE_PROGRAMMATIC : C9RT_SAFE_NONE;
            c9rt.next_reset_mode = C9RT_RUNMODE_NORMAL;
            c9rt.reset_requested = false;
            autoreload_reset();
        }
    }
    console_close();
    fflush(stdout);
    /* Py_FinalizeEx could wait on threads user code left running; a board just stops. */
    _exit(status);
}
