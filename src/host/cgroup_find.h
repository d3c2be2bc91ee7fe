/* cgroup_find: where each controller's hierarchy is (cgroup v1, v2, or a
 * hybrid host's unified/), and the rootless delegated v2 group; the
 * functions are declared in cgroup.h.  This is what the groups share.
 */
#ifndef BOXSTEP_CGROUP_FIND_H
#define BOXSTEP_CGROUP_FIND_H

#include <stdbool.h>

/* Says whether the word W appears in the blank-separated LIST (as in
 * cgroup.controllers and cgroup.subtree_control). */
bool cgroup_has_word(const char *list, const char *w);

#endif
