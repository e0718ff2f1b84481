/*
 * Shared helpers of the bitmaptools core files, and the record of where circuit9 departs from
 * CircuitPython 9.2.9's shared-module/bitmaptools.
 *
 * Kept (observable, and code may rely on them):
 *  - blit/rotozoom copy raw values; a wider destination gets the source value unchanged.
 *  - rotozoom samples in single-precision float with incremental stepping.
 *  - draw_circle clamps its centre into 0..width, 0..height.
 *  - alphablend's skip values compare against the unswapped 565 value; blended channels that
 *    leave their range wrap (shift and mask) instead of saturating.
 *  - readinto takes sub-byte pixels from the least significant bits unless reversed, and
 *    reverses pixels only within a byte, not within an element.
 *  - dither's Atkinson kernel has CircuitPython's four taps plus the carried right neighbour
 *    (it omits the (x+1, y+1) tap of the textbook kernel); the luma weights are 78/154/29.
 *  - coordinates of the drawing functions are 16-bit (truncated).
 * Fixed (plain bugs, none of which a working program can depend on):
 *  - alphablend L8 advanced a source only when blended, misaligning the row after a skipped
 *    pixel; single-source 565 pixels spilled bits across channels and were not swapped back.
 *  - alphablend overflowed 32-bit ints in Screen mode for factors near 1; both factors 0 divided
 *    by zero (now 0, what a Cortex-M returns).
 *  - dither wrote 1-bit output as 32-bit words (wrong pixel order on the byte-packed bitmap, and
 *    `width` words per row, past the row); each pixel is now stored at its place.
 *  - boundary_fill with the default replaced value equal to the fill value looped forever.
 *  - draw_polygon and draw_circle marked a dirty area one pixel short on the right and bottom;
 *    rotozoom marked a spurious area when nothing was drawn.
 *  - lines spanning more than 32767 pixels overflowed int16 arithmetic (and one ending at 32767
 *    never terminated); the cores use int.
 */
#ifndef C9_GFX_BITMAPTOOLS_INTERNAL_H
#define C9_GFX_BITMAPTOOLS_INTERNAL_H

#include "circuit9/bitmaptools.h"

/* C9_OK, or C9_ERR_BADF / C9_ERR_PERM for a released or read-only destination. */
c9_err_t c9__bt_writable(const c9_bitmap_t *b);
/* Grows the dirty area by the rectangle between two corners given in any order. */
void c9__bt_dirty(c9_bitmap_t *b, long x1, long y1, long x2, long y2);

#endif
