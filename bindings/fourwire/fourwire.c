/* fourwire.FourWire: a display bus over busio.SPI with D/C, chip select and reset pins. */
#include "c9py.h"
#include "busio/busio.h"
#include "circuit9/port.h"
#include "displayio/bus.h"
#include "microcontroller/Pin.h"

typedef struct {
    c9py_bus_obj_t head;
    c9_fourwire_t fw;
    PyObject *spi;
} fourwire_obj_t;

#define SELF ((fourwire_obj_t *)self)

static void fw_deinit(c9py_bus_obj_t *bus) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9_port_panel_disconnect(&bus->wiring);
    c9_port_pin_release(self->fw.dc);
    c9_port_pin_release(self->fw.cs);
    c9_port_pin_release(self->fw.reset);
    Py_CLEAR(self->spi);
}

static c9_err_t fw_stats(c9py_bus_obj_t *bus, c9_port_bus_stats_t *out) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9py_spi_obj_t *spi = (c9py_spi_obj_t *)self->spi;
    return spi && spi->spi ? c9_port_spi_stats(spi->spi, out) : C9_ERR_BADF;
}

static void fw_reset_stats(c9py_bus_obj_t *bus) {
    fourwire_obj_t *self = (fourwire_obj_t *)bus;
    c9py_spi_obj_t *spi = (c9py_spi_obj_t *)self->spi;
    if (spi && spi->spi) {
        c9_port_spi_reset_stats(spi->spi);
    }
}

static int fw_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_spi_bus, ARG_command, ARG_chip_select, ARG_reset, ARG_baudrate, ARG_polarity, ARG_phase };
    static const c9py_arg_t allowed[] = {
        {"spi_bus", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"command", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"chip_select", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"baudrate", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 24000000}},
        {"polarity", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"phase", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[7];
    if (c9py_arg_parse(args, kw, allowed, 7, a) < 0) {
        return -1;
    }
    PyObject *spi = a[ARG_spi_bus].u_obj;
    if (c9py_check_type(spi, &c9py_SPI_Type, "spi_bus") < 0 ||
        c9py_check_range(a[ARG_polarity].u_int, 0, 1, "polarity") < 0 ||
        c9py_check_range(a[ARG_phase].u_int, 0, 1, "phase") < 0 || c9py_ready(spi) < 0) {
        return -1;
    }
    if (((c9py_spi_obj_t *)spi)->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    int dc = -1, c = -1, r = -1;
    if (c9py_pin_claim_optional(a[ARG_command].u_obj, "command", &dc) < 0) {
        return -1;
    }
    if (c9py_pin_claim_optional(a[ARG_chip_select].u_obj, "chip_select", &c) < 0) {
        c9_port_pin_release(dc);
        return -1;
    }
    if (c9py_pin_claim_optional(a[ARG_reset].u_obj, "reset", &r) < 0) {
        c9_port_pin_release(dc);
        c9_port_pin_release(c);
        return -1;
    }
    SELF->head.kind = C9PY_BUS_FOURWIRE;
    SELF->head.deinited = false;
    SELF->head.deinit = fw_deinit;
    SELF->head.stats = fw_stats;
    SELF->head.reset_stats = fw_reset_stats;
    Py_INCREF(spi);
    SELF->spi = spi;
    c9_fourwire_t *fw = &SELF->fw;
    c9py_spi_obj_t *bus_spi = (c9py_spi_obj_t *)spi;
    fw->spi = c9py_spi_hal(spi); /* not the raw bus: spi.deinit() may release it while we live */
    fw->gpio = c9_port_gpio();
    fw->dc = dc;
    fw->cs = c;
    fw->reset = r;
    fw->baudrate = (uint32_t)a[ARG_baudrate].u_int;
    fw->polarity = (uint8_t)a[ARG_polarity].u_int;
    fw->phase = (uint8_t)a[ARG_phase].u_int;
    fw->clock = c9_port_clock();
    /* Outputs at their idle levels: deselected, data mode, out of reset. */
    c9_port_pin_output(c, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(r, true, C9_PORT_DRIVE_PUSH_PULL);
    SELF->head.bus = c9_fourwire_bus(fw);
    c9py_wiring_init(&SELF->head.wiring, C9_PORT_WIRING_FOURWIRE);
    SELF->head.wiring.clock = bus_spi->clock;
    SELF->head.wiring.mosi = bus_spi->mosi;
    SELF->head.wiring.command = dc;
    SELF->head.wiring.chip_select = c;
    SELF->head.wiring.reset = r;
    return c9py_bus_register(self);
}
C9PY_DEFINE_INIT(fw_init, fw_construct)

static void fw_dealloc(PyObject *self) {
    if (c9py_is_ready(self) && !SELF->head.deinited) {
        fw_deinit(&SELF->head);
    }
    Py_XDECREF(SELF->spi);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *fw_send(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_command, ARG_data, ARG_toggle_every_byte };
    static const c9py_arg_t allowed[] = {
        {"command", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"data", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"toggle_every_byte", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[3];
    Py_buffer data;
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 ||
        c9py_bus_send_begin(self, a[ARG_command].u_int, a[ARG_data].u_obj, &data) < 0) {
        return NULL;
    }
    return c9py_bus_send_done(c9_fourwire_send(&SELF->fw, (uint8_t)a[ARG_command].u_int, data.buf, (size_t)data.len,
                                               a[ARG_toggle_every_byte].u_bool),
                              &data);
}

static PyObject *stats(PyObject *self, PyObject *u) {
    (void)u;
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
    .tp_new = c9py_native_new,
    .tp_init = fw_init,
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
