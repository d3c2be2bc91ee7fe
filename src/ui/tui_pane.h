/* tui_pane: the host-view pane of the TUI and of `boxstep watch`: what
 * the host sees of one process, re-read on a timer a part at a time
 * (what can have changed), with the lines that changed highlighted for a
 * few seconds and the pids and memory figures as bars. */
#ifndef BOXSTEP_TUI_PANE_H
#define BOXSTEP_TUI_PANE_H

#include <stdbool.h>
#include <sys/types.h>

#include "ui/tui_layout.h"

/* Shows process PID from now on, from scratch; ABOUT is the command it
 * is about to run while boxstep holds it ("" none). */
void tui_pane_show(struct pane *p, pid_t pid, const char *about);

/* Reads what can have changed in the view of the pane's process and,
 * when its text differs, rebuilds the lines.  A process that is gone
 * leaves its last view, frozen and marked exited. */
void tui_pane_tick(struct pane *p);

/* Draws the pane into its window (staged: wnoutrefresh). */
void tui_pane_draw(const struct tui *t, struct pane *p);

/* True while some highlight is still fading: the pane must be drawn again
 * when it goes out. */
bool tui_pane_has_highlights(const struct pane *p);

/* How long poll may wait before the pane's next tick, in ms (-1: no
 * tick is due). */
int tui_pane_timeout(const struct pane *p);

/* Lets go of what the pane holds. */
void tui_pane_release(struct pane *p);

#endif
