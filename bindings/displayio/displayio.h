/*
 * displayio's objects as the other modules see them: bitmaps and shaders (bitmaptools,
 * bitmapfilter, jpegio, vectorio, terminalio), the layer types, the display slots and
 * release_displays(), and CIRCUITPYTHON_TERMINAL (the supervisor's console writes to it).
 */
#ifndef C9PY_DISPLAYIO_H
#define C9PY_DISPLAYIO_H

#include "c9py.h"
#include "circuit9/display.h"

/* ---- pixels: Bitmap, Palette, ColorConverter (bitmaptools, bitmapfilter, jpegio use them) ---- */

typedef struct {
    C9PY_OBJECT_HEAD c9_bitmap_t bitmap;
    Py_ssize_t exports;   /* live buffer-protocol views */
    Py_ssize_t buf_items; /* shape[0] of those views: items in the whole storage */
} c9py_bitmap_obj_t;

typedef struct {
    C9PY_OBJECT_HEAD c9_palette_t palette;
} c9py_palette_obj_t;

typedef struct {
    C9PY_OBJECT_HEAD c9_colorconverter_t cc;
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

/* ---- layers ----------------------------------------------------------------------------------- */

typedef struct {
    C9PY_OBJECT_HEAD c9_group_t group;
    PyObject *items; /* list mirroring group.items, holding the references */
} c9py_group_obj_t;
typedef struct {
    C9PY_OBJECT_HEAD c9_tilegrid_t tg;
    PyObject *bitmap;
    PyObject *shader;
} c9py_tilegrid_obj_t;
typedef struct {
    C9PY_OBJECT_HEAD c9_ondiskbitmap_t odb;
    PyObject *file;
    PyObject *shader;
} c9py_ondiskbitmap_obj_t;
extern PyTypeObject c9py_Group_Type, c9py_TileGrid_Type, c9py_OnDiskBitmap_Type;

/* Readies every display-family type (displayio, fontio, busio, microcontroller.Pin, the buses,
 * BusDisplay) in one place. Each display module's init calls it first, so a module may create or
 * check another's objects whatever was imported before. 0, or -1 with an exception. */
int c9py_display_types_ready(void);

/* ---- displays ---------------------------------------------------------------------------------- */

int c9py_display_slot_take(PyObject *display);
/* The display in slot index (borrowed), NULL when the slot is empty or there is no such slot:
 * the supervisor shows what the program left on them when it ends. */
PyObject *c9py_display_in_slot(size_t index);
/* Gives a display's slot back (construction failed). */
void c9py_display_slot_drop(PyObject *display);
/* release_displays(): every display lets go of its group, then every bus deinitialises. */
void c9py_release_displays(void);
/* Refreshes displays with auto_refresh that are due (background task). */
void c9py_displays_background(void);
/* Maps a core error with the display's messages (init sequence, BMP, fps) to an exception. */
PyObject *c9py_display_raise(c9_err_t err);

/* ---- the console's terminal ------------------------------------------------------------------- */

/* ---- Python code running inside a refresh ----------------------------------------------------
 * A refresh composes the display's tree in C; an OnDiskBitmap's file object is Python code the
 * compositor calls, and that code (or another thread while it runs) may change or drop anything
 * in the tree. Nothing the refresh uses may be freed before it ends:
 *   - c9py_refresh_enter()/exit() bracket every composition (refresh(), the auto-refresh tick,
 *     fill_row()) and hold the display;
 *   - c9py_refresh_before_python() is called before C code that may run inside a composition
 *     calls Python: the first call pins every object reachable from the displays being composed
 *     (groups, tile grids, bitmaps, shaders, on-disk bitmaps with their files, the bus), and locks
 *     their bitmaps (c9py_bitmap_lock: deinit() raises BufferError);
 *   - c9py_refresh_pin() is called before an object joins a display tree (Group.append/insert/
 *     [i]=, root_group=, TileGrid.bitmap=/pixel_shader=), so what enters the tree while pinned
 *     is pinned too.
 * The pins are released when the last composition ends. */

/* 0: go ahead; 1: skip, because this display is already being composed and `nested` is false (a
 * refresh that Python code started inside a composition, or another thread's while that code
 * ran). fill_row() passes nested = true: it only reads the tree into the caller's buffer. */
int c9py_refresh_enter(PyObject *display, bool nested);
void c9py_refresh_exit(PyObject *display);
/* 0, or -1 (pinning failed: do not call Python; the exception is cleared). */
int c9py_refresh_before_python(void);
/* 0, or -1 with MemoryError. No-op while nothing is pinned. */
int c9py_refresh_pin(PyObject *obj);

/* The CIRCUITPYTHON_TERMINAL group (created on first use; borrowed reference): the console's
 * scroll area and status bar (c9_terminal_t over two TileGrids of terminalio.FONT). */
PyObject *c9py_terminal_group(void);
/* Sizes the console for a display of width x height (logical) pixels as CircuitPython does; a new
 * size clears it. 0, or -1 with an exception. */
int c9py_terminal_start(uint16_t width, uint16_t height);
/* Console bytes (CircuitPython's: CR LF, escape sequences, OSC titles) into the terminal; nothing
 * before the group exists. Call with the GIL held (the display refresh reads the grids). */
void c9py_terminal_write(const char *data, size_t len);

#endif
