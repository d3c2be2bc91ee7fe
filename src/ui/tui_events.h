/* tui_events: what the REPL tells the TUI over the event socket, one
 * line per event (session/event.h): the plan for the status line, a
 * held container for the pane (answered with `seen PID` once its view is
 * read), its exit, the pane's refresh, the prompt, and the lesson panel;
 * and the TUI's answers (seen, panel-visible). */
#ifndef BOXSTEP_TUI_EVENTS_H
#define BOXSTEP_TUI_EVENTS_H

#include "session/event.h"
#include "ui/tui_layout.h"

/* Handles the events that have come, without waiting.  A line that is
 * no event is dropped, and so is one longer than EVENT_LINE_MAX.  An
 * exit or the prompt that ends the screen a command was put on only sets
 * t->alt_leave: the caller goes back with tui_term_alt_leave(). */
void tui_events_read(struct tui *t);

/* Tells the REPL the event E (seen, panel-visible), without waiting. */
void tui_events_answer(const struct tui *t, const struct event *e);

#endif
