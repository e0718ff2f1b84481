/* The REPL: CircuitPython's banner, ">>> " and "... " prompts, Ctrl-C and Ctrl-D, each line
 * compiled and run in one set of globals. */
#include "run_internal.h"

#include "console.h"
#include "pyenv.h"

#include <stdlib.h>
#include <string.h>

/* Reads one line with echo; returns 0, CHAR_CTRL_C, CHAR_CTRL_D (on an empty line) or -2 (end of
 * input). Escape sequences (arrow keys) are swallowed. */
static int repl_readline(char *buf, size_t size, size_t *len) {
    *len = 0;
    for (;;) {
        /* The board's background tasks run while it waits for a key, as RUN_BACKGROUND_TASKS does
         * in a board's serial read: its windows answer, audio plays, keypad scans. */
        c9rt_background_run();
        int c = console_getc(20, NULL);
        if (c == -1) {
            continue;
        }
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

int run_repl(void) {
    run_vm_start();
    run_autoreload_suspend(true);
    PyObject *g = pyenv_call("_new_globals", "()");
    int exit_code = EXEC_FORCED_EXIT;
    char line[1024];
    char *source = NULL;
    size_t source_len = 0;
    console_raw("\r\n");
    console_cookeds(run_version_info);
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
            run_print_exception(false);
        } else if (code == Py_None) {
            Py_DECREF(code);
            continue; /* incomplete: more lines */
        } else {
            run_set_vm_running(true);
            console_set_interrupt(true);
            PyObject *r = pyenv_call("_repl_exec", "(OO)", code, g);
            console_set_interrupt(false);
            run_set_vm_running(false);
            Py_DECREF(code);
            int ec = run_finish_exec(r, false);
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
    run_vm_cleanup();
    run_autoreload_suspend(false);
    run_autoreload_reset();
    return exit_code;
}
