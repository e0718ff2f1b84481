#include "circuit9/common.h"

#include <string.h>
#if !C9_NO_MALLOC
#include <stdlib.h>
#endif

const char *c9_strerror(c9_err_t err) {
    switch (err) {
    case C9_OK: return "success";
    case C9_ERR_PERM: return "operation not permitted";
    case C9_ERR_NOENT: return "no such entry";
    case C9_ERR_IO: return "input/output error";
    case C9_ERR_BADF: return "object not open or deinitialised";
    case C9_ERR_AGAIN: return "try again";
    case C9_ERR_NOMEM: return "out of memory";
    case C9_ERR_BUSY: return "resource busy";
    case C9_ERR_EXIST: return "already in use";
    case C9_ERR_NODEV: return "no such device";
    case C9_ERR_INVAL: return "invalid argument";
    case C9_ERR_RANGE: return "value out of range";
    case C9_ERR_NOSYS: return "operation not provided";
    case C9_ERR_NOTSUP: return "not supported";
    case C9_ERR_TIMEDOUT: return "timed out";
    default: return "unknown error";
    }
}

#if !C9_NO_MALLOC
static void *libc_alloc(void *ctx, size_t size) {
    (void)ctx;
    return malloc(size);
}
static void libc_free(void *ctx, void *ptr, size_t size) {
    (void)ctx;
    (void)size;
    free(ptr);
}
static void *libc_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
    (void)ctx;
    (void)old_size;
    return realloc(ptr, new_size);
}
static const c9_allocator_t libc_allocator = {libc_alloc, libc_free, libc_realloc, NULL};
#endif

const c9_allocator_t *c9_allocator_default(void) {
#if C9_NO_MALLOC
    return NULL;
#else
    return &libc_allocator;
#endif
}

static const c9_allocator_t *pick(const c9_allocator_t *a) {
    return a ? a : c9_allocator_default();
}

void *c9_alloc(const c9_allocator_t *a, size_t size) {
    a = pick(a);
    return a ? a->alloc(a->ctx, size) : NULL;
}

void *c9_calloc(const c9_allocator_t *a, size_t size) {
    void *p = c9_alloc(a, size);
    if (p) {
        memset(p, 0, size);
    }
    return p;
}

void c9_free(const c9_allocator_t *a, void *ptr, size_t size) {
    a = pick(a);
    if (a && ptr) {
        a->free(a->ctx, ptr, size);
    }
}

void *c9_realloc(const c9_allocator_t *a, void *ptr, size_t old_size, size_t new_size) {
    a = pick(a);
    if (!a) {
        return NULL;
    }
    if (!ptr) {
        return a->alloc(a->ctx, new_size);
    }
    if (a->realloc) {
        return a->realloc(a->ctx, ptr, old_size, new_size);
    }
    void *n = a->alloc(a->ctx, new_size);
    if (n) {
        memcpy(n, ptr, C9_MIN(old_size, new_size));
        a->free(a->ctx, ptr, old_size);
    }
    return n;
}
