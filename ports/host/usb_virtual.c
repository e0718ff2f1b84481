/* The virtual board's USB host port: a virtual bus (core/usbsim) with the devices `circuit9 run
 * --usb` describes, or one real device through libusb, and the window's keys as a USB keyboard.
 *
 * The runtime drives the controller from one thread at a time, but the window thread changes the
 * window keyboard's keys and plugs it in: a mutex guards the bus, taken by every controller op.
 * Plugging into the root port posts an event to the host, so it happens inside the service op,
 * where the host expects events from. */
#define _GNU_SOURCE
#include "usb_internal.h"

#include "circuit9/host_usb.h"
#include "circuit9/usbsim.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 7        /* a hub's ports */
#define MAX_FILE (16u << 20) /* MIDI files and recordings */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static c9_usbsim_t bus;
static bool bus_ready, configured, host_started;
static c9_usbsim_hub_t *hub;
static uint8_t hub_ports_used;
static c9_usbsim_dev_t *pending[MAX_DEVICES + 1]; /* waiting to be plugged in by the service op */
static size_t pending_count;
static c9_host_libusb_t *real;

/* the window's keys */
static c9_usbsim_keyboard_t *window_kbd;
static bool window_kbd_placed, window_note_done;
static uint8_t window_mods, window_keys[6];

/* ---- plugging ------------------------------------------------------------------------------------ */

static void plug_now(c9_usbsim_dev_t *dev) {
    if (hub && dev != &hub->dev) {
        c9_usbsim_hub_plug(hub, ++hub_ports_used, dev);
    } else {
        c9_usbsim_plug(&bus, dev);
    }
}

/* Plugs dev in at once before the host runs, else at the next service op. Lock held. */
static void plug(c9_usbsim_dev_t *dev) {
    if (!host_started) {
        plug_now(dev);
    } else if (pending_count < C9_ARRAY_SIZE(pending)) {
        pending[pending_count++] = dev;
    }
}

/* ---- controller ops: the virtual bus's, under the lock ------------------------------------------- */

#define SIM c9_usbsim_hcd()

static c9_err_t op_init(void *ctx, c9_usbh_t *host) {
    pthread_mutex_lock(&lock);
    host_started = true;
    c9_err_t err = SIM->init(ctx, host);
    pthread_mutex_unlock(&lock);
    return err;
}

static void op_deinit(void *ctx) {
    pthread_mutex_lock(&lock);
    SIM->deinit(ctx);
    host_started = false;
    pthread_mutex_unlock(&lock);
}

static void op_service(void *ctx, uint64_t now_ms) {
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < pending_count; i++) {
        plug_now(pending[i]);
    }
    pending_count = 0;
    SIM->service(ctx, now_ms);
    pthread_mutex_unlock(&lock);
}

static bool op_connected(void *ctx, uint8_t rhport) {
    pthread_mutex_lock(&lock);
    bool r = SIM->port_connected(ctx, rhport);
    pthread_mutex_unlock(&lock);
    return r;
}

#define LOCKED(name, call)                                                                                             \
    do {                                                                                                               \
        pthread_mutex_lock(&lock);                                                                                     \
        c9_err_t err_ = SIM->name ? call : C9_ERR_NOSYS;                                                               \
        pthread_mutex_unlock(&lock);                                                                                   \
        return err_;                                                                                                   \
    } while (0)

static c9_err_t op_reset(void *ctx, uint8_t rhport) {
    LOCKED(port_reset, SIM->port_reset(ctx, rhport));
}

static c9_err_t op_reset_end(void *ctx, uint8_t rhport) {
    LOCKED(port_reset_end, SIM->port_reset_end(ctx, rhport));
}

static c9_usb_speed_t op_speed(void *ctx, uint8_t rhport) {
    pthread_mutex_lock(&lock);
    c9_usb_speed_t s = SIM->port_speed ? SIM->port_speed(ctx, rhport) : C9_USB_SPEED_FULL;
    pthread_mutex_unlock(&lock);
    return s;
}

static c9_err_t op_open(void *ctx, uint8_t rhport, uint8_t daddr, const c9_usb_hcd_ep_t *ep) {
    LOCKED(edpt_open, SIM->edpt_open(ctx, rhport, daddr, ep));
}

static c9_err_t op_close(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    LOCKED(edpt_close, SIM->edpt_close(ctx, rhport, daddr, ep));
}

static c9_err_t op_device_close(void *ctx, uint8_t rhport, uint8_t daddr) {
    LOCKED(device_close, SIM->device_close(ctx, rhport, daddr));
}

static c9_err_t op_setup(void *ctx, uint8_t rhport, uint8_t daddr, const uint8_t setup[8]) {
    LOCKED(setup_send, SIM->setup_send(ctx, rhport, daddr, setup));
}

static c9_err_t op_xfer(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep, uint8_t *buf, uint32_t len) {
    LOCKED(edpt_xfer, SIM->edpt_xfer(ctx, rhport, daddr, ep, buf, len));
}

static c9_err_t op_abort(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    LOCKED(edpt_abort, SIM->edpt_abort(ctx, rhport, daddr, ep));
}

static c9_err_t op_clear_stall(void *ctx, uint8_t rhport, uint8_t daddr, uint8_t ep) {
    LOCKED(edpt_clear_stall, SIM->edpt_clear_stall(ctx, rhport, daddr, ep));
}

static const c9_usb_hcd_ops_t locked_ops = {
    .init = op_init,
    .deinit = op_deinit,
    .service = op_service,
    .port_connected = op_connected,
    .port_reset = op_reset,
    .port_reset_end = op_reset_end,
    .port_speed = op_speed,
    .edpt_open = op_open,
    .edpt_close = op_close,
    .device_close = op_device_close,
    .setup_send = op_setup,
    .edpt_xfer = op_xfer,
    .edpt_abort = op_abort,
    .edpt_clear_stall = op_clear_stall,
};

static void bus_init(void) {
    if (!bus_ready) {
        c9_usbsim_init(&bus);
        bus_ready = true;
    }
}

void c9__host_usb_controller(const c9_usb_hcd_ops_t **ops, void **ctx, uint8_t *rhport) {
    pthread_mutex_lock(&lock);
    bus_init();
    if (real) {
        *ops = c9_host_libusb_hcd();
        *ctx = real;
    } else {
        *ops = &locked_ops;
        *ctx = &bus;
    }
    /* RP2040's PIO-USB port is TinyUSB's root port 1 in CircuitPython (CIRCUITPY_USB_HOST_INSTANCE) */
    *rhport = 1;
    pthread_mutex_unlock(&lock);
}

/* ---- when a device starts talking ------------------------------------------------------------------ */

/* CircuitPython's keyboard workflow reads every keyboard from the moment it is enumerated until a
 * program detaches it, so a keyboard that types from plug-in (keyboard:type=TEXT) or a replayed
 * recording would give its first reports to the console, how many depending on how soon code.py
 * detaches it; and a MIDI file played from plug-in would have its first second queued up by the
 * time code.py reads. A person plays once the program is ready; here "ready" is the program
 * configuring the device (Device.set_configuration(), which every program that reads a device
 * calls): a typing keyboard starts typing, a MIDI device starts playing and a replay starts
 * answering its IN endpoints at the device's first configuration after enumeration's.
 * start=plug starts them at enumeration's. */
typedef struct gate {
    c9_usbsim_dev_t *dev;
    c9_usbsim_dev_ops_t ops; /* the model's, with event (and in) passing through here */
    const c9_usbsim_dev_ops_t *model_ops;
    const char *text; /* a keyboard's text to type */
    bool hold_in;     /* a replay: NAK its IN endpoints until started */
    bool hold_play;   /* a MIDI device: it learns of its configuration when started */
    unsigned configs, start_at;
} gate_t;

static gate_t gates[MAX_DEVICES];
static size_t gate_count;

static gate_t *gate_of(c9_usbsim_dev_t *d) {
    for (size_t i = 0; i < gate_count; i++) {
        if (gates[i].dev == d) {
            return &gates[i];
        }
    }
    return NULL;
}

static void gate_event(c9_usbsim_dev_t *d, c9_usbsim_event_t ev, uint8_t arg) {
    gate_t *g = gate_of(d);
    bool configured = ev == C9_USBSIM_EV_CONFIGURED && arg != 0;
    if (configured) {
        g->configs++;
    }
    if (g->model_ops->event && !(configured && g->hold_play && g->configs < g->start_at)) {
        g->model_ops->event(d, ev, arg);
    }
    if (configured && g->configs == g->start_at && g->text) {
        c9_usbsim_keyboard_type((c9_usbsim_keyboard_t *)d, g->text, strlen(g->text));
    }
}

static int gate_in(c9_usbsim_dev_t *d, uint8_t ep, uint8_t *buf, uint16_t max) {
    gate_t *g = gate_of(d);
    if (g->hold_in && g->configs < g->start_at) {
        return C9_USBSIM_NAK;
    }
    return g->model_ops->in(d, ep, buf, max);
}

/* Puts a gate in front of a model. text: a keyboard's; hold_in: a replay's IN endpoints;
 * hold_play: a MIDI device's start. */
static void gate(c9_usbsim_dev_t *d, const char *text, bool hold_in, bool hold_play, bool at_plug) {
    if (gate_count == C9_ARRAY_SIZE(gates)) {
        return;
    }
    gate_t *g = &gates[gate_count++];
    g->dev = d;
    g->model_ops = d->ops;
    g->ops = *d->ops;
    g->ops.event = gate_event;
    if (hold_in && g->ops.in) {
        g->ops.in = gate_in;
    }
    g->text = text;
    g->hold_in = hold_in;
    g->hold_play = hold_play;
    g->start_at = at_plug ? 1 : 2;
    d->ops = &g->ops;
}

/* ---- device descriptions (--usb) ------------------------------------------------------------------ */

typedef struct spec {
    char kind[16];
    c9_usbsim_ident_t ident;
    int stall, nak, unplug; /* fault endpoints, -1 none */
    bool start_plug;        /* keyboard, midi, replay: start=plug */
    const char *text;       /* keyboard: type=TEXT (escapes resolved) */
    const char *arg;        /* what follows the options: a file, VID:PID */
} spec_t;

static void fail(char *msg, size_t size, const char *spec, const char *why) {
    if (msg && size) {
        snprintf(msg, size, "--usb %s: %s", spec, why);
    }
}

static bool parse_number(const char *s, size_t n, unsigned long max, unsigned long *out) {
    char buf[24];
    if (n == 0 || n >= sizeof buf) {
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    unsigned long v = strtoul(buf, &end, 0);
    if (*end || v > max || buf[0] == '-') {
        return false;
    }
    *out = v;
    return true;
}

/* TEXT of type=TEXT with \n, \t, \r, \b and \\ resolved. */
static char *unescape(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) {
        return NULL;
    }
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s == 'b' ? '\b' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
    return out;
}

static const char *const option_names[] = {"vid",   "pid", "manufacturer", "product", "serial", "speed",
                                           "stall", "nak", "unplug",       "type",    "start"};

/* KIND[:NAME=VALUE]...[:ARG]; options are the names above, ARG is what is left (a file, or
 * VID:PID), and type= takes the rest of the description. */
static bool parse_spec(const char *text, spec_t *s, char *msg, size_t msg_size) {
    memset(s, 0, sizeof *s);
    s->stall = s->nak = s->unplug = -1;
    size_t k = strcspn(text, ":");
    if (k == 0 || k >= sizeof s->kind) {
        fail(msg, msg_size, text, "no such device (keyboard, mouse, gamepad, midi, cdc, hub, replay, raw, libusb)");
        return false;
    }
    memcpy(s->kind, text, k);
    const char *p = text[k] == ':' ? text + k + 1 : text + k;
    while (*p) {
        size_t n = strcspn(p, "=:");
        int which = -1;
        for (size_t i = 0; p[n] == '=' && i < C9_ARRAY_SIZE(option_names); i++) {
            if (strlen(option_names[i]) == n && !strncmp(p, option_names[i], n)) {
                which = (int)i;
            }
        }
        if (which < 0) {
            break; /* the argument */
        }
        const char *v = p + n + 1;
        if (which == 9) { /* type=TEXT: the rest */
            s->text = unescape(v);
            p = v + strlen(v);
            break;
        }
        size_t vn = strcspn(v, ":");
        unsigned long num;
        char *str = strndup(v, vn);
        if (!str) {
            fail(msg, msg_size, text, "out of memory");
            return false;
        }
        bool ok = true;
        switch (which) {
        case 0:
        case 1:
            ok = parse_number(v, vn, 0xFFFF, &num) && num != 0;
            if (ok && which == 0) {
                s->ident.vid = (uint16_t)num;
            } else if (ok) {
                s->ident.pid = (uint16_t)num;
            }
            break;
        case 2: s->ident.manufacturer = str; break;
        case 3: s->ident.product = str; break;
        case 4: s->ident.serial = str; break;
        case 10:
            ok = !strcmp(str, "plug") || !strcmp(str, "configured");
            s->start_plug = !strcmp(str, "plug");
            break;
        case 5:
            s->ident.speed = !strcmp(str, "low")    ? C9_USB_SPEED_LOW
                             : !strcmp(str, "full") ? C9_USB_SPEED_FULL
                             : !strcmp(str, "high") ? C9_USB_SPEED_HIGH
                                                    : 0;
            ok = s->ident.speed != 0;
            break;
        default:
            ok = parse_number(v, vn, 0xFF, &num);
            if (ok) {
                *(which == 6 ? &s->stall : which == 7 ? &s->nak : &s->unplug) = (int)num;
            }
            break;
        }
        if (which < 2 || which > 4) {
            free(str);
        }
        if (!ok) {
            fail(msg, msg_size, text, "bad option value (vid/pid: 1-0xFFFF, speed: low/full/high, endpoints: 0-0xFF)");
            return false;
        }
        p = v[vn] == ':' ? v + vn + 1 : v + vn;
    }
    s->arg = p;
    return true;
}

/* Words for the errors of the files --usb reads. */
static const char *file_error(c9_err_t err) {
    switch (err) {
    case C9_ERR_USBMON_FORMAT: return "not a pcap or pcapng file, or a malformed record";
    case C9_ERR_USBMON_TRUNCATED: return "a record runs past the end of the file";
    case C9_ERR_USBMON_LINKTYPE: return "not a usbmon capture (link type 189 or 220)";
    case C9_ERR_NOENT: return "no device in it";
    default: return c9_strerror(err);
    }
}

static c9_err_t read_file(const char *path, uint8_t **data, size_t *len, const char *spec, char *msg, size_t size) {
    c9_err_t err = c9_host_read_file(path, MAX_FILE, data, len);
    if (err != C9_OK) {
        char why[300];
        snprintf(why, sizeof why, "cannot read %s (%s)", path, c9_strerror(err));
        fail(msg, size, spec, why);
    }
    return err;
}

static int add_fault(c9_usbsim_dev_t *dev, int ep, uint8_t kind) {
    if (ep < 0) {
        return 0;
    }
    c9_usbsim_fault_t f = {.dev = dev, .ep = (uint8_t)ep, .request = -1, .kind = kind};
    /* a stall halts the endpoint once (it stays halted until cleared); the others last */
    f.count = kind == C9_USBSIM_FAULT_STALL || kind == C9_USBSIM_FAULT_DISCONNECT ? 1 : 0;
    return c9_usbsim_fault_add(&bus, &f) < 0 ? -1 : 0;
}

/* One virtual device from its description; NULL after a message. */
static c9_usbsim_dev_t *make_device(const char *text, const spec_t *s, char *msg, size_t size) {
    const c9_usbsim_ident_t *id = &s->ident;
    bool no_arg = s->arg[0] == 0;
    if (s->text && strcmp(s->kind, "keyboard") != 0) {
        fail(msg, size, text, "type= is for keyboards");
        return NULL;
    }
    if (s->start_plug && strcmp(s->kind, "keyboard") != 0 && strcmp(s->kind, "replay") != 0 &&
        strcmp(s->kind, "midi") != 0) {
        fail(msg, size, text, "start= is for keyboards, MIDI devices and replays");
        return NULL;
    }
    if (!strcmp(s->kind, "keyboard") && no_arg) {
        c9_usbsim_keyboard_t *k = calloc(1, sizeof *k);
        if (!k) {
            return NULL;
        }
        c9_usbsim_keyboard_init(k, id);
        if (s->text) {
            gate(&k->dev, s->text, false, false, s->start_plug);
        }
        return &k->dev;
    }
    if (!strcmp(s->kind, "mouse") && no_arg) {
        c9_usbsim_mouse_t *m = calloc(1, sizeof *m);
        if (m) {
            c9_usbsim_mouse_init(m, id);
        }
        return m ? &m->dev : NULL;
    }
    if (!strcmp(s->kind, "gamepad") && no_arg) {
        c9_usbsim_gamepad_t *g = calloc(1, sizeof *g);
        if (g) {
            c9_usbsim_gamepad_init(g, id);
        }
        return g ? &g->dev : NULL;
    }
    if (!strcmp(s->kind, "cdc") && no_arg) {
        c9_usbsim_cdc_t *c = calloc(1, sizeof *c);
        if (c && c9_usbsim_cdc_init(c, id, 1, false, true) != C9_OK) {
            free(c);
            c = NULL;
        }
        return c ? &c->dev : NULL;
    }
    if (!strcmp(s->kind, "midi")) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (!no_arg && read_file(s->arg, &data, &len, text, msg, size) != C9_OK) {
            return NULL;
        }
        c9_usbsim_midi_t *m = calloc(1, sizeof *m);
        c9_err_t err = m ? c9_usbsim_midi_init(m, id, data, len) : C9_ERR_NOMEM;
        if (err != C9_OK) {
            char why[200];
            snprintf(why, sizeof why, "%s is not a Standard MIDI File circuit9 can play (%s)", s->arg, file_error(err));
            fail(msg, size, text, why);
            free(m);
            free(data);
            return NULL;
        }
        if (data) {
            gate(&m->dev, NULL, false, true, s->start_plug);
        }
        return &m->dev; /* the file stays for the rest of the run: the device plays from it */
    }
    if (!strcmp(s->kind, "replay")) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (no_arg) {
            fail(msg, size, text, "replay needs a usbmon capture: replay:FILE.pcap");
            return NULL;
        }
        if (read_file(s->arg, &data, &len, text, msg, size) != C9_OK) {
            return NULL;
        }
        c9_usbsim_replay_t *r = calloc(1, sizeof *r);
        c9_err_t err = r ? c9_usbsim_replay_init(r, data, len, 0, 0, id->speed) : C9_ERR_NOMEM;
        if (err != C9_OK) {
            char why[200];
            snprintf(why, sizeof why, "%s holds no device to replay (%s)", s->arg, file_error(err));
            fail(msg, size, text, why);
            free(r);
            free(data);
            return NULL;
        }
        gate(&r->dev, NULL, true, false, s->start_plug);
        return &r->dev;
    }
    if (!strcmp(s->kind, "raw") && !no_arg) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (read_file(s->arg, &data, &len, text, msg, size) != C9_OK) {
            return NULL;
        }
        c9_usbsim_raw_t *r = calloc(1, sizeof *r);
        c9_err_t err = r ? c9_usbsim_raw_init(r, data, len, id->speed) : C9_ERR_NOMEM;
        if (err != C9_OK) {
            char why[200];
            snprintf(why, sizeof why, "%s is not a descriptor set (%s)", s->arg, file_error(err));
            fail(msg, size, text, why);
            free(r);
            free(data);
            return NULL;
        }
        return &r->dev; /* the bytes stay: the device answers from them */
    }
    fail(msg, size, text,
         no_arg ? "no such device (keyboard, mouse, gamepad, midi, cdc, hub, replay, raw, libusb)"
                : "unexpected argument (see docs/usb.md for each device's options)");
    return NULL;
}

c9_err_t c9__host_usb_configure(const char *const *specs, size_t count, char *msg, size_t msg_size) {
    pthread_mutex_lock(&lock);
    bus_init();
    c9_err_t result = C9_OK;
    if (configured || host_started || count == 0) {
        goto out;
    }
    spec_t s[MAX_DEVICES + 2];
    c9_usbsim_dev_t *devs[MAX_DEVICES];
    size_t ndev = 0;
    bool want_hub = false, want_real = false;
    if (count > C9_ARRAY_SIZE(s)) {
        fail(msg, msg_size, specs[0], "too many devices: a hub has 7 ports");
        result = C9_ERR_INVAL;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        if (!parse_spec(specs[i], &s[i], msg, msg_size)) {
            result = C9_ERR_INVAL;
            goto out;
        }
        if (!strcmp(s[i].kind, "hub")) {
            want_hub = true;
        } else if (!strcmp(s[i].kind, "libusb")) {
            want_real = true;
        }
    }
    if (want_real) {
        if (count != 1) {
            fail(msg, msg_size, specs[0], "a real device (libusb:) has the port to itself");
            result = C9_ERR_INVAL;
            goto out;
        }
        unsigned long vid, pid, index = 0;
        const char *a = s[0].arg;
        size_t n1 = strcspn(a, ":");
        size_t n2 = a[n1] ? strcspn(a + n1 + 1, ":") : 0;
        const char *third = a[n1] && a[n1 + 1 + n2] ? a + n1 + 1 + n2 + 1 : NULL;
        if (!a[n1] || !parse_number(a, n1, 0xFFFF, &vid) || !parse_number(a + n1 + 1, n2, 0xFFFF, &pid) ||
            (third && !parse_number(third, strlen(third), 255, &index))) {
            fail(msg, msg_size, specs[0], "libusb:VID:PID[:INDEX] with hexadecimal ids (libusb:0x046d:0xc31c)");
            result = C9_ERR_INVAL;
            goto out;
        }
        c9_err_t err = c9_host_libusb_open(&real, (uint16_t)vid, (uint16_t)pid, (unsigned)index);
        if (err != C9_OK) {
            char why[160];
            snprintf(why, sizeof why, "cannot open the device %04lx:%04lx (%s)", vid, pid,
                     err == C9_ERR_NOENT   ? "not plugged in"
                     : err == C9_ERR_PERM  ? "no permission on its /dev/bus/usb node"
                     : err == C9_ERR_NOSYS ? "circuit9 was built without libusb"
                                           : c9_strerror(err));
            fail(msg, msg_size, specs[0], why);
            real = NULL;
            result = C9_ERR_INVAL;
        }
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        if (!strcmp(s[i].kind, "hub")) {
            if (s[i].arg[0]) {
                fail(msg, msg_size, specs[i], "a hub takes no argument");
                result = C9_ERR_INVAL;
                goto out;
            }
            continue;
        }
        if (ndev == MAX_DEVICES) {
            fail(msg, msg_size, specs[i], "too many devices: a hub has 7 ports");
            result = C9_ERR_INVAL;
            goto out;
        }
        c9_usbsim_dev_t *d = make_device(specs[i], &s[i], msg, msg_size);
        if (!d) {
            result = C9_ERR_INVAL;
            goto out;
        }
        if (add_fault(d, s[i].stall, C9_USBSIM_FAULT_STALL) < 0 || add_fault(d, s[i].nak, C9_USBSIM_FAULT_NAK) < 0 ||
            add_fault(d, s[i].unplug, C9_USBSIM_FAULT_DISCONNECT) < 0) {
            fail(msg, msg_size, specs[i], "too many faults");
            result = C9_ERR_INVAL;
            goto out;
        }
        devs[ndev++] = d;
    }
    if (want_hub || ndev > 1) {
        /* One Type A socket: more than one device needs a hub, as on the board. */
        hub = calloc(1, sizeof *hub);
        if (!hub || c9_usbsim_hub_init(hub, NULL, ndev > 4 ? MAX_DEVICES : 4) != C9_OK) {
            fail(msg, msg_size, specs[0], "out of memory");
            result = C9_ERR_NOMEM;
            goto out;
        }
        c9_usbsim_plug(&bus, &hub->dev);
    }
    for (size_t i = 0; i < ndev; i++) {
        plug(devs[i]);
    }
    configured = true;
out:
    pthread_mutex_unlock(&lock);
    return result;
}

/* ---- the window's keys ------------------------------------------------------------------------------ */

void c9__host_usb_window_opened(void) {
    pthread_mutex_lock(&lock);
    bus_init();
    if (window_kbd || real) {
        pthread_mutex_unlock(&lock);
        return;
    }
    bool room = hub ? hub_ports_used + pending_count < hub->nports : bus.root == NULL && pending_count == 0;
    window_kbd = calloc(1, sizeof *window_kbd);
    if (window_kbd) {
        c9_usbsim_ident_t id = {.product = "Window Keyboard"};
        c9_usbsim_keyboard_init(window_kbd, &id);
        if (room) {
            plug(&window_kbd->dev);
            window_kbd_placed = true;
        }
    }
    pthread_mutex_unlock(&lock);
    if (window_kbd && !room && !window_note_done) {
        window_note_done = true;
        fprintf(stderr, "circuit9: the window's keys are not a USB keyboard: the host port is taken "
                        "(add --usb hub for a hub with room)\n");
    }
}

bool c9__host_usb_window_key(unsigned usage, bool down) {
    pthread_mutex_lock(&lock);
    if (!window_kbd || !window_kbd_placed) {
        pthread_mutex_unlock(&lock);
        return false;
    }
    if (usage == 0 || usage > 0xE7) {
        pthread_mutex_unlock(&lock);
        return true; /* a key the keyboard does not have */
    }
    bool changed = false;
    if (usage >= 0xE0) {
        /* Left/right Control, Shift, Alt, GUI: the modifier byte */
        uint8_t bit = (uint8_t)(1u << (usage - 0xE0));
        uint8_t mods = down ? (uint8_t)(window_mods | bit) : (uint8_t)(window_mods & ~bit);
        changed = mods != window_mods;
        window_mods = mods;
    } else {
        int at = -1, free_at = -1;
        for (int i = 0; i < 6; i++) {
            if (window_keys[i] == usage) {
                at = i;
            } else if (window_keys[i] == 0 && free_at < 0) {
                free_at = i;
            }
        }
        if (down && at < 0 && free_at >= 0) {
            window_keys[free_at] = (uint8_t)usage;
            changed = true;
        } else if (!down && at >= 0) {
            memmove(&window_keys[at], &window_keys[at + 1], (size_t)(5 - at)); /* keys stay packed */
            window_keys[5] = 0;
            changed = true;
        }
    }
    if (changed) {
        c9_usbsim_keyboard_report(window_kbd, window_mods, window_keys);
    }
    pthread_mutex_unlock(&lock);
    return true;
}
