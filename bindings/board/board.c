/* CircuitPython's board module for the virtual board being run: board_id, one attribute per
 * board pin (the microcontroller.pin object of the MCU pin it is wired to), SPI()/I2C()/UART()
 * singletons on the default bus pins, and DISPLAY, the built-in display the supervisor made.
 *
 * Pins come from microcontroller.pin by MCU name, so board.TFT_CS is microcontroller.pin.GPIO39
 * itself, as on a board. Without a microcontroller module the board has no pin attributes. */
#include "c9rt.h"

#include <string.h>

static PyObject *singletons[3]; /* SPI, I2C, UART */

static const c9_board_t *board(void) {
    return c9rt.board ? c9rt.board : c9_board_default();
}

/* The microcontroller.pin object for a board pin name, new reference (None when not wired). */
static PyObject *pin_object(const char *board_name) {
    const c9_board_pin_t *p = board_name ? c9_board_pin(board(), board_name) : NULL;
    if (!p) {
        Py_RETURN_NONE;
    }
    PyObject *mc = PyImport_ImportModule("microcontroller");
    PyObject *pins = mc ? PyObject_GetAttrString(mc, "pin") : NULL;
    Py_XDECREF(mc);
    if (!pins) {
        return NULL;
    }
    PyObject *o = PyObject_GetAttrString(pins, p->mcu_pin);
    Py_DECREF(pins);
    return o;
}

static PyObject *make_bus(int which) {
    const c9_board_t *b = board();
    const char *cls = which == 0 ? "SPI" : which == 1 ? "I2C" : "UART";
    const char *a = which == 0 ? b->spi_clock : which == 1 ? b->i2c_scl : b->uart_tx;
    const char *c = which == 0 ? b->spi_mosi : which == 1 ? b->i2c_sda : b->uart_rx;
    const char *d = which == 0 ? b->spi_miso : NULL;
    if (!a || !c) {
        PyErr_Format(PyExc_ValueError, "No default %s bus", which == 0 ? "SPI" : which == 1 ? "I2C" : "UART");
        return NULL;
    }
    if (singletons[which]) {
        Py_INCREF(singletons[which]);
        return singletons[which];
    }
    PyObject *busio = PyImport_ImportModule("busio");
    PyObject *pa = busio ? pin_object(a) : NULL;
    PyObject *pc = pa ? pin_object(c) : NULL;
    PyObject *pd = pc ? pin_object(d) : NULL;
    PyObject *obj = NULL;
    if (pd) {
        PyObject *kw = which == 0   ? Py_BuildValue("{s:O,s:O}", "MOSI", pc, "MISO", pd)
                       : which == 1 ? Py_BuildValue("{}")
                                    : Py_BuildValue("{s:O,s:O}", "tx", pa, "rx", pc);
        PyObject *args = which == 0   ? Py_BuildValue("(O)", pa)
                         : which == 1 ? Py_BuildValue("(OO)", pa, pc)
                                      : Py_BuildValue("()");
        PyObject *type = PyObject_GetAttrString(busio, cls);
        if (kw && args && type) {
            obj = PyObject_Call(type, args, kw);
        }
        Py_XDECREF(type);
        Py_XDECREF(kw);
        Py_XDECREF(args);
    }
    Py_XDECREF(busio);
    Py_XDECREF(pa);
    Py_XDECREF(pc);
    Py_XDECREF(pd);
    if (obj) {
        Py_INCREF(obj);
        singletons[which] = obj;
    }
    return obj;
}

static PyObject *b_spi(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return make_bus(0);
}

static PyObject *b_i2c(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return make_bus(1);
}

static PyObject *b_uart(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return make_bus(2);
}

static PyObject *b_getattr(PyObject *m, PyObject *name) {
    (void)m;
    const char *n = PyUnicode_AsUTF8(name);
    if (!n) {
        return NULL;
    }
    if (!strcmp(n, "DISPLAY")) {
        /* Made by the supervisor at start-up; present while the board has a built-in display. */
        if (c9rt.display) {
            Py_INCREF(c9rt.display);
            return c9rt.display;
        }
        if (board()->display) {
            Py_RETURN_NONE;
        }
    }
    PyErr_Format(PyExc_AttributeError, "'module' object has no attribute '%s'", n);
    return NULL;
}

/* dir(board) lists DISPLAY with the pins and buses: programs test `"DISPLAY" in dir(board)`, and
 * on a board it is an entry of the module's table. */
static PyObject *b_dir(PyObject *m, PyObject *noargs) {
    (void)noargs;
    PyObject *d = PyModule_GetDict(m); /* borrowed */
    PyObject *names = d ? PyDict_Keys(d) : NULL;
    if (names && board()->display) {
        PyObject *s = PyUnicode_FromString("DISPLAY");
        if (!s || PyList_Append(names, s) < 0) {
            Py_CLEAR(names);
        }
        Py_XDECREF(s);
    }
    if (names && PyList_Sort(names) < 0) {
        Py_CLEAR(names);
    }
    return names;
}

static PyMethodDef methods[] = {
    {"SPI", b_spi, METH_NOARGS, "The board's default SPI bus (a singleton)."},
    {"I2C", b_i2c, METH_NOARGS, "The board's default I2C bus (a singleton)."},
    {"UART", b_uart, METH_NOARGS, "The board's default UART (a singleton)."},
    {"STEMMA_I2C", b_i2c, METH_NOARGS, "The I2C bus on the STEMMA QT connector."},
    {"__getattr__", b_getattr, METH_O, NULL},
    {"__dir__", b_dir, METH_NOARGS, NULL},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "board", "Pins and devices of the virtual board", -1, methods};

PyObject *c9py_init_board(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    const c9_board_t *b = board();
    if (PyModule_AddStringConstant(m, "board_id", b->board_id) < 0) {
        goto fail;
    }
    PyObject *mc = PyImport_ImportModule("microcontroller");
    PyObject *pins = mc ? PyObject_GetAttrString(mc, "pin") : NULL;
    Py_XDECREF(mc);
    if (!pins) {
        PyErr_Clear();
        return m;
    }
    for (size_t i = 0; i < b->pin_count; i++) {
        PyObject *o = PyObject_GetAttrString(pins, b->pins[i].mcu_pin);
        if (!o) {
            Py_DECREF(pins);
            goto fail;
        }
        if (PyModule_AddObject(m, b->pins[i].name, o) < 0) {
            Py_DECREF(o);
            Py_DECREF(pins);
            goto fail;
        }
    }
    Py_DECREF(pins);
    /* The bus objects the board's pins.c does not list are not attributes at all (board.SPI is
     * an AttributeError on a Pico), so `hasattr(board, "SPI")` tells what it tells on the board. */
    static const struct {
        const char *name;
        uint8_t bit;
    } buses[] = {{"SPI", C9_BOARD_HAS_SPI},
                 {"I2C", C9_BOARD_HAS_I2C},
                 {"STEMMA_I2C", C9_BOARD_HAS_STEMMA_I2C},
                 {"UART", C9_BOARD_HAS_UART}};
    for (size_t i = 0; i < C9_ARRAY_SIZE(buses); i++) {
        if (!(b->bus_objects & buses[i].bit) && PyObject_DelAttrString(m, buses[i].name) < 0) {
            goto fail;
        }
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
