/* cgroup: make, fill, kill and remove per-session groups on cgroup v1 and
 * v2, with their limits; remove the stale groups of a boxstep gone. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"

/* How long teardown waits for a group to empty, in 1 ms naps. */
#define CGROUP_WAIT_NAPS 2000

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* On v2, makes sure DIR hands controller NAME to its children. */
static int
enable_controller(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], ctl[512], plus[32];

	if (fsutil_join(path, sizeof(path), dir, "cgroup.subtree_control"))
		return msg_fail(err, errlen, "cgroup path too long: %s", dir);
	if (fsutil_read(path, ctl, sizeof(ctl)) >= 0 &&
	    cgroup_has_word(ctl, name))
		return 0;
	snprintf(plus, sizeof(plus), "+%s", name);
	if (fsutil_write(path, plus) < 0)
		return msg_fail(err, errlen,
			    "write \"%s\" to %s: %s%s", plus, path,
			    strerror(errno), errno == EBUSY ?
			    " (cgroup v2 allows no processes in a group that "
			    "hands controllers to its children)" : "");
	return 0;
}

static int
write_value(const char *dir, const char *file, const char *value,
	    char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_write(path, value) < 0)
		return msg_fail(err, errlen, "write \"%s\" to %s/%s: %s", value,
			    dir, file, strerror(errno));
	return 0;
}

/* Writes one controller's limit into its directory of the group. */
static int
write_limit(const struct cgroup_group *g, enum cgroup_controller c,
	    const struct cgroup_limits *lim, char *err, size_t errlen)
{
	const char *dir = g->dir[c];
	bool v2 = g->version[c] == CGROUP_V2;
	char value[64], path[PATH_MAX];

	switch (c) {
	case CGROUP_PIDS:
		if (lim->pids_max < 0)
			snprintf(value, sizeof(value), "max");
		else
			snprintf(value, sizeof(value), "%ld", lim->pids_max);
		return write_value(dir, "pids.max", value, err, errlen);
	case CGROUP_MEMORY:
		if (lim->memory_max < 0)
			snprintf(value, sizeof(value), v2 ? "max" : "-1");
		else
			snprintf(value, sizeof(value), "%lld", lim->memory_max);
		if (write_value(dir, v2 ? "memory.max" : "memory.limit_in_bytes",
				value, err, errlen) < 0)
			return -1;
		/* With swap, a limit is only reached once the container has
		 * been swapped out; the lesson wants the OOM killer. */
		if (v2 && fsutil_join(path, sizeof(path), dir,
				      "memory.swap.max") == 0 &&
		    access(path, F_OK) == 0)
			return write_value(dir, "memory.swap.max",
					   lim->memory_max < 0 ? "max" : "0",
					   err, errlen);
		if (!v2 && fsutil_join(path, sizeof(path), dir,
				       "memory.memsw.limit_in_bytes") == 0 &&
		    access(path, F_OK) == 0)
			return write_value(dir, "memory.memsw.limit_in_bytes",
					   value, err, errlen);
		return 0;
	case CGROUP_CPU:
		if (v2) {
			if (lim->cpu_percent < 0)
				snprintf(value, sizeof(value), "max 100000");
			else
				snprintf(value, sizeof(value), "%ld 100000",
					 lim->cpu_percent * 1000);
			return write_value(dir, "cpu.max", value, err, errlen);
		}
		if (write_value(dir, "cpu.cfs_period_us", "100000", err,
				errlen) < 0)
			return -1;
		snprintf(value, sizeof(value), "%ld", lim->cpu_percent < 0 ?
			 -1L : lim->cpu_percent * 1000);
		return write_value(dir, "cpu.cfs_quota_us", value, err, errlen);
	case CGROUP_NCTL:
		break;
	}
	return 0;
}

/* Says whether controller C's directory is the same as an earlier one's
 * (v2: one directory serves them all). */
static bool
seen_before(const struct cgroup_group *g, int c)
{
	for (int k = 0; k < c; k++)
		if (g->dir[k][0] && strcmp(g->dir[k], g->dir[c]) == 0)
			return true;
	return false;
}

/* On v2, makes DIR, in hierarchy H, hand its children each controller
 * of CTLS that lives in H. */
static int
enable_in(const struct cgroup_ctx *ctx, const struct cgroup_hier *h,
	  const char *dir, unsigned ctls, char *err, size_t errlen)
{
	for (int c = 0; h->version == CGROUP_V2 && c < CGROUP_NCTL; c++)
		if ((ctls & CGROUP_BIT(c)) &&
		    strcmp(ctx->ctl[c].hier, h->hier) == 0 &&
		    enable_controller(dir, cgroup_controller_name(c), err,
				      errlen))
			return -1;
	return 0;
}

/* On v2, makes every group from the boxstep parent down to PATH's own
 * parent (groups that exist: a session's) hand its children CTLS. */
static int
enable_down_to(const struct cgroup_ctx *ctx, const struct cgroup_hier *h,
	       const char *path, unsigned ctls, char *err, size_t errlen)
{
	size_t base = strlen(h->dir);
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *slash = dir + base; (slash = strchr(slash + 1, '/'));) {
		*slash = '\0';
		if (enable_in(ctx, h, dir, ctls, err, errlen) < 0)
			return -1;
		*slash = '/';
	}
	return 0;
}

/* Makes PATH, under the boxstep parent, in one hierarchy.  On v2 the
 * controllers LIM wants there are enabled in the hierarchy's root, in
 * the boxstep parent and in each group between it and PATH. */
static int
make_dir(const struct cgroup_ctx *ctx, const struct cgroup_hier *h,
	 const char *path, unsigned ctls, char *err, size_t errlen)
{
	/* Another session may remove the shared parent between our two
	 * mkdirs when it was the last one out: make it again then. */
	for (int attempt = 0;; attempt++) {
		if (enable_in(ctx, h, h->hier, ctls, err, errlen) < 0)
			return -1;
		if (mkdir(h->dir, 0755) < 0 && errno != EEXIST)
			return msg_fail(err, errlen, "mkdir %s: %s", h->dir,
				    strerror(errno));
		if (enable_in(ctx, h, h->dir, ctls, err, errlen) < 0 ||
		    enable_down_to(ctx, h, path, ctls, err, errlen) < 0)
			return -1;
		if (mkdir(path, 0755) == 0)
			return 0;
		if (errno != ENOENT || attempt == 3) {
			msg_fail(err, errlen, "mkdir %s: %s", path,
				 strerror(errno));
			/* The parent goes too when no other session uses
			 * it, as in cgroup_remove(). */
			rmdir(h->dir);
			return -1;
		}
	}
}

int
cgroup_create(const struct cgroup_ctx *ctx, const char *name,
	      const struct cgroup_limits *lim, struct cgroup_group *g,
	      char *err, size_t errlen)
{
	char why[512];

	memset(g, 0, sizeof(*g));
	for (int c = 0; c < CGROUP_NCTL; c++) {
		const struct cgroup_hier *h = &ctx->ctl[c];

		if (!(lim->ctls & CGROUP_BIT(c)))
			continue;
		if (h->version == CGROUP_NONE) {
			if (h->why[0])
				msg_fail(err, errlen, "%s", h->why);
			else
				msg_fail(err, errlen, "no %s cgroup hierarchy "
					 "detected", cgroup_controller_name(c));
			goto undo;
		}
		if (fsutil_join(g->dir[c], sizeof(g->dir[c]), h->dir, name)) {
			msg_fail(err, errlen, "cgroup path too long: %s/%s",
				 h->dir, name);
			goto undo;
		}
		g->version[c] = h->version;
		g->ctls |= CGROUP_BIT(c);
		if (!seen_before(g, c) &&
		    make_dir(ctx, h, g->dir[c], lim->ctls, err, errlen) < 0) {
			g->dir[c][0] = '\0';
			g->ctls &= ~CGROUP_BIT(c);
			goto undo;
		}
		if (write_limit(g, c, lim, err, errlen) < 0)
			goto undo;
	}
	return 0;
undo:
	cgroup_remove(g, why, sizeof(why));
	return -1;
}

int
cgroup_write_limits(const struct cgroup_group *g,
		    const struct cgroup_limits *lim, char *err, size_t errlen)
{
	for (int c = 0; c < CGROUP_NCTL; c++)
		if ((g->ctls & lim->ctls & CGROUP_BIT(c)) &&
		    write_limit(g, c, lim, err, errlen) < 0)
			return -1;
	return 0;
}

const char *
cgroup_main_dir(const struct cgroup_group *g)
{
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (g->dir[c][0])
			return g->dir[c];
	return "";
}

int
cgroup_attach(const struct cgroup_group *g, pid_t pid, char *err,
	      size_t errlen)
{
	char value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (g->dir[c][0] && !seen_before(g, c) &&
		    write_value(g->dir[c], "cgroup.procs", value, err,
				errlen) < 0)
			return -1;
	return 0;
}

long
cgroup_procs(const char *dir, pid_t *pids, size_t max)
{
	char file[PATH_MAX], *text, *p, *end;
	long n = 0;

	if (fsutil_join(file, sizeof(file), dir, "cgroup.procs"))
		return -1;
	text = fsutil_slurp(file, NULL);
	if (!text)
		return -1;
	for (p = text; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p) {
			end = p + 1;
			continue;
		}
		if (pids && (size_t)n < max)
			pids[n] = (pid_t)v;
		n++;
	}
	free(text);
	return n;
}

/* v2: true once cgroup.events says "populated 0". */
static bool
v2_empty(const char *dir)
{
	char file[PATH_MAX], buf[256];

	if (fsutil_join(file, sizeof(file), dir, "cgroup.events") ||
	    fsutil_read(file, buf, sizeof(buf)) < 0)
		return cgroup_procs(dir, NULL, 0) <= 0;
	return strstr(buf, "populated 0") != NULL;
}

int
cgroup_kill_all(const struct cgroup_group *g)
{
	char file[PATH_MAX];
	pid_t pids[256];
	bool by_kernel = false, v2 = false;
	const char *dir = NULL;

	/* Every directory of the group holds the same processes: one v2
	 * directory if there is one (cgroup.kill), else the first. */
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (g->dir[c][0] && (!dir || g->version[c] == CGROUP_V2)) {
			dir = g->dir[c];
			v2 = g->version[c] == CGROUP_V2;
		}
	if (!dir)
		return 0;
	if (v2 && fsutil_join(file, sizeof(file), dir, "cgroup.kill") == 0 &&
	    access(file, F_OK) == 0 && fsutil_write(file, "1") == 0)
		by_kernel = true;
	for (int nap = 0; nap < CGROUP_WAIT_NAPS; nap++) {
		long n;

		if (v2 && v2_empty(dir))
			return 0;
		n = cgroup_procs(dir, pids, sizeof(pids) / sizeof(pids[0]));
		if (n <= 0)
			return n < 0 && errno != ENOENT ? -1 : 0;
		/* Without cgroup.kill, a process may fork between our read
		 * and its kill; the loop reads again until nothing is left.
		 * pids.max bounds how many it can make meanwhile. */
		if (!by_kernel)
			for (long i = 0; i < n && i < 256; i++)
				kill(pids[i], SIGKILL);
		nap_ms(1);
	}
	errno = EBUSY;
	return -1;
}

/* Removes DIR, waiting while an exiting task still holds it. */
static int
remove_dir(const char *dir, char *err, size_t errlen)
{
	for (int nap = 0; rmdir(dir) < 0; nap++) {
		if (errno == ENOENT)
			return nap == 0 ? 1 : 0;
		if (errno != EBUSY || nap >= CGROUP_WAIT_NAPS)
			return msg_fail(err, errlen,
				    "rmdir %s: %s (processes still in it: %ld)",
				    dir, strerror(errno),
				    cgroup_procs(dir, NULL, 0));
		nap_ms(1);
	}
	return 0;
}

int
cgroup_remove(struct cgroup_group *g, char *err, size_t errlen)
{
	bool removed = false;
	int rc = 0;

	if (!cgroup_main_dir(g)[0])
		return 0;
	cgroup_kill_all(g);
	/* An exiting task may still hold a group for a moment after
	 * cgroup.procs empties: rmdir says EBUSY until it is gone. */
	for (int c = 0; c < CGROUP_NCTL; c++) {
		int gone;

		if (!g->dir[c][0] || seen_before(g, c))
			continue;
		if ((gone = remove_dir(g->dir[c], err, errlen)) < 0) {
			rc = -1;
			continue;
		}
		removed |= gone == 0;
	}
	if (rc == 0) {
		memset(g->dir, 0, sizeof(g->dir));
		g->ctls = 0;
	}
	return rc == 0 && !removed ? 1 : rc;
}

/* Reads the boxstep pid out of a session group's name, "<pid>" (or
 * "<pid>-<n>", a container's group as older versions named it). */
static pid_t
session_owner(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);

	if (end == name || (*end && *end != '-') || pid <= 0 || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* Removes the group DIR and the groups in it, deepest first.  Adds the
 * processes that were left in them to *LEFT.  Returns as cgroup_remove()
 * does for DIR, 0 when a group in it was removed. */
static int
remove_tree(const char *dir, enum cgroup_version v, long *left, char *why,
	    size_t len, int depth)
{
	struct cgroup_group g;
	bool inner = false;
	struct dirent *d;
	DIR *dp;
	long n;
	int rc;

	if (depth < 4 && (dp = opendir(dir)) != NULL) {
		while ((d = readdir(dp)) != NULL) {
			char sub[PATH_MAX];

			if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
			    fsutil_join(sub, sizeof(sub), dir, d->d_name))
				continue;
			if (remove_tree(sub, v, left, why, len, depth + 1) == 0)
				inner = true;
		}
		closedir(dp);
	}
	memset(&g, 0, sizeof(g));
	if ((size_t)snprintf(g.dir[0], sizeof(g.dir[0]), "%s", dir) >=
	    sizeof(g.dir[0]))
		return -1;
	g.version[0] = v;
	if ((n = cgroup_procs(dir, NULL, 0)) > 0)
		*left += n;
	rc = cgroup_remove(&g, why, len);
	return rc == 1 && inner ? 0 : rc;
}

/* Removes the stale groups under one boxstep parent DIR. */
static int
remove_stale_in(const char *dir, enum cgroup_version v, cgroup_alive_fn alive,
		char *report, size_t len, size_t *used)
{
	char why[512], path[PATH_MAX];
	struct dirent *d;
	int removed = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		pid_t owner = session_owner(d->d_name);
		long left = 0;
		int rc;

		if (d->d_type != DT_DIR || owner == 0 || alive(owner) ||
		    fsutil_join(path, sizeof(path), dir, d->d_name))
			continue;
		rc = remove_tree(path, v, &left, why, sizeof(why), 0);
		if (rc < 0 && report && *used < len)
			*used += (size_t)snprintf(report + *used, len - *used,
				"could not remove stale cgroup %s/%s: %s\n",
				dir, d->d_name, why);
		/* rc 1: gone already, removed by its session's own
		 * teardown between the readdir and the look at its
		 * boxstep (which has ended since): not stale, nothing to
		 * report. */
		if (rc != 0)
			continue;
		removed++;
		if (report && *used < len)
			*used += (size_t)snprintf(report + *used, len - *used,
				"removed stale cgroup %s/%s (its boxstep, pid "
				"%d, is gone; %ld process%s killed)\n", dir,
				d->d_name, (int)owner, left,
				left == 1 ? "" : "es");
	}
	closedir(dp);
	return removed;
}

int
cgroup_remove_stale(const struct cgroup_ctx *ctx, cgroup_alive_fn alive,
		    char *report, size_t len)
{
	size_t used = report && len ? strlen(report) : 0;
	int removed = 0;

	for (int c = 0; c < CGROUP_NCTL; c++) {
		bool dup = false;

		if (ctx->ctl[c].version == CGROUP_NONE)
			continue;
		for (int k = 0; k < c; k++)
			dup |= ctx->ctl[k].version != CGROUP_NONE &&
			       strcmp(ctx->ctl[k].dir, ctx->ctl[c].dir) == 0;
		if (dup)
			continue;
		removed += remove_stale_in(ctx->ctl[c].dir, ctx->ctl[c].version,
					   alive, report, len, &used);
		/* An empty parent is left over too (no live session has a
		 * group in it): make_dir() makes it again when it is gone. */
		rmdir(ctx->ctl[c].dir);
	}
	return removed;
}
