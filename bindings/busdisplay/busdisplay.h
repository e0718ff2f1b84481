/* busdisplay.BusDisplay as displayio (slots, release_displays, auto-refresh), the supervisor
 * module (runtime.display) and the host's own module see it. */
#ifndef C9PY_BUSDISPLAY_H
#define C9PY_BUSDISPLAY_H

#include "c9py.h"
#include "circuit9/display.h"

typedef struct {
    C9PY_OBJECT_HEAD c9_display_t *display;
    const c9_allocator_t *display_allocator; /* where `display` came from */
    PyObject *bus;
    PyObject *root; /* Group or None */
    int backlight_pin;
    bool backlight_pwm; /* the backlight pin runs PWM (else it is a plain output) */
    bool backlight_on_high;
    bool released;
    bool refreshing; /* being composed (between c9py_refresh_enter() and exit()) */
} c9py_busdisplay_obj_t;

extern PyTypeObject c9py_BusDisplay_Type;

#endif
