/*
 * circuit9 common types: the error type and the allocator interface.
 *
 * Every core function that can fail returns c9_err_t: C9_OK (0) on success, a negative code
 * otherwise. There is no global error state.
 *
 * Memory comes from the caller: either a buffer sized by a *_size() query, or a
 * c9_allocator_t passed in a config struct. Frees are sized, so an allocator need not keep
 * headers. c9_allocator_default() returns the libc-backed allocator unless C9_NO_MALLOC.
 *
 *     c9_allocator_t a = *c9_allocator_default();
 *     void *p = c9_alloc(&a, 64);
 *     ...
 *     c9_free(&a, p, 64);
 */
#ifndef CIRCUIT9_COMMON_H
#define CIRCUIT9_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "circuit9/config.h"
#include "circuit9/config_check.h"
#include "circuit9/compiler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the cores' C API (C9_VERSION_MAJOR changes on an incompatible change). */
#define C9_VERSION_MAJOR 0
#define C9_VERSION_MINOR 9
#define C9_VERSION_PATCH 0
/* One comparable number: 0xMMmmpp. */
#define C9_VERSION ((C9_VERSION_MAJOR << 16) | (C9_VERSION_MINOR << 8) | C9_VERSION_PATCH)
#define C9_VERSION_STRING "0.9.0"

/* ---- error codes -------------------------------------------------------------------------------
 *
 * The code space is cut into bands, one per domain. Every code of every core is listed once, in
 * C9_ERR_TABLE below, and spelt C9_ERR_<NAME>:
 *
 *   band             domain     codes
 *   -1 .. -999       generic    Linux errno numbers, negated (C9_ERR_INVAL = -22, ...)
 *   -1001 .. -1099   jpeg       C9_ERR_JPEG_*                 (core/jpeg)
 *   -1101 .. -1199   usb        reserved: USB host, descriptors, usbmon captures
 *   -1201 .. -1299   display    C9_ERR_DISPLAY_*, C9_ERR_INITSEQ_*, C9_ERR_BMP_* (core/display)
 *   -1301 .. -1399   gfx        C9_ERR_BITMAPTOOLS_*          (core/gfx)
 *   -1401 .. -1499   filter     C9_ERR_FILTER_*               (core/filter)
 *   -1501 .. -1599   settings   C9_ERR_SETTINGS_*             (core/fs settings.toml)
 *   -1601 .. -1699   heap       none yet: the heaps report generic codes
 *   -1701 .. -1799   midi       reserved: MIDI files
 *   -2001 .. -2099   fs         reserved: FAT volumes, partition tables, block devices
 *   -2101 .. -2199   sdcard     reserved: SD cards in SPI mode
 *   -2201 .. -2299   tls        reserved
 *   -2301 .. -2399   http       reserved
 *   -2401 .. -2499   mqtt       reserved
 *   -2501 .. -2599   net        reserved: sockets, connection manager
 *
 * An entry X(band, NAME, n, text) makes C9_ERR_<NAME> = C9_ERR_BAND_<band> - n, with n in 1..99
 * (1..999 for ERRNO). Each header still documents which codes each of its functions returns.
 * Two entries with one value cannot build: c9_strerror() is a switch over the table, and a
 * repeated case value is a compile error; core/common/common.c also checks each n against its
 * band. Codes are never defined anywhere else (tools/check_tree.py enforces it).
 */
#define C9_ERR_BAND_ERRNO 0
#define C9_ERR_BAND_JPEG (-1000)
#define C9_ERR_BAND_USB (-1100)
#define C9_ERR_BAND_DISPLAY (-1200)
#define C9_ERR_BAND_GFX (-1300)
#define C9_ERR_BAND_FILTER (-1400)
#define C9_ERR_BAND_SETTINGS (-1500)
#define C9_ERR_BAND_HEAP (-1600)
#define C9_ERR_BAND_MIDI (-1700)
#define C9_ERR_BAND_FS (-2000)
#define C9_ERR_BAND_SDCARD (-2100)
#define C9_ERR_BAND_TLS (-2200)
#define C9_ERR_BAND_HTTP (-2300)
#define C9_ERR_BAND_MQTT (-2400)
#define C9_ERR_BAND_NET (-2500)

#define C9_ERR_TABLE(X)                                                                                                \
    X(ERRNO, PERM, 1, "operation not permitted") /* read-only object */                                                \
    X(ERRNO, NOENT, 2, "no such entry")          /* no such file, key or item */                                       \
    X(ERRNO, IO, 5, "input/output error")        /* a read/write callback or bus failed */                             \
    X(ERRNO, BADF, 9, "object not open or deinitialised")                                                              \
    X(ERRNO, AGAIN, 11, "try again")     /* non-blocking call would block */                                           \
    X(ERRNO, NOMEM, 12, "out of memory") /* allocator or caller buffer too small */                                    \
    X(ERRNO, BUSY, 16, "resource busy")                                                                                \
    X(ERRNO, EXIST, 17, "already in use") /* already exists / already attached */                                      \
    X(ERRNO, NODEV, 19, "no such device")                                                                              \
    X(ERRNO, INVAL, 22, "invalid argument")                                                                            \
    X(ERRNO, RANGE, 34, "value out of range")                                                                          \
    X(ERRNO, NOSYS, 38, "operation not provided") /* not provided by this port or object */                            \
    X(ERRNO, NOTSUP, 95, "not supported")         /* input valid but not supported */                                  \
    X(ERRNO, TIMEDOUT, 110, "timed out")                                                                               \
    /* jpeg */                                                                                                         \
    X(JPEG, JPEG_FORMAT, 1, "not a JPEG file or broken header")                                                        \
    X(JPEG, JPEG_DATA, 2, "corrupt JPEG data") /* bad Huffman code, lost restart */                                    \
    X(JPEG, JPEG_TRUNCATED, 3, "JPEG data ends early")                                                                 \
    X(JPEG, JPEG_PROGRESSIVE, 4, "progressive JPEG not supported")                                                     \
    X(JPEG, JPEG_ARITHMETIC, 5, "arithmetic-coded JPEG not supported")                                                 \
    X(JPEG, JPEG_PRECISION, 6, "only 8-bit JPEG supported")                                                            \
    X(JPEG, JPEG_LOSSLESS, 7, "lossless JPEG not supported")                                                           \
    X(JPEG, JPEG_CMYK, 8, "CMYK JPEG not supported")                                                                   \
    X(JPEG, JPEG_SAMPLING, 9, "JPEG sampling factors not supported")                                                   \
    /* display */                                                                                                      \
    X(DISPLAY, INITSEQ_TRUNCATED, 1, "init sequence truncated") /* a record runs past the buffer */                    \
    X(DISPLAY, DISPLAY_FPS, 2, "Below minimum frame rate")      /* refresh(): minimum fps missed */                    \
    X(DISPLAY, BMP_HEADER, 11, "Only Windows format, uncompressed BMP supported")                                      \
    X(DISPLAY, BMP_RLE, 12, "RLE-compressed BMP not supported")                                                        \
    X(DISPLAY, BMP_FORMAT, 13, "unsupported BMP format") /* bits per pixel, size or offsets */                         \
    /* gfx */                                                                                                          \
    X(GFX, BITMAPTOOLS_EOF, 1, "stream ended before a whole row") /* readinto: Python's EOFError */                    \
    /* filter */                                                                                                       \
    X(FILTER, FILTER_DEPTH, 1, "unsupported bitmap depth")                                                             \
    X(FILTER, FILTER_MISMATCH, 2, "bitmap size and depth must match")                                                  \
    X(FILTER, FILTER_KERNEL, 3, "weights must be a sequence with an odd square number of elements")                    \
    /* settings */                                                                                                     \
    X(SETTINGS, SETTINGS_BYTE, 1, "invalid byte in settings file") /* *bad holds it, 0 at end of file */               \
    X(SETTINGS, SETTINGS_UNICODE, 2, "invalid Unicode escape")     /* code point >= 0x110000 */

enum {
    C9_OK = 0,
#define C9_ERR_ENUM_(band, name, n, text) C9_ERR_##name = C9_ERR_BAND_##band - (n),
    C9_ERR_TABLE(C9_ERR_ENUM_)
#undef C9_ERR_ENUM_
};

typedef int c9_err_t;

/* A short, static, English description of any code of the table ("success" for C9_OK, "unknown
 * error" for a value that is not a code); never NULL. */
const char *c9_strerror(c9_err_t err);
/* The code's name without its prefix ("FILTER_DEPTH" for C9_ERR_FILTER_DEPTH, "OK"), or NULL for a
 * value that is not a code: for tools, logs and tests. */
const char *c9_err_name(c9_err_t err);

/*
 * Allocator interface. alloc returns NULL on failure; free gets the size given to alloc;
 * realloc may be NULL, in which case c9_realloc falls back to alloc + copy + free.
 */
typedef struct c9_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void *ctx;
} c9_allocator_t;

/* The libc allocator, or NULL when built with C9_NO_MALLOC. */
const c9_allocator_t *c9_allocator_default(void);

/* Helpers that tolerate a NULL allocator by using the default one. c9_alloc(a, 0) returns a
 * unique non-NULL pointer only if the allocator does; callers should not ask for 0 bytes. */
void *c9_alloc(const c9_allocator_t *a, size_t size);
void *c9_calloc(const c9_allocator_t *a, size_t size);
void c9_free(const c9_allocator_t *a, void *ptr, size_t size);
void *c9_realloc(const c9_allocator_t *a, void *ptr, size_t old_size, size_t new_size);

/* Time source shared by the cores (displays, USB host): milliseconds since an arbitrary origin,
 * and a blocking delay. A virtual clock may make delay_ms advance now_ms without sleeping. */
typedef struct c9_clock {
    uint64_t (*now_ms)(void *ctx);
    void (*delay_ms)(void *ctx, uint32_t ms);
    void *ctx;
} c9_clock_t;

#define C9_MIN(a, b) ((a) < (b) ? (a) : (b))
#define C9_MAX(a, b) ((a) > (b) ? (a) : (b))
#define C9_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_COMMON_H */
