/* The displayio module: data model types, Group/TileGrid/OnDiskBitmap, release_displays,
 * CIRCUITPYTHON_TERMINAL and the 9.x aliases of the moved classes (Display, FourWire,
 * I2CDisplay). */
#include "c9py.h"
#include "busdisplay/busdisplay.h"
#include "displayio/bus.h"
#include "displayio/displayio.h"

static PyObject *release_displays(PyObject *m, PyObject *unused) {
    (void)m;
    (void)unused;
    c9py_release_displays();
    Py_RETURN_NONE;
}

static PyMethodDef functions[] = {
    {"release_displays", release_displays, METH_NOARGS,
     "Releases any actively used displays so their buses and pins can be used again."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "displayio", "Native display and graphics objects.", -1,
                                 functions};

PyObject *c9py_init_displayio(void) {
    PyObject *m = c9py_display_types_ready() < 0 ? NULL : PyModule_Create(&def);
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
        c9py_add_type(m, "ColorConverter", &c9py_ColorConverter_Type) < 0 ||
        c9py_add_type(m, "Group", &c9py_Group_Type) < 0 || c9py_add_type(m, "TileGrid", &c9py_TileGrid_Type) < 0 ||
        c9py_add_type(m, "OnDiskBitmap", &c9py_OnDiskBitmap_Type) < 0) {
        goto fail;
    }
    /* 9.x keeps the old names of the moved classes (slated for removal in 10). */
    if (c9py_add_type(m, "Display", &c9py_BusDisplay_Type) < 0 ||
        c9py_add_type(m, "FourWire", &c9py_FourWire_Type) < 0 ||
        c9py_add_type(m, "I2CDisplay", &c9py_I2CDisplayBus_Type) < 0) {
        goto fail;
    }
    PyObject *term = c9py_terminal_group();
    if (!term) {
        goto fail;
    }
    Py_INCREF(term);
    if (PyModule_AddObject(m, "CIRCUITPYTHON_TERMINAL", term) < 0) {
        Py_DECREF(term);
        goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}

/* ---- ColorSpace ------------------------------------------------------------------------------ */

int c9py_colorspace(PyObject *obj, const char *name) {
    return c9py_enum_value(obj, c9py_Colorspace_Type, name, "ColorSpace");
}

static const char *const colorspace_names[] = {
    "RGB888", "RGB565",         "RGB565_SWAPPED", "RGB555",         "RGB555_SWAPPED",
    "BGR565", "BGR565_SWAPPED", "BGR555",         "BGR555_SWAPPED", "L8",
    NULL};
PyTypeObject *c9py_Colorspace_Type = NULL;

PyObject *c9py_colorspace_member(c9_colorspace_t cs) {
    if (!c9py_Colorspace_Type) {
        c9py_Colorspace_Type = c9py_enum_type_new("displayio.ColorSpace", colorspace_names);
        if (!c9py_Colorspace_Type) {
            return NULL;
        }
    }
    if ((unsigned)cs >= C9_COLORSPACE_COUNT) {
        PyErr_SetString(PyExc_ValueError, "bad colorspace");
        return NULL;
    }
    return PyObject_GetAttrString((PyObject *)c9py_Colorspace_Type, colorspace_names[cs]);
}
