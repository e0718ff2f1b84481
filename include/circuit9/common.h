/*
 * circuit9 common types: the error type and the allocator interface.
 *
 * Every core function that can fail returns c9_err_t: C9_OK (0) on success, a negative code
 * otherwise. Generic codes follow Linux errno numbers; codes of a single domain (JPEG, USB,
 * ...) live below -1000 in that domain's header. There is no global error state.
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

#ifdef __cplusplus
extern "C" {
#endif

typedef int c9_err_t;

enum {
    C9_OK = 0,
    C9_ERR_PERM = -1,       /* operation not permitted (read-only object) */
    C9_ERR_NOENT = -2,      /* no such file or entry */
    C9_ERR_IO = -5,         /* the read/write callback failed */
    C9_ERR_BADF = -9,       /* object deinitialised or not open */
    C9_ERR_AGAIN = -11,     /* try again later (non-blocking) */
    C9_ERR_NOMEM = -12,     /* allocator or caller buffer too small */
    C9_ERR_BUSY = -16,      /* resource in use */
    C9_ERR_EXIST = -17,     /* already exists / already in use */
    C9_ERR_NODEV = -19,     /* no such device */
    C9_ERR_INVAL = -22,     /* invalid argument */
    C9_ERR_RANGE = -34,     /* value out of range */
    C9_ERR_NOSYS = -38,     /* operation not provided by this port */
    C9_ERR_NOTSUP = -95,    /* input valid but not supported */
    C9_ERR_TIMEDOUT = -110, /* timed out */
};

/* A short, static, English description of an error code (never NULL). Domain codes are
 * described by their own module's function. */
const char *c9_strerror(c9_err_t err);

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
