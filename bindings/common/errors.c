/* The one table from c9_err_t to CircuitPython's exceptions. A call whose CircuitPython message
 * differs passes overrides (c9py_raise_err); everything else comes from here. */
#include "c9py.h"

#include "circuit9/audio.h"
#include "circuit9/bitmaptools.h"
#include "circuit9/display.h"
#include "circuit9/filter.h"
#include "circuit9/jpeg.h"
#include "circuit9/mcu.h"

/* code, exception, errno (OSError(errno, NAME) when nonzero), message (NULL: none).
 * The lookup is a switch over these codes, so two domains sharing a value fail to compile. */
#define C9PY_ERRORS(X)                                                                                                 \
    X(C9_ERR_PERM, PyExc_RuntimeError, 0, "Read-only")                                                                 \
    X(C9_ERR_IO, PyExc_OSError, 5, "EIO")                                                                              \
    X(C9_ERR_BADF, PyExc_ValueError, 0,                                                                                \
      "Object has been deinitialized and can no longer be used. Create a new object.")                                 \
    X(C9_ERR_AGAIN, PyExc_OSError, 11, "EAGAIN")                                                                       \
    X(C9_ERR_NOMEM, PyExc_MemoryError, 0, "memory allocation failed")                                                  \
    X(C9_ERR_BUSY, PyExc_OSError, 16, "EBUSY")                                                                         \
    X(C9_ERR_NODEV, PyExc_OSError, 19, "ENODEV")                                                                       \
    X(C9_ERR_NOSYS, PyExc_NotImplementedError, 0, "operation not provided")                                            \
    X(C9_ERR_NOTSUP, PyExc_NotImplementedError, 0, "not supported")                                                    \
    X(C9_ERR_TIMEDOUT, PyExc_OSError, 116, "ETIMEDOUT") /* newlib's number, as CircuitPython's builds */               \
    /* jpegio: TJpgDec's result texts, as CircuitPython raises them */                                                 \
    X(C9_ERR_JPEG_FORMAT, PyExc_RuntimeError, 0, "Data format error (may be broken data)")                             \
    X(C9_ERR_JPEG_DATA, PyExc_RuntimeError, 0, "Data format error (may be broken data)")                               \
    X(C9_ERR_JPEG_TRUNCATED, PyExc_RuntimeError, 0, "Device error or wrong termination of input stream")               \
    X(C9_ERR_JPEG_PROGRESSIVE, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                   \
    X(C9_ERR_JPEG_ARITHMETIC, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                    \
    X(C9_ERR_JPEG_PRECISION, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                     \
    X(C9_ERR_JPEG_LOSSLESS, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                      \
    X(C9_ERR_JPEG_CMYK, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                          \
    X(C9_ERR_JPEG_SAMPLING, PyExc_RuntimeError, 0, "Not supported JPEG standard")                                      \
    /* displayio and the display buses */                                                                              \
    X(C9_ERR_INITSEQ_TRUNCATED, PyExc_ValueError, 0, "init_sequence is truncated")                                     \
    X(C9_ERR_DISPLAY_FPS, PyExc_RuntimeError, 0, "Below minimum frame rate")                                           \
    X(C9_ERR_BMP_HEADER, PyExc_ValueError, 0, "Invalid file")                                                          \
    X(C9_ERR_BMP_RLE, PyExc_ValueError, 0, "RLE-compressed BMP not supported")                                         \
    X(C9_ERR_BMP_FORMAT, PyExc_ValueError, 0, "Unsupported BMP format")                                                \
    /* bitmapfilter */                                                                                                 \
    X(C9_ERR_FILTER_DEPTH, PyExc_ValueError, 0, "unsupported bitmap depth")                                            \
    X(C9_ERR_FILTER_MISMATCH, PyExc_ValueError, 0, "bitmap size and depth must match")                                 \
    X(C9_ERR_FILTER_KERNEL, PyExc_ValueError, 0, "weights must be a sequence with an odd square number of elements")   \
    /* bitmaptools.readinto: a short file is a bare EOFError */                                                        \
    X(C9_ERR_BITMAPTOOLS_EOF, PyExc_EOFError, 0, NULL)                                                                 \
    /* the chips' peripherals (mcu.h): their ports' messages */                                                        \
    X(C9_ERR_MCU_VARIABLE_FREQUENCY, PyExc_ValueError, 0, "Invalid variable_frequency")                                \
    X(C9_ERR_MCU_COUNTER_PIN, PyExc_RuntimeError, 0, "Pin must be on PWM Channel B")                                   \
    X(C9_ERR_MCU_COUNTER_EDGE, PyExc_NotImplementedError, 0, "RISE_AND_FALL not available on this chip")               \
    X(C9_ERR_MCU_SLICE_IN_USE, PyExc_RuntimeError, 0, "PWM slice already in use")                                      \
    X(C9_ERR_MCU_SLICE_CHANNEL_A, PyExc_RuntimeError, 0, "PWM slice channel A already in use")                         \
    X(C9_ERR_MCU_NO_PULLDOWN, PyExc_ValueError, 0, "No pulldown on pin; 1Mohm recommended")                            \
    X(C9_ERR_MCU_NO_ANALOGOUT, PyExc_NotImplementedError, 0, "AnalogOut")                                              \
    /* audiocore, audiomixer */                                                                                        \
    X(C9_ERR_WAV_FILE, PyExc_ValueError, 0, "Invalid file")                                                            \
    X(C9_ERR_WAV_FMT_SIZE, PyExc_ValueError, 0, "Invalid format chunk size")                                           \
    X(C9_ERR_WAV_FORMAT, PyExc_ValueError, 0, "Unsupported format")                                                    \
    X(C9_ERR_WAV_TRUNCATED, PyExc_OSError, 5, "EIO")                                                                   \
    X(C9_ERR_AUDIO_RATE_MISMATCH, PyExc_ValueError, 0, "The sample's sample_rate does not match")                      \
    X(C9_ERR_AUDIO_CHANNELS_MISMATCH, PyExc_ValueError, 0, "The sample's channel_count does not match")                \
    X(C9_ERR_AUDIO_BITS_MISMATCH, PyExc_ValueError, 0, "The sample's bits_per_sample does not match")                  \
    X(C9_ERR_AUDIO_SIGN_MISMATCH, PyExc_ValueError, 0, "The sample's signedness does not match")                       \
    X(C9_ERR_AUDIO_RAW_LENGTH, PyExc_ValueError, 0,                                                                    \
      "Length of buffer must be an even multiple of channel_count * type_size")                                        \
    X(C9_ERR_AUDIO_CONVERSION, PyExc_RuntimeError, 0, "Audio conversion not implemented")

typedef struct {
    PyObject *type;
    int errnum;
    const char *message;
} entry_t;

static entry_t lookup(c9_err_t err) {
    switch (err) {
#define C9PY_ERROR_CASE(code, exc, num, msg)                                                                           \
    case code: return (entry_t){exc, num, msg};
        C9PY_ERRORS(C9PY_ERROR_CASE)
#undef C9PY_ERROR_CASE
    default:
        /* Codes no Python call reports as such (invalid argument, out of range, ...): the
         * binding validated the arguments first, so this is a ValueError naming the code. */
        return (entry_t){PyExc_ValueError, 0, c9_strerror(err)};
    }
}

PyObject *c9py_raise_oserror(int errnum, const char *name) {
    /* MicroPython names the errno symbolically: OSError: [Errno 5] EIO */
    PyObject *args = Py_BuildValue("(is)", errnum, name);
    if (args) {
        PyErr_SetObject(PyExc_OSError, args);
        Py_DECREF(args);
    }
    return NULL;
}

PyObject *c9py_raise_err(c9_err_t err, const c9py_err_override_t *overrides) {
    entry_t e = lookup(err);
    for (const c9py_err_override_t *o = overrides; o && o->err != C9_OK; o++) {
        if (o->err == err) {
            e.type = o->type ? *o->type : e.type;
            e.errnum = 0;
            e.message = o->message;
            break;
        }
    }
    if (e.errnum) {
        return c9py_raise_oserror(e.errnum, e.message);
    }
    if (e.message) {
        PyErr_SetString(e.type, e.message);
    } else {
        PyErr_SetNone(e.type);
    }
    return NULL;
}

PyObject *c9py_raise(c9_err_t err) {
    return c9py_raise_err(err, NULL);
}

int c9py_fail(c9_err_t err, const c9py_err_override_t *overrides) {
    c9py_raise_err(err, overrides);
    return -1;
}

PyObject *c9py_raise_deinited(void) {
    return c9py_raise(C9_ERR_BADF);
}
