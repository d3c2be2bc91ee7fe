/* tui_term: the REPL's terminal in the TUI: the REPL forked on a pty,
 * its output kept by libvterm and drawn from its cells. */
#define _GNU_SOURCE
#include "ui/tui_term.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "base/capture.h"
#include "base/fsutil.h"
#include "ui/relay.h"
#include "ui/repl.h"
#include "ui/tui_events.h"

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
	if (prop == VTERM_PROP_ALTSCREEN) {
		t->alt_on = val->boolean;
		if (!t->alt_on)
			t->alt_ours = false;
	}
	return 1;
}

/* What a program sends to clear the whole screen: top, clear. */
static const char *const clear_seqs[] = {
	"\033[H\033[J", "\033[H\033[0J", "\033[H\033[2J", "\033[2J",
};

/* Feeds the pty's output S to libvterm.  A command that clears the
 * screen without the alternate screen (busybox top) is put on it
 * anyway, so that when it ends the REPL's screen comes back. */
static void
vt_feed(struct tui *t, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\033' || t->at_prompt)
			continue;
		for (size_t k = 0; k < sizeof(clear_seqs) / sizeof(*clear_seqs);
		     k++) {
			size_t l = strlen(clear_seqs[k]);

			if (n - i < l || memcmp(s + i, clear_seqs[k], l) != 0)
				continue;
			/* What came before may switch screens itself. */
			vterm_input_write(t->vt, s + start, i - start);
			start = i;
			if (!t->alt_on) {
				vterm_input_write(t->vt, "\033[?1049h", 8);
				t->alt_ours = true;
				t->alt_pid = t->pane.pid;
			}
			break;
		}
	}
	vterm_input_write(t->vt, s + start, n - start);
}

/* Back from the alternate screen the TUI put a command on, as soon as
 * its exit (or the prompt) is heard: the bytes read with that event are
 * the REPL's (readline's prompt), not the command's, whose last screen
 * came well before its teardown and exit. */
void
tui_term_alt_leave(struct tui *t)
{
	if (!t->alt_leave)
		return;
	if (t->alt_on && t->alt_ours)
		vterm_input_write(t->vt, "\033[?1049l", 8);
	t->alt_ours = false;
	t->alt_leave = false;
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

void
tui_term_draw(struct tui *t)
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

/* Reads what the REPL wrote to its terminal; events that came before it
 * are handled first (a command's `busy` says its output is not the
 * REPL's own).  Returns false when the REPL has ended. */
bool
tui_term_read(struct tui *t)
{
	char buf[8192], shown[sizeof(buf) + sizeof(t->cap.hold)];
	bool ended;
	ssize_t n = read(t->ptmx, buf, sizeof(buf));
	size_t o;

	if (n <= 0)
		return false;
	tui_events_read(t);
	tui_term_alt_leave(t);
	o = capture_filter(&t->cap, buf, (size_t)n, shown, &ended);
	vt_feed(t, shown, o);
	if (ended)
		capture_reply(&t->cap, t->events);
	return true;
}

/* Lets go of the REPL's terminal, once the REPL is gone. */
static void
term_free(struct tui *t)
{
	vterm_free(t->vt);
	t->vt = NULL;
	capture_free(&t->cap);
	close(t->ptmx);
	close(t->events);
	t->ptmx = t->events = -1;
}

int
tui_term_end(struct tui *t)
{
	struct pollfd fds[2] = {
		{ .fd = t->ptmx, .events = POLLIN },
		{ .fd = t->events, .events = POLLIN },
	};
	int status = 0;

	for (;;) {
		char buf[8192];
		pid_t w = waitpid(t->child, &status, WNOHANG);

		if (w == t->child || (w < 0 && errno != EINTR))
			break;
		if (poll(fds, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read(fds[i].fd, buf, sizeof(buf)) <= 0)
				fds[i].fd = -1;
	}
	term_free(t);
	return status;
}

int
tui_term_start(struct tui *t, struct repl *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	getmaxyx(t->left, ws.ws_row, ws.ws_col);
	r->session.panel = true;
	r->session.tui = true;
	t->child = relay_fork(r, &ws, NULL, &t->ptmx, &t->events);
	if (t->child < 0)
		return -1;
	t->vt = vterm_new(ws.ws_row, ws.ws_col);
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, vt_output, t);
	t->vs = vterm_obtain_screen(t->vt);
	vterm_screen_set_callbacks(t->vs, &vt_callbacks, t);
	vterm_screen_enable_altscreen(t->vs, 1);
	vterm_screen_reset(t->vs, 1);
	return 0;
}
