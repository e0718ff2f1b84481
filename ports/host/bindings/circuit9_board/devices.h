/* What circuit9_board.c takes from devices.c: the device functions and devices.py join the module. */
#ifndef C9PY_CIRCUIT9_BOARD_DEVICES_H
#define C9PY_CIRCUIT9_BOARD_DEVICES_H

#include "c9py.h"

/* Adds the device functions and devices.py's public names to the module; 0 or -1. */
int c9py_circuit9_board_add_devices(PyObject *m);

#endif
