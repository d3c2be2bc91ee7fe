/* spawn_session: what a boxstep session keeps while it runs (its terminal,
 * its cgroup hierarchies, its writable layer), and what sessions that
 * died left behind. */
#define _GNU_SOURCE
#include "engine/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "engine/foreground.h"
#include "engine/rootless.h"
#include "host/mounts.h"

/* Says whether the boxstep process PID is alive (for stale cgroups and
 * session directories).  A zombie is not: a session killed together
 * with its supervisor waits for init to reap it. */
bool
spawn_boxstep_alive(pid_t pid)
{
	char path[64], stat[512], *open_paren, *close_paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fsutil_read(path, stat, sizeof(stat)) < 0 ||
	    !(open_paren = strchr(stat, '(')) ||
	    !(close_paren = strrchr(stat, ')')))
		return false;
	if (strncmp(open_paren + 1, "boxstep", 7) != 0)
		return false;
	return close_paren[1] == ' ' && close_paren[2] != 'Z' &&
	       close_paren[2] != 'X';
}

/* Rootless, where session directories go: $XDG_RUNTIME_DIR/boxstep when
 * that is the user's own directory, else /tmp/boxstep-<uid>. */
static void
user_run_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	    (size_t)snprintf(buf, len, "%s/boxstep", xdg) < len)
		return;
	snprintf(buf, len, "/tmp/boxstep-%u", spawn_rootless_uid());
}

/* The session's group, where everything it runs goes: boxstep enters
 * its shared leaf, so that every container and host command is born in
 * it.  On a host with cgroups that would not make it, nothing runs: the
 * session's limits would not hold. */
static void
open_group(struct spawn_session *s, const char *cgroup_root)
{
	char err[1024] = "cannot read /proc/self/cgroup", why[1024], self[8192];

	if (cgroup_session_open(&s->cg, getpid(), &s->cgs, err,
				sizeof(err)) == 0 &&
	    (!s->cgs.group.ctls ||
	     (fsutil_read("/proc/self/cgroup", self, sizeof(self)) >= 0 &&
	      cgroup_session_enter(&s->cg, &s->cgs, self, s->rootless ?
				   cgroup_root : NULL, getpid(), err,
				   sizeof(err)) == 0)))
		return;
	cgroup_session_close(&s->cg, &s->cgs, why, sizeof(why));
	snprintf(s->group_error, sizeof(s->group_error), "cannot make the "
		 "session's cgroup, so nothing can run in it: %s (`boxstep "
		 "class doctor` checks what this host needs)", err);
	cgroup_unavailable(&s->cg, s->group_error);
	s->have_cg = false;
}

void
spawn_session_init(struct spawn_session *s, const char *cgroup_root,
		   const char *rootfs, char *report, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->tty = -1;
	gethostname(s->host_hostname, sizeof(s->host_hostname) - 1);
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp())
		s->tty = STDIN_FILENO;
	/* Orphans of a container come back to us instead of to init, so
	 * teardown can find and reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	foreground_handlers(s);
	s->null_fd = -1;

	s->rootless = spawn_rootless_active();
	if (!s->rootless) {
		snprintf(s->run_dir, sizeof(s->run_dir), "%s", SPAWN_RUN_DIR);
		if (cgroup_detect(&s->cg, cgroup_root, NULL, 0) == 0)
			s->have_cg = true;
	} else {
		user_run_dir(s->run_dir, sizeof(s->run_dir));
		rootless_cgroups(s, cgroup_root);
	}
	spawn_clean_stale(cgroup_root, rootfs, report, len);
	open_group(s, cgroup_root);
}

int
spawn_session_limit(struct spawn_session *s, const struct cgroup_limits *lim,
		    char *err, size_t errlen)
{
	return cgroup_session_limit(&s->cg, &s->cgs, lim, err, errlen);
}

void
spawn_session_after_fork(struct spawn_session *s)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	foreground_handlers(s);
	s->tty = -1;
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp())
		s->tty = STDIN_FILENO;
}

void
spawn_session_end(struct spawn_session *s)
{
	char err[1024];

	if (cgroup_session_close(&s->cg, &s->cgs, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		s->teardown_failed = true;
	}
	if (rootfs_layer_end(&s->rootfs, s->run_dir) < 0)
		s->teardown_failed = true;
}

/* The parent of PID, from /proc, or 0. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	long ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fsutil_read(path, buf, sizeof(buf)) < 0 ||
	    !(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* Says whether a boxstep other than this process and its ancestors (the
 * supervisor, a recording) is running: mounts under a shared rootfs may
 * be its. */
static bool
other_boxstep_alive(void)
{
	pid_t mine[16];
	size_t n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!d)
		return true; /* cannot tell: leave the mounts alone */
	for (pid_t p = getpid(); p > 1 && n < 16; p = parent_of(p))
		mine[n++] = p;
	while (!found && (de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		bool ours = false;

		if (*end || pid <= 0)
			continue;
		for (size_t i = 0; i < n; i++)
			ours = ours || mine[i] == (pid_t)pid;
		if (!ours)
			found = spawn_boxstep_alive((pid_t)pid);
	}
	closedir(d);
	return found;
}

/* Session directories under RUN_DIR whose boxstep is gone. */
static void
clean_stale_dirs(const char *run_dir, char *report, size_t len)
{
	DIR *d = opendir(run_dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX], *end;
		long pid = strtol(de->d_name, &end, 10);
		size_t used = strlen(report);

		if (*end || pid <= 0 || spawn_boxstep_alive((pid_t)pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", run_dir, de->d_name);
		if (mounts_remove_tree(path, NULL) < 0) {
			/* Its session removed it as it ended, between the
			 * readdir and now: it is not stale, it is gone. */
			if (errno == ENOENT)
				continue;
			if (used < len)
				snprintf(report + used, len - used, "could not "
					 "remove stale session directory %s (its "
					 "boxstep, pid %ld, is gone): %s\n", path,
					 pid, strerror(errno));
		} else if (used < len)
			snprintf(report + used, len - used, "removed stale "
				 "session directory %s (its boxstep, pid %ld, "
				 "is gone) and its writable layer\n", path, pid);
	}
	closedir(d);
	rmdir(run_dir);
}

void
spawn_clean_stale(const char *cgroup_root, const char *rootfs, char *report,
		  size_t len)
{
	struct cgroup_ctx cg;
	int *ids = NULL, n;
	size_t used, nids = 0;

	if (spawn_rootless_active()) {
		/* Rootless: only what is the user's own. */
		char dir[PATH_MAX];

		if (rootless_delegation()->group[0] &&
		    cgroup_detect(&cg, rootless_delegation()->group, NULL,
				  0) == 0)
			cgroup_remove_stale(&cg, spawn_boxstep_alive, report, len);
		user_run_dir(dir, sizeof(dir));
		clean_stale_dirs(dir, report, len);
		return;
	}
	if (cgroup_detect(&cg, cgroup_root, NULL, 0) == 0)
		cgroup_remove_stale(&cg, spawn_boxstep_alive, report, len);
	clean_stale_dirs(SPAWN_RUN_DIR, report, len);
	/* Mounts left under the shared rootfs by a session that died (a
	 * leaked proc, a shared bind): only when no other boxstep runs,
	 * since they cannot be told apart from a live session's. */
	if (!rootfs || !rootfs[0])
		return;
	/* Scan /proc for other sessions only when there is something to
	 * remove: start-up stays cheap. */
	if (mounts_under(rootfs, &ids, &nids) < 0 || nids == 0) {
		free(ids);
		return;
	}
	free(ids);
	if (other_boxstep_alive())
		return;
	n = mounts_unmount_under(rootfs, NULL, 0);
	used = strlen(report);
	if (n > 0 && used < len)
		snprintf(report + used, len - used, "unmounted %d stale "
			 "mount%s under %s\n", n, n == 1 ? "" : "s", rootfs);
}
