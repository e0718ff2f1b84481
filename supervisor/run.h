#ifndef C9_SUP_RUN_H
#define C9_SUP_RUN_H
#include <stdbool.h>

typedef struct run_options {
    const char *dir;        /* the CIRCUITPY folder */
    const char *board;      /* --board */
    const char *safe_mode;  /* --safe-mode REASON (a SafeModeReason name) or NULL */
    const char *screenshot; /* --screenshot FILE.png */
    bool pty;               /* --serial pty */
    bool window;            /* a window when a display server is present */
    bool breakouts;         /* --breakouts on|off: stand-in display breakouts on free pins */
    int runs;               /* --runs N, 0 = forever */
    /* the world around the board (docs/periph.md) */
    const char **sets; /* --set NAME=VALUE, set_count of them */
    int set_count;
    const char *events;   /* --events FILE */
    const char *state;    /* --state FILE.json */
    const char **devices; /* --device SPEC, device_count of them */
    int device_count;
    const char *screenshot_board; /* --screenshot-board FILE.png */
    const char *audio_out;        /* --audio-out FILE.wav: record the audio outputs (docs/audio.md) */
    const char *clock;            /* --clock real|stepped (NULL: stepped when recording audio) */
    const char *usb[8];           /* --usb DEVICE (repeatable): plugged into the board's USB host port */
    int usb_count;
    unsigned sockets;  /* --sockets N: the network's socket limit, 0 = the board's */
    const char *drive; /* --drive IMG: the drive is this disk image instead of the folder */
    const char *sd;    /* --sd IMG: a card with this image in the board's SD slot */
} run_options_t;

/* `circuit9 run`: the board's supervisor loop. Returns the process exit status. */
int run_board(const run_options_t *opt);
#endif
