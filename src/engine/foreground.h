/* foreground: boxstep's signals, and waiting for what runs in the
 * foreground (a container, or a host command) with the terminal, Ctrl-C
 * and a quit passed on as DESIGN.md says.
 */
#ifndef BOXSTEP_FOREGROUND_H
#define BOXSTEP_FOREGROUND_H

#include <sys/types.h>

#include "engine/spawn.h"

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

#endif
