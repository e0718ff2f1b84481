/*
 * circuit9: runs CircuitPython 9 programs on the desktop.
 *
 *     circuit9 SCRIPT.py [ARGS...]   run one script with every circuit9 module importable under
 *                                    its CircuitPython name; output on stdout, traceback on
 *                                    stderr, exit status 0 or 1 (like CircuitPython's unix port)
 *
 * The interpreter is Debian's CPython, embedded; circuit9's modules are built-ins, so
 * `import displayio` needs no path set-up.
 */
#include "c9py.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fputs("usage: circuit9 SCRIPT.py [ARGS...]\n"
          "Runs SCRIPT.py with CircuitPython 9's modules (displayio, bitmaptools, ...) built in.\n",
          f);
}

static int register_modules(void) {
    for (size_t i = 0; i < c9py_module_count; i++) {
        if (PyImport_AppendInittab(c9py_modules[i].name, c9py_modules[i].init) < 0) {
            fprintf(stderr, "circuit9: cannot register module %s\n", c9py_modules[i].name);
            return -1;
        }
    }
    return 0;
}

static int run_script(int argc, char **argv) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.parse_argv = 0;
    config.install_signal_handlers = 1;
    PyStatus status = PyConfig_SetBytesArgv(&config, argc, argv);
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetBytesString(&config, &config.run_filename, argv[0]);
    }
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
    /* Py_RunMain prints an uncaught exception's traceback and returns 1, as MicroPython does. */
    return Py_RunMain();
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (register_modules() < 0) {
        return 1;
    }
    return run_script(argc - 1, argv + 1);
}
