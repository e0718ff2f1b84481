/* The sample protocol's common parts and audiocore.RawSample. */
#include "audio_internal.h"

void c9_audio_sample_deinit(c9_audio_sample_t *s) {
    s->format.channels = 0;
}

c9_err_t c9_audio_must_match(const c9_audio_format_t *mixer, const c9_audio_format_t *sample) {
    if (sample->sample_rate != mixer->sample_rate) {
        return C9_ERR_AUDIO_RATE_MISMATCH;
    }
    if (sample->channels != mixer->channels) {
        return C9_ERR_AUDIO_CHANNELS_MISMATCH;
    }
    if (sample->bits != mixer->bits) {
        return C9_ERR_AUDIO_BITS_MISMATCH;
    }
    if (sample->is_signed != mixer->is_signed) {
        return C9_ERR_AUDIO_SIGN_MISMATCH;
    }
    return C9_OK;
}

/* ---- RawSample ---------------------------------------------------------------------------------- */

static void raw_reset(c9_audio_sample_t *s) {
    ((c9_audio_raw_t *)s)->next_half = 0;
}

static c9_audio_result_t raw_get_buffer(c9_audio_sample_t *s, const uint8_t **data, size_t *len) {
    c9_audio_raw_t *r = (c9_audio_raw_t *)s;
    if (s->single_buffer) {
        *data = r->data;
        *len = r->len;
        return C9_AUDIO_DONE;
    }
    size_t half = r->len / 2;
    uint8_t h = r->next_half;
    r->next_half = (uint8_t)(h ^ 1);
    *data = r->data + half * h;
    *len = half;
    return h ? C9_AUDIO_DONE : C9_AUDIO_MORE;
}

static const c9_audio_sample_ops_t raw_ops = {raw_reset, raw_get_buffer};

c9_err_t c9_audio_raw_init(c9_audio_raw_t *r, const void *data, size_t len, const c9_audio_format_t *format,
                           bool single_buffer) {
    if (!format_ok(format)) {
        return C9_ERR_INVAL;
    }
    size_t fb = c9_audio_frame_bytes(format);
    if (!single_buffer && len % (2 * fb) != 0) {
        return C9_ERR_AUDIO_RAW_LENGTH;
    }
    r->base.ops = &raw_ops;
    r->base.format = *format;
    r->base.single_buffer = single_buffer;
    r->data = data;
    r->len = len - len % fb;
    r->base.max_buffer_length = single_buffer ? r->len : r->len / 2;
    r->next_half = 0;
    return C9_OK;
}
