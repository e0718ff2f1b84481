/* nvm: the ByteArray type of microcontroller.nvm. */
#include "nvm/ByteArray.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "nvm", "Non-volatile memory.", -1, NULL};

PyObject *c9py_init_nvm(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "ByteArray", &c9py_ByteArray_Type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
