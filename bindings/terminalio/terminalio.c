/* terminalio: FONT, the built-in Terminus 6x12 font the console uses. */
#include "../displayio/c9py_display.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "terminalio",
                                 "Displays text in a TileGrid (the FONT the console uses).", -1, NULL};

PyObject *c9py_init_terminalio(void) {
    PyObject *m = PyModule_Create(&def);
    PyObject *font = m ? c9py_terminal_font() : NULL;
    if (!font) {
        Py_XDECREF(m);
        return NULL;
    }
    Py_INCREF(font);
    if (PyModule_AddObject(m, "FONT", font) < 0) {
        Py_DECREF(font);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
