/* rainbowio: colorwheel() from the LED chain core (pixel.h). */
#include "c9py.h"
#include "circuit9/pixel.h"

static PyObject *colorwheel(PyObject *m, PyObject *arg) {
    (void)m;
    double pos;
    if (c9py_mp_float(arg, &pos) < 0) {
        return NULL;
    }
    /* The boards compute in single precision. */
    return PyLong_FromLong(c9_pixel_colorwheel((float)pos));
}

static PyMethodDef methods[] = {
    {"colorwheel", colorwheel, METH_O, "C implementation of the common colorwheel() function found in many examples."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "rainbowio", "rainbowio module.", -1, methods};

PyObject *c9py_init_rainbowio(void) {
    return PyModule_Create(&def);
}
