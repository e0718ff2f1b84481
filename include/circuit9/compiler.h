/*
 * circuit9 compiler support: every attribute, pragma and builtin the cores use, in one place.
 *
 * GCC and Clang get the real thing; any other C11 compiler gets a plain fallback that keeps the
 * meaning and loses only speed (hints become no-ops, bit scans become loops). A core never writes
 * __attribute__, __builtin_* or _Pragma itself: it uses these, so a port to another compiler
 * edits this file only.
 *
 *     if (C9_UNLIKELY(n == 0)) {
 *         return C9_ERR_INVAL;
 *     }
 *     static C9_ALWAYS_INLINE uint32_t step(...);       // hot helper the loop must absorb
 *     C9_UNROLL(8) for (int i = 0; i < 8; i++) ...      // before the loop it applies to
 *     unsigned top = 31u - c9_clz32(mask);              // mask != 0
 */
#ifndef CIRCUIT9_COMPILER_H
#define CIRCUIT9_COMPILER_H

#include <stdint.h>

#include "circuit9/config.h"

/* 1 with GCC or Clang. Defining it to 0 first selects the plain fallbacks (tests/unit/test_compiler.c
 * checks them against the builtins). */
#ifndef C9_GNUC
#if defined(__GNUC__) || defined(__clang__)
#define C9_GNUC 1
#else
#define C9_GNUC 0
#endif
#endif

/* 1 when the translation unit is compiled for size (-Os, -Oz): hot paths may then choose the
 * smaller of two equivalent forms. */
#if defined(__OPTIMIZE_SIZE__)
#define C9_OPTIMIZE_SIZE 1
#else
#define C9_OPTIMIZE_SIZE 0
#endif

/* ---- hints ------------------------------------------------------------------------------------ */

#if C9_GNUC
#define C9_LIKELY(x) __builtin_expect(!!(x), 1)
#define C9_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Use with static: `static C9_ALWAYS_INLINE int f(void)`. */
#define C9_ALWAYS_INLINE inline __attribute__((always_inline))
#define C9_NOINLINE __attribute__((noinline))
#define C9_UNREACHABLE() __builtin_unreachable()
/* A function that exists for what compiling it checks, and is never called. */
#define C9_MAYBE_UNUSED __attribute__((unused))
/* Forced inlining for speed, left to the compiler in size-optimised builds (where sharing one
 * copy of a specialised helper is the smaller choice): `static C9_SPEED_INLINE int f(void)`. */
#if C9_OPTIMIZE_SIZE
#define C9_SPEED_INLINE inline
#else
#define C9_SPEED_INLINE inline __attribute__((always_inline))
#endif
/* Marks an intended fall through between switch cases (-Wimplicit-fallthrough). */
#define C9_FALLTHROUGH __attribute__((fallthrough))
#else
#define C9_LIKELY(x) (x)
#define C9_UNLIKELY(x) (x)
#define C9_ALWAYS_INLINE inline
#define C9_SPEED_INLINE inline
#define C9_NOINLINE
#define C9_UNREACHABLE() ((void)0)
#define C9_MAYBE_UNUSED
#define C9_FALLTHROUGH ((void)0)
#endif

/* Asks for a loop to be unrolled n times; put it right before the `for`. Both GCC and Clang
 * read GCC's spelling of the pragma. */
#if C9_GNUC
#define C9_PRAGMA_(x) _Pragma(#x)
#define C9_UNROLL(n) C9_PRAGMA_(GCC unroll n)
#else
#define C9_UNROLL(n)
#endif

/* restrict is C99/C11; the macro exists for headers that a C++ compiler may also read. */
#if defined(__cplusplus)
#if C9_GNUC
#define C9_RESTRICT __restrict__
#else
#define C9_RESTRICT
#endif
#else
#define C9_RESTRICT restrict
#endif

/* ---- layout ------------------------------------------------------------------------------------ */

/* C11's _Alignas works everywhere for objects; C9_ALIGNED also works on a type. */
#if C9_GNUC
#define C9_ALIGNED(n) __attribute__((aligned(n)))
#endif

/* Packed layout has no portable spelling: C9_PACKED is only defined where the compiler has it, so
 * code that needs it fails to build elsewhere instead of silently changing layout. */
#if C9_GNUC
#define C9_PACKED __attribute__((packed))
#endif

/* ---- vector extensions ------------------------------------------------------------------------ */

/* GCC/Clang generic vectors: `typedef uint16_t u16x8 C9_VECTOR_SIZE(16);` and lane-wise type
 * conversion. Only for code under #if C9_SIMD128. */
#if C9_GNUC
#define C9_VECTOR_SIZE(n) __attribute__((vector_size(n)))
#define C9_CONVERT_VECTOR(v, type) __builtin_convertvector(v, type)
#endif

/* GCC only: no basic-block (SLP) vectorisation in one function, where GCC would merge scalar
 * stores into slower shifts and ORs. */
#if defined(__GNUC__) && !defined(__clang__)
#define C9_NO_SLP_VECTORIZE __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define C9_NO_SLP_VECTORIZE
#endif

/* 1 when GCC/Clang generic vectors may be used for 128-bit lanes: the knob C9_USE_VECTOR_EXT is on
 * and the target has 128-bit SIMD. Elsewhere (a Cortex-M) the compiler would split the vectors
 * into scalar code slower than the portable path, so the portable path is taken. */
#if C9_USE_VECTOR_EXT && C9_GNUC &&                                                                                    \
    (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__) || defined(__wasm_simd128__))
#define C9_SIMD128 1
#else
#define C9_SIMD128 0
#endif

/* ---- bit scans ------------------------------------------------------------------------------- */

/* Leading / trailing zero bits. The argument must not be 0 (the builtins leave that undefined,
 * and the fallbacks agree with them everywhere else). */
static inline unsigned c9_clz32(uint32_t x) {
#if C9_GNUC
    return (unsigned)__builtin_clz(x);
#else
    unsigned n = 0;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

static inline unsigned c9_ctz32(uint32_t x) {
#if C9_GNUC
    return (unsigned)__builtin_ctz(x);
#else
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

static inline unsigned c9_clz64(uint64_t x) {
#if C9_GNUC
    return (unsigned)__builtin_clzll(x);
#else
    return (x >> 32) ? c9_clz32((uint32_t)(x >> 32)) : 32u + c9_clz32((uint32_t)x);
#endif
}

static inline unsigned c9_ctz64(uint64_t x) {
#if C9_GNUC
    return (unsigned)__builtin_ctzll(x);
#else
    return (uint32_t)x ? c9_ctz32((uint32_t)x) : 32u + c9_ctz32((uint32_t)(x >> 32));
#endif
}

static inline unsigned c9_popcount32(uint32_t x) {
#if C9_GNUC
    return (unsigned)__builtin_popcount(x);
#else
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
#endif
}

/* Byte order reversal (the load of a big-endian word on a little-endian machine). */
static inline uint32_t c9_bswap32(uint32_t x) {
#if C9_GNUC
    return __builtin_bswap32(x);
#else
    return (x >> 24) | ((x >> 8) & 0xFF00u) | ((x << 8) & 0xFF0000u) | (x << 24);
#endif
}

static inline uint64_t c9_bswap64(uint64_t x) {
#if C9_GNUC
    return __builtin_bswap64(x);
#else
    return ((uint64_t)c9_bswap32((uint32_t)x) << 32) | c9_bswap32((uint32_t)(x >> 32));
#endif
}

/* floor(log2(x)) for x != 0. */
static inline unsigned c9_log2_32(uint32_t x) {
    return 31u - c9_clz32(x);
}

#endif /* CIRCUIT9_COMPILER_H */
