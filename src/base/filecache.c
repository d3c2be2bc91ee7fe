/* filecache: files kept open and read again with pread(2). */
#define _GNU_SOURCE
#include "base/filecache.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"

/* Reads the whole of FD (from offset 0) into BUF.  -1 with errno. */
static ssize_t
read_from_start(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = pread(fd, buf, len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

ssize_t
filecache_read(struct filecache *c, const char *path, char *buf, size_t len)
{
	size_t i;
	ssize_t n;

	if (len == 0)
		return (errno = EINVAL, -1);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->f[i].path, path) == 0)
			break;
	if (i < c->n) {
		if ((n = read_from_start(c->f[i].fd, buf, len)) >= 0 ||
		    (errno != ESRCH && errno != ENODEV))
			return n;
		/* Gone: its path may name a new one now. */
		close(c->f[i].fd);
		c->f[i] = c->f[--c->n];
		i = c->n;
	}
	if (strlen(path) >= FILECACHE_PATH_MAX || c->n == FILECACHE_MAX)
		return fsutil_read(path, buf, len);
	if ((c->f[i].fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	strcpy(c->f[i].path, path);
	c->n++;
	return read_from_start(c->f[i].fd, buf, len);
}

void
filecache_close(struct filecache *c)
{
	for (size_t i = 0; i < c->n; i++)
		close(c->f[i].fd);
	c->n = 0;
}
