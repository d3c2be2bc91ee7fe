/* uts: the layer that gives the container a hostname of its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"The UTS namespace holds two names: the hostname and the NIS domain.\n"
	"A process cloned with CLONE_NEWUTS starts with a copy of the host's\n"
	"names; from then on sethostname() inside changes only the copy.\n"
	"The name has to be set by the new process itself, after the clone:\n"
	"set it before, in the parent, and you rename the host instead.\n"
	"Look for: `hostname` inside vs `host hostname`; the uts inode in\n"
	"`host ls -l /proc/$BOXPID/ns/uts` differs from /proc/self/ns/uts.";

static void
show_hostname(struct step_out *o, const struct plan *p)
{
	step_say(o, "sethostname(\"%s\", %zu)", p->hostname,
		 strlen(p->hostname));
}

static int
set_hostname(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return sethostname(x->plan->hostname, strlen(x->plan->hostname)) < 0 ?
	       125 : 0;
}

static void
hostname_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "sethostname(\"%s\") in the container: %s",
		 x->plan->hostname, strerror(e));
}

/* A container without a UTS namespace of its own shares the host's: a
 * `hostname` in it renames the host.  The cleanliness promise says the
 * host keeps its name, so put it back, and say why it changed. */
static int
restore_hostname(struct step_ctx *x, char *err, size_t errlen)
{
	char now[PLAN_HOSTNAME_MAX + 1] = "";
	const char *was = x->host_hostname;

	(void)err, (void)errlen;
	if (!was[0] || gethostname(now, sizeof(now) - 1) < 0 ||
	    strcmp(now, was) == 0)
		return 0;
	if (sethostname(was, strlen(was)) < 0) {
		fprintf(stderr, "boxstep: the container renamed the host to "
			"'%s', and putting back '%s' failed: %s\n", now, was,
			strerror(errno));
		*x->failed = true;
		return 0;
	}
	fprintf(stderr, "boxstep: the container renamed the host to '%s': "
		"without the uts layer it shares the host's UTS namespace. "
		"boxstep has put the host's name back to '%s'.\n", now, was);
	return 0;
}

static const struct step steps[] = {
	{ STEP_CHILD, 50, "[uts]", .show = show_hostname,
	  .run = set_hostname, .fail = hostname_failed },
	/* without it */
	{ STEP_TEARDOWN, 60, NULL, .off = true, .run = restore_hostname },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	oci_namespace(d, "uts");
	d->hostname = p->hostname;
}

const struct layer layer_uts = {
	.info = {
		.name = "uts",
		.summary = "its own hostname",
		.kernel = "clone(CLONE_NEWUTS)",
		.explain = explain,
	},
	.id = PLAN_UTS,
	.clone_flag = CLONE_NEWUTS,
	.clone_name = "CLONE_NEWUTS",
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
