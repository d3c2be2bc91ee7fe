/* rootfs: the container's root, and the session's writable layer over
 * it (`set rootfs.layer`).
 *
 * The first container of a session that gets the rootfs as its root
 * (chroot or pivot) with rootfs.layer on mounts an overlay: the rootfs
 * is the lower layer, and RUN_DIR/<session pid>/upper and work take the
 * writes, mounted on RUN_DIR/<session pid>/<rootfs name>.  The session's
 * containers share it; a new rootfs gets a new one.  Rootless, the
 * container mounts it itself, in its own mount namespace.
 */
#ifndef BOXSTEP_ROOTFS_H
#define BOXSTEP_ROOTFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* How a rootfs looked when it passed the check. */
struct rootfs_seen {
	char path[PATH_MAX];      /* "" when none has passed */
	struct stat root, bin;    /* of PATH and PATH/bin */
};

/* What a session keeps of its roots. */
struct rootfs_session {
	struct rootfs_seen seen;
	/* The writable layer: an overlay over LOWER mounted on ROOT, all
	 * under DIR; "" when none is mounted yet. */
	char dir[PATH_MAX];
	char root[PATH_MAX];
	char lower[PATH_MAX];
};

/* Checks that PATH can serve as a root filesystem: it exists, is a
 * directory, is not the host's own /, and has /bin/sh.  Returns 0, or -1
 * with what is wrong and what to do in ERR. */
int rootfs_check(const char *path, char *err, size_t errlen);

/* rootfs_check() once per rootfs: again only when PATH, or PATH or
 * PATH/bin as stat(2) sees them, differ from the last that passed (or
 * changed too recently for their times to tell). */
int rootfs_check_seen(struct rootfs_seen *seen, const char *path,
		      char *err, size_t errlen);

/* Makes the session's writable layer over LOWER, in RUN_DIR (made 0700
 * and checked to be the user's alone when ROOTLESS), unless it is there
 * already; one over another rootfs is ended first (*END_FAILED when
 * something of it stayed).  As root the session's directory is a tmpfs
 * of MAX bytes, so that what the session writes is bounded.  Returns 0,
 * or -1 with a message in ERR. */
int rootfs_layer_make(struct rootfs_session *r, const char *run_dir,
		      bool rootless, const char *lower, long long max,
		      bool *end_failed, char *err, size_t errlen);

/* Unmounts the session's writable layer and removes its directory, and
 * RUN_DIR when no other session has one there.  Returns 0, or -1 when
 * something stayed (it said what on stderr). */
int rootfs_layer_end(struct rootfs_session *r, const char *run_dir);

#endif
