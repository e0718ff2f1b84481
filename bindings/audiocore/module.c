/* audiocore: audio samples (RawSample, WaveFile). */
#include "audiocore/audiocore.h"

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "audiocore", "Support for audio samples", -1, NULL};

PyObject *c9py_init_audiocore(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    c9py_audiosample_register(&c9py_RawSample_Type);
    c9py_audiosample_register(&c9py_WaveFile_Type);
    if (c9py_wavefile_module_init() < 0 || c9py_add_type(m, "RawSample", &c9py_RawSample_Type) < 0 ||
        c9py_add_type(m, "WaveFile", &c9py_WaveFile_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
