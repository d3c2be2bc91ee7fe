/* runner: a lesson taken interactively, at the REPL.
 *
 * `boxstep lesson NAME` (or `lesson NAME` at the prompt) starts or resumes
 * a lesson: the step's text is printed (and, in the TUI, shown in the
 * lesson panel); after every command the learner types, the step's checks
 * are evaluated against real state and the learner is told what now holds
 * and what is still missing.  hint, next, prev, goto N, step and `lesson
 * reset` steer it (steer.c); progress is saved after every change (see
 * progress.h).
 *
 * The runtime sits on a session: its commands are in the registry
 * (runner_register()), and runner_attach() sets the session's hook, so
 * that each line typed at the prompt comes to it to be run and judged.
 */
#ifndef BOXSTEP_RUNNER_H
#define BOXSTEP_RUNNER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "lessons/course.h"
#include "lessons/lesson.h"
#include "session/session.h"

/* How the runtime starts on a session. */
struct runner_opts {
	const char *dir;     /* the lessons directory ("": none found) */
	bool trust;          /* --trust: lesson files from anywhere */
	const char *start;   /* a lesson file to start as the REPL starts */
	bool start_checked;  /* ...and main() has vetted where it comes from */
	bool fresh;          /* lessons start at step 1, whatever the
			      * progress says */
};

/* The lesson being taken. */
struct runner {
	char path[PATH_MAX];
	char progress_file[PATH_MAX];
	struct lesson l;
	size_t step;          /* 0-based */
	bool *held;           /* per check of the step */
	bool done_said;       /* "step done" was told */
	size_t hints_shown;
	long long step_since; /* when the step was entered, epoch seconds */
	bool busy;            /* running a line typed at the prompt */
	struct course_ctx ctx;
};

/* The runtime on one session: the hook's state. */
struct runtime {
	char dir[PATH_MAX];
	bool trust;
	char start[PATH_MAX];
	bool start_checked;
	bool fresh;
	struct runner *lesson; /* the lesson being taken, or NULL */
};

/* Adds the lesson's commands (lesson, hint, next, prev, goto, step) to
 * the registry.  Once, before any lesson is read: they are the names a
 * lesson may not use. */
void runner_register(void);

/* Puts the runtime on session R: its hook takes the typed lines.
 * Returns 0, or -1 when out of memory. */
int runner_attach(struct session *r, const struct runner_opts *o);

/* The runtime on R, or NULL; the lesson being taken, or NULL. */
struct runtime *runner_runtime(const struct session *r);
struct runner *runner_taken(const struct session *r);

/* Starts or resumes the lesson in PATH in R's session; prints its step.
 * Returns 0, or 1 with a message. */
int runner_start(struct session *r, const char *path);

/* Ends the lesson being taken (progress is kept). */
void runner_stop(struct session *r);

/* Puts the lesson at STEP (0-based): its text shown, its checks not
 * held, the session rebuilt to match when REBUILD_STATE. */
void runner_enter(struct session *r, struct runner *rn, size_t step,
		  bool rebuild_state);

/* Prints the step (or says the panel has it), and sends the panel. */
void runner_show_step(const struct session *r, const struct runner *rn);

/* Sends the lesson panel's text to the TUI. */
void runner_send_panel(const struct session *r, const struct runner *rn);

/* The step being taken, and whether all its checks hold. */
const struct lesson_step *runner_step(const struct runner *rn);
bool runner_step_done(const struct runner *rn);

/* printf to stdout, the text filled to the terminal's width. */
void runner_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
