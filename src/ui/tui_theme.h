/* tui_theme: the TUI's colour themes, named by the public API (tui.h)
 * and by the windows that draw them (tui_layout.h). */
#ifndef BOXSTEP_TUI_THEME_H
#define BOXSTEP_TUI_THEME_H

enum tui_theme {
	TUI_THEME_DEFAULT,    /* dark in the TUI, projector in present mode */
	TUI_THEME_DARK,       /* the terminal's own colours */
	TUI_THEME_LIGHT,      /* black on white */
	TUI_THEME_PROJECTOR,  /* bright, bold, on black: for a projector */
};

#endif
