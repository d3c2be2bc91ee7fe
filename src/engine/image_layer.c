/* image_layer: apply one layer, its whiteouts first, beneath the root. */
#define _GNU_SOURCE
#include "engine/image_layer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "base/tar.h"
#include "engine/image_fs.h"

static const char WH[] = ".wh.";
static const char OPQ[] = ".wh..wh..opq";

static int
apply_whiteout(struct image_layer *l, const char *path, const char *base,
	       char *err, size_t errlen)
{
	char dir[4096];
	int pfd;

	snprintf(dir, sizeof(dir), "%.*s", base > path ?
		 (int)(base - path - 1) : 0, path);
	if (strcmp(base, OPQ) == 0) {
		if (image_empty_dir(l->root, dir) < 0)
			return msg_fail(err, errlen, "opaque whiteout in %s: %s",
				    dir[0] ? dir : "/", strerror(errno));
		l->removed++;
		return 0;
	}
	pfd = dir[0] ? image_open_beneath(l->root, dir, O_PATH | O_DIRECTORY) :
	      dup(l->root);
	if (pfd < 0 && errno == ENOENT)
		return 0; /* nothing there to remove */
	if (pfd < 0)
		return image_escape_error("the whiteout", path, err, errlen);
	if (image_remove_at(pfd, base + strlen(WH)) < 0) {
		close(pfd);
		return msg_fail(err, errlen, "whiteout %s: %s", path,
			    strerror(errno));
	}
	close(pfd);
	l->removed++;
	return 0;
}

static int
write_data(struct tar_reader *tr, int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = tar_data(tr, buf, sizeof(buf))) > 0)
		if (fsutil_write_all(fd, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

/* Gives the entry at PFD/BASE ("" with AT_EMPTY_PATH: PFD itself) its
 * owner in the image; with one owner only, leaves it the importer's. */
static int
own(struct image_layer *l, const struct tar_entry *e, int pfd,
    const char *base, int flags)
{
	if (l->one_owner) {
		if (e->uid || e->gid)
			l->owned++;
		return 0;
	}
	return fchownat(pfd, base, e->uid, e->gid, flags);
}

/* The hard link PATH (BASE in PFD) to E's target, beneath the root. */
static int
hard_link(struct image_layer *l, const struct tar_entry *e, int pfd,
	  const char *base, const char *path, char *err, size_t errlen)
{
	const char *tbase;
	char target[4096];
	int tpfd, rc = 0;

	if (image_clean_path(e->link, target, sizeof(target)) != 0) {
		image_escape_error("the hard link", path, err, errlen);
		return -1;
	}
	if ((tpfd = image_parent_fd(l->root, target, false, &tbase, err,
				    errlen)) < 0)
		return -1;
	if (linkat(tpfd, tbase, pfd, base, 0) < 0)
		rc = msg_fail(err, errlen, "hard link %s to %s: %s", path,
			      target, strerror(errno));
	close(tpfd);
	return rc;
}

static int
make_entry(struct image_layer *l, const struct tar_entry *e,
	   const char *path, struct tar_reader *tr, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int pfd, fd, rc = -1;
	struct timespec times[2] = { { 0, UTIME_OMIT }, { e->mtime, 0 } };

	pfd = image_parent_fd(l->root, path, true, &base, err, errlen);
	if (pfd < 0)
		return -1;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !(e->type == '5' && S_ISDIR(st.st_mode)) &&
	    image_remove_at(pfd, base) < 0) {
		msg_fail(err, errlen, "replace %s: %s", path, strerror(errno));
		goto out;
	}
	switch (e->type) {
	case '0':
	case '7':
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd < 0 || write_data(tr, fd) < 0 ||
		    own(l, e, fd, "", AT_EMPTY_PATH) < 0 ||
		    fchmod(fd, e->mode) < 0) {
			msg_fail(err, errlen, "write %s: %s", path,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		futimens(fd, times);
		close(fd);
		break;
	case '5':
		if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST) {
			msg_fail(err, errlen, "mkdir %s: %s", path, strerror(errno));
			goto out;
		}
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0 || own(l, e, fd, "", AT_EMPTY_PATH) < 0 ||
		    fchmod(fd, e->mode) < 0) {
			msg_fail(err, errlen, "directory %s: %s", path,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		break;
	case '2':
		if (symlinkat(e->link, pfd, base) < 0 ||
		    own(l, e, pfd, base, AT_SYMLINK_NOFOLLOW) < 0) {
			msg_fail(err, errlen, "symlink %s: %s", path,
				 strerror(errno));
			goto out;
		}
		break;
	case '1':
		if (hard_link(l, e, pfd, base, path, err, errlen) < 0)
			goto out;
		break;
	case '3':
	case '4':
	case '6':
		if (l->one_owner && e->type != '6') {
			/* Only the host's root makes device nodes. */
			l->devices++;
			rc = 0;
			goto out;
		}
		if (mknodat(pfd, base, (e->type == '3' ? S_IFCHR : e->type == '4' ?
			    S_IFBLK : S_IFIFO) | e->mode,
			    makedev(e->devmajor, e->devminor)) < 0 ||
		    own(l, e, pfd, base, AT_SYMLINK_NOFOLLOW) < 0) {
			msg_fail(err, errlen, "device or fifo %s: %s", path,
				 strerror(errno));
			goto out;
		}
		break;
	default:
		/* sockets, contiguous files' kin: nothing to make */
		break;
	}
	l->files++;
	rc = 0;
out:
	close(pfd);
	return rc;
}

static int
on_layer_entry(const struct tar_entry *e, struct tar_reader *tr, void *arg,
	       char *err, size_t errlen)
{
	struct image_layer *l = arg;
	char path[4096];
	const char *base;
	int c = image_clean_path(e->path, path, sizeof(path));

	if (c < 0)
		return msg_fail(err, errlen, "refused: the entry '%s' has '..' "
			    "in its path, which would write outside the image; "
			    "a hostile or broken image", e->path);
	if (c == 1)
		return 0; /* the root itself */
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, WH, strlen(WH)) == 0)
		return l->whiteouts ? apply_whiteout(l, path, base, err, errlen) : 0;
	return l->whiteouts ? 0 : make_entry(l, e, path, tr, err, errlen);
}


/* Opens a reader of layer M: the archive itself for a plain tar, or
 * gzip -dc fed the member's bytes.  *PID is the decompressor's, or 0. */
static int
open_layer(const struct image_archive *a, const struct image_member *m,
	   pid_t *pid, const char **kind, char *err, size_t errlen)
{
	unsigned char magic[4] = { 0 };
	char off[32], size[32];
	int p[2];

	*pid = 0;
	if (pread(a->fd, magic, sizeof(magic), m->offset) < 2)
		return msg_fail(err, errlen, "layer %s is empty", m->name);
	if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f) {
		return msg_fail(err, errlen, "layer %s is compressed with zstd, "
			    "which boxstep cannot read; save the image again "
			    "with gzip layers", m->name);
	}
	if (!(magic[0] == 0x1f && magic[1] == 0x8b)) {
		*kind = "tar";
		if (lseek(a->fd, m->offset, SEEK_SET) < 0)
			return msg_fail(err, errlen, "seek: %s", strerror(errno));
		return dup(a->fd);
	}
	*kind = "tar+gzip";
	if (pipe2(p, O_CLOEXEC) < 0)
		return msg_fail(err, errlen, "pipe: %s", strerror(errno));
	snprintf(off, sizeof(off), "%lld", m->offset + 1);
	snprintf(size, sizeof(size), "%lld", m->size);
	if ((*pid = fork()) == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", "tail -c +\"$1\" \"$3\" | "
		      "head -c \"$2\" | gzip -dc", "sh", off, size, a->file,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (*pid < 0) {
		close(p[0]);
		return msg_fail(err, errlen, "fork: %s", strerror(errno));
	}
	return p[0];
}

int
image_apply_layer(const struct image_archive *a,
		  const struct image_member *m, struct image_layer *l,
		  const char **kind, char *err, size_t errlen)
{
	for (int pass = 0; pass < 2; pass++) {
		pid_t pid;
		int fd = open_layer(a, m, &pid, kind, err, errlen), status = 0,
		    rc;

		if (fd < 0)
			return -1;
		l->whiteouts = pass == 0;
		rc = tar_read(fd, pid ? -1 : m->size, on_layer_entry, l, err,
			      errlen);
		/* The end-of-archive blocks come before the tar's padding:
		 * read gzip's output to its end, or it dies of SIGPIPE. */
		if (pid > 0 && rc == 0) {
			char sink[4096];

			while (read(fd, sink, sizeof(sink)) > 0)
				;
		}
		close(fd);
		if (pid > 0) {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (rc == 0 && (!WIFEXITED(status) ||
					WEXITSTATUS(status) != 0))
				return msg_fail(err, errlen, "layer %s: gzip could "
					    "not decompress it", m->name);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}
