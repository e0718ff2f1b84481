/* code.py: one run of the program and the wait after it, as CircuitPython's run_code_py() does:
 * the status lines, the code file (set_next_code_file()'s, else code.txt, code.py, main.py,
 * main.txt, then the doubled extensions), "Code done running.", the screenshot of what the
 * program left on its display, then "Press any key..." until a key, a reload or the end. */
#include "run_internal.h"

#include "circuit9/port.h"
#include "console.h"
#include "displayio/displayio.h"
#include "pyenv.h"

#include <stdio.h>

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

/* Runs the next code file if one was set, else the first of the usual names; *options gets
 * set_next_code_file()'s options. Returns how the program ended (EXEC_OK when there was none). */
static int run_program(unsigned *options) {
    static const char *const supported[] = {"code.txt", "code.py", "main.py", "main.txt"};
    static const char *const doubled[] = {"code.txt.py", "code.py.txt", "code.txt.txt", "code.py.py",
                                          "main.txt.py", "main.py.txt", "main.txt.txt", "main.py.py"};
    int result = EXEC_OK;
    bool found = false;
    if (c9rt.next_code_set) {
        c9rt.next_code_options &= ~(unsigned)C9RT_NEXT_NEWLY_SET;
        *options = c9rt.next_code_options;
        if (c9rt.next_code_file[0]) {
            const char *one[] = {c9rt.next_code_file};
            int rc = run_maybe_run_list(one, 1, true);
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
        int rc = run_maybe_run_list(supported, C9_ARRAY_SIZE(supported), true);
        if (rc < 0) {
            rc = run_maybe_run_list(doubled, C9_ARRAY_SIZE(doubled), true);
            if (rc >= 0) {
                console_cookeds("WARNING: Your code filename has two extensions\n");
            }
        }
        if (rc >= 0) {
            result = rc;
        }
    }
    return result;
}

/* After the program: the closing line, its display as it left it (and the screenshot of that),
 * then a fresh VM. */
static void end_of_program(const loop_t *L, int result) {
    if (result == EXEC_RELOAD && c9rt.run_reason == C9RT_RUN_AUTO_RELOAD) {
        console_cookeds("\nCode stopped by auto-reload. Reloading soon.\n");
    } else {
        console_cookeds("\nCode done running.\n");
    }
    /* The displays as the program left them (the board's, and one it built itself, such as a
     * breakout's), before the board shows the terminal again. */
    c9rt_background_run();
    PyObject *shown[] = {c9rt.display, c9py_display_in_slot(0)};
    for (size_t i = 0; i < C9_ARRAY_SIZE(shown); i++) {
        if (shown[i] && (i == 0 || shown[i] != shown[0])) {
            PyObject *r = pyenv_call("_flush_display", "(O)", shown[i]);
            if (!r) {
                PyErr_Print();
            }
            Py_XDECREF(r);
        }
    }
    if (L->opt->screenshot) {
        c9_err_t err = c9_port_panel_screenshot(L->opt->screenshot);
        if (err == C9_ERR_NOENT) {
            fprintf(stderr, "circuit9: no display to take a screenshot of\n");
        } else if (err != C9_OK) {
            fprintf(stderr, "circuit9: cannot write %s (%s)\n", L->opt->screenshot, c9_strerror(err));
        }
    }
    run_vm_cleanup();
}

/* What happens next after a program ended with result: set_next_code_file()'s stickiness, and
 * whether to skip the REPL and the wait. */
static void what_next(int result, unsigned options, unsigned *sticky, bool *skip_repl, bool *skip_wait) {
    if (result == EXEC_RELOAD) {
        *sticky |= C9RT_NEXT_STICKY_ON_RELOAD;
        if (c9rt.run_reason != C9RT_RUN_AUTO_RELOAD) {
            *skip_repl = *skip_wait = true;
        }
    } else if (result == EXEC_OK) {
        *sticky |= C9RT_NEXT_STICKY_ON_SUCCESS;
        if (options & C9RT_NEXT_RELOAD_ON_SUCCESS) {
            *skip_repl = *skip_wait = true;
        }
    } else if (result == EXEC_EXCEPTION) {
        *sticky |= C9RT_NEXT_STICKY_ON_ERROR;
        if (options & C9RT_NEXT_RELOAD_ON_ERROR) {
            *skip_repl = *skip_wait = true;
        }
    }
    if (result == EXEC_FORCED_EXIT) {
        *skip_repl = false;
        *skip_wait = true;
    }
    if (*skip_wait && *skip_repl && result != EXEC_RELOAD) {
        c9rt.run_reason = C9RT_RUN_SUPERVISOR_RELOAD;
    }
}

/* "Press any key to enter the REPL": waits for a key, a reload, or the end of input. Returns true
 * when the board is to stop here (L->exit_now set). */
static bool wait_for_key(loop_t *L, bool last_run, unsigned *sticky, bool *skip_repl) {
    bool printed_press_any_key = false;
    for (;;) {
        c9rt_background_run();
        if (run_autoreload_ready()) {
            *sticky |= C9RT_NEXT_STICKY_ON_RELOAD;
            *skip_repl = true;
            run_autoreload_reset();
            return false;
        }
        if (console_available() && !run_autoreload_pending()) {
            int c = console_getc(0, NULL);
            *skip_repl = c == CHAR_CTRL_D;
            if (*skip_repl) {
                c9rt.run_reason = C9RT_RUN_REPL_RELOAD;
            }
            return false;
        }
        if (!printed_press_any_key && !run_autoreload_pending()) {
            console_raw("\r\n");
            console_cookeds("Press any key to enter the REPL. Use CTRL-D to reload.\n");
            printed_press_any_key = true;
            if (last_run) {
                L->exit_now = true;
                return true;
            }
        }
        if (console_eof() && !run_autoreload_pending()) {
            /* stdin closed and nothing will ever be typed: stop, as unplugging would. */
            L->exit_now = true;
            return true;
        }
        Py_BEGIN_ALLOW_THREADS c9_port_idle(10000000u);
        Py_END_ALLOW_THREADS
    }
}

bool run_code_py(loop_t *L) {
    console_raw("\r\n");
    print_status_message();
    run_print_safe_mode_message(c9rt.safe_mode);

    bool skip_repl = false, skip_wait = false;
    unsigned options = 0;
    unsigned sticky_situation = C9RT_NEXT_NEWLY_SET;
    int result = EXEC_OK;
    bool ran = false;
    if (c9rt.safe_mode == C9RT_SAFE_NONE && !run_autoreload_pending()) {
        run_vm_start();
        result = run_program(&options);
        ran = true;
        end_of_program(L, result);
        if (result == EXEC_HARD_RESET) {
            /* microcontroller.reset() ends a run like any other: --runs counts it. */
            L->last_result = result;
            L->runs_done++;
            L->exit_now = L->opt->runs > 0 && L->runs_done >= L->opt->runs;
            return true;
        }
        what_next(result, options, &sticky_situation, &skip_repl, &skip_wait);
    }
    L->last_result = result;
    if (ran) {
        L->runs_done++;
    }
    bool last_run = L->opt->runs > 0 && L->runs_done >= L->opt->runs;
    if (!skip_wait && wait_for_key(L, last_run, &sticky_situation, &skip_repl)) {
        return true;
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
