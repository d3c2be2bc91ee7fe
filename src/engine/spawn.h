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
 * session (spawn_session.c), the foreground wait (foreground.c) and rootless
 * mode (rootless.c) are the engine's own.
 */
#ifndef BOXSTEP_SPAWN_H
#define BOXSTEP_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/container.h"
#include "engine/foreground.h"

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

/* Rootless, after spawn_rootless_begin(): makes boxstep the root of its
 * session's host, a user namespace that maps uid 0 to the user alone, with
 * mount, UTS and IPC namespaces of its own (the PID and network
 * namespaces stay the host's).  Everything the session runs, `host`
 * commands included, runs there.  Returns 0, or -1 with why in ERR. */
int spawn_rootless_enter(char *err, size_t errlen);

/* Whether boxstep must run rootless: it is not root, or root only of a
 * user namespace (a session's host, where `host boxstep` runs). */
bool spawn_rootless_needed(void);

/* Whether boxstep is in its session's host, and the user it was started
 * by (uid 0 and gid 0 there). */
bool spawn_rootless_active(void);
unsigned spawn_rootless_uid(void);
unsigned spawn_rootless_gid(void);

/* Prepares the session: becomes a child subreaper, installs the SIGCHLD
 * and quit handlers, takes note of the terminal, finds the pids cgroup
 * hierarchy under CGROUP_ROOT, cleans what dead sessions left
 * (spawn_clean_stale), appending what it removed to REPORT, and makes
 * the session's group (a controller whose group cannot be made is
 * marked unavailable, with the reason). */
void spawn_session_init(struct spawn_session *s, const char *cgroup_root,
			const char *rootfs, char *report, size_t len);

/* Writes the instructor's limits LIM for the session as a whole into its
 * group.  Returns 0, or -1 with the reason in ERR. */
int spawn_session_limit(struct spawn_session *s,
			const struct cgroup_limits *lim, char *err,
			size_t errlen);

/* Ends the session: removes its group (killing what host commands left
 * in it), unmounts its writable layer and removes its directory.  Call
 * it once no container runs. */
void spawn_session_end(struct spawn_session *s);

/* Says whether PID is a boxstep that runs (not a zombie). */
bool spawn_boxstep_alive(pid_t pid);

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

/* Checks that PATH can serve as a root filesystem: it exists, is a
 * directory, is not the host's own /, and has /bin/sh.  Returns 0, or -1
 * with what is wrong and what to do in ERR. */
int spawn_check_rootfs(const char *path, char *err, size_t errlen);

/* The layer that uses the cgroup controller CTL (pids, memory, cpu). */
enum plan_layer spawn_cgroup_layer(enum cgroup_controller ctl);

#endif
