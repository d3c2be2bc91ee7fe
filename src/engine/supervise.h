/* supervise: a parent that outlives the session and cleans up after it.
 *
 * boxstep forks at start: the child is the session (the REPL, the TUI),
 * the parent only waits.  The child dies with the parent (a SIGTERM, its
 * normal clean-up path, by PR_SET_PDEATHSIG), and the parent is a child
 * subreaper: if the session is killed outright (SIGKILL, a crash), the
 * container processes it leaves come back to the parent, which kills
 * them, removes the session's cgroups and stale mounts, restores the
 * terminal, and says what it cleaned.  SIGTERM, SIGHUP and a SIGINT sent
 * with kill(1) go on to the session; Ctrl-C at the terminal reaches the
 * session directly.
 */
#ifndef BOXSTEP_SUPERVISE_H
#define BOXSTEP_SUPERVISE_H

#include <sys/types.h>

/* What the parent removes of a session that has ended, however it ended
 * (files it keeps above the engine: what it told the room).  May be NULL. */
typedef void (*supervise_forget_fn)(pid_t session);

/* Forks.  Returns 0 in the child, which goes on to be the session.  The
 * parent never returns: it exits with the session's status, having called
 * FORGET.  Returns -1 (and no child) when it cannot fork: the session then
 * runs without. */
int supervise(const char *cgroup_root, const char *rootfs,
	      supervise_forget_fn forget);

#endif
