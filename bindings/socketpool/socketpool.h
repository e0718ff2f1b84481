/*
 * socketpool's sockets, for the modules that build on them (ssl wraps them, wifi closes them).
 *
 * A Python socket holds a handle of a socket table (net.h), never a pointer: a handle closed by
 * a soft reload or by wifi.radio.enabled = False reads as EBADF. Blocking calls run with the
 * GIL released in slices of at most C9PY_SOCK_SLICE_MS, so that Ctrl-C, auto-reload and the
 * board's background work (display refresh) go on while a program waits on the network; the
 * wait as a whole follows the socket's settimeout() as CircuitPython's does.
 */
#ifndef C9PY_SOCKETPOOL_H
#define C9PY_SOCKETPOOL_H

#include "c9py.h"
#include "circuit9/net.h"

#define C9PY_SOCK_SLICE_MS 50

/* What Socket and SSLSocket share: the table, the handle and the timeout. */
typedef struct c9py_sockcore {
    const c9_net_socket_ops_t *ops;
    c9_sock_t h;          /* C9_NET_SOCK_NONE when closed (or handed to a TLS socket) */
    int32_t timeout_ms;   /* settimeout(): -1 None, 0 non-blocking, > 0 */
    int32_t applied_ms;   /* the timeout the table has for the handle now (INT32_MIN: unknown) */
    int busy;             /* calls running with the GIL released (threads of the package) */
    uint8_t family, type; /* C9_NET_AF_*, C9_NET_SOCK_* */
    bool connected;
} c9py_sockcore_t;

/* One step of a blocking call, run with the GIL released under the slice's timeout. */
typedef c9_err_t (*c9py_sock_step_fn)(const c9py_sockcore_t *core, void *arg);

/* Runs step until it does not time out within a slice, the socket's own timeout has passed
 * (C9_ERR_TIMEDOUT) or an exception is pending (Ctrl-C, a reload: returns C9_ERR_INTR with the
 * exception set). Non-blocking sockets run step once. Refuses (C9_ERR_BUSY) while another
 * thread runs a call on the same socket, and gives C9_ERR_BADF for a closed one. */
c9_err_t c9py_sock_run(c9py_sockcore_t *core, c9py_sock_step_fn step, void *arg);

/* Sets the pending exception for err on a socket (core may be NULL, or a TLS socket's core
 * with tls set, for mbedTLS's details): OSError with CircuitPython's errno numbers,
 * RuntimeError("Out of sockets"), SocketPool.gaierror, BrokenPipeError, ValueError("invalid
 * cert"), OSError(mbedTLS code, text), ... C9_ERR_INTR keeps the exception already set.
 * Returns NULL. */
PyObject *c9py_sock_raise(c9_err_t err, const c9py_sockcore_t *core, const c9_net_tls_ops_t *tls);

/* settimeout()'s argument in milliseconds: None -1, else seconds >= 0 (rounded up to whole
 * milliseconds). 0, or -1 with an exception. */
int c9py_sock_timeout_arg(PyObject *v, int32_t *out);
/* setsockopt(level, optname, value) on core's handle. NULL with an exception, or None. */
PyObject *c9py_sock_setsockopt(c9py_sockcore_t *core, PyObject *args);
/* An (host, port) tuple as CircuitPython's connect/bind/sendto read it, resolved for the
 * socket's family and type with the table's getaddrinfo (gaierror when the name does not
 * resolve). bind: "" is every interface and "<broadcast>" the IPv4 broadcast address.
 * 0, or -1 with an exception. */
int c9py_sock_address(const c9py_sockcore_t *core, PyObject *addr, bool bind, c9_net_addr_t *out);
/* (ip, port) as CircuitPython gives a peer's address ((ip, port, 0, 0) for IPv6). */
PyObject *c9py_sock_addr_tuple(const c9_net_addr_t *a);
/* Closes the handle (no error when already closed). */
void c9py_sock_close(c9py_sockcore_t *core);

/* recv_into(buffer, bufsize=0) in CircuitPython's order of checks (EBADF when closed first);
 * espressif_eof: a non-blocking socket reports the end of the stream as ENOTCONN, as the
 * espressif port does. */
PyObject *c9py_sock_recv_into(c9py_sockcore_t *core, PyObject *args, const c9_net_tls_ops_t *tls, bool espressif_eof);
/* send(bytes) (all: sendall): EBADF when closed, BrokenPipeError when not connected. */
PyObject *c9py_sock_send(c9py_sockcore_t *core, PyObject *arg, const c9_net_tls_ops_t *tls, bool all);
/* SocketPool.gaierror (borrowed reference, NULL with an exception). */
PyObject *c9py_socketpool_gaierror(void);

/* socketpool.Socket: the core of a Socket instance (NULL and TypeError for anything else),
 * and a new Socket around a handle the pool's table made (the Socket owns it). */
extern PyTypeObject c9py_Socket_Type;
c9py_sockcore_t *c9py_socket_core(PyObject *obj);
PyObject *c9py_socket_new(const c9_net_socket_ops_t *ops, c9_sock_t h, uint8_t family, uint8_t type);

#endif
