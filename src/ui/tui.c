/* tui: ncurses, a pty with libvterm for the REPL, and the host-view pane.
 * Every curses call of boxstep lives in this file and tui_layout.c. */
#define _GNU_SOURCE

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

#include "ui/tui.h"
#include "ui/tui_layout.h"
/* After vterm.h: term.h defines macros (bell, lines) that clash. */
#include <term.h>

#include "base/capture.h"
#include "host/cgroup.h"
#include "base/fsutil.h"
#include "lessons/course.h"
#include "host/hostview.h"
#include "lessons/lesson.h"
#include "session/event.h"
#include "ui/present.h"
#include "ui/relay.h"
#include "ui/repl.h"

static volatile sig_atomic_t got_winch, got_quit;
/* Written by the signal handlers, so that a signal that comes between the
 * loop's look at the flags and poll() still wakes poll(). */
static int wake_pipe[2] = { -1, -1 };

static void
wake(void)
{
	int saved = errno;

	if (wake_pipe[1] >= 0 && write(wake_pipe[1], "w", 1) < 0) {
		/* full: poll wakes anyway */
	}
	errno = saved;
}

static void on_winch(int sig) { (void)sig; got_winch = 1; wake(); }
static void on_quit_signal(int sig) { got_quit = sig; wake(); }

/* Empties the wake pipe. */
static void
drain_wake(void)
{
	char buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* Reads what the terminal sent into BUF (LEN bytes).  Returns how much,
 * 0 when nothing came, or -1 when the terminal is gone (end of file, or
 * EIO once it hung up): the session then ends as on SIGHUP. */
static ssize_t
read_terminal(char *buf, size_t len)
{
	ssize_t n = read(STDIN_FILENO, buf, len);

	if (n > 0)
		return n;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (!got_quit)
		got_quit = SIGHUP;
	return -1;
}

/* What poll says of a terminal that has something to read, or is gone. */
#define TERMINAL_EVENTS (POLLIN | POLLHUP | POLLERR | POLLNVAL)

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
	if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		restore_terminal();
		perror("boxstep: pipe");
		exit(1);
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
	double t = tui_now();

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

/* True when HV is still boxstep's own copy, held before it runs the
 * command: its name is this program's. */
static bool
is_held_copy(const struct hostview *hv)
{
	static char self[32];

	if (!self[0] && fsutil_read("/proc/self/comm", self, sizeof(self)) < 0)
		snprintf(self, sizeof(self), "boxstep");
	self[strcspn(self, "\n")] = '\0';
	return strcmp(hv->name, self) == 0;
}

/* TEXT with its "cmdline:" line (boxstep's own, while held) replaced by
 * the command about to run; frees TEXT. */
static char *
name_held_command(const struct pane *p, char *text)
{
	char *line = strstr(text, "\ncmdline: "), *end, *out;
	size_t len;

	if (!line)
		return text;
	line++;
	end = line + strcspn(line, "\n");
	len = strlen(text) + strlen(p->about) + 64;
	if (!(out = malloc(len)))
		return text;
	snprintf(out, len, "%.*sabout to run: %s   (held by boxstep)%s",
		 (int)(line - text), text, p->about, end);
	free(text);
	return out;
}

/* Collects what can have changed in the view of the pane's process and,
 * when its text differs, rebuilds the lines. */
static void
pane_tick(struct pane *p)
{
	bool first = p->hv.pid != p->pid;
	unsigned what = HOSTVIEW_STATUS | HOSTVIEW_CGROUP;
	double t = tui_now();
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
	if (p->held)
		what = HOSTVIEW_ALL; /* it has run its command since, maybe */
	if (hostview_update(&p->hv, "/proc", p->pid, &p->cg, what) < 0 &&
	    !first) {
		/* Keep the last view, frozen. */
		p->exited = true;
		p->dirty = true;
		return;
	}
	p->held = p->about[0] && is_held_copy(&p->hv);
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
	if (p->held)
		text = name_held_command(p, text);
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
pane_show(struct pane *p, pid_t pid, const char *about)
{
	p->pid = pid;
	snprintf(p->about, sizeof(p->about), "%s", about);
	p->held = false;
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
	wattron(p->win, alert ? tui_attr(t, PAIR_ALERT, A_REVERSE) :
		tui_attr(t, PAIR_ON, A_REVERSE));
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
	double tnow = tui_now();

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
		put_clipped(p->win, head, tui_attr(t, PAIR_TITLE, A_BOLD) |
			    A_BOLD, &room);
		/* PAUSED first: cut short, the exit text matters less. */
		if (p->paused)
			put_clipped(p->win, " PAUSED ", A_REVERSE | A_BOLD,
				    &room);
		if (p->exited) {
			snprintf(head, sizeof(head), " EXITED%s%s ",
				 p->exit_text[0] ? ": " : "", p->exit_text);
			put_clipped(p->win, head, tui_attr(t, PAIR_ALERT,
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
			wattron(p->win, tui_attr(t, PAIR_HIGHLIGHT, A_REVERSE));
		tui_put_cut(p->win, y, 1, p->text[i], w - 2, t->utf8);
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
	double tnow = tui_now();

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
static void
alt_screen_leave(struct tui *t)
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

/* --- layout ------------------------------------------------------------ */

/* Takes the terminal's new size (our SIGWINCH handler replaced curses'). */
static void
resize_curses(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
}

/* --- events from the REPL ------------------------------------------------ */

/* Tells the REPL the event E (seen, panel-visible). */
static void
to_repl_events(const struct tui *t, const struct event *e)
{
	char line[64];
	size_t n = event_encode(e, line, sizeof(line));

	if (n == 0 || n >= sizeof(line))
		return;
	if (send(t->events, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the REPL is gone, or not reading: it does not wait */
	}
}

/* `start PID CMD`: the container is held, so its view is read at once
 * (a command that ends at once leaves only this), then the REPL is told
 * to let it go. */
static void
on_start(struct tui *t, pid_t pid, const char *cmd)
{
	char about[sizeof(t->pane.about)];

	/* One line in the pane: a newline or a control byte is a space. */
	snprintf(about, sizeof(about), "%s", cmd);
	for (char *c = about; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = ' ';
	pane_show(&t->pane, pid, about);
	pane_tick(&t->pane);
	t->pane.next_tick = tui_now() + t->pane.refresh_ms / 1000.0;
	to_repl_events(t, &(struct event){ .kind = EVENT_SEEN, .pid = pid });
}

/* `panel TEXT`: the lesson panel's new text, or none. */
static void
on_panel(struct tui *t, const char *text)
{
	int rows_before = tui_lesson_rows(t, t->rows - 1, 50);
	bool had = t->lesson_text != NULL;

	free(t->lesson_text);
	t->lesson_text = NULL;
	if (*text && (t->lesson_text = malloc(strlen(text) + 1))) {
		/* Lines and tabs; no other control byte reaches curses. */
		char *o = t->lesson_text;

		for (; *text; text++)
			if ((unsigned char)*text >= ' ' || *text == '\n' ||
			    *text == '\t')
				*o++ = *text;
		*o = '\0';
	}
	/* A new layout only when the panel comes, goes or changes size:
	 * after each command only its text does. */
	if (had != (t->lesson_text != NULL) ||
	    rows_before != tui_lesson_rows(t, t->rows - 1, 50))
		tui_layout(t);
	else
		t->lesson_dirty = true;
}

/* `exit PID TEXT`: the container PID ended as TEXT says. */
static void
on_exit_event(struct tui *t, pid_t pid, const char *text)
{
	if (pid == t->alt_pid) {
		t->alt_leave = true;
		alt_screen_leave(t);
	}
	if (pid == t->pane.pid) {
		t->pane.exited = true;
		snprintf(t->pane.exit_text, sizeof(t->pane.exit_text), "%s",
			 text);
		t->pane.dirty = true;
	}
}

/* Acts on the line LINE (LEN bytes, its newline replaced). */
static void
handle_event(struct tui *t, char *line, size_t len)
{
	struct event e;

	if (event_decode(line, len, &e) < 0)
		return;
	switch (e.kind) {
	case EVENT_PLAN:
		snprintf(t->layers, sizeof(t->layers), "%s", e.layers);
		snprintf(t->hostname, sizeof(t->hostname), "%s", e.hostname);
		snprintf(t->rootfs, sizeof(t->rootfs), "%s", e.rootfs);
		break;
	case EVENT_START:
		on_start(t, e.pid, e.text);
		break;
	case EVENT_EXIT:
		on_exit_event(t, e.pid, e.text);
		break;
	case EVENT_PROMPT:
		t->at_prompt = true;
		t->alt_leave = true;
		alt_screen_leave(t);
		break;
	case EVENT_BUSY:
		t->at_prompt = false;
		break;
	case EVENT_PANEL:
		on_panel(t, e.text);
		break;
	case EVENT_REFRESH:
		t->pane.refresh_ms = e.ms;
		t->pane.next_tick = 0;
		break;
	default:
		break; /* the TUI's own answers: not for it */
	}
}

/* Handles the events that have come, without waiting. */
static void
read_events(struct tui *t)
{
	ssize_t n = recv(t->events, t->evbuf + t->evlen,
			 sizeof(t->evbuf) - 1 - t->evlen, MSG_DONTWAIT);
	char *line = t->evbuf, *end, *nl;

	if (n <= 0)
		return;
	t->evlen += (size_t)n;
	end = t->evbuf + t->evlen;
	while ((nl = memchr(line, '\n', (size_t)(end - line)))) {
		if (!t->evskip)
			handle_event(t, line, (size_t)(nl - line));
		t->evskip = false;
		line = nl + 1;
	}
	t->evlen -= (size_t)(line - t->evbuf);
	memmove(t->evbuf, line, t->evlen);
	if (t->evlen == sizeof(t->evbuf) - 1) {
		/* A line longer than the REPL sends: up to its end, dropped. */
		t->evlen = 0;
		t->evskip = true;
	}
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
			/* The REPL prints the step's text when the panel
			 * does not show it: it hears before the next key. */
			t->lesson_hidden = !t->lesson_hidden;
			to_repl_events(t, &(struct event){
				.kind = EVENT_PANEL_VISIBLE,
				.visible = !t->lesson_hidden });
			tui_layout(t);
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
	t->flash_until = tui_now() + 3;
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
	wait = p->next_tick - tui_now();
	return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}

/* A new terminal size: new windows, drawn before anything else waits. */
static void
resize(struct tui *t)
{
	got_winch = 0;
	resize_curses();
	tui_layout(t);
}

/* Reads what the REPL wrote to its terminal; events that came before it
 * are handled first (a command's `busy` says its output is not the
 * REPL's own).  Returns false when the REPL has ended. */
static bool
repl_output(struct tui *t)
{
	char buf[8192], shown[sizeof(buf) + sizeof(t->cap.hold)];
	bool ended;
	ssize_t n = read(t->ptmx, buf, sizeof(buf));
	size_t o;

	if (n <= 0)
		return false;
	read_events(t);
	o = capture_filter(&t->cap, buf, (size_t)n, shown, &ended);
	vt_feed(t, shown, o);
	if (ended)
		capture_reply(&t->cap, t->events);
	return true;
}

/* Stages every window that changed, and draws them in one update. */
static void
draw_all(struct tui *t)
{
	if (!t->pane_hidden && (t->pane.dirty || pane_has_highlights(&t->pane)))
		draw_pane(t, &t->pane);
	tui_draw_status(t);
	if (t->lesson_dirty)
		tui_draw_lesson(t);
	if (t->left_dirty)
		draw_left(t);
	wmove(t->left, t->cursor.row, t->cursor.col);
	wnoutrefresh(t->left);
	curs_set(t->cursor_shown ? 1 : 0);
	doupdate();
}

/* Waits for the REPL to end and returns its wait status.  What it still
 * writes (its teardown's words, exit events) is read and dropped, so that
 * a full pty or socket cannot hold it up. */
static int
wait_repl(struct tui *t)
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
			return status;
		if (poll(fds, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    read(fds[i].fd, buf, sizeof(buf)) <= 0)
				fds[i].fd = -1;
	}
}

static void
start_repl(struct tui *t, struct repl *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	getmaxyx(t->left, ws.ws_row, ws.ws_col);
	r->panel = true;
	r->tui = true;
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
	tui_layout(&t);
	start_repl(&t, r);
	t.vt = vterm_new(getmaxy(t.left), getmaxx(t.left));
	vterm_set_utf8(t.vt, 1);
	vterm_output_set_callback(t.vt, vt_output, &t);
	t.vs = vterm_obtain_screen(t.vt);
	vterm_screen_set_callbacks(t.vs, &vt_callbacks, &t);
	vterm_screen_enable_altscreen(t.vs, 1);
	vterm_screen_reset(t.vs, 1);

	for (;;) {
		struct pollfd fds[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t.ptmx, .events = POLLIN },
			{ .fd = t.events, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
		};
		char buf[8192];
		ssize_t n;

		if (got_quit) {
			kill(t.child, SIGTERM);
			break;
		}
		if (poll(fds, 4, poll_timeout(&t.pane)) < 0 && errno != EINTR)
			break;
		if (fds[3].revents & POLLIN)
			drain_wake();
		if (got_winch)
			resize(&t);
		if (fds[0].revents & TERMINAL_EVENTS) {
			/* Gone: the next pass ends the REPL, as on SIGHUP. */
			if ((n = read_terminal(buf, sizeof(buf))) < 0)
				continue;
			if (n > 0 && t.presenting)
				present_keys(&t, buf, (size_t)n);
			else if (n > 0)
				forward_keys(&t, buf, (size_t)n);
		}
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !repl_output(&t))
			break; /* the REPL has ended */
		if (fds[2].revents & POLLIN)
			read_events(&t);
		if (t.pane.pid && !t.pane.paused && tui_now() >= t.pane.next_tick) {
			pane_tick(&t.pane);
			t.pane.next_tick = tui_now() + t.pane.refresh_ms / 1000.0;
		}
		draw_all(&t);
	}
	restore_terminal();
	status = wait_repl(&t);
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
	pane_show(&t.pane, pid, "");
	while (!got_quit) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
		};
		char buf[64];
		ssize_t n;

		if (poll(fds, 2, poll_timeout(&t.pane)) > 0 &&
		    (fds[1].revents & POLLIN))
			drain_wake();
		if (got_winch) {
			got_winch = 0;
			resize_curses();
			getmaxyx(stdscr, t.rows, t.cols);
			wresize(t.pane.win, t.rows - 1, t.cols);
			mvwin(t.status, t.rows - 1, 0);
			wresize(t.status, 1, t.cols);
			t.pane.dirty = true;
		}
		if ((fds[0].revents & TERMINAL_EVENTS) &&
		    (n = read_terminal(buf, sizeof(buf))) != 0) {
			if (n < 0)
				break;
			if (buf[0] == 'q' || buf[0] == 3 || buf[0] == 4)
				break;
			if (match_key(buf, (size_t)n, seq_f2) || buf[0] == 'p') {
				t.pane.paused = !t.pane.paused;
				t.pane.dirty = true;
			}
		}
		if (!t.pane.paused && tui_now() >= t.pane.next_tick) {
			pane_tick(&t.pane);
			t.pane.next_tick = tui_now() + t.pane.refresh_ms / 1000.0;
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
