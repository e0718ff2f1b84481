#include "circuit9/common.h"

#include <string.h>
#if !C9_NO_MALLOC
#include <stdlib.h>
#endif

/* Each table entry's number must lie inside its band. */
#define C9_ERR_BAND_LIMIT_(band) (C9_ERR_BAND_##band == 0 ? 999 : 99)
#define C9_ERR_CHECK_(band, name, n, text)                                                                             \
    _Static_assert((n) >= 1 && (n) <= C9_ERR_BAND_LIMIT_(band), "C9_ERR_" #name " lies outside the " #band " band");
C9_ERR_TABLE(C9_ERR_CHECK_)
#undef C9_ERR_CHECK_

/* A value listed twice is a duplicate case label here, which does not compile. The function is
 * never called, so it costs no code. */
C9_MAYBE_UNUSED static inline int c9__err_unique(c9_err_t err) {
    switch (err) {
    case C9_OK: return 1;
#define C9_ERR_CASE_(band, name, n, text)                                                                              \
    case C9_ERR_##name: return 1;
        C9_ERR_TABLE(C9_ERR_CASE_)
#undef C9_ERR_CASE_
    default: return 0;
    }
}

/* The lookups scan one table: errors are not a hot path, and a table is about a third of the code
 * of a switch over 160 sparse values. */
typedef struct {
    int16_t code;
    const char *name;
#if C9_ERR_TEXTS
    const char *text;
#endif
} err_entry_t;

#if C9_ERR_TEXTS
#define C9_ERR_ENTRY_(band, name, n, text) {C9_ERR_##name, #name, text},
#else
#define C9_ERR_ENTRY_(band, name, n, text) {C9_ERR_##name, #name},
#endif
static const err_entry_t err_table[] = {C9_ERR_TABLE(C9_ERR_ENTRY_)};
#undef C9_ERR_ENTRY_
_Static_assert(C9_ERR_BAND_NET - 99 >= INT16_MIN, "codes fit the table's int16_t");

static const err_entry_t *err_find(c9_err_t err) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(err_table); i++) {
        if (err_table[i].code == err) {
            return &err_table[i];
        }
    }
    return NULL;
}

const char *c9_strerror(c9_err_t err) {
    if (err == C9_OK) {
        return "success";
    }
    const err_entry_t *e = err_find(err);
    if (!e) {
        return "unknown error";
    }
#if C9_ERR_TEXTS
    return e->text;
#else
    return e->name;
#endif
}

const char *c9_err_name(c9_err_t err) {
    if (err == C9_OK) {
        return "OK";
    }
    const err_entry_t *e = err_find(err);
    return e ? e->name : NULL;
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
