/* fourwire.FourWire: a display bus over busio.SPI with D/C, chip select and reset pins. */
#include "../displayio/c9py_display.h"

typedef struct {
    c9py_bus_obj_t head;
    c9_fourwire_t fw;
    PyObject *spi;
} fourwire_obj_t;

#define SELF ((fourwire_obj_t *)self)

static void fw_deinit(c9py_bus_obj_t *bus) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9_vpin_release(self->fw.dc);
    c9_vpin_release(self->fw.cs);
    c9_vpin_release(self->fw.reset);
    Py_CLEAR(self->spi);
}

static const c9_vbus_stats_t *fw_stats(c9py_bus_obj_t *bus) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9py_spi_obj_t *spi = (c9py_spi_obj_t *)self->spi;
    return spi && spi->spi ? c9_vspi_stats(spi->spi) : NULL;
}

static void fw_reset_stats(c9py_bus_obj_t *bus) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9py_spi_obj_t *spi = (c9py_spi_obj_t *)self->spi;
    if (spi && spi->spi) {
        c9_vspi_reset_stats(spi->spi);
    }
}

static int claim_optional(PyObject *obj, const char *name, int *out) {
    int id = c9py_pin_arg(obj, name, true);
    if (id == -1) {
        return -1;
    }
    if (id >= 0 && c9py_pin_claim(id, name) < 0) {
        return -1;
    }
    *out = id < 0 ? -1 : id;
    return 0;
}

static PyObject *fw_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"spi_bus", "command", "chip_select", "reset", "baudrate", "polarity", "phase", NULL};
    PyObject *spi, *command = Py_None, *cs = Py_None, *reset = Py_None;
    long baud = 24000000, pol = 0, pha = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$OOOlll:FourWire", kwlist, &spi, &command, &cs, &reset, &baud, &pol,
                                     &pha)) {
        return NULL;
    }
    if (c9py_check_type(spi, &c9py_SPI_Type, "spi_bus") < 0 || c9py_check_range(pol, 0, 1, "polarity") < 0 ||
        c9py_check_range(pha, 0, 1, "phase") < 0) {
        return NULL;
    }
    if (((c9py_spi_obj_t *)spi)->deinited) {
        return c9py_raise_deinited();
    }
    int dc = -1, c = -1, r = -1;
    if (claim_optional(command, "command", &dc) < 0) {
        return NULL;
    }
    if (claim_optional(cs, "chip_select", &c) < 0) {
        c9_vpin_release(dc);
        return NULL;
    }
    if (claim_optional(reset, "reset", &r) < 0) {
        c9_vpin_release(dc);
        c9_vpin_release(c);
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    SELF->head.kind = C9PY_BUS_FOURWIRE;
    SELF->head.deinit = fw_deinit;
    SELF->head.stats = fw_stats;
    SELF->head.reset_stats = fw_reset_stats;
    Py_INCREF(spi);
    SELF->spi = spi;
    c9_fourwire_t *fw = &SELF->fw;
    fw->spi = c9py_spi_hal(spi); /* not the raw bus: spi.deinit() may release it while we live */
    fw->gpio = c9_vboard_gpio();
    fw->dc = dc;
    fw->cs = c;
    fw->reset = r;
    fw->baudrate = (uint32_t)baud;
    fw->polarity = (uint8_t)pol;
    fw->phase = (uint8_t)pha;
    fw->clock = c9_host_clock();
    /* Idle levels: deselected, data mode, out of reset. */
    c9_vpin_write(c, true);
    c9_vpin_write(dc, true);
    c9_vpin_write(r, true);
    SELF->head.bus = c9_fourwire_bus(fw);
    return c9py_bus_register(self);
}

static void fw_dealloc(PyObject *self) {
    if (!SELF->head.deinited) {
        fw_deinit(&SELF->head);
    }
    Py_XDECREF(SELF->spi);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *fw_send(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"command", "data", "toggle_every_byte", NULL};
    PyObject *cmd_o;
    Py_buffer data;
    int toggle = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oy*|$p:send", kwlist, &cmd_o, &data, &toggle)) {
        return NULL;
    }
    uint8_t cmd;
    if (c9py_bus_send_command(self, cmd_o, &data, &cmd) < 0) {
        return NULL;
    }
    return c9py_bus_send_done(c9_fourwire_send(&SELF->fw, cmd, data.buf, (size_t)data.len, toggle), &data);
}

static PyObject *stats(PyObject *self, PyObject *u) {
    return c9py_bus_stats_dict(self);
}

static PyMethodDef methods[] = {
    {"reset", c9py_bus_reset, METH_NOARGS, "Performs a hardware reset via the reset pin."},
    {"send", (PyCFunction)(void (*)(void))fw_send, METH_VARARGS | METH_KEYWORDS,
     "Sends the given command value followed by the full set of data."},
    {"c9_stats", stats, METH_NOARGS, "circuit9: bytes, transactions, clock cycles and transfer time on the wire."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject c9py_FourWire_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "fourwire.FourWire",
    .tp_basicsize = sizeof(fourwire_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "FourWire(spi_bus, *, command=None, chip_select=None, reset=None, baudrate=24000000, polarity=0, "
              "phase=0)",
    .tp_new = fw_new,
    .tp_dealloc = fw_dealloc,
    .tp_methods = methods,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "fourwire", "Connects to a BusDisplay over a four wire bus.",
                                 -1, NULL};

PyObject *c9py_init_fourwire(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "FourWire", &c9py_FourWire_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
