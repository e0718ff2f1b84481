/* terminalio: FONT, the built-in Terminus 6x12 font the console uses, and Terminal, which writes a
 * character stream with VT100 sequences into TileGrids of that font (the core's c9_terminal_t). */
#include "c9py.h"
#include "displayio/displayio.h"
#include "fontio/fontio.h"

typedef struct {
    C9PY_OBJECT_HEAD c9_terminal_t term;
    PyObject *scroll_area; /* the grids the core writes to, kept alive with the terminal */
    PyObject *status_bar;
    PyObject *font;
} terminal_obj_t;

#define SELF ((terminal_obj_t *)self)

/* A TileGrid argument (subclasses too), constructed; its grid or NULL with the exception. */
static c9_tilegrid_t *grid_arg(PyObject *obj, const char *name) {
    if (c9py_check_type(obj, &c9py_TileGrid_Type, name) < 0 || c9py_ready(obj) < 0) {
        return NULL;
    }
    return &((c9py_tilegrid_obj_t *)obj)->tg;
}

static int terminal_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_scroll_area, ARG_font, ARG_status_bar };
    static const c9py_arg_t allowed[] = {
        {"scroll_area", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"font", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"status_bar", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return -1;
    }
    c9_tilegrid_t *scroll = grid_arg(a[ARG_scroll_area].u_obj, "scroll_area"), *status = NULL;
    if (!scroll) {
        return -1;
    }
    if (a[ARG_status_bar].u_obj != Py_None && !(status = grid_arg(a[ARG_status_bar].u_obj, "status_bar"))) {
        return -1;
    }
    const c9_builtin_font_t *font = c9py_builtin_font(a[ARG_font].u_obj, "font");
    if (!font || c9py_check_min((long)scroll->width * scroll->height, 2, "scroll_area_area") < 0) {
        return -1;
    }
    c9_err_t err = c9_terminal_init(&SELF->term, scroll, status, font);
    if (err != C9_OK) {
        return c9py_fail(err, NULL);
    }
    SELF->scroll_area = Py_NewRef(a[ARG_scroll_area].u_obj);
    SELF->status_bar = Py_NewRef(a[ARG_status_bar].u_obj);
    SELF->font = Py_NewRef(a[ARG_font].u_obj);
    return 0;
}
C9PY_DEFINE_INIT(terminal_init, terminal_construct)

static int terminal_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->scroll_area);
    Py_VISIT(SELF->status_bar);
    Py_VISIT(SELF->font);
    return 0;
}

static int terminal_clear(PyObject *self) {
    /* The grids may go only with the terminal: a cleared terminal is a blank one. */
    ((c9py_object_t *)self)->c9py_state = C9PY_BLANK;
    Py_CLEAR(SELF->scroll_area);
    Py_CLEAR(SELF->status_bar);
    Py_CLEAR(SELF->font);
    return 0;
}

static void terminal_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    terminal_clear(self);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *terminal_write(PyObject *self, PyObject *arg) {
    Py_buffer buf;
    if (c9py_ready(self) < 0 || c9py_get_buffer(arg, &buf, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    size_t n = c9_terminal_write(&SELF->term, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    return PyLong_FromSize_t(n);
}

static PyMethodDef terminal_methods[] = {
    {"write", terminal_write, METH_O, "Write the buffer of bytes to the terminal; returns the bytes written."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Terminal_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "terminalio.Terminal",
    .tp_basicsize = sizeof(terminal_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Terminal(scroll_area, font, *, status_bar=None): display a character stream with a TileGrid.",
    .tp_new = c9py_native_new,
    .tp_init = terminal_init,
    .tp_dealloc = terminal_dealloc,
    .tp_traverse = terminal_traverse,
    .tp_clear = terminal_clear,
    .tp_methods = terminal_methods,
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "terminalio",
                                 "Displays text in a TileGrid (the FONT the console uses).", -1, NULL};

PyObject *c9py_init_terminalio(void) {
    PyObject *m = c9py_display_types_ready() < 0 ? NULL : PyModule_Create(&def);
    PyObject *font = m ? c9py_terminal_font() : NULL;
    if (!font || c9py_add_type(m, "Terminal", &Terminal_Type) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    Py_INCREF(font);
    if (PyModule_AddObject(m, "FONT", font) < 0) {
        Py_DECREF(font);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
