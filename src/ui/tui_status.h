/* tui_status: the TUI's last line.  The layers (those on highlighted),
 * the hostname, the root, the container, the keys; when the line is too
 * narrow whole items give way, in an order of their own, and none is
 * cut.  In projector mode, the key legend and where the script is. */
#ifndef BOXSTEP_TUI_STATUS_H
#define BOXSTEP_TUI_STATUS_H

#include "ui/tui_layout.h"

/* Draws the status line (or projector mode's legend), staged. */
void tui_draw_status(struct tui *t);

#endif
