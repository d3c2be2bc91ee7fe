/* cgroups: the pids, memory and cpu layers, one cgroup controller each,
 * made through host/cgroup.h: one group for the container, in every
 * controller's hierarchy whose layer is on.
 */
#ifndef BOXSTEP_CGROUPS_H
#define BOXSTEP_CGROUPS_H

#include "host/cgroup.h"
#include "layers/plan.h"

/* The layer behind the cgroup controller CTL. */
enum plan_layer cgroups_layer(enum cgroup_controller ctl);

/* Whether any cgroup layer is on. */
bool cgroups_any(const struct plan *p);

#endif
