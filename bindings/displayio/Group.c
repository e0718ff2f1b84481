/* displayio.Group: a list of layers (Group or TileGrid) with scale, position and hidden. */
#include "c9py_display.h"

#define SELF ((c9py_group_obj_t *)self)

static c9_layer_t *layer_of(PyObject *obj) {
    if (PyObject_TypeCheck(obj, &c9py_Group_Type)) {
        return &((c9py_group_obj_t *)obj)->group.layer;
    }
    if (PyObject_TypeCheck(obj, &c9py_TileGrid_Type) && ((c9py_tilegrid_obj_t *)obj)->ready) {
        return &((c9py_tilegrid_obj_t *)obj)->tg.layer;
    }
    return NULL;
}

static c9_layer_t *layer_arg(PyObject *obj) {
    c9_layer_t *l = layer_of(obj);
    if (!l) {
        PyErr_SetString(PyExc_ValueError, "Layer must be a Group or TileGrid subclass");
    }
    return l;
}

static int check_group_err(c9_err_t err) {
    switch (err) {
    case C9_OK: return 0;
    case C9_ERR_EXIST:
    case C9_ERR_INVAL: PyErr_SetString(PyExc_ValueError, "Layer already in a group"); break;
    case C9_ERR_PERM: PyErr_SetString(PyExc_RuntimeError, "Read-only"); break;
    default: c9py_raise(err); break;
    }
    return -1;
}

static PyObject *group_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"scale", "x", "y", NULL};
    PyObject *scale_o = NULL, *x_o = NULL, *y_o = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$OOO:Group", kwlist, &scale_o, &x_o, &y_o)) {
        return NULL;
    }
    long scale = 1, x = 0, y = 0;
    if ((scale_o && c9py_int_range(scale_o, 1, 32767, "scale", &scale) < 0) || (x_o && c9py_int(x_o, "x", &x) < 0) ||
        (y_o && c9py_int(y_o, "y", &y) < 0)) {
        return NULL;
    }
    PyObject *self = type->tp_alloc(type, 0);
    if (!self) {
        return NULL;
    }
    c9_group_init(&SELF->group, c9py_allocator());
    SELF->group.layer.user = self;
    SELF->group.scale = (uint16_t)scale;
    SELF->group.x = (int16_t)x;
    SELF->group.y = (int16_t)y;
    SELF->items = PyList_New(0);
    if (!SELF->items) {
        Py_DECREF(self);
        return NULL;
    }
    return self;
}

static int group_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(SELF->items);
    return 0;
}

static int group_clear(PyObject *self) {
    c9_group_release(&SELF->group);
    Py_CLEAR(SELF->items);
    return 0;
}

static void group_dealloc(PyObject *self) {
    PyObject_GC_UnTrack(self);
    group_clear(self);
    Py_TYPE(self)->tp_free(self);
}

static Py_ssize_t group_len(PyObject *self) {
    return (Py_ssize_t)SELF->group.count;
}

static int norm_index(PyObject *self, PyObject *key, Py_ssize_t *out, bool for_insert) {
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
    if (insert_at(self, (Py_ssize_t)SELF->group.count, layer) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *group_insert(PyObject *self, PyObject *args) {
    PyObject *idx, *layer;
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "OO:insert", &idx, &layer) || norm_index(self, idx, &i, true) < 0 ||
        insert_at(self, i, layer) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static Py_ssize_t find(PyObject *self, PyObject *layer) {
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

static PyObject *group_pop(PyObject *self, PyObject *args) {
    PyObject *idx = NULL;
    Py_ssize_t i = (Py_ssize_t)SELF->group.count - 1;
    if (!PyArg_ParseTuple(args, "|O:pop", &idx)) {
        return NULL;
    }
    if (idx && norm_index(self, idx, &i, false) < 0) {
        return NULL;
    }
    if (!idx && i < 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty list");
        return NULL;
    }
    return remove_at(self, i);
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
    c9_layer_t *l = layer_of(value);
    return l && c9_group_index(&SELF->group, l) >= 0;
}

static PyObject *group_iter(PyObject *self) {
    return PyObject_GetIter(SELF->items);
}

static PyObject *get_hidden(PyObject *self, void *c) {
    return PyBool_FromLong(SELF->group.hidden);
}
static int set_hidden(PyObject *self, PyObject *v, void *c) {
    int h = c9py_setter_bool(v);
    if (h < 0) {
        return -1;
    }
    SELF->group.hidden = h;
    return 0;
}

static PyObject *get_scale(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->group.scale);
}
static int set_scale(PyObject *self, PyObject *v, void *c) {
    long s;
    if (c9py_setter_value(v) < 0 || c9py_int(v, "scale", &s) < 0 || c9py_check_min(s, 1, "scale") < 0) {
        return -1;
    }
    SELF->group.scale = (uint16_t)C9_MIN(s, 65535);
    return 0;
}

static PyObject *get_x(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->group.x);
}
static int set_x(PyObject *self, PyObject *v, void *c) {
    long x;
    if (c9py_setter_value(v) < 0 || c9py_int(v, "x", &x) < 0) {
        return -1;
    }
    SELF->group.x = (int16_t)x;
    return 0;
}
static PyObject *get_y(PyObject *self, void *c) {
    return PyLong_FromLong(SELF->group.y);
}
static int set_y(PyObject *self, PyObject *v, void *c) {
    long y;
    if (c9py_setter_value(v) < 0 || c9py_int(v, "y", &y) < 0) {
        return -1;
    }
    SELF->group.y = (int16_t)y;
    return 0;
}

static PyMethodDef methods[] = {
    {"append", group_append, METH_O, "Append a layer to the group."},
    {"insert", group_insert, METH_VARARGS, "Insert a layer into the group."},
    {"index", group_index, METH_O, "Returns the index of the first copy of layer."},
    {"pop", group_pop, METH_VARARGS, "Remove the ith item and return it."},
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
    .tp_new = group_new,
    .tp_dealloc = group_dealloc,
    .tp_traverse = group_traverse,
    .tp_clear = group_clear,
    .tp_iter = group_iter,
    .tp_as_sequence = &seq,
    .tp_as_mapping = &map,
    .tp_methods = methods,
    .tp_getset = getset,
};
