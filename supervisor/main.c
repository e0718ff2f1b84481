/*
 * circuit9: runs CircuitPython 9 programs on the desktop.
 *
 *     circuit9 SCRIPT.py [ARGS...]   run one script as CircuitPython's unix port does: every
 *                                    circuit9 module importable under its CircuitPython name,
 *                                    CircuitPython's language and module set (userenv.py);
 *                                    output on stdout, traceback on stderr, exit status 0 or 1
 *     circuit9 run [DIR] [OPTIONS]   run a CIRCUITPY folder (default ./CIRCUITPY) on a virtual
 *                                    board, with CircuitPython's supervisor (run.c)
 *     circuit9 image DIR -o IMG      write the drive a board presents over USB (image.c)
 *
 * The interpreter is Debian's CPython, embedded; circuit9's modules are built-ins, so
 * `import displayio` needs no path set-up. Modules whose names CPython also uses (os, time, gc)
 * are not built-ins: the standard library keeps CPython's, and user code gets CircuitPython's.
 */
#include "c9py.h"
#include "circuit9/board.h"
#include "pyenv.h"
#include "image.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
    fputs("usage: circuit9 SCRIPT.py [ARGS...]\n"
          "       circuit9 run [DIR] [--board NAME] [--serial stdio|pty] [--runs N] [--screenshot FILE.png]\n"
          "                    [--safe-mode REASON] [--no-window] [--breakouts on|off] [--sockets N]\n"
          "                    [--set NAME=VALUE]... [--events FILE] [--state FILE.json]\n"
          "                    [--device [NAME=]MODEL[,KEY=VALUE...]@TARGET]... [--screenshot-board FILE.png]\n"
          "                    [--audio-out FILE.wav] [--clock real|stepped]\n"
          "                    [--usb DEVICE]...  (keyboard[:type=TEXT], mouse, gamepad, midi:FILE.mid, cdc,\n"
          "                    hub, replay:FILE.pcap, libusb:VID:PID; for boards with a USB host port)\n"
          "                    [--drive IMAGE] [--sd IMAGE]\n"
          "       circuit9 boards\n"
          "       circuit9 image DIR -o IMAGE [--size N] [--label NAME] | --extract IMAGE DIR\n"
          "SCRIPT.py runs with CircuitPython 9's modules (displayio, bitmaptools, ...) built in.\n"
          "`run` starts a virtual board on the CIRCUITPY folder DIR (default ./CIRCUITPY): boot.py,\n"
          "code.py, settings.toml, auto-reload, the REPL, as CircuitPython 9 does. With --breakouts on\n"
          "(the default) a display bus built on free pins gets the breakout its driver describes.\n"
          "--set drives a pin (D5=0, A0=1.65V) or sets a device's property (lis3dh.x=0.5g) from the\n"
          "start; --events FILE does it at times (lines 'SECONDS NAME=VALUE' from code.py's start);\n"
          "--state writes the board's outputs as JSON when code.py ends; --device puts a model on a bus\n"
          "(lis3dh@i2c:0x18, model.py@spi:D5, neopixel,count=30@D6). docs/periph.md has the details.\n"
          "--audio-out records what the audio outputs play, sample for sample, on a stepped clock\n"
          "(time passes only while the program waits) unless --clock real.\n"
          "--sockets N sets how many sockets the board's network has at once (8 on ESP32-S3 boards).\n"
          "--drive runs the board from a drive image (circuit9 image) instead of a folder; --sd puts a\n"
          "card holding a disk image (mkfs.fat) in the board's SD card slot.\n",
          f);
}

static int register_modules(void) {
    for (size_t i = 0; i < c9py_module_count; i++) {
        if (pyenv_shadows_cpython(c9py_modules[i].name)) {
            continue;
        }
        if (PyImport_AppendInittab(c9py_modules[i].name, c9py_modules[i].init) < 0) {
            fprintf(stderr, "circuit9: cannot register module %s\n", c9py_modules[i].name);
            return -1;
        }
    }
    return 0;
}

/* The exit status of a script that raised: SystemExit's code, or 1 after the traceback (on
 * stderr, in CircuitPython's format). */
static int script_failed(void) {
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyObject *code = v ? PyObject_GetAttrString(v, "code") : NULL;
        int status = 0;
        if (code && PyLong_Check(code)) {
            status = (int)PyLong_AsLong(code);
        } else if (code && code != Py_None) {
            PyObject *s = PyObject_Str(code);
            const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
            fprintf(stderr, "%s\n", text ? text : "");
            Py_XDECREF(s);
            status = 1;
        }
        PyErr_Clear();
        Py_XDECREF(code);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        return status;
    }
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb && v) {
        PyException_SetTraceback(v, tb);
    }
    PyObject *text = v ? pyenv_call("_format_exception", "(O)", v) : NULL;
    const char *s = text ? PyUnicode_AsUTF8(text) : NULL;
    PyObject *out = PySys_GetObject("stdout"); /* borrowed */
    PyObject *r = out ? PyObject_CallMethod(out, "flush", NULL) : NULL;
    Py_XDECREF(r);
    if (s) {
        fputs(s, stderr);
    } else {
        PyErr_Print();
    }
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return 1;
}

static int run_script(int argc, char **argv) {
    PyConfig config;
    PyStatus status = pyenv_config(&config, argc, argv);
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        if (PyStatus_IsExit(status)) {
            return status.exitcode;
        }
        Py_ExitStatusException(status);
    }
    if (pyenv_start(c9_board_default(), "", true) < 0) {
        return 1;
    }
    PyObject *args = PyList_New(0);
    for (int i = 0; args && i < argc; i++) {
        PyObject *a = PyUnicode_DecodeFSDefault(argv[i]);
        if (!a || PyList_Append(args, a) < 0) {
            Py_CLEAR(args);
        }
        Py_XDECREF(a);
    }
    PyObject *path = PyUnicode_DecodeFSDefault(argv[0]);
    PyObject *r = args && path ? pyenv_call("_run_script", "(OO)", path, args) : NULL;
    Py_XDECREF(path);
    Py_XDECREF(args);
    int rc = 0;
    if (!r) {
        rc = script_failed();
    }
    Py_XDECREF(r);
    /* atexit's functions, as the unix port runs them when the script ends. */
    r = pyenv_call("_run_atexit", "()");
    if (!r && rc == 0) {
        rc = script_failed();
    }
    PyErr_Clear();
    Py_XDECREF(r);
    PyObject *out = PySys_GetObject("stdout");
    r = out ? PyObject_CallMethod(out, "flush", NULL) : NULL;
    Py_XDECREF(r);
    PyErr_Clear();
    if (Py_FinalizeEx() < 0 && rc == 0) {
        rc = 120;
    }
    return rc;
}

static int list_boards(void) {
    for (size_t i = 0; i < c9_board_count(); i++) {
        const c9_board_t *b = c9_board_at(i);
        const c9_board_display_t *d = b->display;
        printf("%-16s %s with %s", b->name, b->description, b->mcu);
        if (d) {
            printf(", %ux%u %s", d->width, d->height, d->controller);
        }
        printf("%s\n", i == 0 ? " (default)" : "");
    }
    return 0;
}

/* --name VALUE or --name=VALUE */
static const char *option(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) {
        return NULL;
    }
    if (argv[*i][n] == '=') {
        return argv[*i] + n + 1;
    }
    if (argv[*i][n] == 0 && *i + 1 < argc) {
        return argv[++*i];
    }
    return NULL;
}

static int run_command(int argc, char **argv) {
    run_options_t opt = {.dir = "CIRCUITPY", .window = true, .breakouts = true};
    /* Repeatable options point into argv; there are at most argc of each. */
    const char **sets = calloc((size_t)argc + 1, sizeof(char *)), **devices = calloc((size_t)argc + 1, sizeof(char *));
    if (!sets || !devices) {
        fprintf(stderr, "circuit9: out of memory\n");
        return 1;
    }
    opt.sets = sets;
    opt.devices = devices;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if ((v = option(argc, argv, &i, "--board"))) {
            opt.board = v;
        } else if ((v = option(argc, argv, &i, "--safe-mode"))) {
            opt.safe_mode = v;
        } else if ((v = option(argc, argv, &i, "--screenshot"))) {
            opt.screenshot = v;
        } else if ((v = option(argc, argv, &i, "--runs"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1) {
                fprintf(stderr, "circuit9: --runs needs a positive number\n");
                return 2;
            }
            opt.runs = (int)n;
        } else if ((v = option(argc, argv, &i, "--sockets"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "circuit9: --sockets needs a number from 1 to 64\n");
                return 2;
            }
            opt.sockets = (unsigned)n;
        } else if ((v = option(argc, argv, &i, "--breakouts"))) {
            if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
                fprintf(stderr, "circuit9: --breakouts is on or off\n");
                return 2;
            }
            opt.breakouts = !strcmp(v, "on");
        } else if ((v = option(argc, argv, &i, "--drive"))) {
            opt.drive = v;
        } else if ((v = option(argc, argv, &i, "--sd"))) {
            opt.sd = v;
        } else if ((v = option(argc, argv, &i, "--serial"))) {
            if (!strcmp(v, "pty")) {
                opt.pty = true;
            } else if (strcmp(v, "stdio") != 0) {
                fprintf(stderr, "circuit9: --serial is stdio or pty\n");
                return 2;
            }
        } else if ((v = option(argc, argv, &i, "--set"))) {
            sets[opt.set_count++] = v;
        } else if ((v = option(argc, argv, &i, "--events"))) {
            opt.events = v;
        } else if ((v = option(argc, argv, &i, "--state"))) {
            opt.state = v;
        } else if ((v = option(argc, argv, &i, "--device"))) {
            devices[opt.device_count++] = v;
        } else if ((v = option(argc, argv, &i, "--screenshot-board"))) {
            opt.screenshot_board = v;
        } else if ((v = option(argc, argv, &i, "--audio-out"))) {
            opt.audio_out = v;
        } else if ((v = option(argc, argv, &i, "--clock"))) {
            if (strcmp(v, "real") != 0 && strcmp(v, "stepped") != 0) {
                fprintf(stderr, "circuit9: --clock is real or stepped\n");
                return 2;
            }
            opt.clock = v;
        } else if ((v = option(argc, argv, &i, "--usb"))) {
            if (opt.usb_count == (int)(sizeof opt.usb / sizeof opt.usb[0])) {
                fprintf(stderr, "circuit9: at most %d --usb devices\n", opt.usb_count);
                return 2;
            }
            opt.usb[opt.usb_count++] = v;
        } else if (!strcmp(argv[i], "--no-window")) {
            opt.window = false;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-') {
            opt.dir = argv[i];
        } else {
            fprintf(stderr, "circuit9: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    return run_board(&opt);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "boards")) {
        return list_boards();
    }
    if (!strcmp(argv[1], "image")) {
        return image_command(argc - 2, argv + 2);
    }
    if (register_modules() < 0) {
        return 1;
    }
    if (!strcmp(argv[1], "run")) {
        return run_command(argc - 2, argv + 2);
    }
    return run_script(argc - 1, argv + 1);
}
