/*
 * circuit9 build configuration.
 *
 * Every option has a default here behind #ifndef, so a firmware project overrides it with
 * -D or by providing "c9_config.h" on the include path (picked up when C9_HAVE_CONFIG_H
 * is defined). Options are tested with #if, and the tree builds with -Wundef, so a
 * misspelt option is a compile error rather than a silent default.
 */
#ifndef CIRCUIT9_CONFIG_H
#define CIRCUIT9_CONFIG_H

#ifdef C9_HAVE_CONFIG_H
#include "c9_config.h"
#endif

/* 1: no libc malloc fallback; every allocation goes through a caller's c9_allocator_t. */
#ifndef C9_NO_MALLOC
#define C9_NO_MALLOC 0
#endif

/* 1: use compiler vector extensions on hot paths where the compiler has them. The portable
 * path is always compiled and tested as well. */
#ifndef C9_USE_VECTOR_EXT
#define C9_USE_VECTOR_EXT 1
#endif

/* Largest Bitmap dimension, as CircuitPython limits it. */
#ifndef C9_BITMAP_MAX_DIM
#define C9_BITMAP_MAX_DIM 32767
#endif

#endif /* CIRCUIT9_CONFIG_H */
