/* layers: the table of layers, in the order of the story. */
#include "layers/layers.h"

static const struct layer *const table[] = {
	[PLAN_UTS] = &layer_uts,
	[PLAN_PID] = &layer_pid,
	[PLAN_MNT] = &layer_mnt,
	[PLAN_CHROOT] = &layer_chroot,
	[PLAN_PROC] = &layer_proc,
	[PLAN_PIDS] = &layer_pids,
	[PLAN_MEMORY] = &layer_memory,
	[PLAN_CPU] = &layer_cpu,
	[PLAN_IPC] = &layer_ipc,
	[PLAN_NET] = &layer_net,
	[PLAN_CGROUPNS] = &layer_cgroupns,
	[PLAN_PIVOT] = &layer_pivot,
	[PLAN_USER] = &layer_user,
	/* not a learner's */
	&layer_core,
	&layer_rootfs,
	&layer_cgroup,
};

_Static_assert(sizeof(table) / sizeof(table[0]) == PLAN_NLAYERS + 3,
	       "a layer of enum plan_layer without its line in the table");

const struct layer *
layer_at(size_t i)
{
	return i < sizeof(table) / sizeof(table[0]) ? table[i] : NULL;
}

bool
layer_on(const struct layer *l, const struct plan *plan)
{
	return l->id >= 0 ? plan_has(plan, l->id) : l->on(plan);
}
