#include "circuit9/board.h"

#include <string.h>

/* c9_boards.h lists every boards/<name>.c as C9_BOARD(name), the default board first; each file
 * defines c9_board_<name>. */
#define C9_BOARD(name) extern const c9_board_t c9_board_##name;
#include "c9_boards.h"
#undef C9_BOARD

static const c9_board_t *const boards[] = {
#define C9_BOARD(name) &c9_board_##name,
#include "c9_boards.h"
#undef C9_BOARD
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
