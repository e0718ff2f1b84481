#include "circuit9/board.h"

#include <string.h>

/* Each boards/<name>.c defines one of these; the order here is the listing order, and the
 * first is the default board (the camera board the demo targets). */
extern const c9_board_t c9_board_memento;
extern const c9_board_t c9_board_tdisplay_s3;
extern const c9_board_t c9_board_feather_s3_tft;
extern const c9_board_t c9_board_samd21_oled;
extern const c9_board_t c9_board_pico;
extern const c9_board_t c9_board_feather_rp2040_usb_host;

static const c9_board_t *const boards[] = {
    &c9_board_memento,
    &c9_board_tdisplay_s3,
    &c9_board_feather_s3_tft,
    &c9_board_samd21_oled,
    &c9_board_pico,
    &c9_board_feather_rp2040_usb_host,
};

size_t c9_board_count(void) {
    return C9_ARRAY_SIZE(boards);
}

const c9_board_t *c9_board_at(size_t index) {
    return index < C9_ARRAY_SIZE(boards) ? boards[index] : NULL;
}

const c9_board_t *c9_board_default(void) {
    return boards[0];
}

const c9_board_t *c9_board_find(const char *name) {
    if (!name) {
        return NULL;
    }
    for (size_t i = 0; i < C9_ARRAY_SIZE(boards); i++) {
        if (!strcmp(boards[i]->name, name) || !strcmp(boards[i]->board_id, name)) {
            return boards[i];
        }
    }
    return NULL;
}

bool c9_board_has_module(const c9_board_t *board, const char *name) {
    if (!board || !board->modules || !name) {
        return false;
    }
    for (const char *const *m = board->modules; *m; m++) {
        if (!strcmp(*m, name)) {
            return true;
        }
    }
    return false;
}

const c9_board_pin_t *c9_board_pin(const c9_board_t *board, const char *name) {
    if (!board || !name) {
        return NULL;
    }
    for (size_t i = 0; i < board->pin_count; i++) {
        if (!strcmp(board->pins[i].name, name)) {
            return &board->pins[i];
        }
    }
    return NULL;
}
