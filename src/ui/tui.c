/* tui: the TUI's curses screen, its signals and its main loop, and
 * `boxstep watch`.  The parts are tui_term (the REPL's pty and libvterm),
 * tui_pane (the host view), tui_events (the REPL's events), tui_keys,
 * tui_layout (the windows and the lesson panel) and tui_status (the
 * status line); curses is called only in these files. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ui/tui.h"
#include "ui/tui_layout.h"
/* After vterm.h: term.h defines macros (bell, lines) that clash. */
#include <term.h>

#include "base/fsutil.h"
#include "engine/spawn.h"
#include "host/cgroup.h"
#include "lessons/course.h"
#include "lessons/lesson.h"
#include "ui/present.h"
#include "ui/repl.h"
#include "ui/tui_events.h"
#include "ui/tui_keys.h"
#include "ui/tui_pane.h"
#include "ui/tui_status.h"
#include "ui/tui_term.h"

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

/* Takes the terminal's new size (our SIGWINCH handler replaced curses'). */
static void
resize_curses(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
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

/* A new terminal size: new windows, drawn before anything else waits. */
static void
resize(struct tui *t)
{
	got_winch = 0;
	resize_curses();
	tui_layout(t);
}

/* Stages every window that changed, and draws them in one update. */
static void
draw_all(struct tui *t)
{
	if (!t->pane_hidden &&
	    (t->pane.dirty || tui_pane_has_highlights(&t->pane)))
		tui_pane_draw(t, &t->pane);
	tui_draw_status(t);
	if (t->lesson_dirty)
		tui_draw_lesson(t);
	if (t->left_dirty)
		tui_term_draw(t);
	wmove(t->left, t->cursor.row, t->cursor.col);
	wnoutrefresh(t->left);
	curs_set(t->cursor_shown ? 1 : 0);
	doupdate();
}

/* Runs until the REPL ends, or T->quit says to end it (a signal, q in
 * projector mode, the terminal gone): then the REPL is sent SIGTERM and
 * tears its containers down. */
static void
run(struct tui *t)
{
	for (;;) {
		struct pollfd fds[4] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t->ptmx, .events = POLLIN },
			{ .fd = t->events, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
		};
		char buf[8192];
		ssize_t n;

		if (got_quit && !t->quit)
			t->quit = got_quit;
		if (t->quit) {
			kill(t->child, SIGTERM);
			return;
		}
		if (poll(fds, 4, tui_pane_timeout(&t->pane)) < 0 &&
		    errno != EINTR)
			return;
		if (fds[3].revents & POLLIN)
			drain_wake();
		if (got_winch)
			resize(t);
		if (fds[0].revents & TERMINAL_EVENTS) {
			/* Gone: the next pass ends the REPL, as on SIGHUP. */
			if ((n = read_terminal(buf, sizeof(buf))) < 0)
				continue;
			if (n > 0 && t->presenting)
				tui_keys_present(t, buf, (size_t)n);
			else if (n > 0)
				tui_keys_forward(t, buf, (size_t)n);
		}
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !tui_term_read(t))
			return; /* the REPL has ended */
		if (fds[2].revents & POLLIN) {
			tui_events_read(t);
			tui_term_alt_leave(t);
		}
		if (t->pane.pid && !t->pane.paused &&
		    tui_now() >= t->pane.next_tick) {
			tui_pane_tick(&t->pane);
			t->pane.next_tick = tui_now() + t->pane.refresh_ms / 1000.0;
		}
		draw_all(t);
	}
}

/* Projector mode over the lesson file PATH: its script (the lesson
 * runtime on the REPL's session starts it at its first step).  Returns
 * -1 when it cannot be read, having said why. */
static int
start_present(struct tui *t, const char *path)
{
	char *text = fsutil_slurp(path, NULL);
	char err[2048];

	if (!text || lesson_parse(text, path, course_known_command,
				  &t->script_lesson, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", text ? err : strerror(errno));
		free(text);
		return -1;
	}
	free(text);
	lesson_choose(&t->script_lesson, spawn_rootless_active());
	present_init(&t->script, &t->script_lesson);
	t->presenting = true;
	if (t->theme == TUI_THEME_DEFAULT)
		t->theme = TUI_THEME_PROJECTOR;
	return 0;
}

int
tui_main(struct repl *r, const struct tui_opts *opts)
{
	struct tui t = { .ptmx = -1, .events = -1 };
	int status;

	t.theme = opts->theme;
	if (opts->present && start_present(&t, opts->present) < 0)
		return 2;
	t.pane.refresh_ms = 200;
	t.pane.mounts_fd[0] = t.pane.mounts_fd[1] = -1;
	t.pane.cg = r->session.spawn.cg;
	snprintf(t.hostname, sizeof(t.hostname), "%s", r->session.plan.hostname);
	snprintf(t.rootfs, sizeof(t.rootfs), "%s", r->session.plan.rootfs);
	start_curses(&t);
	tui_layout(&t);
	if (tui_term_start(&t, r) < 0) {
		restore_terminal();
		perror("boxstep: cannot make a pty for the REPL");
		exit(1);
	}
	run(&t);
	restore_terminal();
	status = tui_term_end(&t);
	tui_pane_release(&t.pane);
	free(t.lesson_text);
	lesson_free(&t.script_lesson);
	if (t.quit)
		return 128 + t.quit;
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
	tui_pane_show(&t.pane, pid, "");
	while (!got_quit) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = wake_pipe[0], .events = POLLIN },
		};
		char buf[64];
		ssize_t n;

		if (poll(fds, 2, tui_pane_timeout(&t.pane)) > 0 &&
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
			if (tui_key_is_f2(buf, (size_t)n) || buf[0] == 'p') {
				t.pane.paused = !t.pane.paused;
				t.pane.dirty = true;
			}
		}
		if (!t.pane.paused && tui_now() >= t.pane.next_tick) {
			tui_pane_tick(&t.pane);
			t.pane.next_tick = tui_now() + t.pane.refresh_ms / 1000.0;
		}
		if (t.pane.exited || (t.pane.hv.gone && !t.pane.nlines)) {
			gone = true;
			break;
		}
		if (t.pane.dirty || tui_pane_has_highlights(&t.pane))
			tui_pane_draw(&t, &t.pane);
		werase(t.status);
		mvwprintw(t.status, 0, 0, " watching pid %d from the host | p "
			  "or F2 %s | q quits", (int)pid,
			  t.pane.paused ? "resumes" : "pauses");
		wnoutrefresh(t.status);
		doupdate();
	}
	restore_terminal();
	tui_pane_release(&t.pane);
	if (gone) {
		printf("boxstep: process %d has gone; stopped watching\n",
		       (int)pid);
		return 0;
	}
	return got_quit ? 128 + got_quit : 0;
}
