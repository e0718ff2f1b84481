/*
 * The display buses (fourwire.FourWire, paralleldisplaybus.ParallelBus,
 * i2cdisplaybus.I2CDisplayBus) share a head, so BusDisplay and displayio.release_displays()
 * treat them alike: the core's display bus, the pins it runs on for the port (port.h's panel
 * section), and the bus's own deinit and statistics.
 */
#ifndef C9PY_DISPLAYIO_BUS_H
#define C9PY_DISPLAYIO_BUS_H

#include "c9py.h"
#include "circuit9/display_bus.h"
#include "circuit9/port.h"

typedef enum { C9PY_BUS_FOURWIRE = 1, C9PY_BUS_PARALLEL, C9PY_BUS_I2C } c9py_bus_kind_t;

typedef struct c9py_bus_obj {
    C9PY_OBJECT_HEAD c9py_bus_kind_t kind;
    c9_display_bus_t bus; /* after c9py_bus_register(): guarded ops over `inner` */
    c9_display_bus_t inner;
    bool in_transaction;
    c9_port_wiring_t wiring; /* what the port is told the bus runs on */
    bool deinited;
    void (*deinit)(struct c9py_bus_obj *self);
    /* The port's figures for the bus's wires: C9_ERR_NOSYS where it does not watch them. */
    c9_err_t (*stats)(struct c9py_bus_obj *self, c9_port_bus_stats_t *out);
    void (*reset_stats)(struct c9py_bus_obj *self);
} c9py_bus_obj_t;

extern PyTypeObject c9py_FourWire_Type, c9py_ParallelBus_Type, c9py_I2CDisplayBus_Type;

/* A wiring with every pin -1, of this kind. */
void c9py_wiring_init(c9_port_wiring_t *w, c9_port_wiring_kind_t kind);
/* Returns the bus head if obj is one of the three bus types, else NULL (no exception). */
c9py_bus_obj_t *c9py_as_bus(PyObject *obj);
/* CIRCUITPY_DISPLAY_LIMIT slots (1): a new bus takes a slot or raises
 * RuntimeError("Too many display busses; forgot displayio.release_displays() ?"). */
int c9py_bus_slot_take(PyObject *bus);
/* The last step of a bus constructor: tells the port the bus is there (c9_port_panel_connect)
 * and takes a slot (0), or deinitialises the bus (releasing its pins) and returns -1 with the
 * exception. It puts a guard in front of the bus's ops: once the bus is deinitialised
 * (release_displays(), perhaps from Python code a refresh ran) begin() reports it busy and
 * nothing reaches the hardware it released. */
int c9py_bus_register(PyObject *bus);
/* The bus a BusDisplay is given: ValueError("Unsupported display bus type") for anything but
 * the three bus classes (and subclasses), the not-constructed or deinitialised error; else the
 * head. */
c9py_bus_obj_t *c9py_bus_arg(PyObject *obj);
/* {"bytes", "transactions", "cycles", "seconds", "frequency"} of a display bus, busio.SPI or
 * busio.I2C; NotImplementedError where the port does not watch its wires. */
PyObject *c9py_bus_stats_dict(PyObject *obj);
/* The bus classes' common methods. reset(): RuntimeError("No reset pin") when the core reports
 * none (C9_ERR_NOSYS). For send(): c9py_bus_send_begin() checks the bus is constructed and alive,
 * the command is 0-255 and data a buffer (CircuitPython's order and messages), and fills `data`;
 * c9py_bus_send_done() releases it and maps the core's result (an I2C device that does not
 * answer is OSError ENODEV). */
PyObject *c9py_bus_reset(PyObject *self, PyObject *unused);
int c9py_bus_send_begin(PyObject *self, long command, PyObject *data_obj, Py_buffer *data);
/* send(command, data) as the parallel and I2C buses define it (no keywords): the arguments and
 * c9py_bus_send_begin. */
int c9py_bus_send_args(PyObject *self, PyObject *args, PyObject *kw, uint8_t *cmd, Py_buffer *data);
PyObject *c9py_bus_send_done(c9_err_t err, Py_buffer *data);

#endif
