/* audiomixer.Mixer: CircuitPython 9.2.9's mixing arithmetic on every frame.
 *
 * CircuitPython (shared-module/audiomixer/Mixer.c, the portable path every RP2040, ESP32 and
 * SAMD21 build compiles) scales each 16-bit lane by level / 32767 in single-precision float,
 * truncates toward zero, saturates to 16 bits, and adds voices in order with 16-bit saturation;
 * 8-bit samples are mixed in the top byte of a 16-bit lane and the sum is cut back to that byte
 * after each voice; unsigned samples are flipped to signed and back. The same arithmetic runs
 * here per sample. Where CircuitPython works in 32-bit words and so drops the last 1-3 bytes of
 * a buffer that is not a whole number of words, every frame is mixed here (docs/audio.md). */
#include "audio_internal.h"

#include <string.h>

uint16_t c9_audio_level_q15(float level) {
    if (!(level > 0.0f)) {
        return 0; /* also NaN, which CircuitPython turns into an undefined conversion */
    }
    if (level > 1.0f) {
        level = 1.0f;
    }
    return (uint16_t)(level * (float)(1 << 15));
}

int16_t c9_audio_scale(int16_t sample, uint16_t level_q15) {
    float mul = (float)level_q15 / (float)((1 << 15) - 1);
    int32_t v = (int32_t)((float)sample * mul);
    if (v > INT16_MAX) {
        v = INT16_MAX;
    } else if (v < INT16_MIN) {
        v = INT16_MIN;
    }
    return (int16_t)v;
}

static inline int16_t sat_add(int16_t a, int16_t b) {
    int32_t v = (int32_t)a + b;
    return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

size_t c9_audio_mixer_buffer_length(uint32_t buffer_size) {
    return buffer_size / 2 / sizeof(uint32_t) * sizeof(uint32_t);
}

static void voice_stop(c9_audio_voice_t *v) {
    v->sample = NULL;
    v->data = NULL;
    v->frames = 0;
}

static void mixer_reset(c9_audio_sample_t *s) {
    /* An output (or a voice) starting a mixer stops all its voices, as CircuitPython's does. */
    c9_audio_mixer_t *m = (c9_audio_mixer_t *)s;
    for (unsigned i = 0; i < m->voice_count; i++) {
        voice_stop(&m->voices[i]);
    }
}

static c9_audio_result_t mixer_render(c9_audio_mixer_t *m, const uint8_t **data, size_t *len, unsigned depth);

static c9_audio_result_t mixer_get_buffer(c9_audio_sample_t *s, const uint8_t **data, size_t *len) {
    return mixer_render((c9_audio_mixer_t *)s, data, len, 0);
}

static const c9_audio_sample_ops_t mixer_ops = {mixer_reset, mixer_get_buffer};

c9_audio_result_t c9__audio_get_buffer(c9_audio_sample_t *s, const uint8_t **data, size_t *len, unsigned depth) {
    *data = NULL;
    *len = 0;
    if (s->format.channels == 0) {
        return C9_AUDIO_ERROR; /* deinitialised: its memory may be gone */
    }
    if (s->ops == &mixer_ops) {
        return mixer_render((c9_audio_mixer_t *)s, data, len, depth);
    }
    return s->ops->get_buffer(s, data, len);
}

/* Takes the voice's next buffer; false when the voice stops. */
static bool voice_next(c9_audio_voice_t *v, size_t frame_bytes, unsigned depth) {
    for (int tries = 0; tries < 3; tries++) {
        if (!v->more) {
            if (!v->loop || !v->got_frames) {
                return false; /* ended, or a looped sample without a single frame */
            }
            v->sample->ops->reset(v->sample);
            v->got_frames = false;
        }
        const uint8_t *d;
        size_t len;
        c9_audio_result_t r = c9__audio_get_buffer(v->sample, &d, &len, depth + 1);
        if (r == C9_AUDIO_ERROR || !v->sample) {
            return false; /* failed, or stopped from inside (a mixer that is its own voice) */
        }
        v->data = d;
        v->frames = len / frame_bytes;
        v->more = r == C9_AUDIO_MORE;
        if (v->frames) {
            v->got_frames = true;
            return true;
        }
    }
    return false; /* buffers without frames, again and again */
}

static void mix16(uint8_t *out, const uint8_t *src, size_t samples, bool is_signed, uint16_t level) {
    for (size_t i = 0; i < samples; i++) {
        uint16_t raw = rd16(src + 2 * i);
        int16_t s = (int16_t)(is_signed ? raw : (uint16_t)(raw ^ 0x8000u));
        int16_t acc = (int16_t)rd16(out + 2 * i);
        wr16(out + 2 * i, (uint16_t)sat_add(c9_audio_scale(s, level), acc));
    }
}

static void mix8(uint8_t *out, const uint8_t *src, size_t samples, bool is_signed, uint16_t level) {
    for (size_t i = 0; i < samples; i++) {
        uint8_t b = is_signed ? src[i] : (uint8_t)(src[i] ^ 0x80u);
        int16_t s = (int16_t)((int8_t)b * 256);
        int16_t acc = (int16_t)((int8_t)out[i] * 256);
        out[i] = (uint8_t)((uint16_t)sat_add(c9_audio_scale(s, level), acc) >> 8);
    }
}

static void mix_voice(c9_audio_mixer_t *m, c9_audio_voice_t *v, uint8_t *out, size_t frames, unsigned depth) {
    const c9_audio_format_t *f = &m->base.format;
    size_t fb = c9_audio_frame_bytes(f);
    while (frames) {
        if (v->sample->format.channels == 0) {
            voice_stop(v); /* deinitialised while playing: never read its memory again */
            return;
        }
        if (v->frames == 0 && !voice_next(v, fb, depth)) {
            voice_stop(v);
            return;
        }
        size_t n = C9_MIN(frames, v->frames);
        uint16_t level = c9_audio_level_q15(v->level);
        if (f->bits == 16) {
            mix16(out, v->data, n * f->channels, f->is_signed, level);
        } else {
            mix8(out, v->data, n * f->channels, f->is_signed, level);
        }
        out += n * fb;
        v->data += n * fb;
        v->frames -= n;
        frames -= n;
    }
}

static c9_audio_result_t mixer_render(c9_audio_mixer_t *m, const uint8_t **data, size_t *len, unsigned depth) {
    if (m->rendering || depth > C9_AUDIO_MIXER_NESTING) {
        *data = NULL;
        *len = 0;
        return C9_AUDIO_ERROR;
    }
    m->rendering = true;
    uint8_t *buf = m->buffer[m->next];
    m->next ^= 1;
    memset(buf, 0, m->len);
    size_t frames = m->len / c9_audio_frame_bytes(&m->base.format);
    for (unsigned i = 0; i < m->voice_count; i++) {
        if (m->voices[i].sample) {
            mix_voice(m, &m->voices[i], buf, frames, depth);
        }
    }
    if (!m->base.format.is_signed) {
        uint8_t flip_hi = m->base.format.bits == 16 ? 1 : 0;
        for (size_t i = 0; i < m->len; i++) {
            /* 16-bit: flip bit 15 (the high byte of each little-endian pair); 8-bit: bit 7. */
            if (!flip_hi || (i & 1)) {
                buf[i] ^= 0x80u;
            }
        }
    }
    m->rendering = false;
    *data = buf;
    *len = m->len;
    return C9_AUDIO_MORE;
}

c9_err_t c9_audio_mixer_init(c9_audio_mixer_t *m, const c9_audio_format_t *format, c9_audio_voice_t *voices,
                             uint8_t voice_count, uint8_t *memory, uint32_t buffer_size) {
    size_t len = c9_audio_mixer_buffer_length(buffer_size);
    if (!format_ok(format) || voice_count == 0 || len < sizeof(uint32_t)) {
        return C9_ERR_INVAL;
    }
    m->base.ops = &mixer_ops;
    m->base.format = *format;
    m->base.single_buffer = false;
    m->base.max_buffer_length = len;
    m->voices = voices;
    m->voice_count = voice_count;
    m->buffer[0] = memory;
    m->buffer[1] = memory + len;
    m->len = len;
    m->next = 0;
    m->rendering = false;
    for (unsigned i = 0; i < voice_count; i++) {
        memset(&voices[i], 0, sizeof voices[i]);
        voices[i].level = 1.0f;
    }
    return C9_OK;
}

c9_err_t c9_audio_mixer_play(c9_audio_mixer_t *m, uint8_t voice, c9_audio_sample_t *sample, bool loop) {
    if (voice >= m->voice_count) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = c9_audio_must_match(&m->base.format, &sample->format);
    if (err != C9_OK) {
        return err;
    }
    c9_audio_voice_t *v = &m->voices[voice];
    voice_stop(v);
    v->loop = loop;
    v->more = true;
    v->got_frames = false;
    sample->ops->reset(sample);
    v->sample = sample;
    /* The first buffer is taken now, as CircuitPython's MixerVoice.play does. */
    if (!voice_next(v, c9_audio_frame_bytes(&m->base.format), 0)) {
        voice_stop(v);
    }
    return C9_OK;
}

void c9_audio_mixer_stop(c9_audio_mixer_t *m, uint8_t voice) {
    if (voice < m->voice_count) {
        voice_stop(&m->voices[voice]);
    }
}

bool c9_audio_mixer_playing(const c9_audio_mixer_t *m) {
    for (unsigned i = 0; i < m->voice_count; i++) {
        if (m->voices[i].sample) {
            return true;
        }
    }
    return false;
}
