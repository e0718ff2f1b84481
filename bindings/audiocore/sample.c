/* The audio sample protocol as Python sees it: which objects are samples, their common
 * properties, and the memory audio buffers come from. */
#include "audiocore/audiocore.h"

#include "circuit9/port.h"

static PyTypeObject *sample_types[8];

void c9py_audiosample_register(PyTypeObject *type) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(sample_types); i++) {
        if (sample_types[i] == type) {
            return;
        }
        if (!sample_types[i]) {
            sample_types[i] = type;
            return;
        }
    }
}

c9_audio_sample_t *c9py_audiosample(PyObject *obj) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(sample_types) && sample_types[i]; i++) {
        if (PyObject_TypeCheck(obj, sample_types[i])) {
            if (c9py_ready(obj) < 0) {
                return NULL;
            }
            return ((c9py_audiosample_obj_t *)obj)->sample;
        }
    }
    PyErr_Format(PyExc_TypeError, "'%s' object does not support 'protocol_audiosample'", c9py_type_name(obj));
    return NULL;
}

int c9py_audiosample_alive(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    c9_audio_sample_t *s = ((c9py_audiosample_obj_t *)self)->sample;
    if (!s || s->format.channels == 0) {
        c9py_raise_deinited();
        return -1;
    }
    return 0;
}

#define SAMPLE(self) (((c9py_audiosample_obj_t *)(self))->sample)

PyObject *c9py_audiosample_get_sample_rate(PyObject *self, void *closure) {
    (void)closure;
    return c9py_audiosample_alive(self) < 0 ? NULL : PyLong_FromUnsignedLong(SAMPLE(self)->format.sample_rate);
}

int c9py_audiosample_set_sample_rate(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    int32_t rate;
    if (c9py_audiosample_alive(self) < 0 || c9py_setter_present(value) < 0 || c9py_mp_int(value, &rate) < 0) {
        return -1;
    }
    /* CircuitPython stores mp_obj_get_int's value in a uint32_t; a rate no output can run at is
     * refused when the sample is played. Playback under way keeps its rate. */
    SAMPLE(self)->format.sample_rate = (uint32_t)rate;
    return 0;
}

PyObject *c9py_audiosample_get_bits_per_sample(PyObject *self, void *closure) {
    (void)closure;
    return c9py_audiosample_alive(self) < 0 ? NULL : PyLong_FromLong(SAMPLE(self)->format.bits);
}

PyObject *c9py_audiosample_get_channel_count(PyObject *self, void *closure) {
    (void)closure;
    return c9py_audiosample_alive(self) < 0 ? NULL : PyLong_FromLong(SAMPLE(self)->format.channels);
}

void *c9py_audio_alloc(size_t bytes) {
    const c9_board_t *b = c9_port_board();
    uint64_t ram = (uint64_t)b->sram_bytes + b->psram_bytes;
    void *p = bytes && bytes <= ram ? c9_alloc(c9py_allocator(), bytes) : NULL;
    if (!p) {
        c9py_raise_nomem(bytes);
    }
    return p;
}

void c9py_audio_free(void *p, size_t bytes) {
    if (p) {
        c9_free(c9py_allocator(), p, bytes);
    }
}
