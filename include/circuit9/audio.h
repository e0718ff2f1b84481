/*
 * circuit9 audio core: CircuitPython 9's audio samples, mixer and output stream, in portable C.
 *
 * What audiocore, audiomixer, audiopwmio and audiobusio do that is not Python glue lives here:
 *
 *  - samples (c9_audio_sample_t): anything that hands out buffers of PCM frames the way
 *    CircuitPython's audiosample protocol does (reset, get_buffer -> more / done / error).
 *    c9_audio_raw_t is audiocore.RawSample (frames in caller memory), c9_audio_wave_t is
 *    audiocore.WaveFile (a RIFF/WAVE file read through a callback), c9_audio_mixer_t is
 *    audiomixer.Mixer (itself a sample);
 *  - c9_wav_parse(): the WAV header parser, with CircuitPython 9.2.9's checks and messages;
 *  - the mixer: CircuitPython's mixing arithmetic, bit for bit (docs/audio.md, "Mixing");
 *  - the player (c9_audio_player_t): an output's DMA, pulling buffers from a sample into two
 *    blocks converted to the output's format, with looping, pause and stop, producing the exact
 *    stream of values the output is driven with, frame by frame;
 *  - the WAV header writer the virtual board's recorder uses.
 *
 *     c9_audio_raw_t tone;
 *     c9_audio_format_t f = {.sample_rate = 8000, .bits = 16, .channels = 1, .is_signed = true};
 *     c9_audio_raw_init(&tone, samples, sizeof samples, &f, true);
 *     c9_audio_out_format_t out = {.channels = 1, .bits = 10, .conversion = C9_AUDIO_CONVERT_DMA,
 *                                  .idle = 512, .pause_holds = true};
 *     c9_audio_player_t p;
 *     c9_audio_player_init(&p, &out);
 *     uint16_t *blocks = malloc(c9_audio_player_memory(&out, &tone.base) * sizeof(uint16_t));
 *     c9_audio_player_play(&p, &out, &tone.base, true, blocks, c9_audio_player_memory(&out, &tone.base));
 *     c9_audio_player_render(&p, values, 256);   // 256 frames of 10-bit PWM levels
 *
 * Nothing here allocates, includes an OS header or keeps global state; memory comes from the
 * caller (sizes from the *_memory / *_buffer_length queries). One object is used by one thread
 * at a time. Frames are interleaved (left, right); 16-bit samples are little-endian.
 */
#ifndef CIRCUIT9_AUDIO_H
#define CIRCUIT9_AUDIO_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: the audio band of common.h's table (C9_ERR_WAV_*, C9_ERR_AUDIO_*); c9_strerror() gives
 * their texts, CircuitPython's where it has one. */

/* ---- samples ----------------------------------------------------------------------------------- */

typedef struct c9_audio_format {
    uint32_t sample_rate; /* frames per second */
    uint8_t bits;         /* 8 or 16 */
    uint8_t channels;     /* 1 or 2; 0 marks a deinitialised sample, which plays nothing */
    bool is_signed;       /* 8-bit WAV is unsigned, 16-bit signed; RawSample follows its typecode */
} c9_audio_format_t;

/* Bytes of one frame: bits / 8 * channels. */
static inline size_t c9_audio_frame_bytes(const c9_audio_format_t *f) {
    return (size_t)(f->bits / 8) * f->channels;
}

typedef enum c9_audio_result {
    C9_AUDIO_MORE = 0,  /* more buffers follow */
    C9_AUDIO_DONE = 1,  /* this was the last buffer (a loop resets and asks again) */
    C9_AUDIO_ERROR = 2, /* the source failed (a file read); playback stops */
} c9_audio_result_t;

typedef struct c9_audio_sample c9_audio_sample_t;

typedef struct c9_audio_sample_ops {
    /* Back to the first frame. */
    void (*reset)(c9_audio_sample_t *s);
    /* The next buffer: *len bytes of whole frames at *data (*len may be 0 with DONE). The buffer
     * stays valid until get_buffer has been called twice more (samples double-buffer), or for as
     * long as the sample lives when single_buffer. */
    c9_audio_result_t (*get_buffer)(c9_audio_sample_t *s, const uint8_t **data, size_t *len);
} c9_audio_sample_ops_t;

struct c9_audio_sample {
    const c9_audio_sample_ops_t *ops;
    c9_audio_format_t format;
    bool single_buffer;       /* one buffer that is the whole sample (an output loops its copy) */
    size_t max_buffer_length; /* the largest *len get_buffer gives, in bytes */
};

/* Marks a sample deinitialised (format.channels = 0): players and mixer voices using it stop
 * at their next buffer, and never read its memory again. */
void c9_audio_sample_deinit(c9_audio_sample_t *s);

/* Whether `sample` may play on a voice of a mixer with format `mixer` (CircuitPython's
 * audiosample_must_match, checked in its order).
 * @retval C9_OK
 * @retval C9_ERR_AUDIO_RATE_MISMATCH, _CHANNELS_MISMATCH, _BITS_MISMATCH, _SIGN_MISMATCH */
c9_err_t c9_audio_must_match(const c9_audio_format_t *mixer, const c9_audio_format_t *sample);

/* ---- RawSample ----------------------------------------------------------------------------------- */

typedef struct c9_audio_raw {
    c9_audio_sample_t base;
    const uint8_t *data;
    size_t len;        /* bytes, whole frames */
    uint8_t next_half; /* double-buffered: the half get_buffer gives next */
} c9_audio_raw_t;

/* A sample of the frames at data (caller memory, read when buffers are taken, so writes to it
 * reach later buffers). Single-buffered: one buffer of every whole frame (a trailing partial
 * frame is ignored). Double-buffered: the two halves, the first reported MORE and the second
 * DONE, so changes to one half are heard when the other is playing.
 * @retval C9_OK
 * @retval C9_ERR_INVAL            bits not 8/16, channels not 1/2
 * @retval C9_ERR_AUDIO_RAW_LENGTH double-buffered and len is not a multiple of 2 frames
 *                                 ("Length of buffer must be an even multiple of channel_count * type_size") */
c9_err_t c9_audio_raw_init(c9_audio_raw_t *r, const void *data, size_t len, const c9_audio_format_t *format,
                           bool single_buffer);

/* ---- WAV files ---------------------------------------------------------------------------------- */

/* Reads len bytes at offset of the file into buf; *got is less than len only at the end of the
 * file. C9_OK or an error (which the caller reports as C9_ERR_IO). */
typedef c9_err_t (*c9_audio_read_fn)(void *ctx, uint64_t offset, void *buf, size_t len, size_t *got);

typedef struct c9_wav_info {
    c9_audio_format_t format;
    uint16_t format_tag;  /* 1 PCM, 0xFFFE WAVE_FORMAT_EXTENSIBLE */
    uint32_t fmt_size;    /* 16, 18, 40 or another size in 16..40 */
    uint64_t data_offset; /* where the data chunk's frames start */
    uint32_t data_length; /* bytes the data chunk says it holds */
} c9_wav_info_t;

/*
 * Parses a WAV file's header as CircuitPython 9.2.9's WaveFile does: "RIFF", a size, "WAVE",
 * then the "fmt " chunk first; chunks after it are skipped (odd-sized ones with their pad byte)
 * until "data". Accepted: PCM (tag 1, fmt chunk of 16 bytes, 18 with no extra bytes, or any size
 * up to 40) and WAVE_FORMAT_EXTENSIBLE (40 bytes, PCM subformat, valid bits = bits), 8-bit or
 * 16-bit, 1 or 2 channels. 8-bit samples are unsigned, 16-bit signed.
 * @retval C9_OK
 * @retval C9_ERR_WAV_FILE       not RIFF/WAVE or the fmt chunk is not first
 * @retval C9_ERR_WAV_FMT_SIZE   fmt chunk size under 16 or over 40
 * @retval C9_ERR_WAV_FORMAT     another format
 * @retval C9_ERR_WAV_TRUNCATED  the file ends in the fmt chunk or before a data chunk
 * @retval C9_ERR_IO             read failed
 */
c9_err_t c9_wav_parse(c9_audio_read_fn read, void *ctx, c9_wav_info_t *info);

typedef struct c9_audio_wave {
    c9_audio_sample_t base;
    c9_wav_info_t info;
    c9_audio_read_fn read;
    void *ctx;
    uint8_t *buffer[2];
    size_t half;     /* bytes per buffer (whole frames) */
    uint32_t length; /* data bytes to play: data_length rounded down to whole frames */
    uint32_t pos;    /* data bytes handed out since the last reset */
    uint8_t next;    /* the buffer get_buffer fills next */
} c9_audio_wave_t;

/* Bytes of buffer memory a WaveFile gets when the program gives none (two buffers of 256). */
#define C9_AUDIO_WAVE_DEFAULT_BUFFER 512

/* Parses the file (c9_wav_parse) and makes it a sample reading through read/ctx into `buffer`,
 * split in two halves (each rounded down to whole frames, at least one). The file must stay
 * readable while the sample is used. A data chunk longer than the file plays what the file has.
 * @retval C9_OK, and c9_wav_parse's errors
 * @retval C9_ERR_INVAL  a half of buffer_size holds no frame */
c9_err_t c9_audio_wave_init(c9_audio_wave_t *w, c9_audio_read_fn read, void *ctx, uint8_t *buffer, size_t buffer_size);

/* A canonical 44-byte PCM WAV header for data_bytes of frames (what a recorder writes first and
 * rewrites when it knows the size). */
#define C9_WAV_HEADER_SIZE 44
void c9_wav_header(uint8_t out[C9_WAV_HEADER_SIZE], uint32_t sample_rate, uint8_t channels, uint8_t bits,
                   uint32_t data_bytes);

/* ---- Mixer ---------------------------------------------------------------------------------------- */

typedef struct c9_audio_voice {
    c9_audio_sample_t *sample; /* NULL: not playing */
    const uint8_t *data;       /* the rest of the current buffer */
    size_t frames;             /* frames left in it */
    float level;               /* as set; mixed at c9_audio_level_q15(level) */
    bool loop;
    bool more;       /* the sample has buffers after the current one */
    bool got_frames; /* a frame came since the last reset (a looped empty sample stops) */
} c9_audio_voice_t;

typedef struct c9_audio_mixer {
    c9_audio_sample_t base;
    c9_audio_voice_t *voices;
    uint8_t voice_count;
    uint8_t *buffer[2];
    size_t len;     /* bytes per buffer */
    uint8_t next;   /* the buffer the next get_buffer renders */
    bool rendering; /* a mixer met inside itself stops that voice */
} c9_audio_mixer_t;

/* Voices nest mixers at most C9_AUDIO_MIXER_NESTING deep (config.h); a deeper voice, or a mixer
 * met inside itself, stops at its first buffer. */

/* Bytes of each of the mixer's two buffers for CircuitPython's buffer_size: half of it, rounded
 * down to a multiple of 4. */
size_t c9_audio_mixer_buffer_length(uint32_t buffer_size);

/* A mixer of voice_count voices (voices: caller memory) with two buffers of
 * c9_audio_mixer_buffer_length(buffer_size) bytes at memory. Voices start silent at level 1.0.
 * @retval C9_OK
 * @retval C9_ERR_INVAL  no voices, bits not 8/16, channels not 1/2, or buffers shorter than 4 bytes */
c9_err_t c9_audio_mixer_init(c9_audio_mixer_t *m, const c9_audio_format_t *format, c9_audio_voice_t *voices,
                             uint8_t voice_count, uint8_t *memory, uint32_t buffer_size);

/* Starts `sample` on a voice (MixerVoice.play): checks the formats match, resets the sample and
 * takes its first buffer now, as CircuitPython does.
 * @retval C9_OK
 * @retval C9_ERR_AUDIO_*_MISMATCH  (c9_audio_must_match)
 * @retval C9_ERR_INVAL             no such voice */
c9_err_t c9_audio_mixer_play(c9_audio_mixer_t *m, uint8_t voice, c9_audio_sample_t *sample, bool loop);
void c9_audio_mixer_stop(c9_audio_mixer_t *m, uint8_t voice);
/* Whether any voice has a sample (Mixer.playing). */
bool c9_audio_mixer_playing(const c9_audio_mixer_t *m);

/* A voice level as the mixer applies it: clamped to 0..1 (NaN is 0), times 32768, truncated. */
uint16_t c9_audio_level_q15(float level);
/* One 16-bit sample scaled by a level as CircuitPython's mixer does (float arithmetic, truncated,
 * saturated to 16 bits). */
int16_t c9_audio_scale(int16_t sample, uint16_t level_q15);

/* ---- output stream ------------------------------------------------------------------------------ */

/* How 8-bit and 16-bit samples become an output's values (docs/audio.md). */
typedef enum c9_audio_conversion {
    /* The DMA conversion of CircuitPython's RP2040 and SAMD ports (audio_dma.c): 8-bit samples
     * are scaled by (2^bits - 1) / 255, 16-bit ones shifted down to the output's bits. */
    C9_AUDIO_CONVERT_DMA = 0,
    /* audiocore's converters (ESP32 I2S): to signed 16 bits by shifting 8-bit samples up 8. */
    C9_AUDIO_CONVERT_SHIFT = 1,
} c9_audio_conversion_t;

/* The values an output is driven with. */
typedef struct c9_audio_out_format {
    uint8_t channels;   /* 1 or 2 */
    uint8_t bits;       /* 8..16: the resolution of each value */
    bool is_signed;     /* two's complement values (I2S) or 0..2^bits-1 (PWM levels) */
    uint8_t conversion; /* c9_audio_conversion_t */
    uint16_t idle;      /* the value while stopped (PWM: the quiescent level; I2S: 0) */
    bool pause_holds;   /* paused, the output keeps its last value (PWM) instead of idle */
} c9_audio_out_format_t;

/* Converts frames of format `in` to output values (out->channels per frame): a mono sample
 * goes to both channels of a stereo output, a stereo sample's left channel to a mono output.
 * @retval C9_OK
 * @retval C9_ERR_AUDIO_CONVERSION  16-bit samples to an output of 8 bits or fewer
 * @retval C9_ERR_INVAL             a format out of range */
c9_err_t c9_audio_convert(const c9_audio_format_t *in, const uint8_t *data, size_t frames,
                          const c9_audio_out_format_t *out, uint16_t *values);

/* An output value as a 16-bit signed PCM sample: the value in the top `bits` bits, unsigned
 * values offset by -32768. Exact both ways: value = (pcm + 32768) >> (16 - bits) for an unsigned
 * output, pcm >> (16 - bits) for a signed one. */
int16_t c9_audio_value_pcm16(const c9_audio_out_format_t *out, uint16_t value);

typedef enum c9_audio_player_state {
    C9_AUDIO_STOPPED = 0,
    C9_AUDIO_PLAYING = 1,
    C9_AUDIO_PAUSED = 2,
} c9_audio_player_state_t;

typedef struct c9_audio_player {
    c9_audio_out_format_t out;
    c9_audio_sample_t *sample;
    uint8_t state; /* c9_audio_player_state_t */
    bool loop;
    bool single;      /* one block that loops without being fetched again */
    bool source_done; /* the sample said DONE and does not loop: nothing more to fetch */
    bool got_frames;  /* frames came since the last reset */
    uint16_t *block[2];
    size_t capacity; /* frames per block */
    size_t count[2]; /* frames in each block; 0: empty */
    uint8_t cur;     /* the block playing */
    size_t pos;      /* frames of it played */
    uint16_t last[2];
    uint64_t fetches; /* buffers taken from the sample since play */
} c9_audio_player_t;

/* A stopped player for this output (its idle value is what render gives). */
void c9_audio_player_init(c9_audio_player_t *p, const c9_audio_out_format_t *out);

/* uint16_t values of block memory c9_audio_player_play needs for this sample on this output:
 * two blocks of the sample's largest buffer converted (one for a single-buffered sample). */
size_t c9_audio_player_memory(const c9_audio_out_format_t *out, const c9_audio_sample_t *sample);

/* Starts playing (PWMAudioOut.play, I2SOut.play) on an output of format `out`: resets the sample
 * and takes its first two buffers now, as CircuitPython's DMA set-up does. A sample that plays
 * already is stopped first. Playback ends after the sample's last buffer unless loop; a looped
 * sample that gives no frame at all ends at once.
 * @retval C9_OK
 * @retval C9_ERR_NOMEM            memory_values below c9_audio_player_memory()
 * @retval C9_ERR_AUDIO_CONVERSION the output cannot take these samples
 * @retval C9_ERR_INVAL            a deinitialised sample or a format out of range */
c9_err_t c9_audio_player_play(c9_audio_player_t *p, const c9_audio_out_format_t *out, c9_audio_sample_t *sample,
                              bool loop, uint16_t *memory, size_t memory_values);

/* The next `frames` frames the output is driven with (out.channels values each). Playing, each
 * block is fetched again from the sample when the block after it starts (the DMA refills the
 * buffer it finished); stopped, the idle value; paused, the last value or idle. */
void c9_audio_player_render(c9_audio_player_t *p, uint16_t *values, size_t frames);

/* Ends playback at once (the output goes idle). */
void c9_audio_player_stop(c9_audio_player_t *p);
/* Pause keeps the position; resume continues from it. No effect unless playing / paused. */
void c9_audio_player_pause(c9_audio_player_t *p);
void c9_audio_player_resume(c9_audio_player_t *p);
/* Playing or paused (the output's `playing`). */
bool c9_audio_player_playing(const c9_audio_player_t *p);
bool c9_audio_player_paused(const c9_audio_player_t *p);
/* Frames until the current block ends, the next moment the player's state can change; 0 when
 * stopped or paused. */
size_t c9_audio_player_frames_to_event(const c9_audio_player_t *p);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_AUDIO_H */
