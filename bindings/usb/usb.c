/* usb, usb.core and usb.util: CircuitPython 9.2.9's PyUSB-like API over the board's USB host
 * (runtime/c9rt_usb.h, core/usb's blocking calls). docs/usb.md lists where it differs from PyUSB
 * and from CircuitPython. */
#include "c9py.h"
#include "c9rt_usb.h"

#include <string.h>

static PyObject *usb_error;         /* usb.core.USBError(OSError) */
static PyObject *usb_timeout_error; /* usb.core.USBTimeoutError(USBError) */

/* What CircuitPython's shared-module/usb/core/Device.c raises for each transfer result. It
 * returns 0 without an exception for a failed transfer that is neither a stall nor a timeout;
 * circuit9 raises USBError() there (docs/usb.md). */
static const c9py_err_override_t xfer_errors[] = {
    {C9_ERR_USB_STALL, &usb_error, "Pipe error"},
    {C9_ERR_TIMEDOUT, &usb_timeout_error, NULL},
    {C9_ERR_USB_NO_CONFIG, &usb_error, "No configuration set"},
    {C9_OK},
};

static PyObject *raise_usb(c9_err_t err) {
    for (const c9py_err_override_t *o = xfer_errors; o->err != C9_OK; o++) {
        if (o->err == err) {
            return c9py_raise_err(err, xfer_errors);
        }
    }
    PyErr_SetNone(usb_error); /* no handshake, babble, unplugged, endpoint unknown or busy, ... */
    return NULL;
}

/* The board's host, locked; NULL with CircuitPython's error when there is no host port, or with
 * USBError() for a call made from inside another USB call (a signal handler). */
static c9_usbh_t *host_or_raise(void) {
    c9_usbh_t *h = c9rt_usb_lock();
    if (!h) {
        if (c9rt_usb_running(NULL, NULL)) {
            PyErr_SetNone(usb_error);
        } else {
            PyErr_SetString(PyExc_RuntimeError, "No usb host port initialized");
        }
    }
    return h;
}

/* A buffer argument as mp_get_buffer_raise gives it: read-only objects asked to be written
 * fail as objects without the buffer protocol do. */
static int get_buffer(PyObject *obj, Py_buffer *view, bool writable) {
    if (c9py_get_buffer(obj, view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) == 0) {
        return 0;
    }
    if (PyErr_ExceptionMatches(PyExc_BufferError)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
    }
    return -1;
}

/* ---- usb.core.Device ------------------------------------------------------------------------- */

#define MAX_OPEN_ENDPOINTS 8 /* CircuitPython's open_endpoints[8] per Device object */
#define STRING_MAX 384       /* 127 UTF-16 units (CircuitPython's 254-byte request) as UTF-8 */

typedef struct {
    C9PY_OBJECT_HEAD c9_usbh_dev_t dev;
    c9_usbh_device_info_t info; /* as found: ids, bus, speed and hub ports do not change */
    bool configured;            /* set_configuration() fetched a configuration for this object */
    uint8_t open_count;
    uint8_t open_eps[MAX_OPEN_ENDPOINTS];
} device_obj_t;

#define DEV ((device_obj_t *)self)

static PyTypeObject Device_Type;

static PyObject *device_new_forbidden(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)t;
    (void)a;
    (void)k;
    PyErr_SetString(PyExc_TypeError, "cannot create 'Device' instances");
    return NULL;
}

static PyObject *get_idVendor(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(DEV->info.desc.idVendor);
}

static PyObject *get_idProduct(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(DEV->info.desc.idProduct);
}

static PyObject *get_bus(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(DEV->info.bus);
}

static PyObject *get_speed(PyObject *self, void *c) {
    (void)c;
    /* usb.util's SPEED_LOW/FULL/HIGH are the stack's numbers; anything else is 0 (unknown) */
    long s = DEV->info.speed;
    return PyLong_FromLong(s >= C9_USB_SPEED_LOW && s <= C9_USB_SPEED_HIGH ? s : 0);
}

static PyObject *get_port_numbers(PyObject *self, void *c) {
    (void)c;
    if (DEV->info.port_count == 0) {
        Py_RETURN_NONE; /* on the root port */
    }
    PyObject *t = PyTuple_New(DEV->info.port_count);
    for (uint8_t i = 0; t && i < DEV->info.port_count; i++) {
        PyTuple_SET_ITEM(t, i, PyLong_FromLong(DEV->info.port_numbers[i]));
    }
    return t;
}

/* A string descriptor, fetched on every access as on a board; None when the device has none,
 * the request fails or the string is empty. */
static PyObject *get_string(PyObject *self, uint8_t index) {
    char text[STRING_MAX];
    size_t len = 0;
    c9_usbh_t *h = host_or_raise();
    if (!h) {
        return NULL;
    }
    c9_err_t err = c9_usbh_get_string(h, DEV->dev, index, 0, text, sizeof text, &len, 0);
    c9rt_usb_unlock();
    if (err == C9_ERR_USB_CANCELLED && PyErr_Occurred()) {
        return NULL; /* Ctrl-C or a reload */
    }
    PyErr_Clear();
    if (err != C9_OK || len == 0) {
        Py_RETURN_NONE;
    }
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace");
}

static PyObject *get_manufacturer(PyObject *self, void *c) {
    (void)c;
    return get_string(self, DEV->info.desc.iManufacturer);
}

static PyObject *get_product(PyObject *self, void *c) {
    (void)c;
    return get_string(self, DEV->info.desc.iProduct);
}

static PyObject *get_serial_number(PyObject *self, void *c) {
    (void)c;
    return get_string(self, DEV->info.desc.iSerialNumber);
}

static PyObject *device_deinit(PyObject *self, PyObject *u) {
    (void)self;
    (void)u;
    Py_RETURN_NONE; /* CircuitPython 9.2.9 closes nothing here either */
}

static PyObject *set_configuration(PyObject *self, PyObject *args, PyObject *kw) {
    static const c9py_arg_t allowed[] = {{"configuration", C9PY_ARG_INT, {.u_int = 1}}};
    c9py_argval_t a[1];
    if (c9py_arg_parse(args, kw, allowed, 1, a) < 0) {
        return NULL;
    }
    c9_usbh_t *h = host_or_raise();
    if (!h) {
        return NULL;
    }
    /* CircuitPython takes the configuration's index to be one less than its value. */
    c9_err_t err = c9_usbh_set_configuration(h, DEV->dev, (uint8_t)(a[0].u_int - 1), 0);
    c9rt_usb_unlock();
    if (err == C9_ERR_USB_CANCELLED && PyErr_Occurred()) {
        return NULL;
    }
    PyErr_Clear();
    if (err == C9_OK) {
        DEV->configured = true;
        DEV->open_count = 0;
    }
    Py_RETURN_NONE; /* failures are silent, as in CircuitPython */
}

static bool endpoint_open(PyObject *self, long ep) {
    for (uint8_t i = 0; i < DEV->open_count; i++) {
        if (DEV->open_eps[i] == ep) {
            return true;
        }
    }
    return false;
}

/* read() and write(): CircuitPython's endpoint rules, then the transfer. */
static PyObject *transfer(PyObject *self, PyObject *args, PyObject *kw, bool in) {
    enum { ARG_endpoint, ARG_buf, ARG_timeout };
    static const c9py_arg_t write_args[] = {
        {"endpoint", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"data", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"timeout", C9PY_ARG_INT, {.u_int = 0}},
    };
    static const c9py_arg_t read_args[] = {
        {"endpoint", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"size_or_buffer", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"timeout", C9PY_ARG_INT, {.u_int = 0}},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, in ? read_args : write_args, 3, a) < 0) {
        return NULL;
    }
    Py_buffer view;
    if (get_buffer(a[ARG_buf].u_obj, &view, in) < 0) {
        return NULL;
    }
    long ep = a[ARG_endpoint].u_int;
    c9_err_t err;
    size_t n = 0;
    if (!endpoint_open(self, ep) && !DEV->configured) {
        err = C9_ERR_USB_NO_CONFIG;
    } else if (ep < 0 || ep > 0xFF) {
        err = C9_ERR_USB_NO_ENDPOINT; /* matches no endpoint of the configuration */
    } else {
        c9_usbh_t *h = host_or_raise();
        if (!h) {
            PyBuffer_Release(&view);
            return NULL;
        }
        /* CircuitPython's timeout is a C int: a negative one is a very long wait */
        uint32_t timeout = (uint32_t)a[ARG_timeout].u_int;
        if (in) {
            err = c9_usbh_read(h, DEV->dev, (uint8_t)ep, view.buf, (size_t)view.len, timeout, &n);
        } else {
            err = c9_usbh_write(h, DEV->dev, (uint8_t)ep, view.buf, (size_t)view.len, timeout, &n);
        }
        c9rt_usb_unlock();
    }
    PyBuffer_Release(&view);
    if (err != C9_ERR_USB_NO_CONFIG && err != C9_ERR_USB_NO_ENDPOINT && err != C9_ERR_NOMEM &&
        !endpoint_open(self, ep) && DEV->open_count < MAX_OPEN_ENDPOINTS) {
        DEV->open_eps[DEV->open_count++] = (uint8_t)ep;
    }
    if (err == C9_ERR_USB_CANCELLED && PyErr_Occurred()) {
        return NULL;
    }
    if (err != C9_OK) {
        return raise_usb(err);
    }
    return PyLong_FromSize_t(n);
}

static PyObject *device_read(PyObject *self, PyObject *args, PyObject *kw) {
    return transfer(self, args, kw, true);
}

static PyObject *device_write(PyObject *self, PyObject *args, PyObject *kw) {
    return transfer(self, args, kw, false);
}

static PyObject *ctrl_transfer(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_bmRequestType, ARG_bRequest, ARG_wValue, ARG_wIndex, ARG_data, ARG_timeout };
    static const c9py_arg_t allowed[] = {
        {"bmRequestType", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"bRequest", C9PY_ARG_INT | C9PY_ARG_REQUIRED},
        {"wValue", C9PY_ARG_INT, {.u_int = 0}},
        {"wIndex", C9PY_ARG_INT, {.u_int = 0}},
        {"data_or_wLength", C9PY_ARG_OBJ, {.u_obj = NULL}},
        {"timeout", C9PY_ARG_INT, {.u_int = 0}},
    };
    c9py_argval_t a[6];
    if (c9py_arg_parse(args, kw, allowed, 6, a) < 0) {
        return NULL;
    }
    uint8_t bm = (uint8_t)a[ARG_bmRequestType].u_int; /* the SETUP packet's fields keep their low bits */
    PyObject *data = a[ARG_data].u_obj;
    Py_buffer view = {0};
    bool have = data != NULL && data != Py_None;
    if (have && get_buffer(data, &view, (bm & C9_USB_DIR_IN) != 0) < 0) {
        return NULL;
    }
    c9_usbh_t *h = host_or_raise();
    if (!h) {
        if (have) {
            PyBuffer_Release(&view);
        }
        return NULL;
    }
    Py_ssize_t len = have ? view.len : 0;
    size_t actual = 0;
    c9_err_t err = c9_usbh_ctrl_transfer(h, DEV->dev, bm, (uint8_t)a[ARG_bRequest].u_int, (uint16_t)a[ARG_wValue].u_int,
                                         (uint16_t)a[ARG_wIndex].u_int, have ? view.buf : NULL, (uint16_t)len,
                                         (uint32_t)a[ARG_timeout].u_int, &actual);
    c9rt_usb_unlock();
    if (have) {
        PyBuffer_Release(&view);
    }
    if (err == C9_ERR_USB_CANCELLED && PyErr_Occurred()) {
        return NULL;
    }
    if (err != C9_OK) {
        return raise_usb(err);
    }
    return PyLong_FromSsize_t(len); /* the buffer's length, not what was transferred */
}

/* The interface argument of the kernel-driver calls (mp_obj_get_int); -1: none the stack has. */
static int interface_arg(PyObject *obj, uint8_t *itf) {
    int32_t v;
    if (c9py_mp_int(obj, &v) < 0) {
        return -1;
    }
    if (v < 0 || v >= C9_USBH_MAX_INTERFACES) {
        return 1;
    }
    *itf = (uint8_t)v;
    return 0;
}

static PyObject *is_kernel_driver_active(PyObject *self, PyObject *arg) {
    uint8_t itf;
    int r = interface_arg(arg, &itf);
    if (r < 0) {
        return NULL;
    }
    bool active = false;
    if (r == 0) {
        c9_usbh_t *h = host_or_raise();
        if (!h) {
            return NULL;
        }
        if (c9_usbh_kernel_driver_active(h, DEV->dev, itf, &active) != C9_OK) {
            active = false; /* unplugged: CircuitPython's workflow has let it go */
        }
        c9rt_usb_unlock();
    }
    return PyBool_FromLong(active);
}

static PyObject *kernel_driver(PyObject *self, PyObject *arg, bool attach) {
    uint8_t itf;
    int r = interface_arg(arg, &itf);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        c9_usbh_t *h = host_or_raise();
        if (!h) {
            return NULL;
        }
        /* nothing to report: an interface no driver has is left as it is */
        if (attach) {
            c9_usbh_attach_kernel_driver(h, DEV->dev, itf);
        } else {
            c9_usbh_detach_kernel_driver(h, DEV->dev, itf);
        }
        c9rt_usb_unlock();
    }
    Py_RETURN_NONE;
}

static PyObject *detach_kernel_driver(PyObject *self, PyObject *arg) {
    return kernel_driver(self, arg, false);
}

static PyObject *attach_kernel_driver(PyObject *self, PyObject *arg) {
    return kernel_driver(self, arg, true);
}

#define KW_METHOD(name, fn)                                                                                            \
    { name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, NULL }

static PyMethodDef device_methods[] = {
    {"__del__", device_deinit, METH_NOARGS, NULL},
    {"deinit", device_deinit, METH_NOARGS, "Does nothing (CircuitPython 9.2.9 closes no endpoints here)."},
    KW_METHOD("set_configuration", set_configuration),
    KW_METHOD("write", device_write),
    KW_METHOD("read", device_read),
    KW_METHOD("ctrl_transfer", ctrl_transfer),
    {"is_kernel_driver_active", is_kernel_driver_active, METH_O, NULL},
    {"detach_kernel_driver", detach_kernel_driver, METH_O, NULL},
    {"attach_kernel_driver", attach_kernel_driver, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef device_getset[] = {
    {"idVendor", get_idVendor, NULL, "The USB vendor ID of the device.", NULL},
    {"idProduct", get_idProduct, NULL, "The USB product ID of the device.", NULL},
    {"serial_number", get_serial_number, NULL, "The serial number string, or None.", NULL},
    {"product", get_product, NULL, "The product string, or None.", NULL},
    {"manufacturer", get_manufacturer, NULL, "The manufacturer string, or None.", NULL},
    {"bus", get_bus, NULL, "The root hub port the device is on.", NULL},
    {"port_numbers", get_port_numbers, NULL, "Hub ports from the root, or None on the root port.", NULL},
    {"speed", get_speed, NULL, "usb.util.SPEED_LOW, SPEED_FULL, SPEED_HIGH or 0.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Device_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "usb.core.Device",
    .tp_basicsize = sizeof(device_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A device on the board's USB host port (usb.core.find()).",
    .tp_new = device_new_forbidden,
    .tp_methods = device_methods,
    .tp_getset = device_getset,
};

/* ---- find() and its iterator --------------------------------------------------------------------- */

/* A filter as mp_obj_get_int_maybe reads it: an int (a bool too) filters, anything else does not. */
#define NO_FILTER 0x10000L

static int filter_arg(PyObject *obj, long *out) {
    *out = NO_FILTER;
    if (obj == NULL || !PyLong_Check(obj)) {
        return 0;
    }
    int32_t v;
    if (c9py_mp_int(obj, &v) < 0) {
        return -1;
    }
    *out = v;
    return 0;
}

typedef struct {
    PyObject_HEAD long vid, pid;
    uint8_t pass;      /* TinyUSB gives devices the low addresses and hubs the ones above */
    uint8_t next_addr; /* the address to look from in this pass */
} devices_obj_t;

static PyTypeObject USBDevices_Type;

static bool matches(long filter, uint16_t value) {
    return filter >= NO_FILTER || filter == value;
}

/* The next mounted device matching the filters, or NULL (with or without an exception). The
 * walk goes through addresses as CircuitPython's does over TinyUSB's, where devices hold the
 * addresses below the hubs'. */
static PyObject *next_device(devices_obj_t *it) {
    c9_usbh_t *h = host_or_raise();
    if (!h) {
        return NULL;
    }
    c9_usbh_dev_t devs[C9_USBH_MAX_DEVICES];
    size_t n = c9_usbh_devices(h, devs, C9_ARRAY_SIZE(devs));
    if (n > C9_ARRAY_SIZE(devs)) {
        n = C9_ARRAY_SIZE(devs);
    }
    device_obj_t *found = NULL;
    for (; it->pass < 2 && !found; it->pass++, it->next_addr = 0) {
        for (size_t i = 0; i < n && !found; i++) {
            c9_usbh_device_info_t info;
            uint8_t addr = (uint8_t)(devs[i] & 0xFF);
            if (addr < it->next_addr || c9_usbh_device_info(h, devs[i], &info) != C9_OK ||
                info.is_hub != (it->pass == 1) || !matches(it->vid, info.desc.idVendor) ||
                !matches(it->pid, info.desc.idProduct)) {
                continue;
            }
            it->next_addr = (uint8_t)(addr + 1);
            found = (device_obj_t *)c9py_object_new(&Device_Type);
            if (found) {
                found->dev = devs[i];
                found->info = info;
            }
            c9rt_usb_unlock();
            return (PyObject *)found;
        }
    }
    c9rt_usb_unlock();
    return NULL;
}

static PyObject *devices_iternext(PyObject *self) {
    return next_device((devices_obj_t *)self); /* NULL without an exception ends the iteration */
}

static PyTypeObject USBDevices_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "usb.core.USBDevices",
    .tp_basicsize = sizeof(devices_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = devices_iternext,
};

static PyObject *find(PyObject *m, PyObject *args, PyObject *kw) {
    (void)m;
    enum { ARG_find_all, ARG_idVendor, ARG_idProduct };
    static const c9py_arg_t allowed[] = {
        {"find_all", C9PY_ARG_BOOL, {.u_bool = false}},
        {"idVendor", C9PY_ARG_OBJ, {.u_obj = NULL}},
        {"idProduct", C9PY_ARG_OBJ, {.u_obj = NULL}},
    };
    c9py_argval_t a[3];
    long vid, pid;
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0 || filter_arg(a[ARG_idVendor].u_obj, &vid) < 0 ||
        filter_arg(a[ARG_idProduct].u_obj, &pid) < 0) {
        return NULL;
    }
    devices_obj_t *it = PyObject_New(devices_obj_t, &USBDevices_Type);
    if (!it) {
        return NULL;
    }
    it->vid = vid;
    it->pid = pid;
    it->pass = 0;
    it->next_addr = 0;
    if (a[ARG_find_all].u_bool) {
        return (PyObject *)it; /* the host is looked at while iterating, as on a board */
    }
    PyObject *dev = next_device(it);
    Py_DECREF(it);
    if (!dev && !PyErr_Occurred()) {
        Py_RETURN_NONE;
    }
    return dev;
}

static PyMethodDef core_functions[] = {
    {"find", (PyCFunction)(void (*)(void))find, METH_VARARGS | METH_KEYWORDS,
     "find(find_all=False, *, idVendor=None, idProduct=None): the first matching Device or None; "
     "with find_all an iterator over every match."},
    {NULL, NULL, 0, NULL},
};

/* ---- modules --------------------------------------------------------------------------------------- */

static PyObject *make_core(void) {
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "usb.core", "USB host: devices on the board's host port.",
                                     -1, core_functions};
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if (!usb_error) {
        PyObject *attrs = Py_BuildValue("{s:s}", "__module__", "usb.core");
        usb_error = attrs ? PyErr_NewException("usb.core.USBError", PyExc_OSError, attrs) : NULL;
        usb_timeout_error = usb_error ? PyErr_NewException("usb.core.USBTimeoutError", usb_error, attrs) : NULL;
        Py_XDECREF(attrs);
        if (!usb_timeout_error) {
            Py_CLEAR(usb_error);
            Py_DECREF(m);
            return NULL;
        }
    }
    if (c9py_type_ready(&USBDevices_Type) < 0 || c9py_add_type(m, "Device", &Device_Type) < 0 ||
        PyModule_AddObjectRef(m, "USBError", usb_error) < 0 ||
        PyModule_AddObjectRef(m, "USBTimeoutError", usb_timeout_error) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

static PyObject *make_util(void) {
    static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "usb.util", "USB host constants.", -1, NULL};
    PyObject *m = PyModule_Create(&def);
    if (!m || PyModule_AddIntConstant(m, "SPEED_LOW", C9_USB_SPEED_LOW) < 0 ||
        PyModule_AddIntConstant(m, "SPEED_FULL", C9_USB_SPEED_FULL) < 0 ||
        PyModule_AddIntConstant(m, "SPEED_HIGH", C9_USB_SPEED_HIGH) < 0) {
        Py_XDECREF(m);
        return NULL;
    }
    return m;
}

static struct PyModuleDef usb_def = {PyModuleDef_HEAD_INIT, "usb", "PyUSB-like USB host support.", -1, NULL};

PyObject *c9py_init_usb(void) {
    PyObject *m = PyModule_Create(&usb_def);
    PyObject *core = m ? make_core() : NULL;
    PyObject *util = core ? make_util() : NULL;
    if (!util || PyModule_AddObject(m, "core", core) < 0) {
        Py_XDECREF(core);
        Py_XDECREF(util);
        Py_XDECREF(m);
        return NULL;
    }
    if (PyModule_AddObject(m, "util", util) < 0) {
        Py_DECREF(util);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
