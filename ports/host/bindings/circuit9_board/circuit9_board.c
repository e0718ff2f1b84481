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
#include "c9py.h"
#include "busdisplay/busdisplay.h"
#include "busio/busio.h"
#include "displayio/bus.h"
#include "displayio/displayio.h"
#include "microcontroller/Pin.h"

#include "circuit9/host_display.h"
#include "circuit9/host_port.h"

#include <stdio.h>

typedef struct {
    C9PY_OBJECT_HEAD c9_vpanel_t *panel;
    bool port_owned; /* one of the port's panels (the board's, a breakout): not freed here */
} panel_obj_t;

#define SELF ((panel_obj_t *)self)

static int panel_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { CONTROLLER, RW, RH, GW, GH, GX, GY, INVERTED, BGR, MIRROR_X, MOUNT, NARGS };
#define KW_INT(name, def)                                                                                              \
    {                                                                                                                  \
        name, C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {                                                                       \
            .u_int = def                                                                                               \
        }                                                                                                              \
    }
    static const c9py_arg_t allowed[NARGS] = {
        {"controller", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        KW_INT("ram_width", -1),
        KW_INT("ram_height", -1),
        KW_INT("glass_width", -1),
        KW_INT("glass_height", -1),
        KW_INT("glass_x", -1),
        KW_INT("glass_y", -1),
        {"inverted", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"bgr", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"mirror_x", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        KW_INT("mount_rotation", 0),
    };
#undef KW_INT
    c9py_argval_t a[NARGS];
    if (c9py_arg_parse(args, kw, allowed, NARGS, a) < 0) {
        return -1;
    }
    if (!PyUnicode_Check(a[CONTROLLER].u_obj)) {
        PyErr_Format(PyExc_TypeError, "controller must be of type str, not %s", c9py_type_name(a[CONTROLLER].u_obj));
        return -1;
    }
    const char *controller = PyUnicode_AsUTF8(a[CONTROLLER].u_obj);
    if (!controller) {
        return -1;
    }
    long mount = a[MOUNT].u_int;
    if (mount < 0 || mount % 90 != 0) {
        PyErr_SetString(PyExc_ValueError, "mount_rotation must be 0, 90, 180 or 270");
        return -1;
    }
    int flags[3];
    for (int i = 0; i < 3; i++) {
        PyObject *o = a[INVERTED + i].u_obj;
        if ((flags[i] = o ? PyObject_IsTrue(o) : -1) == -1 && o) {
            return -1;
        }
    }
    c9_vpanel_config_t cfg;
    if (c9_vpanel_config_defaults(&cfg, controller) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "unknown controller %s (ST7789, ILI9341 or SSD1306)", controller);
        return -1;
    }
    if (a[RW].u_int > 0) {
        cfg.ram_width = (uint16_t)a[RW].u_int;
    }
    if (a[RH].u_int > 0) {
        cfg.ram_height = (uint16_t)a[RH].u_int;
    }
    if (a[GW].u_int > 0) {
        cfg.glass_width = (uint16_t)a[GW].u_int;
    }
    if (a[GH].u_int > 0) {
        cfg.glass_height = (uint16_t)a[GH].u_int;
    }
    if (a[GX].u_int >= 0) {
        cfg.glass_x = (uint16_t)a[GX].u_int;
    }
    if (a[GY].u_int >= 0) {
        cfg.glass_y = (uint16_t)a[GY].u_int;
    }
    if (flags[0] >= 0) {
        cfg.glass_inverted = flags[0];
    }
    if (flags[1] >= 0) {
        cfg.glass_bgr = flags[1];
    }
    if (flags[2] >= 0) {
        cfg.glass_mirror_x = flags[2];
    }
    cfg.mount_rotation = (uint16_t)(mount % 360);
    SELF->panel = c9_vpanel_new(&cfg);
    if (!SELF->panel) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}
C9PY_DEFINE_INIT(panel_init, panel_construct)

static void panel_dealloc(PyObject *self) {
    if (c9py_is_ready(self) && !SELF->port_owned) {
        c9_vpanel_free(SELF->panel);
    }
    Py_TYPE(self)->tp_free(self);
}

static bool port_has(const c9_vpanel_t *p) {
    for (size_t i = 0; i < c9_host_panel_count(); i++) {
        if (c9_host_panel_at(i) == p) {
            return true;
        }
    }
    return false;
}

/* The panel, or NULL with the not-constructed error (or, for a port's panel that a breakout
 * replaced, a ValueError). */
static c9_vpanel_t *panel(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->port_owned && !port_has(SELF->panel)) {
        PyErr_SetString(PyExc_ValueError, "the board replaced this panel; ask panels() again");
        return NULL;
    }
    return SELF->panel;
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
    static const c9py_arg_t allowed[] = {
        {"clock", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},      {"mosi", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"chip_select", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY}, {"command", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[5];
    PyObject *o[5];
    if (!panel(self) || c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return NULL;
    }
    for (int i = 0; i < 5; i++) {
        o[i] = a[i].u_obj;
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
    static const c9py_arg_t allowed[] = {
        {"data0", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},       {"data_pins", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"chip_select", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY}, {"command", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"write", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},       {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[6];
    if (!panel(self) || c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return NULL;
    }
    PyObject *data0 = a[0].u_obj, *data_pins = a[1].u_obj, *o[4] = {a[2].u_obj, a[3].u_obj, a[4].u_obj, a[5].u_obj};
    int pins[16], width = 8;
    if (data0) {
        int first = c9py_pin_arg(data0, "data0", false);
        int num;
        if (first < 0 || sscanf(c9_port_pin_name(first), "GPIO%d", &num) != 1) {
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
    static const c9py_arg_t allowed[] = {
        {"scl", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"sda", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"address", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0x3C}},
        {"reset", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[4];
    if (!panel(self) || c9py_arg_parse(args, kw, allowed, 4, a) < 0 ||
        c9py_check_range(a[2].u_int, 0, 127, "address") < 0) {
        return NULL;
    }
    PyObject *scl = a[0].u_obj, *sda = a[1].u_obj, *reset = a[3].u_obj;
    long address = a[2].u_int;
    int c, d, r;
    if (pin_kw(scl, "scl", &c) < 0 || pin_kw(sda, "sda", &d) < 0 || pin_kw(reset, "reset", &r) < 0) {
        return NULL;
    }
    c9_err_t err = c9_vboard_attach_i2c(SELF->panel, c, d, (uint8_t)address, r);
    return err ? c9py_raise(err) : Py_NewRef(Py_None);
}

static PyObject *detach(PyObject *self, PyObject *u) {
    (void)u;
    if (!panel(self)) {
        return NULL;
    }
    c9_vboard_detach(SELF->panel);
    Py_RETURN_NONE;
}

static PyObject *pixels(PyObject *self, PyObject *u) {
    (void)u;
    if (!panel(self)) {
        return NULL;
    }
    const c9_vpanel_config_t *c = c9_vpanel_config(SELF->panel);
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)c->glass_width * c->glass_height * 3);
    if (b) {
        c9_vpanel_render(SELF->panel, (uint8_t *)PyBytes_AS_STRING(b));
    }
    return b;
}

static PyObject *save_png(PyObject *self, PyObject *arg) {
    PyObject *path = NULL;
    if (!panel(self) || !PyUnicode_FSConverter(arg, &path)) {
        return NULL;
    }
    c9_err_t err = c9_vpanel_write_png(SELF->panel, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    if (err != C9_OK) {
        return c9py_raise_oserror(5, "EIO");
    }
    Py_RETURN_NONE;
}

static PyObject *feed(PyObject *self, PyObject *args, PyObject *kw) {
    Py_buffer buf;
    int dc;
    if (!panel(self) || c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0 ||
        (dc = PyObject_IsTrue(PyTuple_GET_ITEM(args, 0))) < 0 ||
        c9py_get_buffer(PyTuple_GET_ITEM(args, 1), &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    c9_vpanel_feed(SELF->panel, dc, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
}

static PyObject *show_window(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"scale", C9PY_ARG_INT, {.u_int = 2}}};
    c9py_argval_t a[1];
    if (!panel(self) || c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    return PyBool_FromLong(c9_window_show(SELF->panel, (int)a[0].u_int) == C9_OK);
}

static PyObject *get_state(PyObject *self, void *c) {
    (void)c;
    c9_vpanel_state_t s;
    if (!panel(self)) {
        return NULL;
    }
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
    return !panel(self) ? NULL : PyLong_FromLong(c9_vpanel_config(SELF->panel)->glass_width);
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    return !panel(self) ? NULL : PyLong_FromLong(c9_vpanel_config(SELF->panel)->glass_height);
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
    {"feed", (PyCFunction)(void (*)(void))feed, METH_VARARGS | METH_KEYWORDS,
     "feed(dc, data): bytes straight into the controller (dc False: commands)."},
    {"show_window", (PyCFunction)(void (*)(void))show_window, METH_VARARGS | METH_KEYWORDS,
     "Show in an SDL2 window; False when headless."},
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
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Panel(controller, *, ram_width, ram_height, glass_width, glass_height, glass_x, glass_y, inverted, "
              "bgr, mirror_x): a virtual display panel that decodes the bytes on its wires.",
    .tp_new = c9py_native_new,
    .tp_init = panel_init,
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
    if (bus && bus->reset_stats && c9py_is_ready(obj) && !bus->deinited) {
        bus->reset_stats(bus);
    } else if (PyObject_TypeCheck(obj, &c9py_SPI_Type) && c9py_is_ready(obj) && ((c9py_spi_obj_t *)obj)->spi) {
        c9_port_spi_reset_stats(((c9py_spi_obj_t *)obj)->spi);
    } else if (PyObject_TypeCheck(obj, &c9py_I2C_Type) && c9py_is_ready(obj) && ((c9py_i2c_obj_t *)obj)->i2c) {
        c9_port_i2c_reset_stats(((c9py_i2c_obj_t *)obj)->i2c);
    } else {
        PyErr_SetString(PyExc_TypeError, "bus must be a live display bus, busio.SPI or busio.I2C");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *display_stats(PyObject *m, PyObject *obj) {
    (void)m;
    if (c9py_check_type(obj, &c9py_BusDisplay_Type, "display") < 0 || c9py_ready(obj) < 0) {
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

static PyObject *virtual_clock(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {{"on", C9PY_ARG_OBJ}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    if (a[0].u_obj) {
        int b = PyObject_IsTrue(a[0].u_obj);
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
    return PyLong_FromUnsignedLongLong(c9_port_now_ns() / 1000000u);
}

static PyObject *sleep_ms(PyObject *m, PyObject *arg) {
    (void)m;
    long ms;
    if (c9py_int(arg, "ms", &ms) < 0 || c9py_check_min(ms, 0, "ms") < 0) {
        return NULL;
    }
    c9_port_delay_ms((uint32_t)ms);
    Py_RETURN_NONE;
}

static PyObject *background(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    c9py_displays_background();
    c9_port_background();
    Py_RETURN_NONE;
}

static PyObject *breakouts(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {{"on", C9PY_ARG_OBJ}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    if (a[0].u_obj) {
        int b = PyObject_IsTrue(a[0].u_obj);
        if (b < 0) {
            return NULL;
        }
        c9_host_set_breakouts(b);
    }
    return PyBool_FromLong(c9_host_breakouts());
}

static PyObject *wrap_port_panel(c9_vpanel_t *p) {
    if (!p) {
        Py_RETURN_NONE;
    }
    panel_obj_t *o = (panel_obj_t *)c9py_object_new(&Panel_Type);
    if (o) {
        o->panel = p;
        o->port_owned = true;
    }
    return (PyObject *)o;
}

static PyObject *panels(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < c9_host_panel_count(); i++) {
        PyObject *o = wrap_port_panel(c9_host_panel_at(i));
        if (!o || PyList_Append(list, o) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(o);
    }
    return list;
}

static PyObject *last_panel(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    return wrap_port_panel(c9_host_panel_last());
}

static PyObject *is_breakout(PyObject *m, PyObject *obj) {
    (void)m;
    if (c9py_check_type(obj, &Panel_Type, "panel") < 0 || !panel(obj)) {
        return NULL;
    }
    return PyBool_FromLong(c9_host_panel_is_breakout(((panel_obj_t *)obj)->panel));
}

static PyMethodDef functions[] = {
    {"pin", pin, METH_O, "The microcontroller.Pin with this MCU name, created if new."},
    {"bus_stats", bus_stats, METH_O, "Bytes, transactions, clock cycles and seconds on a bus's wires."},
    {"reset_bus_stats", reset_bus_stats, METH_O, "Zero a bus's counters."},
    {"display_stats", display_stats, METH_O, "Refreshes, windows and pixel bytes a BusDisplay sent."},
    {"virtual_clock", (PyCFunction)(void (*)(void))virtual_clock, METH_VARARGS | METH_KEYWORDS,
     "Get/set whether display delays advance a virtual clock."},
    {"now_ms", now_ms, METH_NOARGS, "The display clock in ms."},
    {"sleep_ms", sleep_ms, METH_O, "Wait on the display clock (virtual mode: advances it without sleeping)."},
    {"background", background, METH_NOARGS, "Run the display background task once."},
    {"breakouts", (PyCFunction)(void (*)(void))breakouts, METH_VARARGS | METH_KEYWORDS,
     "Get/set whether display buses on free pins get a stand-in breakout."},
    {"panels", panels, METH_NOARGS, "The board's panels: its own display's, then the breakouts wired."},
    {"last_panel", last_panel, METH_NOARGS, "The panel of the display configured last (what --screenshot shows)."},
    {"is_breakout", is_breakout, METH_O, "Whether a panel is a stand-in breakout."},
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
