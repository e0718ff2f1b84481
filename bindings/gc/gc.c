/* CircuitPython's gc module over the board's memory budget: mem_free()/mem_alloc() report the
 * budget that native buffers (bitmaps, decoders) draw from; collect()/enable()/disable() also
 * drive CPython's own collector so that objects holding native memory are freed. */
#include "c9rt.h"

#include <unistd.h>

static PyObject *host_gc_call(const char *name, PyObject *arg) {
    /* CPython's own gc, imported past user code's __import__ (which would find this module, or
     * fail when the host's gc is not in sys.modules yet). */
    PyObject *gc = PyImport_ImportModuleLevel("gc", NULL, NULL, NULL, 0);
    if (!gc) {
        return NULL;
    }
    PyObject *r = arg ? PyObject_CallMethod(gc, name, "O", arg) : PyObject_CallMethod(gc, name, NULL);
    Py_DECREF(gc);
    return r;
}

static PyObject *g_collect(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    PyObject *r = host_gc_call("collect", NULL);
    if (!r) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *g_enable(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return host_gc_call("enable", NULL);
}

static PyObject *g_disable(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return host_gc_call("disable", NULL);
}

static PyObject *g_isenabled(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    return host_gc_call("isenabled", NULL);
}

static PyObject *g_mem_free(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    if (!c9rt.mem_free) {
        /* The package has no board: the host's free memory is the honest answer. */
        return PyLong_FromSize_t((size_t)sysconf(_SC_AVPHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE));
    }
    return PyLong_FromSize_t(c9rt.mem_free());
}

static PyObject *g_mem_alloc(PyObject *m, PyObject *noargs) {
    (void)m;
    (void)noargs;
    if (!c9rt.mem_alloc) {
        return PyLong_FromSize_t((size_t)(sysconf(_SC_PHYS_PAGES) - sysconf(_SC_AVPHYS_PAGES)) *
                                 (size_t)sysconf(_SC_PAGESIZE));
    }
    return PyLong_FromSize_t(c9rt.mem_alloc());
}

static PyMethodDef methods[] = {
    {"collect", g_collect, METH_NOARGS, "Runs a garbage collection."},
    {"enable", g_enable, METH_NOARGS, NULL},
    {"disable", g_disable, METH_NOARGS, NULL},
    {"isenabled", g_isenabled, METH_NOARGS, NULL},
    {"mem_free", g_mem_free, METH_NOARGS, "Bytes of the board's memory budget still free."},
    {"mem_alloc", g_mem_alloc, METH_NOARGS, "Bytes of the board's memory budget in use."},
    {NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "gc", "CircuitPython's gc module", -1, methods};

PyObject *c9py_init_gc(void) {
    return PyModule_Create(&def);
}
