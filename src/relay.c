/* relay: the REPL on a pty, and the plain copy loop above it. */
#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "capture.h"
#include "repl.h"

pid_t
relay_fork(struct repl *r, const struct winsize *ws, const struct termios *tio,
	   int *ptmx, int *events)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = forkpty(ptmx, NULL, tio, ws);
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* The REPL, in its own session on the pty: exactly the plain
		 * mode, with events and captures through the socket. */
		int rc;

		close(sv[0]);
		spawn_session_after_fork(&r->session);
		r->event_fd = sv[1];
		r->relay = true;
		rc = repl_interactive(r);
		repl_done(r);
		exit(rc);
	}
	close(sv[1]);
	*events = sv[0];
	fcntl(*ptmx, F_SETFD, FD_CLOEXEC);
	return pid;
}

static volatile sig_atomic_t got_winch, got_quit;

static void on_winch(int sig) { (void)sig; got_winch = 1; }
static void on_quit(int sig) { got_quit = sig; }

static struct termios saved_tio;
static bool raw_on;

static void
restore_tty(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		raw_on = false;
	}
}

static void
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the terminal is gone: nothing to show it */
		s += w;
		n -= (size_t)w;
	}
}

int
relay_main(struct repl *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct capture cap = { 0 };
	struct sigaction sa;
	struct termios raw;
	int ptmx, events, status = 0, in = STDIN_FILENO, evfd;
	bool quit_sent = false;
	pid_t child;

	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return repl_interactive(r);
	child = relay_fork(r, &ws, &saved_tio, &ptmx, &events);
	if (child < 0) {
		perror("boxstep: cannot make a pty for the REPL");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	raw = saved_tio;
	cfmakeraw(&raw);
	raw_on = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	atexit(restore_tty);
	evfd = events;

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = in, .events = POLLIN },
			{ .fd = ptmx, .events = POLLIN },
			{ .fd = evfd, .events = POLLIN },
		};
		char buf[8192], out[8192 + sizeof(cap.hold)];
		ssize_t n;

		if (got_quit && !quit_sent) {
			/* The REPL cleans up and ends; its last words and
			 * the pty's end come through as usual. */
			kill(child, SIGTERM);
			quit_sent = true;
		}
		if (got_winch) {
			got_winch = 0;
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(ptmx, TIOCSWINSZ, &ws);
		}
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(in, buf, sizeof(buf));
			if (n > 0)
				write_all(ptmx, buf, (size_t)n);
			else if (n == 0 || errno != EINTR) {
				in = -1; /* the terminal is gone */
				got_quit = got_quit ? got_quit : SIGHUP;
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			bool ended;
			size_t o;

			n = read(ptmx, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* the REPL has ended */
			o = capture_filter(&cap, buf, (size_t)n, out, &ended);
			write_all(STDOUT_FILENO, out, o);
			if (ended)
				capture_reply(&cap, events);
		}
		if (fds[2].revents & (POLLIN | POLLHUP)) {
			/* Events are for the TUI; here they are only read, so
			 * that the REPL never blocks on a full socket. */
			n = read(events, buf, sizeof(buf));
			if (n == 0)
				evfd = -1;
		}
	}
	restore_tty();
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	capture_free(&cap);
	close(ptmx);
	close(events);
	if (got_quit)
		return 128 + got_quit;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
