/*
 * circuit9_board: circuit9's own helpers for the virtual board's displays (not a CircuitPython
 * module). Panels that decode bus traffic, wired to pins; bus timing figures; display statistics;
 * the clock mode. See docs/display.md.
 *
 *     import circuit9_board as cb, microcontroller
 *     p = cb.Panel("ST7789", glass_width=240, glass_height=135, glass_x=40, glass_y=53)
 *     p.attach_spi(clock=..., mosi=..., chip_select=..., command=..., reset=...)
 *     ... display.refresh() ...
 *     p.save_png("shot.png"); cb.bus_stats(display.bus)["seconds"]
 */
#include "../displayio/c9py_display.h"

#include <stdio.h>

typedef struct {
    PyObject_HEAD c9_vpanel_t *panel;
} panel_obj_t;

#define SELF ((panel_obj_t *)self)

static PyObject *panel_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"controller", "ram_width", "ram_height", "glass_width", "glass_height",   "glass_x",
                             "glass_y",    "inverted",  "bgr",        "mirror_x",    "mount_rotation", NULL};
    const char *controller;
    int rw = -1, rh = -1, gw = -1, gh = -1, gx = -1, gy = -1, inv = -1, bgr = -1, mx = -1, mount = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$iiiiiipppi:Panel", kwlist, &controller, &rw, &rh, &gw, &gh, &gx, &gy,
                                     &inv, &bgr, &mx, &mount)) {
        return NULL;
    }
    if (mount < 0 || mount % 90 != 0) {
        PyErr_SetString(PyExc_ValueError, "mount_rotation must be 0, 90, 180 or 270");
        return NULL;
    }
    c9_vpanel_config_t cfg;
    if (c9_vpanel_config_defaults(&cfg, controller) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "unknown controller %s (ST7789, ILI9341 or SSD1306)", controller);
        return NULL;
    }
    if (rw > 0)
        cfg.ram_width = (uint16_t)rw;
    if (rh > 0)
        cfg.ram_height = (uint16_t)rh;
    if (gw > 0)
        cfg.glass_width = (uint16_t)gw;
    if (gh > 0)
        cfg.glass_height = (uint16_t)gh;
    if (gx >= 0)
        cfg.glass_x = (uint16_t)gx;
    if (gy >= 0)
        cfg.glass_y = (uint16_t)gy;
    if (inv >= 0)
        cfg.glass_inverted = inv;
    if (bgr >= 0)
        cfg.glass_bgr = bgr;
    if (mx >= 0)
        cfg.glass_mirror_x = mx;
    cfg.mount_rotation = (uint16_t)(mount % 360);
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    SELF->panel = c9_vpanel_new(&cfg);
    if (!SELF->panel) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return self;
}

static void panel_dealloc(PyObject *self) {
    c9_vpanel_free(SELF->panel);
    Py_TYPE(self)->tp_free(self);
}

static int pin_kw(PyObject *o, const char *name, int *out) {
    int id = o ? c9py_pin_arg(o, name, true) : -2;
    if (id == -1) {
        return -1;
    }
    *out = id < 0 ? -1 : id;
    return 0;
}

static PyObject *attach_spi(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"clock", "mosi", "chip_select", "command", "reset", NULL};
    PyObject *o[5] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$OOO:attach_spi", kwlist, &o[0], &o[1], &o[2], &o[3], &o[4])) {
        return NULL;
    }
    int p[5];
    static const char *n[5] = {"clock", "mosi", "chip_select", "command", "reset"};
    for (int i = 0; i < 5; i++) {
        if (pin_kw(o[i], n[i], &p[i]) < 0) {
            return NULL;
        }
    }
    c9_err_t err = c9_vboard_attach_spi(SELF->panel, p[0], p[1], p[2], p[3], p[4]);
    return err ? c9py_raise(err) : Py_NewRef(Py_None);
}

static PyObject *attach_parallel(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"data0", "data_pins", "chip_select", "command", "write", "reset", NULL};
    PyObject *data0 = NULL, *data_pins = NULL, *o[4] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOOOOO:attach_parallel", kwlist, &data0, &data_pins, &o[0], &o[1],
                                     &o[2], &o[3])) {
        return NULL;
    }
    int pins[16], width = 8;
    if (data0) {
        int first = c9py_pin_arg(data0, "data0", false);
        int num;
        if (first < 0 || sscanf(c9_vpin_name(first), "GPIO%d", &num) != 1) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_ValueError, "data0 must be a GPIOn pin");
            }
            return NULL;
        }
        for (int i = 0; i < 8; i++) {
            char name[24];
            snprintf(name, sizeof name, "GPIO%d", num + i);
            pins[i] = c9_vpin(name);
        }
    } else if (data_pins) {
        PyObject *seq = PySequence_Fast(data_pins, "data_pins must be a sequence");
        if (!seq) {
            return NULL;
        }
        width = (int)PySequence_Fast_GET_SIZE(seq);
        if (width != 8 && width != 16) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "8 or 16 data pins");
            return NULL;
        }
        for (int i = 0; i < width; i++) {
            if ((pins[i] = c9py_pin_arg(PySequence_Fast_GET_ITEM(seq, i), "data_pins", false)) < 0) {
                Py_DECREF(seq);
                return NULL;
            }
        }
        Py_DECREF(seq);
    } else {
        PyErr_SetString(PyExc_TypeError, "data0 or data_pins required");
        return NULL;
    }
    int p[4];
    static const char *n[4] = {"chip_select", "command", "write", "reset"};
    for (int i = 0; i < 4; i++) {
        if (pin_kw(o[i], n[i], &p[i]) < 0) {
            return NULL;
        }
    }
    c9_err_t err = c9_vboard_attach_parallel(SELF->panel, pins, width, p[0], p[1], p[2], p[3]);
    return err ? c9py_raise(err) : Py_NewRef(Py_None);
}

static PyObject *attach_i2c(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"scl", "sda", "address", "reset", NULL};
    PyObject *scl, *sda, *reset = NULL;
    int address = 0x3C;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$iO:attach_i2c", kwlist, &scl, &sda, &address, &reset)) {
        return NULL;
    }
    int c, d, r;
    if (pin_kw(scl, "scl", &c) < 0 || pin_kw(sda, "sda", &d) < 0 || pin_kw(reset, "reset", &r) < 0) {
        return NULL;
    }
    c9_err_t err = c9_vboard_attach_i2c(SELF->panel, c, d, (uint8_t)address, r);
    return err ? c9py_raise(err) : Py_NewRef(Py_None);
}

static PyObject *detach(PyObject *self, PyObject *u) {
    (void)u;
    c9_vboard_detach(SELF->panel);
    Py_RETURN_NONE;
}

static PyObject *pixels(PyObject *self, PyObject *u) {
    (void)u;
    const c9_vpanel_config_t *c = c9_vpanel_config(SELF->panel);
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)c->glass_width * c->glass_height * 3);
    if (b) {
        c9_vpanel_render(SELF->panel, (uint8_t *)PyBytes_AS_STRING(b));
    }
    return b;
}

static PyObject *save_png(PyObject *self, PyObject *arg) {
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path)) {
        return NULL;
    }
    c9_err_t err = c9_vpanel_write_png(SELF->panel, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    if (err != C9_OK) {
        return c9py_raise_oserror(5, "EIO");
    }
    Py_RETURN_NONE;
}

static PyObject *feed(PyObject *self, PyObject *args) {
    int dc;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "py*:feed", &dc, &buf)) {
        return NULL;
    }
    c9_vpanel_feed(SELF->panel, dc, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
}

static PyObject *show_window(PyObject *self, PyObject *args) {
    int scale = 2;
    if (!PyArg_ParseTuple(args, "|i:show_window", &scale)) {
        return NULL;
    }
    return PyBool_FromLong(c9_window_show(SELF->panel, scale) == C9_OK);
}

static PyObject *get_state(PyObject *self, void *c) {
    (void)c;
    c9_vpanel_state_t s;
    c9_vpanel_state(SELF->panel, &s);
    return Py_BuildValue("{s:O,s:O,s:O,s:i,s:i,s:k,s:K,s:K,s:k,s:i,s:k}", "sleeping", s.sleeping ? Py_True : Py_False,
                         "display_on", s.display_on ? Py_True : Py_False, "inverted", s.inverted ? Py_True : Py_False,
                         "madctl", s.madctl, "colmod", s.colmod, "commands", (unsigned long)s.commands, "data_bytes",
                         (unsigned long long)s.data_bytes, "pixels_written", (unsigned long long)s.pixels_written,
                         "resets", (unsigned long)s.resets, "last_command", s.last_command, "bad_bytes",
                         (unsigned long)s.bad_bytes);
}
static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(c9_vpanel_config(SELF->panel)->glass_width);
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(c9_vpanel_config(SELF->panel)->glass_height);
}

static PyMethodDef panel_methods[] = {
    {"attach_spi", (PyCFunction)(void (*)(void))attach_spi, METH_VARARGS | METH_KEYWORDS,
     "Wire the panel to SPI pins (command=None: 9-bit SPI)."},
    {"attach_parallel", (PyCFunction)(void (*)(void))attach_parallel, METH_VARARGS | METH_KEYWORDS,
     "Wire the panel to an 8080 bus."},
    {"attach_i2c", (PyCFunction)(void (*)(void))attach_i2c, METH_VARARGS | METH_KEYWORDS, "Wire to I2C pins."},
    {"detach", detach, METH_NOARGS, "Unplug the panel."},
    {"pixels", pixels, METH_NOARGS, "The glass picture now: RGB888 bytes, row by row."},
    {"save_png", save_png, METH_O,
     "Write the picture as seen on the board (glass turned by mount_rotation) to a PNG file."},
    {"feed", feed, METH_VARARGS, "feed(dc, data): bytes straight into the controller (dc False: commands)."},
    {"show_window", show_window, METH_VARARGS, "Show in an SDL2 window; False when headless."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef panel_getset[] = {
    {"state", get_state, NULL, "Controller registers and counters.", NULL},
    {"width", get_width, NULL, "Glass width.", NULL},
    {"height", get_height, NULL, "Glass height.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Panel_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "circuit9_board.Panel",
    .tp_basicsize = sizeof(panel_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Panel(controller, *, ram_width, ram_height, glass_width, glass_height, glass_x, glass_y, inverted, "
              "bgr, mirror_x): a virtual display panel that decodes the bytes on its wires.",
    .tp_new = panel_new,
    .tp_dealloc = panel_dealloc,
    .tp_methods = panel_methods,
    .tp_getset = panel_getset,
};

/* ---- functions ------------------------------------------------------------------------------ */

static PyObject *pin(PyObject *m, PyObject *arg) {
    (void)m;
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name) {
        return NULL;
    }
    int id = c9_vpin(name);
    if (id < 0) {
        PyErr_SetString(PyExc_ValueError, "no room for another pin");
        return NULL;
    }
    return c9py_pin_get(id);
}

static PyObject *bus_stats(PyObject *m, PyObject *bus) {
    (void)m;
    return c9py_bus_stats_dict(bus);
}

static PyObject *reset_bus_stats(PyObject *m, PyObject *obj) {
    (void)m;
    c9py_bus_obj_t *bus = c9py_as_bus(obj);
    if (bus && bus->reset_stats && !bus->deinited) {
        bus->reset_stats(bus);
    } else if (PyObject_TypeCheck(obj, &c9py_SPI_Type) && ((c9py_spi_obj_t *)obj)->spi) {
        c9_vspi_reset_stats(((c9py_spi_obj_t *)obj)->spi);
    } else if (PyObject_TypeCheck(obj, &c9py_I2C_Type) && ((c9py_i2c_obj_t *)obj)->i2c) {
        c9_vi2c_reset_stats(((c9py_i2c_obj_t *)obj)->i2c);
    } else {
        PyErr_SetString(PyExc_TypeError, "bus must be a live display bus, busio.SPI or busio.I2C");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *display_stats(PyObject *m, PyObject *obj) {
    (void)m;
    if (c9py_check_type(obj, &c9py_BusDisplay_Type, "display") < 0) {
        return NULL;
    }
    c9_display_t *d = ((c9py_busdisplay_obj_t *)obj)->display;
    if (!d || ((c9py_busdisplay_obj_t *)obj)->released) {
        return c9py_raise_deinited();
    }
    const c9_display_stats_t *s = &d->stats;
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K}", "refreshes", (unsigned long long)s->refreshes, "areas",
                         (unsigned long long)s->areas, "pixel_bytes", (unsigned long long)s->pixel_bytes,
                         "pixels_composed", (unsigned long long)s->pixels_composed, "union_pixels",
                         (unsigned long long)s->union_pixels, "last_pixel_bytes",
                         (unsigned long long)s->last_pixel_bytes);
}

static PyObject *virtual_clock(PyObject *m, PyObject *args) {
    (void)m;
    PyObject *on = NULL;
    if (!PyArg_ParseTuple(args, "|O:virtual_clock", &on)) {
        return NULL;
    }
    if (on) {
        int b = PyObject_IsTrue(on);
        if (b < 0) {
            return NULL;
        }
        c9_host_clock_set_virtual(b);
    }
    return PyBool_FromLong(c9_host_clock_is_virtual());
}

static PyObject *now_ms(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    return PyLong_FromUnsignedLongLong(c9_host_now_ms());
}

static PyObject *sleep_ms(PyObject *m, PyObject *arg) {
    (void)m;
    long ms;
    if (c9py_int(arg, "ms", &ms) < 0 || c9py_check_min(ms, 0, "ms") < 0) {
        return NULL;
    }
    c9_clock_t c = c9_host_clock();
    c.delay_ms(c.ctx, (uint32_t)ms);
    Py_RETURN_NONE;
}

static PyObject *background(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    c9py_displays_background();
    c9_window_poll();
    Py_RETURN_NONE;
}

static PyMethodDef functions[] = {
    {"pin", pin, METH_O, "The microcontroller.Pin with this MCU name, created if new."},
    {"bus_stats", bus_stats, METH_O, "Bytes, transactions, clock cycles and seconds on a bus's wires."},
    {"reset_bus_stats", reset_bus_stats, METH_O, "Zero a bus's counters."},
    {"display_stats", display_stats, METH_O, "Refreshes, windows and pixel bytes a BusDisplay sent."},
    {"virtual_clock", virtual_clock, METH_VARARGS, "Get/set whether display delays advance a virtual clock."},
    {"now_ms", now_ms, METH_NOARGS, "The display clock in ms."},
    {"sleep_ms", sleep_ms, METH_O, "Wait on the display clock (virtual mode: advances it without sleeping)."},
    {"background", background, METH_NOARGS, "Run the display background task once."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "circuit9_board", "circuit9's virtual-board display helpers.",
                                 -1, functions};

PyObject *c9py_init_circuit9_board(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "Panel", &Panel_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
