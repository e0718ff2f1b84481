/*
 * Shared helpers for the CPython bindings: error mapping, CircuitPython-style argument
 * validation with its exact messages, access to displayio objects from other modules, and
 * the runtime allocator.
 *
 * A binding parses arguments, keeps buffers alive, releases the GIL around long work, calls
 * the core and maps its c9_err_t through c9py_raise(). It never re-implements core logic.
 *
 *     static PyObject *fill(PyObject *self, PyObject *arg) {
 *         long v;
 *         if (c9py_int_range(arg, 0, 255, "value", &v) < 0) return NULL;
 *         ...
 *         if ((err = c9_bitmap_fill(bm, v)) != C9_OK) return c9py_raise(err);
 *         Py_RETURN_NONE;
 *     }
 */
#ifndef C9PY_H
#define C9PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "circuit9/common.h"
#include "circuit9/gfx.h"

/* ---- errors ---------------------------------------------------------------------------- */

/* Sets a Python exception for a core error (the generic mapping) and returns NULL. */
PyObject *c9py_raise(c9_err_t err);
/* OSError(errnum, name), e.g. (5, "EIO") as MicroPython prints it. */
PyObject *c9py_raise_oserror(int errnum, const char *name);
/* ValueError("Object has been deinitialized and can no longer be used. Create a new object.") */
PyObject *c9py_raise_deinited(void);

/* ---- CircuitPython's argument validators (exact message shapes) --------------------------- */

/* Converts obj to an int in [min, max]; else ValueError("<name> must be <min>-<max>"). A non-int
 * raises TypeError("<name> must be of type int, not <T>"). Returns 0 or -1 with an exception. */
int c9py_int_range(PyObject *obj, long min, long max, const char *name, long *out);
/* The same check on a C value already converted. */
int c9py_check_range(long value, long min, long max, const char *name);
/* Like c9py_check_range but raises IndexError, as mp_arg_validate_index_range does. */
int c9py_check_index(long value, long min, long max, const char *name);
/* ValueError("<name> must be >= <min>") */
int c9py_check_min(long value, long min, const char *name);
/* TypeError("<name> must be of type <T>, not <U>") unless PyObject_TypeCheck(obj, type). */
int c9py_check_type(PyObject *obj, PyTypeObject *type, const char *name);
/* The short type name CircuitPython prints in messages ("int", "Bitmap", "NoneType"). */
const char *c9py_type_name(PyObject *obj);
/* Converts a Python int to long with TypeError("<name> must be of type int, not <T>"). */
int c9py_int(PyObject *obj, const char *name, long *out);
/* mp_obj_get_int as on a 32-bit board: ints and bools within a machine word; otherwise
 * TypeError("can't convert <T> to int") or OverflowError("overflow converting long int to
 * machine word"). */
int c9py_mp_int(PyObject *obj, int32_t *out);
/* mp_obj_get_float: int, bool or float, else TypeError("can't convert <T> to float"). */
int c9py_mp_float(PyObject *obj, double *out);
/* A property setter's value as a bool: 0 or 1, or -1 with an exception (AttributeError when
 * the attribute is being deleted, v == NULL, or whatever truth testing raised). */
int c9py_setter_bool(PyObject *v);
/* A property setter's value must be there: 0, or -1 with that AttributeError when it is being
 * deleted (v == NULL). */
int c9py_setter_value(PyObject *v);
/* Converts int or float to double with TypeError("<name> must be of type float, not <T>"). */
int c9py_float(PyObject *obj, const char *name, double *out);
/* The UTF-8 text of a str for C code that takes NUL-terminated strings (paths, keys, names): a
 * str holding a NUL character would silently name something else, so it raises
 * ValueError("embedded null byte") as CPython's path functions do. NULL with an exception. */
const char *c9py_cstr(PyObject *str);

/* ---- displayio objects, shared across modules -------------------------------------------- */

typedef struct {
    PyObject_HEAD c9_bitmap_t bitmap;
    Py_ssize_t exports;   /* live buffer-protocol views */
    Py_ssize_t buf_items; /* shape[0] of those views: items in the whole storage */
} c9py_bitmap_obj_t;

typedef struct {
    PyObject_HEAD c9_palette_t palette;
} c9py_palette_obj_t;

typedef struct {
    PyObject_HEAD c9_colorconverter_t cc;
} c9py_colorconverter_obj_t;

extern PyTypeObject c9py_Bitmap_Type;
extern PyTypeObject c9py_Palette_Type;
extern PyTypeObject c9py_ColorConverter_Type;
extern PyTypeObject *c9py_Colorspace_Type; /* created by displayio's init */

/* The Bitmap inside obj, or NULL with TypeError("<name> must be of type Bitmap, not <T>") or the
 * deinitialised ValueError. */
c9_bitmap_t *c9py_bitmap(PyObject *obj, const char *name);
/* Same, but writes must be allowed: raises on a read-only bitmap. */
c9_bitmap_t *c9py_bitmap_writable(PyObject *obj, const char *name);
/* Marks a bitmap in use by work that outlives the caller's hold on the GIL or that runs Python
 * code (a filter or decode without the GIL, a display refresh reading a file): while locked,
 * deinit() raises BufferError instead of freeing the pixels, and the object stays alive. The
 * bitmap is checked again (type, not deinitialised) because Python code may have run since the
 * caller last looked; returns it, or NULL with c9py_bitmap()'s exception. Every successful lock
 * needs one c9py_bitmap_unlock(), with the GIL held. bitmaptools, bitmapfilter, jpegio and the
 * display refresh all use this one mechanism. */
c9_bitmap_t *c9py_bitmap_lock(PyObject *obj, const char *name);
void c9py_bitmap_unlock(PyObject *obj);
/* The Colorspace member as c9_colorspace_t, or -1 with
 * TypeError("<name> must be of type ColorSpace, not <T>"). */
int c9py_colorspace(PyObject *obj, const char *name);
/* The Colorspace enum member for a value (new reference). */
PyObject *c9py_colorspace_member(c9_colorspace_t cs);

/* Small enum classes with CircuitPython's repr "<module>.<Type>.<MEMBER>": members are
 * instances carrying an int value. */
typedef struct {
    PyObject_HEAD int value;
    const char *name;
    const char *qualname; /* type's dotted name for the repr */
} c9py_enum_obj_t;
/* Creates a type named `qualname` (e.g. "displayio.ColorSpace") with members `names`
 * (NULL-terminated) valued 0..n-1 as class attributes; returns a new reference. */
PyTypeObject *c9py_enum_type_new(const char *qualname, const char *const *names);
/* The value of an enum member of `type`, or -1 with TypeError naming `type_name`. */
int c9py_enum_value(PyObject *obj, PyTypeObject *type, const char *arg_name, const char *type_name);

/* ---- runtime memory ---------------------------------------------------------------------- */

/* Set by the supervisor to the board's memory budget; NULL means libc. */
extern const c9_allocator_t *c9py_runtime_allocator;
/* The allocator native buffers (bitmap storage, decoder work memory, filter scratch) come
 * from: the board's memory budget under the circuit9 executable, libc in the package. */
const c9_allocator_t *c9py_allocator(void);
/* MemoryError("memory allocation failed, allocating N bytes"); returns NULL. */
PyObject *c9py_raise_nomem(size_t bytes);
/* size bytes from c9py_allocator() (they count against the board's budget), or NULL with that
 * MemoryError. Free with c9py_free(p, size). */
void *c9py_malloc(size_t size);
void c9py_free(void *p, size_t size);

/* Adds a type to a module after PyType_Ready; returns 0 or -1. */
int c9py_add_type(PyObject *module, const char *name, PyTypeObject *type);

/* ---- module registry --------------------------------------------------------------------- */

typedef struct {
    const char *name; /* Python name, e.g. "displayio" */
    PyObject *(*init)(void);
} c9py_module_t;
extern const c9py_module_t c9py_modules[];
extern const size_t c9py_module_count;

#endif /* C9PY_H */
