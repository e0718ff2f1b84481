/* An output's DMA: two blocks of converted frames that alternate, each refilled from the sample
 * when the other starts playing (CircuitPython's audio_dma.c loads the first two blocks when
 * playback starts and a block again when the DMA has finished it and moved on to the other).
 * A single-buffered sample is one block that loops without being read again. */
#include "audio_internal.h"

#include <string.h>

void c9_audio_player_init(c9_audio_player_t *p, const c9_audio_out_format_t *out) {
    memset(p, 0, sizeof *p);
    p->out = *out;
    p->last[0] = p->last[1] = out->idle;
}

static size_t capacity_of(const c9_audio_sample_t *s) {
    size_t fb = c9_audio_frame_bytes(&s->format);
    return fb ? s->max_buffer_length / fb : 0;
}

size_t c9_audio_player_memory(const c9_audio_out_format_t *out, const c9_audio_sample_t *sample) {
    return capacity_of(sample) * out->channels * (sample->single_buffer ? 1u : 2u);
}

static void end(c9_audio_player_t *p) {
    p->state = C9_AUDIO_STOPPED;
    p->sample = NULL;
    p->count[0] = p->count[1] = 0;
    p->pos = 0;
}

/* Refills block i from the sample (or empties it when the sample has nothing more). */
static void fetch(c9_audio_player_t *p, unsigned i) {
    p->count[i] = 0;
    if (p->source_done) {
        return;
    }
    const uint8_t *data;
    size_t len;
    c9_audio_result_t r = c9__audio_get_buffer(p->sample, &data, &len, 0);
    p->fetches++;
    if (r == C9_AUDIO_ERROR) {
        end(p); /* as the DMA stops on a source error */
        return;
    }
    const c9_audio_format_t *f = &p->sample->format;
    size_t frames = C9_MIN(len / c9_audio_frame_bytes(f), p->capacity);
    if (frames && c9_audio_convert(f, data, frames, &p->out, p->block[i]) != C9_OK) {
        end(p);
        return;
    }
    p->count[i] = frames;
    if (frames) {
        p->got_frames = true;
    }
    if (r == C9_AUDIO_DONE) {
        if (!p->loop) {
            p->source_done = true;
        } else if (!p->got_frames) {
            end(p); /* a looped sample without a single frame */
        } else {
            p->sample->ops->reset(p->sample);
            p->got_frames = false;
        }
    }
}

/* Moves past finished or empty blocks; afterwards the player is stopped or has a frame to give. */
static void settle(c9_audio_player_t *p) {
    unsigned empty = 0;
    while (p->state == C9_AUDIO_PLAYING && p->pos >= p->count[p->cur]) {
        if (p->single) {
            if (p->loop && p->count[0]) {
                p->pos = 0;
            } else {
                end(p);
            }
            continue;
        }
        if (p->count[p->cur] == 0 && ++empty > 4) {
            end(p); /* a sample that keeps giving empty buffers */
            continue;
        }
        if (p->source_done && p->count[p->cur ^ 1u] == 0) {
            end(p);
            continue;
        }
        fetch(p, p->cur); /* the DMA refills the block it finished ... */
        p->cur ^= 1u;     /* ... and plays the other */
        p->pos = 0;
    }
}

c9_err_t c9_audio_player_play(c9_audio_player_t *p, const c9_audio_out_format_t *out, c9_audio_sample_t *sample,
                              bool loop, uint16_t *memory, size_t memory_values) {
    if (!format_ok(&sample->format) || !(out->channels == 1 || out->channels == 2) || out->bits < 8 || out->bits > 16) {
        return C9_ERR_INVAL;
    }
    if (sample->format.bits == 16 && out->bits <= 8 && out->conversion == C9_AUDIO_CONVERT_DMA) {
        return C9_ERR_AUDIO_CONVERSION;
    }
    if (memory_values < c9_audio_player_memory(out, sample)) {
        return C9_ERR_NOMEM;
    }
    end(p);
    p->out = *out;
    p->sample = sample;
    p->loop = loop;
    p->single = sample->single_buffer;
    p->source_done = false;
    p->got_frames = false;
    p->capacity = capacity_of(sample);
    p->block[0] = memory;
    p->block[1] = p->single ? NULL : memory + p->capacity * out->channels;
    p->cur = 0;
    p->pos = 0;
    p->fetches = 0;
    p->state = C9_AUDIO_PLAYING;
    sample->ops->reset(sample);
    fetch(p, 0);
    if (p->single) {
        /* Looping replays the one converted block: later writes to the sample are not heard. */
        p->source_done = true;
    } else if (p->state == C9_AUDIO_PLAYING) {
        fetch(p, 1);
    }
    settle(p);
    return C9_OK;
}

void c9_audio_player_render(c9_audio_player_t *p, uint16_t *values, size_t frames) {
    unsigned ch = p->out.channels;
    while (frames) {
        if (p->state != C9_AUDIO_PLAYING) {
            const uint16_t *hold = p->state == C9_AUDIO_PAUSED && p->out.pause_holds ? p->last : NULL;
            for (size_t i = 0; i < frames; i++) {
                for (unsigned c = 0; c < ch; c++) {
                    *values++ = hold ? hold[c] : p->out.idle;
                }
            }
            return;
        }
        size_t n = C9_MIN(frames, p->count[p->cur] - p->pos);
        const uint16_t *src = p->block[p->cur] + p->pos * ch;
        memcpy(values, src, n * ch * sizeof(uint16_t));
        for (unsigned c = 0; c < ch; c++) {
            p->last[c] = src[(n - 1) * ch + c];
        }
        values += n * ch;
        frames -= n;
        p->pos += n;
        settle(p);
    }
}

void c9_audio_player_stop(c9_audio_player_t *p) {
    end(p);
}

void c9_audio_player_pause(c9_audio_player_t *p) {
    if (p->state == C9_AUDIO_PLAYING) {
        p->state = C9_AUDIO_PAUSED;
    }
}

void c9_audio_player_resume(c9_audio_player_t *p) {
    if (p->state == C9_AUDIO_PAUSED) {
        p->state = C9_AUDIO_PLAYING;
        settle(p);
    }
}

bool c9_audio_player_playing(const c9_audio_player_t *p) {
    return p->state != C9_AUDIO_STOPPED;
}

bool c9_audio_player_paused(const c9_audio_player_t *p) {
    return p->state == C9_AUDIO_PAUSED;
}

size_t c9_audio_player_frames_to_event(const c9_audio_player_t *p) {
    return p->state == C9_AUDIO_PLAYING ? p->count[p->cur] - p->pos : 0;
}
