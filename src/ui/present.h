/* present: projector mode's script, as pure state.
 *
 * `boxstep present LESSON` types the lesson's commands for the presenter:
 * each Space types the next chunk of the current command (a word and the
 * blanks after it), Enter runs it, and once a step's commands have all
 * run, Space moves to the next step.  The TUI (tui.c) draws the screen
 * and writes the bytes to the REPL's pty; this file only decides them.
 */
#ifndef BOXSTEP_PRESENT_H
#define BOXSTEP_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "lessons/lesson.h"

struct present {
	const struct lesson *l;
	size_t step;   /* 0-based */
	size_t cmd;    /* the step's command being typed */
	size_t typed;  /* bytes of it typed so far */
};

enum present_do {
	PRESENT_NOTHING,  /* at the end of the lesson */
	PRESENT_TYPE,     /* type BYTES (a chunk) */
	PRESENT_RUN,      /* type BYTES (the rest of the command, maybe none)
			   * and Enter */
	PRESENT_STEP,     /* go to step P->step (already moved) */
};

struct present_action {
	enum present_do what;
	const char *bytes;
	size_t len;
};

void present_init(struct present *p, const struct lesson *l);

/* Space or →: the next chunk, or, with every command run, the next
 * step. */
struct present_action present_space(struct present *p);

/* Enter: the rest of the command and Enter; with no command left, the
 * next step, as Space. */
struct present_action present_enter(struct present *p);

/* ←: the step before (the caller rebuilds the session for it).  Returns
 * false at the first step. */
bool present_back(struct present *p);

/* Says whether the current command is partly typed. */
bool present_mid_command(const struct present *p);

#endif
