/* The displayio module: the data model types; the display classes register in their own files. */
#include "c9py.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "displayio", "Native display and graphics objects.", -1, NULL};

PyObject *c9py_init_displayio(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    PyObject *member = c9py_colorspace_member(C9_COLORSPACE_RGB888); /* creates the enum type */
    if (!member) {
        goto fail;
    }
    Py_DECREF(member);
    Py_INCREF(c9py_Colorspace_Type);
    if (PyModule_AddObject(m, "Colorspace", (PyObject *)c9py_Colorspace_Type) < 0) {
        Py_DECREF(c9py_Colorspace_Type);
        goto fail;
    }
    if (c9py_add_type(m, "Bitmap", &c9py_Bitmap_Type) < 0 || c9py_add_type(m, "Palette", &c9py_Palette_Type) < 0 ||
        c9py_add_type(m, "ColorConverter", &c9py_ColorConverter_Type) < 0) {
        goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
