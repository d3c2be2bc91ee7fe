/* runner: the interactive lesson: steps, checks after each command,
 * hints, moving about, progress. */
#define _GNU_SOURCE
#include "lessons/runner.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <langinfo.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/cmdline.h"
#include "lessons/course.h"
#include "base/fsutil.h"
#include "lessons/lesson.h"
#include "lessons/progress.h"
#include "session/event.h"
#include "ui/repl.h"
#include "base/text.h"

struct runner {
	char path[PATH_MAX];
	char progress_file[PATH_MAX];
	struct lesson l;
	size_t step;          /* 0-based */
	bool *held;           /* per check of the step */
	bool done_said;       /* "step done" was told */
	size_t hints_shown;
	bool busy;            /* inside runner_line() */
	struct course_ctx ctx;
};

bool
runner_command(const char *name)
{
	static const char *const mine[] = {
		"lesson", "hint", "next", "prev", "goto", "step",
	};

	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
		if (name && strcmp(name, mine[i]) == 0)
			return true;
	return false;
}

static bool
utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0;
}

static const char *
mark(bool ok)
{
	if (utf8())
		return ok ? "\u2713" : "\u2717";
	return ok ? "[x]" : "[ ]";
}

/* The width the runner fills its text to: the terminal's, at most 100
 * (longer lines read badly); 80 off a terminal. */
static size_t
text_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 80;
	return ws.ws_col < 20 ? 20 : ws.ws_col > 100 ? 100 : ws.ws_col;
}

/* printf to stdout, the text filled to the terminal's width. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char *text = NULL, *filled;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	filled = text_wrap(text, text_width());
	fputs(filled ? filled : text, stdout);
	free(filled);
	free(text);
}

/* --- finding lessons ----------------------------------------------------- */

/* The lessons in DIR, sorted.  Returns the count (0: none). */
static size_t
lesson_files(const char *dir, glob_t *g)
{
	char pattern[PATH_MAX + 8];

	memset(g, 0, sizeof(*g));
	if (!dir || !dir[0])
		return 0;
	snprintf(pattern, sizeof(pattern), "%s/*.md", dir);
	if (glob(pattern, 0, NULL, g) != 0)
		return 0;
	return g->gl_pathc;
}

static int
load(const char *path, struct lesson *l, char *err, size_t errlen)
{
	char *text = fsutil_slurp(path, NULL);
	int rc;

	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	rc = lesson_parse(text, path, course_known_command, l, err, errlen);
	free(text);
	return rc;
}

/* Says whether the lesson file PATH (id ID) is the one NAME names. */
static bool
names(const char *path, const char *id, const char *name)
{
	char base[PATH_MAX], *dot;
	const char *rest = id;
	size_t n = strlen(name);

	snprintf(base, sizeof(base), "%s", strrchr(path, '/') ?
		 strrchr(path, '/') + 1 : path);
	if ((dot = strrchr(base, '.')) && strcmp(dot, ".md") == 0)
		*dot = '\0';
	if (strcmp(base, name) == 0 || (id && strcmp(id, name) == 0))
		return true;
	if (!id)
		return false;
	/* "02" or "2": the number before the first '-'. */
	if (n && strspn(name, "0123456789") == n && isdigit((unsigned char)id[0]))
		return atoi(id) == atoi(name);
	/* "uts": the part after the number. */
	while (isdigit((unsigned char)*rest))
		rest++;
	return *rest == '-' && strcmp(rest + 1, name) == 0;
}

int
runner_resolve(const char *dir, const char *name, char *path, size_t len,
	       char *err, size_t errlen)
{
	char ids[1024] = "";
	glob_t g;
	size_t n;

	if (strchr(name, '/') || access(name, F_OK) == 0) {
		if (access(name, R_OK) < 0) {
			snprintf(err, errlen, "cannot read the lesson file %s: "
				 "%s", name, strerror(errno));
			return -1;
		}
		snprintf(path, len, "%s", name);
		return 0;
	}
	n = lesson_files(dir, &g);
	for (size_t i = 0; i < n; i++) {
		struct lesson l;
		char lerr[512];
		bool hit;

		if (load(g.gl_pathv[i], &l, lerr, sizeof(lerr)) < 0) {
			hit = names(g.gl_pathv[i], NULL, name);
		} else {
			hit = names(g.gl_pathv[i], l.id, name);
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 "%s%s", ids[0] ? ", " : "", l.id);
			lesson_free(&l);
		}
		if (hit) {
			snprintf(path, len, "%s", g.gl_pathv[i]);
			globfree(&g);
			return 0;
		}
	}
	globfree(&g);
	if (!n)
		snprintf(err, errlen, "no lesson called '%s', and no lessons "
			 "directory was found; give the file's path", name);
	else
		snprintf(err, errlen, "no lesson called '%s'; there are: %s",
			 name, ids);
	return -1;
}

static void
open_progress(struct progress *p, char *file, size_t len)
{
	file[0] = '\0';
	memset(p, 0, sizeof(*p));
	if (progress_path(file, len) == 0)
		progress_load(p, file);
}

/* The lessons in DIR with progress, to OUT; the one RN takes (NULL: none)
 * marked with its step. */
static int
list(FILE *out, const char *dir, const struct runner *rn)
{
	char file[PATH_MAX];
	struct progress p;
	glob_t g;
	size_t n = lesson_files(dir, &g);

	if (!n) {
		fprintf(stderr, "boxstep: no lessons found (looked in %s)\n",
			dir && dir[0] ? dir : "the build tree and the share "
			"directory");
		globfree(&g);
		return 1;
	}
	open_progress(&p, file, sizeof(file));
	fprintf(out, "Lessons, in the order of the story:\n\n");
	for (size_t i = 0; i < n; i++) {
		struct lesson l;
		char err[1024], state[64];
		const struct progress_entry *e;
		bool here;

		if (load(g.gl_pathv[i], &l, err, sizeof(err)) < 0) {
			fprintf(out, "  (broken) %s\n", err);
			continue;
		}
		e = progress_get(&p, l.id, false);
		here = rn && strcmp(l.id, rn->l.id) == 0;
		if (here)
			snprintf(state, sizeof(state), "%d/%zu done, at step %zu",
				 e ? progress_count_done(e, l.nsteps) : 0,
				 l.nsteps, rn->step + 1);
		else if (!e)
			snprintf(state, sizeof(state), "not started");
		else if (progress_count_done(e, l.nsteps) == (int)l.nsteps)
			snprintf(state, sizeof(state), "done");
		else
			snprintf(state, sizeof(state), "%d/%zu done, at step %d",
				 progress_count_done(e, l.nsteps), l.nsteps,
				 e->step);
		fprintf(out, "%s %-17s %-24s %s\n", here ? ">" : " ", l.id,
			state, l.title);
		lesson_free(&l);
	}
	fprintf(out, "\nStart or resume one:  sudo boxstep lesson 02   (at the "
		"prompt: lesson 02)\n");
	if (file[0])
		fprintf(out, "Progress is kept in %s\n", file);
	if (rn)
		fprintf(out, "You are taking %s (>), at step %zu of %zu: `step` "
			"shows the step again.\n", rn->l.id, rn->step + 1,
			rn->l.nsteps);
	progress_free(&p);
	globfree(&g);
	return 0;
}

int
runner_list(FILE *out, const char *dir)
{
	return list(out, dir, NULL);
}

/* --- the step on screen --------------------------------------------------- */

static const struct lesson_step *
cur(const struct runner *rn)
{
	return &rn->l.steps[rn->step];
}

static bool
step_done(const struct runner *rn)
{
	for (size_t i = 0; i < cur(rn)->nchecks; i++)
		if (!rn->held[i])
			return false;
	return true;
}

/* Sends the lesson panel's text to the TUI, as one event. */
static void
send_panel(const struct repl *r, const struct runner *rn)
{
	const struct lesson_step *s = cur(rn);
	char *text = NULL, line[1200];
	size_t len = 0;
	FILE *f;

	if (!r->panel || !(f = open_memstream(&text, &len)))
		return;
	fprintf(f, "%s \u00b7 step %zu of %zu: %s\n\n%s\n\n", rn->l.id,
		rn->step + 1, rn->l.nsteps, s->title, s->prose);
	for (size_t i = 0; i < s->nchecks; i++) {
		course_check_describe(&rn->ctx, &s->checks[i], line,
				      sizeof(line));
		fprintf(f, "%s %s\n", rn->held[i] ? "\u2713" : "\u00b7", line);
	}
	for (size_t i = 0; i < rn->hints_shown && i < s->nhints; i++)
		fprintf(f, "%shint %zu: %s\n", i ? "" : "\n", i + 1,
			s->hints[i]);
	if (step_done(rn))
		fprintf(f, "\nDone! `next` goes on.\n");
	fclose(f);
	repl_event(r, &(struct event){ .kind = EVENT_PANEL, .text = text });
	free(text);
}

static void
print_step(const struct repl *r, const struct runner *rn)
{
	const struct lesson_step *s = cur(rn);
	char line[1200];

	say("\n== %s, step %zu of %zu: %s ==\n", rn->l.id, rn->step + 1,
	    rn->l.nsteps, s->title);
	if (repl_panel_visible(r)) {
		printf("(the step's text is in the lesson panel)\n\n");
		return;
	}
	say("\n%s\n\nDone when:\n", s->prose);
	for (size_t i = 0; i < s->nchecks; i++) {
		course_check_describe(&rn->ctx, &s->checks[i], line,
				      sizeof(line));
		say("  - %s\n", line);
	}
	say("\n(hint, next, prev, goto N, step, lesson: the lesson's "
	    "commands)\n\n");
}

static void
save(const struct runner *rn, bool done)
{
	struct progress p = { 0 };
	struct progress_entry *e;

	if (!rn->progress_file[0])
		return;
	progress_load(&p, rn->progress_file);
	if ((e = progress_get(&p, rn->l.id, true))) {
		e->step = (int)rn->step + 1;
		if (done && rn->step < PROGRESS_MAX_STEPS)
			e->done |= (uint64_t)1 << rn->step;
		if (progress_save(&p, rn->progress_file) < 0)
			fprintf(stderr, "boxstep: cannot save progress to %s: "
				"%s\n", rn->progress_file, strerror(errno));
	}
	progress_free(&p);
}

/* --- moving between steps ------------------------------------------------ */

bool
runner_replayable(const char *line)
{
	static const char *const cmds[] = {
		"enable", "disable", "reset", "set", "start", "stop",
	};
	const char *name = repl_line_command(line);

	for (size_t i = 0; name && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(name, cmds[i]) == 0)
			return true;
	return false;
}

/* Puts the session where the lesson is at the start of step TO: a fresh
 * plan, no background container, then the commands of the steps before
 * that shape state (enable, disable, reset, set, start, stop), quietly.
 * Containers run in the foreground leave nothing behind, so they are not
 * played again. */
static void
rebuild(struct repl *r, struct runner *rn, size_t to)
{
	size_t replayed = 0;
	bool was_built = r->bg.running;

	for (int i = 0; i < PLAN_NLAYERS; i++)
		was_built = was_built || plan_has(&r->plan, i);
	repl_run_quietly(r, "reset");
	if (r->bg.running)
		repl_run_quietly(r, "stop");
	for (size_t s = 0; s < to; s++)
		for (size_t k = 0; k < rn->l.steps[s].ncommands; k++) {
			const char *c = rn->l.steps[s].commands[k];

			if (!runner_replayable(c))
				continue;
			repl_run_quietly(r, c);
			replayed++;
		}
	if (to > 1)
		printf("(the session is set up as after steps 1-%zu: %zu "
		       "command%s replayed; `show` has the plan)\n", to,
		       replayed, replayed == 1 ? "" : "s");
	else if (to == 1)
		printf("(the session is set up as after step 1: %zu command%s "
		       "replayed; `show` has the plan)\n", replayed,
		       replayed == 1 ? "" : "s");
	else if (was_built)
		printf("(the session starts afresh: every layer off)\n");
}

static void
enter(struct repl *r, struct runner *rn, size_t step, bool rebuild_state)
{
	rn->step = step;
	free(rn->held);
	rn->held = calloc(cur(rn)->nchecks ? cur(rn)->nchecks : 1,
			  sizeof(bool));
	rn->hints_shown = 0;
	rn->done_said = false;
	if (rebuild_state)
		rebuild(r, rn, step);
	course_step_begin(&rn->ctx);
	print_step(r, rn);
	send_panel(r, rn);
	save(rn, false);
}

void
runner_stop(struct repl *r)
{
	struct runner *rn = r->lesson;

	if (!rn)
		return;
	free(rn->held);
	course_ctx_free(&rn->ctx);
	lesson_free(&rn->l);
	free(rn);
	r->lesson = NULL;
	r->record_last = false;
	repl_event(r, &(struct event){ .kind = EVENT_PANEL, .text = "" });
}

int
runner_start(struct repl *r, const char *path)
{
	struct runner *rn = calloc(1, sizeof(*rn));
	struct progress p;
	const struct progress_entry *e;
	char err[2048];
	size_t step = 0;

	if (!rn)
		return 1;
	if (load(path, &rn->l, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		free(rn);
		return 1;
	}
	if (!r->start_checked &&
	    !course_trust(path, &rn->l, r->lessons_dir, r->trust_lessons)) {
		lesson_free(&rn->l);
		free(rn);
		return 1;
	}
	r->start_checked = false; /* only the one main() checked */
	runner_stop(r);
	snprintf(rn->path, sizeof(rn->path), "%s", path);
	open_progress(&p, rn->progress_file, sizeof(rn->progress_file));
	if (!r->lesson_fresh && (e = progress_get(&p, rn->l.id, false)) &&
	    e->step >= 1)
		step = (size_t)e->step - 1;
	if (step >= rn->l.nsteps)
		step = rn->l.nsteps - 1;
	progress_free(&p);
	rn->ctx.r = r;
	gethostname(rn->ctx.host_hostname, sizeof(rn->ctx.host_hostname) - 1);
	r->lesson = rn;
	r->record_last = true;
	say("\n%s\n", rn->l.title);
	if (rn->l.intro[0] && step == 0 && !r->panel)
		say("\n%s\n", rn->l.intro);
	if (step > 0)
		printf("\nWelcome back: resuming at step %zu of %zu.\n",
		       step + 1, rn->l.nsteps);
	if (!rn->progress_file[0])
		printf("(no home directory to keep progress in: set "
		       "XDG_STATE_HOME to keep it)\n");
	enter(r, rn, step, true);
	return 0;
}

/* --- after each command ------------------------------------------------- */

static void
report(struct repl *r, struct runner *rn, const bool *before)
{
	const struct lesson_step *s = cur(rn);
	char what[1200], why[1200];
	size_t holding = 0;

	for (size_t i = 0; i < s->nchecks; i++)
		holding += rn->held[i];
	if (rn->done_said && holding == s->nchecks)
		return;
	/* Output that stopped mid-line would run into the report. */
	if (!text_ends_line(rn->ctx.output))
		putchar('\n');
	printf("-- step %zu: %zu of %zu checks hold\n", rn->step + 1, holding,
	       s->nchecks);
	for (size_t i = 0; i < s->nchecks; i++) {
		course_check_describe(&rn->ctx, &s->checks[i], what,
				      sizeof(what));
		if (rn->held[i] && !before[i]) {
			say("   %s now: %s\n", mark(true), what);
		} else if (!rn->held[i]) {
			course_check(&rn->ctx, &s->checks[i], why, sizeof(why));
			say("   %s missing: %s (%s)\n", mark(false), what, why);
		}
	}
	if (holding < s->nchecks)
		return;
	rn->done_said = true;
	save(rn, true);
	if (rn->step + 1 < rn->l.nsteps)
		say("== step %zu done. `next` goes on to step %zu: %s ==\n",
		    rn->step + 1, rn->step + 2, rn->l.steps[rn->step + 1].title);
	else
		say("== step %zu done, and with it the lesson \"%s\". `lesson` "
		    "lists the others ==\n", rn->step + 1, rn->l.title);
	(void)r;
}

/* Says whether LINE starts with one of the runner's commands. */
static bool
steers(const char *line)
{
	return runner_command(repl_line_command(line));
}

int
runner_line(struct repl *r, const char *line)
{
	struct runner *rn = r->lesson;
	bool *before;
	size_t n;

	if (!rn || steers(line))
		return repl_run_text(r, line, NULL, false);
	n = cur(rn)->nchecks;
	if (!(before = malloc((n ? n : 1) * sizeof(bool))))
		return repl_run_text(r, line, NULL, false);
	memcpy(before, rn->held, n * sizeof(bool));
	rn->busy = true;
	course_run(&rn->ctx, line, true);
	rn->busy = false;
	if (!r->quit) {
		course_update(&rn->ctx, cur(rn), rn->held);
		report(r, rn, before);
		send_panel(r, rn);
	}
	free(before);
	return rn->ctx.status;
}

/* --- the commands ----------------------------------------------------------- */

/* The runner's commands change the step under a line being checked:
 * they go on a line of their own.  Returns the status to give, or 0. */
static int
refused(const struct repl *r)
{
	if (!r->lesson || !r->lesson->busy)
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

int
runner_cmd_hint(struct repl *r)
{
	struct runner *rn = r->lesson;
	const struct lesson_step *s;

	if (refused(r))
		return 2;
	if (!rn)
		return no_lesson();
	s = cur(rn);
	if (rn->hints_shown < s->nhints) {
		rn->hints_shown++;
		say("hint %zu of %zu: %s\n", rn->hints_shown, s->nhints,
		    s->hints[rn->hints_shown - 1]);
	} else {
		printf("No more hints. The commands this step expects:\n");
		for (size_t k = 0; k < s->ncommands; k++)
			printf("  %s\n", s->commands[k]);
	}
	send_panel(r, rn);
	return 0;
}

static int
move_to(struct repl *r, size_t to, bool rebuild_state)
{
	struct runner *rn = r->lesson;

	if (!rn)
		return no_lesson();
	enter(r, rn, to, rebuild_state);
	return 0;
}

int
runner_cmd_next(struct repl *r)
{
	struct runner *rn = r->lesson;
	bool done;

	if (refused(r))
		return 2;
	if (!rn)
		return no_lesson();
	if (rn->step + 1 >= rn->l.nsteps) {
		printf("This is the last step of \"%s\". `lesson` lists the "
		       "others; `lesson off` leaves this one.\n", rn->l.title);
		return 0;
	}
	done = step_done(rn);
	if (!done)
		printf("Step %zu is not done yet; moving on, with the session "
		       "set up as if it were.\n", rn->step + 1);
	/* Done by hand: the learner's own state carries on. */
	return move_to(r, rn->step + 1, !done);
}

int
runner_cmd_prev(struct repl *r)
{
	struct runner *rn = r->lesson;

	if (refused(r))
		return 2;
	if (!rn)
		return no_lesson();
	if (rn->step == 0) {
		printf("This is the first step already.\n");
		return 0;
	}
	return move_to(r, rn->step - 1, true);
}

int
runner_cmd_goto(struct repl *r, const char *arg)
{
	struct runner *rn = r->lesson;
	char *end;
	long n;

	if (refused(r))
		return 2;
	if (!rn)
		return no_lesson();
	errno = 0;
	n = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n < 1 || (size_t)n > rn->l.nsteps) {
		fprintf(stderr, "boxstep: goto takes a step number from 1 to "
			"%zu, not '%s'\n", rn->l.nsteps, arg);
		return 2;
	}
	return move_to(r, (size_t)n - 1, true);
}

int
runner_cmd_step(struct repl *r)
{
	if (refused(r))
		return 2;
	if (!r->lesson)
		return no_lesson();
	print_step(r, r->lesson);
	send_panel(r, r->lesson);
	return 0;
}

int
runner_cmd_lesson(struct repl *r, int argc, char **argv)
{
	char path[PATH_MAX], err[2048];

	if (refused(r))
		return 2;
	if (argc < 2)
		return list(stdout, r->lessons_dir, r->lesson);
	if (strcmp(argv[1], "off") == 0) {
		if (!r->lesson)
			return no_lesson();
		printf("Left \"%s\" at step %zu; `lesson %s` comes back to it.\n",
		       r->lesson->l.title, r->lesson->step + 1, r->lesson->l.id);
		runner_stop(r);
		return 0;
	}
	if (strcmp(argv[1], "reset") == 0) {
		struct progress p;
		char file[PATH_MAX];

		if (!r->lesson)
			return no_lesson();
		open_progress(&p, file, sizeof(file));
		progress_forget(&p, r->lesson->l.id);
		if (file[0])
			progress_save(&p, file);
		progress_free(&p);
		printf("Progress in \"%s\" forgotten; back to step 1.\n",
		       r->lesson->l.title);
		return move_to(r, 0, true);
	}
	if (runner_resolve(r->lessons_dir, argv[1], path, sizeof(path), err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	return runner_start(r, path);
}
