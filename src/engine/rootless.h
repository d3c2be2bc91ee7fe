/* rootless: what a session started by an ordinary user needs of the
 * host (spawn_rootless_probe(), spawn_rootless_begin() and
 * spawn_rootless_end() are in engine/spawn.h). */
#ifndef BOXSTEP_ROOTLESS_H
#define BOXSTEP_ROOTLESS_H

#include "engine/spawn.h"

/* The group spawn_rootless_begin() found, or why there is none. */
const struct cgroup_delegation *rootless_delegation(void);

/* Rootless, the cgroup layers work only in the delegated group: finds
 * the controllers there for S, or gives each the reason it cannot be
 * used. */
void rootless_cgroups(struct spawn_session *s, const char *cgroup_root);

#endif
