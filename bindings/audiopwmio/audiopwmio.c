/* audiopwmio.PWMAudioOut: audio on one or two PWM pins (port.h's audio outputs). */
#include "audiocore/audiocore.h"
#include "microcontroller/Pin.h"

#define SELF ((c9py_audioout_t *)self)

static const c9py_err_override_t open_errors[] = {
    {C9_ERR_INVAL, &PyExc_ValueError, "Pins must share PWM slice"},
    {C9_ERR_BUSY, &PyExc_RuntimeError, "All timers in use"},
    {C9_ERR_NOTSUP, &PyExc_ValueError, "Invalid pin"},
    {C9_ERR_NOSYS, &PyExc_NotImplementedError, "PWMAudioOut"},
    {C9_OK},
};

static int pwm_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_left_channel, ARG_right_channel, ARG_quiescent_value };
    static const c9py_arg_t allowed[] = {
        {"left_channel", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"right_channel", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"quiescent_value", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0x8000}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return -1;
    }
    int left = c9py_pin_arg(a[ARG_left_channel].u_obj, "left_channel", false);
    if (left < 0 || c9py_pin_claim(left, "left_channel") < 0) {
        return -1;
    }
    int right;
    if (c9py_pin_claim_optional(a[ARG_right_channel].u_obj, "right_channel", &right) < 0) {
        c9_port_pin_release(left);
        return -1;
    }
    SELF->npins = 0;
    SELF->pins[SELF->npins++] = left;
    if (right >= 0) {
        SELF->pins[SELF->npins++] = right;
    }
    c9_port_audio_config_t cfg = {
        .kind = C9_PORT_AUDIO_PWM,
        .left = left,
        .right = right,
        .quiescent_value = (uint16_t)a[ARG_quiescent_value].u_int, /* CircuitPython's uint16_t parameter */
        .bit_clock = -1,
        .word_select = -1,
        .data = -1,
        .main_clock = -1,
    };
    return c9py_audioout_open(SELF, &cfg, open_errors);
}
C9PY_DEFINE_INIT(pwm_init, pwm_construct)

static PyTypeObject PWMAudioOut_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiopwmio.PWMAudioOut",
    .tp_basicsize = sizeof(c9py_audioout_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "PWMAudioOut(left_channel, *, right_channel=None, quiescent_value=0x8000)\n"
              "Output an analog audio signal by varying the PWM duty cycle.",
    .tp_new = c9py_native_new,
    .tp_init = pwm_init,
    .tp_dealloc = c9py_audioout_dealloc,
    .tp_methods = c9py_audioout_methods,
    .tp_getset = c9py_audioout_getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "audiopwmio", "Audio output via digital PWM", -1, NULL};

PyObject *c9py_init_audiopwmio(void) {
    PyObject *m = PyModule_Create(&def);
    if (m && c9py_add_type(m, "PWMAudioOut", &PWMAudioOut_Type) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
