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

/* Says whether OWN has a directory in the hierarchy of controller C
 * (on v2 every controller shares one). */
static bool
own_in(const struct cgroup_session *s, const struct cgroup_group *own, int c)
{
	for (int k = 0; own && k < CGROUP_NCTL; k++)
		if (own->dir[k][0] && s->shared.dir[k][0] &&
		    strcmp(s->shared.dir[k], s->shared.dir[c]) == 0)
			return true;
	return false;
}

int
cgroup_session_join(const struct cgroup_session *s,
		    const struct cgroup_group *own, pid_t pid, char *err,
		    size_t errlen)
{
	char value[32], path[PATH_MAX];

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int c = 0; c < CGROUP_NCTL; c++) {
		const char *dir = s->shared.dir[c];
		bool again = false;

		for (int k = 0; k < c; k++)
			again |= strcmp(s->shared.dir[k], dir) == 0;
		if (!dir[0] || again || own_in(s, own, c))
			continue;
		if (fsutil_join(path, sizeof(path), dir, "cgroup.procs") ||
		    fsutil_write(path, value) < 0)
			return msg_fail(err, errlen, "cannot join the session's "
					"group: write \"%s\" to %s: %s", value,
					path, strerror(errno));
	}
	return 0;
}

int
cgroup_session_close(const struct cgroup_ctx *ctx, struct cgroup_session *s,
		     char *err, size_t errlen)
{
	int rc = 0;

	if (!s->group.ctls)
		return 0;
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
