/* cgroup_find: where each controller's hierarchy is (cgroup v1, v2, or a
 * hybrid host's unified/), and the rootless delegated v2 group.  Its
 * functions are declared in cgroup.h; this header holds the one helper
 * that the groups (cgroup.c) use besides.
 */
#ifndef BOXSTEP_CGROUP_FIND_H
#define BOXSTEP_CGROUP_FIND_H

#include <stdbool.h>

/* Says whether the word W appears in the blank-separated LIST (as in
 * cgroup.controllers and cgroup.subtree_control). */
bool cgroup_has_word(const char *list, const char *w);

#endif
