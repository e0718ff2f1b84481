/* WAV files: the header parser (CircuitPython 9.2.9's WaveFile checks), audiocore.WaveFile's
 * double-buffered reader, and the header a recorder writes. */
#include "audio_internal.h"

#include <string.h>

/* The largest fmt chunk CircuitPython reads (its struct wave_format_chunk). */
#define FMT_MAX 40

static c9_err_t read_exact(c9_audio_read_fn read, void *ctx, uint64_t offset, void *buf, size_t len, size_t *got) {
    *got = 0;
    return read(ctx, offset, buf, len, got) != C9_OK ? C9_ERR_IO : C9_OK;
}

c9_err_t c9_wav_parse(c9_audio_read_fn read, void *ctx, c9_wav_info_t *info) {
    uint8_t head[16];
    size_t got;
    if (read_exact(read, ctx, 0, head, sizeof head, &got) != C9_OK) {
        return C9_ERR_IO;
    }
    if (got != sizeof head || memcmp(head, "RIFF", 4) != 0 || memcmp(head + 8, "WAVEfmt ", 8) != 0) {
        return C9_ERR_WAV_FILE;
    }
    uint8_t size_bytes[4];
    if (read_exact(read, ctx, 16, size_bytes, 4, &got) != C9_OK) {
        return C9_ERR_IO;
    }
    uint32_t fmt_size = rd32(size_bytes);
    /* CircuitPython reads a shorter chunk into uninitialised fields; under 16 bytes there is no
     * bits_per_sample at all, so such a chunk is refused here. */
    if (got != 4 || fmt_size > FMT_MAX || fmt_size < 16) {
        return C9_ERR_WAV_FMT_SIZE;
    }
    uint8_t fmt[FMT_MAX] = {0};
    if (read_exact(read, ctx, 20, fmt, fmt_size, &got) != C9_OK) {
        return C9_ERR_IO;
    }
    if (got != fmt_size) {
        return C9_ERR_WAV_TRUNCATED;
    }
    uint16_t tag = rd16(fmt), channels = rd16(fmt + 2), bits = rd16(fmt + 14);
    uint32_t rate = rd32(fmt + 4);
    uint16_t extra = rd16(fmt + 16), valid_bits = rd16(fmt + 18), sub_format = rd16(fmt + 24);
    /* CircuitPython's test, then what its players can actually play (it lets 0 channels and
     * 1..15-bit samples through, which play as noise or not at all). */
    if ((fmt_size != 40 && tag != 1) || channels > 2 || bits > 16 || (fmt_size == 18 && extra != 0) ||
        (fmt_size == 40 && (tag != 0xFFFE || sub_format != 1 || valid_bits != bits)) || channels == 0 ||
        (bits != 8 && bits != 16)) {
        return C9_ERR_WAV_FORMAT;
    }
    info->format.sample_rate = rate;
    info->format.channels = (uint8_t)channels;
    info->format.bits = (uint8_t)bits;
    info->format.is_signed = bits > 8;
    info->format_tag = tag;
    info->fmt_size = fmt_size;

    /* RIFF pads odd-sized chunks to an even length (CircuitPython forgets the pad byte). */
    uint64_t pos = 20 + (uint64_t)fmt_size + (fmt_size & 1u);
    for (;;) {
        uint8_t chunk[8];
        if (read_exact(read, ctx, pos, chunk, sizeof chunk, &got) != C9_OK) {
            return C9_ERR_IO;
        }
        if (got != sizeof chunk) {
            return C9_ERR_WAV_TRUNCATED;
        }
        uint32_t len = rd32(chunk + 4);
        if (memcmp(chunk, "data", 4) == 0) {
            info->data_offset = pos + 8;
            info->data_length = len;
            return C9_OK;
        }
        pos += 8 + (uint64_t)len + (len & 1u);
    }
}

static void wave_reset(c9_audio_sample_t *s) {
    ((c9_audio_wave_t *)s)->pos = 0;
}

static c9_audio_result_t wave_get_buffer(c9_audio_sample_t *s, const uint8_t **data, size_t *len) {
    c9_audio_wave_t *w = (c9_audio_wave_t *)s;
    uint8_t *buf = w->buffer[w->next];
    *data = buf;
    *len = 0;
    if (w->pos >= w->length) {
        return C9_AUDIO_DONE;
    }
    size_t want = C9_MIN(w->half, (size_t)(w->length - w->pos));
    size_t got = 0;
    if (w->read(w->ctx, w->info.data_offset + w->pos, buf, want, &got) != C9_OK || got > want) {
        return C9_AUDIO_ERROR;
    }
    got -= got % c9_audio_frame_bytes(&s->format);
    if (got < want) {
        /* The file is shorter than its data chunk says: what it has is the whole sample. */
        w->length = w->pos + (uint32_t)got;
    }
    w->pos += (uint32_t)got;
    w->next ^= 1;
    *len = got;
    return w->pos >= w->length ? C9_AUDIO_DONE : C9_AUDIO_MORE;
}

static const c9_audio_sample_ops_t wave_ops = {wave_reset, wave_get_buffer};

c9_err_t c9_audio_wave_init(c9_audio_wave_t *w, c9_audio_read_fn read, void *ctx, uint8_t *buffer, size_t buffer_size) {
    c9_wav_info_t info;
    c9_err_t err = c9_wav_parse(read, ctx, &info);
    if (err != C9_OK) {
        return err;
    }
    size_t fb = c9_audio_frame_bytes(&info.format);
    size_t half = buffer_size / 2;
    half -= half % fb;
    if (half == 0) {
        return C9_ERR_INVAL;
    }
    w->base.ops = &wave_ops;
    w->base.format = info.format;
    w->base.single_buffer = false;
    w->base.max_buffer_length = half;
    w->info = info;
    w->read = read;
    w->ctx = ctx;
    w->buffer[0] = buffer;
    w->buffer[1] = buffer + half;
    w->half = half;
    w->length = info.data_length - info.data_length % (uint32_t)fb;
    w->pos = 0;
    w->next = 0;
    return C9_OK;
}

void c9_wav_header(uint8_t out[C9_WAV_HEADER_SIZE], uint32_t sample_rate, uint8_t channels, uint8_t bits,
                   uint32_t data_bytes) {
    uint16_t block_align = (uint16_t)(channels * (bits / 8));
    memcpy(out, "RIFF", 4);
    wr32(out + 4, 36 + data_bytes);
    memcpy(out + 8, "WAVEfmt ", 8);
    wr32(out + 16, 16);
    wr16(out + 20, 1);
    wr16(out + 22, channels);
    wr32(out + 24, sample_rate);
    wr32(out + 28, sample_rate * block_align);
    wr16(out + 32, block_align);
    wr16(out + 34, bits);
    memcpy(out + 36, "data", 4);
    wr32(out + 40, data_bytes);
}
