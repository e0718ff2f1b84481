/* displayio.TileGrid: cells showing tiles of a Bitmap or OnDiskBitmap through a pixel shader. */
#include "c9py_display.h"

#define SELF ((c9py_tilegrid_obj_t *)self)

static int source_of(PyObject *bitmap, c9_source_type_t *type, void **src) {
    if (PyObject_TypeCheck(bitmap, &c9py_Bitmap_Type)) {
        c9_bitmap_t *b = c9py_bitmap(bitmap, "bitmap");
        if (!b) {
            return -1;
        }
        *type = C9_SOURCE_BITMAP;
        *src = b;
        return 0;
    }
    if (PyObject_TypeCheck(bitmap, &c9py_OnDiskBitmap_Type) && ((c9py_ondiskbitmap_obj_t *)bitmap)->ready) {
        *type = C9_SOURCE_ONDISK;
        *src = &((c9py_ondiskbitmap_obj_t *)bitmap)->odb;
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "unsupported bitmap type");
    return -1;
}

static int shader_of(PyObject *shader, c9_shader_type_t *type, void **out) {
    if (PyObject_TypeCheck(shader, &c9py_Palette_Type)) {
        *type = C9_SHADER_PALETTE;
        *out = &((c9py_palette_obj_t *)shader)->palette;
        return 0;
    }
    if (PyObject_TypeCheck(shader, &c9py_ColorConverter_Type)) {
        *type = C9_SHADER_COLORCONVERTER;
        *out = &((c9py_colorconverter_obj_t *)shader)->cc;
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "unsupported pixel_shader type");
    return -1;
}

static PyObject *tilegrid_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"bitmap",      "pixel_shader", "width", "height", "tile_width",
                             "tile_height", "default_tile", "x",     "y",      NULL};
    PyObject *bitmap, *shader_obj = NULL, *o[7] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$OOOOOOOO:TileGrid", kwlist, &bitmap, &shader_obj, &o[0], &o[1],
                                     &o[2], &o[3], &o[4], &o[5], &o[6])) {
        return NULL;
    }
    if (!shader_obj) {
        PyErr_SetString(PyExc_TypeError, "'pixel_shader' argument required");
        return NULL;
    }
    static const char *names[7] = {"width", "height", "tile_width", "tile_height", "default_tile", "x", "y"};
    long v[7] = {1, 1, 0, 0, 0, 0, 0};
    for (int i = 0; i < 7; i++) {
        if (o[i] && c9py_int(o[i], names[i], &v[i]) < 0) {
            return NULL;
        }
    }
    if (c9py_check_range(v[0], 1, 65535, "width") < 0 || c9py_check_range(v[1], 1, 65535, "height") < 0 ||
        c9py_check_range(v[2], 0, 65535, "tile_width") < 0 || c9py_check_range(v[3], 0, 65535, "tile_height") < 0 ||
        c9py_check_range(v[4], 0, 255, "default_tile") < 0) {
        return NULL;
    }
    c9_tilegrid_config_t cfg = {0};
    if (source_of(bitmap, &cfg.source_type, &cfg.source) < 0 ||
        shader_of(shader_obj, &cfg.shader_type, &cfg.shader) < 0) {
        return NULL;
    }
    cfg.width = (uint16_t)v[0];
    cfg.height = (uint16_t)v[1];
    cfg.tile_width = (uint16_t)v[2];
    cfg.tile_height = (uint16_t)v[3];
    cfg.default_tile = (uint16_t)v[4];
    cfg.x = (int16_t)v[5];
    cfg.y = (int16_t)v[6];
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    char bad = 0;
    c9_err_t err = c9_tilegrid_init(&SELF->tg, &cfg, c9py_allocator(), &bad);
    if (err != C9_OK) {
        Py_DECREF(self);
        if (err == C9_ERR_INVAL) {
            PyErr_SetString(PyExc_ValueError, bad == 'h' ? "Tile height must exactly divide bitmap height"
                                                         : "Tile width must exactly divide bitmap width");
            return NULL;
        }
        if (err == C9_ERR_NOMEM) {
            return c9py_raise_nomem((size_t)cfg.width * cfg.height * sizeof(uint16_t));
        }
        return c9py_raise(err);
    }
    SELF->tg.layer.user = self;
    Py_INCREF(bitmap);
    SELF->bitmap = bitmap;
    Py_INCREF(shader_obj);
    SELF->shader = shader_obj;
    SELF->ready = true;
    return self;
}

static int tg_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->bitmap);
    Py_VISIT(SELF->shader);
    return 0;
}

static int tg_clear(PyObject *self) {
    Py_CLEAR(SELF->bitmap);
    Py_CLEAR(SELF->shader);
    return 0;
}

static void tg_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    c9_tilegrid_release(&SELF->tg);
    SELF->ready = false;
    tg_clear(self);
    Py_TYPE(self)->tp_free(self);
}

/* [i] or [x, y] -> cell coordinates. */
static int cell_index(PyObject *self, PyObject *key, uint16_t *x, uint16_t *y) {
    long cx, cy;
    c9_tilegrid_t *tg = &SELF->tg;
    if (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 2) {
        if (c9py_int(PyTuple_GET_ITEM(key, 0), "x", &cx) < 0 || c9py_int(PyTuple_GET_ITEM(key, 1), "y", &cy) < 0) {
            return -1;
        }
    } else if (PyLong_Check(key)) {
        long i = PyLong_AsLong(key);
        if (i == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (i < 0 || i >= (long)tg->width * tg->height) {
            PyErr_SetString(PyExc_IndexError, "Tile index out of bounds");
            return -1;
        }
        cx = i % tg->width;
        cy = i / tg->width;
    } else {
        PyErr_SetString(PyExc_TypeError, "index must be an int or a tuple (x, y)");
        return -1;
    }
    if (cx < 0 || cy < 0 || cx >= tg->width || cy >= tg->height) {
        PyErr_SetString(PyExc_IndexError, "Tile index out of bounds");
        return -1;
    }
    *x = (uint16_t)cx;
    *y = (uint16_t)cy;
    return 0;
}

static PyObject *tg_getitem(PyObject *self, PyObject *key) {
    uint16_t x, y;
    if (cell_index(self, key, &x, &y) < 0) {
        return NULL;
    }
    return PyLong_FromLong(c9_tilegrid_get_tile(&SELF->tg, x, y));
}

static int tg_setitem(PyObject *self, PyObject *key, PyObject *value) {
    uint16_t x, y;
    long tile;
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "'TileGrid' object doesn't support item deletion");
        return -1;
    }
    if (cell_index(self, key, &x, &y) < 0 || c9py_int(value, "tile", &tile) < 0 ||
        c9py_check_range(tile, 0, 255, "tile") < 0) {
        return -1;
    }
    c9_tilegrid_set_tile(&SELF->tg, x, y, (uint16_t)tile);
    return 0;
}

static PyObject *tg_contains(PyObject *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "touch_tuple must be a tuple");
    if (!seq) {
        return NULL;
    }
    long x, y;
    int ok = PySequence_Fast_GET_SIZE(seq) >= 2 && c9py_int(PySequence_Fast_GET_ITEM(seq, 0), "x", &x) == 0 &&
             c9py_int(PySequence_Fast_GET_ITEM(seq, 1), "y", &y) == 0;
    Py_DECREF(seq);
    if (!ok) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "touch_tuple must have at least 2 items");
        }
        return NULL;
    }
    return PyBool_FromLong(c9_tilegrid_contains(&SELF->tg, (int32_t)x, (int32_t)y));
}

#define BOOL_PROP(name, getexpr, setcall)                                                                              \
    static PyObject *get_##name(PyObject *self, void *c) {                                                             \
        return PyBool_FromLong(getexpr);                                                                               \
    }                                                                                                                  \
    static int set_##name(PyObject *self, PyObject *v, void *c) {                                                      \
        int b = c9py_setter_bool(v);                                                                                   \
        if (b < 0) {                                                                                                   \
            return -1;                                                                                                 \
        }                                                                                                              \
        setcall;                                                                                                       \
        return 0;                                                                                                      \
    }

BOOL_PROP(hidden, SELF->tg.hidden, c9_tilegrid_set_hidden(&SELF->tg, b))
BOOL_PROP(flip_x, SELF->tg.flip_x, c9_tilegrid_set_flip(&SELF->tg, b, SELF->tg.flip_y, SELF->tg.transpose_xy))
BOOL_PROP(flip_y, SELF->tg.flip_y, c9_tilegrid_set_flip(&SELF->tg, SELF->tg.flip_x, b, SELF->tg.transpose_xy))
BOOL_PROP(transpose_xy, SELF->tg.transpose_xy, c9_tilegrid_set_flip(&SELF->tg, SELF->tg.flip_x, SELF->tg.flip_y, b))

static PyObject *get_x(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.x);
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    long x;
    if (c9py_setter_value(v) < 0 || c9py_int(v, "x", &x) < 0) {
        return -1;
    }
    c9_tilegrid_set_position(&SELF->tg, (int16_t)x, SELF->tg.y);
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.y);
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    long y;
    if (c9py_setter_value(v) < 0 || c9py_int(v, "y", &y) < 0) {
        return -1;
    }
    c9_tilegrid_set_position(&SELF->tg, SELF->tg.x, (int16_t)y);
    return 0;
}
static PyObject *get_width(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.width);
}
static PyObject *get_height(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.height);
}
static PyObject *get_tile_width(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.tile_width);
}
static PyObject *get_tile_height(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->tg.tile_height);
}

static PyObject *get_shader(PyObject *self, void *c) {
    Py_INCREF(SELF->shader);
    return SELF->shader;
}
static int set_shader(PyObject *self, PyObject *v, void *c) {
    c9_shader_type_t t;
    void *s;
    if (c9py_setter_value(v) < 0 || shader_of(v, &t, &s) < 0 || c9py_refresh_pin(v) < 0) {
        return -1;
    }
    c9_tilegrid_set_shader(&SELF->tg, t, s);
    Py_INCREF(v);
    Py_SETREF(SELF->shader, v);
    return 0;
}

static PyObject *get_bitmap(PyObject *self, void *c) {
    Py_INCREF(SELF->bitmap);
    return SELF->bitmap;
}
static int set_bitmap(PyObject *self, PyObject *v, void *c) {
    c9_source_type_t t;
    void *s;
    if (c9py_setter_value(v) < 0 || source_of(v, &t, &s) < 0 || c9py_refresh_pin(v) < 0) {
        return -1;
    }
    if (c9_tilegrid_set_source(&SELF->tg, t, s) != C9_OK) {
        PyErr_SetString(PyExc_ValueError, "New bitmap must be same size as old bitmap");
        return -1;
    }
    Py_INCREF(v);
    Py_SETREF(SELF->bitmap, v);
    return 0;
}

static PyMethodDef methods[] = {
    {"contains", tg_contains, METH_O, "Returns True if the first two values in touch_tuple are within the grid."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"hidden", get_hidden, set_hidden, "True when the TileGrid is hidden.", NULL},
    {"x", get_x, set_x, "X position of the left edge in the parent.", NULL},
    {"y", get_y, set_y, "Y position of the top edge in the parent.", NULL},
    {"width", get_width, NULL, "Width of the tilegrid in tiles.", NULL},
    {"height", get_height, NULL, "Height of the tilegrid in tiles.", NULL},
    {"tile_width", get_tile_width, NULL, "Width of a single tile in pixels.", NULL},
    {"tile_height", get_tile_height, NULL, "Height of a single tile in pixels.", NULL},
    {"flip_x", get_flip_x, set_flip_x, "If true, the left edge rendered will be the right edge.", NULL},
    {"flip_y", get_flip_y, set_flip_y, "If true, the top edge rendered will be the bottom edge.", NULL},
    {"transpose_xy", get_transpose_xy, set_transpose_xy, "If true, the TileGrid's axis will be swapped.", NULL},
    {"pixel_shader", get_shader, set_shader, "The pixel shader of the tilegrid.", NULL},
    {"bitmap", get_bitmap, set_bitmap, "The bitmap of the tilegrid.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PyMappingMethods map = {.mp_subscript = tg_getitem, .mp_ass_subscript = tg_setitem};

PyTypeObject c9py_TileGrid_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.TileGrid",
    .tp_basicsize = sizeof(c9py_tilegrid_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "TileGrid(bitmap, *, pixel_shader, width=1, height=1, tile_width=None, tile_height=None, "
              "default_tile=0, x=0, y=0)",
    .tp_new = tilegrid_new,
    .tp_dealloc = tg_dealloc,
    .tp_traverse = tg_traverse,
    .tp_clear = tg_clear,
    .tp_as_mapping = &map,
    .tp_methods = methods,
    .tp_getset = getset,
};
