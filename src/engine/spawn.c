/* spawn: start, wait for, stop and tear down one container, making the
 * steps of its layers phase by phase. */
#define _GNU_SOURCE
#include "engine/spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/msg.h"
#include "engine/child.h"
#include "engine/foreground.h"
#include "layers/cgroups.h"
#include "layers/layers.h"

static void
register_live(struct spawn_session *s, struct spawn_container *c)
{
	s->live[c->background ? 1 : 0] = c;
}

static void
unregister_live(struct spawn_session *s, struct spawn_container *c)
{
	for (size_t i = 0; i < 2; i++)
		if (s->live[i] == c)
			s->live[i] = NULL;
}

/* What the steps of container C work on, in session S. */
static void
ctx_init(struct step_ctx *x, struct spawn_session *s,
	 struct spawn_container *c, char *const argv[],
	 const struct step_list *list)
{
	memset(x, 0, sizeof(*x));
	x->plan = &c->plan;
	x->argv = argv;
	x->background = c->background;
	x->sync[0] = x->sync[1] = x->report[0] = x->report[1] = -1;
	x->stdin_fd = -1;
	x->list = list;
	x->group = &c->group;
	x->oom_kills = &c->oom_kills;
	x->bind = c->bind;
	x->mounts = &c->mounts;
	x->cg = &s->cg;
	x->session_cg = &s->cgs;
	x->seq = &s->seq;
	x->tty = s->tty;
	x->tty_mode = &s->tty_mode;
	x->tty_saved = &s->tty_saved;
	x->null_fd = &s->null_fd;
	x->rootless = s->rootless;
	x->run_dir = s->run_dir;
	x->rootfs = &s->rootfs;
	x->host_hostname = s->host_hostname;
	x->signals = s->signals;
	x->nsignals = s->nsignals;
	x->child = child_main;
	x->failed = &s->teardown_failed;
	for (size_t i = 0; i < 2; i++)
		if (s->live[i] && s->live[i]->running) {
			x->spare.pid[x->spare.n] = s->live[i]->pid;
			x->spare.own_session[x->spare.n++] =
				s->live[i]->background;
		}
}

/* Makes the steps of PHASE, in order.  Returns 0, or the exit code of
 * the step that failed with its message in ERR. */
static int
run_phase(struct step_ctx *x, enum step_phase phase, char *err,
	  size_t errlen)
{
	for (size_t i = 0; i < x->list->n; i++) {
		const struct step *s = x->list->step[i];
		int code;

		if (s->phase != phase || !s->run)
			continue;
		if ((code = s->run(x, err, errlen)) != 0) {
			if (s->fail)
				s->fail(x, errno, err, errlen);
			return code;
		}
	}
	return 0;
}

/* Undoes what spawn_start did on the host, for a container that has
 * exited (or never ran). */
static void
teardown(struct spawn_session *s, struct spawn_container *c)
{
	struct step_list list;
	struct step_ctx x;
	char err[512];

	c->running = false;
	step_list_make(&c->plan, &list);
	ctx_init(&x, s, c, NULL, &list);
	run_phase(&x, STEP_TEARDOWN, err, sizeof(err));
	c->bind[0] = '\0';
	unregister_live(s, c);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static ssize_t
read_report(int fd, struct step_report *r)
{
	ssize_t n;

	while ((n = read(fd, r, sizeof(*r))) < 0 && errno == EINTR)
		;
	return n;
}

static void
reap(struct spawn_container *c)
{
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
}

/* The child's report R of a step that failed, for the learner. */
static int
child_failed(struct step_ctx *x, struct spawn_container *c,
	     const struct step_report *r, char *err, size_t errlen)
{
	const struct step *s = r->index >= 0 && (size_t)r->index < x->list->n ?
			       x->list->step[r->index] : NULL;

	reap(c);
	if (s && s->fail)
		s->fail(x, r->err, err, errlen);
	else
		msg_fail(err, errlen, "container setup: %s", strerror(r->err));
	return spawn_exit_code(c->status);
}

/* Released, the child sets itself up and reports that it holds (or
 * fails); it is looked at, released again, and runs the command: its
 * report pipe closes on the exec, and a report instead says which step
 * failed.  Returns 0 once the command runs, or an exit code with the
 * reason in ERR. */
static int
await_command(struct spawn_session *s, struct spawn_container *c,
	      struct step_ctx *x, char *err, size_t errlen)
{
	struct step_report r;
	ssize_t n = read_report(x->report[0], &r);
	bool held = n == (ssize_t)sizeof(r) && r.index >= 0 &&
		    (size_t)r.index < x->list->n && x->list->step[r.index]->hold;

	if (held) {
		if (s->on_hold)
			s->on_hold(c->pid, true, s->on_hold_arg);
		if (core_release(x, err, errlen) != 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
			return 125;
		}
		n = read_report(x->report[0], &r);
	} else {
		/* It failed while setting up (or died without a word): still
		 * announced, so that the pane can say it did not start, but
		 * not looked at. */
		if (s->on_hold)
			s->on_hold(c->pid, false, s->on_hold_arg);
		if (n != (ssize_t)sizeof(r)) {
			char how[64];

			reap(c);
			msg_fail(err, errlen, "the container died while it was "
				 "being set up (%s); `show` lists what it does "
				 "before your command",
				 spawn_describe_status(c->status, how,
						       sizeof(how)));
			return spawn_exit_code(c->status);
		}
	}
	close_fd(&x->sync[1]);
	close_fd(&x->report[0]);
	if (n == (ssize_t)sizeof(r))
		return child_failed(x, c, &r, err, errlen);
	return 0;
}

/* A child that shares our memory and changes its credentials (the user
 * layer, as root: uid 0 becomes 100000) marks that memory, ours, not
 * dumpable, as the kernel does for any change of credentials: put back
 * as it was once the child has exec'd or is gone. */
static void
keep_dumpable(int was)
{
	if (was == 1 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

int
spawn_start(struct spawn_session *s, struct spawn_container *c,
	    const struct plan *plan, char *const argv[], bool background,
	    char *err, size_t errlen)
{
	struct step_list list;
	struct step_ctx x;
	sigset_t all;
	int code, saved, dumpable;

	memset(c, 0, sizeof(*c));
	c->plan = *plan;
	c->background = background;
	if (plan_check(plan, err, errlen) < 0)
		return 125;
	/* Nothing runs outside the session's group. */
	if (s->group_error[0]) {
		snprintf(err, errlen, "%s", s->group_error);
		return 125;
	}
	step_list_make(&c->plan, &list);
	ctx_init(&x, s, c, argv, &list);
	/* A failure here leaves nothing of the container behind. */
	if ((code = run_phase(&x, STEP_PREPARE, err, errlen)) != 0)
		return code;
	/* No signal from the clone to the exec: the child may share our
	 * memory (layers/core.c), and takes the mask back itself. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &x.child_mask);
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if ((code = run_phase(&x, STEP_BEFORE_CLONE, err, errlen)) != 0 ||
	    (code = run_phase(&x, STEP_CLONE, err, errlen)) != 0)
		goto undo;
	if (x.pid == 0)
		child_main(&x);
	close_fd(&x.sync[0]);
	close_fd(&x.report[1]);
	c->pid = x.pid;
	c->running = true;
	register_live(s, c);
	if ((code = run_phase(&x, STEP_HOLDING, err, errlen)) != 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		goto undo_started;
	}
	if ((code = await_command(s, c, &x, err, errlen)) != 0)
		goto undo_started;
	sigprocmask(SIG_SETMASK, &x.child_mask, NULL);
	keep_dumpable(dumpable);
	return 0;

undo_started:
	if (!background && s->tty >= 0)
		tcsetpgrp(s->tty, getpgrp());
undo:
	saved = errno;
	sigprocmask(SIG_SETMASK, &x.child_mask, NULL);
	for (int i = 0; i < 2; i++) {
		close_fd(&x.sync[i]);
		close_fd(&x.report[i]);
	}
	teardown(s, c);
	keep_dumpable(dumpable);
	c->pid = 0;
	errno = saved;
	return code;
}

int
spawn_wait(struct spawn_session *s, struct spawn_container *c)
{
	c->status = foreground_wait(s, c->pid, c);
	teardown(s, c);
	foreground_report_end(c);
	return spawn_exit_code(c->status);
}

bool
spawn_poll(struct spawn_session *s, struct spawn_container *c)
{
	if (!c->running)
		return false;
	if (waitpid(c->pid, &c->status, WNOHANG) != c->pid)
		return false;
	teardown(s, c);
	return true;
}

int
spawn_stop(struct spawn_session *s, struct spawn_container *c)
{
	if (!c->running)
		return spawn_exit_code(c->status);
	c->killed_by_us = true;
	cgroup_kill_all(&c->group);
	kill(c->pid, SIGKILL);
	reap(c);
	teardown(s, c);
	return spawn_exit_code(c->status);
}

int
spawn_check_rootfs(const char *path, char *err, size_t errlen)
{
	return rootfs_check(path, err, errlen);
}

enum plan_layer
spawn_cgroup_layer(enum cgroup_controller ctl)
{
	return cgroups_layer(ctl);
}
