/* fontio's fonts as terminalio and displayio's console see them. */
#ifndef C9PY_FONTIO_H
#define C9PY_FONTIO_H

#include "c9py.h"
#include "circuit9/display.h"

extern PyTypeObject c9py_BuiltinFont_Type; /* c9py_Glyph_Type is in c9py.h (a tuple, not a native head) */

/* terminalio.FONT (borrowed). */
PyObject *c9py_terminal_font(void);
/* The font inside a fontio.BuiltinFont, or NULL with TypeError("<name> must be of type
 * BuiltinFont, not <T>"). */
const c9_builtin_font_t *c9py_builtin_font(PyObject *obj, const char *name);

#endif
