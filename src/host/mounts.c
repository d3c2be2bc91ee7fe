/* mounts: the host's mounts under a directory, noted and undone. */
#define _GNU_SOURCE
#include "host/mounts.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "host/mountinfo.h"

int
mounts_under(const char *dir, int **ids, size_t *n)
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

int
mounts_note(struct mounts_noted *m, const char *dir)
{
	if (m->on)
		return 0;
	if (mounts_under(dir, &m->ids, &m->n) < 0)
		return -1;
	m->on = true;
	return 0;
}

int
mounts_undo(struct mounts_noted *m, const char *dir)
{
	int done;

	if (!m->on)
		return 0;
	done = mounts_unmount_under(dir, m->ids, m->n);
	free(m->ids);
	m->ids = NULL;
	m->n = 0;
	m->on = false;
	return done;
}

int
mounts_unmount_under(const char *dir, const int *keep, size_t nkeep)
{
	int done = 0;

	/* mounts stack, so the last one listed goes first */
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

int
mounts_remove_tree(const char *dir, bool *unmount_failed)
{
	if (mounts_unmount_under(dir, NULL, 0) < 0 && unmount_failed)
		*unmount_failed = true;
	nftw(dir, open_entry, 16, FTW_PHYS | FTW_MOUNT);
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
