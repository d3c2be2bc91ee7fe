/* mnt: the layer that gives the container a mount table of its own,
 * made private (or, with `set propagation shared`, left shared). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"CLONE_NEWNS (the first namespace, hence the vague name) gives the\n"
	"process a copy of the host's mount table.  A copy is not enough on\n"
	"its own: mounts marked shared still propagate both ways, as they do\n"
	"on systemd hosts.  boxstep therefore makes its root private first:\n"
	"mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL), as unshare(1) does.\n"
	"`set propagation shared` skips that and shows the leak.\n"
	"Look for: `host grep proc /proc/self/mountinfo` vs\n"
	"`host cat /proc/$BOXPID/mountinfo`.";

static bool
shared(const struct plan *p)
{
	return p->propagation == PLAN_PROP_SHARED;
}

static bool
private(const struct plan *p)
{
	return !shared(p);
}

/* For `propagation shared`: the rootfs bound onto itself and made a
 * shared mount, as every mount is on a systemd host. */
static void
show_bind(struct step_out *o, const struct plan *p)
{
	const char *root = step_show_root(p);

	step_say(o, "mount(\"%s\", \"%s\", NULL, MS_BIND, NULL)", root, root);
}

static int
bind_root(struct step_ctx *x, char *err, size_t errlen)
{
	const char *root = x->plan->rootfs;

	(void)err, (void)errlen;
	if (mount(root, root, "none", MS_BIND | MS_REC, NULL) < 0)
		return 125;
	snprintf(x->bind, PATH_MAX, "%s", root);
	return 0;
}

static void
bind_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "bind mount %s onto itself: %s",
		 x->plan->rootfs, strerror(e));
}

static void
show_share(struct step_out *o, const struct plan *p)
{
	step_say(o, "mount(NULL, \"%s\", NULL, MS_SHARED, NULL)",
		 step_show_root(p));
}

static int
share_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return mount("none", x->plan->rootfs, "none", MS_SHARED, NULL) < 0 ?
	       125 : 0;
}

static void
share_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "make %s shared: %s", x->plan->rootfs,
		 strerror(e));
}

static void
show_private(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
}

static int
make_private(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ?
	       125 : 0;
}

static void
private_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "make / private in the new mount namespace: %s",
		 strerror(e));
}

static void
show_left_shared(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "(root left shared: mounts propagate to the host)");
}

static void
show_unbind(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "umount2(\"<rootfs>\", MNT_DETACH)");
}

static const struct step steps[] = {
	{ STEP_BEFORE_CLONE, 10, "[propagation shared]", .when = shared,
	  .show = show_bind, .run = bind_root, .fail = bind_failed },
	{ STEP_BEFORE_CLONE, 11, "[propagation shared]", .when = shared,
	  .show = show_share, .run = share_root, .fail = share_failed },
	{ STEP_CHILD, 60, "[mnt]", .when = private, .show = show_private,
	  .run = make_private, .fail = private_failed },
	{ STEP_CHILD, 61, "[mnt]", .when = shared, .show = show_left_shared },
	/* the proc layer's teardown unmounts the bind with its proc */
	{ STEP_TEARDOWN, 50, "[propagation shared]", .when = shared,
	  .show = show_unbind },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_namespace(d, "mount");
}

const struct layer layer_mnt = {
	.info = {
		.name = "mnt",
		.summary = "its own mount table",
		.kernel = "clone(CLONE_NEWNS)",
		.explain = explain,
	},
	.id = PLAN_MNT,
	.clone_flag = CLONE_NEWNS,
	.clone_name = "CLONE_NEWNS",
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
