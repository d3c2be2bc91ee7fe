/* spawn: clone, set up, exec, wait and tear down one container. */
#define _GNU_SOURCE
#include "engine/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "host/mountinfo.h"

extern char **environ;

volatile sig_atomic_t spawn_quit_signal;

/* The steps of the child's setup, for its error report. */
enum child_stage {
	STAGE_SYNC,
	STAGE_USER,
	STAGE_STDIN,
	STAGE_HOSTNAME,
	STAGE_PRIVATE,
	STAGE_CHROOT,
	STAGE_CHDIR,
	STAGE_PIVOT_BIND,
	STAGE_PIVOT,
	STAGE_PIVOT_DETACH,
	STAGE_PROC,
	STAGE_CGROUPNS,
	STAGE_HELD,     /* not a failure: set up, about to exec */
	STAGE_LOOPBACK,
	STAGE_LAYER,
	STAGE_EXEC,
};

/* What a child whose setup failed writes to the error pipe. */
struct child_report {
	int stage;
	int err;
};

struct child_args {
	const struct plan *plan;
	char *const *argv;
	char **env;
	int sync_rd;      /* closed by the parent once set up, after a byte */
	int report_wr;    /* O_CLOEXEC: closes by itself on a good exec */
	int stdin_fd;     /* -1 keeps boxstep's */
	bool background;
	bool own_pgrp;
	const char *layer_opts; /* rootless: the overlay the child mounts on */
	const char *layer_root; /* LAYER_ROOT itself; else NULL */
};

/* Rootless, the cgroup v2 group delegated to the user, which
 * spawn_rootless_begin() found before any fork; or why there is none. */
static struct cgroup_delegation delegation;
static pid_t delegation_owner;

static void user_run_dir(char *buf, size_t len);
static void rootless_cgroups(struct spawn_session *s, const char *cgroup_root);
static void clean_stale_dirs(const char *run_dir, char *report, size_t len);

/* Self-pipe that the SIGCHLD and quit handlers write to, so that the wait
 * loops can poll() without losing a signal. */
static int wake_pipe[2] = { -1, -1 };

/* The next pipe the Ctrl-C watcher reports on. */
static int watcher_pipe[2] = { -1, -1 };

static void describe_failure(const struct spawn_container *c,
			     const char *prog, const struct child_report *r,
			     char *err, size_t errlen);

static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], "c", 1) < 0) {
		/* full pipe: a wake-up is already pending */
	}
	errno = saved;
}

static void
on_quit(int sig)
{
	spawn_quit_signal = sig;
	on_sigchld(sig);
}

/* Says whether the boxstep process PID is alive (for stale cgroups and
 * session directories).  A zombie is not: a session killed together
 * with its supervisor waits for init to reap it. */
static bool
boxstep_alive(pid_t pid)
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

/* SIGCHLD wakes the wait loops; SIGTERM, SIGHUP and SIGINT end the
 * session through spawn_quit_signal. */
static void
install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	/* No SA_RESTART: a quit must interrupt a blocking read.  Batch
	 * mode ends on Ctrl-C between commands, cleanly; the interactive
	 * prompt replaces SIGINT's handler with its own. */
	sa.sa_handler = on_quit;
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Like a shell: boxstep may write to and take back the terminal
	 * while a container owns it. */
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGWINCH, SIG_DFL);
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

void
spawn_rootless_end(void)
{
	if (delegation_owner == getpid())
		cgroup_undelegate(&delegation, delegation_owner);
}

/* Rootless, the cgroup layers work only in the delegated group. */
static void
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
	if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		wake_pipe[0] = wake_pipe[1] = -1;

	install_handlers();

	s->rootless = geteuid() != 0;
	if (!s->rootless) {
		snprintf(s->run_dir, sizeof(s->run_dir), "%s", SPAWN_RUN_DIR);
		if (cgroup_detect(&s->cg, cgroup_root, NULL, 0) == 0)
			s->have_cg = true;
		spawn_clean_stale(cgroup_root, rootfs, report, len);
		return;
	}
	user_run_dir(s->run_dir, sizeof(s->run_dir));
	rootless_cgroups(s, cgroup_root);
	spawn_clean_stale(cgroup_root, rootfs, report, len);
}

void
spawn_session_after_fork(struct spawn_session *s)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	install_handlers();
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		wake_pipe[0] = wake_pipe[1] = -1;
	s->tty = -1;
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp())
		s->tty = STDIN_FILENO;
}

/* --- the child ------------------------------------------------------ */

static void __attribute__((noreturn))
child_fail(const struct child_args *a, enum child_stage stage, int code)
{
	struct child_report r = { stage, errno };

	if (write(a->report_wr, &r, sizeof(r)) < 0) {
		/* the parent is gone; nothing to tell */
	}
	_exit(code);
}

/* Brings the new network namespace's loopback device up, as `ip link
 * set lo up` does. */
static int
loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* Mounts a new proc on ROOT + DIR. */
static int
mount_proc(const char *root, const char *dir)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s%s", root, dir);
	return mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL);
}

static int
child_main(void *arg)
{
	const struct child_args *a = arg;
	const struct plan *p = a->plan;
	char go;

	/* Signals boxstep ignores would stay ignored across exec. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (a->background) {
		/* A session of its own, and so (with the kernel's autogroup
		 * scheduling) a scheduling group of its own: at nice 10, a
		 * background container, a fork bomb say, yields the CPU to
		 * the session and the rest of the host. */
		int fd;

		setsid();
		fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "10", 2) < 0) {
				/* no autogroup scheduling: nothing to lower */
			}
			close(fd);
		}
	} else if (a->own_pgrp)
		setpgid(0, 0);

	/* Hold here until the parent has placed us in our cgroup: nothing
	 * the command does may escape the limit. */
	if (read(a->sync_rd, &go, 1) != 1)
		_exit(125);
	/* In a user namespace the parent has written the maps: become its
	 * root.  The change of credentials clears the parent-death signal,
	 * so it is set again. */
	if (plan_has(p, PLAN_USER)) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			child_fail(a, STAGE_USER, 125);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	}
	/* Now that it is in its cgroup, that group becomes its "/", which
	 * a CLONE_NEWCGROUP at clone time would not give: the child was
	 * still in boxstep's group then. */
	if (plan_has(p, PLAN_CGROUPNS) && unshare(CLONE_NEWCGROUP) < 0)
		child_fail(a, STAGE_CGROUPNS, 125);

	if (a->stdin_fd >= 0 && dup2(a->stdin_fd, STDIN_FILENO) < 0)
		child_fail(a, STAGE_STDIN, 125);
	if (plan_has(p, PLAN_NET) && loopback_up() < 0)
		child_fail(a, STAGE_LOOPBACK, 125);
	if (plan_has(p, PLAN_UTS) &&
	    sethostname(p->hostname, strlen(p->hostname)) < 0)
		child_fail(a, STAGE_HOSTNAME, 125);
	if (plan_has(p, PLAN_MNT) && p->propagation == PLAN_PROP_PRIVATE &&
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(a, STAGE_PRIVATE, 125);
	/* Rootless, only the container can mount the writable layer: in
	 * its own mount namespace, which its user namespace owns. */
	if (a->layer_opts &&
	    mount("overlay", a->layer_root, "overlay", 0, a->layer_opts) < 0)
		child_fail(a, STAGE_LAYER, 125);
	if (plan_has(p, PLAN_PIVOT)) {
		/* pivot_root(2) wants the new root to be a mount point, and
		 * no shared mount around it.  pivot_root(".", ".") puts the
		 * old root on top of the new one; detaching it leaves the
		 * mount namespace nothing of the host's tree to walk to. */
		if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC,
			  NULL) < 0 ||
		    mount(NULL, p->rootfs, NULL, MS_PRIVATE, NULL) < 0)
			child_fail(a, STAGE_PIVOT_BIND, 125);
		/* proc goes on before the pivot: in a user namespace the
		 * kernel lets a new proc be mounted only where a full one is
		 * already visible, and after the pivot none is. */
		if (plan_has(p, PLAN_PROC) &&
		    mount_proc(p->rootfs, "/proc") < 0)
			child_fail(a, STAGE_PROC, 125);
		if (chdir(p->rootfs) < 0 ||
		    syscall(SYS_pivot_root, ".", ".") < 0)
			child_fail(a, STAGE_PIVOT, 125);
		if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
			child_fail(a, STAGE_PIVOT_DETACH, 125);
	}
	if (plan_has(p, PLAN_CHROOT)) {
		if (chroot(p->rootfs) < 0)
			child_fail(a, STAGE_CHROOT, 125);
		/* chroot(2) leaves the cwd alone: without this the process
		 * can walk out of its root with `cd ..`. */
		if (p->chdir && chdir("/") < 0)
			child_fail(a, STAGE_CHDIR, 125);
	}
	if (plan_has(p, PLAN_PROC) && !plan_has(p, PLAN_PIVOT) &&
	    mount_proc("", "/proc") < 0)
		child_fail(a, STAGE_PROC, 125);
	/* Set up: held once more, so that the parent can read the
	 * container as it is made (its hostname, root, mounts, namespaces)
	 * before the command replaces this copy of boxstep. */
	{
		struct child_report held = { STAGE_HELD, 0 };

		if (write(a->report_wr, &held, sizeof(held)) != sizeof(held) ||
		    read(a->sync_rd, &go, 1) != 1)
			_exit(125);
		close(a->sync_rd);
	}
	environ = a->env;
	execvp(a->argv[0], a->argv);
	child_fail(a, STAGE_EXEC, errno == ENOENT ? 127 : 126);
}

/* --- host mounts ---------------------------------------------------- */

/* Collects the ids of the host's mounts under DIR. */
static int
host_mounts_under(const char *dir, int **ids, size_t *n)
{
	char *text = fsutil_slurp("/proc/self/mountinfo", NULL), *cur = text;
	struct mountinfo_entry e;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (!text)
		return -1;
	while (mountinfo_next(&cur, &e)) {
		if (!mountinfo_under(e.mountpoint, dir))
			continue;
		if (*n == cap) {
			int *bigger = realloc(*ids, (cap = cap ? cap * 2 : 8) *
					      sizeof(**ids));
			if (!bigger)
				break;
			*ids = bigger;
		}
		(*ids)[(*n)++] = e.id;
	}
	free(text);
	return 0;
}

/* Unmounts every host mount under DIR (DIR itself included) whose id is
 * not in KEEP, newest first: mounts stack, so the last listed goes
 * first.  Returns how many it unmounted, or -1 when it had to stop (it
 * said why). */
static int
unmount_under(const char *dir, const int *keep, size_t nkeep)
{
	int done = 0;

	for (int round = 0; round < 64; round++) {
		char *text, *cur;
		struct mountinfo_entry e;
		char victim[PATH_MAX] = "";

		text = fsutil_slurp("/proc/self/mountinfo", NULL);
		if (!text) {
			fprintf(stderr, "boxstep: read /proc/self/mountinfo to "
				"unmount what is under %s: %s\n", dir,
				strerror(errno));
			return -1;
		}
		cur = text;
		while (mountinfo_next(&cur, &e)) {
			bool old = false;

			if (!mountinfo_under(e.mountpoint, dir))
				continue;
			for (size_t i = 0; i < nkeep; i++)
				if (keep[i] == e.id)
					old = true;
			if (!old)
				snprintf(victim, sizeof(victim), "%s",
					 e.mountpoint);
		}
		free(text);
		if (!victim[0])
			break;
		if (umount2(victim, MNT_DETACH) < 0) {
			fprintf(stderr, "boxstep: umount %s: %s\n", victim,
				strerror(errno));
			return -1;
		}
		done++;
	}
	return done;
}

/* Unmounts every host mount under the container's rootfs that was not
 * there before it started (the leaked proc, the shared bind).  Returns
 * how many it unmounted, or -1. */
static int
unmount_new(struct spawn_container *c)
{
	int done;

	if (!c->track_mounts)
		return 0;
	done = unmount_under(c->plan.rootfs, c->host_mounts, c->n_host_mounts);
	free(c->host_mounts);
	c->host_mounts = NULL;
	c->n_host_mounts = 0;
	c->track_mounts = false;
	return done;
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
			found = boxstep_alive((pid_t)pid);
	}
	closedir(d);
	return found;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
	     struct FTW *ftw)
{
	int unreadable = errno; /* for FTW_DNR, why opendir failed */

	(void)st, (void)ftw;
	if (flag == FTW_DNR) {
		/* Empty, it goes; else the reason is that it could not be
		 * read, not that it is not empty. */
		if (rmdir(path) == 0)
			return 0;
		errno = unreadable;
		return -1;
	}
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Lets the owner into every directory: overlayfs leaves its work
 * directory mode 0, which only root can enter without this. */
static int
open_entry(const char *path, const struct stat *st, int flag,
	   struct FTW *ftw)
{
	(void)ftw;
	if ((flag == FTW_D || flag == FTW_DNR) &&
	    (st->st_mode & 0700) != 0700)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

/* Unmounts everything under DIR, then removes the tree (never crossing
 * into a mount that is somehow left).  Returns 0 or -1.  *UNMOUNT_FAILED
 * (if given) says whether unmounting failed (it said why), even when the
 * tree could then be removed. */
static int
remove_session_dir(const char *dir, bool *unmount_failed)
{
	if (unmount_under(dir, NULL, 0) < 0 && unmount_failed)
		*unmount_failed = true;
	nftw(dir, open_entry, 16, FTW_PHYS | FTW_MOUNT);
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Rootless: makes UPPER/tmp (sticky, open to all) where LOWER has it, so
 * that it needs no copy-up.  (A directory the user cannot search, such as
 * a 0700 /root, cannot be made writable this way: overlayfs looks names
 * up in the lower layer with the user's own rights.) */
static int
rootless_upper(const char *upper, const char *lower, char *err,
	       size_t errlen)
{
	static const struct {
		const char *name;
		mode_t mode;
	} dirs[] = { { "tmp", 01777 } };
	char path[PATH_MAX + 16];
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", lower, dirs[i].name);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/%s", upper, dirs[i].name);
		if (mkdir(path, 0700) < 0 || chmod(path, dirs[i].mode) < 0)
			return msg_fail(err, errlen, "make %s: %s", path,
					strerror(errno));
	}
	return 0;
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
	snprintf(buf, len, "/tmp/boxstep-%u", (unsigned)geteuid());
}

/* Rootless, the session directory's parent may be in /tmp, where another
 * user could have made it first: it must be a real directory of ours that
 * no one else may write. */
static int
own_private_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return msg_fail(err, errlen, "%s is not a directory of yours "
			    "that only you may write (it is %s of uid %ld, mode "
			    "%04o): someone else may have made it. Remove it, "
			    "or set XDG_RUNTIME_DIR to a directory of yours",
			    dir, S_ISLNK(st.st_mode) ? "a symlink" :
			    S_ISDIR(st.st_mode) ? "a directory" : "a file",
			    (long)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Makes the session's writable layer over LOWER, once; a new rootfs
 * gets a new layer. */
static int
session_layer(struct spawn_session *s, const char *lower, char *err,
	      size_t errlen)
{
	char upper[PATH_MAX + 8], work[PATH_MAX + 8], opts[3 * PATH_MAX + 64];
	const char *name = strrchr(lower, '/');

	if (s->layer_root[0] && strcmp(s->layer_lower, lower) == 0)
		return 0;
	spawn_session_end(s);
	if (strpbrk(lower, ",:\\"))
		return msg_fail(err, errlen, "the rootfs path %s has a ',', ':' "
			    "or '\\', which an overlay mount cannot take; "
			    "`set rootfs.layer off` uses the directory itself",
			    lower);
	name = name && name[1] ? name + 1 : "root";
	if (mkdir(s->run_dir, s->rootless ? 0700 : 0755) < 0 &&
	    errno != EEXIST)
		return msg_fail(err, errlen, "mkdir %s for the session's "
			    "writable layer: %s; `set rootfs.layer off` chroots "
			    "into the rootfs itself", s->run_dir,
			    strerror(errno));
	if (s->rootless && own_private_dir(s->run_dir, err, errlen) < 0)
		return -1;
	snprintf(s->layer_dir, sizeof(s->layer_dir), "%s/%d", s->run_dir,
		 (int)getpid());
	snprintf(upper, sizeof(upper), "%s/upper", s->layer_dir);
	snprintf(work, sizeof(work), "%s/work", s->layer_dir);
	snprintf(s->layer_root, sizeof(s->layer_root), "%s/%s", s->layer_dir,
		 name);
	/* 0711: a user namespace's root is uid 100000 here, and must be
	 * able to pass through to the root, if not to list the rest. */
	if ((mkdir(s->layer_dir, 0711) < 0 && errno != EEXIST) ||
	    chmod(s->layer_dir, 0711) < 0 ||
	    mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
	    mkdir(s->layer_root, 0755) < 0) {
		msg_fail(err, errlen, "make the session directory %s: %s",
			 s->layer_dir, strerror(errno));
		goto fail;
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, upper, work);
	if (s->rootless) {
		/* The container mounts it (spawn_start passes the options).
		 * Copying up a directory that belongs to the host's root
		 * fails for a user namespace that cannot map that owner:
		 * /tmp is made in the upper layer beforehand, so that the
		 * container has a place it may write. */
		if (rootless_upper(upper, lower, err, errlen) < 0)
			goto fail;
		snprintf(s->layer_opts, sizeof(s->layer_opts), "%s", opts);
		snprintf(s->layer_lower, sizeof(s->layer_lower), "%s", lower);
		return 0;
	}
	if (mount("overlay", s->layer_root, "overlay", 0, opts) < 0) {
		msg_fail(err, errlen, "mount a writable layer over %s: %s. "
			 "The kernel needs overlayfs, and the rootfs must not "
			 "itself be on an overlay (as inside Docker); `set "
			 "rootfs.layer off` uses the directory itself", lower,
			 strerror(errno));
		goto fail;
	}
	snprintf(s->layer_lower, sizeof(s->layer_lower), "%s", lower);
	return 0;
fail:
	remove_session_dir(s->layer_dir, NULL);
	s->layer_dir[0] = s->layer_root[0] = s->layer_opts[0] = '\0';
	return -1;
}

void
spawn_session_end(struct spawn_session *s)
{
	if (!s->layer_dir[0])
		return;
	if (remove_session_dir(s->layer_dir, &s->teardown_failed) < 0) {
		fprintf(stderr, "boxstep: could not remove the session "
			"directory %s: %s\n", s->layer_dir, strerror(errno));
		s->teardown_failed = true;
	}
	rmdir(s->run_dir); /* when no other session has one */
	s->layer_dir[0] = s->layer_root[0] = s->layer_lower[0] = '\0';
	s->layer_opts[0] = '\0';
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

		if (*end || pid <= 0 || boxstep_alive((pid_t)pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", run_dir, de->d_name);
		if (remove_session_dir(path, NULL) < 0) {
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

	if (geteuid() != 0) {
		/* Rootless: only what is the user's own. */
		char dir[PATH_MAX];

		if (delegation.group[0] &&
		    cgroup_detect(&cg, delegation.group, NULL, 0) == 0)
			cgroup_remove_stale(&cg, boxstep_alive, report, len);
		user_run_dir(dir, sizeof(dir));
		clean_stale_dirs(dir, report, len);
		return;
	}
	if (cgroup_detect(&cg, cgroup_root, NULL, 0) == 0)
		cgroup_remove_stale(&cg, boxstep_alive, report, len);
	clean_stale_dirs(SPAWN_RUN_DIR, report, len);
	/* Mounts left under the shared rootfs by a session that died (a
	 * leaked proc, a shared bind): only when no other boxstep runs,
	 * since they cannot be told apart from a live session's. */
	if (!rootfs || !rootfs[0])
		return;
	/* Scan /proc for other sessions only when there is something to
	 * remove: start-up stays cheap. */
	if (host_mounts_under(rootfs, &ids, &nids) < 0 || nids == 0) {
		free(ids);
		return;
	}
	free(ids);
	if (other_boxstep_alive())
		return;
	n = unmount_under(rootfs, NULL, 0);
	used = strlen(report);
	if (n > 0 && used < len)
		snprintf(report + used, len - used, "unmounted %d stale "
			 "mount%s under %s\n", n, n == 1 ? "" : "s", rootfs);
}

/* For `propagation shared`: bind the rootfs onto itself and make it a
 * shared mount, as every mount is on a systemd host. */
static int
make_shared_root(struct spawn_container *c, char *err, size_t errlen)
{
	const char *root = c->plan.rootfs;

	if (mount(root, root, "none", MS_BIND | MS_REC, NULL) < 0)
		return msg_fail(err, errlen, "bind mount %s onto itself: %s", root,
			    strerror(errno));
	snprintf(c->bind, sizeof(c->bind), "%s", root);
	if (mount("none", root, "none", MS_SHARED, NULL) < 0)
		return msg_fail(err, errlen, "make %s shared: %s", root,
			    strerror(errno));
	return 0;
}

/* --- orphans -------------------------------------------------------- */

static bool
is_live_container(const struct spawn_session *s, pid_t pid)
{
	for (size_t i = 0; i < 2; i++)
		if (s->live[i] && s->live[i]->running && s->live[i]->pid == pid)
			return true;
	return false;
}

/* Reaps every exited child that is not a live container: orphans of
 * containers come back to us because we are a subreaper. */
static void
reap_orphans(struct spawn_session *s)
{
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			return;
		if (is_live_container(s, si.si_pid))
			return; /* its owner collects it */
		waitpid(si.si_pid, NULL, WNOHANG);
	}
}

/* Kills the processes a container without a PID namespace or cgroup left
 * behind: they were reparented to us.  Processes in another live
 * container's session are spared.  Loops while new ones appear. */
static void
kill_orphans(struct spawn_session *s)
{
	pid_t self = getpid();

	for (int round = 0; round < 100; round++) {
		DIR *proc = opendir("/proc");
		struct dirent *d;
		int found = 0;

		if (!proc)
			return;
		while ((d = readdir(proc)) != NULL) {
			char path[64], stat[512], *p;
			int ppid, pgrp, sid;
			pid_t pid = (pid_t)atoi(d->d_name);
			bool spare = false;

			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			if (fsutil_read(path, stat, sizeof(stat)) < 0)
				continue;
			p = strrchr(stat, ')');
			if (!p || sscanf(p + 1, " %*c %d %d %d", &ppid, &pgrp,
					 &sid) != 3 || ppid != self)
				continue;
			for (size_t i = 0; i < 2; i++)
				if (s->live[i] && s->live[i]->running &&
				    (s->live[i]->pid == pid ||
				     (s->live[i]->background &&
				      s->live[i]->pid == sid)))
					spare = true;
			if (spare)
				continue;
			kill(pid, SIGKILL);
			found++;
		}
		closedir(proc);
		if (!found)
			return;
		/* Let them die, then reap, so the next scan sees their
		 * children (now ours) instead. */
		usleep(1000);
		reap_orphans(s);
	}
}

/* --- start, wait, stop ---------------------------------------------- */

/* The container's environment: small and fixed, as a container runtime
 * gives it.  busybox sh understands \h in PS1 and keeps the prompt's
 * hostname current; other shells (dash on the host) get the name the
 * container starts with. */
static char **
child_env(const struct plan *p)
{
	static char term[256], ps1[PLAN_HOSTNAME_MAX + 64];
	static char *env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		"/sbin:/bin",
		"HOME=/root",
		ps1,
		term,
		NULL,
	};
	const char *t = getenv("TERM");
	char name[PLAN_HOSTNAME_MAX + 1] = "container";

	snprintf(term, sizeof(term), "TERM=%s", t && *t ? t : "linux");
	if (plan_new_root(p))
		snprintf(ps1, sizeof(ps1), "PS1=\\h:\\w\\$ ");
	else {
		if (plan_has(p, PLAN_UTS))
			snprintf(name, sizeof(name), "%s", p->hostname);
		else
			gethostname(name, sizeof(name) - 1);
		snprintf(ps1, sizeof(ps1), "PS1=%s# ", name);
	}
	return env;
}

static void
register_live(struct spawn_session *s, struct spawn_container *c)
{
	s->live[c->background ? 1 : 0] = c;
}

static void
unregister_live(struct spawn_session *s, struct spawn_container *c)
{
	for (size_t i = 0; i < 2; i++)
		if (s->live[i] == c)
			s->live[i] = NULL;
}

/* A container without a UTS namespace of its own shares the host's: a
 * `hostname` in it renames the host.  The cleanliness promise says the
 * host keeps its name, so put it back, and say why it changed. */
static void
restore_hostname(struct spawn_session *s)
{
	char now[PLAN_HOSTNAME_MAX + 1] = "";

	if (!s->host_hostname[0] ||
	    gethostname(now, sizeof(now) - 1) < 0 ||
	    strcmp(now, s->host_hostname) == 0)
		return;
	if (sethostname(s->host_hostname, strlen(s->host_hostname)) < 0) {
		fprintf(stderr, "boxstep: the container renamed the host to "
			"'%s', and putting back '%s' failed: %s\n", now,
			s->host_hostname, strerror(errno));
		s->teardown_failed = true;
		return;
	}
	fprintf(stderr, "boxstep: the container renamed the host to '%s': "
		"without the uts layer it shares the host's UTS namespace. "
		"boxstep has put the host's name back to '%s'.\n", now,
		s->host_hostname);
}

/* Undoes what spawn_start did on the host, for a container that has
 * exited (or never ran). */
static void
teardown(struct spawn_session *s, struct spawn_container *c)
{
	char err[512];

	c->running = false;
	if (cgroup_main_dir(&c->group)[0]) {
		struct cgroup_stats st;

		if (c->group.ctls & CGROUP_BIT(CGROUP_MEMORY) &&
		    cgroup_stats_read(&c->group, &st) == 0)
			c->oom_kills = st.oom_kills;
		if (cgroup_remove(&c->group, err, sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: %s\n", err);
			s->teardown_failed = true;
		}
	} else if (!plan_has(&c->plan, PLAN_PID)) {
		kill_orphans(s);
	}
	reap_orphans(s);
	if (unmount_new(c) < 0)
		s->teardown_failed = true;
	c->bind[0] = '\0';
	unregister_live(s, c);
	if (!plan_has(&c->plan, PLAN_UTS))
		restore_hostname(s);
}

/* Maps uid and gid 0..65535 in the child's user namespace to
 * PLAN_USER_BASE.. on the host; "deny" to setgroups first, which an
 * unprivileged writer of gid_map must do and which keeps the container
 * from dropping into groups the map does not cover. */
static int
write_id_maps(const struct plan *p, pid_t pid, char *err, size_t errlen)
{
	static const char *const files[] = { "setgroups", "uid_map", "gid_map" };
	char path[64], map[64], gmap[64];

	snprintf(map, sizeof(map), "0 %d %d\n", PLAN_USER_BASE,
		 PLAN_USER_COUNT);
	snprintf(gmap, sizeof(gmap), "%s", map);
	/* An ordinary user may map only itself: its uid, and its gid. */
	if (p->rootless) {
		snprintf(map, sizeof(map), "0 %u 1\n", p->rootless_uid);
		snprintf(gmap, sizeof(gmap), "0 %u 1\n", p->rootless_gid);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		if (fsutil_write(path, i == 0 ? "deny" : i == 1 ? map :
				 gmap) < 0)
			return msg_fail(err, errlen, "write %s to %s: %s",
				    i == 0 ? "\"deny\"" : "the id map", path,
				    strerror(errno));
	}
	return 0;
}

/* The layers behind each cgroup controller. */
static const enum plan_layer cgroup_layers[CGROUP_NCTL] = {
	[CGROUP_PIDS] = PLAN_PIDS,
	[CGROUP_MEMORY] = PLAN_MEMORY,
	[CGROUP_CPU] = PLAN_CPU,
};

enum plan_layer
spawn_cgroup_layer(enum cgroup_controller ctl)
{
	return cgroup_layers[ctl];
}

/* Fills LIM from the plan.  Returns whether any cgroup layer is on. */
static bool
limits(const struct plan *plan, struct cgroup_limits *lim)
{
	lim->ctls = 0;
	for (int i = 0; i < CGROUP_NCTL; i++)
		if (plan_has(plan, cgroup_layers[i]))
			lim->ctls |= CGROUP_BIT(i);
	lim->pids_max = plan->pids_max;
	lim->memory_max = plan->memory_max;
	lim->cpu_percent = plan->cpu_max;
	return lim->ctls != 0;
}

int
spawn_start(struct spawn_session *s, struct spawn_container *c,
	    const struct plan *plan, char *const argv[], bool background,
	    char *err, size_t errlen)
{
	struct child_args a = { 0 };
	struct cgroup_limits lim;
	int sync_pipe[2] = { -1, -1 }, report_pipe[2] = { -1, -1 };
	struct child_report report;
	int null_fd = -1, saved, code = 125;
	char name[64];
	ssize_t n;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->plan = *plan;
	c->background = background;
	if (plan_check(plan, err, errlen) < 0)
		return 125;
	for (int i = 0; i < CGROUP_NCTL; i++)
		if (plan_has(plan, cgroup_layers[i]) &&
		    s->cg.ctl[i].version == CGROUP_NONE) {
			msg_fail(err, errlen, "%s", s->cg.ctl[i].why);
			return 125;
		}
	if (plan_new_root(plan) &&
	    spawn_check_rootfs(plan->rootfs, err, errlen) < 0)
		return 125;
	if (plan_new_root(plan) && plan->rootfs_layer) {
		/* From here on the root is the session's layer. */
		if (session_layer(s, plan->rootfs, err, errlen) < 0)
			return 125;
		snprintf(c->plan.rootfs, sizeof(c->plan.rootfs), "%s",
			 s->layer_root);
		plan = &c->plan;
	}

	/* Host mounts can appear under the rootfs only when proc is
	 * mounted outside a private mount namespace. */
	c->track_mounts = plan_has(plan, PLAN_PROC) &&
		(!plan_has(plan, PLAN_MNT) ||
		 plan->propagation == PLAN_PROP_SHARED);
	if (c->track_mounts &&
	    host_mounts_under(plan->rootfs, &c->host_mounts,
			      &c->n_host_mounts) < 0) {
		msg_fail(err, errlen, "read /proc/self/mountinfo: %s",
		     strerror(errno));
		return 125;
	}
	if (plan_has(plan, PLAN_MNT) &&
	    plan->propagation == PLAN_PROP_SHARED &&
	    make_shared_root(c, err, errlen) < 0)
		goto undo;

	if (pipe2(sync_pipe, O_CLOEXEC) < 0 ||
	    pipe2(report_pipe, O_CLOEXEC) < 0) {
		msg_fail(err, errlen, "pipe: %s", strerror(errno));
		goto undo;
	}
	if (background || s->tty < 0) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd < 0) {
			msg_fail(err, errlen, "open /dev/null: %s", strerror(errno));
			goto undo;
		}
	}
	a.plan = &c->plan;
	a.argv = argv;
	a.env = child_env(plan);
	a.sync_rd = sync_pipe[0];
	a.report_wr = report_pipe[1];
	a.stdin_fd = null_fd;
	a.background = background;
	a.own_pgrp = s->tty >= 0;
	if (s->rootless && plan_new_root(plan) && plan->rootfs_layer) {
		a.layer_opts = s->layer_opts;
		a.layer_root = s->layer_root;
	}
	if (!background && s->tty >= 0)
		s->tty_saved = tcgetattr(s->tty, &s->tty_mode) == 0;

	/* clone(2) the way fork does it: no new stack, the child goes on in
	 * its own copy of ours.  (glibc's clone() wants a stack of its own,
	 * which AddressSanitizer cannot follow.) */
	pid = (pid_t)syscall(SYS_clone, plan_clone_flags(plan), NULL, NULL,
			     NULL, NULL);
	if (pid == 0)
		_exit(child_main(&a));
	if (pid < 0) {
		saved = errno;
		if (plan_has(plan, PLAN_USER) && (saved == ENOSPC ||
						  saved == EPERM ||
						  saved == EACCES))
			msg_fail(err, errlen, "clone(CLONE_NEWUSER): %s: this "
			     "host refuses new user namespaces; check `sysctl "
			     "user.max_user_namespaces` (0 turns them off), "
			     "`sysctl kernel.unprivileged_userns_clone` on "
			     "Debian, and on Ubuntu `sysctl kernel.apparmor_"
			     "restrict_unprivileged_userns`", strerror(saved));
		else
			msg_fail(err, errlen, "clone: %s%s", strerror(saved),
			     saved == EPERM ? ": creating namespaces needs root "
			     "(CAP_SYS_ADMIN); run boxstep with sudo" : "");
		goto undo;
	}
	close(sync_pipe[0]);
	sync_pipe[0] = -1;
	close(report_pipe[1]);
	report_pipe[1] = -1;
	if (null_fd >= 0)
		close(null_fd);
	null_fd = -1;
	c->pid = pid;
	c->running = true;
	register_live(s, c);

	if (limits(plan, &lim)) {
		snprintf(name, sizeof(name), "%d-%u", (int)getpid(), ++s->seq);
		if (cgroup_create(&s->cg, name, &lim, &c->group, err,
				  errlen) < 0 ||
		    cgroup_attach(&c->group, pid, err, errlen) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto undo_started;
		}
	}
	if (plan_has(plan, PLAN_USER) && write_id_maps(plan, pid, err, errlen) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto undo_started;
	}
	if (!background && s->tty >= 0) {
		setpgid(pid, pid);
		tcsetpgrp(s->tty, pid);
	}
	/* Released, the child sets itself up and says "held" (or fails);
	 * it is looked at, released again, and runs the command. */
	for (int hold = 0; hold < 2; hold++) {
		if (hold == 1 && s->on_hold)
			s->on_hold(pid, true, s->on_hold_arg);
		if (write(sync_pipe[1], "g", 1) != 1) {
			msg_fail(err, errlen, "release the child: %s",
				 strerror(errno));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto undo_started;
		}
		/* The child's copy of the report pipe closes on a good exec,
		 * so EOF means the command is running; a report means it is
		 * not, unless it is the "held" one. */
		while ((n = read(report_pipe[0], &report, sizeof(report))) < 0 &&
		       errno == EINTR)
			;
		if (hold == 0 && (n != (ssize_t)sizeof(report) ||
				  report.stage != STAGE_HELD)) {
			/* It failed while setting up (or died without a
			 * word): still announced, so that the pane can say it
			 * did not start, but not looked at. */
			if (s->on_hold)
				s->on_hold(pid, false, s->on_hold_arg);
			if (n != (ssize_t)sizeof(report)) {
				while (waitpid(pid, &c->status, 0) < 0 &&
				       errno == EINTR)
					;
				char how[64];

				msg_fail(err, errlen, "the container died while "
					 "it was being set up (%s); `show` lists "
					 "what it does before your command",
					 spawn_describe_status(c->status, how,
							       sizeof(how)));
				code = spawn_exit_code(c->status);
				goto undo_started;
			}
			break;
		}
	}
	close(sync_pipe[1]);
	sync_pipe[1] = -1;
	close(report_pipe[0]);
	report_pipe[0] = -1;
	if (n == (ssize_t)sizeof(report)) {
		while (waitpid(pid, &c->status, 0) < 0 && errno == EINTR)
			;
		errno = report.err;
		describe_failure(c, argv[0], &report, err, errlen);
		code = spawn_exit_code(c->status);
		goto undo_started;
	}
	return 0;

undo_started:
	if (!background && s->tty >= 0)
		tcsetpgrp(s->tty, getpgrp());
undo:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		if (sync_pipe[i] >= 0)
			close(sync_pipe[i]);
		if (report_pipe[i] >= 0)
			close(report_pipe[i]);
	}
	if (null_fd >= 0)
		close(null_fd);
	teardown(s, c);
	c->pid = 0;
	errno = saved;
	return code;
}

/* --- what went wrong in the child ----------------------------------- */

/* Says whether ROOT has NAME (a path, or a bare name looked up in the
 * child's PATH) as any kind of file. */
static bool
root_has(const char *root, const char *name)
{
	static const char *const dirs[] = {
		"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
		"/sbin", "/bin",
	};
	char path[PATH_MAX];
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(path, sizeof(path), "%s/%s", root, name);
		return lstat(path, &st) == 0;
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root, dirs[i], name);
		if (lstat(path, &st) == 0)
			return true;
	}
	return false;
}

static void
describe_exec_failure(const struct spawn_container *c, const char *prog,
		      int e, char *err, size_t errlen)
{
	const char *root = c->plan.rootfs;
	bool chrooted = plan_new_root(&c->plan);

	if (e == ENOENT && chrooted && root_has(root, prog))
		msg_fail(err, errlen, "%s is in the root filesystem but cannot "
		     "start: the program loader or a library it needs is "
		     "missing there (a program copied in from the host does "
		     "not bring its libraries along)", prog);
	else if (e == ENOENT && chrooted && root_has(root, "/bin/busybox"))
		msg_fail(err, errlen, "no %s in this root filesystem (it is "
		     "busybox, which has sh but no bash); try /bin/sh, or "
		     "`host ls %s/bin` to see what there is", prog, root);
	else if (e == ENOENT && chrooted)
		msg_fail(err, errlen, "no %s in the root filesystem %s; `host ls "
		     "%s/bin` shows what it has", prog, root, root);
	else if (e == ENOENT)
		msg_fail(err, errlen, "%s: no such program on the host (without "
		     "the chroot layer the container sees the host's files)",
		     prog);
	else if (e == EACCES)
		msg_fail(err, errlen, "%s: permission denied (not executable, or "
		     "on a filesystem mounted noexec)", prog);
	else if (e == ENOEXEC)
		msg_fail(err, errlen, "%s: not a program this kernel can run (wrong "
		     "architecture, or a script without a #! line)", prog);
	else
		msg_fail(err, errlen, "exec %s: %s", prog, strerror(e));
}

static void
describe_failure(const struct spawn_container *c, const char *prog,
		 const struct child_report *r, char *err, size_t errlen)
{
	const struct plan *p = &c->plan;
	const char *why = strerror(r->err);

	switch (r->stage) {
	case STAGE_EXEC:
		describe_exec_failure(c, prog, r->err, err, errlen);
		break;
	case STAGE_HOSTNAME:
		msg_fail(err, errlen, "sethostname(\"%s\") in the container: %s",
		     p->hostname, why);
		break;
	case STAGE_PRIVATE:
		msg_fail(err, errlen, "make / private in the new mount namespace: "
		     "%s", why);
		break;
	case STAGE_CHROOT:
		if (r->err == EACCES && p->rootless)
			msg_fail(err, errlen, "chroot(\"%s\"): %s: you (uid %u) "
			     "cannot pass through every directory on the way "
			     "to it", p->rootfs, why, p->rootless_uid);
		else if (r->err == EACCES && plan_has(p, PLAN_USER))
			msg_fail(err, errlen, "chroot(\"%s\"): %s: with the user "
			     "layer, root inside is uid %d on the host, and every "
			     "directory on the way to the rootfs must let others "
			     "through (o+x); `set rootfs.layer on` puts it under "
			     "/run/boxstep, which does", p->rootfs, why,
			     PLAN_USER_BASE);
		else
			msg_fail(err, errlen, "chroot(\"%s\"): %s", p->rootfs,
			     why);
		break;
	case STAGE_CHDIR:
		msg_fail(err, errlen, "chdir(\"/\") after chroot: %s", why);
		break;
	case STAGE_PROC:
		if (r->err == EPERM)
			msg_fail(err, errlen, "mount proc: %s. The kernel refuses "
			     "a new procfs while the current /proc has parts "
			     "hidden or read-only, as inside Docker and many "
			     "CI sandboxes (\"mount too revealing\"); run "
			     "boxstep on a host or a VM", why);
		else if (r->err == ENOENT)
			msg_fail(err, errlen, "mount proc: there is no /proc "
			     "directory to mount on in %s; create it with "
			     "`host mkdir %s/proc`", plan_new_root(p) ?
			     p->rootfs : "/", p->rootfs);
		else
			msg_fail(err, errlen, "mount proc on /proc: %s", why);
		break;
	case STAGE_USER:
		msg_fail(err, errlen, "become root in the new user namespace "
		     "(setresuid 0): %s", why);
		break;
	case STAGE_PIVOT_BIND:
		msg_fail(err, errlen, "bind %s onto itself for pivot_root: %s",
		     p->rootfs, why);
		break;
	case STAGE_PIVOT:
		msg_fail(err, errlen, "pivot_root(\".\", \".\") in %s: %s%s",
		     p->rootfs, why, r->err == EINVAL ? " (the new root must "
		     "be a mount point with no shared mount around it; is "
		     "/ itself a chroot, as in some sandboxes?)" : "");
		break;
	case STAGE_PIVOT_DETACH:
		msg_fail(err, errlen, "detach the old root after pivot_root: %s",
		     why);
		break;
	case STAGE_CGROUPNS:
		msg_fail(err, errlen, "unshare(CLONE_NEWCGROUP): %s%s", why,
		     r->err == EINVAL ? " (cgroup namespaces need Linux 4.6 "
		     "or later, built with CONFIG_CGROUPS)" : "");
		break;
	case STAGE_LAYER:
		msg_fail(err, errlen, "mount the session's writable layer "
		     "(overlay) on %s: %s. Rootless, overlayfs needs Linux 5.11 "
		     "or later; `set rootfs.layer off` uses the rootfs "
		     "directory itself", p->rootfs, why);
		break;
	case STAGE_LOOPBACK:
		msg_fail(err, errlen, "bring up lo in the new network "
		     "namespace: %s", why);
		break;
	default:
		msg_fail(err, errlen, "container setup: %s", why);
		break;
	}
}

/* --- the foreground ------------------------------------------------- */

static void
on_watcher_sigint(int sig)
{
	(void)sig;
	if (write(watcher_pipe[1], "i", 1) < 0) {
		/* nothing to do */
	}
}

/* Forks a process that joins the container's process group only to hear
 * the terminal's SIGINT: PID 1 of a PID namespace drops it silently, and
 * boxstep, outside the foreground group, would not hear it either. */
static pid_t
start_watcher(pid_t pgrp)
{
	struct sigaction sa;
	pid_t w;

	if (watcher_pipe[0] < 0 &&
	    pipe2(watcher_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 0;
	w = fork();
	if (w < 0)
		return 0;
	if (w == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		setpgid(0, pgrp);
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = on_watcher_sigint;
		sigaction(SIGINT, &sa, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGQUIT, SIG_IGN);
		for (;;)
			pause();
	}
	setpgid(w, pgrp);
	return w;
}

/* True when process PID has a handler installed for SIG. */
static bool
catches(pid_t pid, int sig)
{
	char path[64], buf[4096], *p;
	unsigned long long mask;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fsutil_read(path, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nSigCgt:");
	if (!p || sscanf(p + 8, "%llx", &mask) != 1)
		return false;
	return (mask >> (sig - 1)) & 1;
}

static void
on_ctrl_c(struct spawn_container *c, int *presses)
{
	if (catches(c->pid, SIGINT) || c->killed_by_us)
		return;
	if (++*presses == 1) {
		fprintf(stderr, "\r\nboxstep: Ctrl-C did nothing: the command "
			"is PID 1 of its PID namespace, and the kernel drops "
			"signals that PID 1 has no handler for, SIGINT "
			"included.\r\nboxstep: press Ctrl-C again to kill the "
			"container with SIGKILL (from outside its namespace, "
			"PID 1 cannot refuse that).\r\n");
		return;
	}
	fputs("\r\n", stderr);
	kill(c->pid, SIGKILL);
	c->killed_by_us = true;
}

static void
drain(int fd)
{
	char buf[64];

	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Waits for PID in the foreground, passing on Ctrl-C through C's watcher
 * when C is given, continuing it when Ctrl-Z stops it, and killing it when
 * boxstep is told to quit.  Returns its wait status. */
static int
wait_foreground(struct spawn_session *s, pid_t pid, struct spawn_container *c)
{
	bool watch = c && s->tty >= 0 && plan_has(&c->plan, PLAN_PID);
	pid_t watcher = watch ? start_watcher(pid) : 0;
	struct pollfd fds[2] = {
		{ .fd = wake_pipe[0], .events = POLLIN },
		{ .fd = watcher_pipe[0], .events = POLLIN },
	};
	int status = 0, presses = 0;
	bool quit_sent = false;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG | WUNTRACED);

		if (r == pid && WIFSTOPPED(status)) {
			if (s->tty >= 0)
				tcsetpgrp(s->tty, getpgrp());
			fprintf(stderr, "\nboxstep: the command was stopped "
				"(Ctrl-Z?). boxstep has no job control, so it "
				"lets it go on; `start` runs a container in "
				"the background.\n");
			if (s->tty >= 0)
				tcsetpgrp(s->tty, pid);
			kill(-pid, SIGCONT);
			kill(pid, SIGCONT);
			continue;
		}
		if (r == pid || (r < 0 && errno == ECHILD))
			break;
		if (spawn_quit_signal && !quit_sent) {
			/* A container's teardown finds the rest of it; a host
			 * command is killed with its whole process group. */
			if (c)
				c->killed_by_us = true;
			else
				kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			quit_sent = true;
		}
		if (poll(fds, watcher ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		drain(wake_pipe[0]);
		if (watcher && (fds[1].revents & POLLIN)) {
			drain(watcher_pipe[0]);
			on_ctrl_c(c, &presses);
		}
	}
	if (watcher) {
		kill(watcher, SIGKILL);
		waitpid(watcher, NULL, 0);
		drain(watcher_pipe[0]);
	}
	if (s->tty >= 0) {
		tcsetpgrp(s->tty, getpgrp());
		/* Whatever mode the program left the terminal in (raw, no
		 * echo), the prompt gets it back as it was. */
		if (s->tty_saved)
			tcsetattr(s->tty, TCSADRAIN, &s->tty_mode);
	}
	return status;
}

static void
report_end(const struct spawn_container *c)
{
	char what[64], oom[256];

	if (spawn_quit_signal)
		return;
	if (c->killed_by_us)
		fprintf(stderr, "boxstep: the container was killed with "
			"SIGKILL; teardown removed what was left of it\n");
	else if (spawn_describe_oom(c, oom, sizeof(oom)))
		fprintf(stderr, "boxstep: %s\n", oom);
	else if (WIFSIGNALED(c->status))
		fprintf(stderr, "boxstep: the container was %s\n",
			spawn_describe_status(c->status, what, sizeof(what)));
}

bool
spawn_describe_oom(const struct spawn_container *c, char *buf, size_t len)
{
	char size[32];

	if (c->oom_kills <= 0)
		return false;
	plan_format_size(c->plan.memory_max, size, sizeof(size));
	snprintf(buf, len, "the OOM killer killed %ld process%s in the "
		 "container: it reached its memory limit, memory.max %s "
		 "(%s oom_kill %ld); the host was not touched",
		 c->oom_kills, c->oom_kills == 1 ? "" : "es", size,
		 c->group.version[CGROUP_MEMORY] == CGROUP_V2 ?
		 "memory.events" : "memory.oom_control", c->oom_kills);
	return true;
}

int
spawn_wait(struct spawn_session *s, struct spawn_container *c)
{
	c->status = wait_foreground(s, c->pid, c);
	teardown(s, c);
	report_end(c);
	return spawn_exit_code(c->status);
}

bool
spawn_poll(struct spawn_session *s, struct spawn_container *c)
{
	if (!c->running)
		return false;
	if (waitpid(c->pid, &c->status, WNOHANG) != c->pid)
		return false;
	teardown(s, c);
	return true;
}

int
spawn_stop(struct spawn_session *s, struct spawn_container *c)
{
	if (!c->running)
		return spawn_exit_code(c->status);
	c->killed_by_us = true;
	cgroup_kill_all(&c->group);
	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		;
	teardown(s, c);
	return spawn_exit_code(c->status);
}

int
spawn_host(struct spawn_session *s, const char *cmdline, pid_t boxpid,
	   const char *rootfs)
{
	char value[32], exe[PATH_MAX] = "";
	pid_t pid;
	int status;

	if (s->tty >= 0)
		s->tty_saved = tcgetattr(s->tty, &s->tty_mode) == 0;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "boxstep: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		setpgid(0, 0);
		if (boxpid > 0) {
			snprintf(value, sizeof(value), "%d", (int)boxpid);
			setenv("BOXPID", value, 1);
		} else {
			unsetenv("BOXPID");
		}
		/* boxstep itself, and the root filesystem the plan names, so
		 * that host commands can call on them. */
		if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0)
			setenv("BOXSTEP", exe, 1);
		if (rootfs && rootfs[0])
			setenv("BOXSTEP_ROOTFS", rootfs, 1);
		execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
		fprintf(stderr, "boxstep: exec /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	if (s->tty >= 0)
		tcsetpgrp(s->tty, pid);
	status = wait_foreground(s, pid, NULL);
	/* A rename on the host, by the host, is the learner's to keep. */
	gethostname(s->host_hostname, sizeof(s->host_hostname) - 1);
	return spawn_exit_code(status);
}

int
spawn_check_rootfs(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], sh[PATH_MAX];
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return msg_fail(err, errlen, "rootfs %s: %s", path,
				    strerror(errno));
		if (strstr(path, "rootfs/busybox"))
			return msg_fail(err, errlen, "the root filesystem %s does "
				    "not exist yet: build it with `sudo make "
				    "rootfs`", path);
		return msg_fail(err, errlen, "the root filesystem %s does not "
			    "exist; give a directory that holds a whole root "
			    "tree (bin, etc, ...)", path);
	}
	if (!S_ISDIR(st.st_mode))
		return msg_fail(err, errlen, "the root filesystem %s is not a "
			    "directory%s", path, strstr(path, ".tar") ?
			    "; unpack the archive first: mkdir DIR && tar -xf "
			    "FILE -C DIR" : "");
	if (realpath(path, real) && strcmp(real, "/") == 0)
		return msg_fail(err, errlen, "%s is the host's own root directory: "
			    "a chroot into it would hide nothing. Give a "
			    "separate root tree, such as the busybox one", path);
	snprintf(sh, sizeof(sh), "%s/bin/sh", path);
	if (lstat(sh, &st) < 0)
		return msg_fail(err, errlen, "the root filesystem %s has no "
			    "/bin/sh: is it really a root tree? boxstep needs "
			    "a shell in it for `sh` and the lessons", path);
	return 0;
}

int
spawn_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 125;
}

const char *
spawn_describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		snprintf(buf, len, "killed by SIG%s", name ? name : "?");
	} else {
		snprintf(buf, len, "exited with status %d",
			 spawn_exit_code(status));
	}
	return buf;
}
