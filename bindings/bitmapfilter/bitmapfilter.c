/* The bitmapfilter module: CircuitPython 9's image filters over the circuit9 filter core.
 *
 * Arguments are checked in CircuitPython's order with its exception types and messages (the
 * core's depth error comes last, after every argument is converted). Differences, on purpose:
 * the filtered bitmap's dirty area is marked so a display refresh shows the result; morph's
 * offset is the full signed int; ChannelScaleOffset's field names follow the positions mix()
 * reads (r, r_add, g, g_add, b, b_add); blend rejects a source of another depth. */
#include "c9py.h"
#include "displayio/displayio.h"

#include <math.h>

#include "circuit9/filter.h"

static PyObject *channel_types[4]; /* ChannelScale, ChannelScaleOffset, ChannelMixer, ChannelMixerOffset */
static const c9_filter_mix_kind_t channel_kinds[4] = {C9_FILTER_CHANNEL_SCALE, C9_FILTER_CHANNEL_SCALE_OFFSET,
                                                      C9_FILTER_CHANNEL_MIXER, C9_FILTER_CHANNEL_MIXER_OFFSET};

static PyObject *raise_filter(c9_err_t err, size_t bytes) {
    return err == C9_ERR_NOMEM ? c9py_raise_nomem(bytes) : c9py_raise(err);
}

/* mp_obj_get_float, narrowed to the core's real type as a board stores its floats. */
static int get_real(PyObject *obj, c9_filter_real_t *out) {
    double d;
    if (c9py_mp_float(obj, &d) < 0) {
        return -1;
    }
    *out = (c9_filter_real_t)d;
    return 0;
}

/* None or a Bitmap ("mask must be of type Bitmap, not ..."). */
static int get_mask(PyObject *obj, const c9_bitmap_t **out) {
    *out = NULL;
    if (obj == Py_None) {
        return 0;
    }
    *out = c9py_bitmap(obj, "mask");
    return *out ? 0 : -1;
}

/* ---- bitmaps in use without the GIL ---------------------------------------------------------- */

/* The bitmaps a filter reads or writes are locked while the GIL is released, so that another
 * thread's deinit() raises instead of freeing pixels the filter is using. Locking checks them
 * again: converting the other arguments may have run Python code (a __getitem__, a lookup
 * function) that deinitialised one. */
typedef struct {
    PyObject *obj[4];
    int n;
} held_t;

/* Locks obj (None for an absent mask gives NULL) and returns its bitmap through *out. */
static int hold(held_t *h, PyObject *obj, const char *name, c9_bitmap_t **out) {
    *out = NULL;
    if (obj == Py_None) {
        return 0;
    }
    *out = c9py_bitmap_lock(obj, name);
    if (!*out) {
        return -1;
    }
    h->obj[h->n++] = obj;
    return 0;
}

static void release(held_t *h) {
    while (h->n > 0) {
        c9py_bitmap_unlock(h->obj[--h->n]);
    }
}

/* ---- morph ---------------------------------------------------------------------------------- */

static PyObject *morph(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    enum { ARG_bitmap, ARG_weights, ARG_mul, ARG_add, ARG_threshold, ARG_offset, ARG_invert, ARG_mask };
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},    {"weights", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mul", C9PY_ARG_OBJ, {.u_obj = Py_None}},       {"add", C9PY_ARG_OBJ},
        {"threshold", C9PY_ARG_BOOL, {.u_bool = false}}, {"offset", C9PY_ARG_INT, {.u_int = 0}},
        {"invert", C9PY_ARG_BOOL, {.u_bool = false}},    {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[8];
    /* The parser converts the bool and int arguments before anything else is checked. */
    if (c9py_arg_parse(args, kw, allowed, 8, a) < 0) {
        return NULL;
    }
    PyObject *bitmap_obj = a[ARG_bitmap].u_obj, *weights = a[ARG_weights].u_obj, *mul_obj = a[ARG_mul].u_obj,
             *add_obj = a[ARG_add].u_obj, *mask_obj = a[ARG_mask].u_obj;
    c9_filter_morph_t m = {0};
    m.threshold = a[ARG_threshold].u_bool;
    m.offset = (int32_t)a[ARG_offset].u_int;
    m.invert = a[ARG_invert].u_bool;
    c9_bitmap_t *bitmap = c9py_bitmap(bitmap_obj, "bitmap");
    const c9_bitmap_t *mask;
    if (!bitmap || get_mask(mask_obj, &mask) < 0 || (add_obj && get_real(add_obj, &m.add) < 0)) {
        return NULL;
    }
    Py_ssize_t n = PyObject_Length(weights);
    if (n < 0) {
        return NULL;
    }
    Py_ssize_t side = (Py_ssize_t)sqrt((double)n);
    if (side % 2 == 0 || side * side != n) {
        PyErr_SetString(PyExc_ValueError,
                        "weights must be a sequence with an odd square number of elements (usually 9 or 25)");
        return NULL;
    }
    int32_t *w = c9py_malloc((size_t)n * sizeof(int32_t));
    if (!w) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *key = PyLong_FromSsize_t(i);
        PyObject *item = key ? PyObject_GetItem(weights, key) : NULL;
        Py_XDECREF(key);
        int bad = !item || c9py_mp_int(item, &w[i]) < 0;
        Py_XDECREF(item);
        if (bad) {
            c9py_free(w, (size_t)n * sizeof(int32_t));
            return NULL;
        }
    }
    m.weights = w;
    m.size = (uint32_t)side;
    if (mul_obj != Py_None) {
        m.has_mul = true;
        if (get_real(mul_obj, &m.mul) < 0) {
            c9py_free(w, (size_t)n * sizeof(int32_t));
            return NULL;
        }
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, bitmap_obj, "bitmap", &bitmap) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        c9py_free(w, (size_t)n * sizeof(int32_t));
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_morph(bitmap, held_mask, &m, &opts);
    Py_END_ALLOW_THREADS release(&h);
    c9py_free(w, (size_t)n * sizeof(int32_t));
    if (err != C9_OK) {
        return raise_filter(err, (size_t)(side / 2 + 1) * bitmap->width * 2);
    }
    Py_INCREF(bitmap_obj);
    return bitmap_obj;
}

/* ---- mix ------------------------------------------------------------------------------------ */

static PyObject *mix(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"weights", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyObject *bitmap_obj = a[0].u_obj, *weights = a[1].u_obj, *mask_obj = a[2].u_obj;
    c9_bitmap_t *bitmap = c9py_bitmap(bitmap_obj, "bitmap");
    if (!bitmap) {
        return NULL;
    }
    int kind = -1;
    for (int i = 0; i < 4; i++) {
        /* CircuitPython wants the exact type (mp_obj_is_type); subclasses are accepted here, as
         * everywhere in circuit9 (docs/bindings.md). */
        if (kind < 0 && PyObject_TypeCheck(weights, (PyTypeObject *)channel_types[i])) {
            kind = i;
        }
    }
    if (kind < 0) {
        PyErr_Format(PyExc_ValueError,
                     "weights must be an object of type ScaleMixer, ScaleMixerOffset, ChannelMixer, or "
                     "ChannelMixerOffset, not %s ",
                     c9py_type_name(weights));
        return NULL;
    }
    c9_filter_real_t values[12], matrix[12];
    int count = (int)channel_kinds[kind];
    for (int i = 0; i < count; i++) {
        PyObject *item = PySequence_GetItem(weights, i);
        int bad = !item || get_real(item, &values[i]) < 0;
        Py_XDECREF(item);
        if (bad) {
            return NULL;
        }
    }
    c9_filter_mix_matrix(channel_kinds[kind], values, matrix);
    const c9_bitmap_t *mask;
    if (get_mask(mask_obj, &mask) < 0) {
        return NULL;
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, bitmap_obj, "bitmap", &bitmap) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_mix(bitmap, held_mask, matrix, &opts);
    Py_END_ALLOW_THREADS release(&h);
    if (err != C9_OK) {
        return raise_filter(err, 0);
    }
    Py_INCREF(bitmap_obj);
    return bitmap_obj;
}

/* ---- solarize ------------------------------------------------------------------------------- */

static PyObject *solarize(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"threshold", C9PY_ARG_OBJ},
        {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyObject *bitmap_obj = a[0].u_obj, *threshold_obj = a[1].u_obj, *mask_obj = a[2].u_obj;
    c9_filter_real_t threshold = (c9_filter_real_t)0.5;
    if (threshold_obj && get_real(threshold_obj, &threshold) < 0) { /* converted first, as CircuitPython does */
        return NULL;
    }
    c9_bitmap_t *bitmap = c9py_bitmap(bitmap_obj, "bitmap");
    const c9_bitmap_t *mask;
    if (!bitmap || get_mask(mask_obj, &mask) < 0) {
        return NULL;
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, bitmap_obj, "bitmap", &bitmap) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_solarize(bitmap, held_mask, threshold, &opts);
    Py_END_ALLOW_THREADS release(&h);
    if (err != C9_OK) {
        return raise_filter(err, 0);
    }
    Py_INCREF(bitmap_obj);
    return bitmap_obj;
}

/* ---- lookup --------------------------------------------------------------------------------- */

static int scaled_lut(PyObject *fn, int maxval, int i, uint8_t *out) {
    PyObject *arg = PyFloat_FromDouble((double)c9_filter_lookup_input(i, maxval));
    PyObject *res = arg ? PyObject_CallOneArg(fn, arg) : NULL;
    Py_XDECREF(arg);
    c9_filter_real_t v;
    int bad = !res || get_real(res, &v) < 0;
    Py_XDECREF(res);
    if (bad) {
        return -1;
    }
    *out = c9_filter_lookup_entry(v, maxval);
    return 0;
}

static PyObject *lookup(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"lookup", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyObject *bitmap_obj = a[0].u_obj, *lookup_obj = a[1].u_obj, *mask_obj = a[2].u_obj;
    c9_bitmap_t *bitmap = c9py_bitmap(bitmap_obj, "bitmap");
    if (!bitmap) {
        return NULL;
    }
    PyObject *fr = lookup_obj, *fg = lookup_obj, *fb = lookup_obj;
    if (PyTuple_Check(lookup_obj)) { /* a tuple or named tuple; a list is one (uncallable) object */
        if (PyTuple_GET_SIZE(lookup_obj) != 3) {
            PyErr_SetString(PyExc_ValueError, "lookup length must be 3");
            return NULL;
        }
        fr = PyTuple_GET_ITEM(lookup_obj, 0);
        fg = PyTuple_GET_ITEM(lookup_obj, 1);
        fb = PyTuple_GET_ITEM(lookup_obj, 2);
    }
    c9_filter_lookup_table_t table;
    for (int i = 0; i < 32; i++) {
        if (scaled_lut(fr, 31, i, &table.r[i]) < 0) {
            return NULL;
        }
        if (fb == fr) {
            table.b[i] = table.r[i];
        } else if (scaled_lut(fb, 31, i, &table.b[i]) < 0) {
            return NULL;
        }
    }
    for (int i = 0; i < 64; i++) {
        if (scaled_lut(fg, 63, i, &table.g[i]) < 0) {
            return NULL;
        }
    }
    const c9_bitmap_t *mask;
    if (get_mask(mask_obj, &mask) < 0) {
        return NULL;
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, bitmap_obj, "bitmap", &bitmap) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_lookup(bitmap, held_mask, &table, &opts);
    Py_END_ALLOW_THREADS release(&h);
    if (err != C9_OK) {
        return raise_filter(err, 0);
    }
    Py_INCREF(bitmap_obj);
    return bitmap_obj;
}

/* ---- false_color ---------------------------------------------------------------------------- */

static PyObject *false_color(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"palette", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyObject *bitmap_obj = a[0].u_obj, *palette_obj = a[1].u_obj, *mask_obj = a[2].u_obj;
    c9_bitmap_t *bitmap = c9py_bitmap(bitmap_obj, "bitmap");
    if (!bitmap || c9py_check_type(palette_obj, &c9py_Palette_Type, "palette") < 0 || c9py_ready(palette_obj) < 0) {
        return NULL;
    }
    c9_palette_t *palette = &((c9py_palette_obj_t *)palette_obj)->palette;
    if (palette->count != 256) {
        PyErr_SetString(PyExc_ValueError, "palette length must be 256");
        return NULL;
    }
    const c9_bitmap_t *mask;
    if (get_mask(mask_obj, &mask) < 0) {
        return NULL;
    }
    uint32_t colors[256];
    for (int i = 0; i < 256; i++) {
        colors[i] = palette->colors[i].rgb888; /* transparency is ignored */
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, bitmap_obj, "bitmap", &bitmap) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_false_color(bitmap, held_mask, colors, &opts);
    Py_END_ALLOW_THREADS release(&h);
    if (err != C9_OK) {
        return raise_filter(err, 0);
    }
    Py_INCREF(bitmap_obj);
    return bitmap_obj;
}

/* ---- blend ---------------------------------------------------------------------------------- */

typedef struct {
    PyObject *fn;
} blend_ctx_t;

static c9_err_t call_blend(void *ctx, c9_filter_real_t a, c9_filter_real_t b, c9_filter_real_t *out) {
    PyObject *res = PyObject_CallFunction(((blend_ctx_t *)ctx)->fn, "dd", (double)a, (double)b);
    int bad = !res || get_real(res, out) < 0;
    Py_XDECREF(res);
    return bad ? C9_ERR_IO : C9_OK; /* the Python exception stays set */
}

/* Fills `table` (a writable 4096-byte buffer) from the function; returns 0 or -1. */
static int precompute_into(PyObject *fn, PyObject *table) {
    Py_buffer view;
    if (PyObject_GetBuffer(table, &view, PyBUF_WRITABLE) < 0 || view.len != C9_FILTER_BLEND_TABLE_SIZE) {
        if (PyErr_Occurred()) {
            PyErr_Clear();
        } else {
            PyBuffer_Release(&view);
        }
        PyErr_Format(PyExc_TypeError, "table must be of type NoneType or WritableBuffer, not %s",
                     c9py_type_name(table));
        return -1;
    }
    blend_ctx_t ctx = {fn};
    c9_err_t err = c9_filter_blend_precompute(view.buf, call_blend, &ctx);
    PyBuffer_Release(&view);
    return err == C9_OK ? 0 : -1;
}

static PyObject *blend_precompute(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"lookup", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"table", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    PyObject *fn = a[0].u_obj, *table = a[1].u_obj;
    if (table == Py_None) {
        table = PyByteArray_FromStringAndSize(NULL, C9_FILTER_BLEND_TABLE_SIZE);
        if (!table) {
            return NULL;
        }
        memset(PyByteArray_AS_STRING(table), 0, C9_FILTER_BLEND_TABLE_SIZE);
    } else {
        Py_INCREF(table);
    }
    if (precompute_into(fn, table) < 0) {
        Py_DECREF(table);
        return NULL;
    }
    return table;
}

static PyObject *blend(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"dest", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED}, {"src1", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"src2", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED}, {"lookup", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"mask", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return NULL;
    }
    PyObject *dest_obj = a[0].u_obj, *src1_obj = a[1].u_obj, *src2_obj = a[2].u_obj, *lookup_obj = a[3].u_obj,
             *mask_obj = a[4].u_obj;
    c9_bitmap_t *dest = c9py_bitmap(dest_obj, "dest");
    c9_bitmap_t *src1 = dest ? c9py_bitmap(src1_obj, "src1") : NULL;
    c9_bitmap_t *src2 = src1 ? c9py_bitmap(src2_obj, "src2") : NULL;
    if (!src2) {
        return NULL;
    }
    PyObject *table = lookup_obj;
    Py_INCREF(table);
    if (PyCallable_Check(lookup_obj)) {
        Py_DECREF(table);
        table = PyByteArray_FromStringAndSize(NULL, C9_FILTER_BLEND_TABLE_SIZE);
        if (!table) {
            return NULL;
        }
        memset(PyByteArray_AS_STRING(table), 0, C9_FILTER_BLEND_TABLE_SIZE);
        if (precompute_into(lookup_obj, table) < 0) {
            Py_DECREF(table);
            return NULL;
        }
    }
    Py_buffer view;
    if (PyObject_GetBuffer(table, &view, PyBUF_SIMPLE) < 0 || view.len != C9_FILTER_BLEND_TABLE_SIZE) {
        if (PyErr_Occurred()) {
            PyErr_Clear();
        } else {
            PyBuffer_Release(&view);
        }
        PyErr_Format(PyExc_TypeError, "lookup must be of type callable or ReadableBuffer, not %s",
                     c9py_type_name(table));
        Py_DECREF(table);
        return NULL;
    }
    const c9_bitmap_t *mask;
    if (get_mask(mask_obj, &mask) < 0) {
        PyBuffer_Release(&view);
        Py_DECREF(table);
        return NULL;
    }
    c9_filter_opts_t opts = {.allocator = c9py_allocator()};
    c9_err_t err;
    held_t h = {{NULL}, 0};
    c9_bitmap_t *held_mask;
    if (hold(&h, dest_obj, "dest", &dest) < 0 || hold(&h, src1_obj, "src1", &src1) < 0 ||
        hold(&h, src2_obj, "src2", &src2) < 0 || hold(&h, mask_obj, "mask", &held_mask) < 0) {
        release(&h);
        PyBuffer_Release(&view);
        Py_DECREF(table);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS err = c9_filter_blend(dest, src1, src2, held_mask, view.buf, &opts);
    Py_END_ALLOW_THREADS release(&h);
    PyBuffer_Release(&view);
    Py_DECREF(table);
    if (err != C9_OK) {
        return raise_filter(err, 0);
    }
    Py_INCREF(dest_obj);
    return dest_obj;
}

static PyMethodDef methods[] = {
    {"morph", (PyCFunction)(void (*)(void))morph, METH_VARARGS | METH_KEYWORDS, "Convolve an image with a kernel"},
    {"mix", (PyCFunction)(void (*)(void))mix, METH_VARARGS | METH_KEYWORDS,
     "Perform a channel mixing operation on the bitmap"},
    {"solarize", (PyCFunction)(void (*)(void))solarize, METH_VARARGS | METH_KEYWORDS,
     "Create a \"solarization\" effect on an image"},
    {"false_color", (PyCFunction)(void (*)(void))false_color, METH_VARARGS | METH_KEYWORDS,
     "Convert the image to false color using the given palette"},
    {"lookup", (PyCFunction)(void (*)(void))lookup, METH_VARARGS | METH_KEYWORDS,
     "Modify the channels of a bitmap according to a look-up table"},
    {"blend", (PyCFunction)(void (*)(void))blend, METH_VARARGS | METH_KEYWORDS,
     "Blend the 'src1' and 'src2' images according to lookup function or table 'lookup'"},
    {"blend_precompute", (PyCFunction)(void (*)(void))blend_precompute, METH_VARARGS | METH_KEYWORDS,
     "Precompute a BlendTable from a BlendFunction"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "bitmapfilter", "Image filters for RGB565_SWAPPED bitmaps.", -1,
                                 methods};

PyObject *c9py_init_bitmapfilter(void) {
    static const char *const names[4] = {"ChannelScale", "ChannelScaleOffset", "ChannelMixer", "ChannelMixerOffset"};
    static const char *const fields[4] = {
        "r g b",
        "r r_add g g_add b b_add", /* fixed: CircuitPython declares r g b r_add g_add b_add */
        "rr rg rb gr gg gb br bg bb",
        "rr rg rb r_add gr gg gb g_add br bg bb b_add",
    };
    PyObject *m = PyModule_Create(&def);
    PyObject *collections = m ? PyImport_ImportModule("collections") : NULL;
    if (!collections) {
        Py_XDECREF(m);
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        PyObject *t = PyObject_CallMethod(collections, "namedtuple", "ss", names[i], fields[i]);
        if (t) {
            PyObject *mod = PyUnicode_FromString("bitmapfilter");
            if (!mod || PyObject_SetAttrString(t, "__module__", mod) < 0) {
                Py_CLEAR(t);
            }
            Py_XDECREF(mod);
        }
        if (!t || PyModule_AddObject(m, names[i], t) < 0) {
            Py_XDECREF(t);
            Py_DECREF(collections);
            Py_DECREF(m);
            return NULL;
        }
        Py_XDECREF(channel_types[i]);
        Py_INCREF(t);
        channel_types[i] = t; /* the module keeps its own reference */
    }
    Py_DECREF(collections);
    return m;
}
