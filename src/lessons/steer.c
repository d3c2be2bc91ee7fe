/* steer: the lesson's commands: lesson, hint, next, prev, goto, step. */
#define _GNU_SOURCE
#include "lessons/runner.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "lessons/catalog.h"
#include "lessons/progress.h"
#include "session/command.h"

/* The runner's commands change the step under a line being checked:
 * they go on a line of their own.  Returns the status to give, or 0. */
static int
refused(const struct session *r)
{
	const struct runner *rn = runner_taken(r);

	if (!rn || !rn->busy)
		return 0;
	fprintf(stderr, "boxstep: hint, next, prev, goto, step and lesson steer "
		"the lesson: type them on a line of their own\n");
	return 2;
}

static int
no_lesson(void)
{
	fprintf(stderr, "boxstep: no lesson is running; `lesson` lists them, "
		"`lesson NAME` starts one\n");
	return 1;
}

/* The lesson a command steers, into *RN.  Returns 0, or the status to
 * give when there is none or the command is refused. */
static int
steered(const struct session *r, struct runner **rn)
{
	*rn = runner_taken(r);
	if (refused(r))
		return 2;
	return *rn ? 0 : no_lesson();
}

static int
cmd_hint(struct session *r, int argc, char **argv, const char *rest)
{
	const struct lesson_step *s;
	struct runner *rn;
	int rc;

	(void)argc, (void)argv, (void)rest;
	if ((rc = steered(r, &rn)) != 0)
		return rc;
	s = runner_step(rn);
	if (rn->hints_shown < s->nhints) {
		rn->hints_shown++;
		runner_say("hint %zu of %zu: %s\n", rn->hints_shown, s->nhints,
			   s->hints[rn->hints_shown - 1]);
	} else {
		printf("No more hints. The commands this step expects:\n");
		for (size_t k = 0; k < s->ncommands; k++)
			printf("  %s\n", s->commands[k]);
	}
	runner_send_panel(r, rn);
	return 0;
}

/* Moves RN to step TO (0-based), the session rebuilt when
 * REBUILD_STATE. */
static int
move_to(struct session *r, struct runner *rn, size_t to, bool rebuild_state)
{
	runner_enter(r, rn, to, rebuild_state);
	return 0;
}

static int
cmd_next(struct session *r, int argc, char **argv, const char *rest)
{
	struct runner *rn;
	int rc;
	bool done;

	(void)argc, (void)argv, (void)rest;
	if ((rc = steered(r, &rn)) != 0)
		return rc;
	if (rn->step + 1 >= rn->l.nsteps) {
		printf("This is the last step of \"%s\". `lesson` lists the "
		       "others; `lesson off` leaves this one.\n", rn->l.title);
		return 0;
	}
	done = runner_step_done(rn);
	if (!done)
		printf("Step %zu is not done yet; moving on, with the session "
		       "set up as if it were.\n", rn->step + 1);
	/* Done by hand: the learner's own state carries on. */
	return move_to(r, rn, rn->step + 1, !done);
}

static int
cmd_prev(struct session *r, int argc, char **argv, const char *rest)
{
	struct runner *rn;
	int rc;

	(void)argc, (void)argv, (void)rest;
	if ((rc = steered(r, &rn)) != 0)
		return rc;
	if (rn->step == 0) {
		printf("This is the first step already.\n");
		return 0;
	}
	return move_to(r, rn, rn->step - 1, true);
}

static int
cmd_goto(struct session *r, int argc, char **argv, const char *rest)
{
	const char *arg = argv[1];
	struct runner *rn;
	char *end;
	long n;
	int rc;

	(void)argc, (void)rest;
	if ((rc = steered(r, &rn)) != 0)
		return rc;
	errno = 0;
	n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 1 || (size_t)n > rn->l.nsteps) {
		fprintf(stderr, "boxstep: goto takes a step number from 1 to "
			"%zu, not '%s'\n", rn->l.nsteps, arg);
		return 2;
	}
	return move_to(r, rn, (size_t)n - 1, true);
}

static int
cmd_step(struct session *r, int argc, char **argv, const char *rest)
{
	struct runner *rn;
	int rc;

	(void)argc, (void)argv, (void)rest;
	if ((rc = steered(r, &rn)) != 0)
		return rc;
	runner_show_step(r, rn);
	return 0;
}

/* lesson off: leaves the lesson being taken. */
static int
lesson_off(struct session *r, struct runner *rn)
{
	if (!rn)
		return no_lesson();
	printf("Left \"%s\" at step %zu; `lesson %s` comes back to it.\n",
	       rn->l.title, rn->step + 1, rn->l.id);
	runner_stop(r);
	return 0;
}

/* lesson reset: forgets its progress, and goes back to step 1. */
static int
lesson_reset(struct session *r, struct runner *rn)
{
	struct progress p;
	char file[PATH_MAX];

	if (!rn)
		return no_lesson();
	catalog_open_progress(&p, file, sizeof(file));
	progress_forget(&p, rn->l.id);
	if (file[0])
		progress_save(&p, file);
	progress_free(&p);
	printf("Progress in \"%s\" forgotten; back to step 1.\n", rn->l.title);
	return move_to(r, rn, 0, true);
}

static int
cmd_lesson(struct session *r, int argc, char **argv, const char *rest)
{
	struct runtime *rt = runner_runtime(r);
	struct runner *rn = runner_taken(r);
	char path[PATH_MAX], err[2048];
	const char *dir = rt ? rt->dir : "";

	(void)rest;
	if (refused(r))
		return 2;
	if (argc < 2)
		return catalog_list(stdout, dir, rn ? &rn->l : NULL,
				    rn ? rn->step : 0);
	if (strcmp(argv[1], "off") == 0)
		return lesson_off(r, rn);
	if (strcmp(argv[1], "reset") == 0)
		return lesson_reset(r, rn);
	if (catalog_resolve(dir, argv[1], path, sizeof(path), err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	/* The checks follow each line typed; a script's lines are not. */
	if (r->scripted) {
		char word[TEXT_SHELL_WORD_MAX];

		text_shell_word(argv[1], word, sizeof(word));
		fprintf(stderr, "boxstep: a lesson checks each line typed at its "
			"prompt, and -c and -f type none: start it at the prompt "
			"(boxstep lesson %s), or pipe the lines in "
			"(printf 'enable uts\\n' | boxstep lesson %s)\n",
			word, word);
		return 2;
	}
	return runner_start(r, path);
}

static const struct session_cmd commands[] = {
	{ .name = "lesson", .usage = "lesson [NAME|reset|off]",
	  .summary = "list the lessons, start or resume one, or steer it",
	  .detail = "  lesson           the lessons and your progress\n"
	  "  lesson NAME      start or resume one: lesson 02, lesson uts, "
	  "lesson FILE.md\n"
	  "  lesson reset     forget this lesson's progress, back to step 1\n"
	  "  lesson off       leave the lesson (progress is kept)\n"
	  "In a lesson, every command is followed by the step's checks: what "
	  "holds now,\nand what is still missing.  hint, next, prev and goto N "
	  "move about; step\nshows the step again.",
	  .max_args = 1, .flags = SESSION_CMD_LESSON, .exec = cmd_lesson },
	{ .name = "hint", .usage = "hint",
	  .summary = "in a lesson: the next hint for this step",
	  .flags = SESSION_CMD_LESSON, .exec = cmd_hint },
	{ .name = "next", .usage = "next",
	  .summary = "in a lesson: the next step",
	  .flags = SESSION_CMD_LESSON, .exec = cmd_next },
	{ .name = "prev", .usage = "prev",
	  .summary = "in a lesson: back one step (the session is rebuilt)",
	  .flags = SESSION_CMD_LESSON, .exec = cmd_prev },
	{ .name = "goto", .usage = "goto N",
	  .summary = "in a lesson: step N (the session is rebuilt)",
	  .min_args = 1, .max_args = 1, .flags = SESSION_CMD_LESSON,
	  .exec = cmd_goto },
	{ .name = "step", .usage = "step",
	  .summary = "in a lesson: the step's text again",
	  .flags = SESSION_CMD_LESSON, .exec = cmd_step },
	{ .name = NULL },
};

void
runner_register(void)
{
	session_register(commands);
}
