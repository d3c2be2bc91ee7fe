/* tui: ncurses, a pty with libvterm for the REPL, and the host-view pane.
 * Every curses call of boxstep lives in this file. */
#define _GNU_SOURCE
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#include <vterm.h>
/* After vterm.h: term.h defines macros (bell, lines) that clash. */
#include <term.h>

#include "capture.h"
#include "cgroup.h"
#include "fsutil.h"
#include "course.h"
#include "hostview.h"
#include "lesson.h"
#include "present.h"
#include "relay.h"
#include "repl.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define HIGHLIGHT_SECONDS 3.0
#define SPARK_SAMPLES 60
#define PANE_LINES_MAX 256

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
	char procs_mark[64];  /* /proc/loadavg's task count and last pid */
	char *last_text;
};

struct tui {
	int ptmx;
	pid_t child;
	int events;           /* socket from the REPL */
	char evbuf[65536];
	size_t evlen;
	struct capture cap;   /* a lesson command's output */
	char *lesson_text;    /* the lesson panel's, or NULL */
	bool lesson_hidden;   /* F3 */
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
	struct pane pane;
	char layers[128], hostname[65], rootfs[4096];
	bool color, utf8;
};

static volatile sig_atomic_t got_winch, got_quit;

static void on_winch(int sig) { (void)sig; got_winch = 1; }
static void on_quit_signal(int sig) { got_quit = sig; }

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* endwin() on every way out, including exit() from a fatal error. */
static bool curses_up;
static pid_t curses_pid; /* the REPL forked below must not end it */

static void
restore_terminal(void)
{
	if (curses_up && getpid() == curses_pid) {
		curs_set(1);
		endwin();
		curses_up = false;
	}
}

bool
tui_capable(void)
{
	const char *term = getenv("TERM");
	struct winsize ws;
	int err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !term ||
	    !*term || strcmp(term, "dumb") == 0)
		return false;
	if (setupterm(NULL, STDOUT_FILENO, &err) != 0)
		return false;
	/* Only a probe: initscr() loads its own. */
	del_curterm(cur_term);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return false;
	return ws.ws_col >= TUI_MIN_COLS && ws.ws_row >= TUI_MIN_ROWS;
}

static void
start_curses(struct tui *t)
{
	struct sigaction sa;

	setlocale(LC_ALL, "");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	initscr();
	curses_up = true;
	curses_pid = getpid();
	atexit(restore_terminal);
	raw();
	noecho();
	nonl();
	t->color = has_colors() && !getenv("NO_COLOR");
	if (t->color) {
		start_color();
		if (t->theme == TUI_THEME_LIGHT)
			assume_default_colors(COLOR_BLACK, COLOR_WHITE);
		else if (t->theme == TUI_THEME_PROJECTOR)
			assume_default_colors(COLOR_WHITE, COLOR_BLACK);
		else
			use_default_colors();
		for (short c = 0; c < 8 && c + 1 < COLOR_PAIRS; c++)
			init_pair(c + 1, c, -1);
		init_pair(PAIR_HIGHLIGHT, COLOR_BLACK, COLOR_YELLOW);
		init_pair(PAIR_ON, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_OFF, -1, -1);
		init_pair(PAIR_ALERT, COLOR_WHITE, COLOR_RED);
		init_pair(PAIR_TITLE, t->theme == TUI_THEME_LIGHT ? COLOR_BLUE :
			  t->theme == TUI_THEME_PROJECTOR ? COLOR_YELLOW :
			  COLOR_CYAN, -1);
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* An attribute for UI element PAIR, or its monochrome stand-in. */
static attr_t
ui_attr(const struct tui *t, short pair, attr_t mono)
{
	return t->color ? COLOR_PAIR(pair) : mono;
}

/* --- the host-view pane ------------------------------------------------ */

static void
pane_free_lines(struct pane *p)
{
	for (int i = 0; i < p->nlines; i++)
		free(p->text[i]);
	p->nlines = 0;
}

/* Splits TEXT into the pane's lines; a line that was not there before is
 * stamped as changed now. */
static void
pane_set_text(struct pane *p, const char *text, bool highlight)
{
	char *old[PANE_LINES_MAX];
	double old_at[PANE_LINES_MAX];
	int nold = p->nlines;
	double t = now();

	memcpy(old, p->text, sizeof(old));
	memcpy(old_at, p->changed_at, sizeof(old_at));
	p->nlines = 0;
	for (const char *s = text; *s && p->nlines < PANE_LINES_MAX;) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);
		double at = highlight ? t : 0;

		for (int i = 0; line && i < nold; i++)
			if (old[i] && strcmp(old[i], line) == 0) {
				at = old_at[i];
				break;
			}
		if (!line)
			break;
		p->changed_at[p->nlines] = at;
		p->text[p->nlines++] = line;
		s += n + (s[n] == '\n');
	}
	for (int i = 0; i < nold; i++)
		free(old[i]);
	p->dirty = true;
}

/* True when a process was created or has ended anywhere since the last
 * call: /proc/loadavg's task count and last pid say so for one read. */
static bool
procs_changed(struct pane *p)
{
	char buf[128], *mark;

	if (fsutil_read("/proc/loadavg", buf, sizeof(buf)) < 0)
		return true;
	mark = strchr(buf, '/');
	if (!mark)
		return true;
	mark[strcspn(mark, "\n")] = '\0';
	if (strcmp(mark, p->procs_mark) == 0)
		return false;
	snprintf(p->procs_mark, sizeof(p->procs_mark), "%s", mark);
	return true;
}

/* True when a mount table (its own or the host's) has changed: the
 * kernel flags a mountinfo file POLLPRI once after each change. */
static bool
mounts_changed(struct pane *p)
{
	struct pollfd fds[2] = {
		{ .fd = p->mounts_fd[0], .events = POLLPRI },
		{ .fd = p->mounts_fd[1], .events = POLLPRI },
	};

	if (poll(fds, 2, 0) <= 0)
		return false;
	return (fds[0].revents | fds[1].revents) & (POLLPRI | POLLERR);
}

static void
pane_close_fds(struct pane *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->mounts_fd[i] >= 0)
			close(p->mounts_fd[i]);
		p->mounts_fd[i] = -1;
	}
}

/* Collects what can have changed in the view of the pane's process and,
 * when its text differs, rebuilds the lines. */
static void
pane_tick(struct pane *p)
{
	bool first = p->hv.pid != p->pid;
	unsigned what = HOSTVIEW_STATUS | HOSTVIEW_CGROUP;
	double t = now();
	char path[64], *text;
	int n;

	if (!p->pid || p->paused)
		return;
	if (p->exited && !first)
		return;
	if (first) {
		what = HOSTVIEW_ALL;
		pane_close_fds(p);
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)p->pid);
		p->mounts_fd[0] = open(path, O_RDONLY | O_CLOEXEC);
		p->mounts_fd[1] = open("/proc/self/mountinfo",
				       O_RDONLY | O_CLOEXEC);
		mounts_changed(p);
		procs_changed(p);
	}
	if (t >= p->next_slow) {
		what |= HOSTVIEW_CMDLINE | HOSTVIEW_NS | HOSTVIEW_LINKS;
		p->next_slow = t + 1.0;
	}
	if (mounts_changed(p))
		what |= HOSTVIEW_MOUNTS;
	if (procs_changed(p))
		what |= HOSTVIEW_PROCS;
	if (hostview_update(&p->hv, "/proc", p->pid, &p->cg, what) < 0 &&
	    !first) {
		/* Keep the last view, frozen. */
		p->exited = true;
		p->dirty = true;
		return;
	}
	if (t >= p->next_spark && p->hv.cg.current >= 0) {
		if (p->nspark == SPARK_SAMPLES) {
			memmove(p->spark, p->spark + 1,
				(SPARK_SAMPLES - 1) * sizeof(p->spark[0]));
			p->nspark--;
		}
		p->spark[p->nspark++] = p->hv.cg.current;
		p->next_spark = t + 1.0;
		p->dirty = true;
	}
	n = hostview_format(&p->hv, NULL, 0);
	if (!(text = malloc((size_t)n + 1)))
		return;
	hostview_format(&p->hv, text, (size_t)n + 1);
	if (p->last_text && strcmp(text, p->last_text) == 0) {
		free(text);
		return;
	}
	pane_set_text(p, text, !first);
	free(p->last_text);
	p->last_text = text;
}

static void
pane_release(struct pane *p)
{
	hostview_free(&p->hv);
	pane_free_lines(p);
	pane_close_fds(p);
	free(p->last_text);
	p->last_text = NULL;
}

static void
pane_show(struct pane *p, pid_t pid)
{
	p->pid = pid;
	p->exited = false;
	p->exit_text[0] = '\0';
	p->nspark = 0;
	p->next_spark = 0;
	p->next_slow = 0;
	hostview_free(&p->hv);
	pane_free_lines(p);
	free(p->last_text);
	p->last_text = NULL;
	p->next_tick = 0;
	p->dirty = true;
}

/* LABEL, then CUR against MAX as a bar, then FIGURES. */
static void
draw_bar(const struct tui *t, const struct pane *p, int y, int width,
	 const char *label, double cur, double max, bool alert,
	 const char *figures)
{
	int barw = width - 34, fill;

	fill = max > 0 ? (int)((cur * barw + max - 1) / max) : 0;
	if (fill > barw)
		fill = barw;
	mvwprintw(p->win, y, 1, "%-5s", label);
	wattron(p->win, alert ? ui_attr(t, PAIR_ALERT, A_REVERSE) :
		ui_attr(t, PAIR_ON, A_REVERSE));
	for (int i = 0; i < fill; i++)
		waddch(p->win, ' ');
	wattroff(p->win, A_COLOR | A_REVERSE);
	for (int i = fill; i < barw; i++)
		waddch(p->win, '.');
	waddnstr(p->win, figures, width - barw - 7);
}

/* pids.current against pids.max as a bar, then the last minute's
 * samples as a sparkline. */
static void
draw_pids(const struct tui *t, const struct pane *p, int y, int width)
{
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
		"\u2587", "\u2588",
	};
	static const char ascii[] = " .:-=+*#%@";
	long cur = p->hv.cg.current, max = p->hv.cg.max, top = 1;
	bool full = max > 0 && cur >= max;
	char fig[64];

	if (cur < 0 || width - 34 < 5)
		return;
	if (max >= 0)
		snprintf(fig, sizeof(fig), " %ld/%ld%s", cur, max,
			 full ? " AT LIMIT" : "");
	else
		snprintf(fig, sizeof(fig), " %ld/max", cur);
	draw_bar(t, p, y, width, "pids", (double)cur, (double)max, full, fig);
	for (int i = 0; i < p->nspark; i++)
		if (p->spark[i] > top)
			top = p->spark[i];
	if (max > top)
		top = max;
	wmove(p->win, y + 1, 1);
	wprintw(p->win, "last %2ds ", p->nspark);
	for (int i = 0; i < p->nspark && i < width - 12; i++) {
		int level = (int)(p->spark[i] * 8 / top);

		if (t->utf8)
			waddstr(p->win, blocks[level]);
		else
			waddch(p->win, (chtype)ascii[level]);
	}
}

/* memory.current against memory.max, with the OOM killer's count. */
static void
draw_memory(const struct tui *t, const struct pane *p, int y, int width)
{
	const struct cgroup_stats *st = &p->hv.cg;
	char cur[32], max[32], fig[96];

	if (width - 34 < 5)
		return;
	hostview_size(st->memory_current, cur, sizeof(cur));
	hostview_size(st->memory_max, max, sizeof(max));
	snprintf(fig, sizeof(fig), " %s/%s", cur, max);
	if (st->oom_kills > 0)
		snprintf(fig + strlen(fig), sizeof(fig) - strlen(fig),
			 " OOM KILLED %ld", st->oom_kills);
	draw_bar(t, p, y, width, "mem", (double)st->memory_current,
		 (double)st->memory_max, st->oom_kills > 0, fig);
}

/* Adds S in ATTR, at most *ROOM columns of it, and takes what it used
 * from *ROOM. */
static void
put_clipped(WINDOW *w, const char *s, attr_t attr, int *room)
{
	int n = (int)strlen(s);

	if (*room <= 0)
		return;
	if (n > *room)
		n = *room;
	wattron(w, attr);
	waddnstr(w, s, n);
	wattroff(w, attr);
	*room -= n;
}

static void
draw_pane(const struct tui *t, struct pane *p)
{
	int h, w, y = 1;
	double tnow = now();

	getmaxyx(p->win, h, w);
	werase(p->win);
	{
		/* The title line, cut to the pane's width: a narrow pane
		 * must not wrap it into the next line. */
		char head[160];
		int room = w - 2;

		wmove(p->win, 0, 1);
		if (!p->pid)
			snprintf(head, sizeof(head), "HOST VIEW");
		else
			snprintf(head, sizeof(head), "HOST VIEW of pid %d",
				 (int)p->pid);
		put_clipped(p->win, head, ui_attr(t, PAIR_TITLE, A_BOLD) |
			    A_BOLD, &room);
		/* PAUSED first: cut short, the exit text matters less. */
		if (p->paused)
			put_clipped(p->win, " PAUSED ", A_REVERSE | A_BOLD,
				    &room);
		if (p->exited) {
			snprintf(head, sizeof(head), " EXITED%s%s ",
				 p->exit_text[0] ? ": " : "", p->exit_text);
			put_clipped(p->win, head, ui_attr(t, PAIR_ALERT,
				    A_REVERSE), &room);
		}
	}
	if (!p->pid) {
		mvwprintw(p->win, 2, 1, "No container yet.");
		mvwprintw(p->win, 3, 1, "`run`, `sh` or `start` one, and what the");
		mvwprintw(p->win, 4, 1, "host sees of it appears here.");
		wnoutrefresh(p->win);
		p->dirty = false;
		return;
	}
	if (p->hv.cg.current >= 0 && h > 8) {
		draw_pids(t, p, y, w);
		y += 2;
	}
	if (hostview_has_memory_limit(&p->hv) && h > 10) {
		draw_memory(t, p, y, w);
		y++;
	}
	for (int i = 0; i < p->nlines && y < h; i++, y++) {
		bool hot = p->changed_at[i] > 0 &&
			tnow - p->changed_at[i] < HIGHLIGHT_SECONDS;

		if (hot)
			wattron(p->win, ui_attr(t, PAIR_HIGHLIGHT, A_REVERSE));
		mvwaddnstr(p->win, y, 1, p->text[i], w - 2);
		if (hot)
			wattroff(p->win, A_COLOR | A_REVERSE);
	}
	wnoutrefresh(p->win);
	p->dirty = false;
}

/* True while some highlight is still fading: the pane must be drawn again
 * when it goes out. */
static bool
pane_has_highlights(const struct pane *p)
{
	double tnow = now();

	for (int i = 0; i < p->nlines; i++)
		if (p->changed_at[i] > 0 &&
		    tnow - p->changed_at[i] < HIGHLIGHT_SECONDS + 0.2)
			return true;
	return false;
}

/* --- the REPL's terminal (libvterm) -------------------------------------- */

static int
vt_damage(VTermRect rect, void *user)
{
	struct tui *t = user;

	(void)rect;
	t->left_dirty = true;
	return 1;
}

static int
vt_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	struct tui *t = user;

	(void)old;
	t->cursor = pos;
	t->cursor_shown = visible;
	t->left_dirty = true;
	return 1;
}

static int
vt_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct tui *t = user;

	if (prop == VTERM_PROP_CURSORVISIBLE)
		t->cursor_shown = val->boolean;
	return 1;
}

static void
vt_output(const char *s, size_t len, void *user)
{
	struct tui *t = user;

	(void)fsutil_write_all(t->ptmx, s, len);
}

static const VTermScreenCallbacks vt_callbacks = {
	.damage = vt_damage,
	.movecursor = vt_movecursor,
	.settermprop = vt_settermprop,
};

static attr_t
cell_attr(const struct tui *t, const VTermScreenCell *c)
{
	attr_t a = A_NORMAL;

	if (c->attrs.bold)
		a |= A_BOLD;
	if (c->attrs.underline)
		a |= A_UNDERLINE;
	if (c->attrs.reverse)
		a |= A_REVERSE;
	if (t->color && VTERM_COLOR_IS_INDEXED(&c->fg) &&
	    !VTERM_COLOR_IS_DEFAULT_FG(&c->fg))
		a |= COLOR_PAIR((c->fg.indexed.idx % 8) + 1);
	if (VTERM_COLOR_IS_INDEXED(&c->bg) && !VTERM_COLOR_IS_DEFAULT_BG(&c->bg))
		a |= A_REVERSE;
	return a;
}

static void
draw_left(struct tui *t)
{
	int h, w;

	getmaxyx(t->left, h, w);
	for (int row = 0; row < h; row++) {
		wmove(t->left, row, 0);
		for (int col = 0; col < w;) {
			VTermScreenCell c;
			VTermPos pos = { row, col };
			wchar_t wc[VTERM_MAX_CHARS_PER_CELL + 1] = { 0 };
			cchar_t cc;
			int n = 0;

			if (!vterm_screen_get_cell(t->vs, pos, &c)) {
				col++;
				continue;
			}
			for (; n < VTERM_MAX_CHARS_PER_CELL && c.chars[n]; n++)
				wc[n] = (wchar_t)c.chars[n];
			if (n == 0)
				wc[n++] = L' ';
			setcchar(&cc, wc, cell_attr(t, &c), 0, NULL);
			mvwadd_wch(t->left, row, col, &cc);
			col += c.width > 0 ? c.width : 1;
		}
	}
	t->left_dirty = false;
}

/* --- layout and the status line ---------------------------------------- */

/* Takes the terminal's new size (our SIGWINCH handler replaced curses'). */
static void
resize_curses(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
}

/* Rows for the lesson panel out of AVAIL: enough for its text, within
 * a share of the screen. */
static int
lesson_rows(const struct tui *t, int avail, int share_pct)
{
	int want = 0, most = avail * share_pct / 100;

	if (!t->lesson_text || t->lesson_hidden)
		return 0;
	for (const char *c = t->lesson_text; *c; c++)
		want += *c == '\n';
	want += 4; /* wrapped lines, roughly: the rest is cut with a note */
	if (most < 5)
		most = 5;
	return want < most ? want : most;
}

static void
layout(struct tui *t)
{
	struct winsize ws = { 0 };
	int lrows, lcols, top = 0, nles;

	getmaxyx(stdscr, t->rows, t->cols);
	if (t->left)
		delwin(t->left);
	if (t->pane.win)
		delwin(t->pane.win);
	if (t->status)
		delwin(t->status);
	if (t->lesson)
		delwin(t->lesson);
	t->lesson = NULL;
	erase();
	t->side_by_side = t->cols >= (t->presenting ? 100 : 120);
	if (t->presenting) {
		/* The narrative on top, large; the REPL and the pane below. */
		int body, rcols;

		nles = (t->rows - 1) * 2 / 5;
		if (nles < 6)
			nles = 6;
		t->lesson = newwin(nles, t->cols, 0, 0);
		mvhline_set(nles, 0, WACS_HLINE, t->cols);
		top = nles + 1;
		body = t->rows - 1 - top;
		if (t->side_by_side) {
			lcols = t->cols * 11 / 20;
			rcols = t->cols - lcols - 1;
			lrows = body;
			t->left = newwin(lrows, lcols, top, 0);
			mvvline_set(top, lcols, WACS_VLINE, lrows);
			t->pane.win = newwin(lrows, rcols, top, lcols + 1);
		} else {
			lcols = t->cols;
			lrows = body * 3 / 5;
			t->left = newwin(lrows, lcols, top, 0);
			mvhline_set(top + lrows, 0, WACS_HLINE, t->cols);
			t->pane.win = newwin(body - lrows - 1, t->cols,
					     top + lrows + 1, 0);
		}
	} else if (t->side_by_side) {
		int rcols;

		lcols = t->cols * 11 / 20;
		rcols = t->cols - lcols - 1;
		lrows = t->rows - 1;
		t->left = newwin(lrows, lcols, 0, 0);
		nles = lesson_rows(t, lrows, 50);
		if (nles) {
			t->lesson = newwin(nles, rcols, 0, lcols + 1);
			mvhline_set(nles, lcols + 1, WACS_HLINE, rcols);
			top = nles + 1;
		}
		t->pane.win = newwin(lrows - top, rcols, top, lcols + 1);
		/* the separator */
		mvvline_set(0, lcols, WACS_VLINE, lrows);
	} else {
		nles = lesson_rows(t, t->rows - 1, 30);
		if (nles) {
			t->lesson = newwin(nles, t->cols, 0, 0);
			mvhline_set(nles, 0, WACS_HLINE, t->cols);
			top = nles + 1;
		}
		lcols = t->cols;
		lrows = (t->rows - 1 - top) * 11 / 20;
		t->left = newwin(lrows, lcols, top, 0);
		mvhline_set(top + lrows, 0, WACS_HLINE, t->cols);
		t->pane.win = newwin(t->rows - top - lrows - 2, t->cols,
				     top + lrows + 1, 0);
	}
	t->status = newwin(1, t->cols, t->rows - 1, 0);
	wnoutrefresh(stdscr);
	if (t->vt) {
		vterm_set_size(t->vt, lrows, lcols);
		ws.ws_row = (unsigned short)lrows;
		ws.ws_col = (unsigned short)lcols;
		ioctl(t->ptmx, TIOCSWINSZ, &ws);
	}
	t->left_dirty = true;
	t->pane.dirty = true;
	t->lesson_dirty = true;
}

/* Draws wide string S (N characters) at row *Y of W, wrapped at words
 * to the window's width, in ATTR.  Returns false when the window is
 * full. */
static bool
put_wrapped(WINDOW *w, int *y, const wchar_t *s, size_t n, attr_t attr)
{
	int h, width;

	getmaxyx(w, h, width);
	width -= 2;
	do {
		size_t take = 0, brk = 0;
		int cols = 0;

		if (*y >= h)
			return false;
		while (take < n) {
			int cw = wcwidth(s[take]);

			cw = cw < 0 ? 1 : cw;
			if (cols + cw > width)
				break;
			if (s[take] == L' ')
				brk = take;
			cols += cw;
			take++;
		}
		if (take < n && brk > 0)
			take = brk + 1;
		wattron(w, attr);
		mvwaddnwstr(w, (*y)++, 1, s, (int)take);
		wattroff(w, attr);
		s += take;
		n -= take;
	} while (n > 0);
	return true;
}

/* The lesson panel: the step's header and title, its prose rewrapped to
 * the panel (paragraphs joined; indented, list and fenced lines kept),
 * then the checks and hints. */
static void
draw_lesson(struct tui *t)
{
	wchar_t para[8192];
	size_t plen = 0;
	int y = 0, lineno = 0, h, w;
	bool fenced = false, full = false;
	const char *c = t->lesson_text;

	if (!t->lesson)
		return;
	getmaxyx(t->lesson, h, w);
	(void)w;
	werase(t->lesson);
	if (t->presenting) {
		wchar_t title[512];
		size_t tn = mbstowcs(title, t->script_lesson.title,
				     sizeof(title) / sizeof(title[0]) - 1);

		if (tn != (size_t)-1)
			full = !put_wrapped(t->lesson, &y, title, tn,
					    ui_attr(t, PAIR_TITLE, A_BOLD) |
					    A_BOLD | A_UNDERLINE);
		y++;
	}
	while (c && *c && !full) {
		const char *nl = strchr(c, '\n');
		size_t len = nl ? (size_t)(nl - c) : strlen(c);
		char line[4096];
		wchar_t wl[4096];
		size_t wn;
		bool keep;
		attr_t a = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ?
			 len : sizeof(line) - 1), c);
		c += len + (nl ? 1 : 0);
		wn = mbstowcs(wl, line, sizeof(wl) / sizeof(wl[0]) - 1);
		if (wn == (size_t)-1)
			wn = 0;
		wl[wn] = L'\0';
		if (strncmp(line, "```", 3) == 0)
			fenced = !fenced;
		keep = fenced || line[0] == ' ' || line[0] == '-' ||
		       line[0] == '*' || lineno < 2 ||
		       strncmp(line, "✓", 3) == 0 ||
		       strncmp(line, "·", 2) == 0 ||
		       strncmp(line, "hint ", 5) == 0 ||
		       strncmp(line, "```", 3) == 0;
		if ((keep || wn == 0) && plen) {
			full = !put_wrapped(t->lesson, &y, para, plen,
					    t->theme == TUI_THEME_PROJECTOR ?
					    A_BOLD : 0);
			plen = 0;
		}
		if (lineno == 0)
			a = ui_attr(t, PAIR_TITLE, A_BOLD) | A_BOLD;
		else if (lineno == 1 || t->theme == TUI_THEME_PROJECTOR)
			a = A_BOLD;
		else if (strncmp(line, "✓", 3) == 0)
			a = A_BOLD;
		else if (strncmp(line, "·", 2) == 0)
			a = A_DIM;
		lineno++;
		if (wn == 0) {
			y++;
		} else if (keep) {
			if (!t->utf8 && (a == A_BOLD || a == A_DIM) && lineno > 2)
				wl[0] = a == A_BOLD ? L'+' : L'-';
			full = !put_wrapped(t->lesson, &y, wl, wn, a);
		} else {
			if (plen && plen < sizeof(para) / sizeof(para[0]) - 1)
				para[plen++] = L' ';
			for (size_t i = 0; i < wn &&
			     plen < sizeof(para) / sizeof(para[0]) - 1; i++)
				para[plen++] = wl[i];
		}
	}
	if (plen && !full)
		full = !put_wrapped(t->lesson, &y, para, plen, 0);
	if ((full || y > h) && !t->presenting) {
		wattron(t->lesson, A_REVERSE);
		mvwprintw(t->lesson, h - 1, 1, " more: `lesson` prints the "
			  "step, F3 hides this panel ");
		wattroff(t->lesson, A_REVERSE);
	}
	wnoutrefresh(t->lesson);
	t->lesson_dirty = false;
}

/* Projector mode's status line: the keys, and where the script is. */
static void
draw_legend(struct tui *t)
{
	const struct lesson_step *s;

	werase(t->status);
	wattron(t->status, A_REVERSE | A_BOLD);
	if (t->free_typing) {
		mvwprintw(t->status, 0, 0, " FREE TYPING: the keys go to the "
			  "REPL. Esc returns to the script ");
	} else {
		mvwprintw(t->status, 0, 0, " Space/\u2192 type  Enter run  "
			  "\u2190 back  h hint  p %s  f free typing  q quit ",
			  t->pane.paused ? "resume" : "pause");
	}
	wattroff(t->status, A_REVERSE | A_BOLD);
	if (t->flash[0] && now() < t->flash_until) {
		wattron(t->status, ui_attr(t, PAIR_ALERT, A_REVERSE));
		wprintw(t->status, " %s ", t->flash);
		wattroff(t->status, A_COLOR | A_REVERSE);
	} else if (t->script_lesson.nsteps) {
		s = &t->script_lesson.steps[t->script.step];
		wprintw(t->status, " step %zu/%zu", t->script.step + 1,
			t->script_lesson.nsteps);
		if (t->script.cmd >= s->ncommands &&
		    t->script.step + 1 == t->script_lesson.nsteps)
			wprintw(t->status, ", the end");
		else if (t->script.cmd >= s->ncommands)
			wprintw(t->status, ": Space for the next step");
	}
	wnoutrefresh(t->status);
}

static void
draw_status(struct tui *t)
{
	if (t->presenting) {
		draw_legend(t);
		return;
	}
	int width = 0, off = 0;
	bool all;
	char list[160], rest[512], *o = rest;
	const char *end = rest + sizeof(rest);

	/* The rest of the line first: it decides how much room the layers
	 * have. */
	o += snprintf(o, (size_t)(end - o), "| host %s | root %s | ",
		      t->hostname, strrchr(t->rootfs, '/') &&
		      strlen(t->rootfs) > 24 ? strrchr(t->rootfs, '/') + 1 :
		      t->rootfs);
	if (o < end && !t->pane.pid)
		o += snprintf(o, (size_t)(end - o), "no container");
	else if (o < end)
		o += snprintf(o, (size_t)(end - o), "pid %d %s",
			      (int)t->pane.pid, t->pane.exited ? "exited" :
			      "running");
	if (o < end)
		o += snprintf(o, (size_t)(end - o), " | F2 %s",
			      t->pane.paused ? "resume" : "pause");
	if (o < end && t->lesson_text)
		snprintf(o, (size_t)(end - o), " | F3 %s lesson",
			 t->lesson_hidden ? "show" : "hide");
	werase(t->status);
	wmove(t->status, 0, 0);
	snprintf(list, sizeof(list), ",%s,", t->layers);
	for (int i = 0; i < PLAN_NLAYERS; i++)
		width += (int)strlen(plan_layer_info(i)->name) + 3;
	/* Every layer, on or off, when there is room beside the rest of
	 * the line; else the ones that are on, and how many are off. */
	all = width + (int)strlen(rest) <= t->cols;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const char *name = plan_layer_info(i)->name;
		char want[32];
		bool on;

		snprintf(want, sizeof(want), ",%s,", name);
		on = strstr(list, want) != NULL;
		if (!on && !all) {
			off++;
			continue;
		}
		wattron(t->status, on ? ui_attr(t, PAIR_ON, A_REVERSE) | A_BOLD :
			A_DIM);
		wprintw(t->status, " %s ", name);
		wattroff(t->status, A_COLOR | A_REVERSE | A_BOLD | A_DIM);
		waddch(t->status, ' ');
	}
	if (off == PLAN_NLAYERS)
		wprintw(t->status, "no layers ");
	else if (off)
		wprintw(t->status, "(%d off) ", off);
	waddstr(t->status, rest);
	wnoutrefresh(t->status);
}

/* --- events from the REPL ------------------------------------------------ */

static void
handle_event(struct tui *t, char *line)
{
	char layers[128], host[65], root[4096], text[64];
	int pid, ms;

	if (sscanf(line, "plan %127s %64s %4095s", layers, host, root) == 3) {
		snprintf(t->layers, sizeof(t->layers), "%s",
			 strcmp(layers, "-") ? layers : "");
		snprintf(t->hostname, sizeof(t->hostname), "%s", host);
		snprintf(t->rootfs, sizeof(t->rootfs), "%s", root);
	} else if (sscanf(line, "start %d", &pid) == 1) {
		pane_show(&t->pane, (pid_t)pid);
	} else if (sscanf(line, "exit %d %63[^\n]", &pid, text) == 2) {
		if (pid == t->pane.pid) {
			t->pane.exited = true;
			snprintf(t->pane.exit_text, sizeof(t->pane.exit_text),
				 "%s", text);
			t->pane.dirty = true;
		}
	} else if (strcmp(line, "prompt") == 0) {
		t->at_prompt = true;
	} else if (strcmp(line, "busy") == 0) {
		t->at_prompt = false;
	} else if (strncmp(line, "panel ", 6) == 0) {
		char *o;

		int rows_before = lesson_rows(t, t->rows - 1, 50);
		bool had = t->lesson_text != NULL;

		free(t->lesson_text);
		t->lesson_text = NULL;
		if (line[6] && (t->lesson_text = malloc(strlen(line)))) {
			o = t->lesson_text;
			for (const char *i = line + 6; *i; i++) {
				if (*i == '\\' && i[1]) {
					i++;
					*o++ = *i == 'n' ? '\n' : *i;
				} else {
					*o++ = *i;
				}
			}
			*o = '\0';
		}
		/* A new layout only when the panel comes, goes or changes
		 * size: after each command only its text does. */
		if (had != (t->lesson_text != NULL) ||
		    rows_before != lesson_rows(t, t->rows - 1, 50))
			layout(t);
		else
			t->lesson_dirty = true;
	} else if (sscanf(line, "refresh %d", &ms) == 1) {
		t->pane.refresh_ms = ms;
		t->pane.next_tick = 0;
	}
}

static void
read_events(struct tui *t)
{
	ssize_t n = read(t->events, t->evbuf + t->evlen,
			 sizeof(t->evbuf) - 1 - t->evlen);
	char *nl;

	if (n <= 0)
		return;
	t->evlen += (size_t)n;
	t->evbuf[t->evlen] = '\0';
	while ((nl = strchr(t->evbuf, '\n')) != NULL) {
		*nl = '\0';
		handle_event(t, t->evbuf);
		memmove(t->evbuf, nl + 1, t->evlen - (size_t)(nl + 1 - t->evbuf));
		t->evlen -= (size_t)(nl + 1 - t->evbuf);
		t->evbuf[t->evlen] = '\0';
	}
	if (t->evlen == sizeof(t->evbuf) - 1)
		t->evlen = 0; /* a line too long to be ours: drop it */
}

/* --- keys ------------------------------------------------------------------ */

static size_t
match_key(const char *s, size_t n, const char *const seqs[3])
{
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(seqs[i]);

		if (n >= l && memcmp(s, seqs[i], l) == 0)
			return l;
	}
	return 0;
}

/* F2 and F3, as xterm, tmux and the Linux console send them. */
static const char *const seq_f2[3] = { "\033OQ", "\033[12~", "\033[[B" };
static const char *const seq_f3[3] = { "\033OR", "\033[13~", "\033[[C" };

static void
forward_keys(struct tui *t, const char *buf, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n;) {
		size_t l2 = match_key(buf + i, n - i, seq_f2);
		size_t l3 = l2 ? 0 : match_key(buf + i, n - i, seq_f3);

		if (!l2 && !l3) {
			i++;
			continue;
		}
		vt_output(buf + start, i - start, t);
		if (l2) {
			t->pane.paused = !t->pane.paused;
			t->pane.next_tick = 0;
			t->pane.dirty = true;
		} else if (t->lesson_text) {
			t->lesson_hidden = !t->lesson_hidden;
			layout(t);
		}
		i += l2 + l3;
		start = i;
	}
	vt_output(buf + start, n - start, t);
}

/* --- projector mode's keys ----------------------------------------------- */

static void
note(struct tui *t, const char *text)
{
	snprintf(t->flash, sizeof(t->flash), "%s", text);
	t->flash_until = now() + 3;
}

static void
to_repl(struct tui *t, const char *s, size_t n)
{
	(void)fsutil_write_all(t->ptmx, s, n);
}

/* Types a runner command on a fresh line (Ctrl-U clears what is there). */
static void
steer(struct tui *t, const char *cmd)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "\025%s\r", cmd);

	to_repl(t, line, (size_t)n);
	t->at_prompt = false;
}

static void
script_key(struct tui *t, const char *k, size_t n)
{
	struct present_action a = { PRESENT_NOTHING, NULL, 0 };
	bool space = n == 1 && k[0] == ' ';
	bool right = n == 3 && (memcmp(k, "\033[C", 3) == 0 ||
				memcmp(k, "\033OC", 3) == 0);
	bool left = n == 3 && (memcmp(k, "\033[D", 3) == 0 ||
			       memcmp(k, "\033OD", 3) == 0);
	bool enter = n == 1 && (k[0] == '\r' || k[0] == '\n');
	char cmd[32];

	if (n == 1 && k[0] == 'q') {
		got_quit = SIGTERM;
		return;
	}
	if (n == 1 && k[0] == 'p') {
		t->pane.paused = !t->pane.paused;
		t->pane.next_tick = 0;
		t->pane.dirty = true;
		return;
	}
	if (n == 1 && k[0] == 'f') {
		t->free_typing = true;
		return;
	}
	if (!space && !right && !left && !enter && !(n == 1 && k[0] == 'h'))
		return;
	if (!t->at_prompt) {
		note(t, "a command is running: wait, or f to type into it");
		return;
	}
	if (n == 1 && k[0] == 'h') {
		steer(t, "hint");
		return;
	}
	if (left) {
		if (!present_back(&t->script)) {
			note(t, "this is the first step");
			return;
		}
		snprintf(cmd, sizeof(cmd), "goto %zu", t->script.step + 1);
		steer(t, cmd);
		return;
	}
	/* Ctrl-U first: the line holds only what the script types. */
	if (!present_mid_command(&t->script))
		to_repl(t, "\025", 1);
	a = enter ? present_enter(&t->script) : present_space(&t->script);
	switch (a.what) {
	case PRESENT_TYPE:
		to_repl(t, a.bytes, a.len);
		break;
	case PRESENT_RUN:
		to_repl(t, a.bytes, a.len);
		to_repl(t, "\r", 1);
		t->at_prompt = false;
		break;
	case PRESENT_STEP:
		steer(t, "next");
		break;
	case PRESENT_NOTHING:
		note(t, t->script.cmd < t->script_lesson.steps[t->script.step]
		      .ncommands ? "Enter runs the command" :
		      "the end of the lesson: q quits");
		break;
	}
}

static void
present_keys(struct tui *t, const char *buf, size_t n)
{
	if (t->free_typing) {
		if (n == 1 && buf[0] == '\033') {
			t->free_typing = false;
			return;
		}
		forward_keys(t, buf, n);
		return;
	}
	if (match_key(buf, n, seq_f2)) {
		script_key(t, "p", 1);
		return;
	}
	script_key(t, buf, n);
}

int
tui_theme_parse(const char *name)
{
	if (strcmp(name, "dark") == 0)
		return TUI_THEME_DARK;
	if (strcmp(name, "light") == 0)
		return TUI_THEME_LIGHT;
	if (strcmp(name, "projector") == 0)
		return TUI_THEME_PROJECTOR;
	return -1;
}

/* --- the main loop -------------------------------------------------------- */

static int
poll_timeout(const struct pane *p)
{
	double wait;

	if (!p->pid || p->paused || p->exited)
		return pane_has_highlights(p) ? 250 : -1;
	wait = p->next_tick - now();
	return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}

static void
start_repl(struct tui *t, struct repl *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	getmaxyx(t->left, ws.ws_row, ws.ws_col);
	r->panel = true;
	t->child = relay_fork(r, &ws, NULL, &t->ptmx, &t->events);
	if (t->child < 0) {
		restore_terminal();
		perror("boxstep: cannot make a pty for the REPL");
		exit(1);
	}
}

int
tui_main(struct repl *r, const struct tui_opts *opts)
{
	struct tui t = { .ptmx = -1, .events = -1 };
	int status = 0;

	t.theme = opts->theme;
	if (opts->present) {
		char *text = fsutil_slurp(opts->present, NULL);
		char err[2048];

		if (!text || lesson_parse(text, opts->present,
					  course_known_command,
					  &t.script_lesson, err,
					  sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: %s\n", text ? err :
				strerror(errno));
			free(text);
			return 2;
		}
		free(text);
		present_init(&t.script, &t.script_lesson);
		t.presenting = true;
		if (t.theme == TUI_THEME_DEFAULT)
			t.theme = TUI_THEME_PROJECTOR;
		snprintf(r->start_lesson, sizeof(r->start_lesson), "%s",
			 opts->present);
		r->lesson_fresh = true;
	}

	t.pane.refresh_ms = 200;
	t.pane.mounts_fd[0] = t.pane.mounts_fd[1] = -1;
	t.pane.cg = r->session.cg;
	snprintf(t.hostname, sizeof(t.hostname), "%s", r->plan.hostname);
	snprintf(t.rootfs, sizeof(t.rootfs), "%s", r->plan.rootfs);
	start_curses(&t);
	layout(&t);
	start_repl(&t, r);
	t.vt = vterm_new(getmaxy(t.left), getmaxx(t.left));
	vterm_set_utf8(t.vt, 1);
	vterm_output_set_callback(t.vt, vt_output, &t);
	t.vs = vterm_obtain_screen(t.vt);
	vterm_screen_set_callbacks(t.vs, &vt_callbacks, &t);
	vterm_screen_enable_altscreen(t.vs, 1);
	vterm_screen_reset(t.vs, 1);

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t.ptmx, .events = POLLIN },
			{ .fd = t.events, .events = POLLIN },
		};
		char buf[8192];
		ssize_t n;

		if (got_quit) {
			kill(t.child, SIGTERM);
			break;
		}
		if (got_winch) {
			got_winch = 0;
			resize_curses();
			layout(&t);
		}
		if (poll(fds, 3, poll_timeout(&t.pane)) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n > 0 && t.presenting)
				present_keys(&t, buf, (size_t)n);
			else if (n > 0)
				forward_keys(&t, buf, (size_t)n);
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			char shown[sizeof(buf) + sizeof(t.cap.hold)];
			bool ended;
			size_t o;

			n = read(t.ptmx, buf, sizeof(buf));
			if (n <= 0)
				break; /* the REPL has ended */
			o = capture_filter(&t.cap, buf, (size_t)n, shown, &ended);
			vterm_input_write(t.vt, shown, o);
			if (ended)
				capture_reply(&t.cap, t.events);
		}
		if (fds[2].revents & POLLIN)
			read_events(&t);
		if (t.pane.pid && !t.pane.paused && now() >= t.pane.next_tick) {
			pane_tick(&t.pane);
			t.pane.next_tick = now() + t.pane.refresh_ms / 1000.0;
		}
		if (t.pane.dirty || pane_has_highlights(&t.pane))
			draw_pane(&t, &t.pane);
		draw_status(&t);
		if (t.lesson_dirty)
			draw_lesson(&t);
		if (t.left_dirty)
			draw_left(&t);
		wmove(t.left, t.cursor.row, t.cursor.col);
		wnoutrefresh(t.left);
		curs_set(t.cursor_shown ? 1 : 0);
		doupdate();
	}
	restore_terminal();
	while (waitpid(t.child, &status, 0) < 0 && errno == EINTR)
		;
	vterm_free(t.vt);
	pane_release(&t.pane);
	capture_free(&t.cap);
	free(t.lesson_text);
	lesson_free(&t.script_lesson);
	close(t.ptmx);
	close(t.events);
	if (got_quit)
		return 128 + got_quit;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
tui_watch(pid_t pid)
{
	struct tui t = { .ptmx = -1, .events = -1 };
	bool gone = false;

	/* what it finds, or for each controller why not */
	cgroup_detect(&t.pane.cg, CGROUP_DEFAULT_ROOT, NULL, 0);
	t.pane.refresh_ms = 200;
	t.pane.mounts_fd[0] = t.pane.mounts_fd[1] = -1;
	start_curses(&t);
	getmaxyx(stdscr, t.rows, t.cols);
	t.pane.win = newwin(t.rows - 1, t.cols, 0, 0);
	t.status = newwin(1, t.cols, t.rows - 1, 0);
	pane_show(&t.pane, pid);
	while (!got_quit) {
		struct pollfd fd = { .fd = STDIN_FILENO, .events = POLLIN };
		char buf[64];
		ssize_t n;

		if (got_winch) {
			got_winch = 0;
			resize_curses();
			getmaxyx(stdscr, t.rows, t.cols);
			wresize(t.pane.win, t.rows - 1, t.cols);
			mvwin(t.status, t.rows - 1, 0);
			wresize(t.status, 1, t.cols);
			t.pane.dirty = true;
		}
		if (poll(&fd, 1, poll_timeout(&t.pane)) > 0 &&
		    (n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
			if (buf[0] == 'q' || buf[0] == 3 || buf[0] == 4)
				break;
			if (match_key(buf, (size_t)n, seq_f2) || buf[0] == 'p') {
				t.pane.paused = !t.pane.paused;
				t.pane.dirty = true;
			}
		}
		if (!t.pane.paused && now() >= t.pane.next_tick) {
			pane_tick(&t.pane);
			t.pane.next_tick = now() + t.pane.refresh_ms / 1000.0;
		}
		if (t.pane.exited || (t.pane.hv.gone && !t.pane.nlines)) {
			gone = true;
			break;
		}
		if (t.pane.dirty || pane_has_highlights(&t.pane))
			draw_pane(&t, &t.pane);
		werase(t.status);
		mvwprintw(t.status, 0, 0, " watching pid %d from the host | p "
			  "or F2 %s | q quits", (int)pid,
			  t.pane.paused ? "resumes" : "pauses");
		wnoutrefresh(t.status);
		doupdate();
	}
	restore_terminal();
	pane_release(&t.pane);
	if (gone) {
		printf("boxstep: process %d has gone; stopped watching\n",
		       (int)pid);
		return 0;
	}
	return got_quit ? 128 + got_quit : 0;
}
