/* spawn: turn a plan into a running container, wait for it, tear it down.
 *
 * A container is one clone(2) of boxstep with the plan's flags; the child
 * waits on a pipe until the parent has put it in its cgroup and given it
 * the terminal, then sets itself up (hostname, propagation, chroot, proc)
 * and execs the command.  Teardown kills whatever is left, unmounts what
 * was mounted in the host's mount namespace and removes the cgroup.  What
 * is made, and in what order, is the steps of the layers that are on
 * (layers/step.h); the engine makes them phase by phase: spawn.c before
 * and around the clone and at teardown, child.c in the child.  The
 * session (session.c), the foreground wait (foreground.c) and rootless
 * mode (rootless.c) are the engine's own.
 */
#ifndef BOXSTEP_SPAWN_H
#define BOXSTEP_SPAWN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "host/cgroup.h"
#include "host/mounts.h"
#include "layers/plan.h"
#include "layers/rootfs.h"

struct spawn_container {
	pid_t pid;            /* host pid of the first process; 0 = none */
	struct plan plan;     /* the plan it was started with */
	bool background;
	bool running;
	int status;           /* wait(2) status once it has exited */
	bool killed_by_us;    /* SIGKILL after a second Ctrl-C, or stop */
	struct cgroup_group group; /* its cgroup; none with pids, memory
				    * and cpu off */
	long oom_kills;       /* the OOM killer's kills in it, read at exit */
	char bind[PATH_MAX];  /* shared bind mount made on the host, or "" */
	struct mounts_noted mounts; /* the host's mounts under the rootfs
				     * before the start, when some can
				     * appear */
};

struct spawn_session {
	struct cgroup_ctx cg;
	bool have_cg;         /* the pids controller was found; cg.ctl[] says
			       * where each one is, or why it is missing */
	unsigned seq;         /* containers started so far */
	int tty;              /* the terminal we own, or -1 */
	struct termios tty_mode; /* its mode before the container ran */
	bool tty_saved;
	struct spawn_container *live[2]; /* foreground and background */
	char host_hostname[PLAN_HOSTNAME_MAX + 1]; /* kept, or put back */
	/* Called with the new container's pid while it is still held, its
	 * namespaces made and nothing run yet: the one moment a command that
	 * ends at once can still be looked at.  May be NULL. */
	void (*on_hold)(pid_t pid, bool set_up, void *arg);
	void *on_hold_arg;
	/* The rootfs last checked, and the session's writable layer
	 * (rootfs.layer) over it. */
	struct rootfs_session rootfs;
	bool rootless;        /* boxstep's euid is not 0 */
	char run_dir[PATH_MAX]; /* where session directories go */
	int null_fd;          /* /dev/null for containers without the
			       * terminal, opened once; or -1 */
	int signals[NSIG];    /* not at their default: each container's
			       * child sets them back */
	size_t nsignals;
	bool teardown_failed; /* something it made stayed (it said what) */
};

#define SPAWN_RUN_DIR "/run/boxstep"

/* Signals that end boxstep (SIGTERM, SIGHUP, and SIGINT outside the prompt)
 * set this; the wait loops kill the foreground container when they see
 * it.  Exported so the REPL can stop too. */
extern volatile sig_atomic_t spawn_quit_signal;

/* For a user who is not root: checks that the kernel lets an ordinary
 * user make a user namespace and be root in it.  Returns 0, or -1 with
 * what refused it and the setting to check in ERR. */
int spawn_rootless_probe(char *err, size_t errlen);

/* Rootless, before boxstep forks anything: looks for a cgroup v2 group
 * delegated to the user under CGROUP_ROOT and moves boxstep into a leaf of
 * it (cgroup_delegate()), so that spawn_session_init() can make groups
 * there, or says why the cgroup layers cannot work.  spawn_rootless_end()
 * undoes it; it does nothing in any other process. */
void spawn_rootless_begin(const char *cgroup_root);
void spawn_rootless_end(void);

/* Prepares the session: becomes a child subreaper, installs the SIGCHLD
 * and quit handlers, takes note of the terminal, finds the pids cgroup
 * hierarchy under CGROUP_ROOT and cleans what dead sessions left
 * (spawn_clean_stale), appending what it removed to REPORT. */
void spawn_session_init(struct spawn_session *s, const char *cgroup_root,
			const char *rootfs, char *report, size_t len);

/* Ends the session: unmounts its writable layer and removes its
 * directory.  Call it once no container runs. */
void spawn_session_end(struct spawn_session *s);

/* Removes what sessions that died left behind: their cgroups (after
 * killing what is in them), their session directories under
 * SPAWN_RUN_DIR (their writable layers unmounted), and, when no other
 * boxstep runs, the mounts under ROOTFS (may be NULL).  Appends a line per thing to REPORT. */
void spawn_clean_stale(const char *cgroup_root, const char *rootfs,
		       char *report, size_t len);

/* In a child that forked after spawn_session_init() (the TUI's REPL):
 * becomes a subreaper again (fork does not inherit it), takes a wake-up
 * pipe of its own, and takes the terminal it now has on stdin. */
void spawn_session_after_fork(struct spawn_session *s);

/* Starts ARGV in a new container described by PLAN and returns once the
 * command has been exec'd.  With BACKGROUND the container gets no terminal
 * and a session of its own.  Returns 0, or the exit code of the failure
 * (125 setup, 126 cannot run the program, 127 no such program) with a
 * message for the learner in ERR and nothing left behind. */
int spawn_start(struct spawn_session *s, struct spawn_container *c,
		const struct plan *plan, char *const argv[], bool background,
		char *err, size_t errlen);

/* Waits for the foreground container C, passing the terminal and Ctrl-C
 * on as DESIGN.md says, then tears it down.  Messages for the learner go
 * to stderr.  Returns the shell-style exit code (128+N for signal N). */
int spawn_wait(struct spawn_session *s, struct spawn_container *c);

/* Checks whether background container C has exited without blocking;
 * when it has, tears it down and returns true. */
bool spawn_poll(struct spawn_session *s, struct spawn_container *c);

/* Kills container C and everything in it, waits and tears it down.
 * Returns its exit code as spawn_wait() does. */
int spawn_stop(struct spawn_session *s, struct spawn_container *c);

/* Runs CMDLINE on the host with /bin/sh -c in the foreground, with
 * $BOXPID set to BOXPID when it is not 0, $BOXSTEP to boxstep's own path
 * and $BOXSTEP_ROOTFS to ROOTFS (may be NULL).  Returns its exit code. */
int spawn_host(struct spawn_session *s, const char *cmdline, pid_t boxpid,
	       const char *rootfs);

/* Checks that PATH can serve as a root filesystem: it exists, is a
 * directory, is not the host's own /, and has /bin/sh.  Returns 0, or -1
 * with what is wrong and what to do in ERR. */
int spawn_check_rootfs(const char *path, char *err, size_t errlen);

/* The layer that uses the cgroup controller CTL (pids, memory, cpu). */
enum plan_layer spawn_cgroup_layer(enum cgroup_controller ctl);

/* The shell-style exit code of a wait(2) status. */
int spawn_exit_code(int status);

/* Describes the status for the learner: "exited with status 3",
 * "killed by SIGKILL".  Returns BUF. */
const char *spawn_describe_status(int status, char *buf, size_t len);

/* When the OOM killer killed in the container's group, says so, with the
 * limit, into BUF and returns true. */
bool spawn_describe_oom(const struct spawn_container *c, char *buf,
			size_t len);

#endif
