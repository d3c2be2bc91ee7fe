/* filecache: files read again and again (a pane's /proc and cgroup files
 * at every tick) kept open, and read from the start with pread(2): one
 * system call a read instead of an open, a read and a close, and no
 * path to look up.
 *
 * A zeroed struct is an empty cache.  A file whose object went away
 * (a process that exited: ESRCH; a cgroup removed: ENODEV) is opened
 * again once by its path, which may name a new one by now.
 */
#ifndef BOXSTEP_FILECACHE_H
#define BOXSTEP_FILECACHE_H

#include <stddef.h>
#include <sys/types.h>

#define FILECACHE_MAX 16
#define FILECACHE_PATH_MAX 200

struct filecache {
	struct {
		char path[FILECACHE_PATH_MAX];
		int fd;
	} f[FILECACHE_MAX];
	size_t n;
};

/* As fsutil_read(): at most LEN-1 bytes of PATH into BUF, NUL-terminated.
 * Returns the byte count, or -1 with errno set.  A path longer than the
 * cache takes, or one more than it holds, is read the plain way. */
ssize_t filecache_read(struct filecache *c, const char *path, char *buf,
		       size_t len);

/* Closes every file; the cache is empty again. */
void filecache_close(struct filecache *c);

#endif
