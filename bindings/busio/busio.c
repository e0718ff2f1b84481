/* busio: SPI and I2C on the virtual board (what display drivers and their buses use). */
#include "../displayio/c9py_display.h"

/* ---- SPI ------------------------------------------------------------------------------------ */

#define SPI ((c9py_spi_obj_t *)self)

static PyObject *spi_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"clock", "MOSI", "MISO", "half_duplex", NULL};
    PyObject *clock, *mosi = Py_None, *miso = Py_None;
    int half = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOp:SPI", kwlist, &clock, &mosi, &miso, &half)) {
        return NULL;
    }
    int c = c9py_pin_arg(clock, "clock", false), o = c9py_pin_arg(mosi, "MOSI", true),
        i = c9py_pin_arg(miso, "MISO", true);
    if (c == -1 || o == -1 || i == -1) {
        return NULL;
    }
    if (o < 0 && i < 0) {
        PyErr_SetString(PyExc_ValueError, "Must provide MISO or MOSI pin");
        return NULL;
    }
    if (half) {
        PyErr_SetString(PyExc_NotImplementedError, "half_duplex is not supported");
        return NULL;
    }
    if (c9py_pin_claim(c, "clock") < 0) {
        return NULL;
    }
    if (o >= 0 && c9py_pin_claim(o, "MOSI") < 0) {
        c9_vpin_release(c);
        return NULL;
    }
    if (i >= 0 && c9py_pin_claim(i, "MISO") < 0) {
        c9_vpin_release(c);
        if (o >= 0) {
            c9_vpin_release(o);
        }
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    SPI->clock = c;
    SPI->mosi = o < 0 ? -1 : o;
    SPI->miso = i < 0 ? -1 : i;
    SPI->spi = c9_vspi_open(c, SPI->mosi, SPI->miso);
    if (!SPI->spi) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return self;
}

static void spi_release(PyObject *self) {
    if (!SPI->deinited && SPI->spi) {
        c9_vpin_release(SPI->clock);
        c9_vpin_release(SPI->mosi);
        c9_vpin_release(SPI->miso);
        c9_vspi_close(SPI->spi);
        SPI->spi = NULL;
    }
    SPI->deinited = true;
}

static void spi_dealloc(PyObject *self) {
    spi_release(self);
    Py_TYPE(self)->tp_free(self);
}

static int spi_alive(PyObject *self) {
    if (SPI->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

static PyObject *spi_deinit(PyObject *self, PyObject *unused) {
    spi_release(self);
    Py_RETURN_NONE;
}

/* ---- the SPI and I2C buses as display buses see them (c9py_spi_hal, c9py_i2c_hal) ------------ */

static bool hal_spi_try_lock(void *ctx) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return false; /* deinitialised: nobody can lock it, as on a board */
    }
    c9_hal_spi_t h = c9_vspi_hal(s->spi);
    return h.try_lock(h.ctx);
}

static void hal_spi_unlock(void *ctx) {
    c9py_spi_obj_t *s = ctx;
    if (s->spi) {
        c9_hal_spi_t h = c9_vspi_hal(s->spi);
        h.unlock(h.ctx);
    }
}

static c9_err_t hal_spi_configure(void *ctx, uint32_t baudrate, uint8_t polarity, uint8_t phase, uint8_t bits) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return C9_ERR_BADF;
    }
    c9_hal_spi_t h = c9_vspi_hal(s->spi);
    return h.configure(h.ctx, baudrate, polarity, phase, bits);
}

static c9_err_t hal_spi_write(void *ctx, const uint8_t *data, size_t len) {
    c9py_spi_obj_t *s = ctx;
    if (!s->spi) {
        return C9_ERR_BADF;
    }
    c9_hal_spi_t h = c9_vspi_hal(s->spi);
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
    c9_hal_i2c_t h = c9_vi2c_hal(b->i2c);
    return h.try_lock(h.ctx);
}

static void hal_i2c_unlock(void *ctx) {
    c9py_i2c_obj_t *b = ctx;
    if (b->i2c) {
        c9_hal_i2c_t h = c9_vi2c_hal(b->i2c);
        h.unlock(h.ctx);
    }
}

static c9_err_t hal_i2c_write(void *ctx, uint8_t address, const uint8_t *data, size_t len) {
    c9py_i2c_obj_t *b = ctx;
    if (!b->i2c) {
        return C9_ERR_BADF;
    }
    c9_hal_i2c_t h = c9_vi2c_hal(b->i2c);
    return h.write(h.ctx, address, data, len);
}

c9_hal_i2c_t c9py_i2c_hal(PyObject *i2c) {
    return (c9_hal_i2c_t){hal_i2c_try_lock, hal_i2c_unlock, hal_i2c_write, i2c};
}

static PyObject *spi_try_lock(PyObject *self, PyObject *unused) {
    if (spi_alive(self) < 0) {
        return NULL;
    }
    c9_hal_spi_t h = c9_vspi_hal(SPI->spi);
    return PyBool_FromLong(h.try_lock(h.ctx));
}

static PyObject *spi_unlock(PyObject *self, PyObject *unused) {
    if (spi_alive(self) < 0) {
        return NULL;
    }
    c9_hal_spi_t h = c9_vspi_hal(SPI->spi);
    h.unlock(h.ctx);
    Py_RETURN_NONE;
}

static PyObject *spi_configure(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"baudrate", "polarity", "phase", "bits", NULL};
    long baud = 100000, pol = 0, pha = 0, bits = 8;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$llll:configure", kwlist, &baud, &pol, &pha, &bits)) {
        return NULL;
    }
    if (spi_alive(self) < 0 || c9py_check_range(pol, 0, 1, "polarity") < 0 ||
        c9py_check_range(pha, 0, 1, "phase") < 0 || c9py_check_range(bits, 8, 9, "bits") < 0) {
        return NULL;
    }
    c9_hal_spi_t h = c9_vspi_hal(SPI->spi);
    h.configure(h.ctx, (uint32_t)baud, (uint8_t)pol, (uint8_t)pha, (uint8_t)bits);
    Py_RETURN_NONE;
}

static PyObject *spi_write(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"buffer", "start", "end", NULL};
    Py_buffer buf;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|$nn:write", kwlist, &buf, &start, &end)) {
        return NULL;
    }
    if (spi_alive(self) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    end = C9_MIN(end, buf.len);
    start = C9_MAX(C9_MIN(start, end), 0);
    c9_hal_spi_t h = c9_vspi_hal(SPI->spi);
    h.write(h.ctx, (const uint8_t *)buf.buf + start, (size_t)(end - start));
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
}

static PyObject *spi_frequency(PyObject *self, void *c) {
    if (spi_alive(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(c9_vspi_stats(SPI->spi)->frequency);
}

static PyObject *ctx_enter(PyObject *self, PyObject *unused) {
    Py_INCREF(self);
    return self;
}

static PyObject *spi_exit(PyObject *self, PyObject *args) {
    spi_release(self);
    Py_RETURN_NONE;
}

static PyMethodDef spi_methods[] = {
    {"deinit", spi_deinit, METH_NOARGS, "Turn off the SPI bus."},
    {"try_lock", spi_try_lock, METH_NOARGS, "Attempts to grab the SPI lock."},
    {"unlock", spi_unlock, METH_NOARGS, "Releases the SPI lock."},
    {"configure", (PyCFunction)(void (*)(void))spi_configure, METH_VARARGS | METH_KEYWORDS, "Configures the bus."},
    {"write", (PyCFunction)(void (*)(void))spi_write, METH_VARARGS | METH_KEYWORDS, "Write the data in buffer."},
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
    .tp_new = spi_new,
    .tp_dealloc = spi_dealloc,
    .tp_methods = spi_methods,
    .tp_getset = spi_getset,
};

/* ---- I2C ------------------------------------------------------------------------------------ */

#define I2C ((c9py_i2c_obj_t *)self)

static PyObject *i2c_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"scl", "sda", "frequency", "timeout", NULL};
    PyObject *scl, *sda;
    long freq = 100000, timeout = 255;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$ll:I2C", kwlist, &scl, &sda, &freq, &timeout)) {
        return NULL;
    }
    int c = c9py_pin_arg(scl, "scl", false), d = c9py_pin_arg(sda, "sda", false);
    if (c < 0 || d < 0) {
        return NULL;
    }
    if (c9py_pin_claim(c, "scl") < 0) {
        return NULL;
    }
    if (c9py_pin_claim(d, "sda") < 0) {
        c9_vpin_release(c);
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    I2C->scl = c;
    I2C->sda = d;
    I2C->i2c = c9_vi2c_open(c, d, (uint32_t)freq);
    if (!I2C->i2c) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return self;
}

static void i2c_release(PyObject *self) {
    if (!I2C->deinited && I2C->i2c) {
        c9_vpin_release(I2C->scl);
        c9_vpin_release(I2C->sda);
        c9_vi2c_close(I2C->i2c);
        I2C->i2c = NULL;
    }
    I2C->deinited = true;
}

static void i2c_dealloc(PyObject *self) {
    i2c_release(self);
    Py_TYPE(self)->tp_free(self);
}

static int i2c_alive(PyObject *self) {
    if (I2C->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

static PyObject *i2c_deinit(PyObject *self, PyObject *unused) {
    i2c_release(self);
    Py_RETURN_NONE;
}

static PyObject *i2c_try_lock(PyObject *self, PyObject *unused) {
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    c9_hal_i2c_t h = c9_vi2c_hal(I2C->i2c);
    return PyBool_FromLong(h.try_lock(h.ctx));
}

static PyObject *i2c_unlock(PyObject *self, PyObject *unused) {
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    c9_hal_i2c_t h = c9_vi2c_hal(I2C->i2c);
    h.unlock(h.ctx);
    Py_RETURN_NONE;
}

static PyObject *i2c_scan(PyObject *self, PyObject *unused) {
    if (i2c_alive(self) < 0) {
        return NULL;
    }
    uint8_t found[128];
    size_t n = c9_vi2c_scan(I2C->i2c, found, sizeof found);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong(found[i]));
    }
    return list;
}

static PyObject *i2c_writeto(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"address", "buffer", "start", "end", NULL};
    long addr;
    Py_buffer buf;
    Py_ssize_t start = 0, end = PY_SSIZE_T_MAX;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "ly*|$nn:writeto", kwlist, &addr, &buf, &start, &end)) {
        return NULL;
    }
    if (i2c_alive(self) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    end = C9_MIN(end, buf.len);
    start = C9_MAX(C9_MIN(start, end), 0);
    c9_hal_i2c_t h = c9_vi2c_hal(I2C->i2c);
    c9_err_t err = h.write(h.ctx, (uint8_t)addr, (const uint8_t *)buf.buf + start, (size_t)(end - start));
    PyBuffer_Release(&buf);
    if (err == C9_ERR_NODEV) {
        return c9py_raise_oserror(19, "ENODEV");
    }
    Py_RETURN_NONE;
}

static PyObject *i2c_exit(PyObject *self, PyObject *args) {
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
    .tp_new = i2c_new,
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
