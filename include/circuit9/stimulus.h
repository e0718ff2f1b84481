/*
 * circuit9 stimuli: the inputs a test gives a virtual board, as text. An assignment NAME=VALUE
 * sets a pin ("D5=0", "A0=1.65V") or a property of a simulated device ("lis3dh.x=0.5g"); an events
 * file holds lines "SECONDS NAME=VALUE [NAME=VALUE ...]" saying when (seconds from the start of
 * code.py, on the board's clock). '#' starts a comment; blank lines are ignored; times never go
 * back.
 *
 * Values are decimal numbers with an optional unit of letters: "1", "-2.5", "1.65V", "0.5g",
 * "2500mV". They are kept exact, in billionths, with the unit as written; what a unit means is the
 * receiver's business (a pin takes 0/1 or volts, a device model its own units).
 *
 *     c9_stim_t s;
 *     c9_stim_error_t e;
 *     if (c9_stim_parse_assignment("A0=1.65V", 8, &s, &e) == C9_OK) ...   // s.value.nano == 1650000000
 */
#ifndef CIRCUIT9_STIMULUS_H
#define CIRCUIT9_STIMULUS_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define C9_STIM_NAME_MAX 48 /* bytes of a name, NUL included */
#define C9_STIM_UNIT_MAX 8  /* bytes of a unit, NUL included */

typedef struct c9_stim_value {
    int64_t nano;                /* the number times 10^9 */
    char unit[C9_STIM_UNIT_MAX]; /* "" when none */
} c9_stim_value_t;

typedef struct c9_stim {
    uint64_t time_ns; /* 0 for an assignment given alone */
    /* A pin ("D5", "GPIO5") or DEVICE.PROPERTY: letters, digits and '_', not starting with a digit,
     * with at most one '.' between two such words. */
    char name[C9_STIM_NAME_MAX];
    c9_stim_value_t value;
} c9_stim_t;

typedef struct c9_stim_error {
    size_t line;      /* 1-based line of an events text (1 for an assignment) */
    size_t column;    /* 1-based byte within the line */
    const char *what; /* a static English sentence */
} c9_stim_error_t;

/* One NAME=VALUE (len bytes, no surrounding blanks).
 * @retval C9_OK
 * @retval C9_ERR_INVAL  not an assignment; *err (may be NULL) says where and why */
c9_err_t c9_stim_parse_assignment(const char *text, size_t len, c9_stim_t *out, c9_stim_error_t *err);

/* Every assignment of an events text, in order, each with its line's time. With out NULL only
 * counts (*count is how many there are).
 * @retval C9_OK
 * @retval C9_ERR_INVAL  a malformed line, or a time earlier than the one before (*err says where)
 * @retval C9_ERR_NOMEM  more than capacity assignments (*count is how many there are) */
c9_err_t c9_stim_parse_events(const char *text, size_t len, c9_stim_t *out, size_t capacity, size_t *count,
                              c9_stim_error_t *err);

/* A digital level: a value of exactly 0 or 1 with no unit. */
bool c9_stim_digital(const c9_stim_value_t *v, bool *level);
/* A voltage in millivolts: unit "V" or "mV" (rounded to the nearest mV); false otherwise or out of
 * int32 range. */
bool c9_stim_millivolts(const c9_stim_value_t *v, int32_t *mv);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_STIMULUS_H */
