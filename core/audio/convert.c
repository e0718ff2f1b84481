/* Sample frames to an output's values, as CircuitPython's outputs convert them.
 *
 * C9_AUDIO_CONVERT_DMA is audio_dma_convert_samples() of the RP2040 port (PWMAudioOut, I2SOut):
 * 8-bit samples are multiplied by (2^bits - 1) / 255 (integer division: 4 for a 10-bit PWM, 257
 * for 16 bits), minus 2^bits / 2 when unsigned samples go to a signed output; signed 8-bit
 * samples go to a signed output as their byte times the multiplier (so -1 stays -1 and -128 is
 * -32640 at 16 bits); 16-bit samples change sign by +-0x8000 and are shifted down to the
 * output's bits. C9_AUDIO_CONVERT_SHIFT is audiocore's audiosample_convert_*_s16s() (the ESP32
 * I2S path): 8-bit samples become (sample - 128) * 256 or sample * 256, 16-bit ones +-0x8000.
 * Mono samples go to both channels of a stereo output; a mono output takes a stereo sample's
 * left channel (the RP2040 writes a stereo frame to a mono PWM's compare register, whose lower
 * half is channel A, the left). */
#include "audio_internal.h"

static bool out_ok(const c9_audio_out_format_t *out) {
    return (out->channels == 1 || out->channels == 2) && out->bits >= 8 && out->bits <= 16 &&
           out->conversion <= C9_AUDIO_CONVERT_SHIFT;
}

/* A signed 16-bit value to the output's width and sign. */
static uint16_t from_s16(const c9_audio_out_format_t *out, int16_t v) {
    unsigned shift = 16u - out->bits;
    if (out->is_signed) {
        return (uint16_t)(int16_t)(v >> shift); /* arithmetic shift, as the RP2040's int16 >> */
    }
    return (uint16_t)((uint16_t)(v + 0x8000) >> shift);
}

static uint16_t convert_dma(const c9_audio_format_t *in, const c9_audio_out_format_t *out, uint16_t raw) {
    if (in->bits == 8) {
        uint8_t b = (uint8_t)raw;
        if (out->bits > 8) {
            uint32_t mul = ((1u << out->bits) - 1u) / 255u;
            uint32_t offset = (1u << out->bits) / 2u;
            if (in->is_signed && !out->is_signed) {
                return (uint16_t)((uint32_t)((int8_t)b + 0x80) * mul);
            }
            if (!in->is_signed && out->is_signed) {
                return (uint16_t)(int16_t)((int32_t)(b * mul) - (int32_t)offset);
            }
            uint16_t v = (uint16_t)(b * mul);
            /* A signed output's value is kept sign-extended from its width. */
            return out->is_signed && out->bits < 16
                       ? (uint16_t)(int16_t)((int16_t)(v << (16 - out->bits)) >> (16 - out->bits))
                       : v;
        }
        if (in->is_signed && !out->is_signed) {
            return (uint8_t)((int8_t)b + 0x80);
        }
        if (!in->is_signed && out->is_signed) {
            return (uint16_t)(int16_t)(int8_t)(uint8_t)(b - 0x80);
        }
        return out->is_signed ? (uint16_t)(int16_t)(int8_t)b : b;
    }
    uint16_t v = raw;
    if (in->is_signed && !out->is_signed) {
        v = (uint16_t)(v + 0x8000u);
    } else if (!in->is_signed && out->is_signed) {
        v = (uint16_t)(v - 0x8000u);
    }
    if (out->bits < 16) {
        unsigned shift = 16u - out->bits;
        v = out->is_signed ? (uint16_t)(int16_t)((int16_t)v >> shift) : (uint16_t)(v >> shift);
    }
    return v;
}

static uint16_t convert_shift(const c9_audio_format_t *in, const c9_audio_out_format_t *out, uint16_t raw) {
    int16_t s;
    if (in->bits == 8) {
        s = (int16_t)((in->is_signed ? (int8_t)raw : (int)(uint8_t)raw - 0x80) * 256);
    } else {
        s = (int16_t)(in->is_signed ? raw : (uint16_t)(raw - 0x8000u));
    }
    return from_s16(out, s);
}

c9_err_t c9_audio_convert(const c9_audio_format_t *in, const uint8_t *data, size_t frames,
                          const c9_audio_out_format_t *out, uint16_t *values) {
    if (!format_ok(in) || !out_ok(out)) {
        return C9_ERR_INVAL;
    }
    if (in->bits == 16 && out->bits <= 8 && out->conversion == C9_AUDIO_CONVERT_DMA) {
        return C9_ERR_AUDIO_CONVERSION;
    }
    size_t bytes = in->bits / 8u;
    for (size_t i = 0; i < frames; i++) {
        const uint8_t *frame = data + i * bytes * in->channels;
        for (unsigned c = 0; c < out->channels; c++) {
            const uint8_t *p = frame + (in->channels == 2 ? c * bytes : 0);
            uint16_t raw = bytes == 2 ? rd16(p) : p[0];
            *values++ =
                out->conversion == C9_AUDIO_CONVERT_DMA ? convert_dma(in, out, raw) : convert_shift(in, out, raw);
        }
    }
    return C9_OK;
}

int16_t c9_audio_value_pcm16(const c9_audio_out_format_t *out, uint16_t value) {
    unsigned shift = 16u - out->bits;
    if (out->is_signed) {
        return (int16_t)((int32_t)(int16_t)value * (1 << shift));
    }
    return (int16_t)((int32_t)((uint32_t)value << shift) - 32768);
}
