/* image_fs: paths beneath an image's root, and writing there safely. */
#define _GNU_SOURCE
#include "engine/image_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/msg.h"

int
image_clean_path(const char *path, char *buf, size_t len)
{
	size_t o = 0;
	const char *p = path;

	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (o + n + 2 > len)
			return -1;
		if (o)
			buf[o++] = '/';
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	if (len)
		buf[o] = '\0';
	return o == 0 ? 1 : 0;
}

/* Where openat2() is missing (Linux before 5.6, or valgrind): one
 * component at a time, refusing every symlink on the way (EXDEV), which
 * is stricter than RESOLVE_BENEATH.  PATH is clean (no ".."). */
static int
open_walk(int at, const char *path, int flags)
{
	char copy[4096], *comp, *next;
	struct stat st;
	int cur, fd;

	if (strcmp(path, ".") == 0)
		return openat(at, ".", flags | O_CLOEXEC);
	snprintf(copy, sizeof(copy), "%s", path);
	if ((cur = openat(at, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	for (comp = copy; comp; comp = next) {
		if ((next = strchr(comp, '/')))
			*next++ = '\0';
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			close(cur);
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			close(cur);
			errno = EXDEV;
			return -1;
		}
		fd = openat(cur, comp, (next ? O_PATH | O_DIRECTORY : flags) |
			    O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		if (fd < 0)
			return -1;
		cur = fd;
	}
	return cur;
}

int
image_open_beneath(int at, const char *path, int flags)
{
	static bool no_openat2;
	struct open_how how = { 0 };
	int fd;

	if (!no_openat2) {
		how.flags = (unsigned long long)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, at, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		no_openat2 = true;
	}
	return open_walk(at, path, flags);
}

int
image_escape_error(const char *what, const char *path, char *err,
		   size_t errlen)
{
	return msg_fail(err, errlen, "refused: %s '%s' leads out of the image "
		    "(through an absolute symlink or '..'); a hostile or "
		    "broken image", what, path);
}

int
image_parent_fd(int root, const char *path, bool create,
		const char **base, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	*base = slash ? slash + 1 : path;
	if (!slash) {
		fd = image_open_beneath(root, ".", O_PATH | O_DIRECTORY);
		if (fd < 0)
			return msg_fail(err, errlen, "the image root: %s",
				    strerror(errno));
		return fd;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = image_open_beneath(root, dir, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ENOENT && create) {
		/* Make each missing level, beneath the root, in turn. */
		for (char *p = dir;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char keep = *p;
			int pfd;
			const char *b;

			*p = '\0';
			pfd = image_open_beneath(root, dir,
						 O_PATH | O_DIRECTORY);
			if (pfd < 0 && errno == ENOENT) {
				int up = image_parent_fd(root, dir, false, &b,
							 err, errlen);

				if (up < 0)
					return -1;
				if (mkdirat(up, b, 0755) < 0 && errno != EEXIST) {
					close(up);
					*p = keep;
					return msg_fail(err, errlen, "mkdir %s: %s",
						    dir, strerror(errno));
				}
				close(up);
			} else if (pfd < 0) {
				*p = keep;
				break;
			} else {
				close(pfd);
			}
			*p = keep;
			if (!keep)
				break;
		}
		fd = image_open_beneath(root, dir, O_PATH | O_DIRECTORY);
	}
	if (fd < 0) {
		if (errno == EXDEV || errno == ELOOP)
			return image_escape_error("the path of", path, err,
						  errlen);
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	}
	return fd;
}

/* Removes everything in the directory open on FD, and closes FD. */
static int
empty_fd(int fd)
{
	struct dirent *d;
	DIR *dp = fdopendir(fd);

	if (!dp) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			image_remove_at(dirfd(dp), d->d_name);
	closedir(dp);
	return 0;
}

int
image_remove_at(int at, const char *name)
{
	struct stat st;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || empty_fd(fd) < 0)
		return -1;
	return unlinkat(at, name, AT_REMOVEDIR);
}

int
image_empty_dir(int root, const char *path)
{
	int fd = path[0] ? image_open_beneath(root, path,
					      O_RDONLY | O_DIRECTORY) :
		 dup(root);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	return empty_fd(fd);
}
