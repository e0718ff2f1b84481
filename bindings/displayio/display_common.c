/* Display slots (CIRCUITPY_DISPLAY_LIMIT), release_displays(), auto refresh, the terminal group
 * and the display error messages, shared by displayio and its hardware modules. */
#include "c9py_display.h"

/* CircuitPython's default limit: one display bus and one display. */
#define DISPLAY_LIMIT 1
static PyObject *bus_slots[DISPLAY_LIMIT];
static PyObject *display_slots[DISPLAY_LIMIT];

c9py_bus_obj_t *c9py_as_bus(PyObject *obj) {
    if (PyObject_TypeCheck(obj, &c9py_FourWire_Type) || PyObject_TypeCheck(obj, &c9py_ParallelBus_Type) ||
        PyObject_TypeCheck(obj, &c9py_I2CDisplayBus_Type)) {
        return (c9py_bus_obj_t *)obj;
    }
    return NULL;
}

int c9py_bus_slot_take(PyObject *bus) {
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        if (!bus_slots[i]) {
            Py_INCREF(bus);
            bus_slots[i] = bus; /* kept until release_displays(), as buses survive reloads */
            return 0;
        }
    }
    PyErr_SetString(PyExc_RuntimeError, "Too many display busses; forgot displayio.release_displays() ?");
    return -1;
}

int c9py_display_slot_take(PyObject *display) {
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        if (!display_slots[i]) {
            Py_INCREF(display);
            display_slots[i] = display;
            return 0;
        }
    }
    PyErr_SetString(PyExc_RuntimeError, "Too many displays");
    return -1;
}

void c9py_display_slot_drop(PyObject *display) {
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        if (display_slots[i] == display) {
            display_slots[i] = NULL;
            ((c9py_busdisplay_obj_t *)display)->released = true;
            Py_DECREF(display);
        }
    }
}

void c9py_release_displays(void) {
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        PyObject *d = display_slots[i];
        if (d) {
            c9py_busdisplay_obj_t *bd = (c9py_busdisplay_obj_t *)d;
            if (bd->display) {
                c9_display_release(bd->display);
            }
            Py_CLEAR(bd->root);
            bd->released = true;
            display_slots[i] = NULL;
            Py_DECREF(d);
        }
    }
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        PyObject *b = bus_slots[i];
        if (b) {
            c9py_bus_obj_t *bus = (c9py_bus_obj_t *)b;
            if (!bus->deinited && bus->deinit) {
                bus->deinit(bus);
            }
            bus->deinited = true;
            bus_slots[i] = NULL;
            Py_DECREF(b);
        }
    }
}

void c9py_displays_background(void) {
    for (int i = 0; i < DISPLAY_LIMIT; i++) {
        c9py_busdisplay_obj_t *d = (c9py_busdisplay_obj_t *)display_slots[i];
        if (d && d->display && !d->released) {
            c9_display_background(d->display);
        }
    }
}

PyObject *c9py_display_raise(c9_err_t err) {
    switch (err) {
    case C9_ERR_BMP_RLE: PyErr_SetString(PyExc_ValueError, "RLE-compressed BMP not supported"); break;
    case C9_ERR_BMP_FORMAT: PyErr_SetString(PyExc_ValueError, "Unsupported BMP format"); break;
    case C9_ERR_BMP_HEADER: PyErr_SetString(PyExc_ValueError, "Invalid file"); break;
    case C9_ERR_DISPLAY_FPS: PyErr_SetString(PyExc_RuntimeError, "Below minimum frame rate"); break;
    case C9_ERR_INITSEQ_TRUNCATED: PyErr_SetString(PyExc_ValueError, "init_sequence is truncated"); break;
    case C9_ERR_BUSY: PyErr_SetString(PyExc_RuntimeError, "Display bus is busy"); break;
    case C9_ERR_IO: return c9py_raise_oserror(5, "EIO");
    default: return c9py_raise(err);
    }
    return NULL;
}

PyObject *c9py_bus_stats_dict(PyObject *obj) {
    const c9_vbus_stats_t *s = NULL;
    c9py_bus_obj_t *bus = c9py_as_bus(obj);
    if (bus && bus->stats && !bus->deinited) {
        s = bus->stats(bus);
    } else if (PyObject_TypeCheck(obj, &c9py_SPI_Type) && ((c9py_spi_obj_t *)obj)->spi) {
        s = c9_vspi_stats(((c9py_spi_obj_t *)obj)->spi);
    } else if (PyObject_TypeCheck(obj, &c9py_I2C_Type) && ((c9py_i2c_obj_t *)obj)->i2c) {
        s = c9_vi2c_stats(((c9py_i2c_obj_t *)obj)->i2c);
    }
    if (!s) {
        PyErr_Format(PyExc_TypeError, "bus must be a live display bus, busio.SPI or busio.I2C, not %s",
                     c9py_type_name(obj));
        return NULL;
    }
    return Py_BuildValue("{s:K,s:K,s:K,s:d,s:k}", "bytes", (unsigned long long)s->bytes, "transactions",
                         (unsigned long long)s->transactions, "cycles", (unsigned long long)s->cycles, "seconds",
                         (double)s->time_ps / 1e12, "frequency", (unsigned long)s->frequency);
}

/* ---- types ----------------------------------------------------------------------------------- */

int c9py_display_types_ready(void) {
    /* Every type one display-family module may create or check for another, so that no module's
     * objects depend on which modules were imported first. */
    static PyTypeObject *const types[] = {
        &c9py_Bitmap_Type,        &c9py_Palette_Type,      &c9py_ColorConverter_Type, &c9py_Group_Type,
        &c9py_TileGrid_Type,      &c9py_OnDiskBitmap_Type, &c9py_BuiltinFont_Type,    &c9py_Pin_Type,
        &c9py_SPI_Type,           &c9py_I2C_Type,          &c9py_FourWire_Type,       &c9py_ParallelBus_Type,
        &c9py_I2CDisplayBus_Type, &c9py_BusDisplay_Type,
    };
    static bool ready;
    if (ready) {
        return 0;
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (PyType_Ready(types[i]) < 0) {
            return -1;
        }
    }
    ready = true;
    return 0;
}

/* ---- CIRCUITPYTHON_TERMINAL ------------------------------------------------------------------ */

static PyObject *terminal_group;

PyObject *c9py_terminal_group(void) {
    if (terminal_group) {
        return terminal_group;
    }
    if (c9py_display_types_ready() < 0) {
        return NULL;
    }
    /* A read-only group holding the console's character grid (spaces until the supervisor writes
     * to it), 6x12 Terminus cells over a black/white palette. */
    PyObject *g = PyObject_CallNoArgs((PyObject *)&c9py_Group_Type);
    PyObject *font = c9py_terminal_font();
    PyObject *bitmap = font ? PyObject_GetAttrString(font, "bitmap") : NULL;
    PyObject *pal = PyObject_CallFunction((PyObject *)&c9py_Palette_Type, "i", 2);
    PyObject *tg = NULL;
    if (g && bitmap && pal) {
        PyObject *one = PyLong_FromLong(0xFFFFFF);
        PyObject *idx = PyLong_FromLong(1);
        if (one && idx && PyObject_SetItem(pal, idx, one) < 0) {
            PyErr_Clear();
        }
        Py_XDECREF(idx);
        Py_XDECREF(one);
        PyObject *args = PyTuple_Pack(1, bitmap);
        PyObject *kw = Py_BuildValue("{s:O,s:i,s:i,s:i,s:i}", "pixel_shader", pal, "width", 80, "height", 25,
                                     "tile_width", 6, "tile_height", 12);
        tg = args && kw ? PyObject_Call((PyObject *)&c9py_TileGrid_Type, args, kw) : NULL;
        Py_XDECREF(args);
        Py_XDECREF(kw);
    }
    if (tg && PyObject_CallMethod(g, "append", "O", tg)) {
        ((c9py_group_obj_t *)g)->group.read_only = true;
        terminal_group = g;
    } else {
        Py_XDECREF(g);
    }
    Py_XDECREF(tg);
    Py_XDECREF(bitmap);
    Py_XDECREF(pal);
    return terminal_group;
}
