/* dev: the layer that gives the container a /dev of its own, as runc
 * makes one: a small tmpfs with the six device nodes every program
 * expects, a devpts instance of its own with ptmx, a /dev/shm, and the
 * fd links.  As root the nodes are made with mknod; in a user namespace
 * (the user layer, or rootless) a node made there cannot be opened, so
 * the host's own nodes are bind-mounted instead.  All of it is mounted
 * under the root before the container enters it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"Programs expect /dev/null, /dev/zero, /dev/tty, /dev/urandom...  A\n"
	"chroot into a bare root has an empty /dev, so `sleep 1 &` in busybox\n"
	"sh fails with \"can't open '/dev/null'\".  Bind-mounting the host's\n"
	"whole /dev would hand the container every disk and every terminal on\n"
	"the machine.  So a runtime mounts a small tmpfs on /dev and makes only\n"
	"null, zero, full, random, urandom and tty in it (mknod, as root; in a\n"
	"user namespace the kernel will not open a node made there, so the\n"
	"host's are bind-mounted one by one), a devpts of its own (newinstance:\n"
	"the container sees only its own terminals, /dev/ptmx points into it),\n"
	"a tmpfs on /dev/shm, and the links fd, stdin, stdout and stderr.\n"
	"Look for: `ls -l /dev` inside; the /dev mounts in the host view.";

/* The nodes, as runc and Docker make them. */
static const struct node {
	const char *name;
	unsigned major, minor;
} nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct link {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* The data of the three mounts, for the calls, `show` and config.json. */
#define DEV_DATA "mode=755,size=64k"
#define PTS_DATA "newinstance,ptmxmode=0666,mode=620"
#define SHM_DATA "mode=1777,size=64m"

#define NNODES (sizeof(nodes) / sizeof(nodes[0]))
#define NLINKS (sizeof(links) / sizeof(links[0]))

/* In a user namespace: the host's nodes, bound. */
static bool
binds(const struct plan *p)
{
	return p->rootless || plan_has(p, PLAN_USER);
}

static bool
makes_nodes(const struct plan *p)
{
	return !binds(p);
}

/* ROOT/dev/NAME into BUF. */
static const char *
dev_path(char *buf, size_t len, const char *root, const char *name)
{
	snprintf(buf, len, "%s/dev%s%s", root, name[0] ? "/" : "", name);
	return buf;
}

static void
show_tmpfs(struct step_out *o, const struct plan *p)
{
	step_say(o, "mount(\"tmpfs\", \"%s/dev\", \"tmpfs\", MS_NOSUID|"
		 "MS_STRICTATIME, \"" DEV_DATA "\")", step_show_root(p));
}

static int
mount_tmpfs(struct step_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX];

	(void)err, (void)errlen;
	dev_path(path, sizeof(path), x->plan->rootfs, "");
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return 125;
	return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     DEV_DATA) < 0 ? 125 : 0;
}

static void
show_nodes(struct step_out *o, const struct plan *p)
{
	(void)p;
	for (size_t i = 0; i < NNODES; i++)
		step_say(o, "mknod(\"/dev/%s\", S_IFCHR|0666, makedev(%u, %u))",
			 nodes[i].name, nodes[i].major, nodes[i].minor);
}

static int
make_nodes(struct step_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX];

	(void)err, (void)errlen;
	for (size_t i = 0; i < NNODES; i++) {
		dev_path(path, sizeof(path), x->plan->rootfs, nodes[i].name);
		if (mknod(path, S_IFCHR | 0666,
			  makedev(nodes[i].major, nodes[i].minor)) < 0 ||
		    chmod(path, 0666) < 0) /* past the umask */
			return 125;
	}
	return 0;
}

static void
show_binds(struct step_out *o, const struct plan *p)
{
	(void)p;
	for (size_t i = 0; i < NNODES; i++)
		step_say(o, "mount(\"/dev/%s\", \"/dev/%s\" (an empty file), "
			 "NULL, MS_BIND, NULL)", nodes[i].name, nodes[i].name);
}

static int
bind_nodes(struct step_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX], host[64];
	int fd;

	(void)err, (void)errlen;
	for (size_t i = 0; i < NNODES; i++) {
		dev_path(path, sizeof(path), x->plan->rootfs, nodes[i].name);
		snprintf(host, sizeof(host), "/dev/%s", nodes[i].name);
		if ((fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666)) < 0)
			return 125;
		close(fd);
		if (mount(host, path, NULL, MS_BIND, NULL) < 0)
			return 125;
	}
	return 0;
}

static void
nodes_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "%s the device nodes in the container's /dev: "
		 "%s", binds(x->plan) ? "bind-mount the host's" : "make",
		 strerror(e));
}

static void
show_pts(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "mount(\"devpts\", \"/dev/pts\", \"devpts\", MS_NOSUID|"
		 "MS_NOEXEC, \"" PTS_DATA "\")");
	step_say(o, "mount(\"shm\", \"/dev/shm\", \"tmpfs\", MS_NOSUID|"
		 "MS_NODEV|MS_NOEXEC, \"" SHM_DATA "\")");
}

static int
mount_pts(struct step_ctx *x, char *err, size_t errlen)
{
	char pts[PATH_MAX], shm[PATH_MAX];

	(void)err, (void)errlen;
	dev_path(pts, sizeof(pts), x->plan->rootfs, "pts");
	dev_path(shm, sizeof(shm), x->plan->rootfs, "shm");
	if (mkdir(pts, 0755) < 0 || mkdir(shm, 01777) < 0 ||
	    mount("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
		  PTS_DATA) < 0 ||
	    mount("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  SHM_DATA) < 0)
		return 125;
	return 0;
}

static void
pts_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "mount /dev/pts and /dev/shm in the container: "
		 "%s", strerror(e));
}

static void
show_links(struct step_out *o, const struct plan *p)
{
	(void)p;
	for (size_t i = 0; i < NLINKS; i++)
		step_say(o, "symlink(\"%s\", \"/dev/%s\")", links[i].target,
			 links[i].name);
}

static int
make_links(struct step_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX];

	(void)err, (void)errlen;
	for (size_t i = 0; i < NLINKS; i++)
		if (symlink(links[i].target, dev_path(path, sizeof(path),
			    x->plan->rootfs, links[i].name)) < 0)
			return 125;
	return 0;
}

static void
dev_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "mount a tmpfs on %s/dev: %s%s", x->plan->rootfs,
		 strerror(e), e == EROFS ? " (the root is read-only: `set "
		 "rootfs.layer on` gives it a writable layer)" : "");
}

static void
links_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "make the links in the container's /dev: %s",
		 strerror(e));
}

/* Before the root is entered (chroot 90, the pivot's bind 80, which
 * takes submounts along): the host's nodes are still in reach. */
static const struct step steps[] = {
	{ STEP_CHILD, 70, "[dev]", .show = show_tmpfs, .run = mount_tmpfs,
	  .fail = dev_failed },
	{ STEP_CHILD, 71, "[dev]", .when = makes_nodes, .show = show_nodes,
	  .run = make_nodes, .fail = nodes_failed },
	{ STEP_CHILD, 72, "[dev, in a user namespace]", .when = binds,
	  .show = show_binds, .run = bind_nodes, .fail = nodes_failed },
	{ STEP_CHILD, 73, "[dev]", .show = show_pts, .run = mount_pts,
	  .fail = pts_failed },
	{ STEP_CHILD, 74, "[dev]", .show = show_links, .run = make_links,
	  .fail = links_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_mount(d, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime," DEV_DATA);
	oci_mount(d, "/dev/pts", "devpts", "devpts", 
		  "nosuid,noexec," PTS_DATA);
	oci_mount(d, "/dev/shm", "tmpfs", "shm", 
		  "nosuid,noexec,nodev," SHM_DATA);
}

const struct layer layer_dev = {
	.info = {
		.name = "dev",
		.summary = "a /dev of its own: null, zero, tty... and its own ptys",
		.kernel = "mount(\"tmpfs\", \"/dev\"), mknod(), devpts newinstance",
		.explain = explain,
	},
	.id = PLAN_DEV,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
