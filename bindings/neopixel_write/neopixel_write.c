/* neopixel_write: bytes out of a DigitalInOut's pin as a WS2812 bit stream (port.h). Which LEDs
 * light and in which colours is the chain's business (the virtual board decodes the frame with the
 * chain's colour order, pixel.h). */
#include "c9py.h"
#include "circuit9/port.h"
#include "digitalio/digitalio.h"

static PyObject *neopixel_write(PyObject *m, PyObject *args) {
    (void)m;
    if (c9py_arg_check_call(args, NULL, 0, 2, 2, false) < 0) {
        return NULL;
    }
    int pin = c9py_digitalinout_pin(PyTuple_GET_ITEM(args, 0), "digitalinout");
    Py_buffer buf;
    if (pin < 0 || c9py_get_buffer(PyTuple_GET_ITEM(args, 1), &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    c9_err_t err = c9_port_neopixel_write(pin, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
}

static PyMethodDef methods[] = {
    {"neopixel_write", neopixel_write, METH_VARARGS, "Write buf out on the given DigitalInOut."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "neopixel_write", "Low-level neopixel implementation.", -1,
                                 methods};

PyObject *c9py_init_neopixel_write(void) {
    return PyModule_Create(&def);
}
