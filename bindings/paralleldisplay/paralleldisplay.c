/* paralleldisplay: the 8.x name of paralleldisplaybus, still registered in 9.x. */
#include "c9py.h"
#include "displayio/bus.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "paralleldisplay",
                                 "Native helpers for driving parallel displays (old name of paralleldisplaybus).", -1,
                                 NULL};

PyObject *c9py_init_paralleldisplay(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "ParallelBus", &c9py_ParallelBus_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
