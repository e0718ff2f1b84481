/* busdisplay.BusDisplay: a display driven over a FourWire, ParallelBus or I2CDisplayBus. */
#include "c9py.h"
#include "busdisplay/busdisplay.h"
#include "circuit9/port.h"
#include "displayio/bus.h"
#include "displayio/displayio.h"
#include "microcontroller/Pin.h"

#include <stdlib.h>

#define SELF ((c9py_busdisplay_obj_t *)self)

/* ---- background refresh ------------------------------------------------------------------------ */

static PyObject *background(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    c9py_displays_background();
    c9_port_background();
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
    /* CPython's own builtins, not the caller's: a display user code builds first (a breakout on a
     * board without a display) must not depend on user code being allowed `import threading`. */
    PyObject *builtins = PyImport_AddModule("builtins"); /* borrowed */
    if (!fn || !globals || !builtins || PyDict_SetItemString(globals, "bg", fn) < 0 ||
        PyDict_SetItemString(globals, "__builtins__", PyModule_GetDict(builtins)) < 0) {
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

/* The backlight: PWM at backlight_pwm_frequency where the machine can, else a plain output that is
 * on whenever the light is on at all, as CircuitPython falls back to a DigitalInOut. */
static void backlight_cb(void *ctx, float level) {
    c9py_busdisplay_obj_t *self = ctx;
    float duty = self->backlight_on_high ? level : 1.0f - level;
    if (self->backlight_pwm) {
        c9_port_pwm_set_duty(self->backlight_pin, (uint16_t)(duty * 65535.0f + 0.5f));
    } else {
        c9_port_pin_write(self->backlight_pin, duty > 0.0f);
    }
}

static void backlight_release(PyObject *self) {
    if (SELF->backlight_pin < 0) {
        return;
    }
    if (SELF->backlight_pwm) {
        c9_port_pwm_close(SELF->backlight_pin);
    }
    c9_port_pin_release(SELF->backlight_pin);
    SELF->backlight_pin = -1;
    SELF->backlight_pwm = false;
}

enum {
    ARG_display_bus,
    ARG_init_sequence,
    ARG_width,
    ARG_height,
    ARG_colstart,
    ARG_rowstart,
    ARG_rotation,
    ARG_color_depth,
    ARG_grayscale,
    ARG_pixels_in_byte_share_row,
    ARG_bytes_per_cell,
    ARG_reverse_pixels_in_byte,
    ARG_reverse_bytes_in_word,
    ARG_set_column_command,
    ARG_set_row_command,
    ARG_write_ram_command,
    ARG_set_vertical_scroll,
    ARG_backlight_pin,
    ARG_brightness_command,
    ARG_brightness,
    ARG_single_byte_bounds,
    ARG_data_as_commands,
    ARG_auto_refresh,
    ARG_native_frames_per_second,
    ARG_backlight_on_high,
    ARG_SH1107_addressing,
    ARG_backlight_pwm_frequency,
    NARGS
};

#define KW(kind) (C9PY_ARG_##kind | C9PY_ARG_KW_ONLY)
static const c9py_arg_t allowed[NARGS] = {
    {"display_bus", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
    {"init_sequence", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
    {"width", KW(INT) | C9PY_ARG_REQUIRED},
    {"height", KW(INT) | C9PY_ARG_REQUIRED},
    {"colstart", KW(INT), {.u_int = 0}},
    {"rowstart", KW(INT), {.u_int = 0}},
    {"rotation", KW(INT), {.u_int = 0}},
    {"color_depth", KW(INT), {.u_int = 16}},
    {"grayscale", KW(BOOL), {.u_bool = false}},
    {"pixels_in_byte_share_row", KW(BOOL), {.u_bool = true}},
    {"bytes_per_cell", KW(INT), {.u_int = 1}},
    {"reverse_pixels_in_byte", KW(BOOL), {.u_bool = false}},
    {"reverse_bytes_in_word", KW(BOOL), {.u_bool = true}},
    {"set_column_command", KW(INT), {.u_int = 0x2A}},
    {"set_row_command", KW(INT), {.u_int = 0x2B}},
    {"write_ram_command", KW(INT), {.u_int = 0x2C}},
    {"set_vertical_scroll", KW(INT), {.u_int = 0}},
    {"backlight_pin", KW(OBJ), {.u_obj = Py_None}},
    /* CircuitPython parses an int here; None (no command) is accepted as well. */
    {"brightness_command", KW(OBJ), {.u_obj = Py_None}},
    {"brightness", KW(OBJ)},
    {"single_byte_bounds", KW(BOOL), {.u_bool = false}},
    {"data_as_commands", KW(BOOL), {.u_bool = false}},
    {"auto_refresh", KW(BOOL), {.u_bool = true}},
    {"native_frames_per_second", KW(INT), {.u_int = 60}},
    {"backlight_on_high", KW(BOOL), {.u_bool = true}},
    {"SH1107_addressing", KW(BOOL), {.u_bool = false}},
    {"backlight_pwm_frequency", KW(INT), {.u_int = 50000}},
};
#undef KW

/* The display core's configuration from the arguments. Values a C field cannot hold become ones
 * the core refuses (0 for a width over 32767, a depth of 0), so that the core names them. */
static void fill_config(c9py_argval_t *a, double brightness, c9_display_config_t *cfg) {
    long rotation = a[ARG_rotation].u_int, depth = a[ARG_color_depth].u_int, w = a[ARG_width].u_int,
         h = a[ARG_height].u_int;
    c9_display_config_defaults(cfg);
    cfg->width = (uint16_t)(w >= 1 && w <= 32767 ? w : 0);
    cfg->height = (uint16_t)(h >= 1 && h <= 32767 ? h : 0);
    cfg->colstart = (int16_t)a[ARG_colstart].u_int;
    cfg->rowstart = (int16_t)a[ARG_rowstart].u_int;
    cfg->rotation = (uint16_t)(((rotation % 360) + 360) % 360);
    cfg->color_depth = (uint8_t)(depth >= 0 && depth <= 255 ? depth : 0);
    cfg->grayscale = a[ARG_grayscale].u_bool;
    cfg->pixels_in_byte_share_row = a[ARG_pixels_in_byte_share_row].u_bool;
    /* CircuitPython reads bytes_per_cell through the argument parser's bool member (spec §10.3), so
     * any value it accepts acts as one cell. */
    cfg->bytes_per_cell = 1;
    cfg->reverse_pixels_in_byte = a[ARG_reverse_pixels_in_byte].u_bool;
    cfg->reverse_bytes_in_word = a[ARG_reverse_bytes_in_word].u_bool;
    cfg->set_column_command = (uint16_t)(a[ARG_set_column_command].u_int & 0xFF);
    cfg->set_row_command = (uint16_t)(a[ARG_set_row_command].u_int & 0xFF);
    cfg->write_ram_command = (uint16_t)(a[ARG_write_ram_command].u_int & 0xFF);
    cfg->brightness = (float)brightness;
    cfg->single_byte_bounds = a[ARG_single_byte_bounds].u_bool;
    cfg->data_as_commands = a[ARG_data_as_commands].u_bool;
    cfg->sh1107_addressing = a[ARG_SH1107_addressing].u_bool;
    cfg->auto_refresh = a[ARG_auto_refresh].u_bool;
    cfg->native_frames_per_second = (uint16_t)C9_MAX(1, C9_MIN(a[ARG_native_frames_per_second].u_int, 1000));
}

/* CircuitPython's message for the argument the core found wrong (the init sequence's is
 * circuit9's: CircuitPython does not check it). */
static int raise_fault(const c9_display_fault_t *f, const c9py_argval_t *a) {
    switch (f->arg) {
    case C9_DISPLAY_ARG_ROTATION:
        PyErr_SetString(PyExc_ValueError, "Display rotation must be in 90 degree increments");
        break;
    case C9_DISPLAY_ARG_SH1107_ADDRESSING:
        PyErr_SetString(PyExc_ValueError, "color_depth must be 1 when SH1107_addressing is True");
        break;
    case C9_DISPLAY_ARG_WIDTH: return c9py_check_range(a[ARG_width].u_int, 1, 32767, "width");
    case C9_DISPLAY_ARG_HEIGHT: return c9py_check_range(a[ARG_height].u_int, 1, 32767, "height");
    case C9_DISPLAY_ARG_COLOR_DEPTH:
        PyErr_Format(PyExc_ValueError, "color_depth must be 1, 2, 4, 8 or 16, not %ld", a[ARG_color_depth].u_int);
        break;
    case C9_DISPLAY_ARG_BRIGHTNESS: PyErr_SetString(PyExc_ValueError, "brightness must be 0-1"); break;
    case C9_DISPLAY_ARG_INIT_SEQUENCE:
        PyErr_Format(PyExc_ValueError,
                     "init_sequence is truncated: the command at byte %zu needs %zu bytes, only %zu left", f->seq_pos,
                     f->seq_needed, f->seq_available);
        break;
    default: PyErr_SetString(PyExc_ValueError, "invalid display configuration"); break;
    }
    return -1;
}

/* The arguments in CircuitPython's order: their types, then what the core checks (rotation and
 * SH1107 addressing, brightness_command, the rest), the bus, the init sequence last. Fills cfg
 * and seq (released by the caller on success), *blpin (-2: none) and *bus. */
static int check_args(c9py_argval_t *a, c9_display_config_t *cfg, Py_buffer *seq, int *blpin, c9py_bus_obj_t **bus) {
    if (!PyObject_CheckBuffer(a[ARG_init_sequence].u_obj)) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return -1;
    }
    *blpin = c9py_pin_arg(a[ARG_backlight_pin].u_obj, "backlight_pin", true);
    double brightness = 1.0;
    if (*blpin == -1 || (a[ARG_brightness].u_obj && c9py_mp_float(a[ARG_brightness].u_obj, &brightness) < 0) ||
        c9py_get_buffer(a[ARG_init_sequence].u_obj, seq, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    fill_config(a, brightness, cfg);
    cfg->init_sequence = seq->buf;
    cfg->init_sequence_len = (size_t)seq->len;
    c9_display_fault_t f;
    bool bad = c9_display_config_check(cfg, &f) != C9_OK;
    int32_t brcmd = -1;
    if ((bad && (f.arg == C9_DISPLAY_ARG_ROTATION || f.arg == C9_DISPLAY_ARG_SH1107_ADDRESSING) &&
         raise_fault(&f, a) < 0) ||
        (a[ARG_brightness_command].u_obj != Py_None && (c9py_mp_int(a[ARG_brightness_command].u_obj, &brcmd) < 0 ||
                                                        c9py_check_range(brcmd, 0, 255, "brightness_command") < 0)) ||
        (bad && f.arg != C9_DISPLAY_ARG_INIT_SEQUENCE && raise_fault(&f, a) < 0) ||
        !(*bus = c9py_bus_arg(a[ARG_display_bus].u_obj)) || (bad && raise_fault(&f, a) < 0)) {
        PyBuffer_Release(seq);
        return -1;
    }
    cfg->brightness_command = brcmd < 0 ? C9_NO_COMMAND : (uint16_t)brcmd;
    return 0;
}

/* The console is shown until the program sets root_group, if nobody else shows it; it is sized
 * for this display then (supervisor_start_terminal()). */
static void show_console(PyObject *self) {
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
}

/* A backlight pin is used only when free, as CircuitPython does. */
static void take_backlight(PyObject *self, int blpin, uint32_t pwm_frequency, c9_display_config_t *cfg) {
    if (blpin < 0 || c9_port_pin_claim(blpin) != C9_OK) {
        return;
    }
    SELF->backlight_pin = blpin;
    SELF->backlight_pwm = c9_port_pwm_open(blpin, pwm_frequency, 0, false, NULL) == C9_OK;
    if (!SELF->backlight_pwm) {
        c9_port_pin_output(blpin, !SELF->backlight_on_high, C9_PORT_DRIVE_PUSH_PULL);
    }
    cfg->backlight = backlight_cb;
    cfg->backlight_ctx = self;
}

/* What the port is told about the glass this display drives (a stand-in breakout becomes it). */
static void describe_panel(const c9_display_config_t *cfg, c9_port_panel_desc_t *d) {
    *d = (c9_port_panel_desc_t){.width = cfg->width,
                                .height = cfg->height,
                                .colstart = cfg->colstart,
                                .rowstart = cfg->rowstart,
                                .rotation = cfg->rotation,
                                .color_depth = cfg->color_depth,
                                .grayscale = cfg->grayscale,
                                .sh1107_addressing = cfg->sh1107_addressing,
                                .data_as_commands = cfg->data_as_commands,
                                .set_column_command = cfg->set_column_command,
                                .set_row_command = cfg->set_row_command,
                                .write_ram_command = cfg->write_ram_command,
                                .init_sequence = cfg->init_sequence,
                                .init_sequence_len = cfg->init_sequence_len};
}

static int bd_construct(PyObject *self, PyObject *args, PyObject *kw) {
    c9py_argval_t a[NARGS];
    c9_display_config_t cfg;
    Py_buffer seq;
    int blpin;
    c9py_bus_obj_t *bus;
    if (c9py_arg_parse(args, kw, allowed, NARGS, a) < 0 || check_args(a, &cfg, &seq, &blpin, &bus) < 0) {
        return -1;
    }
    SELF->backlight_pin = -1;
    SELF->backlight_on_high = a[ARG_backlight_on_high].u_bool;
    SELF->released = false;
    if (c9py_display_slot_take(self) < 0) {
        PyBuffer_Release(&seq);
        return -1;
    }
    take_backlight(self, blpin, (uint32_t)C9_MAX(a[ARG_backlight_pwm_frequency].u_int, 1), &cfg);
    cfg.bus = bus->bus;
    cfg.clock = c9_port_clock();
    c9_port_panel_desc_t desc;
    describe_panel(&cfg, &desc);
    c9_err_t err = c9_port_panel_configure(&bus->wiring, &desc);
    if (err == C9_ERR_NOENT) {
        err = C9_OK; /* nothing on those pins: the display runs, as on a bare board */
    }
    Py_INCREF(a[ARG_display_bus].u_obj);
    SELF->bus = a[ARG_display_bus].u_obj;
    /* The driver state and its compose buffer are board memory, as the display's are on a board. */
    SELF->display_allocator = c9py_allocator();
    SELF->display = err == C9_OK ? c9_calloc(SELF->display_allocator, sizeof(c9_display_t)) : NULL;
    if (err == C9_OK) {
        err = SELF->display ? c9_display_init(SELF->display, &cfg) : C9_ERR_NOMEM;
    }
    PyBuffer_Release(&seq);
    if (err != C9_OK) {
        c9py_display_slot_drop(self);
        if (SELF->display) {
            c9_free(SELF->display_allocator, SELF->display, sizeof(c9_display_t));
        }
        SELF->display = NULL;
        backlight_release(self);
        Py_CLEAR(SELF->bus);
        if (err == C9_ERR_NOMEM) {
            c9py_raise_nomem(sizeof(c9_display_t));
        } else {
            c9py_display_raise(err);
        }
        return -1;
    }
    show_console(self);
    if (cfg.auto_refresh && start_background_thread() < 0) {
        PyErr_Clear();
    }
    return 0;
}
C9PY_DEFINE_INIT(bd_init, bd_construct)

static void bd_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        if (SELF->display) {
            c9_display_release(SELF->display);
            c9_free(SELF->display_allocator, SELF->display, sizeof(c9_display_t));
        }
        backlight_release(self);
    }
    Py_CLEAR(SELF->root);
    Py_CLEAR(SELF->bus);
    Py_TYPE(self)->tp_free(self);
}

static c9_display_t *live(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->released || !SELF->display) {
        c9py_raise_deinited();
        return NULL;
    }
    return SELF->display;
}

/* ---- methods ------------------------------------------------------------------------------------- */

static PyObject *bd_refresh(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_target_frames_per_second, ARG_minimum_frames_per_second };
    static const c9py_arg_t refresh_args[] = {
        {"target_frames_per_second", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"minimum_frames_per_second", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, refresh_args, 2, a) < 0) {
        return NULL;
    }
    c9_display_t *d = live(self);
    PyObject *target = a[ARG_target_frames_per_second].u_obj;
    int32_t t = 0;
    if (!d || (target != Py_None && c9py_mp_int(target, &t) < 0)) {
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
    long mn = a[ARG_minimum_frames_per_second].u_int;
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

static PyObject *bd_fill_row(PyObject *self, PyObject *args, PyObject *kw) {
    int32_t y;
    if (c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 0), &y) < 0) {
        return NULL;
    }
    PyObject *buf_o = PyTuple_GET_ITEM(args, 1);
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
    if (c9py_get_buffer(buf_o, &buf, PyBUF_WRITABLE) < 0) {
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
    (void)self;
    (void)arg;
    PyErr_SetString(PyExc_AttributeError, ".show(x) removed. Use .root_group = x");
    return NULL;
}

static PyMethodDef methods[] = {
    {"refresh", (PyCFunction)(void (*)(void))bd_refresh, METH_VARARGS | METH_KEYWORDS,
     "When auto_refresh is off, waits for the target frame rate and then refreshes the display."},
    {"fill_row", (PyCFunction)(void (*)(void))bd_fill_row, METH_VARARGS | METH_KEYWORDS,
     "Extract the pixels from a single row."},
    {"show", bd_show, METH_O, "Removed in 9.0: use root_group."},
    {NULL, NULL, 0, NULL},
};

/* ---- properties ---------------------------------------------------------------------------------- */

static PyObject *get_auto_refresh(PyObject *self, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    return d ? PyBool_FromLong(d->cfg.auto_refresh) : NULL;
}
static int set_auto_refresh(PyObject *self, PyObject *v, void *c) {
    (void)c;
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
    (void)c;
    c9_display_t *d = live(self);
    return d ? PyFloat_FromDouble(d->brightness) : NULL;
}
static int set_brightness(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    double b;
    if (!d || c9py_setter_present(v) < 0 || c9py_mp_float(v, &b) < 0) {
        return -1;
    }
    if (b < 0.0 || b > 1.0) {
        PyErr_SetString(PyExc_ValueError, "brightness must be 0-1");
        return -1;
    }
    c9_err_t err = c9_display_set_brightness(d, (float)b);
    if (err != C9_OK) {
        static const c9py_err_override_t brightness_errors[] = {
            {C9_ERR_NOSYS, &PyExc_RuntimeError, "Brightness not adjustable"},
            {C9_OK},
        };
        return c9py_fail(err, brightness_errors);
    }
    return 0;
}

static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->width) : NULL;
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->height) : NULL;
}
static PyObject *get_rotation(PyObject *self, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    return d ? PyLong_FromLong(d->rotation) : NULL;
}
static int set_rotation(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    int32_t r;
    if (!d || c9py_setter_present(v) < 0 || c9py_mp_int(v, &r) < 0) {
        return -1;
    }
    /* The constructor's check (CircuitPython's setter has none and lays 45 out like 90). */
    if (r % 90 != 0) {
        PyErr_SetString(PyExc_ValueError, "Display rotation must be in 90 degree increments");
        return -1;
    }
    c9_display_set_rotation(d, ((r % 360) + 360) % 360);
    return 0;
}
static PyObject *get_bus(PyObject *self, void *c) {
    (void)c;
    if (!live(self)) {
        return NULL;
    }
    Py_INCREF(SELF->bus);
    return SELF->bus;
}
static PyObject *get_root_group(PyObject *self, void *c) {
    (void)c;
    if (!live(self)) {
        return NULL;
    }
    PyObject *r = SELF->root ? SELF->root : Py_None;
    Py_INCREF(r);
    return r;
}
static int set_root_group(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_display_t *d = live(self);
    if (!d || c9py_setter_present(v) < 0) {
        return -1;
    }
    if (v != Py_None && (c9py_check_type(v, &c9py_Group_Type, "root_group") < 0 || c9py_ready(v) < 0)) {
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
    .tp_new = c9py_native_new,
    .tp_init = bd_init,
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
