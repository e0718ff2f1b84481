/* audiobusio.I2SOut: audio on an I2S bus (port.h's audio outputs). */
#include "audiocore/audiocore.h"
#include "microcontroller/Pin.h"

#define SELF ((c9py_audioout_t *)self)

static const c9py_err_override_t open_errors[] = {
    {C9_ERR_INVAL, &PyExc_ValueError, "Bit clock and word select must be sequential GPIO pins"},
    {C9_ERR_NOTSUP, &PyExc_NotImplementedError, "main_clock"},
    {C9_ERR_BUSY, &PyExc_RuntimeError, "Peripheral in use"},
    {C9_ERR_NOSYS, &PyExc_NotImplementedError, "I2SOut"},
    {C9_OK},
};

static void release_pins(c9py_audioout_t *o) {
    for (int i = 0; i < o->npins; i++) {
        c9_port_pin_release(o->pins[i]);
    }
    o->npins = 0;
}

static int i2s_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_bit_clock, ARG_word_select, ARG_data, ARG_main_clock, ARG_left_justified };
    static const c9py_arg_t allowed[] = {
        {"bit_clock", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"word_select", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"data", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"main_clock", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        /* CircuitPython declares it an object and reads it as a bool, so that
         * left_justified=False is true on a board; here it is its truth value. */
        {"left_justified", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return -1;
    }
    static const char *const names[] = {"bit_clock", "word_select", "data"};
    SELF->npins = 0;
    int pins[3];
    for (int i = 0; i < 3; i++) {
        pins[i] = c9py_pin_arg(a[i].u_obj, names[i], false);
        if (pins[i] < 0 || c9py_pin_claim(pins[i], names[i]) < 0) {
            release_pins(SELF);
            return -1;
        }
        SELF->pins[SELF->npins++] = pins[i];
    }
    int main_clock;
    if (c9py_pin_claim_optional(a[ARG_main_clock].u_obj, "main_clock", &main_clock) < 0) {
        release_pins(SELF);
        return -1;
    }
    if (main_clock >= 0) {
        SELF->pins[SELF->npins++] = main_clock;
    }
    c9_port_audio_config_t cfg = {
        .kind = C9_PORT_AUDIO_I2S,
        .left = -1,
        .right = -1,
        .bit_clock = pins[0],
        .word_select = pins[1],
        .data = pins[2],
        .main_clock = main_clock,
        .left_justified = a[ARG_left_justified].u_bool,
    };
    return c9py_audioout_open(SELF, &cfg, open_errors);
}
C9PY_DEFINE_INIT(i2s_init, i2s_construct)

static PyTypeObject I2SOut_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiobusio.I2SOut",
    .tp_basicsize = sizeof(c9py_audioout_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "I2SOut(bit_clock, word_select, data, *, main_clock=None, left_justified=False)\n"
              "Output an I2S audio signal.",
    .tp_new = c9py_native_new,
    .tp_init = i2s_init,
    .tp_dealloc = c9py_audioout_dealloc,
    .tp_methods = c9py_audioout_methods,
    .tp_getset = c9py_audioout_getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "audiobusio",
                                 "Support for audio input and output over digital buses", -1, NULL};

PyObject *c9py_init_audiobusio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "I2SOut", &I2SOut_Type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
