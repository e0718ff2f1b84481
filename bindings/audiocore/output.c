/* Audio outputs (PWMAudioOut, I2SOut): play, stop, pause, resume, playing, paused, deinit, on a
 * port output, with audio.h's player as the DMA.
 *
 * The frames an output plays are rendered when the port takes them: from the background task
 * (time.sleep(), the supervisor's idle loops) and at the start of every audio call, so on the
 * stepped clock a change a program makes is heard from exactly the board time it made it. */
#include "audiocore/audiocore.h"

#include "c9rt.h"
#include "microcontroller/Pin.h"

#define SELF ((c9py_audioout_t *)self)

/* Frames rendered per port write. */
#define CHUNK 512

static c9py_audioout_t *live;
static bool pumping;
static uint64_t last_poll_ns;

static void pump_one(c9py_audioout_t *o) {
    uint16_t values[2 * CHUNK];
    for (;;) {
        size_t room = c9_port_audio_room(o->port);
        if (room == 0) {
            break;
        }
        size_t n = C9_MIN(room, (size_t)CHUNK);
        c9_audio_player_render(&o->player, values, n);
        /* A recording that fails has said so on stderr; the board keeps playing. */
        (void)c9_port_audio_write(o->port, values, n);
    }
}

void c9py_audio_pump(void) {
    if (pumping || !live) {
        return;
    }
    /* Nothing of Python's may run while frames are rendered (a finaliser run by the cycle
     * collector could deinit what is being read): the only Python calls are the WaveFiles'
     * reads of their (built-in) file objects. Samples that finished are let go afterwards. */
    pumping = true;
    int gc_was_on = PyGC_Disable();
    PyObject *done = PyList_New(0);
    if (!done) {
        PyErr_Clear();
    }
    for (c9py_audioout_t *o = live; o; o = o->next) {
        o->busy = true;
        pump_one(o);
        o->busy = false;
        if (!c9_audio_player_playing(&o->player) && o->sample_obj) {
            /* Without memory for the list the reference stays until the next play or stop. */
            if (done && PyList_Append(done, o->sample_obj) == 0) {
                Py_CLEAR(o->sample_obj); /* the list holds it */
            } else if (done) {
                PyErr_Clear();
            }
        }
    }
    if (gc_was_on) {
        PyGC_Enable();
    }
    pumping = false;
    Py_XDECREF(done);
}

int c9py_audio_not_rendering(void) {
    if (pumping) {
        PyErr_SetString(PyExc_RuntimeError, "Audio output busy");
        return -1;
    }
    return 0;
}

static void pump_task(void *ctx) {
    (void)ctx;
    c9py_audio_pump();
}

/* Nanoseconds until the soonest output reaches the end of the DMA block it plays; 0: none. */
static uint64_t next_event_ns(void) {
    uint64_t best = 0;
    for (c9py_audioout_t *o = live; o; o = o->next) {
        size_t f = c9_audio_player_frames_to_event(&o->player);
        if (f && o->rate) {
            uint64_t ns = ((uint64_t)f * 1000000000u + o->rate - 1) / o->rate;
            if (!best || ns < best) {
                best = ns;
            }
        }
    }
    return best;
}

int c9py_audio_poll(bool playing, bool *waited) {
    *waited = false;
    uint64_t now = c9_port_now_ns();
    if (playing && now == last_poll_ns) {
        uint64_t ns = next_event_ns();
        if (ns) {
            if (c9rt_sleep_ns(ns) < 0) {
                return -1;
            }
            c9py_audio_pump();
            *waited = true;
        }
    }
    last_poll_ns = c9_port_now_ns();
    return 0;
}

/* ---- lifetime ------------------------------------------------------------------------------- */

static void release(c9py_audioout_t *o) {
    if (o->deinited) {
        return;
    }
    c9py_audio_pump(); /* the recording runs up to this moment */
    c9_audio_player_stop(&o->player);
    c9_port_audio_close(o->port);
    o->port = NULL;
    for (int i = 0; i < o->npins; i++) {
        c9_port_pin_release(o->pins[i]);
    }
    o->npins = 0;
    c9py_audio_free(o->blocks, o->blocks_values * sizeof(uint16_t));
    o->blocks = NULL;
    o->blocks_values = 0;
    for (c9py_audioout_t **p = &live; *p; p = &(*p)->next) {
        if (*p == o) {
            *p = o->next;
            break;
        }
    }
    o->deinited = true;
    PyObject *sample = o->sample_obj;
    o->sample_obj = NULL;
    Py_XDECREF(sample);
}

/* The board stops its audio when a program ends (reset_port()). */
static void reset_all(void *ctx) {
    (void)ctx;
    while (live) {
        release(live);
    }
}

int c9py_audioout_open(c9py_audioout_t *self, const c9_port_audio_config_t *cfg,
                       const c9py_err_override_t *open_errors) {
    c9_err_t err = c9_port_audio_open(cfg, &self->port);
    if (err != C9_OK) {
        for (int i = 0; i < self->npins; i++) {
            c9_port_pin_release(self->pins[i]);
        }
        self->npins = 0;
        return c9py_fail(err, open_errors);
    }
    c9_audio_out_format_t idle = {.channels = 1, .bits = 16, .is_signed = true};
    c9_audio_player_init(&self->player, &idle);
    self->deinited = false;
    self->next = live;
    live = self;
    static bool registered;
    if (!registered) {
        c9rt_background_add(pump_task, NULL);
        c9rt_reset_add(reset_all, NULL);
        registered = true;
    }
    return 0;
}

void c9py_audioout_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        release(SELF);
    }
    Py_CLEAR(SELF->sample_obj);
    Py_TYPE(self)->tp_free(self);
}

static int alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    if (SELF->deinited) {
        c9py_raise_deinited();
        return -1;
    }
    if (SELF->busy) {
        PyErr_SetString(PyExc_RuntimeError, "Audio output busy");
        return -1;
    }
    return c9py_audio_not_rendering();
}

/* ---- methods --------------------------------------------------------------------------------- */

static PyObject *out_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->busy) {
        PyErr_SetString(PyExc_RuntimeError, "Audio output busy");
        return NULL;
    }
    release(SELF);
    Py_RETURN_NONE;
}

static PyObject *out_exit(PyObject *self, PyObject *args) {
    (void)args;
    return out_deinit(self, NULL);
}

static const c9py_err_override_t start_errors[] = {
    {C9_ERR_RANGE, &PyExc_ValueError, NULL}, /* message built below */
    {C9_ERR_NOTSUP, &PyExc_ValueError, "Too many channels in sample."},
    {C9_OK},
};

static const c9py_err_override_t play_errors[] = {
    {C9_ERR_NOMEM, &PyExc_RuntimeError, "Unable to allocate buffers for signed conversion"},
    {C9_ERR_INVAL, &PyExc_RuntimeError, "Audio source error"},
    {C9_OK},
};

static PyObject *out_play(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_sample, ARG_loop };
    static const c9py_arg_t allowed[] = {
        {"sample", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"loop", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[2];
    if (alive(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    PyObject *sample_obj = a[ARG_sample].u_obj;
    c9_audio_sample_t *s = c9py_audiosample(sample_obj);
    if (!s) {
        return NULL;
    }
    if (s->format.channels == 0) {
        return c9py_raise_deinited();
    }
    c9py_audio_pump();
    if (alive(self) < 0) {
        return NULL;
    }
    /* As CircuitPython: what plays is stopped first. */
    c9_audio_player_stop(&SELF->player);
    PyObject *old = SELF->sample_obj;
    SELF->sample_obj = NULL;
    c9_audio_out_format_t fmt;
    c9_err_t err = c9_port_audio_start(SELF->port, s->format.sample_rate, &s->format, &fmt);
    if (err == C9_ERR_RANGE) {
        Py_XDECREF(old);
        PyErr_Format(PyExc_ValueError, "sample_rate must be 1-%d", C9_AUDIO_MAX_SAMPLE_RATE);
        return NULL;
    }
    if (err != C9_OK) {
        Py_XDECREF(old);
        return c9py_raise_err(err, start_errors);
    }
    size_t need = c9_audio_player_memory(&fmt, s);
    if (need > SELF->blocks_values || !SELF->blocks) {
        c9py_audio_free(SELF->blocks, SELF->blocks_values * sizeof(uint16_t));
        SELF->blocks = NULL;
        SELF->blocks_values = 0;
        size_t n = need ? need : 1;
        SELF->blocks = c9py_audio_alloc(n * sizeof(uint16_t));
        if (!SELF->blocks) {
            Py_XDECREF(old);
            return NULL;
        }
        SELF->blocks_values = n;
    }
    SELF->busy = true; /* the first buffers are read now (a WaveFile's file) */
    int gc_was_on = PyGC_Disable();
    err = c9_audio_player_play(&SELF->player, &fmt, s, a[ARG_loop].u_bool, SELF->blocks, SELF->blocks_values);
    if (gc_was_on) {
        PyGC_Enable();
    }
    SELF->busy = false;
    if (err != C9_OK) {
        Py_XDECREF(old);
        return c9py_raise_err(err, play_errors);
    }
    SELF->rate = s->format.sample_rate;
    if (c9_audio_player_playing(&SELF->player)) {
        SELF->sample_obj = Py_NewRef(sample_obj);
    }
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

static PyObject *out_stop(PyObject *self, PyObject *unused) {
    (void)unused;
    if (alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    c9_audio_player_stop(&SELF->player);
    PyObject *old = SELF->sample_obj;
    SELF->sample_obj = NULL;
    Py_XDECREF(old);
    Py_RETURN_NONE;
}

static PyObject *out_pause(PyObject *self, PyObject *unused) {
    (void)unused;
    if (alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    if (!c9_audio_player_playing(&SELF->player)) {
        PyErr_SetString(PyExc_RuntimeError, "Not playing");
        return NULL;
    }
    c9_audio_player_pause(&SELF->player);
    Py_RETURN_NONE;
}

static PyObject *out_resume(PyObject *self, PyObject *unused) {
    (void)unused;
    if (alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    c9_audio_player_resume(&SELF->player);
    Py_RETURN_NONE;
}

static PyObject *out_get_playing(PyObject *self, void *closure) {
    (void)closure;
    if (alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    bool waited;
    if (c9py_audio_poll(c9_audio_player_playing(&SELF->player), &waited) < 0 || alive(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(c9_audio_player_playing(&SELF->player));
}

static PyObject *out_get_paused(PyObject *self, void *closure) {
    (void)closure;
    if (alive(self) < 0) {
        return NULL;
    }
    c9py_audio_pump();
    return PyBool_FromLong(c9_audio_player_paused(&SELF->player));
}

PyMethodDef c9py_audioout_methods[] = {
    {"deinit", out_deinit, METH_NOARGS, "Deinitialises the output and releases its pins."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", out_exit, METH_VARARGS, NULL},
    {"play", (PyCFunction)(void (*)(void))out_play, METH_VARARGS | METH_KEYWORDS,
     "Plays the sample once when loop=False and continuously when loop=True. Does not block."},
    {"stop", out_stop, METH_NOARGS, "Stops playback."},
    {"pause", out_pause, METH_NOARGS, "Stops playback temporarily while remembering the position."},
    {"resume", out_resume, METH_NOARGS, "Resumes sample playback after pause()."},
    {NULL, NULL, 0, NULL},
};

PyGetSetDef c9py_audioout_getset[] = {
    {"playing", out_get_playing, NULL, "True when an audio sample is being output. (read-only)", NULL},
    {"paused", out_get_paused, NULL, "True when playback is paused. (read-only)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
