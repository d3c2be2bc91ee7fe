/* proc: the layer that mounts a /proc of the container's own PID
 * namespace; mounted outside a private mount namespace, it leaks onto
 * the host, and teardown takes it off again. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"/proc is not a directory of files but a window the kernel draws\n"
	"when you look: ps, top and friends read it.  A procfs shows the\n"
	"PID namespace of whoever mounted it, so the container needs a fresh\n"
	"one mounted from inside its new PID namespace.  Mounted in the\n"
	"host's mount namespace (no mnt layer), it lands in the host's mount\n"
	"table too: the leak.  Without chroot and mnt it would cover the\n"
	"host's own /proc, so boxstep refuses that combination.";

/* Whether the proc mount lands in the host's mount table. */
static bool
leaks(const struct plan *p)
{
	return !plan_has(p, PLAN_MNT) || p->propagation == PLAN_PROP_SHARED;
}

static bool
pivot(const struct plan *p)
{
	return plan_has(p, PLAN_PIVOT);
}

static bool
no_pivot(const struct plan *p)
{
	return !pivot(p);
}

static int
note_mounts(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return mounts_note(x->mounts, x->plan->rootfs) < 0 ? 125 : 0;
}

static void
note_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "read /proc/self/mountinfo: %s", strerror(e));
}

/* Mounts a new proc on ROOT + /proc. */
static int
mount_proc(const char *root)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/proc", root);
	return mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     NULL) < 0 ? 125 : 0;
}

static void
show_before_pivot(struct step_out *o, const struct plan *p)
{
	step_say(o, "mount(\"proc\", \"%s/proc\", \"proc\", MS_NOSUID|MS_NODEV|"
		 "MS_NOEXEC, NULL)", step_show_root(p));
}

/* proc goes on before the pivot: in a user namespace the kernel lets a
 * new proc be mounted only where a full one is already visible, and
 * after the pivot none is. */
static int
mount_before_pivot(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return mount_proc(x->plan->rootfs);
}

static void
show_proc(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "mount(\"proc\", \"/proc\", \"proc\", "
		 "MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)");
}

static int
mount_inside(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return mount_proc("");
}

static void
proc_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	const struct plan *p = x->plan;

	if (e == EPERM)
		msg_fail(err, errlen, "mount proc: %s. The kernel refuses a new "
			 "procfs while the current /proc has parts hidden or "
			 "read-only, as inside Docker and many CI sandboxes "
			 "(\"mount too revealing\"); run boxstep on a host or "
			 "a VM", strerror(e));
	else if (e == ENOENT)
		msg_fail(err, errlen, "mount proc: there is no /proc directory "
			 "to mount on in %s; create it with `host mkdir "
			 "%s/proc`", plan_new_root(p) ? p->rootfs : "/",
			 p->rootfs);
	else
		msg_fail(err, errlen, "mount proc on /proc: %s", strerror(e));
}

static void
show_leaked(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "umount2(\"<rootfs>/proc\", MNT_DETACH)");
}

/* Whatever is new under the root on the host: the leaked proc, and
 * the shared bind under it. */
static int
unmount_leaked(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (mounts_undo(x->mounts, x->plan->rootfs) < 0)
		*x->failed = true;
	return 0;
}

static const struct step steps[] = {
	{ STEP_PREPARE, 40, NULL, .when = leaks, .run = note_mounts,
	  .fail = note_failed },
	{ STEP_CHILD, 82, "[proc, before the pivot]", .when = pivot,
	  .show = show_before_pivot, .run = mount_before_pivot,
	  .fail = proc_failed },
	{ STEP_CHILD, 100, "[proc]", .when = no_pivot, .show = show_proc,
	  .run = mount_inside, .fail = proc_failed },
	{ STEP_TEARDOWN, 40, "[proc leaked]", .when = leaks,
	  .show = show_leaked, .run = unmount_leaked },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_mount(d, "/proc", "proc", "proc", "nosuid,noexec,nodev");
}

const struct layer layer_proc = {
	.info = {
		.name = "proc",
		.summary = "a /proc that shows its own PID namespace",
		.kernel = "mount(\"proc\", \"/proc\", \"proc\", ...) inside",
		.explain = explain,
	},
	.id = PLAN_PROC,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
