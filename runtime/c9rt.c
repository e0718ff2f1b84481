/* The shared board state (c9rt.h): paths through the file system (vfs.h), settings.toml,
 * the monotonic clock, CircuitPython's errno texts and interruptible sleeping. */
#include "c9rt.h"
#include "vfs.h"

#include "circuit9/port.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

c9rt_t c9rt = {.autoreload = true, .serial_connected = true, .usb_drive_enabled = true, .usb_cdc_console = true};

const char *const c9rt_safe_mode_names[] = {"NONE",
                                            "BROWNOUT",
                                            "FLASH_WRITE_FAIL",
                                            "GC_ALLOC_OUTSIDE_VM",
                                            "HARD_FAULT",
                                            "INTERRUPT_ERROR",
                                            "NLR_JUMP_FAIL",
                                            "NO_CIRCUITPY",
                                            "NO_HEAP",
                                            "PROGRAMMATIC",
                                            "SAFEMODE_PY_ERROR",
                                            "SDK_FATAL_ERROR",
                                            "STACK_OVERFLOW",
                                            "USB_BOOT_DEVICE_NOT_INTERFACE_ZERO",
                                            "USB_TOO_MANY_ENDPOINTS",
                                            "USB_TOO_MANY_INTERFACE_NAMES",
                                            "USER",
                                            "WATCHDOG",
                                            NULL};

PyObject *c9rt_reload_exception(void) {
    if (!c9rt.reload_exception) {
        /* A BaseException, so that `except Exception:` in user code cannot swallow a reload. */
        c9rt.reload_exception = PyErr_NewException("supervisor.ReloadException", PyExc_BaseException, NULL);
    }
    return c9rt.reload_exception;
}

uint64_t c9rt_now_ns(void) {
    return c9_port_now_ns(); /* the machine's one clock, counting from the board's start */
}

static const char *errno_text(int err) {
    switch (err) {
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file/directory";
    case EIO: return "Input/output error";
    case EBADF: return "Bad file descriptor";
    case EAGAIN: return "Try again";
    case ENOMEM: return "Out of memory";
    case EACCES: return "Permission denied";
    case EEXIST: return "File exists";
    case ENODEV: return "No such device";
    case ENOTDIR: return "Not a directory";
    case EISDIR: return "Is a directory";
    case EINVAL: return "Invalid argument";
    case ENOSPC: return "No space left on device";
    case EROFS: return "Read-only filesystem";
    case ENOTEMPTY: return "Directory not empty";
    case ENAMETOOLONG: return "File name too long";
    case EOPNOTSUPP: return "Operation not supported";
    default: return strerror(err);
    }
}

PyObject *c9rt_raise_errno(int err) {
    PyObject *args = Py_BuildValue("(is)", err, errno_text(err));
    if (args) {
        PyErr_SetObject(PyExc_OSError, args);
        Py_DECREF(args);
    }
    return NULL;
}

int c9rt_abspath(const char *path, char *out, size_t out_size) {
    char buf[1024];
    int n;
    if (path[0] == '/') {
        n = snprintf(buf, sizeof buf, "%s", path);
    } else {
        PyObject *cwd = c9rt_vfs_getcwd();
        const char *c = cwd ? PyUnicode_AsUTF8(cwd) : NULL;
        if (!c) {
            Py_XDECREF(cwd);
            return -1;
        }
        n = snprintf(buf, sizeof buf, "%s/%s", c, path);
        Py_DECREF(cwd);
    }
    if (n < 0 || (size_t)n >= sizeof buf) {
        c9rt_raise_errno(ENAMETOOLONG);
        return -1;
    }
    /* Normalise component by component; ".." stops at the root as on a FAT volume. */
    size_t len = 0;
    char *save = NULL;
    out[0] = 0;
    for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, ".")) {
            continue;
        }
        if (!strcmp(c, "..")) {
            char *slash = strrchr(out, '/');
            len = slash ? (size_t)(slash - out) : 0;
            out[len] = 0;
            continue;
        }
        size_t cl = strlen(c);
        if (len + 1 + cl + 1 > out_size) {
            c9rt_raise_errno(ENAMETOOLONG);
            return -1;
        }
        out[len++] = '/';
        memcpy(out + len, c, cl + 1);
        len += cl;
    }
    if (len == 0) {
        if (out_size < 2) {
            c9rt_raise_errno(ENAMETOOLONG);
            return -1;
        }
        strcpy(out, "/");
    }
    return 0;
}

int c9rt_map_path(const char *path, char *host, size_t host_size, bool *readonly) {
    return c9rt_vfs_resolve(path, host, host_size, readonly);
}

int c9rt_read_host_settings(const char *path, char **out, size_t *len) {
    *out = NULL;
    /* Not blocking on a FIFO, and only a regular file: a device (a link to /dev/zero) or a pipe
     * never ends, and a board's drive holds neither. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return ENOENT;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ENOENT;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int err = 0;
    for (;;) {
        if (!buf) {
            err = ENOMEM;
            break;
        }
        if (n == cap) {
            if (cap > C9RT_SETTINGS_MAX) {
                err = EFBIG;
                break;
            }
            size_t bigger = C9_MIN(cap * 2, (size_t)C9RT_SETTINGS_MAX + 1);
            char *more = realloc(buf, bigger);
            if (!more) {
                free(buf);
            }
            buf = more;
            cap = bigger;
            continue;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        const char *nul = memchr(buf + n, 0, (size_t)got);
        if (nul) {
            n = (size_t)(nul - buf); /* the scanner stops here anyway: so does the read */
            break;
        }
        n += (size_t)got;
    }
    close(fd);
    if (!err && n > C9RT_SETTINGS_MAX) {
        err = EFBIG;
    }
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = n;
    return 0;
}

char *c9rt_read_settings(size_t *len) {
    const char *rest;
    PyObject *obj = c9rt_vfs_obj(c9rt_vfs_lookup("/settings.toml", &rest));
    if (!obj) {
        return NULL;
    }
    /* A file of the host's tree (the drive's folder, the unix port's VfsPosix at ".") is read with
     * the limits above: a link to /dev/zero or a FIFO on the drive never ends. */
    char host[PATH_MAX + 16];
    bool readonly;
    const char *path = c9rt_vfs_is_posix(obj) ? "settings.toml" : NULL;
    if (!path) {
        if (c9rt_map_path("/settings.toml", host, sizeof host, &readonly) == 0) {
            path = host;
        } else {
            PyErr_Clear(); /* a FAT volume: its file system reads it */
        }
    }
    if (path) {
        char *buf;
        int err = c9rt_read_host_settings(path, &buf, len);
        if (err == ENOMEM) {
            PyErr_NoMemory();
        } else if (err && err != ENOENT) {
            c9rt_raise_errno(err);
        }
        return buf;
    }
    PyObject *data = c9rt_vfs_read_file("/settings.toml");
    if (!data) {
        /* No settings.toml (or no file system): every key has its default. */
        PyErr_Clear();
        return NULL;
    }
    size_t n = (size_t)PyBytes_GET_SIZE(data);
    const char *nul = memchr(PyBytes_AS_STRING(data), 0, n);
    if (nul) {
        n = (size_t)(nul - PyBytes_AS_STRING(data)); /* the scanner's end of file */
    }
    if (n > C9RT_SETTINGS_MAX) {
        Py_DECREF(data);
        c9rt_raise_errno(EFBIG);
        return NULL;
    }
    char *buf = malloc(n + 1);
    if (buf) {
        *len = n;
        memcpy(buf, PyBytes_AS_STRING(data), n);
    } else {
        PyErr_NoMemory();
    }
    Py_DECREF(data);
    return buf;
}

static struct {
    void (*fn)(void *);
    void *ctx;
} background[16];

int c9rt_background_add(void (*fn)(void *ctx), void *ctx) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(background); i++) {
        if (!background[i].fn) {
            background[i].fn = fn;
            background[i].ctx = ctx;
            return 0;
        }
    }
    return -1;
}

void c9rt_background_remove(void (*fn)(void *ctx), void *ctx) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(background); i++) {
        if (background[i].fn == fn && background[i].ctx == ctx) {
            background[i].fn = NULL;
        }
    }
}

void c9rt_background_run(void) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(background); i++) {
        if (background[i].fn) {
            background[i].fn(background[i].ctx);
        }
    }
}

static struct {
    void (*fn)(void *);
    void *ctx;
} resetters[16];

int c9rt_reset_add(void (*fn)(void *ctx), void *ctx) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(resetters); i++) {
        if (resetters[i].fn == fn && resetters[i].ctx == ctx) {
            return 0;
        }
    }
    for (size_t i = 0; i < C9_ARRAY_SIZE(resetters); i++) {
        if (!resetters[i].fn) {
            resetters[i].fn = fn;
            resetters[i].ctx = ctx;
            return 0;
        }
    }
    return -1;
}

void c9rt_reset_run(void) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(resetters); i++) {
        if (resetters[i].fn) {
            resetters[i].fn(resetters[i].ctx);
        }
    }
}

int c9rt_sleep_ns(uint64_t ns) {
    uint64_t end = c9_port_now_ns() + ns;
    for (;;) {
        if (Py_MakePendingCalls() < 0 || PyErr_CheckSignals() < 0) {
            return -1;
        }
        c9rt_background_run();
        uint64_t now = c9_port_now_ns();
        if (now >= end) {
            return 0;
        }
        /* Short slices keep Ctrl-C and auto-reload prompt, as on a board where any interrupt
         * ends the sleep early. */
        uint64_t slice = C9_MIN(end - now, (uint64_t)10000000);
        Py_BEGIN_ALLOW_THREADS c9_port_idle(slice);
        Py_END_ALLOW_THREADS
    }
}

/* ---- holding interrupts during file system operations -------------------------------------- */

static PyObject *saved_handler; /* SIGINT's Python handler while held, or NULL */
static bool interrupt_pending;

static PyObject *hold_handler(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    if (interrupt_pending) {
        /* A second Ctrl-C: the operation may never end, so it is cut short now. */
        interrupt_pending = false;
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
    }
    interrupt_pending = true;
    Py_RETURN_NONE;
}

static PyMethodDef hold_def = {"_c9_hold_interrupt", hold_handler, METH_VARARGS, NULL};

/* signal.signal(SIGINT, handler). CPython runs the pending signal handlers before it changes one:
 * a Ctrl-C that arrived just before (or that the last hold's end passed on) raises
 * KeyboardInterrupt there. That is the interrupt the hold defers, not a failure: it is kept
 * pending and the handler is set again. */
static PyObject *set_sigint(PyObject *signal, PyObject *handler) {
    PyObject *old = PyObject_CallMethod(signal, "signal", "iO", 2, handler);
    if (!old && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        PyErr_Clear();
        interrupt_pending = true;
        old = PyObject_CallMethod(signal, "signal", "iO", 2, handler);
    }
    return old;
}

static int raise_deferred_reload(void *arg) {
    (void)arg;
    PyObject *e = c9rt_reload_exception();
    if (e) {
        PyErr_SetNone(e);
    }
    return -1;
}

void c9rt_io_hold_begin(void) {
    if (c9rt.io_hold++ > 0) {
        return;
    }
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyObject *signal = PyImport_ImportModuleLevel("signal", NULL, NULL, NULL, 0);
    PyObject *fn = PyCFunction_New(&hold_def, NULL);
    PyObject *old = signal && fn ? set_sigint(signal, fn) : NULL;
    if (old) {
        saved_handler = old;
    } else {
        PyErr_Clear(); /* not the main thread: nothing is held */
    }
    Py_XDECREF(fn);
    Py_XDECREF(signal);
    PyErr_Restore(t, v, tb);
}

void c9rt_io_hold_end(void) {
    if (c9rt.io_hold == 0 || --c9rt.io_hold > 0) {
        return;
    }
    if (saved_handler) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *signal = PyImport_ImportModuleLevel("signal", NULL, NULL, NULL, 0);
        PyObject *r = signal ? set_sigint(signal, saved_handler) : NULL;
        Py_XDECREF(r);
        Py_XDECREF(signal);
        Py_CLEAR(saved_handler);
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
    }
    if (interrupt_pending) {
        interrupt_pending = false;
        PyErr_SetInterrupt(); /* KeyboardInterrupt at the program's next step */
    }
    if (c9rt.reload_deferred) {
        c9rt.reload_deferred = false;
        Py_AddPendingCall(raise_deferred_reload, NULL);
    }
}

void c9rt_usb_cdc_set_defaults(void) {
    c9rt.usb_cdc_console = true;
    c9rt.usb_cdc_data = false;
}

void c9rt_usb_cdc_connect(void) {
    if (c9rt.usb_cdc_data && !c9rt.usb_cdc_data_port) {
        /* TinyUSB numbers the enabled channels from 0: data is 1 behind a console, else 0. */
        c9_err_t err = c9_port_cdc_open(c9rt.usb_cdc_console ? 1 : 0, "usb_cdc.data", &c9rt.usb_cdc_data_port);
        if (err != C9_OK) {
            c9rt.usb_cdc_data_port = NULL;
            fprintf(stderr, "circuit9: usb_cdc.data has no channel (%s)\n", c9_strerror(err));
        }
    } else if (!c9rt.usb_cdc_data && c9rt.usb_cdc_data_port) {
        c9_port_cdc_close(c9rt.usb_cdc_data_port);
        c9rt.usb_cdc_data_port = NULL;
    }
}
