/* cgroup: detect the pids controller, make, fill, read, kill and remove
 * per-session groups on cgroup v1 and v2. */
#define _GNU_SOURCE
#include "cgroup.h"

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

#include "fsutil.h"
#include "msg.h"

/* How long teardown waits for a group to empty, in 1 ms naps. */
#define CGROUP_WAIT_NAPS 2000

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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

/* Looks for a v2 hierarchy with pids at DIR.  Returns 1 found, 0 absent,
 * -1 present without pids (CONTROLLERS then holds what it has). */
static int
probe_v2(const char *dir, char *controllers, size_t len)
{
	char path[PATH_MAX];

	if (fsutil_join(path, sizeof(path), dir, "cgroup.controllers") ||
	    fsutil_read(path, controllers, len) < 0)
		return 0;
	controllers[strcspn(controllers, "\n")] = '\0';
	return has_word(controllers, "pids") ? 1 : -1;
}

int
cgroup_detect(struct cgroup_ctx *ctx, const char *root,
	      char *err, size_t errlen)
{
	char path[PATH_MAX], unified[PATH_MAX], ctl[512] = "", uctl[512] = "";
	int v2, hybrid;
	struct stat st;

	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->root, sizeof(ctx->root), "%s", root);
	v2 = probe_v2(root, ctl, sizeof(ctl));
	if (v2 == 1) {
		ctx->version = CGROUP_V2;
		snprintf(ctx->hier, sizeof(ctx->hier), "%s", root);
		goto found;
	}
	if (fsutil_join(path, sizeof(path), root, "pids/cgroup.procs") == 0 &&
	    stat(path, &st) == 0) {
		ctx->version = CGROUP_V1;
		snprintf(ctx->hier, sizeof(ctx->hier), "%s/pids", root);
		goto found;
	}
	fsutil_join(unified, sizeof(unified), root, "unified");
	hybrid = probe_v2(unified, uctl, sizeof(uctl));
	if (hybrid == 1) {
		ctx->version = CGROUP_V2;
		snprintf(ctx->hier, sizeof(ctx->hier), "%s", unified);
		goto found;
	}
	if (v2 == -1)
		return msg_fail(err, errlen,
			    "no pids cgroup controller: cgroup v2 is mounted at "
			    "%s but its cgroup.controllers lists only \"%s\". "
			    "The pids layer needs a kernel built with "
			    "CONFIG_CGROUP_PIDS", root, ctl);
	return msg_fail(err, errlen,
		    "no pids cgroup controller: looked for cgroup v2 at "
		    "%s/cgroup.controllers, cgroup v1 at %s/pids and v2 at "
		    "%s/unified%s. Is cgroupfs mounted there? (inside a "
		    "container, /sys/fs/cgroup is often hidden)", root, root,
		    root, hybrid == -1 ? " (mounted, but without pids)" : "");
found:
	if (fsutil_join(ctx->dir, sizeof(ctx->dir), ctx->hier, CGROUP_PARENT))
		return msg_fail(err, errlen, "cgroup path too long: %s", ctx->hier);
	return 0;
}

const char *
cgroup_version_name(const struct cgroup_ctx *ctx)
{
	return ctx->version == CGROUP_V2 ? "v2" :
	       ctx->version == CGROUP_V1 ? "v1" : "none";
}

/* On v2, makes sure DIR hands the pids controller to its children. */
static int
enable_pids(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], ctl[512];

	if (fsutil_join(path, sizeof(path), dir, "cgroup.subtree_control"))
		return msg_fail(err, errlen, "cgroup path too long: %s", dir);
	if (fsutil_read(path, ctl, sizeof(ctl)) >= 0 && has_word(ctl, "pids"))
		return 0;
	if (fsutil_write(path, "+pids") < 0)
		return msg_fail(err, errlen,
			    "write \"+pids\" to %s: %s%s", path,
			    strerror(errno), errno == EBUSY ?
			    " (cgroup v2 allows no processes in a group that "
			    "hands controllers to its children)" : "");
	return 0;
}

int
cgroup_create(const struct cgroup_ctx *ctx, const char *name,
	      long pids_max, char *path, size_t pathlen,
	      char *err, size_t errlen)
{
	char file[PATH_MAX], value[32];

	if (ctx->version == CGROUP_NONE)
		return msg_fail(err, errlen, "no pids cgroup hierarchy detected");
	if (fsutil_join(path, pathlen, ctx->dir, name))
		return msg_fail(err, errlen, "cgroup path too long: %s/%s",
			    ctx->dir, name);
	/* Another session may remove the shared parent between our two
	 * mkdirs when it was the last one out: make it again then. */
	for (int attempt = 0;; attempt++) {
		if (ctx->version == CGROUP_V2 &&
		    enable_pids(ctx->hier, err, errlen))
			return -1;
		if (mkdir(ctx->dir, 0755) < 0 && errno != EEXIST)
			return msg_fail(err, errlen, "mkdir %s: %s", ctx->dir,
				    strerror(errno));
		if (ctx->version == CGROUP_V2 &&
		    enable_pids(ctx->dir, err, errlen))
			return -1;
		if (mkdir(path, 0755) == 0)
			break;
		if (errno != ENOENT || attempt == 3)
			return msg_fail(err, errlen, "mkdir %s: %s", path,
				    strerror(errno));
	}
	if (pids_max < 0)
		snprintf(value, sizeof(value), "max");
	else
		snprintf(value, sizeof(value), "%ld", pids_max);
	if (fsutil_join(file, sizeof(file), path, "pids.max") ||
	    fsutil_write(file, value) < 0) {
		msg_fail(err, errlen, "write \"%s\" to %s: %s", value, file,
		     strerror(errno));
		rmdir(path);
		return -1;
	}
	return 0;
}

int
cgroup_attach(const char *group, pid_t pid, char *err, size_t errlen)
{
	char file[PATH_MAX], value[32];

	snprintf(value, sizeof(value), "%d", (int)pid);
	if (fsutil_join(file, sizeof(file), group, "cgroup.procs") ||
	    fsutil_write(file, value) < 0)
		return msg_fail(err, errlen, "write %s to %s: %s", value, file,
			    strerror(errno));
	return 0;
}

/* Reads "max N" out of pids.events. */
static long
read_events_max(const char *group)
{
	char file[PATH_MAX], buf[256];
	const char *p;

	if (fsutil_join(file, sizeof(file), group, "pids.events") ||
	    fsutil_read(file, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "max ", 4) == 0)
			return strtol(p + 4, NULL, 10);
	return -1;
}

int
cgroup_stats_read(const char *group, struct cgroup_stats *st)
{
	char file[PATH_MAX];
	int rc = 0;

	st->current = st->max = st->events_max = st->nprocs = -1;
	if (fsutil_join(file, sizeof(file), group, "pids.current") ||
	    fsutil_read_long(file, &st->current) < 0)
		rc = -1;
	if (fsutil_join(file, sizeof(file), group, "pids.max") == 0 &&
	    fsutil_read_long(file, &st->max) < 0)
		st->max = -2;
	st->events_max = read_events_max(group);
	st->nprocs = cgroup_procs(group, NULL, 0);
	return rc;
}

long
cgroup_procs(const char *group, pid_t *pids, size_t max)
{
	char file[PATH_MAX], *text, *p, *end;
	long n = 0;

	if (fsutil_join(file, sizeof(file), group, "cgroup.procs"))
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
v2_empty(const char *group)
{
	char file[PATH_MAX], buf[256];

	if (fsutil_join(file, sizeof(file), group, "cgroup.events") ||
	    fsutil_read(file, buf, sizeof(buf)) < 0)
		return cgroup_procs(group, NULL, 0) <= 0;
	return strstr(buf, "populated 0") != NULL;
}

int
cgroup_kill_all(const struct cgroup_ctx *ctx, const char *group)
{
	char file[PATH_MAX];
	pid_t pids[256];
	bool killed_by_kernel = false;

	if (ctx->version == CGROUP_V2 &&
	    fsutil_join(file, sizeof(file), group, "cgroup.kill") == 0 &&
	    access(file, F_OK) == 0 && fsutil_write(file, "1") == 0)
		killed_by_kernel = true;
	for (int nap = 0; nap < CGROUP_WAIT_NAPS; nap++) {
		long n;

		if (ctx->version == CGROUP_V2 && v2_empty(group))
			return 0;
		n = cgroup_procs(group, pids, sizeof(pids) / sizeof(pids[0]));
		if (n <= 0)
			return n < 0 && errno != ENOENT ? -1 : 0;
		/* Without cgroup.kill, a process may fork between our read
		 * and its kill; the loop reads again until nothing is left.
		 * pids.max bounds how many it can make meanwhile. */
		if (!killed_by_kernel)
			for (long i = 0; i < n && i < 256; i++)
				kill(pids[i], SIGKILL);
		nap_ms(1);
	}
	errno = EBUSY;
	return -1;
}

int
cgroup_remove(const struct cgroup_ctx *ctx, const char *group,
	      char *err, size_t errlen)
{
	int nap;

	cgroup_kill_all(ctx, group);
	/* An exiting task may still hold the group for a moment after
	 * cgroup.procs empties: rmdir says EBUSY until it is gone. */
	for (nap = 0; rmdir(group) < 0; nap++) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY || nap >= CGROUP_WAIT_NAPS)
			return msg_fail(err, errlen,
				    "rmdir %s: %s (processes still in it: %ld)",
				    group, strerror(errno),
				    cgroup_procs(group, NULL, 0));
		nap_ms(1);
	}
	/* The parent goes too once no other session uses it. */
	if (rmdir(ctx->dir) < 0 && errno != ENOTEMPTY && errno != EBUSY &&
	    errno != ENOENT && errno != EEXIST)
		return msg_fail(err, errlen, "rmdir %s: %s", ctx->dir,
			    strerror(errno));
	return 0;
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

int
cgroup_remove_stale(const struct cgroup_ctx *ctx, cgroup_alive_fn alive,
		    char *report, size_t len)
{
	char group[PATH_MAX], why[512];
	size_t used = report && len ? strlen(report) : 0;
	struct dirent *d;
	int removed = 0;
	DIR *dir;

	dir = opendir(ctx->dir);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		pid_t owner = session_owner(d->d_name);
		long left;

		if (d->d_type != DT_DIR || owner == 0 || alive(owner))
			continue;
		if (fsutil_join(group, sizeof(group), ctx->dir, d->d_name))
			continue;
		left = cgroup_procs(group, NULL, 0);
		if (cgroup_remove(ctx, group, why, sizeof(why)) < 0) {
			if (report && used < len)
				used += (size_t)snprintf(report + used,
					len - used, "could not remove stale "
					"cgroup %s: %s\n", group, why);
			continue;
		}
		removed++;
		if (report && used < len)
			used += (size_t)snprintf(report + used, len - used,
				"removed stale cgroup %s (its boxstep, pid %d, "
				"is gone; %ld process%s killed)\n", group,
				(int)owner, left > 0 ? left : 0,
				left == 1 ? "" : "es");
	}
	closedir(dir);
	return removed;
}
