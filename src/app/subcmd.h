/* subcmd: boxstep's subcommands: check, images, import, watch, and the
 * lesson and present that start the session with a lesson.
 */
#ifndef BOXSTEP_SUBCMD_H
#define BOXSTEP_SUBCMD_H

#include <limits.h>
#include <stdbool.h>

#include "ui/tui.h"

#ifndef BOXSTEP_DATADIR
#define BOXSTEP_DATADIR "/usr/local/share/boxstep"
#endif

/* What the command line asks for. */
struct options {
	const char *commands, *file, *record;
	struct tui_opts tui;
	bool stop_on_error, plain, trust;
	bool present;              /* present LESSON */
	char lessons[PATH_MAX];    /* the lessons directory */
	char lesson[PATH_MAX];     /* the lesson to start, or "" */
};

/* What subcmd_run() returns besides an exit status. */
#define SUB_SESSION (-1) /* go on to the session */
#define SUB_USAGE (-2)   /* the subcommand's usage is printed; exit 2 */

/* Runs the subcommand ARGV[0] names, with the words after it; says when
 * there is none of that name.  Returns its exit status, or SUB_SESSION
 * when the session is to start (lesson NAME, present: O->lesson names
 * it). */
int subcmd_run(struct options *o, int argc, char **argv);

/* Not root: makes this process the root of its session's host (a user
 * namespace of the user's; with CGROOT, the cgroup delegated to it as
 * well), where the session, check and import run.  Returns 0, or 1 with
 * why on stderr. */
int subcmd_rootless(const char *cgroot);

/* The default root filesystem: $BOXSTEP_ROOTFS; else the one built beside
 * the binary (a build tree); else the installed one, PREFIX/share/boxstep
 * next to PREFIX/bin; else the compiled-in data directory.  When none is
 * there, names the build tree's, so that the error says what to build. */
void subcmd_default_rootfs(char *buf, size_t len);

#endif
