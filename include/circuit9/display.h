/*
 * circuit9 display core: the displayio compositor (Group, TileGrid, OnDiskBitmap), the
 * display controller driver behind busdisplay.BusDisplay, init sequences, and the display
 * bus interface that fourwire/paralleldisplaybus/i2cdisplaybus implement.
 *
 * A picture is a tree: a c9_group_t holds layers (groups, tile grids or vector shapes); a
 * c9_tilegrid_t shows cells of a c9_bitmap_t or c9_ondiskbitmap_t through a c9_palette_t or
 * c9_colorconverter_t; a c9_vectorshape_t (vectorio) fills a circle, rectangle or polygon with one
 * colour index through the same shaders.
 * A c9_display_t owns a root group and, on c9_display_refresh(), composes only the areas that
 * changed since the last refresh, a bounded buffer at a time, and sends them over its bus as
 * column/row window commands followed by pixel data in the controller's format.
 *
 *     c9_group_t root;  c9_group_init(&root, NULL);
 *     c9_tilegrid_t tg; c9_tilegrid_init(&tg, &cfg, NULL);     // cfg names bitmap + shader
 *     c9_group_append(&root, &tg.layer);
 *     c9_display_t d;   c9_display_init(&d, &display_cfg);       // bus ops, sizes, init sequence
 *     c9_display_set_root_group(&d, &root);
 *     c9_display_refresh(&d, 0, 0, &drawn);
 *
 * Every core function is synchronous and re-entrant per object; there is no global state. Memory
 * comes from the c9_allocator_t given at init (NULL: the default allocator), the compose buffer is
 * inside c9_display_t (C9_DISPLAY_BUFFER_BYTES).
 *
 * Errors: C9_ERR_INVAL (bad argument), C9_ERR_RANGE (index/value out of range), C9_ERR_NOMEM,
 * C9_ERR_EXIST (layer already in a group, group already shown), C9_ERR_NOENT (layer not in the
 * group), C9_ERR_IO (read callback or bus failure), C9_ERR_BUSY (bus not free), C9_ERR_NOSYS
 * (bus has no reset), C9_ERR_PERM (read-only group), and the domain codes below.
 */
#ifndef CIRCUIT9_DISPLAY_H
#define CIRCUIT9_DISPLAY_H

#include "circuit9/gfx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors (common.h's error table): C9_ERR_INITSEQ_TRUNCATED (an init sequence record runs
 * past the end of the buffer), C9_ERR_BMP_HEADER (not a Windows BMP with a 12/40/108/124-byte
 * header), C9_ERR_BMP_RLE (RLE-compressed BMP), C9_ERR_BMP_FORMAT (bits per pixel, size or offsets
 * not supported), C9_ERR_DISPLAY_FPS (refresh(): below minimum frame rate). */
/* Same as c9_strerror(). */
const char *c9_display_strerror(c9_err_t err);

/* Knobs: C9_DISPLAY_BUFFER_BYTES, C9_DISPLAY_MAX_RECTS, C9_DISPLAY_PALETTE_LUTS,
 * C9_TILEGRID_DIRTY_RECTS (config.h). */

/* ---- layers ------------------------------------------------------------------------------ */

typedef enum c9_layer_type {
    C9_LAYER_GROUP = 1,
    C9_LAYER_TILEGRID = 2,
    C9_LAYER_VECTORSHAPE = 3,
} c9_layer_type_t;

struct c9_group;

/* Common header of every layer; a layer is in at most one group (or is one display's root). */
typedef struct c9_layer {
    uint8_t type;            /* c9_layer_type_t */
    bool in_group;           /* in a group or shown as a root group */
    struct c9_group *parent; /* NULL for a root or a free layer */
    void *user;              /* for the owner (the binding's object); the core never reads it */
} c9_layer_t;

/* Areas a group must repaint because layers left it (bounded; overflow merges). */
#define C9_GROUP_STALE_RECTS 4

typedef struct c9_group {
    c9_layer_t layer;
    c9_layer_t **items;
    uint32_t count;
    uint32_t capacity;
    int16_t x, y;
    uint16_t scale; /* >= 1 */
    bool hidden;
    bool read_only; /* CIRCUITPYTHON_TERMINAL: mutations return C9_ERR_PERM */
    uint8_t stale_count;
    c9_rect_t stale[C9_GROUP_STALE_RECTS]; /* physical display coordinates */
    uint32_t walk_next;                    /* scratch of the core's non-recursive tree walks: next item to visit */
    const c9_allocator_t *allocator;
} c9_group_t;

c9_err_t c9_group_init(c9_group_t *g, const c9_allocator_t *a);
/* Detaches every child (they become free layers) and frees the item array. */
void c9_group_release(c9_group_t *g);
/* Inserts at index (0..count; clamped as Python's list.insert does). C9_ERR_EXIST if the layer is
 * already in a group, C9_ERR_INVAL for a group inserted into itself or its own descendant. The
 * cycle check costs O(min(depth of g, size of the layer's subtree)), so building a chain of any
 * depth from the top or from the bottom is linear. */
c9_err_t c9_group_insert(c9_group_t *g, uint32_t index, c9_layer_t *layer);
c9_err_t c9_group_append(c9_group_t *g, c9_layer_t *layer);
/* Removes and returns the layer at index (C9_ERR_RANGE); its screen area is repainted. */
c9_err_t c9_group_remove_at(c9_group_t *g, uint32_t index, c9_layer_t **out);
/* Replaces the layer at index (g[i] = layer). */
c9_err_t c9_group_set(c9_group_t *g, uint32_t index, c9_layer_t *layer);
/* Index of layer, or -1. */
int32_t c9_group_index(const c9_group_t *g, const c9_layer_t *layer);
/* Reorders the items to `order` (a permutation of the current items, count entries). */
c9_err_t c9_group_reorder(c9_group_t *g, c9_layer_t *const *order, uint32_t count);

/* ---- tile grids --------------------------------------------------------------------------- */

/* Windows BMP on storage, rows read on demand. */
typedef c9_err_t (*c9_read_fn)(void *ctx, uint32_t offset, void *buf, size_t len);

typedef struct c9_bmp_info {
    uint32_t header_size; /* DIB header size (12, 40, 108 or 124) */
    uint32_t data_offset; /* file offset of the pixel rows */
    uint16_t width, height;
    bool top_down;                   /* negative height in the file */
    uint8_t bits_per_pixel;          /* 1, 2, 4, 8, 16, 24 or 32 */
    uint32_t compression;            /* 0 (BI_RGB) or 3 (BI_BITFIELDS) */
    uint32_t stride;                 /* bytes per row, padded to 4 */
    uint32_t palette_offset;         /* file offset of the colour table (indexed images) */
    uint32_t palette_count;          /* entries in it (1..256), 0 for direct colour */
    uint8_t palette_entry_size;      /* 3 (OS/2 header) or 4 */
    uint32_t r_mask, g_mask, b_mask; /* direct colour masks */
    bool rgb565;                     /* 16 bit images: 565 (else 555) */
} c9_bmp_info_t;

/* Bytes of header c9_bmp_parse_header needs to see (file header + largest DIB header + masks). */
#define C9_BMP_HEADER_MAX 154
/* Parses a BMP file header from its first len bytes. C9_ERR_BMP_HEADER: not "BM" or a header
 * size other than 12/40/108/124 (info->header_size holds the size found); C9_ERR_BMP_RLE:
 * compression 1 or 2; C9_ERR_BMP_FORMAT: anything else unsupported or inconsistent. Never reads
 * past len. */
c9_err_t c9_bmp_parse_header(const uint8_t *data, size_t len, c9_bmp_info_t *info);

typedef struct c9_ondiskbitmap {
    c9_bmp_info_t info;
    c9_read_fn read;
    void *read_ctx;
    uint8_t *row;        /* one-row cache (info.stride bytes) */
    int32_t row_index;   /* cached row, -1 for none */
    c9_err_t read_error; /* first read failure; pixels read as 0 after it */
    const c9_allocator_t *allocator;
} c9_ondiskbitmap_t;

/* Reads and parses the header through `read`, allocates the row cache. */
c9_err_t c9_ondiskbitmap_open(c9_ondiskbitmap_t *odb, c9_read_fn read, void *ctx, const c9_allocator_t *a);
void c9_ondiskbitmap_close(c9_ondiskbitmap_t *odb);
/* Reads the colour table into p (allocated with p's count = palette_count). */
c9_err_t c9_ondiskbitmap_load_palette(c9_ondiskbitmap_t *odb, c9_palette_t *p, const c9_allocator_t *a);
/* The colorspace of get_pixel()'s value for direct-colour images (RGB565, RGB555 or RGB888). */
c9_colorspace_t c9_ondiskbitmap_colorspace(const c9_ondiskbitmap_t *odb);
/* Pixel value: palette index, 16-bit 565/555, or RGB888; 0 outside or after a read error. */
uint32_t c9_ondiskbitmap_get_pixel(c9_ondiskbitmap_t *odb, int x, int y);

typedef enum c9_source_type { C9_SOURCE_BITMAP = 0, C9_SOURCE_ONDISK = 1 } c9_source_type_t;
typedef enum c9_shader_type {
    C9_SHADER_NONE = 0,
    C9_SHADER_PALETTE = 1,
    C9_SHADER_COLORCONVERTER = 2
} c9_shader_type_t;

typedef struct c9_tilegrid_config {
    c9_source_type_t source_type;
    void *source; /* c9_bitmap_t * or c9_ondiskbitmap_t * */
    c9_shader_type_t shader_type;
    void *shader;                     /* c9_palette_t * or c9_colorconverter_t * */
    uint16_t width, height;           /* in tiles, >= 1 */
    uint16_t tile_width, tile_height; /* 0: the whole source size; must divide it */
    uint16_t default_tile;
    int16_t x, y;
} c9_tilegrid_config_t;

typedef struct c9_tilegrid {
    c9_layer_t layer;
    c9_source_type_t source_type;
    void *source;
    c9_shader_type_t shader_type;
    void *shader;
    uint16_t width, height, tile_width, tile_height;
    uint16_t bitmap_width_in_tiles;
    uint32_t tiles_in_bitmap;
    int16_t x, y;
    uint16_t top_left_x, top_left_y; /* scrolling offset, in tiles */
    bool hidden, flip_x, flip_y, transpose_xy;
    uint16_t *tiles; /* width * height */
    /* change tracking (physical coordinates of the display showing it) */
    bool full_change;
    uint8_t tiles_dirty_count;
    c9_rect_t tiles_dirty[C9_TILEGRID_DIRTY_RECTS]; /* cells changed, in tiles (merged when full) */
    c9_rect_t drawn;                                /* where it was last drawn; empty if not */
    c9_colorconverter_t cc_seen;                    /* converter state at the last draw */
    const c9_allocator_t *allocator;
} c9_tilegrid_t;

/* C9_ERR_INVAL: tile size does not divide the source (tilegrid.c says which dimension through
 * *bad_dim = 'w' or 'h' when bad_dim is not NULL), zero sizes, or a missing source. */
c9_err_t c9_tilegrid_init(c9_tilegrid_t *tg, const c9_tilegrid_config_t *cfg, const c9_allocator_t *a, char *bad_dim);
void c9_tilegrid_release(c9_tilegrid_t *tg);
/* Source dimensions (bitmap or on-disk bitmap). */
void c9_tilegrid_source_size(c9_source_type_t type, const void *source, uint16_t *w, uint16_t *h);
uint16_t c9_tilegrid_get_tile(const c9_tilegrid_t *tg, uint16_t x, uint16_t y);
/* C9_ERR_RANGE for a cell outside the grid. */
c9_err_t c9_tilegrid_set_tile(c9_tilegrid_t *tg, uint16_t x, uint16_t y, uint16_t tile);
void c9_tilegrid_set_position(c9_tilegrid_t *tg, int16_t x, int16_t y);
void c9_tilegrid_set_hidden(c9_tilegrid_t *tg, bool hidden);
void c9_tilegrid_set_flip(c9_tilegrid_t *tg, bool flip_x, bool flip_y, bool transpose_xy);
void c9_tilegrid_set_shader(c9_tilegrid_t *tg, c9_shader_type_t type, void *shader);
/* Same-size source replacement (C9_ERR_INVAL if the size differs). */
c9_err_t c9_tilegrid_set_source(c9_tilegrid_t *tg, c9_source_type_t type, void *source);
void c9_tilegrid_set_top_left(c9_tilegrid_t *tg, uint16_t x, uint16_t y);
/* Changes the grid's size in tiles, every cell set to `fill`; the layer keeps its place in its group
 * and its old area is repainted. C9_ERR_INVAL for a zero size, C9_ERR_NOMEM (grid unchanged). */
c9_err_t c9_tilegrid_resize(c9_tilegrid_t *tg, uint16_t width, uint16_t height, uint16_t fill);
/* Size in pixels as laid out in its group (transpose swaps). */
void c9_tilegrid_pixel_size(const c9_tilegrid_t *tg, uint16_t *w, uint16_t *h);
/* TileGrid.contains((x, y)): the point in the parent's coordinates lies inside the grid. */
bool c9_tilegrid_contains(const c9_tilegrid_t *tg, int32_t x, int32_t y);

/* ---- vector shapes (vectorio) ------------------------------------------------------------- */

/*
 * A shape fills the pixels its rule selects with one colour index, shown through a palette or a
 * colour converter like a tile grid's values. Pixel rules, in shape coordinates (the shape's x, y
 * is (0, 0)), are CircuitPython 9.2.9's:
 *   circle of radius r:     x*x + y*y <= r*r
 *   rectangle w x h:        0 <= x < w and 0 <= y < h
 *   polygon p0..pn-1:       non-zero winding number over the closed edges p0->p1, ..., pn-1->p0,
 *                           where an edge going down the screen (y1 < y2) counts +1 for pixels with
 *                           y1 <= y < y2 strictly left of it, and an edge going up (y2 < y1) counts
 *                           -1 for pixels with y2 <= y < y1 strictly left of it; a pixel on an edge
 *                           is "left" of neither, horizontal edges count for nothing. So the top and
 *                           left edges of a polygon are drawn, the bottom and right ones are not.
 * A shape is not scaled by its groups' scale (only its position is), as on CircuitPython. The
 * footprint (bounding box, half-open) is [-r, r] for a circle, [0, w) x [0, h) for a rectangle and
 * [min x, max x) x [min y, max y) of the points for a polygon; a refresh repaints the old and the
 * new footprint after any change of the shape, its colour or its shader.
 * Colour index 0..65535; an index a palette lacks or marks transparent, or a converter's transparent
 * colour, draws nothing. Every operation is bounded: O(points) per pixel row for a polygon.
 */
typedef enum c9_shape_kind {
    C9_SHAPE_NONE = 0, /* no geometry yet: draws nothing, contains nothing */
    C9_SHAPE_CIRCLE = 1,
    C9_SHAPE_RECTANGLE = 2,
    C9_SHAPE_POLYGON = 3,
} c9_shape_kind_t;

/* Largest radius, width and height (CircuitPython keeps them in 16-bit signed fields). */
#define C9_SHAPE_MAX_SIZE 32767

typedef struct c9_vectorshape {
    c9_layer_t layer;
    uint8_t kind; /* c9_shape_kind_t */
    bool hidden;
    uint16_t color_index;
    int16_t x, y; /* position in the parent group */
    c9_shader_type_t shader_type;
    void *shader; /* c9_palette_t * or c9_colorconverter_t *; C9_SHADER_NONE draws nothing */
    uint16_t radius;
    uint16_t width, height;
    const int16_t *points; /* polygon: x0, y0, x1, y1, ... in the caller's memory, kept while set */
    uint32_t point_count;
    int32_t bx1, by1, bx2, by2; /* footprint in shape coordinates (half-open; empty if bx1 >= bx2) */
    /* change tracking (physical coordinates of the display showing it) */
    bool full_change;
    c9_rect_t drawn;             /* where it was last drawn; empty if not */
    c9_colorconverter_t cc_seen; /* converter state at the last draw */
} c9_vectorshape_t;

/* A shape with no geometry (C9_SHAPE_NONE) at x, y, drawn with color_index through the shader. */
void c9_vectorshape_init(c9_vectorshape_t *s, c9_shader_type_t shader_type, void *shader, int16_t x, int16_t y,
                         uint16_t color_index);
/* Makes the shape a circle / rectangle. C9_ERR_RANGE (shape unchanged) above C9_SHAPE_MAX_SIZE.
 * A radius of 0 is one pixel; a width or height of 0 draws nothing. */
c9_err_t c9_vectorshape_set_circle(c9_vectorshape_t *s, uint16_t radius);
c9_err_t c9_vectorshape_set_rectangle(c9_vectorshape_t *s, uint16_t width, uint16_t height);
/* Makes the shape a polygon of count points (x, y pairs at xy, which must stay valid until the next
 * set_polygon or until the shape is no longer used). Fewer than 3 points enclose nothing. */
void c9_vectorshape_set_polygon(c9_vectorshape_t *s, const int16_t *xy, uint32_t count);
void c9_vectorshape_set_position(c9_vectorshape_t *s, int16_t x, int16_t y);
void c9_vectorshape_set_hidden(c9_vectorshape_t *s, bool hidden);
void c9_vectorshape_set_color_index(c9_vectorshape_t *s, uint16_t color_index);
void c9_vectorshape_set_shader(c9_vectorshape_t *s, c9_shader_type_t type, void *shader);
/* The pixel rule above at shape coordinates (x, y). Exact for every int32 input. */
bool c9_vectorshape_pixel(const c9_vectorshape_t *s, int32_t x, int32_t y);
/* VectorShape.contains(x, y): the point, given in the coordinates of the outermost group the shape
 * is in (the display's coordinates when that group is shown; the parent's when the shape is in no
 * group), lies in the shape. Group offsets and scales apply to the shape's position, not its size.
 * Ignores `hidden`. */
bool c9_vectorshape_contains(const c9_vectorshape_t *s, int32_t x, int32_t y);

/* ---- display bus -------------------------------------------------------------------------- */

typedef enum c9_byte_type { C9_DISPLAY_COMMAND = 0, C9_DISPLAY_DATA = 1 } c9_byte_type_t;
typedef enum c9_cs_mode { C9_CS_UNTOUCHED = 0, C9_CS_TOGGLE_EVERY_BYTE = 1 } c9_cs_mode_t;

/* What a display needs from a bus. begin() claims the bus and asserts chip select (C9_ERR_BUSY if
 * another user holds it); send() puts out bytes as commands (D/C low) or data; end() releases.
 * A NULL op, or reset without a reset pin, returns C9_ERR_NOSYS. */
typedef struct c9_display_bus_ops {
    c9_err_t (*begin)(void *ctx);
    c9_err_t (*send)(void *ctx, c9_byte_type_t type, c9_cs_mode_t cs, const uint8_t *data, size_t len);
    void (*end)(void *ctx);
    c9_err_t (*reset)(void *ctx);
} c9_display_bus_ops_t;

typedef struct c9_display_bus {
    const c9_display_bus_ops_t *ops;
    void *ctx;
} c9_display_bus_t;

/* ---- init sequences ----------------------------------------------------------------------- */

/* One record: cmd, count | 0x80 when a delay byte follows, count parameter bytes, [delay]. */
typedef struct c9_initseq_cmd {
    uint8_t cmd;
    uint8_t param_count;
    const uint8_t *params;
    uint16_t delay_ms; /* 10 without the delay bit; 255 means 500 */
    bool has_delay;
} c9_initseq_cmd_t;

/* Reads the record at *pos and advances it. Returns C9_OK, C9_ERR_NOENT at the end, or
 * C9_ERR_INITSEQ_TRUNCATED (with *pos left at the bad record) when the record's header,
 * parameters or delay byte would run past len. Never reads past len. */
c9_err_t c9_initseq_next(const uint8_t *seq, size_t len, size_t *pos, c9_initseq_cmd_t *out);
/* Checks a whole sequence; on error *bad_pos (if not NULL) is the offset of the bad record and
 * *needed / *available (if not NULL) the bytes that record needs and has. */
c9_err_t c9_initseq_validate(const uint8_t *seq, size_t len, size_t *bad_pos, size_t *needed, size_t *available);
/* Sends a validated sequence: one transaction, each record as command + data (or all as
 * commands with data_as_commands), then its delay through clock. */
c9_err_t c9_initseq_send(const uint8_t *seq, size_t len, const c9_display_bus_t *bus, bool data_as_commands,
                         const c9_clock_t *clock);

/* ---- display ------------------------------------------------------------------------------ */

#define C9_NO_COMMAND 0x100

typedef struct c9_display_config {
    c9_display_bus_t bus;
    c9_clock_t clock;
    const uint8_t *init_sequence; /* may be NULL */
    size_t init_sequence_len;
    uint16_t width, height; /* at `rotation`, as BusDisplay takes them */
    int16_t colstart, rowstart;
    uint16_t rotation;   /* 0, 90, 180, 270 */
    uint8_t color_depth; /* 1, 2, 4, 8, 16 */
    bool grayscale;
    bool pixels_in_byte_share_row;
    uint8_t bytes_per_cell;
    bool reverse_pixels_in_byte;
    bool reverse_bytes_in_word;
    uint16_t set_column_command, set_row_command, write_ram_command; /* C9_NO_COMMAND for none */
    uint16_t brightness_command;                                     /* C9_NO_COMMAND for none */
    bool single_byte_bounds;
    bool data_as_commands;
    bool sh1107_addressing;
    bool auto_refresh;
    uint16_t native_frames_per_second;
    float brightness;
    /* Optional backlight: called with 0..1 whenever brightness changes (PWM or on/off). */
    void (*backlight)(void *ctx, float level);
    void *backlight_ctx;
} c9_display_config_t;

/* Defaults as BusDisplay's keyword arguments give them. */
void c9_display_config_defaults(c9_display_config_t *cfg);

typedef struct c9_display_stats {
    uint64_t refreshes;
    uint64_t areas;       /* windows sent */
    uint64_t pixel_bytes; /* pixel data bytes sent */
    uint64_t pixels_composed;
    uint64_t union_pixels; /* pixels in the union of changed rectangles (last refresh) */
    uint64_t last_pixel_bytes;
} c9_display_stats_t;

typedef struct c9_display {
    c9_display_config_t cfg;
    uint16_t width, height;         /* current logical size (after rotation) */
    uint16_t ram_width, ram_height; /* native (rotation 0) panel window size */
    uint16_t rotation;
    c9_group_t *root;
    bool full_refresh;
    bool first_manual_refresh;
    uint64_t last_refresh;      /* ms, at the start of the last real refresh */
    uint64_t last_refresh_call; /* ms, last refresh() with a target fps */
    float brightness;
    c9_display_stats_t stats;
    uint8_t rect_count;
    c9_rect_t rects[C9_DISPLAY_MAX_RECTS];
    /* Palette -> display format tables, valid during one refresh (palettes cannot change then). */
    uint8_t lut_count;
#if C9_DISPLAY_PALETTE_LUTS > 0
    struct {
        const c9_palette_t *palette;
        uint32_t n;
        bool opaque;     /* no entry of the 256 is transparent */
        uint32_t v[256]; /* pixel value, bit 31 set when transparent (also past the palette's end) */
    } luts[C9_DISPLAY_PALETTE_LUTS];
#endif
    /* compose buffer: pixels, then packed bytes for depths under 8 */
    uint32_t buffer[C9_DISPLAY_BUFFER_BYTES / 4];
    uint8_t packed[C9_DISPLAY_BUFFER_BYTES / 4];
} c9_display_t;

/* The argument of a configuration c9_display_config_check() finds wrong, so that a binding can
 * name it without checking again. */
typedef enum c9_display_arg {
    C9_DISPLAY_ARG_NONE = 0,
    C9_DISPLAY_ARG_ROTATION,          /* not a multiple of 90 */
    C9_DISPLAY_ARG_SH1107_ADDRESSING, /* with a depth other than 1 */
    C9_DISPLAY_ARG_WIDTH,             /* 0 */
    C9_DISPLAY_ARG_HEIGHT,            /* 0 */
    C9_DISPLAY_ARG_COLOR_DEPTH,       /* not 1, 2, 4, 8 or 16 */
    C9_DISPLAY_ARG_BYTES_PER_CELL,    /* 0 */
    C9_DISPLAY_ARG_BRIGHTNESS,        /* outside 0..1 (or NaN) */
    C9_DISPLAY_ARG_INIT_SEQUENCE,     /* a record runs past the end: see seq_* */
} c9_display_arg_t;

typedef struct c9_display_fault {
    c9_display_arg_t arg;
    /* C9_DISPLAY_ARG_INIT_SEQUENCE: offset of the bad record, bytes it needs, bytes left there */
    size_t seq_pos, seq_needed, seq_available;
} c9_display_fault_t;

/* Checks a configuration as c9_display_init() does, without touching the bus, in BusDisplay's
 * order (rotation, SH1107 addressing, size, depth, brightness, init sequence), and says which
 * argument is wrong in *fault (may be NULL). C9_OK, C9_ERR_INVAL, or C9_ERR_INITSEQ_TRUNCATED. */
c9_err_t c9_display_config_check(const c9_display_config_t *cfg, c9_display_fault_t *fault);

/* Validates the configuration (c9_display_config_check's errors), resets the bus, sends the init sequence
 * (C9_ERR_INITSEQ_TRUNCATED before anything is sent if it is malformed), sets brightness. */
c9_err_t c9_display_init(c9_display_t *d, const c9_display_config_t *cfg);
/* Detaches the root group. */
void c9_display_release(c9_display_t *d);
/* NULL shows nothing (black). C9_ERR_EXIST if the group is already in a group or shown. */
c9_err_t c9_display_set_root_group(c9_display_t *d, c9_group_t *g);
/* Any multiple of 90 (reduced mod 360); swaps width/height as needed; full refresh follows. */
c9_err_t c9_display_set_rotation(c9_display_t *d, int rotation);
/* 0..1; sends the brightness command or drives the backlight. C9_ERR_NOSYS without either. */
c9_err_t c9_display_set_brightness(c9_display_t *d, float brightness);
void c9_display_set_auto_refresh(c9_display_t *d, bool on);
/* refresh(target_frames_per_second, minimum_frames_per_second): 0 means None / no minimum.
 * *drawn is false when the call was late and skipped to catch up. C9_ERR_DISPLAY_FPS when the
 * time since the last real refresh exceeds 1000 / min_fps. C9_ERR_BUSY if the bus is busy. */
c9_err_t c9_display_refresh(c9_display_t *d, uint32_t target_fps, uint32_t min_fps, bool *drawn);
/* Auto-refresh tick: refreshes when auto_refresh is on and a native frame period has passed. */
c9_err_t c9_display_background(c9_display_t *d);
/* Composes logical row y (16-bit depth only: C9_ERR_NOTSUP) into buf (width pixels, in the
 * byte order sent to the panel). C9_ERR_NOMEM if len < width. */
c9_err_t c9_display_fill_row(c9_display_t *d, int y, uint16_t *buf, size_t len);
/* Marks everything for repaint at the next refresh. */
void c9_display_invalidate(c9_display_t *d);

/* Composes a physical (panel RAM) area of the root group into out as one pixel value per
 * entry in display format (16-bit entries in the wire byte order; smaller depths in the low
 * bits). Used by refresh, fill_row and tests. */
void c9_display_compose(c9_display_t *d, const c9_rect_t *area, void *out);

/* ---- fonts -------------------------------------------------------------------------------- */

typedef struct c9_glyph_range {
    uint32_t first; /* first codepoint */
    uint16_t count;
    uint16_t tile; /* tile index of `first` in the font bitmap */
} c9_glyph_range_t;

typedef struct c9_builtin_font {
    const c9_bitmap_t *bitmap; /* all glyphs side by side, 1 bit per pixel */
    uint16_t glyph_width, glyph_height;
    const c9_glyph_range_t *ranges;
    uint16_t range_count;
} c9_builtin_font_t;

/* Tile index of codepoint, or -1 if the font lacks it. */
int32_t c9_font_tile(const c9_builtin_font_t *f, uint32_t codepoint);
/* The Terminus 6x12 font built in (terminalio.FONT); its bitmap is read-only. */
const c9_builtin_font_t *c9_font_terminal(void);

/* ---- terminal ----------------------------------------------------------------------------- */

/*
 * terminalio.Terminal's text logic: bytes (UTF-8 text, control characters, escape sequences) go
 * into the cells of a tile grid of a built-in font's glyphs, as CircuitPython's console does on a
 * board's display. The grid is a ring: its top_left_y is the first row on screen and a line feed
 * on the last row scrolls by moving it (and blanking the new row), so nothing is copied.
 * CircuitPython starts with the cursor on the bottom row, so text appears at the bottom and
 * scrolls up.
 *
 * Understood: printable characters the font has (others are skipped, as CircuitPython does), CR,
 * LF, BS; ESC[K / ESC[0K / ESC[1K / ESC[2K (erase in line), ESC[nA/B/C/D (cursor up/down/forward/
 * back), ESC[nG (column), ESC[r;cH and ESC[r;cf (position), ESC[J / ESC[0J / ESC[1J / ESC[2J
 * (erase in screen; 2 also homes as CircuitPython does), ESC]0;text ESC\ or BEL (title: written to
 * the status bar grid). Everything else (SGR colours, private modes, other escapes, malformed or
 * over-long sequences) is consumed and ignored. The parser keeps its state between writes, so a
 * sequence split across writes works. Every function is bounded by its input; no allocation.
 */
#define C9_TERMINAL_MAX_PARAMS 4

typedef struct c9_terminal {
    c9_tilegrid_t *scroll_area; /* text grid (rows = lines on screen) */
    c9_tilegrid_t *status_bar;  /* one-row grid for the title, or NULL */
    const c9_builtin_font_t *font;
    uint16_t blank;              /* tile of ' ' */
    uint16_t cursor_x, cursor_y; /* cursor_y is a row of the grid's tile array, not of the screen */
    uint16_t status_x;
    /* parser */
    uint8_t state;
    uint8_t nparams;
    bool private_marker;
    uint16_t params[C9_TERMINAL_MAX_PARAMS];
    uint16_t osc_command;
    uint16_t osc_len;
    uint32_t utf8_cp;
    uint8_t utf8_need;
} c9_terminal_t;

/* Clears both grids (to the font's space) and puts the cursor on the bottom row, column 0.
 * C9_ERR_INVAL without a scroll area or font. The grids must stay alive while the terminal is used. */
c9_err_t c9_terminal_init(c9_terminal_t *t, c9_tilegrid_t *scroll_area, c9_tilegrid_t *status_bar,
                          const c9_builtin_font_t *font);
/* Writes bytes; returns len (everything is consumed). */
size_t c9_terminal_write(c9_terminal_t *t, const uint8_t *data, size_t len);
/* Cursor on screen: column and row (0 = top visible row). */
void c9_terminal_cursor(const c9_terminal_t *t, uint16_t *column, uint16_t *row);

/* How CircuitPython lays the console out on a display of width x height pixels with glyphs of
 * glyph_w x glyph_h: scale 2 when more than 80 columns would fit at scale 1; at least 1 column and
 * 2 rows; the top row is the status bar (right-aligned), the rest the scroll area, right- and
 * bottom-aligned so the newest line is never cut. Positions are in the terminal group's
 * coordinates (before its scale). */
typedef struct c9_terminal_layout {
    uint16_t scale;
    uint16_t columns, rows; /* scroll area, in cells */
    int16_t scroll_x, scroll_y;
    uint16_t status_columns;
    int16_t status_x, status_y;
} c9_terminal_layout_t;
void c9_terminal_layout(uint16_t width, uint16_t height, uint16_t glyph_w, uint16_t glyph_h, c9_terminal_layout_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_DISPLAY_H */
