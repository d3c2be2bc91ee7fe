/* time: the layer that gives the container clocks of its own, offset
 * from the host's: CLONE_NEWTIME, with the monotonic and boottime clocks
 * moved by `set time.offset`.  The wall clock cannot be moved; no
 * namespace has it. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "host/kernel.h"
#include "layers/layers.h"
#include "layers/oci.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char explain[] =
	"A time namespace (Linux 5.6) holds offsets for two clocks: CLOCK_\n"
	"MONOTONIC, which timers and timeouts use, and CLOCK_BOOTTIME, which\n"
	"/proc/uptime shows.  A container moved to another machine can carry\n"
	"on with the clocks it had (that is what CRIU uses it for).  The\n"
	"flag cannot be given to clone(); the child calls unshare(CLONE_NEWTIME),\n"
	"writes the offsets to /proc/self/timens_offsets while the namespace\n"
	"is still empty, and enters it when it execs the command.  The wall\n"
	"clock (`date`) is the host's: no namespace isolates it.\n"
	"Look for: `cat /proc/uptime` inside vs `host cat /proc/uptime`; the\n"
	"time line of the namespaces in the host view.";

static void
show_unshare(struct step_out *o, const struct plan *p)
{
	step_say(o, "unshare(CLONE_NEWTIME)");
	step_say(o, "write(\"/proc/self/timens_offsets\", \"monotonic %lld 0\\n"
		 "boottime %lld 0\\n\")", p->time_offset, p->time_offset);
}

static int
check_kernel(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x;
	return step_kernel_has(kernel_has_time_ns, "time", err, errlen);
}

static int
enter(struct step_ctx *x, char *err, size_t errlen)
{
	char offsets[96];

	(void)err, (void)errlen;
	snprintf(offsets, sizeof(offsets), "monotonic %lld 0\nboottime %lld 0\n",
		 x->plan->time_offset, x->plan->time_offset);
	if (unshare(CLONE_NEWTIME) < 0 ||
	    fsutil_write("/proc/self/timens_offsets", offsets) < 0)
		return 125;
	return 0;
}

static void
enter_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "unshare(CLONE_NEWTIME) and its offset of %lld "
		 "s in /proc/self/timens_offsets: %s%s", x->plan->time_offset,
		 strerror(e), e == EINVAL || e == ERANGE ?
		 " (a clock would go below zero: an offset may not take "
		 "more than the host's uptime away)" : "");
}

/* Before the root changes, while /proc is the host's, and before the
 * user layer's setresuid (10): after it the kernel gives the child's
 * /proc files to the host's root, and the write is refused. */
static const struct step steps[] = {
	{ STEP_PREPARE, 16, NULL, .run = check_kernel },
	{ STEP_CHILD, 5, "[time]", .show = show_unshare, .run = enter,
	  .fail = enter_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	oci_namespace(d, "time");
	d->time = true;
	d->time_offset = p->time_offset;
}

const struct layer layer_time = {
	.info = {
		.name = "time",
		.summary = "its own monotonic and boot clocks (set time.offset)",
		.kernel = "unshare(CLONE_NEWTIME)",
		.explain = explain,
	},
	.id = PLAN_TIME,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
