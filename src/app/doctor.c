/* doctor: is this host ready for learners without root (doctor.h)? */
#define _GNU_SOURCE
#include "app/doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/text.h"
#include "engine/spawn.h"
#include "session/classconf.h"
#include "session/room.h"

#define CGROUP2_MAGIC 0x63677270
#define NS_FOR_A_ROOM 200     /* user namespaces 30 learners may hold */

enum verdict { DOC_OK, DOC_NOTE, DOC_FIX };

/* What the child that became the learner found. */
struct probe {
	bool ran;
	char rootfs[256];     /* why it cannot use the rootfs, or "" */
	char lessons[256];    /* why it cannot read a lesson, or "" */
	char userns[1024];    /* why the session's host cannot be made */
	char overlay[256];    /* why the overlay cannot be mounted */
};

struct doctor {
	const char *rootfs, *lessons;
	char learner[64];
	uid_t uid;
	gid_t gid;
	struct probe p;
	int fixes, notes;
};

/* One finding: its verdict, a line, and the detail (wrapped). */
static void __attribute__((format(printf, 4, 5)))
say(struct doctor *d, enum verdict v, const char *what, const char *fmt, ...)
{
	static const char *const tag[] = { "ok  ", "note", "FIX " };
	char detail[2048] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	d->fixes += v == DOC_FIX;
	d->notes += v == DOC_NOTE;
	printf("  %s  %s\n", tag[v], what);
	if (detail[0]) {
		char *w = text_wrap(detail, 68);

		for (char *l = w ? w : detail; l && *l;) {
			size_t n = strcspn(l, "\n");

			printf("        %.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		free(w);
	}
}

/* --- as the learner ------------------------------------------------------- */

/* In the child, as the learner: can it read the rootfs and the lessons? */
static void
probe_files(const struct doctor *d, struct probe *p)
{
	char path[PATH_MAX + 16];
	glob_t g = { 0 };

	snprintf(path, sizeof(path), "%s/bin/busybox", d->rootfs);
	if (access(d->rootfs, R_OK | X_OK) < 0)
		snprintf(p->rootfs, sizeof(p->rootfs), "%s: %s", d->rootfs,
			 strerror(errno));
	else if (access(path, X_OK) < 0)
		snprintf(p->rootfs, sizeof(p->rootfs), "%s: %s", path,
			 strerror(errno));
	if (!d->lessons[0]) {
		snprintf(p->lessons, sizeof(p->lessons), "no lessons directory");
		return;
	}
	snprintf(path, sizeof(path), "%s/*.md", d->lessons);
	if (access(d->lessons, R_OK | X_OK) < 0 || glob(path, 0, NULL, &g)) {
		snprintf(p->lessons, sizeof(p->lessons), "%s: %s", d->lessons,
			 errno ? strerror(errno) : "no lesson in it");
		globfree(&g);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc && !p->lessons[0]; i++)
		if (access(g.gl_pathv[i], R_OK) < 0)
			snprintf(p->lessons, sizeof(p->lessons), "%s: %s",
				 g.gl_pathv[i], strerror(errno));
	globfree(&g);
}

/* In the child, in the session's host: the rootfs under an overlay, as a
 * session's writable layer mounts it. */
static void
probe_overlay(const struct doctor *d, struct probe *p)
{
	char opts[PATH_MAX + 128];
	const char *step = "mount a tmpfs on /tmp";
	/* Opened first: the tmpfs on /tmp hides a rootfs under /tmp. */
	int fd = open(d->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir="
		 "/tmp/u,workdir=/tmp/w", fd);
	if (fd >= 0 &&
	    mount("boxstep-doctor", "/tmp", "tmpfs", 0, "size=1m") == 0) {
		step = "make its directories";
		if (mkdir("/tmp/u", 0755) == 0 && mkdir("/tmp/w", 0755) == 0 &&
		    mkdir("/tmp/m", 0755) == 0) {
			step = "mount an overlay of the rootfs";
			if (mount("overlay", "/tmp/m", "overlay", 0, opts) == 0)
				return;
		}
	}
	snprintf(p->overlay, sizeof(p->overlay), "%s: %s", step,
		 strerror(errno));
}

/* Becomes the learner (when root), tries, and writes what it found to FD. */
static void __attribute__((noreturn))
probe_child(const struct doctor *d, int fd)
{
	struct probe p = { .ran = true };

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setresgid(d->gid, d->gid, d->gid) < 0 ||
	     setresuid(d->uid, d->uid, d->uid) < 0 ||
	     prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)) {
		snprintf(p.userns, sizeof(p.userns), "cannot become %s: %s",
			 d->learner, strerror(errno));
	} else {
		probe_files(d, &p);
		if (spawn_rootless_probe(p.userns, sizeof(p.userns)) == 0 &&
		    spawn_rootless_enter(p.userns, sizeof(p.userns)) == 0 &&
		    !p.rootfs[0])
			probe_overlay(d, &p);
		else if (!p.userns[0])
			snprintf(p.userns, sizeof(p.userns), "refused");
	}
	_exit(fsutil_write_all(fd, &p, sizeof(p)) < 0);
}

static void
probe(struct doctor *d)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		probe_child(d, fds[1]);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &d->p, sizeof(d->p)) != sizeof(d->p))
		memset(&d->p, 0, sizeof(d->p));
	close(fds[0]);
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* --- the findings --------------------------------------------------------- */

static long
read_sysctl(const char *name)
{
	char path[128];
	long v;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	return fsutil_read_long(path, &v) < 0 ? -1 : v;
}

static void
check_userns(struct doctor *d)
{
	long max = read_sysctl("user/max_user_namespaces");
	long clone = read_sysctl("kernel/unprivileged_userns_clone");
	long aa = read_sysctl("kernel/apparmor_restrict_unprivileged_userns");

	if (!d->p.ran)
		say(d, DOC_FIX, "the learner's side could not be tried", "The "
		    "child that becomes %s ended without a word.", d->learner);
	else if (d->p.userns[0])
		say(d, DOC_FIX, "a learner cannot make the session's host",
		    "As %s: %s", d->learner, d->p.userns);
	else
		say(d, DOC_OK, "user namespaces: a learner makes the session's "
		    "host and is root in it", NULL);
	if (clone == 0)
		say(d, DOC_FIX, "kernel.unprivileged_userns_clone is 0", "Debian's "
		    "switch for user namespaces of ordinary users: sysctl -w "
		    "kernel.unprivileged_userns_clone=1, and the same line in "
		    "/etc/sysctl.d/boxstep.conf.");
	if (max >= 0 && max < NS_FOR_A_ROOM)
		say(d, max ? DOC_NOTE : DOC_FIX, "user.max_user_namespaces is low",
		    "It is %ld; a room of 30 learners holds about %d (one a "
		    "session, one a container with the user layer): sysctl -w "
		    "user.max_user_namespaces=%d, and in /etc/sysctl.d.", max,
		    NS_FOR_A_ROOM, NS_FOR_A_ROOM * 10);
	if (aa == 1)
		say(d, access("/etc/apparmor.d/boxstep", R_OK) == 0 ? DOC_NOTE :
		    DOC_FIX, "Ubuntu's AppArmor restricts user namespaces",
		    "kernel.apparmor_restrict_unprivileged_userns is 1: a user "
		    "namespace comes without capabilities unless a profile "
		    "allows it.  Either install /etc/apparmor.d/boxstep (the "
		    "package does; docs/classroom.md has it) and reload "
		    "AppArmor, or sysctl -w "
		    "kernel.apparmor_restrict_unprivileged_userns=0.");
}

static void
check_overlay(struct doctor *d)
{
	/* Not tried without the session's host or a rootfs to lay it over:
	 * those findings say why. */
	if (!d->p.ran || d->p.userns[0] || d->p.rootfs[0])
		return;
	if (d->p.overlay[0])
		say(d, DOC_FIX, "overlayfs in a user namespace does not work",
		    "As %s, in the session's host: %s.  Linux 5.11 or later "
		    "mounts overlayfs in a user namespace; with an older "
		    "kernel a learner's writes need `set rootfs.layer off` "
		    "and a rootfs of their own.", d->learner, d->p.overlay);
	else
		say(d, DOC_OK, "overlayfs in a user namespace: the session's "
		    "writable layer mounts", NULL);
}

static void
check_files(struct doctor *d)
{
	if (!d->p.ran)
		return;
	if (d->p.rootfs[0])
		say(d, DOC_FIX, "a learner cannot use the rootfs", "As %s: %s.  "
		    "Every directory down to it, and its files, must be "
		    "readable by all (chmod -R a+rX), or set BOXSTEP_ROOTFS.",
		    d->learner, d->p.rootfs);
	else
		say(d, DOC_OK, "the rootfs is readable by all", NULL);
	if (d->p.lessons[0])
		say(d, DOC_FIX, "a learner cannot read the lessons", "As %s: "
		    "%s.  chmod -R a+rX the lessons' directory.", d->learner,
		    d->p.lessons);
	else
		say(d, DOC_OK, "the lessons are readable by all", NULL);
}

/* The controllers Delegate= gives user@.service: the unit's line, then
 * its drop-ins' in order of name (a later line wins), into BUF; "" when
 * none delegates anything, NULL when there is no unit. */
static const char *
delegated(char *buf, size_t len)
{
	static const char *const units[] = {
		"/etc/systemd/system/user@.service",
		"/usr/lib/systemd/system/user@.service",
		"/lib/systemd/system/user@.service",
	};
	const char *unit = NULL;
	glob_t g = { 0 };
	char *text;

	for (size_t i = 0; i < 3 && !unit; i++)
		if (access(units[i], R_OK) == 0)
			unit = units[i];
	if (!unit)
		return NULL;
	buf[0] = '\0';
	glob("/usr/lib/systemd/system/user@.service.d/*.conf", 0, NULL, &g);
	glob("/etc/systemd/system/user@.service.d/*.conf", GLOB_APPEND, NULL,
	     &g);
	for (size_t i = 0; i <= g.gl_pathc; i++) {
		if (!(text = fsutil_slurp(i ? g.gl_pathv[i - 1] : unit, NULL)))
			continue;
		for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
			if (strncmp(l, "Delegate=", 9) == 0)
				snprintf(buf, len, "%s", strcmp(l + 9, "yes") &&
					 strcmp(l + 9, "true") ? (strcmp(l + 9,
					 "no") ? l + 9 : "") : "pids memory cpu");
		free(text);
	}
	globfree(&g);
	return buf;
}

/* Whether systemd is the init here. */
static bool
systemd_runs(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

/* Says what cgroups learners get; returns whether it is cgroup v2. */
static bool
check_cgroup_v2(struct doctor *d)
{
	char ctl[256] = "";
	struct statfs fs;
	bool all;

	if (statfs(CGROUP_DEFAULT_ROOT, &fs) < 0 || fs.f_type != CGROUP2_MAGIC) {
		say(d, DOC_FIX, "cgroup v1: no cgroups for learners without "
		    "root", "%s is not cgroup v2, and only v2 hands a group to "
		    "a user.  Learners without root get no pids, memory or cpu "
		    "layer (`boxstep check` says so of those steps), and no "
		    "session limit can hold for them.  %s", CGROUP_DEFAULT_ROOT,
		    systemd_runs() ? "Boot with "
		    "systemd.unified_cgroup_hierarchy=1 on the kernel's command "
		    "line (Debian 11 and Ubuntu 21.10 on use v2 already)." :
		    "This host's init is not systemd: have it mount cgroup2 on "
		    "/sys/fs/cgroup in place of the v1 hierarchies.");
		return false;
	}
	fsutil_read(CGROUP_DEFAULT_ROOT "/cgroup.subtree_control", ctl,
		    sizeof(ctl));
	all = strstr(ctl, "pids") && strstr(ctl, "memory") && strstr(ctl, "cpu");
	if (all)
		say(d, DOC_OK, "cgroup v2, with pids, memory and cpu handed down",
		    NULL);
	else
		say(d, DOC_FIX, "cgroup v2, without all of pids, memory and cpu",
		    "The root group hands down only \"%.*s\"; pids, memory and "
		    "cpu are needed (systemd enables what it delegates).",
		    (int)strcspn(ctl, "\n"), ctl);
	return true;
}

static void
check_delegate(struct doctor *d)
{
	char list[256];
	const char *del = delegated(list, sizeof(list));

	if (!del)
		say(d, DOC_NOTE, "no systemd user@.service", "Give each learner "
		    "a cgroup v2 group of their own by hand: a group they own, "
		    "with pids, memory and cpu in its parent's "
		    "cgroup.subtree_control, and their login shell in it.");
	else if (!strstr(del, "pids") || !strstr(del, "memory") ||
		 !strstr(del, "cpu"))
		say(d, DOC_FIX, "user@.service does not delegate pids, memory "
		    "and cpu", "Delegate= gives \"%s\".  Add "
		    "/etc/systemd/system/user@.service.d/boxstep.conf with "
		    "`[Service]` and `Delegate=pids memory cpu`, then "
		    "`systemctl daemon-reload`; learners log in again.", del);
	else if (!systemd_runs())
		say(d, DOC_NOTE, "user@.service delegates pids, memory and cpu, "
		    "but systemd is not running here", "Its Delegate= is for a "
		    "host that boots it; here, give each learner a group by "
		    "hand.");
	else
		say(d, DOC_OK, "user@.service delegates pids, memory and cpu",
		    NULL);
}

/* On cgroup v1, a learner without root has no group to hold the
 * session limits in: with them, their session does not start. */
static void
check_limits(struct doctor *d, const struct classconf *c, bool v2)
{
	if (v2 || (c->pids_max < 0 && c->memory_max < 0 && c->cpu_max < 0))
		return;
	say(d, DOC_FIX, "class.conf's session limits stop every learner "
	    "without root here", "%s sets session.pids.max, .memory.max or "
	    ".cpu.max, which on cgroup v1 only root's sessions can be held "
	    "to: a learner's session refuses to start.  Move the host to "
	    "cgroup v2 (above), or take those lines out for now.",
	    classconf_path());
}

static void
check_room(struct doctor *d, const struct classconf *c)
{
	struct group *gr = c->instructors[0] ? getgrnam(c->instructors) : NULL;
	const char *dir = room_dir();
	struct stat st;

	if (!gr) {
		say(d, DOC_FIX, "no instructors group", "%s names none: add "
		    "`instructors = GROUP` to it (a group of the instructors' "
		    "accounts; only root may watch the room without it).",
		    classconf_path());
	} else {
		say(d, gr->gr_mem[0] ? DOC_OK : DOC_NOTE, "the instructors "
		    "group", gr->gr_mem[0] ? NULL : "%s has no members yet: "
		    "usermod -aG %s NAME, and the instructor logs in again.",
		    gr->gr_name, gr->gr_name);
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		say(d, DOC_FIX, "no room directory", "%s is not there, and "
		    "sessions tell no one their state: `sudo boxstep class` "
		    "makes it.", dir);
	else if (st.st_uid != 0 || (st.st_mode & 07777) != ROOM_MODE ||
		 (gr && st.st_gid != gr->gr_gid))
		say(d, DOC_FIX, "the room directory is not as sessions need",
		    "%s is %o, uid %u, gid %u; it must be 3773, root, the "
		    "instructors group: `sudo boxstep class` sets it.", dir,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
		    (unsigned)st.st_gid);
	else
		say(d, DOC_OK, "the room directory", NULL);
	if (strcmp(dir, ROOM_DIR) == 0 &&
	    access("/etc/tmpfiles.d/boxstep.conf", R_OK) < 0 &&
	    access("/usr/lib/tmpfiles.d/boxstep.conf", R_OK) < 0)
		say(d, DOC_NOTE, "the room directory goes at reboot", systemd_runs()
		    ? "/run is a tmpfs: /etc/tmpfiles.d/boxstep.conf with `d %s "
		    "3773 root %s -` makes it at boot (the package installs it)."
		    : "/run is a tmpfs, and no systemd-tmpfiles runs here: have "
		    "the boot make %s (3773, root, %s), or run `sudo boxstep "
		    "class` after each boot.", dir, gr ? gr->gr_name : "GROUP");
}

/* The learner to try as: --as USER, nobody for root, else the caller. */
static int
choose_learner(struct doctor *d, int argc, char **argv)
{
	const char *name = argc == 2 ? argv[1] : geteuid() == 0 ? "nobody" :
			   NULL;
	struct passwd *pw = name ? getpwnam(name) : getpwuid(getuid());

	if (argc != 0 && (argc != 2 || strcmp(argv[0], "--as") != 0)) {
		fprintf(stderr, "boxstep: usage: boxstep class doctor [--as "
			"USER]\n");
		return 2;
	}
	if (!pw) {
		fprintf(stderr, "boxstep: class doctor: there is no user %s\n",
			name ? name : "for your uid");
		return 1;
	}
	if (pw->pw_uid == 0) {
		fprintf(stderr, "boxstep: class doctor: try as a learner, not "
			"root: --as USER\n");
		return 2;
	}
	if (geteuid() != 0 && pw->pw_uid != getuid()) {
		fprintf(stderr, "boxstep: class doctor: only root may try as "
			"another user\n");
		return 1;
	}
	snprintf(d->learner, sizeof(d->learner), "%s", pw->pw_name);
	d->uid = pw->pw_uid;
	d->gid = pw->pw_gid;
	return 0;
}

int
doctor_main(const char *rootfs, const char *lessons, int argc, char **argv)
{
	struct doctor d = { .rootfs = rootfs, .lessons = lessons };
	struct classconf c;
	char host[256] = "", err[2048];
	bool v2;
	int rc;

	if ((rc = choose_learner(&d, argc, argv)) != 0)
		return rc;
	gethostname(host, sizeof(host) - 1);
	printf("boxstep class doctor: can learners without root take the "
	       "course on %s?\n(what a learner meets is tried as %s, uid "
	       "%u)\n\n", host, d.learner, (unsigned)d.uid);
	probe(&d);
	check_userns(&d);
	check_overlay(&d);
	check_files(&d);
	v2 = check_cgroup_v2(&d);
	if (v2)
		check_delegate(&d);
	if (classconf_load(&c, err, sizeof(err)) < 0) {
		say(&d, DOC_FIX, "the class file is wrong", "%s", err);
	} else {
		check_limits(&d, &c, v2);
		check_room(&d, &c);
	}
	printf("\n%d to fix, %d note%s: %s\n", d.fixes, d.notes,
	       d.notes == 1 ? "" : "s", d.fixes ? "see docs/classroom.md for "
	       "each change" : "learners without root can take the course "
	       "here");
	return d.fixes ? 1 : 0;
}
