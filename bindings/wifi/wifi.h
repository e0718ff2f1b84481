/* wifi's objects other modules use: socketpool.SocketPool checks its radio. */
#ifndef C9PY_WIFI_H
#define C9PY_WIFI_H

#include "c9py.h"

/* Whether obj is wifi.radio. */
bool c9py_wifi_is_radio(PyObject *obj);

#endif
