/* runner: the interactive lesson: steps, checks after each command,
 * progress, and the hook that puts it on a session. */
#define _GNU_SOURCE
#include "lessons/runner.h"

#include <errno.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/text.h"
#include "lessons/catalog.h"
#include "lessons/origin.h"
#include "lessons/progress.h"
#include "session/command.h"

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

void
runner_say(const char *fmt, ...)
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


/* --- the step on screen --------------------------------------------------- */

const struct lesson_step *
runner_step(const struct runner *rn)
{
	return &rn->l.steps[rn->step];
}

bool
runner_step_done(const struct runner *rn)
{
	for (size_t i = 0; i < runner_step(rn)->nchecks; i++)
		if (!rn->held[i])
			return false;
	return true;
}

/* Sends the lesson panel's text to the TUI, as one event. */
void
runner_send_panel(const struct session *r, const struct runner *rn)
{
	const struct lesson_step *s = runner_step(rn);
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
	if (runner_step_done(rn))
		fprintf(f, "\nDone! `next` goes on.\n");
	fclose(f);
	repl_event(r, &(struct event){ .kind = EVENT_PANEL, .text = text });
	free(text);
}

static void
print_step(const struct session *r, const struct runner *rn)
{
	const struct lesson_step *s = runner_step(rn);
	char line[1200];

	runner_say("\n== %s, step %zu of %zu: %s ==\n", rn->l.id,
		   rn->step + 1, rn->l.nsteps, s->title);
	if (session_panel_visible(r)) {
		printf("(the step's text is in the lesson panel)\n\n");
		return;
	}
	runner_say("\n%s\n\nDone when:\n", s->prose);
	for (size_t i = 0; i < s->nchecks; i++) {
		course_check_describe(&rn->ctx, &s->checks[i], line,
				      sizeof(line));
		runner_say("  - %s\n", line);
	}
	runner_say("\n(hint, next, prev, goto N, step, lesson: the lesson's "
		   "commands)\n\n");
}

void
runner_show_step(const struct session *r, const struct runner *rn)
{
	print_step(r, rn);
	runner_send_panel(r, rn);
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

/* What a rebuild could not do: a replayed command that failed (it needed
 * what a command not replayed makes: `set rootfs demo` an import), and
 * whether host or export commands were left out. */
struct replay_gaps {
	const char *failed;
	size_t failed_step, nfailed;
	bool made_outside;
};

static void
say_gaps(const struct replay_gaps *g)
{
	if (g->nfailed)
		printf("(%zu of them did not hold: `%s`, of step %zu, needs what a "
		       "command that is not replayed made; `goto %zu` and type "
		       "that step again)\n", g->nfailed, g->failed,
		       g->failed_step + 1, g->failed_step + 1);
	else if (g->made_outside)
		printf("(host and export commands are not replayed: what they "
		       "made is there only if they ran)\n");
}

/* Puts the session where the lesson is at the start of step TO: a fresh
 * plan, no background container, then the commands of the steps before
 * that shape state (those the command table marks to replay: enable,
 * disable, reset, set, start, stop), quietly.  Containers run in the
 * foreground leave nothing behind, so they are not played again. */
static void
rebuild(struct session *r, struct runner *rn, size_t to)
{
	struct replay_gaps gaps = { 0 };
	size_t replayed = 0;
	bool was_built = r->bg.running;

	for (int i = 0; i < PLAN_NLAYERS; i++)
		was_built = was_built || plan_has(&r->plan, i);
	session_run_quietly(r, "reset");
	if (r->bg.running)
		session_run_quietly(r, "stop");
	for (size_t s = 0; s < to; s++)
		for (size_t k = 0; k < rn->l.steps[s].ncommands; k++) {
			const char *c = rn->l.steps[s].commands[k];
			unsigned flags = session_line_flags(c);

			if (!(flags & SESSION_CMD_REPLAY)) {
				gaps.made_outside |= flags & SESSION_CMD_MAKES;
				continue;
			}
			if (session_run_quietly(r, c) != 0 && !gaps.nfailed++) {
				gaps.failed = c;
				gaps.failed_step = s;
			}
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
	if (to)
		say_gaps(&gaps);
}

void
runner_enter(struct session *r, struct runner *rn, size_t step,
	     bool rebuild_state)
{
	rn->step = step;
	free(rn->held);
	rn->held = calloc(runner_step(rn)->nchecks ?
			  runner_step(rn)->nchecks : 1, sizeof(bool));
	rn->hints_shown = 0;
	rn->step_since = (long long)time(NULL);
	rn->done_said = false;
	if (rebuild_state)
		rebuild(r, rn, step);
	course_step_begin(&rn->ctx);
	runner_show_step(r, rn);
	save(rn, false);
}

void
runner_stop(struct session *r)
{
	struct runtime *rt = runner_runtime(r);
	struct runner *rn = rt ? rt->lesson : NULL;

	if (!rn)
		return;
	free(rn->held);
	course_ctx_free(&rn->ctx);
	lesson_free(&rn->l);
	free(rn);
	rt->lesson = NULL;
	r->record_last = false;
	repl_event(r, &(struct event){ .kind = EVENT_PANEL, .text = "" });
}

/* Where the lesson in RN starts: the step its progress names, unless
 * the runtime starts lessons afresh. */
static size_t
resume_step(const struct runtime *rt, struct runner *rn)
{
	const struct progress_entry *e;
	struct progress p;
	size_t step = 0;

	catalog_open_progress(&p, rn->progress_file, sizeof(rn->progress_file));
	if (!rt->fresh && (e = progress_get(&p, rn->l.id, false)) &&
	    e->step >= 1)
		step = (size_t)e->step - 1;
	if (step >= rn->l.nsteps)
		step = rn->l.nsteps - 1;
	progress_free(&p);
	return step;
}

int
runner_start(struct session *r, const char *path)
{
	struct runtime *rt = runner_runtime(r);
	struct runner *rn;
	char err[2048];
	size_t step;

	if (!rt || !(rn = calloc(1, sizeof(*rn))))
		return 1;
	if (catalog_load(path, &rn->l, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		free(rn);
		return 1;
	}
	if (!rt->start_checked &&
	    !origin_trust(path, &rn->l, rt->dir, rt->trust)) {
		lesson_free(&rn->l);
		free(rn);
		return 1;
	}
	rt->start_checked = false; /* only the one main() checked */
	runner_stop(r);
	snprintf(rn->path, sizeof(rn->path), "%s", path);
	step = resume_step(rt, rn);
	course_ctx_init(&rn->ctx, r);
	rt->lesson = rn;
	r->record_last = true;
	runner_say("\n%s\n", rn->l.title);
	if (rn->l.intro[0] && step == 0 && !r->panel)
		runner_say("\n%s\n", rn->l.intro);
	if (step > 0)
		printf("\nWelcome back: resuming at step %zu of %zu.\n",
		       step + 1, rn->l.nsteps);
	if (!rn->progress_file[0])
		printf("(no home directory to keep progress in: set "
		       "XDG_STATE_HOME to keep it)\n");
	runner_enter(r, rn, step, true);
	return 0;
}

/* --- after each command ------------------------------------------------- */

static void
report(struct runner *rn, const bool *before)
{
	const struct lesson_step *s = runner_step(rn);
	char what[1200], why[1200];
	size_t holding = 0;

	for (size_t i = 0; i < s->nchecks; i++)
		holding += rn->held[i];
	if (rn->done_said && holding == s->nchecks)
		return;
	/* Output that stopped mid-line would run into the report. */
	if (!text_ends_line(rn->ctx.snap->output))
		putchar('\n');
	printf("-- step %zu: %zu of %zu checks hold\n", rn->step + 1, holding,
	       s->nchecks);
	for (size_t i = 0; i < s->nchecks; i++) {
		course_check_describe(&rn->ctx, &s->checks[i], what,
				      sizeof(what));
		if (rn->held[i] && !before[i]) {
			runner_say("   %s now: %s\n", mark(true), what);
		} else if (!rn->held[i]) {
			course_check(&rn->ctx, &s->checks[i], why, sizeof(why));
			runner_say("   %s missing: %s (%s)\n", mark(false), what,
				   why);
		}
	}
	if (holding < s->nchecks)
		return;
	rn->done_said = true;
	save(rn, true);
	if (rn->step + 1 < rn->l.nsteps)
		runner_say("== step %zu done. `next` goes on to step %zu: %s ==\n",
			   rn->step + 1, rn->step + 2,
			   rn->l.steps[rn->step + 1].title);
	else
		runner_say("== step %zu done, and with it the lesson \"%s\". "
			   "`lesson` lists the others ==\n", rn->step + 1,
			   rn->l.title);
}

/* The hook's line: a line typed at the prompt, run with its output
 * captured, then the step's checks.  A line that steers the lesson is
 * only run. */
static int
hook_line(struct session *r, const char *line, void *arg)
{
	struct runtime *rt = arg;
	struct runner *rn = rt->lesson;
	bool *before;
	size_t n;

	if (!rn || (session_line_flags(line) & SESSION_CMD_LESSON))
		return session_run_text(r, line, NULL, false);
	n = runner_step(rn)->nchecks;
	if (!(before = malloc((n ? n : 1) * sizeof(bool))))
		return session_run_text(r, line, NULL, false);
	memcpy(before, rn->held, n * sizeof(bool));
	rn->busy = true;
	session_run_captured(r, line, true);
	rn->busy = false;
	if (!r->quit) {
		course_update(&rn->ctx, runner_step(rn), rn->held);
		report(rn, before);
		runner_send_panel(r, rn);
	}
	free(before);
	return rn->ctx.snap->status;
}

/* The hook's status: the lesson's part of what the room is told. */
static void
hook_status(const struct session *r, struct room_entry *e, void *arg)
{
	const struct runtime *rt = arg;
	const struct runner *rn = rt->lesson;

	(void)r;
	if (!rn)
		return;
	snprintf(e->lesson, sizeof(e->lesson), "%s", rn->l.id);
	e->step = (int)rn->step + 1;
	e->steps = (int)rn->l.nsteps;
	e->checks = (int)runner_step(rn)->nchecks;
	for (size_t i = 0; i < runner_step(rn)->nchecks; i++)
		e->checks_ok += rn->held[i];
	e->hints = (int)rn->hints_shown;
	e->step_since = rn->step_since;
}

/* The hook's begin: the lesson the runtime was told to start. */
static int
hook_begin(struct session *r, void *arg)
{
	struct runtime *rt = arg;

	return rt->start[0] && runner_start(r, rt->start) != 0 ? 1 : 0;
}

static void
hook_end(struct session *r, void *arg)
{
	runner_stop(r);
	free(arg);
}

struct runtime *
runner_runtime(const struct session *r)
{
	return r->hook.line == hook_line ? r->hook.arg : NULL;
}

struct runner *
runner_taken(const struct session *r)
{
	struct runtime *rt = runner_runtime(r);

	return rt ? rt->lesson : NULL;
}

int
runner_attach(struct session *r, const struct runner_opts *o)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	struct session_hook h = { hook_begin, hook_line, hook_end,
				  hook_status, rt };

	if (!rt)
		return -1;
	snprintf(rt->dir, sizeof(rt->dir), "%s", o->dir ? o->dir : "");
	snprintf(rt->start, sizeof(rt->start), "%s", o->start ? o->start : "");
	rt->trust = o->trust;
	rt->start_checked = o->start_checked;
	rt->fresh = o->fresh;
	session_set_hook(r, &h);
	return 0;
}
