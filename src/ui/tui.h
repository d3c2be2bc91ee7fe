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

#include "ui/tui_theme.h"

struct repl;


struct tui_opts {
	enum tui_theme theme;
	const char *present;  /* projector mode over this lesson file */
};

/* Reads a theme name; -1 when it is none of dark, light, projector. */
int tui_theme_parse(const char *name);

/* Says whether the terminal can hold the TUI: stdin and stdout are a
 * terminal whose type curses knows, at least 80x24. */
bool tui_capable(void);

/* Runs the TUI around the REPL R (already initialised).  With
 * O->present, projector mode: the lesson's narrative large at the top,
 * its commands typed for the presenter (present.h), a key legend.
 * Returns the exit status. */
int tui_main(struct repl *r, const struct tui_opts *o);

/* `boxstep watch PID` on a terminal: the host-view pane alone, until the
 * process goes away or q is pressed.  Returns the exit status. */
int tui_watch(pid_t pid);

#endif
