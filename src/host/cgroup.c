/* cgroup: detect the pids, memory and cpu controllers; make, fill, read,
 * kill and remove per-session groups on cgroup v1 and v2. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
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

static const struct {
	const char *name;   /* in cgroup.controllers and /proc/<pid>/cgroup */
	const char *v1dir;  /* the v1 hierarchy's usual mount point */
	const char *config; /* the kernel option behind it */
} known[CGROUP_NCTL] = {
	[CGROUP_PIDS] = { "pids", "pids", "CONFIG_CGROUP_PIDS" },
	[CGROUP_MEMORY] = { "memory", "memory", "CONFIG_MEMCG" },
	[CGROUP_CPU] = { "cpu", "cpu", "CONFIG_CGROUP_SCHED" },
};

const char *
cgroup_controller_name(enum cgroup_controller ctl)
{
	return (int)ctl >= 0 && ctl < CGROUP_NCTL ? known[ctl].name : "?";
}

/* Says whether the word W appears in the blank-separated LIST. */
static bool
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

/* Reads DIR/cgroup.controllers into CONTROLLERS (one line).  Returns 0,
 * or -1 when DIR holds no cgroup v2 hierarchy. */
static int
read_v2_controllers(const char *dir, char *controllers, size_t len)
{
	char path[PATH_MAX];

	controllers[0] = '\0';
	if (fsutil_join(path, sizeof(path), dir, "cgroup.controllers") ||
	    fsutil_read(path, controllers, len) < 0)
		return -1;
	controllers[strcspn(controllers, "\n")] = '\0';
	return 0;
}

static int
found(struct cgroup_hier *h, enum cgroup_version v, const char *hier)
{
	h->version = v;
	snprintf(h->hier, sizeof(h->hier), "%s", hier);
	if (fsutil_join(h->dir, sizeof(h->dir), h->hier, CGROUP_PARENT)) {
		h->version = CGROUP_NONE;
		snprintf(h->why, sizeof(h->why), "cgroup path too long: %s",
			 hier);
		return -1;
	}
	return 0;
}

static void
detect_one(struct cgroup_ctx *ctx, enum cgroup_controller c,
	   bool root_v2, const char *ctl, bool unified_v2, const char *uctl)
{
	struct cgroup_hier *h = &ctx->ctl[c];
	const char *name = known[c].name, *root = ctx->root;
	char path[PATH_MAX], unified[PATH_MAX];
	struct stat st;

	if (root_v2) {
		if (has_word(ctl, name)) {
			found(h, CGROUP_V2, root);
			return;
		}
		snprintf(h->why, sizeof(h->why), "no %s cgroup controller: "
			 "cgroup v2 is mounted at %s but its cgroup.controllers "
			 "lists only \"%s\". The %s layer needs a kernel built "
			 "with %s", name, root, ctl, name, known[c].config);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", root,
		 known[c].v1dir);
	if (stat(path, &st) == 0) {
		snprintf(path, sizeof(path), "%s/%s", root,
			 known[c].v1dir);
		found(h, CGROUP_V1, path);
		return;
	}
	snprintf(unified, sizeof(unified), "%s/unified", root);
	if (unified_v2 && has_word(uctl, name)) {
		found(h, CGROUP_V2, unified);
		return;
	}
	snprintf(h->why, sizeof(h->why), "no %s cgroup controller: looked for "
		 "cgroup v2 at %s/cgroup.controllers, cgroup v1 at %s/%s and "
		 "v2 at %s%s. Is cgroupfs mounted there? (inside a container, "
		 "/sys/fs/cgroup is often hidden)", name, root, root,
		 known[c].v1dir, unified, unified_v2 ?
		 " (mounted, but without it)" : "");
}

int
cgroup_detect(struct cgroup_ctx *ctx, const char *root,
	      char *err, size_t errlen)
{
	char ctl[512], uctl[512], unified[PATH_MAX];
	bool root_v2, unified_v2;

	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->root, sizeof(ctx->root), "%s", root);
	root_v2 = read_v2_controllers(root, ctl, sizeof(ctl)) == 0;
	snprintf(unified, sizeof(unified), "%s/unified", root);
	unified_v2 = !root_v2 &&
		read_v2_controllers(unified, uctl, sizeof(uctl)) == 0;
	for (int c = 0; c < CGROUP_NCTL; c++)
		detect_one(ctx, c, root_v2, ctl, unified_v2, uctl);
	if (ctx->ctl[CGROUP_PIDS].version == CGROUP_NONE)
		return msg_fail(err, errlen, "%s", ctx->ctl[CGROUP_PIDS].why);
	return 0;
}

const char *
cgroup_version_name(const struct cgroup_ctx *ctx)
{
	enum cgroup_version v = ctx->ctl[CGROUP_PIDS].version;

	return v == CGROUP_V2 ? "v2" : v == CGROUP_V1 ? "v1" : "none";
}

/* On v2, makes sure DIR hands controller NAME to its children. */
static int
enable_controller(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX], ctl[512], plus[32];

	if (fsutil_join(path, sizeof(path), dir, "cgroup.subtree_control"))
		return msg_fail(err, errlen, "cgroup path too long: %s", dir);
	if (fsutil_read(path, ctl, sizeof(ctl)) >= 0 && has_word(ctl, name))
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

/* Makes PARENT/NAME in one hierarchy.  On v2 the controllers LIM wants
 * there are enabled in the hierarchy's root and in the boxstep parent. */
static int
make_dir(const struct cgroup_ctx *ctx, const struct cgroup_hier *h,
	 const char *path, unsigned ctls, char *err, size_t errlen)
{
	/* Another session may remove the shared parent between our two
	 * mkdirs when it was the last one out: make it again then. */
	for (int attempt = 0;; attempt++) {
		for (int c = 0; h->version == CGROUP_V2 && c < CGROUP_NCTL; c++)
			if ((ctls & CGROUP_BIT(c)) &&
			    strcmp(ctx->ctl[c].hier, h->hier) == 0 &&
			    enable_controller(h->hier, known[c].name,
					      err, errlen))
				return -1;
		if (mkdir(h->dir, 0755) < 0 && errno != EEXIST)
			return msg_fail(err, errlen, "mkdir %s: %s", h->dir,
				    strerror(errno));
		for (int c = 0; h->version == CGROUP_V2 && c < CGROUP_NCTL; c++)
			if ((ctls & CGROUP_BIT(c)) &&
			    strcmp(ctx->ctl[c].hier, h->hier) == 0 &&
			    enable_controller(h->dir, known[c].name,
					      err, errlen))
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
					 "detected", known[c].name);
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

/* Reads the number after "KEY " in the key-value file DIR/FILE. */
static long long
read_key(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX], buf[2048];
	size_t n = strlen(key);

	if (fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_read(path, buf, sizeof(buf)) < 0)
		return -1;
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

/* Reads a number from DIR/FILE, "max" giving MAXVAL.  -1 when unreadable. */
static long long
read_number(const char *dir, const char *file, long long maxval)
{
	char path[PATH_MAX], buf[64], *end;
	long long v;

	if (fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_read(path, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0)
		return maxval;
	v = strtoll(buf, &end, 10);
	return end == buf ? -1 : v;
}

static void
read_memory(const char *dir, bool v2, struct cgroup_stats *st)
{
	/* v1 says "no limit" with a huge page-aligned number */
	const long long v1_unlimited = 1LL << 60;

	if (v2) {
		st->memory_current = read_number(dir, "memory.current", -1);
		st->memory_max = read_number(dir, "memory.max", -2);
		st->memory_peak = read_number(dir, "memory.peak", -1);
		st->oom_kills = (long)read_key(dir, "memory.events", "oom_kill");
		return;
	}
	st->memory_current = read_number(dir, "memory.usage_in_bytes", -1);
	st->memory_max = read_number(dir, "memory.limit_in_bytes", -1);
	if (st->memory_max >= v1_unlimited)
		st->memory_max = -2;
	st->memory_peak = read_number(dir, "memory.max_usage_in_bytes", -1);
	st->oom_kills = (long)read_key(dir, "memory.oom_control", "oom_kill");
}

static void
read_cpu(const char *dir, bool v2, struct cgroup_stats *st)
{
	char path[PATH_MAX], buf[64];
	long long quota = -1, period = 0;

	if (v2) {
		if (fsutil_join(path, sizeof(path), dir, "cpu.max") == 0 &&
		    fsutil_read(path, buf, sizeof(buf)) >= 0) {
			if (strncmp(buf, "max", 3) == 0)
				st->cpu_percent = -2;
			else if (sscanf(buf, "%lld %lld", &quota, &period) == 2 &&
				 period > 0)
				st->cpu_percent = (long)(quota * 100 / period);
		}
		st->cpu_usage_usec = read_key(dir, "cpu.stat", "usage_usec");
		st->cpu_periods = (long)read_key(dir, "cpu.stat", "nr_periods");
		st->cpu_throttled = (long)read_key(dir, "cpu.stat",
						   "nr_throttled");
		st->cpu_throttled_usec = read_key(dir, "cpu.stat",
						  "throttled_usec");
		return;
	}
	quota = read_number(dir, "cpu.cfs_quota_us", -1);
	period = read_number(dir, "cpu.cfs_period_us", -1);
	if (quota == -1 && period > 0)
		st->cpu_percent = -2;
	else if (quota > 0 && period > 0)
		st->cpu_percent = (long)(quota * 100 / period);
	/* cpuacct sits beside cpu on v1 (cpu,cpuacct), in nanoseconds */
	st->cpu_usage_usec = read_number(dir, "cpuacct.usage", -1);
	if (st->cpu_usage_usec > 0)
		st->cpu_usage_usec /= 1000;
	st->cpu_periods = (long)read_key(dir, "cpu.stat", "nr_periods");
	st->cpu_throttled = (long)read_key(dir, "cpu.stat", "nr_throttled");
	st->cpu_throttled_usec = read_key(dir, "cpu.stat", "throttled_time");
	if (st->cpu_throttled_usec > 0)
		st->cpu_throttled_usec /= 1000;
}

int
cgroup_stats_read(const struct cgroup_group *g, struct cgroup_stats *st)
{
	const char *main_dir = cgroup_main_dir(g), *dir;
	char path[PATH_MAX];
	int rc = 0;

	st->current = st->max = st->events_max = st->nprocs = -1;
	st->memory_current = st->memory_max = st->memory_peak = -1;
	st->oom_kills = st->cpu_percent = st->cpu_periods = -1;
	st->cpu_throttled = -1;
	st->cpu_usage_usec = st->cpu_throttled_usec = -1;
	if (!main_dir[0])
		return -1;
	if (fsutil_join(path, sizeof(path), main_dir, "cgroup.procs") ||
	    access(path, F_OK) < 0)
		rc = -1;
	st->nprocs = cgroup_procs(main_dir, NULL, 0);
	if ((dir = g->dir[CGROUP_PIDS])[0]) {
		st->current = (long)read_number(dir, "pids.current", -1);
		if (st->current < 0)
			rc = -1;
		/* -1 for "max", -2 unreadable */
		st->max = (long)read_number(dir, "pids.max", -3);
		st->max = st->max == -3 ? -1 : st->max == -1 ? -2 : st->max;
		st->events_max = (long)read_key(dir, "pids.events", "max");
	}
	if ((dir = g->dir[CGROUP_MEMORY])[0])
		read_memory(dir, g->version[CGROUP_MEMORY] == CGROUP_V2, st);
	if ((dir = g->dir[CGROUP_CPU])[0])
		read_cpu(dir, g->version[CGROUP_CPU] == CGROUP_V2, st);
	return rc;
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
			break;
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
	char parent[PATH_MAX], *slash;
	int rc = 0;

	if (!cgroup_main_dir(g)[0])
		return 0;
	cgroup_kill_all(g);
	/* An exiting task may still hold a group for a moment after
	 * cgroup.procs empties: rmdir says EBUSY until it is gone. */
	for (int c = 0; c < CGROUP_NCTL; c++) {
		if (!g->dir[c][0] || seen_before(g, c))
			continue;
		if (remove_dir(g->dir[c], err, errlen) < 0) {
			rc = -1;
			continue;
		}
		/* The parent goes too once no other session uses it. */
		snprintf(parent, sizeof(parent), "%s", g->dir[c]);
		if ((slash = strrchr(parent, '/')) != NULL) {
			*slash = '\0';
			if (rmdir(parent) < 0 && errno != ENOTEMPTY &&
			    errno != EBUSY && errno != ENOENT &&
			    errno != EEXIST && rc == 0) {
				msg_fail(err, errlen, "rmdir %s: %s", parent,
					 strerror(errno));
				rc = -1;
			}
		}
	}
	if (rc == 0) {
		memset(g->dir, 0, sizeof(g->dir));
		g->ctls = 0;
	}
	return rc;
}

/* Reads the boxstep pid out of a session group's name "<pid>-<n>". */
static pid_t
session_owner(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);

	if (end == name || *end != '-' || pid <= 0 || pid > INT_MAX)
		return 0;
	return (pid_t)pid;
}

/* Removes the stale groups under one boxstep parent DIR. */
static int
remove_stale_in(const char *dir, enum cgroup_version v, cgroup_alive_fn alive,
		char *report, size_t len, size_t *used)
{
	struct cgroup_group g;
	char why[512];
	struct dirent *d;
	int removed = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return 0;
	while ((d = readdir(dp)) != NULL) {
		pid_t owner = session_owner(d->d_name);
		long left;

		if (d->d_type != DT_DIR || owner == 0 || alive(owner))
			continue;
		memset(&g, 0, sizeof(g));
		if (fsutil_join(g.dir[0], sizeof(g.dir[0]), dir, d->d_name))
			continue;
		g.version[0] = v;
		left = cgroup_procs(g.dir[0], NULL, 0);
		if (cgroup_remove(&g, why, sizeof(why)) < 0) {
			if (report && *used < len)
				*used += (size_t)snprintf(report + *used,
					len - *used, "could not remove stale "
					"cgroup %s/%s: %s\n", dir, d->d_name,
					why);
			continue;
		}
		removed++;
		if (report && *used < len)
			*used += (size_t)snprintf(report + *used, len - *used,
				"removed stale cgroup %s/%s (its boxstep, pid "
				"%d, is gone; %ld process%s killed)\n", dir,
				d->d_name, (int)owner, left > 0 ? left : 0,
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

/* --- rootless: a delegated cgroup v2 subtree ------------------------- */

/* Finds the "0::PATH" line of /proc/<pid>/cgroup text.  Returns PATH's
 * length, or -1. */
static int
v2_path(const char *text, char *path, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "0::", 3) == 0) {
			size_t n = strcspn(p + 3, "\n");

			if (n >= len)
				return -1;
			memcpy(path, p + 3, n);
			path[n] = '\0';
			return (int)n;
		}
	return -1;
}

int
cgroup_delegate(struct cgroup_delegation *d, const char *root,
		const char *self_cgroup, uid_t uid, pid_t self)
{
	char mnt[PATH_MAX], rel[PATH_MAX], path[PATH_MAX], pid[32];
	const char *how = "A cgroup of your own comes from systemd: "
			  "systemd-run --user --scope -p Delegate=yes boxstep";
	struct stat st;
	pid_t *pids;
	long n;

	memset(d, 0, sizeof(*d));
	snprintf(mnt, sizeof(mnt), "%s", root);
	if (fsutil_join(path, sizeof(path), root, "cgroup.controllers") ||
	    access(path, F_OK) < 0)
		snprintf(mnt, sizeof(mnt), "%s/unified", root);
	if (fsutil_join(path, sizeof(path), mnt, "cgroup.controllers") ||
	    access(path, F_OK) < 0)
		return msg_fail(d->why, sizeof(d->why), "there is no cgroup v2 "
			    "hierarchy at %s or %s/unified, and on cgroup v1 "
			    "only root makes groups", root, root);
	if (v2_path(self_cgroup, rel, sizeof(rel)) < 0 ||
	    snprintf(d->group, sizeof(d->group), "%s%s", mnt,
		     strcmp(rel, "/") == 0 ? "" : rel) >= (int)sizeof(d->group)) {
		d->group[0] = '\0';
		return msg_fail(d->why, sizeof(d->why), "/proc/self/cgroup "
			    "names no cgroup v2 group for boxstep");
	}
	if (stat(d->group, &st) < 0 || st.st_uid != uid) {
		msg_fail(d->why, sizeof(d->why), "boxstep's cgroup %s belongs "
			 "to uid %ld, not to you (uid %ld): no cgroup v2 subtree "
			 "is delegated to you. %s", d->group,
			 stat(d->group, &st) < 0 ? -1L : (long)st.st_uid,
			 (long)uid, how);
		d->group[0] = '\0';
		return -1;
	}
	if (fsutil_join(path, sizeof(path), d->group, "cgroup.subtree_control") ||
	    access(path, W_OK) < 0 ||
	    fsutil_join(path, sizeof(path), d->group, "cgroup.procs") ||
	    access(path, W_OK) < 0) {
		msg_fail(d->why, sizeof(d->why), "you own boxstep's cgroup %s, "
			 "but cannot write %s: it is not fully delegated. %s",
			 d->group, path, how);
		d->group[0] = '\0';
		return -1;
	}
	pids = calloc(64, sizeof(*pids));
	n = pids ? cgroup_procs(d->group, pids, 64) : -1;
	if (n < 0) {
		msg_fail(d->why, sizeof(d->why), "read %s/cgroup.procs: %s",
			 d->group, strerror(errno));
		free(pids);
		d->group[0] = '\0';
		return -1;
	}
	for (long i = 0; i < n && i < 64; i++)
		if (pids[i] != self) {
			msg_fail(d->why, sizeof(d->why), "boxstep's cgroup %s "
				 "holds other processes too (pid %d): cgroup v2 "
				 "lets a group hand controllers down only when "
				 "no process is in it, so boxstep needs a group "
				 "to itself. %s", d->group, (int)pids[i], how);
			free(pids);
			d->group[0] = '\0';
			return -1;
		}
	free(pids);
	snprintf(pid, sizeof(pid), "%d", (int)self);
	if (snprintf(d->leaf, sizeof(d->leaf), "%s/boxstep-%d", d->group,
		     (int)self) >= (int)sizeof(d->leaf) ||
	    (mkdir(d->leaf, 0755) < 0 && errno != EEXIST) ||
	    fsutil_join(path, sizeof(path), d->leaf, "cgroup.procs") ||
	    fsutil_write(path, pid) < 0) {
		msg_fail(d->why, sizeof(d->why), "move boxstep into %s: %s",
			 d->leaf, strerror(errno));
		rmdir(d->leaf);
		d->group[0] = d->leaf[0] = '\0';
		return -1;
	}
	return 0;
}

void
cgroup_undelegate(struct cgroup_delegation *d, pid_t self)
{
	char path[PATH_MAX], minus[32], pid[32];

	if (!d->group[0])
		return;
	if (fsutil_join(path, sizeof(path), d->group, CGROUP_PARENT) == 0)
		rmdir(path);
	if (fsutil_join(path, sizeof(path), d->group,
			"cgroup.subtree_control") == 0)
		for (int c = 0; c < CGROUP_NCTL; c++) {
			snprintf(minus, sizeof(minus), "-%s", known[c].name);
			fsutil_write(path, minus);
		}
	snprintf(pid, sizeof(pid), "%d", (int)self);
	if (fsutil_join(path, sizeof(path), d->group, "cgroup.procs") == 0 &&
	    fsutil_write(path, pid) == 0)
		rmdir(d->leaf);
	d->group[0] = d->leaf[0] = '\0';
}

void
cgroup_unavailable(struct cgroup_ctx *ctx, const char *why)
{
	for (int c = 0; c < CGROUP_NCTL; c++) {
		ctx->ctl[c].version = CGROUP_NONE;
		ctx->ctl[c].hier[0] = ctx->ctl[c].dir[0] = '\0';
		snprintf(ctx->ctl[c].why, sizeof(ctx->ctl[c].why), "%s", why);
	}
}
