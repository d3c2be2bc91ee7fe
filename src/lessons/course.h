/* course: lessons at run time: checks evaluated against real state (the
 * session's snapshot, the host), and the commands a lesson may hold.
 */
#ifndef BOXSTEP_COURSE_H
#define BOXSTEP_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lessons/lesson.h"
#include "session/session.h"

/* What a check is judged against: the session's snapshot, and what the
 * host looked like when the lesson (or the step) began. */
struct course_ctx {
	struct session *s;      /* the session the lesson's lines run in */
	const struct session_snapshot *snap; /* what checks read: S's */
	char host_hostname[65]; /* at the lesson's start */
	char *mounts_before;    /* the host's mountinfo at the step's start */
};

/* Sets CTX up over the session S, the host's hostname taken now. */
void course_ctx_init(struct course_ctx *ctx, struct session *s);

/* Says whether check C holds now.  Writes what was seen, for the learner,
 * into WHY. */
bool course_check(const struct course_ctx *ctx, const struct lesson_check *c,
		  char *why, size_t len);

/* One line on what check C asks for, in words, into BUF; {KEY} is the
 * setting's value in CTX's session now. */
void course_check_describe(const struct course_ctx *ctx,
			   const struct lesson_check *c, char *buf,
			   size_t len);

/* Evaluates the checks of step S after a command: one that held stays
 * held, except `always:` checks, which must hold now.  HELD has one flag
 * per check. */
void course_update(const struct course_ctx *ctx, const struct lesson_step *s,
		   bool *held);

/* Starts a step: the session forgets the last output and status, and
 * the host's mount table is taken as the step's "before". */
void course_step_begin(struct course_ctx *ctx);

void course_ctx_free(struct course_ctx *ctx);

/* For an output check C, the Nth near miss of OUTPUT (output.h) into
 * BUF: the line C matched with one word it names altered.  Returns false
 * when there is no Nth, or C is not an output check. */
bool course_near_miss(const struct course_ctx *ctx,
		      const struct lesson_check *c, const char *output,
		      size_t n, char *buf, size_t len);

/* Says whether WORD names a command a lesson may hold: one of the
 * registry's (exactly or as an unambiguous prefix) that does not steer
 * the lesson. */
bool course_known_command(const char *word);

#endif
