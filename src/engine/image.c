/* image: unpack docker save and OCI image archives into root filesystems. */
#define _GNU_SOURCE
#include "engine/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/json.h"
#include "base/msg.h"
#include "base/tar.h"

#define PARTIAL ".partial"

/* --- names and paths ---------------------------------------------------- */

int
image_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("BOXSTEP_IMAGES");
	char state[4096];

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return msg_fail(err, errlen, "BOXSTEP_IMAGES is too long");
	} else if (fsutil_state_dir(state, sizeof(state)) < 0 ||
		   (size_t)snprintf(buf, len, "%s/images", state) >= len) {
		return msg_fail(err, errlen, "no state directory for images: "
			    "set HOME, XDG_STATE_HOME or BOXSTEP_IMAGES");
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return msg_fail(err, errlen, "mkdir %s: %s", buf, strerror(errno));
	return 0;
}

bool
image_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > IMAGE_NAME_MAX || name[0] == '.' ||
	    strstr(name, PARTIAL))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-") == n;
}

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

int
image_path(const char *name, char *buf, size_t len)
{
	char dir[4096], err[256];
	struct stat st;

	if (!image_name_ok(name) || image_dir(dir, sizeof(dir), err,
					      sizeof(err)) < 0 ||
	    (size_t)snprintf(buf, len, "%s/%s", dir, name) >= len ||
	    stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	return 0;
}

int
image_list(FILE *out, char *err, size_t errlen)
{
	char dir[4096], path[8192], when[32];
	struct dirent *d;
	struct stat st;
	int n = 0;
	DIR *dp;

	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if (!(dp = opendir(dir)))
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		if (!image_name_ok(d->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
			 localtime(&st.st_mtime));
		fprintf(out, "  %-24s imported %s  %s\n", d->d_name, when, path);
		n++;
	}
	closedir(dp);
	if (n == 0)
		fprintf(out, "  (none yet: `sudo boxstep import FILE.tar NAME` "
			"takes a docker save or OCI archive)\n");
	return n;
}

/* --- the filesystem, beneath the image root ------------------------------ */

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

/* openat2() beneath AT: no "..", absolute symlink or magic link may
 * take the lookup out. */
static int
open_beneath(int at, const char *path, int flags)
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

static int
escape_error(const char *what, const char *path, char *err, size_t errlen)
{
	return msg_fail(err, errlen, "refused: %s '%s' leads out of the image "
		    "(through an absolute symlink or '..'); a hostile or "
		    "broken image", what, path);
}

/* Opens the directory that holds PATH (relative, clean), making missing
 * directories when CREATE.  Writes the last component to *BASE. */
static int
parent_fd(int root, const char *path, bool create, const char **base,
	  char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	*base = slash ? slash + 1 : path;
	if (!slash) {
		if ((fd = open_beneath(root, ".", O_PATH | O_DIRECTORY)) < 0)
			return msg_fail(err, errlen, "the image root: %s",
				    strerror(errno));
		return fd;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open_beneath(root, dir, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ENOENT && create) {
		/* Make each missing level, beneath the root, in turn. */
		for (char *p = dir;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char keep = *p;
			int pfd;
			const char *b;

			*p = '\0';
			pfd = open_beneath(root, dir, O_PATH | O_DIRECTORY);
			if (pfd < 0 && errno == ENOENT) {
				int up = parent_fd(root, dir, false, &b, err,
						   errlen);

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
		fd = open_beneath(root, dir, O_PATH | O_DIRECTORY);
	}
	if (fd < 0) {
		if (errno == EXDEV || errno == ELOOP)
			return escape_error("the path of", path, err, errlen);
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	}
	return fd;
}

static int remove_at(int at, const char *name);

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
			remove_at(dirfd(dp), d->d_name);
	closedir(dp);
	return 0;
}

/* Removes NAME in AT, a directory with everything in it. */
static int
remove_at(int at, const char *name)
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

/* Empties the directory at PATH (the opaque whiteout). */
static int
empty_dir(int root, const char *path)
{
	int fd = path[0] ? open_beneath(root, path, O_RDONLY | O_DIRECTORY) :
		 dup(root);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	return empty_fd(fd);
}

/* --- applying one layer ------------------------------------------------- */

struct layer {
	int root;
	bool whiteouts; /* pass 1: whiteouts only; pass 2: the rest */
	long files, removed;
};

static const char WH[] = ".wh.";
static const char OPQ[] = ".wh..wh..opq";

static int
apply_whiteout(struct layer *l, const char *path, const char *base,
	       char *err, size_t errlen)
{
	char dir[4096];
	const char *b;
	int pfd;

	snprintf(dir, sizeof(dir), "%.*s", base > path ?
		 (int)(base - path - 1) : 0, path);
	if (strcmp(base, OPQ) == 0) {
		if (empty_dir(l->root, dir) < 0)
			return msg_fail(err, errlen, "opaque whiteout in %s: %s",
				    dir[0] ? dir : "/", strerror(errno));
		l->removed++;
		return 0;
	}
	(void)b;
	pfd = dir[0] ? open_beneath(l->root, dir, O_PATH | O_DIRECTORY) :
	      dup(l->root);
	if (pfd < 0 && errno == ENOENT)
		return 0; /* nothing there to remove */
	if (pfd < 0)
		return escape_error("the whiteout", path, err, errlen);
	if (remove_at(pfd, base + strlen(WH)) < 0) {
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

static int
make_entry(struct layer *l, const struct tar_entry *e, const char *path,
	   struct tar_reader *tr, char *err, size_t errlen)
{
	const char *base, *tbase;
	struct stat st;
	char target[4096];
	int pfd, fd, tpfd, rc = -1;
	struct timespec times[2] = { { 0, UTIME_OMIT }, { e->mtime, 0 } };

	if ((pfd = parent_fd(l->root, path, true, &base, err, errlen)) < 0)
		return -1;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !(e->type == '5' && S_ISDIR(st.st_mode)) &&
	    remove_at(pfd, base) < 0) {
		msg_fail(err, errlen, "replace %s: %s", path, strerror(errno));
		goto out;
	}
	switch (e->type) {
	case '0':
	case '7':
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd < 0 || write_data(tr, fd) < 0 ||
		    fchown(fd, e->uid, e->gid) < 0 || fchmod(fd, e->mode) < 0) {
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
		if (fd < 0 || fchown(fd, e->uid, e->gid) < 0 ||
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
		    fchownat(pfd, base, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0) {
			msg_fail(err, errlen, "symlink %s: %s", path,
				 strerror(errno));
			goto out;
		}
		break;
	case '1':
		if (image_clean_path(e->link, target, sizeof(target)) != 0) {
			escape_error("the hard link", path, err, errlen);
			goto out;
		}
		if ((tpfd = parent_fd(l->root, target, false, &tbase, err,
				      errlen)) < 0)
			goto out;
		if (linkat(tpfd, tbase, pfd, base, 0) < 0) {
			msg_fail(err, errlen, "hard link %s to %s: %s", path,
				 target, strerror(errno));
			close(tpfd);
			goto out;
		}
		close(tpfd);
		break;
	case '3':
	case '4':
	case '6':
		if (mknodat(pfd, base, (e->type == '3' ? S_IFCHR : e->type == '4' ?
			    S_IFBLK : S_IFIFO) | e->mode,
			    makedev(e->devmajor, e->devminor)) < 0 ||
		    fchownat(pfd, base, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0) {
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
	struct layer *l = arg;
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

/* --- the archive -------------------------------------------------------- */

struct member {
	char *name;
	long long offset, size;
};

struct archive {
	const char *file;
	int fd;
	struct member *m;
	size_t n;
};

static int
on_member(const struct tar_entry *e, struct tar_reader *tr, void *arg,
	  char *err, size_t errlen)
{
	struct archive *a = arg;
	struct member *m;
	char name[4096];

	(void)tr;
	if (e->type != '0' && e->type != '7')
		return 0;
	if (image_clean_path(e->path, name, sizeof(name)) != 0)
		return 0; /* the outer archive's odd names are never read */
	if (!(m = realloc(a->m, (a->n + 1) * sizeof(*m))))
		return msg_fail(err, errlen, "out of memory");
	a->m = m;
	m[a->n].name = strdup(name);
	m[a->n].offset = e->offset;
	m[a->n].size = e->size;
	a->n++;
	return 0;
}

static const struct member *
member(const struct archive *a, const char *name)
{
	char clean[4096];

	if (image_clean_path(name, clean, sizeof(clean)) != 0)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->m[i].name, clean) == 0)
			return &a->m[i];
	return NULL;
}

static struct json *
read_json(const struct archive *a, const char *name, char *err, size_t errlen)
{
	const struct member *m = member(a, name);
	char why[256], *text;
	struct json *j;

	if (!m) {
		msg_fail(err, errlen, "%s names %s, which is not in the archive",
			 a->file, name);
		return NULL;
	}
	if (m->size > (16 << 20) || !(text = malloc((size_t)m->size + 1)) ||
	    pread(a->fd, text, (size_t)m->size, m->offset) != m->size) {
		msg_fail(err, errlen, "read %s in %s: too big or cut short", name,
			 a->file);
		return NULL;
	}
	j = json_parse(text, (size_t)m->size, why, sizeof(why));
	free(text);
	if (!j)
		msg_fail(err, errlen, "%s in %s is not valid JSON: %s", name,
			 a->file, why);
	return j;
}

/* The member of an OCI blob: "sha256:HEX" -> blobs/sha256/HEX. */
static int
blob_name(const char *digest, char *buf, size_t len)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;

	if (!colon || strchr(colon + 1, '/') || colon - digest > 32)
		return -1;
	snprintf(buf, len, "blobs/%.*s/%s", (int)(colon - digest), digest,
		 colon + 1);
	return 0;
}

/* Finds the layers, in order, and a name for the image. */
static int
find_layers(const struct archive *a, char ***layers, size_t *nlayers,
	    char *tag, size_t taglen, char *err, size_t errlen)
{
	struct json *doc = NULL, *next;
	const struct json *list = NULL, *it;
	char blob[4096];
	bool oci = false;

	*layers = NULL;
	*nlayers = 0;
	tag[0] = '\0';
	if (member(a, "manifest.json")) {
		if (!(doc = read_json(a, "manifest.json", err, errlen)))
			return -1;
		list = json_get(json_at(doc, 0), "Layers");
		if (json_str(json_at(json_get(json_at(doc, 0), "RepoTags"), 0)))
			snprintf(tag, taglen, "%s", json_str(json_at(json_get(
				 json_at(doc, 0), "RepoTags"), 0)));
	} else if (member(a, "index.json")) {
		oci = true;
		if (!(doc = read_json(a, "index.json", err, errlen)))
			return -1;
		/* index -> (index ->) manifest, a few hops at most */
		for (int hop = 0; hop < 4 && !json_get(doc, "layers"); hop++) {
			it = json_at(json_get(doc, "manifests"), 0);
			if (!tag[0] && json_str(json_get(json_get(it, "annotations"),
					"org.opencontainers.image.ref.name")))
				snprintf(tag, taglen, "%s", json_str(json_get(
					 json_get(it, "annotations"),
					 "org.opencontainers.image.ref.name")));
			if (blob_name(json_str(json_get(it, "digest")), blob,
				      sizeof(blob)) < 0) {
				json_free(doc);
				return msg_fail(err, errlen, "%s: index.json names "
					    "no manifest digest", a->file);
			}
			if (!(next = read_json(a, blob, err, errlen))) {
				json_free(doc);
				return -1;
			}
			json_free(doc);
			doc = next;
		}
		list = json_get(doc, "layers");
	} else {
		return msg_fail(err, errlen, "%s has neither manifest.json "
			    "(docker save) nor index.json (an OCI image layout): "
			    "is it an image archive?  A `docker export` tarball "
			    "is a plain filesystem: unpack it with tar and `set "
			    "rootfs DIR`", a->file);
	}
	if (!list || list->type != JSON_ARRAY || list->n == 0) {
		json_free(doc);
		return msg_fail(err, errlen, "%s: its manifest lists no layers",
			    a->file);
	}
	*layers = calloc(list->n, sizeof(char *));
	for (size_t i = 0; *layers && i < list->n; i++) {
		const char *s = oci ? NULL : json_str(json_at(list, i));

		if (oci && blob_name(json_str(json_get(json_at(list, i),
				     "digest")), blob, sizeof(blob)) == 0)
			s = blob;
		if (!s || !member(a, s)) {
			msg_fail(err, errlen, "%s: layer %zu (%s) is not in the "
				 "archive", a->file, i + 1, s ? s : "no name");
			for (size_t k = 0; k < i; k++)
				free((*layers)[k]);
			free(*layers);
			*layers = NULL;
			json_free(doc);
			return -1;
		}
		(*layers)[i] = strdup(s);
		(*nlayers)++;
	}
	json_free(doc);
	return *layers ? 0 : msg_fail(err, errlen, "out of memory");
}

/* Opens a reader of layer M: the archive itself for a plain tar, or
 * gzip -dc fed the member's bytes.  *PID is the decompressor's, or 0. */
static int
open_layer(const struct archive *a, const struct member *m, pid_t *pid,
	   const char **kind, char *err, size_t errlen)
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

static int
apply_layer(const struct archive *a, const struct member *m, struct layer *l,
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

/* Turns a tag such as "library/busybox:1.36" into "busybox-1.36". */
static void
name_from(const char *tag, const char *file, char *buf, size_t len)
{
	const char *s = tag[0] ? tag : file;
	const char *slash = strrchr(s, '/');
	size_t o = 0;

	s = slash ? slash + 1 : s;
	for (; *s && o + 1 < len && o < IMAGE_NAME_MAX; s++) {
		if (!tag[0] && strcmp(s, ".tar") == 0)
			break;
		buf[o++] = strchr(":@+ ", *s) ? '-' : *s;
	}
	buf[o] = '\0';
	if (!image_name_ok(buf))
		snprintf(buf, len, "image");
}

int
image_import(const char *archive, const char *name, FILE *out,
	     char *used, size_t usedlen, char *err, size_t errlen)
{
	struct archive a = { archive, -1, NULL, 0 };
	char dir[4096], target[8192], partial[8300], tag[256], why[512];
	char **layers = NULL, auto_name[IMAGE_NAME_MAX + 1];
	size_t nlayers = 0;
	struct layer l = { -1, false, 0, 0 };
	struct stat st;
	int rc = -1, pdir;

	if (name && !image_name_ok(name))
		return msg_fail(err, errlen, "'%s' cannot name an image: use "
			    "letters, digits, '.', '_' and '-' (at most %d, not "
			    "starting with '.')", name, IMAGE_NAME_MAX);
	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if ((a.fd = open(archive, O_RDONLY | O_CLOEXEC)) < 0)
		return msg_fail(err, errlen, "%s: %s", archive, strerror(errno));
	if (fstat(a.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		msg_fail(err, errlen, "%s is a directory: import takes an archive "
			 "(`docker save IMAGE -o FILE.tar`); a directory tree "
			 "is used as it is with `set rootfs DIR`", archive);
		goto out;
	}
	if (tar_read(a.fd, -1, on_member, &a, why, sizeof(why)) < 0) {
		msg_fail(err, errlen, "%s is not a readable tar archive: %s",
			 archive, why);
		goto out;
	}
	if (find_layers(&a, &layers, &nlayers, tag, sizeof(tag), err,
			errlen) < 0)
		goto out;
	if (!name) {
		name_from(tag, archive, auto_name, sizeof(auto_name));
		name = auto_name;
	}
	snprintf(target, sizeof(target), "%s/%s", dir, name);
	snprintf(partial, sizeof(partial), "%s%s", target, PARTIAL);
	if (lstat(target, &st) == 0) {
		msg_fail(err, errlen, "an image called %s is there already (%s); "
			 "give another name: boxstep import %s OTHER-NAME", name,
			 target, archive);
		goto out;
	}
	/* What a killed import left behind goes first. */
	if ((pdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		char leaf[IMAGE_NAME_MAX + sizeof(PARTIAL)];

		snprintf(leaf, sizeof(leaf), "%s%s", name, PARTIAL);
		remove_at(pdir, leaf);
		close(pdir);
	}
	if (mkdir(partial, 0755) < 0 ||
	    (l.root = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		msg_fail(err, errlen, "mkdir %s: %s", partial, strerror(errno));
		goto out;
	}
	fprintf(out, "import: %s as %s, %zu layer%s (%s)\n", archive, name,
		nlayers, nlayers == 1 ? "" : "s",
		member(&a, "manifest.json") ? "docker save" : "OCI layout");
	for (size_t i = 0; i < nlayers; i++) {
		const char *kind = "tar";
		long before = l.files, removed = l.removed;

		if (apply_layer(&a, member(&a, layers[i]), &l, &kind, why,
				sizeof(why)) < 0) {
			msg_fail(err, errlen, "layer %zu of %zu (%s): %s", i + 1,
				 nlayers, layers[i], why);
			goto out;
		}
		fprintf(out, "  layer %zu: %s, %s: %ld entries, %ld removed by "
			"whiteouts\n", i + 1, layers[i], kind, l.files - before,
			l.removed - removed);
	}
	/* What a container runtime makes at run time, made now. */
	static const char *const dirs[] = { "proc", "sys", "dev", "tmp" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(l.root, dirs[i], i == 3 ? 01777 : 0755) == 0 && i == 3)
			fchmodat(l.root, dirs[i], 01777, 0);
	if (rename(partial, target) < 0) {
		msg_fail(err, errlen, "rename %s: %s", partial, strerror(errno));
		goto out;
	}
	fprintf(out, "import: done: %s (`set rootfs %s` uses it)\n", target,
		name);
	snprintf(used, usedlen, "%s", name);
	rc = 0;
out:
	if (l.root >= 0)
		close(l.root);
	if (rc < 0 && l.root >= 0 &&
	    (pdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		remove_at(pdir, strrchr(partial, '/') + 1);
		close(pdir);
	}
	for (size_t i = 0; i < nlayers; i++)
		free(layers[i]);
	free(layers);
	for (size_t i = 0; i < a.n; i++)
		free(a.m[i].name);
	free(a.m);
	close(a.fd);
	return rc;
}

int
image_remove(const char *name, FILE *out, char *err, size_t errlen)
{
	char dir[4096];
	int pdir, rc;

	if (!image_name_ok(name))
		return msg_fail(err, errlen, "'%s' cannot name an image: "
			    "`boxstep images` lists them", name);
	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if ((pdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (faccessat(pdir, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		close(pdir);
		return msg_fail(err, errlen, "no image called %s in %s: "
			    "`boxstep images` lists them", name, dir);
	}
	rc = remove_at(pdir, name);
	close(pdir);
	if (rc < 0)
		return msg_fail(err, errlen, "remove %s/%s: %s", dir, name,
			    strerror(errno));
	fprintf(out, "removed image %s (%s/%s)\n", name, dir, name);
	return 0;
}

