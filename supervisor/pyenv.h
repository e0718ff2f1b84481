/*
 * The Python side both commands share: the embedded interpreter's configuration and userenv.py's
 * namespace, where user code gets CircuitPython's language and module set (supervisor/userenv.py,
 * the modules in supervisor/cpmods, docs/modules.md).
 */
#ifndef C9_SUP_PYENV_H
#define C9_SUP_PYENV_H

#include "c9py.h"
#include "circuit9/board.h"

#include <stdbool.h>

#define C9_CP_VERSION "9.2.9"
#define C9_CP_BUILD_DATE "2025-03-11"

/* userenv.py's namespace (NULL before pyenv_start). */
extern PyObject *pyenv;

/* CPython's settings for an embedded run: arguments not parsed, signal handlers on, no
 * __pycache__ in user folders, CPython's warnings ignored (a board prints none of them). */
PyStatus pyenv_config(PyConfig *config, int argc, char **argv);

/* Runs userenv.py for `board`: root is the CIRCUITPY folder (host path) or "" for a script.
 * Call after Py_InitializeFromConfig(). 0, or -1 after printing the Python error. */
int pyenv_start(const c9_board_t *board, const char *root, bool script);

/* Calls userenv's function `fn` with Py_BuildValue(fmt, ...) arguments; new reference or NULL
 * with an exception set. */
PyObject *pyenv_call(const char *fn, const char *fmt, ...);

/* True when circuit9 implements a module under a name CPython's standard library also uses
 * (os, time, gc, ...): such a module is not registered as a built-in, so the runtime keeps
 * CPython's, and user code gets circuit9's through userenv. */
bool pyenv_shadows_cpython(const char *name);

#endif
