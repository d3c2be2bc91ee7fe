/* cgroups: the pids, memory and cpu layers, and the group they share. */
#define _GNU_SOURCE
#include "layers/cgroups.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain_pids[] =
	"Namespaces limit what a process can see; control groups limit what\n"
	"it can use.  boxstep makes a cgroup for the container, writes the\n"
	"limit to pids.max and the child's PID to cgroup.procs before the\n"
	"child runs anything.  At the limit fork() fails with EAGAIN (\"can't\n"
	"fork: Resource temporarily unavailable\"), which is what stops a\n"
	"fork bomb.  pids.current counts, pids.events counts refusals.  The\n"
	"group is removed with rmdir once empty; rm -rf cannot delete its\n"
	"files.";

static const char explain_memory[] =
	"The memory controller counts the pages a group's processes use:\n"
	"their heap and stacks, and the page cache of files they read.\n"
	"boxstep writes `set memory.max` to memory.max (cgroup v2) or\n"
	"memory.limit_in_bytes (v1), and turns swap off for the group.  Near\n"
	"the limit the kernel reclaims cache; when nothing more can be freed\n"
	"the OOM killer picks a process in the group and kills it with\n"
	"SIGKILL.  Only the group suffers: the host does not run short.\n"
	"Look for: memory.current against memory.max in the host view, and\n"
	"the oom_kill count in memory.events (v1: memory.oom_control).";

static const char explain_cpu[] =
	"The cpu controller's bandwidth limit gives a group a quota of CPU\n"
	"time per period: `set cpu.max 50` writes \"50000 100000\" to cpu.max\n"
	"(v2) or 50000 to cpu.cfs_quota_us (v1), half of one CPU each 100 ms.\n"
	"Once the quota is used the group's processes wait, throttled, for\n"
	"the next period, however idle the machine is.  This is what keeps\n"
	"a busy loop or a fork bomb from slowing the host down.\n"
	"Look for: nr_throttled and throttled_usec in cpu.stat, and\n"
	"`host top` showing the container near its limit.";

/* Their parts of config.json: linux.resources (runc writes pids.max,
 * memory.max and cpu.max as boxstep does; "max" is no limit at all). */
static void
oci_pids(const struct plan *p, struct oci_doc *d)
{
	if (p->pids_max != PLAN_PIDS_UNLIMITED)
		d->pids_limit = p->pids_max;
}

static void
oci_memory(const struct plan *p, struct oci_doc *d)
{
	if (p->memory_max != PLAN_MEMORY_UNLIMITED)
		d->memory_limit = p->memory_max;
}

static void
oci_cpu(const struct plan *p, struct oci_doc *d)
{
	if (p->cpu_max != PLAN_CPU_UNLIMITED)
		d->cpu_quota = p->cpu_max * 1000;
}

const struct layer layer_pids = {
	.info = {
		.name = "pids",
		.summary = "a cgroup limit on how many processes it may have",
		.kernel = "cgroup pids.max",
		.explain = explain_pids,
	},
	.id = PLAN_PIDS,
	.oci = oci_pids,
};

const struct layer layer_memory = {
	.info = {
		.name = "memory",
		.summary = "a cgroup limit on how much memory it may use",
		.kernel = "cgroup memory.max",
		.explain = explain_memory,
	},
	.id = PLAN_MEMORY,
	.oci = oci_memory,
};

const struct layer layer_cpu = {
	.info = {
		.name = "cpu",
		.summary = "a cgroup limit on how much CPU time it may use",
		.kernel = "cgroup cpu.max",
		.explain = explain_cpu,
	},
	.id = PLAN_CPU,
	.oci = oci_cpu,
};

/* `show`'s lines for one controller's limit. */
typedef void limit_fn(struct step_out *o, const struct plan *p, bool v2);

static limit_fn show_pids_max, show_memory_max, show_cpu_max;

/* Each controller, in the order of enum cgroup_controller. */
static const struct controller {
	enum plan_layer layer;
	const char *tag;
	limit_fn *limit;
} controllers[CGROUP_NCTL] = {
	[CGROUP_PIDS] = { PLAN_PIDS, "[pids]", show_pids_max },
	[CGROUP_MEMORY] = { PLAN_MEMORY, "[memory]", show_memory_max },
	[CGROUP_CPU] = { PLAN_CPU, "[cpu]", show_cpu_max },
};

enum plan_layer
cgroups_layer(enum cgroup_controller ctl)
{
	return controllers[ctl].layer;
}

bool
cgroups_any(const struct plan *p)
{
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(p, controllers[c].layer))
			return true;
	return false;
}

static void
show_pids_max(struct step_out *o, const struct plan *p, bool v2)
{
	char value[64];

	(void)v2;
	plan_get(p, "pids.max", value, sizeof(value));
	step_say_as(o, "[pids]", "write(\"pids.max\", \"%s\")", value);
}

static void
show_memory_max(struct step_out *o, const struct plan *p, bool v2)
{
	char value[64];

	if (p->memory_max == PLAN_MEMORY_UNLIMITED)
		snprintf(value, sizeof(value), v2 ? "max" : "-1");
	else
		snprintf(value, sizeof(value), "%lld", p->memory_max);
	step_say_as(o, "[memory]", "write(\"%s\", \"%s\")",
		    v2 ? "memory.max" : "memory.limit_in_bytes", value);
	step_say_as(o, "[memory, no swap]", "write(\"%s\", \"%s\")",
		    v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
		    v2 ? (p->memory_max < 0 ? "max" : "0") : value);
}

static void
show_cpu_max(struct step_out *o, const struct plan *p, bool v2)
{
	if (!v2)
		step_say_as(o, "[cpu]", "write(\"cpu.cfs_quota_us\", \"%ld\")",
			    p->cpu_max < 0 ? -1L : p->cpu_max * 1000);
	else if (p->cpu_max == PLAN_CPU_UNLIMITED)
		step_say_as(o, "[cpu]", "write(\"cpu.max\", \"max 100000\")");
	else
		step_say_as(o, "[cpu]", "write(\"cpu.max\", \"%ld 100000\")",
			    p->cpu_max * 1000);
}

/* Where `show` says controller C's groups go. */
static const char *
shown_dir(const struct plan_cgroups *cg, int c)
{
	static const char *const missing[CGROUP_NCTL] = {
		"<no pids cgroup found>", "<no memory cgroup found>",
		"<no cpu cgroup found>",
	};
	const char *dir = !cg ? NULL : c == CGROUP_PIDS ? cg->pids_dir :
			  c == CGROUP_MEMORY ? cg->memory_dir : cg->cpu_dir;

	return dir ? dir : missing[c];
}

/* The controllers that are on and make a directory of their own (on
 * v2 one directory serves them all), into MADE; returns how many. */
static size_t
directories(const struct plan *p, const struct plan_cgroups *cg,
	    int made[CGROUP_NCTL])
{
	size_t n = 0;

	for (int c = 0; c < CGROUP_NCTL; c++) {
		bool again = false;

		if (!plan_has(p, controllers[c].layer))
			continue;
		for (size_t k = 0; k < n; k++)
			again |= strcmp(shown_dir(cg, made[k]),
					shown_dir(cg, c)) == 0;
		if (!again)
			made[n++] = c;
	}
	return n;
}

static void
show_create(struct step_out *o, const struct plan *p)
{
	int made[CGROUP_NCTL];
	size_t n = directories(p, o->cg, made);

	for (size_t k = 0; k < n; k++)
		step_say_as(o, controllers[made[k]].tag,
			    "mkdir(\"%s/<session>/<n>\")",
			    shown_dir(o->cg, made[k]));
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(p, controllers[c].layer))
			controllers[c].limit(o, p, o->cg && (c == CGROUP_MEMORY ?
					     o->cg->memory_v2 : c == CGROUP_CPU ?
					     o->cg->cpu_v2 : false));
}

/* Whether the session found the controller of each cgroup layer that
 * is on; if not, the reason it carries. */
static int
check_found(struct step_ctx *x, char *err, size_t errlen)
{
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(x->plan, controllers[c].layer) &&
		    x->cg->ctl[c].version == CGROUP_NONE) {
			msg_fail(err, errlen, "%s", x->cg->ctl[c].why);
			return 125;
		}
	return 0;
}

static int
create(struct step_ctx *x, char *err, size_t errlen)
{
	const struct plan *p = x->plan;
	struct cgroup_limits lim = {
		.pids_max = p->pids_max,
		.memory_max = p->memory_max,
		.cpu_percent = p->cpu_max,
	};
	char name[64];

	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(p, controllers[c].layer))
			lim.ctls |= CGROUP_BIT(c);
	snprintf(name, sizeof(name), "%s/%u", x->session_cg->name, ++*x->seq);
	return cgroup_create(x->cg, name, &lim, x->group, err, errlen) < 0 ?
	       125 : 0;
}

static void
show_attach(struct step_out *o, const struct plan *p)
{
	int made[CGROUP_NCTL];
	size_t n = directories(p, o->cg, made);

	for (size_t k = 0; k < n; k++)
		step_say_as(o, controllers[made[k]].tag,
			    "write(\"cgroup.procs\", \"<child's pid>\")");
}

/* Nothing the command does may escape the limit: the child is held
 * until it is in the group. */
static int
attach(struct step_ctx *x, char *err, size_t errlen)
{
	return cgroup_attach(x->group, x->pid, err, errlen) < 0 ? 125 : 0;
}

static void
show_remove(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "kill what is left in the group; rmdir(<session>/<n>)");
}

/* Before the group goes, its OOM kills are counted, so that boxstep can
 * say the OOM killer struck. */
static int
remove_group(struct step_ctx *x, char *err, size_t errlen)
{
	struct cgroup_stats st;

	if (!cgroup_main_dir(x->group)[0])
		return 0;
	if (x->group->ctls & CGROUP_BIT(CGROUP_MEMORY) &&
	    cgroup_stats_read(x->group, &st) == 0)
		*x->oom_kills = st.oom_kills;
	if (cgroup_remove(x->group, err, errlen) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		*x->failed = true;
	}
	return 0;
}

static bool
memory_limit(const struct plan *p)
{
	return plan_has(p, PLAN_MEMORY);
}

static bool
no_memory_limit(const struct plan *p)
{
	return !memory_limit(p);
}

static const struct step steps[] = {
	{ STEP_PREPARE, 10, NULL, .run = check_found },
	{ STEP_HOLDING, 10, NULL, .show = show_create, .run = create },
	{ STEP_HOLDING, 20, NULL, .when = no_memory_limit, .show = show_attach,
	  .run = attach },
	/* the same, under a memory limit from here to the exec */
	{ STEP_HOLDING, 21, NULL, .when = memory_limit, .show = show_attach,
	  .run = attach, .own_memory = true },
	{ STEP_TEARDOWN, 10, "[cgroup]", .show = show_remove,
	  .run = remove_group },
};

/* The group the cgroup layers share. */
const struct layer layer_cgroup = {
	.info = { .name = "cgroup" },
	.id = -1,
	.on = cgroups_any,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
};
