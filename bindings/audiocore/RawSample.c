/* audiocore.RawSample: frames in a buffer the program owns (array, bytearray, memoryview). */
#include "audiocore/audiocore.h"

#include <string.h>

typedef struct {
    C9PY_OBJECT_HEAD c9_audio_sample_t *sample;
    c9_audio_raw_t raw;
    Py_buffer view; /* held while the sample lives, so the buffer cannot move or be resized */
    bool has_view;
} raw_obj_t;

#define SELF ((raw_obj_t *)self)

/* The buffer's typecode as MicroPython reports it: 'b', 'B', 'h', 'H' (bytes and bytearray are
 * 'B'); 0 for any other. */
static char typecode(const Py_buffer *v) {
    const char *f = v->format ? v->format : "B";
    if (*f == '@' || *f == '=' || *f == '<') {
        f++;
    }
    if (f[0] && !f[1] && strchr("bBhH", f[0])) {
        return f[0];
    }
    return 0;
}

static int raw_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_buffer, ARG_channel_count, ARG_sample_rate, ARG_single_buffer };
    static const c9py_arg_t allowed[] = {
        {"buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"channel_count", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"sample_rate", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 8000}},
        {"single_buffer", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
    };
    c9py_argval_t a[4];
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return -1;
    }
    Py_buffer view;
    if (c9py_get_buffer(a[ARG_buffer].u_obj, &view, PyBUF_FORMAT | PyBUF_ND) < 0) {
        return -1;
    }
    char tc = typecode(&view);
    if (!tc) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "buffer must be a bytearray or array of type 'h', 'H', 'b', or 'B'");
        return -1;
    }
    /* CircuitPython takes any count (and 0 or 256 make a sample that reads as deinitialised);
     * its outputs and mixer play 1 or 2 channels. */
    if (c9py_check_range(a[ARG_channel_count].u_int, 1, 2, "channel_count") < 0) {
        PyBuffer_Release(&view);
        return -1;
    }
    c9_audio_format_t f = {
        .sample_rate = (uint32_t)a[ARG_sample_rate].u_int,
        .bits = (tc == 'h' || tc == 'H') ? 16 : 8,
        .channels = (uint8_t)a[ARG_channel_count].u_int,
        .is_signed = tc == 'b' || tc == 'h',
    };
    c9_err_t err = c9_audio_raw_init(&SELF->raw, view.buf, (size_t)view.len, &f, a[ARG_single_buffer].u_bool);
    if (err != C9_OK) {
        PyBuffer_Release(&view);
        return c9py_fail(err, NULL);
    }
    SELF->view = view;
    SELF->has_view = true;
    SELF->sample = &SELF->raw.base;
    return 0;
}
C9PY_DEFINE_INIT(raw_init, raw_construct)

static void raw_release(PyObject *self) {
    if (SELF->sample) {
        c9_audio_sample_deinit(SELF->sample);
    }
    if (SELF->has_view) {
        SELF->has_view = false;
        PyBuffer_Release(&SELF->view);
    }
}

static void raw_dealloc(PyObject *self) {
    raw_release(self);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *raw_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0 || c9py_audio_not_rendering() < 0) {
        return NULL;
    }
    raw_release(self);
    Py_RETURN_NONE;
}

static PyObject *raw_exit(PyObject *self, PyObject *args) {
    (void)args;
    return raw_deinit(self, NULL);
}

static PyMethodDef methods[] = {
    {"deinit", raw_deinit, METH_NOARGS, "Deinitialises the RawSample and releases its buffer."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", raw_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef getset[] = {
    C9PY_AUDIOSAMPLE_GETSET,
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_RawSample_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiocore.RawSample",
    .tp_basicsize = sizeof(raw_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "RawSample(buffer, *, channel_count=1, sample_rate=8000, single_buffer=True)\n"
              "A raw audio sample buffer in memory.",
    .tp_new = c9py_native_new,
    .tp_init = raw_init,
    .tp_dealloc = raw_dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};
