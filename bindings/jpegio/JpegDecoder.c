/*
 * jpegio.JpegDecoder: CircuitPython 9.2.9's API, argument order, exception types and messages,
 * over the circuit9 JPEG core (include/circuit9/jpeg.h) in its C9_JPEG_TJPGD mode, so bitmaps get
 * exactly a board's pixels.
 *
 * Sources. open() takes a path (opened with the caller's builtin open(path, "rb"), so the
 * circuit9 runtime's drive mapping applies), a binary stream (anything with readinto(), read()
 * or recv_into() that is not an io.TextIOBase) or a readable buffer, in CircuitPython's order.
 * A buffer is referenced, not copied, and stays locked (it cannot be resized) while open. The
 * core opens it as TJpgDec does (c9_jpeg_open_scan): input before the first FF D8 is skipped, and
 * no FF D8 at all is the "wrong termination of input stream" error.
 *
 * The GIL is released for the whole of decode(). Buffer sources need nothing from Python. For
 * stream sources the read callback takes the GIL back around each call to the stream's read
 * method (the core asks for at most its input buffer, a few hundred bytes), so a stream works
 * unchanged, can be a socket, and need not be seekable. While the GIL is released the
 * destination bitmap counts as exported (deinit() fails instead of freeing it), the decoder is
 * marked busy (a second open() or decode() from another thread raises), and the dirty area is
 * collected privately and marked once the GIL is back: the display refresh thread only ever
 * sees the dirty rectangle under the GIL.
 *
 * Work memory comes from c9py_allocator() when the decoder is created: the compact profile
 * (3.5 KB, what CircuitPython's decoder embeds) under the circuit9 executable's board budget,
 * the fast profile (16 KB of lookup tables, same pixels) in the Python package.
 *
 * Kept from CircuitPython: the crop box is validated against the destination bitmap's size;
 * the bitmap's depth is not checked (values are masked to it); decode() always closes the
 * decoder; the scaled image is (width >> scale) x (height >> scale), as TJpgDec's per-MCU
 * rounding gives. Deliberately different: open()'s TypeError names the offending type (the
 * C original drops that argument); a failed decode, a Python exception from the stream and a
 * read-only bitmap also close the decoder (CircuitPython's exception escapes from inside the
 * decoder and leaves it half open); blocks clipped to an odd width at the image's right edge
 * are copied correctly (CircuitPython's stride rounds down and shears them); the file opened
 * from a path is closed when the decoder closes.
 */
#include "c9py.h"
#include "displayio/displayio.h"
#include "jpegio.h"
#include "c9py_index.h"

#include "circuit9/bitmaptools.h"
#include "circuit9/jpeg.h"

#include <limits.h>
#include <string.h>

enum { SRC_NONE, SRC_BUFFER, SRC_STREAM };
enum { RD_READINTO, RD_READ, RD_RECV_INTO };

typedef struct {
    C9PY_OBJECT_HEAD const c9_allocator_t *alloc;
    void *work;
    size_t work_size;
    c9_jpeg_profile_t profile;
    c9_jpeg_t *dec; /* set while a source is open with its headers parsed */
    uint16_t width, height;
    int kind;
    Py_buffer view; /* SRC_BUFFER */
    size_t pos;
    PyObject *stream; /* SRC_STREAM */
    PyObject *method; /* its bound read method */
    int read_kind;
    bool own_stream;   /* opened here from a path: closed with the decoder */
    PyObject *scratch; /* bytearray handed to readinto()/recv_into() */
    size_t start;      /* where the input starts: 0 in a buffer, the position of a seekable stream */
    bool seekable;     /* a stream that can seek (its start is known) */
    bool busy;
    bool py_error;     /* the stream raised; the exception is pending in this thread */
    PyThreadState *ts; /* saved thread state while decode() runs without the GIL */
} decoder_obj_t;

#define SELF ((decoder_obj_t *)self)

/* ---- errors -------------------------------------------------------------------------------- */

/* The table has TJpgDec's result texts for the decoder's own codes; these generic codes have
 * TJpgDec's texts too when the decoder reports them. */
static PyObject *raise_jpeg(c9_err_t err) {
    static const c9py_err_override_t jpeg_errors[] = {
        {C9_ERR_NOTSUP, &PyExc_RuntimeError, "Not supported JPEG standard"},
        {C9_ERR_NOMEM, &PyExc_RuntimeError, "Insufficient memory pool for the image"},
        {C9_ERR_INVAL, &PyExc_RuntimeError, "Parameter error"},
        {C9_OK},
    };
    return c9py_raise_err(err, jpeg_errors);
}

static PyObject *raise_busy(void) {
    PyErr_SetString(PyExc_RuntimeError, "JpegDecoder is in use by another thread");
    return NULL;
}

/* ---- sources ------------------------------------------------------------------------------- */

/* Drops the source. Runs Python code (closing our own file, releasing references) without
 * disturbing an exception that is being raised. */
static void close_source(decoder_obj_t *self) {
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    self->dec = NULL;
    if (self->kind == SRC_BUFFER) {
        PyBuffer_Release(&self->view);
    } else if (self->kind == SRC_STREAM) {
        if (self->own_stream) {
            PyObject *r = PyObject_CallMethod(self->stream, "close", NULL);
            if (r) {
                Py_DECREF(r);
            } else {
                PyErr_WriteUnraisable(self->stream);
            }
        }
        Py_CLEAR(self->method);
        Py_CLEAR(self->stream);
    }
    Py_CLEAR(self->scratch);
    self->kind = SRC_NONE;
    self->own_stream = false;
    self->start = 0;
    self->seekable = false;
    self->py_error = false;
    PyErr_Restore(et, ev, tb);
}

static PyObject *eagain(void) {
    return c9py_raise_oserror(11, "EAGAIN");
}

/* One call to the stream's read method (GIL held). Returns the bytes stored in buf (0 at the
 * end of the stream) or -1 with an exception. A readinto() returning None has no data yet:
 * MicroPython turns that into EAGAIN. */
static Py_ssize_t stream_read(decoder_obj_t *self, uint8_t *buf, size_t len) {
    PyObject *res;
    if (self->read_kind == RD_READ) {
        res = PyObject_CallFunction(self->method, "n", (Py_ssize_t)len);
        if (!res) {
            return -1;
        }
        if (res == Py_None) {
            Py_DECREF(res);
            eagain();
            return -1;
        }
        Py_buffer v;
        if (PyObject_GetBuffer(res, &v, PyBUF_SIMPLE) < 0) {
            Py_DECREF(res);
            PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
            return -1;
        }
        size_t n = (size_t)v.len < len ? (size_t)v.len : len;
        memcpy(buf, v.buf, n);
        PyBuffer_Release(&v);
        Py_DECREF(res);
        return (Py_ssize_t)n;
    }
    /* readinto()/recv_into() fill a bytearray of exactly len bytes that we own, so a stream
     * that keeps its argument can never write into the decoder's memory. */
    if (!self->scratch || (size_t)PyByteArray_GET_SIZE(self->scratch) != len) {
        if (!self->scratch || PyByteArray_Resize(self->scratch, (Py_ssize_t)len) < 0) {
            PyErr_Clear(); /* resize refused while the stream holds a view: take a new one */
            Py_XSETREF(self->scratch, PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)len));
            if (!self->scratch) {
                return -1;
            }
        }
    }
    res = PyObject_CallOneArg(self->method, self->scratch);
    if (!res) {
        return -1;
    }
    if (res == Py_None) {
        Py_DECREF(res);
        eagain();
        return -1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(res);
    Py_DECREF(res);
    if (n == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (n < 0 || (size_t)n > len || PyByteArray_GET_SIZE(self->scratch) < n) {
        PyErr_Format(PyExc_ValueError, "readinto returned %zd outside buffer size %zu", n, len);
        return -1;
    }
    memcpy(buf, PyByteArray_AS_STRING(self->scratch), (size_t)n);
    return n;
}

/* The core's read callback: the buffer or the stream; takes the GIL back around a stream read
 * when decode() released it. */
static int32_t source_read(void *ctx, uint8_t *buf, uint32_t len) {
    decoder_obj_t *self = ctx;
    if (self->kind == SRC_BUFFER) {
        size_t n = C9_MIN((size_t)len, (size_t)self->view.len - self->pos);
        memcpy(buf, (const uint8_t *)self->view.buf + self->pos, n);
        self->pos += n;
        return (int32_t)n;
    }
    if (self->py_error) {
        return C9_ERR_IO;
    }
    if (self->ts) {
        PyEval_RestoreThread(self->ts);
    }
    Py_ssize_t n = stream_read(self, buf, C9_MIN((size_t)len, (size_t)INT32_MAX));
    if (n < 0) {
        self->py_error = true; /* the exception stays set in this thread until we return */
    }
    if (self->ts) {
        self->ts = PyEval_SaveThread();
    }
    return n < 0 ? C9_ERR_IO : (int32_t)n;
}

/* The core's seek callback (progressive files at 1/8 read their DC scans side by side): offsets
 * count from the input's first byte. Buffers always seek; streams when they are seekable. */
static c9_err_t source_seek(void *ctx, uint32_t offset) {
    decoder_obj_t *self = ctx;
    if (self->kind == SRC_BUFFER) {
        self->pos = C9_MIN((size_t)offset, (size_t)self->view.len);
        return C9_OK;
    }
    if (self->py_error || !self->seekable) {
        return C9_ERR_IO;
    }
    if (self->ts) {
        PyEval_RestoreThread(self->ts);
    }
    PyObject *r = PyObject_CallMethod(self->stream, "seek", "n", (Py_ssize_t)(self->start + offset));
    if (!r) {
        self->py_error = true;
    }
    Py_XDECREF(r);
    if (self->ts) {
        self->ts = PyEval_SaveThread();
    }
    return r ? C9_OK : C9_ERR_IO;
}

/* Where a stream starts, when it can seek (seekable() true, tell() works), for source_seek. A
 * stream that cannot tell is read as one that cannot seek: only a progressive file at 1/8 cares,
 * and it then takes a little coefficient memory instead. */
static void note_stream_start(decoder_obj_t *self) {
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    PyObject *r = PyObject_CallMethod(self->stream, "seekable", NULL);
    int yes = r ? PyObject_IsTrue(r) : 0;
    Py_XDECREF(r);
    Py_ssize_t pos = -1;
    if (yes > 0) {
        r = PyObject_CallMethod(self->stream, "tell", NULL);
        pos = r ? PyLong_AsSsize_t(r) : -1;
        Py_XDECREF(r);
    }
    PyErr_Clear();
    PyErr_Restore(et, ev, tb);
    if (pos >= 0) {
        self->start = (size_t)pos;
        self->seekable = true;
    }
}

static PyObject *text_io_base(void) {
    static PyObject *cls;
    if (!cls) {
        PyObject *io = PyImport_ImportModule("io");
        if (io) {
            cls = PyObject_GetAttrString(io, "TextIOBase");
            Py_DECREF(io);
        }
    }
    return cls;
}

/* The binary-stream test: a read method, and not a text stream. Returns 1 with a new
 * reference in *method, 0 when obj is no binary stream, -1 on error. */
static int stream_method(PyObject *obj, PyObject **method, int *kind) {
    PyObject *text = text_io_base();
    if (!text) {
        return -1;
    }
    int is_text = PyObject_IsInstance(obj, text);
    if (is_text != 0) {
        return is_text < 0 ? -1 : 0;
    }
    static const char *const names[] = {"readinto", "read", "recv_into"};
    static const int kinds[] = {RD_READINTO, RD_READ, RD_RECV_INTO};
    for (int i = 0; i < 3; i++) {
        PyObject *m = PyObject_GetAttrString(obj, names[i]);
        if (!m) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                return -1;
            }
            PyErr_Clear();
        }
        if (m && PyCallable_Check(m)) {
            *method = m;
            *kind = kinds[i];
            return 1;
        }
        Py_XDECREF(m);
    }
    return 0;
}

/* ---- JpegDecoder --------------------------------------------------------------------------- */

static int decoder_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_parse(args, kw, NULL, 0, NULL) < 0) {
        return -1;
    }
    SELF->alloc = c9py_allocator();
    /* On the virtual board the decoder costs what CircuitPython's does; elsewhere speed wins,
     * with the compact profile as the fallback when 16 KB cannot be had. */
    c9_jpeg_profile_t first = c9py_runtime_allocator ? C9_JPEG_PROFILE_COMPACT : C9_JPEG_PROFILE_FAST;
    for (int p = first; p >= C9_JPEG_PROFILE_COMPACT && !SELF->work; p--) {
        size_t size = c9_jpeg_workspace_size((c9_jpeg_profile_t)p);
        if (size) {
            SELF->work = c9_alloc(SELF->alloc, size);
            SELF->work_size = size;
            SELF->profile = (c9_jpeg_profile_t)p;
        }
    }
    if (!SELF->work) {
        c9py_raise_nomem(c9_jpeg_workspace_size(C9_JPEG_PROFILE_COMPACT));
        return -1;
    }
    return 0;
}
C9PY_DEFINE_INIT(decoder_init, decoder_construct)

static void decoder_dealloc(PyObject *self) {
    close_source(SELF);
    if (c9py_is_ready(self) && SELF->work) {
        c9_free(SELF->alloc, SELF->work, SELF->work_size);
    }
    Py_TYPE(self)->tp_free(self);
}

/* open(source, /) -> (width, height) */
static PyObject *decoder_open(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 1, 2, 2, false) < 0 || c9py_ready(self) < 0) {
        return NULL;
    }
    if (SELF->busy) {
        return raise_busy();
    }
    close_source(SELF);

    PyObject *src = PyTuple_GET_ITEM(args, 0);
    Py_INCREF(src);
    bool own = false;
    if (PyUnicode_Check(src)) {
        /* The caller's builtins: under the circuit9 runtime, user code's open() maps
         * CircuitPython paths onto the drive. */
        PyObject *open = PyDict_GetItemString(PyEval_GetBuiltins(), "open");
        if (!open) {
            Py_DECREF(src);
            PyErr_SetString(PyExc_NameError, "name 'open' isn't defined");
            return NULL;
        }
        Py_SETREF(src, PyObject_CallFunction(open, "Os", src, "rb"));
        if (!src) {
            return NULL;
        }
        own = true;
    }

    PyObject *method = NULL;
    int read_kind = RD_READ;
    int st = stream_method(src, &method, &read_kind);
    if (st > 0) {
        SELF->kind = SRC_STREAM;
        SELF->stream = src; /* takes the reference */
        SELF->method = method;
        SELF->read_kind = read_kind;
        SELF->own_stream = own;
    } else if (st == 0 && PyObject_CheckBuffer(src)) {
        if (PyObject_GetBuffer(src, &SELF->view, PyBUF_SIMPLE) < 0) {
            st = -1;
        } else {
            SELF->kind = SRC_BUFFER;
            SELF->pos = 0;
        }
        Py_DECREF(src);
    } else {
        if (st == 0) {
            PyErr_Format(PyExc_TypeError, "data_source must be of type str, BytesIO, or ReadableBuffer, not %s",
                         c9py_type_name(src));
        }
        if (own) {
            PyObject *r = PyObject_CallMethod(src, "close", NULL);
            Py_XDECREF(r);
        }
        Py_DECREF(src);
        return NULL;
    }
    if (st < 0) {
        return NULL;
    }

    if (SELF->kind == SRC_STREAM) {
        note_stream_start(SELF);
    }
    SELF->busy = true;
    c9_err_t err = c9_jpeg_open_scan(&SELF->dec, SELF->work, SELF->work_size, SELF->profile, source_read, SELF);
    SELF->busy = false;
    c9_jpeg_info_t info;
    if (err == C9_OK && !SELF->py_error) {
        err = c9_jpeg_get_info(SELF->dec, &info);
    }
    if (SELF->py_error || err != C9_OK) {
        bool pending = SELF->py_error;
        close_source(SELF);
        return pending ? NULL : raise_jpeg(err);
    }
    SELF->width = info.width;
    SELF->height = info.height;
    return Py_BuildValue("(ii)", (int)info.width, (int)info.height);
}

/* Where decoded pixels go: each output block is blitted as CircuitPython's callback does. */
typedef struct {
    c9_bitmap_t *bm;
    int x, y;       /* where the crop box's top-left corner goes */
    c9_rect_t crop; /* in scaled image pixels, x2/y2 exclusive (the core cuts blocks to it) */
    c9_opt_index_t skip_source, skip_dest;
    c9_rect_t dirty; /* marked on the bitmap once the GIL is back */
} output_t;

static c9_err_t put_block(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *px) {
    output_t *o = ctx;
    c9_rect_t area;
    c9_err_t err = c9_bitmaptools_blit_block16(o->bm, o->x + r->x - o->crop.x1, o->y + r->y - o->crop.y1, px, r->stride,
                                               r->w, r->h, o->skip_source, o->skip_dest, &area);
    c9_rect_union(&o->dirty, &area, &o->dirty);
    return err;
}

/* decode(bitmap, scale=0, x=0, y=0, x1=0, y1=0, x2=None, y2=None, *, skip_source_index=None,
 *        skip_dest_index=None) */
static PyObject *decoder_decode(PyObject *self, PyObject *args, PyObject *kw) {
    enum { BITMAP, SCALE, X, Y, X1, Y1, X2, Y2, SKIP_SOURCE, SKIP_DEST, NARGS };
    static const c9py_arg_t allowed[NARGS] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"scale", C9PY_ARG_INT, {.u_int = 0}},
        {"x", C9PY_ARG_INT, {.u_int = 0}},
        {"y", C9PY_ARG_INT, {.u_int = 0}},
        {"x1", C9PY_ARG_OBJ},
        {"y1", C9PY_ARG_OBJ},
        {"x2", C9PY_ARG_OBJ},
        {"y2", C9PY_ARG_OBJ},
        {"skip_source_index", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"skip_dest_index", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t v[NARGS];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, NARGS, v) < 0) {
        return NULL;
    }
    PyObject *const crop_in[4] = {v[X1].u_obj, v[Y1].u_obj, v[X2].u_obj, v[Y2].u_obj};
    c9_bitmap_t *bm = c9py_bitmap(v[BITMAP].u_obj, "bitmap");
    c9_rect_t crop;
    output_t out = {0};
    if (!bm || c9py_check_range(v[SCALE].u_int, 0, 3, "scale") < 0 ||
        c9py_check_range(v[X].u_int, 0, bm->width, "x") < 0 || c9py_check_range(v[Y].u_int, 0, bm->height, "y") < 0 ||
        c9py_coord_pair(crop_in, bm->width, bm->height, &crop) < 0 ||
        c9py_opt_index(v[SKIP_SOURCE].u_obj, &out.skip_source) < 0 ||
        c9py_opt_index(v[SKIP_DEST].u_obj, &out.skip_dest) < 0) {
        return NULL;
    }
    if (SELF->busy) {
        return raise_busy();
    }
    if (!SELF->dec) {
        PyErr_SetString(PyExc_RuntimeError, "decode() without open()");
        return NULL;
    }
    if (bm->read_only) {
        close_source(SELF);
        PyErr_SetString(PyExc_RuntimeError, "Read-only");
        return NULL;
    }
    unsigned scale = (unsigned)v[SCALE].u_int;
    /* A board's pixels, bit for bit (the core's TJpgDec arithmetic). */
    unsigned flags = C9_JPEG_SWAP_BYTES | C9_JPEG_TJPGD;
    /* A progressive file needs coefficient memory (none at 1/8 from a source that can seek), from
     * the board's budget under the runtime: too little of it is CircuitPython's error for the
     * files its decoder cannot read. */
    void *coef = NULL;
    size_t coef_size = 0;
    if (SELF->kind == SRC_BUFFER || SELF->seekable) {
        c9_jpeg_set_seek(SELF->dec, source_seek);
    }
    SELF->busy = true;
    c9_err_t err = c9_jpeg_coef_size(SELF->dec, scale, flags, &coef_size);
    SELF->busy = false;
    if (err == C9_OK && coef_size) {
        coef = c9_alloc(SELF->alloc, coef_size);
        err = coef ? c9_jpeg_set_coef_memory(SELF->dec, coef, coef_size) : C9_ERR_JPEG_PROGRESSIVE;
    }
    if (err != C9_OK || SELF->py_error) {
        bool pending = SELF->py_error;
        if (coef) {
            c9_free(SELF->alloc, coef, coef_size);
        }
        close_source(SELF);
        return pending ? NULL : raise_jpeg(err);
    }
    out.bm = bm;
    out.x = (int)v[X].u_int;
    out.y = (int)v[Y].u_int;
    out.crop = crop;
    c9_jpeg_rect_t area = {(uint16_t)crop.x1, (uint16_t)crop.y1, (uint16_t)(crop.x2 - crop.x1),
                           (uint16_t)(crop.y2 - crop.y1), 0};
    c9_jpeg_set_crop(SELF->dec, &area);

    /* Locked again: reading the file's header and sizing the coefficients ran the stream's Python
     * code, which may have deinitialised the bitmap. */
    PyObject *bitmap_obj = v[BITMAP].u_obj;
    if (!(bm = c9py_bitmap_lock(bitmap_obj, "bitmap"))) {
        if (coef) {
            c9_free(SELF->alloc, coef, coef_size);
        }
        close_source(SELF);
        return NULL;
    }
    out.bm = bm;
    SELF->busy = true;
    SELF->ts = PyEval_SaveThread();
    err = c9_jpeg_decode(SELF->dec, scale, flags, put_block, &out);
    PyEval_RestoreThread(SELF->ts);
    SELF->ts = NULL;
    SELF->busy = false;
    if (!c9_rect_empty(&out.dirty)) {
        c9_bitmap_mark_dirty(bm, &out.dirty);
    }
    c9py_bitmap_unlock(bitmap_obj);

    if (coef) {
        c9_free(SELF->alloc, coef, coef_size);
    }
    bool pending = SELF->py_error;
    close_source(SELF); /* CircuitPython: one decode per open() */
    if (pending) {
        return NULL;
    }
    if (err != C9_OK) {
        return raise_jpeg(err);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"open", (PyCFunction)(void (*)(void))decoder_open, METH_VARARGS | METH_KEYWORDS,
     "open(source, /) -> (width, height): use a filename, a binary stream or a buffer as the JPEG data "
     "source. Returns the image size."},
    {"decode", (PyCFunction)(void (*)(void))decoder_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(bitmap, scale=0, x=0, y=0, x1=0, y1=0, x2=None, y2=None, *, skip_source_index=None, "
     "skip_dest_index=None): decode the opened JPEG into bitmap as RGB565_SWAPPED, downscaled by 2**scale. "
     "The decoder is closed afterwards: open() again before the next decode."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject c9py_JpegDecoder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "jpegio.JpegDecoder",
    .tp_basicsize = sizeof(decoder_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "JpegDecoder(): a JPEG decoder. Create one and reuse it: it holds its work memory.",
    .tp_new = c9py_native_new,
    .tp_init = decoder_init,
    .tp_dealloc = decoder_dealloc,
    .tp_methods = methods,
};
