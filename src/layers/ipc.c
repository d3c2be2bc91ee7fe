/* ipc: the layer that gives the container System V IPC objects and
 * POSIX message queues of its own.  The clone flag is all it takes. */
#define _GNU_SOURCE
#include <sched.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"Message queues, semaphore sets and shared memory segments (System V\n"
	"IPC, and POSIX message queues) are named by numbers anyone on the\n"
	"host can look up.  CLONE_NEWIPC gives the container a table of its\n"
	"own: it sees none of the host's objects, the host sees none of its,\n"
	"and they are destroyed with the namespace when its last process\n"
	"exits.  Without it, a queue a container makes outlives it on the host.\n"
	"Look for: `ipcs -q` inside vs `host ipcs -q` (busybox has no ipcs:\n"
	"try it without chroot, with the host's tools).";

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_namespace(d, "ipc");
}

const struct layer layer_ipc = {
	.info = {
		.name = "ipc",
		.summary = "its own System V IPC objects and POSIX queues",
		.kernel = "clone(CLONE_NEWIPC)",
		.explain = explain,
	},
	.id = PLAN_IPC,
	.clone_flag = CLONE_NEWIPC,
	.clone_name = "CLONE_NEWIPC",
	.oci = oci,
};
