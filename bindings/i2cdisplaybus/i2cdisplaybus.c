/* i2cdisplaybus.I2CDisplayBus: a display bus over busio.I2C (SSD1306-style control bytes). */
#include "c9py.h"
#include "busio/busio.h"
#include "circuit9/port.h"
#include "displayio/bus.h"
#include "microcontroller/Pin.h"

typedef struct {
    c9py_bus_obj_t head;
    c9_i2cdisplaybus_t b;
    PyObject *i2c;
} i2cbus_obj_t;

#define SELF ((i2cbus_obj_t *)self)

static void ib_deinit(c9py_bus_obj_t *bus) {
    i2cbus_obj_t *self = (i2cbus_obj_t *)bus;
    c9_port_panel_disconnect(&bus->wiring);
    c9_port_pin_release(self->b.reset);
    Py_CLEAR(self->i2c);
}

static c9_err_t ib_stats(c9py_bus_obj_t *bus, c9_port_bus_stats_t *out) {
    c9py_i2c_obj_t *i2c = (c9py_i2c_obj_t *)((i2cbus_obj_t *)bus)->i2c;
    return i2c && i2c->i2c ? c9_port_i2c_stats(i2c->i2c, out) : C9_ERR_BADF;
}

static void ib_reset_stats(c9py_bus_obj_t *bus) {
    c9py_i2c_obj_t *i2c = (c9py_i2c_obj_t *)((i2cbus_obj_t *)bus)->i2c;
    if (i2c && i2c->i2c) {
        c9_port_i2c_reset_stats(i2c->i2c);
    }
}

static int ib_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_i2c_bus, ARG_device_address, ARG_reset };
    static const c9py_arg_t allowed[] = {
        {"i2c_bus", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"device_address", C9PY_ARG_INT | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return -1;
    }
    PyObject *i2c = a[ARG_i2c_bus].u_obj;
    if (c9py_check_type(i2c, &c9py_I2C_Type, "i2c_bus") < 0 ||
        c9py_check_range(a[ARG_device_address].u_int, 0, 127, "device_address") < 0 || c9py_ready(i2c) < 0) {
        return -1;
    }
    if (((c9py_i2c_obj_t *)i2c)->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    int r = c9py_pin_arg(a[ARG_reset].u_obj, "reset", true);
    if (r == -1 || (r >= 0 && c9py_pin_claim(r, "reset") < 0)) {
        return -1;
    }
    SELF->head.kind = C9PY_BUS_I2C;
    SELF->head.deinited = false;
    SELF->head.deinit = ib_deinit;
    SELF->head.stats = ib_stats;
    SELF->head.reset_stats = ib_reset_stats;
    Py_INCREF(i2c);
    SELF->i2c = i2c;
    c9py_i2c_obj_t *bus_i2c = (c9py_i2c_obj_t *)i2c;
    uint8_t address = (uint8_t)a[ARG_device_address].u_int;
    SELF->b.i2c = c9py_i2c_hal(i2c); /* not the raw bus: i2c.deinit() may release it while we live */
    SELF->b.gpio = c9_port_gpio();
    SELF->b.address = address;
    SELF->b.reset = r < 0 ? -1 : r;
    SELF->b.clock = c9_port_clock();
    c9_port_pin_output(SELF->b.reset, true, C9_PORT_DRIVE_PUSH_PULL);
    SELF->head.bus = c9_i2cdisplaybus_bus(&SELF->b);
    c9py_wiring_init(&SELF->head.wiring, C9_PORT_WIRING_I2C);
    SELF->head.wiring.scl = bus_i2c->scl;
    SELF->head.wiring.sda = bus_i2c->sda;
    SELF->head.wiring.address = address;
    SELF->head.wiring.reset = SELF->b.reset;
    /* As CircuitPython: reset the display, then probe for it. The port is told first, so that a
     * stand-in breakout of the virtual board is there to answer. */
    if (SELF->b.reset >= 0) {
        SELF->head.bus.ops->reset(SELF->head.bus.ctx);
    }
    c9_port_panel_connect(&SELF->head.wiring);
    if (c9_port_i2c_probe(bus_i2c->i2c, address) != C9_OK) {
        c9_port_pin_release(SELF->b.reset);
        Py_CLEAR(SELF->i2c);
        PyErr_Format(PyExc_ValueError, "Unable to find I2C Display at %x", address);
        return -1;
    }
    return c9py_bus_register(self);
}
C9PY_DEFINE_INIT(ib_init, ib_construct)

static void ib_dealloc(PyObject *self) {
    if (c9py_is_ready(self) && !SELF->head.deinited) {
        ib_deinit(&SELF->head);
    }
    Py_XDECREF(SELF->i2c);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *ib_send(PyObject *self, PyObject *args, PyObject *kw) {
    uint8_t cmd;
    Py_buffer data;
    if (c9py_bus_send_args(self, args, kw, &cmd, &data) < 0) {
        return NULL;
    }
    return c9py_bus_send_done(c9_i2cdisplaybus_send(&SELF->b, cmd, data.buf, (size_t)data.len), &data);
}

static PyObject *stats(PyObject *self, PyObject *u) {
    (void)u;
    return c9py_bus_stats_dict(self);
}

static PyMethodDef methods[] = {
    {"reset", c9py_bus_reset, METH_NOARGS, "Performs a hardware reset via the reset pin."},
    {"send", (PyCFunction)(void (*)(void))ib_send, METH_VARARGS | METH_KEYWORDS,
     "Sends the given command value followed by the full set of data."},
    {"c9_stats", stats, METH_NOARGS, "circuit9: bytes, transactions, clock cycles and transfer time on the wire."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject c9py_I2CDisplayBus_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "i2cdisplaybus.I2CDisplayBus",
    .tp_basicsize = sizeof(i2cbus_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "I2CDisplayBus(i2c_bus, *, device_address, reset=None)",
    .tp_new = c9py_native_new,
    .tp_init = ib_init,
    .tp_dealloc = ib_dealloc,
    .tp_methods = methods,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "i2cdisplaybus", "Communication to displays over I2C.", -1,
                                 NULL};

PyObject *c9py_init_i2cdisplaybus(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "I2CDisplayBus", &c9py_I2CDisplayBus_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
