/*
 * Instructions per output frame of the audio core (callgrind): what a board's DMA path costs
 * per frame for a Mixer of two 16-bit voices on a 10-bit PWM output, one 8-bit stereo voice on
 * a 16-bit I2S output, and a WaveFile read from memory straight to I2S.
 *
 *     valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=cg.out ./audio_bench
 *
 * Each case runs with collection toggled on, then CALLGRIND_DUMP_STATS_AT("name@frames");
 * run.sh divides each dump's instructions by its frames.
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "circuit9/audio.h"

#define FRAMES 48000

static uint16_t blocks[2 * 1024 * 2];
static uint16_t values[256 * 2];

static void run(const char *name, c9_audio_sample_t *s, const c9_audio_out_format_t *out) {
    c9_audio_player_t p;
    c9_audio_player_init(&p, out);
    char label[64];
    snprintf(label, sizeof label, "%s@%d", name, FRAMES);
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    c9_audio_player_play(&p, out, s, true, blocks, sizeof blocks / sizeof blocks[0]);
    for (int i = 0; i < FRAMES / 256; i++) {
        c9_audio_player_render(&p, values, 256);
    }
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(label);
    printf("%s: last value %u\n", name, values[0]);
}

typedef struct {
    const uint8_t *data;
    size_t size;
} mem_t;

static c9_err_t mem_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got) {
    const mem_t *m = ctx;
    *got = offset >= m->size ? 0 : (size_t)C9_MIN((uint64_t)len, m->size - offset);
    memcpy(buf, m->data + offset, *got);
    return C9_OK;
}

int main(void) {
    static int16_t a[1000], b[441];
    static uint8_t c[2 * 300];
    for (int i = 0; i < 1000; i++) {
        a[i] = (int16_t)((i * 977) % 60000 - 30000);
    }
    for (int i = 0; i < 441; i++) {
        b[i] = (int16_t)((i * 331) % 50000 - 25000);
    }
    for (int i = 0; i < 600; i++) {
        c[i] = (uint8_t)(i * 7);
    }
    c9_audio_format_t f16 = {.sample_rate = 22050, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_format_t u8s = {.sample_rate = 22050, .bits = 8, .channels = 2, .is_signed = false};
    c9_audio_raw_t ra, rb, rc;
    c9_audio_raw_init(&ra, a, sizeof a, &f16, true);
    c9_audio_raw_init(&rb, b, sizeof b, &f16, true);
    c9_audio_raw_init(&rc, c, sizeof c, &u8s, true);

    const c9_audio_out_format_t pwm = {
        .channels = 1, .bits = 10, .conversion = C9_AUDIO_CONVERT_DMA, .idle = 512, .pause_holds = true};
    const c9_audio_out_format_t i2s = {
        .channels = 2, .bits = 16, .is_signed = true, .conversion = C9_AUDIO_CONVERT_DMA};

    static c9_audio_voice_t voices[2];
    static uint8_t mix_mem[1024];
    c9_audio_mixer_t m;
    c9_audio_mixer_init(&m, &f16, voices, 2, mix_mem, 1024);
    {
        /* Starting the output starts the mixer, which stops its voices: they start after. */
        c9_audio_player_t q;
        c9_audio_player_init(&q, &pwm);
        c9_audio_player_play(&q, &pwm, &m.base, true, blocks, sizeof blocks / sizeof blocks[0]);
        c9_audio_mixer_play(&m, 0, &ra.base, true);
        c9_audio_mixer_play(&m, 1, &rb.base, true);
        voices[1].level = 0.5f;
        CALLGRIND_ZERO_STATS;
        CALLGRIND_TOGGLE_COLLECT;
        for (int i = 0; i < FRAMES / 256; i++) {
            c9_audio_player_render(&q, values, 256);
        }
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT("mixer_2_voices_16bit_to_pwm10@48000");
        printf("mixer: last value %u\n", values[0]);
    }
    run("raw_u8_stereo_to_i2s16", &rc.base, &i2s);

    /* a 16-bit mono WAV file in memory */
    static uint8_t wav[44 + 2 * 8000];
    c9_wav_header(wav, 22050, 1, 16, 2 * 8000);
    memcpy(wav + 44, a, sizeof a);
    mem_t mem = {wav, sizeof wav};
    static uint8_t wbuf[512];
    c9_audio_wave_t w;
    if (c9_audio_wave_init(&w, mem_read, &mem, wbuf, sizeof wbuf) != C9_OK) {
        return 1;
    }
    run("wavefile16_to_i2s16", &w.base, &i2s);
    return 0;
}
