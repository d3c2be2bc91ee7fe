/* rootfs: the container's root, and the session's writable layer. */
#define _GNU_SOURCE
#include "layers/rootfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "layers/layers.h"

int
rootfs_check(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], sh[PATH_MAX];
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return msg_fail(err, errlen, "rootfs %s: %s", path,
				    strerror(errno));
		if (strstr(path, "rootfs/busybox"))
			return msg_fail(err, errlen, "the root filesystem %s does "
				    "not exist yet: build it with `sudo make "
				    "rootfs`", path);
		return msg_fail(err, errlen, "the root filesystem %s does not "
			    "exist; give a directory that holds a whole root "
			    "tree (bin, etc, ...)", path);
	}
	if (!S_ISDIR(st.st_mode))
		return msg_fail(err, errlen, "the root filesystem %s is not a "
			    "directory%s", path, strstr(path, ".tar") ?
			    "; unpack the archive first: mkdir DIR && tar -xf "
			    "FILE -C DIR" : "");
	if (realpath(path, real) && strcmp(real, "/") == 0)
		return msg_fail(err, errlen, "%s is the host's own root directory: "
			    "a chroot into it would hide nothing. Give a "
			    "separate root tree, such as the busybox one", path);
	snprintf(sh, sizeof(sh), "%s/bin/sh", path);
	if (lstat(sh, &st) < 0)
		return msg_fail(err, errlen, "the root filesystem %s has no "
			    "/bin/sh: is it really a root tree? boxstep needs "
			    "a shell in it for `sh` and the lessons", path);
	return 0;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_mode == b->st_mode &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* A change within the same tick of the file system's clock leaves the
 * times as they were: only times older than that say nothing changed. */
static bool
settled(const struct stat *st, time_t now)
{
	return st->st_ctim.tv_sec < now - 1 && st->st_mtim.tv_sec < now - 1;
}

int
rootfs_check_seen(struct rootfs_seen *seen, const char *path, char *err,
		  size_t errlen)
{
	char bin[PATH_MAX + 8];
	struct stat root, sub;

	snprintf(bin, sizeof(bin), "%s/bin", path);
	if (seen->path[0] && strcmp(seen->path, path) == 0 &&
	    stat(path, &root) == 0 && same_file(&root, &seen->root) &&
	    stat(bin, &sub) == 0 && same_file(&sub, &seen->bin))
		return 0;
	seen->path[0] = '\0';
	if (rootfs_check(path, err, errlen) < 0)
		return -1;
	if (strlen(path) < sizeof(seen->path) &&
	    stat(path, &seen->root) == 0 && stat(bin, &seen->bin) == 0 &&
	    settled(&seen->root, time(NULL)) && settled(&seen->bin, time(NULL)))
		snprintf(seen->path, sizeof(seen->path), "%s", path);
	return 0;
}

/* Rootless: makes UPPER/tmp (sticky, open to all) where LOWER has it, so
 * that it needs no copy-up.  (A directory the user cannot search, such as
 * a 0700 /root, cannot be made writable this way: overlayfs looks names
 * up in the lower layer with the user's own rights.) */
static int
rootless_upper(const char *upper, const char *lower, char *err,
	       size_t errlen)
{
	static const struct {
		const char *name;
		mode_t mode;
	} dirs[] = { { "tmp", 01777 } };
	char path[PATH_MAX + 16];
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", lower, dirs[i].name);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/%s", upper, dirs[i].name);
		if (mkdir(path, 0700) < 0 || chmod(path, dirs[i].mode) < 0)
			return msg_fail(err, errlen, "make %s: %s", path,
					strerror(errno));
	}
	return 0;
}

/* /proc/sys/kernel/overflowuid's default. */
#define ROOTFS_OVERFLOW_UID 65534

/* Rootless, the session directory's parent may be in /tmp, where another
 * user could have made it first: it must be a real directory of ours that
 * no one else may write. */
static int
own_private_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	char owner[32];

	if (lstat(dir, &st) < 0)
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 022))
		return 0;
	/* In the session's host a uid it does not map reads as the
	 * overflow uid: someone else's, whoever. */
	if (st.st_uid == ROOTFS_OVERFLOW_UID)
		snprintf(owner, sizeof(owner), "another user");
	else
		snprintf(owner, sizeof(owner), "uid %ld", (long)st.st_uid);
	return msg_fail(err, errlen, "%s is not a directory of yours that "
			"only you may write (it is %s of %s, mode %04o): someone "
			"else may have made it. Remove it, or set "
			"XDG_RUNTIME_DIR to a directory of yours", dir,
			S_ISLNK(st.st_mode) ? "a symlink" : S_ISDIR(st.st_mode) ?
			"a directory" : "a file", owner,
			(unsigned)(st.st_mode & 07777));
}

/* The directories of the layer: DIR (a tmpfs of MAX bytes, when MAX is
 * not 0), its upper and work, and its root. */
static int
make_dirs(struct rootfs_session *r, const char *upper, const char *work,
	  long long max, char *err, size_t errlen)
{
	char opts[64], size[32];

	/* 0711: a user namespace's root is uid 100000 here, and must be
	 * able to pass through to the root, if not to list the rest. */
	if ((mkdir(r->dir, 0711) < 0 && errno != EEXIST) ||
	    chmod(r->dir, 0711) < 0)
		return msg_fail(err, errlen, "make the session directory %s: %s",
				r->dir, strerror(errno));
	plan_format_size(max, size, sizeof(size));
	snprintf(opts, sizeof(opts), "size=%s,mode=0711", size);
	if (max > 0 && mount("tmpfs", r->dir, "tmpfs", MS_NOSUID | MS_NODEV,
			     opts) < 0)
		return msg_fail(err, errlen, "mount a tmpfs of %s on %s for the "
				"session's writable layer: %s; `set rootfs.layer "
				"off` chroots into the rootfs itself, unbounded",
				size, r->dir, strerror(errno));
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
	    mkdir(r->root, 0755) < 0)
		return msg_fail(err, errlen, "make the session directory %s: %s",
				r->dir, strerror(errno));
	return 0;
}

int
rootfs_layer_make(struct rootfs_session *r, const char *run_dir,
		  bool rootless, const char *lower, long long max,
		  bool *end_failed, char *err, size_t errlen)
{
	char upper[PATH_MAX + 8], work[PATH_MAX + 8], opts[3 * PATH_MAX + 64];
	const char *name = strrchr(lower, '/');

	if (r->root[0] && strcmp(r->lower, lower) == 0)
		return 0;
	if (rootfs_layer_end(r, run_dir) < 0)
		*end_failed = true;
	if (strpbrk(lower, ",:\\"))
		return msg_fail(err, errlen, "the rootfs path %s has a ',', ':' "
			    "or '\\', which an overlay mount cannot take; "
			    "`set rootfs.layer off` uses the directory itself",
			    lower);
	name = name && name[1] ? name + 1 : "root";
	if (mkdir(run_dir, rootless ? 0700 : 0755) < 0 && errno != EEXIST)
		return msg_fail(err, errlen, "mkdir %s for the session's "
			    "writable layer: %s; `set rootfs.layer off` chroots "
			    "into the rootfs itself", run_dir, strerror(errno));
	if (rootless && own_private_dir(run_dir, err, errlen) < 0)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "%s/%d", run_dir, (int)getpid());
	snprintf(upper, sizeof(upper), "%s/upper", r->dir);
	snprintf(work, sizeof(work), "%s/work", r->dir);
	snprintf(r->root, sizeof(r->root), "%s/%s", r->dir, name);
	if (make_dirs(r, upper, work, max, err, errlen) < 0)
		goto fail;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, upper, work);
	/* Rootless, copying up a directory that belongs to the host's root
	 * fails in the session's host, which cannot map that owner: /tmp is
	 * made in the upper layer beforehand, so that the container has a
	 * place it may write. */
	if (rootless && rootless_upper(upper, lower, err, errlen) < 0)
		goto fail;
	if (mount("overlay", r->root, "overlay", 0, opts) < 0) {
		msg_fail(err, errlen, "mount a writable layer over %s: %s. "
			 "The kernel needs overlayfs%s, and the rootfs must not "
			 "itself be on an overlay (as inside Docker); `set "
			 "rootfs.layer off` uses the directory itself", lower,
			 strerror(errno), rootless ? " (rootless, Linux 5.11 "
			 "or later)" : "");
		goto fail;
	}
	snprintf(r->lower, sizeof(r->lower), "%s", lower);
	return 0;
fail:
	mounts_remove_tree(r->dir, NULL);
	r->dir[0] = r->root[0] = '\0';
	return -1;
}

int
rootfs_layer_end(struct rootfs_session *r, const char *run_dir)
{
	bool failed = false;

	if (!r->dir[0])
		return 0;
	if (mounts_remove_tree(r->dir, &failed) < 0) {
		fprintf(stderr, "boxstep: could not remove the session "
			"directory %s: %s\n", r->dir, strerror(errno));
		failed = true;
	}
	rmdir(run_dir); /* when no other session has one */
	r->dir[0] = r->root[0] = r->lower[0] = '\0';
	return failed ? -1 : 0;
}

/* --- the steps ------------------------------------------------------ */

static bool
always(const struct plan *p)
{
	(void)p;
	return true;
}

static int
check(struct step_ctx *x, char *err, size_t errlen)
{
	return rootfs_check_seen(&x->rootfs->seen, x->plan->rootfs, err,
				 errlen) < 0 ? 125 : 0;
}

/* The overlay as `show` names it. */
static void
show_overlay(struct step_out *o, const struct plan *p)
{
	const char *dir = step_show_layer_dir(p);

	step_say(o, "mount(\"overlay\", \"%s\", \"overlay\", 0, \"lowerdir=%s,"
		 "upperdir=%s/upper,workdir=%s/work\")", step_show_root(p),
		 p->rootfs, dir, dir);
}

static void
show_layer(struct step_out *o, const struct plan *p)
{
	char size[32];

	plan_format_size(p->layer_max, size, sizeof(size));
	step_say(o, "mount(\"tmpfs\", \"%s\", \"tmpfs\", MS_NOSUID|MS_NODEV, "
		 "\"size=%s,mode=0711\")", step_show_layer_dir(p), size);
	if (p->rootless)
		step_say(o, "mkdir(\"%s/upper/tmp\", 01777)",
			 step_show_layer_dir(p));
	show_overlay(o, p);
}

/* From here on the container's root is the session's layer. */
static int
make_layer(struct step_ctx *x, char *err, size_t errlen)
{
	struct plan *p = x->plan;

	if (rootfs_layer_make(x->rootfs, x->run_dir, x->rootless, p->rootfs,
			      p->layer_max, x->failed, err, errlen) < 0)
		return 125;
	snprintf(p->rootfs, sizeof(p->rootfs), "%s", x->rootfs->root);
	return 0;
}

static const struct step steps[] = {
	{ STEP_PREPARE, 20, NULL, .when = plan_new_root, .run = check },
	{ STEP_PREPARE, 30, "[rootfs.layer, once]", .when = step_uses_layer,
	  .show = show_layer, .run = make_layer },
};

/* The root the container gets, with chroot or pivot. */
const struct layer layer_rootfs = {
	.info = { .name = "rootfs" },
	.id = -1,
	.on = always,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
};
