/* foreground: boxstep's signals, and waiting for what runs in the
 * foreground (a container, or a host command) with the terminal, Ctrl-C
 * and a quit passed on as DESIGN.md says; and how a container ended, in
 * words.
 */
#ifndef BOXSTEP_FOREGROUND_H
#define BOXSTEP_FOREGROUND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/container.h"

/* Installs the session's signal handlers (SIGCHLD wakes the wait
 * loops; SIGTERM, SIGHUP and SIGINT set spawn_quit_signal), makes the
 * wake-up pipe anew, and notes in S the signals whose disposition is not
 * the default, which a container's child sets back before its exec. */
void foreground_handlers(struct spawn_session *s);

/* Waits for PID in the foreground, passing on Ctrl-C through C's watcher
 * when C is given, continuing it when Ctrl-Z stops it, and killing it
 * when boxstep is told to quit; then takes the terminal back.  Returns
 * its wait status. */
int foreground_wait(struct spawn_session *s, pid_t pid,
		    struct spawn_container *c);

/* Tells the learner how the foreground container C ended, when that is
 * news (killed, or the OOM killer struck). */
void foreground_report_end(const struct spawn_container *c);

/* Runs CMDLINE on the host with /bin/sh -c in the foreground, with
 * $BOXPID set to BOXPID when it is not 0, $BOXSTEP to boxstep's own path
 * and $BOXSTEP_ROOTFS to ROOTFS (may be NULL).  Returns its exit code. */
int spawn_host(struct spawn_session *s, const char *cmdline, pid_t boxpid,
	       const char *rootfs);

/* The shell-style exit code of a wait(2) status. */
int spawn_exit_code(int status);

/* Describes the status for the learner: "exited with status 3",
 * "killed by SIGKILL".  Returns BUF. */
const char *spawn_describe_status(int status, char *buf, size_t len);

/* When the OOM killer killed in the container's group, says so, with the
 * limit, into BUF and returns true. */
bool spawn_describe_oom(const struct spawn_container *c, char *buf,
			size_t len);

#endif
