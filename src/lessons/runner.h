/* runner: a lesson taken interactively, at the REPL.
 *
 * `boxstep lesson NAME` (or `lesson NAME` at the prompt) starts or resumes
 * a lesson: the step's text is printed (and, in the TUI, shown in the
 * lesson panel); after every command the learner types, the step's checks
 * are evaluated against real state and the learner is told what now holds
 * and what is still missing.  hint, next, prev, goto N, step and `lesson
 * reset` steer it; progress is saved after every change (see progress.h).
 */
#ifndef BOXSTEP_RUNNER_H
#define BOXSTEP_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct repl;

/* Says whether NAME (a full command name) is one of the runner's:
 * lesson, hint, next, prev, goto, step. */
bool runner_command(const char *name);

/* Finds lesson NAME: a path; else, in DIR, a file name (with or without
 * .md), an id ("02-uts"), its number ("02", "2") or its name ("uts").
 * Writes the path to PATH.  Returns 0, or -1 with a message in ERR. */
int runner_resolve(const char *dir, const char *name, char *path,
		   size_t len, char *err, size_t errlen);

/* The lessons in DIR with the learner's progress, to OUT (`lesson` in a
 * lesson marks the one being taken).  Returns 0, or
 * 1 when there are none. */
int runner_list(FILE *out, const char *dir);

/* Starts or resumes the lesson in PATH in R's session; prints its step.
 * Returns 0, or 1 with a message. */
int runner_start(struct repl *r, const char *path);

/* Runs one line typed at the prompt with its output captured, then
 * evaluates the step's checks and says where the learner is.  Returns
 * what repl_run_text() returns. */
int runner_line(struct repl *r, const char *line);

/* The REPL commands (argv as the REPL splits it). */
int runner_cmd_lesson(struct repl *r, int argc, char **argv);
int runner_cmd_hint(struct repl *r);
int runner_cmd_next(struct repl *r);
int runner_cmd_prev(struct repl *r);
int runner_cmd_goto(struct repl *r, const char *arg);
int runner_cmd_step(struct repl *r);

/* Ends the lesson (progress is kept). */
void runner_stop(struct repl *r);

/* Says whether LINE shapes a session's state (enable, disable, reset,
 * set, start, stop): the lines replayed to rebuild a step. */
bool runner_replayable(const char *line);

#endif
