/*
 * `circuit9 run`: CircuitPython 9's supervisor (main.c) on a virtual board. One embedded CPython
 * interpreter stands for the VM; a "fresh VM" is fresh globals, the drive's modules forgotten and
 * the board's displays reset, which is what user code can observe of a soft reboot.
 *
 * Start-up: safemode.py (in safe mode), boot.py once with its output in boot_out.txt (rewritten
 * only when it changed), then the loop: banner, code file, "Code done running.", "Press any
 * key...", the REPL on a key, a soft reboot on Ctrl-D, a reload on a file write (750 ms after the
 * last one), on supervisor.reload() or set_next_code_file(reload_on_...).
 *
 * This file starts the board and runs its sessions; run_code.c, run_repl.c, run_boot.c,
 * run_exec.c and run_reload.c hold the parts (run_internal.h).
 */
#define _GNU_SOURCE
#include "run_internal.h"

#include "board_hw.h"
#include "c9rt_usb.h"
#include "circuit9/port.h"
#include "console.h"
#include "pyenv.h"
#include "storage/storage.h"
#include "watch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

char run_version_info[256];

/* ---- the runtime's hooks into the board ------------------------------------------------------- */

static size_t serial_available(void) {
    return console_available();
}

/* usb_cdc.console's side of the console (c9rt.console_*). */
static void cdc_console_write(const uint8_t *data, size_t len) {
    console_serial_write((const char *)data, len);
}

static int cdc_console_read(int timeout_ms) {
    int c = console_getc(timeout_ms, NULL);
    return c >= 0 ? c : -1; /* end of input (a pipe): nothing more comes, as a silent host */
}

static size_t mem_free(void) {
    return board_memory_free();
}

static size_t mem_alloc(void) {
    return board_memory_used();
}

static void note_self_write(const char *p) {
    watch_note_self_write(p);
}

static void port_background(void *ctx) {
    (void)ctx;
    c9_port_background();
}

/* ---- start-up ------------------------------------------------------------------------------- */

static int parse_safe_mode(const char *name) {
    for (int i = 0; c9rt_safe_mode_names[i]; i++) {
        if (!strcasecmp(c9rt_safe_mode_names[i], name)) {
            return i;
        }
    }
    return -1;
}

static int setup_python(const c9_board_t *b) {
    PyConfig config;
    char *argv0[] = {(char *)"circuit9"};
    PyStatus st = pyenv_config(&config, 1, argv0);
    if (!PyStatus_Exception(st)) {
        st = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        fprintf(stderr, "circuit9: cannot start Python: %s\n", st.err_msg ? st.err_msg : "?");
        return -1;
    }
    PyObject *sys_argv = PyList_New(0);
    PySys_SetObject("argv", sys_argv);
    Py_XDECREF(sys_argv);

    PyObject *out = console_stdout_new(), *in = console_stdin_new();
    if (!out || !in) {
        return -1;
    }
    PySys_SetObject("stdout", out);
    PySys_SetObject("stderr", out);
    PySys_SetObject("stdin", in);
    Py_DECREF(out);
    Py_DECREF(in);
    if (pyenv_start(b, c9rt.root, false) < 0) {
        return -1;
    }
    /* The supervisor module makes the exception that stops a program for a reload or a reset;
     * it must exist before the first program runs, whether that program imports it or not. */
    PyObject *sup = PyImport_ImportModule("supervisor");
    if (!sup) {
        PyErr_Print();
        return -1;
    }
    Py_DECREF(sup);
    return 0;
}

/* board.DISPLAY: the display modules build it from the board table, on the panel we wired. */
static void make_display(const c9_board_t *b) {
    const c9_board_display_t *d = b->display;
    if (!d) {
        return;
    }
    static const char *const bus_names[] = {"none", "fourwire", "parallel", "i2c"};
    PyObject *data_pins = PyList_New(0);
    if (d->bus == C9_BOARD_BUS_PARALLEL) {
        size_t n = strlen(d->data0);
        for (int i = 0; i < 8; i++) {
            char name[64];
            snprintf(name, sizeof name, "%.*s%d", (int)(n - 1), d->data0, i);
            PyObject *s = PyUnicode_FromString(name);
            PyList_Append(data_pins, s);
            Py_XDECREF(s);
        }
    }
    PyObject *seq = PyBytes_FromStringAndSize((const char *)d->init_sequence, (Py_ssize_t)d->init_sequence_len);
    PyObject *desc = Py_BuildValue(
        "{s:s,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:z,s:N,s:i,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:O,s:O,s:i,s:i,s:i,"
        "s:i,s:O,s:O,s:z,s:N,s:z}",
        "bus", bus_names[d->bus], "clock", d->clock, "mosi", d->mosi, "miso", d->miso, "command", d->command,
        "chip_select", d->chip_select, "reset", d->reset, "write", d->write, "read", d->read, "scl", d->scl, "sda",
        d->sda, "board_spi_clock", b->spi_clock, "data_pins", data_pins, "address", d->i2c_address, "frequency",
        d->frequency, "width", d->width, "height", d->height, "colstart", d->colstart, "rowstart", d->rowstart,
        "rotation", d->rotation, "color_depth", d->color_depth, "grayscale", d->grayscale ? Py_True : Py_False,
        "pixels_in_byte_share_row", d->pixels_in_byte_share_row ? Py_True : Py_False, "set_column_command",
        d->set_column_command, "set_row_command", d->set_row_command, "write_ram_command", d->write_ram_command,
        "brightness_command", d->brightness_command, "single_byte_bounds", d->single_byte_bounds ? Py_True : Py_False,
        "data_as_commands", d->data_as_commands ? Py_True : Py_False, "backlight", d->backlight, "init_sequence", seq,
        "board_i2c_scl", b->i2c_scl);
    if (!desc) {
        PyErr_Print();
        return;
    }
    PyObject *disp = pyenv_call("_make_display", "(O)", desc);
    Py_DECREF(desc);
    if (!disp) {
        /* The display modules are not (yet) there: the board runs without board.DISPLAY. */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        fprintf(stderr, "circuit9: board.DISPLAY unavailable: %s\n", s ? PyUnicode_AsUTF8(s) : "?");
        Py_XDECREF(s);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_Clear();
        return;
    }
    c9rt.display = disp;
    Py_INCREF(disp);
    c9rt.primary_display = disp; /* common_hal_displayio_auto_primary_display() at start-up */
}

static const c9_board_t *find_board(const char *name) {
    const c9_board_t *b = name ? c9_board_find(name) : c9_board_default();
    if (!b) {
        fprintf(stderr, "circuit9: unknown board '%s'; boards:", name);
        for (size_t i = 0; i < c9_board_count(); i++) {
            fprintf(stderr, " %s", c9_board_at(i)->name);
        }
        fputc('\n', stderr);
    }
    return b;
}

/* --safe-mode REASON: a SafeModeReason name, or -1 after a message. */
static int safe_mode_option(const char *name) {
    if (!name) {
        return C9RT_SAFE_NONE;
    }
    int safe = parse_safe_mode(name);
    if (safe < 0) {
        fprintf(stderr, "circuit9: unknown safe mode reason '%s' (one of:", name);
        for (int i = 1; c9rt_safe_mode_names[i]; i++) {
            fprintf(stderr, " %s", c9rt_safe_mode_names[i]);
        }
        fputs(")\n", stderr);
    }
    return safe;
}

/* ---- the world around the board: --set, --events, --device ----------------------------------- */

/* The device name a --device spec gives: NAME= before the model, else the model's (a file's stem). */
static void device_name(const char *spec, char *out, size_t size) {
    const char *at = strrchr(spec, '@');
    size_t n = at ? (size_t)(at - spec) : strlen(spec);
    const char *comma = memchr(spec, ',', n);
    n = comma ? (size_t)(comma - spec) : n;
    const char *eq = memchr(spec, '=', n);
    const char *model = eq ? eq + 1 : spec;
    size_t len = eq ? (size_t)(eq - spec) : n - (size_t)(model - spec);
    if (!eq) {
        const char *slash = memrchr(model, '/', len);
        if (slash) {
            len -= (size_t)(slash + 1 - model);
            model = slash + 1;
        }
        if (len > 3 && !strncmp(model + len - 3, ".py", 3)) {
            len -= 3;
        }
    }
    snprintf(out, size, "%.*s", (int)len, model);
    for (char *p = out; !eq && *p; p++) {
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
}

/* A name the board knows: one of its pins, a microcontroller pin, or DEVICE.PROPERTY of a --device. */
static bool known_name(const run_options_t *opt, const c9_board_t *b, const char *name) {
    const char *dot = strchr(name, '.');
    if (!dot) {
        return true; /* a pin: the port knows its pins once it is up (bad_input() reports) */
    }
    if (b->touch_x1 && (size_t)(dot - name) == strlen("touchscreen") && !strncmp(name, "touchscreen", 11)) {
        return true; /* the board's own touchscreen */
    }
    for (int i = 0; i < opt->device_count; i++) {
        char dev[C9_STIM_NAME_MAX];
        device_name(opt->devices[i], dev, sizeof dev);
        if (strlen(dev) == (size_t)(dot - name) && !strncmp(dev, name, (size_t)(dot - name))) {
            return true;
        }
    }
    return false;
}

static c9_stim_t *world_inputs, *world_events;

/* Parses --set and --events into the port's configuration; 0, or 2 after a message. */
static int parse_world(const run_options_t *opt, const c9_board_t *b, c9_port_config_t *port) {
    world_inputs = calloc((size_t)opt->set_count + 1, sizeof(c9_stim_t));
    if (!world_inputs) {
        return 2;
    }
    for (int i = 0; i < opt->set_count; i++) {
        c9_stim_error_t e;
        if (c9_stim_parse_assignment(opt->sets[i], strlen(opt->sets[i]), &world_inputs[i], &e) != C9_OK) {
            fprintf(stderr, "circuit9: --set %s: %s (at character %zu)\n", opt->sets[i], e.what, e.column);
            return 2;
        }
    }
    size_t count = 0;
    if (opt->events) {
        FILE *f = fopen(opt->events, "rb");
        char *text = NULL;
        size_t len = 0;
        if (f) {
            fseek(f, 0, SEEK_END);
            long size = ftell(f);
            fseek(f, 0, SEEK_SET);
            text = size >= 0 ? malloc((size_t)size + 1) : NULL;
            len = text ? fread(text, 1, (size_t)size, f) : 0;
            fclose(f);
        }
        if (!text) {
            fprintf(stderr, "circuit9: cannot read --events %s\n", opt->events);
            return 2;
        }
        c9_stim_error_t e;
        c9_err_t err = c9_stim_parse_events(text, len, NULL, 0, &count, &e);
        if (err == C9_OK && (world_events = calloc(count + 1, sizeof(c9_stim_t))) != NULL) {
            err = c9_stim_parse_events(text, len, world_events, count, &count, &e);
        }
        free(text);
        if (err != C9_OK) {
            fprintf(stderr, "circuit9: %s:%zu:%zu: %s\n", opt->events, e.line, e.column, e.what);
            return 2;
        }
    }
    const struct {
        const c9_stim_t *s;
        size_t n;
        const char *what;
    } lists[2] = {{world_inputs, (size_t)opt->set_count, "--set"}, {world_events, count, opt->events}};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l].n; i++) {
            if (!known_name(opt, b, lists[l].s[i].name)) {
                fprintf(stderr, "circuit9: %s: %s is no pin of %s and no --device's property\n", lists[l].what,
                        lists[l].s[i].name, b->name);
                return 2;
            }
        }
    }
    port->inputs = world_inputs;
    port->input_count = (size_t)opt->set_count;
    port->events = world_events;
    port->event_count = count;
    return 0;
}

/* The input the port refused (c9_port_init's C9_ERR_NOENT or C9_ERR_INVAL), said in words. */
static void bad_input(const run_options_t *opt, const c9_board_t *b, const c9_port_config_t *port) {
    const c9_stim_t *lists[2] = {port->inputs, port->events};
    size_t counts[2] = {port->input_count, port->event_count};
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < counts[l]; i++) {
            const c9_stim_t *s = &lists[l][i];
            const c9_board_pin_t *bp = c9_board_pin(b, s->name);
            bool level;
            int32_t mv;
            if (strchr(s->name, '.')) {
                continue;
            }
            if (c9_port_pin_find(bp ? bp->mcu_pin : s->name) < 0) {
                fprintf(stderr, "circuit9: %s: %s is no pin of %s\n", l ? opt->events : "--set", s->name, b->name);
                return;
            }
            if (!c9_stim_digital(&s->value, &level) && !c9_stim_millivolts(&s->value, &mv)) {
                fprintf(stderr, "circuit9: %s: %s takes 0, 1 or a voltage (1.65V), not %lld.%09lld%s\n",
                        l ? opt->events : "--set", s->name, (long long)(s->value.nano / 1000000000),
                        (long long)llabs(s->value.nano % 1000000000), s->value.unit);
                return;
            }
        }
    }
}

/* --device: each model goes on its bus through the host's Python (circuit9_board); 0 or 2. */
static int attach_devices(const run_options_t *opt) {
    for (int i = 0; i < opt->device_count; i++) {
        PyObject *r = pyenv_call("_attach_device", "(s)", opt->devices[i]);
        if (!r) {
            PyObject *t, *v, *tb;
            PyErr_Fetch(&t, &v, &tb);
            PyObject *s = v ? PyObject_Str(v) : NULL;
            fprintf(stderr, "circuit9: --device %s: %s\n", opt->devices[i], s ? PyUnicode_AsUTF8(s) : "failed");
            Py_XDECREF(s);
            Py_XDECREF(t);
            Py_XDECREF(v);
            Py_XDECREF(tb);
            PyErr_Clear();
            return 2;
        }
        Py_DECREF(r);
    }
    return 0;
}

/* The board around the interpreter: its drive, memory, the machine (pins, panels, window), the
 * runtime's hooks, the console and Python. 0, or the exit status. */
/* Why a disk image given with --drive or --sd cannot be used. */
/* The drive at "/": the folder, or the FAT volume on block device "CIRCUITPY" (a drive image
 * here, the flash on a microcontroller port). */
static int mount_drive(const run_options_t *opt) {
    const c9_port_fs_t *fs = opt->drive ? NULL : c9_port_drive();
    const c9_blockdev_t *bd;
    if (!fs && c9_port_blockdev("CIRCUITPY", &bd) != C9_OK) {
        fprintf(stderr, "circuit9: the machine has no drive\n");
        return -1;
    }
    if ((fs ? c9py_vfs_mount_drive_folder(fs) : c9py_vfs_mount_drive_blockdev(bd)) < 0) {
        PyErr_Clear();
        fprintf(stderr, "circuit9: %s holds no FAT volume\n", opt->drive ? opt->drive : "the drive");
        return -1;
    }
    return 0;
}

static int start_board(const run_options_t *opt, const c9_board_t *b) {
    struct stat st;
    if (opt->drive) {
        c9rt.root[0] = 0; /* no folder: the drive is the image's FAT volume */
    } else if (!realpath(opt->dir, c9rt.root) || stat(c9rt.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        /* A board without its drive boots into safe mode; here the folder is all there is. */
        fprintf(stderr, "circuit9: %s is not a folder\n", opt->dir);
        return 2;
    }
    if (board_memory_init(b) < 0) {
        return 1;
    }
    char why[512] = "";
    c9_port_config_t port = {.board = b,
                             .drive = c9rt.root,
                             .window = opt->window,
                             .breakouts = opt->breakouts,
                             .usb_devices = opt->usb,
                             .usb_device_count = (size_t)opt->usb_count,
                             .message = why,
                             .message_size = sizeof why,
                             .drive_image = opt->drive,
                             .sd_image = opt->sd};
    int world = parse_world(opt, b, &port);
    if (world != 0) {
        return world;
    }
    port.audio_out = opt->audio_out;
    port.stepped_clock = opt->clock ? !strcmp(opt->clock, "stepped") : opt->audio_out != NULL;
    run_net_config(&port, opt->sockets);
    c9_err_t err = c9_port_init(&port);
    if (err != C9_OK && why[0]) {
        fprintf(stderr, "circuit9: %s\n", why);
        return 2;
    }
    if (err == C9_ERR_NOENT || err == C9_ERR_INVAL) {
        bad_input(opt, b, &port);
        return 2;
    }
    if (err != C9_OK) {
        fprintf(stderr, "circuit9: the machine for %s did not start (%s)\n", b->name, c9_strerror(err));
    }
    c9rt_background_add(port_background, NULL);
    c9rt.mem_free = mem_free;
    c9rt.mem_alloc = mem_alloc;
    c9rt.serial_bytes_available = serial_available;
    c9rt.console_write = cdc_console_write;
    c9rt.console_read = cdc_console_read;
    c9rt.console_clear_input = console_clear_input;
    c9rt.note_self_write = note_self_write;
    if (console_open(opt->pty) < 0) {
        return 1;
    }
    if (setup_python(b) < 0) {
        console_close();
        return 1;
    }
    if (mount_drive(opt) < 0 || attach_devices(opt) != 0) {
        console_close();
        return 2;
    }
    make_display(b);
    /* A USB keyboard on the host port types into the console (CircuitPython's keyboard
     * workflow); a board that starts its own host port has its devices ready before boot.py. */
    c9rt_usb_set_console(console_inject);
    if (c9rt_usb_board_start(b) < 0) {
        console_close();
        return 1;
    }
    return 0;
}

/* Soft reboots until a hard reset or the end: code.py, the REPL on a key, again on a reload.
 * *hard_reset tells whether microcontroller.reset() ended it (and the board starts again);
 * *runs_done counts code runs across resets (--runs). Returns the last run's result. */
static int soft_reboots(const run_options_t *opt, bool *hard_reset, int *runs_done) {
    loop_t L = {.opt = opt, .runs_done = *runs_done};
    int exit_code = EXEC_FORCED_EXIT;
    bool skip_repl = true, simulate_reset = true;
    *hard_reset = false;
    for (;;) {
        if (!skip_repl) {
            exit_code = run_repl();
            c9rt.run_reason = C9RT_RUN_REPL_RELOAD;
            if (exit_code == EXEC_HARD_RESET && !c9rt.reset_requested) {
                break; /* end of input */
            }
        }
        if (exit_code == EXEC_HARD_RESET || L.last_result == EXEC_HARD_RESET) {
            *hard_reset = true;
            break;
        }
        if (exit_code != EXEC_FORCED_EXIT && exit_code != EXEC_RELOAD) {
            break;
        }
        if (!simulate_reset) {
            console_cookeds("soft reboot\n");
        }
        simulate_reset = false;
        skip_repl = run_code_py(&L);
        if (L.last_result == EXEC_HARD_RESET) {
            *hard_reset = !L.exit_now; /* the last of --runs: the board stops instead */
            break;
        }
        if (L.exit_now) {
            break;
        }
    }
    *runs_done = L.runs_done;
    return L.last_result;
}

int run_board(const run_options_t *opt) {
    const c9_board_t *b = find_board(opt->board);
    int safe = b ? safe_mode_option(opt->safe_mode) : -1;
    if (safe < 0) {
        return 2;
    }
    c9rt.board = b;
    c9rt.active = true;
    snprintf(run_version_info, sizeof run_version_info, C9_VERSION_INFO_FMT, b->description, b->mcu);
    int rc = start_board(opt, b);
    if (rc != 0) {
        return rc;
    }
    int status = 0;
    int runs_done = 0; /* code runs so far, across resets (--runs) */
    for (bool hard_reset = true; hard_reset;) {
        c9rt.safe_mode = safe;
        c9rt.run_reason = C9RT_RUN_STARTUP;
        c9rt.autoreload = safe == C9RT_SAFE_NONE;
        c9rt.root_writable = false;
        console_line_clear();
        run_safemode_py();
        run_boot_py();
        static bool watching;
        /* A drive image is not watched: nothing else writes it while the board runs. */
        if (!watching && c9rt.root[0] && watch_start(c9rt.root, run_autoreload_on_write) == 0) {
            watching = true;
        }
        int last = soft_reboots(opt, &hard_reset, &runs_done);
        status = last == EXEC_EXCEPTION ? 1 : 0;
        if (hard_reset) {
            /* microcontroller.reset(): a new start, in safe mode if on_next_reset() asked. */
            safe = c9rt.next_reset_mode == C9RT_RUNMODE_SAFE_MODE ? C9RT_SAFE_PROGRAMMATIC : C9RT_SAFE_NONE;
            c9rt.next_reset_mode = C9RT_RUNMODE_NORMAL;
            c9rt.reset_requested = false;
            run_autoreload_reset();
        }
    }
    console_close();
    fflush(stdout);
    /* Py_FinalizeEx could wait on threads user code left running; a board just stops. */
    _exit(status);
}
