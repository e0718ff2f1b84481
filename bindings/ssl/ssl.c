/*
 * ssl: create_default_context(), SSLContext and SSLSocket as CircuitPython 9.2.9 has them, on the
 * port's TLS table (mbedTLS on the virtual board, as on the board).
 *
 * A context trusts the board's CA bundle until load_verify_locations(cadata=...) replaces it
 * with the program's certificates; a certificate that does not verify is an OSError carrying
 * mbedTLS's code and text, as on the board, never a silent success. Differences, each a bug of
 * CircuitPython's (docs/net.md): check_hostname is True by default and honoured (CircuitPython
 * stores it and verifies the name whenever server_hostname is given), a client socket with
 * check_hostname needs a server_hostname, cadata="" trusts nothing instead of turning
 * verification off, and bad certificate or key data is reported by the call that loads it.
 */
#include "c9rt.h"
#include "circuit9/net.h"
#include "circuit9/port.h"
#include "socketpool/socketpool.h"

#include <string.h>

/* ---- SSLContext ---------------------------------------------------------------------------------- */

typedef struct {
    C9PY_OBJECT_HEAD const c9_net_tls_ops_t *tls;
    c9_tls_ctx_t ctx;
    bool check_hostname;
    bool has_cert;
} ctx_obj_t;

#define CTX ((ctx_obj_t *)self)

static PyTypeObject SSLContext_Type, SSLSocket_Type;

static int ctx_construct(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_arg_check_call(args, kw, 0, 0, 1, false) < 0) {
        return -1;
    }
    const c9_net_tls_ops_t *tls;
    c9_err_t err = c9_port_net_tls(&tls);
    c9_tls_ctx_t c = C9_TLS_CTX_NONE;
    if (err == C9_OK) {
        err = tls->context_new(tls->ctx, &c);
    }
    if (err == C9_OK) {
        err = tls->context_load_default(tls->ctx, c); /* set_default_verify_paths() */
        if (err != C9_OK) {
            tls->context_release(tls->ctx, c);
        }
    }
    if (err != C9_OK) {
        if (err == C9_ERR_NOSYS) {
            PyErr_SetString(PyExc_NotImplementedError, "no TLS on this board");
            return -1;
        }
        c9py_sock_raise(err, NULL, NULL);
        return -1;
    }
    CTX->tls = tls;
    CTX->ctx = c;
    CTX->check_hostname = true;
    return 0;
}
C9PY_DEFINE_INIT(ctx_init, ctx_construct)

static void ctx_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        CTX->tls->context_release(CTX->tls->ctx, CTX->ctx);
    }
    Py_TYPE(self)->tp_free(self);
}

/* A file's bytes, the path as user code names it (the drive's paths under `circuit9 run`). */
static PyObject *read_file(PyObject *name) {
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(name));
        return NULL;
    }
    const char *path = PyUnicode_AsUTF8(name);
    char host[PATH_MAX + 256];
    bool ro;
    if (!path || c9rt_map_path(path, host, sizeof host, &ro) < 0) {
        return NULL;
    }
    PyObject *io = PyImport_ImportModule("io");
    if (!io) {
        return NULL;
    }
    PyObject *f = PyObject_CallMethod(io, "open", "ss", host, "rb");
    Py_DECREF(io);
    if (!f) {
        return NULL;
    }
    PyObject *data = PyObject_CallMethod(f, "read", NULL);
    PyObject *r = PyObject_CallMethod(f, "close", NULL);
    Py_XDECREF(r);
    Py_DECREF(f);
    return data;
}

static PyObject *load_cert_chain(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_certfile, ARG_keyfile };
    static const c9py_arg_t allowed[] = {
        {"certfile", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"keyfile", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[2];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    PyObject *cert = read_file(a[ARG_certfile].u_obj);
    if (!cert) {
        return NULL;
    }
    PyObject *key = a[ARG_keyfile].u_obj == Py_None ? Py_NewRef(cert) : read_file(a[ARG_keyfile].u_obj);
    if (!key) {
        Py_DECREF(cert);
        return NULL;
    }
    c9_err_t err = CTX->tls->context_load_cert_chain(CTX->tls->ctx, CTX->ctx, PyBytes_AS_STRING(cert),
                                                     (size_t)PyBytes_GET_SIZE(cert), PyBytes_AS_STRING(key),
                                                     (size_t)PyBytes_GET_SIZE(key));
    Py_DECREF(cert);
    Py_DECREF(key);
    if (err != C9_OK) {
        return c9py_sock_raise(err, NULL, NULL);
    }
    CTX->has_cert = true;
    Py_RETURN_NONE;
}

static PyObject *load_verify_locations(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_cafile, ARG_capath, ARG_cadata };
    static const c9py_arg_t allowed[] = {
        {"cafile", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"capath", C9PY_ARG_OBJ, {.u_obj = Py_None}},
        {"cadata", C9PY_ARG_OBJ, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    if (a[ARG_cafile].u_obj != Py_None) {
        PyErr_SetString(PyExc_NotImplementedError, "cafile");
        return NULL;
    }
    if (a[ARG_capath].u_obj != Py_None) {
        PyErr_SetString(PyExc_NotImplementedError, "capath");
        return NULL;
    }
    PyObject *d = a[ARG_cadata].u_obj;
    if (!PyUnicode_Check(d)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(d));
        return NULL;
    }
    Py_ssize_t len;
    const char *pem = PyUnicode_AsUTF8AndSize(d, &len);
    if (!pem) {
        return NULL;
    }
    /* The program's certificates replace the bundle. */
    c9_err_t err = CTX->tls->context_load_verify(CTX->tls->ctx, CTX->ctx, NULL, 0);
    if (err == C9_OK && len > 0) {
        err = CTX->tls->context_load_verify(CTX->tls->ctx, CTX->ctx, pem, (size_t)len);
    }
    return err != C9_OK ? c9py_sock_raise(err, NULL, NULL) : Py_NewRef(Py_None);
}

static PyObject *set_default_verify_paths(PyObject *self, PyObject *args, PyObject *kw) {
    if (c9py_ready(self) < 0 || c9py_arg_check_call(args, kw, 1, 1, 1, true) < 0) {
        return NULL;
    }
    c9_err_t err = CTX->tls->context_load_verify(CTX->tls->ctx, CTX->ctx, NULL, 0);
    if (err == C9_OK) {
        err = CTX->tls->context_load_default(CTX->tls->ctx, CTX->ctx);
    }
    return err != C9_OK ? c9py_sock_raise(err, NULL, NULL) : Py_NewRef(Py_None);
}

static PyObject *get_check_hostname(PyObject *self, void *c) {
    (void)c;
    return c9py_ready(self) < 0 ? NULL : PyBool_FromLong(CTX->check_hostname);
}

static int set_check_hostname(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int b = c9py_ready(self) < 0 ? -1 : c9py_setter_bool(v);
    if (b < 0) {
        return -1;
    }
    c9_err_t err = CTX->tls->context_set_verify(CTX->tls->ctx, CTX->ctx, true, b);
    if (err != C9_OK) {
        c9py_sock_raise(err, NULL, NULL);
        return -1;
    }
    CTX->check_hostname = b;
    return 0;
}

/* ---- SSLSocket -------------------------------------------------------------------------------- */

typedef struct {
    C9PY_OBJECT_HEAD c9py_sockcore_t core; /* the TLS table's socket (closed for a listener) */
    const c9_net_tls_ops_t *tls;
    PyObject *context;  /* the SSLContext */
    PyObject *listener; /* server side before a connection: the socketpool.Socket it listens on */
} ssock_obj_t;

#define SS ((ssock_obj_t *)self)

static PyObject *ssock_new(PyObject *context, c9_sock_t h, const c9py_sockcore_t *raw, bool connected) {
    ctx_obj_t *c = (ctx_obj_t *)context;
    PyObject *o = c9py_object_new(&SSLSocket_Type);
    if (!o) {
        if (h != C9_NET_SOCK_NONE) {
            (void)c->tls->sock->close(c->tls->sock->ctx, h);
        }
        return NULL;
    }
    ssock_obj_t *s = (ssock_obj_t *)o;
    s->tls = c->tls;
    s->context = Py_NewRef(context);
    s->core.ops = c->tls->sock;
    s->core.h = h;
    s->core.timeout_ms = raw->timeout_ms;
    s->core.applied_ms = INT32_MIN;
    s->core.family = raw->family;
    s->core.type = raw->type;
    s->core.connected = connected;
    return o;
}

static void ss_do_close(PyObject *self);

static void ssock_dealloc(PyObject *self) {
    if (c9py_is_ready(self)) {
        ss_do_close(self); /* CircuitPython's __del__ is close(), which closes the socket it wraps */
        Py_CLEAR(SS->context);
        Py_CLEAR(SS->listener);
    }
    Py_TYPE(self)->tp_free(self);
}

static PyObject *wrap_socket(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_sock, ARG_server_side, ARG_server_hostname };
    static const c9py_arg_t allowed[] = {
        {"sock", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"server_side", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
        {"server_hostname", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[3];
    if (c9py_ready(self) < 0 || c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    const char *hostname = NULL;
    if (a[ARG_server_hostname].u_obj != Py_None) {
        if (!PyUnicode_Check(a[ARG_server_hostname].u_obj)) {
            PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly",
                         c9py_type_name(a[ARG_server_hostname].u_obj));
            return NULL;
        }
        if (!(hostname = PyUnicode_AsUTF8(a[ARG_server_hostname].u_obj))) {
            return NULL;
        }
    }
    bool server = a[ARG_server_side].u_bool;
    if (server && hostname) {
        PyErr_SetString(PyExc_ValueError, "Server side context cannot have hostname");
        return NULL;
    }
    PyObject *sock = a[ARG_sock].u_obj;
    c9py_sockcore_t *raw = c9py_socket_core(sock);
    if (!raw) {
        return NULL;
    }
    if (raw->type != C9_NET_SOCK_STREAM) {
        PyErr_SetString(PyExc_RuntimeError, "Invalid socket for TLS");
        return NULL;
    }
    if (raw->h == C9_NET_SOCK_NONE) {
        return c9py_sock_raise(C9_ERR_BADF, NULL, NULL);
    }
    if (raw->busy) {
        return c9py_sock_raise(C9_ERR_BUSY, NULL, NULL);
    }
    if (server && !CTX->has_cert) {
        PyErr_SetString(PyExc_ValueError, "a server needs a certificate: call load_cert_chain() first");
        return NULL;
    }
    if (!server && CTX->check_hostname && !hostname) {
        PyErr_SetString(PyExc_ValueError, "check_hostname requires server_hostname");
        return NULL;
    }
    if (server && !raw->connected) {
        /* A listening socket: each accepted connection is wrapped and shaken hands with. */
        PyObject *o = ssock_new(self, C9_NET_SOCK_NONE, raw, false);
        if (o) {
            ((ssock_obj_t *)o)->listener = Py_NewRef(sock);
        }
        return o;
    }
    /* The TLS socket takes the socket over: the Socket object is closed from now on. */
    c9_sock_t rh = raw->h, th = C9_NET_SOCK_NONE;
    raw->h = C9_NET_SOCK_NONE;
    c9_err_t err = CTX->tls->wrap(CTX->tls->ctx, CTX->ctx, rh, server, hostname, &th);
    if (err != C9_OK) {
        raw->connected = false;
        return c9py_sock_raise(err, NULL, NULL);
    }
    bool connected = raw->connected;
    raw->connected = false;
    return ssock_new(self, th, raw, connected);
}

static PyObject *ss_enter(PyObject *self, PyObject *u) {
    (void)u;
    return Py_NewRef(self);
}

static void ss_do_close(PyObject *self) {
    c9py_sock_close(&SS->core);
    if (SS->listener) {
        c9py_sockcore_t *l = c9py_socket_core(SS->listener);
        if (l) {
            c9py_sock_close(l);
        }
    }
}

static PyObject *ss_exit(PyObject *self, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 4, 4, false) < 0) {
        return NULL;
    }
    ss_do_close(self);
    Py_RETURN_NONE;
}

static PyObject *ss_close(PyObject *self, PyObject *u) {
    (void)u;
    ss_do_close(self);
    Py_RETURN_NONE;
}

/* The socket calls go to: the listening Socket before a connection, else the TLS socket. */
static c9py_sockcore_t *target(PyObject *self) {
    return SS->listener ? c9py_socket_core(SS->listener) : &SS->core;
}

static PyObject *ss_fail(PyObject *self, c9_err_t err) {
    return c9py_sock_raise(err, target(self), SS->listener ? NULL : SS->tls);
}

static PyObject *ss_bind(PyObject *self, PyObject *addr) {
    c9py_sockcore_t *c = target(self);
    c9_net_addr_t a;
    if (c9py_sock_address(c, addr, true, &a) < 0) {
        return NULL;
    }
    c9_err_t err = c->ops->bind(c->ops->ctx, c->h, &a);
    return err != C9_OK ? ss_fail(self, err) : Py_NewRef(Py_None);
}

static PyObject *ss_listen(PyObject *self, PyObject *arg) {
    c9py_sockcore_t *c = target(self);
    int32_t backlog;
    if (c9py_mp_int(arg, &backlog) < 0) {
        return NULL;
    }
    c9_err_t err = c->ops->listen(c->ops->ctx, c->h, backlog);
    return err != C9_OK ? ss_fail(self, err) : Py_NewRef(Py_None);
}

static c9_err_t step_connect(const c9py_sockcore_t *core, void *arg) {
    return core->ops->connect(core->ops->ctx, core->h, arg);
}

static PyObject *ss_connect(PyObject *self, PyObject *addr) {
    if (SS->listener) {
        return ss_fail(self, C9_ERR_INVAL);
    }
    c9_net_addr_t a;
    if (c9py_sock_address(&SS->core, addr, false, &a) < 0) {
        return NULL;
    }
    /* The TCP connection and the handshake, under the socket's timeout. */
    c9_err_t err = c9py_sock_run(&SS->core, step_connect, &a);
    if (err != C9_OK) {
        return ss_fail(self, err);
    }
    SS->core.connected = true;
    Py_RETURN_NONE;
}

typedef struct {
    c9_sock_t out;
    c9_net_addr_t peer;
} accept_t;

static c9_err_t step_accept(const c9py_sockcore_t *core, void *arg) {
    accept_t *a = arg;
    return core->ops->accept(core->ops->ctx, core->h, &a->out, &a->peer);
}

static PyObject *ss_accept(PyObject *self, PyObject *u) {
    (void)u;
    if (!SS->listener) {
        return ss_fail(self, C9_ERR_INVAL);
    }
    c9py_sockcore_t *l = c9py_socket_core(SS->listener);
    accept_t a;
    c9_err_t err = c9py_sock_run(l, step_accept, &a);
    if (err != C9_OK) {
        return c9py_sock_raise(err, l, NULL);
    }
    ctx_obj_t *c = (ctx_obj_t *)SS->context;
    c9_sock_t th;
    err = c->tls->wrap(c->tls->ctx, c->ctx, a.out, true, NULL, &th);
    if (err != C9_OK) {
        return c9py_sock_raise(err, NULL, NULL);
    }
    PyObject *peer = c9py_sock_addr_tuple(&a.peer);
    if (!peer) {
        (void)c->tls->sock->close(c->tls->sock->ctx, th);
        return NULL;
    }
    PyObject *s = ssock_new(SS->context, th, l, true);
    if (!s) {
        Py_DECREF(peer);
        return NULL;
    }
    /* The server's handshake, under the listener's timeout. */
    c9py_sockcore_t *sc = &((ssock_obj_t *)s)->core;
    c9_net_addr_t none = {0};
    err = c9py_sock_run(sc, step_connect, &none);
    if (err != C9_OK) {
        c9py_sock_raise(err, sc, c->tls);
        Py_DECREF(s);
        Py_DECREF(peer);
        return NULL;
    }
    return Py_BuildValue("(NN)", s, peer);
}

static PyObject *ss_recv_into(PyObject *self, PyObject *args) {
    return c9py_sock_recv_into(&SS->core, args, SS->tls, false);
}

static PyObject *ss_send(PyObject *self, PyObject *arg) {
    return c9py_sock_send(&SS->core, arg, SS->tls, false);
}

static PyObject *ss_setblocking(PyObject *self, PyObject *flag) {
    int b = PyObject_IsTrue(flag);
    if (b < 0) {
        return NULL;
    }
    target(self)->timeout_ms = b ? C9_NET_TIMEOUT_BLOCKING : 0;
    Py_RETURN_NONE;
}

static PyObject *ss_settimeout(PyObject *self, PyObject *v) {
    int32_t ms;
    if (c9py_sock_timeout_arg(v, &ms) < 0) {
        return NULL;
    }
    target(self)->timeout_ms = ms;
    Py_RETURN_NONE;
}

static PyObject *ss_setsockopt(PyObject *self, PyObject *args) {
    return c9py_sock_setsockopt(target(self), args);
}

static PyMethodDef ss_methods[] = {
    {"__enter__", ss_enter, METH_NOARGS, NULL},
    {"__exit__", ss_exit, METH_VARARGS, NULL},
    {"accept", ss_accept, METH_NOARGS, "Accept a connection and do the TLS handshake: (socket, address)."},
    {"bind", ss_bind, METH_O, "Bind the socket to (address, port)."},
    {"close", ss_close, METH_NOARGS, "Close the socket (close_notify, then the connection)."},
    {"connect", ss_connect, METH_O, "Connect to (address, port) and do the TLS handshake."},
    {"listen", ss_listen, METH_O, "Listen for connections."},
    {"recv_into", ss_recv_into, METH_VARARGS, "Receive into a buffer, up to bufsize bytes."},
    {"send", ss_send, METH_O, "Send some bytes; returns how many were sent."},
    {"setblocking", ss_setblocking, METH_O, "False: non-blocking; True: block without a timeout."},
    {"setsockopt", ss_setsockopt, METH_VARARGS, "Set an option of the underlying socket."},
    {"settimeout", ss_settimeout, METH_O, "Timeout in seconds; 0 non-blocking, None blocking."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SSLSocket_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ssl.SSLSocket",
    .tp_basicsize = sizeof(ssock_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A socket wrapped in TLS: made by SSLContext.wrap_socket().",
    .tp_dealloc = ssock_dealloc,
    .tp_methods = ss_methods,
};

static PyMethodDef ctx_methods[] = {
    {"load_cert_chain", (PyCFunction)(void (*)(void))load_cert_chain, METH_VARARGS | METH_KEYWORDS,
     "Load a private key and the corresponding certificate (files)."},
    {"load_verify_locations", (PyCFunction)(void (*)(void))load_verify_locations, METH_VARARGS | METH_KEYWORDS,
     "Trust the CA certificates in cadata (PEM) instead of the bundle."},
    {"set_default_verify_paths", (PyCFunction)(void (*)(void))set_default_verify_paths, METH_VARARGS | METH_KEYWORDS,
     "Trust the board's CA bundle."},
    {"wrap_socket", (PyCFunction)(void (*)(void))wrap_socket, METH_VARARGS | METH_KEYWORDS,
     "wrap_socket(sock, *, server_side=False, server_hostname=None)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef ctx_getset[] = {
    {"check_hostname", get_check_hostname, set_check_hostname, "Whether to match the peer certificate's hostname.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject SSLContext_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ssl.SSLContext",
    .tp_basicsize = sizeof(ctx_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Settings related to SSL that can be applied to a socket by wrapping it.",
    .tp_new = c9py_native_new,
    .tp_init = ctx_init,
    .tp_dealloc = ctx_dealloc,
    .tp_methods = ctx_methods,
    .tp_getset = ctx_getset,
};

static PyObject *create_default_context(PyObject *m, PyObject *u) {
    (void)m;
    (void)u;
    return PyObject_CallNoArgs((PyObject *)&SSLContext_Type);
}

static PyMethodDef methods[] = {
    {"create_default_context", create_default_context, METH_NOARGS, "Return the default SSLContext."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "ssl", "SSL contexts to wrap sockets in.", -1, methods};

PyObject *c9py_init_ssl(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (c9py_add_type(m, "SSLContext", &SSLContext_Type) < 0 || c9py_type_ready(&SSLSocket_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
