/* busdisplay.BusDisplay: a display driven over a FourWire, ParallelBus or I2CDisplayBus. */
#include "../displayio/c9py_display.h"

#include <stdlib.h>

#define SELF ((c9py_busdisplay_obj_t *)self)

/* ---- background refresh ------------------------------------------------------------------------ */

static PyObject *background(PyObject *m, PyObject *u) {
    c9py_displays_background();
    c9_window_poll();
    Py_RETURN_NONE;
}
static PyMethodDef background_def = {"_background", background, METH_NOARGS, "Refreshes auto_refresh displays."};

/* CircuitPython refreshes in a background task; here a daemon thread calls it at ~60 Hz with the
 * GIL held, so object changes and refreshes never overlap. C9_NO_DISPLAY_THREAD=1 disables it
 * (the supervisor's own loop may call circuit9_board.background() instead). */
static int start_background_thread(void) {
    static bool started;
    if (started || getenv("C9_NO_DISPLAY_THREAD")) {
        return 0;
    }
    started = true;
    PyObject *fn = PyCFunction_New(&background_def, NULL);
    PyObject *globals = PyDict_New();
    if (!fn || !globals || PyDict_SetItemString(globals, "bg", fn) < 0 ||
        PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0) {
        Py_XDECREF(fn);
        Py_XDECREF(globals);
        return -1;
    }
    Py_DECREF(fn);
    static const char code[] =
        "import threading, time\n"
        "def _loop(bg):\n"
        "    while True:\n"
        "        time.sleep(1 / 60)\n"
        "        try:\n"
        "            bg()\n"
        "        except Exception:\n"
        "            pass\n"
        "threading.Thread(target=_loop, args=(bg,), daemon=True, name='circuit9-display').start()\n";
    PyObject *r = PyRun_String(code, Py_file_input, globals, globals);
    Py_DECREF(globals);
    if (!r) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* ---- construction -------------------------------------------------------------------------------- */

static void backlight_cb(void *ctx, float level) {
    c9py_busdisplay_obj_t *self = ctx;
    /* PWM on the virtual board: the pin reads high whenever the light is on at all. */
    bool on = self->backlight_on_high ? level > 0.0f : level < 1.0f;
    c9_vpin_write(self->backlight_pin, on);
}

static int get_int(PyObject *o, const char *name, long *out) {
    return o ? c9py_int(o, name, out) : 0;
}
static int get_bool(PyObject *o, bool *out) {
    if (!o) {
        return 0;
    }
    int b = PyObject_IsTrue(o);
    if (b < 0) {
        return -1;
    }
    *out = b;
    return 0;
}

static PyObject *bd_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"display_bus",
                             "init_sequence",
                             "width",
                             "height",
                             "colstart",
                             "rowstart",
                             "rotation",
                             "color_depth",
                             "grayscale",
                             "pixels_in_byte_share_row",
                             "bytes_per_cell",
                             "reverse_pixels_in_byte",
                             "reverse_bytes_in_word",
                             "set_column_command",
                             "set_row_command",
                             "write_ram_command",
                             "backlight_pin",
                             "brightness_command",
                             "brightness",
                             "single_byte_bounds",
                             "data_as_commands",
                             "auto_refresh",
                             "native_frames_per_second",
                             "backlight_on_high",
                             "SH1107_addressing",
                             "backlight_pwm_frequency",
                             NULL};
    PyObject *bus_o, *seq_o, *o[24] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$OOOOOOOOOOOOOOOOOOOOOOOO:BusDisplay", kwlist, &bus_o, &seq_o, &o[0],
                                     &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8], &o[9], &o[10], &o[11],
                                     &o[12], &o[13], &o[14], &o[15], &o[16], &o[17], &o[18], &o[19], &o[20], &o[21],
                                     &o[22], &o[23])) {
        return NULL;
    }
    enum {
        W,
        H,
        COLSTART,
        ROWSTART,
        ROT,
        DEPTH,
        GRAY,
        SHARE,
        BPC,
        REVPIX,
        REVBYTES,
        SETCOL,
        SETROW,
        WRITERAM,
        BLPIN,
        BRCMD,
        BR,
        SINGLE,
        DAC,
        AUTO,
        FPS,
        BLHIGH,
        SH1107,
        BLFREQ
    };
    c9py_bus_obj_t *bus = c9py_as_bus(bus_o);
    if (!bus) {
        PyErr_SetString(PyExc_ValueError, "Unsupported display bus type");
        return NULL;
    }
    if (bus->deinited) {
        return c9py_raise_deinited();
    }
    if (!o[W] || !o[H]) {
        PyErr_Format(PyExc_TypeError, "function missing required keyword argument '%s'", !o[W] ? "width" : "height");
        return NULL;
    }
    c9_display_config_t cfg;
    c9_display_config_defaults(&cfg);
    long width, height, colstart = 0, rowstart = 0, rotation = 0, depth = 16, bpc = 1, setcol = 0x2A, setrow = 0x2B,
                        writeram = 0x2C, fps = 60, blfreq = 50000, brcmd = -1;
    bool gray = false, share = true, revpix = false, revbytes = true, single = false, dac = false, autor = true,
         blhigh = true, sh1107 = false;
    double brightness = 1.0;
    if (c9py_int(o[W], "width", &width) < 0 || c9py_int(o[H], "height", &height) < 0 ||
        get_int(o[COLSTART], "colstart", &colstart) < 0 || get_int(o[ROWSTART], "rowstart", &rowstart) < 0 ||
        get_int(o[ROT], "rotation", &rotation) < 0 || get_int(o[DEPTH], "color_depth", &depth) < 0 ||
        get_bool(o[GRAY], &gray) < 0 || get_bool(o[SHARE], &share) < 0 || get_int(o[BPC], "bytes_per_cell", &bpc) < 0 ||
        get_bool(o[REVPIX], &revpix) < 0 || get_bool(o[REVBYTES], &revbytes) < 0 ||
        get_int(o[SETCOL], "set_column_command", &setcol) < 0 || get_int(o[SETROW], "set_row_command", &setrow) < 0 ||
        get_int(o[WRITERAM], "write_ram_command", &writeram) < 0 || get_bool(o[SINGLE], &single) < 0 ||
        get_bool(o[DAC], &dac) < 0 || get_bool(o[AUTO], &autor) < 0 ||
        get_int(o[FPS], "native_frames_per_second", &fps) < 0 || get_bool(o[BLHIGH], &blhigh) < 0 ||
        get_bool(o[SH1107], &sh1107) < 0 || get_int(o[BLFREQ], "backlight_pwm_frequency", &blfreq) < 0) {
        return NULL;
    }
    /* CircuitPython reads bytes_per_cell through the argument parser's bool member (spec §10.3), so
     * any value it accepts acts as one cell. */
    bpc = 1;
    if (o[BRCMD] && o[BRCMD] != Py_None && c9py_int_range(o[BRCMD], 0, 255, "brightness_command", &brcmd) < 0) {
        return NULL;
    }
    if (o[BR] && (c9py_float(o[BR], "brightness", &brightness) < 0)) {
        return NULL;
    }
    if (c9py_check_range(width, 1, 32767, "width") < 0 || c9py_check_range(height, 1, 32767, "height") < 0) {
        return NULL;
    }
    if (rotation % 90 != 0) {
        PyErr_SetString(PyExc_ValueError, "Display rotation must be in 90 degree increments");
        return NULL;
    }
    if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) {
        PyErr_Format(PyExc_ValueError, "color_depth must be 1, 2, 4, 8 or 16, not %ld", depth);
        return NULL;
    }
    if (sh1107 && depth != 1) {
        PyErr_SetString(PyExc_ValueError, "color_depth must be 1 when SH1107_addressing is True");
        return NULL;
    }
    if (brightness < 0.0 || brightness > 1.0) {
        PyErr_SetString(PyExc_ValueError, "brightness must be 0-1");
        return NULL;
    }
    int blpin = o[BLPIN] ? c9py_pin_arg(o[BLPIN], "backlight_pin", true) : -2;
    if (blpin == -1) {
        return NULL;
    }
    Py_buffer seq;
    if (PyObject_GetBuffer(seq_o, &seq, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    size_t bad, need, have;
    if (c9_initseq_validate(seq.buf, (size_t)seq.len, &bad, &need, &have) != C9_OK) {
        PyErr_Format(PyExc_ValueError,
                     "init_sequence is truncated: the command at byte %zu needs %zu bytes, only %zu left", bad, need,
                     have);
        PyBuffer_Release(&seq);
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        PyBuffer_Release(&seq);
        return NULL;
    }
    SELF->backlight_pin = -1;
    SELF->backlight_on_high = blhigh;
    if (c9py_display_slot_take(self) < 0) {
        PyBuffer_Release(&seq);
        SELF->released = true;
        Py_DECREF(self);
        return NULL;
    }
    /* A backlight pin is used only when free, as CircuitPython does. */
    if (blpin >= 0 && c9_vpin_claim(blpin) == C9_OK) {
        SELF->backlight_pin = blpin;
        cfg.backlight = backlight_cb;
        cfg.backlight_ctx = self;
    }
    cfg.bus = bus->bus;
    cfg.clock = c9_host_clock();
    cfg.init_sequence = seq.buf;
    cfg.init_sequence_len = (size_t)seq.len;
    cfg.width = (uint16_t)width;
    cfg.height = (uint16_t)height;
    cfg.colstart = (int16_t)colstart;
    cfg.rowstart = (int16_t)rowstart;
    cfg.rotation = (uint16_t)(((rotation % 360) + 360) % 360);
    cfg.color_depth = (uint8_t)depth;
    cfg.grayscale = gray;
    cfg.pixels_in_byte_share_row = share;
    cfg.bytes_per_cell = (uint8_t)bpc;
    cfg.reverse_pixels_in_byte = revpix;
    cfg.reverse_bytes_in_word = revbytes;
    cfg.set_column_command = (uint16_t)(setcol & 0xFF);
    cfg.set_row_command = (uint16_t)(setrow & 0xFF);
    cfg.write_ram_command = (uint16_t)(writeram & 0xFF);
    cfg.brightness_command = brcmd < 0 ? C9_NO_COMMAND : (uint16_t)brcmd;
    cfg.brightness = (float)brightness;
    cfg.single_byte_bounds = single;
    cfg.data_as_commands = dac;
    cfg.sh1107_addressing = sh1107;
    cfg.auto_refresh = autor;
    cfg.native_frames_per_second = (uint16_t)C9_MAX(1, C9_MIN(fps, 1000));
    Py_INCREF(bus_o);
    SELF->bus = bus_o;
    /* The driver state and its compose buffer are board memory, as the display's are on a board. */
    SELF->display_allocator = c9py_allocator();
    SELF->display = c9_calloc(SELF->display_allocator, sizeof(c9_display_t));
    c9_err_t err = SELF->display ? c9_display_init(SELF->display, &cfg) : C9_ERR_NOMEM;
    PyBuffer_Release(&seq);
    if (err != C9_OK) {
        c9py_display_slot_drop(self);
        Py_DECREF(self);
        return err == C9_ERR_NOMEM ? c9py_raise_nomem(sizeof(c9_display_t)) : c9py_display_raise(err);
    }
    /* The console is shown until the program sets root_group, if nobody else shows it; it is sized
     * for this display then (supervisor_start_terminal()). */
    PyObject *term = c9py_terminal_group();
    if (term && !((c9py_group_obj_t *)term)->group.layer.in_group) {
        if (c9py_terminal_start(SELF->display->width, SELF->display->height) < 0) {
            PyErr_Clear(); /* no console on this display, but the display works */
        } else if (c9_display_set_root_group(SELF->display, &((c9py_group_obj_t *)term)->group) == C9_OK) {
            Py_INCREF(term);
            SELF->root = term;
        }
    }
    PyErr_Clear();
    if (autor && start_background_thread() < 0) {
        PyErr_Clear();
    }
    return self;
}

static void bd_dealloc(PyObject *self) {
    if (SELF->display) {
        c9_display_release(SELF->display);
        c9_free(SELF->display_allocator, SELF->display, sizeof(c9_display_t));
    }
    c9_vpin_release(SELF->backlight_pin);
    Py_CLEAR(SELF->root);
    Py_CLEAR(SELF->bus);
    Py_TYPE(self)->tp_free(self);
}

static c9_display_t *live(PyObject *self) {
    if (SELF->released || !SELF->display) {
        c9py_raise_deinited();
        return NULL;
    }
    return SELF->display;
}

/* ---- methods ------------------------------------------------------------------------------------- */

static PyObject *bd_refresh(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"target_frames_per_second", "minimum_frames_per_second", NULL};
    PyObject *target = Py_None, *minimum = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OO:refresh", kwlist, &target, &minimum)) {
        return NULL;
    }
    c9_display_t *d = live(self);
    long t = 0, mn = 0;
    if (!d || (target != Py_None && c9py_int(target, "target_frames_per_second", &t) < 0) ||
        (minimum && c9py_int(minimum, "minimum_frames_per_second", &mn) < 0)) {
        return NULL;
    }
    if (target != Py_None && t <= 0) {
        PyErr_SetString(PyExc_ValueError, "target_frames_per_second must be >= 1");
        return NULL;
    }
    if (c9py_refresh_enter(self, false) != 0) {
        Py_RETURN_FALSE; /* being refreshed already: this call draws nothing */
    }
    bool drawn = false;
    c9_err_t err = c9_display_refresh(d, (uint32_t)t, (uint32_t)C9_MAX(mn, 0), &drawn);
    c9py_refresh_exit(self);
    if (err == C9_ERR_BUSY) {
        /* CircuitPython skips a refresh whose bus it cannot lock (another user, or a deinitialised
         * SPI/I2C bus) and returns True; the changes stay pending. */
        Py_RETURN_TRUE;
    }
    if (err != C9_OK) {
        return c9py_display_raise(err);
    }
    return PyBool_FromLong(drawn);
}

static PyObject *bd_fill_row(PyObject *self, PyObject *args) {
    long y;
    PyObject *buf_o;
    if (!PyArg_ParseTuple(args, "lO:fill_row", &y, &buf_o)) {
        return NULL;
    }
    c9_display_t *d = live(self);
    if (!d) {
        return NULL;
    }
    if (d->cfg.color_depth != 16) {
        PyErr_SetString(PyExc_ValueError, "Display must have a 16 bit colorspace.");
        return NULL;
    }
    if (c9py_check_range(y, 0, d->ram_height - 1, "y") < 0) {
        return NULL;
    }
    Py_buffer buf;
    if (PyObject_GetBuffer(buf_o, &buf, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    if ((size_t)buf.len < (size_t)d->width * 2) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "Buffer too small");
        return NULL;
    }
    if (c9py_refresh_enter(self, true) != 0) {
        PyBuffer_Release(&buf);
        return PyErr_NoMemory();
    }
    c9_err_t err = c9_display_fill_row(d, (int)y, buf.buf, (size_t)buf.len / 2);
    c9py_refresh_exit(self);
    PyBuffer_Release(&buf);
    if (err != C9_OK) {
        return c9py_display_raise(err);
    }
    Py_INCREF(buf_o);
    return buf_o;
}

static PyObject *bd_show(PyObject *self, PyObject *arg) {
    PyErr_SetString(PyExc_AttributeError, ".show(x) removed. Use .root_group = x");
    return NULL;
}

static PyMethodDef methods[] = {
    {"refresh", (PyCFunction)(void (*)(void))bd_refresh, METH_VARARGS | METH_KEYWORDS,
     "When auto_refresh is off, waits for the target frame rate and then refreshes the display."},
    {"fill_row", bd_fill_row, METH_VARARGS, "Extract the pixels from a single row."},
    {"show", bd_show, METH_O, "Removed in 9.0: use root_group."},
    {NULL, NULL, 0, NULL},
};

/* ---- properties ---------------------------------------------------------------------------------- */

static PyObject *get_auto_refresh(PyObject *self, void *c) {
    c9_display_t *d = live(self);
    return d ? PyBool_FromLong(d->cfg.auto_refresh) : NULL;
}
static int set_auto_refresh(PyObject *self, PyObject *v, void *c) {
    c9_display_t *d = live(self);
    int b = d ? c9py_setter_bool(v) : -1;
    if (b < 0) {
        return -1;
    }
    c9_display_set_auto_refresh(d, b);
    if (b && start_background_thread() < 0) {
        PyErr_Clear();
    }
    return 0;
}

static PyObject *get_brightness(PyObject *self, void *c) {
    c9_display_t *d = live(self);
    return d ? PyFloat_FromDouble(d->brightness) : NULL;
}
static int set_brightness(PyObject *self, PyObject *v, void *c) {
    c9_display_t *d = live(self);
    double b;
    if (!d || c9py_setter_value(v) < 0 || c9py_float(v, "brightness", &b) < 0) {
        return -1;
    }
    if (b < 0.0 || b > 1.0) {
        PyErr_SetString(PyExc_ValueError, "brightness must be 0-1");
        return -1;
    }
    c9_err_t err = c9_display_set_brightness(d, (float)b);
    if (err == C9_ERR_NOSYS) {
        PyErr_SetString(PyExc_RuntimeError, "Brightness not adjustable");
        return -1;
    }
    if (err != C9_OK) {
        c9py_display_raise(err);
        return -1;
    }
    return 0;
}

static PyObject *get_width(PyObject *self, void *c) {
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->width) : NULL;
}
static PyObject *get_height(PyObject *self, void *c) {
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->height) : NULL;
}
static PyObject *get_rotation(PyObject *self, void *c) {
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->rotation) : NULL;
}
static int set_rotation(PyObject *self, PyObject *v, void *c) {
    c9_display_t *d = live(self);
    long r;
    if (!d || c9py_setter_value(v) < 0 || c9py_int(v, "rotation", &r) < 0) {
        return -1;
    }
    /* Not validated, as in CircuitPython: a value that is no multiple of 90 lays out like 90. */
    r = ((r % 360) + 360) % 360;
    if (r % 90 != 0) {
        r = 90;
    }
    c9_display_set_rotation(d, (int)r);
    return 0;
}
static PyObject *get_bus(PyObject *self, void *c) {
    if (!live(self)) {
        return NULL;
    }
    Py_INCREF(SELF->bus);
    return SELF->bus;
}
static PyObject *get_root_group(PyObject *self, void *c) {
    if (!live(self)) {
        return NULL;
    }
    PyObject *r = SELF->root ? SELF->root : Py_None;
    Py_INCREF(r);
    return r;
}
static int set_root_group(PyObject *self, PyObject *v, void *c) {
    c9_display_t *d = live(self);
    if (!d) {
        return -1;
    }
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "can't delete attribute");
        return -1;
    }
    if (v != Py_None && c9py_check_type(v, &c9py_Group_Type, "root_group") < 0) {
        return -1;
    }
    c9_group_t *g = v == Py_None ? NULL : &((c9py_group_obj_t *)v)->group;
    if (v != Py_None && v == SELF->root) {
        return 0;
    }
    if (v != Py_None && c9py_refresh_pin(v) < 0) {
        return -1;
    }
    if (c9_display_set_root_group(d, g) != C9_OK) {
        PyErr_SetString(PyExc_ValueError, "Group already used");
        return -1;
    }
    if (v == Py_None) {
        Py_CLEAR(SELF->root);
    } else {
        Py_INCREF(v);
        Py_XSETREF(SELF->root, v);
    }
    return 0;
}

static PyGetSetDef getset[] = {
    {"auto_refresh", get_auto_refresh, set_auto_refresh, "True when the display is refreshed automatically.", NULL},
    {"brightness", get_brightness, set_brightness, "The brightness of the display as a float.", NULL},
    {"width", get_width, NULL, "Gets the width of the board", NULL},
    {"height", get_height, NULL, "Gets the height of the board", NULL},
    {"rotation", get_rotation, set_rotation, "The rotation of the display as an int in degrees.", NULL},
    {"bus", get_bus, NULL, "The bus being used by the display", NULL},
    {"root_group", get_root_group, set_root_group, "The root group on the display.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_BusDisplay_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "busdisplay.BusDisplay",
    .tp_basicsize = sizeof(c9py_busdisplay_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "BusDisplay(display_bus, init_sequence, *, width, height, colstart=0, rowstart=0, rotation=0, "
              "color_depth=16, grayscale=False, pixels_in_byte_share_row=True, bytes_per_cell=1, "
              "reverse_pixels_in_byte=False, reverse_bytes_in_word=True, set_column_command=0x2a, "
              "set_row_command=0x2b, write_ram_command=0x2c, backlight_pin=None, brightness_command=None, "
              "brightness=1.0, single_byte_bounds=False, data_as_commands=False, auto_refresh=True, "
              "native_frames_per_second=60, backlight_on_high=True, SH1107_addressing=False, "
              "backlight_pwm_frequency=50000)",
    .tp_new = bd_new,
    .tp_dealloc = bd_dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "busdisplay", "Displays a displayio object tree over a bus.",
                                 -1, NULL};

PyObject *c9py_init_busdisplay(void) {
    PyObject *m = c9py_display_types_ready() < 0 ? NULL : PyModule_Create(&def);
    if (m && c9py_add_type(m, "BusDisplay", &c9py_BusDisplay_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
