/*
 * Objects shared by the display family of bindings (displayio, busdisplay, fourwire,
 * paralleldisplaybus, i2cdisplaybus, busio, digitalio, microcontroller, fontio, terminalio and
 * circuit9_board). Included by relative path from those directories.
 */
#ifndef C9PY_DISPLAY_H
#define C9PY_DISPLAY_H

#include "c9py.h"
#include "circuit9/display.h"
#include "circuit9/display_bus.h"
#include "circuit9/host_display.h"

/* Readies every display-family type (displayio, fontio, busio, microcontroller.Pin, the buses,
 * BusDisplay) in one place. Each display module's init calls it first, so a module may create or
 * check another's objects whatever was imported before. 0, or -1 with an exception. */
int c9py_display_types_ready(void);

/* microcontroller.Pin */
typedef struct {
    C9PY_OBJECT_HEAD int id;
} c9py_pin_obj_t;
extern PyTypeObject c9py_Pin_Type;
/* The Pin object for a virtual board pin (one object per pin; new reference). */
PyObject *c9py_pin_get(int id);
/* Pin id of obj, or -1 with TypeError("<name> must be of type Pin, not <T>"). None allowed when
 * allow_none (returns -2). */
int c9py_pin_arg(PyObject *obj, const char *name, bool allow_none);
/* Claims pins for a driver; ValueError("<name> in use") as CircuitPython's validate_free_pin. */
int c9py_pin_claim(int id, const char *name);

/* busio */
typedef struct {
    C9PY_OBJECT_HEAD c9_vspi_t *spi;
    int clock, mosi, miso;
    bool deinited;
    bool locked_by_python;
} c9py_spi_obj_t;
typedef struct {
    C9PY_OBJECT_HEAD c9_vi2c_t *i2c;
    int scl, sda;
    bool deinited;
} c9py_i2c_obj_t;
extern PyTypeObject c9py_SPI_Type, c9py_I2C_Type;
/* The bus of a busio.SPI / busio.I2C object for a display bus. ctx is the Python object, which the
 * display bus keeps a reference to: after the object's deinit() (allowed while a display bus uses
 * it, as in CircuitPython) try_lock() fails, so a refresh sends nothing, and nothing touches the
 * released hardware. */
c9_hal_spi_t c9py_spi_hal(PyObject *spi);
c9_hal_i2c_t c9py_i2c_hal(PyObject *i2c);

/* displayio layers */
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

/* vectorio shapes (bindings/vectorio): Circle, Rectangle and Polygon share one object layout. */
typedef struct {
    PyObject_HEAD c9_vectorshape_t shape;
    PyObject *shader; /* Palette or ColorConverter */
    int16_t *points;  /* Polygon's x, y pairs (shape.point_count of them) */
    const c9_allocator_t *points_allocator;
    bool ready; /* __init__ ran */
} c9py_vectorshape_obj_t;
extern PyTypeObject c9py_Circle_Type, c9py_Rectangle_Type, c9py_Polygon_Type;
/* The layer of an initialised vectorio shape, or NULL (no exception) for anything else. */
c9_layer_t *c9py_vectorio_layer(PyObject *obj);

/* Display buses: a common head so BusDisplay and release_displays treat them alike. */
typedef enum { C9PY_BUS_FOURWIRE = 1, C9PY_BUS_PARALLEL, C9PY_BUS_I2C } c9py_bus_kind_t;
typedef struct c9py_bus_obj {
    C9PY_OBJECT_HEAD c9py_bus_kind_t kind;
    c9_display_bus_t bus; /* after c9py_bus_register(): guarded ops over `inner` */
    c9_display_bus_t inner;
    bool in_transaction;
    bool deinited;
    void (*deinit)(struct c9py_bus_obj *self);
    const c9_vbus_stats_t *(*stats)(struct c9py_bus_obj *self);
    void (*reset_stats)(struct c9py_bus_obj *self);
} c9py_bus_obj_t;
extern PyTypeObject c9py_FourWire_Type, c9py_ParallelBus_Type, c9py_I2CDisplayBus_Type;
/* Returns the bus head if obj is one of the three bus types, else NULL (no exception). */
c9py_bus_obj_t *c9py_as_bus(PyObject *obj);
/* CIRCUITPY_DISPLAY_LIMIT slots (1): a new bus takes a slot or raises
 * RuntimeError("Too many display busses; forgot displayio.release_displays() ?"). */
int c9py_bus_slot_take(PyObject *bus);
/* The last step of a bus constructor: takes a slot (0), or deinitialises the bus (releasing its
 * pins) and returns -1 with that RuntimeError. It puts a guard in front of the bus's ops: once the
 * bus is deinitialised (release_displays(), perhaps from Python code a refresh ran) begin()
 * reports it busy and nothing reaches the hardware it released. */
int c9py_bus_register(PyObject *bus);
/* The bus a BusDisplay is given: ValueError("Unsupported display bus type") for anything but
 * the three bus classes (and subclasses), the not-constructed or deinitialised error; else the
 * head. */
c9py_bus_obj_t *c9py_bus_arg(PyObject *obj);
int c9py_display_slot_take(PyObject *display);
/* Gives a display's slot back (construction failed). */
void c9py_display_slot_drop(PyObject *display);
/* release_displays(): every display lets go of its group, then every bus deinitialises. */
void c9py_release_displays(void);
/* Refreshes displays with auto_refresh that are due (background task). */
void c9py_displays_background(void);
PyObject *c9py_bus_stats_dict(PyObject *obj);
/* The bus classes' common methods. reset(): RuntimeError("No reset pin") when the core reports
 * none (C9_ERR_NOSYS). For send(): c9py_bus_send_begin() checks the bus is constructed and alive,
 * the command is 0-255 and data a buffer (CircuitPython's order and messages), and fills `data`;
 * c9py_bus_send_done() releases it and maps the core's result (an I2C device that does not
 * answer is OSError ENODEV). */
PyObject *c9py_bus_reset(PyObject *self, PyObject *unused);
int c9py_bus_send_begin(PyObject *self, long command, PyObject *data_obj, Py_buffer *data);
/* send(command, data) as the parallel and I2C buses define it (no keywords): the arguments and
 * c9py_bus_send_begin. */
int c9py_bus_send_args(PyObject *self, PyObject *args, PyObject *kw, uint8_t *cmd, Py_buffer *data);
PyObject *c9py_bus_send_done(c9_err_t err, Py_buffer *data);

/* busdisplay */
typedef struct {
    C9PY_OBJECT_HEAD c9_display_t *display;
    const c9_allocator_t *display_allocator; /* where `display` came from */
    PyObject *bus;
    PyObject *root; /* Group or None */
    int backlight_pin;
    bool backlight_on_high;
    bool released;
    bool refreshing; /* being composed (between c9py_refresh_enter() and exit()) */
} c9py_busdisplay_obj_t;
extern PyTypeObject c9py_BusDisplay_Type;

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

/* fontio */
extern PyTypeObject c9py_BuiltinFont_Type, c9py_Glyph_Type;
/* terminalio.FONT (borrowed). */
PyObject *c9py_terminal_font(void);
/* The font inside a fontio.BuiltinFont, or NULL with TypeError("<name> must be of type
 * BuiltinFont, not <T>"). */
const c9_builtin_font_t *c9py_builtin_font(PyObject *obj, const char *name);

/* Maps a core error with the display's messages (init sequence, BMP, fps) to an exception. */
PyObject *c9py_display_raise(c9_err_t err);

#endif
