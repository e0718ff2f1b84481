/*
 * The bitmaptools module: CircuitPython 9.2.9's signatures, argument order, defaults,
 * keyword-only arguments, exception types and messages, over the cores in
 * include/circuit9/bitmaptools.h.
 *
 * Arguments go through the bindings' parser (c9py_arg_parse, MicroPython's mp_arg_parse_all) with
 * CircuitPython's tables, and the rest are converted in CircuitPython's order so that the first
 * error reported is the same one.
 */
#include "c9py.h"
#include "displayio/displayio.h"
#include "c9py_index.h"

#include "circuit9/bitmaptools.h"

#include <limits.h>
#include <string.h>

/* ---- argument conversion ------------------------------------------------------------------- */

#define REQ(name)                                                                                                      \
    { name, C9PY_ARG_OBJ | C9PY_ARG_REQUIRED }
#define REQ_INT(name)                                                                                                  \
    { name, C9PY_ARG_INT | C9PY_ARG_REQUIRED }
#define OPT(name)                                                                                                      \
    { name, C9PY_ARG_OBJ }
#define KW(name)                                                                                                       \
    { name, C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY }

/* The parsed values as objects (the OBJ arguments; NULL when not given). */
static void objects(const c9py_argval_t *v, PyObject **a, size_t n) {
    for (size_t i = 0; i < n; i++) {
        a[i] = v[i].u_obj;
    }
}

/* An optional int (None or missing -> def). */
static int get_int_or(PyObject *o, long def, long *out) {
    int32_t v = (int32_t)def;
    if (o && o != Py_None && c9py_mp_int(o, &v) < 0) {
        return -1;
    }
    *out = o && o != Py_None ? v : def;
    return 0;
}

/* CircuitPython's `value` check: value < 1 << bits_per_value, compared unsigned. */
static int check_value(const c9_bitmap_t *b, long v, const char *msg) {
    uint32_t u = (uint32_t)v;
    if (b->bits_per_value < 32 && u >= (1u << b->bits_per_value)) {
        PyErr_SetString(PyExc_ValueError, msg);
        return -1;
    }
    return 0;
}

/* mp_get_buffer_raise: any object without the buffer protocol gives CircuitPython's message. */
static int get_buffer(PyObject *o, Py_buffer *view) {
    if (PyObject_GetBuffer(o, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        }
        return -1;
    }
    return 0;
}

/* ---- long work without the GIL ------------------------------------------------------------- */

/* Bitmaps taking part in one call. They are locked (c9py_bitmap_lock) for the call: converting
 * the other arguments may have run Python code, so they are checked again, and while the GIL is
 * released another thread's deinit() fails instead of freeing memory still in use. */
typedef struct {
    PyObject *objs[3];
    int n;
    PyThreadState *ts;
} work_t;

#define GIL_THRESHOLD (1L << 16) /* pixels; below this the release costs more than it frees */

static int work_begin(work_t *w, long pixels) {
    w->ts = NULL;
    for (int i = 0; i < w->n; i++) {
        if (!c9py_bitmap_lock(w->objs[i], "bitmap")) {
            while (i-- > 0) {
                c9py_bitmap_unlock(w->objs[i]);
            }
            w->n = 0;
            return -1;
        }
    }
    if (pixels >= GIL_THRESHOLD) {
        w->ts = PyEval_SaveThread();
    }
    return 0;
}

static void work_end(work_t *w) {
    if (w->ts) {
        PyEval_RestoreThread(w->ts);
    }
    for (int i = 0; i < w->n; i++) {
        c9py_bitmap_unlock(w->objs[i]);
    }
}

static PyObject *done(c9_err_t err) {
    if (err != C9_OK) {
        return c9py_raise(err);
    }
    Py_RETURN_NONE;
}

/* ---- enums --------------------------------------------------------------------------------- */

static PyTypeObject *BlendMode_Type;
static PyTypeObject *DitherAlgorithm_Type;

/* ---- blit ---------------------------------------------------------------------------------- */

static PyObject *bt_blit(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {
        REQ("dest_bitmap"),
        REQ("source_bitmap"),
        REQ_INT("x"),
        REQ_INT("y"),
        OPT("x1"),
        OPT("y1"),
        OPT("x2"),
        OPT("y2"),
        KW("skip_source_index"),
        KW("skip_dest_index"),
    };
    c9py_argval_t v[10];
    PyObject *a[10];
    if (c9py_arg_check_call(args, kw, 0, 1, 0xFFFF, true) < 0 || c9py_arg_parse(args, kw, spec, 10, v) < 0) {
        return NULL;
    }
    objects(v, a, 10);
    long x = v[2].u_int, y = v[3].u_int;
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    if (!dest || c9py_check_range(x, 0, dest->width, "x") < 0 || c9py_check_range(y, 0, dest->height, "y") < 0) {
        return NULL;
    }
    c9_bitmap_t *src = c9py_bitmap(a[1], "source_bitmap");
    c9_rect_t area;
    if (!src || c9py_coord_pair(&a[4], src->width, src->height, &area) < 0) {
        return NULL;
    }
    if (dest->bits_per_value < src->bits_per_value) {
        PyErr_SetString(PyExc_ValueError, "source palette too large");
        return NULL;
    }
    c9_opt_index_t skip_s, skip_d;
    if (c9py_opt_index(a[8], &skip_s) < 0 || c9py_opt_index(a[9], &skip_d) < 0) {
        return NULL;
    }
    work_t w = {{a[0], a[1]}, 2, NULL};
    if (work_begin(&w, (long)(area.x2 - area.x1) * (area.y2 - area.y1)) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_blit(dest, src, (int)x, (int)y, &area, skip_s, skip_d);
    work_end(&w);
    return done(err);
}

/* ---- rotozoom ------------------------------------------------------------------------------ */

static int16_t trunc16(long v) {
    return (int16_t)(uint16_t)(unsigned long)v;
}

static int get_point(PyObject *o, long def, int16_t *out) {
    long v;
    if (get_int_or(o, def, &v) < 0) {
        return -1;
    }
    *out = trunc16(v);
    return 0;
}

/* A clip corner: None -> default; an (x, y) tuple or list. MicroPython rejects immediate
 * objects (small ints, interned strings) with a ValueError and other non-sequences with a
 * TypeError. */
static int get_clip_point(PyObject *o, int16_t dx, int16_t dy, int16_t *x, int16_t *y) {
    if (!o || o == Py_None) {
        *x = dx;
        *y = dy;
        return 0;
    }
    if (PyLong_Check(o) || PyUnicode_Check(o)) {
        PyErr_SetString(PyExc_ValueError, "clip point must be (x,y) tuple");
        return -1;
    }
    if (!PyTuple_Check(o) && !PyList_Check(o)) {
        PyErr_Format(PyExc_TypeError, "object '%s' isn't a tuple or list", c9py_type_name(o));
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(o) != 2) {
        PyErr_SetString(PyExc_ValueError, "tuple/list has wrong length");
        return -1;
    }
    int32_t vx, vy;
    if (c9py_mp_int(PySequence_Fast_GET_ITEM(o, 0), &vx) < 0 || c9py_mp_int(PySequence_Fast_GET_ITEM(o, 1), &vy) < 0) {
        return -1;
    }
    *x = trunc16(vx);
    *y = trunc16(vy);
    return 0;
}

static int get_clip(PyObject *c0, PyObject *c1, const c9_bitmap_t *b, c9_rect_t *r) {
    if (get_clip_point(c0, 0, 0, &r->x1, &r->y1) < 0 ||
        get_clip_point(c1, (int16_t)b->width, (int16_t)b->height, &r->x2, &r->y2) < 0) {
        return -1;
    }
    return 0; /* ordering and clamping happen in the core, exactly as the binding would */
}

static PyObject *bt_rotozoom(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {
        REQ("dest_bitmap"), REQ("source_bitmap"), KW("ox"),    KW("oy"),
        KW("dest_clip0"),   KW("dest_clip1"),     KW("px"),    KW("py"),
        KW("source_clip0"), KW("source_clip1"),   KW("angle"), KW("scale"),
        KW("skip_index"),
    };
    c9py_argval_t v[13];
    PyObject *a[13];
    if (c9py_arg_parse(args, kw, spec, 13, v) < 0) {
        return NULL;
    }
    objects(v, a, 13);
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    c9_bitmap_t *src = dest ? c9py_bitmap(a[1], "source_bitmap") : NULL;
    if (!src) {
        return NULL;
    }
    if (dest->bits_per_value < src->bits_per_value) {
        PyErr_SetString(PyExc_ValueError, "source palette too large");
        return NULL;
    }
    c9_rotozoom_t p;
    c9_bitmaptools_rotozoom_defaults(&p, dest, src);
    double angle = 0.0, scale = 1.0;
    if (get_point(a[2], dest->width / 2, &p.ox) < 0 || get_point(a[3], dest->height / 2, &p.oy) < 0 ||
        get_point(a[6], src->width / 2, &p.px) < 0 || get_point(a[7], src->height / 2, &p.py) < 0 ||
        get_clip(a[4], a[5], dest, &p.dest_clip) < 0 || get_clip(a[8], a[9], src, &p.source_clip) < 0 ||
        (a[10] && a[10] != Py_None && c9py_mp_float(a[10], &angle) < 0) ||
        (a[11] && a[11] != Py_None && c9py_mp_float(a[11], &scale) < 0) || c9py_opt_index(a[12], &p.skip) < 0) {
        return NULL;
    }
    if (scale < 0) {
        scale = 1.0;
    }
    p.angle = (float)angle;
    p.scale = (float)scale;
    work_t w = {{a[0], a[1]}, 2, NULL};
    if (work_begin(&w, (long)dest->width * dest->height) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_rotozoom(dest, src, &p);
    work_end(&w);
    return done(err);
}

/* ---- alphablend ---------------------------------------------------------------------------- */

static PyObject *bt_alphablend(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    /* CircuitPython's parse table names these factor_1 and factor_2. */
    static const c9py_arg_t spec[] = {
        REQ("dest_bitmap"), REQ("source_bitmap_1"), REQ("source_bitmap_2"),   REQ("colorspace"),        OPT("factor_1"),
        OPT("factor_2"),    KW("blendmode"),        KW("skip_source1_index"), KW("skip_source2_index"),
    };
    c9py_argval_t v[9];
    PyObject *a[9];
    /* The documented names (and what users write, e.g. CircuitPython issue #5567) are factor1
     * and factor2: accept them as aliases so both spellings work. */
    PyObject *kw_alias = NULL;
    if (kw && (PyDict_GetItemString(kw, "factor1") || PyDict_GetItemString(kw, "factor2"))) {
        static const char *const names[][2] = {{"factor1", "factor_1"}, {"factor2", "factor_2"}};
        kw_alias = PyDict_Copy(kw);
        for (size_t i = 0; kw_alias && i < 2; i++) {
            PyObject *v = PyDict_GetItemString(kw_alias, names[i][0]);
            if (!v) {
                continue;
            }
            if (PyDict_GetItemString(kw_alias, names[i][1])) {
                PyErr_Format(PyExc_TypeError, "argument '%s' given twice", names[i][1]);
                Py_CLEAR(kw_alias);
                return NULL;
            }
            Py_INCREF(v);
            int rc =
                PyDict_DelItemString(kw_alias, names[i][0]) < 0 || PyDict_SetItemString(kw_alias, names[i][1], v) < 0;
            Py_DECREF(v);
            if (rc) {
                Py_CLEAR(kw_alias);
            }
        }
        if (!kw_alias) {
            return NULL;
        }
        kw = kw_alias;
    }
    int parsed = c9py_arg_parse(args, kw, spec, 9, v);
    Py_XDECREF(kw_alias);
    if (parsed < 0) {
        return NULL;
    }
    objects(v, a, 9);
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    c9_bitmap_t *s1 = dest ? c9py_bitmap(a[1], "source_bitmap_1") : NULL;
    c9_bitmap_t *s2 = s1 ? c9py_bitmap(a[2], "source_bitmap_2") : NULL;
    if (!s2) {
        return NULL;
    }
    double f1 = 0.5, f2;
    if (a[4] && a[4] != Py_None && c9py_mp_float(a[4], &f1) < 0) {
        return NULL;
    }
    /* mp_float_t is single precision on the boards: 1 - factor1 is computed in float. */
    f2 = (double)(1.0f - (float)f1);
    if (a[5] && a[5] != Py_None && c9py_mp_float(a[5], &f2) < 0) {
        return NULL;
    }
    int cs = c9py_colorspace(a[3], "colorspace");
    if (cs < 0) {
        return NULL;
    }
    int mode = C9_BLENDMODE_NORMAL;
    if (a[6] && (mode = c9py_enum_value(a[6], BlendMode_Type, "blendmode", "BlendMode")) < 0) {
        return NULL;
    }
    if (dest->width != s1->width || dest->height != s1->height || dest->bits_per_value != s1->bits_per_value ||
        dest->width != s2->width || dest->height != s2->height || dest->bits_per_value != s2->bits_per_value) {
        PyErr_SetString(PyExc_ValueError, "Bitmap size and bits per value must match");
        return NULL;
    }
    switch (cs) {
    case C9_COLORSPACE_L8:
        if (dest->bits_per_value != 8) {
            PyErr_SetString(PyExc_ValueError, "For L8 colorspace, input bitmap must have 8 bits per pixel");
            return NULL;
        }
        break;
    case C9_COLORSPACE_RGB565:
    case C9_COLORSPACE_RGB565_SWAPPED:
    case C9_COLORSPACE_BGR565:
    case C9_COLORSPACE_BGR565_SWAPPED:
        if (dest->bits_per_value != 16) {
            PyErr_SetString(PyExc_ValueError, "For RGB colorspaces, input bitmap must have 16 bits per pixel");
            return NULL;
        }
        break;
    default: PyErr_SetString(PyExc_ValueError, "Unsupported colorspace"); return NULL;
    }
    c9_opt_index_t k1, k2;
    if (c9py_opt_index(a[7], &k1) < 0 || c9py_opt_index(a[8], &k2) < 0) {
        return NULL;
    }
    work_t w = {{a[0], a[1], a[2]}, 3, NULL};
    if (work_begin(&w, (long)dest->width * dest->height) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_alphablend(dest, s1, s2, (c9_colorspace_t)cs, (float)f1, (float)f2,
                                             (c9_blendmode_t)mode, k1, k2);
    work_end(&w);
    return done(err);
}

/* ---- fill_region, boundary_fill ------------------------------------------------------------ */

static PyObject *bt_fill_region(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("dest_bitmap"), REQ("x1"), REQ("y1"), REQ("x2"), REQ("y2"), REQ_INT("value")};
    c9py_argval_t v[6];
    PyObject *a[6];
    if (c9py_arg_parse(args, kw, spec, 6, v) < 0) {
        return NULL;
    }
    objects(v, a, 5);
    long value = v[5].u_int;
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    c9_rect_t r;
    if (!dest || check_value(dest, value, "out of range of target") < 0 ||
        c9py_coord_pair(&a[1], dest->width, dest->height, &r) < 0) {
        return NULL;
    }
    work_t w = {{a[0]}, 1, NULL};
    if (work_begin(&w, (long)(r.x2 - r.x1) * (r.y2 - r.y1)) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_fill_region(dest, r.x1, r.y1, r.x2, r.y2, (uint32_t)value);
    work_end(&w);
    return done(err);
}

static PyObject *bt_boundary_fill(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("dest_bitmap"),
                                      REQ_INT("x"),
                                      REQ_INT("y"),
                                      REQ_INT("fill_color_value"),
                                      {"replaced_color_value", C9PY_ARG_INT, {.u_int = INT_MAX}}};
    c9py_argval_t v[5];
    PyObject *a[1];
    if (c9py_arg_parse(args, kw, spec, 5, v) < 0) {
        return NULL;
    }
    objects(v, a, 1);
    long x = v[1].u_int, y = v[2].u_int, fill = v[3].u_int, replaced = v[4].u_int;
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    if (!dest || check_value(dest, fill, "value out of range of target") < 0) {
        return NULL;
    }
    /* INT_MAX is CircuitPython's "not given", so passing it explicitly means the same. */
    if (replaced != INT_MAX && check_value(dest, replaced, "background value out of range of target") < 0) {
        return NULL;
    }
    /* The coordinates are int16_t in CircuitPython before the range check. */
    int16_t x16 = trunc16(x), y16 = trunc16(y);
    if (x16 < 0 || x16 >= dest->width || y16 < 0 || y16 >= dest->height) {
        PyErr_SetString(PyExc_ValueError, "out of range of target");
        return NULL;
    }
    uint32_t rep = (uint32_t)replaced;
    work_t w = {{a[0]}, 1, NULL};
    if (work_begin(&w, (long)dest->width * dest->height) < 0) {
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_boundary_fill(dest, x16, y16, (uint32_t)fill, replaced == INT_MAX ? NULL : &rep,
                                                c9py_allocator());
    work_end(&w);
    if (err == C9_ERR_NOMEM) {
        PyErr_NoMemory();
        return NULL;
    }
    return done(err);
}

/* ---- lines, polygons, circles -------------------------------------------------------------- */

static PyObject *bt_draw_line(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("dest_bitmap"), REQ_INT("x1"), REQ_INT("y1"),
                                      REQ_INT("x2"),      REQ_INT("y2"), REQ_INT("value")};
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, spec, 6, a) < 0) {
        return NULL;
    }
    long v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = a[i + 1].u_int;
    }
    c9_bitmap_t *dest = c9py_bitmap(a[0].u_obj, "dest_bitmap");
    if (!dest || check_value(dest, v[4], "out of range of target") < 0) {
        return NULL;
    }
    return done(c9_bitmaptools_draw_line(dest, (int)v[0], (int)v[1], (int)v[2], (int)v[3], (uint32_t)v[4]));
}

/* Item size and reader for a buffer's struct format (native sizes, as MicroPython's arrays). */
static size_t format_size(const char *f, char *code) {
    if (!f) {
        *code = 'B';
        return 1;
    }
    if (*f == '@' || *f == '=' || *f == '<' || *f == '>' || *f == '!') {
        f++;
    }
    *code = *f;
    switch (*f) {
    case 'b':
    case 'B':
    case 'c':
    case '?': return 1;
    case 'h':
    case 'H':
    case 'e': return 2;
    case 'i':
    case 'I':
    case 'f': return 4;
    case 'l':
    case 'L': return sizeof(long);
    case 'q':
    case 'Q':
    case 'd': return 8;
    default: *code = 'B'; return 1;
    }
}

/* CircuitPython reads every coordinate as a signed integer of the item's size, so bytes over
 * 127 become negative; here each item is read as its format says (200 stays 200). */
static int32_t format_item(const uint8_t *p, char code) {
    switch (code) {
    case 'b': return *(const int8_t *)p;
    case 'h': {
        int16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 'H': {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 'i': {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case 'I': {
        uint32_t v;
        memcpy(&v, p, 4);
        return (int32_t)v;
    }
    case 'l':
    case 'q': {
        long long v = 0;
        memcpy(&v, p, code == 'q' ? 8 : sizeof(long));
        return (int32_t)v;
    }
    case 'L':
    case 'Q': {
        unsigned long long v = 0;
        memcpy(&v, p, code == 'Q' ? 8 : sizeof(unsigned long));
        return (int32_t)v;
    }
    case 'f': {
        float v;
        memcpy(&v, p, 4);
        return (v == v && v > -2e9f && v < 2e9f) ? (int32_t)v : 0;
    }
    case 'd': {
        double v;
        memcpy(&v, p, 8);
        return (v == v && v > -2e9 && v < 2e9) ? (int32_t)v : 0;
    }
    default: return *p;
    }
}

static PyObject *bt_draw_polygon(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {
        REQ("dest_bitmap"), REQ("xs"), REQ("ys"), REQ_INT("value"), {"close", C9PY_ARG_BOOL, {.u_bool = true}}};
    c9py_argval_t v[5];
    PyObject *a[3];
    if (c9py_arg_parse(args, kw, spec, 5, v) < 0) {
        return NULL;
    }
    objects(v, a, 3);
    long value = v[3].u_int;
    bool close = v[4].u_bool;
    c9_bitmap_t *dest = c9py_bitmap(a[0], "dest_bitmap");
    if (!dest) {
        return NULL;
    }
    Py_buffer bx, by;
    if (get_buffer(a[1], &bx) < 0) {
        return NULL;
    }
    if (get_buffer(a[2], &by) < 0) {
        PyBuffer_Release(&bx);
        return NULL;
    }
    PyObject *result = NULL;
    int32_t *pts = NULL;
    char cx, cy;
    size_t sx = format_size(bx.format, &cx), sy = format_size(by.format, &cy);
    size_t nx = (size_t)bx.len / sx, ny = (size_t)by.len / sy;
    if (sx != sy) {
        PyErr_SetString(PyExc_ValueError, "Coordinate arrays types have different sizes");
    } else if (nx != ny) {
        PyErr_SetString(PyExc_ValueError, "Coordinate arrays have different lengths");
    } else if (check_value(dest, value, "out of range of target") == 0) {
        pts = c9py_malloc((nx ? nx : 1) * 2 * sizeof(int32_t));
        if (pts) {
            for (size_t i = 0; i < nx; i++) {
                pts[i] = format_item((const uint8_t *)bx.buf + i * sx, cx);
                pts[nx + i] = format_item((const uint8_t *)by.buf + i * sy, cy);
            }
            result = done(c9_bitmaptools_draw_polygon(dest, pts, pts + nx, nx, (uint32_t)value, close));
        }
    }
    c9py_free(pts, (nx ? nx : 1) * 2 * sizeof(int32_t));
    PyBuffer_Release(&bx);
    PyBuffer_Release(&by);
    return result;
}

static PyObject *bt_draw_circle(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("dest_bitmap"), REQ_INT("x"), REQ_INT("y"), REQ_INT("radius"),
                                      REQ_INT("value")};
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, spec, 5, a) < 0) {
        return NULL;
    }
    long x = a[1].u_int, y = a[2].u_int, r = a[3].u_int, value = a[4].u_int;
    c9_bitmap_t *dest = c9py_bitmap(a[0].u_obj, "dest_bitmap");
    if (!dest || check_value(dest, value, "out of range of target") < 0 ||
        c9py_check_range(trunc16(x), 0, dest->width, "x") < 0 ||
        c9py_check_range(trunc16(y), 0, dest->height, "y") < 0 || c9py_check_min(trunc16(r), 0, "radius") < 0) {
        return NULL;
    }
    return done(c9_bitmaptools_draw_circle(dest, trunc16(x), trunc16(y), trunc16(r), (uint32_t)value));
}

/* ---- arrayblit ----------------------------------------------------------------------------- */

static PyObject *bt_arrayblit(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    /* CircuitPython's table marks y1 and y2 required by a macro mix-up (x1/x2 and y1/y2 take
     * their flags crosswise); the documented signature, with all four optional, is used here. */
    static const c9py_arg_t spec[] = {REQ("bitmap"), REQ("data"), OPT("x1"),        OPT("y1"),
                                      OPT("x2"),     OPT("y2"),   OPT("skip_index")};
    c9py_argval_t v[7];
    PyObject *a[7];
    if (c9py_arg_parse(args, kw, spec, 7, v) < 0) {
        return NULL;
    }
    objects(v, a, 7);
    c9_bitmap_t *dest = c9py_bitmap(a[0], "bitmap");
    if (!dest) {
        return NULL;
    }
    Py_buffer buf;
    if (get_buffer(a[1], &buf) < 0) {
        return NULL;
    }
    PyObject *result = NULL;
    c9_rect_t r;
    c9_opt_index_t skip;
    char code;
    size_t esize = format_size(buf.format, &code);
    if (c9py_coord_pair(&a[2], dest->width, dest->height, &r) == 0 && c9py_opt_index(a[6], &skip) == 0) {
        size_t need = (size_t)(r.x2 - r.x1) * (size_t)(r.y2 - r.y1);
        if ((size_t)buf.len / esize < need) {
            PyErr_SetString(PyExc_IndexError, "index out of range");
        } else {
            /* MicroPython reads 8-byte items one byte at a time (its default case); so do we. */
            unsigned es = (esize == 2 || esize == 4) ? (unsigned)esize : 1u;
            size_t bytes = es == esize ? (size_t)buf.len : need;
            result = done(c9_bitmaptools_arrayblit(dest, buf.buf, bytes, es, &r, skip));
        }
    }
    PyBuffer_Release(&buf);
    return result;
}

/* ---- readinto ------------------------------------------------------------------------------ */

typedef struct {
    PyObject *readinto; /* bound method or NULL */
    PyObject *read;     /* bound method or NULL */
} stream_t;

/* Reads through file.readinto(view) when there is one, else file.read(n). A Python exception
 * is left set and reported as C9_ERR_IO. Python never sees the row buffer: readinto() fills a
 * bytearray of its own and the bytes are copied out after the call, so a file object that keeps
 * the view, or resizes the array, cannot reach memory the core owns. */
static long stream_read(void *ctx, void *buf, size_t len) {
    stream_t *s = ctx;
    if (s->readinto) {
        PyObject *ba = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)len);
        PyObject *mv = ba ? PyMemoryView_FromObject(ba) : NULL;
        PyObject *r = mv ? PyObject_CallOneArg(s->readinto, mv) : NULL;
        Py_XDECREF(mv);
        long n = -1;
        if (r == Py_None) { /* non-blocking stream with nothing ready: treat as end */
            n = 0;
        } else if (r) {
            n = PyLong_AsLong(r);
            if (n == -1 && PyErr_Occurred()) {
                n = -2;
            }
        }
        Py_XDECREF(r);
        if (n < -1 || !r) {
            Py_XDECREF(ba);
            return C9_ERR_IO;
        }
        n = n < 0 ? 0 : n;
        /* More than asked for is the core's EOF error; what the array no longer holds is unread. */
        size_t avail = C9_MIN(len, (size_t)PyByteArray_GET_SIZE(ba));
        if ((size_t)n <= len && (size_t)n > avail) {
            n = (long)avail;
        }
        memcpy(buf, PyByteArray_AS_STRING(ba), C9_MIN((size_t)n, avail));
        Py_DECREF(ba);
        return n;
    }
    PyObject *r = PyObject_CallFunction(s->read, "n", (Py_ssize_t)len);
    if (!r) {
        return C9_ERR_IO;
    }
    Py_buffer b;
    if (r == Py_None) {
        Py_DECREF(r);
        return 0;
    }
    if (PyObject_GetBuffer(r, &b, PyBUF_SIMPLE) < 0) {
        Py_DECREF(r);
        return C9_ERR_IO;
    }
    size_t n = C9_MIN((size_t)b.len, len);
    memcpy(buf, b.buf, n);
    PyBuffer_Release(&b);
    Py_DECREF(r);
    return (long)n;
}

static PyObject *bt_readinto(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("bitmap"),
                                      REQ("file"),
                                      REQ_INT("bits_per_pixel"),
                                      {"element_size", C9PY_ARG_INT, {.u_int = 1}},
                                      {"reverse_pixels_in_element", C9PY_ARG_BOOL, {.u_bool = false}},
                                      {"swap_bytes_in_element", C9PY_ARG_BOOL, {.u_bool = false}},
                                      {"reverse_rows", C9PY_ARG_BOOL, {.u_bool = false}}};
    c9py_argval_t v[7];
    PyObject *a[2];
    if (c9py_arg_parse(args, kw, spec, 7, v) < 0) {
        return NULL;
    }
    objects(v, a, 2);
    long bpp = v[2].u_int, esize = v[3].u_int;
    bool rev_pix = v[4].u_bool, swap = v[5].u_bool, rev_rows = v[6].u_bool;
    c9_bitmap_t *dest = c9py_bitmap(a[0], "bitmap");
    if (!dest) {
        return NULL;
    }
    c9_readinto_arg_t bad;
    if (c9_bitmaptools_readinto_check((unsigned)C9_MAX(bpp, 0L), (unsigned)C9_MAX(esize, 0L), &bad) != C9_OK) {
        switch (bad) {
        case C9_READINTO_ARG_ELEMENT_SIZE:
            PyErr_Format(PyExc_ValueError, "invalid element_size %ld, must be, 1, 2, or 4", esize);
            break;
        case C9_READINTO_ARG_ELEMENT_SIZE_FOR_24:
            /* The message really ends in a newline. */
            PyErr_Format(PyExc_ValueError, "invalid element size %ld for bits_per_pixel %ld\n", esize, bpp);
            break;
        default:
            PyErr_Format(PyExc_ValueError, "invalid bits_per_pixel %ld, must be, 1, 2, 4, 8, 16, 24, or 32", bpp);
            break;
        }
        return NULL;
    }
    stream_t s = {NULL, NULL};
    if (PyObject_HasAttrString(a[1], "readinto")) {
        s.readinto = PyObject_GetAttrString(a[1], "readinto");
    } else if (PyObject_HasAttrString(a[1], "read")) {
        s.read = PyObject_GetAttrString(a[1], "read");
    }
    if (!s.readinto && !s.read) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_OSError, "stream operation not supported");
        }
        return NULL;
    }
    /* The file's methods run Python code while rows are stored: the bitmap stays locked. */
    dest = c9py_bitmap_lock(a[0], "bitmap");
    size_t rowsize = dest ? c9_bitmaptools_readinto_row_size(dest->width, (unsigned)bpp, (unsigned)esize) : 0;
    size_t bufsize = ((rowsize + 3) & ~(size_t)3) + 4;
    void *rowbuf = dest ? c9py_malloc(bufsize) : NULL;
    bool ready = rowbuf != NULL;
    c9_err_t err = C9_ERR_NOMEM;
    if (ready) {
        unsigned flags = (rev_pix ? C9_READINTO_REVERSE_PIXELS : 0) | (swap ? C9_READINTO_SWAP_BYTES : 0) |
                         (rev_rows ? C9_READINTO_REVERSE_ROWS : 0);
        err = c9_bitmaptools_readinto(dest, stream_read, &s, (unsigned)bpp, (unsigned)esize, flags, rowbuf, bufsize);
        c9py_free(rowbuf, bufsize);
    }
    if (dest) {
        c9py_bitmap_unlock(a[0]);
    }
    Py_XDECREF(s.readinto);
    Py_XDECREF(s.read);
    if (!ready) {
        return NULL;
    }
    if (err == C9_OK) {
        Py_RETURN_NONE;
    }
    if (PyErr_Occurred()) {
        return NULL; /* raised by the file object */
    }
    if (err == C9_ERR_BITMAPTOOLS_EOF) {
        PyErr_SetNone(PyExc_EOFError);
        return NULL;
    }
    return c9py_raise(err);
}

/* ---- dither -------------------------------------------------------------------------------- */

static PyObject *bt_dither(PyObject *mod, PyObject *args, PyObject *kw) {
    (void)mod;
    static const c9py_arg_t spec[] = {REQ("dest_bitmap"), REQ("source_bitmap"), REQ("source_colorspace"),
                                      OPT("algorithm")};
    c9py_argval_t v[4];
    PyObject *a[4];
    if (c9py_arg_parse(args, kw, spec, 4, v) < 0) {
        return NULL;
    }
    objects(v, a, 4);
    c9_bitmap_t *src = c9py_bitmap(a[1], "source_bitmap");
    c9_bitmap_t *dest = src ? c9py_bitmap(a[0], "dest_bitmap") : NULL;
    if (!dest) {
        return NULL;
    }
    int alg = C9_DITHER_ATKINSON;
    if (a[3] && (alg = c9py_enum_value(a[3], DitherAlgorithm_Type, "algorithm", "DitherAlgorithm")) < 0) {
        return NULL;
    }
    int cs = c9py_colorspace(a[2], "source_colorspace");
    if (cs < 0) {
        return NULL;
    }
    /* The messages are CircuitPython's, including the ones that name the wrong bitmap or count. */
    if (src->width != dest->width || src->height != dest->height) {
        PyErr_SetString(PyExc_TypeError, "bitmap sizes must match");
        return NULL;
    }
    if (dest->bits_per_value != 16 && dest->bits_per_value != 1) {
        PyErr_SetString(PyExc_TypeError, "source_bitmap must have value_count of 2 or 65536");
        return NULL;
    }
    switch (cs) {
    case C9_COLORSPACE_RGB565:
    case C9_COLORSPACE_RGB565_SWAPPED:
    case C9_COLORSPACE_BGR565:
    case C9_COLORSPACE_BGR565_SWAPPED:
        if (src->bits_per_value != 16) {
            PyErr_SetString(PyExc_TypeError, "source_bitmap must have value_count of 65536");
            return NULL;
        }
        break;
    case C9_COLORSPACE_L8:
        if (src->bits_per_value != 8) {
            PyErr_SetString(PyExc_TypeError, "source_bitmap must have value_count of 8");
            return NULL;
        }
        break;
    default: PyErr_SetString(PyExc_TypeError, "unsupported colorspace for dither"); return NULL;
    }
    size_t size = c9_bitmaptools_dither_work_size(dest->width);
    void *work = c9py_malloc(size);
    if (!work) {
        return NULL;
    }
    work_t w = {{a[0], a[1]}, 2, NULL};
    if (work_begin(&w, (long)dest->width * dest->height) < 0) {
        c9py_free(work, size);
        return NULL;
    }
    c9_err_t err = c9_bitmaptools_dither(dest, src, (c9_colorspace_t)cs, (c9_dither_algorithm_t)alg, work, size);
    work_end(&w);
    c9py_free(work, size);
    return done(err);
}

/* ---- module -------------------------------------------------------------------------------- */

#define KWFN(name, fn, doc)                                                                                            \
    { name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, doc }

static PyMethodDef methods[] = {
    KWFN("readinto", bt_readinto, "Reads raw pixel rows from a binary file into a bitmap."),
    KWFN("rotozoom", bt_rotozoom, "Copies a source region into the destination with rotation, scale and clipping."),
    KWFN("arrayblit", bt_arrayblit, "Writes values from a buffer into a rectangle of the bitmap."),
    KWFN("alphablend", bt_alphablend, "Alpha blends two source bitmaps into the destination."),
    KWFN("fill_region", bt_fill_region, "Fills a rectangle (x2, y2 exclusive) with a value."),
    KWFN("boundary_fill", bt_boundary_fill, "Flood fills the area around a point (paint bucket)."),
    KWFN("draw_line", bt_draw_line, "Draws a line between two points."),
    KWFN("draw_polygon", bt_draw_polygon, "Draws lines connecting the points given by two buffers."),
    KWFN("draw_circle", bt_draw_circle, "Draws a circle outline."),
    KWFN("blit", bt_blit, "Copies a source region into the destination at (x, y)."),
    KWFN("dither", bt_dither, "Converts an image into a 2-level image by error diffusion."),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "bitmaptools", "Collection of bitmap manipulation tools", -1,
                                 methods};

static const char *const blendmode_names[] = {"Normal", "Screen", NULL};
static const char *const dither_names[] = {"Atkinson", "FloydStenberg", NULL};

PyObject *c9py_init_bitmaptools(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    /* Colorspace is displayio's; make sure its type exists even if displayio was not imported. */
    PyObject *cs = c9py_colorspace_member(C9_COLORSPACE_RGB888);
    if (!cs) {
        goto fail;
    }
    Py_DECREF(cs);
    if (!BlendMode_Type && !(BlendMode_Type = c9py_enum_type_new("bitmaptools.BlendMode", blendmode_names))) {
        goto fail;
    }
    if (!DitherAlgorithm_Type &&
        !(DitherAlgorithm_Type = c9py_enum_type_new("bitmaptools.DitherAlgorithm", dither_names))) {
        goto fail;
    }
    Py_INCREF(BlendMode_Type);
    if (PyModule_AddObject(m, "BlendMode", (PyObject *)BlendMode_Type) < 0) {
        Py_DECREF(BlendMode_Type);
        goto fail;
    }
    Py_INCREF(DitherAlgorithm_Type);
    if (PyModule_AddObject(m, "DitherAlgorithm", (PyObject *)DitherAlgorithm_Type) < 0) {
        Py_DECREF(DitherAlgorithm_Type);
        goto fail;
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
