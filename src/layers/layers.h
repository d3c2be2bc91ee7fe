/* layers: the table of layers, one line each, and what is not a
 * learner's layer but makes steps all the same.
 *
 * Each layer is defined in a file of its own (layers/uts.c, ...; the
 * three cgroup layers share layers/cgroups.c) as one struct layer.
 */
#ifndef BOXSTEP_LAYERS_H
#define BOXSTEP_LAYERS_H

#include "layers/step.h"

extern const struct layer layer_uts, layer_pid, layer_mnt, layer_chroot,
	layer_proc, layer_pids, layer_memory, layer_cpu, layer_ipc, layer_net,
	layer_cgroupns, layer_pivot, layer_user;
/* Not a learner's: the engine's own steps (core.c), the root and the
 * session's writable layer (rootfs.c), the group the cgroup layers share
 * (cgroups.c). */
extern const struct layer layer_core, layer_rootfs, layer_cgroup;

/* The core step that releases the held child (a write to x->sync[1]),
 * which the engine makes once more after looking at it.  Returns 0, or
 * 125 with a message in ERR. */
int core_release(struct step_ctx *x, char *err, size_t errlen);

/* Every layer: the learner's, by enum plan_layer, then the others;
 * NULL past the end. */
const struct layer *layer_at(size_t i);

/* Whether L makes its steps for PLAN (not those marked `off`). */
bool layer_on(const struct layer *l, const struct plan *plan);

#endif
