/* ipaddress's objects other modules use (wifi.radio's addresses, ping targets). */
#ifndef C9PY_IPADDRESS_H
#define C9PY_IPADDRESS_H

#include "c9py.h"

/* A new ipaddress.IPv4Address holding a (network order). New reference or NULL. */
PyObject *c9py_ipv4_new(const uint8_t a[4]);
/* The address of an IPv4Address (or subclass) instance: 1 and out[] set, 0 when obj is not one,
 * -1 with an exception (a blank subclass instance). */
int c9py_ipv4_get(PyObject *obj, uint8_t out[4]);

#endif
