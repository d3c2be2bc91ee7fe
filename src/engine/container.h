/* container: what a session of containers holds (struct spawn_session)
 * and what each container is (struct spawn_container): the state that
 * spawn.c, the session's life (spawn_session.c) and the foreground wait
 * (foreground.c) share.  The functions that act on it are in spawn.h and
 * foreground.h.
 */
#ifndef BOXSTEP_CONTAINER_H
#define BOXSTEP_CONTAINER_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
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
	struct cgroup_session cgs; /* the session's group, holding all it
				    * runs; none without cgroups */
	char group_error[1280]; /* why it could not be made: then nothing
				 * runs (neither containers nor host
				 * commands); "" */
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
	bool rootless;        /* in its session's host (spawn_rootless_enter) */
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

#endif
