/* contain: a replay's writes kept in memory (contain.h). */
#define _GNU_SOURCE
#include "app/contain.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/msg.h"

/* DIR overlaid: a tmpfs mounted on it holds the upper layer, and the
 * directory as it was (reached through an fd opened before) is the
 * lower.  A directory that is not there is left alone. */
static int
overlay(const char *dir, char *err, size_t errlen)
{
	char upper[PATH_MAX], work[PATH_MAX], opts[PATH_MAX * 2 + 64];
	struct stat st;
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), rc = -1;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       msg_fail(err, errlen, "open %s: %s", dir, strerror(errno));
	snprintf(upper, sizeof(upper), "%s/.upper", dir);
	snprintf(work, sizeof(work), "%s/.work", dir);
	snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir=%s,"
		 "workdir=%s", fd, upper, work);
	if (fstat(fd, &st) < 0 ||
	    mount("boxstep-replay", dir, "tmpfs", 0, "mode=0700") < 0)
		msg_fail(err, errlen, "a tmpfs on %s: %s", dir, strerror(errno));
	else if (mkdir(upper, 0700) < 0 || mkdir(work, 0700) < 0 ||
		 chmod(upper, st.st_mode & 07777) < 0 ||
		 /* In a session's host the machine's root is no one: the
		  * layer stays the session's own. */
		 (chown(upper, st.st_uid, st.st_gid) < 0 && errno != EINVAL))
		msg_fail(err, errlen, "the layer on %s: %s", dir, strerror(errno));
	else if (mount("overlay", dir, "overlay", 0, opts) < 0)
		msg_fail(err, errlen, "an overlay on %s: %s", dir, strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

/* Whether PATH is DIR or under it. */
static bool
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || !path[n]);
}

int
contain_writes(char *err, size_t errlen)
{
	static const char *const dirs[] = {
		"/tmp", "/var/tmp", "/etc", "/root", "/home",
	};
	const char *more[] = { getenv("HOME"), getenv("XDG_STATE_HOME") };
	char real[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (overlay(dirs[i], err, errlen) < 0)
			return -1;
	for (size_t i = 0; i < 2; i++) {
		bool done = false;

		/* HOME=/ (as init gives it): / is made read-only below,
		 * and a tmpfs on / would hide the lower layers' fds. */
		if (!more[i] || !realpath(more[i], real) || !strcmp(real, "/"))
			continue;
		for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++)
			done = done || under(real, dirs[k]);
		if (!done && overlay(real, err, errlen) < 0)
			return -1;
	}
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return msg_fail(err, errlen, "/ read-only: %s", strerror(errno));
	return 0;
}
