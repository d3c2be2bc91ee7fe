/* tui: the two-pane screen.
 *
 * A small terminal multiplexer: the plain REPL runs in a child on a pty,
 * drawn with libvterm in the left pane, so readline, Ctrl-C, `sh`, `vi`
 * and `top` behave exactly as in plain mode.  The REPL reports events
 * (plan, container started, exited) over a socket; the right pane is the
 * host view of the container, refreshed on a timer, with what changed
 * highlighted for a few seconds.  A status line shows the layers.
 */
#ifndef BOXSTEP_TUI_H
#define BOXSTEP_TUI_H

#include <stdbool.h>
#include <sys/types.h>

struct repl;

/* Says whether the terminal can hold the TUI: stdin and stdout are a
 * terminal whose type curses knows, at least 80x24. */
bool tui_capable(void);

/* Runs the TUI around the REPL R (already initialised).  Returns the exit
 * status. */
int tui_main(struct repl *r);

/* `boxstep watch PID` on a terminal: the host-view pane alone, until the
 * process goes away or q is pressed.  Returns the exit status. */
int tui_watch(pid_t pid);

#endif
