/* socketpool.Socket as CircuitPython 9.2.9's espressif port has it, on the port's socket table
 * (net.h), and the helpers ssl's SSLSocket shares (socketpool.h). */
#include "socketpool/socketpool.h"

#include "c9rt.h"

#include <limits.h>
#include <string.h>

/* ---- errors ---------------------------------------------------------------------------------- */

static PyObject *gaierror_type(void);

static PyObject *raise_errno(int n) {
    /* (errno, NAME) so that CPython fills in .errno; the traceback printer shows "[Errno 116]
     * ETIMEDOUT" where CircuitPython's errno module has the name, else the bare number. */
    const char *name = c9_net_errno_name(n);
    PyObject *args = name ? Py_BuildValue("(is)", n, name) : Py_BuildValue("(i)", n);
    if (args) {
        PyErr_SetObject(PyExc_OSError, args);
        Py_DECREF(args);
    }
    return NULL;
}

PyObject *c9py_sock_raise(c9_err_t err, const c9py_sockcore_t *core, const c9_net_tls_ops_t *tls) {
    switch (err) {
    case C9_ERR_INTR:
        if (!PyErr_Occurred()) {
            PyErr_SetNone(PyExc_KeyboardInterrupt);
        }
        return NULL;
    case C9_ERR_NET_OUT_OF_SOCKETS: PyErr_SetString(PyExc_RuntimeError, "Out of sockets"); return NULL;
    case C9_ERR_NET_NONAME: {
        PyObject *args = Py_BuildValue("(is)", C9_NET_EAI_NONAME, "Name or service not known");
        PyObject *type = gaierror_type();
        if (args && type) {
            PyErr_SetObject(type, args);
        }
        Py_XDECREF(args);
        return NULL;
    }
    case C9_ERR_PIPE: {
        PyObject *args = Py_BuildValue("(is)", 32, "EPIPE");
        if (args) {
            PyErr_SetObject(PyExc_BrokenPipeError, args);
            Py_DECREF(args);
        }
        return NULL;
    }
    case C9_ERR_NOMEM: return PyErr_NoMemory();
    case C9_ERR_NOSYS: PyErr_SetString(PyExc_NotImplementedError, "no network on this board"); return NULL;
    case C9_ERR_TLS_BAD_CERT: PyErr_SetString(PyExc_ValueError, "invalid cert"); return NULL;
    case C9_ERR_TLS_BAD_KEY: PyErr_SetString(PyExc_ValueError, "invalid key"); return NULL;
    case C9_ERR_WIFI_NO_AP: PyErr_SetString(PyExc_ConnectionError, "No network with that ssid"); return NULL;
    case C9_ERR_WIFI_AUTH: PyErr_SetString(PyExc_ConnectionError, "Authentication failure"); return NULL;
    case C9_ERR_WIFI_DISABLED: PyErr_SetString(PyExc_RuntimeError, "wifi is not enabled"); return NULL;
    default: break;
    }
    if (err <= -2200 && err > -2300) {
        /* TLS: mbedTLS's own code and text, as CircuitPython raises them. */
        c9_tls_error_info_t info = {0};
        if (tls && core && core->h != C9_NET_SOCK_NONE) {
            (void)tls->error_info(tls->ctx, core->h, &info);
        }
        PyObject *args = info.lib_code ? Py_BuildValue("(is)", (int)info.lib_code, info.message)
                                       : Py_BuildValue("(is)", (int)err, c9_net_strerror(err));
        if (args) {
            PyErr_SetObject(PyExc_OSError, args);
            Py_DECREF(args);
        }
        return NULL;
    }
    int n = c9_net_errno(err);
    if (n) {
        return raise_errno(n);
    }
    return c9py_raise(err);
}

/* ---- blocking calls ------------------------------------------------------------------------------ */

static c9_err_t apply_timeout(c9py_sockcore_t *core, int32_t ms) {
    if (core->applied_ms == ms) {
        return C9_OK;
    }
    c9_err_t err = core->ops->settimeout(core->ops->ctx, core->h, ms);
    core->applied_ms = err == C9_OK ? ms : INT32_MIN;
    return err;
}

c9_err_t c9py_sock_run(c9py_sockcore_t *core, c9py_sock_step_fn step, void *arg) {
    if (core->h == C9_NET_SOCK_NONE) {
        return C9_ERR_BADF;
    }
    if (core->busy) {
        return C9_ERR_BUSY; /* the table serves one call per socket at a time */
    }
    int32_t t = core->timeout_ms;
    c9_err_t err;
    if (t == 0) {
        err = apply_timeout(core, 0);
        return err != C9_OK ? err : step(core, arg);
    }
    const c9_net_socket_ops_t *ops = core->ops;
    uint64_t deadline = t > 0 ? ops->now_ms(ops->ctx) + (uint64_t)t : UINT64_MAX;
    core->busy++;
    for (;;) {
        int32_t slice = C9PY_SOCK_SLICE_MS;
        if (t > 0) {
            uint64_t now = ops->now_ms(ops->ctx);
            if (now >= deadline) {
                err = C9_ERR_TIMEDOUT;
                break;
            }
            slice = (int32_t)C9_MIN((uint64_t)slice, deadline - now);
        }
        err = apply_timeout(core, slice);
        if (err != C9_OK) {
            break;
        }
        Py_BEGIN_ALLOW_THREADS err = step(core, arg);
        Py_END_ALLOW_THREADS if (err != C9_ERR_TIMEDOUT) {
            break;
        }
        /* A slice passed: let Ctrl-C, a reload and the board's background work in. */
        if (Py_MakePendingCalls() < 0 || PyErr_CheckSignals() < 0) {
            err = C9_ERR_INTR;
            break;
        }
        c9rt_background_run();
        if (core->h == C9_NET_SOCK_NONE) {
            err = C9_ERR_BADF;
            break;
        }
    }
    core->busy--;
    return err;
}

void c9py_sock_close(c9py_sockcore_t *core) {
    if (core->h != C9_NET_SOCK_NONE) {
        c9_sock_t h = core->h;
        core->h = C9_NET_SOCK_NONE;
        core->connected = false;
        (void)core->ops->close(core->ops->ctx, h);
    }
}

/* ---- arguments ----------------------------------------------------------------------------------- */

int c9py_sock_timeout_arg(PyObject *v, int32_t *out) {
    if (v == Py_None) {
        *out = C9_NET_TIMEOUT_BLOCKING;
        return 0;
    }
    double s;
    if (c9py_mp_float(v, &s) < 0) {
        return -1;
    }
    if (!(s >= 0)) {
        PyErr_SetString(PyExc_ValueError, "timeout must be >= 0");
        return -1;
    }
    /* CircuitPython truncates 1000 * s, so 0.0001 s became non-blocking: round up instead. */
    double ms = s * 1000.0;
    *out = ms >= (double)INT32_MAX ? INT32_MAX : (int32_t)ms + ((double)(int32_t)ms < ms);
    return 0;
}

PyObject *c9py_sock_setsockopt(c9py_sockcore_t *core, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 4, 4, false) < 0) {
        return NULL;
    }
    int32_t level, opt;
    if (c9py_mp_int(PyTuple_GET_ITEM(args, 0), &level) < 0 || c9py_mp_int(PyTuple_GET_ITEM(args, 1), &opt) < 0) {
        return NULL;
    }
    PyObject *v = PyTuple_GET_ITEM(args, 2);
    c9_err_t err;
    if (PyLong_Check(v)) {
        /* mp_obj_get_int_truncated into a 32-bit word, little-endian as the board stores it. */
        uint32_t w = (uint32_t)PyLong_AsUnsignedLongMask(v);
        if (PyErr_Occurred()) {
            return NULL;
        }
        uint8_t b[4] = {(uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24)};
        err = core->ops->setsockopt(core->ops->ctx, core->h, level, opt, b, sizeof b);
    } else {
        Py_buffer view;
        if (c9py_get_buffer(v, &view, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        err = core->ops->setsockopt(core->ops->ctx, core->h, level, opt, view.buf, (size_t)view.len);
        PyBuffer_Release(&view);
    }
    if (err != C9_OK) {
        return c9py_sock_raise(err, core, NULL);
    }
    Py_RETURN_NONE;
}

typedef struct {
    const char *host;
    uint16_t port;
    int family, type;
    c9_net_addr_t *out;
    size_t count;
} resolve_t;

static c9_err_t resolve(const c9_net_socket_ops_t *ops, resolve_t *r) {
    c9_err_t err;
    Py_BEGIN_ALLOW_THREADS err = ops->getaddrinfo(ops->ctx, r->host, r->port, r->family, r->type, r->out, 1, &r->count);
    Py_END_ALLOW_THREADS return err;
}

int c9py_sock_address(const c9py_sockcore_t *core, PyObject *addr, bool bind, c9_net_addr_t *out) {
    if (!PyTuple_Check(addr) && !PyList_Check(addr)) {
        PyErr_Format(PyExc_TypeError, "object '%s' isn't a tuple or list", c9py_type_name(addr));
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(addr) != 2) {
        PyErr_SetString(PyExc_ValueError, "tuple/list has wrong length");
        return -1;
    }
    PyObject *h = PySequence_Fast_GET_ITEM(addr, 0), *p = PySequence_Fast_GET_ITEM(addr, 1);
    const char *host;
    Py_ssize_t hlen;
    if (PyUnicode_Check(h)) {
        host = PyUnicode_AsUTF8AndSize(h, &hlen);
        if (!host) {
            return -1;
        }
    } else if (PyBytes_Check(h)) {
        host = PyBytes_AS_STRING(h);
        hlen = PyBytes_GET_SIZE(h);
    } else {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(h));
        return -1;
    }
    int32_t port;
    if (c9py_mp_int(p, &port) < 0) {
        return -1;
    }
    if (port < 0) {
        PyErr_SetString(PyExc_ValueError, "port must be >= 0");
        return -1;
    }
    if (c9py_check_range(port, 0, 65535, "port") < 0) {
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->family = core->family;
    out->port = (uint16_t)port;
    if ((size_t)hlen != strlen(host)) {
        c9py_sock_raise(C9_ERR_NET_NONAME, NULL, NULL); /* no name has a NUL in it */
        return -1;
    }
    if (bind && hlen == 0) {
        return 0; /* every interface */
    }
    if (bind && core->family == C9_NET_AF_INET && strcmp(host, "<broadcast>") == 0) {
        memset(out->addr, 0xff, 4);
        return 0;
    }
    if (core->family == C9_NET_AF_INET && c9_net_ipv4_parse(host, (size_t)hlen, out->addr) == C9_OK) {
        return 0;
    }
    resolve_t r = {host, (uint16_t)port, core->family, core->type, out, 0};
    c9_err_t err = resolve(core->ops, &r);
    if (err != C9_OK) {
        c9py_sock_raise(err, NULL, NULL);
        return -1;
    }
    out->port = (uint16_t)port;
    return 0;
}

PyObject *c9py_sock_addr_tuple(const c9_net_addr_t *a) {
    char text[64];
    if (c9_net_addr_format(a, text, sizeof text) < 0) {
        text[0] = 0;
    }
    if (a->family == C9_NET_AF_INET6) {
        return Py_BuildValue("(siii)", text, a->port, 0, 0);
    }
    return Py_BuildValue("(si)", text, a->port);
}

/* ---- socketpool.Socket --------------------------------------------------------------------------- */

typedef struct {
    C9PY_OBJECT_HEAD c9py_sockcore_t core;
} sock_obj_t;

#define CORE (&((sock_obj_t *)self)->core)

c9py_sockcore_t *c9py_socket_core(PyObject *obj) {
    if (c9py_check_type(obj, &c9py_Socket_Type, "sock") < 0) {
        return NULL;
    }
    return &((sock_obj_t *)obj)->core;
}

PyObject *c9py_socket_new(const c9_net_socket_ops_t *ops, c9_sock_t h, uint8_t family, uint8_t type) {
    PyObject *o = c9py_object_new(&c9py_Socket_Type);
    if (!o) {
        (void)ops->close(ops->ctx, h);
        return NULL;
    }
    c9py_sockcore_t *c = &((sock_obj_t *)o)->core;
    c->ops = ops;
    c->h = h;
    c->timeout_ms = C9_NET_TIMEOUT_BLOCKING;
    c->applied_ms = C9_NET_TIMEOUT_BLOCKING; /* a new socket of the table is blocking */
    c->family = family;
    c->type = type;
    return o;
}

static void sock_dealloc(PyObject *self) {
    c9py_sock_close(CORE); /* CircuitPython's __del__ */
    Py_TYPE(self)->tp_free(self);
}

static PyObject *fail(PyObject *self, c9_err_t err) {
    if (err == C9_ERR_CONNRESET || err == C9_ERR_NOTCONN || err == C9_ERR_PIPE) {
        CORE->connected = false;
    }
    return c9py_sock_raise(err, CORE, NULL);
}

static PyObject *s_enter(PyObject *self, PyObject *u) {
    (void)u;
    return Py_NewRef(self);
}

static PyObject *s_exit(PyObject *self, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 4, 4, false) < 0) {
        return NULL;
    }
    c9py_sock_close(CORE);
    Py_RETURN_NONE;
}

static PyObject *s_close(PyObject *self, PyObject *u) {
    (void)u;
    c9py_sock_close(CORE);
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

static PyObject *s_accept(PyObject *self, PyObject *u) {
    (void)u;
    accept_t a;
    c9_err_t err = c9py_sock_run(CORE, step_accept, &a);
    if (err != C9_OK) {
        return fail(self, err);
    }
    PyObject *peer = c9py_sock_addr_tuple(&a.peer);
    if (!peer) {
        (void)CORE->ops->close(CORE->ops->ctx, a.out);
        return NULL;
    }
    PyObject *s = c9py_socket_new(CORE->ops, a.out, CORE->family, CORE->type);
    if (!s) {
        Py_DECREF(peer);
        return NULL;
    }
    ((sock_obj_t *)s)->core.connected = true;
    return Py_BuildValue("(NN)", s, peer);
}

static PyObject *s_bind(PyObject *self, PyObject *addr) {
    c9_net_addr_t a;
    if (c9py_sock_address(CORE, addr, true, &a) < 0) {
        return NULL;
    }
    c9_err_t err = CORE->ops->bind(CORE->ops->ctx, CORE->h, &a);
    return err != C9_OK ? fail(self, err) : Py_NewRef(Py_None);
}

static c9_err_t step_connect(const c9py_sockcore_t *core, void *arg) {
    return core->ops->connect(core->ops->ctx, core->h, arg);
}

static PyObject *s_connect(PyObject *self, PyObject *addr) {
    c9_net_addr_t a;
    if (c9py_sock_address(CORE, addr, false, &a) < 0) {
        return NULL;
    }
    c9_err_t err = c9py_sock_run(CORE, step_connect, &a);
    if (err != C9_OK) {
        return fail(self, err);
    }
    CORE->connected = true;
    Py_RETURN_NONE;
}

static PyObject *s_listen(PyObject *self, PyObject *arg) {
    int32_t backlog;
    if (c9py_mp_int(arg, &backlog) < 0) {
        return NULL;
    }
    c9_err_t err = CORE->ops->listen(CORE->ops->ctx, CORE->h, backlog);
    return err != C9_OK ? fail(self, err) : Py_NewRef(Py_None);
}

typedef struct {
    void *buf;
    size_t len, done;
    c9_net_addr_t addr;
} io_t;

static c9_err_t step_recv(const c9py_sockcore_t *core, void *arg) {
    io_t *io = arg;
    return core->ops->recv(core->ops->ctx, core->h, io->buf, io->len, &io->done);
}

static c9_err_t step_send(const c9py_sockcore_t *core, void *arg) {
    io_t *io = arg;
    return core->ops->send(core->ops->ctx, core->h, io->buf, io->len, &io->done);
}

static c9_err_t step_recvfrom(const c9py_sockcore_t *core, void *arg) {
    io_t *io = arg;
    return core->ops->recvfrom(core->ops->ctx, core->h, io->buf, io->len, &io->done, &io->addr);
}

static c9_err_t step_sendto(const c9py_sockcore_t *core, void *arg) {
    io_t *io = arg;
    return core->ops->sendto(core->ops->ctx, core->h, io->buf, io->len, &io->addr, &io->done);
}

static PyObject *s_recvfrom_into(PyObject *self, PyObject *arg) {
    Py_buffer view;
    if (c9py_get_buffer(arg, &view, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    io_t io = {.buf = view.buf, .len = (size_t)view.len};
    c9_err_t err = c9py_sock_run(CORE, step_recvfrom, &io);
    PyBuffer_Release(&view);
    if (err != C9_OK) {
        return fail(self, err);
    }
    return Py_BuildValue("(nN)", (Py_ssize_t)io.done, c9py_sock_addr_tuple(&io.addr));
}

PyObject *c9py_sock_recv_into(c9py_sockcore_t *core, PyObject *args, const c9_net_tls_ops_t *tls, bool espressif_eof) {
    if (c9py_arg_check_call(args, NULL, 1, 2, 3, false) < 0) {
        return NULL;
    }
    if (core->h == C9_NET_SOCK_NONE) {
        return raise_errno(9); /* EBADF */
    }
    Py_buffer view;
    if (c9py_get_buffer(PyTuple_GET_ITEM(args, 0), &view, PyBUF_WRITABLE) < 0) {
        return NULL;
    }
    size_t len = (size_t)view.len;
    if (PyTuple_GET_SIZE(args) == 2) {
        int32_t given;
        if (c9py_mp_int(PyTuple_GET_ITEM(args, 1), &given) < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
        if (given > (int64_t)len) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_ValueError, "buffer too small for requested bytes");
            return NULL;
        }
        if (given > 0) {
            len = (size_t)given;
        }
    }
    if (len == 0) {
        PyBuffer_Release(&view);
        return PyLong_FromLong(0);
    }
    io_t io = {.buf = view.buf, .len = len};
    c9_err_t err = c9py_sock_run(core, step_recv, &io);
    PyBuffer_Release(&view);
    if (err == C9_OK && io.done == 0 && espressif_eof && core->timeout_ms == 0) {
        /* The espressif port reports the end of the stream on a non-blocking socket as
         * ENOTCONN, which programs written for it test for. */
        err = C9_ERR_NOTCONN;
    }
    if (err != C9_OK) {
        if (err == C9_ERR_CONNRESET || err == C9_ERR_NOTCONN) {
            core->connected = false;
        }
        return c9py_sock_raise(err, core, tls);
    }
    return PyLong_FromSize_t(io.done);
}

PyObject *c9py_sock_send(c9py_sockcore_t *core, PyObject *arg, const c9_net_tls_ops_t *tls, bool all) {
    if (core->h == C9_NET_SOCK_NONE) {
        return raise_errno(9);
    }
    if (!core->connected) {
        return c9py_sock_raise(C9_ERR_PIPE, core, tls);
    }
    Py_buffer view;
    if (c9py_get_buffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    size_t total = 0;
    c9_err_t err = C9_OK;
    do {
        io_t io = {.buf = (uint8_t *)view.buf + total, .len = (size_t)view.len - total};
        err = c9py_sock_run(core, step_send, &io);
        total += io.done;
    } while (all && err == C9_OK && total < (size_t)view.len);
    PyBuffer_Release(&view);
    if (err != C9_OK) {
        if (err == C9_ERR_CONNRESET || err == C9_ERR_NOTCONN || err == C9_ERR_PIPE) {
            core->connected = false;
        }
        return c9py_sock_raise(err, core, tls);
    }
    return all ? Py_NewRef(Py_None) : PyLong_FromSize_t(total);
}

static PyObject *s_recv_into(PyObject *self, PyObject *args) {
    return c9py_sock_recv_into(CORE, args, NULL, true);
}

static PyObject *s_send(PyObject *self, PyObject *arg) {
    return c9py_sock_send(CORE, arg, NULL, false);
}

static PyObject *s_sendall(PyObject *self, PyObject *arg) {
    return c9py_sock_send(CORE, arg, NULL, true);
}

static PyObject *s_sendto(PyObject *self, PyObject *args) {
    if (c9py_arg_check_call(args, NULL, 1, 3, 3, false) < 0) {
        return NULL;
    }
    Py_buffer view;
    if (c9py_get_buffer(PyTuple_GET_ITEM(args, 0), &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    io_t io = {.buf = view.buf, .len = (size_t)view.len};
    if (c9py_sock_address(CORE, PyTuple_GET_ITEM(args, 1), false, &io.addr) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    c9_err_t err = c9py_sock_run(CORE, step_sendto, &io);
    PyBuffer_Release(&view);
    return err != C9_OK ? fail(self, err) : PyLong_FromSize_t(io.done);
}

static PyObject *s_setblocking(PyObject *self, PyObject *flag) {
    int b = PyObject_IsTrue(flag);
    if (b < 0) {
        return NULL;
    }
    CORE->timeout_ms = b ? C9_NET_TIMEOUT_BLOCKING : 0;
    Py_RETURN_NONE;
}

static PyObject *s_setsockopt(PyObject *self, PyObject *args) {
    return c9py_sock_setsockopt(CORE, args);
}

static PyObject *s_settimeout(PyObject *self, PyObject *v) {
    int32_t ms;
    if (c9py_sock_timeout_arg(v, &ms) < 0) {
        return NULL;
    }
    CORE->timeout_ms = ms;
    Py_RETURN_NONE;
}

static PyObject *s_type(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(CORE->type);
}

static PyMethodDef sock_methods[] = {
    {"__enter__", s_enter, METH_NOARGS, NULL},
    {"__exit__", s_exit, METH_VARARGS, NULL},
    {"accept", s_accept, METH_NOARGS, "Accept a connection: (socket, (address, port))."},
    {"bind", s_bind, METH_O, "Bind the socket to (address, port)."},
    {"close", s_close, METH_NOARGS, "Close the socket and give its resources back to the pool."},
    {"connect", s_connect, METH_O, "Connect to (address, port)."},
    {"listen", s_listen, METH_O, "Listen for connections, with a backlog."},
    {"recvfrom_into", s_recvfrom_into, METH_O, "Receive a datagram: (nbytes, (address, port))."},
    {"recv_into", s_recv_into, METH_VARARGS, "Receive into a buffer, up to bufsize bytes."},
    {"send", s_send, METH_O, "Send some bytes; returns how many were sent."},
    {"sendall", s_sendall, METH_O, "Send all the bytes."},
    {"sendto", s_sendto, METH_VARARGS, "Send a datagram to (address, port)."},
    {"setblocking", s_setblocking, METH_O, "False: non-blocking; True: block without a timeout."},
    {"setsockopt", s_setsockopt, METH_VARARGS, "Set a socket option (SocketPool's numbering)."},
    {"settimeout", s_settimeout, METH_O, "Timeout in seconds; 0 non-blocking, None blocking."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef sock_getset[] = {
    {"type", s_type, NULL, "The socket type (read-only).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject c9py_Socket_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "socketpool.Socket",
    .tp_basicsize = sizeof(sock_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TCP, UDP and RAW socket. Cannot be created directly: use SocketPool.socket().",
    .tp_dealloc = sock_dealloc,
    .tp_methods = sock_methods,
    .tp_getset = sock_getset,
};

/* ---- SocketPool.gaierror ------------------------------------------------------------------------- */

static PyObject *gaierror;

static PyObject *gaierror_type(void) {
    if (!gaierror) {
        gaierror =
            PyErr_NewExceptionWithDoc("socketpool.gaierror", "Errors raised by getaddrinfo", PyExc_OSError, NULL);
    }
    return gaierror;
}

PyObject *c9py_socketpool_gaierror(void) {
    return gaierror_type();
}
