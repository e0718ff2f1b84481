/*
 * Stops the build on knob values (config.h) the cores cannot work with. Read by common.h right
 * after the defaults are settled.
 */
#ifndef CIRCUIT9_CONFIG_CHECK_H
#define CIRCUIT9_CONFIG_CHECK_H

#include "circuit9/config.h"

#if !C9_JPEG_TJPGD_MODE && !C9_JPEG_QUALITY_MODE
#error "C9_JPEG_TJPGD_MODE and C9_JPEG_QUALITY_MODE cannot both be 0"
#endif
#if (C9_GC_BLOCK_SIZE < 16) || (C9_GC_BLOCK_SIZE & (C9_GC_BLOCK_SIZE - 1))
#error "C9_GC_BLOCK_SIZE must be a power of two >= 16"
#endif
#if C9_DISPLAY_BUFFER_BYTES < 64 || C9_DISPLAY_BUFFER_BYTES % 4
#error "C9_DISPLAY_BUFFER_BYTES must be a multiple of 4, at least 64"
#endif
#if C9_DISPLAY_PALETTE_LUTS < 0 || C9_DISPLAY_PALETTE_LUTS > 255
#error "C9_DISPLAY_PALETTE_LUTS must be 0..255"
#endif
#if C9_DISPLAY_MAX_RECTS < 2 || C9_DISPLAY_MAX_RECTS > 255
#error "C9_DISPLAY_MAX_RECTS must be 2..255"
#endif

#endif /* CIRCUIT9_CONFIG_CHECK_H */
