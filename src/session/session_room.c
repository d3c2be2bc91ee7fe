/* session_room: what a session tells the instructor's room, after every
 * line the learner types (room.h). */
#define _GNU_SOURCE
#include "session/session.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/spawn.h"

/* Where the learner sits: an ssh client's address, else the terminal. */
static void
where_from(char *buf, size_t len)
{
	const char *ssh = getenv("SSH_CLIENT");
	const char *tty = ttyname(STDIN_FILENO);

	if (ssh && *ssh)
		snprintf(buf, len, "ssh %.*s", (int)strcspn(ssh, " "), ssh);
	else if (tty)
		snprintf(buf, len, "%s", strncmp(tty, "/dev/", 5) == 0 ?
			 tty + 5 : tty);
	else
		snprintf(buf, len, "-");
}

void
session_publish_on(struct session *r)
{
	struct room_entry *e = &r->told;
	const struct cgroup_session *g = &r->spawn.cgs;
	struct passwd *pw;

	memset(e, 0, sizeof(*e));
	/* The user outside: rootless, the session's host maps them to 0. */
	e->uid = r->spawn.rootless ? spawn_rootless_uid() : getuid();
	e->pid = getpid();
	if ((pw = getpwuid(e->uid)) != NULL)
		snprintf(e->user, sizeof(e->user), "%s", pw->pw_name);
	else
		snprintf(e->user, sizeof(e->user), "%u", e->uid);
	where_from(e->from, sizeof(e->from));
	snprintf(e->pids_dir, sizeof(e->pids_dir), "%s",
		 g->group.dir[CGROUP_PIDS]);
	snprintf(e->memory_dir, sizeof(e->memory_dir), "%s",
		 g->group.dir[CGROUP_MEMORY]);
	r->publish = true;
	session_publish(r);
}

/* The latest line that failed: its status and its output's last line. */
static void
note_error(struct session *r)
{
	const char *out = r->snap.output;
	char last[200] = "";

	if (r->snap.status <= 0)
		return;
	for (const char *p = out; p && *p;) {
		size_t n = strcspn(p, "\n");

		if (n > 0)
			snprintf(last, sizeof(last), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
	snprintf(r->told.last_error, sizeof(r->told.last_error),
		 "exit %d%s%s", r->snap.status, last[0] ? ": " : "", last);
}

void
session_publish(struct session *r)
{
	struct room_entry *e = &r->told;

	if (!r->publish)
		return;
	e->lesson[0] = '\0';
	e->step = e->steps = e->checks_ok = e->checks = e->hints = 0;
	e->step_since = 0;
	if (r->hook.status)
		r->hook.status(r, e, r->hook.arg);
	note_error(r);
	e->containers = (r->fg.running ? 1 : 0) + (r->bg.running ? 1 : 0);
	/* A room that cannot be written to is the instructor's to mend
	 * (`boxstep class doctor`); the learner's session goes on. */
	(void)room_publish(e);
}
