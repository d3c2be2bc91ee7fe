/* tui_term: the REPL's terminal in the TUI.  The plain REPL runs in a
 * child on a pty; libvterm keeps that pty's screen, and the left pane is
 * drawn from its cells.  A command that clears the whole screen while the
 * REPL is busy (busybox top) is put on the alternate screen, and taken
 * off when that container's `exit` (or the next `prompt`) is heard. */
#ifndef BOXSTEP_TUI_TERM_H
#define BOXSTEP_TUI_TERM_H

#include <stdbool.h>

#include "ui/tui_layout.h"

struct repl;

/* Forks the REPL R onto a pty of the left pane's size, with the event
 * socket, and makes its libvterm screen.  Returns 0, or -1 (errno set)
 * when there is no pty or no child. */
int tui_term_start(struct tui *t, struct repl *r);

/* Reads what the REPL wrote to its terminal; events that came before it
 * are handled first (a command's `busy` says its output is not the
 * REPL's own), and a lesson command's captured output is sent back.
 * Returns false when the REPL has ended. */
bool tui_term_read(struct tui *t);

/* Draws the left pane from libvterm's cells (staged). */
void tui_term_draw(struct tui *t);

/* Back from the alternate screen the TUI put a command on, once
 * T->alt_leave says that command has ended. */
void tui_term_alt_leave(struct tui *t);

/* Waits for the REPL to end, reading and dropping what it still writes
 * (its teardown's words, exit events) so that a full pty or socket
 * cannot hold it up; then lets go of the pty, the socket and libvterm.
 * Returns the REPL's wait status. */
int tui_term_end(struct tui *t);

#endif
