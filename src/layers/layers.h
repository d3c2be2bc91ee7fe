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
	layer_cgroupns, layer_pivot, layer_user, layer_caps, layer_nonewprivs,
	layer_seccomp, layer_dev, layer_masks, layer_time;
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

/* Collects the steps PLAN makes, phase by phase and AT by AT. */
void step_list_make(const struct plan *plan, struct step_list *list);

/* The layer table, in the order of the story. */
const struct plan_layer_info *plan_layer_info(enum plan_layer layer);

/* Every layer's name, in order, separated by spaces. */
const char *plan_layer_names(void);

/* Returns the layer called NAME, or -1. Exact names only. */
int plan_layer_lookup(const char *name);

/* The clone(2) flags the plan needs, SIGCHLD included. */
unsigned long plan_clone_flags(const struct plan *plan);

/* Writes the flags as C source ("CLONE_NEWUTS|CLONE_NEWPID|SIGCHLD").
 * Returns the length it needed, as snprintf does. */
int plan_format_clone_flags(unsigned long flags, char *buf, size_t len);

/* The text of `show`: layers, settings, and each call spawn will make, in
 * order, tagged with the layer that causes it.  CG (may be NULL) says
 * where the cgroups are.  Returns the length needed, as snprintf does. */
int plan_describe(const struct plan *plan, const struct plan_cgroups *cg,
		  char *buf, size_t len);

#endif
