/* tui_keys: what the terminal's keys do in the TUI.  They go to the
 * REPL's pty as raw bytes (curses runs in raw mode), except F2, which
 * pauses the pane, and F3, which hides or shows the lesson panel (and
 * tells the REPL).  Projector mode's keys steer the lesson's script
 * (present.h). */
#ifndef BOXSTEP_TUI_KEYS_H
#define BOXSTEP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/tui_layout.h"

/* The N bytes in BUF from the terminal, in the plain TUI. */
void tui_keys_forward(struct tui *t, const char *buf, size_t n);

/* The same in projector mode: Space and Enter type the script, the
 * arrows move in it, h asks a hint, p pauses, f types freely (until
 * Esc), q quits (T->quit). */
void tui_keys_present(struct tui *t, const char *buf, size_t n);

/* True when BUF (N bytes) starts with F2. */
bool tui_key_is_f2(const char *buf, size_t n);

#endif
