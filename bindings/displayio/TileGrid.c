/* displayio.TileGrid: cells showing tiles of a Bitmap or OnDiskBitmap through a pixel shader. */
#include "c9py.h"
#include "displayio/displayio.h"

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
    if (PyObject_TypeCheck(bitmap, &c9py_OnDiskBitmap_Type)) {
        if (c9py_ready(bitmap) < 0) {
            return -1;
        }
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
        return c9py_ready(shader);
    }
    if (PyObject_TypeCheck(shader, &c9py_ColorConverter_Type)) {
        *type = C9_SHADER_COLORCONVERTER;
        *out = &((c9py_colorconverter_obj_t *)shader)->cc;
        return c9py_ready(shader);
    }
    PyErr_SetString(PyExc_TypeError, "unsupported pixel_shader type");
    return -1;
}

static int tilegrid_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum {
        ARG_bitmap,
        ARG_pixel_shader,
        ARG_width,
        ARG_height,
        ARG_tile_width,
        ARG_tile_height,
        ARG_default_tile,
        ARG_x,
        ARG_y
    };
    static const c9py_arg_t allowed[] = {
        {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"pixel_shader", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY | C9PY_ARG_REQUIRED},
        {"width", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"height", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"tile_width", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"tile_height", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"default_tile", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"y", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[9];
    c9_tilegrid_config_t cfg = {0};
    if (c9py_arg_parse(args, kw, allowed, 9, a) < 0 ||
        source_of(a[ARG_bitmap].u_obj, &cfg.source_type, &cfg.source) < 0 ||
        shader_of(a[ARG_pixel_shader].u_obj, &cfg.shader_type, &cfg.shader) < 0 ||
        c9py_check_range(a[ARG_width].u_int, 1, 65535, "width") < 0 ||
        c9py_check_range(a[ARG_height].u_int, 1, 65535, "height") < 0 ||
        c9py_check_range(a[ARG_tile_width].u_int, 0, 65535, "tile_width") < 0 ||
        c9py_check_range(a[ARG_tile_height].u_int, 0, 65535, "tile_height") < 0 ||
        c9py_check_range(a[ARG_default_tile].u_int, 0, 255, "default_tile") < 0 ||
        c9py_check_range(a[ARG_x].u_int, INT16_MIN, INT16_MAX, "x") < 0 ||
        c9py_check_range(a[ARG_y].u_int, INT16_MIN, INT16_MAX, "y") < 0) {
        return -1;
    }
    cfg.width = (uint16_t)a[ARG_width].u_int;
    cfg.height = (uint16_t)a[ARG_height].u_int;
    cfg.tile_width = (uint16_t)a[ARG_tile_width].u_int;
    cfg.tile_height = (uint16_t)a[ARG_tile_height].u_int;
    cfg.default_tile = (uint16_t)a[ARG_default_tile].u_int;
    cfg.x = (int16_t)a[ARG_x].u_int;
    cfg.y = (int16_t)a[ARG_y].u_int;
    char bad = 0;
    c9_err_t err = c9_tilegrid_init(&SELF->tg, &cfg, c9py_allocator(), &bad);
    if (err != C9_OK) {
        if (err == C9_ERR_NOMEM) { /* the tile array: counted against the board's memory */
            c9py_raise_nomem((size_t)cfg.width * cfg.height * sizeof(uint16_t));
            return -1;
        }
        const c9py_err_override_t msg[] = {{C9_ERR_INVAL, NULL,
                                            bad == 'h' ? "Tile height must exactly divide bitmap height"
                                                       : "Tile width must exactly divide bitmap width"},
                                           {C9_OK}};
        return c9py_fail(err, msg);
    }
    SELF->tg.layer.user = self;
    Py_INCREF(a[ARG_bitmap].u_obj);
    SELF->bitmap = a[ARG_bitmap].u_obj;
    Py_INCREF(a[ARG_pixel_shader].u_obj);
    SELF->shader = a[ARG_pixel_shader].u_obj;
    return 0;
}
C9PY_DEFINE_INIT(tilegrid_init, tilegrid_construct)

/* The native grid, or NULL with the not-constructed error. */
static c9_tilegrid_t *grid(PyObject *self) {
    return c9py_ready(self) < 0 ? NULL : &SELF->tg;
}

static int tg_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->bitmap);
    Py_VISIT(SELF->shader);
    return 0;
}

/* Also the cycle collector's tp_clear: the grid goes blank with its references, so that a
 * finalizer still holding it gets the not-constructed error instead of a grid without a bitmap. */
static int tg_clear(PyObject *self) {
    if (c9py_is_ready(self)) {
        c9_tilegrid_release(&SELF->tg);
        ((c9py_object_t *)self)->c9py_state = C9PY_BLANK;
    }
    Py_CLEAR(SELF->bitmap);
    Py_CLEAR(SELF->shader);
    return 0;
}

static void tg_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    tg_clear(self);
    Py_TYPE(self)->tp_free(self);
}

/* [i] or [x, y] -> cell coordinates. */
static int cell_index(PyObject *self, PyObject *key, uint16_t *x, uint16_t *y) {
    long cx, cy;
    c9_tilegrid_t *tg = grid(self);
    if (!tg) {
        return -1;
    }
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
    if (!grid(self)) {
        return NULL;
    }
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
        (void)c;                                                                                                       \
        return grid(self) ? PyBool_FromLong(getexpr) : NULL;                                                           \
    }                                                                                                                  \
    static int set_##name(PyObject *self, PyObject *v, void *c) {                                                      \
        (void)c;                                                                                                       \
        int b = grid(self) ? c9py_setter_bool(v) : -1;                                                                 \
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
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->x) : NULL;
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    long x;
    if (!tg || c9py_setter_int_range(v, INT16_MIN, INT16_MAX, "x", &x) < 0) {
        return -1;
    }
    c9_tilegrid_set_position(tg, (int16_t)x, tg->y);
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->y) : NULL;
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    long y;
    if (!tg || c9py_setter_int_range(v, INT16_MIN, INT16_MAX, "y", &y) < 0) {
        return -1;
    }
    c9_tilegrid_set_position(tg, tg->x, (int16_t)y);
    return 0;
}
static PyObject *get_width(PyObject *self, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->width) : NULL;
}
static PyObject *get_height(PyObject *self, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->height) : NULL;
}
static PyObject *get_tile_width(PyObject *self, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->tile_width) : NULL;
}
static PyObject *get_tile_height(PyObject *self, void *c) {
    (void)c;
    c9_tilegrid_t *tg = grid(self);
    return tg ? PyLong_FromLong(tg->tile_height) : NULL;
}

static PyObject *get_shader(PyObject *self, void *c) {
    (void)c;
    if (!grid(self)) {
        return NULL;
    }
    Py_INCREF(SELF->shader);
    return SELF->shader;
}
static int set_shader(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_shader_type_t t;
    void *s;
    if (!grid(self) || c9py_setter_present(v) < 0 || shader_of(v, &t, &s) < 0 || c9py_refresh_pin(v) < 0) {
        return -1;
    }
    c9_tilegrid_set_shader(&SELF->tg, t, s);
    Py_INCREF(v);
    Py_SETREF(SELF->shader, v);
    return 0;
}

static PyObject *get_bitmap(PyObject *self, void *c) {
    (void)c;
    if (!grid(self)) {
        return NULL;
    }
    Py_INCREF(SELF->bitmap);
    return SELF->bitmap;
}
static int set_bitmap(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_source_type_t t;
    void *s;
    if (!grid(self) || c9py_setter_present(v) < 0 || source_of(v, &t, &s) < 0 || c9py_refresh_pin(v) < 0) {
        return -1;
    }
    c9_err_t err = c9_tilegrid_set_source(&SELF->tg, t, s);
    if (err != C9_OK) {
        static const c9py_err_override_t msg[] = {{C9_ERR_INVAL, NULL, "New bitmap must be same size as old bitmap"},
                                                  {C9_OK}};
        return c9py_fail(err, msg);
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
    .tp_new = c9py_native_new,
    .tp_init = tilegrid_init,
    .tp_dealloc = tg_dealloc,
    .tp_traverse = tg_traverse,
    .tp_clear = tg_clear,
    .tp_as_mapping = &map,
    .tp_methods = methods,
    .tp_getset = getset,
};
