/* What the parts of `circuit9 run` share (run.c: start-up and the session loop; run_reload.c:
 * auto-reload; run_exec.c: running a file; run_boot.c: safe mode and boot.py; run_repl.c: the
 * REPL; run_code.c: code.py and the wait after it). Not an API outside supervisor/. */
#ifndef C9_SUP_RUN_INTERNAL_H
#define C9_SUP_RUN_INTERNAL_H

#include "c9py.h"
#include "c9rt.h"
#include "run.h"

#define C9_VERSION_INFO_FMT "Adafruit CircuitPython " C9_CP_VERSION " on " C9_CP_BUILD_DATE "; %s with %s"

#define CHAR_CTRL_C 3
#define CHAR_CTRL_D 4

/* How a program (or a REPL line) ended. */
enum { EXEC_OK, EXEC_EXCEPTION, EXEC_RELOAD, EXEC_FORCED_EXIT, EXEC_HARD_RESET };

/* "Adafruit CircuitPython 9.2.9 on <date>; <board> with <mcu>": the REPL banner, boot_out.txt. */
extern char run_version_info[256];

/* ---- auto-reload (run_reload.c) --------------------------------------------------------------- */

/* The file watcher's callback (any thread): a write to the drive starts the reload delay and,
 * while user code runs, stops it at its next bytecode. */
void run_autoreload_on_write(void);
/* A write came and the delay (750 ms since the last one) has passed. */
bool run_autoreload_ready(void);
/* A reload is waiting for its delay. */
bool run_autoreload_pending(void);
void run_autoreload_reset(void);
/* The REPL suspends auto-reload while it runs. */
void run_autoreload_suspend(bool on);
/* Whether user code is executing: only then does a write stop it. */
void run_set_vm_running(bool on);

/* ---- running files (run_exec.c) -------------------------------------------------------------- */

/* Prints the pending exception as CircuitPython does, keeps it for
 * supervisor.get_previous_traceback() when store, clears it. */
void run_print_exception(bool store);
/* Classifies how a program ended (result NULL: the pending exception) and reports it. */
int run_finish_exec(PyObject *result, bool store_traceback);
/* "<file> output:" and the first of names that exists on the drive; -1 when none does. */
int run_maybe_run_list(const char *const *names, size_t n, bool store_traceback);
/* start_mp()/stop_mp(): what a fresh VM means to user code. */
void run_vm_start(void);
void run_vm_cleanup(void);

/* ---- the network (run_net.c) ------------------------------------------------------------------ */

struct c9_port_config;
/* The port's network settings from settings.toml (the access point, CIRCUIT9_HOSTS,
 * CIRCUIT9_CA_FILE) and --sockets (0: the board's limit). */
void run_net_config(struct c9_port_config *port, unsigned sockets);
/* Whenever user code starts: connects the station when settings.toml has credentials. */
void run_net_start(void);
/* Whenever user code ends: closes its sockets, resets a radio it brought up itself. */
void run_net_reset(void);

/* ---- safe mode and boot (run_boot.c) ---------------------------------------------------------- */

void run_print_safe_mode_message(int reason);
/* safemode.py, in safe mode (not for USER). */
void run_safemode_py(void);
/* boot.py once, its output in boot_out.txt. */
void run_boot_py(void);

/* ---- the REPL (run_repl.c) -------------------------------------------------------------------- */

/* Until Ctrl-D or the end of input; returns how it ended (EXEC_*). */
int run_repl(void);

/* ---- code.py (run_code.c) --------------------------------------------------------------------- */

typedef struct loop {
    const run_options_t *opt;
    int runs_done;
    int last_result;
    bool exit_now;
} loop_t;

/* One code.py run and the wait after it (what CircuitPython's run_code_py() does); returns true
 * to skip the REPL. */
bool run_code_py(loop_t *L);

#endif
