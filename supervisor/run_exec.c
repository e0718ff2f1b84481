/* Running a file of the drive as CircuitPython's pyexec does: the status bar, how the program
 * ended, its traceback; and what a fresh VM means to user code. */
#define _GNU_SOURCE
#include "run_internal.h"

#include "console.h"
#include "pyenv.h"
#include "vfs.h"
#include "watch.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

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
void run_print_exception(bool store) {
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
int run_finish_exec(PyObject *result, bool store_traceback) {
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
    run_print_exception(store_traceback);
    return EXEC_EXCEPTION;
}

/* atexit's functions after a file, as CircuitPython's maybe_run does: an exception of one stops
 * them and is printed (SystemExit quietly). */
static void run_atexit(void) {
    console_set_interrupt(true);
    PyObject *r = pyenv_call("_run_atexit", "()");
    console_set_interrupt(false);
    if (r) {
        Py_DECREF(r);
    } else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        PyErr_Clear();
    } else {
        run_print_exception(false);
    }
}

/* The drive's path of a code file name ("code.py" is "/code.py"). */
static void drive_path(const char *name, char *out, size_t size) {
    snprintf(out, size, "%s%s", name[0] == '/' ? "" : "/", name);
}

static int exec_file(const char *name, bool store_traceback) {
    char path[PATH_MAX + 256];
    drive_path(name, path, sizeof path);
    if (!c9rt.in_boot_py) {
        status_bar(name);
    }
    error_status[0] = 0;
    run_set_vm_running(true);
    console_set_interrupt(true);
    PyObject *r = pyenv_call("_run_file", "(ss)", path, name);
    console_set_interrupt(false);
    run_set_vm_running(false);
    /* A Ctrl-C that arrived just as the program ended must not hit the supervisor. */
    int rc = run_finish_exec(r, store_traceback);
    run_atexit();
    if (!c9rt.in_boot_py) {
        status_bar(rc == EXEC_EXCEPTION && error_status[0] ? error_status : "Done");
    }
    if (PyErr_CheckSignals() < 0) {
        PyErr_Clear();
    }
    return rc;
}

static bool is_file(const char *name) {
    char path[PATH_MAX + 256];
    drive_path(name, path, sizeof path);
    return c9rt_vfs_import_stat(path) == 1;
}

static const char *first_existing(const char *const *names, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (is_file(names[i])) {
            return names[i];
        }
    }
    return NULL;
}

int run_maybe_run_list(const char *const *names, size_t n, bool store_traceback) {
    const char *name = first_existing(names, n);
    if (!name) {
        return -1;
    }
    console_line_clear();
    console_cookeds(name);
    console_cookeds(" output:\n");
    return exec_file(name, store_traceback);
}

void run_vm_start(void) {
    c9rt_vfs_reset();
    c9rt.reload_requested = false;
    c9rt.reset_requested = false;
    watch_forget_self_writes();
    run_net_start();
}

void run_vm_cleanup(void) {
    c9rt_reset_run();
    /* The program's mounts go (an SD card is mounted again by the next run), the drive stays. */
    c9rt_vfs_reset();
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
    run_net_reset();
}
