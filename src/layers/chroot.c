/* chroot: the layer that makes the rootfs the container's "/". */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "layers/layers.h"

static const char explain[] =
	"chroot(path) changes what \"/\" means for the process; everything\n"
	"outside path disappears from view.  A root filesystem is just a\n"
	"directory tree with programs and libraries, like the busybox one\n"
	"boxstep builds.  chroot does not move the current directory: a\n"
	"process left in a directory outside the new root can still `cd ..`\n"
	"its way out.  That is why chdir(\"/\") must follow (`set chdir off`\n"
	"shows the escape).  chroot is not a security boundary on its own.";

static bool
chdir_on(const struct plan *p)
{
	return p->chdir;
}

static bool
chdir_off(const struct plan *p)
{
	return !p->chdir;
}

static void
show_chroot(struct step_out *o, const struct plan *p)
{
	step_say(o, "chroot(\"%s\")", step_show_root(p));
}

static int
enter_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return chroot(x->plan->rootfs) < 0 ? 125 : 0;
}

static void
chroot_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	const struct plan *p = x->plan;

	if (e == EACCES && p->rootless)
		msg_fail(err, errlen, "chroot(\"%s\"): %s: you (uid %u) cannot "
			 "pass through every directory on the way to it",
			 p->rootfs, strerror(e), p->rootless_uid);
	else if (e == EACCES && plan_has(p, PLAN_USER))
		msg_fail(err, errlen, "chroot(\"%s\"): %s: with the user layer, "
			 "root inside is uid %d on the host, and every directory "
			 "on the way to the rootfs must let others through "
			 "(o+x); `set rootfs.layer on` puts it under "
			 "/run/boxstep, which does", p->rootfs, strerror(e),
			 PLAN_USER_BASE);
	else
		msg_fail(err, errlen, "chroot(\"%s\"): %s", p->rootfs,
			 strerror(e));
}

static void
show_chdir(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "chdir(\"/\")");
}

/* chroot(2) leaves the cwd alone: without this the process can walk
 * out of its root with `cd ..`. */
static int
chdir_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return chdir("/") < 0 ? 125 : 0;
}

static void
chdir_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "chdir(\"/\") after chroot: %s", strerror(e));
}

static void
show_no_chdir(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "(no chdir: the cwd stays outside the root)");
}

static const struct step steps[] = {
	{ STEP_CHILD, 90, "[chroot]", .show = show_chroot, .run = enter_root,
	  .fail = chroot_failed },
	{ STEP_CHILD, 91, "[chroot]", .when = chdir_on, .show = show_chdir,
	  .run = chdir_root, .fail = chdir_failed },
	{ STEP_CHILD, 92, "[chdir off]", .when = chdir_off,
	  .show = show_no_chdir },
};

const struct layer layer_chroot = {
	.info = {
		.name = "chroot",
		.summary = "its own root directory: only the rootfs is visible",
		.kernel = "chroot(2) + chdir(\"/\")",
		.explain = explain,
	},
	.id = PLAN_CHROOT,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
};
