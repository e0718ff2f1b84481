/*
 * Helpers shared by the bitmaptools core files (not a public API). Where circuit9 departs from
 * CircuitPython 9.2.9's bitmaptools, and why, is user-visible: docs/bitmaptools.md lists it.
 */
#ifndef C9_GFX_BITMAPTOOLS_INTERNAL_H
#define C9_GFX_BITMAPTOOLS_INTERNAL_H

#include "circuit9/bitmaptools.h"

/* C9_OK, or C9_ERR_BADF / C9_ERR_PERM for a released or read-only destination. */
c9_err_t c9__bt_writable(const c9_bitmap_t *b);
/* Grows the dirty area by the rectangle between two corners given in any order. */
void c9__bt_dirty(c9_bitmap_t *b, long x1, long y1, long x2, long y2);

#endif
