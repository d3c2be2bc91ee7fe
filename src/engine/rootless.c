/* rootless: boxstep started by an ordinary user.  Whether the kernel
 * lets it make user namespaces, and the cgroup v2 group delegated to it,
 * in which its containers' groups go. */
#define _GNU_SOURCE
#include "engine/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"

/* Rootless, the cgroup v2 group delegated to the user, which
 * spawn_rootless_begin() found before any fork; or why there is none. */
static struct cgroup_delegation delegation;
static pid_t delegation_owner;

/* The user boxstep was started by, once it is inside its session's host:
 * uid 0 there is this user. */
static bool in_host;
static unsigned outside_uid, outside_gid;

bool
spawn_rootless_active(void)
{
	return in_host;
}

unsigned
spawn_rootless_uid(void)
{
	return outside_uid;
}

unsigned
spawn_rootless_gid(void)
{
	return outside_gid;
}

bool
spawn_rootless_needed(void)
{
	unsigned in = 1, out = 1, count = 0;
	char *map;

	if (geteuid() != 0)
		return true;
	/* Root of a user namespace (a session's host, a container's) is root
	 * over that namespace only: rootless too. */
	map = fsutil_slurp("/proc/self/uid_map", NULL);
	if (!map)
		return false;
	sscanf(map, "%u %u %u", &in, &out, &count);
	free(map);
	return !(in == 0 && out == 0 && count == 4294967295u);
}

const struct cgroup_delegation *
rootless_delegation(void)
{
	return &delegation;
}

int
spawn_rootless_probe(char *err, size_t errlen)
{
	int fds[2], code = -1;
	pid_t pid;
	char what = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return msg_fail(err, errlen, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		/* 'u': no user namespace; 'c': one, but no capability in it
		 * (Ubuntu's AppArmor rule gives a namespace and takes the
		 * capabilities away); '.': fine. */
		char r = unshare(CLONE_NEWUSER | CLONE_NEWUTS) < 0 ? 'u' :
			 sethostname("probe", 5) < 0 ? 'c' : '.';
		int e = errno;

		if (write(fds[1], &r, 1) < 0 || write(fds[1], &e, sizeof(e)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return msg_fail(err, errlen, "fork: %s", strerror(errno));
	}
	if (read(fds[0], &what, 1) == 1) {
		int e = 0;

		if (read(fds[0], &e, sizeof(e)) != sizeof(e))
			e = 0;
		if (what == '.')
			code = 0;
		else if (what == 'u')
			msg_fail(err, errlen, "this system does not let an "
				 "ordinary user make a user namespace "
				 "(unshare(CLONE_NEWUSER): %s). Check `sysctl "
				 "user.max_user_namespaces` (0 turns them off) "
				 "and, on Debian's older kernels, `sysctl "
				 "kernel.unprivileged_userns_clone` (0 turns them "
				 "off for users); inside a container, its seccomp "
				 "profile may forbid them (Docker's default one "
				 "does). Or run boxstep as root: sudo boxstep",
				 strerror(e));
		else
			msg_fail(err, errlen, "a user namespace was made but "
				 "gave no capabilities inside it (sethostname: "
				 "%s). Ubuntu's AppArmor does this: check "
				 "`sysctl kernel.apparmor_restrict_unprivileged_"
				 "userns` (1 restricts them); or run boxstep as "
				 "root: sudo boxstep", strerror(e));
	} else
		msg_fail(err, errlen, "the child that tries a user namespace "
			 "ended without a word (killed?), so rootless mode "
			 "cannot be trusted here; run boxstep as root: sudo "
			 "boxstep");
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return code;
}

void
spawn_rootless_begin(const char *cgroup_root)
{
	char *self = fsutil_slurp("/proc/self/cgroup", NULL);

	delegation_owner = getpid();
	if (!self)
		snprintf(delegation.why, sizeof(delegation.why), "cannot read "
			 "/proc/self/cgroup: %s", strerror(errno));
	else
		cgroup_delegate(&delegation, cgroup_root, self, geteuid(),
				delegation_owner);
	free(self);
}

/* Writes TEXT to /proc/self/FILE, or says why it could not. */
static int
write_self(const char *file, const char *text, char *err, size_t errlen)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if (fsutil_write(path, text) < 0)
		return msg_fail(err, errlen, "write \"%s\" to %s: %s", text,
				path, strerror(errno));
	return 0;
}

int
spawn_rootless_enter(char *err, size_t errlen)
{
	char map[64];

	outside_uid = (unsigned)geteuid();
	outside_gid = (unsigned)getegid();
	if (unshare(CLONE_NEWUSER) < 0)
		return msg_fail(err, errlen, "unshare(CLONE_NEWUSER) for the "
				"session's host: %s", strerror(errno));
	/* A user may map only itself, and gid_map only once setgroups is
	 * denied: uid 0 is this user, and no one else exists here. */
	if (write_self("setgroups", "deny", err, errlen) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", outside_uid);
	if (write_self("uid_map", map, err, errlen) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", outside_gid);
	if (write_self("gid_map", map, err, errlen) < 0)
		return -1;
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		return msg_fail(err, errlen, "unshare the session host's mount, "
				"UTS and IPC namespaces: %s", strerror(errno));
	/* Copied from the host's, its mounts only receive the host's; made
	 * shared among themselves, as systemd makes a host's, so that a
	 * container's mount can reach the session's host as it would the
	 * host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
		return msg_fail(err, errlen, "make the session host's mounts "
				"shared: %s", strerror(errno));
	in_host = true;
	return 0;
}

void
spawn_rootless_end(void)
{
	if (delegation_owner == getpid())
		cgroup_undelegate(&delegation, delegation_owner);
}

void
rootless_cgroups(struct spawn_session *s, const char *cgroup_root)
{
	struct cgroup_ctx host;
	char why[1024];

	if (delegation.group[0]) {
		s->have_cg = cgroup_detect(&s->cg, delegation.group, NULL,
					   0) == 0;
		/* A controller the user's group does not offer. */
		for (int c = 0; c < CGROUP_NCTL; c++)
			if (s->cg.ctl[c].version == CGROUP_NONE)
				snprintf(s->cg.ctl[c].why,
					 sizeof(s->cg.ctl[c].why), "rootless, "
					 "the %s layer needs the %s controller "
					 "in your cgroup %s, and it is not "
					 "delegated to you (not in its "
					 "cgroup.controllers)",
					 cgroup_controller_name(c),
					 cgroup_controller_name(c),
					 delegation.group);
		return;
	}
	cgroup_detect(&host, cgroup_root, NULL, 0);
	cgroup_unavailable(&s->cg, "");
	for (int c = 0; c < CGROUP_NCTL; c++) {
		const char *name = cgroup_controller_name(c);

		if (host.ctl[c].version == CGROUP_V1)
			snprintf(why, sizeof(why), "%s is on cgroup v1 here "
				 "(%s), where only root can make groups, and ",
				 name, host.ctl[c].hier);
		else
			why[0] = '\0';
		snprintf(s->cg.ctl[c].why, sizeof(s->cg.ctl[c].why),
			 "rootless, the %s layer needs a cgroup v2 group "
			 "delegated to you: %s%s", name, why, delegation.why);
	}
}
