/* tui_class: the instructor's live table and the mirror of a learner's
 * screen (tui_class.h). */
#define _GNU_SOURCE
#include "ui/tui_class.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/msg.h"
#include "engine/spawn.h"
#include "ui/mirror.h"
#include "ui/roomview.h"
#include "ui/tui_layout.h"
#include "ui/tui_screen.h"

/* A session this long on its step stands out in the table. */
#define STUCK_SECONDS 300

/* Keys waiting, through curses (arrows come as KEY_UP and the like). */
static int
next_key(void)
{
	int c = getch();

	return c == ERR ? -1 : c;
}

static bool
is_quit(int c)
{
	return c == 'q' || c == 'Q' || c == 3 || c == 4 || c == 27;
}

/* --- the mirror ------------------------------------------------------------ */

static attr_t
attrs_of(const struct tui *t, const struct mirror_run *r)
{
	attr_t a = ((r->flags & MIRROR_BOLD) ? A_BOLD : 0) |
		   ((r->flags & MIRROR_REVERSE) ? A_REVERSE : 0) |
		   ((r->flags & MIRROR_UNDERLINE) ? A_UNDERLINE : 0) |
		   ((r->flags & MIRROR_DIM) ? A_DIM : 0);

	/* Without colours a coloured run still stands out. */
	if (!t->color && r->pair)
		a |= A_BOLD;
	return a;
}

/* What of S does not fit in ROWS (the last is the watcher's) by COLS,
 * for the watcher's line; "" when all of it does. */
static void
cut_note(const struct mirror_screen *s, int rows, int cols, char *buf,
	 size_t len)
{
	bool tall = s->rows > rows - 1, wide = s->cols > cols;

	buf[0] = '\0';
	if (tall || wide)
		snprintf(buf, len, "| theirs is %dx%d, yours %dx%d: %s%s%s are "
			 "cut ", s->cols, s->rows, cols, rows,
			 tall ? "its top rows" : "", tall && wide ? " and " : "",
			 wide ? "its right side" : "");
}

/* S drawn in all rows but the last, its last rows (the learner's status
 * line among them) kept when it is taller, and the watcher's line below
 * it; BACK says what q does. */
static void
draw_mirror(const struct tui *t, const struct mirror_screen *s,
	    const struct room_entry *e, const char *back)
{
	char line[MIRROR_COLS_MAX * 4 + 1], status[512], note[160];
	int rows, cols, top;

	getmaxyx(stdscr, rows, cols);
	top = s->rows > rows - 1 ? s->rows - (rows - 1) : 0;
	erase();
	for (int y = 0; top + y < s->rows && y < rows - 1; y++) {
		int r0 = top + y;
		const char *p = s->styles[r0], *end = p + s->styles_len[r0];
		struct mirror_run r;

		snprintf(line, sizeof(line), "%.*s", (int)s->text_len[r0],
			 s->text[r0]);
		tui_put_cut(stdscr, y, 0, line, cols, t->utf8);
		while (mirror_next_run(&p, end, &r))
			if (r.col < cols)
				mvchgat(y, r.col, r.len < cols - r.col ? r.len :
					cols - r.col, attrs_of(t, &r),
					t->color ? (short)r.pair : 0, NULL);
	}
	cut_note(s, rows, cols, note, sizeof(note));
	snprintf(status, sizeof(status), " watching %s (pid %d, %s), read-only"
		 " | q %s %s", e->user, (int)e->pid, e->from, back, note);
	attron(A_REVERSE);
	mvhline(rows - 1, 0, ' ', cols);
	tui_put_cut(stdscr, rows - 1, 0, status, cols, t->utf8);
	attroff(A_REVERSE);
	if (s->cursor_row >= top && s->cursor_row - top < rows - 1 &&
	    s->cursor_col < cols) {
		move(s->cursor_row - top, s->cursor_col);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

static void
draw_waiting(const struct tui *t, const struct room_entry *e)
{
	char text[256];

	erase();
	snprintf(text, sizeof(text), "waiting for %s's screen (pid %d)...",
		 e->user, (int)e->pid);
	tui_put_cut(stdscr, 0, 0, text, COLS, t->utf8);
	curs_set(0);
	refresh();
}

/* E's screen until q (0) or its end (1, ERR says so); -1 with ERR when it
 * cannot be watched.  BACK: what q does, for the watcher's line. */
static int
mirror_view(struct tui *t, const struct room_entry *e, const char *me,
	    const char *back, char *err, size_t errlen)
{
	static char msg[MIRROR_MAX + 1], last[MIRROR_MAX];
	char path[PATH_MAX];
	struct mirror_screen s;
	size_t have = 0;
	int fd, rc = 0;

	room_screen_path(path, sizeof(path), e->uid, e->pid);
	if ((fd = mirror_connect(path, me, err, errlen)) < 0)
		return -1;
	draw_waiting(t, e);
	while (!tui_screen_quit()) {
		struct pollfd fds[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
			{ .fd = tui_screen_wake_fd(), .events = POLLIN },
		};
		bool redraw = false;
		ssize_t n;
		int c;

		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (fds[2].revents & POLLIN)
			tui_screen_drain();
		redraw = tui_screen_winch();
		while ((c = next_key()) >= 0)
			if (is_quit(c))
				goto out;
		if (fds[1].revents) {
			n = recv(fd, msg, sizeof(msg), 0);
			if (n <= 0) {
				msg_fail(err, errlen, "%s's session (pid %d) "
					 "has ended", e->user, (int)e->pid);
				rc = 1;
				break;
			}
			if (mirror_decode(msg, (size_t)n, &s) == 0) {
				memcpy(last, msg, (size_t)n);
				have = (size_t)n;
				redraw = true;
			}
		}
		if (redraw && have && mirror_decode(last, have, &s) == 0)
			draw_mirror(t, &s, e, back);
		else if (redraw)
			draw_waiting(t, e);
	}
out:
	close(fd);
	return rc;
}

int
tui_class_watch(const struct room_entry *e, const char *me)
{
	struct tui t = { .ptmx = -1, .events = -1, .mirror.fd = -1 };
	char err[512] = "";
	int rc;

	tui_screen_start(&t);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	rc = mirror_view(&t, e, me, "quits", err, sizeof(err));
	tui_screen_stop();
	if (rc < 0)
		fprintf(stderr, "boxstep: class watch: %s (pid %d): %s\n",
			e->user, (int)e->pid, err);
	else if (rc > 0)
		printf("boxstep: %s\n", err);
	if (tui_screen_quit())
		return 128 + tui_screen_quit();
	return rc < 0 ? 1 : 0;
}

/* --- the table ------------------------------------------------------------- */

struct table {
	struct tui t;
	struct room_entry *all;
	size_t n, sel, top;
	pid_t chosen;         /* the selected session, kept over a re-read */
	enum roomview_order order;
	char error[512];      /* why the room cannot be read, or "" */
	char note[512];       /* a message in the last line, until: */
	double note_until;
};

static void
load(struct table *v)
{
	free(v->all);
	v->all = NULL;
	v->n = 0;
	v->error[0] = '\0';
	if (room_read(room_dir(), roomview_alive, &v->all, &v->n,
		      v->error, sizeof(v->error)) < 0)
		return;
	roomview_sort(v->all, v->n, v->order, time(NULL));
	v->sel = 0;
	for (size_t i = 0; i < v->n; i++)
		if (v->all[i].pid == v->chosen)
			v->sel = i;
	v->chosen = v->n ? v->all[v->sel].pid : 0;
}

static void
draw_row(struct table *v, int y, size_t i, time_t now)
{
	char line[1024];
	attr_t a = 0;

	roomview_row(&v->all[i], now, line, sizeof(line));
	if (v->all[i].steps && roomview_on_step(&v->all[i], now) >=
	    STUCK_SECONDS)
		a = tui_attr(&v->t, 2 /* red */, A_BOLD) | A_BOLD;
	if (i == v->sel)
		a |= A_REVERSE;
	attron(a);
	if (i == v->sel)
		mvhline(y, 0, ' ', COLS);
	tui_put_cut(stdscr, y, 0, line, COLS, v->t.utf8);
	attroff(a);
}

static void
draw_table(struct table *v)
{
	char line[1024];
	time_t now = time(NULL);
	int body = LINES - 3;

	erase();
	snprintf(line, sizeof(line), " boxstep class: %zu session%s, sorted "
		 "by %s", v->n, v->n == 1 ? "" : "s",
		 roomview_order_name(v->order));
	attron(tui_attr(&v->t, PAIR_TITLE, A_BOLD) | A_BOLD);
	tui_put_cut(stdscr, 0, 0, line, COLS, v->t.utf8);
	attroff(A_COLOR | A_BOLD);
	roomview_header(line, sizeof(line));
	attron(A_UNDERLINE);
	tui_put_cut(stdscr, 1, 0, line, COLS, v->t.utf8);
	attroff(A_UNDERLINE);
	if (v->sel < v->top)
		v->top = v->sel;
	if (body > 0 && v->sel >= v->top + (size_t)body)
		v->top = v->sel - (size_t)body + 1;
	for (int y = 0; y < body && v->top + (size_t)y < v->n; y++)
		draw_row(v, 2 + y, v->top + (size_t)y, now);
	if (v->error[0])
		tui_put_cut(stdscr, 2, 0, v->error, COLS, v->t.utf8);
	else if (!v->n)
		tui_put_cut(stdscr, 2, 0, "(no boxstep session is running on "
			    "this host)", COLS, v->t.utf8);
	if (v->note[0] && tui_now() < v->note_until) {
		attron(tui_attr(&v->t, PAIR_ALERT, A_REVERSE));
		snprintf(line, sizeof(line), " %s ", v->note);
	} else {
		attron(A_REVERSE);
		snprintf(line, sizeof(line), " Up/Down choose | Enter watches "
			 "the screen | s sorts (now by %s) | q quits ",
			 roomview_order_name(v->order));
	}
	mvhline(LINES - 1, 0, ' ', COLS);
	tui_put_cut(stdscr, LINES - 1, 0, line, COLS, v->t.utf8);
	attroff(A_COLOR | A_REVERSE);
	refresh();
}

/* Enter on the selected row: its mirror, then the table again. */
static void
watch_selected(struct table *v, const char *me)
{
	char err[512];
	int rc;

	if (!v->n)
		return;
	rc = mirror_view(&v->t, &v->all[v->sel], me, "goes back to the table",
			 err, sizeof(err));
	if (rc != 0) {
		snprintf(v->note, sizeof(v->note), "%s", err);
		v->note_until = tui_now() + 5;
	}
	clear();
}

/* One key of the table; false when it ends the table. */
static bool
table_key(struct table *v, int c, const char *me)
{
	if (is_quit(c))
		return false;
	if ((c == KEY_DOWN || c == 'j') && v->sel + 1 < v->n)
		v->sel++;
	else if ((c == KEY_UP || c == 'k') && v->sel > 0)
		v->sel--;
	else if (c == 's')
		v->order = (v->order + 1) % ROOMVIEW_NORDERS;
	else if (c == '\r' || c == '\n' || c == KEY_ENTER || c == 'w')
		watch_selected(v, me);
	v->chosen = v->n ? v->all[v->sel].pid : 0;
	if (c == 's' && v->n)
		roomview_sort(v->all, v->n, v->order, time(NULL));
	return true;
}

int
tui_class(const char *me)
{
	struct table v = { .t = { .ptmx = -1, .events = -1,
				  .mirror.fd = -1 } };
	double next_read = 0;
	bool on = true;

	tui_screen_start(&v.t);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	while (on && !tui_screen_quit()) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = tui_screen_wake_fd(), .events = POLLIN },
		};
		int c, wait;

		if (tui_now() >= next_read) {
			load(&v);
			next_read = tui_now() + 1;
		}
		draw_table(&v);
		wait = (int)((next_read - tui_now()) * 1000) + 1;
		if (poll(fds, 2, wait > 0 ? wait : 0) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN)
			tui_screen_drain();
		tui_screen_winch();
		while (on && (c = next_key()) >= 0)
			on = table_key(&v, c, me);
		if (v.chosen && v.n && v.all[v.sel].pid != v.chosen)
			load(&v);
	}
	tui_screen_stop();
	free(v.all);
	return tui_screen_quit() ? 128 + tui_screen_quit() : 0;
}
