/* autoplay: `boxstep check`, every lesson played at a terminal, with
 * proof that its checks fail before each step and refuse near misses. */
#define _GNU_SOURCE
#include "app/autoplay.h"
#include "app/contain.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "engine/spawn.h"
#include "layers/layers.h"
#include "lessons/course.h"
#include "lessons/lesson.h"
#include "lessons/origin.h"
#include "session/command.h"
#include "ui/relay.h"

/* What one `boxstep check` plays. */
struct autoplay {
	struct lesson *lessons;
	char **files;
	size_t n;
	const char *rootfs, *cgroup_root;
	bool verbose;
	int failed;     /* lessons that did not parse or were not trusted */
	int report_fd;  /* where the "ok" lines go: not the pty */
	FILE *rep;
	int events;     /* the relay's socket, for captures */
};

/* Says whether a layer isolates (a namespace or a root), as opposed to
 * limiting (a cgroup). */
static bool
isolates(int layer)
{
	return layer != PLAN_PIDS && layer != PLAN_MEMORY && layer != PLAN_CPU;
}

static bool
any_isolation(const struct plan *p)
{
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (isolates(i) && plan_has(p, i))
			return true;
	return false;
}

/* A fresh session for a lesson, its captures through the relay. */
static struct session *
session(const struct autoplay *a, struct course_ctx *ctx)
{
	struct session *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	session_init(r, a->rootfs, a->cgroup_root);
	r->record_last = true;
	r->event_fd = a->events;
	r->relay = true;
	course_ctx_init(ctx, r);
	return r;
}

static void
session_end(struct session *r, struct course_ctx *ctx)
{
	session_done(r);
	course_ctx_free(ctx);
	free(r);
}

/* Each output check must refuse the lines it matched with one of its
 * own words altered.  SEEN holds, per check, the output it first held
 * on.  Returns the number of checks that let a near miss through. */
static int
prove_outputs(const struct autoplay *a, struct course_ctx *ctx,
	      const char *file, size_t n, const struct lesson_step *s,
	      char **seen)
{
	char miss[4096], why[1024];
	int bad = 0;

	for (size_t i = 0; i < s->nchecks; i++) {
		const struct lesson_check *c = &s->checks[i];
		struct session_snapshot snap = *ctx->snap;
		struct course_ctx t = *ctx;

		t.snap = &snap;
		for (size_t k = 0; seen[i] && course_near_miss(ctx, c, seen[i], k,
						miss, sizeof(miss)); k++) {
			snap.output = miss;
			if (!course_check(&t, c, why, sizeof(why)))
				continue;
			fprintf(a->rep, "not ok - %s: step %zu (%s): `%s` (line "
				"%d) lets a near miss through: \"%s\"\n", file, n,
				s->title, c->source, c->line, miss);
			bad++;
			break;
		}
	}
	return bad;
}

/* LINE, an `enable` line, with the isolation layers taken out, into
 * BUF; NULL when nothing is left to enable.  Other lines are LINE. */
static const char *
without_isolation(const char *line, char *buf, size_t len)
{
	const struct session_cmd *cmd = session_line_command(line);
	const char *w = line;
	size_t o, kept = 0;

	if (!cmd || strcmp(cmd->name, "enable") != 0 || strchr(line, ';'))
		return line;
	w += strspn(w, " \t");
	w += strcspn(w, " \t");
	o = (size_t)snprintf(buf, len, "enable");
	while (*(w += strspn(w, " \t")) && o < len) {
		size_t n = strcspn(w, " \t");
		char word[64];
		int layer;

		snprintf(word, sizeof(word), "%.*s", (int)n, w);
		layer = plan_layer_lookup(word);
		if (layer < 0 || !isolates(layer)) {
			o += (size_t)snprintf(buf + o, len - o, " %s", word);
			kept++;
		}
		w += n;
	}
	return kept ? buf : NULL;
}

/* Why step S cannot run in session R: an `enable` line names a cgroup
 * layer whose controller this host does not give the session (rootless
 * on cgroup v1, a controller not delegated).  NULL when it can. */
static const char *
cannot_run(const struct session *r, const struct lesson_step *s)
{
	for (size_t k = 0; k < s->ncommands; k++) {
		const struct session_cmd *cmd = session_line_command(s->commands[k]);
		const char *w = s->commands[k];

		if (!cmd || strcmp(cmd->name, "enable") != 0)
			continue;
		while (*(w += strspn(w, " \t;"))) {
			size_t n = strcspn(w, " \t;");
			char word[64];
			int layer;

			snprintf(word, sizeof(word), "%.*s", (int)n, w);
			layer = plan_layer_lookup(word);
			for (int c = 0; layer >= 0 && c < CGROUP_NCTL; c++)
				if ((int)spawn_cgroup_layer(c) == layer &&
				    r->spawn.cg.ctl[c].version == CGROUP_NONE)
					return r->spawn.cg.ctl[c].why;
			w += n;
		}
	}
	return NULL;
}

/* Says whether LINE turns layers off (disable, reset). */
static bool
turns_off(const char *line)
{
	const struct session_cmd *c = session_line_command(line);

	return c && (strcmp(c->name, "disable") == 0 ||
		     strcmp(c->name, "reset") == 0);
}

/* Plays step S's commands, the checks evaluated after each (HELD).
 * When SEEN is not NULL it gets, per output check, the output the check
 * first held on.  DROP_ISOLATION plays `enable` lines without their
 * isolation layers.  Returns whether an isolation layer was on at any
 * point of a step that turns none off. */
static bool
play_commands(const struct autoplay *a, struct course_ctx *ctx,
	      const char *file, const struct lesson_step *s, bool *held,
	      char **seen, bool drop_isolation)
{
	bool isolated = any_isolation(ctx->snap->plan), disables = false;

	for (size_t k = 0; k < s->ncommands; k++) {
		const char *line = s->commands[k];
		char kept[1024];
		bool was[64];

		if (drop_isolation &&
		    !(line = without_isolation(line, kept, sizeof(kept))))
			continue;
		if (a->verbose)
			fprintf(a->rep, "# %s:%d: %s\n", file, s->command_lines[k],
				line);
		for (size_t i = 0; i < s->nchecks && i < 64; i++)
			was[i] = held[i];
		session_run_captured(ctx->s, line, a->verbose);
		course_update(ctx, s, held);
		for (size_t i = 0; seen && i < s->nchecks && i < 64; i++)
			if (held[i] && !was[i] && !seen[i] && ctx->snap->output)
				seen[i] = strdup(ctx->snap->output);
		isolated = isolated || any_isolation(ctx->snap->plan);
		disables = disables || turns_off(s->commands[k]);
	}
	/* A step that turns layers off is about their absence. */
	return isolated && !disables;
}

static bool
all_held(const struct lesson_step *s, const bool *held)
{
	for (size_t i = 0; i < s->nchecks; i++)
		if (!held[i])
			return false;
	return true;
}

/* The near miss of a step's layers: in a new mount, UTS and IPC
 * namespace of its own (whatever runs on the host then cannot touch the
 * host's mounts, name or message queues), with its writes to the host's
 * files kept in memory (contain.h), a fresh session plays the steps
 * before N and then step N
 * with every `enable` line rid of its isolation layers (the cgroup
 * limits stay).  The step must then not be done.  Returns 1 when it
 * was. */
static int
prove_layers(const struct autoplay *a, const struct lesson *l,
	     const char *file, size_t n)
{
	const struct lesson_step *s = &l->steps[n];
	pid_t pid;
	int status;

	fflush(a->rep);
	fflush(stdout);
	if ((pid = fork()) < 0) {
		fprintf(a->rep, "not ok - %s: step %zu (%s): could not replay it "
			"without its layers: fork: %s\n", file, n + 1, s->title,
			strerror(errno));
		return 1;
	}
	if (pid == 0) {
		struct course_ctx ctx;
		struct session *r;
		bool held[64] = { false }, done;

		/* Nothing typed reaches it: with the layers off a command can
		 * find what the root filesystem lacks (bash) and wait for
		 * input that never comes. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			_exit(2);
		close(null);
		char why[1024] = "";

		if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    contain_writes(why, sizeof(why)) < 0 ||
		    !(r = session(a, &ctx))) {
			fprintf(a->rep, "# %s: step %zu: the replay without "
				"layers cannot be set up: %s\n", file, n + 1,
				why[0] ? why : strerror(errno));
			fflush(a->rep);
			_exit(2);
		}
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < l->steps[i].ncommands; k++) {
				const char *c = l->steps[i].commands[k];
				char kept[1024];

				if ((session_line_flags(c) &
				     SESSION_CMD_REPLAY) &&
				    (c = without_isolation(c, kept,
							   sizeof(kept))))
					session_run_quietly(r, c);
			}
		course_step_begin(&ctx);
		play_commands(a, &ctx, file, s, held, NULL, true);
		done = all_held(s, held);
		if (done) {
			fprintf(a->rep, "not ok - %s: step %zu (%s): done with "
				"every isolation layer off, so its checks let a "
				"near miss through:", file, n + 1, s->title);
			for (size_t i = 0; i < s->nchecks; i++)
				fprintf(a->rep, "%s `%s`", i ? "," : "",
					s->checks[i].source);
			fprintf(a->rep, "; one must look at what the step's "
				"layers do\n");
		}
		fflush(a->rep);
		session_end(r, &ctx);
		_exit(done ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1)
		return WEXITSTATUS(status);
	fprintf(a->rep, "not ok - %s: step %zu (%s): could not replay it without "
		"its layers (%s %d)\n", file, n + 1, s->title,
		WIFEXITED(status) ? "status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 1;
}

/* Plays step N of L: each check (but `always:` ones) fails before; the
 * commands run; each check held at some point; and each output check
 * refuses a near miss of what it matched.  Returns the number of
 * failures the steps after it cannot be played past; *LOOSE counts the
 * checks that let a near miss through, *ISOLATED says whether an
 * isolation layer was on. */
static int
play_step(const struct autoplay *a, struct course_ctx *ctx, const char *file,
	  size_t n, const struct lesson_step *s, int *loose, bool *isolated)
{
	bool held[64] = { false };
	char *seen[64] = { NULL }, why[1024];
	int bad = 0;

	if (s->nchecks > 64)
		return 1;
	course_step_begin(ctx);
	/* Proof that each check tests something: it fails before. */
	for (size_t i = 0; i < s->nchecks; i++) {
		const struct lesson_check *c = &s->checks[i];

		if (!c->always && course_check(ctx, c, why, sizeof(why))) {
			fprintf(a->rep, "not ok - %s: step %zu (%s): `%s` (line "
				"%d) holds before the step, so it proves nothing "
				"(%s); mark it always: if that is meant\n", file,
				n, s->title, c->source, c->line, why);
			bad++;
		}
	}
	*isolated = play_commands(a, ctx, file, s, held, seen, false);
	for (size_t i = 0; i < s->nchecks; i++)
		if (!held[i]) {
			course_check(ctx, &s->checks[i], why, sizeof(why));
			fprintf(a->rep, "not ok - %s: step %zu (%s): `%s` (line "
				"%d) never held: %s\n", file, n, s->title,
				s->checks[i].source, s->checks[i].line, why);
			bad++;
		}
	if (!bad)
		*loose = prove_outputs(a, ctx, file, n, s, seen);
	for (size_t i = 0; i < s->nchecks; i++)
		free(seen[i]);
	return bad;
}

/* Says that the steps after step PLAYED (from 0) of L are not played. */
static void
not_played(const struct autoplay *a, const struct lesson *l, const char *file,
	   size_t played)
{
	if (played + 1 < l->nsteps)
		fprintf(a->rep, "# %s: steps %zu to %zu not played: they build "
			"on step %zu\n", file, played + 2, l->nsteps,
			played + 1);
}

/* Plays lesson L, one step after another; a step whose commands ran
 * with an isolation layer on is then replayed without them. */
static void
play_lesson(const struct autoplay *a, const struct lesson *l,
	    const char *file, int *passed, int *failed, int *unrunnable)
{
	struct course_ctx ctx;
	struct session *r = session(a, &ctx);
	size_t played = 0;

	if (!r) {
		(*failed)++;
		return;
	}
	/* A step that passed is done unless a near miss got through: a
	 * loose output check, or the step done without its layers.  That
	 * replay runs at once, while the host is as the step left it (a
	 * later step may remove an image it uses).  The steps after a
	 * loose one still play: the session is as written. */
	for (; played < l->nsteps; played++) {
		const struct lesson_step *s = &l->steps[played];
		const char *why = cannot_run(r, s);
		bool isolated = false;
		int loose = 0;

		if (why) {
			fprintf(a->rep, "cannot run here - %s: step %zu (%s): "
				"%s\n", file, played + 1, s->title, why);
			(*unrunnable)++;
			not_played(a, l, file, played);
			break;
		}

		if (play_step(a, &ctx, file, played + 1, s, &loose,
			      &isolated) != 0) {
			(*failed)++;
			not_played(a, l, file, played);
			break;
		}
		if (loose || (isolated && !s->any_isolation &&
			      prove_layers(a, l, file, played))) {
			(*failed)++;
			continue;
		}
		fprintf(a->rep, "ok - %s: step %zu: %s\n", file, played + 1,
			s->title);
		(*passed)++;
	}
	session_end(r, &ctx);
	fflush(a->rep);
}

/* The child on the pty: every lesson, then the summary. */
static int
play_all(void *arg, int events)
{
	struct autoplay *a = arg;
	int passed = 0, failed = a->failed, unrunnable = 0;

	a->events = events;
	if (!(a->rep = fdopen(a->report_fd, "w")))
		return 1;
	setvbuf(a->rep, NULL, _IOLBF, 0);
	for (size_t i = 0; i < a->n; i++)
		play_lesson(a, &a->lessons[i], a->files[i], &passed, &failed,
			    &unrunnable);
	fprintf(a->rep, "\ncheck: %d passed, %d failed", passed, failed);
	if (unrunnable)
		fprintf(a->rep, ", %d cannot run here (the steps after them "
			"not played)", unrunnable);
	fputc('\n', a->rep);
	fclose(a->rep);
	return failed ? 1 : 0;
}

int
autoplay_check_files(int nfiles, char **files, const char *rootfs,
		     const char *cgroup_root, bool verbose, const char *dir,
		     bool trust)
{
	struct autoplay a = { .rootfs = rootfs, .cgroup_root = cgroup_root,
			      .verbose = verbose };
	int rc;

	a.lessons = calloc((size_t)nfiles + 1, sizeof(*a.lessons));
	a.files = calloc((size_t)nfiles + 1, sizeof(*a.files));
	if (!a.lessons || !a.files) {
		free(a.lessons);
		free(a.files);
		return 1;
	}
	/* Read and vetted here, where a question can be answered; played
	 * on the pty. */
	for (int f = 0; f < nfiles; f++) {
		char err[2048], *text = fsutil_slurp(files[f], NULL);
		struct lesson *l = &a.lessons[a.n];

		if (!text) {
			printf("not ok - %s: cannot read it: %s\n", files[f],
			       strerror(errno));
			a.failed++;
			continue;
		}
		if (lesson_parse(text, files[f], course_known_command, l, err,
				 sizeof(err)) < 0) {
			printf("not ok - %s\n", err);
			free(text);
			a.failed++;
			continue;
		}
		free(text);
		lesson_choose(l, spawn_rootless_active());
		if (!origin_trust(files[f], l, dir, trust)) {
			printf("not ok - %s: not played: it is not one of "
			       "boxstep's lessons (--trust plays it)\n", files[f]);
			lesson_free(l);
			a.failed++;
			continue;
		}
		a.files[a.n++] = files[f];
	}
	fflush(stdout);
	a.report_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	rc = relay_headless(play_all, &a, verbose);
	if (rc < 0)
		fprintf(stderr, "boxstep: check: cannot make a pty to play the "
			"lessons at: %s; check plays them at a terminal, as a "
			"learner takes them: is devpts mounted on /dev/pts?\n",
			strerror(errno));
	close(a.report_fd);
	for (size_t i = 0; i < a.n; i++)
		lesson_free(&a.lessons[i]);
	free(a.lessons);
	free(a.files);
	return rc == 0 ? 0 : 1;
}
