/* relay: the REPL on a pty, and the plain copy loop above it. */
#define _GNU_SOURCE
#include "ui/relay.h"

#include <errno.h>
#include <limits.h>
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
#include <time.h>
#include <unistd.h>

#include "base/capture.h"
#include "ui/cast.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "ui/repl.h"

/* Forks a child onto a new pty of size WS (modes TIO, may be NULL) with
 * an event socket.  The child gets its end of the socket in *EVENTS and
 * 0 back; the parent the child's pid, the pty's master in *PTMX and its
 * end of the socket in *EVENTS (both close-on-exec); -1 on failure. */
static pid_t
fork_on_pty(const struct winsize *ws, const struct termios *tio, int *ptmx,
	    int *events)
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
	close(sv[pid == 0 ? 0 : 1]);
	*events = sv[pid == 0 ? 1 : 0];
	if (pid > 0)
		fcntl(*ptmx, F_SETFD, FD_CLOEXEC);
	return pid;
}

pid_t
relay_fork(struct repl *r, const struct winsize *ws, const struct termios *tio,
	   int *ptmx, int *events)
{
	pid_t pid = fork_on_pty(ws, tio, ptmx, events);

	if (pid == 0) {
		/* The REPL, in its own session on the pty: exactly the plain
		 * mode, with events and captures through the socket. */
		int rc;

		spawn_session_after_fork(&r->session.spawn);
		r->session.event_fd = *events;
		r->session.relay = true;
		rc = repl_interactive(r);
		repl_done(r);
		exit(rc);
	}
	return pid;
}

static volatile sig_atomic_t got_winch, got_quit;

static void on_winch(int sig) { (void)sig; got_winch = 1; }
static void on_quit(int sig) { got_quit = sig; }

static struct termios saved_tio;
static bool raw_on;
static pid_t raw_pid;

static void
restore_tty(void)
{
	if (raw_on && getpid() == raw_pid) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		raw_on = false;
	}
}

/* A terminal that is gone has nothing to show: a failed write is
 * dropped. */
static void
write_all(int fd, const char *s, size_t n)
{
	(void)fsutil_write_all(fd, s, n);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What one relay moves: the pty of CHILD, and optionally the REPL's event
 * socket with captures to answer, and a recording. */
struct relay_io {
	int in, out;          /* the terminal's ends; -1: none */
	int ptmx;
	pid_t child;
	int events;           /* -1: none */
	struct capture *cap;  /* NULL: no captures */
	struct cast *cast;    /* NULL: not recording */
};

static void
handle_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
go_raw(void)
{
	struct termios raw = saved_tio;

	cfmakeraw(&raw);
	raw_pid = getpid();
	raw_on = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	atexit(restore_tty);
}

/* Copies bytes both ways until the child's side of the pty closes; then
 * restores the terminal and reaps the child.  Returns its exit status
 * (128 + N when a signal N ended the relay). */
static int
relay_loop(struct relay_io *io)
{
	int status = 0, in = io->in, evfd = io->events;
	bool quit_sent = false;

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = in, .events = POLLIN },
			{ .fd = io->ptmx, .events = POLLIN },
			{ .fd = evfd, .events = POLLIN },
		};
		char buf[8192], out[8192 + 32];
		ssize_t n;

		if (got_quit && !quit_sent) {
			/* The child cleans up and ends; its last words and
			 * the pty's end come through as usual. */
			kill(io->child, SIGTERM);
			quit_sent = true;
		}
		if (got_winch) {
			struct winsize ws;

			got_winch = 0;
			if (io->out >= 0 &&
			    ioctl(io->out, TIOCGWINSZ, &ws) == 0) {
				ioctl(io->ptmx, TIOCSWINSZ, &ws);
				if (io->cast)
					cast_resize(io->cast, now(), ws.ws_col,
						    ws.ws_row);
			}
		}
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(in, buf, sizeof(buf));
			if (n > 0)
				write_all(io->ptmx, buf, (size_t)n);
			else if (n == 0 || errno != EINTR) {
				in = -1; /* the terminal is gone */
				got_quit = got_quit ? got_quit : SIGHUP;
			}
		}
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			bool ended = false;
			size_t o = 0;

			n = read(io->ptmx, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* the child has ended */
			if (io->cap) {
				o = capture_filter(io->cap, buf, (size_t)n, out,
						   &ended);
			} else {
				memcpy(out, buf, (size_t)n);
				o = (size_t)n;
			}
			if (io->out >= 0)
				write_all(io->out, out, o);
			if (io->cast)
				cast_output(io->cast, now(), out, o);
			if (ended)
				capture_reply(io->cap, io->events);
		}
		if (fds[2].revents & (POLLIN | POLLHUP)) {
			/* Events are for the TUI; here they are only read, so
			 * that the REPL never blocks on a full socket. */
			n = read(evfd, buf, sizeof(buf));
			if (n == 0)
				evfd = -1;
		}
	}
	restore_tty();
	while (waitpid(io->child, &status, 0) < 0 && errno == EINTR)
		;
	if (got_quit)
		return 128 + got_quit;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Runs the loop over IO, then lets go of its pty, socket and capture.
 * Returns the child's status, as relay_loop(). */
static int
relay_run(struct relay_io *io)
{
	int rc = relay_loop(io);

	capture_free(io->cap);
	close(io->ptmx);
	close(io->events);
	return rc;
}

int
relay_main(struct repl *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct capture cap = { 0 };
	struct relay_io io = { .in = STDIN_FILENO, .out = STDOUT_FILENO,
			       .cap = &cap };

	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return repl_interactive(r);
	io.child = relay_fork(r, &ws, &saved_tio, &io.ptmx, &io.events);
	if (io.child < 0) {
		perror("boxstep: cannot make a pty for the REPL");
		return 1;
	}
	handle_signals();
	go_raw();
	return relay_run(&io);
}

int
relay_record(const char *path, int *status)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct relay_io io = { .in = STDIN_FILENO, .out = STDOUT_FILENO,
			       .events = -1 };
	struct cast cast;
	char word[TEXT_SHELL_WORD_MAX];
	FILE *f;
	pid_t child;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "boxstep: --record records a terminal session: "
			"run it on a terminal\n");
		return -1;
	}
	if (!(f = fopen(path, "we"))) {
		fprintf(stderr, "boxstep: cannot write the recording %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
	tcgetattr(STDIN_FILENO, &saved_tio);
	fflush(stdout);
	fflush(stderr);
	child = forkpty(&io.ptmx, NULL, &saved_tio, &ws);
	if (child < 0) {
		perror("boxstep: cannot make a pty to record");
		fclose(f);
		unlink(path);
		return -1;
	}
	if (child == 0) {
		fclose(f);
		return 0; /* the session itself, recorded */
	}
	fcntl(io.ptmx, F_SETFD, FD_CLOEXEC);
	cast_begin(&cast, f, ws.ws_col, ws.ws_row, now(), (long)time(NULL),
		   getenv("TERM"));
	io.child = child;
	io.cast = &cast;
	handle_signals();
	go_raw();
	*status = relay_loop(&io);
	close(io.ptmx);
	if (cast_end(&cast) < 0)
		fprintf(stderr, "boxstep: the recording %s is incomplete: %s\n",
			path, strerror(errno));
	else
		fprintf(stderr, "boxstep: recorded to %s (play it with: "
			"asciinema play %s)\n", path,
			text_shell_word(path, word, sizeof(word)));
	return 1;
}

int
relay_headless(int (*fn)(void *arg, int events), void *arg, bool show)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct capture cap = { 0 };
	struct relay_io io = { .in = -1, .out = show ? STDOUT_FILENO : -1,
			       .cap = &cap };

	io.child = fork_on_pty(&ws, NULL, &io.ptmx, &io.events);
	if (io.child < 0)
		return -1;
	if (io.child == 0)
		exit(fn(arg, io.events));
	handle_signals();
	return relay_run(&io);
}
