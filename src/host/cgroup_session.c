/* cgroup_session: a session's group, which holds everything the session
 * runs under the instructor's limits, and its shared leaf. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "host/hostview.h"

/* The controllers CTX found. */
static unsigned
found(const struct cgroup_ctx *ctx)
{
	unsigned ctls = 0;

	for (int c = 0; c < CGROUP_NCTL; c++)
		if (ctx->ctl[c].version != CGROUP_NONE)
			ctls |= CGROUP_BIT(c);
	return ctls;
}

int
cgroup_session_open(const struct cgroup_ctx *ctx, pid_t pid,
		    struct cgroup_session *s, char *err, size_t errlen)
{
	struct cgroup_limits none = {
		.ctls = found(ctx),
		.pids_max = -1,
		.memory_max = -1,
		.cpu_percent = -1,
	};
	char name[64], why[512];

	memset(s, 0, sizeof(*s));
	if (!none.ctls)
		return 0;
	snprintf(s->name, sizeof(s->name), "%d", (int)pid);
	snprintf(name, sizeof(name), "%s/shared", s->name);
	if (cgroup_create(ctx, s->name, &none, &s->group, err, errlen) < 0)
		return -1;
	if (cgroup_create(ctx, name, &none, &s->shared, err, errlen) < 0) {
		cgroup_session_close(ctx, s, why, sizeof(why));
		return -1;
	}
	return 0;
}

int
cgroup_session_limit(const struct cgroup_ctx *ctx,
		     const struct cgroup_session *s,
		     const struct cgroup_limits *lim, char *err, size_t errlen)
{
	struct cgroup_limits set = *lim;
	const bool wanted[CGROUP_NCTL] = {
		[CGROUP_PIDS] = lim->pids_max >= 0,
		[CGROUP_MEMORY] = lim->memory_max >= 0,
		[CGROUP_CPU] = lim->cpu_percent >= 0,
	};

	set.ctls = 0;
	for (int c = 0; c < CGROUP_NCTL; c++) {
		if (!wanted[c])
			continue;
		if (!(s->group.ctls & CGROUP_BIT(c)))
			return msg_fail(err, errlen, "%s", ctx->ctl[c].why[0] ?
					ctx->ctl[c].why : "no cgroup hierarchy "
					"for it was found");
		set.ctls |= CGROUP_BIT(c);
	}
	return cgroup_write_limits(&s->group, &set, err, errlen);
}

/* Writes PID to DIR/cgroup.procs. */
static int
move(const char *dir, pid_t pid, char *err, size_t errlen)
{
	char value[32], path[PATH_MAX];

	snprintf(value, sizeof(value), "%d", (int)pid);
	if (fsutil_join(path, sizeof(path), dir, "cgroup.procs") ||
	    fsutil_write(path, value) < 0)
		return msg_fail(err, errlen, "write \"%s\" to %s: %s", value,
				path, strerror(errno));
	return 0;
}

/* Controller C's directory of S is the same as an earlier one's (v2). */
static bool
again(const struct cgroup_session *s, int c)
{
	for (int k = 0; k < c; k++)
		if (strcmp(s->shared.dir[k], s->shared.dir[c]) == 0)
			return true;
	return false;
}

int
cgroup_session_enter(const struct cgroup_ctx *ctx, struct cgroup_session *s,
		     const char *self_cgroup, const char *v2_mount, pid_t self,
		     char *err, size_t errlen)
{
	for (int c = 0; c < CGROUP_NCTL; c++) {
		const struct cgroup_hier *h = &ctx->ctl[c];
		const char *mount = v2_mount && h->version == CGROUP_V2 ?
				    v2_mount : h->hier;
		char rel[PATH_MAX];

		if (!s->shared.dir[c][0] || again(s, c))
			continue;
		if (hostview_parse_cgroup_for(self_cgroup,
					      cgroup_controller_name(c),
					      h->version == CGROUP_V2, rel,
					      sizeof(rel)) < 0)
			return msg_fail(err, errlen, "/proc/self/cgroup names "
					"no %s group", cgroup_controller_name(c));
		snprintf(s->home[c], sizeof(s->home[c]), "%s%s", mount,
			 strcmp(rel, "/") == 0 ? "" : rel);
		if (move(s->shared.dir[c], self, err, errlen) < 0)
			return -1;
		s->entered = self;
	}
	return 0;
}

int
cgroup_session_close(const struct cgroup_ctx *ctx, struct cgroup_session *s,
		     char *err, size_t errlen)
{
	int rc = 0;

	if (!s->group.ctls || (s->entered && s->entered != getpid()))
		return 0;
	for (int c = 0; s->entered && c < CGROUP_NCTL; c++)
		if (s->home[c][0] && !again(s, c) &&
		    move(s->home[c], s->entered, err, errlen) < 0)
			return -1;
	s->entered = 0;
	if (cgroup_remove(&s->shared, err, errlen) < 0 ||
	    cgroup_remove(&s->group, err, errlen) < 0)
		rc = -1;
	/* The boxstep parents go once no other session uses them. */
	for (int c = 0; rc == 0 && c < CGROUP_NCTL; c++)
		if (ctx->ctl[c].version != CGROUP_NONE)
			rmdir(ctx->ctl[c].dir);
	if (rc == 0)
		memset(s, 0, sizeof(*s));
	return rc;
}
