/* tui_mirror: the TUI's screen, read from curses, for the instructors who
 * watch it (tui_mirror.h). */
#define _GNU_SOURCE
#include "ui/tui_mirror.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/text.h"
#include "ui/tui_layout.h"

void
tui_mirror_start(struct tui *t, unsigned uid, pid_t pid)
{
	t->mirror.fd = -1;
	if (pid > 0 && mirror_serve_start(&t->mirror, uid, pid) < 0) {
		/* The learner's session goes on; the instructor sees why in
		 * `boxstep class watch` (no screen to mirror). */
		t->mirror.fd = -1;
	}
}

int
tui_mirror_fds(const struct tui *t, struct pollfd *fds)
{
	int n = 0;

	if (t->mirror.fd < 0)
		return 0;
	fds[n++] = (struct pollfd){ .fd = t->mirror.fd, .events = POLLIN };
	for (int i = 0; i < t->mirror.npeers; i++)
		fds[n++] = (struct pollfd){ .fd = t->mirror.peers[i].fd,
					    .events = POLLIN };
	return n;
}

void
tui_mirror_events(struct tui *t, const struct pollfd *fds, int n)
{
	/* Peers from the last: dropping one moves the last into its place. */
	for (int i = n - 1; i >= 1; i--)
		if (fds[i].revents)
			mirror_serve_peer(&t->mirror, i - 1, tui_now());
	if (n && (fds[0].revents & POLLIN))
		mirror_serve_accept(&t->mirror);
}

/* FLAGS of the mirror for the curses attributes A. */
static unsigned
flags_of(attr_t a)
{
	return ((a & A_BOLD) ? MIRROR_BOLD : 0) |
	       ((a & A_REVERSE) ? MIRROR_REVERSE : 0) |
	       ((a & A_UNDERLINE) ? MIRROR_UNDERLINE : 0) |
	       ((a & A_DIM) ? MIRROR_DIM : 0);
}

/* Row Y of the physical screen, COLS wide, into B. */
static void
add_row(struct mirror_buf *b, int y, int cols)
{
	static cchar_t cells[MIRROR_COLS_MAX + 1];
	static char text[MIRROR_COLS_MAX * 4];
	static struct mirror_run runs[MIRROR_COLS_MAX];
	size_t len = 0, nruns = 0;

	if (mvwin_wchnstr(curscr, y, 0, cells, cols) == ERR)
		cols = 0;
	for (int x = 0; x < cols; x++) {
		wchar_t wc[CCHARW_MAX + 1] = { L' ' };
		attr_t a = 0;
		short pair = 0;
		unsigned flags;
		int w;
		size_t k;

		if (getcchar(&cells[x], wc, &a, &pair, NULL) == ERR || !wc[0])
			wc[0] = L' ';
		if ((w = wcwidth(wc[0])) < 1 || (wc[0] >= 0x7f && wc[0] < 0xa0))
			wc[0] = L'?', w = 1;
		if (x + w > cols)
			wc[0] = L' ', w = 1;
		k = text_utf8_put(text + len, (unsigned long)wc[0]);
		len += k;
		flags = flags_of(a);
		if (flags || pair) {
			struct mirror_run *r = nruns ? &runs[nruns - 1] : NULL;

			if (r && r->col + r->len == x && r->pair == pair &&
			    r->flags == flags)
				r->len += w;
			else
				runs[nruns++] = (struct mirror_run){
					x, w, pair, flags };
		}
		x += w - 1;
	}
	mirror_add_row(b, text, len, runs, nruns);
}

void
tui_mirror_send(struct tui *t)
{
	static struct mirror_buf b;
	struct mirror_serve *s = &t->mirror;
	double now = tui_now();
	int rows, cols, y = -1, x = -1;

	if (s->fd < 0 || !mirror_serve_watchers(s))
		return;
	if (now < s->next_send) {
		s->pending = true;
		return;
	}
	s->pending = false;
	s->next_send = now + 1.0 / MIRROR_HZ;
	getmaxyx(curscr, rows, cols);
	if (t->cursor_shown)
		getyx(curscr, y, x);
	if (rows > MIRROR_ROWS_MAX)
		rows = MIRROR_ROWS_MAX;
	if (cols > MIRROR_COLS_MAX)
		cols = MIRROR_COLS_MAX;
	if (y >= rows || x >= cols)
		y = x = -1;
	mirror_begin(&b, rows, cols, y, x);
	for (int row = 0; row < rows; row++)
		add_row(&b, row, cols);
	/* Reading moved curses' idea of the cursor: put it back. */
	if (y >= 0)
		wmove(curscr, y, x);
	mirror_serve_send(s, &b);
}

int
tui_mirror_timeout(const struct tui *t, int timeout)
{
	const struct mirror_serve *s = &t->mirror;
	double now = tui_now(), due = -1;
	int ms;

	if (s->fd < 0)
		return timeout;
	if (s->pending)
		due = s->next_send;
	else if (!mirror_serve_watchers(s) && s->last_seen > 0 &&
		 now < s->last_seen + MIRROR_NOTE_SECONDS)
		due = s->last_seen + MIRROR_NOTE_SECONDS;
	if (due < 0)
		return timeout;
	ms = due > now ? (int)((due - now) * 1000) + 1 : 0;
	return timeout < 0 || ms < timeout ? ms : timeout;
}

void
tui_mirror_note(const struct tui *t, char *buf, size_t len)
{
	const struct mirror_serve *s = &t->mirror;
	int n = mirror_serve_watchers(s);
	const char *first = s->last_name;

	buf[0] = '\0';
	if (s->fd < 0)
		return;
	for (int i = s->npeers - 1; i >= 0; i--)
		if (s->peers[i].name[0])
			first = s->peers[i].name;
	if (n > 1)
		snprintf(buf, len, "watched by %s and %d more", first, n - 1);
	else if (n == 1)
		snprintf(buf, len, "watched by %s", first);
	else if (s->last_seen > 0 &&
		 tui_now() < s->last_seen + MIRROR_NOTE_SECONDS)
		snprintf(buf, len, "%s watched", s->last_name);
}

void
tui_mirror_stop(struct tui *t)
{
	mirror_serve_stop(&t->mirror);
}
