/* displayio.Group: a list of layers (Group, TileGrid or vectorio shape) with scale, position and hidden. */
#include "c9py.h"
#include "displayio/displayio.h"
#include "vectorio/vectorio.h"

#define SELF ((c9py_group_obj_t *)self)

/* The layer inside a Group or TileGrid (or a subclass instance); NULL when obj is neither or its
 * native part was never constructed. */
static c9_layer_t *layer_of(PyObject *obj) {
    if (PyObject_TypeCheck(obj, &c9py_Group_Type) && c9py_is_ready(obj)) {
        return &((c9py_group_obj_t *)obj)->group.layer;
    }
    if (PyObject_TypeCheck(obj, &c9py_TileGrid_Type) && c9py_is_ready(obj)) {
        return &((c9py_tilegrid_obj_t *)obj)->tg.layer;
    }
    return c9py_vectorio_layer(obj);
}

static c9_layer_t *layer_arg(PyObject *obj) {
    if (PyObject_TypeCheck(obj, &c9py_Group_Type) || PyObject_TypeCheck(obj, &c9py_TileGrid_Type) ||
        c9py_is_vectorshape(obj)) {
        return c9py_ready(obj) < 0 ? NULL : layer_of(obj);
    }
    PyErr_SetString(PyExc_ValueError, "Layer must be a Group or TileGrid subclass");
    return NULL;
}

/* Where Group's messages differ from the table's. */
static const c9py_err_override_t group_errors[] = {
    {C9_ERR_EXIST, NULL, "Layer already in a group"},
    {C9_ERR_INVAL, NULL, "Layer already in a group"},
    {C9_OK},
};

static int check_group_err(c9_err_t err) {
    return err == C9_OK ? 0 : c9py_fail(err, group_errors);
}

static int group_construct(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_scale, ARG_x, ARG_y };
    static const c9py_arg_t allowed[] = {
        {"scale", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"y", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || c9py_check_range(a[ARG_scale].u_int, 1, 32767, "scale") < 0 ||
        c9py_check_range(a[ARG_x].u_int, INT16_MIN, INT16_MAX, "x") < 0 ||
        c9py_check_range(a[ARG_y].u_int, INT16_MIN, INT16_MAX, "y") < 0) {
        return -1;
    }
    PyObject *items = PyList_New(0);
    if (!items) {
        return -1;
    }
    c9_group_init(&SELF->group, c9py_allocator());
    SELF->group.layer.user = self;
    SELF->group.scale = (uint16_t)a[ARG_scale].u_int;
    SELF->group.x = (int16_t)a[ARG_x].u_int;
    SELF->group.y = (int16_t)a[ARG_y].u_int;
    SELF->items = items;
    return 0;
}
C9PY_DEFINE_INIT(group_init, group_construct)

/* The native group, or NULL with the not-constructed error. */
static c9_group_t *native(PyObject *self) {
    return c9py_ready(self) < 0 ? NULL : &SELF->group;
}

static int group_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->items);
    return 0;
}

/* Also the cycle collector's tp_clear: the group goes blank with its items (see TileGrid). */
static int group_clear(PyObject *self) {
    if (c9py_is_ready(self)) {
        c9_group_release(&SELF->group);
        ((c9py_object_t *)self)->c9py_state = C9PY_BLANK;
    }
    Py_CLEAR(SELF->items);
    return 0;
}

static void group_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    group_clear(self);
    Py_TYPE(self)->tp_free(self);
}

static Py_ssize_t group_len(PyObject *self) {
    c9_group_t *g = native(self);
    return g ? (Py_ssize_t)g->count : -1;
}

static int norm_index(PyObject *self, PyObject *key, Py_ssize_t *out, bool for_insert) {
    if (!native(self)) {
        return -1;
    }
    if (PySlice_Check(key)) {
        PyErr_SetString(PyExc_NotImplementedError, "Slices not supported");
        return -1;
    }
    if (!PyIndex_Check(key)) {
        PyErr_Format(PyExc_TypeError, "Group indices must be integers, not %s", c9py_type_name(key));
        return -1;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError), n = (Py_ssize_t)SELF->group.count;
    if (i == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (i < 0) {
        i += n;
    }
    if (for_insert) {
        i = C9_MAX(0, C9_MIN(i, n));
    } else if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "Group index out of range");
        return -1;
    }
    *out = i;
    return 0;
}

static int insert_at(PyObject *self, Py_ssize_t i, PyObject *layer) {
    c9_layer_t *l = layer_arg(layer);
    if (!l || c9py_refresh_pin(layer) < 0 || check_group_err(c9_group_insert(&SELF->group, (uint32_t)i, l)) < 0) {
        return -1;
    }
    if (PyList_Insert(SELF->items, i, layer) < 0) {
        c9_group_remove_at(&SELF->group, (uint32_t)i, NULL);
        return -1;
    }
    return 0;
}

static PyObject *group_append(PyObject *self, PyObject *layer) {
    if (!native(self) || insert_at(self, (Py_ssize_t)SELF->group.count, layer) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *group_insert(PyObject *self, PyObject *args, PyObject *kw) {
    Py_ssize_t i;
    if (c9py_arg_check_call(args, kw, 1, 3, 3, false) < 0 ||
        norm_index(self, PyTuple_GET_ITEM(args, 0), &i, true) < 0 ||
        insert_at(self, i, PyTuple_GET_ITEM(args, 1)) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static Py_ssize_t find(PyObject *self, PyObject *layer) {
    if (!native(self)) {
        return -1;
    }
    c9_layer_t *l = layer_of(layer);
    int32_t i = l ? c9_group_index(&SELF->group, l) : -1;
    if (i < 0) {
        PyErr_SetString(PyExc_ValueError, "object not in sequence");
    }
    return i;
}

static PyObject *group_index(PyObject *self, PyObject *layer) {
    Py_ssize_t i = find(self, layer);
    return i < 0 ? NULL : PyLong_FromSsize_t(i);
}

static PyObject *remove_at(PyObject *self, Py_ssize_t i) {
    if (check_group_err(c9_group_remove_at(&SELF->group, (uint32_t)i, NULL)) < 0) {
        return NULL;
    }
    PyObject *item = PyList_GetItem(SELF->items, i);
    Py_XINCREF(item);
    PySequence_DelItem(SELF->items, i);
    return item;
}

static PyObject *group_pop(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"i", C9PY_ARG_INT, {.u_int = -1}}};
    c9py_argval_t a[1];
    Py_ssize_t i;
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    PyObject *idx = PyLong_FromLong(a[0].u_int);
    int rc = idx ? norm_index(self, idx, &i, false) : -1;
    Py_XDECREF(idx);
    return rc < 0 ? NULL : remove_at(self, i);
}

static PyObject *group_remove(PyObject *self, PyObject *layer) {
    Py_ssize_t i = find(self, layer);
    if (i < 0) {
        return NULL;
    }
    PyObject *item = remove_at(self, i);
    if (!item) {
        return NULL;
    }
    Py_DECREF(item);
    Py_RETURN_NONE;
}

static PyObject *group_sort(PyObject *self, PyObject *args, PyObject *kw) {
    if (!native(self)) {
        return NULL;
    }
    if (SELF->group.read_only) {
        PyErr_SetString(PyExc_RuntimeError, "Read-only");
        return NULL;
    }
    PyObject *copy = PyList_GetSlice(SELF->items, 0, PyList_GET_SIZE(SELF->items));
    if (!copy) {
        return NULL;
    }
    PyObject *sort = PyObject_GetAttrString(copy, "sort");
    PyObject *r = sort ? PyObject_Call(sort, args, kw) : NULL;
    Py_XDECREF(sort);
    if (!r) {
        Py_DECREF(copy);
        return NULL;
    }
    Py_DECREF(r);
    Py_ssize_t n = PyList_GET_SIZE(copy);
    size_t order_size = sizeof(c9_layer_t *) * (size_t)(n ? n : 1);
    c9_layer_t **order = c9py_malloc(order_size);
    if (!order) {
        Py_DECREF(copy);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        order[i] = layer_of(PyList_GET_ITEM(copy, i));
    }
    c9_err_t err = c9_group_reorder(&SELF->group, order, (uint32_t)n);
    c9py_free(order, order_size);
    if (err != C9_OK) {
        Py_DECREF(copy);
        return c9py_raise(err);
    }
    Py_SETREF(SELF->items, copy);
    Py_RETURN_NONE;
}

static PyObject *group_getitem(PyObject *self, PyObject *key) {
    Py_ssize_t i;
    if (norm_index(self, key, &i, false) < 0) {
        return NULL;
    }
    PyObject *item = PyList_GET_ITEM(SELF->items, i);
    Py_INCREF(item);
    return item;
}

static int group_setitem(PyObject *self, PyObject *key, PyObject *value) {
    Py_ssize_t i;
    if (norm_index(self, key, &i, false) < 0) {
        return -1;
    }
    if (!value) {
        PyObject *item = remove_at(self, i);
        Py_XDECREF(item);
        return item ? 0 : -1;
    }
    c9_layer_t *l = layer_arg(value);
    if (!l || c9py_refresh_pin(value) < 0 || check_group_err(c9_group_set(&SELF->group, (uint32_t)i, l)) < 0) {
        return -1;
    }
    Py_INCREF(value);
    return PyList_SetItem(SELF->items, i, value);
}

static int group_contains(PyObject *self, PyObject *value) {
    if (!native(self)) {
        return -1;
    }
    c9_layer_t *l = layer_of(value);
    return l && c9_group_index(&SELF->group, l) >= 0;
}

static PyObject *group_iter(PyObject *self) {
    return native(self) ? PyObject_GetIter(SELF->items) : NULL;
}

static PyObject *get_hidden(PyObject *self, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    return g ? PyBool_FromLong(g->hidden) : NULL;
}
static int set_hidden(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    int h = g ? c9py_setter_bool(v) : -1;
    if (h < 0) {
        return -1;
    }
    g->hidden = h;
    return 0;
}

static PyObject *get_scale(PyObject *self, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    return g ? PyLong_FromLong(g->scale) : NULL;
}
static int set_scale(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    long s;
    /* The constructor's range (CircuitPython's setter checks only >= 1 and stores 16 bits). */
    if (!g || c9py_setter_int_range(v, 1, 32767, "scale", &s) < 0) {
        return -1;
    }
    g->scale = (uint16_t)s;
    return 0;
}

static PyObject *get_x(PyObject *self, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    return g ? PyLong_FromLong(g->x) : NULL;
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    long x;
    if (!g || c9py_setter_int_range(v, INT16_MIN, INT16_MAX, "x", &x) < 0) {
        return -1;
    }
    g->x = (int16_t)x;
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    return g ? PyLong_FromLong(g->y) : NULL;
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    (void)c;
    c9_group_t *g = native(self);
    long y;
    if (!g || c9py_setter_int_range(v, INT16_MIN, INT16_MAX, "y", &y) < 0) {
        return -1;
    }
    g->y = (int16_t)y;
    return 0;
}

static PyMethodDef methods[] = {
    {"append", group_append, METH_O, "Append a layer to the group."},
    {"insert", (PyCFunction)(void (*)(void))group_insert, METH_VARARGS | METH_KEYWORDS,
     "Insert a layer into the group."},
    {"index", group_index, METH_O, "Returns the index of the first copy of layer."},
    {"pop", (PyCFunction)(void (*)(void))group_pop, METH_VARARGS | METH_KEYWORDS, "Remove the ith item and return it."},
    {"remove", group_remove, METH_O, "Remove the first copy of layer."},
    {"sort", (PyCFunction)(void (*)(void))group_sort, METH_VARARGS | METH_KEYWORDS, "Sort the members of the group."},
    {NULL, NULL, 0, NULL},
};
static PyGetSetDef getset[] = {
    {"hidden", get_hidden, set_hidden, "True when the Group and all of its layers are not visible.", NULL},
    {"scale", get_scale, set_scale, "Scales each pixel within the Group in both directions.", NULL},
    {"x", get_x, set_x, "X position of the Group in the parent.", NULL},
    {"y", get_y, set_y, "Y position of the Group in the parent.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};
static PySequenceMethods seq = {.sq_length = group_len, .sq_contains = group_contains};
static PyMappingMethods map = {
    .mp_length = group_len, .mp_subscript = group_getitem, .mp_ass_subscript = group_setitem};

PyTypeObject c9py_Group_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "displayio.Group",
    .tp_basicsize = sizeof(c9py_group_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Group(*, scale=1, x=0, y=0)",
    .tp_new = c9py_native_new,
    .tp_init = group_init,
    .tp_dealloc = group_dealloc,
    .tp_traverse = group_traverse,
    .tp_clear = group_clear,
    .tp_iter = group_iter,
    .tp_as_sequence = &seq,
    .tp_as_mapping = &map,
    .tp_methods = methods,
    .tp_getset = getset,
};
