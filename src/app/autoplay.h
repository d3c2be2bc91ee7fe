/* autoplay: `boxstep check`.
 *
 * Each lesson is played at a terminal, a pty of 80x24 under the relay,
 * through the same path as a learner's typed lines, so that its checks
 * see the same bytes.  For each step: every check not marked `always:`
 * fails before it, every check holds after its commands, each output
 * check refuses the lines it matched with one of its own words altered,
 * and, when its commands ran with isolation layers on, the step replayed
 * with every isolation layer off is not done.
 */
#ifndef BOXSTEP_AUTOPLAY_H
#define BOXSTEP_AUTOPLAY_H

#include <stdbool.h>

/* `boxstep check FILE...`: lints each lesson, asks about one from outside
 * DIR (origin_trust), then plays them all as above in fresh sessions.
 * Prints a line per step and "check: N passed, N failed".  Returns 0
 * when all passed. */
int autoplay_check_files(int nfiles, char **files, const char *rootfs,
			 const char *cgroup_root, bool verbose,
			 const char *dir, bool trust);

#endif
