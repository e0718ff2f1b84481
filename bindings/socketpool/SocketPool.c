/* socketpool: SocketPool(radio) with CircuitPython 9.2.9's constants (lwIP's numbering), socket()
 * and getaddrinfo(), on the port's socket table (port.h). */
#include "circuit9/port.h"
#include "socketpool/socketpool.h"
#include "wifi/wifi.h"

typedef struct {
    C9PY_OBJECT_HEAD const c9_net_socket_ops_t *ops;
} pool_obj_t;

#define SELF ((pool_obj_t *)self)

static int pool_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 1, 1, false) < 0) {
        return -1;
    }
    if (!c9py_wifi_is_radio(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_ValueError, "SocketPool can only be used with wifi.radio");
        return -1;
    }
    const c9_net_socket_ops_t *ops;
    c9_err_t err = c9_port_net_sockets(&ops);
    if (err != C9_OK) {
        c9py_sock_raise(err, NULL, NULL);
        return -1;
    }
    SELF->ops = ops;
    return 0;
}
C9PY_DEFINE_INIT(pool_init, pool_construct)

static PyObject *pool_socket(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_family, ARG_type, ARG_proto };
    static const c9py_arg_t allowed[] = {
        {"family", C9PY_ARG_INT, {.u_int = C9_NET_AF_INET}},
        {"type", C9PY_ARG_INT, {.u_int = C9_NET_SOCK_STREAM}},
        {"proto", C9PY_ARG_INT, {.u_int = C9_NET_IPPROTO_IP}},
    };
    c9py_argval_t a[3];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    long family = a[ARG_family].u_int, type = a[ARG_type].u_int;
    if (family != C9_NET_AF_INET && family != C9_NET_AF_INET6) {
        PyErr_SetString(PyExc_NotImplementedError, "Unsupported socket type");
        return NULL;
    }
    /* As the espressif port: any type but stream and datagram is a raw socket. */
    if (type != C9_NET_SOCK_STREAM && type != C9_NET_SOCK_DGRAM) {
        type = C9_NET_SOCK_RAW;
    }
    c9_sock_t h;
    c9_err_t err = SELF->ops->open(SELF->ops->ctx, (int)family, (int)type, (int)a[ARG_proto].u_int, &h);
    if (err != C9_OK) {
        return c9py_sock_raise(err, NULL, NULL);
    }
    return c9py_socket_new(SELF->ops, h, (uint8_t)family, (uint8_t)type);
}

typedef struct {
    const c9_net_socket_ops_t *ops;
    const char *host;
    uint16_t port;
    int family, type;
    c9_net_addr_t addr;
    size_t count;
    c9_err_t err;
} lookup_t;

static PyObject *pool_getaddrinfo(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_host, ARG_port, ARG_family, ARG_type, ARG_proto, ARG_flags };
    /* CircuitPython's table names the fifth argument "port" a second time; it is proto. */
    static const c9py_arg_t allowed[] = {
        {"host", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED}, {"port", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"family", C9PY_ARG_INT, {.u_int = 0}},     {"type", C9PY_ARG_INT, {.u_int = 0}},
        {"proto", C9PY_ARG_INT, {.u_int = 0}},      {"flags", C9PY_ARG_INT, {.u_int = 0}},
    };
    c9py_argval_t a[6];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return NULL;
    }
    PyObject *host = a[ARG_host].u_obj;
    if (!PyUnicode_Check(host)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(host));
        return NULL;
    }
    Py_ssize_t hlen;
    const char *h = PyUnicode_AsUTF8AndSize(host, &hlen);
    if (!h) {
        return NULL;
    }
    lookup_t l = {SELF->ops, h, (uint16_t)a[ARG_port].u_int, (int)a[ARG_family].u_int, (int)a[ARG_type].u_int};
    if ((size_t)hlen != strlen(h) || hlen == 0) {
        l.err = C9_ERR_NET_NONAME;
    } else {
        Py_BEGIN_ALLOW_THREADS l.err =
            l.ops->getaddrinfo(l.ops->ctx, l.host, l.port, l.family, l.type, &l.addr, 1, &l.count);
        Py_END_ALLOW_THREADS
    }
    if (l.err == C9_ERR_AFNOSUPPORT || l.err == C9_ERR_INVAL) {
        l.err = C9_ERR_NET_NONAME; /* lwIP's getaddrinfo fails these as EAI_NONAME or EAI_FAMILY */
    }
    if (l.err != C9_OK) {
        return c9py_sock_raise(l.err, NULL, NULL);
    }
    /* lwIP gives one answer, with the hints' socket type and protocol, no canonical name, and
     * the port as it was asked for. */
    PyObject *sa = c9py_sock_addr_tuple(&l.addr);
    if (!sa) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(sa) >= 2) {
        PyObject *p = PyLong_FromLong(a[ARG_port].u_int);
        if (!p) {
            Py_DECREF(sa);
            return NULL;
        }
        Py_SETREF(((PyTupleObject *)sa)->ob_item[1], p);
    }
    return Py_BuildValue("[(iiisN)]", l.addr.family, (int)a[ARG_type].u_int, (int)a[ARG_proto].u_int, "", sa);
}

static PyMethodDef pool_methods[] = {
    {"socket", (PyCFunction)(void (*)(void))pool_socket, METH_VARARGS | METH_KEYWORDS,
     "socket(family=AF_INET, type=SOCK_STREAM, proto=IPPROTO_IP)"},
    {"getaddrinfo", (PyCFunction)(void (*)(void))pool_getaddrinfo, METH_VARARGS | METH_KEYWORDS,
     "getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SocketPool_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socketpool.SocketPool",
    .tp_basicsize = sizeof(pool_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "SocketPool(radio): the sockets of the board's network.",
    .tp_new = c9py_native_new,
    .tp_init = pool_init,
    .tp_methods = pool_methods,
};

static const struct {
    const char *name;
    long value;
} constants[] = {
    {"AF_INET", C9_NET_AF_INET},
    {"AF_INET6", C9_NET_AF_INET6},
    {"SOCK_STREAM", C9_NET_SOCK_STREAM},
    {"SOCK_DGRAM", C9_NET_SOCK_DGRAM},
    {"SOCK_RAW", C9_NET_SOCK_RAW},
    {"SOL_SOCKET", C9_NET_SOL_SOCKET},
    {"SO_REUSEADDR", C9_NET_SO_REUSEADDR},
    {"TCP_NODELAY", C9_NET_TCP_NODELAY},
    {"IPPROTO_IP", C9_NET_IPPROTO_IP},
    {"IPPROTO_ICMP", C9_NET_IPPROTO_ICMP},
    {"IPPROTO_TCP", C9_NET_IPPROTO_TCP},
    {"IPPROTO_UDP", C9_NET_IPPROTO_UDP},
    {"IPPROTO_IPV6", C9_NET_IPPROTO_IPV6},
    {"IPPROTO_RAW", C9_NET_IPPROTO_RAW},
    {"IP_MULTICAST_TTL", C9_NET_IP_MULTICAST_TTL},
    {"EAI_NONAME", C9_NET_EAI_NONAME},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "socketpool", "Sockets of the board's network.", -1, NULL};

PyObject *c9py_init_socketpool(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "SocketPool", &SocketPool_Type) < 0 || c9py_add_type(m, "Socket", &c9py_Socket_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyObject *dict = SocketPool_Type.tp_dict;
    for (size_t i = 0; i < C9_ARRAY_SIZE(constants); i++) {
        PyObject *v = PyLong_FromLong(constants[i].value);
        if (!v || PyDict_SetItemString(dict, constants[i].name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(m);
            return NULL;
        }
        Py_DECREF(v);
    }
    PyObject *gai = c9py_socketpool_gaierror();
    if (!gai || PyDict_SetItemString(dict, "gaierror", gai) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyType_Modified(&SocketPool_Type);
    return m;
}
