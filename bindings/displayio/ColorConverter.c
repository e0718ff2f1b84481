/* displayio.ColorConverter: input colorspace -> RGB565 with CircuitPython's expansion rules. */
#include "c9py.h"
#include "displayio/displayio.h"

#define SELF ((c9py_colorconverter_obj_t *)self)

static int cc_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_dither, ARG_input_colorspace };
    static const c9py_arg_t allowed[] = {
        {"dither", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"input_colorspace", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return -1;
    }
    int cs = C9_COLORSPACE_RGB888;
    if (a[ARG_input_colorspace].u_obj &&
        (cs = c9py_colorspace(a[ARG_input_colorspace].u_obj, "input_colorspace")) < 0) {
        return -1;
    }
    c9_colorconverter_init(&SELF->cc, (c9_colorspace_t)cs, a[ARG_dither].u_bool);
    return 0;
}
C9PY_DEFINE_INIT(cc_init, cc_construct)

static int color_arg(PyObject *self, PyObject *arg, uint32_t *out) {
    long v;
    if (c9py_ready(self) < 0 || c9py_int(arg, "color", &v) < 0) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static PyObject *cc_convert(PyObject *self, PyObject *arg) {
    uint32_t c;
    if (color_arg(self, arg, &c) < 0) {
        return NULL;
    }
    return PyLong_FromLong(c9_colorconverter_convert(&SELF->cc, c, 0, 0));
}

static PyObject *cc_make_transparent(PyObject *self, PyObject *arg) {
    uint32_t c;
    if (color_arg(self, arg, &c) < 0) {
        return NULL;
    }
    if (SELF->cc.has_transparent) {
        PyErr_SetString(PyExc_RuntimeError, "Only one color can be transparent at a time");
        return NULL;
    }
    SELF->cc.has_transparent = true;
    SELF->cc.transparent_color = c;
    Py_RETURN_NONE;
}

static PyObject *cc_make_opaque(PyObject *self, PyObject *arg) {
    /* CircuitPython ignores the argument: there is only one transparent colour. */
    uint32_t c;
    if (color_arg(self, arg, &c) < 0) {
        return NULL;
    }
    SELF->cc.has_transparent = false;
    SELF->cc.transparent_color = 0;
    Py_RETURN_NONE;
}

static PyObject *get_dither(PyObject *self, void *c) {
    (void)c;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return PyBool_FromLong(SELF->cc.dither);
}
static int set_dither(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int d = c9py_ready(self) < 0 ? -1 : c9py_setter_bool(v);
    if (d < 0) {
        return -1;
    }
    SELF->cc.dither = d;
    return 0;
}

static PyMethodDef methods[] = {
    {"convert", cc_convert, METH_O, "Converts the given colour to RGB565."},
    {"make_transparent", cc_make_transparent, METH_O, "Set the transparent colour."},
    {"make_opaque", cc_make_opaque, METH_O, "Clear the transparent colour."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"dither", get_dither, set_dither, "When true the converter dithers the output.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_ColorConverter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.ColorConverter",
    .tp_basicsize = sizeof(c9py_colorconverter_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "ColorConverter(*, input_colorspace=Colorspace.RGB888, dither=False)",
    .tp_new = c9py_native_new,
    .tp_init = cc_init,
    .tp_methods = methods,
    .tp_getset = getset,
};
