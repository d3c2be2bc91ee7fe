/* mounts: the host's mounts under a directory, noted and undone.
 *
 * A container can leave mounts on the host under its root (a proc
 * mounted without a mount namespace of its own, the bind that shared
 * propagation needs).  Its mounts there are noted before it starts, and
 * whatever is new under the root at its end is unmounted, newest first.
 */
#ifndef BOXSTEP_MOUNTS_H
#define BOXSTEP_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* The ids of the host's mounts under a directory, at one moment. */
struct mounts_noted {
	int *ids;
	size_t n;
	bool on;  /* noted: mounts_undo() has something to compare with */
};

/* Collects the ids of the host's mounts under DIR into *IDS (the caller
 * frees it) and their number into *N.  Returns 0, or -1 with errno set
 * when /proc/self/mountinfo cannot be read. */
int mounts_under(const char *dir, int **ids, size_t *n);

/* Notes the mounts under DIR in M, once (a second call does nothing).
 * Returns 0 or -1 as mounts_under() does. */
int mounts_note(struct mounts_noted *m, const char *dir);

/* Unmounts every mount under DIR that M did not note and forgets M.
 * Returns how many it unmounted (0 when M noted nothing), or -1 as
 * mounts_unmount_under() does. */
int mounts_undo(struct mounts_noted *m, const char *dir);

/* Unmounts every host mount under DIR (DIR itself included) whose id
 * is not in KEEP, newest first.  Returns how many it unmounted, or -1
 * when it had to stop (it said why on stderr). */
int mounts_unmount_under(const char *dir, const int *keep, size_t nkeep);

/* Unmounts everything under DIR, then removes the tree (never crossing
 * into a mount that is somehow left).  Returns 0 or -1.  *UNMOUNT_FAILED
 * (if given) says whether unmounting failed (it said why), even when the
 * tree could then be removed. */
int mounts_remove_tree(const char *dir, bool *unmount_failed);

#endif
