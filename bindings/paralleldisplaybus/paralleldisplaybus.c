/* paralleldisplaybus.ParallelBus: an 8080-style display bus, 8 or 16 data lines and a WR strobe
 * on the machine's parallel peripheral (port.h): data0 takes the 8 pins the port counts on from it,
 * data_pins takes any 8 or 16. */
#include "c9py.h"
#include "circuit9/port.h"
#include "displayio/bus.h"
#include "microcontroller/Pin.h"

#include <string.h>

typedef struct {
    c9py_bus_obj_t head;
    c9_parallelbus_t pb;
    c9_port_parallel_t *port;
    int data[16];
} parallel_obj_t;

#define SELF ((parallel_obj_t *)self)

static void pb_deinit(c9py_bus_obj_t *bus) {
    parallel_obj_t *self = (parallel_obj_t *)bus;
    c9_port_panel_disconnect(&bus->wiring);
    for (int i = 0; i < self->pb.width; i++) {
        c9_port_pin_release(self->data[i]);
    }
    c9_port_pin_release(self->pb.dc);
    c9_port_pin_release(self->pb.cs);
    c9_port_pin_release(self->pb.write);
    c9_port_pin_release(self->pb.read);
    c9_port_pin_release(self->pb.reset);
    if (self->port) {
        c9_port_parallel_close(self->port);
        self->port = NULL;
    }
}

static c9_err_t pb_stats(c9py_bus_obj_t *bus, c9_port_bus_stats_t *out) {
    parallel_obj_t *self = (parallel_obj_t *)bus;
    return self->port ? c9_port_parallel_stats(self->port, out) : C9_ERR_BADF;
}

static void pb_reset_stats(c9py_bus_obj_t *bus) {
    parallel_obj_t *self = (parallel_obj_t *)bus;
    if (self->port) {
        c9_port_parallel_reset_stats(self->port);
    }
}

static void release_list(const int *pins, int n) {
    for (int i = 0; i < n; i++) {
        c9_port_pin_release(pins[i]);
    }
}

/* The control lines, in the order they are checked and claimed; read and reset are optional
 * (-1 when absent). */
enum { CTL_COMMAND, CTL_CHIP_SELECT, CTL_WRITE, CTL_READ, CTL_RESET, CTL_COUNT };

/* data0: the port gives the 8 pins that follow it. */
static int data_from_data0(PyObject *data0, int pins[16]) {
    int first = c9py_pin_arg(data0, "data0", false);
    if (first < 0) {
        return -1;
    }
    c9_err_t err = c9_port_parallel_data_pins(first, pins);
    if (err != C9_OK) {
        static const c9py_err_override_t data0_errors[] = {
            {C9_ERR_INVAL, &PyExc_ValueError, "Data 0 pin must be byte aligned"},
            {C9_ERR_NOENT, &PyExc_ValueError, "Invalid pins"},
            {C9_OK},
        };
        return c9py_fail(err, data0_errors);
    }
    return 8;
}

/* data_pins: any 8 or 16 pins. The length limit is checked before the 8-or-16 rule, so that a
 * long list gets the limit's message. */
static int data_from_list(PyObject *data_pins, int pins[16]) {
    PyObject *seq = PySequence_Fast(data_pins, "data_pins must be a sequence");
    if (!seq) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > 16) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "data_pins length must be <= 16");
        return -1;
    }
    if (n != 8 && n != 16) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "Number of data_pins must be 8 or 16, not %zd", n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        pins[i] = c9py_pin_arg(PySequence_Fast_GET_ITEM(seq, i), "data_pins", false);
        if (pins[i] < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return (int)n;
}

/* The data lines from exactly one of data0 and data_pins; returns their number or -1. */
static int data_lines(PyObject *data0, PyObject *data_pins, int pins[16]) {
    if ((data0 == Py_None) == (data_pins == Py_None)) {
        PyErr_SetString(PyExc_ValueError, "Specify exactly one of data0 or data_pins");
        return -1;
    }
    return data0 != Py_None ? data_from_data0(data0, pins) : data_from_list(data_pins, pins);
}

/* The control lines, checked before the data lines as CircuitPython's constructor does. */
static int control_lines(PyObject *command, PyObject *cs, PyObject *wr, PyObject *rd, PyObject *reset,
                         int ctl[CTL_COUNT]) {
    /* One at a time, in CircuitPython's order: the first bad pin is the one named, and no call
     * runs with an exception already set. */
    int dc, c, w, r, rs;
    if ((dc = c9py_pin_arg(command, "command", false)) < 0 || (c = c9py_pin_arg(cs, "chip_select", false)) < 0 ||
        (w = c9py_pin_arg(wr, "write", false)) < 0 || (r = c9py_pin_arg(rd, "read", true)) == -1 ||
        (rs = c9py_pin_arg(reset, "reset", true)) == -1) {
        return -1;
    }
    ctl[CTL_COMMAND] = dc;
    ctl[CTL_CHIP_SELECT] = c;
    ctl[CTL_WRITE] = w;
    ctl[CTL_READ] = r < 0 ? -1 : r;
    ctl[CTL_RESET] = rs < 0 ? -1 : rs;
    return 0;
}

/* Claims the control lines, then the data lines (CircuitPython's order of "in use" errors); on
 * failure gives back those it took. */
static int claim_lines(const int *pins, int width, const int ctl[CTL_COUNT]) {
    static const char *const ctl_names[CTL_COUNT] = {"command", "chip_select", "write", "read", "reset"};
    for (int i = 0; i < CTL_COUNT; i++) {
        if (ctl[i] >= 0 && c9py_pin_claim(ctl[i], ctl_names[i]) < 0) {
            release_list(ctl, i);
            return -1;
        }
    }
    for (int i = 0; i < width; i++) {
        if (c9_port_pin_claim(pins[i]) != C9_OK) {
            release_list(pins, i);
            release_list(ctl, CTL_COUNT);
            PyErr_Format(PyExc_ValueError, "Bus pin %d is already in use", i);
            return -1;
        }
    }
    return 0;
}

/* The opened port's bus, its idle line levels and the wiring the virtual panel sees. */
static void wire_bus(PyObject *self, const int *pins, int width, const int ctl[CTL_COUNT], long freq) {
    int dc = ctl[CTL_COMMAND], c = ctl[CTL_CHIP_SELECT], w = ctl[CTL_WRITE], r = ctl[CTL_READ], rs = ctl[CTL_RESET];
    memcpy(SELF->data, pins, sizeof(int) * (size_t)width);
    c9_parallelbus_t *pb = &SELF->pb;
    pb->port = c9_port_parallel_hal(SELF->port);
    pb->gpio = c9_port_gpio();
    pb->dc = dc;
    pb->cs = c;
    pb->write = w;
    pb->read = r;
    pb->reset = rs;
    pb->width = (uint8_t)width;
    pb->frequency = (uint32_t)freq;
    pb->clock = c9_port_clock();
    c9_port_pin_output(c, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(dc, true, C9_PORT_DRIVE_PUSH_PULL);
    c9_port_pin_output(r, true, C9_PORT_DRIVE_PUSH_PULL); /* read is held high: there is no read method */
    c9_port_pin_output(rs, true, C9_PORT_DRIVE_PUSH_PULL);
    SELF->head.bus = c9_parallelbus_bus(pb);
    c9py_wiring_init(&SELF->head.wiring, C9_PORT_WIRING_PARALLEL);
    memcpy(SELF->head.wiring.data, pins, sizeof(int) * (size_t)width);
    SELF->head.wiring.width = width;
    SELF->head.wiring.write = w;
    SELF->head.wiring.command = dc;
    SELF->head.wiring.chip_select = c;
    SELF->head.wiring.reset = rs;
}

static int pb_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_data0, ARG_data_pins, ARG_command, ARG_chip_select, ARG_write, ARG_read, ARG_reset, ARG_frequency };
    static const c9py_arg_t allowed[] = {
        {"data0", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"data_pins", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"command", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"chip_select", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"write", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"read", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"frequency", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 30000000}},
    };
    c9py_argval_t a[8];
    if (c9py_arg_parse(args, kw, allowed, 8, a) < 0) {
        return -1;
    }
    long freq = a[ARG_frequency].u_int;
    int pins[16], ctl[CTL_COUNT];
    if (control_lines(a[ARG_command].u_obj, a[ARG_chip_select].u_obj, a[ARG_write].u_obj, a[ARG_read].u_obj,
                      a[ARG_reset].u_obj, ctl) < 0) {
        return -1;
    }
    int width = data_lines(a[ARG_data0].u_obj, a[ARG_data_pins].u_obj, pins);
    if (width < 0 || claim_lines(pins, width, ctl) < 0) {
        return -1;
    }
    SELF->head.kind = C9PY_BUS_PARALLEL;
    SELF->head.deinited = false;
    SELF->head.deinit = pb_deinit;
    SELF->head.stats = pb_stats;
    SELF->head.reset_stats = pb_reset_stats;
    c9_err_t err = c9_port_parallel_open(pins, width, ctl[CTL_CHIP_SELECT], ctl[CTL_COMMAND], ctl[CTL_WRITE],
                                         (uint32_t)freq, &SELF->port);
    if (err != C9_OK) {
        release_list(pins, width);
        release_list(ctl, CTL_COUNT);
        static const c9py_err_override_t open_errors[] = {
            {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pins"},
            {C9_ERR_BUSY, &PyExc_ValueError, "All parallel peripherals are in use"},
            {C9_OK},
        };
        return c9py_fail(err, open_errors);
    }
    wire_bus(self, pins, width, ctl, freq);
    return c9py_bus_register(self);
}
C9PY_DEFINE_INIT(pb_init, pb_construct)

static void pb_dealloc(PyObject *self) {
    if (c9py_is_ready(self) && !SELF->head.deinited) {
        pb_deinit(&SELF->head);
    }
    Py_TYPE(self)->tp_free(self);
}

static PyObject *pb_send(PyObject *self, PyObject *args, PyObject *kw) {
    uint8_t cmd;
    Py_buffer data;
    if (c9py_bus_send_args(self, args, kw, &cmd, &data) < 0) {
        return NULL;
    }
    return c9py_bus_send_done(c9_parallelbus_send(&SELF->pb, cmd, data.buf, (size_t)data.len), &data);
}

static PyObject *stats(PyObject *self, PyObject *u) {
    (void)u;
    return c9py_bus_stats_dict(self);
}

static PyMethodDef methods[] = {
    {"reset", c9py_bus_reset, METH_NOARGS, "Performs a hardware reset via the reset pin."},
    {"send", (PyCFunction)(void (*)(void))pb_send, METH_VARARGS | METH_KEYWORDS,
     "Sends the given command value followed by the full set of data."},
    {"c9_stats", stats, METH_NOARGS, "circuit9: bytes, transactions, WR strobes and transfer time on the wire."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject c9py_ParallelBus_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "paralleldisplaybus.ParallelBus",
    .tp_basicsize = sizeof(parallel_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "ParallelBus(*, data0=None, data_pins=None, command, chip_select, write, read=None, reset=None, "
              "frequency=30000000)",
    .tp_new = c9py_native_new,
    .tp_init = pb_init,
    .tp_dealloc = pb_dealloc,
    .tp_methods = methods,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "paralleldisplaybus",
                                 "Native helpers for driving parallel displays.", -1, NULL};

PyObject *c9py_init_paralleldisplaybus(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "ParallelBus", &c9py_ParallelBus_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
