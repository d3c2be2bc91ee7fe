/* orphans: the processes a container leaves behind, which come back to
 * boxstep because it is a child subreaper.
 */
#ifndef BOXSTEP_ORPHANS_H
#define BOXSTEP_ORPHANS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The live containers the session must not touch: their first
 * processes, and whether each has a session of its own (a background
 * container), all of whose processes are its. */
struct orphans_spare {
	pid_t pid[2];
	bool own_session[2];
	size_t n;
};

/* Reaps every exited child that is not a spared container (its owner
 * collects it). */
void orphans_reap(const struct orphans_spare *spare);

/* Kills the children of this process that are not spared, and reaps
 * them; loops while new ones appear (their children come back to us). */
void orphans_kill(const struct orphans_spare *spare);

#endif
