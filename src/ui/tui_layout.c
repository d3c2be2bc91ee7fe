/* tui_layout: where the TUI's windows go, and the lesson panel. */
#define _GNU_SOURCE
#include "ui/tui_layout.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <wchar.h>

/* --- drawing primitives, shared with the TUI's other files ---------------- */

/* The monotonic clock, in seconds. */
double
tui_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An attribute for UI element PAIR, or its monochrome stand-in. */
attr_t
tui_attr(const struct tui *t, short pair, attr_t mono)
{
	return t->color ? COLOR_PAIR(pair) : mono;
}

/* Writes S at Y, X in at most WIDTH columns; a cut line ends with a
 * mark. */
void
tui_put_cut(WINDOW *w, int y, int x, const char *s, int width, bool utf8)
{
	wchar_t wl[1024];
	size_t n = mbstowcs(wl, s, sizeof(wl) / sizeof(wl[0]) - 1), take = 0;
	size_t fit_take = 0;
	int cols = 0;

	if (n == (size_t)-1) {
		/* not text in this locale: as bytes */
		mvwaddnstr(w, y, x, s, width);
		return;
	}
	for (; take < n; take++) {
		int cw = wcwidth(wl[take]);

		cw = cw < 0 ? 1 : cw;
		if (cols + cw > width)
			break;
		cols += cw;
		/* Where the cut goes if the mark is needed: its column kept. */
		if (cols <= width - 1)
			fit_take = take + 1;
	}
	if (take == n) {
		mvwaddnwstr(w, y, x, wl, (int)n);
		return;
	}
	mvwaddnwstr(w, y, x, wl, (int)fit_take);
	if (width > 0)
		waddwstr(w, utf8 ? L"\u2026" : L">");
}

int
tui_lesson_rows(const struct tui *t, int avail, int share_pct)
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

/* Projector mode: the narrative on top, large; the REPL and the pane
 * below.  Sets *LROWS and *LCOLS to the REPL's size. */
static void
layout_present(struct tui *t, int *lrows, int *lcols)
{
	int nles, top, body, rcols;

	nles = (t->rows - 1) * 2 / 5;
	if (nles < 6)
		nles = 6;
	t->lesson = newwin(nles, t->cols, 0, 0);
	mvhline_set(nles, 0, WACS_HLINE, t->cols);
	top = nles + 1;
	body = t->rows - 1 - top;
	if (t->side_by_side) {
		*lcols = t->cols * 11 / 20;
		rcols = t->cols - *lcols - 1;
		*lrows = body;
		t->left = newwin(*lrows, *lcols, top, 0);
		mvvline_set(top, *lcols, WACS_VLINE, *lrows);
		t->pane.win = newwin(*lrows, rcols, top, *lcols + 1);
	} else {
		*lcols = t->cols;
		*lrows = body * 3 / 5;
		t->left = newwin(*lrows, *lcols, top, 0);
		mvhline_set(top + *lrows, 0, WACS_HLINE, t->cols);
		t->pane.win = newwin(body - *lrows - 1, t->cols,
				     top + *lrows + 1, 0);
	}
}

/* From 120 columns: the REPL on the left; on the right the lesson panel
 * (unless F3 hid it) over the pane. */
static void
layout_side(struct tui *t, int *lrows, int *lcols)
{
	int rcols, nles, top = 0;

	*lcols = t->cols * 11 / 20;
	rcols = t->cols - *lcols - 1;
	*lrows = t->rows - 1;
	t->left = newwin(*lrows, *lcols, 0, 0);
	nles = tui_lesson_rows(t, *lrows, 50);
	if (nles) {
		t->lesson = newwin(nles, rcols, 0, *lcols + 1);
		mvhline_set(nles, *lcols + 1, WACS_HLINE, rcols);
		top = nles + 1;
	}
	t->pane.win = newwin(*lrows - top, rcols, top, *lcols + 1);
	mvvline_set(0, *lcols, WACS_VLINE, *lrows);
}

/* Below 120 columns: the REPL on top with at least half the rows; below
 * it the lesson panel or the pane, in turns (F3). */
static void
layout_stacked(struct tui *t, int *lrows, int *lcols)
{
	int avail = t->rows - 1, below;

	*lcols = t->cols;
	*lrows = (avail + 1) / 2;
	if (*lrows * 2 < t->rows)
		(*lrows)++;
	below = avail - *lrows - 1;
	t->left = newwin(*lrows, *lcols, 0, 0);
	mvhline_set(*lrows, 0, WACS_HLINE, t->cols);
	t->pane.win = newwin(below, t->cols, *lrows + 1, 0);
	if (t->lesson_text && !t->lesson_hidden) {
		t->lesson = newwin(below, t->cols, *lrows + 1, 0);
		t->pane_hidden = true;
	}
}

void
tui_layout(struct tui *t)
{
	struct winsize ws = { 0 };
	int lrows, lcols;

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
	t->pane_hidden = false;
	erase();
	t->side_by_side = t->cols >= (t->presenting ? 100 : 120);
	if (t->presenting)
		layout_present(t, &lrows, &lcols);
	else if (t->side_by_side)
		layout_side(t, &lrows, &lcols);
	else
		layout_stacked(t, &lrows, &lcols);
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

/* --- the lesson panel -------------------------------------------------------- */

/* One pass over the panel's text: measuring (no window), or drawing with
 * the prose held to PROSE_ROOM rows. */
struct panel_pass {
	WINDOW *w;            /* NULL: only count the rows */
	int h, width;
	int y;
	int prose_room;       /* rows the prose may take; INT_MAX: all */
	int prose_rows, other_rows; /* what each took (or would) */
	bool cut;             /* some prose was dropped... */
	int cut_row;          /* ...and the note goes here */
};

/* True when prose has no more room: the first time, the row for the
 * note is taken. */
static bool
prose_full(struct panel_pass *p)
{
	if (p->prose_rows < p->prose_room)
		return false;
	if (!p->cut) {
		p->cut = true;
		p->cut_row = p->y++;
	}
	return true;
}

/* Wraps wide string S (N characters) at words to the panel's width, in
 * ATTR, from row P->y on.  PROSE: it counts against the prose's room.
 * Returns false when the window is full. */
static bool
put_wrapped(struct panel_pass *p, const wchar_t *s, size_t n, attr_t attr,
	    bool prose)
{
	do {
		size_t take = 0, brk = 0;
		int cols = 0;

		if (p->w && p->y >= p->h)
			return false;
		if (prose && prose_full(p))
			return true;
		while (take < n) {
			int cw = wcwidth(s[take]);

			cw = cw < 0 ? 1 : cw;
			if (cols + cw > p->width)
				break;
			if (s[take] == L' ')
				brk = take;
			cols += cw;
			take++;
		}
		if (take < n && brk > 0)
			take = brk + 1;
		if (take == 0)
			take = 1;
		if (p->w) {
			wattron(p->w, attr);
			mvwaddnwstr(p->w, p->y, 1, s, (int)take);
			wattroff(p->w, attr);
		}
		p->y++;
		*(prose ? &p->prose_rows : &p->other_rows) += 1;
		s += take;
		n -= take;
	} while (n > 0);
	return true;
}

/* A blank line: prose's room when PROSE. */
static bool
put_blank(struct panel_pass *p, bool prose)
{
	if (p->w && p->y >= p->h)
		return false;
	if (prose && prose_full(p))
		return true;
	p->y++;
	*(prose ? &p->prose_rows : &p->other_rows) += 1;
	return true;
}

/* The part of the panel a line belongs to: the checks, hints and the
 * done note are kept before any prose. */
static bool
line_is_prose(const char *line, int lineno, bool past_prose)
{
	if (lineno < 2 || past_prose)
		return false;
	return !(strncmp(line, "✓", 3) == 0 || strncmp(line, "·", 2) == 0 ||
		 strncmp(line, "hint ", 5) == 0 ||
		 strncmp(line, "Done!", 5) == 0);
}

/* The attribute of a panel line. */
static attr_t
line_attr(const struct tui *t, const char *line, int lineno)
{
	if (lineno == 0)
		return tui_attr(t, PAIR_TITLE, A_BOLD) | A_BOLD;
	if (lineno == 1 || t->theme == TUI_THEME_PROJECTOR)
		return A_BOLD;
	if (strncmp(line, "✓", 3) == 0)
		return A_BOLD;
	if (strncmp(line, "·", 2) == 0)
		return A_DIM;
	return 0;
}

/* Lays out (or measures) the panel's text: prose rewrapped (paragraphs
 * joined; indented, list and fenced lines kept), checks and hints as
 * they are.  Returns false when the window filled. */
static bool
panel_text(const struct tui *t, struct panel_pass *p)
{
	static wchar_t para[8192];
	size_t plen = 0;
	int lineno = 0;
	bool fenced = false, past_prose = false;
	const char *c = t->lesson_text;
	attr_t para_attr = t->theme == TUI_THEME_PROJECTOR ? A_BOLD : 0;

	while (c && *c) {
		const char *nl = strchr(c, '\n');
		size_t len = nl ? (size_t)(nl - c) : strlen(c);
		char line[4096];
		wchar_t wl[4096];
		size_t wn;
		bool keep, prose;
		attr_t a;

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ?
			 len : sizeof(line) - 1), c);
		c += len + (nl ? 1 : 0);
		wn = mbstowcs(wl, line, sizeof(wl) / sizeof(wl[0]) - 1);
		if (wn == (size_t)-1)
			wn = 0;
		wl[wn] = L'\0';
		prose = line_is_prose(line, lineno, past_prose);
		past_prose |= lineno >= 2 && !prose && wn > 0;
		if (strncmp(line, "```", 3) == 0)
			fenced = !fenced;
		keep = fenced || line[0] == ' ' || line[0] == '-' ||
		       line[0] == '*' || !prose || strncmp(line, "```", 3) == 0;
		if ((keep || wn == 0) && plen) {
			if (!put_wrapped(p, para, plen, para_attr, true))
				return false;
			plen = 0;
		}
		a = line_attr(t, line, lineno++);
		if (wn == 0) {
			if (!put_blank(p, prose))
				return false;
		} else if (keep) {
			if (!t->utf8 && (a == A_BOLD || a == A_DIM) && lineno > 2)
				wl[0] = a == A_BOLD ? L'+' : L'-';
			if (!put_wrapped(p, wl, wn, a, prose))
				return false;
		} else {
			if (plen && plen < sizeof(para) / sizeof(para[0]) - 1)
				para[plen++] = L' ';
			for (size_t i = 0; i < wn &&
			     plen < sizeof(para) / sizeof(para[0]) - 1; i++)
				para[plen++] = wl[i];
		}
	}
	return !plen || put_wrapped(p, para, plen, para_attr, true);
}

/* Projector mode: the lesson's title above the narrative. */
static void
panel_title(struct tui *t, struct panel_pass *p)
{
	wchar_t title[512];
	size_t tn = mbstowcs(title, t->script_lesson.title,
			     sizeof(title) / sizeof(title[0]) - 1);

	if (tn != (size_t)-1)
		put_wrapped(p, title, tn, tui_attr(t, PAIR_TITLE, A_BOLD) |
			    A_BOLD | A_UNDERLINE, false);
	p->y++;
}

void
tui_draw_lesson(struct tui *t)
{
	struct panel_pass p = { .prose_room = INT_MAX };
	int h, w;
	bool fits;

	if (!t->lesson)
		return;
	getmaxyx(t->lesson, h, w);
	p.h = h;
	p.width = w - 2;
	werase(t->lesson);
	if (t->presenting) {
		/* The narrative as far as it goes. */
		p.w = t->lesson;
		panel_title(t, &p);
		panel_text(t, &p);
	} else {
		/* Measured first: when it all does not fit, the prose gives
		 * way to the checks, with a row left for the note. */
		panel_text(t, &p);
		if (p.prose_rows + p.other_rows > h)
			p.prose_room = h - p.other_rows - 1 > 0 ?
				h - p.other_rows - 1 : 0;
		p = (struct panel_pass){ .w = t->lesson, .h = h, .width = w - 2,
					 .prose_room = p.prose_room };
		fits = panel_text(t, &p);
		if (p.cut || !fits) {
			wattron(t->lesson, A_REVERSE);
			mvwprintw(t->lesson, p.cut && p.cut_row < h ?
				  p.cut_row : h - 1, 1,
				  " more: `lesson` prints the step ");
			wattroff(t->lesson, A_REVERSE);
		}
	}
	wnoutrefresh(t->lesson);
	t->lesson_dirty = false;
}
