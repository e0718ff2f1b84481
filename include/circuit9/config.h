/*
 * circuit9 build configuration: every knob of every core, with its default.
 *
 * A firmware project overrides a knob with -D, or collects its choices in a header: either
 * "c9_config.h" on the include path (read when C9_HAVE_CONFIG_H is defined) or any file named by
 * C9_CONFIG_FILE (-DC9_CONFIG_FILE='"board_c9.h"'). Knobs are tested with #if, never #ifdef, and
 * the tree builds with -Wundef, so a misspelt knob is a compile error rather than a silent
 * default. Invalid combinations stop the build at the end of this file.
 *
 * `make test` builds every core for a Cortex-M0+ and a Cortex-M4F with several settings of these
 * knobs (docs/architecture.md, "Portability").
 */
#ifndef CIRCUIT9_CONFIG_H
#define CIRCUIT9_CONFIG_H

#ifdef C9_HAVE_CONFIG_H
#include "c9_config.h"
#endif
#ifdef C9_CONFIG_FILE
#include C9_CONFIG_FILE
#endif

/* ---- every core ----------------------------------------------------------------------------- */

/* 1: no libc malloc fallback; every allocation goes through a caller's c9_allocator_t, and
 * c9_allocator_default() returns NULL. */
#ifndef C9_NO_MALLOC
#define C9_NO_MALLOC 0
#endif

/* 1: use compiler vector extensions on hot paths where the target has 128-bit SIMD (compiler.h's
 * C9_SIMD128). The portable path is always compiled and tested as well. */
#ifndef C9_USE_VECTOR_EXT
#define C9_USE_VECTOR_EXT 1
#endif

/* ---- jpeg ----------------------------------------------------------------------------------- */

/* 1: compile the FAST profile (lookup tables). 0 leaves only the compact code, for the smallest
 * firmware; opening with C9_JPEG_PROFILE_FAST then returns C9_ERR_NOTSUP. */
#ifndef C9_JPEG_FAST_PROFILE
#define C9_JPEG_FAST_PROFILE 1
#endif

/* ---- display -------------------------------------------------------------------------------- */

/* Compose buffer inside c9_display_t, in bytes (a quarter more is kept for packed pixels of depths
 * under 8). CircuitPython uses 512; larger means fewer window commands per area. */
#ifndef C9_DISPLAY_BUFFER_BYTES
#define C9_DISPLAY_BUFFER_BYTES 4096
#endif

/* Dirty rectangles tracked per refresh; more are merged pairwise (least waste first). */
#ifndef C9_DISPLAY_MAX_RECTS
#define C9_DISPLAY_MAX_RECTS 48
#endif

/* Palettes whose display colours a refresh keeps in a table (1 KB each inside c9_display_t): a
 * palette pixel then costs one load. 0 keeps none, saving 4 KB of the default 9.8 KB display on a
 * small board; each palette pixel is then converted as it is composed (same pixels, slower). */
#ifndef C9_DISPLAY_PALETTE_LUTS
#define C9_DISPLAY_PALETTE_LUTS 4
#endif

/* Separate changed-cell areas a tile grid keeps between refreshes (text far apart stays apart). */
#ifndef C9_TILEGRID_DIRTY_RECTS
#define C9_TILEGRID_DIRTY_RECTS 4
#endif

/* ---- filter (bitmapfilter) ------------------------------------------------------------------ */

/* 1: mix/solarize/... compute in double instead of float (CircuitPython boards use float). */
#ifndef C9_FILTER_DOUBLE
#define C9_FILTER_DOUBLE 0
#endif

/* Smallest image (in pixels) for which lookup builds its 128 KiB whole-value table; 0 never
 * builds it (the per-byte tables are used). */
#ifndef C9_FILTER_LUT_MIN_PIXELS
#define C9_FILTER_LUT_MIN_PIXELS 0
#endif

/* ---- heap ----------------------------------------------------------------------------------- */

/* Bytes per GC block: a power of two, at least 16 (a free run keeps three 32-bit fields in its
 * first block and its length in the last four bytes of its last block). */
#ifndef C9_GC_BLOCK_SIZE
#define C9_GC_BLOCK_SIZE 16
#endif

/* Entries of the explicit mark stack (MicroPython's MICROPY_ALLOC_GC_STACK_SIZE). On overflow the
 * collector rescans the heap for marked objects, so a small stack costs time, not correctness. */
#ifndef C9_GC_MARK_STACK
#define C9_GC_MARK_STACK 64
#endif

/* Pools one outside heap can hold. */
#ifndef C9_OUTHEAP_MAX_POOLS
#define C9_OUTHEAP_MAX_POOLS 4
#endif

/* log2 of the largest block a pool can hold; sets the size of each pool's list table. */
#ifndef C9_OUTHEAP_MAX_LOG2
#define C9_OUTHEAP_MAX_LOG2 30
#endif

/* ---- gfx ------------------------------------------------------------------------------------ */

/* Largest Bitmap dimension, as CircuitPython limits it. */
#ifndef C9_BITMAP_MAX_DIM
#define C9_BITMAP_MAX_DIM 32767
#endif

#endif /* CIRCUIT9_CONFIG_H */
