/* repl: the interactive readline loop and batch mode over a session.
 *
 * The REPL types lines into its session (session.h): at the prompt each
 * line goes to session_typed(), so that whatever hooked the session (the
 * lesson runtime) sees it; in batch mode the text runs as it is.  It
 * knows the commands only through the registry (command.h), for
 * completion, and adds its own: quit and exit.
 */
#ifndef BOXSTEP_REPL_H
#define BOXSTEP_REPL_H

#include <stdbool.h>

#include "session/session.h"

struct repl {
	struct session session;
};

/* Adds the REPL's commands (quit, exit) to the registry, after the
 * others: once, before any lesson is read. */
void repl_register(void);

/* Sets up R's session (session_init()). */
void repl_init(struct repl *r, const char *default_rootfs,
	       const char *cgroup_root);

/* Ends R's session (session_done()). */
void repl_done(struct repl *r);

/* Batch mode: runs TEXT as session_run_text() does. */
int repl_batch(struct repl *r, const char *text, const char *origin,
	       bool stop_on_error);

/* The interactive loop over GNU readline.  Returns the exit status. */
int repl_interactive(struct repl *r);

#endif
