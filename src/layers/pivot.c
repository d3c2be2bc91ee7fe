/* pivot: the layer that moves the container's mount namespace onto the
 * rootfs with pivot_root(2) and detaches the host's root.
 *
 * pivot_root(2) wants the new root to be a mount point, and no shared
 * mount around it: the rootfs is bound onto itself and made private.
 * pivot_root(".", ".") then puts the old root on top of the new one;
 * detaching it leaves the mount namespace nothing of the host's tree to
 * walk to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "layers/layers.h"

static const char explain[] =
	"chroot only changes where path lookups start; the host's root is\n"
	"still mounted, and a process with root inside can chroot again into a\n"
	"subdirectory, walk `..` out of it and chroot back to the real /.\n"
	"pivot_root moves the whole mount namespace onto a new root instead:\n"
	"the rootfs is bind-mounted onto itself (pivot_root wants a mount\n"
	"point), made private, pivot_root(\".\", \".\") stacks the old root on\n"
	"top of the new, and umount2(\".\", MNT_DETACH) takes it away.  There is\n"
	"nothing left to walk back to.  It needs the mnt layer, and replaces\n"
	"chroot.  Look for: `run ls /` the same as with chroot, and the\n"
	"escape (lesson 11) that works under chroot and fails here.";

static void
show_bind(struct step_out *o, const struct plan *p)
{
	const char *root = step_show_root(p);

	step_say(o, "mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC, NULL)", root,
		 root);
}

static int
bind_root(struct step_ctx *x, char *err, size_t errlen)
{
	const char *root = x->plan->rootfs;

	(void)err, (void)errlen;
	return mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 ? 125 : 0;
}

static void
show_private(struct step_out *o, const struct plan *p)
{
	step_say(o, "mount(NULL, \"%s\", NULL, MS_PRIVATE, NULL)",
		 step_show_root(p));
}

static int
private_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return mount(NULL, x->plan->rootfs, NULL, MS_PRIVATE, NULL) < 0 ?
	       125 : 0;
}

static void
bind_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "bind %s onto itself for pivot_root: %s",
		 x->plan->rootfs, strerror(e));
}

static void
show_chdir_root(struct step_out *o, const struct plan *p)
{
	step_say(o, "chdir(\"%s\")", step_show_root(p));
}

static int
chdir_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return chdir(x->plan->rootfs) < 0 ? 125 : 0;
}

static void
show_pivot(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "pivot_root(\".\", \".\")");
}

static int
pivot_into(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return syscall(SYS_pivot_root, ".", ".") < 0 ? 125 : 0;
}

static void
pivot_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "pivot_root(\".\", \".\") in %s: %s%s",
		 x->plan->rootfs, strerror(e), e == EINVAL ? " (the new root "
		 "must be a mount point with no shared mount around it; is / "
		 "itself a chroot, as in some sandboxes?)" : "");
}

static void
show_detach(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "umount2(\".\", MNT_DETACH)");
}

static int
detach_old_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return umount2(".", MNT_DETACH) < 0 ? 125 : 0;
}

static void
show_chdir(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "chdir(\"/\")");
}

static int
chdir_top(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return chdir("/") < 0 ? 125 : 0;
}

static void
detach_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "detach the old root after pivot_root: %s",
		 strerror(e));
}

/* The proc layer mounts its proc at 82, before the pivot. */
static const struct step steps[] = {
	{ STEP_CHILD, 80, "[pivot]", .show = show_bind, .run = bind_root,
	  .fail = bind_failed },
	{ STEP_CHILD, 81, "[pivot]", .show = show_private, .run = private_root,
	  .fail = bind_failed },
	{ STEP_CHILD, 83, "[pivot]", .show = show_chdir_root,
	  .run = chdir_root, .fail = pivot_failed },
	{ STEP_CHILD, 84, "[pivot]", .show = show_pivot, .run = pivot_into,
	  .fail = pivot_failed },
	{ STEP_CHILD, 85, "[pivot]", .show = show_detach,
	  .run = detach_old_root, .fail = detach_failed },
	{ STEP_CHILD, 86, "[pivot]", .show = show_chdir, .run = chdir_top,
	  .fail = detach_failed },
};

const struct layer layer_pivot = {
	.info = {
		.name = "pivot",
		.summary = "the rootfs as its root, the host's detached",
		.kernel = "pivot_root(2) + umount2(MNT_DETACH)",
		.explain = explain,
	},
	.id = PLAN_PIVOT,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
};
