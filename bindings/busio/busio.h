/*
 * busio.SPI and busio.I2C as the display buses (fourwire, i2cdisplaybus) and the host's own
 * module see them: the objects hold the port's controllers (port.h).
 */
#ifndef C9PY_BUSIO_H
#define C9PY_BUSIO_H

#include "c9py.h"
#include "circuit9/port.h"

typedef struct {
    C9PY_OBJECT_HEAD c9_port_spi_t *spi;
    int clock, mosi, miso;
    bool deinited;
    bool locked_by_python;
} c9py_spi_obj_t;

typedef struct {
    C9PY_OBJECT_HEAD c9_port_i2c_t *i2c;
    int scl, sda;
    bool deinited;
} c9py_i2c_obj_t;

extern PyTypeObject c9py_SPI_Type, c9py_I2C_Type;

/* The bus of a busio.SPI / busio.I2C object for a display bus. ctx is the Python object, which the
 * display bus keeps a reference to: after the object's deinit() (allowed while a display bus uses
 * it, as in CircuitPython) try_lock() fails, so a refresh sends nothing, and nothing touches the
 * released hardware. */
c9_hal_spi_t c9py_spi_hal(PyObject *spi);
c9_hal_i2c_t c9py_i2c_hal(PyObject *i2c);

#endif
