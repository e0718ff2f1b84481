/*
 * circuit9_board's side of the world around the board: device models written in Python wired to
 * an I2C address or an SPI chip select, LED strips, pins driven from outside, and the --state
 * report; devices.py (embedded) has the register-device base class, the shipped models (LIS3DH)
 * and the --device option's parser. docs/devices.md describes the model protocol.
 *
 * A model's methods run while a bus transfer of user code is under way: each call holds its own
 * reference to the model and the bridge outlives the call even when the model detaches itself,
 * and models see copies of the bytes, never the program's buffers.
 */
#include "c9py.h"
#include "devices.h"
#include "busio/busio.h"
#include "microcontroller/Pin.h"

#include "circuit9/host_display.h"
#include "circuit9/host_port.h"

#include <stdio.h>
#include <string.h>

typedef struct bridge {
    PyObject *model;
    char name[C9_STIM_NAME_MAX];
    int calls;     /* model methods running now */
    bool detached; /* free once no call runs */
    struct bridge *next;
} bridge_t;

static bridge_t *bridges;

/* What interrupted a model (Ctrl-C, a reload) belongs to the program: raised again at its next
 * chance (busio checks right after the transfer). */
static PyObject *pending_type, *pending_value;

static int raise_pending(void *arg) {
    (void)arg;
    if (!pending_type) {
        return 0;
    }
    PyErr_SetObject(pending_type, pending_value);
    Py_CLEAR(pending_type);
    Py_CLEAR(pending_value);
    return -1;
}

/* A model method raised: the board sees a device that did not answer; the host's terminal gets
 * the traceback (the board's console is the program's). */
static void report(bridge_t *b, const char *what) {
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (t && !PyErr_GivenExceptionMatches(t, PyExc_Exception)) {
        if (PyErr_GivenExceptionMatches(t, PyExc_KeyboardInterrupt)) {
            PyErr_SetInterrupt();
        } else if (!pending_type) {
            pending_type = Py_NewRef(t);
            pending_value = Py_NewRef(v ? v : Py_None);
            Py_AddPendingCall(raise_pending, NULL);
        }
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        return;
    }
    PyObject *s = v ? PyObject_Str(v) : NULL;
    const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
    fprintf(stderr, "circuit9: device %s: %s: %s: %s\n", b->name, what, t ? ((PyTypeObject *)t)->tp_name : "?",
            text ? text : "?");
    PyErr_Clear();
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

static void bridge_free_if_done(bridge_t *b) {
    if (!b->detached || b->calls) {
        return;
    }
    for (bridge_t **p = &bridges; *p; p = &(*p)->next) {
        if (*p == b) {
            *p = b->next;
            break;
        }
    }
    Py_XDECREF(b->model);
    PyMem_Free(b);
}

/* Calls model.method(*args); NULL (reported) on an exception or a missing method. The caller's
 * exception state is kept: a model runs in the middle of user code. */
static PyObject *call(bridge_t *b, const char *method, const char *fmt, ...) {
    PyObject *saved_t, *saved_v, *saved_tb;
    PyErr_Fetch(&saved_t, &saved_v, &saved_tb);
    b->calls++;
    PyObject *model = Py_NewRef(b->model);
    PyObject *fn = PyObject_GetAttrString(model, method);
    PyObject *r = NULL;
    if (fn) {
        va_list ap;
        va_start(ap, fmt);
        PyObject *args = Py_VaBuildValue(fmt, ap);
        va_end(ap);
        r = args ? PyObject_CallObject(fn, args) : NULL;
        Py_XDECREF(args);
        Py_DECREF(fn);
    }
    if (!r) {
        report(b, method);
    }
    Py_DECREF(model);
    b->calls--;
    PyErr_Restore(saved_t, saved_v, saved_tb);
    return r;
}

static c9_err_t i2c_write(void *ctx, const uint8_t *data, size_t len, bool stop) {
    bridge_t *b = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    c9_err_t err = C9_ERR_IO;
    if (!b->detached) {
        PyObject *r = call(b, "i2c_write", "(y#O)", (const char *)data, (Py_ssize_t)len, stop ? Py_True : Py_False);
        /* False is a byte the device did not acknowledge. */
        err = r && r != Py_False ? C9_OK : C9_ERR_IO;
        Py_XDECREF(r);
    }
    bridge_free_if_done(b);
    PyGILState_Release(g);
    return err;
}

static c9_err_t i2c_read(void *ctx, uint8_t *data, size_t len) {
    bridge_t *b = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    c9_err_t err = C9_ERR_IO;
    if (!b->detached) {
        PyObject *r = call(b, "i2c_read", "(n)", (Py_ssize_t)len);
        Py_buffer view;
        if (r && PyObject_GetBuffer(r, &view, PyBUF_SIMPLE) == 0) {
            /* Fewer bytes than asked: the rest is the released line. */
            memcpy(data, view.buf, (size_t)view.len < len ? (size_t)view.len : len);
            PyBuffer_Release(&view);
            err = C9_OK;
        } else if (r) {
            PyErr_Clear();
            fprintf(stderr, "circuit9: device %s: i2c_read() must return bytes\n", b->name);
        }
        Py_XDECREF(r);
    }
    bridge_free_if_done(b);
    PyGILState_Release(g);
    return err;
}

static void spi_select(void *ctx, bool selected) {
    bridge_t *b = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    if (!b->detached) {
        int has = PyObject_HasAttrString(b->model, "spi_select");
        if (has) {
            PyObject *r = call(b, "spi_select", "(O)", selected ? Py_True : Py_False);
            Py_XDECREF(r);
        }
    }
    bridge_free_if_done(b);
    PyGILState_Release(g);
}

static void spi_transfer(void *ctx, const uint8_t *mosi, uint8_t *miso, size_t len) {
    bridge_t *b = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    if (!b->detached) {
        PyObject *r = call(b, "spi_transfer", "(y#)", (const char *)mosi, (Py_ssize_t)len);
        Py_buffer view;
        if (r && PyObject_GetBuffer(r, &view, PyBUF_SIMPLE) == 0) {
            memcpy(miso, view.buf, (size_t)view.len < len ? (size_t)view.len : len);
            PyBuffer_Release(&view);
        } else if (r) {
            PyErr_Clear();
            fprintf(stderr, "circuit9: device %s: spi_transfer() must return bytes\n", b->name);
        }
        Py_XDECREF(r);
    }
    bridge_free_if_done(b);
    PyGILState_Release(g);
}

static c9_err_t set_property(void *ctx, const char *property, const c9_stim_value_t *value) {
    bridge_t *b = ctx;
    PyGILState_STATE g = PyGILState_Ensure();
    c9_err_t err = C9_ERR_NOENT;
    if (!b->detached) {
        PyObject *r = call(b, "set_property", "(sds)", property, value->nano / 1e9, value->unit);
        err = r ? C9_OK : C9_ERR_INVAL;
        Py_XDECREF(r);
    }
    bridge_free_if_done(b);
    PyGILState_Release(g);
    return err;
}

static const c9_vdevice_t ops = {i2c_write, i2c_read, spi_select, spi_transfer, NULL};

/* A pin given as a microcontroller.Pin, a board pin name or a microcontroller pin name. */
static int pin_of(PyObject *obj, const char *what) {
    if (PyObject_TypeCheck(obj, &c9py_Pin_Type)) {
        return ((c9py_pin_obj_t *)obj)->id;
    }
    const char *name = PyUnicode_Check(obj) ? PyUnicode_AsUTF8(obj) : NULL;
    if (!name) {
        PyErr_Format(PyExc_TypeError, "%s must be a Pin or a pin name", what);
        return -1;
    }
    const c9_board_pin_t *bp = c9_board_pin(c9_port_board(), name);
    int id = c9_vpin_find(bp ? bp->mcu_pin : name);
    if (id < 0) {
        PyErr_Format(PyExc_ValueError, "no pin named %s on %s", name, c9_port_board()->name);
    }
    return id;
}

/* A bus pin: the given one, or the board's default of that name. */
static int bus_pin(PyObject *obj, const char *board_default, const char *what, bool optional) {
    if (obj && obj != Py_None) {
        return pin_of(obj, what);
    }
    if (!board_default) {
        if (optional) {
            return -2;
        }
        PyErr_Format(PyExc_ValueError, "%s has no default %s: give one", c9_port_board()->name, what);
        return -1;
    }
    PyObject *s = PyUnicode_FromString(board_default);
    int id = s ? pin_of(s, what) : -1;
    Py_XDECREF(s);
    return id;
}

static bridge_t *bridge_new(PyObject *model, PyObject *name_obj) {
    const char *name = NULL;
    PyObject *auto_name = NULL;
    if (name_obj && name_obj != Py_None) {
        name = PyUnicode_AsUTF8(name_obj);
    } else {
        auto_name = PyObject_GetAttrString((PyObject *)Py_TYPE(model), "__name__");
        name = auto_name ? PyUnicode_AsUTF8(auto_name) : NULL;
    }
    if (!name) {
        Py_XDECREF(auto_name);
        return NULL;
    }
    if (!*name || strlen(name) >= C9_STIM_NAME_MAX || strchr(name, '.')) {
        PyErr_Format(PyExc_ValueError, "bad device name '%s'", name);
        Py_XDECREF(auto_name);
        return NULL;
    }
    bridge_t *b = PyMem_Calloc(1, sizeof(*b));
    if (!b) {
        Py_XDECREF(auto_name);
        PyErr_NoMemory();
        return NULL;
    }
    snprintf(b->name, sizeof b->name, "%s", name);
    for (char *p = b->name; name_obj == NULL || name_obj == Py_None ? *p : 0; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p); /* class LIS3DH: device lis3dh */
    }
    Py_XDECREF(auto_name);
    b->model = Py_NewRef(model);
    b->next = bridges;
    bridges = b;
    return b;
}

static int register_name(bridge_t *b) {
    c9_err_t err = c9_host_register_device(b->name, set_property, b);
    if (err == C9_ERR_EXIST) {
        PyErr_Format(PyExc_ValueError, "a device named %s is attached already", b->name);
        return -1;
    }
    return err == C9_OK ? 0 : (c9py_raise(err), -1);
}

static void bridge_drop(bridge_t *b) {
    c9_vboard_unwire(b);
    c9_host_unregister_device(b);
    b->detached = true;
    bridge_free_if_done(b);
}

static PyObject *attach_i2c(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    enum { ARG_model, ARG_address, ARG_scl, ARG_sda, ARG_name };
    static const c9py_arg_t allowed[] = {
        {"model", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"address", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"scl", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"sda", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"name", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0 || c9py_check_range(a[ARG_address].u_int, 0, 127, "address") < 0) {
        return NULL;
    }
    const c9_board_t *board = c9_port_board();
    int scl = bus_pin(a[ARG_scl].u_obj, board->i2c_scl, "scl", false);
    int sda = scl < 0 ? -1 : bus_pin(a[ARG_sda].u_obj, board->i2c_sda, "sda", false);
    if (scl < 0 || sda < 0) {
        return NULL;
    }
    /* Something answers there already (the board's own display, another model). */
    if (c9_vboard_i2c_owner_at(scl, sda, (uint8_t)a[ARG_address].u_int)) {
        PyErr_Format(PyExc_ValueError, "a device answers at 0x%02x already", (unsigned)a[ARG_address].u_int);
        return NULL;
    }
    bridge_t *b = bridge_new(a[ARG_model].u_obj, a[ARG_name].u_obj);
    if (!b) {
        return NULL;
    }
    c9_vdevice_t dev = ops;
    dev.ctx = b;
    c9_err_t err = c9_vboard_wire_i2c_device(&dev, b, scl, sda, (uint8_t)a[ARG_address].u_int);
    if (err != C9_OK || register_name(b) < 0) {
        if (err != C9_OK) {
            c9py_raise(err);
        }
        bridge_drop(b);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *attach_spi(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    enum { ARG_model, ARG_chip_select, ARG_clock, ARG_mosi, ARG_miso, ARG_name };
    static const c9py_arg_t allowed[] = {
        {"model", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"chip_select", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"clock", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"mosi", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"miso", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"name", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return NULL;
    }
    const c9_board_t *board = c9_port_board();
    int cs = pin_of(a[ARG_chip_select].u_obj, "chip_select");
    int sck = cs < 0 ? -1 : bus_pin(a[ARG_clock].u_obj, board->spi_clock, "clock", false);
    int mosi = sck < 0 ? -1 : bus_pin(a[ARG_mosi].u_obj, board->spi_mosi, "mosi", true);
    int miso = mosi == -1 ? -1 : bus_pin(a[ARG_miso].u_obj, board->spi_miso, "miso", true);
    if (cs < 0 || sck < 0 || mosi == -1 || miso == -1) {
        return NULL;
    }
    bridge_t *b = bridge_new(a[ARG_model].u_obj, a[ARG_name].u_obj);
    if (!b) {
        return NULL;
    }
    c9_vdevice_t dev = ops;
    dev.ctx = b;
    c9_err_t err = c9_vboard_wire_spi_device(&dev, b, sck, mosi < 0 ? -1 : mosi, miso < 0 ? -1 : miso, cs);
    if (err != C9_OK || register_name(b) < 0) {
        if (err != C9_OK) {
            c9py_raise(err);
        }
        bridge_drop(b);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *detach(PyObject *m, PyObject *model) {
    (void)m;
    for (bridge_t *b = bridges; b; b = b->next) {
        if (b->model == model && !b->detached) {
            bridge_drop(b);
            Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

static PyObject *pixels(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"pin", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"order", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"count", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || c9py_check_range(a[2].u_int, 1, 65535, "count") < 0) {
        return NULL;
    }
    int pin = pin_of(a[0].u_obj, "pin");
    const char *order = a[1].u_obj ? PyUnicode_AsUTF8(a[1].u_obj) : "GRB";
    if (pin < 0 || !order) {
        return NULL;
    }
    if (c9_host_pixels_attach(pin, order, (uint16_t)a[2].u_int) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "bad colour order '%s'", order);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *touchscreen(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    static const c9py_arg_t allowed[] = {
        {"x1", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},  {"x2", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"y1", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},  {"y2", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"name", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return NULL;
    }
    int pins[4];
    for (int i = 0; i < 4; i++) {
        if ((pins[i] = pin_of(a[i].u_obj, "pin")) < 0) {
            return NULL;
        }
    }
    const char *name = a[4].u_obj ? PyUnicode_AsUTF8(a[4].u_obj) : "touchscreen";
    if (!name) {
        return NULL;
    }
    c9_err_t err = c9_host_touchscreen_attach(name, pins[0], pins[1], pins[2], pins[3]);
    if (err == C9_ERR_EXIST) {
        PyErr_Format(PyExc_ValueError, "a device named %s is attached already", name);
        return NULL;
    }
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise(err);
}

static PyObject *drive(PyObject *m, PyObject *args) {
    (void)m;
    PyObject *p, *level;
    if (!PyArg_UnpackTuple(args, "drive", 2, 2, &p, &level)) {
        return NULL;
    }
    int pin = pin_of(p, "pin");
    if (pin < 0) {
        return NULL;
    }
    int v = level == Py_None ? -1 : PyObject_IsTrue(level);
    if (level != Py_None && v < 0) {
        return NULL;
    }
    c9_vboard_pin_set_mv(pin, -1);
    c9_vboard_pin_drive(pin, v);
    Py_RETURN_NONE;
}

static PyObject *set_voltage(PyObject *m, PyObject *args) {
    (void)m;
    PyObject *p, *volts;
    if (!PyArg_UnpackTuple(args, "set_voltage", 2, 2, &p, &volts)) {
        return NULL;
    }
    int pin = pin_of(p, "pin");
    double v = 0;
    if (pin < 0 || (volts != Py_None && c9py_float(volts, "volts", &v) < 0)) {
        return NULL;
    }
    if (volts == Py_None) {
        c9_vboard_pin_set_mv(pin, -1);
        c9_vboard_pin_drive(pin, -1);
    } else {
        int32_t mv = (int32_t)(v * 1000.0 + 0.5);
        c9_vboard_pin_set_mv(pin, mv < 0 ? 0 : mv);
        c9_vboard_pin_drive(pin, mv >= 1650);
    }
    Py_RETURN_NONE;
}

static PyObject *set(PyObject *m, PyObject *arg) {
    (void)m;
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!text) {
        return NULL;
    }
    c9_stim_t s;
    c9_stim_error_t e;
    if (c9_stim_parse_assignment(text, (size_t)len, &s, &e) != C9_OK) {
        PyErr_Format(PyExc_ValueError, "%s (at character %zu)", e.what, e.column);
        return NULL;
    }
    c9_err_t err = c9_host_world_set(&s);
    if (err == C9_ERR_NOENT) {
        PyErr_Format(PyExc_ValueError, "no pin or device named in %s", s.name);
        return NULL;
    }
    if (err != C9_OK) {
        PyErr_Format(PyExc_ValueError, "%s takes 0, 1 or a voltage", s.name);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *write_state(PyObject *m, PyObject *arg) {
    (void)m;
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path)) {
        return NULL;
    }
    c9_err_t err = c9_port_state_write(PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise_oserror(5, "EIO");
}

static PyObject *board_screenshot(PyObject *m, PyObject *arg) {
    (void)m;
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path)) {
        return NULL;
    }
    c9_err_t err = c9_port_board_screenshot(PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return err == C9_OK ? Py_NewRef(Py_None) : c9py_raise_oserror(5, "EIO");
}

static PyObject *uart_device(PyObject *m, PyObject *obj) {
    (void)m;
    if (c9py_check_type(obj, &c9py_UART_Type, "uart") < 0 || c9py_ready(obj) < 0) {
        return NULL;
    }
    c9py_uart_obj_t *u = (c9py_uart_obj_t *)obj;
    if (u->deinited || !u->uart) {
        return c9py_raise_deinited();
    }
    return PyUnicode_FromString(c9_host_uart_device(u->uart));
}

static PyObject *now_ns(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    return PyLong_FromUnsignedLongLong(c9_port_now_ns());
}

static PyMethodDef functions[] = {
    {"attach_i2c", (PyCFunction)(void (*)(void))attach_i2c, METH_VARARGS | METH_KEYWORDS,
     "attach_i2c(model, address, *, scl=None, sda=None, name=None): a device model answering at an I2C address "
     "(the board's default bus unless scl/sda are given)."},
    {"attach_spi", (PyCFunction)(void (*)(void))attach_spi, METH_VARARGS | METH_KEYWORDS,
     "attach_spi(model, chip_select, *, clock=None, mosi=None, miso=None, name=None): a device model on an SPI "
     "chip select (the board's default bus unless given)."},
    {"detach", detach, METH_O, "detach(model): unwire a device model; True when it was wired."},
    {"pixels", (PyCFunction)(void (*)(void))pixels, METH_VARARGS | METH_KEYWORDS,
     "pixels(pin, *, order='GRB', count=1): a chain of WS2812-style LEDs on a pin."},
    {"touchscreen", (PyCFunction)(void (*)(void))touchscreen, METH_VARARGS | METH_KEYWORDS,
     "touchscreen(x1, x2, y1, y2, *, name='touchscreen'): a 4-wire resistive touchscreen on four pins "
     "(adafruit_touchscreen's order); properties x, y (0..1) and pressed."},
    {"drive", drive, METH_VARARGS, "drive(pin, level): hold a pin at 0/1 from outside, None lets go."},
    {"set_voltage", set_voltage, METH_VARARGS, "set_voltage(pin, volts): the voltage an ADC sees, None lets go."},
    {"set", set, METH_O, "set('NAME=VALUE'): what --set does, now (a pin: 0, 1, 1.65V; a device: lis3dh.x=0.5g)."},
    {"write_state", write_state, METH_O, "write_state(path): the --state report now."},
    {"board_screenshot", board_screenshot, METH_O, "board_screenshot(path): the --screenshot-board picture now."},
    {"uart_device", uart_device, METH_O, "uart_device(uart): the pseudo-terminal a busio.UART is wired to."},
    {"now_ns", now_ns, METH_NOARGS, "The board's clock in nanoseconds."},
    {NULL, NULL, 0, NULL},
};

#include "circuit9_board_py.h" /* devices.py, embedded by bindings/CMakeLists.txt */

int c9py_circuit9_board_add_devices(PyObject *m) {
    if (PyModule_AddFunctions(m, functions) < 0) {
        return -1;
    }
    /* devices.py runs in a namespace of its own with the module as _board; its public names join
     * the module. */
    PyObject *globals = PyDict_New();
    if (!globals || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(globals, "__name__", PyModule_GetNameObject(m)) < 0 ||
        PyDict_SetItemString(globals, "_board", m) < 0) {
        Py_XDECREF(globals);
        return -1;
    }
    for (size_t i = 0; i < C9_ARRAY_SIZE(c9py_circuit9_board_py); i++) {
        PyObject *code =
            Py_CompileString(c9py_circuit9_board_py[i].source, c9py_circuit9_board_py[i].name, Py_file_input);
        PyObject *r = code ? PyEval_EvalCode(code, globals, globals) : NULL;
        Py_XDECREF(code);
        if (!r) {
            Py_DECREF(globals);
            return -1;
        }
        Py_DECREF(r);
    }
    PyObject *all = PyDict_GetItemString(globals, "__all__"); /* borrowed */
    for (Py_ssize_t i = 0; all && i < PyList_Size(all); i++) {
        PyObject *k = PyList_GetItem(all, i);
        PyObject *v = k ? PyDict_GetItem(globals, k) : NULL;
        if (v && PyObject_SetAttr(m, k, v) < 0) {
            Py_DECREF(globals);
            return -1;
        }
    }
    Py_DECREF(globals);
    return 0;
}
