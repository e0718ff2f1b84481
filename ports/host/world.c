/* The world around the virtual board: inputs that hold from the start, events at their times
 * (circuit9 run --set / --events), simulated devices' properties, and the report of the board's
 * outputs (--state). Events count from the start of code.py on the board's one clock; whatever
 * reads a pin, a sensor or a bus catches up with them first, so a program sees every event that
 * is due, in order, however busy or idle it is. */
#define _GNU_SOURCE
#include "vpanel_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct applied {
    c9_stim_t s;
    int pin; /* -1: a device property */
} applied_t;

static applied_t *inputs, *events;
static size_t input_count, event_count, next_event;
static uint64_t start_ns;
static bool started;
static int catching_up;

#define MAX_DEVICES 16
static struct {
    char name[C9_STIM_NAME_MAX];
    c9_host_device_set_fn set;
    void *ctx;
    int busy;
} devices[MAX_DEVICES];

/* A board pin name, else a microcontroller pin name. */
static int resolve_pin(const char *name) {
    const c9_board_pin_t *bp = c9_board_pin(c9_port_board(), name);
    return c9_vpin_find(bp ? bp->mcu_pin : name);
}

static c9_err_t prepare(const c9_stim_t *in, size_t n, applied_t **out) {
    *out = NULL;
    if (!n) {
        return C9_OK;
    }
    applied_t *a = calloc(n, sizeof(*a));
    if (!a) {
        return C9_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].s = in[i];
        a[i].pin = -1;
        if (strchr(in[i].name, '.')) {
            continue; /* DEVICE.PROPERTY: checked when the device is there */
        }
        bool level;
        int32_t mv;
        if ((a[i].pin = resolve_pin(in[i].name)) < 0) {
            free(a);
            return C9_ERR_NOENT;
        }
        if (!c9_stim_digital(&in[i].value, &level) && !c9_stim_millivolts(&in[i].value, &mv)) {
            free(a);
            return C9_ERR_INVAL;
        }
    }
    *out = a;
    return C9_OK;
}

static void split_device(const char *name, char *device, const char **prop) {
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    memcpy(device, name, n);
    device[n] = 0;
    *prop = dot ? dot + 1 : "";
}

/* true when a device of that name took it (or refused it with a message of its own). */
static bool deliver(const c9_stim_t *s) {
    char device[C9_STIM_NAME_MAX];
    const char *prop;
    split_device(s->name, device, &prop);
    for (int i = 0; i < MAX_DEVICES; i++) {
        if (devices[i].set && !strcmp(devices[i].name, device)) {
            /* A device's set() may unregister it: hold the slot's function and context. */
            c9_host_device_set_fn fn = devices[i].set;
            void *ctx = devices[i].ctx;
            devices[i].busy++;
            c9_err_t err = fn(ctx, prop, &s->value);
            devices[i].busy--;
            if (err != C9_OK) {
                fprintf(stderr, "circuit9: %s=%lld.%09lld%s: %s\n", s->name, (long long)(s->value.nano / 1000000000),
                        (long long)llabs(s->value.nano % 1000000000), s->value.unit, c9_strerror(err));
            }
            return true;
        }
    }
    return false;
}

static void apply(const applied_t *a) {
    if (a->pin < 0) {
        if (!deliver(&a->s)) {
            fprintf(stderr, "circuit9: no device named in %s\n", a->s.name);
        }
        return;
    }
    bool level;
    int32_t mv;
    if (c9_stim_digital(&a->s.value, &level)) {
        c9_vboard_pin_set_mv(a->pin, -1);
        c9_vboard_pin_drive(a->pin, level);
    } else if (c9_stim_millivolts(&a->s.value, &mv)) {
        /* A voltage: what the ADC sees, and for digital reads high above half the supply. */
        c9_vboard_pin_set_mv(a->pin, mv < 0 ? 0 : mv);
        c9_vboard_pin_drive(a->pin, mv >= 1650);
    }
}

c9_err_t c9__world_init(const c9_port_config_t *cfg) {
    free(inputs);
    free(events);
    inputs = events = NULL;
    input_count = event_count = next_event = 0;
    started = false;
    if (!cfg) {
        return C9_OK;
    }
    c9_err_t err = prepare(cfg->inputs, cfg->input_count, &inputs);
    if (err == C9_OK) {
        input_count = cfg->input_count;
        err = prepare(cfg->events, cfg->event_count, &events);
    }
    if (err != C9_OK) {
        return err;
    }
    event_count = cfg->event_count;
    for (size_t i = 0; i < input_count; i++) {
        if (inputs[i].pin >= 0) {
            apply(&inputs[i]); /* devices get theirs when they are attached */
        }
    }
    return C9_OK;
}

void c9_port_program_start(void) {
    if (!started) {
        started = true;
        start_ns = c9_port_now_ns();
    }
}

void c9__world_catch_up(void) {
    if (!started || next_event >= event_count || catching_up) {
        return;
    }
    /* A device's set() may read pins: those reads must not apply events out of order. */
    catching_up++;
    uint64_t now = c9_port_now_ns() - start_ns;
    while (next_event < event_count && events[next_event].s.time_ns <= now) {
        apply(&events[next_event++]);
    }
    catching_up--;
}

uint64_t c9_host_world_next_event_ns(void) {
    if (!started || next_event >= event_count) {
        return UINT64_MAX;
    }
    return start_ns + events[next_event].s.time_ns;
}

c9_err_t c9_host_world_set(const c9_stim_t *s) {
    applied_t a = {*s, -1};
    if (!strchr(s->name, '.')) {
        bool level;
        int32_t mv;
        if ((a.pin = resolve_pin(s->name)) < 0) {
            return C9_ERR_NOENT;
        }
        if (!c9_stim_digital(&s->value, &level) && !c9_stim_millivolts(&s->value, &mv)) {
            return C9_ERR_INVAL;
        }
        apply(&a);
        return C9_OK;
    }
    return deliver(s) ? C9_OK : C9_ERR_NOENT;
}

c9_err_t c9_host_register_device(const char *name, c9_host_device_set_fn set, void *ctx) {
    if (!name || !*name || strlen(name) >= C9_STIM_NAME_MAX || strchr(name, '.') || !set) {
        return C9_ERR_INVAL;
    }
    int slot = -1;
    for (int i = 0; i < MAX_DEVICES; i++) {
        if (devices[i].set && !strcmp(devices[i].name, name)) {
            return C9_ERR_EXIST;
        }
        if (!devices[i].set && !devices[i].busy && slot < 0) {
            slot = i;
        }
    }
    if (slot < 0) {
        return C9_ERR_NOMEM;
    }
    snprintf(devices[slot].name, sizeof devices[slot].name, "%s", name);
    devices[slot].set = set;
    devices[slot].ctx = ctx;
    /* The --set inputs meant for it arrive now. */
    for (size_t i = 0; i < input_count; i++) {
        char device[C9_STIM_NAME_MAX];
        const char *prop;
        if (inputs[i].pin < 0) {
            split_device(inputs[i].s.name, device, &prop);
            if (!strcmp(device, name)) {
                deliver(&inputs[i].s);
            }
        }
    }
    return C9_OK;
}

void c9_host_unregister_device(void *ctx) {
    for (int i = 0; i < MAX_DEVICES; i++) {
        if (devices[i].set && devices[i].ctx == ctx) {
            devices[i].set = NULL;
        }
    }
}

/* ---- --state ------------------------------------------------------------------------------------- */

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The name CircuitPython prints for a pin: its first board name, else the microcontroller's. */
static const char *display_name(int pin) {
    const char *n = c9_board_pin_name(c9_port_board(), c9_vpin_name(pin));
    return n ? n : c9_vpin_name(pin);
}

c9_err_t c9_port_state_write(const char *path) {
    c9__world_catch_up();
    FILE *f = fopen(path, "w");
    if (!f) {
        return C9_ERR_IO;
    }
    fputs("{\"pins\": {", f);
    bool first = true;
    for (int pin = 0; pin < c9_vpin_count(); pin++) {
        c9__vpin_t *p = c9__vpin_at(pin);
        const c9_pixel_chain_t *chain = c9__pixels_on(pin);
        bool lit = chain && chain->frames > 0;
        if (!p->claimed && p->mode == C9_VPIN_INPUT && !lit) {
            continue;
        }
        fputs(first ? "\n  " : ",\n  ", f);
        first = false;
        json_string(f, display_name(pin));
        fputs(": {", f);
        bool output = p->mode == C9_VPIN_OUTPUT || p->mode == C9_VPIN_PWM || p->mode == C9_VPIN_ANALOG_OUT;
        fprintf(f, "\"direction\": \"%s\"", output ? "output" : "input");
        if (p->mode == C9_VPIN_INPUT || p->mode == C9_VPIN_OUTPUT) {
            fprintf(f, ", \"digital\": %s", p->level ? "true" : "false");
        }
        if (p->mode == C9_VPIN_INPUT) {
            fprintf(f, ", \"pull\": %s",
                    p->pull == C9_PORT_PULL_UP     ? "\"up\""
                    : p->pull == C9_PORT_PULL_DOWN ? "\"down\""
                                                   : "null");
        }
        if (p->mode == C9_VPIN_OUTPUT && p->drive == C9_PORT_DRIVE_OPEN_DRAIN) {
            fputs(", \"drive_mode\": \"open_drain\"", f);
        }
        if (p->mode == C9_VPIN_PWM) {
            fprintf(f, ", \"pwm\": {\"frequency\": %lu, \"duty_cycle\": %u}", (unsigned long)c9_port_pwm_frequency(pin),
                    (unsigned)c9_port_pwm_duty(pin));
        }
        if (p->mode == C9_VPIN_ANALOG_OUT) {
            fprintf(f, ", \"analog_out\": %.3f", c9_port_analog_out_millivolts(pin) / 1000.0);
        }
        if (lit) {
            fputs(", \"neopixel\": [", f);
            for (uint16_t i = 0; i < chain->count; i++) {
                const c9_pixel_rgbw_t *l = &chain->leds[i];
                if (chain->order.bpp == 4) {
                    fprintf(f, "%s[%u, %u, %u, %u]", i ? ", " : "", l->r, l->g, l->b, l->w);
                } else {
                    fprintf(f, "%s[%u, %u, %u]", i ? ", " : "", l->r, l->g, l->b);
                }
            }
            fputc(']', f);
        }
        fputc('}', f);
    }
    fputs(first ? "}}\n" : "\n}}\n", f);
    return fclose(f) == 0 ? C9_OK : C9_ERR_IO;
}
