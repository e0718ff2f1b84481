/* audiocore.WaveFile: a WAV file read as it plays, two buffers at a time (audio.h's
 * c9_audio_wave_t). The file is a binary file object; its reads are built-in methods (no
 * program code runs while the audio is rendered). */
#include "audiocore/audiocore.h"

#include <string.h>

typedef struct {
    C9PY_OBJECT_HEAD c9_audio_sample_t *sample;
    c9_audio_wave_t wave;
    PyObject *file;
    bool opened; /* opened here from a path: closed with the sample */
    Py_buffer user;
    bool has_user;
    uint8_t *own; /* C9_AUDIO_WAVE_DEFAULT_BUFFER bytes when the program gave no buffer */
} wave_obj_t;

#define SELF ((wave_obj_t *)self)

/* The file types a program gets from open(..., "rb") and friends, and io.BytesIO. */
static PyObject *file_types;

int c9py_wavefile_module_init(void) {
    if (file_types) {
        return 0;
    }
    PyObject *io = PyImport_ImportModule("io");
    if (!io) {
        return -1;
    }
    static const char *const names[] = {"BufferedReader", "BufferedRandom", "BufferedWriter", "FileIO", "BytesIO"};
    file_types = PyTuple_New(C9_ARRAY_SIZE(names));
    for (size_t i = 0; file_types && i < C9_ARRAY_SIZE(names); i++) {
        PyObject *t = PyObject_GetAttrString(io, names[i]);
        if (!t) {
            Py_CLEAR(file_types);
            break;
        }
        PyTuple_SET_ITEM(file_types, i, t);
    }
    Py_DECREF(io);
    return file_types ? 0 : -1;
}

/* A built-in binary file: io.FileIO, io.BytesIO, or a buffered file over an io.FileIO. Its reads
 * run no Python code of the program's, so nothing can deinit what the audio is reading while the
 * outputs render (a buffered file over a raw file written in Python could). */
static bool is_binary_file(PyObject *obj) {
    Py_ssize_t n = PyTuple_GET_SIZE(file_types);
    PyTypeObject *file_io = (PyTypeObject *)PyTuple_GET_ITEM(file_types, n - 2);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!Py_IS_TYPE(obj, (PyTypeObject *)PyTuple_GET_ITEM(file_types, i))) {
            continue;
        }
        if (i >= n - 2) {
            return true; /* FileIO, BytesIO */
        }
        PyObject *raw = PyObject_GetAttrString(obj, "raw");
        bool ok = raw && Py_IS_TYPE(raw, file_io);
        Py_XDECREF(raw);
        PyErr_Clear();
        return ok;
    }
    return false;
}

/* A failed read becomes C9_ERR_IO; a Ctrl-C that arrived in the middle of it is raised again at
 * the runtime's next check instead of being lost. */
static c9_err_t read_failed(void) {
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        PyErr_Clear();
        PyErr_SetInterrupt();
    } else {
        PyErr_Clear();
    }
    return C9_ERR_IO;
}

static c9_err_t file_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got) {
    wave_obj_t *w = ctx;
    *got = 0;
    if (!w->file) {
        return C9_ERR_IO;
    }
    PyObject *r = PyObject_CallMethod(w->file, "seek", "K", (unsigned long long)offset);
    if (!r) {
        return read_failed();
    }
    Py_DECREF(r);
    while (*got < len) {
        PyObject *b = PyObject_CallMethod(w->file, "read", "n", (Py_ssize_t)(len - *got));
        if (!b) {
            return read_failed();
        }
        if (!PyBytes_Check(b)) {
            Py_DECREF(b);
            return C9_ERR_IO;
        }
        size_t n = C9_MIN((size_t)PyBytes_GET_SIZE(b), len - *got);
        memcpy((uint8_t *)buf + *got, PyBytes_AS_STRING(b), n);
        Py_DECREF(b);
        if (n == 0) {
            break; /* end of file */
        }
        *got += n;
    }
    return C9_OK;
}

static void close_file(PyObject *self) {
    PyObject *f = SELF->file;
    SELF->file = NULL;
    if (f && SELF->opened) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb); /* a constructor's error survives the close */
        PyObject *r = PyObject_CallMethod(f, "close", NULL);
        if (!r) {
            PyErr_Clear();
        }
        Py_XDECREF(r);
        PyErr_Restore(type, value, tb);
    }
    SELF->opened = false;
    Py_XDECREF(f);
}

static void release_memory(PyObject *self) {
    if (SELF->has_user) {
        SELF->has_user = false;
        PyBuffer_Release(&SELF->user);
    }
    c9py_audio_free(SELF->own, C9_AUDIO_WAVE_DEFAULT_BUFFER);
    SELF->own = NULL;
}

static int wave_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 2, false) < 0) {
        return -1;
    }
    PyObject *file = PyTuple_GET_ITEM(args, 0);
    bool opened = false;
    if (PyUnicode_Check(file)) {
        /* The program's own open(): a path on the drive. */
        PyObject *open = PyDict_GetItemString(PyEval_GetBuiltins(), "open");
        file = open ? PyObject_CallFunction(open, "Os", file, "rb") : NULL;
        if (!file) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_RuntimeError, "no open()");
            }
            return -1;
        }
        opened = true;
    } else {
        Py_INCREF(file);
    }
    if (!is_binary_file(file)) {
        Py_DECREF(file);
        PyErr_SetString(PyExc_TypeError, "file must be a file opened in byte mode");
        return -1;
    }
    SELF->file = file;
    SELF->opened = opened;
    uint8_t *buffer;
    size_t size;
    if (PyTuple_GET_SIZE(args) >= 2) {
        PyObject *b = PyTuple_GET_ITEM(args, 1);
        if (c9py_get_buffer(b, &SELF->user, PyBUF_WRITABLE) < 0) {
            if (PyErr_ExceptionMatches(PyExc_BufferError)) {
                PyErr_SetString(PyExc_TypeError, "object with buffer protocol required"); /* read-only */
            }
            close_file(self);
            return -1;
        }
        SELF->has_user = true;
        if (SELF->user.len < 8 || SELF->user.len > 1024) {
            PyErr_SetString(PyExc_ValueError, "buffer length must be 8-1024");
            release_memory(self);
            close_file(self);
            return -1;
        }
        buffer = SELF->user.buf;
        size = (size_t)SELF->user.len;
    } else {
        SELF->own = c9py_audio_alloc(C9_AUDIO_WAVE_DEFAULT_BUFFER);
        if (!SELF->own) {
            close_file(self);
            return -1;
        }
        buffer = SELF->own;
        size = C9_AUDIO_WAVE_DEFAULT_BUFFER;
    }
    c9_err_t err = c9_audio_wave_init(&SELF->wave, file_read, self, buffer, size);
    if (err != C9_OK) {
        release_memory(self);
        close_file(self);
        if (PyErr_CheckSignals() < 0) {
            return -1; /* Ctrl-C during the header's reads */
        }
        if (err == C9_ERR_IO) {
            c9py_raise_oserror(5, "EIO"); /* as CircuitPython's f_read failures */
            return -1;
        }
        if (err == C9_ERR_INVAL) {
            /* A half of the program's buffer is shorter than one frame of this file. */
            PyErr_SetString(PyExc_ValueError, "buffer length must be 8-1024");
            return -1;
        }
        return c9py_fail(err, NULL);
    }
    SELF->sample = &SELF->wave.base;
    return 0;
}
C9PY_DEFINE_INIT(wave_init, wave_construct)

static void wave_release(PyObject *self) {
    if (SELF->sample) {
        c9_audio_sample_deinit(SELF->sample);
    }
    close_file(self);
}

static void wave_dealloc(PyObject *self) {
    wave_release(self);
    release_memory(self);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *wave_deinit(PyObject *self, PyObject *unused) {
    (void)unused;
    if (c9py_ready(self) < 0 || c9py_audio_not_rendering() < 0) {
        return NULL;
    }
    /* The buffers stay until the object goes: a mixer voice may still point into them (it
     * checks the sample is alive before it reads). */
    wave_release(self);
    Py_RETURN_NONE;
}

static PyObject *wave_exit(PyObject *self, PyObject *args) {
    (void)args;
    return wave_deinit(self, NULL);
}

static PyMethodDef methods[] = {
    {"deinit", wave_deinit, METH_NOARGS, "Deinitialises the WaveFile and releases all memory resources for reuse."},
    {"__enter__", c9py_enter, METH_NOARGS, NULL},
    {"__exit__", wave_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef getset[] = {
    C9PY_AUDIOSAMPLE_GETSET,
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_WaveFile_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "audiocore.WaveFile",
    .tp_basicsize = sizeof(wave_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "WaveFile(file, buffer=None)\nLoad a wave file for audio playback.",
    .tp_new = c9py_native_new,
    .tp_init = wave_init,
    .tp_dealloc = wave_dealloc,
    .tp_methods = methods,
    .tp_getset = getset,
};
