/* course: lessons at run time: checks evaluated against real state, and
 * the autoplay behind `boxstep check`.
 */
#ifndef BOXSTEP_COURSE_H
#define BOXSTEP_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lessons/lesson.h"
#include "ui/repl.h"

/* What a check is judged against, besides the REPL session. */
struct course_ctx {
	struct repl *r;
	char host_hostname[65]; /* at the lesson's start */
	char *mounts_before;    /* the host's mountinfo at the step's start */
	char *output;           /* the last command's output (stdout+stderr) */
	int status;             /* its exit status, -1 before any */
};

/* Says whether check C holds now.  Writes what was seen, for the learner,
 * into WHY. */
bool course_check(const struct course_ctx *ctx, const struct lesson_check *c,
		  char *why, size_t len);

/* Runs one REPL command line with its output captured into CTX->output
 * (and, when ECHO, copied to stdout); sets CTX->status. */
void course_run(struct course_ctx *ctx, const char *line, bool echo);

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

/* Starts a step: forgets the last output and status, and takes the
 * host's mount table as the step's "before". */
void course_step_begin(struct course_ctx *ctx);

void course_ctx_free(struct course_ctx *ctx);

/* For an output check C, the Nth near miss of OUTPUT (output.h) into
 * BUF: the line C matched with one word it names altered.  Returns false
 * when there is no Nth, or C is not an output check. */
bool course_near_miss(const struct course_ctx *ctx,
		      const struct lesson_check *c, const char *output,
		      size_t n, char *buf, size_t len);

/* Says whether the file PATH lies inside the directory DIR. */
bool course_in_dir(const char *path, const char *dir);

/* Lesson files run commands as root.  For one from outside DIR (boxstep's
 * lessons), unless TRUST: says where it comes from (owner, date) and
 * which of its commands run on the host, then asks on a terminal; off a
 * terminal it refuses, naming --trust.  Returns true to go on. */
bool course_trust(const char *path, const struct lesson *l, const char *dir,
		  bool trust);

/* The lessons directory: $BOXSTEP_LESSONS; else beside the binary (a
 * build tree), else the installed share directory (DATADIR/lessons).  Leaves BUF empty when
 * there is none. */
void course_lessons_dir(char *buf, size_t len, const char *datadir);

/* Says whether WORD is a REPL command or an unambiguous prefix of one. */
bool course_known_command(const char *word);

#endif
