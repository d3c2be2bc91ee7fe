/* cmd_box: the commands that run something: run, sh, start, stop (the
 * containers) and host. */
#define _GNU_SOURCE
#include "session/builtin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/command.h"

void
session_reap(struct session *r)
{
	char what[64], oom[256];

	if (spawn_poll(&r->spawn, &r->bg)) {
		spawn_describe_status(r->bg.status, what, sizeof(what));
		printf("[background container %d %s]\n", (int)r->bg.pid, what);
		if (!r->bg.killed_by_us &&
		    spawn_describe_oom(&r->bg, oom, sizeof(oom)))
			printf("boxstep: %s\n", oom);
		repl_event(r, &(struct event){ .kind = EVENT_EXIT,
			   .pid = r->bg.pid, .text = what });
	}
}

/* ARGV joined by spaces into R->held_command, for the TUI's `start`
 * event (which escapes it). */
static void
held_command(struct session *r, char *const *argv)
{
	char *o = r->held_command, *end = o + sizeof(r->held_command) - 1;

	for (size_t i = 0; argv[i] && o < end; i++) {
		if (i)
			*o++ = ' ';
		for (const char *c = argv[i]; *c && o < end; c++)
			*o++ = *c;
	}
	*o = '\0';
}

static int
run_container(struct session *r, char **argv, bool background)
{
	struct spawn_container *c = background ? &r->bg : &r->fg;
	char err[1024];
	int code;

	fflush(stdout);
	fflush(stderr);
	r->announced = 0;
	held_command(r, argv);
	code = spawn_start(&r->spawn, c, &r->plan, argv, background, err,
			   sizeof(err));
	if (code != 0) {
		session_error(r, "%s", err);
		if (r->announced)
			repl_event(r, &(struct event){ .kind = EVENT_EXIT,
				   .pid = r->announced,
				   .text = "did not start" });
		return code;
	}
	r->last_pid = c->pid;
	r->last_group = c->group;
	if (r->record_last)
		snprintf(r->snap.last_cgroup, sizeof(r->snap.last_cgroup), "%s",
			 cgroup_main_dir(&c->group));
	if (background) {
		printf("[background container %d: %s]\n", (int)c->pid, argv[0]);
		return 0;
	}
	code = spawn_wait(&r->spawn, c);
	repl_event(r, &(struct event){ .kind = EVENT_EXIT, .pid = c->pid,
		   .text = spawn_describe_status(c->status, err,
						 sizeof(err)) });
	return code;
}

int
builtin_run(struct session *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)rest;
	return run_container(r, argv + 1, false);
}

int
builtin_sh(struct session *r, int argc, char **argv, const char *rest)
{
	char *sh[] = { "/bin/sh", NULL };

	(void)argc, (void)argv, (void)rest;
	return run_container(r, sh, false);
}

int
builtin_start(struct session *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)rest;
	session_reap(r);
	if (r->bg.running) {
		session_error(r, "a background container is already running "
			      "(host pid %d); `stop` it first", (int)r->bg.pid);
		return 1;
	}
	return run_container(r, argv + 1, true);
}

int
builtin_stop(struct session *r, int argc, char **argv, const char *rest)
{
	char what[64];

	(void)argc, (void)argv, (void)rest;
	session_reap(r);
	if (!r->bg.running) {
		session_error(r, "no background container is running; `start "
			      "COMMAND` starts one");
		return 1;
	}
	spawn_stop(&r->spawn, &r->bg);
	spawn_describe_status(r->bg.status, what, sizeof(what));
	printf("[background container %d stopped: %s; its processes, "
	       "cgroup and mounts are gone]\n", (int)r->bg.pid, what);
	repl_event(r, &(struct event){ .kind = EVENT_EXIT, .pid = r->bg.pid,
		   .text = what });
	return 0;
}

/* Says whether the shell line LINE refers to $NAME or ${NAME...}. */
static bool
refers(const char *line, const char *name)
{
	char plain[32], braced[32];

	snprintf(plain, sizeof(plain), "$%s", name);
	snprintf(braced, sizeof(braced), "${%s", name);
	return strstr(line, plain) || strstr(line, braced);
}

/* Sets (SET) or unsets $BOXCG, the group's first directory, and
 * $BOXCG_PIDS, _MEMORY and _CPU, each controller's own. */
static void
host_cgroup_env(const struct cgroup_group *g, bool set)
{
	const char *main = cgroup_main_dir(g);

	for (int c = -1; c < CGROUP_NCTL; c++) {
		char name[32] = "BOXCG";
		const char *dir = c < 0 ? main : g->dir[c];

		if (c >= 0)
			snprintf(name, sizeof(name), "BOXCG_%s",
				 cgroup_controller_name(c));
		for (char *i = name; *i; i++)
			*i = (char)toupper((unsigned char)*i);
		if (set && dir[0])
			setenv(name, dir, 1);
		else
			unsetenv(name);
	}
}

/* Before a host line that looks at the container: says when $BOXPID or
 * $BOXCG names none that runs, or no cgroup. */
static void
note_host_vars(const struct session *r, const char *line, pid_t pid,
	       const struct cgroup_group *g)
{
	bool boxpid = refers(line, "BOXPID"), boxcg = refers(line, "BOXCG");

	if (!boxpid && !boxcg)
		return;
	if (!pid)
		printf("note: no container has run yet, so $%s is empty; "
		       "`start COMMAND` starts one\n", boxpid ? "BOXPID" : "BOXCG");
	else if (boxcg && !cgroup_main_dir(g)[0])
		printf("note: $BOXCG is empty: container %d has no cgroup (the "
		       "pids, memory and cpu layers give it one)\n", (int)pid);
	else if (r->bg.running)
		return;
	else if (boxpid)
		printf("note: $BOXPID is %d, the latest container, which has "
		       "exited; `start COMMAND` starts one to look at a live "
		       "one\n", (int)pid);
	else
		printf("note: $BOXCG is %s, the cgroup of container %d, which "
		       "has exited, and its cgroup with it; `start COMMAND` "
		       "starts one to look at a live one\n", cgroup_main_dir(g),
		       (int)pid);
}

int
builtin_host(struct session *r, int argc, char **argv, const char *rest)
{
	const struct cgroup_group *g = r->bg.running ? &r->bg.group :
		&r->last_group;
	pid_t pid = r->bg.running ? r->bg.pid : r->last_pid;
	int rc;

	(void)argc, (void)argv;
	if (!rest || !*rest) {
		session_error(r, "host needs a command line, e.g. host cat "
			      "/proc/$BOXPID/status");
		return 2;
	}
	note_host_vars(r, rest, pid, g);
	fflush(stdout);
	fflush(stderr);
	host_cgroup_env(g, true);
	/* The session's writable layer, once a container has made it. */
	if (r->spawn.rootfs.dir[0])
		setenv("BOXLAYER", r->spawn.rootfs.dir, 1);
	rc = spawn_host(&r->spawn, rest, pid, r->plan.rootfs);
	host_cgroup_env(g, false);
	unsetenv("BOXLAYER");
	return rc;
}
