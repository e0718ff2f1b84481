/* Shared between the audio core's files: little-endian access and the mixer's buffer hook. */
#ifndef C9_AUDIO_INTERNAL_H
#define C9_AUDIO_INTERNAL_H

#include "circuit9/audio.h"

static inline uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wr16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void wr32(uint8_t *p, uint32_t v) {
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}

/* A format the core handles: 8/16 bits, 1/2 channels. */
static inline bool format_ok(const c9_audio_format_t *f) {
    return (f->bits == 8 || f->bits == 16) && (f->channels == 1 || f->channels == 2);
}

/* Takes the next buffer of any sample; a mixer inside a mixer is asked with its nesting depth so
 * that a mixer playing itself, or nesting too deep, gives C9_AUDIO_ERROR instead of recursing. */
c9_audio_result_t c9__audio_get_buffer(c9_audio_sample_t *s, const uint8_t **data, size_t *len, unsigned depth);

#endif
