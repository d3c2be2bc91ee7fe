/* plan: which layers are on.
 *
 * The layers themselves are in the files of layers/, their table and
 * what it says of a plan (names, clone flags, `show`) in layers.c; the
 * settings in settings.c, the rules between layers in rules.c.
 */
#define _GNU_SOURCE
#include "layers/plan.h"

#include <stdio.h>
#include <string.h>

#include "base/capnames.h"

void
plan_init(struct plan *plan, const char *default_rootfs)
{
	memset(plan, 0, sizeof(*plan));
	snprintf(plan->hostname, sizeof(plan->hostname), "%s",
		 PLAN_DEFAULT_HOSTNAME);
	if (default_rootfs)
		snprintf(plan->rootfs, sizeof(plan->rootfs), "%s",
			 default_rootfs);
	plan->pids_max = PLAN_DEFAULT_PIDS_MAX;
	plan->memory_max = PLAN_DEFAULT_MEMORY_MAX;
	plan->cpu_max = PLAN_DEFAULT_CPU_MAX;
	plan->chdir = true;
	plan->rootfs_layer = true;
	plan->layer_max = PLAN_DEFAULT_LAYER_MAX;
	plan->propagation = PLAN_PROP_PRIVATE;
	plan->caps = CAPS_DOCKER_DEFAULT;
	plan->time_offset = PLAN_DEFAULT_TIME_OFFSET;
}

void
plan_make_rootless(struct plan *plan, unsigned uid, unsigned gid)
{
	plan->rootless = true;
	plan->rootless_uid = uid;
	plan->rootless_gid = gid;
}

bool
plan_has(const struct plan *plan, enum plan_layer layer)
{
	return (plan->layers & (1u << layer)) != 0;
}

bool
plan_new_root(const struct plan *plan)
{
	return plan_has(plan, PLAN_CHROOT) || plan_has(plan, PLAN_PIVOT);
}

void
plan_enable(struct plan *plan, enum plan_layer layer)
{
	plan->layers |= 1u << layer;
}

void
plan_disable(struct plan *plan, enum plan_layer layer)
{
	plan->layers &= ~(1u << layer);
}
