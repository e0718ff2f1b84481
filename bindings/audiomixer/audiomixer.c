/* audiomixer: Mixer (a sample mixing its voices' samples, audio.h's c9_audio_mixer_t) and
 * MixerVoice (one voice of a Mixer). */
#include "audiocore/audiocore.h"

#include <math.h>

typedef struct {
    C9PY_OBJECT_HEAD c9_audio_sample_t *sample;
    c9_audio_mixer_t mixer;
    uint8_t *memory; /* the voices, then the two mix buffers */
    size_t memory_size;
    PyObject **playing; /* per voice: the sample object the core voice plays (strong) */
    PyObject *voice_tuple;
} mixer_obj_t;

typedef struct {
    C9PY_OBJECT_HEAD PyObject *mixer; /* NULL for a MixerVoice() the program made itself */
    uint8_t index;
    double level; /* as the program set it (level reads it back) */
    bool loop;    /* a voice of no mixer keeps its own */
} voice_obj_t;

#define MIXER ((mixer_obj_t *)self)
#define VOICE ((voice_obj_t *)self)

static PyTypeObject Mixer_Type, MixerVoice_Type;

/* Lets go of the sample objects whose core voice has stopped (ended, stopped, or all of them
 * with `all`). The references are dropped after the walk: a finaliser they run finds the mixer
 * consistent. */
static void sync_voices_all(mixer_obj_t *m, bool all) {
    if (!m->playing) {
        return;
    }
    PyObject *drop[256];
    unsigned n = 0;
    for (unsigned i = 0; i < m->mixer.voice_count; i++) {
        if (all) {
            c9_audio_mixer_stop(&m->mixer, (uint8_t)i);
        }
        if (m->playing[i] && !m->mixer.voices[i].sample) {
            drop[n++] = m->playing[i];
            m->playing[i] = NULL;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        Py_DECREF(drop[i]);
    }
}

static void sync_voices(mixer_obj_t *m) {
    sync_voices_all(m, false);
}

static void stop_all(mixer_obj_t *m) {
    sync_voices_all(m, true);
}

/* Starts a sample on voice i (MixerVoice.play, Mixer.play). */
static PyObject *voice_play_on(mixer_obj_t *m, unsigned i, PyObject *sample_obj, bool loop) {
    c9_audio_sample_t *s = c9py_audio_not_rendering() < 0 ? NULL : c9py_audiosample(sample_obj);
    if (!s) {
        return NULL;
    }
    c9py_audio_pump();
    int gc_was_on = PyGC_Disable(); /* the first buffer is read now */
    c9_err_t err = c9_audio_mixer_play(&m->mixer, (uint8_t)i, s, loop);
    if (gc_was_on) {
        PyGC_Enable();
    }
    if (err != C9_OK) {
        return c9py_raise(err);
    }
    PyObject *old = m->playing[i];
    m->playing[i] = m->mixer.voices[i].sample ? Py_NewRef(sample_obj) : NULL;
    Py_XDECREF(old);
    sync_voices(m); /* playing a mixer on its own voice stops its other voices */
    Py_RETURN_NONE;
}

/* ---- Mixer ------------------------------------------------------------------------------------ */

static int mixer_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum {
        ARG_voice_count,
        ARG_buffer_size,
        ARG_channel_count,
        ARG_bits_per_sample,
        ARG_samples_signed,
        ARG_sample_rate
    };
    static const c9py_arg_t allowed[] = {
        {"voice_count", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 2}},
        {"buffer_size", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1024}},
        {"channel_count", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 2}},
        {"bits_per_sample", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 16}},
        {"samples_signed", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"sample_rate", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 8000}},
    };
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0 ||
        c9py_check_range(a[ARG_voice_count].u_int, 1, 255, "voice_count") < 0 ||
        c9py_check_range(a[ARG_channel_count].u_int, 1, 2, "channel_count") < 0 ||
        c9py_check_min(a[ARG_sample_rate].u_int, 1, "sample_rate") < 0) {
        return -1;
    }
    long bits = a[ARG_bits_per_sample].u_int;
    if (bits != 8 && bits != 16) {
        PyErr_SetString(PyExc_ValueError, "bits_per_sample must be 8 or 16");
        return -1;
    }
    /* CircuitPython takes any size; under 8 bytes its buffers hold no frame and it never ends a
     * buffer. */
    if (c9py_check_min(a[ARG_buffer_size].u_int, 8, "buffer_size") < 0) {
        return -1;
    }
    unsigned count = (unsigned)a[ARG_voice_count].u_int;
    uint32_t buffer_size = (uint32_t)a[ARG_buffer_size].u_int;
    size_t voices_bytes = count * sizeof(c9_audio_voice_t);
    size_t size = voices_bytes + 2 * c9_audio_mixer_buffer_length(buffer_size);
    uint8_t *mem = c9py_audio_alloc(size);
    if (!mem) {
        return -1;
    }
    PyObject **playing = PyMem_Calloc(count, sizeof(PyObject *));
    PyObject *tuple = PyTuple_New(count);
    if (!playing || !tuple) {
        PyMem_Free(playing);
        Py_XDECREF(tuple);
        c9py_audio_free(mem, size);
        PyErr_NoMemory();
        return -1;
    }
    c9_audio_format_t f = {
        .sample_rate = (uint32_t)a[ARG_sample_rate].u_int,
        .bits = (uint8_t)bits,
        .channels = (uint8_t)a[ARG_channel_count].u_int,
        .is_signed = a[ARG_samples_signed].u_bool,
    };
    c9_err_t err = c9_audio_mixer_init(&MIXER->mixer, &f, (c9_audio_voice_t *)mem, (uint8_t)count, mem + voices_bytes,
                                       buffer_size);
    for (unsigned i = 0; err == C9_OK && i < count; i++) {
        PyObject *v = c9py_object_new(&MixerVoice_Type);
        if (!v) {
            err = C9_ERR_NOMEM;
            break;
        }
        ((voice_obj_t *)v)->mixer = Py_NewRef(self);
        ((voice_obj_t *)v)->index = (uint8_t)i;
        ((voice_obj_t *)v)->level = 1.0;
        PyTuple_SET_ITEM(tuple, i, v);
    }
    if (err != C9_OK) {
        PyMem_Free(playing);
        Py_DECREF(tuple); /* the voices made so far go with it (they hold self: the cycle is the collector's) */
        c9py_audio_free(mem, size);
        return PyErr_Occurred() ? -1 : c9py_fail(err, NULL);
    }
    MIXER->memory = mem;
    MIXER->memory_size = size;
    MIXER->playing = playing;
    MIXER->voice_tuple = tuple;
    MIXER->sample = &MIXER->mixer.base;
    return 0;
}
C9PY_DEFINE_INIT(mixer_init, mixer_construct)

static int mixer_traverse(PyObject *self, visitproc visit, void *arg) {
    (void)visit;
    (void)arg;
    Py_VISIT(MIXER->voice_tuple);
    if (MIXER->playing) {
        for (unsigned i = 0; i < MIXER->mixer.voice_count; i++) {
            Py_VISIT(MIXER->playing[i]);
        }
    }
    return 0;
}

static int mixer_clear(PyObject *self) {
    stop_all(MIXER);
    Py_CLEAR(MIXER->voice_tuple);
    return 0;
}

static void mixer_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    stop_all(MIXER);
    Py_CLEAR(MIXER->voice_tuple);
    PyMem_Free(MIXER->playing);
    MIXER->playing = NULL;
    c9py_audio_free(MIXER->memory, MIXER->memory_size);
    MIXER->memory = NULL;
    Py_TYPE(self)->tp_free(self);
}

static int mixer_alive(PyObject *self) {
    if (c9py_audiosample_alive(self) < 0) {
        return -1;
    }
    if (!MIXER->voice_tuple) {
        c9py_raise_deinited(); /* emptied by the cycle collector */
        return -1;
    }
    return 0;
}

static PyObject *mixer_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0 || c9py_audio_not_rendering() < 0) {
        return NULL;
    }
    c9_audio_sample_deinit(MIXER->sample);
    stop_all(MIXER);
    Py_RETURN_NONE;
}

static PyObject *mixer_exit(PyObject *self, PyObject *args) {
    (void)args;
    return mixer_deinit(self, NULL);
}

/* A voice number (CircuitPython converts it to uint8_t first, so 256 is voice 0 there). */
static int voice_arg(mixer_obj_t *m, long v) {
    if (v < 0 || v >= m->mixer.voice_count) {
        PyErr_SetString(PyExc_ValueError, "Invalid voice");
        return -1;
    }
    return (int)v;
}

static PyObject *mixer_play(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_sample, ARG_voice, ARG_loop };
    static const c9py_arg_t allowed[] = {
        {"sample", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"voice", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"loop", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[3];
    if (mixer_alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    int v = voice_arg(MIXER, a[ARG_voice].u_int);
    return v < 0 ? NULL : voice_play_on(MIXER, (unsigned)v, a[ARG_sample].u_obj, a[ARG_loop].u_bool);
}

static PyObject *mixer_stop_voice(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"voice", C9PY_ARG_INT, {.u_int = 0}}};
    c9py_argval_t a[1];
    if (mixer_alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    int v = voice_arg(MIXER, a[0].u_int);
    if (v < 0 || c9py_audio_not_rendering() < 0) {
        return NULL;
    }
    c9py_audio_pump();
    c9_audio_mixer_stop(&MIXER->mixer, (uint8_t)v);
    sync_voices(MIXER);
    Py_RETURN_NONE;
}

static PyObject *mixer_get_playing(PyObject *self, void *closure) {
    (void)closure;
    if (mixer_alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    bool waited;
    if (c9py_audio_poll(c9_audio_mixer_playing(&MIXER->mixer), &waited) < 0 || mixer_alive(self) < 0) {
        return NULL;
    }
    sync_voices(MIXER);
    return PyBool_FromLong(c9_audio_mixer_playing(&MIXER->mixer));
}

static PyObject *mixer_get_voice(PyObject *self, void *closure) {
    (void)closure;
    return mixer_alive(self) < 0 ? NULL : Py_NewRef(MIXER->voice_tuple);
}

static PyMethodDef mixer_methods[] = {
    {"deinit", mixer_deinit, METH_NOARGS, "Deinitialises the Mixer and releases any hardware resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", mixer_exit, METH_VARARGS, NULL},
    {"play", (PyCFunction)(void (*)(void))mixer_play, METH_VARARGS | METH_KEYWORDS,
     "Plays the sample once when loop=False and continuously when loop=True."},
    {"stop_voice", (PyCFunction)(void (*)(void))mixer_stop_voice, METH_VARARGS | METH_KEYWORDS,
     "Stops playback of the sample on the given voice."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef mixer_getset[] = {
    {"playing", mixer_get_playing, NULL, "True when any voice is being output. (read-only)", NULL},
    {"voice", mixer_get_voice, NULL, "A tuple of the mixer's MixerVoice object(s).", NULL},
    C9PY_AUDIOSAMPLE_GETSET,
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Mixer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiomixer.Mixer",
    .tp_basicsize = sizeof(mixer_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Mixer(*, voice_count=2, buffer_size=1024, channel_count=2, bits_per_sample=16, samples_signed=True, "
              "sample_rate=8000)\nMixes one or more audio samples together into one sample.",
    .tp_new = c9py_native_new,
    .tp_init = mixer_init,
    .tp_dealloc = mixer_dealloc,
    .tp_traverse = mixer_traverse,
    .tp_clear = mixer_clear,
    .tp_methods = mixer_methods,
    .tp_getset = mixer_getset,
};

/* ---- MixerVoice -------------------------------------------------------------------------------- */

static int voice_construct(PyObject *self, PyObject *args, PyObject *kw) {
    /* CircuitPython lets a program make one; it belongs to no mixer (playing on it is refused,
     * where CircuitPython crashes). */
    if (c9py_arg_check_call(args, kw, 0, 0, 0, false) < 0) {
        return -1;
    }
    VOICE->mixer = NULL;
    VOICE->level = 1.0;
    return 0;
}
C9PY_DEFINE_INIT(voice_init, voice_construct)

static int voice_traverse(PyObject *self, visitproc visit, void *arg) {
    (void)visit;
    (void)arg;
    Py_VISIT(VOICE->mixer);
    return 0;
}

static int voice_clear(PyObject *self) {
    Py_CLEAR(VOICE->mixer);
    return 0;
}

static void voice_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    Py_CLEAR(VOICE->mixer);
    Py_TYPE(self)->tp_free(self);
}

/* The voice's mixer and core voice; NULL (no exception) for a voice of no mixer. */
static mixer_obj_t *parent(PyObject *self, c9_audio_voice_t **v) {
    mixer_obj_t *m = (mixer_obj_t *)VOICE->mixer;
    if (!m || !m->playing || VOICE->index >= m->mixer.voice_count) {
        return NULL;
    }
    *v = &m->mixer.voices[VOICE->index];
    return m;
}

static PyObject *voice_play(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_sample, ARG_loop };
    static const c9py_arg_t allowed[] = {
        {"sample", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"loop", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[2];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    c9_audio_voice_t *v;
    mixer_obj_t *m = parent(self, &v);
    if (!m) {
        PyErr_SetString(PyExc_RuntimeError, "MixerVoice is not part of a Mixer");
        return NULL;
    }
    Py_INCREF(m); /* the mixer stays while its voice starts */
    PyObject *r = voice_play_on(m, VOICE->index, a[ARG_sample].u_obj, a[ARG_loop].u_bool);
    Py_DECREF(m);
    return r;
}

static PyObject *voice_stop(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"voice", C9PY_ARG_INT, {.u_int = 0}}};
    c9py_argval_t a[1];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    c9_audio_voice_t *v;
    mixer_obj_t *m = parent(self, &v);
    if (m) {
        if (c9py_audio_not_rendering() < 0) {
            return NULL;
        }
        c9py_audio_pump();
        c9_audio_mixer_stop(&m->mixer, VOICE->index);
        Py_INCREF(m);
        sync_voices(m);
        Py_DECREF(m);
    }
    Py_RETURN_NONE;
}

static PyObject *voice_get_level(PyObject *self, void *closure) {
    (void)closure;
    return c9py_ready(self) < 0 ? NULL : PyFloat_FromDouble(VOICE->level);
}

static int voice_set_level(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    if (c9py_ready(self) < 0 || c9py_setter_present(value) < 0 || c9py_audio_not_rendering() < 0) {
        return -1;
    }
    /* As synthio's BlockInput slots: a number (None is 0), kept as given; the mixer clamps it to
     * 0..1 when it mixes. A board's floats are single precision, and so is the level it mixes
     * at. */
    double level = 0.0;
    if (value != Py_None) {
        if (!PyFloat_Check(value) && !PyLong_Check(value)) {
            PyErr_Format(PyExc_TypeError, "level must be of type BlockInput, not %s", c9py_type_name(value));
            return -1;
        }
        level = PyFloat_AsDouble(value);
        if (level == -1.0 && PyErr_Occurred()) {
            return -1;
        }
    }
    c9py_audio_pump(); /* heard from now on */
    VOICE->level = level;
    c9_audio_voice_t *v;
    if (parent(self, &v)) {
        v->level = (float)level;
    }
    return 0;
}

static PyObject *voice_get_loop(PyObject *self, void *closure) {
    (void)closure;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    c9_audio_voice_t *v;
    return PyBool_FromLong(parent(self, &v) ? v->loop : VOICE->loop);
}

static int voice_set_loop(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    int b = c9py_ready(self) < 0 || c9py_audio_not_rendering() < 0 ? -1 : c9py_setter_bool(value);
    if (b < 0) {
        return -1;
    }
    c9py_audio_pump();
    c9_audio_voice_t *v;
    if (parent(self, &v)) {
        v->loop = b;
    } else {
        VOICE->loop = b;
    }
    return 0;
}

static PyObject *voice_get_playing(PyObject *self, void *closure) {
    (void)closure;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    c9_audio_voice_t *v;
    if (!parent(self, &v)) {
        Py_RETURN_FALSE;
    }
    c9py_audio_pump();
    bool waited;
    if (c9py_audio_poll(v->sample != NULL, &waited) < 0) {
        return NULL;
    }
    mixer_obj_t *m = parent(self, &v);
    if (!m) {
        Py_RETURN_FALSE;
    }
    bool playing = v->sample != NULL;
    Py_INCREF(m);
    sync_voices(m);
    Py_DECREF(m);
    return PyBool_FromLong(playing);
}

static PyMethodDef voice_methods[] = {
    {"play", (PyCFunction)(void (*)(void))voice_play, METH_VARARGS | METH_KEYWORDS,
     "Plays the sample once when loop=False, and continuously when loop=True."},
    {"stop", (PyCFunction)(void (*)(void))voice_stop, METH_VARARGS | METH_KEYWORDS,
     "Stops playback of the sample on this voice."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef voice_getset[] = {
    {"playing", voice_get_playing, NULL, "True when this voice is being output. (read-only)", NULL},
    {"level", voice_get_level, voice_set_level, "The volume level of a voice, between 0 and 1.", NULL},
    {"loop", voice_get_loop, voice_set_loop, "Get or set the loop status of the currently playing sample.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject MixerVoice_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiomixer.MixerVoice",
    .tp_basicsize = sizeof(voice_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "MixerVoice()\nVoice objects used with Mixer.",
    .tp_new = c9py_native_new,
    .tp_init = voice_init,
    .tp_dealloc = voice_dealloc,
    .tp_traverse = voice_traverse,
    .tp_clear = voice_clear,
    .tp_methods = voice_methods,
    .tp_getset = voice_getset,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "audiomixer", "Support for audio mixing", -1, NULL};

PyObject *c9py_init_audiomixer(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    c9py_audiosample_register(&Mixer_Type);
    if (c9py_add_type(m, "Mixer", &Mixer_Type) < 0 || c9py_add_type(m, "MixerVoice", &MixerVoice_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
