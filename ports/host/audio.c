/* The virtual board's audio outputs (port.h's audio section): each takes frames as the board's
 * clock passes one frame period each, and plays them through SDL2 audio or records them to WAV
 * files (`circuit9 run --audio-out FILE.wav`).
 *
 * Outputs behave as the board's: PWMAudioOut is the RP2040's (10-bit levels 0..1023 from the
 * DMA's conversion, stereo pins on one PWM slice), I2SOut is 16-bit signed stereo, converted as
 * the RP2040 and SAMD ports do, or as audiocore's converters do on an ESP32. docs/audio.md has
 * what a recording holds. */
#define _GNU_SOURCE
#include "vpanel_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef C9_HAVE_SDL2
#include <SDL.h>
#endif

/* A WAV file's sizes are 32-bit: a recording stops short of 4 GiB. */
#define WAV_MAX_DATA (0xFFFFFFFFu - 64u)
/* How far ahead of the board's clock frames are queued to the speakers, so that the sound does
 * not break up between the runtime's background calls. */
#define SDL_LEAD_NS 60000000u
#define SDL_MAX_QUEUED_NS 500000000u
/* The RP2040's PWM audio: 10-bit levels (PWM_TOP 1023). */
#define PWM_BITS 10

struct c9_port_audio {
    c9_port_audio_config_t cfg;
    int slice; /* RP2040 PWM slice, -1 elsewhere */
    bool started;
    uint32_t rate;
    c9_audio_out_format_t fmt;
    uint64_t t0;      /* board time the stream started */
    uint64_t written; /* frames since */
    FILE *file;
    char *path;
    uint64_t data_bytes;
    bool file_full;
#ifdef C9_HAVE_SDL2
    SDL_AudioDeviceID sdl;
#endif
    struct c9_port_audio *next;
};

static struct c9_port_audio *outputs;
static char *record_path;
static unsigned streams;
static bool atexit_set;

void c9_host_audio_record(const char *path) {
    free(record_path);
    record_path = path ? strdup(path) : NULL;
    streams = 0;
}

/* "out.wav", "out-2.wav", "out-3.wav", ...: the n-th stream any output started. */
static char *stream_path(unsigned n) {
    if (n == 1) {
        return strdup(record_path);
    }
    const char *slash = strrchr(record_path, '/');
    const char *dot = strrchr(record_path, '.');
    if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : record_path)) {
        dot = record_path + strlen(record_path);
    }
    char *p = NULL;
    if (asprintf(&p, "%.*s-%u%s", (int)(dot - record_path), record_path, n, dot) < 0) {
        return NULL;
    }
    return p;
}

static void finish_file(struct c9_port_audio *a) {
    if (!a->file) {
        return;
    }
    uint8_t head[C9_WAV_HEADER_SIZE];
    c9_wav_header(head, a->rate, a->fmt.channels, 16, (uint32_t)a->data_bytes);
    if (fseek(a->file, 0, SEEK_SET) != 0 || fwrite(head, 1, sizeof head, a->file) != sizeof head ||
        fclose(a->file) != 0) {
        fprintf(stderr, "circuit9: cannot finish %s: %s\n", a->path, strerror(errno));
    }
    a->file = NULL;
    free(a->path);
    a->path = NULL;
}

static void end_stream(struct c9_port_audio *a) {
    finish_file(a);
#ifdef C9_HAVE_SDL2
    if (a->sdl) {
        SDL_CloseAudioDevice(a->sdl);
        a->sdl = 0;
    }
#endif
    a->started = false;
}

static void finish_all(void) {
    for (struct c9_port_audio *a = outputs; a; a = a->next) {
        end_stream(a);
    }
}

/* GPIO number of a pin named "GPIOn", or -1. */
static int gpio_number(int pin) {
    const char *name = c9_port_pin_name(pin);
    if (strncmp(name, "GPIO", 4) != 0 || !name[4]) {
        return -1;
    }
    return atoi(name + 4);
}

static bool mcu_is(const char *family) {
    const char *f = c9_port_board()->mcu_family;
    return f && !strcmp(f, family);
}

static bool is_esp32(void) {
    const char *f = c9_port_board()->mcu_family;
    return f && !strncmp(f, "ESP32", 5);
}

static unsigned count_open(uint8_t kind) {
    unsigned n = 0;
    for (struct c9_port_audio *a = outputs; a; a = a->next) {
        n += a->cfg.kind == kind;
    }
    return n;
}

/* The board's rules for pins and peripherals, with the errors its CircuitPython reports. */
static c9_err_t check_config(const c9_port_audio_config_t *cfg, int *slice) {
    *slice = -1;
    if (cfg->kind == C9_PORT_AUDIO_PWM) {
        if (mcu_is("rp2040")) {
            int l = gpio_number(cfg->left), r = cfg->right >= 0 ? gpio_number(cfg->right) : -1;
            *slice = l >= 0 ? (l >> 1) & 7 : -1;
            if (cfg->right >= 0 && (r < 0 || ((r >> 1) & 7) != *slice)) {
                return C9_ERR_INVAL; /* "Pins must share PWM slice" */
            }
            for (struct c9_port_audio *a = outputs; a; a = a->next) {
                if (a->cfg.kind == C9_PORT_AUDIO_PWM && a->slice == *slice && *slice >= 0) {
                    return C9_ERR_BUSY; /* the slice's counter runs the other output */
                }
            }
        }
        return C9_OK;
    }
    if (cfg->kind != C9_PORT_AUDIO_I2S) {
        return C9_ERR_INVAL;
    }
    if (mcu_is("rp2040")) {
        if (cfg->main_clock >= 0) {
            return C9_ERR_NOTSUP;
        }
        int b = gpio_number(cfg->bit_clock), w = gpio_number(cfg->word_select);
        if (b < 0 || w < 0 || (b != w - 1 && b != w + 1)) {
            return C9_ERR_INVAL; /* "Bit clock and word select must be sequential GPIO pins" */
        }
    } else if (is_esp32()) {
        unsigned units = mcu_is("ESP32C6") ? 1 : 2;
        if (count_open(C9_PORT_AUDIO_I2S) >= units) {
            return C9_ERR_BUSY; /* "Peripheral in use" */
        }
    }
    return C9_OK;
}

c9_err_t c9_port_audio_open(const c9_port_audio_config_t *cfg, c9_port_audio_t **out) {
    int slice;
    c9_err_t err = check_config(cfg, &slice);
    if (err != C9_OK) {
        return err;
    }
    struct c9_port_audio *a = calloc(1, sizeof *a);
    if (!a) {
        return C9_ERR_NOMEM;
    }
    a->cfg = *cfg;
    a->slice = slice;
    a->next = outputs;
    outputs = a;
    if (!atexit_set) {
        atexit(finish_all); /* a recording ends with its header even when the program is left running */
        atexit_set = true;
    }
    *out = a;
    return C9_OK;
}

static void out_format(const struct c9_port_audio *a, c9_audio_out_format_t *f) {
    memset(f, 0, sizeof *f);
    if (a->cfg.kind == C9_PORT_AUDIO_PWM) {
        f->channels = a->cfg.right >= 0 ? 2 : 1;
        f->bits = PWM_BITS;
        f->is_signed = false;
        f->conversion = C9_AUDIO_CONVERT_DMA;
        f->idle = (uint16_t)(a->cfg.quiescent_value >> (16 - PWM_BITS));
        f->pause_holds = true; /* the DMA stops; the PWM keeps its last compare value */
    } else {
        f->channels = 2;
        f->bits = 16;
        f->is_signed = true;
        f->conversion = is_esp32() ? C9_AUDIO_CONVERT_SHIFT : C9_AUDIO_CONVERT_DMA;
        f->idle = 0;
        f->pause_holds = false;
    }
}

#ifdef C9_HAVE_SDL2
/* Whether the host has somewhere to play sound: a sound server's socket, sound cards, or an SDL
 * driver asked for by name. Without one, SDL's ALSA back-end would fill stderr with complaints
 * about the missing card; the frames go nowhere instead, at the same pace. */
static bool host_has_sound(void) {
    if (getenv("SDL_AUDIODRIVER") || getenv("PULSE_SERVER") || access("/dev/snd", F_OK) == 0) {
        return true;
    }
    const char *run = getenv("XDG_RUNTIME_DIR");
    char path[512];
    static const char *const sockets[] = {"pulse/native", "pipewire-0"};
    for (size_t i = 0; run && i < C9_ARRAY_SIZE(sockets); i++) {
        snprintf(path, sizeof path, "%s/%s", run, sockets[i]);
        if (access(path, F_OK) == 0) {
            return true;
        }
    }
    return false;
}
#endif

static void open_sinks(struct c9_port_audio *a) {
    if (record_path) {
        a->path = stream_path(++streams);
        a->file = a->path ? fopen(a->path, "wb") : NULL;
        if (!a->file) {
            fprintf(stderr, "circuit9: cannot record to %s: %s\n", a->path ? a->path : record_path, strerror(errno));
            free(a->path);
            a->path = NULL;
            return;
        }
        uint8_t head[C9_WAV_HEADER_SIZE];
        c9_wav_header(head, a->rate, a->fmt.channels, 16, 0);
        fwrite(head, 1, sizeof head, a->file);
        a->data_bytes = 0;
        a->file_full = false;
        return;
    }
#ifdef C9_HAVE_SDL2
    static bool sdl_failed;
    if (sdl_failed) {
        return;
    }
    if (!SDL_WasInit(SDL_INIT_AUDIO) && (!host_has_sound() || SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)) {
        sdl_failed = true; /* no sound here: the frames go nowhere, at the same pace */
        return;
    }
    SDL_AudioSpec want = {.freq = (int)a->rate, .format = AUDIO_S16SYS, .channels = a->fmt.channels, .samples = 1024};
    SDL_AudioSpec have;
    a->sdl = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (a->sdl) {
        SDL_PauseAudioDevice(a->sdl, 0);
    }
#endif
}

c9_err_t c9_port_audio_start(c9_port_audio_t *a, uint32_t sample_rate, const c9_audio_format_t *sample,
                             c9_audio_out_format_t *fmt) {
    if (sample_rate == 0 || sample_rate > C9_AUDIO_MAX_SAMPLE_RATE) {
        return C9_ERR_RANGE;
    }
    if (sample->channels > 2) {
        return C9_ERR_NOTSUP;
    }
    c9_audio_out_format_t f;
    out_format(a, &f);
    *fmt = f;
    if (a->started && a->rate == sample_rate && !memcmp(&a->fmt, &f, sizeof f)) {
        return C9_OK; /* the same stream goes on */
    }
    end_stream(a);
    a->rate = sample_rate;
    a->fmt = f;
    a->t0 = c9_port_now_ns();
    a->written = 0;
    a->started = true;
    open_sinks(a);
    return C9_OK;
}

/* Frames whose period has passed by board time `now`. */
static uint64_t frames_due(const struct c9_port_audio *a, uint64_t now) {
    uint64_t dt = now > a->t0 ? now - a->t0 : 0;
    return dt / 1000000000u * a->rate + dt % 1000000000u * a->rate / 1000000000u;
}

size_t c9_port_audio_room(c9_port_audio_t *a) {
    if (!a || !a->started) {
        return 0;
    }
    uint64_t now = c9_port_now_ns();
#ifdef C9_HAVE_SDL2
    if (a->sdl && !c9_host_clock_is_stepped()) {
        now += SDL_LEAD_NS;
    }
#endif
    uint64_t due = frames_due(a, now);
    uint64_t room = due > a->written ? due - a->written : 0;
    return room > SIZE_MAX ? SIZE_MAX : (size_t)room;
}

c9_err_t c9_port_audio_write(c9_port_audio_t *a, const uint16_t *values, size_t count) {
    if (!a->started) {
        return C9_OK;
    }
    a->written += count;
    size_t n = count * a->fmt.channels;
    c9_err_t err = C9_OK;
    bool to_file = a->file && !a->file_full;
    bool to_sdl = false;
#ifdef C9_HAVE_SDL2
    to_sdl = a->sdl && SDL_GetQueuedAudioSize(a->sdl) <
                           (uint64_t)a->rate * a->fmt.channels * 2u * SDL_MAX_QUEUED_NS / 1000000000u;
#endif
    if (!to_file && !to_sdl) {
        return C9_OK;
    }
    uint8_t pcm[2048];
    for (size_t i = 0; i < n;) {
        size_t k = C9_MIN(n - i, sizeof pcm / 2);
        for (size_t j = 0; j < k; j++) {
            uint16_t v = (uint16_t)c9_audio_value_pcm16(&a->fmt, values[i + j]);
            pcm[2 * j] = (uint8_t)v;
            pcm[2 * j + 1] = (uint8_t)(v >> 8);
        }
        if (to_file) {
            if (a->data_bytes + 2 * k > WAV_MAX_DATA) {
                fprintf(stderr, "circuit9: %s reached the WAV size limit; the rest is not recorded\n", a->path);
                a->file_full = true;
                to_file = false;
            } else if (fwrite(pcm, 1, 2 * k, a->file) != 2 * k) {
                fprintf(stderr, "circuit9: cannot write %s: %s\n", a->path, strerror(errno));
                a->file_full = true;
                to_file = false;
                err = C9_ERR_IO;
            } else {
                a->data_bytes += 2 * k;
            }
        }
#ifdef C9_HAVE_SDL2
        if (to_sdl) {
            SDL_QueueAudio(a->sdl, pcm, (Uint32)(2 * k));
        }
#endif
        i += k;
    }
    return err;
}

void c9_port_audio_close(c9_port_audio_t *a) {
    if (!a) {
        return;
    }
    end_stream(a);
    for (struct c9_port_audio **p = &outputs; *p; p = &(*p)->next) {
        if (*p == a) {
            *p = a->next;
            break;
        }
    }
    free(a);
}
