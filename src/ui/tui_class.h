/* tui_class: `boxstep class` on a terminal.  The room as a live table,
 * refreshed each second, in one of roomview's orders (s cycles them);
 * Enter on a row mirrors that learner's screen, read-only, until q.
 * `boxstep class watch` on a terminal is the mirror alone. */
#ifndef BOXSTEP_TUI_CLASS_H
#define BOXSTEP_TUI_CLASS_H

#include "session/room.h"

/* The live table; ME is the caller's name, which a watched learner's
 * status line shows.  Returns the exit status. */
int tui_class(const char *me);

/* Session E's screen, live, until q or its end.  Returns the exit
 * status, having said why when it could not watch. */
int tui_class_watch(const struct room_entry *e, const char *me);

#endif
