/* busio: SPI and I2C on the machine's controllers (port.h), as display drivers and their buses use
 * them. */
#include "c9py.h"
#include "busio/busio.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

/* ---- SPI ------------------------------------------------------------------------------------ */

#define SPI ((c9py_spi_obj_t *)self)
#define EIO_NUMBER 5 /* MP_EIO */

/* shared-bindings' normalize_buffer_bounds: Python slice bounds over `length` items, clamped. */
static void buffer_bounds(long start, long end, Py_ssize_t len, Py_ssize_t *from, Py_ssize_t *to) {
    end = end < 0 ? end + len : C9_MIN(end, (long)len);
    start = start < 0 ? start + len : start;
    start = C9_MAX(start, 0L);
    *from = (Py_ssize_t)C9_MIN(start, (long)len);
    *to = (Py_ssize_t)C9_MAX(end, (long)*from);
}

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
    SPI->spi = spi;
    return 0;
}
C9PY_DEFINE_INIT(spi_init, spi_construct)

static void spi_release(PyObject *self) {
    if (!SPI->deinited && SPI->spi) {
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
        spi_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int spi_alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (SPI->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
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
    bool got = c9_port_spi_try_lock(SPI->spi);
    SPI->locked_by_python |= got;
    return PyBool_FromLong(got);
}

static PyObject *spi_unlock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (spi_alive(self) < 0) {
        return NULL;
    }
    SPI->locked_by_python = false;
    c9_port_spi_unlock(SPI->spi);
    Py_RETURN_NONE;
}

/* check_lock(): transfers that read need the lock this object took. */
static int spi_locked(PyObject *self) {
    if (spi_alive(self) < 0) {
        return -1;
    }
    if (!SPI->locked_by_python) {
        PyErr_SetString(PyExc_RuntimeError, "Function requires lock");
        return -1;
    }
    return 0;
}

/* A buffer argument and the byte range of its items [start, end) (normalize_buffer_bounds over
 * items, as an array('H') counts them). */
static int spi_buffer(PyObject *obj, bool writable, long start, long end, Py_buffer *view, Py_ssize_t *from,
                      Py_ssize_t *len) {
    if (c9py_get_buffer(obj, view, (writable ? PyBUF_WRITABLE : 0) | PyBUF_FORMAT | PyBUF_ND) < 0) {
        return -1;
    }
    Py_ssize_t item = view->itemsize > 0 ? view->itemsize : 1, a, b;
    buffer_bounds(start, end, view->len / item, &a, &b);
    *from = a * item;
    *len = (b - a) * item;
    return 0;
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
        spi_buffer(a[ARG_buffer].u_obj, true, a[ARG_start].u_int, a[ARG_end].u_int, &buf, &from, &len) < 0) {
        return NULL;
    }
    c9_err_t err =
        len ? c9_port_spi_read(SPI->spi, (uint8_t *)buf.buf + from, (size_t)len, (uint8_t)a[ARG_write_value].u_int)
            : C9_OK;
    PyBuffer_Release(&buf);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise_oserror(EIO_NUMBER, "EIO");
}

static PyObject *spi_write_readinto(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_out, ARG_in, ARG_out_start, ARG_out_end, ARG_in_start, ARG_in_end };
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
        spi_buffer(a[ARG_out].u_obj, false, a[ARG_out_start].u_int, a[ARG_out_end].u_int, &out, &out_from, &out_len) <
            0) {
        return NULL;
    }
    if (spi_buffer(a[ARG_in].u_obj, true, a[ARG_in_start].u_int, a[ARG_in_end].u_int, &in, &in_from, &in_len) < 0) {
        PyBuffer_Release(&out);
        return NULL;
    }
    c9_err_t err = C9_OK;
    if (out_len != in_len) {
        PyErr_SetString(PyExc_ValueError, "buffer slices must be of equal length");
    } else if (out_len) {
        err = c9_port_spi_transfer(SPI->spi, (const uint8_t *)out.buf + out_from, (uint8_t *)in.buf + in_from,
                                   (size_t)out_len);
    }
    PyBuffer_Release(&out);
    PyBuffer_Release(&in);
    if (PyErr_Occurred()) {
        return NULL;
    }
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise_oserror(EIO_NUMBER, "EIO");
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
    if (spi_alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        c9py_check_range(a[ARG_polarity].u_int, 0, 1, "polarity") < 0 ||
        c9py_check_range(a[ARG_phase].u_int, 0, 1, "phase") < 0 ||
        c9py_check_range(a[ARG_bits].u_int, 8, 9, "bits") < 0) {
        return NULL;
    }
    c9_err_t err = c9_port_spi_configure(SPI->spi, (uint32_t)a[ARG_baudrate].u_int, (uint8_t)a[ARG_polarity].u_int,
                                         (uint8_t)a[ARG_phase].u_int, (uint8_t)a[ARG_bits].u_int);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
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
    if (spi_alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0 ||
        c9py_get_buffer(a[ARG_buffer].u_obj, &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    Py_ssize_t from, to;
    buffer_bounds(a[ARG_start].u_int, a[ARG_end].u_int, buf.len, &from, &to);
    c9_err_t err = c9_port_spi_write(SPI->spi, (const uint8_t *)buf.buf + from, (size_t)(to - from));
    PyBuffer_Release(&buf);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
}

static PyObject *spi_frequency(PyObject *self, void *c) {
    (void)c;
    if (spi_alive(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(c9_port_spi_frequency(SPI->spi));
}

static PyObject *ctx_enter(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    Py_INCREF(self);
    return self;
}

static PyObject *spi_exit(PyObject *self, PyObject *args) {
    (void)args;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    spi_release(self);
    Py_RETURN_NONE;
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
     "Write out_buffer while reading into in_buffer."},
    {"__enter__", ctx_enter, METH_NOARGS, NULL},
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
    I2C->i2c = i2c;
    return 0;
}
C9PY_DEFINE_INIT(i2c_init, i2c_construct)

static void i2c_release(PyObject *self) {
    if (!I2C->deinited && I2C->i2c) {
        c9_port_pin_release(I2C->scl);
        c9_port_pin_release(I2C->sda);
        c9_port_i2c_close(I2C->i2c);
        I2C->i2c = NULL;
    }
    I2C->deinited = true;
}

static void i2c_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        i2c_release(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int i2c_alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (I2C->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
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
    return PyBool_FromLong(c9_port_i2c_try_lock(I2C->i2c));
}

static PyObject *i2c_unlock(PyObject *self, PyObject *unused) {
    (void)unused;
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    c9_port_i2c_unlock(I2C->i2c);
    Py_RETURN_NONE;
}

static PyObject *i2c_scan(PyObject *self, PyObject *unused) {
    (void)unused;
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    /* As CircuitPython's scan: a probe of every address from 0x08 to 0x77. */
    PyObject *list = PyList_New(0);
    for (unsigned addr = 0x08; list && addr < 0x78; addr++) {
        if (c9_port_i2c_probe(I2C->i2c, (uint8_t)addr) == C9_OK) {
            PyObject *v = PyLong_FromLong((long)addr);
            if (!v || PyList_Append(list, v) < 0) {
                Py_CLEAR(list);
            }
            Py_XDECREF(v);
        }
    }
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
    if (i2c_alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        c9py_get_buffer(a[ARG_buffer].u_obj, &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    Py_ssize_t from, to;
    buffer_bounds(a[ARG_start].u_int, a[ARG_end].u_int, buf.len, &from, &to);
    c9_err_t err = c9_port_i2c_write(I2C->i2c, (uint8_t)a[ARG_address].u_int, (const uint8_t *)buf.buf + from,
                                     (size_t)(to - from), true);
    PyBuffer_Release(&buf);
    if (err != C9_OK) {
        return c9py_raise(err);
    }
    Py_RETURN_NONE;
}

static PyObject *i2c_exit(PyObject *self, PyObject *args) {
    (void)args;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    i2c_release(self);
    Py_RETURN_NONE;
}

static PyMethodDef i2c_methods[] = {
    {"deinit", i2c_deinit, METH_NOARGS, "Releases control of the underlying hardware."},
    {"try_lock", i2c_try_lock, METH_NOARGS, "Attempts to grab the I2C lock."},
    {"unlock", i2c_unlock, METH_NOARGS, "Releases the I2C lock."},
    {"scan", i2c_scan, METH_NOARGS, "Scan all I2C addresses between 0x08 and 0x77 inclusive."},
    {"writeto", (PyCFunction)(void (*)(void))i2c_writeto, METH_VARARGS | METH_KEYWORDS, "Write to a device."},
    {"__enter__", ctx_enter, METH_NOARGS, NULL},
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

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "busio", "Hardware accelerated external bus access.", -1, NULL};

PyObject *c9py_init_busio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && (c9py_add_type(m, "SPI", &c9py_SPI_Type) < 0 || c9py_add_type(m, "I2C", &c9py_I2C_Type) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
