/* tui_layout: the TUI's windows (layout) and the lesson panel, and what
 * the TUI's files share: its state (struct tui, struct pane) and the
 * drawing primitives. */
#ifndef BOXSTEP_TUI_LAYOUT_H
#define BOXSTEP_TUI_LAYOUT_H

#include <stdbool.h>
#include <sys/types.h>

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <vterm.h>

#include "base/capture.h"
#include "host/cgroup.h"
#include "host/hostview.h"
#include "lessons/lesson.h"
#include "session/event.h"
#include "ui/mirror.h"
#include "ui/present.h"
#include "ui/tui_theme.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define HIGHLIGHT_SECONDS 3.0
#define SPARK_SAMPLES 60
#define PANE_LINES_MAX 256
#define PROCS_SCAN_SECONDS 5.0

enum {
	PAIR_HIGHLIGHT = 20,
	PAIR_ON,
	PAIR_OFF,
	PAIR_ALERT,
	PAIR_TITLE,
};

struct pane {
	WINDOW *win;
	pid_t pid;            /* the container shown, 0 = none yet */
	bool exited;
	char exit_text[64];
	bool paused;
	int refresh_ms;
	double next_tick;
	struct hostview hv;
	char *text[PANE_LINES_MAX];
	double changed_at[PANE_LINES_MAX];
	int nlines;
	long spark[SPARK_SAMPLES]; /* pids.current once a second */
	int nspark;
	double next_spark;
	bool dirty;
	struct cgroup_ctx cg;
	/* What tells the next tick which parts can have changed. */
	double next_slow;     /* namespaces, links, cmdline: once a second */
	int mounts_fd[2];     /* its mountinfo and the host's: poll says */
	char procs_mark[64];  /* its cgroup.procs' sum, or its tree's mark */
	double next_scan;     /* without a cgroup: all of /proc, for joiners */
	char *last_text;
	char about[512];      /* the command it is about to run, from the
			       * start event; shown while boxstep holds it */
	bool held;            /* the last read was of the held copy */
};

struct tui {
	int ptmx;
	pid_t child;
	int events;           /* socket from the REPL */
	char evbuf[EVENT_LINE_MAX + 1];
	size_t evlen;
	bool evskip;          /* the rest of a line too long, to its end */
	struct capture cap;   /* a lesson command's output */
	char *lesson_text;    /* the lesson panel's, or NULL */
	bool lesson_hidden;   /* F3 */
	bool pane_hidden;     /* stacked: the lesson panel has its rows */
	bool lesson_dirty;
	WINDOW *lesson;
	enum tui_theme theme;
	/* Projector mode. */
	bool presenting;
	struct lesson script_lesson;
	struct present script;
	bool free_typing;     /* f: keys go to the REPL until Esc */
	bool at_prompt;       /* the REPL waits at its prompt */
	char flash[160];      /* a short note in the legend */
	double flash_until;
	VTerm *vt;
	VTermScreen *vs;
	WINDOW *left, *status;
	int rows, cols;
	bool side_by_side;
	bool left_dirty;
	VTermPos cursor;
	bool cursor_shown;
	bool alt_on;          /* the REPL's terminal is on its alternate screen */
	bool alt_ours;        /* ...because a command cleared the screen, */
	pid_t alt_pid;        /* ...this container's */
	bool alt_leave;       /* it has ended: back to the REPL's screen */
	struct pane pane;
	struct mirror_serve mirror; /* the instructors who watch */
	char layers[128], hostname[65], rootfs[4096];
	bool color, utf8;
	int quit;             /* the loop ends, as on this signal */
};

/* The monotonic clock, in seconds. */
double tui_now(void);

/* An attribute for UI element PAIR, or its monochrome stand-in. */
attr_t tui_attr(const struct tui *t, short pair, attr_t mono);

/* Adds S at row Y, column X of W in at most WIDTH columns; a line that
 * does not fit ends with a mark (U+2026 with UTF8, else '>'). */
void tui_put_cut(WINDOW *w, int y, int x, const char *s, int width, bool utf8);

/* Makes the windows for the terminal's size and the lesson panel's
 * state, and gives the REPL's terminal (vterm and pty) its new size. */
void tui_layout(struct tui *t);

/* Rows the lesson panel would take out of AVAIL; 0 when it is hidden. */
int tui_lesson_rows(const struct tui *t, int avail, int share_pct);

/* Draws the lesson panel: header, checks and hints always; the prose in
 * what room is left, with a note when some was dropped. */
void tui_draw_lesson(struct tui *t);

#endif
