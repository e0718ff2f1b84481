/* ipaddress: IPv4Address and ip_address() as CircuitPython 9.2.9 has them. The text form is
 * parsed by the net core (c9_net_ipv4_parse), stricter than CircuitPython's parser, which lets
 * an octet above 255 spill into the next one and reads past the end of "1.2.3"
 * (docs/net.md). */
#include "ipaddress/ipaddress.h"

#include "circuit9/net.h"

typedef struct {
    C9PY_OBJECT_HEAD uint8_t addr[4];
} ipv4_obj_t;

#define SELF ((ipv4_obj_t *)self)

static PyTypeObject IPv4Address_Type;

/* The four bytes an int, a str or (constructor only) a 4-byte buffer stands for; -1 with an
 * exception. CircuitPython takes an int as the address in memory order of a little-endian
 * 32-bit word: 0x0100007f is 127.0.0.1. */
static int address_of(PyObject *v, bool buffers, uint8_t out[4]) {
    if (PyLong_Check(v)) {
        int32_t w;
        if (c9py_mp_int(v, &w) < 0) {
            return -1;
        }
        uint32_t u = (uint32_t)w;
        for (int i = 0; i < 4; i++) {
            out[i] = (uint8_t)(u >> (8 * i));
        }
        return 0;
    }
    if (PyUnicode_Check(v)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(v, &len);
        if (!s) {
            return -1;
        }
        if (c9_net_ipv4_parse(s, (size_t)len, out) != C9_OK) {
            PyErr_SetString(PyExc_ValueError, "Not a valid IP string");
            return -1;
        }
        return 0;
    }
    if (!buffers) {
        PyErr_SetString(PyExc_ValueError, "Only int or string supported for ip");
        return -1;
    }
    Py_buffer view;
    if (c9py_get_buffer(v, &view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    int rc = 0;
    if (view.len != 4) {
        PyErr_Format(PyExc_ValueError, "Address must be %d bytes long", 4);
        rc = -1;
    } else {
        memcpy(out, view.buf, 4);
    }
    PyBuffer_Release(&view);
    return rc;
}

static int ipv4_construct(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"address", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return -1;
    }
    return address_of(a[0].u_obj, true, SELF->addr);
}
C9PY_DEFINE_INIT(ipv4_init, ipv4_construct)

static PyObject *ipv4_str(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return PyUnicode_FromFormat("%d.%d.%d.%d", SELF->addr[0], SELF->addr[1], SELF->addr[2], SELF->addr[3]);
}

static PyObject *ipv4_packed(PyObject *self, void *closure) {
    (void)closure;
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)SELF->addr, 4);
}

static Py_hash_t ipv4_hash(PyObject *self) {
    if (c9py_ready(self) < 0) {
        return -1;
    }
    PyObject *b = PyBytes_FromStringAndSize((const char *)SELF->addr, 4);
    if (!b) {
        return -1;
    }
    Py_hash_t h = PyObject_Hash(b);
    Py_DECREF(b);
    return h;
}

static PyObject *ipv4_richcompare(PyObject *self, PyObject *other, int op) {
    if (op != Py_EQ && op != Py_NE) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (c9py_ready(self) < 0) {
        return NULL;
    }
    bool eq = false;
    if (PyObject_TypeCheck(other, &IPv4Address_Type)) {
        if (c9py_ready(other) < 0) {
            return NULL;
        }
        eq = memcmp(SELF->addr, ((ipv4_obj_t *)other)->addr, 4) == 0;
    }
    return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

static PyGetSetDef ipv4_getset[] = {
    {"packed", ipv4_packed, NULL, "The bytes that make up the address (read-only).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject IPv4Address_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ipaddress.IPv4Address",
    .tp_basicsize = sizeof(ipv4_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "IPv4Address(address)",
    .tp_new = c9py_native_new,
    .tp_init = ipv4_init,
    .tp_str = ipv4_str,
    .tp_repr = ipv4_str,
    .tp_hash = ipv4_hash,
    .tp_richcompare = ipv4_richcompare,
    .tp_getset = ipv4_getset,
};

PyObject *c9py_ipv4_new(const uint8_t a[4]) {
    if (c9py_type_ready(&IPv4Address_Type) < 0) {
        return NULL;
    }
    PyObject *o = c9py_object_new(&IPv4Address_Type);
    if (o) {
        memcpy(((ipv4_obj_t *)o)->addr, a, 4);
    }
    return o;
}

int c9py_ipv4_get(PyObject *obj, uint8_t out[4]) {
    if (!PyObject_TypeCheck(obj, &IPv4Address_Type)) {
        return 0;
    }
    if (c9py_ready(obj) < 0) {
        return -1;
    }
    memcpy(out, ((ipv4_obj_t *)obj)->addr, 4);
    return 1;
}

static PyObject *ip_address(PyObject *m, PyObject *arg) {
    (void)m;
    uint8_t a[4];
    if (address_of(arg, false, a) < 0) {
        return NULL;
    }
    return c9py_ipv4_new(a);
}

static PyMethodDef methods[] = {
    {"ip_address", ip_address, METH_O, "Return a corresponding IP address object or raise ValueError if not possible."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "ipaddress", "IP address helpers.", -1, methods};

PyObject *c9py_init_ipaddress(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "IPv4Address", &IPv4Address_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
