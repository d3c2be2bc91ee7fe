/* pid: the layer that numbers the container's processes from 1. */
#define _GNU_SOURCE
#include <sched.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"A new PID namespace numbers its processes from 1; the first one is\n"
	"its init.  The same process has a second, larger PID on the host\n"
	"(see NSpid in /proc/$BOXPID/status).  PID 1 is special: the kernel\n"
	"drops signals it has no handler for, so Ctrl-C may do nothing, and\n"
	"when PID 1 exits every other process in the namespace is killed.\n"
	"`ps` reads /proc: until a /proc of the new namespace is mounted\n"
	"(the proc layer) it still lists the host's processes.";

/* Without a PID namespace (or a cgroup) nothing ends with the command:
 * what it left behind comes back to boxstep, the child subreaper, and
 * is killed. */
static int
kill_orphans(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (!cgroup_main_dir(x->group)[0])
		orphans_kill(&x->spare);
	return 0;
}

static const struct step steps[] = {
	/* without it */
	{ STEP_TEARDOWN, 20, NULL, .off = true, .run = kill_orphans },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_namespace(d, "pid");
}

const struct layer layer_pid = {
	.info = {
		.name = "pid",
		.summary = "its own process IDs: the command is PID 1",
		.kernel = "clone(CLONE_NEWPID)",
		.explain = explain,
	},
	.id = PLAN_PID,
	.clone_flag = CLONE_NEWPID,
	.clone_name = "CLONE_NEWPID",
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
