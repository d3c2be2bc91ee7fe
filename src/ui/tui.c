/* tui: the TUI's main loop, and `boxstep watch`.  The parts are
 * tui_screen (curses and its signals), tui_term (the REPL's pty and
 * libvterm), tui_pane (the host view), tui_events (the REPL's events),
 * tui_keys, tui_layout (the windows and the lesson panel), tui_status
 * (the status line) and tui_mirror (the screen an instructor watches);
 * tui_class is `boxstep class` on a terminal.  Curses is called only in
 * these files. */
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
#include "ui/tui_mirror.h"
#include "ui/tui_pane.h"
#include "ui/tui_screen.h"
#include "ui/tui_status.h"
#include "ui/tui_term.h"

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
	tui_mirror_send(t);
}

/* Runs until the REPL ends, or T->quit says to end it (a signal, q in
 * projector mode, the terminal gone): then the REPL is sent SIGTERM and
 * tears its containers down. */
static void
run(struct tui *t)
{
	for (;;) {
		struct pollfd fds[4 + 1 + MIRROR_PEERS] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = t->ptmx, .events = POLLIN },
			{ .fd = t->events, .events = POLLIN },
			{ .fd = tui_screen_wake_fd(), .events = POLLIN },
		};
		int nmirror = tui_mirror_fds(t, fds + 4);
		char buf[8192];
		ssize_t n;

		if (tui_screen_quit() && !t->quit)
			t->quit = tui_screen_quit();
		if (t->quit) {
			kill(t->child, SIGTERM);
			return;
		}
		if (poll(fds, (nfds_t)(4 + nmirror), tui_mirror_timeout(t,
			 tui_pane_timeout(&t->pane))) < 0 && errno != EINTR)
			return;
		if (fds[3].revents & POLLIN)
			tui_screen_drain();
		tui_mirror_events(t, fds + 4, nmirror);
		if (tui_screen_winch())
			resize(t);
		if (fds[0].revents & TUI_TERMINAL_EVENTS) {
			/* Gone: the next pass ends the REPL, as on SIGHUP. */
			if ((n = tui_screen_read(buf, sizeof(buf))) < 0)
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
	struct tui t = { .ptmx = -1, .events = -1, .mirror.fd = -1 };
	int status;

	t.theme = opts->theme;
	if (opts->present && start_present(&t, opts->present) < 0)
		return 2;
	t.pane.refresh_ms = 200;
	t.pane.mounts_fd[0] = t.pane.mounts_fd[1] = -1;
	t.pane.cg = r->session.spawn.cg;
	snprintf(t.hostname, sizeof(t.hostname), "%s", r->session.plan.hostname);
	snprintf(t.rootfs, sizeof(t.rootfs), "%s", r->session.plan.rootfs);
	tui_screen_start(&t);
	tui_layout(&t);
	if (tui_term_start(&t, r) < 0) {
		tui_screen_stop();
		perror("boxstep: cannot make a pty for the REPL");
		exit(1);
	}
	tui_mirror_start(&t, r->session.told.uid, r->session.told.pid);
	run(&t);
	tui_mirror_stop(&t);
	tui_screen_stop();
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
	struct tui t = { .ptmx = -1, .events = -1, .mirror.fd = -1 };
	bool gone = false;

	/* what it finds, or for each controller why not */
	cgroup_detect(&t.pane.cg, CGROUP_DEFAULT_ROOT, NULL, 0);
	t.pane.refresh_ms = 200;
	t.pane.mounts_fd[0] = t.pane.mounts_fd[1] = -1;
	tui_screen_start(&t);
	getmaxyx(stdscr, t.rows, t.cols);
	t.pane.win = newwin(t.rows - 1, t.cols, 0, 0);
	t.status = newwin(1, t.cols, t.rows - 1, 0);
	tui_pane_show(&t.pane, pid, "");
	while (!tui_screen_quit()) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = tui_screen_wake_fd(), .events = POLLIN },
		};
		char buf[64];
		ssize_t n;

		if (poll(fds, 2, tui_pane_timeout(&t.pane)) > 0 &&
		    (fds[1].revents & POLLIN))
			tui_screen_drain();
		if (tui_screen_winch()) {
			getmaxyx(stdscr, t.rows, t.cols);
			wresize(t.pane.win, t.rows - 1, t.cols);
			mvwin(t.status, t.rows - 1, 0);
			wresize(t.status, 1, t.cols);
			t.pane.dirty = true;
		}
		if ((fds[0].revents & TUI_TERMINAL_EVENTS) &&
		    (n = tui_screen_read(buf, sizeof(buf))) != 0) {
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
	tui_screen_stop();
	tui_pane_release(&t.pane);
	if (gone) {
		printf("boxstep: process %d has gone; stopped watching\n",
		       (int)pid);
		return 0;
	}
	return tui_screen_quit() ? 128 + tui_screen_quit() : 0;
}
