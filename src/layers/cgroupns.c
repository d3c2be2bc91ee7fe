/* cgroupns: the layer that makes the container's cgroup its "/". */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"/proc/self/cgroup names the groups a process is in, and by default\n"
	"the whole path: /boxstep/<session> gives away where the container\n"
	"runs on the host.  A cgroup namespace makes the groups the process\n"
	"is in at that moment its root, \"/\".  So the child unshares it\n"
	"after boxstep has moved it into its cgroup, not at clone time, when\n"
	"it is still in boxstep's own group.\n"
	"Look for: `cat /proc/self/cgroup` inside vs\n"
	"`host cat /proc/$BOXPID/cgroup`.";

static void
show_unshare(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "unshare(CLONE_NEWCGROUP)");
}

/* Now that the child is in its cgroup, that group becomes its "/",
 * which a CLONE_NEWCGROUP at clone time would not give: the child was
 * still in boxstep's group then. */
static int
unshare_cgroup(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return unshare(CLONE_NEWCGROUP) < 0 ? 125 : 0;
}

static void
unshare_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "unshare(CLONE_NEWCGROUP): %s%s", strerror(e),
		 e == EINVAL ? " (cgroup namespaces need Linux 4.6 or later, "
		 "built with CONFIG_CGROUPS)" : "");
}

static const struct step steps[] = {
	{ STEP_CHILD, 20, "[cgroupns]", .show = show_unshare,
	  .run = unshare_cgroup, .fail = unshare_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_namespace(d, "cgroup");
}

const struct layer layer_cgroupns = {
	.info = {
		.name = "cgroupns",
		.summary = "its own view of the cgroup tree: its group is /",
		.kernel = "unshare(CLONE_NEWCGROUP)",
		.explain = explain,
	},
	.id = PLAN_CGROUPNS,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
