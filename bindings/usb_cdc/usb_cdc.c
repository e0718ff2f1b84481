/*
 * usb_cdc: the board's USB serial channels as usb_cdc.Serial streams. usb_cdc.console is the
 * console print() and input() use (reached through the supervisor's hooks in c9rt), usb_cdc.data
 * the second channel boot.py may enable, a port CDC channel (a pseudo-terminal on the host).
 * enable()/disable() work in boot.py only and take effect when USB starts after it.
 */
#include "c9py.h"
#include "c9rt.h"

#include "circuit9/port.h"

#include <errno.h>
#include <string.h>

enum { CH_CONSOLE, CH_DATA, CH_COUNT };

/* Timeouts in seconds, < 0 for None (wait forever), CircuitPython's defaults. They belong to the
 * channel, as the board's Serial objects are static: a setting outlives a reload. */
static double chan_timeout[CH_COUNT] = {-1.0, -1.0};
static double chan_write_timeout[CH_COUNT] = {-1.0, -1.0};

/* The longest single wait, so that Ctrl-C, auto-reload and background tasks stay prompt. */
#define SLICE_MS 20u

typedef struct {
    C9PY_OBJECT_HEAD int ch;
} serial_obj_t;
#define SELF ((serial_obj_t *)self)

static PyTypeObject Serial_Type;

/* ---- the channels ------------------------------------------------------------------------------ */

/* What has arrived, up to len, waiting at most wait_ms for the first byte. -1 with an exception. */
static int chan_read_now(int ch, uint8_t *buf, size_t len, uint32_t wait_ms, size_t *got) {
    *got = 0;
    if (ch == CH_CONSOLE) {
        if (!c9rt.console_read) {
            return 0;
        }
        while (*got < len) {
            /* console_read releases the GIL while it waits */
            int c = c9rt.console_read(*got == 0 ? (int)wait_ms : 0);
            if (c < 0) {
                break;
            }
            buf[(*got)++] = (uint8_t)c;
        }
        return 0;
    }
    c9_port_cdc_t *port = c9rt.usb_cdc_data_port;
    if (!port) {
        /* USB is not up yet (boot.py): nothing can arrive; the wait still passes. */
        return wait_ms ? c9rt_sleep_ns((uint64_t)wait_ms * 1000000u) : 0;
    }
    c9_err_t err;
    Py_BEGIN_ALLOW_THREADS err = c9_port_cdc_read(port, buf, len, wait_ms, got);
    Py_END_ALLOW_THREADS if (err != C9_OK) {
        c9py_raise(err);
        return -1;
    }
    return 0;
}

/* Queues up to len bytes, waiting at most wait_ms for room. -1 with an exception. */
static int chan_write_now(int ch, const uint8_t *data, size_t len, uint32_t wait_ms, size_t *done) {
    *done = 0;
    if (ch == CH_CONSOLE) {
        if (c9rt.console_write) {
            c9rt.console_write(data, len);
            *done = len;
        }
        return 0;
    }
    c9_port_cdc_t *port = c9rt.usb_cdc_data_port;
    if (!port) {
        return 0; /* USB is not up yet (boot.py): nothing is queued */
    }
    c9_err_t err;
    Py_BEGIN_ALLOW_THREADS err = c9_port_cdc_write(port, data, len, wait_ms, done);
    Py_END_ALLOW_THREADS if (err != C9_OK) {
        c9py_raise(err);
        return -1;
    }
    return 0;
}

/* CircuitPython's common_hal read and write: what can move at once, then, unless the timeout is
 * 0, more until len bytes moved or the timeout passed (None: until they all moved). Background
 * tasks run and Ctrl-C raises while waiting. Returns the bytes moved, or -1 with an exception. */
static Py_ssize_t serial_move(int ch, uint8_t *buf, size_t len, bool writing) {
    if (len == 0) {
        return 0;
    }
    double t = writing ? chan_write_timeout[ch] : chan_timeout[ch];
    size_t total = 0, n = 0;
    int rc = writing ? chan_write_now(ch, buf, len, 0, &total) : chan_read_now(ch, buf, len, 0, &total);
    if (rc < 0) {
        return -1;
    }
    if (writing && ch == CH_DATA && !c9rt.usb_cdc_data_port) {
        return 0; /* no channel to wait for */
    }
    uint64_t start = c9rt_now_ns(), limit = t > 0 ? (uint64_t)(t * 1e9) : 0;
    /* Slices that brought nothing count as waited even when the board's clock stood still
     * meanwhile (the stepped clock moves only in the runtime's own sleeps). */
    uint64_t waited = 0;
    while (t != 0 && total < len) {
        uint64_t elapsed = C9_MAX(c9rt_now_ns() - start, waited);
        if (t > 0 && elapsed > limit) {
            break;
        }
        uint32_t slice = SLICE_MS;
        if (t > 0 && (limit - elapsed) / 1000000u + 1 < slice) {
            slice = (uint32_t)((limit - elapsed) / 1000000u + 1);
        }
        c9rt_background_run();
        if (PyErr_CheckSignals() < 0 || Py_MakePendingCalls() < 0) {
            return -1;
        }
        rc = writing ? chan_write_now(ch, buf + total, len - total, slice, &n)
                     : chan_read_now(ch, buf + total, len - total, slice, &n);
        if (rc < 0) {
            return -1;
        }
        if (n == 0) {
            waited += (uint64_t)slice * 1000000u;
        }
        total += n;
    }
    return (Py_ssize_t)total;
}

static Py_ssize_t serial_read(PyObject *self, uint8_t *buf, size_t len) {
    return serial_move(SELF->ch, buf, len, false);
}

/* MicroPython's mp_stream_read_exactly: reads until len bytes or a read that brings nothing. */
static Py_ssize_t serial_read_exactly(PyObject *self, uint8_t *buf, size_t len) {
    size_t n = 0;
    while (n < len) {
        Py_ssize_t got = serial_read(self, buf + n, len - n);
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    return (Py_ssize_t)n;
}

/* ---- stream methods ---------------------------------------------------------------------------- */

/* read() and read(-1) gather until a read brings nothing; read(n) up to n bytes. */
static PyObject *serial_read_method(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 1, 2, false) < 0) {
        return NULL;
    }
    int32_t want = -1;
    if (PyTuple_GET_SIZE(args) == 1 && c9py_mp_int(PyTuple_GET_ITEM(args, 0), &want) < 0) {
        return NULL;
    }
    if (want < -1) {
        /* MicroPython sizes its buffer by the negative count and fails to allocate it */
        return PyErr_Format(PyExc_MemoryError, "memory allocation failed, allocating %u bytes", (unsigned)want);
    }
    size_t cap = want >= 0 ? (size_t)want : 256, n = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
    if (!out) {
        return NULL;
    }
    for (;;) {
        if (want >= 0) {
            Py_ssize_t got = serial_read_exactly(self, (uint8_t *)PyBytes_AS_STRING(out), cap);
            if (got < 0) {
                Py_DECREF(out);
                return NULL;
            }
            n = (size_t)got;
            break;
        }
        if (n == cap) {
            cap *= 2;
            if (_PyBytes_Resize(&out, (Py_ssize_t)cap) < 0) {
                return NULL;
            }
        }
        Py_ssize_t got = serial_read(self, (uint8_t *)PyBytes_AS_STRING(out) + n, cap - n);
        if (got < 0) {
            Py_DECREF(out);
            return NULL;
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    if (_PyBytes_Resize(&out, (Py_ssize_t)n) < 0) {
        return NULL;
    }
    return out;
}

/* readinto(buf[, nbytes]): at most nbytes, clamped to the buffer (a negative count is a huge one,
 * as MicroPython's unsigned length). */
static PyObject *serial_readinto(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 2, 3, false) < 0) {
        return NULL;
    }
    int32_t want = -1;
    if (PyTuple_GET_SIZE(args) == 2 && c9py_mp_int(PyTuple_GET_ITEM(args, 1), &want) < 0) {
        return NULL;
    }
    Py_buffer buf;
    if (c9py_get_buffer(PyTuple_GET_ITEM(args, 0), &buf, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    size_t limit = PyTuple_GET_SIZE(args) == 2 ? (size_t)(uint32_t)want : (size_t)buf.len;
    if (limit > (size_t)buf.len) {
        limit = (size_t)buf.len;
    }
    Py_ssize_t got = serial_read_exactly(self, buf.buf, limit);
    PyBuffer_Release(&buf);
    return got < 0 ? NULL : PyLong_FromSsize_t(got);
}

/* One byte at a time up to and including '\n', or size bytes; each byte waits the timeout. */
static PyObject *readline_n(PyObject *self, int32_t size) {
    PyObject *line = PyByteArray_FromStringAndSize("", 0);
    while (line && (size < 0 || PyByteArray_GET_SIZE(line) < size)) {
        uint8_t b;
        Py_ssize_t got = serial_read(self, &b, 1);
        if (got < 0) {
            Py_CLEAR(line);
            break;
        }
        if (got == 0) {
            break;
        }
        if (PyByteArray_Resize(line, PyByteArray_GET_SIZE(line) + 1) < 0) {
            Py_CLEAR(line);
            break;
        }
        PyByteArray_AS_STRING(line)[PyByteArray_GET_SIZE(line) - 1] = (char)b;
        if (b == '\n') {
            break;
        }
    }
    if (!line) {
        return NULL;
    }
    PyObject *r = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(line), PyByteArray_GET_SIZE(line));
    Py_DECREF(line);
    return r;
}

static PyObject *serial_readline(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 1, 2, false) < 0) {
        return NULL;
    }
    int32_t size = -1;
    if (PyTuple_GET_SIZE(args) == 1 && c9py_mp_int(PyTuple_GET_ITEM(args, 0), &size) < 0) {
        return NULL;
    }
    return readline_n(self, size);
}

static PyObject *serial_readlines(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    PyObject *lines = PyList_New(0);
    while (lines) {
        PyObject *line = readline_n(self, -1);
        if (!line) {
            Py_CLEAR(lines);
            break;
        }
        if (PyBytes_GET_SIZE(line) == 0) {
            Py_DECREF(line);
            break;
        }
        int rc = PyList_Append(lines, line);
        Py_DECREF(line);
        if (rc < 0) {
            Py_CLEAR(lines);
        }
    }
    return lines;
}

/* MicroPython's stream write: write(buf), write(buf, max_len), write(buf, off, max_len); the
 * offset is clamped to the buffer. A str is written as its UTF-8 bytes, as a board does. */
static PyObject *serial_write(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 2, 4, false) < 0) {
        return NULL;
    }
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    int32_t off = 0, max_len = -1;
    if ((nargs == 2 && c9py_mp_int(PyTuple_GET_ITEM(args, 1), &max_len) < 0) ||
        (nargs == 3 &&
         (c9py_mp_int(PyTuple_GET_ITEM(args, 1), &off) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 2), &max_len) < 0))) {
        return NULL;
    }
    PyObject *src = PyTuple_GET_ITEM(args, 0);
    PyObject *encoded = NULL;
    if (PyUnicode_Check(src)) {
        encoded = PyUnicode_AsUTF8String(src);
        if (!encoded) {
            return NULL;
        }
        src = encoded;
    }
    Py_buffer buf;
    int rc = c9py_get_buffer(src, &buf, PyBUF_SIMPLE);
    Py_XDECREF(encoded);
    if (rc < 0) {
        return NULL;
    }
    /* size_t arithmetic as MicroPython's: a negative count or offset is a huge one */
    size_t from = C9_MIN((size_t)(uint32_t)off, (size_t)buf.len);
    size_t len = C9_MIN((size_t)buf.len - from, nargs == 1 ? SIZE_MAX : (size_t)(uint32_t)max_len);
    /* mp_stream_write: repeated writes until all went or one moved nothing */
    size_t done = 0;
    Py_ssize_t n = 1;
    while (done < len && n > 0) {
        n = serial_move(SELF->ch, (uint8_t *)buf.buf + from + done, len - done, true);
        if (n > 0) {
            done += (size_t)n;
        }
    }
    PyBuffer_Release(&buf);
    return n < 0 ? NULL : PyLong_FromSize_t(done);
}

static PyObject *serial_flush(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    /* Bytes are handed to the host as they are written: nothing is held back. */
    Py_RETURN_NONE;
}

static size_t in_waiting(int ch) {
    if (ch == CH_CONSOLE) {
        return c9rt.serial_bytes_available ? c9rt.serial_bytes_available() : 0;
    }
    return c9rt.usb_cdc_data_port ? c9_port_cdc_in_waiting(c9rt.usb_cdc_data_port) : 0;
}

static size_t out_waiting(int ch) {
    return ch == CH_DATA && c9rt.usb_cdc_data_port ? c9_port_cdc_out_waiting(c9rt.usb_cdc_data_port) : 0;
}

/* MicroPython's stream ioctl, for select.poll() and asyncio: MP_STREAM_POLL (3) answers
 * POLLIN (1) when bytes wait and POLLOUT (4) when nothing is queued; MP_STREAM_FLUSH (1) is a
 * flush; anything else is EINVAL, as the board's stream protocol answers. */
static PyObject *serial_ioctl(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0) {
        return NULL;
    }
    int32_t req, arg;
    if (c9py_mp_int(PyTuple_GET_ITEM(args, 0), &req) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 1), &arg) < 0) {
        return NULL;
    }
    if (req == 3) {
        long ret = 0;
        if ((arg & 1) && in_waiting(SELF->ch) > 0) {
            ret |= 1;
        }
        if ((arg & 4) && out_waiting(SELF->ch) == 0) {
            ret |= 4;
        }
        return PyLong_FromLong(ret);
    }
    if (req == 1) {
        return PyLong_FromLong(0);
    }
    return c9rt_raise_errno(EINVAL);
}

static PyObject *serial_reset_input_buffer(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->ch == CH_CONSOLE) {
        if (c9rt.console_clear_input) {
            c9rt.console_clear_input();
        }
    } else if (c9rt.usb_cdc_data_port) {
        c9_port_cdc_clear_rx(c9rt.usb_cdc_data_port);
    }
    Py_RETURN_NONE;
}

static PyObject *serial_reset_output_buffer(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->ch == CH_DATA && c9rt.usb_cdc_data_port) {
        c9_port_cdc_clear_tx(c9rt.usb_cdc_data_port);
    }
    Py_RETURN_NONE;
}

static PyObject *serial_iter(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

/* mp_stream_unbuffered_iter: a line at a time until an empty one. */
static PyObject *serial_next(PyObject *self) {
    PyObject *line = readline_n(self, -1);
    if (line && PyBytes_GET_SIZE(line) == 0) {
        Py_DECREF(line);
        return NULL;
    }
    return line;
}

/* ---- properties -------------------------------------------------------------------------------- */

static PyObject *get_in_waiting(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromSize_t(in_waiting(SELF->ch));
}

static PyObject *get_out_waiting(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromSize_t(out_waiting(SELF->ch));
}

static PyObject *get_connected(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->ch == CH_CONSOLE) {
        return PyBool_FromLong(c9rt.console_write && c9rt.serial_connected);
    }
    return PyBool_FromLong(c9rt.usb_cdc_data_port && c9_port_cdc_connected(c9rt.usb_cdc_data_port));
}

static PyObject *timeout_value(double t) {
    return t < 0 ? Py_NewRef(Py_None) : PyFloat_FromDouble(t);
}

static int timeout_set(double *slot, PyObject *value) {
    if (!value) {
        PyErr_SetString(PyExc_AttributeError, "can't delete attribute");
        return -1;
    }
    double t = -1.0;
    if (value != Py_None && c9py_mp_float(value, &t) < 0) {
        return -1;
    }
    *slot = t;
    return 0;
}

static PyObject *get_timeout(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : timeout_value(chan_timeout[SELF->ch]);
}

static int set_timeout(PyObject *self, PyObject *value, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? -1 : timeout_set(&chan_timeout[SELF->ch], value);
}

static PyObject *get_write_timeout(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : timeout_value(chan_write_timeout[SELF->ch]);
}

static int set_write_timeout(PyObject *self, PyObject *value, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? -1 : timeout_set(&chan_write_timeout[SELF->ch], value);
}

#define KWMETH(fn) (PyCFunction)(void (*)(void))(fn), METH_VARARGS | METH_KEYWORDS

static PyMethodDef serial_methods[] = {
    {"flush", serial_flush, METH_NOARGS, "Force out any unwritten bytes, waiting until they are written."},
    {"read", KWMETH(serial_read_method), "Read at most ``size`` bytes."},
    {"readinto", KWMETH(serial_readinto), "Read bytes into the ``buf``."},
    {"readline", KWMETH(serial_readline), "Read a line ending in a newline character."},
    {"readlines", serial_readlines, METH_NOARGS, "Read multiple lines as a list."},
    {"write", KWMETH(serial_write), "Write as many bytes as possible from the buffer of bytes."},
    {"reset_input_buffer", serial_reset_input_buffer, METH_NOARGS, "Clears any unread bytes."},
    {"reset_output_buffer", serial_reset_output_buffer, METH_NOARGS, "Clears any unwritten bytes."},
    {"ioctl", KWMETH(serial_ioctl), "The stream protocol's control call (select.poll, asyncio)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef serial_getset[] = {
    {"in_waiting", get_in_waiting, NULL, "Returns the number of bytes waiting to be read.", NULL},
    {"out_waiting", get_out_waiting, NULL, "Returns the number of bytes waiting to be written.", NULL},
    {"connected", get_connected, NULL, "True if this Serial is connected to a host.", NULL},
    {"timeout", get_timeout, set_timeout, "The initial value of `timeout` is ``None``.", NULL},
    {"write_timeout", get_write_timeout, set_write_timeout, "The initial value of `write_timeout` is ``None``.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* MicroPython's print of a type without its own: the type's name in angle brackets. */
static PyObject *serial_repr(PyObject *self) {
    (void)self;
    return PyUnicode_FromString("<Serial>");
}

static PyObject *serial_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)t;
    (void)a;
    (void)k;
    PyErr_SetString(PyExc_TypeError, "cannot create 'Serial' instances");
    return NULL;
}

static PyTypeObject Serial_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "usb_cdc.Serial",
    .tp_basicsize = sizeof(serial_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Receives cdc commands over USB",
    .tp_new = serial_new_forbidden,
    .tp_repr = serial_repr,
    .tp_iter = serial_iter,
    .tp_iternext = serial_next,
    .tp_methods = serial_methods,
    .tp_getset = serial_getset,
};

/* ---- the module -------------------------------------------------------------------------------- */

/* Sets usb_cdc.console or usb_cdc.data to its Serial (kept when there is one) or None. */
static int set_channel(PyObject *m, const char *name, int ch, bool on) {
    if (!on) {
        return PyObject_SetAttrString(m, name, Py_None);
    }
    PyObject *cur = PyObject_GetAttrString(m, name);
    if (!cur) {
        return -1;
    }
    bool have = cur != Py_None;
    Py_DECREF(cur);
    if (have) {
        return 0;
    }
    PyObject *s = c9py_object_new(&Serial_Type);
    if (!s) {
        return -1;
    }
    ((serial_obj_t *)s)->ch = ch;
    int rc = PyObject_SetAttrString(m, name, s);
    Py_DECREF(s);
    return rc;
}

static PyObject *change(PyObject *m, bool console, bool data) {
    /* USB is set up once boot.py has run: its descriptors cannot change after that. */
    if (!c9rt.in_boot_py) {
        PyErr_SetString(PyExc_RuntimeError, "Cannot change USB devices now");
        return NULL;
    }
    c9rt.usb_cdc_console = console;
    c9rt.usb_cdc_data = data;
    if (set_channel(m, "console", CH_CONSOLE, console) < 0 || set_channel(m, "data", CH_DATA, data) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *usb_cdc_enable(PyObject *m, PyObject *args, PyObject *kw) {
    enum { ARG_console, ARG_data };
    static const c9py_arg_t allowed[] = {
        {"console", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"data", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    return change(m, a[ARG_console].u_bool, a[ARG_data].u_bool);
}

static PyObject *usb_cdc_disable(PyObject *m, PyObject *unused) {
    (void)unused;
    return change(m, false, false);
}

static PyMethodDef methods[] = {
    {"enable", (PyCFunction)(void (*)(void))usb_cdc_enable, METH_VARARGS | METH_KEYWORDS,
     "Enable or disable each CDC device. Can be called in ``boot.py``, before USB is connected."},
    {"disable", usb_cdc_disable, METH_NOARGS, "Do not present any USB CDC device to the host."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "usb_cdc", "USB CDC Serial streams", -1, methods};

PyObject *c9py_init_usb_cdc(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m || c9py_add_type(m, "Serial", &Serial_Type) < 0 || PyModule_AddObjectRef(m, "console", Py_None) < 0 ||
        PyModule_AddObjectRef(m, "data", Py_None) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    /* Outside `circuit9 run` there is no board's USB: both stay None. */
    if (c9rt.active && (set_channel(m, "console", CH_CONSOLE, c9rt.usb_cdc_console) < 0 ||
                        set_channel(m, "data", CH_DATA, c9rt.usb_cdc_data) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
