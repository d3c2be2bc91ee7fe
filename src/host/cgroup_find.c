/* cgroup_find: find the pids, memory and cpu hierarchies on cgroup v1, v2
 * or a hybrid host; hand a rootless boxstep its delegated v2 group. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"

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

bool
cgroup_has_word(const char *list, const char *w)
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
	const char *name = known[c].name;
	char root[PATH_MAX], path[PATH_MAX], unified[PATH_MAX];
	struct stat st;

	/* a copy: the messages below go into CTX too */
	snprintf(root, sizeof(root), "%s", ctx->root);

	if (root_v2) {
		if (cgroup_has_word(ctl, name)) {
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
	if (unified_v2 && cgroup_has_word(uctl, name)) {
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
	char *text = NULL;
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
	if (fsutil_join(path, sizeof(path), d->group, "cgroup.subtree_control") ==
	    0 && (text = fsutil_slurp(path, NULL)) != NULL)
		snprintf(d->handed, sizeof(d->handed), "%.*s",
			 (int)strcspn(text, "\n"), text);
	free(text);
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

/* WORD is one of the space-separated words of LIST. */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

void
cgroup_undelegate(struct cgroup_delegation *d, pid_t self)
{
	char path[PATH_MAX], minus[32], pid[32], *now = NULL, *save = NULL;

	if (!d->group[0])
		return;
	if (fsutil_join(path, sizeof(path), d->group, CGROUP_PARENT) == 0)
		rmdir(path);
	/* cgroup v2 moves no process into a group that hands controllers
	 * down: each one enabled since boxstep came is taken back. */
	if (fsutil_join(path, sizeof(path), d->group,
			"cgroup.subtree_control") == 0 &&
	    (now = fsutil_slurp(path, NULL)) != NULL)
		for (char *w = strtok_r(now, " \n", &save); w;
		     w = strtok_r(NULL, " \n", &save))
			if (!has_word(d->handed, w)) {
				snprintf(minus, sizeof(minus), "-%s", w);
				fsutil_write(path, minus);
			}
	free(now);
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
