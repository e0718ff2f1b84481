#define _GNU_SOURCE
#include "console.h"

#include "c9py.h"
#include "c9rt.h"
#include "displayio/displayio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int in_fd = 0, out_fd = 1;
static int pty_slave = -1; /* kept open so the master never sees a hang-up between clients */
static bool terminal;      /* output is a terminal: CircuitPython's exact bytes */
static bool restore_tty;
static struct termios saved_tio;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned char ring[4096];
static size_t head, count;
static bool eof;
static volatile bool interrupt_on;
static pthread_t reader;

static char *capture;
static size_t capture_len;
static bool capturing, capture_full;

#define BOOT_OUT_LIMIT 508

static void write_all(const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(out_fd, s, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void capture_add(const char *s, size_t n) {
    if (!capturing || capture_full) {
        return;
    }
    if (capture_len + n > BOOT_OUT_LIMIT) {
        s = "...\n";
        n = 4;
        capture_full = true;
    }
    char *c = realloc(capture, capture_len + n + 1);
    if (!c) {
        return;
    }
    capture = c;
    memcpy(capture + capture_len, s, n);
    capture_len += n;
    capture[capture_len] = 0;
}

/* The display's terminal always gets CircuitPython's bytes (CR LF, line clears), whatever the
 * serial side is; boot.py's output too, as a board shows it before USB is up. */
static void display_cooked(const char *s, size_t len) {
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            c9py_terminal_write(s + start, i - start);
            c9py_terminal_write("\r\n", 2);
            start = i + 1;
        }
    }
    c9py_terminal_write(s + start, len - start);
}

void console_serial_write(const char *s, size_t len) {
    write_all(s, len);
}

void console_display(const char *s, size_t len) {
    c9py_terminal_write(s, len);
}

void console_raw(const char *s) {
    size_t n = strlen(s);
    c9py_terminal_write(s, n);
    if (capturing) {
        /* boot.py runs before USB is up: its output only reaches boot_out.txt. */
        capture_add(s, n);
        return;
    }
    if (terminal) {
        write_all(s, n);
        return;
    }
    /* Plain output: drop the CR of CR LF so logs have ordinary lines. */
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\r') {
            write_all(&s[i], 1);
        }
    }
}

void console_cooked(const char *s, size_t len) {
    display_cooked(s, len);
    if (capturing) {
        capture_add(s, len);
        return;
    }
    if (!terminal) {
        write_all(s, len);
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            write_all(s + start, i - start);
            write_all("\r\n", 2);
            start = i + 1;
        }
    }
    write_all(s + start, len - start);
}

void console_cookeds(const char *s) {
    console_cooked(s, strlen(s));
}

void console_line_clear(void) {
    c9py_terminal_write("\x1b[2K\x1b[0G", 8);
    if (terminal && !capturing) {
        write_all("\x1b[2K\x1b[0G", 8);
    }
}

void console_capture_start(void) {
    free(capture);
    capture = NULL;
    capture_len = 0;
    capture_full = false;
    capturing = true;
}

char *console_capture_stop(size_t *len) {
    capturing = false;
    char *c = capture ? capture : strdup("");
    *len = capture ? capture_len : 0;
    capture = NULL;
    capture_len = 0;
    return c;
}

/* Queues input bytes (lock held): Ctrl-C while code runs is a KeyboardInterrupt instead. */
static void queue_input(const unsigned char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == 3 && interrupt_on) {
            /* Thread-safe: raises KeyboardInterrupt in the main thread at the next check. */
            PyErr_SetInterrupt();
            count = 0;
            continue;
        }
        if (count < sizeof ring) {
            ring[(head + count++) % sizeof ring] = buf[i];
        }
    }
    pthread_cond_broadcast(&cond);
}

void console_inject(const char *bytes, size_t len) {
    pthread_mutex_lock(&lock);
    queue_input((const unsigned char *)bytes, len);
    pthread_mutex_unlock(&lock);
}

static void *reader_main(void *arg) {
    (void)arg;
    unsigned char buf[256];
    for (;;) {
        ssize_t n = read(in_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EIO && pty_slave >= 0) {
            /* No client on the pty right now; wait for one. */
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
            continue;
        }
        pthread_mutex_lock(&lock);
        if (n <= 0) {
            eof = true;
            pthread_cond_broadcast(&cond);
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        queue_input(buf, (size_t)n);
        pthread_mutex_unlock(&lock);
    }
}

int console_open(bool pty) {
    if (pty) {
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
            perror("circuit9: pseudo-terminal");
            return -1;
        }
        const char *name = ptsname(m);
        pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (pty_slave >= 0) {
            /* Raw by default, as a USB CDC port is: terminal programs may change it. */
            struct termios t;
            if (tcgetattr(pty_slave, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(pty_slave, TCSANOW, &t);
            }
        }
        fprintf(stderr, "circuit9: serial console on %s\n", name);
        fflush(stderr);
        in_fd = out_fd = m;
        terminal = true;
    } else {
        in_fd = 0;
        out_fd = 1;
        terminal = isatty(1);
        if (isatty(0) && tcgetattr(0, &saved_tio) == 0) {
            /* Bytes, not lines, and Ctrl-C as a byte: the board's console semantics. Output
             * processing stays on, so the terminal also copes with plain "\n". */
            struct termios t = saved_tio;
            t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
            t.c_iflag &= ~(IXON | ICRNL);
            t.c_cc[VMIN] = 1;
            t.c_cc[VTIME] = 0;
            if (tcsetattr(0, TCSANOW, &t) == 0) {
                restore_tty = true;
            }
        }
    }
    if (pthread_create(&reader, NULL, reader_main, NULL) != 0) {
        fputs("circuit9: cannot start the console reader\n", stderr);
        return -1;
    }
    pthread_detach(reader);
    return 0;
}

void console_close(void) {
    if (restore_tty) {
        tcsetattr(0, TCSANOW, &saved_tio);
        restore_tty = false;
    }
}

void console_set_interrupt(bool on) {
    interrupt_on = on;
}

size_t console_available(void) {
    pthread_mutex_lock(&lock);
    size_t n = count;
    pthread_mutex_unlock(&lock);
    return n;
}

void console_clear_input(void) {
    pthread_mutex_lock(&lock);
    count = 0;
    pthread_mutex_unlock(&lock);
}

bool console_eof(void) {
    pthread_mutex_lock(&lock);
    bool e = eof && count == 0;
    pthread_mutex_unlock(&lock);
    return e;
}

int console_getc(int timeout_ms, volatile bool *wake) {
    int c = -1;
    Py_BEGIN_ALLOW_THREADS pthread_mutex_lock(&lock);
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    if (timeout_ms >= 0) {
        end.tv_sec += timeout_ms / 1000;
        end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (end.tv_nsec >= 1000000000L) {
            end.tv_sec++;
            end.tv_nsec -= 1000000000L;
        }
    }
    for (;;) {
        if (count > 0) {
            c = ring[head];
            head = (head + 1) % sizeof ring;
            count--;
            break;
        }
        if (eof || (wake && *wake)) {
            c = -2;
            break;
        }
        if (timeout_ms < 0) {
            /* Wake up now and then so *wake is seen even without a signal. */
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            t.tv_nsec += 20000000L;
            if (t.tv_nsec >= 1000000000L) {
                t.tv_sec++;
                t.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&cond, &lock, &t);
        } else if (pthread_cond_timedwait(&cond, &lock, &end) == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    Py_END_ALLOW_THREADS return c;
}

/* ---- Python stdout / stdin ---------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
} con_obj_t;

static PyObject *con_write(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t n;
    const char *s;
    if (PyUnicode_Check(arg)) {
        s = PyUnicode_AsUTF8AndSize(arg, &n);
    } else {
        Py_buffer b;
        if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        console_cooked(b.buf, (size_t)b.len);
        n = b.len;
        PyBuffer_Release(&b);
        return PyLong_FromSsize_t(n);
    }
    if (!s) {
        return NULL;
    }
    console_cooked(s, (size_t)n);
    return PyLong_FromSsize_t(PyUnicode_GetLength(arg));
}

static PyObject *con_flush(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    Py_RETURN_NONE;
}

static PyObject *con_true(PyObject *self, PyObject *noargs) {
    (void)self;
    (void)noargs;
    Py_RETURN_TRUE;
}

/* Waits for one byte, letting Ctrl-C (a pending signal) and auto-reload (a pending call) raise,
 * and running the board's background tasks (its windows, audio, keypad scans) meanwhile. */
static int read_byte(void) {
    for (;;) {
        c9rt_background_run();
        int c = console_getc(20, NULL);
        if (c >= 0) {
            return c;
        }
        if (c == -2) {
            return -2;
        }
        if (PyErr_CheckSignals() < 0 || Py_MakePendingCalls() < 0) {
            return -1;
        }
    }
}

static PyObject *con_read(PyObject *self, PyObject *args) {
    (void)self;
    Py_ssize_t n = -1;
    if (!PyArg_ParseTuple(args, "|n", &n)) {
        return NULL;
    }
    if (n < 0) {
        n = 1;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (!out) {
        return NULL;
    }
    Py_ssize_t i = 0;
    for (; i < n; i++) {
        int c = read_byte();
        if (c == -1) {
            Py_DECREF(out);
            return NULL;
        }
        if (c == -2) {
            break;
        }
        PyBytes_AS_STRING(out)[i] = (char)c;
    }
    PyObject *s = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(out), i, "replace");
    Py_DECREF(out);
    return s;
}

/* A line with echo and backspace, as MicroPython's stdin readline on a board. */
static PyObject *con_readline(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    char buf[1024];
    size_t n = 0;
    for (;;) {
        int c = read_byte();
        if (c == -1) {
            return NULL;
        }
        if (c == -2) {
            break;
        }
        if (c == '\r' || c == '\n') {
            console_raw("\r\n");
            buf[n++] = '\n';
            break;
        }
        if (c == 8 || c == 127) {
            if (n > 0) {
                n--;
                console_raw("\b \b");
            }
            continue;
        }
        if (n < sizeof buf - 2) {
            buf[n++] = (char)c;
            char e[2] = {(char)c, 0};
            console_raw(e);
        }
    }
    return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, "replace");
}

static PyMethodDef out_methods[] = {
    {"write", con_write, METH_O, NULL},
    {"flush", con_flush, METH_NOARGS, NULL},
    {"isatty", con_true, METH_NOARGS, NULL},
    {"writable", con_true, METH_NOARGS, NULL},
    {NULL},
};

static PyMethodDef in_methods[] = {
    {"read", con_read, METH_VARARGS, NULL},
    {"readline", con_readline, METH_VARARGS, NULL},
    {"isatty", con_true, METH_NOARGS, NULL},
    {"readable", con_true, METH_NOARGS, NULL},
    {NULL},
};

static PyObject *get_encoding(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyUnicode_FromString("utf-8");
}

static PyGetSetDef con_getset[] = {{"encoding", get_encoding, NULL, NULL, NULL}, {NULL}};

static PyTypeObject out_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "circuit9.Console",
    .tp_basicsize = sizeof(con_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = out_methods,
    .tp_getset = con_getset,
};

static PyTypeObject in_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "circuit9.ConsoleInput",
    .tp_basicsize = sizeof(con_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = in_methods,
    .tp_getset = con_getset,
};

PyObject *console_stdout_new(void) {
    if (PyType_Ready(&out_type) < 0) {
        return NULL;
    }
    return (PyObject *)PyObject_New(con_obj_t, &out_type);
}

PyObject *console_stdin_new(void) {
    if (PyType_Ready(&in_type) < 0) {
        return NULL;
    }
    return (PyObject *)PyObject_New(con_obj_t, &in_type);
}
