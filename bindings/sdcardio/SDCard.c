/* sdcardio.SDCard(spi, cs, baudrate=8000000): the SD card driver of core/sdcard (what
 * CircuitPython's shared-module/sdcardio does) on a busio.SPI through the port contract. The card
 * is initialised in the constructor; each transfer takes the bus lock (OSError EAGAIN when
 * someone else holds it) and sets the card's baudrate, as the bus may be shared with a display. */
#include "busio/busio.h"
#include "c9py.h"
#include "c9rt.h"
#include "circuit9/port.h"
#include "circuit9/sdcard.h"
#include "microcontroller/Pin.h"
#include "sdcardio/sdcardio.h"

#include <errno.h>

typedef struct {
    C9PY_OBJECT_HEAD c9_sdspi_t sd;
    PyObject *spi_obj; /* the busio.SPI (kept alive) */
    int cs;
    bool deinited;
} sdcard_obj_t;

#define SELF ((sdcard_obj_t *)self)

/* ---- the driver's SPI operations ---------------------------------------------------------------- */

/* The controller, NULL once the busio.SPI was deinitialised (its handle is gone then). */
static c9_port_spi_t *bus(const sdcard_obj_t *c) {
    const c9py_spi_obj_t *s = (const c9py_spi_obj_t *)c->spi_obj;
    return s && !s->deinited ? s->spi : NULL;
}

static c9_err_t op_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t len) {
    c9_port_spi_t *spi = bus(ctx);
    if (!spi) {
        return C9_ERR_BADF;
    }
    if (tx && rx) {
        return c9_port_spi_transfer(spi, tx, rx, len);
    }
    if (rx) {
        return c9_port_spi_read(spi, rx, len, 0xFF);
    }
    if (tx) {
        return c9_port_spi_write(spi, tx, len);
    }
    uint8_t ones[64];
    memset(ones, 0xFF, sizeof ones);
    for (size_t done = 0; done < len;) {
        size_t n = C9_MIN(len - done, sizeof ones);
        c9_err_t err = c9_port_spi_write(spi, ones, n);
        if (err != C9_OK) {
            return err;
        }
        done += n;
    }
    return C9_OK;
}

static void op_select(void *ctx, bool selected) {
    sdcard_obj_t *c = ctx;
    c9_port_pin_write(c->cs, !selected);
}

static c9_err_t op_set_baudrate(void *ctx, uint32_t hz) {
    c9_port_spi_t *spi = bus(ctx);
    return spi ? c9_port_spi_configure(spi, hz, 0, 0, 8) : C9_ERR_BADF;
}

/* A bus that is gone is not "busy": the transfer that follows reports it. */
static bool op_try_lock(void *ctx) {
    c9_port_spi_t *spi = bus(ctx);
    return !spi || c9_port_spi_try_lock(spi);
}

static void op_unlock(void *ctx) {
    c9_port_spi_t *spi = bus(ctx);
    if (spi) {
        c9_port_spi_unlock(spi);
    }
}

static uint64_t op_now_ms(void *ctx) {
    (void)ctx;
    return c9_port_now_ns() / 1000000u;
}

static void op_delay_ms(void *ctx, uint32_t ms) {
    (void)ctx;
    c9_port_delay_ms(ms);
}

/* ---- errors ----------------------------------------------------------------------------------- */

/* Init errors are OSError with sdcardio's message; transfer errors OSError(errno): EAGAIN for a
 * locked bus, EIO for the card's. */
static PyObject *raise_sd(c9_err_t err, bool init) {
    if (err == C9_ERR_AGAIN) {
        return c9rt_raise_errno(EAGAIN);
    }
    if (err == C9_ERR_BADF) {
        return c9py_raise_deinited();
    }
    if (init && err <= -2100 && err > -2110) {
        PyErr_SetString(PyExc_OSError, c9_sdspi_strerror(err));
        return NULL;
    }
    return c9rt_raise_errno(err == C9_ERR_TIMEDOUT ? ETIMEDOUT : EIO);
}

/* ---- the class -------------------------------------------------------------------------------- */

static void release(sdcard_obj_t *c) {
    if (!c->deinited) {
        c9_sdspi_deinit(&c->sd);
        c9_port_pin_release(c->cs);
        c->deinited = true;
    }
    Py_CLEAR(c->spi_obj);
}

static int sdcard_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_spi, ARG_cs, ARG_baudrate };
    static const c9py_arg_t allowed[] = {
        {"spi", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"cs", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"baudrate", C9PY_ARG_INT, {.u_int = 8000000}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || c9py_check_type(a[ARG_spi].u_obj, &c9py_SPI_Type, "spi") < 0) {
        return -1;
    }
    c9py_spi_obj_t *spi = (c9py_spi_obj_t *)a[ARG_spi].u_obj;
    if (c9py_ready((PyObject *)spi) < 0) {
        return -1;
    }
    if (spi->deinited) {
        return c9py_raise_deinited(), -1;
    }
    int cs = c9py_pin_arg(a[ARG_cs].u_obj, "cs", false);
    if (cs < 0 || c9py_pin_claim(cs, "cs") < 0) {
        return -1;
    }
    /* Chip select is a DigitalInOut driven high (card not selected) until a transfer. */
    c9_err_t err = c9_port_pin_output(cs, true, C9_PORT_DRIVE_PUSH_PULL);
    SELF->spi_obj = Py_NewRef((PyObject *)spi);
    SELF->cs = cs;
    c9_sdspi_ops_t ops = {.transfer = op_transfer,
                          .select = op_select,
                          .set_baudrate = op_set_baudrate,
                          .try_lock = op_try_lock,
                          .unlock = op_unlock,
                          .now_ms = op_now_ms,
                          .delay_ms = op_delay_ms,
                          .ctx = self};
    if (err == C9_OK) {
        err = c9_sdspi_init(&SELF->sd, &ops, a[ARG_baudrate].u_int > 0 ? (uint32_t)a[ARG_baudrate].u_int : 8000000u);
    }
    if (err != C9_OK) {
        c9_port_pin_release(cs);
        Py_CLEAR(SELF->spi_obj);
        raise_sd(err, true);
        return -1;
    }
    SELF->deinited = false;
    return 0;
}
C9PY_DEFINE_INIT(sdcard_init, sdcard_construct)

static void sdcard_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        release(SELF);
    }
    Py_TYPE(self)->tp_free(self);
}

static int alive(PyObject *self) {
    return c9py_alive(self, SELF->deinited);
}

static PyObject *sdcard_count(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (alive(self) < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(c9_sdspi_blocks(&SELF->sd));
}

static PyObject *sdcard_deinit(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    release(SELF);
    Py_RETURN_NONE;
}

static PyObject *sdcard_sync(PyObject *self, PyObject *noargs) {
    (void)noargs;
    if (alive(self) < 0) {
        return NULL;
    }
    c9_err_t err = c9_sdspi_sync(&SELF->sd);
    return err == C9_OK ? Py_NewRef(Py_None) : raise_sd(err, false);
}

static PyObject *blocks(PyObject *self, PyObject *args, bool write) {
    if (c9py_arg_check_call(args, NULL, 1, 3, 3, false) < 0) {
        return NULL;
    }
    int32_t block;
    Py_buffer buf;
    if (c9py_mp_int(PyTuple_GET_ITEM(args, 0), &block) < 0 ||
        c9py_get_buffer(PyTuple_GET_ITEM(args, 1), &buf, write ? PyBUF_SIMPLE : PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    if (buf.len % 512) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "Buffer must be a multiple of 512 bytes");
        return NULL;
    }
    if (alive(self) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    uint32_t n = (uint32_t)(buf.len / 512);
    c9_err_t err = write ? c9_sdspi_write(&SELF->sd, (uint32_t)block, buf.buf, n)
                         : c9_sdspi_read(&SELF->sd, (uint32_t)block, buf.buf, n);
    PyBuffer_Release(&buf);
    return err == C9_OK ? Py_NewRef(Py_None) : raise_sd(err, false);
}

static PyObject *sdcard_readblocks(PyObject *self, PyObject *args) {
    return blocks(self, args, false);
}

static PyObject *sdcard_writeblocks(PyObject *self, PyObject *args) {
    return blocks(self, args, true);
}

static PyMethodDef sdcard_methods[] = {
    {"count", sdcard_count, METH_NOARGS, "The number of 512-byte blocks on the card."},
    {"deinit", sdcard_deinit, METH_NOARGS, "Disable the card and release its chip select."},
    {"readblocks", sdcard_readblocks, METH_VARARGS, "readblocks(start_block, buf)"},
    {"sync", sdcard_sync, METH_NOARGS, "Finish a write in progress."},
    {"writeblocks", sdcard_writeblocks, METH_VARARGS, "writeblocks(start_block, buf)"},
    {NULL},
};

PyTypeObject c9py_SDCard_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "sdcardio.SDCard",
    .tp_basicsize = sizeof(sdcard_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "SDCard(spi, cs, baudrate=8000000): an SD card on an SPI bus.",
    .tp_new = c9py_native_new,
    .tp_init = sdcard_init,
    .tp_dealloc = sdcard_dealloc,
    .tp_methods = sdcard_methods,
};

static c9_err_t card_read(void *ctx, uint32_t block, uint8_t *buf, uint32_t count) {
    sdcard_obj_t *c = ctx;
    return c->deinited ? C9_ERR_BADF : c9_sdspi_read(&c->sd, block, buf, count);
}

static c9_err_t card_write(void *ctx, uint32_t block, const uint8_t *buf, uint32_t count) {
    sdcard_obj_t *c = ctx;
    return c->deinited ? C9_ERR_BADF : c9_sdspi_write(&c->sd, block, buf, count);
}

static c9_err_t card_sync(void *ctx) {
    sdcard_obj_t *c = ctx;
    return c->deinited ? C9_ERR_BADF : c9_sdspi_sync(&c->sd);
}

static c9_err_t card_count(void *ctx, uint32_t *blocks) {
    sdcard_obj_t *c = ctx;
    if (c->deinited) {
        return C9_ERR_BADF;
    }
    *blocks = c9_sdspi_blocks(&c->sd);
    return C9_OK;
}

bool c9py_sdcard_blockdev(PyObject *obj, c9_blockdev_t *out) {
    if (!Py_IS_TYPE(obj, &c9py_SDCard_Type) || !c9py_is_ready(obj)) {
        return false;
    }
    *out = (c9_blockdev_t){.read = card_read, .write = card_write, .sync = card_sync, .count = card_count, .ctx = obj};
    return true;
}

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "sdcardio", "SD cards over SPI", -1, NULL};

PyObject *c9py_init_sdcardio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "SDCard", &c9py_SDCard_Type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
