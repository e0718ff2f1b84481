/*
 * What audiocore, audiomixer, audiopwmio and audiobusio share: sample objects (RawSample,
 * WaveFile, Mixer hold a core sample of audio.h), the properties every sample has, and the
 * audio outputs (PWMAudioOut, I2SOut), which are one implementation on two kinds of port
 * output (port.h's audio section).
 *
 * The outputs are the board's DMA: a background task (c9rt_background_add) renders each
 * output's frames as the port takes them, so time.sleep() keeps them playing; every audio call
 * brings them up to the board's time first, so that what a program changes is heard from the
 * moment it changes it. docs/audio.md describes the timing.
 */
#ifndef C9PY_AUDIOCORE_H
#define C9PY_AUDIOCORE_H

#include "c9py.h"
#include "circuit9/audio.h"
#include "circuit9/port.h"

/* Every sample object starts so: `sample` points at the core sample inside the object. */
typedef struct {
    C9PY_OBJECT_HEAD c9_audio_sample_t *sample;
} c9py_audiosample_obj_t;

extern PyTypeObject c9py_RawSample_Type, c9py_WaveFile_Type;

/* audiocore's set-up of WaveFile (the file types it takes). 0 or -1. */
int c9py_wavefile_module_init(void);

/* Makes instances of type (and its subclasses) samples (audiomixer registers Mixer). */
void c9py_audiosample_register(PyTypeObject *type);
/* The core sample of a sample object; NULL with CircuitPython's
 * TypeError("'<T>' object does not support 'protocol_audiosample'") for anything else, or the
 * blank-object error. A deinitialised sample is returned (its format.channels is 0). */
c9_audio_sample_t *c9py_audiosample(PyObject *obj);
/* 0 when the sample object is built and not deinitialised; else -1 with the error. */
int c9py_audiosample_alive(PyObject *self);

/* sample_rate (read/write), bits_per_sample, channel_count: every sample's properties. */
PyObject *c9py_audiosample_get_sample_rate(PyObject *self, void *closure);
int c9py_audiosample_set_sample_rate(PyObject *self, PyObject *value, void *closure);
PyObject *c9py_audiosample_get_bits_per_sample(PyObject *self, void *closure);
PyObject *c9py_audiosample_get_channel_count(PyObject *self, void *closure);
#define C9PY_AUDIOSAMPLE_GETSET                                                                                        \
    {"sample_rate", c9py_audiosample_get_sample_rate, c9py_audiosample_set_sample_rate, "Samples per second.", NULL},  \
        {"bits_per_sample", c9py_audiosample_get_bits_per_sample, NULL, "Bits per sample. (read only)", NULL}, {       \
        "channel_count", c9py_audiosample_get_channel_count, NULL, "Number of audio channels. (read only)", NULL       \
    }

/* Memory for audio buffers: the board's budget, and never more than the board has RAM (a
 * buffer larger than any board could hold is a MemoryError, also in the Python package). NULL
 * with MemoryError. c9py_audio_free takes the size given. */
void *c9py_audio_alloc(size_t bytes);
void c9py_audio_free(void *p, size_t bytes);

/* Brings every output up to the board's time: renders and hands to the port the frames it
 * takes now. Called by the background task and at the start of every audio call. */
void c9py_audio_pump(void);
/* 0, or -1 with RuntimeError when called while the outputs are being rendered (no program code
 * runs then; this keeps it so). */
int c9py_audio_not_rendering(void);
/* The rule for reading `playing` (outputs, Mixer, MixerVoice): a read that finds it true at the
 * same board time as the read before waits until the next moment an output can change state
 * (the end of the DMA block playing), so `while x.playing: pass` ends on a stepped clock too.
 * *waited tells the caller to read the state again. 0, or -1 with an exception (Ctrl-C). */
int c9py_audio_poll(bool playing, bool *waited);

/* ---- outputs ---------------------------------------------------------------------------------- */

typedef struct c9py_audioout {
    C9PY_OBJECT_HEAD c9_port_audio_t *port;
    c9_audio_player_t player;
    uint32_t rate;        /* of the sample playing */
    PyObject *sample_obj; /* the sample object playing (strong) while the player uses it */
    uint16_t *blocks;     /* the player's block memory */
    size_t blocks_values;
    int pins[4];
    int npins;
    bool deinited;
    bool busy;                  /* being rendered: play/stop/deinit wait until it is not */
    struct c9py_audioout *next; /* live outputs */
} c9py_audioout_t;

/* Opens the port output for an object whose pins (claimed, `npins` of them) are in self->pins.
 * On failure the pins are released and the object stays blank. 0 or -1. */
int c9py_audioout_open(c9py_audioout_t *self, const c9_port_audio_config_t *cfg,
                       const c9py_err_override_t *open_errors);

/* The methods and properties PWMAudioOut and I2SOut share. */
extern PyMethodDef c9py_audioout_methods[];
extern PyGetSetDef c9py_audioout_getset[];
void c9py_audioout_dealloc(PyObject *self);

#endif
