/*
 * The audio core (audio.h): WAV headers of every kind CircuitPython 9.2.9 meets (and the broken
 * ones), RawSample and WaveFile buffers, the mixer's arithmetic against a formula written out
 * here, conversions to each output, and the player's blocks: loops, stops and pauses at exact
 * frames, and when it takes buffers from the sample.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "circuit9/audio.h"

/* ---- a WAV file in memory ---------------------------------------------------------------------- */

typedef struct {
    uint8_t b[8192];
    size_t n;
    size_t riff_size_at;
    int fail_at; /* a read at or past this offset fails (-1: never) */
    unsigned reads;
} file_t;

static void put(file_t *f, const void *p, size_t n) {
    memcpy(f->b + f->n, p, n);
    f->n += n;
}
static void put16(file_t *f, unsigned v) {
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(f, b, 2);
}
static void put32(file_t *f, uint32_t v) {
    put16(f, v & 0xFFFF);
    put16(f, v >> 16);
}

static void riff(file_t *f) {
    memset(f, 0, sizeof *f);
    f->fail_at = -1;
    put(f, "RIFF", 4);
    put32(f, 0);
    put(f, "WAVE", 4);
}

/* A fmt chunk of `size` bytes (16, 18, 40 or anything) with these fields. */
static void fmt(file_t *f, uint32_t size, unsigned tag, unsigned channels, uint32_t rate, unsigned bits) {
    put(f, "fmt ", 4);
    put32(f, size);
    uint8_t body[64] = {0};
    file_t tmp;
    tmp.n = 0;
    put16(&tmp, tag);
    put16(&tmp, channels);
    put32(&tmp, rate);
    put32(&tmp, rate * channels * bits / 8);
    put16(&tmp, channels * bits / 8);
    put16(&tmp, bits);
    memcpy(body, tmp.b, 16);
    if (size >= 40) {
        body[16] = 22;                    /* cbSize */
        body[18] = (uint8_t)bits;         /* valid bits */
        body[20] = channels == 2 ? 3 : 4; /* channel mask */
        body[24] = 1;                     /* KSDATAFORMAT_SUBTYPE_PCM's first two bytes */
        static const uint8_t guid_tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                              0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
        memcpy(body + 26, guid_tail, sizeof guid_tail);
    }
    put(f, body, size);
    if (size & 1) {
        put(f, "\0", 1);
    }
}

static void chunk(file_t *f, const char *tag, const void *data, uint32_t len) {
    put(f, tag, 4);
    put32(f, len);
    put(f, data, len);
    if (len & 1) {
        put(f, "\0", 1);
    }
}

static c9_err_t mem_read(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got) {
    file_t *f = ctx;
    f->reads++;
    if (f->fail_at >= 0 && offset + len > (uint64_t)f->fail_at) {
        return C9_ERR_IO;
    }
    *got = offset >= f->n ? 0 : C9_MIN(len, f->n - (size_t)offset);
    memcpy(buf, f->b + offset, *got);
    return C9_OK;
}

static c9_err_t parse(file_t *f, c9_wav_info_t *info) {
    return c9_wav_parse(mem_read, f, info);
}

/* A canonical PCM file of `frames` frames whose bytes count up from `first`. */
static void pcm_file(file_t *f, unsigned channels, unsigned bits, uint32_t rate, size_t frames, uint8_t first) {
    riff(f);
    fmt(f, 16, 1, channels, rate, bits);
    uint8_t data[4096];
    size_t n = frames * channels * bits / 8;
    for (size_t i = 0; i < n; i++) {
        data[i] = (uint8_t)(first + i);
    }
    chunk(f, "data", data, (uint32_t)n);
}

static void test_wav_pcm_kinds(void **state) {
    (void)state;
    static const struct {
        unsigned channels, bits;
        uint32_t rate;
    } kinds[] = {{1, 8, 8000}, {2, 8, 11025}, {1, 16, 16000}, {2, 16, 44100}, {1, 16, 7}, {2, 8, 192000}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        file_t f;
        pcm_file(&f, kinds[k].channels, kinds[k].bits, kinds[k].rate, 10, 0);
        c9_wav_info_t info;
        assert_int_equal(parse(&f, &info), C9_OK);
        assert_int_equal(info.format.channels, kinds[k].channels);
        assert_int_equal(info.format.bits, kinds[k].bits);
        assert_int_equal(info.format.sample_rate, kinds[k].rate);
        assert_int_equal(info.format.is_signed, kinds[k].bits == 16); /* 8-bit WAV is unsigned */
        assert_int_equal(info.data_offset, 44);
        assert_int_equal(info.data_length, 10 * kinds[k].channels * kinds[k].bits / 8);
    }
}

static void test_wav_fmt_sizes_and_extensible(void **state) {
    (void)state;
    file_t f;
    c9_wav_info_t info;
    uint8_t data[8] = {0};
    /* 18 bytes with cbSize 0 */
    riff(&f);
    fmt(&f, 18, 1, 1, 8000, 16);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_OK);
    assert_int_equal(info.data_offset, 20 + 18 + 8);
    /* 18 bytes with extra bytes announced */
    riff(&f);
    fmt(&f, 18, 1, 1, 8000, 16);
    f.b[20 + 16] = 2;
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    /* WAVE_FORMAT_EXTENSIBLE, PCM subformat */
    riff(&f);
    fmt(&f, 40, 0xFFFE, 2, 48000, 16);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_OK);
    assert_int_equal(info.format_tag, 0xFFFE);
    assert_int_equal(info.format.channels, 2);
    assert_int_equal(info.data_offset, 20 + 40 + 8);
    /* extensible with a float subformat, or fewer valid bits than the container */
    riff(&f);
    fmt(&f, 40, 0xFFFE, 2, 48000, 16);
    f.b[20 + 24] = 3;
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    riff(&f);
    fmt(&f, 40, 0xFFFE, 2, 48000, 16);
    f.b[20 + 18] = 12;
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    /* a 40-byte chunk must be extensible; an extensible tag needs the 40 bytes */
    riff(&f);
    fmt(&f, 40, 1, 2, 48000, 16);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    riff(&f);
    fmt(&f, 16, 0xFFFE, 2, 48000, 16);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    /* CircuitPython takes any PCM chunk size up to 40, odd ones too (with RIFF's pad byte) */
    riff(&f);
    fmt(&f, 21, 1, 1, 8000, 8);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_OK);
    assert_int_equal(info.fmt_size, 21);
    assert_int_equal(info.data_offset, 20 + 22 + 8);
    /* too big, too small */
    riff(&f);
    fmt(&f, 42, 1, 1, 8000, 8);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FMT_SIZE);
    riff(&f);
    fmt(&f, 14, 1, 1, 8000, 8);
    chunk(&f, "data", data, 8);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FMT_SIZE);
}

static void test_wav_unsupported(void **state) {
    (void)state;
    static const struct {
        unsigned tag, channels, bits;
    } bad[] = {{3, 1, 32}, {1, 1, 24}, {1, 3, 16}, {1, 0, 16}, {1, 1, 12}, {1, 1, 4}, {2, 1, 4}, {6, 1, 8}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        file_t f;
        riff(&f);
        fmt(&f, 16, bad[k].tag, bad[k].channels, 8000, bad[k].bits);
        chunk(&f, "data", "abcd", 4);
        c9_wav_info_t info;
        assert_int_equal(parse(&f, &info), C9_ERR_WAV_FORMAT);
    }
}

static void test_wav_chunks(void **state) {
    (void)state;
    file_t f;
    c9_wav_info_t info;
    /* odd-sized LIST and a fact chunk before the data */
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    chunk(&f, "LIST", "INFOISFT\x03\0\0\0ab", 15);
    chunk(&f, "fact", "\x04\0\0\0", 4);
    chunk(&f, "data", "\x01\x02\x03\x04", 4);
    assert_int_equal(parse(&f, &info), C9_OK);
    assert_int_equal(info.data_offset, 20 + 16 + (8 + 16) + (8 + 4) + 8);
    assert_memory_equal(f.b + info.data_offset, "\x01\x02\x03\x04", 4);
    /* CircuitPython's WaveFile needs fmt right after WAVE */
    riff(&f);
    chunk(&f, "LIST", "xx", 2);
    fmt(&f, 16, 1, 1, 22050, 16);
    chunk(&f, "data", "\x01\x02", 2);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FILE);
    /* not RIFF/WAVE, or too short to say */
    riff(&f);
    memcpy(f.b, "RIFX", 4);
    fmt(&f, 16, 1, 1, 22050, 16);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FILE);
    riff(&f);
    memcpy(f.b + 8, "AVI ", 4);
    fmt(&f, 16, 1, 1, 22050, 16);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FILE);
    riff(&f);
    f.n = 11;
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FILE);
    /* truncated: in the fmt chunk, in a chunk header, or no data chunk at all */
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    f.n = 30;
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_TRUNCATED);
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    f.n = 18;
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_FMT_SIZE);
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    put(&f, "dat", 3);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_TRUNCATED);
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    chunk(&f, "LIST", "abcd", 4);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_TRUNCATED);
    /* a chunk claiming 4 GB ends the search at the end of the file */
    riff(&f);
    fmt(&f, 16, 1, 1, 22050, 16);
    put(&f, "junk", 4);
    put32(&f, 0xFFFFFFFFu);
    put(&f, "data", 4);
    assert_int_equal(parse(&f, &info), C9_ERR_WAV_TRUNCATED);
    /* a read that fails */
    pcm_file(&f, 1, 16, 8000, 4, 0);
    f.fail_at = 30;
    assert_int_equal(parse(&f, &info), C9_ERR_IO);
    assert_string_equal(c9_strerror(C9_ERR_WAV_FMT_SIZE), "Invalid format chunk size");
    assert_string_equal(c9_strerror(C9_ERR_WAV_FILE), "Invalid file");
}

static void test_wav_header_round_trip(void **state) {
    (void)state;
    file_t f;
    riff(&f);
    f.n = 0;
    uint8_t head[C9_WAV_HEADER_SIZE];
    c9_wav_header(head, 44100, 2, 16, 8);
    put(&f, head, sizeof head);
    put(&f, "\1\2\3\4\5\6\7\x08", 8);
    c9_wav_info_t info;
    assert_int_equal(parse(&f, &info), C9_OK);
    assert_int_equal(info.format.sample_rate, 44100);
    assert_int_equal(info.format.channels, 2);
    assert_int_equal(info.data_length, 8);
    assert_int_equal(info.data_offset, 44);
    /* the sizes are RIFF's: 36 + data after "RIFF", byte rate and block align */
    assert_int_equal(head[4] | head[5] << 8, 44);
    assert_int_equal(head[28] | head[29] << 8 | head[30] << 16, 44100 * 4);
    assert_int_equal(head[32], 4);
}

/* ---- WaveFile and RawSample buffers --------------------------------------------------------- */

static void test_wave_buffers(void **state) {
    (void)state;
    file_t f;
    pcm_file(&f, 2, 16, 8000, 25, 0); /* 100 bytes */
    uint8_t mem[40];
    c9_audio_wave_t w;
    /* 40 bytes: halves of 20 bytes, 5 frames each */
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, sizeof mem), C9_OK);
    assert_int_equal(w.base.max_buffer_length, 20);
    const uint8_t *d;
    size_t len;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), i < 4 ? C9_AUDIO_MORE : C9_AUDIO_DONE);
        assert_int_equal(len, 20);
        assert_int_equal(d[0], (uint8_t)(20 * i));
        assert_ptr_equal(d, mem + (i & 1) * 20); /* the two buffers alternate */
    }
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_DONE);
    assert_int_equal(len, 0);
    w.base.ops->reset(&w.base);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_MORE);
    assert_int_equal(d[0], 0);
    /* 10 bytes: halves of 5 bytes round down to one 4-byte frame */
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, 10), C9_OK);
    assert_int_equal(w.half, 4);
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, 6), C9_ERR_INVAL);
    /* a data chunk longer than the file: the file's frames, then done */
    pcm_file(&f, 1, 16, 8000, 9, 0); /* 18 bytes */
    f.b[40] = 200;                   /* the data chunk says 200 bytes */
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, 16), C9_OK);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_MORE);
    assert_int_equal(len, 8);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_MORE);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_DONE);
    assert_int_equal(len, 2);
    /* a partial frame at the end of the data is not played */
    pcm_file(&f, 2, 16, 8000, 3, 0);
    f.b[40] = 13;
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, 40), C9_OK);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_DONE);
    assert_int_equal(len, 12);
    /* a read error is the source's error */
    pcm_file(&f, 1, 16, 8000, 20, 0);
    assert_int_equal(c9_audio_wave_init(&w, mem_read, &f, mem, 16), C9_OK);
    f.fail_at = 56;
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_MORE);
    assert_int_equal(w.base.ops->get_buffer(&w.base, &d, &len), C9_AUDIO_ERROR);
}

static void test_raw_buffers(void **state) {
    (void)state;
    int16_t s[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    const uint8_t *d;
    size_t len;
    assert_int_equal(c9_audio_raw_init(&r, s, sizeof s, &f, true), C9_OK);
    assert_int_equal(r.base.ops->get_buffer(&r.base, &d, &len), C9_AUDIO_DONE);
    assert_ptr_equal(d, s);
    assert_int_equal(len, 16);
    assert_int_equal(c9_audio_raw_init(&r, s, sizeof s, &f, false), C9_OK);
    assert_int_equal(r.base.ops->get_buffer(&r.base, &d, &len), C9_AUDIO_MORE);
    assert_ptr_equal(d, s);
    assert_int_equal(len, 8);
    assert_int_equal(r.base.ops->get_buffer(&r.base, &d, &len), C9_AUDIO_DONE);
    assert_ptr_equal(d, s + 4);
    r.base.ops->reset(&r.base);
    assert_int_equal(r.base.ops->get_buffer(&r.base, &d, &len), C9_AUDIO_MORE);
    /* double-buffered needs two halves of whole frames */
    f.channels = 2;
    assert_int_equal(c9_audio_raw_init(&r, s, 12, &f, false), C9_ERR_AUDIO_RAW_LENGTH);
    assert_int_equal(c9_audio_raw_init(&r, s, 16, &f, false), C9_OK);
    /* single-buffered ignores a trailing partial frame */
    assert_int_equal(c9_audio_raw_init(&r, s, 14, &f, true), C9_OK);
    assert_int_equal(r.len, 12);
    f.bits = 24;
    assert_int_equal(c9_audio_raw_init(&r, s, 12, &f, true), C9_ERR_INVAL);
}

/* ---- the mixer ------------------------------------------------------------------------------ */

/* The documented mixing rule, written out independently of mixer.c: level q = trunc(clamp(level)
 * * 32768) computed in float; a sample x scales to trunc(x * (q / 32767)) with float arithmetic,
 * saturated to int16; voices add in order, saturating after each. */
static int32_t ref_scale(int32_t x, double level) {
    float l = (float)level;
    if (l != l || l < 0) {
        l = 0;
    }
    if (l > 1) {
        l = 1;
    }
    volatile float qf = l * 32768.0f;
    uint32_t q = (uint32_t)qf;
    volatile float mul = (float)q / 32767.0f;
    volatile float prod = (float)x * mul;
    int64_t v = (int64_t)prod;
    return (int32_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static int32_t ref_sat(int64_t v) {
    return (int32_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static void test_scale_values(void **state) {
    (void)state;
    /* hand-worked values: 0.5 is 16384/32767 = 0.5000153, so 10000 -> 5000.15 -> 5000 */
    assert_int_equal(c9_audio_level_q15(0.5f), 16384);
    assert_int_equal(c9_audio_scale(10000, 16384), 5000);
    assert_int_equal(c9_audio_scale(-10000, 16384), -5000);
    /* level 1.0 is 32768: x * 1.0000305, so 32767 stays and -32768 saturates */
    assert_int_equal(c9_audio_level_q15(1.0f), 32768);
    assert_int_equal(c9_audio_scale(32767, 32768), 32767);
    assert_int_equal(c9_audio_scale(-32768, 32768), -32768);
    assert_int_equal(c9_audio_scale(1234, 32768), 1234);
    /* levels clamp; NaN is silence */
    assert_int_equal(c9_audio_level_q15(7.0f), 32768);
    assert_int_equal(c9_audio_level_q15(-1.0f), 0);
    assert_int_equal(c9_audio_level_q15(NAN), 0);
    assert_int_equal(c9_audio_level_q15(0.3f), 9830);
    /* every sample at a few levels, against the written-out rule */
    static const double levels[] = {0.0, 0.1, 0.25, 0.3, 0.5, 0.7071, 0.999, 1.0, 1.5};
    for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
        uint16_t q = c9_audio_level_q15((float)levels[k]);
        for (int32_t x = -32768; x <= 32767; x += 7) {
            assert_int_equal(c9_audio_scale((int16_t)x, q), ref_scale(x, levels[k]));
        }
    }
}

typedef struct {
    c9_audio_mixer_t m;
    c9_audio_voice_t voices[4];
    uint8_t mem[2 * 64];
} mixer_t;

static void mixer_make(mixer_t *mx, unsigned bits, unsigned channels, bool is_signed, uint32_t buffer_size) {
    c9_audio_format_t f = {
        .sample_rate = 8000, .bits = (uint8_t)bits, .channels = (uint8_t)channels, .is_signed = is_signed};
    assert_int_equal(c9_audio_mixer_init(&mx->m, &f, mx->voices, 4, mx->mem, buffer_size), C9_OK);
}

static void test_mixer_16bit(void **state) {
    (void)state;
    mixer_t mx;
    mixer_make(&mx, 16, 1, true, 64); /* 32-byte buffers: 16 frames */
    assert_int_equal(mx.m.len, 32);
    int16_t a[5] = {30000, -30000, 12345, -1, 100};
    int16_t b[16];
    for (int i = 0; i < 16; i++) {
        b[i] = (int16_t)(i * 2500 - 20000);
    }
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t ra, rb;
    c9_audio_raw_init(&ra, a, sizeof a, &f, true);
    c9_audio_raw_init(&rb, b, sizeof b, &f, true);
    assert_int_equal(c9_audio_mixer_play(&mx.m, 0, &ra.base, true), C9_OK);
    assert_int_equal(c9_audio_mixer_play(&mx.m, 1, &rb.base, false), C9_OK);
    mx.voices[0].level = 0.8f;
    mx.voices[1].level = 0.6f;
    const uint8_t *d;
    size_t len;
    for (int buf = 0; buf < 3; buf++) {
        assert_int_equal(mx.m.base.ops->get_buffer(&mx.m.base, &d, &len), C9_AUDIO_MORE);
        assert_int_equal(len, 32);
        for (int i = 0; i < 16; i++) {
            int n = buf * 16 + i;
            int64_t v = ref_scale(a[n % 5], 0.8);
            if (n < 16) { /* b plays once */
                v = ref_sat(ref_scale(b[n], 0.6) + v);
            }
            int16_t got = (int16_t)(d[2 * i] | d[2 * i + 1] << 8);
            assert_int_equal(got, v);
        }
    }
    assert_true(mx.voices[0].sample != NULL);
    assert_null(mx.voices[1].sample);
    /* must-match, in CircuitPython's order */
    c9_audio_format_t g = {.sample_rate = 16000, .bits = 8, .channels = 2, .is_signed = false};
    c9_audio_raw_t rg;
    c9_audio_raw_init(&rg, b, sizeof b, &g, true);
    assert_int_equal(c9_audio_mixer_play(&mx.m, 2, &rg.base, false), C9_ERR_AUDIO_RATE_MISMATCH);
    rg.base.format.sample_rate = 8000;
    assert_int_equal(c9_audio_mixer_play(&mx.m, 2, &rg.base, false), C9_ERR_AUDIO_CHANNELS_MISMATCH);
    rg.base.format.channels = 1;
    assert_int_equal(c9_audio_mixer_play(&mx.m, 2, &rg.base, false), C9_ERR_AUDIO_BITS_MISMATCH);
    rg.base.format.bits = 16;
    assert_int_equal(c9_audio_mixer_play(&mx.m, 2, &rg.base, false), C9_ERR_AUDIO_SIGN_MISMATCH);
    assert_int_equal(c9_audio_mixer_play(&mx.m, 4, &ra.base, false), C9_ERR_INVAL);
}

static void test_mixer_saturation_order(void **state) {
    (void)state;
    /* Voices add in order with saturation after each: 30000 + 30000 - 30000 is 2767, not 30000. */
    mixer_t mx;
    mixer_make(&mx, 16, 1, true, 16);
    int16_t p[4] = {30000, 30000, 30000, 30000}, n[4] = {-30000, -30000, -30000, -30000};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r0, r1, r2;
    c9_audio_raw_init(&r0, p, sizeof p, &f, true);
    c9_audio_raw_init(&r1, p, sizeof p, &f, true);
    c9_audio_raw_init(&r2, n, sizeof n, &f, true);
    c9_audio_mixer_play(&mx.m, 0, &r0.base, true);
    c9_audio_mixer_play(&mx.m, 1, &r1.base, true);
    c9_audio_mixer_play(&mx.m, 2, &r2.base, true);
    const uint8_t *d;
    size_t len;
    mx.m.base.ops->get_buffer(&mx.m.base, &d, &len);
    int16_t got = (int16_t)(d[0] | d[1] << 8);
    int32_t want =
        ref_sat((int64_t)ref_sat((int64_t)ref_scale(30000, 1.0) + ref_scale(30000, 1.0)) + ref_scale(-30000, 1.0));
    assert_int_equal(got, want);
    assert_int_equal(got, 2767);
}

static void test_mixer_8bit_unsigned_stereo(void **state) {
    (void)state;
    mixer_t mx;
    mixer_make(&mx, 8, 2, false, 32); /* 16-byte buffers: 8 stereo frames */
    uint8_t a[6] = {0, 255, 128, 200, 17, 90}, b[8] = {255, 255, 0, 0, 130, 126, 64, 192};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 8, .channels = 2, .is_signed = false};
    c9_audio_raw_t ra, rb;
    c9_audio_raw_init(&ra, a, sizeof a, &f, true);
    c9_audio_raw_init(&rb, b, sizeof b, &f, true);
    c9_audio_mixer_play(&mx.m, 0, &ra.base, true);
    c9_audio_mixer_play(&mx.m, 3, &rb.base, true);
    mx.voices[0].level = 0.9f;
    mx.voices[3].level = 0.45f;
    const uint8_t *d;
    size_t len;
    mx.m.base.ops->get_buffer(&mx.m.base, &d, &len);
    assert_int_equal(len, 16);
    for (int i = 0; i < 16; i++) {
        /* 8-bit samples mix in the top byte of 16 bits: unsigned -> signed, scale, add to the
         * running byte (widened again), saturate, keep the top byte (floor), back to unsigned. */
        int32_t acc = 0;
        int32_t sa = ((int32_t)a[i % 6] - 128) * 256, sb = ((int32_t)b[i % 8] - 128) * 256;
        int32_t v = ref_sat((int64_t)ref_scale(sa, 0.9) + acc);
        acc = (int32_t)floor(v / 256.0) * 256;
        v = ref_sat((int64_t)ref_scale(sb, 0.45) + acc);
        int want = (int)floor(v / 256.0) + 128;
        assert_int_equal(d[i], want);
    }
}

static void test_mixer_unsigned16_and_end(void **state) {
    (void)state;
    mixer_t mx;
    mixer_make(&mx, 16, 1, false, 32); /* 8 frames per buffer */
    uint16_t a[3] = {0, 65535, 40000};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = false};
    c9_audio_raw_t ra;
    c9_audio_raw_init(&ra, a, sizeof a, &f, true);
    c9_audio_mixer_play(&mx.m, 1, &ra.base, false);
    mx.voices[1].level = 0.5f;
    const uint8_t *d;
    size_t len;
    mx.m.base.ops->get_buffer(&mx.m.base, &d, &len);
    for (int i = 0; i < 8; i++) {
        uint16_t got = (uint16_t)(d[2 * i] | d[2 * i + 1] << 8);
        /* the voice ends after 3 frames; the rest of the buffer is silence (0x8000 unsigned) */
        uint16_t want = i < 3 ? (uint16_t)(ref_scale((int32_t)a[i] - 32768, 0.5) + 32768) : 0x8000;
        assert_int_equal(got, want);
    }
    assert_false(c9_audio_mixer_playing(&mx.m)); /* it ran out inside this buffer */
    /* starting the mixer (reset) stops its voices */
    c9_audio_mixer_play(&mx.m, 1, &ra.base, true);
    mx.m.base.ops->reset(&mx.m.base);
    assert_false(c9_audio_mixer_playing(&mx.m));
}

static void test_mixer_nesting(void **state) {
    (void)state;
    /* A mixer on its own voice (the only loop play() can make: playing a mixer stops its voices):
     * that voice stops at its first buffer, nothing recurses. */
    mixer_t mx;
    mixer_make(&mx, 16, 1, true, 16);
    assert_int_equal(c9_audio_mixer_play(&mx.m, 0, &mx.m.base, true), C9_OK);
    assert_false(c9_audio_mixer_playing(&mx.m));
    const uint8_t *d;
    size_t len;
    assert_int_equal(mx.m.base.ops->get_buffer(&mx.m.base, &d, &len), C9_AUDIO_MORE);
    /* A chain of mixers, each on voice 0 of the one before, a sample at the end: up to
     * C9_AUDIO_MIXER_NESTING levels it is heard; deeper, the voice at the limit stops. */
    int16_t s[2] = {1000, 2000};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    c9_audio_raw_init(&r, s, sizeof s, &f, true);
    enum { N = C9_AUDIO_MIXER_NESTING + 3 };
    mixer_t *chain = test_malloc(N * sizeof *chain);
    for (int depth = 2; depth <= N; depth++) {
        for (int i = 0; i < depth; i++) {
            mixer_make(&chain[i], 16, 1, true, 16);
        }
        for (int i = 0; i + 1 < depth; i++) {
            assert_int_equal(c9_audio_mixer_play(&chain[i].m, 0, &chain[i + 1].m.base, true), C9_OK);
        }
        assert_int_equal(c9_audio_mixer_play(&chain[depth - 1].m, 0, &r.base, true), C9_OK);
        /* each level took its first buffer (silence) when it started: the sample reaches the top
         * after one buffer per level */
        for (int i = 0; i < depth; i++) {
            assert_int_equal(chain[0].m.base.ops->get_buffer(&chain[0].m.base, &d, &len), C9_AUDIO_MORE);
        }
        int16_t got = (int16_t)(d[0] | d[1] << 8);
        if (depth - 1 <= C9_AUDIO_MIXER_NESTING) {
            int32_t want = s[0];
            for (int i = 0; i < depth; i++) {
                want = ref_scale(want, 1.0);
            }
            assert_int_equal(got, want);
        } else {
            assert_int_equal(got, 0);
            assert_null(chain[C9_AUDIO_MIXER_NESTING].voices[0].sample);
        }
    }
    test_free(chain);
    /* a deinitialised sample stops its voice without being read */
    mixer_t my;
    mixer_make(&my, 16, 1, true, 16);
    c9_audio_mixer_play(&my.m, 2, &r.base, true);
    c9_audio_sample_deinit(&r.base);
    my.m.base.ops->get_buffer(&my.m.base, &d, &len);
    assert_null(my.voices[2].sample);
}

/* ---- conversion and the player --------------------------------------------------------------- */

static const c9_audio_out_format_t PWM10 = {.channels = 1,
                                            .bits = 10,
                                            .is_signed = false,
                                            .conversion = C9_AUDIO_CONVERT_DMA,
                                            .idle = 512,
                                            .pause_holds = true};
static const c9_audio_out_format_t I2S_DMA = {
    .channels = 2, .bits = 16, .is_signed = true, .conversion = C9_AUDIO_CONVERT_DMA};
static const c9_audio_out_format_t I2S_SHIFT = {
    .channels = 2, .bits = 16, .is_signed = true, .conversion = C9_AUDIO_CONVERT_SHIFT};

static void test_convert(void **state) {
    (void)state;
    uint16_t v[8];
    c9_audio_format_t s16 = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    int16_t x[4] = {-32768, -1, 0, 32767};
    assert_int_equal(c9_audio_convert(&s16, (const uint8_t *)x, 4, &PWM10, v), C9_OK);
    /* (x + 0x8000) >> 6 */
    assert_int_equal(v[0], 0);
    assert_int_equal(v[1], 511);
    assert_int_equal(v[2], 512);
    assert_int_equal(v[3], 1023);
    c9_audio_format_t u8 = {.sample_rate = 8000, .bits = 8, .channels = 1, .is_signed = false};
    uint8_t b[4] = {0, 1, 128, 255};
    c9_audio_convert(&u8, b, 4, &PWM10, v); /* times 1023 / 255 = 4 */
    assert_int_equal(v[0], 0);
    assert_int_equal(v[1], 4);
    assert_int_equal(v[2], 512);
    assert_int_equal(v[3], 1020);
    /* 8-bit to a 16-bit I2S: the RP2040's scale (x 257 - 32768) or the ESP32's shift */
    c9_audio_convert(&u8, b, 2, &I2S_DMA, v);
    assert_int_equal((int16_t)v[0], -32768);
    assert_int_equal((int16_t)v[2], 257 - 32768);
    assert_int_equal((int16_t)v[1], -32768); /* mono goes to both channels */
    c9_audio_convert(&u8, b + 2, 2, &I2S_DMA, v);
    assert_int_equal((int16_t)v[2], 32767);
    c9_audio_convert(&u8, b, 4, &I2S_SHIFT, v);
    assert_int_equal((int16_t)v[0], -32768);
    assert_int_equal((int16_t)v[2], -32512);
    assert_int_equal((int16_t)v[6], 32512);
    c9_audio_format_t s8 = {.sample_rate = 8000, .bits = 8, .channels = 1, .is_signed = true};
    uint8_t sb[2] = {0x80, 0xFF};
    c9_audio_convert(&s8, sb, 2, &I2S_DMA, v);
    assert_int_equal((int16_t)v[0], -32640); /* the byte times 257 */
    assert_int_equal((int16_t)v[2], -1);
    c9_audio_convert(&s8, sb, 2, &I2S_SHIFT, v);
    assert_int_equal((int16_t)v[0], -32768);
    assert_int_equal((int16_t)v[2], -256);
    /* stereo to a mono output: the left channel */
    c9_audio_format_t st = {.sample_rate = 8000, .bits = 16, .channels = 2, .is_signed = false};
    uint16_t lr[4] = {0x1000, 0xF000, 0x8000, 0x0000};
    c9_audio_convert(&st, (const uint8_t *)lr, 2, &PWM10, v);
    assert_int_equal(v[0], 0x1000 >> 6);
    assert_int_equal(v[1], 0x8000 >> 6);
    /* 16-bit samples cannot go to an 8-bit output of the DMA path */
    c9_audio_out_format_t o8 = {.channels = 1, .bits = 8, .conversion = C9_AUDIO_CONVERT_DMA};
    assert_int_equal(c9_audio_convert(&s16, (const uint8_t *)x, 1, &o8, v), C9_ERR_AUDIO_CONVERSION);
    /* values as 16-bit PCM and back */
    for (unsigned lvl = 0; lvl < 1024; lvl++) {
        int16_t pcm = c9_audio_value_pcm16(&PWM10, (uint16_t)lvl);
        assert_int_equal((pcm + 32768) >> 6, lvl);
    }
    assert_int_equal(c9_audio_value_pcm16(&I2S_DMA, (uint16_t)-5), -5);
}

typedef struct {
    c9_audio_player_t p;
    uint16_t mem[4096];
    uint16_t out[4096];
} player_t;

static void test_player_loop_and_stop(void **state) {
    (void)state;
    player_t *pl = test_malloc(sizeof *pl);
    int16_t s[5] = {-32768, -16384, 0, 16384, 32767};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    c9_audio_raw_init(&r, s, sizeof s, &f, true);
    c9_audio_player_init(&pl->p, &PWM10);
    c9_audio_player_render(&pl->p, pl->out, 3);
    assert_int_equal(pl->out[2], 512); /* idle: the quiescent level */
    assert_int_equal(c9_audio_player_memory(&PWM10, &r.base), 5);
    assert_int_equal(c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 4), C9_ERR_NOMEM);
    assert_int_equal(c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 5), C9_OK);
    c9_audio_player_render(&pl->p, pl->out, 23);
    for (int i = 0; i < 23; i++) {
        assert_int_equal(pl->out[i], (uint16_t)(s[i % 5] + 32768) >> 6);
    }
    /* a single buffer loops its converted copy: writing the sample now changes nothing */
    s[3] = 0;
    assert_int_equal(c9_audio_player_frames_to_event(&pl->p), 2);
    c9_audio_player_render(&pl->p, pl->out, 2);
    assert_int_equal(pl->out[0], (uint16_t)(16384 + 32768) >> 6);
    /* stop at frame 25 exactly: idle from the next frame */
    c9_audio_player_stop(&pl->p);
    assert_false(c9_audio_player_playing(&pl->p));
    c9_audio_player_render(&pl->p, pl->out, 2);
    assert_int_equal(pl->out[0], 512);
    /* not looped: 5 frames, then idle, and the player says so as the last frame goes */
    c9_audio_player_play(&pl->p, &PWM10, &r.base, false, pl->mem, 5);
    c9_audio_player_render(&pl->p, pl->out, 4);
    assert_true(c9_audio_player_playing(&pl->p));
    c9_audio_player_render(&pl->p, pl->out + 4, 1);
    assert_false(c9_audio_player_playing(&pl->p));
    c9_audio_player_render(&pl->p, pl->out + 5, 3);
    assert_int_equal(pl->out[4], (uint16_t)(32767 + 32768) >> 6);
    assert_int_equal(pl->out[5], 512);
    test_free(pl);
}

static void test_player_pause(void **state) {
    (void)state;
    player_t *pl = test_malloc(sizeof *pl);
    int16_t s[6] = {100, 200, 300, 400, 500, 600};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    c9_audio_raw_init(&r, s, sizeof s, &f, true);
    /* PWM: a paused output holds its last value */
    c9_audio_player_init(&pl->p, &PWM10);
    c9_audio_player_play(&pl->p, &PWM10, &r.base, false, pl->mem, 6);
    c9_audio_player_render(&pl->p, pl->out, 2);
    c9_audio_player_pause(&pl->p);
    assert_true(c9_audio_player_paused(&pl->p));
    assert_true(c9_audio_player_playing(&pl->p));
    assert_int_equal(c9_audio_player_frames_to_event(&pl->p), 0);
    c9_audio_player_render(&pl->p, pl->out, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pl->out[i], (uint16_t)(200 + 32768) >> 6);
    }
    c9_audio_player_resume(&pl->p);
    c9_audio_player_render(&pl->p, pl->out, 5);
    assert_int_equal(pl->out[0], (uint16_t)(300 + 32768) >> 6);
    assert_int_equal(pl->out[3], (uint16_t)(600 + 32768) >> 6);
    assert_int_equal(pl->out[4], 512);
    /* I2S: paused is silence, and pause does nothing when stopped */
    c9_audio_player_init(&pl->p, &I2S_DMA);
    c9_audio_player_play(&pl->p, &I2S_DMA, &r.base, true, pl->mem, 12);
    c9_audio_player_render(&pl->p, pl->out, 1);
    c9_audio_player_pause(&pl->p);
    c9_audio_player_render(&pl->p, pl->out, 2);
    assert_int_equal(pl->out[0], 0);
    assert_int_equal(pl->out[3], 0);
    c9_audio_player_stop(&pl->p);
    c9_audio_player_pause(&pl->p);
    assert_false(c9_audio_player_paused(&pl->p));
    test_free(pl);
}

static void test_player_fetch_timing(void **state) {
    (void)state;
    /* A WaveFile of 10 buffers of 4 frames: two buffers are taken at play(), then one each time
     * a block ends (the DMA refills the block it finished while it plays the other). */
    player_t *pl = test_malloc(sizeof *pl);
    file_t *fl = test_malloc(sizeof *fl);
    pcm_file(fl, 1, 16, 8000, 40, 0);
    uint8_t mem[16];
    c9_audio_wave_t w;
    assert_int_equal(c9_audio_wave_init(&w, mem_read, fl, mem, sizeof mem), C9_OK);
    c9_audio_player_init(&pl->p, &I2S_SHIFT);
    assert_int_equal(c9_audio_player_play(&pl->p, &I2S_SHIFT, &w.base, false, pl->mem, 4096), C9_OK);
    assert_int_equal(pl->p.fetches, 2);
    assert_int_equal(c9_audio_player_frames_to_event(&pl->p), 4);
    c9_audio_player_render(&pl->p, pl->out, 3);
    assert_int_equal(pl->p.fetches, 2);
    c9_audio_player_render(&pl->p, pl->out, 1);
    assert_int_equal(pl->p.fetches, 3);
    assert_int_equal(c9_audio_player_frames_to_event(&pl->p), 4);
    c9_audio_player_render(&pl->p, pl->out, 4 * 7);
    assert_int_equal(pl->p.fetches, 10);
    assert_true(c9_audio_player_playing(&pl->p));
    c9_audio_player_render(&pl->p, pl->out, 8);
    assert_false(c9_audio_player_playing(&pl->p));
    /* every frame came out once, in order, duplicated to both channels */
    c9_audio_player_play(&pl->p, &I2S_SHIFT, &w.base, true, pl->mem, 4096);
    c9_audio_player_render(&pl->p, pl->out, 100);
    for (int i = 0; i < 100; i++) {
        int n = i % 40;
        int16_t want = (int16_t)((2 * n) | (2 * n + 1) << 8);
        assert_int_equal((int16_t)pl->out[2 * i], want);
        assert_int_equal((int16_t)pl->out[2 * i + 1], want);
    }
    /* a read error stops playback when the block it would have filled is refilled */
    fl->fail_at = 44 + 16 + 4;
    c9_audio_player_play(&pl->p, &I2S_SHIFT, &w.base, false, pl->mem, 4096);
    c9_audio_player_render(&pl->p, pl->out, 3);
    assert_true(c9_audio_player_playing(&pl->p));
    c9_audio_player_render(&pl->p, pl->out, 1);
    assert_false(c9_audio_player_playing(&pl->p));
    test_free(fl);
    test_free(pl);
}

static void test_player_double_buffer(void **state) {
    (void)state;
    /* A double-buffered RawSample: a write to one half is heard the next time that half is
     * taken, which is when the block before it ends. */
    player_t *pl = test_malloc(sizeof *pl);
    int16_t s[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    c9_audio_raw_init(&r, s, sizeof s, &f, false);
    c9_audio_out_format_t o = I2S_DMA;
    o.channels = 1;
    c9_audio_player_init(&pl->p, &o);
    c9_audio_player_play(&pl->p, &o, &r.base, true, pl->mem, 4096);
    c9_audio_player_render(&pl->p, pl->out, 2);
    s[0] = 100; /* half 0 was taken at play(); it is taken again when half 1 starts */
    s[5] = 500; /* half 1 was taken at play() too: this is heard on its second round */
    c9_audio_player_render(&pl->p, pl->out + 2, 14);
    static const int16_t want[16] = {0, 1, 2, 3, 4, 5, 6, 7, 100, 1, 2, 3, 4, 500, 6, 7};
    for (int i = 0; i < 16; i++) {
        assert_int_equal((int16_t)pl->out[i], want[i]);
    }
    /* not looped, both halves play once */
    s[0] = 0;
    c9_audio_player_play(&pl->p, &o, &r.base, false, pl->mem, 4096);
    c9_audio_player_render(&pl->p, pl->out, 10);
    assert_int_equal((int16_t)pl->out[7], 7);
    assert_int_equal((int16_t)pl->out[8], 0);
    assert_false(c9_audio_player_playing(&pl->p));
    test_free(pl);
}

static void test_player_mixer_and_edges(void **state) {
    (void)state;
    player_t *pl = test_malloc(sizeof *pl);
    /* an empty looped sample ends at once instead of spinning */
    int16_t s[4] = {1, 2, 3, 4};
    c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
    c9_audio_raw_t r;
    c9_audio_raw_init(&r, s, 0, &f, true);
    c9_audio_player_init(&pl->p, &PWM10);
    assert_int_equal(c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 4096), C9_OK);
    assert_false(c9_audio_player_playing(&pl->p));
    c9_audio_raw_init(&r, s, 0, &f, false);
    c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 4096);
    assert_false(c9_audio_player_playing(&pl->p));
    /* a deinitialised sample cannot start, and one deinitialised while playing stops */
    c9_audio_raw_init(&r, s, sizeof s, &f, false);
    c9_audio_sample_deinit(&r.base);
    assert_int_equal(c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 4096), C9_ERR_INVAL);
    c9_audio_raw_init(&r, s, sizeof s, &f, false);
    c9_audio_player_play(&pl->p, &PWM10, &r.base, true, pl->mem, 4096);
    c9_audio_sample_deinit(&r.base);
    c9_audio_player_render(&pl->p, pl->out, 10);
    assert_false(c9_audio_player_playing(&pl->p));
    assert_int_equal(pl->out[9], 512);
    /* a mixer never ends: it plays silence until stopped */
    mixer_t mx;
    mixer_make(&mx, 16, 1, true, 16);
    c9_audio_raw_init(&r, s, sizeof s, &f, true);
    c9_audio_player_play(&pl->p, &PWM10, &mx.m.base, false, pl->mem, 4096);
    c9_audio_mixer_play(&mx.m, 0, &r.base, false);
    c9_audio_player_render(&pl->p, pl->out, 64);
    assert_true(c9_audio_player_playing(&pl->p));
    /* the mixer's first two buffers were taken at play() (silence); the voice is heard from the
     * third buffer, frame 8 */
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pl->out[i], 512);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pl->out[8 + i], (uint16_t)(ref_scale(s[i], 1.0) + 32768) >> 6);
    }
    assert_int_equal(pl->out[12], 512);
    test_free(pl);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wav_pcm_kinds),
        cmocka_unit_test(test_wav_fmt_sizes_and_extensible),
        cmocka_unit_test(test_wav_unsupported),
        cmocka_unit_test(test_wav_chunks),
        cmocka_unit_test(test_wav_header_round_trip),
        cmocka_unit_test(test_wave_buffers),
        cmocka_unit_test(test_raw_buffers),
        cmocka_unit_test(test_scale_values),
        cmocka_unit_test(test_mixer_16bit),
        cmocka_unit_test(test_mixer_saturation_order),
        cmocka_unit_test(test_mixer_8bit_unsigned_stereo),
        cmocka_unit_test(test_mixer_unsigned16_and_end),
        cmocka_unit_test(test_mixer_nesting),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_player_loop_and_stop),
        cmocka_unit_test(test_player_pause),
        cmocka_unit_test(test_player_fetch_timing),
        cmocka_unit_test(test_player_double_buffer),
        cmocka_unit_test(test_player_mixer_and_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
