/* busio: SPI, I2C and UART on the machine's controllers (port.h), with CircuitPython 9.2.9's lock
 * rules (transfers need the lock this object took with try_lock()), buffer bounds counted in the
 * buffer's items, and its messages. */
#include "c9py.h"
#include "busio/busio.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

/* ---- shared ------------------------------------------------------------------------------------ */

/* A buffer argument with shared-bindings' normalize_buffer_bounds: start and end count items (an
 * array('H') has 2-byte items), as Python slices, clamped; *from and *len come back in bytes. */
static int buffer_arg(PyObject *obj, int flags, long start, long end, Py_buffer *view, Py_ssize_t *from,
                      Py_ssize_t *len) {
    if (c9py_get_buffer(obj, view, flags | PyBUF_FORMAT | PyBUF_ND) < 0) { /* a memoryview refuses FORMAT without ND */
        return -1;
    }
    Py_ssize_t item = view->itemsize > 0 ? view->itemsize : 1;
    Py_ssize_t n = view->len / item;
    end = end < 0 ? end + n : C9_MIN(end, (long)n);
    start = start < 0 ? start + n : start;
    start = C9_MAX(start, 0L);
    start = C9_MIN(start, (long)n);
    end = C9_MAX(end, start);
    *from = start * item;
    *len = (end - start) * item;
    return 0;
}

static PyObject *function_requires_lock(void) {
    PyErr_SetString(PyExc_RuntimeError, "Function requires lock");
    return NULL;
}

/* ---- SPI ------------------------------------------------------------------------------------ */

#define SPI ((c9py_spi_obj_t *)self)
#define EIO_NUMBER 5 /* MP_EIO */

static int spi_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_clock, ARG_MOSI, ARG_MISO, ARG_half_duplex };
    static const c9py_arg_t allowed[] = {
        {"clock", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"MOSI", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"MISO", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"half_duplex", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[4];
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return -1;
    }
    int c = c9py_pin_arg(a[ARG_clock].u_obj, "clock", false), o = c9py_pin_arg(a[ARG_MOSI].u_obj, "MOSI", true),
        i = c9py_pin_arg(a[ARG_MISO].u_obj, "MISO", true);
    if (c == -1 || o == -1 || i == -1) {
        return -1;
    }
    if (o < 0 && i < 0) {
        PyErr_SetString(PyExc_ValueError, "Must provide MISO or MOSI pin");
        return -1;
    }
    if (a[ARG_half_duplex].u_bool) {
        PyErr_SetString(PyExc_NotImplementedError, "half_duplex is not supported");
        return -1;
    }
    if (c9py_pin_claim(c, "clock") < 0) {
        return -1;
    }
    if (o >= 0 && c9py_pin_claim(o, "MOSI") < 0) {
        c9_port_pin_release(c);
        return -1;
    }
    if (i >= 0 && c9py_pin_claim(i, "MISO") < 0) {
        c9_port_pin_release(c);
        c9_port_pin_release(o);
        return -1;
    }
    int mosi = o < 0 ? -1 : o, miso = i < 0 ? -1 : i;
    c9_port_spi_t *spi = NULL;
    c9_err_t err = c9_port_spi_open(c, mosi, miso, &spi);
    if (err != C9_OK) {
        c9_port_pin_release(c);
        c9_port_pin_release(mosi);
        c9_port_pin_release(miso);
        static const c9py_err_override_t open_errors[] = {
            {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pins"},
            {C9_ERR_BUSY, &PyExc_ValueError, "All SPI peripherals are in use"},
            {C9_OK},
        };
        return c9py_fail(err, open_errors);
    }
    SPI->clock = c;
    SPI->mosi = mosi;
    SPI->miso = miso;
    SPI->deinited = false;
    SPI->has_lock = false;
    SPI->busy = 0;
    SPI->deinit_pending = false;
    SPI->spi = spi;
    return 0;
}
C9PY_DEFINE_INIT(spi_init, spi_construct)

static void spi_release(PyObject *self) {
    if (SPI->busy) {
        SPI->deinit_pending = true; /* the transfer under way finishes first */
        SPI->deinited = true;
        return;
    }
    if (SPI->spi) {
        c9_port_pin_release(SPI->clock);
        c9_port_pin_release(SPI->mosi);
        c9_port_pin_release(SPI->miso);
        c9_port_spi_close(SPI->spi);
        SPI->spi = NULL;
    }
    SPI->deinited = true;
}

static void spi_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        SPI->busy = 0;
        spi_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int spi_alive(PyObject *self) {
    return c9py_alive(self, SPI->deinited);
}

/* Around a transfer that may run a device model's Python code. */
static void spi_enter(PyObject *self) {
    SPI->busy++;
}

static void spi_leave(PyObject *self) {
    if (--SPI->busy == 0 && SPI->deinit_pending) {
        SPI->deinit_pending = false;
        spi_release(self);
    }
}

static PyObject *spi_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    spi_release(self);
    Py_RETURN_NONE;
}

/* ---- the SPI and I2C buses as display buses see them (c9py_spi_hal, c9py_i2c_hal) ------------ */

static bool hal_spi_try_lock(void *ctx) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return false; /* deinitialised: nobody can lock it, as on a board */
    }
    c9_hal_spi_t h = c9_port_spi_hal(s->spi);
    return h.try_lock(h.ctx);
}

static void hal_spi_unlock(void *ctx) {
    c9py_spi_obj_t *s = ctx;
    if (s->spi) {
        c9_hal_spi_t h = c9_port_spi_hal(s->spi);
        h.unlock(h.ctx);
    }
}

static c9_err_t hal_spi_configure(void *ctx, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return C9_ERR_BADF;
    }
    c9_hal_spi_t h = c9_port_spi_hal(s->spi);
    return h.configure(h.ctx, baudrate, polarity, phase, bits);
}

static c9_err_t hal_spi_write(void *ctx, const uint8_t *data, size_t len) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return C9_ERR_BADF;
    }
    c9_hal_spi_t h = c9_port_spi_hal(s->spi);
    return h.write(h.ctx, data, len);
}

c9_hal_spi_t c9py_spi_hal(PyObject *spi) {
    return (c9_hal_spi_t){hal_spi_try_lock, hal_spi_unlock, hal_spi_configure, hal_spi_write, spi};
}

static bool hal_i2c_try_lock(void *ctx) {
    c9py_i2c_obj_t *b = ctx;
    if (!b->i2c) {
        return false;
    }
    c9_hal_i2c_t h = c9_port_i2c_hal(b->i2c);
    return h.try_lock(h.ctx);
}

static void hal_i2c_unlock(void *ctx) {
    c9py_i2c_obj_t *b = ctx;
    if (b->i2c) {
        c9_hal_i2c_t h = c9_port_i2c_hal(b->i2c);
        h.unlock(h.ctx);
    }
}

static c9_err_t hal_i2c_write(void *ctx, uint8_t address, const uint8_t *data, size_t len) {
    c9py_i2c_obj_t *b = ctx;
    if (!b->i2c) {
        return C9_ERR_BADF;
    }
    c9_hal_i2c_t h = c9_port_i2c_hal(b->i2c);
    return h.write(h.ctx, address, data, len);
}

c9_hal_i2c_t c9py_i2c_hal(PyObject *i2c) {
    return (c9_hal_i2c_t){hal_i2c_try_lock, hal_i2c_unlock, hal_i2c_write, i2c};
}

static PyObject *spi_try_lock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (spi_alive(self) < 0) {
        return NULL;
    }
    if (SPI->has_lock) {
        Py_RETURN_FALSE;
    }
    SPI->has_lock = c9_port_spi_try_lock(SPI->spi);
    return PyBool_FromLong(SPI->has_lock);
}

static PyObject *spi_unlock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (spi_alive(self) < 0) {
        return NULL;
    }
    c9_port_spi_unlock(SPI->spi);
    SPI->has_lock = false;
    Py_RETURN_NONE;
}

static int spi_locked(PyObject *self) {
    if (spi_alive(self) < 0) {
        return -1;
    }
    if (!SPI->has_lock) {
        function_requires_lock();
        return -1;
    }
    return 0;
}

static PyObject *spi_configure(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_baudrate, ARG_polarity, ARG_phase, ARG_bits };
    static const c9py_arg_t allowed[] = {
        {"baudrate", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 100000}},
        {"polarity", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"phase", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"bits", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 8}},
    };
    c9py_argval_t a[4];
    if (spi_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        c9py_check_range(a[ARG_polarity].u_int, 0, 1, "polarity") < 0 ||
        c9py_check_range(a[ARG_phase].u_int, 0, 1, "phase") < 0 ||
        c9py_check_range(a[ARG_bits].u_int, 8, 9, "bits") < 0) {
        return NULL;
    }
    c9_err_t err = c9_port_spi_configure(SPI->spi, (uint32_t)a[ARG_baudrate].u_int, (uint8_t)a[ARG_polarity].u_int,
                                         (uint8_t)a[ARG_phase].u_int, (uint8_t)a[ARG_bits].u_int);
    /* The port failing to configure is OSError(EIO) in CircuitPython. */
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise_oserror(5, "EIO");
}

/* Ctrl-C or a reload that came while a transfer ran (a device model's Python code on the virtual
 * board) is the program's, ahead of the transfer's own outcome. */
static int interrupted(void) {
    return Py_MakePendingCalls() < 0 || PyErr_CheckSignals() < 0;
}

static PyObject *spi_done(PyObject *self, c9_err_t err) {
    spi_leave(self);
    if (interrupted()) {
        return NULL;
    }
    if (err == C9_OK) {
        Py_RETURN_NONE;
    }
    static const c9py_err_override_t errors[] = {
        {C9_ERR_NOSYS, &PyExc_ValueError, "No MOSI pin"},
        {C9_OK},
    };
    return err == C9_ERR_NOMEM || err == C9_ERR_NOSYS ? c9py_raise_err(err, errors) : c9py_raise_oserror(5, "EIO");
}

static PyObject *spi_write(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_buffer, ARG_start, ARG_end };
    static const c9py_arg_t allowed[] = {
        {"buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
    };
    c9py_argval_t a[3];
    Py_buffer buf;
    Py_ssize_t from, len;
    if (spi_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0 ||
        buffer_arg(a[ARG_buffer].u_obj, PyBUF_SIMPLE, a[ARG_start].u_int, a[ARG_end].u_int, &buf, &from, &len) < 0) {
        return NULL;
    }
    c9_err_t err = C9_OK;
    spi_enter(self);
    if (len) {
        err = c9_port_spi_write(SPI->spi, (const uint8_t *)buf.buf + from, (size_t)len);
    }
    PyBuffer_Release(&buf);
    return spi_done(self, err);
}

static PyObject *spi_readinto(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_buffer, ARG_start, ARG_end, ARG_write_value };
    static const c9py_arg_t allowed[] = {
        {"buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
        {"write_value", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[4];
    Py_buffer buf;
    Py_ssize_t from, len;
    if (spi_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        buffer_arg(a[ARG_buffer].u_obj, PyBUF_WRITABLE, a[ARG_start].u_int, a[ARG_end].u_int, &buf, &from, &len) < 0) {
        return NULL;
    }
    c9_err_t err = C9_OK;
    spi_enter(self);
    if (len) {
        err = c9_port_spi_read(SPI->spi, (uint8_t *)buf.buf + from, (size_t)len, (uint8_t)a[ARG_write_value].u_int);
    }
    PyBuffer_Release(&buf);
    if (err == C9_ERR_NOSYS) {
        spi_leave(self);
        PyErr_SetString(PyExc_ValueError, "No MISO pin");
        return NULL;
    }
    return spi_done(self, err);
}

static PyObject *spi_write_readinto(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_out_buffer, ARG_in_buffer, ARG_out_start, ARG_out_end, ARG_in_start, ARG_in_end };
    static const c9py_arg_t allowed[] = {
        {"out_buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"in_buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"out_start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"out_end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
        {"in_start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"in_end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
    };
    c9py_argval_t a[6];
    Py_buffer out, in;
    Py_ssize_t out_from, out_len, in_from, in_len;
    if (spi_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 6, a) < 0 ||
        buffer_arg(a[ARG_out_buffer].u_obj, PyBUF_SIMPLE, a[ARG_out_start].u_int, a[ARG_out_end].u_int, &out, &out_from,
                   &out_len) < 0) {
        return NULL;
    }
    if (buffer_arg(a[ARG_in_buffer].u_obj, PyBUF_WRITABLE, a[ARG_in_start].u_int, a[ARG_in_end].u_int, &in, &in_from,
                   &in_len) < 0) {
        PyBuffer_Release(&out);
        return NULL;
    }
    if (out_len != in_len) {
        PyBuffer_Release(&out);
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "buffer slices must be of equal length");
        return NULL;
    }
    c9_err_t err = C9_OK;
    spi_enter(self);
    if (out_len) {
        /* The out bytes are copied first: out and in may be one buffer. */
        uint8_t *copy = PyMem_Malloc((size_t)out_len);
        if (!copy) {
            err = C9_ERR_NOMEM;
        } else {
            memcpy(copy, (const uint8_t *)out.buf + out_from, (size_t)out_len);
            err = c9_port_spi_transfer(SPI->spi, copy, (uint8_t *)in.buf + in_from, (size_t)out_len);
            PyMem_Free(copy);
        }
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&in);
    if (err == C9_ERR_NOSYS) {
        spi_leave(self);
        PyErr_SetString(PyExc_ValueError, SPI->mosi < 0 ? "No MOSI pin" : "No MISO pin");
        return NULL;
    }
    return spi_done(self, err);
}

static PyObject *spi_frequency(PyObject *self, void *c) {
    (void)c;
    if (spi_alive(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(c9_port_spi_frequency(SPI->spi));
}

static PyObject *spi_exit(PyObject *self, PyObject *args) {
    (void)args;
    return spi_deinit(self, NULL);
}

static PyMethodDef spi_methods[] = {
    {"deinit", spi_deinit, METH_NOARGS, "Turn off the SPI bus."},
    {"try_lock", spi_try_lock, METH_NOARGS, "Attempts to grab the SPI lock."},
    {"unlock", spi_unlock, METH_NOARGS, "Releases the SPI lock."},
    {"configure", (PyCFunction)(void (*)(void))spi_configure, METH_VARARGS | METH_KEYWORDS, "Configures the bus."},
    {"write", (PyCFunction)(void (*)(void))spi_write, METH_VARARGS | METH_KEYWORDS, "Write the data in buffer."},
    {"readinto", (PyCFunction)(void (*)(void))spi_readinto, METH_VARARGS | METH_KEYWORDS,
     "Read into buffer while writing write_value for each byte read."},
    {"write_readinto", (PyCFunction)(void (*)(void))spi_write_readinto, METH_VARARGS | METH_KEYWORDS,
     "Write out the data in out_buffer while simultaneously reading data into in_buffer."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", spi_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef spi_getset[] = {
    {"frequency", spi_frequency, NULL, "The actual SPI bus frequency.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_SPI_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "busio.SPI",
    .tp_basicsize = sizeof(c9py_spi_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "SPI(clock, MOSI=None, MISO=None, half_duplex=False)",
    .tp_new = c9py_native_new,
    .tp_init = spi_init,
    .tp_dealloc = spi_dealloc,
    .tp_methods = spi_methods,
    .tp_getset = spi_getset,
};

/* ---- I2C ------------------------------------------------------------------------------------ */

#define I2C ((c9py_i2c_obj_t *)self)

static int i2c_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_scl, ARG_sda, ARG_frequency, ARG_timeout };
    static const c9py_arg_t allowed[] = {
        {"scl", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"sda", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"frequency", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 100000}},
        {"timeout", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 255}},
    };
    c9py_argval_t a[4];
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return -1;
    }
    int c = c9py_pin_arg(a[ARG_scl].u_obj, "scl", false), d = c9py_pin_arg(a[ARG_sda].u_obj, "sda", false);
    if (c < 0 || d < 0) {
        return -1;
    }
    if (c9py_pin_claim(c, "scl") < 0) {
        return -1;
    }
    if (c9py_pin_claim(d, "sda") < 0) {
        c9_port_pin_release(c);
        return -1;
    }
    c9_port_i2c_t *i2c = NULL;
    c9_err_t err = c9_port_i2c_open(c, d, (uint32_t)a[ARG_frequency].u_int, (uint32_t)a[ARG_timeout].u_int, &i2c);
    if (err != C9_OK) {
        c9_port_pin_release(c);
        c9_port_pin_release(d);
        static const c9py_err_override_t open_errors[] = {
            {C9_ERR_IO, &PyExc_RuntimeError, "No pull up found on SDA or SCL; check your wiring"},
            {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pins"},
            {C9_ERR_BUSY, &PyExc_ValueError, "All I2C peripherals are in use"},
            {C9_OK},
        };
        return c9py_fail(err, open_errors);
    }
    I2C->scl = c;
    I2C->sda = d;
    I2C->deinited = false;
    I2C->has_lock = false;
    I2C->busy = 0;
    I2C->deinit_pending = false;
    I2C->i2c = i2c;
    return 0;
}
C9PY_DEFINE_INIT(i2c_init, i2c_construct)

static void i2c_release(PyObject *self) {
    if (I2C->busy) {
        I2C->deinit_pending = true;
        I2C->deinited = true;
        return;
    }
    if (I2C->i2c) {
        c9_port_pin_release(I2C->scl);
        c9_port_pin_release(I2C->sda);
        c9_port_i2c_close(I2C->i2c);
        I2C->i2c = NULL;
    }
    I2C->deinited = true;
}

static void i2c_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        I2C->busy = 0;
        i2c_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int i2c_alive(PyObject *self) {
    return c9py_alive(self, I2C->deinited);
}

static int i2c_locked(PyObject *self) {
    if (i2c_alive(self) < 0) {
        return -1;
    }
    if (!I2C->has_lock) {
        function_requires_lock();
        return -1;
    }
    return 0;
}

static void i2c_enter(PyObject *self) {
    I2C->busy++;
}

static void i2c_leave(PyObject *self) {
    if (--I2C->busy == 0 && I2C->deinit_pending) {
        I2C->deinit_pending = false;
        i2c_release(self);
    }
}

/* An I2C transfer's outcome: OSError with the errno the ports return (ENODEV for an address nobody
 * acknowledges, EIO for a data byte, ETIMEDOUT). */
static PyObject *i2c_done(PyObject *self, c9_err_t err) {
    i2c_leave(self);
    if (interrupted()) {
        return NULL;
    }
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
}

static PyObject *i2c_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    i2c_release(self);
    Py_RETURN_NONE;
}

static PyObject *i2c_try_lock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    if (I2C->has_lock) {
        Py_RETURN_FALSE;
    }
    I2C->has_lock = c9_port_i2c_try_lock(I2C->i2c);
    return PyBool_FromLong(I2C->has_lock);
}

static PyObject *i2c_unlock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    c9_port_i2c_unlock(I2C->i2c);
    I2C->has_lock = false;
    Py_RETURN_NONE;
}

static PyObject *i2c_probe(PyObject *self, PyObject *arg) {
    int32_t address;
    if (i2c_locked(self) < 0 || c9py_mp_int(arg, &address) < 0) {
        return NULL;
    }
    i2c_enter(self);
    bool found = c9_port_i2c_probe(I2C->i2c, (uint8_t)address) == C9_OK;
    i2c_leave(self);
    return PyBool_FromLong(found);
}

static PyObject *i2c_scan(PyObject *self, PyObject *unused) {
    (void)unused;
    if (i2c_locked(self) < 0) {
        return NULL;
    }
    /* As CircuitPython's scan: a probe of every address from 0x08 to 0x77. */
    PyObject *list = PyList_New(0);
    i2c_enter(self);
    for (unsigned addr = 0x08; list && addr < 0x78; addr++) {
        if (c9_port_i2c_probe(I2C->i2c, (uint8_t)addr) == C9_OK) {
            PyObject *v = PyLong_FromLong((long)addr);
            if (!v || PyList_Append(list, v) < 0) {
                Py_CLEAR(list);
            }
            Py_XDECREF(v);
        }
    }
    i2c_leave(self);
    return list;
}

static PyObject *i2c_writeto(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_address, ARG_buffer, ARG_start, ARG_end };
    static const c9py_arg_t allowed[] = {
        {"address", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
    };
    c9py_argval_t a[4];
    Py_buffer buf;
    Py_ssize_t from, len;
    if (i2c_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        buffer_arg(a[ARG_buffer].u_obj, PyBUF_SIMPLE, a[ARG_start].u_int, a[ARG_end].u_int, &buf, &from, &len) < 0) {
        return NULL;
    }
    i2c_enter(self);
    c9_err_t err =
        c9_port_i2c_write(I2C->i2c, (uint8_t)a[ARG_address].u_int, (const uint8_t *)buf.buf + from, (size_t)len, true);
    PyBuffer_Release(&buf);
    return i2c_done(self, err);
}

static PyObject *i2c_readfrom_into(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_address, ARG_buffer, ARG_start, ARG_end };
    static const c9py_arg_t allowed[] = {
        {"address", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
    };
    c9py_argval_t a[4];
    Py_buffer buf;
    Py_ssize_t from, len;
    if (i2c_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        buffer_arg(a[ARG_buffer].u_obj, PyBUF_WRITABLE, a[ARG_start].u_int, a[ARG_end].u_int, &buf, &from, &len) < 0) {
        return NULL;
    }
    if (len < 1) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "buffer length must be >= 1");
        return NULL;
    }
    i2c_enter(self);
    c9_err_t err = c9_port_i2c_read(I2C->i2c, (uint8_t)a[ARG_address].u_int, (uint8_t *)buf.buf + from, (size_t)len);
    PyBuffer_Release(&buf);
    return i2c_done(self, err);
}

static PyObject *i2c_writeto_then_readfrom(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_address, ARG_out_buffer, ARG_in_buffer, ARG_out_start, ARG_out_end, ARG_in_start, ARG_in_end };
    static const c9py_arg_t allowed[] = {
        {"address", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"out_buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"in_buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"out_start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"out_end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
        {"in_start", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"in_end", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = INT32_MAX}},
    };
    c9py_argval_t a[7];
    Py_buffer out, in;
    Py_ssize_t out_from, out_len, in_from, in_len;
    if (i2c_locked(self) < 0 || c9py_arg_parse(args, kw, allowed, 7, a) < 0 ||
        buffer_arg(a[ARG_out_buffer].u_obj, PyBUF_SIMPLE, a[ARG_out_start].u_int, a[ARG_out_end].u_int, &out, &out_from,
                   &out_len) < 0) {
        return NULL;
    }
    if (buffer_arg(a[ARG_in_buffer].u_obj, PyBUF_WRITABLE, a[ARG_in_start].u_int, a[ARG_in_end].u_int, &in, &in_from,
                   &in_len) < 0) {
        PyBuffer_Release(&out);
        return NULL;
    }
    if (in_len < 1) {
        PyBuffer_Release(&out);
        PyBuffer_Release(&in);
        /* CircuitPython 9.2.9 checks the in buffer and names the out buffer. */
        PyErr_SetString(PyExc_ValueError, "out_buffer length must be >= 1");
        return NULL;
    }
    uint8_t address = (uint8_t)a[ARG_address].u_int;
    i2c_enter(self);
    /* A write without stop, then the read after a repeated start; the out bytes are copied first
     * in case both slices are of one buffer. */
    uint8_t *copy = out_len ? PyMem_Malloc((size_t)out_len) : NULL;
    c9_err_t err = out_len && !copy ? C9_ERR_NOMEM : C9_OK;
    if (err == C9_OK) {
        if (copy) {
            memcpy(copy, (const uint8_t *)out.buf + out_from, (size_t)out_len);
        }
        err = c9_port_i2c_write(I2C->i2c, address, copy, (size_t)out_len, false);
        if (err == C9_OK) {
            err = c9_port_i2c_read(I2C->i2c, address, (uint8_t *)in.buf + in_from, (size_t)in_len);
        }
    }
    PyMem_Free(copy);
    PyBuffer_Release(&out);
    PyBuffer_Release(&in);
    return i2c_done(self, err);
}

static PyObject *i2c_exit(PyObject *self, PyObject *args) {
    (void)args;
    return i2c_deinit(self, NULL);
}

static PyMethodDef i2c_methods[] = {
    {"deinit", i2c_deinit, METH_NOARGS, "Releases control of the underlying hardware."},
    {"probe", i2c_probe, METH_O, "Check if a device at the specified address responds."},
    {"scan", i2c_scan, METH_NOARGS, "Scan all I2C addresses between 0x08 and 0x77 inclusive."},
    {"try_lock", i2c_try_lock, METH_NOARGS, "Attempts to grab the I2C lock."},
    {"unlock", i2c_unlock, METH_NOARGS, "Releases the I2C lock."},
    {"readfrom_into", (PyCFunction)(void (*)(void))i2c_readfrom_into, METH_VARARGS | METH_KEYWORDS,
     "Read from a device at specified address into a buffer."},
    {"writeto", (PyCFunction)(void (*)(void))i2c_writeto, METH_VARARGS | METH_KEYWORDS, "Write to a device."},
    {"writeto_then_readfrom", (PyCFunction)(void (*)(void))i2c_writeto_then_readfrom, METH_VARARGS | METH_KEYWORDS,
     "Write the bytes from out_buffer to the device, then read into in_buffer after a repeated start."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", i2c_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject c9py_I2C_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "busio.I2C",
    .tp_basicsize = sizeof(c9py_i2c_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "I2C(scl, sda, *, frequency=100000, timeout=255)",
    .tp_new = c9py_native_new,
    .tp_init = i2c_init,
    .tp_dealloc = i2c_dealloc,
    .tp_methods = i2c_methods,
};

/* ---- UART ----------------------------------------------------------------------------------- */

#define UART ((c9py_uart_obj_t *)self)

static PyTypeObject *parity_type;
static const char *const parity_names[] = {"ODD", "EVEN", NULL};

static int timeout_ms(PyObject *obj, uint32_t *ms) {
    double t;
    if (c9py_mp_float(obj, &t) < 0) {
        return -1;
    }
    /* CircuitPython checks int(timeout) against 0..100. */
    if (c9py_check_range((long)t, 0, 100, "timeout") < 0) {
        return -1;
    }
    *ms = t <= 0 ? 0 : (uint32_t)(t * 1000.0 + 0.5);
    return 0;
}

static int uart_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum {
        ARG_tx,
        ARG_rx,
        ARG_baudrate,
        ARG_bits,
        ARG_parity,
        ARG_stop,
        ARG_timeout,
        ARG_receiver_buffer_size,
        ARG_rts,
        ARG_cts,
        ARG_rs485_dir,
        ARG_rs485_invert
    };
    static const c9py_arg_t allowed[] = {
        {"tx", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"rx", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"baudrate", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 9600}},
        {"bits", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 8}},
        {"parity", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"stop", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"timeout", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"receiver_buffer_size", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 64}},
        {"rts", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"cts", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"rs485_dir", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"rs485_invert", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[12];
    if (c9py_arg_parse(args, kw, allowed, 12, a) < 0) {
        return -1;
    }
    /* The order CircuitPython checks in: rx, tx, rts, cts, rs485_dir, each a free pin or None. */
    static const int order[5] = {ARG_rx, ARG_tx, ARG_rts, ARG_cts, ARG_rs485_dir};
    static const char *const names[5] = {"rx", "tx", "rts", "cts", "rs485_dir"};
    int pin[5]; /* rx, tx, rts, cts, rs485_dir */
    for (int i = 0; i < 5; i++) {
        int id = c9py_pin_arg(a[order[i]].u_obj, names[i], true);
        if (id == -1) {
            return -1;
        }
        if (id >= 0 && c9_port_pin_in_use(id)) {
            PyErr_Format(PyExc_ValueError, "%s in use", c9py_pin_name(id, NULL));
            return -1;
        }
        pin[i] = id < 0 ? -1 : id;
    }
    int rx = pin[0], tx = pin[1];
    if (tx < 0 && rx < 0) {
        PyErr_SetString(PyExc_ValueError, "tx and rx cannot both be None");
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            if (pin[i] >= 0 && pin[i] == pin[j]) {
                PyErr_SetString(PyExc_ValueError, "Invalid pins");
                return -1;
            }
        }
    }
    uint32_t timeout = 1000;
    if (c9py_check_range(a[ARG_bits].u_int, 5, 9, "bits") < 0 ||
        c9py_check_range(a[ARG_receiver_buffer_size].u_int, 1, 0xFFFF, "receiver_buffer_size") < 0) {
        return -1;
    }
    if (!parity_type && !(parity_type = c9py_enum_type_new("busio.UART.Parity", parity_names))) {
        return -1;
    }
    PyObject *par = a[ARG_parity].u_obj;
    uint8_t parity = PyObject_TypeCheck(par, parity_type)
                         ? (((c9py_enum_obj_t *)par)->value == 0 ? C9_PORT_PARITY_ODD : C9_PORT_PARITY_EVEN)
                         : C9_PORT_PARITY_NONE;
    if (c9py_check_range(a[ARG_stop].u_int, 1, 2, "stop") < 0 ||
        (a[ARG_timeout].u_obj && timeout_ms(a[ARG_timeout].u_obj, &timeout) < 0)) {
        return -1;
    }
    const int claim[5] = {tx, rx, pin[2], pin[3], pin[4]};
    for (int i = 0; i < 5; i++) {
        if (claim[i] >= 0 && c9py_pin_claim(claim[i], names[i]) < 0) {
            for (int k = 0; k < i; k++) {
                c9_port_pin_release(claim[k]);
            }
            return -1;
        }
    }
    c9_port_uart_config_t cfg = {.tx = tx,
                                 .rx = rx,
                                 .rts = pin[2],
                                 .cts = pin[3],
                                 .baudrate = (uint32_t)a[ARG_baudrate].u_int,
                                 .bits = (uint8_t)a[ARG_bits].u_int,
                                 .parity = parity,
                                 .stop = (uint8_t)a[ARG_stop].u_int,
                                 .timeout_ms = timeout,
                                 .receiver_buffer_size = (size_t)a[ARG_receiver_buffer_size].u_int};
    c9_port_uart_t *uart = NULL;
    c9_err_t err = c9_port_uart_open(&cfg, &uart);
    if (err != C9_OK) {
        for (int i = 0; i < 5; i++) {
            c9_port_pin_release(claim[i]);
        }
        static const c9py_err_override_t open_errors[] = {
            {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pins"},
            {C9_ERR_INVAL, &PyExc_ValueError, "Invalid baudrate"},
            {C9_ERR_BUSY, &PyExc_ValueError, "All UART peripherals are in use"},
            {C9_OK},
        };
        return c9py_fail(err, open_errors);
    }
    memcpy(UART->pins, claim, sizeof claim);
    UART->uart = uart;
    UART->timeout_ms = timeout;
    UART->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(uart_init, uart_construct)

static void uart_release(PyObject *self) {
    if (!UART->deinited && UART->uart) {
        c9_port_uart_close(UART->uart);
        UART->uart = NULL;
        for (int i = 0; i < 5; i++) {
            c9_port_pin_release(UART->pins[i]);
        }
    }
    UART->deinited = true;
}

static void uart_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        uart_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int uart_alive(PyObject *self) {
    return c9py_alive(self, UART->deinited);
}

static PyObject *uart_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    uart_release(self);
    Py_RETURN_NONE;
}

static PyObject *uart_exit(PyObject *self, PyObject *args) {
    (void)args;
    return uart_deinit(self, NULL);
}

/* The port's read: up to len bytes, waiting at most the timeout, with the GIL released; 0 bytes
 * is the stream's EAGAIN. -1 with an exception. */
static Py_ssize_t uart_read_some(PyObject *self, uint8_t *buf, size_t len) {
    size_t got = 0;
    c9_err_t err;
    Py_BEGIN_ALLOW_THREADS err = c9_port_uart_read(UART->uart, buf, len, &got);
    Py_END_ALLOW_THREADS if (err != C9_OK) {
        static const c9py_err_override_t errors[] = {{C9_ERR_NOSYS, &PyExc_ValueError, "No RX pin"}, {C9_OK}};
        c9py_raise_err(err, errors);
        return -1;
    }
    if (PyErr_CheckSignals() < 0) {
        return -1;
    }
    return (Py_ssize_t)got;
}

/* MicroPython's stream read: read(n) gathers n bytes, ending at the first wait that brings
 * nothing; read() gathers everything until such a wait. None when nothing came. */
static PyObject *uart_read(PyObject *self, PyObject *args) {
    PyObject *nobj = Py_None;
    if (uart_alive(self) < 0 || !PyArg_ParseTuple(args, "|O:read", &nobj)) {
        return NULL;
    }
    long want = -1;
    if (nobj != Py_None) {
        int32_t n;
        if (c9py_mp_int(nobj, &n) < 0) {
            return NULL;
        }
        want = n;
    }
    if (want == 0) {
        return PyBytes_FromStringAndSize("", 0);
    }
    size_t cap = want > 0 ? (size_t)want : 256, n = 0;
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf) {
        return PyErr_NoMemory();
    }
    for (;;) {
        if (want < 0 && n == cap) {
            uint8_t *bigger = PyMem_Realloc(buf, cap * 2);
            if (!bigger) {
                PyMem_Free(buf);
                return PyErr_NoMemory();
            }
            buf = bigger;
            cap *= 2;
        }
        Py_ssize_t got = uart_read_some(self, buf + n, cap - n);
        if (got < 0) {
            PyMem_Free(buf);
            return NULL;
        }
        n += (size_t)got;
        if (got == 0 || (want > 0 && n >= (size_t)want)) {
            break;
        }
    }
    PyObject *r = n ? PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)n) : Py_NewRef(Py_None);
    PyMem_Free(buf);
    return r;
}

/* MicroPython's stream readinto: readinto(buf[, nbytes]), at most nbytes (clamped to the buffer). */
static PyObject *uart_readinto(PyObject *self, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 2, 3, false) < 0) {
        return NULL;
    }
    int32_t want = -1;
    if (PyTuple_GET_SIZE(args) == 2 && c9py_mp_int(PyTuple_GET_ITEM(args, 1), &want) < 0) {
        return NULL;
    }
    Py_buffer buf;
    if (uart_alive(self) < 0 || c9py_get_buffer(PyTuple_GET_ITEM(args, 0), &buf, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    size_t limit = want < 0 ? (size_t)buf.len : C9_MIN((size_t)want, (size_t)buf.len);
    size_t n = 0;
    Py_ssize_t got = 0;
    while (n < limit && (got = uart_read_some(self, (uint8_t *)buf.buf + n, limit - n)) > 0) {
        n += (size_t)got;
    }
    PyBuffer_Release(&buf);
    if (got < 0) {
        return NULL;
    }
    return n || limit == 0 ? PyLong_FromSize_t(n) : Py_NewRef(Py_None);
}

/* One byte at a time up to and including '\n', each byte waiting the timeout; None when the first
 * wait brings nothing. */
static PyObject *uart_readline(PyObject *self, PyObject *unused) {
    (void)unused;
    if (uart_alive(self) < 0) {
        return NULL;
    }
    PyObject *line = PyByteArray_FromStringAndSize("", 0);
    while (line) {
        uint8_t b;
        Py_ssize_t got = uart_read_some(self, &b, 1);
        if (got < 0) {
            Py_CLEAR(line);
            break;
        }
        if (got == 0) {
            if (PyByteArray_GET_SIZE(line) == 0) {
                Py_DECREF(line);
                Py_RETURN_NONE;
            }
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

/* MicroPython's stream write: write(buf), write(buf, max_len), write(buf, off, max_len), as
 * adafruit_midi calls it (`write(packet, num)`); the offset is clamped to the buffer. */
static PyObject *uart_write(PyObject *self, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 2, 4, false) < 0) {
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    int32_t off = 0, max_len = -1;
    if ((n == 2 && c9py_mp_int(PyTuple_GET_ITEM(args, 1), &max_len) < 0) ||
        (n == 3 &&
         (c9py_mp_int(PyTuple_GET_ITEM(args, 1), &off) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 2), &max_len) < 0))) {
        return NULL;
    }
    Py_buffer buf;
    if (uart_alive(self) < 0 || c9py_get_buffer(PyTuple_GET_ITEM(args, 0), &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    /* size_t arithmetic as MicroPython's: a negative count is a huge one, a negative offset too */
    size_t from = C9_MIN((size_t)(uint32_t)off, (size_t)buf.len);
    size_t len = C9_MIN((size_t)buf.len - from, max_len < 0 && n == 1 ? SIZE_MAX : (size_t)(uint32_t)max_len);
    c9_err_t err;
    Py_BEGIN_ALLOW_THREADS err = c9_port_uart_write(UART->uart, (const uint8_t *)buf.buf + from, len);
    Py_END_ALLOW_THREADS PyBuffer_Release(&buf);
    if (err != C9_OK) {
        static const c9py_err_override_t errors[] = {{C9_ERR_NOSYS, &PyExc_ValueError, "No TX pin"}, {C9_OK}};
        return c9py_raise_err(err, errors);
    }
    return PyLong_FromSize_t(len);
}

static PyObject *uart_reset_input_buffer(PyObject *self, PyObject *unused) {
    (void)unused;
    if (uart_alive(self) < 0) {
        return NULL;
    }
    c9_port_uart_clear_rx(UART->uart);
    Py_RETURN_NONE;
}

static PyObject *uart_iter(PyObject *self) {
    if (uart_alive(self) < 0) {
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *uart_next(PyObject *self) {
    PyObject *line = uart_readline(self, NULL);
    if (line == Py_None) {
        Py_DECREF(line);
        return NULL; /* the end of iteration, as MicroPython's readline iterator */
    }
    return line;
}

static PyObject *uart_get_baudrate(PyObject *self, void *c) {
    (void)c;
    return uart_alive(self) < 0 ? NULL : PyLong_FromUnsignedLong(c9_port_uart_baudrate(UART->uart));
}

static int uart_set_baudrate(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int32_t rate;
    if (uart_alive(self) < 0 || c9py_setter_present(v) < 0 || c9py_mp_int(v, &rate) < 0) {
        return -1;
    }
    c9_err_t err = c9_port_uart_set_baudrate(UART->uart, (uint32_t)rate);
    if (err != C9_OK) {
        PyErr_SetString(PyExc_ValueError, "Invalid baudrate");
        return -1;
    }
    return 0;
}

static PyObject *uart_get_in_waiting(PyObject *self, void *c) {
    (void)c;
    return uart_alive(self) < 0 ? NULL : PyLong_FromSize_t(c9_port_uart_in_waiting(UART->uart));
}

static PyObject *uart_get_timeout(PyObject *self, void *c) {
    (void)c;
    return uart_alive(self) < 0 ? NULL : PyFloat_FromDouble(UART->timeout_ms / 1000.0);
}

static int uart_set_timeout(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint32_t ms;
    if (uart_alive(self) < 0 || c9py_setter_present(v) < 0 || timeout_ms(v, &ms) < 0) {
        return -1;
    }
    UART->timeout_ms = ms;
    c9_port_uart_set_timeout(UART->uart, ms);
    return 0;
}

static PyMethodDef uart_methods[] = {
    {"deinit", uart_deinit, METH_NOARGS, "Deinitialises the UART and releases any hardware resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", uart_exit, METH_VARARGS, NULL},
    {"read", uart_read, METH_VARARGS, "Read bytes."},
    {"readinto", uart_readinto, METH_VARARGS, "Read bytes into the buf."},
    {"readline", uart_readline, METH_NOARGS, "Read a line, ending in a newline character."},
    {"write", uart_write, METH_VARARGS, "Write the buffer of bytes to the bus."},
    {"reset_input_buffer", uart_reset_input_buffer, METH_NOARGS, "Discard any unread characters in the input buffer."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef uart_getset[] = {
    {"baudrate", uart_get_baudrate, uart_set_baudrate, "The current baudrate.", NULL},
    {"in_waiting", uart_get_in_waiting, NULL, "The number of bytes in the input buffer, available to be read.", NULL},
    {"timeout", uart_get_timeout, uart_set_timeout, "The current timeout, in seconds (float).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_UART_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "busio.UART",
    .tp_basicsize = sizeof(c9py_uart_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "UART(tx, rx, *, baudrate=9600, bits=8, parity=None, stop=1, timeout=1, receiver_buffer_size=64)",
    .tp_new = c9py_native_new,
    .tp_init = uart_init,
    .tp_dealloc = uart_dealloc,
    .tp_iter = uart_iter,
    .tp_iternext = uart_next,
    .tp_methods = uart_methods,
    .tp_getset = uart_getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "busio", "Hardware accelerated external bus access.", -1, NULL};

PyObject *c9py_init_busio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (!parity_type && !(parity_type = c9py_enum_type_new("busio.UART.Parity", parity_names))) {
        Py_DECREF(m);
        return NULL;
    }
    if (c9py_add_type(m, "SPI", &c9py_SPI_Type) < 0 || c9py_add_type(m, "I2C", &c9py_I2C_Type) < 0 ||
        c9py_add_type(m, "UART", &c9py_UART_Type) < 0 ||
        PyDict_SetItemString(c9py_UART_Type.tp_dict, "Parity", (PyObject *)parity_type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyType_Modified(&c9py_UART_Type);
    return m;
}
