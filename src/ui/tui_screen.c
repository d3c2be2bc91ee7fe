/* tui_screen: the curses screen every full-screen view shares: its start
 * and end, the signals that wake it, the terminal's keys (tui_screen.h). */
#define _GNU_SOURCE
#include "ui/tui_screen.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ui/tui_layout.h"
/* After vterm.h: term.h defines macros (bell, lines) that clash. */
#include <term.h>

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

void
tui_screen_drain(void)
{
	char buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/* Reads what the terminal sent into BUF (LEN bytes).  Returns how much,
 * 0 when nothing came, or -1 when the terminal is gone (end of file, or
 * EIO once it hung up): the session then ends as on SIGHUP. */
ssize_t
tui_screen_read(char *buf, size_t len)
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

/* endwin() on every way out, including exit() from a fatal error. */
static bool curses_up;
static pid_t curses_pid; /* the REPL forked below must not end it */
static bool stop_at_exit;

void
tui_screen_stop(void)
{
	if (curses_up && getpid() == curses_pid) {
		curs_set(1);
		endwin();
		curses_up = false;
	}
}

void
tui_screen_start(struct tui *t)
{
	struct sigaction sa;

	setlocale(LC_ALL, "");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	initscr();
	curses_up = true;
	curses_pid = getpid();
	if (!stop_at_exit)
		atexit(tui_screen_stop);
	stop_at_exit = true;
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
		tui_screen_stop();
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
tui_screen_wake_fd(void)
{
	return wake_pipe[0];
}

bool
tui_screen_winch(void)
{
	if (!got_winch)
		return false;
	got_winch = 0;
	resize_curses();
	return true;
}

int
tui_screen_quit(void)
{
	return got_quit;
}
