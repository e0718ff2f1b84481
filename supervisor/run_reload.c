/* Auto-reload: a write to the drive stops the running program at once and the board restarts
 * 750 ms after the last write (CircuitPython's autoreload.c). The watcher thread reports writes;
 * the time is the port's one clock. */
#include "run_internal.h"

#include "circuit9/port.h"

#include <pthread.h>

#define AUTORELOAD_DELAY_MS 750

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile bool pending;
static uint64_t last_trigger_ms;
static volatile bool suspended;  /* in the REPL */
static volatile bool vm_running; /* user code is executing */

static uint64_t now_ms(void) {
    return c9_port_now_ns() / 1000000u;
}

static int raise_reload(void *arg) {
    (void)arg;
    /* Runs in the main thread at the next bytecode boundary; only a running program is stopped. */
    if (!vm_running) {
        return 0;
    }
    if (c9rt.io_hold) {
        /* A file system operation served by Python code finishes first (c9rt_io_hold_end). */
        c9rt.reload_deferred = true;
        return 0;
    }
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return -1;
}

void run_autoreload_on_write(void) {
    pthread_mutex_lock(&reload_lock);
    if (c9rt.autoreload && !suspended) {
        last_trigger_ms = now_ms();
        if (!pending) {
            pending = true;
            c9rt.run_reason = C9RT_RUN_AUTO_RELOAD;
            if (vm_running) {
                Py_AddPendingCall(raise_reload, NULL);
            }
        }
    }
    pthread_mutex_unlock(&reload_lock);
}

bool run_autoreload_ready(void) {
    pthread_mutex_lock(&reload_lock);
    bool ready = pending && !suspended && now_ms() - last_trigger_ms >= AUTORELOAD_DELAY_MS;
    pthread_mutex_unlock(&reload_lock);
    return ready;
}

bool run_autoreload_pending(void) {
    return pending;
}

void run_autoreload_reset(void) {
    pthread_mutex_lock(&reload_lock);
    pending = false;
    pthread_mutex_unlock(&reload_lock);
}

void run_autoreload_suspend(bool on) {
    suspended = on;
}

void run_set_vm_running(bool on) {
    vm_running = on;
}
