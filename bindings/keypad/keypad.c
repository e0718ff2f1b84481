/* keypad: Keys, KeyMatrix and ShiftRegisterKeys scanning the machine's pins with the key scanning
 * core (keypad.h), their EventQueue and Event. Scanners scan in the runtime's background task, as
 * CircuitPython's tick does, and whenever a program looks at their events. */
#include "c9py.h"
#include "c9rt.h"
#include "circuit9/keypad.h"
#include "circuit9/port.h"
#include "microcontroller/Pin.h"

#include <math.h>

/* supervisor.ticks_ms(): the events' timestamps. */
static uint32_t ticks_ms(void) {
    return (uint32_t)((c9_port_now_ns() / 1000000u) & ((1u << 29) - 1));
}

/* ---- Event ------------------------------------------------------------------------------------ */

typedef struct {
    C9PY_OBJECT_HEAD long key_number;
    bool pressed;
    PyObject *timestamp;
} event_obj_t;

#define EV ((event_obj_t *)self)

static PyTypeObject Event_Type;

static int event_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_key_number, ARG_pressed, ARG_timestamp };
    static const c9py_arg_t allowed[] = {
        {"key_number", C9PY_ARG_INT, {.u_int = 0}},
        {"pressed", C9PY_ARG_BOOL, {.u_bool = true}},
        {"timestamp", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || c9py_check_min(a[ARG_key_number].u_int, 0, "key_number") < 0) {
        return -1;
    }
    PyObject *ts = a[ARG_timestamp].u_obj;
    if (ts == Py_None) {
        ts = PyLong_FromUnsignedLong(ticks_ms());
    } else {
        int32_t check;
        if (c9py_mp_int(ts, &check) < 0) { /* an integer, as the board checks */
            return -1;
        }
        Py_INCREF(ts);
    }
    if (!ts) {
        return -1;
    }
    EV->key_number = a[ARG_key_number].u_int;
    EV->pressed = a[ARG_pressed].u_bool;
    Py_XSETREF(EV->timestamp, ts);
    return 0;
}
C9PY_DEFINE_INIT(event_init, event_construct)

static void event_fill(PyObject *self, const c9_keypad_event_t *ev) {
    EV->key_number = ev->key;
    EV->pressed = ev->pressed;
    Py_XSETREF(EV->timestamp, PyLong_FromUnsignedLong(ev->timestamp));
}

static void event_dealloc(PyObject *self) {
    Py_CLEAR(EV->timestamp);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *event_key_number(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyLong_FromLong(EV->key_number);
}

static PyObject *event_pressed(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyBool_FromLong(EV->pressed);
}

static PyObject *event_released(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyBool_FromLong(!EV->pressed);
}

static PyObject *event_timestamp(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return Py_NewRef(EV->timestamp ? EV->timestamp : Py_None);
}

static PyObject *event_repr(PyObject *self) {
    if (!c9py_is_ready(self)) {
        return PyUnicode_FromString("<Event>");
    }
    return PyUnicode_FromFormat("<Event: key_number %ld %s>", EV->key_number, EV->pressed ? "pressed" : "released");
}

/* Equal when key_number and pressed agree (the timestamp is not compared); anything else is not
 * equal. */
static PyObject *event_richcompare(PyObject *self, PyObject *other, int op) {
    if ((op != Py_EQ && op != Py_NE) || !c9py_is_ready(self)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    bool eq = PyObject_TypeCheck(other, &Event_Type) && c9py_is_ready(other) &&
              ((event_obj_t *)other)->key_number == EV->key_number && ((event_obj_t *)other)->pressed == EV->pressed;
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static Py_hash_t event_hash(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    return ((Py_hash_t)EV->pressed << 15) + EV->key_number;
}

static PyGetSetDef event_getset[] = {
    {"key_number", event_key_number, NULL, "The key number.", NULL},
    {"pressed", event_pressed, NULL, "True if the event represents a key down (pressed) transition.", NULL},
    {"released", event_released, NULL, "True if the event represents a key up (released) transition.", NULL},
    {"timestamp", event_timestamp, NULL, "The timestamp.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Event_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "keypad.Event",
    .tp_basicsize = sizeof(event_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Event(key_number=0, pressed=True, timestamp=None)",
    .tp_new = c9py_native_new,
    .tp_init = event_init,
    .tp_dealloc = event_dealloc,
    .tp_repr = event_repr,
    .tp_hash = event_hash,
    .tp_richcompare = event_richcompare,
    .tp_getset = event_getset,
};

/* ---- scanners' registry and polling ------------------------------------------------------------ */

typedef struct scanner_obj scanner_obj_t;

#define MAX_SCANNERS 32
static scanner_obj_t *scanners[MAX_SCANNERS];

static void poll_all(void);

/* ---- EventQueue --------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD c9_keypad_queue_t q;
    c9_keypad_event_t *slots;
} queue_obj_t;

#define Q ((queue_obj_t *)self)

static PyObject *queue_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)a;
    (void)k;
    (void)t;
    PyErr_SetString(PyExc_TypeError, "cannot create 'EventQueue' instances");
    return NULL;
}

static void queue_dealloc(PyObject *self) {
    PyMem_Free(Q->slots);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *queue_get(PyObject *self, PyObject *unused) {
    (void)unused;
    poll_all();
    c9_keypad_event_t ev;
    if (!c9_keypad_queue_get(&Q->q, &ev)) {
        Py_RETURN_NONE;
    }
    PyObject *e = c9py_object_new(&Event_Type);
    if (e) {
        event_fill(e, &ev);
    }
    return e;
}

static PyObject *queue_get_into(PyObject *self, PyObject *arg) {
    if (c9py_check_type(arg, &Event_Type, "event") < 0 || c9py_ready(arg) < 0) {
        return NULL;
    }
    poll_all();
    c9_keypad_event_t ev;
    if (!c9_keypad_queue_get(&Q->q, &ev)) {
        Py_RETURN_FALSE;
    }
    event_fill(arg, &ev);
    Py_RETURN_TRUE;
}

static PyObject *queue_clear(PyObject *self, PyObject *unused) {
    (void)unused;
    c9_keypad_queue_clear(&Q->q);
    Py_RETURN_NONE;
}

static Py_ssize_t queue_len(PyObject *self) {
    poll_all();
    return (Py_ssize_t)c9_keypad_queue_length(&Q->q);
}

static int queue_bool(PyObject *self) {
    return queue_len(self) != 0;
}

static PyObject *queue_overflowed(PyObject *self, void *c) {
    (void)c;
    poll_all();
    return PyBool_FromLong(Q->q.overflowed);
}

static PyMethodDef queue_methods[] = {
    {"get", queue_get, METH_NOARGS, "Remove the next key transition event from the EventQueue and return it."},
    {"get_into", queue_get_into, METH_O, "Remove the next key transition event from the EventQueue into event."},
    {"clear", queue_clear, METH_NOARGS, "Clear any queued key transition events. Also sets overflowed to False."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef queue_getset[] = {
    {"overflowed", queue_overflowed, NULL,
     "True if an event could not be added to the event queue because it was full.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyNumberMethods queue_number = {.nb_bool = queue_bool};
static PySequenceMethods queue_sequence = {.sq_length = queue_len};

static PyTypeObject EventQueue_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "keypad.EventQueue",
    .tp_basicsize = sizeof(queue_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A queue of Event objects, filled by a keypad scanner.",
    .tp_new = queue_new_forbidden,
    .tp_dealloc = queue_dealloc,
    .tp_as_number = &queue_number,
    .tp_as_sequence = &queue_sequence,
    .tp_methods = queue_methods,
    .tp_getset = queue_getset,
};

static PyObject *queue_new(size_t max_events) {
    queue_obj_t *q = PyObject_New(queue_obj_t, &EventQueue_Type);
    if (!q) {
        return NULL;
    }
    q->slots = PyMem_Calloc(max_events, sizeof(c9_keypad_event_t));
    if (!q->slots) {
        Py_DECREF(q);
        return c9py_raise_nomem(max_events * sizeof(c9_keypad_event_t));
    }
    c9_keypad_queue_init(&q->q, q->slots, max_events);
    return (PyObject *)q;
}

/* ---- scanners ----------------------------------------------------------------------------------- */

struct scanner_obj {
    C9PY_OBJECT_HEAD c9_keypad_t kp;
    PyObject *events; /* the EventQueue; NULL once deinitialised */
    int *pins;        /* the pins the core scans (its config points here) */
    size_t pin_count;
    int clock, latch;
    uint16_t *key_counts;
    int8_t *counters;
    size_t columns; /* KeyMatrix */
    bool scanning;  /* a scan is running (a device model reached by it cannot start another) */
};

#define SC ((scanner_obj_t *)self)

static void io_input(void *ctx, int pin, uint8_t pull) {
    (void)ctx;
    c9_port_pin_input(pin, (c9_port_pull_t)pull);
}

static void io_output(void *ctx, int pin, bool level) {
    (void)ctx;
    c9_port_pin_output(pin, level, C9_PORT_DRIVE_PUSH_PULL);
}

static void io_write(void *ctx, int pin, bool level) {
    (void)ctx;
    c9_port_pin_write(pin, level);
}

static bool io_read(void *ctx, int pin) {
    (void)ctx;
    return c9_port_pin_read(pin);
}

static const c9_keypad_io_t io = {io_input, io_output, io_write, io_read, NULL};

static void poll_one(scanner_obj_t *s) {
    if (s->events && !s->scanning) {
        s->scanning = true;
        c9_keypad_poll(&s->kp, c9_port_now_ns(), ticks_ms());
        s->scanning = false;
    }
}

static void poll_all(void) {
    for (int i = 0; i < MAX_SCANNERS; i++) {
        if (scanners[i]) {
            poll_one(scanners[i]);
        }
    }
}

static void background(void *ctx) {
    (void)ctx;
    poll_all();
}

static void scanner_free_parts(PyObject *self) {
    for (int i = 0; i < MAX_SCANNERS; i++) {
        if (scanners[i] == SC) {
            scanners[i] = NULL;
        }
    }
    for (size_t i = 0; SC->pins && i < SC->pin_count; i++) {
        c9_port_pin_release(SC->pins[i]);
    }
    c9_port_pin_release(SC->clock);
    c9_port_pin_release(SC->latch);
    PyMem_Free(SC->pins);
    PyMem_Free(SC->key_counts);
    PyMem_Free(SC->counters);
    SC->pins = NULL;
    SC->key_counts = NULL;
    SC->counters = NULL;
    SC->pin_count = 0;
    SC->clock = SC->latch = -1;
    Py_CLEAR(SC->events);
}

static void scanner_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        scanner_free_parts(self);
    }
    Py_TYPE(self)->tp_free(self);
}

static int scanner_alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (!SC->events) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

/* The common keyword arguments, checked in CircuitPython's order. */
typedef struct {
    uint32_t interval_ticks;
    size_t max_events;
    uint8_t threshold;
} common_t;

static int common_args(PyObject *interval, long max_events, long threshold, common_t *out) {
    double seconds = 0.020;
    if (interval && c9py_float(interval, "interval", &seconds) < 0) {
        return -1;
    }
    if (seconds < 0 || isnan(seconds)) {
        PyErr_SetString(PyExc_ValueError, "interval must be >= 0");
        return -1;
    }
    if (c9py_check_min(max_events, 1, "max_events") < 0 ||
        c9py_check_range(threshold, 1, 127, "debounce_threshold") < 0) {
        return -1;
    }
    /* CircuitPython keeps the interval in 1/1024 s ticks, computed in single precision. */
    float ticks = (float)seconds * 1024.0f;
    out->interval_ticks = ticks >= 4294967040.0f ? UINT32_MAX : (uint32_t)ticks;
    out->max_events = (size_t)max_events;
    out->threshold = (uint8_t)threshold;
    return 0;
}

/* A sequence of pins: its length, and each a Pin ("object in <name> must be of type Pin"), none
 * twice ("<name> contains duplicate pins"). ids gets PyMem memory. */
static int pin_sequence(PyObject *seq, const char *name, int **ids, size_t *count) {
    PyObject *fast = PySequence_Fast(seq, "object is not a sequence");
    if (!fast) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Format(PyExc_TypeError, "object of type '%s' has no len()", c9py_type_name(seq));
        }
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int *out = PyMem_Malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!out) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i);
        if (!PyObject_TypeCheck(item, &c9py_Pin_Type)) {
            PyErr_Format(PyExc_TypeError, "object in %s must be of type Pin, not %s", name, c9py_type_name(item));
            goto fail;
        }
        out[i] = ((c9py_pin_obj_t *)item)->id;
        for (Py_ssize_t k = 0; k < i; k++) {
            if (out[k] == out[i]) {
                PyErr_Format(PyExc_TypeError, "%s contains duplicate pins", name);
                goto fail;
            }
        }
    }
    Py_DECREF(fast);
    *ids = out;
    *count = (size_t)n;
    return 0;
fail:
    Py_DECREF(fast);
    PyMem_Free(out);
    return -1;
}

/* Claims pins in order ("<pin> in use" for the first taken one); on failure gives back those it
 * took. */
static int claim_all(const int *pins, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (c9py_pin_claim(pins[i], "pin") < 0) {
            for (size_t k = 0; k < i; k++) {
                c9_port_pin_release(pins[k]);
            }
            return -1;
        }
    }
    return 0;
}

static int registry_add(scanner_obj_t *s) {
    static bool background_on;
    if (!background_on) {
        if (c9rt_background_add(background, NULL) < 0) {
            PyErr_SetString(PyExc_RuntimeError, "no room for the keypad's background task");
            return -1;
        }
        background_on = true;
    }
    for (int i = 0; i < MAX_SCANNERS; i++) {
        if (!scanners[i]) {
            scanners[i] = s;
            return 0;
        }
    }
    PyErr_SetString(PyExc_RuntimeError, "too many keypad scanners");
    return -1;
}

/* The core scanner from a configuration whose pins are claimed; on failure releases everything. */
static int start(PyObject *self, c9_keypad_config_t *cfg, const common_t *common) {
    size_t keys = c9_keypad_key_count(cfg);
    SC->events = queue_new(common->max_events);
    SC->counters = PyMem_Malloc(keys ? keys : 1);
    if (!SC->events || !SC->counters) {
        if (SC->events) {
            PyErr_NoMemory();
        }
        scanner_free_parts(self);
        return -1;
    }
    cfg->interval_ticks = common->interval_ticks;
    cfg->debounce_threshold = common->threshold;
    c9_err_t err = c9_keypad_init(&SC->kp, cfg, &io, SC->counters, keys, &((queue_obj_t *)SC->events)->q,
                                  c9_port_now_ns(), ticks_ms());
    if (err != C9_OK || registry_add(SC) < 0) {
        if (err != C9_OK) {
            c9py_raise(err);
        }
        scanner_free_parts(self);
        return -1;
    }
    return 0;
}

static int keys_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_pins, ARG_value_when_pressed, ARG_pull, ARG_interval, ARG_max_events, ARG_debounce_threshold };
    static const c9py_arg_t allowed[] = {
        {"pins", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"value_when_pressed", C9PY_ARG_BOOL | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"pull", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"interval", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"max_events", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 64}},
        {"debounce_threshold", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
    };
    c9py_argval_t a[6];
    common_t common;
    SC->clock = SC->latch = -1;
    /* CircuitPython checks the pins under the name row_pins here. */
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0 ||
        pin_sequence(a[ARG_pins].u_obj, "row_pins", &SC->pins, &SC->pin_count) < 0) {
        return -1;
    }
    if (common_args(a[ARG_interval].u_obj, a[ARG_max_events].u_int, a[ARG_debounce_threshold].u_int, &common) < 0 ||
        claim_all(SC->pins, SC->pin_count) < 0) {
        PyMem_Free(SC->pins);
        SC->pins = NULL;
        return -1;
    }
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_KEYS,
                              .pins = SC->pins,
                              .pin_count = SC->pin_count,
                              .value_when_pressed = a[ARG_value_when_pressed].u_bool,
                              .pull = a[ARG_pull].u_bool};
    return start(self, &cfg, &common);
}
C9PY_DEFINE_INIT(keys_init, keys_construct)

static int matrix_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_row_pins, ARG_column_pins, ARG_columns_to_anodes, ARG_interval, ARG_max_events, ARG_debounce_threshold };
    static const c9py_arg_t allowed[] = {
        {"row_pins", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"column_pins", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"columns_to_anodes", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"interval", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"max_events", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 64}},
        {"debounce_threshold", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
    };
    c9py_argval_t a[6];
    common_t common;
    int *rows = NULL, *cols = NULL;
    size_t nrows = 0, ncols = 0;
    SC->clock = SC->latch = -1;
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return -1;
    }
    if (PyObject_Length(a[ARG_row_pins].u_obj) < 0 || PyObject_Length(a[ARG_column_pins].u_obj) < 0 ||
        common_args(a[ARG_interval].u_obj, a[ARG_max_events].u_int, a[ARG_debounce_threshold].u_int, &common) < 0 ||
        pin_sequence(a[ARG_row_pins].u_obj, "row_pins", &rows, &nrows) < 0) {
        return -1;
    }
    if (pin_sequence(a[ARG_column_pins].u_obj, "column_pins", &cols, &ncols) < 0) {
        PyMem_Free(rows);
        return -1;
    }
    int *all = PyMem_Malloc(sizeof(int) * (nrows + ncols + 1));
    int rc = all ? 0 : -1;
    if (!all) {
        PyErr_NoMemory();
    }
    for (size_t i = 0; rc == 0 && i < nrows; i++) {
        for (size_t k = 0; k < ncols; k++) {
            if (rows[i] == cols[k]) {
                PyErr_SetString(PyExc_TypeError, "row_pins and column_pins contain duplicate pins");
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0) {
        memcpy(all, rows, sizeof(int) * nrows);
        memcpy(all + nrows, cols, sizeof(int) * ncols);
        rc = claim_all(all, nrows + ncols);
    }
    PyMem_Free(rows);
    PyMem_Free(cols);
    if (rc < 0) {
        PyMem_Free(all);
        return -1;
    }
    SC->pins = all;
    SC->pin_count = nrows + ncols;
    SC->columns = ncols;
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_MATRIX,
                              .pins = all,
                              .pin_count = nrows + ncols,
                              .rows = nrows,
                              .columns = ncols,
                              .columns_to_anodes = a[ARG_columns_to_anodes].u_bool};
    return start(self, &cfg, &common);
}
C9PY_DEFINE_INIT(matrix_init, matrix_construct)

/* ShiftRegisterKeys' data: one Pin or a sequence of them, each a free pin (checked here, claimed
 * later with the others). pins gets PyMem memory. */
static int shift_data_pins(PyObject *data, int **pins_out, size_t *npins_out) {
    int *pins = NULL;
    size_t npins = 0;
    if (PyObject_TypeCheck(data, &c9py_Pin_Type)) {
        pins = PyMem_Malloc(sizeof(int));
        if (!pins) {
            PyErr_NoMemory();
            return -1;
        }
        pins[0] = ((c9py_pin_obj_t *)data)->id;
        npins = 1;
    } else {
        PyObject *fast = PySequence_Fast(data, "");
        if (!fast) {
            PyErr_Format(PyExc_TypeError, "object of type '%s' has no len()", c9py_type_name(data));
            return -1;
        }
        npins = (size_t)PySequence_Fast_GET_SIZE(fast);
        pins = PyMem_Malloc(sizeof(int) * (npins ? npins : 1));
        for (size_t i = 0; pins && i < npins; i++) {
            int id = c9py_pin_arg(PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)i), "data", false);
            if (id < 0) {
                PyMem_Free(pins);
                Py_DECREF(fast);
                return -1;
            }
            pins[i] = id;
        }
        Py_DECREF(fast);
        if (!pins) {
            PyErr_NoMemory();
            return -1;
        }
    }
    for (size_t i = 0; i < npins; i++) {
        if (c9_port_pin_in_use(pins[i])) {
            PyErr_Format(PyExc_ValueError, "%s in use", c9py_pin_name(pins[i], NULL));
            PyMem_Free(pins);
            return -1;
        }
    }
    *pins_out = pins;
    *npins_out = npins;
    return 0;
}

/* key_count as a plain int: only with one data pin. */
static int shift_key_count_int(PyObject *kc, size_t npins, uint16_t *counts) {
    long v;
    if (npins != 1) {
        PyErr_Format(PyExc_ValueError, "key_count length must be %d", (int)npins);
        return -1;
    }
    if (c9py_int(kc, "key_count", &v) < 0 || c9py_check_min(v, 1, "key_count") < 0 ||
        c9py_check_range(v, 1, C9_KEYPAD_MAX_KEYS, "key_count") < 0) {
        return -1;
    }
    counts[0] = (uint16_t)v;
    return 0;
}

/* key_count as a sequence: one per data pin. */
static int shift_key_count_seq(PyObject *kc, size_t npins, uint16_t *counts) {
    Py_ssize_t n = PyObject_Length(kc);
    if (n < 0) {
        return -1;
    }
    if ((size_t)n != npins) {
        PyErr_Format(PyExc_ValueError, "key_count length must be %d", (int)npins);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_GetItem(kc, i);
        int32_t v;
        int rc = item && c9py_mp_int(item, &v) == 0 && c9py_check_min(v, 1, "key_count") == 0 &&
                         c9py_check_range(v, 1, C9_KEYPAD_MAX_KEYS, "key_count") == 0
                     ? 0
                     : -1;
        Py_XDECREF(item);
        if (rc < 0) {
            return -1;
        }
        counts[i] = (uint16_t)v;
    }
    return 0;
}

/* key_count: an int or a sequence, one per data pin, each 1..C9_KEYPAD_MAX_KEYS. counts gets
 * PyMem memory. */
static int shift_key_counts(PyObject *kc, size_t npins, uint16_t **counts_out) {
    uint16_t *counts = PyMem_Malloc(sizeof(uint16_t) * (npins ? npins : 1));
    if (!counts) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = PyLong_Check(kc) ? shift_key_count_int(kc, npins, counts) : shift_key_count_seq(kc, npins, counts);
    if (rc < 0) {
        PyMem_Free(counts);
        return -1;
    }
    *counts_out = counts;
    return 0;
}

/* clock or latch: a Pin that nothing holds ("<pin> in use"), not claimed yet. */
static int shift_free_pin(PyObject *obj, const char *name) {
    int id = c9py_pin_arg(obj, name, false);
    if (id < 0) {
        return -1;
    }
    if (c9_port_pin_in_use(id)) {
        PyErr_Format(PyExc_ValueError, "%s in use", c9py_pin_name(id, NULL));
        return -1;
    }
    return id;
}

/* Claims clock, latch, then the data pins; on failure gives back those it took. */
static int shift_claim(int clock, int latch, const int *pins, size_t npins) {
    if (c9py_pin_claim(clock, "clock") < 0) {
        return -1;
    }
    if (c9py_pin_claim(latch, "latch") < 0) {
        c9_port_pin_release(clock);
        return -1;
    }
    if (claim_all(pins, npins) < 0) {
        c9_port_pin_release(clock);
        c9_port_pin_release(latch);
        return -1;
    }
    return 0;
}

static int shift_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum {
        ARG_clock,
        ARG_data,
        ARG_latch,
        ARG_value_to_latch,
        ARG_key_count,
        ARG_value_when_pressed,
        ARG_interval,
        ARG_max_events,
        ARG_debounce_threshold
    };
    static const c9py_arg_t allowed[] = {
        {"clock", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"data", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"latch", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"value_to_latch", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"key_count", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"value_when_pressed", C9PY_ARG_BOOL | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"interval", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"max_events", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 64}},
        {"debounce_threshold", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
    };
    c9py_argval_t a[9];
    SC->clock = SC->latch = -1;
    if (c9py_arg_parse(args, kw, allowed, 9, a) < 0) {
        return -1;
    }
    int *pins = NULL;
    size_t npins = 0;
    if (shift_data_pins(a[ARG_data].u_obj, &pins, &npins) < 0) {
        return -1;
    }
    /* The order of the checks (data, key_count, clock, latch, the common arguments) decides which
     * error a call with several bad arguments gets; nothing is claimed until all of them passed. */
    uint16_t *counts = NULL;
    int clock = -1, latch = -1;
    common_t common;
    if (shift_key_counts(a[ARG_key_count].u_obj, npins, &counts) < 0 ||
        (clock = shift_free_pin(a[ARG_clock].u_obj, "clock")) < 0 ||
        (latch = shift_free_pin(a[ARG_latch].u_obj, "latch")) < 0 ||
        common_args(a[ARG_interval].u_obj, a[ARG_max_events].u_int, a[ARG_debounce_threshold].u_int, &common) < 0 ||
        shift_claim(clock, latch, pins, npins) < 0) {
        PyMem_Free(pins);
        PyMem_Free(counts);
        return -1;
    }
    SC->pins = pins;
    SC->pin_count = npins;
    SC->key_counts = counts;
    SC->clock = clock;
    SC->latch = latch;
    c9_keypad_config_t cfg = {.kind = C9_KEYPAD_SHIFT,
                              .pins = pins,
                              .pin_count = npins,
                              .clock = clock,
                              .latch = latch,
                              .value_to_latch = a[ARG_value_to_latch].u_bool,
                              .key_counts = counts,
                              .value_when_pressed = a[ARG_value_when_pressed].u_bool};
    return start(self, &cfg, &common);
}
C9PY_DEFINE_INIT(shift_init, shift_construct)

static PyObject *scanner_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SC->scanning) {
        /* Reached from a device model in the middle of this scanner's own scan. */
        PyErr_SetString(PyExc_RuntimeError, "keypad scanner is scanning");
        return NULL;
    }
    scanner_free_parts(self);
    Py_RETURN_NONE;
}

static PyObject *scanner_reset(PyObject *self, PyObject *unused) {
    (void)unused;
    if (scanner_alive(self) < 0) {
        return NULL;
    }
    if (!SC->scanning) {
        SC->scanning = true;
        c9_keypad_reset(&SC->kp, c9_port_now_ns(), ticks_ms());
        SC->scanning = false;
    }
    Py_RETURN_NONE;
}

static PyObject *scanner_key_count(PyObject *self, void *c) {
    (void)c;
    return scanner_alive(self) < 0 ? NULL : PyLong_FromSize_t(SC->kp.key_count);
}

static PyObject *scanner_events(PyObject *self, void *c) {
    (void)c;
    if (scanner_alive(self) < 0) {
        return NULL;
    }
    poll_one(SC);
    return Py_NewRef(SC->events);
}

static PyObject *scanner_exit(PyObject *self, PyObject *args) {
    (void)args;
    return scanner_deinit(self, NULL);
}

/* KeyMatrix's conversions. CircuitPython 9.2.9 lets key_number reach key_count and row/column
 * reach the row/column count (one past the end); here the last valid one is the limit
 * (docs/periph.md). */
static PyObject *key_number_to_row_column(PyObject *self, PyObject *arg) {
    long key;
    if (scanner_alive(self) < 0 || c9py_int(arg, "key_number", &key) < 0 ||
        c9py_check_range(key, 0, (long)SC->kp.key_count - 1, "key_number") < 0) {
        return NULL;
    }
    return Py_BuildValue("(nn)", (Py_ssize_t)(key / (long)SC->columns), (Py_ssize_t)(key % (long)SC->columns));
}

static PyObject *row_column_to_key_number(PyObject *self, PyObject *args) {
    long row, column;
    PyObject *r, *c;
    if (scanner_alive(self) < 0 || !PyArg_UnpackTuple(args, "row_column_to_key_number", 2, 2, &r, &c) ||
        c9py_int(r, "row", &row) < 0 || c9py_check_range(row, 0, (long)(SC->pin_count - SC->columns) - 1, "row") < 0 ||
        c9py_int(c, "column", &column) < 0 || c9py_check_range(column, 0, (long)SC->columns - 1, "column") < 0) {
        return NULL;
    }
    return PyLong_FromLong(row * (long)SC->columns + column);
}

#define SCANNER_METHODS                                                                                                \
    {"deinit", scanner_deinit, METH_NOARGS, "Stop scanning and release the pins."},                                    \
        {"reset", scanner_reset, METH_NOARGS,                                                                          \
         "Reset the internal state of the scanner to assume that all keys are now released."},                         \
        {"__enter__", c9py_enter, METH_NOARGS, NULL}, {                                                                \
        "__exit__", scanner_exit, METH_VARARGS, NULL                                                                   \
    }

static PyMethodDef keys_methods[] = {SCANNER_METHODS, {NULL, NULL, 0, NULL}};
static PyMethodDef matrix_methods[] = {
    SCANNER_METHODS,
    {"key_number_to_row_column", key_number_to_row_column, METH_O,
     "Return the row and column for the given key_number."},
    {"row_column_to_key_number", row_column_to_key_number, METH_VARARGS,
     "Return the key number for a given row and column."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef scanner_getset[] = {
    {"key_count", scanner_key_count, NULL, "The number of keys that are being scanned.", NULL},
    {"events", scanner_events, NULL, "The EventQueue associated with this scanner.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

#define SCANNER_TYPE(var, pyname, init, methods, doc)                                                                  \
    static PyTypeObject var = {                                                                                        \
        PyVarObject_HEAD_INIT(NULL, 0).tp_name = pyname,                                                               \
        .tp_basicsize = sizeof(scanner_obj_t),                                                                         \
        .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,                                                          \
        .tp_doc = doc,                                                                                                 \
        .tp_new = c9py_native_new,                                                                                     \
        .tp_init = init,                                                                                               \
        .tp_dealloc = scanner_dealloc,                                                                                 \
        .tp_methods = methods,                                                                                         \
        .tp_getset = scanner_getset,                                                                                   \
    }

SCANNER_TYPE(Keys_Type, "keypad.Keys", keys_init, keys_methods,
             "Keys(pins, *, value_when_pressed, pull=True, interval=0.020, max_events=64, debounce_threshold=1)");
SCANNER_TYPE(KeyMatrix_Type, "keypad.KeyMatrix", matrix_init, matrix_methods,
             "KeyMatrix(row_pins, column_pins, columns_to_anodes=True, interval=0.020, max_events=64, "
             "debounce_threshold=1)");
SCANNER_TYPE(ShiftRegisterKeys_Type, "keypad.ShiftRegisterKeys", shift_init, keys_methods,
             "ShiftRegisterKeys(*, clock, data, latch, value_to_latch=True, key_count, value_when_pressed, "
             "interval=0.020, max_events=64, debounce_threshold=1)");

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "keypad", "Support for scanning keys and key matrices", -1,
                                 NULL};

PyObject *c9py_init_keypad(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "Event", &Event_Type) < 0 || c9py_add_type(m, "EventQueue", &EventQueue_Type) < 0 ||
        c9py_add_type(m, "Keys", &Keys_Type) < 0 || c9py_add_type(m, "KeyMatrix", &KeyMatrix_Type) < 0 ||
        c9py_add_type(m, "ShiftRegisterKeys", &ShiftRegisterKeys_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
