/* The jpegio module: JpegDecoder only, as in CircuitPython 9. */
#include "jpegio.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "jpegio", "Support for JPEG image decoding", -1, NULL};

PyObject *c9py_init_jpegio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "JpegDecoder", &c9py_JpegDecoder_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
