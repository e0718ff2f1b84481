/*
 * libFuzzer target for WAV files (audio.h): parse the header, play the file through the player
 * on a PWM and an I2S output, looped and not, and through a mixer voice, reading it through a
 * callback that serves the input in pieces (the way a file is read). No crash, no hang, no read
 * outside the input, and every parsed field within what the parser promises.
 */
#include <stdlib.h>
#include <string.h>

#include "circuit9/audio.h"

typedef struct {
    const uint8_t *data;
    size_t size;
} input_t;

static c9_err_t read_input(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got) {
    const input_t *in = ctx;
    *got = offset >= in->size ? 0 : (size_t)C9_MIN((uint64_t)len, in->size - offset);
    memcpy(buf, in->data + offset, *got);
    return C9_OK;
}

static void play(c9_audio_sample_t *s, const c9_audio_out_format_t *out, bool loop) {
    static uint16_t blocks[2 * 1024 * 2];
    static uint16_t values[512 * 2];
    c9_audio_player_t p;
    c9_audio_player_init(&p, out);
    if (c9_audio_player_play(&p, out, s, loop, blocks, sizeof blocks / sizeof blocks[0]) != C9_OK) {
        abort(); /* a parsed file always fits two 256-byte buffers converted */
    }
    for (int i = 0; i < 8; i++) {
        c9_audio_player_render(&p, values, 512);
        if (!loop && !c9_audio_player_playing(&p)) {
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input_t in = {data, size};
    c9_wav_info_t info;
    if (c9_wav_parse(read_input, &in, &info) != C9_OK) {
        return 0;
    }
    const c9_audio_format_t *f = &info.format;
    if ((f->bits != 8 && f->bits != 16) || (f->channels != 1 && f->channels != 2) || info.fmt_size < 16 ||
        info.fmt_size > 40 || info.data_offset > size) {
        abort();
    }
    static uint8_t buffer[C9_AUDIO_WAVE_DEFAULT_BUFFER];
    c9_audio_wave_t w;
    if (c9_audio_wave_init(&w, read_input, &in, buffer, sizeof buffer) != C9_OK) {
        abort();
    }
    static const c9_audio_out_format_t pwm = {
        .channels = 1, .bits = 10, .conversion = C9_AUDIO_CONVERT_DMA, .idle = 512, .pause_holds = true};
    static const c9_audio_out_format_t i2s = {
        .channels = 2, .bits = 16, .is_signed = true, .conversion = C9_AUDIO_CONVERT_SHIFT};
    play(&w.base, &pwm, false);
    play(&w.base, &i2s, true);
    static c9_audio_voice_t voices[2];
    static uint8_t mix[2 * 128];
    c9_audio_mixer_t m;
    c9_audio_format_t mf = *f;
    if (c9_audio_mixer_init(&m, &mf, voices, 2, mix, 256) != C9_OK ||
        c9_audio_mixer_play(&m, 1, &w.base, data[size - 1] & 1) != C9_OK) {
        abort();
    }
    voices[1].level = (float)(data[size / 2] / 200.0);
    for (int i = 0; i < 8; i++) {
        const uint8_t *d;
        size_t len;
        if (m.base.ops->get_buffer(&m.base, &d, &len) != C9_AUDIO_MORE || len != 128) {
            abort();
        }
    }
    return 0;
}
