/*
 * The common layer of the CPython bindings: native classes that Python code can subclass, the
 * argument parser, the error table, CircuitPython-style validation with its exact messages,
 * buffers, enum classes and the runtime allocator. Each module's own objects are in its header
 * (displayio/displayio.h, busio/busio.h, ...; bindings/ is on the include path). docs/bindings.md
 * explains how a binding uses them.
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

/* Every binding module's entry point (the list is generated from the bindings/ folders). */
#define C9_MODULE(sym, pyname) PyObject *c9py_init_##sym(void);
#include "c9py_modules.h"
#undef C9_MODULE

/* ---- native classes --------------------------------------------------------------------- */

/*
 * Every class a binding defines is constructed the way MicroPython constructs native classes
 * (py/objtype.c), so that Python code can subclass it as Adafruit's libraries do:
 *
 *   - tp_new is c9py_native_new: a blank object, whatever the arguments.
 *   - tp_init parses the arguments and builds the native part (C9PY_DEFINE_INIT). A subclass's
 *     __init__ calls it through super().__init__(...) with whatever arguments it likes.
 *   - The classes' metaclass constructs the native part after __init__ returns, with the
 *     arguments the class was called with, when the subclass's __init__ never did.
 *   - Until then every method raises NotImplementedError("Call super().__init__() before
 *     accessing native object."); a second __init__ raises RuntimeError and changes nothing.
 *
 * Objects start with C9PY_OBJECT_HEAD instead of PyObject_HEAD:
 *
 *     typedef struct { C9PY_OBJECT_HEAD c9_group_t group; PyObject *items; } group_obj_t;
 *     static int group_construct(PyObject *self, PyObject *args, PyObject *kw) { ... }
 *     C9PY_DEFINE_INIT(group_init, group_construct)
 *     PyTypeObject T = {..., .tp_new = c9py_native_new, .tp_init = group_init, ...};
 *
 * A construct function that fails must leave the object as it found it (blank). tp_dealloc
 * releases the native part only when c9py_is_ready(self).
 */
enum { C9PY_BLANK = 0, C9PY_CONSTRUCTING = 1, C9PY_READY = 2 };
#define C9PY_OBJECT_HEAD PyObject_HEAD uint8_t c9py_state;
typedef struct {
    C9PY_OBJECT_HEAD
} c9py_object_t;

/* The native classes' metaclass (type(displayio.Group)). */
extern PyTypeObject c9py_NativeType_Type;
/* PyType_Ready for a class a binding defines: gives it the native metaclass first. Every class
 * is readied through this (c9py_add_type does), never through PyType_Ready directly. */
int c9py_type_ready(PyTypeObject *type);
/* tp_new of every native class: a zeroed, blank instance. */
PyObject *c9py_native_new(PyTypeObject *type, PyObject *args, PyObject *kw);
/* Runs construct(self, args, kw) as tp_init: refuses a second construction (RuntimeError
 * "<Class>.__init__() already called"), marks the object ready when construct returns 0. */
int c9py_native_init(PyObject *self, PyObject *args, PyObject *kw,
                     int (*construct)(PyObject *, PyObject *, PyObject *));
#define C9PY_DEFINE_INIT(name, construct)                                                                              \
    static int name(PyObject *self, PyObject *args, PyObject *kw) {                                                    \
        return c9py_native_init(self, args, kw, construct);                                                            \
    }
static inline bool c9py_is_ready(PyObject *obj) {
    return ((c9py_object_t *)obj)->c9py_state == C9PY_READY;
}
/* 0 when obj's native part is constructed; else -1 with CircuitPython's
 * NotImplementedError("Call super().__init__() before accessing native object."). */
int c9py_ready(PyObject *obj);
/* c9py_ready, then ValueError (c9py_raise_deinited) when the object was deinitialised: the check
 * every method of a deinit()-able object starts with. */
int c9py_alive(PyObject *obj, bool deinited);
/* __enter__ of a native object with deinit(): the object itself, once constructed. */
PyObject *c9py_enter(PyObject *self, PyObject *unused);
/* fontio.Glyph is a tuple, so it cannot start with the head: true while its items are unset. */
extern PyTypeObject c9py_Glyph_Type;
int c9py_glyph_is_blank(PyObject *obj);
/* An instance made by C code rather than by a call (terminalio.FONT, a BMP's palette): zeroed and
 * marked ready; the caller fills in the native part. New reference or NULL. */
PyObject *c9py_object_new(PyTypeObject *type);

/* ---- argument parsing: MicroPython's mp_arg_parse_all ------------------------------------- */

/*
 * One parser for every function and constructor a binding defines, with MicroPython's model
 * and CircuitPython's messages. Each argument is positional-or-keyword unless KW_ONLY; INT and
 * BOOL are converted while parsing, in order (mp_obj_get_int, truth value), OBJ is passed as a
 * borrowed reference (NULL when not given and the default is NULL). Errors, in the order
 * CircuitPython reports them: "'<name>' argument required", "extra positional arguments
 * given", "unexpected keyword argument '<name>'".
 *
 *     enum { ARG_bitmap, ARG_x };
 *     static const c9py_arg_t allowed[] = {
 *         {"bitmap", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
 *         {"x", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
 *     };
 *     c9py_argval_t a[2];
 *     if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) return NULL;
 *
 * Validation of the values (ranges, types) follows with the c9py_check_* and c9py_*_range
 * helpers below, in the order CircuitPython's make_new does it.
 */
enum {
    C9PY_ARG_OBJ = 0,
    C9PY_ARG_INT = 1,
    C9PY_ARG_BOOL = 2,
    C9PY_ARG_KIND_MASK = 3,
    C9PY_ARG_REQUIRED = 0x10,
    C9PY_ARG_KW_ONLY = 0x20,
};
typedef union {
    PyObject *u_obj;
    long u_int; /* an int32 value, widened for arithmetic */
    bool u_bool;
} c9py_argval_t;
typedef struct {
    const char *name;
    unsigned flags;
    c9py_argval_t defval;
} c9py_arg_t;
/* args: a tuple; kw: a dict or NULL. 0, or -1 with an exception. */
int c9py_arg_parse(PyObject *args, PyObject *kw, const c9py_arg_t *allowed, size_t n_allowed, c9py_argval_t *out);
/* mp_arg_check_num for fixed-arity functions: n_args counts every positional argument (self
 * included for methods, as MicroPython counts it); "function doesn't take keyword arguments",
 * "function takes N positional arguments but M were given", "function missing N required
 * positional arguments", "function expected at most N arguments, got M". */
int c9py_arg_check_num(size_t n_args, size_t n_kw, size_t min, size_t max, bool takes_kw);
/* The same over a call's tuple and dict, with `extra` uncounted leading arguments (1 for self). */
int c9py_arg_check_call(PyObject *args, PyObject *kw, size_t extra, size_t min, size_t max, bool takes_kw);

/* ---- errors ---------------------------------------------------------------------------- */

/* One table maps every c9_err_t to CircuitPython's exception type and message
 * (bindings/common/errors.c). Where one call's message differs in CircuitPython, the call passes
 * overrides: entries {err, &PyExc_X or NULL for the table's type, message}, ended by {C9_OK}. */
typedef struct {
    c9_err_t err;
    PyObject *const *type;
    const char *message;
} c9py_err_override_t;
/* Sets the exception for a core error from the table and returns NULL. */
PyObject *c9py_raise(c9_err_t err);
/* Same, with this call's overrides (NULL: none). */
PyObject *c9py_raise_err(c9_err_t err, const c9py_err_override_t *overrides);
/* c9py_raise_err for int-returning callers (setters, construct functions): always -1. */
int c9py_fail(c9_err_t err, const c9py_err_override_t *overrides);
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
/* 0 when a property setter got a value; -1 with AttributeError("can't delete attribute") when
 * the attribute is being deleted (v == NULL). */
int c9py_setter_present(PyObject *v);
/* A property setter's value as a bool: 0 or 1, or -1 with an exception (AttributeError when
 * the attribute is being deleted, v == NULL, or whatever truth testing raised). */
int c9py_setter_bool(PyObject *v);
/* A property setter's value as an int, as CircuitPython's setters convert it (mp_obj_get_int:
 * "can't convert <T> to int"), then checked like the constructor's argument:
 * ValueError("<name> must be <min>-<max>"). AttributeError on deletion. 0 or -1. */
int c9py_setter_int_range(PyObject *v, long min, long max, const char *name, long *out);
/* Converts int or float to double with TypeError("<name> must be of type float, not <T>"). */
int c9py_float(PyObject *obj, const char *name, double *out);
/* The UTF-8 text of a str for C code that takes NUL-terminated strings (paths, keys, names): a
 * str holding a NUL character would silently name something else, so it raises
 * ValueError("embedded null byte") as CPython's path functions do. NULL with an exception. */
const char *c9py_cstr(PyObject *str);
/* A coordinate as bitmaptools and jpegio check it: an int that is not a bool, else
 * TypeError("<name> must be of type int, not <T>"); then a machine word (c9py_mp_int). */
int c9py_int_strict(PyObject *obj, const char *name, long *out);
/* bitmaptools_validate_coord_range_pair: x1 in 0..width, x2 (None/NULL: width) in x1..width,
 * then the same for y, with "<name> must be <min>-<max>". in[] = x1, y1, x2, y2 (NULL: not
 * given). 0 or -1. */
int c9py_coord_pair(PyObject *const in[4], int width, int height, c9_rect_t *r);

/* mp_get_buffer_raise: a contiguous view of obj (PyBUF_SIMPLE, or writable with
 * PyBUF_WRITABLE); an object without the buffer protocol gives CircuitPython's
 * TypeError("object with buffer protocol required"). 0, or -1 with an exception. */
int c9py_get_buffer(PyObject *obj, Py_buffer *view, int flags);

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
