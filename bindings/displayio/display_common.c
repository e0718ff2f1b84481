/* Display slots (CIRCUITPY_DISPLAY_LIMIT), release_displays(), auto refresh, the terminal group
 * and the display error messages, shared by displayio and its hardware modules. */
#include "c9py.h"
#include "busdisplay/busdisplay.h"
#include "busio/busio.h"
#include "circuit9/port.h"
#include "displayio/bus.h"
#include "displayio/displayio.h"
#include "fontio/fontio.h"
#include "microcontroller/Pin.h"
#include "vectorio/vectorio.h"

#include <string.h>

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

void c9py_wiring_init(c9_port_wiring_t *w, c9_port_wiring_kind_t kind) {
    memset(w, 0, sizeof(*w));
    w->kind = (uint8_t)kind;
    w->clock = w->mosi = w->scl = w->sda = w->write = w->command = w->chip_select = w->reset = -1;
    for (size_t i = 0; i < C9_ARRAY_SIZE(w->data); i++) {
        w->data[i] = -1;
    }
}

/* ---- the guard in front of a display bus ---------------------------------------------------- */

static c9_err_t guard_begin(void *ctx) {
    c9py_bus_obj_t *b = ctx;
    if (b->deinited || !b->inner.ops->begin) {
        return b->deinited ? C9_ERR_BUSY : C9_ERR_NOSYS;
    }
    c9_err_t err = b->inner.ops->begin(b->inner.ctx);
    b->in_transaction = err == C9_OK;
    return err;
}

static c9_err_t guard_send(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len) {
    c9py_bus_obj_t *b = ctx;
    if (!b->in_transaction || !b->inner.ops->send) {
        return b->in_transaction ? C9_ERR_NOSYS : C9_ERR_BUSY;
    }
    return b->inner.ops->send(b->inner.ctx, type, cs, data, len);
}

static void guard_end(void *ctx) {
    c9py_bus_obj_t *b = ctx;
    /* A transaction that began before a deinit still ends (and unlocks its SPI or I2C bus). */
    if (b->in_transaction && b->inner.ops->end) {
        b->inner.ops->end(b->inner.ctx);
    }
    b->in_transaction = false;
}

static c9_err_t guard_reset(void *ctx) {
    c9py_bus_obj_t *b = ctx;
    if (b->deinited) {
        return C9_ERR_BADF;
    }
    return b->inner.ops->reset ? b->inner.ops->reset(b->inner.ctx) : C9_ERR_NOSYS;
}

static const c9_display_bus_ops_t guard_ops = {guard_begin, guard_send, guard_end, guard_reset};

int c9py_bus_register(PyObject *bus) {
    c9py_bus_obj_t *head = (c9py_bus_obj_t *)bus;
    head->inner = head->bus;
    head->bus = (c9_display_bus_t){&guard_ops, head};
    /* The port learns what the bus runs on before anything is sent (the virtual board may wire a
     * stand-in breakout there). */
    c9_err_t err = c9_port_panel_connect(&head->wiring);
    if (err == C9_OK && c9py_bus_slot_take(bus) == 0) {
        return 0;
    }
    if (err != C9_OK) {
        c9py_raise(err);
    }
    head->deinit(head);
    return -1;
}

c9py_bus_obj_t *c9py_bus_arg(PyObject *obj) {
    c9py_bus_obj_t *bus = c9py_as_bus(obj);
    if (!bus) {
        PyErr_SetString(PyExc_ValueError, "Unsupported display bus type");
        return NULL;
    }
    if (c9py_ready(obj) < 0) {
        return NULL;
    }
    if (bus->deinited) {
        c9py_raise_deinited();
        return NULL;
    }
    return bus;
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

PyObject *c9py_display_in_slot(size_t index) {
    return index < DISPLAY_LIMIT ? display_slots[index] : NULL;
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
        PyObject *obj = display_slots[i];
        c9py_busdisplay_obj_t *d = (c9py_busdisplay_obj_t *)obj;
        if (d && d->display && !d->released && c9py_refresh_enter(obj, false) == 0) {
            c9_display_background(d->display);
            c9py_refresh_exit(obj);
        }
    }
}

/* ---- Python code running inside a refresh (c9py_display.h) ------------------------------------ */

static PyObject *composing; /* list: the displays being composed, innermost last */
static PyObject *pins;      /* list of pinned objects, or NULL while nothing is pinned */

/* Appends obj and everything of the display tree it references to `pins`, breadth first through
 * the list itself (no recursion: a tree may be 300,000 groups deep). Bitmaps are locked. */
static int pin_tree(PyObject *obj) {
    Py_ssize_t i = PyList_GET_SIZE(pins);
    if (PyList_Append(pins, obj) < 0) {
        return -1;
    }
    for (; i < PyList_GET_SIZE(pins); i++) {
        PyObject *o = PyList_GET_ITEM(pins, i), *refs[3] = {NULL, NULL, NULL};
        PyObject *items = NULL;
        if (PyObject_TypeCheck(o, &c9py_Group_Type)) {
            items = ((c9py_group_obj_t *)o)->items;
        } else if (PyObject_TypeCheck(o, &c9py_TileGrid_Type)) {
            refs[0] = ((c9py_tilegrid_obj_t *)o)->bitmap;
            refs[1] = ((c9py_tilegrid_obj_t *)o)->shader;
        } else if (PyObject_TypeCheck(o, &c9py_OnDiskBitmap_Type)) {
            refs[0] = ((c9py_ondiskbitmap_obj_t *)o)->file;
            refs[1] = ((c9py_ondiskbitmap_obj_t *)o)->shader;
        } else if (c9py_is_vectorshape(o)) {
            refs[0] = ((c9py_vectorshape_obj_t *)o)->shader; /* the points are the shape's own memory */
        } else if (PyObject_TypeCheck(o, &c9py_BusDisplay_Type)) {
            refs[0] = ((c9py_busdisplay_obj_t *)o)->root;
            refs[1] = ((c9py_busdisplay_obj_t *)o)->bus;
        } else if (PyObject_TypeCheck(o, &c9py_Bitmap_Type)) {
            ((c9py_bitmap_obj_t *)o)->exports++; /* c9py_bitmap_lock's count; undone in unpin() */
        }
        for (Py_ssize_t k = 0; items && k < PyList_GET_SIZE(items); k++) {
            if (PyList_Append(pins, PyList_GET_ITEM(items, k)) < 0) {
                return -1;
            }
        }
        for (int k = 0; k < 3; k++) {
            if (refs[k] && PyList_Append(pins, refs[k]) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static void unpin(void) {
    PyObject *p = pins;
    pins = NULL;
    for (Py_ssize_t i = 0; p && i < PyList_GET_SIZE(p); i++) {
        PyObject *o = PyList_GET_ITEM(p, i);
        if (PyObject_TypeCheck(o, &c9py_Bitmap_Type)) {
            ((c9py_bitmap_obj_t *)o)->exports--;
        }
    }
    Py_XDECREF(p); /* may free objects the refresh no longer needs, and run their Python code */
}

int c9py_refresh_enter(PyObject *display, bool nested) {
    c9py_busdisplay_obj_t *d = (c9py_busdisplay_obj_t *)display;
    if (d->refreshing && !nested) {
        return 1;
    }
    if (!composing && !(composing = PyList_New(0))) {
        PyErr_Clear();
        return 1;
    }
    if (PyList_Append(composing, display) < 0 || (pins && pin_tree(display) < 0)) {
        /* Cannot make it safe: do not compose now. */
        PyErr_Clear();
        Py_ssize_t n = PyList_GET_SIZE(composing);
        if (n && PyList_GET_ITEM(composing, n - 1) == display) {
            PyList_SetSlice(composing, n - 1, n, NULL);
        }
        return 1;
    }
    d->refreshing = true;
    return 0;
}

void c9py_refresh_exit(PyObject *display) {
    Py_ssize_t n = PyList_GET_SIZE(composing);
    /* Displays are composed innermost last; the entry that goes is this call's. */
    Py_INCREF(display);
    PyList_SetSlice(composing, n - 1, n, NULL);
    bool again = false;
    for (Py_ssize_t i = 0; i < n - 1; i++) {
        again = again || PyList_GET_ITEM(composing, i) == display;
    }
    if (!again) {
        ((c9py_busdisplay_obj_t *)display)->refreshing = false;
    }
    if (n == 1) {
        unpin();
    }
    Py_DECREF(display);
}

int c9py_refresh_before_python(void) {
    if (!composing || PyList_GET_SIZE(composing) == 0 || pins) {
        return 0;
    }
    if (!(pins = PyList_New(0))) {
        PyErr_Clear();
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(composing); i++) {
        if (pin_tree(PyList_GET_ITEM(composing, i)) < 0) {
            PyErr_Clear();
            return -1; /* what is pinned stays pinned until the composition ends */
        }
    }
    return 0;
}

int c9py_refresh_pin(PyObject *obj) {
    if (!pins) {
        return 0;
    }
    /* A layer that joins the tree now may be drawn in part by this refresh and then leave it
     * before anything records where: the next refresh of these displays repaints everything. */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(composing); i++) {
        c9py_busdisplay_obj_t *d = (c9py_busdisplay_obj_t *)PyList_GET_ITEM(composing, i);
        if (d->display) {
            c9_display_invalidate(d->display);
        }
    }
    return pin_tree(obj);
}

PyObject *c9py_display_raise(c9_err_t err) {
    static const c9py_err_override_t display_errors[] = {
        {C9_ERR_BUSY, &PyExc_RuntimeError, "Display bus is busy"},
        {C9_OK},
    };
    return c9py_raise_err(err, display_errors);
}

PyObject *c9py_bus_stats_dict(PyObject *obj) {
    c9_port_bus_stats_t stats, *s = &stats;
    c9_err_t err = C9_ERR_BADF;
    c9py_bus_obj_t *bus = c9py_as_bus(obj);
    if (bus && bus->stats && c9py_is_ready(obj) && !bus->deinited) {
        err = bus->stats(bus, s);
    } else if (PyObject_TypeCheck(obj, &c9py_SPI_Type) && c9py_is_ready(obj) && ((c9py_spi_obj_t *)obj)->spi) {
        err = c9_port_spi_stats(((c9py_spi_obj_t *)obj)->spi, s);
    } else if (PyObject_TypeCheck(obj, &c9py_I2C_Type) && c9py_is_ready(obj) && ((c9py_i2c_obj_t *)obj)->i2c) {
        err = c9_port_i2c_stats(((c9py_i2c_obj_t *)obj)->i2c, s);
    }
    if (err == C9_ERR_BADF) {
        PyErr_Format(PyExc_TypeError, "bus must be a live display bus, busio.SPI or busio.I2C, not %s",
                     c9py_type_name(obj));
        return NULL;
    }
    if (err != C9_OK) {
        return c9py_raise(err); /* C9_ERR_NOSYS: this machine does not watch its wires */
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
        &c9py_I2CDisplayBus_Type, &c9py_BusDisplay_Type,   &c9py_Glyph_Type,
    };
    static bool ready;
    if (ready) {
        return 0;
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (c9py_type_ready(types[i]) < 0) {
            return -1;
        }
    }
    ready = true;
    return 0;
}

/* ---- CIRCUITPYTHON_TERMINAL ------------------------------------------------------------------ */

/* The console on the display, as CircuitPython's supervisor builds it: a read-only group holding
 * the scroll area and the one-row status bar, Terminus cells over a black/white palette, sized to
 * the display by c9py_terminal_start(); the supervisor writes console bytes into it. */
static PyObject *terminal_group;
static c9py_tilegrid_obj_t *term_scroll, *term_status;
static c9_terminal_t console_term;

static c9py_tilegrid_obj_t *term_grid(PyObject *bitmap, PyObject *pal, uint16_t w, uint16_t h) {
    const c9_builtin_font_t *f = c9_font_terminal();
    PyObject *args = PyTuple_Pack(1, bitmap);
    PyObject *kw = Py_BuildValue("{s:O,s:i,s:i,s:i,s:i}", "pixel_shader", pal, "width", w, "height", h, "tile_width",
                                 f->glyph_width, "tile_height", f->glyph_height);
    PyObject *tg = args && kw ? PyObject_Call((PyObject *)&c9py_TileGrid_Type, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    return (c9py_tilegrid_obj_t *)tg;
}

PyObject *c9py_terminal_group(void) {
    if (terminal_group) {
        return terminal_group;
    }
    if (c9py_display_types_ready() < 0) {
        return NULL;
    }
    /* Until a display sizes it: 80 columns, 24 lines and the status bar (a 480x300 display). */
    c9_terminal_layout_t l;
    const c9_builtin_font_t *f = c9_font_terminal();
    c9_terminal_layout(480, 300, f->glyph_width, f->glyph_height, &l);
    PyObject *g = PyObject_CallNoArgs((PyObject *)&c9py_Group_Type);
    PyObject *font = c9py_terminal_font();
    PyObject *bitmap = font ? PyObject_GetAttrString(font, "bitmap") : NULL;
    PyObject *pal = PyObject_CallFunction((PyObject *)&c9py_Palette_Type, "i", 2);
    c9py_tilegrid_obj_t *scroll = NULL, *status = NULL;
    if (g && bitmap && pal) {
        PyObject *white = PyLong_FromLong(0xFFFFFF), *one = PyLong_FromLong(1);
        if (!white || !one || PyObject_SetItem(pal, one, white) < 0) {
            PyErr_Clear();
        }
        Py_XDECREF(white);
        Py_XDECREF(one);
        scroll = term_grid(bitmap, pal, l.columns, l.rows);
        status = scroll ? term_grid(bitmap, pal, l.status_columns, 1) : NULL;
    }
    PyObject *r1 = status ? PyObject_CallMethod(g, "append", "O", (PyObject *)scroll) : NULL;
    PyObject *r2 = r1 ? PyObject_CallMethod(g, "append", "O", (PyObject *)status) : NULL;
    if (r2 && c9_terminal_init(&console_term, &scroll->tg, &status->tg, f) == C9_OK) {
        c9_tilegrid_set_position(&scroll->tg, l.scroll_x, l.scroll_y);
        c9_tilegrid_set_position(&status->tg, l.status_x, l.status_y);
        ((c9py_group_obj_t *)g)->group.read_only = true;
        terminal_group = g;
        term_scroll = scroll; /* the group holds them */
        term_status = status;
    } else {
        Py_XDECREF(g);
    }
    Py_XDECREF(r1);
    Py_XDECREF(r2);
    Py_XDECREF(scroll);
    Py_XDECREF(status);
    Py_XDECREF(bitmap);
    Py_XDECREF(pal);
    return terminal_group;
}

int c9py_terminal_start(uint16_t width, uint16_t height) {
    if (!c9py_terminal_group()) {
        return -1;
    }
    const c9_builtin_font_t *f = c9_font_terminal();
    c9_terminal_layout_t l;
    c9_terminal_layout(width, height, f->glyph_width, f->glyph_height, &l);
    c9_tilegrid_t *scroll = &term_scroll->tg, *status = &term_status->tg;
    if (scroll->width != l.columns || scroll->height != l.rows || status->width != l.status_columns) {
        /* A new size starts a clean console, as supervisor_start_terminal() does. */
        if (c9_tilegrid_resize(scroll, l.columns, l.rows, 0) != C9_OK ||
            c9_tilegrid_resize(status, l.status_columns, 1, 0) != C9_OK) {
            PyErr_NoMemory();
            return -1;
        }
        c9_terminal_init(&console_term, scroll, status, f);
    }
    c9_tilegrid_set_position(scroll, l.scroll_x, l.scroll_y);
    c9_tilegrid_set_position(status, l.status_x, l.status_y);
    ((c9py_group_obj_t *)terminal_group)->group.scale = l.scale;
    return 0;
}

void c9py_terminal_write(const char *data, size_t len) {
    if (terminal_group) {
        c9_terminal_write(&console_term, (const uint8_t *)data, len);
    }
}

PyObject *c9py_bus_reset(PyObject *self, PyObject *unused) {
    (void)unused;
    c9py_bus_obj_t *bus = (c9py_bus_obj_t *)self;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (bus->deinited) {
        return c9py_raise_deinited();
    }
    c9_err_t err = bus->bus.ops->reset(bus->bus.ctx);
    if (err != C9_OK) {
        static const c9py_err_override_t reset_errors[] = {
            {C9_ERR_NOSYS, &PyExc_RuntimeError, "No reset pin"},
            {C9_ERR_BUSY, &PyExc_RuntimeError, "Display bus is busy"},
            {C9_OK},
        };
        return c9py_raise_err(err, reset_errors);
    }
    Py_RETURN_NONE;
}

int c9py_bus_send_begin(PyObject *self, long command, PyObject *data_obj, Py_buffer *data) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (((c9py_bus_obj_t *)self)->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    if (c9py_check_range(command, 0, 255, "command") < 0) {
        return -1;
    }
    return c9py_get_buffer(data_obj, data, PyBUF_SIMPLE);
}

int c9py_bus_send_args(PyObject *self, PyObject *args, PyObject *kw, uint8_t *cmd, Py_buffer *data) {
    int32_t command;
    if (c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 0), &command) < 0 ||
        c9py_bus_send_begin(self, command, PyTuple_GET_ITEM(args, 1), data) < 0) {
        return -1;
    }
    *cmd = (uint8_t)command;
    return 0;
}

PyObject *c9py_bus_send_done(c9_err_t err, Py_buffer *data) {
    PyBuffer_Release(data);
    if (err != C9_OK) {
        return c9py_display_raise(err);
    }
    Py_RETURN_NONE;
}
