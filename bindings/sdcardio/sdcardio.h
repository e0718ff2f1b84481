/* sdcardio.SDCard as storage.VfsFat sees it: a card's block device without Python in between,
 * as CircuitPython's VfsFat uses sdcardio natively. */
#ifndef C9PY_SDCARDIO_H
#define C9PY_SDCARDIO_H

#include "c9py.h"
#include "circuit9/blockdev.h"

extern PyTypeObject c9py_SDCard_Type;

/* When obj is exactly an sdcardio.SDCard (a subclass may override readblocks, so it goes
 * through Python), *out is the card's block device and the result true. The table stays valid
 * while obj lives; after deinit() its operations fail with C9_ERR_BADF. */
bool c9py_sdcard_blockdev(PyObject *obj, c9_blockdev_t *out);

#endif
